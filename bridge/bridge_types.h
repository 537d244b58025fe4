/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bridge-private structs that C++ embeds by size (generated/xcall_kstructs.h)
 * but never looks into. Kernel headers only: included by the bridge's C files and
 * kstructs.c, never by C++.
 */
#ifndef XCALL_BRIDGE_TYPES_H
#define XCALL_BRIDGE_TYPES_H

#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/smpboot.h>

/*
 * A mutex with a lock class of its own: lockdep tells xcall's mutexes apart
 * (with one class per init site, all of them would be one class, and taking
 * one inside another would be reported as recursive locking).
 */
struct xk_mutex {
	struct mutex mutex;
	struct lock_class_key key;
};

/* An irq_work and the C++ callback its kernel function forwards to. */
struct xk_irq_work {
	struct irq_work work;
	void (*fn)(void *ctx);
	void *ctx;
};

/* One dynamic multi-instance hotplug state with its one instance. */
struct xk_cpuhp {
	struct hlist_node node;
	int state;		/* the CPUHP_AP_ONLINE_DYN state, 0 if none */
	int (*online)(void *ctx, unsigned int cpu);
	int (*offline)(void *ctx, unsigned int cpu);
	void *ctx;
};

/*
 * A set of per-CPU threads: smpboot's descriptor, where it keeps each CPU's
 * task, the callbacks it forwards to, and its place in the list of started
 * sets (bridge/threads.c).
 */
struct xk_percpu_threads {
	struct smp_hotplug_thread thread;
	struct task_struct * __percpu *tasks;	/* NULL unless started */
	struct list_head link;
	int (*should_run)(void *ctx, unsigned int cpu);
	void (*run)(void *ctx, unsigned int cpu);
	void *ctx;
	bool fifo_low;
	bool raised;	/* xk_percpu_threads_raise(-1): threads created later too */
};

#endif
