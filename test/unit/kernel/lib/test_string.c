/*
 * test_string.c - kernel/lib/string.c, linked with its symbols renamed
 * (klib_*, see kernel/lib/klib_rename.h) and compared with the host C
 * library.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

void *klib_memcpy(void *dst, const void *src, size_t n);
void *klib_memmove(void *dst, const void *src, size_t n);
void *klib_memset(void *dst, int c, size_t n);
int klib_memcmp(const void *a, const void *b, size_t n);
void *klib_memchr(const void *s, int c, size_t n);
size_t klib_strlen(const char *s);
size_t klib_strnlen(const char *s, size_t max);
int klib_strcmp(const char *a, const char *b);
int klib_strncmp(const char *a, const char *b, size_t n);
char *klib_strchr(const char *s, int c);
char *klib_strrchr(const char *s, int c);
char *klib_strstr(const char *h, const char *n);
unsigned long klib_strtoul(const char *s, char **end, int base);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

START_TEST(test_memcpy_memset_match_libc)
{
	char a[64], b[64];

	for (size_t n = 0; n < 40; n++) {
		memset(a, 'a', sizeof(a));
		memset(b, 'a', sizeof(b));
		ck_assert_ptr_eq(klib_memset(a + 3, 0x80 + (int)n, n), a + 3);
		memset(b + 3, 0x80 + (int)n, n);
		ck_assert_mem_eq(a, b, sizeof(a));
		ck_assert_ptr_eq(klib_memcpy(a + 1, "0123456789abcdef0123456"
					     "789abcdef01234567", n), a + 1);
		memcpy(b + 1, "0123456789abcdef0123456789abcdef01234567", n);
		ck_assert_mem_eq(a, b, sizeof(a));
	}
}
END_TEST

/* Every length up to a few words past the block size, every alignment
 * of each end (alike, so words are used; unlike, so bytes are): the
 * same bytes as the C library, nothing outside the range touched. */
START_TEST(test_word_copies_match_libc_at_every_alignment)
{
	static unsigned char src[300], a[320], b[320];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	for (size_t n = 0; n < 90; n += (n < 40 ? 1 : 7))
		for (size_t so = 0; so < 16; so++)
			for (size_t dof = 0; dof < 16; dof++) {
				memset(a, 0xee, sizeof(a));
				memset(b, 0xee, sizeof(b));
				ck_assert_ptr_eq(klib_memcpy(a + dof, src + so,
							     n), a + dof);
				memcpy(b + dof, src + so, n);
				ck_assert_mem_eq(a, b, sizeof(a));
				ck_assert_ptr_eq(klib_memset(a + dof,
							     (int)(n + so),
							     n), a + dof);
				memset(b + dof, (int)(n + so), n);
				ck_assert_mem_eq(a, b, sizeof(a));
			}
	/* a page's worth, as frames and file images are copied */
	memset(a, 0, sizeof(a));
	klib_memcpy(a + 8, src, 296);
	ck_assert_mem_eq(a + 8, src, 296);
}
END_TEST

/* memmove over every distance either way (overlapping or not), lengths
 * that use words, at every alignment: what the C library does. */
START_TEST(test_word_memmove_every_distance)
{
	static unsigned char a[256], b[256];

	for (size_t n = 0; n < 100; n += 3)
		for (size_t from = 40; from < 56; from++)
			for (int dist = -40; dist <= 40; dist++) {
				size_t to = (size_t)((long)from + dist);

				for (size_t i = 0; i < sizeof(a); i++)
					a[i] = b[i] = (unsigned char)(i * 13);
				ck_assert_ptr_eq(klib_memmove(a + to, a + from,
							      n), a + to);
				memmove(b + to, b + from, n);
				ck_assert_mem_eq(a, b, sizeof(a));
			}
}
END_TEST

START_TEST(test_memmove_overlap_both_ways)
{
	for (size_t off = 0; off < 8; off++) {
		char a[32] = "0123456789abcdefghijklmnopqrstu";
		char b[32] = "0123456789abcdefghijklmnopqrstu";

		klib_memmove(a + off, a + 4, 20);
		memmove(b + off, b + 4, 20);
		ck_assert_mem_eq(a, b, sizeof(a));
	}
	ck_assert_ptr_null(NULL);
}
END_TEST

