#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Proves that the in-kernel torture sees what it claims to: xcall built
# three times, each with one bug switched on (test-only -D switches, never
# in a shipped build), each run under the torture for at most
# TORTURE_BROKEN_SECONDS (default 60) on FLAVOUR (default generic), 4 vCPUs,
# CPU hotplug on. Each run must end with a violation. One KTAP line per bug,
# with the violation and how long the torture took to find it.
#   XCALL_BREAK_RUN_TWICE        one async queue node in 1024 runs twice (call_queue.h)
#   XCALL_BREAK_DROP             one async queue node in 1024 is unlocked without running
#   XCALL_BREAK_LATE_PENDING_CLEAR  an irq_work item's run clears PENDING after its function
#                                instead of before it, fully ordered ((3) of call_queue.h):
#                                a claim made while the function runs finds the item
#                                pending, and no run sees that claimer's write
# TORTURE_BROKEN_BUGS picks some of them (default: all three).
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

flavour=${1:-generic}
seconds=${TORTURE_BROKEN_SECONDS:-60}
kdir=$(flavour_kdir "$flavour") || die "no $flavour kernel"
read -ra bugs <<<"${TORTURE_BROKEN_BUGS:-RUN_TWICE DROP LATE_PENDING_CLEAR}"

echo "TAP version 13"
echo "1..${#bugs[@]}"
failed=0
for i in "${!bugs[@]}"; do
	bug=${bugs[$i]}
	name=torture-broken-$(tr 'A-Z_' 'a-z-' <<<"$bug")
	ko=$(XCALL_EXTRA_CXXFLAGS=-DXCALL_BREAK_$bug "$XCALL_TOP/scripts/build-module.sh" "$name" "$kdir" 2>/dev/null) ||
		{ echo "not ok $((i + 1)) torture_catches_${bug,,} # build failed"; failed=1; continue; }
	# No unload at the end: a lost node keeps its memory (the torture
	# never frees a node still queued), which unload would report.
	log=$(mktemp)
	XCALL_KO=$ko GUEST_TIMEOUT=$((seconds + 400)) CPUS=4 "$XCALL_TOP/scripts/guest.sh" "$flavour" run -- \
		"insmod /xcall/xcall.ko && echo 'start seconds=$seconds' > /sys/kernel/debug/xcall/torture &&
		 while grep -q ^running /sys/kernel/debug/xcall/torture; do sleep 1; done;
		 cat /sys/kernel/debug/xcall/torture" >"$log" 2>&1
	summary=$(guest_output "$log")
	violation=$(grep -m1 '^violation:' <<<"$summary")
	elapsed=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' <<<"$summary" | head -n 1)
	last=$(grep -E '^[0-9]+ ops, [0-9]+ violations$' <<<"$summary" | tail -n 1)
	if [ -n "$violation" ]; then
		echo "ok $((i + 1)) torture_catches_${bug,,} # after ${elapsed} ms: $violation ($last)"
	else
		echo "not ok $((i + 1)) torture_catches_${bug,,} # no violation in ${seconds}s (${last:-no summary})"
		tail -n 30 "$log" | sed 's/^/# /'
		failed=1
	fi
	rm -f "$log"
done
exit "$failed"
