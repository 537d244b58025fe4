// SPDX-License-Identifier: GPL-2.0
/*
 * xcall's merged queue through debugfs: every kind to every CPU and to all,
 * counts that must match exactly, kicks that must have gone over real IPIs,
 * every malformed command refused without queueing anything, CPUs going
 * offline while work is queued to them, and unloading during a burst.
 */
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "xcall_test.h"

FIXTURE(queue) {
	struct stats before, after;
};

FIXTURE_SETUP(queue)
{
	if (getuid() != 0)
		SKIP(return, "must be root");
	ASSERT_EQ(0, xcall_ensure_loaded());
	if (online_cpus() < 2)
		SKIP(return, "needs at least two online CPUs");
}

FIXTURE_TEARDOWN(queue) {}

TEST_F(queue, drain_order) { EXPECT_CASE_OK("queue_drain_order"); }
TEST_F(queue, burst_sends_one_kick) { EXPECT_CASE_OK("queue_burst_sends_one_kick"); }
TEST_F(queue, irq_work_pending_claim) { EXPECT_CASE_OK("queue_irq_work_pending_claim"); }
TEST_F(queue, cross_call_with_irqs_off) { EXPECT_CASE_OK("queue_cross_call_irqs_off"); }
TEST_F(queue, remote_irq_work_sees_latest) { EXPECT_CASE_OK("queue_remote_irq_work_sees_latest"); }
TEST_F(queue, local_target_rules) { EXPECT_CASE_OK("queue_local_target_rules"); }
TEST_F(queue, contexts_per_kind) { EXPECT_CASE_OK("queue_contexts_per_kind"); }
TEST_F(queue, drain_budget) { EXPECT_CASE_OK("queue_drain_budget"); }
TEST_F(queue, each_kicks_by_mask) { EXPECT_CASE_OK("queue_each_kicks_by_mask"); }

/* The drains file's budget and its row for @cpu ("all": -1). 0 or -1. */
static int read_drains(int cpu, unsigned long *budget, unsigned long *drains, unsigned long *cut,
		       unsigned long *max_nodes)
{
	static char buf[1 << 20];
	char *line, *save, want[16];

	if (xcall_read("drains", buf, sizeof(buf)) <= 0)
		return -1;
	if (cpu < 0)
		snprintf(want, sizeof(want), "all");
	else
		snprintf(want, sizeof(want), "%d", cpu);
	*budget = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char first[16];

		if (sscanf(line, "budget %lu", budget) == 1)
			continue;
		if (sscanf(line, "%15s %lu %lu %lu", first, drains, cut, max_nodes) == 4 && !strcmp(first, want))
			return *budget ? 0 : -1;
	}
	return -1;
}

/*
 * Many more nodes to one CPU than one drain runs: writers on up to three
 * other CPUs queue 100000 async nodes each to CPU 1 at once, faster than
 * it drains, so its list holds several budgets' worth. Every node still
 * runs exactly once, on its CPU; drains were cut short (the rest ran at
 * the next), none ran more than the budget, and the resumes are not
 * counted as kicks (kicks == kicks_irq + kicks_polled).
 */
