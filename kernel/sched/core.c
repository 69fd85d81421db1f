/*
 * core.c - the scheduler's bookkeeping (see core.h): ready queues as
 * singly linked FIFOs threaded through the thread table, one per
 * priority; deadlines scanned linearly (64 threads at most).
 */
#include <string.h>
#include <aegis/errno.h>
#include "core.h"

void core_init(struct core *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned int p = 0; p < CORE_PRIOS; p++)
		c->head[p] = c->tail[p] = CORE_NONE;
	for (unsigned int i = 0; i < CORE_THREADS; i++)
		c->t[i].next = CORE_NONE;
}

static bool valid(const struct core *c, int id)
{
	return id >= 0 && id < CORE_THREADS && c->t[id].state != CORE_FREE;
}

static void enqueue(struct core *c, int id, bool at_head)
{
	struct core_thread *t = &c->t[id];
	unsigned int p = t->prio;

	t->state = CORE_READY;
	if (c->head[p] == CORE_NONE) {
		t->next = CORE_NONE;
		c->head[p] = c->tail[p] = (int16_t)id;
	} else if (at_head) {
		t->next = c->head[p];
		c->head[p] = (int16_t)id;
	} else {
		t->next = CORE_NONE;
		c->t[c->tail[p]].next = (int16_t)id;
		c->tail[p] = (int16_t)id;
	}
	c->nready++;
}

/* Take a READY thread out of its queue. */
static void dequeue(struct core *c, int id)
{
	unsigned int p = c->t[id].prio;
	int16_t prev = CORE_NONE, i;

	for (i = c->head[p]; i != CORE_NONE && i != id; i = c->t[i].next)
		prev = i;
	if (i == CORE_NONE)
		return;
	if (prev == CORE_NONE)
		c->head[p] = c->t[id].next;
	else
		c->t[prev].next = c->t[id].next;
	if (c->tail[p] == id)
		c->tail[p] = prev;
	c->t[id].next = CORE_NONE;
	c->nready--;
}

int core_add(struct core *c, unsigned int prio)
{
	if (prio >= CORE_PRIOS)
		return -AE_EINVAL;
	for (int i = 0; i < CORE_THREADS; i++) {
		if (c->t[i].state != CORE_FREE)
			continue;
		memset(&c->t[i], 0, sizeof(c->t[i]));
		c->t[i].prio = (uint8_t)prio;
		enqueue(c, i, false);
		return i;
	}
	return -AE_ENOSPC;
}

unsigned int core_best(const struct core *c)
{
	for (unsigned int p = 0; p < CORE_PRIOS; p++)
		if (c->head[p] != CORE_NONE)
			return p;
	return CORE_PRIOS;
}

int core_pick(struct core *c)
{
	unsigned int p = core_best(c);
	int id;

	if (p == CORE_PRIOS)
		return CORE_NONE;
	id = c->head[p];
	dequeue(c, id);
	c->t[id].state = CORE_RUNNING;
	return id;
}

int core_ready(struct core *c, int id, bool at_head)
{
	if (!valid(c, id) || c->t[id].state != CORE_RUNNING)
		return -AE_EINVAL;
	enqueue(c, id, at_head);
	return 0;
}

static int wait_until(struct core *c, int id, uint64_t deadline,
		      uint8_t state)
{
	if (!valid(c, id) || c->t[id].state != CORE_RUNNING)
		return -AE_EINVAL;
	c->t[id].state = state;
	c->t[id].deadline = deadline;
	c->t[id].timed_out = 0;
	return 0;
}

int core_sleep(struct core *c, int id, uint64_t deadline)
{
	if (deadline == 0)
		return -AE_EINVAL;
	return wait_until(c, id, deadline, CORE_SLEEPING);
}

int core_block(struct core *c, int id, uint64_t deadline)
{
	return wait_until(c, id, deadline, CORE_BLOCKED);
}

int core_wake(struct core *c, int id)
{
	if (!valid(c, id) || (c->t[id].state != CORE_SLEEPING &&
			      c->t[id].state != CORE_BLOCKED))
		return -AE_EINVAL;
	c->t[id].deadline = 0;
	enqueue(c, id, false);
	return 0;
}

unsigned int core_expire(struct core *c, uint64_t now)
{
	unsigned int n = 0;

	for (int i = 0; i < CORE_THREADS; i++) {
		struct core_thread *t = &c->t[i];

		if ((t->state != CORE_SLEEPING && t->state != CORE_BLOCKED) ||
		    t->deadline == 0 || t->deadline > now)
			continue;
		if (t->state == CORE_BLOCKED)
			t->timed_out = 1;
		t->deadline = 0;
		enqueue(c, i, false);
		n++;
	}
	return n;
}

uint64_t core_next_deadline(const struct core *c)
{
	uint64_t best = 0;

	for (int i = 0; i < CORE_THREADS; i++) {
		const struct core_thread *t = &c->t[i];

		if ((t->state == CORE_SLEEPING || t->state == CORE_BLOCKED) &&
		    t->deadline && (!best || t->deadline < best))
			best = t->deadline;
	}
	return best;
}

int core_exit(struct core *c, int id)
{
	if (!valid(c, id) || c->t[id].state != CORE_RUNNING)
		return -AE_EINVAL;
	c->t[id].state = CORE_EXITED;
	return 0;
}

int core_release(struct core *c, int id)
{
	if (!valid(c, id) || c->t[id].state != CORE_EXITED)
		return -AE_EINVAL;
	memset(&c->t[id], 0, sizeof(c->t[id]));
	c->t[id].next = CORE_NONE;
	return 0;
}

int core_remove(struct core *c, int id)
{
	if (!valid(c, id))
		return -AE_EINVAL;
	if (c->t[id].state == CORE_READY)
		dequeue(c, id);
	memset(&c->t[id], 0, sizeof(c->t[id]));
	c->t[id].next = CORE_NONE;
	return 0;
}

int core_set_prio(struct core *c, int id, unsigned int prio)
{
	bool ready;

	if (!valid(c, id) || prio >= CORE_PRIOS)
		return -AE_EINVAL;
	ready = c->t[id].state == CORE_READY;
	if (ready)
		dequeue(c, id);
	c->t[id].prio = (uint8_t)prio;
	if (ready)
		enqueue(c, id, false);
	return 0;
}
