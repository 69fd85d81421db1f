/*
 * selftest.c - tests of the test runner itself.
 */
#include <aegis/hal.h>
#include <aegis/ktest.h>

/* Runs only when named (ktest=ktest.must_fail): the integration runner
 * boots it and expects the "fail" exit status, which proves a failing
 * test cannot pass unnoticed. */
KTEST_EXPLICIT(ktest, must_fail)
{
	int two = 2;

	KEXPECT_EQ(t, 1 + 1, two + 1);
}

KTEST(ktest, expect_passes)
{
	KEXPECT(t, 1 + 1 == 2);
}

/*
 * Runs only when named (ktest=ktest.trap): touches an unmapped address, so
 * the boot exception handler must report the fault and end the run with
 * the panic status instead of a silent reset (x86_64 triple fault) or hang.
 */
KTEST_EXPLICIT(ktest, trap)
{
	volatile uint64_t *bad = (volatile uint64_t *)(uintptr_t)
		0x0000700000000000ull;	/* mapped on neither arch */

	(void)*bad;
	ktest_fail(t, __FILE__, __LINE__, "read of an unmapped address "
		   "returned");
}

/*
 * Runs only when named (ktest=ktest.hal_panic): a Rust panic must come out
 * as "hal: panic: panicked at src/<file>:<line>:<col>:" and end the run
 * with the panic status.
 */
KTEST_EXPLICIT(ktest, hal_panic)
{
	hal_test_panic(42);
}
