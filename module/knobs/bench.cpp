// SPDX-License-Identifier: GPL-2.0
#include "knobs/bench.h"

#include <cxxrt/atomic.h>
#include <cxxrt/new.h>

#include "kernel/calls.h"
#include "kernel/cpus.h"
#include "knobs/knob_args.h"

namespace xcall {
namespace {

using Mode = BenchKnob::Mode;

// What each mode compares (xcall side vs kernel side), how many calls one
// preemption-off chunk may hold, the largest n, and the queue kind whose
// kicks the xcall side counts (Count: none). A chunk of 100 calls takes a few
// milliseconds under TCG (tens of microseconds a call), far below RCU's
// 21 s stall limit; small chunks also interleave the two sides finely, so
// that the host descheduling a vCPU (milliseconds at a time) lands on both
// sides alike rather than on one side of a round.
struct ModeInfo {
	const char *name;
	unsigned chunk;	// 0: the whole n is one chunk (a burst is not split)
	unsigned max_n;
	QueueKind kicks;
};

constexpr ModeInfo mode_table[unsigned(Mode::Count)] = {
	// call_on() vs smp_call_function_single(wait=1)
	{"sync", 100, BenchKnob::max_calls, QueueKind::Count},
	// AsyncCall vs smp_call_function_single_async(), one at a time
	{"async", 100, BenchKnob::max_calls, QueueKind::Count},
	// RemoteQueue::call() vs smp_call_function_single(wait=1)
	{"queue_sync", 100, BenchKnob::max_calls, QueueKind::Call},
	// an async node vs an async CSD, each waited for before the next
	{"queue_async", 100, BenchKnob::max_calls, QueueKind::Async},
	// a hard irq_work item queued on the target vs CSD + local irq_work
	{"remote_irq_work", 100, BenchKnob::max_calls, QueueKind::IrqWorkHard},
	// n async nodes back to back vs n CSDs
	{"burst", 0, BenchKnob::max_burst, QueueKind::Async},
	// n nodes from every other online CPU at once vs n CSDs from each
	{"fanin", 0, BenchKnob::max_burst, QueueKind::Async},
	// one sync call to every other online CPU vs smp_call_function_many(wait=1)
	{"broadcast", 20, BenchKnob::max_calls, QueueKind::Call},
	// call_on() and RemoteQueue::call() to this CPU vs smp_call_function_single()
	{"local", 500, BenchKnob::max_calls, QueueKind::Count},
};

constexpr const ModeInfo &info(Mode m) noexcept { return mode_table[unsigned(m)]; }

// A node the bench queues: counts itself done on the target CPU. Only the
// target runs these nodes, one at a time with interrupts off, so the count
// is a plain increment published with release (no shared atomic to bounce).
// A cache line each, as the kernel side's CSDs (bench_baselines.c): packed
// nodes would share lines between a sender queueing one node and the
// target draining the one before it, a cost the kernel side does not pay.
struct alignas(64) BenchNode : cq::Node {
	unsigned long *done;
};

void count_done(cq::Node *n) noexcept
{
	unsigned long *done = static_cast<BenchNode *>(n)->done;
	cxxrt::store_release(*done, cxxrt::read_once(*done) + 1);	// pairs with the waiters' acquire
}

void do_nothing(cq::Node *) noexcept {}

// The state of one bench command: its nodes and CSD storage, allocated in
// the writer's context before the first round.
struct Run {
	RemoteQueue &queue;
	Mode mode;
	int cpu;
	unsigned n;
	bool legs;
	BenchNode *nodes = nullptr;	// burst, fanin: n per source; broadcast: one per CPU; else one
	unsigned node_count = 0;
	void *csds = nullptr;		// burst, fanin: the kernel side's CSDs
	// Nodes that ran (count_done), alone on its cache line: the target
	// writes it per node, the senders read the fields above per node (as
	// on the kernel side, bench_baselines.c).
	alignas(64) unsigned long done = 0;
	alignas(64) unsigned long failed = 0;	// fanin: nodes the queue refused (atomic)
	unsigned next_slice = 0;	// fanin: which source takes which nodes (atomic)
	CpuMask others;			// fanin: senders; broadcast: targets (set per chunk)
	CpuMask kicked;			// broadcast: queue_each()'s kick mask

