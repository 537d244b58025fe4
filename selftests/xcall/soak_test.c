// SPDX-License-Identifier: GPL-2.0
/*
 * A soak of xcall's queue: for XCALL_SOAK_SECONDS (default 60), one writer
 * per CPU (but the last) sends random commands (every kind, one CPU, a range
 * or all, 1 to 1000 nodes, waiting or not, distinct or the same irq_work),
 * the last CPU goes offline and online again and again, and a reader keeps
 * reading `stats` and `latency`. Then: every write succeeded or was refused
 * with ENXIO for the offline CPU, every node accepted ran exactly once, on
 * its CPU and in its context, and unloading returns every allocation.
 *
 * Built with the collection but not run by run_kselftest.sh: `make soak`.
 */
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "xcall_test.h"

enum { SOAK_OK, SOAK_ENXIO, SOAK_OTHER, SOAK_WAITED, SOAK_STOP, SOAK_SLOTS };

/* A random queue command over CPUs 0..ncpu-1. */
static void random_command(char *cmd, size_t size, unsigned int *seed, int ncpu)
{
	static const int counts[] = {1, 10, 100, 1000};
	int kind = rand_r(seed) % KINDS, first = rand_r(seed) % ncpu;
	char cpus[32];
	int n = snprintf(cmd, size, "%s", kinds[kind]);

	switch (rand_r(seed) % 3) {
	case 0:
		snprintf(cpus, sizeof(cpus), "all");
		break;
	case 1:
		snprintf(cpus, sizeof(cpus), "%d", first);
		break;
	default:
		snprintf(cpus, sizeof(cpus), "%d-%d", first, first + rand_r(seed) % (ncpu - first));
		break;
	}
	n += snprintf(cmd + n, size - n, " cpus=%s count=%d wait=%d", cpus, counts[rand_r(seed) % 4],
		      rand_r(seed) % 2);
	/* Synchronous calls always wait; same=1 is for the irq_work kinds. */
	if (kind >= 2 && kind <= 4 && rand_r(seed) % 4 == 0)
		snprintf(cmd + n, size - n, " same=1");
}

static int stopping(int *shared)
{
	return __atomic_load_n(&shared[SOAK_STOP], __ATOMIC_ACQUIRE);
}

