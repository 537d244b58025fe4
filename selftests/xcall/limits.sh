#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every documented maximum of the queue knob finishes, and finishes clean
# (the suite fails on any stall, soft lockup or hung task in the kernel
# log): for every kind, the largest write (count=100000 to one CPU, which
# is also the most nodes a write may queue) waited for, and the same number
# spread over every online CPU for three kinds; one node more is E2BIG; the self-tests while a CPU goes offline and online; and the memory
# the nodes took is returned.
cd "$(dirname "$0")" || exit 1
. ./xcall_lib.sh

xcall_require_root
ktap_header 5
xcall_load || { echo "# cannot load xcall"; exit $KSFT_FAIL; }
D=$XCALL_DIR

bytes() { awk '$1 == "live_bytes" {print $2}' $D/memory; }
# The documented maxima on Debian's kernels (release *-amd64); a tenth of
# them on the checking kernels built from source, where KASAN or KCSAN make
# them outlast the kselftest time limit.
max=100000
case $(uname -r) in
*-amd64) ;;
*) max=10000 ;;
esac
ncpu=$(nproc)
per_cpu=$((max / ncpu))
before=$(bytes)
echo 1 >$D/reset
ok=0 slowest=0 writes=0
set --
# count=max to one CPU is both maxima at once (count, and nodes a write);
# spread over every CPU, the same number of nodes waits on all of them.
for cmd in "call cpus=all count=$per_cpu wait=1" "async cpus=all count=$per_cpu wait=1" \
	"irq_work cpus=all count=$per_cpu same=1 wait=1"; do
	set -- "$@" "$cmd"
done
for kind in call async irq_work irq_work_hard irq_work_lazy wake; do
	set -- "$@" "$kind cpus=$((ncpu - 1)) count=$max wait=1"
done
for cmd in "$@"; do
	t0=$(date +%s)
	echo "$cmd" >$D/queue && ok=$((ok + 1))
	writes=$((writes + 1))
	t=$(($(date +%s) - t0))
	[ $t -gt $slowest ] && slowest=$t
done
echo "# $per_cpu nodes to each of $ncpu CPUs, and $max to one: slowest write ${slowest}s"
bad=$(awk '$1 == "all" && ($3 != $4 || $7 != 0 || $8 != 0) {print}' $D/stats)
[ -n "$bad" ] && printf '# %s\n' "$bad"
ktap_result $([ $ok = $writes ] && [ -z "$bad" ]; echo $?) maximal_writes_complete_exactly "$ok of $writes writes"

# One node above either maximum is refused, with nothing queued.
queued=$(awk '$1 == "all" {print $3}' $D/stats)
e1=$(echo "async cpus=all count=$((100000 / ncpu + 1))" 2>&1 >$D/queue)
e2=$(echo "async cpus=0 count=100001" 2>&1 >$D/queue)
case "$e1$e2" in *"too long"*"too long"*) big=0 ;; *) big=1 ;; esac
[ "$(awk '$1 == "all" {print $3}' $D/stats)" = "$queued" ] || big=1
ktap_result $big one_node_more_is_e2big "$e1 / $e2"

after=$(bytes)
ktap_result $([ "$after" = "$before" ]; echo $?) node_memory_returned "live_bytes $before before, $after after"

# The self-tests, run while the last CPU goes offline and online: cases may
# find their CPU gone (and say so), but every run must end, and clean.
last=$(($(nproc) - 1))
(
	i=0
	while [ $i -lt 40 ]; do
		echo 0 >/sys/devices/system/cpu/cpu$last/online 2>/dev/null
		echo 1 >/sys/devices/system/cpu/cpu$last/online 2>/dev/null
		i=$((i + 1))
	done
) &
toggler=$!
runs=0
while kill -0 $toggler 2>/dev/null && [ $runs -lt 20 ]; do
	echo all >$D/selftest 2>/dev/null
	runs=$((runs + 1))
done
wait $toggler
echo 1 >/sys/devices/system/cpu/cpu$last/online 2>/dev/null
echo "# $runs self-test runs under hotplug, $(grep -c '^not ok' $D/selftest) failing cases in the last"
ktap_result $([ $runs -gt 0 ] && [ "$(cat /sys/devices/system/cpu/cpu$last/online)" = 1 ]; echo $?) \
	selftests_under_hotplug_end

echo all >$D/selftest
failed=$(grep '^not ok' $D/selftest)
[ -n "$failed" ] && printf '# %s\n' "$failed"
ktap_result $([ -z "$failed" ]; echo $?) selftests_pass_after_hotplug
ktap_finish
