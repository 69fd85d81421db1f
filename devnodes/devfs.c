/*
 * devfs.c - /dev: device nodes, served over the bus (see aegis/node.h).
 *
 * Built-in nodes:
 *   null     (0666) reads end at once, writes are swallowed
 *   zero     (0666) reads give zeros, writes are swallowed
 *   urandom  (0444) reads give the random service's bytes, at once
 *            (before it is ready too, as Linux's: docs/RANDOM.md)
 *   console  (0620, group tty 5), ttyS0 (0660, group dialout 20) and
 *   tty      (0666): the console's terminal; their reads, writes and
 *            ioctls go to the console service as they came, grants and
 *            all (services/console/tty.c, aegis/tty.h)
 *   timer    (0444) a read gives "ticks N\n", N the timer ticks the
 *            sched service has counted ("sched.ticks")
 * and one node per device the devtree service bound to a driver, named
 * by its instance name (driver and unit: rtc0, gic0, ...), mode 0600. A
 * read of a device a service drives is forwarded to that service as a
 * "device.read" request (aegis/driver.h); a device the HAL drives reads
 * as its description.
 *
 * Hot-plug: "devtree.device.removed" takes the device's node away and
 * "devtree.device.added" brings it back (a new node, under the same
 * name). A handle opened before the removal stays dead: it answers
 * -ENODEV, even after the device returns.
 *
 * Every open is checked against the node's mode for the caller's
 * credentials; a refusal is -EACCES (and the reply status shows in the
 * bus trace).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/random.h>
#include <aegis/clients.h>
#include <aegis/devtree.h>
#include <aegis/driver.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/node.h>
#include <aegis/service.h>
#include <aegis/topics.h>

#define NODES_MAX	64
#define HANDLES_MAX	NODE_FILES_MAX
#define HANDLES_RESERVE	16	/* left to uid 0 (aegis/node.h) */

enum kind { K_NULL, K_ZERO, K_CONSOLE, K_TIMER, K_DEVICE, K_URANDOM };

static struct dnode {
	bool present;
	char name[NODE_NAME_MAX];
	enum kind kind;
	uint32_t mode, uid, gid;
	uint32_t gen;			/* bumped when the node goes away */
	struct devtree_event dev;	/* K_DEVICE */
} nodes[NODES_MAX];
static unsigned int nnodes;

static struct handle {
	bool used;
	bool dir;
	uint32_t node;
	uint32_t flags;
	uint32_t gen;			/* the node's, at open */
} handles[HANDLES_MAX];

static bool synced;
static uint32_t ns_gen;	/* the ns instance it mounted at (0: none yet) */


static void add_node(const char *name, enum kind k, uint32_t mode,
		     uint32_t gid, const struct devtree_event *dev)
{
	struct dnode *n;

	if (nnodes == NODES_MAX)
		return;
	n = &nodes[nnodes++];
	memset(n, 0, sizeof(*n));
	n->present = true;
	memcpy(n->name, name, strnlen(name, NODE_NAME_MAX - 1));
	n->kind = k;
	n->mode = mode;
	n->gid = gid;
	if (dev)
		n->dev = *dev;
}

static int devfs_init(void)
{
	nnodes = 0;
	memset(handles, 0, sizeof(handles));
	add_node("null", K_NULL, 0666, 0, NULL);
	add_node("zero", K_ZERO, 0666, 0, NULL);
	add_node("urandom", K_URANDOM, 0444, 0, NULL);
	add_node("console", K_CONSOLE, 0620, 5, NULL);
	add_node("ttyS0", K_CONSOLE, 0660, 20, NULL);
	add_node("tty", K_CONSOLE, 0666, 5, NULL);
	add_node("timer", K_TIMER, 0444, 0, NULL);
	ns_gen = 0;
	synced = false;
	return 0;
}

/* Mount /dev at ns once the bus runs (init runs before handlers may
 * call other services). */
static void mount(void)
{
	if (node_mount("dev"))
		kprintf("devfs: cannot mount /dev\n");
}

/* The node of devtree device index, present or not, or NULL. */
static struct dnode *device_node(uint32_t index)
{
	for (unsigned int i = 0; i < nnodes; i++)
		if (nodes[i].kind == K_DEVICE && nodes[i].dev.index == index)
			return &nodes[i];
	return NULL;
}

/* A device added (or announced again) or removed. */
static void device_change(const struct devtree_event *ev, bool removed)
{
	const struct driver_desc *drv = NULL;
	struct dnode *n;
	char name[NODE_NAME_MAX];
	size_t nd;

	drv = driver_builtin(&nd);
	if (ev->driver < 0 || (size_t)ev->driver >= nd)
		return;		/* only devices a driver took get a node */
	n = device_node(ev->index);
	if (removed) {
		if (n && n->present) {
			n->present = false;
			n->gen++;
		}
		return;
	}
	if (n) {		/* back after a detach, or announced again */
		n->dev = *ev;
		n->present = true;
		return;
	}
	ksnprintf(name, sizeof(name), "%s%u", drv[ev->driver].name, ev->unit);
	add_node(name, K_DEVICE, 0600, 0, ev);
}

