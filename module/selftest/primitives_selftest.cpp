// SPDX-License-Identifier: GPL-2.0
// In-kernel tests of the types over the kernel's cross-CPU primitives: for
// each, the function ran on the intended CPU, in the intended context, the
// expected number of times, saw the caller's writes and was seen by the
// caller; and each refused misuse returns its errno.
#include <cxxrt/atomic.h>
#include <cxxrt/function_ref.h>
#include <cxxrt/manual_lifetime.h>
#include <cxxrt/memory.h>

#include "kernel/calls.h"
#include "kernel/cpus.h"
#include "kernel/hotplug.h"
#include "kernel/irq_work.h"
#include "kernel/percpu.h"
#include "kernel/refusal.h"
#include "selftest/selftest.h"

namespace xcall {
namespace {

// What one run of a callback found about where it ran.
struct Where {
	int cpu = -1;
	Context context = Context::Task;
	char comm[16] = {};

	void record() noexcept
	{
		cpu = this_cpu();
		context = current_context();
		xk_current_comm(comm);
	}
};

// Where a cross-CPU call's function may run, as kernel/smp.c does it:
//  - a remote CPU: in hard IRQ (the IPI handler); or, if that CPU's idle
//    loop was polling, the kernel sends no IPI and the idle task runs the
//    queue itself, interrupts off (do_idle() -> flush_smp_call_function_queue());
//  - the calling CPU: directly, interrupts off, in the caller's context.
bool ran_where_expected(const Where &where, int target, int caller) noexcept
{
	if (target == caller)
		return where.context == Context::IrqsOffTask;
	if (where.context == Context::HardIrq)
		return true;
	return where.context == Context::IrqsOffTask && __builtin_strncmp(where.comm, "swapper/", 8) == 0;
}

// ---- call_on -----------------------------------------------------------------

void sync_call_runs_on_target(Check &check, const SelfTestEnv &)
{
	online_cpus().for_each([&](int cpu) {
		Where where;
		int runs = 0;
		long seen = 0, written = 0;
		long before = 1000 + cpu;	// written before the call
		PreemptGuard pinned;	// so "the caller's CPU" means one CPU
		int caller = this_cpu();
		int err = call_on(cpu, [&] {
			where.record();
			runs++;
			seen = before;
			written = 2000 + cpu;
		});
		check.expect(err == 0, "call_on(%d) returned %d", cpu, err);
		check.expect(runs == 1, "ran %d times on CPU %d", runs, cpu);
		check.expect(where.cpu == cpu, "asked for CPU %d, ran on %d", cpu, where.cpu);
		check.expect(ran_where_expected(where, cpu, caller), "on CPU %d ran in %s context (%s)", cpu,
			     context_name(where.context), where.comm);
		check.expect(seen == 1000 + cpu, "function saw %ld, not the caller's prior write", seen);
		check.expect(written == 2000 + cpu, "caller saw %ld, not the function's write", written);
	});
}

void sync_call_refused_with_irqs_off(Check &check, const SelfTestEnv &)
{
	unsigned long before = refusal_count(Misuse::CallWithIrqsOff);
	bool ran = false;
	int err;
	{
		IrqSaveGuard irqs_off;
		err = call_on(other_online_cpu(this_cpu()), [&] { ran = true; });
	}
	check.expect(err == -XK_EDEADLK, "returned %d, expected -EDEADLK", err);
	check.expect(!ran, "the function ran anyway");
	check.expect(refusal_count(Misuse::CallWithIrqsOff) == before + 1, "refusal not counted");
}

// The same to this CPU, which the bridge runs itself: refused all the same.
void sync_call_to_this_cpu_refused_with_irqs_off(Check &check, const SelfTestEnv &)
{
	unsigned long before = refusal_count(Misuse::CallWithIrqsOff);
	bool ran = false;
	int err, cpu;
	{
		IrqSaveGuard irqs_off;
		cpu = this_cpu();
		err = call_on(cpu, [&] { ran = true; });
	}
	check.expect(err == -XK_EDEADLK, "returned %d, expected -EDEADLK", err);
	check.expect(!ran, "the function ran anyway");
	check.expect(refusal_count(Misuse::CallWithIrqsOff) == before + 1, "refusal not counted");
	ran = false;
	{
		PreemptGuard pinned;	// stays this CPU: the bridge's own path
		err = call_on(this_cpu(), [&] { ran = xk_irqs_disabled(); });
	}
	check.expect(err == 0 && ran, "to this CPU, preemption off: %d, ran with IRQs off: %d", err, ran);
}

// Out of range, negative, and every possible CPU that is offline now (the
// kselftest offlines one first).
void sync_call_refused_bad_cpu(Check &check, const SelfTestEnv &)
{
	bool ran = false;
	auto fn = [&] { ran = true; };
	int bad[] = {int(nr_cpu_ids()), -1, 1 << 20};
	for (int cpu : bad) {
		int err = call_on(cpu, fn);
		check.expect(err == -XK_ENXIO, "call_on(%d) returned %d, expected -ENXIO", cpu, err);
	}
	CpusReadGuard no_hotplug;
	CpuMask offline = possible_cpus();
	online_cpus().for_each([&](int cpu) { offline.clear(unsigned(cpu)); });
	offline.for_each([&](int cpu) {
		int err = call_on(cpu, fn);
		check.expect(err == -XK_ENXIO, "offline CPU %d: returned %d, expected -ENXIO", cpu, err);
	});
	check.expect(!ran, "a refused function ran");
}

// ---- AsyncCall -----------------------------------------------------------------

void async_call_runs_on_target(Check &check, const SelfTestEnv &)
{
	online_cpus().for_each([&](int cpu) {
		Where where;
		int runs = 0;
		long seen = 0;
		long before = 3000 + cpu;
		PreemptGuard pinned;
		int caller = this_cpu();
		AsyncCall call([&] {
			where.record();
			seen = before;
			runs++;
		});
		int err = call.submit(cpu);
		call.wait();
		check.expect(err == 0, "submit(%d) returned %d", cpu, err);
		check.expect(runs == 1, "ran %d times on CPU %d", runs, cpu);
		check.expect(where.cpu == cpu, "asked for CPU %d, ran on %d", cpu, where.cpu);
		check.expect(ran_where_expected(where, cpu, caller), "on CPU %d ran in %s context (%s)", cpu,
			     context_name(where.context), where.comm);
		check.expect(seen == 3000 + cpu, "function saw %ld, not the caller's prior write", seen);
	});
}

// A call queued behind a busy target cannot be submitted again: -EBUSY.
// The target is kept busy by another async call spinning in its hard IRQ
// until released (bounded, so a failure cannot wedge the machine).
void async_call_busy_while_queued(Check &check, const SelfTestEnv &)
{
	PreemptGuard pinned;
	int target = other_online_cpu(this_cpu());
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return;
	int release = 0, spinning = 0, runs = 0;
	AsyncCall blocker([&] {
		cxxrt::store_release(spinning, 1);
		spin_until([&] { return cxxrt::load_acquire(release) != 0; }, 1000);
	});
	AsyncCall queued_call([&] { runs++; });

	check.expect(blocker.submit(target) == 0, "blocker not submitted");
	check.expect(spin_until([&] { return cxxrt::load_acquire(spinning) != 0; }), "blocker never ran");
	int first = queued_call.submit(target);
	int second = queued_call.submit(target);
	check.expect(first == 0, "first submit returned %d", first);
	check.expect(second == -XK_EBUSY, "second submit while queued returned %d, expected -EBUSY", second);
	cxxrt::store_release(release, 1);
	queued_call.wait();
	blocker.wait();
	check.expect(runs == 1, "queued call ran %d times, expected 1", runs);
}

// The function re-submits its own call (allowed: the CSD is unlocked before
// it runs), walking the online CPUs round robin.
void async_call_resubmits_itself(Check &check, const SelfTestEnv &)
{
	constexpr int total = 8;
	int runs = 0, errors = 0;
	CpuMask visited;
	CpuMask online = online_cpus();
	cxxrt::ManualLifetime<AsyncCall<cxxrt::FunctionRef<void()>>> call;
	auto body = [&] {
		visited.set(unsigned(this_cpu()));
		if (++runs < total) {
			int next = online.next(this_cpu());
			if (next < 0)
				next = online.first();
			errors += call->submit(next) != 0;
		}
	};
	call.construct(body);
	check.expect(call->submit(online.first()) == 0, "first submit failed");
	call->wait();
	call.destroy();
	check.expect(runs == total, "ran %d times, expected %d", runs, total);
	check.expect(errors == 0, "%d re-submissions failed", errors);
	unsigned expect_visited = online.count() < total ? online.count() : total;
	check.expect(visited.count() == expect_visited, "visited %u CPUs, expected %u", visited.count(),
		     expect_visited);
}

// Destroying an in-flight call waits for it: after delete returns, the
// function has finished (it takes ~2 ms on the target).
void async_call_destructor_waits(Check &check, const SelfTestEnv &)
{
	int target = other_online_cpu(this_cpu());
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return;
	int done = 0;
	auto slow = [&done] {
		xk_udelay(2000);
		cxxrt::store_release(done, 1);
	};
	auto call = cxxrt::make_unique<AsyncCall<decltype(slow)>>(cxxrt::may_sleep, slow);
	if (!check.expect(bool(call), "allocation failed"))
		return;
	check.expect(call->submit(target) == 0, "submit failed");
	call.reset();
	check.expect(cxxrt::read_once(done) == 1, "destructor returned before the function finished");
}

// ---- calls on masks --------------------------------------------------------------

// What each CPU saw: per possible CPU, so it grows with the machine.
struct Hit {
	int count = 0;
	Where where = {};
};
struct Hits {
	PerCpu<Hit> cpu;
	int *count(int c) noexcept { return &cpu.on(c).count; }
	Where &where(int c) noexcept { return cpu.on(c).where; }
};

cxxrt::UniquePtr<Hits> make_hits() noexcept
{
	auto hits = cxxrt::make_unique<Hits>(cxxrt::may_sleep);
	if (hits && hits->cpu.create() != 0)
		hits.reset();
	return hits;
}

// One call sent with preemption off to the online CPUs by @send(online, fn),
// fn counting and recording where it ran; each online CPU must have run it
// once, in the context its kind promises, but this CPU when @self is false.
template <typename Send>
void check_one_call_each(Check &check, bool self, Send send)
{
	auto hits = make_hits();
	if (!check.expect(bool(hits), "allocation failed"))
		return;
	CpuMask online = online_cpus();
	PreemptGuard pinned;
	int caller = this_cpu();
	Hits *h = hits.get();
	int err = send(online, [h] {
		int cpu = this_cpu();
		cxxrt::fetch_add(*h->count(cpu), 1);
		h->where(cpu).record();
	});
	check.expect(err == 0, "returned %d", err);
	online.for_each([&](int cpu) {
		int want = self || cpu != caller ? 1 : 0;
		check.expect(*h->count(cpu) == want, "CPU %d ran it %d times, expected %d", cpu, *h->count(cpu), want);
		if (want)
			check.expect(ran_where_expected(h->where(cpu), cpu, caller), "CPU %d ran it in %s context (%s)",
				     cpu, context_name(h->where(cpu).context), h->where(cpu).comm);
	});
}

void call_on_mask_runs_everywhere(Check &check, const SelfTestEnv &)
{
	check_one_call_each(check, true, [](const CpuMask &online, auto fn) { return call_on_mask(online, fn); });
}

void call_on_others_excludes_self(Check &check, const SelfTestEnv &)
{
	check_one_call_each(check, false, [](const CpuMask &online, auto fn) { return call_on_others(online, fn); });
}

// Stateless functions count through this: one int per CPU id, allocated by
// the case that uses it (nr_cpu_ids of them) and kept for the next.
constinit int *nowait_runs;

struct CountNowaitRun {
	void operator()() const noexcept
	{
		if (int *runs = cxxrt::read_once(nowait_runs))
			cxxrt::fetch_add(runs[this_cpu()], 1);
	}
};

void call_on_mask_nowait_stateless(Check &check, const SelfTestEnv &)
{
	// Kept until the self-tests' state goes (primitive_selftests_release()):
	// a function that has not run yet when the case gives up must still
	// find it.
	if (!nowait_runs)
		cxxrt::store_release(nowait_runs, new (cxxrt::may_sleep) int[nr_cpu_ids()]);
	if (!check.expect(nowait_runs != nullptr, "allocation failed"))
		return;
	CpuMask online = online_cpus();
	online.for_each([](int cpu) { cxxrt::write_once(nowait_runs[cpu], 0); });
	int err = call_on_mask_nowait(online, CountNowaitRun{});
	check.expect(err == 0, "returned %d", err);
	bool all = spin_until([&] {
		bool done = true;
		online.for_each([&](int cpu) { done &= cxxrt::load_acquire(nowait_runs[cpu]) == 1; });
		return done;
	});
	check.expect(all, "not every CPU ran the function exactly once");
}

void mask_calls_refuse_misuse(Check &check, const SelfTestEnv &)
{
	CpuMask bad = online_cpus();
	bad.set(nr_cpu_ids());	// a CPU that does not exist (ignored if the mask has no room for it)
	for_each_possible_cpu([&](int cpu) {
		if (!cpu_online(cpu))
			bad.set(unsigned(cpu));	// or one that is offline
	});
	if (bad == online_cpus())
		return;	// every possible CPU online and no room beyond: nothing to refuse
	bool ran = false;
	auto fn = [&ran] { ran = true; };
	check.expect(call_on_mask(bad, fn) == -XK_ENXIO, "call_on_mask with a missing CPU not refused");
	check.expect(call_on_others(bad, fn) == -XK_ENXIO, "call_on_others with a missing CPU not refused");
	check.expect(call_on_mask_nowait(bad, CountNowaitRun{}) == -XK_ENXIO, "nowait with a missing CPU not refused");
	{
		IrqSaveGuard irqs_off;
		check.expect(call_on_mask(online_cpus(), fn) == -XK_EDEADLK, "call_on_mask with IRQs off not refused");
		check.expect(call_on_mask_nowait(online_cpus(), CountNowaitRun{}) == -XK_EDEADLK,
			     "nowait with IRQs off not refused");
	}
	check.expect(!ran, "a refused function ran");
}

// ---- run_on_cpu --------------------------------------------------------------------

void run_on_cpu_sleeps_on_target(Check &check, const SelfTestEnv &)
{
	online_cpus().for_each([&](int cpu) {
		Where where;
		int ret = run_on_cpu(cpu, [&] {
			xk_msleep(1);	// sleeping is allowed here
			where.record();
			return 100 + cpu;
		});
		check.expect(ret == 100 + cpu, "returned %d, expected %d", ret, 100 + cpu);
		check.expect(where.cpu == cpu, "asked for CPU %d, ran on %d", cpu, where.cpu);
		check.expect(where.context == Context::Task, "ran in %s context", context_name(where.context));
	});
	PreemptGuard atomic;
	check.expect(run_on_cpu(this_cpu(), [] { return 0; }) == -XK_EDEADLK, "not refused from atomic context");
}

// ---- IrqWork ------------------------------------------------------------------------

bool comm_is_irq_work_thread(const char *comm) noexcept
{
	return __builtin_strncmp(comm, "irq_work/", 9) == 0;
}

// Queue twice with interrupts off: the second claim fails (already
// pending), yet the run observes the write made between the two.
template <IrqWorkMode Mode>
void irq_work_claims_and_runs(Check &check, Context expected, bool in_thread)
{
	Where where;
	int runs = 0;
	long value = 0, seen = 0;
	IrqWork work(Mode, [&] {
		where.record();
		seen = cxxrt::read_once(value);
		runs++;
	});
	int caller;
	bool first, second;
	{
		IrqSaveGuard irqs_off;	// the self-IPI cannot arrive yet
		caller = this_cpu();
		cxxrt::write_once(value, 1);
		first = work.queue();
		cxxrt::write_once(value, 2);	// must be seen: see IrqWork::queue()
		second = work.queue();
	}
	work.sync();
	check.expect(first, "first queue() did not claim");
	check.expect(!second, "second queue() claimed a pending work");
	check.expect(runs == 1, "ran %d times, expected 1", runs);
	check.expect(seen == 2, "saw %ld, not the write before the failed claim", seen);
	check.expect(where.cpu == caller, "queued on CPU %d, ran on %d", caller, where.cpu);
	check.expect(where.context == expected, "ran in %s context, expected %s", context_name(where.context),
		     context_name(expected));
	check.expect(comm_is_irq_work_thread(where.comm) == in_thread, "ran in task '%s'", where.comm);
	check.expect(!work.busy(), "busy after sync()");
}

void irq_work_hard(Check &check, const SelfTestEnv &) { irq_work_claims_and_runs<IrqWorkMode::Hard>(check, Context::HardIrq, false); }

// PREEMPT_RT moves non-hard items to the irq_work/N thread ("irq_work: Handle some irq_work in a per-CPU thread on PREEMPT_RT").
void irq_work_default(Check &check, const SelfTestEnv &)
{
	bool rt = xk_preempt_rt();
	irq_work_claims_and_runs<IrqWorkMode::Default>(check, rt ? Context::Task : Context::HardIrq, rt);
}

void irq_work_lazy(Check &check, const SelfTestEnv &)
{
	bool rt = xk_preempt_rt();
	irq_work_claims_and_runs<IrqWorkMode::Lazy>(check, rt ? Context::Task : Context::HardIrq, rt);
}

// A lazy item runs at the next tick at the earliest: destroying it right
// after queueing must wait for the run.
void irq_work_destructor_syncs(Check &check, const SelfTestEnv &)
{
	int done = 0;
	auto slow = [&done] {
		xk_udelay(500);
		cxxrt::store_release(done, 1);
	};
	auto work = cxxrt::make_unique<IrqWork<decltype(slow)>>(cxxrt::may_sleep, IrqWorkMode::Lazy, slow);
	if (!check.expect(bool(work), "allocation failed"))
		return;
	check.expect(work->queue(), "queue() did not claim");
	work.reset();
	check.expect(cxxrt::read_once(done) == 1, "destructor returned before the function finished");
}

// ---- PerCpu ---------------------------------------------------------------------------

struct Slot {
	static inline long destroyed = 0;
	long value;
	int owner = -1;
	explicit Slot(long v) : value(v) {}
	~Slot() { destroyed++; }
};

void percpu_instances(Check &check, const SelfTestEnv &)
{
	Slot::destroyed = 0;
	unsigned possible = possible_cpus().count();
	{
		PerCpu<Slot> slots;
		int err = slots.create(7L);
		if (!check.expect(err == 0, "create() returned %d", err))
			return;
		slots.for_each_possible([&](int cpu, Slot &s) {
			check.expect(s.value == 7, "CPU %d's slot holds %ld, expected 7", cpu, s.value);
		});
		PerCpu<Slot> *p = &slots;
		check.expect(call_on_mask(online_cpus(), [p] { p->this_cpu_unpinned().owner = this_cpu(); }) == 0,
			     "call_on_mask failed");
		online_cpus().for_each([&](int cpu) {
			check.expect(slots.on(cpu).owner == cpu, "CPU %d's slot written by %d", cpu, slots.on(cpu).owner);
		});
		int mine = slots.with_this_cpu([](Slot &s) { return s.owner; });
		check.expect(mine >= 0, "with_this_cpu saw owner %d", mine);
	}
	check.expect(Slot::destroyed == long(possible), "%ld slots destroyed, expected %u", Slot::destroyed, possible);
}

// ---- guards ----------------------------------------------------------------------------

void guards_nest_and_restore(Check &check, const SelfTestEnv &)
{
	check.expect(!xk_irqs_disabled() && xk_preemptible(), "test must start preemptible with IRQs on");
	{
		IrqSaveGuard outer;
		{
			IrqSaveGuard inner;
			check.expect(xk_irqs_disabled(), "IRQs on inside nested guards");
		}
		check.expect(xk_irqs_disabled(), "inner guard re-enabled IRQs");
	}
	check.expect(!xk_irqs_disabled(), "IRQs still off after the guards");
	{
		PreemptGuard pinned;
		check.expect(!xk_preemptible(), "preemptible inside PreemptGuard");
	}
	check.expect(xk_preemptible(), "not preemptible after PreemptGuard");
	{
		CpusReadGuard no_hotplug;
		int ran_on = -1;
		int target = online_cpus().first();
		check.expect(call_on(target, [&] { ran_on = this_cpu(); }) == 0 && ran_on == target,
			     "call under CpusReadGuard failed");
	}
}

// PinnedCpu and PreemptGuard do inline what the kernel's preempt_disable()
// and preempt_enable() do (issue 22): the same count, nested, the same
// CPU, and a reschedule requested meanwhile handled at the end as the
// kernel's own enable handles it (on a preemptible kernel it schedules and
// clears need_resched; with voluntary preemption it stays for later).
void preempt_inline_matches_kernel(Check &check, const SelfTestEnv &)
{
	check.expect(xk_preemptible(), "test must start preemptible");
	int base = xk_preempt_count();
	{
		PinnedCpu outer;
		check.expect(xk_preempt_count() == base + 1, "PinnedCpu: preempt count %d, expected %d",
			     xk_preempt_count(), base + 1);
		check.expect(outer.cpu() == xk_this_cpu(), "PinnedCpu says CPU %d, the kernel %d", outer.cpu(),
			     xk_this_cpu());
		{
			PreemptGuard inner;
			check.expect(xk_preempt_count() == base + 2, "nested PreemptGuard: count %d, expected %d",
				     xk_preempt_count(), base + 2);
		}
		check.expect(xk_preempt_count() == base + 1, "after the nested guard: count %d, expected %d",
			     xk_preempt_count(), base + 1);
	}
	check.expect(xk_preempt_count() == base && xk_preemptible(), "after both: count %d, expected %d",
		     xk_preempt_count(), base);

	xk_preempt_disable();
	xk_request_resched();
	xk_preempt_enable();
	bool kernel_left = xk_need_resched();
	{
		PinnedCpu pinned;
		xk_request_resched();
	}
	bool ours_left = xk_need_resched();
	check.expect(kernel_left == ours_left, "a reschedule requested under preemption off: need_resched %d after "
		     "the kernel's preempt_enable(), %d after PinnedCpu's", kernel_left, ours_left);
	check.expect(xk_preempt_count() == base, "count %d after the reschedule, expected %d", xk_preempt_count(),
		     base);
}

// ---- HotplugState ----------------------------------------------------------------------

struct HotplugCounter {
	struct Events {
		int online = 0, offline = 0;
	};
	PerCpu<Events> events;
	int wrong_cpu = 0, wrong_context = 0;