	~Run()
	{
		for (unsigned i = 0; i < node_count; i++)
			nodes[i].~BenchNode();
		xk_free_large(nodes);
		xk_free_large(csds);
	}

	int allocate() noexcept
	{
		switch (mode) {
		case Mode::Burst:
			node_count = n;
			break;
		case Mode::Fanin:
			node_count = n * nr_cpu_ids();
			break;
		case Mode::Broadcast:
			node_count = nr_cpu_ids();
			break;
		default:
			node_count = 1;
		}
		nodes = static_cast<BenchNode *>(xk_alloc_large(sizeof(BenchNode) * node_count));
		if (!nodes) {
			node_count = 0;
			return -XK_ENOMEM;
		}
		for (unsigned i = 0; i < node_count; i++) {
			BenchNode *node = new (&nodes[i]) BenchNode;
			node->func = mode == Mode::Broadcast ? do_nothing : count_done;
			node->done = &done;
			// Each node is queued by one CPU at a time (fanin: each
			// sender its own slice), the contract of the kernel side's
			// CSDs: the lock is theirs, a check and a store.
			node->set_one_queuer();
		}
		if (mode == Mode::Burst || mode == Mode::Fanin) {
			csds = xk_alloc_large(xk_bench_csds_bytes(node_count));
			if (!csds)
				return -XK_ENOMEM;
		}
		return 0;
	}

	void wait_idle(unsigned count) noexcept
	{
		for (unsigned i = 0; i < count; i++)
			while (!nodes[i].idle())	// (2)/(4) of call_queue.h
				cxxrt::cpu_relax();
	}

	// ---- the xcall sides; preemption off, on the measuring CPU -----------------

	// sync and queue_sync with legs=1: each call timed in two legs, split
	// by a clock read in the function on the target (clamped at 0: see
	// DrainHandler::account()).
	template <typename Call>
	unsigned long long legs_loop(unsigned k, Call call, BenchKnob::Round &out) noexcept
	{
		unsigned long long start = xk_clock_ns();
		for (unsigned i = 0; i < k; i++) {
			unsigned long long sent = xk_clock_ns(), ran = sent;
			(void)call([&ran] { ran = xk_clock_ns(); });
			unsigned long long returned = xk_clock_ns();
			out.xcall_out += ran > sent ? ran - sent : 0;
			out.xcall_back += returned > ran ? returned - ran : 0;
		}
		return xk_clock_ns() - start;
	}

	unsigned long long call_on_loop(int target, unsigned k) noexcept
	{
		unsigned long count = 0;
		unsigned long long start = xk_clock_ns();
		for (unsigned i = 0; i < k; i++)
			(void)call_on(target, [&count] { count++; });
		return xk_clock_ns() - start;
	}

	unsigned long long queue_call_loop(int target, unsigned k) noexcept
	{
		unsigned long count = 0;
		unsigned long long start = xk_clock_ns();
		for (unsigned i = 0; i < k; i++)
			(void)queue.call(target, [&count] { count++; });
		return xk_clock_ns() - start;
	}

	// The same loop as xk_bench_raw_async(): submit, spin on a flag the
	// function sets with release.
	unsigned long long async_call_loop(unsigned k) noexcept
	{
		unsigned long count = 0;
		int flag = 0;
		AsyncCall call([&] {
			count++;
			cxxrt::store_release(flag, 1);
		});
		unsigned long long start = xk_clock_ns();
		for (unsigned i = 0; i < k; i++) {
			cxxrt::write_once(flag, 0);
			(void)call.submit(cpu);
			cxxrt::cond_load_acquire(flag, [](int v) { return v != 0; });
		}
		unsigned long long elapsed = xk_clock_ns() - start;
		call.wait();
		return elapsed;
	}

