/*
 * causal.c - tools/analyzer: the bus trace's causal trees. Each record
 * is one message handled (aegis/trace.h) with its id, its parent's id
 * and its trace id; the records of one trace id form a tree. For a tree:
 * its span (from the root's post to the last handler's end) and its
 * critical path, the chain from the root to the message that ended last,
 * cut into hops whose times add up to the span:
 *
 *   hop i = wait_i (queued) + exec_i
 *   exec_i = the time from n_i's start to the post of n_{i+1} (the part
 *            of its handler, or of the time after it, that came before
 *            the next message was posted), or its run for the last hop
 *
 * so the hop with the largest share is the one that cost the time.
 */
#include <stdlib.h>
#include <string.h>
#include <aegis/contract.h>
#include "an.h"

struct load_ctx {
	struct an_causal *c;
	bool oom;
};

static void take(const struct trace_rec *r, const char *topic,
		 const char *src, const char *dst, void *ctx)
{
	struct load_ctx *l = ctx;
	struct an_causal *c = l->c;
	struct an_node *n;

	if (l->oom)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct an_node *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	n = &c->v[c->n++];
	memset(n, 0, sizeof(*n));
	n->r = *r;
	/* a name gone by the time of the dump (a process that ended, its
	 * topic freed) is said by its id */
	if (topic && *topic && strcmp(topic, "?"))
		snprintf(n->topic, sizeof(n->topic), "%s", topic);
	else
		snprintf(n->topic, sizeof(n->topic), "topic#%u", r->topic);
	if (src && *src && strcmp(src, "?"))
		snprintf(n->src, sizeof(n->src), "%s", src);
	else
		snprintf(n->src, sizeof(n->src), "svc#%u", r->src);
	if (r->dst == BUS_NIL_SVC)	/* a publish: to every subscriber */
		snprintf(n->dst, sizeof(n->dst), "*");
	else if (dst && *dst && strcmp(dst, "?"))
		snprintf(n->dst, sizeof(n->dst), "%s", dst);
	else
		snprintf(n->dst, sizeof(n->dst), "svc#%u", r->dst);
	n->parent = -1;
	n->child = -1;
	n->sibling = -1;
}

/* The post time of a message: its start less its wait. */
static uint64_t posted(const struct an_node *n)
{
	return n->r.ts >= n->r.wait ? n->r.ts - n->r.wait : 0;
}

static uint64_t ended(const struct an_node *n)
{
	return n->r.ts + n->r.run;
}

struct by_id {
	uint32_t id;
	long i;
};

static int cmp_id(const void *a, const void *b)
{
	const struct by_id *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static long find(const struct by_id *ix, size_t n, uint32_t id)
{
	struct by_id key = { id, 0 };
	const struct by_id *hit = bsearch(&key, ix, n, sizeof(*ix), cmp_id);

	return hit ? hit->i : -1;
}

int an_causal_build(struct an_causal *c, const uint8_t *trace, size_t len,
		    const char **why)
{
	struct load_ctx l = { c, false };
	struct by_id *ix;
	size_t k = 0;
	long got;

	memset(c, 0, sizeof(*c));
	got = trace_dump_parse(trace, len, take, &l, why);
	if (got < 0)
		return -1;
	if (l.oom) {
		*why = "out of memory";
		return -1;
	}
	ix = malloc((c->n ? c->n : 1) * sizeof(*ix));
	if (!ix) {
		*why = "out of memory";
		return -1;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].r.id)	/* a record from before lineage: none */
			ix[k++] = (struct by_id){ c->v[i].r.id, (long)i };
	qsort(ix, k, sizeof(*ix), cmp_id);
	/* Children in record order, the oldest first. The bus gives ids in
	 * increasing order and a parent exists before its child, so a link
	 * is kept only from a smaller id to a larger: whatever a damaged or
	 * made-up dump says, the links form no cycle (a child of a message
	 * from before the ids wrapped at 2^32 starts a tree of its own). */
	for (size_t i = c->n; i-- > 0;) {
		struct an_node *n = &c->v[i];
		long p = n->r.parent && n->r.parent < n->r.id ?
			 find(ix, k, n->r.parent) : -1;

		c->v[i].last_end = ended(n);
		if (p < 0) {
			n->orphan = n->r.parent != 0;	/* it left the ring */
			continue;
		}
		n->parent = p;
		n->sibling = c->v[p].child;
		c->v[p].child = (long)i;
	}
	/* the latest end in each node's subtree: children before their
	 * parents, which the ids' order gives (records are not in tree
	 * order: an inline call's is made before its caller's) */
	for (size_t j = k; j-- > 0;) {
		const struct an_node *n = &c->v[ix[j].i];

		if (n->parent >= 0 && c->v[n->parent].last_end < n->last_end)
			c->v[n->parent].last_end = n->last_end;
	}
	free(ix);
	return 0;
}

void an_causal_free(struct an_causal *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

long an_causal_find(const struct an_causal *c, uint32_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].r.id == id)
			return (long)i;
	return -1;
}

long an_causal_root(const struct an_causal *c, long i)
{
	for (size_t d = 0; i >= 0 && c->v[i].parent >= 0 && d < c->n; d++)
		i = c->v[i].parent;
	return i;
}

/* The node after i in root's tree, depth first (children before
 * siblings), with *d its depth below root; -1 after the last. No
 * recursion: a chain may be as deep as the trace is long. */
