#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make mutants-kernel`: the in-kernel half of `make mutants`. The remote
# queue's own pairs, (Q1) accepting, (Q2) the kick, (Q3) the waiter's
# mailbox and (Q4) the lazy thread, only run for real in a kernel: this
# builds xcall.ko once per mutant with -DXCALL_MUTANT='"tag"' (that one
# XCALL_ORDER site weakened, cxxrt/include/cxxrt/atomic.h), boots the kcsan
# kernel (KCSAN_STRICT + KCSAN_WEAK_MEMORY: KCSAN may delay an access past
# later ones until a barrier it sees, so a missing release or full barrier
# can surface as a data race) and runs a short workload: the torture smoke
# (torture_test.sh: XCALL_TORTURE_SECONDS, default 30, of every queue kind
# and call type with CPU hotplug, then a run stopped and one unloaded).
# MUTANT_TESTS="queue_test torture_test.sh" adds queue_test (more than
# five minutes more per mutant on the kcsan kernel). A mutant is caught by a
# KCSAN report with a frame in xcall, any other splat, a torture violation,
# a failed test or a hang. A KCSAN report without one is the kernel's own
# (KCSAN_STRICT finds some): it is shown, not counted.
#
#   scripts/mutants-kernel.sh           the default mutants (below), a table,
#                                       then "N caught, N not caught"
#   scripts/mutants-kernel.sh TAG...    only those
#
# First, two checks that make the table mean something: on the shipped
# (generic) build, the switch compiled in but matching no site
# (-DXCALL_MUTANT='"none"') gives the same C++ code as the real build
# (.text and .data of module/xcall_cxx.o); and that "none" build runs the
# workload clean on the kcsan kernel. (There it is the control, not the
# real build: under -fsanitize=thread g++ inlines the switch's wrappers a
# little differently, e.g. an out-of-line fetch_add more, same semantics.)
# Environment: MUTANTS_KERNEL_FLAVOUR (kcsan), XCALL_TORTURE_SECONDS (30),
# MUTANT_TESTS (torture_test.sh), MUTANT_GUEST_TIMEOUT (900 s per guest
# run), CPUS (4). Not part of `make check`.
# Exit status 1 if a check or the unmutated run fails (never for a mutant
# not caught: the host mutants say which of those the LKMM needs anyway).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${MUTANTS_KERNEL_FLAVOUR:-kcsan}
seconds=${XCALL_TORTURE_SECONDS:-30}
limit=${MUTANT_GUEST_TIMEOUT:-900}
out=$XCALL_BUILD/mutants-kernel
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

kdir=$(flavour_kdir "$flavour") || die "no $flavour kernel"
grep -q '^CONFIG_KCSAN_WEAK_MEMORY=y' "$kdir/.config" ||
	note "the $flavour kernel has no CONFIG_KCSAN_WEAK_MEMORY: KCSAN cannot see a missing barrier"

tests=
for t in ${MUTANT_TESTS:-torture_test.sh}; do tests="$tests -t xcall:$t"; done
# KCSAN's counters afterwards show it was on (qemu/init switches it on).
workload="cd /kselftest && XCALL_TORTURE_SECONDS=$seconds ./run_kselftest.sh$tests; rc=\$?;
	grep -E '^(enabled|setup_watchpoints|data_races):' /sys/kernel/debug/kcsan | sed 's/^/kcsan-counter /';
	exit \$rc"

# build NAME KDIR [TAG]: xcall.ko for KDIR, with TAG's site weakened.
build() {
	local flags=
	[ -n "${3:-}" ] && flags="-DXCALL_MUTANT='\"$3\"'"
	XCALL_EXTRA_CXXFLAGS=$flags scripts/build-module.sh "$1" "$2" 2>"$out/$1.build.log"
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

start=$(date +%s)
ok=1

# 1. On the shipped build the switch off is the real code.
gkdir=$(flavour_kdir generic) || die "no generic kernel headers (make deps)"
real=$(build generic "$gkdir") || die "the real generic build failed ($out/generic.build.log)"
gnone=$(build generic-mutant-none "$gkdir" none) ||
	die "the generic XCALL_MUTANT=none build failed ($out/generic-mutant-none.build.log)"
same=1
for section in .text .data; do
	objcopy -O binary --only-section="$section" "$(dirname "$real")/module/xcall_cxx.o" "$out/real$section"
	objcopy -O binary --only-section="$section" "$(dirname "$gnone")/module/xcall_cxx.o" "$out/none$section"
	cmp -s "$out/real$section" "$out/none$section" || same=0
done
if [ "$same" = 1 ]; then
	echo "ok: generic build, the switch off is the real code (.text and .data of xcall_cxx.o identical)"
else
	# Which functions: those whose size differs (the rest moved only).
	differ=$(join -v1 <(nm -S "$(dirname "$real")/module/xcall_cxx.o" | awk 'NF == 4 { print $4 "@" $2 }' | sort) \
		<(nm -S "$(dirname "$gnone")/module/xcall_cxx.o" | awk 'NF == 4 { print $4 "@" $2 }' | sort) |
		sed 's/@.*//' | grep -v '^CSWTCH' | tr '\n' ' ')
	echo "note: generic build, XCALL_MUTANT=none changes the C++ code, in: ${differ:-no function differs in size}"
fi

# 2. The unmutated module runs the workload clean.
none=$(build "mutant-none" "$kdir" none) || die "the XCALL_MUTANT=none build failed ($out/mutant-none.build.log)"
t0=$(date +%s)
run "$none" "$out/none.log"
if [ -z "$verdict" ]; then
	echo "ok: the unmutated module runs the workload clean ($(($(date +%s) - t0)) s; KCSAN: ${kcsan:-no counters})"
else
	echo "NOT OK: the unmutated module: $verdict (log: $out/none.log)"
	ok=0
fi

# 3. The mutants.
caught=0 missed=0
printf '%-30s | %-34s | %-60s | %s\n' "pair" "mutation" "caught by" "seconds"
for m in "${mutants[@]}"; do
	tag=${m%% *} op=${m##* }
	t0=$(date +%s)
	if ! ko=$(build "mutant-$tag" "$kdir" "$tag"); then
		verdict="BUILD FAILED ($out/mutant-$tag.build.log)"
		ok=0
	else
		run "$ko" "$out/$tag.log"
	fi
	if [ "$ok" = 0 ] && [ "${verdict#BUILD FAILED}" != "$verdict" ]; then
		:
	elif [ -n "$verdict" ]; then
		caught=$((caught + 1))
	else
		verdict="not caught"
		missed=$((missed + 1))
	fi
	printf '%-30s | %-34s | %-60s | %s\n' "$(pair_of "$tag") $tag" "$(mutation_of "$op")" "$verdict" \
		"$(($(date +%s) - t0))"
done
echo "$caught caught, $missed not caught ($flavour kernel, torture ${seconds} s), $(($(date +%s) - start)) s"
[ "$ok" = 1 ]
