/*
 * test_devfs.c - devnodes/ns.c and devnodes/devfs.c on the host bus,
 * started by the registry from their SERVICE() descriptors, through the
 * client calls: the same messages as in the kernel. A stand-in console
 * service records what devfs writes to it; devtree events are published
 * by a stand-in devtree service.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/devtree.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/node.h>
#include <aegis/tty.h>
#include <aegis/service.h>
#include <aegis/topics.h>
#include "unit.h"

/* The kernel collects these from a linker section; here, this table. */
static const struct driver_desc test_drivers[] = {
	{ "uart", "hal", (const char *const[]){ "ns16550a", NULL }, false },
	{ "gic", "hal", (const char *const[]){ "arm,gic-v3", NULL }, false },
	{ "clock", "clockdrv", (const char *const[]){ "test,clock", NULL },
	  true },
};

const struct driver_desc *driver_builtin(size_t *n)
{
	*n = 3;
	return test_drivers;
}

/* The kernel log is the kernel's; devfs's few lines are kept here. */
char devnodes_logged[256];

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(devnodes_logged, sizeof(devnodes_logged), fmt, ap);
	va_end(ap);
	return n;
}

extern const struct service_desc __start_aegis_services[];
extern const struct service_desc __stop_aegis_services[];

static char written[256];
static size_t nwritten;

/* The console's terminal as devfs forwards to it: writes are kept,
 * reads have nothing, an ioctl answers through the caller's grant. */
static int console_stand_in(void *s, const struct bus_msg *m,
			    struct bus_msg *r)
{
	struct node_req q;
	const char *buf;
	struct tty_caller *c;
	uint32_t n = 0, glen = 0;
	int rc = 0;

	(void)s;
	if (m->kind != BUS_REQUEST || m->len != sizeof(q))
		return 0;
	memcpy(&q, m->data, sizeof(q));
	if (m->topic == TOPIC_NODE_READ)
		return -AE_EAGAIN;
	if (m->topic == TOPIC_NODE_IOCTL) {
		c = bus_grant_map(m, q.out, BUS_GRANT_READ | BUS_GRANT_WRITE,
				  &glen);
		if (!c || glen < sizeof(*c))
			return -AE_EFAULT;
		c->sig = c->pid + 1;	/* seen, and answered */
		memcpy(r->data, &n, sizeof(n));
		r->len = sizeof(n);
		return 0;
	}
	if (m->topic != TOPIC_NODE_WRITE)
		return -AE_EINVAL;
	buf = node_req_buf(m, &q, BUS_GRANT_READ, &rc);
	if (!buf)
		return rc;
	if (nwritten + q.len < sizeof(written)) {
		memcpy(written + nwritten, buf, q.len);
		nwritten += q.len;
	}
	memcpy(r->data, &q.len, sizeof(q.len));
	r->len = sizeof(q.len);
	return 0;
}

/* The devtree stand-in re-publishes what the test sends it, so the
 * event comes from "devtree" as in the kernel. */
static struct devtree_event known[8];
static uint32_t nknown;

/* Keep what was announced, for devtree.count and devtree.device. */
static void remember(const struct bus_msg *m, bool attached)
{
	struct devtree_event ev;

	memcpy(&ev, m->data, sizeof(ev));
	ev.attached = attached;
	for (uint32_t i = 0; i < nknown; i++)
		if (known[i].index == ev.index) {
			known[i] = ev;
			return;
		}
	if (nknown < 8)
		known[nknown++] = ev;
}

static int devtree_stand_in(void *s, const struct bus_msg *m,
			    struct bus_msg *r)
{
	uint32_t i;

	(void)s;
	if (m->topic == (bus_topic_t)bus_topic("devtree.count")) {
		memcpy(r->data, &nknown, sizeof(nknown));
		r->len = sizeof(nknown);
		return 0;
	}
	if (m->topic == (bus_topic_t)bus_topic("devtree.device")) {
		memcpy(&i, m->data, sizeof(i));
		if (i >= nknown)
			return -AE_ENOENT;
		memcpy(r->data, &known[i], sizeof(known[i]));
		r->len = sizeof(known[i]);
		return 0;
	}
	if (m->topic == (bus_topic_t)bus_topic("test.announce") ||
	    m->topic == (bus_topic_t)bus_topic("test.remove"))
		remember(m, m->topic == (bus_topic_t)bus_topic("test.announce"));
	if (m->topic == (bus_topic_t)bus_topic("test.announce"))
		bus_publish((bus_topic_t)bus_topic("devtree.device.added"), 4,
			    m->data, m->len);
	if (m->topic == (bus_topic_t)bus_topic("test.remove"))
		bus_publish((bus_topic_t)bus_topic("devtree.device.removed"),
			    4, m->data, m->len);
	return 0;
}

