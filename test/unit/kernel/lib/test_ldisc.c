/*
 * test_ldisc.c - kernel/lib/ldisc.c, the terminal's line discipline,
 * against what Linux's n_tty does with the same bytes and termios (each
 * case names the behaviour).
 */
#include <string.h>
#include <aegis/tty.h>
#include "unit.h"

static struct ldisc l;
static char echo[LD_ECHO_MAX];
static char shown[8192];	/* every echo, in order */
static unsigned int nshown;

static void setup(void)
{
	ld_init(&l);
	nshown = 0;
	shown[0] = '\0';
}

/* type s; the last signal key's signal */
static int type(const char *s, size_t n)
{
	int sig = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned int elen;
		int r = ld_input(&l, (uint8_t)s[i], echo, &elen);

		ck_assert_uint_le(elen, LD_ECHO_MAX);
		memcpy(shown + nshown, echo, elen);
		nshown += elen;
		shown[nshown] = '\0';
		if (r)
			sig = r;
	}
	return sig;
}
#define TYPE(s) type(s, sizeof(s) - 1)

static int readn(char *buf, uint32_t n)
{
	uint32_t k = ld_read(&l, (uint8_t *)buf, n);

	buf[k] = '\0';
	return (int)k;
}

START_TEST(test_ldisc_defaults_are_linux_less_ixon)
{
	/* Linux's tty_std_termios: ICRNL|IXON, OPOST|ONLCR, B38400|CS8|
	 * CREAD|HUPCL, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN;
	 * Aegis has no flow control and leaves IXON off */
	ck_assert_uint_eq(l.t.iflag, 0x100);
	ck_assert_uint_eq(l.t.oflag, 0x5);
	ck_assert_uint_eq(l.t.cflag, 0x4bf);
	ck_assert_uint_eq(l.t.lflag, 0x8a3b);
	ck_assert_uint_eq(l.t.cc[LD_VINTR], 3);
	ck_assert_uint_eq(l.t.cc[LD_VERASE], 0x7f);
	ck_assert_uint_eq(l.t.cc[LD_VEOF], 4);
	ck_assert_uint_eq(l.t.cc[LD_VMIN], 1);
	ck_assert_uint_eq(l.t.cc[LD_VSUSP], 0x1a);
	ck_assert_uint_eq(sizeof(struct ld_termios), 36);
}
END_TEST

START_TEST(test_ldisc_canonical_line_ends_at_enter_with_cr_mapped)
{
	char b[64];

	TYPE("ls -l");
	ck_assert(!ld_ready(&l, 64));		/* no line yet */
	ck_assert_int_eq(readn(b, 64), 0);
	TYPE("\r");				/* ICRNL: Enter is a newline */
	ck_assert(ld_ready(&l, 64));
	ck_assert_uint_eq(ld_pending(&l), 6);
	ck_assert_int_eq(readn(b, 64), 6);
	ck_assert_str_eq(b, "ls -l\n");
	ck_assert_str_eq(shown, "ls -l\n");	/* echoed, newline too */
}
END_TEST

START_TEST(test_ldisc_read_stops_at_line_end_and_resumes)
{
	char b[64];

	TYPE("abc\rde\r");
	ck_assert_int_eq(readn(b, 2), 2);
	ck_assert_str_eq(b, "ab");
	ck_assert_int_eq(readn(b, 64), 2);	/* the rest of line one only */
	ck_assert_str_eq(b, "c\n");
	ck_assert_int_eq(readn(b, 64), 3);
	ck_assert_str_eq(b, "de\n");
	ck_assert(!ld_ready(&l, 64));
}
END_TEST

START_TEST(test_ldisc_erase_kill_and_werase_edit_the_line)
{
	char b[64];

	TYPE("helpo\x7f\x7flo");	/* DEL erases, echoed "\b \b" */
	ck_assert_str_eq(shown, "helpo\b \b\b \blo");
	TYPE(" big wrd\x17word\r");	/* ^W takes "wrd" */
	ck_assert_int_eq(readn(b, 64), 15);
	ck_assert_str_eq(b, "hello big word\n");
	TYPE("junk\x15ok\r");		/* ^U: the whole line (ECHOKE) */
	ck_assert_int_eq(readn(b, 64), 3);
	ck_assert_str_eq(b, "ok\n");
	TYPE("\x7f\x7f");		/* nothing to erase: nothing echoed */
	ck_assert(strstr(shown, "ok\n") + 3 == shown + nshown);
}
END_TEST

START_TEST(test_ldisc_control_bytes_echo_as_caret_and_erase_two_columns)
{
	char b[64];

	TYPE("a\x01");
	ck_assert_str_eq(shown, "a^A");
	nshown = 0;
	TYPE("\x7f");
	ck_assert_str_eq(shown, "\b \b\b \b");	/* "^A" was two wide */
	TYPE("\r");
	ck_assert_int_eq(readn(b, 64), 2);
	ck_assert_str_eq(b, "a\n");
}
END_TEST

