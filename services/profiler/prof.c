/*
 * prof.c - the profiler's bookkeeping (aegis/profiler.h): log2
 * histograms, per-service and per-topic wait and run times from trace
 * records, and sampled program counters in a small hash table. Pure:
 * the host tests drive it with made-up records.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/profiler.h>

static unsigned int bucket_of(uint64_t v)
{
	unsigned int k = v ? 64 - (unsigned int)__builtin_clzll(v) : 0;

	return k < PROF_BUCKETS ? k : PROF_BUCKETS - 1;
}

void prof_hist_add(struct prof_hist *h, uint64_t v)
{
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	h->bucket[bucket_of(v)]++;
}

uint64_t prof_hist_quantile(const struct prof_hist *h, unsigned int q)
{
	uint64_t want, seen = 0;

	if (!h->n)
		return 0;
	if (q > 1000)
		q = 1000;
	want = (h->n * q + 999) / 1000;	/* the rank, rounded up */
	if (want == 0)
		want = 1;
	for (unsigned int k = 0; k < PROF_BUCKETS; k++) {
		seen += h->bucket[k];
		if (seen >= want) {
			uint64_t top = k == 0 ? 0 : (1ull << k) - 1;

			return k == PROF_BUCKETS - 1 || top > h->max ? h->max
								      : top;
		}
	}
	return h->max;
}

void prof_reset(struct prof *p)
{
	memset(p, 0, sizeof(*p));
}

static unsigned int topic_slot(unsigned int t)
{
	return (t * 2654435761u) % PROF_TOPICS;
}

const struct prof_pair *prof_topic(const struct prof *p, unsigned int t)
{
	for (unsigned int i = topic_slot(t), k = 0; k < PROF_TOPICS;
	     i = (i + 1) % PROF_TOPICS, k++) {
		if (p->topics[i].id1 == t + 1)
			return &p->topics[i].t;
		if (!p->topics[i].id1)
			return NULL;
	}
	return NULL;
}

/* Topic t's pair, made on first use; NULL when the table is full. */
static struct prof_pair *topic_pair(struct prof *p, unsigned int t)
{
	for (unsigned int i = topic_slot(t), k = 0; k < PROF_TOPICS;
	     i = (i + 1) % PROF_TOPICS, k++) {
		if (p->topics[i].id1 == t + 1)
			return &p->topics[i].t;
		if (!p->topics[i].id1) {
			p->topics[i].id1 = t + 1;
			return &p->topics[i].t;
		}
	}
	return NULL;
}

void prof_feed(struct prof *p, const struct trace_rec *r)
{
	struct prof_pair *tp;

	unsigned int s = r->dst < BUS_SVC_MAX ? r->dst : BUS_SVC_MAX;

	if (!p->on)
		return;
	p->dispatches++;
	prof_hist_add(&p->svc[s].wait, r->wait);
	prof_hist_add(&p->svc[s].run, r->run);
	if (r->topic >= BUS_TOPIC_MAX)
		return;
	tp = topic_pair(p, r->topic);
	if (!tp) {
		p->topics_lost++;
		return;
	}
	prof_hist_add(&tp->wait, r->wait);
	prof_hist_add(&tp->run, r->run);
}

void prof_sample(struct prof *p, uint64_t pc)
{
	unsigned int h, i;

	if (!p->on || !pc)
		return;
	p->samples++;
	h = (unsigned int)((pc >> 2) * 0x9e3779b97f4a7c15ull >> 54) %
	    PROF_PCS;
	for (i = 0; i < PROF_PCS; i++) {
		struct prof_pc *e = &p->pcs[(h + i) % PROF_PCS];

		if (e->pc == pc || e->pc == 0) {
			e->pc = pc;
			e->count++;
			return;
		}
	}
	p->samples_lost++;
}

void prof_alloc(struct prof *p, uint64_t site, uint64_t size)
{
	unsigned int h;

	if (!p->on || !site)
		return;
	p->allocs++;
	h = (unsigned int)((site >> 1) * 0x9e3779b97f4a7c15ull >> 56) %
	    PROF_SITES;
	for (unsigned int i = 0; i < PROF_SITES; i++) {
		struct prof_site *e = &p->sites[(h + i) % PROF_SITES];

		if (e->site == site || e->site == 0) {
			e->site = site;
			e->count++;
			e->bytes += size;
			return;
		}
	}
	p->allocs_lost++;
}

