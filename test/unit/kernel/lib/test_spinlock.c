/*
 * test_spinlock.c - kernel/lib/spinlock.c: the ticket lock under real
 * contention (host threads as CPUs) and the lock-order checker's
 * findings: inversions of two and three classes with both stacks, a lock
 * taken again by its holder, a release by a CPU that does not hold it,
 * and a class used in interrupt context and with interrupts on.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <aegis/spinlock.h>
#include "unit.h"

static __thread unsigned int this_cpu;
static __thread bool irqs_on;
static bool in_irq;
static char lines[16][160];
static unsigned int nlines;
static jmp_buf out;
static bool jump_on_deadlock;

static unsigned int cpu(void)
{
	return this_cpu;
}

static bool hook_in_irq(void)
{
	return in_irq;
}

static bool mask(void)
{
	bool was = irqs_on;

	irqs_on = false;
	return was;
}

static void restore(bool on)
{
	irqs_on = on;
}

static void report(const char *line)
{
	if (nlines < 16)
		snprintf(lines[nlines++], sizeof(lines[0]), "%s", line);
}

static void deadlock(void)
{
	if (jump_on_deadlock)
		longjmp(out, 1);
}

static const struct spin_hooks hooks = {
	.cpu = cpu, .in_irq = hook_in_irq, .irq_mask = mask,
	.irq_restore = restore, .report = report, .deadlock = deadlock,
};

static void setup(void)
{
	spin_set_hooks(&hooks);
	lockdep_reset();
	this_cpu = 0;
	irqs_on = true;
	in_irq = false;
	nlines = 0;
	jump_on_deadlock = false;
	memset(lines, 0, sizeof(lines));
}

static void teardown(void)
{
	spin_set_hooks(NULL);
}

static bool said(const char *text)
{
	for (unsigned int i = 0; i < nlines; i++)
		if (strstr(lines[i], text))
			return true;
	return false;
}

static DEFINE_LOCK_CLASS(class_a, "a");
static DEFINE_LOCK_CLASS(class_b, "b");
static DEFINE_LOCK_CLASS(class_c, "c");
static DEFINE_LOCK_CLASS(class_count, "count");

/* ---- the lock ----------------------------------------------------------- */

#define THREADS	4
#define ROUNDS	20000

static spinlock_t count_lock = SPINLOCK_INIT(&class_count);
static volatile unsigned long counter;

static void *hammer(void *arg)
{
	this_cpu = (unsigned int)(uintptr_t)arg;
	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&count_lock);
		counter = counter + 1;	/* not atomic: the lock must hold */
		spin_unlock(&count_lock);
	}
	return NULL;
}

/* THREADS "CPUs" running fn on count_lock: not one increment lost, the
 * lock free at the end, nothing for the checker to say. */
static void contend(void *(*fn)(void *))
{
	pthread_t t[THREADS];
	struct lockdep_stats s;

	counter = 0;
	for (uintptr_t i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, fn, (void *)i),
				 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(counter, THREADS * ROUNDS);
	ck_assert(!spin_is_locked(&count_lock));
	lockdep_stats(&s);
	ck_assert_uint_eq(s.inversions + s.recursions + s.bad_unlocks, 0);
	ck_assert_uint_eq(nlines, 0);
}

START_TEST(test_spin_excludes_under_contention)
{
	contend(hammer);
}
END_TEST

static void *hammer_unfair(void *arg)
{
	this_cpu = (unsigned int)(uintptr_t)arg;
	for (int i = 0; i < ROUNDS; i++) {
		/* half the CPUs fair, half not: the two kinds exclude each
		 * other too */
		if (this_cpu & 1)
			spin_lock_unfair(&count_lock);
		else
			spin_lock(&count_lock);
		counter = counter + 1;	/* not atomic: the lock must hold */
		spin_unlock(&count_lock);
	}
	return NULL;
}

START_TEST(test_spin_unfair_excludes_under_contention)
{
	contend(hammer_unfair);
}
END_TEST

/* The unfair lock is checked as the fair one: an inversion through it
 * is reported. */
