// SPDX-License-Identifier: GPL-2.0
/*
 * The bridge's counted allocator: every allocation xcall makes goes through
 * here, so the memory knob and the unload check see all of it.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "bridge.h"


/* ---- memory ------------------------------------------------------------- */

/*
 * Statistics are atomics: allocations and frees happen on any CPU. They
 * live in module memory and so start from zero at every load; module exit
 * reports whatever is still live.
 */
static atomic_long_t live_allocs, live_bytes, total_allocs, total_frees,
	failed_allocs;

void *xk_alloc(size_t size, size_t align, enum xk_alloc_context ctx)
{
	gfp_t gfp = ctx == XK_ATOMIC ? GFP_ATOMIC : GFP_KERNEL;
	void *ptr;

	if (ctx == XK_MAY_SLEEP)
		might_sleep();
	if (align & (align - 1))
		return NULL;
	/*
	 * kmalloc() aligns power-of-two sizes to their size (and everything
	 * to ARCH_KMALLOC_MINALIGN), so an over-aligned request is served by
	 * rounding it up to a power of two no smaller than the alignment.
	 */
	if (align > ARCH_KMALLOC_MINALIGN)
		size = roundup_pow_of_two(size > align ? size : align);
	ptr = kmalloc(size ? size : 1, gfp);
	if (!ptr) {
		atomic_long_inc(&failed_allocs);
		return NULL;
	}
	if (WARN_ON_ONCE(align && !IS_ALIGNED((unsigned long)ptr, align))) {
		kfree(ptr);
		atomic_long_inc(&failed_allocs);
		return NULL;
	}
	atomic_long_inc(&live_allocs);
	atomic_long_add(ksize(ptr), &live_bytes);
	atomic_long_inc(&total_allocs);
	return ptr;
}

void xk_free(void *ptr)
{
	if (!ptr)
		return;
	atomic_long_dec(&live_allocs);
	atomic_long_sub(ksize(ptr), &live_bytes);
	atomic_long_inc(&total_frees);
	kfree(ptr);
}

void xk_memory_stats_read(struct xk_memory_stats *out)
{
	out->live_allocs = atomic_long_read(&live_allocs);
	out->live_bytes = atomic_long_read(&live_bytes);
	out->total_allocs = atomic_long_read(&total_allocs);
	out->total_frees = atomic_long_read(&total_frees);
	out->failed_allocs = atomic_long_read(&failed_allocs);
}

/* ---- large allocations --------------------------------------------------- */

/*
 * Each large allocation starts with its size, so that freeing it counts
 * its bytes out again (vmalloc memory has no ksize()). Never the OOM
 * killer and never a WARN: a request the allocator cannot serve (or one
 * beyond INT_MAX, which kvmalloc() refuses) fails with NULL.
 */
struct large_header {
	size_t size;
} __aligned(16);

void *xk_alloc_large(size_t size)
{
	struct large_header *h = NULL;

	might_sleep();
	if (size <= INT_MAX - sizeof(*h))
		h = kvmalloc(sizeof(*h) + size, GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	if (!h) {
		atomic_long_inc(&failed_allocs);
		return NULL;
	}
	h->size = sizeof(*h) + size;
	atomic_long_inc(&live_allocs);
	atomic_long_add(h->size, &live_bytes);
	atomic_long_inc(&total_allocs);
	return h + 1;
}

void xk_free_large(void *ptr)
{
	struct large_header *h;

	if (!ptr)
		return;
	h = (struct large_header *)ptr - 1;
	atomic_long_dec(&live_allocs);
	atomic_long_sub(h->size, &live_bytes);
	atomic_long_inc(&total_frees);
	kvfree(h);
}