START_TEST(test_ldisc_eof_on_empty_line_reads_zero_and_mid_line_ends_it)
{
	char b[64];

	TYPE("abc\x04");		/* ^D mid-line: the line, no newline */
	ck_assert(ld_ready(&l, 64));
	ck_assert_int_eq(readn(b, 64), 3);
	ck_assert_str_eq(b, "abc");
	TYPE("\x04");			/* ^D alone: an end of file */
	ck_assert(ld_ready(&l, 64));
	ck_assert_int_eq(readn(b, 64), 0);
	ck_assert(!ld_ready(&l, 64));	/* read once */
	ck_assert_str_eq(shown, "abc");	/* ^D is not echoed */
}
END_TEST

START_TEST(test_ldisc_signal_keys_flush_and_echo)
{
	char b[64];

	TYPE("done\r");
	ck_assert_int_eq(TYPE("half\x03"), 2);	/* ^C: SIGINT */
	ck_assert_uint_eq(ld_pending(&l), 0);	/* flushed, both */
	ck_assert_int_eq(readn(b, 64), 0);
	ck_assert(strstr(shown, "half^C") != NULL);
	ck_assert_int_eq(TYPE("\x1c"), 3);	/* ^\: SIGQUIT */
	ck_assert_int_eq(TYPE("\x1a"), 20);	/* ^Z: SIGTSTP */
	/* NOFLSH keeps what waits */
	l.t.lflag |= LD_NOFLSH;
	TYPE("keep\r");
	ck_assert_int_eq(TYPE("\x03"), 2);
	ck_assert_int_eq(readn(b, 64), 5);
	/* without ISIG ^C is a byte of the line */
	l.t.lflag &= ~(uint32_t)LD_ISIG;
	ck_assert_int_eq(TYPE("\x03\r"), 0);
	ck_assert_int_eq(readn(b, 64), 2);
	ck_assert_uint_eq((uint8_t)b[0], 3);
}
END_TEST

START_TEST(test_ldisc_disabled_key_is_ordinary)
{
	char b[8];

	l.t.cc[LD_VINTR] = 0;		/* _POSIX_VDISABLE */
	ck_assert_int_eq(TYPE("\x03"), 0);
	TYPE("\0\r");			/* and a NUL is no key either */
	ck_assert_int_eq(readn(b, 8), 3);
}
END_TEST

START_TEST(test_ldisc_lnext_takes_the_next_key_literally)
{
	char b[8];

	ck_assert_int_eq(TYPE("\x16\x03\r"), 0);	/* ^V ^C */
	ck_assert_int_eq(readn(b, 8), 2);
	ck_assert_uint_eq((uint8_t)b[0], 3);
	ck_assert_str_eq(shown, "^\b^C\n");
}
END_TEST

START_TEST(test_ldisc_raw_mode_vmin_and_no_echo)
{
	struct ld_termios t = l.t;
	char b[8];

	t.lflag &= ~(uint32_t)(LD_ICANON | LD_ECHO);
	t.cc[LD_VMIN] = 3;
	ld_set(&l, &t);
	TYPE("ab");
	ck_assert(!ld_ready(&l, 8));	/* VMIN 3 */
	ck_assert(ld_ready(&l, 2));	/* ... or what is asked, if fewer */
	TYPE("\x7f");			/* DEL is a byte in raw mode */
	ck_assert(ld_ready(&l, 8));
	ck_assert_int_eq(readn(b, 8), 3);
	ck_assert_uint_eq((uint8_t)b[2], 0x7f);
	ck_assert_uint_eq(nshown, 0);	/* nothing echoed */
	ck_assert_int_eq(TYPE("\r"), 0);	/* ICRNL still maps */
	ck_assert_int_eq(readn(b, 8), 1);
	ck_assert_uint_eq((uint8_t)b[0], '\n');
}
END_TEST

START_TEST(test_ldisc_mode_switch_keeps_what_was_typed)
{
	struct ld_termios raw = l.t, cooked = l.t;
	char b[16];

	raw.lflag &= ~(uint32_t)LD_ICANON;
	TYPE("part");			/* a line not finished */
	ld_set(&l, &raw);		/* becomes readable */
	ck_assert_int_eq(readn(b, 16), 4);
	ck_assert_str_eq(b, "part");
	TYPE("xy");
	ld_set(&l, &cooked);		/* what waits is one line */
	ck_assert(ld_ready(&l, 16));
	ck_assert_int_eq(readn(b, 16), 2);
}
END_TEST

