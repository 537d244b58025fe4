// SPDX-License-Identifier: GPL-2.0
#include "knobs/queue_knobs.h"

#include <cxxrt/atomic.h>

#include "knobs/knob_args.h"

namespace xcall {

// A node queued by the knob: checks where it ran and counts itself done.
// Owner: its Batch, which is freed only once every node is idle.
struct KnobNode : cq::Node {
	QueueKnobs::Batch *batch;
	int target;
};

struct QueueKnobs::Batch {
	Batch *next = nullptr;
	RemoteQueue *queue;
	QueueKind kind;
	unsigned nodes = 0;
	KnobNode *node = nullptr;	// kvmalloc'd array of @nodes
	unsigned idle_below = 0;	// node[0 .. idle_below) known idle

	// Every function has returned and nothing of the queue touches the
	// nodes any more (Node::idle() is an acquire: the functions' writes
	// are seen). Once queueing is over a node never leaves idle again, so
	// each call resumes where the last one stopped.
	bool idle() noexcept
	{
		while (idle_below < nodes && node[idle_below].idle())
			idle_below++;
		return idle_below == nodes;
	}
	~Batch()
	{
		for (unsigned i = 0; i < nodes; i++)
			node[i].~KnobNode();
		xk_free_large(node);
	}
};

namespace {

// Called by every node the knob queues: did it run on @target, in the
// context kinds.h gives @kind?
void check_where_it_runs(RemoteQueue &queue, int target, QueueKind kind) noexcept
{
	if (this_cpu() != target)
		queue.stats(target).report_wrong_cpu(kind);
	bool right_context;
	if (runs_in_thread(kind, xk_preempt_rt())) {
		char comm[16];
		xk_current_comm(comm);
		right_context = current_context() == Context::Task && __builtin_strncmp(comm, "xcall_lazy/", 11) == 0;
	} else {
		// The drain: hard IRQ, the idle loop, a waiting caller or the
		// hotplug thread draining, always with interrupts off.
		right_context = xk_irqs_disabled();
	}
	if (!right_context)
		queue.stats(target).report_wrong_context(kind);
}

// A node's function: no shared counter (each node's own idle state says it
// ran), so a burst from many CPUs bounces no cache line of the knob's.
void knob_node_func(cq::Node *n) noexcept
{
	auto *node = static_cast<KnobNode *>(n);	// owner: its Batch, freed once every node is idle
	check_where_it_runs(*node->batch->queue, node->target, node->batch->kind);
}

enum class Wait { Uninterruptible, Killable };

// 0 once @batch is idle; XK_STORE_CUT_SHORT when killable and a fatal
// signal came first. Never a caught signal: the batch is queued, and an
// EINTR would have the caller's retry queue it again.
int wait_idle(QueueKnobs::Batch &batch, Wait how) noexcept
{
	for (unsigned spins = 0; !batch.idle(); spins++) {
		if (spins < 1000) {
			cxxrt::cpu_relax();
			continue;
		}
		if (how == Wait::Killable && xk_fatal_signal_pending())
			return XK_STORE_CUT_SHORT;
		xk_msleep(1);
	}
	return 0;
}

// "KIND cpus=CPULIST [count=N] [wait=0|1] [same=0|1]": 0, -EINVAL, -ENXIO
// (a CPU >= nr_cpu_ids) or -E2BIG.
int parse_command(cxxrt::StringView input, QueueKnobs::Command *cmd) noexcept
{
	auto kind = kind_by_name(input.next_token());
	if (!kind)
		return -XK_EINVAL;
	static constexpr const char *keys[] = {"cpus", "count", "wait", "same"};
	KnobArgs args(keys);
	int err = args.parse(input);
	if (err)
		return err;
	if (!args.has(0))
		return -XK_EINVAL;
	cxxrt::uint64_t count = args.number(1, 1, &err);
	cxxrt::uint64_t wait = args.number(2, 0, &err);
	cxxrt::uint64_t same = args.number(3, 0, &err);
	if (err || count == 0 || wait > 1 || same > 1 || (same && !is_irq_work(*kind)))
		return -XK_EINVAL;
	cmd->kind = *kind;
	cmd->all_online = args.value(0) == "all";
	if (!cmd->all_online) {
		err = CpuMask::parse(args.value(0), nr_cpu_ids(), &cmd->cpus);
		if (err)
			return err;
	}
	if (count > QueueKnobs::max_count)
		return -XK_E2BIG;
	if (!cmd->all_online && count * cmd->cpus.count() > QueueKnobs::max_nodes_per_write)
		return -XK_E2BIG;
	cmd->count = unsigned(count);
	cmd->wait = wait;
	cmd->same = same;
	return 0;
}

}  // namespace

int QueueKnobs::create(DebugfsDir &dir) noexcept
{
	int err = queue_file_.create<nullptr, &QueueKnobs::store_queue>(dir, "queue", *this);
	if (!err)
		err = stats_file_.create<&QueueKnobs::show_stats, nullptr>(dir, "stats", *this);
	if (!err)
		err = reset_file_.create<nullptr, &QueueKnobs::store_reset>(dir, "reset", *this);
	if (!err)
		err = latency_file_.create<&QueueKnobs::show_latency, nullptr>(dir, "latency", *this);
	return err;
}

QueueKnobs::~QueueKnobs()
{
	// The files go first (no more writes); then every batch still in
	// flight is waited for: nothing is freed under the queue's feet.
	queue_file_.remove();
	stats_file_.remove();
	reset_file_.remove();
	latency_file_.remove();
	reap(true);
}

// Frees finished batches; with @wait_all (unload), waits for all of them.
void QueueKnobs::reap(bool wait_all) noexcept
{
	in_flight_.with([&](InFlight &f) {
		for (Batch **link = &f.head; *link;) {
			Batch *b = *link;
			if (wait_all)
				(void)wait_idle(*b, Wait::Uninterruptible);
			else if (!b->idle()) {
				link = &b->next;
				continue;
			}
			*link = b->next;
			f.nodes -= b->nodes;
			delete b;
		}
	});
}

// @batch runs on without its writer: a later write, a stats read or the
// unload frees it.
void QueueKnobs::keep_in_flight(Batch *batch) noexcept
{
	in_flight_.with([&](InFlight &f) {
		batch->next = f.head;
		f.head = batch;
		f.nodes += batch->nodes;
	});
}

// Synchronous calls: each one waited for, its node on call()'s stack. Only
// a fatal signal ends the write early, between two calls
// (XK_STORE_CUT_SHORT: the calls made ran, the rest are never made).
int QueueKnobs::call_each(const Command &cmd) noexcept
{
	RemoteQueue &queue = queue_;
	int err = 0;
	cmd.cpus.for_each([&](int cpu) {
		for (unsigned i = 0; i < cmd.count && !err; i++) {
			(void)queue.call(cpu, [&queue, cpu] { check_where_it_runs(queue, cpu, QueueKind::Call); });
			if (i % 256 == 255) {
				xk_cond_resched();
				if (xk_fatal_signal_pending())
					err = XK_STORE_CUT_SHORT;
			}
		}
		xk_cond_resched();
	});
	return err;
}

// Asynchronous kinds: one batch of nodes, queued in count rounds over the
// CPUs so that every CPU gets work early.
int QueueKnobs::queue_batch(const Command &cmd, Batch **out) noexcept
{
	unsigned per_cpu = cmd.same ? 1 : cmd.count;
	Batch *batch = new (cxxrt::may_sleep) Batch;
	if (!batch)
		return -XK_ENOMEM;
	batch->queue = &queue_;
	batch->kind = cmd.kind;
	unsigned nodes = per_cpu * cmd.cpus.count();	// <= max_nodes_per_write
	batch->node = static_cast<KnobNode *>(xk_alloc_large(sizeof(KnobNode) * nodes));
	if (!batch->node) {
		delete batch;
		return -XK_ENOMEM;
	}
	batch->nodes = nodes;
	unsigned i = 0;
	cmd.cpus.for_each([&](int cpu) {
		for (unsigned j = 0; j < per_cpu; j++, i++) {
			KnobNode *node = new (&batch->node[i]) KnobNode;
			node->func = knob_node_func;
			node->batch = batch;
			node->target = cpu;
			node->set_one_queuer();	// queued by this writer only
		}
	});
	for (unsigned round = 0; round < cmd.count; round++) {
		unsigned base = 0;
		cmd.cpus.for_each([&](int cpu) {
			KnobNode &node = batch->node[base + (cmd.same ? 0 : round)];
			base += per_cpu;
			// Queued, already pending (same=1: the pending run covers it)
			// or refused: the node's idle state says when it is done.
			(void)queue_.queue(cpu, node, cmd.kind);
		});
		if (round % 256 == 255)
			xk_cond_resched();
	}
	*out = batch;
	return 0;
}

int QueueKnobs::store_queue(cxxrt::StringView input) noexcept
{
	Command cmd;
	if (int err = parse_command(input, &cmd))
		return err;

	reap(false);
	Batch *batch = nullptr;
	{
		Locker<Mutex> one_writer(write_lock_);
		// No CPU comes or goes while this write checks and queues.
		CpusReadGuard no_hotplug;
		CpuMask online = online_cpus();
		if (!online.valid())
			return -XK_ENOMEM;
		if (cmd.all_online)
			cmd.cpus = online;
		if (cmd.cpus.empty() || !cmd.cpus.is_subset_of(online))
			return -XK_ENXIO;
		unsigned long nodes = (cmd.same ? 1UL : cmd.count) * cmd.cpus.count();
		if (cmd.count * (unsigned long)cmd.cpus.count() > max_nodes_per_write)
			return -XK_E2BIG;
		if (cmd.kind != QueueKind::Call) {
			bool full = in_flight_.with([&](InFlight &f) { return f.nodes + nodes > max_nodes_in_flight; });
			if (full)
				return -XK_EBUSY;
			if (int err = queue_batch(cmd, &batch))
				return err;
		}
	}
	if (cmd.kind == QueueKind::Call) {
		// Made without the hotplug lock (count x CPUs round trips would
		// hold off CPU hotplug for long): a CPU that goes offline meanwhile
		// refuses the rest of its calls (-ENXIO from the queue's accepting
		// flag, (Q1) of remote_queue.h), which the write does not report.
		Locker<Mutex> one_writer(write_lock_);
		return call_each(cmd);
	}
	// Waited for outside the lock: a slow batch does not hold up other
	// writers. A fatal signal ends the wait; the batch then runs on and is
	// freed by a later write, a stats read or the unload.
	int done = cmd.wait ? wait_idle(*batch, Wait::Killable) : 0;
	if (cmd.wait && done == 0) {
		delete batch;
		return 0;
	}
	keep_in_flight(batch);
	return done;
}

int QueueKnobs::store_reset(cxxrt::StringView input) noexcept
{
	if (!(input.trimmed() == "1"))
		return -XK_EINVAL;
	return queue_.reset_stats();
}

int QueueKnobs::show_stats(Text &out) noexcept
{
	reap(false);
	out.printf("cpu kind queued handled kicks pending wrong_cpu wrong_context kicks_irq kicks_polled\n");
	CpuStats::Row totals[queue_kinds] = {};
	for_each_possible_cpu([&](int cpu) {
		const CpuStats &stats = queue_.stats(cpu);
		bool online = cpu_online(cpu);
		for_each_kind([&](QueueKind k) {
			CpuStats::Row row = stats.read(k);
			if (online)
				out.printf("%d %s %lu %lu %lu %lu %lu %lu %lu %lu\n", cpu, kind_name(k), row.queued,
					   row.handled, row.kicks, row.pending, row.wrong_cpu, row.wrong_context,
					   row.kicks_irq, row.kicks_polled);
			CpuStats::Row &t = totals[unsigned(k)];
			t.queued += row.queued;
			t.handled += row.handled;
			t.kicks += row.kicks;
			t.pending += row.pending;
			t.wrong_cpu += row.wrong_cpu;
			t.wrong_context += row.wrong_context;
			t.kicks_irq += row.kicks_irq;
			t.kicks_polled += row.kicks_polled;
		});
	});
	for_each_kind([&](QueueKind k) {
		const CpuStats::Row &t = totals[unsigned(k)];
		out.printf("all %s %lu %lu %lu %lu %lu %lu %lu %lu\n", kind_name(k), t.queued, t.handled, t.kicks,
			   t.pending, t.wrong_cpu, t.wrong_context, t.kicks_irq, t.kicks_polled);
	});
	return 0;
}

namespace {

// Sums a histogram row over all CPUs; quantiles are the upper bound of the
// log2 bucket they fall in, or the largest sample if that is smaller (the
// bucket's bound may lie beyond every sample in it).
struct Summary {
	unsigned long count[Histogram::buckets] = {};
	unsigned long total = 0;
	unsigned long long min = ~0ULL, max = 0;

