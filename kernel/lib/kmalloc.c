/*
 * kmalloc.c - the kernel's general allocator (see aegis/kmalloc.h).
 *
 * Small sizes: the class is the next power of two from 16 (one clz), and
 * the object comes from that class's cache on this CPU. Large sizes: a
 * block of 2^k pages (k >= SLAB_ORDER, so it is aligned to at least
 * SLAB_BYTES) whose first 64 bytes are a header; the caller gets the
 * bytes after it, and kfree finds the header by rounding down to
 * SLAB_BYTES, as for a slab.
 *
 * Many CPUs: the fast paths touch only the calling CPU's magazine (no
 * lock, no atomic instruction: its count and counters are written with
 * relaxed stores, which are plain moves); everything else is slab.c's,
 * under each cache's lock. The large blocks' counters are atomic, and
 * the backend is called with no lock held. Which CPU is running comes
 * from the hook kmalloc_set_cpu installed.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include "slab_internal.h"

#define LARGE_MAGIC	0x1a76e000u
#define LARGE_HDR	64u
#define PAGE_BYTES	4096u

struct large_hdr {
	uint32_t magic;
	uint32_t order;
	uint64_t size;		/* what the caller asked for */
};

static struct slab_backend backend;
static struct slab_cache caches[KMALLOC_CLASSES];
static struct kmalloc_large_stats large;	/* atomic */
static slab_report_fn report;
static bool ready;
static unsigned int (*cpu_of)(void);

void kmalloc_set_cpu(unsigned int (*cpu)(void))
{
	cpu_of = cpu;
}

/* The CPU running (0 without a hook). */
static inline unsigned int this_cpu(void)
{
	return cpu_of ? cpu_of() : 0;
}

/* The owner's relaxed increment (see slab.c's count). */
static inline void count(uint64_t *v)
{
	__atomic_store_n(v, *v + 1, __ATOMIC_RELAXED);
}

int kmalloc_init(const struct slab_backend *be, bool debug,
		 slab_report_fn rep)
{
	char name[SLAB_NAME_MAX];

	if (!be || !be->get || !be->put)
		return -AE_EINVAL;
	backend = *be;
	report = rep;
	slab_set_report(rep);
	for (unsigned int i = 0; i < KMALLOC_CLASSES; i++) {
		int rc;

		ksnprintf(name, sizeof(name), "kmalloc-%u", 16u << i);
		rc = slab_cache_init(&caches[i], name, 16u << i,
				     debug ? SLAB_DEBUG : 0, &backend);
		if (rc)
			return rc;
	}
	memset(&large, 0, sizeof(large));
	ready = true;
	return 0;
}

static unsigned int class_of(size_t size)
{
	if (size <= 16)
		return 0;
	/* ceil(log2(size)) - 4 */
	return (unsigned int)(64 - __builtin_clzll((uint64_t)size - 1)) - 4;
}

static unsigned int order_of(size_t bytes)
{
	unsigned int order = SLAB_ORDER;

	while ((PAGE_BYTES << order) < bytes)
		order++;
	return order;
}

