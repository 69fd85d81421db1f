/*
 * test_mm.c - services/mm/mm_core.c on the host bus, through the client
 * library (kernel/lib/mm_client.c) and kmalloc's mm backend: the same
 * messages the kernel exchanges.
 */
#include <stdlib.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/mm.h>
#include <aegis/contract.h>
#include <aegis/topics.h>
#include "unit.h"
#include "../../../../services/mm/mm_core.h"

#define ARENA_PAGES	2048		/* 8 MiB of "physical memory" */
#define ARENA_PA	0x40000000ull	/* where the fake RAM starts */

static uint8_t *arena;
static struct buddy_frame *meta_buf;
static struct mm_state mm;
static struct phys_plan plan;
static struct boot_info bi;
static int nlog;
static uint32_t nlow, nexh;
static bus_svc_t mm_id;

static void log_line(const char *line)
{
	(void)line;
	nlog++;
}

static int watch(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	(void)r;
	if (m->topic == (bus_topic_t)bus_topic_find("mm.pages.low"))
		nlow++;
	else
		nexh++;
	return 0;
}

static void setup(void)
{
	struct phys_range res[] = { { ARENA_PA, ARENA_PA + 4096 } };
	const char *why;
	int id;

	arena = aligned_alloc(1 << 21, ARENA_PAGES * 4096ul);
	memset(&bi, 0, sizeof(bi));
	bi.nmem = 1;
	bi.mem[0].base = ARENA_PA;
	bi.mem[0].len = ARENA_PAGES * 4096ull;
	bi.mem[0].type = BOOT_MEM_USABLE;
	ck_assert_int_eq(phys_plan(&plan, &bi, res, 1, 1ull << 32, &why), 0);
	bus_init(NULL);
	nlog = 0;
	nlow = nexh = 0;
	/* the metadata lives in the arena, as in the kernel */
	meta_buf = (struct buddy_frame *)(arena + (plan.meta_pa - ARENA_PA));
	ck_assert_int_eq(mm_core_init(&mm, &plan, meta_buf,
				      (uint64_t)(uintptr_t)arena - ARENA_PA, 10,
				      log_line), 0);
	id = bus_svc_add("mm", mm_core_handle, &mm, 64, 2);
	ck_assert_int_ge(id, 0);
	mm_id = (bus_svc_t)id;
	/* what mm's descriptor declares (contracts/mm.def) */
	for (const char *const *p = SERVES_MM; *p; p++)
		ck_assert_int_eq(bus_serve(mm_id, *p), 0);
	id = bus_svc_add("watch", watch, NULL, 64, 4);
	ck_assert_int_eq(bus_subscribe((bus_svc_t)id, "mm.pages.*", NULL), 0);
}

static void teardown(void)
{
	free(arena);
}

START_TEST(test_mm_page_alloc_gives_arena_pages)
{
	uint64_t pa;
	void *va;

	ck_assert_int_eq(mm_page_alloc(0, &pa, &va), 0);
	ck_assert_uint_ge(pa, ARENA_PA + 4096);
	ck_assert_uint_lt(pa, ARENA_PA + ARENA_PAGES * 4096ull);
	ck_assert_ptr_eq(va, arena + (pa - ARENA_PA));
	memset(va, 0x5a, 4096);	/* really memory */
	ck_assert_int_eq(mm_page_free(pa, 0), 0);
}
END_TEST

START_TEST(test_mm_stats_count_and_restore)
{
	struct mm_stats s0, s1;
	uint64_t pa;
	void *va;

	ck_assert_int_eq(mm_get_stats(&s0), 0);
	ck_assert_uint_eq(s0.managed_pages, ARENA_PAGES - 1 -
			  plan.meta_bytes / 4096);
	ck_assert_uint_eq(s0.free_pages, s0.managed_pages);
	ck_assert_uint_eq(s0.low_mark, s0.managed_pages / 10);
	ck_assert_int_eq(mm_page_alloc(3, &pa, &va), 0);
	ck_assert_int_eq(mm_get_stats(&s1), 0);
	ck_assert_uint_eq(s1.free_pages, s0.free_pages - 8);
	ck_assert_uint_eq(s1.allocs, 1);
	ck_assert_int_eq(mm_page_free(pa, 3), 0);
	ck_assert_int_eq(mm_get_stats(&s1), 0);
	ck_assert_uint_eq(s1.free_pages, s0.free_pages);
}
END_TEST

