/*
 * console.c - the console service: writes the text it is sent to the
 * serial console.
 *
 * Serves "console.write" (request or event): the payload is the text,
 * up to BUS_INLINE_MAX bytes, written as is. Other services print through
 * it so that their output is bus traffic like everything else (the kernel
 * log itself stays a library, usable before the bus exists and in panics).
 */
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>

static bus_topic_t t_write;

static int console_init(void)
{
	int t = bus_topic("console.write");

	if (t < 0)
		return t;
	t_write = (bus_topic_t)t;
	return 0;
}

static int console_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	if (m->topic != t_write || m->kind == BUS_REPLY)
		return -AE_ENOSYS;
	klog_write((const char *)m->data, m->len);
	return 0;
}

SERVICE(console,
	.name = "console",
	.prio = SERVICE_PRIO(2),
	.init = console_init,
	.handler = console_handle,
	.serves = SERVICE_LIST("console.write"));
