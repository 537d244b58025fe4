// SPDX-License-Identifier: GPL-2.0
#include "knobs/selftest_knob.h"

namespace xcall {

int SelfTestKnob::create(DebugfsDir &dir) noexcept
{
	selftest_state_create();
	state_created_ = true;
	return file_.create<&SelfTestKnob::show, &SelfTestKnob::store>(dir, "selftest", *this);
}

SelfTestKnob::~SelfTestKnob()
{
	file_.remove();	// waits for a run in progress
	if (cxxrt::exchange(state_created_, false))
		selftest_state_destroy();
}

int SelfTestKnob::show(Text &out) noexcept
{
	return last_run_.with([&](LastRun &run) {
		for (cxxrt::size_t i = 0; i < run.count; i++) {
			const Result &r = run.results[i];
			if (r.check.passed())
				out.printf("ok %s\n", r.test->name);
			else
				out.printf("not ok %s: %s\n", r.test->name, r.check.message());
		}
		return 0;
	});
}

int SelfTestKnob::store(cxxrt::StringView input) noexcept
{
	cxxrt::StringView name = input.trimmed();
	bool all = name == "all";
	bool known = all;
	cxxrt::size_t total = 0;
	for_each_case([&](const SelfTestCase &test) {
		known |= name == test.name;
		total++;
	});
	if (total > max_cases)
		return -XK_ENOSPC;
	if (!known)
		return -XK_EINVAL;

	return last_run_.with([&](LastRun &run) {
		run.count = 0;
		for_each_case([&](const SelfTestCase &test) {
			if (!all && !(name == test.name))
				return;
			Result &r = run.results[run.count++];
			r.test = &test;
			r.check = Check();
			test.run(r.check, env_);
			if (!r.check.passed())
				xk_log(XK_LOG_INFO, "selftest %s failed: %s", test.name, r.check.message());
		});
		return 0;
	});
}

}  // namespace xcall
