/*
 * test_buddy.c - services/mm/buddy.c: split, merge, reservations,
 * exhaustion, and every kind of bad free.
 */
#include <stdlib.h>
#include <string.h>
#include <aegis/errno.h>
#include "unit.h"
#include "../../../../services/mm/buddy.h"

#define BASE	(1ull << BUDDY_MAX_ORDER)	/* an aligned base pfn */
#define N	4096u

static struct buddy b;
static struct buddy_frame meta[N];

static void check(void)
{
	const char *why = NULL;

	ck_assert_msg(buddy_check(&b, &why) == 0, "%s", why);
}

static void setup(void)
{
	ck_assert_int_eq(buddy_init(&b, BASE, N, meta), 0);
}

START_TEST(test_buddy_starts_all_reserved)
{
	ck_assert_uint_eq(b.free_frames, 0);
	ck_assert_int_eq(buddy_alloc(&b, 0), -AE_ENOMEM);
	ck_assert_int_eq(buddy_largest(&b), -1);
	check();
}
END_TEST

START_TEST(test_buddy_init_rejects_misaligned_base)
{
	ck_assert_int_eq(buddy_init(&b, BASE + 1, N, meta), -AE_EINVAL);
	ck_assert_int_eq(buddy_init(&b, BASE, 0, meta), -AE_EINVAL);
	ck_assert_int_eq(buddy_init(&b, BASE, N, NULL), -AE_EINVAL);
}
END_TEST

START_TEST(test_buddy_aligned_range_becomes_one_block)
{
	ck_assert_int_eq(buddy_free_range(&b, BASE, 1024), 0);
	ck_assert_uint_eq(b.free_frames, 1024);
	ck_assert_uint_eq(b.nfree[10], 1);
	ck_assert_int_eq(buddy_largest(&b), 10);
	check();
}
END_TEST

START_TEST(test_buddy_unaligned_range_split_into_aligned_blocks)
{
	/* frames 3..21: 3 (1), 4-7 (4), 8-15 (8), 16-19 (4), 20 (1) */
	ck_assert_int_eq(buddy_free_range(&b, BASE + 3, 18), 0);
	ck_assert_uint_eq(b.free_frames, 18);
	ck_assert_uint_eq(b.nfree[0], 2);
	ck_assert_uint_eq(b.nfree[2], 2);
	ck_assert_uint_eq(b.nfree[3], 1);
	check();
}
END_TEST

START_TEST(test_buddy_alloc_splits_and_free_merges_back)
{
	int64_t p;

	buddy_free_range(&b, BASE, 1024);
	p = buddy_alloc(&b, 0);
	ck_assert_int_eq(p, (int64_t)BASE);
	/* one block of each order 0..9 remains */
	for (unsigned int o = 0; o < 10; o++)
		ck_assert_uint_eq(b.nfree[o], 1);
	ck_assert_uint_eq(b.free_frames, 1023);
	check();
	ck_assert_int_eq(buddy_free(&b, (uint64_t)p, 0), 0);
	ck_assert_uint_eq(b.nfree[10], 1);
	ck_assert_uint_eq(b.free_frames, 1024);
	check();
}
END_TEST

START_TEST(test_buddy_blocks_aligned_to_their_size)
{
	buddy_free_range(&b, BASE + 1, N - 1);
	for (unsigned int o = 0; o <= 8; o++) {
		int64_t p = buddy_alloc(&b, o);

		ck_assert_int_ge(p, 0);
		ck_assert_uint_eq((uint64_t)p & ((1ull << o) - 1), 0);
	}
	check();
}
END_TEST

START_TEST(test_buddy_exhaustion_is_enomem_and_free_restores)
{
	int64_t got[64];
	unsigned int n = 0;
	int64_t p;

	buddy_free_range(&b, BASE, 64);
	while ((p = buddy_alloc(&b, 0)) >= 0)
		got[n++] = p;
	ck_assert_int_eq(p, -AE_ENOMEM);
	ck_assert_uint_eq(n, 64);
	ck_assert_uint_eq(b.free_frames, 0);
	for (unsigned int i = 0; i < n; i++)
		ck_assert_int_eq(buddy_free(&b, (uint64_t)got[i], 0), 0);
	ck_assert_uint_eq(b.free_frames, 64);
	ck_assert_uint_eq(b.nfree[6], 1);
	check();
}
END_TEST

START_TEST(test_buddy_order_too_large_for_memory_is_enomem)
{
	buddy_free_range(&b, BASE, 1024);
	ck_assert_int_eq(buddy_alloc(&b, 11), -AE_ENOMEM);
	ck_assert_int_eq(buddy_alloc(&b, BUDDY_MAX_ORDER + 1), -AE_EINVAL);
}
END_TEST

