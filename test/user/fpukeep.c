/*
 * fpukeep.c - a program's floating-point/SIMD registers are its own: it
 * puts a value of its own (from its pid) in xmm0 (x86_64) or d0
 * (AArch64), yields the CPU, and checks that the register still holds
 * it, again and again for 400 ms. Two of them at once (the fpu-kept
 * integration case) take turns on one CPU; were the registers not kept
 * per thread, each would find the other's value.
 */
#include "ulib.h"

static void put(unsigned long v)
{
#if defined(__x86_64__)
	__asm__ volatile("movq %0, %%xmm0" : : "r"(v));
#else
	__asm__ volatile("fmov d0, %0" : : "r"(v));
#endif
}

static unsigned long get(void)
{
	unsigned long v;

#if defined(__x86_64__)
	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
#else
	__asm__ volatile("fmov %0, d0" : "=r"(v));
#endif
	return v;
}

int main(void)
{
	long pid = aegis_getpid();
	unsigned long mine = 0x5eed0000ul + (unsigned long)pid, seen, want;
	unsigned long end = (unsigned long)aegis_clock() + 400000000ul;
	int lost = 0, yields = 0;

	/* 400 ms of yielding: the two overlap for most of it (they start a
	 * few ms apart), and then each yield is a switch to the other */
	while ((unsigned long)aegis_clock() < end) {
		want = mine + ((unsigned long)yields << 20);
		put(want);
		aegis_yield();
		seen = get();
		yields++;
		if (seen != want && lost++ < 3)
			printf("fpukeep: pid %ld: %#lx after a yield, not %#lx\n",
			       pid, seen, want);
	}
	printf("fpukeep: pid %ld: %s yields, %d values lost\n", pid,
	       yields > 100 ? "over 100" : "too few", lost);
	return lost || yields <= 100 ? 1 : 0;
}
