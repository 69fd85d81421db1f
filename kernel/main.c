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
#include <aegis/sched.h>
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/route.h>
#include <aegis/service.h>
#include <aegis/clients.h>
#include <aegis/topics.h>
#include <aegis/trace.h>
#include <aegis/smp.h>
#include <aegis/vm.h>

#ifndef KMALLOC_DEBUG
#define KMALLOC_DEBUG 0		/* the kmalloc_debug= build option */
#endif

static char ktest_filter[64];
BOOT_PARAM_STRING(ktest_filter, "ktest",
		  "run the in-kernel tests (all, or a name prefix), then exit");

static bool help;
BOOT_PARAM_FLAG(help, "help", "list the command-line options at boot");

static char place_arg[128];
BOOT_PARAM_STRING(place_arg, "place",
		  "services put on CPUs once they run: NAME:CPU,... (services "
		  "marked anycpu; docs/SMP.md)");

static char trace_arg[128];
BOOT_PARAM_STRING(trace_arg, "trace",
		  "live bus tracer: topic patterns, comma-separated (hw.*,sched)");

/* The bus watchdog (bus_watchdog_set): a handler running, or a queue
 * standing still, this long is reported with the wait-for graph. */
static uint32_t watchdog_ms = 10000;
BOOT_PARAM_UINT(watchdog_ms, "watchdog", 0, 600000,
		"report a service stuck this many ms (0: off; default 10000)");

/* bus.rule= may be given several times; the rules are checked and added
 * once the bus exists (bus_up), in command-line order. */
#define CMDLINE_RULES 8
static char rule_text[CMDLINE_RULES][BUS_RULE_TEXT];
static unsigned int nrule_text;

static int collect_rule(const char *value, const char **why)
{
	size_t n = strlen(value);

	if (nrule_text == CMDLINE_RULES) {
		*why = "more than 8 bus.rule= options";
		return -AE_ENOSPC;
	}
	if (n >= BUS_RULE_TEXT) {
		*why = "rule longer than 159 bytes";
		return -AE_EINVAL;
	}
	memcpy(rule_text[nrule_text++], value, n + 1);
	return 0;
}
BOOT_PARAM_FUNC(bus_rule, "bus.rule", collect_rule,
		"a bus routing rule, e.g. deny,topic=example.*,src=kernel "
		"(repeatable; docs/IPC_ARCHITECTURE.md)");

static uint32_t timer_hz = 100;
BOOT_PARAM_UINT(timer_hz, "timer_hz", 10, 1000,
		"rate of the timer tick published as hw.irq.timer");

uint32_t kernel_timer_hz(void)
{
	return timer_hz;
}

/* Interrupts: the HAL's controller driver, the timer (each tick becomes a
 * hw.irq.timer event on the bus) and the console UART's receive interrupt
 * (hw.irq.uart0, which the console service reads and echoes). */
static void irq_up(void)
{
	int rc = hal_irq_init(), line, uart;

	if (rc) {
		klog(KLOG_INFO, "hal: interrupts off: %s\n",
		     rc == -AE_ENODEV ? "no interrupt controller driver for "
					"this platform yet"
				      : errno_desc(rc));
		return;
	}
	line = hal_timer_start(timer_hz);
	if (line < 0) {
		klog(KLOG_WARN, "hal: no timer: %s\n", errno_desc(line));
	} else if (bus_irq_name((unsigned int)line, "hw.irq.timer")) {
		klog(KLOG_WARN, "hal: cannot name the timer's line\n");
	}
	uart = hal_console_rx_start();
	if (uart < 0)
		klog(KLOG_INFO, "hal: console input off: %s\n",
		     errno_desc(uart));
	else if (bus_irq_name((unsigned int)uart, "hw.irq.uart0"))
		klog(KLOG_WARN, "hal: cannot name the console's line\n");
	hal_irq_cpu_enable(true);
	klog(KLOG_INFO, "hal: interrupts on: %s, timer %u Hz on line %d\n",
	     hal_irq_chip_name(), timer_hz, line);
	if (uart >= 0)
		klog(KLOG_INFO, "hal: console input on line %d "
		     "(hw.irq.uart0)\n", uart);
}

static void console_line(const char *line)
{
	kprintf("%s\n", line);
}

static void info_line(const char *line)
{
	klog(KLOG_INFO, "%s\n", line);
}

/* One line naming what the HAL detected on this CPU and platform. */
static void print_caps(void)
{
	uint64_t caps = hal_caps();
	char line[160];
	int n = ksnprintf(line, sizeof(line), "hal: caps");

	for (unsigned int bit = 0; bit < 64; bit++) {
		const char *name;

		if (!(caps & (1ull << bit)))
			continue;
		name = hal_cap_name(1ull << bit);
		if (name && n < (int)sizeof(line))
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s",
				       name);
	}
	if (!caps)
		ksnprintf(line + n, sizeof(line) - (size_t)n, " none");
	klog(KLOG_INFO, "%s\n", line);
}

static void *bus_kmalloc(size_t size)
{
	return kmalloc(size);
}

static void bus_kfree(void *p, size_t size)
{
	(void)size;
	kfree(p);
}

static const struct bus_mem_ops bus_kmem = { bus_kmalloc, bus_kfree };

