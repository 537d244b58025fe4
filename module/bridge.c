// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel bridge: the one file of xcall that includes kernel headers.
 * It implements module/bridge.h, one small function per kernel primitive
 * the C++ side needs, and the module's entry points.
 */
#define pr_fmt(fmt) "xcall: " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/smpboot.h>
#include <linux/rcupdate.h>
#include <linux/mm.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "bridge.h"
#include "bridge_types.h"
#include "xcall_kstructs.h"

/* The storage C++ reserves for kernel structs is what the kernel uses. */
static_assert(XCALL_SIZEOF_XK_MUTEX == sizeof(struct xk_mutex));
static_assert(XCALL_ALIGNOF_XK_MUTEX == __alignof__(struct xk_mutex));
static_assert(XCALL_SIZEOF_CALL_SINGLE_DATA == sizeof(call_single_data_t));
static_assert(XCALL_ALIGNOF_CALL_SINGLE_DATA == __alignof__(call_single_data_t));
static_assert(XCALL_SIZEOF_XK_IRQ_WORK == sizeof(struct xk_irq_work));
static_assert(XCALL_SIZEOF_XK_CPUHP == sizeof(struct xk_cpuhp));

/* ---- errno: C++ uses the values through bridge.h ------------------------- */

static_assert(XK_EPERM == EPERM && XK_ENOENT == ENOENT && XK_EIO == EIO);
static_assert(XK_ENXIO == ENXIO && XK_E2BIG == E2BIG && XK_ENOMEM == ENOMEM);
static_assert(XK_EBUSY == EBUSY && XK_EEXIST == EEXIST && XK_EINVAL == EINVAL);
static_assert(XK_ENOSPC == ENOSPC && XK_EDEADLK == EDEADLK);

/* ---- memory ------------------------------------------------------------- */

/*
 * Statistics are atomics: allocations and frees happen on any CPU. They
 * live in module memory and so start from zero at every load; module exit
 * reports whatever is still live.
 */
static atomic_long_t live_allocs, live_bytes, total_allocs, total_frees,
	failed_allocs;

void *xk_alloc(size_t size, size_t align, enum xk_alloc_context ctx)
{
	gfp_t gfp = ctx == XK_ATOMIC ? GFP_ATOMIC : GFP_KERNEL;
	void *ptr;

	if (ctx == XK_MAY_SLEEP)
		might_sleep();
	if (align & (align - 1))
		return NULL;
	/*
	 * kmalloc() aligns power-of-two sizes to their size (and everything
	 * to ARCH_KMALLOC_MINALIGN), so an over-aligned request is served by
	 * rounding it up to a power of two no smaller than the alignment.
	 */
	if (align > ARCH_KMALLOC_MINALIGN)
		size = roundup_pow_of_two(max(size, align));
	ptr = kmalloc(size ? size : 1, gfp);
	if (!ptr) {
		atomic_long_inc(&failed_allocs);
		return NULL;
	}
	if (WARN_ON_ONCE(align && !IS_ALIGNED((unsigned long)ptr, align))) {
		kfree(ptr);
		atomic_long_inc(&failed_allocs);
		return NULL;
	}
	atomic_long_inc(&live_allocs);
	atomic_long_add(ksize(ptr), &live_bytes);
	atomic_long_inc(&total_allocs);
	return ptr;
}

void xk_free(void *ptr)
{
	if (!ptr)
		return;
	atomic_long_dec(&live_allocs);
	atomic_long_sub(ksize(ptr), &live_bytes);
	atomic_long_inc(&total_frees);
	kfree(ptr);
}

void xk_memory_stats_read(struct xk_memory_stats *out)
{
	out->live_allocs = atomic_long_read(&live_allocs);
	out->live_bytes = atomic_long_read(&live_bytes);
	out->total_allocs = atomic_long_read(&total_allocs);
	out->total_frees = atomic_long_read(&total_frees);
	out->failed_allocs = atomic_long_read(&failed_allocs);
}

/* ---- logging and formatting -------------------------------------------- */

