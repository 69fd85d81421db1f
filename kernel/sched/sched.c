/*
 * sched.c - the scheduler, kernel core: kernel threads on their own
 * stacks, run by priority whenever the bus dispatcher has nothing to
 * deliver (see aegis/sched.h; the bookkeeping is core.c, the switch the
 * HAL's).
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
 *  - The dispatcher (the kernel's main loop, on the boot stack) delivers
 *    bus messages; when none is pending, sched_run switches to the most
 *    urgent ready thread.
 *  - A thread runs until it yields, sleeps, blocks in sched_call, exits,
 *    or (if it is preemptible) an interrupt leaves bus work pending
 *    (kernel_irq_exit): then the CPU goes back to the dispatcher. A thread that yields while the bus
 *    is idle switches straight to the next thread.
 *  - The timer tick ("hw.irq.timer") reaches this service's handler like
 *    any event: it wakes the threads whose deadline passed and moves a
 *    thread that used up its slice to the back of its queue.
 *
 * Interrupts are masked around every switch; the HAL's switch keeps the
 * callee-saved registers, and each context's own code unmasks them again
 * (or returns from its interrupt).
 */
#include <string.h>
#include <aegis/bootparam.h>
#include <aegis/bus.h>
#include <aegis/topics.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/sched.h>
#include <aegis/service.h>
#include <aegis/smp.h>
#include <aegis/sysfs.h>
#include <aegis/vm.h>
#include "core.h"

_Static_assert(SCHED_PRIOS == CORE_PRIOS, "priorities");
_Static_assert(SCHED_THREADS_MAX == CORE_THREADS, "thread table");

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
	uint64_t ran_ticks;	/* ticks of its current turn */
	bool keep_turn;		/* interrupted: its turn goes on */
	bool user;		/* it has a user part: */
	struct sched_user u;	/* its address space (owned: destroyed
				 * when the thread is reaped), entry and
				 * owner */
	int32_t exit_code;
	bool preemptible;	/* an interrupt may take the CPU from it */
	uint64_t switches;	/* times it was switched to */
	uint64_t cycles;	/* CPU time it has had */
	bool woken;		/* a wake that came before its block */
	bool kill;		/* to end when it next leaves the kernel */
} th[SCHED_THREADS_MAX];

static struct core core;
static uint64_t disp_sp;	/* the dispatcher's context */
static int current = -1;	/* the running thread, -1: the dispatcher */
static int preempted = -1;	/* the thread the last interrupt stopped */
static uint64_t last_switch;	/* cycle counter at the last switch */
static uint64_t active_root;	/* the address space a user thread set */
static uint64_t kernel_root;	/* the one active before (the kernel's) */
static bool up;
static struct sched_stats stats;

/* ---- switching ------------------------------------------------------- */

static uint64_t stack_top(int id)
{
	return (uint64_t)(uintptr_t)th[id].stack + SCHED_STACK_SIZE;
}

/* A thread's stack: its pages mapped in the HAL's stack window (slot:
 * the thread's id), with unmapped guard pages below, so an overflow
 * faults and is reported instead of running into other memory. If that
 * cannot be done (the boot page tables were kept), the direct map, once
 * said on the console. */
_Static_assert(SCHED_THREADS_MAX <= HAL_KSTACK_SLOTS, "a stack slot per thread");
static bool guarded = true;

static void *stack_map(int id, uint64_t pa, void *direct)
{
	uint64_t top;
	int rc;

	if (!guarded)
		return direct;
	rc = hal_kstack_map((uint32_t)id, pa, SCHED_STACK_SIZE, &vm_tables,
			    &top);
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
		hal_kstack_unmap((uint32_t)id, SCHED_STACK_SIZE, &vm_tables);
		/* before the caller frees the frames: no CPU keeps them */
		smp_tlb_shootdown(0, (uint64_t)(uintptr_t)stack,
				  SCHED_STACK_SIZE);
	}
}

/* What a thread needs before it runs: a user thread its address space
 * and its kernel stack for traps from user mode. */
static void prepare(int id)
{
	if (!th[id].user)
		return;
	if (active_root != th[id].u.root) {
		uint64_t was = hal_mmu_activate(th[id].u.root);

		if (!active_root)
			kernel_root = was;	/* what to go back to */
		active_root = th[id].u.root;
	}
	hal_set_kernel_stack(stack_top(id));
}

/* Charge the time since the last switch to thread id (-1: the
 * dispatcher, not counted). */