START_TEST(test_memcmp_strcmp_signs_match_libc)
{
	static const char *const s[] = {
		"", "a", "ab", "abc", "abd", "b", "\x80", "\x7f", "ab\x90",
	};
	size_t n = sizeof(s) / sizeof(s[0]);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			size_t len = strlen(s[i]) < strlen(s[j]) ?
				     strlen(s[i]) + 1 : strlen(s[j]) + 1;

			ck_assert_int_eq(sign(klib_strcmp(s[i], s[j])),
					 sign(strcmp(s[i], s[j])));
			ck_assert_int_eq(sign(klib_strncmp(s[i], s[j], 2)),
					 sign(strncmp(s[i], s[j], 2)));
			ck_assert_int_eq(sign(klib_memcmp(s[i], s[j], len)),
					 sign(memcmp(s[i], s[j], len)));
		}
	}
	ck_assert_int_eq(klib_strncmp("abc", "abd", 0), 0);
}
END_TEST

START_TEST(test_searches_match_libc)
{
	static const char h[] = "a.b.c\x80z";
	static const char *const needles[] = { "", "a", ".c", "c\x80", "zz" };

	ck_assert_ptr_eq(klib_strchr(h, '.'), strchr(h, '.'));
	ck_assert_ptr_eq(klib_strchr(h, '\0'), strchr(h, '\0'));
	ck_assert_ptr_eq(klib_strchr(h, 'q'), NULL);
	ck_assert_ptr_eq(klib_strchr(h, 0x80), strchr(h, 0x80));
	ck_assert_ptr_eq(klib_strrchr(h, '.'), strrchr(h, '.'));
	ck_assert_ptr_eq(klib_strrchr(h, '\0'), strrchr(h, '\0'));
	ck_assert_ptr_eq(klib_strrchr(h, 'q'), NULL);
	ck_assert_ptr_eq(klib_memchr(h, 'c', sizeof(h)),
			 memchr(h, 'c', sizeof(h)));
	ck_assert_ptr_eq(klib_memchr(h, 'c', 4), NULL);
	for (size_t i = 0; i < 5; i++)
		ck_assert_ptr_eq(klib_strstr(h, needles[i]),
				 strstr(h, needles[i]));
	ck_assert_uint_eq(klib_strlen(h), strlen(h));
	ck_assert_uint_eq(klib_strlen(""), 0);
	ck_assert_uint_eq(klib_strnlen(h, 3), 3);
	ck_assert_uint_eq(klib_strnlen(h, 100), strlen(h));
}
END_TEST

