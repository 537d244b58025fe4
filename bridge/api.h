/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The other direction: what xcall's C++ (module/api.cpp) provides to
 * bridge/api.c, which exports it to client modules as include/xcall/xcall.h
 * says. Plain C, no kernel header.
 */
#ifndef XCALL_BRIDGE_API_H
#define XCALL_BRIDGE_API_H

#include "../include/xcall/xcall.h"

#ifdef __cplusplus
extern "C" {
#endif

int xk_api_irq_work_queue_on(struct xcall_irq_work *work, int cpu) XCALL_NOEXCEPT;
int xk_api_irq_work_sync(struct xcall_irq_work *work) XCALL_NOEXCEPT;
void xk_api_irq_work_run(void *node) XCALL_NOEXCEPT;
int xk_api_call_sync(int cpu, void (*fn)(void *info), void *info) XCALL_NOEXCEPT;

/*
 * Module references for client items (bridge/api.c): try_module_get() and
 * module_put(); NULL (built-in code) always succeeds. Any context.
 */
int xk_module_get(struct module *owner) XCALL_NOEXCEPT;
void xk_module_put(struct module *owner) XCALL_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