static void device_event(const struct bus_msg *m)
{
	struct devtree_event ev;

	if (m->len != sizeof(ev))
		return;
	memcpy(&ev, m->data, sizeof(ev));
	device_change(&ev, m->topic == TOPIC_DEVTREE_DEVICE_REMOVED);
}

/* After a (re)start: the devices the devtree has attached now (their
 * announcements went by while this service was not listening). */
static int sync_devices(void)
{
	struct devtree_event ev;
	uint32_t n;
	int rc = devtree_count(&n);

	if (rc)
		return rc;
	for (uint32_t i = 0; i < n; i++)
		if (devtree_device(i, &ev) == 0 && ev.attached)
			device_change(&ev, false);
	return 0;
}

/* The devtree's word on a device node now: a device detached a moment
 * ago (its removal event still on the way) goes at once. Devices whose
 * driver takes no hot-plug cannot go away: not asked. */
static bool still_attached(int i)
{
	struct dnode *n = &nodes[i];
	struct devtree_event ev;
	size_t nd;
	const struct driver_desc *drv = driver_builtin(&nd);

	if ((size_t)n->dev.driver >= nd || !drv[n->dev.driver].hotplug)
		return true;
	if (devtree_device(n->dev.index, &ev))
		return true;	/* no word: keep what the events said */
	if (!ev.attached)
		device_change(&n->dev, true);
	return ev.attached;
}

static int find(const char *path, uint32_t len)
{
	for (unsigned int i = 0; i < nnodes; i++)
		if (nodes[i].present && strlen(nodes[i].name) == len &&
		    memcmp(nodes[i].name, path, len) == 0)
			return (int)i;
	return -AE_ENOENT;
}

static void stat_of(const struct dnode *n, struct node_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->kind = n->kind == K_CONSOLE ? NODE_KIND_TTY : NODE_KIND_DEV;
	st->mode = n->mode;
	st->uid = n->uid;
	st->gid = n->gid;
}

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
	const char *path;
	struct node_cred c = { q->uid, q->gid, 0 };
	uint32_t h;
	int i, rc;

	if (q->len == 0) {		/* /dev itself */
		if (!(q->flags & NODE_DIR) || (q->flags & NODE_WRITE))
			return -AE_EISDIR;
		i = -1;
	} else {
		if (q->flags & NODE_DIR)
			return -AE_ENOTDIR;
		path = node_req_buf(m, q, BUS_GRANT_READ, &rc);
		if (!path)
			return rc;
		i = find(path, q->len);
		if (i >= 0 && nodes[i].kind == K_DEVICE && !still_attached(i))
			i = -AE_ENOENT;
		if (i < 0)
			return i;
		if (!node_mode_allows(nodes[i].mode, nodes[i].uid,
				      nodes[i].gid, c, q->flags))
			return -AE_EACCES;
	}
	for (h = 0; h < HANDLES_MAX && handles[h].used; h++)
		;
	if (h == HANDLES_MAX || !node_slot_allowed(used_handles(),
						   HANDLES_MAX,
						   HANDLES_RESERVE, q->uid))
		return -AE_EMFILE;
	handles[h] = (struct handle){ true, i < 0, (uint32_t)(i < 0 ? 0 : i),
				      q->flags, i < 0 ? 0 : nodes[i].gen };
	memcpy(reply->data, &h, sizeof(h));
	reply->len = sizeof(h);
	return 0;
}

static struct handle *handle_of(uint32_t h, int *rc)
{
	if (h >= HANDLES_MAX || !handles[h].used) {
		*rc = -AE_EBADF;
		return NULL;
	}
	if (!handles[h].dir && (!nodes[handles[h].node].present ||
				nodes[handles[h].node].gen != handles[h].gen)) {
		*rc = -AE_ENODEV;
		return NULL;
	}
	*rc = 0;
	return &handles[h];
}

/* Copy the part of text at offset off into the caller's buffer. */
static uint32_t give_text(char *buf, const struct node_req *q,
			  const char *text)
{
	uint32_t n = (uint32_t)strlen(text);

	if (q->off >= n)
		return 0;
	n -= q->off;
	if (n > q->len)
		n = q->len;
	memcpy(buf, text + q->off, n);
	return n;
}

