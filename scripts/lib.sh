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

. "$XCALL_TOP/scripts/debian.sh"

# A flavour name is BASE or BASE-LINE: generic, rt, debug, kcsan are the
# default line's (6.1); generic-6.12, rt-6.12 (Debian's) and debug-6.12,
# kcsan-6.12 (built from linux-source-6.12) the next line's. The lines are
# XCALL_LINE_TABLE's (scripts/debian.sh).
flavour_line() {
	local l
	for l in $XCALL_LINES; do
		case "$1" in *-"$l") echo "$l"; return ;; esac
	done
	echo "$XCALL_DEFAULT_LINE"
}
flavour_base() {
	local l
	for l in $XCALL_LINES; do
		case "$1" in *-"$l") echo "${1%-"$l"}"; return ;; esac
	done
	echo "$1"
}

# The Debian kernel ABI of a line (6.1: e.g. 6.1.0-57; 6.12: e.g.
# 6.12.95+deb12) that the headers metapackage of the line's apt view
# currently points at. Never hard-coded: it moves with Debian's updates.
xcall_abi() {
	local line=${1:-$XCALL_DEFAULT_LINE} abi
	abi=$(xapt "$(line_view "$line")" apt-cache depends linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)-amd64$/\1/p' | head -n1)
	case "$abi" in "$line".*) ;; *) die "cannot resolve the Debian kernel ABI of Linux $line from the $(line_view "$line") suite" ;; esac
	echo "$abi"
}

# The path of a line's Debian kernel source tarball, from its
# linux-source-LINE package: downloaded and unpacked into the cache, never
# installed (the checking kernels, scftorture and the kselftest framework
# need it).
linux_source_tarball() {
	local line=$1 view dir ver tarball
	view=$(line_view "$line")
	ver=$(xapt "$view" apt-cache show --no-all-versions "linux-source-$line" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1)
	[ -n "$ver" ] || die "no linux-source-$line in the $view suite"
	dir=$XCALL_CACHE/source/linux-source-${line}_$ver
	mkdir -p "$XCALL_CACHE/source"
	exec 5>"$dir.lock"
	flock 5
	if [ ! -f "$dir/.xcall-ready" ]; then
		note "fetching linux-source-$line $ver (into $dir)"
		rm -rf "$dir"
		fetch_debs "$view" "$dir/deb" "linux-source-$line"
		dpkg-deb -x "$dir"/deb/linux-source-"$line"_*.deb "$dir" || die "cannot unpack linux-source-$line"
		rm -rf "$dir/deb"
		touch "$dir/.xcall-ready"
	fi
	exec 5>&-
	tarball=$(ls "$dir"/usr/src/linux-source-"$line".tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "linux-source-$line has no tarball in $dir"
	echo "$tarball"
}

# debian_tree LINE SUFFIX: the kernel build tree of Debian's headers for
# that line and flavour suffix (amd64, rt-amd64). The headers package and
# the packages it needs to build a module (its -common headers and its
# kbuild) are downloaded and unpacked into the cache, never installed
# (Debian's 6.12 headers Depend on the kernel image: installing them puts a
# kernel into /boot). The flavour's Makefile names its -common tree by an
# absolute /usr/src path: it is pointed at the unpacked one.
debian_tree() {
	local line=$1 suffix=$2 view abi dir pkg deps
	view=$(line_view "$line")
	abi=$(xcall_abi "$line")
	pkg=linux-headers-$abi-$suffix
	dir=$XCALL_CACHE/trees/$abi-$suffix
	mkdir -p "$XCALL_CACHE/trees"
	exec 5>"$dir.lock"
	flock 5
	if [ ! -f "$dir/.xcall-ready" ]; then
		deps=$(xapt "$view" apt-cache depends "$pkg" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p')
		[ -n "$deps" ] || die "no $pkg in the $view suite"
		note "fetching $pkg and" $deps "(into $dir)"
		rm -rf "$dir"
		fetch_debs "$view" "$dir/deb" "$pkg" $deps
		for deb in "$dir"/deb/*.deb; do
			dpkg-deb -x "$deb" "$dir" || die "cannot unpack $deb"
		done
		rm -rf "$dir/deb"
		sed -i "s#^include /usr/src/#include $dir/usr/src/#" "$dir/usr/src/$pkg/Makefile"
		[ -f "$dir/usr/src/$pkg/include/config/kernel.release" ] || die "$pkg unpacked into $dir has no kernel.release"
		touch "$dir/.xcall-ready"
	fi
	exec 5>&-
	echo "$dir/usr/src/$pkg"
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
		debian_tree "$(flavour_line "$1")" "$(flavour_suffix "$1")"
	fi
}

# flavour_release FLAVOUR: the Debian release whose toolchain builds for it.
flavour_release() { line_release "$(flavour_line "$1")"; }

# The guest kernel image of a flavour. Debian's is unpacked from its unsigned
# image package without installing it. Prints the path.
flavour_vmlinuz() {
	local fl=$1 abi suffix dir pkg view
	if is_source_flavour "$fl"; then
		echo "$(flavour_kdir "$fl")/arch/x86/boot/bzImage"
		return
	fi
	view=$(line_view "$(flavour_line "$fl")")
	abi=$(xcall_abi "$(flavour_line "$fl")")
	suffix=$(flavour_suffix "$fl")
	dir=$XCALL_CACHE/kernels/$abi-$suffix
	mkdir -p "$XCALL_CACHE/kernels"
	exec 5>"$dir.lock"
	flock 5
	if [ ! -f "$dir/vmlinuz" ]; then
		pkg=linux-image-$abi-$suffix-unsigned
		note "fetching $pkg"
		rm -rf "$dir/deb"
		fetch_debs "$view" "$dir/deb" "$pkg"
		dpkg-deb --fsys-tarfile "$dir"/deb/"$pkg"_*.deb |
			tar -x -C "$dir/deb" --wildcards './boot/vmlinuz-*' || die "cannot unpack $pkg"
		mv "$dir"/deb/boot/vmlinuz-* "$dir/vmlinuz"
		rm -rf "$dir/deb"
	fi
	exec 5>&-
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
