/*
 * test_pvh.c - kernel/bootinfo/pvh.c: PVH start-info blocks in a fake
 * physical memory, reached only through the map callback.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>
#include "unit.h"

/* The hvm_start_info layout (Xen's public/arch-x86/hvm/start_info.h). */
struct start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

#define ARENA_PA 0x1000ull
#define ARENA_SIZE (64 * 1024)

static uint64_t arena[ARENA_SIZE / 8];	/* "physical" 0x1000.. */
static struct boot_info bi;
static int maps;

static const void *map(paddr_t pa, uint64_t len, void *ctx)
{
	(void)ctx;
	maps++;
	if (pa < ARENA_PA || len > ARENA_SIZE ||
	    pa - ARENA_PA > ARENA_SIZE - len)
		return NULL;
	return (const uint8_t *)arena + (pa - ARENA_PA);
}

static void *ptr(uint64_t off)
{
	return (uint8_t *)arena + off;
}

static struct start_info *si(void)
{
	return ptr(0);
}

/* A good block: cmdline, one named module, three memory regions. */
static void good(void)
{
	struct modlist_entry *mod = ptr(0x100);
	struct memmap_entry *mm = ptr(0x200);

	memset(arena, 0, sizeof(arena));
	si()->magic = PVH_START_MAGIC;
	si()->version = 1;
	si()->nr_modules = 1;
	si()->modlist_paddr = ARENA_PA + 0x100;
	si()->cmdline_paddr = ARENA_PA + 0x400;
	si()->rsdp_paddr = 0xf5000;
	si()->memmap_paddr = ARENA_PA + 0x200;
	si()->memmap_entries = 3;
	strcpy(ptr(0x400), "ktest=all loglevel=7");
	mod->paddr = 0xffff000;
	mod->size = 77;
	mod->cmdline_paddr = ARENA_PA + 0x500;
	strcpy(ptr(0x500), "initrd.img");
	mm[0] = (struct memmap_entry){ 0, 0x9fc00, 1, 0 };
	mm[1] = (struct memmap_entry){ 0xf0000, 0x10000, 2, 0 };
	mm[2] = (struct memmap_entry){ 0x100000, 0xff00000, 1, 0 };
}

static int parse(const char **why)
{
	*why = NULL;
	return pvh_parse(&bi, ptr(0), map, NULL, why);
}

#define EXPECT_BAD(why, text)						\
	do {								\
		ck_assert_int_eq(parse(&(why)), -AE_EBADMSG);		\
		ck_assert_ptr_nonnull(why);				\
		ck_assert_str_eq((why), (text));			\
	} while (0)

START_TEST(test_pvh_good_block_fills_everything)
{
	const char *why;

	good();
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_int_eq(bi.proto, BOOT_PROTO_PVH);
	ck_assert_int_eq(bi.firmware, BOOT_FW_NONE);
	ck_assert_str_eq(bi.loader, "PVH");
	ck_assert_str_eq(bi.cmdline, "ktest=all loglevel=7");
	ck_assert_uint_eq(bi.nmod, 1);
	ck_assert_uint_eq(bi.mod[0].base, 0xffff000);
	ck_assert_uint_eq(bi.mod[0].len, 77);
	ck_assert_str_eq(bi.mod[0].name, "initrd.img");
	ck_assert_uint_eq(bi.nmem, 3);
	ck_assert_uint_eq(bi.mem[1].type, BOOT_MEM_RESERVED);
	ck_assert_uint_eq(boot_info_usable_bytes(&bi), 0x9fc00 + 0xff00000);
	ck_assert_uint_eq(bi.acpi_rsdp, 0xf5000);
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_pvh_no_cmdline_no_modules_ok)
{
	const char *why;

	good();
	si()->cmdline_paddr = 0;
	si()->nr_modules = 0;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_str_eq(bi.cmdline, "");
	ck_assert_uint_eq(bi.nmod, 0);
}
END_TEST

