/*
 * aegis/spinlock.h - ticket spinlocks, and in debug builds a lock-order
 * checker (kernel/lib/spinlock.c; docs/SMP.md "Locks").
 *
 * A lock is fair (tickets: CPUs get it in the order they asked) and never
 * sleeps. Each lock belongs to a class, named once where it is defined:
 * every lock of a class is ordered the same way against the others.
 *
 *	static DEFINE_LOCK_CLASS(log_class, "log");
 *	static spinlock_t log_lock = SPINLOCK_INIT(&log_class);
 *
 *	bool was = spin_lock_irqsave(&log_lock);
 *	...
 *	spin_unlock_irqrestore(&log_lock, was);
 *
 * Interrupts: a lock that an interrupt handler (or anything it calls) may
 * take must be taken with interrupts masked everywhere else
 * (spin_lock_irqsave), or the interrupt can arrive while its own CPU holds
 * the lock and wait for itself forever. Each lock's definition says which
 * kind it is.
 *
 * With AEGIS_LOCKDEP (debug kernels, host tests) every acquisition is
 * checked: taking a lock this CPU already holds, taking two classes in
 * the opposite order to one seen before (any cycle, not only two locks),
 * releasing a lock this CPU does not hold, and a class taken in interrupt
 * context that is elsewhere taken with interrupts on. Each is reported
 * once per pair with the stack of both acquisitions, through the report
 * hook (the kernel's: straight to the console).
 */
#ifndef AEGIS_SPINLOCK_H
#define AEGIS_SPINLOCK_H

#include <aegis/types.h>

#define LOCKDEP_CLASSES		64	/* classes the checker knows */
#define LOCKDEP_HELD		8	/* locks one CPU may hold at once */
#define LOCKDEP_DEPTH		6	/* frames in a recorded stack */
#define LOCKDEP_CPUS		64

struct lock_class {
	const char *name;
	uint16_t id;		/* 1..LOCKDEP_CLASSES once seen; 0 before */
	uint8_t irq_used;	/* taken in interrupt context */
	uint8_t irq_on_used;	/* taken with interrupts on, not in one */
};

#define DEFINE_LOCK_CLASS(var, name_) struct lock_class var = { name_, 0, 0, 0 }

typedef struct spinlock {
	uint16_t next;		/* the next ticket to hand out */
	uint16_t owner;		/* the ticket being served */
	struct lock_class *cls;
	int32_t holder;		/* CPU index holding it, -1: none (checker) */
	uintptr_t site;		/* where it was taken (checker) */
} spinlock_t;

#define SPINLOCK_INIT(cls_) { 0, 0, (cls_), -1, 0 }

static inline void spin_init(spinlock_t *l, struct lock_class *cls)
{
	l->next = l->owner = 0;
	l->cls = cls;
	l->holder = -1;
	l->site = 0;
}

void spin_lock(spinlock_t *l);
/* spin_lock_unfair - as spin_lock (the same checks), but not in the
 * order asked: the CPU that finds it free takes it. For a lock that
 * virtual CPUs contend when there may be more of them than host cores
 * (the bus lock): with tickets, a waiter whose virtual CPU the host is
 * not running holds up every CPU behind it for a host time slice, as
 * Linux too falls back to a test-and-set lock on a hypervisor without
 * paravirtual spinlocks. Fairness is the price: use it where holders
 * let go often. */
void spin_lock_unfair(spinlock_t *l);
bool spin_trylock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
/* masks this CPU's interrupts, then takes l; returns whether they were on */
bool spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, bool was_on);
/* held by anyone (a hint: it may change at once) */
bool spin_is_locked(const spinlock_t *l);

/* What the locks need from their surroundings. The kernel sets them at
 * boot (kernel/log.c); host tests set their own. Any may be NULL: cpu ->
 * 0, in_irq -> false, irq_mask -> "they were off", irq_restore and
 * report -> nothing, deadlock -> the CPU waits for the lock regardless
 * (the kernel's panics: a lock taken again by its holder never comes
 * free). */
struct spin_hooks {
	unsigned int (*cpu)(void);
	bool (*in_irq)(void);
	bool (*irq_mask)(void);		/* returns whether they were on */
	void (*irq_restore)(bool on);
	void (*report)(const char *line);
	void (*deadlock)(void);		/* after a recursion's report */
};
void spin_set_hooks(const struct spin_hooks *h);

/* The checker's findings so far (0 without AEGIS_LOCKDEP). */
struct lockdep_stats {
	uint32_t classes, edges;	/* classes seen, orders recorded */
	uint32_t inversions, recursions, bad_unlocks, irq_unsafe;
	uint32_t overflows;		/* classes, edges or held locks beyond
					 * the tables: not checked */
};
void lockdep_stats(struct lockdep_stats *out);
/* Forget every class and order (host tests). */
void lockdep_reset(void);

#endif
