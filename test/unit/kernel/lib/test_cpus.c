/*
 * test_cpus.c - kernel/lib/cpus.c: the CPUs of an ACPI MADT (tables built
 * in a fake physical memory, reached only through the map callback) and
 * of a device tree's /cpus, good and hostile.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <aegis/errno.h>
#include <aegis/smp.h>
#include "unit.h"

#define ARENA_PA	0x10000ull
#define ARENA_SIZE	(16 * 1024)
#define RSDP		0x0
#define ROOT		0x100
#define FADT		0x400
#define MADT		0x800

static uint8_t arena[ARENA_SIZE];
static struct smp_cpu_desc out[8];
static unsigned int n;
static const char *why;

static const void *map(paddr_t pa, uint64_t len, void *ctx)
{
	(void)ctx;
	if (pa < ARENA_PA || len > ARENA_SIZE ||
	    pa - ARENA_PA > ARENA_SIZE - len)
		return NULL;
	return arena + (pa - ARENA_PA);
}

static void put32(uint32_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		arena[off + i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint32_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}

static void sum(uint32_t off, uint32_t len, uint32_t at)
{
	uint8_t s = 0;

	arena[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + arena[off + i]);
	arena[at] = (uint8_t)-s;
}

static void header(uint32_t off, const char *sig, uint32_t len)
{
	memcpy(arena + off, sig, 4);
	put32(off + 4, len);
	arena[off + 8] = 1;
	memcpy(arena + off + 10, "AEGIS ", 6);
}

static void seal(uint32_t off)
{
	uint32_t len = arena[off + 4] | arena[off + 5] << 8;

	sum(off, len, off + 9);
}

static uint32_t madt_len;

/* a MADT with lapic entries for ids[] (flags[]), then x2apic ones */
static void madt(const uint8_t *ids, const uint32_t *flags, int nl,
		 const uint32_t *x2ids, int nx)
{
	uint32_t off = MADT + 44;

	for (int i = 0; i < nl; i++, off += 8) {
		arena[off] = 0;
		arena[off + 1] = 8;
		arena[off + 2] = (uint8_t)i;
		arena[off + 3] = ids[i];
		put32(off + 4, flags[i]);
	}
	/* an I/O APIC entry (type 1, 12 bytes): skipped */
	arena[off] = 1;
	arena[off + 1] = 12;
	off += 12;
	for (int i = 0; i < nx; i++, off += 16) {
		arena[off] = 9;
		arena[off + 1] = 16;
		put32(off + 4, x2ids[i]);
		put32(off + 8, 1);
		put32(off + 12, 100u + (uint32_t)i);
	}
	madt_len = off - MADT;
	header(MADT, "APIC", madt_len);
	put32(MADT + 36, 0xfee00000);
	seal(MADT);
}

/* RSDP (revision rev) -> RSDT or XSDT -> a FADT stand-in and the MADT */
static void acpi(int rev)
{
	static const uint8_t ids[] = { 0, 1, 2, 3 };
	static const uint32_t fl[] = { 1, 1, 0, 1 };

	memset(arena, 0, sizeof(arena));
	memcpy(arena + RSDP, "RSD PTR ", 8);
	arena[RSDP + 15] = (uint8_t)rev;
	if (rev >= 2) {
		header(ROOT, "XSDT", 36 + 16);
		put64(ROOT + 36, ARENA_PA + FADT);
		put64(ROOT + 44, ARENA_PA + MADT);
		put32(RSDP + 20, 36);
		put64(RSDP + 24, ARENA_PA + ROOT);
	} else {
		header(ROOT, "RSDT", 36 + 8);
		put32(ROOT + 36, (uint32_t)(ARENA_PA + FADT));
		put32(ROOT + 40, (uint32_t)(ARENA_PA + MADT));
		put32(RSDP + 16, (uint32_t)(ARENA_PA + ROOT));
	}
	seal(ROOT);
	header(FADT, "FACP", 36);
	seal(FADT);
	madt(ids, fl, 4, NULL, 0);
	sum(RSDP, 20, RSDP + 8);
	if (rev >= 2)
		sum(RSDP, 36, RSDP + 32);
}

