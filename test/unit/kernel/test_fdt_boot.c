/*
 * test_fdt_boot.c - kernel/bootinfo/fdt.c: device trees written here with
 * libfdt's sequential-write API, good and malformed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>
#include "unit.h"

#define FDT_PA 0x48000000ull

static uint64_t blob[4096];	/* 32 KiB, 8-byte aligned */
static struct boot_info bi;

/* What the tree holds; each test changes a few fields of the default. */
struct tree {
	int ac, sc;			/* root #address-cells/#size-cells */
	int nmem;			/* memory nodes */
	int reg_bytes_off;		/* cut reg short by this many bytes */
	const char *bootargs;
	int bootargs_raw_len;		/* >0: bootargs without NUL */
	int initrd_width;		/* 0 none, 4 or 8 bytes, 2 broken */
	uint64_t initrd_start, initrd_end;
	bool initrd_start_only;
	const char *stdout_path;
	bool aliases;
	const char *psci;
	bool memreserve;
	bool uefi;
	/* the UART's interrupt: a GIC node with intc_cells (0: no GIC,
	 * no interrupts property) and <irq_type irq_num 4> */
	int intc_cells;
	uint32_t irq_type, irq_num;
	uint32_t irq_flags;	/* 2-cell form: the trigger cell */
};

static const struct tree dflt = {
	.ac = 2, .sc = 2, .nmem = 1,
	.bootargs = "ktest=all",
	.initrd_width = 8, .initrd_start = 0x48100000,
	.initrd_end = 0x48100000 + 77,
	.stdout_path = "/pl011@9000000",
	.psci = "hvc",
};

static void cells(void *fdt, const char *name, uint64_t v, int n)
{
	fdt32_t c[2];

	if (n == 2) {
		c[0] = cpu_to_fdt32((uint32_t)(v >> 32));
		c[1] = cpu_to_fdt32((uint32_t)v);
	} else {
		c[0] = cpu_to_fdt32((uint32_t)v);
	}
	ck_assert_int_eq(fdt_property(fdt, name, c, n * 4), 0);
}

