// SPDX-License-Identifier: GPL-2.0
/*
 * The C API exported to other modules (include/xcall/xcall.h): each symbol
 * forwards to its C++ implementation (module/api.cpp), so the exported ABI
 * is plain C compiled with the kernel's own flags (and symbol CRCs).
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/export.h>
#include <linux/module.h>

#include "api.h"

int xcall_irq_work_queue_on(struct xcall_irq_work *work, int cpu)
{
	return xk_api_irq_work_queue_on(work, cpu);
}
EXPORT_SYMBOL_GPL(xcall_irq_work_queue_on);

int xcall_irq_work_sync(struct xcall_irq_work *work)
{
	return xk_api_irq_work_sync(work);
}
EXPORT_SYMBOL_GPL(xcall_irq_work_sync);

/* Referenced by the clients' initialisers: the drain calls it. */
void __xcall_irq_work_run(void *node)
{
	xk_api_irq_work_run(node);
}
EXPORT_SYMBOL_GPL(__xcall_irq_work_run);

int xcall_call_sync(int cpu, void (*fn)(void *info), void *info)
{
	return xk_api_call_sync(cpu, fn, info);
}
EXPORT_SYMBOL_GPL(xcall_call_sync);

int xk_module_get(struct module *owner) { return try_module_get(owner); }
void xk_module_put(struct module *owner) { module_put(owner); }
