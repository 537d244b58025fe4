// SPDX-License-Identifier: GPL-2.0
#include "knobs/litmus.h"

#include <cxxrt/atomic.h>
#include <cxxrt/new.h>

#include "kernel/cpus.h"
#include "knobs/knob_args.h"

namespace xcall {
namespace {

using litmus::Case;
using litmus::Regs;

// One case's run: the shared variables, the rendezvous and what each
// thread leaves, each on its own cache line.
struct LitmusRun {
	const Case &c;
	unsigned long n;
	unsigned skew;
	LitmusKnob::Result &result;

	litmus::Shared shared;
	// (L1): arrived counts the threads at the rendezvous, generation
	// counts rendezvous completed.
	alignas(64) unsigned long arrived = 0;
	unsigned long generation = 0;
	struct alignas(64) Slot {
		Regs regs;
		int finished;	// (L2)
	} slot[2] = {};
	alignas(64) int stop = 0;	// the writer asks the threads to return

	LitmusRun(const Case &c, unsigned long n, unsigned skew, LitmusKnob::Result &result) noexcept
		: c(c), n(n), skew(skew), result(result)
	{
	}
	// A debug build checks that a node is idle when destroyed.
	~LitmusRun() { shared.node.flags = 0; }

	// Both threads leave together. False if the run is being stopped.
	bool rendezvous() noexcept
	{
		unsigned long gen = cxxrt::load_acquire(generation);	// cannot move on before we arrive
		// (L1): fully ordered; the last to arrive sees what the other did before.
		if (cxxrt::fetch_add(arrived, 1UL) == 1) {
			cxxrt::write_once(arrived, 0UL);	// no one arrives again before the release below
			cxxrt::store_release(generation, gen + 1);	// (L1): pairs with the spin's load_acquire
			return true;
		}
		// A plain spin, no pause: under TCG a pause leaves the vCPU's
		// translated code, and the point is to leave as soon as the
		// other thread releases us. Rescheduling often: the other
		// thread's vCPU may not run for a long while (a loaded host).
		for (unsigned long spins = 1; cxxrt::load_acquire(generation) == gen; spins++) {	// (L1)
			if ((spins & 1023) == 0) {
				if (cxxrt::read_once(stop))
					return false;
				xk_cond_resched();
			}
		}
		return true;
	}

	// Iteration @i's skew: one thread or the other waits a little before
	// its accesses, sweeping -skew..skew, so that some iterations overlap
	// whichever thread leaves the rendezvous first.
	void delay(unsigned long i, int me) const noexcept
	{
		long offset = long(i % (2 * skew + 1)) - long(skew);
		long wait = me == 0 ? offset : -offset;
		for (long k = 0; k < wait; k++)
			cxxrt::barrier();
	}

	static bool same(const Case &c, const Regs &a0, const Regs &a1, const Regs &b0, const Regs &b1) noexcept
	{
		for (int r = 0; r < 2; r++) {
			if (c.regs[0][r] && a0.r[r] != b0.r[r])
				return false;
			if (c.regs[1][r] && a1.r[r] != b1.r[r])
				return false;
		}
		return true;
	}

	// The leader, between two iterations (the other thread waits at the
	// rendezvous): one final state counted.
	void count() noexcept
	{
		const Regs &p0 = slot[0].regs, &p1 = slot[1].regs;
		if (c.forbidden(p0, p1))
			result.forbidden++;
		unsigned s = 0;
		while (s < result.nr_states && !same(c, result.states[s].p0, result.states[s].p1, p0, p1))
			s++;
		if (s == result.nr_states) {
			if (s == LitmusKnob::max_states) {
				result.other++;
				return;
			}
			result.states[s] = LitmusKnob::State{p0, p1, 0};
			result.nr_states++;
		}
		result.states[s].count++;
	}