static void reg(void *fdt, const struct tree *t, uint64_t base,
		uint64_t size, int cut)
{
	fdt32_t c[4];
	int n = 0;

	if (t->ac == 2)
		c[n++] = cpu_to_fdt32((uint32_t)(base >> 32));
	c[n++] = cpu_to_fdt32((uint32_t)base);
	if (t->sc == 2)
		c[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
	c[n++] = cpu_to_fdt32((uint32_t)size);
	ck_assert_int_eq(fdt_property(fdt, "reg", c, n * 4 - cut), 0);
}

static void build(const struct tree *t)
{
	void *fdt = blob;
	char name[32];

	memset(blob, 0, sizeof(blob));
	ck_assert_int_eq(fdt_create(fdt, sizeof(blob)), 0);
	if (t->memreserve)
		ck_assert_int_eq(fdt_add_reservemap_entry(fdt, 0x40000000,
							  0x10000), 0);
	ck_assert_int_eq(fdt_finish_reservemap(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, ""), 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "#address-cells", t->ac), 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "#size-cells", t->sc), 0);
	ck_assert_int_eq(fdt_property_string(fdt, "compatible",
					     "linux,dummy-virt"), 0);
	if (t->intc_cells)
		ck_assert_int_eq(fdt_property_u32(fdt, "interrupt-parent", 1),
				 0);
	for (int i = 0; i < t->nmem; i++) {
		uint64_t base = 0x40000000ull + (uint64_t)i * 0x40000000ull;

		snprintf(name, sizeof(name), "memory@%llx",
			 (unsigned long long)base);
		ck_assert_int_eq(fdt_begin_node(fdt, name), 0);
		ck_assert_int_eq(fdt_property_string(fdt, "device_type",
						     "memory"), 0);
		reg(fdt, t, base, 0x10000000, t->reg_bytes_off);
		ck_assert_int_eq(fdt_end_node(fdt), 0);
	}
	if (t->intc_cells) {
		ck_assert_int_eq(fdt_begin_node(fdt, "intc@8000000"), 0);
		ck_assert_int_eq(fdt_property_string(fdt, "compatible",
						     t->intc_cells == 2 ?
						     "intel,ioapic" :
						     "arm,cortex-a15-gic"), 0);
		ck_assert_int_eq(fdt_property(fdt, "interrupt-controller",
					      NULL, 0), 0);
		ck_assert_int_eq(fdt_property_u32(fdt, "#interrupt-cells",
						  (uint32_t)t->intc_cells), 0);
		ck_assert_int_eq(fdt_property_u32(fdt, "phandle", 1), 0);
		reg(fdt, t, 0x8000000, 0x10000, 0);
		ck_assert_int_eq(fdt_end_node(fdt), 0);
	}
	ck_assert_int_eq(fdt_begin_node(fdt, "pl011@9000000"), 0);
	ck_assert_int_eq(fdt_property(fdt, "compatible",
				      "arm,pl011\0arm,primecell", 24), 0);
	reg(fdt, t, 0x9000000, 0x1000, 0);
	if (t->intc_cells) {
		/* GIC: <type num 4 (level)>; I/O APIC: <gsi 1 (edge)> */
		fdt32_t irq[3] = { cpu_to_fdt32(t->irq_type),
				   cpu_to_fdt32(t->intc_cells == 2 ?
						t->irq_flags : t->irq_num),
				   cpu_to_fdt32(4) };

		ck_assert_int_eq(fdt_property(fdt, "interrupts", irq,
					      sizeof(irq)), 0);
	}
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	if (t->aliases) {
		ck_assert_int_eq(fdt_begin_node(fdt, "aliases"), 0);
		ck_assert_int_eq(fdt_property_string(fdt, "serial0",
						     "/pl011@9000000"), 0);
		ck_assert_int_eq(fdt_end_node(fdt), 0);
	}
	if (t->psci) {
		ck_assert_int_eq(fdt_begin_node(fdt, "psci"), 0);
		ck_assert_int_eq(fdt_property_string(fdt, "method", t->psci),
				 0);
		ck_assert_int_eq(fdt_end_node(fdt), 0);
	}
	ck_assert_int_eq(fdt_begin_node(fdt, "chosen"), 0);
	if (t->bootargs_raw_len)
		ck_assert_int_eq(fdt_property(fdt, "bootargs", "abcdefgh",
					      t->bootargs_raw_len), 0);
	else if (t->bootargs)
		ck_assert_int_eq(fdt_property_string(fdt, "bootargs",
						     t->bootargs), 0);
	if (t->stdout_path)
		ck_assert_int_eq(fdt_property_string(fdt, "stdout-path",
						     t->stdout_path), 0);
	if (t->initrd_width == 2) {
		ck_assert_int_eq(fdt_property(fdt, "linux,initrd-start",
					      "\0\1", 2), 0);
		ck_assert_int_eq(fdt_property(fdt, "linux,initrd-end",
					      "\0\2", 2), 0);
	} else if (t->initrd_width) {
		cells(fdt, "linux,initrd-start", t->initrd_start,
		      t->initrd_width / 4);
		if (!t->initrd_start_only)
			cells(fdt, "linux,initrd-end", t->initrd_end,
			      t->initrd_width / 4);
	}
	if (t->uefi)
		cells(fdt, "linux,uefi-system-table", 0x4f000000, 2);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_finish(fdt), 0);
}

static int parse(const char **why)
{
	*why = NULL;
	return fdt_boot_parse(&bi, blob, sizeof(blob), FDT_PA, why);
}

#define EXPECT_BAD(t)							\
	do {								\
		const char *why_;					\
		build(t);						\
		ck_assert_int_eq(parse(&why_), -AE_EBADMSG);		\
		ck_assert_ptr_nonnull(why_);				\
	} while (0)