static int parse(void)
{
	memset(out, 0xaa, sizeof(out));
	why = NULL;
	return acpi_madt_cpus(ARENA_PA + RSDP, map, NULL, out, 8, &n, &why);
}

#define EXPECT_BAD(rc, text)					\
	do {							\
		ck_assert_int_eq(parse(), (rc));		\
		ck_assert_ptr_nonnull(why);			\
		ck_assert_str_eq(why, (text));			\
	} while (0)

START_TEST(test_madt_rsdt_lists_processors)
{
	acpi(0);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(n, 4);
	for (unsigned int i = 0; i < 4; i++) {
		ck_assert_uint_eq(out[i].hw_id, i);
		ck_assert_uint_eq(out[i].uid, i);
	}
	ck_assert(out[0].usable && out[1].usable && out[3].usable);
	ck_assert(!out[2].usable);	/* flags 0: not enabled */
}
END_TEST

START_TEST(test_madt_xsdt_preferred)
{
	acpi(2);
	/* an RSDT address that leads nowhere: the XSDT is the one read */
	put32(RSDP + 16, 0xdead0000);
	sum(RSDP, 20, RSDP + 8);
	sum(RSDP, 36, RSDP + 32);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(n, 4);
}
END_TEST

START_TEST(test_madt_x2apic_entries_and_duplicates)
{
	static const uint8_t ids[] = { 0, 1 };
	static const uint32_t fl[] = { 1, 1 };
	static const uint32_t x2[] = { 1, 300 };	/* 1 again: once */

	acpi(0);
	madt(ids, fl, 2, x2, 2);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[2].hw_id, 300);
	ck_assert_uint_eq(out[2].uid, 101);
	ck_assert(out[2].usable);
}
END_TEST

START_TEST(test_madt_more_than_max_counted)
{
	uint8_t ids[12];
	uint32_t fl[12];

	for (int i = 0; i < 12; i++) {
		ids[i] = (uint8_t)i;
		fl[i] = 1;
	}
	acpi(0);
	madt(ids, fl, 12, NULL, 0);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(n, 12);	/* 8 written, 12 counted */
	ck_assert_uint_eq(out[7].hw_id, 7);
}
END_TEST

START_TEST(test_madt_no_rsdp)
{
	ck_assert_int_eq(acpi_madt_cpus(0, map, NULL, out, 8, &n, &why),
			 -AE_ENOENT);
	ck_assert_str_eq(why, "no ACPI RSDP");
	ck_assert_int_eq(acpi_madt_cpus(0x90000000, map, NULL, out, 8, &n,
					&why), -AE_ENOENT);
}
END_TEST

START_TEST(test_madt_bad_rsdp)
{
	acpi(0);
	arena[RSDP + 9] ^= 1;
	EXPECT_BAD(-AE_EBADMSG,
		   "the ACPI RSDP's signature or checksum is wrong");
	acpi(2);
	arena[RSDP + 33] ^= 1;	/* the extended checksum only */
	EXPECT_BAD(-AE_EBADMSG,
		   "the ACPI 2 RSDP's length or checksum is wrong");
}
END_TEST

START_TEST(test_madt_bad_root_table)
{
	acpi(0);
	arena[ROOT + 20] ^= 1;
	EXPECT_BAD(-AE_EBADMSG, "an ACPI table's checksum is wrong");
	acpi(0);
	memcpy(arena + ROOT, "XSDT", 4);
	seal(ROOT);
	EXPECT_BAD(-AE_EBADMSG, "an ACPI table has the wrong signature");
	acpi(0);
	put32(ROOT + 4, 0xffffff00);	/* a length beyond any sane one */
	EXPECT_BAD(-AE_EBADMSG, "an ACPI table states an impossible length");
	acpi(0);
	put32(ROOT + 4, ARENA_SIZE);	/* runs off the end of memory */
	EXPECT_BAD(-AE_EBADMSG, "an ACPI table runs out of reach");
	acpi(0);
	put32(ROOT + 4, 36 + 6);	/* a part of an entry */
	seal(ROOT);
	EXPECT_BAD(-AE_EBADMSG,
		   "the ACPI root table's length is not whole entries");
}
END_TEST

