// SPDX-License-Identifier: GPL-2.0
// xcall's merged per-CPU call queue, driven by real IPIs: one lock-free list
// per CPU (call_queue.h) holding sync and async calls, irq_work items and
// wake-ups. The empty -> non-empty transition of a CPU's list sends one kick:
// for another CPU an IPI through smp_call_function_single_async() on that
// CPU's kick CSD, for this CPU a self-IPI (a hard irq_work). The kick's
// handler drains the list with interrupts off, in kernel/smp.c's order.
//
// Rules (tested by the self-tests and kselftests):
//  - Queueing never waits for another CPU, works with interrupts off from
//    any context but NMI, and sends no kick while one is pending: the kick
//    CSD's "queued" bit is the pending flag (coalesced queuers find it set).
//  - Local target: calls (sync and async) run at once, interrupts off, as
//    smp_call_function_single*() do; irq_work items and wake-ups are queued
//    and kicked by a self-IPI, as irq_work_queue() does.
//  - Hard irq_work items run in the drain (hard IRQ). Lazy items, and on
//    PREEMPT_RT every non-hard item, run in the per-CPU thread xcall_lazy/N
//    (SCHED_FIFO, lowest priority), as kernel/irq_work.c does since 5.16.
//  - A wake-up wakes the per-CPU waiter thread xcall_wait/N on the target.
//  - A synchronous call may be made with interrupts off: while it waits,
//    the caller drains its own CPU's list, so two CPUs calling each other
//    with interrupts off both complete.
//  - CPU hotplug: a CPU going down stops accepting nodes (-ENXIO), waits an
//    RCU grace period for queuers already past the check, and drains its
//    list before it dies. No node is lost or run twice.
//  - Statistics are dual counters (seed 004): the target CPU bumps plain
//    local counters, other CPUs atomic remote ones; readers sum both.
#pragma once

#include <cxxrt/atomic.h>

#include "call_queue.h"
#include "calls.h"
#include "cpus.h"
#include "hotplug.h"
#include "irq_work.h"
#include "percpu.h"
#include "sync.h"

namespace xcall {

enum class QueueKind : unsigned short { Call, Async, IrqWork, IrqWorkHard, IrqWorkLazy, Wake, Count };
constexpr unsigned queue_kinds = unsigned(QueueKind::Count);
const char *queue_kind_name(QueueKind kind) noexcept;

// A log2 latency histogram: bucket b counts values v with bit_width(v) == b.
struct Histogram {
	static constexpr unsigned buckets = 48;
	unsigned long count[buckets] = {};
	unsigned long long min_ns = ~0ULL, max_ns = 0;	// min_ns: ~0 until a first sample

	void add(unsigned long long ns) noexcept;	// owner CPU only, IRQs off
};

// Seed 004's dual counter. The CPU that owns the row bumps `local` with one
// plain add instruction (it cannot be torn by an interrupt); other CPUs bump
// `remote` atomically; readers anywhere add the two with marked loads. Read it
// through read(), never through copies of its halves: a by-value helper once
// made the `local` load plain, and KCSAN caught it racing with the owner's add.
struct DualCounter {
	unsigned long local = 0, remote = 0;

	void add_local() noexcept { cxxrt::local_inc(local); }
	void add_remote() noexcept { cxxrt::atomic_add(remote, 1UL); }
	void add(bool from_remote) noexcept { from_remote ? add_remote() : add_local(); }
	unsigned long read() const noexcept { return cxxrt::read_once(local) + cxxrt::read_once(remote); }
};

struct KindStats {
	DualCounter queued, kicks, pending;
	unsigned long handled;			// by the owner only
	unsigned long wrong_cpu, wrong_context;	// atomic (reported by node functions)
	Histogram latency;			// queue -> run, by the owner only
};

class RemoteQueue;

// The state of one CPU's queue. Lives in per-CPU memory.
struct CpuQueue : cxxrt::Pinned {
	struct Kick {
		CpuQueue *queue;
		void operator()() const noexcept;
	};

	CpuQueue(int cpu, RemoteQueue *owner) noexcept
		: cpu(cpu), owner(owner), kick(Kick{this}), self_kick(IrqWorkMode::Hard, Kick{this})
	{
	}

