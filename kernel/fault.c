/*
 * fault.c - faults in a service's handler fail that service, not the
 * kernel.
 *
 * The bus runs every handler through guard() (bus_set_guard): it sets a
 * recovery point (hal_jmp_set) and then calls the handler. When the CPU
 * takes a synchronous exception in kernel mode that is a fault of the
 * running code (a page fault, an undefined instruction, a misaligned
 * access, a division by zero, a protection fault; not a stack overflow,
 * a double fault or a machine check), the HAL prints the registers and
 * asks kernel_fault() for the innermost recovery point. If a handler was
 * running, that is its guard's: the HAL goes back there with the
 * interrupt mask as it was, guard() returns -ENOTRECOVERABLE, and the bus
 * fails the service as if the handler had reported the fault: its
 * pending requests are answered -ESHUTDOWN, the grants it lent end, the
 * supervisor restarts it after its back-off. A caller that was calling
 * it inline gets -ESHUTDOWN and carries on. A fault outside any handler
 * (boot, a thread's own code, the interrupt path) still stops the
 * machine with the report.
 *
 * The invariant: the recovery points form a stack (one per handler
 * running, innermost on top) whose frames are all live on the stack the
 * CPU is running on. It holds because handlers run to completion: no
 * handler blocks or is preempted, so no thread switch happens while one
 * runs; kernel_fault() still checks that the thread is the one the point
 * was set on, and refuses (a fatal fault) if not.
 *
 * What a faulting handler was half-way through changing in memory that
 * is not its own (a library's structures, another service's grant) is
 * not rolled back: containment is for the service's own state, which its
 * restart rebuilds.
 *
 * Context: handlers, on any CPU (each CPU has its own stack of points);
 * kernel_fault from the trap path with interrupts masked.
 */
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/sched.h>
#include <aegis/service.h>

/* hal_jmp_set returns twice: the compiler must know (aegis/hal.h cannot
 * say it). */
int32_t hal_jmp_set(struct HalJmp *j) __attribute__((returns_twice));

struct recovery {
	struct HalJmp jmp;
	struct recovery *prev;
	const char *name;	/* the service */
	const char *where;	/* "handler" or "init" */
	int thread;		/* sched_self() when it was set */
};

/* Each CPU's stack of recovery points: handlers run on any CPU that
 * enters the bus, each on its own stack. */
static struct recovery *tops[HAL_CPUS_MAX];

static struct recovery **top_here(void)
{
	uint32_t c = hal_cpu_index();

	return &tops[c < HAL_CPUS_MAX ? c : 0];
}

/* The thread a point was set on (-1: a dispatcher's own stack). */
static int thread_here(void)
{
	return sched_self();
}

static int guard(bus_handler_fn fn, void *state, const struct bus_msg *m,
		 struct bus_msg *reply)
{
	struct recovery r, **top = top_here();
	int rc;

	r.prev = *top;
	r.name = bus_svc_name(m->dst);
	r.where = "handler";
	r.thread = thread_here();
	if (hal_jmp_set(&r.jmp) != 0)
		return -AE_ENOTRECOVERABLE;	/* kernel_fault popped r */
	*top = &r;
	rc = fn(state, m, reply);
	*top = r.prev;
	return rc;
}

/*
 * The registry runs every service's init through this (service_init's
 * guard): a fault in it fails that start as an init that returned
 * -ENOTRECOVERABLE, and the supervisor retries the service after its
 * back-off, whether the start came from boot, the supervisor's clock or
 * a `svc restart` request (the supervisor's own handler then goes on).
 * init runs to completion like a handler, so the same invariant holds.
 */
static int init_guard(const char *name, int (*init)(void))
{
	struct recovery r, **top = top_here();
	int rc;

	r.prev = *top;
	r.name = name;
	r.where = "init";
	r.thread = thread_here();
	if (hal_jmp_set(&r.jmp) != 0)
		return -AE_ENOTRECOVERABLE;
	*top = &r;
	rc = init();
	*top = r.prev;
	return rc;
}

const struct HalJmp *kernel_fault(const struct HalUserFault *f)
{
	struct recovery **top = top_here(), *r = *top;

	if (!r)
		return NULL;
	if (r->thread != thread_here()) {
		kprintf("fault: in service %s's %s, but on another thread "
			"than it started on\n", r->name, r->where);
		return NULL;
	}
	*top = r->prev;
	kprintf("fault: service %s failed: %s at pc %#llx, address %#llx, "
		"in its %s; the supervisor restarts it\n", r->name, f->name,
		(unsigned long long)f->pc, (unsigned long long)f->addr,
		r->where);
	return &r->jmp;
}

void kfault_init(void)
{
	for (unsigned int c = 0; c < HAL_CPUS_MAX; c++)
		tops[c] = NULL;
	bus_set_guard(guard);
	service_set_init_guard(init_guard);
}