START_TEST(test_fdt_good_tree_fills_everything)
{
	const char *why;

	build(&dflt);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_int_eq(bi.proto, BOOT_PROTO_FDT);
	ck_assert_int_eq(bi.firmware, BOOT_FW_NONE);
	ck_assert_uint_eq(bi.nmem, 1);
	ck_assert_uint_eq(bi.mem[0].base, 0x40000000);
	ck_assert_uint_eq(bi.mem[0].len, 0x10000000);
	ck_assert_str_eq(bi.cmdline, "ktest=all");
	ck_assert_uint_eq(bi.nmod, 1);
	ck_assert_str_eq(bi.mod[0].name, "initrd");
	ck_assert_uint_eq(bi.mod[0].base, 0x48100000);
	ck_assert_uint_eq(bi.mod[0].len, 77);
	ck_assert_uint_eq(bi.uart_base, 0x9000000);
	ck_assert_str_eq(bi.uart_compat, "arm,pl011");
	ck_assert_str_eq(bi.psci_method, "hvc");
	ck_assert_uint_eq(bi.dtb, FDT_PA);
	ck_assert_uint_eq(bi.dtb_size, fdt_totalsize(blob));
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_fdt_initrd_32bit_cells)
{
	struct tree t = dflt;
	const char *why;

	t.initrd_width = 4;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.mod[0].len, 77);
}
END_TEST

START_TEST(test_fdt_no_initrd_no_bootargs_ok)
{
	struct tree t = dflt;
	const char *why;

	t.initrd_width = 0;
	t.bootargs = NULL;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmod, 0);
	ck_assert_str_eq(bi.cmdline, "");
}
END_TEST

START_TEST(test_fdt_stdout_path_with_options)
{
	struct tree t = dflt;
	const char *why;

	t.stdout_path = "/pl011@9000000:115200n8";
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_base, 0x9000000);
}
END_TEST

START_TEST(test_fdt_stdout_path_alias)
{
	struct tree t = dflt;
	const char *why;

	t.aliases = true;
	t.stdout_path = "serial0:115200";
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_base, 0x9000000);
	ck_assert_str_eq(bi.uart_compat, "arm,pl011");
}
END_TEST

START_TEST(test_fdt_psci_smc)
{
	struct tree t = dflt;
	const char *why;

	t.psci = "smc";
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_str_eq(bi.psci_method, "smc");
}
END_TEST

START_TEST(test_fdt_memreserve_becomes_reserved_region)
{
	struct tree t = dflt;
	const char *why;

	t.memreserve = true;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, 2);
	ck_assert_uint_eq(bi.mem[1].type, BOOT_MEM_RESERVED);
	ck_assert_uint_eq(bi.mem[1].len, 0x10000);
}
END_TEST

START_TEST(test_fdt_one_cell_addresses)
{
	struct tree t = dflt;
	const char *why;

	t.ac = 1;
	t.sc = 1;
	t.nmem = 2;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, 2);
	ck_assert_uint_eq(bi.mem[1].base, 0x80000000);
	ck_assert_uint_eq(boot_info_usable_bytes(&bi), 0x20000000);
}
END_TEST

START_TEST(test_fdt_uefi_system_table_means_uefi)
{
	struct tree t = dflt;
	const char *why;

	t.uefi = true;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_int_eq(bi.firmware, BOOT_FW_UEFI);
}
END_TEST

