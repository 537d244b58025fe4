// SPDX-License-Identifier: GPL-2.0
// The in-kernel C++ runtime tests. Each case checks one behaviour of cxxrt
// or of the module's building blocks, in the kernel, and says what it found.
#include "selftest/selftest.h"

#include "kernel/sync.h"

#include <cxxrt/atomic.h>
#include <cxxrt/function_ref.h>
#include <cxxrt/manual_lifetime.h>
#include <cxxrt/memory.h>
#include <cxxrt/optional.h>

namespace xcall {
namespace {

// ---- virtual dispatch ------------------------------------------------------

class Shape {
public:
	virtual ~Shape() = default;
	virtual long area() const = 0;
	virtual const char *name() const { return "shape"; }
};

class Rect : public Shape {
public:
	Rect(long w, long h) : w_(w), h_(h) {}
	long area() const override { return w_ * h_; }
	const char *name() const override { return "rect"; }

private:
	long w_, h_;
};

class Square final : public Rect {
public:
	explicit Square(long side) : Rect(side, side) {}
	const char *name() const override { return "square"; }
};

// Counts destructor runs, to see a virtual destructor reach the derived one.
long destroyed_derived;

class Tracked : public Shape {
public:
	~Tracked() override { destroyed_derived++; }
	long area() const override { return 7; }
};

// Opaque to the optimiser, so dispatch really goes through the vtable.
__attribute__((noinline)) const Shape &launder_shape(const Shape &s)
{
	asm volatile("" : : "r"(&s) : "memory");
	return s;
}

void virtual_dispatch(Check &check, const SelfTestEnv &)
{
	Rect rect(3, 4);
	Square square(5);
	const Shape *shapes[] = {&rect, &square};
	long total = 0;
	for (const Shape *s : shapes)
		total += launder_shape(*s).area();
	check.expect(total == 12 + 25, "sum of areas %ld, expected 37", total);
	check.expect(__builtin_strcmp(launder_shape(square).name(), "square") == 0,
		     "square reports name '%s'", launder_shape(square).name());

	destroyed_derived = 0;
	Shape *heap = new (cxxrt::may_sleep) Tracked;
	if (!check.expect(heap != nullptr, "allocation failed"))
		return;
	check.expect(launder_shape(*heap).area() == 7, "heap object area %ld", heap->area());
	delete heap;	// through the base: virtual destructor + sized delete
	check.expect(destroyed_derived == 1, "derived destructor ran %ld times", destroyed_derived);
}

// ---- templates ----------------------------------------------------------------

template <typename T>
constexpr T sum_of(const T *values, cxxrt::size_t n)
{
	T total{};
	for (cxxrt::size_t i = 0; i < n; i++)
		total += values[i];
	return total;
}

template <typename T> struct Describe { static constexpr const char *what = "other"; };
template <> struct Describe<int> { static constexpr const char *what = "int"; };
template <typename T> struct Describe<T *> { static constexpr const char *what = "pointer"; };

template <typename... Ts>
constexpr cxxrt::size_t total_size() { return (sizeof(Ts) + ... + 0); }

void templates(Check &check, const SelfTestEnv &)
{
	static constexpr int ints[] = {1, 2, 3, 4};
	static_assert(sum_of(ints, 4) == 10, "constexpr template evaluation");
	long longs[] = {100000000000L, 1};
	check.expect(sum_of(longs, 2) == 100000000001L, "sum_of<long> wrong");
	check.expect(__builtin_strcmp(Describe<int>::what, "int") == 0, "full specialisation not chosen");
	check.expect(__builtin_strcmp(Describe<long *>::what, "pointer") == 0,
		     "partial specialisation not chosen");
	check.expect(__builtin_strcmp(Describe<char>::what, "other") == 0, "primary template not chosen");
	check.expect(total_size<char, int, long>() == 13, "fold expression gave %lu",
		     static_cast<unsigned long>(total_size<char, int, long>()));
}

// ---- lambdas -------------------------------------------------------------------

__attribute__((noinline)) int call_through(cxxrt::FunctionRef<int(int)> f, int x) { return f(x); }

void lambda_capture(Check &check, const SelfTestEnv &)
{
	int base = 10;
	int calls = 0;
	auto by_value = [base](int x) { return base + x; };
	auto by_reference = [&calls, &base](int x) {
		calls++;
		return base * x;
	};
	base = 20;	// by_value keeps 10, by_reference sees 20
	check.expect(call_through(by_value, 1) == 11, "by-value capture saw %d", call_through(by_value, 1));
	check.expect(call_through(by_reference, 2) == 40, "by-reference capture wrong");
	check.expect(calls == 1, "by-reference lambda ran %d times", calls);

	auto counter = [n = 0]() mutable { return ++n; };
	counter();
	check.expect(counter() == 2, "mutable lambda state not kept");

	auto generic = [](auto a, auto b) { return a + b; };
	check.expect(generic(1, 2) == 3 && generic(1L << 40, 1L) == (1L << 40) + 1, "generic lambda wrong");

	// A lambda owned on the heap, with its captures, and called from there.
	auto owned = cxxrt::make_unique<decltype(by_value)>(cxxrt::may_sleep, by_value);
	if (check.expect(bool(owned), "allocation failed"))
		check.expect((*owned)(5) == 15, "heap-held lambda gave %d", (*owned)(5));
}

// ---- static storage --------------------------------------------------------------

// Constant-initialised by the compiler: correct before any code of xcall runs.
struct Config {
	int version;
	const char *label;
	constexpr Config(int v, const char *l) : version(v), label(l) {}
};
constinit Config static_config(2, "constinit");

// Brought alive by module init, gone at module exit.
struct InitOrderWitness {
	unsigned int cpus_at_init;
	long magic;
	explicit InitOrderWitness(unsigned int cpus) : cpus_at_init(cpus), magic(0x7863616c6cL) {}
};
constinit cxxrt::ManualLifetime<InitOrderWitness> init_witness;

void static_storage(Check &check, const SelfTestEnv &)
{
	check.expect(static_config.version == 2 && __builtin_strcmp(static_config.label, "constinit") == 0,
		     "constinit object not initialised");
	if (!check.expect(init_witness.alive(), "module-lifetime object not alive"))
		return;
	check.expect(init_witness->magic == 0x7863616c6cL, "module-lifetime object has magic %lx",
		     init_witness->magic);
	check.expect(init_witness->cpus_at_init == xk_nr_cpu_ids(), "module-lifetime object saw %u CPUs",
		     init_witness->cpus_at_init);
}

// ---- allocation ------------------------------------------------------------------

struct Payload {
	long words[6];
	static int live;
	Payload() { live++; }
	~Payload() { live--; }
};
int Payload::live;

struct alignas(64) CachelineObject {
	char bytes[40];
};

// Allocates and frees in @ctx: single objects, arrays, an over-aligned
// object and a UniquePtr, then checks the bridge's counters are back.
void new_delete_balance(Check &check, cxxrt::AllocContext ctx)
{
	xk_memory_stats before, after;
	xk_memory_stats_read(&before);

	Payload::live = 0;
	Payload *one = new (ctx) Payload;
	Payload *many = new (ctx) Payload[5];
	auto *aligned = new (ctx) CachelineObject;
	auto owned = cxxrt::make_unique<Payload>(ctx);
	if (check.expect(one && many && aligned && owned, "allocation failed")) {
		check.expect(Payload::live == 7, "%d constructors ran, expected 7", Payload::live);
		check.expect((reinterpret_cast<cxxrt::uintptr_t>(aligned) & 63) == 0,
			     "alignas(64) object at %p", aligned);
	}
	xk_memory_stats_read(&after);
	check.expect(after.live_allocs == before.live_allocs + 4, "live allocations %ld, expected %ld",
		     after.live_allocs, before.live_allocs + 4);

	delete one;
	delete[] many;
	delete aligned;
	owned.reset();
	check.expect(Payload::live == 0, "%d objects not destroyed", Payload::live);

	xk_memory_stats_read(&after);
	check.expect(after.live_allocs == before.live_allocs, "live allocations %ld, expected %ld",
		     after.live_allocs, before.live_allocs);
	check.expect(after.live_bytes == before.live_bytes, "live bytes %ld, expected %ld",
		     after.live_bytes, before.live_bytes);
	check.expect(after.total_allocs - before.total_allocs == 4 &&
			     after.total_frees - before.total_frees == 4,
		     "%ld allocations and %ld frees, expected 4 and 4",
		     after.total_allocs - before.total_allocs, after.total_frees - before.total_frees);
}

void new_delete_may_sleep(Check &check, const SelfTestEnv &)
{
	check.expect(xk_preemptible(), "not called from preemptible context");
	new_delete_balance(check, cxxrt::may_sleep);
}

void new_delete_atomic(Check &check, const SelfTestEnv &)
{
	if (xk_preempt_rt()) {
		// On PREEMPT_RT the allocator takes sleeping spinlock_t locks, so
		// "atomic" allocation means "will not sleep for memory", valid in
		// preemptible or spinlock_t sections, never with IRQs truly off.
		new_delete_balance(check, cxxrt::atomic_context);
		return;
	}
	IrqSaveGuard irqs_off;
	check.expect(xk_irqs_disabled(), "IrqSaveGuard left interrupts on");
	new_delete_balance(check, cxxrt::atomic_context);
}

// ---- vocabulary ---------------------------------------------------------------

void vocabulary(Check &check, const SelfTestEnv &)
{
	cxxrt::Optional<long> empty;
	cxxrt::Optional<long> full = 42L;
	check.expect(!empty && full && *full == 42 && empty.value_or(7) == 7, "Optional wrong");

	cxxrt::UniquePtr<Payload> a = cxxrt::make_unique<Payload>(cxxrt::may_sleep);
	Payload *raw = a.get();
	cxxrt::UniquePtr<Payload> b = cxxrt::move(a);
	check.expect(!a && b.get() == raw, "UniquePtr move did not transfer ownership");

	int values[] = {1, 2, 3, 4, 5};
	cxxrt::Span<int> span(values);
	auto tail = span.subspan(3);
	check.expect(span.size() == 5 && tail.size() == 2 && tail[0] == 4 && !span.at(5),
		     "Span wrong");

	cxxrt::StringView input("  call cpus=0-3 count=10 ");
	auto kind = input.next_token();
	auto cpus = input.next_token();
	auto count = input.next_token();
	check.expect(kind == "call" && cpus == "cpus=0-3" && count == "count=10" && input.next_token().empty(),
		     "StringView tokens wrong");
	check.expect(cxxrt::StringView("18446744073709551615").to_u64().value_or(0) == ~0ULL &&
			     !cxxrt::StringView("18446744073709551616").to_u64() &&
			     !cxxrt::StringView("12a").to_u64(),
		     "StringView::to_u64 wrong");
}

// ---- atomics -------------------------------------------------------------------

void atomics(Check &check, const SelfTestEnv &)
{
	long x = 5;
	check.expect(cxxrt::read_once(x) == 5, "read_once");
	cxxrt::write_once(x, 6);
	check.expect(x == 6, "write_once");
	cxxrt::store_release(x, 7);
	check.expect(cxxrt::load_acquire(x) == 7, "store_release/load_acquire");
	check.expect(cxxrt::xchg(x, 8) == 7 && x == 8, "xchg");
	check.expect(cxxrt::cmpxchg(x, 8, 9) == 8 && x == 9, "cmpxchg success");
	check.expect(cxxrt::cmpxchg(x, 1, 2) == 9 && x == 9, "cmpxchg failure changed the value");
	long expected = 0;
	check.expect(!cxxrt::try_cmpxchg(x, &expected, 3) && expected == 9, "try_cmpxchg failure");
	check.expect(cxxrt::try_cmpxchg(x, &expected, 3) && x == 3, "try_cmpxchg success");
	check.expect(cxxrt::fetch_add(x, 4) == 3 && x == 7, "fetch_add");
	check.expect(cxxrt::add_return(x, 1) == 8, "add_return");
	unsigned flags = 0x1;
	check.expect(cxxrt::fetch_or(flags, 0x6u) == 0x1 && flags == 0x7, "fetch_or");
	check.expect(cxxrt::fetch_andnot(flags, 0x2u) == 0x7 && flags == 0x5, "fetch_andnot");
	cxxrt::atomic_or(flags, 0x8u);
	cxxrt::atomic_andnot(flags, 0x1u);
	check.expect(flags == 0xc, "atomic_or/atomic_andnot gave %x", flags);
	cxxrt::smp_mb();
	int *ptr = nullptr;
	int target = 1;
	check.expect(cxxrt::xchg(ptr, &target) == nullptr && ptr == &target, "xchg on a pointer");
	check.expect(cxxrt::cond_load_acquire(target, [](int v) { return v == 1; }) == 1, "cond_load_acquire");
}

// ---- locks ----------------------------------------------------------------------

void mutex_protected(Check &check, const SelfTestEnv &)
{
	auto counter = cxxrt::make_unique<Protected<long>>(cxxrt::may_sleep, 40L);
	if (!check.expect(bool(counter), "allocation failed"))
		return;
	long seen = counter->with([](long &value) { return value += 2; });
	check.expect(seen == 42, "Protected::with returned %ld", seen);
}

constexpr SelfTestCase all_cases[] = {
	{"virtual_dispatch", virtual_dispatch},
	{"templates", templates},
	{"lambda_capture", lambda_capture},
	{"static_storage", static_storage},
	{"new_delete_may_sleep", new_delete_may_sleep},
	{"new_delete_atomic", new_delete_atomic},
	{"vocabulary", vocabulary},
	{"atomics", atomics},
	{"mutex_protected", mutex_protected},
};

}  // namespace

cxxrt::Span<const SelfTestCase> runtime_selftests() noexcept { return all_cases; }

void selftest_state_create() noexcept { init_witness.construct(xk_nr_cpu_ids()); }
void selftest_state_destroy() noexcept
{
	init_witness.destroy();
	primitive_selftests_release();
}

}  // namespace xcall
