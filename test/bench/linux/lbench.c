/*
 * lbench.c - the Linux side of scons bench's comparison: the same figures
 * as Aegis's, measured by a static program that Linux runs as its first
 * process, in the same QEMU configuration (test/bench/qemu_bench.py boots
 * Debian's kernel with it in an initramfs).
 *
 *   null_syscall  getpid through syscall(2) (no vDSO, no caching):
 *                 into the kernel and back
 *   yield_switch  two threads of one process on the one CPU calling
 *                 sched_yield in turn: each yield is one switch to the
 *                 other (threads, as Aegis's figure is: no change of
 *                 address space)
 *
 * Each figure: 201 batches, the median and 99th percentile per operation
 * in hundredths of a nanosecond, on lines qemu_bench.py reads:
 *
 *   bench: linux <figure> n=<n> hz=1000000000 median=<c> p99=<c> centicycles
 *
 * (the "cycles" of these lines are nanoseconds: CLOCK_MONOTONIC).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS	201
#define PER	100

static uint64_t v[ROUNDS];

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *figure, unsigned int per)
{
	qsort(v, ROUNDS, sizeof(v[0]), cmp);
	printf("bench: linux %s n=%u hz=1000000000 median=%llu p99=%llu "
	       "centicycles\n", figure, ROUNDS * per,
	       (unsigned long long)v[ROUNDS / 2],
	       (unsigned long long)v[ROUNDS * 99 / 100]);
	fflush(stdout);
}

static volatile int stop;

static void *yielder(void *arg)
{
	(void)arg;
	while (!stop)
		sched_yield();
	return NULL;
}

int main(void)
{
	pthread_t other;

	printf("lbench: up\n");
	fflush(stdout);
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now();

		for (int i = 0; i < PER; i++)
			syscall(SYS_getpid);
		v[r] = (now() - t0) * 100 / PER;
	}
	report("null_syscall", PER);
	if (pthread_create(&other, NULL, yielder, NULL)) {
		printf("lbench: no second thread\n");
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now();

		for (int i = 0; i < PER; i++)
			sched_yield();
		/* each yield: to the other thread and back, two switches */
		v[r] = (now() - t0) * 100 / (2 * PER);
	}
	stop = 1;
	pthread_join(other, NULL);
	report("yield_switch", 2 * PER);
	return 0;
}
