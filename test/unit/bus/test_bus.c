/*
 * test_bus.c - bus/bus.c and bus/queue.c: deliveries, priorities and
 * FIFO order, inline calls and the re-entry refusal, backpressure and
 * drop counters, service states and faults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/route.h>
#include "unit.h"

/* Every handler run is logged here, in order. */
struct rec {
	bus_svc_t svc;
	bus_topic_t topic;
	uint8_t kind, prio;
	bus_svc_t src;
	uint32_t corr;
	int16_t status;
	int value;		/* first int of the payload, or -1 */
};

static struct rec log_[2048];
static unsigned int nlog;
static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* What a test service does beyond logging. */
struct behaviour {
	bus_svc_t self;
	int ret;		/* returned for requests */
	int reply_value;	/* put in the reply payload */
	bus_svc_t call_to;	/* inline call from the handler, if != NIL */
	int call_rc;		/* what that call returned */
	bus_svc_t request_to;	/* async request from the handler */
	int publish_topic;	/* publish from the handler, if >= 0 */
	int req_prio;		/* priority asked for that request */
	bool try_dispatch;	/* call bus_dispatch() from the handler */
	int dispatch_rc;
};

static struct behaviour beh[BUS_SVC_MAX];

static int handler(void *state, const struct bus_msg *m,
		   struct bus_msg *reply)
{
	struct behaviour *b = state;
	struct rec *r = &log_[nlog++ % 2048];
	struct bus_msg sub;

	r->svc = b->self;
	r->topic = m->topic;
	r->kind = m->kind;
	r->prio = m->prio;
	r->src = m->src;
	r->corr = m->corr;
	r->status = m->status;
	r->value = -1;
	if (m->len >= sizeof(int))
		memcpy(&r->value, m->data, sizeof(int));
	if (m->kind != BUS_REQUEST)
		return 0;
	if (b->call_to != 0xffff)
		b->call_rc = bus_call(b->call_to, m->topic, NULL, 0, &sub);
	if (b->request_to != 0xffff)
		bus_request(b->request_to, m->topic, b->req_prio, NULL, 0);
	if (b->try_dispatch)
		b->dispatch_rc = bus_dispatch();
	if (b->publish_topic >= 0)
		bus_publish((bus_topic_t)b->publish_topic, BUS_PRIO_INHERIT,
			    NULL, 0);
	memcpy(reply->data, &b->reply_value, sizeof(int));
	reply->len = sizeof(int);
	return b->ret;
}

static bus_svc_t add(const char *name, uint32_t qlimit)
{
	int id = bus_svc_add(name, handler, NULL, qlimit, BUS_PRIO_DEFAULT);

	ck_assert_int_ge(id, 0);
	memset(&beh[id], 0, sizeof(beh[id]));
	beh[id].self = (bus_svc_t)id;
	beh[id].call_to = 0xffff;
	beh[id].request_to = 0xffff;
	beh[id].publish_topic = -1;
	beh[id].req_prio = BUS_PRIO_INHERIT;
	/* re-add with the state pointer now that the id is known */
	bus_svc_remove((bus_svc_t)id);
	ck_assert_int_eq(bus_svc_add(name, handler, &beh[id], qlimit,
				     BUS_PRIO_DEFAULT), id);
	return (bus_svc_t)id;
}

/* An allocator that refuses after a budget, over malloc. */
static int alloc_budget;
static void *budget_alloc(size_t n)
{
	return alloc_budget-- > 0 ? calloc(1, n) : NULL;
}
static void budget_free(void *p, size_t n)
{
	(void)n;
	free(p);
}
static const struct bus_mem_ops budget_ops = { budget_alloc, budget_free };

/* Take every block of the bus's own reserve (long topic names: 64-byte
 * blocks), so only the allocator set next can give memory. */
static void use_up_reserve(void)
{
	struct bus_mem_stats ms;
	char name[64];

	bus_set_mem(NULL);
	/* until it has no 64-byte block left, carved or freed before */
	for (unsigned int i = 0;; i++) {
		snprintf(name, sizeof(name), "reserve.filler.%u.padded-to-a-64-byte-block",
			 i);
		if (bus_topic(name) == -AE_ENOMEM)
			break;
	}
	bus_mem_stats(&ms);
	ck_assert_uint_lt(ms.reserve_free, 64);
}

static bus_topic_t topic(const char *name)
{
	int t = bus_topic(name);

	ck_assert_int_ge(t, 0);
	return (bus_topic_t)t;
}

static void setup(void)
{
	bus_set_mem(&unit_host_mem);
	fake_now = 1000;
	bus_init(fake_clock);
	nlog = 0;
}

/* ---- publish / send ------------------------------------------------ */

START_TEST(test_publish_reaches_every_subscriber)
{
	bus_svc_t a = add("a", 16), b = add("b", 16), c = add("c", 16);
	bus_topic_t t = topic("dev.added");
	int v = 7;

	ck_assert_int_eq(bus_subscribe(a, "dev.added", NULL), 0);
	ck_assert_int_eq(bus_subscribe(b, "dev.*", NULL), 0);
	ck_assert_int_eq(bus_subscribe(c, "net.*", NULL), 0);
	ck_assert_int_eq(bus_publish(t, 3, &v, sizeof(v)), 2);
	ck_assert_uint_eq(bus_run(100), 2);
	ck_assert_uint_eq(nlog, 2);
	ck_assert_int_eq(log_[0].svc, a);
	ck_assert_int_eq(log_[1].svc, b);
	ck_assert_int_eq(log_[0].value, 7);
	ck_assert_int_eq(log_[0].kind, BUS_EVENT);
	ck_assert_int_eq(log_[0].src, BUS_SVC_KERNEL);
}
END_TEST

START_TEST(test_subscription_before_topic_exists)
{
	bus_svc_t a = add("a", 16);

	ck_assert_int_eq(bus_subscribe(a, "late.*", NULL), 0);
	ck_assert_int_eq(bus_publish(topic("late.topic"), 1, NULL, 0), 1);
}
END_TEST

START_TEST(test_publish_without_subscribers_is_zero)
{
	ck_assert_int_eq(bus_publish(topic("lonely"), 1, NULL, 0), 0);
	ck_assert_uint_eq(bus_pending(), 0);
}
END_TEST