START_TEST(test_pvh_nameless_module_has_empty_name)
{
	const char *why;

	good();
	((struct modlist_entry *)ptr(0x100))->cmdline_paddr = 0;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_str_eq(bi.mod[0].name, "");
}
END_TEST

START_TEST(test_pvh_unaligned_lists_accepted)
{
	const char *why;

	good();
	memmove(ptr(0x204), ptr(0x200), 3 * sizeof(struct memmap_entry));
	si()->memmap_paddr = ARENA_PA + 0x204;
	memmove(ptr(0x104), ptr(0x100), sizeof(struct modlist_entry));
	si()->modlist_paddr = ARENA_PA + 0x104;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, 3);
	ck_assert_uint_eq(bi.mod[0].len, 77);
}
END_TEST

START_TEST(test_pvh_missing_block_rejected)
{
	const char *why = NULL;

	ck_assert_int_eq(pvh_parse(&bi, NULL, map, NULL, &why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_pvh_bad_magic_rejected)
{
	const char *why;

	good();
	si()->magic = 0x12345678;
	EXPECT_BAD(why, "start info magic is not 0x336ec578");
}
END_TEST

START_TEST(test_pvh_version_0_rejected)
{
	const char *why;

	good();
	si()->version = 0;
	EXPECT_BAD(why, "start info version 0 carries no memory map");
}
END_TEST

START_TEST(test_pvh_empty_memmap_rejected)
{
	const char *why;

	good();
	si()->memmap_entries = 0;
	EXPECT_BAD(why, "memory map empty or longer than 1024 entries");
	si()->memmap_entries = 1025;
	EXPECT_BAD(why, "memory map empty or longer than 1024 entries");
}
END_TEST

START_TEST(test_pvh_memmap_out_of_reach_rejected)
{
	const char *why;

	good();
	si()->memmap_paddr = 0x80000000;
	EXPECT_BAD(why, "memory map out of reach");
	good();
	si()->memmap_paddr = ARENA_PA + ARENA_SIZE - 24; /* 3 entries: past */
	EXPECT_BAD(why, "memory map out of reach");
}
END_TEST

START_TEST(test_pvh_modlist_out_of_reach_rejected)
{
	const char *why;

	good();
	si()->modlist_paddr = 0x10;
	EXPECT_BAD(why, "module list out of reach");
}
END_TEST

START_TEST(test_pvh_too_many_modules_rejected)
{
	const char *why;

	good();
	si()->nr_modules = 65;
	EXPECT_BAD(why, "more than 64 modules");
}
END_TEST

START_TEST(test_pvh_cmdline_out_of_reach_rejected)
{
	const char *why;

	good();
	si()->cmdline_paddr = 0x7fff0000;
	EXPECT_BAD(why, "command line address out of reach");
}
END_TEST

START_TEST(test_pvh_module_name_out_of_reach_rejected)
{
	const char *why;

	good();
	((struct modlist_entry *)ptr(0x100))->cmdline_paddr = 0x99999999;
	EXPECT_BAD(why, "module string out of reach or not terminated");
}
END_TEST

START_TEST(test_pvh_module_name_unterminated_rejected)
{
	const char *why;

	good();
	/* A name that runs to the very end of the arena, with no NUL. */
	memset(ptr(ARENA_SIZE - 64), 'n', 64);
	((struct modlist_entry *)ptr(0x100))->cmdline_paddr =
		ARENA_PA + ARENA_SIZE - 64;
	EXPECT_BAD(why, "module string out of reach or not terminated");
}
END_TEST

START_TEST(test_pvh_long_cmdline_truncated_with_warning)
{
	const char *why;

	good();
	memset(ptr(0x1000), 'c', 3000);
	*(char *)ptr(0x1000 + 3000) = '\0';
	si()->cmdline_paddr = ARENA_PA + 0x1000;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "truncated"));
}
END_TEST

