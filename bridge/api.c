// SPDX-License-Identifier: GPL-2.0
/*
 * The C API other modules use (include/xcall/xcall.h). Its functions are
 * defined in C++ (module/api.cpp) with the C prototypes of that header;
 * they are exported here, in C, so that genksyms computes each symbol's
 * CRC from those same prototypes (modversions) and the bridge stays the
 * only place that calls into the kernel's module machinery.
 */
#include <linux/export.h>
#include <linux/module.h>

#include "bridge.h"
#include "../include/xcall/xcall.h"

EXPORT_SYMBOL_GPL(xcall_irq_work_queue_on);
EXPORT_SYMBOL_GPL(xcall_irq_work_sync);
EXPORT_SYMBOL_GPL(__xcall_irq_work_run);	/* the clients' initialisers name it */
EXPORT_SYMBOL_GPL(xcall_call_sync);

int xk_module_get(struct module *owner) { return try_module_get(owner); }
void xk_module_put(struct module *owner) { module_put(owner); }
