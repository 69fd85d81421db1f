/*
 * trace.c - the dispatch trace: per-CPU rings, the live filter, the line
 * format and the binary dump.
 *
 * Each CPU records what it runs in a ring of its own (CPU i in ring
 * i % TRACE_CPUS), under its own bus lock (or the bus whole); a record's
 * place is taken with an atomic add, as CPUs i and i + TRACE_CPUS share
 * a ring while each holds only its own lock; a
 * dump merges the rings by time, each ring's records kept in the order
 * they were made (an inline call's record comes before its caller's,
 * whose handler started first). Filter matching is cached per topic (one
 * bit each) so the hot path is a bit test.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/contract.h>
#include <aegis/spinlock.h>
#include <aegis/trace.h>
#include "bus_internal.h"

/* The live lines and the tap: CPUs that hold only their own bus lock
 * commit records at once. Taken under the bus (either way it is held),
 * with interrupts on: no interrupt handler records. */
static DEFINE_LOCK_CLASS(trace_class, "bus.trace");
static spinlock_t trace_lk = SPINLOCK_INIT(&trace_class);
static int trace_owner = -1;	/* the CPU holding trace_lk */

static void trace_lock(void)
{
	spin_lock(&trace_lk);
	__atomic_store_n(&trace_owner, (int)bus_cpu(), __ATOMIC_RELAXED);
}

static void trace_unlock(void)
{
	__atomic_store_n(&trace_owner, -1, __ATOMIC_RELAXED);
	spin_unlock(&trace_lk);
}

void trace_fault_recover(void)
{
	/* a fault the guard caught inside the bus, on this CPU, while it
	 * held the trace lock (in the profiler's tap, say): let it go, or
	 * every CPU would wait for it at its next record */
	if (__atomic_load_n(&trace_owner, __ATOMIC_RELAXED) ==
	    (int)bus_cpu())
		trace_unlock();
}

static struct trace_rec rings[TRACE_CPUS][TRACE_RING_SIZE];
/* records each CPU's ring has taken: a line each, as every CPU counts
 * its own at every dispatch */
static struct {
	uint64_t n;
} __attribute__((aligned(64))) written_[TRACE_CPUS];
#define written(c) (written_[c].n)
static trace_sink_fn sink;
static uint64_t ticks_per_ms;	/* 0: print clock ticks */

/* Selected records, formatted when they are made (names as they were
 * then) and printed by trace_pump, outside any handler. */
static char live[TRACE_LIVE_LINES][TRACE_LINE_MAX];
static uint64_t live_w, live_r, live_lost;

static char filter_text[TRACE_FILTER_MAX * BUS_NAME_MAX];
static char filter[TRACE_FILTER_MAX][BUS_NAME_MAX];
static unsigned int nfilter;
static uint64_t selected[BUS_TOPIC_MAX / 64];
/* src=NAME and dst=NAME elements: services, by name or prefix ("user-*") */
static char by_svc[TRACE_FILTER_MAX][BUS_NAME_MAX + 4];
static unsigned int nsvc;

void trace_reset(void)
{
	memset(written_, 0, sizeof(written_));
	live_w = live_r = live_lost = 0;
	nfilter = 0;
	nsvc = 0;
	filter_text[0] = '\0';
	memset(selected, 0, sizeof(selected));
}

void trace_set_sink(trace_sink_fn fn)
{
	sink = fn;
}

void trace_set_rate(uint64_t tpms)
{
	ticks_per_ms = tpms;
}

/* A span of ticks as "<us>.<ns>" once the rate is known, else ticks. */
static void span(char *buf, size_t size, uint64_t ticks)
{
	uint64_t ms, rest, ns;

	if (!ticks_per_ms) {
		ksnprintf(buf, size, "%llu", (unsigned long long)ticks);
		return;
	}
	ms = ticks / ticks_per_ms;
	rest = ticks % ticks_per_ms;
	ns = ms * 1000000u + rest * 1000000u / ticks_per_ms;
	ksnprintf(buf, size, "%llu.%03u", (unsigned long long)(ns / 1000),
		  (unsigned int)(ns % 1000));
}

static bool filter_match(const char *name)
{
	for (unsigned int i = 0; i < nfilter; i++) {
		const char *f = filter[i];
		size_t n = strlen(f);

		if (bus_pattern_match(f, name))
			return true;
		/* a bare name also selects what lies below it */
		if (f[n - 1] != '*' && strncmp(name, f, n) == 0 &&
		    name[n] == '.')
			return true;
	}
	return false;
}