START_TEST(test_mm_exhaustion_publishes_low_once_and_exhausted)
{
	static uint64_t got[ARENA_PAGES];
	unsigned int n = 0;
	uint64_t pa;
	void *va;
	int rc;

	while ((rc = mm_page_alloc(0, &pa, &va)) == 0)
		got[n++] = pa;
	ck_assert_int_eq(rc, -AE_ENOMEM);
	ck_assert_int_eq(mm_page_alloc(0, &pa, &va), -AE_ENOMEM);
	bus_run(~0u);
	ck_assert_uint_eq(nlow, 1);
	ck_assert_uint_eq(nexh, 2);
	/* free everything: the mark re-arms above twice the watermark */
	while (n)
		ck_assert_int_eq(mm_page_free(got[--n], 0), 0);
	ck_assert(!mm.low_sent);
	while (mm_page_alloc(0, &pa, &va) == 0)
		got[n++] = pa;
	bus_run(~0u);
	ck_assert_uint_eq(nlow, 2);
	while (n)
		mm_page_free(got[--n], 0);
}
END_TEST

START_TEST(test_mm_bad_requests_refused)
{
	struct bus_msg reply;
	uint8_t junk[3] = { 1, 2, 3 };
	uint64_t pa;
	void *va;

	ck_assert_int_eq(bus_call(mm_id, (bus_topic_t)bus_topic("mm.page.alloc"),
				  junk, sizeof(junk), &reply), -AE_EBADMSG);
	ck_assert_int_eq(bus_call(mm_id, (bus_topic_t)bus_topic("mm.other"),
				  NULL, 0, &reply), -AE_ENOSYS);
	ck_assert_int_eq(mm_page_alloc(MM_MAX_ORDER + 1, &pa, &va),
			 -AE_EINVAL);
	ck_assert_int_eq(mm_page_free(ARENA_PA + 123, 0), -AE_EINVAL);
	ck_assert_int_eq(mm_page_free(ARENA_PA, 0), -AE_EINVAL); /* reserved */
	ck_assert_int_eq(nlog, 2);
	/* address spaces need the HAL: without the kernel's hook, refused */
	ck_assert_int_eq(mm_as_create(NULL, NULL), -AE_ENOSYS);
	ck_assert_int_eq(mm_as_map(1, 0x100000000ull, 4096, 1), -AE_ENOSYS);
}
END_TEST

START_TEST(test_mm_double_free_refused_and_logged)
{
	struct mm_stats s0, s1;
	uint64_t pa;
	void *va;

	ck_assert_int_eq(mm_get_stats(&s0), 0);
	ck_assert_int_eq(mm_page_alloc(1, &pa, &va), 0);
	ck_assert_int_eq(mm_page_free(pa, 1), 0);
	ck_assert_int_eq(mm_page_free(pa, 1), -AE_EINVAL);
	ck_assert_int_eq(nlog, 1);
	ck_assert_int_eq(mm_get_stats(&s1), 0);
	ck_assert_uint_eq(s1.free_pages, s0.free_pages);
}
END_TEST

START_TEST(test_mm_not_running_is_an_error_not_a_crash)
{
	uint64_t pa;
	void *va;

	ck_assert_int_eq(bus_svc_set_state(mm_id, BUS_SVC_STOPPED), 0);
	ck_assert_int_eq(mm_page_alloc(0, &pa, &va), -AE_ESHUTDOWN);
	bus_init(NULL);		/* no mm at all */
	ck_assert_int_eq(mm_page_alloc(0, &pa, &va), -AE_ENODEV);
}
END_TEST

/* kmalloc over the mm backend: slabs are mm pages, and everything comes
 * back when the objects do. */
START_TEST(test_mm_kmalloc_over_the_bus)
{
	static void *o[3000];
	struct mm_stats s0, s1;

	ck_assert_int_eq(kmalloc_init(&mm_backend, true, NULL), 0);
	ck_assert_int_eq(mm_get_stats(&s0), 0);
	for (int i = 0; i < 3000; i++) {
		o[i] = kmalloc(100 + i);
		ck_assert_ptr_nonnull(o[i]);
		ck_assert((uint8_t *)o[i] >= arena &&
			  (uint8_t *)o[i] < arena + ARENA_PAGES * 4096ul);
	}
	ck_assert_int_eq(mm_get_stats(&s1), 0);
	ck_assert_uint_lt(s1.free_pages, s0.free_pages);
	for (int i = 0; i < 3000; i++)
		kfree(o[i]);
	kmalloc_drain();
	ck_assert_int_eq(mm_get_stats(&s1), 0);
	ck_assert_uint_eq(s1.free_pages, s0.free_pages);
}
END_TEST

Suite *suite_mm(void)
{
	Suite *s = suite_create("mm");
	TCase *tc = tcase_create("service");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mm_page_alloc_gives_arena_pages);
	tcase_add_test(tc, test_mm_stats_count_and_restore);
	tcase_add_test(tc, test_mm_exhaustion_publishes_low_once_and_exhausted);
	tcase_add_test(tc, test_mm_bad_requests_refused);
	tcase_add_test(tc, test_mm_double_free_refused_and_logged);
	tcase_add_test(tc, test_mm_not_running_is_an_error_not_a_crash);
	tcase_add_test(tc, test_mm_kmalloc_over_the_bus);
	suite_add_tcase(s, tc);
	return s;
}
