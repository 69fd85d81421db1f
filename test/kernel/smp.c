/*
 * smp.c - in-kernel tests of CPU bring-up (kernel/smp.c, the HAL's
 * hal_cpu_*): run on every boot path, with as many CPUs as QEMU was given.
 */
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/smp.h>

KTEST(smp, boot_cpu_is_index_0_and_online)
{
	const struct smp_cpu *c = smp_cpu(0);

	KEXPECT_EQ(t, hal_cpu_index(), 0);
	KEXPECT(t, c != NULL);
	if (!c)
		return;
	KEXPECT_EQ(t, c->state, SMP_ONLINE);
	KEXPECT_EQ(t, c->hw_id, hal_cpu_hw_id());
}

/* Every CPU the firmware describes was started and checked in, or is off
 * for a stated reason: none is left starting or failed. */
KTEST(smp, every_described_cpu_online_or_off)
{
	unsigned int online = 0;

	for (unsigned int i = 0; i < smp_cpus_described(); i++) {
		const struct smp_cpu *c = smp_cpu(i);

		KEXPECT(t, c->state == SMP_ONLINE || c->state == SMP_OFF);
		if (c->state == SMP_OFF)
			KEXPECT(t, c->why != NULL);
		online += c->state == SMP_ONLINE;
		for (unsigned int j = 0; j < i; j++)	/* ids are distinct */
			KEXPECT(t, smp_cpu(j)->hw_id != c->hw_id);
	}
	KEXPECT_EQ(t, online, smp_cpus_online());
	KEXPECT(t, smp_cpu(smp_cpus_described()) == NULL);
}

/* Refusals that touch no CPU. */
KTEST(smp, start_refuses_bad_arguments)
{
	KEXPECT_EQ(t, hal_cpu_start(0, 0, 0x1000), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start(SMP_CPUS_MAX, 1, 0x1000), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start(1, 1, 0), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start(1, 1, 0x1008), -AE_EINVAL);
}

/* An inter-processor interrupt to each online CPU comes back: the round
 * trip goes through both CPUs' interrupt paths. */
KTEST(smp, ipi_round_trip_to_every_cpu)
{
	uint64_t hz = hal_cycles_per_sec();

	for (unsigned int i = 1; i < smp_cpus_described(); i++) {
		const struct smp_cpu *me = smp_cpu(0), *c = smp_cpu(i);
		uint64_t before, t0, pings;
		bool was, back = false;

		if (c->state != SMP_ONLINE)
			continue;
		was = hal_irq_cpu_save();
		hal_irq_cpu_enable(true);	/* the answer is an interrupt */
		before = __atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE);
		pings = __atomic_load_n(&c->pings, __ATOMIC_ACQUIRE);
		t0 = hal_cycles();
		KEXPECT_EQ(t, smp_ping(i), 0);
		while (hal_cycles() - t0 < hz / 10)
			if (__atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE) !=
			    before) {
				back = true;
				break;
			}
		hal_irq_cpu_enable(was);
		KEXPECT(t, back);
		KEXPECT(t, __atomic_load_n(&c->pings, __ATOMIC_ACQUIRE) > pings);
		kprintf("ktest: smp: cpu %u answered an IPI in %llu us\n", i,
			(unsigned long long)((hal_cycles() - t0) * 1000000 /
					     (hz ? hz : 1)));
	}
	KEXPECT_EQ(t, smp_ping(0), -AE_EINVAL);		/* itself */
	KEXPECT_EQ(t, smp_ping(SMP_CPUS_MAX), -AE_EINVAL);
}
