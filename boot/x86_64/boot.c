/*
 * boot.c - x86_64: from the entry stub to kmain.
 *
 * Turns whichever boot block the loader gave (multiboot2 or PVH) into
 * struct boot_info. entry.S maps the low 4 GiB at the direct map's
 * offset (hal_direct_map), so a physical address below 4 GiB is reached
 * there; anything above is out of reach for now and reported as
 * malformed boot data.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>

#define IDENTITY_LIMIT (1ull << 32)

void boot_x86_64(uint32_t magic, uint64_t info_pa);
void boot_trap_x86(uint64_t vector, uint64_t error, uint64_t rip,
		   uint64_t cr2);

static struct boot_info bi;

/* The platform device tree (platform.dts), linked in by platform_dtb.S;
 * the image is linked KERNEL_VMA above where it is loaded. */
extern const char x86_platform_dtb[], x86_platform_dtb_end[];
#define KERNEL_VMA	0xffffffff80000000ull
/* hvm_start_info, version 1 (pvh_parse reads 56 bytes of it) */
#define PVH_START_INFO_SIZE	56

/* What the platform tree tells the HAL: the I/O APIC and the console's
 * interrupt (its GSI). */
static void platform_to_hal(void)
{
	const char *why = "no reason given";
	size_t size = (size_t)(x86_platform_dtb_end - x86_platform_dtb);
	struct HalPlatform hp = { 0 };

	if (fdt_platform_parse(&bi, x86_platform_dtb, size,
			       (paddr_t)((uintptr_t)x86_platform_dtb -
					 KERNEL_VMA), &why))
		panic("boot: the built-in platform device tree is bad: %s",
		      why);
	if (strcmp(bi.intc_compat, "intel,ioapic") == 0) {
		hp.intc_kind = 1;
		hp.intc_base = bi.intc_base;
	}
	hp.uart_irq = bi.uart_intid;
	if (hal_set_platform(&hp))
		kprintf("boot: the HAL refused the platform description\n");
}


extern char __kernel_phys_start[], __kernel_end[];

paddr_t boot_kernel_phys(void)
{
	return (paddr_t)(uintptr_t)__kernel_phys_start;
}

static const void *map_low(paddr_t pa, uint64_t len, void *ctx)
{
	(void)ctx;
	if (pa == 0 || len > IDENTITY_LIMIT || pa > IDENTITY_LIMIT - len)
		return NULL;
	return (const void *)(uintptr_t)(pa + hal_direct_map().offset);
}

/*
 * The page the other CPUs start from (hal_cpu_start_page): below 640 KiB,
 * where a start-up IPI can name it, in RAM the memory map calls usable
 * and that holds no boot data, the boot block at info_pa included (its
 * copy of the ACPI RSDP is read after boot). Without one the other CPUs
 * stay off.
 */
static void cpu_start_page(uint64_t info_pa, uint64_t info_len)
{
	paddr_t pa = boot_free_low_page(&bi, 0x1000, 0xa0000, info_pa,
					info_len);

	if (!pa || hal_cpu_start_page(pa))
		kprintf("boot: no free page below 640 KiB to start other "
			"CPUs from\n");
}

void boot_x86_64(uint32_t magic, uint64_t info_pa)
{
	const char *why = "no reason given";
	const uint32_t *hdr = NULL;
	int rc;

	hal_console_init(0);
	hal_cpu_init();
	switch (magic) {
	case MB2_BOOTLOADER_MAGIC:
		hdr = map_low(info_pa, 8, NULL);
		if (!hdr)
			panic("boot: multiboot2 info block missing or out of "
			      "reach (at %#llx)", (unsigned long long)info_pa);
		if (hdr[0] > MB2_INFO_MAX || !map_low(info_pa, hdr[0], NULL))
			panic("boot: multiboot2 info block size %u out of "
			      "range", hdr[0]);
		rc = mb2_parse(&bi, hdr, hdr[0], info_pa, &why);
		break;
	case PVH_START_MAGIC:
		rc = pvh_parse(&bi, map_low(info_pa, PVH_START_INFO_SIZE,
					     NULL), map_low, NULL, &why);
		break;
	default:
		panic("boot: unknown boot magic %#x", magic);
	}
	ksnprintf(bi.entry_mode, sizeof(bi.entry_mode),
		  "32-bit protected mode, now long mode");
	if (rc)
		panic("boot: malformed %s boot data: %s",
		      magic == PVH_START_MAGIC ? "PVH" : "multiboot2", why);
	bi.kernel_start = (paddr_t)(uintptr_t)__kernel_phys_start;
	bi.kernel_end = (paddr_t)((uintptr_t)__kernel_end - KERNEL_VMA);
	cpu_start_page(info_pa, hdr ? hdr[0] : PVH_START_INFO_SIZE);
	platform_to_hal();
	kmain(&bi);
}

void boot_trap_x86(uint64_t vector, uint64_t error, uint64_t rip,
		   uint64_t cr2)
{
	static const char *const names[32] = {
		"divide error", "debug", "NMI", "breakpoint", "overflow",
		"bound range", "invalid opcode", "device not available",
		"double fault", "coprocessor overrun", "invalid TSS",
		"segment not present", "stack fault", "general protection",
		"page fault", "reserved", "x87 FP error", "alignment check",
		"machine check", "SIMD FP error", "virtualization",
		"control protection",
	};
	const char *name = vector < 32 && names[vector] ? names[vector]
							: "reserved";

	panic("trap: unexpected %s (vector %llu) at rip %#llx, error %#llx, "
	      "cr2 %#llx", name, (unsigned long long)vector,
	      (unsigned long long)rip, (unsigned long long)error,
	      (unsigned long long)cr2);
}
