/*
 * smp.c - find the CPUs and start them (aegis/smp.h; docs/SMP.md).
 *
 * The boot CPU (index 0) finds the others in the firmware's tables and
 * starts them one at a time: a stack from the mm service mapped in the
 * HAL's stack window (an unmapped guard page below it), hal_cpu_start,
 * then a bounded wait for the CPU to check in from smp_ap_entry. A CPU
 * that was refused or stayed silent is marked failed with the reason and
 * the next one is tried.
 *
 * What a started CPU does today: it checks that it is the CPU it was
 * meant to be (its hardware id), counts itself online and waits with its
 * interrupts masked. It runs no services and no threads yet: one
 * dispatcher and one run queue, on the boot CPU, serve everything.
 */
#include <string.h>
#include <aegis/bootparam.h>
#include <aegis/bus.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/service.h>
#include <aegis/sched.h>
#include <aegis/smp.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>
#include <aegis/vm.h>

_Static_assert(SMP_CPUS_MAX == HAL_CPUS_MAX, "one limit");
_Static_assert(SMP_CPUS_MAX <= HAL_KSTACK_SLOTS - 64,
	       "stack slots above the threads'");

#define AP_STACK_ORDER	2		/* 16 KiB */
#define AP_STACK_SIZE	(4096u << AP_STACK_ORDER)
#define AP_WAIT_MS	200		/* for a CPU to check in */

static uint32_t smp_max = SMP_CPUS_MAX;
BOOT_PARAM_UINT(smp_max, "smp", 1, SMP_CPUS_MAX,
		"CPUs to run, the boot CPU included (default: every CPU the "
		"firmware describes)");

static struct smp_cpu cpus[SMP_CPUS_MAX];
static void kick(unsigned int cpu);
static unsigned int ndesc = 1;
static const char *source = "none";

/* written by the CPU that checks in, read by the boot CPU */
static uint32_t arrived[SMP_CPUS_MAX];

