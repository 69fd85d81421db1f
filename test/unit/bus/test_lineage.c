/*
 * test_lineage.c - causal lineage: every message has an id, its parent
 * (the message whose handler posted it) and its tree's trace id, and the
 * trace keeps them. A chain publish -> copies -> inline call and queued
 * request -> reply is rebuilt from the records alone; a message posted
 * outside any handler, an interrupt's event and a process's message
 * without a cause are roots; the bus's own messages (a reply, a flush's
 * answer, a fault's report) descend from the message they are about.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/trace.h>
#include "unit.h"

#define RECS_MAX 64

static struct trace_rec recs[RECS_MAX];
static unsigned int nrecs;
static bus_svc_t a, b, c, d, proc, watcher;
static bus_topic_t t_go, t_x, t_ask, t_none, t_failed;
static struct bus_lineage seen_b;	/* bus_lineage_current in b */
static bool c_requests, d_faults;

static void tap(const struct trace_rec *r, void *ctx)
{
	(void)ctx;
	if (nrecs < RECS_MAX)
		recs[nrecs++] = *r;
}

/* The record of the k-th handler run of service s on topic t. */
static const struct trace_rec *rec(bus_svc_t s, bus_topic_t t,
				   unsigned int k)
{
	for (unsigned int i = 0; i < nrecs; i++)
		if (recs[i].dst == s && recs[i].topic == t && k-- == 0)
			return &recs[i];
	ck_abort_msg("no record of %u on topic %u", s, t);
	return NULL;
}

static int a_handle(void *st, const struct bus_msg *m, struct bus_msg *r)
{
	(void)st;
	(void)r;
	if (m->topic == t_go) {
		bus_publish(t_x, 4, "x", 1);
		bus_publish(t_none, 4, NULL, 0);	/* heard by nobody */
	}
	return 0;
}

static int b_handle(void *st, const struct bus_msg *m, struct bus_msg *r)
{
	struct bus_msg reply;

	(void)st;
	(void)m;
	(void)r;
	bus_lineage_current(&seen_b);
	ck_assert_int_eq(bus_call(d, t_ask, NULL, 0, &reply), 0);
	return 0;
}

static int c_handle(void *st, const struct bus_msg *m, struct bus_msg *r)
{
	(void)st;
	(void)r;
	if (m->kind == BUS_EVENT && c_requests)
		ck_assert_int_gt(bus_request(d, t_ask, 4, NULL, 0), 0);
	return 0;
}

static int d_handle(void *st, const struct bus_msg *m, struct bus_msg *r)
{
	(void)st;
	(void)m;
	(void)r;
	return d_faults ? -AE_ENOTRECOVERABLE : 0;
}

static int quiet(void *st, const struct bus_msg *m, struct bus_msg *r)
{
	(void)st;
	(void)m;
	(void)r;
	return 0;
}

static bus_svc_t add(const char *name, bus_handler_fn fn)
{
	int s = bus_svc_add(name, fn, NULL, 64, 4);

	ck_assert_int_ge(s, 0);
	return (bus_svc_t)s;
}

static void setup(void)
{
	bus_init(NULL);
	trace_set_tap(tap, NULL);
	nrecs = 0;
	c_requests = true;
	d_faults = false;
	memset(&seen_b, 0, sizeof(seen_b));
	a = add("a", a_handle);
	b = add("b", b_handle);
	c = add("c", c_handle);
	d = add("d", d_handle);
	proc = add("proc", quiet);
	watcher = add("watcher", quiet);
	t_go = (bus_topic_t)bus_topic("lin.go");
	t_x = (bus_topic_t)bus_topic("lin.x");
	t_ask = (bus_topic_t)bus_topic("lin.ask");
	t_none = (bus_topic_t)bus_topic("lin.none");
	t_failed = (bus_topic_t)bus_topic_find("bus.svc.failed");
	ck_assert_int_eq(bus_subscribe(b, "lin.x", NULL), 0);
	ck_assert_int_eq(bus_subscribe(c, "lin.x", NULL), 0);
	ck_assert_int_eq(bus_subscribe(watcher, "bus.svc.failed", NULL), 0);
}

static void teardown(void)
{
	trace_set_tap(NULL, NULL);
}

