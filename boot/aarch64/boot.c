/*
 * boot.c - AArch64: from the entry stub to kmain.
 *
 * The device tree is the only boot data: it names the memory, the command
 * line, the initrd, the console UART and the PSCI conduit. Its console is
 * needed to report its own faults, so when the tree is broken the early
 * console falls back to QEMU virt's PL011 and the reason is printed.
 */
#include <string.h>
#include <libfdt.h>
#include <aegis/boot_info.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>

#define FALLBACK_UART	0x09000000ull	/* QEMU virt PL011 */
#define DTB_MAX_SIZE	(2u << 20)	/* as the arm64 boot protocol says */
#define MAPPED_LIMIT	(4ull << 30)	/* what entry.S maps */
#define DEVICE_LIMIT	(1ull << 30)	/* entry.S maps devices below 1 GiB */

static bool console_up;

void boot_aarch64(uint64_t dtb_pa, uint64_t entry_el);
void boot_trap(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);

static struct boot_info bi;

/* The image runs at __kernel_vma (kernel.ld) + its physical address. */
extern char __kernel_start[], __kernel_end[], __kernel_vma[];

static paddr_t phys_of(const char *p)
{
	return (paddr_t)((uintptr_t)p - (uintptr_t)__kernel_vma);
}

paddr_t boot_kernel_phys(void)
{
	return phys_of(__kernel_start);
}

/* The early console drives a PL011 only. */
static bool is_pl011(const char *compat)
{
	return strncmp(compat, "arm,pl011", 9) == 0;
}

void boot_aarch64(uint64_t dtb_pa, uint64_t entry_el)
{
	const char *why = "no reason given";
	/* through the direct map (the boot tables map the low 4 GiB there
	 * too): what boot_info keeps pointing into it stays reachable when
	 * TTBR0 holds a user's space */
	const void *fdt = (const void *)(uintptr_t)(dtb_pa +
						   hal_direct_map().offset);
	size_t avail = 0;
	uint64_t uart;
	int rc;

	if (dtb_pa && dtb_pa < MAPPED_LIMIT - DTB_MAX_SIZE) {
		avail = DTB_MAX_SIZE;
		rc = fdt_boot_parse(&bi, fdt, avail, dtb_pa, &why);
	} else {
		why = "x0 holds no device-tree address below 4 GiB";
		rc = -AE_EBADMSG;
	}
	uart = bi.uart_base;
	/* Only a PL011 inside the mapped device window can be driven. */
	if (rc || !uart || !is_pl011(bi.uart_compat) ||
	    uart >= DEVICE_LIMIT || (uart & 0xfff))
		uart = FALLBACK_UART;
	hal_console_init(uart);
	console_up = true;
	hal_cpu_init();
	if (rc)
		panic("boot: bad device tree at %#llx: %s",
		      (unsigned long long)dtb_pa, why);
	if (uart != bi.uart_base)
		kprintf("boot: stdout-path gives no usable PL011 (%#llx); "
			"using %#llx\n", (unsigned long long)bi.uart_base,
			(unsigned long long)uart);
	bi.kernel_start = phys_of(__kernel_start);
	bi.kernel_end = phys_of(__kernel_end);
	ksnprintf(bi.entry_mode, sizeof(bi.entry_mode), "EL%llu%s",
		  (unsigned long long)entry_el,
		  entry_el == 2 ? ", dropped to EL1" : "");
	{
		struct HalPlatform hp = {
			.intc_kind = strcmp(bi.intc_compat, "arm,gic-v3") == 0 ? 3
				   : (strcmp(bi.intc_compat,
					     "arm,cortex-a15-gic") == 0 ||
				      strcmp(bi.intc_compat, "arm,gic-400") == 0)
					     ? 2 : 0,
			.psci = strcmp(bi.psci_method, "hvc") == 0 ? 1
			      : strcmp(bi.psci_method, "smc") == 0 ? 2 : 0,
			.intc_base = bi.intc_base,
			.intc_base2 = bi.intc_base2,
			.timer_intid = bi.timer_intid,
			/* the fallback UART's interrupt is unknown */
			.uart_irq = uart == bi.uart_base ? bi.uart_intid : 0,
		};

		if (hal_set_platform(&hp))
			kprintf("boot: the HAL refused the platform "
				"description\n");
	}
	kmain(&bi);
}

void boot_trap(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	static const char *const from[] = {
		"EL1t", "EL1h", "EL0/64", "EL0/32",
	};
	static const char *const what[] = {
		"synchronous", "IRQ", "FIQ", "SError",
	};

	/* A fault before (or while) the console came up: report it on the
	 * fallback UART rather than hang in silence. */
	if (!console_up) {
		console_up = true;
		hal_console_init(FALLBACK_UART);
	}
	panic("trap: unexpected %s exception from %s: ESR %#llx ELR %#llx "
	      "FAR %#llx", what[kind & 3], from[(kind >> 2) & 3],
	      (unsigned long long)esr, (unsigned long long)elr,
	      (unsigned long long)far);
}
