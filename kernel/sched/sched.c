/*
 * sched.c - the scheduler, kernel core: kernel threads on their own
 * stacks, run by priority on every CPU whenever that CPU's bus
 * dispatcher has nothing to deliver (see aegis/sched.h; the bookkeeping
 * is core.c, the switch the HAL's; docs/SCHEDULER.md, docs/SMP.md).
 *
 * It is not a service that others reach over the bus: the kernel, the
 * gateway, the proc service and the HAL call its functions directly, as
 * they call any kernel core (a thread blocks, sleeps or wakes inside the
 * call). Its bus face is a registered endpoint named "sched" for what is
 * naturally a message: the timer tick it subscribes to, thread exits,
 * "sched.ticks" requests, and /sys/sched. tools/check_boundaries.py
 * (scons test) keeps services from calling each other and core from
 * calling services; this file lives in kernel/ because it is core.
 *
 * Who runs where:
 *  - Each CPU's dispatcher (its main loop, on its boot stack) delivers
 *    the bus messages of the services placed on it; when none is
 *    pending, sched_run switches to the most urgent thread of that CPU's
 *    ready queues, or takes one waiting on a busier CPU (core_steal).
 *  - A thread runs until it yields, sleeps, blocks in sched_call, exits,
 *    or (if it is preemptible or in user mode) an interrupt finds bus
 *    work pending, a more urgent thread ready on its CPU, or its slice
 *    used up with another of its priority waiting (kernel_irq_exit).
 *    A thread that yields while the bus is idle switches straight to the
 *    next thread of its CPU.
 *  - A thread made ready (woken, spawned, its sleep over) goes where
 *    core_place says: its last CPU if that is free, else a free CPU,
 *    else the least loaded, within its affinity; a CPU asleep is sent an
 *    IPI (smp_kick), a busy one running something less urgent too, so
 *    that its kernel_irq_exit preempts. A CPU with threads waiting at a
 *    slice's end kicks a sleeping CPU, which takes one (load balancing).
 *  - The timer tick ("hw.irq.timer") reaches this service's handler like
 *    any event: it wakes the threads whose deadline passed, on any CPU.
 *
 * The lock: one, "sched", over the core's tables, th[] and every CPU's
 * state here; always taken with interrupts masked (kernel_irq_exit
 * takes it in interrupt context). A switch happens with it held, and the
 * context switched to lets it go (xv6's rule): so no CPU can pick a
 * thread until the CPU leaving it has saved its registers. Nothing that
 * takes the bus lock runs under it (a reply's wake takes it under the
 * bus lock: bus before sched). Stacks are mapped and freed outside it.
 */
#include <string.h>
#include <aegis/bootparam.h>
#include <aegis/bus.h>
#include <aegis/topics.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/linux.h>
#include <aegis/mm.h>
#include <aegis/sched.h>
#include <aegis/service.h>
#include <aegis/smp.h>
#include <aegis/spinlock.h>
#include <aegis/sysfs.h>
#include <aegis/vm.h>
#include "core.h"

_Static_assert(SCHED_PRIOS == CORE_PRIOS, "priorities");
_Static_assert(SCHED_THREADS_MAX == CORE_THREADS, "thread table");
_Static_assert(SMP_CPUS_MAX == CORE_CPUS, "CPUs");

#define STACK_ORDER 2		/* 16 KiB */
_Static_assert(SCHED_STACK_SIZE == 4096 << STACK_ORDER, "stack size");

static uint32_t slice = 5;	/* ticks */
BOOT_PARAM_UINT(slice, "sched.slice", 1, 100,
		"time slice of a thread, in timer ticks (100 Hz)");

static struct thread {
	char name[SCHED_NAME_MAX];
	uint64_t sp;		/* saved context while not running */
	uint64_t stack_pa;
	void *stack;
	sched_fn fn;
	void *arg;
	uint64_t turn_start;	/* cycle counter when its turn began */
	bool keep_turn;		/* interrupted: its turn goes on */
	bool starting;		/* spawn is setting it up: not to be woken */
	bool reaping;		/* ended; a dispatcher gives back its stack */
	bool user;		/* it has a user part: */
	struct sched_user u;	/* its address space (owned: destroyed
				 * when the thread is reaped), entry and
				 * owner */
	int32_t exit_code;
	bool preemptible;	/* an interrupt may take the CPU from it */
	uint64_t switches;	/* times it was switched to */
	uint64_t migrations;	/* times it ran on another CPU than before */
	uint64_t cycles;	/* CPU time it has had */
	bool woken;		/* a wake that came before its block */
	uint64_t wakes;		/* sched_wake calls for it (sched_wakes) */
	bool kill;		/* to end when it next leaves the kernel */
	uint8_t last_cpu;	/* where it last ran */
	void *scratch;		/* a user thread's page for system calls */
	uint64_t scratch_pa;
	uint64_t tls;		/* its user thread pointer (sched_set_tls) */
	bool resume;		/* starts with the registers in its scratch
				 * page (sched_user.regs: fork) */
	/* a user thread's x87/SSE registers while it does not run (the
	 * kernel uses none: only user threads' are kept) */
	uint8_t fpu[HAL_FPU_AREA] __attribute__((aligned(16)));
} th[SCHED_THREADS_MAX];

/* What each CPU is doing. */
static struct cpu_state {
	uint64_t disp_sp;	/* its dispatcher's context */
	int current;		/* the running thread, -1: the dispatcher */
	uint64_t last_switch;	/* cycle counter at its last switch */
	uint64_t active_root;	/* the address space a user thread set */
	uint64_t kernel_root;	/* the one active before (the kernel's) */
	uint64_t switches;	/* to a thread */
	uint64_t preempts;	/* threads its interrupts took it from */
	uint64_t busy;		/* cycles its threads ran (not its
				 * dispatcher's: idle) */
} __attribute__((aligned(64))) cpu_st[SMP_CPUS_MAX];

/* masked interrupts always (kernel_irq_exit takes it in interrupt
 * context); held across every switch, released by the context switched
 * to */
static DEFINE_LOCK_CLASS(sched_class, "sched");
static spinlock_t lock = SPINLOCK_INIT(&sched_class);

static struct core core;
static bool up;
static struct sched_stats stats;

static unsigned int cpu_here(void)
{
	unsigned int i = hal_cpu_index();

	return i < SMP_CPUS_MAX ? i : 0;
}

