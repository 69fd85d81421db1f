/*
 * bench_smp.c - the cost of reaching another CPU (ktest=bench.smp, run by
 * `scons bench` with two CPUs on release kernels, never by `scons test`).
 *
 *   ipi_round_trip  CPU 0 pings CPU 1 (kernel/smp.c smp_ping): an
 *                   inter-processor interrupt there, whose handler sends
 *                   one back; CPU 0 waits for the answer. PER round trips
 *                   a batch, median and 99th percentile over ROUNDS.
 *
 *   bus_pingpong_cross  two services bounce an event between them over
 *                   the bus: one on CPU 0, the other placed on CPU 1
 *                   (each event is queued for the other CPU, which is
 *                   woken when it sleeps); PER round trips a batch.
 *   bus_pingpong_same   the same with both services on CPU 0.
 *
 *   thread_wake_cross  two kernel threads, one pinned to CPU 0 and one
 *                   to CPU 1, wake each other in turn (sched_wake, then
 *                   sched_block): each wake-up reaches a thread blocked
 *                   on the other CPU, which is sent an IPI when it
 *                   sleeps. PER round trips (two wake-ups) a batch.
 *   thread_wake_same   the same with both threads on CPU 0 (a wake-up
 *                   and a thread switch within one CPU).
 *
 * The IPI's peer in test/bench/qemu_bench.py is the same configuration's
 * sched.yield_switch (a switch between two threads on one CPU), so a
 * wake-up across CPUs stands beside one within a CPU; the cross-CPU
 * ping-pong's peer is the same-CPU one. One line each:
 *
 *   bench: smp <name> n=<n> hz=<Hz> median=<c> p99=<c> centicycles
 */
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/kernel.h>
#include <aegis/ktest.h>
#include <aegis/sched.h>
#include <aegis/smp.h>
#include "bench.h"

#define PER	20
#define ROUNDS	201

static uint64_t v[ROUNDS];

/* One figure's line: the median and 99th percentile of v, per round
 * trip (PER a batch). */
static void report(const char *name, uint64_t hz)
{
	bench_sort(v, ROUNDS);
	kprintf("bench: smp %s n=%u hz=%llu median=%llu p99=%llu "
		"centicycles\n", name, ROUNDS * PER, (unsigned long long)hz,
		(unsigned long long)v[ROUNDS / 2],
		(unsigned long long)v[ROUNDS * 99 / 100]);
}

/* One round trip to CPU 1; false if it did not answer within a second. */
static bool round_trip(const struct smp_cpu *me, uint64_t hz)
{
	uint64_t before = __atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE);
	uint64_t t0 = hal_cycles();

	if (smp_ping(1))
		return false;
	while (__atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE) == before)
		if (hal_cycles() - t0 > hz)
			return false;
	return true;
}

KTEST_EXPLICIT(bench, smp)
{
	const struct smp_cpu *me = smp_cpu(0), *other = smp_cpu(1);
	uint64_t hz = hal_cycles_per_sec();
	bool was, ok = true;

	if (!other || other->state != SMP_ONLINE) {
		kprintf("bench: smp needs a second CPU online (QEMU -smp 2)\n");
		KEXPECT(t, false);
		return;
	}
	was = hal_irq_cpu_save();
	hal_irq_cpu_enable(true);	/* the answers are interrupts */
	for (int k = 0; k < PER && ok; k++)	/* warm both paths */
		ok = round_trip(me, hz);
	for (int r = 0; r < ROUNDS && ok; r++) {
		uint64_t t0 = hal_cycles();

		for (int k = 0; k < PER && ok; k++)
			ok = round_trip(me, hz);
		v[r] = (hal_cycles() - t0) * 100 / PER;
	}
	hal_irq_cpu_enable(was);
	KEXPECT(t, ok);
	if (!ok)
		return;
	bench_sort(v, ROUNDS);
	kprintf("bench: smp ipi_round_trip n=%u hz=%llu median=%llu p99=%llu "
		"centicycles\n", ROUNDS * PER, (unsigned long long)hz,
		(unsigned long long)v[ROUNDS / 2],
		(unsigned long long)v[ROUNDS * 99 / 100]);
}

