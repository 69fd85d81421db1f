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
 *
 * Taken unfairly (spin_lock_unfair): under QEMU's TCG each virtual CPU
 * is a host thread, and with more of them than host cores a ticket
 * lock handed the bus to a CPU the host was not running, stalling the
 * rest for a host time slice each time (scons bench: 4 CPUs on this
 * 2-core host went from milliseconds a message to microseconds).
 */
#include <aegis/bus.h>
#include <aegis/spinlock.h>
#include "bus_internal.h"

/* taken with interrupts on: no interrupt handler waits for it */
static DEFINE_LOCK_CLASS(bus_class, "bus");
static spinlock_t bus_lk = SPINLOCK_INIT(&bus_class);
unsigned int (*bus_cpu_fn)(void);
/* The CPU holding it, and how often. Only the holder writes either, and
 * an interrupt on the holder's CPU (the watchdog's bus_lock_try) may look
 * at them between any two instructions: so whenever owner names this
 * CPU, held is at least 1 (held is set before owner on the way in,
 * owner cleared before held on the way out). */
static int owner = -1;
static unsigned int held;

static void own(int me, unsigned int n)
{
	held = n;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&owner, me, __ATOMIC_RELAXED);
}

static void disown(void)
{
	__atomic_store_n(&owner, -1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	held = 0;
	spin_unlock(&bus_lk);
}

static bool mine(void)
{
	return __atomic_load_n(&owner, __ATOMIC_RELAXED) == (int)bus_cpu();
}

void bus_set_cpus(unsigned int (*cpu)(void))
{
	bus_cpu_fn = cpu;
	owner = -1;
	held = 0;
}

void bus_lock_slow(void)
{
	if (!bus_cpu_fn)
		return;
	if (mine()) {
		held++;
		return;
	}
	spin_lock_unfair(&bus_lk);
	own((int)bus_cpu(), 1);
}

void bus_unlock_slow(void)
{
	if (!bus_cpu_fn || !mine())
		return;
	if (held > 1)
		held--;
	else
		disown();
}

bool bus_lock_try(void)
{
	if (!bus_cpu_fn)
		return true;
	if (mine()) {
		held++;
		return true;
	}
	if (!spin_trylock(&bus_lk))
		return false;
	own((int)bus_cpu(), 1);
	return true;
}

unsigned int bus_lock_depth(void)
{
	if (!bus_cpu_fn)
		return 1;	/* one CPU: as if held once */
	return mine() ? held : 0;
}

unsigned int bus_lock_drop_slow(void)
{
	unsigned int n;

	if (!bus_cpu_fn || !mine())
		return 0;
	n = held;
	disown();
	return n;
}

void bus_lock_retake_slow(unsigned int n)
{
	if (!bus_cpu_fn)
		return;
	if (mine()) {
		/* still held: code that took it was left by a jump (a fault
		 * the guard caught inside the bus) */
		if (n)
			held = n;
		else
			disown();
		return;
	}
	if (!n)
		return;
	spin_lock_unfair(&bus_lk);
	own((int)bus_cpu(), n);
}
