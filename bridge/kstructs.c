// SPDX-License-Identifier: GPL-2.0
/*
 * Layout of the kernel structs that xcall's C++ embeds by value.
 *
 * Compiled to assembly only (never linked); Kbuild's filechk_offsets turns the
 * markers into generated/xcall_kstructs.h, exactly as asm-offsets.h is made.
 * C++ then holds these structs as opaque, correctly sized and aligned storage
 * and hands their address to the bridge; it never sees a field.
 */
#include <linux/kbuild.h>
#include <linux/smp.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>

#include "bridge_types.h"

#define LAYOUT(name, type) \
	DEFINE(XCALL_SIZEOF_##name, sizeof(type)); \
	DEFINE(XCALL_ALIGNOF_##name, __alignof__(type))

int main(void);
int main(void)
{
	LAYOUT(CALL_SINGLE_DATA, call_single_data_t);
	LAYOUT(IRQ_WORK, struct irq_work);
	LAYOUT(XK_MUTEX, struct xk_mutex);
	LAYOUT(XK_IRQ_WORK, struct xk_irq_work);
	LAYOUT(XK_CPUHP, struct xk_cpuhp);
	LAYOUT(XK_PERCPU_THREADS, struct xk_percpu_threads);
	return 0;
}
