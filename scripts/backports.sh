#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# On a Debian 12 host, lists Debian's bookworm-backports suite in the
# host's apt, from the same archive the machine already uses, for one host
# tool: QEMU 10.0 (scripts/deps.sh says why). Kernel packages never come
# through the host's apt (scripts/debian.sh has xcall's own apt views). The archive's URI and keyring are read from the machine's own
# entry for bookworm (deb822 .sources or a one-line sources.list); no host
# name is written here. A pin at priority 1 keeps apt from upgrading
# anything from the suite: only what deps.sh installs with -t
# bookworm-backports comes from it. Idempotent. Root (or sudo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
list=/etc/apt/sources.list.d/xcall-bookworm-backports.sources
pin=/etc/apt/preferences.d/xcall-bookworm-backports

# "URI KEYRING" of the first entry that lists the suite bookworm.
bookworm_entry() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function flush() { if (deb && main && uri != "") { print uri, (key == "" ? "-" : key); found = 1; exit } }
			/^[ \t]*$/ { flush(); deb = main = 0; uri = key = ""; next }
			/^Types:/ { deb = ($0 ~ /[ \t]deb([ \t]|$)/) }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") main = 1 }
			/^Signed-By:/ { key = $2 }
			END { if (!found) flush() }' "$f" | head -n1
	done | head -n1
	# One-line format: deb [options] URI bookworm components...
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { i = 2; key = "-"
			if ($2 ~ /^\[/) { for (; i <= NF; i++) { if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\].*/, "", key) } if ($i ~ /\]$/) { i++; break } } }
			if ($(i + 1) == "bookworm") { print $i, key; exit } }'
}

read -r uri key < <(bookworm_entry | head -n1) || true
[ -n "${uri:-}" ] || die "no apt entry for Debian bookworm found: cannot derive the bookworm-backports URI"
want="Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main"
[ "$key" != - ] && want+="
Signed-By: $key"
want+="
# Written by xcall's scripts/backports.sh: QEMU 10.0. Remove with
# this file and $pin."
want_pin="# Written by xcall's scripts/backports.sh: nothing upgrades from bookworm-backports
# on its own; xcall installs QEMU from it with -t bookworm-backports.
Package: *
Pin: release n=bookworm-backports
Pin-Priority: 1"

changed=0
if [ "$(cat "$list" 2>/dev/null)" != "$want" ]; then
	note "listing bookworm-backports from $uri in $list"
	printf '%s\n' "$want" | $sudo tee "$list" >/dev/null
	changed=1
fi
if [ "$(cat "$pin" 2>/dev/null)" != "$want_pin" ]; then
	printf '%s\n' "$want_pin" | $sudo tee "$pin" >/dev/null
	changed=1
fi
if [ "$changed" = 1 ] || [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*bookworm-backports*Packages*' 2>/dev/null | head -n1)" ]; then
	note "apt-get update (bookworm-backports)"
	$sudo apt-get update -qq >/dev/null
fi
