/*
 * bench.c - system calls timed from user mode (`scons bench` boots the
 * release kernels with run=bench; never run by `scons test`).
 *
 *   null_syscall  getpid, the cheapest call: into the kernel through the
 *                 gateway's checks and back
 *   write_check   write to a file number that is not there: the same plus
 *                 a refused argument (-EBADF)
 *   user_call     the peer: a call to a function in the program that does
 *                 as little, never leaving user mode
 *
 * Each figure: ROUNDS batches of PER calls timed with the cycles call;
 * the median and 99th percentile of the per-call cost, in hundredths of
 * a cycle, on lines test/bench/qemu_bench.py reads:
 *
 *   bench: user <figure> n=<n> hz=<counter Hz> median=<c> p99=<c> centicycles
 */
#include "ulib.h"

#define PER	100
#define ROUNDS	201

static unsigned long v[ROUNDS];

static void sort(unsigned long *a, int k)
{
	for (int i = 1; i < k; i++) {
		unsigned long x = a[i];
		int j = i;

		for (; j && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static unsigned long hz;

static void report(const char *figure)
{
	sort(v, ROUNDS);
	printf("bench: user %s n=%d hz=%lu median=%lu p99=%lu centicycles\n",
	       figure, ROUNDS * PER, hz, v[ROUNDS / 2], v[ROUNDS * 99 / 100]);
}

__attribute__((noinline)) static long nothing(long x)
{
	__asm__ volatile("" : : : "memory");
	return x;
}

int main(void)
{
	/* the counter's rate, from the kernel's own conversion */
	unsigned long c = (unsigned long)aegis_cycles();
	unsigned long ns = (unsigned long)aegis_clock();

	hz = ns ? (unsigned long)((__uint128_t)c * 1000000000u / ns) : 0;
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long t0 = (unsigned long)aegis_cycles();

		for (int i = 0; i < PER; i++)
			aegis_getpid();
		v[r] = ((unsigned long)aegis_cycles() - t0) * 100 / PER;
	}
	report("null_syscall");
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long t0 = (unsigned long)aegis_cycles();

		for (int i = 0; i < PER; i++)
			aegis_write(40, "x", 1);
		v[r] = ((unsigned long)aegis_cycles() - t0) * 100 / PER;
	}
	report("write_check");
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long t0 = (unsigned long)aegis_cycles();

		for (int i = 0; i < PER; i++)
			nothing(i);
		v[r] = ((unsigned long)aegis_cycles() - t0) * 100 / PER;
	}
	report("user_call");
	return 0;
}
