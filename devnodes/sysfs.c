/*
 * sysfs.c - /sys: the kernel's state as nodes, one value per file, read
 * live from its owner at read time (see aegis/node.h and
 * docs/DEVICE_NODE_GUIDE.md).
 *
 *   /sys/bus/services/<name>/state    running, stopped, failed; a write
 *                                     of stop, start or restart asks the
 *                                     supervisor ("service.*" requests)
 *   /sys/bus/services/<name>/received handled, drops, faults, pending,
 *                                     pending_max, generation: the bus's
 *                                     counters of the service;
 *                                     subscriptions: each pattern, its
 *                                     delivery contract and counters
 *   /sys/bus/topics/<topic>/published delivered, drops, subscribers,
 *                                     refused, seq (the last sequence
 *                                     number), copies, queued (copies =
 *                                     delivered + drops + queued)
 *   /sys/bus/rules                    the routing rules, one a line; a
 *                                     write of "add RULE", "del N" or
 *                                     "clear" changes them
 *   /sys/bus/trace_filter             the live tracer's filter; a write
 *                                     sets it (through the console
 *                                     service, which checks it)
 *   /sys/bus/pending                  messages queued on the bus now
 *   /sys/bus/grants/live              memory lent by reference
 *                                     (aegis/grant.h): lent now,
 *                                     live_max, made, refused (maps and
 *                                     passes refused: forged, ended or
 *                                     not held)
 *   /sys/bus/contracts                messages the bus refused by their
 *                                     topic's contract (aegis/contract.h):
 *                                     the total and by reason, then each
 *                                     topic with refusals
 *   /sys/bus/waitfor                  the wait-for graph (bus_waitfor):
 *                                     the handler running, blocked
 *                                     callers, queues that stand still
 *   /sys/bus/watchdog_ms              the watchdog's period, writable
 *                                     (0: off)
 *   /sys/bus/memory                   the message pool (slots, free,
 *                                     queued, the most, chunks grown and
 *                                     given back) and the memory the
 *                                     bus's tables took
 *   /sys/kernel/log_level             0..7, writable
 *   /sys/mm/total, free, low          pages, from the mm service
 *   /sys/devices/<tree path>/         the enumerated device tree, from the
 *                                     devtree service: compatible,
 *                                     driver, status, reg, irq
 *   /sys/<dir>/<attribute>            a service's own attributes: the
 *                                     services that declare .sysfs = dir
 *                                     answer "sysfs.attr", "sysfs.show"
 *                                     and "sysfs.store" (aegis/sysfs.h)
 *
 * A file's text is made when it is opened and read from that snapshot,
 * so a reader sees one consistent value however it splits its reads. A
 * bad write is refused with -EINVAL (or the owner's error) and the
 * reason on the console; nothing changes. Writable attributes are 0644
 * (root writes), the rest 0444; writes by others are refused at open.
 */
#include <stdarg.h>
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/contract.h>
#include <aegis/devtree.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/route.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>
#include <aegis/trace.h>

#define HANDLES_MAX	16
#define HANDLES_RESERVE	4	/* left to uid 0 (aegis/node.h) */
#define TEXT_MAX	1024
#define WRITE_MAX	192
#define DEVPATH_MAX	96

/* What a path names. */
enum what {
	W_ROOT, W_BUS, W_SERVICES, W_SERVICE, W_SVC_ATTR, W_TOPICS, W_TOPIC,
	W_TOPIC_ATTR, W_RULES, W_TRACE, W_PENDING, W_KERNEL, W_LOGLEVEL, W_MM,
	W_MM_ATTR, W_DEVICES, W_DEV_ATTR, W_SDIR, W_SATTR, W_GRANTS,
	W_GRANT_ATTR, W_CONTRACTS, W_WAITFOR, W_WATCHDOG, W_MEMORY,
};

/* A fixed directory's entries. */
struct entry {
	const char *name;
	enum what what;
};

static const struct entry root_dir[] = {
	{ "bus", W_BUS }, { "devices", W_DEVICES }, { "kernel", W_KERNEL },
	{ "mm", W_MM },
};
static const struct entry bus_dir[] = {
	{ "services", W_SERVICES }, { "topics", W_TOPICS },
	{ "rules", W_RULES }, { "trace_filter", W_TRACE },
	{ "pending", W_PENDING }, { "grants", W_GRANTS },
	{ "contracts", W_CONTRACTS }, { "waitfor", W_WAITFOR },
	{ "watchdog_ms", W_WATCHDOG }, { "memory", W_MEMORY },
};
static const struct entry kernel_dir[] = { { "log_level", W_LOGLEVEL } };

static const char *const svc_attrs[] = {
	"state", "received", "handled", "drops", "faults", "pending",
	"pending_max", "generation", "subscriptions",
};
static const char *const topic_attrs[] = {
	"published", "delivered", "drops", "subscribers", "refused", "seq",
	"copies", "queued",
};
static const char *const mm_attrs[] = { "total", "free", "low", "shared",
					"cow_copies", "cow_reuses" };
