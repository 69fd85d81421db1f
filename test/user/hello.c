/* hello.c - a user program: says who and where it is through the system
 * calls, sleeps a tick, and exits with 0. */
#include "ulib.h"

int main(void)
{
	char name[64];
	long n = aegis_uname(name, sizeof(name) - 1);
	long t0 = aegis_clock();

	if (n < 0)
		return 1;
	name[n > 0 && name[n - 1] == '\n' ? n - 1 : n] = '\0';
	printf("hello: thread %ld on %s, in user mode\n", aegis_getpid(),
	       name);
	aegis_sleep(10000000);		/* 10 ms */
	aegis_yield();
	printf("hello: slept %ld ms, bye\n", (aegis_clock() - t0) / 1000000);
	return 0;
}