	int &online(int cpu) noexcept { return events.on(cpu).online; }
	int &offline(int cpu) noexcept { return events.on(cpu).offline; }

	int cpu_online(unsigned cpu)
	{
		online(int(cpu))++;
		wrong_cpu += this_cpu() != int(cpu);
		wrong_context += current_context() != Context::Task;
		return 0;
	}
	int cpu_offline(unsigned cpu)
	{
		offline(int(cpu))++;
		wrong_cpu += this_cpu() != int(cpu);
		wrong_context += current_context() != Context::Task;
		return 0;
	}
};

void hotplug_state_invokes_callbacks(Check &check, const SelfTestEnv &)
{
	auto counter = cxxrt::make_unique<HotplugCounter>(cxxrt::may_sleep);
	if (!check.expect(bool(counter) && counter->events.create() == 0, "allocation failed"))
		return;
	CpuMask online = online_cpus();
	{
		HotplugState state;
		int err = state.add<&HotplugCounter::cpu_online, &HotplugCounter::cpu_offline>("xcall:selftest",
											    *counter);
		if (!check.expect(err == 0, "add() returned %d", err))
			return;
		online.for_each([&](int cpu) {
			check.expect(counter->online(cpu) == 1, "online(%d) ran %d times", cpu, counter->online(cpu));
			check.expect(counter->offline(cpu) == 0, "offline(%d) ran on add", cpu);
		});
	}
	online.for_each([&](int cpu) {
		check.expect(counter->offline(cpu) == 1, "offline(%d) ran %d times at removal", cpu,
			     counter->offline(cpu));
	});
	check.expect(counter->wrong_cpu == 0, "%d callbacks ran on another CPU", counter->wrong_cpu);
	check.expect(counter->wrong_context == 0, "%d callbacks ran outside task context", counter->wrong_context);
}

// ---- real IPIs ------------------------------------------------------------------------

// 100 synchronous and 100 asynchronous round trips to every other online
// CPU: the kselftest (pinned to one CPU) checks /proc/interrupts' CAL line
// rose by as much. Preemptible between calls: with many CPUs (or a slow
// host) the whole burst is far longer than a preempt-off section may be.
void ipi_burst(Check &check, const SelfTestEnv &)
{
	for_each_online_cpu([&](int cpu) {
		int runs = 0, expected = 0;
		AsyncCall async([&runs] { runs++; });
		for (int i = 0; i < 100; i++) {
			{
				PreemptGuard pinned;
				if (cpu == this_cpu())
					break;	// moved onto the target: no IPI to count
				check.expect(call_on(cpu, [&runs] { runs++; }) == 0, "sync call to %d failed", cpu);
				check.expect(async.submit(cpu) == 0, "async call to %d failed", cpu);
				expected += 2;
			}
			async.wait();
			xk_cond_resched();
		}
		check.expect(runs == expected, "CPU %d ran %d of %d calls", cpu, runs, expected);
	});
}

constexpr SelfTestCase primitive_cases[] = {
	{"sync_call_runs_on_target", sync_call_runs_on_target},
	{"sync_call_refused_with_irqs_off", sync_call_refused_with_irqs_off},
	{"sync_call_to_this_cpu_refused_with_irqs_off", sync_call_to_this_cpu_refused_with_irqs_off},
	{"sync_call_refused_bad_cpu", sync_call_refused_bad_cpu},
	{"async_call_runs_on_target", async_call_runs_on_target},
	{"async_call_busy_while_queued", async_call_busy_while_queued},
	{"async_call_resubmits_itself", async_call_resubmits_itself},
	{"async_call_destructor_waits", async_call_destructor_waits},
	{"call_on_mask_runs_everywhere", call_on_mask_runs_everywhere},
	{"call_on_others_excludes_self", call_on_others_excludes_self},
	{"call_on_mask_nowait_stateless", call_on_mask_nowait_stateless},
	{"mask_calls_refuse_misuse", mask_calls_refuse_misuse},
	{"run_on_cpu_sleeps_on_target", run_on_cpu_sleeps_on_target},
	{"irq_work_hard", irq_work_hard},
	{"irq_work_default", irq_work_default},
	{"irq_work_lazy", irq_work_lazy},
	{"irq_work_destructor_syncs", irq_work_destructor_syncs},
	{"percpu_instances", percpu_instances},
	{"guards_nest_and_restore", guards_nest_and_restore},
	{"preempt_inline_matches_kernel", preempt_inline_matches_kernel},
	{"hotplug_state_invokes_callbacks", hotplug_state_invokes_callbacks},
	{"ipi_burst", ipi_burst},
};

}  // namespace

void primitive_selftests_release() noexcept { delete[] cxxrt::xchg(nowait_runs, static_cast<int *>(nullptr)); }

cxxrt::Span<const SelfTestCase> primitive_selftests() noexcept { return primitive_cases; }

}  // namespace xcall
