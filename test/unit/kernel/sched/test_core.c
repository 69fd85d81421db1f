/*
 * test_core.c - kernel/sched/core.c: ready queues by priority, round
 * robin inside one, sleeping and blocked threads with deadlines.
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
	int a = core_add(&c, 4), b = core_add(&c, 4), u = core_add(&c, 1);

	ck_assert_int_ge(a, 0);
	ck_assert_uint_eq(core_best(&c), 1);
	ck_assert_int_eq(core_pick(&c), u);
	ck_assert_int_eq(core_pick(&c), a);
	ck_assert_int_eq(core_pick(&c), b);
	ck_assert_int_eq(core_pick(&c), CORE_NONE);
	ck_assert_uint_eq(core_best(&c), CORE_PRIOS);
	ck_assert_uint_eq(c.t[a].state, CORE_RUNNING);
}
END_TEST

START_TEST(test_core_round_robin_by_yield)
{
	int id[3], order[6];

	for (int i = 0; i < 3; i++)
		id[i] = core_add(&c, 2);
	for (int k = 0; k < 6; k++) {
		order[k] = core_pick(&c);
		ck_assert_int_eq(core_ready(&c, order[k], false), 0);
	}
	for (int k = 0; k < 6; k++)
		ck_assert_int_eq(order[k], id[k % 3]);
}
END_TEST

START_TEST(test_core_preempted_keeps_its_turn)
{
	int a = core_add(&c, 3), b = core_add(&c, 3);

	ck_assert_int_eq(core_pick(&c), a);
	ck_assert_int_eq(core_ready(&c, a, true), 0);	/* interrupted */
	ck_assert_int_eq(core_pick(&c), a);
	ck_assert_int_eq(core_ready(&c, a, false), 0);	/* slice used up */
	ck_assert_int_eq(core_pick(&c), b);
}
END_TEST

START_TEST(test_core_sleep_until_deadline)
{
	int a = core_add(&c, 0), b = core_add(&c, 5);

	ck_assert_int_eq(core_pick(&c), a);
	ck_assert_int_eq(core_sleep(&c, a, 100), 0);
	ck_assert_int_eq(core_sleep(&c, a, 100), -AE_EINVAL);	/* not running */
	ck_assert_uint_eq(core_next_deadline(&c), 100);
	ck_assert_uint_eq(core_expire(&c, 99), 0);
	ck_assert_int_eq(core_pick(&c), b);
	ck_assert_uint_eq(core_expire(&c, 100), 1);
	ck_assert_int_eq(core_pick(&c), a);
	ck_assert_uint_eq(core_next_deadline(&c), 0);
	ck_assert_int_eq(core_sleep(&c, a, 0), -AE_EINVAL);
}
END_TEST

START_TEST(test_core_block_woken_or_timed_out)
{
	int a = core_add(&c, 2), b = core_add(&c, 2);

	core_pick(&c);
	ck_assert_int_eq(core_block(&c, a, 0), 0);	/* no deadline */
	ck_assert_uint_eq(core_expire(&c, ~0ull), 0);
	ck_assert_int_eq(core_wake(&c, a), 0);
	ck_assert_int_eq(core_wake(&c, a), -AE_EINVAL);	/* late wake */
	ck_assert_uint_eq(c.t[a].timed_out, 0);
	ck_assert_int_eq(core_pick(&c), b);
	ck_assert_int_eq(core_block(&c, b, 50), 0);
	ck_assert_uint_eq(core_expire(&c, 60), 1);
	ck_assert_uint_eq(c.t[b].timed_out, 1);
	ck_assert_uint_eq(c.t[b].state, CORE_READY);
}
END_TEST

START_TEST(test_core_exit_and_release)
{
	int a = core_add(&c, 1);

	ck_assert_int_eq(core_exit(&c, a), -AE_EINVAL);	/* ready, not running */
	core_pick(&c);
	ck_assert_int_eq(core_release(&c, a), -AE_EINVAL);
	ck_assert_int_eq(core_exit(&c, a), 0);
	ck_assert_int_eq(core_pick(&c), CORE_NONE);
	ck_assert_int_eq(core_release(&c, a), 0);
	ck_assert_uint_eq(c.t[a].state, CORE_FREE);
	ck_assert_int_eq(core_add(&c, 1), a);		/* the slot again */
}
END_TEST

START_TEST(test_core_table_full_and_bad_arguments)
{
	for (int i = 0; i < CORE_THREADS; i++)
		ck_assert_int_ge(core_add(&c, (unsigned int)i % CORE_PRIOS), 0);
	ck_assert_int_eq(core_add(&c, 0), -AE_ENOSPC);
	ck_assert_int_eq(core_add(&c, CORE_PRIOS), -AE_EINVAL);
	ck_assert_int_eq(core_ready(&c, -1, false), -AE_EINVAL);
	ck_assert_int_eq(core_wake(&c, CORE_THREADS), -AE_EINVAL);
	ck_assert_int_eq(core_set_prio(&c, 0, CORE_PRIOS), -AE_EINVAL);
	ck_assert_uint_eq(c.nready, CORE_THREADS);
}
END_TEST

START_TEST(test_core_priority_change_requeues)
{
	int a = core_add(&c, 6), b = core_add(&c, 6), d = core_add(&c, 3);

	ck_assert_int_eq(core_set_prio(&c, b, 1), 0);
	ck_assert_int_eq(core_pick(&c), b);
	ck_assert_int_eq(core_pick(&c), d);
	ck_assert_int_eq(core_pick(&c), a);
	ck_assert_uint_eq(c.nready, 0);
}
END_TEST

START_TEST(test_core_expire_in_order_of_ids_all_due)
{
	int id[4];

	for (int i = 0; i < 4; i++) {
		id[i] = core_add(&c, 4);
		ck_assert_int_eq(core_pick(&c), id[i]);
		ck_assert_int_eq(core_sleep(&c, id[i], 40 - 10 * (uint64_t)i),
				 0);
	}
	ck_assert_uint_eq(core_next_deadline(&c), 10);
	ck_assert_uint_eq(core_expire(&c, 25), 2);	/* 10 and 20 */
	ck_assert_uint_eq(core_expire(&c, 25), 0);
	ck_assert_uint_eq(core_expire(&c, 1000), 2);
	ck_assert_uint_eq(c.nready, 4);
}
END_TEST

START_TEST(test_core_remove_undoes_an_add)
{
	int a = core_add(&c, 2), b = core_add(&c, 2);

	ck_assert_int_eq(core_remove(&c, a), 0);	/* READY: dequeued */
	ck_assert_uint_eq(c.nready, 1);
	ck_assert_int_eq(core_pick(&c), b);
	ck_assert_int_eq(core_pick(&c), CORE_NONE);
	ck_assert_int_eq(core_remove(&c, b), 0);	/* RUNNING */
	ck_assert_int_eq(core_remove(&c, b), -AE_EINVAL);	/* free */
	ck_assert_int_eq(core_add(&c, 1), a);
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
	suite_add_tcase(s, tc);
	return s;
}
