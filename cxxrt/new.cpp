// SPDX-License-Identifier: GPL-2.0
// operator new/delete over the bridge's counted allocator (bridge/bridge.h).
// Built into the module and into the host unit tests, where a test double of
// xk_alloc/xk_free stands in for kmalloc.
#include <cxxrt/new.h>

#include "bridge/bridge.h"

namespace {

xk_alloc_context to_bridge(cxxrt::AllocContext ctx)
{
	return ctx == cxxrt::AllocContext::Atomic ? XK_ATOMIC : XK_MAY_SLEEP;
}

}  // namespace

void *operator new(cxxrt::size_t size, cxxrt::AllocContext ctx) noexcept
{
	return xk_alloc(size, 0, to_bridge(ctx));
}
void *operator new[](cxxrt::size_t size, cxxrt::AllocContext ctx) noexcept
{
	return xk_alloc(size, 0, to_bridge(ctx));
}
void *operator new(cxxrt::size_t size, std::align_val_t align, cxxrt::AllocContext ctx) noexcept
{
	return xk_alloc(size, static_cast<cxxrt::size_t>(align), to_bridge(ctx));
}
void *operator new[](cxxrt::size_t size, std::align_val_t align, cxxrt::AllocContext ctx) noexcept
{
	return xk_alloc(size, static_cast<cxxrt::size_t>(align), to_bridge(ctx));
}

void operator delete(void *ptr, cxxrt::AllocContext) noexcept { xk_free(ptr); }
void operator delete[](void *ptr, cxxrt::AllocContext) noexcept { xk_free(ptr); }
void operator delete(void *ptr, std::align_val_t, cxxrt::AllocContext) noexcept { xk_free(ptr); }
void operator delete[](void *ptr, std::align_val_t, cxxrt::AllocContext) noexcept { xk_free(ptr); }

// The usual deallocation functions. In the host tests these replace the C++
// library's, so every allocation the process makes is freed consistently.
void operator delete(void *ptr) noexcept { xk_free(ptr); }
void operator delete[](void *ptr) noexcept { xk_free(ptr); }
void operator delete(void *ptr, cxxrt::size_t) noexcept { xk_free(ptr); }
void operator delete[](void *ptr, cxxrt::size_t) noexcept { xk_free(ptr); }
void operator delete(void *ptr, std::align_val_t) noexcept { xk_free(ptr); }
void operator delete[](void *ptr, std::align_val_t) noexcept { xk_free(ptr); }
void operator delete(void *ptr, cxxrt::size_t, std::align_val_t) noexcept { xk_free(ptr); }
void operator delete[](void *ptr, cxxrt::size_t, std::align_val_t) noexcept { xk_free(ptr); }
