/*
 * test_balance.c - kernel/lib/balance.c: the policy that picks a move
 * (balance_pick), and rounds over the host bus (balance_round) with a
 * clock the handlers advance, so each service's load is what the test
 * says it is. CPUs other than 0 "dispatch" by saying so
 * (bus_cpu_dispatching); nothing needs to run there.
 */
#include <string.h>
#include <aegis/balance.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include "unit.h"

/* ---- the policy ------------------------------------------------------- */

#define W 1000u		/* a round of 1000 ticks: loads read as per mille */

static struct balance_svc one(bus_svc_t id, unsigned int cpu, uint64_t load,
			      bool movable)
{
	struct balance_svc s = { id, cpu, load, movable };

	return s;
}

START_TEST(test_two_busy_services_on_one_cpu_are_split)
{
	uint64_t load[BALANCE_CPUS] = { 900, 0 };
	struct balance_svc sv[] = { one(1, 0, 450, true), one(2, 0, 450, true) };
	unsigned int to = 99;

	ck_assert_int_eq(balance_pick(load, 3, sv, 2, W, &to), 0);
	ck_assert_uint_eq(to, 1);
}
END_TEST

START_TEST(test_nothing_moves_when_no_cpu_is_busy)
{
	uint64_t load[BALANCE_CPUS] = { 240, 0 };	/* 24 %: not busy */
	struct balance_svc sv[] = { one(1, 0, 120, true), one(2, 0, 120, true) };
	unsigned int to = 99;

	ck_assert_int_eq(balance_pick(load, 3, sv, 2, W, &to), -1);
	load[0] = 250;		/* 25 %: busy */
	sv[0].load = sv[1].load = 125;
	ck_assert_int_eq(balance_pick(load, 3, sv, 2, W, &to), 0);
	ck_assert_int_eq(balance_pick(load, 3, sv, 2, 0, &to), -1);
	ck_assert_uint_eq(to, 1);
}
END_TEST

START_TEST(test_nothing_moves_when_the_cpus_are_even)
{
	uint64_t load[BALANCE_CPUS] = { 600, 460 };	/* 14 % apart */
	struct balance_svc sv[] = { one(1, 0, 300, true), one(2, 0, 300, true),
				    one(3, 1, 460, true) };
	unsigned int to = 99;

	ck_assert_int_eq(balance_pick(load, 3, sv, 3, W, &to), -1);
	load[1] = 440;		/* 16 % apart, but moving 300 gains nothing */
	ck_assert_int_eq(balance_pick(load, 3, sv, 3, W, &to), -1);
	ck_assert_uint_eq(to, 99);
}
END_TEST

/* A service that is all of its CPU's load stays: moving it would only
 * move the queue (and the two CPUs would hand it back and forth). */
START_TEST(test_a_service_that_is_its_cpus_whole_load_stays)
{
	uint64_t load[BALANCE_CPUS] = { 1000, 0 };
	struct balance_svc sv[] = { one(1, 0, 1000, true) };
	unsigned int to = 99;

	ck_assert_int_eq(balance_pick(load, 3, sv, 1, W, &to), -1);
}
END_TEST

START_TEST(test_pinned_services_and_other_cpus_services_stay)
{
	uint64_t load[BALANCE_CPUS] = { 900, 0, 0 };
	struct balance_svc sv[] = { one(1, 0, 450, false), one(2, 1, 0, true),
				    one(3, 0, 450, true) };
	unsigned int to = 99;

	ck_assert_int_eq(balance_pick(load, 7, sv, 3, W, &to), 2);
	ck_assert_uint_eq(to, 1);
	sv[2].movable = false;
	ck_assert_int_eq(balance_pick(load, 7, sv, 3, W, &to), -1);
}
END_TEST

/* The move that leaves the busier of the two CPUs least busy wins; the
 * idlest CPU online takes it (an offline CPU's zero does not count). */
START_TEST(test_the_move_that_evens_most_goes_to_the_idlest_cpu)
{
	uint64_t load[BALANCE_CPUS] = { 950, 300, 50, 0 };
	struct balance_svc sv[] = { one(1, 0, 100, true), one(2, 0, 400, true),
				    one(3, 0, 450, true), one(4, 1, 300, true),
				    one(5, 2, 50, true) };
	unsigned int to = 99;

	/* CPU 3 is not in the mask: CPU 2 is the idlest */
	ck_assert_int_eq(balance_pick(load, 7, sv, 5, W, &to), 2);
	ck_assert_uint_eq(to, 2);
	ck_assert_int_eq(balance_pick(load, 15, sv, 5, W, &to), 2);
	ck_assert_uint_eq(to, 3);
	/* the busiest need not be CPU 0 */
	load[0] = 100;
	load[1] = 900;
	sv[3].load = 900;
	sv[0].cpu = 1;
	sv[0].load = 0;
	ck_assert_int_eq(balance_pick(load, 3, sv, 5, W, &to), -1);
}
END_TEST

