#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's own IPI trace events as a witness of xcall's kicks (Linux
# 6.12 has them; on a kernel without them this test skips). A kick of
# xcall's queue to another CPU is smp_call_function_single_async() on that
# CPU's kick CSD. 6.12's __smp_call_single_queue() traces it as
# csd_queue_cpu (func = xcall's kick trampoline), then llist_add()s it to
# the target's call_single_queue, and only if that list was empty goes on
# to send_call_function_single_ipi(), which either flags a polling idle
# target (sched_wake_idle_without_ipi) or traces ipi_send_cpu and sends
# the IPI, on the same CPU with preemption off. So each kick the kernel
# traced is followed on its sender by exactly one of: an IPI, an idle wake
# without IPI, or nothing (it joined a CSD already queued to that target,
# whose IPI or wake delivers it). The witness checks:
#  - the kick CSDs the kernel traced are xcall's kicks, exactly;
#  - each kick the kernel neither IPI'd nor woke was queued while another
#    CSD to that target was still pending (the only reason to send none);
#  - busy targets (never polling): kicks_irq = IPIs + joined, exactly;
#  - idle targets: a kick that ran from the IPI handler had an IPI or
#    joined a pending CSD, so kicks_irq <= IPIs + joined; a kick the
#    kernel woke without an IPI ran polled, so kicks_polled >= wakes;
#  - the targets' CAL counts cover the IPIs.
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
	for e in $events; do echo 1 >$T/events/$e/enable; done
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
	for e in $events; do echo 0 >$T/events/$e/enable; done
	ktap_result $ok "workload_ran_$phase"
	lost=$(cat $T/per_cpu/cpu*/stats | awk '$1 == "overrun:" { n += $2 } END { print n + 0 }')
	ktap_result $([ "$lost" = 0 ]; echo $?) "no_event_lost_$phase" "$lost lost"
	rm -f /tmp/witness-unexplained
	set -- $(awk -v where=/tmp/witness-unexplained -f ./ipi_witness.awk $T/trace)
	traced_kicks=$1 traced_ipis=$2 traced_wakes=$3 joined=$4 unexplained=$5
	kicks=$(col 5) kicks_irq=$(col 9) kicks_polled=$(col 10)
	echo "# $phase targets: xcall kicks $kicks (kicks_irq $kicks_irq, kicks_polled $kicks_polled);" \
		"kernel traced $traced_kicks kick CSDs: $traced_ipis IPIs, $traced_wakes idle wakes without IPI," \
		"$joined joined a pending CSD ($unexplained with none pending); CAL +$cal"
	ktap_result $([ "$traced_kicks" = "$kicks" ] && [ "$kicks" -gt 0 ] &&
		[ $((traced_ipis + traced_wakes + joined)) = "$traced_kicks" ]; echo $?) \
		"kernel_traced_every_kick_$phase" "$traced_kicks traced, $kicks counted"
	ktap_result $([ "$unexplained" = 0 ]; echo $?) \
		"kernel_sent_no_ipi_only_behind_a_pending_csd_$phase" "$unexplained kicks without IPI or wake, none pending"
	# The evidence for a failure: the trace before and after the first
	# two such kicks.
	[ -s /tmp/witness-unexplained ] && head -n 2 /tmp/witness-unexplained | while read -r at; do
		echo "# trace around the kick at line $at:"
		sed -n "$((at > 40 ? at - 40 : 1)),$((at + 5))p" $T/trace | sed 's/^/#   /'
	done
	if [ "$phase" = busy ]; then
		ktap_result $([ $((traced_ipis + joined)) = "$kicks_irq" ] && [ "$traced_wakes" = 0 ]; echo $?) \
			"kernel_ipis_equal_kicks_irq_$phase" \
			"$traced_ipis IPIs + $joined joined, $traced_wakes wakes; kicks_irq $kicks_irq"
	else
		# An idle target may take a kick from its idle loop's flush after
		# it stopped polling but before the IPI sent meanwhile arrives:
		# an IPI the kernel traced, for a kick that ran polled (measured:
		# 878 IPIs for 877 kicks_irq). Hence bounds, not equalities.
		ktap_result $([ "$kicks_irq" -le $((traced_ipis + joined)) ] &&
			[ "$kicks_polled" -ge "$traced_wakes" ]; echo $?) \
			"kernel_ipis_bound_kicks_irq_$phase" \
			"$traced_ipis IPIs + $joined joined vs kicks_irq $kicks_irq; $traced_wakes wakes vs kicks_polled $kicks_polled"
	fi
	ktap_result $([ "$cal" -ge "$traced_ipis" ]; echo $?) "cal_covers_the_ipis_$phase" "CAL +$cal"
}

events="ipi/ipi_send_cpu csd/csd_queue_cpu csd/csd_function_entry sched/sched_wake_idle_without_ipi"
ktap_header 12
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
