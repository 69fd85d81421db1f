/*
 * prof.c - the profiler's bookkeeping (aegis/profiler.h): log2
 * histograms, per-service and per-topic wait and run times from trace
 * records, and sampled program counters in a small hash table. Pure:
 * the host tests drive it with made-up records.
 */
#include <string.h>
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

void prof_feed(struct prof *p, const struct trace_rec *r)
{
	unsigned int s = r->dst < BUS_SVC_MAX ? r->dst : BUS_SVC_MAX;

	if (!p->on)
		return;
	p->dispatches++;
	prof_hist_add(&p->svc[s].wait, r->wait);
	prof_hist_add(&p->svc[s].run, r->run);
	if (r->topic < BUS_TOPIC_MAX) {
		prof_hist_add(&p->topic[r->topic].wait, r->wait);
		prof_hist_add(&p->topic[r->topic].run, r->run);
	}
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
	uint64_t ratio[BUS_SVC_MAX];	/* wait / run, in hundredths */
	unsigned int got = 0;

	for (unsigned int s = 0; s < BUS_SVC_MAX; s++) {
		const struct prof_pair *q = &p->svc[s];
		uint64_t w = prof_hist_quantile(&q->wait, 500);
		uint64_t r = prof_hist_quantile(&q->run, 500);
		unsigned int j;

		if (q->run.n < min_runs || w <= r)
			continue;
		ratio[s] = w * 100 / (r ? r : 1);
		if (got == n && (n == 0 || ratio[out[n - 1]] >= ratio[s]))
			continue;
		j = got < n ? got++ : n - 1;
		for (; j > 0 && ratio[out[j - 1]] < ratio[s]; j--)
			out[j] = out[j - 1];
		out[j] = (uint16_t)s;
	}
	return got;
}
