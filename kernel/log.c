/*
 * log.c - the kernel log: kprintf, klog, panic.
 *
 * The log writes straight to the HAL's UART (usable before the bus exists
 * and in a panic). Lines are formatted into a stack buffer first so one
 * call produces one write. What the kernel prints is also kept for dmesg
 * (klog_dump); around the line the console shows being typed, output
 * erases and redraws it (aegis/logbuf.h). cprintf and kcons_write are
 * console output that is not the kernel's log (a command's answer).
 */
#include <string.h>
#include <aegis/bootparam.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/logbuf.h>
#include <aegis/spinlock.h>

static uint32_t loglevel = KLOG_INFO;
BOOT_PARAM_UINT(loglevel, "loglevel", 0, 7,
		"console log level: 3 errors, 4 warnings, 6 info, 7 debug");

static struct logbuf kept;	/* for dmesg */

static void term_write(const char *s, size_t n)
{
	hal_console_write((const uint8_t *)s, n);
}

static struct input_line input = { .write = term_write };

static void term_write_raw(const char *s, size_t n)
{
	hal_console_write_raw((const uint8_t *)s, n);
}

/*
 * The log lock: the console, the line being typed and the dmesg ring.
 * Any CPU prints, in any context (an exception's report included), so it
 * is taken with interrupts masked. A CPU that already holds it (a fault
 * while printing) prints without it rather than wait for itself; after a
 * panic, a CPU waits a bounded time for it and then prints regardless,
 * since the holder may never let go.
 */
static DEFINE_LOCK_CLASS(log_class, "log");
static spinlock_t log_lock = SPINLOCK_INIT(&log_class);
static int32_t log_owner = -1;
static bool panicking;

enum { LOG_UNLOCKED, LOG_LOCKED_OFF, LOG_LOCKED_ON };

static int log_take(void)
{
	int32_t me = (int32_t)hal_cpu_index();
	bool was;

	if (__atomic_load_n(&log_owner, __ATOMIC_RELAXED) == me)
		return LOG_UNLOCKED;
	was = hal_irq_cpu_save();
	if (__atomic_load_n(&panicking, __ATOMIC_RELAXED)) {
		unsigned int tries = 1u << 20;

		while (!spin_trylock(&log_lock))
			if (!--tries) {
				hal_irq_cpu_enable(was);
				return LOG_UNLOCKED;
			}
	} else {
		spin_lock(&log_lock);
	}
	__atomic_store_n(&log_owner, me, __ATOMIC_RELAXED);
	return was ? LOG_LOCKED_ON : LOG_LOCKED_OFF;
}

static void log_give(int how)
{
	if (how == LOG_UNLOCKED)
		return;
	__atomic_store_n(&log_owner, -1, __ATOMIC_RELAXED);
	spin_unlock(&log_lock);
	hal_irq_cpu_enable(how == LOG_LOCKED_ON);
}

void klog_write(const char *buf, size_t len)
{
	int how = log_take();

	logbuf_put(&kept, buf, len);
	input_output(&input, buf, len);
	log_give(how);
}

void kcons_write(const char *buf, size_t len)
{
	int how = log_take();

	input_output(&input, buf, len);
	log_give(how);
}

void kcons_write_raw(const char *buf, size_t len)
{
	int how = log_take();

	input_output_via(&input, buf, len, term_write_raw);
	log_give(how);
}

void klog_input(void (*draw)(bool erase))
{
	int how = log_take();

	input_show(&input, draw);
	log_give(how);
}

void klog_echo(const char *buf, size_t len)
{
	int how = log_take();

	input_echo(&input, buf, len);
	log_give(how);
}

uint64_t klog_total(void)
{
	return kept.head_len + kept.tail_total;
}

void klog_dump(void (*out)(void *ctx, const char *s, size_t n), void *ctx)
{
	logbuf_dump(&kept, out, ctx);
}

/* ---- what the locks need (aegis/spinlock.h) ------------------------------ */

static unsigned int lock_cpu(void)
{
	return hal_cpu_index();
}

static bool lock_in_irq(void)
{
	return hal_in_irq();
}

static bool lock_irq_mask(void)
{
	return hal_irq_cpu_save();
}

static void lock_irq_restore(bool on)
{
	hal_irq_cpu_enable(on);
}

/* The checker's reports go straight to the UART: the log lock may be
 * the one it reports on. */
static void lock_report(const char *line)
{
	term_write(line, strlen(line));
	term_write("\n", 1);
}

static void lock_deadlock(void)
{
	panic("lockdep: a CPU took a lock it holds");
}

static const struct spin_hooks kernel_spin_hooks = {
	.cpu = lock_cpu,
	.in_irq = lock_in_irq,
	.irq_mask = lock_irq_mask,
	.irq_restore = lock_irq_restore,
	.report = lock_report,
	.deadlock = lock_deadlock,
};

void klog_locks_init(void)
{
	spin_set_hooks(&kernel_spin_hooks);
}

static int vlog(const char *fmt, va_list ap)
{
	char buf[KPRINTF_MAX];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

	klog_write(buf, len);
	if ((size_t)n >= sizeof(buf))
		klog_write("...\n", 4);
	return n;
}

int cprintf(const char *fmt, ...)
{
	char buf[KPRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kcons_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	if ((size_t)n >= sizeof(buf))
		kcons_write("...\n", 4);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vlog(fmt, ap);
	va_end(ap);
	return n;
}

uint32_t klog_level(void)
{
	return loglevel;
}

int klog_set_level(uint32_t level)
{
	if (level > 7)
		return -AE_EINVAL;
	loglevel = level;
	return 0;
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	if ((uint32_t)level > loglevel)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	__atomic_store_n(&panicking, true, __ATOMIC_RELAXED);
	input_hide(&input);	/* no prompt before or after the last words */
	klog_write("panic: ", 7);
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	klog_write("\n", 1);
	/* End the machine with the panic status: under QEMU it exits (so a
	 * test run never waits for its timeout); elsewhere hal_exit halts. */
	kprintf("panic: system halted\n");
	hal_exit(KTEST_EXIT_PANIC);
}

/* A CPU exception the HAL reported (registers already printed). */
void kpanic_trap(const uint8_t *msg, size_t len)
{
	panic("%.*s", (int)len, (const char *)msg);
}

/* The Rust HAL's panic handler lands here with its message. */
void kpanic_hal(const uint8_t *msg, size_t len)
{
	klog_write("hal: ", 5);
	panic("%.*s", (int)len, (const char *)msg);
}
