#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots xcall's test guest under QEMU (TCG) and runs a command in it.
#
#   qemu/run.sh [options] -- COMMAND...   run COMMAND in the guest (sh -c)
#   qemu/run.sh [options] -i              interactive shell, xcall loaded
#
# Options:
#   -k VMLINUZ     kernel image (required)
#   -r INITRAMFS   initramfs from qemu/mkinitramfs.sh (required)
#   -c CPUS        vCPUs (default 4)
#   -m MEM         memory (default 1G)
#   -t SECONDS     hard wall-clock limit; qemu gets SIGKILL (default 600)
#   -b SECONDS     boot limit: a guest whose /init has not spoken by then is
#                  killed and booted once more (default 180, 0: no limit)
#   -l LOG         also write the console log here
#   -a ARGS        more kernel command-line arguments
#   --kvm          use KVM (opt-in: it hangs on machines without working KVM)
# Environment: XCALL_QEMU, the qemu-system-x86_64 to run (default: the one
# on PATH, 10.0 from bookworm-backports: scripts/deps.sh says why).
#
# Exit status: the command's, or 124 if the limit killed the guest (or it
# failed to boot twice), or 125
# if the guest stopped without reporting one (panic, crash), or 126 if the
# kernel log shows a splat (oops, BUG, WARN, lockdep, sleep-in-atomic...).
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

cpus=4 mem=1G limit=600 boot_limit=180 log= kernel= initrd= interactive=0 accel="tcg,thread=multi" append=
while [ $# -gt 0 ]; do
	case "$1" in
	-k) kernel=$2; shift 2 ;;
	-r) initrd=$2; shift 2 ;;
	-c) cpus=$2; shift 2 ;;
	-m) mem=$2; shift 2 ;;
	-t) limit=$2; shift 2 ;;
	-b) boot_limit=$2; shift 2 ;;
	-l) log=$2; shift 2 ;;
	-a) append=$2; shift 2 ;;
	-i) interactive=1; shift ;;
	--kvm) accel=kvm; shift ;;
	--) shift; break ;;
	*) die "run.sh: unknown option $1" ;;
	esac
done
[ -f "$kernel" ] || die "run.sh: no kernel image (-k)"
[ -f "$initrd" ] || die "run.sh: no initramfs (-r)"
case "$cpus" in ''|*[!0-9]*) die "run.sh: -c takes a number" ;; esac
case "$boot_limit" in ''|*[!0-9]*) die "run.sh: -b takes a number" ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The command travels as a second cpio archive appended to the first: the
# kernel unpacks concatenated archives in order.
cp "$initrd" "$work/initrd"
if [ "$interactive" = 0 ]; then
	mkdir -p "$work/extra/xcall"
	printf '%s\n' "$*" >"$work/extra/xcall/run.cmd"
	(cd "$work/extra" && find . | cpio --quiet -o -H newc -R 0:0) | gzip -1 >>"$work/initrd"
fi

# sockets=: a kernel without ACPI (the debug flavours) finds the CPUs in the
# MP table only when each is its own socket. The console shows the whole boot
# log (loglevel=7) until /init lowers it to warnings, so a boot that hangs
# says where.
qemu=("${XCALL_QEMU:-qemu-system-x86_64}" -accel "$accel" -cpu max -m "$mem"
	-smp "$cpus,sockets=$cpus,cores=1,threads=1" -kernel "$kernel" -initrd "$work/initrd" -no-reboot
	-append "console=ttyS0 loglevel=7 panic=-1 nokaslr rdinit=/init $append")

if [ "$interactive" = 1 ]; then
	# SIGKILL after the limit still applies: qemu can ignore SIGTERM.
	exec timeout -s KILL "$limit" "${qemu[@]}" -nographic -serial mon:stdio
fi

console=$work/console
# boot_guest: one boot. Sets qrc (qemu's status, 137 if killed) and
# boot_hung=1 if the guest's /init did not print its first line
# ("xcall-guest: ...") within boot_limit seconds; qemu is then killed. That
# phase runs only the kernel's own boot and busybox, never xcall.
boot_guest() {
	local tee_pid waited=0
	: >"$console"
	rm -f "$work/qemu.pid" "$work/qrc"
	boot_hung=0
	# sed -u, not tr: the boot watch below reads the console file while
	# qemu runs, so nothing may sit in a pipe buffer.
	{
		timeout -s KILL "$limit" "${qemu[@]}" -pidfile "$work/qemu.pid" \
			-display none -monitor none -serial stdio </dev/null 2>&1
		echo $? >"$work/qrc"
	} | sed -u 's/\r$//' | tee "$console" &
	tee_pid=$!
	while [ "$boot_limit" != 0 ] && kill -0 "$tee_pid" 2>/dev/null; do
		grep -q '^xcall-guest:' "$console" && break
		if [ "$waited" -ge "$boot_limit" ]; then
			boot_hung=1
			[ -s "$work/qemu.pid" ] && kill -KILL "$(cat "$work/qemu.pid")" 2>/dev/null
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$tee_pid"
	qrc=$(cat "$work/qrc" 2>/dev/null || echo 125)
}

for attempt in 1 2; do
	boot_guest
	[ "$boot_hung" = 0 ] && break
	note "guest did not reach /init in ${boot_limit}s (boot $attempt of 2); its console ended with:"
	tail -n 20 "$console" >&2
	[ -n "$log" ] && cp "$console" "$log.boot-$attempt"
done
[ -n "$log" ] && cp "$console" "$log"
if [ "$boot_hung" = 1 ]; then
	note "guest failed to boot twice"
	exit 124
fi

if [ "$qrc" = 137 ] || [ "$qrc" = 124 ]; then
	note "guest killed after ${limit}s"
	exit 124
fi
status=$(sed -n 's/^@@XCALL-EXIT \([0-9]*\)@@$/\1/p' "$console" | tail -n1)
if [ -z "$status" ]; then
	note "guest stopped without an exit status (qemu status $qrc)"
	sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" <"$console" >&2
	exit 125
fi
# Every run fails on a splat, whatever the command said: the whole kernel
# log (and anything printed to the console before it) is scanned.
if ! sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" <"$console" >"$work/splats"; then
	note "kernel log shows a splat:"
	cat "$work/splats" >&2
	exit 126
fi
exit "$status"
