/*
 * spinlock.c - ticket spinlocks and the lock-order checker
 * (aegis/spinlock.h).
 *
 * The lock: a CPU takes the next ticket (one atomic add) and waits until
 * the ticket being served is its own; unlocking serves the next. FIFO, so
 * no CPU starves.
 *
 * The checker (AEGIS_LOCKDEP): classes get ids 1..LOCKDEP_CLASSES the
 * first time they are taken. after[i] is the set of classes taken while
 * class i was held (the order graph, one bit per class); each edge keeps
 * the stack of the acquisition that created it. Before a CPU waits for a
 * lock of class c while holding class h, the edge h -> c is checked: if c
 * already reaches h in the graph, the two orders can deadlock and both
 * stacks are reported. The checker's own tables are guarded by a plain
 * ticket lock with this CPU's interrupts masked; each CPU's list of held
 * locks is its own.
 */
#include <stdarg.h>
#include <aegis/kprintf.h>
#include <aegis/spinlock.h>

static const struct spin_hooks *hooks;

void spin_set_hooks(const struct spin_hooks *h)
{
	hooks = h;
}

#ifdef AEGIS_HOST
#include <sched.h>
#else
#include <aegis/hal.h>
#endif

static inline void relax(void)
{
#ifdef AEGIS_HOST
	/* host tests' "CPUs" are threads the host may preempt: a waiter
	 * spinning on a core the holder needs would wait a whole slice */
	sched_yield();
#else
	hal_cpu_relax();
#endif
}

static void raw_lock(spinlock_t *l)
{
	uint16_t t = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t)
		relax();
}

static bool raw_trylock(spinlock_t *l)
{
	uint16_t o = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t want = o;

	return __atomic_compare_exchange_n(&l->next, &want, (uint16_t)(o + 1),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static void raw_unlock(spinlock_t *l)
{
	/* only the holder writes owner */
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1),
			 __ATOMIC_RELEASE);
}

bool spin_is_locked(const spinlock_t *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

static bool irq_mask(void)
{
	return hooks && hooks->irq_mask ? hooks->irq_mask() : false;
}

static void irq_restore(bool on)
{
	if (hooks && hooks->irq_restore)
		hooks->irq_restore(on);
}

#ifdef AEGIS_LOCKDEP

#define EDGES_MAX	256

struct edge {
	uint8_t from, to;		/* class indexes (id - 1) */
	uintptr_t held_site;		/* where `from` was taken */
	uintptr_t stack[LOCKDEP_DEPTH];	/* where `to` was then taken */
};

struct held {
	spinlock_t *l;
	uintptr_t site;
};

static spinlock_t graph = SPINLOCK_INIT(NULL);
static struct lock_class *classes[LOCKDEP_CLASSES];
static uint64_t after[LOCKDEP_CLASSES];
static uint64_t told[LOCKDEP_CLASSES];	/* pairs already reported */
static struct edge edges[EDGES_MAX];
static unsigned int nclasses, nedges;
static struct held held[LOCKDEP_CPUS][LOCKDEP_HELD];
static uint8_t nheld[LOCKDEP_CPUS];
static struct lockdep_stats st;

static unsigned int cpu_now(void)
{
	return hooks && hooks->cpu ? hooks->cpu() : 0;
}

static void say(const char *fmt, ...) __printf(1, 2);
static void say(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (hooks && hooks->report)
		hooks->report(line);
}

/* The return addresses of the frames above this one (frame pointers:
 * [fp] the caller's fp, [fp + 8] the return address, on both arches). */
static __attribute__((noinline)) void backtrace(uintptr_t *out)
{
	unsigned int k = 0;

#ifdef AEGIS_HOST
	/* host builds may omit frame pointers: the caller only */
	out[k++] = (uintptr_t)__builtin_return_address(0);
#else
	const uintptr_t *fp = __builtin_frame_address(0);

	while (k < LOCKDEP_DEPTH && fp && !((uintptr_t)fp & 7)) {
		const uintptr_t *next = (const uintptr_t *)fp[0];

		if (!fp[1])
			break;
		out[k++] = fp[1];
		if (next <= fp || (uintptr_t)next - (uintptr_t)fp > 0x10000)
			break;
		fp = next;
	}
#endif
	while (k < LOCKDEP_DEPTH)
		out[k++] = 0;
}

static void say_stack(const uintptr_t *s)
{
	char line[160];
	int n = ksnprintf(line, sizeof(line), "lockdep:   stack:");

	for (unsigned int k = 0; k < LOCKDEP_DEPTH && s[k] && n > 0 &&
	     n < (int)sizeof(line); k++)
		n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %#lx",
			       (unsigned long)s[k]);
	if (hooks && hooks->report)
		hooks->report(line);
}

