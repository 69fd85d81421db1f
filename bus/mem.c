/*
 * mem.c - where the bus's growing tables get their memory.
 *
 * Subscriber lists, routing indexes and message pool chunks grow with
 * use. Their memory comes from the allocator given to bus_set_mem (in the
 * kernel: kmalloc, whose pages come from the mm service) and, when there
 * is none yet (boot, before kmalloc exists) or it has nothing to give
 * (the mm service itself cannot call itself), from a reserve inside the
 * bus: power-of-two blocks of 16..BUS_MEM_BLOCK_MAX bytes carved from a
 * static arena, each size with its own free list. A block goes back to
 * whichever gave it.
 *
 * One dispatcher context, like the rest of the bus; never interrupts.
 */
#include <string.h>
#include <aegis/bus.h>
#include "bus_internal.h"

#define RESERVE_BYTES	(256u << 10)
#define MIN_SHIFT	4		/* 16 bytes */
#define CLASSES		9		/* 16 .. 4096 */

struct free_block {
	struct free_block *next;
};

static _Alignas(64) unsigned char arena[RESERVE_BYTES];
static size_t arena_used;
static struct free_block *free_list[CLASSES];
static const struct bus_mem_ops *mem_ops;
static struct bus_mem_stats mstats;

void bus_set_mem(const struct bus_mem_ops *ops)
{
	mem_ops = ops;
}

void bus_mem_stats(struct bus_mem_stats *out)
{
	BUS_GUARD();
	*out = mstats;
	out->reserve_free = RESERVE_BYTES - arena_used;
}

static unsigned int class_of(size_t size)
{
	unsigned int c = 0;

	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

static bool in_arena(const void *p)
{
	return (const unsigned char *)p >= arena &&
	       (const unsigned char *)p < arena + RESERVE_BYTES;
}

static void *reserve_alloc(size_t size)
{
	unsigned int c;
	size_t bytes;
	void *p;

	if (size > BUS_MEM_BLOCK_MAX)
		return NULL;
	c = class_of(size);
	bytes = (size_t)1 << (c + MIN_SHIFT);
	if (free_list[c]) {
		p = free_list[c];
		free_list[c] = free_list[c]->next;
		return p;
	}
	/* blocks are aligned to their size (up to 64) by carving in order */
	arena_used = (arena_used + (bytes < 64 ? bytes : 64) - 1) &
		     ~((bytes < 64 ? bytes : 64) - 1);
	if (arena_used + bytes > RESERVE_BYTES)
		return NULL;
	p = arena + arena_used;
	arena_used += bytes;
	return p;
}

void *bus_alloc(size_t size)
{
	void *p = NULL;

	if (!size)
		return NULL;
	if (mem_ops && mem_ops->alloc)
		p = mem_ops->alloc(size);
	if (p) {
		mstats.allocs++;
	} else if ((p = reserve_alloc(size)) != NULL) {
		mstats.reserve_allocs++;
	} else {
		mstats.fails++;
		return NULL;
	}
	memset(p, 0, size);
	return p;
}

void bus_free(void *p, size_t size)
{
	if (!p)
		return;
	if (in_arena(p)) {
		struct free_block *b = p;
		unsigned int c = class_of(size);

		b->next = free_list[c];
		free_list[c] = b;
		mstats.reserve_frees++;
		return;
	}
	mstats.frees++;
	if (mem_ops && mem_ops->free)
		mem_ops->free(p, size);
}