/* The memory grant g names for m's handler (the test fails if none). */
static void *grant_or_fail(const struct bus_msg *m, bus_grant_t g,
			   uint32_t need)
{
	int rc;
	void *p = bus_grant_buf(m, g, need, BUS_GRANT_WRITE, &rc);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* A driver service: its device reads "tick <index>\n" from the offset
 * asked; reads of a device it was not told about are -ENODEV. */
static uint32_t clock_reads;

static int clock_stand_in(void *s, const struct bus_msg *m,
			  struct bus_msg *r)
{
	struct device_io io;
	char text[32];
	uint32_t n;

	(void)s;
	if (m->kind == BUS_REQUEST &&
	    m->topic == (bus_topic_t)bus_topic("device.ioctl")) {
		int32_t answer = 4;

		memcpy(&io, m->data, sizeof(io));
		if (io.cmd != 0x42)
			return -AE_ENOTTY;
		ck_assert_uint_ge(io.len, 4);
		memcpy(grant_or_fail(m, io.buf, 4), "abcd", 4);
		memcpy(r->data, &answer, sizeof(answer));
		r->len = sizeof(answer);
		return 0;
	}
	if (m->kind != BUS_REQUEST ||
	    m->topic != (bus_topic_t)bus_topic("device.read"))
		return 0;
	ck_assert_uint_eq(m->len, sizeof(io));
	memcpy(&io, m->data, sizeof(io));
	if (io.index != 7)
		return -AE_ENODEV;
	clock_reads++;
	snprintf(text, sizeof(text), "tick %u\n", io.index);
	n = (uint32_t)strlen(text);
	n = io.off >= n ? 0 : n - io.off;
	if (n > io.len)
		n = io.len;
	if (n)
		memcpy(grant_or_fail(m, io.buf, n), text + io.off, n);
	memcpy(r->data, &n, sizeof(n));
	r->len = sizeof(n);
	return 0;
}

/* The sched service's tick count, as devfs's /dev/timer asks it. */
static uint64_t sched_ticks;

static int sched_stand_in(void *s, const struct bus_msg *m,
			  struct bus_msg *r)
{
	(void)s;
	if (m->kind == BUS_EVENT) {
		sched_ticks += ((const struct bus_irq_event *)m->data)->count;
		return 0;
	}
	if (m->topic != (bus_topic_t)bus_topic("sched.ticks"))
		return -AE_ENOSYS;
	memcpy(r->data, &sched_ticks, sizeof(sched_ticks));
	r->len = sizeof(sched_ticks);
	return 0;
}

static const struct service_desc sched_desc = {
	.name = "sched", .handler = sched_stand_in,
	.subscribe = SERVICE_LIST("hw.irq.timer"),
	.serves = SERVICE_LIST("sched.ticks"),
};

static const struct service_desc clock_desc = {
	.name = "clockdrv", .handler = clock_stand_in,
	.serves = SERVICE_LIST("device.read", "device.ioctl"),
};

static const struct service_desc console_desc = {
	.name = "console", .handler = console_stand_in,
	.serves = SERVES_CONSOLE,
};
static const struct service_desc devtree_desc = {
	.name = "devtree", .handler = devtree_stand_in,
	.serves = SERVES_DEVTREE,
};

/* A device as the devtree service announces it (or its removal):
 * index in the tree, driver, unit among the driver's devices. */
static void device_event(const char *how, uint32_t index, int16_t driver,
			 uint8_t unit, uint32_t irq, const char *name)
{
	struct devtree_event ev;
	int dt = bus_svc_find("devtree");

	memset(&ev, 0, sizeof(ev));
	ev.index = index;
	ev.driver = driver;
	ev.unit = unit;
	ev.attached = how[5] == 'a';
	ev.irq = irq;
	ev.reg = 0x1000;
	strncpy(ev.name, name, sizeof(ev.name) - 1);
	ck_assert_int_ge(dt, 0);
	ck_assert_int_ge(bus_send((bus_svc_t)dt,
				  (bus_topic_t)bus_topic(how), 4,
				  &ev, sizeof(ev)), 0);
	bus_run(~0u);
}

static uint32_t next_index;

static void device_added(int16_t driver, uint32_t irq, const char *name)
{
	device_event("test.announce", next_index++, driver, 0, irq, name);
}

static void setup(void)
{
	const struct service_desc *d;

	bus_init(NULL);
	ck_assert_int_eq(service_init(NULL, 1, NULL), 0);
	ck_assert_int_eq(service_register(&console_desc), 0);
	ck_assert_int_eq(service_register(&devtree_desc), 0);
	ck_assert_int_eq(service_register(&clock_desc), 0);
	ck_assert_int_eq(service_register(&sched_desc), 0);
	sched_ticks = 0;
	next_index = 0;
	clock_reads = 0;
	nknown = 0;
	for (d = __start_aegis_services; d < __stop_aegis_services; d++)
		ck_assert_int_eq(service_register(d), 0);
	nwritten = 0;
	/* devfs mounts /dev when it handles its first message */
	bus_publish((bus_topic_t)bus_topic("kernel.boot.done"), 4, NULL, 0);
	bus_run(~0u);
}

START_TEST(test_devfs_null_reads_nothing_writes_everything)
{
	char buf[8];
	int fd = node_open("/dev/null", NODE_READ | NODE_WRITE,
			   NODE_CRED_KERNEL);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), 0);
	ck_assert_int_eq(node_write(fd, "abc", 3), 3);
	ck_assert_int_eq(node_close(fd), 0);
}
END_TEST

