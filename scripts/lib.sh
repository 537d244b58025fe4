# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers for xcall's scripts. Source it; do not run it.

XCALL_TOP=${XCALL_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
XCALL_BUILD=${XCALL_BUILD:-$XCALL_TOP/build}
# What outlives a clone, like apt's own cache: the checking kernels built
# from linux-source-6.1 (minutes each) and the unpacked Debian kernel images,
# keyed by what they are built from. /var/cache/xcall as root, else
# ~/.cache/xcall; XCALL_CACHE overrides, `make clean-cache` empties it.
if [ -z "${XCALL_CACHE:-}" ]; then
	if [ "$(id -u)" = 0 ]; then XCALL_CACHE=/var/cache/xcall; else XCALL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/xcall; fi
fi

die() { echo "xcall: $*" >&2; exit 1; }
# require_positive NAME VALUE: a whole number above 0, or die naming NAME.
require_positive() { case "$2" in ''|*[!0-9]*|0) die "$1 takes a positive number" ;; esac; }
note() { echo "xcall: $*" >&2; }

# Kernel lines: Linux 6.1 (Debian 12's own kernels) and Linux 6.12 LTS
# (Debian's bookworm-backports, listed by scripts/backports.sh). A flavour
# name is BASE or BASE-LINE: generic, rt, debug, kcsan are 6.1's;
# generic-6.12, rt-6.12 (Debian's) and debug-6.12, kcsan-6.12 (built from
# linux-source-6.12) the newer line's.
XCALL_LINES="6.1 6.12"
flavour_line() {
	case "$1" in
	*-6.12) echo 6.12 ;;
	*) echo 6.1 ;;
	esac
}
flavour_base() { echo "${1%-6.12}"; }

# The Debian kernel ABI of a line (6.1: e.g. 6.1.0-57; 6.12: e.g.
# 6.12.95+deb12) that the line's headers metapackage currently points at:
# linux-headers-amd64 from bookworm for 6.1, from bookworm-backports for
# 6.12. Never hard-coded: it moves with Debian's updates. Falls back to the
# newest headers already installed when apt's lists are not there.
xcall_abi() {
	local line=${1:-6.1} abi meta=linux-headers-amd64 glob
	[ "$line" = 6.12 ] && meta=linux-headers-amd64/bookworm-backports
	abi=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)-amd64$/\1/p' | head -n1)
	case "$abi" in "$line".*) ;; *) abi= ;; esac
	if [ -z "$abi" ]; then
		glob="/usr/src/linux-headers-$line.*-amd64"
		abi=$(ls -d $glob 2>/dev/null | grep -v -- '-rt-amd64$' |
			sed 's#.*/linux-headers-\(.*\)-amd64#\1#' | sort -V | tail -n1)
	fi
	[ -n "$abi" ] || die "cannot resolve the Debian kernel ABI of Linux $line (run 'make deps')"
	echo "$abi"
}

# The path of a line's Debian kernel source tarball (linux-source-6.1, from
# make deps; linux-source-6.12, installed here on first use from the
# bookworm-backports suite that scripts/backports.sh listed and pinned:
# only the 6.12 checking kernels and scftorture need it).
linux_source_tarball() {
	local line=$1 tarball sudo=
	tarball=$(ls /usr/src/linux-source-$line.tar.* 2>/dev/null | head -n1)
	if [ -z "$tarball" ] && [ "$line" = 6.12 ]; then
		note "installing linux-source-6.12 from bookworm-backports"
		[ "$(id -u)" = 0 ] || sudo=sudo
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
			linux-source-6.12/bookworm-backports >/dev/null
		tarball=$(ls /usr/src/linux-source-$line.tar.* 2>/dev/null | head -n1)
	fi
	[ -n "$tarball" ] || die "linux-source-$line is not installed (run 'make deps')"
	echo "$tarball"
}

