/*
 * slab.c - object caches (see aegis/slab.h).
 *
 * A slab is SLAB_BYTES aligned to SLAB_BYTES: a header, then per_slab
 * objects `stride` bytes apart from offset `first`. The header keeps two
 * bitmaps:
 *   taken - the object is not available in the slab: handed out, or
 *           sitting in a CPU magazine;
 *   live  - the object is handed out (debug caches only).
 * Free objects carry no link, so a debug cache can poison every byte of
 * them and notice any change. A slab is on one list: partial (some
 * objects not taken) or full; when its last object comes back it becomes
 * the cache's spare (one kept to avoid thrashing) or goes back to the
 * backend.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/slab.h>
#include "slab_internal.h"

static slab_report_fn report_fn;

void slab_set_report(slab_report_fn fn)
{
	report_fn = fn;
}

static void report(struct slab_cache *c, const char *what, const void *p,
		   const char *more)
{
	char line[160];

	if (c)
		c->st.errors++;
	if (!report_fn)
		return;
	ksnprintf(line, sizeof(line), "slab: %s of %p in cache %s%s", what, p,
		  c ? c->name : "?", more ? more : "");
	report_fn(line);
}

static void *obj_at(struct slab_cache *c, struct slab *s, uint32_t i)
{
	return (char *)s + c->first + (size_t)i * c->stride;
}

static void list_add(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void list_del(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

int slab_cache_init(struct slab_cache *c, const char *name, uint32_t size,
		    uint32_t flags, const struct slab_backend *be)
{
	uint32_t align, stride, first;

	if (!c || !name || !be || !be->get || !be->put || !size ||
	    size > SLAB_BYTES / 4 || (flags & ~SLAB_DEBUG) ||
	    strlen(name) >= SLAB_NAME_MAX)
		return -AE_EINVAL;
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, strlen(name) + 1);
	/* Powers of two up to 64 are aligned to themselves, others to 16. */
	align = 16;
	if (size <= 64 && !(size & (size - 1)))
		align = size < 16 ? 16 : size;
	stride = size + ((flags & SLAB_DEBUG) ? SLAB_REDZONE : 0);
	stride = (stride + align - 1) & ~(align - 1);
	first = (sizeof(struct slab) + 63) & ~63u;
	c->size = size;
	c->stride = stride;
	c->first = first;
	c->per_slab = (SLAB_BYTES - first) / stride;
	c->recip = (uint32_t)(((1ull << 32) + stride - 1) / stride);
	if (c->per_slab > SLAB_OBJS_MAX)
		c->per_slab = SLAB_OBJS_MAX;
	c->flags = flags;
	c->be = be;
	c->st.per_slab = c->per_slab;
	return 0;
}

static struct slab *new_slab(struct slab_cache *c)
{
	struct slab *s = c->spare;

	if (s) {
		c->spare = NULL;
	} else {
		s = c->be->get(SLAB_ORDER, c->be->ctx);
		if (!s)
			return NULL;
		if ((uintptr_t)s & (SLAB_BYTES - 1)) {
			/* A backend bug: refuse the block rather than
			 * misplace every header lookup. */
			report(c, "misaligned slab", s, " from the backend");
			c->be->put(s, SLAB_ORDER, c->be->ctx);
			return NULL;
		}
		c->st.slabs++;
	}
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->cache = c;
	/* objects past per_slab never exist: mark them taken for good */
	for (uint32_t i = c->per_slab; i < SLAB_OBJS_MAX; i++)
		s->taken[i / 64] |= 1ull << (i % 64);
	if (c->flags & SLAB_DEBUG)
		for (uint32_t i = 0; i < c->per_slab; i++)
			memset(obj_at(c, s, i), SLAB_POISON_FREE, c->stride);
	list_add(&c->partial, s);
	return s;
}

/* Take up to want objects from the partial slabs into magazine m. */
static void refill(struct slab_cache *c, struct slab_mag *m, uint32_t want)
{
	while (m->n < want) {
		struct slab *s = c->partial;

		if (!s && !(s = new_slab(c)))
			return;
		while (m->n < want && s->ntaken < c->per_slab) {
			uint32_t w = s->hint, b;

			while (s->taken[w] == ~0ull)
				w++;
			s->hint = w;
			b = (uint32_t)__builtin_ctzll(~s->taken[w]);
			s->taken[w] |= 1ull << b;
			s->ntaken++;
			m->obj[m->n++] = obj_at(c, s, w * 64 + b);
		}
		if (s->ntaken == c->per_slab) {
			list_del(&c->partial, s);
			list_add(&c->full, s);
		}
	}
}

