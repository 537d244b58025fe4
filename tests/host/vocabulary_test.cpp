// SPDX-License-Identifier: GPL-2.0
// cxxrt's vocabulary types, in userspace.
#include <cxxrt/function_ref.h>
#include <cxxrt/manual_lifetime.h>
#include <cxxrt/memory.h>
#include <cxxrt/optional.h>
#include <cxxrt/span.h>
#include <cxxrt/string_view.h>
#include <cxxrt/type_traits.h>
#include <cxxrt/utility.h>
#include <gtest/gtest.h>

#include "host_bridge.h"

namespace {

// ---- traits: checked at compile time; the test exists to name them. ----
static_assert(cxxrt::is_same_v<cxxrt::remove_cvref_t<const int &>, int>);
static_assert(cxxrt::is_integral_v<unsigned long> && !cxxrt::is_integral_v<float>);
static_assert(cxxrt::is_pointer_v<int *> && !cxxrt::is_pointer_v<int>);
static_assert(cxxrt::is_trivially_destructible_v<int> &&
	      !cxxrt::is_trivially_destructible_v<cxxrt::UniquePtr<int>>);
static_assert(cxxrt::convertible_to<int, long> && !cxxrt::convertible_to<int *, long>);
static_assert(cxxrt::invocable<void (*)(int), int> && !cxxrt::invocable<void (*)(int *), int>);
static_assert(cxxrt::is_same_v<cxxrt::invoke_result_t<long (*)(int), int>, long>);
static_assert(cxxrt::is_trivially_destructible_v<cxxrt::ManualLifetime<cxxrt::UniquePtr<int>>>,
	      "a static ManualLifetime must need no exit-time destructor");

TEST(TypeTraits, HoldAtCompileTime) { SUCCEED(); }

struct MoveOnly {
	int value;
	explicit MoveOnly(int v) : value(v) {}
	MoveOnly(MoveOnly &&other) noexcept : value(cxxrt::exchange(other.value, -1)) {}
	MoveOnly &operator=(MoveOnly &&other) noexcept
	{
		value = cxxrt::exchange(other.value, -1);
		return *this;
	}
};

TEST(Utility, MoveTransfersAndExchangeReturnsOld)
{
	MoveOnly a(5);
	MoveOnly b(cxxrt::move(a));
	EXPECT_EQ(b.value, 5);
	EXPECT_EQ(a.value, -1);
	int x = 1;
	EXPECT_EQ(cxxrt::exchange(x, 2), 1);
	EXPECT_EQ(x, 2);
	int p = 3, q = 4;
	cxxrt::swap(p, q);
	EXPECT_EQ(p * 10 + q, 43);
}

template <typename T> int category(T &&) { return cxxrt::is_lvalue_reference_v<T> ? 1 : 2; }
template <typename T> int relay(T &&t) { return category(cxxrt::forward<T>(t)); }

TEST(Utility, ForwardKeepsValueCategory)
{
	int x = 0;
	EXPECT_EQ(relay(x), 1);
	EXPECT_EQ(relay(0), 2);
}

struct Counted {
	static inline int live = 0;
	int value;
	explicit Counted(int v = 0) : value(v) { live++; }
	Counted(const Counted &other) : value(other.value) { live++; }
	~Counted() { live--; }
};

struct Base {
	virtual ~Base() = default;
	virtual int id() const { return 1; }
};
struct Derived : Base {
	Counted member{7};
	int id() const override { return 2; }
};

TEST(UniquePtr, DeletesOnceAndMovesOwnership)
{
	long live = host_live_allocs();
	{
		auto a = cxxrt::make_unique<Counted>(cxxrt::may_sleep, 3);
		ASSERT_TRUE(a);
		EXPECT_EQ(Counted::live, 1);
		cxxrt::UniquePtr<Counted> b = cxxrt::move(a);
		EXPECT_FALSE(a);
		EXPECT_EQ(b->value, 3);
		b = cxxrt::make_unique<Counted>(cxxrt::atomic_context, 4);
		EXPECT_EQ(Counted::live, 1);
	}
	EXPECT_EQ(Counted::live, 0);
	EXPECT_EQ(host_live_allocs(), live);
}

TEST(UniquePtr, DeletesThroughVirtualBase)
{
	cxxrt::UniquePtr<Base> base = cxxrt::make_unique<Derived>(cxxrt::may_sleep);
	EXPECT_EQ(base->id(), 2);
	EXPECT_EQ(Counted::live, 1);
	base.reset();
	EXPECT_EQ(Counted::live, 0);
}

TEST(New, FailedAllocationYieldsNullAndRunsNoConstructor)
{
	host_bridge_fail_next_alloc();
	Counted *c = new (cxxrt::may_sleep) Counted(1);
	EXPECT_EQ(c, nullptr);
	EXPECT_EQ(Counted::live, 0);
	host_bridge_fail_next_alloc();
	EXPECT_FALSE(cxxrt::make_unique<Counted>(cxxrt::atomic_context));
}

struct alignas(128) Overaligned {
	char bytes[3];
};

TEST(New, OveralignedTypesGetTheirAlignment)
{
	for (int i = 0; i < 16; i++) {
		auto *p = new (cxxrt::may_sleep) Overaligned;
		ASSERT_NE(p, nullptr);
		EXPECT_EQ(reinterpret_cast<cxxrt::uintptr_t>(p) % 128, 0u);
		delete p;
	}
}

TEST(New, ArraysConstructAndDestroyEveryElement)
{
	long live = host_live_allocs();
	Counted *many = new (cxxrt::may_sleep) Counted[6];
	ASSERT_NE(many, nullptr);
	EXPECT_EQ(Counted::live, 6);
	delete[] many;
	EXPECT_EQ(Counted::live, 0);
	EXPECT_EQ(host_live_allocs(), live);
}

TEST(Optional, HoldsDestroysAndCopies)
{
	cxxrt::Optional<Counted> o;
	EXPECT_FALSE(o);
	o.emplace(9);
	EXPECT_EQ(o->value, 9);
	EXPECT_EQ(Counted::live, 1);
	cxxrt::Optional<Counted> copy = o;
	EXPECT_EQ(Counted::live, 2);
	o.reset();
	EXPECT_EQ(Counted::live, 1);
	copy = cxxrt::nullopt;
	EXPECT_EQ(Counted::live, 0);
	EXPECT_EQ(cxxrt::Optional<int>().value_or(4), 4);
}

TEST(Span, ViewsAndClampsSubspans)
{
	int values[] = {1, 2, 3, 4};
	cxxrt::Span s(values);
	EXPECT_EQ(s.size(), 4u);
	EXPECT_EQ(s.subspan(1, 2)[1], 3);
	EXPECT_EQ(s.subspan(3, 100).size(), 1u);
	EXPECT_TRUE(s.subspan(9).empty());
	EXPECT_EQ(s.at(4), nullptr);
	int sum = 0;
	for (int v : s)
		sum += v;
	EXPECT_EQ(sum, 10);
}

TEST(StringView, TokenizesAndTrims)
{
	cxxrt::StringView in("\t queue  cpus=1,3 \n");
	EXPECT_EQ(in.next_token(), "queue");
	EXPECT_EQ(in.next_token(), "cpus=1,3");
	EXPECT_TRUE(in.next_token().empty());
	EXPECT_EQ(cxxrt::StringView("  x ").trimmed(), "x");
	EXPECT_EQ(cxxrt::StringView("key=value").find('=').value_or(99), 3u);
	EXPECT_FALSE(cxxrt::StringView("key").find('='));
}

TEST(StringView, ParsesNumbersStrictly)
{
	EXPECT_EQ(cxxrt::StringView("0").to_u64().value_or(1), 0u);
	EXPECT_EQ(cxxrt::StringView("10000").to_u64().value_or(0), 10000u);
	EXPECT_EQ(cxxrt::StringView("0x1F").to_u64().value_or(0), 31u);
	EXPECT_EQ(cxxrt::StringView("18446744073709551615").to_u64().value_or(0), ~0ULL);
	EXPECT_FALSE(cxxrt::StringView("18446744073709551616").to_u64());
	EXPECT_FALSE(cxxrt::StringView("").to_u64());
	EXPECT_FALSE(cxxrt::StringView("-1").to_u64());
	EXPECT_FALSE(cxxrt::StringView("1 ").to_u64());
	EXPECT_FALSE(cxxrt::StringView("0x").to_u64());
	EXPECT_FALSE(cxxrt::StringView("12z").to_u64());
}

int apply(cxxrt::FunctionRef<int(int)> f, int x) { return f(x); }

TEST(FunctionRef, CallsCapturingLambdasAndFunctions)
{
	int factor = 3;
	EXPECT_EQ(apply([&](int x) { return x * factor; }, 5), 15);
	EXPECT_EQ(apply([](int x) { return -x; }, 5), -5);
	struct Functor {
		int operator()(int x) const { return x + 100; }
	} functor;
	EXPECT_EQ(apply(functor, 1), 101);
}

constinit cxxrt::ManualLifetime<Counted> singleton;

TEST(ManualLifetime, ConstructsAndDestroysExplicitly)
{
	EXPECT_FALSE(singleton.alive());
	singleton.construct(11);
	EXPECT_TRUE(singleton.alive());
	EXPECT_EQ(singleton->value, 11);
	EXPECT_EQ(Counted::live, 1);
	singleton.destroy();
	EXPECT_FALSE(singleton.alive());
	EXPECT_EQ(Counted::live, 0);
}

TEST(ManualLifetimeDeathTest, UseWhileNotAliveIsABug)
{
	EXPECT_DEATH(singleton.get(), "used while not alive");
	EXPECT_DEATH(singleton.destroy(), "destroyed while not alive");
}

}  // namespace
