/*
 * test_phys.c - services/mm/phys.c: from a boot memory map and the
 * kernel's reservations to the ranges the buddy allocator gets.
 */
#include <string.h>
#include <aegis/errno.h>
#include "unit.h"
#include "../../../../services/mm/phys.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static struct boot_info bi;
static struct phys_plan p;

static void mem(uint64_t base, uint64_t len, uint32_t type)
{
	bi.mem[bi.nmem].base = base;
	bi.mem[bi.nmem].len = len;
	bi.mem[bi.nmem].type = type;
	bi.nmem++;
}

static uint64_t free_bytes(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < p.nfree; i++)
		n += p.free[i].end - p.free[i].base;
	return n;
}

static void setup(void)
{
	memset(&bi, 0, sizeof(bi));
}

/* A PC-like map: low memory, a hole, 255 MiB from 1 MiB. */
START_TEST(test_phys_pc_map_with_kernel_reserved)
{
	struct phys_range r[] = {
		{ 0, 4096 },			/* frame 0 */
		{ 2 * MiB, 2 * MiB + 400 * 1024 },	/* kernel image */
	};
	const char *why = NULL;

	mem(0, 0x9fc00, BOOT_MEM_USABLE);
	mem(0x9fc00, 0x400, BOOT_MEM_RESERVED);
	mem(0xf0000, 0x10000, BOOT_MEM_RESERVED);
	mem(MiB, 255 * MiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, r, 2, 4 * GiB, &why), 0);
	ck_assert_uint_eq(p.base_pfn, 0);
	ck_assert_uint_eq(p.nframes, 256 * MiB / 4096);
	/* 65536 frames x 12 bytes = 768 KiB of metadata, in the first
	 * range with room: [4 KiB, 636 KiB) is too small */
	ck_assert_uint_eq(p.meta_bytes, 768 * 1024);
	ck_assert_uint_eq(p.meta_pa, MiB);
	for (unsigned int i = 0; i < p.nfree; i++) {
		ck_assert(p.free[i].end <= 2 * MiB ||
			  p.free[i].base >= 2 * MiB + 400 * 1024);
		ck_assert(p.free[i].base >= 4096);
		ck_assert_uint_eq(p.free[i].base & 4095, 0);
		ck_assert_uint_eq(p.free[i].end & 4095, 0);
	}
	ck_assert_uint_eq(free_bytes(), 0x9f000 - 4096 +
			  255 * MiB - 768 * 1024 - 400 * 1024);
}
END_TEST

START_TEST(test_phys_unaligned_usable_rounded_inwards)
{
	const char *why;

	mem(0x1234, 0x3000, BOOT_MEM_USABLE);	/* too small for the meta */
	mem(MiB, 16 * MiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, NULL, 0, 4 * GiB, &why), 0);
	ck_assert_uint_eq(p.free[0].base, 0x2000);
	ck_assert_uint_eq(p.free[0].end, 0x4000);
	ck_assert_uint_eq(p.meta_pa, MiB);
}
END_TEST

START_TEST(test_phys_overlapping_reserved_region_wins)
{
	const char *why;

	mem(0, 64 * MiB, BOOT_MEM_USABLE);
	mem(8 * MiB, MiB, BOOT_MEM_ACPI);	/* overlaps the usable one */
	ck_assert_int_eq(phys_plan(&p, &bi, NULL, 0, 4 * GiB, &why), 0);
	for (unsigned int i = 0; i < p.nfree; i++)
		ck_assert(p.free[i].end <= 8 * MiB ||
			  p.free[i].base >= 9 * MiB);
}
END_TEST

START_TEST(test_phys_overlapping_usable_regions_merge)
{
	const char *why;

	mem(0, 8 * MiB, BOOT_MEM_USABLE);
	mem(4 * MiB, 8 * MiB, BOOT_MEM_USABLE);
	mem(12 * MiB, 4 * MiB, BOOT_MEM_USABLE);	/* touching */
	ck_assert_int_eq(phys_plan(&p, &bi, NULL, 0, 4 * GiB, &why), 0);
	ck_assert_uint_eq(p.usable_bytes, 20 * MiB);
	/* one range, less the metadata at its start */
	ck_assert_uint_eq(p.nfree, 1);
	ck_assert_uint_eq(p.free[0].end, 16 * MiB);
}
END_TEST

START_TEST(test_phys_memory_above_limit_clipped)
{
	const char *why;

	mem(0x40000000, 8 * GiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, NULL, 0, 4 * GiB, &why), 0);
	ck_assert_uint_eq(p.clipped_bytes, 5 * GiB);
	ck_assert_uint_eq(p.free[p.nfree - 1].end, 4 * GiB);
	/* AArch64 virt: RAM from 1 GiB; the base is 1 GiB-aligned */
	ck_assert_uint_eq(p.base_pfn, 0x40000);
	ck_assert_uint_eq(p.nframes, 3 * GiB / 4096);
}
END_TEST

