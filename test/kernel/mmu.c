/*
 * mmu.c - in-kernel tests of the HAL's address spaces, with page tables
 * from the mm service: build one, map, look up, switch to it and use the
 * mapping, change protections, tear down, and find every page back.
 */
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/vm.h>



KTEST(hal, mmu_address_space)
{
	struct HalRange r = hal_mmu_user_range();
	struct mm_stats s0, s1;
	uint64_t va = r.lo + 0x200000, pa, got, old;
	uint32_t prot;
	void *kva;
	int64_t root;

	KEXPECT(t, r.lo < r.hi);
	KEXPECT_EQ(t, mm_get_stats(&s0), 0);
	root = hal_mmu_create(&vm_tables);
	KEXPECT(t, root > 0);
	if (root <= 0)
		return;
	KEXPECT_EQ(t, mm_page_alloc(1, &pa, &kva), 0);
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, va, pa, 8192,
				  HAL_PROT_READ | HAL_PROT_WRITE, &vm_tables), 0);
	/* refused, and nothing changed */
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, va + 4096, pa, 4096,
				  HAL_PROT_READ, &vm_tables), -AE_EEXIST);
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, r.hi, pa, 4096,
				  HAL_PROT_READ, &vm_tables), -AE_EFAULT);
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, r.lo - 4096, pa, 4096,
				  HAL_PROT_READ, &vm_tables), -AE_EFAULT);
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, va + 100, pa, 4096,
				  HAL_PROT_READ, &vm_tables), -AE_EINVAL);
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, va + 0x10000, pa, 4096,
				  HAL_PROT_READ | HAL_PROT_DEVICE |
				  HAL_PROT_EXEC, &vm_tables), -AE_EINVAL);
	KEXPECT_EQ(t, hal_mmu_query((uint64_t)root, va + 4096 + 8, &got,
				    &prot, &vm_tables), 0);
	KEXPECT_EQ(t, got, pa + 4096 + 8);
	KEXPECT_EQ(t, prot, HAL_PROT_READ | HAL_PROT_WRITE);
	KEXPECT_EQ(t, hal_mmu_query((uint64_t)root, va + 8192, &got, &prot,
				    &vm_tables), -AE_ENOENT);

	/* use it: a value written through the new mapping is in the frame */
	((volatile uint64_t *)kva)[512] = 0;
	old = hal_mmu_activate((uint64_t)root);
	((volatile uint64_t *)va)[512] = 0xa5a5f00dull;
	KEXPECT_EQ(t, hal_mmu_destroy((uint64_t)root, &vm_tables), -AE_EBUSY);
	hal_mmu_activate(old);
	KEXPECT_EQ(t, ((volatile uint64_t *)kva)[512], 0xa5a5f00dull);

	KEXPECT_EQ(t, hal_mmu_protect((uint64_t)root, va, 8192, HAL_PROT_READ,
				      &vm_tables), 0);
	KEXPECT_EQ(t, hal_mmu_query((uint64_t)root, va, &got, &prot, &vm_tables),
		   0);
	KEXPECT_EQ(t, prot, HAL_PROT_READ);
	KEXPECT_EQ(t, hal_mmu_protect((uint64_t)root, va, 3 * 4096,
				      HAL_PROT_READ | HAL_PROT_WRITE, &vm_tables),
		   -AE_ENOENT);
	KEXPECT_EQ(t, hal_mmu_query((uint64_t)root, va, &got, &prot, &vm_tables),
		   0);
	KEXPECT_EQ(t, prot, HAL_PROT_READ);

	KEXPECT_EQ(t, hal_mmu_unmap((uint64_t)root, va, &got, &vm_tables), 0);
	KEXPECT_EQ(t, got, pa);
	KEXPECT_EQ(t, hal_mmu_unmap((uint64_t)root, va + 4096, &got, &vm_tables),
		   0);
	KEXPECT_EQ(t, hal_mmu_unmap((uint64_t)root, va, &got, &vm_tables),
		   -AE_ENOENT);
	KEXPECT_EQ(t, hal_mmu_destroy((uint64_t)root, &vm_tables), 0);
	KEXPECT_EQ(t, mm_page_free(pa, 1), 0);
	KEXPECT_EQ(t, mm_get_stats(&s1), 0);
	KEXPECT_EQ(t, s1.free_pages, s0.free_pages);
}

