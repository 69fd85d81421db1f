/*
 * bus.c - in-kernel tests of the bus and the registry on the real target:
 * the built-in services are up and answer over the bus.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/route.h>
#include <aegis/hal.h>
#include <aegis/ktest.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/trace.h>

KTEST(bus, builtin_services_up)
{
	KEXPECT_EQ(t, service_state("console"), SERVICE_UP);
	KEXPECT_EQ(t, service_state("example"), SERVICE_UP);
	KEXPECT(t, service_bus_id("supervisor") < 0);	/* not a SERVICE() */
	KEXPECT(t, bus_svc_find("supervisor") >= 0);
}

KTEST(bus, example_answers_ping)
{
	int ex = bus_svc_find("example");
	int topic = bus_topic("example.ping");
	struct bus_msg reply;
	uint32_t n1, n2;

	KEXPECT(t, ex >= 0 && topic >= 0);
	if (ex < 0 || topic < 0)
		return;
	KEXPECT_EQ(t, bus_call((bus_svc_t)ex, (bus_topic_t)topic, NULL, 0,
			       &reply), 0);
	KEXPECT(t, reply.len == 8 && memcmp(reply.data, "pong", 4) == 0);
	memcpy(&n1, reply.data + 4, 4);
	bus_call((bus_svc_t)ex, (bus_topic_t)topic, NULL, 0, &reply);
	memcpy(&n2, reply.data + 4, 4);
	KEXPECT_EQ(t, n2, n1 + 1);
}

KTEST(bus, queued_messages_dispatched_in_priority_order)
{
	int ex = bus_svc_find("example");
	int topic = bus_topic("ktest.nothing");
	struct bus_svc_stats before, after;

	if (ex < 0 || topic < 0) {
		KEXPECT(t, false);
		return;
	}
	bus_svc_stats((bus_svc_t)ex, &before);
	KEXPECT_EQ(t, bus_send((bus_svc_t)ex, (bus_topic_t)topic, 6, NULL, 0),
		   0);
	KEXPECT_EQ(t, bus_send((bus_svc_t)ex, (bus_topic_t)topic, 0, NULL, 0),
		   0);
	/* two, plus any interrupt event (a timer tick) that came between;
	 * with more CPUs another may have taken one and still be running
	 * it: its count comes when it is done (a bounded wait) */
	bus_run(10);
	for (uint64_t end = hal_cycles() + hal_cycles_per_sec();;) {
		bus_svc_stats((bus_svc_t)ex, &after);
		if (after.handled - before.handled >= 2 || hal_cycles() > end)
			break;
		bus_run(10);
	}
	KEXPECT_EQ(t, after.handled - before.handled, 2);
}

KTEST(hal, clock_rate_plausible)
{
	uint64_t hz = hal_cycles_per_sec();

	/* 10 MHz .. 10 GHz: QEMU's generic timer runs at 62.5 MHz,
	 * a TSC at hundreds of MHz at least. */
	KEXPECT(t, hz >= 10000000ull && hz <= 10000000000ull);
}

/* Runs only when named: booted with bus.rule=deny,topic=example.ping,...
 * by the bus-rules integration case, it checks that the rule from the
 * command line is in force. */
KTEST_EXPLICIT(bus, cmdline_rule_denies_ping)
{
	int ex = bus_svc_find("example");
	int topic = bus_topic("example.ping");
	struct bus_rule_stats st;

	KEXPECT(t, bus_rule_count() >= 1);
	KEXPECT(t, ex >= 0 && topic >= 0);
	if (ex < 0 || topic < 0)
		return;
	KEXPECT_EQ(t, (long long)bus_call((bus_svc_t)ex, (bus_topic_t)topic,
					  NULL, 0, NULL), (long long)-AE_EPERM);
	KEXPECT_EQ(t, bus_rule_stats(0, &st), 0);
	KEXPECT_EQ(t, st.drops, 1);
}

KTEST(bus, trace_filter_changed_at_run_time)
{
	int con = bus_svc_find("console");
	int topic = bus_topic("trace.filter");
	char old[64];

	KEXPECT(t, con >= 0 && topic >= 0);
	if (con < 0 || topic < 0)
		return;
	ksnprintf(old, sizeof(old), "%s", trace_filter_get());
	KEXPECT_EQ(t, (long long)bus_call((bus_svc_t)con, (bus_topic_t)topic,
					  "example.*", 9, NULL), 0LL);
	KEXPECT_STREQ(t, trace_filter_get(), "example.*");
	KEXPECT_EQ(t, (long long)bus_call((bus_svc_t)con, (bus_topic_t)topic,
					  "Bad", 3, NULL),
		   (long long)-AE_EINVAL);
	KEXPECT_STREQ(t, trace_filter_get(), "example.*");
	trace_filter_set(old, NULL);
}

/* A service registered at run time whose handler always faults: the
 * supervisor must restart it (new generation) after its back-off, on the
 * real clock. */
static int crashy_runs;

static int crashy_handle(void *state, const struct bus_msg *m,
			 struct bus_msg *reply)
{
	(void)state;
	(void)m;
	(void)reply;
	crashy_runs++;
	return -AE_ENOTRECOVERABLE;
}

static const struct service_desc crashy = {
	.name = "ktest-crashy",
	.handler = crashy_handle,
};

KTEST(bus, supervisor_restarts_faulty_service)
{
	int id, topic = bus_topic("ktest.crash");
	uint32_t gen;
	uint64_t deadline;

	KEXPECT_EQ(t, service_register(&crashy), 0);
	id = service_bus_id("ktest-crashy");
	KEXPECT(t, id >= 0 && topic >= 0);
	if (id < 0 || topic < 0)
		return;
	gen = bus_svc_generation((bus_svc_t)id);
	KEXPECT_EQ(t, (long long)bus_call((bus_svc_t)id, (bus_topic_t)topic,
					  NULL, 0, NULL),
		   (long long)-AE_ESHUTDOWN);
	bus_run(100);		/* the supervisor hears of the fault */
	KEXPECT_EQ(t, service_state("ktest-crashy"), SERVICE_FAILED);
	deadline = hal_cycles() + hal_cycles_per_sec() / 10;	/* 100 ms */
	while (service_state("ktest-crashy") != SERVICE_UP &&
	       hal_cycles() < deadline)
		service_poll();
	KEXPECT_EQ(t, service_state("ktest-crashy"), SERVICE_UP);
	KEXPECT_EQ(t, bus_svc_generation((bus_svc_t)id), gen + 1);
	KEXPECT_EQ(t, service_restarts("ktest-crashy"), 1);
	KEXPECT_EQ(t, crashy_runs, 1);
	KEXPECT_EQ(t, service_stop("ktest-crashy"), 0);
}