/* A move must gain at least half the gap threshold (7.5 % here). */
START_TEST(test_a_move_that_gains_little_is_not_made)
{
	uint64_t load[BALANCE_CPUS] = { 300, 0 };
	struct balance_svc sv[] = { one(1, 0, 70, true), one(2, 0, 230, false) };
	unsigned int to = 99;

	ck_assert_int_eq(balance_pick(load, 3, sv, 2, W, &to), -1);
	sv[0].load = 80;
	sv[1].load = 220;
	ck_assert_int_eq(balance_pick(load, 3, sv, 2, W, &to), 0);
}
END_TEST

/* ---- rounds over the bus ---------------------------------------------- */

static uint64_t fake_now;
static __thread unsigned int this_cpu;

static uint64_t clock_fn(void)
{
	return fake_now;
}

static unsigned int cpu_fn(void)
{
	return this_cpu;
}

/* Its state is how many ticks each message costs. */
static int busy(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)m;
	(void)r;
	fake_now += *(const uint64_t *)state;
	return 0;
}

static struct balancer bal;
static uint64_t cost_a = 40, cost_b = 40, cost_c = 20;

/* n messages to s, dispatched on CPU 0 (where they all are) */
static void feed(bus_svc_t s, unsigned int n)
{
	static const char topic[] = "balance.work";
	bus_topic_t t = (bus_topic_t)bus_topic(topic);

	for (unsigned int i = 0; i < n; i++)
		ck_assert_int_eq(bus_send(s, t, 1, NULL, 0), 0);
	while (bus_run(64))
		;
}

static int add(const char *name, uint64_t *cost, bool anycpu)
{
	int s = bus_svc_add(name, busy, cost, 256, 1);

	ck_assert_int_ge(s, 0);
	if (anycpu)
		ck_assert_int_eq(bus_svc_set_flags((bus_svc_t)s,
						   BUS_SVC_F_ANYCPU), 0);
	return s;
}

START_TEST(test_a_round_moves_one_service_of_a_busy_cpu)
{
	struct balance_move_rec rec;
	int a = add("bal-a", &cost_a, true), b = add("bal-b", &cost_b, true);
	int c = add("bal-c", &cost_c, false);

	bus_cpu_dispatching(1);
	fake_now = 1000;
	ck_assert_int_eq(balance_round(&bal, fake_now, 3, &rec), 0);
	/* a round of 1000 ticks: a 400, b 400, c 100 on CPU 0 */
	feed((bus_svc_t)a, 10);
	feed((bus_svc_t)b, 10);
	feed((bus_svc_t)c, 5);
	fake_now = 2000;
	ck_assert_int_eq(balance_round(&bal, fake_now, 3, &rec), 1);
	ck_assert_uint_eq(bal.pct[0], 90);
	ck_assert_uint_eq(bal.pct[1], 0);
	ck_assert_uint_eq(rec.from, 0);
	ck_assert_uint_eq(rec.to, 1);
	ck_assert_uint_eq(rec.from_pct, 90);
	ck_assert_uint_eq(rec.to_pct, 0);
	ck_assert(strcmp(rec.name, "bal-a") == 0 ||
		  strcmp(rec.name, "bal-b") == 0);
	ck_assert(bus_svc_cpu((bus_svc_t)a) + bus_svc_cpu((bus_svc_t)b) == 1);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)c), 0);
	ck_assert(!bus_svc_pinned((bus_svc_t)a) && !bus_svc_pinned((bus_svc_t)b));
	ck_assert_uint_eq(bal.moves, 1);
	ck_assert_uint_eq(bal.rounds, 1);
	ck_assert(strcmp(bal.log[0].name, rec.name) == 0);
	/* the next round: what is left on CPU 0 is even enough */
	this_cpu = 0;
	feed(bus_svc_cpu((bus_svc_t)a) ? (bus_svc_t)b : (bus_svc_t)a, 10);
	fake_now = 3000;
	ck_assert_int_eq(balance_round(&bal, fake_now, 3, &rec), 0);
	ck_assert_uint_eq(bal.pct[0], 40);
	ck_assert_uint_eq(bal.moves, 1);
}
END_TEST

/* A service pinned (bus_svc_place) is never moved; unpinned, it is.
 * A moved one stays put for BALANCE_COOL rounds. */
