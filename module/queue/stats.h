// SPDX-License-Identifier: GPL-2.0
// The merged queue's statistics: one row per CPU and kind, written by the
// queue (queueing side and drain) and by node functions that check where
// they ran, read by the knobs. One type, so that every writer and reader
// goes through the same methods.
#pragma once

#include <cxxrt/atomic.h>

#include "queue/kinds.h"

namespace xcall {

// A log2 latency histogram: bucket b counts values v with bit_width(v) == b.
// Written by its CPU only (interrupts off), read anywhere.
struct Histogram {
	static constexpr unsigned buckets = 48;
	unsigned long count[buckets] = {};
	unsigned long long min_ns = ~0ULL, max_ns = 0;	// min_ns: ~0 until a first sample

	void add(unsigned long long ns) noexcept
	{
		unsigned bucket = ns ? 64 - unsigned(__builtin_clzll(ns)) : 0;
		if (bucket >= buckets)
			bucket = buckets - 1;
		cxxrt::local_inc(count[bucket]);
		if (ns < cxxrt::read_once(min_ns))
			cxxrt::write_once(min_ns, ns);
		if (ns > cxxrt::read_once(max_ns))
			cxxrt::write_once(max_ns, ns);
	}
	void zero() noexcept
	{
		for (unsigned long &c : count)
			cxxrt::write_once(c, 0UL);
		cxxrt::write_once(min_ns, ~0ULL);
		cxxrt::write_once(max_ns, 0ULL);
	}
};

// The dual counter Peter Zijlstra describes in "cpu_opv: Provide cpu_opv
// system call (v6)" (LKML Mar 2018; docs/seeds.md). The CPU that owns
// the row bumps `local` with one plain add instruction (it cannot be torn by
// an interrupt); other CPUs bump `remote` atomically; readers anywhere add
// the two with marked loads. Read it through read(), never through copies
// of its halves: a by-value helper once made the `local` load plain, and
// KCSAN caught it racing with the owner's add.
struct DualCounter {
	unsigned long local = 0, remote = 0;

	void add_local() noexcept { cxxrt::local_inc(local); }
	void add_remote() noexcept { cxxrt::atomic_add(remote, 1UL); }
	void add(bool from_remote) noexcept { from_remote ? add_remote() : add_local(); }
	unsigned long read() const noexcept { return cxxrt::read_once(local) + cxxrt::read_once(remote); }
	// Marked stores: remote adds may race with a reset (and are then lost).
	void zero() noexcept
	{
		cxxrt::write_once(local, 0UL);
		cxxrt::write_once(remote, 0UL);
	}
};

// One CPU's statistics: a row per kind, and its waiter thread's runs.
class CpuStats {
public:
	struct Row {
		unsigned long queued, handled, kicks, pending, wrong_cpu, wrong_context;
		// Kick handlers that ran: in hard IRQ (an interrupt: a real IPI,
		// or a self-IPI for a CPU kicking itself), or picked up without
		// one (the kernel found the target's idle loop polling, or its
		// call_single_queue already had work, and sent no IPI).
		unsigned long kicks_irq, kicks_polled;
	};

	// Queueing side: @remote says whether the caller is another CPU.
	void count_kick(QueueKind k, bool remote) noexcept { kinds_[unsigned(k)].kicks.add(remote); }
	void count_pending(QueueKind k, bool remote) noexcept { kinds_[unsigned(k)].pending.add(remote); }

	// `queued` has no remote half: the owner counts every node pushed to
	// its list when its drain hands the node over (count_taken()), and a
	// call to this CPU, run at once without a push, here. A node pushed
	// and not yet handed over (in the list, the backlog, or later in the
	// batch being drained) is not counted: queued == handled + nodes
	// waiting for xcall_lazy/N once the queue is at rest. (The sender's
	// atomic add to the remote half was one locked instruction per node,
	// issue 22.) The owner CPU, interrupts off.
	void count_queued_here(QueueKind k) noexcept { cxxrt::local_inc(kinds_[unsigned(k)].queued); }