static struct cpu_state *here(void)
{
	return &cpu_st[cpu_here()];
}

static void irq_off(void)
{
	hal_irq_cpu_enable(false);
}

static void irq_on(void)
{
	hal_irq_cpu_enable(true);
}

/* interrupts masked */
static void lock_take(void)
{
	spin_lock(&lock);
}

static void lock_give(void)
{
	spin_unlock(&lock);
}

/* The CPUs asleep waiting for work (core_place prefers them). */
static uint64_t idle_mask(void)
{
	uint64_t m = 0;

	for (uint64_t on = core.online; on; on &= on - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(on);

		if (smp_cpu_asleep(i))
			m |= 1ull << i;
	}
	return m;
}

/* Thread id was queued on cpu: make sure that CPU looks at it soon (an
 * IPI if it sleeps, or if it runs something less urgent, whose
 * kernel_irq_exit then preempts). Lock held. */
static void nudge(unsigned int cpu, int id)
{
	int cur;

	if (cpu == cpu_here())
		return;
	if (smp_kick(cpu))
		return;
	cur = cpu_st[cpu].current;
	if (cur >= 0 && core.t[cur].prio > core.t[id].prio)
		hal_ipi_send(cpu);
}

/* ---- switching ------------------------------------------------------- */

static uint64_t stack_top(int id)
{
	return (uint64_t)(uintptr_t)th[id].stack + SCHED_STACK_SIZE;
}

/* A thread's stack: its pages mapped in the HAL's stack window (slot:
 * the thread's id), with unmapped guard pages below, so an overflow
 * faults and is reported instead of running into other memory. If that
 * cannot be done (the boot page tables were kept), the direct map, once
 * said on the console. The kernel's tables are changed by one CPU at a
 * time (stacks_lock: taken with interrupts as they are, before the bus
 * lock the page-table allocator's calls to mm take). */
_Static_assert(SCHED_THREADS_MAX <= HAL_KSTACK_SLOTS, "a stack slot per thread");
static bool guarded = true;
static DEFINE_LOCK_CLASS(stacks_class, "sched.stacks");
static spinlock_t stacks_lock = SPINLOCK_INIT(&stacks_class);

static void *stack_map(int id, uint64_t pa, void *direct)
{
	uint64_t top;
	int rc;

	if (!guarded)
		return direct;
	spin_lock(&stacks_lock);
	rc = hal_kstack_map((uint32_t)id, pa, SCHED_STACK_SIZE, &vm_tables,
			    &top);
	spin_unlock(&stacks_lock);
	if (rc) {
		kprintf("sched: thread stacks without guard pages: %s\n",
			errno_desc(rc));
		guarded = false;
		return direct;
	}
	return (void *)(uintptr_t)(top - SCHED_STACK_SIZE);
}

static void stack_unmap(int id, const void *stack)
{
	if ((uint64_t)(uintptr_t)stack >= HAL_KSTACK_BASE) {
		spin_lock(&stacks_lock);
		hal_kstack_unmap((uint32_t)id, SCHED_STACK_SIZE, &vm_tables);
		spin_unlock(&stacks_lock);
		/* before the caller frees the frames: no CPU keeps them */
		smp_tlb_shootdown(0, (uint64_t)(uintptr_t)stack,
				  SCHED_STACK_SIZE);
	}
}

/* What a thread needs before it runs on this CPU: a user thread its
 * address space and its kernel stack for traps from user mode. */
static void prepare(struct cpu_state *c, int id)
{
	unsigned int cpu = cpu_here();

	if (th[id].last_cpu != cpu) {
		th[id].migrations++;
		th[id].last_cpu = (uint8_t)cpu;
	}
	if (!th[id].user)
		return;
	if (c->active_root != th[id].u.root) {
		uint64_t was = hal_mmu_activate(th[id].u.root);

		if (!c->active_root)
			c->kernel_root = was;	/* what to go back to */
		c->active_root = th[id].u.root;
	}
	/* every time: user mode can change it behind the kernel's back
	 * (loading a segment selector clears the FS base) */
	hal_user_tls_set(th[id].tls);
	hal_fpu_restore(th[id].fpu);
	hal_set_kernel_stack(stack_top(id));
}

/* Charge the time since this CPU's last switch to thread id (-1: the
 * dispatcher, not counted). */
static void account(struct cpu_state *c, int id)
{
	uint64_t now = hal_cycles();

	if (id >= 0) {
		th[id].cycles += now - c->last_switch;
		__atomic_store_n(&c->busy, c->busy + (now - c->last_switch),
				 __ATOMIC_RELAXED);
	}
	c->last_switch = now;
}

/* Thread id starts (or goes on with) its turn on this CPU. */
static void start_turn(struct cpu_state *c, int id)
{
	if (!th[id].keep_turn)
		th[id].turn_start = hal_cycles();
	th[id].keep_turn = false;
	th[id].switches++;
	c->switches++;
	stats.switches++;
	c->current = id;
	prepare(c, id);
}

/* From a thread to its CPU's dispatcher (interrupts masked, the lock
 * held). Returns when a dispatcher, maybe another CPU's, switches back
 * to this thread, the lock held again. */
static void to_dispatcher(void)
{
	struct cpu_state *c = here();
	int me = c->current;

	account(c, me);
	c->current = -1;
	if (th[me].user)
		hal_fpu_save(th[me].fpu);
	hal_ctx_switch(&th[me].sp, c->disp_sp);
}

/* From a thread to the next one its CPU's queues give, or to the
 * dispatcher if the bus has work or nobody is ready (interrupts masked,
 * the lock held). The calling thread's state is already set. */
static void switch_away(void)
{
	struct cpu_state *c = here();
	int me = c->current, next;

	if (bus_pending()) {
		to_dispatcher();
		return;
	}
	next = core_pick(&core, cpu_here());
	if (next == CORE_NONE) {
		to_dispatcher();
		return;
	}
	if (next == me) {	/* the only one ready: carry on */
		c->current = me;
		return;
	}
	account(c, me);
	if (th[me].user)
		hal_fpu_save(th[me].fpu);
	start_turn(c, next);
	hal_ctx_switch(&th[me].sp, th[next].sp);
}

