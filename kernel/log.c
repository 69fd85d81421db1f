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
#include <aegis/bootparam.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/logbuf.h>

static uint32_t loglevel = KLOG_INFO;
BOOT_PARAM_UINT(loglevel, "loglevel", 0, 7,
		"console log level: 3 errors, 4 warnings, 6 info, 7 debug");

static struct logbuf kept;	/* for dmesg */

static void term_write(const char *s, size_t n)
{
	hal_console_write((const uint8_t *)s, n);
}

static struct input_line input = { .write = term_write };

void klog_write(const char *buf, size_t len)
{
	logbuf_put(&kept, buf, len);
	input_output(&input, buf, len);
}

void kcons_write(const char *buf, size_t len)
{
	input_output(&input, buf, len);
}

void klog_input(void (*draw)(bool erase))
{
	input_show(&input, draw);
}

void klog_echo(const char *buf, size_t len)
{
	input_echo(&input, buf, len);
}

void klog_dump(void (*out)(void *ctx, const char *s, size_t n), void *ctx)
{
	logbuf_dump(&kept, out, ctx);
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
