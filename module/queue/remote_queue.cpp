// SPDX-License-Identifier: GPL-2.0
#include "queue/remote_queue.h"

#include "kernel/refusal.h"

namespace xcall {

static_assert(XK_TRACE_KINDS == queue_kinds);	// the xcall_drain event's fields

// A kick's handler, on the kicked CPU with interrupts off: in hard IRQ when
// an interrupt brought it, else in the idle loop or a caller's flush of the
// kernel's call_single_queue (which sent no IPI for it).
void RemoteQueue::CpuQueue::Kick::operator()() const noexcept
{
	queue->stats.count_kick_handled(QueueKind(cxxrt::read_once(queue->kick_kind)), xk_in_hardirq());
	queue->owner->drain_this_cpu(*queue);
}

// Hard IRQ on the CPU whose last drain stopped at its budget.
void RemoteQueue::CpuQueue::Resume::operator()() const noexcept { (void)queue->owner->drain_this_cpu(*queue); }

// ---- the drain -------------------------------------------------------------------

// Runs each node where kinds.h says, and counts it as it hands it over:
// before its function runs, so that whoever sees a node idle sees it
// counted (plain adds on this CPU's row, interrupts off). Latency (a clock
// read) only for nodes queued with a stamp.
struct RemoteQueue::DrainHandler {
	RemoteQueue &rq;
	CpuQueue &q;
	bool rt = xk_preempt_rt();
	bool lazy_added = false;
	unsigned drained[XK_TRACE_KINDS] = {};	// per kind, taken: the xcall_drain event

	// The node's function between the xcall_function_entry and _exit
	// events; @node may be gone after run(), func and kind are copies.
	// With the events off, one flag load per node.
	template <typename Run>
	static void traced(cq::Node *node, Run run) noexcept
	{
		if (!xk_trace_enabled()) {
			run(node);
			return;
		}
		const char *kind = kind_name(queued_kind(*node));
		void *func = reinterpret_cast<void *>(node->func);
		xk_trace_function_entry(kind, func);
		run(node);
		xk_trace_function_exit(kind, func);
	}

	// queued_ns was read on the sending CPU: where the clocksource is not
	// perfectly in step across CPUs (a TSC trusted with tsc=reliable), a
	// fast drain can read an earlier time. Count that as 0 rather than as
	// a wrapped 2^64 ns. 0: queued with latency stamps off, no sample.
	static void sample_latency(CpuStats &stats, const cq::Node *node) noexcept
	{
		unsigned long long queued = node->queued_ns;
		if (!queued)
			return;
		unsigned long long now = xk_clock_ns();
		stats.count_latency(queued_kind(*node), now > queued ? now - queued : 0);
	}

	// @node is taken and about to be handed over: `queued`, and `handled`
	// if it runs here (@here; else xcall_lazy/N counts it when it runs).
	void account(const cq::Node *node, bool here) noexcept
	{
#ifdef XCALL_COST_NO_ACCOUNT
		// Measurement build only (scripts/cost-breakdown.sh): no
		// accounting, to weigh it. The statistics stay at 0.
		return;
#endif
		QueueKind kind = queued_kind(*node);
		drained[unsigned(kind)]++;
		q.stats.count_taken(kind, here);
		if (here)
			sample_latency(q.stats, node);
	}

