/*
 * sched.c - in-kernel tests of threads and the scheduler on the real
 * target: yield ping-pong, sleep, priorities, preemption of a thread that
 * never yields (the timer keeps ticking, its peer gets turns), a bus
 * request from a thread, and stacks returned when threads end.
 *
 * A ktest runs where the dispatcher would, so each test drives the main
 * loop itself (pump) until its threads are done.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/sched.h>
#include <aegis/smp.h>

/* The main loop, until *done reaches want or seconds pass. */
static bool pump(volatile uint32_t *done, uint32_t want, unsigned int secs)
{
	return ktest_pump(done, want, secs);
}

static volatile uint32_t done;
static char trail[64];
static volatile unsigned int ntrail;

static void note(char c)
{
	if (ntrail < sizeof(trail) - 1)
		trail[ntrail++] = c;
}

static void pinger(void *arg)
{
	for (int i = 0; i < 4; i++) {
		note(*(const char *)arg);
		sched_yield();
	}
	done++;
}

KTEST(sched, yield_ping_pong_and_stacks_back)
{
	struct sched_stats s0, s1;
	struct mm_stats m0, m1;

	sched_get_stats(&s0);
	KEXPECT_EQ(t, mm_get_stats(&m0), 0);
	done = 0;
	ntrail = 0;
	memset(trail, 0, sizeof(trail));
	/* on one CPU (this one): their turns alternate */
	KEXPECT(t, sched_spawn_on("ping", 4, pinger, "a", 1) >= 0);
	KEXPECT(t, sched_spawn_on("pong", 4, pinger, "b", 1) >= 0);
	KEXPECT(t, pump(&done, 2, 5));
	KEXPECT_STREQ(t, trail, "abababab");
	sched_get_stats(&s1);
	KEXPECT(t, s1.switches >= s0.switches + 8);
	KEXPECT_EQ(t, s1.threads, s0.threads);
	KEXPECT_EQ(t, s1.spawned, s0.spawned + 2);
	KEXPECT_EQ(t, mm_get_stats(&m1), 0);
	KEXPECT_EQ(t, m1.free_pages, m0.free_pages);
}

static volatile uint64_t slept_cycles;

static void sleeper(void *arg)
{
	uint64_t t0 = hal_cycles();

	(void)arg;
	sched_sleep_ns(30 * 1000000ull);
	slept_cycles = hal_cycles() - t0;
	done++;
}

KTEST(sched, sleep_lasts_at_least_as_asked)
{
	uint64_t ms;

	done = 0;
	KEXPECT(t, sched_spawn("sleeper", 3, sleeper, NULL) >= 0);
	KEXPECT(t, pump(&done, 1, 5));
	ms = slept_cycles * 1000 / hal_cycles_per_sec();
	kprintf("sched: asked 30 ms, slept %llu ms\n", (unsigned long long)ms);
	KEXPECT(t, ms >= 30);
	KEXPECT(t, ms < 1000);
	KEXPECT_EQ(t, sched_sleep_ns(1), -AE_EDEADLK);	/* not a thread */
}

static void marker(void *arg)
{
	note(*(const char *)arg);
	done++;
}

KTEST(sched, most_urgent_runs_first)
{
	done = 0;
	ntrail = 0;
	memset(trail, 0, sizeof(trail));
	KEXPECT(t, sched_spawn_on("low", 6, marker, "l", 1) >= 0);
	KEXPECT(t, sched_spawn_on("mid", 4, marker, "m", 1) >= 0);
	KEXPECT(t, sched_spawn_on("high", 1, marker, "h", 1) >= 0);
	KEXPECT(t, pump(&done, 3, 5));
	KEXPECT_STREQ(t, trail, "hml");
	KEXPECT_EQ(t, sched_spawn("bad", SCHED_PRIOS, marker, "x"),
		   -AE_EINVAL);
	KEXPECT_EQ(t, sched_spawn("", 1, marker, "x"), -AE_EINVAL);
	KEXPECT_EQ(t, sched_spawn("null", 1, NULL, NULL), -AE_EINVAL);
}

