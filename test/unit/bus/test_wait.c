/*
 * test_wait.c - bus_call_wait: a thread's blocking call, with a fake clock
 * and a fake scheduler (block runs the dispatcher, as another CPU or a
 * context switch would, and advances time).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include "unit.h"

static uint64_t fake_now;
static int wakes, blocks;
static bool server_silent;	/* the service never answers in time */

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* One scheduling round per call: 1 ms passes, the dispatcher runs. */
static int fake_block(void *ctx, uint64_t deadline)
{
	int *woken = ctx;

	blocks++;
	fake_now += 1000;
	if (!server_silent || fake_now > deadline + 5000)
		bus_run(100);
	if (*woken) {
		*woken = 0;
		return 0;
	}
	return fake_now >= deadline ? -AE_ETIMEDOUT : 0;
}

static void fake_wake(void *ctx)
{
	wakes++;
	*(int *)ctx = 1;
}

static const struct bus_waiter_ops ops = { fake_block, fake_wake };

static int server(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	if (m->kind != BUS_REQUEST)
		return 0;
	memcpy(r->data, "ok", 2);
	r->len = 2;
	return m->len ? -AE_EIO : 0;
}

static int caller(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	int woken = 0;

	(void)state;
	(void)m;
	(void)r;
	return bus_call_wait(0, m->topic, 1, NULL, 0, NULL, 10, &ops, &woken);
}

static bus_svc_t srv;
static bus_topic_t t;

static void setup(void)
{
	fake_now = 0;
	wakes = blocks = 0;
	server_silent = false;
	bus_init(fake_clock);
	srv = (bus_svc_t)bus_svc_add("srv", server, NULL, 16, 4);
	t = (bus_topic_t)bus_topic("srv.query");
}

START_TEST(test_wait_blocks_until_reply)
{
	struct bus_msg reply;
	int woken = 0;

	ck_assert_int_eq(bus_call_wait(srv, t, 2, NULL, 0, &reply, 100000,
				       &ops, &woken), 0);
	ck_assert_int_eq(wakes, 1);
	ck_assert_int_ge(blocks, 1);
	ck_assert_int_eq(reply.kind, BUS_REPLY);
	ck_assert_int_eq(reply.src, srv);
	ck_assert_mem_eq(reply.data, "ok", 2);
}
END_TEST

START_TEST(test_wait_returns_handler_status)
{
	int woken = 0;
	char x = 1;

	ck_assert_int_eq(bus_call_wait(srv, t, 2, &x, 1, NULL, 100000, &ops,
				       &woken), -AE_EIO);
}
END_TEST

START_TEST(test_wait_times_out_and_late_reply_is_a_drop)
{
	struct bus_topic_stats st;
	int woken = 0;

	server_silent = true;
	ck_assert_int_eq(bus_call_wait(srv, t, 2, NULL, 0, NULL, 3000, &ops,
				       &woken), -AE_ETIMEDOUT);
	ck_assert_uint_ge(fake_now, 3000);
	ck_assert_int_eq(wakes, 0);
	/* the reply comes after all: nobody gets it, it is counted */
	bus_run(100);
	bus_topic_stats(t, &st);
	ck_assert_uint_eq(st.drops, 1);
}
END_TEST

START_TEST(test_wait_from_handler_is_edeadlk)
{
	bus_svc_t h = (bus_svc_t)bus_svc_add("h", caller, NULL, 16, 4);

	ck_assert_int_eq(bus_call(h, t, NULL, 0, NULL), -AE_EDEADLK);
}
END_TEST

START_TEST(test_wait_bad_arguments)
{
	int woken = 0;
	static const struct bus_waiter_ops half = { fake_block, NULL };

	ck_assert_int_eq(bus_call_wait(srv, t, 2, NULL, 0, NULL, 10, NULL,
				       &woken), -AE_EINVAL);
	ck_assert_int_eq(bus_call_wait(srv, t, 2, NULL, 0, NULL, 10, &half,
				       &woken), -AE_EINVAL);
	ck_assert_int_eq(bus_call_wait(50, t, 2, NULL, 0, NULL, 10, &ops,
				       &woken), -AE_EINVAL);
	ck_assert_int_eq(bus_call_wait(srv, t, 9, NULL, 0, NULL, 10, &ops,
				       &woken), -AE_EINVAL);
}
END_TEST

