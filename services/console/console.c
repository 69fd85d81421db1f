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
 * How typing is taken (a prompt and an edited line, busy with
 * type-ahead and Ctrl-C as console.intr, or single keys for the shell)
 * is the shell's to say ("console.mode", aegis/console.h); Tab asks the
 * shell to complete ("shell.complete"). Output from anyone erases the
 * prompt and line and draws them again below it (kernel/log.c). What
 * console.write prints is not kept in the kernel log (dmesg).
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
#include <aegis/shell.h>
#include <aegis/topics.h>
#include <aegis/trace.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/sysfs.h>
#include "line.h"
#include "tty.h"

/* Bytes taken per interrupt event before the line is acknowledged; the
 * rest raise the interrupt again, so other messages are not held up. */
#define RX_BATCH 256

static struct line line;
static enum console_input mode;	/* how typing is taken (console.mode) */
static bus_svc_t keys_to;	/* who gets keys in CONSOLE_KEYS */
static struct console_line_slot ring[CONSOLE_LINE_RING];
static uint32_t line_seq;
static bus_grant_t ring_grant;	/* the ring, lent to every kernel service;
				 * made in the handler, so it is the
				 * console's and ends when it stops */

/* Keep the finished line in the next slot and announce it; how many got
 * it (0: nobody listens, < 0: an error). */
static int publish_line(void)
{
	uint32_t slot = line_seq % CONSOLE_LINE_RING;
	struct console_line_slot *s = &ring[slot];
	struct console_line ev;

	if (!ring_grant &&
	    bus_grant_new(ring, sizeof(ring), BUS_GRANT_READ | BUS_GRANT_KERNEL,
			  BUS_SVC_KERNEL, &ring_grant))
		return -AE_ENOSPC;	/* the grant table is full: lost */
	s->seq = ++line_seq;
	s->len = line.len;
	memcpy(s->text, line.text, line.len);
	ev.ring = ring_grant;
	ev.slot = slot;
	ev.seq = s->seq;
	ev.len = s->len;
	return publish_console_line(&ev);
}

/* The prompt and the line typed so far, drawn again (after other output
 * erased them, or Ctrl-L). */
static void draw(bool erase)
{
	char echo[LINE_ECHO_MAX];
	unsigned int n = line.plen + line.len;

	if (!erase) {
		klog_echo(echo, line_draw(&line, echo));
		return;
	}
	/* back to the line's start, blank it, back again */
	echo[0] = '\r';
	memset(echo + 1, ' ', n);
	echo[n + 1] = '\r';
	klog_echo(echo, n + 2);
}

static void redraw(void)
{
	draw(false);
}

/* Show the prompt and the line: typing is edited from here. */
static void show_line(void)
{
	klog_input(draw);
	redraw();
}

/* Tab: the shell completes the word before the cursor. */
static void complete(void)
{
	struct shell_complete q;
	struct shell_completion r;
	char echo[LINE_ECHO_MAX];
	unsigned int elen, s;
	bool first;

	s = line_word(&line, &first);
	memset(&q, 0, sizeof(q));
	q.first = first;
	q.len = (uint8_t)(line.cur - s);
	if (line.cur - s > SHELL_WORD_MAX) {
		klog_echo("\a", 1);
		return;
	}
	memcpy(q.word, line.text + s, q.len);
	/* the reply is the shell's: its length is checked like any other */
	if (call_shell_complete(&q, &r) || r.len > SHELL_WORD_MAX) {
		klog_echo("\a", 1);
		return;
	}
	if (!r.len)
		return;
	line_insert(&line, r.text, r.len, echo, &elen);
	klog_echo(echo, elen);
}

/* One byte, edited into the line after the prompt. */
static void edit(uint8_t c)
{
	char echo[LINE_ECHO_MAX];
	unsigned int elen;
	enum line_event ev = line_feed(&line, c, echo, &elen);
	int published;

	if (elen)
		klog_echo(echo, elen);
	switch (ev) {
	case LINE_DONE:
		published = publish_line();
		klog_input(NULL);
		line_taken(&line);	/* the next prompt starts empty */
		/* busy until the shell asks again; with no shell to run it,
		 * the next line can be typed at once */
		if (published > 0)
			mode = CONSOLE_BUSY;
		else
			show_line();
		break;
	case LINE_INTR:
		redraw();	/* a new, empty line after "^C" */
		/* and the shell hears of it: a console session's program
		 * gets SIGINT (the monitor's own prompt ignores it) */
		publish_console_intr();
		break;
	case LINE_TAB:
		complete();
		break;
	default:
		break;
	}
}

/* Keys typed while busy wait here for the next prompt. */
static uint8_t ahead[CONSOLE_LINE_MAX];
static unsigned int nahead;

static void key(uint8_t c)
{
	uint32_t k = c;

	switch (mode) {
	case CONSOLE_KEYS:
		if (bus_send(keys_to, TOPIC_SHELL_KEY, BUS_PRIO_INHERIT, &k,
			     sizeof(k)) < 0)
			klog_echo("\a", 1);
		break;
	case CONSOLE_TTY:
		if (c == CONSOLE_MONITOR_KEY) {
			/* what is typed next waits for the monitor's
			 * prompt (type-ahead), which the shell gives */
			mode = CONSOLE_BUSY;
			nahead = 0;
			publish_console_monitor();
		} else
			tty_key(c);
		break;
	case CONSOLE_BUSY:
		if (c == 0x03) {	/* Ctrl-C: the command, not the keys */
			nahead = 0;
			kcons_write("^C\n", 3);
			publish_console_intr();
		} else if (nahead < sizeof(ahead)) {
			ahead[nahead++] = c;
		} else {
			klog_echo("\a", 1);
		}
		break;
	default:
		edit(c);
		break;
	}
}

