// SPDX-License-Identifier: GPL-2.0
// The kick protocol ((Q2) of module/queue/remote_queue.h) with threads as
// CPUs, on the module's own code: LockFreeList::push() then, on empty ->
// non-empty, AsyncState::claim(coalesce) (AsyncCall::try_submit()); the
// target runs AsyncState::run() (the trampoline), which clears "queued"
// before the handler takes the list. Only the kernel's part is a stand-in
// (FakeKernel below), as weak as the kernel's own code.
#include <gtest/gtest.h>

#include "threads_as_cpus.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "kernel/async_state.h"
#include "queue/call_queue.h"

namespace {

using namespace xcall::cq;
using xcall::AsyncState;

using host::scale;

using host::spin_until;

struct DirectHandler {
	void run_sync(Node *n) { xcall::cq::run_sync(n); }
	void run_async(Node *n) { xcall::cq::run_async(n); }
	void run_irq_work(Node *n) { xcall::cq::run_work(n); }
	void run_wake(Node *n) { xcall::cq::run_wake(n); }
};

// The kernel's side of smp_call_function_single_async() on one CSD, as weak
// as kernel/smp.c (6.1): the lock bit is tested and set with plain accesses
// (no acquire), llist_add() writes the node's next pointer (plain), the
// IPI's llist_add() -> llist_del_all() is fully ordered, and the handler
// reads the node, then unlocks (release) before calling the function.
struct FakeKernel {
	int csd_locked = 0;
	long csd_llist_next = 0;	// plain, like the llist node's next
	int ipi = 0;

	int submit() noexcept
	{
		if (cxxrt::read_once(csd_locked))
			return -16;	// -EBUSY
		cxxrt::write_once(csd_locked, 1);
		csd_llist_next++;			// llist_add()'s plain write
		cxxrt::xchg(ipi, 1);			// llist_add() + IPI: fully ordered
		return 0;
	}
	// The target CPU's interrupt: true if a CSD was delivered and handled.
	template <typename Trampoline>
	bool deliver(Trampoline &&trampoline) noexcept
	{
		if (!cxxrt::xchg(ipi, 0))		// llist_del_all()
			return false;
		(void)*static_cast<volatile long *>(&csd_llist_next);	// the flush walks the llist
		cxxrt::store_release(csd_locked, 0);	// csd_unlock() before an async func
		trampoline();
		return true;
	}
};

// One CPU of the model: its merged list, its kick (AsyncCall's state and the
// kernel's CSD), and a thread taking its "interrupts".
struct KickCpu {
	LockFreeList list;
	AsyncState kick;
	FakeKernel kernel;
	long kicks = 0;
	int stop = 0;
	std::thread thread;

	KickCpu() : thread([this] { loop(); }) {}
	~KickCpu()
	{
		cxxrt::store_release(stop, 1);
		thread.join();
	}