/* The bus id of the service driving a device node, or -1 (the HAL). */
static int owner_of(const struct dnode *n)
{
	size_t nd;
	const struct driver_desc *drv = driver_builtin(&nd);
	const char *owner;

	if ((size_t)n->dev.driver >= nd)
		return -1;
	owner = drv[n->dev.driver].owner;
	return strcmp(owner, "hal") == 0 ? -1 : bus_svc_find(owner);
}

/* An ioctl for the driver: its "device.ioctl" answer is the reply (of
 * the contract's size: the bus refuses any other with -EBADMSG). */
static int forward_ioctl(const struct bus_msg *m, const struct dnode *n,
			 const struct node_req *q, struct bus_msg *reply)
{
	struct device_io io = { n->dev.index, q->len, 0, q->flags, q->buf, 0 };
	int32_t answer = 0;
	int rc;

	if (n->kind != K_DEVICE || owner_of(n) < 0)
		return -AE_ENOTTY;	/* nothing here takes ioctls */
	rc = bus_grant_pass(m, q->buf, (bus_svc_t)owner_of(n));
	if (rc)
		return rc;
	rc = call_device_ioctl((bus_svc_t)owner_of(n), &io, &answer);
	if (rc)
		return rc;
	memcpy(reply->data, &answer, sizeof(answer));
	reply->len = sizeof(answer);
	return 0;
}

/* The terminal's nodes: the request as it came, with its grants, to the
 * console's terminal (services/console/tty.c, aegis/tty.h). */
static int forward_tty(const struct bus_msg *m, const struct node_req *q,
		       struct bus_msg *reply)
{
	int con = bus_svc_find("console");
	struct node_req fw = *q;
	uint32_t word = 0;
	int32_t answer = 0;
	int rc;

	if (con < 0)
		return -AE_ENODEV;
	fw.handle = 0;
	rc = bus_grant_pass(m, q->buf, (bus_svc_t)con);
	if (rc == 0)
		rc = bus_grant_pass(m, q->out, (bus_svc_t)con);
	if (rc)
		return rc;
	if (m->topic == TOPIC_NODE_READ) {
		rc = call_node_read((bus_svc_t)con, &fw, &word);
	} else if (m->topic == TOPIC_NODE_WRITE) {
		rc = call_node_write((bus_svc_t)con, &fw, &word);
	} else {
		rc = call_node_ioctl((bus_svc_t)con, &fw, &answer);
		word = (uint32_t)answer;
	}
	if (rc)
		return rc;
	memcpy(reply->data, &word, sizeof(word));
	reply->len = sizeof(word);
	return 0;
}

/* A read for the driver: its "device.read" answer is the reply. */
static int forward_read(const struct bus_msg *m, const struct dnode *n,
			const struct node_req *q, struct bus_msg *reply)
{
	struct device_io io = { n->dev.index, q->len, q->off, 0, q->buf, 0 };
	uint32_t got = 0;
	int rc = bus_grant_pass(m, q->buf, (bus_svc_t)owner_of(n));

	if (rc == 0)
		rc = call_device_read((bus_svc_t)owner_of(n), &io, &got);
	if (rc)
		return rc;
	memcpy(reply->data, &got, sizeof(got));
	reply->len = sizeof(got);
	return 0;
}

static int do_read(const struct bus_msg *m, struct handle *h,
		   const struct node_req *q, struct bus_msg *reply)
{
	const struct dnode *n = &nodes[h->node];
	char text[96], *buf;
	uint32_t got = 0;
	int rc;

	if (h->dir)
		return -AE_EISDIR;
	if (n->kind == K_DEVICE && owner_of(n) >= 0)
		return forward_read(m, n, q, reply);
	buf = node_req_buf(m, q, BUS_GRANT_WRITE, &rc);
	if (rc)
		return rc;
	switch (n->kind) {
	case K_NULL:
		break;
	case K_ZERO:
		if (q->len)
			memset(buf, 0, q->len);
		got = q->len;
		break;
	case K_CONSOLE:
		return -AE_EINVAL;	/* the terminal's: forward_tty */
	case K_URANDOM:
		while (got < q->len) {
			uint32_t k = q->len - got < RANDOM_READ_MAX ?
				     q->len - got : RANDOM_READ_MAX;

			rc = random_read(buf + got, k, RANDOM_INSECURE);
			if (rc <= 0) {
				if (!got)
					return rc ? rc : -AE_EIO;
				break;
			}
			got += (uint32_t)rc;
		}
		break;
	case K_TIMER:
	{
		uint64_t ticks = 0;

		rc = call_sched_ticks(&ticks);	/* -ENODEV: no sched */
		if (rc)
			return rc;
		ksnprintf(text, sizeof(text), "ticks %llu\n",
			  (unsigned long long)ticks);
	}
		got = q->len ? give_text(buf, q, text) : 0;
		break;
	case K_DEVICE:
		ksnprintf(text, sizeof(text), "%s: regs %#llx, irq %d\n",
			  n->dev.name, (unsigned long long)n->dev.reg,
			  n->dev.irq == DEVTREE_NO_IRQ ? -1 : (int)n->dev.irq);
		got = q->len ? give_text(buf, q, text) : 0;
		break;
	}
	memcpy(reply->data, &got, sizeof(got));
	reply->len = sizeof(got);
	return 0;
}

