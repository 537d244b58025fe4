// SPDX-License-Identifier: GPL-2.0
// move/forward/exchange/swap and friends, as in <utility>.
#pragma once

#include <cxxrt/type_traits.h>

namespace cxxrt {

template <typename T>
constexpr remove_reference_t<T> &&move(T &&t) noexcept
{
	return static_cast<remove_reference_t<T> &&>(t);
}

template <typename T>
constexpr T &&forward(remove_reference_t<T> &t) noexcept
{
	return static_cast<T &&>(t);
}

template <typename T>
constexpr T &&forward(remove_reference_t<T> &&t) noexcept
{
	static_assert(!is_lvalue_reference_v<T>, "forwarding an rvalue as an lvalue");
	return static_cast<T &&>(t);
}

template <typename T, typename U = T>
constexpr T exchange(T &obj, U &&value)
{
	T old = move(obj);
	obj = forward<U>(value);
	return old;
}

template <typename T>
constexpr void swap(T &a, T &b) noexcept
{
	T tmp = move(a);
	a = move(b);
	b = move(tmp);
}

template <typename T> constexpr const T &min(const T &a, const T &b) { return b < a ? b : a; }
template <typename T> constexpr const T &max(const T &a, const T &b) { return a < b ? b : a; }

// Marks a class as neither copyable nor movable: objects whose address is
// handed to the kernel (a CSD, an irq_work, a debugfs file) must stay put.
struct Pinned {
	Pinned() = default;
	Pinned(const Pinned &) = delete;
	Pinned &operator=(const Pinned &) = delete;
	Pinned(Pinned &&) = delete;
	Pinned &operator=(Pinned &&) = delete;
};

}  // namespace cxxrt
