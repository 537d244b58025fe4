// SPDX-License-Identifier: GPL-2.0
// xcall's merged per-CPU call queue, driven by real IPIs: one lock-free list
// per CPU (call_queue.h) holding sync and async calls, irq_work items and
// wake-ups. The empty -> non-empty transition of a CPU's list sends one kick:
// for another CPU an IPI through smp_call_function_single_async() on that
// CPU's kick CSD, for this CPU a self-IPI (a hard irq_work). The kick's
// handler drains the list with interrupts off, in kernel/smp.c's order, at
// most drain_budget nodes at a time: the rest waits in the CPU's backlog
// for the next drain, which a self-IPI (resume) brings at once.
//
// The path of a node, in reading order: queue() (this file) -> kick_cpu()
// -> the kick's handler, drain_this_cpu() -> cq::drain() (call_queue.h) ->
// DrainHandler (remote_queue.cpp) -> the node's function, or xcall_lazy/N.
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
//    (SCHED_FIFO, lowest priority), as kernel/irq_work.c does since 5.16
//    ("irq_work: Handle some irq_work in a per-CPU thread on PREEMPT_RT",
//    LKML Oct 2021; docs/seeds.md). kinds.h says which kind runs where.
//  - A wake-up wakes the per-CPU waiter thread xcall_wait/N on the target.
//  - A synchronous call may be made with interrupts off: while it waits,
//    the caller drains its own CPU's list, so two CPUs calling each other
//    with interrupts off both complete.
//  - A drain runs at most drain_budget nodes; the rest keeps its order and
//    runs before anything queued later, at the next drain (counted in
//    CpuStats::drains()).
//  - CPU hotplug: a CPU going down stops accepting nodes (-ENXIO), waits an
//    RCU grace period for queuers already past the check, and drains its
//    list and backlog before it dies. No node is lost or run twice.
//  - Statistics (stats.h): the target CPU counts its nodes (queued,
//    handled) with plain adds as its drain hands them over; kicks and pending
//    claims are dual counters (the target CPU bumps plain local counters,
//    other CPUs atomic remote ones; readers sum both).
//
// Ordering of this file's own state (call_queue.h's (1)-(4) order the nodes;
// the code of each pair is in handoffs.h and kernel/async_state.h, shared
// with the host tests):
//  (Q1) accepting. cpu_online()'s store_release(1) -> queue()'s
//       load_acquire: a queuer that sees the CPU open sees its queue set up.
//       cpu_offline()'s write_once(0), then synchronize_rcu() -> queue()'s
//       preempt-off section: a queuer that saw 1 has pushed (and kicked)
//       before the grace period ends, so the offline drain finds its node.
//  (Q2) kick pending. The push (fully ordered, (1)) then try_submit()
//       (fully ordered; an smp_mb() when it finds a kick pending) <-> the
//       kick trampoline's fully ordered clear of "queued", then the
//       handler's take_all() (xchg). Store buffering: either the queuer sees
//       "queued" clear and sends a kick, or the pending kick's take_all()
//       sees its node. No node is stranded behind a busy kick CSD. A drain
//       cut short by its budget keeps the node in its CPU's backlog (that
//       CPU's own, interrupts off: no order needed) and queues resume, a
//       hard irq_work on that CPU, whose drain runs it.
//  (Q3) waiter_woken. run_wake's write of wake_performed_ns, then
//       store_release(1) -> waiter_run()'s xchg(0): the waiter reads the
//       time of the wake that woke it, or of a later one.
//  (Q4) lazy_running. run_lazy()'s write_once(1), then take_all() (xchg)
//       -> wait_lazy_idle()'s load_acquire of the list, then of
//       lazy_running: a waiter that finds the list taken sees the thread
//       running. run_lazy()'s store_release(0) after the last function ->
//       the same load_acquire: a waiter that sees 0 sees every function done.
#pragma once

#include <cxxrt/atomic.h>

#include "kernel/calls.h"
#include "kernel/cpumask.h"
#include "kernel/cpus.h"
#include "kernel/hotplug.h"
#include "kernel/irq_work.h"
#include "kernel/percpu.h"
#include "kernel/percpu_threads.h"
#include "kernel/sync.h"
#include "queue/call_queue.h"
#include "queue/handoffs.h"
#include "queue/kinds.h"
#include "queue/stats.h"

namespace xcall {

class RemoteQueue : cxxrt::Pinned {
public:
	// What queue() returns besides a negative errno.
	static constexpr int queued = 1;	  // will run (a call to this CPU: has run)
	static constexpr int already_pending = 0; // irq_work only: the pending run covers it

	// Most nodes one drain runs (and so one kick's hard IRQ): the rest
	// waits for the next drain, which the drain asks for itself with a
	// self-IPI. A node in a burst costs 0.8-3.6 us under TCG (bench's
	// burst mode), less on hardware, so a drain holds interrupts off for a
	// few ms at most under TCG and about one on hardware, the order of
	// __do_softirq()'s 2 ms budget and below a tick at HZ=250, while one
	// kick still serves a thousand nodes
	// (bench's burst goal is at most 0.05 kicks a node). Without it one
	// kick ran whatever the list held: up to the queue knob's 4000000
	// nodes in flight, seconds in one hard IRQ.
	static constexpr unsigned drain_budget = 1024;

