/*
 * core.c - the scheduler's bookkeeping (see core.h): ready queues as
 * singly linked FIFOs threaded through the thread table, one per CPU and
 * priority; deadlines, loads and placement scanned linearly (64 threads
 * at most).
 */
#include <string.h>
#include <aegis/errno.h>
#include "core.h"

void core_init(struct core *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned int k = 0; k < CORE_CPUS; k++)
		for (unsigned int p = 0; p < CORE_PRIOS; p++)
			c->head[k][p] = c->tail[k][p] = CORE_NONE;
	for (unsigned int i = 0; i < CORE_THREADS; i++)
		c->t[i].next = CORE_NONE;
	c->online = 1;
}

int core_online(struct core *c, unsigned int cpu)
{
	if (cpu >= CORE_CPUS)
		return -AE_EINVAL;
	c->online |= 1ull << cpu;
	return 0;
}

static bool valid(const struct core *c, int id)
{
	return id >= 0 && id < CORE_THREADS && c->t[id].state != CORE_FREE;
}

/* Queue a thread on its CPU (t->cpu). */
static void enqueue(struct core *c, int id, bool at_head)
{
	struct core_thread *t = &c->t[id];
	unsigned int p = t->prio, k = t->cpu;
	int16_t *head = c->head[k], *tail = c->tail[k];

	t->state = CORE_READY;
	if (head[p] == CORE_NONE) {
		t->next = CORE_NONE;
		head[p] = tail[p] = (int16_t)id;
	} else if (at_head) {
		t->next = head[p];
		head[p] = (int16_t)id;
	} else {
		t->next = CORE_NONE;
		c->t[tail[p]].next = (int16_t)id;
		tail[p] = (int16_t)id;
	}
	c->nready[k]++;
}

/* Take a READY thread out of its queue. */
static void dequeue(struct core *c, int id)
{
	unsigned int p = c->t[id].prio, k = c->t[id].cpu;
	int16_t *head = c->head[k], *tail = c->tail[k];
	int16_t prev = CORE_NONE, i;

	for (i = head[p]; i != CORE_NONE && i != id; i = c->t[i].next)
		prev = i;
	if (i == CORE_NONE)
		return;
	if (prev == CORE_NONE)
		head[p] = c->t[id].next;
	else
		c->t[prev].next = c->t[id].next;
	if (tail[p] == id)
		tail[p] = prev;
	c->t[id].next = CORE_NONE;
	c->nready[k]--;
}

/* A RUNNING thread stops running (the caller sets its new state). */
static void stop_running(struct core *c, int id)
{
	c->nrunning[c->t[id].cpu]--;
}

static bool allowed(const struct core *c, int id, unsigned int cpu)
{
	return cpu < CORE_CPUS &&
	       (c->t[id].affinity & c->online & (1ull << cpu));
}

unsigned int core_load(const struct core *c, unsigned int cpu)
{
	unsigned int n;

	if (cpu >= CORE_CPUS)
		return 0;
	n = c->nready[cpu] + c->nrunning[cpu];
	return n;
}

unsigned int core_place(const struct core *c, int id, uint64_t idle)
{
	unsigned int prev = c->t[id].cpu, best = prev, best_load = ~0u;
	int free_cpu = -1;
	uint64_t ok = c->t[id].affinity & c->online;

	if (!ok)	/* cannot be: core_set_affinity keeps it */
		return prev;
	if (allowed(c, id, prev) && core_load(c, prev) == 0)
		return prev;
	for (unsigned int k = 0; k < CORE_CPUS; k++) {
		unsigned int l;

		if (!(ok >> k & 1))
			continue;
		l = core_load(c, k);
		if (l == 0) {
			if (idle >> k & 1)
				return k;
			if (free_cpu < 0)
				free_cpu = (int)k;
		}
		if (l < best_load || (l == best_load && k == prev) ||
		    !(ok >> best & 1)) {
			best = k;
			best_load = l;
		}
	}
	return free_cpu >= 0 ? (unsigned int)free_cpu : best;
}

/* The most urgent READY thread queued on k that may run on cpu. */
static int first_allowed(const struct core *c, unsigned int k,
			 unsigned int cpu)
{
	for (unsigned int p = 0; p < CORE_PRIOS; p++)
		for (int16_t i = c->head[k][p]; i != CORE_NONE; i = c->t[i].next)
			if (allowed(c, i, cpu))
				return i;
	return CORE_NONE;
}

int core_steal(struct core *c, unsigned int cpu)
{
	unsigned int most = 0;
	int pick = CORE_NONE;

	if (cpu >= CORE_CPUS || !(c->online >> cpu & 1))
		return CORE_NONE;
	/* the busiest CPU that has one this CPU may run */
	for (unsigned int k = 0; k < CORE_CPUS; k++) {
		int i;

		if (k == cpu || c->nready[k] <= most || core_load(c, k) < 2)
			continue;
		i = first_allowed(c, k, cpu);
		if (i != CORE_NONE) {
			most = c->nready[k];
			pick = i;
		}
	}
	if (pick == CORE_NONE)
		return CORE_NONE;
	dequeue(c, pick);
	c->t[pick].cpu = (uint8_t)cpu;
	enqueue(c, pick, false);
	c->steals++;
	return pick;
}