START_TEST(test_unsubscribe_stops_delivery)
{
	bus_svc_t a = add("a", 16);
	bus_topic_t t = topic("x.y");

	ck_assert_int_eq(bus_subscribe(a, "x.*", NULL), 0);
	ck_assert_int_eq(bus_unsubscribe(a, "x.*"), 0);
	ck_assert_int_eq(bus_publish(t, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_unsubscribe(a, "x.*"), -AE_ENOENT);
}
END_TEST

START_TEST(test_subscribe_rejects_bad_pattern_with_reason)
{
	bus_svc_t a = add("a", 16);
	const char *why = NULL;

	ck_assert_int_eq(bus_subscribe(a, "x.*.y", &why), -AE_EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(bus_subscribe(a, "x", NULL), 0);
	ck_assert_int_eq(bus_subscribe(a, "x", &why), -AE_EEXIST);
	ck_assert_int_eq(bus_subscribe(99, "x", &why), -AE_EINVAL);
}
END_TEST

START_TEST(test_send_reaches_only_its_destination)
{
	bus_svc_t a = add("a", 16), b = add("b", 16);
	bus_topic_t t = topic("direct");
	int v = 42;

	ck_assert_int_eq(bus_subscribe(a, "direct", NULL), 0);
	ck_assert_int_eq(bus_send(b, t, 2, &v, sizeof(v)), 0);
	bus_run(10);
	ck_assert_uint_eq(nlog, 1);
	ck_assert_int_eq(log_[0].svc, b);
	ck_assert_int_eq(log_[0].value, 42);
}
END_TEST

START_TEST(test_payload_too_big_is_e2big)
{
	bus_svc_t a = add("a", 16);
	char big[BUS_INLINE_MAX + 1] = { 0 };

	ck_assert_int_eq(bus_send(a, topic("t"), 1, big, sizeof(big)),
			 -AE_E2BIG);
	ck_assert_int_eq(bus_send(a, topic("t"), 1, big, BUS_INLINE_MAX), 0);
}
END_TEST

START_TEST(test_bad_arguments_rejected)
{
	bus_svc_t a = add("a", 16);

	ck_assert_int_eq(bus_send(a, 400, 1, NULL, 0), -AE_EINVAL);
	ck_assert_int_eq(bus_send(a, topic("t"), 9, NULL, 0), -AE_EINVAL);
	ck_assert_int_eq(bus_send(a, topic("t"), 1, NULL, 4), -AE_EINVAL);
	ck_assert_int_eq(bus_send(60, topic("t"), 1, NULL, 0), -AE_EINVAL);
	ck_assert_int_eq(bus_publish(topic("t"), -5, NULL, 0), -AE_EINVAL);
}
END_TEST

START_TEST(test_timestamp_from_clock)
{
	bus_svc_t a = add("a", 16);

	fake_now = 123456;
	ck_assert_int_eq(bus_send(a, topic("t"), 1, NULL, 0), 0);
	/* the message was stamped at post time, not dispatch time */
	fake_now = 999999;
	bus_run(1);
	ck_assert_uint_eq(nlog, 1);
}
END_TEST

/* ---- priorities and FIFO ------------------------------------------- */

START_TEST(test_most_urgent_first_fifo_within_priority)
{
	bus_svc_t a = add("a", 64);
	bus_topic_t t = topic("t");
	static const int prios[] = { 5, 1, 7, 1, 0, 5, 3, 0, 7, 1 };
	int order[10];

	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(bus_send(a, t, prios[i], &i, sizeof(i)), 0);
	ck_assert_uint_eq(bus_pending(), 10);
	ck_assert_uint_eq(bus_run(100), 10);
	for (int i = 0; i < 10; i++)
		order[i] = log_[i].value;
	/* prio 0: 4, 7; prio 1: 1, 3, 9; prio 3: 6; prio 5: 0, 5;
	 * prio 7: 2, 8 */
	ck_assert_int_eq(order[0], 4);
	ck_assert_int_eq(order[1], 7);
	ck_assert_int_eq(order[2], 1);
	ck_assert_int_eq(order[3], 3);
	ck_assert_int_eq(order[4], 9);
	ck_assert_int_eq(order[5], 6);
	ck_assert_int_eq(order[6], 0);
	ck_assert_int_eq(order[7], 5);
	ck_assert_int_eq(order[8], 2);
	ck_assert_int_eq(order[9], 8);
}
END_TEST

START_TEST(test_fifo_holds_for_long_runs)
{
	bus_svc_t a = add("a", 1024);
	bus_topic_t t = topic("t");

	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(bus_send(a, t, 2, &i, sizeof(i)), 0);
	ck_assert_uint_eq(bus_run(2000), 1000);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(log_[i].value, i);
}
END_TEST

START_TEST(test_urgent_message_overtakes_queued_ones)
{
	bus_svc_t a = add("a", 64);
	bus_topic_t t = topic("t");
	int v;

	for (v = 0; v < 3; v++)
		bus_send(a, t, 6, &v, sizeof(v));
	bus_run(1);
	v = 100;
	bus_send(a, t, 0, &v, sizeof(v));
	bus_run(10);
	ck_assert_int_eq(log_[0].value, 0);
	ck_assert_int_eq(log_[1].value, 100);
	ck_assert_int_eq(log_[2].value, 1);
}
END_TEST

START_TEST(test_inherit_priority_outside_handler_is_default)
{
	bus_svc_t a = add("a", 16);

	ck_assert_int_eq(bus_send(a, topic("t"), BUS_PRIO_INHERIT, NULL, 0),
			 0);
	bus_run(1);
	ck_assert_int_eq(log_[0].prio, BUS_PRIO_DEFAULT);
}
END_TEST

/* ---- requests and calls --------------------------------------------- */

START_TEST(test_request_gets_reply_with_correlation)
{
	bus_svc_t a = add("a", 16), b = add("b", 16);
	bus_topic_t t = topic("rq");

	beh[a].request_to = b;
	beh[b].reply_value = 55;
	beh[b].ret = -AE_ENOENT;
	/* kernel -> a (inline call) -> a requests b asynchronously */
	ck_assert_int_eq(bus_call(a, t, NULL, 0, NULL), 0);
	ck_assert_uint_eq(bus_run(10), 2);	/* b's request, a's reply */
	ck_assert_uint_eq(nlog, 3);
	ck_assert_int_eq(log_[1].svc, b);
	ck_assert_int_eq(log_[1].kind, BUS_REQUEST);
	ck_assert_int_eq(log_[2].svc, a);
	ck_assert_int_eq(log_[2].kind, BUS_REPLY);
	ck_assert_uint_eq(log_[2].corr, log_[1].corr);
	ck_assert_int_eq(log_[2].status, -AE_ENOENT);
	ck_assert_int_eq(log_[2].value, 55);
}
END_TEST

START_TEST(test_request_outside_handler_rejected)
{
	bus_svc_t a = add("a", 16);

	ck_assert_int_eq(bus_request(a, topic("t"), 1, NULL, 0), -AE_EINVAL);
}
END_TEST

START_TEST(test_request_inherits_caller_priority)
{
	bus_svc_t r = add("r", 16), k = add("k", 16), b = add("b", 16);

	/* r (inline, prio 4) asks k at prio 1; k, running at prio 1, asks b
	 * for prio 6: b's request still runs at prio 1 (inherited). */
	beh[r].request_to = k;
	beh[r].req_prio = 1;
	beh[k].request_to = b;
	beh[k].req_prio = 6;
	ck_assert_int_eq(bus_call(r, topic("t"), NULL, 0, NULL), 0);
	bus_run(10);
	ck_assert_int_eq(log_[1].svc, k);
	ck_assert_int_eq(log_[1].prio, 1);
	ck_assert_int_eq(log_[2].svc, b);
	ck_assert_int_eq(log_[2].prio, 1);
	/* and a reply travels at its request's priority */
	ck_assert_int_eq(log_[3].kind, BUS_REPLY);
	ck_assert_int_eq(log_[3].prio, 1);
}
END_TEST

START_TEST(test_inline_call_runs_now_and_returns_reply)
{
	bus_svc_t a = add("a", 16);
	struct bus_msg reply;
	int v = 3;

	beh[a].reply_value = 99;
	beh[a].ret = 0;
	ck_assert_int_eq(bus_call(a, topic("q"), &v, sizeof(v), &reply), 0);
	ck_assert_uint_eq(nlog, 1);		/* ran before returning */
	ck_assert_uint_eq(bus_pending(), 0);	/* nothing was queued */
	ck_assert_int_eq(reply.kind, BUS_REPLY);
	ck_assert_int_eq(reply.src, a);
	ck_assert_int_eq(*(int *)reply.data, 99);
	ck_assert_int_eq(log_[0].value, 3);
}
END_TEST

START_TEST(test_inline_call_returns_handler_error)
{
	bus_svc_t a = add("a", 16);
	struct bus_msg reply;

	beh[a].ret = -AE_EPERM;
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, &reply),
			 -AE_EPERM);
	ck_assert_int_eq(reply.status, -AE_EPERM);
}
END_TEST

