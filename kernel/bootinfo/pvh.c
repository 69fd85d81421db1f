/*
 * pvh.c - parse the PVH start-info block (Xen's hvm_start_info), which
 * QEMU and other VMMs hand to a kernel entered through its
 * XEN_ELFNOTE_PHYS32_ENTRY note: %ebx points at it, in 32-bit protected
 * mode with paging off.
 *
 * Version 1 adds the memory map; a version 0 block has none, and Aegis
 * has no other way to learn the memory layout on this path, so it is
 * rejected with that reason.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries;	/* version >= 1 */
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

#define PVH_MAX_MODULES	64
#define PVH_MAX_MEMMAP	1024

/*
 * Map a string of unknown length: try the full bound first, and shorter
 * ones when that runs past what the map reaches (a string near the end of
 * reachable memory), down to a single byte.
 */
static const char *map_str(paddr_t pa, size_t *max, boot_map_fn map,
			   void *ctx)
{
	const char *s;

	for (size_t n = BOOT_CMDLINE_MAX; n >= 1; n /= 2) {
		s = map(pa, n, ctx);
		if (s) {
			*max = n;
			return s;
		}
	}
	return NULL;
}

int pvh_parse(struct boot_info *bi, const void *start, boot_map_fn map,
	      void *ctx, const char **why)
{
	struct hvm_start_info si;
	const uint8_t *mods, *mm;
	const char *s;
	size_t max;
	int rc;

	boot_info_init(bi, BOOT_PROTO_PVH);
	bi->firmware = BOOT_FW_NONE;
	memcpy(bi->loader, "PVH", 4);
	if (!start) {
		*why = "start info block missing";
		return -AE_EBADMSG;
	}
	memcpy(&si, start, sizeof(si));
	if (si.magic != PVH_START_MAGIC) {
		*why = "start info magic is not 0x336ec578";
		return -AE_EBADMSG;
	}
	if (si.version < 1) {
		*why = "start info version 0 carries no memory map";
		return -AE_EBADMSG;
	}
	if (si.cmdline_paddr) {
		s = map_str(si.cmdline_paddr, &max, map, ctx);
		if (!s) {
			*why = "command line address out of reach";
			return -AE_EBADMSG;
		}
		rc = boot_copy_str(bi->cmdline, sizeof(bi->cmdline), s, max);
		if (rc < 0) {
			/* No NUL within the bound: keep the first part. */
			size_t n = MIN(max, sizeof(bi->cmdline) - 1);

			memcpy(bi->cmdline, s, n);
			bi->cmdline[n] = '\0';
		}
		if (rc)
			boot_warn(bi, "command line truncated to %zu bytes",
				  strlen(bi->cmdline));
	}
	if (si.nr_modules > PVH_MAX_MODULES) {
		*why = "more than 64 modules";
		return -AE_EBADMSG;
	}
	if (si.nr_modules) {
		mods = map(si.modlist_paddr,
			   si.nr_modules * sizeof(struct hvm_modlist_entry),
			   ctx);
		if (!mods) {
			*why = "module list out of reach";
			return -AE_EBADMSG;
		}
		for (uint32_t i = 0; i < si.nr_modules; i++) {
			struct hvm_modlist_entry me;
			const char *name = NULL;

			/* memcpy: the VMM need not align the list. */
			memcpy(&me, mods + i * sizeof(me), sizeof(me));
			max = 0;
			if (me.cmdline_paddr) {
				name = map_str(me.cmdline_paddr, &max,
					       map, ctx);
				if (!name || strnlen(name, max) == max) {
					*why = "module string out of reach or "
					       "not terminated";
					return -AE_EBADMSG;
				}
			}
			if (me.paddr + me.size < me.paddr) {
				*why = "module wraps around the address space";
				return -AE_EBADMSG;
			}
			boot_add_module(bi, me.paddr, me.size, name, max);
		}
	}
	if (si.memmap_entries == 0 || si.memmap_entries > PVH_MAX_MEMMAP) {
		*why = "memory map empty or longer than 1024 entries";
		return -AE_EBADMSG;
	}
	mm = map(si.memmap_paddr,
		 si.memmap_entries * sizeof(struct hvm_memmap_entry), ctx);
	if (!mm) {
		*why = "memory map out of reach";
		return -AE_EBADMSG;
	}
	for (uint32_t i = 0; i < si.memmap_entries; i++) {
		struct hvm_memmap_entry e;
		uint32_t type;

		memcpy(&e, mm + i * sizeof(e), sizeof(e));
		type = e.type;
		if (e.size == 0)
			continue;
		if (e.addr + e.size < e.addr) {
			boot_warn(bi, "memory map entry %u wraps around", i);
			continue;
		}
		if (type < BOOT_MEM_USABLE || type > BOOT_MEM_BAD)
			type = BOOT_MEM_RESERVED;
		boot_add_mem(bi, e.addr, e.size, type);
	}
	bi->acpi_rsdp = si.rsdp_paddr;
	return 0;
}
