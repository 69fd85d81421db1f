/*
 * aegis/kprintf.h - formatting and the kernel log.
 *
 * kvsnprintf() is a pure function (host-tested against the C library);
 * kprintf() formats into a bounded buffer and writes it to the console
 * through the HAL. Messages longer than KPRINTF_MAX bytes are truncated and
 * end in "...".
 */
#ifndef AEGIS_KPRINTF_H
#define AEGIS_KPRINTF_H

#include <stdarg.h>
#include <aegis/types.h>

#define KPRINTF_MAX 512

/*
 * kvsnprintf - format into buf (at most size bytes including the final
 * NUL; nothing is written when size is 0). Supports the flags '-' '0' '+'
 * ' ' '#', a width and precision (also '*'), the length modifiers hh h l
 * ll z j t, and the conversions d i u o x X c s p %. Returns the length
 * the full output would have had, as C99 snprintf does. An unknown
 * conversion is copied out literally. Any context.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Log levels, as in the kernel command line's loglevel= option. */
enum {
	KLOG_ERR = 3,
	KLOG_WARN = 4,
	KLOG_INFO = 6,
	KLOG_DEBUG = 7,
};

/* kprintf - format and write to the console. Any context; not reentrant
 * with respect to line ordering between CPUs yet (single CPU at boot). */
int kprintf(const char *fmt, ...) __printf(1, 2);

/* klog - kprintf if level <= the loglevel= boot option (default 6). */
void klog(int level, const char *fmt, ...) __printf(2, 3);

/* klog_level - the console log level: klog lines of a level above it are
 * not printed. klog_set_level - 0..7, or -EINVAL. */
uint32_t klog_level(void);
int klog_set_level(uint32_t level);

/* cprintf, kcons_write - to the console, but not kept in the kernel log
 * (dmesg): what a command prints as its answer. */
int cprintf(const char *fmt, ...) __printf(1, 2);
void kcons_write(const char *buf, size_t len);
/* kcons_write_raw - as kcons_write, the bytes as they are (no "\r" added
 * before a newline): a terminal's output (services/console/tty.c) */
void kcons_write_raw(const char *buf, size_t len);

/* klog_input - the console shows a prompt and a line being typed; other
 * output has draw(true) erase it and draw(false) put it back
 * (aegis/logbuf.h; NULL: nothing shown).
 * klog_echo - the console's echo of an edit to that line. */
void klog_input(void (*draw)(bool erase));
void klog_echo(const char *buf, size_t len);

/* klog_dump - the kernel log kept since boot (aegis/logbuf.h), oldest
 * first, through out. */
void klog_dump(void (*out)(void *ctx, const char *s, size_t n), void *ctx);
/* klog_total - the bytes ever put in the kernel log since boot. */
uint64_t klog_total(void);

/* klog_locks_init - give the spinlocks (aegis/spinlock.h) the kernel's
 * CPU index, interrupt masking and a report path straight to the UART.
 * First thing in kmain. */
void klog_locks_init(void);

/* klog_write - write raw bytes to the console. Also the C entry the Rust
 * HAL calls to report through the kernel log. Any context. */
void klog_write(const char *buf, size_t len);

/* kpanic_hal - the Rust HAL's panic handler lands here with its message
 * (not NUL-terminated). Never returns. */
void kpanic_hal(const uint8_t *msg, size_t len) __noreturn;

/* kpanic_trap - the HAL's exception handler lands here with a one-line
 * summary, after printing the full report. Never returns. */
void kpanic_trap(const uint8_t *msg, size_t len) __noreturn;

/* panic - print "panic: <reason>" and end the machine through
 * hal_exit(KTEST_EXIT_PANIC): QEMU exits with the panic status (x86_64: 5,
 * AArch64: 2); without such a device it halts. Never returns. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#endif
