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
 *
 * Many CPUs: a magazine belongs to its CPU, which alone touches it, with
 * no lock. Everything else that changes - the lists, the spare, both
 * bitmaps of every slab, st.slabs, st.fails, st.errors - is guarded by
 * the cache's lock (class "slab"). The backend is never called with the
 * lock held (the kernel's is a bus request to the mm service, which may
 * kmalloc itself): refill drops the lock to get a slab and, having taken
 * it again, uses what other CPUs may have given back meanwhile first; a
 * block it then no longer needs becomes the spare or goes back. Slabs
 * that become empty under the lock are collected and given back after it
 * is released. A slab's header (magic, cache) is written before any of
 * its objects is handed out and not again until all of them are back,
 * so slab_owner reads it without the lock for any pointer the caller
 * owns.
 *
 * Lock order: "slab" is a leaf, except that debug reports are made with
 * it held (report_fn: the kernel's console, which takes "log" after it).
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/slab.h>
#include "slab_internal.h"

static DEFINE_LOCK_CLASS(slab_class, "slab");

static slab_report_fn report_fn;

void slab_set_report(slab_report_fn fn)
{
	report_fn = fn;
}

/* A debug report; with c, counted in c's errors (c's lock held). */
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

static uint32_t obj_index(struct slab_cache *c, struct slab *s,
			  const void *obj)
{
	return index_of(c, (uint32_t)((const char *)obj - (char *)s) -
			c->first);
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
	spin_init(&c->lock, &slab_class);
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

/* A fresh header and (debug) every object poisoned. */
static void slab_prepare(struct slab_cache *c, struct slab *s)
{
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->cache = c;
	/* objects past per_slab never exist: mark them taken for good */
	for (uint32_t i = c->per_slab; i < SLAB_OBJS_MAX; i++)
		s->taken[i / 64] |= 1ull << (i % 64);
	if (c->flags & SLAB_DEBUG)
		for (uint32_t i = 0; i < c->per_slab; i++)
			memset(obj_at(c, s, i), SLAB_POISON_FREE, c->stride);
}

/* A block from the backend, prepared; NULL when it has none. The lock is
 * not held. */
static struct slab *get_slab(struct slab_cache *c)
{
	struct slab *s = c->be->get(SLAB_ORDER, c->be->ctx);

	if (!s)
		return NULL;
	if ((uintptr_t)s & (SLAB_BYTES - 1)) {
		/* A backend bug: refuse the block rather than misplace
		 * every header lookup. */
		spin_lock(&c->lock);
		report(c, "misaligned slab", s, " from the backend");
		spin_unlock(&c->lock);
		c->be->put(s, SLAB_ORDER, c->be->ctx);
		return NULL;
	}
	slab_prepare(c, s);
	return s;
}

/* Give the slabs on list (linked by next) back to the backend. The lock
 * is not held. */
static void put_slabs(struct slab_cache *c, struct slab *list)
{
	while (list) {
		struct slab *s = list;

		list = s->next;
		c->be->put(s, SLAB_ORDER, c->be->ctx);
	}
}

/* Take objects from the partial slabs into out[] until *np, the count
 * there, reaches want. Lock held. */
static void take(struct slab_cache *c, void **out, uint32_t *np,
		 uint32_t want)
{
	uint32_t n = *np;
	struct slab *s;

	while (n < want && (s = c->partial)) {
		while (n < want && s->ntaken < c->per_slab) {
			uint32_t w = s->hint, b;

			while (s->taken[w] == ~0ull)
				w++;
			s->hint = w;
			b = (uint32_t)__builtin_ctzll(~s->taken[w]);
			s->taken[w] |= 1ull << b;
			s->ntaken++;
			out[n++] = obj_at(c, s, w * 64 + b);
		}
		if (s->ntaken == c->per_slab) {
			list_del(&c->partial, s);
			list_add(&c->full, s);
		}
	}
	__atomic_store_n(np, n, __ATOMIC_RELAXED);
}

/*
 * Fill out[] (*np objects there) up to want objects: from the partial
 * slabs, then the spare, then new slabs from the backend, got with the
 * lock dropped. Stops early when the backend has nothing; counts a
 * failure when not even one object was found. Takes and releases the
 * lock.
 *
 * out and *np are a magazine's, which is whole whenever the backend
 * runs: an allocation or free the backend makes on this CPU (the
 * kernel's bus may grow its tables from kmalloc) uses it as it is, and
 * *np is read again afterwards.
 */
static void refill(struct slab_cache *c, void **out, uint32_t *np,
		   uint32_t want)
{
	struct slab *fresh = NULL;
	bool dry = false;

	spin_lock(&c->lock);
	for (;;) {
		take(c, out, np, want);
		if (*np >= want)
			break;
		if (c->spare) {
			slab_prepare(c, c->spare);
			list_add(&c->partial, c->spare);
			c->spare = NULL;
		} else if (fresh) {
			c->st.slabs++;
			list_add(&c->partial, fresh);
			fresh = NULL;
		} else if (dry) {
			break;
		} else {
			spin_unlock(&c->lock);
			fresh = get_slab(c);
			spin_lock(&c->lock);
			dry = !fresh;
			/* meanwhile other CPUs may have given objects back
			 * or left a spare: those first (the loop's top) */
		}
	}
	if (!*np)
		c->st.fails++;
	if (fresh && !c->spare) {
		/* got while others refilled the cache: keep it */
		c->st.slabs++;
		fresh->magic = 0;
		c->spare = fresh;
		fresh = NULL;
	}
	spin_unlock(&c->lock);
	if (fresh)
		c->be->put(fresh, SLAB_ORDER, c->be->ctx);
}

/* Give an object back to its slab (its taken bit cleared); a slab that
 * becomes empty becomes the spare or joins *back, for the backend once
 * the lock is released. Lock held. */
static void give_back(struct slab_cache *c, void *obj, struct slab **back)
{
	struct slab *s = slab_of(obj);
	uint32_t i = obj_index(c, s, obj);

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
	s->next = *back;
	*back = s;
}

/* Debug, at allocation: the object must still be all poison; it is
 * live from now on, with its red zone set. Lock held. */
static void debug_alloc(struct slab_cache *c, void *obj)
{
	struct slab *s = slab_of(obj);
	uint32_t i = obj_index(c, s, obj);
	const uint8_t *b = obj;
	char more[48];

	for (uint32_t k = 0; k < c->stride; k++) {
		if (b[k] != SLAB_POISON_FREE) {
			ksnprintf(more, sizeof(more),
				  " (byte %u changed while free)", k);
			report(c, "use after free", obj, more);
			break;
		}
	}
	s->live[i / 64] |= 1ull << (i % 64);
	memset((char *)obj + c->size, SLAB_POISON_RED, c->stride - c->size);
}

/* Debug, at free: allocated now, red zone intact; then poisoned. -EINVAL
 * (reported, nothing changed) for an object not allocated. Lock held. */
static int debug_free(struct slab_cache *c, void *obj)
{
	struct slab *s = slab_of(obj);
	uint32_t i = obj_index(c, s, obj);
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

/* The owner's relaxed increment: a plain load, add and store, which
 * slab_cache_stats may read from another CPU. */
static inline void count(uint64_t *v)
{
	__atomic_store_n(v, *v + 1, __ATOMIC_RELAXED);
}

void *slab_alloc(struct slab_cache *c, unsigned int cpu)
{
	struct slab_mag *m;
	void *obj;
	uint32_t n;

	if (cpu >= SLAB_CPUS) {
		/* no magazine: one object through the lock */
		n = 0;
		refill(c, &obj, &n, 1);
		if (!n)
			return NULL;
		__atomic_fetch_add(&c->st.allocs, 1, __ATOMIC_RELAXED);
	} else {
		m = &c->mag[cpu];
		if (!m->n) {
			refill(c, m->obj, &m->n, SLAB_MAG / 2);
			if (!m->n)
				return NULL;
		}
		n = m->n - 1;
		obj = m->obj[n];
		__atomic_store_n(&m->n, n, __ATOMIC_RELAXED);
		count(&m->allocs);
	}
	if (c->flags & SLAB_DEBUG) {
		spin_lock(&c->lock);
		debug_alloc(c, obj);
		spin_unlock(&c->lock);
	}
	return obj;
}

struct slab_cache *slab_owner(const void *obj)
{
	return slab_owner_inline(obj);
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
	struct slab *back = NULL;
	struct slab_mag *m;
	uint32_t n;

	if (c->flags & SLAB_DEBUG) {
		int rc;

		spin_lock(&c->lock);
		rc = debug_free(c, obj);
		spin_unlock(&c->lock);
		if (rc)
			return rc;
	}
	if (cpu >= SLAB_CPUS) {
		/* no magazine: straight back to the slab */
		spin_lock(&c->lock);
		give_back(c, obj, &back);
		spin_unlock(&c->lock);
		put_slabs(c, back);
		__atomic_fetch_add(&c->st.frees, 1, __ATOMIC_RELAXED);
		return 0;
	}
	m = &c->mag[cpu];
	n = m->n;
	if (n == SLAB_MAG) {
		/* Full: the older half goes back to the slabs. */
		spin_lock(&c->lock);
		for (uint32_t k = 0; k < SLAB_MAG / 2; k++)
			give_back(c, m->obj[k], &back);
		spin_unlock(&c->lock);
		memmove(m->obj, m->obj + SLAB_MAG / 2,
			(SLAB_MAG / 2) * sizeof(m->obj[0]));
		n = SLAB_MAG / 2;
	}
	m->obj[n++] = obj;
	__atomic_store_n(&m->n, n, __ATOMIC_RELAXED);
	count(&m->frees);
	/* last: the magazine is whole if the backend frees into it */
	put_slabs(c, back);
	return 0;
}

void slab_drain(struct slab_cache *c, unsigned int cpu)
{
	struct slab *back = NULL;

	spin_lock(&c->lock);
	if (cpu < SLAB_CPUS) {
		struct slab_mag *m = &c->mag[cpu];

		for (uint32_t n = m->n; n; n--)
			give_back(c, m->obj[n - 1], &back);
		__atomic_store_n(&m->n, 0, __ATOMIC_RELAXED);
	}
	if (c->spare) {
		c->st.slabs--;
		c->spare->next = back;
		back = c->spare;
		c->spare = NULL;
	}
	spin_unlock(&c->lock);
	put_slabs(c, back);
}

void slab_cache_stats(const struct slab_cache *c, struct slab_stats *out)
{
	/* c is const to the caller: only its lock is taken and released */
	struct slab_cache *w = (struct slab_cache *)c;
	uint64_t allocs, frees;

	memset(out, 0, sizeof(*out));
	out->per_slab = c->per_slab;
	spin_lock(&w->lock);
	out->slabs = c->st.slabs;
	out->fails = c->st.fails;
	out->errors = c->st.errors;
	spin_unlock(&w->lock);
	/* frees before allocs: an object freed on one CPU was allocated
	 * before, so inuse is not made negative by a race (it is clamped
	 * all the same) */
	frees = __atomic_load_n(&c->st.frees, __ATOMIC_RELAXED);
	for (unsigned int cpu = 0; cpu < SLAB_CPUS; cpu++)
		frees += __atomic_load_n(&c->mag[cpu].frees, __ATOMIC_RELAXED);
	allocs = __atomic_load_n(&c->st.allocs, __ATOMIC_RELAXED);
	out->magazined = 0;
	for (unsigned int cpu = 0; cpu < SLAB_CPUS; cpu++) {
		allocs += __atomic_load_n(&c->mag[cpu].allocs,
					  __ATOMIC_RELAXED);
		out->magazined += __atomic_load_n(&c->mag[cpu].n,
						  __ATOMIC_RELAXED);
	}
	out->allocs = allocs;
	out->frees = frees;
	out->inuse = allocs > frees ? (uint32_t)(allocs - frees) : 0;
}
