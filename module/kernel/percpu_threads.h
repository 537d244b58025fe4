// SPDX-License-Identifier: GPL-2.0
// A set of per-CPU kernel threads (smpboot) with typed member callbacks,
// stopped by the destructor.
//
//   PerCpuThreads threads;
//   threads.start<&Owner::should_run, &Owner::run>("owner/%u", owner, ThreadPriority::FifoLow);
//   threads.wake(cpu);     // any context, hard IRQ included
//
// ShouldRun(cpu) is asked with preemption off in the thread on @cpu; Run(cpu)
// is then called there (task context, may sleep). The threads follow CPU
// hotplug: parked while their CPU is offline. @comm_fmt must have static
// storage.
#pragma once

#include <cxxrt/utility.h>

#include "bridge/bridge.h"
#include "xcall_kstructs.h"

namespace xcall {

enum class ThreadPriority { Normal, FifoLow };

class PerCpuThreads : cxxrt::Pinned {
public:
	PerCpuThreads() noexcept = default;
	~PerCpuThreads() { stop(); }

	template <auto ShouldRun, auto Run, typename Owner>
	[[nodiscard]] int start(const char *comm_fmt, Owner &owner, ThreadPriority priority) noexcept
	{
		if (started_)
			return -XK_EEXIST;
		int err = xk_percpu_threads_start(storage_, comm_fmt, &should_run_thunk<Owner, ShouldRun>,
						  &run_thunk<Owner, Run>, &owner, priority == ThreadPriority::FifoLow);
		started_ = err == 0;
		return err;
	}

	// Returns once no callback runs any more.
	void stop() noexcept
	{
		if (cxxrt::exchange(started_, false))
			xk_percpu_threads_stop(storage_);
	}

	void wake(int cpu) noexcept
	{
		if (started_)
			xk_percpu_thread_wake(storage_, cpu);
	}

	// Raises the thread on @cpu (every CPU's if @cpu < 0) to SCHED_FIFO
	// priority 50, above real-time tasks of lower priority; @raised false
	// puts it back. Process context.
	void raise(int cpu, bool raised) noexcept
	{
		if (started_)
			xk_percpu_threads_raise(storage_, cpu, raised);
	}

private:
	template <typename Owner, auto Member>
	static int should_run_thunk(void *ctx, unsigned int cpu) noexcept
	{
		return (static_cast<Owner *>(ctx)->*Member)(cpu);
	}
	template <typename Owner, auto Member>
	static void run_thunk(void *ctx, unsigned int cpu) noexcept
	{
		(static_cast<Owner *>(ctx)->*Member)(cpu);
	}

	alignas(XCALL_ALIGNOF_XK_PERCPU_THREADS) unsigned char storage_[XCALL_SIZEOF_XK_PERCPU_THREADS];
	bool started_ = false;
};

}  // namespace xcall
