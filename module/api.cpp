// SPDX-License-Identifier: GPL-2.0
#include "api.h"

#include <cxxrt/atomic.h>

#include "bridge/bridge.h"
#include "include/xcall/xcall.h"
#include "kernel/refusal.h"
#include "queue/remote_queue.h"

namespace xcall {
namespace {

// A client's struct xcall_irq_work starts with xcall's queue node, held as
// opaque words: the layout the header promises is checked here.
static_assert(sizeof(cq::Node) == sizeof(xcall_irq_work::__xcall_node));
static_assert(alignof(cq::Node) <= alignof(unsigned long));
static_assert(__builtin_offsetof(xcall_irq_work, __xcall_node) == 0);
static_assert(__builtin_offsetof(cq::Node, func) == XCALL_IRQ_WORK_RUN_WORD * sizeof(unsigned long));
static_assert(XCALL_QUEUED == RemoteQueue::queued && XCALL_ALREADY_PENDING == RemoteQueue::already_pending);
static_assert(XCALL_IRQ_WORK_HARD == XK_IRQ_WORK_HARD && XCALL_IRQ_WORK_LAZY == XK_IRQ_WORK_LAZY);

// Set by ClientApi::attach() in module init, before any client can resolve
// xcall's symbols; cleared at exit, after the last client is gone.
constinit RemoteQueue *client_queue = nullptr;

// The node is the item's first member; the initialisers left it zeroed
// (idle, as a constructed cq::Node) but for its func.
cq::Node &node_of(xcall_irq_work *work) noexcept { return *reinterpret_cast<cq::Node *>(work->__xcall_node); }

// What the initialisers store as the node's func. The drain calls it with
// the node's address; its C prototype takes void *, the same argument.
bool set_up_by_initialiser(const cq::Node &node) noexcept
{
	return reinterpret_cast<void *>(cxxrt::read_once(node.func)) == reinterpret_cast<void *>(&__xcall_irq_work_run);
}

}  // namespace

void ClientApi::attach() noexcept { cxxrt::write_once(client_queue, &queue_); }
void ClientApi::detach() noexcept { cxxrt::write_once(client_queue, static_cast<RemoteQueue *>(nullptr)); }

}  // namespace xcall

using namespace xcall;

int xcall_irq_work_queue_on(xcall_irq_work *work, int cpu) noexcept
{
	cq::Node &node = node_of(work);
	unsigned flags = work->flags;
	if (!set_up_by_initialiser(node) || (flags & ~(XCALL_IRQ_WORK_HARD | XCALL_IRQ_WORK_LAZY)) ||
	    flags == (XCALL_IRQ_WORK_HARD | XCALL_IRQ_WORK_LAZY))
		return refuse(Misuse::ClientBadItem, -XK_EINVAL);
	QueueKind kind = flags & XCALL_IRQ_WORK_HARD   ? QueueKind::IrqWorkHard
			 : flags & XCALL_IRQ_WORK_LAZY ? QueueKind::IrqWorkLazy
						       : QueueKind::IrqWork;
	// A queued item pins its owner until its function has returned
	// (__xcall_irq_work_run()): the owner cannot unload with work queued.
	if (!xk_module_get(work->owner))
		return refuse(Misuse::ClientGoing, -XK_ENODEV);
	// The claim inside queue() is fully ordered ((3) of call_queue.h): the
	// run, pending or new, sees what the caller wrote before this call.
	int ret = cxxrt::read_once(client_queue)->queue(cpu, node, kind);
	if (ret != RemoteQueue::queued)
		xk_module_put(work->owner);
	return ret;
}

void __xcall_irq_work_run(void *node) noexcept
{
	auto *work = reinterpret_cast<xcall_irq_work *>(node);	// the node is at offset 0
	struct module *owner = work->owner;	// read first: func may re-raise or let it go
	work->func(work);
	xk_module_put(owner);	// the queueing's reference
}

int xcall_irq_work_sync(xcall_irq_work *work) noexcept
{
	if (xk_irqs_disabled() || !xk_in_task() || !xk_preemptible())
		return refuse(Misuse::SleepFromAtomic, -XK_EDEADLK);
	const cq::Node &node = node_of(work);
	// idle() is an acquire: pairs with the run's BUSY clear ((4) of
	// call_queue.h). Hard items finish within microseconds; lazy ones wait
	// for a thread, so sleep after a short spin.
	for (unsigned spins = 0; !node.idle(); spins++) {
		if (spins < 1000)
			cxxrt::cpu_relax();
		else
			xk_msleep(1);
	}
	return 0;
}

int xcall_call_sync(int cpu, void (*fn)(void *info), void *info) noexcept
{
	return cxxrt::read_once(client_queue)->call(cpu, [fn, info] { fn(info); });
}
