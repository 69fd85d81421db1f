/*
 * buscmd.c - the shell's bus command: the bus from the console.
 *
 *   bus pub TOPIC [text | 0xHEX]   publish an event on a topic that
 *                                  exists (or a user.* one), as the
 *                                  shell (its contract applies)
 *   bus echo PATTERN               print every event of the topics
 *                                  PATTERN matches as it comes, until a
 *                                  key is pressed
 *   bus stats [PATTERN]            each topic's counters (all: *)
 *   bus top                        the busiest topics and services, each
 *                                  second, until a key is pressed
 *
 * echo and top are modes of the shell: it subscribes for them and takes
 * keys one by one from the console; the next key (or Ctrl-C) ends the
 * mode.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/topics.h>
#include "buscmd.h"

#define TOP_ROWS	5
#define TOP_TICKS	100	/* timer events between refreshes: 1 s */

static enum { IDLE, ECHO, TOP } mode;
static char pattern[BUS_NAME_MAX];
static uint64_t echoed;
static unsigned int ticks;
static uint64_t topic_then[BUS_TOPIC_MAX];
static uint64_t svc_then[BUS_SVC_MAX];

static void say_err(const char *what, int rc)
{
	cprintf("sh: bus: %s: %s\n", what, errno_desc(rc));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The payload from argv[3..]: 0xHEX as bytes, else the words joined by
 * single spaces. Its length, or -E2BIG, -EINVAL (odd or bad hex). */
static int payload(char **argv, int argc, uint8_t *out)
{
	size_t n = 0;

	if (argc == 4 && argv[3][0] == '0' && argv[3][1] == 'x') {
		const char *h = argv[3] + 2;
		size_t len = strlen(h);

		if (len == 0 || len % 2)
			return -AE_EINVAL;
		if (len / 2 > BUS_INLINE_MAX)
			return -AE_E2BIG;
		for (size_t i = 0; i < len; i += 2) {
			int hi = hexval(h[i]), lo = hexval(h[i + 1]);

			if (hi < 0 || lo < 0)
				return -AE_EINVAL;
			out[n++] = (uint8_t)(hi << 4 | lo);
		}
		return (int)n;
	}
	for (int i = 3; i < argc; i++) {
		size_t w = strlen(argv[i]);

		if (n + w + (i > 3) > BUS_INLINE_MAX)
			return -AE_E2BIG;
		if (i > 3)
			out[n++] = ' ';
		memcpy(out + n, argv[i], w);
		n += w;
	}
	return (int)n;
}

static void pub(char **argv, int argc)
{
	uint8_t data[BUS_INLINE_MAX];
	int t = bus_topic_find(argv[2]), n, rc;

	/* user.* topics are anyone's: made on first use, as a process's
	 * lookup makes them */
	if (t == -AE_ENOENT && strncmp(argv[2], "user.", 5) == 0)
		t = bus_topic(argv[2]);

	if (t == -AE_EINVAL) {
		cprintf("sh: bus: pub: %s: not a topic name\n", argv[2]);
		return;
	}
	if (t < 0) {
		cprintf("sh: bus: pub: %s: no such topic\n", argv[2]);
		return;
	}
	n = payload(argv, argc, data);
	if (n < 0) {
		cprintf("sh: bus: pub: %s\n", n == -AE_E2BIG ?
			"more than 40 bytes" : "0x needs pairs of hex digits");
		return;
	}
	rc = bus_publish((bus_topic_t)t, BUS_PRIO_DEFAULT, data, (size_t)n);
	if (rc == -AE_EBADMSG)
		cprintf("sh: bus: pub: %s: refused by its contract (see "
			"/sys/bus/contracts)\n", argv[2]);
	else if (rc < 0)
		say_err("pub", rc);
	else
		cprintf("bus: %s: %d bytes to %d service%s\n", argv[2], n, rc,
			rc == 1 ? "" : "s");
}

/* The payload as text if it all prints, else as hex. */
static void show(const struct bus_msg *m)
{
	char text[2 * BUS_INLINE_MAX + 3];
	bool printable = m->len > 0;
	size_t n = 0;

	for (unsigned int i = 0; i < m->len; i++)
		if (m->data[i] < 0x20 || m->data[i] > 0x7e)
			printable = false;
	if (printable) {
		memcpy(text, m->data, m->len);
		n = m->len;
	} else if (m->len) {
		n = (size_t)ksnprintf(text, sizeof(text), "0x");
		for (unsigned int i = 0; i < m->len; i++)
			n += (size_t)ksnprintf(text + n, sizeof(text) - n,
					       "%02x", m->data[i]);
	}
	text[n] = '\0';
	cprintf("bus echo: %s from %s, %u bytes%s%s\n",
		bus_topic_name(m->topic), bus_svc_name(m->src), m->len,
		n ? ": " : "", text);
}

static int enter(const char *pat, const char *what)
{
	const char *why = "";
	int rc = bus_subscribe(bus_current(), pat, &why);

	if (rc == -AE_EEXIST) {
		cprintf("sh: bus: %s: the shell takes %s already\n", what, pat);
		return rc;
	}
	if (rc) {
		cprintf("sh: bus: %s: %s: %s\n", what, pat,
			rc == -AE_EINVAL ? why : errno_desc(rc));
		return rc;
	}
	memcpy(pattern, pat, strlen(pat) + 1);
	return 0;
}

static void echo(const char *pat)
{
	if (enter(pat, "echo"))
		return;
	mode = ECHO;
	echoed = 0;
	cprintf("bus: echo %s: every event as it comes; any key stops\n", pat);
}

static void stats(const char *pat)
{
	const char *why = "";
	unsigned int shown = 0;

	if (bus_pattern_check(pat, &why)) {
		cprintf("sh: bus: stats: %s: %s\n", pat, why);
		return;
	}
	cprintf("%-28s %9s %9s %6s %7s %4s\n", "topic", "published",
		"delivered", "drops", "refused", "subs");
	for (unsigned int t = 0; t < bus_topic_count(); t++) {
		struct bus_topic_stats st;
		unsigned int subs;

		if (!bus_topic_live((bus_topic_t)t) ||
		    !bus_pattern_match(pat, bus_topic_name((bus_topic_t)t)) ||
		    bus_topic_stats((bus_topic_t)t, &st))
			continue;
		subs = bus_topic_subscribers((bus_topic_t)t, NULL, 0);
		cprintf("%-28s %9llu %9llu %6llu %7llu %4u\n",
			bus_topic_name((bus_topic_t)t),
			(unsigned long long)st.published,
			(unsigned long long)st.delivered,
			(unsigned long long)st.drops,
			(unsigned long long)bus_topic_refused((bus_topic_t)t),
			subs);
		shown++;
	}
	if (!shown)
		cprintf("sh: bus: stats: no topic matches %s\n", pat);
}

static void snapshot(void)
{
	struct bus_topic_stats ts;
	struct bus_svc_stats ss;

	for (unsigned int t = 0; t < BUS_TOPIC_MAX; t++)
		topic_then[t] = t < bus_topic_count() &&
				bus_topic_stats((bus_topic_t)t, &ts) == 0 ?
				ts.published : 0;
	for (unsigned int s = 0; s < BUS_SVC_MAX; s++)
		svc_then[s] = bus_svc_stats((bus_svc_t)s, &ss) == 0 ?
			      ss.handled : 0;
}

static void top(void)
{
	if (enter("hw.irq.timer", "top"))
		return;
	mode = TOP;
	ticks = 0;
	snapshot();
	cprintf("bus: top: the busiest topics and services each second; "
		"any key stops\n");
}

/* The TOP_ROWS largest of now[i] - then[i] over n, into idx/val. */
static unsigned int busiest(const uint64_t *then, bool topics,
			    unsigned int n, unsigned int *idx, uint64_t *val)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct bus_topic_stats ts;
		struct bus_svc_stats ss;
		uint64_t d;
		unsigned int j;

		if (topics ? bus_topic_stats((bus_topic_t)i, &ts) :
			     bus_svc_stats((bus_svc_t)i, &ss))
			continue;
		d = (topics ? ts.published : ss.handled) - then[i];
		if (!d)
			continue;
		for (j = k; j > 0 && val[j - 1] < d; j--)
			if (j < TOP_ROWS) {
				idx[j] = idx[j - 1];
				val[j] = val[j - 1];
			}
		if (j < TOP_ROWS) {
			idx[j] = i;
			val[j] = d;
			if (k < TOP_ROWS)
				k++;
		}
	}
	return k;
}

