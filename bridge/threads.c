// SPDX-License-Identifier: GPL-2.0
/*
 * Sets of per-CPU kernel threads (smpboot): any number of them, each with
 * its own callbacks and context.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/smpboot.h>
#include <linux/string.h>

#include "bridge.h"
#include "bridge_types.h"
#include "xcall_kstructs.h"

static_assert(XCALL_SIZEOF_XK_PERCPU_THREADS == sizeof(struct xk_percpu_threads));
static_assert(XCALL_ALIGNOF_XK_PERCPU_THREADS == __alignof__(struct xk_percpu_threads));

/*
 * smpboot's callbacks carry only the CPU, not the set: the set is the one
 * whose thread on that CPU is the caller. Sets are few (xcall has two), so
 * a list walk is all it takes. Readers walk it under RCU; a set joins it
 * before its threads exist and leaves it after they are gone.
 */
static LIST_HEAD(started_sets);
static DEFINE_MUTEX(started_sets_lock);

static struct xk_percpu_threads *calling_set(unsigned int cpu)
{
	struct xk_percpu_threads *set, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(set, &started_sets, link) {
		if (*per_cpu_ptr(set->tasks, cpu) == current) {
			found = set;
			break;
		}
	}
	rcu_read_unlock();
	/* Still valid: the set outlives its threads (xk_percpu_threads_stop). */
	return found;
}

static int set_should_run(unsigned int cpu)
{
	struct xk_percpu_threads *set = calling_set(cpu);

	return set ? set->should_run(set->ctx, cpu) : 0;
}

static void set_run(unsigned int cpu)
{
	struct xk_percpu_threads *set = calling_set(cpu);

	if (set)
		set->run(set->ctx, cpu);
}

static void set_class(struct xk_percpu_threads *set, struct task_struct *task, bool raised)
{
	if (raised)
		sched_set_fifo(task);
	else if (set->fifo_low)
		sched_set_fifo_low(task);
	else
		sched_set_normal(task, 0);
}

static void set_setup(unsigned int cpu)
{
	struct xk_percpu_threads *set = calling_set(cpu);

	if (set && (set->fifo_low || READ_ONCE(set->raised)))
		set_class(set, current, READ_ONCE(set->raised));
}

int xk_percpu_threads_start(void *storage, const char *comm_fmt,
			    int (*should_run)(void *ctx, unsigned int cpu),
			    void (*run)(void *ctx, unsigned int cpu), void *ctx, int fifo_low)
{
	struct xk_percpu_threads *set = storage;
	int err;

	memset(set, 0, sizeof(*set));
	set->tasks = alloc_percpu(struct task_struct *);
	if (!set->tasks)
		return -ENOMEM;
	set->should_run = should_run;
	set->run = run;
	set->ctx = ctx;
	set->fifo_low = fifo_low;
	set->thread.store = set->tasks;
	set->thread.thread_should_run = set_should_run;
	set->thread.thread_fn = set_run;
	set->thread.setup = set_setup;
	set->thread.thread_comm = comm_fmt;

	mutex_lock(&started_sets_lock);
	list_add_rcu(&set->link, &started_sets);
	mutex_unlock(&started_sets_lock);

	err = smpboot_register_percpu_thread(&set->thread);
	if (err) {
		mutex_lock(&started_sets_lock);
		list_del_rcu(&set->link);
		mutex_unlock(&started_sets_lock);
		synchronize_rcu();
		free_percpu(set->tasks);
		set->tasks = NULL;
	}
	return err;
}

void xk_percpu_threads_stop(void *storage)
{
	struct xk_percpu_threads *set = storage;

	if (!set->tasks)
		return;
	/* Stops every thread of the set: none of its callbacks runs after this. */
	smpboot_unregister_percpu_thread(&set->thread);
	mutex_lock(&started_sets_lock);
	list_del_rcu(&set->link);
	mutex_unlock(&started_sets_lock);
	synchronize_rcu();	/* other sets' lookups may still be walking past it */
	free_percpu(set->tasks);
	set->tasks = NULL;
}

void xk_percpu_threads_raise(void *storage, int cpu, int raised)
{
	struct xk_percpu_threads *set = storage;
	struct task_struct *task;
	int c;

	if (!set->tasks)
		return;
	/*
	 * No hotplug lock (a hotplug callback calls this): a thread exists
	 * from its CPU's first online until the set stops, and one created
	 * meanwhile reads @raised in set_setup().
	 */
	if (cpu >= 0) {
		task = READ_ONCE(*per_cpu_ptr(set->tasks, cpu));
		if (task)
			set_class(set, task, raised);
		return;
	}
	WRITE_ONCE(set->raised, raised);
	for_each_possible_cpu(c) {
		task = READ_ONCE(*per_cpu_ptr(set->tasks, c));
		if (task)
			set_class(set, task, raised);
	}
}

void xk_percpu_thread_wake(void *storage, int cpu)
{
	struct xk_percpu_threads *set = storage;
	struct task_struct *task = *per_cpu_ptr(set->tasks, cpu);

	if (task)
		wake_up_process(task);
}
