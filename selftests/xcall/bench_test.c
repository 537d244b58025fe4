// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark knob's modes: each one runs and reports in the documented
 * format (a smoke test: tiny n, ratios printed, never asserted: under TCG the
 * spread between rounds is far wider than any threshold worth testing; `make
 * bench` measures), the largest command the limits allow completes without
 * stalling the kernel (splat-scan.sh fails the run on an RCU stall or soft
 * lockup), and a signal ends a long run with EINTR.
 */
#include <signal.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "xcall_test.h"

static const char *const modes[] = {"sync",  "async", "queue_sync", "queue_async", "remote_irq_work",
				    "burst", "fanin", "broadcast",  "local"};

FIXTURE(bench) {
	char buf[8192];
};

FIXTURE_SETUP(bench)
{
	if (getuid() != 0)
		SKIP(return, "must be root");
	ASSERT_EQ(0, xcall_ensure_loaded());
	if (online_cpus() < 2)
		SKIP(return, "needs at least two online CPUs");
}

FIXTURE_TEARDOWN(bench) {}

/* "NAME median M min m max x" (integers), min <= median <= max; 0 if absent. */
static int ns_line(struct __test_metadata *_metadata, const char *buf, const char *name)
{
	unsigned long v[3];
	const char *p = strstr(buf, name);

	if (!p)
		return 0;
	EXPECT_EQ(3, sscanf(p + strlen(name), " median %lu min %lu max %lu", &v[0], &v[1], &v[2])) TH_LOG("%s", name);
	EXPECT_LE(v[1], v[0]);
	EXPECT_LE(v[0], v[2]);
	return 1;
}

/* "NAME median A.B min C.D max E.F"; 0 if absent. */
static int fixed_line(struct __test_metadata *_metadata, const char *buf, const char *name)
{
	unsigned int v[6];
	char key[40];
	const char *p;

	snprintf(key, sizeof(key), "\n%s median ", name);
	p = strstr(buf, key);
	if (!p)
		return 0;
	EXPECT_EQ(6, sscanf(p + strlen(key), "%u.%u min %u.%u max %u.%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]))
		TH_LOG("%s", name);
	return 1;
}

TEST_F_TIMEOUT(bench, every_mode_reports, 240)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *m = modes[i];
		int queue_mode = !strncmp(m, "queue", 5) || !strcmp(m, "remote_irq_work") || !strcmp(m, "burst") ||
				 !strcmp(m, "fanin") || !strcmp(m, "broadcast");
		unsigned int cpu, n, rounds;
		int from, self_call = !strcmp(m, "local") || !strcmp(m, "broadcast"), send_share;
		char cmd[64], echoed[32];

		snprintf(cmd, sizeof(cmd), "%s cpu=1 n=20 rounds=3", m);
		ASSERT_EQ(0, xcall_write("bench", cmd)) TH_LOG("%s", cmd);
		ASSERT_LT(0, xcall_read("bench", self->buf, sizeof(self->buf)));
		TH_LOG("%s", self->buf);
		ASSERT_EQ(5, sscanf(self->buf, "bench %31s cpu=%u from=%d n=%u rounds=%u", echoed, &cpu, &from, &n,
				    &rounds));
		EXPECT_STREQ(m, echoed);
		EXPECT_EQ(1, cpu);
		EXPECT_EQ(self_call, from == 1);
		EXPECT_EQ(20, n);
		EXPECT_EQ(3, rounds);
		EXPECT_EQ(1, ns_line(_metadata, self->buf, "xcall_ns_per_call"));
		EXPECT_EQ(1, ns_line(_metadata, self->buf, "raw_ns_per_call"));
		EXPECT_EQ(!strcmp(m, "local"), ns_line(_metadata, self->buf, "queue_ns_per_call"));
		/* burst, fanin: the senders' share (queueing the nodes) of each side */
		send_share = !strcmp(m, "burst") || !strcmp(m, "fanin");
		EXPECT_EQ(send_share, ns_line(_metadata, self->buf, "xcall_send_ns_per_call"));
		EXPECT_EQ(send_share, ns_line(_metadata, self->buf, "raw_send_ns_per_call"));
		EXPECT_EQ(1, fixed_line(_metadata, self->buf, "ratio"));
		EXPECT_EQ(!strcmp(m, "local"), fixed_line(_metadata, self->buf, "queue_ratio"));
		EXPECT_EQ(queue_mode, fixed_line(_metadata, self->buf, "kicks_per_node"));
		EXPECT_EQ(queue_mode, fixed_line(_metadata, self->buf, "ipis_per_node"));
	}
}

/*
 * legs=1 splits each round trip at the function's start on the target:
 * both legs of both sides are reported, and they add up to no more than
 * the whole call (the legs leave out the loop around them).
 */
