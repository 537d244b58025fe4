// Harness probe: must NOT build. Only the C bridge (bridge/) may see kernel headers;
// C++ is compiled with -nostdinc and no kernel include path.
#include <linux/smp.h>
