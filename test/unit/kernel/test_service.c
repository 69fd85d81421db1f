/*
 * test_service.c - kernel/service.c: dependency order, missing
 * dependencies and cycles, init failures, handler faults and the
 * supervisor's back-off, run-time register/stop/restart.
 */
#include <stdio.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/service.h>
#include "unit.h"

#define TPM 1000	/* fake clock ticks per millisecond */

static uint64_t fake_now;
static char logbuf[64][192];
static unsigned int nlog;
static char order[256];		/* init order, names separated by ' ' */
static int init_fail[8];	/* per test service: fail this many times */
static int fault_next;		/* the handler reports a fault */

static uint64_t fake_clock(void)
{
	return fake_now;
}

static void log_line(const char *line)
{
	snprintf(logbuf[nlog++ % 64], sizeof(logbuf[0]), "%s", line);
}

static bool logged(const char *text)
{
	for (unsigned int i = 0; i < nlog && i < 64; i++)
		if (strstr(logbuf[i], text))
			return true;
	return false;
}

#define INIT_FN(n, idx)							\
	static int init_##n(void)					\
	{								\
		strcat(order, #n " ");					\
		if (init_fail[idx] > 0) {				\
			init_fail[idx]--;				\
			return -AE_EIO;					\
		}							\
		return 0;						\
	}
INIT_FN(a, 0)
INIT_FN(b, 1)
INIT_FN(c, 2)
INIT_FN(d, 3)
INIT_FN(e, 4)

static int handle(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	(void)m;
	(void)r;
	if (fault_next) {
		fault_next = 0;
		return -AE_ENOTRECOVERABLE;
	}
	return 0;
}

#define DESC(n, ...)							\
	{ .name = #n, .init = init_##n, .handler = handle,		\
	  __VA_ARGS__ }

static void setup(void)
{
	fake_now = 1000000;
	nlog = 0;
	order[0] = '\0';
	memset(init_fail, 0, sizeof(init_fail));
	fault_next = 0;
	bus_init(fake_clock);
	ck_assert_int_eq(service_init(fake_clock, TPM, log_line), 0);
}

START_TEST(test_services_start_in_dependency_order)
{
	const struct service_desc t[] = {
		DESC(a, .needs = SERVICE_LIST("b", "c")),
		DESC(b, .needs = SERVICE_LIST("c")),
		DESC(c),
		DESC(d, .needs = SERVICE_LIST("a")),
	};

	ck_assert_int_eq(service_start_all(t, 4), 4);
	ck_assert_str_eq(order, "c b a d ");
	ck_assert_int_eq(service_state("d"), SERVICE_UP);
	ck_assert(logged("service: started c (bus id"));
}
END_TEST

START_TEST(test_missing_dependency_reported_rest_boots)
{
	const struct service_desc t[] = {
		DESC(a, .needs = SERVICE_LIST("nosuch")),
		DESC(b, .needs = SERVICE_LIST("a")),
		DESC(c),
	};

	ck_assert_int_eq(service_start_all(t, 3), 1);
	ck_assert(logged("service: a not started: needs 'nosuch', which is "
			 "not registered"));
	ck_assert(logged("service: b not started: needs 'a', which is not "
			 "up"));
	ck_assert_int_eq(service_state("a"), SERVICE_BLOCKED);
	ck_assert_int_eq(service_state("b"), SERVICE_BLOCKED);
	ck_assert_int_eq(service_state("c"), SERVICE_UP);
	ck_assert_str_eq(order, "c ");
}
END_TEST

START_TEST(test_cycle_reported_by_name_rest_boots)
{
	const struct service_desc t[] = {
		DESC(a, .needs = SERVICE_LIST("b")),
		DESC(b, .needs = SERVICE_LIST("c")),
		DESC(c, .needs = SERVICE_LIST("a")),
		DESC(d),
	};

	ck_assert_int_eq(service_start_all(t, 4), 1);
	ck_assert(logged("service: dependency cycle a -> b -> c -> a; not "
			 "started"));
	ck_assert_int_eq(service_state("a"), SERVICE_BLOCKED);
	ck_assert_int_eq(service_state("c"), SERVICE_BLOCKED);
	ck_assert_int_eq(service_state("d"), SERVICE_UP);
}
END_TEST

START_TEST(test_duplicate_and_malformed_descriptors_ignored)
{
	const struct service_desc t[] = {
		DESC(a),
		DESC(a),
		{ .name = "nohandler" },
	};

	ck_assert_int_eq(service_start_all(t, 3), 1);
	ck_assert(logged("service: a registered twice"));
	ck_assert(logged("service: descriptor 2 is malformed"));
}
END_TEST

START_TEST(test_bad_subscription_blocks_the_service)
{
	const struct service_desc t[] = {
		DESC(a, .subscribe = SERVICE_LIST("x.*.y")),
	};

	ck_assert_int_eq(service_start_all(t, 1), 0);
	ck_assert(logged("service: a not started: subscription 'x.*.y'"));
	ck_assert_int_eq(bus_svc_find("a"), -AE_ENOENT);
}
END_TEST

START_TEST(test_init_failure_retried_with_backoff)
{
	const struct service_desc t[] = {
		DESC(a),
		DESC(b, .needs = SERVICE_LIST("a")),
	};

	init_fail[0] = 2;
	ck_assert_int_eq(service_start_all(t, 2), 0);
	ck_assert_int_eq(service_state("a"), SERVICE_FAILED);
	ck_assert_int_eq(service_state("b"), SERVICE_BLOCKED);
	ck_assert(logged("service: a init failed: EIO; retry in 1 ms"));
	/* not yet due */
	ck_assert_uint_eq(service_poll(), fake_now + 1 * TPM);
	ck_assert_int_eq(service_state("a"), SERVICE_FAILED);
	fake_now += 1 * TPM;
	service_poll();				/* fails again: 2 ms */
	ck_assert(logged("retry in 2 ms"));
	fake_now += 2 * TPM;
	service_poll();				/* comes up; b follows */
	ck_assert_int_eq(service_state("a"), SERVICE_UP);
	ck_assert_int_eq(service_state("b"), SERVICE_UP);
	ck_assert_uint_eq(service_restarts("a"), 2);
	ck_assert(logged("supervisor: restarted a (restart 2)"));
	ck_assert_uint_eq(service_poll(), 0);
}
END_TEST

START_TEST(test_handler_fault_restarts_with_new_generation)
{
	const struct service_desc t[] = { DESC(a) };
	int id;
	uint32_t gen;

	service_start_all(t, 1);
	id = service_bus_id("a");
	ck_assert_int_ge(id, 0);
	gen = bus_svc_generation((bus_svc_t)id);
	fault_next = 1;
	ck_assert_int_eq(bus_call((bus_svc_t)id, (bus_topic_t)bus_topic("x"),
				  NULL, 0, NULL), -AE_ESHUTDOWN);
	bus_run(10);			/* the supervisor hears of it */
	ck_assert_int_eq(service_state("a"), SERVICE_FAILED);
	ck_assert(logged("supervisor: a failed"));
	/* meanwhile the service refuses work */
	ck_assert_int_eq(bus_send((bus_svc_t)id, (bus_topic_t)bus_topic("x"),
				  1, NULL, 0), -AE_ESHUTDOWN);
	fake_now += 1 * TPM;
	service_poll();
	ck_assert_int_eq(service_state("a"), SERVICE_UP);
	ck_assert_uint_eq(bus_svc_generation((bus_svc_t)id), gen + 1);
	ck_assert_int_eq(bus_call((bus_svc_t)id, (bus_topic_t)bus_topic("x"),
				  NULL, 0, NULL), 0);
}
END_TEST

START_TEST(test_crash_loop_backoff_doubles_to_a_cap)
{
	const struct service_desc t[] = { DESC(a), DESC(b) };
	uint64_t gaps[14];
	unsigned int inits_a;

	service_start_all(t, 2);
	for (int i = 0; i < 14; i++) {
		int id = service_bus_id("a");
		uint64_t due;

		fault_next = 1;
		bus_call((bus_svc_t)id, (bus_topic_t)bus_topic("x"), NULL, 0,
			 NULL);
		bus_run(10);
		due = service_poll();
		gaps[i] = (due - fake_now) / TPM;
		fake_now = due;
		service_poll();
	}
	ck_assert_uint_eq(gaps[0], 1);
	ck_assert_uint_eq(gaps[1], 2);
	ck_assert_uint_eq(gaps[5], 32);
	ck_assert_uint_eq(gaps[10], 1000);	/* capped */
	ck_assert_uint_eq(gaps[13], 1000);
	/* the other service kept working all along */
	ck_assert_int_eq(service_state("b"), SERVICE_UP);
	inits_a = 0;
	for (const char *p = order; (p = strstr(p, "a ")); p++)
		inits_a++;
	ck_assert_uint_eq(inits_a, 15);
}
END_TEST

/* An init that keeps failing backs off by doubling even when the clock
 * already reads far more than the stable-run time (as a boot clock
 * does): it never was up, so it never ran stable. */
START_TEST(test_init_failures_back_off_on_a_late_clock)
{
	const struct service_desc t[] = { DESC(a) };

	fake_now = 100000 * TPM;		/* 100 s since power-on */
	init_fail[0] = 3;
	ck_assert_int_eq(service_start_all(t, 1), 0);
	ck_assert(logged("service: a init failed: EIO; retry in 1 ms"));
	fake_now = service_poll();
	service_poll();
	ck_assert(logged("retry in 2 ms"));
	fake_now = service_poll();
	service_poll();
	ck_assert(logged("retry in 4 ms"));
	fake_now = service_poll();
	service_poll();
	ck_assert_int_eq(service_state("a"), SERVICE_UP);
}
END_TEST

START_TEST(test_backoff_resets_after_stable_run)
{
	const struct service_desc t[] = { DESC(a) };
	int id;

	service_start_all(t, 1);
	id = service_bus_id("a");
	for (int i = 0; i < 3; i++) {
		fault_next = 1;
		bus_call((bus_svc_t)id, (bus_topic_t)bus_topic("x"), NULL, 0,
			 NULL);
		bus_run(10);
		fake_now = service_poll();
		service_poll();
	}
	fake_now += 6000 * TPM;		/* up and quiet for 6 s */
	fault_next = 1;
	bus_call((bus_svc_t)id, (bus_topic_t)bus_topic("x"), NULL, 0, NULL);
	bus_run(10);
	ck_assert_uint_eq(service_poll() - fake_now, 1 * TPM);
}
END_TEST

static const struct service_desc late_e = DESC(e,
	.needs = SERVICE_LIST("a"));

START_TEST(test_register_at_run_time)
{
	const struct service_desc t[] = { DESC(a) };
	const struct service_desc orphan = DESC(d,
		.needs = SERVICE_LIST("zz"));

	service_start_all(t, 1);
	ck_assert_int_eq(service_register(&late_e), 0);
	ck_assert_int_eq(service_state("e"), SERVICE_UP);
	ck_assert_int_eq(service_register(&late_e), -AE_EEXIST);
	ck_assert_int_eq(service_register(&orphan), -AE_ENOENT);
	ck_assert(logged("service: d not started"));
	ck_assert_int_eq(service_register(NULL), -AE_EINVAL);
}
END_TEST

START_TEST(test_stop_and_restart_at_run_time)
{
	const struct service_desc t[] = { DESC(a) };
	int id;
	uint32_t gen;

	service_start_all(t, 1);
	id = service_bus_id("a");
	gen = bus_svc_generation((bus_svc_t)id);
	ck_assert_int_eq(service_stop("a"), 0);
	ck_assert_int_eq(service_state("a"), SERVICE_STOPPED);
	ck_assert_int_eq(bus_send((bus_svc_t)id, (bus_topic_t)bus_topic("x"),
				  1, NULL, 0), -AE_ESHUTDOWN);
	ck_assert_int_eq(service_restart("a"), 0);
	ck_assert_int_eq(service_state("a"), SERVICE_UP);
	ck_assert_uint_eq(bus_svc_generation((bus_svc_t)id), gen + 1);
	ck_assert_str_eq(order, "a a ");
	ck_assert_int_eq(service_restart("nosuch"), -AE_ENOENT);
	ck_assert_int_eq(service_stop("nosuch"), -AE_ENOENT);
}
END_TEST

static unsigned int boot_cpu(void)
{
	return 0;
}

/* A service declaring a CPU goes there once the CPU runs (not before),
 * once; one that is not marked anycpu cannot declare one; place= moves
 * what it names and says why for each element it cannot do. */
START_TEST(test_declared_cpu_and_place_option)
{
	const struct service_desc t[] = {
		DESC(a, .anycpu = true, .cpu = 2),
		DESC(b, .cpu = 1),
		DESC(c, .anycpu = true),
		DESC(d),
	};
	const struct service_desc late = DESC(e, .cpu = 1);

	ck_assert_int_eq(service_start_all(t, 4), 3);
	ck_assert(logged("service: b names CPU 1 but is not marked anycpu; "
			 "ignored"));
	ck_assert_int_eq(service_register(&late), -AE_EINVAL);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)service_bus_id("a")), 0);
	bus_set_cpus(boot_cpu);
	bus_cpu_dispatching(2);
	ck_assert_uint_eq(service_place_declared(), 1);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)service_bus_id("a")), 2);
	ck_assert(logged("service: a runs on CPU 2 (its declaration)"));
	ck_assert_uint_eq(service_place_declared(), 0);	/* done once */
	/* a restart keeps it there (its bus id, and place, stay) */
	ck_assert_int_eq(service_restart("a"), 0);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)service_bus_id("a")), 2);
	ck_assert_uint_eq(service_place_option("c:2,d:2,zz:1,c,:1,c:x,c:,"
					       "c:7,c:99999999999,a:0,"), 2);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)service_bus_id("c")), 2);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)service_bus_id("a")), 0);
	ck_assert(logged("service: c runs on CPU 2 (place=)"));
	ck_assert(logged("service: place=: d is bound to the boot CPU (not "
			 "marked anycpu)"));
	ck_assert(logged("service: place=: no service 'zz'"));
	ck_assert(logged("service: place=: 'c' is not NAME:CPU"));
	ck_assert(logged("service: place=: ':1' is not NAME:CPU"));
	ck_assert(logged("service: place=: 'c:x' is not NAME:CPU"));
	ck_assert(logged("service: place=: 'c:' is not NAME:CPU"));
	ck_assert(logged("service: place=: c: CPU 7 does not run"));
	ck_assert(logged("service: place=: 'c:99999999999' is not NAME:CPU"));
	ck_assert_uint_eq(service_place_option(""), 0);
	ck_assert_uint_eq(service_place_option(NULL), 0);
	bus_set_cpus(NULL);
}
END_TEST

