/*
 * test_contract.c - bus/contract.c: every message is checked against its
 * topic's contract before anything is queued or run. A request topic sent
 * as an event (or back), a payload of the wrong size, an event from a
 * service that does not own it, a request to a service that does not
 * serve it and a reply of the wrong size are each refused with -EBADMSG,
 * counted by reason and per topic, and traced; the handler never runs.
 * Also: the contracted topics' ids are their table rows (so the generated
 * symbols hold), families cover topics named later, and the kernel's
 * generated table is well-formed and matches its symbols.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/errno.h>
#include <aegis/route.h>
#include <aegis/topics.h>
#include <aegis/trace.h>
#include "unit.h"

enum { T_ASK, T_SEEN, T_POKE, T_ANY };	/* the named rows' ids */

static const struct bus_contract table[] = {
	{ "t.ask", "srv", "srv", BUS_C_REQUEST, -1, 4, 4, 0, 8 },
	{ "t.seen", "srv", "srv", BUS_C_EVENT, 2, 0, 0, 0, 0 },
	{ "t.poke", "srv", "srv", BUS_C_MESSAGE, -1, 1, 40, 0, 0 },
	{ "t.any", NULL, "iface", BUS_C_REQUEST, -1, 0, 40, 0, 40 },
	{ "t.irq.*", NULL, "kernel", BUS_C_EVENT, 0, 8, 8, 0, 0 },
	{ "user.*", NULL, "kernel", BUS_C_OPEN, -1, 0, 40, 0, 40 },
};

static bus_svc_t srv, cli;
static unsigned int runs;
static uint16_t reply_len;	/* what srv's handler answers with */
static struct trace_rec last;

static int handler(void *state, const struct bus_msg *m,
		   struct bus_msg *reply)
{
	(void)state;
	(void)m;
	runs++;
	reply->len = reply_len;
	memset(reply->data, 7, reply_len);
	return 0;
}

static void tap(const struct trace_rec *r, void *ctx)
{
	(void)ctx;
	last = *r;
}

static char line[160];

static void sink(const char *l)
{
	strncpy(line, l, sizeof(line) - 1);
}

static void setup(void)
{
	int s;

	ck_assert_int_eq(bus_contracts_set(table, 6), 0);
	bus_init(NULL);
	s = bus_svc_add("srv", handler, NULL, 16, 4);
	ck_assert_int_ge(s, 0);
	srv = (bus_svc_t)s;
	s = bus_svc_add("cli", handler, NULL, 16, 4);
	ck_assert_int_ge(s, 0);
	cli = (bus_svc_t)s;
	ck_assert_int_eq(bus_serve(srv, "t.ask"), 0);
	ck_assert_int_eq(bus_serve(srv, "t.poke"), 0);
	ck_assert_int_eq(bus_serve(srv, "t.any"), 0);
	runs = 0;
	reply_len = 0;
	memset(&last, 0xff, sizeof(last));
	line[0] = 0;
	trace_set_sink(sink);
	ck_assert_int_eq(trace_filter_set("*", NULL), 0);
}

static void teardown(void)
{
	trace_set_sink(NULL);
	trace_set_tap(NULL, NULL);
	ck_assert_int_eq(bus_contracts_set(bus_contracts, bus_contracts_count),
			 0);
}

static uint64_t refusals(unsigned int why)
{
	struct bus_contract_stats st;

	bus_contract_stats(&st);
	return why ? st.by_reason[why] : st.refused;
}

START_TEST(test_rows_are_ids_and_families_cover_later_topics)
{
	ck_assert_int_eq(bus_topic_find("t.ask"), T_ASK);
	ck_assert_int_eq(bus_topic_find("t.any"), T_ANY);
	ck_assert_ptr_eq(bus_contract_of(T_POKE), &table[2]);
	/* a topic a family covers, named at run time */
	int t = bus_topic("t.irq.uart0");

	ck_assert_int_gt(t, T_ANY);
	ck_assert_ptr_eq(bus_contract_of((bus_topic_t)t), &table[4]);
	ck_assert_ptr_null(bus_contract_of((bus_topic_t)bus_topic("free.x")));
	/* and the same ids again after another bus_init */
	bus_init(NULL);
	ck_assert_int_eq(bus_topic_find("t.poke"), T_POKE);
}
END_TEST

