// SPDX-License-Identifier: GPL-2.0
// The torture knob: starts, stops and reports the in-kernel torture
// (torture/torture.h).
//
//   echo "start seconds=600 hotplug=1" > /sys/kernel/debug/xcall/torture
//   cat /sys/kernel/debug/xcall/torture     (progress, then the summary)
//   echo stop > /sys/kernel/debug/xcall/torture
//
// start returns once the threads run: -EBUSY while a run goes on, -EINVAL
// for a malformed command (seconds is required, 1..86400; hotplug 0 or 1).
// stop ends a run and waits for its threads (0 when none runs); unloading
// the module does the same.
#pragma once

#include <cxxrt/string_view.h>

#include "kernel/debugfs.h"
#include "kernel/sync.h"
#include "torture/torture.h"

namespace xcall {

class TortureKnob : cxxrt::Pinned {
public:
	static constexpr unsigned max_seconds = 86400;

	explicit TortureKnob(RemoteQueue &queue) noexcept : torture_(queue) {}
	~TortureKnob() { file_.remove(); }

	[[nodiscard]] int create(DebugfsDir &dir) noexcept;

private:
	int show(Text &out) noexcept;
	int store(cxxrt::StringView input) noexcept;

	Protected<Torture> torture_;
	DebugfsFile file_;	// after the torture: removed before it
};

}  // namespace xcall