START_TEST(test_fdt_null_rejected)
{
	const char *why = NULL;

	ck_assert_int_eq(fdt_boot_parse(&bi, NULL, 100, 0, &why),
			 -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_fdt_avail_smaller_than_header_rejected)
{
	const char *why = NULL;

	build(&dflt);
	ck_assert_int_eq(fdt_boot_parse(&bi, blob, 20, FDT_PA, &why),
			 -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_fdt_bad_magic_rejected)
{
	const char *why;

	build(&dflt);
	((uint8_t *)blob)[0] ^= 0xff;
	ck_assert_int_eq(parse(&why), -AE_EBADMSG);
	ck_assert_str_eq(why, "FDT_ERR_BADMAGIC");
}
END_TEST

START_TEST(test_fdt_totalsize_beyond_avail_rejected)
{
	const char *why = NULL;

	build(&dflt);
	ck_assert_int_eq(fdt_boot_parse(&bi, blob, fdt_totalsize(blob) - 8,
					FDT_PA, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "device tree totalsize larger than the blob");
}
END_TEST

START_TEST(test_fdt_misaligned_rejected)
{
	const char *why = NULL;

	build(&dflt);
	ck_assert_int_eq(fdt_boot_parse(&bi, (uint8_t *)blob + 4,
					sizeof(blob) - 4, FDT_PA, &why),
			 -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_fdt_no_memory_node_rejected)
{
	struct tree t = dflt;
	const char *why;

	t.nmem = 0;
	build(&t);
	ck_assert_int_eq(parse(&why), -AE_EBADMSG);
	ck_assert_str_eq(why, "no memory node with a non-empty reg");
}
END_TEST

START_TEST(test_fdt_memory_reg_partial_cells_rejected)
{
	struct tree t = dflt;

	t.reg_bytes_off = 4;
	EXPECT_BAD(&t);
}
END_TEST

START_TEST(test_fdt_three_address_cells_rejected)
{
	struct tree t = dflt;
	const char *why;
	fdt32_t three = cpu_to_fdt32(3);

	build(&t);
	ck_assert_int_eq(fdt_setprop_inplace(blob, 0, "#address-cells",
					     &three, 4), 0);
	ck_assert_int_eq(parse(&why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_fdt_bootargs_unterminated_rejected)
{
	struct tree t = dflt;
	const char *why;

	t.bootargs_raw_len = 8;
	build(&t);
	ck_assert_int_eq(parse(&why), -AE_EBADMSG);
	ck_assert_str_eq(why, "/chosen/bootargs not NUL-terminated");
}
END_TEST

START_TEST(test_fdt_initrd_start_only_rejected)
{
	struct tree t = dflt;

	t.initrd_start_only = true;
	EXPECT_BAD(&t);
}
END_TEST

START_TEST(test_fdt_initrd_end_before_start_rejected)
{
	struct tree t = dflt;
	const char *why;

	t.initrd_end = t.initrd_start - 1;
	build(&t);
	ck_assert_int_eq(parse(&why), -AE_EBADMSG);
	ck_assert_str_eq(why, "linux,initrd-end before linux,initrd-start");
}
END_TEST

START_TEST(test_fdt_initrd_odd_width_rejected)
{
	struct tree t = dflt;

	t.initrd_width = 2;
	EXPECT_BAD(&t);
}
END_TEST

START_TEST(test_fdt_stdout_to_missing_node_warns)
{
	struct tree t = dflt;
	const char *why;

	t.stdout_path = "/nothing@0";
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_base, 0);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_str_eq(bi.warn[0], "stdout-path node not found");
}
END_TEST

START_TEST(test_fdt_stdout_unknown_alias_warns)
{
	struct tree t = dflt;
	const char *why;

	t.stdout_path = "serial7";
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

START_TEST(test_fdt_bad_psci_method_warns)
{
	struct tree t = dflt;
	const char *why;

	t.psci = "foo";
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_str_eq(bi.psci_method, "");
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

/* Every single-byte corruption of a good tree: a verdict, never a crash
 * or an out-of-bounds read (ASan and valgrind watch). */
START_TEST(test_fdt_every_byte_flip_never_crashes)
{
	static uint64_t good_blob[4096];
	uint32_t size;
	const char *why;

	build(&dflt);
	size = fdt_totalsize(blob);
	memcpy(good_blob, blob, sizeof(blob));
	for (uint32_t i = 0; i < size; i++) {
		memcpy(blob, good_blob, size);
		((uint8_t *)blob)[i] ^= 0x5a;
		why = NULL;
		if (fdt_boot_parse(&bi, blob, size, FDT_PA, &why) != 0)
			ck_assert_ptr_nonnull(why);
	}
}
END_TEST

/* Reopen the built tree for in-place edits with libfdt's read-write API,
 * for shapes the sequential writer above does not produce. */
static int reopen(const char *path)
{
	int node;

	ck_assert_int_eq(fdt_open_into(blob, blob, sizeof(blob)), 0);
	node = fdt_path_offset(blob, path);
	ck_assert_int_ge(node, 0);
	return node;
}

START_TEST(test_fdt_stdout_path_plain_alias)
{
	struct tree t = dflt;
	const char *why;

	t.aliases = true;
	t.stdout_path = "serial0";
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_base, 0x9000000);
	ck_assert_str_eq(bi.uart_compat, "arm,pl011");
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_fdt_two_memory_nodes_two_cells)
{
	struct tree t = dflt;
	const char *why;

	t.nmem = 2;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, 2);
	ck_assert_uint_eq(bi.mem[0].base, 0x40000000);
	ck_assert_uint_eq(bi.mem[1].base, 0x80000000);
	ck_assert_uint_eq(bi.mem[1].len, 0x10000000);
	ck_assert_uint_eq(bi.mem[1].type, BOOT_MEM_USABLE);
	ck_assert_uint_eq(boot_info_usable_bytes(&bi), 0x20000000);
}
END_TEST

START_TEST(test_fdt_memreserve_listed_after_memory)
{
	struct tree t = dflt;
	const char *why;

	t.memreserve = true;
	t.nmem = 2;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmem, 3);
	ck_assert_uint_eq(bi.mem[2].base, 0x40000000);
	ck_assert_uint_eq(bi.mem[2].len, 0x10000);
	ck_assert_uint_eq(bi.mem[2].type, BOOT_MEM_RESERVED);
	ck_assert_uint_eq(boot_info_usable_bytes(&bi), 0x20000000);
}
END_TEST

START_TEST(test_fdt_equal_initrd_bounds_give_no_module)
{
	struct tree t = dflt;
	const char *why;

	t.initrd_end = t.initrd_start;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.nmod, 0);
}
END_TEST

START_TEST(test_fdt_long_bootargs_truncated_with_warning)
{
	static char line[BOOT_CMDLINE_MAX + 300];
	struct tree t = dflt;
	const char *why;

	memset(line, 'b', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	t.bootargs = line;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "truncated"));
}
END_TEST

START_TEST(test_fdt_stdout_node_without_reg_warns)
{
	const char *why;
	int node;

	build(&dflt);
	node = reopen("/pl011@9000000");
	ck_assert_int_eq(fdt_delprop(blob, node, "reg"), 0);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_base, 0);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_str_eq(bi.warn[0], "stdout-path node has no usable reg");
}
END_TEST

START_TEST(test_fdt_psci_without_method_warns)
{
	const char *why;
	int node;

	build(&dflt);
	node = reopen("/psci");
	ck_assert_int_eq(fdt_delprop(blob, node, "method"), 0);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_str_eq(bi.psci_method, "");
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

/* "hv" or "s" without a NUL is neither "hvc" nor "smc": it must not be
 * taken for one because it is a prefix of it. */
START_TEST(test_fdt_psci_method_prefix_without_nul_warns)
{
	static const struct {
		const char *val;
		int len;
	} bad[] = { { "hv", 2 }, { "s", 1 }, { "sm", 2 } };
	const char *why;
	int node;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(&dflt);
		node = reopen("/psci");
		ck_assert_int_eq(fdt_setprop(blob, node, "method", bad[i].val,
					     bad[i].len), 0);
		ck_assert_int_eq(parse(&why), 0);
		ck_assert_msg(bi.psci_method[0] == '\0' && bi.nwarn == 1,
			      "method \"%.*s\" (%d bytes, no NUL): "
			      "psci_method \"%s\", %u warnings",
			      bad[i].len, bad[i].val, bad[i].len,
			      bi.psci_method, bi.nwarn);
	}
}
END_TEST

START_TEST(test_fdt_memory_region_wrapping_rejected)
{
	const fdt32_t wrap[4] = {
		cpu_to_fdt32(0xffffffff), cpu_to_fdt32(0xf0000000),
		cpu_to_fdt32(0), cpu_to_fdt32(0x20000000),
	};
	const char *why;
	int node;

	build(&dflt);
	node = reopen("/memory@40000000");
	ck_assert_int_eq(fdt_setprop(blob, node, "reg", wrap, sizeof(wrap)),
			 0);
	ck_assert_int_eq(parse(&why), -AE_EBADMSG);
	ck_assert_str_eq(why, "memory region wraps around");
}
END_TEST

START_TEST(test_fdt_size_cells_zero_rejected)
{
	const char *why;

	build(&dflt);
	ck_assert_int_eq(fdt_setprop_inplace_u32(blob, 0, "#size-cells", 0),
			 0);
	ck_assert_int_eq(parse(&why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

/* Every truncation of a good tree, in an exact-size heap copy: refused,
 * and never a read past the bytes given (ASan, valgrind). */
START_TEST(test_fdt_truncated_blob_rejected_at_every_length)
{
	uint32_t size;

	build(&dflt);
	size = fdt_totalsize(blob);
	for (uint32_t n = 0; n < size; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		const char *why = NULL;
		int rc;

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, blob, n);
		rc = fdt_boot_parse(&bi, copy, n, FDT_PA, &why);
		free(copy);
		ck_assert_msg(rc == -AE_EBADMSG && why,
			      "avail %u of %u: rc %d", n, size, rc);
	}
}
END_TEST

/* A tree whose stdout-path is an alias with the given raw value. */
static void alias_tree(const void *val, int len)
{
	void *fdt = blob;
	fdt32_t reg[4] = { 0, cpu_to_fdt32(0x40000000), 0,
			   cpu_to_fdt32(0x10000000) };

	ck_assert_int_eq(fdt_create(fdt, sizeof(blob)), 0);
	ck_assert_int_eq(fdt_finish_reservemap(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, ""), 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "#address-cells", 2), 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "#size-cells", 2), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, "memory@40000000"), 0);
	ck_assert_int_eq(fdt_property_string(fdt, "device_type", "memory"),
			 0);
	ck_assert_int_eq(fdt_property(fdt, "reg", reg, sizeof(reg)), 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, "aliases"), 0);
	ck_assert_int_eq(fdt_property(fdt, "serial0", val, len), 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, "chosen"), 0);
	ck_assert_int_eq(fdt_property_string(fdt, "stdout-path", "serial0"),
			 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_finish(fdt), 0);
}

