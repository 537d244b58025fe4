#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every bench mode once, in one guest per kernel, CPU 1 kept busy by a
# spinner (as `make bench` does at 4 vCPUs), at the sizes of issue 22's
# goals: sync, async, queue_sync, queue_async, remote_irq_work, fanin and
# local at N (2000), broadcast at N and at 20 from CPU 0 and at N from the
# busy CPU 1, burst at 10000; ROUNDS (11, as make bench; burst 11: the knob's n x rounds
# limit; broadcast at N: BROADCAST_ROUNDS, 5). The reports go to
# build/bench-ratios/FLAVOUR-TAG.log, one summary line per mode (ratio
# median (min-max), ns per node each side, kicks per node) to
# build/bench-ratios/FLAVOUR-TAG.txt.
#   scripts/bench-ratios.sh TAG [FLAVOUR...]   (default: generic rt)
# XCALL_KO: a prebuilt module (a build of another commit: before/after).
# EXTRA (optional): more guest shell lines, run after the modes with the
# module loaded and CPU 1 still busy (run NAME "BENCH COMMAND" reports one).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tag=${1:?usage: bench-ratios.sh TAG [FLAVOUR...]}
shift
n=${N:-2000}
rounds=${ROUNDS:-11}
bc_rounds=${BROADCAST_ROUNDS:-5}	# n broadcasts to 3 CPUs each: the longest mode
out=$XCALL_BUILD/bench-ratios
mkdir -p "$out"

cmd=$(cat <<GUEST
insmod /xcall/xcall.ko
taskset -c 1 sh -c 'while :; do :; done' &
spinner=\$!
sleep 1
D=/sys/kernel/debug/xcall
run() {
	if echo "\$2" > \$D/bench; then
		echo "bench-mode \$1"; cat \$D/bench
	else
		echo "bench-failed \$2"
	fi
}
for m in ${MODES:-sync async queue_sync queue_async remote_irq_work fanin}; do run \$m "\$m cpu=1 n=$n rounds=$rounds"; done
${SKIP_REST:+: }run broadcast "broadcast cpu=0 n=$n rounds=$bc_rounds"
${SKIP_REST:+: }run broadcast-20 "broadcast cpu=0 n=20 rounds=$rounds"
${SKIP_REST:+: }run broadcast-from1 "broadcast cpu=1 n=$n rounds=$bc_rounds"
${SKIP_REST:+: }run burst "burst cpu=1 n=10000 rounds=11"
${SKIP_REST:+: }run local "local cpu=0 n=$n rounds=$rounds"
${EXTRA:-}
kill \$spinner
rmmod xcall
GUEST
)

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
				printf "%-16s ratio %s xcall %s kernel %s%s\n", m, r[m], x[m], k[m], (m in kp) ? " kicks/node " kp[m] : ""
			}
		}'
}

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(generic rt)
for fl in "${flavours[@]}"; do
	log=$out/$fl-$tag.log
	t0=$(date +%s)
	note "bench-ratios: $fl ($tag), host load $(cut -d' ' -f1-3 /proc/loadavg) ..."
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-900} "$XCALL_TOP/scripts/guest.sh" "$fl" run -- "$cmd" >"$log" 2>&1 ||
		die "bench-ratios: the $fl guest failed (log: $log)"
	guest_output "$log" | summary | tee "$out/$fl-$tag.txt"
	note "bench-ratios: $fl ($tag): $(($(date +%s) - t0)) s, host load after $(cut -d' ' -f1-3 /proc/loadavg)"
done
