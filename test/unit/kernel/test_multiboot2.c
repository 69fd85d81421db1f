/*
 * test_multiboot2.c - kernel/bootinfo/multiboot2.c: information blocks
 * built here tag by tag, good and malformed.
 */
#include <stdlib.h>
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>
#include "unit.h"

#define PA 0x10000ull	/* where the test pretends the block lives */

struct mb2 {
	uint64_t buf[2048];	/* 16 KiB, 8-byte aligned */
	uint32_t len;
};

static uint8_t *at(struct mb2 *m, uint32_t off)
{
	return (uint8_t *)m->buf + off;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void begin(struct mb2 *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

/* Append a tag of `size` bytes (payload zeroed); returns its start. */
static uint8_t *tag(struct mb2 *m, uint32_t type, uint32_t size)
{
	uint8_t *p = at(m, m->len);

	put32(p, type);
	put32(p + 4, size);
	m->len += (size + 7) & ~7u;
	return p;
}

static void str_tag(struct mb2 *m, uint32_t type, const char *s)
{
	uint8_t *p = tag(m, type, 8 + (uint32_t)strlen(s) + 1);

	memcpy(p + 8, s, strlen(s) + 1);
}

static void module(struct mb2 *m, uint32_t start, uint32_t end,
		   const char *name)
{
	uint8_t *p = tag(m, 3, 16 + (uint32_t)strlen(name) + 1);

	put32(p + 8, start);
	put32(p + 12, end);
	memcpy(p + 16, name, strlen(name) + 1);
}

struct ent {
	uint64_t base, len;
	uint32_t type;
};

static void mmap_tag(struct mb2 *m, const struct ent *e, uint32_t n,
		 uint32_t esize)
{
	uint8_t *p = tag(m, 6, 16 + n * esize);

	put32(p + 8, esize);
	put32(p + 12, 0);
	for (uint32_t i = 0; i < n; i++) {
		put64(p + 16 + i * esize, e[i].base);
		put64(p + 16 + i * esize + 8, e[i].len);
		put32(p + 16 + i * esize + 16, e[i].type);
	}
}

static const struct ent two[] = {
	{ 0, 0x9fc00, 1 },
	{ 0x100000, 0x7f00000, 1 },
};

static void finish(struct mb2 *m)
{
	tag(m, 0, 8);
	put32(at(m, 0), m->len);
}

static void minimal(struct mb2 *m)
{
	begin(m);
	mmap_tag(m, two, 2, 24);
	finish(m);
}

static struct boot_info bi;

static int parse(struct mb2 *m, const char **why)
{
	*why = NULL;
	return mb2_parse(&bi, m->buf, m->len, PA, why);
}

#define EXPECT_BAD(m, why)						\
	do {								\
		ck_assert_int_eq(parse((m), &(why)), -AE_EBADMSG);	\
		ck_assert_ptr_nonnull(why);				\
	} while (0)

START_TEST(test_mb2_good_block_fills_everything)
{
	static struct mb2 m;
	static const struct ent e[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xe0000, 0, 1 },		/* empty: skipped */
		{ 0x100000, 0xff00000, 1 },
		{ 0xfffc0000, 0x40000, 9 },	/* unknown type */
		{ 0x7000, 0x1000, 3 },
	};
	const char *why;
	uint8_t *rsdp;

	begin(&m);
	str_tag(&m, 1, "loglevel=7 ktest=all");
	str_tag(&m, 2, "GRUB 2.06");
	module(&m, 0x200000, 0x200100, "hello.mod");
	module(&m, 0x300000, 0x300000, "");
	tag(&m, 4, 16);			/* basic meminfo: ignored */
	tag(&m, 99, 12);		/* unknown: skipped */
	mmap_tag(&m, e, 6, 24);
	rsdp = tag(&m, 15, 8 + 36);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_int_eq(bi.proto, BOOT_PROTO_MULTIBOOT2);
	ck_assert_int_eq(bi.firmware, BOOT_FW_BIOS);
	ck_assert_str_eq(bi.cmdline, "loglevel=7 ktest=all");
	ck_assert_str_eq(bi.loader, "GRUB 2.06");
	ck_assert_uint_eq(bi.nmod, 2);
	ck_assert_uint_eq(bi.mod[0].base, 0x200000);
	ck_assert_uint_eq(bi.mod[0].len, 0x100);
	ck_assert_str_eq(bi.mod[0].name, "hello.mod");
	ck_assert_uint_eq(bi.mod[1].len, 0);
	ck_assert_str_eq(bi.mod[1].name, "");
	ck_assert_uint_eq(bi.nmem, 5);
	ck_assert_uint_eq(bi.mem[2].base, 0x100000);
	ck_assert_uint_eq(bi.mem[3].type, BOOT_MEM_RESERVED);
	ck_assert_uint_eq(bi.mem[4].type, BOOT_MEM_ACPI);
	ck_assert_uint_eq(boot_info_usable_bytes(&bi), 0x9fc00 + 0xff00000);
	ck_assert_uint_eq(bi.acpi_rsdp,
			  PA + (uint64_t)(rsdp - (uint8_t *)m.buf) + 8);
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_mb2_efi_tag_means_uefi)
{
	static const uint32_t efi_tags[] = { 11, 12, 17, 18 };
	static struct mb2 m;
	const char *why;

	for (size_t i = 0; i < 4; i++) {
		begin(&m);
		tag(&m, efi_tags[i], 16);
		mmap_tag(&m, two, 2, 24);
		finish(&m);
		ck_assert_int_eq(parse(&m, &why), 0);
		ck_assert_int_eq(bi.firmware, BOOT_FW_UEFI);
	}
}
END_TEST

START_TEST(test_mb2_old_rsdp_used_when_alone)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	t = tag(&m, 14, 8 + 20);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.acpi_rsdp,
			  PA + (uint64_t)(t - (uint8_t *)m.buf) + 8);
}
END_TEST

