#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what xcall needs on Debian 12, only what is missing. Root (or sudo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

want=(make gcc-12 g++-12 binutils kmod cpio busybox-static qemu-system-x86
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

abi=$(xcall_abi)
want+=("linux-headers-$abi-amd64" "linux-headers-$abi-rt-amd64" linux-source-6.1)

todo=$(missing "${want[@]}")
if [ -n "$todo" ]; then
	note "installing:" $todo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $todo >/dev/null
fi
note "dependencies present (kernel ABI $abi)"
