#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make mutants`: every ordering claim must have a test that fails without it.
#
# Each ordering operation of the host-testable core is tagged
# XCALL_ORDER(tag, op) (cxxrt/include/cxxrt/atomic.h explains the switch);
# the atomics layer's own orders are the mutants "cxxrt.*". For each tag this
# builds the host tests with -DXCALL_MUTANT='"tag"' (that one site weakened:
# fully ordered -> relaxed, acquire -> read_once, release -> write_once,
# smp_mb() -> nothing) and runs them:
#  - under ThreadSanitizer (a weakened pair leaves the tests' plain data
#    racing), for every mutant but the smp_mb() removals;
#  - for an smp_mb() removal, a plain -O2 build of the store-buffering
#    litmus tests (TSan cannot see a missing full barrier; x86 shows it,
#    a store waiting in its store buffer while a later load goes ahead).
# A mutant is killed when a test fails (or TSan reports, or it hangs).
#
#   scripts/mutants.sh           every mutant; a table, then "N killed, N survived"
#   scripts/mutants.sh --fast    a few mutants, KTAP "ok"/"not ok" lines (make check)
#   scripts/mutants.sh TAG...    only those
#
# A mutant no test kills is classified by evidence: "equivalent on x86-64"
# if every host object built -O2 (the litmus build) has the same machine
# code, function by function, as the unmutated one (scripts/objdiff.sh):
# no test on x86 can kill it, and the table names the docs/litmus file
# that argues the claim for the LKMM and what herd7 should answer
# (mutants-lib.sh, litmus_of); otherwise a "test gap", which must be listed
# in `explained` below with the reason no test kills it. The closing line
# is "N killed, N equivalent on x86-64, N test gaps". Exit status 1 if the
# unmutated build fails or a test gap has no written reason.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$XCALL_BUILD/mutants
mkdir -p "$out"
cd "$XCALL_TOP" || exit 1

tests=(tests/host/atomic_test.cpp tests/host/call_queue_test.cpp tests/host/kick_test.cpp
	tests/host/handoffs_test.cpp)
support=(tests/host/host_bridge.cpp cxxrt/new.cpp)
common=(-std=gnu++20 -faligned-new=8 -Wall -Wextra -Werror -fno-omit-frame-pointer -DXCALL_DEBUG_NODES
	-Icxxrt/include -I. -Imodule)
# No -g: a third faster to build; TSan still names the functions.
declare -A flags=([tsan]="-O1 -fsanitize=thread" [litmus]="-O2")
per_run_limit=${MUTANT_TIMEOUT:-120}

# Test gaps kept on purpose: tag -> why no test kills it. (None today: the
# three survivors, q3.post, q3.take and q4.list_empty, compile to the same
# code as the unmutated build: equivalent on x86-64.)
declare -A explained=()

# Every tag in the code, with the operation it weakens.
all_mutants() {
	grep -rhoE 'XCALL_ORDER\([a-z0-9_]+\.[a-z0-9_.]+, [a-z_]+\)' cxxrt/include module |
		sed -E 's/XCALL_ORDER\(([^,]+), ([a-z_]+)\)/\1 \2/' | sort -u
	printf '%s\n' "cxxrt.smp_mb smp_mb" "cxxrt.acquire load_acquire" "cxxrt.release store_release" \
		"cxxrt.rmw rmw"
}

. "$(dirname "$0")/mutants-lib.sh"

# The tests that can see a tag's pair (the others only cost time).
filter_of() {	# TAG
	case $1 in
	cq*) echo 'CallQueue*:Kick*:Handoffs*:-*DeathTest*' ;;
	q1.* | q3.* | q4.*) echo 'Handoffs*' ;;
	q2.*) echo 'Kick*' ;;
	# Store buffering is for the litmus build: TSan cannot see it, and its
	# pure spinning can starve under TSan on a loaded machine.
	cxxrt.*) echo 'AtomicOrdering*:CallQueueThreads*:Kick*:Handoffs*:-*StoreBuffering*' ;;
	*) echo '*' ;;
	esac
}

build_kind() {	# OP
	[ "$1" = smp_mb ] && echo litmus || echo tsan
}

# obj KIND TAG SRC: the object of SRC for mutant TAG. A source whose
# preprocessed text does not name TAG compiles the same for every mutant:
# its object is built once (as mutant "none") and reused. Objects are named
# by the hash of the preprocessed source, so they are reused across runs
# until a source or header changes.
obj() {
	local kind=$1 tag=$2 src=$3 name
	name=$(basename "$src" .cpp)
	if [ "$tag" != none ] && ! grep -qF "\"$tag\"" "$out/$name.i"; then
		tag=none
	fi
	local o=$out/$kind-$tag-$name-$(cat "$out/$name.i.sum").o
	[ -f "$o" ] || g++-12 "${common[@]}" ${flags[$kind]} -DXCALL_MUTANT="\"$tag\"" -c "$src" -o "$o" \
		2>"$o.log" || { cat "$o.log" >&2; return 1; }
	echo "$o"
}

build() {	# KIND TAG -> binary path
	local kind=$1 tag=$2 src objs=() pids=() bin=$out/$1-$2 i
	for src in "${tests[@]}" "${support[@]}"; do
		obj "$kind" "$tag" "$src" >"$out/.obj.$(basename "$src")" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || return 1; done
	for src in "${tests[@]}" "${support[@]}"; do
		objs+=("$(cat "$out/.obj.$(basename "$src")")")
	done
	g++-12 ${flags[$kind]} "${objs[@]}" -lgtest -lgtest_main -pthread -o "$bin" || return 1
	echo "$bin"
}

