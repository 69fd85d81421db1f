/*
 * restart.c - in-kernel test that every built-in service can be restarted
 * and the system comes back whole: each one in turn, three rounds, then
 * /dev and /sys answer, no grant is left lent, and the free pages after
 * the second and the third round are the same (a restart leaks nothing;
 * the first round may still fill caches that stay). Explicit
 * (ktest=restart): it restarts everything under the other tests.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/service.h>

static void restart_all(struct ktest_ctx *t, const struct service_desc *tab,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		KEXPECT_EQ(t, service_restart(tab[i].name), 0);
		bus_run(~0u);
		KEXPECT_EQ(t, service_state(tab[i].name), SERVICE_UP);
	}
}

static void whole(struct ktest_ctx *t)
{
	char buf[32];
	int fd;

	fd = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	if (fd >= 0)
		KEXPECT_EQ(t, node_close(fd), 0);
	fd = node_open("/sys/mm/free", NODE_READ, NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	if (fd >= 0) {
		KEXPECT(t, node_read(fd, buf, sizeof(buf)) > 0);
		KEXPECT_EQ(t, node_close(fd), 0);
	}
}

KTEST_EXPLICIT(restart, every_service_comes_back_whole)
{
	const struct service_desc *tab;
	struct bus_grant_stats gs;
	struct mm_stats ms;
	uint64_t free2 = 0, free3 = 0;
	size_t n;
	int fd;

	tab = service_builtin(&n);
	fd = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);
	KEXPECT(t, fd >= 0);
	for (int round = 1; round <= 3; round++) {
		restart_all(t, tab, n);
		whole(t);
		KEXPECT_EQ(t, mm_get_stats(&ms), 0);
		if (round == 2)
			free2 = ms.free_pages;
		if (round == 3)
			free3 = ms.free_pages;
	}
	/* a handle of the first ns is stale, and closing it is fine */
	KEXPECT_EQ(t, (long long)node_read(fd, NULL, 0),
		   (long long)-AE_ESTALE);
	KEXPECT_EQ(t, node_close(fd), 0);
	bus_grant_stats(&gs);
	KEXPECT_EQ(t, gs.live, 0u);
	kprintf("ktest: restart: %zu services, 3 rounds; free pages %llu "
		"after the second, %llu after the third\n", n,
		(unsigned long long)free2, (unsigned long long)free3);
	KEXPECT_EQ(t, (long long)free3, (long long)free2);
}
