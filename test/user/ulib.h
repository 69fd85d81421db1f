/*
 * ulib.h - the user runtime of the test programs: the system-call stubs
 * generated from kernel/syscalls.def (aegis/usys.h), the flags and
 * structures they take (aegis/abi.h), printf to the console, and the
 * string functions the compiler may call.
 */
#ifndef AEGIS_ULIB_H
#define AEGIS_ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <aegis/abi.h>
#include <aegis/usys.h>

/* the program's image, from user.ld */
extern char _image_start[], _image_end[];

/* thread_create - run fn(arg) in another thread of this process, on the
 * stack [stack, stack + size) (the program's own memory); it ends when fn
 * returns. Its thread id, or the thread call's error. */
long thread_create(void (*fn)(void *), void *arg, void *stack,
		   unsigned long size);

/* ulen - a string's length; S(s) - the (pointer, length) pair the
 * calls that take a name want. */
static inline unsigned long ulen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}
#define S(s) (s), ulen(s)

/* read_number - the decimal number a file starts with (a sysfs
 * attribute such as /sys/cpus/online), or -1 if it cannot be read. */
long read_number(const char *path);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
