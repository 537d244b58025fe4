// Harness probe: builds, but scripts/check-ko.sh must refuse the module.
// A function-local static with a dynamic initialiser needs a guard variable
// (_ZGV...) and runs a constructor on first use, unsynchronised here.
#include "bridge/bridge.h"

struct CpuCount {
	unsigned int cpus;
	CpuCount() : cpus(xk_nr_cpu_ids()) {}
};

extern "C" unsigned int xcall_probe_cpus()
{
	static CpuCount cached;
	return cached.cpus;
}