/* Two threads that never yield: only preemption lets the second run,
 * and the bus (the timer ticks) keeps being served meanwhile. */
static volatile uint64_t spins[2];
static volatile bool stop;

static void spinner(void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;

	sched_preemptible(true);	/* it calls nothing until it stops */
	while (!stop)
		spins[i]++;
	sched_preemptible(false);
	done++;
}

KTEST(sched, busy_threads_preempted_round_robin)
{
	struct sched_stats s0, s1;
	uint64_t end;

	done = 0;
	stop = false;
	spins[0] = spins[1] = 0;
	sched_get_stats(&s0);
	/* both on this CPU: only preemption gives the second a turn */
	KEXPECT(t, sched_spawn_on("spin0", 5, spinner, (void *)0, 1) >= 0);
	KEXPECT(t, sched_spawn_on("spin1", 5, spinner, (void *)1, 1) >= 0);
	end = hal_cycles() + hal_cycles_per_sec() / 5;	/* 200 ms */
	while (hal_cycles() < end) {
		if (bus_run(256))
			continue;
		if (sched_run())
			continue;
		kernel_wait();
	}
	stop = true;
	KEXPECT(t, pump(&done, 2, 5));
	sched_get_stats(&s1);
	kprintf("sched: spins %llu and %llu, %llu ticks\n",
		(unsigned long long)spins[0], (unsigned long long)spins[1],
		(unsigned long long)(s1.ticks - s0.ticks));
	KEXPECT(t, spins[0] > 0 && spins[1] > 0);
	KEXPECT(t, s1.ticks - s0.ticks >= 10);	/* 100 Hz for 200 ms */
}

static volatile int call_rc;
static char call_reply[8];

static void caller(void *arg)
{
	struct bus_msg r;
	int ex = bus_svc_find("example"), tp = bus_topic("example.ping");

	(void)arg;
	call_rc = sched_call((bus_svc_t)ex, (bus_topic_t)tp, NULL, 0, &r,
			     1000000000ull);
	if (call_rc == 0)
		memcpy(call_reply, r.data, 4);
	done++;
}

KTEST(sched, bus_request_from_a_thread)
{
	struct bus_msg r;

	done = 0;
	call_rc = 1;
	memset(call_reply, 0, sizeof(call_reply));
	KEXPECT(t, sched_spawn("caller", 2, caller, NULL) >= 0);
	KEXPECT(t, pump(&done, 1, 5));
	KEXPECT_EQ(t, call_rc, 0);
	KEXPECT_STREQ(t, call_reply, "pong");
	KEXPECT_EQ(t, sched_call(0, 0, NULL, 0, &r, 0), -AE_EDEADLK);
}

/* A wake that comes while the thread waits in a bus call of its own (a
 * pipe's: it asks, is told to wait, and the writer's wake may come
 * before the answer) is not lost: sched_block_unless sees it counted
 * (sched_block's flag may be used up by the call: a pipe read on four
 * CPUs then slept for good). Without a wake since, it waits. */
static volatile int absorbed_rc = 1, plain_rc = 1;

static void absorber(void *arg)
{
	struct bus_msg r;
	int ex = bus_svc_find("example"), tp = bus_topic("example.ping");
	uint64_t seen = sched_wakes();

	(void)arg;
	sched_wake(sched_self());	/* the wake comes ... */
	/* ... and a call that waits for its answer takes its flag */
	sched_call((bus_svc_t)ex, (bus_topic_t)tp, NULL, 0, &r, 1000000000ull);
	absorbed_rc = sched_block_unless(seen, 200000000ull);
	/* and with no wake since: it waits its time out */
	plain_rc = sched_block_unless(sched_wakes(), 20000000ull);
	done++;
}

