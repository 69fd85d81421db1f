/*
 * node_client.c - the client side of the node namespace (aegis/node.h):
 * each call is one bus call to the ns service, which forwards it.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/node.h>

static int call(const char *topic, const struct node_req *q, int32_t *out)
{
	int ns = bus_svc_find("ns"), t = bus_topic(topic), rc;
	struct bus_msg reply;

	if (ns < 0)
		return ns;
	if (t < 0)
		return t;
	rc = bus_call((bus_svc_t)ns, (bus_topic_t)t, q, sizeof(*q), &reply);
	if (rc == 0 && out && reply.len >= sizeof(*out))
		memcpy(out, reply.data, sizeof(*out));
	return rc;
}

static struct node_req req(uint32_t handle, const void *buf, uint32_t len,
			   struct node_cred c)
{
	struct node_req q;

	memset(&q, 0, sizeof(q));
	q.handle = handle;
	q.buf = (uint64_t)(uintptr_t)buf;
	q.len = len;
	q.uid = c.uid;
	q.gid = c.gid;
	return q;
}

int node_open(const char *path, uint32_t flags, struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(0, path, (uint32_t)n, c);
	int32_t fd = -1;
	int rc;

	if (!path)
		return -AE_EFAULT;
	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	q.flags = flags;
	rc = call("ns.open", &q, &fd);
	return rc ? rc : fd;
}

int node_read(int fd, void *buf, uint32_t len)
{
	struct node_req q = req((uint32_t)fd, buf, len, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc = call("ns.read", &q, &n);

	return rc ? rc : n;
}

int node_write(int fd, const void *buf, uint32_t len)
{
	struct node_req q = req((uint32_t)fd, buf, len, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc = call("ns.write", &q, &n);

	return rc ? rc : n;
}

int node_ioctl(int fd, uint32_t cmd, void *buf, uint32_t len)
{
	struct node_req q = req((uint32_t)fd, buf, len, NODE_CRED_KERNEL);

	int32_t n = 0;
	int rc;

	q.flags = cmd;
	rc = call("ns.ioctl", &q, &n);
	return rc ? rc : n;
}

int node_close(int fd)
{
	struct node_req q = req((uint32_t)fd, NULL, 0, NODE_CRED_KERNEL);

	return call("ns.close", &q, NULL);
}

int node_stat(const char *path, struct node_stat *st, struct node_cred c)
{
	size_t n = path ? strnlen(path, NODE_PATH_MAX) : 0;
	struct node_req q = req(0, path, (uint32_t)n, c);

	if (!path || !st)
		return -AE_EFAULT;
	if (n == NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	q.out = (uint64_t)(uintptr_t)st;
	return call("ns.stat", &q, NULL);
}

int node_readdir(int fd, uint32_t index, struct node_dirent *d)
{
	struct node_req q = req((uint32_t)fd, NULL, 0, NODE_CRED_KERNEL);

	if (!d)
		return -AE_EFAULT;
	q.off = index;
	q.out = (uint64_t)(uintptr_t)d;
	return call("ns.readdir", &q, NULL);
}

int node_seek(int fd, int64_t off, uint32_t whence)
{
	struct node_req q = req((uint32_t)fd, NULL, 0, NODE_CRED_KERNEL);
	int32_t n = 0;
	int rc;

	q.flags = whence;
	q.out = (uint64_t)off;
	rc = call("ns.seek", &q, &n);
	return rc ? rc : n < 0 ? -AE_EOVERFLOW : n;	/* past 2 GiB */
}

/* ---- for the services that own nodes --------------------------------- */

int node_owner_topics(uint16_t topics[NODE_OPS])
{
	static const char *const names[NODE_OPS] = {
		"node.open", "node.read", "node.write", "node.ioctl",
		"node.close", "node.stat", "node.readdir",
	};

	for (unsigned int i = 0; i < NODE_OPS; i++) {
		int t = bus_topic(names[i]);

		if (t < 0)
			return -AE_ENOSPC;
		topics[i] = (uint16_t)t;
	}
	return 0;
}

int node_mount(const char *name)
{
	int ns = bus_svc_find("ns"), t = bus_topic("ns.mount");
	struct bus_msg reply;

	if (ns < 0)
		return ns;
	if (t < 0)
		return t;
	return bus_call((bus_svc_t)ns, (bus_topic_t)t, name, strlen(name),
			&reply);
}
