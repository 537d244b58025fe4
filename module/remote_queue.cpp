// SPDX-License-Identifier: GPL-2.0
#include "remote_queue.h"

#include "refusal.h"

namespace xcall {

namespace {
constexpr const char *kind_names[queue_kinds] = {"call", "async", "irq_work", "irq_work_hard", "irq_work_lazy", "wake"};
}

const char *queue_kind_name(QueueKind kind) noexcept
{
	return unsigned(kind) < queue_kinds ? kind_names[unsigned(kind)] : "?";
}

void Histogram::add(unsigned long long ns) noexcept
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

void CpuQueue::Kick::operator()() const noexcept { queue->owner->drain_this_cpu(*queue); }

// ---- the drain -------------------------------------------------------------------

// Runs each node where the rules say; counts it on the owner's (this CPU's)
// local counters before handing it over (after that it may be gone).
struct RemoteQueue::DrainHandler {
	CpuQueue &q;
	bool lazy_added = false;

	void account(cq::Node *node) noexcept
	{
		KindStats &s = q.stats[node->tag];
		cxxrt::local_inc(s.handled);
		// queued_ns was read on the sending CPU: where the clocksource is
		// not perfectly in step across CPUs (a TSC trusted with
		// tsc=reliable), a fast drain can read an earlier time. Count
		// that as 0 rather than as a wrapped 2^64 ns.
		unsigned long long now = xk_clock_ns(), queued = node->queued_ns;
		s.latency.add(now > queued ? now - queued : 0);
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
		unsigned flags = cxxrt::read_once(node->flags);
		if ((flags & cq::work_lazy) || (xk_preempt_rt() && !(flags & cq::work_hard))) {
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
		cxxrt::store_release(q.waiter_woken, 1);	// pairs with waiter_run()'s xchg
		xk_percpu_thread_wake(XK_THREADS_WAITER, q.cpu);
		cq::run_wake(node);
	}
};

void RemoteQueue::drain_this_cpu(CpuQueue &q) noexcept
{
	cq::Node *taken = q.list.take_all();
	if (!taken)
		return;
	DrainHandler h{q};
	cq::drain(taken, h);
	if (h.lazy_added)
		xk_percpu_thread_wake(XK_THREADS_LAZY, q.cpu);
}

void RemoteQueue::run_lazy(CpuQueue &q) noexcept
{
	cxxrt::store_release(q.lazy_running, 1);
	cq::Node *node = cq::LockFreeList::reverse(q.lazy.take_all());
	while (node) {
		cq::Node *next = node->next;
		{
			// The drain updates the same counters from hard IRQ.
			IrqSaveGuard irqs_off;
			DrainHandler{q}.account(node);
		}
		cq::run_work(node);
		node = next;
	}
	cxxrt::store_release(q.lazy_running, 0);
}

void RemoteQueue::wait_draining_own(const cq::Node &node) noexcept
{
	CpuQueue &own = queues_.this_cpu_unpinned();
	while (cxxrt::load_acquire(node.flags) & cq::locked) {	// (2) of call_queue.h
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
	while (!q.lazy.empty() || cxxrt::load_acquire(q.lazy_running)) {
		xk_percpu_thread_wake(XK_THREADS_LAZY, cpu);
		xk_msleep(1);
	}
}

// ---- queueing ------------------------------------------------------------------------

void RemoteQueue::count_queued(CpuQueue &q, QueueKind kind, bool remote) noexcept
{
	q.stats[unsigned(kind)].queued.add(remote);
}

// Preemption off: @q is this CPU's or a remote one that cannot go offline
// meanwhile (stop_machine needs this CPU).
void RemoteQueue::kick_cpu(CpuQueue &q, QueueKind kind) noexcept
{
	KindStats &s = q.stats[unsigned(kind)];
	if (q.cpu == this_cpu()) {
		if (q.self_kick.queue())
			s.kicks.add_local();
		return;
	}
	// -EBUSY: a kick is pending and its handler has not taken the list
	// yet, so it will find this node (the push and try_submit() are fully
	// ordered; its trampoline clears "queued" fully ordered before it
	// takes the list).
	if (q.kick.try_submit(q.cpu) == 0)
		s.kicks.add_remote();
}

int RemoteQueue::queue(int cpu, cq::Node &node, QueueKind kind) noexcept
{
	if (!queues_.has(cpu))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	node.tag = (unsigned short)kind;
	// Preemption off is also the RCU read side that cpu_offline() waits out.
	PreemptGuard pinned;
	CpuQueue &q = queues_.on(cpu);
	if (!cxxrt::load_acquire(q.accepting))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	node.queued_ns = xk_clock_ns();
	bool remote = cpu != this_cpu();
	count_queued(q, kind, remote);
	unsigned type = node.kind();
	if (!remote && (type == cq::kind_sync || type == cq::kind_async)) {
		// Like smp_call_function_single*() to this CPU: at once, IRQs off.
		IrqSaveGuard irqs_off;
		DrainHandler h{q};
		if (type == cq::kind_sync)
			h.run_sync(&node);
		else
			h.run_async(&node);
		return 0;
	}
	if (q.list.push(&node))	// (1): empty -> non-empty: kick
		kick_cpu(q, kind);
	return 0;
}

int RemoteQueue::queue_irq_work(int cpu, cq::Node &item, QueueKind kind) noexcept
{
	if (!queues_.has(cpu))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	PreemptGuard pinned;
	CpuQueue &q = queues_.on(cpu);
	if (!cxxrt::load_acquire(q.accepting))
		return refuse(Misuse::BadCpu, -XK_ENXIO);
	bool remote = cpu != this_cpu();
	if (!cq::claim_work(item)) {	// (3) of call_queue.h
		q.stats[unsigned(kind)].pending.add(remote);
		return 0;
	}
	item.tag = (unsigned short)kind;
	item.queued_ns = xk_clock_ns();
	count_queued(q, kind, remote);
	if (q.list.push(&item))
		kick_cpu(q, kind);
	return 1;
}

// ---- hotplug -------------------------------------------------------------------------

int RemoteQueue::cpu_online(unsigned cpu) noexcept
{
	cxxrt::store_release(queues_.on(int(cpu)).accepting, 1);
	return 0;
}

// Runs on @cpu (its hotplug thread) before it goes down.
int RemoteQueue::cpu_offline(unsigned cpu) noexcept
{
	CpuQueue &q = queues_.on(int(cpu));
	cxxrt::write_once(q.accepting, 0);
	// Every queuer that saw accepting == 1 did so with preemption off:
	// after a grace period they have all pushed and kicked.
	xk_synchronize_rcu();
	{
		IrqSaveGuard irqs_off;
		drain_this_cpu(q);
	}
	wait_lazy_idle(int(cpu));
	return 0;
}

// ---- threads ------------------------------------------------------------------------

int RemoteQueue::lazy_should_run(void *ctx, unsigned cpu) noexcept
{
	return !static_cast<RemoteQueue *>(ctx)->queues_.on(int(cpu)).lazy.empty();
}

void RemoteQueue::lazy_run(void *ctx, unsigned cpu) noexcept
{
	auto *self = static_cast<RemoteQueue *>(ctx);
	self->run_lazy(self->queues_.on(int(cpu)));
}

int RemoteQueue::waiter_should_run(void *ctx, unsigned cpu) noexcept
{
	return cxxrt::read_once(static_cast<RemoteQueue *>(ctx)->queues_.on(int(cpu)).waiter_woken);
}

void RemoteQueue::waiter_run(void *ctx, unsigned cpu) noexcept
{
	CpuQueue &q = static_cast<RemoteQueue *>(ctx)->queues_.on(int(cpu));
	if (!cxxrt::xchg(q.waiter_woken, 0))	// pairs with run_wake()'s store_release
		return;
	// Timestamp first, clock second: a wake performed in between (a drain
	// interrupting us) only makes the latency look shorter, never negative.
	unsigned long long performed = cxxrt::read_once(q.wake_performed_ns);
	unsigned long long now = xk_clock_ns();
	q.wake_run.add(now > performed ? now - performed : 0);
	cxxrt::local_inc(q.waiter_runs);
}

// ---- life cycle ------------------------------------------------------------------------

int RemoteQueue::start() noexcept
{
	int err = queues_.create_per_cpu(this);
	if (!err) {
		err = xk_percpu_threads_start(XK_THREADS_LAZY, "xcall_lazy/%u", &lazy_should_run, &lazy_run, this, 1);
		lazy_threads_ = err == 0;
	}
	if (!err) {
		err = xk_percpu_threads_start(XK_THREADS_WAITER, "xcall_wait/%u", &waiter_should_run, &waiter_run, this,
					      0);
		waiter_threads_ = err == 0;
	}
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
	if (cxxrt::exchange(lazy_threads_, false))
		xk_percpu_threads_stop(XK_THREADS_LAZY);
	if (cxxrt::exchange(waiter_threads_, false))
		xk_percpu_threads_stop(XK_THREADS_WAITER);
	// Each CpuQueue's kick waits for its CSD and self-kick syncs.
	queues_.destroy();
}

void RemoteQueue::reset_stats() noexcept
{
	// Each CPU zeroes its own row with interrupts off, so that no local
	// increment is torn; concurrent remote increments may be lost.
	PerCpu<CpuQueue> *queues = &queues_;
	(void)call_on_mask(online_cpus(), [queues] {
		CpuQueue &q = queues->this_cpu_unpinned();
		for (KindStats &s : q.stats)
			s = KindStats{};
		q.wake_run = Histogram{};
		q.waiter_runs = 0;
	});
}

}  // namespace xcall
