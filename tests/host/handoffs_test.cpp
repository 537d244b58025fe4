// SPDX-License-Identifier: GPL-2.0
// The remote queue's own hand-offs (module/queue/handoffs.h: (Q1), (Q3),
// (Q4) of remote_queue.h) with threads as CPUs, on the module's own code.
// Under ThreadSanitizer each acquire/release pair is what makes the plain
// data below race-free.
#include <gtest/gtest.h>

#include "threads_as_cpus.h"

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

}  // namespace
