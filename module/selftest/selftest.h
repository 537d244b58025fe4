// SPDX-License-Identifier: GPL-2.0
// In-kernel self-tests: each case checks one behaviour in the kernel and
// says what it found. The selftest knob (knobs/selftest_knob.h) runs them.
#pragma once

#include <cxxrt/atomic.h>
#include <cxxrt/span.h>

#include "kernel/cpus.h"

namespace xcall {

// What one case found: it passes unless a check failed; the first failure's
// message is kept.
class Check {
public:
	template <typename... Args>
	bool expect(bool ok, const char *fmt, Args... args) noexcept
	{
		if (!ok && passed_) {
			passed_ = false;
			xk_snprintf(message_, sizeof(message_), fmt, args...);
		}
		return ok;
	}
	bool passed() const noexcept { return passed_; }
	const char *message() const noexcept { return message_; }

private:
	bool passed_ = true;
	char message_[120] = {};
};

// Spins (never sleeps) until @done() or about @ms milliseconds have passed;
// returns whether @done() became true. Bounded, so that a failing case
// reports instead of wedging the machine.
template <typename F>
bool spin_until(F done, unsigned ms = 2000) noexcept
{
	unsigned long long deadline = xk_clock_ns() + ms * 1000000ULL;
	while (!done()) {
		if (xk_clock_ns() > deadline)
			return false;
		cxxrt::cpu_relax();
	}
	return true;
}

// Some online CPU other than @cpu, or -1.
inline int other_online_cpu(int cpu) noexcept
{
	int found = -1;
	for_each_online_cpu([&](int c) {
		if (found < 0 && c != cpu)
			found = c;
	});
	return found;
}

class RemoteQueue;

// What a case runs against: the module's objects it tests.
struct SelfTestEnv {
	RemoteQueue &queue;
};

struct SelfTestCase {
	const char *name;
	void (*run)(Check &check, const SelfTestEnv &env);
};

// The cases of cxxrt (runtime_selftest.cpp), of the kernel-primitive types
// (primitives_selftest.cpp) and of the merged queue (queue_selftest.cpp).
cxxrt::Span<const SelfTestCase> runtime_selftests() noexcept;
cxxrt::Span<const SelfTestCase> primitive_selftests() noexcept;
cxxrt::Span<const SelfTestCase> queue_selftests() noexcept;
// The C API for client modules (api_selftest.cpp).
cxxrt::Span<const SelfTestCase> client_api_selftests() noexcept;

// Whoever runs the cases brings this state alive first, in process context
// (the static-storage case needs an object that only module init can
// construct), and ends it after the last run.
void selftest_state_create() noexcept;
void selftest_state_destroy() noexcept;
void primitive_selftests_release() noexcept;	// called by selftest_state_destroy()

}  // namespace xcall
