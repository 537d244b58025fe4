// SPDX-License-Identifier: GPL-2.0
// What the threaded host tests share: how many rounds to run (TSan runs
// are slower, and see a race in one round as well as in five) and a wait
// that yields now and then, since under load the thread waited for may
// need this CPU.
#pragma once

#include <cxxrt/atomic.h>

#include <thread>

namespace host {

#if defined(__SANITIZE_THREAD__)
constexpr int scale = 1;
#else
constexpr int scale = 5;
#endif

template <typename Cond>
void spin_until(Cond cond)
{
	for (unsigned i = 1; !cond(); i++) {
		if (i % 1024 == 0)
			std::this_thread::yield();
		else
			cxxrt::cpu_relax();
	}
}

}  // namespace host
