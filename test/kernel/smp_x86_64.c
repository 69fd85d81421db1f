/*
 * smp_x86_64.c - in-kernel tests of the x86_64 side of starting CPUs
 * (hal/src/arch/x86_64/smp.rs, docs/SMP_X86_64.md) and of its
 * inter-processor interrupt (ipi.rs): what the boot CPU can check of it
 * from inside, with any number of CPUs. No refused call starts a CPU or
 * leaves the start busy.
 */
#if defined(__x86_64__)

#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/ktest.h>
#include <aegis/smp.h>

/* A 16-aligned stack top in the stack window, never used: every start
 * below is refused, or names a CPU that does not exist. */
#define TOP	0xffffffff00ff0000ull

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	r[0] = leaf;
	r[2] = 0;
	__asm__ volatile("cpuid"
			 : "+a"(r[0]), "=b"(r[1]), "+c"(r[2]), "=d"(r[3]));
}

KTEST(smp, x86_64_boot_cpu_is_index_0_with_its_apic_id)
{
	uint32_t r[4];
	uint16_t fs, gs;

	KEXPECT_EQ(t, hal_cpu_index(), 0);
	/* the local APIC id is the initial one CPUID reports */
	cpuid(1, r);
	KEXPECT_EQ(t, hal_cpu_hw_id() & 0xff, r[1] >> 24);
	/* where RDTSCP exists, IA32_TSC_AUX holds the index */
	cpuid(0x80000000, r);
	if (r[0] >= 0x80000001) {
		cpuid(0x80000001, r);
		if (r[3] & (1u << 27)) {
			uint32_t lo, hi, aux;

			__asm__ volatile("rdtscp"
					 : "=a"(lo), "=d"(hi), "=c"(aux));
			KEXPECT_EQ(t, aux, 0);
		}
	}
	/* user code may load any selector into FS and GS: the index does
	 * not depend on them */
	__asm__ volatile("mov %%fs, %0; mov %%gs, %1" : "=r"(fs), "=r"(gs));
	__asm__ volatile("mov %0, %%fs; mov %0, %%gs" : : "r"((uint16_t)0x1b));
	KEXPECT_EQ(t, hal_cpu_index(), 0);
	__asm__ volatile("mov %0, %%fs; mov %1, %%gs" : : "r"(fs), "r"(gs));
}

KTEST(smp, x86_64_start_refuses_bad_arguments)
{
	/* the boot CPU's own APIC id: an INIT would reset it */
	KEXPECT_EQ(t, hal_cpu_start(1, hal_cpu_hw_id(), TOP), -AE_EINVAL);
	/* an id no IPI can name alone (the broadcast id) */
	KEXPECT_EQ(t, hal_cpu_start(1, 0xffffffffull, TOP), -AE_EINVAL);
	/* a CPU already started, as another index: an INIT would reset it */
	if (smp_cpu(1) && smp_cpu(1)->state == SMP_ONLINE)
		KEXPECT_EQ(t, hal_cpu_start(2, smp_cpu(1)->hw_id, TOP),
			   -AE_EINVAL);
	/* the start page: one a start-up IPI can name */
	KEXPECT_EQ(t, hal_cpu_start_page(0), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start_page(0x8800), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start_page(0xa0000), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start_page(0x100000), -AE_EINVAL);
}

/* What hal_ipi_send refuses: this CPU, indexes beyond the HAL's, and
 * every CPU that is not online (never started, off, failed). The boot
 * CPU's hal_cpu_irq_init is hal_irq_init's work: 0. */
KTEST(smp, x86_64_ipi_refusals)
{
	KEXPECT_EQ(t, hal_cpu_irq_init(), 0);
	KEXPECT_EQ(t, hal_ipi_send(hal_cpu_index()), -AE_EINVAL);
	KEXPECT_EQ(t, hal_ipi_send(HAL_CPUS_MAX), -AE_EINVAL);
	KEXPECT_EQ(t, hal_ipi_send(0xffffffffu), -AE_EINVAL);
	for (unsigned int i = 1; i < HAL_CPUS_MAX; i++) {
		const struct smp_cpu *c = smp_cpu(i);

		if (!c || c->state != SMP_ONLINE)
			KEXPECT_EQ(t, hal_ipi_send(i), -AE_EINVAL);
	}
	KEXPECT(t, !hal_in_irq());
}

/* Wait up to 100 ms, interrupts on, for this CPU's answers to reach
 * `want`; whether they did. */