const char *smp_state_name(enum smp_state s)
{
	static const char *const names[] = {
		[SMP_ABSENT] = "absent", [SMP_OFF] = "off",
		[SMP_STARTING] = "starting", [SMP_ONLINE] = "online",
		[SMP_FAILED] = "failed",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const struct smp_cpu *smp_cpu(unsigned int i)
{
	return i < ndesc ? &cpus[i] : NULL;
}

unsigned int smp_cpus_described(void)
{
	return ndesc;
}

unsigned int smp_cpus_online(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ndesc; i++)
		n += __atomic_load_n(&cpus[i].state, __ATOMIC_ACQUIRE) ==
		     SMP_ONLINE;
	return n;
}

static const void *direct(paddr_t pa, uint64_t len, void *ctx)
{
	const struct HalDirectMap *dm = ctx;

	if (pa >= dm->limit || len > dm->limit - pa)
		return NULL;
	return (const void *)(uintptr_t)(pa + dm->offset);
}

/* The firmware's list into d[]; the boot CPU's entry first. */
static unsigned int discover(struct smp_cpu_desc *d, unsigned int max)
{
	const struct boot_info *bi = kernel_boot_info();
	struct HalDirectMap dm = hal_direct_map();
	uint64_t self = hal_cpu_hw_id();
	unsigned int n = 0, boot = max;
	const char *why = NULL;
	int rc = -AE_ENOENT;

	if (bi->acpi_rsdp) {
		rc = acpi_madt_cpus(bi->acpi_rsdp, direct, &dm, d, max, &n,
				    &why);
		if (rc)
			kprintf("smp: ACPI MADT not used: %s\n", why);
		else
			source = "ACPI MADT";
	}
	if (rc && bi->dtb) {
		const void *fdt = direct(bi->dtb, bi->dtb_size, &dm);

		rc = fdt ? fdt_cpus(fdt, bi->dtb_size, d, max, &n, &why)
			 : -AE_EFAULT;
		if (rc)
			kprintf("smp: device tree /cpus not used: %s\n",
				fdt ? why : "not mapped");
		else
			source = "device tree";
	}
	if (rc)
		return 0;
	if (n > max) {
		kprintf("smp: the firmware describes %u CPUs; the first %u "
			"are used\n", n, max);
		n = max;
	}
	for (unsigned int i = 0; i < n; i++)
		if (d[i].hw_id == self)
			boot = i;
	if (boot == max) {
		kprintf("smp: the boot CPU (id %#llx) is not in the %s; no "
			"other CPU is started\n", (unsigned long long)self,
			source);
		return 0;
	}
	if (boot) {		/* the boot CPU is index 0 */
		struct smp_cpu_desc t = d[0];

		d[0] = d[boot];
		d[boot] = t;
	}
	return n;
}

/* Wait for CPU i to check in; t0: when its start was asked (the time it
 * took counts from there; the wait, from now). */
static bool wait_for(unsigned int i, uint64_t t0)
{
	uint64_t hz = hal_cycles_per_sec();
	uint64_t now = hal_cycles(), limit = hz / 1000 * AP_WAIT_MS;

	while (!__atomic_load_n(&arrived[i], __ATOMIC_ACQUIRE)) {
		if (hal_cycles() - now > limit)
			return false;
		hal_cpu_relax();
	}
	cpus[i].start_cycles = hal_cycles() - t0;
	return true;
}

/* Start CPU i; false (with cpus[i].why) when it did not come up. */
static bool start(unsigned int i)
{
	uint64_t pa, top, t0;
	void *va;
	int rc;

	rc = mm_page_alloc(AP_STACK_ORDER, &pa, &va);
	if (rc) {
		cpus[i].why = "no memory for its stack";
		return false;
	}
	/* the slots above the threads': HAL_KSTACK_SLOTS - 1 - i */
	rc = hal_kstack_map(HAL_KSTACK_SLOTS - 1 - i, pa, AP_STACK_SIZE,
			    &vm_tables, &top);
	if (rc) {
		mm_page_free(pa, AP_STACK_ORDER);
		cpus[i].why = "its stack could not be mapped";
		return false;
	}
	cpus[i].stack_top = top;
	cpus[i].state = SMP_STARTING;
	t0 = hal_cycles();
	rc = hal_cpu_start(i, cpus[i].hw_id, top);
	if (rc) {
		cpus[i].why = rc == -AE_ENODEV ? "no way to start CPUs here"
			    : rc == -AE_EIO ? "the firmware refused to start it"
			    : rc == -AE_EBUSY ? "an earlier CPU that never "
				"checked in still holds the start area"
			    : "the HAL refused to start it";
	} else if (!wait_for(i, t0)) {
		cpus[i].why = "did not check in within 200 ms";
		/* the stack stays: a late CPU may still be running on it */
		return false;
	} else {
		/* it checked in; it may have found itself unfit (its why) */
		return __atomic_load_n(&cpus[i].state, __ATOMIC_ACQUIRE) ==
		       SMP_ONLINE;
	}
	hal_kstack_unmap(HAL_KSTACK_SLOTS - 1 - i, AP_STACK_SIZE, &vm_tables);
	smp_tlb_shootdown(0, top - AP_STACK_SIZE, AP_STACK_SIZE);
	mm_page_free(pa, AP_STACK_ORDER);
	return false;
}

void smp_init(void)
{
	static bool bus_smp_on;
	static struct smp_cpu_desc d[SMP_CPUS_MAX];
	unsigned int n = discover(d, SMP_CPUS_MAX), up = 1;

	cpus[0].hw_id = hal_cpu_hw_id();
	cpus[0].state = SMP_ONLINE;
	if (!hal_mmu_active(0))		/* as smp_ap_entry: known from now */
		hal_mmu_activate(hal_mmu_activate(0));
	if (n == 0) {
		kprintf("smp: 1 CPU (no other described)\n");
		return;
	}
	ndesc = n;
	for (unsigned int i = 1; i < n; i++) {
		cpus[i].hw_id = d[i].hw_id;
		if (!d[i].usable) {
			cpus[i].state = SMP_OFF;
			cpus[i].why = "disabled by the firmware";
			continue;
		}
		if (i >= smp_max) {
			cpus[i].state = SMP_OFF;
			cpus[i].why = "beyond the smp= boot option";
			continue;
		}
		/* From the first start on, other CPUs may enter the bus: it
		 * takes its lock and keeps a call chain per CPU (aegis/bus.h).
		 * Nothing is inside it now: this runs in kmain, outside every
		 * handler. With one CPU it stays lock-free. */
		if (!bus_smp_on) {
			bus_set_cpus(hal_cpu_index);
			bus_set_kick(kick);
			/* each CPU its own kmalloc magazines (until now every
			 * allocation was CPU 0's, and only CPU 0 ran) */
			kmalloc_set_cpu(hal_cpu_index);
			bus_smp_on = true;
		}
		if (start(i)) {
			up++;
			continue;
		}
		cpus[i].state = SMP_FAILED;
		kprintf("smp: cpu %u (id %#llx) failed: %s\n", i,
			(unsigned long long)cpus[i].hw_id, cpus[i].why);
	}
	kprintf("smp: %u of %u CPUs online (from the %s)\n", up, n, source);
}

void smp_ap_entry(uint32_t index)
{
	if (index == 0 || index >= ndesc ||
	    hal_cpu_index() != index || hal_cpu_hw_id() != cpus[index].hw_id) {
		/* not who we started: say so once and stop this CPU */
		kprintf("smp: a CPU arrived as index %u with id %#llx, which "
			"is not the CPU started there; it is stopped\n",
			index, (unsigned long long)hal_cpu_hw_id());
		hal_halt();
	}
	if (hal_cpu_irq_init()) {
		cpus[index].why = "its interrupt controller could not be set up";
		__atomic_store_n(&cpus[index].state, SMP_FAILED,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&arrived[index], 1, __ATOMIC_RELEASE);
		hal_halt();
	}
	/* its own timer, at the boot CPU's rate (nothing runs on it yet but
	 * the count in /sys/cpus/list) */
	if (hal_cpu_timer_start())
		cpus[index].why = "its timer could not be started";
	/* the kernel's tables are active here: say so (TLB shootdown asks a
	 * CPU whose root it does not know) */
	hal_mmu_activate(hal_mmu_activate(0));
	/* This CPU's dispatcher: the services placed on it (bus_svc_place).
	 * Said to the bus before the CPU counts as online, so that a CPU
	 * seen online takes services at once (smp_init returns when every
	 * CPU has checked in, and services are placed right after); so are
	 * threads, to the scheduler. */
	bus_cpu_dispatching(index);
	sched_cpu_online(index);
	__atomic_store_n(&cpus[index].state, SMP_ONLINE, __ATOMIC_RELEASE);
	__atomic_store_n(&arrived[index], 1, __ATOMIC_RELEASE);
	/* as the boot CPU's main loop: the bus first, then threads */
	for (;;) {
		if (bus_run(64))
			continue;
		if (sched_run())
			continue;
		smp_idle();
	}
}

/* ---- sleeping and waking ----------------------------------------------- */

/* CPU i sleeps until an interrupt: a post for it must send an IPI. Set by
 * the CPU itself with its interrupts masked, before it looks at its queue
 * a last time (so a post either sees it or is seen). */
static uint32_t idle[SMP_CPUS_MAX];
/* A TLB shootdown found CPU i asleep and did not wake it: it flushes its
 * whole TLB before it runs anything else (awake). */
static uint32_t tlb_stale[SMP_CPUS_MAX];

/* CPU me is past its sleep: the first thing its interrupts (the tick, an
 * IPI) and its idle loop do on a secondary CPU. The flag goes down before
 * the look at tlb_stale, as a shootdown raises tlb_stale before its look
 * at the flag: either it sees this CPU awake and interrupts it, or this
 * CPU sees what it left. Until then the CPU touched nothing but its own
 * stack and the kernel image, which no shootdown is about. */
static void awake(unsigned int me)
{
	if (me >= SMP_CPUS_MAX || !__atomic_load_n(&idle[me], __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&idle[me], 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&tlb_stale[me], __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&tlb_stale[me], 0, __ATOMIC_SEQ_CST);
		hal_tlb_flush(0, 0, UINT64_MAX);	/* all of it */
	}
}

void smp_idle(void)
{
	unsigned int me = hal_cpu_index();

	hal_irq_cpu_enable(false);
	if (me < SMP_CPUS_MAX)
		__atomic_store_n(&idle[me], 1, __ATOMIC_SEQ_CST);
	if (bus_pending() || sched_has_work(me))
		hal_irq_cpu_enable(true);
	else
		hal_idle_unmask();	/* unmasks and waits, as one step */
	if (me)
		awake(me);
	else
		__atomic_store_n(&idle[0], 0, __ATOMIC_RELAXED);
}

bool smp_cpu_asleep(unsigned int i)
{
	return i < SMP_CPUS_MAX && __atomic_load_n(&idle[i], __ATOMIC_SEQ_CST);
}

bool smp_kick(unsigned int cpu)
{
	/* the work is queued (a plain store, under the bus or sched lock):
	 * order it before the look at the flag, as smp_idle orders the
	 * flag before its look at the queues, so one of the two sees the
	 * other */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (cpu < SMP_CPUS_MAX && cpu != hal_cpu_index() &&
	    __atomic_load_n(&idle[cpu], __ATOMIC_SEQ_CST)) {
		__atomic_fetch_add(&cpus[cpu].kicks, 1, __ATOMIC_RELAXED);
		hal_ipi_send(cpu);
		return true;
	}
	return false;
}

/* The bus queued a message for CPU cpu's dispatcher (bus_set_kick). */
static void kick(unsigned int cpu)
{
	smp_kick(cpu);
}

/* ---- inter-processor interrupts ---------------------------------------- */

static void calls_run(unsigned int me);

/* What CPU i was sent, as bits: pinged_by[i] bit j: CPU j asks for an
 * answer; answered[i]: answers are waiting. Set by the sender before the
 * IPI, taken by the receiver in its interrupt. */
static uint64_t pinged_by[SMP_CPUS_MAX];
static uint32_t answered[SMP_CPUS_MAX];

int smp_ping(unsigned int to)
{
	unsigned int me = hal_cpu_index();

	if (to >= ndesc || to == me || me >= SMP_CPUS_MAX)
		return -AE_EINVAL;
	__atomic_fetch_or(&pinged_by[to], 1ull << me, __ATOMIC_RELEASE);
	return hal_ipi_send(to);
}

void smp_tick_entry(void)
{
	unsigned int me = hal_cpu_index();

	awake(me);
	if (me < ndesc)
		__atomic_fetch_add(&cpus[me].ticks, 1, __ATOMIC_RELAXED);
}

void smp_ipi_entry(void)
{
	unsigned int me = hal_cpu_index();
	uint64_t asked;
	uint32_t answers;

	if (me >= ndesc)
		return;
	if (me)
		awake(me);
	__atomic_fetch_add(&cpus[me].ipis, 1, __ATOMIC_RELAXED);
	calls_run(me);
	asked = __atomic_exchange_n(&pinged_by[me], 0, __ATOMIC_ACQUIRE);
	answers = __atomic_exchange_n(&answered[me], 0, __ATOMIC_ACQUIRE);
	if (answers)
		__atomic_fetch_add(&cpus[me].pongs, answers, __ATOMIC_RELEASE);
	for (unsigned int j = 0; asked; j++, asked >>= 1) {
		if (!(asked & 1))
			continue;
		__atomic_fetch_add(&cpus[me].pings, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&answered[j], 1, __ATOMIC_RELEASE);
		hal_ipi_send(j);
	}
}

/* ---- calls on other CPUs ------------------------------------------------ */

/* CPU j's call in flight: what to run and how many targets have not yet
 * run it. One at a time per CPU (smp_call_many waits for its own), so
 * its targets read it without a lock. call_from[i] bit j: CPU j asks CPU
 * i to run calls[j]; set before the IPI, taken whole by the receiver
 * (in its IPI, or while it waits for a call of its own). */
static struct {
	smp_call_fn fn;
	void *arg;
	uint32_t left;
} calls[SMP_CPUS_MAX];
static uint64_t call_from[SMP_CPUS_MAX];

#define CALL_WARN_MS	1000	/* a target silent this long is reported */

/* Run the calls other CPUs asked of CPU me. */
static void calls_run(unsigned int me)
{
	uint64_t asked = __atomic_exchange_n(&call_from[me], 0,
					     __ATOMIC_ACQUIRE);

	for (unsigned int j = 0; asked; j++, asked >>= 1) {
		if (!(asked & 1))
			continue;
		calls[j].fn(calls[j].arg);
		__atomic_fetch_add(&cpus[me].calls, 1, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&calls[j].left, 1, __ATOMIC_RELEASE);
	}
}

int smp_call_many(uint64_t mask, smp_call_fn fn, void *arg)
{
	unsigned int me = hal_cpu_index(), n = 0;
	uint64_t hz = hal_cycles_per_sec(), t0;
	bool warned = false;

	if (!fn || me >= SMP_CPUS_MAX || hal_in_irq())
		return -AE_EINVAL;
	for (unsigned int i = 0; i < SMP_CPUS_MAX; i++) {
		if (!(mask & (1ull << i)))
			continue;
		if (i == me || i >= ndesc ||
		    __atomic_load_n(&cpus[i].state, __ATOMIC_ACQUIRE) !=
		    SMP_ONLINE)
			return -AE_EINVAL;
		n++;
	}
	if (!n)
		return 0;
	calls[me].fn = fn;
	calls[me].arg = arg;
	__atomic_store_n(&calls[me].left, n, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < SMP_CPUS_MAX; i++) {
		if (!(mask & (1ull << i)))
			continue;
		__atomic_fetch_or(&call_from[i], 1ull << me, __ATOMIC_RELEASE);
		if (hal_ipi_send(i))	/* started, online: it cannot refuse */
			panic("smp: an IPI to online cpu %u was refused", i);
	}
	/* While waiting, run what others ask of this CPU: two CPUs calling
	 * each other with interrupts masked would otherwise wait forever. */
	t0 = hal_cycles();
	while (__atomic_load_n(&calls[me].left, __ATOMIC_ACQUIRE)) {
		bool was = hal_irq_cpu_save();

		calls_run(me);
		hal_irq_cpu_enable(was);
		if (!warned && hal_cycles() - t0 > hz / 1000 * CALL_WARN_MS) {
			warned = true;
			kprintf("smp: cpu %u: a call to CPUs %#llx has waited "
				"%u ms (%u not done); still waiting\n", me,
				(unsigned long long)mask, CALL_WARN_MS,
				__atomic_load_n(&calls[me].left,
						__ATOMIC_ACQUIRE));
		}
		hal_cpu_relax();
	}
	return 0;
}

int smp_call(unsigned int cpu, smp_call_fn fn, void *arg)
{
	if (cpu >= SMP_CPUS_MAX)
		return -AE_EINVAL;
	return smp_call_many(1ull << cpu, fn, arg);
}

/* ---- TLB shootdown ----------------------------------------------------- */

struct flush_req {
	uint64_t root, va, len;
};

static void flush_here(void *arg)
{
	const struct flush_req *r = arg;

	hal_tlb_flush(r->root, r->va, r->len);
	__atomic_fetch_add(&cpus[hal_cpu_index()].tlb_flushes, 1,
			   __ATOMIC_RELAXED);
}

uint64_t smp_tlb_targets(uint64_t root)
{
	unsigned int me = hal_cpu_index();
	uint64_t mask = 0;

	if (!hal_tlb_remote())
		return 0;
	/* after the caller's change to the tables (hal_mmu_active) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < ndesc; i++) {
		uint64_t a;

		if (i == me || __atomic_load_n(&cpus[i].state,
					       __ATOMIC_ACQUIRE) != SMP_ONLINE)
			continue;
		a = hal_mmu_active(i);
		if (root == 0 || a == 0 || a == root)
			mask |= 1ull << i;
	}
	return mask;
}

static void nothing(void *arg)
{
	(void)arg;
}

/* AArch64: the hardware dropped every CPU's cached translation, but a
 * CPU running a thread of root may be half-way through a system call's
 * copy to or from user memory, which looked the page up in the tables
 * and writes through the direct map (kernel/syscall.c: user_copy, one
 * page at a time with interrupts masked). Waiting until each such CPU
 * has taken an interrupt means every copy that found the old mapping is
 * over before the caller frees the frame, as x86_64's shootdown does by
 * itself. A CPU asleep copies nothing. */
static void as_sync(uint64_t root)
{
	unsigned int me = hal_cpu_index();
	uint64_t mask = 0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < ndesc; i++)
		if (i != me && __atomic_load_n(&cpus[i].state,
					       __ATOMIC_ACQUIRE) == SMP_ONLINE &&
		    hal_mmu_active(i) == root &&
		    !__atomic_load_n(&idle[i], __ATOMIC_SEQ_CST))
			mask |= 1ull << i;
	if (mask && smp_call_many(mask, nothing, NULL))
		panic("smp: address-space sync to CPUs %#llx refused",
		      (unsigned long long)mask);
}

void smp_tlb_shootdown(uint64_t root, uint64_t va, uint64_t len)
{
	struct flush_req r = { root, va, len };
	uint64_t mask = smp_tlb_targets(root);

	/* A secondary CPU asleep is not woken: it flushes everything when
	 * it wakes, before it runs anything (awake), so it never uses what
	 * was dropped here. Waking three sleeping CPUs for every thread
	 * stack given back cost more than the work (a sleeping virtual CPU
	 * is a host thread to schedule). The boot CPU is always asked: its
	 * interrupts may switch to a thread. */
	for (unsigned int i = 1; i < SMP_CPUS_MAX && mask >> i; i++) {
		if (!(mask >> i & 1))
			continue;
		__atomic_store_n(&tlb_stale[i], 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&idle[i], __ATOMIC_SEQ_CST)) {
			mask &= ~(1ull << i);
			__atomic_fetch_add(&cpus[i].tlb_lazy, 1,
					   __ATOMIC_RELAXED);
		}
	}

	if (mask && smp_call_many(mask, flush_here, &r))
		panic("smp: TLB shootdown to CPUs %#llx refused",
		      (unsigned long long)mask);
	if (root && !hal_tlb_remote())
		as_sync(root);
}

