/*
 * aegis/sched.h - threads and the scheduler (kernel/sched/).
 *
 * Each CPU's main loop is its bus dispatcher; threads run on a CPU when
 * its dispatcher has nothing to deliver. Each thread has its own stack;
 * switching is the HAL's (hal_ctx_switch). The scheduler, kernel core
 * (its bus endpoint is named "sched"), keeps a ready queue per CPU and
 * picks the most urgent ready thread there (priority 0..7, 0 first;
 * round robin within a priority, a time slice of sched.slice= ticks),
 * places a thread that becomes ready on a free CPU its affinity allows,
 * lets an idle CPU take a thread waiting on a busy one, wakes sleepers
 * on the timer tick (the "hw.irq.timer" bus event) and hands the CPU
 * back to the dispatcher whenever an interrupt leaves bus work pending
 * and the thread is preemptible (docs/SCHEDULER.md, docs/SMP.md).
 *
 * Preemption: kernel code is not reentrant (the bus's queues, kmalloc's
 * magazines), so a kernel thread is preempted only where it says it may
 * be: sched_preemptible(true) around work that calls no kernel service
 * (computation, touching its own memory). Elsewhere it runs until it
 * yields, sleeps, blocks or ends, as kernel code does in a kernel
 * without kernel preemption. User threads are preempted anywhere
 * in user mode. A thread is never preempted inside a handler it runs
 * inline (bus_call from a thread), even if preemptible.
 *
 * Thread context is code running on a thread's stack outside handlers;
 * the calls marked so refuse other contexts with -EDEADLK.
 *
 * Bus contract of the "sched" service:
 *   "sched.thread.exit"  event, struct sched_exit_event, for each thread
 *                        that ended
 *   "sched.ticks"        request, no payload: uint64_t timer ticks seen
 *                        (devfs's /dev/timer)
 *   /sys/sched           threads (with each one's CPU, affinity,
 *                        switches, migrations and CPU time), switches,
 *                        ticks, slice (its own attributes, aegis/sysfs.h;
 *                        slice is writable), steals
 */
#ifndef AEGIS_SCHED_H
#define AEGIS_SCHED_H

#include <aegis/bus.h>

#define SCHED_PRIOS		8
#define SCHED_THREADS_MAX	64
#define SCHED_NAME_MAX		16
#define SCHED_STACK_SIZE	16384

typedef void (*sched_fn)(void *arg);

struct sched_exit_event {
	int32_t id;
	int32_t code;		/* its exit code; a killed thread's is
				 * -EFAULT */
	char name[SCHED_NAME_MAX];
};

/* sched_spawn - a new kernel thread running fn(arg) at prio; it ends
 * when fn returns (or calls sched_exit). Its id, or -EINVAL (bad name,
 * priority or fn), -ENOSPC (thread table full), -ENOMEM (no stack),
 * -ENODEV (the sched service is not running). Any context. */
int sched_spawn(const char *name, unsigned int prio, sched_fn fn, void *arg);

/* sched_spawn_on - sched_spawn of a thread that runs only on the CPUs of
 * mask (bit i: CPU i) from the start; -EINVAL if none of them runs
 * threads. */
int sched_spawn_on(const char *name, unsigned int prio, sched_fn fn,
		   void *arg, uint64_t cpus);

/* sched_set_affinity - thread id runs only on the CPUs of mask from now
 * on (a waiting thread moves at once; the caller itself, if it is id,
 * before this returns). 0, or -EINVAL (no such thread, or no CPU of mask
 * runs threads). Any context. */
int sched_set_affinity(int id, uint64_t cpus);

/* sched_affinity - the CPUs that run threads on which thread id may run
 * (bit i: CPU i); 0 for no such thread. Any context. */
uint64_t sched_affinity(int id);

/* sched_cpu_of - the CPU thread id runs on, waits for, or last ran on;
 * -EINVAL for no such thread. Any context. */
int sched_cpu_of(int id);

/* sched_cpu_ns - the CPU time thread id has had so far, in ns (0 for a
 * free slot; up to its last switch). Any context. */
uint64_t sched_cpu_ns(int id);
/* sched_cpu_busy_ns - the time CPU cpu ran threads since boot (the rest
 * it was idle, in its dispatcher); as of its last switch. */
