/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel bridge: the narrow C API through which xcall's C++ reaches the
 * kernel; C++ includes this header and nothing of the kernel.
 *
 * The C files of bridge/ implement it, one per kernel mechanism; they are the
 * only files of xcall that include kernel headers.
 *
 * Plain C, usable from both languages. Every function here wraps one kernel
 * primitive (or one tightly-coupled pair) and documents the context it may be
 * called from.
 */
#ifndef XCALL_BRIDGE_H
#define XCALL_BRIDGE_H

#ifdef __cplusplus
extern "C" {
#define XK_NOEXCEPT noexcept
#else
#define XK_NOEXCEPT
#endif

#define XK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

typedef __SIZE_TYPE__ xk_size_t;
typedef long xk_ssize_t;

/* ---- errno values the C++ side returns (checked against the kernel's) ---- */
enum xk_errno {
	XK_EPERM = 1,
	XK_ENOENT = 2,
	XK_EINTR = 4,
	XK_EIO = 5,
	XK_ENXIO = 6,
	XK_E2BIG = 7,
	XK_ENOMEM = 12,
	XK_EBUSY = 16,
	XK_EEXIST = 17,
	XK_EINVAL = 22,
	XK_ENOSPC = 28,
	XK_EDEADLK = 35,
	XK_ENODEV = 19,
};

/* ---- memory ------------------------------------------------------------- */

/*
 * Allocation context, always chosen by the caller: XK_MAY_SLEEP is
 * GFP_KERNEL (process context only), XK_ATOMIC is GFP_ATOMIC (any context
 * but hard IRQ on PREEMPT_RT, where the allocator itself may sleep).
 */
enum xk_alloc_context { XK_MAY_SLEEP = 0, XK_ATOMIC = 1 };

/*
 * kmalloc() with an alignment guarantee (power of two; 0 means the default
 * 8). Returns NULL on failure. Every allocation is counted, see
 * xk_memory_stats_read(); xk_free() accepts NULL.
 */
void *xk_alloc(xk_size_t size, xk_size_t align, enum xk_alloc_context ctx) XK_NOEXCEPT;
void xk_free(void *ptr) XK_NOEXCEPT;

struct xk_memory_stats {
	long live_allocs;	/* allocations not yet freed */
	long live_bytes;	/* their size as the allocator rounded it */
	long total_allocs;	/* since load */
	long total_frees;
	long failed_allocs;
};
void xk_memory_stats_read(struct xk_memory_stats *out) XK_NOEXCEPT;

/* ---- logging and formatting -------------------------------------------- */

enum xk_log_level { XK_LOG_ERR = 3, XK_LOG_WARNING = 4, XK_LOG_INFO = 6, XK_LOG_DEBUG = 7 };

/* printk() with the "xcall: " prefix. Any context. */
XK_PRINTF(2, 3) void xk_log(enum xk_log_level level, const char *fmt, ...) XK_NOEXCEPT;
/* The kernel's snprintf(): returns the length it would have written. */
XK_PRINTF(3, 4) int xk_snprintf(char *buf, xk_size_t size, const char *fmt, ...) XK_NOEXCEPT;

/* A bug in xcall itself: BUG(). Never returns. */
/*
 * Declared noreturn only where objtool checks the linked module
 * (XCALL_OBJTOOL_AT_LINK, from Kbuild: IBT kernels such as Debian's 6.12):
 * checking each object alone (6.1) it cannot know that a function in
 * another object never returns, and takes the call's missing tail for a
 * fall-through; checking the whole module it sees xk_bug() end in BUG()
 * and wants every caller to know it.
 */
#ifdef XCALL_OBJTOOL_AT_LINK
__attribute__((noreturn))
#endif
void xk_bug(const char *what) XK_NOEXCEPT;

/* ---- CPU and context state ------------------------------------------------ */

int xk_this_cpu(void) XK_NOEXCEPT;		/* raw_smp_processor_id() */
unsigned int xk_nr_cpu_ids(void) XK_NOEXCEPT;
int xk_cpu_online(int cpu) XK_NOEXCEPT;
int xk_cpu_possible(int cpu) XK_NOEXCEPT;
int xk_in_hardirq(void) XK_NOEXCEPT;
int xk_irqs_disabled(void) XK_NOEXCEPT;
int xk_preemptible(void) XK_NOEXCEPT;
/* IS_ENABLED(CONFIG_PREEMPT_RT): a constant, read inline (every drain asks). */
extern const int xk_config_preempt_rt;
static inline int xk_preempt_rt(void) XK_NOEXCEPT { return xk_config_preempt_rt; }

/* The kernel's own preempt_disable() and preempt_enable(), as calls. */
void xk_preempt_disable(void) XK_NOEXCEPT;
void xk_preempt_enable(void) XK_NOEXCEPT;
/* preempt_disable(), then smp_processor_id(): one call. */
int xk_preempt_disable_cpu(void) XK_NOEXCEPT;
/*
 * What module/kernel/sync.h needs to do the two inline, as the kernel's
 * x86-64 preempt.h does (a queued node costs two calls fewer, issue 22):
 * the %gs-relative addresses of this CPU's preempt count and CPU number,
 * and whether that is allowed here (xk_preempt_inline: x86-64 SMP with
 * CONFIG_PREEMPT_COUNT, and neither CONFIG_DEBUG_PREEMPT nor
 * CONFIG_TRACE_PREEMPT_TOGGLE, which make the kernel's own an
 * out-of-line, checked and traced call; else the calls above).
 * xk_preempt_lazy: the kernel's preempt_enable() also reschedules when the
 * count reaches 0 with only a lazy reschedule pending (6.1 PREEMPT_RT's
 * CONFIG_PREEMPT_LAZY). xk_preempt_check_resched(): the slow path of an
 * inline enable that reached 0, what the kernel's preempt_enable() does then.
 */
extern const int xk_preempt_inline, xk_preempt_lazy;
extern const unsigned long xk_pcpu_preempt_count, xk_pcpu_cpu_number;
void xk_preempt_check_resched(void) XK_NOEXCEPT;
/* For the self-test of the inline path: preempt_count(), need_resched(), and a reschedule request. */
int xk_preempt_count(void) XK_NOEXCEPT;
int xk_need_resched(void) XK_NOEXCEPT;
void xk_request_resched(void) XK_NOEXCEPT;
/*
 * cpumask_bits(cpu_possible_mask): fixed after boot, so C++ may test a bit
 * itself instead of calling xk_cpu_possible() per node.
 */
const unsigned long *xk_cpu_possible_bits(void) XK_NOEXCEPT;
unsigned long xk_local_irq_save(void) XK_NOEXCEPT;
void xk_local_irq_restore(unsigned long flags) XK_NOEXCEPT;

/* ---- CPUs ------------------------------------------------------------------ */

/*
 * CPU masks cross the bridge as plain bitmaps in the layout of the kernel's
 * struct cpumask, xk_cpumask_bits() bits wide: what the kernel reads of a
 * mask (nr_cpumask_bits: nr_cpu_ids on kernels with CPUMASK_OFFSTACK, as
 * Debian's, else NR_CPUS), so a mask grows with the machine, not NR_CPUS.
 */
unsigned int xk_cpumask_bits(void) XK_NOEXCEPT;
void xk_cpumask_online(unsigned long *bits) XK_NOEXCEPT;	/* a snapshot */
void xk_cpumask_possible(unsigned long *bits) XK_NOEXCEPT;
/* The next online/possible CPU after @prev (from -1), or -1: no mask copy. */
int xk_cpu_next_online(int prev) XK_NOEXCEPT;
int xk_cpu_next_possible(int prev) XK_NOEXCEPT;

/* cpus_read_lock()/unlock(): hold off CPU hotplug. May sleep. */
void xk_cpus_read_lock(void) XK_NOEXCEPT;
void xk_cpus_read_unlock(void) XK_NOEXCEPT;

int xk_in_task(void) XK_NOEXCEPT;
/* current->comm, NUL-terminated, into @buf of 16 bytes. Any context. */
void xk_current_comm(char *buf) XK_NOEXCEPT;
unsigned long long xk_clock_ns(void) XK_NOEXCEPT;	/* ktime_get_ns() */
void xk_udelay(unsigned long usecs) XK_NOEXCEPT;
void xk_msleep(unsigned int msecs) XK_NOEXCEPT;
void xk_cond_resched(void) XK_NOEXCEPT;
int xk_fatal_signal_pending(void) XK_NOEXCEPT;	/* fatal_signal_pending(current): task context */

/* ---- cross-CPU calls (kernel/smp.c) ------------------------------------------ */

typedef void (*xk_call_fn)(void *info);

/*
 * smp_call_function_single(..., wait=1), unless the caller's context would
 * deadlock (the kernel would WARN): then nothing is called and the result is
 * XK_REFUSED_IRQS_OFF or XK_REFUSED_NOT_TASK (positive, for C++ to report).
 * Otherwise 0 or -ENXIO (a CPU offline or >= nr_cpu_ids). The check lives
 * here so that a call costs one bridge crossing, like the raw API.
 */
enum { XK_REFUSED_IRQS_OFF = 1, XK_REFUSED_NOT_TASK = 2 };
int xk_call_single_wait(int cpu, xk_call_fn fn, void *info) XK_NOEXCEPT;

/*
 * A call_single_data_t held by C++ as XCALL_SIZEOF_CALL_SINGLE_DATA bytes.
 * xk_csd_init() is INIT_CSD(); xk_call_single_async() is
 * smp_call_function_single_async(): any context; 0, -EBUSY or -ENXIO.
 */
void xk_csd_init(void *csd, xk_call_fn fn, void *info) XK_NOEXCEPT;
int xk_call_single_async(int cpu, void *csd) XK_NOEXCEPT;

/*
 * on_each_cpu_cond_mask(NULL, ...): @fn on every online CPU of @mask, this
 * one included (directly, interrupts off). Task context; with @wait the
 * interrupts must be on.
 */
void xk_call_mask(const unsigned long *mask, xk_call_fn fn, void *info, int wait) XK_NOEXCEPT;
/* smp_call_function_many() under preempt_disable(): this CPU excluded. */
void xk_call_many(const unsigned long *mask, xk_call_fn fn, void *info, int wait) XK_NOEXCEPT;
/*
 * Whether xk_call_many(wait=0) may be called here: interrupts on, not in
 * hard IRQ, softirq or NMI (smp_call_function_many()'s rules).
 */
int xk_can_call_many(void) XK_NOEXCEPT;
/* smp_call_on_cpu(): @fn in a kthread bound to @cpu, may sleep. Sleepable callers. */
int xk_call_on_cpu(unsigned int cpu, int (*fn)(void *), void *arg) XK_NOEXCEPT;

/* ---- irq_work (kernel/irq_work.c) ------------------------------------------------ */

/*
 * An irq_work held by C++ as XCALL_SIZEOF_XK_IRQ_WORK bytes: the kernel's
 * struct irq_work plus the C++ callback it forwards to. Flags: hard runs in
 * hard IRQ context even on PREEMPT_RT; lazy waits for the next tick (and on
 * PREEMPT_RT runs in the irq_work/N thread, as non-hard items do there).
 */
#define XK_IRQ_WORK_HARD 1u
#define XK_IRQ_WORK_LAZY 2u
void xk_irq_work_init(void *work, void (*fn)(void *ctx), void *ctx, unsigned int flags) XK_NOEXCEPT;
int xk_irq_work_queue(void *work) XK_NOEXCEPT;	/* irq_work_queue(): 1 if claimed */
void xk_irq_work_sync(void *work) XK_NOEXCEPT;	/* may sleep */
int xk_irq_work_busy(void *work) XK_NOEXCEPT;

/* ---- per-CPU memory ---------------------------------------------------------------- */

/* __alloc_percpu(): a __percpu cookie, zeroed, or NULL. May sleep. */
void *xk_percpu_alloc(xk_size_t size, xk_size_t align) XK_NOEXCEPT;
void xk_percpu_free(void *pcp) XK_NOEXCEPT;
void *xk_per_cpu_ptr(void *pcp, int cpu) XK_NOEXCEPT;
void *xk_this_cpu_ptr(void *pcp) XK_NOEXCEPT;	/* preemption must be off */
/*
 * per_cpu_ptr()'s table (__per_cpu_offset, fixed after boot): @pcp plus
 * entry @cpu is @cpu's copy, so C++ computes it inline (PerCpu::on()).
 */
const unsigned long *xk_per_cpu_offsets(void) XK_NOEXCEPT;

/* ---- CPU hotplug states ---------------------------------------------------------- */

/*
 * One dynamic hotplug state (CPUHP_AP_ONLINE_DYN) with one instance, held by
 * C++ as XCALL_SIZEOF_XK_CPUHP bytes. Adding invokes @online on every CPU
 * already online; removing invokes @offline on each. The callbacks run in
 * the CPU's hotplug thread, may sleep, and return 0 or -errno.
 */
int xk_cpuhp_add(void *hp, const char *name, int (*online)(void *ctx, unsigned int cpu),
		 int (*offline)(void *ctx, unsigned int cpu), void *ctx) XK_NOEXCEPT;
void xk_cpuhp_remove(void *hp) XK_NOEXCEPT;

/* ---- per-CPU threads (smpboot) ------------------------------------------------------ */

/*
 * A set of per-CPU kernel threads (smpboot_register_percpu_thread(): they
 * follow CPU hotplug, parked while their CPU is offline), held by C++ as
 * XCALL_SIZEOF_XK_PERCPU_THREADS bytes that must not move while started.
 * @run(ctx, cpu) is called in the thread on @cpu whenever @should_run(ctx,
 * cpu) is true (checked with preemption off). @fifo_low: SCHED_FIFO at the
 * lowest priority (sched_set_fifo_low), as irq_work/N on PREEMPT_RT.
 * Start and stop: process context. Stop returns once no callback runs.
 */
int xk_percpu_threads_start(void *set, const char *comm_fmt, int (*should_run)(void *ctx, unsigned int cpu),
			    void (*run)(void *ctx, unsigned int cpu), void *ctx, int fifo_low) XK_NOEXCEPT;
void xk_percpu_threads_stop(void *set) XK_NOEXCEPT;
/* wake_up_process() of the set's thread on @cpu; any context, hard IRQ included. */
void xk_percpu_thread_wake(void *set, int cpu) XK_NOEXCEPT;
/*
 * Raises the set's thread on @cpu (every CPU's, and those created later, if
 * @cpu < 0) to SCHED_FIFO priority MAX_RT_PRIO / 2 (sched_set_fifo(): the
 * priority of threaded interrupt handlers), or with @raised 0 puts it back
 * in its own class. Process context.
 */
void xk_percpu_threads_raise(void *set, int cpu, int raised) XK_NOEXCEPT;

/* ---- RCU, large allocations --------------------------------------------------------- */

void xk_synchronize_rcu(void) XK_NOEXCEPT;	/* waits out preempt-off sections too */

/*
 * kvmalloc()/kvfree(), counted with xk_alloc() (bytes included). Process
 * context only. Fails with NULL (no WARN, no OOM killer) when the memory is
 * not there or @size is beyond INT_MAX.
 */
void *xk_alloc_large(xk_size_t size) XK_NOEXCEPT;
void xk_free_large(void *ptr) XK_NOEXCEPT;

/* ---- benchmark baselines ---------------------------------------------------------- */

/*
 * The raw C calls xcall's types are measured against, looped @n times to
 * @cpu; each returns the elapsed ktime_get_ns() nanoseconds. Task context,
 * interrupts on; the caller keeps preemption off so @cpu stays remote.
 *   sync:  smp_call_function_single(cpu, fn, info, 1)
 *   async: smp_call_function_single_async() on one CSD, then spin until
 *          the function has set a flag (release/acquire)
 */
unsigned long long xk_bench_raw_sync(int cpu, unsigned int n) XK_NOEXCEPT;
/*
 * sync in two legs (the bench's legs=1): the function reads the clock on
 * @cpu; *out gets the sum of call -> function start, *back of function
 * start -> return. Returns the elapsed total like the others.
 */
unsigned long long xk_bench_raw_sync_legs(int cpu, unsigned int n, unsigned long long *out,
					  unsigned long long *back) XK_NOEXCEPT;
unsigned long long xk_bench_raw_async(int cpu, unsigned int n) XK_NOEXCEPT;
/*
 * The kernel paths the queue modes are measured against, same rules:
 *   remote_irq_work: what a module must do today for an irq_work on another
 *          CPU: an async CSD whose function queues a local hard irq_work
 *          (two interrupts), spinning until the irq_work has run
 *   burst: @n async CSDs to @cpu back to back, spinning until all ran
 *   fanin: every CPU of @sources (this one included, interrupts off) sends
 *          @n async CSDs to @cpu at once; spins until all ran
 *   broadcast: smp_call_function_many(@mask, wait=1), @n times
 * Burst and fanin take storage for their CSDs from the caller (allocated
 * outside the timed section): xk_bench_csds_bytes(count) bytes, aligned to 64.
 */
unsigned long long xk_bench_raw_remote_irq_work(int cpu, unsigned int n) XK_NOEXCEPT;
xk_size_t xk_bench_csds_bytes(unsigned int count) XK_NOEXCEPT;
/* @send: plus the time until the CSDs are submitted (before waiting for them). */
unsigned long long xk_bench_raw_burst(int cpu, void *csds, unsigned int n, unsigned long long *send) XK_NOEXCEPT;
unsigned long long xk_bench_raw_fanin(const unsigned long *sources, int cpu, void *csds,
				      unsigned int n, unsigned long long *send) XK_NOEXCEPT;
unsigned long long xk_bench_raw_broadcast(const unsigned long *mask, unsigned int n) XK_NOEXCEPT;

/* ---- sleeping locks ------------------------------------------------------- */

/*
 * A struct mutex with its own lockdep class, held by C++ as opaque storage
 * of XCALL_SIZEOF_XK_MUTEX bytes (generated/xcall_kstructs.h). Process
 * context only; destroying may sleep (lockdep_unregister_key()).
 */
void xk_mutex_init(void *mutex) XK_NOEXCEPT;
void xk_mutex_destroy(void *mutex) XK_NOEXCEPT;
void xk_mutex_lock(void *mutex) XK_NOEXCEPT;
void xk_mutex_unlock(void *mutex) XK_NOEXCEPT;

/* ---- debugfs -------------------------------------------------------------- */

/*
 * A text sink for a debugfs file's show handler (a seq_file underneath).
 */
struct xk_text;
XK_PRINTF(2, 3) void xk_text_printf(struct xk_text *text, const char *fmt, ...) XK_NOEXCEPT;

/*
 * Handlers of one debugfs file; @ctx is the pointer given at creation.
 * show: fill @text; return 0 or -errno. Called in process context.
 * store: @input is the whole write(2), NUL-terminated, trailing newline
 *        removed, at most XK_DEBUGFS_WRITE_MAX bytes; return 0 (the write
 *        succeeds), -errno (refused with nothing changed: write(2) fails
 *        with it) or XK_STORE_CUT_SHORT (the command had its effect, then a
 *        fatal signal ended its wait). Process context. An open file runs
 *        one command: after 0 or XK_STORE_CUT_SHORT it refuses every later
 *        write with -EINVAL. A handler waits killably, never interruptibly:
 *        a caught signal must not cut short a command that has had its
 *        effect, since the caller's EINTR retry would run it again.
 * Either may be NULL: the file then refuses that direction with -EPERM.
 */
struct xk_file_handlers {
	int (*show)(void *ctx, struct xk_text *text);
	int (*store)(void *ctx, const char *input, xk_size_t len);
};
#define XK_DEBUGFS_WRITE_MAX 256
#define XK_STORE_CUT_SHORT 1

struct xk_dentry;
/* The /sys/kernel/debug/xcall directory; NULL on failure. */
struct xk_dentry *xk_debugfs_create_dir(const char *name) XK_NOEXCEPT;
/*
 * A root-only file (0400, 0200 or 0600 from the handlers present). The
 * handlers and @ctx must outlive the file: xk_debugfs_remove() waits for
 * running handlers before it returns (debugfs's removal protection), after
 * which neither is called again.
 */
struct xk_dentry *xk_debugfs_create_file(struct xk_dentry *dir, const char *name,
					 const struct xk_file_handlers *handlers,
					 void *ctx) XK_NOEXCEPT;
void xk_debugfs_remove(struct xk_dentry *dentry) XK_NOEXCEPT;

/* ---- module life cycle ---------------------------------------------------- */

/*
 * The module's init_module() calls xk_module_loading() first (0 or -errno),
 * cleanup_module() calls xk_module_unloaded() last: it logs what the module
 * left allocated ("leaked ...") or that everything was returned. Process
 * context.
 */
int xk_module_loading(void) XK_NOEXCEPT;
void xk_module_unloaded(void) XK_NOEXCEPT;

/* ---- module references (api.c) ------------------------------------------------ */

/*
 * try_module_get() and module_put() for a client's items: a queued item pins
 * its owner. NULL (built-in code) always succeeds. Any context.
 */
struct module;
int xk_module_get(struct module *owner) XK_NOEXCEPT;
void xk_module_put(struct module *owner) XK_NOEXCEPT;

/* ---- trace events (bridge/xcall_trace.h, system "xcall") ---------------------- */

/*
 * Each emits its event if enabled; with every xcall event disabled, it is
 * one load and a not-taken branch (no call). Any context but NMI. @kind is a kind's name from
 * module/queue/kinds.h (copied into the event); @func is printed with %ps.
 * xk_trace_drain()'s @counts has XK_TRACE_KINDS entries in kinds.h's order.
 */
#define XK_TRACE_KINDS 6
#ifndef XCALL_NO_TRACE_CALLS
/* Non-zero while any xcall event is enabled (bridge/trace.c). */
extern int xk_trace_events_on;
void xk_emit_node_queue(int cpu, const char *kind, int kicked) XK_NOEXCEPT;
void xk_emit_kick(int cpu, const char *kind, int ipi) XK_NOEXCEPT;
void xk_emit_drain(int cpu, const unsigned int *counts) XK_NOEXCEPT;
void xk_emit_function_entry(const char *kind, void *func) XK_NOEXCEPT;
void xk_emit_function_exit(const char *kind, void *func) XK_NOEXCEPT;
void xk_emit_lazy_run(int cpu, unsigned int count) XK_NOEXCEPT;
void xk_emit_waiter_run(int cpu, unsigned long long latency_ns) XK_NOEXCEPT;
/* Whether any xcall event is enabled: one load (a caller with several events per item tests it once). */
static inline int xk_trace_enabled(void) XK_NOEXCEPT { return __builtin_expect(*(volatile int *)&xk_trace_events_on, 0); }
#define XK_TRACE_CALL(emit) do { if (xk_trace_enabled()) emit; } while (0)
#else
/*
 * A measurement build only (scripts/trace-cost.sh): no trace code at all,
 * the baseline against which disabled events must cost nothing measurable.
 */
static inline int xk_trace_enabled(void) XK_NOEXCEPT { return 0; }
#define XK_TRACE_CALL(emit) do { } while (0)
#endif
static inline void xk_trace_node_queue(int cpu, const char *kind, int kicked) XK_NOEXCEPT
{ XK_TRACE_CALL(xk_emit_node_queue(cpu, kind, kicked)); }
static inline void xk_trace_kick(int cpu, const char *kind, int ipi) XK_NOEXCEPT
{ XK_TRACE_CALL(xk_emit_kick(cpu, kind, ipi)); }
static inline void xk_trace_drain(int cpu, const unsigned int *counts) XK_NOEXCEPT
{ XK_TRACE_CALL(xk_emit_drain(cpu, counts)); }
static inline void xk_trace_function_entry(const char *kind, void *func) XK_NOEXCEPT
{ XK_TRACE_CALL(xk_emit_function_entry(kind, func)); }
static inline void xk_trace_function_exit(const char *kind, void *func) XK_NOEXCEPT
{ XK_TRACE_CALL(xk_emit_function_exit(kind, func)); }
static inline void xk_trace_lazy_run(int cpu, unsigned int count) XK_NOEXCEPT
{ XK_TRACE_CALL(xk_emit_lazy_run(cpu, count)); }
static inline void xk_trace_waiter_run(int cpu, unsigned long long latency_ns) XK_NOEXCEPT
{ XK_TRACE_CALL(xk_emit_waiter_run(cpu, latency_ns)); }

/* ---- torture (torture.c) ---------------------------------------------------- */

/*
 * A kernel thread running @fn(@arg): bound to @cpu (kthread_create_on_cpu(),
 * @name may hold %u for the CPU) or, for @cpu < 0, unbound. NULL on failure.
 * xk_kthread_stop() sets kthread_should_stop() and waits for @fn to return
 * (it may have returned already); it returns @fn's result. Process context.
 */
void *xk_kthread_start(int (*fn)(void *arg), void *arg, int cpu, const char *name) XK_NOEXCEPT;
int xk_kthread_stop(void *task) XK_NOEXCEPT;
int xk_kthread_should_stop(void) XK_NOEXCEPT;

/* cpu_is_hotpluggable(), remove_cpu(), add_cpu(): 0 or -errno. May sleep. */
int xk_cpu_hotpluggable(int cpu) XK_NOEXCEPT;
int xk_cpu_remove(unsigned int cpu) XK_NOEXCEPT;
int xk_cpu_add(unsigned int cpu) XK_NOEXCEPT;

unsigned int xk_random_u32(void) XK_NOEXCEPT;	/* get_random_u32() */

#ifdef __cplusplus
}
#endif
#endif /* XCALL_BRIDGE_H */