START_TEST(test_devfs_urandom_read_only_and_needs_its_service)
{
	char buf[8];
	int fd = node_open("/dev/urandom", NODE_READ | NODE_WRITE,
			   NODE_CRED_KERNEL);

	/* (docs/RANDOM.md) writes are refused even for root; with no
	 * random service running here, a read has nothing to give */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(node_write(fd, "abc", 3), -AE_EACCES);
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), -AE_EAGAIN);
	ck_assert_int_eq(node_close(fd), 0);
}
END_TEST

START_TEST(test_devfs_zero_fills)
{
	char buf[8];
	int fd = node_open("/dev/zero", NODE_READ, NODE_CRED_KERNEL);

	memset(buf, 1, sizeof(buf));
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), 8);
	ck_assert_int_eq(buf[0] | buf[7], 0);
}
END_TEST

START_TEST(test_devfs_terminal_write_reaches_the_console_whole)
{
	char text[100];
	int fd = node_open("/dev/ttyS0", NODE_WRITE, NODE_CRED_KERNEL);

	memset(text, 'q', sizeof(text));
	ck_assert_int_eq(node_write(fd, text, sizeof(text)), 100);
	ck_assert_uint_eq(nwritten, 100);
	ck_assert_int_eq(written[99], 'q');
}
END_TEST

START_TEST(test_devfs_terminal_read_and_ioctl_are_the_consoles)
{
	char buf[4];
	struct tty_caller c = { .pid = 41 };
	int fd = node_open("/dev/console", NODE_READ | NODE_WRITE,
			   NODE_CRED_KERNEL), tty;

	/* its answer, whatever it is (here: nothing typed) */
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), -AE_EAGAIN);
	/* the caller's side reaches it and its answer comes back */
	ck_assert_int_eq(node_tty(fd, TOPIC_NS_IOCTL, TTY_TCGETS, buf,
				  sizeof(buf), 0, &c), 0);
	ck_assert_int_eq(c.sig, 42);
	tty = node_open("/dev/tty", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(tty, 0);
	c.pid = 7;
	ck_assert_int_eq(node_tty(tty, TOPIC_NS_IOCTL, TTY_TCGETS, buf,
				  sizeof(buf), 0, &c), 0);
	ck_assert_int_eq(c.sig, 8);
	/* /dev/null takes no terminal requests */
	ck_assert_int_eq(node_tty(node_open("/dev/null", NODE_READ,
					    NODE_CRED_KERNEL),
				  TOPIC_NS_IOCTL, TTY_TCGETS, buf, sizeof(buf),
				  0, &c), -AE_ENOTTY);
}
END_TEST

