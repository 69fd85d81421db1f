/*
 * cpus.c - the CPUs the firmware describes: the ACPI MADT (x86_64) and a
 * device tree's /cpus (aegis/smp.h). Both inputs are the firmware's and
 * are checked as hostile: every length against what was mapped, every
 * checksum, every entry against its table's end.
 *
 * ACPI 6.5: 5.2.5 (RSDP), 5.2.6 (table header), 5.2.7/5.2.8 (RSDT and
 * XSDT), 5.2.12 (MADT; entry types 0, Processor Local APIC, and 9,
 * Processor Local x2APIC).
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/smp.h>
#include <libfdt.h>

#define SDT_HEADER	36
#define SDT_MAX		(1u << 20)	/* no sane table is bigger */
#define SDT_ENTRIES_MAX	256

#define MADT_LAPIC	0
#define MADT_X2APIC	9
#define MADT_ENABLED	1u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool sums_to_zero(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s == 0;
}

/* The table at pa, whole and checked; NULL with *why. sig: expected, or
 * NULL to accept any (its signature is then the caller's to look at). */
static const uint8_t *table(paddr_t pa, const char *sig, boot_map_fn map,
			    void *ctx, uint32_t *len, const char **why)
{
	const uint8_t *h = map(pa, SDT_HEADER, ctx);

	if (!h) {
		*why = "an ACPI table is out of reach";
		return NULL;
	}
	if (sig && memcmp(h, sig, 4) != 0) {
		*why = "an ACPI table has the wrong signature";
		return NULL;
	}
	*len = le32(h + 4);
	if (*len < SDT_HEADER || *len > SDT_MAX) {
		*why = "an ACPI table states an impossible length";
		return NULL;
	}
	h = map(pa, *len, ctx);
	if (!h) {
		*why = "an ACPI table runs out of reach";
		return NULL;
	}
	if (!sums_to_zero(h, *len)) {
		*why = "an ACPI table's checksum is wrong";
		return NULL;
	}
	return h;
}

static void take(struct smp_cpu_desc *out, unsigned int max,
		 unsigned int *n, uint64_t id, uint32_t uid, bool usable)
{
	for (unsigned int i = 0; i < *n && i < max; i++)
		if (out[i].hw_id == id)
			return;		/* listed twice (type 0 and 9) */
	if (*n < max) {
		out[*n].hw_id = id;
		out[*n].uid = uid;
		out[*n].usable = usable;
	}
	(*n)++;
}

static int madt(const uint8_t *t, uint32_t len, struct smp_cpu_desc *out,
		unsigned int max, unsigned int *n, const char **why)
{
	uint32_t off = SDT_HEADER + 8;	/* local APIC address, flags */

	if (len < off) {
		*why = "the MADT is too short";
		return -AE_EBADMSG;
	}
	while (off < len) {
		uint8_t type, elen;

		if (len - off < 2) {
			*why = "a MADT entry runs past the table";
			return -AE_EBADMSG;
		}
		type = t[off];
		elen = t[off + 1];
		if (elen < 2) {
			*why = "a MADT entry has length 0";
			return -AE_EBADMSG;
		}
		if (elen > len - off) {
			*why = "a MADT entry runs past the table";
			return -AE_EBADMSG;
		}
		if (type == MADT_LAPIC) {
			if (elen < 8) {
				*why = "a MADT local APIC entry is too short";
				return -AE_EBADMSG;
			}
			take(out, max, n, t[off + 3], t[off + 2],
			     le32(t + off + 4) & MADT_ENABLED);
		} else if (type == MADT_X2APIC) {
			if (elen < 16) {
				*why = "a MADT x2APIC entry is too short";
				return -AE_EBADMSG;
			}
			take(out, max, n, le32(t + off + 4),
			     le32(t + off + 12),
			     le32(t + off + 8) & MADT_ENABLED);
		}
		off += elen;
	}
	if (*n == 0) {
		*why = "the MADT lists no processor";
		return -AE_ENOENT;
	}
	return 0;
}

