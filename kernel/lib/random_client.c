/*
 * random_client.c - the random service's client call (aegis/random.h).
 */
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/random.h>
#include <aegis/topics.h>

int random_read(void *buf, uint32_t len, uint32_t flags)
{
	int svc = bus_contract_owner(TOPIC_RANDOM_READ), rc;
	struct random_req q = { len, flags, 0 };
	uint32_t n = 0;
	size_t got = 0;

	if (svc < 0)
		return -AE_EAGAIN;	/* not there (yet): nothing to give */
	if (len > RANDOM_READ_MAX)
		return -AE_EINVAL;
	rc = bus_grant_new(buf, len, BUS_GRANT_WRITE, (bus_svc_t)svc, &q.buf);
	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	rc = bus_contract_call(TOPIC_RANDOM_READ, (bus_svc_t)svc, &q,
			       sizeof(q), &n, sizeof(n), &got);
	bus_grant_end(q.buf);
	if (rc)
		return rc;
	return got == sizeof(n) && n <= len ? (int)n : -AE_EFAULT;
}
