/*
 * test_topic.c - bus/topic.c: interning, name rules, patterns.
 */
#include <stdio.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include "unit.h"

static void setup(void)
{
	bus_init(NULL);
}

START_TEST(test_topic_interned_once)
{
	int a = bus_topic("hw.irq.uart0");
	int b = bus_topic("hw.irq.uart0");

	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(a, b);
	ck_assert_str_eq(bus_topic_name((bus_topic_t)a), "hw.irq.uart0");
	ck_assert_int_eq(bus_topic_find("hw.irq.uart0"), a);
	ck_assert_int_ne(bus_topic("hw.irq.uart1"), a);
}
END_TEST

START_TEST(test_topic_find_unknown_is_enoent)
{
	ck_assert_int_eq(bus_topic_find("no.such.topic"), -AE_ENOENT);
	ck_assert_str_eq(bus_topic_name(BUS_TOPIC_MAX - 1), "?");
}
END_TEST

START_TEST(test_topic_bad_names_rejected)
{
	static const char *const bad[] = {
		"", ".a", "a.", "a..b", "A.b", "a b", "a/b", "a.*", "*",
		"hw.irq.*", "a*", "012345678901234567890123456789012345678901234567",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(bus_topic(bad[i]) == -AE_EINVAL, "\"%s\"",
			      bad[i]);
	ck_assert_int_eq(bus_topic(NULL), -AE_EINVAL);
}
END_TEST

START_TEST(test_topic_table_full_is_enospc)
{
	char name[32];
	int rc = 0;

	for (int i = 0; i < BUS_TOPIC_MAX + 5 && rc >= 0; i++) {
		snprintf(name, sizeof(name), "t.n%d", i);
		rc = bus_topic(name);
	}
	ck_assert_int_eq(rc, -AE_ENOSPC);
	/* existing ones are still found */
	ck_assert_int_ge(bus_topic("t.n1"), 0);
}
END_TEST

START_TEST(test_pattern_rules)
{
	const char *why = NULL;

	ck_assert_int_eq(bus_pattern_check("*", &why), 0);
	ck_assert_int_eq(bus_pattern_check("hw.*", &why), 0);
	ck_assert_int_eq(bus_pattern_check("hw.irq", &why), 0);
	ck_assert_int_eq(bus_pattern_check("hw.*.uart", &why), -AE_EINVAL);
	ck_assert_str_eq(why, "'*' only as the last component (\"a.b.*\") or "
			      "alone");
	ck_assert_int_eq(bus_pattern_check("hw*", &why), -AE_EINVAL);
	ck_assert_int_eq(bus_pattern_check("hw..x", &why), -AE_EINVAL);
	ck_assert_int_eq(bus_pattern_check("Hw", &why), -AE_EINVAL);
	ck_assert_str_eq(why, "character outside [a-z0-9_-.]");
}
END_TEST

START_TEST(test_pattern_match)
{
	ck_assert(bus_pattern_match("*", "a"));
	ck_assert(bus_pattern_match("hw.*", "hw.irq"));
	ck_assert(bus_pattern_match("hw.*", "hw.irq.uart0"));
	ck_assert(!bus_pattern_match("hw.*", "hw"));
	ck_assert(!bus_pattern_match("hw.*", "hwx.irq"));
	ck_assert(!bus_pattern_match("hw.irq.*", "hw.irqx.a"));
	ck_assert(bus_pattern_match("sched", "sched"));
	ck_assert(!bus_pattern_match("sched", "sched.x"));
}
END_TEST

Suite *suite_bus_topic(void)
{
	Suite *s = suite_create("bus_topic");
	TCase *tc = tcase_create("topic");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_topic_interned_once);
	tcase_add_test(tc, test_topic_find_unknown_is_enoent);
	tcase_add_test(tc, test_topic_bad_names_rejected);
	tcase_add_test(tc, test_topic_table_full_is_enospc);
	tcase_add_test(tc, test_pattern_rules);
	tcase_add_test(tc, test_pattern_match);
	suite_add_tcase(s, tc);
	return s;
}
