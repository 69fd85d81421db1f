/*
 * profiler.c - the profiler service (aegis/profiler.h): starts and stops
 * a profile, feeds the bus trace and the HAL's program-counter samples
 * into the bookkeeping (prof.c), and reports on the console and under
 * /sys/profiler.
 *
 *	sh> prof start
 *	profiler: started (timer 100 Hz: one sample each tick)
 *	sh> prof stop
 *	profiler: stopped after 2.104 s: 1234 dispatches, 210 samples
 *	sh> prof report
 *	profiler: 2.104 s, 1234 dispatches, 210 samples (0 lost), clock 2600000000 Hz
 *	profiler: service          runs  wait p50  wait p99   run p50   run p99 (ns)
 *	profiler: console            57       105      2150      9800     31000
 *	...
 *
 * The samples are drained from the HAL's ring at every timer tick (the
 * "hw.irq.timer" event, subscribed to only while a profile runs) and
 * when the profile stops. Addresses are
 * reported raw; tools/analyzer names them from the kernel's ELF.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clock.h>
#include <aegis/dump.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kmalloc.h>
#include <aegis/slab.h>
#include <aegis/kprintf.h>
#include <aegis/profiler.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>
#include <aegis/trace.h>

#define HOT_MAX 10

static struct prof *prof;	/* kept across restarts: the profile is the
				 * kernel's, not this handler's state */
static uint64_t drain_buf[512];

#define CALLS	8192		/* traced calls kept (instrument= builds) */
static struct prof_call *calls;	/* the ring, and a copy for the dump */

static void site_hook(void *site, size_t size)
{
	prof_alloc(prof, (uint64_t)(uintptr_t)site, size);
}

/* A service's name, or NULL for one that has ended (a process's). */
static const char *svc_name(unsigned int id)
{
	const char *n = bus_svc_name((bus_svc_t)id);

	return n && strcmp(n, "?") ? n : NULL;
}

static void tap(const struct trace_rec *r, void *ctx)
{
	prof_feed(ctx, r);
}

static void drain(void)
{
	unsigned int n;

	do {
		n = hal_sample_take(drain_buf, ARRAY_SIZE(drain_buf), NULL,
				    NULL);
		for (unsigned int i = 0; i < n; i++)
			prof_sample(prof, drain_buf[i]);
	} while (n == ARRAY_SIZE(drain_buf));
}

static int start(void)
{
	hal_sample_enable(false);
	while (hal_sample_take(drain_buf, ARRAY_SIZE(drain_buf), NULL,
			       NULL))
		;		/* what an earlier profile left */
	prof_reset(prof);
	prof->on = true;
	prof->started = hal_cycles();
	trace_set_tap(tap, prof);
	/* the timer's ticks only while a profile runs: they drain the
	 * samples (a restarted service subscribes again here) */
	bus_unsubscribe(bus_current(), "hw.irq.timer");
	bus_subscribe(bus_current(), "hw.irq.timer", NULL);
	kmalloc_set_site_hook(site_hook);
	prof_ftrace_enable(true);
	hal_sample_enable(true);
	kprintf("profiler: started (one sample each timer tick)\n");
	return 0;
}

static int stop(void)
{
	if (!prof->on)
		return -AE_EINVAL;
	hal_sample_enable(false);
	prof_ftrace_enable(false);
	kmalloc_set_site_hook(NULL);
	drain();
	trace_set_tap(NULL, NULL);
	bus_unsubscribe(bus_current(), "hw.irq.timer");
	prof->on = false;
	prof->stopped = hal_cycles();
	kprintf("profiler: stopped after %llu ms: %llu dispatches, %llu "
		"samples\n",
		(unsigned long long)ns_of_cycles(prof->stopped - prof->started) /
		1000000, (unsigned long long)prof->dispatches,
		(unsigned long long)prof->samples);
	return 0;
}

/* ---- text ------------------------------------------------------------- */

struct out {
	char *buf;
	uint32_t size, n;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->n >= o->size)
		return;
	va_start(ap, fmt);
	k = kvsnprintf(o->buf + o->n, o->size - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (uint32_t)k < o->size - o->n ? (uint32_t)k :
			o->size - o->n;
}

