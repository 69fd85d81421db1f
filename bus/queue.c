/*
 * queue.c - the message pool and the dispatcher's priority queue.
 *
 * The pool is chunks of QCHUNK messages: the first BUS_POOL_SIZE are
 * static (boot needs them before any allocator exists), more come from
 * bus_alloc when every slot is taken, up to QCHUNKS_MAX chunks, and go
 * back once every slot is free again. A slot's links live beside its
 * message in a parallel chunk.
 *
 * Each CPU has its own queue (the messages for the services placed on
 * it, bus_svc_place): one doubly-linked FIFO per level and a bitmap of
 * the non-empty levels: level 0 holds interrupt events, so they overtake
 * everything; priority p is level p+1. Enqueue is a tail append, dequeue takes the head of the
 * lowest set bit: both O(1), and FIFO within a priority by construction.
 * Each destination's messages are also on a doubly-linked list of their
 * own, so a service leaving RUNNING gives back its queue in time linear
 * in that queue. Free slots form a stack on the level links.
 *
 * Under the bus lock (bus/lock.c); interrupts post through irq.c.
 */
#include <string.h>
#include <aegis/errno.h>
#include "bus_internal.h"

#define QCHUNK_SHIFT	6
#define QCHUNK		(1u << QCHUNK_SHIFT)	/* 64 messages: 4 KiB */
#define QSTATIC		(BUS_POOL_SIZE / QCHUNK)
#define QNIL		0xffffffffu
#define LEVELS		(BUS_PRIOS + 1)

_Static_assert(BUS_POOL_SIZE % QCHUNK == 0, "whole chunks");
_Static_assert(QCHUNK * sizeof(struct bus_msg) <= BUS_MEM_BLOCK_MAX,
	       "a chunk is one block");

struct qlink {
	uint32_t next, prev;	/* its level's FIFO; next: the free stack */
	uint32_t dnext, dprev;	/* its destination's list */
	uint16_t level;		/* the level it is queued on */
	uint16_t cpu;		/* ... of that CPU's queue */
	void *sub;		/* the subscription it came through, or NULL */
	struct bus_lineage lin;	/* its message's */
};

static struct bus_msg base_msgs[BUS_POOL_SIZE];
static struct qlink base_links[BUS_POOL_SIZE];
static struct bus_msg *msgs[QCHUNKS_MAX];
static struct qlink *links[QCHUNKS_MAX];
static unsigned int nchunks;

static struct qcpu {
	uint32_t lhead[LEVELS], ltail[LEVELS];
	uint32_t levels;	/* bit p: level p non-empty */
	unsigned int queued;
} qc[BUS_CPUS];
static uint32_t dhead[BUS_SVC_MAX], dtail[BUS_SVC_MAX];
static uint32_t free_top;
static unsigned int queued, nfree;
static struct bus_pool_stats pstats;

static inline struct qlink *L(uint32_t i)
{
	return &links[i >> QCHUNK_SHIFT][i & (QCHUNK - 1)];
}

struct bus_msg *q_msg(unsigned int i)
{
	return &msgs[i >> QCHUNK_SHIFT][i & (QCHUNK - 1)];
}

/* Chunk c's slots onto the free stack (the lowest on top). */
static void chunk_free_all(unsigned int c)
{
	for (unsigned int k = QCHUNK; k-- > 0;) {
		uint32_t i = c * QCHUNK + k;

		L(i)->next = free_top;
		free_top = i;
	}
	nfree += QCHUNK;
}

static void release_grown(void)
{
	while (nchunks > QSTATIC) {
		nchunks--;
		bus_free(msgs[nchunks], QCHUNK * sizeof(struct bus_msg));
		bus_free(links[nchunks], QCHUNK * sizeof(struct qlink));
		msgs[nchunks] = NULL;
		links[nchunks] = NULL;
	}
}

void q_reset(void)
{
	release_grown();
	for (unsigned int c = 0; c < QSTATIC; c++) {
		msgs[c] = &base_msgs[c * QCHUNK];
		links[c] = &base_links[c * QCHUNK];
	}
	nchunks = QSTATIC;
	free_top = QNIL;
	nfree = 0;
	for (unsigned int c = QSTATIC; c-- > 0;)
		chunk_free_all(c);
	for (unsigned int c = 0; c < BUS_CPUS; c++) {
		for (unsigned int p = 0; p < LEVELS; p++)
			qc[c].lhead[p] = qc[c].ltail[p] = QNIL;
		qc[c].levels = 0;
		qc[c].queued = 0;
	}
	for (unsigned int s = 0; s < BUS_SVC_MAX; s++)
		dhead[s] = dtail[s] = QNIL;
	queued = 0;
	memset(&pstats, 0, sizeof(pstats));
}

/* One more chunk from bus memory; false when there is none. */
static bool grow(void)
{
	struct bus_msg *m;
	struct qlink *l;

	if (nchunks == QCHUNKS_MAX) {
		pstats.grow_fails++;
		return false;
	}
	m = bus_alloc(QCHUNK * sizeof(struct bus_msg));
	l = m ? bus_alloc(QCHUNK * sizeof(struct qlink)) : NULL;
	if (!l) {
		bus_free(m, QCHUNK * sizeof(struct bus_msg));
		pstats.grow_fails++;
		return false;
	}
	msgs[nchunks] = m;
	links[nchunks] = l;
	chunk_free_all(nchunks++);
	pstats.grows++;
	if (nchunks * QCHUNK > pstats.slots_max)
		pstats.slots_max = nchunks * QCHUNK;
	return true;
}

bool q_room(unsigned int n)
{
	while (nfree < n)
		if (!grow())
			return false;
	return true;
}