START_TEST(test_pvh_cmdline_at_end_of_reach_mapped_shorter)
{
	const char *why;

	good();
	/* 20 bytes before the end of reachable memory: the parser must map
	 * a shorter range instead of failing or reading past the end. */
	strcpy(ptr(ARENA_SIZE - 20), "short=1");
	si()->cmdline_paddr = ARENA_PA + ARENA_SIZE - 20;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_str_eq(bi.cmdline, "short=1");
}
END_TEST

START_TEST(test_pvh_wrapping_region_skipped_with_warning)
{
	const char *why;

	good();
	((struct memmap_entry *)ptr(0x200))[1].addr = ~0ull - 10;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, 2);
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

/* A map that reaches `limit` bytes of the arena and counts its calls,
 * both through the caller's ctx. */
struct reach {
	uint64_t limit;
	int calls;
};

static const void *map_ctx(paddr_t pa, uint64_t len, void *ctx)
{
	struct reach *r = ctx;

	r->calls++;
	if (pa < ARENA_PA || len > r->limit || pa - ARENA_PA > r->limit - len)
		return NULL;
	return (const uint8_t *)arena + (pa - ARENA_PA);
}

START_TEST(test_pvh_map_gets_callers_ctx)
{
	struct reach r = { ARENA_SIZE, 0 };
	const char *why = NULL;

	good();
	ck_assert_int_eq(pvh_parse(&bi, ptr(0), map_ctx, &r, &why), 0);
	/* command line, module list, module name, memory map */
	ck_assert_int_ge(r.calls, 4);
	ck_assert_str_eq(bi.mod[0].name, "initrd.img");
}
END_TEST

START_TEST(test_pvh_reach_limit_is_respected)
{
	struct reach r = { 0x300, 0 };	/* start info and module list only */
	const char *why = NULL;

	good();
	ck_assert_int_eq(pvh_parse(&bi, ptr(0), map_ctx, &r, &why),
			 -AE_EBADMSG);
	ck_assert_str_eq(why, "command line address out of reach");
}
END_TEST

START_TEST(test_pvh_empty_region_skipped_unknown_type_reserved)
{
	struct memmap_entry *mm = ptr(0x200);
	const char *why;

	good();
	mm[0].type = 77;
	mm[1].size = 0;
	mm[2].type = 0;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, 2);
	ck_assert_uint_eq(bi.mem[0].base, 0);
	ck_assert_uint_eq(bi.mem[0].type, BOOT_MEM_RESERVED);
	ck_assert_uint_eq(bi.mem[1].base, 0x100000);
	ck_assert_uint_eq(bi.mem[1].type, BOOT_MEM_RESERVED);
	ck_assert_uint_eq(boot_info_usable_bytes(&bi), 0);
}
END_TEST

START_TEST(test_pvh_64_modules_accepted_16_kept_with_warnings)
{
	struct modlist_entry *mod = ptr(0x1000);
	const char *why;

	good();
	for (uint32_t i = 0; i < 64; i++)
		mod[i] = (struct modlist_entry){ 0x1000000 + i * 0x1000,
						 0x800, 0, 0 };
	si()->nr_modules = 64;
	si()->modlist_paddr = ARENA_PA + 0x1000;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmod, BOOT_MOD_MAX);
	ck_assert_uint_eq(bi.mod[BOOT_MOD_MAX - 1].base,
			  0x1000000 + (BOOT_MOD_MAX - 1) * 0x1000);
	ck_assert_uint_eq(bi.nwarn, 64 - BOOT_MOD_MAX);
}
END_TEST

START_TEST(test_pvh_1024_regions_accepted_64_kept_with_warnings)
{
	struct memmap_entry *mm = ptr(0x2000);
	const char *why;

	good();
	for (uint32_t i = 0; i < 1024; i++)
		mm[i] = (struct memmap_entry){ (uint64_t)i << 21, 0x1000, 1,
					       0 };
	si()->memmap_entries = 1024;
	si()->memmap_paddr = ARENA_PA + 0x2000;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, BOOT_MEM_MAX);
	ck_assert_uint_eq(bi.mem[BOOT_MEM_MAX - 1].base,
			  (uint64_t)(BOOT_MEM_MAX - 1) << 21);
	ck_assert_uint_gt(bi.nwarn, 0);
}
END_TEST

