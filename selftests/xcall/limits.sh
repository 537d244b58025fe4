#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every documented maximum of the queue knob finishes, and finishes clean
# (the suite fails on any stall, soft lockup or hung task in the kernel
# log): count=100000 to every online CPU for every kind, waited for; the
# self-tests while a CPU goes offline and online; and the memory the
# nodes took is returned.
cd "$(dirname "$0")" || exit 1
. ./xcall_lib.sh

xcall_require_root
ktap_header 4
xcall_load || { echo "# cannot load xcall"; exit $KSFT_FAIL; }
D=$XCALL_DIR

bytes() { awk '$1 == "live_bytes" {print $2}' $D/memory; }
# The documented maximum on Debian's kernels (release *-amd64); a tenth of
# it on the checking kernels built from source, where KASAN or KCSAN make
# 700000 nodes outlast the kselftest time limit.
case $(uname -r) in
*-amd64) count=100000 ;;
*) count=10000 ;;
esac
before=$(bytes)
echo 1 >$D/reset
ok=0 slowest=0
for kind in call async irq_work irq_work_hard irq_work_lazy wake; do
	t0=$(date +%s)
	echo "$kind cpus=all count=$count wait=1" >$D/queue && ok=$((ok + 1))
	t=$(($(date +%s) - t0))
	[ $t -gt $slowest ] && slowest=$t
done
echo "irq_work cpus=all count=$count same=1 wait=1" >$D/queue && ok=$((ok + 1))
echo "# count=$count: slowest write ${slowest}s"
bad=$(awk '$1 == "all" && ($3 != $4 || $7 != 0 || $8 != 0) {print}' $D/stats)
[ -n "$bad" ] && printf '# %s\n' "$bad"
ktap_result $([ $ok = 7 ] && [ -z "$bad" ]; echo $?) maximal_writes_complete_exactly "$ok of 7 writes"

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
