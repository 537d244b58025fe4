// SPDX-License-Identifier: GPL-2.0
// In-kernel tests of the merged queue (remote_queue.h): drain order, the
// IRQs-off cross-call, the guarantee of "smp: Non busy-waiting IPI queue"
// (LKML 2014) for remote irq_work, local
// target rules and where each kind runs. The kselftest queue_test adds the
// counts, IPIs, errors, hotplug and unload checks through debugfs.
#include <cxxrt/atomic.h>
#include <cxxrt/memory.h>

#include "queue/remote_queue.h"
#include "selftest/selftest.h"

namespace xcall {
namespace {

// Keeps @target in hard IRQ (an async call spinning there) until its queue
// holds @nodes nodes or @ms pass; the queue's kick to it stays pending
// meanwhile, so what is queued accumulates in one list. start() returns
// once the target spins; finished() waits for it and says whether the
// count was reached.
class CpuBlocker : cxxrt::Pinned {
public:
	CpuBlocker(RemoteQueue &rq, int target, unsigned nodes, unsigned ms) noexcept
		: call_(Spin{this, &rq, target, nodes, ms})
	{
	}

	// Also hold the target after the count is reached, until release().
	void hold() noexcept { cxxrt::write_once(held_, 1); }
	void release() noexcept { cxxrt::store_release(held_, 0); }

	bool start(int target) noexcept
	{
		return call_.submit(target) == 0 && spin_until([&] { return cxxrt::load_acquire(spinning_) != 0; });
	}
	bool finished() noexcept
	{
		call_.wait();
		return saw_all_;
	}

private:
	struct Spin {
		CpuBlocker *self;
		RemoteQueue *rq;
		int target;
		unsigned nodes, ms;
		void operator()() const noexcept
		{
			cxxrt::store_release(self->spinning_, 1);
			self->saw_all_ = spin_until([this] { return rq->queued_unstable(target) >= nodes; }, ms);
			spin_until([this] { return !cxxrt::load_acquire(self->held_); }, ms);
		}
	};