TEST_F_TIMEOUT(queue, long_list_drains_in_budgets, 280)
{
	unsigned long budget, drains, cut, max_nodes, kicks = 0, irq = 0, polled = 0;
	int n = online_cpus(), writers = 0, status;
	pid_t pid[3];

	ASSERT_EQ(0, xcall_write("reset", "1"));
	for (int cpu = 0; cpu < n && writers < 3; cpu++) {
		if (cpu == 1)
			continue;
		pid[writers] = fork();
		ASSERT_LE(0, pid[writers]);
		if (pid[writers] == 0) {
			pin_to_cpu(cpu);
			_exit(xcall_write("queue", "async cpus=1 count=100000 wait=1"));
		}
		writers++;
	}
	for (int i = 0; i < writers; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("writer %d: status %#x", i, status);
	}
	ASSERT_EQ(0, read_stats(&self->after));
	ASSERT_EQ(0, read_drains(1, &budget, &drains, &cut, &max_nodes));
	struct row *r = &self->after.row[1][1];
	TH_LOG("%d writers: CPU 1 ran %lu nodes in %lu drains, %lu cut short, at most %lu (budget %lu)", writers,
	       r->handled, drains, cut, max_nodes, budget);
	EXPECT_EQ(100000UL * writers, r->queued);
	EXPECT_EQ(r->queued, r->handled);
	EXPECT_EQ(0, r->wrong_cpu);
	EXPECT_EQ(0, r->wrong_context);
	EXPECT_LT(0, max_nodes);
	EXPECT_GE(budget, max_nodes);
	EXPECT_LE(r->handled / budget, drains);
	for (int k = 0; k < KINDS; k++) {
		kicks += self->after.row[1][k].kicks;
		irq += self->after.row[1][k].kicks_irq;
		polled += self->after.row[1][k].kicks_polled;
	}
	EXPECT_EQ(kicks, irq + polled);
	/* Cuts need a list longer than the budget: where the target drained
	 * faster than three writers queued (KCSAN's instrumented senders),
	 * none formed, and there was nothing to cut (the in-kernel self-test
	 * queue_drain_budget blocks the target to cut for certain). */
	if (max_nodes < budget) {
		/* The harness's SKIP marks the case passed: not after a failure. */
		if (_metadata->passed)
			SKIP(return, "the target kept up: the longest drain held %lu nodes, under the budget of %lu",
			     max_nodes, budget);
		return;
	}
	EXPECT_LT(0, cut);
	EXPECT_LT(cut, drains);
}

/*
 * Every kind, to each CPU and to "all", 1 and 10000 nodes each, wait=1:
 * afterwards handled == queued exactly on every target, nothing elsewhere,
 * every node ran on its target in its kind's context, and kicks never
 * outnumber nodes.
 */
TEST_F_TIMEOUT(queue, every_kind_every_cpu_counts_match, 280)
{
	/* 3000: past the drain budget (1024), so cut drains resume. */
	const int counts[2] = {1, 3000};
	int ncpu = online_cpus();
	char cmd[128], target[16];

	for (int k = 0; k < KINDS; k++) {
		for (int t = -1; t < ncpu; t++) {
			for (int c = 0; c < 2; c++) {
				int count = counts[c];

				if (t < 0)
					snprintf(target, sizeof(target), "all");
				else
					snprintf(target, sizeof(target), "%d", t);
				ASSERT_EQ(0, xcall_write("reset", "1"));
				snprintf(cmd, sizeof(cmd), "%s cpus=%s count=%d wait=1", kinds[k], target, count);
				ASSERT_EQ(0, xcall_write("queue", cmd)) TH_LOG("%s", cmd);
				ASSERT_EQ(0, read_stats(&self->after));
				for (int cpu = 0; cpu < ncpu; cpu++) {
					struct row *r = &self->after.row[cpu][k];
					unsigned long want = (t < 0 || t == cpu) ? count : 0;

					EXPECT_EQ(want, r->queued) TH_LOG("%s: CPU %d", cmd, cpu);
					EXPECT_EQ(r->queued, r->handled) TH_LOG("%s: CPU %d", cmd, cpu);
					EXPECT_EQ(0, r->wrong_cpu) TH_LOG("%s: CPU %d", cmd, cpu);
					EXPECT_EQ(0, r->wrong_context) TH_LOG("%s: CPU %d", cmd, cpu);
					/* At most one kick per empty -> non-empty transition;
					 * how many transitions a burst makes depends on how fast
					 * the target drains (queue_burst_sends_one_kick pins it). */
					EXPECT_LE(r->kicks, r->queued) TH_LOG("%s: CPU %d", cmd, cpu);
				}
				EXPECT_EQ((unsigned long)(t < 0 ? count * ncpu : count),
					  self->after.row[XCALL_MAX_CPUS][k].queued);
			}
		}
	}
}

/*
 * wait=0 returns at once; the nodes still all run, exactly once. Queueing
 * 80000 nodes takes longer than the harness's default 30 s on the kcsan
 * kernel (KCSAN_STRICT + KCSAN_WEAK_MEMORY) under TCG on a loaded host.
 */