	RemoteQueue() noexcept = default;
	~RemoteQueue() { stop(); }

	// Process context. Allocates per-CPU state, starts the threads and the
	// hotplug state (which opens every online CPU's queue).
	[[nodiscard]] int start() noexcept;
	void stop() noexcept;

	// The front door. Queues @node, whose func the caller has set, to @cpu
	// as @kind: sets the node's type and statistics row, then locks it
	// (calls, wakes: a cmpxchg, or for a one_queuer node a check and a
	// store, call_queue.h) or claims it (irq_work items). Returns queued,
	// already_pending (irq_work: the item was pending, nothing queued, yet
	// the pending run sees this caller's prior writes: (3) of call_queue.h;
	// this is the irq_work_queue_on() the kernel does not export), -ENXIO
	// (@cpu does not accept work: nothing queued or claimed) or -EBUSY (a
	// call or wake node still queued: misuse, refused). Any context but NMI.
	// A call to this CPU runs at once, interrupts off.
	//
	// The caller owns @node: it must stay alive until the node is idle
	// again (cq::Node::idle(); for a sync call, after wait_draining_own()).
	// Inline: the per-node path is one call (queue_one()), preemption off
	// and on inline around it (PinnedCpu).
	[[nodiscard]] int queue(int cpu, cq::Node &node, QueueKind kind) noexcept
	{
		// Preemption off is also the RCU read side that cpu_offline() waits out.
		PinnedCpu pinned;
		return queue_one(cpu, node, kind, pinned.cpu(), nullptr);
	}

	// One node to each CPU of @cpus as @kind, as queue() does (@node_of(cpu)
	// gives the node; @each(cpu, ret) gets queue()'s answer), kicked as
	// smp_call_function_many() kicks: the CPUs whose list a node made
	// non-empty get one mask IPI at the end (one IPI each, sent even to a
	// polling idle CPU, which then runs the drain in the IPI rather than
	// leaving its idle loop for it), where the kernel allows one
	// (xk_can_call_many()); elsewhere each is kicked as queue() kicks.
	// @kicked: a mask of the kernel's width for the kicks, empty, left
	// empty. The broadcast's path (bench's broadcast mode).
	template <typename NodeOf, typename Each>
	void queue_each(const CpuMask &cpus, CpuMask &kicked, QueueKind kind, NodeOf &&node_of, Each &&each) noexcept
	{
		PinnedCpu pinned;	// also holds off CPU hotplug until the kick is sent
		bool mask = kicked.valid() && kicked.nbits() == xk_cpumask_bits() && xk_can_call_many();
		cpus.for_each([&](int c) { each(c, queue_one(c, node_of(c), kind, pinned.cpu(), mask ? &kicked : nullptr)); });
		if (mask)
			kick_mask(kicked);
	}

	// A synchronous call through the queue; may be called with interrupts
	// off (even from hard IRQ): the caller drains its own list meanwhile.
	// 0 or -ENXIO.
	template <typename F>
	[[nodiscard]] int call(int cpu, F &&fn) noexcept
	{
		struct Sync : cq::Node {
			cxxrt::remove_reference_t<F> *fn;
		} node;
		node.fn = &fn;
		// Owner: this frame, which returns only once the node is idle.
		node.func = [](cq::Node *n) { (*static_cast<Sync *>(n)->fn)(); };
		PinnedCpu pinned;	// "own list" must stay this CPU's
		int ret = queue_one(cpu, node, QueueKind::Call, pinned.cpu(), nullptr);
		if (ret != queued)
			return ret;
		wait_draining(node, queues_.on(pinned.cpu()));
		return 0;
	}

	// Spins until @node (a queued sync call) is unlocked, draining this
	// CPU's list meanwhile. Preemption must be off.
	void wait_draining_own(const cq::Node &node) noexcept;

	// Waits (sleeping) until @cpu's lazy list is empty and its thread idle;
	// after lazy_starved_ms, raises the thread (see remote_queue.cpp).
	void wait_lazy_idle(int cpu) noexcept;
	static constexpr unsigned lazy_starved_ms = 1000;

	// Module unload, before anything waits for the queue's items: raises
	// every xcall_lazy/N for good (see remote_queue.cpp). Process context.
	void prepare_unload() noexcept;

	// Whether queue() stamps each node with the clock for the latency
	// histograms (on by default). The benchmark turns it off for its
	// rounds: on Debian's generic kernel under TCG a clock read is an
	// emulated HPET access, dearer than the rest of a node's path. Nodes
	// queued while it is off count as handled with no latency sample.
	void set_latency_stamps(bool on) noexcept { cxxrt::write_once(stamp_latency_, on); }

	// @cpu's statistics; @cpu must be possible.
	CpuStats &stats(int cpu) noexcept { return queues_.on(cpu).stats; }
	// Zeroes every possible CPU's statistics, an online CPU's on that CPU.
	// Process context. 0 or -errno (nothing zeroed).
	[[nodiscard]] int reset_stats() noexcept;

