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
 *   bus_call      the call system call to the example service's
 *                 "example.ping": through the gateway and the routing
 *                 rules, queued, the process blocked until the reply
 *   spawn_exit    spawn "true" (test/user/true.c) and wait for it: the
 *                 program loaded into a new address space, its thread
 *                 run, everything released, the exit code collected
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

#define SPAWN_ROUNDS 51

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

static void report_n(const char *figure, int rounds, int per)
{
	sort(v, rounds);
	printf("bench: user %s n=%d hz=%lu median=%lu p99=%lu centicycles\n",
	       figure, rounds * per, hz, v[rounds / 2], v[rounds * 99 / 100]);
}

static void report(const char *figure)
{
	report_n(figure, ROUNDS, PER);
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
	{
		long ex = aegis_lookup(ABI_LOOKUP_SERVICE, "example", 7);
		long ping = aegis_lookup(ABI_LOOKUP_TOPIC, "example.ping", 12);
		char reply[40];

		for (int r = 0; r < ROUNDS; r++) {
			unsigned long t0 = (unsigned long)aegis_cycles();

			for (int i = 0; i < PER / 10; i++)
				if (aegis_call(ex, ping, "", 0, reply,
					       sizeof(reply)) < 0)
					return 1;
			v[r] = ((unsigned long)aegis_cycles() - t0) * 100 /
			       (PER / 10);
		}
		report_n("bus_call", ROUNDS, PER / 10);
	}
	for (int r = 0; r < SPAWN_ROUNDS; r++) {
		unsigned long t0 = (unsigned long)aegis_cycles();
		long pid = aegis_spawn("true", 4, 0);
		int32_t code = 1;

		if (pid < 0 || aegis_wait(pid, &code, 0) != pid || code)
			return 1;
		v[r] = ((unsigned long)aegis_cycles() - t0) * 100;
	}
	report_n("spawn_exit", SPAWN_ROUNDS, 1);
	return 0;
}