# run BIN KIND FILTER LOG: exit status 0 if every test passed; the failing
# test's name in $LOG.killer.
run() {
	local bin=$1 kind=$2 filter=$3 log=$4 rc
	local rounds=
	if [ "$kind" = litmus ]; then
		filter='*StoreBuffering*:*Litmus*'
		rounds=${XCALL_LITMUS_ROUNDS:-2000000}
	fi
	TSAN_OPTIONS=halt_on_error=1 XCALL_LITMUS_ROUNDS=$rounds \
		timeout -s KILL "$per_run_limit" "$bin" --gtest_filter="$filter" --gtest_fail_fast \
		--gtest_color=no >"$log" 2>&1
	rc=$?
	awk -v rc=$rc '
		/^\[ RUN      \]/ { current = $4 }
		/^\[  FAILED  \] [A-Za-z]/ && !failed { failed = $4 }
		/WARNING: ThreadSanitizer/ && !tsan { tsan = current }
		END {
			if (tsan) print tsan " (TSan)"
			else if (failed) print failed
			else if (rc == 137) print current " (hung: killed after the time limit)"
			else if (rc) print current " (exit " rc ")"
		}' "$log" >"$log.killer"
	return $rc
}

fast=0
selected=()
case "${1:-}" in
--fast) fast=1 ;;
"") ;;
*) selected=("$@") ;;
esac

start=$(date +%s)
# Preprocessed sources (once, as mutant "none"): which tags each can see.
for src in "${tests[@]}" "${support[@]}"; do
	i=$out/$(basename "$src" .cpp).i
	g++-12 "${common[@]}" -DXCALL_MUTANT='"none"' -E "$src" -o "$i" || die "cannot preprocess $src"
	md5sum <"$i" | cut -c1-12 >"$i.sum"
done
# Objects of older sources.
find "$out" -name '*.o' -mmin +1440 -delete

mapfile -t mutants < <(all_mutants)
if [ "$fast" = 1 ]; then
	# One TSan-killed pair of each file and one smp_mb() removal.
	selected=(cq2.unlock_sync q1.open q2.end_run q2.trysubmit_mb)
fi
if [ ${#selected[@]} -gt 0 ]; then
	chosen=()
	for m in "${mutants[@]}"; do
		for s in "${selected[@]}"; do [ "${m%% *}" = "$s" ] && chosen+=("$m"); done
	done
	mutants=("${chosen[@]}")
fi

# The unmutated build must pass the same tests, or "killed" means nothing.
# (--fast skips it: make check has just run the same tests on the same
# code, scripts/host-test.sh.)
baseline_ok=1
for kind in tsan litmus; do
	[ "$fast" = 1 ] && break
	bin=$(build "$kind" none) || die "the unmutated $kind build failed"
	if ! XCALL_LITMUS_ROUNDS=200000 run "$bin" "$kind" '*:-*DeathTest*' "$out/none-$kind.log"; then
		baseline_ok=0
		echo "the unmutated $kind build fails: $(cat "$out/none-$kind.log.killer") (log: $out/none-$kind.log)"
	else
		echo "the unmutated $kind build passes ($(grep -c '^\[       OK' "$out/none-$kind.log") tests)"
	fi
done

# same_code TAG: every source's -O2 object for TAG has the unmutated
# one's machine code.
same_code() {
	local src a b
	for src in "${tests[@]}" "${support[@]}"; do
		a=$(obj litmus none "$src") && b=$(obj litmus "$1" "$src") || return 1
		[ "$a" = "$b" ] || scripts/objdiff.sh "$a" "$b" >/dev/null || return 1
	done
}

killed=0 survived=0 kept=0 unexplained=0 n=0 equivalent=0
[ "$fast" = 1 ] || printf '%-28s | %-34s | %-58s | %s\n' "pair" "mutation" "killed by (test name)" "seconds"
for m in "${mutants[@]}"; do
	tag=${m%% *} op=${m##* }
	t0=$(date +%s)
	kind=$(build_kind "$op")
	log=$out/$tag.log
	if ! bin=$(build "$kind" "$tag"); then
		verdict="BUILD FAILED"
		unexplained=$((unexplained + 1))
		ok=0
	elif run "$bin" "$kind" "$(filter_of "$tag")" "$log"; then
		survived=$((survived + 1))
		ok=0
		if same_code "$tag"; then
			verdict="equivalent on x86-64 (same -O2 code); LKMM: $(litmus_of "$tag")"
			equivalent=$((equivalent + 1))
			ok=1
		elif [ -n "${explained[$tag]:-}" ]; then
			verdict="test gap, kept: ${explained[$tag]}"
			kept=$((kept + 1))
			ok=1
		else
			verdict="TEST GAP: the code differs and no test fails without it"
			unexplained=$((unexplained + 1))
		fi
	else
		killed=$((killed + 1))
		verdict=$(cat "$log.killer")
		ok=1
	fi
	secs=$(($(date +%s) - t0))
	n=$((n + 1))
	if [ "$fast" = 1 ]; then
		if [ "$ok" = 1 ]; then echo "ok mutant_$tag # $verdict, ${secs}s"; else echo "not ok mutant_$tag # $verdict"; fi
	else
		printf '%-28s | %-34s | %-58s | %s\n' "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "$verdict" "$secs"
	fi
	rm -f "$out/$kind-$tag"
done
rm -f "$out"/.obj.*
echo "$killed killed, $equivalent equivalent on x86-64, $((survived - equivalent)) test gaps ($kept with a written reason), $(($(date +%s) - start)) s"
[ "$baseline_ok" = 1 ] && [ "$unexplained" = 0 ]
