# SPDX-License-Identifier: GPL-2.0
# Debian's archive as xcall uses it. Sourced by lib.sh; do not run it.
#
#  - the kernel lines and where each comes from (XCALL_LINE_TABLE, the one
#    list: a new line is one row);
#  - the host's release, detected (bookworm or trixie), and one sentence
#    for any other host;
#  - a private apt view per suite: its own sources list, lists and
#    downloads under $XCALL_CACHE/apt, derived from the machine's own
#    archive entry. The host's apt sources are never changed for a kernel;
#    kernel packages are only downloaded and unpacked, never installed;
#  - the build root of a release (debootstrap minbase, cached): a line
#    builds with the toolchain of the release Debian built it with, on the
#    host where the host is that release, else chrooted into that root.

# LINE  VIEW (the apt view its packages come from)  RELEASE (its toolchain)
# The first row is the default line; the others' flavours carry -LINE
# (generic-6.12).
XCALL_LINE_TABLE="
6.1   bookworm            bookworm
6.12  bookworm-backports  bookworm
"
XCALL_LINES=$(echo "$XCALL_LINE_TABLE" | awk 'NF == 3 { printf "%s%s", sep, $1; sep = " " }')
XCALL_DEFAULT_LINE=${XCALL_LINES%% *}

line_field() {	# line_field LINE COLUMN(2: view, 3: release)
	local v
	v=$(echo "$XCALL_LINE_TABLE" | awk -v l="$1" -v c="$2" 'NF == 3 && $1 == l { print $c }')
	[ -n "$v" ] || die "no kernel line '$1' (xcall's lines: $XCALL_LINES)"
	echo "$v"
}
line_view() { line_field "$1" 2; }
line_release() { line_field "$1" 3; }

# The compilers a release builds its kernels with (kbuild's CC is this gcc).
release_gcc() {
	case "$1" in
	bookworm) echo gcc-12 ;;
	trixie) echo gcc-14 ;;
	*) die "no toolchain known for Debian release '$1'" ;;
	esac
}

# The host's Debian release: bookworm (12) or trixie (13). Anything else
# gets one sentence naming what is missing.
host_release() {
	local id= codename=
	if [ -r /etc/os-release ]; then
		id=$(. /etc/os-release && echo "${ID:-}")
		codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	fi
	case "$id:$codename" in
	debian:bookworm | debian:trixie) echo "$codename" ;;
	*) die "xcall's scripts run on Debian 12 (bookworm) or Debian 13 (trixie) with apt; this host is ${id:-unknown}${codename:+ $codename}: it lacks Debian's apt archive, its QEMU >= 10.0 and its debootstrap" ;;
	esac
}

# "MAIN-URI SECURITY-URI KEYRING" read from the machine's own Debian apt
# entries (deb822 .sources, or one-line .list): the URI of the entry for a
# plain, -updates or -backports suite, the URI of a -security entry (or -),
# and the entry's Signed-By (or Debian's keyring). No host name is written
# anywhere in the tree.
archive_entries() {
	{
		local f
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk '
				function flush() { if (deb && uri != "") for (s in suite) print uri, s, (key == "" ? "-" : key); deb = 0; uri = key = ""; delete suite }
				/^[ \t]*$/ { flush(); next }
				/^Types:/ { deb = ($0 ~ /[ \t]deb([ \t]|$)/) }
				/^URIs:/ { uri = $2 }
				/^Suites:/ { for (i = 2; i <= NF; i++) suite[$i] = 1 }
				/^Signed-By:/ { key = $2 }
				END { flush() }' "$f"
		done
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" { i = 2; key = "-"
				if ($2 ~ /^\[/) { for (; i <= NF; i++) { if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\].*/, "", key) } if ($i ~ /\]$/) { i++; break } } }
				print $i, $(i + 1), key }'
	} | awk '
		$2 ~ /^(bookworm|trixie|forky|sid)(-updates|-backports)?$/ && main == "" { main = $1; key = $3 }
		$2 ~ /^(bookworm|trixie|forky)-security$/ && sec == "" { sec = $1 }
		END { if (main != "") print main, (sec == "" ? "-" : sec), key }'
}

# The suites of a view: a release with its updates and security suites,
# or a backports suite, or testing, alone.
view_suites() {
	case "$1" in
	bookworm | trixie) echo "$1 $1-updates $1-security" ;;
	bookworm-backports | trixie-backports | forky) echo "$1" ;;
	*) die "no apt view '$1'" ;;
	esac
}

view_dir() { echo "$XCALL_CACHE/apt/$1"; }

# The options that make apt-get and apt-cache use only VIEW's own files.
view_opts() {
	local d
	d=$(view_dir "$1")
	printf '%s\n' -o "Dir::State=$d/state" -o "Dir::State::status=$d/status" \
		-o "Dir::Cache=$d/cache" -o "Dir::Etc::SourceList=$d/sources.list" \
		-o "Dir::Etc::SourceParts=$d/none" -o "Dir::Etc::Preferences=$d/none" \
		-o "Dir::Etc::PreferencesParts=$d/none" -o APT::Architecture=amd64 \
		-o APT::Sandbox::User=root -o Acquire::Languages=none
}

