/*
 * console.c - the console service: writes the text it is sent to the
 * serial console.
 *
 * Serves "console.write" (request or event): the payload is the text,
 * up to BUS_INLINE_MAX bytes, written as is.
 * Serves "trace.filter" (request): the payload is a new filter for the
 * live bus tracer ("hw.*,sched", "*", "off"); the reply's status is 0 or
 * -EINVAL (the old filter stays), and the reason is printed. Other services print through
 * it so that their output is bus traffic like everything else (the kernel
 * log itself stays a library, usable before the bus exists and in panics).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/trace.h>

static bus_topic_t t_write, t_filter;

static int console_init(void)
{
	int w = bus_topic("console.write");
	int f = bus_topic("trace.filter");

	if (w < 0 || f < 0)
		return -AE_ENOSPC;
	t_write = (bus_topic_t)w;
	t_filter = (bus_topic_t)f;
	return 0;
}

static int set_filter(const struct bus_msg *m)
{
	char text[BUS_INLINE_MAX + 1];
	const char *why;
	int rc;

	memcpy(text, m->data, m->len);
	text[m->len] = '\0';
	rc = trace_filter_set(text, &why);
	if (rc)
		kprintf("console: trace filter \"%s\" refused: %s\n", text, why);
	else
		kprintf("console: trace filter now \"%s\"\n", trace_filter_get());
	return rc;
}

static int console_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	if (m->kind == BUS_REPLY)
		return -AE_ENOSYS;
	if (m->topic == t_filter && m->kind == BUS_REQUEST)
		return set_filter(m);
	if (m->topic != t_write)
		return -AE_ENOSYS;
	klog_write((const char *)m->data, m->len);
	return 0;
}

SERVICE(console,
	.name = "console",
	.prio = SERVICE_PRIO(2),
	.init = console_init,
	.handler = console_handle,
	.serves = SERVICE_LIST("console.write", "trace.filter"));
