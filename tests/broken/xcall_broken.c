// SPDX-License-Identifier: GPL-2.0
/*
 * Deliberately broken, for tests/detectors.sh only: each write to
 * /sys/kernel/debug/xcall_broken/trigger commits one bug that a checking
 * kernel must report. A test harness that stays green on these is broken.
 *
 *   uaf              a read after kfree()          -> KASAN
 *   sleep_in_atomic  mutex_lock() with preemption off -> DEBUG_ATOMIC_SLEEP
 *   abba             lock A then B, later B then A -> lockdep
 *   race             unsynchronised writes from two CPUs -> KCSAN
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/smp.h>

static struct dentry *dir;
static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static long racy_counter;

static noinline void use_after_free(void)
{
	long *p = kmalloc(sizeof(*p) * 4, GFP_KERNEL);

	if (!p)
		return;
	p[0] = 1;
	kfree(p);
	pr_info("xcall_broken: read %ld after free\n", READ_ONCE(p[1]));
}

/*
 * An uncontended mutex does not actually sleep, so only might_sleep()'s
 * check (CONFIG_DEBUG_ATOMIC_SLEEP) sees it: the bug Debian's kernels miss.
 */
static noinline void sleep_in_atomic(void)
{
	preempt_disable();
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	preempt_enable();
}

static noinline void abba(void)
{
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);

	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
}

static atomic_t racers;

/* Every CPU waits for the others, then all increment at once, unmarked. */
static void race_fn(void *unused)
{
	int i;

	atomic_inc(&racers);
	while (atomic_read(&racers) < num_online_cpus())
		cpu_relax();
	/* barrier(): keeps a plain load and store per iteration (the compiler
	 * would otherwise fold the loop into one add, leaving nothing to see). */
	for (i = 0; i < 200000; i++) {
		racy_counter++;
		barrier();
	}
}

static noinline void race(void)
{
	atomic_set(&racers, 0);
	on_each_cpu(race_fn, NULL, 1);
}

static ssize_t trigger_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[32];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sysfs_streq(buf, "uaf"))
		use_after_free();
	else if (sysfs_streq(buf, "sleep_in_atomic"))
		sleep_in_atomic();
	else if (sysfs_streq(buf, "abba"))
		abba();
	else if (sysfs_streq(buf, "race"))
		race();
	else
		return -EINVAL;
	return len;
}

static const struct file_operations trigger_fops = {
	.owner = THIS_MODULE,
	.write = trigger_write,
};

static int __init broken_init(void)
{
	dir = debugfs_create_dir("xcall_broken", NULL);
	debugfs_create_file("trigger", 0200, dir, NULL, &trigger_fops);
	return 0;
}

static void __exit broken_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(broken_init);
module_exit(broken_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xcall test harness: deliberate bugs for the checking kernels");
