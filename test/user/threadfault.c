/*
 * threadfault.c - one thread of a process faults while the main thread
 * waits for a message that never comes: the fault ends the whole
 * process, with -EFAULT, at once.
 */
#include "ulib.h"

static char stack[8192] __attribute__((aligned(16)));
static volatile uintptr_t where = 8;	/* out of the compiler's view */

static void crash(void *arg)
{
	(void)arg;
	aegis_sleep(10000000);
	*(volatile int *)where = 1;
}

int main(void)
{
	struct abi_msg m;

	if (thread_create(crash, NULL, stack, sizeof(stack)) < 0)
		return 1;
	aegis_receive(&m, 86400000000000);
	printf("threadfault: still alive\n");	/* must not */
	return 2;
}
