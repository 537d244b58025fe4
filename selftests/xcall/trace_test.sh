#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xcall's trace events through tracefs: with events/xcall/ enabled, a known
# workload of every kind (to every CPU, and re-queued pending items) must
# give exactly as many events as the queue's own statistics count: one
# xcall_node_queue per node queued, one xcall_function_entry and _exit per
# node handled, one xcall_kick per kick, xcall_drain counts that add up to
# the nodes drained; lazy and waiter thread runs are traced; nothing is lost
# and no raw kernel address is printed.
cd "$(dirname "$0")"
. ./xcall_lib.sh
xcall_require_root

T=/sys/kernel/tracing
if [ ! -f $T/trace ]; then
	mount -t tracefs nodev $T 2>/dev/null
fi
if [ ! -d $T/events/xcall ]; then
	xcall_load
fi
if [ ! -d $T/events/xcall ]; then
	echo "1..0 # SKIP no tracefs or no xcall events"
	exit $KSFT_SKIP
fi
xcall_load || { echo "# cannot load xcall"; exit $KSFT_FAIL; }
COUNT=${TRACE_COUNT:-50}
ncpu=$(nproc)

ktap_header 11
start=$(dmesg_lines)
echo 0 >$T/tracing_on
echo >$T/trace
echo 2048 >$T/buffer_size_kb
echo 1 >$T/events/xcall/enable
ktap_result $? events_enable
echo 1 >$XCALL_DIR/reset
echo 1 >$T/tracing_on
# From CPU 0: calls to CPU 0 itself run at once (not drained).
workload="for k in call async irq_work irq_work_hard irq_work_lazy wake; do
	echo \"\$k cpus=all count=$COUNT wait=1\" >$XCALL_DIR/queue || exit 1
done
echo \"irq_work_hard cpus=1 count=$COUNT same=1 wait=1\" >$XCALL_DIR/queue || exit 1
echo \"irq_work_lazy cpus=1 count=$COUNT same=1 wait=1\" >$XCALL_DIR/queue"
taskset -c 0 sh -c "$workload"
ktap_result $? workload_queued
echo 0 >$T/tracing_on
echo 0 >$T/events/xcall/enable
cat $XCALL_DIR/stats >/tmp/xcall.stats
cat $T/trace >/tmp/xcall.trace
lost=$(cat $T/per_cpu/cpu*/stats | awk '$1 == "overrun:" { n += $2 } END { print n + 0 }')
lost=$((lost + $(grep -c 'LOST.*EVENTS' /tmp/xcall.trace)))
ktap_result $([ "$lost" = 0 ]; echo $?) no_event_lost "$lost lost"

col() {	# sum of a column of the "all" rows of stats
	awk -v c="$1" '$1 == "all" { n += $c } END { print n + 0 }' /tmp/xcall.stats
}
events() { grep -c " $1: " /tmp/xcall.trace; }
queued=$(col 3) handled=$(col 4) kicks=$(col 5)
grep '^all' /tmp/xcall.stats | sed 's/^/# /'
n=$(events xcall_node_queue)
ktap_result $([ "$queued" -gt 0 ] && [ "$n" = "$queued" ]; echo $?) queue_events_equal_queued "$n events, $queued queued"
n=$(events xcall_function_entry)
ktap_result $([ "$n" = "$handled" ] && [ "$handled" = "$queued" ]; echo $?) function_entries_equal_handled \
	"$n events, $handled handled"
n=$(events xcall_function_exit)
ktap_result $([ "$n" = "$handled" ]; echo $?) function_exits_equal_handled "$n events, $handled handled"
n=$(events xcall_kick)
ktap_result $([ "$kicks" -gt 0 ] && [ "$n" = "$kicks" ]; echo $?) kick_events_equal_kicks "$n events, $kicks kicks"

# Drained per kind: what was queued, less the calls CPU 0 ran at once.
drained=$(awk '/ xcall_drain: / {
	for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[1] != "cpu") n[kv[1]] += kv[2]
} END { printf "%d %d %d %d %d %d", n["call"], n["async"], n["irq_work"], n["irq_work_hard"], n["irq_work_lazy"], n["wake"] }' /tmp/xcall.trace)
expected=$(awk '$1 == "all" { q[$2] = $3 } $1 == "0" { l[$2] = $3 }
	END { printf "%d %d %d %d %d %d", q["call"] - l["call"], q["async"] - l["async"], q["irq_work"], q["irq_work_hard"], q["irq_work_lazy"], q["wake"] }' /tmp/xcall.stats)
ktap_result $([ "$drained" = "$expected" ]; echo $?) drain_counts_add_up "drained $drained, expected $expected"

lazy=$(events xcall_lazy_run) waiter=$(events xcall_waiter_run)
ktap_result $([ "$lazy" -gt 0 ] && [ "$waiter" -gt 0 ]; echo $?) thread_runs_traced "$lazy lazy, $waiter waiter runs"
raw=$(grep ' xcall_' /tmp/xcall.trace | grep -cE '0x[0-9a-f]{8,}|ffff[0-9a-f]{12}')
grep ' xcall_function_entry: ' /tmp/xcall.trace | head -n 2 | sed 's/^/# /'
ktap_result $([ "$raw" = 0 ]; echo $?) no_raw_kernel_addresses "$raw lines with one"

splats=$(dmesg_since "$start" | sh ./splat-scan.sh)
[ -n "$splats" ] && printf '# %s\n' "$splats"
ktap_result $([ -z "$splats" ]; echo $?) kernel_log_clean
echo >$T/trace
ktap_finish
