// SPDX-License-Identifier: GPL-2.0
/*
 * The C++ runtime, tested inside the kernel: each case below asks xcall to
 * run one in-kernel self-test (write its name to debugfs "selftest") and
 * checks the verdict it reports back ("ok NAME" or "not ok NAME: why");
 * then the knob's own behaviour and the allocation counters.
 */
#include "../kselftest_harness.h"
#include "xcall_test.h"

FIXTURE(cxxrt) {
	char results[8192];
};

FIXTURE_SETUP(cxxrt)
{
	if (getuid() != 0)
		SKIP(return, "must be root");
	ASSERT_EQ(0, xcall_ensure_loaded());
	ASSERT_EQ(0, access(XCALL_DIR "/selftest", F_OK));
}

FIXTURE_TEARDOWN(cxxrt) {}

TEST_F(cxxrt, virtual_dispatch) { EXPECT_CASE_OK("virtual_dispatch"); }
TEST_F(cxxrt, templates) { EXPECT_CASE_OK("templates"); }
TEST_F(cxxrt, lambda_capture) { EXPECT_CASE_OK("lambda_capture"); }
TEST_F(cxxrt, static_storage) { EXPECT_CASE_OK("static_storage"); }
TEST_F(cxxrt, new_delete_may_sleep) { EXPECT_CASE_OK("new_delete_may_sleep"); }
TEST_F(cxxrt, new_delete_atomic) { EXPECT_CASE_OK("new_delete_atomic"); }
TEST_F(cxxrt, vocabulary) { EXPECT_CASE_OK("vocabulary"); }
TEST_F(cxxrt, atomics) { EXPECT_CASE_OK("atomics"); }
TEST_F(cxxrt, mutex_protected) { EXPECT_CASE_OK("mutex_protected"); }

/* "all" runs every case the kernel has, including any these files lack. */
TEST_F(cxxrt, all_cases_pass)
{
	char *line, *save;
	int cases = 0;

	ASSERT_EQ(0, xcall_write("selftest", "all\n"));
	ASSERT_LT(0, xcall_read("selftest", self->results, sizeof(self->results)));
	for (line = strtok_r(self->results, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cases++;
		EXPECT_EQ(0, strncmp(line, "ok ", 3)) TH_LOG("kernel says: %s", line);
	}
	EXPECT_LE(36, cases);
}

/* A bad write fails with EINVAL and leaves the last results as they were. */
TEST_F(cxxrt, unknown_case_is_refused)
{
	char before[8192];

	ASSERT_EQ(0, xcall_write("selftest", "templates"));
	ASSERT_LT(0, xcall_read("selftest", before, sizeof(before)));
	EXPECT_EQ(EINVAL, xcall_write("selftest", "no_such_case"));
	EXPECT_EQ(EINVAL, xcall_write("selftest", "templates extra"));
	ASSERT_LT(0, xcall_read("selftest", self->results, sizeof(self->results)));
	EXPECT_STREQ(before, self->results);
}

TEST_F(cxxrt, oversized_write_is_refused)
{
	char big[1024];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_EQ(EINVAL, xcall_write("selftest", big));
}

/* The allocation counters move with the in-kernel allocations and balance. */
TEST_F(cxxrt, memory_counters_balance)
{
	long live_before = xcall_value("memory", "live_allocs");
	long total_before = xcall_value("memory", "total_allocs");

	ASSERT_LE(0, live_before);
	ASSERT_EQ(0, xcall_write("selftest", "new_delete_may_sleep"));
	EXPECT_EQ(live_before, xcall_value("memory", "live_allocs"));
	EXPECT_LE(total_before + 4, xcall_value("memory", "total_allocs"));
	EXPECT_EQ(0, xcall_value("memory", "failed_allocs"));
}

/* Files without a store handler refuse writes, even to root. */
TEST_F(cxxrt, memory_file_is_read_only)
{
	EXPECT_EQ(EPERM, xcall_write("memory", "1"));
}

TEST_HARNESS_MAIN
