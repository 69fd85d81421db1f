/*
 * test_route.c - bus/route.c: every rule action, rule order, matching on
 * topic/src/dst/kind, the text form and its errors, rate limits on a
 * fake clock, and the limits that protect interrupts and replies.
 */
#include <stdio.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/route.h>
#include "unit.h"

static uint64_t fake_now;
static unsigned int got[8];		/* handler runs per service */
static uint8_t last_kind[8], last_prio[8];
static int16_t last_status[8];
static bool do_request[8];		/* on a request, ask svc 1 */

static uint64_t fake_clock(void)
{
	return fake_now;
}

static bus_svc_t a, b, c, tap;
static bus_topic_t t_ping, t_data;

static int handler(void *state, const struct bus_msg *m,
		   struct bus_msg *reply)
{
	unsigned int id = (unsigned int)(uintptr_t)state;

	(void)reply;
	got[id]++;
	last_kind[id] = m->kind;
	last_prio[id] = m->prio;
	last_status[id] = m->status;
	if (m->kind == BUS_REQUEST && do_request[id])
		bus_request(b, t_ping, BUS_PRIO_INHERIT, NULL, 0);
	return 0;
}

static bus_svc_t add(const char *name, unsigned int id)
{
	int s = bus_svc_add(name, handler, (void *)(uintptr_t)id, 16, 4);

	ck_assert_int_ge(s, 0);
	return (bus_svc_t)s;
}

static void setup(void)
{
	fake_now = 0;
	memset(got, 0, sizeof(got));
	memset(do_request, 0, sizeof(do_request));
	bus_init(fake_clock);
	a = add("a", 0);
	b = add("b", 1);
	c = add("c", 2);
	tap = add("tap", 3);
	t_ping = (bus_topic_t)bus_topic("svc.ping");
	t_data = (bus_topic_t)bus_topic("net.rx.data");
}

#define RULE(text) ck_assert_int_ge(bus_rule_add((text), NULL), 0)

