// SPDX-License-Identifier: GPL-2.0
#include "kernel/refusal.h"

#include <cxxrt/atomic.h>

#include "bridge/bridge.h"
#include "kernel/debugfs.h"

namespace xcall {
namespace {

constexpr unsigned kinds = unsigned(Misuse::Count);

constexpr const char *names[kinds] = {
	"call_with_irqs_off", "call_from_atomic", "sleep_from_atomic", "bad_cpu", "async_in_flight", "node_in_flight",
	"client_bad_item", "client_going",
};

constexpr const char *descriptions[kinds] = {
	"a waiting cross-CPU call with interrupts disabled",
	"a waiting cross-CPU call from interrupt or atomic context",
	"a sleeping cross-CPU call from a context that cannot sleep",
	"a cross-CPU call to a CPU that is offline or does not exist",
	"an asynchronous call re-submitted while still queued",
	"a queue node queued again while still queued",
	"a client's xcall_irq_work not set up by an initialiser",
	"a client's xcall_irq_work raised while its module is unloading",
};

constinit unsigned long counts[kinds];
constinit int warned[kinds];

}  // namespace

int refuse(Misuse what, int err) noexcept
{
	unsigned i = unsigned(what);
	cxxrt::atomic_add(counts[i], 1);
	// xchg: exactly one caller sees 0 and prints, whatever the concurrency.
	if (cxxrt::xchg(warned[i], 1) == 0)
		xk_log(XK_LOG_WARNING, "refused %s (%d); reported once", descriptions[i], err);
	return err;
}

unsigned long refusal_count(Misuse what) noexcept
{
	return cxxrt::read_once(counts[unsigned(what)]);
}

int show_refusals(Text &out) noexcept
{
	for (unsigned i = 0; i < kinds; i++)
		out.printf("%s %lu\n", names[i], cxxrt::read_once(counts[i]));
	return 0;
}

}  // namespace xcall
