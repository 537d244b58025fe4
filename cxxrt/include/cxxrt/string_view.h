// SPDX-License-Identifier: GPL-2.0
// A read-only view of characters, with the small amount of parsing the
// debugfs knobs need. Pure code: unit-tested on the host.
#pragma once

#include <cxxrt/optional.h>
#include <cxxrt/types.h>

namespace cxxrt {

class StringView {
public:
	constexpr StringView() noexcept = default;
	constexpr StringView(const char *chars, size_t length) noexcept : chars_(chars), length_(length) {}
	constexpr StringView(const char *cstr) noexcept : chars_(cstr), length_(cstr ? __builtin_strlen(cstr) : 0) {}

	constexpr const char *data() const noexcept { return chars_; }
	constexpr size_t length() const noexcept { return length_; }
	constexpr bool empty() const noexcept { return length_ == 0; }
	constexpr char operator[](size_t i) const noexcept { return chars_[i]; }

	constexpr bool operator==(StringView other) const noexcept
	{
		if (length_ != other.length_)
			return false;
		for (size_t i = 0; i < length_; i++)
			if (chars_[i] != other.chars_[i])
				return false;
		return true;
	}

	constexpr bool starts_with(StringView prefix) const noexcept
	{
		return prefix.length_ <= length_ && StringView(chars_, prefix.length_) == prefix;
	}
	constexpr StringView substr(size_t offset, size_t count = ~size_t(0)) const noexcept
	{
		if (offset > length_)
			offset = length_;
		if (count > length_ - offset)
			count = length_ - offset;
		return StringView(chars_ + offset, count);
	}
	Optional<size_t> find(char c) const noexcept
	{
		for (size_t i = 0; i < length_; i++)
			if (chars_[i] == c)
				return i;
		return nullopt;
	}

	static constexpr bool is_space(char c) noexcept
	{
		return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
	}
	constexpr StringView trimmed() const noexcept
	{
		size_t begin = 0, end = length_;
		while (begin < end && is_space(chars_[begin]))
			begin++;
		while (end > begin && is_space(chars_[end - 1]))
			end--;
		return substr(begin, end - begin);
	}

	// Splits off the next whitespace-separated token; *this keeps the rest.
	constexpr StringView next_token() noexcept
	{
		*this = trimmed();
		size_t end = 0;
		while (end < length_ && !is_space(chars_[end]))
			end++;
		StringView token = substr(0, end);
		*this = substr(end);
		return token;
	}

	// The whole view as an unsigned decimal number (or 0x hex), no sign,
	// no surrounding space; nullopt if malformed or above 2^64-1.
	Optional<uint64_t> to_u64() const noexcept
	{
		unsigned base = 10;
		StringView digits = *this;
		if (digits.starts_with("0x") || digits.starts_with("0X")) {
			base = 16;
			digits = digits.substr(2);
		}
		if (digits.empty())
			return nullopt;
		uint64_t value = 0;
		for (size_t i = 0; i < digits.length_; i++) {
			unsigned digit = digit_value(digits.chars_[i]);
			if (digit >= base)
				return nullopt;
			if (__builtin_mul_overflow(value, base, &value) ||
			    __builtin_add_overflow(value, digit, &value))
				return nullopt;
		}
		return value;
	}

private:
	static constexpr unsigned digit_value(char c) noexcept
	{
		if (c >= '0' && c <= '9')
			return unsigned(c - '0');
		if (c >= 'a' && c <= 'f')
			return unsigned(c - 'a' + 10);
		if (c >= 'A' && c <= 'F')
			return unsigned(c - 'A' + 10);
		return 99;
	}

	const char *chars_ = nullptr;
	size_t length_ = 0;
};

}  // namespace cxxrt
