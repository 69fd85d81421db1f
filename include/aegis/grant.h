/*
 * aegis/grant.h - memory lent by reference over the bus, as grants.
 *
 * No message carries a pointer. Data a request moves by reference (a
 * read's buffer, a path, a stat's answer, a sysfs value) travels as a
 * grant id that the bus made: a checked descriptor of kernel memory with
 * its owner (the service that lent it, or the kernel for thread code),
 * its range, its rights (read, write) and the services that hold it. A
 * handler gets at the memory only through bus_grant_map, which checks,
 * for the message that named the grant:
 *
 *	- the grant is live (its owner has not ended it: a request that
 *	  outlived its caller's timeout finds it gone, not a dead stack);
 *	- the handler's service (bus_current) holds it;
 *	- the message's sender is the owner or a holder, so a service can
 *	  only name memory it was lent: a user process holds none and can
 *	  own none (only kernel code calls these functions, and a grant is
 *	  never lent to a user process's service), so every grant id in a
 *	  process's payload is refused;
 *	- the rights asked for are granted, and the range is the grant's.
 *
 * A refusal is -EFAULT to the handler (which answers it), counted in
 * bus_grant_stats and /sys/bus/grants. A user process's own memory never
 * travels this way: the system-call gateway copies it into kernel memory
 * first (kernel/syscall.c).
 *
 * A grant is lent for one exchange: the owner makes it before its call
 * and ends it after. A holder forwarding the request passes it on
 * (bus_grant_pass: ns to devfs to a driver). A grant whose owner stops,
 * fails or leaves the bus ends with it.
 *
 * Context: thread or handler context on the dispatching CPU.
 */
#ifndef AEGIS_GRANT_H
#define AEGIS_GRANT_H

#include <aegis/bus.h>

typedef uint32_t bus_grant_t;		/* 0: no grant */

#define BUS_GRANT_READ		1u	/* the holder may read it */
#define BUS_GRANT_WRITE		2u	/* the holder may write it */
#define BUS_GRANT_KERNEL	4u	/* every kernel service holds it (a
					 * ring an event names) */
/*
 * The table needs no per-process quota: a thread lends at most two grants
 * (its buffer and its answer) and is blocked in its call while they live,
 * and one dispatch chain (ns forwarding to sysfs, sysfs asking a service)
 * adds a few, so SCHED_THREADS_MAX threads fit twice over
 * (kernel/lib/node_client.c checks it at build time).
 */
#define BUS_GRANTS_MAX		256
#define BUS_GRANT_HOLDERS	4
#define BUS_GRANT_LEN_MAX	(1u << 20)

/*
 * bus_grant_new - lend [base, base + len) to service to (BUS_SVC_KERNEL:
 * nobody yet), owned by bus_current(). 0 with the id in *out, -EINVAL
 * (no memory, len 0 or above BUS_GRANT_LEN_MAX, unknown rights), -EPERM
 * (to is a user process's service), -ENOSPC (BUS_GRANTS_MAX lent).
 */
int bus_grant_new(const void *base, uint32_t len, uint32_t rights,
		  bus_svc_t to, bus_grant_t *out);

/*
 * bus_grant_pass - the handler of m (which named g) lends g on to to as
 * well: the request it forwards names the same memory. 0, -EFAULT (m's
 * sender or this handler may not use g), -EPERM (to is a user process's),
 * -ENOSPC (BUS_GRANT_HOLDERS hold it already). g == 0 is 0: nothing lent.
 */
int bus_grant_pass(const struct bus_msg *m, bus_grant_t g, bus_svc_t to);

/*
 * bus_grant_map - the memory g names, for the handler of m, which named
 * it: NULL (and a counted refusal) unless every check above holds and
 * rights are granted; *len (if not NULL) gets the grant's length.
 */
void *bus_grant_map(const struct bus_msg *m, bus_grant_t g, uint32_t rights,
		    uint32_t *len);

/*
 * bus_grant_buf - the common case: need bytes of g with rights, for the
 * handler of m. need 0: NULL and *rc = 0 (nothing to move). Otherwise the
 * memory, or NULL with *rc = -EFAULT when the grant is refused or
 * shorter than need.
 */
void *bus_grant_buf(const struct bus_msg *m, bus_grant_t g, uint32_t need,
		    uint32_t rights, int *rc);

/* bus_grant_end - the owner ends g (0 and unknown ids: nothing). */
void bus_grant_end(bus_grant_t g);

/* bus_grant_end_owner - end every grant s owns (it stopped or left). */
void bus_grant_end_owner(bus_svc_t s);

struct bus_grant_stats {
	uint32_t live;		/* lent now */
	uint32_t live_max;	/* high-water mark */
	uint64_t made;
	uint64_t refused;	/* maps and passes refused */
};

void bus_grant_stats(struct bus_grant_stats *out);

#endif