START_TEST(test_lockdep_sees_unfair_locks)
{
	spinlock_t a = SPINLOCK_INIT(&class_a), b = SPINLOCK_INIT(&class_b);
	struct lockdep_stats s;

	spin_lock_unfair(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	this_cpu = 1;
	spin_lock(&b);
	spin_lock_unfair(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	ck_assert(said("lockdep: lock order inversion on cpu 1: b (taken at "));
	lockdep_stats(&s);
	ck_assert_uint_eq(s.inversions, 1);
}
END_TEST

START_TEST(test_spin_trylock)
{
	spinlock_t l = SPINLOCK_INIT(&class_a);

	ck_assert(spin_trylock(&l));
	ck_assert(spin_is_locked(&l));
	this_cpu = 1;
	ck_assert(!spin_trylock(&l));	/* held: no wait, no deadlock */
	this_cpu = 0;
	spin_unlock(&l);
	ck_assert(!spin_is_locked(&l));
	ck_assert(spin_trylock(&l));
	spin_unlock(&l);
	ck_assert_uint_eq(nlines, 0);
}
END_TEST

START_TEST(test_spin_irqsave_masks_and_restores)
{
	spinlock_t l = SPINLOCK_INIT(&class_a);
	bool was;

	irqs_on = true;
	was = spin_lock_irqsave(&l);
	ck_assert(was);
	ck_assert(!irqs_on);
	spin_unlock_irqrestore(&l, was);
	ck_assert(irqs_on);
	irqs_on = false;
	was = spin_lock_irqsave(&l);
	ck_assert(!was);
	spin_unlock_irqrestore(&l, was);
	ck_assert(!irqs_on);		/* stays as it was */
}
END_TEST

/* ---- the checker ---------------------------------------------------------- */

START_TEST(test_lockdep_two_lock_inversion)
{
	spinlock_t a = SPINLOCK_INIT(&class_a), b = SPINLOCK_INIT(&class_b);
	struct lockdep_stats s;

	spin_lock(&a);
	spin_lock(&b);			/* a then b: recorded */
	spin_unlock(&b);
	spin_unlock(&a);
	ck_assert_uint_eq(nlines, 0);
	this_cpu = 1;			/* another CPU, the other order */
	spin_lock(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	ck_assert(said("lockdep: lock order inversion on cpu 1: b (taken at "));
	ck_assert(said(") then a here"));
	ck_assert(said("lockdep: but before: a (taken at "));
	ck_assert(said(") then b"));
	ck_assert(said("lockdep:   stack: 0x"));	/* both stacks */
	ck_assert_uint_eq(nlines, 4);
	/* the same pair again: counted, not told twice */
	spin_lock(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	ck_assert_uint_eq(nlines, 4);
	lockdep_stats(&s);
	ck_assert_uint_eq(s.inversions, 2);
	ck_assert_uint_eq(s.edges, 1);
	ck_assert_uint_eq(s.classes, 2);
}
END_TEST

START_TEST(test_lockdep_three_lock_cycle)
{
	spinlock_t a = SPINLOCK_INIT(&class_a), b = SPINLOCK_INIT(&class_b),
		   c = SPINLOCK_INIT(&class_c);

	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	spin_lock(&b);
	spin_lock(&c);
	spin_unlock(&c);
	spin_unlock(&b);
	ck_assert_uint_eq(nlines, 0);
	spin_lock(&c);
	spin_lock(&a);			/* c then a closes a -> b -> c -> a */
	spin_unlock(&a);
	spin_unlock(&c);
	ck_assert(said("inversion on cpu 0: c (taken at "));
	ck_assert(said("lockdep: but before: a (taken at "));
	ck_assert(said(") then b, which leads to c"));
}
END_TEST

START_TEST(test_lockdep_consistent_order_is_quiet)
{
	spinlock_t a = SPINLOCK_INIT(&class_a), b = SPINLOCK_INIT(&class_b),
		   c = SPINLOCK_INIT(&class_c);

	for (int i = 0; i < 3; i++) {
		this_cpu = (unsigned int)i;
		spin_lock(&a);
		spin_lock(&b);
		spin_lock(&c);
		spin_unlock(&b);	/* released out of order: fine */
		spin_unlock(&c);
		spin_unlock(&a);
	}
	ck_assert_uint_eq(nlines, 0);
}
END_TEST

START_TEST(test_lockdep_recursion)
{
	spinlock_t a = SPINLOCK_INIT(&class_a);
	struct lockdep_stats s;

	jump_on_deadlock = true;
	spin_lock(&a);
	if (setjmp(out) == 0) {
		spin_lock(&a);
		ck_abort_msg("the second spin_lock came back");
	}
	ck_assert(said("lockdep: cpu 0 takes a again, which it holds "
		       "(taken at 0x"));
	ck_assert(said("): it would wait for itself"));
	lockdep_stats(&s);
	ck_assert_uint_eq(s.recursions, 1);
	spin_unlock(&a);
	ck_assert(!spin_is_locked(&a));
}
END_TEST

START_TEST(test_lockdep_release_by_non_holder)
{
	spinlock_t a = SPINLOCK_INIT(&class_a);
	struct lockdep_stats s;

	spin_lock(&a);
	this_cpu = 2;
	spin_unlock(&a);
	ck_assert(said("lockdep: cpu 2 releases a, which it does not hold "
		       "(holder: 0)"));
	ck_assert(spin_is_locked(&a));	/* left as it was */
	lockdep_stats(&s);
	ck_assert_uint_eq(s.bad_unlocks, 1);
	this_cpu = 0;
	spin_unlock(&a);
	ck_assert(!spin_is_locked(&a));
}
END_TEST

START_TEST(test_lockdep_irq_unsafe_class)
{
	spinlock_t a = SPINLOCK_INIT(&class_a), b = SPINLOCK_INIT(&class_b);
	bool was;

	/* b: irqsave everywhere, and in an interrupt: fine */
	was = spin_lock_irqsave(&b);
	spin_unlock_irqrestore(&b, was);
	in_irq = true;
	irqs_on = false;
	spin_lock(&b);
	spin_unlock(&b);
	ck_assert_uint_eq(nlines, 0);
	/* a: with interrupts on, then in an interrupt */
	in_irq = false;
	irqs_on = true;
	spin_lock(&a);
	spin_unlock(&a);
	in_irq = true;
	irqs_on = false;
	spin_lock(&a);
	spin_unlock(&a);
	ck_assert(said("lockdep: a is taken in interrupt context and "
		       "elsewhere with interrupts on"));
	ck_assert(!said("lockdep: b "));
}
END_TEST

START_TEST(test_lockdep_class_table_full)
{
	static struct lock_class many[LOCKDEP_CLASSES + 2];
	spinlock_t outer = SPINLOCK_INIT(&class_a);
	struct lockdep_stats s;

	spin_lock(&outer);
	for (unsigned int i = 0; i < LOCKDEP_CLASSES + 2; i++) {
		spinlock_t l;

		many[i].name = "many";
		spin_init(&l, &many[i]);
		spin_lock(&l);
		spin_unlock(&l);
	}
	spin_unlock(&outer);
	lockdep_stats(&s);
	ck_assert_uint_eq(s.classes, LOCKDEP_CLASSES);
	ck_assert_uint_ge(s.overflows, 2);
	ck_assert_uint_eq(nlines, 0);
}
END_TEST

Suite *suite_spinlock(void)
{
	Suite *s = suite_create("spinlock");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spin_excludes_under_contention);
	tcase_add_test(tc, test_spin_unfair_excludes_under_contention);
	tcase_add_test(tc, test_lockdep_sees_unfair_locks);
	tcase_add_test(tc, test_spin_trylock);
	tcase_add_test(tc, test_spin_irqsave_masks_and_restores);
	tcase_add_test(tc, test_lockdep_two_lock_inversion);
	tcase_add_test(tc, test_lockdep_three_lock_cycle);
	tcase_add_test(tc, test_lockdep_consistent_order_is_quiet);
	tcase_add_test(tc, test_lockdep_recursion);
	tcase_add_test(tc, test_lockdep_release_by_non_holder);
	tcase_add_test(tc, test_lockdep_irq_unsafe_class);
	tcase_add_test(tc, test_lockdep_class_table_full);
	suite_add_tcase(s, tc);
	return s;
}