START_TEST(test_nested_inline_calls)
{
	bus_svc_t a = add("a", 16), b = add("b", 16), c = add("c", 16);

	beh[a].call_to = b;
	beh[b].call_to = c;
	beh[c].ret = -AE_EIO;
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, NULL), 0);
	ck_assert_int_eq(beh[b].call_rc, -AE_EIO);
	ck_assert_int_eq(beh[a].call_rc, 0);
	ck_assert_uint_eq(nlog, 3);
	ck_assert_int_eq(log_[1].src, a);
	ck_assert_int_eq(log_[2].src, b);
}
END_TEST

START_TEST(test_reentrant_call_refused_with_edeadlk)
{
	bus_svc_t a = add("a", 16), b = add("b", 16);

	beh[a].call_to = b;
	beh[b].call_to = a;	/* a -> b -> a: would wait for itself */
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, NULL), 0);
	ck_assert_int_eq(beh[b].call_rc, -AE_EDEADLK);
	ck_assert_uint_eq(nlog, 2);	/* a ran once, b once */
}
END_TEST

START_TEST(test_self_call_refused_with_edeadlk)
{
	bus_svc_t a = add("a", 16);

	beh[a].call_to = a;
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, NULL), 0);
	ck_assert_int_eq(beh[a].call_rc, -AE_EDEADLK);
}
END_TEST

START_TEST(test_call_to_stopped_service_is_eshutdown)
{
	bus_svc_t a = add("a", 16);

	ck_assert_int_eq(bus_svc_set_state(a, BUS_SVC_STOPPED), 0);
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, NULL),
			 -AE_ESHUTDOWN);
	ck_assert_uint_eq(nlog, 0);
}
END_TEST

START_TEST(test_call_from_handler_during_dispatch)
{
	bus_svc_t a = add("a", 16), b = add("b", 16);
	bus_svc_t k = add("k", 16);

	/* a queued request to k; k calls a inline; a calls b inline */
	beh[k].call_to = a;
	beh[a].call_to = b;
	beh[a].request_to = 0xffff;
	{
		bus_svc_t r = add("r", 16);

		beh[r].request_to = k;
		ck_assert_int_eq(bus_call(r, topic("q"), NULL, 0, NULL), 0);
	}
	bus_run(10);
	ck_assert_int_eq(beh[k].call_rc, 0);
	ck_assert_int_eq(beh[a].call_rc, 0);
	ck_assert_int_eq(bus_dispatch(), 0);
}
END_TEST

/* ---- backpressure --------------------------------------------------- */

