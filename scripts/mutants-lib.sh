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