START_TEST(test_devfs_timer_counts_interrupts)
{
	char buf[32];
	int fd;

	bus_irq_name(32, "hw.irq.timer");
	for (int i = 0; i < 3; i++) {
		bus_irq_post(32);
		bus_run(~0u);
	}
	fd = node_open("/dev/timer", NODE_READ, NODE_CRED_KERNEL);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_gt(node_read(fd, buf, sizeof(buf) - 1), 0);
	ck_assert_str_eq(buf, "ticks 3\n");
	/* the offset moved: a second read is at the end */
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), 0);
	/* the count is the sched service's: without it, its error */
	ck_assert_int_eq(service_stop("sched"), 0);
	fd = node_open("/dev/timer", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), -AE_ESHUTDOWN);
}
END_TEST

START_TEST(test_devfs_devices_from_devtree_events)
{
	struct node_dirent d;
	char buf[64];
	int fd, n = 0;

	device_added(0, 4, "serial");
	device_added(1, DEVTREE_NO_IRQ, "intc");
	device_added(-1, 7, "nobody");	/* no driver: no node */
	bus_run(~0u);
	fd = node_open("/dev", NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0; i++)
		n++;
	ck_assert_int_eq(n, 7 + 2);	/* the built-ins and the two */
	fd = node_open("/dev/uart0", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_gt(node_read(fd, buf, sizeof(buf) - 1), 0);
	ck_assert_ptr_nonnull(strstr(buf, "irq 4"));
	ck_assert_int_ge(node_open("/dev/gic0", NODE_READ, NODE_CRED_KERNEL),
			 0);
}
END_TEST

START_TEST(test_devfs_event_from_another_service_ignored)
{
	struct devtree_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.driver = 0;
	bus_publish((bus_topic_t)bus_topic("devtree.device.added"), 4, &ev,
		    sizeof(ev));
	bus_run(~0u);
	ck_assert_int_eq(node_open("/dev/uart0", NODE_READ, NODE_CRED_KERNEL),
			 -AE_ENOENT);
}
END_TEST

START_TEST(test_devfs_mode_checked_for_each_open)
{
	struct node_cred user = { 1000, 1000, 0 }, dialout = { 1000, 20, 0 };

	ck_assert_int_eq(node_open("/dev/ttyS0", NODE_WRITE, user),
			 -AE_EACCES);
	ck_assert_int_ge(node_open("/dev/ttyS0", NODE_WRITE, dialout), 0);
	ck_assert_int_ge(node_open("/dev/ttyS0", NODE_READ, dialout), 0);
	ck_assert_int_ge(node_open("/dev/null", NODE_WRITE, user), 0);
	ck_assert_int_eq(node_open("/dev/timer", NODE_WRITE, user),
			 -AE_EACCES);
}
END_TEST

START_TEST(test_devfs_stat_reports_mode_and_owner)
{
	struct node_stat st;

	ck_assert_int_eq(node_stat("/dev/console", &st, NODE_CRED_KERNEL), 0);
	ck_assert_uint_eq(st.kind, NODE_KIND_TTY);
	ck_assert_uint_eq(st.mode, 0620);
	ck_assert_uint_eq(st.gid, 5);
	ck_assert_int_eq(node_stat("/dev", &st, NODE_CRED_KERNEL), 0);
	ck_assert_uint_eq(st.kind, NODE_KIND_DIR);
	ck_assert_int_eq(node_stat("/", &st, NODE_CRED_KERNEL), 0);
	ck_assert_uint_eq(st.kind, NODE_KIND_DIR);
	ck_assert_int_eq(node_stat("/dev/missing", &st, NODE_CRED_KERNEL),
			 -AE_ENOENT);
}
END_TEST

START_TEST(test_ns_bad_paths_refused)
{
	char longpath[NODE_PATH_MAX + 8];

	ck_assert_int_eq(node_open("relative", NODE_READ, NODE_CRED_KERNEL),
			 -AE_EINVAL);
	ck_assert_int_eq(node_open("", NODE_READ, NODE_CRED_KERNEL),
			 -AE_EINVAL);
	ck_assert_int_eq(node_open(NULL, NODE_READ, NODE_CRED_KERNEL),
			 -AE_EFAULT);
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(node_open(longpath, NODE_READ, NODE_CRED_KERNEL),
			 -AE_ENAMETOOLONG);
	ck_assert_int_eq(node_open("/nowhere", NODE_READ, NODE_CRED_KERNEL),
			 -AE_ENOENT);
}
END_TEST

START_TEST(test_ns_flags_and_directories)
{
	ck_assert_int_eq(node_open("/dev/null", 0, NODE_CRED_KERNEL),
			 -AE_EINVAL);
	ck_assert_int_eq(node_open("/dev/null", 0x80 | NODE_READ,
				   NODE_CRED_KERNEL), -AE_EINVAL);
	ck_assert_int_eq(node_open("/dev", NODE_READ, NODE_CRED_KERNEL),
			 -AE_EISDIR);
	ck_assert_int_eq(node_open("/", NODE_DIR | NODE_WRITE,
				   NODE_CRED_KERNEL), -AE_EISDIR);
	ck_assert_int_eq(node_open("/dev/zero", NODE_DIR | NODE_READ,
				   NODE_CRED_KERNEL), -AE_ENOTDIR);
}
END_TEST

START_TEST(test_ns_handles_checked)
{
	char b[4];
	int fd = node_open("/dev/zero", NODE_READ, NODE_CRED_KERNEL);

	ck_assert_int_eq(node_write(fd, "x", 1), -AE_EBADF);
	ck_assert_int_eq(node_close(fd), 0);
	ck_assert_int_eq(node_read(fd, b, 4), -AE_EBADF);
	ck_assert_int_eq(node_read(-5, b, 4), -AE_EBADF);
	ck_assert_int_eq(node_read(NODE_FILES_MAX, b, 4), -AE_EBADF);
}
END_TEST

START_TEST(test_ns_file_table_fills_up)
{
	int fd = 0, n = 0;

	while ((fd = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL)) >= 0)
		n++;
	ck_assert_int_eq(fd, -AE_EMFILE);
	ck_assert_int_eq(n, NODE_FILES_MAX);
}
END_TEST

