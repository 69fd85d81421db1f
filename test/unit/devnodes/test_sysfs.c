/*
 * test_sysfs.c - devnodes/sysfs.c on the host bus, through ns and the
 * client calls, with stand-ins for the services it reads: console (the
 * trace filter), devtree (a small tree), mm (page counts) and "widget",
 * a service with a /sys directory of its own (aegis/sysfs.h). The
 * kernel's log level lives in kernel/log.c; here, two functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/devtree.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/route.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>
#include <aegis/trace.h>
#include <aegis/topics.h>
#include "unit.h"

extern char devnodes_logged[256];	/* test_devfs.c's kprintf */
extern const struct service_desc __start_aegis_services[];
extern const struct service_desc __stop_aegis_services[];

static uint32_t level = 6;

uint32_t klog_level(void)
{
	return level;
}

int klog_set_level(uint32_t l)
{
	if (l > 7)
		return -AE_EINVAL;
	level = l;
	return 0;
}

/* ---- stand-ins ---------------------------------------------------------- */

static int console_stand_in(void *s, const struct bus_msg *m,
			    struct bus_msg *r)
{
	char text[BUS_INLINE_MAX + 1];
	const char *why;

	(void)s;
	(void)r;
	if (m->kind != BUS_REQUEST ||
	    m->topic != (bus_topic_t)bus_topic("trace.filter"))
		return 0;
	memcpy(text, m->data, m->len);
	text[m->len] = '\0';
	return trace_filter_set(text, &why);
}

/* The tree: /isa (no driver), /isa/serial@3f8 (uart0, attached),
 * /isa/rtc@70 (clock0, detached), /timer (refused). */
static const struct devtree_info tree[] = {
	{ .path = "/isa", .compatible = "isa", .driver = -1, .attached = 1 },
	{ .path = "/isa/serial@3f8", .compatible = "ns16550a",
	  .reg_base = { 0x3f8 }, .reg_size = { 8 }, .nreg = 1,
	  .irq = { 4 }, .nirq = 1, .driver = 0, .attached = 1 },
	{ .path = "/isa/rtc@70", .compatible = "motorola,mc146818",
	  .reg_base = { 0x70 }, .reg_size = { 2 }, .nreg = 1, .driver = 2 },
	{ .path = "/timer", .compatible = "intel,lapic-timer",
	  .why = "interrupt 32 held by /other", .irq = { 32 }, .nirq = 1,
	  .driver = 1 },
};
#define NTREE (sizeof(tree) / sizeof(tree[0]))

static int devtree_stand_in(void *s, const struct bus_msg *m,
			    struct bus_msg *r)
{
	struct devtree_info_req q;
	struct devtree_event ev;
	uint32_t n = NTREE, i;

	(void)s;
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == (bus_topic_t)bus_topic("devtree.count")) {
		memcpy(r->data, &n, sizeof(n));
		r->len = sizeof(n);
		return 0;
	}
	if (m->topic == (bus_topic_t)bus_topic("devtree.device")) {
		memcpy(&i, m->data, sizeof(i));
		if (i >= NTREE)
			return -AE_ENOENT;
		memset(&ev, 0, sizeof(ev));
		ev.index = i;
		ev.driver = (int16_t)tree[i].driver;
		ev.attached = (uint8_t)tree[i].attached;
		memcpy(r->data, &ev, sizeof(ev));
		r->len = sizeof(ev);
		return 0;
	}
	if (m->topic != (bus_topic_t)bus_topic("devtree.info") ||
	    m->len != sizeof(q))
		return -AE_EINVAL;
	memcpy(&q, m->data, sizeof(q));
	if (q.index >= NTREE)
		return -AE_ENOENT;
	{
		int rc;
		void *out = bus_grant_buf(m, q.out, sizeof(tree[0]),
					  BUS_GRANT_WRITE, &rc);

		if (!out)
			return rc;
		memcpy(out, &tree[q.index], sizeof(tree[0]));
	}
	return 0;
}