START_TEST(test_fdt_self_referencing_alias_warns_not_loops)
{
	const char *why;

	alias_tree("serial0", 8);	/* serial0 = "serial0" */
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_base, 0);
	ck_assert_str_eq(bi.warn[0], "stdout-path alias is not an absolute "
				     "path");
}
END_TEST

START_TEST(test_fdt_alias_without_nul_warns)
{
	const char *why;

	alias_tree("/pl011@9000000", 14);	/* no NUL */
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_base, 0);
	ck_assert_uint_eq(bi.nwarn, 1);
}
END_TEST

START_TEST(test_fdt_interrupt_controller_named)
{
	void *fdt = blob;
	fdt32_t reg[4] = { 0, cpu_to_fdt32(0x40000000), 0,
			   cpu_to_fdt32(0x10000000) };
	fdt32_t greg[4] = { 0, cpu_to_fdt32(0x8000000), 0,
			    cpu_to_fdt32(0x10000) };
	const char *why;

	ck_assert_int_eq(fdt_create(fdt, sizeof(blob)), 0);
	ck_assert_int_eq(fdt_finish_reservemap(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, ""), 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "#address-cells", 2), 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "#size-cells", 2), 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "interrupt-parent", 5), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, "memory@40000000"), 0);
	ck_assert_int_eq(fdt_property_string(fdt, "device_type", "memory"),
			 0);
	ck_assert_int_eq(fdt_property(fdt, "reg", reg, sizeof(reg)), 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, "intc@8000000"), 0);
	ck_assert_int_eq(fdt_property_string(fdt, "compatible", "arm,gic-v3"),
			 0);
	ck_assert_int_eq(fdt_property(fdt, "interrupt-controller", NULL, 0),
			 0);
	ck_assert_int_eq(fdt_property_u32(fdt, "phandle", 5), 0);
	ck_assert_int_eq(fdt_property(fdt, "reg", greg, sizeof(greg)), 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_finish(fdt), 0);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_str_eq(bi.intc_compat, "arm,gic-v3");
	ck_assert_uint_eq(bi.intc_base, 0x8000000);
}
END_TEST

