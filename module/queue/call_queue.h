// SPDX-License-Identifier: GPL-2.0
// The merged per-CPU call queue's core, as kernel/smp.c has had it since
// 5.10 ("smp,irq_work: Use the new irq_work API", LKML Aug 2020;
// docs/seeds.md lists the threads): one lock-free
// list per CPU holding typed nodes (calls, irq_work items, wake-ups),
// drained in passes over one detached list. Pure code on cxxrt's atomics:
// the module wires it to real IPIs (remote_queue.h); host tests run it with
// threads as CPUs under TSan.
//
// A node's flags word belongs to this file: its type bits are set by
// lock_node() and claim_work() (which remote_queue.h calls with the bits of
// the kind table, kinds.h), its state bits by the queue and the drain.
//
// Ordering, pair by pair (each "fully ordered" op is a locked instruction
// on x86 and an smp_mb() on both sides in the LKMM):
//  (1) push (cmpxchg) -> take_all (xchg): a node's contents and everything
//      its queuer wrote before pushing are visible to the drain (and to a
//      later drain on the same CPU, if a budget kept it in the Backlog).
//  (2) call unlock (fully ordered fetch_andnot; an async call's a
//      store-release, or a fully ordered fetch_add while an earlier run
//      is still running) -> wait_unlocked() (acquire), the re-armer's
//      cmpxchg: a sync call's effects are visible to its waiter once
//      unlocked; an async call's queuer may re-arm it once unlocked.
//  (3) irq_work claim (fully ordered fetch_or) -> run's PENDING clear (fully
//      ordered fetch_andnot): a queuer whose claim failed because the item
//      was pending has its prior writes seen by that pending run ("smp:
//      Non busy-waiting IPI queue", LKML Apr 2014; the kernel uses
//      atomic_set() + smp_mb() for the clear).
//  (4) run's BUSY clear (cmpxchg) -> irq_work sync (acquire).
#pragma once

#include <cxxrt/atomic.h>
#include <cxxrt/lifetime.h>
#include <cxxrt/types.h>

namespace xcall::cq {

// Flags word of a node: its kind (bits 4-5, the values of
// include/linux/smp_types.h) and its state.
enum : unsigned {
	kind_async = 0x00,
	kind_sync = 0x10,
	kind_irq_work = 0x20,
	kind_wake = 0x30,
	kind_mask = 0x30,

	// Calls and wakes whose owner queues them from one context at a time,
	// as the kernel requires of a CSD: set once by set_one_queuer(), kept
	// for life. Their lock is a check and a store (lock_node()); irq_work
	// items ignore it.
	one_queuer = 0x80,

	// Calls and wakes: queued and not yet released (csd_lock).
	locked = 0x01,
	// Async calls: functions running (destruction waits for zero).
	running_one = 0x100,

	// irq_work items.
	work_pending = 0x01,
	work_busy = 0x02,
	work_lazy = 0x04,
	work_hard = 0x08,
	work_claimed = work_pending | work_busy,

	// What a node is (set when it is queued) rather than what it is doing.
	type_bits = kind_mask | work_lazy | work_hard | one_queuer,
};

// A queue node. Whoever owns one (its embedding object) keeps it alive while
// it is queued or its function runs: a debug build (XCALL_DEBUG_NODES) stops
// the kernel at the destruction of a node still in use, as fbl's and
// SerenityOS's intrusive containers assert on destroying a linked node.
struct Node {
#ifdef XCALL_DEBUG_NODES
	~Node()
	{
		if (!idle())
			cxxrt::cxxrt_lifetime_violation("queue node destroyed while queued or running");
	}
#endif

	Node *next = nullptr;
	unsigned flags = 0;
	unsigned short tag = 0;		// the user's: which statistics row it counts in
	void (*func)(Node *) = nullptr;
	cxxrt::uint64_t queued_ns = 0;	// when it was queued, for latency

	// kind_sync, kind_async, kind_irq_work or kind_wake (kernel/smp.c's
	// CSD_TYPE_*), as last queued.
	unsigned type() const noexcept { return cxxrt::read_once(flags) & kind_mask; }
	// Not queued, not claimed, no function running: its owner may free or
	// re-queue it. Acquire: pairs with the unlock (2) and the BUSY clear (4).
	bool idle() const noexcept { return (XCALL_ORDER(cq2.idle, load_acquire)(flags) & ~type_bits) == 0; }

