/*
 * aegis/sysfs.h - how a service puts its own attributes under /sys.
 *
 * A service names its directory in its descriptor (.sysfs = "example":
 * /sys/example) and answers three requests; sysfs (devnodes/sysfs.c)
 * asks them whenever someone lists, reads or writes there, so the values
 * are always the service's own, read live, and a restarted service needs
 * to do nothing to come back:
 *
 *   "sysfs.attr"   uint32_t index -> struct sysfs_attr (its name and
 *                  mode), -ENOENT past the last
 *   "sysfs.show"   struct sysfs_io (buf lent, size bytes) -> uint32_t
 *                  bytes of text written to buf
 *
 * buf is a grant (aegis/grant.h) sysfs made for the call, reached with
 * sysfs_io_take, never a pointer: a request naming memory its sender
 * was not lent is -EFAULT.
 *   "sysfs.store"  struct sysfs_io (buf holds len bytes of the written
 *                  value, its newline taken off, NUL-terminated) -> 0,
 *                  or an error (-EINVAL with the reason on the console
 *                  for a value the service refuses; nothing changes)
 *
 * A mode of 0644 makes an attribute writable (by root), 0444 read-only.
 * The worked example is services/example/example.c.
 */
#ifndef AEGIS_SYSFS_H
#define AEGIS_SYSFS_H

#include <aegis/bus.h>
#include <aegis/grant.h>
#include <aegis/types.h>

#define SYSFS_ATTR_NAME	32
#define SYSFS_ATTRS_MAX	64	/* attributes sysfs asks a service for */

struct sysfs_attr {
	char name[SYSFS_ATTR_NAME];
	uint32_t mode;
	uint32_t pad;
};

struct sysfs_io {
	uint32_t index;		/* the attribute */
	uint32_t len;		/* show: buf's size; store: the value's */
	bus_grant_t buf;	/* lent for the call (aegis/grant.h) */
	uint32_t pad;
};

/*
 * sysfs_io_take - for a service handling "sysfs.show" or "sysfs.store"
 * m: copy its struct sysfs_io into *io and map its buffer (show:
 * writable, io->len bytes; store: readable, io->len + 1 bytes, the NUL
 * included). NULL with *rc = -EINVAL (not a sysfs_io) or -EFAULT (a grant
 * the sender does not hold: a forged request). kernel/lib/sysfs_attr.c.
 */
void *sysfs_io_take(const struct bus_msg *m, struct sysfs_io *io, bool store,
		    int *rc);

/* sysfs_attr_answer - answer the "sysfs.attr" request m from a table of
 * n attributes: 0 with the attribute in reply, -EINVAL (a payload that is
 * not an index), -ENOENT (past the last). kernel/lib/sysfs_attr.c. */
int sysfs_attr_answer(const struct sysfs_attr *attrs, uint32_t n,
		      const struct bus_msg *m, struct bus_msg *reply);

/*
 * sysfs_serve - a service's whole answer to the sysfs requests for its
 * table of n attributes: "sysfs.attr" (sysfs_attr_answer), "sysfs.show"
 * (show writes attribute index's text into buf, size bytes, and returns
 * its length) and "sysfs.store" (store takes index's value, len bytes
 * and a NUL; an attribute whose mode has no owner-write bit, or a NULL
 * store, is -EACCES). Every other request is -ENOSYS; the caller handles
 * events itself. kernel/lib/sysfs_attr.c.
 */
struct sysfs_ops {
	uint32_t (*show)(uint32_t index, char *buf, uint32_t size);
	int (*store)(uint32_t index, const char *buf, uint32_t len);
};
int sysfs_serve(const struct sysfs_attr *attrs, uint32_t n,
		const struct sysfs_ops *ops, const struct bus_msg *m,
		struct bus_msg *reply);

/* sysfs_put - a show's length so far, n, after ksnprintf wrote k more
 * bytes to buf (size in all): what was cut at the end is not counted. */
static inline uint32_t sysfs_put(uint32_t size, uint32_t n, int k)
{
	return n + (k < 0 ? 0 : k < (int)(size - n) ? (uint32_t)k : size - n);
}

#endif
