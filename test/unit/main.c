/*
 * main.c - the host unit-test program: every Check suite of test/unit/.
 *
 * Each test file defines one suite_<name>() and is listed here. Run it
 * directly (build/host/test/unit/aegis-unit), or through `scons test`,
 * which runs it under ASan+UBSan and under valgrind.
 */
#include <stdlib.h>
#include <check.h>
#include <aegis/topics.h>
#include "unit.h"

/* The bus's tables grow from malloc here, as from kmalloc in the
 * kernel (bus_set_mem); a test may set its own. */
static void *mem_alloc(size_t n)
{
	return malloc(n);
}

static void mem_free(void *p, size_t n)
{
	(void)n;
	free(p);
}

const struct bus_mem_ops unit_host_mem = { mem_alloc, mem_free };

int main(void)
{
	SRunner *sr = srunner_create(suite_multiboot2());
	int failed;

	/* the kernel's contracts, as the kernel sets them before bus_init:
	 * every test's bus checks them (test_contract.c swaps its own) */
	if (bus_contracts_set(bus_contracts, bus_contracts_count))
		abort();
	bus_set_mem(&unit_host_mem);

	srunner_add_suite(sr, suite_pvh());
	srunner_add_suite(sr, suite_cpus());
	srunner_add_suite(sr, suite_balance());
	srunner_add_suite(sr, suite_linux_stack());
	srunner_add_suite(sr, suite_tmpfs());
	srunner_add_suite(sr, suite_spinlock());
	srunner_add_suite(sr, suite_fdt_boot());
	srunner_add_suite(sr, suite_boot_params());
	srunner_add_suite(sr, suite_format());
	srunner_add_suite(sr, suite_klib_string());
	srunner_add_suite(sr, suite_errno());
	srunner_add_suite(sr, suite_crng());
	srunner_add_suite(sr, suite_ldisc());
	srunner_add_suite(sr, suite_bus_topic());
	srunner_add_suite(sr, suite_bus());
	srunner_add_suite(sr, suite_bus_irq());
	srunner_add_suite(sr, suite_bus_trace());
	srunner_add_suite(sr, suite_service());
	srunner_add_suite(sr, suite_bus_route());
	srunner_add_suite(sr, suite_bus_wait());
	srunner_add_suite(sr, suite_bus_grant());
	srunner_add_suite(sr, suite_bus_contract());
	srunner_add_suite(sr, suite_bus_watch());
	srunner_add_suite(sr, suite_bus_guard());
	srunner_add_suite(sr, suite_bus_lineage());
	srunner_add_suite(sr, suite_bus_smp());
	srunner_add_suite(sr, suite_console_line());
	srunner_add_suite(sr, suite_logbuf());
	srunner_add_suite(sr, suite_mm_buddy());
	srunner_add_suite(sr, suite_mm_phys());
	srunner_add_suite(sr, suite_slab());
	srunner_add_suite(sr, suite_mm());
	srunner_add_suite(sr, suite_devtree());
	srunner_add_suite(sr, suite_devfs());
	srunner_add_suite(sr, suite_civil());
	srunner_add_suite(sr, suite_sysfs());
	srunner_add_suite(sr, suite_sched_core());
	srunner_add_suite(sr, suite_prof());
	srunner_add_suite(sr, suite_dump());
	srunner_add_suite(sr, suite_analyzer());
	srunner_add_suite(sr, suite_syscall_gate());
	srunner_add_suite(sr, suite_elf());
	srunner_add_suite(sr, suite_low_page());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
