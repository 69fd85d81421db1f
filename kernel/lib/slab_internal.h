/*
 * slab_internal.h - the slab header and the lookups kmalloc's fast path
 * inlines (kernel/lib/ only).
 */
#ifndef AEGIS_SLAB_INTERNAL_H
#define AEGIS_SLAB_INTERNAL_H

#include <aegis/slab.h>

#define SLAB_MAGIC	0x51ab51abu
#define BITWORDS	(SLAB_OBJS_MAX / 64)

struct slab {
	uint32_t magic;
	uint32_t ntaken;		/* bits set in taken */
	struct slab_cache *cache;
	struct slab *next, *prev;
	uint32_t hint;			/* first word of taken with a 0 */
	uint32_t pad;
	uint64_t taken[BITWORDS];
	uint64_t live[BITWORDS];
};

_Static_assert(sizeof(struct slab) <= 640, "slab header grew");

static inline struct slab *slab_of(const void *p)
{
	return (struct slab *)((uintptr_t)p & ~(uintptr_t)(SLAB_BYTES - 1));
}

/* The index of the object at byte offset off from the first object: a
 * multiplication by the stride's reciprocal instead of a division (exact
 * for every offset inside a slab: off < 2^15, stride > 2^-17 * 2^32). */
static inline uint32_t index_of(const struct slab_cache *c, uint32_t off)
{
	return (uint32_t)(((uint64_t)off * c->recip) >> 32);
}

/* slab_owner, inlined: the cache whose slab holds obj at an object's
 * start, or NULL. */
static inline struct slab_cache *slab_owner_inline(const void *obj)
{
	struct slab *s = slab_of(obj);
	struct slab_cache *c;
	uint32_t off, i;

	if (!obj || s->magic != SLAB_MAGIC || !(c = s->cache))
		return NULL;
	off = (uint32_t)((uintptr_t)obj - (uintptr_t)s);
	if (off < c->first)
		return NULL;
	off -= c->first;
	i = index_of(c, off);
	if (i >= c->per_slab || i * c->stride != off)
		return NULL;
	return c;
}

#endif
