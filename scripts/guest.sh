#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepares a flavour's test guest (module, kselftests, initramfs, kernel
# image) and boots it:
#   guest.sh FLAVOUR run [qemu/run.sh options] -- COMMAND
#   guest.sh FLAVOUR shell [qemu/run.sh options]
#   guest.sh FLAVOUR prepare            (prints the initramfs path)
# FLAVOUR is generic or rt. Environment: CPUS (default 4), MEM (1G),
# GUEST_TIMEOUT (seconds, default 600), XCALL_KO (a prebuilt module).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=$1
action=$2
shift 2

# Guests may boot side by side (make check); what they share under build/
# (modules, the kselftest tree, initramfs images) is prepared by one at a
# time. The lock is dropped before qemu starts.
mkdir -p "$XCALL_BUILD"
exec 8>"$XCALL_BUILD/.guest-prepare.lock"
flock 8
ko=${XCALL_KO:-}
if [ -z "$ko" ]; then
	ko=$("$XCALL_TOP/scripts/build-module.sh" "$flavour")
fi
# The client modules of examples/, against this xcall (not for a prebuilt XCALL_KO).
[ -n "${XCALL_KO:-}" ] || "$XCALL_TOP/scripts/build-example.sh" "$flavour" >/dev/null
ksft=$("$XCALL_TOP/scripts/build-kselftest.sh")
initrd=$(dirname "$ko")/initramfs-$flavour.cpio.gz
mkdir -p "$(dirname "$initrd")"
"$XCALL_TOP/qemu/mkinitramfs.sh" "$initrd" "$ko" "$ksft"
kernel=$(flavour_vmlinuz "$flavour")

common=(-k "$kernel" -r "$initrd" -c "${CPUS:-4}" -m "${MEM:-1G}" -t "${GUEST_TIMEOUT:-600}")
# The checking kernels have no ACPI, hence no HPET or PM timer, and would
# time with jiffies; TCG's TSC follows the host clock on every vCPU, so trust
# it, at the host's TSC frequency: their only other way to learn it, PIT
# calibration, fails under TCG on a busy host (qemu/host-tsc-khz.c).
if is_source_flavour "$flavour"; then
	tsc_khz_tool=$XCALL_BUILD/host-tsc-khz
	if [ ! -x "$tsc_khz_tool" ] || [ "$XCALL_TOP/qemu/host-tsc-khz.c" -nt "$tsc_khz_tool" ]; then
		gcc-12 -O2 -Wall -Werror -o "$tsc_khz_tool" "$XCALL_TOP/qemu/host-tsc-khz.c" ||
			die "cannot build $tsc_khz_tool"
	fi
	tsc_khz=$("$tsc_khz_tool") || die "cannot measure the host's TSC frequency"
	kcsan_off=
	[ "$(flavour_base "$flavour")" = kcsan ] && kcsan_off=kcsan.early_enable=0
	# KCSAN is switched on by the guest's /init, after the kernel's own
	# boot (qemu/init says why).
	common+=(-a "tsc=reliable tsc_early_khz=$tsc_khz${kcsan_off:+ $kcsan_off}")
fi
exec 8>&-
case "$action" in
prepare) echo "$initrd" ;;
run) exec "$XCALL_TOP/qemu/run.sh" "${common[@]}" "$@" ;;
shell) exec "$XCALL_TOP/qemu/run.sh" "${common[@]}" -i "$@" ;;
*) die "guest.sh: unknown action '$action'" ;;
esac
