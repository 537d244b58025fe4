/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xcall's C API for other kernel modules: remote irq_work with the
 * guarantee of "smp,irq_work: Use the new irq_work API" (LKML Aug 2020,
 * docs/seeds.md), and a synchronous cross-CPU call that may be made with
 * interrupts off. The symbols are EXPORT_SYMBOL_GPL: a client module is
 * GPL, depends on xcall (modinfo shows "depends: xcall"), and xcall cannot
 * be unloaded while it is loaded.
 *
 * The use case (per-CPU work raised from other CPUs, interrupts off):
 *
 *	struct foo {
 *		struct xcall_irq_work work;
 *		...
 *	};
 *	static void foo_func(struct xcall_irq_work *work)
 *	{
 *		struct foo *f = container_of(work, struct foo, work);
 *		...	// sees everything raise_foo()'s callers did before raising
 *	}
 *	static DEFINE_PER_CPU(struct foo, foo);
 *
 *	// module init (a module's per-CPU initial values are copied without
 *	// their relocations, so a static initialiser's addresses would be 0):
 *	for_each_possible_cpu(cpu)
 *		xcall_irq_work_init(per_cpu_ptr(&foo.work, cpu), foo_func, XCALL_IRQ_WORK_HARD);
 *
 *	void raise_foo(int cpu)
 *	{
 *		xcall_irq_work_queue_on(per_cpu_ptr(&foo.work, cpu), cpu);
 *	}
 *
 *	// module exit: for_each_possible_cpu(cpu) xcall_irq_work_sync(per_cpu_ptr(&foo.work, cpu));
 *
 * Plain C with no kernel header: xcall's C++ includes it too, and checks
 * the private part's size and layout against its own queue node.
 */
#ifndef XCALL_XCALL_H
#define XCALL_XCALL_H