START_TEST(test_ns_root_lists_mounts)
{
	struct node_dirent d;
	int fd = node_open("/", NODE_DIR | NODE_READ, NODE_CRED_KERNEL);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(node_readdir(fd, 0, &d), 0);
	ck_assert_str_eq(d.name, "dev");
	ck_assert_int_eq(node_readdir(fd, 1, &d), 0);	/* sysfs, linked in */
	ck_assert_str_eq(d.name, "sys");
	ck_assert_int_eq(node_readdir(fd, 2, &d), -AE_ENOENT);
	ck_assert_int_eq(node_read(fd, &d, 4), -AE_EISDIR);
}
END_TEST

START_TEST(test_ns_mount_taken_refused)
{
	int ns = bus_svc_find("ns"), t = bus_topic("ns.mount");
	struct bus_msg reply;

	/* the kernel (not devfs) asking for "dev" */
	ck_assert_int_eq(bus_call((bus_svc_t)ns, (bus_topic_t)t, "dev", 3,
				  &reply), -AE_EEXIST);
	ck_assert_int_eq(bus_call((bus_svc_t)ns, (bus_topic_t)t, "a/b", 3,
				  &reply), -AE_EINVAL);
}
END_TEST

START_TEST(test_ns_owner_restart_makes_files_stale)
{
	char b[4];
	int fd = node_open("/dev/zero", NODE_READ, NODE_CRED_KERNEL);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(service_restart("devfs"), 0);
	bus_run(~0u);
	ck_assert_int_eq(node_read(fd, b, 4), -AE_ESTALE);
	ck_assert_int_eq(node_close(fd), 0);
	/* new opens work again once devfs has remounted */
	bus_publish((bus_topic_t)bus_topic("kernel.boot.done"), 4, NULL, 0);
	bus_run(~0u);
	ck_assert_int_ge(node_open("/dev/zero", NODE_READ, NODE_CRED_KERNEL),
			 0);
}
END_TEST

START_TEST(test_devfs_read_at_offsets_of_a_device_text)
{
	char a[8], b[64];
	int fd;

	device_added(0, 4, "serial");
	fd = node_open("/dev/uart0", NODE_READ, NODE_CRED_KERNEL);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ck_assert_int_eq(node_read(fd, a, 7), 7);	/* "serial:" */
	ck_assert_str_eq(a, "serial:");
	ck_assert_int_gt(node_read(fd, b, sizeof(b) - 1), 0);
	ck_assert_ptr_nonnull(strstr(b, "irq 4"));
	ck_assert_int_eq(node_read(fd, b, sizeof(b)), 0);	/* the end */
}
END_TEST