static bool pongs_reach(uint64_t want)
{
	const struct smp_cpu *me = smp_cpu(0);
	uint64_t hz = hal_cycles_per_sec(), t0 = hal_cycles();
	bool was = hal_irq_cpu_save(), ok = false;

	hal_irq_cpu_enable(true);	/* the answers are interrupts */
	while (hal_cycles() - t0 < hz / 10)
		if (__atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE) >= want) {
			ok = true;
			break;
		}
	hal_irq_cpu_enable(was);
	return ok;
}

/* Twenty round trips in a row to each online CPU, each answered before
 * the next: the IPI vector is taken again and again on both sides, which
 * it would not be if either side left it in service (no end of
 * interrupt). */
KTEST(smp, x86_64_ipi_round_trips_in_a_row)
{
	const struct smp_cpu *me = smp_cpu(0);

	for (unsigned int i = 1; i < smp_cpus_described(); i++) {
		const struct smp_cpu *c = smp_cpu(i);
		uint64_t pings;
		unsigned int n;

		if (c->state != SMP_ONLINE)
			continue;
		pings = __atomic_load_n(&c->pings, __ATOMIC_ACQUIRE);
		for (n = 0; n < 20; n++) {
			uint64_t want = __atomic_load_n(&me->pongs,
							__ATOMIC_ACQUIRE) + 1;

			if (smp_ping(i) != 0 || !pongs_reach(want))
				break;
		}
		KEXPECT_EQ(t, n, 20);
		KEXPECT_EQ(t, __atomic_load_n(&c->pings, __ATOMIC_ACQUIRE),
			   pings + 20);
	}
}

/* Every online CPU pinged at once: each answers, and the boot CPU counts
 * every answer even when several arrive as one interrupt. */
KTEST(smp, x86_64_ipi_to_every_cpu_at_once)
{
	const struct smp_cpu *me = smp_cpu(0);
	uint64_t want = __atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE);
	bool was = hal_irq_cpu_save();

	hal_irq_cpu_enable(false);	/* every ping out before any answer */
	for (unsigned int i = 1; i < smp_cpus_described(); i++)
		if (smp_cpu(i)->state == SMP_ONLINE) {
			KEXPECT_EQ(t, smp_ping(i), 0);
			want++;
		}
	hal_irq_cpu_enable(was);
	KEXPECT(t, pongs_reach(want));
	KEXPECT_EQ(t, __atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE), want);
}

/*
 * A start whose CPU never checks in keeps the start page: the next start
 * is -EBUSY (the late CPU could still read the page). Explicit: it leaves
 * the HAL unable to start another CPU until the machine restarts.
 */
KTEST_EXPLICIT(smp, x86_64_start_stays_busy_until_checked_in)
{
	/* xAPIC's highest id, which no CPU of a QEMU machine with fewer
	 * than 255 CPUs has: the IPIs reach nobody */
	uint64_t absent = 0xfe, t0, wait = hal_cycles_per_sec() / 5;

	KEXPECT_EQ(t, hal_cpu_start(HAL_CPUS_MAX - 1, absent, TOP), 0);
	t0 = hal_cycles();
	while (hal_cycles() - t0 < wait)
		;
	KEXPECT_EQ(t, hal_cpu_start(HAL_CPUS_MAX - 2, absent - 1, TOP),
		   -AE_EBUSY);
}


/* The SYSCALL entry finds its CPU's kernel stack through
 * IA32_KERNEL_GS_BASE: every online CPU's points somewhere of its own
 * (a CPU that shared another's would switch to that CPU's stack). */
static uint64_t kernel_gs_base[SMP_CPUS_MAX];

static void read_kernel_gs_base(void *arg)
{
	uint32_t lo, hi;

	(void)arg;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000102u));
	kernel_gs_base[hal_cpu_index()] = (uint64_t)hi << 32 | lo;
}

KTEST(smp, x86_64_each_cpu_has_its_own_syscall_area)
{
	unsigned int n = 0;

	read_kernel_gs_base(NULL);
	for (unsigned int i = 1; i < smp_cpus_described(); i++)
		if (smp_cpu(i)->state == SMP_ONLINE)
			KEXPECT_EQ(t, smp_call(i, read_kernel_gs_base, NULL), 0);
	for (unsigned int i = 0; i < smp_cpus_described(); i++) {
		if (smp_cpu(i)->state != SMP_ONLINE)
			continue;
		n++;
		KEXPECT(t, kernel_gs_base[i] != 0);
		for (unsigned int j = 0; j < i; j++)
			if (smp_cpu(j)->state == SMP_ONLINE)
				KEXPECT(t, kernel_gs_base[j] != kernel_gs_base[i]);
	}
	KEXPECT(t, n >= 1);
}

#endif
