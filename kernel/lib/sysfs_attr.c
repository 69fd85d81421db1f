/*
 * sysfs_attr.c - the answer to a "sysfs.attr" request from a service's
 * table of attributes (aegis/sysfs.h): one helper instead of the same
 * lines in every service with a directory under /sys.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>

int sysfs_attr_answer(const struct sysfs_attr *attrs, uint32_t n,
		      const struct bus_msg *m, struct bus_msg *reply)
{
	uint32_t i;

	if (m->len != sizeof(i))
		return -AE_EINVAL;
	memcpy(&i, m->data, sizeof(i));
	if (i >= n)
		return -AE_ENOENT;
	memcpy(reply->data, &attrs[i], sizeof(attrs[i]));
	reply->len = sizeof(attrs[i]);
	return 0;
}

int sysfs_serve(const struct sysfs_attr *attrs, uint32_t n,
		const struct sysfs_ops *ops, const struct bus_msg *m,
		struct bus_msg *reply)
{
	bool store = m->topic == TOPIC_SYSFS_STORE;
	struct sysfs_io io;
	uint32_t len;
	char *buf;
	int rc;

	if (m->topic == TOPIC_SYSFS_ATTR)
		return sysfs_attr_answer(attrs, n, m, reply);
	if (m->topic != TOPIC_SYSFS_SHOW && !store)
		return -AE_ENOSYS;
	buf = sysfs_io_take(m, &io, store, &rc);
	if (!buf)
		return rc;
	if (io.index >= n)
		return -AE_EINVAL;
	if (store)
		return ops->store && (attrs[io.index].mode & 0200)
			? ops->store(io.index, buf, io.len) : -AE_EACCES;
	len = ops->show(io.index, buf, io.len);
	memcpy(reply->data, &len, sizeof(len));
	reply->len = sizeof(len);
	return 0;
}

void *sysfs_io_take(const struct bus_msg *m, struct sysfs_io *io, bool store,
		    int *rc)
{
	char *p;

	*rc = -AE_EINVAL;
	if (m->len != sizeof(*io))
		return NULL;
	memcpy(io, m->data, sizeof(*io));
	if (io->len == UINT32_MAX || (!store && io->len == 0))
		return NULL;
	p = bus_grant_buf(m, io->buf, io->len + (store ? 1u : 0u),
			  store ? BUS_GRANT_READ : BUS_GRANT_WRITE, rc);
	if (p && store && p[io->len] != '\0') {
		*rc = -AE_EINVAL;	/* the value must end where it says */
		return NULL;
	}
	return p;
}
