// SPDX-License-Identifier: GPL-2.0
/*
 * irq_work (kernel/irq_work.c): local queueing, sync, busy.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/irq_work.h>

#include "bridge.h"
#include "bridge_types.h"
#include "xcall_kstructs.h"

static_assert(XCALL_SIZEOF_XK_IRQ_WORK == sizeof(struct xk_irq_work));


/* ---- irq_work (kernel/irq_work.c) ------------------------------------------------ */

static void xk_irq_work_func(struct irq_work *work)
{
	struct xk_irq_work *xw = container_of(work, struct xk_irq_work, work);

	xw->fn(xw->ctx);
}

void xk_irq_work_init(void *work, void (*fn)(void *ctx), void *ctx, unsigned int flags)
{
	struct xk_irq_work *xw = work;
	int kflags = 0;

	if (flags & XK_IRQ_WORK_HARD)
		kflags |= IRQ_WORK_HARD_IRQ;
	if (flags & XK_IRQ_WORK_LAZY)
		kflags |= IRQ_WORK_LAZY;
	xw->work = IRQ_WORK_INIT_HARD(xk_irq_work_func);
	atomic_set(&xw->work.node.a_flags, kflags);
	xw->fn = fn;
	xw->ctx = ctx;
}

int xk_irq_work_queue(void *work) { return irq_work_queue(&((struct xk_irq_work *)work)->work); }
void xk_irq_work_sync(void *work) { irq_work_sync(&((struct xk_irq_work *)work)->work); }
int xk_irq_work_busy(void *work) { return irq_work_is_busy(&((struct xk_irq_work *)work)->work); }