START_TEST(test_strtoul_matches_libc)
{
	static const struct {
		const char *s;
		int base;
	} cases[] = {
		{ "0", 0 }, { "123", 10 }, { "0x1F", 0 }, { "0x1f", 16 },
		{ "1f", 16 }, { "017", 0 }, { "017", 10 }, { "777", 8 },
		{ "  42", 10 }, { "+42", 10 }, { "-1", 10 }, { "12abc", 10 },
		{ "zz", 36 }, { "0x", 16 }, { "0xg", 0 }, { "", 10 },
		{ "abc", 10 }, { "18446744073709551615", 10 },
		{ "18446744073709551616", 10 }, { "999999999999999999999", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e1, *e2;
		unsigned long v1 = klib_strtoul(cases[i].s, &e1,
						cases[i].base);
		unsigned long v2 = strtoul(cases[i].s, &e2, cases[i].base);

		ck_assert_msg(v1 == v2 && e1 == e2,
			      "strtoul(\"%s\", %d): kernel %lu +%td, libc %lu "
			      "+%td", cases[i].s, cases[i].base, v1,
			      e1 - cases[i].s, v2, e2 - cases[i].s);
	}
	ck_assert_uint_eq(klib_strtoul("99", NULL, 10), 99);
}
END_TEST

START_TEST(test_strtoul_signs_prefixes_and_bases_match_libc)
{
	static const struct {
		const char *s;
		int base;
	} cases[] = {
		{ "\t\n 7", 10 }, { "-0x10", 0 }, { "0X1f", 0 },
		{ "  +0x1a", 16 }, { "778", 8 }, { "089", 0 }, { "08", 8 },
		{ "   ", 10 }, { "-", 10 }, { "+", 16 }, { "- 5", 10 },
		{ "1010", 2 }, { "12 34", 10 }, { "0x", 0 }, { "-0", 10 },
		{ "ffffffffffffffff", 16 }, { "10000000000000000", 16 },
		{ "0x10000000000000000", 0 }, { "-18446744073709551616", 10 },
		{ "-18446744073709551615", 10 }, { "ZZ", 36 }, { "0x8g", 16 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e1, *e2;
		unsigned long v1 = klib_strtoul(cases[i].s, &e1,
						cases[i].base);
		unsigned long v2 = strtoul(cases[i].s, &e2, cases[i].base);

		ck_assert_msg(v1 == v2 && e1 == e2,
			      "strtoul(\"%s\", %d): kernel %lu +%td, libc %lu "
			      "+%td", cases[i].s, cases[i].base, v1,
			      e1 - cases[i].s, v2, e2 - cases[i].s);
	}
}
END_TEST

START_TEST(test_strtoul_overflow_is_ulong_max)
{
	char *e;
	const char *s = "184467440737095516160";

	ck_assert_uint_eq(klib_strtoul(s, &e, 10), ULONG_MAX);
	ck_assert_ptr_eq(e, s + strlen(s));	/* all digits consumed */
	ck_assert_uint_eq(klib_strtoul("0x1ffffffffffffffff", &e, 0),
			  ULONG_MAX);
}
END_TEST

START_TEST(test_char_arguments_converted_like_libc)
{
	static const char h[] = "xyz.abc.q";

	/* c is converted to unsigned char / char, as the C library does */
	ck_assert_ptr_eq(klib_memchr(h, 0x100 + 'a', sizeof(h)),
			 memchr(h, 0x100 + 'a', sizeof(h)));
	ck_assert_ptr_eq(klib_strchr(h, 0x100 + '.'), strchr(h, 0x100 + '.'));
	ck_assert_ptr_eq(klib_strrchr(h, 0x100 + '.'),
			 strrchr(h, 0x100 + '.'));
	ck_assert_ptr_eq(klib_memchr(h, '\0', sizeof(h)), h + sizeof(h) - 1);
	ck_assert_ptr_eq(klib_memchr(h, 'x', 0), NULL);
}
END_TEST

START_TEST(test_strstr_partial_match_restarts)
{
	static const struct {
		const char *h, *n;
	} cases[] = {
		{ "aaab", "aab" }, { "abababc", "ababc" }, { "abc", "abcd" },
		{ "", "" }, { "", "a" }, { "abc", "c" }, { "abc", "abc" },
		{ "mississippi", "issip" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(klib_strstr(cases[i].h, cases[i].n) ==
			      strstr(cases[i].h, cases[i].n),
			      "strstr(\"%s\", \"%s\")", cases[i].h,
			      cases[i].n);
}
END_TEST

START_TEST(test_memmove_zero_length_and_same_pointer)
{
	char a[8] = "abcdefg";

	ck_assert_ptr_eq(klib_memmove(a, a, 7), a);
	ck_assert_str_eq(a, "abcdefg");
	ck_assert_ptr_eq(klib_memmove(a + 1, a, 0), a + 1);
	ck_assert_str_eq(a, "abcdefg");
	ck_assert_ptr_eq(klib_memcpy(a, "zz", 0), a);
	ck_assert_str_eq(a, "abcdefg");
	ck_assert_int_eq(klib_memcmp(a, "xyz", 0), 0);
	ck_assert_uint_eq(klib_strnlen(a, 0), 0);
}
END_TEST

Suite *suite_klib_string(void)
{
	Suite *s = suite_create("klib_string");
	TCase *tc = tcase_create("string");

	tcase_add_test(tc, test_memcpy_memset_match_libc);
	tcase_add_test(tc, test_memmove_overlap_both_ways);
	tcase_add_test(tc, test_word_copies_match_libc_at_every_alignment);
	tcase_add_test(tc, test_word_memmove_every_distance);
	tcase_add_test(tc, test_memcmp_strcmp_signs_match_libc);
	tcase_add_test(tc, test_searches_match_libc);
	tcase_add_test(tc, test_strtoul_matches_libc);
	tcase_add_test(tc, test_strtoul_signs_prefixes_and_bases_match_libc);
	tcase_add_test(tc, test_strtoul_overflow_is_ulong_max);
	tcase_add_test(tc, test_char_arguments_converted_like_libc);
	tcase_add_test(tc, test_strstr_partial_match_restarts);
	tcase_add_test(tc, test_memmove_zero_length_and_same_pointer);
	suite_add_tcase(s, tc);
	return s;
}