void trace_topic_added(bus_topic_t t)
{
	if (filter_match(bus_topic_name(t)))
		selected[t / 64] |= 1ull << (t % 64);
	else
		selected[t / 64] &= ~(1ull << (t % 64));
}

bool trace_selected(bus_topic_t t)
{
	return t < BUS_TOPIC_MAX && ((selected[t / 64] >> (t % 64)) & 1);
}

static bool name_match(const char *pat, const char *name)
{
	size_t n = strlen(pat);

	if (pat[n - 1] == '*')		/* svc_name_ok: not empty */
		return strncmp(pat, name, n - 1) == 0;
	return strcmp(pat, name) == 0;
}

/* A record the service elements select: its sender (src=) or receiver
 * (dst=) named. Only when the filter has such elements. */
static bool svc_selected(const struct trace_rec *r)
{
	for (unsigned int i = 0; i < nsvc; i++) {
		const char *e = by_svc[i];
		bus_svc_t s = e[0] == 's' ? r->src : r->dst;

		if (s != BUS_NIL_SVC && name_match(e + 4, bus_svc_name(s)))
			return true;
	}
	return false;
}

/* "src=NAME" / "dst=NAME": a service name, or a prefix and "*". */
static int svc_element(const char *e, const char **why)
{
	if (!e[4]) {
		*why = "src= and dst= need a service name";
		return -AE_EINVAL;
	}
	if (!svc_name_ok(e + 4)) {
		*why = "a service name is [a-z0-9_-], or a prefix and *";
		return -AE_EINVAL;
	}
	return 0;
}

int trace_filter_set(const char *list, const char **why)
{
	BUS_GUARD();
	char parsed[TRACE_FILTER_MAX][BUS_NAME_MAX];
	char svcs[TRACE_FILTER_MAX][BUS_NAME_MAX + 4];
	unsigned int n = 0, ns = 0;
	const char *p = list, *dummy;
	int rc;

	if (!why)
		why = &dummy;
	if (!list) {
		*why = "no filter";
		return -AE_EINVAL;
	}
	if (strcmp(list, "off") != 0) {
		while (*p) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);

			if (len == 0 || len >= BUS_NAME_MAX) {
				*why = len ? "pattern longer than 47 bytes"
					   : "empty pattern in the list";
				return -AE_EINVAL;
			}
			if (n + ns == TRACE_FILTER_MAX) {
				*why = "more than 8 patterns";
				return -AE_EINVAL;
			}
			if (len >= 4 && (strncmp(p, "src=", 4) == 0 ||
					strncmp(p, "dst=", 4) == 0)) {
				memcpy(svcs[ns], p, len);
				svcs[ns][len] = '\0';
				rc = svc_element(svcs[ns], why);
				if (rc)
					return rc;
				ns++;
			} else {
				memcpy(parsed[n], p, len);
				parsed[n][len] = '\0';
				rc = bus_pattern_check(parsed[n], why);
				if (rc)
					return rc;
				n++;
			}
			p = end ? end + 1 : p + len;
			if (end && !*p) {
				*why = "empty pattern in the list";
				return -AE_EINVAL;
			}
		}
	}
	memcpy(filter, parsed, sizeof(parsed[0]) * n);
	nfilter = n;
	memcpy(by_svc, svcs, sizeof(svcs[0]) * ns);
	nsvc = ns;
	if (strlen(list) < sizeof(filter_text))
		memcpy(filter_text, n + ns ? list : "off",
		       strlen(n + ns ? list : "off") + 1);
	for (unsigned int t = 0; t < topic_count(); t++)
		trace_topic_added((bus_topic_t)t);
	return 0;
}

const char *trace_filter_get(void)
{
	BUS_GUARD();
	return nfilter + nsvc ? filter_text : "off";
}

static const char *const kind_name[] = { "event", "request", "reply" };

int trace_format(char *buf, size_t size, const struct trace_rec *r)
{
	char st[24] = "", how[24] = "", ts[24], wait[24], run[24];
	char lin[40] = "";

	if (r->kind == BUS_REQUEST || r->kind == BUS_REPLY)
		ksnprintf(st, sizeof(st), " st=%d", r->status);
	else if (r->corr)	/* an event's sequence number on its topic */
		ksnprintf(st, sizeof(st), " seq=%u", r->corr);
	if (r->inline_call & TRACE_REFUSED)
		ksnprintf(how, sizeof(how), " refused=%s",
			  bus_refusal_name(r->inline_call & ~TRACE_REFUSED));
	else if (r->inline_call & TRACE_UNHEARD)
		ksnprintf(how, sizeof(how), " unheard");
	else if (r->inline_call)
		ksnprintf(how, sizeof(how), " inline");
	if (r->parent)
		ksnprintf(lin, sizeof(lin), " id=%u parent=%u", r->id,
			  r->parent);
	else if (r->id)
		ksnprintf(lin, sizeof(lin), " id=%u", r->id);
	span(ts, sizeof(ts), r->ts);
	span(wait, sizeof(wait), r->wait);
	span(run, sizeof(run), r->run);
	return ksnprintf(buf, size,
			 "trace: %s %s %s %s->%s p%u wait=%s run=%s%s%s%s", ts,
			 kind_name[r->kind < 3 ? r->kind : 0],
			 bus_topic_name(r->topic), bus_svc_name(r->src),
			 r->dst == BUS_NIL_SVC ? "*" : bus_svc_name(r->dst),
			 r->prio, wait, run, st, how, lin);
}