START_TEST(test_wait_to_stopped_service_fails_at_once)
{
	int woken = 0;

	bus_svc_set_state(srv, BUS_SVC_STOPPED);
	ck_assert_int_eq(bus_call_wait(srv, t, 2, NULL, 0, NULL, 10, &ops,
				       &woken), -AE_ESHUTDOWN);
	ck_assert_int_eq(blocks, 0);
}
END_TEST

/* A user process's service: it only counts what reaches it. */
static int proc_got, proc_replies;
static bus_svc_t seen_src;

static int proc_svc(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	(void)r;
	proc_got++;
	if (m->kind == BUS_REPLY)
		proc_replies++;
	return 0;
}

static int who(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	(void)r;
	seen_src = m->src;
	return 0;
}

START_TEST(test_wait_as_carries_the_sender_and_gets_the_reply)
{
	bus_svc_t u = (bus_svc_t)bus_svc_add("user-x-1", proc_svc, NULL, 16, 4);
	bus_svc_t w = (bus_svc_t)bus_svc_add("who", who, NULL, 16, 4);
	struct bus_msg reply;
	int woken = 0;

	proc_got = proc_replies = 0;
	seen_src = BUS_SVC_KERNEL;
	ck_assert_int_eq(bus_call_wait_as(u, w, t, 2, NULL, 0, &reply, 100000,
					  &ops, &woken), 0);
	ck_assert_uint_eq(seen_src, u);
	ck_assert_uint_eq(reply.dst, u);
	ck_assert_int_eq(proc_got, 0);	/* the waiter got it, not u */
	ck_assert_int_eq(bus_call_wait_as(u, srv, t, 2, NULL, 0, &reply,
					  100000, &ops, &woken), 0);
	ck_assert_mem_eq(reply.data, "ok", 2);
	/* publish and send in its name */
	seen_src = BUS_SVC_KERNEL;
	ck_assert_int_eq(bus_send_as(u, w, t, 2, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(seen_src, u);
	ck_assert_int_eq(bus_subscribe(w, "srv.*", NULL), 0);
	seen_src = BUS_SVC_KERNEL;
	ck_assert_int_eq(bus_publish_as(u, t, 2, NULL, 0), 1);
	bus_run(10);
	ck_assert_uint_eq(seen_src, u);
	/* a sender that does not exist */
	ck_assert_int_eq(bus_send_as(60, w, t, 2, NULL, 0), -AE_EINVAL);
	ck_assert_int_eq(bus_publish_as(60, t, 2, NULL, 0), -AE_EINVAL);
	ck_assert_int_eq(bus_call_wait_as(60, w, t, 2, NULL, 0, NULL, 10,
					  &ops, &woken), -AE_EINVAL);
}
END_TEST

START_TEST(test_wait_as_late_reply_goes_to_the_sender)
{
	bus_svc_t u = (bus_svc_t)bus_svc_add("user-x-1", proc_svc, NULL, 16, 4);
	int woken = 0;

	proc_got = proc_replies = 0;
	server_silent = true;
	ck_assert_int_eq(bus_call_wait_as(u, srv, t, 2, NULL, 0, NULL, 3000,
					  &ops, &woken), -AE_ETIMEDOUT);
	bus_run(100);
	ck_assert_int_eq(proc_replies, 1);
}
END_TEST

Suite *suite_bus_wait(void)
{
	Suite *s = suite_create("bus_wait");
	TCase *tc = tcase_create("wait");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_wait_blocks_until_reply);
	tcase_add_test(tc, test_wait_returns_handler_status);
	tcase_add_test(tc, test_wait_times_out_and_late_reply_is_a_drop);
	tcase_add_test(tc, test_wait_from_handler_is_edeadlk);
	tcase_add_test(tc, test_wait_bad_arguments);
	tcase_add_test(tc, test_wait_to_stopped_service_fails_at_once);
	tcase_add_test(tc, test_wait_as_carries_the_sender_and_gets_the_reply);
	tcase_add_test(tc, test_wait_as_late_reply_goes_to_the_sender);
	suite_add_tcase(s, tc);
	return s;
}