TEST_F_TIMEOUT(queue, nowait_burst_runs_every_node, 150)
{
	ASSERT_EQ(0, read_stats(&self->before));
	ASSERT_EQ(0, xcall_write("queue", "async cpus=all count=10000"));
	ASSERT_EQ(0, xcall_write("queue", "irq_work_lazy cpus=all count=10000"));
	/*
	 * A target counts a node as queued when its drain takes it (stats.h),
	 * so wait for every node counted, then for every one handled.
	 */
	for (int i = 0; i < 200; i++) {
		struct row *b1, *b4, *a1, *a4;

		ASSERT_EQ(0, read_stats(&self->after));	/* allocates after.row the first time */
		b1 = &self->before.row[XCALL_MAX_CPUS][1];
		b4 = &self->before.row[XCALL_MAX_CPUS][4];
		a1 = &self->after.row[XCALL_MAX_CPUS][1];
		a4 = &self->after.row[XCALL_MAX_CPUS][4];
		if (a1->queued - b1->queued >= 10000UL * online_cpus() && a1->handled == a1->queued &&
		    a4->queued - b4->queued >= 10000UL * online_cpus() && a4->handled == a4->queued)
			break;
		usleep(50000);
	}
	for (int k = 1; k <= 4; k += 3) {
		struct row *b = &self->before.row[XCALL_MAX_CPUS][k], *a = &self->after.row[XCALL_MAX_CPUS][k];

		EXPECT_EQ(10000UL * online_cpus(), a->queued - b->queued) TH_LOG("%s", kinds[k]);
		EXPECT_EQ(a->queued, a->handled) TH_LOG("%s", kinds[k]);
	}
}

/*
 * same=1 re-queues one item: each call is either queued or found pending
 * (how many find it pending depends on how fast the target drains; the
 * in-kernel queue_irq_work_pending_claim pins that case down).
 */
TEST_F(queue, same_item_claims_or_finds_pending)
{
	struct row *r;

	ASSERT_EQ(0, xcall_write("reset", "1"));
	ASSERT_EQ(0, xcall_write("queue", "irq_work_hard cpus=1 count=10000 same=1 wait=1"));
	ASSERT_EQ(0, read_stats(&self->after));
	r = &self->after.row[1][3];
	EXPECT_EQ(10000UL, r->queued + r->pending);
	EXPECT_EQ(r->queued, r->handled);
	EXPECT_LT(0, r->queued);
}

/*
 * The kicks went over real IPIs: from CPU 0 to busy CPUs (a polling idle
 * CPU gets no IPI, see primitives_test), each target's CAL count rises by
 * at least the kicks xcall counted for it.
 */
TEST_F(queue, kicks_are_real_ipis)
{
	unsigned long before[XCALL_MAX_CPUS], after[XCALL_MAX_CPUS];
	pid_t spinners[XCALL_MAX_CPUS];
	int n = online_cpus(), cpu;
	char cmd[64];

	ASSERT_EQ(0, start_spinners(spinners, n));
	ASSERT_EQ(0, xcall_write("reset", "1"));
	ASSERT_EQ(n, read_cal_counts(before, XCALL_MAX_CPUS));
	snprintf(cmd, sizeof(cmd), "async cpus=1-%d count=10000 wait=1", n - 1);
	EXPECT_EQ(0, xcall_write("queue", cmd));
	EXPECT_EQ(0, xcall_write("queue", "wake cpus=1 count=2000 wait=1"));
	ASSERT_EQ(n, read_cal_counts(after, XCALL_MAX_CPUS));
	ASSERT_EQ(0, read_stats(&self->after));
	stop_spinners(spinners, n);
	for (cpu = 1; cpu < n; cpu++) {
		unsigned long kicks = self->after.row[cpu][1].kicks + self->after.row[cpu][5].kicks;

		TH_LOG("CPU %d: %lu kicks, CAL +%lu", cpu, kicks, after[cpu] - before[cpu]);
		EXPECT_LT(0, kicks);
		EXPECT_LE(kicks, after[cpu] - before[cpu]);
	}
}

/*
 * Kicks vs IPIs: every kick's handler ran either in hard IRQ (kicks_irq: an
 * interrupt brought it) or without one (kicks_polled: the target's idle
 * loop was polling, or its call queue already had work, and the kernel sent
 * no IPI). The two add up to the kicks, and each target's CAL count rises by
 * at least its hard-IRQ kicks, whether the targets idle or spin.
 */
