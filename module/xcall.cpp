// SPDX-License-Identifier: GPL-2.0
// The module: its one object, brought alive by module init and destroyed by
// module exit (see cxxrt/manual_lifetime.h for why nothing is a static
// object with a constructor).
#include <cxxrt/manual_lifetime.h>

#include <cxxrt/atomic.h>

#include "bridge/bridge.h"
#include "kernel/cpus.h"
#include "kernel/debugfs.h"
#include "kernel/hotplug.h"
#include "kernel/percpu.h"
#include "kernel/refusal.h"
#include "knobs/bench.h"
#include "knobs/litmus.h"
#include "knobs/queue_knobs.h"
#include "knobs/selftest_knob.h"
#include "knobs/torture_knob.h"
#include "queue/remote_queue.h"
#include "api.h"

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
			err = hotplug_events_.create();
		if (!err)
			err = hotplug_.add<&Module::cpu_online, &Module::cpu_offline>("xcall:events", *this);
		if (!err)
			err = memory_file_.create<&Module::show_memory, nullptr>(dir_, "memory", *this);
		if (!err)
			err = hotplug_file_.create<&Module::show_hotplug, nullptr>(dir_, "hotplug", *this);
		if (!err)
			err = refusals_file_.create<&Module::show_refusals, nullptr>(dir_, "refusals", *this);
		if (!err)
			err = drains_file_.create<&Module::show_drains, nullptr>(dir_, "drains", *this);
		if (!err)
			err = selftest_.create(dir_);
		if (!err)
			err = bench_.create(dir_);
		if (!err)
			err = litmus_.create(dir_);
		if (!err)
			err = torture_.create(dir_);
		if (!err)
			client_api_.attach();
		return err;
	}

	// Unload: runs before the members' destructors, which wait for the
	// queue's items (the knobs' batches first).
	~Module() { queue_.prepare_unload(); }

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
		cxxrt::atomic_add(hotplug_events_.on(int(cpu)).online, 1UL);
		return 0;
	}
	int cpu_offline(unsigned cpu) noexcept
	{
		cxxrt::atomic_add(hotplug_events_.on(int(cpu)).offline, 1UL);
		return 0;
	}
	// /sys/kernel/debug/xcall/hotplug: "cpu online offline", one row per
	// possible CPU. Loading counts one online event per online CPU.
	int show_hotplug(Text &out) noexcept
	{
		out.printf("cpu online offline\n");
		for_each_possible_cpu([&](int cpu) {
			const HotplugEvents &e = hotplug_events_.on(cpu);
			out.printf("%d %lu %lu\n", cpu, cxxrt::read_once(e.online), cxxrt::read_once(e.offline));
		});
		return 0;
	}
	int show_refusals(Text &out) noexcept { return xcall::show_refusals(out); }

	// /sys/kernel/debug/xcall/drains: the queue's drain budget, then per
	// online CPU the drains that ran nodes, those cut short by the budget
	// and the most nodes one ran; "all" sums (max: the largest) over every
	// possible CPU. Zeroed by the reset file with the statistics.
	int show_drains(Text &out) noexcept
	{
		out.printf("budget %u\ncpu drains cut max_nodes\n", RemoteQueue::drain_budget);
		CpuStats::Drains all = {};
		for_each_possible_cpu([&](int cpu) {
			CpuStats::Drains d = queue_.drains(cpu);
			if (xcall::cpu_online(cpu))	// not the hotplug callback below
				out.printf("%d %lu %lu %lu\n", cpu, d.drains, d.cut, d.max_nodes);
			all.drains += d.drains;
			all.cut += d.cut;
			if (d.max_nodes > all.max_nodes)
				all.max_nodes = d.max_nodes;
		});
		out.printf("all %lu %lu %lu\n", all.drains, all.cut, all.max_nodes);
		return 0;
	}

	struct HotplugEvents {
		unsigned long online = 0, offline = 0;
	};
	PerCpu<HotplugEvents> hotplug_events_;	// per possible CPU, not per NR_CPUS

	// Members are destroyed in reverse: files go before the directory, and
	// each file before the state its handlers use.
	DebugfsDir dir_;
	RemoteQueue queue_;
	QueueKnobs queue_knobs_{queue_};	// after the queue: removed before it
	HotplugState hotplug_;
	SelfTestKnob selftest_{queue_};
	BenchKnob bench_{queue_};
	LitmusKnob litmus_;	// its runs own their threads: done before the file goes
	DebugfsFile memory_file_;
	DebugfsFile hotplug_file_;
	DebugfsFile refusals_file_;
	DebugfsFile drains_file_;
	TortureKnob torture_{queue_};	// its run stops before the queue goes
	ClientApi client_api_{queue_};	// the C API's queue (api.h): detached first
};

constinit cxxrt::ManualLifetime<Module> the_module;

}  // namespace

}  // namespace xcall

// The module's entry points: what module_init()/module_exit() would name in
// C (the loader calls the symbols init_module and cleanup_module).
// busybox insmod retries with init_module(2) when finit_module(2) fails, so
// init may run twice in a row: a failed init undoes everything it did.
// Declared first: the kernel names them in no header C++ may see.
extern "C" int init_module() noexcept;
extern "C" void cleanup_module() noexcept;

extern "C" int init_module() noexcept
{
	using xcall::the_module;

	int err = xk_module_loading();
	if (err)
		return err;
	err = the_module.construct().init();
	if (err) {
		the_module.destroy();
		xk_log(XK_LOG_ERR, "init failed: %d", err);
	}
	return err;
}

extern "C" void cleanup_module() noexcept
{
	xcall::the_module.destroy();
	xk_module_unloaded();
}

// The loader calls both through a pointer. With IBT (Debian's 6.12) objtool
// seals the ENDBR of every function whose address no data holds, and an
// indirect call to a sealed one faults; objtool warns "not an indirect call
// target". C's module_init()/module_exit() take their addresses in init
// and exit data (___ADDRESSABLE); these do the same.
[[gnu::used, gnu::section(".init.data")]] static int (*init_module_address)() noexcept = init_module;
[[gnu::used, gnu::section(".exit.data")]] static void (*cleanup_module_address)() noexcept = cleanup_module;
