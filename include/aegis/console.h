/*
 * aegis/console.h - the console service's interface on the bus
 * (services/console/console.c; its contract is contracts/console.def).
 *
 *   "console.write"  request: the payload is text (1 to BUS_INLINE_MAX
 *                    bytes), written as is
 *   "trace.filter"   request: a new filter for the live bus tracer; 0, or
 *                    -EINVAL with the reason printed (the old one stays)
 *   "console.line"   event: a line typed on the console, finished by
 *                    Enter (struct console_line)
 *   "console.mode"   request (struct console_mode): how typing is taken
 *                    from now on - CONSOLE_PROMPT: print the prompt and
 *                    edit a line after it (Enter publishes console.line
 *                    and the console is BUSY until told again); BUSY: a
 *                    command runs, keys typed wait for the next prompt
 *                    (type-ahead), Ctrl-C drops them and publishes
 *                    console.intr; KEYS: each key is sent to the shell
 *                    ("shell.key", aegis/shell.h), nothing is echoed;
 *                    TTY: each key goes to the console's terminal (its
 *                    line discipline, services/console/tty.c), but
 *                    Ctrl-] publishes console.monitor.
 *                    Only the shell may set it (-EPERM): keys are the
 *                    user's, never another service's to take.
 *   "console.intr"   event: Ctrl-C while BUSY
 *   "console.monitor" event: Ctrl-] while TTY (the monitor is asked for)
 * The console also serves its terminal as a node (node.read, node.write,
 * node.ioctl from devfs: aegis/tty.h) and /sys/console/tty.
 *
 * A typed line can be longer than a bus message holds, so the event
 * carries where it is: the console keeps its last CONSOLE_LINE_RING lines
 * in slots, lent to every kernel service as one read-only grant
 * (aegis/grant.h), and the event names the grant, a slot and the line's
 * sequence number; an event from anyone but the console names memory
 * its sender does not hold and is refused (-EFAULT). A
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
#include <aegis/grant.h>

#define CONSOLE_LINE_MAX	120	/* bytes in a line, no newline */
#define CONSOLE_PROMPT_MAX	32	/* bytes in a prompt */
#define CONSOLE_LINE_RING	64

enum console_input {
	CONSOLE_PROMPT,
	CONSOLE_BUSY,
	CONSOLE_KEYS,
	CONSOLE_TTY,
};

#define CONSOLE_MONITOR_KEY	0x1d	/* Ctrl-]: from the tty to the monitor */

struct console_mode {
	uint8_t mode;		/* enum console_input */
	uint8_t len;		/* of the prompt (CONSOLE_PROMPT) */
	uint8_t pad[2];
	char prompt[CONSOLE_PROMPT_MAX];
};

struct console_line_slot {
	uint32_t seq;
	uint32_t len;
	char text[CONSOLE_LINE_MAX];
};

struct console_line {
	bus_grant_t ring;	/* the console's slots */
	uint32_t slot;		/* 0 .. CONSOLE_LINE_RING - 1 */
	uint32_t seq;
	uint32_t len;
};

/* console_line_take - copy the line of a "console.line" event m into
 * buf (size bytes, NUL-terminated). Returns its length, -EINVAL for a
 * message that is not such an event, -EFAULT for one naming a ring its
 * sender does not hold, -EAGAIN if its slot has been reused, -E2BIG if
 * buf is too small. */
static inline int console_line_take(const struct bus_msg *m, char *buf,
				    size_t size)
{
	const struct console_line_slot *ring, *s;
	struct console_line ev;
	int rc;

	if (m->len != sizeof(ev))
		return -AE_EINVAL;
	memcpy(&ev, m->data, sizeof(ev));
	if (ev.slot >= CONSOLE_LINE_RING || ev.len > CONSOLE_LINE_MAX)
		return -AE_EINVAL;
	ring = (const struct console_line_slot *)bus_grant_buf(
		m, ev.ring, CONSOLE_LINE_RING * sizeof(*ring), BUS_GRANT_READ,
		&rc);
	if (!ring)
		return rc;
	s = &ring[ev.slot];
	if (s->seq != ev.seq || s->len != ev.len)
		return -AE_EAGAIN;
	if (ev.len >= size)
		return -AE_E2BIG;
	memcpy(buf, s->text, ev.len);
	buf[ev.len] = '\0';
	return (int)ev.len;
}

#endif