unsigned int prof_hot(const struct prof *p, struct prof_pc *out,
		      unsigned int n)
{
	unsigned int got = 0;

	/* insertion into a short sorted list: n is small (a report) */
	for (unsigned int i = 0; i < PROF_PCS; i++) {
		const struct prof_pc *e = &p->pcs[i];
		unsigned int j;

		if (!e->pc)
			continue;
		if (got == n && (n == 0 || out[n - 1].count >= e->count))
			continue;
		j = got < n ? got++ : n - 1;
		for (; j > 0 && (out[j - 1].count < e->count ||
				 (out[j - 1].count == e->count &&
				  out[j - 1].pc > e->pc)); j--)
			out[j] = out[j - 1];
		out[j] = *e;
	}
	return got;
}

unsigned int prof_bottlenecks(const struct prof *p, unsigned int min_runs,
			      uint16_t *out, unsigned int n)
{
	uint64_t ratio[64];	/* of out[]: wait / run, in hundredths */
	unsigned int got = 0;

	if (n > 64)
		n = 64;
	for (unsigned int s = 0; s < BUS_SVC_MAX; s++) {
		const struct prof_pair *q = &p->svc[s];
		uint64_t w = prof_hist_quantile(&q->wait, 500);
		uint64_t r = prof_hist_quantile(&q->run, 500);
		uint64_t rs;
		unsigned int j;

		if (q->run.n < min_runs || w <= r)
			continue;
		rs = w * 100 / (r ? r : 1);
		if (got == n && (n == 0 || ratio[n - 1] >= rs))
			continue;
		j = got < n ? got++ : n - 1;
		for (; j > 0 && ratio[j - 1] < rs; j--) {
			out[j] = out[j - 1];
			ratio[j] = ratio[j - 1];
		}
		out[j] = (uint16_t)s;
		ratio[j] = rs;
	}
	return got;
}

/* ---- the dump ---------------------------------------------------------- */

static unsigned int count_svcs(const struct prof *p)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s <= BUS_SVC_MAX; s++)
		n += p->svc[s].run.n != 0;
	return n;
}

static unsigned int count_topics(const struct prof *p, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PROF_TOPICS; i++)
		n += p->topics[i].id1 && p->topics[i].id1 <= max &&
		     p->topics[i].t.run.n != 0;
	return n;
}

static unsigned int count_pcs(const struct prof *p)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PROF_PCS; i++)
		n += p->pcs[i].pc != 0;
	return n;
}

static unsigned int count_sites(const struct prof *p)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PROF_SITES; i++)
		n += p->sites[i].site != 0;
	return n;
}

size_t prof_dump_size(const struct prof *p, const struct prof_names *nm,
		      const struct prof_dump_meta *m)
{
	return sizeof(struct prof_dump_hdr) +
	       (count_svcs(p) + count_topics(p, nm->ntopics)) *
	       sizeof(struct prof_dump_pair) +
	       count_pcs(p) * sizeof(struct prof_pc) +
	       count_sites(p) * sizeof(struct prof_site) +
	       m->ncache * sizeof(struct prof_dump_cache) +
	       m->ncall * sizeof(struct prof_call) + m->trace_bytes;
}

static void name_into(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, BUS_NAME_MAX - 1) : 0;

	memset(dst, 0, BUS_NAME_MAX);
	if (n)
		memcpy(dst, src, n);
}