KTEST(sched, a_wake_during_a_bus_call_is_not_lost)
{
	done = 0;
	absorbed_rc = plain_rc = 1;
	KEXPECT(t, sched_spawn("absorber", 3, absorber, NULL) >= 0);
	KEXPECT(t, pump(&done, 1, 5));
	KEXPECT_EQ(t, absorbed_rc, 0);
	KEXPECT_EQ(t, plain_rc, -AE_ETIMEDOUT);
	KEXPECT_EQ(t, sched_block_unless(0, 1), -AE_EDEADLK);	/* no thread */
}

/* ---- several CPUs --------------------------------------------------- */

static bool online(unsigned int i)
{
	return smp_cpu(i) && smp_cpu(i)->state == SMP_ONLINE;
}

/* The highest index of an online CPU (0 with one CPU). */
static unsigned int last_online(void)
{
	unsigned int last = 0;

	for (unsigned int i = 0; i < SMP_CPUS_MAX; i++)
		if (online(i))
			last = i;
	return last;
}

/* The last online CPU, if it is at least the third (CPU 2); else 0, and
 * t says it has nothing to check. */
static unsigned int third_cpu(struct ktest_ctx *t)
{
	unsigned int last = last_online();

	if (last >= 2)
		return last;
	kprintf("ktest: %s: needs three CPUs, nothing to check\n", t->name);
	return 0;
}

static volatile int ran_on[SMP_CPUS_MAX];

static void where(void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;

	ran_on[i] = (int)hal_cpu_index();
	done++;
}

/* A thread pinned to a CPU runs there, on each CPU that is online. */
KTEST(sched, a_pinned_thread_runs_on_its_cpu)
{
	unsigned int n = 0;

	done = 0;
	for (unsigned int i = 0; i < SMP_CPUS_MAX; i++) {
		ran_on[i] = -1;
		if (!online(i))
			continue;
		KEXPECT(t, sched_spawn_on("pinned", 4, where, (void *)(uintptr_t)i,
					  1ull << i) >= 0);
		n++;
	}
	KEXPECT(t, pump(&done, n, 5));
	for (unsigned int i = 0; i < SMP_CPUS_MAX; i++)
		if (online(i))
			KEXPECT_EQ(t, ran_on[i], (int)i);
	/* no CPU of the mask runs threads */
	KEXPECT_EQ(t, sched_spawn_on("nowhere", 4, where, NULL, 0),
		   -AE_EINVAL);
	KEXPECT_EQ(t, sched_spawn_on("nowhere", 4, where, NULL,
				     1ull << (SMP_CPUS_MAX - 1)), -AE_EINVAL);
}

/* Two threads that never yield and are not preemptible each wait until
 * the other has started: only two CPUs at once get both past that. */
static volatile uint32_t started;
static volatile int par_cpu[2];
static volatile bool par_ok[2];

static void parallel(void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;
	uint64_t end = hal_cycles() + 10 * hal_cycles_per_sec();

	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 2 &&
	       hal_cycles() < end)
		;
	par_ok[i] = __atomic_load_n(&started, __ATOMIC_SEQ_CST) >= 2;
	par_cpu[i] = (int)hal_cpu_index();
	done++;
}

KTEST(sched, threads_run_in_parallel)
{
	if (smp_cpus_online() < 2) {
		kprintf("ktest: sched.threads_run_in_parallel: one CPU, "
			"nothing to check\n");
		return;
	}
	done = 0;
	started = 0;
	par_ok[0] = par_ok[1] = false;
	/* not pinned: the scheduler puts the second on a free CPU */
	KEXPECT(t, sched_spawn("par0", 4, parallel, (void *)0) >= 0);
	KEXPECT(t, sched_spawn("par1", 4, parallel, (void *)1) >= 0);
	KEXPECT(t, pump(&done, 2, 10));
	KEXPECT(t, par_ok[0] && par_ok[1]);
	KEXPECT(t, par_cpu[0] != par_cpu[1]);
}

/* A thread blocked on one CPU is woken from another (an IPI brings that
 * CPU out of its sleep), and a thread moves itself by its affinity. */