/* The running thread, or -1. Code on a thread's own stack (the HAL's
 * stack window: slot n is thread n's) is that thread, wherever it runs:
 * no per-CPU lookup, nothing to mask (this is on every system call's
 * path). Elsewhere (a dispatcher's stack, or a stack in the direct map
 * when the window could not be used) this CPU's current thread, read
 * with interrupts masked, since a preemptible thread could otherwise
 * move to another CPU between finding its CPU and reading that CPU's
 * current thread. */
static int self(void)
{
	uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	bool was;
	int id;

	if (sp >= HAL_KSTACK_BASE &&
	    sp - HAL_KSTACK_BASE < (uint64_t)SCHED_THREADS_MAX * HAL_KSTACK_SLOT)
		return (int)((sp - HAL_KSTACK_BASE) / HAL_KSTACK_SLOT);
	was = hal_irq_cpu_save();
	id = here()->current;
	hal_irq_cpu_enable(was);
	return id;
}

static bool in_thread(void)
{
	return up && self() >= 0 && bus_current() == BUS_SVC_KERNEL;
}

/* No CPU may keep root active once its space goes back to mm: a CPU
 * that last ran one of its threads has it still (switching back costs a
 * table load the next thread of that space would not need). Run on such
 * a CPU by smp_call, interrupts masked. */
static void drop_root_here(void *arg)
{
	uint64_t root = *(const uint64_t *)arg;
	struct cpu_state *c = here();

	if (c->active_root != root)
		return;
	/* (cannot be: the space's threads have all ended) */
	if (c->current >= 0 && th[c->current].user &&
	    th[c->current].u.root == root)
		return;
	hal_mmu_activate(c->kernel_root);
	c->active_root = 0;
}

static void release_root(uint64_t root)
{
	uint64_t mask = 0;
	unsigned int me;
	bool was = hal_irq_cpu_save();

	me = cpu_here();
	drop_root_here(&root);
	for (unsigned int i = 0; i < SMP_CPUS_MAX; i++)
		if (i != me && core.online >> i & 1 &&
		    __atomic_load_n(&cpu_st[i].active_root,
				    __ATOMIC_ACQUIRE) == root)
			mask |= 1ull << i;
	hal_irq_cpu_enable(was);
	/* every thread of the space has ended: none sets it again */
	if (mask && smp_call_many(mask, drop_root_here, &root))
		panic("sched: CPUs %#llx kept an ended address space",
		      (unsigned long long)mask);
}

/* A thread that ended: its stack, and a user thread's address space
 * with every page in it, go back to mm. Its slot stays EXITED (and
 * reaping) until then. */
/* Whether a thread other than i still lives in address space root. */
static bool root_shared(int i, uint64_t root)
{
	bool shared = false;

	irq_off();
	lock_take();
	for (int j = 0; j < SCHED_THREADS_MAX && !shared; j++)
		shared = j != i && core.t[j].state != CORE_FREE &&
			 core.t[j].state != CORE_EXITED && th[j].user &&
			 th[j].u.root == root;
	lock_give();
	irq_on();
	return shared;
}

static void reap(int i)
{
	/* its pages first: an owner told below may let a waiting parent,
	 * on another CPU, count free memory at once */
	stack_unmap(i, th[i].stack);
	mm_page_free(th[i].stack_pa, STACK_ORDER);
	th[i].stack = NULL;
	if (th[i].scratch)
		mm_page_free(th[i].scratch_pa, 0);
	th[i].scratch = NULL;
	if (th[i].user) {
		/* the space's last thread: no CPU may keep it (its siblings
		 * run in it, and spawn sets none up with it) */
		if (!root_shared(i, th[i].u.root))
			release_root(th[i].u.root);
		/* an owner looks after the space itself (its threads may
		 * share it) */
		if (th[i].u.reaped)
			th[i].u.reaped(th[i].u.owner, i, th[i].exit_code);
		else if (mm_as_destroy(th[i].u.as_id))
			kprintf("sched: %s: its address space was not "
				"released\n", th[i].name);
	}
	irq_off();
	lock_take();
	core_release(&core, i);
	th[i].reaping = false;
	stats.threads--;
	lock_give();
	irq_on();
}

/* Threads that ended and are not reaped yet (a hint: the table is the
 * truth). */
static uint32_t exited;

/* Free the stacks of threads that ended (none runs on them now: an
 * ended thread's CPU let the lock go only once it had left its stack).
 * A user thread with an owner (a process) is the boot CPU's to reap:
 * its owner's end-of-process work removes the process's service and
 * closes its files, services bound to the boot CPU, which must not be
 * running a handler of that process meanwhile. */
static void reap_exited(void)
{
	bool boot = cpu_here() == 0, left = false;

	for (;;) {
		int id = -1;

		irq_off();
		lock_take();
		for (int i = 0; i < SCHED_THREADS_MAX && id < 0; i++) {
			if (core.t[i].state != CORE_EXITED || th[i].reaping)
				continue;
			if (!boot && th[i].user && th[i].u.reaped) {
				left = true;
				continue;
			}
			th[i].reaping = true;
			id = i;
		}
		if (id < 0 && !left)
			__atomic_store_n(&exited, 0, __ATOMIC_RELAXED);
		lock_give();
		irq_on();
		if (id < 0)
			break;
		reap(id);
	}
	if (left)
		smp_kick(0);
}

/* A thread waits in this CPU's queues, or in another's (one it might
 * take): a look without the lock, so it may be stale either way; a
 * thread queued here after it said no wakes this CPU (smp_kick). */
static bool ready_somewhere(unsigned int cpu)
{
	if (__atomic_load_n(&core.nready[cpu], __ATOMIC_ACQUIRE))
		return true;
	/* elsewhere, only what core_steal would take: a thread waiting
	 * behind another (a CPU with one thread ready and none running
	 * is about to run it, and looking under the lock would only hold
	 * that CPU up) */
	for (uint64_t on = core.online & ~(1ull << cpu); on; on &= on - 1) {
		unsigned int k = (unsigned int)__builtin_ctzll(on);
		uint32_t r = __atomic_load_n(&core.nready[k], __ATOMIC_RELAXED);

		if (r && r + __atomic_load_n(&core.nrunning[k],
					     __ATOMIC_RELAXED) >= 2)
			return true;
	}
	return false;
}

