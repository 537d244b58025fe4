// SPDX-License-Identifier: GPL-2.0
/*
 * CPUs, CPU masks, context state, time, CPU-hotplug locking and RCU.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/version.h>

#include "bridge.h"


/* ---- CPU and context state ------------------------------------------------ */

int xk_this_cpu(void) { return raw_smp_processor_id(); }
unsigned int xk_nr_cpu_ids(void) { return nr_cpu_ids; }
int xk_cpu_online(int cpu)
{
	return cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu);
}
int xk_cpu_possible(int cpu)
{
	return cpu >= 0 && cpu < nr_cpu_ids && cpu_possible(cpu);
}
int xk_in_hardirq(void) { return !!in_hardirq(); }
int xk_irqs_disabled(void) { return irqs_disabled(); }
int xk_preemptible(void) { return preemptible(); }
const int xk_config_preempt_rt = IS_ENABLED(CONFIG_PREEMPT_RT);

#if defined(CONFIG_X86_64) && defined(CONFIG_SMP) && defined(CONFIG_PREEMPT_COUNT) && \
	!defined(CONFIG_DEBUG_PREEMPT) && !defined(CONFIG_TRACE_PREEMPT_TOGGLE)
const int xk_preempt_inline = 1;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
const unsigned long xk_pcpu_preempt_count = (unsigned long)&pcpu_hot.preempt_count;
const unsigned long xk_pcpu_cpu_number = (unsigned long)&pcpu_hot.cpu_number;
#else
const unsigned long xk_pcpu_preempt_count = (unsigned long)&__preempt_count;
const unsigned long xk_pcpu_cpu_number = (unsigned long)&cpu_number;
#endif
#else
const int xk_preempt_inline;
const unsigned long xk_pcpu_preempt_count, xk_pcpu_cpu_number;
#endif
const int xk_preempt_lazy = IS_ENABLED(CONFIG_PREEMPT_LAZY) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0);
/*
 * An inline enable reached 0 (or, lazy, may have): what the kernel's
 * preempt_enable() would do now. preempt_check_resched() is not for
 * modules; a disable/enable pair around the same count is the same test.
 */
void xk_preempt_check_resched(void)
{
	preempt_disable();
	preempt_enable();
}
int xk_preempt_count(void) { return preempt_count(); }
int xk_need_resched(void) { return need_resched(); }
void xk_request_resched(void)
{
	set_tsk_need_resched(current);
	set_preempt_need_resched();
}

void xk_preempt_disable(void) { preempt_disable(); }
void xk_preempt_enable(void) { preempt_enable(); }
int xk_preempt_disable_cpu(void)
{
	preempt_disable();
	return smp_processor_id();
}
const unsigned long *xk_cpu_possible_bits(void) { return cpumask_bits(cpu_possible_mask); }

unsigned long xk_local_irq_save(void)
{
	unsigned long flags;

	local_irq_save(flags);
	return flags;
}

void xk_local_irq_restore(unsigned long flags) { local_irq_restore(flags); }

/* ---- CPUs ------------------------------------------------------------------ */

unsigned int xk_cpumask_bits(void) { return nr_cpumask_bits; }

static void copy_mask(unsigned long *bits, const struct cpumask *mask)
{
	bitmap_copy(bits, cpumask_bits(mask), nr_cpumask_bits);
}

void xk_cpumask_online(unsigned long *bits) { copy_mask(bits, cpu_online_mask); }
void xk_cpumask_possible(unsigned long *bits) { copy_mask(bits, cpu_possible_mask); }

int xk_cpu_next_online(int prev)
{
	unsigned int cpu = cpumask_next(prev, cpu_online_mask);

	return cpu < nr_cpu_ids ? (int)cpu : -1;
}

int xk_cpu_next_possible(int prev)
{
	unsigned int cpu = cpumask_next(prev, cpu_possible_mask);

	return cpu < nr_cpu_ids ? (int)cpu : -1;
}

void xk_cpus_read_lock(void) { cpus_read_lock(); }
void xk_cpus_read_unlock(void) { cpus_read_unlock(); }

int xk_in_task(void) { return in_task(); }
/*
 * Without task_lock(): get_task_comm() takes it, and it is not IRQ-safe
 * (lockdep: "inconsistent lock state" from a hard-IRQ caller). comm stays
 * NUL-terminated within TASK_COMM_LEN even while it is being renamed, so
 * the worst a race gives is a mix of old and new name: fine for a label.
 */
void xk_current_comm(char *buf) { strscpy(buf, current->comm, TASK_COMM_LEN); }
/*
 * ktime_get_ns(), not local_clock(): with an unstable TSC (as under QEMU's
 * TCG) local_clock() is clamped per CPU and short intervals can read as 0.
 */
unsigned long long xk_clock_ns(void) { return ktime_get_ns(); }
void xk_udelay(unsigned long usecs) { udelay(usecs); }
void xk_msleep(unsigned int msecs) { msleep(msecs); }
void xk_cond_resched(void) { cond_resched(); }
int xk_fatal_signal_pending(void) { return fatal_signal_pending(current); }

void xk_synchronize_rcu(void) { synchronize_rcu(); }
