/*
 * test_core.c - kernel/sched/core.c: ready queues by priority, round
 * robin inside one, sleeping and blocked threads with deadlines; with
 * several CPUs, a queue per CPU, where a waking thread goes, affinity,
 * and what an idle CPU steals.
 */
#include <aegis/errno.h>
#include "../../../../kernel/sched/core.h"
#include "unit.h"

static struct core c;

static void setup(void)
{
	core_init(&c);
}

START_TEST(test_core_most_urgent_first_fifo_within)
{
	int a = core_add(&c, 4, 0), b = core_add(&c, 4, 0), u = core_add(&c, 1, 0);

	ck_assert_int_ge(a, 0);
	ck_assert_uint_eq(core_best(&c, 0), 1);
	ck_assert_int_eq(core_pick(&c, 0), u);
	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_int_eq(core_pick(&c, 0), b);
	ck_assert_int_eq(core_pick(&c, 0), CORE_NONE);
	ck_assert_uint_eq(core_best(&c, 0), CORE_PRIOS);
	ck_assert_uint_eq(c.t[a].state, CORE_RUNNING);
}
END_TEST

START_TEST(test_core_round_robin_by_yield)
{
	int id[3], order[6];

	for (int i = 0; i < 3; i++)
		id[i] = core_add(&c, 2, 0);
	for (int k = 0; k < 6; k++) {
		order[k] = core_pick(&c, 0);
		ck_assert_int_eq(core_ready(&c, order[k], false), 0);
	}
	for (int k = 0; k < 6; k++)
		ck_assert_int_eq(order[k], id[k % 3]);
}
END_TEST

START_TEST(test_core_preempted_keeps_its_turn)
{
	int a = core_add(&c, 3, 0), b = core_add(&c, 3, 0);

	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_int_eq(core_ready(&c, a, true), 0);	/* interrupted */
	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_int_eq(core_ready(&c, a, false), 0);	/* slice used up */
	ck_assert_int_eq(core_pick(&c, 0), b);
}
END_TEST

START_TEST(test_core_sleep_until_deadline)
{
	int a = core_add(&c, 0, 0), b = core_add(&c, 5, 0);

	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_int_eq(core_sleep(&c, a, 100), 0);
	ck_assert_int_eq(core_sleep(&c, a, 100), -AE_EINVAL);	/* not running */
	ck_assert_uint_eq(core_next_deadline(&c), 100);
	ck_assert_uint_eq(core_expire(&c, 99, 0, NULL), 0);
	ck_assert_int_eq(core_pick(&c, 0), b);
	ck_assert_uint_eq(core_expire(&c, 100, 0, NULL), 1);
	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_uint_eq(core_next_deadline(&c), 0);
	ck_assert_int_eq(core_sleep(&c, a, 0), -AE_EINVAL);
}
END_TEST

START_TEST(test_core_block_woken_or_timed_out)
{
	int a = core_add(&c, 2, 0), b = core_add(&c, 2, 0);

	core_pick(&c, 0);
	ck_assert_int_eq(core_block(&c, a, 0), 0);	/* no deadline */
	ck_assert_uint_eq(core_expire(&c, ~0ull, 0, NULL), 0);
	ck_assert_int_eq(core_wake(&c, a, 0), 0);
	ck_assert_int_eq(core_wake(&c, a, 0), -AE_EINVAL);	/* late wake */
	ck_assert_uint_eq(c.t[a].timed_out, 0);
	ck_assert_int_eq(core_pick(&c, 0), b);
	ck_assert_int_eq(core_block(&c, b, 50), 0);
	ck_assert_uint_eq(core_expire(&c, 60, 0, NULL), 1);
	ck_assert_uint_eq(c.t[b].timed_out, 1);
	ck_assert_uint_eq(c.t[b].state, CORE_READY);
}
END_TEST