bool sched_run(void)
{
	struct cpu_state *c;
	bool ran = false;
	unsigned int cpu;
	int id;

	if (!up)
		return false;
	c = here();
	cpu = cpu_here();
	if (c->current >= 0 || bus_current() != BUS_SVC_KERNEL ||
	    !(core.online >> cpu & 1))
		return false;
	/* threads that ended elsewhere and are this CPU's to give back */
	if (cpu == 0 && __atomic_load_n(&exited, __ATOMIC_ACQUIRE))
		reap_exited();
	/* nothing ready here or anywhere to take: no lock (a CPU whose bus
	 * goes idle between messages looks here every time) */
	if (!ready_somewhere(cpu))
		return false;
	for (;;) {
		irq_off();
		lock_take();
		if (bus_pending()) {
			lock_give();
			irq_on();
			break;
		}
		id = core_pick(&core, cpu);
		if (id == CORE_NONE && core_steal(&core, cpu) != CORE_NONE)
			id = core_pick(&core, cpu);
		if (id == CORE_NONE) {
			lock_give();
			irq_on();
			break;
		}
		account(c, -1);
		start_turn(c, id);
		hal_ctx_switch(&c->disp_sp, th[id].sp);
		/* back: current is -1 again, the lock held */
		lock_give();
		irq_on();
		ran = true;
		reap_exited();
	}
	return ran;
}

bool sched_has_work(unsigned int cpu)
{
	return up && cpu < SMP_CPUS_MAX &&
	       (__atomic_load_n(&core.nready[cpu], __ATOMIC_SEQ_CST) != 0 ||
		(cpu == 0 && __atomic_load_n(&exited, __ATOMIC_SEQ_CST)));
}

/* Threads wait on this CPU at a slice's end: a CPU asleep with nothing
 * of its own, and which one of them may run on, is woken to take it
 * (core_steal in its sched_run). Lock held. */
static void balance(unsigned int cpu)
{
	uint64_t may = core_waiting_cpus(&core, cpu) & ~(1ull << cpu);

	for (; may; may &= may - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(may);

		if (core_load(&core, i) == 0 && smp_kick(i))
			return;
	}
}

void kernel_irq_exit(bool from_user, void *frame)
{
	struct cpu_state *c;
	unsigned int cpu, best, prio;
	bool expired;
	int me;

	if (!up)
		return;
	c = here();
	me = c->current;
	if (me < 0 || bus_current() != BUS_SVC_KERNEL)
		return;
	/* a thread of a process that is ending: it was in user mode, so no
	 * kernel code is half-way through and no lock is held; it ends with
	 * interrupts on (ending takes the bus lock, whose holder may wait
	 * for this CPU to answer a TLB shootdown) */
	if (from_user && th[me].kill) {
		irq_on();
		sched_exit_code(0);
	}
	/* a thread in user mode or a preemptible one, not inside an inline
	 * handler */
	if (!(from_user || th[me].preemptible))
		return;
	cpu = cpu_here();
	lock_take();
	prio = core.t[me].prio;
	best = core_best(&core, cpu);
	expired = hal_cycles() - th[me].turn_start >=
		  cycles_of_ns((uint64_t)slice * 10000000ull);
	/* its affinity no longer has this CPU: its turn ends, and
	 * core_ready queues it where it may run */
	if (!(core.t[me].affinity >> cpu & 1)) {
		expired = true;
		best = prio;
	}
	if (expired)
		balance(cpu);
	if (bus_pending()) {
		/* it keeps its turn unless that is over and another of its
		 * priority waits */
		bool keep = !(expired && best <= prio);

		core_ready(&core, me, keep);
		th[me].keep_turn = keep;
		c->preempts++;
		if (core.t[me].cpu != cpu)	/* moved by its affinity */
			nudge(core.t[me].cpu, me);
		to_dispatcher();
	} else if (best < prio || (expired && best == prio)) {
		bool keep = best < prio && !expired;

		core_ready(&core, me, keep);
		th[me].keep_turn = keep;
		c->preempts++;
		if (core.t[me].cpu != cpu)
			nudge(core.t[me].cpu, me);
		switch_away();
	} else if (expired) {
		th[me].turn_start = hal_cycles();	/* alone: a new turn */
	}
	lock_give();
	me = self();
	if (from_user && th[me].kill) {
		irq_on();
		sched_exit_code(0);
	}
	/* a signal for a Linux thread busy in user mode: taken now, not at
	 * its next system call */
	if (from_user && th[me].user && th[me].u.linux_abi)
		linux_irq_exit(frame);
}

/* ---- the thread calls -------------------------------------------------- */

_Static_assert(sizeof(struct HalUserRegs) <= 4096,
	       "a forked thread's registers fit in its scratch page");

static void thread_main(uint64_t id)
{
	/* switched to with the lock held */
	lock_give();
	irq_on();
	if (th[id].user) {
		/* leaves for user mode for good; back only on bad arguments.
		 * A forked thread's registers wait in its scratch page (which
		 * its system calls use only once it runs in user mode) */
		int rc = th[id].resume ?
			 hal_user_resume(th[id].scratch, stack_top((int)id)) :
			 hal_user_enter(th[id].u.pc, th[id].u.sp, th[id].u.arg,
					stack_top((int)id));

		kprintf("sched: %s: cannot enter user mode: %s\n",
			th[id].name, errno_desc(rc));
		sched_exit_code(rc);
	}
	th[id].fn(th[id].arg);
	sched_exit();
}

static int spawn(const char *name, unsigned int prio, sched_fn fn,
		 void *arg, const struct thread *user, uint64_t affinity);

int sched_spawn(const char *name, unsigned int prio, sched_fn fn, void *arg)
{
	if (!fn)
		return -AE_EINVAL;
	return spawn(name, prio, fn, arg, NULL, CORE_ALL);
}

int sched_spawn_on(const char *name, unsigned int prio, sched_fn fn,
		   void *arg, uint64_t cpus)
{
	if (!fn)
		return -AE_EINVAL;
	return spawn(name, prio, fn, arg, NULL, cpus);
}

unsigned int sched_threads_free(void)
{
	return SCHED_THREADS_MAX - stats.threads;
}

int sched_spawn_user(const char *name, unsigned int prio,
		     const struct sched_user *u)
{
	struct thread t;

	if (!u || !u->root)
		return -AE_EINVAL;
	memset(&t, 0, sizeof(t));
	t.user = true;
	t.u = *u;
	t.tls = u->tls;
	hal_fpu_init(t.fpu);
	return spawn(name, prio, NULL, NULL, &t, CORE_ALL);
}

