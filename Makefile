# SPDX-License-Identifier: GPL-2.0
# xcall: the user's entry point. Kbuild does the module build proper (see
# Kbuild); this file only dispatches to scripts/.
#
#   make help       the targets, one line each. Their one source is the table
#                   in README.md ("Make targets", between <!-- make-targets -->
#                   and <!-- /make-targets -->); tests/docs-check.sh (in make
#                   check) fails if a target here is missing from it or the
#                   reverse, so a new target gets its row there.
#
# Variables: FLAVOUR (generic), KERNEL (6.1, or 6.12), FLAVOURS ("generic rt
# generic-6.12 rt-6.12": what `make` builds),
# CHECK_FLAVOURS ("generic rt debug kcsan": what `make check` tests), CPUS (4), MEM (1G).

FLAVOUR ?= generic
FLAVOURS ?= generic rt generic-6.12 rt-6.12
# KERNEL=6.12 picks the Linux 6.12 line for the one-kernel targets (demo,
# shell, trace-cost, ...): FLAVOUR generic becomes generic-6.12.
KERNEL ?= 6.1
ifeq ($(KERNEL),6.12)
override FLAVOUR := $(FLAVOUR:%-6.12=%)-6.12
else ifneq ($(KERNEL),6.1)
$(error KERNEL=$(KERNEL): xcall supports the kernel lines 6.1 and 6.12)
endif
CPUS ?= 4
MEM ?= 1G
BENCH_CPUS ?= 2 4 8 16
export FLAVOUR FLAVOURS CPUS MEM

.PHONY: all modules deps check check-debug clean-cache demo fresh-check shell bench soak host-test mutants mutants-kernel litmus harness-test \
	kselftest clean \
	install uninstall dkms-check scale help

all: modules

deps:
	@scripts/deps.sh

ifdef KDIR
modules:
	@scripts/build-module.sh custom $(KDIR)
else
modules: deps
	@for fl in $(FLAVOURS); do scripts/build-module.sh $$fl || exit 1; done
endif

check:
	@scripts/check.sh

check-debug:
	@CHECK_FLAVOURS="debug kcsan debug-6.12 kcsan-6.12" CHECKING_TESTS= scripts/check.sh

demo:
	@scripts/demo.sh

# The two commands in bare Debian 12 and 13 roots (scripts/fresh-check.sh).
fresh-check:
	@scripts/fresh-check.sh

shell: deps
	@scripts/guest.sh $(FLAVOUR) shell

bench:
	@BENCH_CPUS="$(BENCH_CPUS)" scripts/bench.sh

soak:
	@scripts/soak.sh

scale: deps
	@scripts/scale.sh

host-test:
	@scripts/host-test.sh

mutants:
	@scripts/mutants.sh

mutants-kernel: deps
	@scripts/mutants-kernel.sh

litmus: deps
	@scripts/litmus.sh

harness-test: deps
	@tests/harness.sh

kselftest:
	@scripts/build-kselftest.sh

# The '+': build-module.sh runs the kernel's make itself, which must not see
# this make's -j job server (it warns, and a warning fails the build).
install:
	+@scripts/install.sh install $(KDIR)

uninstall:
	@scripts/install.sh uninstall

dkms-check:
	@scripts/dkms-check.sh

clean:
	rm -rf build

# The machine's cache of built checking kernels and unpacked Debian images
# (scripts/lib.sh: XCALL_CACHE), shared by every clone.
clean-cache:
	@bash -c '. scripts/lib.sh && echo "removing $$XCALL_CACHE" && rm -rf "$$XCALL_CACHE"'

# `make torture`: scftorture, then xcall's in-kernel torture, same guest, same
# length (TORTURE_SECONDS, default 600; 180 on debug), alternating in
# TORTURE_SLICES slices, on TORTURE_FLAVOURS ("generic rt generic-6.12 rt-6.12 debug").
.PHONY: trace-cost
trace-cost: deps
	@scripts/trace-cost.sh $(FLAVOUR)

.PHONY: torture torture-broken
torture:
	@scripts/torture.sh

# A torture run per deliberately broken build: each must report a violation.
torture-broken: deps
	@tests/torture-broken.sh $(FLAVOUR)

# `make help`: README.md's make targets table, as text.
help:
	@echo 'make TARGET [VARIABLE=value ...]; the table is in README.md, "Make targets":'
	@sed -n '/^<!-- make-targets -->/,/^<!-- \/make-targets -->/p' README.md | \
		grep '^| *`' | sed -e 's/\[\([^]]*\)\]([^)]*)/\1/g' -e 's/`//g' | \
		awk -F' [|] ' '{ t = $$1; sub(/^[|] */, "", t); d = $$2; sub(/ *[|] *$$/, "", d); printf "  %-32s %s\n", t, d }'
