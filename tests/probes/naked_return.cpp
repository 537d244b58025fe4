// Harness probe: must NOT build. A bare `ret` in a RETHUNK kernel is what
// objtool warns about; build-module.sh turns any objtool warning into a failure.
extern "C" void xcall_probe_naked_return() { asm volatile("ret"); }
