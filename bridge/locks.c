// SPDX-License-Identifier: GPL-2.0
/*
 * Sleeping locks with a lockdep class per lock.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>

#include "bridge.h"
#include "bridge_types.h"
#include "xcall_kstructs.h"

static_assert(XCALL_SIZEOF_XK_MUTEX == sizeof(struct xk_mutex));
static_assert(XCALL_ALIGNOF_XK_MUTEX == __alignof__(struct xk_mutex));


/* ---- sleeping locks ------------------------------------------------------- */

/*
 * Each xcall mutex has its own lockdep key, so its own class: mutex_init()
 * would give every mutex initialised here one shared class. A key in the
 * module's static memory is valid as it is (lockdep WARNs if one is
 * registered); any other must be registered, and unregistered before its
 * memory goes. Without lockdep all of this compiles away.
 */
static bool xk_key_is_static(struct lock_class_key *key)
{
	return within_module((unsigned long)key, THIS_MODULE);
}

void xk_mutex_init(void *storage)
{
	struct xk_mutex *m = storage;

	if (!xk_key_is_static(&m->key))
		lockdep_register_key(&m->key);
	__mutex_init(&m->mutex, "xcall_mutex", &m->key);
}

void xk_mutex_destroy(void *storage)
{
	struct xk_mutex *m = storage;

	mutex_destroy(&m->mutex);
	if (!xk_key_is_static(&m->key))
		lockdep_unregister_key(&m->key);
}

void xk_mutex_lock(void *storage) { mutex_lock(&((struct xk_mutex *)storage)->mutex); }
void xk_mutex_unlock(void *storage) { mutex_unlock(&((struct xk_mutex *)storage)->mutex); }
