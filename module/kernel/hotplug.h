// SPDX-License-Identifier: GPL-2.0
// A CPU hotplug state (cpuhp, CPUHP_AP_ONLINE_DYN) with typed callbacks,
// removed by the destructor.
//
//   HotplugState state;
//   state.add<&Owner::cpu_online, &Owner::cpu_offline>("xcall:thing", owner);
//
// Adding calls Online(cpu) for every CPU already online; removing calls
// Offline(cpu) for each. Both run in the CPU's hotplug thread (task
// context, on that CPU, may sleep) and return 0 or -errno; a failing
// Online stops the CPU from coming up (and fails add() for the CPUs
// already online). @name must have static storage (cpuhp keeps it).
#pragma once

#include <cxxrt/utility.h>

#include "bridge/bridge.h"
#include "xcall_kstructs.h"

namespace xcall {

class HotplugState : cxxrt::Pinned {
public:
	HotplugState() noexcept = default;
	~HotplugState() { remove(); }

	template <auto Online, auto Offline, typename Owner>
	[[nodiscard]] int add(const char *name, Owner &owner) noexcept
	{
		if (added_)
			return -XK_EEXIST;
		int err = xk_cpuhp_add(storage_, name, &thunk<Owner, Online>, &thunk<Owner, Offline>, &owner);
		added_ = err == 0;
		return err;
	}

	void remove() noexcept
	{
		if (cxxrt::exchange(added_, false))
			xk_cpuhp_remove(storage_);
	}

private:
	template <typename Owner, auto Member>
	static int thunk(void *ctx, unsigned int cpu) noexcept
	{
		return (static_cast<Owner *>(ctx)->*Member)(cpu);
	}

	alignas(XCALL_ALIGNOF_XK_CPUHP) unsigned char storage_[XCALL_SIZEOF_XK_CPUHP];
	bool added_ = false;
};

}  // namespace xcall