	// One node queued as @kind and waited for, k times (queue_async,
	// remote_irq_work).
	unsigned long long one_node_loop(QueueKind kind, unsigned k) noexcept
	{
		done = 0;
		unsigned long long start = xk_clock_ns();
		for (unsigned long i = 0; i < k; i++) {
			if (queue.queue(cpu, nodes[0], kind) != RemoteQueue::queued)
				break;
			cxxrt::cond_load_acquire(done, [i](unsigned long v) { return v > i; });
		}
		unsigned long long elapsed = xk_clock_ns() - start;
		wait_idle(1);
		return elapsed;
	}

	// @send: the time to queue the n nodes (the sender's share; the
	// target drains meanwhile), added to the round's xcall_out.
	unsigned long long burst(unsigned long long &send) noexcept
	{
		done = 0;
		unsigned long sent = 0;
		unsigned long long start = xk_clock_ns();
		for (unsigned i = 0; i < n; i++)
			sent += queue.queue(cpu, nodes[i], QueueKind::Async) == RemoteQueue::queued;
		send += xk_clock_ns() - start;
		cxxrt::cond_load_acquire(done, [sent](unsigned long v) { return v == sent; });
		unsigned long long elapsed = xk_clock_ns() - start;
		wait_idle(n);
		return elapsed;
	}

	// @send: the time until every sender has queued its nodes (the
	// senders' share), added to the round's xcall_out.
	unsigned long long fanin(unsigned long long &send) noexcept
	{
		done = 0;
		failed = 0;
		next_slice = 0;
		unsigned long total = (unsigned long)n * others.count();
		Run &r = *this;
		unsigned long long start = xk_clock_ns();
		// Each sender in hard IRQ (this CPU directly), interrupts off.
		(void)call_on_mask(others, [&r] {
			unsigned slice = cxxrt::fetch_add(r.next_slice, 1u);
			for (unsigned i = 0; i < r.n; i++)
				if (r.queue.queue(r.cpu, r.nodes[slice * r.n + i], QueueKind::Async) != RemoteQueue::queued)
					cxxrt::atomic_add(r.failed, 1UL);
		});
		// call_on_mask() has waited for every sender: failed is final.
		send += xk_clock_ns() - start;
		unsigned long expect = total - cxxrt::read_once(failed);
		cxxrt::cond_load_acquire(done, [expect](unsigned long v) { return v == expect; });
		unsigned long long elapsed = xk_clock_ns() - start;
		wait_idle(unsigned(total));
		return elapsed;
	}

	unsigned long long broadcast(unsigned k) noexcept
	{
		unsigned long long start = xk_clock_ns();
		for (unsigned i = 0; i < k; i++) {
			// One mask IPI for the kicks, as smp_call_function_many().
			queue.queue_each(
				others, kicked, QueueKind::Call, [&](int c) -> cq::Node & { return nodes[c]; },
				[&](int c, int ret) {
					if (ret != RemoteQueue::queued)
						nodes[c].func = nullptr;	// refused: not waited for
				});
			others.for_each([&](int c) {
				if (nodes[c].func)
					queue.wait_draining_own(nodes[c]);
				nodes[c].func = do_nothing;
			});
		}
		return xk_clock_ns() - start;
	}

	// ---- one chunk: both sides, preemption off --------------------------------

	// The queue's kicks so far: all (kicks) and those handled in hard IRQ.
	void kicks_now(unsigned long long *kicks, unsigned long long *ipis) noexcept
	{
		*kicks = *ipis = 0;
		QueueKind kind = info(mode).kicks;
		if (kind == QueueKind::Count)
			return;
		possible_cpus().for_each([&](int c) {
			CpuStats::Row row = queue.stats(c).read(kind);
			*kicks += row.kicks;
			*ipis += row.kicks_irq;
		});
	}

