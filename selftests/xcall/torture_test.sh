#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-kernel torture (debugfs `torture`): malformed commands are refused
# and change nothing; a smoke run of XCALL_TORTURE_SECONDS (default 30) with
# CPU hotplug ends with ops > 0, every operation type exercised and 0
# violations; a second start while one runs is refused with EBUSY; `stop`
# ends a run at once; unloading during a run stops it cleanly; the kernel
# log stays clean.
cd "$(dirname "$0")"
. ./xcall_lib.sh
xcall_require_root

seconds=${XCALL_TORTURE_SECONDS:-30}
ktap_header 6
start=$(dmesg_lines)
xcall_load || { echo "# cannot load xcall"; exit $KSFT_FAIL; }
T=$XCALL_DIR/torture

refused=0 total=0
for cmd in bogus start "start seconds=0" "start seconds=x" "start seconds=5 hotplug=2" \
	"start seconds=100000" "start seconds=5 cpus=1" "start seconds=5 seconds=6" "stop now"; do
	total=$((total + 1))
	if ! echo "$cmd" >$T 2>/dev/null; then
		refused=$((refused + 1))
	else
		echo "# accepted: '$cmd'"
	fi
done
state=$(head -n 1 $T)
ktap_result $([ $refused = $total ] && [ "$state" = idle ]; echo $?) malformed_commands_refused \
	"$refused of $total refused, state '$state'"

echo "start seconds=$seconds" >$T
started=$?
echo "start seconds=$seconds" >$T 2>/dev/null
busy=$?
ktap_result $([ $started = 0 ] && [ $busy != 0 ]; echo $?) second_start_refused_while_running \
	"start exit $started, second start exit $busy"

waited=0
while grep -q '^running' $T && [ $waited -lt $((seconds + 120)) ]; do
	sleep 2
	waited=$((waited + 2))
done
summary=$(cat $T)
printf '%s\n' "$summary" | sed 's/^/# /'
last=$(printf '%s\n' "$summary" | tail -n 1)
ops=$(printf '%s\n' "$last" | sed -n 's/^\([0-9]*\) ops, \([0-9]*\) violations$/\1/p')
violations=$(printf '%s\n' "$last" | sed -n 's/^\([0-9]*\) ops, \([0-9]*\) violations$/\2/p')
ktap_result $([ -n "$ops" ] && [ "$ops" -gt 0 ] && [ "$violations" = 0 ]; echo $?) smoke_run_has_no_violation \
	"$last"
# Every operation type ran at least once (ops and ran columns above 0).
idle_ops=$(printf '%s\n' "$summary" | awk 'NR > 2 && NF == 5 && $2 ~ /^[0-9]+$/ && ($2 == 0 || $3 == 0) { print $1 }')
ktap_result $([ -z "$idle_ops" ]; echo $?) every_operation_type_ran "${idle_ops:+never ran: }$idle_ops"

echo "start seconds=600" >$T && sleep 2 && echo stop >$T
stopped=$(head -n 1 $T | cut -d' ' -f1)
echo "start seconds=600" >$T && sleep 2
rmmod xcall
unloaded=$?
ktap_result $([ "$stopped" = done ] && [ $unloaded = 0 ] && [ ! -e $XCALL_DIR ]; echo $?) stop_and_unload_end_a_run \
	"after stop: '$stopped', rmmod during a run exit $unloaded"

log=$(dmesg_since "$start")
splats=$(printf '%s\n' "$log" | sh ./splat-scan.sh)
[ -n "$splats" ] && printf '# %s\n' "$splats"
ktap_result $([ -z "$splats" ] && printf '%s\n' "$log" | grep -q 'xcall: unloaded: .* all returned'; echo $?) \
	kernel_log_clean
xcall_load
ktap_finish
