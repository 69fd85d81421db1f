/*
 * test_logbuf.c - kernel/lib/logbuf.c: the kernel log kept for dmesg, and
 * the console's input line around other output.
 */
#include <string.h>
#include "unit.h"
#include <aegis/logbuf.h>

static struct logbuf b;
static char got[LOGBUF_HEAD + LOGBUF_TAIL + 256];
static size_t glen;

static void collect(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	ck_assert_uint_le(glen + n, sizeof(got));
	memcpy(got + glen, s, n);
	glen += n;
}

static void setup(void)
{
	memset(&b, 0, sizeof(b));
	glen = 0;
}

START_TEST(test_logbuf_keeps_all_until_full)
{
	logbuf_put(&b, "boot: one\n", 10);
	logbuf_put(&b, "boot: two\n", 10);
	logbuf_dump(&b, collect, NULL);
	ck_assert_uint_eq(glen, 20);
	ck_assert(memcmp(got, "boot: one\nboot: two\n", 20) == 0);
}
END_TEST

START_TEST(test_logbuf_head_stays_ring_keeps_newest)
{
	char line[33];
	unsigned int i;

	memset(line, 'h', 31);
	line[31] = '\n';
	for (i = 0; i < LOGBUF_HEAD / 32; i++)
		logbuf_put(&b, line, 32);	/* the boot messages */
	memset(line, 'n', 31);
	for (i = 0; i < 3 * LOGBUF_TAIL / 32; i++) {
		line[0] = (char)('a' + i % 26);
		logbuf_put(&b, line, 32);
	}
	logbuf_dump(&b, collect, NULL);
	/* the head whole, the note, then the ring from its first line
	 * known to be whole (the oldest may have lost its start: skipped) */
	ck_assert_int_eq(got[0], 'h');
	ck_assert_int_eq(got[LOGBUF_HEAD - 2], 'h');
	got[glen] = '\0';
	ck_assert_ptr_nonnull(strstr(got + LOGBUF_HEAD,
				     "[... 32800 bytes not kept ...]\n"));
	ck_assert_uint_eq(glen - LOGBUF_HEAD - strlen("[... 32800 bytes not "
		"kept ...]\n"), LOGBUF_TAIL - 32);
	/* the newest line is last */
	ck_assert_int_eq(got[glen - 32], (char)('a' + (i - 1) % 26));
}
END_TEST

START_TEST(test_logbuf_one_write_larger_than_everything)
{
	static char big[LOGBUF_HEAD + 2 * LOGBUF_TAIL];

	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	big[sizeof(big) - 3] = '\n';
	logbuf_put(&b, big, sizeof(big));
	ck_assert_uint_eq(b.tail_total, 2 * LOGBUF_TAIL);
	logbuf_dump(&b, collect, NULL);
	/* the ring's part from its first whole line: one 'x' and '\n' */
	ck_assert_int_eq(got[glen - 1], '\n');
	ck_assert_int_eq(got[glen - 2], 'x');
	ck_assert_int_eq(got[glen - 3], '\n');
}
END_TEST

/* ---- the input line ------------------------------------------------ */

static char term[256];
static size_t tlen;
static unsigned int draws, erases;

static void term_write(const char *s, size_t n)
{
	ck_assert_uint_le(tlen + n, sizeof(term) - 1);
	memcpy(term + tlen, s, n);
	tlen += n;
	term[tlen] = '\0';
}

static struct input_line in = { .write = term_write };

static void draw(bool erase)
{
	if (erase) {
		erases++;
		term_write("<E>", 3);
	} else {
		draws++;
		input_echo(&in, "sh> ab", 6);
	}
}

static void in_setup(void)
{
	tlen = 0;
	term[0] = '\0';
	draws = erases = 0;
	input_show(&in, NULL);
}

START_TEST(test_input_output_without_a_line_is_plain)
{
	input_output(&in, "hello\n", 6);
	ck_assert_str_eq(term, "hello\n");
}
END_TEST

START_TEST(test_input_output_erases_and_redraws)
{
	input_show(&in, draw);
	input_output(&in, "trace: x\n", 9);
	ck_assert_str_eq(term, "<E>trace: x\nsh> ab");
	/* a line in two writes: erased once, drawn after the newline */
	input_output(&in, "a ", 2);
	input_output(&in, "b\n", 2);
	ck_assert_str_eq(term, "<E>trace: x\nsh> ab<E>a b\nsh> ab");
	ck_assert_uint_eq(erases, 2);
	ck_assert_uint_eq(draws, 2);
}
END_TEST

START_TEST(test_input_echo_after_an_unfinished_line)
{
	input_show(&in, draw);
	input_output(&in, "partial", 7);
	input_echo(&in, "c", 1);	/* the key goes below, with the line */
	ck_assert_str_eq(term, "<E>partial\nsh> ab");
	input_echo(&in, "c", 1);
	ck_assert_str_eq(term, "<E>partial\nsh> abc");
}
END_TEST

START_TEST(test_input_hide_erases_once)
{
	input_show(&in, draw);
	input_hide(&in);
	input_hide(&in);
	input_output(&in, "panic: x\n", 9);
	ck_assert_str_eq(term, "<E>panic: x\n");
}
END_TEST

Suite *suite_logbuf(void)
{
	Suite *s = suite_create("logbuf");
	TCase *tc = tcase_create("kept");
	TCase *ti = tcase_create("input");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_logbuf_keeps_all_until_full);
	tcase_add_test(tc, test_logbuf_head_stays_ring_keeps_newest);
	tcase_add_test(tc, test_logbuf_one_write_larger_than_everything);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ti, in_setup, NULL);
	tcase_add_test(ti, test_input_output_without_a_line_is_plain);
	tcase_add_test(ti, test_input_output_erases_and_redraws);
	tcase_add_test(ti, test_input_echo_after_an_unfinished_line);
	tcase_add_test(ti, test_input_hide_erases_once);
	suite_add_tcase(s, ti);
	return s;
}
