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

class [[nodiscard]] PreemptGuard : cxxrt::Pinned {
public:
	PreemptGuard() noexcept { xk_preempt_disable(); }
	~PreemptGuard() { xk_preempt_enable(); }
};

// A PreemptGuard that also knows the CPU it pins: one bridge call where
// PreemptGuard and this_cpu() make two (the queue's per-node path).
class [[nodiscard]] PinnedCpu : cxxrt::Pinned {
public:
	PinnedCpu() noexcept : cpu_(xk_preempt_disable_cpu()) {}
	~PinnedCpu() { xk_preempt_enable(); }
	int cpu() const noexcept { return cpu_; }

private:
	int cpu_;
};

}  // namespace xcall