	// The owner's promise for a call or wake node, made while it is idle
	// and before it is first queued: no two contexts ever queue it at
	// once (its function re-arming it counts as one), the contract of
	// the kernel's smp_call_function_single_async(). lock_node() then
	// takes it with a check and a store where it is idle, as csd_lock(),
	// instead of a cmpxchg; a node queued twice at once would be linked
	// twice, so only code that keeps the promise by construction sets it
	// (the bench's and the queue knob's nodes, each queued by one writer).
	// An irq_work item keeps the bit and ignores it: its claim is always
	// the fully ordered fetch_or (3).
	void set_one_queuer() noexcept { flags |= one_queuer; }
};

// A lock-free singly linked stack (llist): any number of pushers, one
// consumer taking everything at once.
class LockFreeList {
public:
	// Returns true if the list was empty: the caller must kick the owner.
	bool push(Node *node) noexcept
	{
		Node *first = cxxrt::read_once(head_);
		do
			node->next = first;
		while (!XCALL_ORDER(cq1.push, try_cmpxchg)(head_, &first, node));	// (1), fully ordered
		return first == nullptr;
	}
	// Detaches all nodes, newest first.
	Node *take_all() noexcept { return XCALL_ORDER(cq1.take, xchg)(head_, static_cast<Node *>(nullptr)); }	// (1)
	bool empty() const noexcept { return cxxrt::read_once(head_) == nullptr; }
	// As empty(), ordered before the caller's later loads.
	bool empty_acquire() const noexcept { return XCALL_ORDER(q4.list_empty, load_acquire)(head_) == nullptr; }
	// How many nodes are queued now. Only meaningful where no one can take
	// the list meanwhile (its owner CPU is busy): tests use it.
	unsigned count_unstable() const noexcept
	{
		unsigned n = 0;
		for (const Node *node = cxxrt::load_acquire(head_); node; node = cxxrt::read_once(node->next))
			n++;
		return n;
	}

