// SPDX-License-Identifier: GPL-2.0
// The one way cxxrt and its users report an object used outside its
// lifetime (constructed twice, destroyed while the kernel still holds it):
// a kernel BUG in the module (cxxrt/abi.cpp), abort() in the host tests.
#pragma once

namespace cxxrt {

// Never returns.
extern "C" void cxxrt_lifetime_violation(const char *what) noexcept;

}  // namespace cxxrt