START_TEST(test_right_messages_pass)
{
	uint32_t v = 1;
	uint8_t buf[8];
	size_t got = 99;

	reply_len = 8;
	ck_assert_int_eq(bus_contract_call(T_ASK, BUS_NIL_SVC, &v, 4, buf,
					   sizeof(buf), &got), 0);
	ck_assert_uint_eq(got, 8);
	ck_assert_uint_eq(buf[7], 7);
	ck_assert_int_eq(bus_send(srv, T_POKE, 1, "x", 1), 0);
	/* an event from outside any handler is the kernel's: allowed */
	ck_assert_int_eq(bus_publish(T_SEEN, 1, NULL, 0), 0);
	/* an event from its owner */
	ck_assert_int_eq(bus_subscribe(cli, "t.seen", NULL), 0);
	ck_assert_int_eq(bus_publish_as(srv, T_SEEN, 1, NULL, 0), 1);
	bus_run(8);
	ck_assert_uint_eq(runs, 3);
	ck_assert_uint_eq(refusals(0), 0);
}
END_TEST

START_TEST(test_wrong_kind_is_refused)
{
	uint32_t v = 1;
	struct bus_msg r;

	ck_assert_int_eq(bus_send(srv, T_ASK, 1, &v, 4), -AE_EBADMSG);
	ck_assert_int_eq(bus_publish(T_ASK, 1, &v, 4), -AE_EBADMSG);
	ck_assert_int_eq(bus_call(srv, T_POKE, "x", 1, &r), -AE_EBADMSG);
	bus_run(8);
	ck_assert_uint_eq(runs, 0);
	ck_assert_uint_eq(refusals(BUS_REFUSED_KIND), 3);
	ck_assert_uint_eq(bus_topic_refused(T_ASK), 2);
	ck_assert_uint_eq(bus_topic_refused(T_POKE), 1);
}
END_TEST

START_TEST(test_wrong_size_is_refused_and_traced)
{
	uint8_t v[8] = { 0 };
	struct bus_msg r;

	trace_set_tap(tap, NULL);
	ck_assert_int_eq(bus_call(srv, T_ASK, v, 8, &r), -AE_EBADMSG);
	ck_assert_int_eq(bus_call(srv, T_ASK, v, 0, &r), -AE_EBADMSG);
	ck_assert_int_eq(bus_send(srv, T_POKE, 1, v, 0), -AE_EBADMSG);
	ck_assert_int_eq(bus_publish(T_SEEN, 1, v, 1), -AE_EBADMSG);
	ck_assert_uint_eq(runs, 0);
	ck_assert_uint_eq(refusals(BUS_REFUSED_SIZE), 4);
	ck_assert_uint_eq(refusals(0), 4);
	/* the trace has the refusals, the profiler's tap does not */
	ck_assert_uint_eq(trace_total(), 4);
	ck_assert_uint_eq(last.topic, 0xffff);
	trace_pump(~0u);
	ck_assert_str_eq(line, "trace: 0 event t.seen kernel->* p0 wait=0 "
			 "run=0 refused=size id=4");
}
END_TEST

START_TEST(test_event_from_another_service_is_refused)
{
	ck_assert_int_eq(bus_publish_as(cli, T_SEEN, 1, NULL, 0), -AE_EBADMSG);
	ck_assert_int_eq(bus_send_as(cli, srv, T_SEEN, 1, NULL, 0),
			 -AE_EBADMSG);
	ck_assert_uint_eq(refusals(BUS_REFUSED_SENDER), 2);
	/* the owner gone, nobody but the kernel may publish it */
	ck_assert_int_eq(bus_svc_remove(srv), 0);
	ck_assert_int_eq(bus_publish_as(cli, T_SEEN, 1, NULL, 0), -AE_EBADMSG);
	ck_assert_int_eq(bus_publish(T_SEEN, 1, NULL, 0), 0);
}
END_TEST

