/*
 * test_irq.c - bus/irq.c: the interrupt post path, coalescing, delivery
 * ahead of queued work, and never dropping.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include "unit.h"

static struct bus_irq_event got[64];
static uint64_t got_ts[64];
static bus_topic_t got_topic[64];
static unsigned int ngot, nother;

static int irq_handler(void *state, const struct bus_msg *m,
		       struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	if (m->len == sizeof(struct bus_irq_event)) {
		memcpy(&got[ngot % 64], m->data, sizeof(got[0]));
		got_topic[ngot % 64] = m->topic;
		got_ts[ngot % 64] = m->ts;
		ngot++;
	} else {
		nother++;
	}
	return 0;
}

static bus_svc_t drv;

static void setup(void)
{
	int id;

	bus_init(NULL);
	ngot = nother = 0;
	id = bus_svc_add("drv", irq_handler, NULL, 4, 4);
	ck_assert_int_ge(id, 0);
	drv = (bus_svc_t)id;
	ck_assert_int_eq(bus_subscribe(drv, "hw.irq.*", NULL), 0);
}

START_TEST(test_irq_becomes_event_on_its_topic)
{
	ck_assert_int_eq(bus_irq_post(33), 0);
	ck_assert_uint_eq(bus_pending(), 1);
	ck_assert_uint_eq(bus_run(10), 1);
	ck_assert_uint_eq(ngot, 1);
	ck_assert_uint_eq(got[0].line, 33);
	ck_assert_uint_eq(got[0].count, 1);
	ck_assert_str_eq(bus_topic_name(got_topic[0]), "hw.irq.33");
}
END_TEST

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* The event carries the clock of its first interrupt, not of the
 * dispatch: subscribers measure latency from the top half. */
START_TEST(test_irq_event_stamped_at_first_post)
{
	bus_init(fake_clock);
	drv = (bus_svc_t)bus_svc_add("drv", irq_handler, NULL, 4, 4);
	ck_assert_int_eq(bus_subscribe(drv, "hw.irq.*", NULL), 0);
	fake_now = 1000;
	bus_irq_post(7);
	fake_now = 1500;
	bus_irq_post(7);	/* coalesced: keeps the first stamp */
	fake_now = 9000;
	ck_assert_uint_eq(bus_run(10), 1);
	ck_assert_uint_eq(got[0].count, 2);
	ck_assert_uint_eq(got_ts[0], 1000);
	fake_now = 9100;
	bus_irq_post(7);	/* a new event after delivery: a new stamp */
	fake_now = 9900;
	ck_assert_uint_eq(bus_run(10), 1);
	ck_assert_uint_eq(got_ts[1], 9100);
}
END_TEST

START_TEST(test_irq_repeats_coalesce_with_count)
{
	for (int i = 0; i < 1000; i++)
		bus_irq_post(5);
	bus_irq_post(6);
	ck_assert_uint_eq(bus_run(10), 2);
	ck_assert_uint_eq(ngot, 2);
	ck_assert_uint_eq(got[0].line, 5);
	ck_assert_uint_eq(got[0].count, 1000);
	ck_assert_uint_eq(got[1].line, 6);
	ck_assert_uint_eq(got[1].count, 1);
}
END_TEST

START_TEST(test_irq_named_topic)
{
	ck_assert_int_eq(bus_irq_name(4, "hw.irq.uart0"), 0);
	bus_irq_post(4);
	bus_run(10);
	ck_assert_str_eq(bus_topic_name(got_topic[0]), "hw.irq.uart0");
	ck_assert_int_eq(bus_irq_name(4, "Bad Name"), -AE_EINVAL);
	ck_assert_int_eq(bus_irq_name(BUS_IRQ_LINES, "hw.x"), -AE_EINVAL);
}
END_TEST

START_TEST(test_irq_line_out_of_range_rejected)
{
	ck_assert_int_eq(bus_irq_post(BUS_IRQ_LINES), -AE_EINVAL);
	ck_assert_uint_eq(bus_pending(), 0);
}
END_TEST

START_TEST(test_irq_delivered_before_queued_work)
{
	int t = bus_topic("work");

	for (int i = 0; i < 3; i++)
		bus_send(drv, (bus_topic_t)t, 0, NULL, 0);
	bus_irq_post(9);
	bus_run(1);
	ck_assert_uint_eq(ngot, 1);	/* the interrupt went first */
	ck_assert_uint_eq(nother, 0);
}
END_TEST

START_TEST(test_irq_never_dropped_when_subscriber_full)
{
	int t = bus_topic("work");
	struct bus_svc_stats s;

	/* fill drv's queue (limit 4) with ordinary work */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(bus_send(drv, (bus_topic_t)t, 6, NULL, 0), 0);
	for (int i = 0; i < 10; i++)
		bus_irq_post(7);
	/* the interrupt cannot be queued yet; work drains, then it lands */
	bus_run(100);
	ck_assert_uint_eq(nother, 4);
	ck_assert_uint_eq(ngot, 1);
	ck_assert_uint_eq(got[0].count, 10);
	bus_svc_stats(drv, &s);
	ck_assert_uint_eq(s.drops, 0);
}
END_TEST

START_TEST(test_irq_posts_after_take_start_a_new_event)
{
	bus_irq_post(2);
	bus_run(1);
	bus_irq_post(2);
	bus_irq_post(2);
	bus_run(1);
	ck_assert_uint_eq(ngot, 2);
	ck_assert_uint_eq(got[1].count, 2);
}
END_TEST

START_TEST(test_irq_every_line_at_once_fits_the_ring)
{
	unsigned int total = 0;

	for (unsigned int l = 0; l < BUS_IRQ_LINES; l++) {
		bus_irq_post(l);
		bus_irq_post(l);
	}
	/* drv's queue holds 4: it takes many rounds, nothing is lost */
	while (bus_run(1000))
		;
	for (unsigned int i = 0; i < ngot && i < 64; i++)
		total += got[i].count;
	ck_assert_uint_eq(ngot, BUS_IRQ_LINES);
	ck_assert_uint_eq(bus_pending(), 0);
	(void)total;
}
END_TEST

Suite *suite_bus_irq(void)
{
	Suite *s = suite_create("bus_irq");
	TCase *tc = tcase_create("irq");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_irq_becomes_event_on_its_topic);
	tcase_add_test(tc, test_irq_repeats_coalesce_with_count);
	tcase_add_test(tc, test_irq_event_stamped_at_first_post);
	tcase_add_test(tc, test_irq_named_topic);
	tcase_add_test(tc, test_irq_line_out_of_range_rejected);
	tcase_add_test(tc, test_irq_delivered_before_queued_work);
	tcase_add_test(tc, test_irq_never_dropped_when_subscriber_full);
	tcase_add_test(tc, test_irq_posts_after_take_start_a_new_event);
	tcase_add_test(tc, test_irq_every_line_at_once_fits_the_ring);
	suite_add_tcase(s, tc);
	return s;
}
