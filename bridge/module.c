// SPDX-License-Identifier: GPL-2.0
/*
 * The module's metadata and the bridge's part of loading and unloading,
 * logging, and the errno values C++ uses.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "bridge.h"


/* ---- errno: C++ uses the values through bridge.h ------------------------- */

static_assert(XK_EPERM == EPERM && XK_ENOENT == ENOENT && XK_EIO == EIO && XK_EINTR == EINTR);
static_assert(XK_ENXIO == ENXIO && XK_E2BIG == E2BIG && XK_ENOMEM == ENOMEM);
static_assert(XK_EBUSY == EBUSY && XK_EEXIST == EEXIST && XK_EINVAL == EINVAL);
static_assert(XK_ENOSPC == ENOSPC && XK_EDEADLK == EDEADLK);
static_assert(XK_EINTR == EINTR);

/* ---- logging and formatting -------------------------------------------- */

void xk_log(enum xk_log_level level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	switch (level) {
	case XK_LOG_ERR:
		pr_err("%pV\n", &vaf);
		break;
	case XK_LOG_WARNING:
		pr_warn("%pV\n", &vaf);
		break;
	case XK_LOG_INFO:
		pr_info("%pV\n", &vaf);
		break;
	default:
		pr_debug("%pV\n", &vaf);
		break;
	}
	va_end(args);
}

int xk_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

void xk_bug(const char *what)
{
	pr_emerg("internal error: %s\n", what);
	BUG();
}

/* ---- module life cycle --------------------------------------------------- */

/*
 * The module's entry points, init_module() and cleanup_module(), are
 * defined by the C++ module (module/xcall.cpp); these are the bridge's part
 * of loading and unloading.
 */
int xk_module_loading(void)
{
#ifdef XCALL_FAULT_LEAK_AT_INIT
	/*
	 * A test build of tests/harness.sh only (never a real one): leaks one
	 * allocation, to prove that the guest suite fails on a leak.
	 */
	xk_alloc(24, 0, XK_MAY_SLEEP);
#endif
	return 0;
}

void xk_module_unloaded(void)
{
	struct xk_memory_stats stats;

	xk_memory_stats_read(&stats);
	if (stats.live_allocs || stats.live_bytes)
		pr_err("leaked %ld allocations (%ld bytes) at unload\n",
		       stats.live_allocs, stats.live_bytes);
	else
		pr_info("unloaded: %ld allocations, all returned\n",
			stats.total_allocs);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xcall: C++ cross-CPU calls and a merged remote call queue");
MODULE_AUTHOR("xcall developers");
MODULE_VERSION(XCALL_VERSION);
