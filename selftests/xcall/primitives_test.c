// SPDX-License-Identifier: GPL-2.0
/*
 * xcall's types over the kernel's cross-CPU primitives. Each in-kernel
 * case checks where, in what context, how often a function ran and what it
 * saw; the tests below it check what only userspace sees: the IPIs in
 * /proc/interrupts, a CPU really going offline, the one-time refusal lines
 * in the kernel log, and the benchmark knob.
 */
#include <signal.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "xcall_test.h"

FIXTURE(primitives) {
	char buf[8192];
};

FIXTURE_SETUP(primitives)
{
	if (getuid() != 0)
		SKIP(return, "must be root");
	ASSERT_EQ(0, xcall_ensure_loaded());
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs at least two online CPUs");
}

FIXTURE_TEARDOWN(primitives) {}

TEST_F(primitives, sync_call_runs_on_target) { EXPECT_CASE_OK("sync_call_runs_on_target"); }
TEST_F(primitives, sync_call_refused_with_irqs_off) { EXPECT_CASE_OK("sync_call_refused_with_irqs_off"); }
TEST_F(primitives, sync_call_to_this_cpu_refused_with_irqs_off) { EXPECT_CASE_OK("sync_call_to_this_cpu_refused_with_irqs_off"); }
TEST_F(primitives, sync_call_refused_bad_cpu) { EXPECT_CASE_OK("sync_call_refused_bad_cpu"); }
TEST_F(primitives, async_call_runs_on_target) { EXPECT_CASE_OK("async_call_runs_on_target"); }
TEST_F(primitives, async_call_busy_while_queued) { EXPECT_CASE_OK("async_call_busy_while_queued"); }
TEST_F(primitives, async_call_resubmits_itself) { EXPECT_CASE_OK("async_call_resubmits_itself"); }
TEST_F(primitives, async_call_destructor_waits) { EXPECT_CASE_OK("async_call_destructor_waits"); }
TEST_F(primitives, call_on_mask_runs_everywhere) { EXPECT_CASE_OK("call_on_mask_runs_everywhere"); }
TEST_F(primitives, call_on_others_excludes_self) { EXPECT_CASE_OK("call_on_others_excludes_self"); }
TEST_F(primitives, call_on_mask_nowait_stateless) { EXPECT_CASE_OK("call_on_mask_nowait_stateless"); }
TEST_F(primitives, mask_calls_refuse_misuse) { EXPECT_CASE_OK("mask_calls_refuse_misuse"); }
TEST_F(primitives, run_on_cpu_sleeps_on_target) { EXPECT_CASE_OK("run_on_cpu_sleeps_on_target"); }
TEST_F(primitives, irq_work_hard) { EXPECT_CASE_OK("irq_work_hard"); }
TEST_F(primitives, irq_work_default) { EXPECT_CASE_OK("irq_work_default"); }
TEST_F(primitives, irq_work_lazy) { EXPECT_CASE_OK("irq_work_lazy"); }
TEST_F(primitives, irq_work_destructor_syncs) { EXPECT_CASE_OK("irq_work_destructor_syncs"); }
TEST_F(primitives, percpu_instances) { EXPECT_CASE_OK("percpu_instances"); }
TEST_F(primitives, guards_nest_and_restore) { EXPECT_CASE_OK("guards_nest_and_restore"); }
TEST_F(primitives, preempt_inline_matches_kernel) { EXPECT_CASE_OK("preempt_inline_matches_kernel"); }
TEST_F(primitives, hotplug_state_invokes_callbacks) { EXPECT_CASE_OK("hotplug_state_invokes_callbacks"); }

/*
 * The calls went over real IPIs: from CPU 0, 100 synchronous and 100
 * asynchronous round trips to every other CPU raise each one's CAL count
 * by at least 200. The targets are kept busy with a spinning process each:
 * the kernel sends no IPI to a CPU whose idle loop is polling (it flags the
 * idle task instead), and such a call would not show in CAL.
 */
TEST_F(primitives, remote_calls_raise_cal_interrupts)
{
	unsigned long before[XCALL_MAX_CPUS], after[XCALL_MAX_CPUS];
	pid_t spinners[XCALL_MAX_CPUS];
	int n, cpu;

	n = read_cal_counts(before, XCALL_MAX_CPUS);
	ASSERT_LE(2, n);
	ASSERT_EQ(0, start_spinners(spinners, n));
	n = read_cal_counts(before, XCALL_MAX_CPUS);
	EXPECT_CASE_OK("ipi_burst");
	ASSERT_EQ(n, read_cal_counts(after, XCALL_MAX_CPUS));
	stop_spinners(spinners, n);
	for (cpu = 1; cpu < n; cpu++) {
		TH_LOG("CPU %d: CAL +%lu", cpu, after[cpu] - before[cpu]);
		EXPECT_LE(200, after[cpu] - before[cpu]);
	}
}

/*
 * A CPU taken offline: the hotplug state's offline callback runs for it,
 * calls to it are refused with ENXIO (the in-kernel case tries every
 * offline CPU), and once it is back online calls reach it again.
 */
TEST_F(primitives, offline_cpu_is_refused_then_reachable_again)
{
	int cpu = sysconf(_SC_NPROCESSORS_CONF) - 1;
	long bad_before = xcall_value("refusals", "bad_cpu");
	int err;

	err = set_cpu_online(cpu, 0);
	if (cpu_cannot_go_offline(err))
		SKIP(return, "CPU %d cannot go offline here (%d)", cpu, err);
	ASSERT_EQ(0, err);
	EXPECT_CASE_OK("sync_call_refused_bad_cpu");
	/* out of range, -1, 1<<20, and the offline CPU */
	EXPECT_LE(bad_before + 4, xcall_value("refusals", "bad_cpu"));
	ASSERT_EQ(0, set_cpu_online(cpu, 1));
	EXPECT_CASE_OK("sync_call_runs_on_target");
	EXPECT_CASE_OK("async_call_runs_on_target");
}