START_TEST(test_mb2_mmap_entry_size_32_accepted)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	mmap_tag(&m, two, 2, 32);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.nmem, 2);
	ck_assert_uint_eq(bi.mem[1].len, 0x7f00000);
}
END_TEST

START_TEST(test_mb2_null_block_rejected)
{
	const char *why = NULL;

	ck_assert_int_eq(mb2_parse(&bi, NULL, 64, PA, &why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_mb2_misaligned_block_rejected)
{
	static struct mb2 m;
	const char *why = NULL;

	minimal(&m);
	ck_assert_int_eq(mb2_parse(&bi, at(&m, 4), m.len, PA, &why),
			 -AE_EBADMSG);
	ck_assert_str_eq(why, "info block missing or not 8-byte aligned");
}
END_TEST

START_TEST(test_mb2_short_avail_rejected)
{
	static struct mb2 m;
	const char *why = NULL;

	minimal(&m);
	ck_assert_int_eq(mb2_parse(&bi, m.buf, 15, PA, &why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_mb2_total_size_too_small_rejected)
{
	static struct mb2 m;
	const char *why;

	minimal(&m);
	put32(at(&m, 0), 12);
	EXPECT_BAD(&m, why);
	ck_assert_str_eq(why, "info block total_size out of range");
}
END_TEST

START_TEST(test_mb2_total_size_beyond_avail_rejected)
{
	static struct mb2 m;
	const char *why = NULL;

	minimal(&m);
	ck_assert_int_eq(mb2_parse(&bi, m.buf, m.len - 8, PA, &why),
			 -AE_EBADMSG);
	ck_assert_str_eq(why, "info block total_size out of range");
}
END_TEST

START_TEST(test_mb2_tag_size_below_8_rejected)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	t = tag(&m, 77, 8);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	put32(t + 4, 4);
	EXPECT_BAD(&m, why);
	ck_assert_str_eq(why, "tag size runs past the end of the block");
}
END_TEST

START_TEST(test_mb2_tag_past_end_rejected)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	mmap_tag(&m, two, 2, 24);
	t = tag(&m, 77, 16);
	finish(&m);
	put32(t + 4, 1000);
	EXPECT_BAD(&m, why);
}
END_TEST

START_TEST(test_mb2_missing_end_tag_rejected)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	mmap_tag(&m, two, 2, 24);
	tag(&m, 77, 8);		/* where the end tag should be */
	put32(at(&m, 0), m.len);
	EXPECT_BAD(&m, why);
	ck_assert_str_eq(why, "no end tag");
}
END_TEST

START_TEST(test_mb2_missing_mmap_rejected)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	str_tag(&m, 1, "x");
	finish(&m);
	EXPECT_BAD(&m, why);
	ck_assert_str_eq(why, "no memory map tag");
}
END_TEST

