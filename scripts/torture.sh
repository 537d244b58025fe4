#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make torture`: on each of TORTURE_FLAVOURS (default "generic rt
# generic-6.12 rt-6.12 debug"),
# in one guest of CPUS vCPUs (default 4), the kernel's own smp_call_function
# torture (scftorture, built out of tree: scripts/build-scftorture.sh) and
# xcall's in-kernel torture (the debugfs `torture` knob), each for
# TORTURE_SECONDS (default 600, 180 on the debug kernel) with CPU hotplug,
# alternating in TORTURE_SLICES slices (default 4), and reports both rates:
# scftorture's invocations/s (its scf_invoked_count at the end of each
# slice) against xcall's ops/s. Fails on a violation or on a splat in the
# kernel log while xcall's torture ran; scftorture's own errors ("!!!") and
# splats are reported, not counted against xcall.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$XCALL_TOP/scripts/deps.sh"
slices=${TORTURE_SLICES:-4}
require_positive TORTURE_SLICES "$slices"
failed=0
for fl in ${TORTURE_FLAVOURS:-generic rt generic-6.12 rt-6.12 debug}; do
	# The debug kernel (KASAN, lockdep) is slow: 3 minutes unless told.
	seconds=${TORTURE_SECONDS:-$([ "$fl" = debug ] && echo 180 || echo 600)}
	require_positive TORTURE_SECONDS "$seconds"
	slice=$(( (seconds + slices - 1) / slices ))
	seconds=$((slice * slices))
	scf=$("$XCALL_TOP/scripts/build-scftorture.sh" "$fl")
	echo "== torture: $fl kernel, ${CPUS:-4} vCPUs, ${seconds}s each: scftorture and xcall alternating, $slices slices of ${slice}s"
	# The two alternate in slices, so that a change in the host's load
	# falls on both alike. scftorture: CPU hotplug every 25 jiffies (100 ms
	# at HZ=250), as xcall's on/off thread does every 20-300 ms; its
	# statistics line for a slice comes at rmmod. A splat is scftorture's
	# if it comes before the marker of its slice's end, xcall's after it
	# and before the next slice's start marker.
	cmd="D=/sys/kernel/debug/xcall
i=0
while [ \$i -lt $slices ]; do
	echo 'xcall-torture: scftorture starts' >/dev/kmsg
	insmod /xcall/torture.ko && insmod /xcall/scftorture.ko onoff_interval=25 || exit 1
	sleep $slice
	rmmod scftorture && rmmod torture || exit 1
	echo 'xcall-torture: scftorture ended' >/dev/kmsg
	insmod /xcall/xcall.ko || exit 1
	echo 'start seconds=$slice' > \$D/torture || exit 1
	sleep $slice
	while grep -q ^running \$D/torture; do sleep 2; done
	cat \$D/torture
	grep -q ' 0 violations\$' \$D/torture || { rmmod xcall; exit 0; }
	rmmod xcall || exit 1
	i=\$((i + 1))
done"
	log=$XCALL_BUILD/torture-$fl.log	# kept: the whole console, kernel log included
	rc=0
	XCALL_INITRAMFS_EXTRA="$scf/torture.ko $scf/scftorture.ko" GUEST_TIMEOUT=$((2 * seconds + 600)) \
		"$XCALL_TOP/scripts/guest.sh" "$fl" run -- "$cmd" >"$log" 2>&1 || rc=$?
	guest_output "$log"
	kernlog=$(sed -n '/^@@XCALL-DMESG-BEGIN@@/,/^@@XCALL-DMESG-END@@/p' "$log")
	# scftorture's count is per load, and printed now and then as well as
	# at rmmod: each slice's last line before its end marker counts.
	invoked=$(awk '/scf_invoked_count VER/ { sub(/.*scf_invoked_count VER: /, ""); last = $1 }
		/xcall-torture: scftorture ended/ { sum += last; last = 0; n++ }
		END { if (n) print sum }' <<<"$kernlog")
	scf_errors=$(grep -c 'scf_invoked_count VER.*!!!' <<<"$kernlog" || true)
	ops=$(awk '/^[0-9]+ ops, [0-9]+ violations$/ { sum += $1; n++ } END { if (n) print sum }' "$log")
	violations=$(awk '/^[0-9]+ ops, [0-9]+ violations$/ { sum += $3 } END { print sum + 0 }' "$log")
	slices_done=$(grep -c '^[0-9]* ops, [0-9]* violations$' "$log" || true)
	if [ -z "$invoked" ] || [ -z "$ops" ]; then
		echo "not ok torture_$fl # no summary (guest exit $rc)"
		tail -n 40 "$log"
		failed=1
		continue
	fi
	scf_rate=$((invoked / seconds))
	xcall_rate=$((ops / seconds))
	echo "scftorture: $invoked invocations in ${seconds}s = $scf_rate/s (errors reported: $scf_errors)"
	echo "xcall:      $ops ops in ${seconds}s = $xcall_rate/s, $violations violations"
	if [ "$xcall_rate" -ge "$scf_rate" ]; then
		echo "goal met on $fl: xcall $xcall_rate ops/s >= scftorture $scf_rate invocations/s"
	else
		echo "goal NOT met on $fl: xcall $xcall_rate ops/s < scftorture $scf_rate invocations/s"
	fi
	# A splat (qemu/run.sh exit 126) is xcall's only if it comes while
	# xcall's torture runs; in a scftorture slice it is the kernel's own
	# test's.
	scf_splats=$(awk '/xcall-torture: scftorture starts/ { on = 1 } on { print }
		/xcall-torture: scftorture ended/ { on = 0 }' <<<"$kernlog" | sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" || true)
	xcall_splats=$(awk '/xcall-torture: scftorture starts/ { on = 0 } on { print }
		/xcall-torture: scftorture ended/ { on = 1 }' <<<"$kernlog" | sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" || true)
	if [ -n "$scf_splats" ]; then
		echo "# scftorture (the kernel's own test, not xcall) left a splat on $fl:"
		head -n 10 <<<"$scf_splats" | sed 's/^/#   /'
	fi
	if [ "$slices_done" != "$slices" ]; then
		echo "not ok torture_$fl # xcall's torture ended $slices_done of $slices slices (console: $log)"
		failed=1
	elif { [ "$rc" != 0 ] && { [ "$rc" != 126 ] || [ -n "$xcall_splats" ] || [ -z "$scf_splats" ]; }; } ||
		[ "$violations" != 0 ]; then
		echo "not ok torture_$fl # guest exit $rc, $violations violations (console: $log)"
		head -n 20 <<<"$xcall_splats" | sed 's/^/# /'
		failed=1
	else
		echo "ok torture_$fl # xcall: $violations violations, no splat"
	fi
done
exit "$failed"