void xk_log(enum xk_log_level level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	switch (level) {
	case XK_LOG_ERR:
		pr_err("%pV\n", &vaf);
		break;
	case XK_LOG_WARNING:
		pr_warn("%pV\n", &vaf);
		break;
	case XK_LOG_INFO:
		pr_info("%pV\n", &vaf);
		break;
	default:
		pr_debug("%pV\n", &vaf);
		break;
	}
	va_end(args);
}

int xk_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

void xk_bug(const char *what)
{
	pr_emerg("internal error: %s\n", what);
	BUG();
}

/* ---- CPU and context state ------------------------------------------------ */

int xk_this_cpu(void) { return raw_smp_processor_id(); }
unsigned int xk_nr_cpu_ids(void) { return nr_cpu_ids; }
int xk_cpu_online(int cpu)
{
	return cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu);
}
int xk_in_hardirq(void) { return !!in_hardirq(); }
int xk_irqs_disabled(void) { return irqs_disabled(); }
int xk_preemptible(void) { return preemptible(); }
int xk_preempt_rt(void) { return IS_ENABLED(CONFIG_PREEMPT_RT); }

void xk_preempt_disable(void) { preempt_disable(); }
void xk_preempt_enable(void) { preempt_enable(); }

unsigned long xk_local_irq_save(void)
{
	unsigned long flags;

	local_irq_save(flags);
	return flags;
}

void xk_local_irq_restore(unsigned long flags) { local_irq_restore(flags); }

/* ---- CPUs ------------------------------------------------------------------ */

static_assert(XK_MAX_CPUS % BITS_PER_LONG == 0);

int xk_cpumask_fits(void)
{
	return cpumask_size() <= XK_MAX_CPUS / 8 && nr_cpu_ids <= XK_MAX_CPUS;
}

static void copy_mask(unsigned long *bits, const struct cpumask *mask)
{
	bitmap_zero(bits, XK_MAX_CPUS);
	bitmap_copy(bits, cpumask_bits(mask), nr_cpu_ids);
}

void xk_cpumask_online(unsigned long *bits) { copy_mask(bits, cpu_online_mask); }
void xk_cpumask_possible(unsigned long *bits) { copy_mask(bits, cpu_possible_mask); }

void xk_cpus_read_lock(void) { cpus_read_lock(); }
void xk_cpus_read_unlock(void) { cpus_read_unlock(); }

int xk_in_task(void) { return in_task(); }
/*
 * Without task_lock(): get_task_comm() takes it, and it is not IRQ-safe
 * (lockdep: "inconsistent lock state" from a hard-IRQ caller). comm stays
 * NUL-terminated within TASK_COMM_LEN even while it is being renamed, so
 * the worst a race gives is a mix of old and new name: fine for a label.
 */
void xk_current_comm(char *buf) { strscpy(buf, current->comm, TASK_COMM_LEN); }
/*
 * ktime_get_ns(), not local_clock(): with an unstable TSC (as under QEMU's
 * TCG) local_clock() is clamped per CPU and short intervals can read as 0.
 */
unsigned long long xk_clock_ns(void) { return ktime_get_ns(); }
void xk_udelay(unsigned long usecs) { udelay(usecs); }
void xk_msleep(unsigned int msecs) { msleep(msecs); }
void xk_cond_resched(void) { cond_resched(); }

/* ---- cross-CPU calls (kernel/smp.c) ------------------------------------------ */

/* A bridge bitmap is a struct cpumask: XK_MAX_CPUS bits >= cpumask_size(). */
static const struct cpumask *as_cpumask(const unsigned long *bits)
{
	return to_cpumask(bits);
}

int xk_call_single_wait(int cpu, xk_call_fn fn, void *info)
{
	/* The two WARN_ON_ONCE()s of smp_call_function_single(), refused. */
	if (irqs_disabled())
		return XK_REFUSED_IRQS_OFF;
	if (!in_task())
		return XK_REFUSED_NOT_TASK;
	return smp_call_function_single(cpu, fn, info, 1);
}

void xk_csd_init(void *csd, xk_call_fn fn, void *info)
{
	INIT_CSD((call_single_data_t *)csd, fn, info);
}

int xk_call_single_async(int cpu, void *csd)
{
	return smp_call_function_single_async(cpu, (call_single_data_t *)csd);
}