static uint64_t elapsed(void)
{
	return (prof->on ? hal_cycles() : prof->stopped) - prof->started;
}

static void pair_line(struct out *o, const char *name,
		      const struct prof_pair *q)
{
	put(o, "%-20s %7llu %9llu %9llu %9llu %9llu\n", name,
	    (unsigned long long)q->run.n,
	    (unsigned long long)ns_of_cycles(prof_hist_quantile(&q->wait, 500)),
	    (unsigned long long)ns_of_cycles(prof_hist_quantile(&q->wait, 990)),
	    (unsigned long long)ns_of_cycles(prof_hist_quantile(&q->run, 500)),
	    (unsigned long long)ns_of_cycles(prof_hist_quantile(&q->run, 990)));
}

static void show_services(struct out *o)
{
	put(o, "%-20s %7s %9s %9s %9s %9s (ns)\n", "service", "runs",
	    "wait p50", "wait p99", "run p50", "run p99");
	for (unsigned int s = 0; s <= BUS_SVC_MAX; s++) {
		const char *name = s == BUS_SVC_MAX ? "kernel" : svc_name(s);
		char gone[20];

		if (!prof->svc[s].run.n)
			continue;
		if (!name) {	/* a process's, since ended */
			ksnprintf(gone, sizeof(gone), "#%u (ended)", s);
			name = gone;
		}
		pair_line(o, name, &prof->svc[s]);
	}
}

static void show_topics(struct out *o)
{
	put(o, "%-20s %7s %9s %9s %9s %9s (ns)\n", "topic", "runs",
	    "wait p50", "wait p99", "run p50", "run p99");
	for (unsigned int t = 0; t < bus_topic_count(); t++) {
		struct bus_topic_stats st;

		const struct prof_pair *tp = prof_topic(prof, t);

		if (!tp || !tp->run.n)
			continue;
		pair_line(o, bus_topic_name((bus_topic_t)t), tp);
		if (bus_topic_stats((bus_topic_t)t, &st) == 0 && st.drops)
			put(o, "  %llu dropped (since boot)\n",
			    (unsigned long long)st.drops);
	}
}

static void show_hot(struct out *o)
{
	struct prof_pc hot[HOT_MAX];
	unsigned int n = prof_hot(prof, hot, HOT_MAX);

	put(o, "%-18s %8s %6s\n", "address", "samples", "share");
	for (unsigned int i = 0; i < n; i++)
		put(o, "%#018llx %8llu %5llu%%\n",
		    (unsigned long long)hot[i].pc,
		    (unsigned long long)hot[i].count,
		    (unsigned long long)(hot[i].count * 100 /
					 (prof->samples ? prof->samples : 1)));
}

static void show_summary(struct out *o)
{
	put(o, "%s, %llu ms, %llu dispatches, %llu samples (%llu lost), "
	    "clock %llu Hz\n", prof->on ? "running" : "stopped",
	    (unsigned long long)ns_of_cycles(elapsed()) / 1000000,
	    (unsigned long long)prof->dispatches,
	    (unsigned long long)prof->samples,
	    (unsigned long long)prof->samples_lost,
	    (unsigned long long)hal_cycles_per_sec());
}

/* The report on the console, a line at a time. */
static void report(void)
{
	static char text[4096];
	struct out o = { text, sizeof(text), 0 };
	void (*const parts[])(struct out *) = { show_summary, show_services,
						show_topics, show_hot };
	uint16_t worst[4];
	unsigned int n;

	for (unsigned int k = 0; k < ARRAY_SIZE(parts); k++) {
		o.n = 0;
		parts[k](&o);
		for (char *l = text; l < text + o.n;) {
			char *e = memchr(l, '\n', (size_t)(text + o.n - l));

			if (!e)
				e = text + o.n;
			kprintf("profiler: %.*s\n", (int)(e - l), l);
			l = e + 1;
		}
	}
	n = prof_bottlenecks(prof, 10, worst, ARRAY_SIZE(worst));
	for (unsigned int i = 0; i < n; i++) {
		const struct prof_pair *q = &prof->svc[worst[i]];

		const char *name = worst[i] == BUS_SVC_MAX ? "kernel" :
				   svc_name(worst[i]);

		kprintf("profiler: bottleneck: %s waits %llu ns for %llu ns "
			"of work (medians)\n", name ? name : "(ended)",
			(unsigned long long)ns_of_cycles(prof_hist_quantile(&q->wait,
								     500)),
			(unsigned long long)ns_of_cycles(prof_hist_quantile(&q->run,
								     500)));
	}
}