/* Bring up the bus and every built-in service through the registry. */
static void bus_up(void)
{
	const struct service_desc *tab;
	const char *why;
	uint64_t hz = hal_cycles_per_sec();
	size_t n;
	int up;

	/* the interfaces of contracts/ (the .def files): checked on every message, and
	 * their topics interned first so aegis/topics.h holds their ids */
	if (bus_contracts_set(bus_contracts, bus_contracts_count))
		panic("bus: the generated contract table is malformed");
	bus_init(hal_cycles);
	kfault_init();
	trace_set_sink(console_line);
	trace_set_rate(hz / 1000);	/* lines in microseconds since boot */
	if (trace_arg[0] && trace_filter_set(trace_arg, &why))
		kprintf("bootparam: trace=%s: %s; tracing off\n", trace_arg,
			why);
	klog(KLOG_INFO, "bus: up, clock %llu Hz, trace filter \"%s\"\n",
	     (unsigned long long)hz, trace_filter_get());
	bus_rule_clock_rate(hz / 1000);
	bus_watchdog_set((uint64_t)watchdog_ms * (hz / 1000), hz / 1000,
			 console_line);
	for (unsigned int i = 0; i < nrule_text; i++) {
		int rc = bus_rule_add(rule_text[i], &why);

		if (rc < 0)
			kprintf("bootparam: bus.rule=%s: %s; ignored\n",
				rule_text[i], why);
		else
			klog(KLOG_INFO, "bus: rule %d: %s\n", rc,
			     rule_text[i]);
	}
	if (service_init(hal_cycles, hz / 1000, info_line))
		panic("bus: the supervisor could not start");
	/* kmalloc is a library: its slabs come from the mm service (which
	 * starts first among the services that need it). */
	if (kmalloc_init(&mm_backend, KMALLOC_DEBUG, console_line))
		panic("kmalloc: cannot set up its caches");
	/* one CPU so far: CPU 0's magazines, without asking which CPU runs
	 * (smp_init gives kmalloc hal_cpu_index before a second one starts) */
	klog(KLOG_INFO, "kmalloc: %u caches of 16..4096 bytes%s\n",
	     KMALLOC_CLASSES, KMALLOC_DEBUG ? ", debug checks on" : "");
	/* from now on the bus's tables grow from kmalloc (its reserve
	 * served boot, and serves the mm service's own context) */
	bus_set_mem(&bus_kmem);
	tab = service_builtin(&n);
	up = service_start_all(tab, n);
	klog(up == (int)n ? KLOG_INFO : KLOG_WARN,
	     "service: %d of %zu built-in services up\n", up, n);
}

/* Everything is set up: the services hear it (init starts its programs,
 * whose thread stacks go into the kernel's own page tables, so this
 * comes after vm_kernel_init). */
static void boot_done(void)
{
	publish_kernel_boot_done();
	bus_run(~0u);
}

void kernel_wait(void)
{
	smp_idle();
}

static const struct boot_info *boot_info;

const struct boot_info *kernel_boot_info(void)
{
	return boot_info;
}

const void *kernel_initrd(size_t *len)
{
	const struct boot_info *bi = boot_info;
	struct HalDirectMap dm = hal_direct_map();

	for (uint32_t i = 0; bi && i < bi->nmod; i++) {
		const struct boot_module *m = &bi->mod[i];
		const char *p;

		if (m->len < 6 || m->base + m->len > dm.limit)
			continue;
		p = (const char *)(uintptr_t)(m->base + dm.offset);
		if (memcmp(p, "070701", 6) == 0) {
			*len = m->len;
			return p;
		}
	}
	return NULL;
}

void kmain(const struct boot_info *bi)
{
	uint64_t t0 = hal_cycles();
	int complaints;

	klog_locks_init();
	boot_info = bi;
	kprintf("\nAegis %s (%s, %s build) - event-driven kernel\n",
		AEGIS_VERSION, hal_arch_name(), AEGIS_BUILD_MODE);
	complaints = bootparam_apply(bi->cmdline);
	if (complaints)
		kprintf("bootparam: %d option(s) not applied; 'help' on the "
			"command line lists them\n", complaints);
	boot_info_print(bi);
	print_caps();
	if (help) {
		kprintf("bootparam: options:\n");
		bootparam_describe();
	}
	bus_up();
	vm_kernel_init();
	boot_done();
	irq_up();
	/* after hal_irq_init: each CPU started sets up its side of the
	 * interrupt controller (hal_cpu_irq_init) */
	smp_init();
	/* the CPUs run: services go where they are declared, then where
	 * place= says */
	service_place_declared();
	service_place_option(place_arg);
	if (ktest_filter[0])
		hal_exit((uint32_t)ktest_run(ktest_filter));
	kprintf("aegis: up in %llu cycles since kmain; idle. "
		"(QEMU: Ctrl-A X quits)\n",
		(unsigned long long)(hal_cycles() - t0));
	/* The main loop: dispatch, let the supervisor restart what is due,
	 * run threads while the bus is idle (they come back here as soon as
	 * an interrupt leaves bus work), sleep until an interrupt when
	 * nothing is left. A pending restart
	 * is waited for by polling (the supervisor has no timer yet). */
	for (;;) {
		unsigned int ran = bus_run(256);

		/* the trace lines of that round, printed outside handlers */
		trace_pump(~0u);
		if (ran)
			continue;
		if (service_poll())
			continue;
		if (sched_run())
			continue;
		kernel_wait();
	}
}