START_TEST(test_pinned_stays_and_a_moved_service_cools)
{
	struct balance_move_rec rec;
	int a = add("bal-a", &cost_a, true), b = add("bal-b", &cost_b, true);
	uint64_t t = 1000;

	bus_cpu_dispatching(1);
	bus_cpu_dispatching(2);
	ck_assert_int_eq(bus_svc_place((bus_svc_t)a, 0), 0);
	ck_assert_int_eq(bus_svc_place((bus_svc_t)b, 0), 0);
	ck_assert(bus_svc_pinned((bus_svc_t)a));
	ck_assert_int_eq(bus_svc_move((bus_svc_t)a, 0, 1), -AE_EPERM);
	fake_now = t;
	ck_assert_int_eq(balance_round(&bal, t, 7, &rec), 0);
	for (int r = 0; r < 3; r++) {
		feed((bus_svc_t)a, 10);
		feed((bus_svc_t)b, 10);
		fake_now = t += 1000;
		ck_assert_int_eq(balance_round(&bal, t, 7, &rec), 0);
	}
	ck_assert_uint_eq(bal.pct[0], 80);
	ck_assert_int_eq(bus_svc_unpin((bus_svc_t)b), 0);
	feed((bus_svc_t)a, 10);
	feed((bus_svc_t)b, 10);
	fake_now = t += 1000;
	ck_assert_int_eq(balance_round(&bal, t, 7, &rec), 1);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)a), 0);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)b), 1);
	/* b, moved, stays put for BALANCE_COOL rounds */
	ck_assert_uint_eq(bal.cool[b], BALANCE_COOL);
	/* a move names the CPU it moves from: one that raced another
	 * placement finds the service gone from there */
	ck_assert_int_eq(bus_svc_move((bus_svc_t)b, 0, 2), -AE_EAGAIN);
	ck_assert_int_eq(bus_svc_move((bus_svc_t)b, 1, 7), -AE_ENODEV);
	ck_assert_int_eq(bus_svc_move((bus_svc_t)b, 1, 2), 0);
	ck_assert_int_eq(bus_svc_cpu((bus_svc_t)b), 2);
	ck_assert(!bus_svc_pinned((bus_svc_t)b));
	/* svc place pins again */
	ck_assert_int_eq(bus_svc_place((bus_svc_t)b, 0), 0);
	ck_assert(bus_svc_pinned((bus_svc_t)b));
	ck_assert_int_eq(bus_svc_move((bus_svc_t)b, 0, 1), -AE_EPERM);
	/* a service bound to the boot CPU can be neither moved nor
	 * unpinned */
	ck_assert_int_eq(bus_svc_set_flags((bus_svc_t)a, 0), 0);
	ck_assert_int_eq(bus_svc_unpin((bus_svc_t)a), -AE_EPERM);
	ck_assert_int_eq(bus_svc_move((bus_svc_t)a, 0, 1), -AE_EPERM);
	ck_assert_int_eq(bus_svc_unpin(BUS_SVC_MAX), -AE_EINVAL);
	ck_assert_int_eq(bus_svc_move(BUS_SVC_MAX, 0, 1), -AE_EINVAL);
	ck_assert(!bus_svc_pinned(BUS_SVC_MAX));
}
END_TEST

/* A service that restarts, or is removed, is counted from its new start:
 * its old total is not read as load of the new one. */
START_TEST(test_a_restarted_service_counts_from_its_start)
{
	struct balance_move_rec rec;
	int a = add("bal-a", &cost_a, true), b = add("bal-b", &cost_b, true);

	bus_cpu_dispatching(1);
	fake_now = 1000;
	feed((bus_svc_t)a, 20);		/* 800 ticks before the first round */
	ck_assert_int_eq(balance_round(&bal, fake_now, 3, &rec), 0);
	ck_assert_uint_eq(bal.run[a], 800);
	ck_assert_int_eq(bus_svc_remove((bus_svc_t)b), 0);
	fake_now = 2000;
	ck_assert_int_eq(balance_round(&bal, fake_now, 3, &rec), 0);
	ck_assert_uint_eq(bal.pct[0], 0);	/* nothing ran since */
	ck_assert_uint_eq(bal.run[b], 0);
}
END_TEST

static void setup(void)
{
	this_cpu = 0;
	fake_now = 0;
	memset(&bal, 0, sizeof(bal));
	bus_init(clock_fn);
	bus_set_cpus(cpu_fn);
}

static void teardown(void)
{
	bus_set_cpus(NULL);
	bus_init(NULL);
}

Suite *suite_balance(void)
{
	Suite *s = suite_create("balance");
	TCase *tc = tcase_create("pick");
	TCase *tr = tcase_create("round");

	tcase_add_test(tc, test_two_busy_services_on_one_cpu_are_split);
	tcase_add_test(tc, test_nothing_moves_when_no_cpu_is_busy);
	tcase_add_test(tc, test_nothing_moves_when_the_cpus_are_even);
	tcase_add_test(tc, test_a_service_that_is_its_cpus_whole_load_stays);
	tcase_add_test(tc, test_pinned_services_and_other_cpus_services_stay);
	tcase_add_test(tc, test_the_move_that_evens_most_goes_to_the_idlest_cpu);
	tcase_add_test(tc, test_a_move_that_gains_little_is_not_made);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, test_a_round_moves_one_service_of_a_busy_cpu);
	tcase_add_test(tr, test_pinned_stays_and_a_moved_service_cools);
	tcase_add_test(tr, test_a_restarted_service_counts_from_its_start);
	suite_add_tcase(s, tr);
	return s;
}
