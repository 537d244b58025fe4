// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic CPU hotplug states (cpuhp).
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/cpuhotplug.h>
#include <linux/list.h>
#include <linux/string.h>

#include "bridge.h"
#include "bridge_types.h"
#include "xcall_kstructs.h"

static_assert(XCALL_SIZEOF_XK_CPUHP == sizeof(struct xk_cpuhp));


/* ---- CPU hotplug states ---------------------------------------------------------- */

static int xk_cpuhp_online(unsigned int cpu, struct hlist_node *node)
{
	struct xk_cpuhp *hp = hlist_entry(node, struct xk_cpuhp, node);

	return hp->online ? hp->online(hp->ctx, cpu) : 0;
}

static int xk_cpuhp_offline(unsigned int cpu, struct hlist_node *node)
{
	struct xk_cpuhp *hp = hlist_entry(node, struct xk_cpuhp, node);

	return hp->offline ? hp->offline(hp->ctx, cpu) : 0;
}

int xk_cpuhp_add(void *storage, const char *name, int (*online)(void *ctx, unsigned int cpu),
		 int (*offline)(void *ctx, unsigned int cpu), void *ctx)
{
	struct xk_cpuhp *hp = storage;
	int state, err;

	memset(hp, 0, sizeof(*hp));
	hp->online = online;
	hp->offline = offline;
	hp->ctx = ctx;
	state = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN, name, xk_cpuhp_online,
					xk_cpuhp_offline);
	if (state < 0)
		return state;
	/* Invokes @online on each online CPU; on failure, rolls back itself. */
	err = cpuhp_state_add_instance(state, &hp->node);
	if (err) {
		cpuhp_remove_multi_state(state);
		return err;
	}
	hp->state = state;
	return 0;
}

void xk_cpuhp_remove(void *storage)
{
	struct xk_cpuhp *hp = storage;

	if (!hp->state)
		return;
	/* Invokes @offline on each online CPU, then the state goes. */
	cpuhp_state_remove_instance(hp->state, &hp->node);
	cpuhp_remove_multi_state(hp->state);
	hp->state = 0;
}
