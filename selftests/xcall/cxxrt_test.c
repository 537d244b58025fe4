// SPDX-License-Identifier: GPL-2.0
/*
 * The C++ runtime, tested inside the kernel: each case below asks xcall to
 * run one in-kernel self-test (write its name to debugfs "selftest") and
 * checks the verdict it reports back ("ok NAME" or "not ok NAME: why").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define XCALL_DIR "/sys/kernel/debug/xcall"

/* write(2) of @text to an xcall file; returns 0 or the errno. */
static int xcall_write(const char *file, const char *text, size_t len)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), XCALL_DIR "/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* Reads a whole xcall file into @buf; returns its length or -errno. */
static int xcall_read(const char *file, char *buf, size_t size)
{
	char path[128];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), XCALL_DIR "/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return n < 0 ? -errno : (int)total;
}

static long memory_counter(const char *name)
{
	char buf[512], *line;
	size_t len = strlen(name);

	if (xcall_read("memory", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, name, len) && line[len] == ' ')
			return atol(line + len + 1);
	return -1;
}

FIXTURE(cxxrt) {
	char results[4096];
};

FIXTURE_SETUP(cxxrt)
{
	if (getuid() != 0)
		SKIP(return, "must be root");
	if (access(XCALL_DIR, F_OK) != 0)
		ASSERT_EQ(0, system(". ./xcall_lib.sh && xcall_load"));	/* cwd: the test's dir */
	ASSERT_EQ(0, access(XCALL_DIR "/selftest", F_OK));
}

FIXTURE_TEARDOWN(cxxrt) {}

/* Runs one in-kernel case and asserts it reported exactly "ok NAME". */
static void expect_case_ok(struct __test_metadata *_metadata,
			   FIXTURE_DATA(cxxrt) *self, const char *name)
{
	char expected[128];

	ASSERT_EQ(0, xcall_write("selftest", name, strlen(name)));
	ASSERT_LT(0, xcall_read("selftest", self->results, sizeof(self->results)));
	snprintf(expected, sizeof(expected), "ok %s\n", name);
	if (strcmp(self->results, expected))
		TH_LOG("kernel says: %s", self->results);
	EXPECT_STREQ(expected, self->results);
}

TEST_F(cxxrt, virtual_dispatch) { expect_case_ok(_metadata, self, "virtual_dispatch"); }
TEST_F(cxxrt, templates) { expect_case_ok(_metadata, self, "templates"); }
TEST_F(cxxrt, lambda_capture) { expect_case_ok(_metadata, self, "lambda_capture"); }
TEST_F(cxxrt, static_storage) { expect_case_ok(_metadata, self, "static_storage"); }
TEST_F(cxxrt, new_delete_may_sleep) { expect_case_ok(_metadata, self, "new_delete_may_sleep"); }
TEST_F(cxxrt, new_delete_atomic) { expect_case_ok(_metadata, self, "new_delete_atomic"); }
TEST_F(cxxrt, vocabulary) { expect_case_ok(_metadata, self, "vocabulary"); }
TEST_F(cxxrt, atomics) { expect_case_ok(_metadata, self, "atomics"); }
TEST_F(cxxrt, mutex_protected) { expect_case_ok(_metadata, self, "mutex_protected"); }

/* "all" runs every case the kernel has, including any this file lacks. */
TEST_F(cxxrt, all_cases_pass)
{
	char *line;
	int cases = 0;

	ASSERT_EQ(0, xcall_write("selftest", "all\n", 4));
	ASSERT_LT(0, xcall_read("selftest", self->results, sizeof(self->results)));
	for (line = strtok(self->results, "\n"); line; line = strtok(NULL, "\n")) {
		cases++;
		EXPECT_EQ(0, strncmp(line, "ok ", 3)) TH_LOG("kernel says: %s", line);
	}
	EXPECT_LE(9, cases);
}

/* A bad write fails with EINVAL and leaves the last results as they were. */
TEST_F(cxxrt, unknown_case_is_refused)
{
	char before[4096];

	ASSERT_EQ(0, xcall_write("selftest", "templates", 9));
	ASSERT_LT(0, xcall_read("selftest", before, sizeof(before)));
	EXPECT_EQ(EINVAL, xcall_write("selftest", "no_such_case", 12));
	EXPECT_EQ(EINVAL, xcall_write("selftest", "templates extra", 15));
	ASSERT_LT(0, xcall_read("selftest", self->results, sizeof(self->results)));
	EXPECT_STREQ(before, self->results);
}

TEST_F(cxxrt, oversized_write_is_refused)
{
	char big[1024];

	memset(big, 'a', sizeof(big));
	EXPECT_EQ(EINVAL, xcall_write("selftest", big, sizeof(big)));
}

/* The allocation counters move with the in-kernel allocations and balance. */
TEST_F(cxxrt, memory_counters_balance)
{
	long live_before = memory_counter("live_allocs");
	long total_before = memory_counter("total_allocs");

	ASSERT_LE(0, live_before);
	ASSERT_EQ(0, xcall_write("selftest", "new_delete_may_sleep", 20));
	EXPECT_EQ(live_before, memory_counter("live_allocs"));
	EXPECT_LE(total_before + 4, memory_counter("total_allocs"));
	EXPECT_EQ(0, memory_counter("failed_allocs"));
}

/* The files are root-only and read-only where they have no store handler. */
TEST_F(cxxrt, memory_file_is_read_only)
{
	EXPECT_EQ(EPERM, xcall_write("memory", "1", 1));
}

TEST_HARNESS_MAIN
