/*
 * test_watch.c - bus/watch.c: the wait-for graph names the handler
 * running and for how long, the inline calls above it, the threads
 * blocked in bus_call_wait and the queues that stand still; the watchdog
 * (run from interrupts in the kernel, called by hand here with a fake
 * clock) reports a stuck handler or queue once per episode, and again
 * only after it has moved.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include "unit.h"

static uint64_t fake_now;
static char lines[16][160];
static unsigned int nlines;
static char seen[1024];		/* bus_waitfor from inside a handler */
static bus_svc_t a, b;
static bus_topic_t t_x, t_in;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static void sink(const char *l)
{
	if (nlines < 16)
		strncpy(lines[nlines++], l, sizeof(lines[0]) - 1);
}

static bool said(const char *prefix)
{
	for (unsigned int i = 0; i < nlines; i++)
		if (strncmp(lines[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* a: on t_in it calls b inline; b looks at the graph and, as an
 * interrupt arriving late in a long handler would, runs the watchdog. */
static int handler(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	(void)r;
	if (m->topic == t_in && m->dst == a)
		return bus_call(b, t_in, NULL, 0, NULL);
	if (m->topic == t_in) {
		fake_now += 500;
		bus_waitfor(seen, sizeof(seen));
		bus_watchdog_check(fake_now);
	}
	return 0;
}

static int woken;

static int block(void *ctx, uint64_t deadline)
{
	(void)ctx;
	(void)deadline;
	fake_now += 7;
	bus_waitfor(seen, sizeof(seen));
	bus_run(8);
	return 0;
}

static void wake(void *ctx)
{
	(void)ctx;
	woken++;
}

static const struct bus_waiter_ops ops = { block, wake };

static void setup(void)
{
	fake_now = 1000;
	bus_init(fake_clock);
	a = (bus_svc_t)bus_svc_add("a", handler, NULL, 16, 4);
	b = (bus_svc_t)bus_svc_add("b", handler, NULL, 16, 4);
	t_x = (bus_topic_t)bus_topic("watch.x");
	t_in = (bus_topic_t)bus_topic("watch.in");
	nlines = 0;
	seen[0] = '\0';
	woken = 0;
	bus_watchdog_set(100, 0, sink);	/* 100 ticks; no rate: in ticks */
}

static void teardown(void)
{
	bus_watchdog_set(0, 0, NULL);
}

START_TEST(test_idle_bus_waits_for_nothing)
{
	char buf[128];

	ck_assert_int_gt(bus_waitfor(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "waitfor: nothing waits\n");
	bus_watchdog_check(fake_now + 100000);
	ck_assert_uint_eq(nlines, 0);
	ck_assert_int_eq(bus_waitfor(NULL, 4), -AE_EINVAL);
}
END_TEST

START_TEST(test_a_queue_that_stands_still_is_reported_once)
{
	char buf[256];
	uint64_t fired = bus_watchdog_fired();

	ck_assert_int_eq(bus_send(a, t_x, 4, NULL, 0), 0);
	fake_now += 30;
	ck_assert_int_eq(bus_send(a, t_x, 4, NULL, 0), 0);
	fake_now += 50;
	bus_waitfor(buf, sizeof(buf));
	ck_assert_str_eq(buf, "waitfor: a has 2 queued, not moved for 80 "
			 "ticks\n");
	bus_watchdog_check(fake_now);		/* 80 < 100: not yet */
	ck_assert_uint_eq(nlines, 0);
	fake_now += 30;
	bus_watchdog_check(fake_now);
	ck_assert_uint_eq(bus_watchdog_fired(), fired + 1);
	ck_assert_str_eq(lines[0], "watchdog: a's queue has not moved for "
			 "110 ticks (2 queued)");
	ck_assert_str_eq(lines[1], "waitfor: a has 2 queued, not moved for "
			 "110 ticks");
	/* once per episode */
	fake_now += 500;
	bus_watchdog_check(fake_now);
	ck_assert_uint_eq(bus_watchdog_fired(), fired + 1);
	/* it moves, then stands still again: a new episode */
	ck_assert_uint_eq(bus_dispatch(), 1);
	fake_now += 101;
	bus_watchdog_check(fake_now);
	ck_assert_uint_eq(bus_watchdog_fired(), fired + 2);
	bus_run(8);
	bus_waitfor(buf, sizeof(buf));
	ck_assert_str_eq(buf, "waitfor: nothing waits\n");
}
END_TEST

START_TEST(test_a_long_handler_and_its_inline_calls)
{
	uint64_t fired = bus_watchdog_fired();

	ck_assert_int_eq(bus_send(a, t_in, 4, NULL, 0), 0);
	ck_assert_int_eq(bus_send(b, t_x, 4, NULL, 0), 0);
	ck_assert_uint_eq(bus_dispatch(), 1);
	ck_assert_ptr_nonnull(strstr(seen, "waitfor: a runs a handler (event "
				     "watch.in from kernel) for 500 ticks\n"));
	ck_assert_ptr_nonnull(strstr(seen, "waitfor: a waits on b (inline "
				     "call)\n"));
	ck_assert_ptr_nonnull(strstr(seen, "waitfor: b has 1 queued, not "
				     "moved for 500 ticks\n"));
	ck_assert_uint_eq(bus_watchdog_fired(), fired + 1);
	ck_assert(said("watchdog: a has run one handler for 500 ticks"));
	ck_assert(said("watchdog: b's queue has not moved for 500 ticks"));
	ck_assert(said("waitfor: a waits on b (inline call)"));
}
END_TEST

START_TEST(test_a_blocked_thread_is_in_the_graph)
{
	struct bus_msg r;

	ck_assert_int_eq(bus_call_wait(b, t_x, 2, NULL, 0, &r, 0, &ops, NULL),
			 0);
	ck_assert_ptr_nonnull(strstr(seen, "waitfor: kernel waits on b for "
				     "watch.x (a thread, call "));
	ck_assert_ptr_nonnull(strstr(seen, ") for 7 ticks\n"));
	ck_assert_int_eq(woken, 1);
}
END_TEST

/* A graph longer than the caller's buffer is cut at a line, never in
 * the middle of one. */
START_TEST(test_a_short_buffer_gets_whole_lines)
{
	char buf[60];
	int n;

	ck_assert_int_eq(bus_send(a, t_x, 4, NULL, 0), 0);
	ck_assert_int_eq(bus_send(b, t_x, 4, NULL, 0), 0);
	n = bus_waitfor(buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "waitfor: a has 1 queued, not moved for 0 "
			 "ticks\n");
}
END_TEST

Suite *suite_bus_watch(void)
{
	Suite *s = suite_create("bus_watch");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_idle_bus_waits_for_nothing);
	tcase_add_test(tc, test_a_queue_that_stands_still_is_reported_once);
	tcase_add_test(tc, test_a_long_handler_and_its_inline_calls);
	tcase_add_test(tc, test_a_blocked_thread_is_in_the_graph);
	tcase_add_test(tc, test_a_short_buffer_gets_whole_lines);
	suite_add_tcase(s, tc);
	return s;
}
