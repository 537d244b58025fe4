#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make fresh-check`: the README's commands on machines that have never
# seen xcall. For each host release (FRESH_RELEASES, default "bookworm
# trixie"): a bare Debian root (debootstrap minbase plus git and make, the
# way a new machine starts; made once and kept as a tarball in the cache),
# unpacked anew, apt sources as a fresh install has them, this tree cloned
# into it; then, chrooted there with nothing else installed:
#   make demo                the first command, to its end
#   make                     xcall.ko for every kernel line and flavour
#   a short kselftest run    cxxrt, primitives, load/unload in a guest
#   nothing in /boot         no kernel image or headers package installed
# FRESH_CACHE=empty gives each root an empty xcall cache (a first run: every
# tree, image, source and build root fetched); the default, warm, keeps
# one cache per release across runs ($XCALL_CACHE/fresh/RELEASE-cache), so
# that only the root is new. Each phase's time is printed. Root only.
# Ends with "N passed, N failed"; exit status 1 if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "fresh-check.sh must run as root (debootstrap, chroot, mounts)"
releases=${FRESH_RELEASES:-bookworm trixie}
mode=${FRESH_CACHE:-warm}
case "$mode" in warm | empty) ;; *) die "FRESH_CACHE is warm or empty, not '$mode'" ;; esac
logs=$XCALL_BUILD/fresh-check
mkdir -p "$logs" "$XCALL_CACHE/roots" "$XCALL_CACHE/fresh"
start=$(date +%s)
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
	die "no debootstrap (apt-get install debootstrap)"
read -r main sec key < <(archive_entries) || die "no Debian entry in /etc/apt: no archive URI"
[ "$key" = - ] && key=/usr/share/keyrings/debian-archive-keyring.gpg

# bare_tarball RELEASE: minbase plus git and make, made once.
bare_tarball() {
	local rel=$1 tarball dir
	tarball=$XCALL_CACHE/roots/$rel-bare.tar
	if [ ! -f "$tarball" ]; then
		dir=$XCALL_CACHE/roots/$rel-bare.tmp
		rm -rf "$dir"
		note "making a bare $rel root (debootstrap minbase, git, make; once)"
		debootstrap --variant=minbase --keyring="$key" --include=git,make,ca-certificates \
			"$rel" "$dir" "$main" >"$logs/debootstrap-$rel.log" 2>&1 ||
			{ tail -n 20 "$logs/debootstrap-$rel.log" >&2; return 1; }
		tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball" || return 1
		rm -rf "$dir"
	fi
	echo "$tarball"
}

# fresh_root RELEASE DIR: DIR becomes a new copy of the bare root, with the
# apt sources a fresh install of RELEASE has (the release, its updates and
# its security suite, at the URIs this machine uses).
fresh_root() {
	local rel=$1 dir=$2 tarball
	tarball=$(bare_tarball "$rel") || return 1
	mkdir -p "$dir" && tar -C "$dir" -xf "$tarball" || return 1
	rm -f "$dir/etc/apt/sources.list"
	{
		printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: %s\n' \
			"$main" "$rel" "$rel" /usr/share/keyrings/debian-archive-keyring.gpg
		[ "$sec" != - ] && printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' \
			"$sec" "$rel" /usr/share/keyrings/debian-archive-keyring.gpg
	} >"$dir/etc/apt/sources.list.d/debian.sources"
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	git clone -q "$XCALL_TOP" "$dir/root/xcall"
}

# in_root DIR CACHE LOG CMD: CMD (a shell line) in /root/xcall of the root,
# in a mount namespace of its own; CACHE (or nothing) is its xcall cache.
in_root() {
	local dir=$1 cache=$2 log=$3
	shift 3
	unshare --mount --propagation private -- bash -c '
		dir=$1 cache=$2
		shift 2
		mount -t proc proc "$dir/proc" && mount --rbind /dev "$dir/dev" &&
			mount -t sysfs sys "$dir/sys" || exit 1
		if [ -n "$cache" ]; then
			mkdir -p "$dir/var/cache/xcall" && mount --bind "$cache" "$dir/var/cache/xcall" || exit 1
		fi
		exec chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb sh -c "cd /root/xcall && $1"
	' fresh "$dir" "$cache" "$@" >>"$log" 2>&1
}