static trace_tap_fn tap;
static void *tap_ctx;

void trace_set_tap(trace_tap_fn fn, void *ctx)
{
	BUS_GUARD();
	tap_ctx = ctx;
	tap = fn;
}

BUS_HOT struct trace_rec *trace_begin(unsigned int cpu)
{
	uint64_t at;

	cpu %= TRACE_CPUS;
	if (!bus_smp())
		at = written(cpu)++;
	else
		at = __atomic_fetch_add(&written(cpu), 1, __ATOMIC_RELAXED);
	return &rings[cpu][at & (TRACE_RING_SIZE - 1)];
}

/* Records ring c holds now. */
static unsigned int held_in(unsigned int c)
{
	return written(c) < TRACE_RING_SIZE ? (unsigned int)written(c)
					    : TRACE_RING_SIZE;
}

void trace_record(const struct trace_rec *r)
{
	struct trace_rec *to = trace_begin(r->cpu);

	*to = *r;
	trace_commit(to);
}

static void trace_commit_slow(const struct trace_rec *r);

/* Nothing taps or shows the records (the usual case): a test, not a
 * call. */
void trace_commit(const struct trace_rec *r)
{
	if (tap || sink)
		trace_commit_slow(r);
}

static void trace_commit_slow(const struct trace_rec *r)
{
	bool feed = tap && !(r->inline_call & (TRACE_REFUSED | TRACE_UNHEARD));
	bool show = sink && (trace_selected(r->topic) ||
			     (nsvc && svc_selected(r)));

	if (!feed && !show)
		return;
	trace_lock();
	if (feed)
		tap(r, tap_ctx);	/* the profiler counts dispatches */
	if (show) {
		if (live_w - live_r == TRACE_LIVE_LINES) {
			live_r++;	/* the oldest unprinted goes */
			live_lost++;
		}
		trace_format(live[live_w % TRACE_LIVE_LINES], TRACE_LINE_MAX,
			     r);
		live_w++;
	}
	trace_unlock();
}

/* The lines are taken one at a time under the bus lock and printed
 * without it: the console's own lock never waits inside the bus's. */
unsigned int trace_pump(unsigned int max)
{
	char line[TRACE_LINE_MAX];
	unsigned int n = 0;

	if (!sink)
		return 0;
	while (n < max) {
		bus_lock();
		trace_lock();
		if (live_lost) {
			/* where the lost lines were: before the oldest kept */
			ksnprintf(line, sizeof(line), "trace: DROPPED %llu",
				  (unsigned long long)live_lost);
			live_lost = 0;
		} else if (live_r != live_w) {
			memcpy(line, live[live_r % TRACE_LIVE_LINES],
			       sizeof(line));
			live_r++;
		} else {
			trace_unlock();
			bus_unlock();
			break;
		}
		trace_unlock();
		bus_unlock();
		sink(line);
		n++;
	}
	return n;
}

uint64_t trace_live_lost(void)
{
	BUS_GUARD();
	return live_lost;
}

unsigned int trace_count(void)
{
	BUS_GUARD();
	unsigned int n = 0;

	for (unsigned int c = 0; c < TRACE_CPUS; c++)
		n += held_in(c);
	return n;
}

uint64_t trace_total(void)
{
	BUS_GUARD();
	uint64_t n = 0;

	for (unsigned int c = 0; c < TRACE_CPUS; c++)
		n += written(c);
	return n;
}

/* ---- dump ------------------------------------------------------------ */

size_t trace_dump_size(void)
{
	BUS_GUARD();
	return sizeof(struct trace_dump_hdr) +
	       trace_count() * sizeof(struct trace_rec) +
	       (size_t)(topic_count() + bus_svc_span()) * BUS_NAME_MAX;
}