START_TEST(test_core_exit_and_release)
{
	int a = core_add(&c, 1, 0);

	ck_assert_int_eq(core_exit(&c, a), -AE_EINVAL);	/* ready, not running */
	core_pick(&c, 0);
	ck_assert_int_eq(core_release(&c, a), -AE_EINVAL);
	ck_assert_int_eq(core_exit(&c, a), 0);
	ck_assert_int_eq(core_pick(&c, 0), CORE_NONE);
	ck_assert_int_eq(core_release(&c, a), 0);
	ck_assert_uint_eq(c.t[a].state, CORE_FREE);
	ck_assert_int_eq(core_add(&c, 1, 0), a);		/* the slot again */
}
END_TEST

START_TEST(test_core_table_full_and_bad_arguments)
{
	for (int i = 0; i < CORE_THREADS; i++)
		ck_assert_int_ge(core_add(&c, (unsigned int)i % CORE_PRIOS, 0), 0);
	ck_assert_int_eq(core_add(&c, 0, 0), -AE_ENOSPC);
	ck_assert_int_eq(core_add(&c, CORE_PRIOS, 0), -AE_EINVAL);
	ck_assert_int_eq(core_ready(&c, -1, false), -AE_EINVAL);
	ck_assert_int_eq(core_wake(&c, CORE_THREADS, 0), -AE_EINVAL);
	ck_assert_int_eq(core_set_prio(&c, 0, CORE_PRIOS), -AE_EINVAL);
	ck_assert_uint_eq(c.nready[0], CORE_THREADS);
}
END_TEST

START_TEST(test_core_priority_change_requeues)
{
	int a = core_add(&c, 6, 0), b = core_add(&c, 6, 0), d = core_add(&c, 3, 0);

	ck_assert_int_eq(core_set_prio(&c, b, 1), 0);
	ck_assert_int_eq(core_pick(&c, 0), b);
	ck_assert_int_eq(core_pick(&c, 0), d);
	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_uint_eq(c.nready[0], 0);
}
END_TEST

START_TEST(test_core_expire_in_order_of_ids_all_due)
{
	int id[4];

	for (int i = 0; i < 4; i++) {
		id[i] = core_add(&c, 4, 0);
		ck_assert_int_eq(core_pick(&c, 0), id[i]);
		ck_assert_int_eq(core_sleep(&c, id[i], 40 - 10 * (uint64_t)i),
				 0);
	}
	ck_assert_uint_eq(core_next_deadline(&c), 10);
	ck_assert_uint_eq(core_expire(&c, 25, 0, NULL), 2);	/* 10 and 20 */
	ck_assert_uint_eq(core_expire(&c, 25, 0, NULL), 0);
	ck_assert_uint_eq(core_expire(&c, 1000, 0, NULL), 2);
	ck_assert_uint_eq(c.nready[0], 4);
}
END_TEST

START_TEST(test_core_remove_undoes_an_add)
{
	int a = core_add(&c, 2, 0), b = core_add(&c, 2, 0);

	ck_assert_int_eq(core_remove(&c, a), 0);	/* READY: dequeued */
	ck_assert_uint_eq(c.nready[0], 1);
	ck_assert_int_eq(core_pick(&c, 0), b);
	ck_assert_int_eq(core_pick(&c, 0), CORE_NONE);
	ck_assert_uint_eq(core_load(&c, 0), 1);
	ck_assert_int_eq(core_remove(&c, b), 0);	/* RUNNING */
	ck_assert_uint_eq(core_load(&c, 0), 0);
	ck_assert_int_eq(core_remove(&c, b), -AE_EINVAL);	/* free */
	ck_assert_int_eq(core_add(&c, 1, 0), a);
}
END_TEST

START_TEST(test_core_reserved_runs_once_woken)
{
	int a;

	core_online(&c, 1);
	a = core_reserve(&c, 3, 0);
	ck_assert_int_ge(a, 0);
	ck_assert_uint_eq(c.t[a].state, CORE_BLOCKED);
	ck_assert_uint_eq(c.nready[0], 0);
	ck_assert_int_eq(core_pick(&c, 0), CORE_NONE);
	ck_assert_uint_eq(core_expire(&c, ~0ull, 0, NULL), 0);	/* no deadline */
	ck_assert_int_eq(core_set_affinity(&c, a, 1ull << 1), 0);
	ck_assert_int_eq(core_wake(&c, a, 0), 1);
	ck_assert_int_eq(core_pick(&c, 1), a);
	ck_assert_int_eq(core_reserve(&c, CORE_PRIOS, 0), -AE_EINVAL);
}
END_TEST

