/*
 * selftest.c - tests of the test runner itself.
 */
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
