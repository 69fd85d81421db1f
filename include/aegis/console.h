/*
 * aegis/console.h - the console service's contract on the bus
 * (services/console/console.c).
 *
 *   "console.write"  request or event: the payload is text (up to
 *                    BUS_INLINE_MAX bytes), written as is
 *   "trace.filter"   request: a new filter for the live bus tracer; 0, or
 *                    -EINVAL with the reason printed (the old one stays)
 *   "console.line"   event: a line typed on the console, finished by
 *                    Enter (struct console_line)
 *
 * A typed line can be longer than a bus message holds, so the event
 * carries where it is: the console keeps its last CONSOLE_LINE_RING lines
 * in slots, and the event names a slot and the line's sequence number. A
 * subscriber copies the line out with console_line_take() while handling
 * the event. The console runs ahead of its subscribers while input keeps
 * coming (interrupt events are dispatched first), so the ring holds a
 * burst of CONSOLE_LINE_RING lines (a paste of 64 commands); a subscriber
 * that fell further behind finds its slot holding a newer line, and the
 * take says so (-EAGAIN).
 */
#ifndef AEGIS_CONSOLE_H
#define AEGIS_CONSOLE_H

#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>

#define CONSOLE_LINE_MAX	120	/* bytes in a line, no newline */
#define CONSOLE_LINE_RING	64

struct console_line_slot {
	uint32_t seq;
	uint32_t len;
	char text[CONSOLE_LINE_MAX];
};

struct console_line {
	uint64_t slot;		/* const struct console_line_slot * */
	uint32_t seq;
	uint32_t len;
};

/* console_line_take - copy the line of a "console.line" event m into
 * buf (size bytes, NUL-terminated). Returns its length, -EINVAL for a
 * message that is not such an event, -EAGAIN if its slot has been
 * reused, -E2BIG if buf is too small. */
static inline int console_line_take(const struct bus_msg *m, char *buf,
				    size_t size)
{
	const struct console_line_slot *s;
	struct console_line ev;

	if (m->len != sizeof(ev))
		return -AE_EINVAL;
	memcpy(&ev, m->data, sizeof(ev));
	s = (const struct console_line_slot *)(uintptr_t)ev.slot;
	if (!s || ev.len > CONSOLE_LINE_MAX)
		return -AE_EINVAL;
	if (s->seq != ev.seq || s->len != ev.len)
		return -AE_EAGAIN;
	if (ev.len >= size)
		return -AE_E2BIG;
	memcpy(buf, s->text, ev.len);
	buf[ev.len] = '\0';
	return (int)ev.len;
}

#endif