START_TEST(test_ldisc_igncr_inlcr_echonl)
{
	char b[8];

	l.t.iflag = LD_IGNCR;
	TYPE("a\rb\n");
	ck_assert_int_eq(readn(b, 8), 3);
	ck_assert_str_eq(b, "ab\n");
	l.t.iflag = LD_INLCR;		/* NL becomes CR: no line end */
	TYPE("c\n");
	ck_assert(!ld_ready(&l, 8));
	ld_flush(&l);
	l.t.iflag = LD_ICRNL;
	l.t.lflag &= ~(uint32_t)LD_ECHO;
	l.t.lflag |= LD_ECHONL;		/* only the newline shows */
	nshown = 0;
	TYPE("pw\r");
	ck_assert_uint_eq(nshown, 1);
	ck_assert_int_eq(shown[0], '\n');
}
END_TEST

START_TEST(test_ldisc_full_line_and_queue_lose_only_the_excess)
{
	char b[LD_LINE + 8];

	for (int i = 0; i < LD_LINE + 10; i++)
		TYPE("x");
	ck_assert_uint_eq(l.len, LD_LINE - 1);	/* room for its end */
	ck_assert_uint_eq(l.dropped, 11);
	TYPE("\r");
	ck_assert_int_eq(readn(b, sizeof(b)), LD_LINE);
	ck_assert_int_eq(b[LD_LINE - 1], '\n');
	/* lines waiting: at most LD_LINES; the next is dropped whole */
	for (int i = 0; i < LD_LINES + 2; i++)
		TYPE("y\r");
	ck_assert_uint_eq(ld_pending(&l), 2 * LD_LINES);
	ck_assert_uint_eq(l.dropped, 11 + 4);
}
END_TEST

START_TEST(test_ldisc_utf8_erase_takes_a_whole_character)
{
	char b[8];

	l.t.iflag |= LD_IUTF8;
	TYPE("a\xc3\xa9\x7f\r");	/* "é": two bytes, one column */
	ck_assert_int_eq(readn(b, 8), 2);
	ck_assert_str_eq(b, "a\n");
	ck_assert(strstr(shown, "\xc3\xa9\b \b\n") != NULL);
}
END_TEST

START_TEST(test_ldisc_output_onlcr_ocrnl_and_raw)
{
	char d[16];
	uint32_t took, n;

	n = ld_output(&l, (const uint8_t *)"a\nb", 3, d, sizeof(d), &took);
	ck_assert_uint_eq(took, 3);
	ck_assert_uint_eq(n, 4);
	ck_assert(memcmp(d, "a\r\nb", 4) == 0);
	/* no room for the pair: the newline waits */
	n = ld_output(&l, (const uint8_t *)"a\n", 2, d, 2, &took);
	ck_assert_uint_eq(took, 1);
	ck_assert_uint_eq(n, 1);
	l.t.oflag = LD_OPOST | LD_OCRNL;
	n = ld_output(&l, (const uint8_t *)"\r\n", 2, d, sizeof(d), &took);
	ck_assert(n == 2 && memcmp(d, "\n\n", 2) == 0);
	l.t.oflag = 0;			/* raw: as is */
	n = ld_output(&l, (const uint8_t *)"\n", 1, d, sizeof(d), &took);
	ck_assert(n == 1 && d[0] == '\n');
}
END_TEST

Suite *suite_ldisc(void)
{
	Suite *s = suite_create("ldisc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_ldisc_defaults_are_linux_less_ixon);
	tcase_add_test(tc, test_ldisc_canonical_line_ends_at_enter_with_cr_mapped);
	tcase_add_test(tc, test_ldisc_read_stops_at_line_end_and_resumes);
	tcase_add_test(tc, test_ldisc_erase_kill_and_werase_edit_the_line);
	tcase_add_test(tc, test_ldisc_control_bytes_echo_as_caret_and_erase_two_columns);
	tcase_add_test(tc, test_ldisc_eof_on_empty_line_reads_zero_and_mid_line_ends_it);
	tcase_add_test(tc, test_ldisc_signal_keys_flush_and_echo);
	tcase_add_test(tc, test_ldisc_disabled_key_is_ordinary);
	tcase_add_test(tc, test_ldisc_lnext_takes_the_next_key_literally);
	tcase_add_test(tc, test_ldisc_raw_mode_vmin_and_no_echo);
	tcase_add_test(tc, test_ldisc_mode_switch_keeps_what_was_typed);
	tcase_add_test(tc, test_ldisc_igncr_inlcr_echonl);
	tcase_add_test(tc, test_ldisc_full_line_and_queue_lose_only_the_excess);
	tcase_add_test(tc, test_ldisc_utf8_erase_takes_a_whole_character);
	tcase_add_test(tc, test_ldisc_output_onlcr_ocrnl_and_raw);
	suite_add_tcase(s, tc);
	return s;
}