static const char *const grant_attrs[] = {
	"live", "live_max", "made", "refused",
};
static const char *const dev_attrs[] = {
	"compatible", "driver", "status", "reg", "irq",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct target {
	enum what what;
	int id;			/* service, topic or device (-1: none) */
	unsigned int item;	/* attribute index */
	uint32_t smode;		/* W_SATTR: the service's mode for it */
	char dpath[DEVPATH_MAX];	/* W_DEVICES: the tree path so far */
};

static struct handle {
	bool used;
	struct target t;
	char text[TEXT_MAX];
} handles[HANDLES_MAX];

static uint32_t ns_gen;	/* the ns instance it mounted at (0: none yet) */

/* The devices' tree paths, fetched from devtree for one operation. */
static struct {
	uint32_t n;
	char path[DEVTREE_MAX_DEVICES][DEVPATH_MAX];
} devs;


static int sysfs_init(void)
{
	memset(handles, 0, sizeof(handles));
	ns_gen = 0;
	return 0;
}

static void mount(void)
{
	if (node_mount("sys"))
		kprintf("sysfs: cannot mount /sys\n");
}

/* ---- the device tree, from the devtree service -------------------------- */

static int fetch_devices(void)
{
	static struct devtree_info info;
	uint32_t n;
	int rc = devtree_count(&n);

	devs.n = 0;
	if (rc)
		return rc;
	for (uint32_t i = 0; i < n && i < DEVTREE_MAX_DEVICES; i++) {
		rc = devtree_info(i, &info);
		if (rc)
			return rc;
		memcpy(devs.path[i], info.path, DEVPATH_MAX - 1);
		devs.path[i][DEVPATH_MAX - 1] = '\0';
		devs.n = i + 1;
	}
	return 0;
}

/* The device whose path is p, or -1. */
static int dev_at(const char *p)
{
	for (uint32_t i = 0; i < devs.n; i++)
		if (strcmp(devs.path[i], p) == 0)
			return (int)i;
	return -1;
}

/* If device i's path is below dir ("" for the root), the component
 * right below it, in c; else false. */
static bool child_of(uint32_t i, const char *dir, char *c, size_t max)
{
	const char *p = devs.path[i];
	size_t n = strlen(dir), k = 0;

	if (strncmp(p, dir, n) != 0 || p[n] != '/' || !p[n + 1])
		return false;
	p += n + 1;
	while (p[k] && p[k] != '/' && k + 1 < max) {
		c[k] = p[k];
		k++;
	}
	c[k] = '\0';
	return true;
}

/* ---- services' own attributes ------------------------------------------- */

/* A sysfs.show (shown: where its reply, the text's length, goes) or,
 * with shown NULL, a sysfs.store to svc, with mem (len bytes) lent to it
 * as io->buf for the call: written to by a show, read by a store. */
static int lend_call(int svc, struct sysfs_io *io, void *mem, uint32_t len,
		     uint32_t *shown)
{
	uint32_t rights = shown ? BUS_GRANT_WRITE : BUS_GRANT_READ;
	int rc = bus_grant_new(mem, len, rights, (bus_svc_t)svc, &io->buf);

	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	rc = shown ? call_sysfs_show((bus_svc_t)svc, io, shown) :
		     call_sysfs_store((bus_svc_t)svc, io);
	bus_grant_end(io->buf);
	return rc;
}

/* The service's attribute number index. */
static int service_attr(int svc, uint32_t index, struct sysfs_attr *a)
{
	int rc = call_sysfs_attr((bus_svc_t)svc, &index, a);

	if (rc)
		return rc;
	a->name[SYSFS_ATTR_NAME - 1] = '\0';
	return 0;
}

static bool hides_fixed(const char *d)
{
	for (unsigned int i = 0; i < N(root_dir); i++)
		if (strcmp(root_dir[i].name, d) == 0)
			return true;
	return false;
}

/* The k-th service (in bus id order) with a directory under /sys that
 * does not hide a fixed one, or -1. */
static int service_dir(uint32_t k, const char **dir)
{
	for (int s = 0; s < (int)bus_svc_span(); s++) {
		const char *d;

		if (bus_svc_state((bus_svc_t)s) == BUS_SVC_FREE)
			continue;
		d = service_sysfs_dir(s);
		if (!d || !d[0] || hides_fixed(d))
			continue;
		if (k-- == 0) {
			*dir = d;
			return s;
		}
	}
	return -1;
}

/* ---- lookup ------------------------------------------------------------- */

/* Take the next component of *p (up to '/' or the end) into c. */
static bool component(const char **p, const char *end, char *c, size_t max)
{
	size_t n = 0;

	while (*p < end && **p == '/')
		(*p)++;
	if (*p == end)
		return false;
	while (*p < end && **p != '/' && n + 1 < max)
		c[n++] = *(*p)++;
	c[n] = '\0';
	return *p == end || **p == '/';
}

static int in_table(const char *const *names, unsigned int n, const char *c)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(names[i], c) == 0)
			return (int)i;
	return -1;
}

