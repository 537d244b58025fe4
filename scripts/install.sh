#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs xcall.ko into a kernel's module tree, directly or through DKMS.
#   install.sh install [KDIR]  build for KDIR (default: the running kernel's
#                              /lib/modules/$(uname -r)/build), copy it to
#                              /lib/modules/KVER/updates/xcall.ko, depmod
#   install.sh uninstall       remove every /lib/modules/*/updates/xcall.ko
#                              this script installed (not DKMS's), depmod
#   install.sh dkms-add        copy the source tree to /usr/src/xcall-VERSION
#                              and `dkms add` it (then `dkms install
#                              xcall/VERSION` builds and installs it for the
#                              running kernel; later kernels get it by
#                              AUTOINSTALL)
#   install.sh dkms-remove     `dkms remove --all` every registered xcall
#                              version and delete its /usr/src copy
# Runs the privileged steps through sudo when not root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

# The one place the version lives; dkms.conf must carry the same.
version() {
	local v
	v=$(head -n1 "$XCALL_TOP/VERSION" 2>/dev/null)
	[ -n "$v" ] || die "no version in $XCALL_TOP/VERSION"
	echo "$v"
}
# PACKAGE_VERSION of dkms.conf, a literal kept equal to VERSION.
dkms_conf_version() {
	sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$XCALL_TOP/dkms.conf"
}
check_versions() {
	local v c
	v=$(version)
	c=$(dkms_conf_version)
	[ "$v" = "$c" ] || die "dkms.conf says PACKAGE_VERSION=\"$c\" but VERSION says $v: make them equal"
}

# The release (uname -r) a kernel build tree is for. UTS_RELEASE, not
# include/config/kernel.release: Debian's headers have the upstream version
# there (6.1.192), not the release the kernel reports (6.1.0-56-amd64).
kdir_release() {
	local kdir=$1 rel
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h" 2>/dev/null)
	[ -n "$rel" ] || rel=$(head -n1 "$kdir/include/config/kernel.release" 2>/dev/null)
	[ -n "$rel" ] || die "cannot tell which kernel release $kdir is for"
	echo "$rel"
}

# The files of the source tree, NUL-separated, relative to XCALL_TOP: what git
# tracks plus new files it does not ignore (so an uncommitted file is not
# silently left out), or, outside git, everything but build/ and .git.
source_files() {
	local f
	if [ "$(git -C "$XCALL_TOP" rev-parse --show-toplevel 2>/dev/null)" = "$XCALL_TOP" ]; then
		git -C "$XCALL_TOP" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			# Files deleted or moved away but not yet staged.
			[ -e "$XCALL_TOP/$f" ] || [ -L "$XCALL_TOP/$f" ] || continue
			printf '%s\0' "$f"
		done
	else
		(cd "$XCALL_TOP" && find . \( -path ./build -o -path ./.git \) -prune -o \
			\( -type f -o -type l \) -printf '%P\0')
	fi
}

need_dkms() {
	command -v dkms >/dev/null 2>&1 || die "dkms is not installed (apt-get install dkms)"
}

# Versions registered with dkms: the directories (not the kernel-* links)
# of /var/lib/dkms/xcall/.
dkms_versions() {
	[ -d /var/lib/dkms/xcall ] || return 0
	find /var/lib/dkms/xcall -mindepth 1 -maxdepth 1 -type d -printf '%f\n'
}

cmd_install() {
	local kdir=${1:-/lib/modules/$(uname -r)/build} kver ko dest
	[ -f "$kdir/Makefile" ] || die "no kernel build tree at $kdir (give KDIR=...)"
	kver=$(kdir_release "$kdir")
	if compgen -G "/lib/modules/$kver/updates/dkms/xcall.ko*" >/dev/null; then
		die "xcall is installed for $kver by dkms; 'scripts/install.sh dkms-remove' first"
	fi
	ko=$("$XCALL_TOP/scripts/build-module.sh" custom "$kdir" | tail -n1)
	[ -f "$ko" ] || die "the build did not leave xcall.ko (got '$ko')"
	dest=/lib/modules/$kver/updates/xcall.ko
	$sudo install -D -m 0644 "$ko" "$dest"
	$sudo depmod -a "$kver"
	note "installed $dest ('modprobe xcall' on $kver)"
}

cmd_uninstall() {
	local f kver found=
	for f in /lib/modules/*/updates/xcall.ko*; do
		[ -e "$f" ] || continue
		kver=${f#/lib/modules/}
		kver=${kver%%/*}
		$sudo rm -f "$f"
		$sudo depmod -a "$kver"
		note "removed $f"
		found=1
	done
	[ -n "$found" ] || note "no xcall.ko installed by this script (a dkms one goes with 'dkms-remove')"
}

cmd_dkms_add() {
	local ver src
	need_dkms
	check_versions
	ver=$(version)
	src=/usr/src/xcall-$ver
	# Idempotent: whatever an earlier add of this version left goes first.
	if [ -d "/var/lib/dkms/xcall/$ver" ]; then
		$sudo dkms remove "xcall/$ver" --all >/dev/null 2>&1 || true
	fi
	$sudo rm -rf "$src"
	$sudo mkdir -p "$src"
	source_files | tar -C "$XCALL_TOP" --null -T - --owner=0 --group=0 -cf - |
		$sudo tar -C "$src" -xf -
	[ -f "$src/dkms.conf" ] || die "$src has no dkms.conf"
	$sudo dkms add "xcall/$ver"
	note "added xcall/$ver from $src ('dkms install xcall/$ver' builds and installs it for $(uname -r))"
}

cmd_dkms_remove() {
	local v found=
	need_dkms
	for v in $(dkms_versions); do
		$sudo dkms remove "xcall/$v" --all
		$sudo rm -rf "/usr/src/xcall-$v"
		found=1
	done
	# A copy that was never added (or whose add failed).
	v=$(version)
	if [ -d "/usr/src/xcall-$v" ]; then
		$sudo rm -rf "/usr/src/xcall-$v"
		found=1
	fi
	[ -n "$found" ] || note "xcall is not registered with dkms"
}

case "${1:-}" in
install) shift; cmd_install "$@" ;;
uninstall) cmd_uninstall ;;
dkms-add) cmd_dkms_add ;;
dkms-remove) cmd_dkms_remove ;;
*) die "usage: $0 install [KDIR] | uninstall | dkms-add | dkms-remove" ;;
esac
