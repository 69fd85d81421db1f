/*
 * pong.c - the other half of the bus ping-pong (ping.c): it subscribes to
 * "user.ping" and sends every event it gets straight back to its sender
 * on "user.pong", until it has answered the first event and ROUNDS more.
 */
#include "ulib.h"

#define ROUNDS 1000

int main(void)
{
	long pong = aegis_lookup(ABI_LOOKUP_TOPIC, "user.pong", 9);
	struct abi_msg m;
	long rc;

	if (pong < 0 || aegis_subscribe("user.ping", 9)) {
		printf("pong: cannot listen on user.ping\n");
		return 1;
	}
	for (int n = 0; n <= ROUNDS; n++) {
		rc = aegis_receive(&m, 5000000000);
		if (rc) {
			printf("pong: no ping after %d: %ld\n", n, rc);
			return 1;
		}
		rc = aegis_send(m.src, pong, m.data, m.len);
		if (rc) {
			printf("pong: send to %u: %ld\n", m.src, rc);
			return 1;
		}
	}
	printf("pong: answered %d pings\n", ROUNDS);
	return 0;
}
