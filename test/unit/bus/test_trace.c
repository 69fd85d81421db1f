/*
 * test_trace.c - bus/trace.c: every dispatch recorded, the live filter,
 * the line format, ring wrap-around and the dump round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/trace.h>
#include "unit.h"

static uint64_t fake_now;
static char lines[16][200];
static unsigned int nlines;

static uint64_t fake_clock(void)
{
	return fake_now += 10;
}

static void sink(const char *line)
{
	snprintf(lines[nlines++ % 16], sizeof(lines[0]), "%s", line);
}

static int echo(void *state, const struct bus_msg *m, struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	return m->kind == BUS_REQUEST ? -AE_EPERM : 0;
}

static bus_svc_t svc;
static bus_topic_t t_hw, t_sched, t_schedx, t_other;

static void setup(void)
{
	fake_now = 0;
	nlines = 0;
	bus_init(fake_clock);
	trace_set_sink(sink);
	svc = (bus_svc_t)bus_svc_add("drv", echo, NULL, 64, 4);
	t_hw = (bus_topic_t)bus_topic("hw.dev.uart0");
	t_sched = (bus_topic_t)bus_topic("sched");
	t_schedx = (bus_topic_t)bus_topic("sched.thread.done");
	t_other = (bus_topic_t)bus_topic("other");
}

static void teardown(void)
{
	bus_set_cpus(NULL);
	trace_set_sink(NULL);
}

START_TEST(test_trace_records_every_dispatch)
{
	uint64_t before = trace_total();

	bus_send(svc, t_other, 2, NULL, 0);
	bus_send(svc, t_hw, 2, NULL, 0);
	bus_run(10);
	bus_call(svc, t_sched, NULL, 0, NULL);
	ck_assert_uint_eq(trace_total() - before, 3);
	ck_assert_uint_eq(trace_count(), 3);
	ck_assert_uint_eq(nlines, 0);	/* filter off: nothing printed */
}
END_TEST

START_TEST(test_trace_filter_selects_lines)
{
	ck_assert_int_eq(trace_filter_set("hw.*,sched", NULL), 0);
	ck_assert_str_eq(trace_filter_get(), "hw.*,sched");
	ck_assert(trace_selected(t_hw));
	ck_assert(trace_selected(t_sched));
	ck_assert(trace_selected(t_schedx));	/* bare name: and below */
	ck_assert(!trace_selected(t_other));
	bus_send(svc, t_other, 2, NULL, 0);
	bus_send(svc, t_hw, 2, NULL, 0);
	bus_run(10);
	ck_assert_uint_eq(nlines, 0);	/* printed by the pump, not here */
	ck_assert_uint_eq(trace_pump(~0u), 1);
	ck_assert_uint_eq(nlines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " event hw.dev.uart0 "
					       "kernel->drv p2 "));
}
END_TEST

START_TEST(test_trace_filter_applies_to_later_topics)
{
	ck_assert_int_eq(trace_filter_set("net.*", NULL), 0);
	ck_assert(trace_selected((bus_topic_t)bus_topic("net.rx")));
	ck_assert(!trace_selected((bus_topic_t)bus_topic("netx")));
}
END_TEST

START_TEST(test_trace_filter_star_and_off)
{
	ck_assert_int_eq(trace_filter_set("*", NULL), 0);
	ck_assert(trace_selected(t_other));
	ck_assert_int_eq(trace_filter_set("off", NULL), 0);
	ck_assert(!trace_selected(t_other));
	ck_assert_str_eq(trace_filter_get(), "off");
	ck_assert_int_eq(trace_filter_set("", NULL), 0);
	ck_assert(!trace_selected(t_hw));
}
END_TEST

