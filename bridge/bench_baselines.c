// SPDX-License-Identifier: GPL-2.0
/*
 * What the benchmark knob measures xcall against: the kernel's own calls,
 * looped in C, with nothing of xcall in between.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/smp.h>

#include "bridge.h"


/* ---- benchmark baselines ---------------------------------------------------------- */

static void bench_sync_fn(void *info)
{
	(*(unsigned long *)info)++;
}

unsigned long long xk_bench_raw_sync(int cpu, unsigned int n)
{
	unsigned long count = 0;
	u64 start = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		smp_call_function_single(cpu, bench_sync_fn, &count, 1);
	return ktime_get_ns() - start;
}

static void bench_stamp_fn(void *info)
{
	*(u64 *)info = ktime_get_ns();
}

/* A clock read on each side of the IPI; clamped at 0 (see xk_clock_ns()). */
unsigned long long xk_bench_raw_sync_legs(int cpu, unsigned int n, unsigned long long *out,
					  unsigned long long *back)
{
	u64 start = ktime_get_ns(), sent, ran, returned;
	unsigned int i;

	for (i = 0; i < n; i++) {
		sent = ktime_get_ns();
		ran = sent;
		smp_call_function_single(cpu, bench_stamp_fn, &ran, 1);
		returned = ktime_get_ns();
		*out += ran > sent ? ran - sent : 0;
		*back += returned > ran ? returned - ran : 0;
	}
	return ktime_get_ns() - start;
}

struct bench_async {
	call_single_data_t csd;
	unsigned long count;
	int done;
};

static void bench_async_fn(void *info)
{
	struct bench_async *b = info;

	b->count++;
	smp_store_release(&b->done, 1);	/* pairs with the loop's acquire */
}

unsigned long long xk_bench_raw_async(int cpu, unsigned int n)
{
	struct bench_async b = { .count = 0 };
	u64 start;
	unsigned int i;

	INIT_CSD(&b.csd, bench_async_fn, &b);
	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		WRITE_ONCE(b.done, 0);
		smp_call_function_single_async(cpu, &b.csd);
		smp_cond_load_acquire(&b.done, VAL);
	}
	return ktime_get_ns() - start;
}

/* ---- remote irq_work, the way a module must do it today ------------------------- */

struct bench_irq_work {
	call_single_data_t csd;
	struct irq_work work;
	int done;
};

static void bench_irq_work_fn(struct irq_work *work)
{
	struct bench_irq_work *b = container_of(work, struct bench_irq_work, work);

	smp_store_release(&b->done, 1);	/* pairs with the loop's acquire */
}

/* On the target, in hard IRQ: the second interrupt is the irq_work's self-IPI. */
static void bench_forward_fn(void *info)
{
	struct bench_irq_work *b = info;

	irq_work_queue(&b->work);
}

unsigned long long xk_bench_raw_remote_irq_work(int cpu, unsigned int n)
{
	struct bench_irq_work b = { .done = 0 };
	u64 elapsed, start;
	unsigned int i;

	INIT_CSD(&b.csd, bench_forward_fn, &b);
	init_irq_work(&b.work, bench_irq_work_fn);
	atomic_set(&b.work.node.a_flags, IRQ_WORK_HARD_IRQ);	/* IRQ_WORK_INIT_HARD's flag */
	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		WRITE_ONCE(b.done, 0);
		smp_call_function_single_async(cpu, &b.csd);
		smp_cond_load_acquire(&b.done, VAL);
	}
	elapsed = ktime_get_ns() - start;
	/*
	 * The irq_work code touches the item after its function (BUSY clear):
	 * wait for that before the frame goes. Not irq_work_sync(): it may
	 * sleep, and the caller has preemption off.
	 */
	while (irq_work_is_busy(&b.work))
		cpu_relax();
	return elapsed;
}

/* ---- bursts: many CSDs to one CPU ----------------------------------------------- */

/* One CSD of a burst; every CSD of a burst counts into the same @done. */
struct bench_burst_csd {
	call_single_data_t csd;
	unsigned long *done;
} __aligned(64);

xk_size_t xk_bench_csds_bytes(unsigned int count)
{
	return (xk_size_t)count * sizeof(struct bench_burst_csd);
}

/*
 * Runs on the target only, one at a time (interrupts off): a plain
 * increment, published with release; no atomic, as xcall's bench nodes.
 */
static void bench_burst_fn(void *info)
{
	struct bench_burst_csd *c = info;

	smp_store_release(c->done, READ_ONCE(*c->done) + 1);	/* pairs with the waiter's acquire */
}

/*
 * How many CSDs of a burst ran, alone on its cache line: the target writes
 * it per CSD while the senders read their parameters per CSD (as xcall's
 * side, module/knobs/bench.cpp).
 */
struct bench_done {
	unsigned long count;
} ____cacheline_aligned;

static void bench_csds_init(struct bench_burst_csd *c, unsigned int count, unsigned long *done)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		INIT_CSD(&c[i].csd, bench_burst_fn, &c[i]);
		c[i].done = done;
	}
}

unsigned long long xk_bench_raw_burst(int cpu, void *csds, unsigned int n, unsigned long long *send)
{
	struct bench_burst_csd *c = csds;
	struct bench_done done = { 0 };
	u64 start;
	unsigned int i;

	bench_csds_init(c, n, &done.count);
	start = ktime_get_ns();
	for (i = 0; i < n; i++)
		smp_call_function_single_async(cpu, &c[i].csd);
	*send += ktime_get_ns() - start;
	smp_cond_load_acquire(&done.count, VAL == n);
	return ktime_get_ns() - start;
}

struct bench_fanin {
	struct bench_burst_csd *csds;
	unsigned int n;
	int cpu;
	atomic_t next_slice;
};

/* On each source CPU, interrupts off: send its slice of the CSDs. */
static void bench_fanin_fn(void *info)
{
	struct bench_fanin *f = info;
	struct bench_burst_csd *c = f->csds + (size_t)atomic_fetch_inc(&f->next_slice) * f->n;
	unsigned int i;

	for (i = 0; i < f->n; i++)
		smp_call_function_single_async(f->cpu, &c[i].csd);
}

unsigned long long xk_bench_raw_fanin(const unsigned long *sources, int cpu, void *csds, unsigned int n,
				      unsigned long long *send)
{
	struct bench_fanin f = { .csds = csds, .n = n, .cpu = cpu };
	struct bench_done done = { 0 };
	unsigned long total = (unsigned long)n * cpumask_weight(to_cpumask(sources));
	u64 start;

	atomic_set(&f.next_slice, 0);
	bench_csds_init(f.csds, total, &done.count);
	start = ktime_get_ns();
	on_each_cpu_cond_mask(NULL, bench_fanin_fn, &f, 1, to_cpumask(sources));
	*send += ktime_get_ns() - start;
	smp_cond_load_acquire(&done.count, VAL == total);
	return ktime_get_ns() - start;
}

/* ---- broadcast ------------------------------------------------------------------ */

static void bench_nop_fn(void *info)
{
}

unsigned long long xk_bench_raw_broadcast(const unsigned long *mask, unsigned int n)
{
	u64 start = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		smp_call_function_many(to_cpumask(mask), bench_nop_fn, NULL, 1);
	return ktime_get_ns() - start;
}
