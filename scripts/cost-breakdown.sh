#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Where a queued node's time goes (issue 22): measurement builds of the
# module, each with one piece of the per-node path taken out (or put back),
# loaded in turn in one guest (FLAVOUR, default generic; 4 vCPUs, CPU 1
# kept busy by a spinner), each running the bench's per-node modes:
#   burst cpu=1 n=10000 rounds=11 and fanin cpu=1 n=2000 rounds=11
#   (CB_MODES: "burst fanin queue_async" adds queue_async cpu=1 n=500)
# ROUNDS (default 1) times, in order full, then the variants. The kernel
# side of every bench round is the same code in every build, so each
# variant's ratio xcall/kernel against full's, times the kernel's ns per
# node, is what that piece costs per node.
#   full          this tree as built
#   before        BASE (a commit; default: the first parent of issue 22's
#                 work, 571082b) as built then
#   notrace       -DXCALL_NO_TRACE_CALLS: no trace check at all
#   plainlock     -DXCALL_COST_PLAIN_LOCK: the sender's node lock a plain
#                 store (the kernel's csd_lock()), not a cmpxchg
#   atomiclock    -DXCALL_COST_ATOMIC_LOCK: the one_queuer nodes (the
#                 bench's) locked by the cmpxchg as any other node
#   plainrun      -DXCALL_COST_PLAIN_RUN: the target's async unlock and
#                 running count plain stores, not two atomics
#   noaccount     -DXCALL_COST_NO_ACCOUNT: no per-node accounting
#   senderatomic  -DXCALL_COST_SENDER_ATOMIC: puts back the sender's locked
#                 add on the target's row (the old remote half of queued)
#   bridgecalls   -DXCALL_COST_BRIDGE_CALLS: puts back the three bridge
#                 calls per node the sender made before (possible check,
#                 per_cpu_ptr(), this CPU)
# The XCALL_COST_* switches are for this measurement only (each says in
# the code why it is unsafe); nothing else builds them.
# Output: build/cost-breakdown/FLAVOUR.log (the reports) and a table per
# mode: median over the rounds of each variant's ratio median, its ns per
# node (xcall side) and the kernel's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fl=${1:-generic}
rounds=${ROUNDS:-1}
cb_modes=${CB_MODES:-burst fanin}
bench_cmds=
for m in $cb_modes; do
	case $m in
	burst) bench_cmds="$bench_cmds 'burst cpu=1 n=10000 rounds=11'" ;;
	fanin) bench_cmds="$bench_cmds 'fanin cpu=1 n=2000 rounds=11'" ;;
	queue_async) bench_cmds="$bench_cmds 'queue_async cpu=1 n=500 rounds=11'" ;;
	*) die "cost-breakdown: unknown mode $m" ;;
	esac
done
base=${BASE:-571082b}
variants=${VARIANTS:-full before notrace plainlock plainrun noaccount senderatomic bridgecalls}
kdir=$(flavour_kdir "$fl")
out=$XCALL_BUILD/cost-breakdown
mkdir -p "$out"

declare -A defs=([notrace]=-DXCALL_NO_TRACE_CALLS [plainlock]=-DXCALL_COST_PLAIN_LOCK
	[atomiclock]=-DXCALL_COST_ATOMIC_LOCK
	[plainrun]=-DXCALL_COST_PLAIN_RUN [noaccount]=-DXCALL_COST_NO_ACCOUNT
	[senderatomic]=-DXCALL_COST_SENDER_ATOMIC [bridgecalls]=-DXCALL_COST_BRIDGE_CALLS)
extra=
for v in $variants; do
	case $v in
	full) ko=$("$XCALL_TOP/scripts/build-module.sh" "$fl") ;;
	before)
		src=$out/before-src
		rm -rf "$src"
		mkdir -p "$src"
		git -C "$XCALL_TOP" archive "$base" | tar -x -C "$src"
		ko=$("$src/scripts/build-module.sh" "$fl")
		;;
	*)
		[ -n "${defs[$v]:-}" ] || die "cost-breakdown: unknown variant $v"
		ko=$(XCALL_EXTRA_CFLAGS=${defs[$v]} XCALL_EXTRA_CXXFLAGS=${defs[$v]} \
			"$XCALL_TOP/scripts/build-module.sh" "cost-$v-$fl" "$kdir")
		;;
	esac
	cp "$ko" "$out/xcall-$v.ko"
	extra="$extra $out/xcall-$v.ko"
done

cmd="D=/sys/kernel/debug/xcall
taskset -c 1 sh -c 'while :; do :; done' &
spinner=\$!
sleep 1
r=1
while [ \$r -le $rounds ]; do
	for v in $variants; do
		insmod /xcall/xcall-\$v.ko || exit 1
		for m in$bench_cmds; do
			echo \"\$m\" > \$D/bench || exit 1
			sed \"s/^/CB \$v \${m%% *} /\" \$D/bench
		done
		rmmod xcall || exit 1
	done
	r=\$((r + 1))
done
kill \$spinner"
log=$out/$fl.log
note "cost-breakdown: $fl, $rounds rounds of: $variants; host load $(cut -d' ' -f1-3 /proc/loadavg)"
XCALL_INITRAMFS_EXTRA="$extra" GUEST_TIMEOUT=${GUEST_TIMEOUT:-900} \
	"$XCALL_TOP/scripts/guest.sh" "$fl" run -l "$log" -- "$cmd" >/dev/null ||
	die "cost-breakdown: the guest run failed (log: $log)"
# CB VARIANT MODE ratio|xcall_ns_per_call|raw_ns_per_call median M min m max x
awk -v variants="$variants" -v modes="$cb_modes" '
function med(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return ((n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) " " a[1] " " a[n]
}
$1 == "CB" && ($4 == "ratio" || $4 == "xcall_ns_per_call" || $4 == "raw_ns_per_call") { v[$2 " " $3 " " $4] = v[$2 " " $3 " " $4] " " $6 }
END {
	nv = split(variants, vs, " ")
	nm = split(modes, ms, " ")
	for (m = 1; m <= nm; m++) {
		printf "\n%s: variant | ratio median of medians (min-max) | xcall ns/node | kernel ns/node\n", ms[m]
		for (i = 1; i <= nv; i++) {
			split(med(v[vs[i] " " ms[m] " ratio"]), r, " ")
			split(med(v[vs[i] " " ms[m] " xcall_ns_per_call"]), x, " ")
			split(med(v[vs[i] " " ms[m] " raw_ns_per_call"]), k, " ")
			printf "%-13s | %.3f (%.3f-%.3f) | %d | %d\n", vs[i], r[1], r[2], r[3], x[1], k[1]
		}
	}
}' "$log" | tee "$out/$fl.txt"