	// @cpu's drain counters; @cpu must be possible.
	CpuStats::Drains drains(int cpu) noexcept { return queues_.on(cpu).stats.drains(); }

	// How many nodes @cpu's list holds now: meaningful only while @cpu
	// cannot drain it (self-tests hold it in hard IRQ).
	unsigned queued_unstable(int cpu) noexcept { return queues_.on(cpu).list.count_unstable(); }

private:
	// The state of one CPU's queue, in per-CPU memory.
	struct CpuQueue : cxxrt::Pinned {
		struct Kick {
			CpuQueue *queue;
			void operator()() const noexcept;
		};
		// The drain after one cut short by its budget: not a kick (no
		// node found the list empty), so not counted as one.
		struct Resume {
			CpuQueue *queue;
			void operator()() const noexcept;
		};

		CpuQueue(int cpu, RemoteQueue *owner) noexcept
			: cpu(cpu), owner(owner), kick(Kick{this}), self_kick(IrqWorkMode::Hard, Kick{this}),
			  resume(IrqWorkMode::Hard, Resume{this})
		{
		}

		// Three cache lines, by who writes them: the list, which
		// every queuer and the drain write, alone on one as the
		// kernel's call_single_queue (DEFINE_PER_CPU_SHARED_ALIGNED);
		// what queuers only read (written on hotplug), on the next, so
		// that it stays in every queuer's cache; then the drain's own
		// state and counters, written per batch or per node.
		alignas(64) cq::LockFreeList list;	// the merged list
		alignas(64) AcceptGate accepting;	// (Q1): open while online
		int cpu;
		RemoteQueue *owner;
		alignas(64) cq::Backlog backlog;	// taken, not yet run: this CPU's only, IRQs off
		LazyList lazy;			// irq_work items for xcall_lazy/N (Q4)
		CpuStats stats;
		WakeMailbox waiter;		// for xcall_wait/N (Q3)
		// The kind whose node found the list empty and kicked: the row the
		// kick's handler counts in. Racing kickers may relabel it (only
		// one of them kicks); the totals are exact.
		unsigned short kick_kind = 0;
		AsyncCall<Kick> kick;		// IPI to this CPU; "queued" = kick pending (Q2)
		IrqWork<Kick> self_kick;	// this CPU kicking itself
		IrqWork<Resume> resume;		// the backlog's next drain
	};
	struct DrainHandler;

	// queue() on CPU @self, preemption off. @defer: a remote kick is
	// claimed and its CPU set there, for kick_mask(), instead of sent.
	int queue_one(int cpu, cq::Node &node, QueueKind kind, int self, CpuMask *defer) noexcept;
	// queue_one()'s parts off its common path, and the push they share.
	int push(CpuQueue &q, cq::Node &node, QueueKind kind, int self, CpuMask *defer) noexcept;
	[[gnu::noinline]] int pushed_slow(CpuQueue &q, QueueKind kind, bool first, int self, CpuMask *defer) noexcept;
	[[gnu::noinline]] int queue_slow(CpuQueue &q, cq::Node &node, QueueKind kind, int self, CpuMask *defer) noexcept;
	[[gnu::noinline]] int pending(CpuQueue &q, QueueKind kind, bool remote) noexcept;
	void kick_cpu(CpuQueue &q, QueueKind kind, int self, CpuMask *defer) noexcept;
	// wait_draining_own() with this CPU's queue, @own, known.
	void wait_draining(const cq::Node &node, CpuQueue &own) noexcept;
	// Sends the kicks claimed in @cpus with one mask IPI; clears @cpus.
	void kick_mask(CpuMask &cpus) noexcept;
	static void mask_kick_handler(void *rq) noexcept;
	// Interrupts off, on q.cpu: one drain of at most drain_budget nodes;
	// queues q.resume if it left some. True if nothing is left.
	bool drain_this_cpu(CpuQueue &q) noexcept;
	void run_lazy(CpuQueue &q) noexcept;		// in xcall_lazy/N

	int cpu_online(unsigned cpu) noexcept;
	int cpu_offline(unsigned cpu) noexcept;

	// Per-CPU thread callbacks.
	int lazy_should_run(unsigned cpu) noexcept;
	void lazy_run(unsigned cpu) noexcept;
	int waiter_should_run(unsigned cpu) noexcept;
	void waiter_run(unsigned cpu) noexcept;

	PerCpu<CpuQueue> queues_;
	bool stamp_latency_ = true;
	HotplugState hotplug_;
	PerCpuThreads lazy_threads_, waiter_threads_;
	int closed_all_ = 0;	// stop() closed every queue, then waited a grace period (Q1)
	int unloading_ = 0;	// prepare_unload() raised the lazy threads
	int starved_logged_ = 0;
};

// The statistics row a queued node counts in: the kind it was queued as.
inline QueueKind queued_kind(const cq::Node &node) noexcept { return QueueKind(node.tag); }

}  // namespace xcall
