/*
 * print.c - the boot summary kmain prints: one line per fact, each
 * starting with "boot:" so tests and people can grep for it.
 */
#include <aegis/boot_info.h>
#include <aegis/kprintf.h>

static const char *mem_type_name(uint32_t t)
{
	static const char *const names[] = {
		"?", "usable", "reserved", "acpi", "nvs", "bad",
	};

	return t < ARRAY_SIZE(names) ? names[t] : "?";
}

static const char *size_text(char *buf, size_t n, uint64_t b)
{
	if (b >= (1ull << 30) && b % (1ull << 30) == 0)
		ksnprintf(buf, n, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= (1ull << 20))
		ksnprintf(buf, n, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 1024)
		ksnprintf(buf, n, "%llu KiB", (unsigned long long)(b >> 10));
	else
		ksnprintf(buf, n, "%llu B", (unsigned long long)b);
	return buf;
}

/* Facts at KLOG_INFO; each memory region at KLOG_DEBUG (loglevel=7). */
void boot_info_print(const struct boot_info *bi)
{
	char sz[24];

	klog(KLOG_INFO, "boot: protocol %s, firmware %s, loader \"%s\"\n",
		boot_proto_name(bi->proto), boot_firmware_name(bi->firmware),
		bi->loader[0] ? bi->loader : "-");
	if (bi->entry_mode[0])
		klog(KLOG_INFO, "boot: entered in %s\n", bi->entry_mode);
	klog(KLOG_INFO, "boot: cmdline \"%s\"\n", bi->cmdline);
	for (uint32_t i = 0; i < bi->nmem; i++) {
		const struct boot_mem_region *m = &bi->mem[i];

		klog(KLOG_DEBUG, "boot: mem 0x%016llx-0x%016llx %-8s %s\n",
		     (unsigned long long)m->base,
		     (unsigned long long)(m->base + m->len - 1),
		     mem_type_name(m->type), size_text(sz, sizeof(sz), m->len));
	}
	klog(KLOG_INFO, "boot: memory %s usable in %u regions\n",
	     size_text(sz, sizeof(sz), boot_info_usable_bytes(bi)), bi->nmem);
	for (uint32_t i = 0; i < bi->nmod; i++)
		klog(KLOG_INFO, "boot: module %u \"%s\" at %#llx, %llu bytes\n", i,
			bi->mod[i].name, (unsigned long long)bi->mod[i].base,
			(unsigned long long)bi->mod[i].len);
	if (bi->kernel_end > bi->kernel_start)
		klog(KLOG_INFO, "boot: kernel image at %#llx-%#llx, %llu KiB\n",
		     (unsigned long long)bi->kernel_start,
		     (unsigned long long)bi->kernel_end - 1,
		     (unsigned long long)(bi->kernel_end - bi->kernel_start) /
			     1024);
	if (bi->dtb)
		klog(KLOG_INFO, "boot: device tree at %#llx, %u bytes\n",
			(unsigned long long)bi->dtb, bi->dtb_size);
	if (bi->acpi_rsdp)
		klog(KLOG_INFO, "boot: acpi rsdp at %#llx\n",
			(unsigned long long)bi->acpi_rsdp);
	if (bi->uart_base && bi->uart_intid)
		klog(KLOG_INFO, "boot: console %s at %#llx, interrupt %u\n",
			bi->uart_compat[0] ? bi->uart_compat : "uart",
			(unsigned long long)bi->uart_base, bi->uart_intid);
	else if (bi->uart_base)
		klog(KLOG_INFO, "boot: console %s at %#llx\n",
			bi->uart_compat[0] ? bi->uart_compat : "uart",
			(unsigned long long)bi->uart_base);
	if (bi->intc_compat[0])
		klog(KLOG_INFO, "boot: interrupt controller %s at %#llx\n",
		     bi->intc_compat, (unsigned long long)bi->intc_base);
	if (bi->timer_intid)
		klog(KLOG_INFO, "boot: timer interrupt %u\n", bi->timer_intid);
	if (bi->psci_method[0])
		klog(KLOG_INFO, "boot: psci via %s\n", bi->psci_method);
	for (uint32_t i = 0; i < bi->nwarn && i < ARRAY_SIZE(bi->warn); i++)
		klog(KLOG_WARN, "boot: warning: %s\n", bi->warn[i]);
	if (bi->nwarn > ARRAY_SIZE(bi->warn))
		klog(KLOG_WARN, "boot: warning: %u more not kept\n",
			bi->nwarn - (uint32_t)ARRAY_SIZE(bi->warn));
}
