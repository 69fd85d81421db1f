/*
 * fuzz.c - the system-call fuzzer: 100 000 calls with random numbers
 * (valid, just past the last, far out) and arguments drawn from values
 * that break things (0, -1, the kernel's addresses, the edges of the user
 * range, huge lengths, bits outside every mask), and each answer checked:
 * an error code the kernel has, or a result the call can give. exit and
 * thread_exit are left out (they would end the run), thread gets a start
 * address that is refused (random code would fault and end the whole
 * process); so are writes and closes of the
 * console's file numbers (it must stay readable), and unmap and protect
 * of the fuzzer's own image and stack (the kernel would do as asked, and
 * the fuzzer would fault). Waits for messages last at most a
 * millisecond.
 * It runs without privilege: reboot and poweroff are refused. It prints
 * what came back and exits with the number of wrong answers (0: all
 * good).
 */
#include "ulib.h"

#define CALLS	100000
#define NSYS	AEGIS_SYS_COUNT	/* calls 0..30 (kernel/syscalls.def) */

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

/* a range the fuzzer lives in: its image and its stack */
static int own(uint64_t va, uint64_t len, uint64_t sp)
{
	uint64_t lo = (uintptr_t)_image_start, hi = (uintptr_t)_image_end;
	uint64_t end = va + len < va ? ~0ull : va + len;

	return (end > lo && va < hi) ||
	       (end > sp - (1 << 20) && va < sp + (1 << 20));
}

static long pick(void)
{
	static const uint64_t nasty[] = {
		0, 1, 2, 8, 64, 4095, 4096, 4097, 1ull << 20, 1ull << 40,
		~0ull, ~0ull - 4095, 0x8000000000000000ull,
		0xffffffff80000000ull, 0xffffff8000000000ull,
		0xffff888000000000ull, 0x1000, 0x10, 0x400000, 0xfee00000ull,
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
	uint64_t sp = (uintptr_t)&errors;

	for (long i = 0; i < CALLS; i++) {
		uint64_t r = rnd();
		long nr = r % 16 < 14 ? 1 + (long)((r >> 4) % (NSYS - 1)) :
			  r % 16 == 14 ? NSYS : (long)(r >> 20);
		long a[6];
		long ret;

		for (int k = 0; k < 6; k++)
			a[k] = pick();
		if (nr == AEGIS_SYS_write || nr == AEGIS_SYS_close) {	/* never the
								 * console */
			a[0] = a[0] == 1 || a[0] == 2 ? 3 : a[0];
		}
		/* never a thread of random code, never an end of its own */
		if (nr == AEGIS_SYS_thread)
			a[0] = 1;
		if (nr == AEGIS_SYS_thread_exit)
			nr = NSYS + 1;
		if ((nr == AEGIS_SYS_unmap || nr == AEGIS_SYS_protect) &&
		    own((uint64_t)a[0], (uint64_t)a[1], sp))
			a[0] = 0x10;	/* refused instead */
		/* waits that would be granted last a tick, as sleeps do */
		if (nr == AEGIS_SYS_receive && ((unsigned long)a[1] > 1000000 ||
					  rnd() % 100 != 0))
			a[1] = 0;
		if (nr == AEGIS_SYS_wait && (unsigned long)a[2] > 1000000)
			a[2] = 1000000;
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
		case AEGIS_SYS_write:		/* only to files it never opened */
		case AEGIS_SYS_read:
		case AEGIS_SYS_close:
		case AEGIS_SYS_ioctl:
		case AEGIS_SYS_readdir:
		case AEGIS_SYS_seek:
		case AEGIS_SYS_wait:		/* it has no children ... */
		case AEGIS_SYS_reboot:	/* ... nor privilege */
		case AEGIS_SYS_poweroff:
		case AEGIS_SYS_thread:	/* its start was refused */
			wrong++;
			break;
		case AEGIS_SYS_receive:	/* what it sent itself: 0 */
			if (ret != 0)
				wrong++;
			break;
		case AEGIS_SYS_getpid:	/* a small number */
		case AEGIS_SYS_yield:		/* 0 */
		case AEGIS_SYS_sleep:
		case AEGIS_SYS_map:
		case AEGIS_SYS_unmap:
		case AEGIS_SYS_protect:
		case AEGIS_SYS_send:
		case AEGIS_SYS_subscribe:
		case AEGIS_SYS_open:		/* a file number */
			if (ret > 64)
				wrong++;
			break;
		case AEGIS_SYS_clock:		/* never backwards */
			if (ret < last_clock)
				wrong++;
			last_clock = ret;
			break;
		case AEGIS_SYS_uname:		/* at most len bytes */
			if ((unsigned long)ret > (unsigned long)a[1])
				wrong++;
			break;
		case AEGIS_SYS_call:		/* at most rlen bytes */
			if ((unsigned long)ret > (unsigned long)a[5])
				wrong++;
			break;
		case AEGIS_SYS_lookup:	/* an id */
		case AEGIS_SYS_publish:	/* a count of services */
			if (ret > 511)
				wrong++;
			break;
		case AEGIS_SYS_spawn:		/* a pid: the name was a program */
		case AEGIS_SYS_stat:
			break;
		case AEGIS_SYS_cycles:
			break;
		case AEGIS_SYS_affinity:	/* the CPU it runs on */
			if (ret >= 64)
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
	printf("fuzz: by number:");
	for (int k = 1; k <= NSYS; k++)
		printf(" %lu", count[k]);
	printf(" (the last: unknown numbers)\n");
	return (int)wrong;
}