static int in_dir(const struct entry *e, unsigned int n, const char *c)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(e[i].name, c) == 0)
			return (int)e[i].what;
	return -AE_ENOENT;
}

/* One step down the devices tree: a deeper directory, or an attribute
 * of the device the directory is. */
static int step_devices(struct target *t, const char *c)
{
	size_t n = strlen(t->dpath);
	int k;

	if (n + 1 + strlen(c) < DEVPATH_MAX) {
		char child[DEVPATH_MAX];

		ksnprintf(child, sizeof(child), "%s/%s", t->dpath, c);
		for (uint32_t i = 0; i < devs.n; i++) {
			const char *p = devs.path[i];
			size_t m = strlen(child);

			if (strncmp(p, child, m) == 0 &&
			    (p[m] == '\0' || p[m] == '/')) {
				memcpy(t->dpath, child, sizeof(child));
				t->id = dev_at(child);
				return 0;
			}
		}
	}
	k = in_table(dev_attrs, N(dev_attrs), c);
	if (t->id < 0 || k < 0)
		return -AE_ENOENT;
	t->what = W_DEV_ATTR;
	t->item = (unsigned int)k;
	return 0;
}

static int step(struct target *t, const char *c)
{
	int k;

	switch (t->what) {
	case W_ROOT:
		k = in_dir(root_dir, N(root_dir), c);
		break;
	case W_BUS:
		k = in_dir(bus_dir, N(bus_dir), c);
		break;
	case W_KERNEL:
		k = in_dir(kernel_dir, N(kernel_dir), c);
		break;
	case W_SERVICES:
		t->id = bus_svc_find(c);
		if (t->id < 0)
			return -AE_ENOENT;
		t->what = W_SERVICE;
		return 0;
	case W_TOPICS:
		t->id = bus_topic_find(c);
		if (t->id < 0)
			return -AE_ENOENT;
		t->what = W_TOPIC;
		return 0;
	case W_SERVICE:
		k = in_table(svc_attrs, N(svc_attrs), c);
		if (k < 0)
			return -AE_ENOENT;
		t->what = W_SVC_ATTR;
		t->item = (unsigned int)k;
		return 0;
	case W_TOPIC:
		k = in_table(topic_attrs, N(topic_attrs), c);
		if (k < 0)
			return -AE_ENOENT;
		t->what = W_TOPIC_ATTR;
		t->item = (unsigned int)k;
		return 0;
	case W_MM:
		k = in_table(mm_attrs, N(mm_attrs), c);
		if (k < 0)
			return -AE_ENOENT;
		t->what = W_MM_ATTR;
		t->item = (unsigned int)k;
		return 0;
	case W_GRANTS:
		k = in_table(grant_attrs, N(grant_attrs), c);
		if (k < 0)
			return -AE_ENOENT;
		t->what = W_GRANT_ATTR;
		t->item = (unsigned int)k;
		return 0;
	case W_DEVICES:
		return step_devices(t, c);
	case W_SDIR: {
		struct sysfs_attr a;
		int rc;

		for (uint32_t i = 0; i < SYSFS_ATTRS_MAX &&
		     (rc = service_attr(t->id, i, &a)) == 0; i++)
			if (strcmp(a.name, c) == 0) {
				t->what = W_SATTR;
				t->item = i;
				t->smode = a.mode & 0666;
				return 0;
			}
		return rc ? rc : -AE_ENOENT;	/* past the last, or the
						 * owner's error */
	}
	default:
		return -AE_ENOTDIR;
	}
	if (k < 0 && t->what == W_ROOT) {
		const char *d;
		int svc;

		for (uint32_t i = 0; (svc = service_dir(i, &d)) >= 0; i++)
			if (strcmp(d, c) == 0) {
				t->what = W_SDIR;
				t->id = svc;
				return 0;
			}
	}
	if (k < 0)
		return k;
	t->what = (enum what)k;
	if (t->what == W_DEVICES) {
		t->dpath[0] = '\0';
		t->id = -1;
		return fetch_devices();
	}
	return 0;
}

static int lookup(const char *path, uint32_t len, struct target *t)
{
	const char *p = path, *end = path + len;
	char c[BUS_NAME_MAX];
	int rc;

	memset(t, 0, sizeof(*t));
	t->what = W_ROOT;
	t->id = -1;
	while (p < end) {
		if (!component(&p, end, c, sizeof(c))) {
			if (p == end)
				break;
			return -AE_ENAMETOOLONG;
		}
		rc = step(t, c);
		if (rc)
			return rc;
	}
	return 0;
}

static bool is_dir(enum what w)
{
	return w == W_ROOT || w == W_BUS || w == W_SERVICES ||
	       w == W_SERVICE || w == W_TOPICS || w == W_TOPIC ||
	       w == W_KERNEL || w == W_MM || w == W_DEVICES || w == W_SDIR ||
	       w == W_GRANTS;
}

