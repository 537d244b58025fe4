// SPDX-License-Identifier: GPL-2.0
// A non-owning view of contiguous objects, bounds-checked where it counts.
#pragma once

#include <cxxrt/types.h>

namespace cxxrt {

template <typename T>
class Span {
public:
	constexpr Span() noexcept = default;
	constexpr Span(T *data, size_t size) noexcept : data_(data), size_(size) {}
	template <size_t N>
	constexpr Span(T (&array)[N]) noexcept : data_(array), size_(N) {}

	constexpr T *data() const noexcept { return data_; }
	constexpr size_t size() const noexcept { return size_; }
	constexpr bool empty() const noexcept { return size_ == 0; }
	constexpr T *begin() const noexcept { return data_; }
	constexpr T *end() const noexcept { return data_ + size_; }
	// Unchecked, like std::span; use at() where the index comes from input.
	constexpr T &operator[](size_t i) const noexcept { return data_[i]; }
	constexpr T *at(size_t i) const noexcept { return i < size_ ? data_ + i : nullptr; }
	// The elements [offset, offset + count), clamped to the span.
	constexpr Span subspan(size_t offset, size_t count = ~size_t(0)) const noexcept
	{
		if (offset > size_)
			offset = size_;
		if (count > size_ - offset)
			count = size_ - offset;
		return Span(data_ + offset, count);
	}

private:
	T *data_ = nullptr;
	size_t size_ = 0;
};

template <typename T, size_t N> Span(T (&)[N]) -> Span<T>;

}  // namespace cxxrt
