/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bridge-private structs that C++ embeds by size (generated/xcall_kstructs.h)
 * but never looks into. Kernel headers only: included by bridge.c and
 * kstructs.c, never by C++.
 */
#ifndef XCALL_BRIDGE_TYPES_H
#define XCALL_BRIDGE_TYPES_H

#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>

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

#endif