/* A declared CPU that never runs (smp=1, or fewer CPUs) is said once;
 * the service runs on the boot CPU. */
START_TEST(test_declared_cpu_that_does_not_run_is_said_once)
{
	const struct service_desc t[] = {
		DESC(a, .anycpu = true, .cpu = 3),
	};

	ck_assert_int_eq(service_start_all(t, 1), 1);
	ck_assert_uint_eq(service_place_declared(), 0);
	ck_assert(logged("service: a wants CPU 3, which does not run; it "
			 "runs on CPU 0"));
	nlog = 0;
	ck_assert_uint_eq(service_place_declared(), 0);
	ck_assert(!logged("wants CPU"));
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)service_bus_id("a")), 0);
}
END_TEST

static void teardown(void)
{
	bus_set_cpus(NULL);
}

START_TEST(test_state_names)
{
	ck_assert_str_eq(service_state_name(SERVICE_UP), "up");
	ck_assert_str_eq(service_state_name(SERVICE_BLOCKED), "blocked");
	ck_assert_int_eq(service_state("nosuch"), SERVICE_ABSENT);
}
END_TEST

Suite *suite_service(void)
{
	Suite *s = suite_create("service");
	TCase *tc = tcase_create("registry");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_services_start_in_dependency_order);
	tcase_add_test(tc, test_missing_dependency_reported_rest_boots);
	tcase_add_test(tc, test_cycle_reported_by_name_rest_boots);
	tcase_add_test(tc, test_duplicate_and_malformed_descriptors_ignored);
	tcase_add_test(tc, test_bad_subscription_blocks_the_service);
	tcase_add_test(tc, test_init_failure_retried_with_backoff);
	tcase_add_test(tc, test_handler_fault_restarts_with_new_generation);
	tcase_add_test(tc, test_crash_loop_backoff_doubles_to_a_cap);
	tcase_add_test(tc, test_backoff_resets_after_stable_run);
	tcase_add_test(tc, test_init_failures_back_off_on_a_late_clock);
	tcase_add_test(tc, test_register_at_run_time);
	tcase_add_test(tc, test_stop_and_restart_at_run_time);
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_declared_cpu_and_place_option);
	tcase_add_test(tc, test_declared_cpu_that_does_not_run_is_said_once);
	suite_add_tcase(s, tc);
	return s;
}
