// SPDX-License-Identifier: GPL-2.0
// The merged queue's debugfs interface:
//
//   queue    (write) KIND cpus=CPULIST [count=N] [wait=0|1] [same=0|1]
//   stats    (read)  cpu kind queued handled kicks pending wrong_cpu wrong_context
//   reset    (write) 1
//   latency  (read)  per kind: count min median p99 max (ns), then the log2 histogram
//
// (The drain budget's counts, `drains`, are the module's: module/xcall.cpp.)
//
// KIND: call (sync), async, irq_work, irq_work_hard, irq_work_lazy, wake.
// CPULIST: the kernel's cpulist syntax or "all" (every online CPU). count
// nodes (default 1, at most max_count) go to each listed CPU; wait=1
// returns when all of them have run; same=1 (irq_work kinds) re-queues one
// item per CPU count times instead of count distinct ones. Errors from
// write(2): -EINVAL malformed or unknown key, -ENXIO offline or missing CPU,
// -E2BIG count above max_count or count x CPUs above max_nodes_per_write,
// -EBUSY with max_nodes_in_flight nodes of wait=0 writes not yet done,
// -ENOMEM; a failed write queues nothing. A command runs once: a caught
// signal does not shorten a wait=1 write or a call write (it finishes and
// succeeds, so an EINTR retry loop cannot send it twice); a fatal signal
// ends it early, what it queued still runs and is freed later.
//
// Nodes are allocated and freed here, in the writer's context, never in
// hard IRQ (which PREEMPT_RT forbids): wait=0 batches are freed by a later
// write, a stats read, or module unload, once every node is idle. Their
// bytes show in the memory file (live_bytes).
#pragma once

#include <cxxrt/string_view.h>

#include "kernel/cpumask.h"
#include "kernel/debugfs.h"
#include "kernel/sync.h"
#include "queue/remote_queue.h"

namespace xcall {

class QueueKnobs : cxxrt::Pinned {
public:
	static constexpr unsigned max_count = 100000;
	// 5.6 MiB of nodes at most per write, 22 MiB in flight: bounds that
	// hold on any machine, whatever its CPU count. A write allocates,
	// queues and (wait=1) waits for its nodes in one system call; 100000
	// nodes keep that to about a second in a TCG guest. More is more
	// writes.
	static constexpr unsigned long max_nodes_per_write = 100000;
	static constexpr unsigned long max_nodes_in_flight = 4 * max_nodes_per_write;

	explicit QueueKnobs(RemoteQueue &queue) noexcept : queue_(queue) {}
	~QueueKnobs();

	[[nodiscard]] int create(DebugfsDir &dir) noexcept;

	struct Batch;

	// A parsed `queue` command.
	struct Command {
		QueueKind kind;
		CpuMask cpus;
		bool all_online;	// cpus=all: resolved under the hotplug lock
		unsigned count;
		bool wait, same;
	};

private:
	int store_queue(cxxrt::StringView input) noexcept;
	int call_each(const Command &cmd) noexcept;
	int queue_batch(const Command &cmd, Batch **out) noexcept;
	void keep_in_flight(Batch *batch) noexcept;
	int store_reset(cxxrt::StringView input) noexcept;
	int show_stats(Text &out) noexcept;
	int show_latency(Text &out) noexcept;

	void reap(bool wait_all) noexcept;

	RemoteQueue &queue_;
	struct InFlight {
		Batch *head = nullptr;		// wait=0 (or interrupted) batches not yet freed
		unsigned long nodes = 0;	// their nodes
	};
	Protected<InFlight> in_flight_;
	Mutex write_lock_;			// one queue command at a time
	DebugfsFile queue_file_, stats_file_, reset_file_, latency_file_;
};

}  // namespace xcall
