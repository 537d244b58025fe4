// SPDX-License-Identifier: GPL-2.0
// cxxrt/atomic.h: each operation's value semantics, then its ordering
// claims with threads standing in for CPUs. Built twice by `make check`:
// under ASan+UBSan, and under ThreadSanitizer, which reports a data race if
// an acquire/release pairing below did not order the plain accesses.
#include <cxxrt/atomic.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace {

#if defined(__SANITIZE_THREAD__)
constexpr int scale = 1;
#else
constexpr int scale = 10;
#endif

TEST(Atomic, PlainAccessesRoundTrip)
{
	long x = 0;
	cxxrt::write_once(x, 5);
	EXPECT_EQ(cxxrt::read_once(x), 5);
	cxxrt::store_release(x, 6);
	EXPECT_EQ(cxxrt::load_acquire(x), 6);
}

TEST(Atomic, ExchangeReturnsTheOldValue)
{
	int x = 1;
	EXPECT_EQ(cxxrt::xchg(x, 2), 1);
	EXPECT_EQ(cxxrt::xchg_relaxed(x, 3), 2);
	EXPECT_EQ(cxxrt::xchg_acquire(x, 4), 3);
	EXPECT_EQ(cxxrt::xchg_release(x, 5), 4);
	EXPECT_EQ(x, 5);
}

TEST(Atomic, CmpxchgReturnsWhatItFound)
{
	unsigned long x = 10;
	EXPECT_EQ(cxxrt::cmpxchg(x, 10, 11), 10u);
	EXPECT_EQ(x, 11u);
	EXPECT_EQ(cxxrt::cmpxchg(x, 10, 12), 11u);	// failed: unchanged
	EXPECT_EQ(x, 11u);
	EXPECT_EQ(cxxrt::cmpxchg_acquire(x, 11, 1), 11u);
	EXPECT_EQ(cxxrt::cmpxchg_release(x, 1, 2), 1u);
	EXPECT_EQ(cxxrt::cmpxchg_relaxed(x, 2, 3), 2u);
	unsigned long old = 0;
	EXPECT_FALSE(cxxrt::try_cmpxchg(x, &old, 4));
	EXPECT_EQ(old, 3u);	// updated to the value found
	EXPECT_TRUE(cxxrt::try_cmpxchg(x, &old, 4));
	EXPECT_EQ(x, 4u);
}

TEST(Atomic, ArithmeticAndBitOperations)
{
	int x = 1;
	EXPECT_EQ(cxxrt::fetch_add(x, 2), 1);
	EXPECT_EQ(cxxrt::fetch_sub(x, 1), 3);
	EXPECT_EQ(cxxrt::add_return(x, 5), 7);
	EXPECT_EQ(cxxrt::sub_return(x, 7), 0);
	unsigned flags = 0;
	EXPECT_EQ(cxxrt::fetch_or(flags, 0x3u), 0u);
	EXPECT_EQ(cxxrt::fetch_andnot(flags, 0x1u), 0x3u);
	EXPECT_EQ(cxxrt::fetch_and(flags, 0x6u), 0x2u);
	cxxrt::atomic_or(flags, 0x10u);
	cxxrt::atomic_andnot(flags, 0x2u);
	cxxrt::atomic_add(x, 3);
	cxxrt::atomic_sub(x, 1);
	EXPECT_EQ(flags, 0x10u);
	EXPECT_EQ(x, 2);
}

TEST(Atomic, WorksOnPointersAndEnums)
{
	enum class State : unsigned char { Idle, Busy };
	State s = State::Idle;
	EXPECT_EQ(cxxrt::cmpxchg(s, State::Idle, State::Busy), State::Idle);
	EXPECT_EQ(cxxrt::read_once(s), State::Busy);
	int a = 0, b = 0;
	int *p = &a;
	EXPECT_EQ(cxxrt::xchg(p, &b), &a);
	EXPECT_EQ(cxxrt::load_acquire(p), &b);
}

