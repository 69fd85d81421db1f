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
	/* The HAL's codes come from the same errno.h (hal/build.rs): every
	 * name must agree, and the HAL's errors are the kernel's. */
	static const int codes[] = {
		AE_EPERM, AE_ENOENT, AE_EIO, AE_E2BIG, AE_ENOEXEC, AE_EAGAIN,
		AE_ENOMEM, AE_EFAULT, AE_EBUSY, AE_EEXIST, AE_ENODEV,
		AE_EINVAL, AE_ENOSPC, AE_ERANGE, AE_EDEADLK, AE_ENAMETOOLONG,
		AE_ENOSYS, AE_EBADMSG, AE_EOVERFLOW, AE_ESHUTDOWN,
		AE_ETIMEDOUT, AE_ENOTRECOVERABLE,
	};

	for (unsigned int i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		KEXPECT_STREQ(t, hal_errno_name(-codes[i]),
			      errno_name(-codes[i]));
	KEXPECT_STREQ(t, hal_errno_name(-4242), "E?");
#if defined(__x86_64__)
	KEXPECT_EQ(t, (long long)hal_set_psci_conduit(false),
		   (long long)-AE_ENODEV);
#else
	KEXPECT_EQ(t, (long long)hal_set_psci_conduit(false), 0LL);
#endif
}