	int spinning_ = 0, saw_all_ = 0, held_ = 0;
	AsyncCall<Spin> call_;
};

// A node of a case's frame must be idle before the frame ends, or a later
// drain would call through a dead frame. Spins up to @ms for it (a failure
// the case reports); then, if the caller may sleep, sleeps until it is
// idle, else spins on: the nodes of the cases that hold preemption off run
// in a remote CPU's hard IRQ (or its offline drain), never on this CPU.
bool settle(const cq::Node &node, unsigned ms = 2000) noexcept
{
	if (spin_until([&] { return node.idle(); }, ms))
		return true;
	while (!node.idle()) {
		if (current_context() == Context::Task)
			xk_msleep(1);
		else
			cxxrt::cpu_relax();
	}
	return false;
}

// A node that appends its id to a shared log when it runs.
struct Logged : cq::Node {
	int id = 0;
	int *log = nullptr;
	int *next_slot = nullptr;
	int context_ok = 1;
};

void log_run(cq::Node *n) noexcept
{
	auto *node = static_cast<Logged *>(n);	// owner: the case's frame, which waits until it is idle
	int slot = cxxrt::fetch_add(*node->next_slot, 1);
	if (slot < 8)
		node->log[slot] = node->id;
}

// Five nodes for a blocked CPU, queued wake, async, irq_work, async, sync:
// the drain must run the sync call first, then the async calls and the
// irq_work item in queueing order, then the wake-up.
void queue_drain_order(Check &check, const SelfTestEnv &env)
{
	RemoteQueue &rq = env.queue;
	PreemptGuard pinned;
	int self = this_cpu(), target = other_online_cpu(self);
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return;
	int log[8] = {}, slot = 0;
	Logged node[5];
	const QueueKind kinds[5] = {QueueKind::Wake, QueueKind::Async, QueueKind::IrqWorkHard, QueueKind::Async,
				    QueueKind::Call};
	for (int i = 0; i < 5; i++) {
		node[i].id = i;
		node[i].log = log;
		node[i].next_slot = &slot;
		node[i].func = log_run;
	}

	// Keep the target in hard IRQ until all five nodes are in its list.
	CpuBlocker blocker(rq, target, 5, 2000);
	check.expect(blocker.start(target), "blocker never ran");
	for (int i = 0; i < 4; i++) {
		int ret = rq.queue(target, node[i], kinds[i]);
		check.expect(ret == RemoteQueue::queued, "queueing node %d returned %d", i, ret);
	}
	// The sync call is queued last and waits: the blocker then returns.
	// (Waited for only if queued: a refused node never unlocks.)
	if (check.expect(rq.queue(target, node[4], kinds[4]) == RemoteQueue::queued, "sync node not queued"))
		rq.wait_draining_own(node[4]);
	bool saw_all = blocker.finished();
	bool settled = true;
	for (Logged &n : node)
		settled &= settle(n);
	check.expect(settled, "nodes never finished");
	check.expect(saw_all, "the blocker gave up before the five nodes were queued");
	check.expect(slot == 5, "%d nodes ran, expected 5", slot);
	const int expected[5] = {4, 1, 2, 3, 0};
	for (int i = 0; i < 5; i++)
		check.expect(log[i] == expected[i], "position %d ran node %d, expected %d (order %d%d%d%d%d)", i,
			     log[i], expected[i], log[0], log[1], log[2], log[3], log[4]);
}

// Two CPUs each make a synchronous call to the other with interrupts off.
// Neither can take the other's kick IPI; each completes because it drains
// its own list while waiting. A broken implementation hangs here (and the
// guest run fails on its time limit).
void queue_cross_call_irqs_off(Check &check, const SelfTestEnv &env)
{
	int self = this_cpu(), other = other_online_cpu(self);
	if (!check.expect(other >= 0, "needs two online CPUs"))
		return;
	struct Result {
		int done = 0, err = 0, ran_on = -1, irqs_were_off = 0;
	} results[2];
	int pair[2] = {self, other};
	CpuMask both;
	both.set(unsigned(self));
	both.set(unsigned(other));
	int arrived = 0;
	auto fn = [&] {
		int me = this_cpu() == pair[0] ? 0 : 1;
		Result &r = results[me];
		r.irqs_were_off = xk_irqs_disabled();
		// Rendezvous, so that both really wait at the same time.
		cxxrt::fetch_add(arrived, 1);
		spin_until([&] { return cxxrt::load_acquire(arrived) >= 2; }, 500);
		int *ran_on = &results[1 - me].ran_on;	// the callee records where it ran
		r.err = env.queue.call(pair[1 - me], [ran_on] { cxxrt::write_once(*ran_on, this_cpu()); });
		cxxrt::store_release(r.done, 1);
	};
	check.expect(call_on_mask(both, fn) == 0, "call_on_mask failed");
	for (int i = 0; i < 2; i++) {
		check.expect(results[i].done && results[i].err == 0, "CPU %d: call returned %d", pair[i], results[i].err);
		check.expect(results[i].irqs_were_off, "CPU %d called with interrupts on", pair[i]);
		check.expect(results[1 - i].ran_on == pair[1 - i], "call to CPU %d ran on %d", pair[1 - i],
			     results[1 - i].ran_on);
	}
}

// The "Non busy-waiting IPI queue" guarantee across CPUs: write a sequence number, then queue the
// same irq_work item to another CPU, 20000 times; many claims fail (already
// pending), yet the last run sees the last number.
void queue_remote_irq_work_sees_latest(Check &check, const SelfTestEnv &env)
{
	int self = this_cpu(), target = other_online_cpu(self);
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return;
	struct Item : cq::Node {
		long sequence = 0;	// read_once/write_once
		long seen = -1;
		long runs = 0;
	} item;
	item.func = [](cq::Node *n) {
		auto *it = static_cast<Item *>(n);	// owner: the case's frame, which waits until it is idle
		it->seen = cxxrt::read_once(it->sequence);
		it->runs++;
	};
	constexpr long rounds = 20000;
	long claimed = 0, failed = 0;
	for (long i = 1; i <= rounds; i++) {
		cxxrt::write_once(item.sequence, i);
		int ret = env.queue.queue(target, item, QueueKind::IrqWorkHard);
		claimed += ret == 1;
		failed += ret == 0;
		if (ret < 0)
			break;
	}
	check.expect(settle(item), "item never went idle");
	check.expect(claimed + failed == rounds, "%ld claims and %ld pending of %ld", claimed, failed, rounds);
	check.expect(item.seen == rounds, "last run saw %ld, expected %ld", item.seen, rounds);
	check.expect(item.runs == claimed, "ran %ld times for %ld claims", item.runs, claimed);
}

// Local rules: a call to this CPU runs before queue() returns, interrupts
// off; an irq_work item to this CPU is a self-IPI: with interrupts off it
// waits, and runs in hard IRQ once they are back on.
void queue_local_target_rules(Check &check, const SelfTestEnv &env)
{
	RemoteQueue &rq = env.queue;
	PreemptGuard pinned;
	int self = this_cpu();
	struct Probe : cq::Node {
		int ran = 0, cpu = -1;
		Context context = Context::Task;
	};
	auto record = [](cq::Node *n) {
		auto *p = static_cast<Probe *>(n);	// owner: the case's frame, which waits until it is idle
		p->ran++;
		p->cpu = this_cpu();
		p->context = current_context();
	};
	Probe call;
	call.func = record;
	check.expect(rq.queue(self, call, QueueKind::Async) == RemoteQueue::queued, "local async refused");
	check.expect(call.ran == 1 && call.context == Context::IrqsOffTask, "local async ran %d times in %s context",
		     call.ran, context_name(call.context));

	Probe work;
	work.func = record;
	{
		IrqSaveGuard irqs_off;
		check.expect(rq.queue(self, work, QueueKind::IrqWorkHard) == RemoteQueue::queued, "local irq_work not claimed");
		check.expect(work.ran == 0, "local irq_work ran with interrupts off");
	}
	check.expect(settle(work), "local irq_work never ran");
	check.expect(work.ran == 1 && work.cpu == self, "local irq_work ran %d times on CPU %d", work.ran, work.cpu);
	check.expect(work.context == Context::HardIrq, "local irq_work ran in %s context", context_name(work.context));
}

// Where a remote node of each kind runs: hard irq_work in the drain
// (interrupts off), lazy ones in xcall_lazy/N, non-hard ones there too on
// PREEMPT_RT; a wake-up wakes the target's waiter thread.
void queue_contexts_per_kind(Check &check, const SelfTestEnv &env)
{
	RemoteQueue &rq = env.queue;
	int self = this_cpu(), target = other_online_cpu(self);
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return;
	struct Probe : cq::Node {
		int cpu = -1, irqs_off = 0;
		Context context = Context::Task;
		char comm[16] = {};
	};
	auto record = [](cq::Node *n) {
		auto *p = static_cast<Probe *>(n);	// owner: the case's frame, which waits until it is idle
		p->cpu = this_cpu();
		p->irqs_off = xk_irqs_disabled();
		p->context = current_context();
		xk_current_comm(p->comm);
	};
	const QueueKind kinds[3] = {QueueKind::IrqWorkHard, QueueKind::IrqWork, QueueKind::IrqWorkLazy};
	for (int i = 0; i < 3; i++) {
		Probe p;
		p.func = record;
		check.expect(rq.queue(target, p, kinds[i]) == RemoteQueue::queued, "%s not claimed", kind_name(kinds[i]));
		check.expect(settle(p), "%s never ran", kind_name(kinds[i]));
		bool thread = runs_in_thread(kinds[i], xk_preempt_rt());
		check.expect(p.cpu == target, "%s ran on CPU %d, not %d", kind_name(kinds[i]), p.cpu, target);
		if (thread)
			check.expect(p.context == Context::Task && __builtin_strncmp(p.comm, "xcall_lazy/", 11) == 0,
				     "%s ran in %s context, task '%s'", kind_name(kinds[i]),
				     context_name(p.context), p.comm);
		else
			check.expect(p.irqs_off, "%s ran with interrupts on (task '%s')", kind_name(kinds[i]),
				     p.comm);
	}

	unsigned long runs_before = rq.stats(target).waiter_runs();
	Probe wake;
	wake.func = record;
	check.expect(rq.queue(target, wake, QueueKind::Wake) == RemoteQueue::queued, "wake refused");
	check.expect(settle(wake), "wake never performed");
	check.expect(wake.cpu == target && wake.irqs_off, "wake performed on CPU %d, interrupts %s", wake.cpu,
		     wake.irqs_off ? "off" : "on");
	check.expect(spin_until([&] { return rq.stats(target).waiter_runs() > runs_before; }),
		     "the waiter thread of CPU %d never ran", target);
}

bool queue_burst_to_blocked_cpu(Check &check, RemoteQueue &rq, cq::Node *nodes, unsigned burst);

// A burst to a busy CPU coalesces: 1000 async nodes queued while the
// target sits in hard IRQ make one empty -> non-empty transition, so
// exactly one kick, and all 1000 run once it returns.
// @burst heap nodes for @run_case(nodes), which queues them with preemption
// off (so they are allocated before) and returns whether all are idle again.
// Nodes still queued after the case's time limit are leaked rather than
// freed under the queue (and the leak fails the suite at unload).
template <typename Case>
void with_heap_nodes(Check &check, unsigned burst, Case run_case)
{
	cq::Node *nodes = new (cxxrt::may_sleep) cq::Node[burst];
	if (!check.expect(nodes != nullptr, "allocation failed"))
		return;
	if (run_case(nodes))
		delete[] nodes;
}

void queue_burst_sends_one_kick(Check &check, const SelfTestEnv &env)
{
	constexpr unsigned burst = 1000;
	with_heap_nodes(check, burst,
			[&](cq::Node *nodes) { return queue_burst_to_blocked_cpu(check, env.queue, nodes, burst); });
}

// Returns whether every node is idle again (the caller may free them).
bool queue_burst_to_blocked_cpu(Check &check, RemoteQueue &rq, cq::Node *nodes, unsigned burst)
{
	PreemptGuard pinned;
	int self = this_cpu(), target = other_online_cpu(self);
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return true;
	CpuStats::Row before = rq.stats(target).read(QueueKind::Async);
	static int runs;
	cxxrt::write_once(runs, 0);

	CpuBlocker blocker(rq, target, burst, 5000);
	check.expect(blocker.start(target), "blocker never ran");
	for (unsigned i = 0; i < burst; i++) {
		cq::Node &n = nodes[i];
		n.func = [](cq::Node *) { cxxrt::fetch_add(runs, 1); };
		check.expect(rq.queue(target, n, QueueKind::Async) == RemoteQueue::queued, "node %u refused", i);
	}
	bool saw_all = blocker.finished();
	check.expect(spin_until([&] { return cxxrt::load_acquire(runs) == int(burst); }), "%d of %u nodes ran",
		     cxxrt::read_once(runs), burst);
	bool idle = spin_until([&] {
		for (unsigned i = 0; i < burst; i++)
			if (!nodes[i].idle())
				return false;
		return true;
	});
	check.expect(idle, "nodes still queued after 2 s");
	CpuStats::Row after = rq.stats(target).read(QueueKind::Async);
	unsigned long kicks = after.kicks - before.kicks;
	check.expect(saw_all, "the blocker gave up before the burst was queued");
	check.expect(kicks == 1, "%lu kicks for one burst, expected 1", kicks);
	check.expect(after.handled - before.handled == burst, "handled %lu, expected %u",
		     after.handled - before.handled, burst);
	return idle;
}

// The drain budget: 2.5 budgets of async nodes queued to a CPU held in hard
// IRQ sit in one list behind one kick; its drain runs one budget and each
// resume the next, so the target counts three drains, two of them cut,
// none above the budget, and the nodes run once each in queueing order.
bool queue_budget_to_blocked_cpu(Check &check, RemoteQueue &rq, cq::Node *nodes, unsigned burst);

void queue_drain_budget(Check &check, const SelfTestEnv &env)
{
	constexpr unsigned burst = RemoteQueue::drain_budget * 5 / 2;
	with_heap_nodes(check, burst,
			[&](cq::Node *nodes) { return queue_budget_to_blocked_cpu(check, env.queue, nodes, burst); });
}

bool queue_budget_to_blocked_cpu(Check &check, RemoteQueue &rq, cq::Node *nodes, unsigned burst)
{
	PreemptGuard pinned;
	int self = this_cpu(), target = other_online_cpu(self);
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return true;
	CpuStats::Row before = rq.stats(target).read(QueueKind::Async);
	CpuStats::Drains drains_before = rq.drains(target);
	// The nodes' position in the array, from their address: runs and
	// out_of_order are written only by the target, in its drains.
	static cq::Node *first;
	static unsigned runs, out_of_order;
	cxxrt::write_once(first, nodes);
	cxxrt::write_once(runs, 0U);
	cxxrt::write_once(out_of_order, 0U);

	CpuBlocker blocker(rq, target, burst, 5000);
	check.expect(blocker.start(target), "blocker never ran");
	for (unsigned i = 0; i < burst; i++) {
		cq::Node &n = nodes[i];
		n.func = [](cq::Node *node) {
			unsigned ran = cxxrt::read_once(runs);
			if (node - cxxrt::read_once(first) != long(ran))
				cxxrt::write_once(out_of_order, cxxrt::read_once(out_of_order) + 1);
			cxxrt::store_release(runs, ran + 1);
		};
		check.expect(rq.queue(target, n, QueueKind::Async) == RemoteQueue::queued, "node %u refused", i);
	}
	bool saw_all = blocker.finished();
	check.expect(spin_until([&] { return cxxrt::load_acquire(runs) == burst; }), "%u of %u nodes ran",
		     cxxrt::read_once(runs), burst);
	bool idle = spin_until([&] {
		for (unsigned i = 0; i < burst; i++)
			if (!nodes[i].idle())
				return false;
		return true;
	});
	check.expect(idle, "nodes still queued after 2 s");
	CpuStats::Row after = rq.stats(target).read(QueueKind::Async);
	CpuStats::Drains drains = rq.drains(target);
	check.expect(saw_all, "the blocker gave up before the burst was queued");
	check.expect(cxxrt::read_once(out_of_order) == 0, "%u nodes ran out of queueing order",
		     cxxrt::read_once(out_of_order));
	check.expect(after.kicks - before.kicks == 1, "%lu kicks, expected 1 (resumes are not kicks)",
		     after.kicks - before.kicks);
	check.expect(after.handled - before.handled == burst, "handled %lu, expected %u",
		     after.handled - before.handled, burst);
	check.expect(drains.drains - drains_before.drains >= 3 && drains.cut - drains_before.cut >= 2,
		     "%lu drains, %lu cut for %u nodes (budget %u): expected at least 3 and 2",
		     drains.drains - drains_before.drains, drains.cut - drains_before.cut, burst,
		     RemoteQueue::drain_budget);
	check.expect(drains.max_nodes == RemoteQueue::drain_budget, "a drain ran %lu nodes, budget %u",
		     drains.max_nodes, RemoteQueue::drain_budget);
	return idle;
}

// Claim semantics on a remote item, deterministically: while the target is
// held in hard IRQ the item stays pending, so queueing it again returns 0
// ("pending") and is counted as such; it then runs exactly once.
// queue_each(): a sync node to every other online CPU, kicked by one mask
// IPI (interrupts on) or one kick each (interrupts off: no mask IPI
// allowed there), runs once on its CPU; each target counts one kick (its
// list was empty), and the kick mask is left empty.
struct WhereRan : cq::Node {
	int ran_on = -1;
};

// Waits for every node: they are idle when it returns.
void queue_each_round(Check &check, RemoteQueue &rq, WhereRan *nodes, bool irqs_off)
{
	PreemptGuard pinned;
	int self = this_cpu();
	CpuMask others = online_cpus(), kicked;
	if (!check.expect(others.valid() && kicked.valid(), "mask allocation failed"))
		return;
	others.clear(unsigned(self));
	if (!check.expect(!others.empty(), "needs two online CPUs"))
		return;
	unsigned long kicks_before = 0;	// summed over the targets
	others.for_each([&](int c) {
		CpuStats::Row row = rq.stats(c).read(QueueKind::Call);
		kicks_before += row.kicks;
		nodes[c].ran_on = -1;
		nodes[c].func = [](cq::Node *n) { cxxrt::write_once(static_cast<WhereRan *>(n)->ran_on, this_cpu()); };
	});
	unsigned refused = 0;
	auto node_of = [&](int c) -> cq::Node & { return nodes[c]; };
	auto each = [&](int, int ret) { refused += ret != RemoteQueue::queued; };
	if (irqs_off) {
		IrqSaveGuard off;
		rq.queue_each(others, kicked, QueueKind::Call, node_of, each);
		others.for_each([&](int c) { rq.wait_draining_own(nodes[c]); });
	} else {
		rq.queue_each(others, kicked, QueueKind::Call, node_of, each);
		others.for_each([&](int c) { rq.wait_draining_own(nodes[c]); });
	}
	check.expect(refused == 0, "%u nodes refused", refused);
	unsigned long kicks_after = 0;
	others.for_each([&](int c) {
		kicks_after += rq.stats(c).read(QueueKind::Call).kicks;
		check.expect(cxxrt::read_once(nodes[c].ran_on) == c, "node for CPU %d ran on %d (interrupts %s)", c,
			     cxxrt::read_once(nodes[c].ran_on), irqs_off ? "off" : "on");
	});
	check.expect(kicks_after - kicks_before == others.count(), "%lu kicks for %u CPUs (interrupts %s)",
		     kicks_after - kicks_before, others.count(), irqs_off ? "off" : "on");
	check.expect(kicked.empty(), "the kick mask was left set");
}

void queue_each_kicks_by_mask(Check &check, const SelfTestEnv &env)
{
	unsigned n = nr_cpu_ids();
	WhereRan *nodes = new (cxxrt::may_sleep) WhereRan[n];
	if (!check.expect(nodes != nullptr, "allocation failed"))
		return;
	queue_each_round(check, env.queue, nodes, false);
	queue_each_round(check, env.queue, nodes, true);
	delete[] nodes;
}

void queue_irq_work_pending_claim(Check &check, const SelfTestEnv &env)
{
	RemoteQueue &rq = env.queue;
	PreemptGuard pinned;
	int self = this_cpu(), target = other_online_cpu(self);
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return;
	unsigned long pending_before = rq.stats(target).read(QueueKind::IrqWorkHard).pending;
	struct Item : cq::Node {
		int runs = 0;
	} item;
	// Owner: the case's frame, which waits until the item is idle.
	item.func = [](cq::Node *n) { static_cast<Item *>(n)->runs++; };

	CpuBlocker blocker(rq, target, 1, 2000);
	blocker.hold();
	check.expect(blocker.start(target), "blocker never ran");
	int first = rq.queue(target, item, QueueKind::IrqWorkHard);
	int second = rq.queue(target, item, QueueKind::IrqWorkHard);
	int third = rq.queue(target, item, QueueKind::IrqWorkHard);
	blocker.release();
	blocker.finished();
	check.expect(settle(item), "item never went idle");
	check.expect(first == 1, "first queueing returned %d, expected 1 (claimed)", first);
	check.expect(second == 0 && third == 0, "re-queueing a pending item returned %d and %d, expected 0", second,
		     third);
	check.expect(item.runs == 1, "ran %d times, expected 1", item.runs);
	unsigned long pending = rq.stats(target).read(QueueKind::IrqWorkHard).pending;
	check.expect(pending - pending_before == 2, "pending counted %lu, expected 2", pending - pending_before);
}

constexpr SelfTestCase queue_cases[] = {
	{"queue_irq_work_pending_claim", queue_irq_work_pending_claim},
	{"queue_each_kicks_by_mask", queue_each_kicks_by_mask},
	{"queue_burst_sends_one_kick", queue_burst_sends_one_kick},
	{"queue_drain_budget", queue_drain_budget},
	{"queue_drain_order", queue_drain_order},
	{"queue_cross_call_irqs_off", queue_cross_call_irqs_off},
	{"queue_remote_irq_work_sees_latest", queue_remote_irq_work_sees_latest},
	{"queue_local_target_rules", queue_local_target_rules},
	{"queue_contexts_per_kind", queue_contexts_per_kind},
};

}  // namespace

cxxrt::Span<const SelfTestCase> queue_selftests() noexcept { return queue_cases; }

}  // namespace xcall
