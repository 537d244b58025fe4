// SPDX-License-Identifier: GPL-2.0
// CpuMask (module/cpumask.h) on the host: cpulist parsing and printing, the
// knobs' input path.
#include <gtest/gtest.h>

#include <string>

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
	ASSERT_EQ(parse("0-7:2", &m), 0);
	EXPECT_EQ(format(m), "0,2,4,6");
	ASSERT_EQ(parse("5,0-2,2", &m), 0);
	EXPECT_EQ(format(m), "0-2,5");
}

TEST(CpuMask, RefusesMalformedListsAndLeavesTheOutputAlone)
{
	const char *bad[] = {"", ",", "1,", ",1", "1,,2", "a", "1-", "-1", "3-1", "1-2-3", "0-7:0", "0-7:", "1 2", "0x", "+1"};
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
	EXPECT_EQ(parse("4096", &m, 8192), -XK_ENXIO);	// beyond XK_MAX_CPUS
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

}  // namespace
