/*
 * console.c - the console service: the serial console's output and input.
 * Its contract is in aegis/console.h.
 *
 * Serves "console.write" (request): the payload is the text,
 * up to BUS_INLINE_MAX bytes, written as is.
 * Serves "trace.filter" (request): the payload is a new filter for the
 * live bus tracer ("hw.*,sched", "*", "off"); the reply's status is 0 or
 * -EINVAL (the old filter stays), and the reason is printed. Other
 * services print through it so that their output is bus traffic like
 * everything else (the kernel log itself stays a library, usable before
 * the bus exists and in panics).
 *
 * Input: subscribes to "hw.irq.uart0", the console UART's receive
 * interrupt. For each event it reads every waiting byte from the HAL,
 * feeds the line editor (line.c), echoes, and then acknowledges the
 * interrupt (hal_irq_unmask: the top half masked the line). Each finished
 * line is published as "console.line": the line is kept in a ring of
 * slots and the event names its slot (console_line_take copies it out).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/topics.h>
#include <aegis/trace.h>
#include "line.h"

/* Bytes taken per interrupt event before the line is acknowledged; the
 * rest raise the interrupt again, so other messages are not held up. */
#define RX_BATCH 256

static struct line line;
static struct console_line_slot ring[CONSOLE_LINE_RING];
static uint32_t line_seq;
static bus_grant_t ring_grant;	/* the ring, lent to every kernel service;
				 * made in the handler, so it is the
				 * console's and ends when it stops */

/* Keep the finished line in the next slot and announce it. */
static void publish_line(void)
{
	uint32_t slot = line_seq % CONSOLE_LINE_RING;
	struct console_line_slot *s = &ring[slot];
	struct console_line ev;

	if (!ring_grant &&
	    bus_grant_new(ring, sizeof(ring), BUS_GRANT_READ | BUS_GRANT_KERNEL,
			  BUS_SVC_KERNEL, &ring_grant))
		return;		/* the grant table is full: line lost */
	s->seq = ++line_seq;
	s->len = line.len;
	memcpy(s->text, line.text, line.len);
	ev.ring = ring_grant;
	ev.slot = slot;
	ev.seq = s->seq;
	ev.len = s->len;
	publish_console_line(&ev);
}

/* Take up to max waiting bytes: echo each, publish finished lines.
 * Returns how many were taken. */
static unsigned int take_input(unsigned int max)
{
	char echo[LINE_ECHO_MAX];
	unsigned int n, elen;
	int c;

	for (n = 0; n < max && (c = hal_console_getc()) >= 0; n++) {
		if (line_feed(&line, (uint8_t)c, echo, &elen)) {
			klog_write(echo, elen);
			publish_line();
			continue;
		}
		if (elen)
			klog_write(echo, elen);
	}
	return n;
}

/* The receive interrupt: read, then acknowledge. Bytes that arrive
 * between the last read and the unmask would raise no new edge on an
 * edge-triggered line, so the FIFO is read once more afterwards. */
static void receive(const struct bus_msg *m)
{
	struct bus_irq_event ev;

	memcpy(&ev, m->data, sizeof(ev));
	take_input(RX_BATCH);
	hal_irq_unmask(ev.line);
	take_input(RX_BATCH);
}

/* A (re)start: input that arrived while no console listened is read now,
 * and the line is unmasked (the top half left it masked if its event was
 * posted while this service was down). Before the interrupts are up the
 * HAL has no line yet: nothing to do. */
static void resume_input(void)
{
	int rx = hal_console_rx_line();

	if (rx < 0)
		return;
	take_input(RX_BATCH);
	hal_irq_unmask((unsigned int)rx);
}

static int console_init(void)
{
	ring_grant = 0;		/* a stop ended the last one */
	line_reset(&line);
	resume_input();
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
	if (m->topic == TOPIC_TRACE_FILTER && m->kind == BUS_REQUEST)
		return set_filter(m);
	/* Only the kernel posts interrupt events: one published by a
	 * service must not make this one unmask a line. */
	if (m->topic == TOPIC_HW_IRQ_UART0 && m->src == BUS_SVC_KERNEL &&
	    m->len == sizeof(struct bus_irq_event)) {
		receive(m);
		return 0;
	}
	if (m->topic != TOPIC_CONSOLE_WRITE)
		return -AE_ENOSYS;
	klog_write((const char *)m->data, m->len);
	return 0;
}

SERVICE(console,
	.name = "console",
	.rescue = true,
	.prio = SERVICE_PRIO(2),
	.init = console_init,
	.handler = console_handle,
	.subscribe = SUBSCRIBES_CONSOLE,
	.serves = SERVES_CONSOLE);

/* The console UART: the HAL runs its registers, this service its
 * input and output. */
DRIVER(uart,
       .name = "uart",
       .owner = "console",
       .compatible = DRIVER_LIST("ns16550a", "ns16550", "arm,pl011"));
