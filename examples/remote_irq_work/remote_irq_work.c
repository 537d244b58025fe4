// SPDX-License-Identifier: GPL-2.0
/*
 * remote_irq_work: the use case of "smp,irq_work: Use the new irq_work API"
 * (LKML Aug 2020), on xcall's C API. Each CPU has an item; any CPU raises
 * another CPU's item with interrupts off, and the item's function must see
 * the raiser's sequence number: the last raise before a run, whether it
 * queued the item or found it already pending, is visible to that run.
 *
 * /sys/kernel/debug/remote_irq_work/
 *   raise  write N: N rounds; each round, interrupts off, bumps every other
 *          online CPU's sequence number and raises its item
 *   call   write N: N rounds; each round, interrupts off, a synchronous
 *          xcall_call_sync() to every other online CPU, whose function
 *          records where it ran and what the caller wrote before
 *   stats  read: waits for every item (xcall_irq_work_sync()), then NAME
 *          VALUE lines. Exact when no raise is running: raised == queued +
 *          pending + refused, runs == queued; wrong_cpu, backwards and
 *          unseen (CPUs whose last run did not see their latest sequence
 *          number; a raise refused with -ENXIO leaves its CPU unseen until
 *          the next accepted one) are 0; calls_bad is 0.
 */
#define pr_fmt(fmt) "remote_irq_work: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include <xcall/xcall.h>

struct target {
	struct xcall_irq_work work;
	int cpu;
	atomic_long_t seq;	/* raisers: the sequence number, bumped before raising */
	unsigned long seen;	/* the function's: seq as it last read it */
	unsigned long runs;	/* the function's; an item runs on one CPU at a time */
	unsigned long wrong_cpu, backwards;
};

static void target_func(struct xcall_irq_work *work);

/*
 * Set up in module init: the loader copies a module's per-CPU initial values
 * without applying their relocations, so a static initialiser holding a
 * function's address would arrive as 0 (xcall refuses such an item).
 */
static DEFINE_PER_CPU(struct target, targets);

static atomic_long_t raised, queued, pending, refused;

static void target_func(struct xcall_irq_work *work)
{
	struct target *t = container_of(work, struct target, work);
	/* Pairs with xcall's fully ordered claim in the raiser (xcall.h). */
	unsigned long seq = atomic_long_read(&t->seq);

	if (smp_processor_id() != t->cpu)
		t->wrong_cpu++;
	if (seq < t->seen)
		t->backwards++;
	WRITE_ONCE(t->seen, seq);
	WRITE_ONCE(t->runs, t->runs + 1);
}

static void raise_round(void)
{
	unsigned long flags;
	int cpu, me, ret;

	local_irq_save(flags);
	me = smp_processor_id();
	for_each_online_cpu(cpu) {
		struct target *t = per_cpu_ptr(&targets, cpu);

		if (cpu == me)
			continue;
		/* Fully ordered: the function that runs next sees it. */
		atomic_long_inc_return(&t->seq);
		atomic_long_inc(&raised);
		ret = xcall_irq_work_queue_on(&t->work, cpu);
		if (ret == XCALL_QUEUED)
			atomic_long_inc(&queued);
		else if (ret == XCALL_ALREADY_PENDING)
			atomic_long_inc(&pending);
		else
			atomic_long_inc(&refused);	/* -ENXIO: the CPU went offline meanwhile */
	}
	local_irq_restore(flags);
}

struct call_data {
	int cpu;		/* the caller's: target */
	unsigned long token;	/* the caller's, written before the call */
	int ran_on;		/* the function's */
	unsigned long seen;	/* the function's: token as it read it */
};

static atomic_long_t calls_ok, calls_bad, calls_refused;

static void call_func(void *info)
{
	struct call_data *c = info;

	c->ran_on = smp_processor_id();
	c->seen = c->token;
}

static void call_round(void)
{
	unsigned long flags;
	int cpu, me, ret;

	local_irq_save(flags);
	me = smp_processor_id();
	for_each_online_cpu(cpu) {
		struct call_data c = { .cpu = cpu, .token = jiffies + cpu, .ran_on = -1 };

		if (cpu == me)
			continue;
		/* Interrupts off: smp_call_function_single() would refuse. */
		ret = xcall_call_sync(cpu, call_func, &c);
		if (ret)
			atomic_long_inc(&calls_refused);
		else if (c.ran_on == cpu && c.seen == c.token)
			atomic_long_inc(&calls_ok);
		else
			atomic_long_inc(&calls_bad);
	}
	local_irq_restore(flags);
}

static ssize_t rounds_write(const char __user *buf, size_t len, void (*round)(void))
{
	unsigned int rounds, i;
	int err = kstrtouint_from_user(buf, len, 0, &rounds);

	if (err)
		return err;
	if (rounds > 1000000)
		return -E2BIG;
	for (i = 0; i < rounds; i++) {
		round();
		cond_resched();
	}
	return len;
}

static ssize_t call_write(struct file *file, const char __user *buf, size_t len, loff_t *pos)
{
	return rounds_write(buf, len, call_round);
}

static const struct file_operations call_fops = {
	.owner = THIS_MODULE,
	.write = call_write,
};

static ssize_t raise_write(struct file *file, const char __user *buf, size_t len, loff_t *pos)
{
	return rounds_write(buf, len, raise_round);
}

static const struct file_operations raise_fops = {
	.owner = THIS_MODULE,
	.write = raise_write,
};

static void sync_all(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		xcall_irq_work_sync(&per_cpu_ptr(&targets, cpu)->work);
}

static int stats_show(struct seq_file *m, void *v)
{
	unsigned long runs = 0, wrong_cpu = 0, backwards = 0, unseen = 0;
	int cpu;

	sync_all();
	for_each_possible_cpu(cpu) {
		struct target *t = per_cpu_ptr(&targets, cpu);

		runs += READ_ONCE(t->runs);
		wrong_cpu += READ_ONCE(t->wrong_cpu);
		backwards += READ_ONCE(t->backwards);
		if (READ_ONCE(t->seen) != atomic_long_read(&t->seq))
			unseen++;
	}
	seq_printf(m, "raised %ld\nqueued %ld\npending %ld\nrefused %ld\n", atomic_long_read(&raised),
		   atomic_long_read(&queued), atomic_long_read(&pending), atomic_long_read(&refused));
	seq_printf(m, "runs %lu\nwrong_cpu %lu\nbackwards %lu\nunseen %lu\n", runs, wrong_cpu, backwards, unseen);
	seq_printf(m, "calls_ok %ld\ncalls_bad %ld\ncalls_refused %ld\n", atomic_long_read(&calls_ok),
		   atomic_long_read(&calls_bad), atomic_long_read(&calls_refused));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static struct dentry *dir;

static int __init remote_irq_work_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct target *t = per_cpu_ptr(&targets, cpu);

		xcall_irq_work_init(&t->work, target_func, XCALL_IRQ_WORK_HARD);
		t->cpu = cpu;
	}
	dir = debugfs_create_dir("remote_irq_work", NULL);
	debugfs_create_file("raise", 0200, dir, NULL, &raise_fops);
	debugfs_create_file("call", 0200, dir, NULL, &call_fops);
	debugfs_create_file("stats", 0400, dir, NULL, &stats_fops);
	return 0;
}

static void __exit remote_irq_work_exit(void)
{
	/* No raiser after this (debugfs waits for running writers)... */
	debugfs_remove(dir);
	/* ...so no item is queued or running once each is synced. */
	sync_all();
}

module_init(remote_irq_work_init);
module_exit(remote_irq_work_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xcall example: per-CPU work raised on remote CPUs with interrupts off");