static void check_hardirq_kicks_in_cal(struct __test_metadata *_metadata, struct stats *st, int busy)
{
	unsigned long before[XCALL_MAX_CPUS], after[XCALL_MAX_CPUS];
	pid_t spinners[XCALL_MAX_CPUS];
	int n = online_cpus(), cpu;
	char cmd[64];

	if (busy) {
		ASSERT_EQ(0, start_spinners(spinners, n));
	} else {
		ASSERT_EQ(0, pin_to_cpu(0));
	}
	ASSERT_EQ(0, xcall_write("reset", "1"));
	ASSERT_EQ(n, read_cal_counts(before, XCALL_MAX_CPUS));
	snprintf(cmd, sizeof(cmd), "call cpus=1-%d count=300", n - 1);
	EXPECT_EQ(0, xcall_write("queue", cmd));
	snprintf(cmd, sizeof(cmd), "async cpus=1-%d count=1000 wait=1", n - 1);
	EXPECT_EQ(0, xcall_write("queue", cmd));
	ASSERT_EQ(n, read_cal_counts(after, XCALL_MAX_CPUS));
	ASSERT_EQ(0, read_stats(st));
	if (busy) {
		stop_spinners(spinners, n);
	}
	for (cpu = 1; cpu < n; cpu++) {
		unsigned long kicks = 0, irq = 0, polled = 0;

		for (int k = 0; k < KINDS; k++) {
			kicks += st->row[cpu][k].kicks;
			irq += st->row[cpu][k].kicks_irq;
			polled += st->row[cpu][k].kicks_polled;
		}
		TH_LOG("%s CPU %d: %lu kicks: %lu in hard IRQ, %lu polled; CAL +%lu", busy ? "busy" : "idle", cpu,
		       kicks, irq, polled, after[cpu] - before[cpu]);
		EXPECT_LT(0, kicks);
		EXPECT_EQ(kicks, irq + polled);
		EXPECT_LE(irq, after[cpu] - before[cpu]);
	}
}

/* Sync calls to spinning targets on PREEMPT_RT under a loaded TCG host: up to ms each. */
TEST_F_TIMEOUT(queue, hardirq_kicks_in_cal_idle_targets, 150) { check_hardirq_kicks_in_cal(_metadata, &self->after, 0); }
TEST_F_TIMEOUT(queue, hardirq_kicks_in_cal_busy_targets, 150) { check_hardirq_kicks_in_cal(_metadata, &self->after, 1); }

/*
 * latency: after a reset, each kind's row counts exactly the nodes that ran,
 * min <= median <= p99 <= max, and its log2 histogram (bounds rising powers
 * of two) sums to the same count. wake_run counts the waiter's runs, at
 * least one and at most one per wake.
 */
