/*
 * test_boot_params.c - kernel/boot_params.c: the command-line tokenizer
 * and the value checks, against a table of its own.
 */
#include <stdio.h>
#include <string.h>
#include <aegis/bootparam.h>
#include "unit.h"

static bool flag;
static uint32_t level;
static char name[16];
static uint32_t choice;
static const char *const choices[] = { "a", "b", "c", NULL };

static char seen[4][32];	/* what the BP_FUNC option was given */
static int nseen;

static int collect(const char *value, const char **why)
{
	if (strcmp(value, "bad") == 0) {
		*why = "bad is refused";
		return -1 * 22;
	}
	snprintf(seen[nseen++ % 4], sizeof(seen[0]), "%s", value);
	return 0;
}

static const struct bootparam table[] = {
	{ "flag", BP_FLAG, &flag, sizeof(flag), 0, 1, NULL, "a flag", NULL },
	{ "level", BP_UINT, &level, sizeof(level), 0, 7, NULL, "0..7", NULL },
	{ "name", BP_STRING, name, sizeof(name), 0, 0, NULL, "a string",
	  NULL },
	{ "choice", BP_ENUM, &choice, sizeof(choice), 0, 0, choices, "abc",
	  NULL },
	{ "rule", BP_FUNC, NULL, 0, 0, 0, NULL, "repeatable", collect },
};

static int nwarn;
static char last[512];

static void warn(const char *msg, void *ctx)
{
	(void)ctx;
	nwarn++;
	snprintf(last, sizeof(last), "%s", msg);
}

static void reset(void)
{
	flag = false;
	level = 6;
	strcpy(name, "dflt");
	choice = 1;
	nwarn = 0;
	last[0] = '\0';
}

static int parse(const char *cmdline)
{
	return bootparam_parse(table, sizeof(table) / sizeof(table[0]),
			       cmdline, warn, NULL);
}

START_TEST(test_empty_and_null_cmdline_change_nothing)
{
	reset();
	ck_assert_int_eq(parse(""), 0);
	ck_assert_int_eq(parse(NULL), 0);
	ck_assert_int_eq(parse("   \t\n "), 0);
	ck_assert_int_eq(level, 6);
	ck_assert_int_eq(nwarn, 0);
}
END_TEST

START_TEST(test_flag_alone_sets_true)
{
	reset();
	ck_assert_int_eq(parse("flag"), 0);
	ck_assert(flag);
}
END_TEST

START_TEST(test_flag_values_accepted)
{
	static const char *const on[] = { "1", "on", "yes", "true" };
	static const char *const off[] = { "0", "off", "no", "false" };
	char buf[32];

	for (size_t i = 0; i < 4; i++) {
		reset();
		snprintf(buf, sizeof(buf), "flag=%s", on[i]);
		ck_assert_int_eq(parse(buf), 0);
		ck_assert(flag);
		snprintf(buf, sizeof(buf), "flag=%s", off[i]);
		ck_assert_int_eq(parse(buf), 0);
		ck_assert(!flag);
	}
}
END_TEST

START_TEST(test_flag_bad_value_keeps_default)
{
	reset();
	ck_assert_int_eq(parse("flag=maybe"), 1);
	ck_assert(!flag);
	ck_assert_ptr_nonnull(strstr(last, "flag=maybe is not a flag value"));
}
END_TEST

START_TEST(test_uint_decimal_and_hex)
{
	reset();
	ck_assert_int_eq(parse("level=3"), 0);
	ck_assert_int_eq(level, 3);
	ck_assert_int_eq(parse("level=0x7"), 0);
	ck_assert_int_eq(level, 7);
	ck_assert_int_eq(parse("level=0"), 0);
	ck_assert_int_eq(level, 0);
}
END_TEST

START_TEST(test_uint_out_of_range_keeps_default)
{
	reset();
	ck_assert_int_eq(parse("level=99"), 1);
	ck_assert_int_eq(level, 6);
	ck_assert_str_eq(last, "bootparam: level=99 out of range 0..7, "
			       "keeping default 6");
}
END_TEST

START_TEST(test_uint_not_a_number_rejected)
{
	static const char *const bad[] = {
		"level=12abc", "level=", "level=0x", "level=-1", "level=0xg",
		"level=3.5",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset();
		ck_assert_int_eq(parse(bad[i]), 1);
		ck_assert_int_eq(level, 6);
	}
}
END_TEST

START_TEST(test_uint_overflow_rejected)
{
	reset();
	ck_assert_int_eq(parse("level=4294967296"), 1);
	ck_assert_int_eq(level, 6);
	ck_assert_ptr_nonnull(strstr(last, "out of range"));
	reset();
	ck_assert_int_eq(parse("level=99999999999999999999999"), 1);
	ck_assert_int_eq(level, 6);
}
END_TEST