static bool writable(const struct target *t)
{
	return t->what == W_TRACE || t->what == W_RULES ||
	       t->what == W_LOGLEVEL || t->what == W_WATCHDOG ||
	       (t->what == W_SVC_ATTR && t->item == 0) ||
	       (t->what == W_SATTR && (t->smode & 0200));
}

static uint32_t mode_of(const struct target *t)
{
	if (t->what == W_SATTR)
		return t->smode;
	return is_dir(t->what) ? 0555 : writable(t) ? 0644 : 0444;
}

/* ---- values ------------------------------------------------------------- */

struct text {
	char *buf;
	size_t len;
};

static void add(struct text *x, const char *fmt, ...) __printf(2, 3);

static void add(struct text *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->len >= TEXT_MAX - 1)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(x->buf + x->len, TEXT_MAX - x->len, fmt, ap);
	va_end(ap);
	x->len += (size_t)n < TEXT_MAX - x->len ? (size_t)n :
		  TEXT_MAX - 1 - x->len;
}

static void subscribers_of(struct text *x, bus_topic_t t)
{
	int s;

	for (unsigned int k = 0; (s = bus_topic_subscriber(t, k)) >= 0; k++)
		add(x, "%s%s", k ? " " : "", bus_svc_name((bus_svc_t)s));
	add(x, "\n");
}

static int render_service(const struct target *t, struct text *x)
{
	static const char *const states[] = { "free", "running", "stopped",
					      "failed" };
	struct bus_svc_stats st;
	int rc;

	if (t->item == 0) {
		unsigned int s = bus_svc_state((bus_svc_t)t->id);

		add(x, "%s\n", s < N(states) ? states[s] : "?");
		return 0;
	}
	if (t->item == 7) {
		add(x, "%u\n", bus_svc_generation((bus_svc_t)t->id));
		return 0;
	}
	if (t->item == 8) {
		static const char *const modes[] = { "lossless", "latest",
						     "ring" };
		struct bus_sub_stats ss;
		char pat[BUS_NAME_MAX];

		for (unsigned int k = 0;
		     bus_sub_stats((bus_svc_t)t->id, k, pat, &ss) == 0; k++) {
			add(x, "%s %s", pat, modes[ss.mode]);
			if (ss.mode == BUS_RING)
				add(x, " %u", ss.ring);
			add(x, " published %llu delivered %llu dropped %llu "
			    "queued %u\n", (unsigned long long)ss.published,
			    (unsigned long long)ss.delivered,
			    (unsigned long long)ss.dropped, ss.queued);
		}
		return 0;
	}
	rc = bus_svc_stats((bus_svc_t)t->id, &st);
	if (rc)
		return rc;
	add(x, "%llu\n", (unsigned long long)(
		t->item == 1 ? st.received : t->item == 2 ? st.handled :
		t->item == 3 ? st.drops : t->item == 4 ? st.faults :
		t->item == 5 ? st.pending : st.pending_max));
	return 0;
}

static int render_topic(const struct target *t, struct text *x)
{
	struct bus_topic_stats st;
	int rc;

	if (t->item == 3) {
		subscribers_of(x, (bus_topic_t)t->id);
		return 0;
	}
	if (t->item == 4) {
		add(x, "%llu\n", (unsigned long long)
		    bus_topic_refused((bus_topic_t)t->id));
		return 0;
	}
	rc = bus_topic_stats((bus_topic_t)t->id, &st);
	if (rc)
		return rc;
	add(x, "%llu\n", (unsigned long long)(t->item == 0 ? st.published :
					      t->item == 1 ? st.delivered :
					      t->item == 2 ? st.drops :
					      t->item == 5 ? st.seq :
					      t->item == 6 ? st.copies :
					      st.queued));
	return 0;
}

static void render_memory(struct text *x)
{
	struct bus_pool_stats ps;
	struct bus_mem_stats ms;

	bus_pool_stats(&ps);
	bus_mem_stats(&ms);
	add(x, "pool slots %u free %u queued %u max %u grown %llu "
	    "given_back %llu grow_failed %llu\n", ps.slots, ps.free, ps.queued,
	    ps.slots_max, (unsigned long long)ps.grows,
	    (unsigned long long)ps.shrinks, (unsigned long long)ps.grow_fails);
	add(x, "memory allocs %llu frees %llu reserve_allocs %llu "
	    "reserve_frees %llu failed %llu reserve_untouched %llu\n",
	    (unsigned long long)ms.allocs, (unsigned long long)ms.frees,
	    (unsigned long long)ms.reserve_allocs,
	    (unsigned long long)ms.reserve_frees,
	    (unsigned long long)ms.fails,
	    (unsigned long long)ms.reserve_free);
}