	unsigned long long xcall_side(unsigned k, BenchKnob::Round &out) noexcept
	{
		if (legs && mode == Mode::Sync)
			return legs_loop(k, [this](auto fn) { return call_on(cpu, fn); }, out);
		if (legs && mode == Mode::QueueSync)
			return legs_loop(k, [this](auto fn) { return queue.call(cpu, fn); }, out);
		switch (mode) {
		case Mode::Sync:
		case Mode::Local:
			return call_on_loop(cpu, k);
		case Mode::Async:
			return async_call_loop(k);
		case Mode::QueueSync:
			return queue_call_loop(cpu, k);
		case Mode::QueueAsync:
			return one_node_loop(QueueKind::Async, k);
		case Mode::RemoteIrqWork:
			return one_node_loop(QueueKind::IrqWorkHard, k);
		case Mode::Burst:
			return burst(out.xcall_out);
		case Mode::Fanin:
			return fanin(out.xcall_out);
		case Mode::Broadcast:
			return broadcast(k);
		default:
			return 0;
		}
	}

	unsigned long long kernel_side(unsigned k, BenchKnob::Round &out) noexcept
	{
		if (legs && (mode == Mode::Sync || mode == Mode::QueueSync))
			return xk_bench_raw_sync_legs(cpu, k, &out.raw_out, &out.raw_back);
		switch (mode) {
		case Mode::Sync:
		case Mode::QueueSync:
		case Mode::Local:
			return xk_bench_raw_sync(cpu, k);
		case Mode::Async:
		case Mode::QueueAsync:
			return xk_bench_raw_async(cpu, k);
		case Mode::RemoteIrqWork:
			return xk_bench_raw_remote_irq_work(cpu, k);
		case Mode::Burst:
			return xk_bench_raw_burst(cpu, csds, n, &out.raw_out);
		case Mode::Fanin:
			return xk_bench_raw_fanin(others.bits(), cpu, csds, n, &out.raw_out);
		case Mode::Broadcast:
			return xk_bench_raw_broadcast(others.bits(), k);
		default:
			return 0;
		}
	}

	// On the measuring CPU, in its kthread: @k calls of each side, in an
	// order that alternates with @round, added to @out. 0 or -ENXIO.
	int chunk(unsigned round, unsigned k, BenchKnob::Round &out) noexcept
	{
		// Preemption off for the chunk: both sides on this CPU, and no CPU
		// goes offline meanwhile (stop_machine needs this CPU too).
		PreemptGuard pinned;
		if (!cpu_online(cpu))
			return -XK_ENXIO;
		others = online_cpus();
		others.clear(unsigned(cpu));	// fanin: the target; broadcast: the caller
		if ((mode == Mode::Fanin || mode == Mode::Broadcast) && others.empty())
			return -XK_ENXIO;
		unsigned long long kicks0, ipis0, kicks1, ipis1;
		auto xcall = [&] {
			kicks_now(&kicks0, &ipis0);
			out.xcall_ns += xcall_side(k, out);
			kicks_now(&kicks1, &ipis1);
			out.kicks += kicks1 - kicks0;
			out.ipis += ipis1 - ipis0;
		};
		auto kernel = [&] { out.raw_ns += kernel_side(k, out); };
		auto queued = [&] { out.queue_ns += queue_call_loop(cpu, k); };	// local only
		if (mode == Mode::Local) {
			// Three sides: rotate which goes first.
			switch (round % 3) {
			case 0: xcall(); queued(); kernel(); break;
			case 1: queued(); kernel(); xcall(); break;
			default: kernel(); xcall(); queued(); break;
			}
		} else if (round % 2) {
			kernel();
			xcall();
		} else {
			xcall();
			kernel();
		}
		return 0;
	}
};

// Sorts a few values in place (insertion sort; rounds <= 101).
void sort(unsigned long long *v, unsigned n) noexcept
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j] < v[j - 1]; j--)
			cxxrt::swap(v[j], v[j - 1]);
}