	void add(const Histogram &h) noexcept
	{
		unsigned long n = 0;
		for (unsigned b = 0; b < Histogram::buckets; b++) {
			unsigned long c = cxxrt::read_once(h.count[b]);
			count[b] += c;
			n += c;
		}
		if (!n)
			return;
		total += n;
		unsigned long long lo = cxxrt::read_once(h.min_ns), hi = cxxrt::read_once(h.max_ns);
		if (lo < min)
			min = lo;
		if (hi > max)
			max = hi;
	}
	unsigned long long quantile(unsigned per_mille) const noexcept
	{
		unsigned long want = (total * per_mille + 999) / 1000, seen = 0;
		for (unsigned b = 0; b < Histogram::buckets; b++) {
			seen += count[b];
			if (seen >= want && seen) {
				unsigned long long bound = b ? 1ULL << b : 0;
				return bound < max ? bound : max;
			}
		}
		return max;
	}
	void print(Text &out, const char *name) const noexcept
	{
		if (!total)
			out.printf("%s 0 0 0 0 0\n", name);
		else
			out.printf("%s %lu %llu %llu %llu %llu\n", name, total, min, quantile(500), quantile(990), max);
	}
	void print_buckets(Text &out, const char *name) const noexcept
	{
		out.printf("%s", name);
		for (unsigned b = 0; b < Histogram::buckets; b++)
			if (count[b])
				out.printf(" %llu:%lu", b ? 1ULL << b : 0ULL, count[b]);
		out.printf("\n");
	}
};

}  // namespace

int QueueKnobs::show_latency(Text &out) noexcept
{
	// Big: on the heap, not the stack.
	Summary *s = new (cxxrt::may_sleep) Summary[queue_kinds + 1];
	if (!s)
		return -XK_ENOMEM;
	for_each_possible_cpu([&](int cpu) {
		const CpuStats &stats = queue_.stats(cpu);
		for_each_kind([&](QueueKind k) { s[unsigned(k)].add(stats.latency(k)); });
		s[queue_kinds].add(stats.wake_run());
	});
	out.printf("kind count min_ns median_ns p99_ns max_ns\n");
	for_each_kind([&](QueueKind k) { s[unsigned(k)].print(out, kind_name(k)); });
	s[queue_kinds].print(out, "wake_run");
	out.printf("# log2 histograms: kind then upper_bound_ns:count\n");
	for_each_kind([&](QueueKind k) { s[unsigned(k)].print_buckets(out, kind_name(k)); });
	s[queue_kinds].print_buckets(out, "wake_run");
	delete[] s;
	return 0;
}

}  // namespace xcall
