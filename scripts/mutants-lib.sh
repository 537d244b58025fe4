# SPDX-License-Identifier: GPL-2.0
# What a mutant is, for the host's and the kernel's mutant runs
# (scripts/mutants.sh, scripts/mutants-kernel.sh). Source it after lib.sh.

mutation_of() {	# OP
	case $1 in
	smp_mb) echo "smp_mb() removed" ;;
	load_acquire | cond_load_acquire) echo "acquire -> read_once" ;;
	store_release) echo "release -> write_once" ;;
	*) echo "fully ordered $1 -> relaxed" ;;
	esac
}

pair_of() {	# TAG
	case $1 in
	cq1.*) echo "(1) push -> take_all" ;;
	cq2.*) echo "(2) call unlock -> wait" ;;
	cq3.*) echo "(3) claim <-> PENDING clear" ;;
	cq4.*) echo "(4) BUSY clear -> sync" ;;
	q1.*) echo "(Q1) accepting" ;;
	q2.*) echo "(Q2) kick / AsyncCall" ;;
	q3.*) echo "(Q3) waiter_woken" ;;
	q4.*) echo "(Q4) lazy_running" ;;
	cxxrt.*) echo "atomics layer" ;;
	esac
}

# The docs/litmus file that argues a tag's claim, and what herd7 is expected
# to answer for it with that site weakened as the mutant weakens it (the
# file itself, unweakened, answers Never). What an "equivalent on x86-64"
# mutant rests on: x86 cannot tell, the LKMM can.
litmus_of() {	# TAG
	case $1 in
	cq1.*) echo "xcall-llist+cmpxchg+xchg: Sometimes with cmpxchg_relaxed()/xchg_relaxed()" ;;
	cq2.*) echo "xcall-csd-unlock+fetchandnot+acquire: Sometimes (as xcall-csd-unlock+fetchandnotrelaxed+acquire)" ;;
	cq3.*) echo "xcall-irqwork-claim+fetchor+fetchandnot: Sometimes (as xcall-irqwork-claim+fetchoracquire+fetchandnot)" ;;
	cq4.*) echo "xcall-irqwork-claim+fetchor+fetchandnot (its BUSY half): Sometimes with a relaxed cmpxchg" ;;
	q1.*) echo "xcall-online-MP+release+acquire: Sometimes with WRITE_ONCE()/READ_ONCE() at that end" ;;
	q2.trysubmit_mb) echo "xcall-trysubmit-SB+mb-once+fetchadd: Sometimes without the smp_mb() (as xcall-trysubmit-SB+once-mb+fetchadd)" ;;
	q2.*) echo "xcall-trysubmit-SB+mb-once+fetchadd: Sometimes with atomic_fetch_add_relaxed() or a relaxed claim" ;;
	q3.*) echo "xcall-wake-MP+release+xchg: Sometimes with WRITE_ONCE() for the release or xchg_relaxed()" ;;
	q4.*) echo "xcall-lazy-idle+xchg+release+acquire: Sometimes with READ_ONCE()/WRITE_ONCE() at that end" ;;
	cxxrt.*) echo "every file using that operation" ;;
	esac
}
