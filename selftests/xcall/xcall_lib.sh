# SPDX-License-Identifier: GPL-2.0
# Helpers for xcall's shell selftests (busybox sh compatible). Source it.

XCALL_DIR=/sys/kernel/debug/xcall
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

ktap_count=0
ktap_failed=0

ktap_header() { echo "TAP version 13"; echo "1..$1"; }
ktap_result() {	# ktap_result 0|1 NAME [DETAIL]
	ktap_count=$((ktap_count + 1))
	if [ "$1" = 0 ]; then
		echo "ok $ktap_count $2"
	else
		ktap_failed=$((ktap_failed + 1))
		echo "not ok $ktap_count $2${3:+ # $3}"
	fi
}
ktap_finish() {
	echo "# totals: pass:$((ktap_count - ktap_failed)) fail:$ktap_failed"
	[ "$ktap_failed" = 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

xcall_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIP: must be root"
		exit $KSFT_SKIP
	fi
	if ! grep -q ' /sys/kernel/debug ' /proc/mounts; then
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null ||
			{ echo "# SKIP: debugfs not available"; exit $KSFT_SKIP; }
	fi
}

xcall_loaded() { grep -q '^xcall ' /proc/modules; }

xcall_load() {
	xcall_loaded && return 0
	if [ -n "${XCALL_KO:-}" ]; then
		insmod "$XCALL_KO"
	elif [ -f /xcall/xcall.ko ]; then
		insmod /xcall/xcall.ko
	else
		modprobe xcall
	fi
}

xcall_unload() { xcall_loaded || return 0; rmmod xcall; }

# The kernel log's lines after the first N (to look only at what a test
# caused): N=$(dmesg_lines) before, dmesg_since $N after.
dmesg_lines() { dmesg | wc -l; }
dmesg_since() { dmesg | tail -n +$(($1 + 1)); }