START_TEST(test_trace_bad_filter_rejected_and_old_kept)
{
	const char *why = NULL;

	ck_assert_int_eq(trace_filter_set("hw.*", NULL), 0);
	ck_assert_int_eq(trace_filter_set("hw.*,Bad", &why), -AE_EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(trace_filter_set("a,,b", &why), -AE_EINVAL);
	ck_assert_str_eq(why, "empty pattern in the list");
	ck_assert_int_eq(trace_filter_set("a,", &why), -AE_EINVAL);
	ck_assert_int_eq(trace_filter_set("a,b,c,d,e,f,g,h,i", &why),
			 -AE_EINVAL);
	ck_assert_str_eq(why, "more than 8 patterns");
	ck_assert_int_eq(trace_filter_set("x.*.y", &why), -AE_EINVAL);
	ck_assert_str_eq(trace_filter_get(), "hw.*");
	ck_assert(trace_selected(t_hw));
}
END_TEST

START_TEST(test_trace_line_format_for_requests)
{
	struct trace_rec r = {
		.ts = 42, .wait = 7, .run = 9, .topic = t_sched,
		.src = BUS_SVC_KERNEL, .dst = svc, .kind = BUS_REQUEST,
		.prio = 3, .status = -1, .inline_call = 1,
	};
	char buf[160];

	trace_format(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "trace: 42 request sched kernel->drv p3 wait=7 "
			      "run=9 st=-1 inline");
}
END_TEST

START_TEST(test_trace_wait_and_run_measured)
{
	ck_assert_int_eq(trace_filter_set("*", NULL), 0);
	bus_send(svc, t_other, 1, NULL, 0);	/* stamped at post */
	bus_run(1);
	trace_pump(~0u);
	/* fake clock: +10 per read; post, then t0 and t1 */
	ck_assert_ptr_nonnull(strstr(lines[0], "wait=10 run=10"));
}
END_TEST

START_TEST(test_trace_ring_wraps_keeping_newest)
{
	for (int i = 0; i < TRACE_RING_SIZE + 100; i++)
		bus_call(svc, t_other, NULL, 0, NULL);
	ck_assert_uint_eq(trace_count(), TRACE_RING_SIZE);
	ck_assert_uint_eq(trace_total(), TRACE_RING_SIZE + 100);
}
END_TEST

/* ---- many CPUs: a ring each, merged by time ------------------------------ */

static unsigned int fake_cpu;

static unsigned int which_cpu(void)
{
	return fake_cpu;
}

struct order {
	unsigned int n, backwards, on[8];
	uint64_t last;
};

static void in_order(const struct trace_rec *r, const char *topic,
		     const char *src, const char *dst, void *ctx)
{
	struct order *o = ctx;

	(void)topic;
	(void)src;
	(void)dst;
	if (o->n && r->ts < o->last)
		o->backwards++;
	o->last = r->ts;
	o->on[r->cpu & 7]++;
	o->n++;
}

/* Each CPU records in a ring of its own; the dump has them all, in time
 * order, each with its CPU; one CPU's ring wraps without taking the
 * others' records. */
START_TEST(test_trace_rings_per_cpu_merged_by_time)
{
	static const unsigned int cpus[3] = { 2, 0, 7 };	/* rings 2 0 3 */
	struct order o = { 0 };
	const char *why = NULL;
	size_t size;
	void *buf;

	bus_set_cpus(which_cpu);
	ck_assert_int_eq(bus_svc_set_flags(svc, BUS_SVC_F_ANYCPU), 0);
	for (int i = 0; i < 30; i++) {
		fake_cpu = cpus[i % 3];
		bus_call(svc, t_other, NULL, 0, NULL);
	}
	fake_cpu = 0;
	ck_assert_uint_eq(trace_count(), 30);
	size = trace_dump_size();
	buf = malloc(size);
	ck_assert_int_eq(trace_dump(buf, size), (long)size);
	ck_assert_int_eq(trace_dump_parse(buf, size, in_order, &o, &why), 30);
	ck_assert_uint_eq(o.backwards, 0);
	ck_assert_uint_eq(o.on[0], 10);
	ck_assert_uint_eq(o.on[2], 10);
	ck_assert_uint_eq(o.on[7], 10);
	free(buf);

	fake_cpu = 1;
	for (int i = 0; i < TRACE_RING_SIZE + 7; i++)
		bus_call(svc, t_other, NULL, 0, NULL);
	fake_cpu = 0;
	ck_assert_uint_eq(trace_count(), 30 + TRACE_RING_SIZE);
	ck_assert_uint_eq(trace_total(), 30 + TRACE_RING_SIZE + 7);
	memset(&o, 0, sizeof(o));
	size = trace_dump_size();
	buf = malloc(size);
	ck_assert_int_eq(trace_dump(buf, size), (long)size);
	ck_assert_int_eq(trace_dump_parse(buf, size, in_order, &o, &why),
			 30 + TRACE_RING_SIZE);
	ck_assert_uint_eq(o.backwards, 0);
	ck_assert_uint_eq(o.on[1], TRACE_RING_SIZE);
	ck_assert_uint_eq(o.on[0] + o.on[2] + o.on[7], 30);
	free(buf);
}
END_TEST

struct seen {
	unsigned int n;
	char topic[BUS_NAME_MAX], src[BUS_NAME_MAX], dst[BUS_NAME_MAX];
	int16_t status;
};

static void collect(const struct trace_rec *r, const char *topic,
		    const char *src, const char *dst, void *ctx)
{
	struct seen *s = ctx;

	s->n++;
	snprintf(s->topic, sizeof(s->topic), "%s", topic);
	snprintf(s->src, sizeof(s->src), "%s", src);
	snprintf(s->dst, sizeof(s->dst), "%s", dst);
	s->status = r->status;
}

START_TEST(test_trace_dump_round_trip)
{
	struct seen s = { 0 };
	const char *why = NULL;
	size_t size;
	void *buf;
	long n;

	bus_send(svc, t_hw, 1, NULL, 0);
	bus_run(1);
	bus_call(svc, t_sched, NULL, 0, NULL);
	size = trace_dump_size();
	buf = malloc(size);
	n = trace_dump(buf, size);
	ck_assert_int_eq(n, (long)size);
	ck_assert_int_eq(trace_dump_parse(buf, size, collect, &s, &why), 2);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.topic, "sched");
	ck_assert_str_eq(s.src, "kernel");
	ck_assert_str_eq(s.dst, "drv");
	ck_assert_int_eq(s.status, -AE_EPERM);
	ck_assert_int_eq(trace_dump(buf, size - 1), -AE_ENOSPC);
	free(buf);
}
END_TEST

