#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Reads a kernel log on stdin; prints the lines that show a kernel splat and
# exits 1 if there is any, 0 if the log is clean. POSIX sh + grep -E, so the
# same list serves the guest tests and the host's qemu/run.sh.
#
# A splat: oops, BUG, WARN, panic, lockdep reports, sleeping or scheduling
# in atomic context, sanitizer reports, RCU stalls and lockups, stuck CSD
# locks, and xcall's own report of allocations leaked at unload.
regex='Oops|BUG:|kernel BUG at|WARNING:|Kernel panic|general protection fault'
regex="$regex|Call Trace:|possible recursive locking|possible circular locking"
regex="$regex|inconsistent lock state|suspicious RCU usage"
regex="$regex|sleeping function called from invalid context|scheduling while atomic"
regex="$regex|KASAN:|UBSAN:|KCSAN:|self-detected stall|rcu_.* detected stalls"
regex="$regex|soft lockup|hard LOCKUP|csd: CSD lock|xcall: leaked"

found=$(grep -E -- "$regex" | head -n 50)
[ -z "$found" ] && exit 0
printf '%s\n' "$found"
exit 1
