/*
 * test_line.c - services/console/line.c: the console's line editor.
 */
#include <string.h>
#include "unit.h"
#include "../../../../services/console/line.h"

static struct line l;
static char echo[LINE_ECHO_MAX];
static unsigned int elen;
static char out[1024];
static unsigned int olen;
static int lines;
static char last[LINE_MAX + 1];

/* Feed a string; collect the echo and the last finished line. */
static void type(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int done = line_feed(&l, (uint8_t)s[i], echo, &elen);

		ck_assert_uint_le(elen, LINE_ECHO_MAX);
		memcpy(out + olen, echo, elen);
		olen += elen;
		if (done) {
			lines++;
			memcpy(last, l.text, l.len);
			last[l.len] = '\0';
		}
	}
	out[olen] = '\0';
}

#define TYPE(s) type((s), sizeof(s) - 1)

static void setup(void)
{
	line_reset(&l);
	olen = 0;
	lines = 0;
	last[0] = '\0';
}

START_TEST(test_line_printable_echoed_and_line_ends_at_cr)
{
	TYPE("hello\r");
	ck_assert_int_eq(lines, 1);
	ck_assert_str_eq(last, "hello");
	ck_assert_str_eq(out, "hello\n");
}
END_TEST

START_TEST(test_line_crlf_and_lfcr_end_one_line)
{
	TYPE("a\r\nb\n\rc\n");
	ck_assert_int_eq(lines, 3);
	ck_assert_str_eq(last, "c");
	ck_assert_str_eq(out, "a\nb\nc\n");
}
END_TEST

START_TEST(test_line_two_crs_make_an_empty_line)
{
	TYPE("x\r\r");
	ck_assert_int_eq(lines, 2);
	ck_assert_str_eq(last, "");
}
END_TEST

START_TEST(test_line_backspace_and_del_erase)
{
	TYPE("abc\b\x7f" "d\r");
	ck_assert_str_eq(last, "ad");
	ck_assert_str_eq(out, "abc\b \b\b \bd\n");
}
END_TEST

START_TEST(test_line_backspace_on_empty_line_echoes_nothing)
{
	TYPE("\b");
	ck_assert_uint_eq(olen, 0);
	ck_assert_uint_eq(l.len, 0);
}
END_TEST

START_TEST(test_line_ctrl_u_erases_everything)
{
	TYPE("abc\x15z\r");
	ck_assert_str_eq(last, "z");
	ck_assert_str_eq(out, "abc\b \b\b \b\b \bz\n");
}
END_TEST

START_TEST(test_line_full_line_refuses_with_bell)
{
	char s[LINE_MAX + 2];

	memset(s, 'q', sizeof(s));
	type(s, sizeof(s));
	ck_assert_uint_eq(l.len, LINE_MAX);
	ck_assert_int_eq(out[olen - 1], '\a');
	ck_assert_int_eq(out[olen - 2], '\a');
	TYPE("\r");
	ck_assert_uint_eq(strlen(last), LINE_MAX);
}
END_TEST

START_TEST(test_line_control_and_high_bytes_refused)
{
	TYPE("a\x01\x02\xffz\r");
	ck_assert_str_eq(last, "az");
	ck_assert_str_eq(out, "a\a\a\az\n");
}
END_TEST

START_TEST(test_line_ctrl_u_on_full_line_fits_echo)
{
	char s[LINE_MAX];

	memset(s, 'w', sizeof(s));
	type(s, sizeof(s));
	TYPE("\x15");
	ck_assert_uint_eq(l.len, 0);
	ck_assert_uint_eq(olen, LINE_MAX + 3 * LINE_MAX);	/* "\b \b" each */
}
END_TEST

#define UP "\x1b[A"
#define DOWN "\x1b[B"

START_TEST(test_line_up_recalls_previous_lines)
{
	TYPE("first\rsecond\r" UP "\r");
	ck_assert_int_eq(lines, 3);
	ck_assert_str_eq(last, "second");
	TYPE(UP UP "\r");	/* second (again: not repeated), then first */
	ck_assert_str_eq(last, "first");
}
END_TEST

START_TEST(test_line_down_goes_back_to_an_empty_line)
{
	TYPE("one\rtwo\r" UP UP DOWN);
	ck_assert_uint_eq(l.len, 3);
	ck_assert(memcmp(l.text, "two", 3) == 0);
	TYPE(DOWN);
	ck_assert_uint_eq(l.len, 0);
	TYPE("x\r");
	ck_assert_str_eq(last, "x");
}
END_TEST

START_TEST(test_line_recall_echo_replaces_the_line)
{
	TYPE("abc\r");
	olen = 0;
	TYPE("zz" UP);
	/* "zz" typed, erased, then "abc" drawn */
	ck_assert_str_eq(out, "zz\b \b\b \babc");
}
END_TEST

START_TEST(test_line_history_limit_and_ends_ring_the_bell)
{
	char cmd[4] = "c0\r";

	TYPE(UP);			/* nothing to recall */
	ck_assert_int_eq(out[olen - 1], '\a');
	for (int i = 0; i < LINE_HISTORY + 3; i++) {
		cmd[1] = (char)('a' + i);
		type(cmd, 3);
	}
	for (int i = 0; i < LINE_HISTORY; i++)
		TYPE(UP);
	ck_assert(memcmp(l.text, "cd", 2) == 0);	/* the oldest kept */
	olen = 0;
	TYPE(UP);
	ck_assert_int_eq(out[olen - 1], '\a');
}
END_TEST

START_TEST(test_line_other_escape_sequences_swallowed)
{
	TYPE("a\x1b[1;5Cb\x1bOHc\x1b[3~d\r");
	ck_assert_str_eq(last, "abcd");
}
END_TEST

START_TEST(test_line_empty_lines_not_kept)
{
	TYPE("x\r\r\r" UP "\r");
	ck_assert_str_eq(last, "x");
}
END_TEST

Suite *suite_console_line(void)
{
	Suite *s = suite_create("console_line");
	TCase *tc = tcase_create("edit");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_line_printable_echoed_and_line_ends_at_cr);
	tcase_add_test(tc, test_line_crlf_and_lfcr_end_one_line);
	tcase_add_test(tc, test_line_two_crs_make_an_empty_line);
	tcase_add_test(tc, test_line_backspace_and_del_erase);
	tcase_add_test(tc, test_line_backspace_on_empty_line_echoes_nothing);
	tcase_add_test(tc, test_line_ctrl_u_erases_everything);
	tcase_add_test(tc, test_line_full_line_refuses_with_bell);
	tcase_add_test(tc, test_line_control_and_high_bytes_refused);
	tcase_add_test(tc, test_line_ctrl_u_on_full_line_fits_echo);
	tcase_add_test(tc, test_line_up_recalls_previous_lines);
	tcase_add_test(tc, test_line_down_goes_back_to_an_empty_line);
	tcase_add_test(tc, test_line_recall_echo_replaces_the_line);
	tcase_add_test(tc, test_line_history_limit_and_ends_ring_the_bell);
	tcase_add_test(tc, test_line_other_escape_sequences_swallowed);
	tcase_add_test(tc, test_line_empty_lines_not_kept);
	suite_add_tcase(s, tc);
	return s;
}
