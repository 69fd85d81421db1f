/*
 * aegis/random.h - the random service's request (services/random/
 * random.c, docs/RANDOM.md).
 */
#ifndef AEGIS_RANDOM_H
#define AEGIS_RANDOM_H

#include <aegis/grant.h>
#include <aegis/types.h>

#define RANDOM_READ_MAX	256	/* bytes one request gives */
#define RANDOM_INSECURE	0x1	/* before it is ready too */

/* "random.read": up to len bytes (at most RANDOM_READ_MAX) into the
 * buffer lent as buf (writable); the reply (uint32_t) is how many. */
struct random_req {
	uint32_t len;
	uint32_t flags;		/* RANDOM_INSECURE */
	bus_grant_t buf;
};

/* random_read - up to len bytes (at most RANDOM_READ_MAX) into buf, a
 * kernel buffer, from the random service (kernel/lib/random_client.c):
 * their number, -EAGAIN before it is ready (without RANDOM_INSECURE) or
 * when there is no random service, or the call's error. */
int random_read(void *buf, uint32_t len, uint32_t flags);

#endif