uint64_t sched_cpu_busy_ns(unsigned int cpu);

/* A user thread: it starts at pc with stack pointer sp in the address
 * space as_id (root its table, from mm_as_create), which it owns: the
 * space and every page in it go back to mm when the thread has ended.
 * With a reaped callback, the owner looks after the space instead:
 * reaped runs in the dispatcher with owner, the thread's id and its exit
 * code, and the process layer (aegis/proc.h) lets go of the space (when
 * its last thread has ended) and what else the process held. */
struct sched_user {
	uint32_t as_id;
	uint64_t root, pc, sp;
	void (*reaped)(void *owner, int id, int code);
	void *owner;
	uint64_t arg;		/* in the first argument register */
	int *tid_out;		/* if not NULL: gets the thread's id before
				 * it can run */
	bool linux_abi;		/* its system calls are Linux's (aegis/linux.h) */
	/* fork: if not NULL, the thread starts with this whole register
	 * file (hal_syscall_regs) instead of pc, sp and arg; tls its
	 * thread pointer (x86_64's FS base; AArch64's is in regs) */
	const struct HalUserRegs *regs;
	uint64_t tls;
};

/* sched_spawn_user - start a user thread (its traps and system calls run
 * on its kernel stack). Errors as sched_spawn. */
/* sched_threads_free - thread slots not in use. Any context. */
unsigned int sched_threads_free(void);

int sched_spawn_user(const char *name, unsigned int prio,
		     const struct sched_user *u);

/* For execve (kernel/proc.c), in the calling user thread:
 * sched_user_replace - run in address space as_id (root) from now on,
 * with linux_abi's system calls, no thread pointer and clean FP/SIMD
 * registers; no CPU keeps the old space active after it (the caller
 * gives it back to mm). -EPERM outside a user thread.
 * sched_user_start - leave for user mode at pc with stack sp, every
 * register zero, for good (the kernel stack starts again). */
int sched_user_replace(uint32_t as_id, uint64_t root, bool linux_abi);
void sched_user_start(uint64_t pc, uint64_t sp) __noreturn;
/* sched_slice_ns - a thread's turn (the sched.slice ticks), in ns. */
uint64_t sched_slice_ns(void);
/* sched_user_resume - leave for user mode with the register file r (a
 * signal's handler, rt_sigreturn): copied to the thread's scratch page
 * first, since the entry reuses this stack. Returns only for a register
 * file hal_user_resume refuses (its pc or sp outside the user range):
 * -EINVAL. */
struct HalUserRegs;
int sched_user_resume(const struct HalUserRegs *r);

/* sched_caller_linux - for the system-call entry only (kernel/syscall.c),
 * where the caller is always a user thread: whether its calls are
 * Linux's (sched_user.linux_abi). One call on every system call's path,
 * and no look at the bus. */
bool sched_caller_linux(void);

/* sched_set_tls - the running user thread's thread pointer (x86_64's FS
 * base: Linux's arch_prctl) is v from now on, here and on every CPU it
 * runs on; v must be a user address (the caller checks). -EPERM outside
 * a user thread. sched_tls - what it is. */
int sched_set_tls(uint64_t v);
uint64_t sched_tls(void);

/* sched_scratch - the running user thread's own page (4 KiB) for data
 * its system calls copy between user memory and services; NULL for a
 * kernel thread or outside thread context. */
void *sched_scratch(void);

/* sched_owner - the running user thread's owner, or NULL (a kernel
 * thread, or outside thread context). */
void *sched_owner(void);

/* sched_block - block the calling thread until sched_wake or timeout_ns
 * (0: no timeout) passes: 0 when woken (a wake that came before the
 * block counts), -ETIMEDOUT, -EDEADLK outside thread context. Callers
 * check their condition again: a wake may be stale. */
int sched_block(uint64_t timeout_ns);

/* sched_wakes - how many times sched_wake has named the calling thread;
 * sched_block_unless - block as sched_block, unless (or until) that
 * count is no longer seen: a wake that came at any time after the
 * caller read seen counts, even one a bus call of its own absorbed
 * meanwhile (a pipe's: the thread asks, is told to wait, and the wake
 * may come before the answer). */
uint64_t sched_wakes(void);
int sched_block_unless(uint64_t seen, uint64_t timeout_ns);