static int mm_stand_in(void *s, const struct bus_msg *m, struct bus_msg *r)
{
	struct mm_stats st = { 1000, 750, 50, 8, 0, 0 };

	(void)s;
	if (m->kind != BUS_REQUEST ||
	    m->topic != (bus_topic_t)bus_topic("mm.stats"))
		return -AE_ENOSYS;
	memcpy(r->data, &st, sizeof(st));
	r->len = sizeof(st);
	return 0;
}

/* widget: /sys/widget/size (0644, a number 1..99) and /sys/widget/id
 * (0444). */
static uint32_t widget_size = 10;

static int widget_stand_in(void *s, const struct bus_msg *m,
			   struct bus_msg *r)
{
	static const struct sysfs_attr attrs[] = {
		{ "size", 0644, 0 }, { "id", 0444, 0 },
	};
	struct sysfs_io io;
	uint32_t i, n;
	char *buf;
	int rc;

	(void)s;
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == (bus_topic_t)bus_topic("sysfs.attr")) {
		memcpy(&i, m->data, sizeof(i));
		if (i >= 2)
			return -AE_ENOENT;
		memcpy(r->data, &attrs[i], sizeof(attrs[i]));
		r->len = sizeof(attrs[i]);
		return 0;
	}
	buf = sysfs_io_take(m, &io,
			    m->topic != (bus_topic_t)bus_topic("sysfs.show"),
			    &rc);
	ck_assert_ptr_nonnull(buf);
	if (m->topic == (bus_topic_t)bus_topic("sysfs.show")) {
		n = (uint32_t)snprintf(buf, io.len,
				       "%u\n", io.index ? 42 : widget_size);
		memcpy(r->data, &n, sizeof(n));
		r->len = sizeof(n);
		return 0;
	}
	/* store: the value arrives NUL-terminated, newline taken off */
	if (sscanf(buf, "%u%n", &i, (int *)&n) != 1
	    || n != io.len || i < 1 || i > 99)
		return -AE_EINVAL;
	widget_size = i;
	return 0;
}

static const struct service_desc stand_ins[] = {
	{ .name = "console", .handler = console_stand_in,
	  .serves = SERVES_CONSOLE },
	{ .name = "devtree", .handler = devtree_stand_in,
	  .serves = SERVES_DEVTREE },
	{ .name = "mm", .handler = mm_stand_in, .serves = SERVES_MM },
	{ .name = "widget", .handler = widget_stand_in, .sysfs = "widget",
	  .serves = SERVICE_LIST("sysfs.attr", "sysfs.show", "sysfs.store") },
};

static void setup(void)
{
	const struct service_desc *d;

	bus_init(NULL);
	bus_rule_clear();
	ck_assert_int_eq(service_init(NULL, 1, NULL), 0);
	for (unsigned int i = 0; i < sizeof(stand_ins) / sizeof(stand_ins[0]);
	     i++)
		ck_assert_int_eq(service_register(&stand_ins[i]), 0);
	for (d = __start_aegis_services; d < __stop_aegis_services; d++)
		ck_assert_int_eq(service_register(d), 0);
	level = 6;
	widget_size = 10;
	trace_filter_set("off", NULL);
	bus_publish((bus_topic_t)bus_topic("kernel.boot.done"), 4, NULL, 0);
	bus_run(~0u);
}

/* ---- helpers ------------------------------------------------------------ */

/* The whole text of a node, read 7 bytes at a time. */
static int cat(const char *path, char *buf, size_t size)
{
	int fd = node_open(path, NODE_READ, NODE_CRED_KERNEL), n, got = 0;

	if (fd < 0)
		return fd;
	while ((size_t)got + 8 < size &&
	       (n = node_read(fd, buf + got, 7)) > 0)
		got += n;
	buf[got] = '\0';
	node_close(fd);
	return got;
}