static void account(int id)
{
	uint64_t now = hal_cycles();

	if (id >= 0)
		th[id].cycles += now - last_switch;
	last_switch = now;
}

static void irq_off(void)
{
	hal_irq_cpu_enable(false);
}

static void irq_on(void)
{
	hal_irq_cpu_enable(true);
}

/* From a thread to the dispatcher (interrupts masked). Returns when the
 * dispatcher switches back to this thread. */
static void to_dispatcher(void)
{
	int me = current;

	account(me);
	current = -1;
	hal_ctx_switch(&th[me].sp, disp_sp);
}

/* From a thread to the next one the core picks, or to the dispatcher if
 * the bus has work or nobody is ready (interrupts masked). The calling
 * thread's state is already set. */
static void switch_away(void)
{
	int me = current, next;

	if (bus_pending()) {
		to_dispatcher();
		return;
	}
	next = core_pick(&core);
	if (next == CORE_NONE) {
		to_dispatcher();
		return;
	}
	if (next == me) {	/* the only one ready: carry on */
		current = me;
		return;
	}
	account(me);
	current = next;
	th[next].ran_ticks = 0;
	th[next].switches++;
	stats.switches++;
	prepare(next);
	hal_ctx_switch(&th[me].sp, th[next].sp);
}

static bool in_thread(void)
{
	return up && current >= 0 && bus_current() == BUS_SVC_KERNEL;
}

/* A thread that ended: its stack, and a user thread's address space
 * with every page in it, go back to mm. */
static void reap(int i)
{
	if (th[i].user) {
		if (active_root == th[i].u.root) {
			hal_mmu_activate(kernel_root);
			active_root = 0;
		}
		/* an owner looks after the space itself (its threads may
		 * share it) */
		if (th[i].u.reaped)
			th[i].u.reaped(th[i].u.owner, i, th[i].exit_code);
		else if (mm_as_destroy(th[i].u.as_id))
			kprintf("sched: %s: its address space was not "
				"released\n", th[i].name);
	}
	stack_unmap(i, th[i].stack);
	mm_page_free(th[i].stack_pa, STACK_ORDER);
	th[i].stack = NULL;
	core_release(&core, i);
	stats.threads--;
}

bool sched_run(void)
{
	bool ran = false;
	int id;

	if (!up || current >= 0 || bus_current() != BUS_SVC_KERNEL)
		return false;
	for (;;) {
		irq_off();
		if (bus_pending()) {
			irq_on();
			break;
		}
		id = core_pick(&core);
		if (id == CORE_NONE) {
			irq_on();
			break;
		}
		current = id;
		if (!th[id].keep_turn)
			th[id].ran_ticks = 0;
		th[id].keep_turn = false;
		th[id].switches++;
		stats.switches++;
		prepare(id);
		account(-1);
		hal_ctx_switch(&disp_sp, th[id].sp);
		/* back: current is -1 again */
		irq_on();
		ran = true;
		/* free the stacks of threads that ended (none runs on them
		 * now: the dispatcher does) */
		for (int i = 0; i < SCHED_THREADS_MAX; i++)
			if (core.t[i].state == CORE_EXITED)
				reap(i);
	}
	return ran;
}

void kernel_irq_exit(bool from_user)
{
	int me = current;

	/* The threads, the dispatcher and the bus run on the boot CPU only:
	 * another CPU's interrupt (an IPI) must not switch it to them. */
	if (hal_cpu_index() != 0)
		return;
	if (!up || me < 0 || bus_current() != BUS_SVC_KERNEL)
		return;
	/* a thread of a process that is ending: it was in user mode, so no
	 * kernel code is half-way through */
	if (from_user && th[me].kill)
		sched_exit_code(0);
	/* a thread in user mode or a preemptible one, not inside an inline
	 * handler, with bus work waiting */
	if (!(from_user || th[me].preemptible) || !bus_pending())
		return;
	core_ready(&core, me, true);	/* it keeps its turn */
	th[me].keep_turn = true;
	preempted = me;
	to_dispatcher();
	if (from_user && th[me].kill)
		sched_exit_code(0);
}

/* ---- the thread calls -------------------------------------------------- */