static volatile int blocked_id = -1;
static volatile int woke_on = -1, moved_to = -1, block_rc = 1;

static void blocker(void *arg)
{
	(void)arg;
	blocked_id = sched_self();
	block_rc = sched_block(5000000000ull);
	woke_on = (int)hal_cpu_index();
	/* now everywhere but here */
	sched_set_affinity(sched_self(), ~(1ull << woke_on));
	moved_to = (int)hal_cpu_index();
	done++;
}

KTEST(sched, woken_from_another_cpu_and_moved_by_affinity)
{
	uint64_t end;
	unsigned int last = last_online();

	if (smp_cpus_online() < 2) {
		kprintf("ktest: sched.woken_from_another_cpu_and_moved_by_"
			"affinity: one CPU, nothing to check\n");
		return;
	}
	done = 0;
	blocked_id = woke_on = moved_to = -1;
	block_rc = 1;
	{
		int rc = sched_spawn_on("blocker", 3, blocker, NULL,
					1ull << last);

		KEXPECT(t, rc >= 0);
		if (rc < 0) {
			kprintf("ktest: blocker on CPU %u: %s\n", last,
				errno_desc(rc));
			return;
		}
	}
	end = hal_cycles() + 5 * hal_cycles_per_sec();
	while ((blocked_id < 0 ||
		strcmp(sched_state(blocked_id) ?: "", "blocked")) &&
	       hal_cycles() < end)
		bus_run(16);
	KEXPECT_STREQ(t, sched_state(blocked_id), "blocked");
	KEXPECT_EQ(t, sched_cpu_of(blocked_id), (int)last);
	/* let it sleep for real, then wake it from here (CPU 0) */
	end = hal_cycles() + hal_cycles_per_sec() / 50;
	while (hal_cycles() < end)
		;
	sched_wake(blocked_id);
	KEXPECT(t, pump(&done, 1, 5));
	KEXPECT_EQ(t, block_rc, 0);
	KEXPECT_EQ(t, woke_on, (int)last);
	KEXPECT(t, moved_to >= 0 && moved_to != (int)last);
	KEXPECT_EQ(t, sched_set_affinity(SCHED_THREADS_MAX, 1), -AE_EINVAL);
	KEXPECT_EQ(t, sched_cpu_of(-1), -AE_EINVAL);
}

/* A thread running alone on its CPU, whose affinity another thread
 * changes, moves at that CPU's next interrupt. */
static volatile int spin_cpu = -1;
static volatile bool spin_stop;

static void wanderer(void *arg)
{
	(void)arg;
	sched_preemptible(true);	/* it calls nothing */
	while (!spin_stop)
		spin_cpu = (int)hal_cpu_index();
	sched_preemptible(false);
	done++;
}

KTEST(sched, a_running_thread_moves_when_its_affinity_changes)
{
	unsigned int last = third_cpu(t);
	uint64_t end;
	int id;

	if (!last)
		return;
	done = 0;
	spin_cpu = -1;
	spin_stop = false;
	id = sched_spawn_on("wanderer", 4, wanderer, NULL, 1ull << last);
	KEXPECT(t, id >= 0);
	end = hal_cycles() + 5 * hal_cycles_per_sec();
	while (spin_cpu != (int)last && hal_cycles() < end)
		bus_run(16);
	KEXPECT_EQ(t, spin_cpu, (int)last);
	KEXPECT_EQ(t, sched_set_affinity(id, 1ull << (last - 1)), 0);
	end = hal_cycles() + 5 * hal_cycles_per_sec();
	while (spin_cpu != (int)last - 1 && hal_cycles() < end)
		bus_run(16);
	KEXPECT_EQ(t, spin_cpu, (int)last - 1);
	KEXPECT_EQ(t, sched_cpu_of(id), (int)last - 1);
	spin_stop = true;
	KEXPECT(t, pump(&done, 1, 5));
}

/* A thread waiting behind a busy one is taken by the idle CPU its
 * affinity allows (woken by the busy CPU's slice end, or by its own
 * tick), not run after the busy one's slice, and /sys/sched/steals
 * counts it. */