// Message passing: the writer's plain store is ordered before its release
// store of the flag; the reader's acquire load of the flag orders its plain
// load after. Pairs: store_release(flag) <-> load_acquire(flag).
TEST(AtomicOrdering, ReleaseAcquireMessagePassing)
{
	struct {
		long payload[4];	// plain, non-atomic data
		long flag;
	} box{};
	const long rounds = 2000L * scale;
	long bad = 0;
	std::thread reader([&] {
		for (long i = 1; i <= rounds; i++) {
			long seen = cxxrt::cond_load_acquire(box.flag, [&](long v) { return v >= i; });
			// The writer cannot overwrite payload for round i+1 until we ack.
			for (long word : box.payload)
				bad += word != seen;
			cxxrt::store_release(box.flag, -seen);	// ack: hands the box back
		}
	});
	for (long i = 1; i <= rounds; i++) {
		for (long &word : box.payload)
			word = i;
		cxxrt::store_release(box.flag, i);
		cxxrt::cond_load_acquire(box.flag, [&](long v) { return v == -i; });
	}
	reader.join();
	EXPECT_EQ(bad, 0);
}

// Fully ordered RMW from many threads: no increment is lost.
TEST(AtomicOrdering, FetchAddFromManyThreadsLosesNothing)
{
	unsigned long counter = 0;
	const int threads = 4, per_thread = 5000 * scale;
	std::vector<std::thread> cpus;
	for (int t = 0; t < threads; t++)
		cpus.emplace_back([&] {
			for (int i = 0; i < per_thread; i++)
				cxxrt::fetch_add(counter, 1);
		});
	for (auto &cpu : cpus)
		cpu.join();
	EXPECT_EQ(counter, static_cast<unsigned long>(threads) * per_thread);
}

// A lock from cmpxchg_acquire/store_release protects plain data: the
// acquire on lock pairs with the previous holder's release on unlock.
TEST(AtomicOrdering, CmpxchgAcquireLockProtectsPlainData)
{
	int lock = 0;
	long plain_counter = 0;
	const int threads = 3, per_thread = 2000 * scale;
	std::vector<std::thread> cpus;
	for (int t = 0; t < threads; t++)
		cpus.emplace_back([&] {
			for (int i = 0; i < per_thread; i++) {
				while (cxxrt::cmpxchg_acquire(lock, 0, 1) != 0)
					cxxrt::cpu_relax();
				plain_counter++;
				cxxrt::store_release(lock, 0);
			}
		});
	for (auto &cpu : cpus)
		cpu.join();
	EXPECT_EQ(plain_counter, static_cast<long>(threads) * per_thread);
}

// Store buffering: with smp_mb() between each thread's store and load, at
// least one thread must see the other's store. Without the barrier x86
// lets both loads read 0 (the store buffer), so this checks smp_mb's asm.
TEST(AtomicOrdering, SmpMbForbidsStoreBuffering)
{
	const int rounds = 20000 * scale;
	int x = 0, y = 0, r1 = 0, r2 = 0;
	int go = 0, done = 0;
	int both_zero = 0;
	std::thread other([&] {
		for (int i = 1; i <= rounds; i++) {
			cxxrt::cond_load_acquire(go, [&](int v) { return v == i; });
			cxxrt::write_once(y, 1);
			cxxrt::smp_mb();
			cxxrt::write_once(r2, cxxrt::read_once(x));
			cxxrt::store_release(done, i);
		}
	});
	for (int i = 1; i <= rounds; i++) {
		cxxrt::write_once(x, 0);
		cxxrt::write_once(y, 0);
		cxxrt::store_release(go, i);
		cxxrt::write_once(x, 1);
		cxxrt::smp_mb();
		cxxrt::write_once(r1, cxxrt::read_once(y));
		cxxrt::cond_load_acquire(done, [&](int v) { return v == i; });
		both_zero += cxxrt::read_once(r1) == 0 && cxxrt::read_once(r2) == 0;
	}
	other.join();
	EXPECT_EQ(both_zero, 0);
}

}  // namespace
