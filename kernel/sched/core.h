/*
 * core.h - the scheduler's bookkeeping, apart from any hardware: which
 * threads exist, their states, the ready queues (one FIFO per priority,
 * 0 the most urgent) and the deadlines of sleeping and blocked threads.
 * Pure, so it is tested on the host; kernel/sched/sched.c adds stacks,
 * context switches and the bus.
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
	uint8_t pad;
	int16_t next;		/* in its ready queue */
	int16_t pad2;
	uint64_t deadline;	/* SLEEPING / BLOCKED; 0: none */
};

struct core {
	struct core_thread t[CORE_THREADS];
	int16_t head[CORE_PRIOS], tail[CORE_PRIOS];
	uint32_t nready;
};

void core_init(struct core *c);

/* core_add - a new READY thread at prio (0..CORE_PRIOS-1), at the tail
 * of its queue. Its id, -EINVAL for a bad priority, -ENOSPC when full. */
int core_add(struct core *c, unsigned int prio);

/* core_pick - take the most urgent READY thread (the head of the first
 * non-empty queue): it becomes RUNNING. Its id, or CORE_NONE. */
int core_pick(struct core *c);

/* core_best - the priority of the most urgent READY thread, or
 * CORE_PRIOS when none is ready. */
unsigned int core_best(const struct core *c);

/* core_ready - a RUNNING thread goes back to READY: at the tail of its
 * queue (it yielded, or used up its time slice) or at the head (it was
 * interrupted and keeps its turn). 0 or -EINVAL if it is not RUNNING. */
int core_ready(struct core *c, int id, bool at_head);

/* core_sleep / core_block - a RUNNING thread stops until deadline (a
 * sleep needs one; a block may have none: 0). 0 or -EINVAL. */
int core_sleep(struct core *c, int id, uint64_t deadline);
int core_block(struct core *c, int id, uint64_t deadline);

/* core_wake - a SLEEPING or BLOCKED thread becomes READY (tail). 0, or
 * -EINVAL if it is in no such state (a wake that comes too late, say,
 * is harmless). */
int core_wake(struct core *c, int id);

/* core_expire - every SLEEPING or BLOCKED thread whose deadline is at or
 * before now becomes READY (a BLOCKED one with timed_out set). Returns
 * how many. */
unsigned int core_expire(struct core *c, uint64_t now);

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
