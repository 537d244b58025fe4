#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make mutants-kernel`: the in-kernel half of `make mutants`. The remote
# queue's own pairs, (Q1) accepting, (Q2) the kick, (Q3) the waiter's
# mailbox and (Q4) the lazy thread, only run for real in a kernel. Each
# mutant (-DXCALL_MUTANT='"tag"': that one XCALL_ORDER site weakened,
# cxxrt/include/cxxrt/atomic.h) is classified by evidence:
#
#  1. equivalent on x86-64: the module's C++ object (module/xcall_cxx.o,
#     generic 6.1 build, or MUTANTS_KERNEL_BASE's) has the same machine
#     code, function by function,
#     as the unmutated one (scripts/objdiff.sh: objdump -d -r, addresses
#     dropped). No test on x86 can kill it; the LKMM can, and the table
#     names the docs/litmus file that argues it and what herd7 should say
#     (mutants-lib.sh, litmus_of).
#  2. killed: the code differs; the mutant's xcall.ko runs every case of
#     the in-kernel litmus runner (module/knobs/litmus.h, LITMUS_N
#     iterations, default 200000) in a guest of that kernel, and a case x86
#     forbids shows its forbidden outcome. With MUTANTS_KERNEL_KCSAN=1, a
#     mutant the runner misses then runs the torture smoke on the kcsan
#     kernel (KCSAN_STRICT + KCSAN_WEAK_MEMORY; torture_test.sh,
#     XCALL_TORTURE_SECONDS; MUTANT_TESTS adds tests): a KCSAN report with a
#     frame in xcall, another splat, a torture violation, a failed test or a
#     hang kills it.
#  3. test gap: the code differs and nothing kills it. Each needs a reason
#     written in gap_reason below, or the run fails.
#
#   scripts/mutants-kernel.sh           the default mutants (below), a table,
#                                       then "N killed, N equivalent on x86-64, N test gaps"
#   scripts/mutants-kernel.sh TAG...    only those
#
# First, a check that makes the table mean something: on the shipped
# (generic) build, the switch compiled in but matching no site
# (-DXCALL_MUTANT='"none"') gives the same C++ code as the real build.
# Environment: LITMUS_N (200000), MUTANTS_KERNEL_BASE (generic),
# MUTANTS_KERNEL_KCSAN (0),
# XCALL_TORTURE_SECONDS (30), MUTANT_TESTS (torture_test.sh),
# MUTANT_GUEST_TIMEOUT (1800 s per guest run), CPUS (4). Not part of `make
# check`. Exit status 1 if a check or an unmutated run fails, or a test gap
# has no written reason.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${MUTANTS_KERNEL_FLAVOUR:-kcsan}
seconds=${XCALL_TORTURE_SECONDS:-30}
limit=${MUTANT_GUEST_TIMEOUT:-1800}
litmus_n=${LITMUS_N:-200000}
use_kcsan=${MUTANTS_KERNEL_KCSAN:-0}
# The Debian kernel whose build is compared and whose guests run the
# litmus runner: generic (6.1) by default; MUTANTS_KERNEL_BASE=rt-6.12 (or
# any Debian flavour) repeats the whole classification on that kernel's
# build, whose compiler flags differ from 6.1's.
base=${MUTANTS_KERNEL_BASE:-generic}
is_source_flavour "$base" && die "MUTANTS_KERNEL_BASE: a Debian kernel (generic, rt, generic-6.12, rt-6.12), not $base"
out=$XCALL_BUILD/mutants-kernel
[ "$base" = generic ] || out+="-$base"
mkdir -p "$out"
cd "$XCALL_TOP" || exit 1

# One or two per pair; TAG OP as `grep XCALL_ORDER` shows them.
default_mutants=(
	"q1.open store_release"		# (Q1) cpu_online() opens the queue
	"q1.check load_acquire"		# (Q1) queue() checks it
	"q2.trysubmit_mb smp_mb"	# (Q2) try_submit()'s barrier before finding a kick pending
	"q2.begin_run fetch_add"	# (Q2) the kick's clear of "queued" before the handler's take
	"q3.post store_release"		# (Q3) run_wake's post to the waiter
	"q3.take xchg"			# (Q3) the waiter's take
	"q4.running_clear store_release"	# (Q4) run_lazy()'s clear after the last function
	"q4.list_empty load_acquire"	# (Q4) wait_lazy_idle()'s check of the list
)