TEST_F_TIMEOUT(bench, legs_split_the_round_trip, 120)
{
	static const char *const sync_modes[] = {"sync", "queue_sync"};

	for (size_t i = 0; i < 2; i++) {
		unsigned long out, back, whole;
		char cmd[64];
		const char *p;

		snprintf(cmd, sizeof(cmd), "%s cpu=1 n=50 rounds=3 legs=1", sync_modes[i]);
		ASSERT_EQ(0, xcall_write("bench", cmd)) TH_LOG("%s", cmd);
		ASSERT_LT(0, xcall_read("bench", self->buf, sizeof(self->buf)));
		TH_LOG("%s", self->buf);
		EXPECT_NE(NULL, strstr(self->buf, " legs=1\n"));
		EXPECT_EQ(1, ns_line(_metadata, self->buf, "xcall_out_ns_per_call"));
		EXPECT_EQ(1, ns_line(_metadata, self->buf, "xcall_back_ns_per_call"));
		EXPECT_EQ(1, ns_line(_metadata, self->buf, "raw_out_ns_per_call"));
		EXPECT_EQ(1, ns_line(_metadata, self->buf, "raw_back_ns_per_call"));
		/*
		 * Medians may come from different rounds: compare the
		 * smallest legs with the largest whole call.
		 */
		p = strstr(self->buf, "raw_out_ns_per_call");
		ASSERT_NE(NULL, p);
		ASSERT_EQ(1, sscanf(p, "raw_out_ns_per_call median %*u min %lu", &out));
		p = strstr(self->buf, "raw_back_ns_per_call");
		ASSERT_NE(NULL, p);
		ASSERT_EQ(1, sscanf(p, "raw_back_ns_per_call median %*u min %lu", &back));
		p = strstr(self->buf, "\nraw_ns_per_call");
		ASSERT_NE(NULL, p);
		ASSERT_EQ(1, sscanf(p, "\nraw_ns_per_call median %*u min %*u max %lu", &whole));
		EXPECT_LT(0, out);
		EXPECT_LE(out + back, whole) TH_LOG("the smallest legs add up to more than the largest call");
	}
	EXPECT_EQ(EINVAL, xcall_write("bench", "burst cpu=1 n=10 legs=1"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "queue_sync cpu=1 n=10 legs=2"));
}

TEST_F(bench, refuses_bad_commands)
{
	EXPECT_EQ(EINVAL, xcall_write("bench", "queue_bogus cpu=1"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "burst"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "fanin cpu=1 n=-1"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "local cpu=1 stamps=2"));
	EXPECT_EQ(ENXIO, xcall_write("bench", "broadcast cpu=4096"));
	EXPECT_EQ(E2BIG, xcall_write("bench", "burst cpu=1 n=10001"));
	EXPECT_EQ(E2BIG, xcall_write("bench", "fanin cpu=1 n=20000"));
	EXPECT_EQ(E2BIG, xcall_write("bench", "queue_sync cpu=1 n=100000 rounds=3"));
	EXPECT_EQ(E2BIG, xcall_write("bench", "local cpu=1 n=100001 rounds=1"));
}

/*
 * The largest command the limits allow (n * rounds = 200000, both sides)
 * completes: each preemption-off chunk is short, the writer reschedules
 * between them. Before chunking, "sync cpu=1 n=100000 rounds=31" held
 * preemption off for 73 s: an RCU stall and a soft lockup.
 */
TEST_F_TIMEOUT(bench, largest_command_completes, 280)
{
	ASSERT_EQ(0, xcall_write("bench", "sync cpu=1 n=100000 rounds=2"));
	ASSERT_LT(0, xcall_read("bench", self->buf, sizeof(self->buf)));
	TH_LOG("%s", self->buf);
	EXPECT_EQ(1, ns_line(_metadata, self->buf, "xcall_ns_per_call"));
}

static void on_signal(int sig) { (void)sig; }

/*
 * A run is one command: a caught signal does not end it (the write
 * succeeds with its report, so an EINTR retry cannot run it twice); a
 * fatal one ends it within a second, leaving no report.
 */
TEST_F_TIMEOUT(bench, only_a_fatal_signal_ends_a_run, 120)
{
	struct sigaction sa = {.sa_handler = on_signal}, old;	/* no SA_RESTART */
	int status;
	double t0;
	pid_t child;

	/* Installed before the fork: the child has it from its first instruction. */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, &old));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(xcall_write("bench", "queue_sync cpu=1 n=100000 rounds=2"));
	sigaction(SIGUSR1, &old, NULL);
	sleep(1);
	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the caught signal ended the run: %s", strerror(WEXITSTATUS(status)));
	ASSERT_LT(0, xcall_read("bench", self->buf, sizeof(self->buf)));
	EXPECT_EQ(1, ns_line(_metadata, self->buf, "xcall_ns_per_call"));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(xcall_write("bench", "queue_sync cpu=1 n=100000 rounds=2"));
	sleep(1);
	ASSERT_EQ(0, waitpid(child, &status, WNOHANG)) TH_LOG("the run ended within a second");
	t0 = now_s();
	ASSERT_EQ(0, kill(child, SIGKILL));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	TH_LOG("SIGKILL ended the run after %.3f s", now_s() - t0);
	EXPECT_GT(1.0, now_s() - t0);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(0, xcall_read("bench", self->buf, sizeof(self->buf)));
}

TEST_HARNESS_MAIN