	int cpu;
	RemoteQueue *owner;
	cq::LockFreeList list;		// the merged list
	cq::LockFreeList lazy;		// irq_work items for xcall_lazy/N
	int accepting = 0;		// set while online
	int lazy_running = 0;
	KindStats stats[queue_kinds] = {};
	Histogram wake_run = {};	// wake performed -> waiter running
	unsigned long long wake_performed_ns = 0;
	int waiter_woken = 0;
	unsigned long waiter_runs = 0;
	AsyncCall<Kick> kick;		// IPI to this CPU; "queued" = kick pending
	IrqWork<Kick> self_kick;	// this CPU kicking itself
};

class RemoteQueue : cxxrt::Pinned {
public:
	RemoteQueue() noexcept = default;
	~RemoteQueue() { stop(); }

	// Process context. Allocates per-CPU state, starts the threads and the
	// hotplug state (which opens every online CPU's queue).
	[[nodiscard]] int start() noexcept;
	void stop() noexcept;

	// Queues @node (kind and func set by the caller) to @cpu. The node
	// must be locked (calls, wakes: cq::lock_node) or claimed
	// (irq_work: cq::claim_work) by the caller. 0 or -ENXIO (nothing
	// queued). Any context but NMI. A call to this CPU runs at once.
	[[nodiscard]] int queue(int cpu, cq::Node &node, QueueKind kind) noexcept;

	// irq_work on any CPU (what irq_work_queue_on() would be for a module):
	// 1 if this call claimed the item (it will run on @cpu), 0 if it was
	// already pending (the pending run sees this caller's prior writes),
	// -ENXIO if @cpu does not accept work (nothing queued or claimed).
	[[nodiscard]] int queue_irq_work(int cpu, cq::Node &item, QueueKind kind) noexcept;

	// A synchronous call through the queue; may be called with interrupts
	// off (even from hard IRQ): the caller drains its own list meanwhile.
	template <typename F>
	[[nodiscard]] int call(int cpu, F &&fn) noexcept
	{
		struct Sync : cq::Node {
			cxxrt::remove_reference_t<F> *fn;
		} node;
		node.fn = &fn;
		node.flags = cq::kind_sync;
		node.func = [](cq::Node *n) { (*static_cast<Sync *>(n)->fn)(); };
		cq::lock_node(node);
		PreemptGuard pinned;	// "own list" must stay this CPU's
		if (int err = queue(cpu, node, QueueKind::Call))
			return err;
		wait_draining_own(node);
		return 0;
	}

	// Spins until @node is unlocked, draining this CPU's list meanwhile.
	// Preemption must be off.
	void wait_draining_own(const cq::Node &node) noexcept;

	// Waits (sleeping) until @cpu's lazy list is empty and its thread idle.
	void wait_lazy_idle(int cpu) noexcept;

	PerCpu<CpuQueue> &queues() noexcept { return queues_; }

	// Counters for the knobs.
	void reset_stats() noexcept;

private:
	friend struct CpuQueue;

	void kick_cpu(CpuQueue &q, QueueKind kind) noexcept;
	void drain_this_cpu(CpuQueue &q) noexcept;	// interrupts off, on q.cpu
	void run_lazy(CpuQueue &q) noexcept;		// in xcall_lazy/N
	void count_queued(CpuQueue &q, QueueKind kind, bool remote) noexcept;

	int cpu_online(unsigned cpu) noexcept;
	int cpu_offline(unsigned cpu) noexcept;

	// smpboot thread callbacks.
	static int lazy_should_run(void *ctx, unsigned cpu) noexcept;
	static void lazy_run(void *ctx, unsigned cpu) noexcept;
	static int waiter_should_run(void *ctx, unsigned cpu) noexcept;
	static void waiter_run(void *ctx, unsigned cpu) noexcept;

	struct DrainHandler;

	PerCpu<CpuQueue> queues_;
	HotplugState hotplug_;
	bool lazy_threads_ = false, waiter_threads_ = false;
};

// The module's queue (module/xcall.cpp): what the self-tests exercise.
RemoteQueue &module_queue() noexcept;

// The tag stored in a node's `tag`: which statistics row it counts in.
inline QueueKind node_kind(const cq::Node &node) noexcept { return QueueKind(node.tag); }

}  // namespace xcall