START_TEST(test_trace_dump_parse_rejects_bad_dumps)
{
	size_t size;
	uint8_t *buf;
	const char *why;
	struct trace_dump_hdr h;

	bus_call(svc, t_sched, NULL, 0, NULL);
	size = trace_dump_size();
	buf = malloc(size);
	trace_dump(buf, size);
	ck_assert_int_eq(trace_dump_parse(buf, 10, NULL, NULL, &why),
			 -AE_EBADMSG);
	for (size_t cut = sizeof(h); cut < size; cut += 61)
		ck_assert_int_eq(trace_dump_parse(buf, cut, NULL, NULL, &why),
				 -AE_EBADMSG);
	memcpy(&h, buf, sizeof(h));
	h.version = 3;
	memcpy(buf, &h, sizeof(h));
	ck_assert_int_eq(trace_dump_parse(buf, size, NULL, NULL, &why),
			 -AE_EBADMSG);
	ck_assert_str_eq(why, "unknown dump version");
	/* version 1's records had no lineage: not read as version 2's */
	h.version = 1;
	memcpy(buf, &h, sizeof(h));
	ck_assert_int_eq(trace_dump_parse(buf, size, NULL, NULL, &why),
			 -AE_EBADMSG);
	h.version = 2;
	h.magic = 0;
	memcpy(buf, &h, sizeof(h));
	ck_assert_int_eq(trace_dump_parse(buf, size, NULL, NULL, &why),
			 -AE_EBADMSG);
	h.magic = TRACE_DUMP_MAGIC;
	h.rec_size = 16;
	memcpy(buf, &h, sizeof(h));
	ck_assert_int_eq(trace_dump_parse(buf, size, NULL, NULL, &why),
			 -AE_EBADMSG);
	free(buf);
}
END_TEST

/* src= and dst= elements select by service; a bad one is refused. */
START_TEST(test_trace_filter_by_service)
{
	int mm = bus_svc_add("mm", echo, NULL, 8, 4);
	const char *why = NULL;

	ck_assert_int_ge(mm, 0);
	ck_assert_int_eq(trace_filter_set("src=mm", NULL), 0);
	ck_assert_str_eq(trace_filter_get(), "src=mm");
	ck_assert_int_eq(bus_send_as((bus_svc_t)mm, svc, t_other, 2, NULL, 0),
			 0);
	ck_assert_int_eq(bus_send(svc, t_other, 2, NULL, 0), 0);
	bus_run(10);
	trace_pump(~0u);
	ck_assert_uint_eq(nlines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " event other mm->drv "));
	ck_assert_int_eq(trace_filter_set("hw.*,dst=dr*", NULL), 0);
	ck_assert_int_eq(bus_send(svc, t_other, 2, NULL, 0), 0);
	bus_run(10);
	trace_pump(~0u);
	ck_assert_uint_eq(nlines, 2);
	ck_assert_int_eq(trace_filter_set("src=", &why), -AE_EINVAL);
	ck_assert_str_eq(why, "src= and dst= need a service name");
	ck_assert_int_eq(trace_filter_set("dst=Bad", &why), -AE_EINVAL);
	ck_assert_str_eq(why, "a service name is [a-z0-9_-], or a prefix and *");
	ck_assert_str_eq(trace_filter_get(), "hw.*,dst=dr*");
}
END_TEST

/* A publish that reaches no subscriber is in the trace too. */
START_TEST(test_trace_unheard_publish_is_traced)
{
	uint64_t before = trace_total();

	ck_assert_int_eq(trace_filter_set("other", NULL), 0);
	ck_assert_int_eq(bus_publish(t_other, 3, NULL, 0), 0);
	ck_assert_uint_eq(trace_total() - before, 1);
	trace_pump(~0u);
	ck_assert_uint_eq(nlines, 1);
	ck_assert_ptr_nonnull(strstr(lines[0], " event other kernel->* p3 "
				     "wait=0 run=0 seq=1 unheard"));
}
END_TEST

