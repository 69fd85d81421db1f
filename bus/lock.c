/*
 * lock.c - the bus's locks: one per CPU, taken by that CPU alone for the
 * message path, and all of them together for a change of the bus's
 * tables (aegis/bus.h: bus_set_cpus; docs/IPC_ARCHITECTURE.md, "Many
 * CPUs").
 *
 * Until bus_set_cpus names how to tell CPUs apart, every operation here
 * returns at once: one CPU, no lock, no cost but a load and a branch.
 *
 * Two ways to hold the bus, per CPU:
 *
 *  - local (bus_lock_local): this CPU's own lock. What the holder may
 *    touch: the bus's tables, read only; its own queue, message pool and
 *    counters; the services placed on it; other CPUs' inboxes (push
 *    only) and the few counters kept atomic. That is what a send, a
 *    publish and a dispatch need when their destinations are known to the
 *    code that judges them (bus.c: local_ok), so CPUs that talk among
 *    their own services never share a lock.
 *  - whole (bus_lock): the writer lock, then every CPU's own lock, in
 *    index order. The holder may do anything: every other CPU is outside
 *    the bus or inside a handler. On taking it the inboxes are emptied
 *    into their queues (bus_whole_taken), so the code that holds it sees
 *    every message where it will be dispatched.
 *
 * Either is recursive on its holder; a CPU holding the bus whole that
 * asks for it locally just holds it deeper. A CPU holding it locally
 * that needs it whole lets its own lock go and takes the whole
 * (bus_lock_upgrade): only between steps of an outermost entry, where
 * nothing read before is relied on; an upgrade from deeper inside is
 * counted (bus_lock_stats: nested), since the code further up would see
 * the tables change under it, and the tests expect none. Both are let go
 * while a handler runs and while a thread blocks (bus_lock_drop /
 * bus_lock_retake), so handlers on different CPUs run in parallel and a
 * handler may do anything a handler may. Interrupt context never takes
 * them: interrupts post through irq.c, which has no lock, and the
 * watchdog only tries (bus_lock_try).
 *
 * Taken unfairly: under QEMU's TCG each virtual CPU is a host thread,
 * and with more of them than host cores a ticket lock handed the bus to
 * a CPU the host was not running, stalling the rest for a host time
 * slice each time (scons bench: 4 CPUs on this 2-core host went from
 * milliseconds a message to microseconds).
 */
#include <aegis/bus.h>
#include <aegis/spinlock.h>
#include "bus_internal.h"

/* The writer lock: the one the lock-order checker sees for the bus (a
 * CPU's own lock is a plain flag: at most one is held but by a holder
 * of this one). Taken with interrupts on: no interrupt handler waits. */
static DEFINE_LOCK_CLASS(bus_class, "bus");
static spinlock_t bus_lk = SPINLOCK_INIT(&bus_class);
unsigned int (*bus_cpu_fn)(void);

enum { NONE, LOCAL, WHOLE };

/* Per CPU: its own lock, and how this CPU holds the bus. Only the CPU
 * itself writes mode and held (an interrupt on it may read them). */
static struct lkcpu {
	uint32_t flag;		/* its own lock: 1 held */
	uint8_t mode;		/* NONE, LOCAL, WHOLE */
	unsigned int held;	/* how deep */
	unsigned int took;	/* WHOLE: own locks 0..took-1 are held */
	struct bus_lock_stats st;	/* its own counts: bus_lock_stats */
} __attribute__((aligned(64))) lk[BUS_CPUS];
/* CPUs 0..lock_hi-1 may hold their own lock: raised under the writer
 * lock, so a writer that holds it takes every lock a CPU may hold. */
static unsigned int lock_hi;
/* Writers taking the bus whole right now: a CPU about to take its own
 * lock afresh lets them pass first (a CPU dispatching in a tight loop
 * takes and gives its own lock between every two messages, and would
 * otherwise win it back, unfairly, every time, while the writer holds
 * the locks below it and those CPUs wait too). */
static uint32_t writers;