START_TEST(test_pvh_unterminated_cmdline_at_reach_end_truncated)
{
	const char *why;

	good();
	/* 600 bytes of command line, no NUL, up to the end of the arena:
	 * kept in part, with a warning, and no read past the arena. */
	memset(ptr(ARENA_SIZE - 600), 'c', 600);
	si()->cmdline_paddr = ARENA_PA + ARENA_SIZE - 600;
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_gt(strlen(bi.cmdline), 0);
	ck_assert_uint_le(strlen(bi.cmdline), 600);
	ck_assert_uint_eq(strspn(bi.cmdline, "c"), strlen(bi.cmdline));
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

START_TEST(test_pvh_long_module_name_truncated_with_warning)
{
	const char *why;

	good();
	memset(ptr(0x500), 'm', 100);
	*(char *)ptr(0x500 + 100) = '\0';
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(strlen(bi.mod[0].name), BOOT_NAME_MAX - 1);
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

START_TEST(test_pvh_module_wrapping_rejected)
{
	const char *why;

	good();
	((struct modlist_entry *)ptr(0x100))->paddr = ~0ull - 10;
	EXPECT_BAD(why, "module wraps around the address space");
}
END_TEST

Suite *suite_pvh(void)
{
	Suite *s = suite_create("pvh");
	TCase *good_tc = tcase_create("good");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(good_tc, test_pvh_good_block_fills_everything);
	tcase_add_test(good_tc, test_pvh_no_cmdline_no_modules_ok);
	tcase_add_test(good_tc, test_pvh_nameless_module_has_empty_name);
	tcase_add_test(good_tc, test_pvh_unaligned_lists_accepted);
	tcase_add_test(good_tc, test_pvh_long_cmdline_truncated_with_warning);
	tcase_add_test(good_tc,
		       test_pvh_cmdline_at_end_of_reach_mapped_shorter);
	tcase_add_test(good_tc, test_pvh_wrapping_region_skipped_with_warning);
	tcase_add_test(good_tc, test_pvh_map_gets_callers_ctx);
	tcase_add_test(good_tc,
		       test_pvh_empty_region_skipped_unknown_type_reserved);
	tcase_add_test(good_tc,
		       test_pvh_64_modules_accepted_16_kept_with_warnings);
	tcase_add_test(good_tc,
		       test_pvh_1024_regions_accepted_64_kept_with_warnings);
	tcase_add_test(good_tc,
		       test_pvh_unterminated_cmdline_at_reach_end_truncated);
	tcase_add_test(good_tc,
		       test_pvh_long_module_name_truncated_with_warning);
	tcase_add_test(bad, test_pvh_reach_limit_is_respected);
	tcase_add_test(bad, test_pvh_missing_block_rejected);
	tcase_add_test(bad, test_pvh_bad_magic_rejected);
	tcase_add_test(bad, test_pvh_version_0_rejected);
	tcase_add_test(bad, test_pvh_empty_memmap_rejected);
	tcase_add_test(bad, test_pvh_memmap_out_of_reach_rejected);
	tcase_add_test(bad, test_pvh_modlist_out_of_reach_rejected);
	tcase_add_test(bad, test_pvh_too_many_modules_rejected);
	tcase_add_test(bad, test_pvh_cmdline_out_of_reach_rejected);
	tcase_add_test(bad, test_pvh_module_name_out_of_reach_rejected);
	tcase_add_test(bad, test_pvh_module_name_unterminated_rejected);
	suite_add_tcase(s, good_tc);
	tcase_add_test(bad, test_pvh_module_wrapping_rejected);
	suite_add_tcase(s, bad);
	return s;
}
