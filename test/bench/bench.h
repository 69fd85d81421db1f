/*
 * bench.h - what the host benchmarks share: the clock, and a figure
 * measured in batches (median and 99th percentile per step, the clock's
 * own cost subtracted).
 */
#ifndef AEGIS_BENCH_H
#define AEGIS_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct figure {
	double med, p99;
};

static inline uint64_t bench_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Run fn rounds times after one warm-up; fn does `per` steps' worth of
 * work per call; timer_cost (ns per clock pair) is subtracted. v holds
 * rounds doubles. */
static inline struct figure bench_measure(void (*fn)(void), unsigned int per,
					  int rounds, double *v,
					  double timer_cost)
{
	struct figure f;

	fn();
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_ns();

		fn();
		v[r] = ((double)(bench_ns() - t0) - timer_cost) / per;
	}
	qsort(v, (size_t)rounds, sizeof(v[0]), bench_cmp);
	f.med = v[rounds / 2];
	f.p99 = v[rounds * 99 / 100];
	return f;
}
/* Reopen the JSON list in path (written by the bus benchmark, or an
 * empty list "[]" made by test/bench/run_bench.py), to append to it;
 * *nrec is set to 1 when the list already holds a record (so the next
 * one is written after a comma), 0 when it is empty. */
static inline FILE *bench_append_to(const char *path, int *nrec)
{
	FILE *f = fopen(path, "r+");
	long end;
	int c = 0;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	end = ftell(f);
	/* back over the closing "]" and whitespace */
	while (end > 0) {
		fseek(f, --end, SEEK_SET);
		c = fgetc(f);
		if (c == ']')
			break;
	}
	if (end <= 0) {
		fclose(f);
		return NULL;
	}
	fseek(f, end, SEEK_SET);
	/* drop trailing newline before "]" so records follow the last one */
	while (end > 0) {
		fseek(f, end - 1, SEEK_SET);
		c = fgetc(f);
		if (c != '\n' && c != ' ')
			break;
		end--;
	}
	*nrec = c != '[';
	fseek(f, end, SEEK_SET);
	return f;
}

#endif
