// SPDX-License-Identifier: GPL-2.0
// The selftest knob: runs the in-kernel self-tests (selftest/) from debugfs.
//
//   echo all > /sys/kernel/debug/xcall/selftest     (or one case's name)
//   cat /sys/kernel/debug/xcall/selftest
//   ok virtual_dispatch
//   not ok new_delete_atomic: live allocations 3, expected 2
//
// The write runs the cases in the writer's context, one run at a time, and
// fails with -EINVAL for an unknown name; a read shows the last run's
// results, one per line.
#pragma once

#include <cxxrt/string_view.h>

#include "kernel/debugfs.h"
#include "kernel/sync.h"
#include "selftest/selftest.h"

namespace xcall {

class SelfTestKnob : cxxrt::Pinned {
public:
	explicit SelfTestKnob(RemoteQueue &queue) noexcept : env_{queue} {}
	~SelfTestKnob();

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
								  queue_selftests(), client_api_selftests()};
		for (auto suite : suites)
			for (const SelfTestCase &test : suite)
				f(test);
	}

	int show(Text &out) noexcept;
	int store(cxxrt::StringView input) noexcept;

	SelfTestEnv env_;
	bool state_created_ = false;
	Protected<LastRun> last_run_;
	DebugfsFile file_;	// after the state its handlers use
};

}  // namespace xcall