static int echo(const char *path, const char *text, struct node_cred c)
{
	int fd = node_open(path, NODE_WRITE, c), rc;

	if (fd < 0)
		return fd;
	rc = node_write(fd, text, (uint32_t)strlen(text));
	node_close(fd);
	return rc < 0 ? rc : 0;
}

static bool listed(const char *dir, const char *name)
{
	struct node_dirent d;
	int fd = node_open(dir, NODE_DIR | NODE_READ, NODE_CRED_KERNEL);
	bool found = false;

	ck_assert_int_ge(fd, 0);
	for (uint32_t i = 0; node_readdir(fd, i, &d) == 0; i++)
		found |= strcmp(d.name, name) == 0;
	node_close(fd);
	return found;
}

#define ROOT NODE_CRED_KERNEL

/* ---- cases -------------------------------------------------------------- */

START_TEST(test_sysfs_root_lists_fixed_and_service_dirs)
{
	ck_assert(listed("/sys", "bus"));
	ck_assert(listed("/sys", "devices"));
	ck_assert(listed("/sys", "kernel"));
	ck_assert(listed("/sys", "mm"));
	ck_assert(listed("/sys", "widget"));
	ck_assert(listed("/sys/bus", "rules"));
	ck_assert(listed("/sys/bus/services", "sysfs"));
	ck_assert(listed("/sys/bus/topics", "kernel.boot.done"));
	ck_assert(!listed("/sys", "nothing"));
}
END_TEST

START_TEST(test_sysfs_service_counters_read_live)
{
	char a[32], b[32];

	ck_assert_int_gt(cat("/sys/bus/services/widget/state", a, sizeof(a)),
			 0);
	ck_assert_str_eq(a, "running\n");
	cat("/sys/bus/services/widget/handled", a, sizeof(a));
	bus_publish((bus_topic_t)bus_topic("kernel.boot.done"), 4, NULL, 0);
	bus_run(~0u);
	cat("/sys/bus/services/ns/handled", b, sizeof(b));
	ck_assert_uint_gt(strtoull(b, NULL, 10), 0);
	ck_assert_int_eq(cat("/sys/bus/services/ns/bogus", a, sizeof(a)),
			 -AE_ENOENT);
	ck_assert_int_eq(cat("/sys/bus/services/nobody/state", a, sizeof(a)),
			 -AE_ENOENT);
}
END_TEST

START_TEST(test_sysfs_state_write_stops_and_starts)
{
	char a[32];

	ck_assert_int_eq(echo("/sys/bus/services/widget/state", "stop\n",
			      ROOT), 0);
	cat("/sys/bus/services/widget/state", a, sizeof(a));
	ck_assert_str_eq(a, "stopped\n");
	/* its own directory answers with the owner's state */
	ck_assert_int_eq(cat("/sys/widget/size", a, sizeof(a)),
			 -AE_ESHUTDOWN);
	ck_assert_int_eq(echo("/sys/bus/services/widget/state", "start",
			      ROOT), 0);
	cat("/sys/bus/services/widget/state", a, sizeof(a));
	ck_assert_str_eq(a, "running\n");
	/* a bad verb: refused with the reason, nothing changes */
	ck_assert_int_eq(echo("/sys/bus/services/widget/state", "pause",
			      ROOT), -AE_EINVAL);
	ck_assert_ptr_nonnull(strstr(devnodes_logged, "stop, start or"));
	cat("/sys/bus/services/widget/state", a, sizeof(a));
	ck_assert_str_eq(a, "running\n");
	/* sysfs cannot stop itself from inside its own request */
	ck_assert_int_eq(echo("/sys/bus/services/sysfs/state", "stop", ROOT),
			 -AE_EBUSY);
}
END_TEST

