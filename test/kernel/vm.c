/*
 * vm.c - in-kernel tests of the kernel's own address space: each section
 * has its permissions, the guard page is unmapped, and (explicit tests,
 * run by the integration cases that expect the panic) a write to rodata
 * and a stack overflow are caught and reported.
 */
#include <aegis/errno.h>
#include <aegis/boot_info.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/vm.h>

extern char __stack_guard[];

static const char rodata_probe[] = "read-only";
static char data_probe[16] = "writable";

static uint32_t prot_of(const void *p, int *rc)
{
	uint64_t pa;
	uint32_t prot = 0;

	*rc = hal_mmu_lookup((uint64_t)(uintptr_t)p, &pa, &prot);
	return prot;
}

KTEST(vm, kernel_sections_have_their_permissions)
{
	int rc;
	uint32_t p;

	if (!vm_kernel_root()) {
		ktest_fail(t, __FILE__, __LINE__, "no kernel space");
		return;
	}
	p = prot_of((const void *)ktest_fail, &rc);
	KEXPECT_EQ(t, rc, 0);
	KEXPECT_EQ(t, p, HAL_PROT_READ | HAL_PROT_EXEC);
	p = prot_of(rodata_probe, &rc);
	KEXPECT_EQ(t, rc, 0);
	KEXPECT_EQ(t, p, HAL_PROT_READ);
	p = prot_of(data_probe, &rc);
	KEXPECT_EQ(t, rc, 0);
	KEXPECT_EQ(t, p, HAL_PROT_READ | HAL_PROT_WRITE);
	p = prot_of(&p, &rc);		/* the stack */
	KEXPECT_EQ(t, rc, 0);
	KEXPECT_EQ(t, p, HAL_PROT_READ | HAL_PROT_WRITE);
	prot_of(__stack_guard, &rc);
	KEXPECT_EQ(t, rc, -AE_ENOENT);
	prot_of(__stack_guard + 4095, &rc);
	KEXPECT_EQ(t, rc, -AE_ENOENT);
	/* the direct map: data, never code */
	p = prot_of((const void *)(uintptr_t)0x100000 +
		    hal_direct_map().offset, &rc);
	KEXPECT_EQ(t, rc, 0);
	KEXPECT(t, !(p & HAL_PROT_EXEC));
	data_probe[0] = 'W';		/* and it is really writable */
	KEXPECT_EQ(t, data_probe[0], 'W');
}

extern char __kernel_end[];

KTEST(vm, null_page_and_aliases)
{
	const struct boot_info *bi = kernel_boot_info();
	uint64_t text_pa, off = hal_direct_map().offset;
	int rc;
	uint32_t p;

	/* a null pointer faults */
	prot_of((const void *)0, &rc);
	KEXPECT_EQ(t, rc, -AE_ENOENT);
	prot_of((const void *)4095, &rc);
	KEXPECT_EQ(t, rc, -AE_ENOENT);
	/* the text through its other address: never writable or (on
	 * x86_64, where that is the direct map) executable; on AArch64 the
	 * low half has no RAM at all */
	text_pa = (uint64_t)(uintptr_t)ktest_fail -
		  ((uint64_t)(uintptr_t)__kernel_end - bi->kernel_end);
	p = prot_of((const void *)(uintptr_t)text_pa, &rc);
	if (off == 0) {
		KEXPECT_EQ(t, rc, 0);
		KEXPECT_EQ(t, p, HAL_PROT_READ);
	} else {
		KEXPECT_EQ(t, rc, -AE_ENOENT);
	}
	/* RAM in the direct map is normal memory */
	p = prot_of((const void *)(uintptr_t)(bi->kernel_end + off + 8192),
		    &rc);
	KEXPECT_EQ(t, rc, 0);
	KEXPECT(t, !(p & HAL_PROT_DEVICE));
}

/* Explicit: the write must fault (integration case rodata-write). */
KTEST_EXPLICIT(vm, write_rodata)
{
	volatile char *p = (volatile char *)(uintptr_t)rodata_probe;

	kprintf("ktest: vm.write_rodata: writing to %p\n", (const void *)p);
	p[0] = 'X';
	ktest_fail(t, __FILE__, __LINE__, "the write to rodata went through");
}

static volatile uint64_t depth_reached;
static volatile uint64_t depth_limit = ~0ull;	/* never reached */

/* Recursion the compiler cannot see the end of (the limit is volatile),
 * each frame holding 3000 bytes: the frame that faults starts deep in
 * the guard page, not just at its top. */
static uint64_t recurse(uint64_t n)
{
	volatile uint8_t frame[3000];

	frame[0] = (uint8_t)n;
	depth_reached = n;
	if (n >= depth_limit)
		return frame[0];
	return recurse(n + 1) + frame[0];
}

/* Explicit: the boot stack overflows into its guard page (integration
 * case stack-overflow). */
KTEST_EXPLICIT(vm, stack_overflow)
{
	kprintf("ktest: vm.stack_overflow: recursing\n");
	recurse(0);
	ktest_fail(t, __FILE__, __LINE__, "recursion returned");
}
