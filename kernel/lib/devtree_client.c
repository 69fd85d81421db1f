/*
 * devtree_client.c - requests to the devtree service (aegis/devtree.h),
 * one place for what devfs, sysfs, drivers and the shell ask it.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/devtree.h>
#include <aegis/errno.h>
#include <aegis/grant.h>

static int call(const char *topic, const void *data, size_t len,
		struct bus_msg *reply)
{
	int dt = bus_svc_find("devtree"), t = bus_topic(topic);

	if (dt < 0)
		return -AE_ENODEV;
	if (t < 0)
		return t;
	return bus_call((bus_svc_t)dt, (bus_topic_t)t, data, len, reply);
}

int devtree_count(uint32_t *n)
{
	struct bus_msg r;
	int rc = call("devtree.count", NULL, 0, &r);

	if (rc)
		return rc;
	if (r.len != sizeof(*n))
		return -AE_EIO;
	memcpy(n, r.data, sizeof(*n));
	return 0;
}

int devtree_device(uint32_t index, struct devtree_event *ev)
{
	struct bus_msg r;
	int rc = call("devtree.device", &index, sizeof(index), &r);

	if (rc)
		return rc;
	if (r.len != sizeof(*ev))
		return -AE_EIO;
	memcpy(ev, r.data, sizeof(*ev));
	return 0;
}

int devtree_info(uint32_t index, struct devtree_info *out)
{
	struct devtree_info_req q = { index, 0 };
	int dt = bus_svc_find("devtree"), rc;

	if (dt < 0)
		return -AE_ENODEV;
	if (!out)
		return -AE_EFAULT;
	rc = bus_grant_new(out, sizeof(*out), BUS_GRANT_WRITE, (bus_svc_t)dt,
			   &q.out);
	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	rc = call("devtree.info", &q, sizeof(q), NULL);
	bus_grant_end(q.out);
	return rc;
}

int devtree_hotplug(bool attach, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > BUS_INLINE_MAX)
		return n ? -AE_ENAMETOOLONG : -AE_EINVAL;
	return call(attach ? "devtree.attach" : "devtree.detach", name, n,
		    NULL);
}
