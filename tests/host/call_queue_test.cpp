// SPDX-License-Identifier: GPL-2.0
// The merged queue's core (module/queue/call_queue.h) with threads as CPUs. Built
// under ASan+UBSan and under ThreadSanitizer by scripts/host-test.sh: each
// ordering pair of call_queue.h is what makes the plain data accesses below
// race-free, so TSan reports a race if one of them is broken.
#include <gtest/gtest.h>

#include "threads_as_cpus.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "queue/call_queue.h"

namespace {

using namespace xcall::cq;

using host::scale;

// A node that records, in plain memory, that it ran and in what order.
struct Probe : Node {
	int id = 0;
	int runs = 0;	// plain: written by the drain, read by the test
	std::vector<int> *order = nullptr;
};

void record(Node *node)
{
	auto *p = static_cast<Probe *>(node);
	p->runs++;
	if (p->order)
		p->order->push_back(p->id);
}

// Like the module's DrainHandler, reads each node (its statistics tag, plain)
// before handing it over.
struct DirectHandler {
	static void account(Node *n) { (void)*static_cast<volatile unsigned short *>(&n->tag); }
	void run_sync(Node *n) { account(n), xcall::cq::run_sync(n); }
	void run_async(Node *n) { account(n), xcall::cq::run_async(n); }
	void run_irq_work(Node *n) { account(n), xcall::cq::run_work(n); }
	void run_wake(Node *n) { account(n), xcall::cq::run_wake(n); }
};

// ---- the drain's order, deterministically ----------------------------------------

TEST(CallQueueDrain, SyncFirstThenAsyncAndIrqWorkThenWakesFifoWithinEach)
{
	// Queued in this order (id: kind).
	const unsigned kinds[] = {kind_wake, kind_async, kind_sync, kind_irq_work, kind_async,
				  kind_sync, kind_wake, kind_irq_work};
	std::vector<int> order;
	Probe probes[8];
	LockFreeList list;
	for (int i = 0; i < 8; i++) {
		probes[i].id = i;
		probes[i].order = &order;
		probes[i].func = record;
		if (kinds[i] == kind_irq_work)
			ASSERT_TRUE(claim_work(probes[i], kinds[i]));
		else
			ASSERT_TRUE(lock_node(probes[i], kinds[i]));
		EXPECT_EQ(list.push(&probes[i]), i == 0);
	}
	DirectHandler h;
	drain(list.take_all(), h);
	EXPECT_EQ(order, (std::vector<int>{2, 5, 1, 3, 4, 7, 0, 6}));
	for (auto &p : probes) {
		EXPECT_EQ(p.runs, 1);
		EXPECT_TRUE(p.idle());
	}
	EXPECT_TRUE(list.empty());
}

// The backlog's bookkeeping (issue 22: it counts and types nodes as it
// reverses them, so that a batch within the budget needs no walk): against
// a model queue, over a fixed pseudo-random mix of pushes (sync and async)
// and drains of budgets 0-5, each drain runs the oldest min(budget, held)
// nodes, sync first, FIFO within each kind, says whether it cut, and leaves
// exactly the rest held.
TEST(CallQueueDrain, BacklogHoldsExactlyWhatTheBudgetLeft)
{
	constexpr int total = 600;
	static Probe probes[total];
	std::vector<int> order, model;	// model: ids pushed, not yet run, oldest first
	LockFreeList list;
	Backlog backlog;
	DirectHandler h;
	unsigned seed = 12345;
	auto next_rand = [&](unsigned n) { return (seed = seed * 1103515245u + 12345u) / 65536u % n; };
	int pushed = 0;
	while (pushed < total || !model.empty()) {
		for (unsigned k = next_rand(8); k && pushed < total; k--, pushed++) {
			Probe &p = probes[pushed];
			p.id = pushed;
			p.order = &order;
			p.func = record;
			ASSERT_TRUE(lock_node(p, next_rand(3) ? kind_async : kind_sync));
			list.push(&p);
			model.push_back(pushed);
		}
		unsigned budget = next_rand(6);
		size_t ran = std::min<size_t>(budget, model.size());
		std::vector<int> expect;
		for (bool sync_pass : {true, false})
			for (size_t i = 0; i < ran; i++)
				if ((probes[model[i]].type() == kind_sync) == sync_pass)
					expect.push_back(model[i]);
		model.erase(model.begin(), model.begin() + ran);
		order.clear();
		bool cut = false;
		ASSERT_EQ(drain_some(list, backlog, budget, h, cut), ran);
		ASSERT_EQ(order, expect);
		ASSERT_EQ(cut, !model.empty());
		ASSERT_EQ(backlog.size(), model.size());
		ASSERT_EQ(backlog.empty(), model.empty());
	}
	for (auto &p : probes) {
		EXPECT_EQ(p.runs, 1);
		EXPECT_TRUE(p.idle());
	}
}

// A drain with a budget runs the oldest nodes first, the kinds' order within
// each batch, and keeps the rest, in order, before nodes taken later.
TEST(CallQueueDrain, BudgetKeepsTheRestInOrderBeforeLaterNodes)
{
	const unsigned kinds[] = {kind_async, kind_wake, kind_sync, kind_async, kind_irq_work,
				  kind_sync, kind_async, kind_async};
	std::vector<int> order;
	Probe probes[8];
	LockFreeList list;
	Backlog backlog;
	DirectHandler h;
	auto queue = [&](int i) {
		probes[i].id = i;
		probes[i].order = &order;
		probes[i].func = record;
		if (kinds[i] == kind_irq_work)
			ASSERT_TRUE(claim_work(probes[i], kinds[i]));
		else
			ASSERT_TRUE(lock_node(probes[i], kinds[i]));
		list.push(&probes[i]);
	};
	for (int i = 0; i < 5; i++)
		queue(i);
	bool cut = false;
	EXPECT_EQ(drain_some(list, backlog, 3, h, cut), 3u);	// 0-2: sync first
	EXPECT_TRUE(cut);
	EXPECT_EQ(order, (std::vector<int>{2, 0, 1}));
	EXPECT_FALSE(claim_work(probes[4], kinds[4]));	// still pending in the backlog
	for (int i = 5; i < 8; i++)
		queue(i);
	EXPECT_EQ(drain_some(list, backlog, 3, h, cut), 3u);	// 3-5: the backlog first
	EXPECT_TRUE(cut);
	EXPECT_EQ(order, (std::vector<int>{2, 0, 1, 5, 3, 4}));
	EXPECT_EQ(drain_some(list, backlog, 3, h, cut), 2u);
	EXPECT_FALSE(cut);
	EXPECT_EQ(drain_some(list, backlog, 3, h, cut), 0u);
	EXPECT_EQ(order, (std::vector<int>{2, 0, 1, 5, 3, 4, 6, 7}));
	for (auto &p : probes) {
		EXPECT_EQ(p.runs, 1);
		EXPECT_TRUE(p.idle());
	}
	EXPECT_TRUE(list.empty());
	EXPECT_TRUE(backlog.empty());
}

TEST(CallQueueNodes, LockedCallCannotBeQueuedTwice)
{
	Probe p;
	EXPECT_TRUE(lock_node(p, kind_async));
	EXPECT_FALSE(lock_node(p, kind_async));
	p.func = record;
	run_async(&p);
	EXPECT_TRUE(p.idle());
	EXPECT_TRUE(lock_node(p, kind_async));	// re-armable once run
	p.func = record;
	run_async(&p);
}

// A one_queuer node is locked as the kernel's csd_lock() locks a CSD (a
// check and a store where it is idle) with the same answers as the atomic
// lock, and keeps its mark across runs.
TEST(CallQueueNodes, OneQueuerNodeLocksAndRunsAsAnyOther)
{
	Probe p;
	p.set_one_queuer();
	EXPECT_TRUE(p.idle());
	EXPECT_TRUE(lock_node(p, kind_async));
	EXPECT_EQ(p.flags, unsigned(one_queuer | kind_async | locked));
	EXPECT_EQ(p.type(), unsigned(kind_async));
	EXPECT_FALSE(lock_node(p, kind_async));	// still queued: -EBUSY
	p.func = record;
	run_async(&p);
	EXPECT_EQ(p.runs, 1);
	EXPECT_TRUE(p.idle());
	EXPECT_EQ(p.flags, unsigned(one_queuer | kind_async));
	EXPECT_TRUE(lock_node(p, kind_sync));
	EXPECT_EQ(p.type(), unsigned(kind_sync));
	run_sync(&p);
	EXPECT_EQ(p.runs, 2);
	EXPECT_EQ(p.flags, unsigned(one_queuer | kind_sync));
}

// Re-armed from its own function, a one_queuer node is running, not idle:
// the drain's decrement may race the lock, so the lock is the atomic one
// and the decrement is not lost.
TEST(CallQueueNodes, OneQueuerNodeRearmedWhileRunningKeepsItsRunningCount)
{
	Probe p;
	p.set_one_queuer();
	ASSERT_TRUE(lock_node(p, kind_async));
	p.func = [](Node *n) {
		EXPECT_FALSE(static_cast<Probe *>(n)->idle());
		EXPECT_TRUE(lock_node(*n, kind_async));
	};
	run_async(&p);
	EXPECT_EQ(p.flags, unsigned(one_queuer | kind_async | locked));	// queued again, nothing running
	p.func = record;
	run_async(&p);
	EXPECT_TRUE(p.idle());
}

TEST(CallQueueNodes, PendingIrqWorkClaimFails)
{
	Probe p;
	EXPECT_TRUE(claim_work(p, kind_irq_work | work_hard));
	EXPECT_FALSE(claim_work(p, kind_irq_work | work_hard));
	p.func = record;
	run_work(&p);
	EXPECT_EQ(p.runs, 1);
	EXPECT_TRUE(p.idle());
	EXPECT_EQ(p.flags, unsigned(kind_irq_work | work_hard));
}

// The owner of a node keeps it alive while it is queued: destroying one
// that is locked (queued) stops the machine in a debug build.
TEST(CallQueueNodesDeathTest, NodeDestroyedWhileQueuedIsCaught)
{
	GTEST_FLAG_SET(death_test_style, "threadsafe");
	EXPECT_DEATH(
		{
			Probe p;
			(void)lock_node(p, kind_async);
		},
		"queue node destroyed while queued or running");
}

// ---- threads as CPUs --------------------------------------------------------------

// A spinning CPU's pause; now and then a yield: the host's cores are shared,
// and the thread waited for may need this one.
void relax(unsigned spins)
{
	if (spins % 1024 == 0)
		std::this_thread::yield();
	else
		cxxrt::cpu_relax();
}

// A CPU: its list and a kick flag standing for the IPI (kick_pending in the
// module: set by the kicker, cleared by the handler before it takes the list).
// With a budget, a drain cut short re-kicks its own CPU (the module's
// resume), and the backlog is this thread's only.
struct Cpu {
	LockFreeList list;
	Backlog backlog;
	unsigned budget = 0;	// 0: drain whatever is taken
	int kick = 0;
	int stop = 0;
	std::thread thread;