START_TEST(test_sysfs_topic_subscribers_and_counts)
{
	char a[64], b[64];

	cat("/sys/bus/topics/kernel.boot.done/subscribers", a, sizeof(a));
	ck_assert_ptr_nonnull(strstr(a, "sysfs"));
	ck_assert_ptr_nonnull(strstr(a, "devfs"));
	cat("/sys/bus/topics/kernel.boot.done/published", a, sizeof(a));
	bus_publish((bus_topic_t)bus_topic("kernel.boot.done"), 4, NULL, 0);
	bus_run(~0u);
	cat("/sys/bus/topics/kernel.boot.done/published", b, sizeof(b));
	ck_assert_uint_eq(strtoull(b, NULL, 10), strtoull(a, NULL, 10) + 1);
	ck_assert_int_eq(cat("/sys/bus/topics/no.such.topic/drops", a,
			     sizeof(a)), -AE_ENOENT);
	/* the sequence number and the invariant's terms */
	cat("/sys/bus/topics/kernel.boot.done/seq", a, sizeof(a));
	ck_assert_uint_ge(strtoull(a, NULL, 10), 1);
	cat("/sys/bus/topics/kernel.boot.done/queued", a, sizeof(a));
	ck_assert_str_eq(a, "0\n");
	cat("/sys/bus/topics/kernel.boot.done/copies", a, sizeof(a));
	cat("/sys/bus/topics/kernel.boot.done/delivered", b, sizeof(b));
	ck_assert_uint_ge(strtoull(a, NULL, 10), strtoull(b, NULL, 10));
}
END_TEST

START_TEST(test_sysfs_subscriptions_show_their_contracts)
{
	char a[512];
	int s = bus_svc_add("gauge", widget_stand_in, NULL, 8, 4);
	bus_topic_t t = (bus_topic_t)bus_topic("gauge.temp");

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bus_subscribe_with((bus_svc_t)s, "gauge.*", BUS_RING,
					    2, NULL), 0);
	ck_assert_int_eq(bus_subscribe_with((bus_svc_t)s, "other.x",
					    BUS_LATEST, 0, NULL), 0);
	for (int i = 0; i < 5; i++)
		bus_publish(t, 4, NULL, 0);
	cat("/sys/bus/services/gauge/subscriptions", a, sizeof(a));
	ck_assert_str_eq(a, "gauge.* ring 2 published 5 delivered 0 dropped 3 "
			    "queued 2\nother.x latest published 0 delivered 0 "
			    "dropped 0 queued 0\n");
	/* read-only, even for root; a stale service is gone from /sys */
	ck_assert_int_lt(echo("/sys/bus/services/gauge/subscriptions",
			      "ring 1", ROOT), 0);
	ck_assert_int_lt(echo("/sys/bus/topics/gauge.temp/seq", "0", ROOT), 0);
	bus_run(~0u);
	ck_assert_int_eq(bus_svc_remove((bus_svc_t)s), 0);
	ck_assert_int_eq(cat("/sys/bus/services/gauge/subscriptions", a,
			     sizeof(a)), -AE_ENOENT);
}
END_TEST

START_TEST(test_sysfs_bus_memory_shows_the_pool)
{
	char a[512];
	int w1 = bus_svc_add("flood1", widget_stand_in, NULL, BUS_POOL_SIZE, 4);
	int w2 = bus_svc_add("flood2", widget_stand_in, NULL, BUS_POOL_SIZE, 4);
	bus_topic_t t = (bus_topic_t)bus_topic("mem.flood");

	cat("/sys/bus/memory", a, sizeof(a));
	ck_assert_ptr_nonnull(strstr(a, "pool slots 1024 free "));
	ck_assert_ptr_nonnull(strstr(a, "\nmemory allocs "));
	ck_assert_int_eq(echo("/sys/bus/memory", "1", ROOT), -AE_EACCES);
	/* more in flight than the pool starts with: it grows, and says so */
	ck_assert_int_ge(w1, 0);
	ck_assert_int_ge(w2, 0);
	for (int i = 0; i < BUS_POOL_SIZE + 10; i++)
		ck_assert_int_eq(bus_send((bus_svc_t)(i & 1 ? w1 : w2), t, 7,
					  NULL, 0), 0);
	cat("/sys/bus/memory", a, sizeof(a));
	ck_assert_ptr_nonnull(strstr(a, "pool slots 1088 "));
	ck_assert_ptr_nonnull(strstr(a, " grown 1 "));
	bus_run(~0u);
	cat("/sys/bus/memory", a, sizeof(a));
	ck_assert_ptr_nonnull(strstr(a, "pool slots 1024 free 1024 queued 0 "
					"max 1088 grown 1 given_back 1 "));
}
END_TEST

