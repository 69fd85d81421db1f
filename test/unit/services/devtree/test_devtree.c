/*
 * test_devtree.c - services/devtree/enumerate.c against trees compiled by
 * dtc (the .dts files in fixtures/ and the x86_64 platform tree), good, odd, malformed
 * and truncated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <aegis/errno.h>
#include "unit.h"
#include "../../../../services/devtree/dt.h"

static uint64_t blob[8192];	/* 64 KiB, 8-byte aligned */
static size_t blob_len;
static struct dt_tree t;

static void load(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", DEVTREE_FIXTURES, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "fixture %s", path);
	blob_len = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	ck_assert_uint_gt(blob_len, 0);
}

static const struct dt_device *dev(const char *path)
{
	int i = dt_find(&t, path);

	ck_assert_msg(i >= 0, "no device %s", path);
	return &t.dev[i];
}

static int enumerate(const char *name)
{
	const char *why = NULL;

	load(name);
	return dt_enumerate(&t, blob, blob_len, &why);
}

static const struct dt_driver drivers[] = {
	{ "pl011", (const char *const[]){ "arm,pl011", NULL } },
	{ "primecell", (const char *const[]){ "arm,primecell", NULL } },
	{ "gic", (const char *const[]){ "arm,cortex-a15-gic", "arm,gic-v3",
					NULL } },
	{ "virtio", (const char *const[]){ "virtio,mmio", NULL } },
	{ "uart", (const char *const[]){ "test,uart", NULL } },
	{ "timer", (const char *const[]){ "test,timer", NULL } },
	{ "pic", (const char *const[]){ "test,pic", NULL } },
	{ "rtc-generic", (const char *const[]){ "test,rtc", NULL } },
	{ "rtc-v2", (const char *const[]){ "vendor,rtc-v2", NULL } },
};
#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

/* ---- a tree like QEMU virt's ---------------------------------------- */

START_TEST(test_devtree_virt_devices_found)
{
	ck_assert_int_eq(enumerate("virt.dtb"), 0);
	/* psci, gic, pl011, pl031, timer, 2 virtio (one disabled) */
	ck_assert_uint_eq(t.n, 7);
	ck_assert_uint_eq(t.skipped, 1);
	ck_assert_int_lt(dt_find(&t, "/virtio_mmio@a000200"), 0);
	ck_assert_int_ge(dt_find(&t, "/virtio_mmio@a000400"), 0);
	ck_assert_int_lt(dt_find(&t, "/memory@40000000"), 0);
	ck_assert_uint_eq(t.nwarn, 0);
}
END_TEST

START_TEST(test_devtree_reg_read_with_parent_cells)
{
	const struct dt_device *g;

	ck_assert_int_eq(enumerate("virt.dtb"), 0);
	g = dev("/intc@8000000");
	ck_assert_uint_eq(g->nreg, 2);
	ck_assert_uint_eq(g->reg[0].base, 0x08000000);
	ck_assert_uint_eq(g->reg[1].base, 0x08010000);
	ck_assert_uint_eq(g->reg[1].size, 0x10000);
	ck_assert_str_eq(g->name, "intc");
}
END_TEST

START_TEST(test_devtree_gic_spi_and_ppi_become_lines)
{
	const struct dt_device *d;

	ck_assert_int_eq(enumerate("virt.dtb"), 0);
	d = dev("/pl011@9000000");
	ck_assert_uint_eq(d->nirq, 1);
	ck_assert_uint_eq(d->irq[0], 33);
	d = dev("/timer");
	ck_assert_uint_eq(d->nirq, 4);
	ck_assert_uint_eq(d->irq[0], 29);
	ck_assert_uint_eq(d->irq[2], 27);
	ck_assert_uint_eq(d->irq[3], 26);
}
END_TEST

START_TEST(test_devtree_compatible_list_in_order)
{
	const struct dt_device *d;

	ck_assert_int_eq(enumerate("virt.dtb"), 0);
	d = dev("/psci");
	ck_assert_uint_eq(d->ncompat, 3);
	ck_assert_str_eq(d->compat[0], "arm,psci-1.0");
	ck_assert_str_eq(d->compat[2], "arm,psci");
	ck_assert_uint_eq(d->nreg, 0);
	ck_assert_uint_eq(d->nirq, 0);
}
END_TEST

