// SPDX-License-Identifier: GPL-2.0
// The C++ ABI symbols g++ may emit for xcall's code, each defined once.
// Kernel only: in a hosted program the C++ library and crt files own them.
//
// Not here on purpose:
//  - __cxa_atexit/atexit: -fno-use-cxa-atexit plus the static-storage rule
//    (cxxrt/manual_lifetime.h) mean no exit-time destructor is registered.
//  - __cxa_guard_*: -fno-threadsafe-statics, and guard variables are refused
//    by scripts/check-ko (a function-local static with a dynamic initialiser
//    is a static object with a constructor, which this module cannot have).
//  - __gxx_personality_v0, _Unwind_*: -fno-exceptions.
//  - typeinfo: -fno-rtti.
//  - operator new(size_t): see cxxrt/new.h, every allocation names a context.
#include <cxxrt/lifetime.h>

#include "bridge/bridge.h"

extern "C" {

// Named by the compiler, not by a header: declared here for
// -Wmissing-declarations (part of KBUILD_CFLAGS since 6.12).
void __cxa_pure_virtual();
void __cxa_deleted_virtual();

// A call through a vtable slot whose function is pure: a constructor or
// destructor called a virtual function of its own abstract class.
void __cxa_pure_virtual() { xk_bug("pure virtual function called"); }
void __cxa_deleted_virtual() { xk_bug("deleted virtual function called"); }

// The identity of this "shared object", referenced by any atexit-style
// registration; constant-initialised, so it needs no constructor itself.
__attribute__((visibility("hidden"))) void *__dso_handle = &__dso_handle;


#if defined(__SANITIZE_THREAD__)
// Under KCSAN (-fsanitize=thread) g++ reports stores to an object's vtable
// pointer, which the kernel's KCSAN runtime does not provide. They happen
// only while an object is constructed or destroyed, when no other CPU may
// use it: nothing to check.
void __tsan_vptr_update(void **vptr, void *new_value);	// named by the compiler
void __tsan_vptr_update(void **vptr, void *new_value) { (void)vptr, (void)new_value; }
#endif

}  // extern "C"

// Declared in namespace cxxrt with C linkage: the qualified name defines
// that declaration (an unqualified one would not count as its definition
// for -Wmissing-declarations).
void cxxrt::cxxrt_lifetime_violation(const char *what) noexcept { xk_bug(what); }
