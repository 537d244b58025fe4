// SPDX-License-Identifier: GPL-2.0
/*
 * What the benchmark knob measures xcall against: the kernel's own calls,
 * looped in C, with nothing of xcall in between.
 */
#define pr_fmt(fmt) "xcall: " fmt

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
