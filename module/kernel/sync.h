// SPDX-License-Identifier: GPL-2.0
// Locks and context guards over the kernel's, as RAII types.
#pragma once

#include <cxxrt/utility.h>

#include "bridge/bridge.h"
#include "xcall_kstructs.h"

namespace xcall {

// A struct mutex held by value: C++ reserves the kernel's exact size and
// alignment (generated at build time) and never touches a field. Each one
// is its own lockdep class, so nesting two is not "recursive locking".
class Mutex : cxxrt::Pinned {
public:
	Mutex() noexcept { xk_mutex_init(storage_); }
	~Mutex() { xk_mutex_destroy(storage_); }
	void lock() noexcept { xk_mutex_lock(storage_); }
	void unlock() noexcept { xk_mutex_unlock(storage_); }

private:
	alignas(XCALL_ALIGNOF_XK_MUTEX) unsigned char storage_[XCALL_SIZEOF_XK_MUTEX];
};

template <typename Lock>
class [[nodiscard]] Locker : cxxrt::Pinned {
public:
	explicit Locker(Lock &lock) noexcept : lock_(lock) { lock_.lock(); }
	~Locker() { lock_.unlock(); }

private:
	Lock &lock_;
};

// Data reachable only with its lock held: with([&](T &) { ... }).
template <typename T, typename Lock = Mutex>
class Protected : cxxrt::Pinned {
public:
	template <typename... Args>
	explicit Protected(Args &&...args) : value_(cxxrt::forward<Args>(args)...) {}

	template <typename F>
	decltype(auto) with(F &&f)
	{
		Locker<Lock> locker(lock_);
		return cxxrt::forward<F>(f)(value_);
	}

private:
	Lock lock_;
	T value_;
};

// Local interrupts off for the guard's lifetime; the previous state is
// restored, so guards nest.
class [[nodiscard]] IrqSaveGuard : cxxrt::Pinned {
public:
	IrqSaveGuard() noexcept : flags_(xk_local_irq_save()) {}
	~IrqSaveGuard() { xk_local_irq_restore(flags_); }

private:
	unsigned long flags_;
};

// preempt_disable() and preempt_enable() as the kernel's x86-64
// preempt.h inlines them, where the bridge allows it (xk_preempt_inline:
// no preemption debugging or tracing to go through), else its calls: a
// node queued costs two calls fewer (issue 22). The count's increment is
// the kernel's barrier() too ("memory").
namespace preempt {

inline void disable() noexcept
{
	if (!xk_preempt_inline) {
		xk_preempt_disable();
		return;
	}
	asm volatile("incl %%gs:(%0)" : : "r"(xk_pcpu_preempt_count) : "memory");
}

// disable(), then smp_processor_id().
inline int disable_on_cpu() noexcept
{
	if (!xk_preempt_inline)
		return xk_preempt_disable_cpu();
	disable();
	int cpu;
	asm volatile("movl %%gs:(%1), %0" : "=r"(cpu) : "r"(xk_pcpu_cpu_number));
	return cpu;
}

inline void enable() noexcept
{
	if (!xk_preempt_inline) {
		xk_preempt_enable();
		return;
	}
	// The kernel keeps PREEMPT_NEED_RESCHED (bit 31) set while no
	// reschedule is due: a decrement that reaches 0 means one is.
	bool zero;
	asm volatile("decl %%gs:(%1)" : "=@ccz"(zero) : "r"(xk_pcpu_preempt_count) : "memory");
	if (zero) [[unlikely]] {
		xk_preempt_check_resched();
	} else if (xk_preempt_lazy) {
		unsigned count;
		asm volatile("movl %%gs:(%1), %0" : "=r"(count) : "r"(xk_pcpu_preempt_count));
		if ((count & 0x7fffffffu) == 0)	// preemptible again: a lazy one may be due
			xk_preempt_check_resched();
	}
}

}  // namespace preempt

class [[nodiscard]] PreemptGuard : cxxrt::Pinned {
public:
	PreemptGuard() noexcept { preempt::disable(); }
	~PreemptGuard() { preempt::enable(); }
};

// A PreemptGuard that also knows the CPU it pins (the queue's per-node
// path).
class [[nodiscard]] PinnedCpu : cxxrt::Pinned {
public:
	PinnedCpu() noexcept : cpu_(preempt::disable_on_cpu()) {}
	~PinnedCpu() { preempt::enable(); }
	int cpu() const noexcept { return cpu_; }

private:
	int cpu_;
};

}  // namespace xcall