START_TEST(test_uint_without_value_rejected)
{
	reset();
	ck_assert_int_eq(parse("level"), 1);
	ck_assert_ptr_nonnull(strstr(last, "needs a value"));
	ck_assert_int_eq(level, 6);
}
END_TEST

START_TEST(test_string_copied)
{
	reset();
	ck_assert_int_eq(parse("name=hello"), 0);
	ck_assert_str_eq(name, "hello");
	ck_assert_int_eq(parse("name=123456789012345"), 0); /* 15 fits */
	ck_assert_str_eq(name, "123456789012345");
}
END_TEST

START_TEST(test_string_too_long_keeps_default)
{
	reset();
	ck_assert_int_eq(parse("name=1234567890123456"), 1);
	ck_assert_str_eq(name, "dflt");
	ck_assert_ptr_nonnull(strstr(last, "longer than 15 bytes"));
}
END_TEST

START_TEST(test_string_without_value_rejected)
{
	reset();
	ck_assert_int_eq(parse("name"), 1);
	ck_assert_str_eq(name, "dflt");
	ck_assert_int_eq(parse("name="), 1);	/* bare '=': refused */
	ck_assert_str_eq(name, "dflt");
	ck_assert_ptr_nonnull(strstr(last, "needs a value"));
}
END_TEST

START_TEST(test_enum_valid_and_invalid)
{
	reset();
	ck_assert_int_eq(parse("choice=c"), 0);
	ck_assert_int_eq(choice, 2);
	ck_assert_int_eq(parse("choice=d"), 1);
	ck_assert_int_eq(choice, 2);
	ck_assert_ptr_nonnull(strstr(last, "keeping default c"));
	ck_assert_int_eq(parse("choice"), 1);
}
END_TEST

START_TEST(test_unknown_option_reported_by_name)
{
	reset();
	ck_assert_int_eq(parse("bogus=1 level=2"), 1);
	ck_assert_str_eq(last, "bootparam: unknown option 'bogus', ignored");
	ck_assert_int_eq(level, 2);
}
END_TEST

START_TEST(test_quoted_value_keeps_spaces)
{
	reset();
	ck_assert_int_eq(parse("name=\"a b  c\" level=1"), 0);
	ck_assert_str_eq(name, "a b  c");
	ck_assert_int_eq(level, 1);
}
END_TEST

START_TEST(test_unterminated_quote_rejected)
{
	reset();
	ck_assert_int_eq(parse("name=\"abc level=1"), 1);
	ck_assert_ptr_nonnull(strstr(last, "unterminated quote"));
	ck_assert_str_eq(name, "dflt");
	ck_assert_int_eq(level, 6);
}
END_TEST

START_TEST(test_overlong_token_rejected)
{
	char buf[400];

	reset();
	memset(buf, 'x', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "name=", 5);
	ck_assert_int_eq(parse(buf), 1);
	ck_assert_ptr_nonnull(strstr(last, "longer than 255 bytes"));
	ck_assert_str_eq(name, "dflt");
}
END_TEST

START_TEST(test_double_dash_ends_kernel_options)
{
	reset();
	ck_assert_int_eq(parse("level=1 -- level=2 bogus"), 0);
	ck_assert_int_eq(level, 1);
}
END_TEST

START_TEST(test_repeated_option_last_wins)
{
	reset();
	ck_assert_int_eq(parse("level=1 level=5"), 0);
	ck_assert_int_eq(level, 5);
}
END_TEST

START_TEST(test_tabs_and_newlines_separate)
{
	reset();
	ck_assert_int_eq(parse("level=2\tflag\nname=x"), 0);
	ck_assert_int_eq(level, 2);
	ck_assert(flag);
	ck_assert_str_eq(name, "x");
}
END_TEST

START_TEST(test_every_complaint_counted)
{
	reset();
	ck_assert_int_eq(parse("a b c level=9 flag=2"), 5);
	ck_assert_int_eq(nwarn, 5);
}
END_TEST

START_TEST(test_null_warn_callback_still_counts)
{
	reset();
	ck_assert_int_eq(bootparam_parse(table, 5, "bogus", NULL, NULL), 1);
}
END_TEST

START_TEST(test_token_of_255_bytes_is_not_overlong)
{
	char buf[256];

	reset();
	/* 255 bytes fit the tokenizer: the complaint is the string's */
	memset(buf, 'y', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "name=", 5);
	ck_assert_int_eq(parse(buf), 1);
	ck_assert_ptr_nonnull(strstr(last, "name value longer than 15"));
	ck_assert_str_eq(name, "dflt");
}
END_TEST

START_TEST(test_overlong_token_does_not_hide_next_option)
{
	char buf[400];

	reset();
	memset(buf, 'x', 300);
	strcpy(buf + 300, " level=3");
	ck_assert_int_eq(parse(buf), 1);
	ck_assert_int_eq(level, 3);
}
END_TEST