static void render_contracts(struct text *x)
{
	struct bus_contract_stats st;

	bus_contract_stats(&st);
	add(x, "refused %llu:", (unsigned long long)st.refused);
	for (unsigned int r = 1; r < BUS_REFUSALS; r++)
		add(x, " %s %llu", bus_refusal_name(r),
		    (unsigned long long)st.by_reason[r]);
	add(x, "\n");
	for (unsigned int t = 0; t < bus_topic_count(); t++)
		if (bus_topic_refused((bus_topic_t)t))
			add(x, "%s %llu\n", bus_topic_name((bus_topic_t)t),
			    (unsigned long long)
			    bus_topic_refused((bus_topic_t)t));
}

static void render_rules(struct text *x)
{
	char rule[BUS_RULE_TEXT];
	struct bus_rule_stats st;

	for (unsigned int i = 0; i < bus_rule_count(); i++) {
		if (bus_rule_format(i, rule, sizeof(rule)) < 0 ||
		    bus_rule_stats(i, &st))
			continue;
		add(x, "%u %s hits %llu drops %llu%s\n", i, rule,
		    (unsigned long long)st.hits, (unsigned long long)st.drops,
		    bus_rule_is_default(i) ? " default" : "");
	}
}

static int render_device(const struct target *t, struct text *x)
{
	static struct devtree_info d;
	size_t nd;
	const struct driver_desc *drv = driver_builtin(&nd);
	int rc = devtree_info((uint32_t)t->id, &d);

	if (rc)
		return rc;
	switch (t->item) {
	case 0:
		add(x, "%s\n", d.compatible);
		break;
	case 1:
		if (d.driver >= 0 && (size_t)d.driver < nd)
			add(x, "%s%u (%s)\n", drv[d.driver].name, d.unit,
			    drv[d.driver].owner);
		else
			add(x, "none\n");
		break;
	case 2:
		if (d.why[0])
			add(x, "refused: %s\n", d.why);
		else
			add(x, "%s\n", d.attached ? "attached" : "detached");
		break;
	case 3:
		for (uint32_t i = 0; i < d.nreg; i++)
			add(x, "%#llx+%#llx\n", (unsigned long long)d.reg_base[i],
			    (unsigned long long)d.reg_size[i]);
		break;
	default:
		for (uint32_t i = 0; i < d.nirq; i++)
			add(x, "%u\n", d.irq[i]);
		break;
	}
	return 0;
}

/* The value of an attribute, now, as text. */
static int render(const struct target *t, char *buf)
{
	struct text x = { buf, 0 };
	struct mm_stats ms;
	int rc = 0;

	buf[0] = '\0';
	switch (t->what) {
	case W_SVC_ATTR:
		return render_service(t, &x);
	case W_TOPIC_ATTR:
		return render_topic(t, &x);
	case W_RULES:
		render_rules(&x);
		return 0;
	case W_TRACE:
		add(&x, "%s\n", trace_filter_get());
		return 0;
	case W_PENDING:
		add(&x, "%u\n", bus_pending());
		return 0;
	case W_CONTRACTS:
		render_contracts(&x);
		return 0;
	case W_WAITFOR:
		rc = bus_waitfor(x.buf + x.len, TEXT_MAX - 1 - x.len);
		if (rc < 0)
			return rc;
		x.len += (size_t)rc;
		return 0;
	case W_WATCHDOG:
		add(&x, "%u\n", bus_watchdog_ms());
		return 0;
	case W_MEMORY:
		render_memory(&x);
		return 0;
	case W_GRANT_ATTR: {
		struct bus_grant_stats gs;

		bus_grant_stats(&gs);
		add(&x, "%llu\n", (unsigned long long)(
			t->item == 0 ? gs.live : t->item == 1 ? gs.live_max :
			t->item == 2 ? gs.made : gs.refused));
		return 0;
	}
	case W_LOGLEVEL:
		add(&x, "%u\n", klog_level());
		return 0;
	case W_MM_ATTR:
		if (t->item >= 3) {	/* copy-on-write's */
			struct mm_cow_stats c;

			rc = mm_get_cow(&c);
			if (rc)
				return rc;
			add(&x, "%llu\n", (unsigned long long)(
				t->item == 3 ? c.shared_pages : t->item == 4 ?
				c.copies : c.reuses));
			return 0;
		}
		rc = mm_get_stats(&ms);
		if (rc)
			return rc;
		add(&x, "%llu\n", (unsigned long long)(
			t->item == 0 ? ms.managed_pages : t->item == 1 ?
			ms.free_pages : ms.low_mark));
		return 0;
	case W_DEV_ATTR:
		return render_device(t, &x);
	case W_SATTR: {
		struct sysfs_io io = { t->item, TEXT_MAX - 1, 0, 0 };
		uint32_t n = 0;

		rc = lend_call(t->id, &io, buf, TEXT_MAX - 1, &n);
		if (rc)
			return rc;
		buf[n < TEXT_MAX ? n : TEXT_MAX - 1] = '\0';
		return 0;
	}
	default:
		return -AE_EISDIR;
	}
}

