/*
 * test_slab.c - kernel/lib/slab.c and kmalloc.c: fill and drain, slabs
 * back to the backend, magazines, exhaustion, the debug mode's
 * detections, and many CPUs (host threads, each its own CPU index)
 * allocating and freeing in the same caches at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/slab.h>
#include <aegis/spinlock.h>
#include "unit.h"

/* A host backend: aligned blocks from the C library, with a budget so
 * tests can run it dry, and a count of what is out. */
static int budget;
static int blocks_out;

static void *held[4096];		/* blocks out, so teardown frees them */

static void *host_get(unsigned int order, void *ctx)
{
	size_t bytes = 4096ul << order;
	void *p;

	(void)ctx;
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	p = aligned_alloc(bytes, bytes);
	for (unsigned int i = 0; i < 4096; i++) {
		if (!held[i]) {
			held[i] = p;
			break;
		}
	}
	blocks_out++;
	return p;
}

static void host_put(void *p, unsigned int order, void *ctx)
{
	(void)order;
	(void)ctx;
	for (unsigned int i = 0; i < 4096; i++)
		if (held[i] == p)
			held[i] = NULL;
	blocks_out--;
	free(p);
}

static const struct slab_backend host = { host_get, host_put, NULL };

static char last_report[160];
static int nreports;

static void collect(const char *line)
{
	strncpy(last_report, line, sizeof(last_report) - 1);
	nreports++;
}

static struct slab_cache c;

static void setup(void)
{
	budget = -1;
	blocks_out = 0;
	nreports = 0;
	last_report[0] = '\0';
	slab_set_report(collect);
}

/* Tests that keep objects out leave their slabs: free them here. */
static void teardown(void)
{
	slab_set_report(NULL);
	for (unsigned int i = 0; i < 4096; i++) {
		free(held[i]);
		held[i] = NULL;
	}
}

START_TEST(test_slab_init_rejects_bad_arguments)
{
	ck_assert_int_eq(slab_cache_init(&c, "x", 0, 0, &host), -AE_EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", SLAB_BYTES, 0, &host),
			 -AE_EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 64, 0x80, &host),
			 -AE_EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "a-name-longer-than-24-bytes",
					 64, 0, &host), -AE_EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 64, 0, NULL), -AE_EINVAL);
}
END_TEST

START_TEST(test_slab_objects_distinct_aligned_and_in_one_slab)
{
	void *o[100];

	ck_assert_int_eq(slab_cache_init(&c, "t64", 64, 0, &host), 0);
	for (int i = 0; i < 100; i++) {
		o[i] = slab_alloc(&c, 0);
		ck_assert_ptr_nonnull(o[i]);
		ck_assert_uint_eq((uintptr_t)o[i] & 63, 0);
		ck_assert_ptr_eq(slab_owner(o[i]), &c);
		memset(o[i], i, 64);
		for (int k = 0; k < i; k++)
			ck_assert_ptr_ne(o[i], o[k]);
	}
	ck_assert_int_eq(blocks_out, 1);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(slab_free(o[i], 0), 0);
	slab_drain(&c, 0);
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

START_TEST(test_slab_fill_many_slabs_and_drain_returns_all)
{
	static void *o[20000];
	struct slab_stats st;
	unsigned int n;

	ck_assert_int_eq(slab_cache_init(&c, "t32", 32, 0, &host), 0);
	for (n = 0; n < 20000; n++)
		ck_assert_ptr_nonnull(o[n] = slab_alloc(&c, 0));
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.inuse, 20000);
	ck_assert_uint_ge(st.slabs, 20000 / st.per_slab);
	ck_assert_int_eq(blocks_out, (int)st.slabs);
	while (n)
		ck_assert_int_eq(slab_free(o[--n], 0), 0);
	slab_drain(&c, 0);
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.inuse, 0);
	ck_assert_uint_eq(st.slabs, 0);
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

START_TEST(test_slab_empty_slabs_go_back_without_drain)
{
	static void *o[5000];

	ck_assert_int_eq(slab_cache_init(&c, "t256", 256, 0, &host), 0);
	for (int i = 0; i < 5000; i++)
		o[i] = slab_alloc(&c, 0);
	ck_assert_int_gt(blocks_out, 30);
	for (int i = 0; i < 5000; i++)
		slab_free(o[i], 0);
	/* at most the spare and the magazine's slabs remain */
	ck_assert_int_le(blocks_out, 3);
}
END_TEST

