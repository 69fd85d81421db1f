/*
 * queue.c - the message pool and the dispatcher's priority queue.
 *
 * BUS_POOL_SIZE fixed slots; one singly-linked FIFO per level, linked
 * through next[]; a bitmap of the non-empty levels. Level 0 holds
 * interrupt events, so they overtake everything; priority p is level p+1. Enqueue is a tail
 * append, dequeue takes the head of the lowest set bit: both O(1), and
 * FIFO within a priority by construction. Free slots form a stack on the
 * same next[] links.
 *
 * Single dispatcher context; no locks (interrupt posts use irq.c).
 */
#include <aegis/errno.h>
#include "bus_internal.h"

static struct bus_msg pool[BUS_POOL_SIZE];
static uint16_t next[BUS_POOL_SIZE];
#define LEVELS (BUS_PRIOS + 1)

static uint16_t head[LEVELS], tail[LEVELS];
static uint32_t levels;		/* bit p: level p non-empty */
static uint16_t free_top;
static unsigned int queued, nfree;

void q_reset(void)
{
	for (unsigned int i = 0; i < BUS_POOL_SIZE; i++)
		next[i] = (uint16_t)(i + 1 < BUS_POOL_SIZE ? i + 1 : BUS_NIL);
	free_top = 0;
	nfree = BUS_POOL_SIZE;
	for (unsigned int p = 0; p < LEVELS; p++)
		head[p] = tail[p] = BUS_NIL;
	levels = 0;
	queued = 0;
}

int q_alloc(void)
{
	unsigned int i = free_top;

	if (i == BUS_NIL)
		return -AE_EAGAIN;
	free_top = next[i];
	nfree--;
	return (int)i;
}

void q_free(unsigned int i)
{
	next[i] = free_top;
	free_top = (uint16_t)i;
	nfree++;
}

struct bus_msg *q_msg(unsigned int i)
{
	return &pool[i];
}

void q_push(unsigned int i, bool irq)
{
	unsigned int p = irq ? 0 : pool[i].prio + 1u;

	next[i] = BUS_NIL;
	if (tail[p] == BUS_NIL)
		head[p] = (uint16_t)i;
	else
		next[tail[p]] = (uint16_t)i;
	tail[p] = (uint16_t)i;
	levels |= 1u << p;
	queued++;
}

int q_pop(void)
{
	unsigned int p, i;

	if (!levels)
		return -AE_ENOENT;
	p = (unsigned int)__builtin_ctz(levels);
	i = head[p];
	head[p] = next[i];
	if (head[p] == BUS_NIL) {
		tail[p] = BUS_NIL;
		levels &= ~(1u << p);
	}
	queued--;
	return (int)i;
}

int q_take_for(bus_svc_t dst)
{
	for (unsigned int p = 0; p < LEVELS; p++) {
		unsigned int prev = BUS_NIL;

		for (unsigned int i = head[p]; i != BUS_NIL; i = next[i]) {
			if (pool[i].dst != dst) {
				prev = i;
				continue;
			}
			if (prev == BUS_NIL)
				head[p] = next[i];
			else
				next[prev] = next[i];
			if (tail[p] == i)
				tail[p] = (uint16_t)prev;
			if (head[p] == BUS_NIL)
				levels &= ~(1u << p);
			queued--;
			return (int)i;
		}
	}
	return -AE_ENOENT;
}

bool q_topic_queued(bus_topic_t t)
{
	for (unsigned int p = 0; p < LEVELS; p++)
		for (unsigned int i = head[p]; i != BUS_NIL; i = next[i])
			if (pool[i].topic == t)
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
