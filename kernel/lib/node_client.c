/*
 * node_client.c - the client side of the node namespace (aegis/node.h):
 * each call is one request of contracts/ns.def to the ns service, which
 * forwards it, with the buffers lent to ns as grants.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/node.h>
#include <aegis/sched.h>
#include <aegis/service.h>
#include <aegis/tty.h>

/* Every thread blocked in a call here, with its two grants, and a
 * dispatch chain's few besides: the table cannot fill (aegis/grant.h). */
_Static_assert(2 * SCHED_THREADS_MAX + 64 <= BUS_GRANTS_MAX,
	       "the grant table must outlast every thread's call");

/*
 * One call to ns: buf (len bytes, rights) and out (size bytes, written)
 * are lent to ns for the call and ended after it, whatever it answered.
 */
static int call_rw(bus_topic_t topic, struct node_req *q, const void *buf,
		   uint32_t rights, void *out, uint32_t size,
		   uint32_t out_rights, int32_t *ans);

static int call(bus_topic_t topic, struct node_req *q, const void *buf,
		uint32_t rights, void *out, uint32_t size, int32_t *ans)
{
	return call_rw(topic, q, buf, rights, out, size, BUS_GRANT_WRITE, ans);
}

static int call_rw(bus_topic_t topic, struct node_req *q, const void *buf,
		   uint32_t rights, void *out, uint32_t size,
		   uint32_t out_rights, int32_t *ans)
{
	int ns = bus_contract_owner(topic), rc;
	int32_t a = 0;
	size_t got = 0;

	if (ns < 0)
		return ns;
	if (buf && q->len) {
		rc = bus_grant_new(buf, q->len, rights, (bus_svc_t)ns, &q->buf);
		if (rc)
			return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	}
	if (out) {
		rc = bus_grant_new(out, size, out_rights, (bus_svc_t)ns,
				   &q->out);
		if (rc) {
			bus_grant_end(q->buf);
			return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
		}
	}
	/* the reply's size is the contract's (contracts/ns.def), checked
	 * by the bus: an answer, or nothing */
	rc = bus_contract_call(topic, (bus_svc_t)ns, q, sizeof(*q), &a,
			       sizeof(a), &got);
	bus_grant_end(q->buf);
	bus_grant_end(q->out);
	if (rc == 0 && ans && got == sizeof(a))
		*ans = a;
	return rc;
}

static struct node_req req(uint32_t handle, uint32_t len, struct node_cred c)
{
	struct node_req q;

	memset(&q, 0, sizeof(q));
	q.handle = handle;
	q.len = len;
	q.uid = c.uid;
	q.gid = c.gid;
	return q;
}

int node_open(const char *path, uint32_t flags, struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(0, (uint32_t)n, c);
	int32_t fd = -1;
	int rc;

	if (!path)
		return -AE_EFAULT;
	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	q.flags = flags;
	q.seek = c.pid;
	rc = call(TOPIC_NS_OPEN, &q, path, BUS_GRANT_READ, NULL, 0, &fd);
	return rc ? rc : fd;
}

