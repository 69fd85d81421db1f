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

START_TEST(test_line_backspace_on_empty_line_rings_the_bell)
{
	TYPE("\b");
	ck_assert_str_eq(out, "\a");
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
	TYPE("a\x1c\x1d\xffz\r");
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
	/* F5, Ctrl-Up, a bare ESC x: nothing inserted, nothing moved */
	TYPE("ab\x1b[15~c\x1b[1;5Ad\x1b[Ze\r");
	ck_assert_str_eq(last, "abcde");
}
END_TEST

#define LEFT "\x1b[D"
#define RIGHT "\x1b[C"

START_TEST(test_line_insert_and_erase_at_the_cursor)
{
	TYPE("acd" LEFT LEFT "b");
	ck_assert_uint_eq(l.cur, 2);
	/* b drawn, then "cd" after it, and two steps back */
	ck_assert(memcmp(out + olen - 5, "bcd\b\b", 5) == 0);
	TYPE(RIGHT "\b");	/* erase the c: "d" and a blank redrawn */
	ck_assert_uint_eq(l.len, 3);
	ck_assert(memcmp(l.text, "abd", 3) == 0);
	ck_assert(memcmp(out + olen - 4, "\bd \b", 4) == 0 ||
		  memcmp(out + olen - 5, "\bd \b\b", 5) == 0);
	TYPE("\r");
	ck_assert_str_eq(last, "abd");
}
END_TEST

START_TEST(test_line_home_end_delete)
{
	TYPE("xhello" "\x1b[H" "\x1b[3~" "\x1b[F" "!" "\x1bOH" "\x04"
	     "\x05" "?" "\x01" "\x1b[1~" ">" "\x1b[4~" "\r");
	ck_assert_str_eq(last, ">ello!?");
}
END_TEST

START_TEST(test_line_moves_past_the_ends_ring_the_bell)
{
	TYPE(LEFT);
	ck_assert_str_eq(out, "\a");
	TYPE("a" RIGHT);
	ck_assert_int_eq(out[olen - 1], '\a');
	TYPE("\x1b[3~");	/* delete with nothing after the cursor */
	ck_assert_int_eq(out[olen - 1], '\a');
	ck_assert_uint_eq(l.len, 1);
}
END_TEST

START_TEST(test_line_ctrl_k_and_ctrl_w)
{
	TYPE("one two three" LEFT LEFT LEFT LEFT LEFT "\x0b");
	ck_assert_uint_eq(l.len, 8);
	TYPE("\x17");		/* the word before the cursor: "two " */
	ck_assert_uint_eq(l.len, 4);
	TYPE("\r");
	ck_assert_str_eq(last, "one ");
}
END_TEST

START_TEST(test_line_ctrl_c_drops_the_line)
{
	enum line_event ev = LINE_NONE;

	TYPE("half a command");
	for (const char *p = "\x03"; *p; p++)
		ev = line_feed(&l, (uint8_t)*p, echo, &elen);
	ck_assert_int_eq(ev, LINE_INTR);
	ck_assert_uint_eq(l.len, 0);
	ck_assert_uint_eq(elen, 3);
	ck_assert(memcmp(echo, "^C\n", 3) == 0);
	TYPE("next\r");
	ck_assert_str_eq(last, "next");
}
END_TEST

START_TEST(test_line_tab_asks_and_insert_completes)
{
	bool first;
	unsigned int s;

	TYPE("cat /sys/bu ignored" LEFT LEFT LEFT LEFT LEFT LEFT LEFT LEFT);
	ck_assert_int_eq(line_feed(&l, '\t', echo, &elen), LINE_TAB);
	ck_assert_uint_eq(elen, 0);
	s = line_word(&l, &first);
	ck_assert(!first);
	ck_assert_uint_eq(l.cur - s, 7);
	ck_assert(memcmp(l.text + s, "/sys/bu", 7) == 0);
	ck_assert_int_eq(line_insert(&l, "s/", 2, echo, &elen), 0);
	TYPE("\r");
	ck_assert_str_eq(last, "cat /sys/bus/ ignored");
	TYPE("ca");
	s = line_word(&l, &first);
	ck_assert(first);
	ck_assert_uint_eq(s, 0);
	/* what does not print, or does not fit, is refused */
	ck_assert_int_eq(line_insert(&l, "\x1b", 1, echo, &elen), -1);
	ck_assert_int_eq(echo[0], '\a');
	ck_assert_uint_eq(l.len, 2);
}
END_TEST

START_TEST(test_line_ctrl_l_draws_prompt_and_line)
{
	line_set_prompt(&l, "sh> ", 4);
	TYPE("ab" LEFT);
	olen = 0;
	TYPE("\x0c");
	ck_assert_str_eq(out, "\x1b[H\x1b[2Jsh> ab\b");
}
END_TEST

START_TEST(test_line_recall_from_mid_line)
{
	TYPE("first\r" "xyz" LEFT LEFT UP);
	ck_assert_uint_eq(l.len, 5);
	ck_assert_uint_eq(l.cur, 5);
	TYPE("\r");
	ck_assert_str_eq(last, "first");
}
END_TEST

START_TEST(test_line_taken_empties_for_the_next_prompt)
{
	char buf[LINE_ECHO_MAX];

	line_set_prompt(&l, "sh> ", 4);
	TYPE("ls\r");
	line_taken(&l);
	ck_assert_uint_eq(line_draw(&l, buf), 4);
	TYPE("\n");		/* the LF of CR LF: still no second line */
	ck_assert_int_eq(lines, 1);
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
	tcase_add_test(tc, test_line_backspace_on_empty_line_rings_the_bell);
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
	tcase_add_test(tc, test_line_insert_and_erase_at_the_cursor);
	tcase_add_test(tc, test_line_home_end_delete);
	tcase_add_test(tc, test_line_moves_past_the_ends_ring_the_bell);
	tcase_add_test(tc, test_line_ctrl_k_and_ctrl_w);
	tcase_add_test(tc, test_line_ctrl_c_drops_the_line);
	tcase_add_test(tc, test_line_tab_asks_and_insert_completes);
	tcase_add_test(tc, test_line_ctrl_l_draws_prompt_and_line);
	tcase_add_test(tc, test_line_recall_from_mid_line);
	tcase_add_test(tc, test_line_taken_empties_for_the_next_prompt);
	suite_add_tcase(s, tc);
	return s;
}
