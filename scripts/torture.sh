#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make torture`: on each of TORTURE_FLAVOURS (default "generic rt"), in one
# guest of CPUS vCPUs (default 4), the kernel's own smp_call_function torture
# (scftorture, built out of tree: scripts/build-scftorture.sh) and then
# xcall's in-kernel torture (the debugfs `torture` knob), each for
# TORTURE_SECONDS (default 600) with CPU hotplug, and reports both rates:
# scftorture's invocations/s (its final scf_invoked_count) against xcall's
# ops/s. Fails on a violation or on a splat in the kernel log after scftorture
# has ended; scftorture's own errors ("!!!") and splats are reported, not
# counted against xcall.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$XCALL_TOP/scripts/deps.sh"
seconds=${TORTURE_SECONDS:-600}
case "$seconds" in ''|*[!0-9]*|0) die "TORTURE_SECONDS takes a positive number" ;; esac
failed=0
for fl in ${TORTURE_FLAVOURS:-generic rt}; do
	scf=$("$XCALL_TOP/scripts/build-scftorture.sh" "$fl")
	echo "== torture: $fl kernel, ${CPUS:-4} vCPUs, ${seconds}s each: scftorture, then xcall"
	# scftorture: CPU hotplug every 25 jiffies (100 ms at HZ=250), as
	# xcall's on/off thread does every 20-300 ms; its final statistics
	# line comes at rmmod.
	cmd="insmod /xcall/torture.ko && insmod /xcall/scftorture.ko onoff_interval=25 || exit 1
sleep $seconds
rmmod scftorture && rmmod torture || exit 1
echo 'xcall-torture: scftorture ended' >/dev/kmsg
insmod /xcall/xcall.ko || exit 1
D=/sys/kernel/debug/xcall
echo 'start seconds=$seconds' > \$D/torture || exit 1
sleep $seconds
while grep -q ^running \$D/torture; do sleep 2; done
cat \$D/torture
rmmod xcall
grep -q ' 0 violations\$' \$D/torture 2>/dev/null; true"
	log=$XCALL_BUILD/torture-$fl.log	# kept: the whole console, kernel log included
	rc=0
	XCALL_INITRAMFS_EXTRA="$scf/torture.ko $scf/scftorture.ko" GUEST_TIMEOUT=$((2 * seconds + 600)) \
		"$XCALL_TOP/scripts/guest.sh" "$fl" run -- "$cmd" >"$log" 2>&1 || rc=$?
	guest_output "$log"
	scf_line=$(grep 'scf_invoked_count VER' "$log" | tail -n 1 || true)
	invoked=$(sed -n 's/.*scf_invoked_count VER: \([0-9]*\) .*/\1/p' <<<"$scf_line")
	ops=$(sed -n 's/^\([0-9]*\) ops, \([0-9]*\) violations$/\1/p' "$log" | tail -n 1)
	violations=$(sed -n 's/^\([0-9]*\) ops, \([0-9]*\) violations$/\2/p' "$log" | tail -n 1)
	if [ -z "$invoked" ] || [ -z "$ops" ]; then
		echo "not ok torture_$fl # no summary (guest exit $rc)"
		tail -n 40 "$log"
		failed=1
		continue
	fi
	scf_rate=$((invoked / seconds))
	xcall_rate=$((ops / seconds))
	echo "scftorture: $invoked invocations in ${seconds}s = $scf_rate/s ($(grep -c 'scf_invoked_count' "$log") stat lines; errors: $(grep -q '!!!' <<<"$scf_line" && echo yes || echo none))"
	echo "xcall:      $ops ops in ${seconds}s = $xcall_rate/s, $violations violations"
	if [ "$xcall_rate" -ge "$scf_rate" ]; then
		echo "goal met on $fl: xcall $xcall_rate ops/s >= scftorture $scf_rate invocations/s"
	else
		echo "goal NOT met on $fl: xcall $xcall_rate ops/s < scftorture $scf_rate invocations/s"
	fi
	# A splat (qemu/run.sh exit 126) is xcall's only if it comes after
	# scftorture's end; before it, it is the kernel's own test's.
	kernlog=$(sed -n '/^@@XCALL-DMESG-BEGIN@@/,/^@@XCALL-DMESG-END@@/p' "$log")
	scf_splats=$(sed '/xcall-torture: scftorture ended/,$d' <<<"$kernlog" | sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" || true)
	xcall_splats=$(sed -n '/xcall-torture: scftorture ended/,$p' <<<"$kernlog" | sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" || true)
	if [ -n "$scf_splats" ]; then
		echo "# scftorture (the kernel's own test, not xcall) left a splat on $fl:"
		head -n 10 <<<"$scf_splats" | sed 's/^/#   /'
	fi
	if { [ "$rc" != 0 ] && { [ "$rc" != 126 ] || [ -n "$xcall_splats" ] || [ -z "$scf_splats" ]; }; } ||
		[ "$violations" != 0 ]; then
		echo "not ok torture_$fl # guest exit $rc, $violations violations (console: $log)"
		head -n 20 <<<"$xcall_splats" | sed 's/^/# /'
		failed=1
	else
		echo "ok torture_$fl # xcall: $violations violations, no splat"
	fi
done
exit "$failed"
