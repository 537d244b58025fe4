// SPDX-License-Identifier: GPL-2.0
// The state word of an AsyncCall (calls.h): is a submission queued, and how
// many of its functions are running. It is also the remote queue's kick
// protocol ((Q2) of queue/remote_queue.h: "queued" is "a kick is pending").
// Pure code on cxxrt's atomics: the module and the host tests
// (tests/host/kick_test.cpp, threads as CPUs) run this same code.
//
// Ordering:
//  (A1) run()'s fully ordered clear of "queued" -> claim() (fully ordered
//       cmpxchg): the kernel's handling of the previous submission (it
//       reads the CSD, then csd_unlock()s it) is ordered before it reuses
//       the CSD for this one; smp_call_function_single_async() tests
//       CSD_FLAG_LOCK with a plain load, so this pair is what orders it.
//       The claim also orders the caller's writes before the kernel
//       publishes the CSD (its llist_add() orders them too).
//  (A2) try_submit's claim(coalesce): smp_mb(), then the load that finds
//       "queued" set <-> run()'s fully ordered clear of "queued", then the
//       function's loads. Store buffering: a caller told "coalesced" has its
//       prior writes seen by the pending run (docs/litmus/xcall-trysubmit-*).
//  (A3) run()'s fully ordered decrement after the function -> wait()/idle()
//       (acquire): the function's writes are visible once idle.
#pragma once

#include <cxxrt/atomic.h>

namespace xcall {

class AsyncState {
public:
	// Claims "queued" for a submission: true if this caller now owns it
	// (and must submit, or unclaim() on failure), false if a submission is
	// queued already. @coalesce: the caller treats "queued" as its own
	// submission (try_submit), so its prior writes must be ordered before
	// the load that may find it set (A2): a full barrier before the load,
	// not after it.
	bool claim(bool coalesce) noexcept
	{
		if (coalesce)
			XCALL_ORDER(q2.trysubmit_mb, smp_mb)();	// (A2)
		unsigned long old = cxxrt::read_once(state_);
		do {
			if (old & queued)
				return false;
			// Fully ordered (A1).
		} while (!XCALL_ORDER(q2.claim, try_cmpxchg)(state_, &old, old | queued));
		return true;
	}
	// The submission claimed was not made: nothing was queued, so nothing
	// is ordered by this.
	void unclaim() noexcept { cxxrt::fetch_andnot(state_, queued); }

	// The kernel's side of one submission: "queued" becomes "running" in
	// one step (so wait() never sees neither), then @fn, then the count
	// drops. Nothing of *this is touched after that.
	template <typename F>
	void run(F &fn) noexcept
	{
		// Fully ordered. (A2): pairs with claim(coalesce)'s smp_mb()
		// (docs/litmus/xcall-trysubmit-SB+mb-once+fetchadd.litmus). (A1):
		// its release orders the kernel's handling of the CSD (read, then
		// csd_unlock()) before a new claim lets the kernel reuse it.
		XCALL_ORDER(q2.begin_run, fetch_add)(state_, running_one - queued);
		fn();
		XCALL_ORDER(q2.end_run, fetch_sub)(state_, running_one);	// (A3)
	}

	bool queued_now() const noexcept { return cxxrt::read_once(state_) & queued; }
	bool idle() const noexcept { return XCALL_ORDER(q2.idle, load_acquire)(state_) == 0; }	// (A3)
	// Spins until no submission is queued or running (A3).
	void wait() const noexcept
	{
		XCALL_ORDER(q2.wait, cond_load_acquire)(state_, [](unsigned long s) { return s == 0; });
	}

private:
	// Bit 0 is "queued" (ours, mirroring the kernel's CSD_FLAG_LOCK but
	// claimed atomically, which smp_call_function_single_async() does not
	// do); the bits above count functions running (one per CPU that took a
	// submission and has not returned yet).
	static constexpr unsigned long queued = 1;
	static constexpr unsigned long running_one = 2;

	unsigned long state_ = 0;
};

}  // namespace xcall
