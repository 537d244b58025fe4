#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Proves that a checking kernel flavour and the guest harness catch what they
# exist to catch: tests/broken/xcall_broken.ko commits one bug per guest run,
# and each run must fail (qemu/run.sh exit 126: a splat in the kernel log)
# with the right report. Prints one KTAP line per bug.
#   detectors.sh FLAVOUR        (debug: KASAN, lockdep, atomic sleep; kcsan: KCSAN)
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

flavour=$1
kdir=$(flavour_kdir "$flavour") || die "no $flavour kernel"
out=$XCALL_BUILD/broken-$flavour
rm -rf "$out"
mkdir -p "$out"
cp "$XCALL_TOP"/tests/broken/{Kbuild,xcall_broken.c} "$out/"
make -C "$kdir" M="$out" modules >"$out/build.log" 2>&1 || die "xcall_broken did not build (log: $out/build.log)"

case "$flavour" in
debug)
	bugs=(uaf sleep_in_atomic abba)
	reports=('BUG: KASAN: use-after-free' 'BUG: sleeping function called from invalid context'
		 'possible circular locking dependency') ;;
kcsan)
	bugs=(race)
	reports=('BUG: KCSAN: data-race') ;;
*) die "detectors.sh: $flavour has no checkers" ;;
esac

echo "TAP version 13"
echo "1..${#bugs[@]}"
for i in "${!bugs[@]}"; do
	bug=${bugs[$i]} report=${reports[$i]} log=$out/$bug.log rc=0
	XCALL_KO="$out/xcall_broken.ko" GUEST_TIMEOUT=300 CPUS=2 "$XCALL_TOP/scripts/guest.sh" "$flavour" run \
		-l "$log" -- "insmod /xcall/xcall.ko && echo $bug > /sys/kernel/debug/xcall_broken/trigger" \
		>/dev/null 2>&1 || rc=$?
	if [ "$rc" = 126 ] && grep -qF "$report" "$log"; then
		ktap_result OK "${flavour}_catches_$bug"
	else
		ktap_result FAIL "${flavour}_catches_$bug" \
			"run.sh exit $rc, '$report' $(grep -qF "$report" "$log" && echo found || echo missing) (log: $log)"
	fi
done
! ktap_failed
