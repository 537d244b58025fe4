#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make dkms-check`: xcall through DKMS, as root on Debian 12 or 13, no reboot.
#  1. dkms present (apt-get install, only if missing)
#  2. dkms.conf's PACKAGE_VERSION equals VERSION
#  3. for Debian's current kernel ABI of each line of the host's release
#     (6.1 and bookworm-backports' 6.12 on Debian 12), generic (ABI-amd64)
#     and PREEMPT_RT (ABI-rt-amd64), against the build tree in the cache
#     (dkms --kernelsourcedir), each from scratch: scripts/install.sh dkms-add,
#     dkms build, dkms install; the installed module is under
#     /lib/modules/KVER/updates/, its vermagic starts with KVER, its license
#     is GPL and its version is VERSION; then scripts/install.sh dkms-remove
#     (dkms remove --all, /usr/src copy deleted) leaves nothing behind;
#     before the removal, a guest of that kernel loads the installed module
#     with `modprobe xcall` (DKMS_GUEST_FLAVOURS, default "generic").
#     DKMS_FLAVOURS picks the kernels (default all four: generic rt
#     generic-6.12 rt-6.12).
# Prints "ok N NAME" / "not ok N NAME # WHY" lines and ends with one line
# "N passed, N failed, N skipped (Ts)"; exit status 1 if anything failed.
# Whatever an earlier run left (any registered xcall version, its /usr/src
# copy, an xcall.ko in the tested kernels' module trees) is removed first.
# Logs: build/dkms-check/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Run from `make dkms-check`, the outer make's flags (a jobserver the builds
# below cannot reach, variables) must not leak into dkms's builds.
unset MAKEFLAGS MFLAGS MAKELEVEL
[ "$(id -u)" = 0 ] || die "dkms-check.sh must run as root (it writes /usr/src, /var/lib/dkms, /lib/modules)"

