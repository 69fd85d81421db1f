/*
 * bench_sched.c - threads in the kernel (ktest=bench.sched, run by
 * `scons bench` on release kernels, never by `scons test`).
 *
 * Figures, each the median and 99th percentile over ROUNDS batches:
 *   yield_switch  one thread switch: two threads yield to each other
 *                 PER times a batch (2 PER switches)
 *   thread_call   a bus request from a thread (sched_call to
 *                 example.ping): queued, the thread blocked, the
 *                 dispatcher runs the handler, the reply wakes it
 *   spawn_exit    sched_spawn of a thread that returns at once, until its
 *                 stack is back (one per batch)
 * and the peer, measured the same way in the same boot:
 *   inline_call   bus_call to example.ping from the dispatcher (the
 *                 handler run inline)
 * One line per figure for test/bench/qemu_bench.py:
 *
 *   bench: sched <figure> n=<n> hz=<counter Hz> median=<c> p99=<c> centicycles
 */
#include <aegis/bus.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/sched.h>
#include "bench.h"

#define PER	100
#define ROUNDS	201

static uint64_t v[ROUNDS];

static void report(const char *figure, unsigned int n)
{
	bench_sort(v, ROUNDS);
	kprintf("bench: sched %s n=%u hz=%llu median=%llu p99=%llu "
		"centicycles\n", figure, n,
		(unsigned long long)hal_cycles_per_sec(),
		(unsigned long long)v[ROUNDS / 2],
		(unsigned long long)v[ROUNDS * 99 / 100]);
}

static volatile uint32_t done;

static void pump(uint32_t want)
{
	uint64_t end = hal_cycles() + 10 * hal_cycles_per_sec();

	while (done < want && hal_cycles() < end) {
		if (bus_run(256))
			continue;
		if (sched_run())
			continue;
		kernel_wait();
	}
	bus_run(~0u);
	sched_run();
}

static void yielder(void *arg)
{
	bool timer = arg != NULL;

	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = hal_cycles();

		for (unsigned int i = 0; i < PER; i++)
			sched_yield();
		if (timer)
			v[r] = (hal_cycles() - t0) * 100 / (2 * PER);
	}
	done++;
}

static void caller(void *arg)
{
	struct bus_msg r;
	int ex = bus_svc_find("example"), tp = bus_topic("example.ping");

	(void)arg;
	for (unsigned int k = 0; k < ROUNDS; k++) {
		uint64_t t0 = hal_cycles();

		for (unsigned int i = 0; i < PER; i++)
			sched_call((bus_svc_t)ex, (bus_topic_t)tp, NULL, 0, &r,
				   0);
		v[k] = (hal_cycles() - t0) * 100 / PER;
	}
	done++;
}

static void nothing(void *arg)
{
	(void)arg;
	done++;
}

KTEST_EXPLICIT(bench, sched)
{
	struct bus_msg r;
	int ex = bus_svc_find("example"), tp = bus_topic("example.ping");

	done = 0;
	/* both on CPU 0: each yield is a switch to the other */
	KEXPECT(t, sched_spawn_on("yield-a", 4, yielder, (void *)1, 1) >= 0);
	KEXPECT(t, sched_spawn_on("yield-b", 4, yielder, NULL, 1) >= 0);
	pump(2);
	KEXPECT_EQ(t, done, 2);
	report("yield_switch", ROUNDS * PER * 2);

	done = 0;
	KEXPECT(t, sched_spawn("caller", 4, caller, NULL) >= 0);
	pump(1);
	KEXPECT_EQ(t, done, 1);
	report("thread_call", ROUNDS * PER);

	for (unsigned int k = 0; k < ROUNDS; k++) {
		uint64_t t0 = hal_cycles();

		done = 0;
		sched_spawn("short", 4, nothing, NULL);
		pump(1);
		v[k] = (hal_cycles() - t0) * 100;
	}
	report("spawn_exit", ROUNDS);

	for (unsigned int k = 0; k < ROUNDS; k++) {
		uint64_t t0 = hal_cycles();

		for (unsigned int i = 0; i < PER; i++)
			bus_call((bus_svc_t)ex, (bus_topic_t)tp, NULL, 0, &r);
		v[k] = (hal_cycles() - t0) * 100 / PER;
	}
	report("inline_call", ROUNDS * PER);
}
