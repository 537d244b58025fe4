// SPDX-License-Identifier: GPL-2.0
#include "knobs/torture_knob.h"

#include "knobs/knob_args.h"

namespace xcall {

int TortureKnob::create(DebugfsDir &dir) noexcept
{
	return file_.create<&TortureKnob::show, &TortureKnob::store>(dir, "torture", *this);
}

int TortureKnob::store(cxxrt::StringView input) noexcept
{
	cxxrt::StringView word = input.next_token();
	if (word == "stop") {
		if (!input.trimmed().empty())
			return -XK_EINVAL;
		torture_.with([](Torture &t) { t.stop(); });
		return 0;
	}
	if (word != "start")
		return -XK_EINVAL;
	static constexpr const char *keys[] = {"seconds", "hotplug"};
	KnobArgs args(keys);
	int err = args.parse(input);
	if (err)
		return err;
	unsigned long long seconds = args.number(0, 0, &err);
	unsigned long long hotplug = args.number(1, 1, &err);
	if (err || seconds == 0 || hotplug > 1)
		return -XK_EINVAL;
	if (seconds > max_seconds)
		return -XK_E2BIG;
	TortureConfig config;
	config.seconds = unsigned(seconds);
	config.hotplug = hotplug == 1;
	return torture_.with([&](Torture &t) { return t.start(config); });
}

int TortureKnob::show(Text &out) noexcept
{
	torture_.with([&](Torture &t) { t.report(out); });
	return 0;
}

}  // namespace xcall
