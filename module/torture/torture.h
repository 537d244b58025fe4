// SPDX-License-Identifier: GPL-2.0
// The in-kernel torture: one kthread per online CPU picks random operations
// by weight from everything xcall offers (the RAII wrappers over the
// kernel's calls and every kind of the merged queue) while an on/off thread
// takes CPUs down and up at random intervals. It queues the way kernel code
// does: preemption off, no CPU-hotplug lock, so CPUs go down mid-queue.
//
// Every operation is checked (scftorture checks ordering; this checks
// ordering and exact accounting):
//  - what the caller wrote before queueing is seen by the function;
//  - what the function wrote is seen by a sync caller after it returns;
//  - an irq_work claim that found the item pending has its write seen by
//    that pending run (the last run sees the last claimer's token);
//  - each accepted operation ran exactly once, on its CPU, in the context
//    its kind promises; each refused one (-ENXIO) never ran; a node not run
//    within lost_after_ns counts as lost.
// The first violation stops the run and is reported with the operation,
// CPUs and values. The debugfs face is knobs/torture_knob.h.
#pragma once

#include <cxxrt/atomic.h>
#include <cxxrt/utility.h>

#include "bridge/bridge.h"

namespace xcall {

class RemoteQueue;
class Text;

enum class TortureOp : unsigned char {
	CallOn,		  // call_on(): smp_call_function_single(wait=1)
	AsyncCall,	  // AsyncCall::submit(), then wait()
	CallOnMask,	  // call_on_mask(): on_each_cpu_cond_mask(wait=1)
	RunOnCpu,	  // run_on_cpu(): smp_call_on_cpu()
	IrqWork,	  // IrqWork (default), claimed 1-3 times, then sync()
	IrqWorkHard,
	IrqWorkLazy,
	QueueCall,	  // RemoteQueue::call(), interrupts on
	QueueCallIrqsOff, // RemoteQueue::call(), interrupts off
	QueueAsync,	  // a batch of async nodes to random CPUs
	QueueIrqWork,	  // a queue irq_work item, claimed 1-4 times on one CPU
	QueueIrqWorkHard,
	QueueIrqWorkLazy,
	QueueWake,
	Count,
};
constexpr unsigned torture_ops = unsigned(TortureOp::Count);

struct TortureConfig {
	unsigned seconds = 0;
	bool hotplug = true;
};

struct TortureOpCounts {
	unsigned long ops = 0;	   // attempts (each node of a batch, each claim)
	unsigned long ran = 0;	   // accepted, and checked to have run exactly once
	unsigned long refused = 0; // -ENXIO, and checked never to have run
	unsigned long pending = 0; // irq_work claims that found the item pending
};

class Torture : cxxrt::Pinned {
public:
	static constexpr unsigned long long lost_after_ns = 15'000'000'000ULL;

	explicit Torture(RemoteQueue &queue) noexcept : queue_(queue) {}
	~Torture() { stop(); }

	// Process context; the caller serialises start/stop/report. -EBUSY
	// while a run is going, -ENOMEM, or 0 once the threads are started.
	[[nodiscard]] int start(const TortureConfig &config) noexcept;
	// Ends a run (if any) and waits for every thread; results are kept.
	void stop() noexcept;
	bool running() const noexcept { return controller_ && !cxxrt::load_acquire(done_); }
	void report(Text &out) noexcept;

	// Called by the checks, in any context: the first one is kept.
	void violation(TortureOp op, int cpu, const char *what, unsigned long expected,
		       unsigned long seen) noexcept;
	bool stopping() const noexcept { return cxxrt::read_once(stopping_); }
	// Bumped around each offline/online by the on/off thread: an operation
	// that saw it change overlapped a hotplug of that CPU.
	unsigned long hotplug_gen(int cpu) const noexcept;

	RemoteQueue &queue() noexcept { return queue_; }

	struct Worker;

private:
	static int controller_main(void *self) noexcept;
	static int onoff_main(void *self) noexcept;
	static int worker_main(void *worker) noexcept;
	void finish() noexcept;	// the controller, once the run ends
	void join() noexcept;
	void sum(TortureOpCounts *totals) const noexcept;

	RemoteQueue &queue_;
	TortureConfig config_;
	void *controller_ = nullptr;
	void *onoff_ = nullptr;
	Worker **workers_ = nullptr;
	unsigned nr_workers_ = 0;
	unsigned cpus_ = 0;	// workers of the last run
	unsigned long *hotplug_gen_ = nullptr;	// nr_cpu_ids entries

	int stopping_ = 0;	// workers and on/off thread end
	int done_ = 0;		// the controller has finished: totals_ final
	int violated_ = 0;	// the first violation took report_
	unsigned long violations_ = 0;
	char report_[256] = {};
	unsigned long long start_ns_ = 0, end_ns_ = 0;
	unsigned long offlines_ = 0, onlines_ = 0, hotplug_failures_ = 0;
	TortureOpCounts totals_[torture_ops] = {};
};

const char *torture_op_name(TortureOp op) noexcept;

}  // namespace xcall