/* Give an object back to its slab (its taken bit cleared). */
static void give_back(struct slab_cache *c, void *obj)
{
	struct slab *s = slab_of(obj);
	uint32_t i = index_of(c, (uint32_t)((char *)obj - (char *)s) -
			      c->first);

	if (s->ntaken == c->per_slab) {
		list_del(&c->full, s);
		list_add(&c->partial, s);
	}
	s->taken[i / 64] &= ~(1ull << (i % 64));
	if (i / 64 < s->hint)
		s->hint = i / 64;
	s->ntaken--;
	if (s->ntaken)
		return;
	list_del(&c->partial, s);
	s->magic = 0;
	if (!c->spare) {
		c->spare = s;
		return;
	}
	c->st.slabs--;
	c->be->put(s, SLAB_ORDER, c->be->ctx);
}

/* Debug: a free object must still be all poison. */
static void check_poison(struct slab_cache *c, void *obj)
{
	const uint8_t *b = obj;
	char more[48];

	for (uint32_t k = 0; k < c->stride; k++) {
		if (b[k] != SLAB_POISON_FREE) {
			ksnprintf(more, sizeof(more),
				  " (byte %u changed while free)", k);
			report(c, "use after free", obj, more);
			return;
		}
	}
}

void *slab_alloc(struct slab_cache *c, unsigned int cpu)
{
	struct slab_mag *m = &c->mag[cpu % SLAB_CPUS];
	void *obj;

	if (!m->n) {
		refill(c, m, SLAB_MAG / 2);
		if (!m->n) {
			c->st.fails++;
			return NULL;
		}
	}
	obj = m->obj[--m->n];
	c->st.allocs++;
	if (c->flags & SLAB_DEBUG) {
		struct slab *s = slab_of(obj);
		uint32_t i = index_of(c, (uint32_t)((char *)obj - (char *)s) -
				      c->first);

		check_poison(c, obj);
		s->live[i / 64] |= 1ull << (i % 64);
		memset((char *)obj + c->size, SLAB_POISON_RED,
		       c->stride - c->size);
	}
	return obj;
}

struct slab_cache *slab_owner(const void *obj)
{
	return slab_owner_inline(obj);
}

/* Debug checks at free: allocated now, red zone intact. */
static int debug_free(struct slab_cache *c, void *obj)
{
	struct slab *s = slab_of(obj);
	uint32_t i = index_of(c, (uint32_t)((char *)obj - (char *)s) -
			      c->first);
	const uint8_t *red = (const uint8_t *)obj + c->size;
	char more[64];

	if (!(s->live[i / 64] & (1ull << (i % 64)))) {
		report(c, "double free", obj, NULL);
		return -AE_EINVAL;
	}
	for (uint32_t k = 0; k < c->stride - c->size; k++) {
		if (red[k] != SLAB_POISON_RED) {
			ksnprintf(more, sizeof(more),
				  " (size %u: byte %u past the end written)",
				  c->size, c->size + k);
			report(c, "overflow", obj, more);
			/* freed all the same: the object is the caller's
			 * to give back, and its memory is poisoned below */
			break;
		}
	}
	s->live[i / 64] &= ~(1ull << (i % 64));
	memset(obj, SLAB_POISON_FREE, c->stride);
	return 0;
}

int slab_free(void *obj, unsigned int cpu)
{
	struct slab_cache *c = slab_owner(obj);

	if (!c) {
		report(NULL, "free of a pointer no cache handed out", obj,
		       NULL);
		return -AE_EINVAL;
	}
	return slab_free_owned(c, obj, cpu);
}

int slab_free_owned(struct slab_cache *c, void *obj, unsigned int cpu)
{
	struct slab_mag *m;

	if ((c->flags & SLAB_DEBUG) && debug_free(c, obj))
		return -AE_EINVAL;
	m = &c->mag[cpu % SLAB_CPUS];
	if (m->n == SLAB_MAG) {
		/* Full: the older half goes back to the slabs. */
		for (uint32_t k = 0; k < SLAB_MAG / 2; k++)
			give_back(c, m->obj[k]);
		memmove(m->obj, m->obj + SLAB_MAG / 2,
			(SLAB_MAG / 2) * sizeof(m->obj[0]));
		m->n = SLAB_MAG / 2;
	}
	m->obj[m->n++] = obj;
	c->st.frees++;
	return 0;
}

void slab_drain(struct slab_cache *c)
{
	for (unsigned int cpu = 0; cpu < SLAB_CPUS; cpu++) {
		struct slab_mag *m = &c->mag[cpu];

		while (m->n)
			give_back(c, m->obj[--m->n]);
	}
	if (c->spare) {
		c->st.slabs--;
		c->be->put(c->spare, SLAB_ORDER, c->be->ctx);
		c->spare = NULL;
	}
}

void slab_cache_stats(const struct slab_cache *c, struct slab_stats *out)
{
	*out = c->st;
	out->inuse = (uint32_t)(c->st.allocs - c->st.frees);
	out->magazined = 0;
	for (unsigned int cpu = 0; cpu < SLAB_CPUS; cpu++)
		out->magazined += c->mag[cpu].n;
}
