/*
 * smp.c - in-kernel tests of CPU bring-up (kernel/smp.c, the HAL's
 * hal_cpu_*): run on every boot path, with as many CPUs as QEMU was given.
 */
#include <string.h>
#include <aegis/balance.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/smp.h>
#include <aegis/vm.h>

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

/* ---- calls on other CPUs, TLB shootdown -------------------------------- */

static void note_cpu(void *arg)
{
	__atomic_store_n((uint32_t *)arg, hal_cpu_index(), __ATOMIC_RELEASE);
}

static void count_cpu(void *arg)
{
	__atomic_fetch_add((uint32_t *)arg, 1, __ATOMIC_RELAXED);
}

static uint64_t others_online(void)
{
	uint64_t mask = 0;

	for (unsigned int i = 1; i < smp_cpus_described(); i++)
		if (smp_cpu(i)->state == SMP_ONLINE)
			mask |= 1ull << i;
	return mask;
}

/* smp_call runs the function on the CPU named, in its interrupt context;
 * smp_call_many on all of them; refusals ask nothing of anyone. */
KTEST(smp, call_runs_on_the_cpu_named)
{
	uint64_t mask = others_online();
	uint32_t where, count = 0;

	for (unsigned int i = 1; i < smp_cpus_described(); i++) {
		uint64_t calls = smp_cpu(i)->calls;

		if (!(mask & (1ull << i)))
			continue;
		where = 0;
		KEXPECT_EQ(t, smp_call(i, note_cpu, &where), 0);
		KEXPECT_EQ(t, __atomic_load_n(&where, __ATOMIC_ACQUIRE), i);
		KEXPECT_EQ(t, smp_cpu(i)->calls, calls + 1);
	}
	KEXPECT_EQ(t, smp_call_many(mask, count_cpu, &count), 0);
	KEXPECT_EQ(t, count, (uint32_t)__builtin_popcountll(mask));
	/* with interrupts masked too (the target answers in its own) */
	{
		bool was = hal_irq_cpu_save();

		count = 0;
		KEXPECT_EQ(t, smp_call_many(mask, count_cpu, &count), 0);
		hal_irq_cpu_enable(was);
		KEXPECT_EQ(t, count, (uint32_t)__builtin_popcountll(mask));
	}
	count = 0;
	KEXPECT_EQ(t, smp_call(0, count_cpu, &count), -AE_EINVAL); /* itself */
	KEXPECT_EQ(t, smp_call(SMP_CPUS_MAX, count_cpu, &count), -AE_EINVAL);
	KEXPECT_EQ(t, smp_call_many(mask | 1, count_cpu, &count), -AE_EINVAL);
	KEXPECT_EQ(t, smp_call_many(1ull << smp_cpus_described(), count_cpu,
				    &count), -AE_EINVAL);	/* no such CPU */
	if (mask)
		KEXPECT_EQ(t, smp_call_many(mask, NULL, NULL), -AE_EINVAL);
	KEXPECT_EQ(t, count, 0);
	KEXPECT_EQ(t, smp_call_many(0, count_cpu, &count), 0);
}

/* What another CPU does in an address space, through smp_call. */
struct remote_as {
	uint64_t root, old, va, seen;
};

static void remote_enter_and_read(void *arg)
{
	struct remote_as *r = arg;

	r->old = hal_mmu_activate(r->root);
	r->seen = *(volatile uint64_t *)(uintptr_t)r->va;
}

static void remote_read(void *arg)
{
	struct remote_as *r = arg;

	r->seen = *(volatile uint64_t *)(uintptr_t)r->va;
}

static void remote_leave(void *arg)
{
	struct remote_as *r = arg;

	hal_mmu_activate(r->old);
}

static unsigned int first_other_online(void)
{
	uint64_t mask = others_online();

	return mask ? (unsigned int)__builtin_ctzll(mask) : 0;
}

/* The shootdowns that reached CPU cpu: by an IPI, or left for its
 * wake-up when it slept (tlb_lazy). */
