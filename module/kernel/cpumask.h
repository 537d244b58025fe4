// SPDX-License-Identifier: GPL-2.0
// A set of CPUs with the kernel's cpulist syntax. Pure code, unit-tested on
// the host; the kernel's online/possible masks come from kernel/cpus.h.
//
// Sized at run time like the kernel's own masks (cpumask_size(): as many
// bits as the kernel reads, nr_cpu_ids on Debian's CONFIG_CPUMASK_OFFSTACK
// kernels), never by NR_CPUS: up to inline_cpus CPUs the bits live in the
// object (two words on the stack), beyond that on the heap. A mask whose
// allocation failed is invalid(): it holds no CPU, and the knobs refuse
// the command with -ENOMEM.
#pragma once

#include <cxxrt/bit.h>
#include <cxxrt/string_view.h>
#include <cxxrt/utility.h>

#include "bridge/bridge.h"

namespace xcall {

class CpuMask {
public:
	static constexpr unsigned bits_per_long = 8 * sizeof(unsigned long);
	static constexpr unsigned inline_longs = 2;
	static constexpr unsigned inline_cpus = inline_longs * bits_per_long;

	// An empty mask as wide as the kernel's masks.
	CpuMask() noexcept : CpuMask(xk_cpumask_bits()) {}
	// An empty mask of @nbits CPUs (host tests).
	explicit CpuMask(unsigned nbits) noexcept { allocate(nbits); }
	CpuMask(const CpuMask &other) noexcept
	{
		if (allocate(other.nbits_))
			copy_bits(other);
	}
	CpuMask(CpuMask &&other) noexcept
		: bits_(other.bits_ == other.inline_ ? inline_ : cxxrt::exchange(other.bits_, other.inline_)),
		  nbits_(other.nbits_), valid_(other.valid_)
	{
		if (bits_ == inline_)
			copy_bits(other);
		other.nbits_ = 0;	// an empty inline mask from now on
		other.valid_ = false;
	}
	CpuMask &operator=(const CpuMask &other) noexcept
	{
		if (this != &other) {
			release();
			if (allocate(other.nbits_))
				copy_bits(other);
		}
		return *this;
	}
	CpuMask &operator=(CpuMask &&other) noexcept
	{
		if (this != &other) {
			release();
			nbits_ = other.nbits_;
			valid_ = other.valid_;
			if (other.bits_ == other.inline_) {
				bits_ = inline_;
				copy_bits(other);
			} else {
				bits_ = cxxrt::exchange(other.bits_, other.inline_);
			}
			other.nbits_ = 0;
			other.valid_ = false;
		}
		return *this;
	}
	~CpuMask() { release(); }

	bool valid() const noexcept { return valid_; }
	unsigned nbits() const noexcept { return nbits_; }

	void set(unsigned cpu) noexcept
	{
		if (cpu < nbits_)
			bits_[cpu / bits_per_long] |= 1UL << (cpu % bits_per_long);
	}
	void clear(unsigned cpu) noexcept
	{
		if (cpu < nbits_)
			bits_[cpu / bits_per_long] &= ~(1UL << (cpu % bits_per_long));
	}
	bool test(int cpu) const noexcept
	{
		return cpu >= 0 && unsigned(cpu) < nbits_ && (bits_[cpu / bits_per_long] >> (cpu % bits_per_long)) & 1;
	}
	unsigned count() const noexcept
	{
		unsigned n = 0;
		for (unsigned i = 0; i < longs(); i++)
			n += cxxrt::popcount(bits_[i]);
		return n;
	}
	bool empty() const noexcept { return count() == 0; }

