#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs the host tools xcall needs, only what is missing, on Debian 12
# (bookworm) or Debian 13 (trixie); root (or sudo). Tools only: every
# kernel line's build tree, image and source come from Debian's archive
# into the cache (scripts/lib.sh, scripts/debian.sh), downloaded and
# unpacked, never installed. Prints how long it took.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
t0=$(date +%s)

rel=$(host_release)
want=(make gcc gcc-12 g++-12 binutils kmod cpio busybox-static git
      libgtest-dev libc6-dev xz-utils perl python3 rsync file gzip util-linux
      bc flex bison libelf-dev libssl-dev)	# the last five: the checking kernels
want+=("$@")	# what one target adds (make bench: gnuplot-nox)
# A line whose release is not the host's builds in that release's root.
for l in $XCALL_LINES; do
	if [ "$(line_release "$l")" != "$rel" ]; then want+=(debootstrap); break; fi
done

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
apt() { DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 "$@"; }

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

# A fresh machine has no apt lists: refresh them if absent or older than a day.
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
	note "apt-get update"
	apt update -qq >/dev/null
fi

todo=$(missing "${want[@]}")
if [ -n "$todo" ]; then
	note "installing:" $todo
	apt install -y -qq --no-install-recommends $todo >/dev/null
fi

# QEMU >= 10.0, not bookworm's 7.2: under 7.2's multi-threaded TCG a vCPU
# can run an int3 that the kernel's text patching (text_poke_bp(): int3,
# sync every CPU, new bytes, sync) has already removed, and the guest dies
# of "Oops: int3". Debian's 6.12 kernels hit it in about one boot in ten;
# with 10.0 the same loop ran clean (docs/kernel-lines.md). Debian 13 has
# 10.0; on Debian 12 it comes from bookworm-backports, with -t so that its
# siblings (qemu-system-common, -data, seabios) come from there too.
qemu_have=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
if [ -z "$qemu_have" ] || dpkg --compare-versions "$qemu_have" lt 1:10.0; then
	case "$rel" in
	bookworm)
		"$XCALL_TOP/scripts/backports.sh"
		note "installing qemu-system-x86 from bookworm-backports${qemu_have:+ (have $qemu_have)}"
		apt install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 >/dev/null ;;
	*)
		note "installing qemu-system-x86${qemu_have:+ (have $qemu_have)}"
		apt install -y -qq --no-install-recommends qemu-system-x86 >/dev/null ;;
	esac
	qemu_have=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
	dpkg --compare-versions "${qemu_have:-0}" ge 1:10.0 ||
		die "qemu-system-x86 ${qemu_have:-is missing}: xcall's guests need QEMU 10.0 or newer"
fi
note "host tools present on Debian $rel ($(qemu-system-x86_64 --version | head -n1)); apt phase $(($(date +%s) - t0)) s"
