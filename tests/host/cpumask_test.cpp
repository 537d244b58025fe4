// SPDX-License-Identifier: GPL-2.0
// CpuMask (module/kernel/cpumask.h) on the host: cpulist parsing and printing, the
// knobs' input path.
#include <gtest/gtest.h>

#include <string>

#include "host_bridge.h"
#include "kernel/cpumask.h"

namespace {

using xcall::CpuMask;

std::string format(const CpuMask &m)
{
	char buf[256];
	m.format(buf, sizeof(buf));
	return buf;
}

int parse(const char *list, CpuMask *out, unsigned nr_cpus = 8)
{
	return CpuMask::parse(cxxrt::StringView(list), nr_cpus, out);
}

TEST(CpuMask, ParsesTheKernelsCpulistSyntax)
{
	CpuMask m;
	ASSERT_EQ(parse("1", &m), 0);
	EXPECT_EQ(format(m), "1");
	ASSERT_EQ(parse("0-3", &m), 0);
	EXPECT_EQ(format(m), "0-3");
	EXPECT_EQ(m.count(), 4u);
	ASSERT_EQ(parse("1,3", &m), 0);
	EXPECT_EQ(format(m), "1,3");
	ASSERT_EQ(parse("0-7:1/2", &m), 0);	// in each group of 2 CPUs, the first 1
	EXPECT_EQ(format(m), "0,2,4,6");
	ASSERT_EQ(parse("0-7:2/4", &m), 0);
	EXPECT_EQ(format(m), "0-1,4-5");
	ASSERT_EQ(parse("1-6:2/4", &m), 0);	// the last group is cut at the range's end
	EXPECT_EQ(format(m), "1-2,5-6");
	ASSERT_EQ(parse("5,0-2,2", &m), 0);
	EXPECT_EQ(format(m), "0-2,5");
	ASSERT_EQ(parse("N", &m), 0);	// the last CPU
	EXPECT_EQ(format(m), "7");
	ASSERT_EQ(parse("2-N", &m), 0);
	EXPECT_EQ(format(m), "2-7");
	ASSERT_EQ(parse("all", &m), 0);
	EXPECT_EQ(format(m), "0-7");
	ASSERT_EQ(parse("all:1/4", &m), 0);
	EXPECT_EQ(format(m), "0,4");
	ASSERT_EQ(parse("0-7:8/8", &m), 0);
	EXPECT_EQ(format(m), "0-7");
}

// The step of a pattern never wraps around: a group far beyond the range
// ends it (before, a stride of 2^64-1 wrapped to select CPU 0).
TEST(CpuMask, HugeGroupsDoNotWrap)
{
	CpuMask m;
	ASSERT_EQ(parse("1-3:1/4294967295", &m), 0);
	EXPECT_EQ(format(m), "1");
	EXPECT_EQ(parse("1-3:18446744073709551615", &m), -XK_EINVAL);
	EXPECT_EQ(parse("1-3:1/18446744073709551615", &m), -XK_EINVAL);	// not an unsigned int
}

TEST(CpuMask, RefusesMalformedListsAndLeavesTheOutputAlone)
{
	const char *bad[] = {"",	  ",",	   "1,",    ",1",     "1,,2",  "a",	   "1-",    "-1",     "3-1",
			     "1-2-3", "0-7:0", "0-7:",  "1 2",    "0x",    "+1",	   "0-7:2", "0-7:3/2", "0-7:1/0",
			     "0-7:/2", "0-7:1/", "N1",    "all1",   "allx",  "1:1/2x", "n",     "0-7:1/2/3"};
	for (const char *list : bad) {
		CpuMask m;
		m.set(6);
		EXPECT_EQ(parse(list, &m), -XK_EINVAL) << "list '" << list << "'";
		EXPECT_EQ(format(m), "6") << "list '" << list << "' changed the output";
	}
}

TEST(CpuMask, RefusesCpusBeyondTheLimitWithEnxio)
{
	CpuMask m;
	EXPECT_EQ(parse("8", &m), -XK_ENXIO);
	EXPECT_EQ(parse("0-8", &m), -XK_ENXIO);
	EXPECT_EQ(parse("1,99999999999999999999", &m), -XK_EINVAL);	// not a number: overflow
	EXPECT_EQ(parse("4096", &m, 8192), -XK_ENXIO);	// beyond the mask's width
	EXPECT_TRUE(m.empty());
}

TEST(CpuMask, IteratesInOrderAcrossWords)
{
	CpuMask m;
	for (unsigned cpu : {0u, 63u, 64u, 65u, 700u, 1023u})
		m.set(cpu);
	std::string seen;
	m.for_each([&](int cpu) { seen += std::to_string(cpu) + " "; });
	EXPECT_EQ(seen, "0 63 64 65 700 1023 ");
	EXPECT_EQ(m.count(), 6u);
	EXPECT_EQ(format(m), "0,63-65,700,1023");
	m.set(1024);	// out of range: ignored
	EXPECT_EQ(m.count(), 6u);
	EXPECT_FALSE(m.test(-1));
}

TEST(CpuMask, SubsetAndIntersection)
{
	CpuMask a, b;
	ASSERT_EQ(parse("0-3", &a), 0);
	ASSERT_EQ(parse("2-5", &b), 0);
	EXPECT_EQ(format(a & b), "2-3");
	EXPECT_FALSE(b.is_subset_of(a));
	EXPECT_TRUE((a & b).is_subset_of(a));
}

TEST(CpuMask, FormatReportsTheLengthItNeeds)
{
	CpuMask m;
	ASSERT_EQ(parse("0,2,4,6", &m), 0);
	char small[4];
	EXPECT_EQ(m.format(small, sizeof(small)), 7u);
	EXPECT_STREQ(small, "0,2");
}

// Masks as wide as a 2048-CPU kernel's live on the heap: copies and moves
// keep their bits, every allocation is returned, and a failed allocation
// leaves an invalid mask that parse() refuses with -ENOMEM.
TEST(CpuMask, WideMasksLiveOnTheHeap)
{
	long before = host_live_allocs();
	{
		CpuMask wide(2048);
		ASSERT_TRUE(wide.valid());
		EXPECT_GT(wide.heap_bytes(), 0u);
		ASSERT_EQ(parse("0,1000-1001,2047", &wide, 2048), 0);
		CpuMask copy = wide;
		EXPECT_EQ(format(copy), "0,1000-1001,2047");
		CpuMask moved = std::move(copy);
		EXPECT_EQ(format(moved), "0,1000-1001,2047");
		EXPECT_TRUE(copy.empty());
		EXPECT_TRUE(moved == wide);
		CpuMask small(64);
		EXPECT_EQ(small.heap_bytes(), 0u);
		small = wide;
		EXPECT_EQ(small.count(), 4u);
		EXPECT_EQ(parse("2048", &wide, 2048), -XK_ENXIO);
	}
	EXPECT_EQ(host_live_allocs(), before);

	host_bridge_fail_next_alloc();
	CpuMask failed(2048);
	EXPECT_FALSE(failed.valid());
	EXPECT_TRUE(failed.empty());
	failed.set(5);
	EXPECT_FALSE(failed.test(5));
	EXPECT_EQ(parse("1", &failed, 2048), -XK_ENOMEM);
}

}  // namespace