# Kernel flavours: Debian's generic and rt (headers and images from apt), and
# debug and kcsan, built from the line's linux-source with the checkers on
# (scripts/build-debug-kernel.sh, cached).
is_source_flavour() {
	case "$(flavour_base "$1")" in debug|kcsan) return 0 ;; *) return 1 ;; esac
}

# Debian's name suffix of a flavour: generic -> amd64, rt -> rt-amd64.
flavour_suffix() {
	case "$(flavour_base "$1")" in
	generic) echo amd64 ;;
	rt) echo rt-amd64 ;;
	*) die "unknown kernel flavour '$1' (generic, rt, debug or kcsan, each with -6.12 for Linux 6.12)" ;;
	esac
}

# Where a flavour's module is built: build/LINE/BASE (build/6.1/generic,
# build/6.12/rt); any other name (custom, a test's) build/NAME.
flavour_build_dir() {
	case "$(flavour_base "$1")" in
	generic | rt | debug | kcsan) echo "$XCALL_BUILD/$(flavour_line "$1")/$(flavour_base "$1")" ;;
	*) echo "$XCALL_BUILD/$1" ;;
	esac
}

# The kernel build tree a flavour's module builds against (a source flavour's
# kernel is built first if it is not in the cache).
flavour_kdir() {
	if is_source_flavour "$1"; then
		"$XCALL_TOP/scripts/build-debug-kernel.sh" "$1"
	else
		echo "/usr/src/linux-headers-$(xcall_abi "$(flavour_line "$1")")-$(flavour_suffix "$1")"
	fi
}

# The guest kernel image of a flavour. Debian's is unpacked from its unsigned
# image package without installing it. Prints the path.
flavour_vmlinuz() {
	local fl=$1 abi suffix dir pkg
	if is_source_flavour "$fl"; then
		echo "$(flavour_kdir "$fl")/arch/x86/boot/bzImage"
		return
	fi
	abi=$(xcall_abi "$(flavour_line "$fl")")
	suffix=$(flavour_suffix "$fl")
	dir=$XCALL_CACHE/kernels/$abi-$suffix
	if [ ! -f "$dir/vmlinuz" ]; then
		pkg=linux-image-$abi-$suffix-unsigned
		mkdir -p "$dir/deb"
		note "fetching $pkg"
		(cd "$dir/deb" && apt-get download "$pkg" >/dev/null) || die "apt-get download $pkg failed"
		dpkg-deb --fsys-tarfile "$dir"/deb/"$pkg"_*.deb |
			tar -x -C "$dir/deb" --wildcards './boot/vmlinuz-*' || die "cannot unpack $pkg"
		mv "$dir"/deb/boot/vmlinuz-* "$dir/vmlinuz"
		rm -rf "$dir/deb"
	fi
	echo "$dir/vmlinuz"
}

# KTAP results, one helper for every script that reports them:
#   ktap_result OK|FAIL|SKIP NAME [DETAIL]    (0 counts as OK, any other as FAIL)
# prints "ok N NAME", "not ok N NAME # DETAIL" or "ok N NAME # SKIP DETAIL";
# ktap_failed says whether any failed so far (exit status 0 if one did).
ktap_n=0 ktap_passes=0 ktap_fails=0 ktap_skips=0
ktap_result() {
	ktap_n=$((ktap_n + 1))
	case $1 in
	OK | 0) ktap_passes=$((ktap_passes + 1)); echo "ok $ktap_n $2${3:+ # $3}" ;;
	SKIP) ktap_skips=$((ktap_skips + 1)); echo "ok $ktap_n $2 # SKIP${3:+ $3}" ;;
	*) ktap_fails=$((ktap_fails + 1)); echo "not ok $ktap_n $2${3:+ # $3}" ;;
	esac
}
ktap_failed() { [ "$ktap_fails" != 0 ]; }

# What the guest itself printed, from a qemu/run.sh console (a file, or
# standard input): /init's first line up to the kernel-log dump.
guest_output() {
	sed -n '/^xcall-guest:/,/^@@XCALL-DMESG-BEGIN@@/p' "$@" | grep -v '^@@'
}