START_TEST(test_full_queue_returns_eagain_and_counts_drop)
{
	bus_svc_t a = add("a", 3);
	bus_topic_t t = topic("t");
	struct bus_svc_stats s;
	struct bus_topic_stats ts;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(bus_send(a, t, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_send(a, t, 1, NULL, 0), -AE_EAGAIN);
	ck_assert_int_eq(bus_send(a, t, 1, NULL, 0), -AE_EAGAIN);
	ck_assert_int_eq(bus_svc_stats(a, &s), 0);
	ck_assert_uint_eq(s.drops, 2);
	ck_assert_uint_eq(s.pending, 3);
	ck_assert_uint_eq(s.pending_max, 3);
	ck_assert_int_eq(bus_topic_stats(t, &ts), 0);
	ck_assert_uint_eq(ts.drops, 2);
	ck_assert_uint_eq(ts.published, 5);
	bus_run(10);
	ck_assert_int_eq(bus_send(a, t, 1, NULL, 0), 0);	/* room again */
}
END_TEST

START_TEST(test_publish_partial_when_one_subscriber_full)
{
	bus_svc_t a = add("a", 1), b = add("b", 8);
	bus_topic_t t = topic("ev");
	struct bus_svc_stats s;

	bus_subscribe(a, "ev", NULL);
	bus_subscribe(b, "ev", NULL);
	ck_assert_int_eq(bus_publish(t, 1, NULL, 0), 2);
	ck_assert_int_eq(bus_publish(t, 1, NULL, 0), -AE_EAGAIN);
	bus_svc_stats(a, &s);
	ck_assert_uint_eq(s.drops, 1);
	bus_svc_stats(b, &s);
	ck_assert_uint_eq(s.drops, 0);
	ck_assert_uint_eq(s.pending, 2);	/* b got both */
}
END_TEST

START_TEST(test_pool_grows_and_gives_back)
{
	bus_svc_t a = add("a", BUS_POOL_SIZE), b = add("b", BUS_POOL_SIZE);
	bus_topic_t t = topic("t");
	struct bus_pool_stats ps;

	for (int n = 0; n < 2 * BUS_POOL_SIZE; n++)
		ck_assert_int_eq(bus_send(n & 1 ? a : b, t, 1, &n, sizeof(n)),
				 0);
	bus_pool_stats(&ps);
	ck_assert_uint_eq(ps.slots, 2 * BUS_POOL_SIZE);
	ck_assert_uint_eq(ps.queued, 2 * BUS_POOL_SIZE);
	ck_assert_uint_eq(ps.grows, BUS_POOL_SIZE / 64);
	/* the per-service bound still holds */
	ck_assert_int_eq(bus_send(a, t, 1, NULL, 0), -AE_EAGAIN);
	ck_assert_uint_eq(bus_run(~0u), 2 * BUS_POOL_SIZE);
	/* in order, nothing lost in the grown chunks */
	for (unsigned int i = 0; i < 2 * BUS_POOL_SIZE; i++)
		ck_assert_int_eq(log_[i % 2048].value, (int)i);
	bus_pool_stats(&ps);
	ck_assert_uint_eq(ps.slots, BUS_POOL_SIZE);
	ck_assert_uint_eq(ps.free, BUS_POOL_SIZE);
	ck_assert_uint_eq(ps.shrinks, 1);
	ck_assert_uint_eq(ps.slots_max, 2 * BUS_POOL_SIZE);
}
END_TEST

START_TEST(test_pool_exhaustion_is_eagain)
{
	bus_svc_t a, b;
	bus_topic_t t = topic("t");
	struct bus_pool_stats ps;
	int rc = 0, n = 0;

	use_up_reserve();
	a = add("a", BUS_POOL_SIZE);
	b = add("b", BUS_POOL_SIZE);
	alloc_budget = 2;		/* one chunk: its messages and links */
	bus_set_mem(&budget_ops);
	while ((rc = bus_send(n & 1 ? a : b, t, 1, NULL, 0)) == 0)
		n++;
	ck_assert_int_eq(rc, -AE_EAGAIN);
	ck_assert_int_eq(n, BUS_POOL_SIZE + 64);
	bus_pool_stats(&ps);
	ck_assert_uint_eq(ps.grow_fails, 1);
	ck_assert_uint_eq(bus_run(BUS_POOL_SIZE * 2), BUS_POOL_SIZE + 64);
	bus_set_mem(&unit_host_mem);
}
END_TEST

START_TEST(test_stop_is_linear_in_its_queue)
{
	bus_svc_t a = add("a", BUS_POOL_SIZE), b = add("b", BUS_POOL_SIZE);
	bus_topic_t t = topic("t");
	struct bus_svc_stats st;

	/* interleaved, at every priority: b's leave, a's stay in order */
	for (int n = 0; n < 1000; n++)
		ck_assert_int_eq(bus_send(n & 1 ? a : b, t, n % BUS_PRIOS, &n,
					  sizeof(n)), 0);
	ck_assert_int_eq(bus_svc_set_state(b, BUS_SVC_STOPPED), 0);
	ck_assert_int_eq(bus_svc_stats(b, &st), 0);
	ck_assert_uint_eq(st.drops, 500);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(bus_pending(), 500);
	ck_assert_uint_eq(bus_run(~0u), 500);
	for (unsigned int i = 0; i < 500; i++)
		ck_assert_uint_eq(log_[i].svc, a);
}
END_TEST

/* ---- service states and faults -------------------------------------- */

START_TEST(test_stopping_answers_pending_requests)
{
	bus_svc_t a = add("a", 16), b = add("b", 16), r = add("r", 16);
	struct bus_svc_stats s;

	beh[r].request_to = b;
	ck_assert_int_eq(bus_call(r, topic("q"), NULL, 0, NULL), 0);
	bus_send(b, topic("e"), 1, NULL, 0);		/* an event too */
	ck_assert_int_eq(bus_svc_set_state(b, BUS_SVC_STOPPED), 0);
	bus_run(10);
	/* r got a -ESHUTDOWN reply; b never ran; the event is a drop */
	ck_assert_uint_eq(nlog, 2);
	ck_assert_int_eq(log_[1].svc, r);
	ck_assert_int_eq(log_[1].kind, BUS_REPLY);
	ck_assert_int_eq(log_[1].status, -AE_ESHUTDOWN);
	bus_svc_stats(b, &s);
	ck_assert_uint_eq(s.drops, 1);
	ck_assert_uint_eq(s.pending, 0);
	(void)a;
}
END_TEST

START_TEST(test_send_to_stopped_service_is_eshutdown)
{
	bus_svc_t a = add("a", 16);

	bus_svc_set_state(a, BUS_SVC_STOPPED);
	ck_assert_int_eq(bus_send(a, topic("t"), 1, NULL, 0), -AE_ESHUTDOWN);
}
END_TEST

START_TEST(test_fault_marks_failed_and_publishes)
{
	bus_svc_t a = add("a", 16), sup = add("sup", 16);
	struct bus_svc_stats s;

	bus_subscribe(sup, "bus.svc.failed", NULL);
	beh[a].ret = -AE_ENOTRECOVERABLE;
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, NULL),
			 -AE_ESHUTDOWN);
	ck_assert_int_eq(bus_svc_state(a), BUS_SVC_FAILED);
	bus_svc_stats(a, &s);
	ck_assert_uint_eq(s.faults, 1);
	bus_run(10);
	ck_assert_int_eq(log_[1].svc, sup);
	ck_assert_int_eq(log_[1].value, a);
}
END_TEST

START_TEST(test_restart_bumps_generation)
{
	bus_svc_t a = add("a", 16);
	uint32_t g = bus_svc_generation(a);

	bus_svc_set_state(a, BUS_SVC_FAILED);
	bus_svc_set_state(a, BUS_SVC_RUNNING);
	ck_assert_uint_eq(bus_svc_generation(a), g + 1);
	bus_svc_set_state(a, BUS_SVC_RUNNING);	/* already running */
	ck_assert_uint_eq(bus_svc_generation(a), g + 1);
}
END_TEST