static uint64_t shootdowns_reaching(unsigned int cpu)
{
	return __atomic_load_n(&smp_cpu(cpu)->tlb_flushes, __ATOMIC_RELAXED) +
	       __atomic_load_n(&smp_cpu(cpu)->tlb_lazy, __ATOMIC_RELAXED);
}

/* A CPU that used a translation keeps it cached: after the page is
 * unmapped and another mapped at the same address, that CPU reads the
 * new page only if the shootdown reached it (x86_64: an IPI and invlpg
 * there; AArch64: the HAL's broadcast TLBI). Under QEMU's TCG each
 * virtual CPU has its own TLB, so without the shootdown the old page is
 * read. An address space active on another CPU cannot be destroyed. */
KTEST(smp, tlb_shootdown_drops_a_stale_translation)
{
	struct HalRange ur = hal_mmu_user_range();
	unsigned int cpu = first_other_online();
	struct remote_as r = { 0, 0, ur.lo + 0x300000, 0 };
	uint64_t pa1, pa2, got, flushes;
	void *k1, *k2;
	int64_t root;

	if (!cpu) {
		kprintf("ktest: smp: one CPU online; nothing to shoot down\n");
		return;
	}
	root = hal_mmu_create(&vm_tables);
	KEXPECT(t, root > 0);
	if (root <= 0)
		return;
	r.root = (uint64_t)root;
	KEXPECT_EQ(t, mm_page_alloc(0, &pa1, &k1), 0);
	KEXPECT_EQ(t, mm_page_alloc(0, &pa2, &k2), 0);
	*(volatile uint64_t *)k1 = 0x1111111111111111ull;
	*(volatile uint64_t *)k2 = 0x2222222222222222ull;
	KEXPECT_EQ(t, hal_mmu_map(r.root, r.va, pa1, 4096,
				  HAL_PROT_READ | HAL_PROT_WRITE, &vm_tables), 0);
	KEXPECT_EQ(t, smp_call(cpu, remote_enter_and_read, &r), 0);
	KEXPECT_EQ(t, r.seen, 0x1111111111111111ull);
	KEXPECT_EQ(t, hal_mmu_active(cpu), r.root);
	if (hal_tlb_remote())
		KEXPECT(t, smp_tlb_targets(r.root) & (1ull << cpu));
	else
		KEXPECT_EQ(t, smp_tlb_targets(r.root), 0);
	KEXPECT_EQ(t, hal_mmu_destroy(r.root, &vm_tables), -AE_EBUSY);

	flushes = shootdowns_reaching(cpu);
	KEXPECT_EQ(t, hal_mmu_unmap(r.root, r.va, &got, &vm_tables), 0);
	KEXPECT_EQ(t, got, pa1);
	smp_tlb_shootdown(r.root, r.va, 4096);
	KEXPECT_EQ(t, shootdowns_reaching(cpu),
		   flushes + (hal_tlb_remote() ? 1 : 0));
	KEXPECT_EQ(t, hal_mmu_map(r.root, r.va, pa2, 4096, HAL_PROT_READ,
				  &vm_tables), 0);
	KEXPECT_EQ(t, smp_call(cpu, remote_read, &r), 0);
	KEXPECT_EQ(t, r.seen, 0x2222222222222222ull);

	KEXPECT_EQ(t, smp_call(cpu, remote_leave, &r), 0);
	/* not active there any more: not asked */
	KEXPECT_EQ(t, smp_tlb_targets(r.root) & (1ull << cpu), 0);
	KEXPECT_EQ(t, hal_mmu_unmap(r.root, r.va, &got, &vm_tables), 0);
	KEXPECT_EQ(t, hal_mmu_destroy(r.root, &vm_tables), 0);
	KEXPECT_EQ(t, mm_page_free(pa1, 0), 0);
	KEXPECT_EQ(t, mm_page_free(pa2, 0), 0);
}

/* A shootdown does not wake a secondary CPU that sleeps: it leaves it a
 * whole flush, done when the CPU wakes before it runs anything. The CPU
 * caches a translation, goes to sleep, the page is replaced; woken by
 * the next smp_call, it must read the new page (x86_64; AArch64's TLBI
 * is broadcast and wakes no one). Twenty rounds, and most of them must
 * have found the CPU asleep (it wakes only for its 100 Hz tick). */
