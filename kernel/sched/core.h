/*
 * core.h - the scheduler's bookkeeping, apart from any hardware: which
 * threads exist, their states, each CPU's ready queues (one FIFO per
 * priority, 0 the most urgent), which CPUs each thread may run on, where
 * a waking thread goes, which thread an idle CPU takes from a busy one,
 * and the deadlines of sleeping and blocked threads. Pure, so it is
 * tested on the host; kernel/sched/sched.c adds the lock, stacks, context
 * switches, IPIs and the bus.
 *
 * Every thread has a CPU (t->cpu): the one whose queue it is in while
 * READY, the one running it while RUNNING, the one it last ran on
 * otherwise. It never is on a CPU outside its affinity and the online
 * set (c->online) once core_place chose it.
 *
 * States: READY (in its priority's queue), RUNNING (taken by
 * core_pick), SLEEPING (until a deadline), BLOCKED (until woken, or a
 * deadline if it has one), EXITED (done; its slot is freed by
 * core_release once its stack is no longer in use).
 */
#ifndef AEGIS_SCHED_CORE_H
#define AEGIS_SCHED_CORE_H

#include <aegis/types.h>

#define CORE_PRIOS	8
#define CORE_THREADS	64
#define CORE_NONE	(-1)
#define CORE_CPUS	64		/* == SMP_CPUS_MAX */
#define CORE_ALL	(~0ull)		/* an affinity: any CPU */

enum core_state {
	CORE_FREE = 0,
	CORE_READY,
	CORE_RUNNING,
	CORE_SLEEPING,
	CORE_BLOCKED,
	CORE_EXITED,
};

struct core_thread {
	uint8_t state;		/* enum core_state */
	uint8_t prio;
	uint8_t timed_out;	/* a BLOCKED thread's deadline passed */
	uint8_t cpu;		/* see above */
	int16_t next;		/* in its ready queue */
	int16_t pad2;
	uint64_t deadline;	/* SLEEPING / BLOCKED; 0: none */
	uint64_t affinity;	/* bit i: it may run on CPU i */
};

struct core {
	struct core_thread t[CORE_THREADS];
	int16_t head[CORE_CPUS][CORE_PRIOS], tail[CORE_CPUS][CORE_PRIOS];
	uint32_t nready[CORE_CPUS];	/* READY threads queued on each CPU */
	uint32_t nrunning[CORE_CPUS];	/* RUNNING threads on each (0 or 1) */
	uint64_t online;	/* CPUs that run threads (bit i: CPU i) */
	uint64_t steals;	/* threads core_steal moved */
};

/* core_init - empty, with CPU 0 online. */
void core_init(struct core *c);

/* core_online - CPU cpu runs threads from now on. -EINVAL past
 * CORE_CPUS. */
int core_online(struct core *c, unsigned int cpu);

/* core_add - a new READY thread at prio (0..CORE_PRIOS-1), at the tail
 * of CPU cpu's queue, allowed on every CPU. Its id, -EINVAL for a bad
 * priority or a CPU that is not online, -ENOSPC when full. */
int core_add(struct core *c, unsigned int prio, unsigned int cpu);

/* core_reserve - a new thread at prio whose slot is taken but which is
 * not ready yet: BLOCKED without a deadline on cpu, until core_wake.
 * Errors as core_add. */
int core_reserve(struct core *c, unsigned int prio, unsigned int cpu);

/* core_pick - take the most urgent READY thread of CPU cpu's queues (the
 * head of the first non-empty one): it becomes RUNNING there. Its id, or
 * CORE_NONE. */
int core_pick(struct core *c, unsigned int cpu);

/* core_best - the priority of the most urgent READY thread queued on
 * cpu, or CORE_PRIOS when none is. */
unsigned int core_best(const struct core *c, unsigned int cpu);

/* core_ready - a RUNNING thread goes back to READY on its CPU: at the
 * tail of its queue (it yielded, or used up its time slice) or at the
 * head (it was interrupted and keeps its turn). If its affinity no
 * longer allows that CPU, it goes to core_place's choice instead (at the
 * tail). 0 or -EINVAL if it is not RUNNING. */
int core_ready(struct core *c, int id, bool at_head);

/* core_sleep / core_block - a RUNNING thread stops until deadline (a
 * sleep needs one; a block may have none: 0). 0 or -EINVAL. */
int core_sleep(struct core *c, int id, uint64_t deadline);
int core_block(struct core *c, int id, uint64_t deadline);

/* core_wake - a SLEEPING or BLOCKED thread becomes READY, at the tail
 * of the queue of the CPU core_place chooses (idle: the CPUs that are
 * asleep waiting for work). Returns that CPU, or -EINVAL if it is in no
 * such state (a wake that comes too late, say, is harmless). */
int core_wake(struct core *c, int id, uint64_t idle);

/* core_place - the CPU where thread id should be queued to run soonest,
 * among those its affinity allows that are online:
 *  1. the CPU it last ran on, if nothing runs or waits there (its caches
 *     are warm);
 *  2. else a CPU with nothing running or waiting, one in idle first;
 *  3. else the one with the fewest threads running or waiting (its own
 *     CPU on a tie).
 * Nothing is changed. */
unsigned int core_place(const struct core *c, int id, uint64_t idle);

/* core_load - the threads running on cpu or waiting in its queues. */
unsigned int core_load(const struct core *c, unsigned int cpu);

/* core_steal - an idle CPU's load balancing: move to cpu's queue the
 * most urgent READY thread allowed on cpu, from the queues of the CPU
 * with the most threads waiting among those that have such a thread
 * (only a CPU where one waits while another runs, or two wait: a lone
 * READY thread on an otherwise idle CPU is about to run there). Its id,
 * or CORE_NONE. */
int core_steal(struct core *c, unsigned int cpu);

/* core_waiting_cpus - the online CPUs some READY thread queued on cpu
 * may run on (where balancing can send one). */
uint64_t core_waiting_cpus(const struct core *c, unsigned int cpu);

/* core_set_affinity - the CPUs thread id may run on (mask & online must
 * not be empty: -EINVAL). A READY thread queued where it may no longer
 * run moves to core_place's choice; a RUNNING one moves when it next
 * stops (core_ready). */
int core_set_affinity(struct core *c, int id, uint64_t mask);

/* core_expire - every SLEEPING or BLOCKED thread whose deadline is at or
 * before now becomes READY (a BLOCKED one with timed_out set), placed as
 * core_wake does. Returns how many; *cpus (if not NULL) gets the CPUs
 * whose queues received one. */
unsigned int core_expire(struct core *c, uint64_t now, uint64_t idle,
			 uint64_t *cpus);

/* core_next_deadline - the earliest deadline of a waiting thread, or 0. */
uint64_t core_next_deadline(const struct core *c);

/* core_exit - a RUNNING thread is done: EXITED. core_release - an
 * EXITED thread's slot is free again. 0 or -EINVAL. */
int core_exit(struct core *c, int id);
int core_release(struct core *c, int id);

/* core_remove - take a thread out whatever its state (out of its queue
 * if READY) and free its slot: undoing a core_add. 0 or -EINVAL. */
int core_remove(struct core *c, int id);

/* core_set_prio - change a thread's priority (a READY one moves to the
 * tail of its new queue). 0 or -EINVAL. */
int core_set_prio(struct core *c, int id, unsigned int prio);

#endif
