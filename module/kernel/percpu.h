// SPDX-License-Identifier: GPL-2.0
// Per-CPU objects (alloc_percpu): one T per possible CPU.
//
//   PerCpu<Counter> counters;
//   if (int err = counters.create()) return err;      // may sleep
//   counters.with_this_cpu([](Counter &c) { c.hits++; });  // preemption off inside
//   counters.on(cpu).hits                              // any CPU's, caller synchronises
#pragma once

#include <cxxrt/atomic.h>
#include <cxxrt/new.h>
#include <cxxrt/utility.h>

#include "bridge/bridge.h"
#include "kernel/cpus.h"
#include "kernel/sync.h"

namespace xcall {

template <typename T>
class PerCpu : cxxrt::Pinned {
public:
	PerCpu() noexcept = default;
	~PerCpu() { destroy(); }

	// Allocates and constructs T(args...) for every possible CPU.
	// Process context. 0, -ENOMEM or -EEXIST.
	template <typename... Args>
	[[nodiscard]] int create(const Args &...args) noexcept
	{
		return create_with([&](void *where, int) { new (where) T(args...); });
	}

	// As create(), constructing T(cpu, args...): each instance knows its CPU.
	template <typename... Args>
	[[nodiscard]] int create_per_cpu(const Args &...args) noexcept
	{
		return create_with([&](void *where, int cpu) { new (where) T(cpu, args...); });
	}

	// Whether @cpu has an instance (it is a possible CPU). Inline, with the
	// kernel's possible mask (fixed after boot): the queue asks per node.
	bool has(int cpu) const noexcept
	{
		if (!pcp_ || cpu < 0 || unsigned(cpu) >= nr_ids_)
			return false;
		constexpr unsigned bits = 8 * sizeof(unsigned long);
		return (cxxrt::read_once(possible_[unsigned(cpu) / bits]) >> (unsigned(cpu) % bits)) & 1;
	}

	void destroy() noexcept
	{
		if (!pcp_)
			return;
		for_each_possible_cpu([&](int cpu) { static_cast<T *>(xk_per_cpu_ptr(pcp_, cpu))->~T(); });
		xk_percpu_free(cxxrt::exchange(pcp_, nullptr));
	}

	bool created() const noexcept { return pcp_ != nullptr; }

	// @cpu's instance; @cpu must be possible. Concurrent access from
	// that CPU is the caller's to synchronise.
	// per_cpu_ptr() inline: the cookie plus the CPU's offset (the queue
	// asks per node; a bridge call each was a call and a return under TCG).
	T &on(int cpu) noexcept { return *reinterpret_cast<T *>(reinterpret_cast<unsigned long>(pcp_) + offsets_[cpu]); }

	// Calls @f with this CPU's instance, preemption disabled throughout so
	// the instance stays this CPU's.
	template <typename F>
	decltype(auto) with_this_cpu(F &&f) noexcept
	{
		PreemptGuard pinned;
		return f(*static_cast<T *>(xk_this_cpu_ptr(pcp_)));
	}

	// In hard-IRQ context or with preemption already off.
	T &this_cpu_unpinned() noexcept { return *static_cast<T *>(xk_this_cpu_ptr(pcp_)); }

	template <typename F>
	void for_each_possible(F &&f) noexcept
	{
		for_each_possible_cpu([&](int cpu) { f(cpu, on(cpu)); });
	}

private:
	template <typename Construct>
	int create_with(Construct construct) noexcept
	{
		if (pcp_)
			return -XK_EEXIST;
		pcp_ = xk_percpu_alloc(sizeof(T), alignof(T));
		if (!pcp_)
			return -XK_ENOMEM;
		offsets_ = xk_per_cpu_offsets();
		possible_ = xk_cpu_possible_bits();
		nr_ids_ = xk_nr_cpu_ids();
		for_each_possible_cpu([&](int cpu) { construct(xk_per_cpu_ptr(pcp_, cpu), cpu); });
		return 0;
	}

	void *pcp_ = nullptr;	// the possible CPUs never change after boot
	// The kernel's, read once at create(): fixed after boot.
	const unsigned long *offsets_ = nullptr, *possible_ = nullptr;
	unsigned nr_ids_ = 0;
};

}  // namespace xcall