KTEST(smp, tlb_shootdown_of_a_sleeping_cpu_waits_for_its_wake_up)
{
	struct HalRange ur = hal_mmu_user_range();
	unsigned int cpu = first_other_online(), lazy = 0;
	struct remote_as r = { 0, 0, ur.lo + 0x700000, 0 };
	uint64_t pa[2], got, hz = hal_cycles_per_sec();
	void *k[2];
	int64_t root;

	if (!cpu || !hal_tlb_remote())
		return;
	root = hal_mmu_create(&vm_tables);
	KEXPECT(t, root > 0);
	if (root <= 0)
		return;
	r.root = (uint64_t)root;
	for (int i = 0; i < 2; i++) {
		KEXPECT_EQ(t, mm_page_alloc(0, &pa[i], &k[i]), 0);
		*(volatile uint64_t *)k[i] = 0x1111111111111111ull * (i + 1);
	}
	KEXPECT_EQ(t, hal_mmu_map(r.root, r.va, pa[0], 4096, HAL_PROT_READ,
				  &vm_tables), 0);
	KEXPECT_EQ(t, smp_call(cpu, remote_enter_and_read, &r), 0);
	for (int round = 0; round < 20; round++) {
		int now = round & 1, next = !now;
		uint64_t before = smp_cpu(cpu)->tlb_lazy, t0 = hal_cycles();

		KEXPECT_EQ(t, smp_call(cpu, remote_read, &r), 0);
		KEXPECT_EQ(t, r.seen, 0x1111111111111111ull * (now + 1));
		while (!smp_cpu_asleep(cpu) && hal_cycles() - t0 < hz)
			hal_cpu_relax();
		KEXPECT_EQ(t, hal_mmu_unmap(r.root, r.va, &got, &vm_tables),
			   0);
		smp_tlb_shootdown(r.root, r.va, 4096);
		KEXPECT_EQ(t, hal_mmu_map(r.root, r.va, pa[next], 4096,
					  HAL_PROT_READ, &vm_tables), 0);
		lazy += smp_cpu(cpu)->tlb_lazy != before;
		KEXPECT_EQ(t, smp_call(cpu, remote_read, &r), 0);
		KEXPECT_EQ(t, r.seen, 0x1111111111111111ull * (next + 1));
	}
	KEXPECT(t, lazy >= 10);
	KEXPECT_EQ(t, smp_call(cpu, remote_leave, &r), 0);
	KEXPECT_EQ(t, hal_mmu_unmap(r.root, r.va, &got, &vm_tables), 0);
	KEXPECT_EQ(t, hal_mmu_destroy(r.root, &vm_tables), 0);
	for (int i = 0; i < 2; i++)
		KEXPECT_EQ(t, mm_page_free(pa[i], 0), 0);
}

/* The mm service shoots down what it unmaps or protects, in the CPUs
 * where that address space is active, before the frames are reused. */
KTEST(smp, mm_unmap_and_protect_shoot_down)
{
	struct HalRange ur = hal_mmu_user_range();
	unsigned int cpu = first_other_online();
	struct remote_as r = { 0, 0, ur.lo + 0x500000, 0 };
	uint64_t flushes, want = hal_tlb_remote() ? 1 : 0;
	uint32_t id;

	if (!cpu)
		return;
	KEXPECT_EQ(t, mm_as_create(&id, &r.root), 0);
	KEXPECT_EQ(t, mm_as_map(id, r.va, 4 * 4096,
				HAL_PROT_READ | HAL_PROT_WRITE), 0);
	KEXPECT_EQ(t, smp_call(cpu, remote_enter_and_read, &r), 0);
	KEXPECT_EQ(t, r.seen, 0);

	flushes = shootdowns_reaching(cpu);
	KEXPECT_EQ(t, mm_as_protect(id, r.va, 4096, HAL_PROT_READ), 0);
	KEXPECT_EQ(t, shootdowns_reaching(cpu), flushes + want);
	KEXPECT_EQ(t, mm_as_unmap(id, r.va + 4096, 2 * 4096), 0);
	KEXPECT_EQ(t, shootdowns_reaching(cpu), flushes + 2 * want);
	KEXPECT_EQ(t, mm_as_destroy(id), -AE_EBUSY);	/* active there */

	KEXPECT_EQ(t, smp_call(cpu, remote_leave, &r), 0);
	KEXPECT_EQ(t, mm_as_unmap(id, r.va + 3 * 4096, 4096), 0);
	KEXPECT_EQ(t, shootdowns_reaching(cpu), flushes + 2 * want);
	KEXPECT_EQ(t, mm_as_destroy(id), 0);
}