START_TEST(test_sysfs_rules_added_listed_and_removed)
{
	char a[256];
	int widget = bus_svc_find("widget");

	ck_assert_int_eq(echo("/sys/bus/rules",
			      "add deny,topic=sysfs.show,dst=widget\n", ROOT),
			 0);
	cat("/sys/bus/rules", a, sizeof(a));
	ck_assert_ptr_nonnull(strstr(a, "0 deny,topic=sysfs.show"));
	/* the rule acts: sysfs's own request to widget is refused */
	ck_assert_int_eq(cat("/sys/widget/size", a, sizeof(a)), -AE_EPERM);
	ck_assert_int_ge(widget, 0);
	ck_assert_int_eq(echo("/sys/bus/rules", "del 0", ROOT), 0);
	ck_assert_int_gt(cat("/sys/widget/size", a, sizeof(a)), 0);
	ck_assert_uint_eq(bus_rule_count(), 0);
	ck_assert_int_eq(echo("/sys/bus/rules", "add allow", ROOT), 0);
	ck_assert_int_eq(echo("/sys/bus/rules", "clear", ROOT), 0);
	ck_assert_uint_eq(bus_rule_count(), 0);
	/* default rules: listed as such, kept by clear, not by clear all */
	ck_assert_int_ge(bus_rule_add_default("deny,src=user-*", NULL), 0);
	ck_assert_int_eq(echo("/sys/bus/rules", "add mirror:widget,topic=x.y",
			      ROOT), 0);
	ck_assert_int_eq(echo("/sys/bus/rules",
			      "ins 0 allow,topic=user.*,src=user-*", ROOT), 0);
	cat("/sys/bus/rules", a, sizeof(a));
	ck_assert_str_eq(a, "0 allow,topic=user.*,src=user-* hits 0 drops 0\n"
			    "1 deny,src=user-* hits 0 drops 0 default\n"
			    "2 mirror:widget,topic=x.y hits 0 drops 0\n");
	ck_assert_int_eq(echo("/sys/bus/rules", "clear", ROOT), 0);
	ck_assert_uint_eq(bus_rule_count(), 1);
	ck_assert_int_eq(echo("/sys/bus/rules", "clear all", ROOT), 0);
	ck_assert_uint_eq(bus_rule_count(), 0);
	ck_assert_ptr_nonnull(strstr(devnodes_logged, "default privilege "
				     "rules too"));
}
END_TEST

START_TEST(test_sysfs_bad_rules_refused_with_reason)
{
	ck_assert_int_eq(echo("/sys/bus/rules", "add bogus,topic=x", ROOT),
			 -AE_EINVAL);
	ck_assert_ptr_nonnull(strstr(devnodes_logged, "unknown action"));
	ck_assert_int_eq(echo("/sys/bus/rules", "del 3", ROOT), -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/bus/rules", "del x", ROOT), -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/bus/rules", "del ", ROOT), -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/bus/rules", "remove all", ROOT),
			 -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/bus/rules", "ins x allow", ROOT),
			 -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/bus/rules", "ins 1 allow", ROOT),
			 -AE_EINVAL);
	ck_assert_ptr_nonnull(strstr(devnodes_logged, "no rule with that "
				     "number"));
	ck_assert_int_eq(echo("/sys/bus/rules", "add allow", ROOT), 0);
	ck_assert_int_eq(echo("/sys/bus/rules", "add deny,dst=widget", ROOT),
			 -AE_EINVAL);
	ck_assert_ptr_nonnull(strstr(devnodes_logged, "never reached: rule 0"));
	ck_assert_int_eq(echo("/sys/bus/rules", "clear", ROOT), 0);
	ck_assert_uint_eq(bus_rule_count(), 0);
}
END_TEST

