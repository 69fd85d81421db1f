/* countdown.c - a user's own program (docs/WRITING_A_PROGRAM.md): counts
 * down from 3 to 7 (by the boot's clock), one line every 100 ms, and
 * exits with 0. */
#include "ulib.h"

int main(void)
{
	long start = aegis_clock();	/* ns since boot */
	long n = start / 1000000000 % 5 + 3;
	long i;

	printf("countdown: pid %ld, from %ld\n", aegis_getpid(), n);
	for (i = n; i > 0; i--) {
		printf("countdown: %ld\n", i);
		aegis_sleep(100000000);		/* 100 ms */
	}
	printf("countdown: done after %ld ms\n",
	       (aegis_clock() - start) / 1000000);
	return 0;
}
