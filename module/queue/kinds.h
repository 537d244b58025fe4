// SPDX-License-Identifier: GPL-2.0
// The kinds of node the merged queue carries, in one table: the knob's
// parser, the queue, the drain, the statistics and the self-tests all read
// a kind's name, node type and where it runs from here.
#pragma once

#include <cxxrt/optional.h>
#include <cxxrt/string_view.h>

#include "queue/call_queue.h"

namespace xcall {

enum class QueueKind : unsigned short { Call, Async, IrqWork, IrqWorkHard, IrqWorkLazy, Wake, Count };
constexpr unsigned queue_kinds = unsigned(QueueKind::Count);

// Where a kind's function runs once its node is drained.
enum class RunsIn : unsigned char {
	Drain,		// in the drain: hard IRQ (or wherever the list is drained, IRQs off)
	LazyThread,	// in xcall_lazy/N on every kernel
	LazyThreadOnRt,	// in the drain, but in xcall_lazy/N on PREEMPT_RT
};

struct KindInfo {
	const char *name;
	unsigned node_type;	// cq type bits: kind_* plus work_hard/work_lazy
	bool irq_work;		// claimed (cq::claim_work), else locked (cq::lock_node)
	RunsIn runs_in;
};

inline constexpr KindInfo kind_table[queue_kinds] = {
	{"call", cq::kind_sync, false, RunsIn::Drain},
	{"async", cq::kind_async, false, RunsIn::Drain},
	{"irq_work", cq::kind_irq_work, true, RunsIn::LazyThreadOnRt},
	{"irq_work_hard", cq::kind_irq_work | cq::work_hard, true, RunsIn::Drain},
	{"irq_work_lazy", cq::kind_irq_work | cq::work_lazy, true, RunsIn::LazyThread},
	{"wake", cq::kind_wake, false, RunsIn::Drain},
};

constexpr const KindInfo &kind_info(QueueKind kind) noexcept { return kind_table[unsigned(kind)]; }
constexpr const char *kind_name(QueueKind kind) noexcept
{
	return unsigned(kind) < queue_kinds ? kind_table[unsigned(kind)].name : "?";
}
constexpr bool is_irq_work(QueueKind kind) noexcept { return kind_info(kind).irq_work; }

// Whether @kind's function runs in xcall_lazy/N rather than in the drain.
constexpr bool runs_in_thread(QueueKind kind, bool preempt_rt) noexcept
{
	RunsIn where = kind_info(kind).runs_in;
	return where == RunsIn::LazyThread || (where == RunsIn::LazyThreadOnRt && preempt_rt);
}

inline cxxrt::Optional<QueueKind> kind_by_name(cxxrt::StringView word) noexcept
{
	for (unsigned k = 0; k < queue_kinds; k++)
		if (word == kind_table[k].name)
			return QueueKind(k);
	return cxxrt::nullopt;
}

// @f(kind) for every kind, in table order.
template <typename F>
constexpr void for_each_kind(F &&f)
{
	for (unsigned k = 0; k < queue_kinds; k++)
		f(QueueKind(k));
}

}  // namespace xcall