/* ---- /sys/cpus --------------------------------------------------------- */

static const struct sysfs_attr attrs[] = {
	{ "list", 0444, 0 }, { "online", 0444, 0 }, { "described", 0444, 0 },
	{ "ping", 0644, 0 },
};

/* "ping": a CPU's index written sends it a ping (an IPI it answers with
 * one); read, how many answers this CPU has had. */
static int store_ping(const char *s, uint32_t len)
{
	unsigned int v = 0, me = hal_cpu_index();
	const struct smp_cpu *c;

	for (uint32_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v >= SMP_CPUS_MAX) {
			v = SMP_CPUS_MAX;
			break;
		}
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	c = len ? smp_cpu(v) : NULL;
	if (!c || v == me ||
	    __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != SMP_ONLINE) {
		kprintf("cpus: ping: the index of an online CPU other than "
			"%u\n", me);
		return -AE_EINVAL;
	}
	return smp_ping(v);
}

static uint32_t show_list(char *buf, uint32_t size)
{
	uint32_t n = sysfs_put(size, 0, ksnprintf(buf, size,
			"cpu hw_id      state    start_us     ticks      ipis     calls       tlb  note\n"));

	for (unsigned int i = 0; i < ndesc && n < size; i++) {
		const struct smp_cpu *c = &cpus[i];
		enum smp_state st = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
		char us[24] = "-", ticks[24] = "-";

		if (i && st == SMP_ONLINE) {
			ksnprintf(us, sizeof(us), "%llu", (unsigned long long)
				  (ns_of_cycles(c->start_cycles) / 1000));
			ksnprintf(ticks, sizeof(ticks), "%llu",
				  (unsigned long long)__atomic_load_n(
					&c->ticks, __ATOMIC_RELAXED));
		}
		n = sysfs_put(size, n, ksnprintf(buf + n, size - n,
			"%-3u %-10llx %-8s %8s  %8s  %8llu  %8llu  %8llu  %s\n",
			i, (unsigned long long)c->hw_id, smp_state_name(st), us,
			ticks,
			(unsigned long long)__atomic_load_n(&c->ipis,
							    __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&c->calls,
							    __ATOMIC_RELAXED),
			(unsigned long long)(__atomic_load_n(&c->tlb_flushes,
							     __ATOMIC_RELAXED) +
					     __atomic_load_n(&c->tlb_lazy,
							     __ATOMIC_RELAXED)),
			i == 0 ? "the boot CPU" : c->why ? c->why : ""));
	}
	return n;
}

static uint32_t cpus_show(uint32_t index, char *buf, uint32_t size)
{
	if (index == 0)
		return show_list(buf, size);
	if (index == 3)
		return sysfs_put(size, 0, ksnprintf(buf, size, "%llu\n",
			(unsigned long long)__atomic_load_n(
				&cpus[hal_cpu_index()].pongs,
				__ATOMIC_ACQUIRE)));
	return sysfs_put(size, 0, ksnprintf(buf, size, "%u\n",
			 index == 1 ? smp_cpus_online() : ndesc));
}

static int cpus_store(uint32_t index, const char *buf, uint32_t len)
{
	(void)index;	/* ping: the one writable attribute */
	return store_ping(buf, len);
}

static const struct sysfs_ops cpus_ops = { cpus_show, cpus_store };

static int cpus_handle(void *state, const struct bus_msg *m,
		       struct bus_msg *reply)
{
	(void)state;
	if (m->kind != BUS_REQUEST)
		return 0;
	return sysfs_serve(attrs, ARRAY_SIZE(attrs), &cpus_ops, m, reply);
}

SERVICE(cpus,
	.name = "cpus",
	.handler = cpus_handle,
	.serves = SERVES_CPUS,
	.sysfs = "cpus");
