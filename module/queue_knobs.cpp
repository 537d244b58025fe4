// SPDX-License-Identifier: GPL-2.0
#include "queue_knobs.h"

#include <cxxrt/atomic.h>

#include "knob_args.h"

namespace xcall {

// A node queued by the knob: checks where it ran and counts itself done.
struct KnobNode : cq::Node {
	QueueKnobs::Batch *batch;
	KindStats *row;	// the target CPU's statistics row for this kind
	int target;
};

struct QueueKnobs::Batch {
	Batch *next = nullptr;
	QueueKind kind;
	unsigned nodes = 0;
	KnobNode *node = nullptr;	// kvmalloc'd array
	unsigned long outstanding = 0;	// functions queued and not yet run

	bool functions_done() const noexcept { return cxxrt::load_acquire(outstanding) == 0; }
	// Nothing of the queue touches the nodes any more.
	bool idle() const noexcept
	{
		for (unsigned i = 0; i < nodes; i++) {
			bool busy = node[i].kind() == cq::kind_irq_work ? cq::work_busy_now(node[i]) : !cq::call_idle(node[i]);
			if (busy)
				return false;
		}
		return true;
	}
	~Batch() { xk_free_large(node); }
};

namespace {

bool runs_in_thread(QueueKind kind) noexcept
{
	return kind == QueueKind::IrqWorkLazy || (kind == QueueKind::IrqWork && xk_preempt_rt());
}

// The node's function: where did it run?
void knob_node_func(cq::Node *n) noexcept
{
	auto *node = static_cast<KnobNode *>(n);
	if (this_cpu() != node->target)
		cxxrt::atomic_add(node->row->wrong_cpu, 1UL);
	bool right_context;
	if (runs_in_thread(node_kind(*node))) {
		char comm[16];
		xk_current_comm(comm);
		right_context = current_context() == Context::Task && __builtin_strncmp(comm, "xcall_lazy/", 11) == 0;
	} else {
		// The drain: hard IRQ, the idle loop, a waiting caller or the
		// hotplug thread draining, always with interrupts off.
		right_context = xk_irqs_disabled();
	}
	if (!right_context)
		cxxrt::atomic_add(node->row->wrong_context, 1UL);
	cxxrt::fetch_sub(node->batch->outstanding, 1UL);	// fully ordered: pairs with functions_done()
}

constexpr const char *kind_words[queue_kinds] = {"call", "async", "irq_work", "irq_work_hard", "irq_work_lazy", "wake"};

cxxrt::Optional<QueueKind> parse_kind(cxxrt::StringView word) noexcept
{
	for (unsigned i = 0; i < queue_kinds; i++)
		if (word == kind_words[i])
			return QueueKind(i);
	return cxxrt::nullopt;
}

unsigned node_flags(QueueKind kind) noexcept
{
	switch (kind) {
	case QueueKind::Call: return cq::kind_sync;
	case QueueKind::Async: return cq::kind_async;
	case QueueKind::IrqWork: return cq::kind_irq_work;
	case QueueKind::IrqWorkHard: return cq::kind_irq_work | cq::work_hard;
	case QueueKind::IrqWorkLazy: return cq::kind_irq_work | cq::work_lazy;
	default: return cq::kind_wake;
	}
}

bool is_irq_work(QueueKind kind) noexcept
{
	return kind == QueueKind::IrqWork || kind == QueueKind::IrqWorkHard || kind == QueueKind::IrqWorkLazy;
}

void wait_until(bool (*done)(const QueueKnobs::Batch &), const QueueKnobs::Batch &batch) noexcept
{
	for (unsigned spins = 0; !done(batch); spins++) {
		if (spins < 1000)
			cxxrt::cpu_relax();
		else
			xk_msleep(1);
	}
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

// Frees finished batches; with @wait_all, waits for all of them first.
void QueueKnobs::reap(bool wait_all) noexcept
{
	batches_.with([&](Batch *&head) {
		for (Batch **link = &head; *link;) {
			Batch *b = *link;
			if (wait_all) {
				wait_until([](const Batch &b) { return b.functions_done(); }, *b);
				wait_until([](const Batch &b) { return b.idle(); }, *b);
			} else if (!b->functions_done() || !b->idle()) {
				link = &b->next;
				continue;
			}
			*link = b->next;
			delete b;
		}
	});
}

int QueueKnobs::store_queue(cxxrt::StringView input) noexcept
{
	auto kind = parse_kind(input.next_token());
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
	bool all = args.value(0) == "all";
	CpuMask cpus;
	if (!all) {
		err = CpuMask::parse(args.value(0), nr_cpu_ids(), &cpus);
		if (err)
			return err;
	}
	if (count > max_count)
		return -XK_E2BIG;

	reap(false);
	Locker<Mutex> one_writer(write_lock_);
	Batch *batch = nullptr;
	{
		// No CPU comes or goes while this write checks and queues.
		CpusReadGuard no_hotplug;
		CpuMask online = online_cpus();
		if (all)
			cpus = online;
		if (cpus.empty() || !cpus.is_subset_of(online))
			return -XK_ENXIO;

		if (*kind == QueueKind::Call) {
			// Synchronous: one node on the stack, each call waited for.
			Batch stack_batch;
			stack_batch.kind = *kind;
			cpus.for_each([&](int cpu) {
				for (cxxrt::uint64_t i = 0; i < count; i++) {
					KnobNode node;
					node.flags = cq::kind_sync;
					node.func = knob_node_func;
					node.batch = &stack_batch;
					node.target = cpu;
					node.row = &queue_.queues().on(cpu).stats[unsigned(*kind)];
					cxxrt::fetch_add(stack_batch.outstanding, 1UL);
					cq::lock_node(node);
					PreemptGuard pinned;
					if (queue_.queue(cpu, node, *kind) == 0)
						queue_.wait_draining_own(node);
					else
						cxxrt::fetch_sub(stack_batch.outstanding, 1UL);
				}
				xk_cond_resched();
			});
			return 0;
		}

		unsigned per_cpu = same ? 1 : unsigned(count);
		batch = new (cxxrt::may_sleep) Batch;
		if (!batch)
			return -XK_ENOMEM;
		batch->kind = *kind;
		batch->nodes = per_cpu * cpus.count();
		batch->node = static_cast<KnobNode *>(xk_alloc_large(sizeof(KnobNode) * batch->nodes));
		if (!batch->node) {
			batch->nodes = 0;
			delete batch;
			return -XK_ENOMEM;
		}
		unsigned i = 0;
		cpus.for_each([&](int cpu) {
			for (unsigned j = 0; j < per_cpu; j++, i++) {
				KnobNode *node = new (&batch->node[i]) KnobNode;
				node->flags = node_flags(*kind);
				node->func = knob_node_func;
				node->batch = batch;
				node->target = cpu;
				node->row = &queue_.queues().on(cpu).stats[unsigned(*kind)];
			}
		});
		// Queue: count rounds over the CPUs, so every CPU gets work early.
		unsigned rounds = unsigned(count);
		for (unsigned round = 0; round < rounds; round++) {
			unsigned base = 0;
			cpus.for_each([&](int cpu) {
				KnobNode &node = batch->node[base + (same ? 0 : round)];
				base += per_cpu;
				cxxrt::fetch_add(batch->outstanding, 1UL);
				int ret;
				if (is_irq_work(*kind)) {
					ret = queue_.queue_irq_work(cpu, node, *kind);
				} else {
					cq::lock_node(node);
					ret = queue_.queue(cpu, node, *kind) == 0 ? 1 : -1;
				}
				if (ret != 1)	// pending (same=1) or refused: it will not run
					cxxrt::fetch_sub(batch->outstanding, 1UL);
			});
			if (round % 256 == 255)
				xk_cond_resched();
		}
	}

	if (wait) {
		wait_until([](const Batch &b) { return b.functions_done(); }, *batch);
		wait_until([](const Batch &b) { return b.idle(); }, *batch);
		delete batch;
		return 0;
	}
	batches_.with([&](Batch *&head) {
		batch->next = head;
		head = batch;
	});
	return 0;
}

int QueueKnobs::store_reset(cxxrt::StringView input) noexcept
{
	if (!(input.trimmed() == "1"))
		return -XK_EINVAL;
	queue_.reset_stats();
	return 0;
}

int QueueKnobs::show_stats(Text &out) noexcept
{
	reap(false);
	out.printf("cpu kind queued handled kicks pending wrong_cpu wrong_context\n");
	struct Totals {
		unsigned long queued, handled, kicks, pending, wrong_cpu, wrong_context;
	} totals[queue_kinds] = {};
	CpuMask online = online_cpus();
	possible_cpus().for_each([&](int cpu) {
		CpuQueue &q = queue_.queues().on(cpu);
		for (unsigned k = 0; k < queue_kinds; k++) {
			const KindStats &s = q.stats[k];
			Totals row = {s.queued.read(), cxxrt::read_once(s.handled), s.kicks.read(), s.pending.read(),
				      cxxrt::read_once(s.wrong_cpu), cxxrt::read_once(s.wrong_context)};
			if (online.test(cpu))
				out.printf("%d %s %lu %lu %lu %lu %lu %lu\n", cpu, queue_kind_name(QueueKind(k)), row.queued,
					   row.handled, row.kicks, row.pending, row.wrong_cpu, row.wrong_context);
			totals[k].queued += row.queued;
			totals[k].handled += row.handled;
			totals[k].kicks += row.kicks;
			totals[k].pending += row.pending;
			totals[k].wrong_cpu += row.wrong_cpu;
			totals[k].wrong_context += row.wrong_context;
		}
	});
	for (unsigned k = 0; k < queue_kinds; k++)
		out.printf("all %s %lu %lu %lu %lu %lu %lu\n", queue_kind_name(QueueKind(k)), totals[k].queued,
			   totals[k].handled, totals[k].kicks, totals[k].pending, totals[k].wrong_cpu,
			   totals[k].wrong_context);
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
	possible_cpus().for_each([&](int cpu) {
		CpuQueue &q = queue_.queues().on(cpu);
		for (unsigned k = 0; k < queue_kinds; k++)
			s[k].add(q.stats[k].latency);
		s[queue_kinds].add(q.wake_run);
	});
	out.printf("kind count min_ns median_ns p99_ns max_ns\n");
	for (unsigned k = 0; k < queue_kinds; k++)
		s[k].print(out, queue_kind_name(QueueKind(k)));
	s[queue_kinds].print(out, "wake_run");
	out.printf("# log2 histograms: kind then upper_bound_ns:count\n");
	for (unsigned k = 0; k < queue_kinds; k++)
		s[k].print_buckets(out, queue_kind_name(QueueKind(k)));
	s[queue_kinds].print_buckets(out, "wake_run");
	delete[] s;
	return 0;
}

}  // namespace xcall