/* ---- writes ------------------------------------------------------------- */

static int refuse(const char *what, const char *why)
{
	kprintf("sysfs: %s: %s\n", what, why);
	return -AE_EINVAL;
}

static int write_service_state(const struct target *t, const char *v)
{
	const char *name = bus_svc_name((bus_svc_t)t->id);
	int rc;

	if (strcmp(v, "stop") && strcmp(v, "start") && strcmp(v, "restart"))
		return refuse("state", "write stop, start or restart");
	rc = service_request(v, name);
	if (rc == -AE_EBUSY)
		kprintf("sysfs: state: %s is in this request's call chain\n",
			name);
	return rc;
}

/* Parse a rule number at *p (digits up to a space or the end). */
static int rule_number(const char **p, uint32_t *n)
{
	const char *s = *p;

	*n = 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (*n > 1000)
			return -1;
		*n = *n * 10 + (uint32_t)(*s - '0');
	}
	*p = s;
	return 0;
}

/* "add RULE", "ins N RULE", "del N", "clear" (the default rules stay)
 * or "clear all". */
static int write_rules(const char *v)
{
	const char *why = "no reason given";
	uint32_t n = 0;
	int rc;

	if (strcmp(v, "clear") == 0) {
		bus_rule_clear();
		return 0;
	}
	if (strcmp(v, "clear all") == 0) {
		bus_rule_clear_all();
		kprintf("sysfs: rules: every rule cleared, the default "
			"privilege rules too\n");
		return 0;
	}
	if (strncmp(v, "add ", 4) == 0 || strncmp(v, "ins ", 4) == 0) {
		if (v[0] == 'a') {
			rc = bus_rule_add(v + 4, &why);
		} else {
			const char *p = v + 4;

			if (rule_number(&p, &n) || *p != ' ')
				return refuse("rules", "ins takes a rule's "
					      "number and a rule");
			rc = bus_rule_insert(n, p + 1, &why);
		}
		if (rc == -AE_EINVAL)
			return refuse("rules", why);
		if (rc == -AE_ENOMEM)
			kprintf("sysfs: rules: %s\n", why);
		else if (rc < 0)
			kprintf("sysfs: rules: table full (%u rules)\n",
				BUS_RULES_MAX);
		return rc < 0 ? rc : 0;
	}
	if (strncmp(v, "del ", 4) == 0) {
		const char *p = v + 4;

		if (rule_number(&p, &n) || *p)
			return refuse("rules", "del takes a rule's number");
		if (bus_rule_remove(n))
			return refuse("rules", "no rule with that number");
		return 0;
	}
	return refuse("rules", "write add RULE, ins N RULE, del N, clear "
		      "(keeps the default rules) or clear all");
}

static int write_watchdog(const char *v)
{
	uint32_t ms = 0;

	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || ms > 600000)
			return refuse("watchdog_ms", "a number of ms from 0 (off) "
				      "to 600000");
		ms = ms * 10 + (uint32_t)(*p - '0');
	}
	if (ms > 600000)
		return refuse("watchdog_ms", "a number of ms from 0 (off) to "
			      "600000");
	return bus_watchdog_set_ms(ms);
}

static int write_log_level(const char *v)
{
	if (v[0] < '0' || v[0] > '7' || v[1])
		return refuse("log_level", "a level from 0 to 7");
	return klog_set_level((uint32_t)(v[0] - '0'));
}

/* The trace filter goes to the console service, which checks and applies
 * it (its reason for a refusal is on the console). */
static int write_trace(const char *v, size_t n)
{
	/* -E2BIG, not the bus's -EBADMSG for a payload the contract
	 * refuses: the writer's value is too long */
	if (n > BUS_INLINE_MAX)
		return -AE_E2BIG;
	return call_trace_filter(v, n);		/* -ENODEV: no console */
}

static int do_write(const struct bus_msg *m, struct handle *h,
		    const struct node_req *q, struct bus_msg *reply)
{
	char v[WRITE_MAX + 1];
	const char *src;
	size_t n = q->len;
	int rc;

	if (!writable(&h->t))
		return -AE_EINVAL;
	if (n == 0)
		return -AE_EINVAL;
	if (n > WRITE_MAX)
		return -AE_E2BIG;
	src = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (!src)
		return rc;
	memcpy(v, src, n);
	if (v[n - 1] == '\n')
		n--;
	v[n] = '\0';
	if (memchr(v, '\0', n) || n == 0)
		return refuse("write", "empty or binary value");
	switch (h->t.what) {
	case W_TRACE:
		rc = write_trace(v, n);
		break;
	case W_RULES:
		rc = write_rules(v);
		break;
	case W_LOGLEVEL:
		rc = write_log_level(v);
		break;
	case W_WATCHDOG:
		rc = write_watchdog(v);
		break;
	case W_SATTR: {
		struct sysfs_io io = { h->t.item, (uint32_t)n, 0, 0 };

		rc = lend_call(h->t.id, &io, v, (uint32_t)n + 1, NULL);
		break;
	}
	default:
		rc = write_service_state(&h->t, v);
		break;
	}
	if (rc)
		return rc;
	memcpy(reply->data, &q->len, sizeof(q->len));
	reply->len = sizeof(q->len);
	return 0;
}