/* The lower half is the user's alone (Linux programs are linked at
 * 4 MiB): the user range starts at HAL_USER_FLOOR on both arches; a new
 * address space maps nothing of the kernel there (not the boot page,
 * RAM or a device register 1:1), and its mapping at 4 MiB is used while
 * the kernel goes on reaching memory and devices (the console, the
 * interrupt controller) through the upper half. */
KTEST(hal, the_lower_half_is_the_users)
{
	struct HalRange r = hal_mmu_user_range();
	static const uint64_t low[] = { 0, 0x1000, 0x9f000, 0x100000,
					0x400000, 0x08000000, 0x09000000,
					0x40000000, 0x40200000, 0xfec00000,
					0xfee00000 };
	uint64_t va = 0x400000, pa, got, old;
	uint32_t prot;
	void *kva;
	int64_t root;

	KEXPECT_EQ(t, r.lo, (uint64_t)HAL_USER_FLOOR);
	KEXPECT(t, r.hi >= 1ull << 39);
	root = hal_mmu_create(&vm_tables);
	KEXPECT(t, root > 0);
	if (root <= 0)
		return;
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, HAL_USER_FLOOR - 4096, 0,
				  4096, HAL_PROT_READ, &vm_tables), -AE_EFAULT);
	KEXPECT_EQ(t, mm_page_alloc(1, &pa, &kva), 0);
	KEXPECT_EQ(t, hal_mmu_map((uint64_t)root, va, pa, 4096,
				  HAL_PROT_READ | HAL_PROT_WRITE, &vm_tables), 0);
	((volatile uint64_t *)kva)[3] = 0;
	old = hal_mmu_activate((uint64_t)root);
	((volatile uint64_t *)va)[3] = 0x5eed1e55ull;
	/* what the loaded space maps there, the kernel's view included */
	for (unsigned int i = 0; i < sizeof(low) / sizeof(low[0]); i++)
		KEXPECT_EQ(t, hal_mmu_lookup(low[i], &got, &prot),
			   low[i] == va ? 0 : -AE_ENOENT);
	/* printed with the user's space loaded: the console's registers are
	 * reached through the upper half */
	kprintf("ktest: hal: a user page at %#llx, the kernel's own below "
		"%#llx gone\n", (unsigned long long)va,
		(unsigned long long)r.lo);
	hal_mmu_activate(old);
	KEXPECT_EQ(t, ((volatile uint64_t *)kva)[3], 0x5eed1e55ull);
	KEXPECT_EQ(t, hal_mmu_unmap((uint64_t)root, va, &got, &vm_tables), 0);
	KEXPECT_EQ(t, hal_mmu_destroy((uint64_t)root, &vm_tables), 0);
	KEXPECT_EQ(t, mm_page_free(pa, 1), 0);
}

/* The mm service's address spaces: anonymous memory mapped, used,
 * re-protected, partly unmapped (the mapping splits), destroyed, and
 * every page back; bad requests refused with nothing changed. */
