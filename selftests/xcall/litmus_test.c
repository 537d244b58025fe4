// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel litmus runner (debugfs "litmus", module/knobs/litmus.h),
 * its quick form: a few cases of docs/litmus, 200000 iterations each, on
 * two CPUs. Every iteration ends in one counted state; a case that x86-TSO
 * forbids (x86=Never: the real xcall code of the LKMM's "Never" files) must
 * never show its forbidden outcome, and the positive control
 * (xcall-trysubmit-SB+once-mb+fetchadd: store buffering with the smp_mb()
 * after the load, which x86 shows) must show it, or the zeros prove
 * nothing: the two CPUs did not overlap. `make litmus` runs every case for
 * 10 M iterations.
 */
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "xcall_test.h"

#define CONTROL "xcall-trysubmit-SB+once-mb+fetchadd"

FIXTURE(litmus) {
	char buf[32768];
};

FIXTURE_SETUP(litmus)
{
	if (getuid() != 0)
		SKIP(return, "must be root");
	ASSERT_EQ(0, xcall_ensure_loaded());
	if (online_cpus() < 2)
		SKIP(return, "needs at least two online CPUs");
}

FIXTURE_TEARDOWN(litmus) {}

struct litmus_case {
	char name[96], x86[16];
	unsigned long n, counted, forbidden;
};

/*
 * Parses the case at *@p (a "case ..." line, its state lines, its
 * "forbidden outcome seen" line) and moves *@p past it. 0 at the end.
 */
static int next_case(struct __test_metadata *_metadata, const char **p, struct litmus_case *c)
{
	const char *line = strstr(*p, "case ");
	unsigned long count;

	if (!line)
		return 0;
	memset(c, 0, sizeof(*c));
	EXPECT_EQ(3, sscanf(line, "case %95s cpus=%*d,%*d n=%lu lkmm=%*s x86=%15s", c->name, &c->n, c->x86));
	for (line = strchr(line, '\n'); line && strncmp(line + 1, "forbidden outcome seen ", 23);
	     line = strchr(line + 1, '\n')) {
		const char *end = strchr(line + 1, '\n');
		const char *at = strstr(line + 1, " count ");

		if (!strncmp(line + 1, "state ", 6) && at && (!end || at < end) && sscanf(at, " count %lu", &count) == 1)
			c->counted += count;
	}
	EXPECT_NE(NULL, line) TH_LOG("no \"forbidden outcome seen\" line after case %s", c->name);
	if (!line)
		return 0;
	EXPECT_EQ(1, sscanf(line + 1, "forbidden outcome seen %lu times", &c->forbidden));
	*p = line + 1;
	return 1;
}

TEST_F_TIMEOUT(litmus, quick_form, 240)
{
	struct litmus_case c, cases[8];
	struct utsname uts;
	const char *p;
	int n = 0, control = -1;

	/*
	 * Debian's kernels only (release *-amd64): on the checking kernels
	 * built from source every access is instrumented (KASAN, KCSAN), which
	 * says nothing more about ordering and makes the run far slower.
	 */
	ASSERT_EQ(0, uname(&uts));
	if (strlen(uts.release) < 6 || strcmp(uts.release + strlen(uts.release) - 6, "-amd64"))
		SKIP(return, "the quick form runs on Debian's kernels, not on %s", uts.release);

	ASSERT_EQ(0, xcall_write("litmus", "quick"));
	ASSERT_LT(0, xcall_read("litmus", self->buf, sizeof(self->buf)));
	TH_LOG("%s", self->buf);
	for (p = self->buf; n < 8 && next_case(_metadata, &p, &cases[n]); n++)
		if (!strcmp(cases[n].name, CONTROL))
			control = n;
	EXPECT_EQ(4, n);
	ASSERT_LE(0, control) TH_LOG("the quick form runs the control, " CONTROL);
	if (cases[control].forbidden == 0) {
		/* A host too loaded for overlap: one longer try. */
		TH_LOG("the control showed nothing in %lu iterations: 2000000 more", cases[control].n);
		ASSERT_EQ(0, xcall_write("litmus", CONTROL " n=2000000"));
		ASSERT_LT(0, xcall_read("litmus", self->buf, sizeof(self->buf)));
		TH_LOG("%s", self->buf);
		p = self->buf;
		ASSERT_EQ(1, next_case(_metadata, &p, &c));
		EXPECT_EQ(c.n, c.counted);
		cases[control].forbidden = c.forbidden;
	}
	EXPECT_LT(0, cases[control].forbidden) TH_LOG("x86 store buffering not seen: the CPUs did not overlap");
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(200000, cases[i].n) TH_LOG("%s", cases[i].name);
		EXPECT_EQ(cases[i].n, cases[i].counted) TH_LOG("%s: every iteration ends in one counted state",
							       cases[i].name);
		if (!strcmp(cases[i].x86, "Never"))
			EXPECT_EQ(0, cases[i].forbidden) TH_LOG("%s: forbidden outcome seen %lu times", cases[i].name,
								cases[i].forbidden);
	}
}

TEST_F(litmus, refuses_bad_commands)
{
	EXPECT_EQ(EINVAL, xcall_write("litmus", "xcall-no-such-case"));
	EXPECT_EQ(EINVAL, xcall_write("litmus", "quick n=0"));
	EXPECT_EQ(EINVAL, xcall_write("litmus", "quick bogus=1"));
	EXPECT_EQ(EINVAL, xcall_write("litmus", "quick skew=1001"));
	EXPECT_EQ(EINVAL, xcall_write("litmus", "quick cpu0=1 cpu1=1"));
	EXPECT_EQ(E2BIG, xcall_write("litmus", "all n=20000001"));
	EXPECT_EQ(ENXIO, xcall_write("litmus", "quick cpu0=4096 cpu1=0"));
}

/*
 * Only a fatal signal ends a run, within a second, leaving no report; the
 * largest command (20 M iterations of each case) would run for many
 * minutes, its threads rescheduling as they go.
 */
TEST_F_TIMEOUT(litmus, fatal_signal_ends_a_run, 60)
{
	int status;
	double t0;
	pid_t child = fork();

	ASSERT_LE(0, child);
	if (child == 0)
		_exit(xcall_write("litmus", "all n=20000000"));
	sleep(2);
	ASSERT_EQ(0, waitpid(child, &status, WNOHANG)) TH_LOG("the run ended within two seconds");
	t0 = now_s();
	ASSERT_EQ(0, kill(child, SIGKILL));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	TH_LOG("SIGKILL ended the run after %.3f s", now_s() - t0);
	EXPECT_GT(1.0, now_s() - t0);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(0, xcall_read("litmus", self->buf, sizeof(self->buf)));
}

TEST_HARNESS_MAIN