static void thread_main(uint64_t id)
{
	irq_on();
	if (th[id].user) {
		/* leaves for user mode for good; back only on bad arguments */
		int rc = hal_user_enter(th[id].u.pc, th[id].u.sp, th[id].u.arg,
					stack_top((int)id));

		kprintf("sched: %s: cannot enter user mode: %s\n",
			th[id].name, errno_desc(rc));
		sched_exit_code(rc);
	}
	th[id].fn(th[id].arg);
	sched_exit();
}

static int spawn(const char *name, unsigned int prio, sched_fn fn,
		 void *arg, const struct thread *user);

int sched_spawn(const char *name, unsigned int prio, sched_fn fn, void *arg)
{
	if (!fn)
		return -AE_EINVAL;
	return spawn(name, prio, fn, arg, NULL);
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
	return spawn(name, prio, NULL, NULL, &t);
}

void *sched_owner(void)
{
	return in_thread() && th[current].user ? th[current].u.owner : NULL;
}

static int spawn(const char *name, unsigned int prio, sched_fn fn,
		 void *arg, const struct thread *user)
{
	uint64_t pa;
	void *va;
	size_t n = name ? strlen(name) : 0;
	int id, rc;
	bool was;

	if (!up)
		return -AE_ENODEV;
	if (n == 0 || n >= SCHED_NAME_MAX || prio >= SCHED_PRIOS)
		return -AE_EINVAL;
	rc = mm_page_alloc(STACK_ORDER, &pa, &va);
	if (rc)
		return rc;
	/* masked, and back as they were: this may run at boot, before the
	 * interrupt controllers are set up (init spawns from boot.done) */
	was = hal_irq_cpu_save();
	id = core_add(&core, prio);
	if (id < 0) {
		hal_irq_cpu_enable(was);
		mm_page_free(pa, STACK_ORDER);
		return id;
	}
	if (user)
		th[id] = *user;
	else
		memset(&th[id], 0, sizeof(th[id]));
	memcpy(th[id].name, name, n);
	th[id].fn = fn;
	th[id].arg = arg;
	th[id].stack = stack_map(id, pa, va);
	th[id].stack_pa = pa;
	rc = hal_ctx_init((uint64_t)(uintptr_t)th[id].stack,
			  stack_top(id), thread_main, (uint64_t)id, &th[id].sp);
	if (rc) {
		/* cannot happen with a page-aligned stack; undo anyway */
		stack_unmap(id, th[id].stack);
		core_remove(&core, id);
		hal_irq_cpu_enable(was);
		mm_page_free(pa, STACK_ORDER);
		return rc;
	}
	stats.threads++;
	stats.spawned++;
	hal_irq_cpu_enable(was);
	return id;
}

void sched_yield(void)
{
	if (!in_thread())
		return;
	irq_off();
	core_ready(&core, current, false);
	switch_away();
	irq_on();
}

int sched_sleep_ns(uint64_t ns)
{
	uint64_t cycles = cycles_of_ns(ns);

	if (!in_thread())
		return -AE_EDEADLK;
	irq_off();
	core_sleep(&core, current, hal_cycles() + (cycles ? cycles : 1));
	switch_away();
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
	int me = current;

	if (!in_thread())
		panic("sched_exit outside a thread");
	th[me].exit_code = code;
	memset(&ev, 0, sizeof(ev));
	ev.id = me;
	ev.code = code;
	memcpy(ev.name, th[me].name, sizeof(ev.name));
	bus_publish(TOPIC_SCHED_THREAD_EXIT, BUS_PRIO_DEFAULT, &ev, sizeof(ev));
	irq_off();
	core_exit(&core, me);
	to_dispatcher();
	panic("sched: an exited thread ran again");
}

void sched_preemptible(bool on)
{
	if (in_thread())
		th[current].preemptible = on;
}

int sched_self(void)
{
	return in_thread() ? current : -1;
}

const char *sched_name(int id)
{
	if (id < 0 || id >= SCHED_THREADS_MAX ||
	    core.t[id].state == CORE_FREE)
		return NULL;
	return th[id].name;
}

/* Blocking for bus_call_wait: the wake may come first (an interrupt
 * between the request being queued and the block lets the dispatcher
 * answer it). */
static int block(void *ctx, uint64_t deadline)
{
	int me = (int)(intptr_t)ctx;
	int rc = 0;

	irq_off();
	if (th[me].woken) {
		th[me].woken = false;
		irq_on();
		return 0;
	}
	core_block(&core, me, deadline);
	switch_away();
	if ((core.t[me].timed_out && !th[me].woken) || th[me].kill)
		rc = -AE_ETIMEDOUT;	/* (a thread being killed stops
					 * waiting) */
	core.t[me].timed_out = 0;
	th[me].woken = false;
	irq_on();
	return rc;
}

