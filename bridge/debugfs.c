// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs files with typed handlers: one command per write, seq_file reads.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

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

static int xk_file_show(struct seq_file *seq, void *unused)
{
	struct xk_file *file = seq->private;

	return file->handlers->show(file->ctx, (struct xk_text *)seq);
}

static int xk_file_open(struct inode *inode, struct file *filp)
{
	struct xk_file *file = inode->i_private;

	if ((filp->f_mode & FMODE_READ) && !file->handlers->show)
		return -EPERM;
	if ((filp->f_mode & FMODE_WRITE) && !file->handlers->store)
		return -EPERM;
	if (!(filp->f_mode & FMODE_READ)) {
		filp->private_data = file;
		return nonseekable_open(inode, filp);
	}
	return single_open(filp, xk_file_show, file);
}

static int xk_file_release(struct inode *inode, struct file *filp)
{
	if (filp->f_mode & FMODE_READ)
		return single_release(inode, filp);
	return 0;
}

static ssize_t xk_file_write(struct file *filp, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct xk_file *file = file_inode(filp)->i_private;
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
	ret = file->handlers->store(file->ctx, buf, n);
	if (ret)
		return ret;
	/* The command is consumed: a second write(2) on this open file is refused. */
	*ppos += len;
	return len;
}

static const struct file_operations xk_file_fops = {
	.owner = THIS_MODULE,
	.open = xk_file_open,
	.read = seq_read,
	.write = xk_file_write,
	.llseek = no_llseek,
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
