#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: everything, from a fresh Debian 12 machine.
#  1. dependencies (apt, only what is missing)
#  2. host unit tests of cxxrt (ASan+UBSan, TSan), then a few mutants
#     (scripts/mutants.sh --fast)
#  3. xcall.ko for each kernel flavour: no compiler/objtool/modpost warning,
#     and scripts/check-ko.sh's rules
#  4. the harness's own tests (tests/harness.sh): each rule, broken on
#     purpose, must fail
#  5. the kselftest suite in the test VM, per flavour, CPUS vCPUs (default 4);
#     on Debian's kernels it includes litmus_test, the in-kernel litmus
#     runner's quick form (four docs/litmus cases; `make litmus` runs all)
#  6. a guest with 2048 possible CPUs (4 online) loads, queues, hotplugs and
#     unloads xcall, on one Debian kernel per line (scripts/scale.sh; `make
#     scale`: all four, and 16 and 64 vCPUs)
#  7. for each checking flavour (debug: KASAN + lockdep + atomic-sleep +
#     CSD-lock checks; kcsan: KCSAN), a deliberately broken module must make
#     each checker fire (tests/detectors.sh)
# Steps 2-4, 6 and 7 run in a lane beside the guest suites (below says why).
# Ends with one line "N passed, N failed"; exit status 1 if anything failed.
# CHECK_FLAVOURS (default "generic rt generic-6.12 rt-6.12 debug kcsan"),
# CHECK_SCALE_FLAVOURS and CHECK_DKMS_FLAVOURS (below) and CPUS=4 can be overridden
# from the environment. The checking kernels are built from linux-source-6.1
# on first use (a few minutes each) and cached for the machine
# (scripts/lib.sh: XCALL_CACHE).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Debian's four kernels (6.1 and 6.12, generic and PREEMPT_RT), then the
# checking kernels built from linux-source-6.1 (their 6.12 builds run in
# `make check-debug`).
flavours=${CHECK_FLAVOURS:-generic rt generic-6.12 rt-6.12 debug kcsan}
# Flavours whose module is built and checked but whose suite does not run.
build_only=${CHECK_BUILD_ONLY-}
# One kernel per line for the slowest whole-line checks: the 2048-CPU guest
# and the DKMS cycle (`make scale`, `make dkms-check`: all four). Within a
# line generic and rt share every header and code path these exercise; the
# lines do not.
scale_flavours=${CHECK_SCALE_FLAVOURS-generic rt-6.12}
dkms_flavours=${CHECK_DKMS_FLAVOURS-generic rt-6.12}
logs=$XCALL_BUILD/check
mkdir -p "$logs"
rm -f "$logs"/ko-* "$logs"/tally
start=$(date +%s)

# Each step appends "PASSED FAILED WHAT" to the tally; both lanes below
# write to it, the sum is made at the end.
count() {	# count PASSED FAILED WHAT
	echo "$1 $2 $3" >>"$logs/tally"
	printf '== %s: %s passed, %s failed\n' "$3" "$1" "$2"
}
ktap_lines() {	# the pass/fail tally of "ok"/"not ok" lines in a file
	echo "$(grep -c '^ok ' "$1") $(grep -c '^not ok ' "$1")"
}
step() { printf '\n=== %s (%ss)\n' "$*" $(($(date +%s) - start)); }

step dependencies
"$XCALL_TOP/scripts/deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

