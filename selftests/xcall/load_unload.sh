#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Loads and unloads xcall 10 times. Each time the debugfs directory must
# appear with its files and disappear again, the module must return every
# allocation it made (it reports its own count at unload), and the kernel
# log must stay free of splats.
cd "$(dirname "$0")"
. ./xcall_lib.sh
xcall_require_root

cycles=10
ktap_header 5
xcall_unload || { echo "# cannot unload a previously loaded xcall"; exit $KSFT_FAIL; }
start=$(dmesg_lines)

appeared=0 disappeared=0 exercised=0
i=0
while [ $i -lt $cycles ]; do
	i=$((i + 1))
	if ! xcall_load; then
		echo "# cycle $i: load failed"
		break
	fi
	[ -d $XCALL_DIR ] && [ -f $XCALL_DIR/memory ] && [ -f $XCALL_DIR/selftest ] &&
		appeared=$((appeared + 1))
	# Make the module allocate and free in both contexts before unloading.
	echo all >$XCALL_DIR/selftest 2>/dev/null && exercised=$((exercised + 1))
	rmmod xcall || { echo "# cycle $i: unload failed"; break; }
	[ ! -e $XCALL_DIR ] && disappeared=$((disappeared + 1))
done

ktap_result $([ $appeared = $cycles ]; echo $?) debugfs_dir_appears_on_load "$appeared of $cycles"
ktap_result $([ $disappeared = $cycles ]; echo $?) debugfs_dir_disappears_on_unload "$disappeared of $cycles"
ktap_result $([ $exercised = $cycles ]; echo $?) module_allocates_while_loaded "$exercised of $cycles"

log=$(dmesg_since "$start")
returned=$(printf '%s\n' "$log" | grep -c 'xcall: unloaded: [0-9]* allocations, all returned')
leaked=$(printf '%s\n' "$log" | grep 'xcall: leaked')
echo "# unload reports: $returned clean of $cycles"
[ -n "$leaked" ] && printf '# %s\n' "$leaked"
ktap_result $([ "$returned" = $cycles ] && [ -z "$leaked" ]; echo $?) all_allocations_returned_at_unload \
	"$returned of $cycles unloads clean"

splats=$(printf '%s\n' "$log" | sh ./splat-scan.sh)
[ -n "$splats" ] && printf '# %s\n' "$splats"
ktap_result $([ -z "$splats" ]; echo $?) kernel_log_clean

ktap_finish