/* sched_kill - mark thread id to end: it is woken if it sleeps or
 * waits, and its waits give up (as on a timeout), now and from then on,
 * even if the kill's wake came first. A user thread ends when it next
 * leaves the kernel (a system call's return, an interrupt taken in user
 * mode); a kernel thread sees sched_killed() and ends itself. Handler or
 * thread context. */
void sched_kill(int id);

/* sched_killed - whether the running thread is marked to end. */
bool sched_killed(void);

/* sched_wake - make thread id runnable if it is blocked in sched_block
 * (or remember the wake for its next block). Handler context. */
void sched_wake(int id);

/* sched_kick - interrupt thread id where it runs, if that is another
 * CPU: the end of that interrupt is where a thread in user mode takes
 * a signal (kernel_irq_exit), now rather than at that CPU's next tick. */
void sched_kick(int id);

/* sched_yield - let the next ready thread of the same or a more urgent
 * priority run (or the bus). Thread context; elsewhere nothing happens. */
void sched_yield(void);

/* sched_sleep_ns - sleep at least ns (rounded up to the next tick).
 * 0, or -EDEADLK outside thread context. */
int sched_sleep_ns(uint64_t ns);

/* sched_exit - end the calling thread (exit code 0); sched_exit_code
 * with a code. Thread context. */
void sched_exit(void) __noreturn;
void sched_exit_code(int code) __noreturn;

/* sched_name - a thread's name, or NULL for no such thread. */
const char *sched_name(int id);

/* sched_preemptible - whether an interrupt may take the CPU from the
 * calling thread (see above; default false). Thread context; elsewhere
 * nothing happens. */
void sched_preemptible(bool on);

/* sched_self - the running thread's id, or -1 outside thread context. */
int sched_self(void);

/* sched_call - a bus request from a thread: queued, the thread blocked
 * until the reply or timeout_ns (0: no timeout). The reply's status, or
 * -ETIMEDOUT, or bus_call_wait's errors; -EDEADLK outside thread
 * context (handlers use bus_call). */
int sched_call(bus_svc_t dst, bus_topic_t topic, const void *data,
	       size_t len, struct bus_msg *reply, uint64_t timeout_ns);

/* sched_call_as - sched_call with src as the sender (bus_call_wait_as):
 * the system-call gateway's calls in a process's name. */
int sched_call_as(bus_svc_t src, bus_svc_t dst, bus_topic_t topic,
		  const void *data, size_t len, struct bus_msg *reply,
		  uint64_t timeout_ns);

/* sched_state - a thread's state name ("ready", "running", "sleeping",
 * "blocked", "exited") or NULL for no such thread. */
const char *sched_state(int id);

struct sched_stats {
	uint64_t switches;	/* context switches */
	uint64_t ticks;		/* timer ticks the service has seen */
	uint32_t threads;	/* alive now */
	uint32_t spawned;	/* since boot */
	uint64_t steals;	/* threads an idle CPU took from a busy one */
};

void sched_get_stats(struct sched_stats *out);

/* sched_loadavg - the 1, 5 and 15 minute load averages (threads running
 * or ready, sampled every 5 s, as Linux's), with 16 fraction bits (as
 * sysinfo gives them). */
void sched_loadavg(uint64_t out[3]);

/* For each CPU's main loop: run this CPU's ready threads (or one taken
 * from a busier CPU) until the bus has work or none is ready. Returns
 * true if a thread ran. */
bool sched_run(void);

/* sched_has_work - threads are ready on cpu (smp_idle does not sleep
 * then). Any context, no lock. */
bool sched_has_work(unsigned int cpu);

/* sched_cpu_online - cpu runs threads from now on (smp_ap_entry, before
 * the CPU counts as online). */
void sched_cpu_online(unsigned int cpu);

/* The HAL calls this at the end of every interrupt on every CPU,
 * interrupts masked (from_user: it arrived in user mode): a preemptible
 * thread, or one interrupted in user mode, goes back to the dispatcher
 * when bus work is pending, to a more urgent thread ready on its CPU, or
 * to the back of its queue when its slice is over and another of its
 * priority waits; a Linux thread interrupted in user mode then takes the
 * signals due to it (linux_irq_exit, with the interrupted registers in
 * frame). Declared in aegis/hal.h. */
void kernel_irq_exit(bool from_user, void *frame);

#endif
