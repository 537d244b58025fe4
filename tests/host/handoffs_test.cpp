// SPDX-License-Identifier: GPL-2.0
// The remote queue's own hand-offs (module/queue/handoffs.h: (Q1), (Q3),
// (Q4), (Q5) of remote_queue.h) with threads as CPUs, on the module's own code.
// Under ThreadSanitizer each acquire/release pair is what makes the plain
// data below race-free.
#include <gtest/gtest.h>

#include "threads_as_cpus.h"

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "queue/handoffs.h"

namespace {

using namespace xcall;

using host::scale;

using host::spin_until;

// (Q1): what a CPU sets up before it opens is seen by a queuer that finds
// it open.
TEST(Handoffs, QueuerThatSeesTheCpuOpenSeesItsSetup)
{
	const int rounds = 100 * scale;
	long bad = 0;
	for (int i = 0; i < rounds; i++) {
		AcceptGate gate;
		long setup = 0;	// plain: the CPU's queue state
		std::thread cpu([&] {
			setup = i + 1;
			gate.open();
		});
		spin_until([&] { return gate.admits(); });
		bad += setup != i + 1;
		cpu.join();
		gate.close();
		EXPECT_FALSE(gate.admits());
	}
	EXPECT_EQ(bad, 0);
}

// (Q3): the waiter reads the time of the wake that woke it, or of a later
// one; every post is taken by a take() or covered by a later one.
TEST(Handoffs, WaiterReadsTheTimeOfTheWakeThatWokeIt)
{
	WakeMailbox box;
	const unsigned long long posts = 20000 * scale;
	unsigned long long last_seen = 0;
	long backwards = 0, taken = 0;
	int done = 0;
	std::thread waiter([&] {
		for (;;) {
			bool finished = cxxrt::load_acquire(done);
			unsigned long long ns;
			if (box.take(ns)) {
				taken++;
				backwards += ns < last_seen;
				last_seen = ns;
			} else if (finished) {
				return;
			}
		}
	});
	for (unsigned long long t = 1; t <= posts; t++)
		box.post(t);
	cxxrt::store_release(done, 1);
	waiter.join();
	EXPECT_EQ(backwards, 0);
	EXPECT_EQ(last_seen, posts);
	EXPECT_GE(taken, 1);
	EXPECT_FALSE(box.pending());
}

// (Q4): a waiter that finds the lazy list idle sees every function's
// writes; items keep coming while it waits.
TEST(Handoffs, LazyListIdleMeansEveryFunctionDone)
{
	struct Item : cq::Node {
		long value = 0;	// plain: written by the thread's function
	};
	const int rounds = 300 * scale;
	LazyList lazy;
	int stop = 0;
	std::thread thread([&] {	// xcall_lazy/N
		for (;;) {
			spin_until([&] { return !lazy.empty() || cxxrt::load_acquire(stop); });
			if (lazy.empty() && cxxrt::load_acquire(stop))
				return;
			lazy.run([](cq::Node *n) { static_cast<Item *>(n)->value++; });
		}
	});
	long bad = 0;
	std::vector<Item> items(4);
	for (int i = 1; i <= rounds; i++) {
		for (auto &item : items)
			lazy.push(&item);	// the drain hands them over
		spin_until([&] { return lazy.idle(); });
		for (auto &item : items)
			bad += item.value != i;
	}
	cxxrt::store_release(stop, 1);
	thread.join();
	EXPECT_EQ(bad, 0);
}

// (Q5), litmus (store buffering), on DrainingFlag and LockFreeList
// themselves: a queuer pushes onto an empty list, then reads "draining";
// the drain stops (write 0, smp_mb()), then looks at the list. A queuer
// that sees the CPU draining sends no kick, so the drain's look must find
// its node (docs/litmus/xcall-draining-SB+mb+cmpxchg.litmus). Without
// stop_if_empty()'s smp_mb() x86 shows it: the store of 0 waits in the
// store buffer while the load of the list head reads the old empty one.
//
// XCALL_LITMUS_ROUNDS overrides the number of rounds (scripts/mutants.sh).
TEST(HandoffsLitmus, QueuerThatSeesTheCpuDrainingHasItsNodeSeen)
{
	const char *env = getenv("XCALL_LITMUS_ROUNDS");
	const int rounds = env && *env ? atoi(env) : 2000 * scale * scale;	// TSan cannot see it: few rounds
	// One cache line for both sides' variables, as on the module's CpuQueue.
	struct alignas(64) {
		cq::LockFreeList list;
		DrainingFlag draining;
		int go = 0;
	} line;
	cq::Node node;
	alignas(64) int done = 0;
	int saw_draining = 0;
	int stop_at = 0, rounds_done = rounds;
	std::thread queuer([&] {
		for (int i = 1; i <= rounds; i++) {
			spin_until([&] { return cxxrt::load_acquire(line.go) == i || cxxrt::load_acquire(stop_at); });
			if (cxxrt::read_once(stop_at))
				return;
			bool first = line.list.push(&node);	// (1): fully ordered
			cxxrt::write_once(saw_draining, first && line.draining.draining());
			cxxrt::store_release(done, i);
		}
	});
	long forbidden = 0, skipped = 0;
	for (int i = 1; i <= rounds; i++) {
		line.draining.start();
		cxxrt::store_release(line.go, i);
		for (int d = i % 8; d > 0; d--)
			cxxrt::cpu_relax();
		bool stopped = line.draining.stop_if_empty(line.list);	// (Q5)
		spin_until([&] { return cxxrt::load_acquire(done) == i; });
		if (cxxrt::read_once(saw_draining)) {
			skipped++;
			forbidden += stopped;	// no kick, and the drain stopped: stranded
		}
		(void)line.list.take_all();
		if (forbidden && i < rounds) {	// one is enough: stop both sides
			rounds_done = i;
			cxxrt::store_release(stop_at, i);
			break;
		}
	}
	queuer.join();
	EXPECT_EQ(forbidden, 0) << "of " << skipped << " kicks skipped";
	if (getenv("XCALL_LITMUS_VERBOSE"))
		printf("litmus: %ld forbidden of %ld skipped kicks in %d rounds\n", forbidden, skipped, rounds_done);
}

}  // namespace