// Parts per million of @num / @den: no floating point in the kernel.
unsigned long long ppm(unsigned long long num, unsigned long long den) noexcept
{
	return den ? num * 1000000 / den : 0;
}

}  // namespace

int BenchKnob::create(DebugfsDir &dir) noexcept
{
	return file_.create<&BenchKnob::show, &BenchKnob::store>(dir, "bench", *this);
}

int BenchKnob::store(cxxrt::StringView input) noexcept
{
	cxxrt::StringView word = input.next_token();
	unsigned m = 0;
	while (m < unsigned(Mode::Count) && !(word == mode_table[m].name))
		m++;
	if (m == unsigned(Mode::Count))
		return -XK_EINVAL;
	Mode mode = Mode(m);

	static constexpr const char *keys[] = {"cpu", "n", "rounds", "stamps", "legs"};
	KnobArgs args(keys);
	int err = args.parse(input);
	if (err)
		return err;
	unsigned long long cpu = args.number(0, ~0ULL, &err);
	unsigned long long calls = args.number(1, 2000, &err);
	unsigned long long rounds = args.number(2, 7, &err);
	unsigned long long stamps = args.number(3, 0, &err);	// 1: keep latency stamps on (their cost)
	unsigned long long legs = args.number(4, 0, &err);	// 1: time each call in two legs
	if (err)
		return err;
	if (cpu == ~0ULL || calls == 0 || rounds == 0 || stamps > 1 || legs > 1)
		return -XK_EINVAL;
	if (legs && mode != Mode::Sync && mode != Mode::QueueSync)
		return -XK_EINVAL;
	if (calls > info(mode).max_n || rounds > max_rounds || calls * rounds > max_total)
		return -XK_E2BIG;
	if (cpu >= nr_cpu_ids() || !cpu_online(int(cpu)))
		return -XK_ENXIO;

	// local runs on the CPU it calls; broadcast calls every other CPU
	// from cpu=; the rest measure from another CPU than the target,
	// whichever the writer is on, in a kthread bound there
	// (smp_call_on_cpu()).
	int from = -1;
	if (mode == Mode::Local || mode == Mode::Broadcast) {
		from = int(cpu);
	} else {
		for_each_online_cpu([&](int c) {
			if (from < 0 && c != int(cpu))
				from = c;
		});
	}
	if (from < 0 || (mode == Mode::Broadcast && online_cpus().count() < 2))
		return -XK_ENXIO;	// no CPU to call from, or none to call

	Run *run = new (cxxrt::may_sleep) Run{queue_, mode, int(cpu), unsigned(calls), legs != 0};
	if (!run)
		return -XK_ENOMEM;
	if (int e = run->allocate()) {
		delete run;
		return e;
	}

	err = report_.with([&](Report &r) {
		r.valid = false;
		r.mode = mode;
		r.cpu = int(cpu);
		r.from = from;
		r.calls = unsigned(calls);
		r.rounds = unsigned(rounds);
		r.stamps = stamps != 0;
		r.legs = legs != 0;
		unsigned long long senders = online_cpus().count() - 1;
		r.per_round = mode == Mode::Fanin ? calls * senders : calls;
		r.nodes = mode == Mode::Fanin || mode == Mode::Broadcast ? calls * senders : calls;
		unsigned chunk = info(mode).chunk ? info(mode).chunk : unsigned(calls);
		// Per-node clock reads would be part of what is measured: off
		// for the run (the latency histograms miss these nodes), unless
		// stamps=1 asks to measure what they cost.
		queue_.set_latency_stamps(stamps != 0);
		int ret = 0;
		for (unsigned round = 0; round < r.rounds && !ret; round++) {
			r.round[round] = Round{};
			for (unsigned done = 0; done < r.calls && !ret; done += chunk) {
				// Only a fatal signal ends a run (its report is then
				// empty): at most about a minute, and a caught signal's
				// EINTR would have the caller's retry run it again.
				if (xk_fatal_signal_pending()) {
					ret = XK_STORE_CUT_SHORT;
					break;
				}
				unsigned k = r.calls - done < chunk ? r.calls - done : chunk;
				ret = run_on_cpu(from, [&] { return run->chunk(round, k, r.round[round]); });
				xk_cond_resched();
			}
		}
		queue_.set_latency_stamps(true);
		r.valid = ret == 0;
		return ret;
	});
	delete run;
	return err;
}

