/*
 * sysfs.c - /sys: the kernel's state as nodes, one value per file, read
 * live from its owner at read time (see aegis/node.h).
 *
 *   /sys/bus/services/<name>/state     running, stopped, failed
 *   /sys/bus/services/<name>/received  handled, drops, faults, pending,
 *                                      generation (counters of the bus)
 *   /sys/bus/trace_filter              the live tracer's filter; a write
 *                                      sets it (the console service
 *                                      checks it: a bad filter is -EINVAL
 *                                      and the console says why)
 *   /sys/mm/total, free, low           pages, from the mm service
 *
 * A file's text is made when it is opened and read from that snapshot,
 * so a reader sees one consistent value however it splits its reads.
 * Attributes are 0444 except trace_filter (0644): writes by others than
 * root are refused at open.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/service.h>
#include <aegis/trace.h>

#define HANDLES_MAX	32
#define TEXT_MAX	64

static const char *const counters[] = {
	"state", "received", "handled", "drops", "faults", "pending",
	"generation",
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static const char *const mm_files[] = { "total", "free", "low" };

/* What a path names. */
enum what {
	W_ROOT, W_BUS, W_SERVICES, W_SERVICE, W_COUNTER, W_TRACE, W_MM,
	W_MM_FILE,
};

struct target {
	enum what what;
	int svc;		/* bus id, for W_SERVICE / W_COUNTER */
	unsigned int item;	/* counter or mm file index */
};

static struct handle {
	bool used;
	struct target t;
	uint32_t flags;
	char text[TEXT_MAX];
} handles[HANDLES_MAX];

static bus_topic_t t_node[NODE_OPS];
static bool mounted;


static int sysfs_init(void)
{
	if (node_owner_topics(t_node))
		return -AE_ENOSPC;
	memset(handles, 0, sizeof(handles));
	mounted = false;
	return 0;
}

static void mount(void)
{
	mounted = true;
	if (node_mount("sys"))
		kprintf("sysfs: cannot mount /sys\n");
}

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

static int lookup(const char *path, uint32_t len, struct target *t)
{
	const char *p = path, *end = path + len;
	char c[BUS_NAME_MAX];

	t->what = W_ROOT;
	while (p < end) {
		if (!component(&p, end, c, sizeof(c))) {
			if (p == end)
				break;
			return -AE_ENAMETOOLONG;
		}
		switch (t->what) {
		case W_ROOT:
			if (strcmp(c, "bus") == 0)
				t->what = W_BUS;
			else if (strcmp(c, "mm") == 0)
				t->what = W_MM;
			else
				return -AE_ENOENT;
			break;
		case W_BUS:
			if (strcmp(c, "services") == 0)
				t->what = W_SERVICES;
			else if (strcmp(c, "trace_filter") == 0)
				t->what = W_TRACE;
			else
				return -AE_ENOENT;
			break;
		case W_SERVICES:
			t->svc = bus_svc_find(c);
			if (t->svc < 0)
				return -AE_ENOENT;
			t->what = W_SERVICE;
			break;
		case W_SERVICE:
			for (t->item = 0; t->item < NCOUNTERS; t->item++)
				if (strcmp(c, counters[t->item]) == 0)
					break;
			if (t->item == NCOUNTERS)
				return -AE_ENOENT;
			t->what = W_COUNTER;
			break;
		case W_MM:
			for (t->item = 0; t->item < 3; t->item++)
				if (strcmp(c, mm_files[t->item]) == 0)
					break;
			if (t->item == 3)
				return -AE_ENOENT;
			t->what = W_MM_FILE;
			break;
		default:
			return -AE_ENOTDIR;
		}
	}
	return 0;
}

static bool is_dir(enum what w)
{
	return w == W_ROOT || w == W_BUS || w == W_SERVICES ||
	       w == W_SERVICE || w == W_MM;
}

static uint32_t mode_of(enum what w)
{
	return is_dir(w) ? 0555 : w == W_TRACE ? 0644 : 0444;
}