	// The first CPU after @prev (from -1), or -1 when there is none.
	int next(int prev) const noexcept
	{
		for (unsigned cpu = unsigned(prev + 1); cpu < nbits_; cpu++) {
			unsigned long word = bits_[cpu / bits_per_long] >> (cpu % bits_per_long);
			if (!word) {	// skip the rest of this word
				cpu = (cpu / bits_per_long + 1) * bits_per_long - 1;
				continue;
			}
			cpu += unsigned(__builtin_ctzl(word));
			return cpu < nbits_ ? int(cpu) : -1;
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

	// Both masks as wide (as every mask of one kernel is).
	bool is_subset_of(const CpuMask &other) const noexcept
	{
		for (unsigned i = 0; i < longs(); i++)
			if (bits_[i] & ~other.word(i))
				return false;
		return true;
	}
	CpuMask operator&(const CpuMask &other) const noexcept
	{
		CpuMask r(*this);
		for (unsigned i = 0; i < r.longs(); i++)
			r.bits_[i] &= other.word(i);
		return r;
	}
	bool operator==(const CpuMask &other) const noexcept
	{
		for (unsigned i = 0; i < longs() || i < other.longs(); i++)
			if (word(i) != other.word(i))
				return false;
		return true;
	}

	// The kernel's view of the mask: cpumask_size() bytes when the mask
	// has the kernel's width (the default constructor's).
	const unsigned long *bits() const noexcept { return bits_; }
	unsigned long *bits() noexcept { return bits_; }
	// Its size in bytes, counted in the module's memory statistics when
	// it is on the heap.
	cxxrt::size_t heap_bytes() const noexcept { return bits_ == inline_ ? 0 : longs() * sizeof(unsigned long); }

	// Parses a cpulist in the kernel's syntax (bitmap_parselist()) into
	// *out: comma-separated regions "A", "A-B", "A-B:USED/GROUP" (in each
	// GROUP CPUs from A, the first USED), "all" (0-N) and "all:USED/GROUP",
	// where "N" stands for the last CPU (@nr_cpus - 1). Unlike the kernel,
	// empty regions (",,", a trailing ",") and spaces are refused. 0,
	// -XK_EINVAL if malformed (out is then unchanged), -XK_ENXIO if a CPU
	// is >= @nr_cpus, -XK_ENOMEM if *out is invalid.
	static int parse(cxxrt::StringView list, unsigned nr_cpus, CpuMask *out) noexcept;

	// Writes the mask as a cpulist ("0-3,5"); returns the length it needed
	// (like snprintf: the output is cut if @size is too small).
	cxxrt::size_t format(char *buf, cxxrt::size_t size) const noexcept;

private:
	unsigned longs() const noexcept { return (nbits_ + bits_per_long - 1) / bits_per_long; }
	unsigned long word(unsigned i) const noexcept { return i < longs() ? bits_[i] : 0; }

	bool allocate(unsigned nbits) noexcept
	{
		nbits_ = nbits;
		bits_ = inline_;
		valid_ = true;
		if (longs() > inline_longs) {
			// Atomic: masks are built with preemption off too, never in hard IRQ.
			bits_ = static_cast<unsigned long *>(xk_alloc(longs() * sizeof(unsigned long), 0, XK_ATOMIC));
			if (!bits_) {
				bits_ = inline_;
				nbits_ = 0;
				valid_ = false;
				return false;
			}
		}
		for (unsigned i = 0; i < longs(); i++)
			bits_[i] = 0;
		return true;
	}
	void copy_bits(const CpuMask &other) noexcept
	{
		for (unsigned i = 0; i < longs(); i++)
			bits_[i] = other.word(i);
	}
	void release() noexcept
	{
		if (bits_ != inline_)
			xk_free(bits_);
		bits_ = inline_;
		nbits_ = 0;
	}

	unsigned long inline_[inline_longs] = {};
	unsigned long *bits_ = inline_;
	unsigned nbits_ = 0;
	bool valid_ = false;
};

namespace detail {

// One number of a cpulist: decimal digits fitting an unsigned int, or "N"
// (@last). Consumes it from the front of @s.
inline bool cpulist_number(cxxrt::StringView &s, unsigned last, unsigned *out) noexcept
{
	if (!s.empty() && s[0] == 'N') {
		*out = last;
		s = s.substr(1);
		return true;
	}
	cxxrt::size_t len = 0;
	while (len < s.length() && s[len] >= '0' && s[len] <= '9')
		len++;
	auto n = s.substr(0, len).to_u64();
	if (len == 0 || !n || *n > 0xffffffffULL)
		return false;
	*out = unsigned(*n);
	s = s.substr(len);
	return true;
}

}  // namespace detail

inline int CpuMask::parse(cxxrt::StringView list, unsigned nr_cpus, CpuMask *out) noexcept
{
	if (!out->valid())
		return -XK_ENOMEM;
	CpuMask mask(out->nbits());
	if (!mask.valid())
		return -XK_ENOMEM;
	unsigned last = nr_cpus ? nr_cpus - 1 : 0;
	bool out_of_range = false;
	for (;;) {
		auto comma = list.find(',');
		cxxrt::StringView region = comma ? list.substr(0, *comma) : list;
		unsigned start, end, used, group;
		if (region.starts_with("all")) {
			start = 0;
			end = last;
			region = region.substr(3);
		} else {
			if (!detail::cpulist_number(region, last, &start))
				return -XK_EINVAL;
			end = start;
			if (!region.empty() && region[0] == '-') {
				region = region.substr(1);
				if (!detail::cpulist_number(region, last, &end))
					return -XK_EINVAL;
			}
		}
		used = group = end - start + 1;
		if (!region.empty() && region[0] == ':') {
			region = region.substr(1);
			if (!detail::cpulist_number(region, last, &used) || region.empty() || region[0] != '/')
				return -XK_EINVAL;
			region = region.substr(1);
			if (!detail::cpulist_number(region, last, &group))
				return -XK_EINVAL;
		}
		// What is left is not part of a region; the kernel's own checks
		// (bitmap_check_region()) follow.
		if (!region.empty() || start > end || group == 0 || used > group || nr_cpus == 0)
			return -XK_EINVAL;
		if (end >= nr_cpus || end >= mask.nbits()) {
			out_of_range = true;
		} else {
			// Group by group, as bitmap_set_region(): 64-bit counters, so
			// that the step cannot wrap past end.
			for (cxxrt::uint64_t g = start; g <= end; g += group)
				for (cxxrt::uint64_t cpu = g; cpu < g + used && cpu <= end; cpu++)
					mask.set(unsigned(cpu));
		}
		if (!comma)
			break;
		list = list.substr(*comma + 1);
	}
	if (out_of_range)
		return -XK_ENXIO;
	*out = cxxrt::move(mask);
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