	// RemoteQueue::queue()'s tail and kick_cpu(): push; the first node on
	// an empty list kicks, unless a kick is pending (coalesced).
	void queue(Node *node)
	{
		if (!list.push(node))
			return;
		if (!kick.claim(true))	// try_submit(): -EBUSY, coalesced
			return;
		if (kernel.submit() != 0)
			kick.unclaim();
		else
			cxxrt::atomic_add(kicks, 1L);
	}
	void loop()
	{
		auto handler = [this] {	// RemoteQueue::drain_this_cpu()
			DirectHandler h;
			drain(list.take_all(), h);
		};
		auto trampoline = [&] { kick.run(handler); };
		for (;;) {
			spin_until([&] { return cxxrt::read_once(kernel.ipi) || cxxrt::load_acquire(stop); });
			if (!kernel.deliver(trampoline) && cxxrt::load_acquire(stop))
				return;
		}
	}
};

// Many queuers, one CPU: every node runs exactly once, its queuer's writes
// seen (plain payload: (1) of call_queue.h), and none is stranded behind a
// pending kick: once the kick is idle with every queuer done, the list must
// be empty.
TEST(KickProtocol, CoalescedQueuersStrandNoNode)
{
	constexpr int producers = 3;
	const int per_producer = 3000 * scale;
	struct Job : Node {
		long payload = 0;	// plain: written by the queuer
		long seen = -1;		// plain: written by the function
		int runs = 0;
	};
	std::vector<std::vector<Job>> jobs(producers, std::vector<Job>(per_producer));
	auto cpu = std::make_unique<KickCpu>();
	std::vector<std::thread> threads;
	for (int p = 0; p < producers; p++)
		threads.emplace_back([&, p] {
			for (int i = 0; i < per_producer; i++) {
				Job &j = jobs[p][i];
				j.payload = p * per_producer + i;
				j.func = [](Node *n) {
					auto *j = static_cast<Job *>(n);
					j->seen = j->payload;
					j->runs++;
				};
				ASSERT_TRUE(lock_node(j, kind_async));
				cpu->queue(&j);
			}
		});
	for (auto &t : threads)
		t.join();
	spin_until([&] { return cpu->kick.idle(); });
	EXPECT_TRUE(cpu->list.empty()) << "a node is stranded behind a kick";
	for (auto &row : jobs)
		for (auto &j : row)
			spin_until([&] { return j.idle(); });
	long ran = 0, wrong = 0;
	for (auto &row : jobs)
		for (auto &j : row) {
			ran += j.runs == 1;
			wrong += j.seen != j.payload;
		}
	EXPECT_EQ(ran, long(producers) * per_producer);
	EXPECT_EQ(wrong, 0);
	long kicks = cxxrt::read_once(cpu->kicks);
	EXPECT_GE(kicks, 1);
	EXPECT_LE(kicks, long(producers) * per_producer);
}

// An AsyncCall's function writes plain data; its owner reads it once
// wait() returns, or once idle(): (A3) of async_state.h.
TEST(KickProtocol, FunctionWritesAreSeenOnceIdle)
{
	AsyncState state;
	long value = 0;	// plain
	int go = 0;
	const int rounds = 500 * scale;
	std::thread cpu([&] {
		for (int i = 1; i <= rounds; i++) {
			spin_until([&] { return cxxrt::load_acquire(go) == i; });
			auto fn = [&] { value = i; };
			state.run(fn);
		}
	});
	long bad = 0;
	for (int i = 1; i <= rounds; i++) {
		ASSERT_TRUE(state.claim(false));
		cxxrt::store_release(go, i);
		if (i % 2)
			state.wait();
		else
			spin_until([&] { return state.idle(); });
		bad += value != i;
	}
	cpu.join();
	EXPECT_EQ(bad, 0);
}

// The kernel reuses the CSD (its plain llist write) after a new claim: the
// claim's acquire, reading run()'s clear of "queued", orders that after the
// previous delivery's reads and csd_unlock() ((A1) of async_state.h). Each
// round the function waits until the submitter has claimed and submitted
// again, so the claim reads the clear itself (not the later decrement);
// the submitter learns of the run through marked flags that order nothing.
TEST(KickProtocol, ResubmissionReusesTheCsdAfterItsDelivery)
{
	AsyncState kick;
	FakeKernel kernel;
	int resubmitted = 0;
	const int rounds = 500 * scale;
	std::thread cpu([&] {
		for (int i = 1; i <= rounds; i++) {
			spin_until([&] { return cxxrt::read_once(kernel.ipi) != 0; });
			auto fn = [&] { spin_until([&] { return cxxrt::read_once(resubmitted) >= i; }); };
			auto trampoline = [&] { kick.run(fn); };
			ASSERT_TRUE(kernel.deliver(trampoline));
		}
	});
	ASSERT_TRUE(kick.claim(false));
	ASSERT_EQ(kernel.submit(), 0);
	for (int i = 1; i <= rounds; i++) {
		spin_until([&] { return !kick.queued_now(); });	// the run has begun
		if (i < rounds) {
			ASSERT_TRUE(kick.claim(false));
			ASSERT_EQ(kernel.submit(), 0);
		}
		cxxrt::write_once(resubmitted, i);
	}
	cpu.join();
	spin_until([&] { return kick.idle(); });
}

// Litmus (store buffering), on AsyncState itself: a try_submit() caller
// writes, then finds a kick pending (-EBUSY, coalesced); the pending run
// clears "queued", then its function reads. The function must see the
// write ((A2) of async_state.h; docs/litmus/xcall-trysubmit-SB+mb-once+
// fetchadd.litmus). Without claim()'s smp_mb() x86 shows it: the caller's
// store waits in its store buffer while its load of the state reads the
// old "queued". Counted per round; the real code must show none.
//
// XCALL_LITMUS_ROUNDS overrides the number of rounds (scripts/mutants.sh
// runs many more, and stops at the first forbidden outcome).
TEST(KickLitmus, TrySubmitBusyIsSeenByThePendingRun)
{
	const char *env = getenv("XCALL_LITMUS_ROUNDS");
	const int rounds = env && *env ? atoi(env) : 2000 * scale * scale;	// TSan cannot see it: few rounds
	// One cache line, shared by both CPUs when a round starts: each side's
	// store then waits for the line while its load reads the shared copy.
	struct alignas(64) {
		AsyncState kick;
		long data = 0;
		int go = 0;
	} line;
	AsyncState &kick = line.kick;
	long &data = line.data;
	int &go = line.go;
	alignas(64) int done = 0;
	int coalesced = 0;
	int stop_at = 0, rounds_done = rounds;
	std::thread caller([&] {
		for (int i = 1; i <= rounds; i++) {
			spin_until([&] { return cxxrt::load_acquire(go) == i || cxxrt::load_acquire(stop_at); });
			if (cxxrt::read_once(stop_at))
				return;
			cxxrt::write_once(data, i);
			bool claimed = kick.claim(true);	// try_submit()
			if (claimed)
				kick.unclaim();			// the run had begun: a new kick, not ours to test
			cxxrt::write_once(coalesced, !claimed);
			cxxrt::store_release(done, i);
		}
	});
	long forbidden = 0, busy = 0;
	for (int i = 1; i <= rounds; i++) {
		ASSERT_TRUE(kick.claim(false));	// a kick is pending
		cxxrt::write_once(data, 0);
		cxxrt::store_release(go, i);
		long seen = 0;
		auto fn = [&] { seen = cxxrt::read_once(data); };
		// The caller needs a while to see "go": a varying delay makes
		// some rounds overlap whatever the two CPUs' skew.
		for (int d = i % 8; d > 0; d--)
			cxxrt::cpu_relax();
		kick.run(fn);			// the trampoline
		spin_until([&] { return cxxrt::load_acquire(done) == i; });
		if (cxxrt::read_once(coalesced)) {
			busy++;
			forbidden += seen != i;
		}
		if (forbidden && i < rounds) {	// one is enough: stop both sides
			rounds_done = i;
			cxxrt::store_release(stop_at, i);
			break;
		}
	}
	caller.join();
	EXPECT_EQ(forbidden, 0) << "of " << busy << " coalesced submissions";
	if (getenv("XCALL_LITMUS_VERBOSE"))
		printf("litmus: %ld forbidden of %ld coalesced in %d rounds\n", forbidden, busy, rounds_done);
}

}  // namespace