int sched_user_replace(uint32_t as_id, uint64_t root, bool linux_abi)
{
	struct cpu_state *c;
	uint64_t old, was;
	int me;

	if (!in_thread() || !th[self()].user || !root)
		return -AE_EPERM;
	me = self();
	irq_off();
	lock_take();
	old = th[me].u.root;
	th[me].u.as_id = as_id;
	th[me].u.root = root;
	th[me].u.linux_abi = linux_abi;
	c = here();
	was = hal_mmu_activate(root);
	if (!c->active_root)
		c->kernel_root = was;
	c->active_root = root;
	/* a new program: no thread pointer, clean FP/SIMD registers */
	th[me].tls = 0;
	hal_user_tls_set(0);
	hal_fpu_init(th[me].fpu);
	hal_fpu_restore(th[me].fpu);
	lock_give();
	irq_on();
	/* no CPU keeps the old space: it goes back to mm next */
	release_root(old);
	return 0;
}

void sched_user_start(uint64_t pc, uint64_t sp)
{
	int me = self();
	int rc = hal_user_enter(pc, sp, 0, stack_top(me));

	kprintf("sched: %s: cannot enter user mode: %s\n", th[me].name,
		errno_desc(rc));
	sched_exit_code(rc);
}

uint64_t sched_slice_ns(void)
{
	return (uint64_t)__atomic_load_n(&slice, __ATOMIC_RELAXED) *
	       10000000ull;	/* ticks of 10 ms */
}

int sched_user_resume(const struct HalUserRegs *r)
{
	int me = self(), rc;

	memcpy(th[me].scratch, r, sizeof(*r));
	/* no interrupt between the stack's reuse and the return to user
	 * mode: the entry's return sets the user's flags again */
	irq_off();
	rc = hal_user_resume(th[me].scratch, stack_top(me));
	irq_on();
	return rc;
}

bool sched_caller_linux(void)
{
	int me = self();

	/* a system call from user mode: always a user thread, never inside
	 * a bus handler (so no bus_current() to ask: it costs a lock look) */
	return me >= 0 && th[me].user && th[me].u.linux_abi;
}

void *sched_owner(void)
{
	return in_thread() && th[self()].user ? th[self()].u.owner : NULL;
}

int sched_set_tls(uint64_t v)
{
	bool was;

	if (!in_thread() || !th[self()].user)
		return -AE_EPERM;
	was = hal_irq_cpu_save();	/* set where it runs, and said so */
	th[self()].tls = v;
	hal_user_tls_set(v);
	hal_irq_cpu_enable(was);
	return 0;
}

uint64_t sched_tls(void)
{
	return in_thread() ? th[self()].tls : 0;
}

void *sched_scratch(void)
{
	return in_thread() ? th[self()].scratch : NULL;
}

static void unreserve(int id)
{
	bool was = hal_irq_cpu_save();

	lock_take();
	core_remove(&core, id);
	th[id].starting = false;
	lock_give();
	hal_irq_cpu_enable(was);
}

static int spawn(const char *name, unsigned int prio, sched_fn fn,
		 void *arg, const struct thread *user, uint64_t affinity)
{
	uint64_t pa, spa = 0;
	void *va, *scratch = NULL;
	size_t n = name ? strlen(name) : 0;
	int id, rc, cpu;
	bool was;

	if (!up)
		return -AE_ENODEV;
	if (n == 0 || n >= SCHED_NAME_MAX || prio >= SCHED_PRIOS)
		return -AE_EINVAL;
	rc = mm_page_alloc(STACK_ORDER, &pa, &va);
	if (rc)
		return rc;
	/* a user thread's scratch page: its system calls copy through it
	 * (one page a thread: threads of one process run in parallel) */
	if (user && (rc = mm_page_alloc(0, &spa, &scratch)) != 0) {
		mm_page_free(pa, STACK_ORDER);
		return rc;
	}
	/* masked, and back as they were: this may run at boot, before the
	 * interrupt controllers are set up (init spawns from boot.done).
	 * The slot is taken, not yet ready (nobody runs or wakes it). */
	was = hal_irq_cpu_save();
	lock_take();
	if (affinity != CORE_ALL && !(affinity & core.online))
		id = -AE_EINVAL;
	else
		id = core_reserve(&core, prio, cpu_here());
	if (id >= 0) {
		if (user)
			th[id] = *user;
		else
			memset(&th[id], 0, sizeof(th[id]));
		th[id].starting = true;
		th[id].last_cpu = (uint8_t)cpu_here();
	}
	lock_give();
	hal_irq_cpu_enable(was);
	if (id < 0) {
		if (scratch)
			mm_page_free(spa, 0);
		mm_page_free(pa, STACK_ORDER);
		return id;
	}
	memcpy(th[id].name, name, n);
	th[id].fn = fn;
	th[id].arg = arg;
	th[id].scratch = scratch;
	th[id].scratch_pa = spa;
	if (user && user->u.regs) {
		memcpy(scratch, user->u.regs, sizeof(*user->u.regs));
		th[id].resume = true;
		th[id].u.regs = NULL;	/* the caller's: not kept */
	}
	th[id].stack = stack_map(id, pa, va);
	th[id].stack_pa = pa;
	rc = hal_ctx_init((uint64_t)(uintptr_t)th[id].stack,
			  stack_top(id), thread_main, (uint64_t)id, &th[id].sp);
	if (rc) {
		/* cannot happen with a page-aligned stack; undo anyway */
		stack_unmap(id, th[id].stack);
		unreserve(id);
		if (scratch)
			mm_page_free(spa, 0);
		mm_page_free(pa, STACK_ORDER);
		return rc;
	}
	was = hal_irq_cpu_save();
	lock_take();
	th[id].starting = false;
	stats.threads++;
	stats.spawned++;
	if (affinity != CORE_ALL)
		core_set_affinity(&core, id, affinity);
	if (th[id].user && th[id].u.tid_out)
		__atomic_store_n(th[id].u.tid_out, id, __ATOMIC_RELEASE);
	cpu = core_wake(&core, id, idle_mask());
	if (cpu >= 0)
		nudge((unsigned int)cpu, id);
	lock_give();
	hal_irq_cpu_enable(was);
	return id;
}

