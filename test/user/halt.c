/*
 * halt.c - turns the machine off through the poweroff system call. Run
 * privileged (run=+halt) the power service does it; without privilege a
 * routing rule refuses the request and halt exits with 1.
 */
#include "ulib.h"

int main(void)
{
	long rc;

	printf("halt: powering off\n");
	rc = aegis_poweroff();
	printf("halt: refused: %ld\n", rc);
	return 1;
}
