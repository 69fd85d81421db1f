/*
 * fuzz.c - the system-call fuzzer: 100 000 calls with random numbers
 * (valid, just past the last, far out) and arguments drawn from values
 * that break things (0, -1, the kernel's addresses, the edges of the user
 * range, huge lengths, bits outside every mask), and each answer checked:
 * an error code the kernel has, or a result the call can give. exit is
 * left out (it would end the run) and writes go to file numbers that are
 * not the console (the console stays readable). It prints what came back
 * and exits with the number of wrong answers (0: all good).
 */
#include "ulib.h"

#define CALLS	100000
#define NSYS	8		/* calls 0..7 (kernel/syscalls.def) */

static uint64_t x = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* Pointers into the middle page of area are valid; uname may write up
 * to 256 bytes at them, so the pages around keep those writes away from
 * the counters. */
static char area[3][4096] __attribute__((aligned(4096)));
#define buf area[1]

static long pick(void)
{
	static const uint64_t nasty[] = {
		0, 1, 2, 8, 64, 4095, 4096, 4097, 1ull << 20, 1ull << 40,
		~0ull, ~0ull - 4095, 0x8000000000000000ull,
		0xffffffff80000000ull, 0xffffff8000000000ull, 0x1000, 0x10,
		0x7ffffffff000ull, 0x8000000000ull, 0x100000000ull,
		0xffffffffull, 63, 3,
	};
	uint64_t r = rnd();

	switch (r % 4) {
	case 0:
		return (long)nasty[(r >> 8) % (sizeof(nasty) /
					       sizeof(nasty[0]))];
	case 1:
		return (long)(uintptr_t)buf + (long)((r >> 8) % 300) - 20;
	case 2:
		return (long)(r >> 8);
	default:
		return (long)((r >> 8) % 64);
	}
}

int main(void)
{
	static unsigned long count[NSYS + 1];
	unsigned long errors = 0, ok = 0, wrong = 0;
	long last_clock = 0;

	for (long i = 0; i < CALLS; i++) {
		uint64_t r = rnd();
		long nr = r % 16 < 14 ? 1 + (long)(r % 7) :
			  r % 16 == 14 ? NSYS : (long)(r >> 20);
		long a[6];
		long ret;

		for (int k = 0; k < 6; k++)
			a[k] = pick();
		if (nr == 1) {		/* never the console */
			a[0] = a[0] == 1 || a[0] == 2 ? 3 : a[0];
		}
		/* sleeps that would be granted last a tick (10 ms): keep one
		 * in a hundred, and make the rest too long (refused) */
		if (nr == 4 && ((unsigned long)a[0] > 1000000 ||
				rnd() % 100 != 0))
			a[0] = (long)(rnd() | 1ull << 62);
		ret = aegis_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		count[nr >= 0 && nr < NSYS ? nr : NSYS]++;
		if (ret < 0) {
			/* an error the kernel has (errno.h: 1..131) */
			if (ret < -131)
				wrong++;
			if (nr < 0 || nr >= NSYS) {
				if (ret != -38)	/* -ENOSYS */
					wrong++;
			}
			errors++;
			continue;
		}
		ok++;
		switch (nr) {
		case 1:		/* write: only an fd that is not there */
			wrong++;
			break;
		case 2:		/* getpid */
		case 3:		/* yield */
		case 4:		/* sleep */
			if (ret > 64)
				wrong++;
			break;
		case 5:		/* clock: never backwards */
			if (ret < last_clock)
				wrong++;
			last_clock = ret;
			break;
		case 7:		/* uname: at most len bytes */
			if ((unsigned long)ret > (unsigned long)a[1])
				wrong++;
			break;
		default:
			if (nr < 0 || nr >= NSYS)
				wrong++;
			break;
		}
	}
	printf("fuzz: %d calls: %lu answered with an error, %lu with a "
	       "result, %lu wrong\n", CALLS, errors, ok, wrong);
	printf("fuzz: by number: write %lu, getpid %lu, yield %lu, sleep %lu, "
	       "clock %lu, cycles %lu, uname %lu, unknown %lu\n", count[1],
	       count[2], count[3], count[4], count[5], count[6], count[7],
	       count[NSYS]);
	return (int)wrong;
}
