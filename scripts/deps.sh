#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what xcall needs on Debian 12, only what is missing. Root (or sudo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

want=(make gcc-12 g++-12 binutils kmod cpio busybox-static
      libgtest-dev libc6-dev xz-utils perl python3 rsync file gzip
      bc flex bison libelf-dev libssl-dev)	# the last five: the debug kernels
want+=("$@")	# what one target adds (make bench: gnuplot-nox)

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

# apt's lists are needed to resolve the kernel ABI: refresh them if absent or
# older than a day (a fresh machine has none).
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
	note "apt-get update"
	$sudo apt-get update -qq >/dev/null
fi

abi=$(xcall_abi 6.1)
want+=("linux-headers-$abi-amd64" "linux-headers-$abi-rt-amd64" linux-source-6.1)

todo=$(missing "${want[@]}")
if [ -n "$todo" ]; then
	note "installing:" $todo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $todo >/dev/null
fi

# Linux 6.12 from bookworm-backports, named with /bookworm-backports (the
# suite is pinned so that nothing else comes from it). Debian's 6.12 headers
# depend on the matching kernel image, so apt installs that too: a 6.12
# kernel in /boot beside the running one (the guests boot their own copy,
# unpacked into the cache by lib.sh).
"$XCALL_TOP/scripts/backports.sh"
abi612=$(xcall_abi 6.12)
todo=$(missing "linux-headers-$abi612-amd64" "linux-headers-$abi612-rt-amd64")
if [ -n "$todo" ]; then
	note "installing from bookworm-backports:" $todo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		$(for p in $todo; do echo "$p/bookworm-backports"; done) >/dev/null
fi

# QEMU from bookworm-backports (10.0), not bookworm's 7.2: under 7.2's
# multi-threaded TCG a vCPU can run an int3 that the kernel's text patching
# (text_poke_bp(): int3, sync every CPU, new bytes, sync) has already
# removed, and the guest dies of "Oops: int3". Debian's 6.12 kernels hit it
# in about one boot in ten and within minutes of switching a tracepoint on
# and off in a loop; with 10.0 the same loop ran clean (docs/kernel-lines.md).
qemu_have=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
if [ -z "$qemu_have" ] || dpkg --compare-versions "$qemu_have" lt 1:10.0; then
	note "installing qemu-system-x86 from bookworm-backports${qemu_have:+ (have $qemu_have)}"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		qemu-system-x86/bookworm-backports >/dev/null
fi
note "dependencies present (kernel ABIs $abi and $abi612, $(qemu-system-x86_64 --version | head -n1))"
