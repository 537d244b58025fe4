// SPDX-License-Identifier: GPL-2.0
// The remote queue's own hand-offs between CPUs and threads, (Q1), (Q3) and
// (Q4) of remote_queue.h ((Q2), the kick, is kernel/async_state.h). Pure
// code on cxxrt's atomics: remote_queue.cpp and the host tests
// (tests/host/handoffs_test.cpp, threads as CPUs) run this same code.
#pragma once

#include <cxxrt/atomic.h>

#include "queue/call_queue.h"

namespace xcall {

// (Q1) Whether a CPU accepts nodes. open() (release) -> admits()
// (acquire): a queuer that sees the CPU open sees what was set up before.
// close() needs no order of its own: the grace period after it does the
// work (remote_queue.cpp, cpu_offline()).
class AcceptGate {
public:
	void open() noexcept { XCALL_ORDER(q1.open, store_release)(accepting_, 1); }
	void close() noexcept { cxxrt::write_once(accepting_, 0); }
	bool admits() const noexcept { return XCALL_ORDER(q1.check, load_acquire)(accepting_); }

private:
	int accepting_ = 0;
};

// (Q3) A wake-up performed, for the waiter thread: post() writes the time,
// then sets "woken" (release) -> take()'s xchg: the waiter reads the time
// of the wake that woke it, or of a later one. The time is marked
// (read_once/write_once) because a drain may post while the waiter reads,
// so neither ThreadSanitizer (it never reports marked accesses) nor x86
// (TSO: stores are not reordered with stores, loads with loads) can show a
// weakened end of this pair: its mutants compile to the same x86 code
// (equivalent on x86-64, scripts/mutants.sh). The LKMM needs both ends
// (message passing, docs/litmus/xcall-wake-MP+release+xchg.litmus).
class WakeMailbox {
public:
	void post(unsigned long long performed_ns) noexcept
	{
		cxxrt::write_once(performed_ns_, performed_ns);
		XCALL_ORDER(q3.post, store_release)(woken_, 1);	// (Q3): pairs with take()
	}
	bool pending() const noexcept { return cxxrt::read_once(woken_); }
	// True, with the time of the last wake posted, if one was posted since
	// the last take().
	bool take(unsigned long long &performed_ns) noexcept
	{
		if (!XCALL_ORDER(q3.take, xchg)(woken_, 0))	// (Q3): pairs with post()
			return false;
		performed_ns = cxxrt::read_once(performed_ns_);
		return true;
	}

private:
	unsigned long long performed_ns_ = 0;
	int woken_ = 0;
};

// (Q4) Items handed to a thread (xcall_lazy/N): the drain push()es, the
// thread run()s them, anyone waits for idle(). idle() reads the list first
// (acquire), then "running": a waiter that finds the list taken sees the
// thread running (its write_once(1) is ordered before the take by the
// take's xchg, a full barrier); a waiter that sees "running" 0 (acquire)
// sees every function done (the release after the last one).
class LazyList {
public:
	// True if the list was empty.
	bool push(cq::Node *node) noexcept { return list_.push(node); }
	bool empty() const noexcept { return list_.empty(); }

	// Runs @each on every node, oldest first; @each may free or re-queue
	// its node.
	template <typename F>
	void run(F &&each) noexcept
	{
		// No release needed: nothing before this store is published by
		// it, and take_all()'s xchg orders it before the take.
		cxxrt::write_once(running_, 1);
		cq::Node *node = cq::LockFreeList::reverse(list_.take_all());
		while (node) {
			cq::Node *next = node->next;
			each(node);
			node = next;
		}
		XCALL_ORDER(q4.running_clear, store_release)(running_, 0);	// (Q4), after the last function
	}

	// No item queued or running. The acquire on the list pairs with the
	// take's xchg; a read_once there is invisible on x86 (loads are not
	// reordered with loads: same code, equivalent on x86-64) and to TSan
	// (the flag it guards is itself marked); the LKMM needs it
	// (docs/litmus/xcall-lazy-idle+xchg+release+acquire.litmus).
	bool idle() const noexcept
	{
		return list_.empty_acquire() && !XCALL_ORDER(q4.running_check, load_acquire)(running_);
	}

private:
	cq::LockFreeList list_;
	int running_ = 0;
};

}  // namespace xcall
