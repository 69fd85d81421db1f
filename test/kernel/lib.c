/*
 * lib.c - in-kernel tests of the kernel library, run on the real target
 * (the host unit tests cover the same code in depth; these prove the
 * freestanding build behaves the same on each arch).
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>

KTEST(lib, format_integers)
{
	char b[64];

	ksnprintf(b, sizeof(b), "%d %u %x %#llx %5d|%-5d|%05d", -42, 42u,
		  0xbeefu, 0x123456789abcdefull, 7, 7, -7);
	KEXPECT_STREQ(t, b, "-42 42 beef 0x123456789abcdef     7|7    |-0007");
}

KTEST(lib, format_truncates_and_counts)
{
	char b[8];
	int n = ksnprintf(b, sizeof(b), "%s", "0123456789");

	KEXPECT_EQ(t, n, 10);
	KEXPECT_STREQ(t, b, "0123456");
}

KTEST(lib, string_functions)
{
	char b[16];

	memset(b, 'x', sizeof(b));
	memcpy(b, "hello", 6);
	KEXPECT_EQ(t, strlen(b), 5);
	KEXPECT(t, strcmp(b, "hello") == 0);
	memmove(b + 1, b, 6);
	KEXPECT_STREQ(t, b + 1, "hello");
	KEXPECT(t, strrchr("a.b.c", '.') != NULL);
	KEXPECT_EQ(t, strtoul("0x1f", NULL, 0), 31);
}

KTEST(lib, errno_names)
{
	KEXPECT_STREQ(t, errno_name(-AE_EINVAL), "EINVAL");
	KEXPECT_STREQ(t, errno_name(-12345), "E?");
}
