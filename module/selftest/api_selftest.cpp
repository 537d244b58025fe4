// SPDX-License-Identifier: GPL-2.0
// In-kernel cases of the C API for client modules (module/api.cpp), called
// as a client calls it, through the bridge's C entry points: the refusals
// (each with its errno), a remote item run once with the raiser's write
// seen, sync from atomic context refused, and an IRQs-off sync call.
#include "include/xcall/xcall.h"
#include "kernel/refusal.h"
#include "kernel/sync.h"
#include "selftest/selftest.h"

namespace xcall {
namespace {

struct ClientItem {
	xcall_irq_work work{};	// first: the item's address is the node's; zeroed
	int ran_on = -1;
	int runs = 0;
	unsigned long seen = 0, token = 0;
};

void client_item_func(xcall_irq_work *work)
{
	auto *item = reinterpret_cast<ClientItem *>(work);
	item->ran_on = this_cpu();
	item->seen = cxxrt::read_once(item->token);
	cxxrt::write_once(item->runs, item->runs + 1);
}

// What XCALL_IRQ_WORK_INIT_HARD() does in C (THIS_MODULE: none, built in).
void set_up(xcall_irq_work &work, unsigned flags) noexcept
{
	work = xcall_irq_work{};
	work.__xcall_node[XCALL_IRQ_WORK_RUN_WORD] = reinterpret_cast<unsigned long>(&__xcall_irq_work_run);
	work.func = client_item_func;
	work.flags = flags;
}

void client_api(Check &check, const SelfTestEnv &)
{
	int target = other_online_cpu(this_cpu());
	if (!check.expect(target >= 0, "needs two online CPUs"))
		return;

	ClientItem bad;
	unsigned long bad_before = refusal_count(Misuse::ClientBadItem);
	int ret = xcall_irq_work_queue_on(&bad.work, target);	// zeroed: no initialiser
	check.expect(ret == -XK_EINVAL, "item without initialiser: %d, expected -EINVAL", ret);
	set_up(bad.work, XCALL_IRQ_WORK_HARD | XCALL_IRQ_WORK_LAZY);
	ret = xcall_irq_work_queue_on(&bad.work, target);
	check.expect(ret == -XK_EINVAL, "hard and lazy: %d, expected -EINVAL", ret);
	check.expect(refusal_count(Misuse::ClientBadItem) == bad_before + 2, "client_bad_item not counted twice");

	ClientItem item;
	set_up(item.work, XCALL_IRQ_WORK_HARD);
	ret = xcall_irq_work_queue_on(&item.work, int(xk_nr_cpu_ids()));
	check.expect(ret == -XK_ENXIO, "CPU nr_cpu_ids: %d, expected -ENXIO", ret);
	cxxrt::write_once(item.token, 42UL);
	ret = xcall_irq_work_queue_on(&item.work, target);
	check.expect(ret == XCALL_QUEUED, "queue_on: %d, expected XCALL_QUEUED", ret);
	{
		PreemptGuard atomic;
		ret = xcall_irq_work_sync(&item.work);
	}
	check.expect(ret == -XK_EDEADLK, "sync with preemption off: %d, expected -EDEADLK", ret);
	ret = xcall_irq_work_sync(&item.work);
	check.expect(ret == 0, "sync: %d", ret);
	check.expect(item.runs == 1 && item.ran_on == target && item.seen == 42,
		     "ran %d times, on CPU %d (target %d), saw %lu (42)", item.runs, item.ran_on, target, item.seen);

	struct Call {
		int ran_on = -1;
	} call;
	{
		IrqSaveGuard irqs_off;
		ret = xcall_call_sync(target, [](void *info) { static_cast<Call *>(info)->ran_on = this_cpu(); }, &call);
	}
	check.expect(ret == 0 && call.ran_on == target, "IRQs-off sync call: %d, ran on %d (target %d)", ret,
		     call.ran_on, target);
}

constexpr SelfTestCase api_cases[] = {
	{"client_api", client_api},
};

}  // namespace

cxxrt::Span<const SelfTestCase> client_api_selftests() noexcept { return api_cases; }

}  // namespace xcall