	void drain_once(DirectHandler &h)
	{
		if (!budget) {
			drain(list.take_all(), h);
			return;
		}
		bool cut;
		drain_some(list, backlog, budget, h, cut);
		if (cut)
			cxxrt::xchg(kick, 1);	// resume: this CPU's own flag
	}

	void enqueue(Node *n)
	{
		if (list.push(n) && cxxrt::xchg(kick, 1) == 0) {
			// the kick is "sent"
		}
	}
	void loop()
	{
		DirectHandler h;
		for (;;) {
			int k;
			for (unsigned spins = 1; !(k = cxxrt::load_acquire(kick)) && !cxxrt::read_once(stop); spins++)
				relax(spins);
			if (!k && cxxrt::read_once(stop))
				break;
			cxxrt::xchg(kick, 0);	// before take_all: pairs with enqueue's push + xchg
			drain_once(h);
		}
		do
			drain_once(h);
		while (!list.empty() || !backlog.empty());
	}
};

struct Machine {
	std::vector<std::unique_ptr<Cpu>> cpus;
	explicit Machine(int n, unsigned budget = 0)
	{
		for (int i = 0; i < n; i++) {
			cpus.push_back(std::make_unique<Cpu>());
			cpus.back()->budget = budget;
		}
		for (auto &c : cpus)
			c->thread = std::thread([cpu = c.get()] { cpu->loop(); });
	}
	~Machine()
	{
		for (auto &c : cpus) {
			cxxrt::write_once(c->stop, 1);
			cxxrt::xchg(c->kick, 1);
		}
		for (auto &c : cpus)
			c->thread.join();
	}
};

// Async nodes from several producers to several CPUs: each runs exactly
// once, and per (producer, CPU) in the order queued; with a budget too
// (drains cut short, the rest run by the CPU's next drain).
void every_node_runs_once_in_order(unsigned budget)
{
	constexpr int cpus = 3, producers = 3;
	const int per_producer = 2000 * scale;
	Machine m(cpus, budget);
	struct Stamped : Node {
		int producer, seq, cpu;
		int runs = 0;
		int *last_seen;	// per (producer, cpu): last seq run, plain
		int *out_of_order;
	};
	std::vector<int> last_seen(producers * cpus, -1);
	int out_of_order = 0;
	std::vector<std::vector<Stamped>> nodes(producers, std::vector<Stamped>(per_producer));
	auto func = [](Node *n) {
		auto *s = static_cast<Stamped *>(n);
		s->runs++;
		if (*s->last_seen >= s->seq)
			(*s->out_of_order)++;
		*s->last_seen = s->seq;
	};
	std::vector<std::thread> threads;
	for (int p = 0; p < producers; p++)
		threads.emplace_back([&, p] {
			for (int i = 0; i < per_producer; i++) {
				Stamped &s = nodes[p][i];
				s.producer = p;
				s.seq = i;
				s.cpu = (i * 7 + p) % cpus;
				s.last_seen = &last_seen[p * cpus + s.cpu];
				s.out_of_order = &out_of_order;
				s.func = func;
				ASSERT_TRUE(lock_node(s, kind_async));
				m.cpus[s.cpu]->enqueue(&s);
			}
		});
	for (auto &t : threads)
		t.join();
	for (auto &row : nodes)
		for (auto &s : row)
			while (!s.idle())
				std::this_thread::yield();
	int runs = 0;
	for (auto &row : nodes)
		for (auto &s : row)
			runs += s.runs == 1;
	EXPECT_EQ(runs, producers * per_producer);
	EXPECT_EQ(out_of_order, 0);
}

TEST(CallQueueThreads, EveryNodeRunsOnceInOrderPerQueuer) { every_node_runs_once_in_order(0); }
TEST(CallQueueThreads, EveryNodeRunsOnceInOrderPerQueuerWithBudget) { every_node_runs_once_in_order(7); }

// A sync caller's writes before queueing are seen by the function, and the
// function's writes by the caller once unlocked; pairs (1) and (2).
TEST(CallQueueThreads, SyncCallOrdersBothWays)
{
	Machine m(2);
	struct Sync : Node {
		long input = 0, output = 0;	// plain
	};
	const int rounds = 300 * scale;
	int bad = 0;
	for (int i = 0; i < rounds; i++) {
		Sync s;
		s.input = i;
		s.func = [](Node *n) {
			auto *s = static_cast<Sync *>(n);
			s->output = s->input * 2;
		};
		ASSERT_TRUE(lock_node(s, kind_sync));
		m.cpus[i % 2]->enqueue(&s);
		unsigned spins = 0;
		wait_unlocked(s, [&] { relax(++spins); });
		bad += s.output != i * 2;
	}
	EXPECT_EQ(bad, 0);
}

// The "Non busy-waiting IPI queue" guarantee (docs/seeds.md): a queuer that writes then queues an irq_work item,
// even when the item is already pending and the claim fails, is seen by a
// run that starts after its claim: the last run sees the last value. The
// value itself is READ_ONCE/WRITE_ONCE data, as in the kernel: a run that
// is already under way may read it while the next one is written.
TEST(CallQueueThreads, FailedClaimIsSeenByThePendingRun)
{
	Machine m(1);
	struct Work : Node {
		long value = 0;	// read_once/write_once
		long seen = -1;	// plain: ordered by pair (4) for the final check
		long runs = 0;
	} w;
	w.func = [](Node *n) {
		auto *w = static_cast<Work *>(n);
		w->seen = cxxrt::read_once(w->value);
		w->runs++;
	};
	const long rounds = 20000 * scale;
	long claimed = 0;
	for (long i = 1; i <= rounds; i++) {
		cxxrt::write_once(w.value, i);
		if (claim_work(w, kind_irq_work | work_hard)) {
			claimed++;
			m.cpus[0]->enqueue(&w);
		}
	}
	while (!w.idle())
		std::this_thread::yield();
	EXPECT_EQ(w.seen, rounds);
	EXPECT_EQ(w.runs, claimed);
	EXPECT_LT(claimed, rounds);	// some claims found it pending
}

// An irq_work item claimed and queued again while its function runs: the
// PENDING clear (fully ordered, so also a release) orders the drain's reads
// of the item before the new claimer's writes to it (its tag and link,
// as RemoteQueue::queue() writes them). Each round the function waits for
// the queuer's new claim, so the interleaving is forced.
TEST(CallQueueThreads, IrqWorkClaimedAgainWhileItsFunctionRuns)
{
	Machine m(1);
	struct Work : Node {
		int started = 0, claimed = 0;
		int runs = 0;	// plain: the CPU's thread only
	} w;
	w.func = [](Node *n) {
		auto *w = static_cast<Work *>(n);
		int round = ++w->runs;
		cxxrt::write_once(w->started, round);	// marked only: no order of its own
		unsigned spins = 0;
		while (cxxrt::load_acquire(w->claimed) < round)
			relax(++spins);
	};
	const int rounds = 300 * scale;
	ASSERT_TRUE(claim_work(w, kind_irq_work | work_hard));
	m.cpus[0]->enqueue(&w);
	for (int i = 1; i <= rounds; i++) {
		unsigned spins = 0;
		while (cxxrt::read_once(w.started) < i)
			relax(++spins);
		if (i < rounds) {
			ASSERT_TRUE(claim_work(w, kind_irq_work | work_hard));	// PENDING was cleared
			w.tag = (unsigned short)i;	// plain, like RemoteQueue::queue()
			m.cpus[0]->enqueue(&w);
		}
		cxxrt::store_release(w.claimed, i);
	}
	while (!w.idle())
		std::this_thread::yield();
	EXPECT_EQ(w.runs, rounds);
}

// An async call re-queues itself from its own function (it is unlocked
// before the function runs), hopping across CPUs.
TEST(CallQueueThreads, AsyncCallRequeuesItselfFromItsFunction)
{
	Machine m(3);
	struct Hop : Node {
		Machine *machine;
		int hops = 0;	// plain: each run happens-after the previous queueing
		int target = 0;
		int done = 0;
	} h;
	h.machine = &m;
	h.func = [](Node *n) {
		auto *h = static_cast<Hop *>(n);
		if (++h->hops < 300) {
			h->target = (h->target + 1) % 3;
			if (lock_node(*h, kind_async))
				h->machine->cpus[h->target]->enqueue(h);
		} else {
			cxxrt::store_release(h->done, 1);
		}
	};
	ASSERT_TRUE(lock_node(h, kind_async));
	m.cpus[0]->enqueue(&h);
	while (!cxxrt::load_acquire(h.done) || !h.idle())
		std::this_thread::yield();
	EXPECT_EQ(h.hops, 300);
}

// An async node is unlocked before its function runs, so its owner on
// another CPU may re-queue it while the drain is still busy with it: the
// lock (acquire, (1')) pairs with the unlock (2), which orders the drain's
// reads of the node (its link, what the handler reads) before the owner's
// new writes to it.
//
// A one_queuer node's lock, a check and a store where the node is idle, is
// ordered after the drain's reads by its acquire load (cq2.lock_one), which
// pairs with the run's async_done decrement.
void async_node_requeued_by_its_owner(bool one)
{
	struct Reader {	// the drain's handler reads the node before running it
		void run_sync(Node *n) { xcall::cq::run_sync(n); }
		void run_async(Node *n)
		{
			(void)*static_cast<volatile unsigned short *>(&n->tag);	// plain, like DrainHandler::taken
			xcall::cq::run_async(n);
		}
		void run_irq_work(Node *n) { xcall::cq::run_work(n); }
		void run_wake(Node *n) { xcall::cq::run_wake(n); }
	};
	LockFreeList list;
	Probe p;
	p.func = [](Node *) {};
	if (one)
		p.set_one_queuer();
	const int rounds = 3000 * scale;
	int stop = 0;
	std::thread cpu([&] {
		Reader h;
		while (!cxxrt::load_acquire(stop) || !list.empty())
			drain(list.take_all(), h);
	});
	for (int i = 0; i < rounds; i++) {
		while (!lock_node(p, kind_async))
			cxxrt::cpu_relax();
		p.tag = (unsigned short)i;	// plain, like RemoteQueue::queue()
		list.push(&p);
	}
	cxxrt::store_release(stop, 1);
	cpu.join();
	while (!p.idle())
		std::this_thread::yield();
}

TEST(CallQueueThreads, AsyncNodeRequeuedByItsOwnerOnAnotherCpu) { async_node_requeued_by_its_owner(false); }
TEST(CallQueueThreads, OneQueuerAsyncNodeRequeuedByItsOwnerOnAnotherCpu) { async_node_requeued_by_its_owner(true); }

}  // namespace