START_TEST(test_rule_deny_returns_eperm_and_counts)
{
	struct bus_rule_stats st;
	struct bus_svc_stats ss;

	RULE("deny,topic=svc.ping,dst=b");
	ck_assert_int_eq(bus_send(b, t_ping, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_send(c, t_ping, 1, NULL, 0), 0);	/* not b */
	ck_assert_int_eq(bus_send(b, t_data, 1, NULL, 0), 0);	/* topic */
	bus_run(10);
	ck_assert_uint_eq(got[1], 1);
	ck_assert_int_eq(bus_rule_stats(0, &st), 0);
	ck_assert_uint_eq(st.hits, 1);
	ck_assert_uint_eq(st.drops, 1);
	bus_svc_stats(b, &ss);
	ck_assert_uint_eq(ss.drops, 1);
}
END_TEST

START_TEST(test_rule_judges_publish_without_subscribers)
{
	struct bus_rule_stats st;
	struct bus_topic_stats ts;

	/* nobody subscribes to net.rx.data: no rule, nothing refused */
	ck_assert_int_eq(bus_publish(t_data, 1, NULL, 0), 0);
	RULE("mirror:tap,topic=net.rx.*");
	ck_assert_int_eq(bus_publish(t_data, 1, "x", 1), 0);
	bus_run(10);
	ck_assert_uint_eq(got[3], 1);		/* the tap saw it */
	RULE("deny,topic=net.rx.data,src=kernel");
	ck_assert_int_eq(bus_publish(t_data, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_rule_stats(1, &st), 0);
	ck_assert_uint_eq(st.hits, 1);
	ck_assert_uint_eq(st.drops, 1);
	ck_assert_int_eq(bus_topic_stats(t_data, &ts), 0);
	ck_assert_uint_eq(ts.published, 3);
	ck_assert_uint_eq(ts.drops, 1);
	/* a rule naming a destination cannot match a publish nobody gets */
	ck_assert_int_eq(bus_rule_remove(1), 0);
	RULE("deny,topic=net.rx.data,dst=b");
	ck_assert_int_eq(bus_publish(t_data, 1, NULL, 0), 0);
	/* a redirect gives it to its target, which counts as reached */
	RULE("redirect:c,topic=net.rx.data,src=kernel");
	ck_assert_int_eq(bus_publish(t_data, 1, NULL, 0), 1);
	bus_run(10);
	ck_assert_uint_eq(got[2], 1);
	ck_assert_uint_eq(got[3], 3);		/* mirrored each time */
}
END_TEST

START_TEST(test_rule_deny_applies_to_inline_calls)
{
	RULE("deny,kind=request,src=kernel");
	ck_assert_int_eq(bus_call(a, t_ping, NULL, 0, NULL), -AE_EPERM);
	ck_assert_uint_eq(got[0], 0);
	ck_assert_int_eq(bus_send(a, t_ping, 1, NULL, 0), 0);	/* event */
}
END_TEST

START_TEST(test_rule_order_first_terminal_wins)
{
	RULE("allow,topic=svc.ping,src=kernel");
	RULE("deny,topic=svc.*,src=kernel");
	ck_assert_int_eq(bus_send(a, t_ping, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send(a, (bus_topic_t)bus_topic("svc.other"), 1,
				  NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_rule_remove(0), 0);
	ck_assert_int_eq(bus_send(a, t_ping, 1, NULL, 0), -AE_EPERM);
	bus_rule_clear();
	ck_assert_int_eq(bus_send(a, t_ping, 1, NULL, 0), 0);
}
END_TEST

START_TEST(test_rule_redirect_changes_destination)
{
	RULE("redirect:c,dst=b");
	ck_assert_int_eq(bus_send(b, t_data, 1, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(got[1], 0);
	ck_assert_uint_eq(got[2], 1);
	/* inline calls follow it too */
	ck_assert_int_eq(bus_call(b, t_ping, NULL, 0, NULL), 0);
	ck_assert_uint_eq(got[2], 2);
}
END_TEST

START_TEST(test_rule_redirected_request_replies_to_caller)
{
	RULE("redirect:c,dst=b,kind=request");
	do_request[0] = true;		/* a asks b; the rule sends it to c */
	ck_assert_int_eq(bus_call(a, t_ping, NULL, 0, NULL), 0);
	bus_run(10);
	ck_assert_uint_eq(got[1], 0);
	ck_assert_uint_eq(got[2], 1);
	ck_assert_uint_eq(last_kind[0], BUS_REPLY);	/* a got its answer */
}
END_TEST

START_TEST(test_rule_mirror_copies_and_continues)
{
	RULE("mirror:tap,topic=net.*");
	RULE("prio:1,topic=net.*");
	ck_assert_int_eq(bus_send(a, t_data, 5, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(got[0], 1);
	ck_assert_uint_eq(got[3], 1);
	ck_assert_uint_eq(last_kind[3], BUS_EVENT);
	ck_assert_uint_eq(last_prio[0], 1);	/* the later rule applied */
}
END_TEST

START_TEST(test_rule_mirror_of_request_is_an_event)
{
	RULE("mirror:tap,kind=request");
	ck_assert_int_eq(bus_call(a, t_ping, NULL, 0, NULL), 0);
	bus_run(10);
	ck_assert_uint_eq(got[0], 1);
	ck_assert_uint_eq(got[3], 1);
	ck_assert_uint_eq(last_kind[3], BUS_EVENT);
}
END_TEST

START_TEST(test_rule_reprioritise)
{
	RULE("prio:0,src=kernel,dst=c");
	bus_send(b, t_data, 7, NULL, 0);
	bus_send(c, t_data, 7, NULL, 0);
	bus_run(1);
	ck_assert_uint_eq(got[2], 1);		/* c's went first */
	ck_assert_uint_eq(last_prio[2], 0);
}
END_TEST

START_TEST(test_rule_rate_limit_token_bucket)
{
	struct bus_rule_stats st;
	int ok = 0;

	bus_rule_clock_rate(1000);		/* 1000 ticks per ms */
	RULE("rate:3/10,topic=net.*,src=kernel");	/* 3 per 10 ms */
	for (int i = 0; i < 10; i++)
		ok += bus_send(a, t_data, 1, NULL, 0) == 0;
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(bus_send(a, t_data, 1, NULL, 0), -AE_EAGAIN);
	bus_run(100);
	fake_now += 10 * 1000 / 3 + 1;		/* a third of the period */
	ck_assert_int_eq(bus_send(a, t_data, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send(a, t_data, 1, NULL, 0), -AE_EAGAIN);
	bus_rule_stats(0, &st);
	ck_assert_uint_eq(st.drops, 9);
	ck_assert_int_eq(bus_send(a, t_ping, 1, NULL, 0), 0);	/* no match */
}
END_TEST

START_TEST(test_rule_for_service_registered_later)
{
	bus_svc_t late;

	RULE("deny,dst=late");
	late = add("late", 4);
	ck_assert_int_eq(bus_send(late, t_data, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_send(a, t_data, 1, NULL, 0), 0);
}
END_TEST

START_TEST(test_rule_never_drops_interrupts_or_replies)
{
	int id;

	ck_assert_int_ge(bus_subscribe(a, "hw.irq.*", NULL), 0);
	RULE("deny,src=kernel");		/* everything */
	bus_irq_post(3);
	bus_run(10);
	ck_assert_uint_eq(got[0], 1);		/* the interrupt arrived */
	bus_rule_clear();
	RULE("deny,src=b");			/* b's answers too */
	do_request[0] = true;			/* a asks b */
	id = bus_call(a, t_ping, NULL, 0, NULL);
	ck_assert_int_eq(id, 0);
	bus_run(10);
	ck_assert_uint_eq(last_kind[0], BUS_REPLY);
}
END_TEST

START_TEST(test_rule_text_round_trip)
{
	static const char *const texts[] = {
		"deny,topic=example.ping,src=kernel",
		"redirect:c,dst=b,kind=request",
		"mirror:tap,topic=hw.*",
		"rate:10/1000,topic=net.rx.*",
		"prio:2,src=*,kind=event",
		"allow",
	};
	char buf[BUS_RULE_TEXT];

	for (unsigned int i = 0; i < 6; i++) {
		ck_assert_int_eq(bus_rule_add(texts[i], NULL), (int)i);
		bus_rule_format(i, buf, sizeof(buf));
		ck_assert_str_eq(buf, texts[i]);
	}
	ck_assert_uint_eq(bus_rule_count(), 6);
	ck_assert_int_eq(bus_rule_format(6, buf, sizeof(buf)), -AE_EINVAL);
}
END_TEST

START_TEST(test_rule_malformed_rejected_with_reason)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "empty rule" },
		{ "drop", "unknown action (allow, deny, redirect:<svc>, "
			  "mirror:<svc>, rate:<n>/<ms>, prio:<0-7>)" },
		{ "deny:x", "allow and deny take no argument" },
		{ "redirect", "redirect, mirror, rate and prio need "
			      "':<argument>'" },
		{ "mirror:*", "redirect/mirror target is not a service name" },
		{ "redirect:Bad", "redirect/mirror target is not a service "
				  "name" },
		{ "rate:0/10", "rate needs <n>/<ms>, both above 0" },
		{ "rate:5", "rate needs <n>/<ms>, both above 0" },
		{ "rate:5/x", "rate needs <n>/<ms>, both above 0" },
		{ "prio:8", "prio needs a priority 0..7" },
		{ "deny,topic=a.*.b", "'*' only as the last component "
				      "(\"a.b.*\") or alone" },
		{ "deny,src=A", "src is not a service name, name prefix "
				"(user-*) or *" },
		{ "deny,dst=", "dst is not a service name, name prefix "
			       "(user-*) or *" },
		{ "deny,src=a*b", "src is not a service name, name prefix "
				  "(user-*) or *" },
		{ "mirror:user-*", "redirect/mirror target is not a service "
				   "name" },
		{ "deny,kind=any", "kind is event, request, reply or *" },
		{ "deny,color=red", "unknown match key (topic, src, dst, "
				    "kind)" },
		{ "deny,topic", "match must be key=value (topic, src, dst, "
				"kind)" },
		{ "deny,kind=reply", "replies are never withheld: deny, rate "
				     "and redirect cannot match kind=reply" },
		{ "redirect:c,dst=b,kind=reply", "replies are never withheld: "
			"deny, rate and redirect cannot match kind=reply" },
		{ "mirror:tap,dst=kernel", "nothing is delivered to kernel: "
					   "dst=kernel never matches" },
	};
	const char *why;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(bus_rule_add(bad[i].text, &why) == -AE_EINVAL,
			      "\"%s\" accepted", bad[i].text);
		ck_assert_msg(why && strcmp(why, bad[i].why) == 0,
			      "\"%s\": \"%s\"", bad[i].text, why);
	}
	ck_assert_uint_eq(bus_rule_count(), 0);
}
END_TEST

START_TEST(test_rule_name_prefix_matches_services)
{
	bus_svc_t u1 = add("user-ping-3", 4), u2 = add("user-pong-4", 5);
	bus_svc_t r1 = add("root-sh-5", 6), r2 = add("root-x-6", 7);
	struct bus_rule_stats st;
	char text[BUS_RULE_TEXT];

	bus_svc_set_flags(u1, BUS_SVC_F_USER);
	bus_svc_set_flags(u2, BUS_SVC_F_USER);
	bus_svc_set_flags(r1, BUS_SVC_F_USER);
	bus_svc_set_flags(r2, BUS_SVC_F_USER);

	RULE("allow,topic=user.*,src=user-*");
	RULE("deny,src=user-*");
	RULE("deny,topic=svc.*,dst=root-*");
	ck_assert_int_eq(bus_send_as(u1, b, t_ping, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_send_as(u2, b, t_data, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_send_as(r1, b, t_ping, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send(b, t_ping, 1, NULL, 0), 0);	/* kernel */
	ck_assert_int_eq(bus_send_as(u1, u2,
				     (bus_topic_t)bus_topic("user.ping"), 1,
				     NULL, 0), 0);
	ck_assert_int_eq(bus_send_as(r2, r1, t_ping, 1, NULL, 0), -AE_EPERM);
	/* kernel traffic: a prefix is not a name, so it passes */
	ck_assert_int_eq(bus_send(r1, t_ping, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send(u1, t_ping, 1, NULL, 0), 0);
	bus_run(20);
	ck_assert_uint_eq(got[1], 2);
	ck_assert_uint_eq(got[5], 1);
	ck_assert_uint_eq(got[6], 1);
	ck_assert_int_eq(bus_rule_stats(1, &st), 0);
	ck_assert_uint_eq(st.drops, 2);
	ck_assert_int_gt(bus_rule_format(1, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "deny,src=user-*");
}
END_TEST

START_TEST(test_rule_kernel_traffic_only_when_a_service_is_named)
{
	bus_svc_t u = add("user-p-1", 4);

	bus_svc_set_flags(u, BUS_SVC_F_USER);
	/* "add deny" from a shell: every process refused, the kernel not */
	RULE("deny");
	ck_assert_int_eq(bus_send(b, t_ping, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_call(b, t_ping, NULL, 0, NULL), 0);
	ck_assert_int_eq(bus_publish(t_data, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send_as(u, b, t_ping, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_publish_as(u, t_data, 1, NULL, 0), -AE_EPERM);
	/* naming the destination makes it the administrator's choice */
	RULE("deny,dst=c");
	ck_assert_int_eq(bus_send(c, t_ping, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_send(b, t_ping, 1, NULL, 0), 0);
	bus_rule_clear();
	RULE("rate:1/1000,topic=net.*");
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(bus_send(a, t_data, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send_as(u, a, t_data, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send_as(u, a, t_data, 1, NULL, 0), -AE_EAGAIN);
	bus_rule_clear();
	RULE("redirect:c");
	ck_assert_int_eq(bus_send(b, t_ping, 1, NULL, 0), 0);
	bus_run(20);
	ck_assert_uint_eq(got[1], 4);		/* b's own, not c's */
	ck_assert_uint_eq(got[2], 0);
	/* mirror and prio are not withholding: they see kernel traffic */
	RULE("mirror:tap");
	ck_assert_int_eq(bus_send(b, t_ping, 1, NULL, 0), 0);
	bus_run(20);
	ck_assert_uint_eq(got[3], 1);
}
END_TEST

START_TEST(test_rule_rescue_services_always_reach_each_other)
{
	bus_svc_t sh = add("shell", 4), ns = add("ns", 5);
	const char *why = NULL;

	bus_svc_set_flags(sh, BUS_SVC_F_RESCUE);
	bus_svc_set_flags(ns, BUS_SVC_F_RESCUE);
	RULE("deny,src=shell");
	ck_assert_int_eq(bus_send_as(sh, ns, t_ping, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send_as(sh, b, t_ping, 1, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_rule_add("deny,src=shell,dst=ns", &why),
			 -AE_EINVAL);
	ck_assert_str_eq(why, "console, shell, ns and sysfs always reach each "
			      "other (the way back from a bad rule)");
	/* watching them is fine */
	RULE("mirror:tap,src=shell,dst=ns");
	ck_assert_uint_eq(bus_rule_count(), 2);
}
END_TEST

START_TEST(test_rule_never_reached_refused_with_reason)
{
	const char *why = NULL;
	char text[BUS_RULE_TEXT];

	RULE("deny,topic=power.*,src=user-*");
	RULE("deny,src=user-*");
	ck_assert_int_eq(bus_rule_add("allow,topic=user.*,src=user-*", &why),
			 -AE_EINVAL);
	ck_assert_str_eq(why, "never reached: rule 1 decides all it would "
			      "match first (ins N RULE puts one before it)");
	ck_assert_int_eq(bus_rule_add("deny,topic=power.off,src=user-*",
				      &why), -AE_EINVAL);
	ck_assert_str_eq(why, "never reached: rule 0 decides all it would "
			      "match first (ins N RULE puts one before it)");
	/* before the deny, the same rule takes effect */
	ck_assert_int_eq(bus_rule_insert(1, "allow,topic=user.*,src=user-*",
					 &why), 1);
	bus_rule_format(1, text, sizeof(text));
	ck_assert_str_eq(text, "allow,topic=user.*,src=user-*");
	bus_rule_format(2, text, sizeof(text));
	ck_assert_str_eq(text, "deny,src=user-*");
	ck_assert_int_eq(bus_rule_insert(9, "allow", &why), -AE_EINVAL);
	ck_assert_str_eq(why, "no rule with that number");
	/* what a deny of processes does not see, later rules still do */
	RULE("deny,src=kernel,topic=svc.*");
	RULE("mirror:tap,topic=svc.*");
	ck_assert_int_eq(bus_rule_add("prio:1,src=user-*,kind=event", &why),
			 -AE_EINVAL);
	ck_assert_str_eq(why, "never reached: rule 2 decides all it would "
			      "match first (ins N RULE puts one before it)");
	bus_rule_clear();
	RULE("allow");
	ck_assert_int_eq(bus_rule_add("mirror:tap", &why), -AE_EINVAL);
	ck_assert_uint_eq(bus_rule_count(), 1);
}
END_TEST

START_TEST(test_rule_clear_keeps_default_rules)
{
	ck_assert_int_eq(bus_rule_add_default("deny,topic=power.*,src=user-*",
					      NULL), 0);
	RULE("mirror:tap");
	RULE("deny,dst=c");
	ck_assert(bus_rule_is_default(0));
	ck_assert(!bus_rule_is_default(1));
	ck_assert(!bus_rule_is_default(7));
	bus_rule_clear();
	ck_assert_uint_eq(bus_rule_count(), 1);
	ck_assert(bus_rule_is_default(0));
	ck_assert_int_eq(bus_send(c, t_ping, 1, NULL, 0), 0);
	bus_rule_clear_all();
	ck_assert_uint_eq(bus_rule_count(), 0);
}
END_TEST

START_TEST(test_rule_table_full)
{
	const char *why;

	for (int i = 0; i < BUS_RULES_MAX; i++)
		ck_assert_int_eq(bus_rule_add("mirror:tap", NULL), i);
	ck_assert_int_eq(bus_rule_add("mirror:tap", &why), -AE_ENOSPC);
	ck_assert_str_eq(why, "rule table full");
	ck_assert_int_eq(bus_rule_remove(BUS_RULES_MAX), -AE_EINVAL);
}
END_TEST

Suite *suite_bus_route(void)
{
	Suite *s = suite_create("bus_route");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_rule_deny_returns_eperm_and_counts);
	tcase_add_test(tc, test_rule_deny_applies_to_inline_calls);
	tcase_add_test(tc, test_rule_order_first_terminal_wins);
	tcase_add_test(tc, test_rule_redirect_changes_destination);
	tcase_add_test(tc, test_rule_redirected_request_replies_to_caller);
	tcase_add_test(tc, test_rule_mirror_copies_and_continues);
	tcase_add_test(tc, test_rule_mirror_of_request_is_an_event);
	tcase_add_test(tc, test_rule_reprioritise);
	tcase_add_test(tc, test_rule_rate_limit_token_bucket);
	tcase_add_test(tc, test_rule_for_service_registered_later);
	tcase_add_test(tc, test_rule_never_drops_interrupts_or_replies);
	tcase_add_test(tc, test_rule_text_round_trip);
	tcase_add_test(tc, test_rule_malformed_rejected_with_reason);
	tcase_add_test(tc, test_rule_table_full);
	tcase_add_test(tc, test_rule_kernel_traffic_only_when_a_service_is_named);
	tcase_add_test(tc, test_rule_rescue_services_always_reach_each_other);
	tcase_add_test(tc, test_rule_never_reached_refused_with_reason);
	tcase_add_test(tc, test_rule_clear_keeps_default_rules);
	tcase_add_test(tc, test_rule_judges_publish_without_subscribers);
	tcase_add_test(tc, test_rule_name_prefix_matches_services);
	suite_add_tcase(s, tc);
	return s;
}