START_TEST(test_mb2_unterminated_cmdline_rejected)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	t = tag(&m, 1, 8 + 8);
	memset(t + 8, 'a', 8);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	EXPECT_BAD(&m, why);
	ck_assert_str_eq(why, "command line not NUL-terminated");
}
END_TEST

START_TEST(test_mb2_unterminated_loader_rejected)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	t = tag(&m, 2, 8 + 4);
	memset(t + 8, 'g', 4);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	EXPECT_BAD(&m, why);
}
END_TEST

START_TEST(test_mb2_module_end_before_start_rejected)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	module(&m, 0x3000, 0x2000, "m");
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	EXPECT_BAD(&m, why);
}
END_TEST

START_TEST(test_mb2_module_too_short_rejected)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	tag(&m, 3, 16);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	EXPECT_BAD(&m, why);
}
END_TEST

START_TEST(test_mb2_module_string_unterminated_rejected)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	t = tag(&m, 3, 16 + 4);
	put32(t + 8, 0x1000);
	put32(t + 12, 0x2000);
	memset(t + 16, 'z', 4);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	EXPECT_BAD(&m, why);
	ck_assert_str_eq(why, "module string not NUL-terminated");
}
END_TEST

START_TEST(test_mb2_mmap_bad_entry_size_rejected)
{
	static const uint32_t sizes[] = { 0, 8, 20, 28 };
	static struct mb2 m;
	const char *why;

	for (size_t i = 0; i < 4; i++) {
		begin(&m);
		mmap_tag(&m, two, 2, 24);
		put32(at(&m, 8 + 8), sizes[i]);
		finish(&m);
		EXPECT_BAD(&m, why);
	}
}
END_TEST

START_TEST(test_mb2_mmap_short_header_rejected)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	tag(&m, 6, 12);
	finish(&m);
	EXPECT_BAD(&m, why);
}
END_TEST

START_TEST(test_mb2_acpi_tag_too_short_rejected)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	tag(&m, 14, 8 + 8);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	EXPECT_BAD(&m, why);
	ck_assert_str_eq(why, "ACPI RSDP tag too short");
}
END_TEST

START_TEST(test_mb2_long_cmdline_truncated_with_warning)
{
	static struct mb2 m;
	static char longline[BOOT_CMDLINE_MAX + 100];
	const char *why;

	memset(longline, 'c', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	begin(&m);
	str_tag(&m, 1, longline);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "truncated"));
}
END_TEST

START_TEST(test_mb2_too_many_regions_warns)
{
	static struct mb2 m;
	static struct ent e[BOOT_MEM_MAX + 3];
	const char *why;

	for (uint32_t i = 0; i < BOOT_MEM_MAX + 3; i++) {
		e[i].base = (uint64_t)i << 20;
		e[i].len = 1 << 20;
		e[i].type = 1;
	}
	begin(&m);
	mmap_tag(&m, e, BOOT_MEM_MAX + 3, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.nmem, BOOT_MEM_MAX);
	ck_assert_uint_eq(bi.nwarn, 3);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "dropped"));
}
END_TEST

START_TEST(test_mb2_too_many_modules_warns)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	for (uint32_t i = 0; i < BOOT_MOD_MAX + 1; i++)
		module(&m, 0x100000 * (i + 1), 0x100000 * (i + 1) + 10, "m");
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.nmod, BOOT_MOD_MAX);
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

START_TEST(test_mb2_wrapping_region_skipped_with_warning)
{
	static struct mb2 m;
	static const struct ent e[] = {
		{ 0xfffffffffffff000ull, 0x2000, 1 },
		{ 0x100000, 0x100000, 1 },
	};
	const char *why;

	begin(&m);
	mmap_tag(&m, e, 2, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.nmem, 1);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "wraps"));
}
END_TEST

