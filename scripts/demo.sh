#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: installs the host tools that are missing, fetches the
# kernel's build tree and image into the cache, builds xcall, boots the test VM with
# CPUS vCPUs (default 4) on the FLAVOUR kernel (default generic), loads the
# module and shows its debugfs interface at work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
"$XCALL_TOP/scripts/deps.sh"
t1=$(date +%s)
flavour=${FLAVOUR:-generic}
# The kernel tree and image fetched (first run), the module built.
"$XCALL_TOP/scripts/guest.sh" "$flavour" prepare >/dev/null
t2=$(date +%s)

# Each line is echoed with a "$ " prompt before it runs in the guest.
demo=$(cat <<'GUEST'
set -e
show() { echo; echo "\$ $*"; sh -c "$*" || echo "(exit status $?)"; }
show 'insmod /xcall/xcall.ko && grep xcall /proc/modules'
show 'ls -l /sys/kernel/debug/xcall/'
show 'cat /sys/kernel/debug/xcall/memory'
show 'echo all > /sys/kernel/debug/xcall/selftest'
show 'cat /sys/kernel/debug/xcall/selftest'
show 'echo no_such_case > /sys/kernel/debug/xcall/selftest'
show 'grep -E "^ *(CPU|CAL)" /proc/interrupts'
show 'echo 1 > /sys/kernel/debug/xcall/reset'
show 'echo "async cpus=all count=10000 wait=1" > /sys/kernel/debug/xcall/queue'
show 'echo "irq_work cpus=1-3 count=1000 same=1 wait=1" > /sys/kernel/debug/xcall/queue'
show 'echo "wake cpus=2 count=100 wait=1" > /sys/kernel/debug/xcall/queue'
show 'cat /sys/kernel/debug/xcall/stats'
show 'head -n 8 /sys/kernel/debug/xcall/latency'
show 'echo "async cpus=7" > /sys/kernel/debug/xcall/queue'
show 'grep -E "^ *(CPU|CAL)" /proc/interrupts'
show 'rmmod xcall && dmesg | grep "xcall:" | tail -n 3'
GUEST
)
GUEST_TIMEOUT=${GUEST_TIMEOUT:-300} "$XCALL_TOP/scripts/guest.sh" "$flavour" run -- "$demo" |
	guest_output
t3=$(date +%s)
note "time: apt $((t1 - t0)) s, kernel fetch and build $((t2 - t1)) s, guest $((t3 - t2)) s"
