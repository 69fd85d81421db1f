/*
 * test_route.c - bus/route.c: every rule action, rule order, matching on
 * topic/src/dst/kind, the text form and its errors, rate limits on a
 * fake clock, and the limits that protect interrupts and replies; the
 * index (rules that cannot match a message are not looked at), as
 * services and topics come and go, against a naive matcher on random
 * rules and messages, and when memory runs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/route.h>
#include "../../../bus/bus_internal.h"	/* route_apply, for the verdict */
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

	ck_assert_int_eq(BUS_RULES_MAX, 1024);
	for (int i = 0; i < BUS_RULES_MAX; i++)
		ck_assert_int_eq(bus_rule_add("mirror:tap", NULL), i);
	ck_assert_int_eq(bus_rule_add("mirror:tap", &why), -AE_ENOSPC);
	ck_assert_str_eq(why, "rule table full");
	ck_assert_int_eq(bus_rule_insert(0, "mirror:tap", &why), -AE_ENOSPC);
	ck_assert_int_eq(bus_rule_remove(BUS_RULES_MAX), -AE_EINVAL);
	ck_assert_uint_eq(bus_rule_count(), BUS_RULES_MAX);
	/* one copy to tap, however many rules say so */
	ck_assert_int_eq(bus_send(a, t_ping, 1, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(got[3], 1);
	ck_assert_int_eq(bus_rule_remove(500), 0);
	ck_assert_int_eq(bus_rule_insert(7, "deny,dst=b", NULL), 7);
	ck_assert_int_eq(bus_rule_add("mirror:tap", &why), -AE_ENOSPC);
	bus_rule_clear_all();
	ck_assert_uint_eq(bus_rule_count(), 0);
	ck_assert_int_eq(bus_rule_add("deny,dst=b", NULL), 0);
}
END_TEST

/* How many rules the message looks at. */
static uint64_t examined_by(int rc_want, bus_svc_t src, bus_svc_t dst,
			    bus_topic_t t)
{
	uint64_t e = bus_rule_examined();

	if (src == BUS_SVC_KERNEL)
		ck_assert_int_eq(bus_send(dst, t, 5, NULL, 0), rc_want);
	else
		ck_assert_int_eq(bus_send_as(src, dst, t, 5, NULL, 0),
				 rc_want);
	bus_run(10);
	return bus_rule_examined() - e;
}

/* 1000 rules about other topics, other sources and other destinations:
 * a message looks at none of them, only at the rules of its own. */
START_TEST(test_rule_index_skips_rules_that_cannot_match)
{
	bus_svc_t u = add("user-1", 4), r = add("root-1", 5);
	char text[BUS_RULE_TEXT];
	int n = 0;

	bus_svc_set_flags(u, BUS_SVC_F_USER);
	bus_svc_set_flags(r, BUS_SVC_F_USER);
	for (int i = 0; i < 300; i++) {
		snprintf(text, sizeof(text), "prio:1,topic=zz.%d", i);
		if (i < 100)
			ck_assert_int_ge(bus_topic(text + 13), 0);
		ck_assert_int_eq(bus_rule_add(text, NULL), n++);
	}
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(bus_rule_add("prio:2,topic=zz.*", NULL), n++);
		ck_assert_int_eq(bus_rule_add("prio:2,topic=net.*", NULL),
				 n++);
	}
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(bus_rule_add("mirror:tap,src=c", NULL), n++);
		ck_assert_int_eq(bus_rule_add("prio:3,src=user-*", NULL), n++);
		ck_assert_int_eq(bus_rule_add("mirror:tap,dst=c", NULL), n++);
		ck_assert_int_eq(bus_rule_add("prio:4,dst=root-*", NULL), n++);
		ck_assert_int_eq(bus_rule_add("prio:6,src=nobody", NULL), n++);
	}
	ck_assert_int_eq(n, 1000);
	/* the kernel to b on svc.ping: nothing of it among the 1000 */
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, t_ping), 0);
	ck_assert_uint_eq(last_prio[1], 5);
	ck_assert_uint_eq(got[3], 0);
	/* one rule for each of its keys, and one with none (kind=request
	 * does not match, but it is looked at) */
	RULE("prio:6,topic=svc.ping");
	RULE("mirror:tap,src=kernel");
	RULE("prio:7,dst=b");
	RULE("prio:0,kind=request");
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, t_ping), 4);
	ck_assert_uint_eq(last_prio[1], 7);
	ck_assert_uint_eq(got[3], 1);
	/* c's own rules: the 100 naming it and the one for every message */
	ck_assert_uint_eq(examined_by(0, c, a, t_ping), 101 + 1);
	/* a user process: src=user-*, the topic's, the destination's */
	ck_assert_uint_eq(examined_by(0, u, b, t_ping), 100 + 1 + 1 + 1);
	ck_assert_uint_eq(last_prio[1], 7);
	/* the kernel to a root-* service, on a topic under zz.*: its exact
	 * rule and the 100 zz.* ones, the 100 dst=root-*, the request one
	 * and src=kernel */
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, r,
				      (bus_topic_t)bus_topic_find("zz.7")),
			  1 + 100 + 100 + 1 + 1);
	ck_assert_uint_eq(last_prio[5], 4);
	/* removing and clearing leave the index exact */
	ck_assert_int_eq(bus_rule_remove(1000), 0);
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, t_ping), 3);
	bus_rule_clear();
	ck_assert_uint_eq(examined_by(0, c, a, t_ping), 0);
}
END_TEST

