// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU memory (alloc_percpu).
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/percpu.h>

#include "bridge.h"


/* ---- per-CPU memory ---------------------------------------------------------------- */

void *xk_percpu_alloc(size_t size, size_t align)
{
	return (void __force *)__alloc_percpu(size, align);
}

void xk_percpu_free(void *pcp) { free_percpu((void __percpu __force *)pcp); }
void *xk_per_cpu_ptr(void *pcp, int cpu) { return per_cpu_ptr((void __percpu __force *)pcp, cpu); }
void *xk_this_cpu_ptr(void *pcp) { return this_cpu_ptr((void __percpu __force *)pcp); }
const unsigned long *xk_per_cpu_offsets(void) { return &per_cpu_offset(0); }
