// SPDX-License-Identifier: GPL-2.0
#include "queue/remote_queue.h"

#include "kernel/refusal.h"

namespace xcall {

void RemoteQueue::CpuQueue::Kick::operator()() const noexcept { queue->owner->drain_this_cpu(*queue); }

// ---- the drain -------------------------------------------------------------------

// Runs each node where kinds.h says; counts it on the owner's (this CPU's)
// local counters before handing it over (after that it may be gone).
struct RemoteQueue::DrainHandler {
	RemoteQueue &rq;
	CpuQueue &q;
	bool lazy_added = false;

	void account(cq::Node *node) noexcept
	{
		// queued_ns was read on the sending CPU: where the clocksource is
		// not perfectly in step across CPUs (a TSC trusted with
		// tsc=reliable), a fast drain can read an earlier time. Count
		// that as 0 rather than as a wrapped 2^64 ns.
		unsigned long long now = xk_clock_ns(), queued = node->queued_ns;
		q.stats.count_handled(queued_kind(*node), now > queued ? now - queued : 0);
	}
	void run_sync(cq::Node *node) noexcept
	{
		account(node);
		cq::run_sync(node);
	}
	void run_async(cq::Node *node) noexcept
	{
		account(node);
		cq::run_async(node);
	}
	void run_irq_work(cq::Node *node) noexcept
	{
		if (runs_in_thread(queued_kind(*node), xk_preempt_rt())) {
			q.lazy.push(node);	// run and counted by xcall_lazy/N
			lazy_added = true;
			return;
		}
		account(node);
		cq::run_work(node);
	}
	void run_wake(cq::Node *node) noexcept
	{
		account(node);
		cxxrt::write_once(q.wake_performed_ns, xk_clock_ns());
		cxxrt::store_release(q.waiter_woken, 1);	// (Q3): pairs with waiter_run()'s xchg
		rq.waiter_threads_.wake(q.cpu);
		cq::run_wake(node);
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
	if (h.lazy_added)
		lazy_threads_.wake(q.cpu);
}

void RemoteQueue::run_lazy(CpuQueue &q) noexcept
{
	cxxrt::store_release(q.lazy_running, 1);	// (Q4), before the take
	cq::Node *node = cq::LockFreeList::reverse(q.lazy.take_all());
	while (node) {
		cq::Node *next = node->next;
		{
			// The drain updates the same counters from hard IRQ.
			IrqSaveGuard irqs_off;
			DrainHandler{*this, q}.account(node);
		}
		cq::run_work(node);
		node = next;
	}
	cxxrt::store_release(q.lazy_running, 0);	// (Q4), after the last function
}

void RemoteQueue::wait_draining_own(const cq::Node &node) noexcept
{
	CpuQueue &own = queues_.this_cpu_unpinned();
	while (!node.idle()) {	// (2) of call_queue.h
		if (!own.list.empty()) {
			IrqSaveGuard irqs_off;
			drain_this_cpu(own);
		}
		cxxrt::cpu_relax();
	}
}

void RemoteQueue::wait_lazy_idle(int cpu) noexcept
{
	CpuQueue &q = queues_.on(cpu);
	// (Q4): the list first, with acquire, then the running flag.
	while (!q.lazy.empty_acquire() || cxxrt::load_acquire(q.lazy_running)) {
		lazy_threads_.wake(cpu);
		xk_msleep(1);
	}
}

// ---- queueing ------------------------------------------------------------------------

// Preemption off: @q is this CPU's or a remote one that cannot go offline
// meanwhile (stop_machine needs this CPU).
void RemoteQueue::kick_cpu(CpuQueue &q, QueueKind kind) noexcept
{
	if (q.cpu == this_cpu()) {
		if (q.self_kick.queue())
			q.stats.count_kick(kind, false);
		return;
	}
	// -EBUSY: a kick is pending and its handler has not taken the list
	// yet, so it will find this node: (Q2).
	if (q.kick.try_submit(q.cpu) == 0)
		q.stats.count_kick(kind, true);
}

int RemoteQueue::queue(int cpu, cq::Node &node, QueueKind kind) noexcept
{
	if (!queues_.has(cpu))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	const KindInfo &info = kind_info(kind);
	// Preemption off is also the RCU read side that cpu_offline() waits out.
	PreemptGuard pinned;
	CpuQueue &q = queues_.on(cpu);
	if (!cxxrt::load_acquire(q.accepting))	// (Q1)
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
	node.queued_ns = xk_clock_ns();
	q.stats.count_queued(kind, remote);
	if (!remote && (info.node_type == cq::kind_sync || info.node_type == cq::kind_async)) {
		// Like smp_call_function_single*() to this CPU: at once, IRQs off.
		IrqSaveGuard irqs_off;
		DrainHandler h{*this, q};
		if (info.node_type == cq::kind_sync)
			h.run_sync(&node);
		else
			h.run_async(&node);
		return queued;
	}
	if (q.list.push(&node))	// (1): empty -> non-empty: kick
		kick_cpu(q, kind);
	return queued;
}

// ---- hotplug -------------------------------------------------------------------------

int RemoteQueue::cpu_online(unsigned cpu) noexcept
{
	cxxrt::store_release(queues_.on(int(cpu)).accepting, 1);	// (Q1)
	return 0;
}

// Runs on @cpu (its hotplug thread) before it goes down.
int RemoteQueue::cpu_offline(unsigned cpu) noexcept
{
	CpuQueue &q = queues_.on(int(cpu));
	cxxrt::write_once(q.accepting, 0);
	// (Q1): every queuer that saw accepting == 1 did so with preemption
	// off: after a grace period they have all pushed and kicked.
	xk_synchronize_rcu();
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

int RemoteQueue::waiter_should_run(unsigned cpu) noexcept { return cxxrt::read_once(queues_.on(int(cpu)).waiter_woken); }

void RemoteQueue::waiter_run(unsigned cpu) noexcept
{
	CpuQueue &q = queues_.on(int(cpu));
	if (!cxxrt::xchg(q.waiter_woken, 0))	// (Q3): pairs with run_wake()'s store_release
		return;
	// Timestamp first, clock second: a wake performed in between (a drain
	// interrupting us) only makes the latency look shorter, never negative.
	unsigned long long performed = cxxrt::read_once(q.wake_performed_ns);
	unsigned long long now = xk_clock_ns();
	q.stats.count_waiter_run(now > performed ? now - performed : 0);
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
	// Closes and drains every online CPU's queue (the offline callback).
	hotplug_.remove();
	lazy_threads_.stop();
	waiter_threads_.stop();
	// Each CpuQueue's kick waits for its CSD and self-kick syncs.
	queues_.destroy();
}

void RemoteQueue::reset_stats() noexcept
{
	// Each CPU zeroes its own statistics with interrupts off.
	PerCpu<CpuQueue> *queues = &queues_;
	(void)call_on_mask(online_cpus(), [queues] { queues->this_cpu_unpinned().stats.reset(); });
}

}  // namespace xcall