/* A count of this CPU's own (an interrupt never takes the bus). */
static void count(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

static void flag_take(uint32_t *f)
{
	for (;;) {
		if (!__atomic_exchange_n(f, 1, __ATOMIC_ACQUIRE))
			return;
		while (__atomic_load_n(f, __ATOMIC_RELAXED))
			__asm__ volatile("" ::: "memory");
	}
}

static bool flag_try(uint32_t *f)
{
	return !__atomic_load_n(f, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(f, 1, __ATOMIC_ACQUIRE);
}

static void flag_give(uint32_t *f)
{
	__atomic_store_n(f, 0, __ATOMIC_RELEASE);
}

/* This CPU's own lock, afresh: after any writer on its way (which,
 * holding the writer lock, takes the CPUs' locks in order and needs this
 * one too). */
static void own_take(uint32_t *f)
{
	while (__atomic_load_n(&writers, __ATOMIC_ACQUIRE))
		__asm__ volatile("" ::: "memory");
	flag_take(f);
}

void bus_set_cpus(unsigned int (*cpu)(void))
{
	bus_cpu_fn = cpu;
	for (unsigned int c = 0; c < BUS_CPUS; c++) {
		lk[c].flag = 0;
		lk[c].mode = NONE;
		lk[c].held = 0;
		lk[c].st = (struct bus_lock_stats){ 0 };
	}
	lock_hi = 0;
}

static struct lkcpu *me(void)
{
	return &lk[bus_cpu()];
}

/* Set mode then held on the way in, held then mode on the way out: an
 * interrupt on this CPU that sees a mode sees it held. */
static void own(struct lkcpu *m, uint8_t mode, unsigned int n)
{
	m->held = n;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&m->mode, mode, __ATOMIC_RELAXED);
}

static void disown(struct lkcpu *m)
{
	__atomic_store_n(&m->mode, NONE, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	m->held = 0;
}

static void whole_take(struct lkcpu *m)
{
	unsigned int c = (unsigned int)(m - lk), hi;

	spin_lock_unfair(&bus_lk);
	if (c >= lock_hi)	/* this CPU may hold its own lock from now */
		__atomic_store_n(&lock_hi, c + 1, __ATOMIC_RELEASE);
	hi = lock_hi;
	__atomic_fetch_add(&writers, 1, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < hi; i++)
		flag_take(&lk[i].flag);
	__atomic_fetch_sub(&writers, 1, __ATOMIC_RELEASE);
	m->took = hi;
	count(&m->st.whole);
}

static void whole_give(struct lkcpu *m)
{
	for (unsigned int i = m->took; i-- > 0;)
		flag_give(&lk[i].flag);
	spin_unlock(&bus_lk);
}

/* Holding the bus whole from nothing (or from this CPU's own lock, let
 * go first): every inbox into its queue. */
static void whole_in(struct lkcpu *m, unsigned int n)
{
	whole_take(m);
	own(m, WHOLE, n);
	bus_whole_taken(m->took);
}

static void give(struct lkcpu *m)
{
	uint8_t mode = m->mode;

	disown(m);
	if (mode == WHOLE)
		whole_give(m);
	else
		flag_give(&m->flag);
}

/* This CPU's own lock for the whole bus, as deep as it was held. */
static void upgrade(struct lkcpu *m, bool nested)
{
	unsigned int n = m->held;

	if (nested)
		count(&m->st.nested);
	count(&m->st.upgrades);
	disown(m);
	flag_give(&m->flag);
	whole_in(m, n);
}

void bus_lock_slow(void)
{
	struct lkcpu *m;

	if (!bus_cpu_fn)
		return;
	m = me();
	if (m->mode == WHOLE) {
		m->held++;
		return;
	}
	if (m->mode == LOCAL) {
		/* asked for whole from inside a local section */
		upgrade(m, true);
		m->held++;
		return;
	}
	whole_in(m, 1);
}

bool bus_lock_local_slow(void)
{
	return bus_lock_local_on(bus_cpu());
}

bool bus_lock_local_on_slow(unsigned int c)
{
	struct lkcpu *m = &lk[c];

	if (!bus_cpu_fn)
		return false;
	if (m->mode != NONE) {
		m->held++;
		return m->mode == LOCAL;
	}
	if (c >= __atomic_load_n(&lock_hi, __ATOMIC_ACQUIRE)) {
		/* its first time: the whole bus, which lets it in */
		whole_in(m, 1);
		return false;
	}
	own_take(&m->flag);
	own(m, LOCAL, 1);
	count(&m->st.local);
	return true;
}

void bus_lock_upgrade(void)
{
	struct lkcpu *m;

	if (!bus_cpu_fn)
		return;
	m = me();
	if (m->mode == LOCAL)
		upgrade(m, m->held > 1);
}

bool bus_lock_is_local_on_slow(unsigned int c)
{
	return bus_cpu_fn && lk[c].mode == LOCAL;
}

void bus_unlock_slow(void)
{
	if (bus_cpu_fn)
		bus_unlock_on(bus_cpu());
}

void bus_unlock_on_slow(unsigned int c)
{
	struct lkcpu *m = &lk[c];

	if (!bus_cpu_fn || m->mode == NONE)
		return;
	if (m->held > 1)
		m->held--;
	else
		give(m);
}

bool bus_lock_try(void)
{
	struct lkcpu *m;
	unsigned int hi;

	if (!bus_cpu_fn)
		return true;
	m = me();
	if (m->mode == WHOLE) {
		m->held++;
		return true;
	}
	if (m->mode == LOCAL)
		return false;	/* interrupted inside a local section */
	if (!spin_trylock(&bus_lk))
		return false;
	hi = lock_hi;
	for (unsigned int i = 0; i < hi; i++)
		if (!flag_try(&lk[i].flag)) {
			while (i-- > 0)
				flag_give(&lk[i].flag);
			spin_unlock(&bus_lk);
			return false;
		}
	m->took = hi;
	own(m, WHOLE, 1);
	/* the inboxes are left as they are: this is the watchdog, in
	 * interrupt context, which only looks (a message in an inbox is
	 * already counted pending for its service) */
	return true;
}

unsigned int bus_lock_depth(void)
{
	struct lkcpu *m;

	if (!bus_cpu_fn)
		return 1;	/* one CPU: as if held once */
	m = me();
	return m->mode != NONE ? m->held : 0;
}

/* Dropped: how deep times four, plus the mode (never 0 when held). */
unsigned int bus_lock_drop_slow(void)
{
	struct lkcpu *m;
	unsigned int n;

	if (!bus_cpu_fn)
		return 0;
	m = me();
	if (m->mode == NONE)
		return 0;
	n = m->held << 2 | m->mode;
	give(m);
	return n;
}

void bus_lock_retake_slow(unsigned int n)
{
	struct lkcpu *m;

	if (!bus_cpu_fn)
		return;
	m = me();
	if (m->mode != NONE) {
		/* still held: code that took it was left by a jump (a fault
		 * the guard caught inside the bus), as deep as it was, and the
		 * bus whole again if it was held whole (the jump may have left
		 * a local section inside) */
		trace_fault_recover();
		if (!n) {
			give(m);
			return;
		}
		m->held = n >> 2;
		if ((n & 3) == WHOLE && m->mode == LOCAL)
			upgrade(m, false);
		return;
	}
	if (!n)
		return;
	if ((n & 3) == LOCAL && bus_cpu() < __atomic_load_n(&lock_hi,
							     __ATOMIC_ACQUIRE)) {
		own_take(&m->flag);
		own(m, LOCAL, n >> 2);
	} else {
		whole_in(m, n >> 2);
	}
}

void bus_lock_stats(struct bus_lock_stats *out)
{
	*out = (struct bus_lock_stats){ 0 };
	for (unsigned int c = 0; c < BUS_CPUS; c++) {
		out->local += __atomic_load_n(&lk[c].st.local,
					      __ATOMIC_RELAXED);
		out->whole += __atomic_load_n(&lk[c].st.whole,
					      __ATOMIC_RELAXED);
		out->upgrades += __atomic_load_n(&lk[c].st.upgrades,
						 __ATOMIC_RELAXED);
		out->nested += __atomic_load_n(&lk[c].st.nested,
					       __ATOMIC_RELAXED);
	}
}

