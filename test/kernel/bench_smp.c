/*
 * bench_smp.c - the cost of reaching another CPU (ktest=bench.smp, run by
 * `scons bench` with two CPUs on release kernels, never by `scons test`).
 *
 *   ipi_round_trip  CPU 0 pings CPU 1 (kernel/smp.c smp_ping): an
 *                   inter-processor interrupt there, whose handler sends
 *                   one back; CPU 0 waits for the answer. PER round trips
 *                   a batch, median and 99th percentile over ROUNDS.
 *
 * Its peer in test/bench/qemu_bench.py is the same configuration's
 * sched.yield_switch (a switch between two threads on one CPU), so a
 * wake-up across CPUs stands beside one within a CPU. One line:
 *
 *   bench: smp ipi_round_trip n=<n> hz=<Hz> median=<c> p99=<c> centicycles
 */
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/smp.h>
#include "bench.h"

#define PER	20
#define ROUNDS	201

static uint64_t v[ROUNDS];

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