START_TEST(test_service_names_and_limits)
{
	char name[16];
	int rc = 0;

	ck_assert_int_eq(bus_svc_add("", handler, NULL, 1, 1), -AE_EINVAL);
	ck_assert_int_eq(bus_svc_add("x", NULL, NULL, 1, 1), -AE_EINVAL);
	ck_assert_int_eq(bus_svc_add("x", handler, NULL, 0, 1), -AE_EINVAL);
	ck_assert_int_eq(bus_svc_add("x", handler, NULL, 1, 8), -AE_EINVAL);
	ck_assert_int_ge(bus_svc_add("x", handler, NULL, 1, 1), 0);
	ck_assert_int_eq(bus_svc_add("x", handler, NULL, 1, 1), -AE_EEXIST);
	ck_assert_str_eq(bus_svc_name(BUS_SVC_KERNEL), "kernel");
	ck_assert_str_eq(bus_svc_name(40), "?");
	for (int i = 0; rc >= 0; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		rc = bus_svc_add(name, handler, NULL, 1, 1);
	}
	ck_assert_int_eq(rc, -AE_ENOSPC);
}
END_TEST

START_TEST(test_remove_frees_the_slot)
{
	bus_svc_t a = add("a", 16);

	bus_subscribe(a, "t", NULL);
	ck_assert_int_eq(bus_svc_remove(a), 0);
	ck_assert_int_eq(bus_svc_find("a"), -AE_ENOENT);
	ck_assert_int_eq(bus_publish(topic("t"), 1, NULL, 0), 0);
}
END_TEST

START_TEST(test_dispatch_from_handler_is_ebusy)
{
	bus_svc_t a = add("a", 16);

	beh[a].try_dispatch = true;
	ck_assert_int_eq(bus_current(), BUS_SVC_KERNEL);
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, NULL), 0);
	ck_assert_int_eq(beh[a].dispatch_rc, -AE_EBUSY);
	ck_assert_int_eq(bus_dispatch(), 0);
}
END_TEST

/* ---- scale: services beyond 64, subscriber lists -------------------- */

START_TEST(test_a_thousand_services_subscribe_and_hear)
{
	char name[16];
	bus_topic_t t = topic("wide.news");
	int v = 5;

	for (int i = 0; i < BUS_SVC_MAX; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		ck_assert_int_eq(bus_svc_add(name, handler, &beh[i], 4, 1), i);
		memset(&beh[i], 0, sizeof(beh[i]));
		beh[i].self = (bus_svc_t)i;
		beh[i].call_to = beh[i].request_to = 0xffff;
		beh[i].publish_topic = -1;
		ck_assert_int_eq(bus_subscribe((bus_svc_t)i, "wide.*", NULL), 0);
	}
	ck_assert_int_eq(bus_svc_add("one-more", handler, NULL, 1, 1),
			 -AE_ENOSPC);
	ck_assert_uint_eq(bus_svc_span(), BUS_SVC_MAX);
	ck_assert_uint_eq(bus_topic_subscribers(t, NULL, 0), BUS_SVC_MAX);
	ck_assert_int_eq(bus_topic_subscriber(t, BUS_SVC_MAX - 1),
			 BUS_SVC_MAX - 1);
	ck_assert_int_eq(bus_topic_subscriber(t, BUS_SVC_MAX), -AE_ENOENT);
	ck_assert_int_eq(bus_publish(t, 1, &v, sizeof(v)), BUS_SVC_MAX);
	ck_assert_uint_eq(bus_run(~0u), BUS_SVC_MAX);
	/* in id order */
	for (unsigned int i = 0; i < BUS_SVC_MAX; i++)
		ck_assert_uint_eq(log_[i % 2048].svc, i);
	/* a topic made later is heard by all of them too */
	ck_assert_uint_eq(bus_topic_subscribers(topic("wide.later"), NULL, 0),
			  BUS_SVC_MAX);
	ck_assert_uint_eq(bus_sub_misses(), 0);
}
END_TEST

START_TEST(test_call_chain_rule_holds_for_high_ids)
{
	char name[16];
	bus_svc_t a, b;

	for (int i = 0; i < 700; i++) {
		snprintf(name, sizeof(name), "pad%d", i);
		ck_assert_int_ge(bus_svc_add(name, handler, NULL, 1, 1), 0);
	}
	a = add("a", 16);
	b = add("b", 16);
	ck_assert_uint_gt(a, 64);
	/* a calls b calls a: the re-entry is refused, both ids past 64 */
	beh[a].call_to = b;
	beh[b].call_to = a;
	ck_assert_int_eq(bus_call(a, topic("q"), NULL, 0, NULL), 0);
	ck_assert_int_eq(beh[b].call_rc, -AE_EDEADLK);
	/* and both left the chain: a stop is not refused as busy */
	ck_assert_int_eq(bus_svc_set_state(a, BUS_SVC_STOPPED), 0);
	ck_assert_int_eq(bus_svc_set_state(b, BUS_SVC_STOPPED), 0);
}
END_TEST

START_TEST(test_unsubscribe_keeps_what_other_patterns_give)
{
	bus_svc_t a = add("a", 16);
	bus_topic_t t = topic("net.rx.eth0");

	ck_assert_int_eq(bus_subscribe(a, "net.*", NULL), 0);
	ck_assert_int_eq(bus_subscribe(a, "net.rx.eth0", NULL), 0);
	ck_assert_int_eq(bus_unsubscribe(a, "net.*"), 0);
	ck_assert_uint_eq(bus_topic_subscribers(t, NULL, 0), 1);
	ck_assert_uint_eq(bus_topic_subscribers(topic("net.tx"), NULL, 0), 0);
	ck_assert_int_eq(bus_unsubscribe(a, "net.rx.eth0"), 0);
	ck_assert_uint_eq(bus_topic_subscribers(t, NULL, 0), 0);
	ck_assert_int_eq(bus_unsubscribe(a, "net.rx.eth0"), -AE_ENOENT);
	ck_assert_int_eq(bus_unsubscribe(BUS_SVC_MAX - 1, "x"), -AE_ENOENT);
}
END_TEST

START_TEST(test_subscriptions_per_service_are_bounded)
{
	bus_svc_t a = add("a", 16), b = add("b", 16);
	const char *why = NULL;
	char pat[24];

	for (int i = 0; i < BUS_SVC_SUBS_MAX; i++) {
		snprintf(pat, sizeof(pat), "p%d.*", i);
		ck_assert_int_eq(bus_subscribe(a, pat, NULL), 0);
	}
	ck_assert_int_eq(bus_subscribe(a, "one.more", &why), -AE_ENOSPC);
	ck_assert_str_eq(why, "too many subscriptions for one service");
	/* another service is not held back by a's */
	ck_assert_int_eq(bus_subscribe(b, "one.more", NULL), 0);
	/* removing a gives every list back */
	ck_assert_uint_eq(bus_topic_subscribers(topic("p3.x"), NULL, 0), 1);
	ck_assert_int_eq(bus_svc_remove(a), 0);
	ck_assert_uint_eq(bus_topic_subscribers(topic("p3.x"), NULL, 0), 0);
	ck_assert_int_eq(bus_subscribe(add("a", 16), "p0.*", NULL), 0);
}
END_TEST

