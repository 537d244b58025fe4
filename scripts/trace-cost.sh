#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make trace-cost`: what xcall's trace events cost, measured by the bench
# in one guest (FLAVOUR, default generic; CPUS vCPUs, default 4). Three
# modules alternate, TRACE_ROUNDS times (default 5):
#   notrace  built with -DXCALL_NO_TRACE_CALLS: no trace call at all
#   off      the shipped module, events disabled (a call and a not-taken
#            static branch per event)
#   on       the shipped module, every xcall event enabled
# and each runs the bench's `queue_sync` (ratio to smp_call_function_single)
# and `local` (the queue column's ratio to a local smp_call_function_single).
# The bench's own alternation makes each ratio immune to the host's load;
# the table gives, per module and mode, the median over the rounds of the
# ratio's median, and the min-max of those.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fl=${1:-generic}
rounds=${TRACE_ROUNDS:-5}
require_positive TRACE_ROUNDS "$rounds"
kdir=$(flavour_kdir "$fl")
out=$XCALL_BUILD/trace-cost
mkdir -p "$out"
notrace=$(XCALL_EXTRA_CFLAGS=-DXCALL_NO_TRACE_CALLS XCALL_EXTRA_CXXFLAGS=-DXCALL_NO_TRACE_CALLS \
	"$XCALL_TOP/scripts/build-module.sh" "notrace-$fl" "$kdir")
cp "$notrace" "$out/xcall-notrace.ko"
log=$out/$fl.log
cmd="D=/sys/kernel/debug/xcall T=/sys/kernel/tracing
mount -t tracefs nodev \$T || exit 1
r=1
while [ \$r -le $rounds ]; do
	for v in notrace off on; do
		ko=/xcall/xcall.ko
		[ \$v = notrace ] && ko=/xcall/xcall-notrace.ko
		insmod \$ko || exit 1
		[ \$v = on ] && echo 1 > \$T/events/xcall/enable
		for m in queue_sync local; do
			echo \"\$m cpu=1 n=2000 rounds=11\" > \$D/bench || exit 1
			sed \"s/^/TC \$v \$m /\" \$D/bench
		done
		echo 0 > \$T/events/xcall/enable
		echo > \$T/trace
		rmmod xcall || exit 1
	done
	r=\$((r + 1))
done"
echo "== trace events' cost: $fl kernel, ${CPUS:-4} vCPUs, $rounds rounds of notrace / off / on"
XCALL_INITRAMFS_EXTRA="$out/xcall-notrace.ko" "$XCALL_TOP/scripts/guest.sh" "$fl" run -l "$log" -- "$cmd" >/dev/null ||
	die "the guest run failed (log: $log)"
# TC VARIANT MODE ratio|queue_ratio median M min m max x
awk '
function med(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return sprintf("%.3f (%.3f-%.3f)", (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2, a[1], a[n])
}
$1 == "TC" && (($3 == "queue_sync" && $4 == "ratio") || ($3 == "local" && $4 == "queue_ratio")) {
	v[$2 " " $3] = v[$2 " " $3] " " $6
}
END {
	printf "| module | queue_sync ratio | local queue_ratio |\n|---|---|---|\n"
	split("notrace off on", vs, " ")
	for (i = 1; i <= 3; i++)
		printf "| %s | %s | %s |\n", vs[i], med(v[vs[i] " queue_sync"]), med(v[vs[i] " local"])
}' "$log" | tee "$out/$fl.md"