START_TEST(test_devfs_ioctl_not_taken)
{
	int fd = node_open("/dev/zero", NODE_READ, NODE_CRED_KERNEL);

	ck_assert_int_eq(node_ioctl(fd, 1, NULL, 0), -AE_ENOTTY);
	ck_assert_int_eq(node_ioctl(NODE_FILES_MAX - 1, 1, NULL, 0),
			 -AE_EBADF);
}
END_TEST

START_TEST(test_devfs_readdir_past_end_and_on_a_device)
{
	struct node_dirent d;
	int dir = node_open("/dev", NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	int dev = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);

	ck_assert_int_eq(node_readdir(dir, 1000, &d), -AE_ENOENT);
	ck_assert_int_eq(node_readdir(dev, 0, &d), -AE_ENOTDIR);
	ck_assert_int_eq(node_readdir(dir, 0, NULL), -AE_EFAULT);
	ck_assert_int_eq(node_write(dir, "x", 1), -AE_EBADF);
}
END_TEST

START_TEST(test_devfs_console_without_console_service)
{
	int fd = node_open("/dev/console", NODE_WRITE, NODE_CRED_KERNEL);

	ck_assert_int_eq(service_stop("console"), 0);
	ck_assert_int_eq(node_write(fd, "lost?", 5), -AE_ESHUTDOWN);
	ck_assert_uint_eq(nwritten, 0);
}
END_TEST

