/*
 * test_low_page.c - kernel/bootinfo/common.c: boot_free_low_page, the
 * page below 1 MiB that x86_64 starts its other CPUs from.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include "unit.h"

#define LOW_END 0xa0000ull	/* what boot/x86_64 asks below */

static struct boot_info bi;

/* A PC's map: 0-0x9fc00 usable, the EBDA and ROMs reserved, RAM from
 * 1 MiB; the kernel at 2 MiB. */
static void pc(void)
{
	boot_info_init(&bi, BOOT_PROTO_MULTIBOOT2);
	boot_add_mem(&bi, 0, 0x9fc00, BOOT_MEM_USABLE);
	boot_add_mem(&bi, 0x9fc00, 0x400, BOOT_MEM_RESERVED);
	boot_add_mem(&bi, 0xf0000, 0x10000, BOOT_MEM_RESERVED);
	boot_add_mem(&bi, 0x100000, 0x7f00000, BOOT_MEM_USABLE);
	bi.kernel_start = 0x200000;
	bi.kernel_end = 0x300000;
}

START_TEST(test_low_page_highest_whole_usable_page)
{
	pc();
	/* 0x9f000 runs into the EBDA: the page below it */
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0, 0),
			  0x9e000);
}
END_TEST

START_TEST(test_low_page_skips_boot_data)
{
	pc();
	/* a module, the RSDP copy inside the boot block, the block */
	boot_add_module(&bi, 0x9d800, 0x1000, "initrd", 7);
	bi.acpi_rsdp = 0x9c020;
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0x9a800, 0x1000),
			  0x99000);
	/* a device tree too */
	bi.dtb = 0x98ff0;
	bi.dtb_size = 0x20;
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0x9a800, 0x1000),
			  0x97000);
}
END_TEST

START_TEST(test_low_page_other_types_win_over_usable)
{
	pc();
	/* a reserved range inside the usable one (maps may overlap) */
	boot_add_mem(&bi, 0x9e100, 0x10, BOOT_MEM_RESERVED);
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0, 0),
			  0x9d000);
}
END_TEST

START_TEST(test_low_page_never_page_0_nor_outside)
{
	boot_info_init(&bi, BOOT_PROTO_PVH);
	boot_add_mem(&bi, 0, 0x1800, BOOT_MEM_USABLE);
	/* only page 0 lies whole in usable memory */
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0, 0), 0);
	boot_add_mem(&bi, 0x100000, 0x100000, BOOT_MEM_USABLE);
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0, 0), 0);
	/* lo and hi are honoured, lo rounded up */
	pc();
	ck_assert_uint_eq(boot_free_low_page(&bi, 0x1001, 0x3000, 0, 0),
			  0x2000);
	ck_assert_uint_eq(boot_free_low_page(&bi, 0x2001, 0x3000, 0, 0), 0);
	ck_assert_uint_eq(boot_free_low_page(&bi, 0x5000, 0x5000, 0, 0), 0);
}
END_TEST

START_TEST(test_low_page_no_map_no_page)
{
	boot_info_init(&bi, BOOT_PROTO_MULTIBOOT2);
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0, 0), 0);
	/* a region whose end wraps around is still not a page 0 */
	boot_add_mem(&bi, 0x9000, UINT64_MAX, BOOT_MEM_RESERVED);
	boot_add_mem(&bi, 0x1000, 0x1000, BOOT_MEM_USABLE);
	ck_assert_uint_eq(boot_free_low_page(&bi, 0, LOW_END, 0, 0), 0x1000);
}
END_TEST

Suite *suite_low_page(void)
{
	Suite *s = suite_create("low_page");
	TCase *tc = tcase_create("pick");

	tcase_add_test(tc, test_low_page_highest_whole_usable_page);
	tcase_add_test(tc, test_low_page_skips_boot_data);
	tcase_add_test(tc, test_low_page_other_types_win_over_usable);
	tcase_add_test(tc, test_low_page_never_page_0_nor_outside);
	tcase_add_test(tc, test_low_page_no_map_no_page);
	suite_add_tcase(s, tc);
	return s;
}
