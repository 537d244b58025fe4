// SPDX-License-Identifier: GPL-2.0
/*
 * Prints this host's TSC frequency in kHz, measured against
 * CLOCK_MONOTONIC_RAW over 200 ms.
 *
 * Under TCG a guest's RDTSC returns the host's TSC (plus an offset), so this
 * is the guest's TSC frequency too. The checking kernels have no HPET and no
 * ACPI PM timer, so their only calibration reference is the PIT, and under
 * TCG on a busy host that calibration can fail ("Unable to calibrate against
 * PIT"): the kernel then marks the TSC unstable and keeps time in jiffies
 * (4 ms). qemu/run.sh's callers pass this figure as tsc_early_khz= instead.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

int main(void)
{
	struct timespec start, end, nap = {0, 200 * 1000 * 1000};
	unsigned long long tsc_start, tsc_end;
	double ns;

	clock_gettime(CLOCK_MONOTONIC_RAW, &start);
	tsc_start = __rdtsc();
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC_RAW, &end);
	tsc_end = __rdtsc();
	ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
	if (ns <= 0 || tsc_end <= tsc_start)
		return 1;
	printf("%.0f\n", (tsc_end - tsc_start) * 1e6 / ns);
	return 0;
}