START_TEST(test_fdt_uart_spi_gives_intid)
{
	struct tree t = dflt;
	const char *why;

	t.intc_cells = 3;
	t.irq_type = 0;
	t.irq_num = 1;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_intid, 33);
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_fdt_uart_ppi_gives_intid)
{
	struct tree t = dflt;
	const char *why;

	t.intc_cells = 3;
	t.irq_type = 1;
	t.irq_num = 5;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_intid, 21);
}
END_TEST

START_TEST(test_fdt_uart_without_interrupts_is_polled)
{
	const char *why;

	build(&dflt);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_intid, 0);
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_fdt_uart_irq_bad_type_warns)
{
	struct tree t = dflt;
	const char *why;

	t.intc_cells = 3;
	t.irq_type = 7;
	t.irq_num = 1;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_intid, 0);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "out of range"));
}
END_TEST

START_TEST(test_fdt_uart_irq_two_cell_parent_gives_gsi)
{
	struct tree t = dflt;
	const char *why;

	t.intc_cells = 2;
	t.irq_type = 4;		/* <gsi flags>: the first cell is the GSI */
	t.irq_flags = 1;	/* edge rising */
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_intid, 4);
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_fdt_uart_irq_level_trigger_on_ioapic_warns)
{
	struct tree t = dflt;
	const char *why;

	t.intc_cells = 2;
	t.irq_type = 4;
	t.irq_flags = 4;	/* level high: not routed by the HAL */
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_intid, 0);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "edge"));
}
END_TEST