/* c's index, giving it one the first time; -1 when the table is full. */
static int class_index(struct lock_class *c)
{
	if (c->id)
		return c->id - 1;
	if (nclasses == LOCKDEP_CLASSES) {
		st.overflows++;
		return -1;
	}
	classes[nclasses] = c;
	c->id = (uint16_t)++nclasses;
	st.classes = nclasses;
	return c->id - 1;
}

/* Does class `from` reach class `to` along recorded orders? */
static bool reaches(unsigned int from, unsigned int to)
{
	uint64_t seen = 1ull << from, front = seen;

	while (front) {
		uint64_t next = 0;

		for (unsigned int i = 0; i < LOCKDEP_CLASSES; i++)
			if (front >> i & 1)
				next |= after[i];
		if (next >> to & 1)
			return true;
		front = next & ~seen;
		seen |= next;
	}
	return false;
}

/* The first recorded edge out of `from` on a path to `to`. */
static struct edge *first_step(unsigned int from, unsigned int to)
{
	for (unsigned int k = 0; k < nedges; k++)
		if (edges[k].from == from &&
		    (edges[k].to == to || reaches(edges[k].to, to)))
			return &edges[k];
	return NULL;
}

static void inversion(unsigned int h, unsigned int c, uintptr_t held_site,
		      const uintptr_t *now, unsigned int cpu)
{
	struct edge *e = first_step(c, h);

	st.inversions++;
	if (told[h] >> c & 1)
		return;
	told[h] |= 1ull << c;
	told[c] |= 1ull << h;
	say("lockdep: lock order inversion on cpu %u: %s (taken at %#lx) "
	    "then %s here", cpu, classes[h]->name, (unsigned long)held_site,
	    classes[c]->name);
	say_stack(now);
	if (!e)
		return;
	if (e->to == h)
		say("lockdep: but before: %s (taken at %#lx) then %s",
		    classes[c]->name, (unsigned long)e->held_site,
		    classes[h]->name);
	else
		say("lockdep: but before: %s (taken at %#lx) then %s, which "
		    "leads to %s", classes[c]->name,
		    (unsigned long)e->held_site, classes[e->to]->name,
		    classes[h]->name);
	say_stack(e->stack);
}

/* Before waiting for l: the checks, and the orders it adds. */
static void acquire(spinlock_t *l, uintptr_t site)
{
	unsigned int cpu = cpu_now();
	struct lock_class *c = l->cls;
	uintptr_t now[LOCKDEP_DEPTH];
	bool was;
	int ci;

	if (!c || cpu >= LOCKDEP_CPUS)
		return;
	backtrace(now);
	was = irq_mask();
	raw_lock(&graph);
	ci = class_index(c);
	if (hooks && hooks->in_irq && hooks->in_irq())
		c->irq_used = 1;
	else if (was)
		c->irq_on_used = 1;
	if (c->irq_used && c->irq_on_used && ci >= 0 &&
	    !(told[ci] >> ci & 1)) {
		told[ci] |= 1ull << ci;
		st.irq_unsafe++;
		say("lockdep: %s is taken in interrupt context and elsewhere "
		    "with interrupts on: an interrupt while it is held waits "
		    "for itself (take it with spin_lock_irqsave)", c->name);
		say_stack(now);
	}
	if (__atomic_load_n(&l->holder, __ATOMIC_RELAXED) == (int32_t)cpu) {
		st.recursions++;
		say("lockdep: cpu %u takes %s again, which it holds (taken "
		    "at %#lx): it would wait for itself", cpu, c->name,
		    (unsigned long)l->site);
		say_stack(now);
		if (hooks && hooks->deadlock) {
			raw_unlock(&graph);
			irq_restore(was);
			hooks->deadlock();
			return;
		}
	}
	for (unsigned int k = 0; ci >= 0 && k < nheld[cpu]; k++) {
		struct lock_class *hc = held[cpu][k].l->cls;
		int hi = hc ? class_index(hc) : -1;

		if (hi < 0 || hi == ci)
			continue;	/* same class: order not checked */
		if (after[hi] >> ci & 1)
			continue;	/* known order */
		if (reaches((unsigned int)ci, (unsigned int)hi)) {
			inversion((unsigned int)hi, (unsigned int)ci,
				  held[cpu][k].site, now, cpu);
			continue;
		}
		if (nedges == EDGES_MAX) {
			st.overflows++;
			continue;
		}
		edges[nedges].from = (uint8_t)hi;
		edges[nedges].to = (uint8_t)ci;
		edges[nedges].held_site = held[cpu][k].site;
		for (unsigned int f = 0; f < LOCKDEP_DEPTH; f++)
			edges[nedges].stack[f] = now[f];
		nedges++;
		st.edges = nedges;
		after[hi] |= 1ull << ci;
	}
	raw_unlock(&graph);
	irq_restore(was);
}

