/*
 * lock.c - the bus lock: one for the whole bus, recursive on the CPU that
 * holds it (aegis/bus.h: bus_set_cpus; docs/IPC_ARCHITECTURE.md, "Many
 * CPUs").
 *
 * Until bus_set_cpus names how to tell CPUs apart, every operation here
 * returns at once: one CPU, no lock, no cost but a load and a branch.
 *
 * Recursive, because the bus calls out and is called back on the same
 * CPU while it holds the lock: its tables grow from kmalloc, whose
 * slabs come from the mm service over the bus. It is released while a
 * handler runs (bus_lock_drop / bus_lock_retake around it), so handlers
 * on different CPUs run in parallel and a handler may do anything a
 * handler may. Interrupt context never takes it: interrupts post through
 * irq.c, which has no lock, and the watchdog only tries it
 * (bus_lock_try).
 */
#include <aegis/bus.h>
#include <aegis/spinlock.h>
#include "bus_internal.h"

/* taken with interrupts on: no interrupt handler waits for it */
static DEFINE_LOCK_CLASS(bus_class, "bus");
static spinlock_t bus_lk = SPINLOCK_INIT(&bus_class);
unsigned int (*bus_cpu_fn)(void);
static int owner = -1;		/* the CPU holding it; written by it only */
static unsigned int held;	/* how often it holds it (owner's) */

void bus_set_cpus(unsigned int (*cpu)(void))
{
	bus_cpu_fn = cpu;
	owner = -1;
	held = 0;
}

void bus_lock_slow(void)
{
	int me;

	if (!bus_cpu_fn)
		return;
	me = (int)bus_cpu();
	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) == me) {
		held++;
		return;
	}
	spin_lock(&bus_lk);
	__atomic_store_n(&owner, me, __ATOMIC_RELAXED);
	held = 1;
}

void bus_unlock_slow(void)
{
	if (!bus_cpu_fn || !held)
		return;
	if (--held)
		return;
	__atomic_store_n(&owner, -1, __ATOMIC_RELAXED);
	spin_unlock(&bus_lk);
}

bool bus_lock_try(void)
{
	int me;

	if (!bus_cpu_fn)
		return true;
	me = (int)bus_cpu();
	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) == me) {
		held++;
		return true;
	}
	if (!spin_trylock(&bus_lk))
		return false;
	__atomic_store_n(&owner, me, __ATOMIC_RELAXED);
	held = 1;
	return true;
}

unsigned int bus_lock_drop_slow(void)
{
	unsigned int n;

	if (!bus_cpu_fn || __atomic_load_n(&owner, __ATOMIC_RELAXED) !=
	    (int)bus_cpu())
		return 0;
	n = held;
	held = 0;
	__atomic_store_n(&owner, -1, __ATOMIC_RELAXED);
	spin_unlock(&bus_lk);
	return n;
}

void bus_lock_retake_slow(unsigned int n)
{
	int me;

	if (!bus_cpu_fn)
		return;
	me = (int)bus_cpu();
	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) == me) {
		/* still held: code that took it was left by a jump (a fault
		 * the guard caught inside the bus) */
		held = n;
		if (!n) {
			__atomic_store_n(&owner, -1, __ATOMIC_RELAXED);
			spin_unlock(&bus_lk);
		}
		return;
	}
	if (!n)
		return;
	spin_lock(&bus_lk);
	__atomic_store_n(&owner, me, __ATOMIC_RELAXED);
	held = n;
}