START_TEST(test_devfs_device_read_goes_to_its_driver)
{
	char buf[16];
	int fd;

	device_event("test.announce", 7, 2, 3, DEVTREE_NO_IRQ, "clk");
	fd = node_open("/dev/clock3", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(node_read(fd, buf, 5), 5);
	ck_assert_str_eq(buf, "tick ");
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), 2);	/* "7\n" */
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(clock_reads, 3);
	/* an ioctl goes to the driver too, with the buffer lent */
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(node_ioctl(fd, 0x42, buf, 8), 4);
	ck_assert_str_eq(buf, "abcd");
	ck_assert_int_eq(node_ioctl(fd, 0x43, buf, 8), -AE_ENOTTY);
	/* the driver's error is the reader's */
	device_event("test.announce", 8, 2, 4, DEVTREE_NO_IRQ, "clk");
	fd = node_open("/dev/clock4", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_eq(node_read(fd, buf, 4), -AE_ENODEV);
	/* a driver that is not running */
	ck_assert_int_eq(service_stop("clockdrv"), 0);
	fd = node_open("/dev/clock3", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_eq(node_read(fd, buf, 4), -AE_ESHUTDOWN);
}
END_TEST

START_TEST(test_devfs_hotplug_node_vanishes_and_returns)
{
	struct node_dirent d;
	char buf[16];
	int old, fresh, n = 0;

	device_event("test.announce", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	old = node_open("/dev/clock0", NODE_READ | NODE_WRITE,
			NODE_CRED_KERNEL);
	ck_assert_int_ge(old, 0);
	device_event("test.remove", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	/* gone from the directory and from lookups */
	ck_assert_int_eq(node_open("/dev/clock0", NODE_READ,
				   NODE_CRED_KERNEL), -AE_ENOENT);
	fresh = node_open("/dev", NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	for (uint32_t i = 0; node_readdir(fresh, i, &d) == 0; i++) {
		ck_assert_str_ne(d.name, "clock0");
		n++;
	}
	ck_assert_int_eq(n, 7);
	/* the open handle: no device, never a crash, and closable */
	ck_assert_int_eq(node_read(old, buf, sizeof(buf)), -AE_ENODEV);
	ck_assert_int_eq(node_write(old, "x", 1), -AE_ENODEV);
	/* back under the same name; the old handle stays dead */
	device_event("test.announce", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	fresh = node_open("/dev/clock0", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fresh, 0);
	ck_assert_int_eq(node_read(fresh, buf, sizeof(buf)), 7);
	ck_assert_int_eq(node_read(old, buf, sizeof(buf)), -AE_ENODEV);
	ck_assert_int_eq(node_close(old), 0);
	ck_assert_int_eq(node_close(fresh), 0);
}
END_TEST

START_TEST(test_devfs_removal_of_unknown_device_ignored)
{
	int fd;

	device_event("test.remove", 9, 2, 0, DEVTREE_NO_IRQ, "clk");
	device_event("test.announce", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	/* announced twice (a devtree restart): still one node */
	device_event("test.announce", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	fd = node_open("/dev/clock0", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fd, 0);
	device_event("test.remove", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	device_event("test.remove", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	ck_assert_int_eq(node_open("/dev/clock0", NODE_READ,
				   NODE_CRED_KERNEL), -AE_ENOENT);
}
END_TEST

/* ns itself restarts: its handles are stale, never another file's (the
 * new instance hands out the same slots), closing one is fine, and /dev
 * and /sys come back by themselves (devfs and sysfs hear "service.up"). */
START_TEST(test_ns_restart_stales_handles_and_mounts_come_back)
{
	char b[8];
	int old = node_open("/dev/zero", NODE_READ, NODE_CRED_KERNEL);
	int old2 = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);
	int fresh, sys;

	ck_assert_int_ge(old, 0);
	ck_assert_int_ge(old2, 0);
	ck_assert_int_eq(service_restart("ns"), 0);
	bus_run(~0u);
	fresh = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fresh, 0);
	ck_assert_int_eq(fresh & 0xffff, old & 0xffff);	/* the same slot */
	ck_assert_int_ne(fresh, old);
	memset(b, 1, sizeof(b));
	ck_assert_int_eq(node_read(old, b, 4), -AE_ESTALE);
	ck_assert_int_eq(b[0], 1);		/* nothing read */
	ck_assert_int_eq(node_read(fresh, b, 4), 0);	/* /dev/null */
	ck_assert_int_eq(node_close(old), 0);
	ck_assert_int_eq(node_close(old2), 0);
	ck_assert_int_eq(node_read(fresh, b, 4), 0);	/* not closed by it */
	ck_assert_int_eq(node_close(fresh), 0);
	sys = node_open("/sys/bus/pending", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(sys, 0);
	ck_assert_int_gt(node_read(sys, b, sizeof(b)), 0);
	ck_assert_int_eq(node_close(sys), 0);
	/* another generation is stale; no generation at all is just bad */
	ck_assert_int_eq(node_read(0x7fff0000 | 3, b, 1), -AE_ESTALE);
	ck_assert_int_eq(node_read(40, b, 1), -AE_EBADF);
}
END_TEST

/* ns restarts and keeps its mounts: /dev answers at once, though devfs
 * hears nothing of the new ns (no "service.up"), so no path fails in
 * between; and devfs, at its next message, finds its mount kept. */
START_TEST(test_ns_restart_keeps_mounts)
{
	int devfs = bus_svc_find("devfs"), fd;

	ck_assert_int_ge(devfs, 0);
	ck_assert_int_eq(bus_unsubscribe((bus_svc_t)devfs, "service.up"), 0);
	ck_assert_int_eq(service_restart("ns"), 0);
	bus_run(~0u);
	fd = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(node_close(fd), 0);
	/* any message: a device devtree announces; devfs mounts again */
	device_event("test.announce", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	fd = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(node_close(fd), 0);
}
END_TEST

static int fsx_handle(void *state, const struct bus_msg *m,
		      struct bus_msg *r)
{
	(void)state;
	(void)m;
	(void)r;
	return -AE_ENOSYS;
}

static int mount_x(void *ctx)
{
	(void)ctx;
	return node_mount("x");
}

/* A kept mount whose owner is gone is dropped by the restarted ns (a
 * path under it is no such entry, never a message to a stale id). */
START_TEST(test_ns_restart_drops_a_mount_whose_owner_is_gone)
{
	int s = bus_svc_add("fsx", fsx_handle, NULL, 4, BUS_PRIO_DEFAULT);
	struct node_stat st;

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bus_run_as((bus_svc_t)s, mount_x, NULL), 0);
	ck_assert_int_eq(bus_svc_remove((bus_svc_t)s), 0);
	ck_assert_int_eq(service_restart("ns"), 0);
	bus_run(~0u);
	ck_assert_int_eq(node_stat("/x", &st, NODE_CRED_KERNEL), -AE_ENOENT);
	ck_assert_int_ge(node_stat("/dev", &st, NODE_CRED_KERNEL), 0);
}
END_TEST

/* ns's files: a caller without privilege must leave NODE_FILES_RESERVE
 * of them to root, who can still open the last one. */
START_TEST(test_ns_files_keep_a_reserve_for_root)
{
	struct node_cred user = { 1000, 1000, 0 };
	int fds[NODE_FILES_MAX], n = 0, rc;

	while ((rc = node_open("/dev/null", NODE_READ, user)) >= 0)
		fds[n++] = rc;
	ck_assert_int_eq(rc, -AE_EMFILE);
	ck_assert_int_eq(n, NODE_FILES_MAX - NODE_FILES_RESERVE);
	while ((rc = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL)) >= 0)
		fds[n++] = rc;
	ck_assert_int_eq(rc, -AE_EMFILE);
	ck_assert_int_eq(n, NODE_FILES_MAX);
	ck_assert_int_eq(node_close(fds[0]), 0);
	ck_assert_int_eq(node_open("/dev/null", NODE_READ, user), -AE_EMFILE);
	for (int i = 1; i < n; i++)
		ck_assert_int_eq(node_close(fds[i]), 0);
	ck_assert_int_ge(node_open("/dev/null", NODE_READ, user), 0);
}
END_TEST

START_TEST(test_node_slot_allowed)
{
	ck_assert(node_slot_allowed(11, 16, 4, 1000));
	ck_assert(!node_slot_allowed(12, 16, 4, 1000));
	ck_assert(node_slot_allowed(15, 16, 4, 0));
	ck_assert(!node_slot_allowed(16, 16, 4, 0));
}
END_TEST

START_TEST(test_devfs_restart_learns_attached_devices)
{
	char buf[16];
	int fd;

	device_event("test.announce", 7, 2, 0, DEVTREE_NO_IRQ, "clk");
	device_event("test.announce", 5, 2, 1, DEVTREE_NO_IRQ, "clk");
	device_event("test.remove", 5, 2, 1, DEVTREE_NO_IRQ, "clk");
	ck_assert_int_eq(service_restart("devfs"), 0);
	bus_run(~0u);
	/* the announcements went by before this devfs: it asks devtree */
	fd = node_open("/dev/clock0", NODE_READ, NODE_CRED_KERNEL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(node_read(fd, buf, sizeof(buf)), 7);
	ck_assert_int_eq(node_open("/dev/clock1", NODE_READ,
				   NODE_CRED_KERNEL), -AE_ENOENT);
}
END_TEST

Suite *suite_devfs(void)
{
	Suite *s = suite_create("devfs");
	TCase *tc = tcase_create("devfs");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_devfs_null_reads_nothing_writes_everything);
	tcase_add_test(tc, test_devfs_urandom_read_only_and_needs_its_service);
	tcase_add_test(tc, test_devfs_zero_fills);
	tcase_add_test(tc, test_devfs_terminal_write_reaches_the_console_whole);
	tcase_add_test(tc, test_devfs_terminal_read_and_ioctl_are_the_consoles);
	tcase_add_test(tc, test_devfs_timer_counts_interrupts);
	tcase_add_test(tc, test_devfs_devices_from_devtree_events);
	tcase_add_test(tc, test_devfs_event_from_another_service_ignored);
	tcase_add_test(tc, test_devfs_mode_checked_for_each_open);
	tcase_add_test(tc, test_devfs_stat_reports_mode_and_owner);
	tcase_add_test(tc, test_ns_bad_paths_refused);
	tcase_add_test(tc, test_ns_flags_and_directories);
	tcase_add_test(tc, test_ns_handles_checked);
	tcase_add_test(tc, test_ns_file_table_fills_up);
	tcase_add_test(tc, test_ns_root_lists_mounts);
	tcase_add_test(tc, test_ns_mount_taken_refused);
	tcase_add_test(tc, test_ns_owner_restart_makes_files_stale);
	tcase_add_test(tc, test_devfs_read_at_offsets_of_a_device_text);
	tcase_add_test(tc, test_devfs_ioctl_not_taken);
	tcase_add_test(tc, test_devfs_readdir_past_end_and_on_a_device);
	tcase_add_test(tc, test_devfs_console_without_console_service);
	tcase_add_test(tc, test_devfs_device_read_goes_to_its_driver);
	tcase_add_test(tc, test_devfs_hotplug_node_vanishes_and_returns);
	tcase_add_test(tc, test_devfs_removal_of_unknown_device_ignored);
	tcase_add_test(tc, test_devfs_restart_learns_attached_devices);
	tcase_add_test(tc, test_ns_restart_stales_handles_and_mounts_come_back);
	tcase_add_test(tc, test_ns_restart_keeps_mounts);
	tcase_add_test(tc, test_ns_restart_drops_a_mount_whose_owner_is_gone);
	tcase_add_test(tc, test_ns_files_keep_a_reserve_for_root);
	tcase_add_test(tc, test_node_slot_allowed);
	suite_add_tcase(s, tc);
	return s;
}