/* Every truncation of a valid block, with total_size left claiming the
 * whole: the parser must refuse each one and never read past `avail`
 * (ASan and valgrind watch the exact-size heap copy). */
START_TEST(test_mb2_every_truncation_rejected_without_overread)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	str_tag(&m, 1, "console=ttyS0");
	module(&m, 0x200000, 0x200010, "mod");
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	for (uint32_t n = 0; n < m.len; n++) {
		uint64_t *copy = malloc(n ? n : 1);

		memcpy(copy, m.buf, n);
		why = NULL;
		ck_assert_int_eq(mb2_parse(&bi, copy, n, PA, &why),
				 -AE_EBADMSG);
		ck_assert_ptr_nonnull(why);
		free(copy);
	}
	ck_assert_int_eq(parse(&m, &why), 0);
}
END_TEST

/* Random bytes after a valid header: never a crash, always a verdict. */
START_TEST(test_mb2_random_tags_never_crash)
{
	static struct mb2 m;
	uint32_t seed = 12345;
	const char *why;

	for (int round = 0; round < 2000; round++) {
		uint32_t len = 16 + (round % 120) * 8;

		begin(&m);
		for (uint32_t i = 8; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			*at(&m, i) = (uint8_t)(seed >> 16);
			/* keep some tags small so more of them parse */
			if ((i & 7) == 5)
				*at(&m, i) = 0;
			if ((i & 7) == 6 || (i & 7) == 7)
				*at(&m, i) = 0;
		}
		put32(at(&m, 0), len);
		m.len = len;
		why = NULL;
		if (parse(&m, &why) != 0)
			ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_mb2_tag_size_zero_rejected)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	mmap_tag(&m, two, 2, 24);
	t = tag(&m, 77, 8);
	finish(&m);
	put32(t + 4, 0);	/* taken as is, the walk would never move */
	EXPECT_BAD(&m, why);
}
END_TEST

START_TEST(test_mb2_new_rsdp_preferred_over_old_either_order)
{
	static struct mb2 m;
	const char *why;
	uint8_t *t;

	begin(&m);
	tag(&m, 14, 8 + 20);
	t = tag(&m, 15, 8 + 36);
	tag(&m, 14, 8 + 20);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.acpi_rsdp,
			  PA + (uint64_t)(t - (uint8_t *)m.buf) + 8);
}
END_TEST

START_TEST(test_mb2_cmdline_of_max_minus_one_kept_whole)
{
	static struct mb2 m;
	static char line[BOOT_CMDLINE_MAX];
	const char *why;

	memset(line, 'k', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	begin(&m);
	str_tag(&m, 1, line);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_str_eq(bi.cmdline, line);
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_mb2_long_module_string_truncated_with_warning)
{
	static struct mb2 m;
	char name[BOOT_NAME_MAX + 30];
	const char *why;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	begin(&m);
	module(&m, 0x200000, 0x201000, name);
	mmap_tag(&m, two, 2, 24);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.nmod, 1);
	ck_assert_uint_eq(strlen(bi.mod[0].name), BOOT_NAME_MAX - 1);
	ck_assert_int_eq(memcmp(bi.mod[0].name, name, BOOT_NAME_MAX - 1), 0);
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

START_TEST(test_mb2_mmap_trailing_bytes_warned)
{
	static struct mb2 m;
	const char *why;
	uint8_t *p;

	begin(&m);
	/* two whole entries and 8 stray bytes */
	p = tag(&m, 6, 16 + 2 * 24 + 8);
	put32(p + 8, 24);
	for (uint32_t i = 0; i < 2; i++) {
		put64(p + 16 + i * 24, two[i].base);
		put64(p + 16 + i * 24 + 8, two[i].len);
		put32(p + 16 + i * 24 + 16, two[i].type);
	}
	memset(p + 16 + 2 * 24, 0xff, 8);
	finish(&m);
	ck_assert_int_eq(parse(&m, &why), 0);
	ck_assert_uint_eq(bi.nmem, 2);
	ck_assert_uint_eq(bi.mem[1].base, 0x100000);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "trailing"));
}
END_TEST