START_TEST(test_buddy_double_free_rejected)
{
	int64_t p;

	buddy_free_range(&b, BASE, 16);
	p = buddy_alloc(&b, 1);
	ck_assert_int_eq(buddy_free(&b, (uint64_t)p, 1), 0);
	ck_assert_int_eq(buddy_free(&b, (uint64_t)p, 1), -AE_EINVAL);
	ck_assert_uint_eq(b.free_frames, 16);
	check();
}
END_TEST

START_TEST(test_buddy_wrong_order_or_inner_pointer_rejected)
{
	int64_t p;

	buddy_free_range(&b, BASE, 16);
	p = buddy_alloc(&b, 2);
	ck_assert_int_eq(buddy_free(&b, (uint64_t)p, 1), -AE_EINVAL);
	ck_assert_int_eq(buddy_free(&b, (uint64_t)p + 1, 0), -AE_EINVAL);
	ck_assert_int_eq(buddy_free(&b, (uint64_t)p, 2), 0);
	check();
}
END_TEST

START_TEST(test_buddy_reserved_and_outside_frames_rejected)
{
	buddy_free_range(&b, BASE, 16);
	ck_assert_int_eq(buddy_free(&b, BASE + 100, 0), -AE_EINVAL);
	ck_assert_int_eq(buddy_free(&b, BASE - 1, 0), -AE_EINVAL);
	ck_assert_int_eq(buddy_free(&b, BASE + N, 0), -AE_EINVAL);
	ck_assert_int_eq(buddy_free_range(&b, BASE + N - 2, 4), -AE_EINVAL);
	ck_assert_int_eq(buddy_free_range(&b, BASE - 1, 2), -AE_EINVAL);
	check();
}
END_TEST

START_TEST(test_buddy_range_given_twice_rejected)
{
	ck_assert_int_eq(buddy_free_range(&b, BASE, 16), 0);
	ck_assert_int_eq(buddy_free_range(&b, BASE + 8, 16), -AE_EINVAL);
	ck_assert_uint_eq(b.free_frames, 16);
	check();
}
END_TEST

START_TEST(test_buddy_reserved_hole_never_handed_out)
{
	int64_t p;

	/* 0..99 and 200..N free: 100..199 is "the kernel" */
	buddy_free_range(&b, BASE, 100);
	buddy_free_range(&b, BASE + 200, N - 200);
	while ((p = buddy_alloc(&b, 0)) >= 0)
		ck_assert(p < (int64_t)BASE + 100 || p >= (int64_t)BASE + 200);
	ck_assert_uint_eq(b.free_frames, 0);
	check();
}
END_TEST

START_TEST(test_buddy_random_alloc_free_keeps_invariants)
{
	static int64_t blk[512];
	static unsigned int ord[512];
	unsigned int n = 0;

	srand(7);
	buddy_free_range(&b, BASE + 5, N - 9);
	for (int step = 0; step < 20000; step++) {
		if (n < 512 && (rand() & 1)) {
			unsigned int o = (unsigned int)rand() % 6;
			int64_t p = buddy_alloc(&b, o);

			if (p >= 0) {
				blk[n] = p;
				ord[n++] = o;
			}
		} else if (n) {
			unsigned int k = (unsigned int)rand() % n;

			ck_assert_int_eq(buddy_free(&b, (uint64_t)blk[k],
						    ord[k]), 0);
			blk[k] = blk[--n];
			ord[k] = ord[n];
		}
		if (step % 1000 == 0)
			check();
	}
	while (n) {
		n--;
		ck_assert_int_eq(buddy_free(&b, (uint64_t)blk[n], ord[n]), 0);
	}
	ck_assert_uint_eq(b.free_frames, N - 9);
	check();
}
END_TEST

/* Copy-on-write's holders: a shared frame goes back with its last one,
 * never before, and only single allocated frames can be shared. */
