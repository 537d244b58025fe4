/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by xcall's C selftests: debugfs I/O, the in-kernel case
 * runner, the queue's `stats` file, /proc/interrupts and CPU hotplug. Include after kselftest_harness.h.
 */
#ifndef XCALL_TEST_H
#define XCALL_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define XCALL_DIR "/sys/kernel/debug/xcall"
/* CPU ids the tests index by: Debian's NR_CPUS (any CPU count it boots). */
#define XCALL_MAX_CPUS 8192

/* write(2) of @text to an xcall file; returns 0 or the errno. */
static inline int xcall_write(const char *file, const char *text)
{
	char path[128];
	size_t len = strlen(text);
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

/* Reads a whole file into @buf; returns its length or -errno. */
static inline int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return n < 0 ? -errno : (int)total;
}

static inline int xcall_read(const char *file, char *buf, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), XCALL_DIR "/%s", file);
	return read_file(path, buf, size);
}

/* The number after "NAME " on its own line of an xcall file, or -1. */
static inline long xcall_value(const char *file, const char *name)
{
	char buf[4096], *line, *save;
	size_t len = strlen(name);

	if (xcall_read(file, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, name, len) && line[len] == ' ')
			return atol(line + len + 1);
	return -1;
}

/* Loads xcall if it is not loaded (cwd is the test's directory). */
static inline int xcall_ensure_loaded(void)
{
	if (access(XCALL_DIR, F_OK) == 0)
		return 0;
	return system(". ./xcall_lib.sh && xcall_load");
}

/* Runs one in-kernel self-test case; "ok NAME\n" into @verdict on success. */
static inline int xcall_run_case(const char *name, char *verdict, size_t size)
{
	int err = xcall_write("selftest", name);

	if (err)
		return err;
	return xcall_read("selftest", verdict, size) < 0 ? EIO : 0;
}

#define EXPECT_CASE_OK(name)                                                      \
	do {                                                                      \
		char verdict_[512], expected_[128];                               \
		ASSERT_EQ(0, xcall_run_case(name, verdict_, sizeof(verdict_)));   \
		snprintf(expected_, sizeof(expected_), "ok %s\n", name);          \
		if (strcmp(verdict_, expected_))                                  \
			TH_LOG("kernel says: %s", verdict_);                      \
		EXPECT_STREQ(expected_, verdict_);                                \
	} while (0)

/* Per-CPU "CAL" (function call interrupt) counts from /proc/interrupts. */
static inline int read_cal_counts(unsigned long *counts, int max)
{
	/* One line per interrupt, one column per CPU: megabytes with 2048 CPUs. */
	static char buf[32 << 20];
	char *line, *save, *p, *end;
	int n = 0;

	if (read_file("/proc/interrupts", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		p = line;
		while (*p == ' ')
			p++;
		if (strncmp(p, "CAL:", 4))
			continue;
		p += 4;
		while (n < max) {
			unsigned long v = strtoul(p, &end, 10);
			if (end == p)
				break;
			counts[n++] = v;
			p = end;
		}
		return n;
	}
	return -1;
}

/* CLOCK_MONOTONIC, in seconds. */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Keeps CPUs 1..n-1 busy with a spinning process each, for tests that count
 * IPIs: the kernel sends none to a CPU whose idle loop is polling (it flags
 * the idle task instead). Pins the caller to CPU 0. Returns 0 or -1.
 */
static inline int start_spinners(pid_t *spinners, int n)
{
	for (int cpu = 1; cpu < n; cpu++) {
		spinners[cpu] = fork();
		if (spinners[cpu] < 0)
			return -1;
		if (spinners[cpu] == 0) {
			pin_to_cpu(cpu);
			for (;;)
				;
		}
	}
	if (pin_to_cpu(0))
		return -1;
	usleep(200000);	/* let every spinner reach its CPU */
	return 0;
}

static inline void stop_spinners(pid_t *spinners, int n)
{
	for (int cpu = 1; cpu < n; cpu++) {
		kill(spinners[cpu], SIGKILL);
		waitpid(spinners[cpu], NULL, 0);
	}
}

/*
 * A SCHED_FIFO task at priority 1 (xcall_lazy/N's own) spinning on @cpu,
 * for tests that starve that CPU's lazy thread. Returns its pid once it
 * spins there, or -1. It dies with the test, even one that failed
 * half-way; kill it with SIGKILL.
 */
static inline pid_t start_fifo_spinner(int cpu)
{
	int *ready = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int spins;
	pid_t pid;

	if (ready == MAP_FAILED)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct sched_param sp = {.sched_priority = 1};

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || pin_to_cpu(cpu) || sched_setscheduler(0, SCHED_FIFO, &sp))
			_exit(1);
		__atomic_store_n(ready, 1, __ATOMIC_RELEASE);
		for (;;)
			;
	}
	for (int i = 0; pid > 0 && i < 200 && !__atomic_load_n(ready, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	spins = pid > 0 && __atomic_load_n(ready, __ATOMIC_ACQUIRE);
	munmap(ready, 4096);
	if (pid > 0 && !spins) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return spins ? pid : -1;
}

/*
 * Whether the kernel still ends RCU grace periods while the SCHED_FIFO task
 * @spinner spins on its CPU: a child calls membarrier(MEMBARRIER_CMD_GLOBAL),
 * which is synchronize_rcu(), and must return within @seconds. Returns 1
 * (it did), 0 (it did not; the spinner is then SIGKILLed so that the child
 * can finish) or -1 (not measurable: fork or membarrier failed).
 * Why it can fail: on PREEMPT_RT, RCU reports a CPU's quiescent states from
 * rcuc/N, a SCHED_FIFO 1 thread that an equal-priority spinner starves. Linux
 * 6.1 throttles real-time tasks (sched_rt_runtime_us), so the CPU idles now
 * and then and RCU sees it; Debian's 6.12 throttles them only with
 * CONFIG_RT_GROUP_SCHED (off; its fair server serves SCHED_OTHER tasks), so
 * no grace period ends, and no rmmod (free_module() waits for one), until
 * the spinner stops.
 */
static inline int grace_period_ends_beside(pid_t spinner, double seconds)
{
	int status = -1;
	pid_t child = fork();

	if (child < 0)
		return -1;
	if (child == 0)
		_exit(syscall(__NR_membarrier, 1 /* MEMBARRIER_CMD_GLOBAL */, 0, 0) == 0 ? 0 : 2);
	for (double waited = 0; waited < seconds; waited += 0.05) {
		if (waitpid(child, &status, WNOHANG) == child)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1 : -1;
		usleep(50000);
	}
	kill(spinner, SIGKILL);
	waitpid(child, &status, 0);
	return 0;
}

/* Writes 0/1 to cpuN/online; returns 0 or the errno. */
static inline int set_cpu_online(int cpu, int online)
{
	char path[96];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, online ? "1" : "0", 1) != 1)
		err = errno;
	close(fd);
	return err;
}

