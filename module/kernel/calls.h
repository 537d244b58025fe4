// SPDX-License-Identifier: GPL-2.0
// Typed cross-CPU calls over the kernel's own (kernel/smp.c):
//
//   call_on(cpu, fn)              smp_call_function_single(wait=1); to this CPU, run by the bridge
//   AsyncCall<F>                  smp_call_function_single_async() on an owned CSD
//   call_on_mask(mask, fn)        on_each_cpu_cond_mask(wait=1), this CPU included
//   call_on_mask_nowait<F>(mask)  the same without waiting, stateless F only
//   call_on_others(mask, fn)      smp_call_function_many(wait=1), this CPU excluded
//   run_on_cpu(cpu, fn)           smp_call_on_cpu(): a kthread on @cpu, may sleep
//
// Callables are typed (no void * at the call site). Each function returns 0
// or a negative errno; misuse that would deadlock the kernel is refused
// (module/refusal.h) before the kernel sees it.
#pragma once

#include <cxxrt/atomic.h>
#include <cxxrt/type_traits.h>
#include <cxxrt/utility.h>

#include "bridge/bridge.h"
#include "kernel/async_state.h"
#include "kernel/cpumask.h"
#include "kernel/cpus.h"
#include "kernel/refusal.h"
#include "kernel/sync.h"
#include "xcall_kstructs.h"

namespace xcall {

namespace detail {

// A waiting call needs interrupts on (the target may be waiting for us to
// take its IPI) and task context (the kernel's csd may be in use by the
// context we interrupted).
inline int check_can_wait_for_ipi() noexcept
{
	if (xk_irqs_disabled())
		return refuse(Misuse::CallWithIrqsOff, -XK_EDEADLK);
	if (!xk_in_task())
		return refuse(Misuse::CallFromAtomic, -XK_EDEADLK);
	return 0;
}

inline int check_target(int cpu) noexcept
{
	if (cpu < 0 || unsigned(cpu) >= nr_cpu_ids() || !cpu_online(cpu))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	return 0;
}

// Maps a bridge call's non-zero result to the refusal it stands for.
inline int refusal_from_bridge(int ret) noexcept
{
	switch (ret) {
	case XK_REFUSED_IRQS_OFF:
		return refuse(Misuse::CallWithIrqsOff, -XK_EDEADLK);
	case XK_REFUSED_NOT_TASK:
		return refuse(Misuse::CallFromAtomic, -XK_EDEADLK);
	case -XK_ENXIO:
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	default:
		return ret;
	}
}

// The C-callable entry for a callable of type F: info is the F.
template <typename F>
void invoke_callable(void *info) noexcept
{
	(*static_cast<F *>(info))();
}

}  // namespace detail

// Runs @fn on @cpu with interrupts off and returns once it has run: in hard
// IRQ, or in @cpu's idle task if its idle loop was polling (the kernel then
// skips the IPI and the idle loop runs the queue), or directly when @cpu is
// this CPU. Ordering: the caller's writes
// before the call are visible to @fn (the kernel's llist_add() is a full
// barrier before the IPI); @fn's writes are visible after the return
// (csd_unlock()'s smp_store_release() pairs with csd_lock_wait()'s
// smp_cond_load_acquire() in smp_call_function_single()).
//
// One bridge crossing: the context check is done by the bridge, the CPU
// check by the kernel (-ENXIO for an offline or nonexistent CPU). A call to
// this CPU the bridge runs itself, as the kernel would (interrupts off, at
// once, same CPU: program order), its interrupt check folded into the
// interrupt save: the refusal costs nothing on the path the `local` bench
// times.
template <typename F>
	requires cxxrt::invocable<F &>
[[nodiscard]] int call_on(int cpu, F &&fn) noexcept
{
	using Fn = cxxrt::remove_reference_t<F>;
	int ret = xk_call_single_wait(cpu, &detail::invoke_callable<Fn>, const_cast<void *>(static_cast<const void *>(&fn)));
	if (__builtin_expect(ret == 0, 1))
		return 0;
	return detail::refusal_from_bridge(ret);
}

// An asynchronous call that owns its call_single_data and its callable.
//
// submit(cpu) queues it and returns at once; it fails with -EBUSY while the
// call is still queued (the CSD is never touched twice). The function may
// re-submit its own call: the kernel unlocks an async CSD before calling it.
// Neither copyable nor movable (the kernel holds the CSD's address), and the
// destructor waits until the kernel is done with the CSD and the function
// has returned everywhere it runs, so an in-flight CSD is never freed. Do
// not destroy it from its own function, nor wait() there.
template <typename F>
class AsyncCall : cxxrt::Pinned {
public:
	explicit AsyncCall(F fn) noexcept : fn_(cxxrt::move(fn))
	{
		xk_csd_init(csd_, &trampoline, this);
	}
	~AsyncCall() { wait(); }

	// Any context, interrupts on or off. 0, -EBUSY, -ENXIO.
	[[nodiscard]] int submit(int cpu) noexcept { return submit(cpu, true); }

