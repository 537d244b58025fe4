// SPDX-License-Identifier: GPL-2.0
#include "kernel/debugfs.h"

namespace xcall {

int DebugfsDir::create(const char *name) noexcept
{
	if (dentry_)
		return -XK_EEXIST;
	dentry_ = xk_debugfs_create_dir(name);
	return dentry_ ? 0 : -XK_ENOMEM;
}

void DebugfsDir::remove() noexcept
{
	xk_debugfs_remove(cxxrt::exchange(dentry_, nullptr));
}

int DebugfsFile::create_raw(DebugfsDir &dir, const char *name, const xk_file_handlers *handlers,
			    void *ctx) noexcept
{
	if (dentry_)
		return -XK_EEXIST;
	if (!dir.dentry())
		return -XK_ENOENT;
	dentry_ = xk_debugfs_create_file(dir.dentry(), name, handlers, ctx);
	return dentry_ ? 0 : -XK_ENOMEM;
}

void DebugfsFile::remove() noexcept
{
	xk_debugfs_remove(cxxrt::exchange(dentry_, nullptr));
}

}  // namespace xcall