/* ---- directories -------------------------------------------------------- */

static void set_name(struct node_dirent *d, const char *name, uint32_t kind)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->name, name, strnlen(name, NODE_NAME_MAX - 1));
	d->kind = kind;
}

static int fixed_entry(const struct entry *e, unsigned int n, uint32_t index,
		       struct node_dirent *d)
{
	struct target t = { .what = index < n ? e[index].what : W_ROOT };

	if (index >= n)
		return -AE_ENOENT;
	set_name(d, e[index].name, is_dir(t.what) ? NODE_KIND_DIR :
		 NODE_KIND_ATTR);
	return 0;
}

static int attr_entry(const char *const *names, unsigned int n,
		      uint32_t index, struct node_dirent *d)
{
	if (index >= n)
		return -AE_ENOENT;
	set_name(d, names[index], NODE_KIND_ATTR);
	return 0;
}

/* The index-th entry of a devices directory: the device's attributes
 * (when the directory is a device), then the components below it. */
static int devices_entry(const struct target *t, uint32_t index,
			 struct node_dirent *d)
{
	char c[NODE_NAME_MAX], o[NODE_NAME_MAX];
	uint32_t k = 0;
	int rc = fetch_devices();

	if (rc)
		return rc;
	if (t->id >= 0) {
		if (index < N(dev_attrs))
			return attr_entry(dev_attrs, N(dev_attrs), index, d);
		index -= (uint32_t)N(dev_attrs);
	}
	for (uint32_t i = 0; i < devs.n; i++) {
		bool seen = false;

		if (!child_of(i, t->dpath, c, sizeof(c)))
			continue;
		for (uint32_t j = 0; j < i && !seen; j++)
			seen = child_of(j, t->dpath, o, sizeof(o)) &&
			       strcmp(o, c) == 0;
		if (seen)
			continue;
		if (k++ == index) {
			set_name(d, c, NODE_KIND_DIR);
			return 0;
		}
	}
	return -AE_ENOENT;
}

/* The index-th live service or topic. */
static int live_entry(bool topics, uint32_t index, struct node_dirent *d)
{
	uint32_t k = 0;

	if (topics) {
		/* ids freed since (a process's topic) leave holes */
		for (unsigned int t = 0; t < bus_topic_count(); t++) {
			if (!bus_topic_live((bus_topic_t)t) || k++ != index)
				continue;
			set_name(d, bus_topic_name((bus_topic_t)t),
				 NODE_KIND_DIR);
			return 0;
		}
		return -AE_ENOENT;
	}
	for (unsigned int s = 0; s < bus_svc_span(); s++) {
		if (bus_svc_state((bus_svc_t)s) == BUS_SVC_FREE)
			continue;
		if (k++ == index) {
			set_name(d, bus_svc_name((bus_svc_t)s), NODE_KIND_DIR);
			return 0;
		}
	}
	return -AE_ENOENT;
}

/* The root: its fixed directories, then the services' own. */
static int root_entry(uint32_t index, struct node_dirent *d)
{
	const char *dir;

	if (index < N(root_dir))
		return fixed_entry(root_dir, N(root_dir), index, d);
	if (service_dir(index - (uint32_t)N(root_dir), &dir) < 0)
		return -AE_ENOENT;
	set_name(d, dir, NODE_KIND_DIR);
	return 0;
}

static int entry(const struct target *t, uint32_t index,
		 struct node_dirent *d)
{
	struct sysfs_attr a;
	int rc;

	switch (t->what) {
	case W_ROOT:
		return root_entry(index, d);
	case W_SDIR:
		if (index >= SYSFS_ATTRS_MAX)
			return -AE_ENOENT;
		rc = service_attr(t->id, index, &a);
		if (rc)
			return rc;
		set_name(d, a.name, NODE_KIND_ATTR);
		return 0;
	case W_BUS:
		return fixed_entry(bus_dir, N(bus_dir), index, d);
	case W_KERNEL:
		return fixed_entry(kernel_dir, N(kernel_dir), index, d);
	case W_SERVICES:
		return live_entry(false, index, d);
	case W_TOPICS:
		return live_entry(true, index, d);
	case W_SERVICE:
		return attr_entry(svc_attrs, N(svc_attrs), index, d);
	case W_TOPIC:
		return attr_entry(topic_attrs, N(topic_attrs), index, d);
	case W_MM:
		return attr_entry(mm_attrs, N(mm_attrs), index, d);
	case W_GRANTS:
		return attr_entry(grant_attrs, N(grant_attrs), index, d);
	case W_DEVICES:
		return devices_entry(t, index, d);
	default:
		return -AE_ENOTDIR;
	}
}