/* ---- the bus across CPUs ------------------------------------------------ */

static bus_svc_t ping_svc, pong_svc;
static bus_topic_t t_ball;
static uint32_t bounces;	/* round trips left in this batch */

static int ping_handler(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	(void)state;
	(void)m;
	(void)reply;
	if (__atomic_load_n(&bounces, __ATOMIC_RELAXED) &&
	    __atomic_sub_fetch(&bounces, 1, __ATOMIC_ACQ_REL))
		bus_send(pong_svc, t_ball, 2, NULL, 0);
	return 0;
}

static int pong_handler(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	(void)state;
	(void)m;
	(void)reply;
	bus_send(ping_svc, t_ball, 2, NULL, 0);
	return 0;
}

/* PER round trips; false after a second without the last. */
static bool bounce(uint64_t hz)
{
	uint64_t t0 = hal_cycles();

	__atomic_store_n(&bounces, PER, __ATOMIC_RELEASE);
	if (bus_send(pong_svc, t_ball, 2, NULL, 0))
		return false;
	while (__atomic_load_n(&bounces, __ATOMIC_ACQUIRE)) {
		if (hal_cycles() - t0 > hz)
			return false;
		bus_run(16);
	}
	return true;
}

static bool pingpong(const char *name, unsigned int cpu, uint64_t hz)
{
	bool ok = bus_svc_place(pong_svc, cpu) == 0;

	for (int k = 0; k < 5 && ok; k++)	/* warm both paths */
		ok = bounce(hz);
	for (int r = 0; r < ROUNDS && ok; r++) {
		uint64_t t0 = hal_cycles();

		ok = bounce(hz);
		v[r] = (hal_cycles() - t0) * 100 / PER;
	}
	if (!ok)
		return false;
	report(name, hz);
	return true;
}

KTEST_EXPLICIT(bench, smp_bus)
{
	const struct smp_cpu *other = smp_cpu(1);
	uint64_t hz = hal_cycles_per_sec();
	int a, b;

	if (!other || other->state != SMP_ONLINE) {
		kprintf("bench: smp_bus needs a second CPU online (QEMU -smp "
			"2)\n");
		KEXPECT(t, false);
		return;
	}
	t_ball = (bus_topic_t)bus_topic("bench.smp.ball");
	a = bus_svc_add("bench-ping", ping_handler, NULL, 16, 2);
	b = bus_svc_add("bench-pong", pong_handler, NULL, 16, 2);
	KEXPECT(t, a >= 0 && b >= 0);
	if (a < 0 || b < 0)
		return;
	ping_svc = (bus_svc_t)a;
	pong_svc = (bus_svc_t)b;
	KEXPECT_EQ(t, bus_svc_set_flags(pong_svc, BUS_SVC_F_ANYCPU), 0);
	KEXPECT(t, pingpong("bus_pingpong_same", 0, hz));
	KEXPECT(t, pingpong("bus_pingpong_cross", 1, hz));
	KEXPECT_EQ(t, bus_svc_place(pong_svc, 0), 0);
	/* CPU 1 may still be finishing pong's last handler (-EBUSY) */
	while (bus_svc_remove(pong_svc) == -AE_EBUSY)
		hal_cpu_relax();
	bus_svc_remove(ping_svc);
}

/* ---- bus throughput on 1, 2 and 4 CPUs ---------------------------------- */

/*
 * bus_throughput_<k>cpu: k pairs of services, pair i on CPU i, each pair
 * bouncing one event between its two services for as long as a window
 * lasts; the figure is the window's length over the events handled in
 * it on all k CPUs together (time per message: throughput's inverse). The
 * ratio of bus_throughput_2cpu to bus_throughput_1cpu is 1 over the
 * speed-up: 0.5 is twice the messages.
 *
 * bus_throughput_work_<k>cpu: the same, each handler first hashing a
 * 1 KiB buffer of its own (TP_WORK bytes, FNV-1a): a handler with work
 * of its own, which runs in parallel on every CPU (the bus lock is let
 * go while a handler runs); the empty handlers above measure the bus
 * alone, which one lock serialises.
 */