START_TEST(test_subscribe_without_memory_changes_nothing)
{
	char name[16];
	bus_svc_t a;
	const char *why = NULL;
	bus_topic_t t1, t2;

	use_up_reserve();	/* then let the allocator refuse */
	alloc_budget = 1000;
	bus_set_mem(&budget_ops);
	t1 = topic("z.one");
	t2 = topic("z.two");
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "sub%d", i);
		ck_assert_int_eq(bus_subscribe(add(name, 4), "z.*", NULL), 0);
	}
	a = add("a", 4);
	ck_assert_int_eq(bus_subscribe(a, "z.one", NULL), 0);
	/* z.two's list is full inside (2 ids): a third needs a block */
	alloc_budget = 1;	/* the pattern's; not the list's */
	ck_assert_int_eq(bus_subscribe(a, "z.*", &why), -AE_ENOMEM);
	ck_assert_str_eq(why, "out of memory");
	/* as before: a still gets z.one (its exact pattern), not z.two */
	ck_assert_uint_eq(bus_topic_subscribers(t1, NULL, 0), 3);
	ck_assert_uint_eq(bus_topic_subscribers(t2, NULL, 0), 2);
	alloc_budget = 100;
	ck_assert_int_eq(bus_subscribe(a, "z.*", NULL), 0);
	ck_assert_uint_eq(bus_topic_subscribers(t2, NULL, 0), 3);
	/* and a topic name finds no memory: -ENOMEM, the id not used */
	alloc_budget = 0;
	ck_assert_int_eq(bus_topic("z.three"), -AE_ENOMEM);
	ck_assert_int_eq(bus_topic_find("z.three"), -AE_ENOENT);
	alloc_budget = 100;
	ck_assert_int_eq(bus_topic("z.three"), (int)bus_topic_count() - 1);
	bus_set_mem(&unit_host_mem);
}
END_TEST

/* ---- sequence numbers and delivery contracts -------------------------- */

/* published = delivered + dropped + queued: every live topic, and every
 * subscription of services 0..nsvc-1. */
static void check_invariants(unsigned int nsvc)
{
	struct bus_topic_stats ts;
	struct bus_sub_stats ss;

	for (unsigned int t = 0; t < bus_topic_count(); t++) {
		if (bus_topic_stats((bus_topic_t)t, &ts))
			continue;
		ck_assert_uint_eq(ts.copies, ts.delivered + ts.drops + ts.queued);
	}
	for (unsigned int s = 0; s < nsvc; s++)
		for (unsigned int k = 0;
		     bus_sub_stats((bus_svc_t)s, k, NULL, &ss) == 0; k++)
			ck_assert_uint_eq(ss.published,
					  ss.delivered + ss.dropped + ss.queued);
}

START_TEST(test_events_carry_their_topics_sequence_number)
{
	bus_svc_t a = add("a", 16), b = add("b", 16);
	bus_topic_t t = topic("seq.t"), u = topic("seq.u");
	struct bus_topic_stats st;

	bus_subscribe(a, "seq.*", NULL);
	bus_subscribe(b, "seq.t", NULL);
	ck_assert_int_eq(bus_publish(t, 1, NULL, 0), 2);
	ck_assert_int_eq(bus_publish(u, 1, NULL, 0), 1);
	ck_assert_int_eq(bus_send(b, t, 1, NULL, 0), 0);
	ck_assert_int_eq(bus_publish(t, 1, NULL, 0), 2);
	ck_assert_uint_eq(bus_run(~0u), 6);
	/* one number per publish, shared by its copies; per topic */
	ck_assert_uint_eq(log_[0].corr, 1);	/* a: t #1 */
	ck_assert_uint_eq(log_[1].corr, 1);	/* b: t #1 */
	ck_assert_uint_eq(log_[2].corr, 1);	/* a: u #1 */
	ck_assert_uint_eq(log_[3].corr, 2);	/* b: t #2 (the send) */
	ck_assert_uint_eq(log_[4].corr, 3);
	ck_assert_uint_eq(log_[5].corr, 3);
	ck_assert_int_eq(bus_topic_stats(t, &st), 0);
	ck_assert_uint_eq(st.seq, 3);
	check_invariants(2);
}
END_TEST

static uint16_t gaps[64];
static uint32_t seqs[64];
static int values[64];
static unsigned int ngot;

static int recorder(void *state, const struct bus_msg *m,
		    struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	if (ngot < 64) {
		gaps[ngot] = m->gap;
		seqs[ngot] = m->seq;
		memcpy(&values[ngot], m->data, sizeof(int));
		ngot++;
	}
	return 0;
}

START_TEST(test_lossless_refuses_and_tells_the_gap)
{
	int s = bus_svc_add("slow", recorder, NULL, 2, 4);
	bus_topic_t t = topic("flow.t");
	struct bus_sub_stats ss;

	ngot = 0;
	ck_assert_int_eq(bus_subscribe_with((bus_svc_t)s, "flow.*",
					    BUS_LOSSLESS, 0, NULL), 0);
	for (int i = 1; i <= 5; i++)
		ck_assert_int_eq(bus_publish(t, 1, &i, sizeof(i)),
				 i <= 2 ? 1 : -AE_EAGAIN);
	ck_assert_int_eq(bus_sub_stats((bus_svc_t)s, 0, NULL, &ss), 0);
	ck_assert_uint_eq(ss.published, 5);
	ck_assert_uint_eq(ss.dropped, 3);
	ck_assert_uint_eq(ss.queued, 2);
	ck_assert_uint_eq(ss.gap, 3);
	bus_run(~0u);
	/* nothing overwritten: 1 and 2 arrive; the gap is told at once */
	ck_assert_uint_eq(ngot, 2);
	ck_assert_int_eq(values[0], 1);
	ck_assert_uint_eq(gaps[0], 3);
	ck_assert_int_eq(values[1], 2);
	ck_assert_uint_eq(gaps[1], 0);
	ck_assert_int_eq(bus_publish(t, 1, &(int){ 6 }, sizeof(int)), 1);
	bus_run(~0u);
	ck_assert_uint_eq(gaps[2], 0);
	ck_assert_uint_eq(seqs[2], 6);
	check_invariants((unsigned int)s + 1);
}
END_TEST

