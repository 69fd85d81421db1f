/*
 * aegis/boot_info.h - what every boot path hands to kmain().
 *
 * boot/x86_64 fills it from a multiboot2 information block (GRUB, BIOS or
 * UEFI) or a PVH start-info block (direct boot); boot/aarch64 fills it from
 * the flattened device tree in x0. After kmain() starts, nothing else reads
 * the firmware's structures: the rest of the kernel sees only this.
 *
 * The parsers below are pure functions over memory they are given, so host
 * unit tests feed them crafted (and malformed) buffers. Physical addresses
 * found inside boot data are turned into pointers by a map callback, which
 * returns NULL for a range the caller cannot reach; the parsers treat that
 * as malformed data, never dereference it.
 */
#ifndef AEGIS_BOOT_INFO_H
#define AEGIS_BOOT_INFO_H

#include <aegis/types.h>

#define BOOT_CMDLINE_MAX	1024
#define BOOT_MEM_MAX		64
#define BOOT_MOD_MAX		16
#define BOOT_NAME_MAX		64

enum boot_proto {
	BOOT_PROTO_NONE = 0,
	BOOT_PROTO_MULTIBOOT2,	/* GRUB, x86_64 */
	BOOT_PROTO_PVH,		/* direct boot by the VMM, x86_64 */
	BOOT_PROTO_FDT,		/* arm64 Image + device tree */
};

enum boot_firmware {
	BOOT_FW_UNKNOWN = 0,
	BOOT_FW_BIOS,
	BOOT_FW_UEFI,
	BOOT_FW_NONE,		/* started by the VMM, no firmware */
};

/* Memory region types (the multiboot2/e820 numbering). */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	paddr_t base;
	uint64_t len;
	uint32_t type;		/* enum boot_mem_type */
};

struct boot_module {
	paddr_t base;
	uint64_t len;
	char name[BOOT_NAME_MAX];	/* module string; may be empty */
};

struct boot_info {
	enum boot_proto proto;
	enum boot_firmware firmware;
	char loader[BOOT_NAME_MAX];	/* boot loader name, if given */
	char entry_mode[48];		/* CPU mode at entry, set by boot/ */
	char cmdline[BOOT_CMDLINE_MAX];
	uint32_t nmem;
	struct boot_mem_region mem[BOOT_MEM_MAX];
	uint32_t nmod;
	struct boot_module mod[BOOT_MOD_MAX];
	paddr_t dtb;			/* device-tree blob, 0 if none */
	uint32_t dtb_size;
	paddr_t acpi_rsdp;		/* 0 if none */
	/* From the device tree (x86_64: the platform tree in the image):
	 * console UART, interrupt controller, timer, PSCI conduit */
	paddr_t uart_base;
	char uart_compat[32];
	char psci_method[8];		/* "hvc", "smc" or "" */
	char intc_compat[32];		/* the root interrupt controller */
	paddr_t intc_base;		/* GIC distributor */
	paddr_t intc_base2;		/* GICv2 CPU interface / GICv3 redist. */
	uint32_t timer_intid;		/* virtual generic timer, 0 if none */
	uint32_t uart_intid;		/* console UART's interrupt, 0 if none */
	/* The kernel image in physical memory (set by boot/): the mm
	 * service never hands these frames out. */
	paddr_t kernel_start, kernel_end;
	/* Non-fatal oddities found while parsing ("mmap entry 3 truncated") */
	uint32_t nwarn;
	char warn[4][96];
};

/*
 * boot_map_fn - make [pa, pa+len) readable; return its address or NULL if
 * the range is out of reach. ctx is the caller's.
 */
typedef const void *(*boot_map_fn)(paddr_t pa, uint64_t len, void *ctx);

#define MB2_BOOTLOADER_MAGIC	0x36d76289u
#define MB2_INFO_MAX		(1u << 20)	/* sane bound on the block */
#define PVH_START_MAGIC		0x336ec578u

/*
 * mb2_parse - fill bi from a multiboot2 information block.
 * @mbi: the block, already mapped; @avail: bytes readable at mbi (the
 *       parser never reads past it, even if total_size claims more);
 * @mbi_pa: its physical address (for the ACPI RSDP copy inside it).
 * Returns 0, or -EBADMSG with *why set to a one-line reason when the
 * block is malformed (bad total size, misaligned or overlong tag, missing
 * end tag, unterminated string, bad memory map entry size). On error bi
 * holds what was parsed before the fault and must not be trusted.
 * Unknown tag types are skipped, as the specification says.
 */
