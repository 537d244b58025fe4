// SPDX-License-Identifier: GPL-2.0
// A value that may be absent, stored in place (no allocation).
#pragma once

#include <cxxrt/new.h>
#include <cxxrt/utility.h>

namespace cxxrt {

struct NulloptT {
	explicit constexpr NulloptT(int) {}
};
inline constexpr NulloptT nullopt{0};

template <typename T>
class Optional {
public:
	constexpr Optional() noexcept {}
	constexpr Optional(NulloptT) noexcept {}
	Optional(const T &value) { emplace(value); }
	Optional(T &&value) { emplace(move(value)); }
	Optional(const Optional &other)
	{
		if (other.has_value_)
			emplace(*other);
	}
	Optional(Optional &&other)
	{
		if (other.has_value_)
			emplace(move(*other));
	}
	Optional &operator=(const Optional &other)
	{
		if (this != &other) {
			reset();
			if (other.has_value_)
				emplace(*other);
		}
		return *this;
	}
	Optional &operator=(Optional &&other)
	{
		if (this != &other) {
			reset();
			if (other.has_value_)
				emplace(move(*other));
		}
		return *this;
	}
	~Optional() { reset(); }

	template <typename... Args>
	T &emplace(Args &&...args)
	{
		reset();
		T *value = new (storage_) T(forward<Args>(args)...);
		has_value_ = true;
		return *value;
	}
	void reset() noexcept
	{
		if (has_value_) {
			value_ptr()->~T();
			has_value_ = false;
		}
	}

	bool has_value() const noexcept { return has_value_; }
	explicit operator bool() const noexcept { return has_value_; }
	T &operator*() noexcept { return *value_ptr(); }
	const T &operator*() const noexcept { return *value_ptr(); }
	T *operator->() noexcept { return value_ptr(); }
	const T *operator->() const noexcept { return value_ptr(); }
	template <typename U>
	T value_or(U &&fallback) const
	{
		return has_value_ ? **this : static_cast<T>(forward<U>(fallback));
	}

private:
	T *value_ptr() noexcept { return __builtin_launder(reinterpret_cast<T *>(storage_)); }
	const T *value_ptr() const noexcept { return __builtin_launder(reinterpret_cast<const T *>(storage_)); }

	alignas(T) unsigned char storage_[sizeof(T)];
	bool has_value_ = false;
};

}  // namespace cxxrt