START_TEST(test_latest_keeps_only_the_newest_value)
{
	int s = bus_svc_add("gauge", recorder, NULL, 16, 4);
	bus_topic_t t = topic("temp.cpu"), u = topic("temp.gpu");

	ngot = 0;
	ck_assert_int_eq(bus_subscribe_with((bus_svc_t)s, "temp.*",
					    BUS_LATEST, 0, NULL), 0);
	for (int i = 1; i <= 5; i++) {
		ck_assert_int_eq(bus_publish(t, 1, &i, sizeof(i)), 1);
		ck_assert_int_eq(bus_publish(u, 1, &(int){ 100 + i },
					     sizeof(int)), 1);
	}
	ck_assert_uint_eq(bus_pending(), 2);	/* one per topic */
	bus_run(~0u);
	ck_assert_uint_eq(ngot, 2);
	ck_assert_int_eq(values[0], 5);
	ck_assert_uint_eq(seqs[0], 5);
	ck_assert_uint_eq(gaps[0], 8);	/* the 4 + 4 overwritten before */
	ck_assert_int_eq(values[1], 105);
	ck_assert_uint_eq(gaps[1], 0);
	/* the publisher is never refused */
	check_invariants((unsigned int)s + 1);
}
END_TEST

START_TEST(test_ring_drops_the_oldest_past_n)
{
	int s = bus_svc_add("ring", recorder, NULL, 64, 4);
	bus_topic_t t = topic("log.line");
	struct bus_sub_stats ss;
	struct bus_topic_stats ts;

	ngot = 0;
	ck_assert_int_eq(bus_subscribe_with((bus_svc_t)s, "log.line", BUS_RING,
					    3, NULL), 0);
	for (int i = 1; i <= 10; i++)
		ck_assert_int_eq(bus_publish(t, 1, &i, sizeof(i)), 1);
	ck_assert_int_eq(bus_sub_stats((bus_svc_t)s, 0, NULL, &ss), 0);
	ck_assert_uint_eq(ss.queued, 3);
	ck_assert_uint_eq(ss.dropped, 7);
	ck_assert_uint_eq(ss.mode, BUS_RING);
	ck_assert_uint_eq(ss.ring, 3);
	bus_run(~0u);
	ck_assert_uint_eq(ngot, 3);
	ck_assert_int_eq(values[0], 8);
	ck_assert_uint_eq(gaps[0], 7);
	ck_assert_int_eq(values[2], 10);
	ck_assert_int_eq(bus_topic_stats(t, &ts), 0);
	ck_assert_uint_eq(ts.copies, 10);
	ck_assert_uint_eq(ts.delivered, 3);
	ck_assert_uint_eq(ts.drops, 7);
	check_invariants((unsigned int)s + 1);
}
END_TEST

/* A ring of one over a wildcard: the copy it drops is another topic's,
 * whose counts must go to that topic even when both share a slot of the
 * bus's per-CPU count cache (ids 32 apart: bus.c, tcache). */
START_TEST(test_a_ring_drop_counts_to_the_dropped_topic)
{
	int s = bus_svc_add("ring", recorder, NULL, 64, 4);
	bus_topic_t ta = topic("log.a"), tb = 0;
	struct bus_topic_stats a, b;
	char name[24];

	for (int k = 0; k < 200; k++) {
		snprintf(name, sizeof(name), "log.b%d", k);
		tb = topic(name);
		if (tb % 32 == ta % 32)
			break;
	}
	ck_assert_uint_eq(tb % 32, ta % 32);
	ck_assert_int_eq(bus_subscribe_with((bus_svc_t)s, "log.*", BUS_RING,
					    1, NULL), 0);
	ck_assert_int_eq(bus_publish(tb, 1, NULL, 0), 1);
	ck_assert_int_eq(bus_publish(ta, 1, NULL, 0), 1);	/* drops tb's */
	ck_assert_int_eq(bus_topic_stats(ta, &a), 0);
	ck_assert_int_eq(bus_topic_stats(tb, &b), 0);
	ck_assert_uint_eq(a.copies, 1);
	ck_assert_uint_eq(a.queued, 1);
	ck_assert_uint_eq(a.drops, 0);
	ck_assert_uint_eq(b.copies, 1);
	ck_assert_uint_eq(b.queued, 0);
	ck_assert_uint_eq(b.drops, 1);
	bus_run(~0u);
	ck_assert_int_eq(bus_topic_stats(ta, &a), 0);
	ck_assert_uint_eq(a.copies, a.delivered + a.drops + a.queued);
	ck_assert_uint_eq(a.delivered, 1);
	check_invariants((unsigned int)s + 1);
}
END_TEST

START_TEST(test_delivery_contract_refusals)
{
	bus_svc_t a = add("a", 16);
	const char *why = NULL;

	ck_assert_int_eq(bus_subscribe_with(a, "x", (enum bus_delivery)7, 0,
					    &why), -AE_EINVAL);
	ck_assert_str_eq(why, "unknown delivery contract");
	ck_assert_int_eq(bus_subscribe_with(a, "x", BUS_RING, 0, &why),
			 -AE_EINVAL);
	ck_assert_str_eq(why, "ring size out of range");
	ck_assert_int_eq(bus_subscribe_with(a, "x", BUS_RING,
					    BUS_RING_MAX + 1, &why), -AE_EINVAL);
	ck_assert_int_eq(bus_subscribe_with(a, "x", BUS_LATEST, 4, &why),
			 -AE_EINVAL);
	ck_assert_int_eq(bus_sub_stats(a, 0, NULL, NULL), -AE_ENOENT);
}
END_TEST

/* Unsubscribing with messages queued: they are still delivered, the
 * subscription's memory goes with the last (ASan and valgrind watch). */
START_TEST(test_unsubscribe_with_queued_messages)
{
	int s = bus_svc_add("leaver", recorder, NULL, 16, 4);
	bus_topic_t t = topic("bye.t");

	ngot = 0;
	bus_subscribe_with((bus_svc_t)s, "bye.*", BUS_RING, 4, NULL);
	for (int i = 0; i < 3; i++)
		bus_publish(t, 1, &i, sizeof(i));
	ck_assert_int_eq(bus_unsubscribe((bus_svc_t)s, "bye.*"), 0);
	ck_assert_int_eq(bus_publish(t, 1, NULL, 0), 0);
	ck_assert_uint_eq(bus_run(~0u), 3);
	ck_assert_uint_eq(ngot, 3);
	check_invariants((unsigned int)s + 1);
}
END_TEST

/* A flood of everything at once, the invariant checked as it goes: three
 * contracts, full queues, stops and restarts, unsubscribes, a rule that
 * denies some and one that mirrors. */