/* The hotplug file counts every online/offline event per CPU. */
TEST_F(primitives, hotplug_events_are_counted)
{
	int cpu = sysconf(_SC_NPROCESSORS_CONF) - 1;
	unsigned long on0, off0, on1, off1;
	char *line, *save;
	int err, found;

#define HOTPLUG_ROW(on, off)                                                        \
	do {                                                                        \
		found = 0;                                                          \
		ASSERT_LT(0, xcall_read("hotplug", self->buf, sizeof(self->buf)));  \
		for (line = strtok_r(self->buf, "\n", &save); line;                 \
		     line = strtok_r(NULL, "\n", &save)) {                          \
			int c;                                                      \
			if (sscanf(line, "%d %lu %lu", &c, &on, &off) == 3 && c == cpu) \
				found = 1;                                          \
			if (found)                                                  \
				break;                                              \
		}                                                                   \
		ASSERT_TRUE(found);                                                 \
	} while (0)

	HOTPLUG_ROW(on0, off0);
	err = cycle_cpu_offline(cpu);
	if (cpu_cannot_go_offline(err))
		SKIP(return, "CPU %d cannot go offline here (%d)", cpu, err);
	ASSERT_EQ(0, err);
	HOTPLUG_ROW(on1, off1);
	EXPECT_EQ(off0 + 1, off1);
	EXPECT_EQ(on0 + 1, on1);
}

/* Each kind of refusal is reported once in the kernel log, not per call. */
TEST_F(primitives, refusal_is_reported_once)
{
	const char *line = "refused a waiting cross-CPU call with interrupts disabled";
	long before = xcall_value("refusals", "call_with_irqs_off");

	EXPECT_CASE_OK("sync_call_refused_with_irqs_off");
	EXPECT_CASE_OK("sync_call_refused_with_irqs_off");
	EXPECT_LE(before + 2, xcall_value("refusals", "call_with_irqs_off"));
	EXPECT_EQ(1, dmesg_count(line));
}

/*
 * The benchmark runs what it was asked and reports per-call times and the
 * xcall/raw ratio. The ratio's value is not asserted: under TCG the spread
 * between rounds is far wider than any threshold worth testing (measure
 * with `make bench` instead).
 */
static void run_bench(struct __test_metadata *_metadata, char *buf, size_t size, const char *kind)
{
	char cmd[64], echoed[16];
	unsigned long x[3], raw[3];
	unsigned int ratio[6], cpu, n, rounds;
	int from;
	char *p;

	snprintf(cmd, sizeof(cmd), "%s cpu=1 n=200 rounds=3", kind);
	ASSERT_EQ(0, xcall_write("bench", cmd));
	ASSERT_LT(0, xcall_read("bench", buf, size));
	TH_LOG("%s", buf);
	ASSERT_EQ(5, sscanf(buf, "bench %15s cpu=%u from=%d n=%u rounds=%u", echoed, &cpu, &from, &n, &rounds));
	EXPECT_STREQ(kind, echoed);
	EXPECT_EQ(1, cpu);
	EXPECT_NE(1, from);
	EXPECT_EQ(200, n);
	EXPECT_EQ(3, rounds);
	p = strstr(buf, "xcall_ns_per_call ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(3, sscanf(p, "xcall_ns_per_call median %lu min %lu max %lu", &x[0], &x[1], &x[2]));
	p = strstr(buf, "raw_ns_per_call ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(3, sscanf(p, "raw_ns_per_call median %lu min %lu max %lu", &raw[0], &raw[1], &raw[2]));
	p = strstr(buf, "ratio ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(6, sscanf(p, "ratio median %u.%u min %u.%u max %u.%u", &ratio[0], &ratio[1], &ratio[2],
			    &ratio[3], &ratio[4], &ratio[5]));
	/* A remote round trip takes time; min <= median <= max. */
	EXPECT_LT(0, x[1]);
	EXPECT_LT(0, raw[1]);
	EXPECT_LE(x[1], x[0]);
	EXPECT_LE(x[0], x[2]);
	EXPECT_LE(raw[1], raw[0]);
	EXPECT_LE(raw[0], raw[2]);
}

TEST_F(primitives, bench_sync_reports_ratio) { run_bench(_metadata, self->buf, sizeof(self->buf), "sync"); }
TEST_F(primitives, bench_async_reports_ratio) { run_bench(_metadata, self->buf, sizeof(self->buf), "async"); }

TEST_F(primitives, bench_refuses_bad_commands)
{
	EXPECT_EQ(EINVAL, xcall_write("bench", "bogus cpu=1"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "sync"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "sync cpu=1 colour=red"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "sync cpu=one"));
	EXPECT_EQ(EINVAL, xcall_write("bench", "sync cpu=1 n=0"));
	EXPECT_EQ(ENXIO, xcall_write("bench", "sync cpu=4096"));
	EXPECT_EQ(E2BIG, xcall_write("bench", "sync cpu=1 n=1000000"));
	EXPECT_EQ(E2BIG, xcall_write("bench", "async cpu=1 rounds=200"));
}

TEST_HARNESS_MAIN