long prof_dump(const struct prof *p, const struct prof_names *nm,
	       const struct prof_dump_meta *m, void *buf, size_t size)
{
	struct prof_dump_hdr h;
	struct prof_dump_pair d;
	uint8_t *o = buf;
	size_t need = prof_dump_size(p, nm, m);

	if (size < need)
		return -AE_ENOSPC;
	memset(&h, 0, sizeof(h));
	h.magic = PROF_DUMP_MAGIC;
	h.version = PROF_DUMP_VERSION;
	h.arch = m->arch;
	h.clock_hz = m->clock_hz;
	h.elapsed = m->elapsed;
	h.dispatches = p->dispatches;
	h.samples = p->samples;
	h.samples_lost = p->samples_lost;
	h.nsvc = count_svcs(p);
	h.ntopic = count_topics(p, nm->ntopics);
	h.npc = count_pcs(p);
	h.trace_bytes = (uint32_t)m->trace_bytes;
	h.nsite = count_sites(p);
	h.ncache = m->ncache;
	h.ncall = m->ncall;
	h.allocs = p->allocs;
	h.allocs_lost = p->allocs_lost;
	memcpy(o, &h, sizeof(h));
	o += sizeof(h);
	for (unsigned int s = 0; s <= BUS_SVC_MAX; s++) {
		if (!p->svc[s].run.n)
			continue;
		memset(&d, 0, sizeof(d));
		name_into(d.name, s == BUS_SVC_MAX ? "kernel" : nm->svc(s));
		d.id = (uint16_t)s;
		d.t = p->svc[s];
		memcpy(o, &d, sizeof(d));
		o += sizeof(d);
	}
	for (unsigned int t = 0; t < nm->ntopics && t < BUS_TOPIC_MAX; t++) {
		const struct prof_pair *tp = prof_topic(p, t);

		if (!tp || !tp->run.n)
			continue;
		memset(&d, 0, sizeof(d));
		name_into(d.name, nm->topic(t));
		d.id = (uint16_t)t;
		d.drops = nm->drops ? nm->drops(t) : 0;
		d.t = *tp;
		memcpy(o, &d, sizeof(d));
		o += sizeof(d);
	}
	/* most sampled first (o is 8-byte aligned: the header and the
	 * pairs are multiples of 8) */
	o += prof_hot(p, (struct prof_pc *)(void *)o, h.npc) *
	     sizeof(struct prof_pc);
	for (unsigned int i = 0; i < PROF_SITES; i++)
		if (p->sites[i].site) {
			memcpy(o, &p->sites[i], sizeof(p->sites[i]));
			o += sizeof(p->sites[i]);
		}
	if (m->ncache)
		memcpy(o, m->caches, m->ncache * sizeof(*m->caches));
	o += m->ncache * sizeof(*m->caches);
	if (m->ncall)
		memcpy(o, m->calls, m->ncall * sizeof(*m->calls));
	o += m->ncall * sizeof(*m->calls);
	return (long)(o - (uint8_t *)buf);
}

int prof_dump_parse(const void *buf, size_t len, struct prof_dump_view *v,
		    const char **why)
{
	const uint8_t *b = buf;
	uint64_t need;

	if (len < sizeof(v->hdr)) {
		*why = "shorter than the header";
		return -AE_EBADMSG;
	}
	memcpy(&v->hdr, b, sizeof(v->hdr));
	if (v->hdr.magic != PROF_DUMP_MAGIC) {
		*why = "bad magic";
		return -AE_EBADMSG;
	}
	if (v->hdr.version != PROF_DUMP_VERSION) {
		*why = "unknown version";
		return -AE_EBADMSG;
	}
	need = sizeof(v->hdr) + ((uint64_t)v->hdr.nsvc + v->hdr.ntopic) *
	       sizeof(struct prof_dump_pair) +
	       (uint64_t)v->hdr.npc * sizeof(struct prof_pc) +
	       (uint64_t)v->hdr.nsite * sizeof(struct prof_site) +
	       (uint64_t)v->hdr.ncache * sizeof(struct prof_dump_cache) +
	       (uint64_t)v->hdr.ncall * sizeof(struct prof_call) +
	       v->hdr.trace_bytes;
	if (v->hdr.nsvc > BUS_SVC_MAX + 1 || v->hdr.ntopic > BUS_TOPIC_MAX ||
	    v->hdr.npc > PROF_PCS || v->hdr.nsite > PROF_SITES ||
	    v->hdr.ncache > 64 || v->hdr.ncall > (1u << 24) || need != len) {
		*why = "counts do not match the length";
		return -AE_EBADMSG;
	}
	v->svc = (const struct prof_dump_pair *)(b + sizeof(v->hdr));
	v->topic = v->svc + v->hdr.nsvc;
	v->pcs = (const uint8_t *)(v->topic + v->hdr.ntopic);
	v->sites = v->pcs + (size_t)v->hdr.npc * sizeof(struct prof_pc);
	v->caches = v->sites + (size_t)v->hdr.nsite * sizeof(struct prof_site);
	v->calls = v->caches +
		   (size_t)v->hdr.ncache * sizeof(struct prof_dump_cache);
	v->trace = v->calls + (size_t)v->hdr.ncall * sizeof(struct prof_call);
	return 0;
}
