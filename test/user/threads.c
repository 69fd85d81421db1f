/*
 * threads.c - a process of several threads: three workers count a
 * shared counter up to 3000 (atomically, yielding now and then) and end
 * by returning; then two more start, one spinning in user mode for ever
 * and one waiting in receive for a day, and main returns: exit ends the
 * whole process, those two included. The parent (systest) checks that
 * the code is 0 and every page came back.
 */
#include "ulib.h"

#define WORKERS	3
#define COUNT	1000

static char stacks[WORKERS + 2][8192] __attribute__((aligned(16)));
static long counter, done;

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