	void thread(int me) noexcept
	{
		unsigned long i = 0;
		for (; i < n; i++) {
			if (me == 0) {
				if (i)
					count();
				slot[0].regs = slot[1].regs = Regs{{~0UL, ~0UL}};
				c.reset(shared);
			}
			if (!rendezvous())	// (L1): the reset is seen by both
				break;
			delay(i, me);
			if (me == 0)
				c.p0(shared, slot[0].regs);
			else
				c.p1(shared, slot[1].regs);
			if (!rendezvous())	// (L1): both threads' registers are seen by the leader
				break;
			// Every few iterations, not every few thousand: on a loaded
			// host an iteration can take milliseconds (the other vCPU
			// waits for a host CPU), and 4096 of them once kept a CPU
			// from scheduling for 21 s, a soft lockup. Cheap when no
			// reschedule is due; outside the window the cases measure.
			if ((i & 15) == 15) {
				if (cxxrt::read_once(stop))
					break;
				xk_cond_resched();
			}
		}
		if (me == 0 && i == n && n)
			count();
		cxxrt::store_release(slot[me].finished, 1);	// (L2): pairs with the writer's load_acquire
	}
};

struct Worker {
	LitmusRun *run;
	int me;
};

int litmus_thread(void *arg) noexcept
{
	auto *w = static_cast<Worker *>(arg);
	w->run->thread(w->me);
	return 0;
}

// Runs @c on @cpu0 (P0) and @cpu1 (P1). 0, -ENOMEM, or XK_STORE_CUT_SHORT
// (a fatal signal ended it).
int run_case(const Case &c, unsigned long n, unsigned skew, int cpu0, int cpu1, LitmusKnob::Result &result) noexcept
{
	auto *run = new (cxxrt::may_sleep) LitmusRun(c, n, skew, result);
	if (!run)
		return -XK_ENOMEM;
	Worker workers[2] = {{run, 0}, {run, 1}};
	unsigned long long start = xk_clock_ns();
	void *t0 = xk_kthread_start(&litmus_thread, &workers[0], cpu0, "xcall_litmus/%u");
	void *t1 = t0 ? xk_kthread_start(&litmus_thread, &workers[1], cpu1, "xcall_litmus/%u") : nullptr;
	int ret = 0;
	if (!t1) {
		cxxrt::write_once(run->stop, 1);
		ret = -XK_ENOMEM;
	}
	// (L2): the counts are final once both have finished.
	while (t1 && !(cxxrt::load_acquire(run->slot[0].finished) && cxxrt::load_acquire(run->slot[1].finished))) {
		if (!ret && xk_fatal_signal_pending()) {
			cxxrt::write_once(run->stop, 1);
			ret = XK_STORE_CUT_SHORT;
		}
		xk_msleep(10);
	}
	if (t0 && !t1) {
		// The first thread waits for a partner that never comes: it
		// returns at its next look at stop.
		while (!cxxrt::load_acquire(run->slot[0].finished))
			xk_msleep(10);
	}
	if (t1)
		xk_kthread_stop(t1);
	if (t0)
		xk_kthread_stop(t0);
	result.ns = xk_clock_ns() - start;
	delete run;
	return ret;
}

const char *answer(litmus::Answer a) noexcept { return a == litmus::Answer::Never ? "Never" : "Sometimes"; }

}  // namespace

int LitmusKnob::create(DebugfsDir &dir) noexcept
{
	return file_.create<&LitmusKnob::show, &LitmusKnob::store>(dir, "litmus", *this);
}

int LitmusKnob::store(cxxrt::StringView input) noexcept
{
	cxxrt::StringView word = input.next_token();
	bool all = word == "all", quick = word == "quick";
	unsigned one = 0;
	while (one < litmus::nr_cases && !(word == litmus::cases[one].name))
		one++;
	if (!all && !quick && one == litmus::nr_cases)
		return -XK_EINVAL;

	static constexpr const char *keys[] = {"n", "cpu0", "cpu1", "skew"};
	KnobArgs args(keys);
	int err = args.parse(input);
	if (err)
		return err;
	unsigned long long n = args.number(0, quick ? quick_n : 1'000'000, &err);
	unsigned long long cpu0 = args.number(1, ~0ULL, &err);
	unsigned long long cpu1 = args.number(2, ~0ULL, &err);
	unsigned long long skew = args.number(3, 128, &err);
	if (err)
		return err;
	if (n == 0 || skew > 1000)
		return -XK_EINVAL;
	if (n > max_n)
		return -XK_E2BIG;
	// Default CPUs: the first two online.
	if (cpu0 == ~0ULL || cpu1 == ~0ULL) {
		int found[2] = {-1, -1};
		for_each_online_cpu([&](int c) {
			if (found[0] < 0)
				found[0] = c;
			else if (found[1] < 0 && (cpu0 == ~0ULL || c != int(cpu0)))
				found[1] = c;
		});
		if (cpu0 == ~0ULL)
			cpu0 = found[0] < 0 ? ~0ULL : (unsigned long long)found[0];
		if (cpu1 == ~0ULL)
			cpu1 = found[1] < 0 || (unsigned long long)found[1] == cpu0 ? ~0ULL
									     : (unsigned long long)found[1];
	}
	if (cpu0 >= nr_cpu_ids() || cpu1 >= nr_cpu_ids() || !cpu_online(int(cpu0)) || !cpu_online(int(cpu1)))
		return -XK_ENXIO;
	if (cpu0 == cpu1)
		return -XK_EINVAL;

	return report_.with([&](Report &r) {
		r.valid = false;
		r.cpu0 = int(cpu0);
		r.cpu1 = int(cpu1);
		r.nr_results = 0;
		int ret = 0;
		for (unsigned i = 0; i < litmus::nr_cases && !ret; i++) {
			const Case &c = litmus::cases[i];
			if (!(all || (quick && c.quick) || i == one))
				continue;
			Result &res = r.results[r.nr_results++];
			res = Result{};
			res.case_index = i;
			res.n = c.slow && n > max_slow ? max_slow : n;
			ret = run_case(c, res.n, unsigned(skew), int(cpu0), int(cpu1), res);
			xk_cond_resched();
		}
		r.valid = ret == 0;
		return ret;
	});
}

int LitmusKnob::show(Text &out) noexcept
{
	return report_.with([&](Report &r) {
		if (!r.valid)
			return 0;
		for (unsigned k = 0; k < r.nr_results; k++) {
			const Result &res = r.results[k];
			const Case &c = litmus::cases[res.case_index];
			out.printf("case %s cpus=%d,%d n=%lu lkmm=%s x86=%s ms=%llu\n", c.name, r.cpu0, r.cpu1, res.n,
				   answer(c.lkmm), answer(c.x86), res.ns / 1000000);
			out.printf("code %s\n", c.code);
			for (unsigned s = 0; s < res.nr_states; s++) {
				const State &st = res.states[s];
				out.printf("state");
				for (int t = 0; t < 2; t++)
					for (int reg = 0; reg < 2; reg++)
						if (c.regs[t][reg])
							out.printf(" %d:%s=%lu", t, c.regs[t][reg],
								   (t ? st.p1 : st.p0).r[reg]);
				out.printf(" count %lu%s\n", st.count, c.forbidden(st.p0, st.p1) ? " forbidden" : "");
			}
			if (res.other)
				out.printf("state other count %lu\n", res.other);
			out.printf("forbidden outcome seen %lu times\n", res.forbidden);
		}
		return 0;
	});
}

}  // namespace xcall
