# SPDX-License-Identifier: GPL-2.0
# Counts test results in a guest console log of run_kselftest.sh (KTAP).
# A test program's own results appear nested, prefixed "# " by the runner;
# they are what is counted. A program with no nested results counts as one
# (its top-level line). A program whose top-level line failed although all
# its nested results passed (it crashed, timed out, or failed after its
# subtests) adds one failure. Prints "PASSED FAILED".
function close_program() {
	if (!open) return
	if (nested_pass + nested_fail == 0) {
		if (top_ok) pass++; else fail++
	} else {
		pass += nested_pass; fail += nested_fail
		if (!top_ok && nested_fail == 0) fail++
	}
	open = 0
}
{ sub(/\r$/, "") }
/^# selftests: / { nested_pass = 0; nested_fail = 0; next }
/^# ok [0-9]+ /     { nested_pass++; next }
/^# not ok [0-9]+ / { nested_fail++; next }
/^ok [0-9]+ selftests: /     { open = 1; top_ok = 1; close_program(); nested_pass = 0; nested_fail = 0; next }
/^not ok [0-9]+ selftests: / { open = 1; top_ok = 0; close_program(); nested_pass = 0; nested_fail = 0; next }
END { print pass + 0, fail + 0 }