install_sh=$XCALL_TOP/scripts/install.sh
logs=$XCALL_BUILD/dkms-check
mkdir -p "$logs"
rm -f "$logs"/*.log
start=$(date +%s)
result() { ktap_result "$@"; }
finish() {
	printf '%d passed, %d failed, %d skipped (%ds)\n' $ktap_passes $ktap_fails $ktap_skips $(($(date +%s) - start))
	! ktap_failed
	exit
}
# run NAME LOG CMD...: one result for a command, its output in LOG.
run() {
	local name=$1 log=$2 rc=0
	shift 2
	echo "\$ $*" >>"$log"
	"$@" >>"$log" 2>&1 || rc=$?
	if [ $rc = 0 ]; then
		result OK "$name"
	else
		result FAIL "$name" "'$*' exit $rc (log: $log)"
	fi
	return $rc
}
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# Everything xcall-related dkms knows or left, and xcall.ko in the given
# kernels' module trees (the build/source links are not followed).
clean_leftovers() {	# clean_leftovers KVER...
	local kver f found
	[ -n "$(ls -A /var/lib/dkms/xcall 2>/dev/null)" ] || compgen -G '/usr/src/xcall-*' >/dev/null &&
		"$install_sh" dkms-remove >>"$logs/cleanup.log" 2>&1
	for f in /var/lib/dkms/xcall /usr/src/xcall-*; do
		[ -e "$f" ] || continue
		echo "# removing leftover $f"
		rm -rf "$f"
	done
	for kver in "$@"; do
		[ -d "/lib/modules/$kver" ] || continue
		found=
		while IFS= read -r f; do
			echo "# removing leftover $f"
			rm -f "$f"
			found=1
		done < <(find "/lib/modules/$kver" -name 'xcall.ko*')
		[ -z "$found" ] || depmod -a "$kver" 2>>"$logs/cleanup.log"
	done
}

# The module DKMS installed, loaded by name in a guest of that kernel: the
# guest (a busybox initramfs, no module tree of its own) gets the installed
# file at the same place under /lib/modules, runs depmod, `modprobe xcall`,
# queues to every CPU, and `modprobe -r xcall`.
guest_modprobe() {	# guest_modprobe FLAVOUR KVER KO
	local fl=$1 kver=$2 ko=$3 copy rc=0 glog
	copy=$logs/$fl-installed/xcall.ko glog=$logs/$fl-guest.log
	mkdir -p "$(dirname "$copy")"
	cp "$ko" "$copy"
	local rel=${ko#"/lib/modules/$kver/"}
	XCALL_KO=$copy CPUS=2 GUEST_TIMEOUT=300 "$XCALL_TOP/scripts/guest.sh" "$fl" run -l "$glog" -- "
[ \"\$(uname -r)\" = $kver ] || { echo \"guest runs \$(uname -r), not $kver\"; exit 1; }
mkdir -p /lib/modules/$kver/$(dirname "$rel") && cp /xcall/xcall.ko /lib/modules/$kver/$rel && depmod || exit 1
modprobe xcall || exit 1
grep -q '^xcall ' /proc/modules && echo 'async cpus=all count=10 wait=1' > /sys/kernel/debug/xcall/queue || exit 1
modprobe -r xcall && ! grep -q '^xcall ' /proc/modules && echo XCALL-DKMS-MODPROBE-OK" >/dev/null 2>&1 || rc=$?
	if [ $rc = 0 ] && grep -q '^XCALL-DKMS-MODPROBE-OK' "$glog"; then
		result OK "guest_modprobe_$fl" "$rel"
	else
		result FAIL "guest_modprobe_$fl" "guest exit $rc (log: $glog)"
	fi
}

# --- dkms ---------------------------------------------------------------------
if command -v dkms >/dev/null 2>&1; then
	result OK dkms_present
else
	log=$logs/apt.log
	if apt_get install -y -qq --no-install-recommends dkms >>"$log" 2>&1 ||
		{ apt_get update -qq >>"$log" 2>&1 &&
		  apt_get install -y -qq --no-install-recommends dkms >>"$log" 2>&1; }; then
		result OK dkms_present "installed $(dpkg-query -W -f='${Version}' dkms)"
	else
		result FAIL dkms_present "apt-get install dkms failed (log: $log)"
		finish
	fi
fi

# --- version ------------------------------------------------------------------
ver=$(head -n1 "$XCALL_TOP/VERSION" 2>/dev/null)
conf_ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$XCALL_TOP/dkms.conf" 2>/dev/null)
if [ -z "$ver" ]; then
	result FAIL dkms_conf_version_is_VERSION "no version in VERSION"
	finish
elif [ "$ver" = "$conf_ver" ]; then
	result OK dkms_conf_version_is_VERSION "$ver"
else
	result FAIL dkms_conf_version_is_VERSION "dkms.conf PACKAGE_VERSION=\"$conf_ver\", VERSION $ver"
	finish
fi

# --- kernels ------------------------------------------------------------------
# Debian's current kernel ABI of each flavour's line, its build tree the one
# the cache holds (downloaded and unpacked, never installed: dkms is given
# it with --kernelsourcedir). A user's DKMS builds with the toolchain of
# the release that shipped the kernel: a line of another release than the
# host's is skipped here, with that reason.
host_rel=$(host_release)
kvers= todo=
for fl in ${DKMS_FLAVOURS:-generic rt generic-6.12 rt-6.12}; do
	# flavour_suffix dies on anything but a Debian flavour: in a subshell.
	suffix=$( (flavour_suffix "$fl") 2>/dev/null) ||
		{ result FAIL dkms_flavours "DKMS_FLAVOURS: no Debian kernel '$fl' (generic rt, each with -LINE)"; finish; }
	if [ "$(flavour_release "$fl")" != "$host_rel" ]; then
		result SKIP "dkms_$fl" "Linux $(flavour_line "$fl") is Debian $(flavour_release "$fl")'s kernel; this host is Debian $host_rel"
		continue
	fi
	kdir=$(flavour_kdir "$fl" 2>>"$logs/fetch.log") ||
		{ result FAIL "kernel_tree_$fl" "cannot fetch Debian's $fl tree (log: $logs/fetch.log)"; continue; }
	# Debian's name of the kernel (the image's /lib/modules directory).
	kver=${kdir##*/linux-headers-}
	kvers+=" $kver" todo+=" $fl:$kver:$kdir"