/* The sampling profiler's half: each online CPU records the program
 * counters its own timer interrupts (CPUs 0-7 have rings), not only the
 * boot CPU. 300 ms of sampling; what was sampled is drained again. */
KTEST(smp, every_cpu_samples_for_the_profiler)
{
	uint64_t hz = hal_cycles_per_sec(), t0, before[8];
	static uint64_t drain[256];
	unsigned int n = smp_cpus_described() < 8 ? smp_cpus_described() : 8;

	for (unsigned int i = 0; i < n; i++)
		before[i] = hal_sample_count(i);
	hal_sample_enable(true);
	t0 = hal_cycles();
	while (hal_cycles() - t0 < hz * 3 / 10)
		hal_cpu_relax();
	hal_sample_enable(false);
	while (hal_sample_take(drain, 256, NULL, NULL) == 256)
		;
	for (unsigned int i = 0; i < n; i++) {
		if (smp_cpu(i)->state != SMP_ONLINE)
			continue;
		KEXPECT(t, hal_sample_count(i) > before[i]);
	}
	KEXPECT_EQ(t, hal_sample_count(SMP_CPUS_MAX), 0);
}

/* Every secondary CPU has its own timer, ticking at the boot CPU's rate:
 * within a second each counts ticks (its tick is not the bus's: the
 * boot CPU's hw.irq.timer is unchanged by it). */
KTEST(smp, every_cpu_ticks_on_its_own_timer)
{
	uint64_t hz = hal_cycles_per_sec(), t0 = hal_cycles();
	uint64_t before[SMP_CPUS_MAX] = { 0 };
	uint64_t mask = others_online(), left = mask;

	for (unsigned int i = 1; i < smp_cpus_described(); i++)
		before[i] = __atomic_load_n(&smp_cpu(i)->ticks,
					    __ATOMIC_RELAXED);
	while (left && hal_cycles() - t0 < hz) {
		for (unsigned int i = 1; i < smp_cpus_described(); i++)
			if ((left & (1ull << i)) &&
			    __atomic_load_n(&smp_cpu(i)->ticks,
					    __ATOMIC_RELAXED) >= before[i] + 3)
				left &= ~(1ull << i);
		hal_cpu_relax();
	}
	KEXPECT_EQ(t, left, 0);
	for (unsigned int i = 1; i < smp_cpus_described(); i++)
		if (mask & (1ull << i))
			KEXPECT(t, smp_cpu(i)->why == NULL);	/* started */
	if (mask)
		kprintf("ktest: smp: %u secondary CPUs each ticked 3 times "
			"in %llu ms\n", (unsigned int)__builtin_popcountll(mask),
			(unsigned long long)((hal_cycles() - t0) * 1000 /
					     (hz ? hz : 1)));
	/* the boot CPU has no count of its own here */
	KEXPECT_EQ(t, smp_cpu(0)->ticks, 0);
	KEXPECT_EQ(t, hal_cpu_timer_start(), -AE_EINVAL);	/* boot CPU */
}

/* ---- services placed on other CPUs ----------------------------------- */

#define PLACE_EVENTS	200

