/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xcall's trace events (system "xcall"), modelled on the csd and ipi events
 * later kernels added to kernel/smp.c (csd_queue_cpu, ipi_send_cpu,
 * csd_function_entry/exit), so that the same habits work:
 *   echo 1 > /sys/kernel/tracing/events/xcall/enable
 * Defined by bridge/trace.c (CREATE_TRACE_POINTS); C++ reaches them through
 * bridge/bridge.h's xk_trace_*() inlines, which call out only while some
 * xcall event is enabled (each event's reg/unreg counts in
 * xk_trace_events_on). No field holds a raw kernel
 * address: functions are printed with %ps.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xcall

#if !defined(XCALL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define XCALL_TRACE_H

#include <linux/tracepoint.h>
#include <linux/version.h>

/*
 * 6.10 dropped __assign_str()'s source argument: the source is the one
 * its __string() field names. xk_assign_str() takes both on every line.
 */
#ifndef xk_assign_str
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define xk_assign_str(dst, src) __assign_str(dst)
#else
#define xk_assign_str(dst, src) __assign_str(dst, src)
#endif
#endif

/* Each event's registration counts in xk_trace_events_on (bridge/trace.c). */
int xk_trace_reg(void);
void xk_trace_unreg(void);

/* A node accepted by the queue (RemoteQueue::queue()); kicked: its push
 * made @cpu's list non-empty (a call to this CPU that ran at once: 0). */
TRACE_EVENT_FN(xcall_node_queue,
	TP_PROTO(int cpu, const char *kind, int kicked),
	TP_ARGS(cpu, kind, kicked),
	TP_STRUCT__entry(
		__field(int, cpu)
		__string(kind, kind)
		__field(int, kicked)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		xk_assign_str(kind, kind);
		__entry->kicked = kicked;
	),
	TP_printk("cpu=%d kind=%s kicked=%d", __entry->cpu, __get_str(kind), __entry->kicked),
	xk_trace_reg, xk_trace_unreg
);

/* A kick sent to @cpu: an IPI (another CPU) or a self-IPI (this CPU). */
TRACE_EVENT_FN(xcall_kick,
	TP_PROTO(int cpu, const char *kind, int ipi),
	TP_ARGS(cpu, kind, ipi),
	TP_STRUCT__entry(
		__field(int, cpu)
		__string(kind, kind)
		__field(int, ipi)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		xk_assign_str(kind, kind);
		__entry->ipi = ipi;
	),
	TP_printk("cpu=%d kind=%s via=%s", __entry->cpu, __get_str(kind), __entry->ipi ? "ipi" : "self-ipi"),
	xk_trace_reg, xk_trace_unreg
);

/* One drain of @cpu's list: how many nodes of each kind (kinds.h's order). */
TRACE_EVENT_FN(xcall_drain,
	TP_PROTO(int cpu, const unsigned int *counts),
	TP_ARGS(cpu, counts),
	TP_STRUCT__entry(
		__field(int, cpu)
		__array(unsigned int, counts, 6)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		memcpy(__entry->counts, counts, sizeof(__entry->counts));
	),
	TP_printk("cpu=%d call=%u async=%u irq_work=%u irq_work_hard=%u irq_work_lazy=%u wake=%u",
		  __entry->cpu, __entry->counts[0], __entry->counts[1], __entry->counts[2],
		  __entry->counts[3], __entry->counts[4], __entry->counts[5]),
	xk_trace_reg, xk_trace_unreg
);

DECLARE_EVENT_CLASS(xcall_function,
	TP_PROTO(const char *kind, void *func),
	TP_ARGS(kind, func),
	TP_STRUCT__entry(
		__string(kind, kind)
		__field(void *, func)
	),
	TP_fast_assign(
		xk_assign_str(kind, kind);
		__entry->func = func;
	),
	TP_printk("kind=%s func=%ps", __get_str(kind), __entry->func)
);

/* A node's function about to run, and returned. */
DEFINE_EVENT_FN(xcall_function, xcall_function_entry,
	TP_PROTO(const char *kind, void *func),
	TP_ARGS(kind, func),
	xk_trace_reg, xk_trace_unreg);
DEFINE_EVENT_FN(xcall_function, xcall_function_exit,
	TP_PROTO(const char *kind, void *func),
	TP_ARGS(kind, func),
	xk_trace_reg, xk_trace_unreg);

/* xcall_lazy/N ran @count irq_work items. */
TRACE_EVENT_FN(xcall_lazy_run,
	TP_PROTO(int cpu, unsigned int count),
	TP_ARGS(cpu, count),
	TP_STRUCT__entry(
		__field(int, cpu)
		__field(unsigned int, count)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->count = count;
	),
	TP_printk("cpu=%d count=%u", __entry->cpu, __entry->count),
	xk_trace_reg, xk_trace_unreg
);

/* xcall_wait/N ran for a wake-up, @latency_ns after it was performed. */
TRACE_EVENT_FN(xcall_waiter_run,
	TP_PROTO(int cpu, unsigned long long latency_ns),
	TP_ARGS(cpu, latency_ns),
	TP_STRUCT__entry(
		__field(int, cpu)
		__field(unsigned long long, latency_ns)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->latency_ns = latency_ns;
	),
	TP_printk("cpu=%d latency_ns=%llu", __entry->cpu, __entry->latency_ns),
	xk_trace_reg, xk_trace_unreg
);

#endif /* XCALL_TRACE_H */

/* Out of the kernel tree: define_trace.h finds this file through -I (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xcall_trace
#include <trace/define_trace.h>