START_TEST(test_a_tree_is_rebuilt_from_the_records)
{
	const struct trace_rec *ra, *rb, *rc, *rdi, *rdq, *rrep;

	ck_assert_int_eq(bus_send(a, t_go, 4, NULL, 0), 0);
	bus_run(100);
	ra = rec(a, t_go, 0);
	rb = rec(b, t_x, 0);
	rc = rec(c, t_x, 0);
	rdi = rec(d, t_ask, 0);		/* b's inline call runs first */
	rdq = rec(d, t_ask, 1);		/* c's queued request */
	rrep = rec(c, t_ask, 0);	/* its reply, back to c */
	ck_assert_uint_ne(ra->id, 0);
	ck_assert_uint_eq(ra->parent, 0);	/* posted outside handlers */
	ck_assert_uint_eq(ra->trace, ra->id);
	/* each copy of the publish is a message of its own */
	ck_assert_uint_eq(rb->parent, ra->id);
	ck_assert_uint_eq(rc->parent, ra->id);
	ck_assert_uint_ne(rb->id, rc->id);
	ck_assert_uint_eq(rdi->inline_call, 1);
	ck_assert_uint_eq(rdi->parent, rb->id);
	ck_assert_uint_eq(rdq->inline_call, 0);
	ck_assert_uint_eq(rdq->parent, rc->id);
	ck_assert_uint_eq(rrep->kind, BUS_REPLY);
	ck_assert_uint_eq(rrep->parent, rdq->id);
	for (unsigned int i = 0; i < nrecs; i++)
		ck_assert_uint_eq(recs[i].trace, ra->id);
	/* a handler sees its own message's lineage, nobody else does */
	ck_assert_uint_eq(seen_b.id, rb->id);
	ck_assert_uint_eq(seen_b.parent, ra->id);
	ck_assert_uint_eq(seen_b.trace, ra->id);
	bus_lineage_current(&seen_b);
	ck_assert_uint_eq(seen_b.id, 0);
	ck_assert_uint_eq(seen_b.trace, 0);
}
END_TEST

START_TEST(test_ids_are_unique_and_each_outside_post_is_a_root)
{
	ck_assert_int_eq(bus_send(a, t_go, 4, NULL, 0), 0);
	ck_assert_int_eq(bus_send(a, t_go, 4, NULL, 0), 0);
	bus_run(100);
	ck_assert_uint_ne(rec(a, t_go, 0)->trace, rec(a, t_go, 1)->trace);
	ck_assert_uint_eq(rec(a, t_go, 1)->parent, 0);
	ck_assert_uint_eq(rec(b, t_x, 1)->trace, rec(a, t_go, 1)->id);
	for (unsigned int i = 0; i < nrecs; i++)
		for (unsigned int j = i + 1; j < nrecs; j++)
			ck_assert_uint_ne(recs[i].id, recs[j].id);
}
END_TEST

START_TEST(test_an_interrupt_event_is_a_root)
{
	int line = 7;

	ck_assert_int_eq(bus_subscribe(b, "hw.irq.7", NULL), 0);
	ck_assert_int_eq(bus_send(c, t_x, 4, NULL, 0), 0);	/* another tree */
	ck_assert_int_eq(bus_irq_post((unsigned int)line), 0);
	bus_run(100);
	{
		const struct trace_rec *ri =
			rec(b, (bus_topic_t)bus_topic_find("hw.irq.7"), 0);

		ck_assert_uint_eq(ri->parent, 0);
		ck_assert_uint_eq(ri->trace, ri->id);
		/* b's inline call is its child */
		ck_assert_uint_eq(rec(d, t_ask, 0)->parent, ri->id);
	}
}
END_TEST

START_TEST(test_a_process_message_descends_from_its_cause)
{
	struct bus_lineage cause;
	const struct trace_rec *ra, *rp;

	ck_assert_int_eq(bus_send(a, t_go, 4, NULL, 0), 0);
	bus_run(100);
	ra = rec(a, t_go, 0);
	/* no cause yet: a root */
	ck_assert_int_eq(bus_send_as(proc, d, t_ask, 4, NULL, 0), 0);
	bus_run(100);
	rp = rec(d, t_ask, 2);
	ck_assert_uint_eq(rp->src, proc);
	ck_assert_uint_eq(rp->parent, 0);
	cause.id = ra->id;
	cause.parent = ra->parent;
	cause.trace = ra->trace;
	ck_assert_int_eq(bus_svc_set_cause(proc, &cause), 0);
	ck_assert_int_eq(bus_send_as(proc, d, t_ask, 4, NULL, 0), 0);
	bus_run(100);
	rp = rec(d, t_ask, 3);
	ck_assert_uint_eq(rp->parent, ra->id);
	ck_assert_uint_eq(rp->trace, ra->trace);
	/* the kernel's own posts outside handlers are not affected */
	ck_assert_int_eq(bus_send(d, t_ask, 4, NULL, 0), 0);
	bus_run(100);
	ck_assert_uint_eq(rec(d, t_ask, 4)->parent, 0);
	ck_assert_int_eq(bus_svc_set_cause(proc, NULL), 0);
	ck_assert_int_eq(bus_send_as(proc, d, t_ask, 4, NULL, 0), 0);
	bus_run(100);
	ck_assert_uint_eq(rec(d, t_ask, 5)->parent, 0);
	ck_assert_int_eq(bus_svc_set_cause(BUS_SVC_MAX - 1, &cause),
			 -AE_EINVAL);
	/* a service added in a freed one's place starts without a cause */
	ck_assert_int_eq(bus_svc_set_cause(proc, &cause), 0);
	ck_assert_int_eq(bus_svc_remove(proc), 0);
	proc = add("proc2", quiet);
	ck_assert_int_eq(bus_send_as(proc, d, t_ask, 4, NULL, 0), 0);
	bus_run(100);
	ck_assert_uint_eq(rec(d, t_ask, 6)->parent, 0);
}
END_TEST

