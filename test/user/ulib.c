/*
 * ulib.c - printf for user programs: the kernel's own formatter
 * (kernel/lib/format.c, linked in) writing to fd 1 through the write
 * system call; and thread_create.
 */
#include "ulib.h"

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	return (int)aegis_write(1, buf, (unsigned long)n);
}

/* ---- threads ---------------------------------------------------------- */

struct thread_start {
	void (*fn)(void *);
	void *arg;
};

void _thread_start(void) __attribute__((visibility("hidden")));
__attribute__((noreturn)) void thread_main(struct thread_start *t);

__attribute__((noreturn)) void thread_main(struct thread_start *t)
{
	t->fn(t->arg);
	aegis_thread_exit(0);
}

long thread_create(void (*fn)(void *), void *arg, void *stack,
		   unsigned long size)
{
	uintptr_t top = ((uintptr_t)stack + size -
			 sizeof(struct thread_start)) & ~(uintptr_t)15;
	struct thread_start *t = (struct thread_start *)top;

	t->fn = fn;
	t->arg = arg;
	return aegis_thread((uintptr_t)_thread_start, top, (long)t);
}

long read_number(const char *path)
{
	char buf[32];
	long fd = aegis_open(S(path), ABI_O_READ), n, v = 0;

	if (fd < 0)
		return -1;
	n = aegis_read(fd, buf, sizeof(buf));
	aegis_close(fd);
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + buf[i] - '0';
	return n > 0 ? v : -1;
}
