/*
 * smp_stress.c - every CPU busy at once, then every invariant checked
 * (ktest=smp.stress, explicit: the integration case smp-stress runs it
 * with four CPUs on every boot configuration).
 *
 * A service placed on each online CPU. For STRESS_MS they publish events
 * to one topic all of them subscribe (each handler publishes again while
 * a budget lasts, so every CPU posts to every other), allocate and free
 * with kmalloc at sizes that cross the magazines and reach the mm
 * service for slabs, and call a random other service inline (two CPUs
 * calling each other's services get -EDEADLK, which is counted, not a
 * failure). Meanwhile the boot CPU spawns and reaps kernel threads, whose
 * stacks are mapped and unmapped in the kernel stack window: a TLB
 * shootdown to every CPU each time (on x86_64; AArch64's is broadcast).
 *
 * Then, once every queue is empty: each service got each source's events
 * in the order published, none twice; per subscription published =
 * delivered + dropped, and so for the topic; every kmalloc object given
 * back; and, after every CPU gave its magazines back, the mm service's
 * free pages what they were before; the bus's message pool back to its
 * boot size.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/sched.h>
#include <aegis/smp.h>

#define STRESS_MS	1500
#define BUDGET		20000	/* events published by the services */

struct ev {
	uint32_t from, seq;
};

static struct stressed {
	unsigned int cpu;
	bus_svc_t id;
	uint32_t seq_out;		/* its own events, published */
	uint32_t last[SMP_CPUS_MAX + 1];	/* 1 + the last seq from each */
	uint32_t got, misordered, elsewhere, calls_ok, deadlocks, other_rc;
	uint32_t alloc_fail;
	volatile uint32_t drained;
} st[SMP_CPUS_MAX];
static unsigned int nst;
static bus_topic_t t_ev, t_call, t_drain;
static int32_t budget;
static uint32_t rng_state = 12345;

/* A small shared generator: its races only change which numbers come. */
static uint32_t rnd(void)
{
	uint32_t x = __atomic_load_n(&rng_state, __ATOMIC_RELAXED);

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	__atomic_store_n(&rng_state, x, __ATOMIC_RELAXED);
	return x;
}

static void churn(struct stressed *s)
{
	void *p[4];

	for (unsigned int k = 0; k < 4; k++) {
		p[k] = kmalloc(16u << (rnd() % 9));	/* 16 .. 4096 */
		if (!p[k])
			s->alloc_fail++;
	}
	for (unsigned int k = 0; k < 4; k++)
		kfree(p[k]);
}

static int stress_handler(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	struct stressed *s = state;
	struct bus_msg sub;
	struct ev e;
	int rc;

	if (hal_cpu_index() != s->cpu && m->kind != BUS_REQUEST)
		s->elsewhere++;	/* queued work runs where it is placed */
	if (m->kind == BUS_REQUEST) {
		/* inline from another service, on the caller's CPU */
		churn(s);
		reply->len = 0;
		return 0;
	}
	if (m->topic == t_drain) {
		kmalloc_drain();	/* this CPU's magazines */
		__atomic_store_n(&s->drained, 1, __ATOMIC_RELEASE);
		return 0;
	}
	memcpy(&e, m->data, sizeof(e));
	if (e.from > SMP_CPUS_MAX || e.seq + 1 <= s->last[e.from])
		s->misordered++;	/* out of order, or twice */
	else
		s->last[e.from] = e.seq + 1;
	s->got++;
	churn(s);
	if (nst > 1) {
		struct stressed *o = &st[rnd() % nst];

		if (o != s) {
			rc = bus_call(o->id, t_call, NULL, 0, &sub);
			if (rc == 0)
				s->calls_ok++;
			else if (rc == -AE_EDEADLK)
				s->deadlocks++;
			else
				s->other_rc++;
		}
	}
	if (__atomic_sub_fetch(&budget, 1, __ATOMIC_ACQ_REL) >= 0) {
		struct ev out = { (uint32_t)(s - st) + 1, s->seq_out++ };

		bus_publish(t_ev, 4, &out, sizeof(out));
	}
	return 0;
}