START_TEST(test_devtree_match_prefers_specific_compatible)
{
	ck_assert_int_eq(enumerate("virt.dtb"), 0);
	/* pl011, pl031 (primecell), gic, 2 virtio */
	ck_assert_uint_eq(dt_match(&t, drivers, NDRIVERS), 5);
	ck_assert_str_eq(drivers[dev("/pl011@9000000")->driver].name,
			 "pl011");
	ck_assert_str_eq(drivers[dev("/pl031@9010000")->driver].name,
			 "primecell");
	ck_assert_int_eq(dev("/timer")->driver, -1);
	ck_assert_int_eq(dev("/psci")->driver, -1);
}
END_TEST

START_TEST(test_devtree_virt_claims_without_conflict)
{
	ck_assert_int_eq(enumerate("virt.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	ck_assert_uint_eq(dt_claim(&t), 0);
}
END_TEST

/* ---- the x86_64 platform tree ------------------------------------- */

START_TEST(test_devtree_x86_platform_tree)
{
	const struct dt_device *d;

	ck_assert_int_eq(enumerate("x86_platform.dtb"), 0);
	d = dev("/isa/serial@3f8");
	ck_assert_str_eq(d->compat[0], "ns16550a");
	ck_assert_uint_eq(d->reg[0].base, 0x3f8);
	ck_assert_uint_eq(d->reg[0].size, 8);
	ck_assert_uint_eq(d->nirq, 1);
	ck_assert_uint_eq(d->irq[0], 4);	/* the I/O APIC's GSI */
	d = dev("/timer");
	ck_assert_uint_eq(d->irq[0], 0x20);	/* a LAPIC vector */
	ck_assert_int_ge(dt_find(&t, "/interrupt-controller@fec00000"), 0);
	ck_assert_uint_eq(t.nwarn, 0);
}
END_TEST

/* ---- conflicts ---------------------------------------------------- */

START_TEST(test_devtree_overlapping_registers_refused)
{
	const struct dt_device *d;

	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	ck_assert_uint_eq(dt_claim(&t), 2);
	d = dev("/uart@2080");
	ck_assert_int_eq(d->claim_error, -AE_EBUSY);
	ck_assert(!d->attached);
	ck_assert_ptr_nonnull(strstr(d->why, "/uart@2000"));
	ck_assert_int_eq(dev("/uart@2000")->claim_error, 0);
}
END_TEST

START_TEST(test_devtree_shared_interrupt_refused)
{
	const struct dt_device *d;

	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	dt_claim(&t);
	d = dev("/timer@3000");
	ck_assert_int_eq(d->claim_error, -AE_EBUSY);
	ck_assert_ptr_nonnull(strstr(d->why, "interrupt 5"));
}
END_TEST

/* ---- hot-plug ----------------------------------------------------- */

START_TEST(test_devtree_detach_frees_registers_for_another)
{
	int a, b;

	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	dt_claim(&t);
	a = dt_find(&t, "/uart@2000");
	b = dt_find(&t, "/uart@2080");
	ck_assert(t.dev[a].attached);
	/* refused at boot: still refused while the holder is there */
	ck_assert_int_eq(dt_attach(&t, (uint32_t)b), -AE_EBUSY);
	ck_assert_ptr_nonnull(strstr(t.dev[b].why, "/uart@2000"));
	ck_assert_int_eq(dt_detach(&t, (uint32_t)a), 0);
	ck_assert_int_eq(dt_detach(&t, (uint32_t)a), -AE_ENODEV);
	ck_assert_int_eq(dt_attach(&t, (uint32_t)b), 0);
	ck_assert_int_eq(t.dev[b].claim_error, 0);
	ck_assert_str_eq(t.dev[b].why, "");
	/* now the first one is the one refused */
	ck_assert_int_eq(dt_attach(&t, (uint32_t)a), -AE_EBUSY);
	ck_assert_ptr_nonnull(strstr(t.dev[a].why, "/uart@2080"));
	ck_assert_int_eq(dt_attach(&t, (uint32_t)b), -AE_EEXIST);
	ck_assert_int_eq(dt_attach(&t, t.n), -AE_ENODEV);
	ck_assert_int_eq(dt_detach(&t, t.n), -AE_ENODEV);
}
END_TEST

START_TEST(test_devtree_detach_frees_interrupt_line)
{
	int uart, timer;

	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	dt_claim(&t);
	uart = dt_find(&t, "/uart@2000");
	timer = dt_find(&t, "/timer@3000");
	ck_assert(!t.dev[timer].attached);
	ck_assert_int_eq(dt_detach(&t, (uint32_t)uart), 0);
	ck_assert_int_eq(dt_attach(&t, (uint32_t)timer), 0);
	ck_assert_int_eq(dt_attach(&t, (uint32_t)uart), -AE_EBUSY);
	ck_assert_ptr_nonnull(strstr(t.dev[uart].why, "interrupt 5"));
}
END_TEST

START_TEST(test_devtree_units_and_lookup_by_name)
{
	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	dt_claim(&t);
	ck_assert_uint_eq(dev("/uart@2000")->unit, 0);
	ck_assert_uint_eq(dev("/uart@2080")->unit, 1);
	ck_assert_int_eq(dt_lookup(&t, drivers, NDRIVERS, "uart1"),
			 dt_find(&t, "/uart@2080"));
	ck_assert_int_eq(dt_lookup(&t, drivers, NDRIVERS, "/timer@3000"),
			 dt_find(&t, "/timer@3000"));
	ck_assert_int_eq(dt_lookup(&t, drivers, NDRIVERS, "nodrv"),
			 dt_find(&t, "/nodrv@4000"));
	ck_assert_int_eq(dt_lookup(&t, drivers, NDRIVERS, "uart2"),
			 -AE_ENOENT);
	ck_assert_int_eq(dt_lookup(&t, drivers, NDRIVERS, ""), -AE_ENOENT);
}
END_TEST

START_TEST(test_devtree_unmatched_device_claims_nothing)
{
	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	dt_claim(&t);
	ck_assert_int_eq(dev("/nodrv@4000")->driver, -1);
	ck_assert_int_eq(dev("/nodrv@4000")->claim_error, 0);
}
END_TEST

START_TEST(test_devtree_device_order_decides_driver)
{
	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	/* "vendor,rtc-v2" comes first in the node: its driver wins though
	 * the generic one is earlier in the driver list */
	ck_assert_str_eq(drivers[dev("/rtc@5000")->driver].name, "rtc-v2");
}
END_TEST

START_TEST(test_devtree_claim_is_repeatable)
{
	ck_assert_int_eq(enumerate("conflicts.dtb"), 0);
	dt_match(&t, drivers, NDRIVERS);
	ck_assert_uint_eq(dt_claim(&t), 2);
	dt_match(&t, drivers, NDRIVERS);
	ck_assert_uint_eq(dt_claim(&t), 2);
}
END_TEST

/* ---- oddities ----------------------------------------------------- */

START_TEST(test_devtree_node_without_compatible_ignored)
{
	ck_assert_int_eq(enumerate("oddities.dtb"), 0);
	ck_assert_int_lt(dt_find(&t, "/plain"), 0);
}
END_TEST

START_TEST(test_devtree_bad_reg_warned_node_kept)
{
	ck_assert_int_eq(enumerate("oddities.dtb"), 0);
	ck_assert_uint_eq(dev("/badreg@200")->nreg, 0);
	ck_assert_uint_ge(t.nwarn, 1);
	ck_assert_ptr_nonnull(strstr(t.warn[0], "/badreg@200"));
}
END_TEST

START_TEST(test_devtree_interrupt_without_parent_warned)
{
	ck_assert_int_eq(enumerate("oddities.dtb"), 0);
	ck_assert_uint_eq(dev("/orphan@400")->nirq, 0);
	ck_assert_uint_eq(dev("/orphan@400")->nreg, 1);
}
END_TEST

START_TEST(test_devtree_controller_is_parent_of_its_children)
{
	ck_assert_int_eq(enumerate("oddities.dtb"), 0);
	ck_assert_uint_eq(dev("/intc@8000000/its@8080000")->nirq, 1);
	ck_assert_uint_eq(dev("/intc@8000000/its@8080000")->irq[0], 25);
}
END_TEST

START_TEST(test_devtree_gic_number_out_of_range_warned)
{
	ck_assert_int_eq(enumerate("oddities.dtb"), 0);
	ck_assert_uint_eq(dev("/big@500")->nirq, 0);
}
END_TEST

START_TEST(test_devtree_compatible_list_capped)
{
	ck_assert_int_eq(enumerate("oddities.dtb"), 0);
	ck_assert_uint_eq(dev("/many@600")->ncompat, DT_COMPAT_MAX);
	ck_assert_str_eq(dev("/many@600")->compat[3], "d,four");
}
END_TEST

START_TEST(test_devtree_child_bus_and_failed_status)
{
	const struct dt_device *d;

	ck_assert_int_eq(enumerate("oddities.dtb"), 0);
	d = dev("/isa/port@60");
	ck_assert_uint_eq(d->nreg, 2);
	ck_assert_uint_eq(d->reg[1].base, 0x64);
	ck_assert_int_lt(dt_find(&t, "/weird@700"), 0);	/* status "fail" */
}
END_TEST

/* ---- malformed ---------------------------------------------------- */

START_TEST(test_devtree_null_and_misaligned_rejected)
{
	const char *why = NULL;

	ck_assert_int_eq(dt_enumerate(&t, NULL, 100, &why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
	load("virt.dtb");
	ck_assert_int_eq(dt_enumerate(&t, (uint8_t *)blob + 4, blob_len - 4,
				      &why), -AE_EBADMSG);
}
END_TEST

START_TEST(test_devtree_bad_magic_rejected)
{
	const char *why = NULL;

	load("virt.dtb");
	((uint8_t *)blob)[0] ^= 0xff;
	ck_assert_int_eq(dt_enumerate(&t, blob, blob_len, &why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

/* Found by the fuzzer: a header whose structure block starts off a
 * 4-byte boundary made the walk read properties misaligned. */
START_TEST(test_devtree_misaligned_structure_block_rejected)
{
	const char *why = NULL;
	uint8_t *b = (uint8_t *)blob;

	load("virt.dtb");
	b[11] += 1;		/* off_dt_struct, big-endian, low byte */
	ck_assert_int_eq(dt_enumerate(&t, blob, blob_len, &why), -AE_EBADMSG);
	ck_assert_ptr_nonnull(why);
}
END_TEST

/* Found by the fuzzer: a property whose length is -12 makes libfdt's
 * next tag the property itself, and the walk went round for ever. Every
 * such length, and lengths that wrap further back, are refused. */
START_TEST(test_devtree_property_length_looping_back_rejected)
{
	static const uint32_t lens[] = { 0xfffffff4u, 0xfffffff0u,
					 0xffffffe0u, 0x80000000u };
	static uint64_t copy[8192];
	const char *why;

	load("virt.dtb");
	for (unsigned int k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		uint8_t *b = (uint8_t *)copy;
		uint32_t off, w;

		memcpy(copy, blob, blob_len);
		off = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 |
		      (uint32_t)b[10] << 8 | b[11];	/* off_dt_struct */
		for (;; off += 4) {	/* the first FDT_PROP tag */
			ck_assert_uint_lt(off + 8, blob_len);
			memcpy(&w, b + off, 4);
			if (w == __builtin_bswap32(3))
				break;
		}
		w = __builtin_bswap32(lens[k]);
		memcpy(b + off + 4, &w, 4);
		why = NULL;
		ck_assert_int_eq(dt_enumerate(&t, copy, blob_len, &why),
				 -AE_EBADMSG);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_devtree_truncated_at_every_length_rejected_or_fine)
{
	const char *why;
	size_t full;

	load("virt.dtb");
	full = blob_len;
	for (size_t n = 0; n < full; n++) {
		int rc = dt_enumerate(&t, blob, n, &why);

		/* shorter than its totalsize: refused, never read past n */
		ck_assert_int_eq(rc, -AE_EBADMSG);
	}
	ck_assert_int_eq(dt_enumerate(&t, blob, full, &why), 0);
}
END_TEST

START_TEST(test_devtree_every_byte_flip_never_crashes)
{
	static uint64_t copy[8192];
	const char *why;

	load("oddities.dtb");
	for (size_t i = 0; i < blob_len; i++) {
		memcpy(copy, blob, blob_len);
		((uint8_t *)copy)[i] ^= 0x5a;
		dt_enumerate(&t, copy, blob_len, &why);
		ck_assert_uint_le(t.n, DT_MAX_DEVICES);
	}
}
END_TEST

START_TEST(test_devtree_more_devices_than_room_counted)
{
	void *fdt = blob;
	char name[32];
	const char *why;

	ck_assert_int_eq(fdt_create(fdt, sizeof(blob)), 0);
	ck_assert_int_eq(fdt_finish_reservemap(fdt), 0);
	ck_assert_int_eq(fdt_begin_node(fdt, ""), 0);
	for (int i = 0; i < DT_MAX_DEVICES + 10; i++) {
		snprintf(name, sizeof(name), "dev@%x", i);
		ck_assert_int_eq(fdt_begin_node(fdt, name), 0);
		ck_assert_int_eq(fdt_property_string(fdt, "compatible",
						     "test,many"), 0);
		ck_assert_int_eq(fdt_end_node(fdt), 0);
	}
	ck_assert_int_eq(fdt_end_node(fdt), 0);
	ck_assert_int_eq(fdt_finish(fdt), 0);
	ck_assert_int_eq(dt_enumerate(&t, blob, sizeof(blob), &why), 0);
	ck_assert_uint_eq(t.n, DT_MAX_DEVICES);
	ck_assert_uint_eq(t.skipped, 10);
}
END_TEST

Suite *suite_devtree(void)
{
	Suite *s = suite_create("devtree");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(good, test_devtree_virt_devices_found);
	tcase_add_test(good, test_devtree_reg_read_with_parent_cells);
	tcase_add_test(good, test_devtree_gic_spi_and_ppi_become_lines);
	tcase_add_test(good, test_devtree_compatible_list_in_order);
	tcase_add_test(good, test_devtree_match_prefers_specific_compatible);
	tcase_add_test(good, test_devtree_virt_claims_without_conflict);
	tcase_add_test(good, test_devtree_x86_platform_tree);
	tcase_add_test(good, test_devtree_overlapping_registers_refused);
	tcase_add_test(good, test_devtree_shared_interrupt_refused);
	tcase_add_test(good, test_devtree_unmatched_device_claims_nothing);
	tcase_add_test(good, test_devtree_detach_frees_registers_for_another);
	tcase_add_test(good, test_devtree_detach_frees_interrupt_line);
	tcase_add_test(good, test_devtree_units_and_lookup_by_name);
	tcase_add_test(good, test_devtree_device_order_decides_driver);
	tcase_add_test(good, test_devtree_claim_is_repeatable);
	tcase_add_test(good, test_devtree_node_without_compatible_ignored);
	tcase_add_test(good, test_devtree_bad_reg_warned_node_kept);
	tcase_add_test(good, test_devtree_interrupt_without_parent_warned);
	tcase_add_test(good, test_devtree_controller_is_parent_of_its_children);
	tcase_add_test(good, test_devtree_gic_number_out_of_range_warned);
	tcase_add_test(good, test_devtree_compatible_list_capped);
	tcase_add_test(good, test_devtree_child_bus_and_failed_status);
	tcase_add_test(good, test_devtree_more_devices_than_room_counted);
	tcase_add_test(bad, test_devtree_null_and_misaligned_rejected);
	tcase_add_test(bad, test_devtree_bad_magic_rejected);
	tcase_add_test(bad, test_devtree_misaligned_structure_block_rejected);
	tcase_add_test(bad, test_devtree_truncated_at_every_length_rejected_or_fine);
	tcase_add_test(bad, test_devtree_property_length_looping_back_rejected);
	tcase_add_test(bad, test_devtree_every_byte_flip_never_crashes);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}
