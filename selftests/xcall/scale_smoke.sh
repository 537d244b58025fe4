#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The scale smoke (`make scale`; not run by run_kselftest.sh): on whatever
# CPU count this guest has, online and possible (e.g. possible_cpus=2048
# with 4 online), load xcall, queue every kind to every online CPU with
# exact accounting, read the per-CPU files, take one CPU offline and back
# while it is loaded, and unload with every allocation returned.
cd "$(dirname "$0")" || exit 1
. ./xcall_lib.sh

xcall_require_root
ktap_header 6
start=$(dmesg_lines)
xcall_unload
xcall_load
ktap_result $? loads_with_$(cat /sys/devices/system/cpu/possible)_possible

ok=0
for kind in call async irq_work irq_work_hard irq_work_lazy wake; do
	echo "$kind cpus=all count=100 wait=1" >$XCALL_DIR/queue && ok=$((ok + 1))
done
# Every row of every kind: handled == queued, nothing ran on a wrong CPU
# or in a wrong context; the "all" rows sum every possible CPU.
bad=$(awk 'NR > 1 && ($3 != $4 || $7 != 0 || $8 != 0) {print}' $XCALL_DIR/stats)
total=$(awk '$1 == "all" {sum += $3} END {print sum + 0}' $XCALL_DIR/stats)
want=$((6 * 100 * $(nproc)))
[ -n "$bad" ] && printf '# %s\n' "$bad"
ktap_result $([ $ok = 6 ] && [ -z "$bad" ] && [ "$total" = $want ]; echo $?) every_kind_to_every_cpu_exact \
	"$ok writes, $total nodes queued of $want"

rows=$(($(wc -l <$XCALL_DIR/hotplug) - 1))
possible=$(tr ',' '\n' </sys/devices/system/cpu/possible |
	awk -F- '{n += ($2 == "" ? 1 : $2 - $1 + 1)} END {print n}')
ktap_result $([ "$rows" = "$possible" ]; echo $?) hotplug_file_has_a_row_per_possible_cpu "$rows rows, $possible CPUs"
grep -q '^live_bytes' $XCALL_DIR/memory && printf '# %s\n' "$(tr '\n' ' ' <$XCALL_DIR/memory)"

last=$(($(nproc) - 1))
err=0
echo 0 >/sys/devices/system/cpu/cpu$last/online || err=1
echo "async cpus=all count=100 wait=1" >$XCALL_DIR/queue || err=1
echo 1 >/sys/devices/system/cpu/cpu$last/online || err=1
echo "async cpus=all count=100 wait=1" >$XCALL_DIR/queue || err=1
bad=$(awk 'NR > 1 && $3 != $4 {print}' $XCALL_DIR/stats)
ktap_result $([ $err = 0 ] && [ -z "$bad" ]; echo $?) cpu_offline_and_back_while_loaded

rmmod xcall
log=$(dmesg_since "$start")
printf '%s\n' "$log" | grep -q 'xcall: unloaded: [0-9]* allocations, all returned'
ktap_result $? unload_returns_every_allocation
splats=$(printf '%s\n' "$log" | sh ./splat-scan.sh)
[ -n "$splats" ] && printf '# %s\n' "$splats"
ktap_result $([ -z "$splats" ]; echo $?) kernel_log_clean
ktap_finish