/* A name prefix is resolved to its services when a service comes and
 * goes, not per message. */
START_TEST(test_rule_prefix_follows_services)
{
	bus_svc_t u, r;

	RULE("deny,src=user-*");
	RULE("mirror:tap,dst=user-*");
	u = add("user-7", 4);
	bus_svc_set_flags(u, BUS_SVC_F_USER);
	ck_assert_uint_eq(examined_by(-AE_EPERM, u, b, t_ping), 1);
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, u, t_ping), 1);
	ck_assert_uint_eq(got[3], 1);			/* mirrored */
	ck_assert_int_eq(bus_svc_remove(u), 0);
	/* the same id, another name: neither rule is about it */
	r = add("root-7", 5);
	ck_assert_uint_eq(r, u);
	bus_svc_set_flags(r, BUS_SVC_F_USER);
	ck_assert_uint_eq(examined_by(0, r, b, t_ping), 0);
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, r, t_ping), 0);
	ck_assert_uint_eq(got[3], 1);
	/* a rule naming a service exactly follows it the same way */
	RULE("deny,dst=late");
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, r, t_ping), 0);
	ck_assert_int_eq(bus_svc_remove(r), 0);
	r = add("late", 6);
	ck_assert_uint_eq(examined_by(-AE_EPERM, BUS_SVC_KERNEL, r, t_ping),
			  1);
	ck_assert_int_eq(bus_svc_remove(r), 0);
	u = add("user-8", 4);
	bus_svc_set_flags(u, BUS_SVC_F_USER);
	ck_assert_uint_eq(examined_by(-AE_EPERM, u, b, t_ping), 1);
}
END_TEST

/* A topic made after a rule gets it; an id freed and given to another
 * topic does not keep the old topic's rules. */