START_TEST(test_a_fault_report_descends_from_the_faulted_message)
{
	const struct trace_rec *rd, *rw;

	d_faults = true;
	c_requests = false;
	ck_assert_int_eq(bus_send(d, t_ask, 4, NULL, 0), 0);
	bus_run(100);
	rd = rec(d, t_ask, 0);
	rw = rec(watcher, t_failed, 0);
	ck_assert_uint_eq(rw->parent, rd->id);
	ck_assert_uint_eq(rw->trace, rd->trace);
}
END_TEST

static bus_svc_t stop_me;

static int stop_d(void *st, const struct bus_msg *m, struct bus_msg *r)
{
	(void)st;
	(void)r;
	if (m->kind == BUS_EVENT)
		ck_assert_int_gt(bus_request(stop_me, t_ask, 4, NULL, 0), 0);
	return 0;
}

START_TEST(test_a_flushed_request_answer_descends_from_it)
{
	bus_svc_t asker = add("asker", stop_d);
	const struct trace_rec *rq, *rr;

	stop_me = d;
	ck_assert_int_eq(bus_send(asker, t_go, 4, NULL, 0), 0);
	ck_assert_int_eq(bus_dispatch(), 1);	/* the request is queued */
	ck_assert_int_eq(bus_svc_set_state(d, BUS_SVC_STOPPED), 0);
	bus_run(100);
	rq = rec(asker, t_go, 0);
	rr = rec(asker, t_ask, 0);
	ck_assert_uint_eq(rr->kind, BUS_REPLY);
	ck_assert_uint_eq(rr->trace, rq->id);
	/* its parent is the request, which never ran: not asker's message */
	ck_assert_uint_ne(rr->parent, 0);
	ck_assert_uint_ne(rr->parent, rq->id);
	ck_assert_uint_gt(rr->parent, rq->id);
	ck_assert_uint_lt(rr->parent, rr->id);
}
END_TEST

struct found {
	unsigned int unheard;
	struct trace_rec rec;
};

static void collect(const struct trace_rec *r, const char *topic,
		    const char *src, const char *dst, void *ctx)
{
	struct found *f = ctx;

	(void)topic;
	(void)src;
	(void)dst;
	if (r->inline_call & TRACE_UNHEARD) {
		f->unheard++;
		f->rec = *r;
	}
}

START_TEST(test_the_dump_keeps_the_lineage)
{
	struct found f = { 0 };
	size_t size;
	uint8_t *buf;
	const char *why;
	char line[TRACE_LINE_MAX];

	ck_assert_int_eq(bus_send(a, t_go, 4, NULL, 0), 0);
	bus_run(100);
	size = trace_dump_size();
	buf = malloc(size);
	ck_assert_int_eq(trace_dump(buf, size), (long)size);
	ck_assert_int_ge(trace_dump_parse(buf, size, collect, &f, &why), 1);
	free(buf);
	/* a publish nobody heard is in the tree too */
	ck_assert_uint_eq(f.unheard, 1);
	ck_assert_uint_eq(f.rec.parent, rec(a, t_go, 0)->id);
	ck_assert_uint_eq(f.rec.trace, rec(a, t_go, 0)->id);
	/* and the live line says id and parent */
	trace_format(line, sizeof(line), rec(b, t_x, 0));
	ck_assert_ptr_nonnull(strstr(line, " id="));
	{
		char want[40];

		snprintf(want, sizeof(want), " id=%u parent=%u",
			 rec(b, t_x, 0)->id, rec(a, t_go, 0)->id);
		ck_assert_ptr_nonnull(strstr(line, want));
	}
	trace_format(line, sizeof(line), rec(a, t_go, 0));
	ck_assert_ptr_null(strstr(line, "parent="));	/* a root */
}
END_TEST

Suite *suite_bus_lineage(void)
{
	Suite *s = suite_create("bus_lineage");
	TCase *tc = tcase_create("lineage");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_tree_is_rebuilt_from_the_records);
	tcase_add_test(tc, test_ids_are_unique_and_each_outside_post_is_a_root);
	tcase_add_test(tc, test_an_interrupt_event_is_a_root);
	tcase_add_test(tc, test_a_process_message_descends_from_its_cause);
	tcase_add_test(tc, test_a_fault_report_descends_from_the_faulted_message);
	tcase_add_test(tc, test_a_flushed_request_answer_descends_from_it);
	tcase_add_test(tc, test_the_dump_keeps_the_lineage);
	suite_add_tcase(s, tc);
	return s;
}