done
kvers=${kvers# }
echo "# xcall $ver, kernels ${kvers:-none}"
# shellcheck disable=SC2086 # one word per kernel
[ -n "$kvers" ] && clean_leftovers $kvers

for item in $todo; do
	fl=${item%%:*} item=${item#*:}
	kver=${item%%:*} kdir=${item#*:}
	log=$logs/$fl.log
	# What installing linux-headers-KVER would give dkms, without /boot:
	# /lib/modules/KVER/build, here a link to the cache's tree; made for
	# this test, and removed after it when it was not there before.
	made_moddir=
	if [ ! -e "/lib/modules/$kver" ]; then
		mkdir -p "/lib/modules/$kver" && ln -s "$kdir" "/lib/modules/$kver/build" && made_moddir=1
	fi
	if run "dkms_add_$fl" "$log" "$install_sh" dkms-add &&
		run "dkms_build_$fl" "$log" dkms build "xcall/$ver" -k "$kver" --kernelsourcedir "$kdir" &&
		run "dkms_install_$fl" "$log" dkms install "xcall/$ver" -k "$kver" --kernelsourcedir "$kdir"; then
		status=$(dkms status "xcall/$ver" -k "$kver" 2>&1)
		case $status in
		*": installed"*) result OK "dkms_status_installed_$fl" ;;
		*) result FAIL "dkms_status_installed_$fl" "dkms status: ${status:-nothing}" ;;
		esac

		ko=$(modinfo -k "$kver" -n xcall 2>/dev/null)
		case $ko in
		"/lib/modules/$kver/updates/"*) result OK "installed_in_updates_$fl" "${ko#"/lib/modules/$kver/"}" ;;
		*) result FAIL "installed_in_updates_$fl" "modinfo -k $kver -n xcall: ${ko:-not found}"
		   ko=$(find "/lib/modules/$kver/updates" -name 'xcall.ko*' 2>/dev/null | head -n1) ;;
		esac

		if [ -n "$ko" ] && [ -f "$ko" ]; then
			vermagic=$(modinfo -F vermagic "$ko")
			case $vermagic in
			"$kver "*) result OK "vermagic_$fl" ;;
			*) result FAIL "vermagic_$fl" "vermagic '$vermagic'" ;;
			esac
			license=$(modinfo -F license "$ko")
			if [ "$license" = GPL ]; then
				result OK "license_gpl_$fl"
			else
				result FAIL "license_gpl_$fl" "license '$license'"
			fi
			modver=$(modinfo -F version "$ko")
			if [ -z "$modver" ]; then
				result FAIL "version_$fl" "no MODULE_VERSION"
			elif [ "$modver" = "$ver" ]; then
				result OK "version_$fl" "$modver"
			else
				result FAIL "version_$fl" "modinfo version '$modver', VERSION $ver"
			fi
			case " ${DKMS_GUEST_FLAVOURS-generic} " in
			*" $fl "*) guest_modprobe "$fl" "$kver" "$ko" ;;
			esac
		else
			result FAIL "modinfo_$fl" "no installed xcall.ko for $kver"
		fi
	else
		# dkms keeps the build log in its tree, which the removal deletes.
		for f in /var/lib/dkms/xcall/"$ver"/build/make.log /var/lib/dkms/xcall/"$ver/$kver"/*/log/make.log; do
			[ -f "$f" ] || continue
			cp "$f" "$logs/$fl-make.log"
			echo "# dkms make.log (copy: $logs/$fl-make.log), last lines:"
			tail -n 15 "$f" | sed 's/^/#   /'
		done
	fi

	run "dkms_remove_$fl" "$log" "$install_sh" dkms-remove
	left=
	[ -e /var/lib/dkms/xcall ] && left="$left /var/lib/dkms/xcall"
	[ -e "/usr/src/xcall-$ver" ] && left="$left /usr/src/xcall-$ver"
	left="$left $(find "/lib/modules/$kver" -name 'xcall.ko*' | tr '\n' ' ')"
	modinfo -k "$kver" -n xcall >/dev/null 2>&1 && left="$left modules.dep:xcall"
	if [ -z "${left// /}" ]; then
		result OK "nothing_left_$fl"
	else
		result FAIL "nothing_left_$fl" "left:$left"
		clean_leftovers "$kver"
	fi
	[ -n "$made_moddir" ] && rm -rf "/lib/modules/$kver"
done

finish