START_TEST(test_invariants_hold_under_flood)
{
	char name[16];
	bus_topic_t ts[6];
	unsigned int seed = 12345;
	const char *why;

	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "fl.t%d", i);
		ts[i] = topic(name);
	}
	for (int i = 0; i < 12; i++) {
		bus_svc_t s;

		snprintf(name, sizeof(name), "f%d", i);
		s = add(name, 4 + (unsigned int)i);
		ck_assert_int_eq(bus_subscribe_with(s, i % 2 ? "fl.*" : "fl.t1",
			(enum bus_delivery)(i % 3), i % 3 == 2 ? 2 : 0, &why), 0);
	}
	ck_assert_int_ge(bus_rule_add("deny,topic=fl.t3,dst=f5", &why), 0);
	ck_assert_int_ge(bus_rule_add("mirror:f7,topic=fl.t4", &why), 0);
	for (int round = 0; round < 4000; round++) {
		unsigned int r;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		switch (r % 8) {
		case 0: case 1: case 2: case 3:
			bus_publish(ts[r / 8 % 6], (int)(r / 64 % 8), &r, 4);
			break;
		case 4:
			bus_send((bus_svc_t)(r / 8 % 12), ts[r / 128 % 6], 2,
				 &r, 4);
			break;
		case 5:
			bus_run(r / 8 % 5);
			break;
		case 6:
			bus_svc_set_state((bus_svc_t)(r / 8 % 12),
					  r / 128 % 2 ? BUS_SVC_STOPPED
						      : BUS_SVC_RUNNING);
			break;
		case 7:
			if (bus_unsubscribe((bus_svc_t)(r / 8 % 12), "fl.*"))
				bus_subscribe_with((bus_svc_t)(r / 8 % 12),
						   "fl.*", BUS_RING, 3, NULL);
			break;
		}
		if (round % 97 == 0)
			check_invariants(12);
	}
	for (int i = 0; i < 12; i++)
		bus_svc_set_state((bus_svc_t)i, BUS_SVC_RUNNING);
	bus_run(~0u);
	check_invariants(12);
	ck_assert_uint_eq(bus_pending(), 0);
}
END_TEST

Suite *suite_bus(void)
{
	Suite *s = suite_create("bus");
	TCase *d = tcase_create("delivery");
	TCase *p = tcase_create("priority");
	TCase *c = tcase_create("call");
	TCase *b = tcase_create("backpressure");
	TCase *v = tcase_create("services");
	TCase *w = tcase_create("scale");
	TCase *q = tcase_create("contracts");

	tcase_add_checked_fixture(d, setup, NULL);
	tcase_add_checked_fixture(p, setup, NULL);
	tcase_add_checked_fixture(c, setup, NULL);
	tcase_add_checked_fixture(b, setup, NULL);
	tcase_add_checked_fixture(v, setup, NULL);
	tcase_add_checked_fixture(w, setup, NULL);
	tcase_add_checked_fixture(q, setup, NULL);
	tcase_add_test(q, test_events_carry_their_topics_sequence_number);
	tcase_add_test(q, test_lossless_refuses_and_tells_the_gap);
	tcase_add_test(q, test_latest_keeps_only_the_newest_value);
	tcase_add_test(q, test_ring_drops_the_oldest_past_n);
	tcase_add_test(q, test_a_ring_drop_counts_to_the_dropped_topic);
	tcase_add_test(q, test_delivery_contract_refusals);
	tcase_add_test(q, test_unsubscribe_with_queued_messages);
	tcase_add_test(q, test_invariants_hold_under_flood);
	tcase_add_test(w, test_a_thousand_services_subscribe_and_hear);
	tcase_add_test(w, test_call_chain_rule_holds_for_high_ids);
	tcase_add_test(w, test_unsubscribe_keeps_what_other_patterns_give);
	tcase_add_test(w, test_subscriptions_per_service_are_bounded);
	tcase_add_test(w, test_subscribe_without_memory_changes_nothing);
	tcase_add_test(d, test_publish_reaches_every_subscriber);
	tcase_add_test(d, test_subscription_before_topic_exists);
	tcase_add_test(d, test_publish_without_subscribers_is_zero);
	tcase_add_test(d, test_unsubscribe_stops_delivery);
	tcase_add_test(d, test_subscribe_rejects_bad_pattern_with_reason);
	tcase_add_test(d, test_send_reaches_only_its_destination);
	tcase_add_test(d, test_payload_too_big_is_e2big);
	tcase_add_test(d, test_bad_arguments_rejected);
	tcase_add_test(d, test_timestamp_from_clock);
	tcase_add_test(p, test_most_urgent_first_fifo_within_priority);
	tcase_add_test(p, test_fifo_holds_for_long_runs);
	tcase_add_test(p, test_urgent_message_overtakes_queued_ones);
	tcase_add_test(p, test_inherit_priority_outside_handler_is_default);
	tcase_add_test(c, test_request_gets_reply_with_correlation);
	tcase_add_test(c, test_request_outside_handler_rejected);
	tcase_add_test(c, test_request_inherits_caller_priority);
	tcase_add_test(c, test_inline_call_runs_now_and_returns_reply);
	tcase_add_test(c, test_inline_call_returns_handler_error);
	tcase_add_test(c, test_nested_inline_calls);
	tcase_add_test(c, test_reentrant_call_refused_with_edeadlk);
	tcase_add_test(c, test_self_call_refused_with_edeadlk);
	tcase_add_test(c, test_call_to_stopped_service_is_eshutdown);
	tcase_add_test(c, test_call_from_handler_during_dispatch);
	tcase_add_test(b, test_full_queue_returns_eagain_and_counts_drop);
	tcase_add_test(b, test_publish_partial_when_one_subscriber_full);
	tcase_add_test(b, test_pool_exhaustion_is_eagain);
	tcase_add_test(b, test_pool_grows_and_gives_back);
	tcase_add_test(b, test_stop_is_linear_in_its_queue);
	tcase_add_test(v, test_stopping_answers_pending_requests);
	tcase_add_test(v, test_send_to_stopped_service_is_eshutdown);
	tcase_add_test(v, test_fault_marks_failed_and_publishes);
	tcase_add_test(v, test_restart_bumps_generation);
	tcase_add_test(v, test_service_names_and_limits);
	tcase_add_test(v, test_remove_frees_the_slot);
	tcase_add_test(v, test_dispatch_from_handler_is_ebusy);
	suite_add_tcase(s, d);
	suite_add_tcase(s, p);
	suite_add_tcase(s, c);
	suite_add_tcase(s, b);
	suite_add_tcase(s, v);
	suite_add_tcase(s, w);
	suite_add_tcase(s, q);
	return s;
}
