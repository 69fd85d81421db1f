/*
 * sysfs_attr.c - the answer to a "sysfs.attr" request from a service's
 * table of attributes (aegis/sysfs.h): one helper instead of the same
 * lines in every service with a directory under /sys.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/sysfs.h>

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
