/*
 * test_civil.c - services/rtc/civil.c: seconds since 1970 as a UTC date,
 * checked against dates worked out by hand (and by Python's datetime).
 */
#include <string.h>
#include "../../../../services/rtc/civil.h"
#include "unit.h"

static void expect(uint64_t secs, const char *text)
{
	char buf[40];

	civil_format(secs, buf, sizeof(buf));
	ck_assert_str_eq(buf, text);
}

START_TEST(test_civil_epoch_and_known_dates)
{
	expect(0, "1970-01-01 00:00:00 UTC\n");
	expect(86399, "1970-01-01 23:59:59 UTC\n");
	expect(951782400, "2000-02-29 00:00:00 UTC\n");	/* a leap day */
	expect(951868800, "2000-03-01 00:00:00 UTC\n");
	expect(1795607523, "2026-11-25 11:52:03 UTC\n");
	expect(4107542399ull, "2100-02-28 23:59:59 UTC\n");	/* no leap */
	expect(4107542400ull, "2100-03-01 00:00:00 UTC\n");
}
END_TEST

START_TEST(test_civil_every_day_follows_the_last)
{
	struct civil_time a, b;

	/* 1970 to 2400, day by day: the date advances by exactly one */
	civil_from_epoch(0, &a);
	for (uint64_t d = 1; d < 157000; d++) {
		civil_from_epoch(d * 86400, &b);
		if (b.day == 1) {
			ck_assert(b.month == a.month % 12 + 1);
			ck_assert(a.day >= 28 && a.day <= 31);
			ck_assert(b.year == a.year + (b.month == 1));
		} else {
			ck_assert_uint_eq(b.day, a.day + 1);
			ck_assert_uint_eq(b.month, a.month);
		}
		if (a.month == 2 && b.day == 1)
			ck_assert_uint_eq(a.day, (a.year % 4 == 0 &&
						  a.year % 100 != 0) ||
					  a.year % 400 == 0 ? 29 : 28);
		a = b;
	}
}
END_TEST

START_TEST(test_civil_format_truncates_safely)
{
	char buf[8];

	ck_assert_int_eq(civil_format(0, buf, sizeof(buf)), 24);
	ck_assert_str_eq(buf, "1970-01");
}
END_TEST

Suite *suite_civil(void)
{
	Suite *s = suite_create("civil");
	TCase *tc = tcase_create("civil");

	tcase_add_test(tc, test_civil_epoch_and_known_dates);
	tcase_add_test(tc, test_civil_every_day_follows_the_last);
	tcase_add_test(tc, test_civil_format_truncates_safely);
	suite_add_tcase(s, tc);
	return s;
}