	// The owner CPU, interrupts off, as a drain hands a node of @k over,
	// before its function runs (so that whoever sees the node idle sees it
	// counted): queued, and handled if it runs in this drain (@here; else
	// xcall_lazy/N counts it when it runs).
	void count_taken(QueueKind k, bool here) noexcept
	{
		PerKind &s = kinds_[unsigned(k)];
		cxxrt::local_inc(s.queued);
		if (here)
			cxxrt::local_inc(s.handled);
	}
	// The owner CPU, interrupts off: one latency sample of @k (a node
	// queued with a time stamp).
	void count_latency(QueueKind k, unsigned long long latency_ns) noexcept
	{
		kinds_[unsigned(k)].latency.add(latency_ns);
	}
#ifdef XCALL_COST_SENDER_ATOMIC
	// Measurement build only (scripts/cost-breakdown.sh): the sender's
	// locked add on this row that `queued` had before issue 22.
	void cost_probe_remote_add(QueueKind k) noexcept { cxxrt::atomic_add(kinds_[unsigned(k)].cost_probe, 1UL); }
#endif
	// The owner CPU, interrupts off: a node of @k is about to run, outside
	// a drain batch (xcall_lazy/N; a call to this CPU).
	void count_handled(QueueKind k) noexcept { cxxrt::local_inc(kinds_[unsigned(k)].handled); }
	// The owner CPU, interrupts off: a kick's handler runs, @in_hardirq or not.
	void count_kick_handled(QueueKind k, bool in_hardirq) noexcept
	{
		PerKind &s = kinds_[unsigned(k)];
		cxxrt::local_inc(in_hardirq ? s.kicks_irq : s.kicks_polled);
#ifdef XCALL_BREAK_KICK_WITHOUT_IPI
		// tests/harness.sh: one IPI more counted per kick than was sent;
		// ipi_witness.sh must catch it on 6.12, idle targets or busy.
		cxxrt::local_inc(s.kicks_irq);
#endif
	}
	// The owner CPU, interrupts off: a drain ran @nodes nodes (at least
	// one) and, if @cut, left the rest for the next (its budget).
	void count_drain(unsigned nodes, bool cut) noexcept
	{
		cxxrt::local_inc(drains_);
		if (cut)
			cxxrt::local_inc(drains_cut_);
		if (nodes > cxxrt::read_once(drain_max_))
			cxxrt::write_once(drain_max_, (unsigned long)nodes);
	}
	// The owner CPU's waiter thread, on each run.
	void count_waiter_run(unsigned long long since_wake_ns) noexcept
	{
		wake_run_.add(since_wake_ns);
		cxxrt::local_inc(waiter_runs_);
	}

	// Node functions that find themselves on the wrong CPU or in the wrong
	// context (never, unless xcall is broken): any CPU, atomic.
	void report_wrong_cpu(QueueKind k) noexcept { cxxrt::atomic_add(kinds_[unsigned(k)].wrong_cpu, 1UL); }
	void report_wrong_context(QueueKind k) noexcept { cxxrt::atomic_add(kinds_[unsigned(k)].wrong_context, 1UL); }

	// Readers, anywhere.
	Row read(QueueKind k) const noexcept
	{
		const PerKind &s = kinds_[unsigned(k)];
		return {cxxrt::read_once(s.queued),
			cxxrt::read_once(s.handled),
			s.kicks.read(),
			s.pending.read(),
			cxxrt::read_once(s.wrong_cpu),
			cxxrt::read_once(s.wrong_context),
			cxxrt::read_once(s.kicks_irq),
			cxxrt::read_once(s.kicks_polled)};
	}
	const Histogram &latency(QueueKind k) const noexcept { return kinds_[unsigned(k)].latency; }
	const Histogram &wake_run() const noexcept { return wake_run_; }
	struct Drains {
		unsigned long drains, cut, max_nodes;
	};
	Drains drains() const noexcept
	{
		return {cxxrt::read_once(drains_), cxxrt::read_once(drains_cut_), cxxrt::read_once(drain_max_)};
	}
	unsigned long waiter_runs() const noexcept { return cxxrt::read_once(waiter_runs_); }

	// On the owner CPU with interrupts off (or while it is offline), so
	// that no local increment is torn; concurrent remote increments may be
	// lost. Marked stores throughout: readers and remote adds run meanwhile.
	void reset() noexcept
	{
		for (PerKind &s : kinds_) {
			cxxrt::write_once(s.queued, 0UL);
			s.kicks.zero();
			s.pending.zero();
			cxxrt::write_once(s.handled, 0UL);
			cxxrt::write_once(s.wrong_cpu, 0UL);
			cxxrt::write_once(s.wrong_context, 0UL);
			cxxrt::write_once(s.kicks_irq, 0UL);
			cxxrt::write_once(s.kicks_polled, 0UL);
			s.latency.zero();
		}
		wake_run_.zero();
		cxxrt::write_once(waiter_runs_, 0UL);
		cxxrt::write_once(drains_, 0UL);
		cxxrt::write_once(drains_cut_, 0UL);
		cxxrt::write_once(drain_max_, 0UL);
	}

private:
	struct PerKind {
		DualCounter kicks, pending;
		unsigned long queued, handled;		// by the owner only
#ifdef XCALL_COST_SENDER_ATOMIC
		unsigned long cost_probe;		// measurement build only
#endif
		unsigned long kicks_irq, kicks_polled;	// by the owner only
		unsigned long wrong_cpu, wrong_context;	// atomic
		Histogram latency;			// queue -> run, by the owner only
	};
	PerKind kinds_[queue_kinds] = {};
	Histogram wake_run_ = {};	// wake performed -> waiter running
	unsigned long waiter_runs_ = 0;
	// Drains that ran nodes, those cut short by the budget, the most
	// nodes one ran: by the owner only.
	unsigned long drains_ = 0, drains_cut_ = 0, drain_max_ = 0;
};

}  // namespace xcall
