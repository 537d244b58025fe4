# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers for xcall's scripts. Source it; do not run it.

XCALL_TOP=${XCALL_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
XCALL_BUILD=${XCALL_BUILD:-$XCALL_TOP/build}

die() { echo "xcall: $*" >&2; exit 1; }
note() { echo "xcall: $*" >&2; }

# The Debian kernel ABI (e.g. 6.1.0-56) that linux-headers-amd64 currently
# points at. Never hard-coded: it moves with Debian's updates. Falls back to
# the newest headers already installed when apt's lists are not there.
xcall_abi() {
	local abi
	abi=$(apt-cache depends linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)-amd64$/\1/p' | head -n1)
	if [ -z "$abi" ]; then
		abi=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | grep -v -- '-rt-amd64$' |
			sed 's#.*/linux-headers-\(.*\)-amd64#\1#' | sort -V | tail -n1)
	fi
	[ -n "$abi" ] || die "cannot resolve the Debian kernel ABI (run 'make deps')"
	echo "$abi"
}

# Debian's name suffix of a flavour: generic -> amd64, rt -> rt-amd64.
flavour_suffix() {
	case "$1" in
	generic) echo amd64 ;;
	rt) echo rt-amd64 ;;
	*) die "unknown kernel flavour '$1' (generic or rt)" ;;
	esac
}

flavour_kdir() { echo "/usr/src/linux-headers-$(xcall_abi)-$(flavour_suffix "$1")"; }

# The guest kernel image of a flavour, unpacked from Debian's unsigned image
# package without installing it. Prints the vmlinuz path.
flavour_vmlinuz() {
	local fl=$1 abi suffix dir pkg
	abi=$(xcall_abi)
	suffix=$(flavour_suffix "$fl")
	dir=$XCALL_BUILD/kernels/$abi-$suffix
	if [ ! -f "$dir/vmlinuz" ]; then
		pkg=linux-image-$abi-$suffix-unsigned
		mkdir -p "$dir/deb"
		note "fetching $pkg"
		(cd "$dir/deb" && apt-get download "$pkg" >/dev/null) || die "apt-get download $pkg failed"
		dpkg-deb --fsys-tarfile "$dir"/deb/"$pkg"_*.deb |
			tar -x -C "$dir/deb" --wildcards './boot/vmlinuz-*' || die "cannot unpack $pkg"
		mv "$dir"/deb/boot/vmlinuz-* "$dir/vmlinuz"
		rm -rf "$dir/deb"
	fi
	echo "$dir/vmlinuz"
}
