#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's own IPI trace events as a witness of xcall's kicks (Linux
# 6.12 has them; on a kernel without them this test skips). A kick of
# xcall's queue to another CPU is smp_call_function_single_async() on that
# CPU's kick CSD: the kernel traces it as csd_queue_cpu (func = xcall's
# kick trampoline) and, when it really sends the IPI, ipi_send_cpu right
# after, on the same CPU with preemption off (generic_exec_single()). The
# kick CSDs the kernel saw queued must be xcall's kicks, exactly; with busy
# targets (every kick an IPI) the IPIs it says it sent for them must equal
# xcall's own kicks_irq exactly; with idle targets (the kernel flags a
# polling idle CPU instead of sending an IPI) they lie between kicks_irq
# and kicks (below says why). The targets' CAL counts cover the IPIs.
cd "$(dirname "$0")"
. ./xcall_lib.sh
xcall_require_root

T=/sys/kernel/tracing
[ -f $T/trace ] || mount -t tracefs nodev $T 2>/dev/null
if [ ! -d $T/events/ipi/ipi_send_cpu ] || [ ! -d $T/events/csd/csd_queue_cpu ]; then
	echo "1..0 # SKIP this kernel has no ipi_send_cpu/csd_queue_cpu events (Linux 6.12 has them)"
	exit $KSFT_SKIP
fi
xcall_load || { echo "# cannot load xcall"; exit $KSFT_FAIL; }
ncpu=$(nproc)
if [ "$ncpu" -lt 2 ]; then
	echo "1..0 # SKIP needs two CPUs"
	exit $KSFT_SKIP
fi
last=$((ncpu - 1))

cal_sum() {	# CAL interrupts of CPUs 1..last
	awk -v last=$last '$1 == "CAL:" { for (i = 3; i <= last + 2; i++) n += $i } END { print n + 0 }' /proc/interrupts
}
col() {	# sum of a stats column over CPUs 1..last, all kinds
	awk -v c="$1" -v last=$last '$1 ~ /^[0-9]+$/ && $1 >= 1 && $1 <= last { n += $c } END { print n + 0 }' $XCALL_DIR/stats
}

# witness PHASE: the workload from CPU 0 to the other CPUs, traced.
witness() {
	phase=$1
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 4096 >$T/buffer_size_kb
	echo 1 >$T/events/ipi/ipi_send_cpu/enable
	echo 1 >$T/events/csd/csd_queue_cpu/enable
	echo 1 >$XCALL_DIR/reset
	cal_before=$(cal_sum)
	echo 1 >$T/tracing_on
	taskset -c 0 sh -c "for i in 1 2 3 4 5; do
		echo 'async cpus=1-$last count=500 wait=1' >$XCALL_DIR/queue || exit 1
		echo 'call cpus=1-$last count=100' >$XCALL_DIR/queue || exit 1
	done"
	ok=$?
	echo 0 >$T/tracing_on
	cal=$(($(cal_sum) - cal_before))
	echo 0 >$T/events/ipi/ipi_send_cpu/enable
	echo 0 >$T/events/csd/csd_queue_cpu/enable
	ktap_result $ok "workload_ran_$phase"
	lost=$(cat $T/per_cpu/cpu*/stats | awk '$1 == "overrun:" { n += $2 } END { print n + 0 }')
	ktap_result $([ "$lost" = 0 ]; echo $?) "no_event_lost_$phase" "$lost lost"
	# Per sending CPU: a csd_queue_cpu of xcall's kick, then the next event
	# on that CPU, an ipi_send_cpu to the same target if an IPI went out.
	set -- $(awk '
		{ if (!match($0, /\[[0-9]+\]/)) next
		  cpu = substr($0, RSTART + 1, RLENGTH - 2) + 0
		  if (!match($0, / cpu=[0-9]+/)) { pend[cpu] = ""; next }
		  target = substr($0, RSTART + 5, RLENGTH - 5)
		  if ($0 ~ / csd_queue_cpu: / && $0 ~ /RemoteQueue8CpuQueue4Kick/) { kicks++; pend[cpu] = target; next }
		  if ($0 ~ / ipi_send_cpu: / && pend[cpu] == target) ipis++
		  pend[cpu] = "" }
		END { print kicks + 0, ipis + 0 }' $T/trace)
	traced_kicks=$1 traced_ipis=$2
	kicks=$(col 5) kicks_irq=$(col 9) kicks_polled=$(col 10)
	echo "# $phase targets: xcall kicks $kicks (kicks_irq $kicks_irq, kicks_polled $kicks_polled);" \
		"kernel traced $traced_kicks kick CSDs queued, $traced_ipis IPIs sent for them; CAL +$cal"
	ktap_result $([ "$traced_kicks" = "$kicks" ] && [ "$kicks" -gt 0 ]; echo $?) \
		"kernel_traced_every_kick_$phase" "$traced_kicks traced, $kicks counted"
	if [ "$phase" = busy ]; then
		ktap_result $([ "$traced_ipis" = "$kicks_irq" ]; echo $?) \
			"kernel_ipis_equal_kicks_irq_$phase" "$traced_ipis IPIs traced, kicks_irq $kicks_irq"
	else
		# An idle target may take a kick from its idle loop's flush after
		# it stopped polling but before the IPI sent meanwhile arrives:
		# an IPI the kernel traced, for a kick that ran polled (measured:
		# 878 IPIs for 877 kicks_irq). So here: kicks_irq <= IPIs <= kicks.
		ktap_result $([ "$kicks_irq" -le "$traced_ipis" ] && [ "$traced_ipis" -le "$kicks" ]; echo $?) \
			"kernel_ipis_bound_kicks_irq_$phase" "$traced_ipis IPIs traced, kicks_irq $kicks_irq, kicks $kicks"
	fi
	ktap_result $([ "$cal" -ge "$traced_ipis" ]; echo $?) "cal_covers_the_ipis_$phase" "CAL +$cal"
}

ktap_header 10
witness idle
spinners=
c=1
while [ $c -le $last ]; do
	taskset -c $c sh -c 'while :; do :; done' &
	spinners="$spinners $!"
	c=$((c + 1))
done
sleep 0.3
witness busy
kill $spinners
wait 2>/dev/null
ktap_finish
