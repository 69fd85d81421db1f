/*
 * bench_mm.c - kmalloc and the page allocator in the kernel (ktest=
 * bench.kmalloc, run by `scons bench` on release kernels, never by
 * `scons test`).
 *
 * For each size, batches of 100 kmalloc+kfree pairs (the LIFO fast path)
 * are timed with the cycle counter; the median and 99th percentile of the
 * per-pair cost over ROUNDS batches are printed, with the clock's cost
 * spread over the batch. The peer, measured the same way in the same
 * boot: one page through mm.page.alloc + mm.page.free (the bus path that
 * refills the slabs). One line per figure for test/bench/qemu_bench.py:
 *
 *   bench: kmalloc <figure> n=<n> hz=<counter Hz> median=<c> p99=<c> cycles
 *
 * Cycles are the counter's (TSC on x86_64; CNTVCT, coarse, on AArch64),
 * so the AArch64 figures are per 100 pairs divided down and carry the
 * counter's 16 ns grain.
 */
#include <aegis/hal.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include "bench.h"

#define PER	100
#define ROUNDS	301

static uint64_t v[ROUNDS];

static void report(const char *figure)
{
	bench_sort(v, ROUNDS);
	/* in hundredths of a cycle: the per-pair cost of a batch */
	kprintf("bench: kmalloc %s n=%u hz=%llu median=%llu p99=%llu "
		"centicycles\n", figure, ROUNDS * PER,
		(unsigned long long)hal_cycles_per_sec(),
		(unsigned long long)v[ROUNDS / 2],
		(unsigned long long)v[ROUNDS * 99 / 100]);
}

static volatile uint8_t sink;

KTEST_EXPLICIT(bench, kmalloc)
{
	static const uint32_t sizes[] = { 16, 64, 256, 1024, 4096 };
	char name[32];

	for (unsigned int s = 0; s < 5; s++) {
		void *p = kmalloc(sizes[s]);	/* warm the magazine */

		KEXPECT(t, p != NULL);
		kfree(p);
		for (unsigned int r = 0; r < ROUNDS; r++) {
			uint64_t t0 = hal_cycles();

			for (unsigned int i = 0; i < PER; i++) {
				uint8_t *q = kmalloc(sizes[s]);

				q[0] = (uint8_t)i;
				sink = q[0];
				kfree(q);
			}
			v[r] = (hal_cycles() - t0) * 100 / PER;
		}
		ksnprintf(name, sizeof(name), "pair_%u", sizes[s]);
		report(name);
	}
	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = hal_cycles(), pa;
		void *va;

		for (unsigned int i = 0; i < PER; i++) {
			mm_page_alloc(0, &pa, &va);
			mm_page_free(pa, 0);
		}
		v[r] = (hal_cycles() - t0) * 100 / PER;
	}
	report("page_alloc_free");
}