static long walk_next(const struct an_causal *c, long root, long i,
		      unsigned int *d)
{
	if (c->v[i].child >= 0) {
		(*d)++;
		return c->v[i].child;
	}
	for (; i != root; i = c->v[i].parent, (*d)--)
		if (c->v[i].sibling >= 0)
			return c->v[i].sibling;
	return -1;
}

size_t an_causal_path(const struct an_causal *c, long root, struct an_hop *out,
		      size_t max, uint64_t *span)
{
	size_t n = 0;
	long i = root;

	*span = c->v[root].last_end - posted(&c->v[root]);
	while (i >= 0 && n < max) {
		const struct an_node *v = &c->v[i];
		long next = -1;

		/* the child whose subtree ended last (the first such),
		 * unless this handler itself ended later */
		for (long k = v->child; k >= 0; k = c->v[k].sibling)
			if (next < 0 || c->v[k].last_end > c->v[next].last_end)
				next = k;
		if (next >= 0 && c->v[next].last_end <= ended(v))
			next = -1;
		out[n].node = i;
		out[n].wait = v->r.wait;
		if (next >= 0) {
			uint64_t p = posted(&c->v[next]);

			out[n].exec = p > v->r.ts ? p - v->r.ts : 0;
		} else {
			out[n].exec = v->r.run;
		}
		n++;
		i = next;
	}
	return n;
}

void an_causal_top(const struct an_causal *c, long *roots, size_t *n,
		   size_t max)
{
	*n = 0;
	for (size_t i = 0; i < c->n; i++) {
		uint64_t span;
		size_t k;

		if (c->v[i].parent >= 0 || c->v[i].child < 0)
			continue;	/* not a root, or a tree of one */
		span = c->v[i].last_end - posted(&c->v[i]);
		/* insert, longest first */
		for (k = *n; k > 0; k--) {
			const struct an_node *o = &c->v[roots[k - 1]];

			if (o->last_end - posted(o) >= span)
				break;
			if (k < max)
				roots[k] = roots[k - 1];
		}
		if (k < max) {
			roots[k] = (long)i;
			if (*n < max)
				(*n)++;
		}
	}
}

static double us(uint64_t ticks, uint64_t hz)
{
	return (double)ticks * 1e6 / (double)(hz ? hz : 1);
}

static const char *kind(const struct an_node *n)
{
	if (n->r.inline_call & TRACE_UNHEARD)
		return "unheard";
	if (n->r.inline_call & TRACE_REFUSED)
		return "refused";
	return n->r.kind == BUS_EVENT ? "event" :
	       n->r.kind == BUS_REQUEST ? "request" : "reply";
}

/* One line of a tree: deep chains (a ping-pong of processes) are
 * indented no further than 24 levels, and the level is said past that. */
static void tree_line(FILE *f, const struct an_node *n, unsigned int d,
		      uint64_t hz)
{
	if (d > 24)
		fprintf(f, "  %*s[%u] ", 48, "", d);
	else
		fprintf(f, "  %*s", (int)d * 2, "");
	fprintf(f, "%u %s %s %s->%s wait %.3f run %.3f us%s\n", n->r.id,
		kind(n), n->topic, n->src, n->dst, us(n->r.wait, hz),
		us(n->r.run, hz), n->r.inline_call == 1 ? " inline" : "");
}

int an_causal_print(FILE *f, const struct an_causal *c, long root,
		    uint64_t hz, size_t max_lines)
{
	struct an_hop *hops = malloc(c->n * sizeof(*hops));
	size_t nh, msgs = 0, worst = 0;
	uint64_t span;
	const struct an_node *r = &c->v[root];
	unsigned int d = 0;

	if (!hops)
		return -1;
	for (long i = root; i >= 0; i = walk_next(c, root, i, &d))
		msgs++;
	nh = an_causal_path(c, root, hops, c->n, &span);
	fprintf(f, "causal tree %u: %zu message%s, %.3f us from the first "
		"post to the last end%s\n", r->r.trace ? r->r.trace : r->r.id,
		msgs, msgs == 1 ? "" : "s", us(span, hz),
		r->orphan ? " (its root's parent is no longer in the trace)"
			  : "");
	d = 0;
	for (long i = root, k = 0; i >= 0 && (size_t)k < max_lines;
	     i = walk_next(c, root, i, &d), k++)
		tree_line(f, &c->v[i], d, hz);
	if (msgs > max_lines)
		fprintf(f, "  ... (%zu more)\n", msgs - max_lines);
	for (size_t k = 1; k < nh; k++)
		if (hops[k].wait + hops[k].exec >
		    hops[worst].wait + hops[worst].exec)
			worst = k;
	fprintf(f, "critical path: %zu hop%s\n", nh, nh == 1 ? "" : "s");
	for (size_t k = 0; k < nh; k++) {
		const struct an_node *n = &c->v[hops[k].node];
		uint64_t t = hops[k].wait + hops[k].exec;

		if (k >= max_lines && k != worst && k + 1 != nh) {
			if (k == max_lines)
				fprintf(f, "  ...\n");
			continue;	/* the most and the last are always said */
		}
		fprintf(f, "  %zu. %u %s %s->%s: wait %.3f + %s %.3f = %.3f us "
			"(%.0f%%)%s\n", k + 1, n->r.id, n->topic, n->src,
			n->dst, us(hops[k].wait, hz),
			k + 1 < nh ? "until the next post" : "run",
			us(hops[k].exec, hz), us(t, hz),
			span ? 100.0 * (double)t / (double)span : 100.0,
			k == worst && nh > 1 ? "  <- the most" : "");
	}
	free(hops);
	return 0;
}