static void refresh(void)
{
	unsigned int ti[TOP_ROWS], si[TOP_ROWS], nt, ns;
	uint64_t tv[TOP_ROWS], sv[TOP_ROWS];
	char tcol[40], scol[40];

	nt = busiest(topic_then, true, bus_topic_count(), ti, tv);
	ns = busiest(svc_then, false, BUS_SVC_MAX, si, sv);
	cprintf("bus top: %-24s %8s   %-16s %8s\n", "topic", "msgs/s",
		"service", "runs/s");
	for (unsigned int r = 0; r < nt || r < ns; r++) {
		tcol[0] = scol[0] = '\0';
		if (r < nt)
			ksnprintf(tcol, sizeof(tcol), "%-24s %8llu",
				  bus_topic_name((bus_topic_t)ti[r]),
				  (unsigned long long)tv[r]);
		if (r < ns)
			ksnprintf(scol, sizeof(scol), "%-16s %8llu",
				  bus_svc_name((bus_svc_t)si[r]),
				  (unsigned long long)sv[r]);
		cprintf("bus top: %-33s   %s\n", tcol, scol);
	}
	snapshot();
}

static void leave(void)
{
	bus_unsubscribe(bus_current(), pattern);
	if (mode == ECHO)
		cprintf("bus: echo stopped after %llu event%s\n",
			(unsigned long long)echoed, echoed == 1 ? "" : "s");
	else
		cprintf("bus: top stopped\n");
	mode = IDLE;
}

bool buscmd_busy(void)
{
	return mode != IDLE;
}

void buscmd_stop(void)
{
	if (mode != IDLE)
		leave();
}

void buscmd_event(const struct bus_msg *m)
{
	if (mode == ECHO && m->kind == BUS_EVENT &&
	    bus_pattern_match(pattern, bus_topic_name(m->topic))) {
		echoed++;
		show(m);
	} else if (mode == TOP && m->topic == TOPIC_HW_IRQ_TIMER &&
		   m->len == sizeof(struct bus_irq_event)) {
		struct bus_irq_event ev;

		memcpy(&ev, m->data, sizeof(ev));
		ticks += ev.count;
		if (ticks >= TOP_TICKS) {
			ticks = 0;
			refresh();
		}
	}
}

void buscmd(char **argv, int argc)
{
	if (argc >= 3 && strcmp(argv[1], "pub") == 0)
		pub(argv, argc);
	else if (argc == 3 && strcmp(argv[1], "echo") == 0)
		echo(argv[2]);
	else if (argc <= 3 && argc >= 2 && strcmp(argv[1], "stats") == 0)
		stats(argc == 3 ? argv[2] : "*");
	else if (argc == 2 && strcmp(argv[1], "top") == 0)
		top();
	else
		cprintf("sh: bus: pub TOPIC [text|0xHEX], echo PATTERN, "
			"stats [PATTERN] or top\n");
}