/* A console that takes long to print a line: that time is nobody's run,
 * for lines are printed by the pump, after the dispatches. */
static void slow_sink(const char *line)
{
	sink(line);
	fake_now += 100000;
}

START_TEST(test_trace_printing_is_not_the_next_handlers_run)
{
	trace_set_sink(slow_sink);
	ck_assert_int_eq(trace_filter_set("*", NULL), 0);
	ck_assert_int_eq(bus_send(svc, t_other, 2, NULL, 0), 0);
	ck_assert_int_eq(bus_send(svc, t_other, 2, NULL, 0), 0);
	bus_run(10);
	ck_assert_uint_eq(nlines, 0);
	ck_assert_uint_eq(trace_pump(~0u), 2);
	ck_assert_uint_eq(nlines, 2);
	/* fake clock: +10 per read; the second handler's run is its own */
	ck_assert_ptr_nonnull(strstr(lines[0], " run=10"));
	ck_assert_ptr_nonnull(strstr(lines[1], " run=10"));
	ck_assert_uint_eq(trace_pump(~0u), 0);
}
END_TEST

/* More lines than wait: the oldest go, and a DROPPED line says how many
 * where they were; the pump prints at most what it is asked. */
START_TEST(test_trace_lost_lines_are_said)
{
	ck_assert_int_eq(trace_filter_set("*", NULL), 0);
	for (int i = 0; i < TRACE_LIVE_LINES + 5; i++) {
		bus_send(svc, t_other, 2, &i, sizeof(i));
		bus_run(1);
	}
	ck_assert_uint_eq(trace_live_lost(), 5);
	ck_assert_uint_eq(trace_pump(3), 3);
	ck_assert_str_eq(lines[0], "trace: DROPPED 5");
	ck_assert_uint_eq(trace_live_lost(), 0);
	ck_assert_uint_eq(trace_pump(~0u), TRACE_LIVE_LINES - 2);
	/* the newest is the last printed: seq counts every send */
	ck_assert_ptr_nonnull(strstr(lines[(nlines - 1) % 16],
				     " seq=261"));
}
END_TEST

/* With the clock's rate, times are microseconds to the nanosecond. */
START_TEST(test_trace_times_in_microseconds)
{
	struct trace_rec r;
	char buf[TRACE_LINE_MAX];

	memset(&r, 0, sizeof(r));
	r.ts = 123456789;	/* at 1000 ticks a ms: 123456.789 ms */
	r.wait = 1500;
	r.run = 7;
	r.topic = t_other;
	r.src = BUS_SVC_KERNEL;
	r.dst = svc;
	r.corr = 4;
	trace_set_rate(1000);
	trace_format(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "trace: 123456789.000 event other kernel->drv "
			 "p0 wait=1500.000 run=7.000 seq=4");
	trace_set_rate(62500);	/* AArch64's 62.5 MHz timer */
	trace_format(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "trace: 1975308.624 event other kernel->drv "
			 "p0 wait=24.000 run=0.112 seq=4");
	trace_set_rate(0);
}
END_TEST

Suite *suite_bus_trace(void)
{
	Suite *s = suite_create("bus_trace");
	TCase *tc = tcase_create("trace");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_trace_records_every_dispatch);
	tcase_add_test(tc, test_trace_filter_selects_lines);
	tcase_add_test(tc, test_trace_filter_applies_to_later_topics);
	tcase_add_test(tc, test_trace_filter_star_and_off);
	tcase_add_test(tc, test_trace_bad_filter_rejected_and_old_kept);
	tcase_add_test(tc, test_trace_line_format_for_requests);
	tcase_add_test(tc, test_trace_wait_and_run_measured);
	tcase_add_test(tc, test_trace_ring_wraps_keeping_newest);
	tcase_add_test(tc, test_trace_dump_round_trip);
	tcase_add_test(tc, test_trace_rings_per_cpu_merged_by_time);
	tcase_add_test(tc, test_trace_dump_parse_rejects_bad_dumps);
	tcase_add_test(tc, test_trace_filter_by_service);
	tcase_add_test(tc, test_trace_unheard_publish_is_traced);
	tcase_add_test(tc, test_trace_printing_is_not_the_next_handlers_run);
	tcase_add_test(tc, test_trace_lost_lines_are_said);
	tcase_add_test(tc, test_trace_times_in_microseconds);
	suite_add_tcase(s, tc);
	return s;
}