START_TEST(test_core_a_queue_per_cpu)
{
	int a, b;

	ck_assert_int_eq(core_add(&c, 2, 1), -AE_EINVAL);	/* offline */
	ck_assert_int_eq(core_online(&c, 1), 0);
	ck_assert_int_eq(core_online(&c, CORE_CPUS), -AE_EINVAL);
	a = core_add(&c, 2, 0);
	b = core_add(&c, 2, 1);
	ck_assert_uint_eq(c.nready[0], 1);
	ck_assert_uint_eq(c.nready[1], 1);
	ck_assert_int_eq(core_pick(&c, 1), b);		/* its own only */
	ck_assert_int_eq(core_pick(&c, 1), CORE_NONE);
	ck_assert_uint_eq(core_best(&c, 1), CORE_PRIOS);
	ck_assert_uint_eq(core_best(&c, 0), 2);
	ck_assert_uint_eq(core_load(&c, 1), 1);		/* b runs there */
	ck_assert_uint_eq(core_load(&c, 0), 1);		/* a waits */
	ck_assert_int_eq(core_ready(&c, b, false), 0);
	ck_assert_uint_eq(c.t[b].cpu, 1);		/* stays */
	ck_assert_int_eq(core_pick(&c, 0), a);
}
END_TEST

START_TEST(test_core_wake_goes_where_nothing_runs)
{
	int a, b, d;

	core_online(&c, 1);
	core_online(&c, 2);
	a = core_add(&c, 3, 0);
	b = core_add(&c, 3, 0);
	d = core_add(&c, 3, 0);
	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_int_eq(core_block(&c, a, 0), 0);
	/* its own CPU is free again: back there (warm caches) */
	ck_assert_int_eq(core_pick(&c, 0), b);
	ck_assert_int_eq(core_block(&c, b, 0), 0);
	ck_assert_int_eq(core_pick(&c, 0), d);		/* d runs on 0 */
	/* 0 is busy: a free CPU, the one asleep first */
	ck_assert_int_eq(core_wake(&c, a, 1ull << 2), 2);
	ck_assert_uint_eq(c.t[a].cpu, 2);
	ck_assert_uint_eq(c.nready[2], 1);
	/* 0 and 2 have one each now: 1 is the only free one */
	ck_assert_int_eq(core_wake(&c, b, 0), 1);
	ck_assert_int_eq(core_pick(&c, 1), b);
	ck_assert_int_eq(core_pick(&c, 2), a);
}
END_TEST

START_TEST(test_core_wake_to_the_least_loaded_when_all_busy)
{
	int id[5];

	core_online(&c, 1);
	for (int i = 0; i < 5; i++)
		id[i] = core_add(&c, 4, i == 4 ? 1 : 0);
	ck_assert_int_eq(core_pick(&c, 0), id[0]);
	ck_assert_int_eq(core_pick(&c, 1), id[4]);
	ck_assert_int_eq(core_block(&c, id[0], 0), 0);
	/* CPU 0: three waiting; CPU 1: one running */
	ck_assert_uint_eq(core_load(&c, 0), 3);
	ck_assert_uint_eq(core_load(&c, 1), 1);
	ck_assert_int_eq(core_wake(&c, id[0], 0), 1);
}
END_TEST

