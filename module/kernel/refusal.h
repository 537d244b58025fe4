// SPDX-License-Identifier: GPL-2.0
// Misuse that would deadlock or corrupt the kernel is refused with an errno,
// and reported once per kind with a line of xcall's own: not a kernel WARN,
// which would taint the run (and fail the test suite's splat check).
#pragma once

namespace xcall {

enum class Misuse : unsigned {
	CallWithIrqsOff,	// a waiting call with interrupts off: -EDEADLK
	CallFromAtomic,		// a waiting call from IRQ/softirq/atomic context: -EDEADLK
	SleepFromAtomic,	// a sleeping call from a context that cannot sleep: -EDEADLK
	BadCpu,			// target offline or >= nr_cpu_ids: -ENXIO
	AsyncInFlight,		// async call re-submitted while queued: -EBUSY
	NodeInFlight,		// queue node (call, wake) queued again while queued: -EBUSY
	ClientBadItem,		// client's xcall_irq_work not set up by an initialiser: -EINVAL
	ClientGoing,		// client item raised while its module unloads: -ENODEV
	Count,
};

// Returns @err (a negative errno) after logging @what once.
int refuse(Misuse what, int err) noexcept;

// How often each kind was refused since load (for tests and debugfs).
unsigned long refusal_count(Misuse what) noexcept;

class Text;
// debugfs "refusals": one line per kind, "name count".
int show_refusals(Text &out) noexcept;

}  // namespace xcall
