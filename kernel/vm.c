/*
 * vm.c - the kernel's own address space, built once at boot from the
 * linker's section symbols and the boot info's physical image range.
 *
 * Both linker scripts (boot/<arch>/kernel.ld) define the same symbols:
 * __text_start, __rodata_start, __data_start (each section starts on a
 * page), __stack_guard (a page left unmapped under the boot stack) and
 * __kernel_end. The image's VA minus PA is the same for every byte of it
 * (x86_64: the top 2 GiB; AArch64: identity), so the end of the image
 * gives it.
 */
#include <aegis/boot_info.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/vm.h>

extern char __text_start[], __rodata_start[], __data_start[];
extern char __stack_guard[], __kernel_end[];

#define PAGE 4096ull

static uint64_t kernel_root;

static uint64_t table_alloc(void *ctx)
{
	uint64_t pa;
	void *va;

	(void)ctx;
	return mm_page_alloc(0, &pa, &va) ? 0 : pa;
}

static void table_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	mm_page_free(pa, 0);
}

const struct HalPageAlloc vm_tables = { table_alloc, table_free, NULL };

static uint64_t va(const char *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* RAM for the memory types: the map's usable, ACPI and NVS regions,
 * merged where they touch, at most 16 ranges (more: the last range grows
 * to cover the rest, which only makes a hole between them cached). */
static void ram_ranges(const struct boot_info *bi, struct HalKernelLayout *l)
{
	l->nram = 0;
	for (uint32_t i = 0; i < bi->nmem && i < BOOT_MEM_MAX; i++) {
		const struct boot_mem_region *m = &bi->mem[i];
		uint64_t lo = m->base, hi = m->base + m->len;
		uint32_t k;

		if (m->type != BOOT_MEM_USABLE && m->type != BOOT_MEM_ACPI &&
		    m->type != BOOT_MEM_NVS)
			continue;
		if (hi < lo)
			hi = UINT64_MAX;
		for (k = 0; k < l->nram; k++) {
			struct HalRange *r = &l->ram[k];

			if (lo <= r->hi && r->lo <= hi) {
				if (lo < r->lo)
					r->lo = lo;
				if (hi > r->hi)
					r->hi = hi;
				break;
			}
		}
		if (k < l->nram)
			continue;
		if (l->nram == 16) {
			struct HalRange *r = &l->ram[15];

			r->lo = lo < r->lo ? lo : r->lo;
			r->hi = hi > r->hi ? hi : r->hi;
			continue;
		}
		l->ram[l->nram].lo = lo;
		l->ram[l->nram].hi = hi;
		l->nram++;
	}
}

int vm_kernel_init(void)
{
	const struct boot_info *bi = kernel_boot_info();
	struct HalKernelLayout l;
	int64_t root;

	if (!bi || bi->kernel_end <= bi->kernel_start) {
		kprintf("vm: kept the boot page tables: no physical range "
			"for the kernel image\n");
		return -AE_ENODEV;
	}
	l.text.lo = va(__text_start) & ~(PAGE - 1);
	l.text.hi = va(__rodata_start);
	l.rodata.lo = va(__rodata_start);
	l.rodata.hi = va(__data_start);
	l.data.lo = va(__data_start);
	l.data.hi = va(__stack_guard);
	l.guard.lo = va(__stack_guard);
	l.guard.hi = va(__stack_guard) + PAGE;
	l.stack.lo = l.guard.hi;
	l.stack.hi = va(__kernel_end);
	l.image_pa.lo = bi->kernel_start & ~(PAGE - 1);
	l.image_pa.hi = (bi->kernel_end + PAGE - 1) & ~(PAGE - 1);
	l.va_minus_pa = va(__kernel_end) - bi->kernel_end;
	l.pad = 0;
	ram_ranges(bi, &l);
	root = hal_mmu_kernel_space(&l, &vm_tables);
	if (root < 0) {
		kprintf("vm: kept the boot page tables: %s\n",
			errno_desc((int)root));
		return (int)root;
	}
	kernel_root = (uint64_t)root;
	klog(KLOG_INFO, "vm: kernel space: text r-x %#llx %llu KiB, rodata "
	     "r-- %llu KiB, data rw- %llu KiB, stack rw- %llu KiB over a "
	     "guard page at %#llx; direct map rw- never executable, %u RAM "
	     "ranges cached, the rest device memory\n",
	     (unsigned long long)l.text.lo,
	     (unsigned long long)(l.text.hi - l.text.lo) / 1024,
	     (unsigned long long)(l.rodata.hi - l.rodata.lo) / 1024,
	     (unsigned long long)(l.data.hi - l.data.lo) / 1024,
	     (unsigned long long)(l.stack.hi - l.stack.lo) / 1024,
	     (unsigned long long)l.guard.lo, l.nram);
	return 0;
}

uint64_t vm_kernel_root(void)
{
	return kernel_root;
}
