# SPDX-License-Identifier: GPL-2.0
# xcall: the user's entry point. Kbuild does the module build proper (see
# Kbuild); this file only dispatches to scripts/.
#
#   make            build xcall.ko for Debian's generic and PREEMPT_RT kernels,
#                   Linux 6.1 and 6.12: build/6.1/generic ... build/6.12/rt
#   make demo       boot the test VM, load xcall, show its debugfs interface
#   make check      host unit tests + harness tests + guest kselftests (generic, rt,
#                   debug and kcsan kernels) + proof that the checkers fire
#   make shell      interactive guest shell with xcall loaded (FLAVOUR=generic|rt)
#   make bench      xcall's call types against the raw C API, in-kernel, both kernels
#   make soak       random queue commands with CPU hotplug for SOAK_SECONDS (300)
#   make scale      16 and 64 vCPUs, and 2048 possible CPUs (generic and rt kernels)
#   make mutants    weaken each ordering operation in turn: a host test must fail
#   make litmus     the in-kernel litmus runner: every docs/litmus case, LITMUS_N
#                   (10 M) iterations, on the generic and rt guests (scripts/litmus.sh)
#   make mutants-kernel  the remote queue's mutants in the kcsan kernel (KCSAN
#                   weak-memory model, queue_test and the torture smoke)
#   make KDIR=/lib/modules/$(uname -r)/build   build for another kernel tree
#
#   make check-debug  only the debug and kcsan kernels: their whole suites and proofs
#   make install      build for the running kernel (or KDIR=) and install into
#                     its updates/ with depmod; make uninstall removes it
#   make dkms-check   the DKMS cycle (add, build, install, check, remove) against
#                     every installed Debian 6.1 header flavour
#   make trace-cost   the trace events' cost: bench ratios with no trace calls,
#                     events off, events on (FLAVOUR, TRACE_ROUNDS)
#   make clean-cache  empty the machine's cache of built kernels
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

.PHONY: all modules deps check check-debug clean-cache demo shell bench soak host-test mutants mutants-kernel litmus harness-test \
	kselftest clean \
	install uninstall dkms-check scale

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
	@CHECK_FLAVOURS="debug kcsan" CHECKING_TESTS= scripts/check.sh

demo:
	@scripts/demo.sh

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
# TORTURE_SLICES slices, on TORTURE_FLAVOURS ("generic rt debug").
.PHONY: trace-cost
trace-cost: deps
	@scripts/trace-cost.sh $(FLAVOUR)

.PHONY: torture torture-broken
torture:
	@scripts/torture.sh

# A torture run per deliberately broken build: each must report a violation.
torture-broken: deps
	@tests/torture-broken.sh $(FLAVOUR)