START_TEST(test_rule_topics_made_and_freed)
{
	int t, t2;

	RULE("prio:2,topic=late.x");
	RULE("deny,topic=late.*,src=kernel");
	t = bus_topic("late.x");
	ck_assert_int_ge(t, 0);
	ck_assert_uint_eq(examined_by(-AE_EPERM, BUS_SVC_KERNEL, b,
				      (bus_topic_t)t), 2);
	ck_assert_int_eq(bus_topic_free((bus_topic_t)t), 0);
	t2 = bus_topic("early.y");
	ck_assert_int_eq(t2, t);			/* the same id */
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b,
				      (bus_topic_t)t2), 0);
	ck_assert_uint_eq(last_prio[1], 5);
	t = bus_topic("late.z");
	ck_assert_uint_eq(examined_by(-AE_EPERM, BUS_SVC_KERNEL, b,
				      (bus_topic_t)t), 1);
	/* and a rule added when the topic exists */
	RULE("prio:3,topic=early.*");
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b,
				      (bus_topic_t)t2), 1);
	ck_assert_uint_eq(last_prio[1], 3);
	ck_assert_int_eq(bus_rule_remove(1), 0);	/* the deny */
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b,
				      (bus_topic_t)t), 0);
}
END_TEST

/* Rules filed under different keys still act in rule order, also when
 * one is inserted between them. */
