/*
 * ping.c - one half of the bus ping-pong (pong.c is the other): it
 * publishes ROUNDS numbered events on "user.ping"; pong sends each number
 * straight back to ping's service on "user.pong". Every answer must come
 * within a second and carry the number asked. Exits with 0 when all did.
 */
#include "ulib.h"

#define ROUNDS 1000

int main(void)
{
	long ping = aegis_lookup(ABI_LOOKUP_TOPIC, "user.ping", 9);
	long pong = aegis_lookup(ABI_LOOKUP_TOPIC, "user.pong", 9);
	struct abi_msg m;
	long t0, rc;
	uint32_t seq;

	if (ping < 0 || pong < 0) {
		printf("ping: lookup: %ld %ld\n", ping, pong);
		return 1;
	}
	/* until pong listens (it may start later): nobody got it */
	for (int tries = 0; (rc = aegis_publish(ping, "", 0, 4)) == 0; tries++) {
		if (tries == 500) {
			printf("ping: nobody subscribes to user.ping\n");
			return 1;
		}
		aegis_sleep(10000000);
	}
	if (rc != 1 || aegis_receive(&m, 1000000000) || m.len != 0) {
		printf("ping: the first exchange failed (%ld)\n", rc);
		return 1;
	}
	t0 = aegis_clock();
	for (seq = 1; seq <= ROUNDS; seq++) {
		rc = aegis_publish(ping, &seq, sizeof(seq), 4);
		if (rc != 1) {
			printf("ping: publish %u: %ld\n", seq, rc);
			return 1;
		}
		rc = aegis_receive(&m, 1000000000);
		if (rc || m.topic != pong || m.len != sizeof(seq) ||
		    *(uint32_t *)m.data != seq) {
			printf("ping: answer %u wrong (rc %ld, topic %u, len "
			       "%u)\n", seq, rc, m.topic, m.len);
			return 1;
		}
	}
	printf("ping: %d round trips with pong over the bus, every answer "
	       "right, %ld us each\n", ROUNDS,
	       (aegis_clock() - t0) / 1000 / ROUNDS);
	return 0;
}
