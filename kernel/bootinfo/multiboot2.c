/*
 * multiboot2.c - parse the multiboot2 boot information block (GRUB).
 *
 * Layout (Multiboot2 specification, section 3.6): u32 total_size, u32
 * reserved, then tags, each u32 type, u32 size, padded to 8 bytes, the
 * last one of type 0. Every length is checked against total_size and
 * total_size against what the caller could map, so a corrupt block yields
 * -EBADMSG and a reason instead of a wild read.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>

enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER = 2,
	TAG_MODULE = 3,
	TAG_MMAP = 6,
	TAG_EFI32 = 11,
	TAG_EFI64 = 12,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
	TAG_EFI_MMAP = 17,
	TAG_EFI_BS = 18,
};


static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int parse_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size,
		      const char **why)
{
	uint32_t esize, n;

	if (size < 16) {
		*why = "memory map tag shorter than its header";
		return -AE_EBADMSG;
	}
	esize = rd32(t + 8);
	if (esize < 24 || esize % 8) {
		*why = "memory map entry size is not a multiple of 8 >= 24";
		return -AE_EBADMSG;
	}
	if ((size - 16) % esize)
		boot_warn(bi, "memory map tag has %u trailing bytes",
			  (size - 16) % esize);
	n = (size - 16) / esize;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = t + 16 + (size_t)i * esize;
		uint64_t base = rd64(e), len = rd64(e + 8);
		uint32_t type = rd32(e + 16);

		if (len == 0)
			continue;
		if (base + len < base) {
			boot_warn(bi, "memory map entry %u wraps around", i);
			continue;
		}
		if (type < BOOT_MEM_USABLE || type > BOOT_MEM_BAD)
			type = BOOT_MEM_RESERVED;
		boot_add_mem(bi, base, len, type);
	}
	return 0;
}

int mb2_parse(struct boot_info *bi, const void *mbi, size_t avail,
	      paddr_t mbi_pa, const char **why)
{
	const uint8_t *p = mbi;
	uint32_t total, off;
	bool end = false, mmap = false;
	int rc;

	boot_info_init(bi, BOOT_PROTO_MULTIBOOT2);
	bi->firmware = BOOT_FW_BIOS;
	if (!mbi || ((uintptr_t)mbi & 7)) {
		*why = "info block missing or not 8-byte aligned";
		return -AE_EBADMSG;
	}
	if (avail < 16) {
		*why = "info block shorter than 16 bytes";
		return -AE_EBADMSG;
	}
	total = rd32(p);
	if (total < 16 || total > MB2_INFO_MAX || total > avail) {
		*why = "info block total_size out of range";
		return -AE_EBADMSG;
	}
	for (off = 8; off + 8 <= total; off = ALIGN_UP(off + rd32(p + off + 4),
						      8u)) {
		const uint8_t *t = p + off;
		uint32_t type = rd32(t), size = rd32(t + 4);

		if (size < 8 || size > total - off) {
			*why = "tag size runs past the end of the block";
			return -AE_EBADMSG;
		}
		switch (type) {
		case TAG_END:
			end = true;
			break;
		case TAG_CMDLINE:
			rc = boot_copy_str(bi->cmdline, sizeof(bi->cmdline),
					   (const char *)t + 8, size - 8);
			if (rc < 0) {
				*why = "command line not NUL-terminated";
				return rc;
			}
			if (rc)
				boot_warn(bi, "command line truncated to %d "
					  "bytes", BOOT_CMDLINE_MAX - 1);
			break;
		case TAG_LOADER:
			rc = boot_copy_str(bi->loader, sizeof(bi->loader),
					   (const char *)t + 8, size - 8);
			if (rc < 0) {
				*why = "boot loader name not NUL-terminated";
				return rc;
			}
			break;
		case TAG_MODULE:
			if (size < 17 || rd32(t + 12) < rd32(t + 8)) {
				*why = "module tag malformed (short, or end "
				       "before start)";
				return -AE_EBADMSG;
			}
			if (strnlen((const char *)t + 16, size - 16) ==
			    size - 16) {
				*why = "module string not NUL-terminated";
				return -AE_EBADMSG;
			}
			boot_add_module(bi, rd32(t + 8),
					rd32(t + 12) - rd32(t + 8),
					(const char *)t + 16, size - 16);
			break;
		case TAG_MMAP:
			rc = parse_mmap(bi, t, size, why);
			if (rc)
				return rc;
			mmap = true;
			break;
		case TAG_EFI32:
		case TAG_EFI64:
		case TAG_EFI_MMAP:
		case TAG_EFI_BS:
			bi->firmware = BOOT_FW_UEFI;
			break;
		case TAG_ACPI_OLD:
		case TAG_ACPI_NEW:
			if (size < 8 + 20) {
				*why = "ACPI RSDP tag too short";
				return -AE_EBADMSG;
			}
			if (!bi->acpi_rsdp || type == TAG_ACPI_NEW)
				bi->acpi_rsdp = mbi_pa + off + 8;
			break;
		default:
			break;	/* unknown tags are skipped by design */
		}
		if (end)
			break;
	}
	if (!end) {
		*why = "no end tag";
		return -AE_EBADMSG;
	}
	if (!mmap) {
		*why = "no memory map tag";
		return -AE_EBADMSG;
	}
	return 0;
}
