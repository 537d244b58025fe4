// SPDX-License-Identifier: GPL-2.0
#include "torture/torture.h"

#include <cxxrt/atomic.h>
#include <cxxrt/bit.h>
#include <cxxrt/new.h>

#include "kernel/calls.h"
#include "kernel/cpus.h"
#include "kernel/debugfs.h"
#include "kernel/irq_work.h"
#include "kernel/sync.h"
#include "queue/remote_queue.h"

namespace xcall {

// Named, not anonymous: Torture::Worker (external linkage) holds these.
namespace torture_impl {

struct OpInfo {
	const char *name;
	unsigned weight;	// out of the sum of all weights
};

// Weights: the queue's async batches carry the rate; every other operation
// comes up often enough to be raced against hotplug many times a second.
constexpr OpInfo op_table[torture_ops] = {
	{"call_on", 8},
	{"async_call", 8},
	{"call_on_mask", 4},
	{"run_on_cpu", 1},
	{"irq_work", 3},
	{"irq_work_hard", 3},
	{"irq_work_lazy", 1},
	{"queue_call", 10},
	{"queue_call_irqs_off", 8},
	{"queue_async", 30},
	{"queue_irq_work", 6},
	{"queue_irq_work_hard", 6},
	{"queue_irq_work_lazy", 3},
	{"queue_wake", 8},
};

constexpr unsigned weight_sum()
{
	unsigned sum = 0;
	for (const OpInfo &op : op_table)
		sum += op.weight;
	return sum;
}

// Place a function may run, as its kind promises.
enum class Place : unsigned char {
	IrqsOff,	// hard IRQ, or a drain/flush with interrupts off
	Thread,		// a kernel thread (irq_work/N, xcall_lazy/N): task, not hard IRQ
	Task,		// a preemptible task (smp_call_on_cpu's worker)
};

static bool in_place(Place place) noexcept
{
	switch (place) {
	case Place::IrqsOff: return xk_irqs_disabled();
	case Place::Thread: return xk_in_task() && !xk_in_hardirq();
	case Place::Task: return current_context() == Context::Task;
	}
	return false;
}

// What one operation's function and its caller share. The caller writes
// `in` before queueing; the function reads it into `seen`, writes `out`,
// then counts itself in `runs` (fully ordered, so a caller that sees the
// count also sees the rest).
struct Probe {
	unsigned long in = 0;
	unsigned long seen = 0;
	unsigned long out = 0;
	unsigned long runs = 0;
	unsigned long expected_runs = 0;	// the caller's: what runs must be
	int ran_cpu = -1;
	int right_place = 1;
	Place place = Place::IrqsOff;

	unsigned long started = 0;	// functions that have read their token
	unsigned linger = 0;		// cpu_relax()es after that: a function that takes a while

	void hit() noexcept
	{
		unsigned long token = cxxrt::read_once(in);
		cxxrt::write_once(seen, token);
		cxxrt::write_once(started, started + 1);	// only one run at a time per probe
		for (unsigned i = 0; i < linger; i++)
			cxxrt::cpu_relax();
		cxxrt::write_once(ran_cpu, this_cpu());
		cxxrt::write_once(right_place, int(in_place(place)));
		cxxrt::write_once(out, token);
		cxxrt::fetch_add(runs, 1UL);
	}
};

// A queue node with its probe.
struct TortureNode : cq::Node {
	Probe probe;
	int target = -1;
	static void run(cq::Node *node) noexcept { static_cast<TortureNode *>(node)->probe.hit(); }
};

// xorshift64*: per worker, no shared state, no bridge call per number.
struct Rng {
	unsigned long long state;
	unsigned next() noexcept
	{
		state ^= state >> 12;
		state ^= state << 25;
		state ^= state >> 27;
		return unsigned((state * 2685821657736338717ULL) >> 32);
	}
	unsigned below(unsigned n) noexcept { return next() % n; }
};

constexpr unsigned async_batch_max = 32;
constexpr unsigned async_pool = 128;	// async nodes in flight per worker, at most
constexpr unsigned mask_cpus = 64;	// call_on_mask targets CPUs below this
constexpr unsigned max_claims = 8;	// per burst on one queue irq_work item

}  // namespace torture_impl

using namespace torture_impl;

const char *torture_op_name(TortureOp op) noexcept
{
	return unsigned(op) < torture_ops ? op_table[unsigned(op)].name : "?";
}

struct Torture::Worker : cxxrt::Pinned {
	struct AsyncFn {
		Probe *probe;
		void operator()() const noexcept { probe->hit(); }
	};
	struct WorkFn {
		Probe *probe;
		void operator()() const noexcept { probe->hit(); }
	};

