// Harness probe: builds, but scripts/check-ko.sh must refuse the module.
// A namespace-scope object with a dynamic initialiser lands in .init_array,
// which Debian's kernel (CONFIG_CONSTRUCTORS=n) never runs.
#include "bridge/bridge.h"

namespace {
struct CpuCount {
	unsigned int cpus;
	CpuCount() : cpus(xk_nr_cpu_ids()) {}
};
CpuCount dynamic_object;
}  // namespace

extern "C" unsigned int xcall_probe_cpus() { return dynamic_object.cpus; }