#define TP_PAIRS	4
#define TP_WINDOW_MS	4
#define TP_ROUNDS	41
#define TP_WORK		1024

static struct tp_side {
	bus_svc_t self, partner;
	uint64_t handled;
	uint32_t hash;
	uint8_t buf[TP_WORK];
} __attribute__((aligned(64))) tp[TP_PAIRS][2];
static bus_topic_t t_tp;
static volatile bool tp_running, tp_work;

static int tp_handler(void *state, const struct bus_msg *m,
		      struct bus_msg *reply)
{
	struct tp_side *s = state;

	(void)m;
	(void)reply;
	if (tp_work) {
		uint32_t h = 2166136261u;

		for (unsigned int i = 0; i < TP_WORK; i++)
			h = (h ^ s->buf[i]) * 16777619u;
		s->hash = h;
		s->buf[h % TP_WORK]++;	/* not the same buffer twice */
	}
	__atomic_store_n(&s->handled, s->handled + 1, __ATOMIC_RELAXED);
	if (tp_running)
		bus_send(s->partner, t_tp, 2, NULL, 0);
	return 0;
}

static uint64_t tp_total(unsigned int k)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < k; i++)
		for (unsigned int j = 0; j < 2; j++)
			n += __atomic_load_n(&tp[i][j].handled,
					     __ATOMIC_RELAXED);
	return n;
}

/* The boot CPU's dispatcher until hal_cycles() reaches end. */
static void tp_pump(uint64_t end)
{
	while (hal_cycles() < end)
		bus_run(16);
}

static bool tp_measure(unsigned int k, bool work, uint64_t hz)
{
	uint64_t window = TP_WINDOW_MS * (hz / 1000), t0, total = 0;

	for (unsigned int i = 0; i < k; i++)
		for (unsigned int j = 0; j < 2; j++)
			if (bus_svc_place(tp[i][j].self, i))
				return false;
	tp_work = work;
	tp_running = true;
	for (unsigned int i = 0; i < k; i++)
		if (bus_send(tp[i][0].self, t_tp, 2, NULL, 0))
			return false;
	tp_pump(hal_cycles() + window);	/* warm */
	for (int r = 0; r < TP_ROUNDS; r++) {
		uint64_t n0 = tp_total(k), n1;

		t0 = hal_cycles();
		tp_pump(t0 + window);
		n1 = tp_total(k);
		if (n1 == n0)
			return false;	/* a CPU stopped dispatching */
		v[r] = (hal_cycles() - t0) * 100 / (n1 - n0);
		total += n1 - n0;
	}
	tp_running = false;
	t0 = hal_cycles();
	while (!bus_quiet())
		if (hal_cycles() - t0 > hz)
			return false;
		else
			bus_run(16);
	bench_sort(v, TP_ROUNDS);
	kprintf("bench: smp bus_throughput_%s%ucpu n=%llu hz=%llu "
		"median=%llu p99=%llu centicycles\n", work ? "work_" : "", k,
		(unsigned long long)total, (unsigned long long)hz,
		(unsigned long long)v[TP_ROUNDS / 2],
		(unsigned long long)v[TP_ROUNDS * 99 / 100]);
	return true;
}