static void wake(void *ctx)
{
	int id = (int)(intptr_t)ctx;

	if (core_wake(&core, id))
		th[id].woken = true;	/* not blocked yet */
}

static const struct bus_waiter_ops waiter = { block, wake };

int sched_block(uint64_t timeout_ns)
{
	uint64_t c = cycles_of_ns(timeout_ns);

	if (!in_thread())
		return -AE_EDEADLK;
	return block((void *)(intptr_t)current,
		     timeout_ns ? hal_cycles() + (c ? c : 1) : 0);
}

void sched_kill(int id)
{
	if (id < 0 || id >= SCHED_THREADS_MAX || !th[id].user ||
	    core.t[id].state == CORE_FREE || core.t[id].state == CORE_EXITED)
		return;
	th[id].kill = true;
	if (core_wake(&core, id))
		th[id].woken = true;	/* (not blocked now) */
}

bool sched_killed(void)
{
	return in_thread() && th[current].kill;
}

void sched_wake(int id)
{
	if (id >= 0 && id < SCHED_THREADS_MAX &&
	    core.t[id].state != CORE_FREE && core.t[id].state != CORE_EXITED)
		wake((void *)(intptr_t)id);
}

int sched_call_as(bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		  const void *data, size_t len, struct bus_msg *reply,
		  uint64_t timeout_ns)
{
	uint64_t c = cycles_of_ns(timeout_ns);

	if (!in_thread())
		return -AE_EDEADLK;
	th[current].woken = false;
	return bus_call_wait_as(src, dst, topic, BUS_PRIO_DEFAULT, data, len,
				reply, timeout_ns ? (c ? c : 1) : 0, &waiter,
				(void *)(intptr_t)current);
}

int sched_call(bus_svc_t dst, bus_topic_t topic, const void *data,
	       size_t len, struct bus_msg *reply, uint64_t timeout_ns)
{
	uint64_t c = cycles_of_ns(timeout_ns);

	if (!in_thread())
		return -AE_EDEADLK;
	th[current].woken = false;
	return bus_call_wait(dst, topic, BUS_PRIO_DEFAULT, data, len, reply,
			     timeout_ns ? (c ? c : 1) : 0, &waiter,
			     (void *)(intptr_t)current);
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
}

/* ---- the service ------------------------------------------------------- */

static int sched_init(void)
{
	/* a restart keeps the threads: they are the kernel's, not this
	 * handler's state */
	if (!up) {
		core_init(&core);
		memset(&stats, 0, sizeof(stats));
		up = true;
	}
	return 0;
}

static void tick(void)
{
	stats.ticks++;
	core_expire(&core, hal_cycles());
	/* the thread the tick interrupted: charge it; a used-up slice
	 * sends it to the back of its queue */
	if (preempted >= 0 && core.t[preempted].state == CORE_READY &&
	    ++th[preempted].ran_ticks >= slice) {
		core_set_prio(&core, preempted, core.t[preempted].prio);
		th[preempted].ran_ticks = 0;
		th[preempted].keep_turn = false;
	}
	preempted = -1;
}

static const struct sysfs_attr attrs[] = {
	{ "threads", 0444, 0 }, { "switches", 0444, 0 },
	{ "ticks", 0444, 0 }, { "slice", 0644, 0 },
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

static uint32_t show_threads(char *buf, uint32_t size)
{
	uint32_t n = 0;
	int k = ksnprintf(buf, size, "id name             prio state    "
			  "switches   cpu_us\n");

	n = k < (int)size ? (uint32_t)k : size;
	for (int i = 0; i < SCHED_THREADS_MAX && n < size; i++) {
		if (core.t[i].state == CORE_FREE)
			continue;
		k = ksnprintf(buf + n, size - n, "%-2d %-16s %4u %-8s %8llu "
			      "%8llu\n", i, th[i].name, core.t[i].prio,
			      sched_state(i),
			      (unsigned long long)th[i].switches,
			      (unsigned long long)(ns_of_cycles(th[i].cycles) /
						   1000));
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
	} else {
		k = ksnprintf(buf, io.len, "%llu\n",
			      (unsigned long long)(io.index == 1 ?
						   stats.switches : io.index ==
						   2 ? stats.ticks : slice));
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
