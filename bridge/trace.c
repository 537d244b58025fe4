// SPDX-License-Identifier: GPL-2.0
/*
 * Trace events (bridge/xcall_trace.h): defined here, and called by C++
 * through the functions below. Each tests its event's static key first, so
 * a disabled event costs C++ one call and a not-taken branch.
 */
#include <linux/string.h>

#include "bridge.h"

#define CREATE_TRACE_POINTS
#include "xcall_trace.h"

static_assert(XK_TRACE_KINDS == 6);	/* xcall_drain's fields */

#ifndef XCALL_NO_TRACE_CALLS	/* else bridge.h has empty inlines */

void xk_trace_node_queue(int cpu, const char *kind, int kicked)
{
	if (trace_xcall_node_queue_enabled())
		trace_xcall_node_queue(cpu, kind, kicked);
}

void xk_trace_kick(int cpu, const char *kind, int ipi)
{
	if (trace_xcall_kick_enabled())
		trace_xcall_kick(cpu, kind, ipi);
}

void xk_trace_drain(int cpu, const unsigned int *counts)
{
	if (trace_xcall_drain_enabled())
		trace_xcall_drain(cpu, counts);
}

void xk_trace_function_entry(const char *kind, void *func)
{
	if (trace_xcall_function_entry_enabled())
		trace_xcall_function_entry(kind, func);
}

void xk_trace_function_exit(const char *kind, void *func)
{
	if (trace_xcall_function_exit_enabled())
		trace_xcall_function_exit(kind, func);
}

void xk_trace_lazy_run(int cpu, unsigned int count)
{
	if (trace_xcall_lazy_run_enabled())
		trace_xcall_lazy_run(cpu, count);
}

void xk_trace_waiter_run(int cpu, unsigned long long latency_ns)
{
	if (trace_xcall_waiter_run_enabled())
		trace_xcall_waiter_run(cpu, latency_ns);
}
#endif
