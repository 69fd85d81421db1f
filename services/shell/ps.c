/*
 * ps.c - the shell's ps, top, uptime and dmesg.
 *
 *   ps       services (state, handler runs, CPU time in their handlers,
 *            queued), then threads (/sys/sched/threads) and processes
 *            (/sys/proc/usage)
 *   top      ps again each second until a key is pressed
 *   uptime   time since boot, and how many services, threads, processes
 *   dmesg    the kernel log kept since boot (its first 16 KiB, then the
 *            newest 16 KiB)
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/node.h>
#include <aegis/topics.h>
#include "ps.h"

#define TOP_TICKS	100	/* timer events between refreshes: 1 s */

static bool topping;
static unsigned int ticks;

bool sh_cat_file(const char *cmd, const char *path)
{
	char buf[64];
	int fd = node_open(path, NODE_READ, NODE_CRED_KERNEL), n;

	if (fd < 0) {
		cprintf("sh: %s: %s: %s\n", cmd, path, errno_desc(fd));
		return false;
	}
	while ((n = node_read(fd, buf, sizeof(buf))) > 0)
		kcons_write(buf, (size_t)n);
	node_close(fd);
	if (n < 0)
		cprintf("sh: %s: %s: %s\n", cmd, path, errno_desc(n));
	return n == 0;
}

/* Lines of a node's text (threads, processes), header excluded. */
static int rows_of(const char *path)
{
	char buf[64];
	int fd = node_open(path, NODE_READ, NODE_CRED_KERNEL), n, rows = 0;

	if (fd < 0)
		return fd;
	while ((n = node_read(fd, buf, sizeof(buf))) > 0)
		for (int i = 0; i < n; i++)
			rows += buf[i] == '\n';
	node_close(fd);
	return n < 0 ? n : rows - 1;
}

void ps(void)
{
	static const char *const states[] = {
		"free", "running", "stopped", "failed" };

	cprintf("services\nname             state      handled   cpu_ms "
		"queued\n");
	for (unsigned int s = 0; s < bus_svc_span(); s++) {
		struct bus_svc_stats st;
		enum bus_svc_state state = bus_svc_state((bus_svc_t)s);
		uint64_t us;

		if (state == BUS_SVC_FREE || bus_svc_stats((bus_svc_t)s, &st))
			continue;
		us = ns_of_cycles(st.run) / 1000;
		cprintf("%-16s %-8s %9llu %5llu.%01llu %6u\n",
			bus_svc_name((bus_svc_t)s), states[state],
			(unsigned long long)st.handled,
			(unsigned long long)(us / 1000),
			(unsigned long long)(us % 1000 / 100), st.pending);
	}
	cprintf("threads\n");
	sh_cat_file("ps", "/sys/sched/threads");
	cprintf("processes\n");
	sh_cat_file("ps", "/sys/proc/usage");
}

bool top_start(void)
{
	const char *why = "";
	int rc = bus_subscribe(bus_current(), "hw.irq.timer", &why);

	if (rc) {
		cprintf("sh: top: hw.irq.timer: %s\n",
			rc == -AE_EINVAL ? why : errno_desc(rc));
		return false;
	}
	topping = true;
	ticks = 0;
	ps();
	cprintf("top: every second; any key stops\n");
	return true;
}

void top_stop(void)
{
	if (!topping)
		return;
	bus_unsubscribe(bus_current(), "hw.irq.timer");
	topping = false;
	cprintf("top: stopped\n");
}

void top_event(const struct bus_msg *m)
{
	struct bus_irq_event ev;

	if (!topping || m->topic != TOPIC_HW_IRQ_TIMER ||
	    m->src != BUS_SVC_KERNEL || m->len != sizeof(ev))
		return;
	memcpy(&ev, m->data, sizeof(ev));
	ticks += ev.count;
	if (ticks < TOP_TICKS)
		return;
	ticks = 0;
	ps();
	cprintf("top: every second; any key stops\n");
}

void uptime(void)
{
	uint64_t ms = clock_ns() / 1000000;
	unsigned int services = 0;
	int threads = rows_of("/sys/sched/threads");
	int procs = rows_of("/sys/proc/usage");

	for (unsigned int s = 0; s < bus_svc_span(); s++)
		services += bus_svc_state((bus_svc_t)s) != BUS_SVC_FREE;
	cprintf("up %llu:%02llu:%02llu.%03llu, %u services, %d threads, "
		"%d processes\n", (unsigned long long)(ms / 3600000),
		(unsigned long long)(ms / 60000 % 60),
		(unsigned long long)(ms / 1000 % 60),
		(unsigned long long)(ms % 1000), services,
		threads < 0 ? 0 : threads, procs < 0 ? 0 : procs);
}

static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	kcons_write(s, n);
}

void dmesg(void)
{
	klog_dump(out, NULL);
}