void sched_yield(void)
{
	if (!in_thread())
		return;
	irq_off();
	lock_take();
	core_ready(&core, self(), false);
	if (core.t[self()].cpu != cpu_here())	/* moved by its affinity */
		nudge(core.t[self()].cpu, self());
	switch_away();
	lock_give();
	irq_on();
}

int sched_sleep_ns(uint64_t ns)
{
	uint64_t cycles = cycles_of_ns(ns);

	if (!in_thread())
		return -AE_EDEADLK;
	irq_off();
	lock_take();
	core_sleep(&core, self(), hal_cycles() + (cycles ? cycles : 1));
	switch_away();
	lock_give();
	irq_on();
	return 0;
}

void sched_exit(void)
{
	sched_exit_code(0);
}

void sched_exit_code(int code)
{
	struct sched_exit_event ev;
	int me;

	if (!in_thread())
		panic("sched_exit outside a thread");
	me = self();
	th[me].exit_code = code;
	memset(&ev, 0, sizeof(ev));
	ev.id = me;
	ev.code = code;
	memcpy(ev.name, th[me].name, sizeof(ev.name));
	bus_publish(TOPIC_SCHED_THREAD_EXIT, BUS_PRIO_DEFAULT, &ev, sizeof(ev));
	irq_off();
	lock_take();
	core_exit(&core, me);
	__atomic_store_n(&exited, 1, __ATOMIC_RELEASE);
	to_dispatcher();
	panic("sched: an exited thread ran again");
}

void sched_preemptible(bool on)
{
	if (in_thread())
		th[self()].preemptible = on;
}

int sched_self(void)
{
	return in_thread() ? self() : -1;
}

const char *sched_name(int id)
{
	if (id < 0 || id >= SCHED_THREADS_MAX ||
	    core.t[id].state == CORE_FREE)
		return NULL;
	return th[id].name;
}

uint64_t sched_cpu_busy_ns(unsigned int cpu)
{
	return cpu < SMP_CPUS_MAX ?
	       ns_of_cycles(__atomic_load_n(&cpu_st[cpu].busy,
					    __ATOMIC_RELAXED)) : 0;
}

uint64_t sched_cpu_ns(int id)
{
	uint64_t c = 0;
	bool was;

	if (id < 0 || id >= SCHED_THREADS_MAX)
		return 0;
	/* what it had, and its turn so far when it runs now (a thread
	 * alone on a CPU may not be switched out for a long time) */
	was = hal_irq_cpu_save();
	lock_take();
	c = th[id].cycles;
	if (core.t[id].state == CORE_RUNNING &&
	    core.t[id].cpu < SMP_CPUS_MAX &&
	    cpu_st[core.t[id].cpu].current == id) {
		uint64_t now = hal_cycles(),
			 last = cpu_st[core.t[id].cpu].last_switch;

		if (now > last)
			c += now - last;
	}
	lock_give();
	hal_irq_cpu_enable(was);
	return ns_of_cycles(c);
}

int sched_cpu_of(int id)
{
	int cpu = -AE_EINVAL;
	bool was = hal_irq_cpu_save();

	lock_take();
	if (id >= 0 && id < SCHED_THREADS_MAX &&
	    core.t[id].state != CORE_FREE)
		cpu = core.t[id].cpu;
	lock_give();
	hal_irq_cpu_enable(was);
	return cpu;
}

uint64_t sched_affinity(int id)
{
	uint64_t cpus = 0;
	bool was;

	if (id < 0 || id >= SCHED_THREADS_MAX)
		return 0;
	was = hal_irq_cpu_save();
	lock_take();
	if (core.t[id].state != CORE_FREE && core.t[id].state != CORE_EXITED)
		cpus = core.t[id].affinity & core.online;
	lock_give();
	hal_irq_cpu_enable(was);
	return cpus;
}

int sched_set_affinity(int id, uint64_t cpus)
{
	int rc = -AE_EINVAL, cpu;
	bool was, move = false;

	if (id < 0 || id >= SCHED_THREADS_MAX)
		return -AE_EINVAL;
	was = hal_irq_cpu_save();
	lock_take();
	if (core.t[id].state != CORE_FREE && core.t[id].state != CORE_EXITED &&
	    !th[id].starting) {
		rc = core_set_affinity(&core, id, cpus);
		cpu = core.t[id].cpu;
		if (!rc && core.t[id].state == CORE_READY)
			nudge((unsigned int)cpu, id);
		/* the caller itself, now on a CPU it may not use: it moves */
		move = !rc && in_thread() && self() == id &&
		       !(cpus >> cpu_here() & 1);
	}
	lock_give();
	hal_irq_cpu_enable(was);
	if (move)
		sched_yield();
	return rc;
}

/* Blocking for bus_call_wait: the wake may come first (an interrupt
 * between the request being queued and the block lets the dispatcher
 * answer it, or another CPU's). */
static int block(void *ctx, uint64_t deadline)
{
	int me = (int)(intptr_t)ctx;
	int rc = 0;

	irq_off();
	lock_take();
	/* a thread being killed stops waiting, even if the kill's wake came
	 * before this block (and was taken for another's) */
	if (th[me].kill) {
		th[me].woken = false;
		lock_give();
		irq_on();
		return -AE_ETIMEDOUT;
	}
	if (th[me].woken) {
		th[me].woken = false;
		lock_give();
		irq_on();
		return 0;
	}
	core_block(&core, me, deadline);
	switch_away();
	/* back, maybe on another CPU */
	if ((core.t[me].timed_out && !th[me].woken) || th[me].kill)
		rc = -AE_ETIMEDOUT;	/* (a thread being killed stops
					 * waiting) */
	core.t[me].timed_out = 0;
	th[me].woken = false;
	lock_give();
	irq_on();
	return rc;
}

/* lock held */
static void wake_locked(int id)
{
	int cpu;

	if (th[id].starting)
		return;
	cpu = core_wake(&core, id, idle_mask());
	if (cpu < 0)
		th[id].woken = true;	/* not blocked yet */
	else
		nudge((unsigned int)cpu, id);
}

static void wake(void *ctx)
{
	bool was = hal_irq_cpu_save();

	lock_take();
	wake_locked((int)(intptr_t)ctx);
	lock_give();
	hal_irq_cpu_enable(was);
}

static const struct bus_waiter_ops waiter = { block, wake };

