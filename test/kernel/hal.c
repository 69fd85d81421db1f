/*
 * hal.c - in-kernel tests of the HAL's C interface on the real target.
 */
#include <string.h>
#include <aegis/errno.h>
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

KTEST(hal, errno_matches)
{
	/* The HAL's error codes are the kernel's (include/aegis/errno.h). */
	KEXPECT_EQ(t, (long long)HAL_ENODEV, (long long)-AE_ENODEV);
	KEXPECT_EQ(t, (long long)hal_set_psci_conduit(false),
#if defined(__x86_64__)
		   (long long)-AE_ENODEV);
#else
		   0LL);
#endif
}
