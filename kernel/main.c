/*
 * main.c - kmain, where every boot path meets.
 *
 * boot/<arch>/ has set up a stack, the early console and struct boot_info;
 * kmain prints who it is and what it was given, applies the command line,
 * and then either runs the in-kernel tests (ktest=...) and ends the machine
 * with their verdict, or idles with the console live.
 */
#include <aegis/boot_info.h>
#include <aegis/bootparam.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>

static char ktest_filter[64];
BOOT_PARAM_STRING(ktest_filter, "ktest",
		  "run the in-kernel tests (all, or a name prefix), then exit");

static bool help;
BOOT_PARAM_FLAG(help, "help", "list the command-line options at boot");

static const struct boot_info *boot_info;

const struct boot_info *kernel_boot_info(void)
{
	return boot_info;
}

void kmain(const struct boot_info *bi)
{
	uint64_t t0 = hal_cycles();
	int complaints;

	boot_info = bi;
	kprintf("\nAegis %s (%s, %s build) - event-driven kernel\n",
		AEGIS_VERSION, hal_arch_name(), AEGIS_BUILD_MODE);
	boot_info_print(bi);
	complaints = bootparam_apply(bi->cmdline);
	if (complaints)
		kprintf("bootparam: %d option(s) not applied; 'help' on the "
			"command line lists them\n", complaints);
	if (help) {
		kprintf("bootparam: options:\n");
		bootparam_describe();
	}
	if (ktest_filter[0])
		hal_exit((uint32_t)ktest_run(ktest_filter));
	kprintf("aegis: up in %llu cycles since kmain; idle. "
		"(QEMU: Ctrl-A X quits)\n",
		(unsigned long long)(hal_cycles() - t0));
	for (;;)
		hal_idle();
}