/* For bus_call from a thread on a CPU where its service may not run. */
static const struct bus_waiter_ops *thread_waiter(void **ctx)
{
	if (!in_thread())
		return NULL;
	th[self()].woken = false;
	*ctx = (void *)(intptr_t)self();
	return &waiter;
}

int sched_block(uint64_t timeout_ns)
{
	uint64_t c = cycles_of_ns(timeout_ns);

	if (!in_thread())
		return -AE_EDEADLK;
	return block((void *)(intptr_t)self(),
		     timeout_ns ? hal_cycles() + (c ? c : 1) : 0);
}

void sched_kill(int id)
{
	bool was;
	int cpu = -1;

	if (id < 0 || id >= SCHED_THREADS_MAX)
		return;
	was = hal_irq_cpu_save();
	lock_take();
	if (core.t[id].state != CORE_FREE && core.t[id].state != CORE_EXITED &&
	    !th[id].starting) {
		th[id].kill = true;
		wake_locked(id);
		/* running in user mode elsewhere: an interrupt there ends it
		 * now rather than at that CPU's next tick */
		if (core.t[id].state == CORE_RUNNING)
			cpu = core.t[id].cpu;
	}
	lock_give();
	hal_irq_cpu_enable(was);
	if (cpu >= 0 && (unsigned int)cpu != cpu_here())
		hal_ipi_send((unsigned int)cpu);
}

bool sched_killed(void)
{
	return in_thread() && th[self()].kill;
}

void sched_kick(int id)
{
	bool was;
	int cpu = -1;

	if (id < 0 || id >= SCHED_THREADS_MAX)
		return;
	was = hal_irq_cpu_save();
	lock_take();
	if (core.t[id].state == CORE_RUNNING)
		cpu = core.t[id].cpu;
	lock_give();
	hal_irq_cpu_enable(was);
	if (cpu >= 0 && (unsigned int)cpu != cpu_here())
		hal_ipi_send((unsigned int)cpu);
}

void sched_wake(int id)
{
	bool was;

	if (id < 0 || id >= SCHED_THREADS_MAX)
		return;
	was = hal_irq_cpu_save();
	lock_take();
	if (core.t[id].state != CORE_FREE && core.t[id].state != CORE_EXITED) {
		__atomic_add_fetch(&th[id].wakes, 1, __ATOMIC_RELEASE);
		wake_locked(id);
	}
	lock_give();
	hal_irq_cpu_enable(was);
}

uint64_t sched_wakes(void)
{
	return in_thread() ? __atomic_load_n(&th[self()].wakes,
					     __ATOMIC_ACQUIRE) : 0;
}

int sched_block_unless(uint64_t seen, uint64_t timeout_ns)
{
	uint64_t c = cycles_of_ns(timeout_ns), end;
	int me, rc;

	if (!in_thread())
		return -AE_EDEADLK;
	me = self();
	end = timeout_ns ? hal_cycles() + (c ? c : 1) : 0;
	for (;;) {
		if (__atomic_load_n(&th[me].wakes, __ATOMIC_ACQUIRE) != seen)
			return 0;
		rc = block((void *)(intptr_t)me, end);
		if (rc)
			return rc;
	}
}

int sched_call_as(bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		  const void *data, size_t len, struct bus_msg *reply,
		  uint64_t timeout_ns)
{
	uint64_t c = cycles_of_ns(timeout_ns);

	if (!in_thread())
		return -AE_EDEADLK;
	th[self()].woken = false;
	return bus_call_wait_as(src, dst, topic, BUS_PRIO_DEFAULT, data, len,
				reply, timeout_ns ? (c ? c : 1) : 0, &waiter,
				(void *)(intptr_t)self());
}

int sched_call(bus_svc_t dst, bus_topic_t topic, const void *data,
	       size_t len, struct bus_msg *reply, uint64_t timeout_ns)
{
	uint64_t c = cycles_of_ns(timeout_ns);

	if (!in_thread())
		return -AE_EDEADLK;
	th[self()].woken = false;
	return bus_call_wait(dst, topic, BUS_PRIO_DEFAULT, data, len, reply,
			     timeout_ns ? (c ? c : 1) : 0, &waiter,
			     (void *)(intptr_t)self());
}

const char *sched_state(int id)
{
	static const char *const names[] = {
		NULL, "ready", "running", "sleeping", "blocked", "exited",
	};

	if (id < 0 || id >= SCHED_THREADS_MAX)
		return NULL;
	return names[core.t[id].state];
}

void sched_get_stats(struct sched_stats *out)
{
	*out = stats;
	out->steals = core.steals;
}

void sched_cpu_online(unsigned int cpu)
{
	bool was;

	if (cpu >= SMP_CPUS_MAX)
		return;
	was = hal_irq_cpu_save();
	lock_take();
	cpu_st[cpu].current = -1;
	if (up)
		core_online(&core, cpu);
	lock_give();
	hal_irq_cpu_enable(was);
}

/* ---- the service ------------------------------------------------------- */

static int sched_init(void)
{
	/* a restart keeps the threads: they are the kernel's, not this
	 * handler's state */
	if (!up) {
		core_init(&core);
		memset(&stats, 0, sizeof(stats));
		for (unsigned int i = 0; i < SMP_CPUS_MAX; i++)
			cpu_st[i].current = -1;
		/* CPUs that came up first (none: smp_init runs after the
		 * services start) */
		for (unsigned int i = 1; i < SMP_CPUS_MAX; i++) {
			const struct smp_cpu *c = smp_cpu(i);

			if (c && __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) ==
			    SMP_ONLINE)
				core_online(&core, i);
		}
		__atomic_store_n(&up, true, __ATOMIC_RELEASE);
		bus_set_thread_waiter(thread_waiter);
	}
	return 0;
}

/* Sleeps and timed waits that are over, on whichever CPU they wait for. */
/* The load averages, as Linux keeps them (kernel/sched/loadavg.c): every
 * 5 s the threads running or ready are counted, and each average moves
 * towards the count by the share of its window (1, 5 and 15 minutes),
 * in fixed point with 11 fraction bits. */
#define LOAD_FSHIFT	11
#define LOAD_ONE	(1u << LOAD_FSHIFT)
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };
static uint64_t avenrun[3];
static uint64_t load_next;

