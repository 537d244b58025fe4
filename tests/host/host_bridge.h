// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <atomic>

#include "bridge/bridge.h"

// Makes the next xk_alloc() fail, to test allocation-failure paths.
void host_bridge_fail_next_alloc();

inline long host_live_allocs()
{
	xk_memory_stats stats;
	xk_memory_stats_read(&stats);
	return stats.live_allocs;
}
