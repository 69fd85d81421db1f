/*
 * boot.c - in-kernel tests of what the boot path handed over: run on every
 * boot path, they check that struct boot_info is consistent with itself
 * and with the command line the test runner passed.
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/kernel.h>
#include <aegis/ktest.h>

KTEST(boot, memory_map_sane)
{
	const struct boot_info *bi = kernel_boot_info();

	KEXPECT(t, bi->nmem > 0);
	KEXPECT(t, boot_info_usable_bytes(bi) >= (16u << 20));
	for (uint32_t i = 0; i < bi->nmem; i++) {
		KEXPECT(t, bi->mem[i].len > 0);
		KEXPECT(t, bi->mem[i].base + bi->mem[i].len > bi->mem[i].base);
	}
}

KTEST(boot, cmdline_holds_ktest)
{
	/* We only run because ktest= was on the command line. */
	KEXPECT(t, strstr(kernel_boot_info()->cmdline, "ktest=") != 0);
}

KTEST(boot, kernel_inside_usable_memory)
{
	const struct boot_info *bi = kernel_boot_info();
	paddr_t here = boot_kernel_phys();
	bool found = false;

	for (uint32_t i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE &&
		    here >= bi->mem[i].base &&
		    here - bi->mem[i].base < bi->mem[i].len)
			found = true;
	KEXPECT(t, found);
}

KTEST(boot, modules_inside_memory)
{
	const struct boot_info *bi = kernel_boot_info();

	for (uint32_t i = 0; i < bi->nmod; i++) {
		KEXPECT(t, bi->mod[i].len > 0);
		KEXPECT(t, bi->mod[i].base != 0);
	}
}