uint64_t core_waiting_cpus(const struct core *c, unsigned int cpu)
{
	uint64_t m = 0;

	if (cpu >= CORE_CPUS)
		return 0;
	for (unsigned int p = 0; p < CORE_PRIOS; p++)
		for (int16_t i = c->head[cpu][p]; i != CORE_NONE; i = c->t[i].next)
			m |= c->t[i].affinity;
	return m & c->online;
}

int core_set_affinity(struct core *c, int id, uint64_t mask)
{
	if (!valid(c, id) || !(mask & c->online))
		return -AE_EINVAL;
	c->t[id].affinity = mask;
	if (c->t[id].state == CORE_READY && !allowed(c, id, c->t[id].cpu)) {
		dequeue(c, id);
		c->t[id].cpu = (uint8_t)core_place(c, id, 0);
		enqueue(c, id, false);
	}
	return 0;
}

int core_add(struct core *c, unsigned int prio, unsigned int cpu)
{
	if (prio >= CORE_PRIOS || cpu >= CORE_CPUS ||
	    !(c->online >> cpu & 1))
		return -AE_EINVAL;
	for (int i = 0; i < CORE_THREADS; i++) {
		if (c->t[i].state != CORE_FREE)
			continue;
		memset(&c->t[i], 0, sizeof(c->t[i]));
		c->t[i].prio = (uint8_t)prio;
		c->t[i].cpu = (uint8_t)cpu;
		c->t[i].affinity = CORE_ALL;
		enqueue(c, i, false);
		return i;
	}
	return -AE_ENOSPC;
}

int core_reserve(struct core *c, unsigned int prio, unsigned int cpu)
{
	int id = core_add(c, prio, cpu);

	if (id >= 0) {
		dequeue(c, id);
		c->t[id].state = CORE_BLOCKED;
	}
	return id;
}

unsigned int core_best(const struct core *c, unsigned int cpu)
{
	if (cpu >= CORE_CPUS)
		return CORE_PRIOS;
	for (unsigned int p = 0; p < CORE_PRIOS; p++)
		if (c->head[cpu][p] != CORE_NONE)
			return p;
	return CORE_PRIOS;
}

int core_pick(struct core *c, unsigned int cpu)
{
	unsigned int p = core_best(c, cpu);
	int id;

	if (p == CORE_PRIOS)
		return CORE_NONE;
	id = c->head[cpu][p];
	dequeue(c, id);
	c->t[id].state = CORE_RUNNING;
	c->nrunning[cpu]++;
	return id;
}

int core_ready(struct core *c, int id, bool at_head)
{
	if (!valid(c, id) || c->t[id].state != CORE_RUNNING)
		return -AE_EINVAL;
	stop_running(c, id);
	if (!allowed(c, id, c->t[id].cpu)) {
		c->t[id].state = CORE_READY;
		c->t[id].cpu = (uint8_t)core_place(c, id, 0);
		at_head = false;
	}
	enqueue(c, id, at_head);
	return 0;
}

static int wait_until(struct core *c, int id, uint64_t deadline,
		      uint8_t state)
{
	if (!valid(c, id) || c->t[id].state != CORE_RUNNING)
		return -AE_EINVAL;
	stop_running(c, id);
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

int core_wake(struct core *c, int id, uint64_t idle)
{
	if (!valid(c, id) || (c->t[id].state != CORE_SLEEPING &&
			      c->t[id].state != CORE_BLOCKED))
		return -AE_EINVAL;
	c->t[id].deadline = 0;
	c->t[id].cpu = (uint8_t)core_place(c, id, idle);
	enqueue(c, id, false);
	return c->t[id].cpu;
}

unsigned int core_expire(struct core *c, uint64_t now, uint64_t idle,
			 uint64_t *cpus)
{
	unsigned int n = 0;

	if (cpus)
		*cpus = 0;

	for (int i = 0; i < CORE_THREADS; i++) {
		struct core_thread *t = &c->t[i];

		if ((t->state != CORE_SLEEPING && t->state != CORE_BLOCKED) ||
		    t->deadline == 0 || t->deadline > now)
			continue;
		if (t->state == CORE_BLOCKED)
			t->timed_out = 1;
		t->deadline = 0;
		t->cpu = (uint8_t)core_place(c, i, idle);
		enqueue(c, i, false);
		if (cpus)
			*cpus |= 1ull << t->cpu;
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
	stop_running(c, id);
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
	else if (c->t[id].state == CORE_RUNNING)
		stop_running(c, id);
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