phase() {	# phase NAME DIR CACHE CMD: one result, with its time
	local name=$1 dir=$2 cache=$3 cmd=$4 t rc=0 log
	log=$logs/$name.log
	: >"$log"
	t=$(date +%s)
	in_root "$dir" "$cache" "$log" "$cmd" || rc=$?
	t=$(($(date +%s) - t))
	echo "# $name: $t s (log: $log)"
	if [ "$rc" = 0 ]; then ktap_result OK "$name" "${t}s"; else ktap_result FAIL "$name" "'$cmd' exit $rc after ${t}s (log: $log)"; fi
	return "$rc"
}

for rel in $releases; do
	dir=$(mktemp -d "/var/tmp/xcall-fresh-$rel.XXXXXX")
	cache=
	if [ "$mode" = warm ]; then
		cache=$XCALL_CACHE/fresh/$rel-cache
		mkdir -p "$cache"
	fi
	t=$(date +%s)
	if ! fresh_root "$rel" "$dir" >"$logs/root-$rel.log" 2>&1; then
		ktap_result FAIL "fresh_${rel}_root" "(log: $logs/root-$rel.log)"
		rm -rf "$dir"
		continue
	fi
	ktap_result OK "fresh_${rel}_root" "bare $rel root in $(($(date +%s) - t))s, cache $mode"
	if phase "fresh_${rel}_make_demo" "$dir" "$cache" "make demo"; then
		grep -E '^xcall: (.* phase|time:)' "$logs/fresh_${rel}_make_demo.log" | sed 's/^/#   /'
		# The demo's own output ends with the module's removal.
		if grep -q '^\$ rmmod xcall' "$logs/fresh_${rel}_make_demo.log"; then
			ktap_result OK "fresh_${rel}_demo_ran_to_its_end"
		else
			ktap_result FAIL "fresh_${rel}_demo_ran_to_its_end" "no rmmod step in the demo's output"
		fi
		phase "fresh_${rel}_make_all_lines" "$dir" "$cache" "make"
		phase "fresh_${rel}_kselftest" "$dir" "$cache" \
			"GUEST_TIMEOUT=600 scripts/guest.sh generic run -- 'cd /kselftest && ./run_kselftest.sh -t xcall:cxxrt_test -t xcall:primitives_test -t xcall:load_unload.sh' >/tmp/ksft.out; rc=\$?; cat /tmp/ksft.out; [ \$rc = 0 ] && ! grep -q '^not ok' /tmp/ksft.out && grep -c '^ok ' /tmp/ksft.out | grep -qx 3"
	fi
	# Nothing in the root's /boot, no kernel package installed.
	boot=$(find "$dir/boot" -mindepth 1 2>/dev/null | head -n 3 | tr '\n' ' ')
	kpkgs=$(chroot "$dir" dpkg-query -W -f='${Package} ${Status}\n' 'linux-image-*' 'linux-headers-*' 2>/dev/null |
		awk '$NF == "installed" { printf "%s ", $1 }')
	if [ -z "$boot$kpkgs" ]; then
		ktap_result OK "fresh_${rel}_nothing_in_boot"
	else
		ktap_result FAIL "fresh_${rel}_nothing_in_boot" "/boot: ${boot:-empty}; installed: ${kpkgs:-none}"
	fi
	# The namespace's mounts ended with it: refuse to delete through one.
	if findmnt -rno TARGET | grep -q "^$dir"; then
		ktap_result FAIL "fresh_${rel}_cleanup" "mounts left under $dir"
	else
		rm -rf "$dir"
	fi
done
echo "# fresh-check took $(($(date +%s) - start)) s"
echo "fresh-check: $ktap_passes passed, $ktap_fails failed"
! ktap_failed