/* the lock held */
static void load_sample(void)
{
	uint64_t n = 0;

	for (unsigned int c = 0; c < SMP_CPUS_MAX; c++)
		n += core.nready[c] + (cpu_st[c].current >= 0);
	for (int i = 0; i < 3; i++)
		avenrun[i] = (avenrun[i] * load_exp[i] +
			      n * LOAD_ONE * (LOAD_ONE - load_exp[i]) +
			      LOAD_ONE / 2) >> LOAD_FSHIFT;
}

void sched_loadavg(uint64_t out[3])
{
	bool was = hal_irq_cpu_save();

	lock_take();
	for (int i = 0; i < 3; i++)	/* sysinfo's 16 fraction bits */
		out[i] = avenrun[i] << (16 - LOAD_FSHIFT);
	lock_give();
	hal_irq_cpu_enable(was);
}

static void tick(void)
{
	uint64_t cpus;
	bool was = hal_irq_cpu_save();

	lock_take();
	stats.ticks++;
	if (stats.ticks >= load_next) {
		load_next = stats.ticks + 5ull * kernel_timer_hz();
		load_sample();
	}
	if (core_expire(&core, hal_cycles(), idle_mask(), &cpus))
		for (unsigned int i = 0; i < SMP_CPUS_MAX; i++)
			if (cpus >> i & 1)
				smp_kick(i);
	lock_give();
	hal_irq_cpu_enable(was);
}

static const struct sysfs_attr attrs[] = {
	{ "threads", 0444, 0 }, { "switches", 0444, 0 },
	{ "ticks", 0444, 0 }, { "slice", 0644, 0 }, { "steals", 0444, 0 },
	{ "cpus", 0444, 0 },
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

static uint32_t show_threads(char *buf, uint32_t size)
{
	uint32_t n = 0;
	int k = ksnprintf(buf, size, "id name             prio state    cpu "
			  "affinity           switches migrated   cpu_us\n");

	n = k < (int)size ? (uint32_t)k : size;
	for (int i = 0; i < SCHED_THREADS_MAX && n < size; i++) {
		if (core.t[i].state == CORE_FREE)
			continue;
		k = ksnprintf(buf + n, size - n, "%-2d %-16s %4u %-8s %3u "
			      "%#-16llx %8llu %8llu %8llu\n", i, th[i].name,
			      core.t[i].prio, sched_state(i), core.t[i].cpu,
			      (unsigned long long)(core.t[i].affinity &
						   core.online),
			      (unsigned long long)th[i].switches,
			      (unsigned long long)th[i].migrations,
			      (unsigned long long)(ns_of_cycles(th[i].cycles) /
						   1000));
		n += k < (int)(size - n) ? (uint32_t)k : size - n;
	}
	return n;
}

/* Each CPU that runs threads: the thread it runs (- for its dispatcher),
 * how many wait in its queues, switches to a thread there, and threads
 * its interrupts took it from. */
static uint32_t show_cpus(char *buf, uint32_t size)
{
	uint32_t n = 0;
	int k = ksnprintf(buf, size, "cpu running          ready switches "
			  "preempts\n");

	n = k < (int)size ? (uint32_t)k : size;
	for (unsigned int i = 0; i < SMP_CPUS_MAX && n < size; i++) {
		int cur;

		if (!(core.online >> i & 1))
			continue;
		cur = __atomic_load_n(&cpu_st[i].current, __ATOMIC_RELAXED);
		k = ksnprintf(buf + n, size - n, "%-3u %-16s %5u %8llu %8llu\n",
			      i, cur >= 0 ? th[cur].name : "-",
			      __atomic_load_n(&core.nready[i], __ATOMIC_RELAXED),
			      (unsigned long long)cpu_st[i].switches,
			      (unsigned long long)cpu_st[i].preempts);
		n += k < (int)(size - n) ? (uint32_t)k : size - n;
	}
	return n;
}

static int sysfs_request(const struct bus_msg *m, struct bus_msg *reply)
{
	struct sysfs_io io;
	char *buf;
	int rc;
	uint32_t n, v = 0;
	int k;

	if (m->topic == TOPIC_SYSFS_ATTR)
		return sysfs_attr_answer(attrs, NATTRS, m, reply);
	buf = sysfs_io_take(m, &io, m->topic == TOPIC_SYSFS_STORE, &rc);
	if (!buf)
		return rc;
	if (io.index >= NATTRS)
		return -AE_EINVAL;
	if (m->topic == TOPIC_SYSFS_STORE) {
		const char *s = buf;

		if (io.index != 3)
			return -AE_EACCES;
		for (uint32_t i = 0; i < io.len; i++) {
			if (s[i] < '0' || s[i] > '9' || v > 100) {
				v = 0;
				break;
			}
			v = v * 10 + (uint32_t)(s[i] - '0');
		}
		if (v < 1 || v > 100) {
			kprintf("sched: slice: 1 to 100 ticks\n");
			return -AE_EINVAL;
		}
		slice = v;
		return 0;
	}
	if (io.index == 0) {
		n = show_threads(buf, io.len);
	} else if (io.index == 5) {
		n = show_cpus(buf, io.len);
	} else {
		uint64_t vals[] = { 0, stats.switches, stats.ticks, slice,
				    core.steals };

		k = ksnprintf(buf, io.len, "%llu\n",
			      (unsigned long long)vals[io.index]);
		n = k < (int)io.len ? (uint32_t)k : io.len;
	}
	memcpy(reply->data, &n, sizeof(n));
	reply->len = sizeof(n);
	return 0;
}

static int sched_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	(void)state;
	if (m->kind == BUS_EVENT) {
		if (m->topic == TOPIC_HW_IRQ_TIMER && m->src == BUS_SVC_KERNEL)
			tick();
		return 0;
	}
	if (m->kind == BUS_REQUEST && m->topic == TOPIC_SCHED_TICKS) {
		memcpy(reply->data, &stats.ticks, sizeof(stats.ticks));
		reply->len = sizeof(stats.ticks);
		return 0;
	}
	if (m->kind == BUS_REQUEST &&
	    (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW || m->topic == TOPIC_SYSFS_STORE))
		return sysfs_request(m, reply);
	return -AE_ENOSYS;
}

SERVICE(sched,
	.name = "sched",
	.prio = SERVICE_PRIO(1),
	.init = sched_init,
	.handler = sched_handle,
	.subscribe = SUBSCRIBES_SCHED,
	.serves = SERVES_SCHED,
	.needs = SERVICE_LIST("mm"),
	.sysfs = "sched");