START_TEST(test_slab_backend_dry_gives_null_and_counts)
{
	void *p;
	unsigned int n = 0;
	struct slab_stats st;

	ck_assert_int_eq(slab_cache_init(&c, "t1k", 1024, 0, &host), 0);
	budget = 2;
	while ((p = slab_alloc(&c, 0)))
		n++;
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(n, 2 * st.per_slab);
	ck_assert_uint_eq(st.fails, 1);
}
END_TEST

START_TEST(test_slab_cpus_have_their_own_magazines)
{
	void *a, *b;
	struct slab_stats st;

	ck_assert_int_eq(slab_cache_init(&c, "t16", 16, 0, &host), 0);
	a = slab_alloc(&c, 0);
	b = slab_alloc(&c, 1);
	ck_assert_ptr_ne(a, b);
	slab_free(a, 1);
	ck_assert_ptr_eq(slab_alloc(&c, 1), a);	/* LIFO on CPU 1 */
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.inuse, 2);
	ck_assert_uint_eq(st.magazined, 2 * (SLAB_MAG / 2 - 1));
}
END_TEST

START_TEST(test_slab_free_of_foreign_pointer_reported)
{
	static char buf[64];

	ck_assert_int_eq(slab_cache_init(&c, "t64", 64, 0, &host), 0);
	ck_assert_ptr_null(slab_owner(buf + 1));
	ck_assert_int_eq(slab_free(buf + 1, 0), -AE_EINVAL);
	ck_assert_int_eq(nreports, 1);
}
END_TEST

START_TEST(test_slab_pointer_inside_object_not_owned)
{
	char *p;

	ck_assert_int_eq(slab_cache_init(&c, "t64", 64, 0, &host), 0);
	p = slab_alloc(&c, 0);
	ck_assert_ptr_null(slab_owner(p + 8));
	ck_assert_int_eq(slab_free(p + 8, 0), -AE_EINVAL);
	ck_assert_int_eq(slab_free(p, 0), 0);
}
END_TEST

START_TEST(test_slab_debug_double_free_reported_and_ignored)
{
	void *p, *q;
	struct slab_stats st;

	ck_assert_int_eq(slab_cache_init(&c, "dbg64", 64, SLAB_DEBUG, &host),
			 0);
	p = slab_alloc(&c, 0);
	ck_assert_int_eq(slab_free(p, 0), 0);
	ck_assert_int_eq(slab_free(p, 0), -AE_EINVAL);
	ck_assert_ptr_nonnull(strstr(last_report, "double free"));
	ck_assert_ptr_nonnull(strstr(last_report, "dbg64"));
	/* the cache is intact: p comes back once, not twice */
	p = slab_alloc(&c, 0);
	q = slab_alloc(&c, 0);
	ck_assert_ptr_ne(p, q);
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.errors, 1);
}
END_TEST

START_TEST(test_slab_debug_use_after_free_found_at_reuse)
{
	char *p;

	ck_assert_int_eq(slab_cache_init(&c, "dbg32", 32, SLAB_DEBUG, &host),
			 0);
	p = slab_alloc(&c, 0);
	slab_free(p, 0);
	p[5] = 'x';			/* written after free */
	ck_assert_int_eq(nreports, 0);
	ck_assert_ptr_eq(slab_alloc(&c, 0), p);	/* LIFO: reused now */
	ck_assert_int_eq(nreports, 1);
	ck_assert_ptr_nonnull(strstr(last_report, "use after free"));
	ck_assert_ptr_nonnull(strstr(last_report, "byte 5"));
}
END_TEST

START_TEST(test_slab_debug_overflow_found_at_free)
{
	char *p;

	ck_assert_int_eq(slab_cache_init(&c, "dbg48", 48, SLAB_DEBUG, &host),
			 0);
	p = slab_alloc(&c, 0);
	memset(p, 0, 48);		/* the whole object: fine */
	p[48] = 1;			/* one past the end */
	ck_assert_int_eq(slab_free(p, 0), 0);
	ck_assert_int_eq(nreports, 1);
	ck_assert_ptr_nonnull(strstr(last_report, "overflow"));
	ck_assert_ptr_nonnull(strstr(last_report, "byte 48"));
}
END_TEST