/* Take up to max waiting bytes. Returns how many were taken. */
static unsigned int take_input(unsigned int max)
{
	unsigned int n;
	int c;

	for (n = 0; n < max && (c = hal_console_getc()) >= 0; n++)
		key((uint8_t)c);
	return n;
}

/* console.mode: the shell says how typing is taken now. */
static int set_mode(const struct bus_msg *m)
{
	struct console_mode q;
	int shell = bus_svc_find("shell");

	if (shell < 0 || m->src != (bus_svc_t)shell)
		return -AE_EPERM;
	memcpy(&q, m->data, sizeof(q));
	if (q.mode > CONSOLE_TTY || q.len > CONSOLE_PROMPT_MAX)
		return -AE_EINVAL;
	if (q.mode == CONSOLE_PROMPT && mode == CONSOLE_PROMPT &&
	    q.len == line.plen && memcmp(q.prompt, line.prompt, q.len) == 0)
		return 0;	/* shown already */
	klog_input(NULL);
	mode = (enum console_input)q.mode;
	if (mode == CONSOLE_KEYS) {
		keys_to = m->src;
		nahead = 0;
		return 0;
	}
	if (mode == CONSOLE_BUSY)
		return 0;
	if (mode == CONSOLE_TTY) {
		/* what was typed while the monitor ran is the terminal's */
		for (unsigned int i = 0; i < nahead; i++)
			tty_key(ahead[i]);
		nahead = 0;
		return 0;
	}
	line_set_prompt(&line, q.prompt, q.len);
	show_line();
	/* what was typed ahead, as if typed now: it may run a line (and
	 * leave the rest waiting for the next prompt) */
	while (nahead && mode == CONSOLE_PROMPT) {
		uint8_t c = ahead[0];

		memmove(ahead, ahead + 1, --nahead);
		edit(c);
	}
	return 0;
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
	nahead = 0;
	/* a line can be typed (and run, if a shell listens) before anyone
	 * sets a prompt: none is shown until then */
	mode = CONSOLE_PROMPT;
	tty_init();
	klog_input(NULL);
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

static const struct sysfs_attr attrs[] = {
	{ "tty", 0444, 0 },
};

static uint32_t console_show(uint32_t index, char *buf, uint32_t size)
{
	(void)index;
	return tty_show(buf, size);
}

static const struct sysfs_ops console_ops = { console_show, NULL };

static int console_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	(void)state;
	if (m->kind == BUS_REPLY)
		return -AE_ENOSYS;
	if (m->topic == TOPIC_PROC_EXIT && m->kind == BUS_EVENT) {
		struct proc_exit_event ev;
		int proc = bus_svc_find("proc");

		/* proc's, or the kernel's (a process is reaped outside
		 * any handler) */
		if (((proc >= 0 && m->src == (bus_svc_t)proc) ||
		     m->src == BUS_SVC_KERNEL) && m->len == sizeof(ev)) {
			memcpy(&ev, m->data, sizeof(ev));
			tty_exited(ev.pid);
		}
		return 0;
	}
	if (m->kind == BUS_REQUEST &&
	    (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW ||
	     m->topic == TOPIC_SYSFS_STORE))
		return sysfs_serve(attrs, 1, &console_ops, m, reply);
	if (m->kind == BUS_REQUEST &&
	    (m->topic == TOPIC_NODE_READ || m->topic == TOPIC_NODE_WRITE ||
	     m->topic == TOPIC_NODE_IOCTL))
		return tty_request(m, reply);
	if (m->kind == BUS_REQUEST && (m->topic == TOPIC_NODE_OPEN ||
	    m->topic == TOPIC_NODE_CLOSE || m->topic == TOPIC_NODE_STAT ||
	    m->topic == TOPIC_NODE_READDIR))
		return -AE_EINVAL;	/* devfs's: the tty is its node */
	if (m->topic == TOPIC_TRACE_FILTER && m->kind == BUS_REQUEST)
		return set_filter(m);
	if (m->topic == TOPIC_CONSOLE_MODE && m->kind == BUS_REQUEST)
		return set_mode(m);
	/* Only the kernel posts interrupt events: one published by a
	 * service must not make this one unmask a line. */
	if (m->topic == TOPIC_HW_IRQ_UART0 && m->src == BUS_SVC_KERNEL &&
	    m->len == sizeof(struct bus_irq_event)) {
		receive(m);
		return 0;
	}
	if (m->topic != TOPIC_CONSOLE_WRITE)
		return -AE_ENOSYS;
	kcons_write((const char *)m->data, m->len);
	return 0;
}

SERVICE(console,
	.name = "console",
	.rescue = true,
	.prio = SERVICE_PRIO(2),
	.init = console_init,
	.handler = console_handle,
	.subscribe = SUBSCRIBES_CONSOLE,
	.serves = SERVES_CONSOLE,
	.sysfs = "console");

/* The console UART: the HAL runs its registers, this service its
 * input and output. */
DRIVER(uart,
       .name = "uart",
       .owner = "console",
       .compatible = DRIVER_LIST("ns16550a", "ns16550", "arm,pl011"));