START_TEST(test_rule_insert_keeps_order_across_keys)
{
	char text[BUS_RULE_TEXT];

	RULE("prio:2,topic=svc.ping");		/* topic */
	RULE("allow,src=kernel,dst=c");		/* source */
	RULE("deny,dst=c");			/* destination */
	ck_assert_int_eq(bus_send(c, t_ping, 5, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(last_prio[2], 2);
	/* an earlier deny wins over the later allow */
	ck_assert_int_eq(bus_rule_insert(1, "deny,topic=svc.ping,src=kernel",
					 NULL), 1);
	ck_assert_int_eq(bus_send(c, t_ping, 5, NULL, 0), -AE_EPERM);
	ck_assert_int_eq(bus_send(c, t_data, 5, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(last_prio[2], 5);
	/* a later prio loses to an earlier terminal rule; an earlier one
	 * applies */
	RULE("prio:6,dst=c");
	ck_assert_int_eq(bus_rule_insert(0, "prio:4,dst=c", NULL), 0);
	ck_assert_int_eq(bus_send(c, t_data, 5, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(last_prio[2], 4);
	ck_assert_int_eq(bus_rule_insert(0, "prio:1", NULL), 0);
	ck_assert_int_eq(bus_send(c, t_data, 5, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(last_prio[2], 4);
	ck_assert_int_eq(bus_send(b, t_data, 5, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(last_prio[1], 1);
	bus_rule_format(3, text, sizeof(text));
	ck_assert_str_eq(text, "deny,topic=svc.ping,src=kernel");
	/* the deny goes: the allow decides again, after both prios */
	ck_assert_int_eq(bus_rule_remove(3), 0);
	ck_assert_int_eq(bus_send(c, t_ping, 5, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(last_prio[2], 2);
}
END_TEST

/* ---- random rules and messages against a naive matcher -------------- */

struct ref_rule {
	char text[320];		/* under BUS_RULE_TEXT in practice */
	int act;		/* 0 allow, 1 deny, 2 redirect, 3 mirror,
				 * 5 prio, as route.h lists them */
	const char *topic, *src, *dst, *target;
	int kind;			/* -1: any */
	int prio;
	bool pinned;
	uint64_t hits, drops;
};

static struct ref_rule ref[BUS_RULES_MAX];
static unsigned int nref;
static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static const char *pick(const char *const *v, unsigned int n)
{
	return v[rnd(n)];
}

/* A name as a rule means it: "" and "*" anything, "x*" a prefix. */
static bool ref_name(const char *want, bus_svc_t id)
{
	const char *name;
	size_t n = strlen(want);

	if (!n || strcmp(want, "*") == 0)
		return true;
	if (id == BUS_SVC_KERNEL)
		name = "kernel";
	else if (bus_svc_state(id) != BUS_SVC_FREE)
		name = bus_svc_name(id);
	else
		return false;
	if (want[n - 1] == '*')
		return strncmp(name, want, n - 1) == 0;
	return strcmp(name, want) == 0;
}

static bool ref_topic(const char *p, const char *name)
{
	size_t n = strlen(p);

	if (!n || strcmp(p, "*") == 0)
		return true;
	if (p[n - 1] == '*')
		return strncmp(name, p, n - 1) == 0 && name[n - 1];
	return strcmp(p, name) == 0;
}

static bool ref_exact(const char *name)
{
	return name[0] && name[strlen(name) - 1] != '*';
}

/* The rules as route.h states them, every rule in order. */
static void ref_apply(struct route_verdict *v, bus_topic_t t, bus_svc_t src,
		      uint8_t kind, bool irq)
{
	uint32_t sf = bus_svc_flags(src), df = bus_svc_flags(v->dst);
	bool kernel = !(sf & BUS_SVC_F_USER);
	bool rescue = (sf & df & BUS_SVC_F_RESCUE) != 0;

	v->rc = 0;
	v->nmirrors = 0;
	for (unsigned int i = 0; i < nref; i++) {
		struct ref_rule *r = &ref[i];
		bool withholds = r->act == 1 || r->act == 2;
		int target;

		if ((r->kind >= 0 && r->kind != kind) ||
		    !ref_topic(r->topic, bus_topic_name(t)) ||
		    !ref_name(r->src, src) || !ref_name(r->dst, v->dst))
			continue;
		if (kernel && withholds &&
		    (!(ref_exact(r->src) || ref_exact(r->dst)) || rescue))
			continue;
		if ((irq || kind == BUS_REPLY) &&
		    (r->act == 1 || (kind == BUS_REPLY && r->act == 2)))
			continue;
		r->hits++;
		target = r->target ? bus_svc_find(r->target) : -1;
		switch (r->act) {
		case 0:
			return;
		case 1:
			r->drops++;
			v->rc = -AE_EPERM;
			return;
		case 2:
			if (target >= 0)
				v->dst = (bus_svc_t)target;
			return;
		case 3: {
			unsigned int k;

			if (target < 0)
				break;
			for (k = 0; k < v->nmirrors; k++)
				if (v->mirrors[k] == target)
					break;
			if (k < v->nmirrors)
				break;
			if (v->nmirrors == ROUTE_MIRRORS_MAX)
				r->drops++;
			else
				v->mirrors[v->nmirrors++] = (bus_svc_t)target;
			break;
		}
		default:
			v->prio = (uint8_t)r->prio;
			break;
		}
	}
}

static const char *const r_topics[] = {
	"", "", "", "*", "svc.ping", "net.*", "net.rx.data", "net.rx.*",
	"zz.0", "zz.1", "zz.2", "zz.*", "zz.a.*", "zz.a.b", "yy.1",
};
static const char *const r_names[] = {
	"", "", "", "", "*", "a", "b", "c", "tap", "kernel", "user-*",
	"user-1*", "user-2", "u*", "k*", "root-*", "root-1", "shell", "ns",
	"nosuch", "kx",
};
static const char *const r_targets[] = {
	"tap", "a", "c", "user-2", "root-1", "nosuch", "kx", "shell", "m0",
	"m1", "m2", "m3",
};
static const char *const r_kinds[] = { "event", "request", "reply" };
/* services that come and go, and topics */
static const char *const d_svcs[] = {
	"user-1", "user-2", "user-3", "root-1", "root-2", "shell", "ns", "kx",
	"kernelish", "usr",
};
static const char *const d_topics[] = {
	"zz.0", "zz.1", "zz.2", "zz.3", "zz.a.b", "zz.a.c", "yy.1", "yy.2",
};

static void ref_random_rule(struct ref_rule *r)
{
	static const int acts[] = { 0, 1, 2, 3, 3, 5, 5 };
	char arg[40] = "", m[4][64] = { "", "", "", "" };

	memset(r, 0, sizeof(*r));
	r->act = acts[rnd(7)];
	r->topic = pick(r_topics, sizeof(r_topics) / sizeof(r_topics[0]));
	r->src = pick(r_names, sizeof(r_names) / sizeof(r_names[0]));
	r->dst = pick(r_names, sizeof(r_names) / sizeof(r_names[0]));
	r->kind = rnd(4) ? -1 : (int)rnd(3);
	if (r->act == 2 || r->act == 3) {
		r->target = pick(r_targets,
				 sizeof(r_targets) / sizeof(r_targets[0]));
		snprintf(arg, sizeof(arg), ":%s", r->target);
	} else if (r->act == 5) {
		r->prio = (int)rnd(8);
		snprintf(arg, sizeof(arg), ":%d", r->prio);
	}
	if (r->topic[0])
		snprintf(m[0], sizeof(m[0]), ",topic=%s", r->topic);
	if (r->src[0])
		snprintf(m[1], sizeof(m[1]), ",src=%s", r->src);
	if (r->dst[0])
		snprintf(m[2], sizeof(m[2]), ",dst=%s", r->dst);
	if (r->kind >= 0)
		snprintf(m[3], sizeof(m[3]), ",kind=%s", r_kinds[r->kind]);
	snprintf(r->text, sizeof(r->text), "%s%s%s%s%s%s",
		 (const char *const[]){ "allow", "deny", "redirect", "mirror",
					"rate", "prio" }[r->act],
		 arg, m[0], m[1], m[2], m[3]);
}

static void ref_check_table(void)
{
	char text[BUS_RULE_TEXT];
	struct bus_rule_stats st;

	ck_assert_uint_eq(bus_rule_count(), nref);
	for (unsigned int i = 0; i < nref; i++) {
		ck_assert_int_gt(bus_rule_format(i, text, sizeof(text)), 0);
		ck_assert_str_eq(text, ref[i].text);
		ck_assert_int_eq(bus_rule_is_default(i), ref[i].pinned);
		ck_assert_int_eq(bus_rule_stats(i, &st), 0);
		ck_assert_msg(st.hits == ref[i].hits &&
			      st.drops == ref[i].drops,
			      "rule %u %s: hits %llu drops %llu, want %llu "
			      "%llu", i, text, (unsigned long long)st.hits,
			      (unsigned long long)st.drops,
			      (unsigned long long)ref[i].hits,
			      (unsigned long long)ref[i].drops);
	}
}

static bus_svc_t live_svc(void)
{
	int s;

	do
		s = (int)rnd(BUS_SVC_MAX);
	while (bus_svc_state((bus_svc_t)s) == BUS_SVC_FREE && rnd(16));
	return bus_svc_state((bus_svc_t)s) == BUS_SVC_FREE ? a : (bus_svc_t)s;
}

static void random_run(uint32_t seed, unsigned int steps)
{
	unsigned int messages = 0, accepted = 0;

	rnd_state = seed;
	nref = 0;
	for (unsigned int step = 0; step < steps; step++) {
		uint32_t op = rnd(100);

		if (op < 30 && nref < 120) {		/* add or insert */
			struct ref_rule r;
			unsigned int at = rnd(3) ? (unsigned int)rnd(nref + 1)
						 : nref;
			bool pinned = !rnd(20);
			const char *why = NULL;
			int rc;

			ref_random_rule(&r);
			if (pinned) {
				at = nref;
				rc = bus_rule_add_default(r.text, &why);
			} else {
				rc = bus_rule_insert(at, r.text, &why);
			}
			if (rc < 0) {
				ck_assert_msg(rc == -AE_EINVAL, "%s: %d %s",
					      r.text, rc, why);
				continue;
			}
			ck_assert_int_eq(rc, (int)at);
			r.pinned = pinned;
			memmove(&ref[at + 1], &ref[at],
				(nref - at) * sizeof(ref[0]));
			ref[at] = r;
			nref++;
			accepted++;
		} else if (op < 37 && nref) {		/* remove */
			unsigned int i = rnd(nref);

			ck_assert_int_eq(bus_rule_remove(i), 0);
			memmove(&ref[i], &ref[i + 1],
				(nref - i - 1) * sizeof(ref[0]));
			nref--;
		} else if (op < 38 && !rnd(5)) {	/* clear */
			unsigned int n = 0;

			bus_rule_clear();
			for (unsigned int i = 0; i < nref; i++)
				if (ref[i].pinned)
					ref[n++] = ref[i];
			nref = n;
		} else if (op < 48) {			/* a service */
			const char *name = pick(d_svcs, sizeof(d_svcs) /
						sizeof(d_svcs[0]));
			int s = bus_svc_find(name);

			if (s >= 0) {
				ck_assert_int_eq(bus_svc_remove((bus_svc_t)s),
						 0);
			} else {
				bus_svc_t n = add(name, 7);

				if (name[0] == 'u' || name[0] == 'r')
					bus_svc_set_flags(n, BUS_SVC_F_USER);
				else if (name[0] == 's' || name[0] == 'n')
					bus_svc_set_flags(n,
							  BUS_SVC_F_RESCUE);
			}
		} else if (op < 54) {			/* a topic */
			const char *name = pick(d_topics, sizeof(d_topics) /
						sizeof(d_topics[0]));
			int t = bus_topic_find(name);

			if (t >= 0)
				ck_assert_int_eq(bus_topic_free((bus_topic_t)t),
						 0);
			else
				ck_assert_int_ge(bus_topic(name), 0);
		} else {				/* a message */
			struct route_verdict v, w;
			bus_topic_t t;
			bus_svc_t src = rnd(4) ? live_svc() : BUS_SVC_KERNEL;
			uint8_t kind = (uint8_t)rnd(3);
			bool irq = kind == BUS_EVENT && !rnd(8);

			do
				t = (bus_topic_t)rnd(bus_topic_count());
			while (!bus_topic_live(t));
			memset(&v, 0, sizeof(v));
			v.dst = rnd(5) ? live_svc() : BUS_NIL;
			v.prio = (uint8_t)rnd(BUS_PRIOS);
			w = v;
			route_apply(&v, t, src, kind, irq, 0);
			ref_apply(&w, t, src, kind, irq);
			ck_assert_msg(v.rc == w.rc && v.dst == w.dst &&
				      v.prio == w.prio &&
				      v.nmirrors == w.nmirrors &&
				      memcmp(v.mirrors, w.mirrors,
					     v.nmirrors *
					     sizeof(v.mirrors[0])) == 0,
				      "seed %u step %u: %s from %s to %s: "
				      "rc %d/%d dst %u/%u prio %u/%u "
				      "mirrors %u/%u", seed, step,
				      bus_topic_name(t), bus_svc_name(src),
				      bus_svc_name(w.dst), v.rc, w.rc, v.dst,
				      w.dst, v.prio, w.prio, v.nmirrors,
				      w.nmirrors);
			messages++;
		}
		if (step % 64 == 0)
			ref_check_table();
	}
	ref_check_table();
	ck_assert_uint_gt(messages, steps / 3);
	ck_assert_uint_gt(accepted, steps / 20);
}

START_TEST(test_rule_random_against_naive_matcher)
{
	/* a ninth mirror target, so that the limit of 8 is reached */
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%d", i);
		add(name, 7);
	}
	random_run(1u + (uint32_t)_i * 7919u, 6000);
}
END_TEST

/* ---- memory ---------------------------------------------------------- */

static void *test_alloc(size_t n)
{
	return calloc(1, n);
}

static void test_free(void *p, size_t n)
{
	(void)n;
	free(p);
}

static const struct bus_mem_ops test_mem = { test_alloc, test_free };

/*
 * The host test has no allocator: the bus's 256 KiB reserve is all. A
 * rule that cannot get its memory is refused and nothing of it stays; a
 * topic or service made then, whose list cannot be built, is checked
 * against every rule and still judged right; with memory back its list
 * is built.
 */
START_TEST(test_rule_out_of_memory)
{
	const char *why = NULL, *fork_mode = getenv("CK_FORK");
	char text[BUS_RULE_TEXT];
	unsigned int n = 0, zz = 0, total;
	bus_topic_t first, last, late;
	bus_svc_t u;
	int rc = 0;

	/* the reserve, used up, would stay carved up for the tests after
	 * this one if they shared its process */
	if (fork_mode && strcmp(fork_mode, "no") == 0)
		return;
	bus_set_mem(NULL);	/* the reserve alone, until memory comes back */
	/* rules for topics and services not made yet: a rule block each */
	for (int i = 0; i < 300; i++) {
		ck_assert_int_ge(bus_rule_add_default("prio:2,topic=yy.*",
						      NULL), 0);
		ck_assert_int_ge(bus_rule_add_default("prio:3,src=user-*",
						      NULL), 0);
	}
	n = 600;
	/* each rule for zz.* takes an entry in 200 topics' lists */
	for (int i = 0; i < 200; i++) {
		snprintf(text, sizeof(text), "zz.%d", i);
		ck_assert_int_ge(bus_topic(text), 0);
	}
	first = (bus_topic_t)bus_topic_find("zz.0");
	last = (bus_topic_t)bus_topic_find("zz.199");
	while (n < BUS_RULES_MAX) {
		rc = bus_rule_add("prio:1,topic=zz.*", &why);
		if (rc < 0)
			break;
		n++;
		zz++;
	}
	ck_assert_int_eq(rc, -AE_ENOMEM);
	ck_assert_str_eq(why, "out of memory for the rule or its index");
	ck_assert_uint_gt(zz, 10);
	ck_assert_uint_eq(bus_rule_count(), n);
	/* nothing of the refused rule stayed, in any topic's list */
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, first), zz);
	ck_assert_uint_eq(last_prio[1], 1);
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, last), zz);
	ck_assert_int_eq(bus_rule_insert(600, "prio:1,topic=zz.*", &why),
			 -AE_ENOMEM);
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, first), zz);
	/* a topic whose 300 rules need a list bigger than any block left:
	 * every rule is looked at, the right ones apply */
	late = (bus_topic_t)bus_topic("yy.late");
	total = n;
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, late), total);
	ck_assert_uint_eq(last_prio[1], 2);
	/* the same for a process made now */
	u = add("user-9", 4);
	bus_svc_set_flags(u, BUS_SVC_F_USER);
	ck_assert_uint_eq(examined_by(0, u, b, t_ping), total);
	ck_assert_uint_eq(last_prio[1], 3);
	ck_assert_uint_eq(examined_by(0, u, b, first), total);
	ck_assert_uint_eq(last_prio[1], 1);
	/* memory back (an allocator): the next rule change builds the
	 * lists, and the refused rule goes in */
	bus_set_mem(&test_mem);
	ck_assert_int_eq(bus_rule_remove(n - 1), 0);
	zz--;
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, late), 300);
	ck_assert_uint_eq(examined_by(0, u, b, t_ping), 300);
	ck_assert_int_eq(bus_rule_add("prio:1,topic=zz.*", &why), (int)n - 1);
	ck_assert_int_eq(bus_rule_add("prio:1,topic=zz.*", &why), (int)n);
	ck_assert_uint_eq(examined_by(0, u, b, last), 300 + zz + 2);
	bus_rule_clear();
	ck_assert_uint_eq(bus_rule_count(), 600);
	ck_assert_uint_eq(examined_by(0, BUS_SVC_KERNEL, b, first), 0);
	bus_init(fake_clock);	/* the allocator's blocks go back to it */
	bus_set_mem(&unit_host_mem);
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
	tcase_add_test(tc, test_rule_index_skips_rules_that_cannot_match);
	tcase_add_test(tc, test_rule_prefix_follows_services);
	tcase_add_test(tc, test_rule_topics_made_and_freed);
	tcase_add_test(tc, test_rule_insert_keeps_order_across_keys);
	tcase_add_loop_test(tc, test_rule_random_against_naive_matcher, 0, 4);
	tcase_add_test(tc, test_rule_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