long trace_dump(void *buf, size_t size)
{
	BUS_GUARD();
	struct trace_dump_hdr h;
	uint8_t *p = buf;
	unsigned int n = trace_count();
	uint64_t next[TRACE_CPUS];	/* each ring's next record to copy */

	if (!buf || size < trace_dump_size())
		return -AE_ENOSPC;
	h.magic = TRACE_DUMP_MAGIC;
	h.version = TRACE_DUMP_VERSION;
	h.rec_size = sizeof(struct trace_rec);
	h.nrec = n;
	h.ntopics = topic_count();
	h.nsvcs = bus_svc_span();
	h.name_size = BUS_NAME_MAX;
	h.dropped = trace_total() - n;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	for (unsigned int c = 0; c < TRACE_CPUS; c++)
		next[c] = written(c) - held_in(c);
	for (unsigned int i = 0; i < n; i++) {
		const struct trace_rec *pick = NULL;
		unsigned int from = 0;

		/* the ring whose next record is the oldest */
		for (unsigned int c = 0; c < TRACE_CPUS; c++) {
			const struct trace_rec *r;

			if (next[c] == written(c))
				continue;
			r = &rings[c][next[c] & (TRACE_RING_SIZE - 1)];
			if (!pick || r->ts < pick->ts) {
				pick = r;
				from = c;
			}
		}
		next[from]++;
		memcpy(p, pick, sizeof(struct trace_rec));
		p += sizeof(struct trace_rec);
	}
	for (unsigned int t = 0; t < h.ntopics; t++) {
		memset(p, 0, BUS_NAME_MAX);
		memcpy(p, bus_topic_name((bus_topic_t)t),
		       strlen(bus_topic_name((bus_topic_t)t)));
		p += BUS_NAME_MAX;
	}
	for (unsigned int s = 0; s < h.nsvcs; s++) {
		const char *name = bus_svc_state((bus_svc_t)s) ==
				   BUS_SVC_FREE ? "" : bus_svc_name((bus_svc_t)s);

		memset(p, 0, BUS_NAME_MAX);
		memcpy(p, name, strlen(name));
		p += BUS_NAME_MAX;
	}
	return (long)(p - (uint8_t *)buf);
}

static const char *name_at(const uint8_t *names, uint32_t count,
			   uint32_t size, uint32_t id)
{
	if (id == BUS_SVC_KERNEL)
		return "kernel";
	if (id >= count)
		return "?";
	return (const char *)names + (size_t)id * size;
}

long trace_dump_parse(const void *buf, size_t len, trace_dump_fn fn,
		      void *ctx, const char **why)
{
	struct trace_dump_hdr h;
	const uint8_t *p = buf;
	uint64_t need;
	const uint8_t *topics, *svcs;

	if (!buf || len < sizeof(h)) {
		*why = "shorter than the dump header";
		return -AE_EBADMSG;
	}
	memcpy(&h, p, sizeof(h));
	if (h.magic != TRACE_DUMP_MAGIC) {
		*why = "not a trace dump (bad magic)";
		return -AE_EBADMSG;
	}
	if (h.version != TRACE_DUMP_VERSION) {
		*why = "unknown dump version";
		return -AE_EBADMSG;
	}
	if (h.rec_size != sizeof(struct trace_rec) || h.name_size == 0 ||
	    h.name_size > 4096 || h.nrec > (1u << 24) ||
	    h.ntopics > (1u << 16) || h.nsvcs > (1u << 16)) {
		*why = "record or name size not as in version 2";
		return -AE_EBADMSG;
	}
	need = sizeof(h) + (uint64_t)h.nrec * h.rec_size +
	       ((uint64_t)h.ntopics + h.nsvcs) * h.name_size;
	if (need > len) {
		*why = "dump shorter than its header says";
		return -AE_EBADMSG;
	}
	topics = p + sizeof(h) + (size_t)h.nrec * h.rec_size;
	svcs = topics + (size_t)h.ntopics * h.name_size;
	for (uint32_t i = 0; i < h.ntopics + h.nsvcs; i++) {
		const uint8_t *n = topics + (size_t)i * h.name_size;

		if (memchr(n, 0, h.name_size) == NULL) {
			*why = "name not NUL-terminated";
			return -AE_EBADMSG;
		}
	}
	for (uint32_t i = 0; i < h.nrec; i++) {
		struct trace_rec r;

		memcpy(&r, p + sizeof(h) + (size_t)i * h.rec_size, sizeof(r));
		if (fn)
			fn(&r, name_at(topics, h.ntopics, h.name_size,
				       r.topic),
			   name_at(svcs, h.nsvcs, h.name_size, r.src),
			   name_at(svcs, h.nsvcs, h.name_size, r.dst), ctx);
	}
	return (long)h.nrec;
}
