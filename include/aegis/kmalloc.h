/*
 * aegis/kmalloc.h - the kernel's general allocator: a library every
 * service may call (DESIGN.md: "kmalloc is a library whose slabs refill
 * from the mm service over the bus").
 *
 * Sizes up to KMALLOC_MAX_SMALL come from nine slab caches (kmalloc-16 ..
 * kmalloc-4096, powers of two); larger ones are whole page blocks (2^k
 * pages, at least a slab's size) with a small header. The pages behind
 * both come from the backend kmalloc_init was given: in the kernel,
 * "mm.page.alloc" / "mm.page.free" requests to the mm service.
 *
 * Alignment: 16 bytes, or the size for powers of two up to 64.
 *
 * Context: thread and handler context (a handler's request to mm runs
 * inline) on any CPU, each CPU with its own magazines (aegis/slab.h);
 * never interrupt context; never from the mm service itself (its
 * request to itself would be refused with -EDEADLK, so kmalloc would
 * return NULL).
 */
#ifndef AEGIS_KMALLOC_H
#define AEGIS_KMALLOC_H

#include <aegis/slab.h>

#define KMALLOC_CLASSES		9	/* 16 .. 4096 */
#define KMALLOC_MAX_SMALL	4096
/* The largest request: a block of 64 MiB less its 64-byte header. A
 * large request takes the next power of two of (size + 64) bytes, so a
 * request of exactly 2^k bytes takes a 2^(k+1) block. */
#define KMALLOC_MAX		((64u << 20) - 64)

/*
 * kmalloc_init - set up the caches over backend be (copied), each with
 * SLAB_DEBUG if debug. Reports of debug caches go to report. Returns 0 or
 * -EINVAL. Boot, before the first kmalloc; may be called again (tests)
 * once everything was freed.
 */
int kmalloc_init(const struct slab_backend *be, bool debug,
		 slab_report_fn report);

/* kmalloc_set_cpu - how kmalloc learns which CPU runs it: cpu() returns
 * the caller's index (the kernel: hal_cpu_index); NULL: always CPU 0
 * (one CPU, host tests). Boot, before a second CPU allocates. */
void kmalloc_set_cpu(unsigned int (*cpu)(void));

/* kmalloc - size bytes, or NULL: size 0 or over KMALLOC_MAX, or no
 * memory (the mm service refused or is not there). */
void *kmalloc(size_t size);

/* kzalloc - kmalloc, zero-filled. */
void *kzalloc(size_t size);

/* kfree - give back what kmalloc returned; NULL is ignored. A pointer
 * kmalloc did not return is reported (debug caches also report double
 * frees and overflows) and ignored. */
void kfree(void *p);

/* kmalloc_usable - the bytes usable at p (its class or block size less
 * the header), 0 for a pointer kmalloc did not return. */
size_t kmalloc_usable(const void *p);

/* kmalloc_cache - the cache of class i (0..KMALLOC_CLASSES-1), for
 * statistics; NULL past the end. */
const struct slab_cache *kmalloc_cache(unsigned int i);

struct kmalloc_large_stats {
	uint64_t allocs, frees, fails;
	uint64_t bytes;		/* held in large blocks now */
};

void kmalloc_large_stats(struct kmalloc_large_stats *out);

/* kmalloc_set_site_hook - fn(site, size) after every allocation that
 * succeeded, site the caller's return address (the profiler's memory
 * profile); NULL: none. */
typedef void (*kmalloc_site_fn)(void *site, size_t size);
void kmalloc_set_site_hook(kmalloc_site_fn fn);

/* kmalloc_drain - this CPU's magazines back to the slabs, and every
 * empty slab back to the backend (the exhaustion test; see slab_drain). */
void kmalloc_drain(void);

#endif
