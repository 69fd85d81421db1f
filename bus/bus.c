/*
 * bus.c - services, subscriptions, delivery and the dispatcher.
 *
 * Locking: one dispatcher. Everything here runs in handler or thread
 * context on the dispatching CPU; only irq.c is entered from interrupts.
 *
 * The call chain is the stack of services whose handlers are running
 * (a queued dispatch at the bottom, inline calls above it). A service
 * appears in it at most once: a call to a service already in it would
 * have to wait for itself, so it is refused with -EDEADLK before it runs.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/trace.h>
#include "bus_internal.h"

/* A service's subscription, a block from bus_alloc. Queued messages
 * that came through it point at it: one unsubscribed while some wait
 * lives on (dead, on the dead list) until the last is taken. */
struct sub {
	struct sub *next;	/* its service's list, or the dead list */
	bus_svc_t svc;
	uint8_t mode;		/* enum bus_delivery */
	bool dead;
	uint32_t ring;
	uint32_t queued, gap;
	uint64_t published, delivered, dropped;
	char pattern[BUS_NAME_MAX];
};

/* A topic's subscriptions, one per service, sorted by service id: two
 * inside, more in a block from bus_alloc that doubles. */
#define SUB_LIST_INLINE 2
struct sub_list {
	struct sub **ext;
	uint16_t n, cap;
	struct sub *inl[SUB_LIST_INLINE];
};

struct svc {
	char name[BUS_NAME_MAX];
	bus_handler_fn fn;
	void *state;
	uint32_t qlimit;
	uint8_t prio;
	enum bus_svc_state st;
	uint32_t gen;
	uint32_t flags;		/* BUS_SVC_F_* */
	struct bus_svc_stats stats;
	uint64_t moved;		/* its queue was last taken from (or began,
				 * from empty): the watchdog's measure */
	struct sub *subs;	/* its patterns */
	uint16_t nsubs;
	uint8_t in_chain_of;	/* 1 + the CPU whose call chain holds it
				 * now; 0: none */
	uint8_t cpu;		/* the CPU its queue is dispatched on */
	bool pinned;		/* placed by bus_svc_place: bus_svc_move
				 * leaves it alone until bus_svc_unpin */
	struct bus_lineage cause;	/* what its posts in its name descend
					 * from (bus_svc_set_cause) */
} __attribute__((aligned(64)));	/* services on two CPUs share no line */

static struct svc svcs[BUS_SVC_MAX];
static unsigned int svc_hi;	/* ids 0..svc_hi-1 have been used */
/* Service names, open-addressed: id + 1, 0 empty; removal by backward
 * shift (topic.c does the same for topics). */
#define SVC_HASH (BUS_SVC_MAX * 2)
static uint16_t svc_hash[SVC_HASH];
static unsigned int svc_free_hint;	/* no free id below it */
static struct sub_list topic_subs[BUS_TOPIC_MAX];	/* who subscribed */
static struct sub *dead_subs;
/* A topic's counts: what each CPU's cache (below) does not hold, and
 * its sequence number (taken with an atomic add: one order for every
 * CPU's publishes). */
static struct bus_topic_stats tstats[BUS_TOPIC_MAX];
static bus_clock_fn clock_fn;
static bus_topic_t topic_svc_failed;

/* What each CPU is doing in the bus: its call chain (the services whose
 * handlers it runs, a queued dispatch at the bottom, inline calls above
 * it), the message being dispatched, and the state of the post it is
 * making. A CPU touches only its own (here()). */
struct bus_cpu {
	struct {
		bus_svc_t svc;
		uint8_t prio;
		struct bus_lineage lin;	/* the message its handler runs for */
	} chain[BUS_CHAIN_MAX];
	unsigned int depth;
	/* The parent of what is posted now, when it is not the running
	 * handler's message: a reply the bus posts for a request, the fault
	 * report of a handler. */
	const struct bus_lineage *cause_forced;
	/* The queued message being handled (chain[0]'s), and since when. */
	const struct bus_msg *running;
	uint64_t running_since;
	/* The clock read once per post: a publish to n subscribers stamps
	 * all n copies with one reading. */
	uint64_t post_ts;
	bool batch_post;	/* inside bus_publish: post_ts is set */
	bus_svc_t waits_for;	/* BUS_NIL, or a service another CPU runs */
	/* message ids and correlation ids: blocks of ID_BLOCK taken from
	 * the bus's counters, handed out here one by one */
	uint32_t lin_next, lin_end, corr_next, corr_end;
	unsigned int cpu;	/* its index: bcpus[cpu] */
} __attribute__((aligned(64)));
static struct bus_cpu bcpus[BUS_CPUS];

static inline struct bus_cpu *here(void)
{
	return &bcpus[bus_cpu()];
}

#define ID_BLOCK	64
static uint32_t lin_block, corr_block;	/* the next block's first id */

/* The next id of a block-wise counter; 0 is never given (it means
 * none). One CPU alone takes consecutive blocks: 1, 2, 3, ... */
static BUS_HOT uint32_t next_id(uint32_t *next, uint32_t *end, uint32_t *pool,
			uint32_t mask)
{
	for (;;) {
		uint32_t id;

		if (*next == *end) {
			*next = __atomic_fetch_add(pool, ID_BLOCK,
						   __ATOMIC_RELAXED);
			*end = *next + ID_BLOCK;
		}
		id = (*next)++ & mask;
		if (id)
			return id;
	}
}

/* Each CPU's counts for the topics it touched last, direct-mapped: the
 * message path counts here, under its own lock alone; a slot taken by
 * another topic folds its counts into tstats with atomic adds. A reader
 * of a topic's counts holds the bus whole and adds every CPU's slot. */
#define TC_WAYS	32
struct tcount {
	uint64_t published, copies, delivered, drops, queued;
};
static struct tcache {
	int32_t topic[TC_WAYS];		/* -1: empty */
	struct tcount c[TC_WAYS];
} __attribute__((aligned(64))) tcache[BUS_CPUS];

static void tc_fold(struct tcache *tc, unsigned int w)
{
	struct bus_topic_stats *g;
	struct tcount *c = &tc->c[w];

	if (tc->topic[w] < 0)
		return;
	g = &tstats[tc->topic[w]];
	__atomic_fetch_add(&g->published, c->published, __ATOMIC_RELAXED);
	__atomic_fetch_add(&g->copies, c->copies, __ATOMIC_RELAXED);
	__atomic_fetch_add(&g->delivered, c->delivered, __ATOMIC_RELAXED);
	__atomic_fetch_add(&g->drops, c->drops, __ATOMIC_RELAXED);
	__atomic_fetch_add(&g->queued, c->queued, __ATOMIC_RELAXED);
	memset(c, 0, sizeof(*c));
	tc->topic[w] = -1;
}

static BUS_HOT struct tcount *tst_on(unsigned int cpu, bus_topic_t t)
{
	struct tcache *tc = &tcache[cpu];
	unsigned int w = t & (TC_WAYS - 1);

	if (tc->topic[w] != (int32_t)t) {
		tc_fold(tc, w);
		tc->topic[w] = (int32_t)t;
	}
	return &tc->c[w];
}

static BUS_HOT struct tcount *tst(bus_topic_t t)
{
	return tst_on(bus_cpu(), t);
}

/* The counts below are atomic only once more than one CPU may enter
 * the bus (bus_smp): on one CPU a locked instruction costs as much as
 * the rest of a small step. */
static BUS_HOT uint32_t next_seq(bus_topic_t t)
{
	if (!bus_smp())
		return (uint32_t)++tstats[t].seq;
	return (uint32_t)__atomic_add_fetch(&tstats[t].seq, 1,
					    __ATOMIC_RELAXED);
}

/* A count other CPUs add to as well (a service's drops, a subscription's
 * losses: a sender on another CPU counts the copy it could not queue). */
static void cnt_add(uint64_t *c, uint64_t n)
{
	if (!bus_smp())
		*c += n;
	else
		__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* A service's pending count: a sender anywhere takes one (within
 * qlimit when limit), its CPU gives it back when the message leaves. */
static BUS_HOT bool pending_take(struct svc *v, bool limit)
{
	uint32_t p = __atomic_load_n(&v->stats.pending, __ATOMIC_RELAXED);

	if (!bus_smp()) {
		if (limit && p >= v->qlimit)
			return false;
		v->stats.pending = p + 1;
		return true;
	}
	do
		if (limit && p >= v->qlimit)
			return false;
	while (!__atomic_compare_exchange_n(&v->stats.pending, &p, p + 1,
					    true, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED));
	return true;
}

static BUS_HOT void pending_give(struct svc *v)
{
	if (!bus_smp())
		v->stats.pending--;
	else
		__atomic_fetch_sub(&v->stats.pending, 1, __ATOMIC_RELAXED);
}

static uint32_t pending_of(const struct svc *v)
{
	return __atomic_load_n(&v->stats.pending, __ATOMIC_RELAXED);
}

/* Threads blocked in bus_call_wait, found by correlation id. */
static struct waiter {
	uint32_t corr;		/* 0: free */
	bus_svc_t src;		/* who the request came from */
	bus_svc_t dst;		/* ... and went to, on topic */
	bus_topic_t topic;
	uint64_t since;		/* bus clock when it began waiting */
	bool done;
	struct bus_msg reply;
	const struct bus_waiter_ops *ops;
	void *ctx;
} waiters[BUS_WAITERS_MAX];
static unsigned int waiting_as;	/* waiters whose src is not the kernel */
static bus_guard_fn guard;	/* runs handlers, if set (bus_set_guard) */
static void (*kick_fn)(unsigned int cpu);
static uint64_t dispatching = 1;	/* CPUs running a dispatcher: bit 0 */

static void waiter_free(struct waiter *w)
{
	if (w->src != BUS_SVC_KERNEL)
		waiting_as--;
	w->corr = 0;
}

static BUS_HOT uint64_t now(void)
{
	return clock_fn ? clock_fn() : 0;
}

uint64_t bus_now(void)
{
	return now();
}

void bus_set_guard(bus_guard_fn g)
{
	guard = g;
}

static struct sub **sl_subs(struct sub_list *l)
{
	return l->ext ? l->ext : l->inl;
}

