#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds (or finds in the cache) a checking kernel from Debian's
# linux-source-6.1 (debug, kcsan) or linux-source-6.12 (debug-6.12,
# kcsan-6.12): `make tinyconfig`, then qemu/kconfig/base.config and
# qemu/kconfig/BASE.config merged with the kernel's merge_config.sh.
#   build-debug-kernel.sh FLAVOUR      (debug: KASAN; kcsan: KCSAN)
# Prints the prepared tree (KDIR, with Module.symvers); its bzImage is
# arch/x86/boot/bzImage. The cache directory ($XCALL_CACHE/kernels, shared by
# every clone on the machine) is keyed by the source tarball and the
# fragments (base, the flavour's, and qemu/kconfig/FLAVOUR.config where one
# line needs more): a change to any builds anew.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=$1
line=$(flavour_line "$flavour")
fragment=$XCALL_TOP/qemu/kconfig/$(flavour_base "$flavour").config
[ -f "$fragment" ] || die "no kernel config fragment $fragment"
# What one line needs on top (qemu/kconfig/FLAVOUR.config, e.g. debug-6.12).
fragments=("$XCALL_TOP/qemu/kconfig/base.config" "$fragment")
line_fragment=$XCALL_TOP/qemu/kconfig/$flavour.config
[ "$line_fragment" != "$fragment" ] && [ -f "$line_fragment" ] && fragments+=("$line_fragment")
tarball=$(linux_source_tarball "$line")

key=$( { stat -c '%n %s %Y' "$tarball"; cat "${fragments[@]}"; } |
	sha256sum | cut -c1-16)
out=$XCALL_CACHE/kernels/$flavour-$key
if [ -f "$out/.xcall-built" ]; then
	echo "$out"
	exit 0
fi
# Two clones may ask at once: one builds, the other waits and finds it.
mkdir -p "$XCALL_CACHE/kernels"
exec 9>"$XCALL_CACHE/kernels/.lock"
flock 9
if [ -f "$out/.xcall-built" ]; then
	echo "$out"
	exit 0
fi

# 6.1's tree keeps its first name: the cached kernels' build trees point at it.
src=$XCALL_CACHE/kernel-src
[ "$line" = 6.1 ] || src=$XCALL_CACHE/kernel-src-$line
stamp=$src/.extracted-from
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(stat -c '%n %s %Y' "$tarball")" ]; then
	note "extracting $tarball"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	stat -c '%n %s %Y' "$tarball" >"$stamp"
fi

note "building the $flavour kernel in $out (a few minutes)"
rm -rf "$out"
mkdir -p "$out"
kmake=(in_release "$(line_release "$line")" make -C "$src" O="$out" ARCH=x86_64 CC=gcc-12 HOSTCC=gcc-12 -j"$(nproc)")
{
	"${kmake[@]}" tinyconfig
	KCONFIG_CONFIG="$out/.config" "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"${fragments[@]}"
	"${kmake[@]}" olddefconfig
} >"$out.log" 2>&1 || { tail -n 30 "$out.log" >&2; die "the $flavour kernel did not configure (log: $out.log)"; }
# Every option asked for must have survived olddefconfig (a dependency
# it lacks drops it silently: 6.12's tinyconfig has SLUB_TINY, which
# excludes KASAN).
lost=$(cat "${fragments[@]}" | while read -r opt; do
	case "$opt" in
	CONFIG_*=n) grep -q "^${opt%%=*}=" "$out/.config" && echo "${opt%%=*} is set" ;;
	CONFIG_*) grep -qx "$opt" "$out/.config" || echo "missing: $opt" ;;
	esac
done; true)
[ -z "$lost" ] || { echo "$lost" | tee -a "$out.log" >&2; die "the $flavour kernel's config lost options (log: $out.log)"; }
"${kmake[@]}" bzImage modules >>"$out.log" 2>&1 ||
	{ tail -n 30 "$out.log" >&2; die "the $flavour kernel did not build (log: $out.log)"; }
touch "$out/.xcall-built"
echo "$out"
