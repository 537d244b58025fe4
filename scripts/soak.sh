#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make soak`: selftests/xcall/soak_test.c for SOAK_SECONDS (default 300) on
# each of SOAK_FLAVOURS (default "generic rt generic-6.12 rt-6.12"), CPUS vCPUs (default 4): random
# queue commands from every CPU but the last, which keeps going offline and
# online, then exact accounting and a clean unload. The guest run fails, as
# every run does, on a splat in the kernel log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$XCALL_TOP/scripts/deps.sh"
seconds=${SOAK_SECONDS:-300}
require_positive SOAK_SECONDS "$seconds"
failed=0
for fl in ${SOAK_FLAVOURS:-generic rt generic-6.12 rt-6.12}; do
	echo "== soak: $fl kernel, ${CPUS:-4} vCPUs, ${seconds}s"
	rc=0
	GUEST_TIMEOUT=$((seconds + 600)) "$XCALL_TOP/scripts/guest.sh" "$fl" run -- \
		"cd /kselftest/xcall && XCALL_SOAK_SECONDS=$seconds ./soak_test" |
		guest_output || rc=$?
	[ "$rc" = 0 ] || { echo "not ok soak_$fl # guest run exit $rc"; failed=1; }
done
exit "$failed"
