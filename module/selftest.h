// SPDX-License-Identifier: GPL-2.0
// In-kernel self-tests, run from debugfs:
//
//   echo all > /sys/kernel/debug/xcall/selftest     (or one case's name)
//   cat /sys/kernel/debug/xcall/selftest
//   ok virtual_dispatch
//   not ok new_delete_atomic: live allocations 3, expected 2
//
// The write runs the cases in the writer's context and fails with -EINVAL
// for an unknown name; a read shows the last run's results, one per line.
#pragma once

#include <cxxrt/span.h>
#include <cxxrt/string_view.h>

#include "cpus.h"
#include "debugfs.h"
#include "sync.h"

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
		__builtin_ia32_pause();
	}
	return true;
}

// Some online CPU other than @cpu, or -1.
inline int other_online_cpu(int cpu) noexcept
{
	int found = -1;
	online_cpus().for_each([&](int c) {
		if (found < 0 && c != cpu)
			found = c;
	});
	return found;
}

struct SelfTestCase {
	const char *name;
	void (*run)(Check &check);
};

// The cases of cxxrt (selftest.cpp) and of the kernel-primitive types
// (primitives_selftest.cpp).
cxxrt::Span<const SelfTestCase> runtime_selftests() noexcept;
cxxrt::Span<const SelfTestCase> primitive_selftests() noexcept;
cxxrt::Span<const SelfTestCase> queue_selftests() noexcept;	// queue_selftest.cpp

// Called by module init, before the selftest file exists: gives the
// static-storage case an object that only module init can bring alive.
// Cases run one at a time (the knob's lock), in the writer's context.
void selftest_module_init() noexcept;
void selftest_module_exit() noexcept;

class SelfTestKnob : cxxrt::Pinned {
public:
	[[nodiscard]] int create(DebugfsDir &dir) noexcept;

private:
	static constexpr cxxrt::size_t max_cases = 64;
	struct Result {
		const SelfTestCase *test = nullptr;
		Check check;
	};
	struct LastRun {
		Result results[max_cases];
		cxxrt::size_t count = 0;
	};

	template <typename F>
	static void for_each_case(F &&f)
	{
		const cxxrt::Span<const SelfTestCase> suites[] = {runtime_selftests(), primitive_selftests(),
								  queue_selftests()};
		for (auto suite : suites)
			for (const SelfTestCase &test : suite)
				f(test);
	}

	int show(Text &out) noexcept;
	int store(cxxrt::StringView input) noexcept;

	Protected<LastRun> last_run_;
	DebugfsFile file_;	// after the state its handlers use
};

}  // namespace xcall
