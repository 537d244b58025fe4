#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Proves that a checking kernel flavour and the guest harness catch what they
# exist to catch: tests/broken/xcall_broken.ko commits each bug in turn in one
# guest run, which must fail (qemu/run.sh exit 126: a splat in the kernel log)
# with the right report, found after that bug's marker in the kernel log.
# Prints one KTAP line per bug.
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

case "$(flavour_base "$flavour")" in
debug)
	bugs=(sleep_in_atomic abba uaf)
	reports=('BUG: sleeping function called from invalid context' 'possible circular locking dependency'
		 'BUG: KASAN: (slab-)?use-after-free') ;;	# "slab-" since 6.2
kcsan)
	bugs=(race)
	reports=('BUG: KCSAN: data-race') ;;
*) die "detectors.sh: $flavour has no checkers" ;;
esac

# One guest run per kernel: the bugs one after the other, each after a
# marker in the kernel log, so that each report is looked for in its own
# bug's part of the log. (Lockdep turns itself off after its first report,
# and when a KASAN report taints the kernel: abba before uaf.)
log=$out/detectors.log rc=0
cmd="insmod /xcall/xcall.ko || exit 1"
for bug in "${bugs[@]}"; do
	cmd+="
echo 'xcall-detectors: $bug' >/dev/kmsg
echo $bug > /sys/kernel/debug/xcall_broken/trigger
sleep 1"
done
XCALL_KO="$out/xcall_broken.ko" GUEST_TIMEOUT=400 CPUS=2 "$XCALL_TOP/scripts/guest.sh" "$flavour" run \
	-l "$log" -- "$cmd" >/dev/null 2>&1 || rc=$?

echo "TAP version 13"
echo "1..${#bugs[@]}"
for i in "${!bugs[@]}"; do
	bug=${bugs[$i]} report=${reports[$i]}
	part=$(awk -v me="xcall-detectors: $bug" 'index($0, "xcall-detectors: ") { on = index($0, me) > 0 } on' "$log")
	if [ "$rc" = 126 ] && grep -qE "$report" <<<"$part"; then
		ktap_result OK "${flavour}_catches_$bug"
	else
		ktap_result FAIL "${flavour}_catches_$bug" \
			"run.sh exit $rc, '$report' $(grep -qE "$report" <<<"$part" && echo found || echo missing) after its marker (log: $log)"
	fi
done
! ktap_failed
