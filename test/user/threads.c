/*
 * threads.c - a process of several threads: three workers count a
 * shared counter up to 3000 (atomically, yielding now and then) and end
 * by returning; then two more start, one spinning in user mode for ever
 * and one waiting in receive for a day, and main returns: exit ends the
 * whole process, those two included. The parent (systest) checks that
 * the code is 0 and every page came back.
 *
 * First, with more than one CPU online: two threads that only count
 * and watch each other's count. On one CPU a thread sees the other's
 * count move only across a switch (a few times a slice); on two at
 * once it sees it move thousands of times. Fewer than RUNNING_AT_ONCE
 * changes seen with CPUs to spare fails the program.
 */
#include "ulib.h"

#define WORKERS	3
#define COUNT	1000

#define WATCH		2000000	/* looks at the other's count */
#define RUNNING_AT_ONCE	1000

static char stacks[WORKERS + 4][8192] __attribute__((aligned(16)));
static long counter, done;
static volatile unsigned long count[2], seen[2];
static long watchers_done;

static long online_cpus(void)
{
	char buf[16];
	long fd = aegis_open(S("/sys/cpus/online"), ABI_O_READ), n, v = 0;

	if (fd < 0)
		return fd;
	n = aegis_read(fd, buf, sizeof(buf));
	aegis_close(fd);
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + buf[i] - '0';
	return v;
}

static long watchers_started;

static void watcher(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;
	unsigned long last, changes = 0;
	int64_t end = aegis_clock() + 5000000000ll;

	/* both under way first (a CPU woken for the second may come late):
	 * on one CPU this passes only by a switch, on two at once */
	__atomic_fetch_add(&watchers_started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&watchers_started, __ATOMIC_SEQ_CST) < 2 &&
	       aegis_clock() < end)
		;
	last = count[!me];
	for (long i = 0; i < WATCH; i++) {
		unsigned long c = count[!me];

		count[me]++;
		if (c != last) {
			changes++;
			last = c;
		}
	}
	seen[me] = changes;
	__atomic_fetch_add(&watchers_done, 1, __ATOMIC_RELEASE);
}

/* 0, or 1 when two threads never ran at once though CPUs were free. */
static int parallel(void)
{
	long cpus = online_cpus();

	if (cpus < 2) {
		printf("threads: one CPU: not run in parallel\n");
		return 0;
	}
	if (thread_create(watcher, (void *)0, stacks[WORKERS + 2],
			  sizeof(stacks[0])) < 0 ||
	    thread_create(watcher, (void *)1, stacks[WORKERS + 3],
			  sizeof(stacks[0])) < 0)
		return 1;
	for (int i = 0; i < 10000 && __atomic_load_n(&watchers_done,
						     __ATOMIC_ACQUIRE) < 2; i++)
		aegis_sleep(1000000);
	if (watchers_done < 2 || seen[0] < RUNNING_AT_ONCE ||
	    seen[1] < RUNNING_AT_ONCE) {
		printf("threads: %ld CPUs, yet the two watchers saw each other "
		       "move %lu and %lu times\n", cpus, seen[0], seen[1]);
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
