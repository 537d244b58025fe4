// SPDX-License-Identifier: GPL-2.0
// Unique ownership of heap objects, and a checked allocation helper.
#pragma once

#include <cxxrt/new.h>
#include <cxxrt/utility.h>

namespace cxxrt {

// Owns one object allocated with `new (ctx) T`; deletes it when it goes.
// Movable, not copyable. A null UniquePtr is the allocation-failure result
// of make_unique, so callers check it like any pointer.
template <typename T>
class UniquePtr {
public:
	constexpr UniquePtr() noexcept = default;
	constexpr UniquePtr(nullptr_t) noexcept {}
	explicit UniquePtr(T *ptr) noexcept : ptr_(ptr) {}
	UniquePtr(const UniquePtr &) = delete;
	UniquePtr &operator=(const UniquePtr &) = delete;
	UniquePtr(UniquePtr &&other) noexcept : ptr_(other.release()) {}
	template <typename U>
		requires convertible_to<U *, T *>
	UniquePtr(UniquePtr<U> &&other) noexcept : ptr_(other.release()) {}
	UniquePtr &operator=(UniquePtr &&other) noexcept
	{
		reset(other.release());
		return *this;
	}
	~UniquePtr() { reset(); }

	T *get() const noexcept { return ptr_; }
	T &operator*() const noexcept { return *ptr_; }
	T *operator->() const noexcept { return ptr_; }
	explicit operator bool() const noexcept { return ptr_ != nullptr; }

	[[nodiscard]] T *release() noexcept { return exchange(ptr_, nullptr); }
	void reset(T *ptr = nullptr) noexcept
	{
		T *old = exchange(ptr_, ptr);
		delete old;
	}

private:
	T *ptr_ = nullptr;
};

// new (ctx) T(args...) wrapped in a UniquePtr; null if the allocation failed.
template <typename T, typename... Args>
[[nodiscard]] UniquePtr<T> make_unique(AllocContext ctx, Args &&...args)
{
	return UniquePtr<T>(new (ctx) T(forward<Args>(args)...));
}

}  // namespace cxxrt
