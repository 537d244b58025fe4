// SPDX-License-Identifier: GPL-2.0
// The kernel memory model's operations, for C++ on plain variables.
//
// Each function is named for, and ordered exactly like, its kernel
// counterpart (tools/memory-model, Documentation/atomic_t.txt), so a reader
// can check an ordering argument against the LKMM without translation:
//
//   cxxrt                      kernel                 x86-64 code (both)
//   read_once(x)               READ_ONCE(x)           mov
//   write_once(x, v)           WRITE_ONCE(x, v)       mov
//   load_acquire(x)            smp_load_acquire(&x)   mov + compiler barrier
//   store_release(x, v)        smp_store_release(&x)  compiler barrier + mov
//   smp_mb()                   smp_mb()               lock addl $0,-4(%rsp)
//   smp_rmb() / smp_wmb()      smp_rmb() / smp_wmb()  compiler barrier
//   barrier()                  barrier()              compiler barrier
//   xchg(x, v)                 xchg(&x, v)            xchg (full barrier)
//   cmpxchg(x, old, new)       cmpxchg(&x, old, new)  lock cmpxchg (full)
//   try_cmpxchg(x, &old, new)  try_cmpxchg()          lock cmpxchg (full)
//   fetch_add/or/andnot(x, v)  atomic_fetch_*()       lock xadd / cmpxchg loop (full)
//   add_return(x, v)           atomic_add_return()    lock xadd (full)
//   atomic_add(x, v)           atomic_add() [relaxed] lock add (unordered)
//   *_relaxed, *_acquire,
//   *_release variants         the same suffixes      same instructions
//
// Value-returning RMW operations are fully ordered, void ones are relaxed,
// as in the kernel. The implementation uses GCC's __atomic builtins (so the
// host build is visible to ThreadSanitizer) except smp_mb(), which uses the
// kernel's own x86 sequence: a locked add on the stack, cheaper than mfence
// and a full barrier for ordinary memory.
//
// Operands must be naturally aligned scalars of 1, 2, 4 or 8 bytes (integers,
// enums, pointers): the kernel's READ_ONCE/xchg rules.
//
// Mutation switch (scripts/mutants.sh): every ordering operation that an
// ordering table names is written XCALL_ORDER(tag, op)(args), e.g.
// XCALL_ORDER(cq2.unlock_sync, fetch_andnot)(node->flags, locked). Without
// XCALL_MUTANT that is exactly cxxrt::op(args). A mutation build defines
// XCALL_MUTANT as one tag ("cq2.unlock_sync") and that one site, and only
// it, is weakened: fully ordered RMW -> relaxed, acquire -> read_once,
// release -> write_once, smp_mb() -> nothing. The layer's own claims are
// mutants too: "cxxrt.smp_mb", "cxxrt.acquire", "cxxrt.release" and
// "cxxrt.rmw" weaken that operation everywhere.
#pragma once

#include <cxxrt/type_traits.h>

#if !defined(__x86_64__)
#error "cxxrt/atomic.h maps the LKMM onto x86-64 only"
#endif

#ifdef XCALL_MUTANT
namespace cxxrt::mutant {
constexpr bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
constexpr bool active(const char *tag) { return same(tag, XCALL_MUTANT); }
}  // namespace cxxrt::mutant
#define XCALL_ORDER(tag, op) ::cxxrt::mutant::op<::cxxrt::mutant::active(#tag)>
#define XCALL_MUTANT_IS(tag) ::cxxrt::mutant::active(tag)
#else
#define XCALL_ORDER(tag, op) ::cxxrt::op
#define XCALL_MUTANT_IS(tag) false
#endif