static int do_write(const struct bus_msg *m, struct handle *h,
		    const struct node_req *q, struct bus_msg *reply)
{
	const struct dnode *n = &nodes[h->node];
	int rc;
	uint32_t done = 0;

	if (h->dir)
		return -AE_EISDIR;
	(void)node_req_buf(m, q, BUS_GRANT_READ, &rc);	/* lent, as said */
	if (rc)
		return rc;
	switch (n->kind) {
	case K_NULL:
	case K_ZERO:
		done = q->len;
		break;
	case K_URANDOM:
		return -AE_EACCES;	/* read-only (docs/RANDOM.md) */
	default:
		return -AE_EINVAL;	/* read-only nodes */
	}
	memcpy(reply->data, &done, sizeof(done));
	reply->len = sizeof(done);
	return 0;
}

static int do_readdir(const struct bus_msg *m, struct handle *h,
		      const struct node_req *q)
{
	struct node_dirent d, *out;
	uint32_t k = 0;

	if (!h->dir)
		return -AE_ENOTDIR;
	out = node_req_out(m, q, sizeof(d));
	if (!out)
		return -AE_EFAULT;
	for (unsigned int i = 0; i < nnodes; i++) {
		if (!nodes[i].present)
			continue;
		if (k++ == q->off) {
			memset(&d, 0, sizeof(d));
			memcpy(d.name, nodes[i].name, sizeof(d.name));
			d.kind = nodes[i].kind == K_CONSOLE ? NODE_KIND_TTY :
								NODE_KIND_DEV;
			memcpy(out, &d, sizeof(d));
			return 0;
		}
	}
	return -AE_ENOENT;
}

static int do_stat(const struct bus_msg *m, const struct node_req *q)
{
	struct node_stat st, *out = node_req_out(m, q, sizeof(st));
	const char *path;
	int i, rc;

	if (!out)
		return -AE_EFAULT;
	if (q->len == 0) {
		memset(&st, 0, sizeof(st));
		st.kind = NODE_KIND_DIR;
		st.mode = 0755;
	} else {
		path = node_req_buf(m, q, BUS_GRANT_READ, &rc);
		if (!path)
			return rc;
		i = find(path, q->len);
		if (i < 0)
			return i;
		stat_of(&nodes[i], &st);
	}
	memcpy(out, &st, sizeof(st));
	return 0;
}

static int devfs_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	struct node_req q;
	struct handle *h;
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
	if (!synced)
		synced = sync_devices() == 0;
	if (m->kind == BUS_EVENT) {
		if ((m->topic == TOPIC_DEVTREE_DEVICE_ADDED ||
		     m->topic == TOPIC_DEVTREE_DEVICE_REMOVED) &&
		    (int)m->src == bus_svc_find("devtree"))
			device_event(m);
		return 0;
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
	h = handle_of(q.handle, &rc);
	if (m->topic == TOPIC_NODE_CLOSE) {	/* close: always frees */
		if (q.handle < HANDLES_MAX && handles[q.handle].used) {
			handles[q.handle].used = false;
			return 0;
		}
		return -AE_EBADF;
	}
	if (!h)
		return rc;
	if (!h->dir && nodes[h->node].kind == K_CONSOLE &&
	    (m->topic == TOPIC_NODE_READ || m->topic == TOPIC_NODE_WRITE ||
	     m->topic == TOPIC_NODE_IOCTL))
		return forward_tty(m, &q, reply);
	if (m->topic == TOPIC_NODE_READ)
		return do_read(m, h, &q, reply);
	if (m->topic == TOPIC_NODE_WRITE)
		return do_write(m, h, &q, reply);
	if (m->topic == TOPIC_NODE_READDIR)
		return do_readdir(m, h, &q);
	if (m->topic == TOPIC_NODE_IOCTL)
		return h->dir ? -AE_ENOTTY :
		       forward_ioctl(m, &nodes[h->node], &q, reply);
	return -AE_ENOSYS;
}

SERVICE(devfs,
	.name = "devfs",
	.init = devfs_init,
	.handler = devfs_handle,
	.subscribe = SUBSCRIBES_DEVFS,
	.serves = SERVES_DEVFS,
	.needs = SERVICE_LIST("ns", "console"));