TEST_F(queue, latency_counts_what_ran)
{
	static const unsigned long expect[KINDS] = {100, 1000, 100, 100, 100, 50};
	static char buf[16384];
	unsigned long count[KINDS + 1] = {}, buckets[KINDS + 1] = {};
	int seen[KINDS + 1] = {}, histograms = 0;
	char *line, *save, cmd[64];

	ASSERT_EQ(0, xcall_write("reset", "1"));
	for (int k = 0; k < KINDS; k++) {
		snprintf(cmd, sizeof(cmd), "%s cpus=1 count=%lu wait=1", kinds[k], expect[k]);
		ASSERT_EQ(0, xcall_write("queue", cmd));
	}
	/* wait=1 returns once the wakes are performed; the waiter runs after. */
	for (int i = 0; i < 200 && xcall_value("latency", "wake_run") < 1; i++)
		usleep(10000);
	ASSERT_LT(0, xcall_read("latency", buf, sizeof(buf)));
	line = strtok_r(buf, "\n", &save);
	ASSERT_NE(NULL, line);
	ASSERT_EQ(0, strcmp(line, "kind count min_ns median_ns p99_ns max_ns"));
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long min, median, p99, max, bound, last = 0;
		char kind[32], *tok, *tsave;
		unsigned long n;
		int k;

		if (line[0] == '#') {
			histograms = 1;
			continue;
		}
		tok = strtok_r(line, " ", &tsave);
		ASSERT_NE(NULL, tok);
		snprintf(kind, sizeof(kind), "%s", tok);
		k = !strcmp(kind, "wake_run") ? KINDS : kind_index(kind);
		ASSERT_LE(0, k) TH_LOG("unknown kind '%s'", kind);
		if (!histograms) {
			ASSERT_EQ(5, sscanf(tsave, "%lu %llu %llu %llu %llu", &count[k], &min, &median, &p99, &max));
			seen[k] = 1;
			if (!count[k])
				continue;
			EXPECT_LE(min, median) TH_LOG("%s", kind);
			EXPECT_LE(median, p99) TH_LOG("%s", kind);
			EXPECT_LE(p99, max) TH_LOG("%s", kind);
			continue;
		}
		while ((tok = strtok_r(NULL, " ", &tsave))) {
			ASSERT_EQ(2, sscanf(tok, "%llu:%lu", &bound, &n));
			EXPECT_EQ(0ULL, bound & (bound - 1)) TH_LOG("%s: bound %llu", kind, bound);
			if (last || bound)
				EXPECT_LT(last, bound) TH_LOG("%s: bounds out of order", kind);
			last = bound;
			buckets[k] += n;
		}
	}
	ASSERT_EQ(1, histograms);
	for (int k = 0; k < KINDS; k++) {
		EXPECT_EQ(1, seen[k]) TH_LOG("no latency row for %s", kinds[k]);
		EXPECT_EQ(expect[k], count[k]) TH_LOG("%s", kinds[k]);
		EXPECT_EQ(count[k], buckets[k]) TH_LOG("%s", kinds[k]);
	}
	EXPECT_EQ(1, seen[KINDS]);
	EXPECT_LE(1UL, count[KINDS]);
	EXPECT_GE(expect[5], count[KINDS]);
	EXPECT_EQ(count[KINDS], buckets[KINDS]);
}

