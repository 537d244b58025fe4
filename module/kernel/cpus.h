// SPDX-License-Identifier: GPL-2.0
// The kernel's CPUs: this CPU, the online and possible masks, and a guard
// that holds off CPU hotplug.
#pragma once

#include <cxxrt/utility.h>

#include "bridge/bridge.h"
#include "kernel/cpumask.h"

namespace xcall {

inline int this_cpu() noexcept { return xk_this_cpu(); }
inline unsigned nr_cpu_ids() noexcept { return xk_nr_cpu_ids(); }
inline bool cpu_online(int cpu) noexcept { return xk_cpu_online(cpu); }

// Snapshots: without a CpusReadGuard (or preemption off) CPUs may come and
// go right after.

// Snapshots of the kernel's masks (check valid(): beyond CpuMask's inline
// size they are allocated).
inline CpuMask online_cpus() noexcept
{
	CpuMask mask;
	if (mask.valid())
		xk_cpumask_online(mask.bits());
	return mask;
}
inline CpuMask possible_cpus() noexcept
{
	CpuMask mask;
	if (mask.valid())
		xk_cpumask_possible(mask.bits());
	return mask;
}

// @f(cpu) for each possible / online CPU, without copying a mask (the
// online set may change meanwhile unless CPU hotplug is held off).
template <typename F>
void for_each_possible_cpu(F &&f)
{
	for (int cpu = xk_cpu_next_possible(-1); cpu >= 0; cpu = xk_cpu_next_possible(cpu))
		f(cpu);
}
template <typename F>
void for_each_online_cpu(F &&f)
{
	for (int cpu = xk_cpu_next_online(-1); cpu >= 0; cpu = xk_cpu_next_online(cpu))
		f(cpu);
}

// cpus_read_lock() for the guard's lifetime: no CPU goes on- or offline.
// May sleep; do not nest (a queued hotplug writer would deadlock a nested
// reader).
class [[nodiscard]] CpusReadGuard : cxxrt::Pinned {
public:
	CpusReadGuard() noexcept { xk_cpus_read_lock(); }
	~CpusReadGuard() { xk_cpus_read_unlock(); }
};

// Where code is running: what the self-tests assert about callbacks.
enum class Context : unsigned char { HardIrq, IrqsOffTask, Atomic, Task };

inline Context current_context() noexcept
{
	if (xk_in_hardirq())
		return Context::HardIrq;
	if (xk_irqs_disabled())
		return Context::IrqsOffTask;
	if (!xk_preemptible())
		return Context::Atomic;
	return Context::Task;
}

inline const char *context_name(Context c) noexcept
{
	switch (c) {
	case Context::HardIrq: return "hardirq";
	case Context::IrqsOffTask: return "irqs-off task";
	case Context::Atomic: return "atomic task";
	case Context::Task: return "task";
	}
	return "?";
}

}  // namespace xcall