START_TEST(test_slab_debug_clean_use_reports_nothing)
{
	static void *o[3000];

	ck_assert_int_eq(slab_cache_init(&c, "dbg16", 16, SLAB_DEBUG, &host),
			 0);
	for (int r = 0; r < 3; r++) {
		for (int i = 0; i < 3000; i++) {
			o[i] = slab_alloc(&c, 0);
			memset(o[i], 0x11, 16);
		}
		for (int i = 0; i < 3000; i++)
			slab_free(o[i], 0);
	}
	ck_assert_int_eq(nreports, 0);
	slab_drain(&c, 0);
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

/* ---- kmalloc -------------------------------------------------------- */

static void *hook_site;
static size_t hook_size;
static unsigned int hook_calls;

static void site_hook(void *site, size_t size)
{
	hook_site = site;
	hook_size = size;
	hook_calls++;
}

/* The memory profile's hook: the caller's address and the size, for
 * kmalloc and kzalloc, small and large, and nothing for a refusal. */
__attribute__((noinline)) static void *alloc_here(size_t n, bool zero)
{
	return zero ? kzalloc(n) : kmalloc(n);
}

START_TEST(test_kmalloc_site_hook_sees_every_allocation)
{
	void *p, *q, *r;

	ck_assert_int_eq(kmalloc_init(&host, false, collect), 0);
	hook_calls = 0;
	kmalloc_set_site_hook(site_hook);
	p = alloc_here(40, false);
	ck_assert_uint_eq(hook_calls, 1);
	ck_assert_uint_eq(hook_size, 40);
	/* the site lies inside alloc_here */
	ck_assert((uintptr_t)hook_site > (uintptr_t)alloc_here &&
		  (uintptr_t)hook_site < (uintptr_t)alloc_here + 256);
	q = alloc_here(100000, true);
	ck_assert_uint_eq(hook_calls, 2);
	ck_assert_uint_eq(hook_size, 100000);
	r = kmalloc(0);				/* refused: not counted */
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(hook_calls, 2);
	kmalloc_set_site_hook(NULL);
	kfree(kmalloc(8));
	ck_assert_uint_eq(hook_calls, 2);
	kfree(p);
	kfree(q);
}
END_TEST

START_TEST(test_kmalloc_sizes_pick_their_class)
{
	static const size_t sizes[] = { 1, 16, 17, 64, 100, 1024, 4000,
					4096 };
	static const size_t want[] = { 16, 16, 32, 64, 128, 1024, 4096,
				       4096 };

	ck_assert_int_eq(kmalloc_init(&host, false, collect), 0);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = kmalloc(sizes[i]);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(kmalloc_usable(p), want[i]);
		ck_assert_uint_eq((uintptr_t)p & 15, 0);
		kfree(p);
	}
	kmalloc_drain();
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

START_TEST(test_kmalloc_large_blocks_and_back)
{
	char *p;
	struct kmalloc_large_stats st;

	ck_assert_int_eq(kmalloc_init(&host, false, collect), 0);
	p = kmalloc(100000);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_ge(kmalloc_usable(p), 100000);
	memset(p, 7, 100000);
	kmalloc_large_stats(&st);
	ck_assert_uint_eq(st.bytes, 128 * 1024);
	kfree(p);
	kmalloc_large_stats(&st);
	ck_assert_uint_eq(st.bytes, 0);
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

START_TEST(test_kmalloc_zero_and_huge_sizes_refused)
{
	ck_assert_int_eq(kmalloc_init(&host, false, collect), 0);
	ck_assert_ptr_null(kmalloc(0));
	ck_assert_ptr_null(kmalloc(KMALLOC_MAX + 1));
	kfree(NULL);
	ck_assert_int_eq(nreports, 0);
}
END_TEST

START_TEST(test_kmalloc_kzalloc_zeroes)
{
	unsigned char *p;

	ck_assert_int_eq(kmalloc_init(&host, false, collect), 0);
	p = kmalloc(200);
	memset(p, 0xff, 200);
	kfree(p);
	p = kzalloc(200);
	for (int i = 0; i < 200; i++)
		ck_assert_uint_eq(p[i], 0);
	kfree(p);
}
END_TEST

START_TEST(test_kmalloc_large_double_free_reported)
{
	uint32_t magic;
	void *p;

	ck_assert_int_eq(kmalloc_init(&host, true, collect), 0);
	p = kmalloc(50000);
	kfree(p);
	ck_assert_int_eq(nreports, 0);
	/* the block went back to the C library: fake a second one at the
	 * same kind of address by keeping a block out */
	p = kmalloc(50000);
	magic = *((uint32_t *)((char *)p - 64));
	*((uint32_t *)((char *)p - 64)) = 0;	/* as a freed header */
	kfree(p);
	ck_assert_int_eq(nreports, 1);
	ck_assert_ptr_nonnull(strstr(last_report, "did not return"));
	*((uint32_t *)((char *)p - 64)) = magic;
	kfree(p);
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

START_TEST(test_kmalloc_exhaustion_returns_null_then_recovers)
{
	static void *o[4096];
	unsigned int n = 0;
	void *p;

	ck_assert_int_eq(kmalloc_init(&host, false, collect), 0);
	budget = 3;
	while (n < 4096 && (p = kmalloc(2048)))
		o[n++] = p;
	ck_assert_uint_eq(n, 3 * kmalloc_cache(7)->per_slab);
	ck_assert_ptr_null(kmalloc(100000));
	while (n)
		kfree(o[--n]);
	kmalloc_drain();
	ck_assert_int_eq(blocks_out, 0);
	budget = -1;
	ck_assert_ptr_nonnull(p = kmalloc(2048));
	kfree(p);
}
END_TEST

/* ---- many CPUs ------------------------------------------------------ */

/*
 * Host threads stand for CPUs: each has its own index (the slab calls'
 * cpu argument, kmalloc's hook and the lock checker's), objects go from
 * the thread that allocated them to the next one through a locked queue
 * and are freed there, and the backend counts the blocks out under a
 * mutex. Each object carries its allocator's pattern, checked before it
 * is freed: two live objects that overlapped would spoil one of them.
 */
#define SMP_THREADS	4
#define SMP_ROUNDS	240	/* per thread */
#define SMP_BURST	256	/* objects allocated per round, at most */
#define SMP_QUEUE	4096

static __thread unsigned int smp_cpu;
static pthread_mutex_t smp_mu = PTHREAD_MUTEX_INITIALIZER;
static long smp_out, smp_gets, smp_puts;	/* the backend's blocks */
static unsigned int smp_reports;		/* slab and lockdep lines */
static char smp_first[160];

static unsigned int smp_cpu_of(void)
{
	return smp_cpu;
}

static void *smp_get(unsigned int order, void *ctx)
{
	size_t bytes = 4096ul << order;
	void *p = aligned_alloc(bytes, bytes);

	(void)ctx;
	pthread_mutex_lock(&smp_mu);
	smp_out++;
	smp_gets++;
	pthread_mutex_unlock(&smp_mu);
	return p;
}

static void smp_put(void *p, unsigned int order, void *ctx)
{
	(void)order;
	(void)ctx;
	pthread_mutex_lock(&smp_mu);
	smp_out--;
	smp_puts++;
	pthread_mutex_unlock(&smp_mu);
	free(p);
}

static const struct slab_backend smp_backend = { smp_get, smp_put, NULL };

static void smp_report(const char *line)
{
	pthread_mutex_lock(&smp_mu);
	if (!smp_reports++)
		snprintf(smp_first, sizeof(smp_first), "%s", line);
	pthread_mutex_unlock(&smp_mu);
}

static const struct spin_hooks smp_hooks = {
	.cpu = smp_cpu_of, .report = smp_report,
};

struct queue {
	pthread_mutex_t mu;
	unsigned int head, n;
	void *obj[SMP_QUEUE];
};

static struct queue queues[SMP_THREADS];

/* Queue n objects; returns how many fitted. */
static unsigned int q_put(struct queue *q, void **p, unsigned int n)
{
	unsigned int k;

	pthread_mutex_lock(&q->mu);
	for (k = 0; k < n && q->n < SMP_QUEUE; k++)
		q->obj[(q->head + q->n++) % SMP_QUEUE] = p[k];
	pthread_mutex_unlock(&q->mu);
	return k;
}

/* Take up to n objects; returns how many. */
static unsigned int q_get(struct queue *q, void **p, unsigned int n)
{
	unsigned int k;

	pthread_mutex_lock(&q->mu);
	for (k = 0; k < n && q->n; k++) {
		p[k] = q->obj[q->head];
		q->head = (q->head + 1) % SMP_QUEUE;
		q->n--;
	}
	pthread_mutex_unlock(&q->mu);
	return k;
}

/* What a test allocates from: pick chooses the cache or size. */
struct smp_ops {
	void *(*alloc)(uint32_t pick, size_t *size);
	void (*free)(void *p, bool *bad);
	void (*drain)(void);	/* this CPU's magazines */
};

/* The head of every object: who wrote the rest, and how much. */
struct tag {
	uint32_t thread, serial;
	uint64_t size;
};

struct worker {
	unsigned int idx, cpu;
	const struct smp_ops *ops;
	uint32_t rng;
	unsigned long allocs, frees, nulls, bad;
};

static pthread_barrier_t smp_bar;

static uint32_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 17;
	w->rng ^= w->rng << 5;
	return w->rng;
}

static uint8_t fill_of(const struct tag *t)
{
	return (uint8_t)(t->thread * 37 + t->serial);
}

static void check_and_free(struct worker *w, void *p)
{
	const struct tag *t = p;
	const uint8_t *b = p;
	bool bad = false;

	if (t->thread >= SMP_THREADS || t->size < sizeof(*t))
		w->bad++;
	else
		for (size_t k = sizeof(*t); k < t->size; k++)
			if (b[k] != fill_of(t)) {
				w->bad++;
				break;
			}
	w->ops->free(p, &bad);
	if (bad)
		w->bad++;
	w->frees++;
}

/*
 * Rounds of a burst of allocations, handed to the next thread, then a
 * burst of frees of what the previous one handed over: eight rounds in
 * which more is allocated than freed, then eight in which everything
 * arriving is freed, so slabs are got and given back all along, and
 * magazines overflow and run dry.
 */
static void *smp_worker(void *arg)
{
	struct worker *w = arg;
	struct queue *mine = &queues[w->idx];
	struct queue *next = &queues[(w->idx + 1) % SMP_THREADS];
	uint32_t serial = 0;
	void *batch[4 * SMP_BURST];
	unsigned int n, sent;

	smp_cpu = w->cpu;
	for (unsigned int r = 0; r < SMP_ROUNDS; r++) {
		bool grow = (r / 8) % 2 == 0;
		unsigned int k = 1 + rnd(w) % (grow ? SMP_BURST :
					       SMP_BURST / 4);
		unsigned int f = grow ? rnd(w) % (SMP_BURST / 2) :
				 4 * SMP_BURST;

		for (n = 0; n < k; n++) {
			struct tag *t;
			size_t size;

			batch[n] = w->ops->alloc(rnd(w), &size);
			if (!batch[n]) {
				w->nulls++;
				break;
			}
			w->allocs++;
			t = batch[n];
			t->thread = w->idx;
			t->serial = serial++;
			t->size = size;
			memset(t + 1, fill_of(t), size - sizeof(*t));
		}
		sent = q_put(next, batch, n);
		while (sent < n)
			check_and_free(w, batch[sent++]);
		n = q_get(mine, batch, f);
		for (unsigned int i = 0; i < n; i++)
			check_and_free(w, batch[i]);
	}
	/* nobody allocates any more: free what is left here, then give
	 * this CPU's magazines back */
	pthread_barrier_wait(&smp_bar);
	while ((n = q_get(mine, batch, 4 * SMP_BURST)))
		for (unsigned int i = 0; i < n; i++)
			check_and_free(w, batch[i]);
	pthread_barrier_wait(&smp_bar);
	w->ops->drain();
	return NULL;
}

/* Typed caches: a plain one and a debug one. */
static struct slab_cache smp_plain, smp_debug;

static void *typed_alloc(uint32_t pick, size_t *size)
{
	struct slab_cache *sc = pick & 1 ? &smp_debug : &smp_plain;

	*size = sc->size;
	return slab_alloc(sc, smp_cpu);
}

static void typed_free(void *p, bool *bad)
{
	*bad = slab_free(p, smp_cpu) != 0;
}

static void typed_drain(void)
{
	slab_drain(&smp_plain, smp_cpu);
	slab_drain(&smp_debug, smp_cpu);
}

static const struct smp_ops typed_ops = { typed_alloc, typed_free,
					  typed_drain };

/* kmalloc: sizes of several classes, now and then a large block. */
static void *km_alloc(uint32_t pick, size_t *size)
{
	static const size_t sizes[] = { 16, 24, 64, 100, 256, 700, 2048,
					 4096 };

	*size = (pick >> 8) % 64 == 0 ? 70000 : sizes[pick % 8];
	return kmalloc(*size);
}

static void km_free(void *p, bool *bad)
{
	*bad = false;
	kfree(p);
}

static const struct smp_ops km_ops = { km_alloc, km_free, kmalloc_drain };

static struct worker workers[SMP_THREADS];

static void smp_setup(void)
{
	smp_out = smp_gets = smp_puts = 0;
	smp_reports = 0;
	smp_first[0] = '\0';
	smp_cpu = 0;
	for (unsigned int i = 0; i < SMP_THREADS; i++) {
		pthread_mutex_init(&queues[i].mu, NULL);
		queues[i].head = queues[i].n = 0;
	}
	lockdep_reset();
	spin_set_hooks(&smp_hooks);
	slab_set_report(smp_report);
}

static void smp_teardown(void)
{
	spin_set_hooks(NULL);
	slab_set_report(NULL);
	kmalloc_set_cpu(NULL);
	for (unsigned int i = 0; i < SMP_THREADS; i++)
		pthread_mutex_destroy(&queues[i].mu);
}

/* Run the workers on CPUs cpus[], then check that every object was
 * accounted for and nothing was reported. */
static void smp_run(const struct smp_ops *ops, const unsigned int *cpus)
{
	pthread_t t[SMP_THREADS];
	unsigned long allocs = 0, frees = 0, nulls = 0, bad = 0;
	struct lockdep_stats ls;

	ck_assert_int_eq(pthread_barrier_init(&smp_bar, NULL, SMP_THREADS),
			 0);
	for (unsigned int i = 0; i < SMP_THREADS; i++) {
		workers[i] = (struct worker){ .idx = i, .cpu = cpus[i],
					      .ops = ops, .rng = 2463534242u +
					      i * 7919u };
		ck_assert_int_eq(pthread_create(&t[i], NULL, smp_worker,
						&workers[i]), 0);
	}
	for (unsigned int i = 0; i < SMP_THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&smp_bar);
	for (unsigned int i = 0; i < SMP_THREADS; i++) {
		allocs += workers[i].allocs;
		frees += workers[i].frees;
		nulls += workers[i].nulls;
		bad += workers[i].bad;
	}
	ck_assert_msg(smp_reports == 0, "reported: %s", smp_first);
	lockdep_stats(&ls);
	ck_assert_uint_eq(ls.inversions + ls.recursions + ls.bad_unlocks +
			  ls.irq_unsafe, 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(nulls, 0);
	ck_assert_uint_gt(allocs, 20000);
	ck_assert_uint_eq(allocs, frees);
	/* slabs came and went while the threads ran */
	ck_assert_int_gt(smp_gets, 10);
	ck_assert_int_gt(smp_puts, 0);
}

/* A cache after the run: nothing in use, no magazine holding anything
 * (every CPU drained its own), the backend's blocks its slabs. */
static void smp_cache_quiet(const struct slab_cache *sc, uint64_t *allocs)
{
	struct slab_stats st;

	slab_cache_stats(sc, &st);
	ck_assert_uint_eq(st.allocs, st.frees);
	ck_assert_uint_eq(st.inuse, 0);
	ck_assert_uint_eq(st.magazined, 0);
	ck_assert_uint_eq(st.fails, 0);
	ck_assert_uint_eq(st.errors, 0);
	*allocs += st.allocs;
}

static long smp_slabs(const struct slab_cache *sc)
{
	struct slab_stats st;

	slab_cache_stats(sc, &st);
	return st.slabs;
}

static void typed_run(const unsigned int *cpus)
{
	uint64_t allocs = 0;

	ck_assert_int_eq(slab_cache_init(&smp_plain, "smp64", 64, 0,
					 &smp_backend), 0);
	ck_assert_int_eq(slab_cache_init(&smp_debug, "smp200", 200,
					 SLAB_DEBUG, &smp_backend), 0);
	smp_run(&typed_ops, cpus);
	smp_cache_quiet(&smp_plain, &allocs);
	smp_cache_quiet(&smp_debug, &allocs);
	ck_assert_uint_eq(allocs, workers[0].allocs + workers[1].allocs +
			  workers[2].allocs + workers[3].allocs);
	ck_assert_int_eq(smp_out, smp_slabs(&smp_plain) +
			 smp_slabs(&smp_debug));
	/* at most the spares are left: gone with a last drain */
	ck_assert_int_le(smp_out, 2);
	typed_drain();
	ck_assert_int_eq(smp_out, 0);
	ck_assert_int_eq(smp_slabs(&smp_plain) + smp_slabs(&smp_debug), 0);
}

START_TEST(test_slab_smp_four_cpus_share_typed_caches)
{
	static const unsigned int cpus[SMP_THREADS] = { 0, 1, 2, 3 };

	typed_run(cpus);
}
END_TEST

/* Two threads on CPUs with a magazine, two beyond SLAB_CPUS without. */
START_TEST(test_slab_smp_cpus_beyond_the_magazines_share_caches)
{
	static const unsigned int cpus[SMP_THREADS] = { 1, SLAB_CPUS,
							SLAB_CPUS - 1, 63 };

	typed_run(cpus);
}
END_TEST

START_TEST(test_kmalloc_smp_four_cpus)
{
	static const unsigned int cpus[SMP_THREADS] = { 0, 1, 2, 3 };
	struct kmalloc_large_stats ls;
	uint64_t allocs = 0;
	long slabs = 0;

	ck_assert_int_eq(kmalloc_init(&smp_backend, false, smp_report), 0);
	kmalloc_set_cpu(smp_cpu_of);
	smp_run(&km_ops, cpus);
	for (unsigned int i = 0; i < KMALLOC_CLASSES; i++) {
		smp_cache_quiet(kmalloc_cache(i), &allocs);
		slabs += smp_slabs(kmalloc_cache(i));
	}
	kmalloc_large_stats(&ls);
	ck_assert_uint_gt(ls.allocs, 100);
	ck_assert_uint_eq(ls.allocs, ls.frees);
	ck_assert_uint_eq(ls.bytes, 0);
	ck_assert_uint_eq(allocs + ls.allocs, workers[0].allocs +
			  workers[1].allocs + workers[2].allocs +
			  workers[3].allocs);
	ck_assert_int_eq(smp_out, slabs);
	kmalloc_drain();		/* CPU 0: the spares */
	ck_assert_int_eq(smp_out, 0);
}
END_TEST

/* A CPU with no magazine: every allocation and free through the lock,
 * counted, nothing kept back but the spare; the debug checks hold. */
START_TEST(test_slab_cpu_beyond_slab_cpus_has_no_magazine)
{
	static void *o[600];
	struct slab_stats st;
	void *p, *q;

	ck_assert_int_eq(slab_cache_init(&c, "far", 128, 0, &host), 0);
	for (int i = 0; i < 600; i++) {
		o[i] = slab_alloc(&c, SLAB_CPUS + i % 40);
		ck_assert_ptr_nonnull(o[i]);
		for (int k = 0; k < i; k++)
			ck_assert_ptr_ne(o[i], o[k]);
	}
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.allocs, 600);
	ck_assert_uint_eq(st.magazined, 0);
	for (int i = 0; i < 600; i++)
		ck_assert_int_eq(slab_free(o[i], SLAB_CPUS + 7), 0);
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.frees, 600);
	ck_assert_uint_eq(st.inuse, 0);
	ck_assert_uint_eq(st.magazined, 0);
	ck_assert_int_eq(blocks_out, 1);	/* the spare */
	slab_drain(&c, SLAB_CPUS + 7);
	ck_assert_int_eq(blocks_out, 0);

	ck_assert_int_eq(slab_cache_init(&c, "fardbg", 32, SLAB_DEBUG, &host),
			 0);
	p = slab_alloc(&c, 63);
	q = slab_alloc(&c, 63);		/* keeps the slab from emptying */
	ck_assert_int_eq(slab_free(p, 63), 0);
	ck_assert_int_eq(slab_free(p, 63), -AE_EINVAL);
	ck_assert_ptr_nonnull(strstr(last_report, "double free"));
	ck_assert_int_eq(slab_free(q, 63), 0);
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.errors, 1);
	ck_assert_uint_eq(st.allocs, 2);
	ck_assert_uint_eq(st.frees, 2);
}
END_TEST