#ifdef __cplusplus
extern "C" {
#define XCALL_NOEXCEPT noexcept
#else
#define XCALL_NOEXCEPT
#endif

struct module;

/* Words of xcall's queue node (module/queue/call_queue.h, cq::Node). */
#define XCALL_IRQ_WORK_NODE_WORDS 4
/* The word of the node that holds the function the drain calls. */
#define XCALL_IRQ_WORK_RUN_WORD 2

/* Item flags: where the function runs (module/queue/kinds.h). */
#define XCALL_IRQ_WORK_HARD 0x1u	/* hard-IRQ context, on every kernel */
#define XCALL_IRQ_WORK_LAZY 0x2u	/* xcall_lazy/N thread (SCHED_FIFO low), on every kernel */
/* Neither: hard IRQ on a generic kernel, xcall_lazy/N on PREEMPT_RT. */

/**
 * struct xcall_irq_work - an irq_work item that can be raised on any CPU
 * @__xcall_node: private: xcall's queue node; set up only by the
 *	initialisers below (or xcall_irq_work_init()), never touched by the client
 * @func: called on the target CPU, once per successful queueing
 * @owner: the module that holds @func (THIS_MODULE, set by the initialisers):
 *	it cannot be unloaded while the item is queued
 * @flags: XCALL_IRQ_WORK_HARD, XCALL_IRQ_WORK_LAZY or 0; fixed for the
 *	item's life
 */
struct xcall_irq_work {
	unsigned long __xcall_node[XCALL_IRQ_WORK_NODE_WORDS];
	void (*func)(struct xcall_irq_work *work);
	struct module *owner;
	unsigned int flags;
};

/*
 * What the drain calls for a client item (in xcall): the initialisers put
 * it in the node, so that the node is complete before it is ever queued.
 */
void __xcall_irq_work_run(void *node) XCALL_NOEXCEPT;

#define __XCALL_IRQ_WORK_INIT(_func, _flags)                                                  \
	{                                                                                     \
		.__xcall_node = { [XCALL_IRQ_WORK_RUN_WORD] = (unsigned long)__xcall_irq_work_run }, \
		.func = (_func), .owner = THIS_MODULE, .flags = (_flags),                   \
	}
/*
 * Static initialisers: hard IRQ always; lazy (thread always); default. Not
 * for a module's DEFINE_PER_CPU (see the top of this file): use
 * xcall_irq_work_init() there.
 */
#define XCALL_IRQ_WORK_INIT_HARD(_func) __XCALL_IRQ_WORK_INIT(_func, XCALL_IRQ_WORK_HARD)
#define XCALL_IRQ_WORK_INIT_LAZY(_func) __XCALL_IRQ_WORK_INIT(_func, XCALL_IRQ_WORK_LAZY)
#define XCALL_IRQ_WORK_INIT(_func) __XCALL_IRQ_WORK_INIT(_func, 0)

/* The same at run time, for an item that is not queued (e.g. fresh memory). */
#define xcall_irq_work_init(_work, _func, _flags) \
	(*(_work) = (struct xcall_irq_work)__XCALL_IRQ_WORK_INIT(_func, _flags))

/* Results of xcall_irq_work_queue_on() besides a negative errno. */
#define XCALL_QUEUED 1
#define XCALL_ALREADY_PENDING 0

/**
 * xcall_irq_work_queue_on() - raise @work on @cpu
 * @work: an item set up by an initialiser; it must stay allocated until
 *	xcall_irq_work_sync() has returned
 * @cpu: the target CPU, this one included (then a self-IPI, as
 *	irq_work_queue() does)
 *
 * Context: any context but NMI, interrupts on or off; never waits for
 * another CPU.
 *
 * Ordering: @work->func, running on @cpu, sees every write the caller made
 * before this call, whether it returns XCALL_QUEUED or XCALL_ALREADY_PENDING
 * (then the run already pending covers it): the claim is a fully ordered
 * atomic (smp_mb() on both sides) that pairs with the fully ordered clear
 * of the pending bit made before the function is called.
 *
 * Return: XCALL_QUEUED (@func will run once more on @cpu; @owner is pinned
 * until it returned), XCALL_ALREADY_PENDING (nothing queued), -ENXIO (@cpu
 * offline or not a CPU: nothing queued; xcall runs or refuses, never loses,
 * work to a CPU going offline), -EINVAL (@work not initialised) or -ENODEV
 * (@owner is being unloaded). Refusals are logged once.
 */
int xcall_irq_work_queue_on(struct xcall_irq_work *work, int cpu) XCALL_NOEXCEPT;

/**
 * xcall_irq_work_sync() - wait until @work is neither queued nor running
 * @work: the item
 *
 * A client must call it for each of its items before freeing them, and in
 * its module exit after it has stopped raising them: a queued item pins
 * its owner (rmmod fails with EBUSY), but the item's memory must stay
 * until this returns.
 *
 * Context: process context, may sleep. Ordering: acquire; everything the
 * last run did is visible when it returns.
 *
 * Return: 0, or -EDEADLK from a context that cannot sleep (nothing waited).
 */
int xcall_irq_work_sync(struct xcall_irq_work *work) XCALL_NOEXCEPT;

/**
 * xcall_call_sync() - run @fn(@info) on @cpu and wait for it to return
 * @cpu: the target CPU; this one runs @fn at once, interrupts off
 * @fn: the function, called with interrupts off (hard IRQ on another CPU)
 * @info: its argument
 *
 * Unlike smp_call_function_single(), this may be called with interrupts
 * off: while it waits, the caller runs the calls queued to its own CPU, so
 * two CPUs calling each other with interrupts off both complete.
 *
 * Context: any context but NMI. Ordering: everything the caller wrote
 * before is visible to @fn; everything @fn wrote is visible to the caller
 * when this returns (release by the target, acquire by the caller).
 *
 * Return: 0, or -ENXIO (@cpu offline or not a CPU; logged once).
 */
int xcall_call_sync(int cpu, void (*fn)(void *info), void *info) XCALL_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* XCALL_XCALL_H */
