// SPDX-License-Identifier: GPL-2.0
// debugfs directories and files as RAII objects with typed handlers.
//
//   class Knob {
//     int show(xcall::Text &out);            // cat file
//     int store(cxxrt::StringView input);    // echo ... > file
//   };
//   file.create<&Knob::show, &Knob::store>(dir, "knob", knob);
//
// Files are root-only (0400/0200/0600 from the handlers given). A write is
// one command: at most XK_DEBUGFS_WRITE_MAX bytes, trailing newline removed;
// a handler's -errno is what write(2) returns. Destroying a file waits for
// running handlers, so the owner must outlive its files (declare the files
// after the state they use, or remove them first).
#pragma once

#include <cxxrt/string_view.h>
#include <cxxrt/utility.h>

#include "bridge/bridge.h"

namespace xcall {

class Text {
public:
	explicit Text(xk_text *text) noexcept : text_(text) {}
	template <typename... Args>
	void printf(const char *fmt, Args... args) noexcept
	{
		xk_text_printf(text_, fmt, args...);
	}

private:
	xk_text *text_;
};

class DebugfsDir : cxxrt::Pinned {
public:
	DebugfsDir() noexcept = default;
	~DebugfsDir() { remove(); }
	[[nodiscard]] int create(const char *name) noexcept;
	void remove() noexcept;
	xk_dentry *dentry() const noexcept { return dentry_; }

private:
	xk_dentry *dentry_ = nullptr;
};

class DebugfsFile : cxxrt::Pinned {
public:
	DebugfsFile() noexcept = default;
	~DebugfsFile() { remove(); }

	// Show/Store: member functions of Owner, or nullptr for "not readable"/
	// "not writable".
	template <auto Show, auto Store, typename Owner>
	[[nodiscard]] int create(DebugfsDir &dir, const char *name, Owner &owner) noexcept
	{
		return create_raw(dir, name, &Handlers<Owner, Show, Store>::table, &owner);
	}
	void remove() noexcept;

private:
	template <typename Owner, auto Show, auto Store>
	struct Handlers {
		static int show(void *ctx, xk_text *text) noexcept
		{
			Text out(text);
			return (static_cast<Owner *>(ctx)->*Show)(out);
		}
		static int store(void *ctx, const char *input, xk_size_t len) noexcept
		{
			return (static_cast<Owner *>(ctx)->*Store)(cxxrt::StringView(input, len));
		}
		static constexpr auto show_handler()
		{
			if constexpr (cxxrt::is_same_v<decltype(Show), cxxrt::nullptr_t>)
				return static_cast<decltype(&show)>(nullptr);
			else
				return &show;
		}
		static constexpr auto store_handler()
		{
			if constexpr (cxxrt::is_same_v<decltype(Store), cxxrt::nullptr_t>)
				return static_cast<decltype(&store)>(nullptr);
			else
				return &store;
		}
		static constexpr xk_file_handlers table = {
			.show = show_handler(),
			.store = store_handler(),
		};
	};

	int create_raw(DebugfsDir &dir, const char *name, const xk_file_handlers *handlers,
		       void *ctx) noexcept;

	xk_dentry *dentry_ = nullptr;
};

}  // namespace xcall