	void run_sync(cq::Node *node) noexcept
	{
		account(node, true);
		traced(node, cq::run_sync);
	}
	void run_async(cq::Node *node) noexcept
	{
		account(node, true);
		traced(node, cq::run_async);
	}
	void run_irq_work(cq::Node *node) noexcept
	{
		if (runs_in_thread(queued_kind(*node), rt)) {
			account(node, false);
			q.lazy.push(node);	// run and counted by xcall_lazy/N
			lazy_added = true;
			return;
		}
		account(node, true);
		traced(node, cq::run_work);
	}
	void run_wake(cq::Node *node) noexcept
	{
		account(node, true);
		q.waiter.post(xk_clock_ns());	// (Q3)
		rq.waiter_threads_.wake(q.cpu);
		traced(node, cq::run_wake);
	}
};

// The kick's handler (hard IRQ, or the idle loop / a waiting caller with
// interrupts off), and resume's. Its kick CSD's "queued" was cleared, fully
// ordered, just before this runs, so a queuer that found it set has its
// node in the list taken here: (Q2). What the budget leaves stays in the
// backlog, before anything taken later, and resume (a self-IPI) runs the
// next drain as soon as interrupts are on: the CPU takes its other
// interrupts in between.
bool RemoteQueue::drain_this_cpu(CpuQueue &q) noexcept
{
	DrainHandler h{*this, q};
	bool cut;
	unsigned ran = cq::drain_some(q.list, q.backlog, drain_budget, h, cut);	// (1), (Q2)
	if (!ran)
		return true;
	q.stats.count_drain(ran, cut);
	xk_trace_drain(q.cpu, h.drained);
	if (h.lazy_added)
		lazy_threads_.wake(q.cpu);
	if (cut)
		(void)q.resume.queue();	// false: already pending, that run drains
	return !cut;
}

void RemoteQueue::run_lazy(CpuQueue &q) noexcept
{
	unsigned ran = 0;
	q.lazy.run([&](cq::Node *node) {	// (Q4)
		{
			// The drain updates the same counters from hard IRQ.
			IrqSaveGuard irqs_off;
			q.stats.count_handled(queued_kind(*node));
			DrainHandler::sample_latency(q.stats, node);
		}
		DrainHandler::traced(node, cq::run_work);
		ran++;
	});
	xk_trace_lazy_run(q.cpu, ran);
}

void RemoteQueue::wait_draining_own(const cq::Node &node) noexcept
{
	wait_draining(node, queues_.this_cpu_unpinned());
}

void RemoteQueue::wait_draining(const cq::Node &node, CpuQueue &own) noexcept
{
	cq::wait_unlocked(node, [&] {	// (2) of call_queue.h
		if (!own.list.empty() || !own.backlog.empty()) {
			IrqSaveGuard irqs_off;
			drain_this_cpu(own);
		}
		cxxrt::cpu_relax();
	});
}

// Waiting for xcall_lazy/N. It runs at SCHED_FIFO priority 1, the class
// kernel/irq_work.c gives its own irq_work/N thread on PREEMPT_RT
// (irq_workd_setup(): sched_set_fifo_low()), so that lazy work yields to
// every real-time task. But then a SCHED_FIFO task that spins on its CPU
// starves it for as long as it spins (at equal priority FIFO never
// yields; RT throttling does not help, it stops both), and whoever waits
// for its items (module unload, the hotplug callback) would wait as long.
// So a wait longer than lazy_starved_ms logs once and raises the thread
// to priority 50 (sched_set_fifo(), the threaded-IRQ priority) until it is
// done, like priority inheritance: the items run, on their CPU and in
// their thread as their kind requires, in spite of any real-time task
// below 50. Nothing else is safe: the items may not run elsewhere, and
// their nodes may not be freed before they ran. Against a task at 50 or
// above nothing in the kernel's unload or hotplug path runs on that CPU
// either (cpuhp/N, kthread_stop() of any per-CPU thread need it). In the
// hotplug callback the CPU is no longer active, so no user task runs there
// (the scheduler pushes them off: balance_push()); only a per-CPU kernel
// thread could still starve xcall_lazy/N.
void RemoteQueue::wait_lazy_idle(int cpu) noexcept
{
	CpuQueue &q = queues_.on(cpu);
	unsigned long long start = xk_clock_ns();
	bool raised = false;
	while (!q.lazy.idle()) {	// (Q4)
		lazy_threads_.wake(cpu);
		xk_msleep(1);
		if (!raised && xk_clock_ns() - start >= lazy_starved_ms * 1000000ULL) {
			raised = true;
			if (!cxxrt::xchg(starved_logged_, 1))
				xk_log(XK_LOG_WARNING,
				       "xcall_lazy/%d has not run its items for %u ms (starved by a real-time task?): "
				       "raised to SCHED_FIFO 50 until it has\n",
				       cpu, lazy_starved_ms);
			lazy_threads_.raise(cpu, true);
		}
	}
	if (raised && !cxxrt::read_once(unloading_))
		lazy_threads_.raise(cpu, false);
}

// Unload waits for every item in flight (the queue knob's batches, then
// the hotplug callbacks) and then stops the threads, which kthread_stop()
// must run: so every lazy thread is raised at once, without waiting
// lazy_starved_ms per CPU (see wait_lazy_idle()).
void RemoteQueue::prepare_unload() noexcept
{
	cxxrt::write_once(unloading_, 1);
	lazy_threads_.raise(-1, true);
}

// ---- queueing ------------------------------------------------------------------------

// Preemption off, on CPU @self: @q is this CPU's or a remote one that
// cannot go offline meanwhile (stop_machine needs this CPU).
void RemoteQueue::kick_cpu(CpuQueue &q, QueueKind kind, int self, CpuMask *defer) noexcept
{
	cxxrt::write_once(q.kick_kind, (unsigned short)kind);	// read by Kick: a label, not an order
	if (q.cpu == self) {
		if (q.self_kick.queue()) {
			q.stats.count_kick(kind, false);
			xk_trace_kick(q.cpu, kind_name(kind), 0);
		}
		return;
	}
	// -EBUSY, or a failed claim: a kick is pending and its handler has not
	// taken the list yet, so it will find this node: (Q2). A claimed
	// deferred kick is sent by kick_mask() before preemption is back on.
	if (defer ? q.kick.try_claim() : q.kick.try_submit(q.cpu) == 0) {
		if (defer)
			defer->set(unsigned(q.cpu));
		q.stats.count_kick(kind, true);
		xk_trace_kick(q.cpu, kind_name(kind), 1);
	}
}

// On each kicked CPU, interrupts off (in the IPI, or in the idle loop if
// the kernel sent one CPU no IPI): the kick claimed for it.
void RemoteQueue::mask_kick_handler(void *rq) noexcept
{
	static_cast<RemoteQueue *>(rq)->queues_.this_cpu_unpinned().kick.run_claimed();
}

void RemoteQueue::kick_mask(CpuMask &cpus) noexcept
{
	if (cpus.empty())
		return;
	// wait=0: each target runs the handler once; the CPUs cannot go
	// offline meanwhile (the caller holds preemption off since it
	// checked them).
	xk_call_many(cpus.bits(), &RemoteQueue::mask_kick_handler, this, 0);
	cpus.for_each([&](int c) { cpus.clear(unsigned(c)); });
}

// The per-node path (a burst is queue(), n times): preemption (PinnedCpu),
// the CPU's queue and the possible check inline (PerCpu), the node's lock
// and the push its only atomics (the lock a plain store for a one_queuer
// node, as csd_lock()); the target counts the node (DrainHandler), not the
// sender. The common case, a remote node with latency stamps off, no kick
// to send and no tracing, calls nothing: everything else is a tail call
// (queue_slow(), pushed_slow()), so that it needs no saved registers.
int RemoteQueue::queue_one(int cpu, cq::Node &node, QueueKind kind, int self, CpuMask *defer) noexcept
{
	if (!queues_.has(cpu))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	const KindInfo &info = kind_info(kind);
	CpuQueue &q = queues_.on(cpu);
	if (!q.accepting.admits())	// (Q1)
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	if (info.irq_work) {
		if (!cq::claim_work(node, info.node_type))	// (3) of call_queue.h
			return pending(q, kind, cpu != self);
	} else if (!cq::lock_node(node, info.node_type)) {
		return refuse(Misuse::NodeInFlight, -XK_EBUSY);
	}
	// The node is ours until the drain hands it over: these writes are
	// published by the push (1). 0: not stamped (ktime_get_ns() is never
	// 0 once booted).
	node.tag = (unsigned short)kind;
	node.queued_ns = 0;
#ifdef XCALL_COST_SENDER_ATOMIC
	// Measurement build only (scripts/cost-breakdown.sh): what the sender
	// did per node before issue 22, a locked add on the target's row (the
	// remote half of `queued`), to weigh it.
	if (cpu != self)
		q.stats.cost_probe_remote_add(kind);
#endif
#ifdef XCALL_COST_BRIDGE_CALLS
	// Measurement build only: the three bridge calls per node made inline
	// by issue 22 (possible check, per_cpu_ptr(), this CPU), to weigh them.
	asm volatile("" : : "r"(xk_cpu_possible(cpu)), "r"(xk_per_cpu_ptr(nullptr, cpu)), "r"(xk_this_cpu()));
#endif
	if (__builtin_expect(cpu == self || cxxrt::read_once(stamp_latency_), 0))
		return queue_slow(q, node, kind, self, defer);
	return push(q, node, kind, self, defer);
}

// The push (1) and, when it made the list non-empty, the kick.
inline int RemoteQueue::push(CpuQueue &q, cq::Node &node, QueueKind kind, int self, CpuMask *defer) noexcept
{
	bool first = q.list.push(&node);	// (1): empty -> non-empty: kick
	if (__builtin_expect(first || xk_trace_enabled(), 0))
		return pushed_slow(q, kind, first, self, defer);
	return queued;
}

// After the push: the trace event (the node may be gone) and the kick.
int RemoteQueue::pushed_slow(CpuQueue &q, QueueKind kind, bool first, int self, CpuMask *defer) noexcept
{
	xk_trace_node_queue(q.cpu, kind_info(kind).name, first);
	if (first)
		kick_cpu(q, kind, self, defer);
	return queued;
}

// A locked or claimed node to this CPU, or with latency stamps on.
int RemoteQueue::queue_slow(CpuQueue &q, cq::Node &node, QueueKind kind, int self, CpuMask *defer) noexcept
{
	if (cxxrt::read_once(stamp_latency_))
		node.queued_ns = xk_clock_ns();
	unsigned type = kind_info(kind).node_type;
	if (q.cpu == self && (type == cq::kind_sync || type == cq::kind_async)) {
		// Like smp_call_function_single*() to this CPU: at once, IRQs off.
		xk_trace_node_queue(q.cpu, kind_info(kind).name, 0);
		IrqSaveGuard irqs_off;
		q.stats.count_queued_here(kind);
		q.stats.count_handled(kind);
		DrainHandler::sample_latency(q.stats, &node);
		if (type == cq::kind_sync)
			DrainHandler::traced(&node, cq::run_sync);
		else
			DrainHandler::traced(&node, cq::run_async);
		return queued;
	}
	return push(q, node, kind, self, defer);
}

// An irq_work item found pending: that run covers this queuer (3).
int RemoteQueue::pending(CpuQueue &q, QueueKind kind, bool remote) noexcept
{
	q.stats.count_pending(kind, remote);
	return already_pending;
}

// ---- hotplug -------------------------------------------------------------------------

int RemoteQueue::cpu_online(unsigned cpu) noexcept
{
	if (!cxxrt::read_once(closed_all_))	// stopping: stays closed
		queues_.on(int(cpu)).accepting.open();	// (Q1)
	return 0;
}

// Runs on @cpu (its hotplug thread) before it goes down.
int RemoteQueue::cpu_offline(unsigned cpu) noexcept
{
	CpuQueue &q = queues_.on(int(cpu));
	// (Q1): every queuer that saw accepting == 1 did so with preemption
	// off: after a grace period they have all pushed and kicked. Once
	// stop() has closed every CPU, its one grace period covered them all.
	if (!cxxrt::read_once(closed_all_)) {
		q.accepting.close();
		xk_synchronize_rcu();
	}
	// Nothing new arrives now: drain until the list and backlog are empty,
	// with interrupts on between drains.
	for (bool done = false; !done;) {
		IrqSaveGuard irqs_off;
		done = drain_this_cpu(q) && q.list.empty();
	}
	wait_lazy_idle(int(cpu));
	return 0;
}

// ---- threads ------------------------------------------------------------------------

int RemoteQueue::lazy_should_run(unsigned cpu) noexcept { return !queues_.on(int(cpu)).lazy.empty(); }

void RemoteQueue::lazy_run(unsigned cpu) noexcept { run_lazy(queues_.on(int(cpu))); }

int RemoteQueue::waiter_should_run(unsigned cpu) noexcept { return queues_.on(int(cpu)).waiter.pending(); }

void RemoteQueue::waiter_run(unsigned cpu) noexcept
{
	CpuQueue &q = queues_.on(int(cpu));
	// Timestamp first, clock second: a wake performed in between (a drain
	// interrupting us) only makes the latency look shorter, never negative.
	unsigned long long performed;
	if (!q.waiter.take(performed))	// (Q3)
		return;
	unsigned long long now = xk_clock_ns();
	q.stats.count_waiter_run(now > performed ? now - performed : 0);
	xk_trace_waiter_run(int(cpu), now > performed ? now - performed : 0);
}

// ---- life cycle ------------------------------------------------------------------------

int RemoteQueue::start() noexcept
{
	int err = queues_.create_per_cpu(this);
	if (!err)
		err = lazy_threads_.start<&RemoteQueue::lazy_should_run, &RemoteQueue::lazy_run>(
			"xcall_lazy/%u", *this, ThreadPriority::FifoLow);
	if (!err)
		err = waiter_threads_.start<&RemoteQueue::waiter_should_run, &RemoteQueue::waiter_run>(
			"xcall_wait/%u", *this, ThreadPriority::Normal);
	if (!err)
		err = hotplug_.add<&RemoteQueue::cpu_online, &RemoteQueue::cpu_offline>("xcall:queue", *this);
	if (err)
		stop();
	return err;
}

void RemoteQueue::stop() noexcept
{
	// Closes every CPU's queue, waits one grace period for queuers past
	// the check (not one per CPU), then drains each online CPU's queue
	// (the offline callback).
	if (queues_.created()) {
		CpusReadGuard no_hotplug;	// no CPU (re)opens meanwhile; after it, none does
		cxxrt::write_once(closed_all_, 1);
		for_each_possible_cpu([&](int cpu) { queues_.on(cpu).accepting.close(); });
		xk_synchronize_rcu();
	}
	hotplug_.remove();
	lazy_threads_.stop();
	waiter_threads_.stop();
	// Each CpuQueue's kick waits for its CSD and self-kick syncs.
	queues_.destroy();
}

int RemoteQueue::reset_stats() noexcept
{
	// No CPU comes or goes meanwhile: an online CPU zeroes its own
	// statistics with interrupts off, an offline one's are zeroed here
	// (its counters only move while it is online).
	CpusReadGuard no_hotplug;
	CpuMask online = online_cpus();
	if (!online.valid())
		return -XK_ENOMEM;
	PerCpu<CpuQueue> *queues = &queues_;
	if (int err = call_on_mask(online, [queues] { queues->this_cpu_unpinned().stats.reset(); }))
		return err;
	for_each_possible_cpu([&](int cpu) {
		if (!online.test(cpu))
			queues_.on(cpu).stats.reset();
	});
	return 0;
}

}  // namespace xcall
