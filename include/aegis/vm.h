/*
 * aegis/vm.h - the kernel's own address space (kernel/vm.c).
 */
#ifndef AEGIS_VM_H
#define AEGIS_VM_H

#include <aegis/types.h>

/*
 * vm_kernel_init - replace the boot page tables with the kernel's own
 * (hal_mmu_kernel_space): text read+execute, rodata read-only, data and
 * stack read+write and never executed, an unmapped guard page under the
 * boot stack, and the direct map never executable. Table pages come from
 * the mm service. Prints one line saying what was mapped, or why the
 * boot tables were kept. Returns 0 or the HAL's error. Boot, after the
 * mm service is up.
 */
int vm_kernel_init(void);

/* vm_tables - page-table pages from the mm service (mm.page.alloc and
 * mm.page.free), for the HAL's MMU calls. Not usable inside mm itself. */
struct HalPageAlloc;
extern const struct HalPageAlloc vm_tables;

/* vm_kernel_root - the kernel space's root table, 0 before. */
uint64_t vm_kernel_root(void);

#endif
