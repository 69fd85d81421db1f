/*
 * test_format.c - kernel/lib/format.c: kvsnprintf against the host C
 * library's snprintf, which defines the expected output.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <aegis/kprintf.h>
#include "unit.h"

/* Format with both and compare text and return value. */
static void same(const char *fmt, ...)
{
	char want[256], got[256];
	va_list a, b;
	int nw, ng;

	va_start(a, fmt);
	va_copy(b, a);
	nw = vsnprintf(want, sizeof(want), fmt, a);
	ng = kvsnprintf(got, sizeof(got), fmt, b);
	va_end(b);
	va_end(a);
	ck_assert_msg(strcmp(want, got) == 0 && nw == ng,
		      "format \"%s\": libc \"%s\" (%d), kernel \"%s\" (%d)",
		      fmt, want, nw, got, ng);
}

START_TEST(test_format_signed_matches_libc)
{
	same("%d|%i|%d|%d", 0, 42, -42, INT_MAX);
	same("%d", INT_MIN);
	same("%5d|%-5d|%05d|%+d|% d|%+d", 42, 42, -42, 7, 7, -7);
	same("%.3d|%.0d|%.0d|%8.3d|%-8.3d", 5, 0, 3, -5, 5);
	same("%ld|%lld|%lld", -1234567890L, LLONG_MAX, LLONG_MIN);
	same("%hd|%hhd|%hd", (short)-300, (signed char)-5, 70000);
	same("%zd|%jd|%td", (ssize_t)-9, (intmax_t)INT64_MIN,
	     (ptrdiff_t)-77);
}
END_TEST

START_TEST(test_format_unsigned_matches_libc)
{
	same("%u|%u|%x|%X|%o", 0u, UINT_MAX, 0xdeadbeefu, 0xdeadbeefu, 8u);
	same("%#x|%#X|%#o|%#x|%#o", 255u, 255u, 8u, 0u, 0u);
	same("%08x|%-8x|%8.4x|%#010x", 0xabu, 0xabu, 0xabu, 0xabu);
	same("%llx|%llu|%lu", ULLONG_MAX, ULLONG_MAX, 123456789UL);
	same("%hx|%hhx|%hhu", 0x12345u, 0x1ffu, 300u);
	same("%zu|%zx|%ju", (size_t)SIZE_MAX, (size_t)4096,
	     (uintmax_t)UINT64_MAX);
	same("%+u|% u", 5u, 5u);	/* sign flags ignored for unsigned */
	same("%.0x|%#.0x", 0u, 0u);
}
END_TEST

START_TEST(test_format_strings_and_chars_match_libc)
{
	same("%s|%10s|%-10s|%.3s|%10.2s", "abc", "abc", "abc", "abcdef",
	     "xyz");
	same("%c|%3c|%-3c|%%", 'a', 'b', 'c');
	same("%*d|%-*d|%.*s|%*d", 6, 1, 6, 2, 2, "abcd", -6, 3);
	same("%.*d", -1, 17);	/* negative precision: as if none */
	same("plain text, no conversions");
	same("");
}
END_TEST

START_TEST(test_format_pointer)
{
	char b[64];
	int x;

	same("%p", (void *)&x);
	same("%20p|%-20p|", (void *)0x1234, (void *)0x1234);
	ksnprintf(b, sizeof(b), "%p", NULL);
	ck_assert_str_eq(b, "0x0");	/* libc says "(nil)" */
}
END_TEST

START_TEST(test_format_null_string_prints_null)
{
	char b[32];
	const char *volatile nul = NULL;	/* hidden from -Wformat */

	ksnprintf(b, sizeof(b), "[%s]", nul);
	ck_assert_str_eq(b, "[(null)]");
}
END_TEST

START_TEST(test_format_truncation_returns_full_length)
{
	char b[8];

	memset(b, 'Z', sizeof(b));
	ck_assert_int_eq(ksnprintf(b, sizeof(b), "%d-%s", 12345, "abcdef"),
			 12);
	ck_assert_str_eq(b, "12345-a");
}
END_TEST

START_TEST(test_format_size_zero_writes_nothing)
{
	char b[4] = { 'q', 'q', 'q', 'q' };

	ck_assert_int_eq(ksnprintf(b, 0, "%s", "hello"), 5);
	ck_assert_int_eq(b[0], 'q');
	ck_assert_int_eq(ksnprintf(NULL, 0, "%d", 1000), 4);
}
END_TEST

START_TEST(test_format_size_one_writes_only_nul)
{
	char b[4] = { 'q', 'q', 'q', 'q' };

	ck_assert_int_eq(ksnprintf(b, 1, "%s", "hello"), 5);
	ck_assert_int_eq(b[0], '\0');
	ck_assert_int_eq(b[1], 'q');
}
END_TEST

START_TEST(test_format_unknown_conversion_copied)
{
	char b[32];
	int n;

	/* Built at run time: the compiler's format check would refuse it. */
	char fmt[8] = "a%yb";

	n = ksnprintf(b, sizeof(b), fmt, 0);
	ck_assert_str_eq(b, "a%yb");
	ck_assert_int_eq(n, 4);
	strcpy(fmt, "tail%");
	n = ksnprintf(b, sizeof(b), fmt, 0);
	ck_assert_str_eq(b, "tail%");
	ck_assert_int_eq(n, 5);
}
END_TEST

/*
 * Format into a buffer of every size from 0 up, with the bytes past the
 * output compared too: the kernel must store exactly what libc stores
 * and return the same full length.
 */