	// Reverses a detached list; @each(node) sees every node in the same
	// walk (the backlog counts and types a batch there).
	template <typename Each>
	static Node *reverse(Node *node, Each each) noexcept
	{
		Node *reversed = nullptr;
		while (node) {
			Node *next = node->next;
			each(node);
			node->next = reversed;
			reversed = node;
			node = next;
		}
		return reversed;
	}
	static Node *reverse(Node *node) noexcept
	{
		return reverse(node, [](Node *) {});
	}

private:
	Node *head_ = nullptr;
};

// ---- calls: csd_lock semantics ("generic-ipi: remove kmalloc()", LKML 2009) ----------------------------------------

// Locks a call or wake node for queueing as @type (kind_sync, kind_async or
// kind_wake); false if it is still queued. Unlike the kernel's csd_lock()
// this is one atomic step, so concurrent queuers cannot both take the node.
// Fully ordered (1'): what the caller wrote to the node and before is
// ordered before the push that publishes it; its acquire half pairs with
// the unlock (2): the last drain's reads of the node come before the
// caller's new writes.
//
// A one_queuer node found idle is taken as csd_lock() takes a CSD: an
// acquire load (pairs with the unlock and async_done (2), which made it
// idle; nothing else writes an idle node's flags, its one queuer being
// us) and a plain store. The push (1) that follows is fully ordered and
// publishes both. Found running (an async node's function still running,
// whose end decrements the flags), it takes the atomic path.
inline bool lock_node(Node &node, unsigned type) noexcept
{
	// one_queuer was set before the node was first queued and is never
	// cleared: its test needs no order. The atomic path's order is its
	// cmpxchg's own (cq1.lock), which the tests weigh alone.
	unsigned old = cxxrt::read_once(node.flags);
#ifndef XCALL_COST_ATOMIC_LOCK	// measurement build only: every node takes the cmpxchg, to weigh it
	if (old & one_queuer) {
		old = XCALL_ORDER(cq2.lock_one, load_acquire)(node.flags);	// (2)
		if (!(old & ~type_bits)) {
			cxxrt::write_once(node.flags, one_queuer | type | locked);
			return true;
		}
	}
#endif
#ifdef XCALL_COST_PLAIN_LOCK
	// Measurement build only (scripts/cost-breakdown.sh): the lock as the
	// kernel's csd_lock() takes it, a check and a plain store, to weigh
	// the cmpxchg. Not safe against concurrent queuers of one node.
	unsigned flags = cxxrt::read_once(node.flags);
	if (flags & locked)
		return false;
	cxxrt::write_once(node.flags, (flags & ~type_bits) | type | locked);
	return true;
#endif
	do {
		if (old & locked)
			return false;
	} while (!XCALL_ORDER(cq1.lock, try_cmpxchg)(node.flags, &old,
						    (old & ~type_bits) | (old & one_queuer) | type | locked));
	return true;
}

// A sync call: run, then unlock (2); the waiter may free @node at once.
inline void run_sync(Node *node) noexcept
{
	node->func(node);
	XCALL_ORDER(cq2.unlock_sync, fetch_andnot)(node->flags, locked);	// (2): nothing of *node after this
}

// An async call: unlocked before its function runs (so it can re-arm
// itself), in the same step counted as running, so that its owner can wait
// for the function to return before freeing it.
#if defined(XCALL_BREAK_RUN_TWICE) || defined(XCALL_BREAK_DROP)
// Test-only broken builds (tests/torture-broken.sh): one async node in
// 1024 runs twice, or is dropped (unlocked without running).
inline unsigned long broken_async_runs;
inline bool broken_this_time() noexcept { return (cxxrt::fetch_add(broken_async_runs, 1UL) & 1023) == 1023; }
#endif

inline void run_async(Node *node) noexcept
{
#ifdef XCALL_COST_PLAIN_RUN
	// Measurement build only (scripts/cost-breakdown.sh): the unlock and
	// the running count as plain stores (the kernel's csd_unlock() is a
	// store-release), to weigh the two atomics. Not safe against a node
	// that re-arms itself to another CPU.
	cxxrt::store_release(node->flags, cxxrt::read_once(node->flags) + running_one - locked);
	node->func(node);
	cxxrt::store_release(node->flags, cxxrt::read_once(node->flags) - running_one);
	return;
#endif
	// The unlock (2). Common case, no earlier run of this node still
	// running (re-armed from its function, now queued here): while the
	// node is locked nobody else writes its flags (a lock_node() that
	// finds it locked writes nothing; no run can start elsewhere), so a
	// store-release does it, as the kernel's csd_unlock(), and saves a
	// locked instruction per node (issue 22). Release is all (2) needs:
	// the drain's reads of the node come before a re-armer's writes. An
	// earlier run still running decrements concurrently: then the atomic.
	// One tag for both sites: its mutant weakens both.
	unsigned flags = cxxrt::read_once(node->flags);
	if ((flags & ~type_bits) == locked)
		XCALL_ORDER(cq2.unlock_async, store_release)(node->flags, flags - locked + running_one);	// (2)
	else
		XCALL_ORDER(cq2.unlock_async, fetch_add)(node->flags, running_one - locked);	// (2)
#if defined(XCALL_BREAK_DROP)
	if (!broken_this_time())
#endif
	node->func(node);
#if defined(XCALL_BREAK_RUN_TWICE)
	if (broken_this_time())
		node->func(node);
#endif
	XCALL_ORDER(cq2.async_done, fetch_sub)(node->flags, running_one);	// nothing of *node after this
}

// A wake-up: like a sync call, released after it is performed.
inline void run_wake(Node *node) noexcept { run_sync(node); }

template <typename Relax>
void wait_unlocked(const Node &node, Relax relax) noexcept
{
	while (XCALL_ORDER(cq2.wait, load_acquire)(node.flags) & locked)	// (2)
		relax();
}

// ---- irq_work: claim semantics (kernel/irq_work.c) --------------------------------

// Claims an irq_work item of @type (kind_irq_work with work_hard or
// work_lazy, if any; an item keeps one type for life, as the kernel's keeps
// its IRQ_WORK_* flags). True if this claim made the item pending (the
// caller queues it); false if it was pending already, in which case the
// pending run sees every write made before this call (3). Like
// irq_work_claim(), the type is ORed in with the claim.
inline bool claim_work(Node &node, unsigned type) noexcept
{
	unsigned old = XCALL_ORDER(cq3.claim, fetch_or)(node.flags, type | work_claimed);	// (3)
	return !(old & work_pending);
}

inline void run_work(Node *node) noexcept
{
	// We own PENDING: claims that see it set change nothing. Clearing it
	// makes the item claimable again; fully ordered, so that the function
	// below sees what failed claimers wrote before their claim (3), and
	// so that the drain's reads of the item come before the writes of
	// whoever claims it next (its release half).
#ifndef XCALL_BREAK_LATE_PENDING_CLEAR
	unsigned flags = XCALL_ORDER(cq3.clear_pending, fetch_andnot)(node->flags, unsigned(work_pending)) & ~work_pending;
	node->func(node);
#else
	// Test-only broken build (tests/torture-broken.sh): (3) undone, a
	// claim made while the function runs finds PENDING and is covered by
	// no run.
	node->func(node);
	unsigned flags = cxxrt::fetch_andnot(node->flags, unsigned(work_pending)) & ~work_pending;
#endif
	// Back to idle unless claimed again meanwhile (then it stays busy).
	XCALL_ORDER(cq4.clear_busy, cmpxchg)(node->flags, flags, flags & ~work_busy);	// (4)
}

// ---- the drain ------------------------------------------------------------------

// Which node types a batch holds, a bit per kind_* (kind >> 4): the drain
// skips a pass that would find nothing (a burst of async nodes is one pass).
constexpr unsigned type_bit(unsigned kind) noexcept { return 1u << (kind >> 4); }
constexpr unsigned all_types = type_bit(kind_async) | type_bit(kind_sync) | type_bit(kind_irq_work) | type_bit(kind_wake);

// Nodes taken from a CPU's list but not yet run, oldest first: what a drain
// with a budget (drain_some()) leaves for the next one. Only its CPU
// touches it, with interrupts off, so it needs no order of its own: its
// nodes were published to that CPU by (1) when they were taken. head_ is
// marked because the CPU's own interrupted code may look (empty()).
class Backlog {
public:
	// Appends a list detached by take_all() (newest first) after the nodes
	// held: they run after them. The walk that reverses the list (the one
	// the kernel's llist_reverse_order() makes too) also counts it and
	// notes its node types, so that detach() needs no walk of its own for
	// a batch within the budget (issue 22).
	void append(Node *taken) noexcept
	{
		if (!taken)
			return;
		unsigned n = 0, types = 0;
		Node *oldest = LockFreeList::reverse(taken, [&](Node *node) {
			types |= type_bit(node->type());
			n++;
		});
		if (tail_)
			tail_->next = oldest;
		else
			cxxrt::write_once(head_, oldest);
		tail_ = taken;	// the newest, now the last
		count_ += n;
		types_ |= types;
	}
	// Detaches the oldest @budget nodes (all, if fewer), oldest first, and
	// sets @count to how many and @types to (at least) their type_bit()s.
	// All of them: no walk. Cut at @budget: a walk to the cut, no further.
	Node *detach(unsigned budget, unsigned &count, unsigned &types) noexcept
	{
		Node *first = head_;
		types = types_;
		if (count_ <= budget) {
			count = count_;
			count_ = 0;
			types_ = 0;
			tail_ = nullptr;
			cxxrt::write_once(head_, static_cast<Node *>(nullptr));
			return first;
		}
		count = budget;
		if (!budget)
			return nullptr;
		Node *last = first;
		for (unsigned i = 1; i < budget; i++)
			last = last->next;
		cxxrt::write_once(head_, last->next);	// not null: count_ > budget
		last->next = nullptr;
		count_ -= budget;	// types_ stays: a superset of what is left
		return first;
	}
	bool empty() const noexcept { return cxxrt::read_once(head_) == nullptr; }
	// How many nodes it holds.
	unsigned size() const noexcept { return count_; }

private:
	Node *head_ = nullptr, *tail_ = nullptr;
	unsigned count_ = 0, types_ = 0;
};

// Runs a list of nodes, oldest first, in kernel/smp.c's order: synchronous
// calls first (someone is waiting), then async calls and irq_work items,
// then wake-ups; FIFO within each pass. @h provides run_sync(), run_async(),
// run_irq_work() and run_wake(); each may free or re-queue its node, so a
// node's successor is read before the node is handed over.
// @types: the type_bit()s of the list's nodes (at least), to skip a pass.
template <typename Handler>
void drain_oldest_first(Node *entry, Handler &h, unsigned types = all_types) noexcept
{
	Node **link = &entry;
	if (types & type_bit(kind_sync)) {
		for (Node *node = entry, *next; node; node = next) {
			next = node->next;
			if (node->type() == kind_sync) {
				*link = next;
				h.run_sync(node);
			} else {
				link = &node->next;
			}
		}
	}

	link = &entry;
	if (types & (type_bit(kind_async) | type_bit(kind_irq_work))) {
		for (Node *node = entry, *next; node; node = next) {
			next = node->next;
			unsigned kind = node->type();
			if (kind == kind_wake) {
				link = &node->next;
				continue;
			}
			*link = next;
			if (kind == kind_async)
				h.run_async(node);
			else
				h.run_irq_work(node);
		}
	}

	for (Node *node = entry, *next; node; node = next) {
		next = node->next;
		h.run_wake(node);
	}
}

// Runs a whole list detached by take_all() (newest first), in the order above.
template <typename Handler>
void drain(Node *taken, Handler &h) noexcept
{
	drain_oldest_first(LockFreeList::reverse(taken), h);
}

// A drain with a budget: takes @list (1) behind @backlog, then runs the
// oldest @budget nodes of both (in the order above within them) and keeps
// the rest in @backlog, in order, for the next call. So a node runs after
// every node taken before it, at most @budget per call. Returns how many
// ran; @cut says whether some were left. A handler that counts nodes does
// it in its run_*(), before it hands the node over.
template <typename Handler>
unsigned drain_some(LockFreeList &list, Backlog &backlog, unsigned budget, Handler &h, bool &cut) noexcept
{
	backlog.append(list.take_all());	// (1)
	unsigned count, types;
	Node *batch = backlog.detach(budget, count, types);
	cut = !backlog.empty();
	drain_oldest_first(batch, h, types);
	return count;
}

}  // namespace xcall::cq
