// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs files with typed handlers: one command per write, seq_file reads.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "bridge.h"


/* ---- debugfs -------------------------------------------------------------- */

struct xk_text {
	struct seq_file seq;
};

/* seq_file is the first member, so the cast is the container_of. */
static_assert(offsetof(struct xk_text, seq) == 0);

void xk_text_printf(struct xk_text *text, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	seq_vprintf(&text->seq, fmt, args);
	va_end(args);
}

/*
 * A file's inode->i_private points to this pair; it is allocated with the
 * file and freed after debugfs_remove() has waited out running handlers.
 */
struct xk_file {
	const struct xk_file_handlers *handlers;
	void *ctx;
};

/*
 * One open of a file: whether its one command has been sent. Not f_pos:
 * ksys_write() stores the position back only when write(2) succeeds, and a
 * command cut short by a fatal signal has had its effect all the same.
 * @lock orders writers sharing the open file (threads, a forked child):
 * f_pos_lock covers write(2) on a shared file, not every path to ->write.
 */
struct xk_open {
	struct xk_file *file;
	struct mutex lock;
	bool spent;
};

static int xk_file_show(struct seq_file *seq, void *unused)
{
	struct xk_open *open = seq->private;

	return open->file->handlers->show(open->file->ctx, (struct xk_text *)seq);
}

static int xk_file_open(struct inode *inode, struct file *filp)
{
	struct xk_file *file = inode->i_private;
	struct xk_open *open;
	int err;

	if ((filp->f_mode & FMODE_READ) && !file->handlers->show)
		return -EPERM;
	if ((filp->f_mode & FMODE_WRITE) && !file->handlers->store)
		return -EPERM;
	open = xk_alloc(sizeof(*open), 0, XK_MAY_SLEEP);
	if (!open)
		return -ENOMEM;
	open->file = file;
	mutex_init(&open->lock);
	open->spent = false;
	if (!(filp->f_mode & FMODE_READ)) {
		filp->private_data = open;
		return nonseekable_open(inode, filp);
	}
	err = single_open(filp, xk_file_show, open);
	if (err)
		xk_free(open);
	return err;
}

static struct xk_open *xk_open_of(struct file *filp)
{
	if (filp->f_mode & FMODE_READ)
		return ((struct seq_file *)filp->private_data)->private;
	return filp->private_data;
}

static int xk_file_release(struct inode *inode, struct file *filp)
{
	struct xk_open *open = xk_open_of(filp);
	int ret = 0;

	if (filp->f_mode & FMODE_READ)
		ret = single_release(inode, filp);
	mutex_destroy(&open->lock);
	xk_free(open);
	return ret;
}

/*
 * One command per open file, run at most once. A handler returns 0 (done),
 * -errno (refused, nothing changed: the file still takes a command) or
 * XK_STORE_CUT_SHORT (it had its effect, then a fatal signal ended its wait:
 * the dying writer gets -EINTR). Either of the first and last spends the
 * file, so no retry on it, by this writer or another sharing the file, can
 * send the command again. A handler that waits does so killably, never
 * interruptibly: the kernel's rule that a system call which has had its
 * effect does not report EINTR, since the caller's retry would redo it.
 */
static ssize_t xk_file_write(struct file *filp, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct xk_open *open = xk_open_of(filp);
	struct xk_file *file = open->file;
	char buf[XK_DEBUGFS_WRITE_MAX + 1];
	size_t n = len;
	int ret;

	/* One command per write(2): partial or appended writes are refused. */
	if (*ppos != 0 || len == 0)
		return -EINVAL;
	if (len > XK_DEBUGFS_WRITE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (strlen(buf) != n)	/* an embedded NUL */
		return -EINVAL;
	/* Nothing has happened yet: a restart after a fatal signal is exact. */
	if (mutex_lock_killable(&open->lock))
		return -EINTR;
	if (open->spent) {
		mutex_unlock(&open->lock);
		return -EINVAL;	/* the command was sent: open the file again */
	}
	ret = file->handlers->store(file->ctx, buf, n);
	if (ret >= 0)
		open->spent = true;
	mutex_unlock(&open->lock);
	if (ret == XK_STORE_CUT_SHORT)
		return -EINTR;
	if (ret)
		return ret;
	*ppos += len;
	return len;
}

static const struct file_operations xk_file_fops = {
	.owner = THIS_MODULE,
	.open = xk_file_open,
	.read = seq_read,
	.write = xk_file_write,
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
	.llseek = no_llseek,
#endif
	/*
	 * 6.12 removed no_llseek: no .llseek means the same there (-ESPIPE),
	 * since do_dentry_open() sets FMODE_LSEEK only for files that have one.
	 */
	.release = xk_file_release,
};

struct xk_dentry *xk_debugfs_create_dir(const char *name)
{
	struct dentry *dir = debugfs_create_dir(name, NULL);

	return IS_ERR_OR_NULL(dir) ? NULL : (struct xk_dentry *)dir;
}

struct xk_dentry *xk_debugfs_create_file(struct xk_dentry *dir, const char *name,
					 const struct xk_file_handlers *handlers,
					 void *ctx)
{
	umode_t mode = (handlers->show ? 0400 : 0) | (handlers->store ? 0200 : 0);
	struct xk_file *file;
	struct dentry *dentry;

	file = xk_alloc(sizeof(*file), 0, XK_MAY_SLEEP);
	if (!file)
		return NULL;
	file->handlers = handlers;
	file->ctx = ctx;
	dentry = debugfs_create_file(name, mode, (struct dentry *)dir, file,
				     &xk_file_fops);
	if (IS_ERR_OR_NULL(dentry)) {
		xk_free(file);
		return NULL;
	}
	return (struct xk_dentry *)dentry;
}

void xk_debugfs_remove(struct xk_dentry *xd)
{
	struct dentry *dentry = (struct dentry *)xd;
	void *file = NULL;

	if (!dentry)
		return;
	if (d_is_reg(dentry))
		file = d_inode(dentry)->i_private;
	/*
	 * debugfs_remove() waits for handlers running through debugfs's
	 * proxy fops to finish (debugfs_file_get/put) and makes later calls
	 * fail, so freeing the handler pair afterwards is safe.
	 */
	debugfs_remove(dentry);
	xk_free(file);
}
