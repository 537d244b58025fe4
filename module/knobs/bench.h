// SPDX-License-Identifier: GPL-2.0
// The cost of xcall's call types against the kernel's raw C API, measured
// in one run, alternating (debugfs "bench"):
//
//   echo "sync cpu=1 n=2000 rounds=7" > /sys/kernel/debug/xcall/bench
//   cat /sys/kernel/debug/xcall/bench
//
// The rounds run in a kthread on another online CPU (reported as from=),
// preemption off. Each round times n calls through xcall (call_on / AsyncCall) and n raw
// calls (smp_call_function_single / _async), in alternating order; the
// report gives per-call medians and the median, minimum and maximum of the
// per-round ratio xcall/raw.
#pragma once

#include <cxxrt/string_view.h>

#include "kernel/debugfs.h"
#include "kernel/sync.h"

namespace xcall {

class BenchKnob : cxxrt::Pinned {
public:
	static constexpr unsigned max_calls = 100000;
	static constexpr unsigned max_rounds = 101;

	[[nodiscard]] int create(DebugfsDir &dir) noexcept;

private:
	enum class Kind : unsigned char { Sync, Async };
	struct Report {
		bool valid = false;
		Kind kind = Kind::Sync;
		int cpu = 0, from = 0;
		unsigned calls = 0, rounds = 0;
		unsigned long long xcall_ns[max_rounds] = {}, raw_ns[max_rounds] = {};
		// show()'s sorted copies: too large for a kernel stack frame.
		unsigned long long sorted_ratio[max_rounds], sorted_xcall[max_rounds], sorted_raw[max_rounds];
	};

	int show(Text &out) noexcept;
	int store(cxxrt::StringView input) noexcept;

	Protected<Report> report_;
	DebugfsFile file_;
};

}  // namespace xcall
