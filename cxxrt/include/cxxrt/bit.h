// SPDX-License-Identifier: GPL-2.0
// Bit counting without libgcc: the kernel has no __popcountdi2, and its
// baseline x86-64 target has no popcnt instruction to use instead.
#pragma once

namespace cxxrt {

constexpr unsigned popcount(unsigned long long x) noexcept
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return unsigned((x * 0x0101010101010101ULL) >> 56);
}

static_assert(popcount(0) == 0 && popcount(0xff) == 8 && popcount(~0ULL) == 64);

}  // namespace cxxrt
