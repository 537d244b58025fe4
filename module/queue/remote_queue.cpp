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

// ---- the drain -------------------------------------------------------------------

// Runs each node where kinds.h says; counts it on the owner's (this CPU's)
// local counters before handing it over (after that it may be gone).
struct RemoteQueue::DrainHandler {
	RemoteQueue &rq;
	CpuQueue &q;
	bool lazy_added = false;
	unsigned drained[XK_TRACE_KINDS] = {};	// per kind, for the xcall_drain event

	// The node's function between the xcall_function_entry and _exit
	// events; @node may be gone after run(), func and kind are copies.
	template <typename Run>
	static void traced(cq::Node *node, Run run) noexcept
	{
		const char *kind = kind_name(queued_kind(*node));
		void *func = reinterpret_cast<void *>(node->func);
		xk_trace_function_entry(kind, func);
		run(node);
		xk_trace_function_exit(kind, func);
	}

	void account(cq::Node *node) noexcept
	{
		// queued_ns was read on the sending CPU: where the clocksource is
		// not perfectly in step across CPUs (a TSC trusted with
		// tsc=reliable), a fast drain can read an earlier time. Count
		// that as 0 rather than as a wrapped 2^64 ns.
		drained[unsigned(queued_kind(*node))]++;
		unsigned long long queued = node->queued_ns;
		if (!queued) {	// queued with latency stamps off
			q.stats.count_handled(queued_kind(*node));
			return;
		}
		unsigned long long now = xk_clock_ns();
		q.stats.count_handled(queued_kind(*node), now > queued ? now - queued : 0);
	}
	void run_sync(cq::Node *node) noexcept
	{
		account(node);
		traced(node, cq::run_sync);
	}
	void run_async(cq::Node *node) noexcept
	{
		account(node);
		traced(node, cq::run_async);
	}
	void run_irq_work(cq::Node *node) noexcept
	{
		if (runs_in_thread(queued_kind(*node), xk_preempt_rt())) {
			drained[unsigned(queued_kind(*node))]++;
			q.lazy.push(node);	// run and counted by xcall_lazy/N
			lazy_added = true;
			return;
		}
		account(node);
		traced(node, cq::run_work);
	}
	void run_wake(cq::Node *node) noexcept
	{
		account(node);
		q.waiter.post(xk_clock_ns());	// (Q3)
		rq.waiter_threads_.wake(q.cpu);
		traced(node, cq::run_wake);
	}
};

// The kick's handler (hard IRQ, or the idle loop / a waiting caller with
// interrupts off). Its kick CSD's "queued" was cleared, fully ordered, just
// before this runs, so a queuer that found it set has its node in the list
// taken here: (Q2).
void RemoteQueue::drain_this_cpu(CpuQueue &q) noexcept
{
	cq::Node *taken = q.list.take_all();	// (1), (Q2)
	if (!taken)
		return;
	DrainHandler h{*this, q};
	cq::drain(taken, h);
	xk_trace_drain(q.cpu, h.drained);
	if (h.lazy_added)
		lazy_threads_.wake(q.cpu);
}

void RemoteQueue::run_lazy(CpuQueue &q) noexcept
{
	unsigned ran = 0;
	q.lazy.run([&](cq::Node *node) {	// (Q4)
		{
			// The drain updates the same counters from hard IRQ.
			IrqSaveGuard irqs_off;
			DrainHandler{*this, q}.account(node);
		}
		DrainHandler::traced(node, cq::run_work);
		ran++;
	});
	xk_trace_lazy_run(q.cpu, ran);
}

void RemoteQueue::wait_draining_own(const cq::Node &node) noexcept
{
	CpuQueue &own = queues_.this_cpu_unpinned();
	cq::wait_unlocked(node, [&] {	// (2) of call_queue.h
		if (!own.list.empty()) {
			IrqSaveGuard irqs_off;
			drain_this_cpu(own);
		}
		cxxrt::cpu_relax();
	});
}

void RemoteQueue::wait_lazy_idle(int cpu) noexcept
{
	CpuQueue &q = queues_.on(cpu);
	while (!q.lazy.idle()) {	// (Q4)
		lazy_threads_.wake(cpu);
		xk_msleep(1);
	}
}

// ---- queueing ------------------------------------------------------------------------

// Preemption off: @q is this CPU's or a remote one that cannot go offline
// meanwhile (stop_machine needs this CPU).
void RemoteQueue::kick_cpu(CpuQueue &q, QueueKind kind) noexcept
{
	cxxrt::write_once(q.kick_kind, (unsigned short)kind);	// read by Kick: a label, not an order
	if (q.cpu == this_cpu()) {
		if (q.self_kick.queue()) {
			q.stats.count_kick(kind, false);
			xk_trace_kick(q.cpu, kind_name(kind), 0);
		}
		return;
	}
	// -EBUSY: a kick is pending and its handler has not taken the list
	// yet, so it will find this node: (Q2).
	if (q.kick.try_submit(q.cpu) == 0) {
		q.stats.count_kick(kind, true);
		xk_trace_kick(q.cpu, kind_name(kind), 1);
	}
}

int RemoteQueue::queue(int cpu, cq::Node &node, QueueKind kind) noexcept
{
	if (!queues_.has(cpu))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	const KindInfo &info = kind_info(kind);
	// Preemption off is also the RCU read side that cpu_offline() waits out.
	PreemptGuard pinned;
	CpuQueue &q = queues_.on(cpu);
	if (!q.accepting.admits())	// (Q1)
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	bool remote = cpu != this_cpu();
	if (info.irq_work) {
		if (!cq::claim_work(node, info.node_type)) {	// (3) of call_queue.h
			q.stats.count_pending(kind, remote);
			return already_pending;
		}
	} else if (!cq::lock_node(node, info.node_type)) {
		return refuse(Misuse::NodeInFlight, -XK_EBUSY);
	}
	// The node is ours until the drain hands it over: these writes are
	// published by the push (1).
	node.tag = (unsigned short)kind;
	// 0: not stamped (ktime_get_ns() is never 0 once booted).
	node.queued_ns = cxxrt::read_once(stamp_latency_) ? xk_clock_ns() : 0;
	q.stats.count_queued(kind, remote);
	if (!remote && (info.node_type == cq::kind_sync || info.node_type == cq::kind_async)) {
		// Like smp_call_function_single*() to this CPU: at once, IRQs off.
		xk_trace_node_queue(cpu, info.name, 0);
		IrqSaveGuard irqs_off;
		DrainHandler h{*this, q};
		if (info.node_type == cq::kind_sync)
			h.run_sync(&node);
		else
			h.run_async(&node);
		return queued;
	}
	bool first = q.list.push(&node);	// (1): empty -> non-empty: kick
	xk_trace_node_queue(cpu, info.name, first);	// after the push: node may be gone
	if (first)
		kick_cpu(q, kind);
	return queued;
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
	{
		IrqSaveGuard irqs_off;
		drain_this_cpu(q);
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