/* ---- the dump ----------------------------------------------------------- */

static const char *topic_name(unsigned int id)
{
	return bus_topic_name((bus_topic_t)id);
}

static uint64_t topic_drops(unsigned int id)
{
	struct bus_topic_stats st;

	return bus_topic_stats((bus_topic_t)id, &st) ? 0 : st.drops;
}

/* The profile and the bus trace, as dump frames on the console (aegis/
 * dump.h): tools/analyzer reads them from the serial log. */
/* kmalloc's caches now, and its large blocks as one more. */
static unsigned int caches_now(struct prof_dump_cache *out)
{
	struct kmalloc_large_stats ls;
	unsigned int n = 0;

	for (unsigned int i = 0; i < KMALLOC_CLASSES; i++) {
		const struct slab_cache *c = kmalloc_cache(i);
		struct slab_stats st;

		if (!c)
			continue;
		slab_cache_stats(c, &st);
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].name, c->name,
		       strnlen(c->name, sizeof(out[n].name) - 1));
		out[n].size = c->size;
		out[n].inuse = st.inuse;
		out[n].allocs = st.allocs;
		out[n].frees = st.frees;
		out[n].fails = st.fails;
		n++;
	}
	kmalloc_large_stats(&ls);
	memset(&out[n], 0, sizeof(out[n]));
	memcpy(out[n].name, "kmalloc-large", 13);
	out[n].inuse = (uint32_t)(ls.allocs - ls.frees);
	out[n].allocs = ls.allocs;
	out[n].frees = ls.frees;
	out[n].fails = ls.fails;
	return n + 1;
}

static int dump(void)
{
	static struct prof_dump_cache caches[KMALLOC_CLASSES + 1];
	struct prof_names nm = { svc_name, topic_name, topic_drops,
				 bus_topic_count() };
	struct prof_dump_meta meta = {
#if defined(__x86_64__)
		.arch = PROF_ARCH_X86_64,
#else
		.arch = PROF_ARCH_AARCH64,
#endif
		.clock_hz = hal_cycles_per_sec(),
		.elapsed = elapsed(),
		.caches = caches,
		.calls = calls ? calls + CALLS : NULL,
	};
	/* the most the trace's dump can take: it grows while kmalloc asks
	 * mm for pages, so it is written once the buffer is there */
	size_t tmax = sizeof(struct trace_dump_hdr) +
		      TRACE_RING_SIZE * sizeof(struct trace_rec) +
		      (BUS_TOPIC_MAX + BUS_SVC_MAX) * BUS_NAME_MAX;
	size_t head, size;
	uint8_t *buf;
	char line[DUMP_LINE + 1];
	unsigned int frames;
	long n, tb;

	meta.ncache = caches_now(caches);
	meta.ncall = calls ? prof_ftrace_take(calls + CALLS, CALLS) : 0;
	head = prof_dump_size(prof, &nm, &meta);
	buf = kmalloc(head + tmax);
	if (!buf)
		return -AE_ENOMEM;
	tb = trace_dump(buf + head, tmax);
	meta.trace_bytes = tb < 0 ? 0 : (size_t)tb;
	n = tb < 0 ? tb : prof_dump(prof, &nm, &meta, buf, head + (size_t)tb);
	if (n >= 0 && (size_t)n != head)
		n = -AE_EIO;	/* the profile changed under us */
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	size = head + (size_t)tb;
	frames = dump_frames(size);
	if (frames > 0xffff) {
		kfree(buf);
		return -AE_E2BIG;
	}
	kprintf("profiler: dump of %zu bytes in %u frames\n", size, frames);
	for (unsigned int i = 0; i < frames; i++) {
		size_t off = (size_t)i * DUMP_PAYLOAD;
		size_t len = size - off < DUMP_PAYLOAD ? size - off :
			     DUMP_PAYLOAD;

		dump_frame_line(line, sizeof(line), DUMP_KIND_PROFILE,
				(uint16_t)i, (uint16_t)frames, buf + off, len);
		kprintf("%s\n", line);
	}
	kprintf("profiler: dump done\n");
	kfree(buf);
	return 0;
}

