/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel bridge: the narrow C API through which xcall's C++ reaches the
 * kernel. module/bridge.c implements it and is the only file of xcall that
 * includes kernel headers; C++ includes this header and nothing of the kernel.
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
	XK_EIO = 5,
	XK_ENXIO = 6,
	XK_E2BIG = 7,
	XK_ENOMEM = 12,
	XK_EBUSY = 16,
	XK_EEXIST = 17,
	XK_EINVAL = 22,
	XK_ENOSPC = 28,
	XK_EDEADLK = 35,
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
 * Not declared noreturn: objtool checks each object alone and cannot know
 * that a function in another object never returns.
 */
void xk_bug(const char *what) XK_NOEXCEPT;

/* ---- CPU and context state ------------------------------------------------ */

int xk_this_cpu(void) XK_NOEXCEPT;		/* raw_smp_processor_id() */
unsigned int xk_nr_cpu_ids(void) XK_NOEXCEPT;
int xk_cpu_online(int cpu) XK_NOEXCEPT;
int xk_in_hardirq(void) XK_NOEXCEPT;
int xk_irqs_disabled(void) XK_NOEXCEPT;
int xk_preemptible(void) XK_NOEXCEPT;
int xk_preempt_rt(void) XK_NOEXCEPT;		/* IS_ENABLED(CONFIG_PREEMPT_RT) */

void xk_preempt_disable(void) XK_NOEXCEPT;
void xk_preempt_enable(void) XK_NOEXCEPT;
unsigned long xk_local_irq_save(void) XK_NOEXCEPT;
void xk_local_irq_restore(unsigned long flags) XK_NOEXCEPT;

/* ---- sleeping locks ------------------------------------------------------- */

/*
 * struct mutex, held by C++ as opaque storage of XCALL_SIZEOF_MUTEX bytes
 * (generated/xcall_kstructs.h). Process context only.
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
 *        succeeds) or -errno (write(2) fails with it). Process context.
 * Either may be NULL: the file then refuses that direction with -EPERM.
 */
struct xk_file_handlers {
	int (*show)(void *ctx, struct xk_text *text);
	int (*store)(void *ctx, const char *input, xk_size_t len);
};
#define XK_DEBUGFS_WRITE_MAX 256

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

/* ---- the C++ side, called by the bridge's module_init/module_exit -------- */
int xcall_cxx_init(void) XK_NOEXCEPT;
void xcall_cxx_exit(void) XK_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* XCALL_BRIDGE_H */
