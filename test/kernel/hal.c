/*
 * hal.c - in-kernel tests of the HAL's C interface on the real target.
 */
#include <string.h>
#include <aegis/hal.h>
#include <aegis/ktest.h>

KTEST(hal, cycles_advance)
{
	uint64_t a = hal_cycles(), b;

	for (volatile int i = 0; i < 100000; i++)
		;
	b = hal_cycles();
	KEXPECT(t, b > a);
}

KTEST(hal, arch_name_matches_build)
{
#if defined(__x86_64__)
	KEXPECT(t, strcmp(hal_arch_name(), "x86_64") == 0);
#elif defined(__aarch64__)
	KEXPECT(t, strcmp(hal_arch_name(), "aarch64") == 0);
#endif
}
