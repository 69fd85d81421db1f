/*
 * threads.c - a process of several threads: three workers count a
 * shared counter up to 3000 (atomically, yielding now and then) and end
 * by returning; then two more start, one spinning in user mode for ever
 * and one waiting in receive for a day, and main returns: exit ends the
 * whole process, those two included. The parent (systest) checks that
 * the code is 0 and every page came back.
 *
 * First, with more than one CPU online: two threads that spin in user
 * mode while the main thread reads /sys/sched/threads until it shows
 * both running at once, each on its own CPU (the kernel's view: on a
 * host with fewer cores than virtual CPUs, two running threads may
 * still take turns on the host). On one CPU that cannot be shown: only
 * one thread runs there at a time.
 */
#include "ulib.h"

#define WORKERS	3
#define COUNT	1000

static char stacks[WORKERS + 4][8192] __attribute__((aligned(16)));
static long counter, done;
static long spinning, stop_spinning, spinners_done;
static long spinner_tid[2];
static char table[4096];

static long read_file(const char *path, char *buf, long size)
{
	long fd = aegis_open(S(path), ABI_O_READ), n;

	if (fd < 0)
		return fd;
	n = aegis_read(fd, buf, size - 1);
	aegis_close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The CPU thread tid runs on, from /sys/sched/threads ("id name prio
 * state cpu ..."), or -1 if it is not running. */
static long running_on(long tid)
{
	const char *p = table;

	while (*p) {
		long f[5] = { 0 }, k = 0;
		const char *state = 0;

		for (; *p && *p != '\n' && k < 5; k++) {
			while (*p == ' ')
				p++;
			if (k == 3)
				state = p;
			for (; *p && *p != ' ' && *p != '\n'; p++)
				if (*p >= '0' && *p <= '9')
					f[k] = f[k] * 10 + *p - '0';
		}
		if (k == 5 && f[0] == tid && state &&
		    !__builtin_memcmp(state, "running", 7))
			return f[4];
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return -1;
}

static void spin(void *arg)
{
	int64_t end = aegis_clock() + 10000000000ll;

	(void)arg;
	__atomic_fetch_add(&spinning, 1, __ATOMIC_SEQ_CST);
	for (unsigned long i = 0;
	     !__atomic_load_n(&stop_spinning, __ATOMIC_ACQUIRE); i++)
		if (!(i & 0xffff) && aegis_clock() > end)
			break;
	__atomic_fetch_add(&spinners_done, 1, __ATOMIC_RELEASE);
}

/* 0, or 1 when two threads never ran at once though CPUs were free. */
static int parallel(void)
{
	long cpus = read_number("/sys/cpus/online"), a = -1, b = -1;
	int i;

	if (cpus < 2) {
		printf("threads: one CPU: not run in parallel\n");
		return 0;
	}
	for (i = 0; i < 2; i++) {
		spinner_tid[i] = thread_create(spin, NULL, stacks[WORKERS + 2 + i],
					       sizeof(stacks[0]));
		if (spinner_tid[i] < 0)
			return 1;
	}
	for (i = 0; i < 5000 && spinning < 2; i++)
		aegis_sleep(1000000);
	for (i = 0; i < 500; i++) {
		if (read_file("/sys/sched/threads", table, sizeof(table)) > 0) {
			a = running_on(spinner_tid[0]);
			b = running_on(spinner_tid[1]);
			if (a >= 0 && b >= 0 && a != b)
				break;
		}
		aegis_sleep(1000000);
	}
	__atomic_store_n(&stop_spinning, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&spinners_done, __ATOMIC_ACQUIRE) < 2)
		aegis_sleep(1000000);
	if (i == 500) {
		printf("threads: %ld CPUs, yet two spinning threads were never "
		       "seen running at once\n", cpus);
		return 1;
	}
	printf("threads: two threads ran at once on %ld CPUs\n", cpus);
	return 0;
}

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < COUNT; i++) {
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		if (i % 100 == 0)
			aegis_yield();
	}
	__atomic_fetch_add(&done, 1, __ATOMIC_RELEASE);
}

static void spinner(void *arg)
{
	(void)arg;
	for (;;)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
}

static void waiter(void *arg)
{
	struct abi_msg m;

	(void)arg;
	aegis_receive(&m, 86400000000000);
	printf("threads: the waiter woke up\n");	/* must not */
}

int main(void)
{
	long t[WORKERS];

	if (parallel())
		return 1;

	for (int i = 0; i < WORKERS; i++) {
		t[i] = thread_create(worker, NULL, stacks[i], sizeof(stacks[i]));
		if (t[i] < 0) {
			printf("threads: thread %d: %ld\n", i, t[i]);
			return 1;
		}
	}
	for (int i = 0; i < 1000 && __atomic_load_n(&done, __ATOMIC_ACQUIRE) <
	     WORKERS; i++)
		aegis_sleep(1000000);
	if (done != WORKERS || counter != WORKERS * COUNT) {
		printf("threads: %ld workers done, counter %ld\n", done,
		       counter);
		return 1;
	}
	/* a stack pointer outside the user range, a misaligned one */
	if (aegis_thread((uintptr_t)_image_start, 0x10, 0) != -22 ||
	    aegis_thread((uintptr_t)_image_start,
			 (uintptr_t)stacks[1] + 8, 0) != -22) {	/* EINVAL */
		printf("threads: a bad stack pointer was taken\n");
		return 1;
	}
	if (thread_create(spinner, NULL, stacks[WORKERS],
			  sizeof(stacks[0])) < 0 ||
	    thread_create(waiter, NULL, stacks[WORKERS + 1],
			  sizeof(stacks[0])) < 0)
		return 1;
	aegis_sleep(20000000);	/* both running */
	printf("threads: %d threads counted to %ld; exiting with two more "
	       "running\n", WORKERS, (long)WORKERS * COUNT);
	return 0;
}