int q_alloc(void)
{
	uint32_t i;

	if (free_top == QNIL && !grow())
		return -AE_EAGAIN;
	i = free_top;
	free_top = L(i)->next;
	nfree--;
	return (int)i;
}

void q_free(unsigned int i)
{
	L(i)->next = free_top;
	free_top = i;
	nfree++;
	/* every slot free and some were grown: give them back (the free
	 * stack is rebuilt over the static chunks) */
	if (nchunks > QSTATIC && nfree == nchunks * QCHUNK) {
		release_grown();
		free_top = QNIL;
		nfree = 0;
		for (unsigned int c = QSTATIC; c-- > 0;)
			chunk_free_all(c);
		pstats.shrinks++;
	}
}

/* Slot i at the tail of level p of CPU c's queue. */
static void level_append(uint32_t i, unsigned int p, unsigned int c)
{
	struct qcpu *q = &qc[c];
	struct qlink *l = L(i);

	l->level = (uint16_t)p;
	l->cpu = (uint16_t)c;
	l->next = QNIL;
	l->prev = q->ltail[p];
	if (q->ltail[p] == QNIL)
		q->lhead[p] = i;
	else
		L(q->ltail[p])->next = i;
	q->ltail[p] = i;
	q->levels |= 1u << p;
	q->queued++;
}

/* Slot i off its level's FIFO. */
static void level_unlink(uint32_t i)
{
	struct qlink *l = L(i);
	struct qcpu *q = &qc[l->cpu];
	unsigned int p = l->level;

	if (l->prev == QNIL)
		q->lhead[p] = l->next;
	else
		L(l->prev)->next = l->next;
	if (l->next == QNIL)
		q->ltail[p] = l->prev;
	else
		L(l->next)->prev = l->prev;
	if (q->lhead[p] == QNIL)
		q->levels &= ~(1u << p);
	q->queued--;
}

void q_push(unsigned int i, bool irq, unsigned int cpu)
{
	struct bus_msg *m = q_msg(i);
	unsigned int p = irq ? 0 : m->prio + 1u;
	bus_svc_t d = m->dst;
	struct qlink *l = L(i);

	l->sub = NULL;
	level_append(i, p, cpu < BUS_CPUS ? cpu : 0);
	l->dnext = QNIL;
	l->dprev = dtail[d];
	if (dtail[d] == QNIL)
		dhead[d] = i;
	else
		L(dtail[d])->dnext = i;
	dtail[d] = i;
	queued++;
}

/* Take slot i off both its lists. */
static void unlink_slot(uint32_t i)
{
	struct qlink *l = L(i);
	bus_svc_t d = q_msg(i)->dst;

	level_unlink(i);
	if (l->dprev == QNIL)
		dhead[d] = l->dnext;
	else
		L(l->dprev)->dnext = l->dnext;
	if (l->dnext == QNIL)
		dtail[d] = l->dprev;
	else
		L(l->dnext)->dprev = l->dprev;
	queued--;
}

int q_pop(unsigned int cpu)
{
	struct qcpu *q = &qc[cpu < BUS_CPUS ? cpu : 0];
	unsigned int p;
	uint32_t i;

	if (!q->levels)
		return -AE_ENOENT;
	p = (unsigned int)__builtin_ctz(q->levels);
	i = q->lhead[p];
	unlink_slot(i);
	return (int)i;
}

void q_move(bus_svc_t dst, unsigned int cpu)
{
	for (uint32_t i = dhead[dst]; i != QNIL; i = L(i)->dnext) {
		unsigned int p = L(i)->level;

		level_unlink(i);
		level_append(i, p, cpu);
	}
}

unsigned int q_count_on(unsigned int cpu)
{
	return cpu < BUS_CPUS ? qc[cpu].queued : 0;
}

void q_set_sub(unsigned int i, void *sub)
{
	L(i)->sub = sub;
}

void *q_sub(unsigned int i)
{
	return L(i)->sub;
}

struct bus_lineage *q_lineage(unsigned int i)
{
	return &L(i)->lin;
}

int q_find_for(bus_svc_t dst, const void *sub, int topic, bool newest)
{
	uint32_t i = newest ? dtail[dst] : dhead[dst];

	while (i != QNIL) {
		if (L(i)->sub == sub &&
		    (topic < 0 || q_msg(i)->topic == (bus_topic_t)topic))
			return (int)i;
		i = newest ? L(i)->dprev : L(i)->dnext;
	}
	return -AE_ENOENT;
}

void q_unlink(unsigned int i)
{
	unlink_slot(i);
}

int q_take_for(bus_svc_t dst)
{
	uint32_t i = dhead[dst];

	if (i == QNIL)
		return -AE_ENOENT;
	unlink_slot(i);
	return (int)i;
}

bool q_topic_queued(bus_topic_t t)
{
	for (unsigned int c = 0; c < BUS_CPUS; c++)
		for (unsigned int p = 0; qc[c].queued && p < LEVELS; p++)
			for (uint32_t i = qc[c].lhead[p]; i != QNIL;
			     i = L(i)->next)
				if (q_msg(i)->topic == t)
					return true;
	return false;
}

unsigned int q_count(void)
{
	return queued;
}

unsigned int q_free_count(void)
{
	return nfree;
}

void bus_pool_stats(struct bus_pool_stats *out)
{
	BUS_GUARD();
	*out = pstats;
	out->slots = nchunks * QCHUNK;
	out->free = nfree;
	out->queued = queued;
	if (out->slots_max < BUS_POOL_SIZE)
		out->slots_max = BUS_POOL_SIZE;
}
