// SPDX-License-Identifier: GPL-2.0
// The cost of xcall's calls and of its merged queue against the kernel's own
// paths, measured in one run, alternating (debugfs "bench"):
//
//   echo "queue_sync cpu=1 n=2000 rounds=7" > /sys/kernel/debug/xcall/bench
//   cat /sys/kernel/debug/xcall/bench
//
// legs=1 (sync and queue_sync) reads the clock on the target as each
// function starts and reports each side's two legs apart: where a round
// trip's time goes (the IPI out, the way back).
//
// Each mode times an xcall side against the kernel side a module would
// otherwise use (bench.cpp's mode table says which), from a kthread on
// another online CPU (reported as from=). Each round runs both sides, in
// alternating order, in chunks of a bounded number of calls: a chunk runs
// with preemption off (its two sides back to back), the writer reschedules
// between chunks and a fatal signal ends the run (a caught one does not:
// a command runs once, see bridge.h's store handlers). The report
// gives per-call medians and the median, minimum and maximum of the
// per-round ratio xcall/kernel, and kicks and IPIs per node where the xcall
// side goes through the queue.
#pragma once

#include <cxxrt/string_view.h>

#include "kernel/debugfs.h"
#include "kernel/sync.h"
#include "queue/remote_queue.h"

namespace xcall {

class BenchKnob : cxxrt::Pinned {
public:
	static constexpr unsigned max_calls = 100000;
	static constexpr unsigned max_burst = 10000;	// burst, fanin: nodes per source
	static constexpr unsigned max_rounds = 101;
	static constexpr unsigned long max_total = 200000;	// n * rounds: the largest run takes about a minute under TCG

	explicit BenchKnob(RemoteQueue &queue) noexcept : queue_(queue) {}

	[[nodiscard]] int create(DebugfsDir &dir) noexcept;

	enum class Mode : unsigned char { Sync, Async, QueueSync, QueueAsync, RemoteIrqWork, Burst, Fanin, Broadcast, Local, Count };

	// One round's measurements: nanoseconds per side, the queue's kicks
	// (handled in hard IRQ: ipis) and the nodes they were counted over;
	// with legs=1 (sync, queue_sync) each side's time split at the
	// function's start on the target: out (call -> function runs) and back
	// (function runs -> the caller returns).
	struct Round {
		unsigned long long xcall_ns, raw_ns, queue_ns, kicks, ipis;
		unsigned long long xcall_out, xcall_back, raw_out, raw_back;
	};

private:
	struct Report {
		bool valid = false;
		bool stamps = false;	// latency stamps left on (stamps=1)
		bool legs = false;	// each call timed in two legs (legs=1)
		Mode mode = Mode::Sync;
		int cpu = 0, from = 0;
		unsigned calls = 0, rounds = 0;
		unsigned long long per_round = 0;	// what ns are divided by: calls, or nodes
		unsigned long long nodes = 0;		// queue nodes per round (kicks are per node)
		Round round[max_rounds] = {};
		// show()'s sorted copies: too large for a kernel stack frame.
		unsigned long long sorted[11][max_rounds];
	};

	int show(Text &out) noexcept;
	int store(cxxrt::StringView input) noexcept;

	RemoteQueue &queue_;
	Protected<Report> report_;
	DebugfsFile file_;
};

}  // namespace xcall