START_TEST(test_madt_missing)
{
	acpi(0);
	memcpy(arena + MADT, "APIX", 4);
	seal(MADT);
	EXPECT_BAD(-AE_ENOENT, "no MADT among the ACPI tables");
}
END_TEST

START_TEST(test_madt_hostile_entries)
{
	acpi(0);
	arena[MADT + 44 + 4 * 8 + 1] = 0;	/* the I/O APIC's: would loop */
	seal(MADT);
	EXPECT_BAD(-AE_EBADMSG, "a MADT entry has length 0");
	acpi(0);
	arena[MADT + 44 + 1] = 200;	/* past the table */
	seal(MADT);
	EXPECT_BAD(-AE_EBADMSG, "a MADT entry runs past the table");
	acpi(0);
	arena[MADT + 44 + 1] = 4;	/* a lapic entry cut short */
	seal(MADT);
	EXPECT_BAD(-AE_EBADMSG, "a MADT local APIC entry is too short");
	acpi(0);
	put32(MADT + 4, madt_len + 1);	/* one byte of an entry header */
	seal(MADT);
	EXPECT_BAD(-AE_EBADMSG, "a MADT entry runs past the table");
	acpi(0);
	put32(MADT + 4, 40);
	seal(MADT);
	EXPECT_BAD(-AE_EBADMSG, "the MADT is too short");
}
END_TEST

START_TEST(test_madt_without_processors)
{
	acpi(0);
	madt(NULL, NULL, 0, NULL, 0);
	EXPECT_BAD(-AE_ENOENT, "the MADT lists no processor");
}
END_TEST

/* ---- device trees ------------------------------------------------------ */

static uint8_t blob[4096];

struct cpu_node {
	uint64_t reg;
	const char *status, *method, *type;
	int reg_bytes;		/* 0: the cells' size */
};

static void tree(int cells, const struct cpu_node *c, int nc, bool cpus)
{
	void *fdt = blob;
	char name[32];

	ck_assert_int_eq(fdt_create(fdt, sizeof(blob)), 0);
	ck_assert_int_eq(fdt_finish_reservemap(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, ""), 0);
	if (cpus) {
		ck_assert_int_eq(fdt_begin_node(fdt, "cpus"), 0);
		ck_assert_int_eq(fdt_property_u32(fdt, "#address-cells",
						  (uint32_t)cells), 0);
		ck_assert_int_eq(fdt_property_u32(fdt, "#size-cells", 0), 0);
		ck_assert_int_eq(fdt_begin_node(fdt, "cpu-map"), 0);
		ck_assert_int_eq(fdt_end_node(fdt), 0);
		for (int i = 0; i < nc; i++) {
			fdt32_t r[2] = { cpu_to_fdt32((uint32_t)(c[i].reg >> 32)),
					 cpu_to_fdt32((uint32_t)c[i].reg) };
			int bytes = c[i].reg_bytes ? c[i].reg_bytes : cells * 4;

			snprintf(name, sizeof(name), "cpu@%llx",
				 (unsigned long long)c[i].reg);
			ck_assert_int_eq(fdt_begin_node(fdt, name), 0);
			ck_assert_int_eq(fdt_property_string(fdt, "device_type",
				c[i].type ? c[i].type : "cpu"), 0);
			ck_assert_int_eq(fdt_property(fdt, "reg",
				cells == 2 ? (void *)r : (void *)&r[1], bytes), 0);
			if (c[i].status)
				ck_assert_int_eq(fdt_property_string(fdt,
					"status", c[i].status), 0);
			if (c[i].method)
				ck_assert_int_eq(fdt_property_string(fdt,
					"enable-method", c[i].method), 0);
			ck_assert_int_eq(fdt_end_node(fdt), 0);
		}
		ck_assert_int_eq(fdt_end_node(fdt), 0);
	}
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_finish(fdt), 0);
}