/*
 * Takes @cpu offline and back online: 0, or the errno of the step that
 * failed. cpu_cannot_go_offline() tells the errnos that mean this machine
 * does not allow it (no such CPU, CPU 0 on some, not root, hotplug busy).
 */
static inline int cycle_cpu_offline(int cpu)
{
	int err = set_cpu_online(cpu, 0);

	return err ? err : set_cpu_online(cpu, 1);
}

static inline int cpu_cannot_go_offline(int err)
{
	return err == ENOENT || err == EPERM || err == EBUSY;
}

/* Lines of the kernel log containing @text. */
static inline int dmesg_count(const char *text)
{
	char cmd[256];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "dmesg | grep -c -F '%s'", text);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

/* The queue's kinds, in the order of its `stats` and `latency` rows. */
#define KINDS 6
static const char *const kinds[KINDS] = {"call", "async", "irq_work", "irq_work_hard", "irq_work_lazy", "wake"};

struct row {
	unsigned long queued, handled, kicks, pending, wrong_cpu, wrong_context;
	unsigned long kicks_irq, kicks_polled;	/* appended columns */
};

/*
 * row[cpu][kind]; index XCALL_MAX_CPUS holds the "all" rows. On the heap
 * (read_stats() allocates them on first use): 3 MB each.
 */
struct stats {
	struct row (*row)[KINDS];
	int *present;
};

static inline int kind_index(const char *name)
{
	for (int k = 0; k < KINDS; k++)
		if (!strcmp(name, kinds[k]))
			return k;
	return -1;
}

static inline int read_stats(struct stats *s)
{
	static char buf[8 << 20];	/* a line per CPU and kind */
	char *line, *save, cpu[16], kind[32];
	struct row r;

	if (!s->row)
		s->row = calloc(XCALL_MAX_CPUS + 1, sizeof(*s->row));
	if (!s->present)
		s->present = calloc(XCALL_MAX_CPUS + 1, sizeof(*s->present));
	if (!s->row || !s->present)
		return -1;
	memset(s->row, 0, (XCALL_MAX_CPUS + 1) * sizeof(*s->row));
	memset(s->present, 0, (XCALL_MAX_CPUS + 1) * sizeof(*s->present));
	if (xcall_read("stats", buf, sizeof(buf)) <= 0)
		return -1;
	line = strtok_r(buf, "\n", &save);	/* header */
	if (!line || strncmp(line, "cpu kind queued handled kicks pending", 37))
		return -1;
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int k, c;

		if (sscanf(line, "%15s %31s %lu %lu %lu %lu %lu %lu %lu %lu", cpu, kind, &r.queued, &r.handled,
			   &r.kicks, &r.pending, &r.wrong_cpu, &r.wrong_context, &r.kicks_irq, &r.kicks_polled) != 10)
			return -1;
		k = kind_index(kind);
		c = !strcmp(cpu, "all") ? XCALL_MAX_CPUS : atoi(cpu);
		if (k < 0 || c < 0 || c > XCALL_MAX_CPUS)
			return -1;
		s->row[c][k] = r;
		s->present[c] = 1;
	}
	return 0;
}

static inline int online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

#endif