START_TEST(test_request_to_a_non_server_is_refused)
{
	uint32_t v = 1;
	struct bus_msg r;

	ck_assert_int_eq(bus_call(cli, T_ASK, &v, 4, &r), -AE_EBADMSG);
	ck_assert_int_eq(bus_send(cli, T_POKE, 1, "x", 1), -AE_EBADMSG);
	ck_assert_uint_eq(refusals(BUS_REFUSED_RECEIVER), 2);
	ck_assert_uint_eq(runs, 0);
	/* once it serves the topic it gets it */
	ck_assert_int_eq(bus_serve(cli, "t.ask"), 0);
	ck_assert_int_eq(bus_call(cli, T_ASK, &v, 4, &r), 0);
	ck_assert_uint_eq(runs, 1);
	/* a service's serves end with it; a new one of that id serves
	 * nothing */
	ck_assert_int_eq(bus_svc_remove(cli), 0);
	int again = bus_svc_add("cli2", handler, NULL, 16, 4);

	ck_assert_int_eq(again, cli);
	ck_assert_int_eq(bus_call(cli, T_ASK, &v, 4, &r), -AE_EBADMSG);
}
END_TEST

START_TEST(test_wrong_reply_is_refused)
{
	uint32_t v = 1;
	struct bus_msg r;
	uint8_t small[4];

	reply_len = 9;		/* the contract says 0..8 */
	ck_assert_int_eq(bus_call(srv, T_ASK, &v, 4, &r), -AE_EBADMSG);
	ck_assert_uint_eq(r.len, 0);
	ck_assert_uint_eq(runs, 1);
	ck_assert_uint_eq(refusals(BUS_REFUSED_REPLY), 1);
	/* a caller whose buffer is smaller than the reply gets -EBADMSG */
	reply_len = 8;
	ck_assert_int_eq(bus_contract_call(T_ASK, BUS_NIL_SVC, &v, 4, small,
					   sizeof(small), NULL), -AE_EBADMSG);
}
END_TEST

START_TEST(test_shared_interface_and_open_family)
{
	uint8_t buf[40];
	size_t got;

	/* no owner: the caller names the server */
	ck_assert_int_eq(bus_contract_call(T_ANY, BUS_NIL_SVC, NULL, 0, buf,
					   sizeof(buf), &got), -AE_ENODEV);
	ck_assert_int_eq(bus_contract_call(T_ANY, srv, "abc", 3, buf,
					   sizeof(buf), &got), 0);
	ck_assert_int_eq(bus_contract_call(T_SEEN, srv, NULL, 0, buf,
					   sizeof(buf), &got), -AE_EINVAL);
	/* user.* is open: any payload, any kind */
	int u = bus_topic("user.chat");

	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(bus_send(cli, (bus_topic_t)u, 1, "hello", 5), 0);
	ck_assert_int_eq(bus_call(cli, (bus_topic_t)u, NULL, 0, NULL), 0);
	ck_assert_uint_eq(refusals(0), 0);
}
END_TEST

/* From the review of the first version: a message topic published to
 * its subscribers, an event without an owner from a service, a redirect
 * rule sending a request to a service that does not serve it, and a
 * service taking the kernel's name are all refused. */
START_TEST(test_the_edges_hold)
{
	int irq = bus_topic("t.irq.uart0"), s;
	uint32_t v = 1;
	uint8_t ev[8] = { 0 };
	struct bus_msg r;

	ck_assert_int_eq(bus_subscribe(srv, "t.poke", NULL), 0);
	ck_assert_int_eq(bus_publish(T_POKE, 1, "x", 1), -AE_EBADMSG);
	ck_assert_uint_eq(refusals(BUS_REFUSED_KIND), 1);
	ck_assert_int_ge(irq, 0);
	ck_assert_int_eq(bus_publish_as(cli, (bus_topic_t)irq, 0, ev, 8),
			 -AE_EBADMSG);
	ck_assert_uint_eq(refusals(BUS_REFUSED_SENDER), 1);
	ck_assert_int_eq(bus_rule_add("redirect:cli,topic=t.ask,dst=srv", NULL), 0);
	ck_assert_int_eq(bus_call(srv, T_ASK, &v, 4, &r), -AE_EBADMSG);
	ck_assert_uint_eq(refusals(BUS_REFUSED_RECEIVER), 1);
	ck_assert_uint_eq(runs, 0);
	bus_rule_clear();
	s = bus_svc_add("kernel", handler, NULL, 4, 4);
	ck_assert_int_eq(s, -AE_EINVAL);
}
END_TEST

/* A service's init runs as that service (bus_run_as): its events pass
 * their owner's contract and nobody else's; the chain is as before
 * afterwards, and a service already in the chain is refused. */
static int publish_seen(void *ctx)
{
	*(int *)ctx = bus_publish(T_SEEN, 1, NULL, 0);
	return (int)bus_current();
}