START_TEST(test_buddy_shared_frame_freed_by_its_last_holder)
{
	int64_t f, big;

	ck_assert_int_eq(buddy_free_range(&b, BASE, 64), 0);
	f = buddy_alloc(&b, 0);
	big = buddy_alloc(&b, 2);
	ck_assert_int_ge(f, 0);
	ck_assert_uint_eq(buddy_shares(&b, (uint64_t)f), 0);
	ck_assert_int_eq(buddy_share(&b, (uint64_t)f), 0);
	ck_assert_int_eq(buddy_share(&b, (uint64_t)f), 0);
	ck_assert_uint_eq(buddy_shares(&b, (uint64_t)f), 2);
	ck_assert_uint_eq(b.shared, 2);
	/* buddy_free of a shared frame is refused: nothing changes */
	ck_assert_int_eq(buddy_free(&b, (uint64_t)f, 0), -AE_EINVAL);
	ck_assert_uint_eq(b.free_frames, 64 - 1 - 4);
	ck_assert_int_eq(buddy_put(&b, (uint64_t)f), 0);
	ck_assert_int_eq(buddy_put(&b, (uint64_t)f), 0);
	ck_assert_uint_eq(b.free_frames, 64 - 1 - 4);
	ck_assert_uint_eq(b.shared, 0);
	ck_assert_int_eq(buddy_put(&b, (uint64_t)f), 1);	/* the last */
	ck_assert_uint_eq(b.free_frames, 64 - 4);
	ck_assert_int_eq(buddy_put(&b, (uint64_t)f), -AE_EINVAL);
	/* not a single allocated frame: a free one, a larger block, its
	 * inside, a frame outside */
	ck_assert_int_eq(buddy_share(&b, (uint64_t)f), -AE_EINVAL);
	ck_assert_int_eq(buddy_share(&b, (uint64_t)big), -AE_EINVAL);
	ck_assert_int_eq(buddy_share(&b, (uint64_t)big + 1), -AE_EINVAL);
	ck_assert_int_eq(buddy_share(&b, BASE + N), -AE_EINVAL);
	ck_assert_uint_eq(buddy_shares(&b, (uint64_t)big), 0);
	ck_assert_int_eq(buddy_put(&b, (uint64_t)big), -AE_EINVAL);
	/* a frame handed out again starts with no other holder */
	f = buddy_alloc(&b, 0);
	ck_assert_uint_eq(buddy_shares(&b, (uint64_t)f), 0);
	check();
}
END_TEST

START_TEST(test_buddy_share_count_is_bounded)
{
	int64_t f;

	ck_assert_int_eq(buddy_free_range(&b, BASE, 8), 0);
	f = buddy_alloc(&b, 0);
	for (uint32_t i = 0; i < BUDDY_SHARES_MAX; i++)
		ck_assert_int_eq(buddy_share(&b, (uint64_t)f), 0);
	ck_assert_int_eq(buddy_share(&b, (uint64_t)f), -AE_EOVERFLOW);
	ck_assert_uint_eq(buddy_shares(&b, (uint64_t)f), BUDDY_SHARES_MAX);
	for (uint32_t i = 0; i < BUDDY_SHARES_MAX; i++)
		ck_assert_int_eq(buddy_put(&b, (uint64_t)f), 0);
	ck_assert_int_eq(buddy_put(&b, (uint64_t)f), 1);
	ck_assert_uint_eq(b.free_frames, 8);
	check();
}
END_TEST

START_TEST(test_buddy_largest_block_1gib)
{
	static struct buddy_frame big[1u << BUDDY_MAX_ORDER];
	int64_t p;

	ck_assert_int_eq(buddy_init(&b, BASE, 1u << BUDDY_MAX_ORDER, big), 0);
	buddy_free_range(&b, BASE, 1u << BUDDY_MAX_ORDER);
	ck_assert_uint_eq(b.nfree[BUDDY_MAX_ORDER], 1);
	p = buddy_alloc(&b, BUDDY_MAX_ORDER);
	ck_assert_int_eq(p, (int64_t)BASE);
	ck_assert_int_eq(buddy_free(&b, (uint64_t)p, BUDDY_MAX_ORDER), 0);
}
END_TEST

Suite *suite_mm_buddy(void)
{
	Suite *s = suite_create("mm_buddy");
	TCase *tc = tcase_create("buddy");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_buddy_starts_all_reserved);
	tcase_add_test(tc, test_buddy_init_rejects_misaligned_base);
	tcase_add_test(tc, test_buddy_aligned_range_becomes_one_block);
	tcase_add_test(tc, test_buddy_unaligned_range_split_into_aligned_blocks);
	tcase_add_test(tc, test_buddy_alloc_splits_and_free_merges_back);
	tcase_add_test(tc, test_buddy_blocks_aligned_to_their_size);
	tcase_add_test(tc, test_buddy_exhaustion_is_enomem_and_free_restores);
	tcase_add_test(tc, test_buddy_order_too_large_for_memory_is_enomem);
	tcase_add_test(tc, test_buddy_double_free_rejected);
	tcase_add_test(tc, test_buddy_wrong_order_or_inner_pointer_rejected);
	tcase_add_test(tc, test_buddy_reserved_and_outside_frames_rejected);
	tcase_add_test(tc, test_buddy_range_given_twice_rejected);
	tcase_add_test(tc, test_buddy_reserved_hole_never_handed_out);
	tcase_add_test(tc, test_buddy_random_alloc_free_keeps_invariants);
	tcase_add_test(tc, test_buddy_largest_block_1gib);
	tcase_add_test(tc, test_buddy_shared_frame_freed_by_its_last_holder);
	tcase_add_test(tc, test_buddy_share_count_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}
