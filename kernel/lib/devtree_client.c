/*
 * devtree_client.c - the devtree calls of aegis/devtree.h (what devfs,
 * sysfs, drivers and the shell ask it) over the typed requests of
 * contracts/devtree.def (aegis/clients.h). The bus checks each reply's
 * size against the contract; -ENODEV when devtree is not there.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/devtree.h>
#include <aegis/errno.h>
#include <aegis/grant.h>

int devtree_count(uint32_t *n)
{
	return call_devtree_count(n);
}

int devtree_device(uint32_t index, struct devtree_event *ev)
{
	return call_devtree_device(&index, ev);
}

int devtree_info(uint32_t index, struct devtree_info *out)
{
	struct devtree_info_req q = { index, 0 };
	int dt = bus_contract_owner(TOPIC_DEVTREE_INFO), rc;

	if (dt < 0)
		return dt;
	if (!out)
		return -AE_EFAULT;
	rc = bus_grant_new(out, sizeof(*out), BUS_GRANT_WRITE, (bus_svc_t)dt,
			   &q.out);
	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	rc = call_devtree_info(&q);
	bus_grant_end(q.out);
	return rc;
}

int devtree_hotplug(bool attach, const char *name)
{
	size_t n = strlen(name);
	uint32_t answer;

	if (n == 0 || n > BUS_INLINE_MAX)
		return n ? -AE_ENAMETOOLONG : -AE_EINVAL;
	return attach ? call_devtree_attach(name, n, &answer)
		      : call_devtree_detach(name, n, &answer);
}
