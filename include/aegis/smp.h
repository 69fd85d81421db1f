/*
 * aegis/smp.h - the CPUs: which the firmware describes, which the kernel
 * started, and what each is doing (kernel/smp.c; docs/SMP.md).
 *
 * The boot CPU is index 0. The others are found in the firmware's tables
 * (x86_64: the ACPI MADT when the boot protocol gives an RSDP, else the
 * platform tree in the image; AArch64: the device tree's /cpus), started
 * one at a time through the HAL (hal_cpu_start), each on its own stack
 * with an unmapped guard page below, and counted online when they check
 * in. A CPU that does not answer is reported and the rest go on.
 */
#ifndef AEGIS_SMP_H
#define AEGIS_SMP_H

#include <aegis/boot_info.h>
#include <aegis/types.h>

#define SMP_CPUS_MAX	64		/* == HAL_CPUS_MAX */

/* A CPU as the firmware describes it. */
struct smp_cpu_desc {
	uint64_t hw_id;		/* local APIC id / MPIDR affinity */
	uint32_t uid;		/* ACPI processor uid; the DT node's index */
	bool usable;		/* enabled (MADT) / status okay (DT) */
};

/*
 * acpi_madt_cpus - the processors of the ACPI MADT found from the RSDP at
 * physical address rsdp (RSDT or XSDT), through map (every table is
 * mapped with the length it states, after its header was checked).
 * Processor Local APIC (type 0) and Local x2APIC (type 9) entries are
 * taken, in table order, at most max of them into out; *n is the number
 * found (which may be more than max). Every checksum and length is
 * checked: a table that lies about its length, a bad checksum, an entry
 * of length 0 or running past its table is -EBADMSG with *why saying
 * which; no RSDP or no MADT is -ENOENT with *why. kernel/lib/cpus.c.
 */
int acpi_madt_cpus(paddr_t rsdp, boot_map_fn map, void *ctx,
		   struct smp_cpu_desc *out, unsigned int max,
		   unsigned int *n, const char **why);

/*
 * fdt_cpus - the cpu nodes of a device tree's /cpus (device_type "cpu"),
 * in node order: hw_id from reg (one or two address cells), usable
 * unless status says otherwise; an AArch64 cpu whose enable-method is
 * not "psci" (spin-table) is not usable. At most max into out; *n is how
 * many there are. -ENOENT without /cpus or cpu nodes, -EBADMSG (with
 * *why) for a reg of the wrong size or a malformed tree.
 * kernel/lib/cpus.c.
 */
int fdt_cpus(const void *fdt, size_t avail, struct smp_cpu_desc *out,
	     unsigned int max, unsigned int *n, const char **why);

enum smp_state {
	SMP_ABSENT,		/* no CPU at this index */
	SMP_OFF,		/* described, not started (disabled, smp=) */
	SMP_STARTING,
	SMP_ONLINE,
	SMP_FAILED,		/* did not start or check in: see why */
};

struct smp_cpu {
	uint64_t hw_id;
	enum smp_state state;
	const char *why;	/* SMP_OFF / SMP_FAILED: the reason */
	uint64_t start_cycles;	/* hal_cycles from start to check-in */
	uint64_t stack_top;
	uint64_t ipis;		/* inter-processor interrupts taken */
	uint64_t ticks;		/* its own timer's (secondary CPUs) */
	uint64_t pings, pongs;	/* pings answered, answers received */
	uint64_t calls;		/* smp_call functions run for other CPUs */
	uint64_t tlb_flushes;	/* of them, TLB shootdowns */
	uint64_t tlb_lazy;	/* shootdowns that found it asleep and left
				 * it a whole flush for its wake-up */
	uint64_t kicks;		/* IPIs sent to wake its dispatcher */
};

/* smp_idle - sleep until an interrupt unless this CPU's dispatcher has
 * work or a thread is ready here; a message or thread queued for it
 * meanwhile wakes it (smp_kick's IPI). The idle loop of every CPU, the
 * boot CPU's included (kernel_wait). */
void smp_idle(void);

/* smp_kick - work was queued for CPU cpu (a message, a thread): if it
 * is asleep in smp_idle, wake it with an IPI. Whether one was sent. Any
 * context; the caller has stored the work first. */
bool smp_kick(unsigned int cpu);

/* smp_cpu_asleep - CPU i is in smp_idle, waiting for an interrupt (a
 * moment's view: it may wake at once). */
bool smp_cpu_asleep(unsigned int i);

/*
 * smp_call_many - run fn(arg) on every CPU of mask (bit i: CPU i), in
 * their interrupt context, and return once all of them have: 0, or
 * -EINVAL (a CPU in mask that is this one or not online, no fn, or
 * called from interrupt context; nothing was asked of anyone). While it
 * waits it runs what other CPUs ask of this one, so two CPUs calling
 * each other, interrupts masked or not, both finish. A target silent
 * for a second is reported on the console once (and still waited for).
 * fn must be short, must not block and must not call smp_call itself.
 * Thread or handler context.
 */
typedef void (*smp_call_fn)(void *arg);
int smp_call_many(uint64_t mask, smp_call_fn fn, void *arg);
/* smp_call - the same for one CPU. */
int smp_call(unsigned int cpu, smp_call_fn fn, void *arg);

/*
 * TLB shootdown. After page tables change in a way that removes or
 * reduces a mapping (unmap, protect), every CPU that may have cached the
 * old translation must drop it before the memory is used otherwise.
 * smp_tlb_shootdown(root, va, len) does that for [va, va + len) of the
 * address space `root` (0: the kernel's mappings every address space
 * shares, such as the kernel stack window): on x86_64 it calls
 * hal_tlb_flush on each other online CPU where root is active (or whose
 * active root is unknown; every CPU for root 0) and waits; on AArch64 it
 * returns at once, because the HAL's invalidations are broadcast by the
 * hardware (hal_tlb_remote). The caller's own CPU is the HAL's to flush
 * (hal_mmu_unmap and hal_mmu_protect do). Thread or handler context.
 * smp_tlb_targets - the CPUs it would ask for root (a mask; 0 on
 * AArch64).
 */
void smp_tlb_shootdown(uint64_t root, uint64_t va, uint64_t len);
uint64_t smp_tlb_targets(uint64_t root);

/* smp_ping - ask CPU `to` to answer this CPU with an IPI (a round trip
 * through both CPUs' interrupt paths); returns 0 once asked, or the
 * HAL's error. The answer counts in this CPU's pongs. Any context. */
int smp_ping(unsigned int to);

/* smp_ipi_entry - the kernel's side of an inter-processor interrupt (the
 * HAL calls it in interrupt context on the CPU that took it). */
void smp_ipi_entry(void);

/* smp_tick_entry - a secondary CPU's own timer ticked (the HAL calls it in
 * interrupt context there; the boot CPU's tick is the bus's timer event
 * instead). Counted in its ticks. */
void smp_tick_entry(void);

/* smp_init - find the CPUs and start them (at most the smp= boot option
 * says); prints one line per CPU that failed and a summary. Boot CPU,
 * after the kernel's address space and the mm service are up. */
void smp_init(void);

/* smp_cpu - CPU index i, or NULL past the last described one. */
const struct smp_cpu *smp_cpu(unsigned int i);
unsigned int smp_cpus_described(void);
unsigned int smp_cpus_online(void);
const char *smp_state_name(enum smp_state s);

/* smp_ap_entry - where a started CPU enters the kernel (the HAL calls
 * it; aegis/hal.h: hal_cpu_start). Never returns. */
void smp_ap_entry(uint32_t index) __attribute__((noreturn));

#endif
