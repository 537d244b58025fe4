// SPDX-License-Identifier: GPL-2.0
// The litmus runner's cases: one per file of docs/litmus, each the exact
// accesses of that file's P0 and P1, run by knobs/litmus.cpp on two pinned
// CPUs (in the spirit of herdtools' klitmus7, written here).
//
// Where a file models xcall's own code, its case calls that code, not a
// copy: LockFreeList::push()/take_all(), cq::claim_work()/run_work(),
// cq::run_sync()/Node::idle(), AsyncState::claim()/run(),
// AcceptGate::admits()/close(). So a mutant build (-DXCALL_MUTANT, which
// weakens one XCALL_ORDER site, cxxrt/include/cxxrt/atomic.h) weakens the
// case too, and a mutant x86 can show is caught here. The files that answer
// "Sometimes" (the weakened variants) are written out with the cxxrt
// operation they name.
//
// Each case says what the LKMM answers (the file's "Result:") and what
// x86-TSO answers: x86 reorders only a store with a later load from another
// location (store buffering), and every locked instruction (all of cxxrt's
// RMW operations, relaxed or not) is a full barrier. "x86 Sometimes" cases
// are the runner's positive controls: they must show their outcome, which
// proves that the two CPUs overlap. An "x86 Never" case must never show it.
//
// Registers: each thread leaves up to two values (Regs), named as in the
// file (a case names the ones its exists clause reads). A case's variables
// share one cache line (Shared): each side's store then waits for the line
// while its load may still read its own copy, which is what lets store
// buffering show (tests/host/kick_test.cpp does the same).
#pragma once

#include <cxxrt/atomic.h>

#include "bridge/bridge.h"
#include "kernel/async_state.h"
#include "kernel/sync.h"
#include "queue/call_queue.h"
#include "queue/handoffs.h"