/* ---- /sys/profiler ---------------------------------------------------- */

static const struct sysfs_attr attrs[] = {
	{ "state", 0644, 0 }, { "clock", 0444, 0 }, { "samples", 0444, 0 },
	{ "services", 0444, 0 }, { "topics", 0444, 0 }, { "hot", 0444, 0 },
};

static int sysfs_request(const struct bus_msg *m, struct bus_msg *reply)
{
	struct sysfs_io io;
	char *buf;
	int rc;
	struct out o;

	if (m->topic == TOPIC_SYSFS_ATTR)
		return sysfs_attr_answer(attrs, ARRAY_SIZE(attrs), m, reply);
	buf = sysfs_io_take(m, &io, m->topic == TOPIC_SYSFS_STORE, &rc);
	if (!buf)
		return rc;
	if (io.index >= ARRAY_SIZE(attrs))
		return -AE_EINVAL;
	if (m->topic == TOPIC_SYSFS_STORE) {
		const char *v = buf;

		if (io.index != 0)
			return -AE_EACCES;
		if (strcmp(v, "start") == 0)
			return start();
		if (strcmp(v, "stop") == 0)
			return stop();
		kprintf("profiler: state: \"start\" or \"stop\"\n");
		return -AE_EINVAL;
	}
	o = (struct out){ buf, io.len, 0 };
	switch (io.index) {
	case 0:
		put(&o, "%s\n", prof->on ? "running" : "stopped");
		break;
	case 1:
		put(&o, "%llu Hz\n", (unsigned long long)hal_cycles_per_sec());
		break;
	case 2:
		put(&o, "%llu %llu\n", (unsigned long long)prof->samples,
		    (unsigned long long)prof->samples_lost);
		break;
	case 3:
		show_services(&o);
		break;
	case 4:
		show_topics(&o);
		break;
	default:
		show_hot(&o);
		break;
	}
	memcpy(reply->data, &o.n, sizeof(o.n));
	reply->len = sizeof(o.n);
	return 0;
}

/* ---- the service ------------------------------------------------------- */

static int profiler_init(void)
{
	if (!prof) {
		prof = kzalloc(sizeof(*prof));
		if (!prof)
			return -AE_ENOMEM;
#ifdef AEGIS_FTRACE
		/* the ring and the dump's copy of it */
		calls = kmalloc(2 * CALLS * sizeof(*calls));
		if (calls)
			prof_ftrace_setup(calls, CALLS);
		else
			kprintf("profiler: no memory for call tracing\n");
#endif
	}
	return 0;
}

static int profiler_handle(void *state, const struct bus_msg *m,
			   struct bus_msg *reply)
{
	(void)state;
	if (m->kind == BUS_EVENT) {
		if (m->topic == TOPIC_HW_IRQ_TIMER && prof->on)
			drain();
		return 0;
	}
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == TOPIC_PROFILER_START)
		return start();
	if (m->topic == TOPIC_PROFILER_STOP)
		return stop();
	if (m->topic == TOPIC_PROFILER_REPORT) {
		if (prof->on)
			drain();
		report();
		return 0;
	}
	if (m->topic == TOPIC_PROFILER_DUMP) {
		if (prof->on)
			drain();
		return dump();
	}
	if (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW ||
	    m->topic == TOPIC_SYSFS_STORE)
		return sysfs_request(m, reply);
	return -AE_ENOSYS;
}

SERVICE(profiler,
	.name = "profiler",
	.init = profiler_init,
	.handler = profiler_handle,
	/* hw.irq.timer only while a profile runs: subscribed in start() */
	.subscribe = SUBSCRIBES_PROFILER,
	.serves = SERVES_PROFILER,
	.needs = SERVICE_LIST("mm"),
	.sysfs = "profiler");
