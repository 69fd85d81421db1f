/*
 * test_linux_stack.c - kernel/lib/linux_stack.c: a Linux program's start
 * stack read back as the program (glibc's _start) reads it: argc, argv,
 * envp, the auxiliary vector, the strings they point to, 16-byte
 * alignment; and what does not fit is refused.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/linux.h>
#include "unit.h"

#define TOP 0x7ffff000ull
static uint64_t words[512];	/* the 4 KiB under TOP */

static const void *at(uint64_t va)
{
	ck_assert_uint_ge(va, TOP - sizeof(words));
	ck_assert_uint_lt(va, TOP);
	return (const uint8_t *)words + (va - (TOP - sizeof(words)));
}

static uint64_t word(uint64_t va)
{
	uint64_t w;

	memcpy(&w, at(va), 8);
	return w;
}

static uint64_t aux(uint64_t p, uint64_t type)
{
	for (; word(p) != LINUX_AT_NULL; p += 16)
		if (word(p) == type)
			return word(p + 8);
	ck_abort_msg("auxiliary vector: no entry %llu",
		     (unsigned long long)type);
	return 0;
}

START_TEST(test_linux_stack_reads_back)
{
	static const char *const argv[] = { "busybox", "echo", "hi" };
	static const char *const envp[] = { "HOME=/", "TERM=vt100" };
	struct linux_start s = {
		argv, 3, envp, 2, "busybox", "x86_64", 0x400040, 56, 10,
		0x40ebf0, 1000, 1000, 0, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					   12, 13, 14, 15, 16 } };
	uint64_t sp, p;

	ck_assert_int_eq(linux_stack(&s, TOP, (uint8_t *)words,
				     sizeof(words), &sp), 0);
	ck_assert_uint_eq(sp % 16, 0);
	ck_assert_uint_eq(word(sp), 3);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_str_eq((const char *)at(word(sp + 8 + 8 * i)),
				 argv[i]);
	ck_assert_uint_eq(word(sp + 32), 0);
	ck_assert_str_eq((const char *)at(word(sp + 40)), "HOME=/");
	ck_assert_str_eq((const char *)at(word(sp + 48)), "TERM=vt100");
	ck_assert_uint_eq(word(sp + 56), 0);
	p = sp + 64;
	ck_assert_uint_eq(aux(p, LINUX_AT_PHDR), 0x400040);
	ck_assert_uint_eq(aux(p, LINUX_AT_PHENT), 56);
	ck_assert_uint_eq(aux(p, LINUX_AT_PHNUM), 10);
	ck_assert_uint_eq(aux(p, LINUX_AT_PAGESZ), 4096);
	ck_assert_uint_eq(aux(p, LINUX_AT_ENTRY), 0x40ebf0);
	ck_assert_uint_eq(aux(p, LINUX_AT_UID), 1000);
	ck_assert_uint_eq(aux(p, LINUX_AT_EGID), 1000);
	ck_assert_uint_eq(aux(p, LINUX_AT_SECURE), 0);
	ck_assert_str_eq((const char *)at(aux(p, LINUX_AT_PLATFORM)),
			 "x86_64");
	ck_assert_str_eq((const char *)at(aux(p, LINUX_AT_EXECFN)),
			 "busybox");
	ck_assert_int_eq(memcmp(at(aux(p, LINUX_AT_RANDOM)), s.random, 16),
			 0);
	/* everything lies under TOP, nothing past it */
	ck_assert_uint_le(aux(p, LINUX_AT_RANDOM) + 16, TOP);
}
END_TEST

START_TEST(test_linux_stack_without_phdr_and_refusals)
{
	static const char *const argv[] = { "true" };
	static char longarg[5000];
	const char *big[] = { longarg };
	const char *nul[] = { NULL };
	struct linux_start s = { argv, 1, NULL, 0, "true", "aarch64", 0, 56,
				 2, 0x400580, 0, 0, 0, { 0 } };
	uint64_t sp, p;

	ck_assert_int_eq(linux_stack(&s, TOP, (uint8_t *)words,
				     sizeof(words), &sp), 0);
	p = sp + 8 + 16 + 8;	/* argc, argv[0] and NULL, envp's NULL */
	for (; word(p) != LINUX_AT_NULL; p += 16)
		ck_assert_uint_ne(word(p), LINUX_AT_PHDR);
	memset(longarg, 'x', sizeof(longarg) - 1);
	s.argv = big;
	ck_assert_int_eq(linux_stack(&s, TOP, (uint8_t *)words,
				     sizeof(words), &sp), -AE_E2BIG);
	s.argv = nul;
	ck_assert_int_eq(linux_stack(&s, TOP, (uint8_t *)words,
				     sizeof(words), &sp), -AE_EINVAL);
	s.argv = argv;
	s.argc = 65;
	ck_assert_int_eq(linux_stack(&s, TOP, (uint8_t *)words,
				     sizeof(words), &sp), -AE_E2BIG);
	s.argc = 1;
	ck_assert_int_eq(linux_stack(&s, TOP + 8, (uint8_t *)words,
				     sizeof(words), &sp), -AE_EINVAL);
	/* just too small: refused, never written past */
	ck_assert_int_eq(linux_stack(&s, TOP, (uint8_t *)words, 64, &sp),
			 -AE_E2BIG);
}
END_TEST

static const char *resolved(const char *in, const char *cwd, size_t size)
{
	static char out[256];

	ck_assert_uint_le(size, sizeof(out));
	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(path_resolve(in, cwd, out, size), 0);
	return out;
}

/* kernel/lib/path.c: what the namespace is asked for. */
START_TEST(test_path_resolve)
{
	char out[8];

	ck_assert_str_eq(resolved("/sys/cpus/list", "/", 64), "/sys/cpus/list");
	ck_assert_str_eq(resolved("//sys///cpus/", "/", 64), "/sys/cpus");
	ck_assert_str_eq(resolved("cpus/list", "/sys", 64), "/sys/cpus/list");
	ck_assert_str_eq(resolved("./a/./b/.", "/", 64), "/a/b");
	ck_assert_str_eq(resolved("/a/b/../../c", "/", 64), "/c");
	ck_assert_str_eq(resolved("/../../..", "/", 64), "/");
	ck_assert_str_eq(resolved("..", "/sys/bus", 64), "/sys");
	ck_assert_str_eq(resolved("/", "/x", 64), "/");
	ck_assert_str_eq(resolved(".", "/", 64), "/");
	ck_assert_str_eq(resolved("...", "/", 64), "/...");
	ck_assert_str_eq(resolved("/ab", "/", 4), "/ab");
	ck_assert_int_eq(path_resolve("", "/", out, sizeof(out)), -AE_ENOENT);
	ck_assert_int_eq(path_resolve("/abcdefgh", "/", out, sizeof(out)),
			 -AE_ENAMETOOLONG);
	ck_assert_int_eq(path_resolve("/abc/defg", "/", out, sizeof(out)),
			 -AE_ENAMETOOLONG);
	ck_assert_int_eq(path_resolve("/abcdefg", "/", out, sizeof(out)),
			 -AE_ENAMETOOLONG);
	ck_assert_int_eq(path_resolve("/abcdef", "/", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/abcdef");
	ck_assert_int_eq(path_resolve("/a", "/", out, 1), -AE_EINVAL);
}
END_TEST

Suite *suite_linux_stack(void)
{
	Suite *s = suite_create("linux_stack");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_linux_stack_reads_back);
	tcase_add_test(tc, test_linux_stack_without_phdr_and_refusals);
	tcase_add_test(tc, test_path_resolve);
	suite_add_tcase(s, tc);
	return s;
}