/* Every malformed command fails with its errno and queues nothing. */
TEST_F(queue, malformed_commands_are_refused)
{
	static const struct {
		const char *cmd;
		int err;
	} bad[] = {
		{"bogus cpus=1", EINVAL},
		{"async", EINVAL},
		{"async cpus=", EINVAL},
		{"async cpus=1,,2", EINVAL},
		{"async cpus=3-1", EINVAL},
		{"async cpus=one", EINVAL},
		{"async cpus=1 count=0", EINVAL},
		{"async cpus=1 count=abc", EINVAL},
		{"async cpus=1 count=-1", EINVAL},
		{"async cpus=1 colour=red", EINVAL},
		{"async cpus=1 cpus=2", EINVAL},
		{"async cpus=1 wait=2", EINVAL},
		{"async cpus=1 same=1", EINVAL},
		{"async cpus=1 count", EINVAL},
		{"async cpus=0-3:2", EINVAL},			/* not the kernel's syntax */
		{"async cpus=1-3:18446744073709551615", EINVAL},	/* once wrapped to CPU 0 */
		{"async cpus=0-3:1/0", EINVAL},
		{"async cpus=0-3:3/2", EINVAL},
		{"async cpus=N1", EINVAL},
		{"wake cpus=all count=18446744073709551616", EINVAL},
		{"async cpus=4096", ENXIO},
		{"irq_work cpus=0-4095", ENXIO},
		{"async cpus=1 count=100001", E2BIG},
		{"irq_work_lazy cpus=all count=4000000000", E2BIG},
	};

	ASSERT_EQ(0, read_stats(&self->before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(bad[i].err, xcall_write("queue", bad[i].cmd)) TH_LOG("'%s'", bad[i].cmd);
	}
	EXPECT_EQ(EINVAL, xcall_write("reset", "2"));
	ASSERT_EQ(0, read_stats(&self->after));
	for (int k = 0; k < KINDS; k++) {
		EXPECT_EQ(self->before.row[XCALL_MAX_CPUS][k].queued, self->after.row[XCALL_MAX_CPUS][k].queued)
			TH_LOG("%s", kinds[k]);
	}
}

/*
 * CPU lists take the kernel's syntax (bitmap_parselist()): "A-B:USED/GROUP",
 * "N" for the last CPU, "all". And one open file takes one command: a
 * second write(2) on it is refused, changing nothing.
 */
TEST_F(queue, cpulists_and_one_command_per_open)
{
	char cmd[96];
	int fd;

	ASSERT_EQ(0, xcall_write("reset", "1"));
	ASSERT_EQ(0, xcall_write("queue", "async cpus=0-N:1/2 count=10 wait=1"));
	ASSERT_EQ(0, xcall_write("queue", "async cpus=all:1/1 count=10 wait=1"));
	ASSERT_EQ(0, read_stats(&self->after));
	for (int cpu = 0; cpu < online_cpus(); cpu++) {
		EXPECT_EQ(cpu % 2 ? 10UL : 20UL, self->after.row[cpu][1].handled) TH_LOG("CPU %d", cpu);
	}

	fd = open(XCALL_DIR "/queue", O_WRONLY);
	ASSERT_LE(0, fd);
	snprintf(cmd, sizeof(cmd), "async cpus=0 count=5 wait=1");
	EXPECT_EQ((ssize_t)strlen(cmd), write(fd, cmd, strlen(cmd)));
	EXPECT_EQ(-1, write(fd, cmd, strlen(cmd)));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_EQ(0, read_stats(&self->after));
	EXPECT_EQ(25UL, self->after.row[0][1].queued);
}

/*
 * A CPU goes offline and online again, three times, while another process
 * keeps queueing to it. Each write either queues everything or fails with
 * ENXIO; in the end every node queued was handled, none lost or run twice.
 */
TEST_F_TIMEOUT(queue, hotplug_while_queueing_loses_nothing, 200)
{
	int cpu = online_cpus() - 1, err, status;
	int *counts;
	pid_t writer;

	err = cycle_cpu_offline(cpu);
	if (cpu_cannot_go_offline(err))
		SKIP(return, "CPU %d cannot go offline here (%d)", cpu, err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, xcall_write("reset", "1"));

	counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, counts);
	counts[0] = counts[1] = counts[2] = counts[3] = 0;	/* ok, enxio, other, stop */
	writer = fork();
	ASSERT_LE(0, writer);
	if (writer == 0) {
		char cmd[96];
		int i = 0;

		pin_to_cpu(0);
		while (!__atomic_load_n(&counts[3], __ATOMIC_ACQUIRE)) {
			snprintf(cmd, sizeof(cmd), "%s cpus=%d count=200", kinds[1 + i++ % 5], cpu);
			err = xcall_write("queue", cmd);
			__atomic_fetch_add(&counts[err == 0 ? 0 : err == ENXIO ? 1 : 2], 1, __ATOMIC_RELAXED);
		}
		_exit(0);
	}
	for (int round = 0; round < 3; round++) {
		usleep(300000);
		EXPECT_EQ(0, set_cpu_online(cpu, 0));
		usleep(300000);
		EXPECT_EQ(0, set_cpu_online(cpu, 1));
	}
	usleep(200000);
	__atomic_store_n(&counts[3], 1, __ATOMIC_RELEASE);
	waitpid(writer, &status, 0);
	TH_LOG("writes: %d queued, %d refused with ENXIO, %d other", counts[0], counts[1], counts[2]);
	EXPECT_LT(0, counts[0]);
	EXPECT_LT(0, counts[1]);
	EXPECT_EQ(0, counts[2]);

	for (int i = 0; i < 200; i++) {
		int settled = 1;

		ASSERT_EQ(0, read_stats(&self->after));
		for (int k = 0; k < KINDS; k++)
			settled &= self->after.row[XCALL_MAX_CPUS][k].handled == self->after.row[XCALL_MAX_CPUS][k].queued;
		if (settled)
			break;
		usleep(50000);
	}
	for (int k = 1; k < KINDS; k++) {
		struct row *r = &self->after.row[XCALL_MAX_CPUS][k];

		EXPECT_EQ(r->queued, r->handled) TH_LOG("%s", kinds[k]);
		EXPECT_EQ(0, r->wrong_cpu) TH_LOG("%s", kinds[k]);
	}
	munmap(counts, 4096);
}

