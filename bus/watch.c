/*
 * watch.c - who waits on whom: the wait-for graph, and a watchdog that
 * does not need the dispatcher to run.
 *
 * The graph is read from the bus's own state (bus.c's view): the handler
 * running and the inline calls above it, the threads blocked in
 * bus_call_wait and what they wait on, and every service whose queue is
 * not empty with how long it has not moved (no message taken from it).
 *
 * The watchdog runs from the interrupt path (bus_irq_post, so from the
 * timer's top half, every tick): if a handler has run longer than the
 * period, or a service's queue has not moved for that long, it prints the
 * graph once for that episode through its sink. It only reads: on this
 * single-dispatcher bus an interrupt may find a structure half-updated,
 * which can make one report read oddly but never harms the bus.
 *
 * Context: bus_waitfor in thread or handler context; bus_watchdog_check
 * from interrupts (and tests).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include "bus_internal.h"

static uint64_t period;		/* clock ticks; 0: the watchdog is off */
static uint64_t per_ms;		/* clock ticks per millisecond */
static bus_watch_sink_fn sink;
static uint64_t fired;
static uint64_t reported_run;	/* the dispatch already reported */
static uint64_t reported_moved[BUS_SVC_MAX];	/* per service, the same */
static char report[2048];

void bus_watchdog_set(uint64_t ticks, uint64_t ticks_per_ms,
		      bus_watch_sink_fn s)
{
	per_ms = ticks_per_ms;
	sink = s;
	reported_run = 0;
	memset(reported_moved, 0, sizeof(reported_moved));
	__atomic_store_n(&period, ticks, __ATOMIC_RELEASE);
}

int bus_watchdog_set_ms(uint32_t ms)
{
	if (!per_ms || !sink)
		return -AE_ENODEV;	/* bus_watchdog_set has not run */
	bus_watchdog_set((uint64_t)ms * per_ms, per_ms, sink);
	return 0;
}

uint32_t bus_watchdog_ms(void)
{
	return per_ms ? (uint32_t)(period / per_ms) : 0;
}

uint64_t bus_watchdog_period(void)
{
	return period;
}

uint64_t bus_watchdog_fired(void)
{
	return fired;
}

/* A span of clock ticks in ms (ticks without a rate). */
static unsigned long long ms(uint64_t ticks)
{
	return per_ms ? ticks / per_ms : ticks;
}

/* Append one line to buf (at *at, size bytes); returns false when full. */
static bool line(char *buf, size_t size, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool line(char *buf, size_t size, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= size)
		return false;
	va_start(ap, fmt);
	n = kvsnprintf(buf + *at, size - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *at) {
		buf[*at] = '\0';	/* no half line */
		*at = size;
		return false;
	}
	*at += (size_t)n;
	return true;
}

/* Views are big (every service and waiter): static, one for threads and
 * one for the interrupt path, which may interrupt a thread's. */
static struct bus_watch_view thread_view, irq_view;

static int format(char *buf, size_t size, uint64_t now,
		  const struct bus_watch_view *v)
{
	size_t at = 0;
	const char *unit = per_ms ? "ms" : "ticks";
	bool any = false;

	if (v->depth) {
		line(buf, size, &at, "waitfor: %s runs a handler (%s %s from "
		     "%s)%s", bus_svc_name(v->chain[0]), v->kind_name,
		     bus_topic_name(v->topic), bus_svc_name(v->src),
		     v->since ? "" : "\n");
		if (v->since)
			line(buf, size, &at, " for %llu %s\n",
			     ms(now - v->since), unit);
		for (unsigned int i = 1; i < v->depth; i++)
			line(buf, size, &at, "waitfor: %s waits on %s (inline "
			     "call)\n", bus_svc_name(v->chain[i - 1]),
			     bus_svc_name(v->chain[i]));
		any = true;
	}
	for (unsigned int i = 0; i < v->nwaiters; i++) {
		const struct bus_watch_waiter *w = &v->waiters[i];

		line(buf, size, &at, "waitfor: %s waits on %s for %s (a "
		     "thread, call %u) for %llu %s\n",
		     w->src == BUS_SVC_KERNEL ? "kernel" :
		     bus_svc_name(w->src), bus_svc_name(w->dst),
		     bus_topic_name(w->topic), w->corr,
		     ms(now - w->since), unit);
		any = true;
	}
	for (unsigned int s = 0; s < v->nsvcs; s++) {
		if (!v->pending[s])
			continue;
		line(buf, size, &at, "waitfor: %s has %u queued, not moved "
		     "for %llu %s\n", bus_svc_name((bus_svc_t)s), v->pending[s],
		     ms(now - v->moved[s]), unit);
		any = true;
	}
	if (!any)
		line(buf, size, &at, "waitfor: nothing waits\n");
	return (int)at;
}

int bus_waitfor(char *buf, size_t size)
{
	if (!buf || size == 0)
		return -AE_EINVAL;
	buf[0] = '\0';
	bus_watch_view(&thread_view, false);
	return format(buf, size, bus_now(), &thread_view);
}

/* Print the report through the sink, one line at a time. */
static void emit(void)
{
	char *p = report;

	while (*p) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		sink(p);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void check(uint64_t now, uint64_t t);

void bus_watchdog_check(uint64_t now)
{
	uint64_t t = __atomic_load_n(&period, __ATOMIC_ACQUIRE);

	if (!t || !sink)
		return;
	/* The whole check under the lock, taken only if that needs no wait
	 * (this is the timer's top half): the names it prints are the bus's
	 * too. Another CPU in the bus: the next tick looks. */
	if (!bus_lock_try())
		return;
	check(now, t);
	bus_unlock();
}

/* Under the bus lock: what the view shows, against the period t. */
static void check(uint64_t now, uint64_t t)
{
	const struct bus_watch_view *v = &irq_view;
	size_t at = 0;
	bool stuck = false;

	bus_watch_view(&irq_view, true);	/* held: no wait */
	report[0] = '\0';
	if (v->depth && v->since && now - v->since > t &&
	    reported_run != v->since) {
		reported_run = v->since;
		line(report, sizeof(report), &at, "watchdog: %s has run one "
		     "handler for %llu %s\n", bus_svc_name(v->chain[0]),
		     ms(now - v->since), per_ms ? "ms" : "ticks");
		stuck = true;
	}
	for (unsigned int s = 0; s < v->nsvcs; s++) {
		/* moved may be a little after now: another CPU's clock read,
		 * taken after this tick was due */
		if (!v->pending[s] || v->moved[s] >= now ||
		    now - v->moved[s] <= t ||
		    reported_moved[s] == v->moved[s])
			continue;
		reported_moved[s] = v->moved[s];
		line(report, sizeof(report), &at, "watchdog: %s's queue has "
		     "not moved for %llu %s (%u queued)\n",
		     bus_svc_name((bus_svc_t)s), ms(now - v->moved[s]),
		     per_ms ? "ms" : "ticks", v->pending[s]);
		stuck = true;
	}
	if (!stuck)
		return;
	fired++;
	if (at < sizeof(report))
		format(report + at, sizeof(report) - at, now, v);
	emit();
}