START_TEST(test_uint_hex_uppercase_and_leading_zeros)
{
	reset();
	ck_assert_int_eq(parse("level=0X5"), 0);
	ck_assert_int_eq(level, 5);
	ck_assert_int_eq(parse("level=007"), 0);
	ck_assert_int_eq(level, 7);
	ck_assert_int_eq(parse("level=0x0000000000000002"), 0);
	ck_assert_int_eq(level, 2);
}
END_TEST

START_TEST(test_enum_first_choice_and_empty_value)
{
	reset();
	ck_assert_int_eq(parse("choice=a"), 0);
	ck_assert_int_eq(choice, 0);
	ck_assert_int_eq(parse("choice="), 1);
	ck_assert_int_eq(choice, 0);
	ck_assert_ptr_nonnull(strstr(last, "keeping default a"));
}
END_TEST

START_TEST(test_flag_empty_value_rejected)
{
	reset();
	flag = true;
	ck_assert_int_eq(parse("flag="), 1);
	ck_assert(flag);
}
END_TEST

START_TEST(test_quoted_empty_string_value)
{
	reset();
	ck_assert_int_eq(parse("name=\"\""), 0);
	ck_assert_str_eq(name, "");
}
END_TEST

START_TEST(test_double_dash_prefix_is_not_the_separator)
{
	reset();
	ck_assert_int_eq(parse("--x level=4"), 1);
	ck_assert_str_eq(last, "bootparam: unknown option '--x', ignored");
	ck_assert_int_eq(level, 4);
}
END_TEST

START_TEST(test_func_option_called_for_each_occurrence)
{
	reset();
	nseen = 0;
	ck_assert_int_eq(parse("rule=a,b rule=c level=2 rule=\"d e\""), 0);
	ck_assert_int_eq(nseen, 3);
	ck_assert_str_eq(seen[0], "a,b");
	ck_assert_str_eq(seen[1], "c");
	ck_assert_str_eq(seen[2], "d e");
}
END_TEST

START_TEST(test_func_option_refusal_reported)
{
	reset();
	nseen = 0;
	ck_assert_int_eq(parse("rule=bad rule=ok rule rule="), 3);
	ck_assert_int_eq(nseen, 1);
	ck_assert_ptr_nonnull(strstr(last, "needs a value"));
	reset();
	ck_assert_int_eq(parse("rule=bad"), 1);
	ck_assert_str_eq(last, "bootparam: rule=bad: bad is refused; ignored");
}
END_TEST

Suite *suite_boot_params(void)
{
	Suite *s = suite_create("boot_params");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_empty_and_null_cmdline_change_nothing);
	tcase_add_test(tc, test_flag_alone_sets_true);
	tcase_add_test(tc, test_flag_values_accepted);
	tcase_add_test(tc, test_flag_bad_value_keeps_default);
	tcase_add_test(tc, test_uint_decimal_and_hex);
	tcase_add_test(tc, test_uint_out_of_range_keeps_default);
	tcase_add_test(tc, test_uint_not_a_number_rejected);
	tcase_add_test(tc, test_uint_overflow_rejected);
	tcase_add_test(tc, test_uint_without_value_rejected);
	tcase_add_test(tc, test_string_copied);
	tcase_add_test(tc, test_string_too_long_keeps_default);
	tcase_add_test(tc, test_string_without_value_rejected);
	tcase_add_test(tc, test_enum_valid_and_invalid);
	tcase_add_test(tc, test_unknown_option_reported_by_name);
	tcase_add_test(tc, test_quoted_value_keeps_spaces);
	tcase_add_test(tc, test_unterminated_quote_rejected);
	tcase_add_test(tc, test_overlong_token_rejected);
	tcase_add_test(tc, test_double_dash_ends_kernel_options);
	tcase_add_test(tc, test_repeated_option_last_wins);
	tcase_add_test(tc, test_tabs_and_newlines_separate);
	tcase_add_test(tc, test_every_complaint_counted);
	tcase_add_test(tc, test_null_warn_callback_still_counts);
	tcase_add_test(tc, test_func_option_called_for_each_occurrence);
	tcase_add_test(tc, test_func_option_refusal_reported);
	tcase_add_test(tc, test_token_of_255_bytes_is_not_overlong);
	tcase_add_test(tc, test_overlong_token_does_not_hide_next_option);
	tcase_add_test(tc, test_uint_hex_uppercase_and_leading_zeros);
	tcase_add_test(tc, test_enum_first_choice_and_empty_value);
	tcase_add_test(tc, test_flag_empty_value_rejected);
	tcase_add_test(tc, test_quoted_empty_string_value);
	tcase_add_test(tc, test_double_dash_prefix_is_not_the_separator);
	suite_add_tcase(s, tc);
	return s;
}
