// SPDX-License-Identifier: GPL-2.0
// A set of CPUs, laid out like the kernel's struct cpumask (XK_MAX_CPUS
// bits), with the kernel's cpulist syntax: "1", "0-3", "1,3", "0-7:2"
// (every second CPU of 0-7). Pure code, unit-tested on the host; the
// kernel's online/possible masks come from module/cpus.h.
#pragma once

#include <cxxrt/bit.h>
#include <cxxrt/string_view.h>

#include "bridge/bridge.h"

namespace xcall {

class CpuMask {
public:
	static constexpr unsigned max_cpus = XK_MAX_CPUS;
	static constexpr unsigned bits_per_long = 8 * sizeof(unsigned long);

	constexpr CpuMask() noexcept = default;

	void set(unsigned cpu) noexcept
	{
		if (cpu < max_cpus)
			bits_[cpu / bits_per_long] |= 1UL << (cpu % bits_per_long);
	}
	void clear(unsigned cpu) noexcept
	{
		if (cpu < max_cpus)
			bits_[cpu / bits_per_long] &= ~(1UL << (cpu % bits_per_long));
	}
	bool test(int cpu) const noexcept
	{
		return cpu >= 0 && unsigned(cpu) < max_cpus &&
		       (bits_[cpu / bits_per_long] >> (cpu % bits_per_long)) & 1;
	}
	unsigned count() const noexcept
	{
		unsigned n = 0;
		for (unsigned long word : bits_)
			n += cxxrt::popcount(word);
		return n;
	}
	bool empty() const noexcept { return count() == 0; }

	// The first CPU after @prev (from -1), or -1 when there is none.
	int next(int prev) const noexcept
	{
		for (unsigned cpu = unsigned(prev + 1); cpu < max_cpus; cpu++) {
			unsigned long word = bits_[cpu / bits_per_long] >> (cpu % bits_per_long);
			if (!word) {	// skip the rest of this word
				cpu = (cpu / bits_per_long + 1) * bits_per_long - 1;
				continue;
			}
			return int(cpu + __builtin_ctzl(word));
		}
		return -1;
	}
	int first() const noexcept { return next(-1); }

	template <typename F>
	void for_each(F &&f) const
	{
		for (int cpu = first(); cpu >= 0; cpu = next(cpu))
			f(cpu);
	}

	bool is_subset_of(const CpuMask &other) const noexcept
	{
		for (unsigned i = 0; i < XK_CPUMASK_LONGS; i++)
			if (bits_[i] & ~other.bits_[i])
				return false;
		return true;
	}
	CpuMask operator&(const CpuMask &other) const noexcept
	{
		CpuMask r;
		for (unsigned i = 0; i < XK_CPUMASK_LONGS; i++)
			r.bits_[i] = bits_[i] & other.bits_[i];
		return r;
	}
	bool operator==(const CpuMask &other) const noexcept
	{
		for (unsigned i = 0; i < XK_CPUMASK_LONGS; i++)
			if (bits_[i] != other.bits_[i])
				return false;
		return true;
	}

	// The kernel's view of the mask (struct cpumask layout).
	const unsigned long *bits() const noexcept { return bits_; }
	unsigned long *bits() noexcept { return bits_; }

	// Parses a cpulist into *out. 0, -XK_EINVAL if malformed (out is then
	// unchanged), -XK_ENXIO if a CPU is >= @nr_cpus.
	static int parse(cxxrt::StringView list, unsigned nr_cpus, CpuMask *out) noexcept;

	// Writes the mask as a cpulist ("0-3,5"); returns the length it needed
	// (like snprintf: the output is cut if @size is too small).
	cxxrt::size_t format(char *buf, cxxrt::size_t size) const noexcept;

private:
	unsigned long bits_[XK_CPUMASK_LONGS] = {};
};

inline int CpuMask::parse(cxxrt::StringView list, unsigned nr_cpus, CpuMask *out) noexcept
{
	CpuMask mask;
	bool out_of_range = false;
	cxxrt::size_t start = 0;
	for (;;) {
		cxxrt::StringView rest = list.substr(start);
		auto comma = rest.find(',');
		cxxrt::StringView range = comma ? rest.substr(0, *comma) : rest;

		cxxrt::uint64_t stride = 1;
		if (auto colon = range.find(':')) {
			auto s = range.substr(*colon + 1).to_u64();
			if (!s || *s == 0)
				return -XK_EINVAL;
			stride = *s;
			range = range.substr(0, *colon);
		}
		cxxrt::Optional<cxxrt::uint64_t> lo, hi;
		if (auto dash = range.find('-')) {
			lo = range.substr(0, *dash).to_u64();
			hi = range.substr(*dash + 1).to_u64();
		} else {
			lo = hi = range.to_u64();
		}
		if (!lo || !hi || *lo > *hi)	// also an empty range: ",," or a trailing ","
			return -XK_EINVAL;
		if (*hi >= nr_cpus || *hi >= max_cpus)
			out_of_range = true;
		else
			for (cxxrt::uint64_t cpu = *lo; cpu <= *hi; cpu += stride)
				mask.set(unsigned(cpu));

		if (!comma)
			break;
		start += *comma + 1;
	}
	if (out_of_range)
		return -XK_ENXIO;
	*out = mask;
	return 0;
}

inline cxxrt::size_t CpuMask::format(char *buf, cxxrt::size_t size) const noexcept
{
	cxxrt::size_t len = 0;
	auto emit = [&](const char *fmt, int a, int b) {
		char *at = len < size ? buf + len : nullptr;
		cxxrt::size_t room = len < size ? size - len : 0;
		len += cxxrt::size_t(xk_snprintf(at, room, fmt, a, b));
	};
	if (size)
		buf[0] = '\0';
	for (int cpu = first(); cpu >= 0;) {
		int end = cpu;
		while (test(end + 1))
			end++;
		if (end == cpu)
			emit(len ? ",%d" : "%d", cpu, 0);
		else
			emit(len ? ",%d-%d" : "%d-%d", cpu, end);
		cpu = next(end);
	}
	return len;
}

}  // namespace xcall