/* l is now held by this CPU. */
static void acquired(spinlock_t *l, uintptr_t site)
{
	unsigned int cpu = cpu_now();

	l->site = site;
	__atomic_store_n(&l->holder, (int32_t)cpu, __ATOMIC_RELAXED);
	if (!l->cls || cpu >= LOCKDEP_CPUS)
		return;
	if (nheld[cpu] == LOCKDEP_HELD) {
		st.overflows++;
		return;
	}
	held[cpu][nheld[cpu]].l = l;
	held[cpu][nheld[cpu]].site = site;
	nheld[cpu]++;
}

/* l is about to be released; false: this CPU does not hold it (reported,
 * and the lock is left as it is). */
static bool release(spinlock_t *l)
{
	unsigned int cpu = cpu_now();
	int32_t h = __atomic_load_n(&l->holder, __ATOMIC_RELAXED);

	if (h != (int32_t)cpu) {
		uintptr_t now[LOCKDEP_DEPTH];

		backtrace(now);
		st.bad_unlocks++;
		say("lockdep: cpu %u releases %s, which it does not hold "
		    "(holder: %d)", cpu, l->cls ? l->cls->name : "a lock", h);
		say_stack(now);
		return false;
	}
	__atomic_store_n(&l->holder, -1, __ATOMIC_RELAXED);
	if (!l->cls || cpu >= LOCKDEP_CPUS)
		return true;
	for (unsigned int k = nheld[cpu]; k-- > 0;) {
		if (held[cpu][k].l != l)
			continue;
		for (unsigned int j = k; j + 1 < nheld[cpu]; j++)
			held[cpu][j] = held[cpu][j + 1];
		nheld[cpu]--;
		break;
	}
	return true;
}

void lockdep_stats(struct lockdep_stats *out)
{
	*out = st;
}

void lockdep_reset(void)
{
	for (unsigned int i = 0; i < nclasses; i++) {
		classes[i]->id = 0;
		classes[i]->irq_used = classes[i]->irq_on_used = 0;
	}
	nclasses = nedges = 0;
	for (unsigned int i = 0; i < LOCKDEP_CLASSES; i++)
		after[i] = told[i] = 0;
	for (unsigned int c = 0; c < LOCKDEP_CPUS; c++)
		nheld[c] = 0;
	st = (struct lockdep_stats){ 0 };
}

#else	/* !AEGIS_LOCKDEP */

static inline void acquire(spinlock_t *l, uintptr_t site)
{
	(void)l;
	(void)site;
}

static inline void acquired(spinlock_t *l, uintptr_t site)
{
	(void)l;
	(void)site;
}

static inline bool release(spinlock_t *l)
{
	(void)l;
	return true;
}

void lockdep_stats(struct lockdep_stats *out)
{
	*out = (struct lockdep_stats){ 0 };
}

void lockdep_reset(void)
{
}

#endif

#define SITE ((uintptr_t)__builtin_return_address(0))

void spin_lock(spinlock_t *l)
{
	acquire(l, SITE);
	raw_lock(l);
	acquired(l, SITE);
}

void spin_lock_unfair(spinlock_t *l)
{
	acquire(l, SITE);
	/* read while it is held (no stores bouncing the line), then one
	 * compare-and-swap: whoever runs when it comes free gets it */
	while (!raw_trylock(l))
		while (spin_is_locked(l))
			relax();
	acquired(l, SITE);
}

bool spin_trylock(spinlock_t *l)
{
	/* a try never waits, so it cannot deadlock: no order is checked */
	if (!raw_trylock(l))
		return false;
	acquired(l, SITE);
	return true;
}

void spin_unlock(spinlock_t *l)
{
	if (release(l))
		raw_unlock(l);
}

bool spin_lock_irqsave(spinlock_t *l)
{
	bool was = irq_mask();

	acquire(l, SITE);
	raw_lock(l);
	acquired(l, SITE);
	return was;
}

void spin_unlock_irqrestore(spinlock_t *l, bool was_on)
{
	if (release(l))
		raw_unlock(l);
	irq_restore(was_on);
}
