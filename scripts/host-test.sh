#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds and runs the host unit tests (GoogleTest, tests/host/) of cxxrt and
# of the module's pure code (the queue's core, cpulist parsing), twice: under
# AddressSanitizer + UndefinedBehaviorSanitizer, and under ThreadSanitizer
# (threads standing in for CPUs). Last line: "host: P passed, F failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$XCALL_BUILD/host
mkdir -p "$out"
cxxflags=(-std=gnu++20 -O1 -g -faligned-new=8 -Wall -Wextra -Werror -fno-omit-frame-pointer
	-fno-sanitize-recover=all -DXCALL_DEBUG_NODES
	-I"$XCALL_TOP/cxxrt/include" -I"$XCALL_TOP" -I"$XCALL_TOP/module")
sources=("$XCALL_TOP/cxxrt/new.cpp" "$XCALL_TOP"/tests/host/*.cpp)

declare -A sanitizers=([asan]=address,undefined [tsan]=thread)
pids=()
for tag in asan tsan; do
	g++-12 "${cxxflags[@]}" -fsanitize="${sanitizers[$tag]}" "${sources[@]}" \
		-lgtest -lgtest_main -pthread -o "$out/xcall_host_tests_$tag" 2>"$out/build_$tag.log" &
	pids+=($!)
done
build_failed=0
for i in 0 1; do
	wait "${pids[$i]}" || build_failed=1
done

pass=0 fail=0
for tag in asan tsan; do
	bin=$out/xcall_host_tests_$tag
	if [ -s "$out/build_$tag.log" ] || [ ! -x "$bin" ]; then
		cat "$out/build_$tag.log" >&2
		echo "not ok host xcall_host_tests_$tag # build failed"
		fail=$((fail + 1))
		continue
	fi
	log=$out/run_$tag.log
	# TSan reports make the process exit non-zero (66) even if every
	# assertion passed: that counts as a failure.
	TSAN_OPTIONS=halt_on_error=1 "$bin" --gtest_color=no >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log")
	p=${p:-0} f=${f:-0}
	grep -E '^\[  FAILED  \] [A-Za-z]|WARNING: (Address|Thread|UndefinedBehavior)Sanitizer|runtime error' "$log" | sort -u
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		tail -n 30 "$log"
		f=1
	fi
	echo "host xcall_host_tests_$tag: $p passed, $f failed"
	pass=$((pass + p)) fail=$((fail + f))
done
echo "host: $pass passed, $fail failed"
[ "$fail" = 0 ]