	Worker(Torture &t, int cpu) noexcept
		: t(t), cpu(cpu), async(AsyncFn{&async_probe}), work(IrqWorkMode::Default, WorkFn{&work_probe[0]}),
		  work_hard(IrqWorkMode::Hard, WorkFn{&work_probe[1]}),
		  work_lazy(IrqWorkMode::Lazy, WorkFn{&work_probe[2]})
	{
		rng.state = (unsigned long long)xk_random_u32() << 32 | xk_random_u32() | 1;
		for (auto &node : async_nodes)
			node.func = &TortureNode::run;
		for (auto &node : irq_nodes) {
			node.func = &TortureNode::run;
			node.probe.linger = 16;	// claims can land while it runs
		}
		wake_node.func = &TortureNode::run;
		async_probe.place = Place::IrqsOff;
		work_probe[0].place = xk_preempt_rt() ? Place::Thread : Place::IrqsOff;
		work_probe[1].place = Place::IrqsOff;
		work_probe[2].place = xk_preempt_rt() ? Place::Thread : Place::IrqsOff;
	}

	Torture &t;
	int cpu;	// the CPU it was started on
	void *task = nullptr;
	Rng rng;
	unsigned long token = 0;
	TortureOpCounts counts[torture_ops] = {};

	Probe probe;	// the synchronous operations'
	unsigned long mask_ran = 0, mask_runs = 0, mask_bad_seen = 0, mask_bad_place = 0;
	unsigned long mask_out[mask_cpus] = {};

	Probe async_probe;
	AsyncCall<AsyncFn> async;
	Probe work_probe[3];
	IrqWork<WorkFn> work, work_hard, work_lazy;

	TortureNode async_nodes[async_pool];
	unsigned long async_token[async_pool] = {};
	int async_ret[async_pool] = {};
	bool async_unchecked[async_pool] = {};
	unsigned async_next = 0;
	TortureNode irq_nodes[3];
	TortureNode wake_node;

	unsigned long next_token() noexcept { return ++token; }
	// Plain counters of this worker's, read live by report().
	void count(TortureOp op, unsigned long TortureOpCounts::*field, unsigned long n = 1) noexcept
	{
		unsigned long &c = counts[unsigned(op)].*field;
		cxxrt::write_once(c, c + n);
	}
	// An operation on the shared probe begins: a fresh token for the
	// function to see, the context it must run in, one more op counted.
	unsigned long arm_probe(TortureOp op, Place place) noexcept
	{
		unsigned long t = next_token();
		cxxrt::write_once(probe.in, t);
		probe.place = place;
		count(op, &TortureOpCounts::ops);
		return t;
	}

	// A target: this CPU, any possible CPU (online or not) or, now and
	// then, one past the last.
	int pick_target() noexcept
	{
		unsigned r = rng.below(32);
		if (r == 0)
			return int(nr_cpu_ids());
		if (r < 4)
			return this_cpu();
		return int(rng.below(nr_cpu_ids()));
	}

	void run_one() noexcept;
	void call_on_op() noexcept;
	void async_call_op() noexcept;
	void call_on_mask_op() noexcept;
	void run_on_cpu_op() noexcept;
	void irq_work_op(TortureOp op) noexcept;
	void queue_call_op(bool irqs_off) noexcept;
	void queue_async_op() noexcept;
	bool check_async(unsigned i) noexcept;	// false on a violation
	void queue_irq_work_op(TortureOp op) noexcept;
	void queue_wake_op() noexcept;

