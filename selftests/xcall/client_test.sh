#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xcall's C API from a client module: examples/remote_irq_work raises
# per-CPU items on other CPUs with interrupts off, from several CPUs at once,
# while the last CPU goes offline and online. Every raise must be queued,
# found pending or refused with ENXIO; every queued item must run exactly
# once, on its CPU, and the last run on each CPU must have seen its latest
# sequence number (the ordering guarantee). Unloading works in both orders:
# client first; xcall refused while the client is loaded.
cd "$(dirname "$0")"
. ./xcall_lib.sh
xcall_require_root

CLIENT_KO=${XCALL_CLIENT_KO:-/xcall/remote_irq_work.ko}
C=/sys/kernel/debug/remote_irq_work
if [ ! -f "$CLIENT_KO" ]; then
	echo "1..0 # SKIP no client module at $CLIENT_KO"
	exit $KSFT_SKIP
fi
ncpu=$(nproc)
if [ "$ncpu" -lt 2 ]; then
	echo "1..0 # SKIP needs at least two online CPUs"
	exit $KSFT_SKIP
fi
last=$((ncpu - 1))
raisers=$((ncpu > 2 ? ncpu - 1 : ncpu))

client_loaded() { grep -q '^remote_irq_work ' /proc/modules; }
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
xcall_row() {	# xcall_row KIND COLUMN: the "all" row of xcall's stats
	awk -v k="$1" -v c="$2" '$1 == "all" && $2 == k { print $c }' $XCALL_DIR/stats
}

ktap_header 15
client_loaded && rmmod remote_irq_work
xcall_load || { echo "# cannot load xcall"; exit $KSFT_FAIL; }
start=$(dmesg_lines)

# The API's refusals and guarantees, called in the kernel as a client would.
echo client_api >$XCALL_DIR/selftest && verdict=$(cat $XCALL_DIR/selftest)
ktap_result $([ "$verdict" = "ok client_api" ]; echo $?) in_kernel_client_api_case "$verdict"

insmod "$CLIENT_KO"
ktap_result $?  client_loads
ktap_result $([ -e /sys/module/xcall/holders/remote_irq_work ]; echo $?) client_holds_xcall
if rmmod xcall 2>/dev/null; then r=1; else r=0; fi
ktap_result $([ $r = 0 ] && xcall_loaded; echo $?) xcall_unload_refused_while_client_loaded
echo 1 >$XCALL_DIR/reset

rm -f /tmp/client.stop
# Raisers on CPUs 0.. (all but the last when there are more than two),
# raise and call rounds alternating; the last CPU goes offline and online.
pids=
cpu=0
while [ $cpu -lt $raisers ]; do
	taskset -c $cpu sh -c "i=0; while [ ! -e /tmp/client.stop ] || [ \$i -lt 3 ]; do
		echo 20 >$C/raise && echo 2 >$C/call || exit 1; i=\$((i + 1)); done" &
	pids="$pids $!"
	cpu=$((cpu + 1))
done
cycles=0 hotplug_err=
if [ -w /sys/devices/system/cpu/cpu$last/online ]; then
	for i in 1 2 3; do
		echo 0 >/sys/devices/system/cpu/cpu$last/online || hotplug_err=offline
		sleep 0.3
		echo 1 >/sys/devices/system/cpu/cpu$last/online || hotplug_err=online
		sleep 0.3
		cycles=$((cycles + 1))
	done
fi
touch /tmp/client.stop
failed=0
for p in $pids; do wait $p || failed=$((failed + 1)); done
ktap_result $([ $failed = 0 ] && [ -z "$hotplug_err" ]; echo $?) raisers_ran_while_cpu_cycled \
	"$failed raisers failed, hotplug ${hotplug_err:-ok}, $cycles cycles"
# A raise refused while a CPU was offline leaves that CPU's latest number
# unseen: one more accepted raise to every CPU (from two CPUs, since a
# round skips its own) settles it.
taskset -c 0 sh -c "echo 1 >$C/raise"
taskset -c 1 sh -c "echo 1 >$C/raise"

cat $C/stats >/tmp/client.stats
sed 's/^/# /' /tmp/client.stats
raised=$(value raised /tmp/client.stats)
queued=$(value queued /tmp/client.stats)
pending=$(value pending /tmp/client.stats)
refused=$(value refused /tmp/client.stats)
runs=$(value runs /tmp/client.stats)
ktap_result $([ "$raised" -gt 0 ] && [ "$raised" = $((queued + pending + refused)) ]; echo $?) \
	every_raise_queued_pending_or_refused "raised $raised queued $queued pending $pending refused $refused"
ktap_result $([ "$runs" = "$queued" ]; echo $?) every_queued_item_ran_once "runs $runs queued $queued"
ktap_result $([ "$(value wrong_cpu /tmp/client.stats)" = 0 ]; echo $?) items_ran_on_their_cpu
ktap_result $([ "$(value unseen /tmp/client.stats)" = 0 ] && [ "$(value backwards /tmp/client.stats)" = 0 ]; echo $?) \
	function_sees_raisers_latest_sequence
ktap_result $([ "$(value calls_ok /tmp/client.stats)" -gt 0 ] && [ "$(value calls_bad /tmp/client.stats)" = 0 ]; echo $?) \
	sync_calls_with_irqs_off_ran_on_target
# xcall counts the same items in its own statistics.
ktap_result $([ "$(xcall_row irq_work_hard 3)" = "$queued" ] && [ "$(xcall_row irq_work_hard 4)" = "$queued" ] &&
	[ "$(xcall_row irq_work_hard 6)" = "$pending" ]; echo $?) xcall_stats_match_client \
	"xcall queued $(xcall_row irq_work_hard 3) handled $(xcall_row irq_work_hard 4) pending $(xcall_row irq_work_hard 6)"

# Order 1: client first, then xcall.
rmmod remote_irq_work && ! client_loaded && rmmod xcall && ! xcall_loaded
ktap_result $? unload_client_then_xcall

# Order 2: xcall refused while the client is loaded, then both.
xcall_load && insmod "$CLIENT_KO" && echo 5 >$C/raise && cat $C/stats >/dev/null || echo "# reload failed"
if rmmod xcall 2>/dev/null; then r=1; else r=0; fi
xcall_loaded || r=1
rmmod remote_irq_work && rmmod xcall && ! xcall_loaded && ! client_loaded || r=1
ktap_result $r xcall_refused_then_client_then_xcall

log=$(dmesg_since "$start")
returned=$(printf '%s\n' "$log" | grep -c 'xcall: unloaded: [0-9]* allocations, all returned')
ktap_result $([ "$returned" = 2 ]; echo $?) xcall_unloads_clean "$returned of 2 unloads clean"
splats=$(printf '%s\n' "$log" | sh ./splat-scan.sh)
[ -n "$splats" ] && printf '# %s\n' "$splats"
ktap_result $([ -z "$splats" ]; echo $?) kernel_log_clean

xcall_load
ktap_finish
