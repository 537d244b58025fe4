// SPDX-License-Identifier: GPL-2.0
// All of xcall's C++ as one translation unit.
//
// Why: an inline function or template instance used by two objects is
// emitted in a COMDAT group in each, and the module link keeps one copy. But
// the kernel's per-object metadata (objtool's .return_sites, .retpoline_sites
// and ORC tables, ftrace's __mcount_loc) lives outside those groups and keeps
// pointing into the discarded copy: the link fails ("defined in discarded
// section") or, worse, the module loads with bad entries (apply_returns()
// WARNs "missing return thunk"). With one object there is never a second copy.
//
// Each file below still stands alone (its own includes); names in their
// anonymous namespaces must not collide, which the compiler enforces.
#include "cxxrt/abi.cpp"
#include "cxxrt/new.cpp"

#include "kernel/debugfs.cpp"
#include "kernel/refusal.cpp"

#include "queue/remote_queue.cpp"

#include "selftest/primitives_selftest.cpp"
#include "selftest/queue_selftest.cpp"
#include "selftest/runtime_selftest.cpp"
#include "selftest/api_selftest.cpp"

#include "knobs/bench.cpp"
#include "knobs/litmus.cpp"
#include "knobs/queue_knobs.cpp"
#include "knobs/selftest_knob.cpp"

#include "api.cpp"
#include "torture/torture.cpp"
#include "knobs/torture_knob.cpp"

#include "xcall.cpp"
