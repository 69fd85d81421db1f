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

static int sink(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	(void)m;
	(void)r;
	return 0;
}

/* bus_topic_free: a process's topic goes, its id is taken again (lowest
 * first) and every other name stays findable past the hole. */
START_TEST(test_topic_free_and_reuse)
{
	char name[32];
	int ids[100], s, t;

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "user.f.%d", i);
		ids[i] = bus_topic(name);
		ck_assert_int_ge(ids[i], 0);
	}
	unsigned int used = bus_topic_used();

	for (int i = 0; i < 100; i += 3)
		ck_assert_int_eq(bus_topic_free((bus_topic_t)ids[i]), 0);
	ck_assert_uint_eq(bus_topic_used(), used - 34);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "user.f.%d", i);
		ck_assert_int_eq(bus_topic_find(name),
				 i % 3 ? ids[i] : -AE_ENOENT);
		ck_assert(bus_topic_live((bus_topic_t)ids[i]) == (i % 3 != 0));
	}
	ck_assert_str_eq(bus_topic_name((bus_topic_t)ids[3]), "?");
	/* a freed id is refused by every call, then taken again */
	ck_assert_int_eq(bus_publish((bus_topic_t)ids[0], 1, NULL, 0),
			 -AE_EINVAL);
	ck_assert_int_eq(bus_topic_free((bus_topic_t)ids[0]), -AE_EINVAL);
	t = bus_topic("user.g");
	ck_assert_int_eq(t, ids[0]);
	ck_assert_str_eq(bus_topic_name((bus_topic_t)t), "user.g");
	ck_assert_int_eq(bus_topic("user.f.1"), ids[1]);
	/* one with a message queued on it is kept until it is delivered */
	s = bus_svc_add("s", sink, NULL, 4, 4);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bus_send((bus_svc_t)s, (bus_topic_t)t, 1, NULL, 0),
			 0);
	ck_assert_int_eq(bus_topic_free((bus_topic_t)t), -AE_EBUSY);
	bus_run(4);
	ck_assert_int_eq(bus_topic_free((bus_topic_t)t), 0);
}
END_TEST

/* Freeing leaves no tombstones: however many names come and go, a probe
 * ends, and every live name stays findable (a hash that only filled up
 * would loop forever on a missing name). */
START_TEST(test_topic_free_many_times_leaves_the_hash_whole)
{
	char name[32];
	int keep[64];

	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "user.keep.%d", i);
		keep[i] = bus_topic(name);
		ck_assert_int_ge(keep[i], 0);
	}
	for (int k = 0; k < 20000; k++) {
		int t;

		snprintf(name, sizeof(name), "user.c.%d", k);
		t = bus_topic(name);
		ck_assert_int_ge(t, 0);
		ck_assert_int_eq(bus_topic_free((bus_topic_t)t), 0);
	}
	ck_assert_int_eq(bus_topic_find("user.absent"), -AE_ENOENT);
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "user.keep.%d", i);
		ck_assert_int_eq(bus_topic_find(name), keep[i]);
	}
}
END_TEST

START_TEST(test_topic_free_refuses_kernel_topics)
{
	int irq = bus_topic("hw.irq");

	/* contracted (aegis/topics.h) and interrupt topics stay */
	ck_assert_int_eq(bus_topic_free(0), -AE_EPERM);
	ck_assert_int_ge(irq, 0);
	ck_assert_int_eq(bus_topic_free((bus_topic_t)irq), -AE_EPERM);
	ck_assert_int_eq(bus_topic_free(BUS_TOPIC_MAX - 1), -AE_EINVAL);
}
END_TEST

Suite *suite_bus_topic(void)
{
	Suite *s = suite_create("bus_topic");
	TCase *tc = tcase_create("topic");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_topic_interned_once);
	tcase_add_test(tc, test_topic_free_and_reuse);
	tcase_add_test(tc, test_topic_free_refuses_kernel_topics);
	tcase_add_test(tc, test_topic_free_many_times_leaves_the_hash_whole);
	tcase_add_test(tc, test_topic_find_unknown_is_enoent);
	tcase_add_test(tc, test_topic_bad_names_rejected);
	tcase_add_test(tc, test_topic_table_full_is_enospc);
	tcase_add_test(tc, test_pattern_rules);
	tcase_add_test(tc, test_pattern_match);
	suite_add_tcase(s, tc);
	return s;
}