int node_read(int fd, void *buf, uint32_t len)
{
	struct node_req q = req((uint32_t)fd, len, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc;

	if (len && !buf)
		return -AE_EFAULT;
	rc = call(TOPIC_NS_READ, &q, buf, BUS_GRANT_WRITE, NULL, 0, &n);
	return rc ? rc : n;
}

int node_write(int fd, const void *buf, uint32_t len)
{
	struct node_req q = req((uint32_t)fd, len, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc;

	if (len && !buf)
		return -AE_EFAULT;
	rc = call(TOPIC_NS_WRITE, &q, buf, BUS_GRANT_READ, NULL, 0, &n);
	return rc ? rc : n;
}

int node_ioctl(int fd, uint32_t cmd, void *buf, uint32_t len)
{
	struct node_req q = req((uint32_t)fd, len, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc;

	if (len && !buf)
		return -AE_EFAULT;
	q.flags = cmd;
	rc = call(TOPIC_NS_IOCTL, &q, buf, BUS_GRANT_READ | BUS_GRANT_WRITE, NULL,
		  0, &n);
	return rc ? rc : n;
}

int node_close(int fd)
{
	struct node_req q = req((uint32_t)fd, 0, NODE_CRED_KERNEL);

	return call(TOPIC_NS_CLOSE, &q, NULL, 0, NULL, 0, NULL);
}

int node_stat(const char *path, struct node_stat *st, struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(0, (uint32_t)n, c);

	if (!path || !st)
		return -AE_EFAULT;
	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	q.seek = c.pid;
	return call(TOPIC_NS_STAT, &q, path, BUS_GRANT_READ, st, sizeof(*st),
		    NULL);
}

int node_readdir(int fd, uint32_t index, struct node_dirent *d)
{
	struct node_req q = req((uint32_t)fd, 0, NODE_CRED_KERNEL);

	if (!d)
		return -AE_EFAULT;
	q.off = index;
	return call(TOPIC_NS_READDIR, &q, NULL, 0, d, sizeof(*d), NULL);
}

int node_seek(int fd, int64_t off, uint32_t whence)
{
	struct node_req q = req((uint32_t)fd, 0, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc;

	q.flags = whence;
	q.seek = off;
	rc = call(TOPIC_NS_SEEK, &q, NULL, 0, NULL, 0, &n);
	return rc ? rc : n < 0 ? -AE_EOVERFLOW : n;	/* past 2 GiB */
}

/* Two strings, each NUL-terminated, one after the other in buf: their
 * bytes (the second's NUL not counted), or -ENAMETOOLONG. */
static int pair(char *buf, const char *a, const char *b)
{
	size_t na = strnlen(a, NODE_PATH_MAX), nb = strnlen(b, NODE_PATH_MAX);

	if (na == NODE_PATH_MAX || nb == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	memcpy(buf, a, na + 1);
	memcpy(buf + na + 1, b, nb + 1);
	return (int)(na + 1 + nb);
}

int node_stat_at(const char *path, uint32_t flags, struct node_stat *st,
		 struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(0, (uint32_t)n, c);

	if (!path || !st)
		return -AE_EFAULT;
	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	q.flags = flags & NODE_NOFOLLOW;
	q.seek = c.pid;
	return call(TOPIC_NS_STAT, &q, path, BUS_GRANT_READ, st, sizeof(*st),
		    NULL);
}

int node_fstat(int fd, struct node_stat *st)
{
	struct node_req q = req((uint32_t)fd, 0, NODE_CRED_KERNEL);

	if (!st)
		return -AE_EFAULT;
	q.flags = NODE_STAT_HANDLE;
	return call(TOPIC_NS_STAT, &q, NULL, 0, st, sizeof(*st), NULL);
}

int node_append(int fd, const void *buf, uint32_t len)
{
	struct node_req q = req((uint32_t)fd, len, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc;

	if (len && !buf)
		return -AE_EFAULT;
	q.flags = NODE_APPEND;
	rc = call(TOPIC_NS_WRITE, &q, buf, BUS_GRANT_READ, NULL, 0, &n);
	return rc ? rc : n;
}

int node_create(const char *path, uint32_t flags, uint32_t mode,
		const char *target, struct node_cred c)
{
	char both[2 * NODE_PATH_MAX];
	int n;
	struct node_req q;

	if (!path)
		return -AE_EFAULT;
	n = pair(both, path, target ? target : "");
	if (n < 0)
		return n;
	if (!target)
		n = (int)strlen(path);
	q = req(0, (uint32_t)n, c);
	q.flags = flags;
	q.off = mode;
	return call(TOPIC_NS_CREATE, &q, both, BUS_GRANT_READ, NULL, 0, NULL);
}

int node_remove(const char *path, uint32_t flags, struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(0, (uint32_t)n, c);

	if (!path)
		return -AE_EFAULT;
	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	q.flags = flags;
	return call(TOPIC_NS_REMOVE, &q, path, BUS_GRANT_READ, NULL, 0, NULL);
}

static int two_paths(bus_topic_t topic, const char *from, const char *to,
		     struct node_cred c)
{
	char both[2 * NODE_PATH_MAX];
	struct node_req q;
	int n;

	if (!from || !to)
		return -AE_EFAULT;
	n = pair(both, from, to);
	if (n < 0)
		return n;
	q = req(0, (uint32_t)n, c);
	return call(topic, &q, both, BUS_GRANT_READ, NULL, 0, NULL);
}

int node_rename(const char *from, const char *to, struct node_cred c)
{
	return two_paths(TOPIC_NS_RENAME, from, to, c);
}

int node_link(const char *from, const char *to, struct node_cred c)
{
	return two_paths(TOPIC_NS_LINK, from, to, c);
}

int node_readlink(const char *path, char *buf, uint32_t size,
		  struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(0, (uint32_t)n, c);
	int32_t got = 0;
	int rc;

	if (!path || !buf || !size)
		return -AE_EFAULT;
	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	q.off = size;
	q.seek = c.pid;
	rc = call(TOPIC_NS_READLINK, &q, path, BUS_GRANT_READ, buf, size, &got);
	return rc ? rc : got;
}

int node_setattr(int fd, const char *path, uint32_t what, uint32_t mode,
		 int64_t value, struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(path ? 0 : (uint32_t)fd, (uint32_t)n, c);

	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	if (path && !n)
		return -AE_ENOENT;
	q.flags = what;
	q.off = mode;
	q.seek = value;
	return call(TOPIC_NS_SETATTR, &q, path, BUS_GRANT_READ, NULL, 0, NULL);
}

int node_dup(int fd)
{
	struct node_req q = req((uint32_t)fd, 0, NODE_CRED_KERNEL);

	return call(TOPIC_NS_DUP, &q, NULL, 0, NULL, 0, NULL);
}

int node_pipe(int fds[2], struct node_cred c)
{
	struct node_req q = req(0, 0, c);
	struct node_pipe_rep rep;
	int rc = call_ns_pipe(&q, &rep);

	if (rc)
		return rc;
	fds[0] = (int)rep.rd;
	fds[1] = (int)rep.wr;
	return 0;
}

int node_pipe_io(int fd, void *buf, uint32_t len, bool write, int waiter)
{
	struct node_req q = req((uint32_t)fd, len, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc;

	if (len && !buf)
		return -AE_EFAULT;
	q.seek = waiter + 1;	/* the thread the pipe wakes */
	rc = call(write ? TOPIC_NS_WRITE : TOPIC_NS_READ, &q, buf,
		  write ? BUS_GRANT_READ : BUS_GRANT_WRITE, NULL, 0, &n);
	return rc ? rc : n;
}

int node_poll(int fd, int waiter)
{
	struct node_req q = req((uint32_t)fd, 0, NODE_CRED_KERNEL);
	int32_t bits = 0;
	int rc;

	q.flags = NODE_IOCTL_POLL;
	q.seek = waiter + 1;
	rc = call(TOPIC_NS_IOCTL, &q, NULL, 0, NULL, 0, &bits);
	return rc ? rc : bits;
}

int node_tty(int fd, bus_topic_t op, uint32_t cmd, void *buf, uint32_t len,
	     int waiter, struct tty_caller *c)
{
	struct node_req q = req((uint32_t)fd, len, NODE_CRED_KERNEL);
	uint32_t rights = op == TOPIC_NS_WRITE ? BUS_GRANT_READ :
			  op == TOPIC_NS_READ ? BUS_GRANT_WRITE :
			  BUS_GRANT_READ | BUS_GRANT_WRITE;
	int32_t n = 0;
	int rc;

	if ((len && !buf) || !c)
		return -AE_EFAULT;
	q.flags = cmd;
	q.seek = waiter + 1;
	rc = call_rw(op, &q, buf, rights, c, sizeof(*c),
		     BUS_GRANT_READ | BUS_GRANT_WRITE, &n);
	return rc ? rc : n;
}

void *node_req_buf(const struct bus_msg *m, const struct node_req *q,
		   uint32_t rights, int *rc)
{
	return bus_grant_buf(m, q->buf, q->len, rights, rc);
}

int node_req_take(const struct bus_msg *m, struct node_req *q)
{
	if (m->len != sizeof(*q))
		return -AE_EINVAL;
	if (bus_svc_flags(m->src) & BUS_SVC_F_USER)
		return -AE_EPERM;
	memcpy(q, m->data, sizeof(*q));
	return 0;
}

void *node_req_out(const struct bus_msg *m, const struct node_req *q,
		   uint32_t size)
{
	uint32_t glen = 0;
	void *p = bus_grant_map(m, q->out, BUS_GRANT_WRITE, &glen);

	return p && glen >= size ? p : NULL;
}

/* ---- for the services that own nodes --------------------------------- */

int node_mount(const char *name)
{
	return call_ns_mount(name, strlen(name));
}

uint32_t node_ns_generation(void)
{
	int ns = bus_contract_owner(TOPIC_NS_OPEN);

	return ns < 0 ? 0 : bus_svc_generation((bus_svc_t)ns);
}

int node_owner_check(const struct bus_msg *m, uint32_t *ns_gen)
{
	uint32_t g = node_ns_generation();

	if (g == *ns_gen)
		return 0;
	*ns_gen = g;
	/* a request from ns itself: the mount is there (ns forwarded a
	 * path to it), and asking ns from inside its call would deadlock */
	if (m && (int)m->src == bus_contract_owner(TOPIC_NS_OPEN))
		return 1;
	return 2;
}
