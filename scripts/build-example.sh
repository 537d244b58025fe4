#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the client modules of examples/ against an xcall build:
#   build-example.sh NAME [KDIR]
# NAME is the flavour xcall was built for (build/NAME/xcall.ko and its
# Module.symvers must exist: scripts/build-module.sh NAME). Each example is
# mirrored into build/NAME/examples/EXAMPLE/ (with include/ beside it, as
# in the source tree) and built with KBUILD_EXTRA_SYMBOLS pointing at
# xcall's Module.symvers, as a user's own module would be. Fails on any
# warning, and unless modinfo shows the module depends on xcall. Prints the
# built .ko paths.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
kdir=${2:-$(flavour_kdir "$name")}
out=$(flavour_build_dir "$name")
symvers=$out/Module.symvers
[ -f "$symvers" ] || die "no $symvers: build xcall for $name first (scripts/build-module.sh $name)"

cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ ]*\) .*/\1/p' "$kdir/include/config/auto.conf" 2>/dev/null)
# The toolchain of the flavour's line (scripts/build-module.sh says why).
release=
[ "$name" != custom ] && release=$(flavour_release "$name")
[ -n "$release" ] || { command -v "$cc" >/dev/null 2>&1 || cc=; }

mkdir -p "$out/include/xcall"
ln -sf "$XCALL_TOP/include/xcall/xcall.h" "$out/include/xcall/xcall.h"
for src in "$XCALL_TOP"/examples/*/; do
	ex=$(basename "$src")
	dir=$out/examples/$ex
	mkdir -p "$dir"
	find "$dir" -maxdepth 1 -type l -delete
	for f in "$src"*; do ln -s "$f" "$dir/"; done
	log=$dir/build.log
	# No module BTF, as for xcall.ko (pahole is not a host tool of xcall's).
	${release:+in_release "$release"} make -C "$kdir" M="$dir" ${cc:+CC=$cc} CONFIG_DEBUG_INFO_BTF_MODULES= KBUILD_EXTRA_SYMBOLS="$symvers" modules >"$log" 2>&1 ||
		{ grep -vE '^(  (CC|LD|MODPOST)|make)' "$log" | head -n 40 >&2; die "build of example $ex ($name) failed (log: $log)"; }
	if grep -iE 'warning' "$log" | grep -v 'Skipping BTF generation' >&2; then
		die "build of example $ex ($name) has warnings (log: $log)"
	fi
	ko=$dir/$ex.ko
	deps=$(modinfo -F depends "$ko")
	[ "$deps" = xcall ] || die "$ko: modinfo depends is '$deps', not 'xcall'"
	echo "$ko"
done