static int dt(void)
{
	why = NULL;
	return fdt_cpus(blob, sizeof(blob), out, 8, &n, &why);
}

START_TEST(test_dt_cpus_psci_and_status)
{
	static const struct cpu_node c[] = {
		{ .reg = 0, .method = "psci" },
		{ .reg = 1, .method = "psci", .status = "okay" },
		{ .reg = 0x100, .method = "psci", .status = "disabled" },
		{ .reg = 0x101, .method = "spin-table" },
		{ .reg = 0x102, .method = "psci", .status = "ok" },
		{ .reg = 7, .type = "cpux" },	/* not a cpu: skipped */
	};

	tree(1, c, 6, true);
	ck_assert_int_eq(dt(), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(out[0].hw_id, 0);
	ck_assert_uint_eq(out[2].hw_id, 0x100);
	ck_assert(out[0].usable && out[1].usable && out[4].usable);
	ck_assert(!out[2].usable);
	ck_assert(!out[3].usable);
}
END_TEST

START_TEST(test_dt_cpus_two_cells)
{
	static const struct cpu_node c[] = {
		{ .reg = 0 }, { .reg = 0x100000001ull },
	};

	tree(2, c, 2, true);
	ck_assert_int_eq(dt(), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(out[1].hw_id, 0x100000001ull);
	ck_assert(out[1].usable);	/* no enable-method: as on a PC */
}
END_TEST

START_TEST(test_dt_cpus_bad)
{
	static const struct cpu_node c[] = { { .reg = 0, .reg_bytes = 2 } };

	tree(1, c, 1, true);
	ck_assert_int_eq(dt(), -AE_EBADMSG);
	ck_assert_str_eq(why, "a cpu node's reg is not one address");
	tree(3, c, 0, true);
	ck_assert_int_eq(dt(), -AE_EBADMSG);
	ck_assert_str_eq(why, "/cpus has an #address-cells other than 1 or 2");
	tree(1, c, 0, true);
	ck_assert_int_eq(dt(), -AE_ENOENT);
	ck_assert_str_eq(why, "/cpus has no cpu node");
	tree(1, c, 0, false);
	ck_assert_int_eq(dt(), -AE_ENOENT);
	ck_assert_str_eq(why, "the device tree has no /cpus");
	memset(blob, 0, 64);
	ck_assert_int_eq(dt(), -AE_EBADMSG);
	ck_assert_str_eq(why, "the device tree's header is malformed");
	tree(1, c, 0, true);
	ck_assert_int_eq(fdt_cpus(blob, 16, out, 8, &n, &why), -AE_EBADMSG);
}
END_TEST

Suite *suite_cpus(void)
{
	Suite *s = suite_create("cpus");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_madt_rsdt_lists_processors);
	tcase_add_test(tc, test_madt_xsdt_preferred);
	tcase_add_test(tc, test_madt_x2apic_entries_and_duplicates);
	tcase_add_test(tc, test_madt_more_than_max_counted);
	tcase_add_test(tc, test_madt_no_rsdp);
	tcase_add_test(tc, test_madt_bad_rsdp);
	tcase_add_test(tc, test_madt_bad_root_table);
	tcase_add_test(tc, test_madt_missing);
	tcase_add_test(tc, test_madt_hostile_entries);
	tcase_add_test(tc, test_madt_without_processors);
	tcase_add_test(tc, test_dt_cpus_psci_and_status);
	tcase_add_test(tc, test_dt_cpus_two_cells);
	tcase_add_test(tc, test_dt_cpus_bad);
	suite_add_tcase(s, tc);
	return s;
}