static void *alloc_large(size_t size)
{
	unsigned int order = order_of(size + LARGE_HDR);
	struct large_hdr *h = backend.get(order, backend.ctx);

	if (!h) {
		__atomic_fetch_add(&large.fails, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	h->magic = LARGE_MAGIC;
	h->order = order;
	h->size = size;
	__atomic_fetch_add(&large.allocs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&large.bytes, (uint64_t)PAGE_BYTES << order,
			   __ATOMIC_RELAXED);
	return (char *)h + LARGE_HDR;
}

static kmalloc_site_fn site_hook;

void kmalloc_set_site_hook(kmalloc_site_fn fn)
{
	site_hook = fn;
}

static inline __attribute__((always_inline)) void *alloc(size_t size)
{
	/* first: across the hook's call only size is kept */
	unsigned int cpu = this_cpu();
	struct slab_cache *c;

	if (!ready || !size || size > KMALLOC_MAX)
		return NULL;
	if (size > KMALLOC_MAX_SMALL)
		return alloc_large(size);
	c = &caches[class_of(size)];
	/* The fast path: this CPU's magazine, no checks to make. */
	if (__builtin_expect(cpu < SLAB_CPUS && !c->flags, 1)) {
		struct slab_mag *m = &c->mag[cpu];
		uint32_t n = m->n;

		if (__builtin_expect(n != 0, 1)) {
			void *obj = m->obj[--n];

			__atomic_store_n(&m->n, n, __ATOMIC_RELAXED);
			count(&m->allocs);
			return obj;
		}
	}
	return slab_alloc(c, cpu);
}

void *kmalloc(size_t size)
{
	void *p = alloc(size);

	if (__builtin_expect(site_hook != NULL, 0) && p)
		site_hook(__builtin_return_address(0), size);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = alloc(size);

	if (p) {
		if (__builtin_expect(site_hook != NULL, 0))
			site_hook(__builtin_return_address(0), size);
		memset(p, 0, size);
	}
	return p;
}

static struct large_hdr *large_of(const void *p)
{
	struct large_hdr *h = (struct large_hdr *)((uintptr_t)p &
				~(uintptr_t)(SLAB_BYTES - 1));

	if ((const char *)p != (char *)h + LARGE_HDR ||
	    h->magic != LARGE_MAGIC)
		return NULL;
	return h;
}

void kfree(void *p)
{
	struct slab_cache *c;
	unsigned int cpu;
	struct large_hdr *h;
	char line[96];

	if (!p)
		return;
	cpu = this_cpu();	/* first, as in alloc */
	c = slab_owner_inline(p);
	if (c) {
		/* The fast path: room in this CPU's magazine. */
		if (__builtin_expect(cpu < SLAB_CPUS && !c->flags, 1)) {
			struct slab_mag *m = &c->mag[cpu];
			uint32_t n = m->n;

			if (__builtin_expect(n < SLAB_MAG, 1)) {
				m->obj[n] = p;
				__atomic_store_n(&m->n, n + 1,
						 __ATOMIC_RELAXED);
				count(&m->frees);
				return;
			}
		}
		slab_free_owned(c, p, cpu);
		return;
	}
	h = large_of(p);
	if (!h) {
		if (report) {
			ksnprintf(line, sizeof(line),
				  "kmalloc: kfree of %p, which kmalloc did not "
				  "return (ignored)", p);
			report(line);
		}
		return;
	}
	h->magic = 0;	/* a second kfree finds no header */
	__atomic_fetch_add(&large.frees, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&large.bytes, (uint64_t)PAGE_BYTES << h->order,
			   __ATOMIC_RELAXED);
	backend.put(h, h->order, backend.ctx);
}

size_t kmalloc_usable(const void *p)
{
	const struct slab_cache *c = p ? slab_owner(p) : NULL;
	const struct large_hdr *h;

	if (c)
		return c->size;
	h = p ? large_of(p) : NULL;
	return h ? (PAGE_BYTES << h->order) - LARGE_HDR : 0;
}

const struct slab_cache *kmalloc_cache(unsigned int i)
{
	return i < KMALLOC_CLASSES ? &caches[i] : NULL;
}

void kmalloc_large_stats(struct kmalloc_large_stats *out)
{
	out->frees = __atomic_load_n(&large.frees, __ATOMIC_RELAXED);
	out->allocs = __atomic_load_n(&large.allocs, __ATOMIC_RELAXED);
	out->fails = __atomic_load_n(&large.fails, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&large.bytes, __ATOMIC_RELAXED);
}

void kmalloc_drain(void)
{
	unsigned int cpu = this_cpu();

	for (unsigned int i = 0; i < KMALLOC_CLASSES; i++)
		slab_drain(&caches[i], cpu);
}
