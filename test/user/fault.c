/* fault.c - a user program that writes through a null pointer: the
 * kernel kills it, alone. */
#include "ulib.h"

/* the address comes from outside the compiler's view, so it cannot
 * prove (and complain) that the write is out of bounds */
static volatile uintptr_t where = 16;

int main(void)
{
	volatile int *p = (volatile int *)where;

	printf("fault: writing to address 16\n");
	*p = 1;
	printf("fault: still alive?\n");
	return 0;
}
