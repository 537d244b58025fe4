#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# objdiff.sh A.o B.o: do two objects have the same machine code, function
# by function? Prints the functions whose code differs (or that only one
# object has) and exits 1 if there is any; exits 0, printing nothing, if
# every function's code is identical. What "equivalent on x86-64" means
# in the mutant reports (scripts/mutants.sh, scripts/mutants-kernel.sh).
#
# Each function is compared as `objdump -d -r --no-show-raw-insn` prints
# it, with what only says where it sits dropped: instruction addresses and
# the absolute address before a <symbol+offset> (a branch's target is
# compared by its symbol+offset). Relocations (calls, data references) are
# compared by symbol. Data sections are not compared: a mutant changes
# ordering, which is code.
#
# The command, for a reader checking a claim by hand:
#   diff <(objdump -d -r --no-show-raw-insn A.o | sed -E 's/^ *[0-9a-f]+:\t?//; s/[0-9a-f]+ </</g') \
#        <(objdump -d -r --no-show-raw-insn B.o | sed -E 's/^ *[0-9a-f]+:\t?//; s/[0-9a-f]+ </</g')
set -uo pipefail

[ $# -eq 2 ] || { echo "usage: $0 A.o B.o" >&2; exit 2; }

# One line per function: its name, a tab, its normalised code.
norm() {	# OBJ OUT
	objdump -d -r --no-show-raw-insn "$1" | awk '
		function flush() { if (name != "") printf "%s\t%s\n", name, body }
		/^[0-9a-f]+ <.*>:$/ { flush(); name = $2; body = ""; next }
		/^Disassembly of section/ { flush(); name = ""; next }
		name != "" && NF {
			line = $0
			sub(/^ *[0-9a-f]+:[ \t]*/, "", line)
			gsub(/[0-9a-f]+ </, "<", line)
			gsub(/\t/, " ", line)
			body = body line " ; "
		}
		END { flush() }' | sort >"$2"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
norm "$1" "$tmp/a" || exit 2
norm "$2" "$tmp/b" || exit 2
[ -s "$tmp/a" ] || { echo "$0: no code in $1" >&2; exit 2; }
# Lines in one file only: a function that differs, or exists in one only.
differ=$(comm -3 "$tmp/a" "$tmp/b" | sed 's/^\t//' | cut -f1 | sort -u)
if [ -n "$differ" ]; then
	echo "$differ"
	exit 1
fi
exit 0
