/*
 * log.c - the kernel log: kprintf, klog, panic.
 *
 * Until the console service exists (a later layer), the log writes straight
 * to the HAL's early UART. Lines are formatted into a stack buffer first so
 * one call produces one write.
 */
#include <aegis/bootparam.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>

static uint32_t loglevel = KLOG_INFO;
BOOT_PARAM_UINT(loglevel, "loglevel", 0, 7,
		"console log level: 3 errors, 4 warnings, 6 info, 7 debug");

void klog_write(const char *buf, size_t len)
{
	hal_console_write((const uint8_t *)buf, len);
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