static volatile uint32_t threads_done;
static uint32_t threads_spawned;

static void short_thread(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&threads_done, 1, __ATOMIC_RELEASE);
}

/* The boot CPU's main loop, for a while or until cond(). */
static bool pump_until(bool (*cond)(void), uint64_t ms)
{
	uint64_t hz = hal_cycles_per_sec();
	uint64_t end = hal_cycles() + ms * (hz / 1000);

	while (!cond()) {
		if (hal_cycles() > end)
			return false;
		if (bus_run(64))
			continue;
		if (sched_run())
			continue;
		hal_cpu_relax();
	}
	return true;
}

static bool all_drained(void)
{
	for (unsigned int i = 0; i < nst; i++)
		if (!__atomic_load_n(&st[i].drained, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/* Every CPU gives its kmalloc magazines back (in a handler there). */
static bool drain_everywhere(void)
{
	for (unsigned int i = 0; i < nst; i++) {
		st[i].drained = 0;
		if (bus_send(st[i].id, t_drain, 4, NULL, 0))
			return false;
	}
	return pump_until(all_drained, 10000);
}

static bool never(void)
{
	return false;
}

static unsigned int threads_free0;

/* Every thread ran, exited and was reaped (its stack given back). */
static bool threads_all_done(void)
{
	if (threads_done < threads_spawned)
		return false;
	sched_run();	/* reap */
	return sched_threads_free() == threads_free0;
}

KTEST_EXPLICIT(smp, stress)
{
	struct bus_pool_stats p0, p1;
	struct bus_lock_stats l0, l1;
	struct bus_topic_stats ts;
	struct mm_stats m0, m1;
	uint64_t hz = hal_cycles_per_sec(), end;
	uint64_t got = 0, published = 0, deadlocks = 0, calls = 0;
	char name[24];

	t_ev = (bus_topic_t)bus_topic("ktest.stress.ev");
	t_call = (bus_topic_t)bus_topic("ktest.stress.call");
	t_drain = (bus_topic_t)bus_topic("ktest.stress.drain");
	nst = 0;
	for (unsigned int c = 0; c < smp_cpus_described(); c++) {
		struct stressed *s = &st[nst];
		int rc;

		if (smp_cpu(c)->state != SMP_ONLINE)
			continue;
		memset(s, 0, sizeof(*s));
		s->cpu = c;
		ksnprintf(name, sizeof(name), "ktest-stress%u", c);
		rc = bus_svc_add(name, stress_handler, s, 512, 4);
		KEXPECT(t, rc >= 0);
		if (rc < 0)
			return;
		s->id = (bus_svc_t)rc;
		KEXPECT_EQ(t, bus_svc_set_flags(s->id, BUS_SVC_F_ANYCPU), 0);
		KEXPECT_EQ(t, bus_svc_place(s->id, c), 0);
		KEXPECT_EQ(t, bus_subscribe(s->id, "ktest.stress.ev", NULL), 0);
		KEXPECT_EQ(t, bus_subscribe(s->id, "ktest.stress.drain", NULL),
			   0);
		nst++;
	}
	/* threads once before the count: their stack slots' page tables
	 * stay once made */
	threads_spawned = threads_done = 0;
	threads_free0 = sched_threads_free();
	for (unsigned int k = 0; k < 4; k++)
		if (sched_spawn("stress", 4, short_thread, NULL) >= 0)
			threads_spawned++;
	KEXPECT(t, pump_until(threads_all_done, 10000));
	threads_spawned = threads_done = 0;
	KEXPECT(t, drain_everywhere());
	KEXPECT_EQ(t, mm_get_stats(&m0), 0);
	bus_pool_stats(&p0);
	bus_lock_stats(&l0);
	__atomic_store_n(&budget, BUDGET, __ATOMIC_RELEASE);

	/* the storm: a few seeds from the boot CPU; the services keep it
	 * going while the boot CPU also starts and reaps threads */
	for (uint32_t k = 0; k < 16; k++) {
		struct ev e = { 0, k };

		bus_publish(t_ev, 4, &e, sizeof(e));
	}
	end = hal_cycles() + STRESS_MS * (hz / 1000);
	while (hal_cycles() < end) {
		/* at most the four slots warmed above (a thread that ran
		 * holds its slot until it is reaped) */
		if (sched_threads_free() + 4 > threads_free0 &&
		    sched_spawn("stress", 4, short_thread, NULL) >= 0)
			threads_spawned++;
		pump_until(never, 2);
	}
	__atomic_store_n(&budget, 0, __ATOMIC_RELEASE);	/* no more */
	/* no queue holds a message and no CPU is inside a handler (a queue
	 * alone can be empty while a handler is about to publish) */
	KEXPECT(t, pump_until(bus_quiet, 20000));
	KEXPECT(t, pump_until(threads_all_done, 10000));

	for (unsigned int i = 0; i < nst; i++) {
		struct bus_sub_stats ss;

		KEXPECT_EQ(t, st[i].misordered, 0);
		KEXPECT_EQ(t, st[i].elsewhere, 0);
		KEXPECT_EQ(t, st[i].other_rc, 0);
		KEXPECT_EQ(t, st[i].alloc_fail, 0);
		KEXPECT_EQ(t, bus_sub_stats(st[i].id, 0, NULL, &ss), 0);
		KEXPECT_EQ(t, ss.published, ss.delivered + ss.dropped);
		KEXPECT_EQ(t, ss.delivered, st[i].got);
		KEXPECT_EQ(t, ss.queued, 0);
		got += st[i].got;
		published += st[i].seq_out;
		deadlocks += st[i].deadlocks;
		calls += st[i].calls_ok;
	}
	KEXPECT_EQ(t, bus_topic_stats(t_ev, &ts), 0);
	KEXPECT_EQ(t, ts.published, published + 16);
	KEXPECT_EQ(t, ts.delivered + ts.drops, ts.published * nst);
	KEXPECT_EQ(t, ts.queued, 0);
	KEXPECT_EQ(t, threads_done, threads_spawned);
	/* the events went under each CPU's own lock (bus/lock.c), and no
	 * code traded it for the whole bus from inside a local section */
	bus_lock_stats(&l1);
	KEXPECT(t, l1.local - l0.local >= got);
	KEXPECT_EQ(t, l1.nested, 0);

	KEXPECT(t, drain_everywhere());
	KEXPECT_EQ(t, mm_get_stats(&m1), 0);
	KEXPECT_EQ(t, m1.free_pages, m0.free_pages);
	bus_pool_stats(&p1);
	KEXPECT_EQ(t, p1.queued, 0);
	KEXPECT_EQ(t, p1.slots, p0.slots);
	kprintf("ktest: smp: stress on %u CPUs for %u ms: %llu events "
		"published, %llu delivered, %llu dropped, %llu inline calls "
		"(%llu refused -EDEADLK), %llu threads; bus locks: %llu own, "
		"%llu whole; no page, message or object left behind\n", nst,
		STRESS_MS,
		(unsigned long long)ts.published,
		(unsigned long long)ts.delivered,
		(unsigned long long)ts.drops, (unsigned long long)calls,
		(unsigned long long)deadlocks,
		(unsigned long long)threads_spawned,
		(unsigned long long)(l1.local - l0.local),
		(unsigned long long)(l1.whole - l0.whole));
	for (unsigned int i = 0; i < nst; i++) {
		uint64_t t0 = hal_cycles();
		int rc;

		KEXPECT_EQ(t, bus_svc_place(st[i].id, 0), 0);
		while ((rc = bus_svc_remove(st[i].id)) == -AE_EBUSY &&
		       hal_cycles() - t0 < hz)
			hal_cpu_relax();
		KEXPECT_EQ(t, rc, 0);
	}
}