static pid_t start_writer(int *shared, int cpu, int ncpu)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	unsigned int seed = 0x5eed + cpu;
	char cmd[128];

	pin_to_cpu(cpu);
	while (!stopping(shared)) {
		int err, slot;

		random_command(cmd, sizeof(cmd), &seed, ncpu);
		err = xcall_write("queue", cmd);
		slot = err == 0 ? SOAK_OK : err == ENXIO ? SOAK_ENXIO : SOAK_OTHER;
		if (slot == SOAK_OTHER)
			fprintf(stderr, "# '%s' failed: %s\n", cmd, strerror(err));
		__atomic_fetch_add(&shared[slot], 1, __ATOMIC_RELAXED);
		if (!err && strstr(cmd, "wait=1"))
			__atomic_fetch_add(&shared[SOAK_WAITED], 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

static pid_t start_reader(int *shared)
{
	static char buf[65536];
	pid_t pid = fork();

	if (pid)
		return pid;
	pin_to_cpu(0);
	while (!stopping(shared)) {
		if (xcall_read("stats", buf, sizeof(buf)) <= 0 || xcall_read("latency", buf, sizeof(buf)) <= 0)
			__atomic_fetch_add(&shared[SOAK_OTHER], 1, __ATOMIC_RELAXED);
		usleep(20000);
	}
	_exit(0);
}

FIXTURE(soak) {};
FIXTURE_SETUP(soak)
{
	if (getuid() != 0)
		SKIP(return, "must be root");
	ASSERT_EQ(0, xcall_ensure_loaded());
	if (online_cpus() < 3)
		SKIP(return, "needs at least three online CPUs");
}
FIXTURE_TEARDOWN(soak) {}

TEST_F_TIMEOUT(soak, random_commands_with_hotplug, 7200)
{
	const char *env = getenv("XCALL_SOAK_SECONDS");
	int seconds = env ? atoi(env) : 60, ncpu = online_cpus(), toggled = ncpu - 1;
	int returned_before = dmesg_count("allocations, all returned");
	pid_t writers[XCALL_MAX_CPUS], reader;
	int *shared, toggles = 0, err;
	struct stats *after;
	time_t end;

	ASSERT_LT(0, seconds);
	ASSERT_GE(XCALL_MAX_CPUS, ncpu);
	err = cycle_cpu_offline(toggled);
	if (cpu_cannot_go_offline(err))
		SKIP(return, "CPU %d cannot go offline here (%d)", toggled, err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, xcall_write("reset", "1"));

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	after = calloc(1, sizeof(*after));
	ASSERT_NE(NULL, after);
	memset(shared, 0, SOAK_SLOTS * sizeof(*shared));
	for (int cpu = 0; cpu < toggled; cpu++)
		writers[cpu] = start_writer(shared, cpu, ncpu);
	reader = start_reader(shared);

	/* The toggler: CPU `toggled` spends a random 50-300 ms up, then down. */
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		usleep(50000 + random() % 250000);
		EXPECT_EQ(0, set_cpu_online(toggled, toggles % 2));
		toggles++;
	}
	EXPECT_EQ(0, set_cpu_online(toggled, 1));
	__atomic_store_n(&shared[SOAK_STOP], 1, __ATOMIC_RELEASE);
	for (int cpu = 0; cpu < toggled; cpu++)
		waitpid(writers[cpu], NULL, 0);
	waitpid(reader, NULL, 0);

	TH_LOG("%d s: %d writes queued (%d waited), %d refused with ENXIO, %d other errors, CPU %d offlined %d times",
	       seconds, shared[SOAK_OK], shared[SOAK_WAITED], shared[SOAK_ENXIO], shared[SOAK_OTHER], toggled,
	       toggles / 2);
	EXPECT_LT(0, shared[SOAK_OK]);
	EXPECT_LT(0, shared[SOAK_WAITED]);
	EXPECT_EQ(0, shared[SOAK_OTHER]);
	if (seconds >= 10)
		EXPECT_LT(0, shared[SOAK_ENXIO]);

	/* Writes without wait=1 may still be draining. */
	for (int i = 0; i < 600; i++) {
		int settled = 1;

		ASSERT_EQ(0, read_stats(after));
		for (int k = 0; k < KINDS; k++)
			settled &= after->row[XCALL_MAX_CPUS][k].handled == after->row[XCALL_MAX_CPUS][k].queued;
		if (settled)
			break;
		usleep(50000);
	}
	for (int k = 0; k < KINDS; k++) {
		struct row *r = &after->row[XCALL_MAX_CPUS][k];

		TH_LOG("%-13s queued %9lu handled %9lu kicks %8lu pending %8lu", kinds[k], r->queued, r->handled,
		       r->kicks, r->pending);
		EXPECT_LT(0UL, r->queued) TH_LOG("%s", kinds[k]);
		EXPECT_EQ(r->queued, r->handled) TH_LOG("%s", kinds[k]);
		EXPECT_EQ(0UL, r->wrong_cpu) TH_LOG("%s", kinds[k]);
		EXPECT_EQ(0UL, r->wrong_context) TH_LOG("%s", kinds[k]);
	}

	ASSERT_EQ(0, system("rmmod xcall"));
	EXPECT_EQ(returned_before + 1, dmesg_count("allocations, all returned"));
	EXPECT_EQ(0, dmesg_count("xcall: leaked"));
	ASSERT_EQ(0, xcall_ensure_loaded());
	free(after);
	munmap(shared, 4096);
}

TEST_HARNESS_MAIN