int mb2_parse(struct boot_info *bi, const void *mbi, size_t avail,
	      paddr_t mbi_pa, const char **why);

/*
 * pvh_parse - fill bi from a PVH hvm_start_info block (version 0 or 1)
 * at start (mapped, sizeof(struct) readable). Module list, command line
 * and memory map are reached through map. Returns 0, or -EBADMSG with
 * *why set (bad magic, version 0, unmappable list or string, module name
 * not terminated, ...). A command line longer than BOOT_CMDLINE_MAX - 1
 * is truncated with a warning.
 */
int pvh_parse(struct boot_info *bi, const void *start, boot_map_fn map,
	      void *ctx, const char **why);

/*
 * fdt_boot_parse - fill bi from a flattened device tree: /memory nodes
 * (reg, with the root's #address-cells/#size-cells), /chosen bootargs,
 * linux,initrd-start/-end (32- or 64-bit), stdout-path's UART, /psci
 * method. @avail bounds the blob. Returns 0, or -EBADMSG with *why set
 * (bad header, totalsize beyond avail, no memory node, malformed reg,
 * initrd end before start, ...).
 */
int fdt_boot_parse(struct boot_info *bi, const void *fdt, size_t avail,
		   paddr_t fdt_pa, const char **why);

/*
 * fdt_platform_parse - add what a platform device tree says about the
 * console UART (stdout-path: reg, compatible, interrupt) and the root
 * interrupt controller to bi, leaving memory, command line and modules
 * as the boot protocol gave them (x86_64: the tree linked into the
 * kernel). Returns 0, or -EBADMSG with *why (bad header, totalsize beyond
 * avail); oddities are warnings in bi.
 */
int fdt_platform_parse(struct boot_info *bi, const void *fdt, size_t avail,
		       paddr_t fdt_pa, const char **why);

/* fdt_interrupt_parent - the node whose #interrupt-cells reads node's
 * interrupts (devicetree specification 2.4.1), or a negative libfdt
 * error. The blob must have passed fdt_check_header. */
int fdt_interrupt_parent(const void *fdt, int node);

/* Helpers the parsers share (kernel/bootinfo/common.c). */
void boot_info_init(struct boot_info *bi, enum boot_proto proto);
/* boot_warn - record a non-fatal oddity (kept: the first 4). */
void boot_warn(struct boot_info *bi, const char *fmt, ...) __printf(2, 3);
/* boot_add_mem - append a region; one past BOOT_MEM_MAX is a warning. */
void boot_add_mem(struct boot_info *bi, paddr_t base, uint64_t len,
		  uint32_t type);
/* boot_add_module - append a module; name may be NULL. */
void boot_add_module(struct boot_info *bi, paddr_t base, uint64_t len,
		     const char *name, size_t namemax);
/*
 * boot_copy_str - copy a string of at most srcmax bytes into dst (dstsize
 * bytes). Returns -EBADMSG if src has no NUL within srcmax, 1 if it was
 * truncated to fit, 0 otherwise.
 */
int boot_copy_str(char *dst, size_t dstsize, const char *src, size_t srcmax);

/* boot_info_usable_bytes - sum of usable memory regions. */
uint64_t boot_info_usable_bytes(const struct boot_info *bi);

/*
 * boot_free_low_page - the highest 4 KiB page in [lo, hi) (lo rounded up,
 * never page 0) that one usable region of bi's memory map holds whole,
 * that no region of another type overlaps, and that holds none of the
 * boot data the kernel still reads after boot (modules, the device tree,
 * the ACPI RSDP, the kernel image) nor [avoid, avoid + avoid_len) (the
 * boot block, say); 0 if there is none. x86_64 takes the page for the
 * other CPUs' start code from it.
 */
paddr_t boot_free_low_page(const struct boot_info *bi, paddr_t lo,
			   paddr_t hi, paddr_t avoid, uint64_t avoid_len);

/* boot_proto_name, boot_firmware_name - printable names. */
const char *boot_proto_name(enum boot_proto p);
const char *boot_firmware_name(enum boot_firmware f);

/* boot_kernel_phys - where the kernel image starts in physical memory
 * (provided by boot/<arch>/). */
paddr_t boot_kernel_phys(void);

/* boot_info_print - the boot summary on the console (kmain). */
void boot_info_print(const struct boot_info *bi);

#endif