START_TEST(test_phys_reservation_splits_a_range)
{
	struct phys_range r[] = { { 3 * MiB, 5 * MiB } };
	const char *why;

	mem(0, 16 * MiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, r, 1, 4 * GiB, &why), 0);
	ck_assert_uint_eq(p.nfree, 2);
	ck_assert_uint_eq(p.free[0].end, 3 * MiB);
	ck_assert_uint_eq(p.free[1].base, 5 * MiB);
	ck_assert_uint_eq(p.reserved_bytes, 2 * MiB + p.meta_bytes);
}
END_TEST

START_TEST(test_phys_unaligned_reservation_rounded_outwards)
{
	struct phys_range r[] = { { 0x100800, 0x101001 } };
	const char *why;

	mem(0, 16 * MiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, r, 1, 4 * GiB, &why), 0);
	ck_assert_uint_eq(p.free[0].end, 0x100000);
	ck_assert_uint_eq(p.free[1].base, 0x102000);
}
END_TEST

START_TEST(test_phys_no_usable_memory_rejected)
{
	const char *why = NULL;

	mem(0, MiB, BOOT_MEM_RESERVED);
	ck_assert_int_eq(phys_plan(&p, &bi, NULL, 0, 4 * GiB, &why),
			 -AE_ENOMEM);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_phys_everything_reserved_rejected)
{
	struct phys_range r[] = { { 0, 16 * MiB } };
	const char *why = NULL;

	mem(0, 16 * MiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, r, 1, 4 * GiB, &why),
			 -AE_ENOMEM);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_phys_no_room_for_metadata_rejected)
{
	const char *why = NULL;

	/* 2 GiB apart: 512k frames need 6 MiB of metadata; each piece has
	 * only 1 MiB */
	mem(0, MiB, BOOT_MEM_USABLE);
	mem(2 * GiB, MiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, NULL, 0, 4 * GiB, &why),
			 -AE_ENOMEM);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_phys_too_many_pieces_rejected)
{
	static struct phys_range r[PHYS_RANGES_MAX + 1];
	const char *why = NULL;

	mem(0, 64 * MiB, BOOT_MEM_USABLE);
	for (unsigned int i = 0; i <= PHYS_RANGES_MAX; i++) {
		r[i].base = (2 * i + 1) * 65536ull;
		r[i].end = r[i].base + 4096;
	}
	ck_assert_int_eq(phys_plan(&p, &bi, r, PHYS_RANGES_MAX + 1,
				   4 * GiB, &why), -AE_E2BIG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_phys_region_wrapping_the_address_space_clipped)
{
	const char *why;

	mem(0, 16 * MiB, BOOT_MEM_USABLE);
	mem(UINT64_MAX - 4095, 8192, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, NULL, 0, 4 * GiB, &why), 0);
	ck_assert_uint_eq(p.free[p.nfree - 1].end, 16 * MiB);
}
END_TEST

/* The plan feeds the buddy allocator as the mm service does. */
START_TEST(test_phys_plan_feeds_buddy)
{
	static struct buddy_frame meta[16 * MiB / 4096];
	struct phys_range r[] = { { 0, 4096 }, { 2 * MiB, 3 * MiB } };
	struct buddy b;
	const char *why;

	mem(0, 16 * MiB, BOOT_MEM_USABLE);
	ck_assert_int_eq(phys_plan(&p, &bi, r, 2, 4 * GiB, &why), 0);
	ck_assert_uint_le(p.nframes, 16 * MiB / 4096);
	ck_assert_int_eq(buddy_init(&b, p.base_pfn, p.nframes, meta), 0);
	for (unsigned int i = 0; i < p.nfree; i++)
		ck_assert_int_eq(buddy_free_range(&b,
			p.free[i].base >> PAGE_SHIFT,
			(p.free[i].end - p.free[i].base) >> PAGE_SHIFT), 0);
	ck_assert_uint_eq(b.free_frames * 4096, free_bytes());
	ck_assert_uint_eq(buddy_check(&b, &why), 0);
}
END_TEST

Suite *suite_mm_phys(void)
{
	Suite *s = suite_create("mm_phys");
	TCase *tc = tcase_create("plan");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_phys_pc_map_with_kernel_reserved);
	tcase_add_test(tc, test_phys_unaligned_usable_rounded_inwards);
	tcase_add_test(tc, test_phys_overlapping_reserved_region_wins);
	tcase_add_test(tc, test_phys_overlapping_usable_regions_merge);
	tcase_add_test(tc, test_phys_memory_above_limit_clipped);
	tcase_add_test(tc, test_phys_reservation_splits_a_range);
	tcase_add_test(tc, test_phys_unaligned_reservation_rounded_outwards);
	tcase_add_test(tc, test_phys_no_usable_memory_rejected);
	tcase_add_test(tc, test_phys_everything_reserved_rejected);
	tcase_add_test(tc, test_phys_no_room_for_metadata_rejected);
	tcase_add_test(tc, test_phys_too_many_pieces_rejected);
	tcase_add_test(tc, test_phys_region_wrapping_the_address_space_clipped);
	tcase_add_test(tc, test_phys_plan_feeds_buddy);
	suite_add_tcase(s, tc);
	return s;
}
