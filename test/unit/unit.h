/* unit.h - the suites of the host unit-test program (test/unit/main.c). */
#ifndef AEGIS_TEST_UNIT_H
#define AEGIS_TEST_UNIT_H

#include <check.h>

/* main.c: the allocator the bus's tables grow from in every test (a
 * test that sets another puts this one back: under valgrind the tests
 * share one process). */
struct bus_mem_ops;
extern const struct bus_mem_ops unit_host_mem;

Suite *suite_multiboot2(void);	/* kernel/test_multiboot2.c */
Suite *suite_spinlock(void);	/* kernel/lib/test_spinlock.c */
Suite *suite_cpus(void);		/* kernel/lib/test_cpus.c */
Suite *suite_balance(void);	/* kernel/lib/test_balance.c */
Suite *suite_linux_stack(void);	/* kernel/lib/test_linux_stack.c */
Suite *suite_tmpfs(void);	/* kernel/lib/test_tmpfs.c */
Suite *suite_pvh(void);		/* kernel/test_pvh.c */
Suite *suite_fdt_boot(void);	/* kernel/test_fdt_boot.c */
Suite *suite_boot_params(void);	/* kernel/test_boot_params.c */
Suite *suite_format(void);	/* kernel/lib/test_format.c */
Suite *suite_klib_string(void);	/* kernel/lib/test_string.c */
Suite *suite_errno(void);	/* kernel/lib/test_errno.c */
Suite *suite_crng(void);	/* kernel/lib/test_crng.c */
Suite *suite_ldisc(void);	/* kernel/lib/test_ldisc.c */
Suite *suite_bus_topic(void);	/* bus/test_topic.c */
Suite *suite_bus(void);		/* bus/test_bus.c */
Suite *suite_bus_irq(void);	/* bus/test_irq.c */
Suite *suite_bus_trace(void);	/* bus/test_trace.c */
Suite *suite_service(void);	/* kernel/test_service.c */
Suite *suite_bus_route(void);	/* bus/test_route.c */
Suite *suite_bus_wait(void);	/* bus/test_wait.c */
Suite *suite_bus_grant(void);	/* bus/test_grant.c */
Suite *suite_bus_contract(void);	/* bus/test_contract.c */
Suite *suite_bus_watch(void);	/* bus/test_watch.c */
Suite *suite_bus_guard(void);	/* bus/test_guard.c */
Suite *suite_bus_lineage(void);	/* bus/test_lineage.c */
Suite *suite_bus_smp(void);	/* bus/test_smp.c */
Suite *suite_console_line(void);	/* services/console/test_line.c */
Suite *suite_logbuf(void);		/* kernel/lib/test_logbuf.c */
Suite *suite_mm_buddy(void);		/* services/mm/test_buddy.c */
Suite *suite_mm_phys(void);		/* services/mm/test_phys.c */
Suite *suite_slab(void);		/* kernel/lib/test_slab.c */
Suite *suite_mm(void);			/* services/mm/test_mm.c */
Suite *suite_devtree(void);		/* services/devtree/test_devtree.c */
Suite *suite_devfs(void);		/* devnodes/test_devfs.c */
Suite *suite_sysfs(void);		/* devnodes/test_sysfs.c */
Suite *suite_sched_core(void);	/* kernel/sched/test_core.c */
Suite *suite_prof(void);	/* services/profiler/test_prof.c */
Suite *suite_dump(void);	/* kernel/lib/test_dump.c */
Suite *suite_analyzer(void);	/* tools/test_analyzer.c */
Suite *suite_syscall_gate(void);	/* kernel/test_syscall_gate.c */
Suite *suite_elf(void);		/* kernel/lib/test_elf.c */
Suite *suite_civil(void);		/* services/rtc/test_civil.c */
Suite *suite_low_page(void);	/* kernel/test_low_page.c */

#endif
