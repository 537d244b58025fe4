#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the guest's initramfs: busybox-static, qemu/init, one xcall.ko (and
# the client modules of examples/ built beside it) and
# the installed kselftest tree (run_kselftest.sh with the xcall collection).
#   mkinitramfs.sh OUT.cpio.gz XCALL.KO KSELFTEST_INSTALL_DIR
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

out=$1
ko=$2
ksft=$3
[ -f "$ko" ] || die "no module at $ko"
[ -x "$ksft/run_kselftest.sh" ] || die "no kselftest install at $ksft"
busybox=$(command -v busybox || echo /bin/busybox)
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || [ -f /bin/busybox ] ||
	die "busybox-static is not installed"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,xcall,etc}
cp /bin/busybox "$root/bin/busybox"
install -m 755 "$XCALL_TOP/qemu/init" "$root/init"
install -m 755 "$XCALL_TOP/qemu/timeout" "$root/usr/bin/timeout"
install -m 644 "$ko" "$root/xcall/xcall.ko"
# Client modules built beside it (scripts/build-example.sh), if any.
for client in "$(dirname "$ko")"/examples/*/*.ko; do
	if [ -f "$client" ]; then install -m 644 "$client" "$root/xcall/"; fi
done
cp -a "$ksft" "$root/kselftest"
# XCALL_INITRAMFS_EXTRA: more files for /xcall/ (e.g. scftorture's modules).
for extra in ${XCALL_INITRAMFS_EXTRA:-}; do
	install -m 644 "$extra" "$root/xcall/$(basename "$extra")"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