void xk_call_mask(const unsigned long *mask, xk_call_fn fn, void *info, int wait)
{
	on_each_cpu_cond_mask(NULL, fn, info, wait, as_cpumask(mask));
}

void xk_call_many(const unsigned long *mask, xk_call_fn fn, void *info, int wait)
{
	preempt_disable();
	smp_call_function_many(as_cpumask(mask), fn, info, wait);
	preempt_enable();
}

int xk_call_on_cpu(unsigned int cpu, int (*fn)(void *), void *arg)
{
	return smp_call_on_cpu(cpu, fn, arg, false);
}

/* ---- irq_work (kernel/irq_work.c) ------------------------------------------------ */

static void xk_irq_work_func(struct irq_work *work)
{
	struct xk_irq_work *xw = container_of(work, struct xk_irq_work, work);

	xw->fn(xw->ctx);
}

void xk_irq_work_init(void *work, void (*fn)(void *ctx), void *ctx, unsigned int flags)
{
	struct xk_irq_work *xw = work;
	int kflags = 0;

	if (flags & XK_IRQ_WORK_HARD)
		kflags |= IRQ_WORK_HARD_IRQ;
	if (flags & XK_IRQ_WORK_LAZY)
		kflags |= IRQ_WORK_LAZY;
	xw->work = IRQ_WORK_INIT_HARD(xk_irq_work_func);
	atomic_set(&xw->work.node.a_flags, kflags);
	xw->fn = fn;
	xw->ctx = ctx;
}

int xk_irq_work_queue(void *work) { return irq_work_queue(&((struct xk_irq_work *)work)->work); }
void xk_irq_work_sync(void *work) { irq_work_sync(&((struct xk_irq_work *)work)->work); }
int xk_irq_work_busy(void *work) { return irq_work_is_busy(&((struct xk_irq_work *)work)->work); }

/* ---- per-CPU memory ---------------------------------------------------------------- */

void *xk_percpu_alloc(size_t size, size_t align)
{
	return (void __force *)__alloc_percpu(size, align);
}

void xk_percpu_free(void *pcp) { free_percpu((void __percpu __force *)pcp); }
void *xk_per_cpu_ptr(void *pcp, int cpu) { return per_cpu_ptr((void __percpu __force *)pcp, cpu); }
void *xk_this_cpu_ptr(void *pcp) { return this_cpu_ptr((void __percpu __force *)pcp); }

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

/* ---- per-CPU threads (smpboot), RCU, large allocations ----------------------- */

struct xk_thread_set {
	struct smp_hotplug_thread thread;
	int (*should_run)(void *ctx, unsigned int cpu);
	void (*run)(void *ctx, unsigned int cpu);
	void *ctx;
	bool fifo_low;
	bool started;
};

static DEFINE_PER_CPU(struct task_struct *, xk_lazy_threads);
static DEFINE_PER_CPU(struct task_struct *, xk_waiter_threads);
static struct xk_thread_set xk_thread_sets[XK_THREAD_SETS];

/* smpboot callbacks carry only the CPU: one trampoline set per thread set. */
#define XK_THREAD_TRAMPOLINES(n)							\
static int xk_should_run_##n(unsigned int cpu)						\
{											\
	return xk_thread_sets[n].should_run(xk_thread_sets[n].ctx, cpu);		\
}											\
static void xk_run_##n(unsigned int cpu)						\
{											\
	xk_thread_sets[n].run(xk_thread_sets[n].ctx, cpu);				\
}											\
static void xk_setup_##n(unsigned int cpu)						\
{											\
	if (xk_thread_sets[n].fifo_low)							\
		sched_set_fifo_low(current);						\
}
XK_THREAD_TRAMPOLINES(0)
XK_THREAD_TRAMPOLINES(1)

static struct task_struct *__percpu *const xk_thread_store[XK_THREAD_SETS] = {
	&xk_lazy_threads, &xk_waiter_threads,
};

