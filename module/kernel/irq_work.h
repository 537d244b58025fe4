// SPDX-License-Identifier: GPL-2.0
// An irq_work (kernel/irq_work.c) that owns its struct irq_work and a typed
// callable.
//
//   IrqWork work(IrqWorkMode::Hard, [&] { ... });
//   bool claimed = work.queue();    // false while already pending
//
// Where the function runs:
//   Hard     hard-IRQ context, on both kernels (a self-IPI)
//   Default  hard-IRQ context on the generic kernel (a self-IPI); on
//            PREEMPT_RT the per-CPU irq_work/N thread (SCHED_FIFO)
//   Lazy     the next timer tick (hard IRQ) on the generic kernel; the
//            irq_work/N thread on PREEMPT_RT
// The kernel queues an irq_work only on the current CPU (irq_work_queue_on
// is not exported to modules); remote queueing is what xcall's own queue
// model adds.
//
// Not copyable or movable; destruction waits (irq_work_sync()) until the
// function has finished, so it must happen where sleeping is allowed.
#pragma once

#include <cxxrt/utility.h>

#include "bridge/bridge.h"
#include "xcall_kstructs.h"

namespace xcall {

enum class IrqWorkMode : unsigned { Default = 0, Hard = XK_IRQ_WORK_HARD, Lazy = XK_IRQ_WORK_LAZY };

template <typename F>
class IrqWork : cxxrt::Pinned {
public:
	IrqWork(IrqWorkMode mode, F fn) noexcept : fn_(cxxrt::move(fn))
	{
		xk_irq_work_init(storage_, &trampoline, this, unsigned(mode));
	}
	~IrqWork() { sync(); }

	// Any context, NMI included. True if this call claimed the work (it
	// will run); false if it was already pending, in which case the
	// pending run still observes every write made before this call:
	// irq_work_claim()'s fully ordered atomic_fetch_or() pairs with the
	// smp_mb() that irq_work_single() issues after clearing PENDING and
	// before calling the function.
	[[nodiscard]] bool queue() noexcept { return xk_irq_work_queue(storage_); }

	// Waits until the function is not running or pending (may sleep).
	void sync() noexcept { xk_irq_work_sync(storage_); }
	bool busy() const noexcept { return xk_irq_work_busy(const_cast<unsigned char *>(storage_)); }

private:
	static void trampoline(void *ctx) noexcept { static_cast<IrqWork *>(ctx)->fn_(); }

	alignas(XCALL_ALIGNOF_XK_IRQ_WORK) unsigned char storage_[XCALL_SIZEOF_XK_IRQ_WORK];
	F fn_;
};

}  // namespace xcall
