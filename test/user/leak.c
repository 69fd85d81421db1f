/*
 * leak.c - takes what it can and exits without giving anything back:
 * files open, memory mapped, a subscription. The kernel must release it
 * all (systest.c checks the free pages before and after). With more
 * than one CPU it moves to the last one first (the affinity call), so
 * that it ends there: what it held goes back whichever CPU it ends on.
 */
#include "ulib.h"

int main(void)
{
	uintptr_t va = ((uintptr_t)_image_end + (1 << 24)) & ~0xfffull;
	int files = 0;
	long last = read_number("/sys/cpus/online") - 1;

	if (last > 0 && aegis_affinity(1ull << last) != last) {
		printf("leak: could not move to CPU %ld\n", last);
		return 1;
	}

	while (aegis_open("/dev/zero", 9, ABI_O_READ) >= 0)
		files++;
	if (aegis_map(va, 64 * 4096, ABI_PROT_READ | ABI_PROT_WRITE))
		return 1;
	for (int i = 0; i < 64; i++)
		((volatile char *)va)[i * 4096] = 1;	/* touch each page */
	aegis_subscribe("user.leak", 9);
	printf("leak: %d files open, 64 pages mapped; exiting\n", files);
	return files == 13 ? 0 : 1;	/* its whole table */
}
