// SPDX-License-Identifier: GPL-2.0
// The in-kernel litmus runner (debugfs "litmus"): runs the cases of
// litmus/cases.h, one per docs/litmus file, on two CPUs, each in a kernel
// thread bound there, released together each iteration, and counts each
// final state:
//
//   echo "quick" > /sys/kernel/debug/xcall/litmus          # make check's few cases
//   echo "all n=10000000" > /sys/kernel/debug/xcall/litmus # every case (make litmus)
//   echo "xcall-kick-SB+push+clear-fetchadd-xchg n=1000000 cpu0=1 cpu1=2 skew=128" > .../litmus
//   cat /sys/kernel/debug/xcall/litmus
//
// skew= (default 128, at most 1000) is how far apart the two threads start,
// swept over the iterations in busy-loop steps: the leader releases the
// rendezvous and so leaves first; with no skew most iterations run P0
// wholly before P1. Measured on a 4-vCPU TCG guest (6.1 generic), the
// forbidden outcome of xcall-trysubmit-SB+once-mb+fetchadd in 200000
// iterations: skew 0: 33, 16: 20, 64: 401, 128: 800, 256: 684, 512: 232.
//
// The report, per case: "case NAME cpus=A,B n=N lkmm=Never|Sometimes
// x86=Never|Sometimes", one "state <registers> count N" line per final
// state seen, then "forbidden outcome seen N times". A case whose P1 waits
// an RCU grace period each iteration (offline-RCU+sync) runs at most
// max_slow iterations. A run is one command: only a fatal signal ends it
// (it then leaves no report); the threads reschedule every 16 iterations
// and every 1024 turns of a wait, so no run stalls the kernel.
//
// Ordering of the runner's own state:
//  (L1) the rendezvous: each thread's fully ordered fetch_add of arrived
//       -> the last one's store_release of generation -> the others'
//       load_acquire of it. What any thread did before arriving (its
//       registers, the leader's reset) is seen by every thread after.
//  (L2) finished: each thread's store_release(1) after its last count ->
//       the writer's load_acquire: the writer reads the counts after.
#pragma once

#include <cxxrt/string_view.h>

#include "kernel/debugfs.h"
#include "kernel/sync.h"
#include "litmus/cases.h"

namespace xcall {

class LitmusKnob : cxxrt::Pinned {
public:
	static constexpr unsigned long max_n = 20'000'000;	// per case: about a minute under TCG
	static constexpr unsigned long max_slow = 200;	// offline-RCU+sync: a grace period each
	static constexpr unsigned long quick_n = 200'000;	// the quick form's default n
	static constexpr unsigned max_states = 8;

	[[nodiscard]] int create(DebugfsDir &dir) noexcept;

	struct State {
		litmus::Regs p0, p1;
		unsigned long count;
	};
	struct Result {
		unsigned case_index;
		unsigned long n;
		unsigned nr_states;
		State states[max_states];
		unsigned long other;		// iterations whose state did not fit in states[]
		unsigned long forbidden;
		unsigned long long ns;
	};

private:
	struct Report {
		bool valid = false;
		int cpu0 = 0, cpu1 = 0;
		unsigned nr_results = 0;
		Result results[litmus::nr_cases];
	};

	int show(Text &out) noexcept;
	int store(cxxrt::StringView input) noexcept;

	Protected<Report> report_;
	DebugfsFile file_;
};

}  // namespace xcall