/* The value of an attribute, now, as text. */
static int render(const struct target *t, char *text)
{
	static const char *const states[] = { "free", "running", "stopped",
					      "failed" };
	struct bus_svc_stats st;
	struct mm_stats ms;
	uint64_t v = 0;
	int rc;

	switch (t->what) {
	case W_TRACE:
		ksnprintf(text, TEXT_MAX, "%s\n", trace_filter_get());
		return 0;
	case W_COUNTER:
		if (t->item == 0) {
			unsigned int s = bus_svc_state((bus_svc_t)t->svc);

			ksnprintf(text, TEXT_MAX, "%s\n",
				  s < 4 ? states[s] : "?");
			return 0;
		}
		if (t->item == 6) {
			v = bus_svc_generation((bus_svc_t)t->svc);
		} else {
			rc = bus_svc_stats((bus_svc_t)t->svc, &st);
			if (rc)
				return rc;
			v = t->item == 1 ? st.received : t->item == 2 ? st.handled
			    : t->item == 3 ? st.drops : t->item == 4 ? st.faults
			    : st.pending;
		}
		break;
	case W_MM_FILE:
		rc = mm_get_stats(&ms);
		if (rc)
			return rc;
		v = t->item == 0 ? ms.managed_pages : t->item == 1 ?
		    ms.free_pages : ms.low_mark;
		break;
	default:
		return -AE_EISDIR;
	}
	ksnprintf(text, TEXT_MAX, "%llu\n", (unsigned long long)v);
	return 0;
}

static int do_open(const struct node_req *q, struct bus_msg *reply)
{
	struct node_cred c = { q->uid, q->gid };
	struct target t;
	uint32_t h;
	int rc = lookup((const char *)(uintptr_t)q->buf, q->len, &t);

	if (rc)
		return rc;
	if (is_dir(t.what) != !!(q->flags & NODE_DIR))
		return is_dir(t.what) ? -AE_EISDIR : -AE_ENOTDIR;
	/* a value nobody may write is refused to root too: there is no
	 * write behind it */
	if (!node_mode_allows(mode_of(t.what), 0, 0, c, q->flags) ||
	    ((q->flags & NODE_WRITE) && t.what != W_TRACE))
		return -AE_EACCES;
	for (h = 0; h < HANDLES_MAX && handles[h].used; h++)
		;
	if (h == HANDLES_MAX)
		return -AE_EMFILE;
	memset(&handles[h], 0, sizeof(handles[h]));
	if (!is_dir(t.what)) {
		rc = render(&t, handles[h].text);
		if (rc)
			return rc;
	}
	handles[h].used = true;
	handles[h].t = t;
	handles[h].flags = q->flags;
	memcpy(reply->data, &h, sizeof(h));
	reply->len = sizeof(h);
	return 0;
}

static int do_read(struct handle *h, const struct node_req *q,
		   struct bus_msg *reply)
{
	uint32_t n = (uint32_t)strlen(h->text), got = 0;

	if (is_dir(h->t.what))
		return -AE_EISDIR;
	if (q->len && !q->buf)
		return -AE_EFAULT;
	if (q->off < n) {
		got = n - q->off;
		if (got > q->len)
			got = q->len;
		memcpy((void *)(uintptr_t)q->buf, h->text + q->off, got);
	}
	memcpy(reply->data, &got, sizeof(got));
	reply->len = sizeof(got);
	return 0;
}

/* A write: only the trace filter takes one; the console service checks
 * and applies it (its reason for a refusal is on the console). */
static int do_write(struct handle *h, const struct node_req *q,
		    struct bus_msg *reply)
{
	char text[BUS_INLINE_MAX];
	int console = bus_svc_find("console"), t = bus_topic("trace.filter");
	uint32_t n = q->len;
	int rc;

	if (h->t.what != W_TRACE)
		return -AE_EINVAL;
	if (!q->buf || n == 0)
		return -AE_EINVAL;
	if (n > sizeof(text))
		return -AE_E2BIG;
	memcpy(text, (const void *)(uintptr_t)q->buf, n);
	if (text[n - 1] == '\n')
		n--;
	if (console < 0 || t < 0)
		return -AE_ENODEV;
	rc = bus_call((bus_svc_t)console, (bus_topic_t)t, text, n, NULL);
	if (rc)
		return rc;
	memcpy(reply->data, &q->len, sizeof(q->len));
	reply->len = sizeof(q->len);
	return 0;
}