START_TEST(test_core_affinity_is_kept)
{
	int a, b;

	core_online(&c, 1);
	core_online(&c, 2);
	a = core_add(&c, 1, 0);
	b = core_add(&c, 1, 0);
	ck_assert_int_eq(core_set_affinity(&c, a, 1ull << 3), -AE_EINVAL);
	ck_assert_int_eq(core_set_affinity(&c, a, 0), -AE_EINVAL);
	ck_assert_int_eq(core_set_affinity(&c, CORE_THREADS, 1), -AE_EINVAL);
	/* READY where it may no longer run: moved */
	ck_assert_int_eq(core_set_affinity(&c, a, 1ull << 2), 0);
	ck_assert_uint_eq(c.t[a].cpu, 2);
	ck_assert_uint_eq(c.nready[0], 1);
	ck_assert_uint_eq(c.nready[2], 1);
	/* RUNNING: moved when it stops */
	ck_assert_int_eq(core_pick(&c, 0), b);
	ck_assert_int_eq(core_set_affinity(&c, b, 1ull << 1), 0);
	ck_assert_uint_eq(c.t[b].cpu, 0);
	ck_assert_int_eq(core_ready(&c, b, true), 0);
	ck_assert_uint_eq(c.t[b].cpu, 1);
	ck_assert_uint_eq(c.nready[0], 0);
	/* a wake never leaves the mask, however busy its CPU */
	ck_assert_int_eq(core_pick(&c, 2), a);
	ck_assert_int_eq(core_block(&c, a, 0), 0);
	ck_assert_int_eq(core_set_affinity(&c, b, 1ull << 2), 0);
	ck_assert_uint_eq(c.t[b].cpu, 2);
	ck_assert_int_eq(core_wake(&c, a, ~0ull), 2);
	/* nor does a steal */
	ck_assert_int_eq(core_pick(&c, 2), b);
	ck_assert_int_eq(core_steal(&c, 0), CORE_NONE);
	ck_assert_int_eq(core_steal(&c, 1), CORE_NONE);
	ck_assert_int_eq(core_set_affinity(&c, a, CORE_ALL), 0);
	ck_assert_int_eq(core_steal(&c, 1), a);
	ck_assert_uint_eq(c.steals, 1);
}
END_TEST

START_TEST(test_core_steal_takes_the_most_urgent_from_the_busiest)
{
	int id[6];

	core_online(&c, 1);
	core_online(&c, 2);
	core_online(&c, 3);
	id[0] = core_add(&c, 5, 0);
	id[1] = core_add(&c, 5, 0);
	id[2] = core_add(&c, 5, 0);
	id[3] = core_add(&c, 2, 0);
	id[4] = core_add(&c, 5, 1);
	id[5] = core_add(&c, 5, 1);
	ck_assert_int_eq(core_pick(&c, 0), id[3]);
	/* a lone READY thread on a CPU with nothing else is not taken */
	ck_assert_int_eq(core_pick(&c, 1), id[4]);
	ck_assert_int_eq(core_block(&c, id[4], 0), 0);
	ck_assert_uint_eq(core_load(&c, 1), 1);
	/* CPU 0 (three waiting while one runs) gives its most urgent */
	ck_assert_int_eq(core_steal(&c, 2), id[0]);
	ck_assert_uint_eq(c.t[id[0]].cpu, 2);
	ck_assert_int_eq(core_pick(&c, 2), id[0]);
	ck_assert_int_eq(core_steal(&c, 3), id[1]);
	ck_assert_int_eq(core_steal(&c, 3), id[2]);	/* one ran, one waited */
	ck_assert_int_eq(core_pick(&c, 3), id[1]);
	ck_assert_int_eq(core_steal(&c, 7), CORE_NONE);	/* offline */
	/* 3 runs one and has one waiting: 1 takes that one */
	ck_assert_int_eq(core_steal(&c, 1), id[2]);
	/* behind id[5] there: 2 takes it on */
	ck_assert_int_eq(core_pick(&c, 1), id[5]);
	ck_assert_int_eq(core_steal(&c, 2), id[2]);
	ck_assert_int_eq(core_pick(&c, 3), CORE_NONE);
	ck_assert_int_eq(core_steal(&c, 3), id[2]);	/* behind id[0] */
	ck_assert_int_eq(core_pick(&c, 3), id[2]);
	/* nothing waits anywhere now */
	ck_assert_int_eq(core_steal(&c, 0), CORE_NONE);
	ck_assert_uint_eq(c.steals, 6);
}
END_TEST

