#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# selftests/xcall/ipi_witness.awk on small hand-written traces (KTAP): a
# kick that joined a list holding a ttwu item queued after the last
# traced CSD the target ran is explained, and so is one that another
# CPU's CSD, traced after it but queued first, overtook; one that joined
# a list whose items a later-queued traced CSD's flush had taken, or an
# empty one, is not, nor is one whose explanation came after it ran.
# Output line of the awk: kicks ipis wakes joined unexplained.
set -uo pipefail
awk_file=$(dirname "$0")/../selftests/xcall/ipi_witness.awk
kick='func=_ZNK5xcall11RemoteQueue8CpuQueue4KickclEv'
n=0 failed=0
check() {	# NAME EXPECTED TRACE-LINES...
	local name=$1 want=$2 got
	shift 2
	got=$(printf '%s\n' "$@" | awk -f "$awk_file")
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # got '$got', expected '$want'"
		failed=1
	fi
}
echo "TAP version 13"
echo "1..6"
check ttwu_queued_after_the_flush_is_pending "1 0 0 1 0" \
	' sh-1 [000] d..1. 1.0: csd_queue_cpu: cpu=1 callsite=x func=sched_ttwu_pending csd=0x10' \
	' sh-1 [002] d..1. 1.1: csd_queue_cpu: cpu=1 callsite=x func=foo csd=0x20' \
	' sh-1 [002] d..1. 1.2: ipi_send_cpu: cpu=1 callsite=x callback=x' \
	' sh-1 [003] d..1. 1.3: csd_queue_cpu: cpu=1 callsite=x func=sched_ttwu_pending csd=0x30' \
	' sh-1 [001] d..1. 1.4: csd_function_entry: func=foo csd=0x20' \
	" sh-1 [000] d..1. 1.5: csd_queue_cpu: cpu=1 callsite=x $kick csd=0x40" \
	' sh-1 [000] d..1. 1.6: csd_queue_cpu: cpu=2 callsite=x func=bar csd=0x50'
check ttwu_taken_by_a_later_csds_flush_is_not_pending "1 0 0 1 1" \
	' sh-1 [000] d..1. 1.0: csd_queue_cpu: cpu=1 callsite=x func=sched_ttwu_pending csd=0x10' \
	' sh-1 [002] d..1. 1.1: csd_queue_cpu: cpu=1 callsite=x func=foo csd=0x20' \
	' sh-1 [001] d..1. 1.4: csd_function_entry: func=foo csd=0x20' \
	" sh-1 [000] d..1. 1.5: csd_queue_cpu: cpu=1 callsite=x $kick csd=0x40" \
	' sh-1 [000] d..1. 1.6: csd_queue_cpu: cpu=2 callsite=x func=bar csd=0x50'
check kick_joining_nothing_is_unexplained "1 0 0 1 1" \
	" sh-1 [000] d..1. 1.5: csd_queue_cpu: cpu=1 callsite=x $kick csd=0x40"
check racing_queuer_that_found_the_list_empty_explains_the_kick "1 0 0 1 0" \
	" sh-1 [000] d..1. 1.0: csd_queue_cpu: cpu=1 callsite=x $kick csd=0x40" \
	' sh-1 [002] d..1. 1.1: csd_queue_cpu: cpu=1 callsite=x func=foo csd=0x20' \
	' sh-1 [002] d..1. 1.2: ipi_send_cpu: cpu=1 callsite=x callback=x' \
	' sh-1 [000] d..1. 1.3: csd_queue_cpu: cpu=3 callsite=x func=bar csd=0x50' \
	' sh-1 [001] d..1. 1.4: csd_function_entry: func=foo csd=0x20' \
	' sh-1 [001] d..1. 1.5: csd_function_entry: func=kick csd=0x40'
check queueing_after_the_kick_ran_explains_nothing "1 0 0 1 1" \
	" sh-1 [000] d..1. 1.0: csd_queue_cpu: cpu=1 callsite=x $kick csd=0x40" \
	' sh-1 [000] d..1. 1.3: csd_queue_cpu: cpu=3 callsite=x func=bar csd=0x50' \
	' sh-1 [001] d..1. 1.5: csd_function_entry: func=kick csd=0x40' \
	' sh-1 [002] d..1. 1.6: csd_queue_cpu: cpu=1 callsite=x func=foo csd=0x20'
check softirq_queueing_between_a_kick_and_its_ipi_resolves_nothing "1 1 0 0 0" \
	" sh-1595 [000] ...2. 228.710532: csd_queue_cpu: cpu=2 callsite=x $kick csd=0x40" \
	' sh-1595 [000] d.s7. 228.712125: csd_queue_cpu: cpu=1 callsite=ttwu_queue_wakelist func=sched_ttwu_pending csd=0x10' \
	' sh-1595 [000] d.s7. 228.712131: ipi_send_cpu: cpu=1 callsite=x callback=x' \
	' sh-1595 [000] ...2. 228.712131: ipi_send_cpu: cpu=2 callsite=x callback=x' \
	' <idle>-0 [002] d.h1. 228.712303: csd_function_entry: func=kick csd=0x40'
exit $failed