struct placed {
	unsigned int cpu;	/* where it was placed */
	bus_svc_t id;
	uint32_t got, next, misordered, elsewhere, replies, requests;
	int xdev_rc;
};
static struct placed placed[SMP_CPUS_MAX];
static bus_topic_t t_place, t_go, t_ask;
static bus_svc_t boot_only;	/* a service without BUS_SVC_F_ANYCPU */

static int placed_handler(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	struct placed *p = state;
	struct bus_msg sub;
	uint32_t seq;

	if (hal_cpu_index() != p->cpu)
		p->elsewhere++;
	if (m->kind == BUS_REPLY) {
		p->replies++;
		return 0;
	}
	if (m->kind == BUS_REQUEST) {
		p->requests++;
		reply->len = 0;
		return 0;
	}
	if (m->topic == t_go) {
		/* to the next placed service, queued; and a boot-CPU-only
		 * service inline, which must be refused off the boot CPU */
		bus_svc_t to;

		memcpy(&to, m->data, sizeof(to));
		bus_request(to, t_ask, BUS_PRIO_INHERIT, NULL, 0);
		p->xdev_rc = bus_call(boot_only, t_ask, NULL, 0, &sub);
		return 0;
	}
	memcpy(&seq, m->data, sizeof(seq));
	if (seq != p->next)
		p->misordered++;
	p->next = seq + 1;
	p->got++;
	return 0;
}

static int boot_only_handler(void *state, const struct bus_msg *m,
			     struct bus_msg *reply)
{
	(void)state;
	(void)m;
	reply->len = 0;
	return 0;
}

/* Wait (running the boot CPU's own dispatcher) until done(), or 10 s:
 * under TCG with more virtual CPUs than the host has cores, a CPU may
 * wait long for the bus lock while its holder's thread is not running. */
static bool settle(bool (*done)(void))
{
	uint64_t hz = hal_cycles_per_sec(), t0 = hal_cycles();

	while (!done()) {
		if (hal_cycles() - t0 > 10 * hz)
			return false;
		if (!bus_run(64))
			hal_cpu_relax();
	}
	return true;
}

static unsigned int nplaced;

static bool all_got(void)
{
	for (unsigned int i = 0; i < nplaced; i++)
		if (__atomic_load_n(&placed[i].got, __ATOMIC_ACQUIRE) !=
		    PLACE_EVENTS)
			return false;
	return true;
}