# Two lanes share the machine's cores. A guest under TCG keeps about one
# core busy (its vCPUs spend much of a test waiting for each other), so the
# host-side work runs beside the guest suites rather than before them:
#  - builds: xcall.ko for each flavour, two at a time, generic first;
#  - guest lane (this shell): each Debian kernel's module checks and guest
#    suite as soon as its module is built, but the last one's;
#  - host lane: host unit tests, docs, mutants, DKMS, the harness's
#    self-tests, the 2048-CPU guests, then the last Debian kernel's and the
#    checking kernels' module checks and suites, then the detector proofs;
#    its output shown when it is done.
# Shared build products are locked by the scripts that make them
# (build-module.sh, build-kselftest.sh, guest.sh).
(
	build_one() {
		rc=0
		"$XCALL_TOP/scripts/build-module.sh" "$1" >"$logs/ko-$1" 2>"$logs/ko-$1.err" || rc=$?
		echo "$rc" >"$logs/ko-$1.rc"
	}
	set -- $flavours $build_only
	while [ $# -gt 0 ]; do
		build_one "$1" &
		[ $# -gt 1 ] && build_one "$2" &
		wait
		shift $(($# > 1 ? 2 : 1))
	done
) &
builds=$!

# module_checks FLAVOUR: its build's result and scripts/check-ko.sh's rules.
module_checks() {
	local fl=$1 ko
	wait_for_module "$fl"
	step "module build and checks: $fl"
	ko=$(cat "$logs/ko-$fl" 2>/dev/null)
	cat "$logs/ko-$fl.err" >&2 2>/dev/null
	if [ "$(cat "$logs/ko-$fl.rc" 2>/dev/null)" = 0 ] && [ -n "$ko" ]; then
		echo "ok build_${fl}_without_warnings" | tee "$logs/module-$fl.log"
		"$XCALL_TOP/scripts/check-ko.sh" "$ko" "$(flavour_kdir "$fl")" | tee -a "$logs/module-$fl.log"
	else
		echo "not ok build_${fl}_without_warnings" | tee "$logs/module-$fl.log"
	fi
	count $(ktap_lines "$logs/module-$fl.log") "module $fl"
}

# guest_suite FLAVOUR: the kselftest suite in a guest of that kernel.
guest_suite() {
	local fl=$1 rc=0 limit=900 tests= p f
	step "guest kselftest suite: $fl kernel, ${CPUS:-4} vCPUs"
	rm -f "$logs/guest-$fl.log"*
	# The checking kernels (KASAN, KCSAN) run the suite about three times
	# slower than Debian's. They run the tests that exercise the most code
	# per second: the runtime, every call type, the client module, and the
	# torture smoke (every queue kind, exact accounting, CPU hotplug); the
	# queue, limits, bench and trace tests, which push volume, run on
	# Debian's kernels here and on the checking kernels in `make
	# check-debug` (CHECKING_TESTS= : the whole suite).
	if is_source_flavour "$fl"; then
		limit=1800
		tests="${CHECKING_TESTS--t xcall:cxxrt_test -t xcall:primitives_test -t xcall:client_test.sh -t xcall:torture_test.sh}"
	fi
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-$limit} "$XCALL_TOP/scripts/guest.sh" "$fl" run -l "$logs/guest-$fl.log" -- \
		"cd /kselftest && ./run_kselftest.sh $tests" >/dev/null 2>"$logs/guest-$fl.err" || rc=$?
	# A boot that hung before /init (kernel and busybox only) was retried
	# once by qemu/run.sh; say so, never silently.
	[ -f "$logs/guest-$fl.log.boot-1" ] &&
		echo "# the first boot hung before /init and was retried (log: $logs/guest-$fl.log.boot-1)"
	guest_output "$logs/guest-$fl.log"
	read -r p f < <(awk -f "$XCALL_TOP/scripts/ktap-count.awk" "$logs/guest-$fl.log")
	# The run itself is one more result: its exit status covers a splat in
	# the kernel log (126), a guest that died (125) or hung (124).
	if [ "$rc" = 0 ]; then
		p=$((p + 1))
		echo "ok guest_${fl}_run_clean"
	else
		f=$((f + 1))
		cat "$logs/guest-$fl.err"
		echo "not ok guest_${fl}_run_clean # qemu/run.sh exit $rc (log: $logs/guest-$fl.log)"
	fi
	count "$p" "$f" "guest $fl"
}

# detectors FLAVOUR: on a checking kernel, each checker fires on its bug.
detectors() {
	local fl=$1
	is_source_flavour "$fl" || return 0
	step "checkers fire on deliberate bugs: $fl kernel"
	"$XCALL_TOP/tests/detectors.sh" "$fl" | tee "$logs/detectors-$fl.log"
	[ "${PIPESTATUS[0]}" = 0 ] || grep -q '^not ok ' "$logs/detectors-$fl.log" ||
		echo "not ok detectors_${fl}_run # tests/detectors.sh failed before a result" | tee -a "$logs/detectors-$fl.log"
	count $(ktap_lines "$logs/detectors-$fl.log") "detectors $fl"
}

# flavour_tests FLAVOUR: its module and its guest suite.
flavour_tests() { module_checks "$1"; guest_suite "$1"; }

host_lane() {
	step host unit tests
	"$XCALL_TOP/scripts/host-test.sh" | tee "$logs/host.log"
	read -r p f < <(sed -n 's/^host: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$logs/host.log")
	count "${p:-0}" "${f:-1}" "host unit tests"
	step "docs: links and anchors resolve, make help = README's targets table = the Makefile's"; "$XCALL_TOP/tests/docs-check.sh" | tee "$logs/docs.log"; count $(ktap_lines "$logs/docs.log") "docs"

	step "the IPI witness's trace analysis on hand-written traces"; "$XCALL_TOP/tests/ipi-witness-awk.sh" | tee "$logs/witness-awk.log"; count $(ktap_lines "$logs/witness-awk.log") "witness awk"

	step "mutants: a few ordering operations weakened, each must fail a host test (make mutants: all)"
	"$XCALL_TOP/scripts/mutants.sh" --fast | tee "$logs/mutants.log" ||
		grep -q '^not ok' "$logs/mutants.log" || echo "not ok mutants_run # scripts/mutants.sh failed" | tee -a "$logs/mutants.log"
	count $(ktap_lines "$logs/mutants.log") "mutants"

	step "DKMS: add, build, install, check and remove against Debian's $dkms_flavours headers"
	DKMS_FLAVOURS=$dkms_flavours "$XCALL_TOP/scripts/dkms-check.sh" | tee "$logs/dkms.log"
	count $(ktap_lines "$logs/dkms.log") "dkms"

	step "harness self-tests (each rule broken on purpose)"
	"$XCALL_TOP/tests/harness.sh" | tee "$logs/harness.log"
	count $(ktap_lines "$logs/harness.log") "harness"

	scale=
	for fl in $scale_flavours; do echo " $flavours $build_only " | grep -q " $fl " && scale+=" $fl"; done
	if [ -n "$scale" ]; then
		for fl in $scale; do wait_for_module "$fl"; done
		step "scale: 2048 possible CPUs, 4 online (${scale# } kernels, 8 GiB guests)"
		SCALE_QUICK=1 SCALE_FLAVOURS="$scale" "$XCALL_TOP/scripts/scale.sh" | tee "$logs/scale.log"
		count $(ktap_lines "$logs/scale.log") "scale"
	fi
	for fl in $build_only; do module_checks "$fl"; done
	for fl in $host_lane_flavours; do flavour_tests "$fl"; done
	for fl in $flavours; do detectors "$fl"; done
	step "host lane done"
}

wait_for_module() {	# until the background build of flavour $1 has ended
	while [ ! -f "$logs/ko-$1.rc" ] && kill -0 "$builds" 2>/dev/null; do sleep 2; done
}

# The host lane's own work takes about a third as long as the guest
# suites: it also takes the last Debian kernel's suite, the checking
# kernels' suites and the detector proofs, so that the two lanes end about
# together.
# With fewer than two Debian kernels (`make check-debug`: checking kernels
# only) the host lane takes just the last suite.
debian=$(for fl in $flavours; do is_source_flavour "$fl" || echo "$fl"; done)
if [ "$(echo "$debian" | grep -c .)" -ge 2 ]; then
	last=$(echo "$debian" | tail -n1)
	host_lane_flavours=$(for fl in $flavours; do { is_source_flavour "$fl" || [ "$fl" = "$last" ]; } && echo "$fl"; done)
else
	host_lane_flavours=$(for fl in $flavours; do echo "$fl"; done | tail -n1)
fi
guest_lane_flavours=$(for fl in $flavours; do echo "$host_lane_flavours" | grep -qx -- "$fl" || echo "$fl"; done)

echo "host lane running beside the guest suites; its output: $logs/host-lane.out (shown when it ends)"
host_lane >"$logs/host-lane.out" 2>&1 &
host=$!

for fl in $guest_lane_flavours; do flavour_tests "$fl"; done

step "waiting for the host lane"
wait "$host"
host_rc=$?
cat "$logs/host-lane.out"
[ "$host_rc" = 0 ] || count 0 1 "host lane (exit $host_rc)"

step "done"
read -r pass fail < <(awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }' "$logs/tally")
echo "make check took $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
