// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-CPU function calls (kernel/smp.c).
 *
 * Linux 6.1 and 6.12, read side by side (kernel/smp.c, kernel/irq_work.c,
 * include/linux/smp_types.h, irq_work.h, trace/events/{csd,ipi}.h):
 *  - the node xcall models is unchanged: smp_types.h and irq_work.h are
 *    byte for byte the same, so are the CSD_TYPE_* values in the flags
 *    word, csd_lock()/csd_unlock() (smp_cond_load_acquire(), then
 *    smp_store_release()), the drain's passes (sync, then async and
 *    irq_work, then ttwu), irq_work_claim()'s atomic_fetch_or() and the
 *    polling-idle check before an IPI: xcall's model follows both lines
 *    with one code;
 *  - 6.12 traces what 6.1 did silently: csd_queue_cpu in
 *    __smp_call_single_queue() and per target of smp_call_function_many,
 *    csd_function_entry/exit around every function the drain runs (ttwu
 *    included), ipi_send_cpu/ipi_send_cpumask for each IPI really sent,
 *    and ipi_send_cpu for irq_work's self-IPI. xcall's kicks go through
 *    smp_call_function_single_async(), so the kernel traces them too:
 *    selftests/xcall/ipi_witness.sh holds xcall's counters against them;
 *  - CSD-lock debugging dropped 6.1's extended sequence log
 *    (csdlock_debug=ext) and gained csd_lock_is_stuck(); nothing here
 *    depends on either;
 *  - smp_call_function_many_cond() now drops a CPU whose cond_func said
 *    no from the IPI mask; xk_call_mask() passes no cond_func, so every
 *    CPU of its mask is called on both lines.
 * What did change for a module is in debugfs.c (no_llseek), xcall_trace.h
 * (__assign_str) and Kbuild (objtool at link under IBT).
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
