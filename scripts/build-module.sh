#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds xcall.ko for one kernel tree, out of the source tree:
#   build-module.sh NAME [KDIR [PROBE.cpp]]
# NAME generic or rt without KDIR builds against that Debian flavour's headers.
# XCALL_EXTRA_CXXFLAGS and XCALL_EXTRA_CFLAGS in the environment are added to
# every C++ and C compile (test builds only).
# The sources are mirrored into build/NAME/ as a symlink farm (Kbuild of 6.1
# writes objects next to sources), so flavours never share objects. Fails on
# any compiler, objtool or modpost warning. PROBE adds one more C++ file to
# the module (used by the harness tests in tests/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
kdir=${2:-$(flavour_kdir "$name")}
probe=${3:-}
out=$(flavour_build_dir "$name")

[ -f "$kdir/Makefile" ] || die "no kernel build tree at $kdir (run 'make deps', or give KDIR=)"
# xcall supports the kernel lines of scripts/debian.sh's table (the bridge's
# compat code says what differs): what it calls must be exported there, and
# the struct layouts it embeds are checked per build. Say so rather than
# show a wall of compiler errors (XCALL_ANY_KERNEL=1 tries anyway).
krel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || true)
kline=
for l in $XCALL_LINES; do
	case "$krel" in "$l" | "$l".* | "$l"-*) kline=$l ;; esac
done
[ -n "$kline" ] || [ -n "${XCALL_ANY_KERNEL:-}" ] ||
	die "xcall supports the Linux kernel lines $XCALL_LINES (Debian's linux-headers-amd64 or -rt-amd64 of each); $kdir is ${krel:-not a configured kernel tree (no include/config/kernel.release)}. XCALL_ANY_KERNEL=1 builds anyway."

# The toolchain: a tree of one of xcall's lines builds with the line's
# Debian release (here, or in that release's build root); a tree given by
# KDIR (`make KDIR=...`, `make install`) with the host's, as users expect.
release=
[ "$name" != custom ] && [ -n "$kline" ] && release=$(line_release "$kline")

mkdir -p "$out"
# One build of a name at a time (make check builds while guests boot).
exec 9>"$XCALL_BUILD/.build-$name.lock"
flock 9
# Refresh the farm: drop old links (sources may have moved), link anew.
find "$out" -type l -delete
(cd "$XCALL_TOP" && find Kbuild VERSION bridge module include cxxrt/include cxxrt/abi.cpp cxxrt/new.cpp -type f) |
while read -r file; do
	mkdir -p "$(dirname "$out/$file")"
	ln -s "$XCALL_TOP/$file" "$out/$file"
done
extra=
if [ -n "$probe" ]; then
	# Named after the probe: make compares times through the link, so a
	# shared name would keep an object built from an older probe.
	pname=probe_$(basename "$probe" .cpp)
	ln -sf "$(realpath "$probe")" "$out/module/$pname.cpp"
	extra=XCALL_EXTRA_OBJS=module/$pname.o
fi

# The compiler the kernel was built with (its CONFIG_CC_VERSION_TEXT starts
# with the command, e.g. "gcc-12 (Debian 12.2.0-14) 12.2.0"): a module
# built with another one gets a warning from Kbuild, and C++ would use the
# wrong g++.
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ ]*\) .*/\1/p' "$kdir/include/config/auto.conf" 2>/dev/null)
[ -n "$release" ] || { command -v "$cc" >/dev/null 2>&1 || cc=; }

log=$out/build.log
set +e
# No BTF for the module: pahole cannot encode C++'s DWARF (templates,
# references) and fails the build wherever it is installed (Debian's 6.12
# headers depend on it). The module loads without BTF on every kernel.
${release:+in_release "$release"} make -C "$kdir" M="$out" ${cc:+CC=$cc} CONFIG_DEBUG_INFO_BTF_MODULES= $extra XCALL_EXTRA_CXXFLAGS="${XCALL_EXTRA_CXXFLAGS:-}" \
	XCALL_EXTRA_CFLAGS="${XCALL_EXTRA_CFLAGS:-}" modules >"$log" 2>&1
rc=$?
set -e
grep -E '^  (CC|CXX|LD|MODPOST|AS)' "$log" | sed 's/^/  /' >&2 || true
if [ $rc -ne 0 ]; then
	grep -vE '^(  (CC|CXX|LD|MODPOST|AS|BTF)|make)' "$log" | head -n 40 >&2 || true
	die "build of $name failed (log: $log)"
fi
# objtool and modpost report problems as warnings and still succeed.
if grep -iE 'warning|objtool:' "$log" | grep -v 'Skipping BTF generation' >&2; then
	die "build of $name has warnings (log: $log)"
fi
echo "$out/xcall.ko"