START_TEST(test_core_expire_says_which_cpus_got_work)
{
	int a, b;
	uint64_t cpus;

	core_online(&c, 1);
	a = core_add(&c, 4, 0);
	b = core_add(&c, 4, 1);
	ck_assert_int_eq(core_pick(&c, 0), a);
	ck_assert_int_eq(core_pick(&c, 1), b);
	ck_assert_int_eq(core_sleep(&c, a, 10), 0);
	ck_assert_int_eq(core_sleep(&c, b, 10), 0);
	ck_assert_uint_eq(core_load(&c, 0), 0);	/* both asleep */
	ck_assert_uint_eq(core_load(&c, 1), 0);
	ck_assert_uint_eq(core_expire(&c, 10, 0, &cpus), 2);
	ck_assert_uint_eq(cpus, 3);
	ck_assert_uint_eq(c.t[a].cpu, 0);
	ck_assert_uint_eq(c.t[b].cpu, 1);
}
END_TEST

/* The busiest CPU has nothing the idle one may run: the next busiest
 * gives one instead. */
START_TEST(test_core_steal_passes_over_what_it_may_not_run)
{
	int id[6];

	core_online(&c, 1);
	core_online(&c, 2);
	for (int i = 0; i < 4; i++)	/* CPU 0: one runs, three wait */
		id[i] = core_add(&c, 3, 0);
	id[4] = core_add(&c, 3, 1);	/* CPU 1: one runs, one waits */
	id[5] = core_add(&c, 3, 1);
	ck_assert_int_eq(core_pick(&c, 0), id[0]);
	ck_assert_int_eq(core_pick(&c, 1), id[4]);
	for (int i = 1; i < 4; i++)
		ck_assert_int_eq(core_set_affinity(&c, id[i], 1), 0);
	ck_assert_int_eq(core_steal(&c, 2), id[5]);
	ck_assert_int_eq(core_steal(&c, 2), CORE_NONE);
}
END_TEST

START_TEST(test_core_waiting_cpus_are_where_waiting_threads_may_go)
{
	int a, b, d;

	core_online(&c, 1);
	core_online(&c, 2);
	ck_assert_uint_eq(core_waiting_cpus(&c, 0), 0);
	a = core_add(&c, 3, 0);
	b = core_add(&c, 3, 0);
	d = core_add(&c, 3, 0);
	ck_assert_int_eq(core_pick(&c, 0), a);	/* running: not waiting */
	ck_assert_int_eq(core_set_affinity(&c, a, 1ull << 2), 0);
	ck_assert_int_eq(core_set_affinity(&c, b, 1), 0);
	ck_assert_int_eq(core_set_affinity(&c, d, 1 | 1ull << 1 | 1ull << 7),
			 0);
	ck_assert_uint_eq(core_waiting_cpus(&c, 0), 3);	/* 7 is offline */
	ck_assert_uint_eq(core_waiting_cpus(&c, CORE_CPUS), 0);
}
END_TEST

Suite *suite_sched_core(void)
{
	Suite *s = suite_create("sched_core");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_core_most_urgent_first_fifo_within);
	tcase_add_test(tc, test_core_round_robin_by_yield);
	tcase_add_test(tc, test_core_preempted_keeps_its_turn);
	tcase_add_test(tc, test_core_sleep_until_deadline);
	tcase_add_test(tc, test_core_block_woken_or_timed_out);
	tcase_add_test(tc, test_core_exit_and_release);
	tcase_add_test(tc, test_core_table_full_and_bad_arguments);
	tcase_add_test(tc, test_core_priority_change_requeues);
	tcase_add_test(tc, test_core_expire_in_order_of_ids_all_due);
	tcase_add_test(tc, test_core_remove_undoes_an_add);
	tcase_add_test(tc, test_core_a_queue_per_cpu);
	tcase_add_test(tc, test_core_reserved_runs_once_woken);
	tcase_add_test(tc, test_core_wake_goes_where_nothing_runs);
	tcase_add_test(tc, test_core_wake_to_the_least_loaded_when_all_busy);
	tcase_add_test(tc, test_core_affinity_is_kept);
	tcase_add_test(tc, test_core_steal_takes_the_most_urgent_from_the_busiest);
	tcase_add_test(tc, test_core_expire_says_which_cpus_got_work);
	tcase_add_test(tc, test_core_steal_passes_over_what_it_may_not_run);
	tcase_add_test(tc, test_core_waiting_cpus_are_where_waiting_threads_may_go);
	suite_add_tcase(s, tc);
	return s;
}
