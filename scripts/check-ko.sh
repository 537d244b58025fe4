#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks a built xcall.ko against the rules the module loader will not
# enforce for us; prints one KTAP-style line per rule and fails if any fails.
#   check-ko.sh XCALL.KO KDIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ko=$1
kdir=$2
failed=0
n=0

result() {	# result OK|FAIL NAME [DETAIL]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2${3:+ # $3}"
		failed=$((failed + 1))
	fi
}

# 1. Static storage: CONFIG_CONSTRUCTORS is off in Debian's kernel, so the
#    loader never runs .init_array/.ctors; and nothing runs .fini_array/.dtors.
#    A dynamic initialiser anywhere in the module shows up as one of these.
ctor_sections=$(readelf -SW "$ko" | grep -oE '\.(init_array|fini_array|ctors|dtors)[.0-9A-Za-z_]*' | sort -u | tr '\n' ' ')
if [ -z "$ctor_sections" ]; then
	result OK no_constructor_sections
else
	result FAIL no_constructor_sections "found $ctor_sections"
fi

# 2. Guard variables (_ZGV*) mean a function-local static with a dynamic
#    initialiser: a constructor run on first use, unsynchronised here.
guards=$(nm "$ko" | awk '$NF ~ /^_ZGV/ {print $NF}' | tr '\n' ' ')
if [ -z "$guards" ]; then
	result OK no_static_guard_variables
else
	result FAIL no_static_guard_variables "found $guards"
fi

# 3. Every undefined symbol is one the kernel exports (Module.symvers of the
#    tree the module was built against): no C++ runtime symbol is missing.
undefined=$(nm -u "$ko" | awk '{print $2}' | sort -u)
exports=$(awk '{print $2}' "$kdir/Module.symvers" | sort -u)
missing=$(comm -23 <(echo "$undefined") <(echo "$exports") | tr '\n' ' ')
if [ -z "$undefined" ]; then
	result FAIL undefined_symbols_are_kernel_exports "nm found no undefined symbol at all"
elif [ -z "$missing" ]; then
	result OK undefined_symbols_are_kernel_exports
else
	result FAIL undefined_symbols_are_kernel_exports "not exported: $missing"
fi

# 4. Only the C bridge sees kernel headers: no C++ source or header of
#    xcall includes <linux/...>, <asm/...> or <uapi/...>.
leaks=$(cd "$XCALL_TOP" && grep -lE '^\s*#\s*include\s*[<"](linux|asm|asm-generic|uapi)/' \
	$(find cxxrt module -name '*.cpp' -o -name '*.h' | grep -vE '^module/bridge(_types)?\.h$') 2>/dev/null | tr '\n' ' ')
if [ -z "$leaks" ]; then
	result OK cxx_sees_no_kernel_header
else
	result FAIL cxx_sees_no_kernel_header "in $leaks"
fi

[ "$failed" -eq 0 ]