namespace cxxrt {

namespace detail {
// The memory orders of the layer's fully ordered, acquire and release
// operations: __ATOMIC_RELAXED in the mutation builds that weaken them.
constexpr int order_full = XCALL_MUTANT_IS("cxxrt.rmw") ? __ATOMIC_RELAXED : __ATOMIC_SEQ_CST;
constexpr int order_acquire = XCALL_MUTANT_IS("cxxrt.acquire") ? __ATOMIC_RELAXED : __ATOMIC_ACQUIRE;
constexpr int order_release = XCALL_MUTANT_IS("cxxrt.release") ? __ATOMIC_RELAXED : __ATOMIC_RELEASE;
}  // namespace detail

template <typename T>
concept atomic_scalar = (is_integral_v<T> || is_enum_v<T> || is_pointer_v<T>) &&
			(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);

template <typename T>
concept atomic_arith = atomic_scalar<T> && is_integral_v<T>;

// ---- barriers --------------------------------------------------------------

inline void barrier() noexcept { asm volatile("" ::: "memory"); }

// KCSAN's weak-memory model (CONFIG_KCSAN_WEAK_MEMORY) lets an access be
// delayed past later ones until a barrier it can see. It sees the __atomic
// builtins (-fsanitize=thread turns them into __tsan_atomic* calls: the
// fully ordered and release ones end a delay), not inline asm: the kernel
// tells it about each barrier with an __atomic_signal_fence() whose order
// argument names the barrier (mb: seq_cst, wmb: acq_rel, rmb: acquire;
// include/linux/kcsan-checks.h), which it otherwise never uses. So does
// kcsan_barrier(). Without -fsanitize=thread (every shipped build) the
// fence is not emitted at all: not even a compiler barrier is added.
namespace detail {
template <int Order>
inline void kcsan_barrier() noexcept
{
#if defined(__SANITIZE_THREAD__) && defined(__XCALL_KERNEL__)
	__atomic_signal_fence(Order);
#endif
}
}  // namespace detail

inline void smp_mb() noexcept
{
	if constexpr (XCALL_MUTANT_IS("cxxrt.smp_mb"))
		return;
	detail::kcsan_barrier<__ATOMIC_SEQ_CST>();
	// arch/x86/include/asm/barrier.h: a locked op is a full barrier.
	asm volatile("lock; addl $0,-4(%%rsp)" ::: "memory", "cc");
}
// x86 is TSO: loads are not reordered with loads, stores not with stores.
inline void smp_rmb() noexcept
{
	detail::kcsan_barrier<__ATOMIC_ACQUIRE>();
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}
inline void smp_wmb() noexcept
{
	detail::kcsan_barrier<__ATOMIC_ACQ_REL>();
	__atomic_thread_fence(__ATOMIC_RELEASE);
}
// Around a void (relaxed) RMW: x86's locked instructions already order.
inline void smp_mb__before_atomic() noexcept
{
	detail::kcsan_barrier<__ATOMIC_SEQ_CST>();
	barrier();
}
inline void smp_mb__after_atomic() noexcept
{
	detail::kcsan_barrier<__ATOMIC_SEQ_CST>();
	barrier();
}

// ---- plain accesses ----------------------------------------------------------

template <atomic_scalar T>
inline T read_once(const T &x) noexcept { return __atomic_load_n(&x, __ATOMIC_RELAXED); }

template <atomic_scalar T, typename U>
inline void write_once(T &x, U value) noexcept { __atomic_store_n(&x, static_cast<T>(value), __ATOMIC_RELAXED); }

template <atomic_scalar T>
inline T load_acquire(const T &x) noexcept { return __atomic_load_n(&x, detail::order_acquire); }

template <atomic_scalar T, typename U>
inline void store_release(T &x, U value) noexcept
{
	__atomic_store_n(&x, static_cast<T>(value), detail::order_release);
}

// ---- exchange ------------------------------------------------------------------

template <atomic_scalar T, typename U>
inline T xchg(T &x, U value) noexcept { return __atomic_exchange_n(&x, static_cast<T>(value), detail::order_full); }
template <atomic_scalar T, typename U>
inline T xchg_relaxed(T &x, U value) noexcept { return __atomic_exchange_n(&x, static_cast<T>(value), __ATOMIC_RELAXED); }
template <atomic_scalar T, typename U>
inline T xchg_acquire(T &x, U value) noexcept { return __atomic_exchange_n(&x, static_cast<T>(value), __ATOMIC_ACQUIRE); }
template <atomic_scalar T, typename U>
inline T xchg_release(T &x, U value) noexcept { return __atomic_exchange_n(&x, static_cast<T>(value), __ATOMIC_RELEASE); }

namespace detail {
template <int Success, int Failure, typename T>
inline bool try_cmpxchg(T &x, T *old, T value) noexcept
{
	return __atomic_compare_exchange_n(&x, old, value, false, Success, Failure);
}
}  // namespace detail

// Returns the value found; the swap happened iff it equals @old. Fully
// ordered when it succeeds (like the kernel, no ordering promised on failure).
template <atomic_scalar T, typename U, typename V>
inline T cmpxchg(T &x, U old, V value) noexcept
{
	T expected = static_cast<T>(old);
	detail::try_cmpxchg<detail::order_full, detail::order_full>(x, &expected, static_cast<T>(value));
	return expected;
}
template <atomic_scalar T, typename U, typename V>
inline T cmpxchg_relaxed(T &x, U old, V value) noexcept
{
	T expected = static_cast<T>(old);
	detail::try_cmpxchg<__ATOMIC_RELAXED, __ATOMIC_RELAXED>(x, &expected, static_cast<T>(value));
	return expected;
}
template <atomic_scalar T, typename U, typename V>
inline T cmpxchg_acquire(T &x, U old, V value) noexcept
{
	T expected = static_cast<T>(old);
	detail::try_cmpxchg<__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE>(x, &expected, static_cast<T>(value));
	return expected;
}
template <atomic_scalar T, typename U, typename V>
inline T cmpxchg_release(T &x, U old, V value) noexcept
{
	T expected = static_cast<T>(old);
	detail::try_cmpxchg<__ATOMIC_RELEASE, __ATOMIC_RELAXED>(x, &expected, static_cast<T>(value));
	return expected;
}

// On failure *old is updated to the value found, as the kernel's try_cmpxchg.
template <atomic_scalar T, typename V>
inline bool try_cmpxchg(T &x, T *old, V value) noexcept
{
	return detail::try_cmpxchg<detail::order_full, detail::order_full>(x, old, static_cast<T>(value));
}
template <atomic_scalar T, typename V>
inline bool try_cmpxchg_acquire(T &x, T *old, V value) noexcept
{
	return detail::try_cmpxchg<__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE>(x, old, static_cast<T>(value));
}
template <atomic_scalar T, typename V>
inline bool try_cmpxchg_release(T &x, T *old, V value) noexcept
{
	return detail::try_cmpxchg<__ATOMIC_RELEASE, __ATOMIC_RELAXED>(x, old, static_cast<T>(value));
}

// ---- arithmetic and bit operations -------------------------------------------

// Value-returning: fully ordered (atomic_fetch_add(), atomic_add_return()).
template <atomic_arith T, typename U>
inline T fetch_add(T &x, U v) noexcept { return __atomic_fetch_add(&x, static_cast<T>(v), detail::order_full); }
template <atomic_arith T, typename U>
inline T fetch_sub(T &x, U v) noexcept { return __atomic_fetch_sub(&x, static_cast<T>(v), detail::order_full); }
template <atomic_arith T, typename U>
inline T fetch_or(T &x, U v) noexcept { return __atomic_fetch_or(&x, static_cast<T>(v), detail::order_full); }
template <atomic_arith T, typename U>
inline T fetch_and(T &x, U v) noexcept { return __atomic_fetch_and(&x, static_cast<T>(v), detail::order_full); }
template <atomic_arith T, typename U>
inline T fetch_andnot(T &x, U v) noexcept { return __atomic_fetch_and(&x, static_cast<T>(~static_cast<T>(v)), detail::order_full); }
template <atomic_arith T, typename U>
inline T add_return(T &x, U v) noexcept { return __atomic_add_fetch(&x, static_cast<T>(v), detail::order_full); }
template <atomic_arith T, typename U>
inline T sub_return(T &x, U v) noexcept { return __atomic_sub_fetch(&x, static_cast<T>(v), detail::order_full); }

template <atomic_arith T, typename U>
inline T fetch_add_relaxed(T &x, U v) noexcept { return __atomic_fetch_add(&x, static_cast<T>(v), __ATOMIC_RELAXED); }
template <atomic_arith T, typename U>
inline T fetch_or_acquire(T &x, U v) noexcept { return __atomic_fetch_or(&x, static_cast<T>(v), __ATOMIC_ACQUIRE); }
template <atomic_arith T, typename U>
inline T fetch_andnot_relaxed(T &x, U v) noexcept
{
	return __atomic_fetch_and(&x, static_cast<T>(~static_cast<T>(v)), __ATOMIC_RELAXED);
}
template <atomic_arith T, typename U>
inline T fetch_andnot_release(T &x, U v) noexcept { return __atomic_fetch_and(&x, static_cast<T>(~static_cast<T>(v)), __ATOMIC_RELEASE); }

// Void: unordered (atomic_add(), atomic_inc(), atomic_or() ...). Pair with
// smp_mb__before_atomic()/smp_mb__after_atomic() where order is needed.
template <atomic_arith T, typename U>
inline void atomic_add(T &x, U v) noexcept { __atomic_fetch_add(&x, static_cast<T>(v), __ATOMIC_RELAXED); }
template <atomic_arith T, typename U>
inline void atomic_sub(T &x, U v) noexcept { __atomic_fetch_sub(&x, static_cast<T>(v), __ATOMIC_RELAXED); }
template <atomic_arith T, typename U>
inline void atomic_or(T &x, U v) noexcept { __atomic_fetch_or(&x, static_cast<T>(v), __ATOMIC_RELAXED); }
template <atomic_arith T, typename U>
inline void atomic_andnot(T &x, U v) noexcept { __atomic_fetch_and(&x, static_cast<T>(~static_cast<T>(v)), __ATOMIC_RELAXED); }

// ---- CPU-local counters (local_t) ---------------------------------------------------

// local_inc()/local_add(): one unlocked read-modify-write instruction, atomic
// against interrupts on this CPU but not against other CPUs. For counters
// only their owning CPU writes (the dual counter's "local" half, docs/seeds.md); others read them
// with read_once().
template <atomic_arith T>
inline void local_add(T &x, T v) noexcept
{
	static_assert(sizeof(T) == 8, "local counters are 64-bit");
	asm volatile("addq %1, %0" : "+m"(x) : "er"(v));
}
template <atomic_arith T>
inline void local_inc(T &x) noexcept { local_add(x, T(1)); }

// ---- waiting ---------------------------------------------------------------------

inline void cpu_relax() noexcept { asm volatile("rep; nop" ::: "memory"); }

// smp_cond_load_acquire(&x, cond(VAL)): spin until cond holds for the loaded
// value, then order later accesses after that load. Returns the value.
template <atomic_scalar T, typename Cond>
inline T cond_load_acquire(const T &x, Cond cond) noexcept
{
	for (;;) {
		T value = load_acquire(x);
		if (cond(value))
			return value;
		cpu_relax();
	}
}

}  // namespace cxxrt

