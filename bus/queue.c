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
 * in that queue.
 *
 * Free slots form stacks on the level links: one per CPU, which that CPU
 * takes from and gives back to under its own lock, and one shared,
 * touched only with the bus held whole: it refills a CPU's stack (a
 * batch at a time, taking from the fullest CPU when it is empty itself,
 * and growing the pool when every stack is empty) and takes what a CPU
 * has beyond two batches. A CPU holding only its own lock allocates from
 * its own stack alone; bus.c makes sure it has enough first (q_room_on).
 *
 * Each CPU also has an inbox: messages other CPUs, holding only their own
 * locks, queued for the services placed on it. It is a stack pushed with
 * a compare-and-swap and taken whole with one exchange by the CPU itself
 * (or by a CPU holding the bus whole), then reversed: each sender's
 * messages stay in the order it sent them.
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
} __attribute__((aligned(64))) qc[BUS_CPUS];
/* Each destination's list: a line per service, as services placed on
 * different CPUs are queued for at once. */
static struct {
	uint32_t head, tail;
} __attribute__((aligned(64))) dq[BUS_SVC_MAX];
#define dhead(d) (dq[d].head)
#define dtail(d) (dq[d].tail)
static uint32_t free_top;	/* the shared free stack */
static unsigned int nfree;	/* ... its slots */
/* Each CPU's free stack and inbox (a line of its own). */
static struct qfree {
	uint32_t top;
	unsigned int n;
	uint32_t inbox;		/* pushed by others: QNIL empty */
} __attribute__((aligned(64))) fc[BUS_CPUS];
#define QBATCH	32
static struct bus_pool_stats pstats;

static BUS_HOT struct qlink *L(uint32_t i)
{
	return &links[i >> QCHUNK_SHIFT][i & (QCHUNK - 1)];
}

BUS_HOT struct bus_msg *q_msg(unsigned int i)
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
		dhead(s) = dtail(s) = QNIL;
	for (unsigned int c = 0; c < BUS_CPUS; c++) {
		fc[c].top = fc[c].inbox = QNIL;
		fc[c].n = 0;
	}
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

/* With the bus held whole (or on one CPU): may the shared stack and
 * other CPUs' stacks be touched? */
static BUS_HOT bool whole_on(unsigned int cpu)
{
	return !bus_smp() || !bus_lock_is_local_on(cpu);
}

static unsigned int free_all(void)
{
	unsigned int n = nfree;

	for (unsigned int c = 0; c < BUS_CPUS; c++)
		n += fc[c].n;
	return n;
}

/* Move up to n slots from stack *top (count *cnt) to CPU f's. */
static void move_free(uint32_t *top, unsigned int *cnt, struct qfree *f,
		      unsigned int n)
{
	while (n-- && *top != QNIL) {
		uint32_t i = *top;

		*top = L(i)->next;
		(*cnt)--;
		L(i)->next = f->top;
		f->top = i;
		f->n++;
	}
}

/* Whole: CPU f's stack holds at least want slots, from the shared stack,
 * the fullest CPU's, or new chunks; false when none of those has them. */
static bool refill(struct qfree *f, unsigned int want)
{
	while (f->n < want) {
		struct qfree *rich = NULL;

		if (nfree) {
			move_free(&free_top, &nfree, f, want - f->n + QBATCH);
			continue;
		}
		for (unsigned int c = 0; c < BUS_CPUS; c++)
			if (&fc[c] != f && fc[c].n && (!rich ||
						       fc[c].n > rich->n))
				rich = &fc[c];
		if (rich) {
			move_free(&rich->top, &rich->n, f, (rich->n + 1) / 2);
			continue;
		}
		if (!grow())
			return false;
	}
	return true;
}

bool q_room(unsigned int n)
{
	return refill(&fc[bus_cpu()], n);
}

bool q_room_on(unsigned int cpu, unsigned int n)
{
	return fc[cpu].n >= n;
}

BUS_HOT int q_alloc_on(unsigned int cpu)
{
	struct qfree *f = &fc[cpu];
	uint32_t i;

	if (f->top == QNIL && (!whole_on(cpu) || !refill(f, 1)))
		return -AE_EAGAIN;
	i = f->top;
	f->top = L(i)->next;
	f->n--;
	return (int)i;
}

void q_free(unsigned int i)
{
	q_free_on(bus_cpu(), i);
}

BUS_HOT void q_free_on(unsigned int cpu, unsigned int i)
{
	struct qfree *f = &fc[cpu];

	L(i)->next = f->top;
	f->top = i;
	f->n++;
	if (!whole_on(cpu))
		return;
	while (f->n > 2 * QBATCH) {	/* the excess to the shared stack */
		uint32_t j = f->top;

		f->top = L(j)->next;
		f->n--;
		L(j)->next = free_top;
		free_top = j;
		nfree++;
	}
	q_trim();
}