namespace xcall::litmus {

enum class Answer : unsigned char { Never, Sometimes };

// The queue node of the cases that run one: its function reads or writes
// the shared data and keeps what it saw.
struct CaseNode : cq::Node {
	unsigned long *data;
	unsigned long seen;
};

// Every variable any case uses, reset before each iteration. The small ones
// first: the SB pairs (state/x, head/state) share the first cache line.
struct alignas(64) Shared {
	AsyncState state;		// trysubmit, kick: the AsyncCall's state word
	unsigned long x;		// the data / result / "x" of the files
	unsigned long head;		// literal cases: the list head (0 empty, 1 node)
	unsigned long raw_state;	// literal cases: the state word / flags
	AcceptGate gate;		// offline, online: the CPU's accepting flag
	WakeMailbox mailbox;		// wake: the waiter's mailbox
	LazyList lazy;			// lazy: the items of xcall_lazy/N
	cq::LockFreeList list;		// llist, kick, offline: the CPU's list
	CaseNode node;			// the node pushed, claimed or run
};

struct Regs {
	unsigned long r[2];
};

struct Case {
	const char *name;	// docs/litmus/<name>.litmus
	Answer lkmm;		// the file's Result:
	Answer x86;		// what x86-TSO allows (see above)
	bool quick;		// in the quick form (make check)
	bool slow;		// P1 waits an RCU grace period per iteration
	const char *regs[2][2];	// [thread][register]: the file's name, or nullptr if not reported
	void (*reset)(Shared &);
	void (*p0)(Shared &, Regs &);
	void (*p1)(Shared &, Regs &);
	bool (*forbidden)(const Regs &p0, const Regs &p1);	// the exists clause
	const char *code;	// what the threads run
};

namespace shapes {

inline void reset_all(Shared &s, unsigned node_flags, void (*func)(cq::Node *) = nullptr) noexcept
{
	s.state = AsyncState{};
	s.x = 0;
	s.head = 0;
	s.raw_state = 0;
	s.gate = AcceptGate{};
	s.mailbox = WakeMailbox{};
	s.lazy = LazyList{};
	s.list = cq::LockFreeList{};
	s.node.next = nullptr;
	s.node.flags = node_flags;
	s.node.func = func;
	s.node.data = &s.x;
	s.node.seen = ~0UL;
}

// ---- xcall-llist+cmpxchg+xchg: (1), Never ---------------------------------------------
inline void llist_reset(Shared &s) noexcept { reset_all(s, 0); }
inline void llist_p0(Shared &s, Regs &) noexcept	// queuer: fill the node, then push
{
	cxxrt::write_once(s.x, 1UL);
	s.list.push(&s.node);	// (1): fully ordered cmpxchg
}
inline void llist_p1(Shared &s, Regs &r) noexcept	// drain: take_all(), then run the node
{
	r.r[0] = s.list.take_all() ? 1 : 0;	// (1): xchg
	r.r[1] = cxxrt::read_once(s.x);
}
inline bool llist_bad(const Regs &, const Regs &p1) noexcept { return p1.r[0] == 1 && p1.r[1] == 0; }

// ---- xcall-irqwork-claim+fetchor+fetchandnot: (3), Never --------------------------------
// flags start PENDING|BUSY (3): claimed and queued, its run not begun.
inline void read_data(cq::Node *n) noexcept
{
	auto *node = static_cast<CaseNode *>(n);
	node->seen = cxxrt::read_once(*node->data);
}
inline void claim_reset(Shared &s) noexcept { reset_all(s, cq::kind_irq_work | cq::work_claimed, read_data); }
inline void claim_p0(Shared &s, Regs &r) noexcept	// run_work(): clear PENDING, then the function
{
	cq::run_work(&s.node);	// (3): fully ordered fetch_andnot
	r.r[1] = s.node.seen;
}
inline void claim_p1(Shared &s, Regs &r) noexcept	// queue_irq_work(): write, then claim_work()
{
	cxxrt::write_once(s.x, 1UL);
	r.r[0] = cq::claim_work(s.node, cq::kind_irq_work) ? 2 : 3;	// (3): fully ordered fetch_or; 3: PENDING seen
}
inline bool claim_bad(const Regs &p0, const Regs &p1) noexcept { return p1.r[0] == 3 && p0.r[1] == 0; }

// ---- xcall-irqwork-claim+fetchoracquire+fetchandnot: Sometimes ----------------------------
inline void claim_acquire_p1(Shared &s, Regs &r) noexcept	// a claim that is only an acquire
{
	cxxrt::write_once(s.x, 1UL);
	unsigned old = cxxrt::fetch_or_acquire(s.node.flags, unsigned(cq::kind_irq_work | cq::work_claimed));
	r.r[0] = old & cq::work_pending ? 3 : 2;
}

// ---- xcall-csd-unlock+fetchandnot+acquire: (2), Never -----------------------------------
// flags start locked: a queued sync call.
inline void write_result(cq::Node *n) noexcept { cxxrt::write_once(*static_cast<CaseNode *>(n)->data, 1UL); }
inline void unlock_reset(Shared &s) noexcept { reset_all(s, cq::kind_sync | cq::locked, write_result); }
inline void unlock_p0(Shared &s, Regs &) noexcept	// run_sync(): the function, then unlock
{
	cq::run_sync(&s.node);	// (2): fully ordered fetch_andnot
}
inline void unlock_p1(Shared &s, Regs &r) noexcept	// waiter: sees it unlocked, then reads
{
	r.r[0] = s.node.idle() ? 0 : 1;	// (2): acquire; the file's flags (1: locked)
	r.r[1] = cxxrt::read_once(s.x);
}
inline bool unlock_bad(const Regs &, const Regs &p1) noexcept { return p1.r[0] == 0 && p1.r[1] == 0; }

// ---- xcall-csd-unlock+fetchandnotrelaxed+acquire: Sometimes -------------------------------
inline void unlock_relaxed_p0(Shared &s, Regs &) noexcept	// an unlock without ordering
{
	cxxrt::write_once(s.x, 1UL);
	(void)cxxrt::fetch_andnot_relaxed(s.node.flags, unsigned(cq::locked));
}

// ---- xcall-kick-SB+push+clear-fetchadd-xchg: (Q2), Never -----------------------------------
// The kick is pending: its AsyncState has "queued" set.
inline void kick_reset(Shared &s) noexcept
{
	reset_all(s, 0);
	(void)s.state.claim(false);
}
inline void kick_p0(Shared &s, Regs &r) noexcept	// queue(): push, then kick_cpu()'s try_submit()
{
	s.list.push(&s.node);			// (1): fully ordered
	r.r[1] = s.state.claim(true) ? 2 : 1;	// try_submit(): 1 = the kick seen pending
}
inline void kick_p1(Shared &s, Regs &r) noexcept	// trampoline(): clear "queued", then take_all()
{
	cq::Node *taken = nullptr;
	auto handler = [&] { taken = s.list.take_all(); };
	s.state.run(handler);	// (Q2): fully ordered fetch_add, then the take's xchg
	r.r[1] = taken ? 1 : 0;
}
inline bool sb_bad(const Regs &p0, const Regs &p1) noexcept { return p0.r[1] == 1 && p1.r[1] == 0; }

// ---- xcall-kick-SB+push+clear-once-xchg / -once-xchgacquire: Never / Sometimes ---------------
// Written out: the state word is a plain variable here (1 queued, 2 running).
inline void raw_reset(Shared &s) noexcept
{
	reset_all(s, 0);
	s.raw_state = 1;
}
inline void kick_raw_p0(Shared &s, Regs &r) noexcept	// cmpxchg(head, 0, 1); atomic_read(state)
{
	r.r[0] = cxxrt::cmpxchg(s.head, 0UL, 1UL);
	r.r[1] = cxxrt::read_once(s.raw_state);
}
inline void kick_once_xchg_p1(Shared &s, Regs &r) noexcept	// atomic_set(state, 2); xchg(head, 0)
{
	cxxrt::write_once(s.raw_state, 2UL);
	r.r[1] = cxxrt::xchg(s.head, 0UL);
}
inline void kick_once_xchgacquire_p1(Shared &s, Regs &r) noexcept	// atomic_set(); xchg_acquire()
{
	cxxrt::write_once(s.raw_state, 2UL);
	r.r[1] = cxxrt::xchg_acquire(s.head, 0UL);
}

// ---- xcall-trysubmit-SB+once-mb+fetchadd: Sometimes (x86 too) -------------------------------
inline void trysubmit_once_mb_p0(Shared &s, Regs &r) noexcept	// write, read the state, then smp_mb()
{
	cxxrt::write_once(s.x, 1UL);
	r.r[0] = cxxrt::read_once(s.raw_state);
	cxxrt::smp_mb();	// after the read: orders nothing the outcome depends on (the file's point)
}
inline void trysubmit_p1_raw(Shared &s, Regs &r) noexcept	// atomic_fetch_add(1, state); READ_ONCE(x)
{
	r.r[0] = cxxrt::fetch_add(s.raw_state, 1UL);
	r.r[1] = cxxrt::read_once(s.x);
}
inline bool trysubmit_bad(const Regs &p0, const Regs &p1) noexcept { return p0.r[0] == 1 && p1.r[1] == 0; }

// ---- xcall-trysubmit-SB+mb-once+fetchadd: (A2), Never ----------------------------------------
inline void trysubmit_p0(Shared &s, Regs &r) noexcept	// caller: write, then try_submit()
{
	cxxrt::write_once(s.x, 1UL);
	r.r[0] = s.state.claim(true) ? 2 : 1;	// (A2): smp_mb(), then the read; 1 = coalesced
}
inline void trysubmit_p1(Shared &s, Regs &r) noexcept	// trampoline(): clear "queued", then the function
{
	unsigned long seen = ~0UL;
	auto fn = [&] { seen = cxxrt::read_once(s.x); };
	s.state.run(fn);	// (A2): fully ordered fetch_add
	r.r[1] = seen;
}

// ---- xcall-offline-RCU+sync+push: (Q1), Never; +mb+push: Sometimes (SC too) ------------------
inline void offline_reset(Shared &s) noexcept
{
	reset_all(s, 0);
	// The reset runs before the rendezvous, which orders it (L1). The
	// compiler barrier keeps its code the same in a q1.open mutant build
	// (scripts/mutants-kernel.sh compares the code): with a relaxed open()
	// GCC drops reset_all()'s zero store to the gate before it.
	cxxrt::barrier();
	s.gate.open();
}
inline void offline_p0(Shared &s, Regs &r) noexcept	// queue(): preempt-off check, then push
{
	PreemptGuard rcu_read_side;	// what cpu_offline()'s grace period waits out
	r.r[0] = s.gate.admits() ? 1 : 0;	// (Q1): acquire
	if (r.r[0])
		s.list.push(&s.node);
}
inline void offline_sync_p1(Shared &s, Regs &r) noexcept	// cpu_offline(): close, grace period, drain
{
	s.gate.close();
	xk_synchronize_rcu();	// (Q1): waits out every queuer that saw the gate open
	r.r[0] = s.list.take_all() ? 1 : 0;
}
inline void offline_mb_p1(Shared &s, Regs &r) noexcept	// a barrier in place of the grace period
{
	s.gate.close();
	cxxrt::smp_mb();	// orders the close before the take, but waits for no queuer (the file's point)
	r.r[0] = s.list.take_all() ? 1 : 0;
}
inline bool offline_bad(const Regs &p0, const Regs &p1) noexcept { return p0.r[0] == 1 && p1.r[0] == 0; }

// ---- xcall-online-MP+release+acquire: (Q1) opening, Never -------------------------------
inline void online_reset(Shared &s) noexcept { reset_all(s, 0); }	// the gate closed
inline void online_p0(Shared &s, Regs &) noexcept	// cpu_online(): set up, then open()
{
	cxxrt::write_once(s.x, 1UL);
	s.gate.open();	// (Q1): release
}
inline void online_p1(Shared &s, Regs &r) noexcept	// queue(): admits(), then use the queue
{
	r.r[0] = s.gate.admits() ? 1 : 0;	// (Q1): acquire
	r.r[1] = cxxrt::read_once(s.x);
}
inline bool mp_bad(const Regs &, const Regs &p1) noexcept { return p1.r[0] == 1 && p1.r[1] == 0; }

// ---- xcall-wake-MP+release+xchg: (Q3), Never ---------------------------------------------
inline void wake_reset(Shared &s) noexcept { reset_all(s, 0); }
inline void wake_p0(Shared &s, Regs &) noexcept	// run_wake(): post()
{
	s.mailbox.post(1);	// (Q3): the time, then release
}
inline void wake_p1(Shared &s, Regs &r) noexcept	// xcall_wait/N: take()
{
	unsigned long long performed = 0;
	r.r[0] = s.mailbox.take(performed) ? 1 : 0;	// (Q3): xchg, then the time
	r.r[1] = performed;
}

// ---- xcall-lazy-idle+xchg+release+acquire: (Q4), Never --------------------------------------
// One item on the lazy list; the thread runs it (its function writes x)
// while a waiter asks idle() and then reads x. The file's three loads are
// idle() (the list, then running, both acquire) and the read of data:
// here 1:r0 is idle()'s answer (1: the list was taken and running 0).
inline void write_x(cq::Node *n) noexcept { cxxrt::write_once(*static_cast<CaseNode *>(n)->data, 1UL); }
inline void lazy_reset(Shared &s) noexcept
{
	reset_all(s, 0, write_x);
	(void)s.lazy.push(&s.node);
}
inline void lazy_p0(Shared &s, Regs &) noexcept	// xcall_lazy/N: LazyList::run()
{
	s.lazy.run([](cq::Node *node) { node->func(node); });	// (Q4): running, xchg, function, release
}
inline void lazy_p1(Shared &s, Regs &r) noexcept	// wait_lazy_idle(): idle(), then read
{
	r.r[0] = s.lazy.idle() ? 1 : 0;	// (Q4): acquire, acquire
	r.r[1] = cxxrt::read_once(s.x);
}

}  // namespace shapes

// In docs/litmus/README.md's order.
inline constexpr Case cases[] = {
	{"xcall-llist+cmpxchg+xchg", Answer::Never, Answer::Never, true, false, {{}, {"r0", "r1"}},
	 shapes::llist_reset, shapes::llist_p0, shapes::llist_p1, shapes::llist_bad,
	 "LockFreeList::push() / LockFreeList::take_all()"},
	{"xcall-irqwork-claim+fetchor+fetchandnot", Answer::Never, Answer::Never, false, false,
	 {{nullptr, "r1"}, {"r0", nullptr}}, shapes::claim_reset, shapes::claim_p0, shapes::claim_p1,
	 shapes::claim_bad, "cq::run_work() / cq::claim_work()"},
	{"xcall-irqwork-claim+fetchoracquire+fetchandnot", Answer::Sometimes, Answer::Never, false, false,
	 {{nullptr, "r1"}, {"r0", nullptr}}, shapes::claim_reset, shapes::claim_p0, shapes::claim_acquire_p1,
	 shapes::claim_bad, "cq::run_work() / fetch_or_acquire()"},
	{"xcall-csd-unlock+fetchandnot+acquire", Answer::Never, Answer::Never, false, false, {{}, {"r0", "r1"}},
	 shapes::unlock_reset, shapes::unlock_p0, shapes::unlock_p1, shapes::unlock_bad,
	 "cq::run_sync() / cq::Node::idle()"},
	{"xcall-csd-unlock+fetchandnotrelaxed+acquire", Answer::Sometimes, Answer::Never, false, false,
	 {{}, {"r0", "r1"}}, shapes::unlock_reset, shapes::unlock_relaxed_p0, shapes::unlock_p1, shapes::unlock_bad,
	 "fetch_andnot_relaxed() / cq::Node::idle()"},
	{"xcall-kick-SB+push+clear-fetchadd-xchg", Answer::Never, Answer::Never, true, false,
	 {{nullptr, "r1"}, {nullptr, "r1"}}, shapes::kick_reset, shapes::kick_p0, shapes::kick_p1, shapes::sb_bad,
	 "LockFreeList::push(), AsyncState::claim(true) / AsyncState::run(take_all())"},
	{"xcall-kick-SB+push+clear-once-xchg", Answer::Never, Answer::Never, false, false,
	 {{nullptr, "r1"}, {nullptr, "r1"}}, shapes::raw_reset, shapes::kick_raw_p0, shapes::kick_once_xchg_p1,
	 shapes::sb_bad, "cmpxchg(), read_once() / write_once(), xchg()"},
	{"xcall-kick-SB+push+clear-once-xchgacquire", Answer::Sometimes, Answer::Never, false, false,
	 {{nullptr, "r1"}, {nullptr, "r1"}}, shapes::raw_reset, shapes::kick_raw_p0,
	 shapes::kick_once_xchgacquire_p1, shapes::sb_bad, "cmpxchg(), read_once() / write_once(), xchg_acquire()"},
	{"xcall-trysubmit-SB+once-mb+fetchadd", Answer::Sometimes, Answer::Sometimes, true, false,
	 {{"r0", nullptr}, {nullptr, "r1"}}, shapes::raw_reset, shapes::trysubmit_once_mb_p0,
	 shapes::trysubmit_p1_raw, shapes::trysubmit_bad,
	 "write_once(), read_once(), smp_mb() / fetch_add(), read_once()"},
	{"xcall-trysubmit-SB+mb-once+fetchadd", Answer::Never, Answer::Never, true, false,
	 {{"r0", nullptr}, {nullptr, "r1"}}, shapes::kick_reset, shapes::trysubmit_p0, shapes::trysubmit_p1,
	 shapes::trysubmit_bad, "AsyncState::claim(true) / AsyncState::run()"},
	{"xcall-offline-RCU+sync+push", Answer::Never, Answer::Never, false, true, {{"r0", nullptr}, {"r0", nullptr}},
	 shapes::offline_reset, shapes::offline_p0, shapes::offline_sync_p1, shapes::offline_bad,
	 "AcceptGate::admits(), push() / AcceptGate::close(), synchronize_rcu(), take_all()"},
	{"xcall-offline-RCU+mb+push", Answer::Sometimes, Answer::Sometimes, false, false,
	 {{"r0", nullptr}, {"r0", nullptr}}, shapes::offline_reset, shapes::offline_p0, shapes::offline_mb_p1,
	 shapes::offline_bad, "AcceptGate::admits(), push() / AcceptGate::close(), smp_mb(), take_all()"},
	{"xcall-online-MP+release+acquire", Answer::Never, Answer::Never, false, false, {{}, {"r0", "r1"}},
	 shapes::online_reset, shapes::online_p0, shapes::online_p1, shapes::mp_bad,
	 "AcceptGate::open() / AcceptGate::admits()"},
	{"xcall-wake-MP+release+xchg", Answer::Never, Answer::Never, false, false, {{}, {"r0", "r1"}},
	 shapes::wake_reset, shapes::wake_p0, shapes::wake_p1, shapes::mp_bad,
	 "WakeMailbox::post() / WakeMailbox::take()"},
	{"xcall-lazy-idle+xchg+release+acquire", Answer::Never, Answer::Never, false, false, {{}, {"idle", "r2"}},
	 shapes::lazy_reset, shapes::lazy_p0, shapes::lazy_p1, shapes::mp_bad,
	 "LazyList::run() / LazyList::idle()"},
};
inline constexpr unsigned nr_cases = sizeof(cases) / sizeof(cases[0]);

}  // namespace xcall::litmus
