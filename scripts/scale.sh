#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make scale`: xcall at CPU counts beyond the usual 4 vCPUs, on each of
# SCALE_FLAVOURS (default "generic rt generic-6.12 rt-6.12"):
#  1. the guest suite's queue cases at 16 vCPUs;
#  2. a 64-vCPU smoke: every kind to every CPU, exact accounting;
#  3. possible_cpus=2048 with 4 vCPUs online, 8 GiB: load, queue to all,
#     hotplug one CPU, unload (masks and per-CPU memory sized by nr_cpu_ids).
# SCALE_QUICK=1 runs only step 3 (make check's case, there on both Debian
# kernels), by default on the generic kernel only.
# KTAP lines, exit 1 on any failure; every run also fails on a splat in the
# guest's kernel log.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

logs=$XCALL_BUILD/scale
mkdir -p "$logs"
guest() {	# guest NAME FLAVOUR RUN.SH-OPTIONS... -- COMMAND
	local name=$1 fl=$2 rc=0
	shift 2
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-900} "$XCALL_TOP/scripts/guest.sh" "$fl" run -l "$logs/$name.log" "$@" \
		>/dev/null 2>"$logs/$name.err" || rc=$?
	guest_output "$logs/$name.log" | grep -E '^(ok|not ok|#)' | sed 's/^/# /'
	if [ "$rc" = 0 ]; then ktap_result OK "$name"; else ktap_result FAIL "$name" "qemu/run.sh exit $rc (log: $logs/$name.log)"; fi
}

if [ -n "${SCALE_QUICK:-}" ]; then
	flavours=${SCALE_FLAVOURS:-generic}
else
	flavours=${SCALE_FLAVOURS:-generic rt generic-6.12 rt-6.12}
fi
for fl in $flavours; do
	if [ -z "${SCALE_QUICK:-}" ]; then
		CPUS=16 guest "${fl}_queue_suite_16_vcpus" "$fl" -m 2G -- \
			'cd /kselftest && ./run_kselftest.sh -t xcall:queue_test'
		CPUS=64 guest "${fl}_smoke_64_vcpus" "$fl" -m 4G -- 'sh /kselftest/xcall/scale_smoke.sh'
	fi
	CPUS=4 guest "${fl}_smoke_2048_possible_cpus" "$fl" -m 8G -a possible_cpus=2048 -- \
		'sh /kselftest/xcall/scale_smoke.sh'
done
! ktap_failed