#ifdef XCALL_MUTANT
// What XCALL_ORDER(tag, op) calls in a mutation build: op<true> is the
// weakened operation, op<false> the real one.
namespace cxxrt::mutant {

template <bool Weak>
inline void smp_mb() noexcept
{
	if constexpr (!Weak)
		cxxrt::smp_mb();
}
template <bool Weak, atomic_scalar T>
inline T load_acquire(const T &x) noexcept
{
	return Weak ? read_once(x) : cxxrt::load_acquire(x);
}
template <bool Weak, atomic_scalar T, typename U>
inline void store_release(T &x, U value) noexcept
{
	if constexpr (Weak)
		write_once(x, value);
	else
		cxxrt::store_release(x, value);
}
template <bool Weak, atomic_scalar T, typename Cond>
inline T cond_load_acquire(const T &x, Cond cond) noexcept
{
	for (;;) {
		T value = load_acquire<Weak>(x);
		if (cond(value))
			return value;
		cpu_relax();
	}
}

constexpr int rmw_order(bool weak) { return weak ? __ATOMIC_RELAXED : detail::order_full; }

template <bool Weak, atomic_scalar T, typename U>
inline T xchg(T &x, U value) noexcept { return __atomic_exchange_n(&x, static_cast<T>(value), rmw_order(Weak)); }
template <bool Weak, atomic_scalar T, typename V>
inline bool try_cmpxchg(T &x, T *old, V value) noexcept
{
	return detail::try_cmpxchg<rmw_order(Weak), rmw_order(Weak)>(x, old, static_cast<T>(value));
}
template <bool Weak, atomic_scalar T, typename U, typename V>
inline T cmpxchg(T &x, U old, V value) noexcept
{
	T expected = static_cast<T>(old);
	try_cmpxchg<Weak>(x, &expected, value);
	return expected;
}
template <bool Weak, atomic_arith T, typename U>
inline T fetch_add(T &x, U v) noexcept { return __atomic_fetch_add(&x, static_cast<T>(v), rmw_order(Weak)); }
template <bool Weak, atomic_arith T, typename U>
inline T fetch_sub(T &x, U v) noexcept { return __atomic_fetch_sub(&x, static_cast<T>(v), rmw_order(Weak)); }
template <bool Weak, atomic_arith T, typename U>
inline T fetch_or(T &x, U v) noexcept { return __atomic_fetch_or(&x, static_cast<T>(v), rmw_order(Weak)); }
template <bool Weak, atomic_arith T, typename U>
inline T fetch_andnot(T &x, U v) noexcept
{
	return __atomic_fetch_and(&x, static_cast<T>(~static_cast<T>(v)), rmw_order(Weak));
}

}  // namespace cxxrt::mutant
#endif
