/*
 * watch.c - the bus watchdog in the kernel: a service whose handler runs
 * far too long (ktest-stuck, spinning with interrupts on, as a bug that
 * loops would) is reported from the timer's interrupt while it runs,
 * with the wait-for graph, though the dispatcher never gets back to do
 * it; and a message queued behind it is reported as standing still.
 * Run by name (ktest=watch.stuck_service_is_reported) in the integration
 * case stuck-service.
 */
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/service.h>

#define STUCK_MS	600
#define PERIOD_MS	150

static unsigned int runs;

static int stuck_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	uint64_t until;

	(void)state;
	(void)m;
	(void)reply;
	if (runs++)
		return 0;	/* only the first one is stuck */
	until = hal_cycles() + hal_cycles_per_sec() / 1000 * STUCK_MS;
	while (hal_cycles() < until)
		;
	return 0;
}

static const struct service_desc stuck = {
	.name = "ktest-stuck",
	.handler = stuck_handle,
};

KTEST_EXPLICIT(watch, stuck_service_is_reported)
{
	uint32_t old = bus_watchdog_ms();
	uint64_t fired = bus_watchdog_fired();
	int id, topic = bus_topic("ktest.stuck");
	bool on = hal_irq_cpu_save();

	hal_irq_cpu_enable(true);	/* the timer's top half must run */
	KEXPECT_EQ(t, bus_watchdog_set_ms(PERIOD_MS), 0);
	if (service_state("ktest-stuck") == SERVICE_ABSENT)
		KEXPECT_EQ(t, service_register(&stuck), 0);
	id = service_bus_id("ktest-stuck");
	KEXPECT(t, id >= 0 && topic >= 0);
	if (id >= 0 && topic >= 0) {
		runs = 0;
		KEXPECT_EQ(t, bus_send((bus_svc_t)id, (bus_topic_t)topic,
				       BUS_PRIO_DEFAULT, NULL, 0), 0);
		KEXPECT_EQ(t, bus_send((bus_svc_t)id, (bus_topic_t)topic,
				       BUS_PRIO_DEFAULT, NULL, 0), 0);
		bus_run(100);
		KEXPECT_EQ(t, runs, 2u);
		/* one report for the handler and the queue behind it */
		KEXPECT(t, bus_watchdog_fired() > fired);
		kprintf("ktest: watch: %llu report(s) while ktest-stuck ran "
			"%u ms\n",
			(unsigned long long)(bus_watchdog_fired() - fired),
			STUCK_MS);
	}
	bus_watchdog_set_ms(old);
	hal_irq_cpu_enable(on);
}
