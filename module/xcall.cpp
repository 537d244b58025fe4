// SPDX-License-Identifier: GPL-2.0
// The module: its one object, brought alive by module init and destroyed by
// module exit (see cxxrt/manual_lifetime.h for why nothing is a static
// object with a constructor).
#include <cxxrt/manual_lifetime.h>

#include <cxxrt/atomic.h>

#include "bench.h"
#include "bridge.h"
#include "cpus.h"
#include "debugfs.h"
#include "hotplug.h"
#include "queue_knobs.h"
#include "remote_queue.h"
#include "refusal.h"
#include "selftest.h"

namespace xcall {
namespace {

class Module : cxxrt::Pinned {
public:
	// Returns 0 or -errno; on failure the destructor undoes what was done.
	int init() noexcept
	{
		int err = dir_.create("xcall");
		if (!err)
			err = queue_.start();
		if (!err)
			err = queue_knobs_.create(dir_);
		if (!err)
			err = hotplug_.add<&Module::cpu_online, &Module::cpu_offline>("xcall:events", *this);
		if (!err)
			err = memory_file_.create<&Module::show_memory, nullptr>(dir_, "memory", *this);
		if (!err)
			err = hotplug_file_.create<&Module::show_hotplug, nullptr>(dir_, "hotplug", *this);
		if (!err)
			err = refusals_file_.create<&Module::show_refusals, nullptr>(dir_, "refusals", *this);
		if (!err)
			err = selftest_.create(dir_);
		if (!err)
			err = bench_.create(dir_);
		return err;
	}

	RemoteQueue &queue() noexcept { return queue_; }

private:
	// /sys/kernel/debug/xcall/memory: the bridge's allocation counters.
	int show_memory(Text &out) noexcept
	{
		xk_memory_stats stats;
		xk_memory_stats_read(&stats);
		out.printf("live_allocs %ld\nlive_bytes %ld\ntotal_allocs %ld\ntotal_frees %ld\nfailed_allocs %ld\n",
			   stats.live_allocs, stats.live_bytes, stats.total_allocs, stats.total_frees,
			   stats.failed_allocs);
		return 0;
	}

	// CPU hotplug events seen since load, per CPU (the callbacks run in
	// each CPU's hotplug thread; readers see them through atomics).
	int cpu_online(unsigned cpu) noexcept
	{
		cxxrt::atomic_add(online_events_[cpu], 1);
		return 0;
	}
	int cpu_offline(unsigned cpu) noexcept
	{
		cxxrt::atomic_add(offline_events_[cpu], 1);
		return 0;
	}
	// /sys/kernel/debug/xcall/hotplug: "cpu online offline", one row per
	// possible CPU. Loading counts one online event per online CPU.
	int show_hotplug(Text &out) noexcept
	{
		out.printf("cpu online offline\n");
		possible_cpus().for_each([&](int cpu) {
			out.printf("%d %lu %lu\n", cpu, cxxrt::read_once(online_events_[cpu]),
				   cxxrt::read_once(offline_events_[cpu]));
		});
		return 0;
	}
	int show_refusals(Text &out) noexcept { return xcall::show_refusals(out); }

	unsigned long online_events_[XK_MAX_CPUS] = {};
	unsigned long offline_events_[XK_MAX_CPUS] = {};

	// Members are destroyed in reverse: files go before the directory, and
	// each file before the state its handlers use.
	DebugfsDir dir_;
	RemoteQueue queue_;
	QueueKnobs queue_knobs_{queue_};	// after the queue: removed before it
	HotplugState hotplug_;
	SelfTestKnob selftest_;
	BenchKnob bench_;
	DebugfsFile memory_file_;
	DebugfsFile hotplug_file_;
	DebugfsFile refusals_file_;
};

constinit cxxrt::ManualLifetime<Module> the_module;

}  // namespace

RemoteQueue &module_queue() noexcept { return the_module->queue(); }

}  // namespace xcall

extern "C" int xcall_cxx_init() noexcept
{
	using xcall::the_module;

	xcall::selftest_module_init();
	int err = the_module.construct().init();
#ifdef XCALL_FAULT_LEAK_AT_INIT
	// Fault injection for tests/harness.sh only: proves that a leaked
	// allocation makes the guest suite fail. Never set in a real build.
	(void)new (cxxrt::may_sleep) char[24];
#endif
	if (err) {
		the_module.destroy();
		xcall::selftest_module_exit();
		xk_log(XK_LOG_ERR, "init failed: %d", err);
	}
	return err;
}

extern "C" void xcall_cxx_exit() noexcept
{
	xcall::the_module.destroy();
	xcall::selftest_module_exit();
}
