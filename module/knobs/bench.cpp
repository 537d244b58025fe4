// SPDX-License-Identifier: GPL-2.0
#include "knobs/bench.h"

#include <cxxrt/atomic.h>

#include "kernel/calls.h"
#include "kernel/cpus.h"
#include "knobs/knob_args.h"

namespace xcall {
namespace {

unsigned long long time_xcall_sync(int cpu, unsigned n) noexcept
{
	unsigned long count = 0;
	unsigned long long start = xk_clock_ns();
	for (unsigned i = 0; i < n; i++)
		(void)call_on(cpu, [&count] { count++; });
	return xk_clock_ns() - start;
}

// The same loop as xk_bench_raw_async(): submit, spin on a flag the
// function sets with release.
unsigned long long time_xcall_async(int cpu, unsigned n) noexcept
{
	unsigned long count = 0;
	int done = 0;
	AsyncCall call([&] {
		count++;
		cxxrt::store_release(done, 1);
	});
	unsigned long long start = xk_clock_ns();
	for (unsigned i = 0; i < n; i++) {
		cxxrt::write_once(done, 0);
		(void)call.submit(cpu);
		cxxrt::cond_load_acquire(done, [](int v) { return v != 0; });
	}
	unsigned long long elapsed = xk_clock_ns() - start;
	call.wait();
	return elapsed;
}

// Sorts a few values in place (insertion sort; rounds <= 101).
void sort(unsigned long long *v, unsigned n) noexcept
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j] < v[j - 1]; j--)
			cxxrt::swap(v[j], v[j - 1]);
}

}  // namespace

int BenchKnob::create(DebugfsDir &dir) noexcept
{
	return file_.create<&BenchKnob::show, &BenchKnob::store>(dir, "bench", *this);
}

int BenchKnob::store(cxxrt::StringView input) noexcept
{
	Kind kind;
	cxxrt::StringView word = input.next_token();
	if (word == "sync")
		kind = Kind::Sync;
	else if (word == "async")
		kind = Kind::Async;
	else
		return -XK_EINVAL;

	static constexpr const char *keys[] = {"cpu", "n", "rounds"};
	KnobArgs args(keys);
	int err = args.parse(input);
	if (err)
		return err;
	unsigned long long cpu = args.number(0, ~0ULL, &err);
	unsigned long long calls = args.number(1, 2000, &err);
	unsigned long long rounds = args.number(2, 7, &err);
	if (err)
		return err;
	if (cpu == ~0ULL || calls == 0 || rounds == 0)
		return -XK_EINVAL;
	if (calls > max_calls || rounds > max_rounds)
		return -XK_E2BIG;
	if (cpu >= nr_cpu_ids() || !cpu_online(int(cpu)))
		return -XK_ENXIO;

	// Measure from another CPU than the target, whichever the writer is on:
	// the rounds run in a kthread bound there (smp_call_on_cpu()).
	int from = -1;
	for_each_online_cpu([&](int c) {
		if (from < 0 && c != int(cpu))
			from = c;
	});
	if (from < 0)
		return -XK_ENXIO;	// no CPU to call from

	return report_.with([&](Report &r) {
		r = Report{};
		r.kind = kind;
		r.cpu = int(cpu);
		r.from = from;
		r.calls = unsigned(calls);
		r.rounds = unsigned(rounds);
		int err = run_on_cpu(from, [&] {
			for (unsigned round = 0; round < r.rounds; round++) {
				// Preemption off for a round: both loops run on @from.
				PreemptGuard pinned;
				if (!cpu_online(r.cpu))
					return -XK_ENXIO;
				auto time_xcall = [&] {
					r.xcall_ns[round] = kind == Kind::Sync ? time_xcall_sync(r.cpu, r.calls)
									       : time_xcall_async(r.cpu, r.calls);
				};
				auto time_raw = [&] {
					r.raw_ns[round] = kind == Kind::Sync ? xk_bench_raw_sync(r.cpu, r.calls)
									     : xk_bench_raw_async(r.cpu, r.calls);
				};
				if (round % 2) {
					time_raw();
					time_xcall();
				} else {
					time_xcall();
					time_raw();
				}
			}
			return 0;
		});
		r.valid = err == 0;
		return err;
	});
}

int BenchKnob::show(Text &out) noexcept
{
	return report_.with([&](Report &r) {
		if (!r.valid)
			return 0;
		unsigned long long *ratio = r.sorted_ratio, *x = r.sorted_xcall, *raw = r.sorted_raw;
		for (unsigned i = 0; i < r.rounds; i++) {
			// Parts per million: no floating point in the kernel.
			ratio[i] = r.raw_ns[i] ? r.xcall_ns[i] * 1000000 / r.raw_ns[i] : 0;
			x[i] = r.xcall_ns[i] / r.calls;
			raw[i] = r.raw_ns[i] / r.calls;
		}
		sort(ratio, r.rounds);
		sort(x, r.rounds);
		sort(raw, r.rounds);
		unsigned mid = r.rounds / 2, last = r.rounds - 1;
		out.printf("bench %s cpu=%d from=%d n=%u rounds=%u\n", r.kind == Kind::Sync ? "sync" : "async", r.cpu,
			   r.from, r.calls, r.rounds);
		out.printf("xcall_ns_per_call median %llu min %llu max %llu\n", x[mid], x[0], x[last]);
		out.printf("raw_ns_per_call median %llu min %llu max %llu\n", raw[mid], raw[0], raw[last]);
		out.printf("ratio median %llu.%04llu min %llu.%04llu max %llu.%04llu\n", ratio[mid] / 1000000,
			   ratio[mid] % 1000000 / 100, ratio[0] / 1000000, ratio[0] % 1000000 / 100,
			   ratio[last] / 1000000, ratio[last] % 1000000 / 100);
		return 0;
	});
}

}  // namespace xcall