# view_refresh VIEW: writes the view's sources list and fetches its lists
# when they are missing, older than a day, or the list changed.
view_refresh() {
	local view=$1 d main sec key want s uri fresh
	d=$(view_dir "$view")
	mkdir -p "$d/state/lists/partial" "$d/cache/archives/partial" "$d/none"
	exec 7>"$d/.lock"
	flock 7
	read -r main sec key < <(archive_entries) ||
		die "no Debian entry in /etc/apt/sources.list{,.d}: cannot derive the archive's URI"
	[ "$key" = - ] && key=/usr/share/keyrings/debian-archive-keyring.gpg
	want=
	for s in $(view_suites "$view"); do
		uri=$main
		case "$s" in *-security) uri=$sec; [ "$uri" = - ] && continue ;; esac
		want+="deb [signed-by=$key] $uri $s main"$'\n'
	done
	fresh=$(find "$d/state/lists" -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -n1)
	if [ "$(cat "$d/sources.list" 2>/dev/null)" != "${want%$'\n'}" ] || [ -z "$fresh" ]; then
		printf '%s' "$want" >"$d/sources.list"
		: >"$d/status"
		note "apt lists of $view (private to xcall: $d)"
		local -a opts
		mapfile -t opts < <(view_opts "$view")
		apt-get "${opts[@]}" -qq update >"$d/update.log" 2>&1 ||
			{ cat "$d/update.log" >&2; die "apt-get update of the $view view failed"; }
	fi
	exec 7>&-
}

# xapt VIEW apt-get|apt-cache ARGS...: apt over VIEW alone.
xapt() {
	local view=$1 tool=$2
	shift 2
	view_refresh "$view"
	local -a opts
	mapfile -t opts < <(view_opts "$view")
	"$tool" "${opts[@]}" "$@"
}

# fetch_debs VIEW DIR PACKAGE...: downloads the packages' .debs from VIEW
# into DIR (apt-get download: nothing is installed).
fetch_debs() {
	local view=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	(cd "$dir" && xapt "$view" apt-get -qq download "$@") >"$dir/download.log" 2>&1 ||
		{ cat "$dir/download.log" >&2; die "apt-get download $* (from $view) failed"; }
}

# --- build roots --------------------------------------------------------------

# What a build root holds besides minbase: the kernel's build tools for
# its release (module, kbuild's host programs, checking kernels, kselftests).
release_root_packages() {
	local gcc
	gcc=$(release_gcc "$1")
	echo "make $gcc g++-${gcc#gcc-} libc6-dev binutils libelf1 libelf-dev libssl-dev kmod bc flex bison perl python3 xz-utils cpio rsync file"
}

# build_root RELEASE: the path of RELEASE's build root, made on first use
# (debootstrap --variant=minbase from the machine's archive URI, a few
# minutes) and kept in the cache.
build_root() {
	local rel=$1 root main sec key
	root=$XCALL_CACHE/roots/$rel-build
	mkdir -p "$XCALL_CACHE/roots"
	exec 6>"$root.lock"
	flock 6
	if [ ! -f "$root/.xcall-ready" ]; then
		command -v debootstrap >/dev/null ||
			die "building for Debian $rel on a $(host_release) host needs debootstrap (run 'make deps')"
		read -r main sec key < <(archive_entries) || die "no Debian entry in /etc/apt: no archive URI"
		[ "$key" = - ] && key=/usr/share/keyrings/debian-archive-keyring.gpg
		rm -rf "$root"
		note "making the $rel build root (debootstrap minbase, once): $root"
		debootstrap --variant=minbase --keyring="$key" \
			--include="$(release_root_packages "$rel" | tr ' ' ,)" \
			"$rel" "$root" "$main" >"$root.log" 2>&1 ||
			{ tail -n 20 "$root.log" >&2; die "debootstrap of $rel failed (log: $root.log)"; }
		touch "$root/.xcall-ready"
	fi
	exec 6>&-
	echo "$root"
}

# in_release RELEASE CMD...: runs CMD with RELEASE's toolchain: here if the
# host is RELEASE, else chrooted into its build root (a private mount
# namespace in which the tree, the build and the cache appear at the paths
# they have here, so every path means the same inside and out).
# XCALL_BUILD_ROOTS=always uses the root even where the host is the
# release (to test the root on any host).
in_release() {
	local rel=$1 root p
	shift
	if [ "$rel" = "$(host_release)" ] && [ "${XCALL_BUILD_ROOTS:-}" != always ]; then
		"$@"
		return
	fi
	root=$(build_root "$rel")
	local binds=("$XCALL_TOP" "$XCALL_BUILD" "$XCALL_CACHE")
	for p in "${binds[@]}"; do mkdir -p "$p" "$root$p"; done
	# Propagation is made private inside: in a chroot (a fresh-check root)
	# "/" is no mount point and unshare cannot change it, but there the
	# enclosing namespace is private already.
	unshare --mount --propagation unchanged -- bash -c '
		root=$1 n=$2
		shift 2
		if ! mount --make-rprivate / 2>/dev/null && mountpoint -q /; then exit 1; fi
		for ((i = 0; i < n; i++)); do mount --bind "$1" "$root$1" || exit 1; shift; done
		mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" || exit 1
		exec chroot "$root" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c "cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"" "$PWD" "$@"
' in_release "$root" "${#binds[@]}" "${binds[@]}" "$@"
}
