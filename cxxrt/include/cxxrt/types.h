// SPDX-License-Identifier: GPL-2.0
// Fundamental types for freestanding C++, from the compiler's own macros:
// no C library header is needed (or reachable: kernel C++ builds with -nostdinc).
#pragma once

namespace cxxrt {

using size_t = __SIZE_TYPE__;
using ptrdiff_t = __PTRDIFF_TYPE__;
using uintptr_t = __UINTPTR_TYPE__;
using nullptr_t = decltype(nullptr);

using int8_t = __INT8_TYPE__;
using int16_t = __INT16_TYPE__;
using int32_t = __INT32_TYPE__;
using int64_t = __INT64_TYPE__;
using uint8_t = __UINT8_TYPE__;
using uint16_t = __UINT16_TYPE__;
using uint32_t = __UINT32_TYPE__;
using uint64_t = __UINT64_TYPE__;

}  // namespace cxxrt