KTEST(mm, address_space_requests)
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t va = r.lo + 0x400000, root, pa, old;
	struct mm_stats s0, s1;
	struct mm_as_region g;
	uint32_t id, prot;

	KEXPECT_EQ(t, mm_get_stats(&s0), 0);
	KEXPECT_EQ(t, mm_as_create(&id, &root), 0);
	KEXPECT_EQ(t, mm_as_map(id, va, 4 * 4096,
				HAL_PROT_READ | HAL_PROT_WRITE), 0);
	KEXPECT_EQ(t, mm_as_map(id, va + 4096, 4096, HAL_PROT_READ),
		   -AE_EEXIST);
	KEXPECT_EQ(t, mm_as_map(id, r.hi, 4096, HAL_PROT_READ), -AE_EFAULT);
	KEXPECT_EQ(t, mm_as_map(id, va + 123, 4096, HAL_PROT_READ),
		   -AE_EINVAL);
	KEXPECT_EQ(t, mm_as_map(id, va + 0x100000, 4096, HAL_PROT_WRITE),
		   -AE_EINVAL);	/* not readable */
	/* W^X: mm refuses writable and executable, to map and to protect */
	KEXPECT_EQ(t, mm_as_map(id, va + 0x100000, 4096, HAL_PROT_READ |
				HAL_PROT_WRITE | HAL_PROT_EXEC), -AE_EINVAL);
	KEXPECT_EQ(t, mm_as_protect(id, va, 4096, HAL_PROT_READ |
				    HAL_PROT_WRITE | HAL_PROT_EXEC),
		   -AE_EINVAL);
	KEXPECT_EQ(t, mm_as_map(MM_AS_MAX + 1, va, 4096, HAL_PROT_READ),
		   -AE_EINVAL);
	KEXPECT_EQ(t, mm_as_query(id, va + 3 * 4096, &pa, &prot), 0);
	KEXPECT_EQ(t, prot, HAL_PROT_READ | HAL_PROT_WRITE);

	/* the pages are zeroed memory, usable in the space */
	old = hal_mmu_activate(root);
	KEXPECT_EQ(t, ((volatile uint64_t *)va)[100], 0);
	((volatile uint64_t *)va)[100] = 0x5eed;
	KEXPECT_EQ(t, mm_as_destroy(id), -AE_EBUSY);
	hal_mmu_activate(old);
	KEXPECT_EQ(t, mm_as_query(id, va, &pa, &prot), 0);
	KEXPECT_EQ(t, *(volatile uint64_t *)(uintptr_t)(pa + 800 +
			hal_direct_map().offset), 0x5eed);

	KEXPECT_EQ(t, mm_as_protect(id, va + 4096, 4096, HAL_PROT_READ), 0);
	KEXPECT_EQ(t, mm_as_query(id, va + 4096, &pa, &prot), 0);
	KEXPECT_EQ(t, prot, HAL_PROT_READ);
	KEXPECT_EQ(t, mm_as_query(id, va + 2 * 4096, &pa, &prot), 0);
	KEXPECT_EQ(t, prot, HAL_PROT_READ | HAL_PROT_WRITE);
	KEXPECT_EQ(t, mm_as_protect(id, va + 3 * 4096, 2 * 4096,
				    HAL_PROT_READ), -AE_ENOENT);
	KEXPECT_EQ(t, mm_as_unmap(id, va + 2 * 4096, 4096), 0);
	KEXPECT_EQ(t, mm_as_query(id, va + 2 * 4096, &pa, &prot),
		   -AE_ENOENT);
	KEXPECT_EQ(t, mm_as_query(id, va + 3 * 4096, &pa, &prot), 0);
	KEXPECT_EQ(t, mm_as_unmap(id, va + 2 * 4096, 4096), -AE_ENOENT);
	/* mm.as.next walks the mappings in address order: the one holding
	 * an address, or the next above it (/proc/PID/maps, munmap) */
	KEXPECT_EQ(t, mm_as_next(id, 0, &g), 0);
	KEXPECT_EQ(t, g.va, va);
	KEXPECT_EQ(t, g.len, 4096);
	KEXPECT_EQ(t, g.prot, HAL_PROT_READ | HAL_PROT_WRITE);
	KEXPECT_EQ(t, g.shared, 0);
	KEXPECT_EQ(t, mm_as_next(id, va + 100, &g), 0);
	KEXPECT_EQ(t, g.va, va);
	KEXPECT_EQ(t, mm_as_next(id, va + 4096, &g), 0);
	KEXPECT_EQ(t, g.va, va + 4096);
	KEXPECT_EQ(t, g.prot, HAL_PROT_READ);
	KEXPECT_EQ(t, mm_as_next(id, va + 2 * 4096, &g), 0);
	KEXPECT_EQ(t, g.va, va + 3 * 4096);
	KEXPECT_EQ(t, g.len, 4096);
	KEXPECT_EQ(t, mm_as_next(id, va + 4 * 4096, &g), -AE_ENOENT);
	KEXPECT_EQ(t, mm_as_next(MM_AS_MAX + 1, 0, &g), -AE_EINVAL);
	/* a mapping next to one of the same protection extends it (a
	 * Linux program's heap grows so): more pieces than there are
	 * region slots, then one unmap of them all */
	for (unsigned int k = 0; k < MM_AS_REGIONS + 8; k++)
		KEXPECT_EQ(t, mm_as_map(id, va + 0x200000 + k * 4096, 4096,
					HAL_PROT_READ | HAL_PROT_WRITE), 0);
	KEXPECT_EQ(t, mm_as_unmap(id, va + 0x200000,
				  (MM_AS_REGIONS + 8) * 4096), 0);
	KEXPECT_EQ(t, mm_as_destroy(id), 0);
	KEXPECT_EQ(t, mm_as_destroy(id), -AE_EINVAL);
	KEXPECT_EQ(t, mm_get_stats(&s1), 0);
	KEXPECT_EQ(t, s1.free_pages, s0.free_pages);
}
