/*
 * test_guard.c - bus_set_guard: handlers run through a guard, and a
 * handler that never returns because it "faulted" (here: longjmp to the
 * guard, as the kernel's trap path does with hal_jmp_go) fails only its
 * service. Its inline caller gets -ESHUTDOWN and goes on, its queued
 * requests are answered, and the bus's call chain is whole afterwards.
 */
#include <setjmp.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include "unit.h"

/* The guard's recovery points, innermost last (as kernel/fault.c). */
static jmp_buf *points[8];
static unsigned int npoints, guarded_runs;

static int guard(bus_handler_fn fn, void *state, const struct bus_msg *m,
		 struct bus_msg *reply)
{
	jmp_buf here;
	int rc;

	guarded_runs++;
	if (setjmp(here)) {
		npoints--;
		return -AE_ENOTRECOVERABLE;
	}
	points[npoints++] = &here;
	rc = fn(state, m, reply);
	npoints--;
	return rc;
}

/* What the trap path does for a fault in a handler. */
static void fault_now(void)
{
	ck_assert_uint_gt(npoints, 0);
	longjmp(*points[npoints - 1], 1);
}

static bus_svc_t caller, victim, other;
static bus_topic_t t_do, t_q;
static int caller_rc, caller_after, victim_runs;
static bool caller_faults_after_call;

static int victim_handle(void *state, const struct bus_msg *m,
			 struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	victim_runs++;
	if (m->len == 1 && m->data[0] == 'f')
		fault_now();
	return 0;
}

static int caller_handle(void *state, const struct bus_msg *m,
			 struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	if (m->kind != BUS_REQUEST)
		return 0;
	caller_rc = bus_call(victim, t_do, "f", 1, NULL);
	ck_assert_uint_eq(bus_current(), caller);	/* the chain is whole */
	if (caller_faults_after_call)
		fault_now();
	caller_after++;
	return 0;
}

static void setup(void)
{
	int s;

	bus_init(NULL);
	bus_set_guard(guard);
	npoints = guarded_runs = 0;
	caller_rc = caller_after = victim_runs = 0;
	caller_faults_after_call = false;
	s = bus_svc_add("caller", caller_handle, NULL, 16, 4);
	ck_assert_int_ge(s, 0);
	caller = (bus_svc_t)s;
	s = bus_svc_add("victim", victim_handle, NULL, 16, 4);
	ck_assert_int_ge(s, 0);
	victim = (bus_svc_t)s;
	s = bus_svc_add("other", victim_handle, NULL, 16, 4);
	ck_assert_int_ge(s, 0);
	other = (bus_svc_t)s;
	t_do = (bus_topic_t)bus_topic("guard.do");
	t_q = (bus_topic_t)bus_topic("guard.q");
}

static void teardown(void)
{
	bus_set_guard(NULL);
}

START_TEST(test_handlers_run_through_the_guard)
{
	ck_assert_int_eq(bus_call(other, t_do, "x", 1, NULL), 0);
	ck_assert_uint_eq(guarded_runs, 1);
	ck_assert_int_eq(victim_runs, 1);
	bus_set_guard(NULL);
	ck_assert_int_eq(bus_call(other, t_do, "x", 1, NULL), 0);
	ck_assert_uint_eq(guarded_runs, 1);	/* called directly */
}
END_TEST

START_TEST(test_a_fault_fails_only_that_service)
{
	struct bus_svc_stats st;

	ck_assert_int_eq(bus_call(victim, t_do, "f", 1, NULL), -AE_ESHUTDOWN);
	ck_assert_int_eq(bus_svc_state(victim), BUS_SVC_FAILED);
	bus_svc_stats(victim, &st);
	ck_assert_uint_eq(st.faults, 1);
	ck_assert_uint_eq(bus_current(), BUS_SVC_KERNEL);
	ck_assert_uint_eq(npoints, 0);
	/* the bus goes on */
	ck_assert_int_eq(bus_call(other, t_do, "x", 1, NULL), 0);
	ck_assert_int_ge(bus_dispatch(), 0);	/* not -EBUSY: depth is 0 */
}
END_TEST

START_TEST(test_an_inline_caller_gets_eshutdown_and_goes_on)
{
	struct bus_svc_stats st;

	ck_assert_int_eq(bus_call(caller, t_q, NULL, 0, NULL), 0);
	ck_assert_int_eq(caller_rc, -AE_ESHUTDOWN);
	ck_assert_int_eq(caller_after, 1);
	ck_assert_int_eq(bus_svc_state(caller), BUS_SVC_RUNNING);
	ck_assert_int_eq(bus_svc_state(victim), BUS_SVC_FAILED);
	bus_svc_stats(caller, &st);
	ck_assert_uint_eq(st.faults, 0);
	ck_assert_uint_eq(bus_current(), BUS_SVC_KERNEL);
}
END_TEST

START_TEST(test_the_outer_service_fails_when_it_faults)
{
	caller_faults_after_call = true;
	ck_assert_int_eq(bus_call(caller, t_q, NULL, 0, NULL), -AE_ESHUTDOWN);
	ck_assert_int_eq(bus_svc_state(caller), BUS_SVC_FAILED);
	ck_assert_int_eq(bus_svc_state(victim), BUS_SVC_FAILED);
	ck_assert_int_eq(caller_after, 0);
	ck_assert_uint_eq(bus_current(), BUS_SVC_KERNEL);
	/* the chain bookkeeping is back: both can be called again once
	 * running, and a re-entry is still refused */
	ck_assert_int_eq(bus_svc_set_state(caller, BUS_SVC_RUNNING), 0);
	ck_assert_int_eq(bus_svc_set_state(victim, BUS_SVC_RUNNING), 0);
	caller_faults_after_call = false;
	ck_assert_int_eq(bus_call(caller, t_q, NULL, 0, NULL), 0);
	ck_assert_int_eq(caller_after, 1);
}
END_TEST

START_TEST(test_queued_messages_behind_a_fault_are_answered)
{
	struct bus_svc_stats st;

	ck_assert_int_eq(bus_send(victim, t_do, 1, "f", 1), 0);
	ck_assert_int_eq(bus_send(victim, t_do, 1, "x", 1), 0);
	ck_assert_int_eq(bus_send(victim, t_do, 1, "x", 1), 0);
	bus_run(10);
	ck_assert_int_eq(victim_runs, 1);
	bus_svc_stats(victim, &st);
	ck_assert_uint_eq(st.faults, 1);
	ck_assert_uint_eq(st.drops, 2);
	ck_assert_uint_eq(st.pending, 0);
}
END_TEST

Suite *suite_bus_guard(void)
{
	Suite *s = suite_create("bus_guard");
	TCase *tc = tcase_create("guard");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_handlers_run_through_the_guard);
	tcase_add_test(tc, test_a_fault_fails_only_that_service);
	tcase_add_test(tc, test_an_inline_caller_gets_eshutdown_and_goes_on);
	tcase_add_test(tc, test_the_outer_service_fails_when_it_faults);
	tcase_add_test(tc, test_queued_messages_behind_a_fault_are_answered);
	suite_add_tcase(s, tc);
	return s;
}