	bool expect(TortureOp op, int target, const char *what, unsigned long expected, unsigned long seen) noexcept
	{
		if (expected == seen)
			return true;
		t.violation(op, target, what, expected, seen);
		return false;
	}
	// The checks of one operation whose function ran (ret 0) or was
	// refused (-ENXIO): @p's runs, seen token, CPU and place. A target
	// whose hotplug generation moved (@moved) may have had the function
	// run elseplace (smp_call_on_cpu() holds no hotplug lock).
	bool check_shot(TortureOp op, int target, int ret, Probe &p, unsigned long token, bool check_out,
			bool moved = false) noexcept;
	// Spins until @node is idle; false (and a violation) if it stays
	// queued for lost_after_ns.
	bool wait_idle(TortureOp op, const TortureNode &node) noexcept;
};

bool Torture::Worker::check_shot(TortureOp op, int target, int ret, Probe &p, unsigned long token, bool check_out,
				 bool moved) noexcept
{
	// `out` first: a sync caller must see the function's write now.
	unsigned long out = cxxrt::read_once(p.out);
	unsigned long runs = cxxrt::read_once(p.runs);
	if (ret == -XK_ENXIO) {
		count(op, &TortureOpCounts::refused);
		return expect(op, target, "refused, yet its function ran (runs)", p.expected_runs, runs);
	}
	if (ret != 0)
		return expect(op, target, "unexpected error (negated)", 0, (unsigned long)-ret);
	p.expected_runs++;
	if (!expect(op, target, "accepted: function runs (exactly once)", p.expected_runs, runs))
		return false;
	if (!expect(op, target, "caller's write before queueing, seen by the function", token, cxxrt::read_once(p.seen)))
		return false;
	if (check_out && !expect(op, target, "function's write, seen by the sync caller after return", token, out))
		return false;
	int ran = cxxrt::read_once(p.ran_cpu);
	if (ran != target && !moved && !expect(op, target, "ran on cpu", (unsigned long)target, (unsigned long)ran))
		return false;
	if (!expect(op, target, "ran in its kind's context (1 = yes)", 1, (unsigned long)cxxrt::read_once(p.right_place)))
		return false;
	count(op, &TortureOpCounts::ran);
	return true;
}

bool Torture::Worker::wait_idle(TortureOp op, const TortureNode &node) noexcept
{
	unsigned long long since = 0;
	for (unsigned spins = 1; !node.idle(); spins++) {	// acquire: pairs with (2)/(4) of call_queue.h
		if (spins % 256 == 0) {
			xk_cond_resched();
			unsigned long long now = xk_clock_ns();
			if (!since) {
				since = now;
			} else if (now - since > lost_after_ns) {
				t.violation(op, node.target, "node lost: not run after ns", 0, (unsigned long)(now - since));
				return false;
			}
		}
		cxxrt::cpu_relax();
	}
	return true;
}

void Torture::Worker::call_on_op() noexcept
{
	constexpr TortureOp op = TortureOp::CallOn;
	int target = pick_target();
	unsigned long token = arm_probe(op, Place::IrqsOff);
	int ret;
	{
		PreemptGuard kernel_style;	// as a caller in the kernel would be
		ret = call_on(target, [this] { probe.hit(); });
	}
	check_shot(op, target, ret, probe, token, true);
}

void Torture::Worker::async_call_op() noexcept
{
	constexpr TortureOp op = TortureOp::AsyncCall;
	int target = pick_target();
	unsigned long token = next_token();
	cxxrt::write_once(async_probe.in, token);
	count(op, &TortureOpCounts::ops);
	int ret;
	{
		PreemptGuard kernel_style;
		ret = async.submit(target);
	}
	async.wait();	// acquire: pairs with the trampoline's fetch_sub
	check_shot(op, target, ret, async_probe, token, true);
}

void Torture::Worker::call_on_mask_op() noexcept
{
	constexpr TortureOp op = TortureOp::CallOnMask;
	CpuMask mask;
	unsigned long want = 0;
	unsigned limit = nr_cpu_ids() < mask_cpus ? nr_cpu_ids() : mask_cpus;
	// Mostly online CPUs (a snapshot: one may go down before the call,
	// which is then refused), now and then any possible one.
	CpuMask online = online_cpus();
	bool any = rng.below(8) == 0;
	for (unsigned c = 0; c < limit; c++) {
		if ((any || online.test(int(c))) && rng.below(2)) {
			mask.set(c);
			want |= 1UL << c;
		}
	}
	unsigned long token = next_token();
	cxxrt::write_once(probe.in, token);
	cxxrt::write_once(mask_ran, 0UL);
	unsigned long runs_before = cxxrt::read_once(mask_runs);
	count(op, &TortureOpCounts::ops);
	Worker *self = this;
	int ret = call_on_mask(mask, [self, token] {
		int c = this_cpu();
		if (cxxrt::read_once(self->probe.in) != token)
			cxxrt::fetch_add(self->mask_bad_seen, 1UL);
		if (!xk_irqs_disabled())
			cxxrt::fetch_add(self->mask_bad_place, 1UL);
		if (unsigned(c) < mask_cpus) {
			cxxrt::write_once(self->mask_out[c], token);
			cxxrt::fetch_or(self->mask_ran, 1UL << c);
		}
		cxxrt::fetch_add(self->mask_runs, 1UL);
	});
	unsigned long runs = cxxrt::read_once(mask_runs) - runs_before;
	if (ret == -XK_ENXIO) {
		count(op, &TortureOpCounts::refused);
		expect(op, this_cpu(), "refused mask, yet functions ran", 0, runs);
		return;
	}
	if (!expect(op, this_cpu(), "unexpected error (negated)", 0, (unsigned long)-ret) ||
	    !expect(op, this_cpu(), "functions run (one per CPU of the mask)", (unsigned long)cxxrt::popcount(want),
		    runs) ||
	    !expect(op, this_cpu(), "CPUs that ran (bitmap)", want, cxxrt::read_once(mask_ran)) ||
	    !expect(op, this_cpu(), "functions that missed the caller's write", 0, cxxrt::read_once(mask_bad_seen)) ||
	    !expect(op, this_cpu(), "functions run with interrupts on", 0, cxxrt::read_once(mask_bad_place)))
		return;
	for (unsigned c = 0; c < limit; c++)
		if ((want & (1UL << c)) &&
		    !expect(op, int(c), "function's write, seen by the caller after return", token,
			    cxxrt::read_once(mask_out[c])))
			return;
	count(op, &TortureOpCounts::ran);
}

void Torture::Worker::run_on_cpu_op() noexcept
{
	constexpr TortureOp op = TortureOp::RunOnCpu;
	int target = pick_target();
	unsigned long token = arm_probe(op, Place::Task);
	bool real = target >= 0 && unsigned(target) < nr_cpu_ids();
	unsigned long gen = real ? t.hotplug_gen(target) : 0;
	int ret = run_on_cpu(target, [this] {
		probe.hit();
		return 0;
	});
	// smp_call_on_cpu() holds no hotplug lock: a target that went down
	// meanwhile (generation moved, or odd: going down) has its work run
	// by another CPU's worker. The kernel's rule, not a violation.
	unsigned long gen_after = real ? t.hotplug_gen(target) : 0;
	bool moved = real && (gen_after != gen || (gen & 1));
	check_shot(op, target, ret, probe, token, true, moved);
}

void Torture::Worker::irq_work_op(TortureOp op) noexcept
{
	unsigned m = unsigned(op) - unsigned(TortureOp::IrqWork);
	Probe &p = work_probe[m];
	unsigned claims = 1 + rng.below(3), claimed = 0;
	unsigned long token = 0;
	int target;
	{
		// irq_work_queue() queues on this CPU: it must stay this one.
		PreemptGuard kernel_style;
		target = this_cpu();
		for (unsigned i = 0; i < claims; i++) {
			token = next_token();
			cxxrt::write_once(p.in, token);	// (claim) must be seen by the run that covers it
			count(op, &TortureOpCounts::ops);
			bool won = m == 0 ? work.queue() : m == 1 ? work_hard.queue() : work_lazy.queue();
			if (won)
				claimed++;
			else
				count(op, &TortureOpCounts::pending);
		}
	}
	if (m == 0)
		work.sync();
	else if (m == 1)
		work_hard.sync();
	else
		work_lazy.sync();
	p.expected_runs += claimed;
	if (!expect(op, target, "runs == successful claims", p.expected_runs, cxxrt::read_once(p.runs)) ||
	    !expect(op, target, "last claimer's write, seen by the run covering it", token, cxxrt::read_once(p.seen)) ||
	    !expect(op, target, "ran on cpu", (unsigned long)target, (unsigned long)cxxrt::read_once(p.ran_cpu)) ||
	    !expect(op, target, "ran in its kind's context (1 = yes)", 1, (unsigned long)cxxrt::read_once(p.right_place)))
		return;
	count(op, &TortureOpCounts::ran, claimed);
}

void Torture::Worker::queue_call_op(bool irqs_off) noexcept
{
	TortureOp op = irqs_off ? TortureOp::QueueCallIrqsOff : TortureOp::QueueCall;
	int target = pick_target();
	unsigned long token = arm_probe(op, Place::IrqsOff);
	int ret;
	if (irqs_off) {
		IrqSaveGuard no_irqs;
		ret = t.queue().call(target, [this] { probe.hit(); });
	} else {
		ret = t.queue().call(target, [this] { probe.hit(); });
	}
	check_shot(op, target, ret, probe, token, true);
}

// Pipelined, as kernel code fires async calls and moves on: nodes come
// from a ring and are checked when the ring comes back to them (waiting
// only if one is still queued), and at the end of the run.
void Torture::Worker::queue_async_op() noexcept
{
	constexpr TortureOp op = TortureOp::QueueAsync;
	unsigned n = 1 + rng.below(async_batch_max);
	for (unsigned k = 0; k < n; k++) {
		unsigned i = async_next++ % async_pool;
		if (!check_async(i))
			return;
		TortureNode &node = async_nodes[i];
		node.target = pick_target();
		node.probe.place = Place::IrqsOff;
		async_token[i] = next_token();
		cxxrt::write_once(node.probe.in, async_token[i]);
		count(op, &TortureOpCounts::ops);
		int ret;
		{
			PreemptGuard kernel_style;
			ret = t.queue().queue(node.target, node, QueueKind::Async);
		}
		async_ret[i] = ret == RemoteQueue::queued ? 0 : ret;
		async_unchecked[i] = true;
	}
}

bool Torture::Worker::check_async(unsigned i) noexcept
{
	if (!async_unchecked[i])
		return true;
	async_unchecked[i] = false;
	TortureNode &node = async_nodes[i];
	return wait_idle(TortureOp::QueueAsync, node) &&
	       check_shot(TortureOp::QueueAsync, node.target, async_ret[i], node.probe, async_token[i], true);
}

void Torture::Worker::queue_irq_work_op(TortureOp op) noexcept
{
	static constexpr QueueKind kinds[] = {QueueKind::IrqWork, QueueKind::IrqWorkHard, QueueKind::IrqWorkLazy};
	unsigned m = unsigned(op) - unsigned(TortureOp::QueueIrqWork);
	QueueKind kind = kinds[m];
	TortureNode &node = irq_nodes[m];
	Probe &p = node.probe;
	p.place = runs_in_thread(kind, xk_preempt_rt()) ? Place::Thread : Place::IrqsOff;
	node.target = pick_target();
	// A burst of claims on one CPU. Half of them go back to back (the item
	// is likely still pending: "already_pending"); the other half wait
	// until the function has started (and read its token), so that they
	// land while it runs: the window where (3) matters. The burst ends at
	// the first claim that finds the item pending, so the last run must
	// see exactly that claimer's token.
	unsigned claimed = 0, covered = 0;
	unsigned long last_accepted = 0, started = cxxrt::read_once(p.started);
	for (unsigned i = 0; i < max_claims; i++) {
		// Only while the run claimed last has not started: once the item
		// is idle no run is coming (a PAUSE is costly under TCG).
		if (i > 0 && rng.below(2))
			for (unsigned spins = 0; cxxrt::read_once(p.started) == started && !node.idle() && spins < 20000;
			     spins++)
				cxxrt::cpu_relax();
		started = cxxrt::read_once(p.started);
		unsigned long token = next_token();
		cxxrt::write_once(p.in, token);	// (3): seen by the run that covers this claim
		count(op, &TortureOpCounts::ops);
		int ret;
		{
			PreemptGuard kernel_style;
			ret = t.queue().queue(node.target, node, kind);
		}
		if (ret == RemoteQueue::queued) {
			claimed++;
			last_accepted = token;
		} else if (ret == RemoteQueue::already_pending) {
			covered++;
			last_accepted = token;
			count(op, &TortureOpCounts::pending);
			break;
		} else if (ret == -XK_ENXIO) {
			count(op, &TortureOpCounts::refused);
			break;
		} else {
			expect(op, node.target, "unexpected error (negated)", 0, (unsigned long)-ret);
			return;
		}
	}
	if (!wait_idle(op, node))
		return;
	p.expected_runs += claimed;
	if (!expect(op, node.target, "runs == successful claims", p.expected_runs, cxxrt::read_once(p.runs)))
		return;
	if (claimed + covered == 0)
		return;
	// The last run follows the last accepted claim, so it sees that
	// claimer's token, or a later one written before a refused claim.
	unsigned long seen = cxxrt::read_once(p.seen);
	if ((seen < last_accepted &&
	     !expect(op, node.target, "last claimer's write, seen by the run covering it", last_accepted, seen)) ||
	    !expect(op, node.target, "ran on cpu", (unsigned long)node.target, (unsigned long)cxxrt::read_once(p.ran_cpu)) ||
	    !expect(op, node.target, "ran in its kind's context (1 = yes)", 1, (unsigned long)cxxrt::read_once(p.right_place)))
		return;
	count(op, &TortureOpCounts::ran, claimed);
}

void Torture::Worker::queue_wake_op() noexcept
{
	constexpr TortureOp op = TortureOp::QueueWake;
	TortureNode &node = wake_node;
	node.target = pick_target();
	node.probe.place = Place::IrqsOff;
	unsigned long token = next_token();
	cxxrt::write_once(node.probe.in, token);
	count(op, &TortureOpCounts::ops);
	int ret;
	{
		PreemptGuard kernel_style;
		ret = t.queue().queue(node.target, node, QueueKind::Wake);
	}
	if (wait_idle(op, node))
		check_shot(op, node.target, ret == RemoteQueue::queued ? 0 : ret, node.probe, token, true);
}

void Torture::Worker::run_one() noexcept
{
	unsigned r = rng.below(weight_sum());
	unsigned i = 0;
	while (r >= op_table[i].weight)
		r -= op_table[i++].weight;
	switch (TortureOp(i)) {
	case TortureOp::CallOn: call_on_op(); break;
	case TortureOp::AsyncCall: async_call_op(); break;
	case TortureOp::CallOnMask: call_on_mask_op(); break;
	case TortureOp::RunOnCpu: run_on_cpu_op(); break;
	case TortureOp::IrqWork:
	case TortureOp::IrqWorkHard:
	case TortureOp::IrqWorkLazy: irq_work_op(TortureOp(i)); break;
	case TortureOp::QueueCall: queue_call_op(false); break;
	case TortureOp::QueueCallIrqsOff: queue_call_op(true); break;
	case TortureOp::QueueAsync: queue_async_op(); break;
	case TortureOp::QueueIrqWork:
	case TortureOp::QueueIrqWorkHard:
	case TortureOp::QueueIrqWorkLazy: queue_irq_work_op(TortureOp(i)); break;
	case TortureOp::QueueWake: queue_wake_op(); break;
	case TortureOp::Count: break;
	}
}

// ---- threads ---------------------------------------------------------------------

int Torture::worker_main(void *arg) noexcept
{
	auto *w = static_cast<Worker *>(arg);
	while (!w->t.stopping() && !xk_kthread_should_stop()) {
		w->run_one();
		xk_cond_resched();	// long runs must reschedule (RCU, soft lockups)
	}
	// The nodes still in flight: checked unless a violation ended the run
	// (join() then keeps any node still queued).
	for (unsigned i = 0; i < async_pool && !cxxrt::read_once(w->t.violated_); i++)
		(void)w->check_async(i);
	return 0;
}

int Torture::onoff_main(void *arg) noexcept
{
	auto *t = static_cast<Torture *>(arg);
	Rng rng{(unsigned long long)xk_random_u32() << 32 | 1};
	unsigned nr = nr_cpu_ids();
	auto nap = [&](unsigned ms) {
		for (; ms && !t->stopping() && !xk_kthread_should_stop(); ms -= ms < 10 ? ms : 10)
			xk_msleep(ms < 10 ? ms : 10);
	};
	while (!t->stopping() && !xk_kthread_should_stop()) {
		nap(10 + rng.below(140));
		int cpu = int(rng.below(nr));
		if (cpu == 0 || !xk_cpu_hotpluggable(cpu) || !cpu_online(cpu))
			continue;
		// Odd while the CPU is (going) offline: see hotplug_gen().
		cxxrt::fetch_add(t->hotplug_gen_[cpu], 1UL);
		if (xk_cpu_remove(unsigned(cpu)) == 0) {
			cxxrt::write_once(t->offlines_, t->offlines_ + 1);
			nap(10 + rng.below(140));
		} else {
			cxxrt::write_once(t->hotplug_failures_, t->hotplug_failures_ + 1);
		}
		// Back online whatever happened: the run never ends with a CPU down.
		for (int tries = 0; !cpu_online(cpu) && tries < 100; tries++) {
			if (xk_cpu_add(unsigned(cpu)) == 0)
				cxxrt::write_once(t->onlines_, t->onlines_ + 1);
			else
				xk_msleep(10);
		}
		cxxrt::fetch_add(t->hotplug_gen_[cpu], 1UL);
	}
	return 0;
}

int Torture::controller_main(void *arg) noexcept
{
	auto *t = static_cast<Torture *>(arg);
	unsigned long long end = t->start_ns_ + (unsigned long long)t->config_.seconds * 1'000'000'000ULL;
	while (!xk_kthread_should_stop() && !cxxrt::read_once(t->violated_) && xk_clock_ns() < end)
		xk_msleep(20);
	t->finish();
	return 0;
}

// Ends the run: the on/off thread first (it brings its CPU back, so that
// no worker waits on an irq_work parked on an offline CPU), then the
// workers; then the totals and the log lines.
void Torture::finish() noexcept
{
	cxxrt::write_once(stopping_, 1);
	if (onoff_)
		xk_kthread_stop(cxxrt::exchange(onoff_, nullptr));
	for (unsigned i = 0; i < nr_workers_; i++)
		if (workers_[i]->task)
			xk_kthread_stop(cxxrt::exchange(workers_[i]->task, nullptr));
	end_ns_ = xk_clock_ns();
	queue_.set_latency_stamps(true);
	// A run the checks could see only late (a duplicate after the check).
	for (unsigned i = 0; i < nr_workers_ && !violated_; i++) {
		Worker &w = *workers_[i];
		auto late = [&](Probe &p, TortureOp op) {
			w.expect(op, w.cpu, "runs at the end of the run", p.expected_runs, cxxrt::read_once(p.runs));
		};
		late(w.async_probe, TortureOp::AsyncCall);
		for (unsigned m = 0; m < 3; m++) {
			late(w.work_probe[m], TortureOp(unsigned(TortureOp::IrqWork) + m));
			late(w.irq_nodes[m].probe, TortureOp(unsigned(TortureOp::QueueIrqWork) + m));
		}
		for (auto &node : w.async_nodes)
			late(node.probe, TortureOp::QueueAsync);
		late(w.wake_node.probe, TortureOp::QueueWake);
	}
	sum(totals_);
	cxxrt::store_release(done_, 1);	// totals_ and report_ final: pairs with running()/report()
	unsigned long ops = 0;
	for (unsigned op = 0; op < torture_ops; op++) {
		const TortureOpCounts &c = totals_[op];
		ops += c.ops;
		xk_log(XK_LOG_INFO, "torture: %-20s ops %9lu ran %9lu refused %7lu pending %7lu", op_table[op].name, c.ops,
		       c.ran, c.refused, c.pending);
	}
	unsigned long long ms = (end_ns_ - start_ns_) / 1000000;
	xk_log(XK_LOG_INFO, "torture: %llu ms, %lu ops/s, %lu offlines, %lu onlines, %lu hotplug failures", ms,
	       ms ? (unsigned long)(ops * 1000 / ms) : 0UL, offlines_, onlines_, hotplug_failures_);
	if (violated_)
		xk_log(XK_LOG_ERR, "torture: %s", report_);
	xk_log(XK_LOG_INFO, "torture: %lu ops, %lu violations", ops, cxxrt::read_once(violations_));
}

void Torture::violation(TortureOp op, int cpu, const char *what, unsigned long expected, unsigned long seen) noexcept
{
	cxxrt::fetch_add(violations_, 1UL);
	if (cxxrt::xchg(violated_, 1))
		return;
	xk_snprintf(report_, sizeof(report_), "violation: %s to cpu %d from cpu %d: %s: expected %lu, seen %lu",
		    torture_op_name(op), cpu, this_cpu(), what, expected, seen);
	xk_log(XK_LOG_ERR, "torture: %s", report_);
	cxxrt::write_once(stopping_, 1);	// the first violation stops the run
}

unsigned long Torture::hotplug_gen(int cpu) const noexcept { return cxxrt::read_once(hotplug_gen_[cpu]); }

void Torture::sum(TortureOpCounts *totals) const noexcept
{
	for (unsigned op = 0; op < torture_ops; op++) {
		totals[op] = {};
		for (unsigned i = 0; i < nr_workers_; i++) {
			const TortureOpCounts &c = workers_[i]->counts[op];
			totals[op].ops += cxxrt::read_once(c.ops);
			totals[op].ran += cxxrt::read_once(c.ran);
			totals[op].refused += cxxrt::read_once(c.refused);
			totals[op].pending += cxxrt::read_once(c.pending);
		}
	}
}

// ---- life cycle ------------------------------------------------------------------

int Torture::start(const TortureConfig &config) noexcept
{
	if (running())
		return -XK_EBUSY;
	join();	// the previous run's threads and memory
	config_ = config;
	stopping_ = 0;
	done_ = 0;
	violated_ = 0;
	violations_ = 0;
	report_[0] = 0;
	offlines_ = onlines_ = hotplug_failures_ = 0;
	for (auto &t : totals_)
		t = {};

	unsigned nr = nr_cpu_ids();
	hotplug_gen_ = new (cxxrt::may_sleep) unsigned long[nr]();
	workers_ = new (cxxrt::may_sleep) Worker *[nr]();
	if (!hotplug_gen_ || !workers_) {
		join();
		return -XK_ENOMEM;
	}
	CpuMask online = online_cpus();
	int err = 0;
	online.for_each([&](int cpu) {
		if (err)
			return;
		Worker *w = new (cxxrt::may_sleep) Worker(*this, cpu);
		if (!w) {
			err = -XK_ENOMEM;
			return;
		}
		workers_[nr_workers_++] = w;
	});
	if (err) {
		join();
		return err;
	}
	cpus_ = nr_workers_;
	// The torture checks no latency: the queue's two clock reads per node
	// (an MMIO read of the hpet in a TCG guest) would be most of what a
	// queue_async node costs. Back on when the run ends.
	queue_.set_latency_stamps(false);
	start_ns_ = xk_clock_ns();
	for (unsigned i = 0; i < nr_workers_; i++)
		workers_[i]->task = xk_kthread_start(&worker_main, workers_[i], workers_[i]->cpu, "xcall_torture/%u");
	if (config.hotplug)
		onoff_ = xk_kthread_start(&onoff_main, this, -1, "xcall_torture_onoff");
	controller_ = xk_kthread_start(&controller_main, this, -1, "xcall_torture");
	if (!controller_) {
		// No controller to end the run: end it here.
		finish();
		join();
		return -XK_ENOMEM;
	}
	return 0;
}

void Torture::stop() noexcept
{
	if (controller_)
		xk_kthread_stop(controller_);	// it finishes the run first
	controller_ = nullptr;
	join();
}

void Torture::join() noexcept
{
	if (controller_) {
		xk_kthread_stop(controller_);
		controller_ = nullptr;
	}
	bool all_idle = true;
	for (unsigned i = 0; i < nr_workers_; i++) {
		Worker &w = *workers_[i];
		for (auto &node : w.async_nodes)
			all_idle &= node.idle();
		for (auto &node : w.irq_nodes)
			all_idle &= node.idle();
		all_idle &= w.wake_node.idle();
	}
	if (!all_idle) {
		// A lost node may still be on a queue: never free it. Only a
		// broken build gets here; unload then reports the leak.
		xk_log(XK_LOG_ERR, "torture: nodes still queued, keeping their memory");
	} else {
		for (unsigned i = 0; i < nr_workers_; i++)
			delete workers_[i];
	}
	nr_workers_ = 0;
	delete[] workers_;
	workers_ = nullptr;
	delete[] hotplug_gen_;
	hotplug_gen_ = nullptr;
}

void Torture::report(Text &out) noexcept
{
	if (!controller_ && !nr_workers_ && !cxxrt::read_once(done_)) {
		out.printf("idle\n");
		return;
	}
	bool done = cxxrt::load_acquire(done_);
	TortureOpCounts live[torture_ops];
	const TortureOpCounts *c = totals_;
	if (!done && nr_workers_) {
		sum(live);
		c = live;
	}
	unsigned long long end = done ? end_ns_ : xk_clock_ns();
	unsigned long long ms = (end - start_ns_) / 1000000;
	out.printf("%s seconds=%u hotplug=%d cpus=%u elapsed_ms=%llu\n", done ? "done" : "running", config_.seconds,
		   int(config_.hotplug), cpus_, ms);
	out.printf("%-20s %10s %10s %8s %8s\n", "op", "ops", "ran", "refused", "pending");
	unsigned long ops = 0;
	for (unsigned op = 0; op < torture_ops; op++) {
		ops += c[op].ops;
		out.printf("%-20s %10lu %10lu %8lu %8lu\n", op_table[op].name, c[op].ops, c[op].ran, c[op].refused,
			   c[op].pending);
	}
	out.printf("hotplug: %lu offlines, %lu onlines, %lu failures\n", cxxrt::read_once(offlines_),
		   cxxrt::read_once(onlines_), cxxrt::read_once(hotplug_failures_));
	out.printf("rate: %lu ops/s\n", ms ? (unsigned long)(ops * 1000 / ms) : 0UL);
	if (done && violated_)
		out.printf("%s\n", report_);
	out.printf("%lu ops, %lu violations\n", ops, cxxrt::read_once(violations_));
}

}  // namespace xcall