/* The position of service s in l, or where it would go. */
static unsigned int sl_where(struct sub_list *l, bus_svc_t s)
{
	struct sub **v = sl_subs(l);
	unsigned int lo = 0, hi = l->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (v[mid]->svc < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct sub *sl_get(struct sub_list *l, bus_svc_t s)
{
	unsigned int i = sl_where(l, s);

	return i < l->n && sl_subs(l)[i]->svc == s ? sl_subs(l)[i] : NULL;
}

/* Put sub in l for its service (replacing what was there): 0, -ENOMEM. */
static int sl_set(struct sub_list *l, struct sub *sub)
{
	struct sub **v = sl_subs(l);
	unsigned int i = sl_where(l, sub->svc);
	unsigned int cap = l->ext ? l->cap : SUB_LIST_INLINE;

	if (i < l->n && v[i]->svc == sub->svc) {
		v[i] = sub;
		return 0;
	}
	if (l->n == cap) {
		unsigned int ncap = cap < 8 ? 8 : cap * 2;
		struct sub **grown = bus_alloc(ncap * sizeof(*grown));

		if (!grown)
			return -AE_ENOMEM;
		memcpy(grown, v, l->n * sizeof(*grown));
		if (l->ext)
			bus_free(l->ext, l->cap * sizeof(*grown));
		l->ext = grown;
		l->cap = (uint16_t)ncap;
		v = grown;
	}
	memmove(&v[i + 1], &v[i], (l->n - i) * sizeof(*v));
	v[i] = sub;
	l->n++;
	return 0;
}

static void sl_del(struct sub_list *l, bus_svc_t s)
{
	struct sub **v = sl_subs(l);
	unsigned int i = sl_where(l, s);

	if (i >= l->n || v[i]->svc != s)
		return;
	memmove(&v[i], &v[i + 1], (l->n - i - 1) * sizeof(*v));
	l->n--;
	if (l->ext && l->n <= SUB_LIST_INLINE) {
		struct sub **ext = l->ext;

		memcpy(l->inl, ext, l->n * sizeof(*ext));
		bus_free(ext, l->cap * sizeof(*ext));
		l->ext = NULL;
		l->cap = 0;
	}
}

static void sl_clear(struct sub_list *l)
{
	if (l->ext)
		bus_free(l->ext, l->cap * sizeof(*l->ext));
	memset(l, 0, sizeof(*l));
}

int bus_topic_subscriber(bus_topic_t t, unsigned int k)
{
	BUS_GUARD_READ();
	if (!topic_live(t) || k >= topic_subs[t].n)
		return -AE_ENOENT;
	return sl_subs(&topic_subs[t])[k]->svc;
}

static void subs_free(struct svc *v)
{
	while (v->subs) {
		struct sub *n = v->subs->next;

		bus_free(v->subs, sizeof(*v->subs));
		v->subs = n;
	}
	v->nsubs = 0;
}

void bus_init(bus_clock_fn clock)
{
	/* what an earlier bus grew goes back first */
	for (unsigned int i = 0; i < svc_hi; i++)
		subs_free(&svcs[i]);
	while (dead_subs) {
		struct sub *n = dead_subs->next;

		bus_free(dead_subs, sizeof(*dead_subs));
		dead_subs = n;
	}
	for (unsigned int t = 0; t < BUS_TOPIC_MAX; t++)
		sl_clear(&topic_subs[t]);
	memset(svcs, 0, sizeof(svcs));
	memset(svc_hash, 0, sizeof(svc_hash));
	svc_hi = 0;
	svc_free_hint = 0;
	memset(tstats, 0, sizeof(tstats));
	memset(tcache, 0, sizeof(tcache));
	for (unsigned int c = 0; c < BUS_CPUS; c++)
		for (unsigned int w = 0; w < TC_WAYS; w++)
			tcache[c].topic[w] = -1;
	clock_fn = clock;
	corr_block = 0;
	lin_block = 0;
	memset(bcpus, 0, sizeof(bcpus));
	for (unsigned int c = 0; c < BUS_CPUS; c++)
		bcpus[c].cpu = c;
	dispatching = 1;	/* the boot CPU's, until others say so */
	for (unsigned int c = 0; c < BUS_CPUS; c++)
		bcpus[c].waits_for = BUS_NIL;
	memset(waiters, 0, sizeof(waiters));
	waiting_as = 0;
	trace_reset();
	route_reset();
	grant_reset();
	topic_reset();
	q_reset();
	irq_reset();
	contract_reset();
	topic_svc_failed = (bus_topic_t)bus_topic("bus.svc.failed");
	irq_topics_init();
}

/* ---- services ------------------------------------------------------- */

static struct svc *svc_get(bus_svc_t s)
{
	if (s >= BUS_SVC_MAX || svcs[s].st == BUS_SVC_FREE)
		return NULL;
	return &svcs[s];
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h & (SVC_HASH - 1);
}

int bus_svc_find(const char *name)
{
	BUS_GUARD_READ();
	if (!name)
		return -AE_ENOENT;
	for (uint32_t i = name_hash(name);; i = (i + 1) & (SVC_HASH - 1)) {
		if (!svc_hash[i])
			return -AE_ENOENT;
		if (strcmp(svcs[svc_hash[i] - 1].name, name) == 0)
			return svc_hash[i] - 1;
	}
}

static void svc_hash_add(bus_svc_t s)
{
	uint32_t i = name_hash(svcs[s].name);

	while (svc_hash[i])
		i = (i + 1) & (SVC_HASH - 1);
	svc_hash[i] = (uint16_t)(s + 1);
}

static void svc_hash_del(bus_svc_t s)
{
	uint32_t i = name_hash(svcs[s].name), j, k;

	while (svc_hash[i] != s + 1u) {
		if (!svc_hash[i])
			return;
		i = (i + 1) & (SVC_HASH - 1);
	}
	svc_hash[i] = 0;
	for (j = (i + 1) & (SVC_HASH - 1); svc_hash[j];
	     j = (j + 1) & (SVC_HASH - 1)) {
		k = name_hash(svcs[svc_hash[j] - 1].name);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		svc_hash[i] = svc_hash[j];
		svc_hash[j] = 0;
		i = j;
	}
}

int bus_svc_add(const char *name, bus_handler_fn fn, void *state,
		uint32_t qlimit, uint8_t prio)
{
	BUS_GUARD();
	size_t len;

	/* "kernel" names code outside any handler (and owns its topics'
	 * contracts): no service may take it */
	if (!name || !fn || qlimit < 1 || qlimit > BUS_POOL_SIZE ||
	    prio >= BUS_PRIOS || strcmp(name, "kernel") == 0)
		return -AE_EINVAL;
	len = strnlen(name, BUS_NAME_MAX);
	if (len == 0 || len >= BUS_NAME_MAX)
		return -AE_EINVAL;
	if (bus_svc_find(name) >= 0)
		return -AE_EEXIST;
	for (unsigned int i = svc_free_hint; i < BUS_SVC_MAX; i++) {
		struct svc *s = &svcs[i];

		if (s->st != BUS_SVC_FREE)
			continue;
		memset(s, 0, sizeof(*s));
		memcpy(s->name, name, len + 1);
		s->fn = fn;
		s->state = state;
		s->qlimit = qlimit;
		s->prio = prio;
		s->st = BUS_SVC_RUNNING;
		s->gen = 1;
		if (i >= svc_hi)
			svc_hi = i + 1;
		svc_free_hint = i + 1;
		svc_hash_add((bus_svc_t)i);
		contract_svc_added((bus_svc_t)i, s->name);
		route_svc_added((bus_svc_t)i, s->name);
		return (int)i;
	}
	svc_free_hint = BUS_SVC_MAX;
	return -AE_ENOSPC;
}

int bus_svc_set_flags(bus_svc_t s, uint32_t flags)
{
	BUS_GUARD();
	if (!svc_get(s) || (flags & ~(BUS_SVC_F_USER | BUS_SVC_F_RESCUE |
				      BUS_SVC_F_ANYCPU)))
		return -AE_EINVAL;
	svcs[s].flags = flags;
	return 0;
}

void bus_cpu_dispatching(unsigned int cpu)
{
	BUS_GUARD();
	if (cpu < BUS_CPUS && cpu < 64)
		dispatching |= 1ull << cpu;
}

void bus_set_kick(void (*kick)(unsigned int cpu))
{
	kick_fn = kick;
}

/* From now on s's messages, those queued included, go to CPU cpu. */
static void relocate(bus_svc_t s, struct svc *v, unsigned int cpu)
{
	if (v->cpu == cpu)
		return;
	q_move(s, cpu);
	v->cpu = (uint8_t)cpu;
	if (q_count_on(cpu) && cpu != bus_cpu() && kick_fn)
		kick_fn(cpu);
}

int bus_svc_place(bus_svc_t s, unsigned int cpu)
{
	BUS_GUARD();
	struct svc *v = svc_get(s);

	if (!v)
		return -AE_EINVAL;
	if (cpu >= BUS_CPUS || cpu >= 64 || !(dispatching >> cpu & 1))
		return -AE_ENODEV;
	if (cpu && !(v->flags & BUS_SVC_F_ANYCPU))
		return -AE_EPERM;
	v->pinned = true;
	relocate(s, v, cpu);
	return 0;
}

int bus_svc_move(bus_svc_t s, unsigned int from, unsigned int cpu)
{
	BUS_GUARD();
	struct svc *v = svc_get(s);

	if (!v)
		return -AE_EINVAL;
	if (cpu >= BUS_CPUS || cpu >= 64 || !(dispatching >> cpu & 1))
		return -AE_ENODEV;
	if (!(v->flags & BUS_SVC_F_ANYCPU) || v->pinned)
		return -AE_EPERM;
	if (v->cpu != from)
		return -AE_EAGAIN;	/* placed elsewhere meanwhile */
	relocate(s, v, cpu);
	return 0;
}

int bus_svc_unpin(bus_svc_t s)
{
	BUS_GUARD();
	struct svc *v = svc_get(s);

	if (!v)
		return -AE_EINVAL;
	if (!(v->flags & BUS_SVC_F_ANYCPU))
		return -AE_EPERM;
	v->pinned = false;
	return 0;
}

bool bus_svc_pinned(bus_svc_t s)
{
	BUS_GUARD_READ();
	struct svc *v = svc_get(s);

	return v && v->pinned;
}

int bus_svc_cpu(bus_svc_t s)
{
	BUS_GUARD_READ();
	struct svc *v = svc_get(s);

	return v ? (int)v->cpu : -AE_EINVAL;
}

unsigned int bus_pending_on(unsigned int cpu)
{
	return q_count_on(cpu) + q_inbox_waiting(cpu) +
	       (cpu == 0 ? irq_waiting() : 0);
}

bool bus_quiet(void)
{
	BUS_GUARD();
	unsigned int me = bus_cpu();

	for (unsigned int c = 0; c < BUS_CPUS; c++)
		if (q_count_on(c) || (c != me && bcpus[c].running))
			return false;
	return true;
}

uint32_t bus_svc_flags(bus_svc_t s)
{
	BUS_GUARD_READ();
	return svc_get(s) ? svcs[s].flags : 0;
}

/* s runs on this CPU (it is in this CPU's call chain): it cannot be
 * removed or renamed until it returns, so what is read of it needs no
 * lock. */
static bool running_here(bus_svc_t s)
{
	const struct bus_cpu *bc = here();

	for (unsigned int i = 0; i < bc->depth && i < BUS_CHAIN_MAX; i++)
		if (bc->chain[i].svc == s)
			return true;
	return false;
}

const char *bus_svc_name(bus_svc_t s)
{
	/* the fault guard asks it for every handler it runs, with the lock
	 * let go: not a lock taken per message */
	if (s != BUS_SVC_KERNEL && s < BUS_SVC_MAX && running_here(s))
		return svcs[s].name;
	BUS_GUARD_READ();
	if (s == BUS_SVC_KERNEL)
		return "kernel";
	return svc_get(s) ? svcs[s].name : "?";
}

enum bus_svc_state bus_svc_state(bus_svc_t s)
{
	BUS_GUARD_READ();
	return s < BUS_SVC_MAX ? svcs[s].st : BUS_SVC_FREE;
}

uint32_t bus_svc_generation(bus_svc_t s)
{
	BUS_GUARD_READ();
	return svc_get(s) ? svcs[s].gen : 0;
}

int bus_svc_stats(bus_svc_t s, struct bus_svc_stats *out)
{
	BUS_GUARD();
	if (!svc_get(s))
		return -AE_EINVAL;
	*out = svcs[s].stats;
	return 0;
}

unsigned int bus_topic_count(void)
{
	BUS_GUARD_READ();
	return topic_count();
}

unsigned int bus_svc_span(void)
{
	BUS_GUARD_READ();
	return svc_hi;
}

unsigned int bus_topic_subscribers(bus_topic_t t, bus_svc_t *out,
				   unsigned int max)
{
	BUS_GUARD_READ();
	struct sub_list *l;

	if (!topic_live(t))
		return 0;
	l = &topic_subs[t];
	for (unsigned int k = 0; out && k < max && k < l->n; k++)
		out[k] = sl_subs(l)[k]->svc;
	return l->n;
}

int bus_topic_stats(bus_topic_t t, struct bus_topic_stats *out)
{
	BUS_GUARD();
	if (!topic_live(t))
		return -AE_EINVAL;
	*out = tstats[t];
	for (unsigned int c = 0; c < BUS_CPUS; c++) {
		const struct tcache *tc = &tcache[c];
		unsigned int w = t & (TC_WAYS - 1);

		if (tc->topic[w] != (int32_t)t)
			continue;
		out->published += tc->c[w].published;
		out->copies += tc->c[w].copies;
		out->delivered += tc->c[w].delivered;
		out->drops += tc->c[w].drops;
		out->queued += tc->c[w].queued;
	}
	return 0;
}

static int post_reply(const struct bus_msg *req,
		      const struct bus_lineage *lin, int status,
		      const struct bus_msg *reply);
static void dequeue_lost(unsigned int i);

/* Answer everything queued for s: requests get -ESHUTDOWN, events are
 * dropped and counted. Nothing vanishes without a trace. */
static void flush(bus_svc_t s)
{
	int i;

	while ((i = q_take_for(s)) >= 0) {
		struct bus_msg *m = q_msg((unsigned int)i);

		/* a request is answered (-ESHUTDOWN): its copy dropped, the
		 * answer a copy of its own */
		dequeue_lost((unsigned int)i);
		if (m->kind == BUS_REQUEST)
			post_reply(m, q_lineage((unsigned int)i),
				   -AE_ESHUTDOWN, NULL);
		q_free((unsigned int)i);
	}
}

int bus_svc_set_state(bus_svc_t s, enum bus_svc_state st)
{
	BUS_GUARD();
	struct svc *v = svc_get(s);

	if (!v || (st != BUS_SVC_RUNNING && st != BUS_SVC_STOPPED &&
		   st != BUS_SVC_FAILED))
		return -AE_EINVAL;
	if (st != BUS_SVC_RUNNING && v->in_chain_of)
		return -AE_EBUSY;
	if (st == BUS_SVC_RUNNING && v->st != BUS_SVC_RUNNING)
		v->gen++;
	v->st = st;
	if (st != BUS_SVC_RUNNING) {
		flush(s);
		bus_grant_end_owner(s);
	}
	return 0;
}

static void unmatch(struct sub *n);
static void sub_retire(struct sub *n);

int bus_svc_remove(bus_svc_t s)
{
	BUS_GUARD();
	int rc = bus_svc_set_state(s, BUS_SVC_STOPPED);

	if (rc)
		return rc;
	/* its own patterns: what it costs is what it subscribed */
	while (svcs[s].subs) {
		struct sub *n = svcs[s].subs;

		svcs[s].subs = n->next;
		svcs[s].nsubs--;
		unmatch(n);
		sub_retire(n);	/* its queue was flushed: freed now */
	}
	svc_hash_del(s);
	svcs[s].st = BUS_SVC_FREE;
	if (s < svc_free_hint)
		svc_free_hint = s;
	contract_svc_removed(s);
	route_svc_removed(s);
	return 0;
}

/* ---- subscriptions --------------------------------------------------- */

/* s's first subscription (in the order made) whose pattern matches
 * name, or NULL: the one that decides for the topic. */
static struct sub *first_match(const struct svc *v, const char *name)
{
	for (struct sub *p = v->subs; p; p = p->next)
		if (bus_pattern_match(p->pattern, name))
			return p;
	return NULL;
}

/* A new topic: who is subscribed to it. Costs every subscription once
 * (topics are made at registration, never on the message path). A
 * subscriber its list has no memory for misses the topic and is
 * counted (bus_sub_misses). */
static uint64_t sub_misses;

void bus_topic_added(bus_topic_t t)
{
	const char *name = bus_topic_name(t);

	trace_topic_added(t);
	route_topic_added(t);
	contract_topic_added(t);
	sl_clear(&topic_subs[t]);
	for (unsigned int i = 0; i < svc_hi; i++) {
		struct sub *p;

		if (svcs[i].st == BUS_SVC_FREE)
			continue;
		p = first_match(&svcs[i], name);
		if (p && sl_set(&topic_subs[t], p))
			sub_misses++;
	}
}

uint64_t bus_sub_misses(void)
{
	BUS_GUARD();
	return sub_misses;
}

int bus_topic_free(bus_topic_t t)
{
	BUS_GUARD();
	const struct bus_contract *c;

	if (!topic_live(t))
		return -AE_EINVAL;
	c = bus_contract_of(t);
	if ((c && c->kind != BUS_C_OPEN) || irq_topic_named(t))
		return -AE_EPERM;
	if (q_topic_queued(t))
		return -AE_EBUSY;
	if (!topic_free(t))
		return -AE_EINVAL;
	memset(&tstats[t], 0, sizeof(tstats[t]));
	for (unsigned int cpu = 0; cpu < BUS_CPUS; cpu++) {
		struct tcache *tc = &tcache[cpu];
		unsigned int w = t & (TC_WAYS - 1);

		if (tc->topic[w] == (int32_t)t) {
			memset(&tc->c[w], 0, sizeof(tc->c[w]));
			tc->topic[w] = -1;
		}
	}
	sl_clear(&topic_subs[t]);
	contract_topic_freed(t);
	route_topic_freed(t);
	return 0;
}

/* The topics pattern names: one for a name (found by hash), every live
 * topic for a wildcard. fn(t) for each; stops at the first non-zero. */
static int each_topic(const char *pattern, int (*fn)(bus_topic_t t, void *c),
		      void *ctx)
{
	int rc = 0;

	if (!strchr(pattern, '*')) {
		int t = bus_topic_find(pattern);

		return t >= 0 ? fn((bus_topic_t)t, ctx) : 0;
	}
	for (unsigned int t = 0; t < topic_count() && !rc; t++)
		if (topic_live((bus_topic_t)t) &&
		    bus_pattern_match(pattern, bus_topic_name((bus_topic_t)t)))
			rc = fn((bus_topic_t)t, ctx);
	return rc;
}

/* A new subscription takes the topics its service does not get yet (an
 * earlier one keeps those it has). */
static int add_to(bus_topic_t t, void *ctx)
{
	struct sub *n = ctx;

	return sl_get(&topic_subs[t], n->svc) ? 0
					      : sl_set(&topic_subs[t], n);
}

/* Subscription n is off its service's list: the topics it decided go
 * to the service's next subscription that matches, or none. */
static int drop_from(bus_topic_t t, void *ctx)
{
	struct sub *n = ctx, *next;

	if (sl_get(&topic_subs[t], n->svc) != n)
		return 0;
	next = first_match(&svcs[n->svc], bus_topic_name(t));
	if (!next)
		sl_del(&topic_subs[t], n->svc);
	else if (sl_set(&topic_subs[t], next))	/* in place: no memory */
		sl_del(&topic_subs[t], n->svc);
	return 0;
}

/* Costs the topics n's pattern names. */
static void unmatch(struct sub *n)
{
	each_topic(n->pattern, drop_from, n);
}

/* n is off its service's list and no topic leads to it: free it now,
 * or when its last queued message is taken. */
static void sub_retire(struct sub *n)
{
	if (!n->queued) {
		bus_free(n, sizeof(*n));
		return;
	}
	n->dead = true;
	n->next = dead_subs;
	dead_subs = n;
}

/* A dead subscription's last message was taken. */
static void sub_bury(struct sub *n)
{
	for (struct sub **pp = &dead_subs; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			bus_free(n, sizeof(*n));
			return;
		}
}

int bus_subscribe_with(bus_svc_t s, const char *pattern,
		       enum bus_delivery mode, uint32_t ring, const char **why)
{
	BUS_GUARD();
	const char *dummy;
	struct svc *v = svc_get(s);
	struct sub *n, **tail;
	int rc;

	if (!why)
		why = &dummy;
	if (!v) {
		*why = "no such service";
		return -AE_EINVAL;
	}
	if (!pattern) {
		*why = "no pattern";
		return -AE_EINVAL;
	}
	if (mode != BUS_LOSSLESS && mode != BUS_LATEST && mode != BUS_RING) {
		*why = "unknown delivery contract";
		return -AE_EINVAL;
	}
	if (mode == BUS_RING ? ring < 1 || ring > BUS_RING_MAX : ring != 0) {
		*why = "ring size out of range";
		return -AE_EINVAL;
	}
	rc = bus_pattern_check(pattern, why);
	if (rc)
		return rc;
	for (tail = &v->subs; *tail; tail = &(*tail)->next) {
		if (strcmp((*tail)->pattern, pattern) == 0) {
			*why = "already subscribed";
			return -AE_EEXIST;
		}
	}
	if (v->nsubs >= BUS_SVC_SUBS_MAX) {
		*why = "too many subscriptions for one service";
		return -AE_ENOSPC;
	}
	n = bus_alloc(sizeof(*n));
	if (!n) {
		*why = "out of memory";
		return -AE_ENOMEM;
	}
	n->svc = s;
	n->mode = (uint8_t)mode;
	n->ring = ring;
	memcpy(n->pattern, pattern, strlen(pattern) + 1);
	*tail = n;		/* last: earlier ones decide first */
	rc = each_topic(pattern, add_to, n);
	if (rc) {
		/* as it was: s keeps what its other patterns give it */
		*tail = NULL;
		unmatch(n);
		bus_free(n, sizeof(*n));
		*why = "out of memory";
		return rc;
	}
	v->nsubs++;
	return 0;
}

int bus_subscribe(bus_svc_t s, const char *pattern, const char **why)
{
	BUS_GUARD();
	return bus_subscribe_with(s, pattern, BUS_LOSSLESS, 0, why);
}

int bus_unsubscribe(bus_svc_t s, const char *pattern)
{
	BUS_GUARD();
	struct svc *v = svc_get(s);

	if (!v || !pattern)
		return -AE_ENOENT;
	for (struct sub **pp = &v->subs; *pp; pp = &(*pp)->next) {
		struct sub *n = *pp;

		if (strcmp(n->pattern, pattern) != 0)
			continue;
		*pp = n->next;
		v->nsubs--;
		unmatch(n);
		sub_retire(n);
		return 0;
	}
	return -AE_ENOENT;
}

int bus_sub_stats(bus_svc_t s, unsigned int k, char *pattern,
		  struct bus_sub_stats *out)
{
	BUS_GUARD();
	struct svc *v = svc_get(s);
	struct sub *n = v ? v->subs : NULL;

	while (n && k--)
		n = n->next;
	if (!n)
		return -AE_ENOENT;
	if (pattern)
		memcpy(pattern, n->pattern, strlen(n->pattern) + 1);
	if (out) {
		out->published = n->published;
		out->delivered = n->delivered;
		out->dropped = n->dropped;
		out->queued = n->queued;
		out->gap = n->gap;
		out->mode = (enum bus_delivery)n->mode;
		out->ring = n->ring;
	}
	return 0;
}

/* ---- posting --------------------------------------------------------- */

static bus_svc_t current_of(const struct bus_cpu *bc)
{
	return bc->depth ? bc->chain[bc->depth - 1].svc : BUS_SVC_KERNEL;
}

/* This CPU's own chain: no lock (interrupt exit asks it). */
bus_svc_t bus_current(void)
{
	const struct bus_cpu *bc = here();

	return bc->depth ? bc->chain[bc->depth - 1].svc : BUS_SVC_KERNEL;
}

/* ---- causal lineage ---------------------------------------------------- */

static BUS_HOT void lineage_new(struct bus_cpu *bc, bus_svc_t src,
			struct bus_lineage *l)
{
	const struct bus_lineage *c = bc->cause_forced;
	uint32_t id = next_id(&bc->lin_next, &bc->lin_end, &lin_block,
			      0xffffffffu);

	if (!c)
		c = bc->depth ? &bc->chain[bc->depth - 1].lin :
		    src < BUS_SVC_MAX ? &svcs[src].cause : NULL;
	l->id = id;
	if (c && c->id) {
		l->parent = c->id;
		l->trace = c->trace;
	} else {
		l->parent = 0;
		l->trace = id;
	}
}

void bus_lineage_new(bus_svc_t src, struct bus_lineage *l)
{
	lineage_new(here(), src, l);
}

void bus_lineage_current(struct bus_lineage *out)
{
	static const struct bus_lineage none;

	const struct bus_cpu *bc = here();

	*out = bc->depth ? bc->chain[bc->depth - 1].lin : none;
}

int bus_svc_set_cause(bus_svc_t s, const struct bus_lineage *l)
{
	BUS_GUARD();
	static const struct bus_lineage none;
	struct svc *v = svc_get(s);

	if (!v)
		return -AE_EINVAL;
	v->cause = l && l->id ? *l : none;
	return 0;
}

void bus_trace_lineage_new(struct trace_rec *r, bus_svc_t src)
{
	struct bus_lineage lin;

	bus_lineage_new(src, &lin);
	r->id = lin.id;
	r->parent = lin.parent;
	r->trace = lin.trace;
}

static BUS_HOT int resolve_prio(const struct bus_cpu *bc, int prio)
{
	if (prio == BUS_PRIO_INHERIT) {
		if (bc->depth)
			return bc->chain[bc->depth - 1].prio;
		return BUS_PRIO_DEFAULT;
	}
	if (prio < 0 || prio >= BUS_PRIOS)
		return -AE_EINVAL;
	return prio;
}

/* A payload (at most BUS_INLINE_MAX bytes, below 64) into a message: by
 * the bits of its length, each a copy of fixed size (a move or two, no
 * call into memcpy for a few bytes). */
_Static_assert(BUS_INLINE_MAX < 64, "a length's bits below 64");
static BUS_HOT void copy_payload(uint8_t *to, const void *from, size_t len)
{
	const uint8_t *f = from;
	size_t k = 0;

	if (len & 32) {
		__builtin_memcpy(to, f, 32);
		k = 32;
	}
	if (len & 16) {
		__builtin_memcpy(to + k, f + k, 16);
		k += 16;
	}
	if (len & 8) {
		__builtin_memcpy(to + k, f + k, 8);
		k += 8;
	}
	if (len & 4) {
		__builtin_memcpy(to + k, f + k, 4);
		k += 4;
	}
	if (len & 2) {
		__builtin_memcpy(to + k, f + k, 2);
		k += 2;
	}
	if (len & 1)
		to[k] = f[k];
}

static BUS_HOT void fill(struct bus_msg *m, bus_topic_t topic, uint8_t kind,
		 uint8_t prio, bus_svc_t src, bus_svc_t dst, const void *data,
		 size_t len, uint64_t ts)
{
	m->topic = topic;
	m->kind = kind;
	m->prio = prio;
	m->src = src;
	m->dst = dst;
	m->corr = 0;
	m->len = (uint16_t)len;
	m->status = 0;
	m->ts = ts;
	copy_payload(m->data, data, len);
}

/* Queue one message for dst; counts a drop when it cannot. limit: obey
 * the service's queue bound (replies do not: they answer requests the
 * service already holds, so refusing them would lose an answer). */

/* A copy of sub's was lost (refused, overwritten, flushed): counted, and
 * told with its next delivery (GAP). */
static void sub_lost(struct sub *sub)
{
	if (!sub)
		return;
	cnt_add(&sub->dropped, 1);
	if (!bus_smp())
		sub->gap++;
	else
		__atomic_fetch_add(&sub->gap, 1, __ATOMIC_RELAXED);
}

/* A queued slot leaves without being delivered (flushed, overwritten):
 * every count that held it lets go. */
static void dequeue_lost_as(unsigned int i, bool give_credit)
{
	struct bus_msg *m = q_msg(i);
	struct sub *sub = q_sub(i);

	if (give_credit)
		pending_give(&svcs[m->dst]);
	if (m->kind != BUS_REQUEST)	/* a request is answered instead */
		cnt_add(&svcs[m->dst].stats.drops, 1);
	tst(m->topic)->queued--;
	tst(m->topic)->drops++;
	if (sub) {
		sub->queued--;
		sub_lost(sub);
		if (sub->dead && !sub->queued)
			sub_bury(sub);
	}
}

static void dequeue_lost(unsigned int i)
{
	dequeue_lost_as(i, true);
}

/* Make room by the subscription's contract: latest replaces what of the
 * topic waits (in place when the priority is the same: returns the slot
 * to fill), ring drops its oldest past n; either drops the oldest of the
 * subscription when the service's queue is full. -ENOENT: nothing to
 * replace, queue as usual. */
static int make_room(struct sub *sub, struct svc *v, bus_svc_t dst,
		     bus_topic_t topic, uint8_t prio, bool limit, bool *kept)
{
	bool full = limit && pending_of(v) >= v->qlimit;
	int old = -AE_ENOENT;

	if (sub->mode == BUS_LATEST) {
		old = q_find_for(dst, sub, topic, true);
		if (old >= 0 && q_msg((unsigned int)old)->prio == prio) {
			/* the value is replaced, its place kept */
			struct bus_msg *m = q_msg((unsigned int)old);

			cnt_add(&v->stats.drops, 1);
			tst(m->topic)->drops++;
			tst(m->topic)->queued--;	/* taken again below */
			/* its place in the service's bound goes to the new
			 * value (given back and taken again, a sender on
			 * another CPU could take it in between) */
			sub->queued--;
			sub_lost(sub);
			return old;
		}
	} else if (sub->queued >= sub->ring) {
		old = q_find_for(dst, sub, -1, false);
	}
	if (old < 0 && full)
		old = q_find_for(dst, sub, -1, false);
	if (old >= 0) {
		/* the oldest goes; its place in the bound is the new one's */
		q_unlink((unsigned int)old);
		dequeue_lost_as((unsigned int)old, false);
		q_free((unsigned int)old);
		*kept = true;
	}
	return -AE_ENOENT;
}

static inline __attribute__((always_inline)) int
enqueue(struct bus_cpu *bc, bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		   uint8_t kind, uint8_t prio, const void *data, size_t len,
		   uint32_t corr, bool limit, int16_t status, bool irq,
		   struct sub *sub)
{
	unsigned int me = bc->cpu;
	struct svc *v = &svcs[dst];
	struct tcount *tc = tst_on(me, topic);
	int i = -AE_ENOENT;
	bool in_place = false, kept = false, was_empty;
	/* for another CPU's service, holding only this CPU's lock: into its
	 * inbox; that CPU counts it in when it takes it (arrive) */
	bool remote = v->cpu != me && bus_lock_is_local_on(me);

	tc->copies++;
	if (sub)
		cnt_add(&sub->published, 1);
	if (v->st != BUS_SVC_RUNNING) {
		cnt_add(&v->stats.drops, 1);
		tc->drops++;
		sub_lost(sub);
		return -AE_ESHUTDOWN;
	}
	if (sub && sub->mode != BUS_LOSSLESS && !irq) {
		/* never remote: local_ok sends those with the bus whole */
		i = make_room(sub, v, dst, topic, prio, limit, &kept);
		in_place = i >= 0;
		/* what it dropped counted to its own topic: this CPU's slot
		 * for that one may be this topic's */
		tc = tst_on(me, topic);
	}
	was_empty = pending_of(v) == 0;
	if (!in_place && !kept && !pending_take(v, limit)) {
		cnt_add(&v->stats.drops, 1);
		tc->drops++;
		sub_lost(sub);
		return -AE_EAGAIN;
	}
	if (!in_place && (i = q_alloc_on(me)) < 0) {
		pending_give(v);
		cnt_add(&v->stats.drops, 1);
		tc->drops++;
		sub_lost(sub);
		return -AE_EAGAIN;
	}
	fill(q_msg((unsigned int)i), topic, kind, prio, src, dst, data, len,
	     bc->post_ts);
	q_msg((unsigned int)i)->corr = corr;
	q_msg((unsigned int)i)->status = status;
	lineage_new(bc, src, q_lineage((unsigned int)i));
	if (remote) {
		/* the watchdog's measure: its queue began now (the owner
		 * counts the rest as it takes the message in) */
		if (was_empty)
			__atomic_store_n(&v->moved, bc->post_ts,
					 __ATOMIC_RELAXED);
		q_set_sub((unsigned int)i, sub);
		q_inbox_push((unsigned int)i, v->cpu);
		if (kick_fn)
			kick_fn(v->cpu);
		return 0;
	}
	if (!in_place) {	/* a replaced value keeps its place */
		q_push((unsigned int)i, irq, v->cpu);
		q_set_sub((unsigned int)i, sub);
		if (__builtin_expect(kick_fn != NULL, 0) && v->cpu != me)
			kick_fn(v->cpu);
	}
	tc->queued++;
	if (sub)
		sub->queued++;
	v->stats.received++;
	if (was_empty)
		__atomic_store_n(&v->moved, bc->post_ts, __ATOMIC_RELAXED);
	if (pending_of(v) > v->stats.pending_max)
		v->stats.pending_max = pending_of(v);
	return 0;
}

/* A message another CPU put in CPU cpu's inbox goes on its queue, and is
 * counted as enqueue counts one of its own. On cpu itself, or with the
 * bus whole. */
static void arrive(unsigned int i, unsigned int cpu)
{
	struct bus_msg *m = q_msg(i);
	struct svc *v = &svcs[m->dst];
	struct sub *sub = q_sub(i);

	q_push(i, false, cpu);
	q_set_sub(i, sub);
	tst(m->topic)->queued++;
	if (sub)
		sub->queued++;
	v->stats.received++;
	if (pending_of(v) > v->stats.pending_max)
		v->stats.pending_max = pending_of(v);
}

static void inbox_take(unsigned int cpu)
{
	int i = q_inbox_take(cpu);

	while (i >= 0) {
		int next = q_inbox_next((unsigned int)i);

		arrive((unsigned int)i, cpu);
		i = next;
	}
}

void bus_whole_taken(unsigned int ncpus)
{
	for (unsigned int c = 0; c < ncpus && c < BUS_CPUS; c++)
		inbox_take(c);
	q_trim();	/* frees made under CPUs' own locks */
}

/* Give copies to the services a mirror rule named (events, best effort:
 * a full mirror counts a drop of its own and does not fail the send). */
static void mirror(struct bus_cpu *bc, const struct route_verdict *rv,
		   bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		   uint8_t prio, const void *data, size_t len)
{
	for (unsigned int k = 0; k < rv->nmirrors; k++) {
		bus_svc_t s = rv->mirrors[k];

		if (s != dst && svc_get(s))
			enqueue(bc, src, s, topic, BUS_EVENT, prio, data, len,
				rv->seq, true, 0, false, NULL);
	}
}

/* Route (if any rule exists), then queue. A refusal by a rule counts a
 * drop for the destination and the topic, as a full queue does. */
static inline __attribute__((always_inline)) int
post(struct bus_cpu *bc, bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		uint8_t kind, uint8_t prio, const void *data, size_t len,
		uint32_t corr, bool limit, int16_t status, bool irq,
		struct sub *sub)
{
	struct route_verdict v;
	int rc;

	if (!bc->batch_post)
		bc->post_ts = now();
	if (route_none(topic, src, dst))	/* no rule to judge or copy */
		return enqueue(bc, src, dst, topic, kind, prio, data, len,
			       corr, limit, status, irq, sub);
	v.dst = dst;		/* route_apply sets the rest */
	v.prio = prio;
	v.seq = corr;
	route_apply(&v, topic, src, kind, irq, bc->post_ts);
	if (v.rc) {
		cnt_add(&svcs[dst].stats.drops, 1);
		tst(topic)->copies++;
		tst(topic)->drops++;
		if (sub) {
			sub->published++;
			sub_lost(sub);
		}
		return v.rc;
	}
	/* a redirect must reach a service that serves it too */
	if (v.dst != dst && kind != BUS_REPLY &&
	    (rc = contract_check(topic, kind, src, v.dst, len)))
		return rc;
	if (v.dst != dst && sub) {
		/* the subscriber does not get this one */
		sub->published++;
		sub_lost(sub);
		sub = NULL;
	}
	rc = enqueue(bc, src, v.dst, topic, kind, v.prio, data, len, corr,
		     limit, status, irq, sub);
	if (v.nmirrors)
		mirror(bc, &v, src, v.dst, topic, v.prio, data, len);
	return rc;
}

static BUS_HOT int check_args(bus_topic_t topic, const void *data, size_t len)
{
	if (!topic_live(topic) || (len && !data))
		return -AE_EINVAL;
	if (len > BUS_INLINE_MAX)
		return -AE_E2BIG;
	return 0;
}

/* A publish no service subscribes to: in the trace (dst "*"), so a
 * message sent into the void can be seen. */
static void unheard(bus_svc_t src, bus_topic_t topic, uint8_t prio,
		    uint32_t seq)
{
	struct trace_rec tr;

	memset(&tr, 0, sizeof(tr));
	bus_trace_lineage_new(&tr, src);
	tr.ts = here()->post_ts;
	tr.corr = seq;
	tr.topic = topic;
	tr.src = src;
	tr.dst = BUS_NIL_SVC;
	tr.kind = BUS_EVENT;
	tr.prio = prio;
	tr.inline_call = TRACE_UNHEARD;
	tr.cpu = (uint8_t)bus_cpu();
	trace_record(&tr);
}

/* ---- which posts need the bus whole ---------------------------------- */

/* May this CPU, holding only its own lock, queue a copy from src for dst
 * (through sub)? Not when a routing rule would judge it (a rule's counts
 * and rate limits are the bus's, shared). Its own services, yes; another
 * CPU's, through that CPU's inbox, unless the subscription's contract
 * must look at the queue (latest, ring: the queue is that CPU's). */
static bool local_dst_ok(unsigned int me, bus_topic_t t, bus_svc_t src,
			 bus_svc_t dst, const struct sub *sub)
{
	return dst < BUS_SVC_MAX && route_none(t, src, dst) &&
	       (svcs[dst].cpu == me || !sub || sub->mode == BUS_LOSSLESS);
}

static bool publish_local_ok(const struct bus_cpu *bc, bus_topic_t t)
{
	struct sub *const *subs;
	bus_svc_t src = current_of(bc);

	if (t >= BUS_TOPIC_MAX || !topic_live(t) ||
	    !q_room_on(bc->cpu, topic_subs[t].n) ||
	    (!topic_subs[t].n && !route_none(t, src, BUS_NIL)))
		return false;
	subs = sl_subs(&topic_subs[t]);
	for (unsigned int k = 0; k < topic_subs[t].n; k++)
		if (!local_dst_ok(bc->cpu, t, src, subs[k]->svc, subs[k]))
			return false;
	return true;
}

/* Enter the bus for a publish, or a send or request to dst: this CPU's
 * own lock when that is enough, else the bus whole. Left with
 * bus_unlock. */
static struct bus_cpu *enter_publish(bus_topic_t t)
{
	struct bus_cpu *bc = here();

	if (bus_lock_local_on(bc->cpu) && !publish_local_ok(bc, t))
		bus_lock_upgrade();
	return bc;
}

static struct bus_cpu *enter_send(bus_topic_t t, bus_svc_t dst)
{
	struct bus_cpu *bc = here();

	if (bus_lock_local_on(bc->cpu) &&
	    !(q_room_on(bc->cpu, 1) &&
	      local_dst_ok(bc->cpu, t, current_of(bc), dst, NULL)))
		bus_lock_upgrade();
	return bc;
}

static BUS_HOT int publish(struct bus_cpu *bc, bus_svc_t src, bus_topic_t topic,
		   int prio, const void *data, size_t len)
{
	struct sub *const *subs;
	int p = resolve_prio(bc, prio), rc = check_args(topic, data, len);
	int got = 0, full = 0, denied = 0;
	uint32_t seq;

	if (rc)
		return rc;
	if (p < 0)
		return p;
	rc = contract_check(topic, BUS_EVENT, src, BUS_NIL, len);
	if (rc)
		return rc;
	tst(topic)->published++;
	seq = next_seq(topic);
	bc->post_ts = now();
	if (!topic_subs[topic].n)
		unheard(src, topic, (uint8_t)p, seq);
	if (!topic_subs[topic].n && !route_none(topic, src, BUS_NIL)) {
		/* No subscriber: the rules still judge the publish (a deny is
		 * -EPERM, as with subscribers, a copy that was dropped), a
		 * redirect names who gets it and a mirror still gets a copy. */
		struct route_verdict v = { .dst = BUS_NIL, .prio = (uint8_t)p,
					   .seq = seq };

		route_apply(&v, topic, src, BUS_EVENT, false, bc->post_ts);
		if (v.rc) {
			tst(topic)->copies++;
			tst(topic)->drops++;
			return v.rc;
		}
		if (v.dst != BUS_NIL)
			rc = enqueue(bc, src, v.dst, topic, BUS_EVENT, v.prio,
				     data, len, seq, true, 0, false, NULL);
		if (v.nmirrors)
			mirror(bc, &v, src, v.dst, topic, v.prio, data, len);
		if (rc == -AE_EAGAIN)
			return rc;
		return v.dst != BUS_NIL && rc == 0;
	}
	bc->batch_post = true;
	subs = sl_subs(&topic_subs[topic]);
	for (unsigned int k = 0, n = topic_subs[topic].n; k < n; k++) {
		rc = post(bc, src, subs[k]->svc, topic, BUS_EVENT, (uint8_t)p, data,
			  len, seq, true, 0, false, subs[k]);
		if (rc == 0)
			got++;
		else if (rc == -AE_EPERM)
			denied++;
		else if (rc == -AE_EAGAIN)
			full++;
	}
	bc->batch_post = false;
	return denied ? -AE_EPERM : full ? -AE_EAGAIN : got;
}

int bus_publish(bus_topic_t topic, int prio, const void *data, size_t len)
{
	int rc;

	struct bus_cpu *bc = enter_publish(topic);

	rc = publish(bc, current_of(bc), topic, prio, data, len);
	bus_unlock_on(bc->cpu);
	return rc;
}

/* A sender named by the caller: a service that is not running handlers
 * (a user process's), from outside any handler. */
static int as_ok(bus_svc_t src)
{
	if (here()->depth)
		return -AE_EDEADLK;
	return svc_get(src) ? 0 : -AE_EINVAL;
}

int bus_publish_as(bus_svc_t src, bus_topic_t topic, int prio,
		   const void *data, size_t len)
{
	BUS_GUARD();
	int rc = as_ok(src);

	return rc ? rc : publish(here(), src, topic, prio, data, len);
}

static int send(struct bus_cpu *bc, bus_svc_t src, bus_svc_t dst,
		bus_topic_t topic, int prio, const void *data, size_t len)
{
	int p = resolve_prio(bc, prio), rc = check_args(topic, data, len);

	if (rc)
		return rc;
	if (p < 0)
		return p;
	if (!svc_get(dst))
		return -AE_EINVAL;
	rc = contract_check(topic, BUS_EVENT, src, dst, len);
	if (rc)
		return rc;
	tst_on(bc->cpu, topic)->published++;
	return post(bc, src, dst, topic, BUS_EVENT, (uint8_t)p, data, len,
		    next_seq(topic), true, 0, false, NULL);
}

int bus_send(bus_svc_t dst, bus_topic_t topic, int prio, const void *data,
	     size_t len)
{
	int rc;

	struct bus_cpu *bc = enter_send(topic, dst);

	rc = send(bc, current_of(bc), dst, topic, prio, data, len);
	bus_unlock_on(bc->cpu);
	return rc;
}

int bus_send_as(bus_svc_t src, bus_svc_t dst, bus_topic_t topic, int prio,
		const void *data, size_t len)
{
	BUS_GUARD();
	int rc = as_ok(src);

	return rc ? rc : send(here(), src, dst, topic, prio, data, len);
}

/* Correlation ids are 1..2^31-1 so bus_request can return them as int. */
static uint32_t new_corr(void)
{
	struct bus_cpu *bc = here();

	return next_id(&bc->corr_next, &bc->corr_end, &corr_block,
		       0x7fffffffu);
}

static int request(struct bus_cpu *bc, bus_svc_t dst, bus_topic_t topic,
		   int prio, const void *data, size_t len);

int bus_request(bus_svc_t dst, bus_topic_t topic, int prio, const void *data,
		size_t len)
{
	int rc;

	struct bus_cpu *bc = enter_send(topic, dst);

	rc = request(bc, dst, topic, prio, data, len);
	bus_unlock_on(bc->cpu);
	return rc;
}

static int request(struct bus_cpu *bc, bus_svc_t dst, bus_topic_t topic,
		   int prio, const void *data, size_t len)
{
	int p = resolve_prio(bc, prio), rc = check_args(topic, data, len);
	uint32_t corr;

	if (rc)
		return rc;
	if (p < 0)
		return p;
	if (!svc_get(dst) || !bc->depth)
		return -AE_EINVAL;
	rc = contract_check(topic, BUS_REQUEST, bus_current(), dst, len);
	if (rc)
		return rc;
	/* Priority inheritance: never less urgent than the caller's work. */
	if (p > bc->chain[bc->depth - 1].prio)
		p = bc->chain[bc->depth - 1].prio;
	tst(topic)->published++;
	corr = new_corr();
	rc = post(bc, bus_current(), dst, topic, BUS_REQUEST, (uint8_t)p, data, len,
		  corr, true, 0, false, NULL);
	return rc ? rc : (int)corr;
}

static int post_reply(const struct bus_msg *req,
		      const struct bus_lineage *lin, int status,
		      const struct bus_msg *reply)
{
	struct bus_cpu *bc = here();
	const void *data = reply ? reply->data : NULL;
	size_t len = reply ? reply->len : 0;
	const struct bus_lineage *was;
	int rc;

	if (req->src == BUS_SVC_KERNEL || waiting_as) {
		/* A thread waiting in bus_call_wait? */
		for (unsigned int i = 0; i < BUS_WAITERS_MAX; i++) {
			struct waiter *w = &waiters[i];

			if (w->corr != req->corr || w->done ||
			    w->src != req->src)
				continue;
			memset(&w->reply, 0, sizeof(w->reply));
			w->reply.topic = req->topic;
			w->reply.kind = BUS_REPLY;
			w->reply.prio = req->prio;
			w->reply.src = req->dst;
			w->reply.dst = req->src;
			w->reply.corr = req->corr;
			w->reply.status = (int16_t)status;
			w->reply.ts = now();
			w->reply.len = (uint16_t)MIN(len, BUS_INLINE_MAX);
			if (w->reply.len)
				memcpy(w->reply.data, data, w->reply.len);
			w->done = true;
			tst(req->topic)->copies++;	/* handed over */
			tst(req->topic)->delivered++;
			w->ops->wake(w->ctx);
			return 0;
		}
		/* Its waiter gave up (timeout): the answer is a drop. (A
		 * late answer to a bus_call_wait_as goes to the sender's
		 * service, which drops it.) */
		if (req->src == BUS_SVC_KERNEL) {
			tst(req->topic)->copies++;
			tst(req->topic)->drops++;
			return -AE_ENOENT;
		}
	}
	if (!svc_get(req->src))
		return -AE_ENOENT;
	if (len > BUS_INLINE_MAX)
		len = BUS_INLINE_MAX;
	was = bc->cause_forced;
	bc->cause_forced = lin;	/* the answer descends from the request */
	rc = post(bc, req->dst, req->src, req->topic, BUS_REPLY, req->prio, data,
		  len, req->corr, false, (int16_t)status, false, NULL);
	bc->cause_forced = was;
	return rc;
}

/* ---- running handlers ------------------------------------------------ */

/* lin: the lineage of the message s handles; NULL: a new message that
 * s's caller (or src, outside handlers) posts now (an inline call) */
static BUS_HOT const struct bus_lineage *chain_push(struct bus_cpu *bc, bus_svc_t s,
					    uint8_t prio,
					    const struct bus_lineage *lin,
					    bus_svc_t src)
{
	struct bus_lineage *to = &bc->chain[bc->depth].lin;

	bc->chain[bc->depth].svc = s;
	bc->chain[bc->depth].prio = prio;
	if (lin) {
		to->id = lin->id;
		to->parent = lin->parent;
		to->trace = lin->trace;
	} else {
		lineage_new(bc, src, to);
	}
	bc->depth++;
	__atomic_store_n(&svcs[s].in_chain_of, (uint8_t)(bc->cpu + 1),
			 __ATOMIC_RELAXED);
	return to;
}

/* Wait until no other CPU's call chain holds s (the caller knows this
 * CPU's does not): the lock is let go while waiting. -EDEADLK, at once,
 * when the CPU running s waits, directly or through others, for a
 * service in this CPU's chain: it would wait for this CPU and this CPU
 * for it. (Of two CPUs closing a cycle, the second to wait sees it.)
 * The caller checks s again afterwards: it may have stopped. */
static int wait_free(bus_svc_t s)
{
	unsigned int self = bus_cpu() + 1;

	/* the cycle check below reads other CPUs' chains and waits: with
	 * the bus whole, so that of two CPUs closing a cycle one sees the
	 * other's wait */
	if (svcs[s].in_chain_of && svcs[s].in_chain_of != self)
		bus_lock_upgrade();

	while (svcs[s].in_chain_of && svcs[s].in_chain_of != self) {
		unsigned int held_by = svcs[s].in_chain_of, c = held_by, n;

		for (unsigned int hops = 0; c && hops < BUS_CPUS; hops++) {
			bus_svc_t w = bcpus[c - 1].waits_for;

			if (w == BUS_NIL)
				break;
			c = svcs[w].in_chain_of;
			if (c == self)
				return -AE_EDEADLK;
		}
		here()->waits_for = s;
		n = bus_lock_drop();
		/* watch it without the lock (a hint; checked again under it):
		 * taking the lock to look would queue behind every other CPU
		 * that wants it, and under a hypervisor behind ones that are
		 * not even running */
		while (__atomic_load_n(&svcs[s].in_chain_of, __ATOMIC_RELAXED)
		       == held_by)
			__asm__ volatile("" ::: "memory");
		bus_lock_retake(n);
		here()->waits_for = BUS_NIL;
	}
	return 0;
}

/* Back to depth d: the entries above it leave the chain (a fault the
 * guard caught may have left an inner call's entries behind). */
static BUS_HOT void chain_cut(struct bus_cpu *me, unsigned int d)
{
	while (me->depth > d)
		__atomic_store_n(&svcs[me->chain[--me->depth].svc].in_chain_of,
				 0, __ATOMIC_RELEASE);
}

int bus_run_as(bus_svc_t s, int (*fn)(void *ctx), void *ctx)
{
	BUS_GUARD();
	struct bus_cpu *bc = here();
	unsigned int saved_depth = bc->depth;
	struct bus_lineage lin;
	int rc;

	if (!svc_get(s))
		return -AE_EINVAL;
	if (svcs[s].in_chain_of == bus_cpu() + 1 ||
	    bc->depth >= BUS_CHAIN_MAX)
		return -AE_EDEADLK;
	if (bus_cpu() != 0 && !(svcs[s].flags & BUS_SVC_F_ANYCPU))
		return -AE_EXDEV;
	if (wait_free(s))
		return -AE_EDEADLK;
	bc = here();	/* a thread waiting may have moved */
	/* what fn posts descends from what the caller handles, if any */
	bus_lineage_current(&lin);
	chain_push(bc, s, svcs[s].prio, &lin, BUS_SVC_KERNEL);
	rc = fn(ctx);
	chain_cut(here(), saved_depth);	/* as before, whatever fn did */
	return rc;
}

static void fault(bus_svc_t s, const struct bus_lineage *lin)
{
	struct bus_cpu *bc = here();
	struct { uint32_t svc, gen; } ev = { s, svcs[s].gen };
	const struct bus_lineage *was = bc->cause_forced;

	svcs[s].stats.faults++;
	svcs[s].st = BUS_SVC_FAILED;
	flush(s);
	bus_grant_end_owner(s);
	/* the bus's own event, whoever's handler called the one that
	 * faulted; it descends from the message that faulted */
	bc->cause_forced = lin;
	publish(bc, BUS_SVC_KERNEL, topic_svc_failed, 0, &ev, sizeof(ev));
	bc->cause_forced = was;
}

/* Run s's handler for m with s pushed on the call chain, and record the
 * dispatch in the trace. */
static BUS_HOT int run_handler(struct bus_cpu *bc, bus_svc_t s,
		       const struct bus_msg *m, const struct bus_lineage *lin,
		       struct bus_msg *reply, bool inl, uint64_t *clock)
{
	struct svc *v = &svcs[s];
	struct trace_rec *tr;
	uint64_t t0 = *clock, t1;
	unsigned int saved_depth = bc->depth, held;
	int rc;

	if (m->kind == BUS_REQUEST) {
		memset(reply, 0, offsetof(struct bus_msg, data));
		reply->topic = m->topic;
		reply->kind = BUS_REPLY;
		reply->prio = m->prio;
		reply->src = s;
		reply->dst = m->src;
		reply->corr = m->corr;
	} else {
		reply->len = 0;
	}
	lin = chain_push(bc, s, m->prio, lin, m->src);
	/* The handler runs without the bus lock, so other CPUs go on, when
	 * this CPU entered the bus once to run it (a dispatch, or a call
	 * from a handler or a thread). Called from inside the bus itself (its
	 * tables grow from kmalloc, whose slabs come from the mm service),
	 * the lock stays held: the bus code further up this CPU's stack is
	 * half-way through a change no other CPU may see or make. */
	held = bus_smp() && bus_lock_depth() == 1 ? bus_lock_drop() : 0;
	rc = guard ? guard(v->fn, v->state, m, reply) :
		     v->fn(v->state, m, reply);
	if (held)
		bus_lock_retake(held);
	/* a service that failed: the tables change, with the bus whole,
	 * taken while s is still on this CPU's chain (so no other CPU can
	 * remove it in between) */
	if (rc == -AE_ENOTRECOVERABLE)
		bus_lock_upgrade();
	t1 = now();
	*clock = t1;
	/* counted while s is on this CPU's chain: once off it, a CPU it was
	 * placed on meanwhile may run it and count too */
	v->stats.handled++;
	v->stats.run += t1 - t0;
	/* As before the handler ran, whatever it did: a fault that the guard
	 * caught may have left an inner call's entry behind. */
	chain_cut(bc, saved_depth);
	tr = trace_begin(bc->cpu);	/* filled in place */
	tr->ts = t0;
	tr->wait = inl || t0 < m->ts ? 0 :
		   (uint32_t)MIN(t0 - m->ts, 0xffffffffu);
	tr->run = (uint32_t)MIN(t1 - t0, 0xffffffffu);
	tr->corr = m->corr;
	tr->topic = m->topic;
	tr->src = m->src;
	tr->dst = s;
	tr->kind = m->kind;
	tr->prio = m->prio;
	tr->status = (int16_t)(rc > 0 ? 0 : rc);
	tr->inline_call = inl;
	tr->cpu = (uint8_t)bc->cpu;
	tr->id = lin->id;
	tr->parent = lin->parent;
	tr->trace = lin->trace;
	tr->pad = 0;
	trace_commit(tr);	/* printed later, by trace_pump */
	if (reply->len > BUS_INLINE_MAX)
		reply->len = BUS_INLINE_MAX;
	if (m->kind == BUS_REQUEST && rc >= 0 &&
	    contract_check_reply(m, reply->len)) {
		rc = -AE_EBADMSG;
		reply->len = 0;
	}
	if (rc == -AE_ENOTRECOVERABLE) {
		fault(s, lin);
		rc = -AE_ESHUTDOWN;
	} else if (rc > 0) {
		rc = 0;
	}
	reply->status = (int16_t)rc;
	return rc;
}

static int call_wait(bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		     int prio, const void *data, size_t len,
		     struct bus_msg *reply, uint64_t timeout,
		     const struct bus_waiter_ops *ops, void *ctx);

/* How a thread waits (the scheduler's, bus_set_thread_waiter), or NULL. */
static bus_thread_waiter_fn thread_waiter;

void bus_set_thread_waiter(bus_thread_waiter_fn fn)
{
	thread_waiter = fn;
}

static int call(bus_svc_t dst, bus_topic_t topic, const void *data,
		size_t len, struct bus_msg *reply);

/* An inline call to a service placed on this CPU, without routing rules,
 * needs only this CPU's own lock; any other, the bus whole. */
int bus_call(bus_svc_t dst, bus_topic_t topic, const void *data, size_t len,
	     struct bus_msg *reply)
{
	int rc;

	if (bus_lock_local() && (dst >= BUS_SVC_MAX ||
				 !route_none(topic, bus_current(), dst) ||
				 svcs[dst].cpu != bus_cpu() ||
				 (bus_cpu() != 0 &&
				  !(svcs[dst].flags & BUS_SVC_F_ANYCPU))))
		bus_lock_upgrade();
	rc = call(dst, topic, data, len, reply);
	bus_unlock();
	return rc;
}

static int call(bus_svc_t dst, bus_topic_t topic, const void *data,
		size_t len, struct bus_msg *reply)
{
	struct bus_cpu *bc = here();
	struct bus_msg m;
	struct bus_msg scratch;
	uint64_t clock;
	uint8_t prio = (uint8_t)(bc->depth ? bc->chain[bc->depth - 1].prio
				       : BUS_PRIO_DEFAULT);
	int rc = check_args(topic, data, len);

	if (rc)
		return rc;
	if (!svc_get(dst))
		return -AE_EINVAL;
	/* a service bound to the boot CPU runs nowhere else (a redirect by
	 * a rule is checked again below): a thread on another CPU has the
	 * request queued for it and waits for the reply, as sched_call
	 * does; a handler is refused */
	if (bus_cpu() != 0 && !(svcs[dst].flags & BUS_SVC_F_ANYCPU)) {
		const struct bus_waiter_ops *ops;
		void *ctx = NULL;

		if (!bc->depth && thread_waiter &&
		    (ops = thread_waiter(&ctx)) != NULL)
			return call_wait(BUS_SVC_KERNEL, dst, topic, prio, data,
					 len, reply, 0, ops, ctx);
		return -AE_EXDEV;
	}
	rc = contract_check(topic, BUS_REQUEST, bus_current(), dst, len);
	if (rc)
		return rc;
	if (!route_none(topic, bus_current(), dst)) {
		struct route_verdict v = { .dst = dst, .prio = prio };

		route_apply(&v, topic, bus_current(), BUS_REQUEST, false,
			    now());
		if (v.rc) {
			cnt_add(&svcs[dst].stats.drops, 1);
			tst(topic)->copies++;
			tst(topic)->drops++;
			return v.rc;
		}
		/* a redirect must reach a service that serves it too */
		if (v.dst != dst) {
			rc = contract_check(topic, BUS_REQUEST, bus_current(),
					    v.dst, len);
			if (rc)
				return rc;
		}
		if (v.nmirrors)
			mirror(here(), &v, bus_current(), v.dst, topic, v.prio,
			       data, len);
		dst = v.dst;
		prio = v.prio;
	}
	if (svcs[dst].st != BUS_SVC_RUNNING)
		return -AE_ESHUTDOWN;
	if (svcs[dst].in_chain_of == bus_cpu() + 1 ||
	    bc->depth >= BUS_CHAIN_MAX)
		return -AE_EDEADLK;
	if (bus_cpu() != 0 && !(svcs[dst].flags & BUS_SVC_F_ANYCPU))
		return -AE_EXDEV;
	rc = wait_free(dst);
	if (rc)
		return rc;
	bc = here();	/* a thread waiting may have moved */
	if (svcs[dst].st != BUS_SVC_RUNNING)	/* it stopped meanwhile */
		return -AE_ESHUTDOWN;
	{
		struct tcount *tc = tst(topic);

		tc->published++;
		tc->copies++;		/* run now, below */
		tc->delivered++;
	}
	clock = now();
	fill(&m, topic, BUS_REQUEST, prio, bus_current(), dst, data, len,
	     clock);
	m.corr = new_corr();
	/* its lineage is made as it goes on the chain */
	return run_handler(bc, dst, &m, NULL, reply ? reply : &scratch, true,
			   &clock);
}

static int call_wait(bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		     int prio, const void *data, size_t len,
		     struct bus_msg *reply, uint64_t timeout,
		     const struct bus_waiter_ops *ops, void *ctx)
{
	struct bus_cpu *bc = here();
	struct waiter *w = NULL;
	uint32_t corr;
	int p = resolve_prio(bc, prio), rc = check_args(topic, data, len);
	uint64_t deadline;

	if (bc->depth)
		return -AE_EDEADLK;	/* handlers call inline: bus_call */
	if (rc)
		return rc;
	if (p < 0)
		return p;
	if (!svc_get(dst) || !ops || !ops->block || !ops->wake)
		return -AE_EINVAL;
	rc = contract_check(topic, BUS_REQUEST, src, dst, len);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < BUS_WAITERS_MAX && !w; i++)
		if (!waiters[i].corr)
			w = &waiters[i];
	if (!w)
		return -AE_ENOSPC;
	corr = new_corr();
	w->corr = corr;
	w->done = false;
	w->ops = ops;
	w->ctx = ctx;
	tst(topic)->published++;
	w->src = src;
	w->dst = dst;
	w->topic = topic;
	w->since = now();
	if (src != BUS_SVC_KERNEL)
		waiting_as++;
	rc = post(bc, src, dst, topic, BUS_REQUEST, (uint8_t)p, data, len, corr,
		  true, 0, false, NULL);
	if (rc) {
		waiter_free(w);
		return rc;
	}
	deadline = timeout ? now() + timeout : 0;	/* 0: none */
	while (!w->done) {
		/* the thread sleeps without the bus lock */
		unsigned int held = bus_lock_drop();
		int b = ops->block(ctx, deadline);

		bus_lock_retake(held);
		if (b == -AE_ETIMEDOUT && !w->done) {
			waiter_free(w);	/* a late reply becomes a drop */
			return -AE_ETIMEDOUT;
		}
	}
	if (reply)
		*reply = w->reply;
	rc = w->reply.status;
	waiter_free(w);
	return rc;
}

int bus_call_wait(bus_svc_t dst, bus_topic_t topic, int prio,
		  const void *data, size_t len, struct bus_msg *reply,
		  uint64_t timeout, const struct bus_waiter_ops *ops,
		  void *ctx)
{
	BUS_GUARD();
	return call_wait(BUS_SVC_KERNEL, dst, topic, prio, data, len, reply,
			 timeout, ops, ctx);
}

int bus_call_wait_as(bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		     int prio, const void *data, size_t len,
		     struct bus_msg *reply, uint64_t timeout,
		     const struct bus_waiter_ops *ops, void *ctx)
{
	BUS_GUARD();
	int rc = as_ok(src);

	return rc ? rc : call_wait(src, dst, topic, prio, data, len, reply,
				   timeout, ops, ctx);
}

/* Deliver one queued message (slot i) to its destination; *clock is the
 * time it starts (and, on return, the time it ended). The handler reads
 * the message in its pool slot, which is freed after it returns. */
static BUS_HOT void deliver(struct bus_cpu *bc, unsigned int i, uint64_t *clock)
{
	struct bus_msg *m = q_msg(i);
	struct bus_msg reply;
	struct svc *v = &svcs[m->dst];
	struct sub *sub = q_sub(i);
	const struct bus_lineage *lin = q_lineage(i);
	uint32_t g;

	/* a dead subscription's last message frees it (the dead list is the
	 * bus's): with the bus whole */
	if (sub && sub->dead)
		bus_lock_upgrade();
	/* another CPU may be running it (an inline call): its handlers never
	 * run at once; the dispatcher holds no service, so this cannot
	 * close a cycle */
	if (v->in_chain_of) {
		wait_free(m->dst);
		bc = here();	/* a thread waiting may have moved */
	}
	__atomic_store_n(&v->moved, *clock, __ATOMIC_RELAXED);
	if (v->st != BUS_SVC_RUNNING) {
		/* Only possible if state changed without flush: defensive. */
		dequeue_lost(i);
		q_free(i);
		return;
	}
	pending_give(v);
	{
		/* one look in this CPU's counts: the handler may post to
		 * other topics, and their slots may take this one's */
		struct tcount *tc = tst_on(bc->cpu, m->topic);

		tc->queued--;
		tc->delivered++;	/* its handler runs now, below */
	}
	if (sub) {
		/* counted before the handler runs: it may unsubscribe */
		sub->queued--;
		sub->delivered++;
		if (!bus_smp()) {
			g = sub->gap;
			sub->gap = 0;
		} else {
			g = __atomic_exchange_n(&sub->gap, 0,
						__ATOMIC_RELAXED);
		}
		m->gap = (uint16_t)MIN(g, 0xffffu);
		if (sub->dead && !sub->queued)
			sub_bury(sub);
	}
	bc->running_since = *clock ? *clock : 1;
	bc->running = m;
	run_handler(bc, m->dst, m, lin, &reply, false, clock);
	bc->running = NULL;
	bc->running_since = 0;
	if (m->kind == BUS_REQUEST) {
		/* a thread waiting for it (the waiters are the bus's), or a
		 * service this CPU cannot queue for alone: the bus whole */
		if (m->src >= BUS_SVC_MAX || waiting_as ||
		    !q_room_on(bc->cpu, 1) ||
		    !local_dst_ok(bc->cpu, m->topic, m->dst, m->src, NULL))
			bus_lock_upgrade();
		post_reply(m, lin, reply.status, &reply);
	}
	q_free_on(bc->cpu, i);
}

/* Turn waiting interrupt lines into events; a line whose event cannot be
 * queued keeps its count (coalesced further) for the next round. */
static void drain_irqs(void)
{
	struct bus_cpu *bc = here();
	unsigned int line;
	uint32_t n;
	uint64_t ts;

	for (unsigned int k = irq_waiting(); k; k--) {
		struct bus_irq_event ev;
		bus_topic_t t;
		struct sub *const *subs;
		unsigned int nsubs;
		uint32_t seq;
		bool refused = false;

		if (irq_take(&line, &n, &ts))
			break;
		if (!n)
			continue;
		t = irq_topic(line);
		ev.line = line;
		ev.count = n;
		tst(t)->published++;
		/* All or nothing per line: a partial delivery would give
		 * some subscribers the interrupt twice. */
		subs = sl_subs(&topic_subs[t]);
		nsubs = topic_subs[t].n;
		for (unsigned int j = 0; j < nsubs; j++) {
			struct svc *v = &svcs[subs[j]->svc];

			if (v->st == BUS_SVC_RUNNING &&
			    pending_of(v) >= v->qlimit)
				refused = true;
		}
		if (refused || !q_room(nsubs)) {
			irq_putback(line, n, ts);
			continue;
		}
		/* Stamped with the top half's post time, so queue wait and
		 * a subscriber's latency count from the interrupt. */
		bc->post_ts = ts;
		bc->batch_post = true;
		seq = next_seq(t);
		for (unsigned int j = 0; j < nsubs; j++)
			post(bc, BUS_SVC_KERNEL, subs[j]->svc, t, BUS_EVENT, 0, &ev,
			     sizeof(ev), seq, false, 0, true, subs[j]);
		bc->batch_post = false;
	}
}

/* One dispatch; *clock is now on entry and the handler's end on exit, so
 * back-to-back dispatches read the clock once each. */
static BUS_HOT int dispatch_one(uint64_t *clock)
{
	unsigned int me = bus_cpu();
	int i;

	/* the interrupt lines are the boot CPU's: it turns them into events
	 * for their subscribers, wherever those are placed */
	if (me == 0 && irq_waiting())
		drain_irqs();
	i = q_pop(me);
	if (i < 0)
		return 0;
	deliver(here(), (unsigned int)i, clock);
	return 1;
}

int bus_dispatch(void)
{
	BUS_GUARD();
	uint64_t clock;

	if (here()->depth)
		return -AE_EBUSY;
	clock = now();
	return dispatch_one(&clock);
}

unsigned int bus_run(unsigned int max)
{
	unsigned int n = 0;
	uint64_t clock;

	/* Nothing for this CPU: no lock is taken (an idle CPU's timer would
	 * otherwise take it at every tick). A hint read without it: a post
	 * that races the look kicks this CPU when it sleeps, or is seen at
	 * the caller's next round. */
	if (bus_smp() && !bus_pending())
		return 0;
	clock = now();
	while (n < max) {
		/* looked up each round: a thread that dispatches may have
		 * moved between two */
		struct bus_cpu *bc = here();
		unsigned int me = bc->cpu;
		int i;

		/* the interrupt lines are the boot CPU's: it turns them into
		 * events for their subscribers, wherever those are placed,
		 * with the bus whole (their counts and pool are the bus's) */
		if (me == 0 && irq_waiting()) {
			bus_lock();
			if (!bc->depth)
				drain_irqs();
			bus_unlock_on(me);
		}
		/* each message under this CPU's own lock: what came in its
		 * inbox first, then its most urgent (deliver takes the bus
		 * whole where it must) */
		bus_lock_local_on(me);
		if (bc->depth) {	/* inside a handler: not here */
			bus_unlock_on(me);
			break;
		}
		if (bus_lock_is_local_on(me))
			inbox_take(me);
		i = q_pop(me);
		if (i < 0) {
			bus_unlock_on(me);
			break;
		}
		deliver(bc, (unsigned int)i, &clock);
		bus_unlock_on(me);
		n++;
	}
	return n;
}

static void watch_view(struct bus_watch_view *v);

bool bus_watch_view(struct bus_watch_view *v, bool try_only)
{
	if (try_only) {
		if (!bus_lock_try())
			return false;	/* another CPU is in the bus */
	} else {
		bus_lock();
	}
	watch_view(v);
	bus_unlock();
	return true;
}

static void watch_view(struct bus_watch_view *v)
{
	struct bus_cpu *bc = here();
	static const char *const kinds[] = { "event", "request", "reply" };
	const struct bus_msg *m = bc->running;

	v->depth = bc->depth;
	for (unsigned int i = 0; i < bc->depth && i < BUS_CHAIN_MAX; i++)
		v->chain[i] = bc->chain[i].svc;
	v->since = m ? bc->running_since : 0;
	v->topic = m ? m->topic : 0;
	v->src = m ? m->src : BUS_SVC_KERNEL;
	v->kind_name = m && m->kind < 3 ? kinds[m->kind] : "call";
	v->nwaiters = 0;
	for (unsigned int i = 0; i < BUS_WAITERS_MAX; i++) {
		const struct waiter *w = &waiters[i];

		if (!w->corr || w->done)
			continue;
		v->waiters[v->nwaiters].src = w->src;
		v->waiters[v->nwaiters].dst = w->dst;
		v->waiters[v->nwaiters].topic = w->topic;
		v->waiters[v->nwaiters].corr = w->corr;
		v->waiters[v->nwaiters].since = w->since;
		v->nwaiters++;
	}
	v->nsvcs = svc_hi;
	for (unsigned int s = 0; s < svc_hi; s++) {
		v->pending[s] = svcs[s].st == BUS_SVC_FREE ? 0
							   : pending_of(&svcs[s]);
		v->moved[s] = svcs[s].moved;
	}
}

/* A hint, read without the lock (interrupt exit asks it): the count may
 * change at once. */
unsigned int bus_pending(void)
{
	return bus_pending_on(bus_cpu());
}

