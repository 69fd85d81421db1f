/*
 * aegis/slab.h - object caches: the slab allocator under kmalloc, and
 * typed caches for services that allocate one kind of object often.
 *
 * A cache hands out objects of one size from slabs: blocks of
 * SLAB_BYTES (2^SLAB_ORDER pages) aligned to their size, got from a
 * backend (in the kernel: the mm service over the bus; on the host:
 * aligned_alloc). Each slab starts with a header; kfree finds it by
 * rounding the pointer down to SLAB_BYTES.
 *
 * Fast path: CPUs 0..SLAB_CPUS-1 each have a magazine of free objects in
 * every cache; allocation pops from it and freeing pushes to it, with no
 * lock and no atomic instruction: a CPU only touches its own magazine,
 * and kernel code is neither preempted inside the allocator
 * (aegis/sched.h) nor calls it from interrupt context. The slow path
 * moves half a magazine between the magazine and the slabs under the
 * cache's lock, and gets or returns slabs with the lock dropped (the
 * kernel's backend is a bus request, which may itself allocate). A CPU
 * with an index of SLAB_CPUS or more has no magazine: each of its
 * allocations and frees takes the cache's lock for one object.
 *
 * Debug mode (SLAB_DEBUG on a cache; every kmalloc cache when the kernel
 * is built with kmalloc_debug=yes): freed objects are poisoned, each
 * object has a red zone after it, and the cache reports
 *   - a double free (kfree of an object that is not allocated),
 *   - a use after free (a poisoned object changed while free, found when
 *     it is handed out again),
 *   - an overflow (the red zone changed, found at kfree),
 *   - a free of a pointer no cache handed out,
 * each as one line naming the cache and the address, through the report
 * function; the bad free is then ignored (never corrupts the cache). The
 * checks run under the cache's lock, and so does the report: the report
 * function may take locks ordered after "slab" (the kernel's console
 * takes the log lock), never kmalloc or anything that takes "slab".
 *
 * Context: thread and handler context on any CPU, the cpu argument being
 * the calling CPU's index (hal_cpu_index() in the kernel); never from
 * interrupt context (the magazine is not protected against the top half,
 * and the lock is taken with interrupts on).
 */
#ifndef AEGIS_SLAB_H
#define AEGIS_SLAB_H

#include <aegis/spinlock.h>
#include <aegis/types.h>

#define SLAB_ORDER	3			/* 8 pages */
#define SLAB_BYTES	(4096u << SLAB_ORDER)	/* 32 KiB */
/* CPUs 0..SLAB_CPUS-1 have a magazine in each cache (5 KiB a cache:
 * SLAB_CPUS magazines of 320 bytes, one cache line group each); the
 * others allocate and free through the cache's lock, one object a call. */
#define SLAB_CPUS	16
#define SLAB_MAG	32			/* objects in a CPU magazine */
#define SLAB_OBJS_MAX	2048			/* per slab (16-byte objects) */
#define SLAB_NAME_MAX	24
#define SLAB_REDZONE	16			/* debug: guard bytes per object */

#define SLAB_DEBUG	0x1u

#define SLAB_POISON_FREE	0x6b	/* a free object's bytes (debug) */
#define SLAB_POISON_RED		0xbb	/* red zone bytes (debug) */

/* Where slabs come from: 2^order pages aligned to their size, or NULL. */
struct slab_backend {
	void *(*get)(unsigned int order, void *ctx);
	void (*put)(void *block, unsigned int order, void *ctx);
	void *ctx;
};

/* Receives each debug report line (no newline). */
typedef void (*slab_report_fn)(const char *line);

struct slab_stats {
	uint64_t allocs, frees;		/* successful calls (every CPU's) */
	uint64_t fails;			/* allocations refused (no memory) */
	uint64_t errors;		/* debug reports */
	uint32_t slabs;			/* slabs held now */
	uint32_t inuse;			/* objects handed out now (computed
					 * by slab_cache_stats) */
	uint32_t magazined;		/* free objects in CPU magazines */
	uint32_t per_slab;		/* objects a slab holds */
};

struct slab;

/* One CPU's magazine in one cache: written by that CPU only (its
 * counters and n with relaxed stores, plain moves, so slab_cache_stats
 * may read them from another CPU), on cache lines of its own. */
struct slab_mag {
	_Alignas(64) uint32_t n;	/* free objects in obj[] */
	uint64_t allocs, frees;		/* this CPU's successful calls */
	void *obj[SLAB_MAG];
};

/* A cache: initialised by slab_cache_init, its fields private. The first
 * group never changes after init; the second is guarded by lock; the
 * magazines are their CPUs'. A cache made at run time must be 64-byte
 * aligned (kmalloc of its size is: it is a large block). */
struct slab_cache {
	char name[SLAB_NAME_MAX];
	uint32_t size;		/* bytes the caller asked for */
	uint32_t stride;	/* bytes between objects */
	uint32_t first;		/* offset of object 0 in a slab */
	uint32_t per_slab;
	uint32_t recip;		/* ceil(2^32 / stride): index by multiply */
	uint32_t flags;
	const struct slab_backend *be;

	_Alignas(64) spinlock_t lock;	/* class "slab" */
	struct slab *partial;	/* slabs with objects not taken */
	struct slab *full;
	struct slab *spare;	/* one empty slab kept back */
	struct slab_stats st;	/* slabs, fails, errors; allocs and frees
				 * of CPUs without a magazine (atomic) */

	struct slab_mag mag[SLAB_CPUS];
};

/*
 * slab_cache_init - a cache of objects of size bytes (1..SLAB_BYTES/4,
 * aligned to 16 bytes, or to the size for smaller powers of two), flags
 * SLAB_DEBUG or 0. -EINVAL for a bad size, name, backend or flag.
 */
int slab_cache_init(struct slab_cache *c, const char *name, uint32_t size,
		    uint32_t flags, const struct slab_backend *be);

/* slab_alloc - one object from c on CPU cpu (the caller's own index),
 * or NULL (backend empty). */
void *slab_alloc(struct slab_cache *c, unsigned int cpu);

/*
 * slab_free - give an object back; c is the cache the slab header names
 * (kfree finds it). 0, or -EINVAL for a pointer this cache did not hand
 * out or (debug) a double free / an overflow, reported and ignored.
 */
int slab_free(void *obj, unsigned int cpu);

/* slab_owner - the cache a pointer's slab belongs to, or NULL when the
 * pointer is in no slab (no valid header) or not at an object's start. */
struct slab_cache *slab_owner(const void *obj);

/* slab_free_owned - slab_free for a pointer slab_owner already matched
 * to c (kfree's path: the owner is looked up once). */
int slab_free_owned(struct slab_cache *c, void *obj, unsigned int cpu);

/* slab_drain - return the objects in CPU cpu's magazine (the caller's
 * own: no other CPU's is touched, so it is safe while they allocate) to
 * their slabs, and the spare slab to the backend; a slab that becomes
 * empty goes back too. Tests and the exhaustion check: everything comes
 * back once the other CPUs' magazines are empty too. */
void slab_drain(struct slab_cache *c, unsigned int cpu);

/* slab_set_report - where debug reports go (NULL: nowhere). */
void slab_set_report(slab_report_fn fn);

/* slab_cache_stats - c's counters, summed over the CPUs (takes c's lock;
 * exact when no other CPU is using c, a snapshot otherwise). */
void slab_cache_stats(const struct slab_cache *c, struct slab_stats *out);

#endif
