#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every bench mode, in one guest per kernel (4 vCPUs), CPU 1 kept busy by a
# spinner (as `make bench` does), at the sizes of issue 22's goals: sync,
# async, queue_sync, queue_async, remote_irq_work, fanin and local at N
# (500, as make bench at 4 vCPUs) and ROUNDS (11, as make bench),
# broadcast from CPU 0 at BROADCAST_N (2000; BROADCAST_ROUNDS, 3: the
# longest mode) and at 20, burst at 10000 (11 rounds: the knob's n x
# rounds limit).
#   scripts/bench-ratios.sh TAG [FLAVOUR...]   (default: generic rt)
# A/B in one guest: BEFORE=COMMIT also builds that commit's module (from
# `git archive`) and the guest runs RUNS (2) runs, each of both modules
# in turn, the order alternating (run 1: after, before; run 2: before,
# after), so both see the same host. Without BEFORE, RUNS runs of this
# tree's module.
# The reports go to build/bench-ratios/FLAVOUR-TAG.log, one summary line
# per module, run and mode (ratio median (min-max), ns per call or node
# each side, kicks per node) to build/bench-ratios/FLAVOUR-TAG.txt.
# EXTRA (optional): more guest shell lines, run with each module loaded
# and CPU 1 busy (run NAME "BENCH COMMAND" reports one).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tag=${1:?usage: bench-ratios.sh TAG [FLAVOUR...]}
shift
n=${N:-500}
bc_n=${BROADCAST_N:-2000}
rounds=${ROUNDS:-11}
bc_rounds=${BROADCAST_ROUNDS:-3}
runs=${RUNS:-2}
out=$XCALL_BUILD/bench-ratios
mkdir -p "$out"

summary() {
	awk '
		/^bench-mode / { mode = $2; order[++nm] = mode; next }
		/^bench-failed/ { print "FAILED " $0; next }
		mode != "" && $1 == "ratio" { r[mode] = $3 " (" $5 "-" $7 ")" }
		mode != "" && $1 == "xcall_ns_per_call" { x[mode] = $3 }
		mode != "" && $1 == "raw_ns_per_call" { k[mode] = $3 }
		mode != "" && $1 == "kicks_per_node" { kp[mode] = $3 }
		END {
			for (i = 1; i <= nm; i++) {
				m = order[i]
				printf "%-28s ratio %s xcall %s kernel %s%s\n", m, r[m], x[m], k[m], (m in kp) ? " kicks/node " kp[m] : ""
			}
		}'
}

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(generic rt)
for fl in "${flavours[@]}"; do
	extra=
	modules=after
	if [ -n "${BEFORE:-}" ]; then
		src=$out/before-src
		rm -rf "$src"
		mkdir -p "$src"
		git -C "$XCALL_TOP" archive "$BEFORE" | tar -x -C "$src"
		cp "$("$src/scripts/build-module.sh" "$fl")" "$out/xcall-before-$fl.ko"
		extra=$out/xcall-before-$fl.ko
		modules="after before"
	fi
	cmd=$(cat <<GUEST
taskset -c 1 sh -c 'while :; do :; done' &
spinner=\$!
sleep 1
D=/sys/kernel/debug/xcall
run() {
	if echo "\$2" > \$D/bench; then
		echo "bench-mode \$v-\$r-\$1"; cat \$D/bench
	else
		echo "bench-failed \$v-\$r \$2"
	fi
}
r=1
order="$modules"
while [ \$r -le $runs ]; do
	for v in \$order; do
		ko=/xcall/xcall.ko
		[ \$v = before ] && ko=/xcall/xcall-before-$fl.ko
		insmod \$ko || exit 1
		for m in sync async queue_sync queue_async remote_irq_work fanin; do run \$m "\$m cpu=1 n=$n rounds=$rounds"; done
		run broadcast "broadcast cpu=0 n=$bc_n rounds=$bc_rounds"
		run broadcast-20 "broadcast cpu=0 n=20 rounds=$rounds"
		run burst "burst cpu=1 n=10000 rounds=11"
		run local "local cpu=0 n=$n rounds=$rounds"
		${EXTRA:-}
		rmmod xcall || exit 1
	done
	# The other order next run.
	rev=
	for v in \$order; do rev="\$v \$rev"; done
	order=\$rev
	r=\$((r + 1))
done
kill \$spinner
GUEST
)
	log=$out/$fl-$tag.log
	t0=$(date +%s)
	note "bench-ratios: $fl ($tag: $modules, $runs runs), host load $(cut -d' ' -f1-3 /proc/loadavg) ..."
	XCALL_INITRAMFS_EXTRA="$extra" GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800} \
		"$XCALL_TOP/scripts/guest.sh" "$fl" run -- "$cmd" >"$log" 2>&1 ||
		die "bench-ratios: the $fl guest failed (log: $log)"
	guest_output "$log" | summary | tee "$out/$fl-$tag.txt"
	note "bench-ratios: $fl ($tag): $(($(date +%s) - t0)) s, host load after $(cut -d' ' -f1-3 /proc/loadavg)"
done
