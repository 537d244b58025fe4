#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks a built xcall.ko against the rules the module loader will not
# enforce for us; prints one KTAP-style line per rule and fails if any fails.
#   check-ko.sh XCALL.KO KDIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ko=$1
kdir=$2
result() { ktap_result "$@"; }

config_has() { grep -q "^$1=y" "$kdir/include/config/auto.conf" 2>/dev/null; }

# 1. Static storage: Debian's kernels have CONFIG_CONSTRUCTORS off, so the
#    loader never runs .init_array/.ctors; and nothing runs .fini_array/.dtors.
#    A dynamic initialiser anywhere in the module shows up as one of these.
#    The one exception: under KASAN/KCSAN the compiler adds its own
#    constructor and destructor per object (_sub_I_*/_sub_D_*) that only
#    (un)register globals with the sanitizer, on kernels that do run
#    constructors (KASAN selects CONSTRUCTORS), or only call the no-op
#    __tsan_init() (KCSAN). Those alone are allowed.
ctor_sections=$(readelf -SW "$ko" | grep -oE '\.(init_array|fini_array|ctors|dtors)[.0-9A-Za-z_]*' | sort -u | tr '\n' ' ')
# What the constructor code references: only sanitizer calls and their data.
ctor_refs=$(readelf -rW "$ko" | awk '/^Relocation section .\.rela\.text\.(startup|exit)/ {on=1; next}
	/^Relocation section/ {on=0} on && $5 != "" && $5 != "Value" {print $5}' | sort -u)
foreign=$(echo "$ctor_refs" | grep -vE '^__(asan|tsan)_(un)?register_globals$|^__tsan_init$|^\.data' | grep . | tr '\n' ' ')
cxx_inits=$(nm "$ko" | awk '$3 ~ /^_GLOBAL__sub_[ID]_/ {print $3}' | tr '\n' ' ')
if [ -z "$ctor_sections" ]; then
	result OK no_constructor_sections
elif [ -z "$foreign" ] && [ -z "$cxx_inits" ] && config_has CONFIG_CONSTRUCTORS &&
	{ config_has CONFIG_KASAN || config_has CONFIG_KCSAN; }; then
	result OK no_constructor_sections	# sanitizer registration only
elif [ -z "$cxx_inits" ] && config_has CONFIG_KCSAN && [ "$(echo "$ctor_refs" | grep . | sort -u)" = __tsan_init ]; then
	# KCSAN: the compiler's constructor only calls __tsan_init(), a no-op
	# in the kernel; with CONSTRUCTORS off it is skipped, losing nothing.
	result OK no_constructor_sections
else
	result FAIL no_constructor_sections "found $ctor_sections${cxx_inits:+(initialisers: $cxx_inits)}${foreign:+(references: $foreign)}"
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

# 4. Only the C bridge (bridge/) sees kernel headers: no C++ source or
#    header of xcall includes <linux/...>, <asm/...> or <uapi/...>.
leaks=$(cd "$XCALL_TOP" && grep -lE '^\s*#\s*include\s*[<"](linux|asm|asm-generic|uapi)/' \
	$(find cxxrt module -name '*.cpp' -o -name '*.h') 2>/dev/null | tr '\n' ' ')
if [ -z "$leaks" ]; then
	result OK cxx_sees_no_kernel_header
else
	result FAIL cxx_sees_no_kernel_header "in $leaks"
fi

# 5. On a kernel with a sanitizer, the C++ is instrumented like the C:
#    Kbuild adds the sanitizer flags per object, which a custom rule must
#    do itself (Kbuild does it for xcall's C++; this checks it happened).
cxx_obj=$(dirname "$ko")/module/xcall_cxx.o
c_obj=$(dirname "$ko")/bridge/calls.o
for sanitizer in KASAN:__asan_ KCSAN:__tsan_; do
	option=CONFIG_${sanitizer%%:*} prefix=${sanitizer#*:}
	config_has "$option" || continue
	cxx_refs=$(nm -u "$cxx_obj" | grep -c " ${prefix}")
	c_refs=$(nm -u "$c_obj" | grep -c " ${prefix}")
	if [ "$cxx_refs" -gt 0 ] && [ "$c_refs" -gt 0 ]; then
		result OK "cxx_instrumented_for_${option#CONFIG_}"
	else
		result FAIL "cxx_instrumented_for_${option#CONFIG_}" "${prefix}* references: C++ $cxx_refs, C $c_refs"
	fi
done

! ktap_failed