int xk_percpu_threads_start(unsigned int set, const char *comm_fmt, int (*should_run)(void *ctx, unsigned int cpu),
			    void (*run)(void *ctx, unsigned int cpu), void *ctx, int fifo_low)
{
	struct xk_thread_set *ts;
	int err;

	if (set >= XK_THREAD_SETS || xk_thread_sets[set].started)
		return -EINVAL;
	ts = &xk_thread_sets[set];
	memset(&ts->thread, 0, sizeof(ts->thread));
	ts->should_run = should_run;
	ts->run = run;
	ts->ctx = ctx;
	ts->fifo_low = fifo_low;
	ts->thread.store = xk_thread_store[set];
	ts->thread.thread_should_run = set == 0 ? xk_should_run_0 : xk_should_run_1;
	ts->thread.thread_fn = set == 0 ? xk_run_0 : xk_run_1;
	ts->thread.setup = set == 0 ? xk_setup_0 : xk_setup_1;
	ts->thread.thread_comm = comm_fmt;
	err = smpboot_register_percpu_thread(&ts->thread);
	if (!err)
		ts->started = true;
	return err;
}

void xk_percpu_threads_stop(unsigned int set)
{
	if (set >= XK_THREAD_SETS || !xk_thread_sets[set].started)
		return;
	smpboot_unregister_percpu_thread(&xk_thread_sets[set].thread);
	xk_thread_sets[set].started = false;
}

void xk_percpu_thread_wake(unsigned int set, int cpu)
{
	struct task_struct *task = per_cpu(*xk_thread_store[set], cpu);

	if (task)
		wake_up_process(task);
}

void xk_synchronize_rcu(void) { synchronize_rcu(); }

void *xk_alloc_large(size_t size)
{
	void *ptr = kvmalloc(size ? size : 1, GFP_KERNEL);

	if (!ptr) {
		atomic_long_inc(&failed_allocs);
		return NULL;
	}
	atomic_long_inc(&live_allocs);
	atomic_long_inc(&total_allocs);
	return ptr;
}

void xk_free_large(void *ptr)
{
	if (!ptr)
		return;
	atomic_long_dec(&live_allocs);
	atomic_long_inc(&total_frees);
	kvfree(ptr);
}

/* ---- benchmark baselines ---------------------------------------------------------- */

static void bench_sync_fn(void *info)
{
	(*(unsigned long *)info)++;
}

unsigned long long xk_bench_raw_sync(int cpu, unsigned int n)
{
	unsigned long count = 0;
	u64 start = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		smp_call_function_single(cpu, bench_sync_fn, &count, 1);
	return ktime_get_ns() - start;
}

struct bench_async {
	call_single_data_t csd;
	unsigned long count;
	int done;
};

static void bench_async_fn(void *info)
{
	struct bench_async *b = info;

	b->count++;
	smp_store_release(&b->done, 1);	/* pairs with the loop's acquire */
}

unsigned long long xk_bench_raw_async(int cpu, unsigned int n)
{
	struct bench_async b = { .count = 0 };
	u64 start;
	unsigned int i;

	INIT_CSD(&b.csd, bench_async_fn, &b);
	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		WRITE_ONCE(b.done, 0);
		smp_call_function_single_async(cpu, &b.csd);
		smp_cond_load_acquire(&b.done, VAL);
	}
	return ktime_get_ns() - start;
}

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
	return ret ? ret : len;
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

/* ---- module entry points ---------------------------------------------- */

static int __init xcall_init(void)
{
	if (!xk_cpumask_fits()) {
		pr_err("this kernel's cpumask (%u bytes, %u CPUs) exceeds xcall's %d-CPU masks\n",
		       cpumask_size(), nr_cpu_ids, XK_MAX_CPUS);
		return -EOPNOTSUPP;
	}
	/*
	 * busybox insmod retries with init_module() when finit_module()
	 * fails, so this may run twice in a row: the C++ side cleans up
	 * completely on failure.
	 */
	return xcall_cxx_init();
}

static void __exit xcall_exit(void)
{
	struct xk_memory_stats stats;

	xcall_cxx_exit();
	xk_memory_stats_read(&stats);
	if (stats.live_allocs || stats.live_bytes)
		pr_err("leaked %ld allocations (%ld bytes) at unload\n",
		       stats.live_allocs, stats.live_bytes);
	else
		pr_info("unloaded: %ld allocations, all returned\n",
			stats.total_allocs);
}

module_init(xcall_init);
module_exit(xcall_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xcall: C++ cross-CPU calls and a merged remote call queue");
MODULE_AUTHOR("xcall developers");
