// SPDX-License-Identifier: GPL-2.0
/*
 * Trace events (bridge/xcall_trace.h): defined here, and emitted by C++
 * through the functions below, which bridge.h's xk_trace_*() inlines call
 * only while xk_trace_events_on is non-zero: with every xcall event
 * disabled, an event costs C++ one load and a not-taken branch, no call.
 * Each function still tests its own event's static key (another xcall event
 * may be the one enabled).
 */
#include <linux/string.h>

#include "bridge.h"

#define CREATE_TRACE_POINTS
#include "xcall_trace.h"

static_assert(XK_TRACE_KINDS == 6);	/* xcall_drain's fields */

/*
 * How many xcall events are enabled. The tracepoint core calls an event's
 * reg just before its static key is turned on and unreg just before it is
 * turned off (tracepoint_add_func()/tracepoint_remove_func(), both under
 * tracepoints_mutex), so the count is non-zero whenever an enabled event
 * can fire, but in the moment an event is being disabled (C++ may then skip
 * an event that is going away). C++ reads it with no ordering: a node
 * racing with the enabling may be missed, as with a key being patched.
 */
int xk_trace_events_on;

int xk_trace_reg(void)
{
	WRITE_ONCE(xk_trace_events_on, xk_trace_events_on + 1);	/* under tracepoints_mutex */
	return 0;
}

void xk_trace_unreg(void)
{
	WRITE_ONCE(xk_trace_events_on, xk_trace_events_on - 1);
}

#ifndef XCALL_NO_TRACE_CALLS	/* else bridge.h has empty inlines */

void xk_emit_node_queue(int cpu, const char *kind, int kicked)
{
	if (trace_xcall_node_queue_enabled())
		trace_xcall_node_queue(cpu, kind, kicked);
}

void xk_emit_kick(int cpu, const char *kind, int ipi)
{
	if (trace_xcall_kick_enabled())
		trace_xcall_kick(cpu, kind, ipi);
}

void xk_emit_drain(int cpu, const unsigned int *counts)
{
	if (trace_xcall_drain_enabled())
		trace_xcall_drain(cpu, counts);
}

void xk_emit_function_entry(const char *kind, void *func)
{
	if (trace_xcall_function_entry_enabled())
		trace_xcall_function_entry(kind, func);
}

void xk_emit_function_exit(const char *kind, void *func)
{
	if (trace_xcall_function_exit_enabled())
		trace_xcall_function_exit(kind, func);
}

void xk_emit_lazy_run(int cpu, unsigned int count)
{
	if (trace_xcall_lazy_run_enabled())
		trace_xcall_lazy_run(cpu, count);
}

void xk_emit_waiter_run(int cpu, unsigned long long latency_ns)
{
	if (trace_xcall_waiter_run_enabled())
		trace_xcall_waiter_run(cpu, latency_ns);
}
#endif
