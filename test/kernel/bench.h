/*
 * bench.h - what the in-kernel benchmarks (test/kernel/bench_*.c) share.
 */
#ifndef AEGIS_TEST_KERNEL_BENCH_H
#define AEGIS_TEST_KERNEL_BENCH_H

#include <aegis/types.h>

/* Sort k samples in place (insertion sort: a few hundred of them), for
 * their median and 99th percentile. */
static inline void bench_sort(uint64_t *a, unsigned int k)
{
	for (unsigned int i = 1; i < k; i++) {
		uint64_t x = a[i];
		unsigned int j = i;

		for (; j && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

#endif