int acpi_madt_cpus(paddr_t rsdp, boot_map_fn map, void *ctx,
		   struct smp_cpu_desc *out, unsigned int max,
		   unsigned int *n, const char **why)
{
	const uint8_t *r, *root;
	uint32_t rlen, esize;
	paddr_t root_pa;
	bool xsdt;

	*n = 0;
	r = rsdp ? map(rsdp, 20, ctx) : NULL;
	if (!r) {
		*why = "no ACPI RSDP";
		return -AE_ENOENT;
	}
	if (memcmp(r, "RSD PTR ", 8) != 0 || !sums_to_zero(r, 20)) {
		*why = "the ACPI RSDP's signature or checksum is wrong";
		return -AE_EBADMSG;
	}
	xsdt = r[15] >= 2;
	root_pa = le32(r + 16);
	if (xsdt) {
		r = map(rsdp, 36, ctx);
		if (!r || le32(r + 20) < 36 || !sums_to_zero(r, 36)) {
			*why = "the ACPI 2 RSDP's length or checksum is wrong";
			return -AE_EBADMSG;
		}
		if (le64(r + 24))
			root_pa = le64(r + 24);
		else
			xsdt = false;	/* no XSDT: the RSDT it also gives */
	}
	root = table(root_pa, xsdt ? "XSDT" : "RSDT", map, ctx, &rlen, why);
	if (!root)
		return -AE_EBADMSG;
	esize = xsdt ? 8 : 4;
	if ((rlen - SDT_HEADER) % esize) {
		*why = "the ACPI root table's length is not whole entries";
		return -AE_EBADMSG;
	}
	for (uint32_t k = 0; k < (rlen - SDT_HEADER) / esize; k++) {
		const uint8_t *e = root + SDT_HEADER + k * esize;
		paddr_t pa = xsdt ? le64(e) : le32(e);
		const uint8_t *h, *t;
		uint32_t len;

		if (k == SDT_ENTRIES_MAX) {
			*why = "the ACPI root table lists too many tables";
			return -AE_EBADMSG;
		}
		h = map(pa, SDT_HEADER, ctx);
		if (!h || memcmp(h, "APIC", 4) != 0)
			continue;
		t = table(pa, "APIC", map, ctx, &len, why);
		if (!t)
			return -AE_EBADMSG;
		return madt(t, len, out, max, n, why);
	}
	*why = "no MADT among the ACPI tables";
	return -AE_ENOENT;
}

int fdt_cpus(const void *fdt, size_t avail, struct smp_cpu_desc *out,
	     unsigned int max, unsigned int *n, const char **why)
{
	int cpus, node, cells;

	*n = 0;
	if (avail < sizeof(struct fdt_header) || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > avail) {
		*why = "the device tree's header is malformed";
		return -AE_EBADMSG;
	}
	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0) {
		*why = "the device tree has no /cpus";
		return -AE_ENOENT;
	}
	cells = fdt_address_cells(fdt, cpus);
	if (cells != 1 && cells != 2) {
		*why = "/cpus has an #address-cells other than 1 or 2";
		return -AE_EBADMSG;
	}
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type, *st, *how;
		const fdt32_t *reg;
		int len, slen, hlen;
		uint64_t id;
		bool usable;

		type = fdt_getprop(fdt, node, "device_type", &len);
		if (!type || len < 4 || strncmp(type, "cpu", (size_t)len))
			continue;	/* cpu-map and the like */
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len != cells * 4) {
			*why = "a cpu node's reg is not one address";
			return -AE_EBADMSG;
		}
		id = fdt32_to_cpu(reg[0]);
		if (cells == 2)
			id = id << 32 | fdt32_to_cpu(reg[1]);
		st = fdt_getprop(fdt, node, "status", &slen);
		usable = !st || (slen > 0 && (!strncmp(st, "okay", (size_t)slen) ||
					      !strncmp(st, "ok", (size_t)slen)));
		how = fdt_getprop(fdt, node, "enable-method", &hlen);
		if (how && (hlen < 5 || strncmp(how, "psci", (size_t)hlen)))
			usable = false;	/* spin-table: not supported */
		take(out, max, n, id, (uint32_t)*n, usable);
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND) {
		*why = "the device tree's /cpus is malformed";
		return -AE_EBADMSG;
	}
	if (*n == 0) {
		*why = "/cpus has no cpu node";
		return -AE_ENOENT;
	}
	return 0;
}
