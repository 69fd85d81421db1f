/* hello.c - a user program: says who and where it is through the system
 * calls, sleeps a tick, and exits with 0. On x86_64 it sleeps with the
 * NT flag set, which the kernel must not carry into its own code (an
 * iretq with NT set faults). */
#include "ulib.h"

int main(void)
{
	char name[64];
	long n = aegis_uname(name, sizeof(name) - 1);
	long t0 = aegis_clock();

	if (n < 0)
		return 1;
	name[n > 0 && name[n - 1] == '\n' ? n - 1 : n] = '\0';
	printf("hello: pid %ld on %s, in user mode\n", aegis_getpid(),
	       name);
#if defined(__x86_64__)
	__asm__ volatile("pushfq; orq $0x4000, (%%rsp); popfq" : : : "cc",
			 "memory");
#endif
	aegis_sleep(10000000);		/* 10 ms */
	aegis_yield();
	printf("hello: slept %ld ms, bye\n", (aegis_clock() - t0) / 1000000);
	return 0;
}
