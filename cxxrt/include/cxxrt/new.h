// SPDX-License-Identifier: GPL-2.0
// Allocation in kernel C++: every `new` names its allocation context.
//
//   auto *p = new (cxxrt::may_sleep) Foo(args);      // GFP_KERNEL
//   auto *q = new (cxxrt::atomic_context) Bar;        // GFP_ATOMIC
//   if (!p) return -ENOMEM;                           // never throws
//
// The plain `new T` is deliberately not provided in the kernel: the module
// would not link (its undefined-symbol check names _Znwm), so a caller can
// never allocate without saying whether it may sleep. `delete` works as
// usual (sized and aligned forms included) and frees through the bridge.
// The compiler is told kmalloc's real minimum alignment (-faligned-new=8),
// so over-aligned types use the aligned forms automatically.
#pragma once

#include <cxxrt/types.h>

#if __STDC_HOSTED__
#include <new>	// hosted builds (host unit tests): the library's own
#else
namespace std {
enum class align_val_t : cxxrt::size_t {};
}
[[nodiscard]] inline void *operator new(cxxrt::size_t, void *where) noexcept { return where; }
[[nodiscard]] inline void *operator new[](cxxrt::size_t, void *where) noexcept { return where; }
inline void operator delete(void *, void *) noexcept {}
inline void operator delete[](void *, void *) noexcept {}
#endif

namespace cxxrt {

enum class AllocContext : unsigned char {
	MaySleep = 0,	// process context; the allocator may sleep (GFP_KERNEL)
	Atomic = 1,	// must not sleep (GFP_ATOMIC); not from hard IRQ on PREEMPT_RT
};
inline constexpr AllocContext may_sleep = AllocContext::MaySleep;
inline constexpr AllocContext atomic_context = AllocContext::Atomic;

}  // namespace cxxrt

// Context-tagged forms: noexcept, so a failed allocation yields nullptr and
// no constructor runs.
[[nodiscard]] void *operator new(cxxrt::size_t size, cxxrt::AllocContext ctx) noexcept;
[[nodiscard]] void *operator new[](cxxrt::size_t size, cxxrt::AllocContext ctx) noexcept;
[[nodiscard]] void *operator new(cxxrt::size_t size, std::align_val_t align, cxxrt::AllocContext ctx) noexcept;
[[nodiscard]] void *operator new[](cxxrt::size_t size, std::align_val_t align, cxxrt::AllocContext ctx) noexcept;

// Matching placement deletes; only called if a constructor could throw,
// which it cannot here (-fno-exceptions), but declared for completeness.
void operator delete(void *ptr, cxxrt::AllocContext) noexcept;
void operator delete[](void *ptr, cxxrt::AllocContext) noexcept;
void operator delete(void *ptr, std::align_val_t, cxxrt::AllocContext) noexcept;
void operator delete[](void *ptr, std::align_val_t, cxxrt::AllocContext) noexcept;

#if !__STDC_HOSTED__
// The usual deallocation functions: what `delete p` calls.
void operator delete(void *ptr) noexcept;
void operator delete[](void *ptr) noexcept;
void operator delete(void *ptr, cxxrt::size_t size) noexcept;
void operator delete[](void *ptr, cxxrt::size_t size) noexcept;
void operator delete(void *ptr, std::align_val_t align) noexcept;
void operator delete[](void *ptr, std::align_val_t align) noexcept;
void operator delete(void *ptr, cxxrt::size_t size, std::align_val_t align) noexcept;
void operator delete[](void *ptr, cxxrt::size_t size, std::align_val_t align) noexcept;
#endif