static int run_srv_again(void *ctx)
{
	(void)ctx;
	return bus_run_as(srv, publish_seen, &(int){ 0 });
}

START_TEST(test_init_runs_as_its_service)
{
	int rc = 99;

	ck_assert_int_eq(bus_run_as(srv, publish_seen, &rc), srv);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(bus_run_as(cli, publish_seen, &rc), cli);
	ck_assert_int_eq(rc, -AE_EBADMSG);
	ck_assert_uint_eq(refusals(BUS_REFUSED_SENDER), 1);
	ck_assert_int_eq(bus_current(), BUS_SVC_KERNEL);
	ck_assert_int_eq(bus_run_as(srv, run_srv_again, NULL), -AE_EDEADLK);
	ck_assert_int_eq(bus_run_as(BUS_SVC_MAX - 1, publish_seen, &rc),
			 -AE_EINVAL);
	ck_assert_int_eq(bus_current(), BUS_SVC_KERNEL);
}
END_TEST

START_TEST(test_malformed_tables_are_refused)
{
	struct bus_contract bad[2] = { table[4], table[0] };

	/* a family before a named row: ids would not be rows */
	ck_assert_int_eq(bus_contracts_set(bad, 2), -AE_EINVAL);
	bad[0] = table[0];
	bad[0].max = 41;
	ck_assert_int_eq(bus_contracts_set(bad, 1), -AE_EINVAL);
	bad[0] = table[0];
	bad[0].topic = "Bad Name";
	ck_assert_int_eq(bus_contracts_set(bad, 1), -AE_EINVAL);
	bad[0] = table[0];
	bad[0].kind = 9;
	ck_assert_int_eq(bus_contracts_set(bad, 1), -AE_EINVAL);
	ck_assert_int_eq(bus_contracts_set(NULL, 1), -AE_EINVAL);
	bad[0] = table[0];
	bad[1] = table[0];	/* a topic twice: ids would not be rows */
	ck_assert_int_eq(bus_contracts_set(bad, 2), -AE_EINVAL);
}
END_TEST

START_TEST(test_the_kernel_table_holds_its_symbols)
{
	ck_assert_int_eq(bus_contracts_set(bus_contracts, bus_contracts_count),
			 0);
	bus_init(NULL);
	ck_assert_int_ge(TOPICS_NAMED, 40);
	ck_assert_str_eq(bus_topic_name(TOPIC_MM_STATS), "mm.stats");
	ck_assert_str_eq(bus_topic_name(TOPIC_KERNEL_BOOT_DONE),
			 "kernel.boot.done");
	ck_assert_str_eq(bus_topic_name(TOPIC_SERVICE_UP), "service.up");
	ck_assert_int_eq(bus_topic_find("ns.open"), TOPIC_NS_OPEN);
	for (unsigned int i = 0; i < TOPICS_NAMED; i++)
		ck_assert_ptr_eq(bus_contract_of((bus_topic_t)i),
				 &bus_contracts[i]);
	/* interrupt lines named at run time fall under the hw.irq.* family */
	int t = bus_topic("hw.irq.uart1");

	ck_assert_int_ge(t, TOPICS_NAMED);
	ck_assert_ptr_nonnull(bus_contract_of((bus_topic_t)t));
	ck_assert_uint_eq(bus_contract_of((bus_topic_t)t)->kind, BUS_C_EVENT);
}
END_TEST

Suite *suite_bus_contract(void)
{
	Suite *s = suite_create("bus_contract");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rows_are_ids_and_families_cover_later_topics);
	tcase_add_test(tc, test_right_messages_pass);
	tcase_add_test(tc, test_wrong_kind_is_refused);
	tcase_add_test(tc, test_wrong_size_is_refused_and_traced);
	tcase_add_test(tc, test_event_from_another_service_is_refused);
	tcase_add_test(tc, test_request_to_a_non_server_is_refused);
	tcase_add_test(tc, test_wrong_reply_is_refused);
	tcase_add_test(tc, test_shared_interface_and_open_family);
	tcase_add_test(tc, test_malformed_tables_are_refused);
	tcase_add_test(tc, test_the_edges_hold);
	tcase_add_test(tc, test_init_runs_as_its_service);
	tcase_add_test(tc, test_the_kernel_table_holds_its_symbols);
	suite_add_tcase(s, tc);
	return s;
}
