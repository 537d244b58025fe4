// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-CPU function calls (kernel/smp.c).
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/cpumask.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/smp.h>

#include "bridge.h"
#include "xcall_kstructs.h"

static_assert(XCALL_SIZEOF_CALL_SINGLE_DATA == sizeof(call_single_data_t));
static_assert(XCALL_ALIGNOF_CALL_SINGLE_DATA == __alignof__(call_single_data_t));


/* ---- cross-CPU calls (kernel/smp.c) ------------------------------------------ */

/* A bridge bitmap is a struct cpumask of xk_cpumask_bits() bits. */
static const struct cpumask *as_cpumask(const unsigned long *bits)
{
	return to_cpumask(bits);
}

/*
 * A call to this CPU: what smp_call_function_single() does for it (the
 * function at once, interrupts off) without its on-stack CSD and lock
 * hand-off, and with the interrupt-state check folded into the save, so
 * that the refusal checks cost no more than the kernel's own WARN checks.
 * Preemption is off, @cpu is this CPU.
 */
static int call_this_cpu(xk_call_fn fn, void *info)
{
	unsigned long flags;

	local_irq_save(flags);
	if (irqs_disabled_flags(flags)) {
		local_irq_restore(flags);
		return XK_REFUSED_IRQS_OFF;
	}
	if (!in_task()) {
		local_irq_restore(flags);
		return XK_REFUSED_NOT_TASK;
	}
	fn(info);
	local_irq_restore(flags);
	return 0;
}

int xk_call_single_wait(int cpu, xk_call_fn fn, void *info)
{
	int ret;

	/* A hint only: the same test again with preemption off decides. */
	if (cpu == raw_smp_processor_id()) {
		if (get_cpu() == cpu) {
			ret = call_this_cpu(fn, info);
			put_cpu();
			return ret;
		}
		put_cpu();
	}
	/* The two WARN_ON_ONCE()s of smp_call_function_single(), refused. */
	if (irqs_disabled())
		return XK_REFUSED_IRQS_OFF;
	if (!in_task())
		return XK_REFUSED_NOT_TASK;
	return smp_call_function_single(cpu, fn, info, 1);
}

void xk_csd_init(void *csd, xk_call_fn fn, void *info)
{
	INIT_CSD((call_single_data_t *)csd, fn, info);
}

int xk_call_single_async(int cpu, void *csd)
{
	return smp_call_function_single_async(cpu, (call_single_data_t *)csd);
}

void xk_call_mask(const unsigned long *mask, xk_call_fn fn, void *info, int wait)
{
	on_each_cpu_cond_mask(NULL, fn, info, wait, as_cpumask(mask));
}

void xk_call_many(const unsigned long *mask, xk_call_fn fn, void *info, int wait)
{
	preempt_disable();
	smp_call_function_many(as_cpumask(mask), fn, info, wait);
	preempt_enable();
}

int xk_can_call_many(void)
{
	return !irqs_disabled() && !in_interrupt();
}

int xk_call_on_cpu(unsigned int cpu, int (*fn)(void *), void *arg)
{
	return smp_call_on_cpu(cpu, fn, arg, false);
}