static void q_trim_slow(void);

/* Called at every free: only a grown pool has anything to give back. */
BUS_HOT void q_trim(void)
{
	if (nchunks > QSTATIC)
		q_trim_slow();
}

static void q_trim_slow(void)
{
	/* every slot free and some were grown: give them back (the free
	 * stacks are rebuilt over the static chunks) */
	if (free_all() == nchunks * QCHUNK) {
		release_grown();
		free_top = QNIL;
		nfree = 0;
		for (unsigned int c = 0; c < BUS_CPUS; c++) {
			fc[c].top = QNIL;
			fc[c].n = 0;
		}
		for (unsigned int c = QSTATIC; c-- > 0;)
			chunk_free_all(c);
		pstats.shrinks++;
	}
}

void q_inbox_push(unsigned int i, unsigned int cpu)
{
	uint32_t *head = &fc[cpu < BUS_CPUS ? cpu : 0].inbox;
	uint32_t old = __atomic_load_n(head, __ATOMIC_RELAXED);

	do
		L(i)->next = old;
	while (!__atomic_compare_exchange_n(head, &old, i, true,
					    __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
}

bool q_inbox_waiting(unsigned int cpu)
{
	return cpu < BUS_CPUS &&
	       __atomic_load_n(&fc[cpu].inbox, __ATOMIC_RELAXED) != QNIL;
}

int q_inbox_take(unsigned int cpu)
{
	uint32_t i, fifo = QNIL;

	if (!q_inbox_waiting(cpu))
		return -AE_ENOENT;
	i = __atomic_exchange_n(&fc[cpu].inbox, QNIL, __ATOMIC_ACQUIRE);
	while (i != QNIL) {	/* newest first: reversed */
		uint32_t next = L(i)->next;

		L(i)->next = fifo;
		fifo = i;
		i = next;
	}
	return fifo == QNIL ? -AE_ENOENT : (int)fifo;
}

int q_inbox_next(unsigned int i)
{
	uint32_t next = L(i)->next;

	return next == QNIL ? -AE_ENOENT : (int)next;
}

/* Slot i at the tail of level p of CPU c's queue. */
static BUS_HOT void level_append(uint32_t i, unsigned int p, unsigned int c)
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
static BUS_HOT void level_unlink(uint32_t i)
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

BUS_HOT void q_push(unsigned int i, bool irq, unsigned int cpu)
{
	struct bus_msg *m = q_msg(i);
	unsigned int p = irq ? 0 : m->prio + 1u;
	bus_svc_t d = m->dst;
	struct qlink *l = L(i);

	l->sub = NULL;
	level_append(i, p, cpu < BUS_CPUS ? cpu : 0);
	l->dnext = QNIL;
	l->dprev = dtail(d);
	if (dtail(d) == QNIL)
		dhead(d) = i;
	else
		L(dtail(d))->dnext = i;
	dtail(d) = i;
}

/* Take slot i off both its lists. */
static BUS_HOT void unlink_slot(uint32_t i)
{
	struct qlink *l = L(i);
	bus_svc_t d = q_msg(i)->dst;

	level_unlink(i);
	if (l->dprev == QNIL)
		dhead(d) = l->dnext;
	else
		L(l->dprev)->dnext = l->dnext;
	if (l->dnext == QNIL)
		dtail(d) = l->dprev;
	else
		L(l->dnext)->dprev = l->dprev;
}

BUS_HOT int q_pop(unsigned int cpu)
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
	for (uint32_t i = dhead(dst); i != QNIL; i = L(i)->dnext) {
		unsigned int p = L(i)->level;

		level_unlink(i);
		level_append(i, p, cpu);
	}
}

unsigned int q_count_on(unsigned int cpu)
{
	return cpu < BUS_CPUS ? qc[cpu].queued : 0;
}

BUS_HOT void q_set_sub(unsigned int i, void *sub)
{
	L(i)->sub = sub;
}

BUS_HOT void *q_sub(unsigned int i)
{
	return L(i)->sub;
}

BUS_HOT struct bus_lineage *q_lineage(unsigned int i)
{
	return &L(i)->lin;
}

int q_find_for(bus_svc_t dst, const void *sub, int topic, bool newest)
{
	uint32_t i = newest ? dtail(dst) : dhead(dst);

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
	uint32_t i = dhead(dst);

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
	unsigned int n = 0;

	for (unsigned int c = 0; c < BUS_CPUS; c++)
		n += qc[c].queued;
	return n;
}

unsigned int q_free_count(void)
{
	return free_all();
}

void bus_pool_stats(struct bus_pool_stats *out)
{
	BUS_GUARD();
	*out = pstats;
	out->slots = nchunks * QCHUNK;
	out->free = free_all();
	out->queued = q_count();
	if (out->slots_max < BUS_POOL_SIZE)
		out->slots_max = BUS_POOL_SIZE;
}