START_TEST(test_fdt_uart_irq_one_cell_parent_warns)
{
	struct tree t = dflt;
	const char *why;

	t.intc_cells = 1;
	t.irq_num = 1;
	build(&t);
	ck_assert_int_eq(parse(&why), 0);
	ck_assert_uint_eq(bi.uart_intid, 0);
	ck_assert_uint_eq(bi.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(bi.warn[0], "2-cell"));
}
END_TEST

/* The x86_64 platform tree (boot/x86_64/platform.dts, compiled by dtc for
 * this test): what boot/x86_64 hands the HAL. */
START_TEST(test_fdt_x86_platform_tree)
{
	FILE *f = fopen(X86_PLATFORM_DTB, "rb");
	size_t n;
	const char *why = NULL;

	ck_assert_ptr_nonnull(f);
	n = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	boot_info_init(&bi, BOOT_PROTO_PVH);
	ck_assert_int_eq(fdt_platform_parse(&bi, blob, n, 0x1000, &why), 0);
	ck_assert_uint_eq(bi.proto, BOOT_PROTO_PVH);	/* left alone */
	ck_assert_uint_eq(bi.uart_base, 0x3f8);
	ck_assert_str_eq(bi.uart_compat, "ns16550a");
	ck_assert_uint_eq(bi.uart_intid, 4);
	ck_assert_str_eq(bi.intc_compat, "intel,ioapic");
	ck_assert_uint_eq(bi.intc_base, 0xfec00000);
	ck_assert_uint_eq(bi.dtb, 0x1000);
	ck_assert_uint_eq(bi.nwarn, 0);
}
END_TEST