START_TEST(test_sysfs_log_level_validated)
{
	char a[16];

	cat("/sys/kernel/log_level", a, sizeof(a));
	ck_assert_str_eq(a, "6\n");
	ck_assert_int_eq(echo("/sys/kernel/log_level", "7\n", ROOT), 0);
	ck_assert_uint_eq(level, 7);
	ck_assert_int_eq(echo("/sys/kernel/log_level", "8", ROOT),
			 -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/kernel/log_level", "-1", ROOT),
			 -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/kernel/log_level", "77", ROOT),
			 -AE_EINVAL);
	ck_assert_uint_eq(level, 7);
}
END_TEST

START_TEST(test_sysfs_trace_filter_through_console)
{
	char a[32];

	ck_assert_int_eq(echo("/sys/bus/trace_filter", "hw.*\n", ROOT), 0);
	cat("/sys/bus/trace_filter", a, sizeof(a));
	ck_assert_str_eq(a, "hw.*\n");
	ck_assert_int_eq(echo("/sys/bus/trace_filter", "Bad*", ROOT),
			 -AE_EINVAL);
	cat("/sys/bus/trace_filter", a, sizeof(a));
	ck_assert_str_eq(a, "hw.*\n");
	ck_assert_int_eq(echo("/sys/bus/trace_filter",
			      "a.very.long.filter.that.does.not.fit.one.msg",
			      ROOT), -AE_E2BIG);
}
END_TEST

START_TEST(test_sysfs_mm_from_mm_service)
{
	char a[16];

	cat("/sys/mm/total", a, sizeof(a));
	ck_assert_str_eq(a, "1000\n");
	cat("/sys/mm/free", a, sizeof(a));
	ck_assert_str_eq(a, "750\n");
	ck_assert_int_eq(service_stop("mm"), 0);
	ck_assert_int_eq(cat("/sys/mm/low", a, sizeof(a)), -AE_ESHUTDOWN);
}
END_TEST

START_TEST(test_sysfs_devices_tree)
{
	char a[64];

	ck_assert(listed("/sys/devices", "isa"));
	ck_assert(listed("/sys/devices", "timer"));
	ck_assert(!listed("/sys/devices", "serial@3f8"));
	ck_assert(listed("/sys/devices/isa", "compatible"));
	ck_assert(listed("/sys/devices/isa", "rtc@70"));
	cat("/sys/devices/isa/serial@3f8/driver", a, sizeof(a));
	ck_assert_str_eq(a, "uart0 (hal)\n");
	cat("/sys/devices/isa/serial@3f8/reg", a, sizeof(a));
	ck_assert_str_eq(a, "0x3f8+0x8\n");
	cat("/sys/devices/isa/serial@3f8/irq", a, sizeof(a));
	ck_assert_str_eq(a, "4\n");
	cat("/sys/devices/isa/rtc@70/status", a, sizeof(a));
	ck_assert_str_eq(a, "detached\n");
	cat("/sys/devices/timer/status", a, sizeof(a));
	ck_assert_str_eq(a, "refused: interrupt 32 held by /other\n");
	cat("/sys/devices/isa/driver", a, sizeof(a));
	ck_assert_str_eq(a, "none\n");
	ck_assert_int_eq(cat("/sys/devices/isa/rtc", a, sizeof(a)),
			 -AE_ENOENT);
	ck_assert_int_eq(cat("/sys/devices/nothing/reg", a, sizeof(a)),
			 -AE_ENOENT);
	ck_assert_int_eq(service_stop("devtree"), 0);
	ck_assert_int_eq(cat("/sys/devices/isa/driver", a, sizeof(a)),
			 -AE_ESHUTDOWN);
}
END_TEST