static unsigned int far_cpu(void)
{
	return SLAB_CPUS + 2;
}

START_TEST(test_kmalloc_cpu_beyond_slab_cpus)
{
	void *p, *q;
	struct slab_stats st;

	ck_assert_int_eq(kmalloc_init(&host, false, collect), 0);
	kmalloc_set_cpu(far_cpu);
	p = kmalloc(64);
	q = kmalloc(64);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_ne(p, q);
	kfree(p);
	kfree(q);
	slab_cache_stats(kmalloc_cache(2), &st);
	ck_assert_uint_eq(st.allocs, 2);
	ck_assert_uint_eq(st.frees, 2);
	ck_assert_uint_eq(st.magazined, 0);
	kmalloc_drain();
	kmalloc_set_cpu(NULL);
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

/* The backend runs without the cache's lock, and may allocate and free
 * in the same cache on the same CPU (the kernel's bus grows its tables
 * from kmalloc while it carries the request to mm): nothing is lost or
 * handed out twice. */
static struct slab_cache *nest_cache;
static unsigned int nest_calls, nest_locked;
static void *nest_kept[64];
static unsigned int nest_nkept;

static void nest(void)
{
	void *p;

	nest_calls++;
	if (spin_is_locked(&nest_cache->lock))
		nest_locked++;
	if (nest_nkept < 64 && (p = slab_alloc(nest_cache, 0)))
		nest_kept[nest_nkept++] = p;
	if (nest_nkept > 1 && nest_nkept % 3 == 0)
		slab_free(nest_kept[--nest_nkept], 0);
}

static unsigned int nest_depth;

/* A request made while one is under way is refused, as the mm service
 * refuses one to itself (-EDEADLK): the nested refill finds no slab. */
static void *nest_get(unsigned int order, void *ctx)
{
	void *p = NULL;

	if (!nest_depth) {
		nest_depth++;
		nest();
		p = host_get(order, ctx);
		nest_depth--;
	}
	return p;
}

static void nest_put(void *p, unsigned int order, void *ctx)
{
	nest_depth++;
	nest();
	host_put(p, order, ctx);
	nest_depth--;
}

static const struct slab_backend nesting = { nest_get, nest_put, NULL };

START_TEST(test_slab_backend_runs_unlocked_and_may_allocate)
{
	static void *o[3000];
	struct slab_stats st;

	ck_assert_int_eq(slab_cache_init(&c, "nest", 512, SLAB_DEBUG,
					 &nesting), 0);
	nest_cache = &c;
	nest_calls = nest_locked = nest_nkept = nest_depth = 0;
	for (int r = 0; r < 2; r++) {
		for (int i = 0; i < 3000; i++) {
			o[i] = slab_alloc(&c, 0);
			ck_assert_ptr_nonnull(o[i]);
			memset(o[i], i & 0xff, 512);
		}
		for (int i = 0; i < 3000; i++)
			ck_assert_int_eq(slab_free(o[i], 0), 0);
	}
	while (nest_nkept)
		ck_assert_int_eq(slab_free(nest_kept[--nest_nkept], 0), 0);
	slab_drain(&c, 0);
	ck_assert_uint_gt(nest_calls, 20);
	ck_assert_uint_eq(nest_locked, 0);
	ck_assert_int_eq(nreports, 0);
	slab_cache_stats(&c, &st);
	ck_assert_uint_eq(st.inuse, 0);
	ck_assert_uint_eq(st.slabs, 0);
	ck_assert_int_eq(blocks_out, 0);
}
END_TEST

Suite *suite_slab(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");
	TCase *km = tcase_create("kmalloc");
	TCase *cpus = tcase_create("cpus");	/* threads as CPUs */

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_slab_init_rejects_bad_arguments);
	tcase_add_test(tc, test_slab_objects_distinct_aligned_and_in_one_slab);
	tcase_add_test(tc, test_slab_fill_many_slabs_and_drain_returns_all);
	tcase_add_test(tc, test_slab_empty_slabs_go_back_without_drain);
	tcase_add_test(tc, test_slab_backend_dry_gives_null_and_counts);
	tcase_add_test(tc, test_slab_cpus_have_their_own_magazines);
	tcase_add_test(tc, test_slab_free_of_foreign_pointer_reported);
	tcase_add_test(tc, test_slab_pointer_inside_object_not_owned);
	tcase_add_test(tc, test_slab_debug_double_free_reported_and_ignored);
	tcase_add_test(tc, test_slab_debug_use_after_free_found_at_reuse);
	tcase_add_test(tc, test_slab_debug_overflow_found_at_free);
	tcase_add_test(tc, test_slab_debug_clean_use_reports_nothing);
	tcase_add_test(tc, test_slab_cpu_beyond_slab_cpus_has_no_magazine);
	tcase_add_test(tc, test_slab_backend_runs_unlocked_and_may_allocate);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(km, setup, teardown);
	tcase_add_test(km, test_kmalloc_sizes_pick_their_class);
	tcase_add_test(km, test_kmalloc_site_hook_sees_every_allocation);
	tcase_add_test(km, test_kmalloc_large_blocks_and_back);
	tcase_add_test(km, test_kmalloc_zero_and_huge_sizes_refused);
	tcase_add_test(km, test_kmalloc_kzalloc_zeroes);
	tcase_add_test(km, test_kmalloc_large_double_free_reported);
	tcase_add_test(km, test_kmalloc_exhaustion_returns_null_then_recovers);
	tcase_add_test(km, test_kmalloc_cpu_beyond_slab_cpus);
	suite_add_tcase(s, km);
	tcase_add_checked_fixture(cpus, smp_setup, smp_teardown);
	tcase_add_test(cpus, test_slab_smp_four_cpus_share_typed_caches);
	tcase_add_test(cpus,
		       test_slab_smp_cpus_beyond_the_magazines_share_caches);
	tcase_add_test(cpus, test_kmalloc_smp_four_cpus);
	suite_add_tcase(s, cpus);
	return s;
}