# Test gaps kept on purpose: tag -> why no test can kill it. (None today:
# every default mutant is killed or equivalent on x86-64.)
declare -A gap_reason=()

. "$(dirname "$0")/mutants-lib.sh"

if [ $# -gt 0 ]; then
	mutants=()
	for tag in "$@"; do
		op=$(grep -rhoE "XCALL_ORDER\\($tag, [a-z_]+\\)" module | head -n1 | sed -E 's/.*, ([a-z_]+)\)/\1/')
		[ -n "$op" ] || die "no XCALL_ORDER site is tagged $tag"
		mutants+=("$tag $op")
	done
else
	mutants=("${default_mutants[@]}")
fi

# build NAME KDIR [TAG]: xcall.ko for KDIR, with TAG's site weakened.
build() {
	local flags=
	[ -n "${3:-}" ] && flags="-DXCALL_MUTANT='\"$3\"'"
	XCALL_EXTRA_CXXFLAGS=$flags scripts/build-module.sh "$1" "$2" 2>"$out/$1.build.log"
}

# cxx_object TAG: module/xcall_cxx.o of the base build with TAG's site
# weakened, compiled alone with the unmutated build's exact command (its
# .cmd file, savedcmd_ since Linux 6.3; without objtool: only the code is
# compared). Prints its path.
cxx_object() {
	local tag=$1 o=$out/xcall_cxx-$1.o cmd
	cmd=$(sed -n -E 's/^(saved)?cmd_[^ ]*xcall_cxx.o := //p' "$none_dir/module/.xcall_cxx.o.cmd" |
		sed -E 's/ *&& \{ objtool_out=.*$//; s/-Wp,-MMD,[^ ]+//; s/-DXCALL_MUTANT=[^ ]+//')
	[ -n "$cmd" ] || return 1
	cmd=$(echo "$cmd" | sed -E "s| -c -o [^ ]+ | -DXCALL_MUTANT='\"$tag\"' -c -o $o |")
	(cd "$gkdir" && eval "$cmd") 2>"$o.log" || { cat "$o.log" >&2; return 1; }
	echo "$o"
}

# run KO LOG: the workload in a guest; sets verdict ("" if clean).
run() {
	local ko=$1 log=$2 rc
	XCALL_KO=$ko GUEST_TIMEOUT=$limit scripts/guest.sh "$flavour" run -l "$log" -- "$workload" \
		>"$log.out" 2>&1
	rc=$?
	# The splats other than KCSAN's that run.sh listed.
	splat=$(sed -n '/kernel log shows a splat:/,$p' "$log.out" 2>/dev/null | sed 1d | grep -v 'KCSAN' | head -n 1)
	kcsan=$(awk '/^kcsan-counter / { sub(/:$/, "", $2); printf "%s%s=%s", n++ ? ", " : "", $2, $3 }' "$log" 2>/dev/null)
	verdict=$(awk -v rc=$rc -v limit="$limit" -v splat="$splat" '
		# A KCSAN report counts if a frame of it is in xcall (the kernel
		# log at the end has the stacks; the console only the title).
		/^@@XCALL-DMESG-BEGIN@@/ { dmesg = 1 }
		dmesg && /BUG: KCSAN:/ { title = $0; sub(/.*BUG: KCSAN: /, "KCSAN ", title); ours = 0 }
		dmesg && title && /\[xcall\]/ { ours = 1 }
		dmesg && title && /^Reported by Kernel Concurrency Sanitizer/ {
			if (ours && !kcsan) kcsan = title
			else if (!ours && !foreign) foreign = title
			title = ""
		}
		/violation: / && !violation { violation = $0; sub(/.*violation: /, "violation: ", violation) }
		/^not ok [0-9]+ selftests: xcall: / && !failed { failed = $0; sub(/^not ok [0-9]+ selftests: xcall: /, "", failed) }
		/^# not ok / && !subtest { subtest = $0; sub(/^# not ok [0-9]+ /, "", subtest) }
		END {
			if (kcsan) print kcsan
			else if (violation) print "torture " violation
			else if (rc == 124) print "hang (guest killed after " limit " s)"
			else if (failed) print "test failed: " failed (subtest ? " (" subtest ")" : "")
			else if (rc == 126 && (splat || !foreign)) print "kernel splat: " splat
			else if (rc == 125) print "crash (no exit status)"
			else if (rc && rc != 126) print "exit " rc
		}' "$log" 2>/dev/null)
	# A report with no xcall frame is the kernel's own: said, not counted.
	foreign=$(awk '/^@@XCALL-DMESG-BEGIN@@/ { d = 1 } d && /BUG: KCSAN:/ { t = $0 }
		d && t && /\[xcall\]/ { t = "" } d && t && /^Reported by Kernel Concurrency/ { sub(/.*BUG: KCSAN: /, "", t); print t; exit }' \
		"$log" 2>/dev/null)
	[ -z "$foreign" ] || note "$(basename "$log" .log): the kernel's own KCSAN report, not counted: $foreign"
}

# litmus KO LOG: every case of the in-kernel litmus runner in a base
# guest; sets verdict ("" if no case that x86 forbids showed its outcome,
# else the first such case and its count).
litmus() {
	local ko=$1 log=$2
	LITMUS_N=$litmus_n LITMUS_FLAVOURS=$base XCALL_KO=$ko LITMUS_TIMEOUT=$limit \
		scripts/litmus.sh >"$log.table" 2>&1
	litmus_rc=$?	# 0: every case as x86 allows, the guest clean (no splat)
	verdict=$(awk -F' *[|] *' '$3 == "Never" && $5 > 0 { printf "litmus %s: forbidden outcome seen %d times in %d", $1, $5, $4; exit }' \
		"$log.table")
	cp "$XCALL_BUILD/litmus/$base.log" "$log" 2>/dev/null
}

start=$(date +%s)
ok=1

# 1. On the shipped build the switch off is the real code.
gkdir=$(flavour_kdir "$base") || die "no $base kernel headers (make deps)"
real=$(build "$base" "$gkdir") || die "the real $base build failed ($out/$base.build.log)"
gnone=$(build "$base-mutant-none" "$gkdir" none) ||
	die "the $base XCALL_MUTANT=none build failed ($out/$base-mutant-none.build.log)"
none_dir=$(dirname "$gnone")
if scripts/objdiff.sh "$(dirname "$real")/module/xcall_cxx.o" "$none_dir/module/xcall_cxx.o" >"$out/none.objdiff"; then
	echo "ok: $base build, the switch off is the real code (every function of xcall_cxx.o: same machine code)"
else
	echo "note: $base build, XCALL_MUTANT=none changes the C++ code, in: $(tr '\n' ' ' <"$out/none.objdiff")"
fi

# The object every mutant's is compared with: compiled the same way.
none_obj=$(cxx_object none) || die "cannot compile xcall_cxx.o alone ($out/xcall_cxx-none.o.log)"

# 2. The unmutated module passes the litmus runner (and the workload, if
# the KCSAN stage is on).
t0=$(date +%s)
litmus "$gnone" "$out/none-litmus.log"
if [ -n "$verdict" ] || [ "$litmus_rc" != 0 ]; then
	echo "NOT OK: the unmutated module fails the litmus runner: ${verdict:-no report} ($out/none-litmus.log.table)"
	ok=0
else
	echo "ok: the unmutated module passes the litmus runner, n=$litmus_n ($(($(date +%s) - t0)) s)"
fi
kcsan_ready=0
kcsan_stage() {	# once: the kcsan kernel and the unmutated module's clean run
	[ "$kcsan_ready" = 0 ] || return 0
	kcsan_ready=1
	kdir=$(flavour_kdir "$flavour") || die "no $flavour kernel"
	grep -q '^CONFIG_KCSAN_WEAK_MEMORY=y' "$kdir/.config" ||
		note "the $flavour kernel has no CONFIG_KCSAN_WEAK_MEMORY: KCSAN cannot see a missing barrier"
	tests=
	for t in ${MUTANT_TESTS:-torture_test.sh}; do tests="$tests -t xcall:$t"; done
	# KCSAN's counters afterwards show it was on (qemu/init switches it on).
	workload="cd /kselftest && XCALL_TORTURE_SECONDS=$seconds ./run_kselftest.sh$tests; rc=\$?;
		grep -E '^(enabled|setup_watchpoints|data_races):' /sys/kernel/debug/kcsan | sed 's/^/kcsan-counter /';
		exit \$rc"
	none=$(build "mutant-none" "$kdir" none) || die "the XCALL_MUTANT=none build failed ($out/mutant-none.build.log)"
	local t0=$(date +%s)
	run "$none" "$out/none.log"
	if [ -z "$verdict" ]; then
		echo "ok: the unmutated module runs the workload clean on $flavour ($(($(date +%s) - t0)) s; KCSAN: ${kcsan:-no counters})"
	else
		echo "NOT OK: the unmutated module on $flavour: $verdict (log: $out/none.log)"
		ok=0
	fi
}

# 3. The mutants.
killed=0 equivalent=0 gaps=0
table=$out/table
: >"$table"
row() { printf '%-32s | %-30s | %-17s | %s\n' "$@" | tee -a "$table"; }
row "pair" "mutation" "class" "evidence"
for m in "${mutants[@]}"; do
	tag=${m%% *} op=${m##* }
	t0=$(date +%s)
	if ! obj=$(cxx_object "$tag"); then
		row "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "BUILD FAILED" "$out/xcall_cxx-$tag.o.log"
		ok=0
		continue
	fi
	if differ=$(scripts/objdiff.sh "$none_obj" "$obj"); then
		equivalent=$((equivalent + 1))
		row "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "equivalent x86-64" \
			"same code in every function of xcall_cxx.o ($(($(date +%s) - t0)) s); LKMM: $(litmus_of "$tag")"
		continue
	fi
	# How many functions differ, and a few of them by name.
	touched="$(echo "$differ" | wc -l) functions, e.g. $(echo "$differ" | c++filt | sed -E 's/^<//; s/>:$//' |
		grep -oE 'xcall::[A-Za-z_:]+' | sort -u | head -n 3 | tr '\n' ' ')"
	verdict=
	if ! ko=$(build "$base-mutant-$tag" "$gkdir" "$tag"); then
		verdict="BUILD FAILED ($out/$base-mutant-$tag.build.log)"
		ok=0
	else
		litmus "$ko" "$out/$tag-litmus.log"
		if [ -z "$verdict" ] && [ "$use_kcsan" = 1 ]; then
			kcsan_stage
			if ko=$(build "mutant-$tag" "$kdir" "$tag"); then
				run "$ko" "$out/$tag.log"
				[ -z "$verdict" ] || verdict="$flavour kernel: $verdict"
			else
				verdict="BUILD FAILED ($out/mutant-$tag.build.log)"
				ok=0
			fi
		fi
	fi
	secs=$(($(date +%s) - t0))
	if [ "${verdict#BUILD FAILED}" != "$verdict" ]; then
		row "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "BUILD FAILED" "$verdict"
	elif [ -n "$verdict" ]; then
		killed=$((killed + 1))
		row "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "killed" "$verdict, $secs s (code differs: $touched)"
	else
		gaps=$((gaps + 1))
		if [ -n "${gap_reason[$tag]:-}" ]; then
			row "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "test gap" "${gap_reason[$tag]} (code differs: $touched)"
		else
			row "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "TEST GAP" "no test kills it and no reason is written (code differs: $touched)"
			ok=0
		fi
	fi
done
echo "$killed killed, $equivalent equivalent on x86-64, $gaps test gaps ($(($(date +%s) - start)) s)"
[ "$ok" = 1 ]
