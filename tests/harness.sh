#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the test harness itself: each breaks one rule on purpose and
# expects `make check`'s machinery to fail for the right reason. A harness
# that stays green on these is broken. Prints one KTAP line per probe.
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

kdir=$(flavour_kdir generic)
probes=$XCALL_TOP/tests/probes
build=$XCALL_TOP/scripts/build-module.sh
# result 0|1 NAME DETAIL: the detail is shown only on failure.
result() { if [ "$1" = 0 ]; then ktap_result OK "$2"; else ktap_result FAIL "$2" "$3"; fi; }

# build_fails PROBE PATTERN: the module build must fail, its log matching PATTERN.
build_fails() {
	local probe=$1 pattern=$2 log=$XCALL_BUILD/probe/build.log
	if "$build" probe "$kdir" "$probes/$probe" >/dev/null 2>&1; then
		result 1 "$3" "the build succeeded"
	elif grep -qE -- "$pattern" "$log"; then
		result 0 "$3"
	else
		result 1 "$3" "failed, but not with /$pattern/ (log: $log)"
	fi
}

# ko_refused PROBE RULE: builds, and check-ko.sh must fail RULE.
ko_refused() {
	local probe=$1 rule=$2 ko out
	if ! ko=$("$build" probe "$kdir" "$probes/$probe" 2>/dev/null); then
		result 1 "$3" "the probe did not build (log: $XCALL_BUILD/probe/build.log)"
		return
	fi
	out=$("$XCALL_TOP/scripts/check-ko.sh" "$ko" "$kdir")
	if echo "$out" | grep -q "^not ok [0-9]* $rule"; then
		result 0 "$3"
	else
		result 1 "$3" "check-ko.sh did not fail $rule"
	fi
}

echo "TAP version 13"
echo "1..10"
build_fails kernel_header.cpp 'linux/smp.h: No such file' cxx_including_kernel_header_fails_build
build_fails plain_new.cpp '"_Znwm" \[.*\] undefined' cxx_plain_new_fails_link
build_fails naked_return.cpp 'objtool: .*xcall_probe_naked_return' objtool_warning_fails_build
ko_refused static_constructor.cpp no_constructor_sections dynamic_initialiser_refused
ko_refused static_guard.cpp no_static_guard_variables static_guard_variable_refused

# A splat in the guest's kernel log fails the run even if the command passed.
rc=0
"$XCALL_TOP/scripts/guest.sh" generic run -c 2 -t 300 -- \
	'echo "WARNING: CPU: 0 PID: 1 at harness-probe" >/dev/kmsg; exit 0' >/dev/null 2>&1 || rc=$?
result $([ "$rc" = 126 ]; echo $?) guest_warn_in_dmesg_fails_run "run.sh returned $rc, expected 126"

# The one kernel warning the scan lets through (splat-scan.sh says why),
# as Debian's 6.12 printed it: clean in its exact form, a splat as soon as a
# task is listed beside the stopper.
dying=$probes/sched-cpu-dying-6.12.log
sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" <"$dying" >/dev/null
result $? kernel_fair_server_vacate_warning_passes_scan "splat-scan.sh flagged $dying"
sed 's|^\(.*\)\(pid: 38, name: migration/3\)$|&\n\1pid: 77, name: xcall_lazy/3|; s|(2 total)|(3 total)|' "$dying" |
	sh "$XCALL_TOP/selftests/xcall/splat-scan.sh" >/dev/null
result $([ $? = 1 ]; echo $?) task_left_on_dying_cpu_fails_scan "splat-scan.sh passed a task left on the dying CPU"

# A module that leaks one allocation fails the guest suite.
rc=0
if ko=$(XCALL_EXTRA_CFLAGS=-DXCALL_FAULT_LEAK_AT_INIT "$build" probe "$kdir" 2>/dev/null); then
	XCALL_KO=$ko "$XCALL_TOP/scripts/guest.sh" generic run -c 2 -t 300 -- \
		'cd /kselftest && ./run_kselftest.sh -t xcall:load_unload.sh' >"$XCALL_BUILD/probe/leak.log" 2>&1 || rc=$?
	result $([ "$rc" != 0 ] && grep -q '^# not ok 4 all_allocations_returned_at_unload' "$XCALL_BUILD/probe/leak.log"; echo $?) \
		leaked_allocation_fails_suite "run.sh returned $rc (log: $XCALL_BUILD/probe/leak.log)"
else
	result 1 leaked_allocation_fails_suite "the leaking probe did not build"
fi

# A kick counted as an IPI without one fails the kernel's own witness
# (ipi_witness.sh, Linux 6.12's ipi_send_cpu events): this build counts one
# IPI more per kick than the kernel sent (polled kicks alone would not do:
# on a loaded host the idle targets may never poll).
rc=0
kdir612=$(flavour_kdir generic-6.12)
if ko=$(XCALL_EXTRA_CXXFLAGS=-DXCALL_BREAK_KICK_WITHOUT_IPI "$build" probe-6.12 "$kdir612" 2>/dev/null); then
	XCALL_KO=$ko "$XCALL_TOP/scripts/guest.sh" generic-6.12 run -t 300 -- \
		'cd /kselftest && ./run_kselftest.sh -t xcall:ipi_witness.sh' >"$XCALL_BUILD/probe-6.12/witness.log" 2>&1 || rc=$?
	result $(grep -q "^# not ok [0-9]* kernel_ipis_equal_kicks_irq_busy" "$XCALL_BUILD/probe-6.12/witness.log" &&
		grep -q "^# not ok [0-9]* kernel_ipis_bound_kicks_irq_idle" "$XCALL_BUILD/probe-6.12/witness.log"; echo $?) \
		kick_without_ipi_fails_witness "run.sh returned $rc (log: $XCALL_BUILD/probe-6.12/witness.log)"
else
	result 1 kick_without_ipi_fails_witness "the miscounting probe did not build"
fi

! ktap_failed