	// As submit(), but a call still queued is not misuse: -EBUSY means the
	// queued call will run, so this one coalesced into it (no refusal is
	// reported). Fully ordered either way: on -EBUSY, the queued call's
	// function sees this caller's prior writes (its trampoline clears
	// "queued" with a fully ordered RMW before calling it).
	[[nodiscard]] int try_submit(int cpu) noexcept { return submit(cpu, false); }

private:
	int submit(int cpu, bool busy_is_misuse) noexcept
	{
		if (!state_.claim(!busy_is_misuse)) {
			if (!busy_is_misuse)
				return -XK_EBUSY;	// coalesced: ordered by claim() (A2)
			return refuse(Misuse::AsyncInFlight, -XK_EBUSY);
		}
		// The kernel checks the CPU (-ENXIO: offline or nonexistent).
		int err = xk_call_single_async(cpu, csd_);
		if (__builtin_expect(err != 0, 0)) {	// nothing was queued
			state_.unclaim();
			return detail::refusal_from_bridge(err);
		}
		return 0;
	}

public:
	// A submission sent another way than through this call's own CSD: a
	// mask IPI for several CPUs at once (smp_call_function_many(), which
	// the kernel sends even to a polling idle CPU), as the remote queue's
	// queue_each() does. try_claim() claims "queued" as try_submit() does
	// (false: a submission is queued already and covers the caller, (A2));
	// the caller must then have run_claimed() called once, on the target
	// CPU with interrupts off. This CSD is not used, so (A1) does not
	// arise.
	[[nodiscard]] bool try_claim() noexcept { return state_.claim(true); }
	void run_claimed() noexcept { state_.run(fn_); }

	bool queued_now() const noexcept { return state_.queued_now(); }
	bool idle() const noexcept { return state_.idle(); }

	// Spins until no submission is queued or running: @fn's writes are
	// visible when this returns (async_state.h (A3)).
	void wait() const noexcept { state_.wait(); }

private:
	static void trampoline(void *info) noexcept
	{
		auto *self = static_cast<AsyncCall *>(info);
		// The kernel has already unlocked the CSD (csd_unlock() before
		// func() for CSD_TYPE_ASYNC), so a re-submission from @fn is
		// accepted once run() has cleared "queued".
		self->state_.run(self->fn_);
	}

	alignas(XCALL_ALIGNOF_CALL_SINGLE_DATA) unsigned char csd_[XCALL_SIZEOF_CALL_SINGLE_DATA];
	AsyncState state_;	// "queued" and the running count (async_state.h)
	F fn_;
};

namespace detail {

// The checks and the call shared by call_on_mask() and call_on_others():
// @kernel_call is the bridge's on_each_cpu_cond_mask() or
// smp_call_function_many().
// Every CPU of @mask online (without copying the online mask). Preemption
// off keeps the answer true until the caller's cross-CPU call.
inline bool mask_is_online(const CpuMask &mask) noexcept
{
	bool all = true;
	mask.for_each([&](int cpu) { all &= cpu_online(cpu); });
	return all;
}

template <typename F>
int call_on_cpus(const CpuMask &mask, const F &fn,
		 void (*kernel_call)(const unsigned long *, xk_call_fn, void *, int)) noexcept
{
	if (int err = check_can_wait_for_ipi())
		return err;
	if (!mask.valid() || mask.nbits() != xk_cpumask_bits())
		return -XK_ENOMEM;	// an allocation failed: never hand the kernel a short mask
	PreemptGuard no_hotplug;
	if (!mask_is_online(mask))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	kernel_call(mask.bits(), &invoke_callable<const F>, const_cast<F *>(&fn), 1);
	return 0;
}

}  // namespace detail

// Runs @fn on every CPU of @mask (this one too: directly, interrupts off;
// the others in hard-IRQ context) and waits for all. @fn runs on several
// CPUs at once, so it is called through a const reference: shared results
// go through atomics or per-CPU slots. Every CPU of @mask must be online
// (-ENXIO otherwise); preemption stays off from that check to the end of
// the call, which holds off CPU hotplug.
template <typename F>
	requires cxxrt::invocable<const F &>
[[nodiscard]] int call_on_mask(const CpuMask &mask, const F &fn) noexcept
{
	return detail::call_on_cpus(mask, fn, &xk_call_mask);
}

// As call_on_mask() but excluding this CPU: smp_call_function_many().
template <typename F>
	requires cxxrt::invocable<const F &>
[[nodiscard]] int call_on_others(const CpuMask &mask, const F &fn) noexcept
{
	return detail::call_on_cpus(mask, fn, &xk_call_many);
}

// A callable with no state: nothing of the caller's can dangle when the
// call outlives the caller's frame.
template <typename F>
concept stateless_callable = __is_empty(F) && cxxrt::is_constructible_v<F> && cxxrt::invocable<F &>;

// Like call_on_mask() but returns without waiting. Only for stateless
// callables (a captureless lambda or an empty function object): the
// kernel's API gives no way to know when the last CPU is done with a
// callable's state, so there must be none.
template <typename F>
	requires stateless_callable<F>
[[nodiscard]] int call_on_mask_nowait(const CpuMask &mask, F) noexcept
{
	if (int err = detail::check_can_wait_for_ipi())	// the kernel asks for the same
		return err;
	if (!mask.valid() || mask.nbits() != xk_cpumask_bits())
		return -XK_ENOMEM;
	PreemptGuard no_hotplug;
	if (!detail::mask_is_online(mask))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	xk_call_mask(mask.bits(), [](void *) noexcept { F{}(); }, nullptr, 0);
	return 0;
}

// Runs @fn in a kernel thread bound to @cpu (smp_call_on_cpu()), where it
// may sleep, and returns its result, or -ENXIO/-EDEADLK. The caller must be
// able to sleep.
template <typename F>
	requires cxxrt::invocable_r<F &, int>
[[nodiscard]] int run_on_cpu(int cpu, F &&fn) noexcept
{
	if (xk_irqs_disabled() || !xk_in_task() || !xk_preemptible())
		return refuse(Misuse::SleepFromAtomic, -XK_EDEADLK);
	if (int err = detail::check_target(cpu))
		return err;
	using Fn = cxxrt::remove_reference_t<F>;
	int ret = xk_call_on_cpu(unsigned(cpu), [](void *info) noexcept -> int { return (*static_cast<Fn *>(info))(); },
				 const_cast<void *>(static_cast<const void *>(&fn)));
	return ret;
}

}  // namespace xcall
