#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the cost of xcall's call types against the kernel's raw C
# calls, measured in-kernel (debugfs "bench") on each kernel flavour, in one
# guest run per flavour. Defaults: 2 vCPUs (one host core each: with more
# vCPUs than host cores TCG's noise swamps the difference), calls from CPU 0
# to CPU 1, N=2000 calls per round, ROUNDS=51 rounds, alternating order.
# CPU 1 runs a spinning process meanwhile: an idle target is woken from
# hlt through the host's scheduler, which varies far more than the calls.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$XCALL_TOP/scripts/deps.sh"
n=${N:-2000}
rounds=${ROUNDS:-51}
for fl in ${FLAVOURS:-generic rt}; do
	cmd="insmod /xcall/xcall.ko
taskset -c 1 sh -c 'while :; do :; done' &
spinner=\$!
sleep 1
for kind in sync async; do
	echo \"\$kind cpu=1 n=$n rounds=$rounds\" > /sys/kernel/debug/xcall/bench && cat /sys/kernel/debug/xcall/bench
done
kill \$spinner
rmmod xcall"
	echo "== $fl kernel"
	CPUS=${CPUS:-2} GUEST_TIMEOUT=${GUEST_TIMEOUT:-900} "$XCALL_TOP/scripts/guest.sh" "$fl" run -- "$cmd" |
		grep -E '^(bench|xcall_ns|raw_ns|ratio)'
done