KTEST_EXPLICIT(bench, smp_throughput)
{
	uint64_t hz = hal_cycles_per_sec();
	unsigned int online = 0;
	char name[24];

	for (unsigned int c = 0; c < TP_PAIRS; c++)
		if (smp_cpu(c) && smp_cpu(c)->state == SMP_ONLINE)
			online++;
	if (online < TP_PAIRS) {
		kprintf("bench: smp_throughput needs CPUs 0-%u online (QEMU "
			"-smp %u)\n", TP_PAIRS - 1, TP_PAIRS);
		KEXPECT(t, false);
		return;
	}
	t_tp = (bus_topic_t)bus_topic("bench.smp.tp");
	for (unsigned int i = 0; i < TP_PAIRS; i++)
		for (unsigned int j = 0; j < 2; j++) {
			int rc;

			ksnprintf(name, sizeof(name), "bench-tp%u%c", i,
				  "ab"[j]);
			rc = bus_svc_add(name, tp_handler, &tp[i][j], 16, 2);
			KEXPECT(t, rc >= 0);
			if (rc < 0)
				return;
			tp[i][j].self = (bus_svc_t)rc;
			tp[i][j].handled = 0;
			KEXPECT_EQ(t, bus_svc_set_flags(tp[i][j].self,
							BUS_SVC_F_ANYCPU), 0);
		}
	for (unsigned int i = 0; i < TP_PAIRS; i++) {
		tp[i][0].partner = tp[i][1].self;
		tp[i][1].partner = tp[i][0].self;
	}
	for (int work = 0; work < 2; work++) {
		KEXPECT(t, tp_measure(1, work, hz));
		KEXPECT(t, tp_measure(2, work, hz));
		KEXPECT(t, tp_measure(4, work, hz));
	}
	for (unsigned int i = 0; i < TP_PAIRS; i++)
		for (unsigned int j = 0; j < 2; j++) {
			uint64_t t0 = hal_cycles();
			int rc;

			bus_svc_place(tp[i][j].self, 0);
			while ((rc = bus_svc_remove(tp[i][j].self)) ==
			       -AE_EBUSY && hal_cycles() - t0 < hz)
				hal_cpu_relax();
			KEXPECT_EQ(t, rc, 0);
		}
}

/* ---- thread wake-ups across CPUs ------------------------------------ */

static volatile int waker_id[2];
static volatile uint32_t wake_done;
static volatile uint32_t turn;	/* whose turn it is to run: 0 or 1 */

/* Thread i: on its turn, hand the turn over and wake the other; else
 * block until woken. Thread 0 times each batch. */
static void waker(void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;

	waker_id[i] = sched_self();
	while (waker_id[!i] < 0)
		sched_yield();
	for (unsigned int r = 0; r < ROUNDS + 1; r++) {
		uint64_t t0 = hal_cycles();

		for (unsigned int k = 0; k < PER; k++) {
			for (unsigned int half = 0; half < 2; half++) {
				while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != i)
					sched_block(1000000000ull);
				__atomic_store_n(&turn, !i, __ATOMIC_RELEASE);
				sched_wake(waker_id[!i]);
			}
		}
		/* round 0 warms up */
		if (i == 0 && r)
			v[r - 1] = (hal_cycles() - t0) * 100 / PER;
	}
	wake_done++;
}

static bool wake_pingpong(const char *name, uint64_t cpu_of_1, uint64_t hz)
{
	wake_done = 0;
	turn = 0;
	waker_id[0] = waker_id[1] = -1;
	if (sched_spawn_on("waker0", 3, waker, (void *)0, 1) < 0 ||
	    sched_spawn_on("waker1", 3, waker, (void *)1, cpu_of_1) < 0)
		return false;
	if (!ktest_pump(&wake_done, 2, 60))
		return false;
	report(name, hz);
	return true;
}

KTEST_EXPLICIT(bench, smp_wake)
{
	const struct smp_cpu *other = smp_cpu(1);
	uint64_t hz = hal_cycles_per_sec();

	if (!other || other->state != SMP_ONLINE) {
		kprintf("bench: smp_wake needs a second CPU online\n");
		KEXPECT(t, false);
		return;
	}
	KEXPECT(t, wake_pingpong("thread_wake_same", 1, hz));
	KEXPECT(t, wake_pingpong("thread_wake_cross", 2, hz));
}