int BenchKnob::show(Text &out) noexcept
{
	return report_.with([&](Report &r) {
		if (!r.valid)
			return 0;
		enum { Ratio, Xcall, Raw, Queue, QueueRatio, Kicks, Ipis, XcallOut, XcallBack, RawOut, RawBack, Series };
		static_assert(Series <= sizeof(r.sorted) / sizeof(r.sorted[0]));
		for (unsigned i = 0; i < r.rounds; i++) {
			const Round &d = r.round[i];
			r.sorted[Ratio][i] = ppm(d.xcall_ns, d.raw_ns);
			r.sorted[Xcall][i] = d.xcall_ns / r.per_round;
			r.sorted[Raw][i] = d.raw_ns / r.per_round;
			r.sorted[Queue][i] = d.queue_ns / r.per_round;
			r.sorted[QueueRatio][i] = ppm(d.queue_ns, d.raw_ns);
			r.sorted[Kicks][i] = ppm(d.kicks, r.nodes);
			r.sorted[Ipis][i] = ppm(d.ipis, r.nodes);
			r.sorted[XcallOut][i] = d.xcall_out / r.per_round;
			r.sorted[XcallBack][i] = d.xcall_back / r.per_round;
			r.sorted[RawOut][i] = d.raw_out / r.per_round;
			r.sorted[RawBack][i] = d.raw_back / r.per_round;
		}
		for (unsigned s = 0; s < Series; s++)
			sort(r.sorted[s], r.rounds);
		unsigned mid = r.rounds / 2, last = r.rounds - 1;
		auto ns_line = [&](const char *name, const unsigned long long *v) {
			out.printf("%s_ns_per_call median %llu min %llu max %llu\n", name, v[mid], v[0], v[last]);
		};
		auto ppm_line = [&](const char *name, const unsigned long long *v) {
			out.printf("%s median %llu.%04llu min %llu.%04llu max %llu.%04llu\n", name, v[mid] / 1000000,
				   v[mid] % 1000000 / 100, v[0] / 1000000, v[0] % 1000000 / 100, v[last] / 1000000,
				   v[last] % 1000000 / 100);
		};
		out.printf("bench %s cpu=%d from=%d n=%u rounds=%u%s%s\n", info(r.mode).name, r.cpu, r.from, r.calls,
			   r.rounds, r.stamps ? " stamps=1" : "", r.legs ? " legs=1" : "");
		ns_line("xcall", r.sorted[Xcall]);
		ns_line("raw", r.sorted[Raw]);
		if (r.mode == Mode::Local)
			ns_line("queue", r.sorted[Queue]);
		ppm_line("ratio", r.sorted[Ratio]);
		if (r.mode == Mode::Local)
			ppm_line("queue_ratio", r.sorted[QueueRatio]);
		if (r.mode == Mode::Burst || r.mode == Mode::Fanin) {
			// The senders' share: queueing the nodes, before waiting.
			ns_line("xcall_send", r.sorted[XcallOut]);
			ns_line("raw_send", r.sorted[RawOut]);
		}
		if (r.legs) {
			ns_line("xcall_out", r.sorted[XcallOut]);
			ns_line("xcall_back", r.sorted[XcallBack]);
			ns_line("raw_out", r.sorted[RawOut]);
			ns_line("raw_back", r.sorted[RawBack]);
		}
		if (info(r.mode).kicks != QueueKind::Count) {
			ppm_line("kicks_per_node", r.sorted[Kicks]);
			ppm_line("ipis_per_node", r.sorted[Ipis]);
		}
		return 0;
	});
}

}  // namespace xcall