static bool all_replied(void)
{
	for (unsigned int i = 0; i < nplaced; i++)
		if (!__atomic_load_n(&placed[i].replies, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/* A service placed on each online CPU runs there, and only there: the
 * events published from the boot CPU reach every one, all of them, in
 * order (published = delivered); a request from one to the next, on
 * another CPU, is answered; an inline call from a CPU other than the
 * boot CPU to a service bound to it is refused (-EXDEV); placements the
 * bus must refuse are refused. */
KTEST(smp, services_placed_on_every_cpu_run_there)
{
	struct bus_topic_stats ts;
	char name[24];
	int rc;

	nplaced = 0;
	t_place = (bus_topic_t)bus_topic("ktest.smp.place");
	t_go = (bus_topic_t)bus_topic("ktest.smp.go");
	t_ask = (bus_topic_t)bus_topic("ktest.smp.ask");
	rc = bus_svc_add("ktest-bootonly", boot_only_handler, NULL, 16, 4);
	KEXPECT(t, rc >= 0);
	if (rc < 0)
		return;
	boot_only = (bus_svc_t)rc;
	for (unsigned int i = 0; i < smp_cpus_described(); i++) {
		struct placed *p = &placed[nplaced];

		if (smp_cpu(i)->state != SMP_ONLINE)
			continue;
		memset(p, 0, sizeof(*p));
		p->cpu = i;
		ksnprintf(name, sizeof(name), "ktest-place%u", i);
		rc = bus_svc_add(name, placed_handler, p, 256, 4);
		KEXPECT(t, rc >= 0);
		if (rc < 0)
			break;
		p->id = (bus_svc_t)rc;
		KEXPECT_EQ(t, bus_svc_place(p->id, i), i ? -AE_EPERM : 0);
		KEXPECT_EQ(t, bus_svc_set_flags(p->id, BUS_SVC_F_ANYCPU), 0);
		KEXPECT_EQ(t, bus_svc_place(p->id, i), 0);
		KEXPECT_EQ(t, bus_svc_cpu(p->id), (int)i);
		KEXPECT_EQ(t, bus_subscribe(p->id, "ktest.smp.place", NULL), 0);
		KEXPECT_EQ(t, bus_subscribe(p->id, "ktest.smp.go", NULL), 0);
		nplaced++;
	}
	KEXPECT_EQ(t, bus_svc_place(placed[0].id, SMP_CPUS_MAX), -AE_ENODEV);
	KEXPECT_EQ(t, bus_svc_place(boot_only, nplaced > 1 ? placed[1].cpu : 0),
		   nplaced > 1 ? -AE_EPERM : 0);
	for (uint32_t k = 0; k < PLACE_EVENTS; k++)
		KEXPECT_EQ(t, bus_publish(t_place, 4, &k, sizeof(k)),
			   (int)nplaced);
	KEXPECT(t, settle(all_got));
	for (unsigned int i = 0; i < nplaced; i++) {
		if (placed[i].got != PLACE_EVENTS)
			kprintf("ktest: smp: the service on cpu %u got %u of "
				"%u (%u still queued there)\n", placed[i].cpu,
				placed[i].got, PLACE_EVENTS,
				bus_pending_on(placed[i].cpu));
		KEXPECT_EQ(t, placed[i].got, PLACE_EVENTS);
		KEXPECT_EQ(t, placed[i].misordered, 0);
		KEXPECT_EQ(t, placed[i].elsewhere, 0);
	}
	KEXPECT_EQ(t, bus_topic_stats(t_place, &ts), 0);
	KEXPECT_EQ(t, ts.published, PLACE_EVENTS);
	KEXPECT_EQ(t, ts.delivered, (uint64_t)PLACE_EVENTS * nplaced);
	KEXPECT_EQ(t, ts.drops, 0);

	/* each asks the next (on another CPU) and is answered */
	for (unsigned int i = 0; i < nplaced; i++) {
		bus_svc_t to = placed[(i + 1) % nplaced].id;

		KEXPECT_EQ(t, bus_send(placed[i].id, t_go, 4, &to, sizeof(to)),
			   0);
	}
	KEXPECT(t, settle(all_replied));
	for (unsigned int i = 0; i < nplaced; i++) {
		KEXPECT_EQ(t, placed[i].requests, 1);
		KEXPECT_EQ(t, placed[i].replies, 1);
		KEXPECT_EQ(t, placed[i].elsewhere, 0);
		/* inline to the boot-only service: fine on the boot CPU */
		KEXPECT_EQ(t, placed[i].xdev_rc, placed[i].cpu ? -AE_EXDEV : 0);
	}
	if (nplaced > 1)
		kprintf("ktest: smp: %u services on %u CPUs: %u events each, "
			"in order, each on its own CPU\n", nplaced, nplaced,
			PLACE_EVENTS);
	for (unsigned int i = 0; i < nplaced; i++) {
		uint64_t hz = hal_cycles_per_sec(), t0 = hal_cycles();

		KEXPECT_EQ(t, bus_svc_place(placed[i].id, 0), 0);
		/* its CPU may still be finishing its last handler (-EBUSY) */
		while ((rc = bus_svc_remove(placed[i].id)) == -AE_EBUSY &&
		       hal_cycles() - t0 < hz)
			hal_cpu_relax();
		KEXPECT_EQ(t, rc, 0);
	}
	KEXPECT_EQ(t, bus_svc_remove(boot_only), 0);
}

/* ---- the kernel's balancer (kernel/balance.c) ------------------------ */

static struct bal_side {
	bus_svc_t self;
	uint64_t handled;
	int elsewhere;		/* handlers run off the CPU it is placed on */
} bal_side[2];
static volatile bool bal_running;
static bus_topic_t t_bal;

/* 50 us of work a message, and the next message to itself: a service
 * that keeps the CPU it is placed on busy. */
static int bal_handler(void *state, const struct bus_msg *m,
		       struct bus_msg *reply)
{
	struct bal_side *s = state;
	uint64_t end = hal_cycles() + hal_cycles_per_sec() / 20000;

	(void)m;
	(void)reply;
	if ((int)hal_cpu_index() != bus_svc_cpu(s->self))
		s->elsewhere++;
	while (hal_cycles() < end)
		hal_cpu_relax();
	__atomic_store_n(&s->handled, s->handled + 1, __ATOMIC_RELAXED);
	if (bal_running)
		bus_send(s->self, t_bal, 4, NULL, 0);
	return 0;
}

/* Two busy services on the boot CPU, one the kernel may move and one
 * pinned there (bus_svc_place): the balancer moves the first to another
 * CPU within a few rounds, where it goes on running, leaves the pinned
 * one alone, and hands nothing back over the next five rounds. */
KTEST(smp, the_balancer_moves_a_busy_service_and_not_a_pinned_one)
{
	uint64_t hz = hal_cycles_per_sec(), end, moves0 = balance_moves(), n;
	int rc, where;

	if (smp_cpus_online() < 2 || !balance_period()) {
		kprintf("ktest: %s: needs two CPUs and the balancer on, "
			"nothing to check\n", t->name);
		return;
	}
	t_bal = (bus_topic_t)bus_topic("ktest.smp.balance");
	for (unsigned int i = 0; i < 2; i++) {
		rc = bus_svc_add(i ? "ktest-bal-pinned" : "ktest-bal-moves",
				 bal_handler, &bal_side[i], 16, 4);
		KEXPECT(t, rc >= 0);
		if (rc < 0)
			return;
		memset(&bal_side[i], 0, sizeof(bal_side[i]));
		bal_side[i].self = (bus_svc_t)rc;
		KEXPECT_EQ(t, bus_svc_set_flags(bal_side[i].self,
						BUS_SVC_F_ANYCPU), 0);
	}
	KEXPECT_EQ(t, bus_svc_place(bal_side[1].self, 0), 0);
	KEXPECT(t, !bus_svc_pinned(bal_side[0].self));
	bal_running = true;
	for (unsigned int i = 0; i < 2; i++)
		KEXPECT_EQ(t, bus_send(bal_side[i].self, t_bal, 4, NULL, 0), 0);
	end = hal_cycles() + 5 * hz;
	while (bus_svc_cpu(bal_side[0].self) == 0 && hal_cycles() < end)
		bus_run(16);
	where = bus_svc_cpu(bal_side[0].self);
	KEXPECT(t, where > 0);
	KEXPECT_EQ(t, bus_svc_cpu(bal_side[1].self), 0);
	KEXPECT(t, balance_moves() > moves0);
	/* five rounds more: it runs where it went, and nothing moves back */
	n = __atomic_load_n(&bal_side[0].handled, __ATOMIC_RELAXED);
	end = hal_cycles() + (uint64_t)balance_period() * 5 * (hz / 1000);
	while (hal_cycles() < end)
		bus_run(16);
	KEXPECT_EQ(t, bus_svc_cpu(bal_side[0].self), where);
	KEXPECT_EQ(t, bus_svc_cpu(bal_side[1].self), 0);
	KEXPECT(t, __atomic_load_n(&bal_side[0].handled, __ATOMIC_RELAXED) >
		   n);
	kprintf("ktest: smp: the balancer moved a busy service to CPU %d "
		"and left the pinned one on CPU 0\n", where);
	bal_running = false;
	end = hal_cycles() + hz;
	while (!bus_quiet() && hal_cycles() < end)
		bus_run(16);
	for (unsigned int i = 0; i < 2; i++) {
		uint64_t t0 = hal_cycles();

		KEXPECT_EQ(t, bal_side[i].elsewhere, 0);
		while ((rc = bus_svc_remove(bal_side[i].self)) == -AE_EBUSY &&
		       hal_cycles() - t0 < hz)
			hal_cpu_relax();
		KEXPECT_EQ(t, rc, 0);
	}
}
