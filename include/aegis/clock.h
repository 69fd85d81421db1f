/*
 * aegis/clock.h - the cycle counter in nanoseconds and back, at the rate
 * the HAL calibrated (hal_cycles_per_sec): one conversion for the system
 * calls, the scheduler, the processes' timeouts and the profiler. Kernel
 * only (it needs the HAL).
 */
#ifndef AEGIS_CLOCK_H
#define AEGIS_CLOCK_H

#include <aegis/hal.h>

/* ns_of_cycles - cycles of the counter in ns (no overflow for a century
 * of cycles at any rate up to 18 GHz). */
static inline uint64_t ns_of_cycles(uint64_t c)
{
	uint64_t hz = hal_cycles_per_sec();

	return hz ? c / hz * 1000000000ull + c % hz * 1000000000ull / hz : 0;
}

/* cycles_of_ns - ns in cycles of the counter. */
static inline uint64_t cycles_of_ns(uint64_t ns)
{
	uint64_t hz = hal_cycles_per_sec();

	return ns / 1000000000ull * hz + ns % 1000000000ull * hz / 1000000000ull;
}

/* clock_ns - now, in ns since the counter started. */
static inline uint64_t clock_ns(void)
{
	return ns_of_cycles(hal_cycles());
}

#endif
