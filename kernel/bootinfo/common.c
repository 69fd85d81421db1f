/*
 * common.c - helpers shared by the boot-data parsers, and the names of
 * the boot_info enums.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>

void boot_info_init(struct boot_info *bi, enum boot_proto proto)
{
	memset(bi, 0, sizeof(*bi));
	bi->proto = proto;
}

void boot_warn(struct boot_info *bi, const char *fmt, ...)
{
	va_list ap;

	if (bi->nwarn < ARRAY_SIZE(bi->warn)) {
		va_start(ap, fmt);
		kvsnprintf(bi->warn[bi->nwarn], sizeof(bi->warn[0]), fmt, ap);
		va_end(ap);
	}
	bi->nwarn++;
}

void boot_add_mem(struct boot_info *bi, paddr_t base, uint64_t len,
		  uint32_t type)
{
	if (bi->nmem >= BOOT_MEM_MAX) {
		boot_warn(bi, "memory region %#llx+%#llx dropped: more than "
			  "%d regions", (unsigned long long)base,
			  (unsigned long long)len, BOOT_MEM_MAX);
		return;
	}
	bi->mem[bi->nmem].base = base;
	bi->mem[bi->nmem].len = len;
	bi->mem[bi->nmem].type = type;
	bi->nmem++;
}

int boot_copy_str(char *dst, size_t dstsize, const char *src, size_t srcmax)
{
	size_t n = strnlen(src, srcmax);

	if (n == srcmax)
		return -AE_EBADMSG;
	if (n >= dstsize) {
		memcpy(dst, src, dstsize - 1);
		dst[dstsize - 1] = '\0';
		return 1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

void boot_add_module(struct boot_info *bi, paddr_t base, uint64_t len,
		     const char *name, size_t namemax)
{
	struct boot_module *m;

	if (bi->nmod >= BOOT_MOD_MAX) {
		boot_warn(bi, "module at %#llx dropped: more than %d modules",
			  (unsigned long long)base, BOOT_MOD_MAX);
		return;
	}
	m = &bi->mod[bi->nmod++];
	m->base = base;
	m->len = len;
	m->name[0] = '\0';
	if (name && boot_copy_str(m->name, sizeof(m->name), name,
				  namemax) == 1)
		boot_warn(bi, "module %u name truncated", bi->nmod - 1);
}

uint64_t boot_info_usable_bytes(const struct boot_info *bi)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			sum += bi->mem[i].len;
	return sum;
}

/* [a, a + alen) and [b, b + blen) share a byte (empty ranges share none;
 * a range running past the top of the address space ends there). */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	uint64_t aend = alen > UINT64_MAX - a ? UINT64_MAX : a + alen;
	uint64_t bend = blen > UINT64_MAX - b ? UINT64_MAX : b + blen;

	return alen && blen && a < bend && b < aend;
}

#define BOOT_PAGE	4096ull
#define ACPI_RSDP_LEN	36	/* the ACPI 2.0 RSDP; 1.0's is 20 bytes */

static bool page_free(const struct boot_info *bi, paddr_t pa,
		      paddr_t avoid, uint64_t avoid_len)
{
	bool usable = false;

	for (uint32_t i = 0; i < bi->nmem && i < BOOT_MEM_MAX; i++) {
		const struct boot_mem_region *m = &bi->mem[i];

		if (!overlaps(pa, BOOT_PAGE, m->base, m->len))
			continue;
		if (m->type != BOOT_MEM_USABLE)
			return false;
		if (m->base <= pa && m->len >= BOOT_PAGE &&
		    pa - m->base <= m->len - BOOT_PAGE)
			usable = true;
	}
	if (!usable)
		return false;
	for (uint32_t i = 0; i < bi->nmod && i < BOOT_MOD_MAX; i++)
		if (overlaps(pa, BOOT_PAGE, bi->mod[i].base, bi->mod[i].len))
			return false;
	return !overlaps(pa, BOOT_PAGE, bi->dtb, bi->dtb_size) &&
	       !(bi->acpi_rsdp &&
		 overlaps(pa, BOOT_PAGE, bi->acpi_rsdp, ACPI_RSDP_LEN)) &&
	       !overlaps(pa, BOOT_PAGE, bi->kernel_start,
			 bi->kernel_end - bi->kernel_start) &&
	       !overlaps(pa, BOOT_PAGE, avoid, avoid_len);
}

paddr_t boot_free_low_page(const struct boot_info *bi, paddr_t lo,
			   paddr_t hi, paddr_t avoid, uint64_t avoid_len)
{
	lo = (lo + BOOT_PAGE - 1) & ~(BOOT_PAGE - 1);
	if (lo == 0)
		lo = BOOT_PAGE;
	hi &= ~(BOOT_PAGE - 1);
	for (paddr_t pa = hi; pa > lo;) {
		pa -= BOOT_PAGE;
		if (page_free(bi, pa, avoid, avoid_len))
			return pa;
	}
	return 0;
}

const char *boot_proto_name(enum boot_proto p)
{
	switch (p) {
	case BOOT_PROTO_MULTIBOOT2:
		return "multiboot2";
	case BOOT_PROTO_PVH:
		return "pvh";
	case BOOT_PROTO_FDT:
		return "devicetree";
	default:
		return "none";
	}
}

const char *boot_firmware_name(enum boot_firmware f)
{
	switch (f) {
	case BOOT_FW_BIOS:
		return "BIOS";
	case BOOT_FW_UEFI:
		return "UEFI";
	case BOOT_FW_NONE:
		return "none";
	default:
		return "unknown";
	}
}