START_TEST(test_fdt_platform_bad_blob_rejected)
{
	const char *why = NULL;

	memset(blob, 0xab, 64);
	ck_assert_int_eq(fdt_platform_parse(&bi, blob, 64, 0, &why),
			 -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(fdt_platform_parse(&bi, NULL, 0, 0, &why),
			 -AE_EBADMSG);
}
END_TEST

Suite *suite_fdt_boot(void)
{
	Suite *s = suite_create("fdt_boot");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(good, test_fdt_good_tree_fills_everything);
	tcase_add_test(good, test_fdt_initrd_32bit_cells);
	tcase_add_test(good, test_fdt_no_initrd_no_bootargs_ok);
	tcase_add_test(good, test_fdt_stdout_path_with_options);
	tcase_add_test(good, test_fdt_stdout_path_alias);
	tcase_add_test(good, test_fdt_psci_smc);
	tcase_add_test(good, test_fdt_memreserve_becomes_reserved_region);
	tcase_add_test(good, test_fdt_one_cell_addresses);
	tcase_add_test(good, test_fdt_uefi_system_table_means_uefi);
	tcase_add_test(good, test_fdt_stdout_to_missing_node_warns);
	tcase_add_test(good, test_fdt_stdout_unknown_alias_warns);
	tcase_add_test(good, test_fdt_bad_psci_method_warns);
	tcase_add_test(good, test_fdt_stdout_path_plain_alias);
	tcase_add_test(good, test_fdt_two_memory_nodes_two_cells);
	tcase_add_test(good, test_fdt_memreserve_listed_after_memory);
	tcase_add_test(good, test_fdt_equal_initrd_bounds_give_no_module);
	tcase_add_test(good, test_fdt_long_bootargs_truncated_with_warning);
	tcase_add_test(good, test_fdt_stdout_node_without_reg_warns);
	tcase_add_test(good, test_fdt_psci_without_method_warns);
	tcase_add_test(good, test_fdt_psci_method_prefix_without_nul_warns);
	tcase_add_test(bad, test_fdt_memory_region_wrapping_rejected);
	tcase_add_test(bad, test_fdt_size_cells_zero_rejected);
	tcase_add_test(bad, test_fdt_truncated_blob_rejected_at_every_length);
	tcase_add_test(bad, test_fdt_null_rejected);
	tcase_add_test(bad, test_fdt_avail_smaller_than_header_rejected);
	tcase_add_test(bad, test_fdt_bad_magic_rejected);
	tcase_add_test(bad, test_fdt_totalsize_beyond_avail_rejected);
	tcase_add_test(bad, test_fdt_misaligned_rejected);
	tcase_add_test(bad, test_fdt_no_memory_node_rejected);
	tcase_add_test(bad, test_fdt_memory_reg_partial_cells_rejected);
	tcase_add_test(bad, test_fdt_three_address_cells_rejected);
	tcase_add_test(bad, test_fdt_bootargs_unterminated_rejected);
	tcase_add_test(bad, test_fdt_initrd_start_only_rejected);
	tcase_add_test(bad, test_fdt_initrd_end_before_start_rejected);
	tcase_add_test(bad, test_fdt_initrd_odd_width_rejected);
	tcase_add_test(bad, test_fdt_every_byte_flip_never_crashes);
	suite_add_tcase(s, good);
	tcase_add_test(good, test_fdt_interrupt_controller_named);
	tcase_add_test(good, test_fdt_uart_spi_gives_intid);
	tcase_add_test(good, test_fdt_uart_ppi_gives_intid);
	tcase_add_test(good, test_fdt_uart_without_interrupts_is_polled);
	tcase_add_test(bad, test_fdt_uart_irq_bad_type_warns);
	tcase_add_test(good, test_fdt_uart_irq_two_cell_parent_gives_gsi);
	tcase_add_test(bad, test_fdt_uart_irq_one_cell_parent_warns);
	tcase_add_test(bad, test_fdt_uart_irq_level_trigger_on_ioapic_warns);
	tcase_add_test(good, test_fdt_x86_platform_tree);
	tcase_add_test(bad, test_fdt_platform_bad_blob_rejected);
	tcase_add_test(bad, test_fdt_self_referencing_alias_warns_not_loops);
	tcase_add_test(bad, test_fdt_alias_without_nul_warns);
	suite_add_tcase(s, bad);
	return s;
}