/* total_size and avail both cut to n (an exact-size heap copy): the end
 * tag is lost every time and each tag is cut at every byte, so the
 * parser must refuse each and never read past n (ASan, valgrind). */
START_TEST(test_mb2_total_size_shrunk_at_every_length_rejected)
{
	static struct mb2 m;
	const char *why;

	begin(&m);
	str_tag(&m, 1, "console=ttyS0");
	str_tag(&m, 2, "GRUB");
	module(&m, 0x200000, 0x200010, "mod");
	mmap_tag(&m, two, 2, 24);
	tag(&m, 15, 8 + 36);
	finish(&m);
	for (uint32_t n = 16; n < m.len; n++) {
		uint8_t *copy = malloc(n);
		int rc;

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, m.buf, n);
		put32(copy, n);
		why = NULL;
		rc = mb2_parse(&bi, copy, n, PA, &why);
		free(copy);
		ck_assert_msg(rc == -AE_EBADMSG && why,
			      "total_size %u of %u: rc %d", n, m.len, rc);
	}
}
END_TEST

Suite *suite_multiboot2(void)
{
	Suite *s = suite_create("multiboot2");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("malformed");
	TCase *limits = tcase_create("limits");

	tcase_add_test(good, test_mb2_good_block_fills_everything);
	tcase_add_test(good, test_mb2_efi_tag_means_uefi);
	tcase_add_test(good, test_mb2_old_rsdp_used_when_alone);
	tcase_add_test(good, test_mb2_mmap_entry_size_32_accepted);
	tcase_add_test(bad, test_mb2_null_block_rejected);
	tcase_add_test(bad, test_mb2_misaligned_block_rejected);
	tcase_add_test(bad, test_mb2_short_avail_rejected);
	tcase_add_test(bad, test_mb2_total_size_too_small_rejected);
	tcase_add_test(bad, test_mb2_total_size_beyond_avail_rejected);
	tcase_add_test(bad, test_mb2_tag_size_below_8_rejected);
	tcase_add_test(bad, test_mb2_tag_past_end_rejected);
	tcase_add_test(bad, test_mb2_missing_end_tag_rejected);
	tcase_add_test(bad, test_mb2_missing_mmap_rejected);
	tcase_add_test(bad, test_mb2_unterminated_cmdline_rejected);
	tcase_add_test(bad, test_mb2_unterminated_loader_rejected);
	tcase_add_test(bad, test_mb2_module_end_before_start_rejected);
	tcase_add_test(bad, test_mb2_module_too_short_rejected);
	tcase_add_test(bad, test_mb2_module_string_unterminated_rejected);
	tcase_add_test(bad, test_mb2_mmap_bad_entry_size_rejected);
	tcase_add_test(bad, test_mb2_mmap_short_header_rejected);
	tcase_add_test(bad, test_mb2_acpi_tag_too_short_rejected);
	tcase_add_test(bad,
		       test_mb2_every_truncation_rejected_without_overread);
	tcase_add_test(bad, test_mb2_random_tags_never_crash);
	tcase_add_test(bad, test_mb2_tag_size_zero_rejected);
	tcase_add_test(bad,
		       test_mb2_total_size_shrunk_at_every_length_rejected);
	tcase_add_test(good,
		       test_mb2_new_rsdp_preferred_over_old_either_order);
	tcase_add_test(limits, test_mb2_cmdline_of_max_minus_one_kept_whole);
	tcase_add_test(limits,
		       test_mb2_long_module_string_truncated_with_warning);
	tcase_add_test(limits, test_mb2_mmap_trailing_bytes_warned);
	tcase_add_test(limits, test_mb2_long_cmdline_truncated_with_warning);
	tcase_add_test(limits, test_mb2_too_many_regions_warns);
	tcase_add_test(limits, test_mb2_too_many_modules_warns);
	tcase_add_test(limits, test_mb2_wrapping_region_skipped_with_warning);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, limits);
	return s;
}