START_TEST(test_sysfs_service_attributes_shown_and_stored)
{
	char a[16];
	struct node_stat st;

	ck_assert(listed("/sys/widget", "size"));
	ck_assert(listed("/sys/widget", "id"));
	cat("/sys/widget/id", a, sizeof(a));
	ck_assert_str_eq(a, "42\n");
	ck_assert_int_eq(echo("/sys/widget/size", "33\n", ROOT), 0);
	cat("/sys/widget/size", a, sizeof(a));
	ck_assert_str_eq(a, "33\n");
	/* the owner refuses; nothing changes */
	ck_assert_int_eq(echo("/sys/widget/size", "100", ROOT), -AE_EINVAL);
	ck_assert_int_eq(echo("/sys/widget/size", "3x", ROOT), -AE_EINVAL);
	ck_assert_uint_eq(widget_size, 33);
	/* read-only: refused at open, to root too */
	ck_assert_int_eq(echo("/sys/widget/id", "1", ROOT), -AE_EACCES);
	ck_assert_int_eq(node_stat("/sys/widget/size", &st, ROOT), 0);
	ck_assert_uint_eq(st.mode, 0644);
	ck_assert_int_eq(cat("/sys/widget/none", a, sizeof(a)), -AE_ENOENT);
}
END_TEST

START_TEST(test_sysfs_users_read_but_do_not_write)
{
	struct node_cred user = { 1000, 1000, 0 };
	struct node_stat st;
	int fd;

	ck_assert_int_eq(echo("/sys/kernel/log_level", "1", user),
			 -AE_EACCES);
	ck_assert_int_eq(echo("/sys/bus/rules", "clear", user), -AE_EACCES);
	ck_assert_int_eq(echo("/sys/widget/size", "5", user), -AE_EACCES);
	fd = node_open("/sys/kernel/log_level", NODE_READ, user);
	ck_assert_int_ge(fd, 0);
	node_close(fd);
	ck_assert_int_eq(node_stat("/sys/bus", &st, user), 0);
	ck_assert_uint_eq(st.kind, NODE_KIND_DIR);
	ck_assert_uint_eq(st.mode, 0555);
	/* read-only values: not even root writes them */
	ck_assert_int_eq(echo("/sys/mm/free", "1", ROOT), -AE_EACCES);
}
END_TEST