static void set_name(struct node_dirent *d, const char *name)
{
	memcpy(d->name, name, strnlen(name, NODE_NAME_MAX - 1));
}

/* The index-th entry of a directory, or -ENOENT. */
static int entry(const struct target *t, uint32_t index,
		 struct node_dirent *d)
{
	static const char *const root[] = { "bus", "mm" };
	static const char *const bus[] = { "services", "trace_filter" };

	memset(d, 0, sizeof(*d));
	d->kind = NODE_KIND_ATTR;
	switch (t->what) {
	case W_ROOT:
		if (index >= 2)
			return -AE_ENOENT;
		set_name(d, root[index]);
		d->kind = NODE_KIND_DIR;
		return 0;
	case W_BUS:
		if (index >= 2)
			return -AE_ENOENT;
		set_name(d, bus[index]);
		d->kind = index == 0 ? NODE_KIND_DIR : NODE_KIND_ATTR;
		return 0;
	case W_SERVICES: {
		uint32_t k = 0;

		for (unsigned int s = 0; s < BUS_SVC_MAX; s++) {
			if (bus_svc_state((bus_svc_t)s) == BUS_SVC_FREE)
				continue;
			if (k++ == index) {
				set_name(d, bus_svc_name((bus_svc_t)s));
				d->kind = NODE_KIND_DIR;
				return 0;
			}
		}
		return -AE_ENOENT;
	}
	case W_SERVICE:
		if (index >= NCOUNTERS)
			return -AE_ENOENT;
		set_name(d, counters[index]);
		return 0;
	case W_MM:
		if (index >= 3)
			return -AE_ENOENT;
		set_name(d, mm_files[index]);
		return 0;
	default:
		return -AE_ENOTDIR;
	}
}

static int do_stat(const struct node_req *q)
{
	struct node_stat st;
	struct target t;
	int rc = lookup((const char *)(uintptr_t)q->buf, q->len, &t);

	if (rc)
		return rc;
	if (!q->out)
		return -AE_EFAULT;
	memset(&st, 0, sizeof(st));
	st.kind = is_dir(t.what) ? NODE_KIND_DIR : NODE_KIND_ATTR;
	st.mode = mode_of(t.what);
	memcpy((void *)(uintptr_t)q->out, &st, sizeof(st));
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
	if (!mounted)
		mount();
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->len != sizeof(q))
		return -AE_EINVAL;
	memcpy(&q, m->data, sizeof(q));
	if (m->topic == t_node[NODE_OP_OPEN])
		return do_open(&q, reply);
	if (m->topic == t_node[NODE_OP_STAT])
		return do_stat(&q);
	if (q.handle >= HANDLES_MAX || !handles[q.handle].used)
		return -AE_EBADF;
	h = &handles[q.handle];
	if (m->topic == t_node[NODE_OP_CLOSE]) {
		h->used = false;
		return 0;
	}
	if (m->topic == t_node[NODE_OP_READ])
		return do_read(h, &q, reply);
	if (m->topic == t_node[NODE_OP_WRITE])
		return do_write(h, &q, reply);
	if (m->topic == t_node[NODE_OP_READDIR]) {
		if (!q.out)
			return -AE_EFAULT;
		rc = entry(&h->t, q.off, &d);
		if (rc)
			return rc;
		memcpy((void *)(uintptr_t)q.out, &d, sizeof(d));
		return 0;
	}
	return -AE_ENOSYS;	/* no attribute takes ioctls */
}

SERVICE(sysfs,
	.name = "sysfs",
	.init = sysfs_init,
	.handler = sysfs_handle,
	.subscribe = SERVICE_LIST("kernel.boot.done"),
	.serves = SERVICE_LIST("node.open", "node.read", "node.write",
			       "node.ioctl", "node.close", "node.stat",
			       "node.readdir"),
	.needs = SERVICE_LIST("ns", "mm", "console"));
