// SPDX-License-Identifier: GPL-2.0
// The host stand-in for the kernel bridge's allocator (bridge/bridge.h), so
// cxxrt/new.cpp runs unchanged in userspace: malloc-backed, counted like the
// kernel's. The plain operator new forms are replaced here too, so that
// every allocation in the test process (GoogleTest's included) goes through
// one allocator and cxxrt's operator delete frees it consistently.
#include "host_bridge.h"

#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> live_allocs, total_allocs, total_frees, failed_allocs;
std::atomic<bool> fail_next;
}  // namespace

void host_bridge_fail_next_alloc() { fail_next = true; }

extern "C" void *xk_alloc(xk_size_t size, xk_size_t align, xk_alloc_context) noexcept
{
	if (fail_next.exchange(false) || (align & (align - 1))) {
		failed_allocs++;
		return nullptr;
	}
	void *ptr;
	if (align > alignof(std::max_align_t)) {
		size = (size + align - 1) / align * align;
		ptr = std::aligned_alloc(align, size ? size : align);
	} else {
		ptr = std::malloc(size ? size : 1);
	}
	if (!ptr) {
		failed_allocs++;
		return nullptr;
	}
	live_allocs++;
	total_allocs++;
	return ptr;
}

extern "C" void xk_free(void *ptr) noexcept
{
	if (!ptr)
		return;
	live_allocs--;
	total_frees++;
	std::free(ptr);
}

extern "C" void xk_memory_stats_read(xk_memory_stats *out) noexcept
{
	out->live_allocs = live_allocs;
	out->live_bytes = 0;	// not tracked on the host
	out->total_allocs = total_allocs;
	out->total_frees = total_frees;
	out->failed_allocs = failed_allocs;
}

extern "C" int xk_snprintf(char *buf, xk_size_t size, const char *fmt, ...) noexcept
{
	va_list args;
	va_start(args, fmt);
	int n = std::vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

// The kernel's cpumask width: what a host CpuMask() is sized for.
extern "C" unsigned int xk_cpumask_bits() noexcept { return 1024; }

extern "C" void cxxrt_lifetime_violation(const char *what) noexcept
{
	std::fprintf(stderr, "cxxrt_lifetime_violation: %s\n", what);
	std::abort();
}

// Replacements for the hosted library's allocation functions.
void *operator new(std::size_t size)
{
	if (void *p = xk_alloc(size, 0, XK_MAY_SLEEP))
		return p;
	throw std::bad_alloc();
}
void *operator new[](std::size_t size) { return operator new(size); }
void *operator new(std::size_t size, std::align_val_t align)
{
	if (void *p = xk_alloc(size, static_cast<std::size_t>(align), XK_MAY_SLEEP))
		return p;
	throw std::bad_alloc();
}
void *operator new[](std::size_t size, std::align_val_t align) { return operator new(size, align); }
void *operator new(std::size_t size, const std::nothrow_t &) noexcept { return xk_alloc(size, 0, XK_MAY_SLEEP); }
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept { return xk_alloc(size, 0, XK_MAY_SLEEP); }