/* ---- requests ----------------------------------------------------------- */

static unsigned int used_handles(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < HANDLES_MAX; i++)
		n += handles[i].used;
	return n;
}

static int do_open(const struct bus_msg *m, const struct node_req *q,
		   struct bus_msg *reply)
{
	struct node_cred c = { q->uid, q->gid, 0 };
	struct handle *h;
	const char *path;
	uint32_t i;
	int rc;

	for (i = 0; i < HANDLES_MAX && handles[i].used; i++)
		;
	if (i == HANDLES_MAX || !node_slot_allowed(used_handles(),
						   HANDLES_MAX,
						   HANDLES_RESERVE, q->uid))
		return -AE_EMFILE;
	h = &handles[i];
	path = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (rc)
		return rc;
	rc = lookup(path, q->len, &h->t);
	if (rc)
		return rc;
	if (is_dir(h->t.what) != !!(q->flags & NODE_DIR))
		return is_dir(h->t.what) ? -AE_EISDIR : -AE_ENOTDIR;
	/* a value nobody may write is refused to root too: there is no
	 * write behind it */
	if (!node_mode_allows(mode_of(&h->t), 0, 0, c, q->flags) ||
	    ((q->flags & NODE_WRITE) && !writable(&h->t)))
		return -AE_EACCES;
	if (!is_dir(h->t.what)) {
		rc = render(&h->t, h->text);
		if (rc)
			return rc;
	}
	h->used = true;
	memcpy(reply->data, &i, sizeof(i));
	reply->len = sizeof(i);
	return 0;
}

static int do_read(const struct bus_msg *m, struct handle *h,
		   const struct node_req *q, struct bus_msg *reply)
{
	uint32_t n = (uint32_t)strlen(h->text), got = 0;
	char *buf;
	int rc;

	if (is_dir(h->t.what))
		return -AE_EISDIR;
	buf = node_req_buf(m, q, BUS_GRANT_WRITE, &rc);
	if (rc)
		return rc;
	if (q->off < n) {
		got = n - q->off;
		if (got > q->len)
			got = q->len;
		memcpy(buf, h->text + q->off, got);
	}
	memcpy(reply->data, &got, sizeof(got));
	reply->len = sizeof(got);
	return 0;
}

static int do_stat(const struct bus_msg *m, const struct node_req *q)
{
	static struct target t;
	struct node_stat st, *out;
	const char *path;
	int rc;

	path = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (rc)
		return rc;
	rc = lookup(path, q->len, &t);
	if (rc)
		return rc;
	out = node_req_out(m, q, sizeof(st));
	if (!out)
		return -AE_EFAULT;
	memset(&st, 0, sizeof(st));
	st.kind = is_dir(t.what) ? NODE_KIND_DIR : NODE_KIND_ATTR;
	st.mode = mode_of(&t);
	memcpy(out, &st, sizeof(st));
	return 0;
}

static int sysfs_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	struct node_req q;
	struct handle *h;
	struct node_dirent d;
	int rc;

	(void)state;
	/* a new ns (or this instance's first message) knows neither the
	 * mount nor the handles it had open here: drop them (their clients
	 * get -ESTALE from ns) and mount again */
	switch (node_owner_check(m, &ns_gen)) {
	case 2:
		mount();
		/* fall through */
	case 1:
		memset(handles, 0, sizeof(handles));
		break;
	default:
		break;
	}
	if (m->kind != BUS_REQUEST)
		return 0;
	rc = node_req_take(m, &q);
	if (rc)
		return rc;
	if (m->topic == TOPIC_NODE_OPEN)
		return do_open(m, &q, reply);
	if (m->topic == TOPIC_NODE_STAT)
		return do_stat(m, &q);
	if (m->topic == TOPIC_NODE_READLINK)
		return -AE_EINVAL;	/* no links here */
	if (q.handle >= HANDLES_MAX || !handles[q.handle].used)
		return -AE_EBADF;
	h = &handles[q.handle];
	if (m->topic == TOPIC_NODE_CLOSE) {
		h->used = false;
		return 0;
	}
	if (m->topic == TOPIC_NODE_READ)
		return do_read(m, h, &q, reply);
	if (m->topic == TOPIC_NODE_WRITE)
		return do_write(m, h, &q, reply);
	if (m->topic == TOPIC_NODE_READDIR) {
		struct node_dirent *out = node_req_out(m, &q, sizeof(d));

		if (!out)
			return -AE_EFAULT;
		rc = entry(&h->t, q.off, &d);
		if (rc)
			return rc;
		memcpy(out, &d, sizeof(d));
		return 0;
	}
	return -AE_ENOSYS;	/* no attribute takes ioctls */
}

SERVICE(sysfs,
	.name = "sysfs",
	.rescue = true,
	.init = sysfs_init,
	.handler = sysfs_handle,
	.subscribe = SUBSCRIBES_SYSFS,
	.serves = SERVES_SYSFS,
	.needs = SERVICE_LIST("ns"));
