/*
 * smp_aarch64.c - in-kernel tests of the AArch64 side of starting CPUs
 * and of inter-processor interrupts (hal/src/arch/aarch64/smp.rs,
 * ipi.rs, docs/SMP_AARCH64.md): what the boot CPU can check of it from
 * inside, with any number of CPUs.
 */
#if defined(__aarch64__)

#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/ktest.h>
#include <aegis/service.h>
#include <aegis/smp.h>

#define MPIDR_AFFINITY	0xff00ffffffull	/* Aff3, Aff2:Aff1:Aff0 */

static uint64_t read_tpidr_el1(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return v;
}

static uint64_t read_tpidrro_el0(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidrro_el0" : "=r"(v));
	return v;
}

/* A stack top that is never used: every start below is refused. */
static uint64_t unused_stack_top(void)
{
	static uint8_t stack[64] __aligned(16);

	return (uint64_t)(uintptr_t)(stack + sizeof(stack));
}

KTEST(smp, aarch64_boot_cpu_is_index_0_with_its_mpidr)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	KEXPECT_EQ(t, hal_cpu_index(), 0);
	KEXPECT_EQ(t, read_tpidr_el1(), 0);
	KEXPECT_EQ(t, hal_cpu_hw_id(), mpidr & MPIDR_AFFINITY);
	/* the device tree's cpu reg for the boot CPU is the same value */
	KEXPECT(t, smp_cpu(0) != NULL);
	if (smp_cpu(0))
		KEXPECT_EQ(t, smp_cpu(0)->hw_id, hal_cpu_hw_id());
}

KTEST(smp, aarch64_start_refuses_bad_arguments)
{
	uint64_t top = unused_stack_top(), self = hal_cpu_hw_id();

	KEXPECT_EQ(t, hal_cpu_start(0, self, top), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start(HAL_CPUS_MAX, self, top), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start(1, self, 0), -AE_EINVAL);
	KEXPECT_EQ(t, hal_cpu_start(1, self, top - 8), -AE_EINVAL);
}

/*
 * The firmware's refusals come back as -EIO (the HAL prints the PSCI
 * error's name): CPU_ON of the boot CPU itself is ALREADY_ON, of an
 * affinity no CPU has INVALID_PARAMETERS. Each refusal gives the start
 * block back, so the next start is refused by the firmware again, not
 * with -EBUSY.
 */
KTEST(smp, aarch64_firmware_refusal_is_eio_and_frees_the_block)
{
	uint64_t top = unused_stack_top(), self = hal_cpu_hw_id();

	if (!(hal_caps() & (HAL_CAP_PSCI_HVC | HAL_CAP_PSCI_SMC))) {
		KEXPECT_EQ(t, hal_cpu_start(1, self, top), -AE_ENODEV);
		return;
	}
	KEXPECT_EQ(t, hal_cpu_start(1, self, top), -AE_EIO);
	KEXPECT_EQ(t, hal_cpu_start(1, self, top), -AE_EIO);
	KEXPECT_EQ(t, hal_cpu_start(1, 0xfe00fefefeull, top), -AE_EIO);
}

/*
 * The exception vectors need a scratch register before they have a
 * stack they trust; it must not be TPIDR_EL1, which holds the CPU's
 * index. A page fault in a service's handler is taken, recovered from
 * (the service fails and is restarted), and the index is still 0, the
 * scratch register (TPIDRRO_EL0, which EL0 can read) 0 again.
 */
static int faulting_handle(void *state, const struct bus_msg *m,
			   struct bus_msg *reply)
{
	(void)state;
	(void)m;
	(void)reply;
	return hal_fault_test(HAL_FAULT_PAGE);
}

static const struct service_desc faulting = {
	.name = "ktest-smp-fault",
	.handler = faulting_handle,
};

KTEST(smp, aarch64_cpu_index_survives_a_kernel_fault)
{
	int id;

	if (service_state(faulting.name) == SERVICE_ABSENT)
		KEXPECT_EQ(t, service_register(&faulting), 0);
	id = service_bus_id(faulting.name);
	KEXPECT(t, id >= 0);
	if (id < 0)
		return;
	KEXPECT_EQ(t, bus_call((bus_svc_t)id,
			       (bus_topic_t)bus_topic("ktest.smp.fault"),
			       NULL, 0, NULL), -AE_ESHUTDOWN);
	KEXPECT_EQ(t, hal_cpu_index(), 0);
	KEXPECT_EQ(t, read_tpidr_el1(), 0);
	KEXPECT_EQ(t, read_tpidrro_el0(), 0);
}

/*
 * hal_ipi_send refuses this CPU, an index beyond HAL_CPUS_MAX and every
 * CPU not started (never described, or off) with -EINVAL; the boot CPU's
 * GIC side is hal_irq_init's, so hal_cpu_irq_init has nothing left to do
 * there. A start the firmware refuses for a CPU that is running
 * (ALREADY_ON) does not make it unreachable: it still answers a ping.
 */
KTEST(smp, aarch64_ipi_refusals_and_a_refused_start_keeps_the_cpu)
{
	uint64_t top = unused_stack_top(), hz = hal_cycles_per_sec();
	const struct smp_cpu *me = smp_cpu(0), *c1 = smp_cpu(1);
	uint64_t before, t0;
	bool was, back = false;

	KEXPECT_EQ(t, hal_cpu_irq_init(), 0);
	KEXPECT_EQ(t, hal_ipi_send(hal_cpu_index()), -AE_EINVAL);
	KEXPECT_EQ(t, hal_ipi_send(HAL_CPUS_MAX), -AE_EINVAL);
	KEXPECT_EQ(t, hal_ipi_send(0xffffffffu), -AE_EINVAL);
	for (unsigned int i = 1; i < HAL_CPUS_MAX; i++) {
		const struct smp_cpu *c = smp_cpu(i);

		if (!c || c->state != SMP_ONLINE)
			KEXPECT_EQ(t, hal_ipi_send(i), -AE_EINVAL);
	}
	if (!c1 || c1->state != SMP_ONLINE ||
	    !(hal_caps() & (HAL_CAP_PSCI_HVC | HAL_CAP_PSCI_SMC)))
		return;
	KEXPECT_EQ(t, hal_cpu_start(1, c1->hw_id, top), -AE_EIO);
	was = hal_irq_cpu_save();
	hal_irq_cpu_enable(true);	/* the answer is an interrupt */
	before = __atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE);
	t0 = hal_cycles();
	KEXPECT_EQ(t, smp_ping(1), 0);
	while (hal_cycles() - t0 < hz / 10)
		if (__atomic_load_n(&me->pongs, __ATOMIC_ACQUIRE) != before) {
			back = true;
			break;
		}
	hal_irq_cpu_enable(was);
	KEXPECT(t, back);
}

#endif
