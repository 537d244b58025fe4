#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds and installs the xcall kselftest collection with the real kselftest
# framework from Debian's linux-source-6.1 (lib.mk, kselftest_harness.h,
# run_kselftest.sh, kselftest/runner.sh), into build/kselftest/install.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The framework (lib.mk, kselftest.h, the runner) of the default line's
# source; the tests are static binaries, built with the host's gcc.
tarball=$(linux_source_tarball "$XCALL_DEFAULT_LINE")

# Guests prepared in parallel share one tree: one builder at a time.
mkdir -p "$XCALL_BUILD/kselftest"
exec 9>"$XCALL_BUILD/kselftest/.lock"
flock 9
src=$XCALL_BUILD/kselftest/src
install=$XCALL_BUILD/kselftest/install
stamp=$src/.extracted-from
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(stat -c '%n %Y %s' "$tarball")" ]; then
	note "extracting the kselftest framework from $tarball"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/Makefile' '*/tools/testing/selftests/lib.mk' \
		'*/tools/testing/selftests/kselftest.h' '*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/run_kselftest.sh' '*/tools/testing/selftests/kselftest/*' \
		'*/scripts/subarch.include'
	stat -c '%n %Y %s' "$tarball" >"$stamp"
fi

# Rebuilt only when the collection's sources (or the framework) changed:
# make check boots a dozen guests, each asking for this tree.
sources=$( (cat "$stamp"; cd "$XCALL_TOP/selftests/xcall" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum)
if [ -x "$install/run_kselftest.sh" ] && [ "$(cat "$install/.sources" 2>/dev/null)" = "$sources" ]; then
	echo "$install"
	exit 0
fi

st=$src/tools/testing/selftests
rm -rf "$st/xcall"
cp -r "$XCALL_TOP/selftests/xcall" "$st/xcall"
rm -rf "$install"
make -s -C "$st" TARGETS=xcall KSFT_INSTALL_PATH="$install" install >"$XCALL_BUILD/kselftest/build.log" 2>&1 ||
	{ cat "$XCALL_BUILD/kselftest/build.log" >&2; die "kselftest build failed"; }
[ -x "$install/run_kselftest.sh" ] && [ -x "$install/xcall/cxxrt_test" ] || die "kselftest install incomplete"
echo "$sources" >"$install/.sources"
echo "$install"
