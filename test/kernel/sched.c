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

/* The main loop, until *done reaches want or seconds pass. */
static bool pump(volatile uint32_t *done, uint32_t want, unsigned int secs)
{
	uint64_t end = hal_cycles() + secs * hal_cycles_per_sec();

	while (*done < want && hal_cycles() < end) {
		if (bus_run(256))
			continue;
		if (sched_run())
			continue;
		kernel_wait();
	}
	bus_run(~0u);
	sched_run();		/* reaps the stacks of the threads that ended */
	return *done >= want;
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
	KEXPECT(t, sched_spawn("ping", 4, pinger, "a") >= 0);
	KEXPECT(t, sched_spawn("pong", 4, pinger, "b") >= 0);
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
	KEXPECT(t, sched_spawn("low", 6, marker, "l") >= 0);
	KEXPECT(t, sched_spawn("mid", 4, marker, "m") >= 0);
	KEXPECT(t, sched_spawn("high", 1, marker, "h") >= 0);
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
	KEXPECT(t, sched_spawn("spin0", 5, spinner, (void *)0) >= 0);
	KEXPECT(t, sched_spawn("spin1", 5, spinner, (void *)1) >= 0);
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