static void same_at_every_size(const char *fmt, ...)
{
	char want[64], got[64];
	va_list a, b;
	int nw, ng;

	for (size_t size = 0; size < sizeof(want); size++) {
		memset(want, '#', sizeof(want));
		memset(got, '#', sizeof(got));
		va_start(a, fmt);
		va_copy(b, a);
		nw = vsnprintf(want, size, fmt, a);
		ng = kvsnprintf(got, size, fmt, b);
		va_end(b);
		va_end(a);
		ck_assert_msg(nw == ng && memcmp(want, got, sizeof(want)) == 0,
			      "format \"%s\", size %zu: libc \"%.*s\" (%d), "
			      "kernel \"%.*s\" (%d)", fmt, size,
			      (int)sizeof(want), want, nw,
			      (int)sizeof(got), got, ng);
	}
}

START_TEST(test_format_flag_combinations_match_libc)
{
	same("%05.3d|%-05d|%0*d|%#.2o|%#5o|%#-6o|", 42, 42, -5, 42, 8u, 8u,
	     8u);
	same("%#.5x|%#5.0x|%#.3o|%+.0d|% 05d|%+05d", 255u, 0u, 0u, 0, 42,
	     0);
	same("%#08o|%#010X|%-#10x|", 0u, 0xabcu, 0xabcu);
	same("%+ d|% +d|%-+6d|", 5, 5, 5);
	same("%.10d|%12.10d|%-12.10d|", -123, 123, -123);
	same("%*.*s|%-*.*s|%.*s|", 8, 2, "abcdef", 8, 2, "abcdef", 3, "ab");
	same("%-*c|%*c|", -3, 'x', -3, 'y');
}
END_TEST

/* '#' with octal forces a leading 0; with '0' and a width the field is
 * still zero-filled, as for any other conversion. */
START_TEST(test_format_alt_octal_zero_padded_matches_libc)
{
	same("%#05o", 8u);
	same("%#06o|%#010llo", 0777u, 0x1234ull);
}
END_TEST

START_TEST(test_format_length_modifier_edges_match_libc)
{
	same("%hhd|%hhu|%hhx|%hd|%hu|%hx", 200, 200, -1, 40000, -1, -1);
	same("%ld|%lu|%lx|%lo", LONG_MIN, ULONG_MAX, ULONG_MAX, LONG_MAX);
	same("%lli|%llo|%#llx|%llX", LLONG_MIN, ULLONG_MAX, ULLONG_MAX,
	     ULLONG_MAX);
	same("%zu|%zx|%jd|%ju|%td|%tx", (size_t)0, (size_t)SIZE_MAX,
	     (intmax_t)INTMAX_MAX, (uintmax_t)UINTMAX_MAX,
	     (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)255);
	same("%d|%12i|%-12i|%012i", INT_MIN, INT_MIN, INT_MIN, INT_MIN);
	same("%+lld|%25lld|%-25lld|", LLONG_MIN, LLONG_MIN, LLONG_MIN);
}
END_TEST

START_TEST(test_format_truncation_matches_libc_at_every_size)
{
	same_at_every_size("%s=%d|%#x|%-6s|", "abc", -12345, 0xbeefu, "xy");
	same_at_every_size("%lld%%", LLONG_MIN);
	same_at_every_size("%20s", "right");
	same_at_every_size("");
}
END_TEST

START_TEST(test_format_nul_char_counted_like_libc)
{
	char want[8], got[8];
	int nw, ng;

	memset(want, 'q', sizeof(want));
	memset(got, 'q', sizeof(got));
	nw = snprintf(want, sizeof(want), "a%cb", 0);
	ng = ksnprintf(got, sizeof(got), "a%cb", 0);
	ck_assert_int_eq(ng, 3);
	ck_assert_int_eq(ng, nw);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(test_format_unknown_conversion_with_flags_copied)
{
	char b[32];
	int n;
	/* Built at run time: the compiler's format check would refuse it. */
	char fmt[16] = "[%-5y]%d";

	n = ksnprintf(b, sizeof(b), fmt, 42);
	ck_assert_str_eq(b, "[%-5y]42");
	ck_assert_int_eq(n, 8);
}
END_TEST

Suite *suite_format(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("kvsnprintf");

	tcase_add_test(tc, test_format_signed_matches_libc);
	tcase_add_test(tc, test_format_unsigned_matches_libc);
	tcase_add_test(tc, test_format_strings_and_chars_match_libc);
	tcase_add_test(tc, test_format_pointer);
	tcase_add_test(tc, test_format_null_string_prints_null);
	tcase_add_test(tc, test_format_truncation_returns_full_length);
	tcase_add_test(tc, test_format_size_zero_writes_nothing);
	tcase_add_test(tc, test_format_size_one_writes_only_nul);
	tcase_add_test(tc, test_format_unknown_conversion_copied);
	tcase_add_test(tc, test_format_flag_combinations_match_libc);
	tcase_add_test(tc, test_format_alt_octal_zero_padded_matches_libc);
	tcase_add_test(tc, test_format_length_modifier_edges_match_libc);
	tcase_add_test(tc, test_format_truncation_matches_libc_at_every_size);
	tcase_add_test(tc, test_format_nul_char_counted_like_libc);
	tcase_add_test(tc, test_format_unknown_conversion_with_flags_copied);
	suite_add_tcase(s, tc);
	return s;
}