static volatile int stolen_ran_on = -1;

static void hog(void *arg)
{
	(void)arg;
	sched_preemptible(true);	/* it calls nothing */
	while (!spin_stop)
		;
	sched_preemptible(false);
	done++;
}

static void waits_behind(void *arg)
{
	(void)arg;
	stolen_ran_on = (int)hal_cpu_index();
	done++;
}

KTEST(sched, an_idle_cpu_takes_a_waiting_thread_it_may_run)
{
	struct sched_stats s0, s1;
	unsigned int last = third_cpu(t);
	uint64_t end;
	int id;

	if (!last)
		return;
	done = 0;
	spin_stop = false;
	stolen_ran_on = -1;
	sched_get_stats(&s0);
	KEXPECT(t, sched_spawn_on("hog", 4, hog, NULL, 1ull << last) >= 0);
	/* queued behind the hog, then allowed on one more CPU (not the
	 * lowest free one) */
	id = sched_spawn_on("behind", 4, waits_behind, NULL, 1ull << last);
	KEXPECT(t, id >= 0);
	KEXPECT_EQ(t, sched_set_affinity(id, 1ull << last | 1ull << (last - 1)),
		   0);
	end = hal_cycles() + 5 * hal_cycles_per_sec();
	while (stolen_ran_on < 0 && hal_cycles() < end)
		bus_run(16);
	spin_stop = true;
	KEXPECT(t, pump(&done, 2, 5));
	KEXPECT_EQ(t, stolen_ran_on, (int)last - 1);
	sched_get_stats(&s1);
	KEXPECT(t, s1.steals > s0.steals);
}

/* A kill whose wake arrives before the thread blocks (here: a stale
 * wake and the kill, both while it waits to run) still makes its wait
 * give up: the wake must not be taken for the answer to the wait. */
static volatile int killed_rc = 1;
static volatile bool killed_saw;

static void victim(void *arg)
{
	(void)arg;
	killed_rc = sched_block(5000000000ull);
	killed_saw = sched_killed();
	done++;
}

KTEST(sched, a_kill_before_the_block_still_ends_the_wait)
{
	int id;
	uint64_t t0;

	done = 0;
	killed_rc = 1;
	killed_saw = false;
	/* on this CPU: it runs only once the test pumps */
	id = sched_spawn_on("victim", 4, victim, NULL, 1ull << hal_cpu_index());
	KEXPECT(t, id >= 0);
	sched_wake(id);		/* ready, not blocked: remembered */
	sched_kill(id);
	t0 = hal_cycles();
	KEXPECT(t, pump(&done, 1, 10));
	KEXPECT_EQ(t, killed_rc, -AE_ETIMEDOUT);
	KEXPECT(t, killed_saw);
	/* at once, not after its 5 s */
	KEXPECT(t, hal_cycles() - t0 < 2 * hal_cycles_per_sec());
}

/* Recursion the compiler cannot see the end of, 1000 bytes a frame. */
static volatile uint64_t overflow_limit = ~0ull;	/* never reached */

static uint64_t deep(uint64_t n)
{
	volatile uint8_t frame[1000];

	frame[0] = (uint8_t)n;
	if (n >= overflow_limit)
		return frame[0];
	return deep(n + 1) + frame[0];
}

static void overflower(void *arg)
{
	(void)arg;
	kprintf("ktest: sched.thread_stack_overflow: recursing\n");
	deep(0);
	done++;
}

/* Explicit: a thread's stack overflows into the guard below it and the
 * machine stops with the reason (integration case thread-stack-overflow);
 * without the guard it would run into other memory. */
KTEST_EXPLICIT(sched, thread_stack_overflow)
{
	done = 0;
	KEXPECT(t, sched_spawn("overflower", 4, overflower, NULL) >= 0);
	pump(&done, 1, 5);
	ktest_fail(t, __FILE__, __LINE__, "the recursion returned");
}