START_TEST(test_sysfs_bad_writes_and_paths)
{
	char big[300];
	int fd;

	memset(big, '7', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(echo("/sys/kernel/log_level", big, ROOT), -AE_E2BIG);
	ck_assert_int_eq(echo("/sys/kernel/log_level", "\n", ROOT),
			 -AE_EINVAL);
	fd = node_open("/sys/kernel/log_level", NODE_WRITE, ROOT);
	ck_assert_int_eq(node_write(fd, "5\0", 2), -AE_EINVAL);
	node_close(fd);
	ck_assert_uint_eq(level, 6);
	ck_assert_int_eq(node_open("/sys/bus", NODE_READ, ROOT), -AE_EISDIR);
	ck_assert_int_eq(node_open("/sys/mm/free", NODE_DIR | NODE_READ,
				   ROOT), -AE_ENOTDIR);
	ck_assert_int_eq(node_open("/sys/mm/free/x", NODE_READ, ROOT),
			 -AE_ENOTDIR);
	ck_assert_int_eq(node_open("/sys/bus/a-component-longer-than-a-bus-"
				   "name-may-ever-be-at-all", NODE_READ, ROOT),
			 -AE_ENAMETOOLONG);
}
END_TEST

START_TEST(test_sysfs_snapshot_per_open_and_table_limit)
{
	char a[8], b[16];
	int fd[17], n = 0, rc = 0;

	fd[0] = node_open("/sys/kernel/log_level", NODE_READ, ROOT);
	klog_set_level(3);
	/* the open's snapshot, not the new value */
	ck_assert_int_eq(node_read(fd[0], a, sizeof(a)), 2);
	ck_assert_int_eq(a[0], '6');
	node_close(fd[0]);
	cat("/sys/kernel/log_level", b, sizeof(b));
	ck_assert_str_eq(b, "3\n");
	/* sysfs's own table: 16 open values */
	for (n = 0; n < 17; n++) {
		fd[n] = node_open("/sys/mm/total", NODE_READ, ROOT);
		if (fd[n] < 0) {
			rc = fd[n];
			break;
		}
	}
	ck_assert_int_eq(n, 16);
	ck_assert_int_eq(rc, -AE_EMFILE);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(node_close(fd[i]), 0);
	ck_assert_int_ge(node_open("/sys/mm/total", NODE_READ, ROOT), 0);
}
END_TEST

/* The helper services answer "sysfs.attr" with. */
START_TEST(test_sysfs_attr_answer_from_a_table)
{
	static const struct sysfs_attr t[] = { { "a", 0444, 0 },
					       { "b", 0644, 0 } };
	struct bus_msg m, r;
	struct sysfs_attr got;
	uint32_t i = 1;

	memset(&m, 0, sizeof(m));
	memcpy(m.data, &i, sizeof(i));
	m.len = sizeof(i);
	ck_assert_int_eq(sysfs_attr_answer(t, 2, &m, &r), 0);
	ck_assert_uint_eq(r.len, sizeof(got));
	memcpy(&got, r.data, sizeof(got));
	ck_assert_str_eq(got.name, "b");
	ck_assert_uint_eq(got.mode, 0644);
	i = 2;
	memcpy(m.data, &i, sizeof(i));
	ck_assert_int_eq(sysfs_attr_answer(t, 2, &m, &r), -AE_ENOENT);
	m.len = 2;
	ck_assert_int_eq(sysfs_attr_answer(t, 2, &m, &r), -AE_EINVAL);
}
END_TEST

Suite *suite_sysfs(void)
{
	Suite *s = suite_create("sysfs");
	TCase *tc = tcase_create("sysfs");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_sysfs_root_lists_fixed_and_service_dirs);
	tcase_add_test(tc, test_sysfs_service_counters_read_live);
	tcase_add_test(tc, test_sysfs_state_write_stops_and_starts);
	tcase_add_test(tc, test_sysfs_topic_subscribers_and_counts);
	tcase_add_test(tc, test_sysfs_bus_memory_shows_the_pool);
	tcase_add_test(tc, test_sysfs_subscriptions_show_their_contracts);
	tcase_add_test(tc, test_sysfs_rules_added_listed_and_removed);
	tcase_add_test(tc, test_sysfs_bad_rules_refused_with_reason);
	tcase_add_test(tc, test_sysfs_log_level_validated);
	tcase_add_test(tc, test_sysfs_trace_filter_through_console);
	tcase_add_test(tc, test_sysfs_mm_from_mm_service);
	tcase_add_test(tc, test_sysfs_devices_tree);
	tcase_add_test(tc, test_sysfs_service_attributes_shown_and_stored);
	tcase_add_test(tc, test_sysfs_users_read_but_do_not_write);
	tcase_add_test(tc, test_sysfs_bad_writes_and_paths);
	tcase_add_test(tc, test_sysfs_snapshot_per_open_and_table_limit);
	tcase_add_test(tc, test_sysfs_attr_answer_from_a_table);
	suite_add_tcase(s, tc);
	return s;
}
