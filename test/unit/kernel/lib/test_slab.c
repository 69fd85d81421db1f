/*
 * test_slab.c - kernel/lib/slab.c and kmalloc.c: fill and drain, slabs
 * back to the backend, magazines, exhaustion, and the debug mode's
 * detections.
 */
#include <stdlib.h>
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/slab.h>
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

Suite *suite_slab(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");
	TCase *km = tcase_create("kmalloc");

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
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(km, setup, teardown);
	tcase_add_test(km, test_kmalloc_sizes_pick_their_class);
	tcase_add_test(km, test_kmalloc_site_hook_sees_every_allocation);
	tcase_add_test(km, test_kmalloc_large_blocks_and_back);
	tcase_add_test(km, test_kmalloc_zero_and_huge_sizes_refused);
	tcase_add_test(km, test_kmalloc_kzalloc_zeroes);
	tcase_add_test(km, test_kmalloc_large_double_free_reported);
	tcase_add_test(km, test_kmalloc_exhaustion_returns_null_then_recovers);
	suite_add_tcase(s, km);
	return s;
}