/*
 * Unloading while a burst is in flight waits for it and frees everything.
 * 240000 nodes: more than 120 s on the kcsan kernel (KCSAN_STRICT +
 * KCSAN_WEAK_MEMORY) under TCG on a loaded host.
 */
TEST_F_TIMEOUT(queue, unload_during_burst_is_clean, 280)
{
	int returned_before = dmesg_count("allocations, all returned");

	ASSERT_EQ(0, xcall_write("queue", "async cpus=all count=20000"));
	ASSERT_EQ(0, xcall_write("queue", "irq_work_lazy cpus=all count=20000"));
	ASSERT_EQ(0, xcall_write("queue", "wake cpus=all count=20000"));
	ASSERT_EQ(0, system("rmmod xcall"));
	EXPECT_EQ(returned_before + 1, dmesg_count("allocations, all returned"));
	EXPECT_EQ(0, dmesg_count("xcall: leaked"));
	ASSERT_EQ(0, xcall_ensure_loaded());
}

/*
 * Unload while xcall_lazy/N is starved: a SCHED_FIFO task at priority 1
 * (the lazy thread's own, as the kernel's irq_work/N on PREEMPT_RT) spins
 * on the last CPU with lazy items queued there. At equal priority FIFO
 * never yields, so the items cannot run, and unload waits for them (and
 * kthread_stop() for the thread): before the fix rmmod waited as long as
 * the task spun. Now unload raises the lazy threads to SCHED_FIFO 50 first,
 * and rmmod must finish while the task still spins. Needs RT throttling
 * on (the default): without it nothing of SCHED_NORMAL runs on that CPU,
 * the kernel's own cpuhp/N included, which unload needs.
 */
TEST_F_TIMEOUT(queue, unload_with_lazy_thread_starved, 200)
{
	int cpu = online_cpus() - 1, returned_before, status, finished = 0;
	struct row *r;
	char cmd[64], buf[32];
	pid_t hog, unloader;
	double waited = 0;

	if (read_file("/proc/sys/kernel/sched_rt_runtime_us", buf, sizeof(buf)) <= 0 || atol(buf) < 0)
		SKIP(return, "RT throttling is off");
	ASSERT_EQ(0, pin_to_cpu(0));
	ASSERT_EQ(0, xcall_write("reset", "1"));
	hog = start_fifo_spinner(cpu);
	ASSERT_LE(0, hog);
	if (grace_period_ends_beside(hog, 3) == 0) {
		waitpid(hog, NULL, 0);
		SKIP(return, "no RCU grace period ends while a SCHED_FIFO task spins on CPU %d "
			     "(this kernel starves rcuc/%d, see grace_period_ends_beside()): no rmmod could", cpu, cpu);
	}
	snprintf(cmd, sizeof(cmd), "irq_work_lazy cpus=%d count=1000", cpu);
	EXPECT_EQ(0, xcall_write("queue", cmd));
	usleep(500000);
	ASSERT_EQ(0, read_stats(&self->after));
	r = &self->after.row[cpu][4];
	TH_LOG("SCHED_FIFO task on CPU %d: %lu of %lu lazy items ran in 0.5 s", cpu, r->handled, r->queued);
	EXPECT_GT(r->queued, r->handled);	/* it does starve the thread */

	returned_before = dmesg_count("allocations, all returned");
	unloader = fork();
	ASSERT_LE(0, unloader);
	if (unloader == 0)
		_exit(system("rmmod xcall") == 0 ? 0 : 1);
	for (; waited < 60 && !finished; waited += 0.1) {
		finished = waitpid(unloader, &status, WNOHANG) == unloader;
		if (!finished)
			usleep(100000);
	}
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	if (!finished)
		ASSERT_EQ(unloader, waitpid(unloader, &status, 0));
	TH_LOG("rmmod %s after %.1f s", finished ? "finished while the task spun" : "finished only once it stopped",
	       waited);
	EXPECT_TRUE(finished);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(returned_before + 1, dmesg_count("allocations, all returned"));
	EXPECT_EQ(0, dmesg_count("xcall: leaked"));
	ASSERT_EQ(0, xcall_ensure_loaded());
}

TEST_HARNESS_MAIN
