// SPDX-License-Identifier: GPL-2.0
/*
 * What the in-kernel torture (module/torture/) needs of the kernel and
 * nothing else does: plain kernel threads, CPU hotplug on demand and
 * random numbers.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "bridge.h"

void *xk_kthread_start(int (*fn)(void *arg), void *arg, int cpu, const char *name)
{
	struct task_struct *task;

	if (cpu >= 0)
		task = kthread_create_on_cpu(fn, arg, cpu, name);
	else
		task = kthread_create(fn, arg, "%s", name);
	if (IS_ERR(task))
		return NULL;
	/* Held until xk_kthread_stop(): @fn may return before it is stopped. */
	get_task_struct(task);
	wake_up_process(task);
	return task;
}

int xk_kthread_stop(void *task)
{
	int ret = kthread_stop(task);

	put_task_struct(task);
	return ret;
}

int xk_kthread_should_stop(void) { return kthread_should_stop(); }

int xk_cpu_hotpluggable(int cpu) { return cpu_is_hotpluggable(cpu); }
int xk_cpu_remove(unsigned int cpu) { return remove_cpu(cpu); }
int xk_cpu_add(unsigned int cpu) { return add_cpu(cpu); }

unsigned int xk_random_u32(void) { return get_random_u32(); }
