#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make litmus`: the in-kernel litmus runner's long form. Boots each
# kernel's guest, runs every case of module/litmus/cases.h (one per
# docs/litmus file) for LITMUS_N iterations on two vCPUs and prints, per
# kernel, one line per case: what the LKMM and x86-TSO answer, the
# iterations, how often the forbidden outcome was seen, the time.
#
#   scripts/litmus.sh                  every case, generic and rt
#   LITMUS_N=1000000 LITMUS_FLAVOURS="generic-6.12" scripts/litmus.sh
#   LITMUS_CASES="xcall-trysubmit-SB+mb-once+fetchadd xcall-trysubmit-SB+once-mb+fetchadd" scripts/litmus.sh
#
# Environment: LITMUS_N (10000000, at most 20000000), LITMUS_FLAVOURS
# (generic rt), LITMUS_CASES (all), XCALL_KO (a prebuilt module, for one
# flavour: a mutant build, scripts/mutants-kernel.sh), LITMUS_TIMEOUT (guest
# time limit, 14400 s), CPUS (4).
# Exit status 1 if a case that x86 forbids (x86=Never) shows its forbidden
# outcome, or a positive control (x86=Sometimes) never shows it: then the
# CPUs did not overlap and the zeros mean nothing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

n=${LITMUS_N:-10000000}
flavours=${LITMUS_FLAVOURS:-generic rt}
cases=${LITMUS_CASES:-all}
out=$XCALL_BUILD/litmus
mkdir -p "$out"
cd "$XCALL_TOP" || exit 1

cmd="insmod /xcall/xcall.ko || exit 1; cd /sys/kernel/debug/xcall || exit 1"
for c in $cases; do
	cmd="$cmd; echo '$c n=$n' > litmus || exit 1; cat litmus"
done

# report LOG: the table; exit status 1 as above.
report() {
	awk '
		/^case / {
			name = $2; sub(/^n=/, "", $4); iters = $4; lkmm = $5; x86 = $6; ms = $7
			sub(/^lkmm=/, "", lkmm); sub(/^x86=/, "", x86); sub(/^ms=/, "", ms)
		}
		/^forbidden outcome seen / {
			seen = $4
			verdict = "ok"
			if (x86 == "Never" && seen > 0) { verdict = "FAILED: x86 forbids it"; bad = 1 }
			if (x86 == "Sometimes" && seen == 0) { verdict = "FAILED: the control never showed it"; bad = 1 }
			printf "%-48s | %-9s | %-9s | %9d | %9d | %7.1f | %s\n", name, lkmm, x86, iters, seen, ms / 1000, verdict
			cases++
		}
		END {
			if (!cases) { print "no case ran"; exit 1 }
			exit bad
		}' "$1"
}

status=0
for fl in $flavours; do
	log=$out/$fl.log
	if [ -n "${XCALL_KO:-}" ]; then
		ko=$XCALL_KO
	else
		ko=$(scripts/build-module.sh "$fl" 2>"$out/$fl.build.log") || die "the $fl build failed ($out/$fl.build.log)"
	fi
	t0=$(date +%s)
	XCALL_KO=$ko GUEST_TIMEOUT=${LITMUS_TIMEOUT:-14400} scripts/guest.sh "$fl" run -l "$log" -- "$cmd" \
		>"$log.out" 2>&1
	rc=$?
	echo "# $fl kernel: $(awk '/Linux version/ { print $5; exit }' "$log"), ${CPUS:-4} vCPUs, n=$n, $(($(date +%s) - t0)) s (guest exit $rc; log $log)"
	printf '%-48s | %-9s | %-9s | %9s | %9s | %7s | %s\n' case lkmm x86 n forbidden seconds verdict
	report "$log" || status=1
	[ "$rc" = 0 ] || status=1
done
exit $status
