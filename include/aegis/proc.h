/*
 * aegis/proc.h - user processes (kernel/proc.c): a program from the
 * initrd in an address space of its own, run by up to PROC_THREADS user
 * threads, with a table of open files, a bus service of its own and a
 * privilege. It ends when its last thread has ended; exit and a fault
 * end every thread of it.
 *
 * A process's bus service is named "user-<program>-<pid>", or
 * "root-<program>-<pid>" for a privileged one (uid 0). Its messages on
 * the bus (the publish, send and call system calls, and the requests the
 * gateway makes for reboot and poweroff) carry that service as their
 * sender, so the routing rules (aegis/route.h) decide what a process may
 * do. At boot the proc service adds these rules after the command
 * line's (docs/PROCESSES.md; /sys/bus/rules shows and changes them):
 *
 *	deny,topic=power.*,src=user-*	only privileged processes reboot
 *	allow,topic=user.*,src=user-*	the processes' own topics
 *	allow,topic=example.*,src=user-* the demo service
 *	deny,src=user-*			nothing else
 *
 * Events published on topics the process subscribed to, and sends to its
 * service, wait in its mailbox (PROC_MAILBOX messages; more are dropped
 * and counted) until it calls receive. Requests to a process are refused
 * (-ENOSYS): a process asks, it does not serve.
 *
 * Bus contract of the "proc" service:
 *   "proc.spawn"  request  struct proc_spawn_req -> int32_t pid
 *                 status   0, -ENOENT (no such program), -ENOEXEC (not
 *                          an ELF for this kernel), -EAGAIN (process
 *                          table full), -ENOMEM, -EINVAL
 *   "proc.exit"   event    struct proc_exit_event, once a process has
 *                          ended and everything it held is released
 */
#ifndef AEGIS_PROC_H
#define AEGIS_PROC_H

#include <aegis/abi.h>
#include <aegis/bus.h>

#define PROC_MAX	32
#define PROC_NAME_MAX	16	/* program names, with NUL */
#define PROC_FILES	16	/* file numbers 0..15; 1 and 2 the console */
#define PROC_MAILBOX	32
#define PROC_THREADS	8	/* threads of one process */
#define PROC_UID_USER	1000	/* a process without privilege */

struct proc_spawn_req {
	char name[20];		/* NUL-terminated program name */
	int32_t pad;
	uint32_t args;		/* a grant (aegis/grant.h) of the arguments
				 * after the name, each NUL-terminated, or 0:
				 * none (a Linux program's argv[1..]) */
	uint32_t args_len;	/* their bytes, at most PROC_ARGS_MAX */
	int32_t parent;		/* pid, or 0: none (init's programs) */
	uint32_t flags;		/* PROC_SPAWN_PRIV */
};
#define PROC_SPAWN_PRIV	0x1u
#define PROC_SPAWN_TTY	0x2u	/* a Linux program on the console's
				 * terminal (files 0, 1 and 2), the session
				 * it leads its controlling terminal's; a
				 * kernel service's only (-EPERM) */
#define PROC_ARGS_MAX	1024	/* bytes of arguments */
#define PROC_ARGC_MAX	32	/* arguments, the name included */

/* proc.fork: a copy of process pid (docs/LINUX_ABI.md: fork) */
struct proc_fork_req {
	int32_t pid;		/* the process to copy: the caller's own */
	uint32_t regs;		/* a grant of the struct proc_fork_state its
				 * one thread starts with (kernel/proc.c) */
	uint64_t tls;		/* that thread's pointer (x86_64 FS base) */
	uint64_t set_tid;	/* 0, or where the child's pid is written in
				 * its own memory (CLONE_CHILD_SETTID) */
	uint64_t clear_tid;	/* the child's clear-child-tid address */
	int32_t exit_signal;	/* what its parent gets when it ends (clone's
				 * low byte: SIGCHLD, or 0: none) */
	uint32_t reserved;
};

/* what proc.fork's regs grant lends: the registers the child's one
 * thread starts with, and the calling thread's blocked signals (that
 * thread's in the child) */
struct HalUserRegs;
struct proc_fork_state;

/* proc.signal: post sig to process pid (> 0) or group -pid (< 0: -1 is
 * group 1, not every process), as the kernel */
struct proc_signal_req {
	int32_t pid;
	int32_t sig;
};

/* The exit code of a Linux process that a signal's default action ended
 * (PROC_SIGNALED(13): SIGPIPE); wait4 reports the signal. */
#define PROC_SIGNALED(sig)	(-(1000 + (sig)))
#define PROC_SIGNAL_OF(code)	((code) <= -1000 ? -(code) - 1000 : 0)

struct proc_exit_event {
	int32_t pid;
	int32_t code;		/* a killed process's is -EFAULT */
	char name[PROC_NAME_MAX];
};

/* proc_spawn - start a program from the initrd (a "proc.spawn" request
 * to the proc service). Its pid, or the errors above. Thread or handler
 * context. */
int proc_spawn(const char *name, int parent, uint32_t flags);

/* proc_spawn_args - the same with arguments after the name (args: len
 * bytes, each argument NUL-terminated), which only a Linux program takes
 * (its argv[1..]; docs/LINUX_ABI.md): -E2BIG for more than PROC_ARGS_MAX
 * bytes or PROC_ARGC_MAX arguments, -EINVAL for arguments that do not
 * end in NUL or given to an Aegis program. */
int proc_spawn_args(const char *name, const char *args, uint32_t len,
		    int parent, uint32_t flags);


/* The calling user thread's process, for the system calls
 * (kernel/syscall.c). */
struct proc;
struct proc *proc_self(void);
int proc_pid(const struct proc *p);
bool proc_privileged(const struct proc *p);
bus_svc_t proc_svc(const struct proc *p);
uint32_t proc_as(const struct proc *p);

/* The Linux personality (docs/LINUX_ABI.md, kernel/linux.c; whether a
 * process runs Linux's system calls is its threads' sched_user.linux_abi):
 * its parent's pid (0: none); its stack's size; proc_brk moves its heap's
 * end to addr and returns the new end, or the old one when addr is below
 * the heap's start, too far above it or cannot be had (brk's way);
 * proc_linux_keep remembers its clear-child-tid address and robust-list
 * head (~0: leave as it is). */
int proc_parent(const struct proc *p);
uint64_t proc_stack_size(const struct proc *p);
uint64_t proc_brk(struct proc *p, uint64_t addr);
void proc_linux_keep(struct proc *p, uint64_t tid_addr, uint64_t robust);
/* proc_robust_head - the robust-list head set_robust_list kept;
 * proc_pid_privileged - whether process pid is alive and privileged. */
uint64_t proc_robust_head(const struct proc *p);
bool proc_pid_privileged(int pid);
/* proc_mmap - map len bytes (pages) of zeroed memory with prot
 * (HAL_PROT_*) at addr (fixed) or where the process's mmap area goes on
 * (down from 1 GiB below its stack): 0 with *out, -ENOMEM (no room, the
 * page quota), -EEXIST (fixed over a mapping), -EINVAL. proc_munmap -
 * unmap [addr, addr + len): each mapping it meets loses its part (0 when
 * nothing is mapped there); mm's errors (-ENOSPC: a mapping cut in two
 * with no room for the second). */
int proc_mmap(struct proc *p, uint64_t addr, uint64_t len, uint32_t prot,
	      bool fixed, uint64_t *out);
int proc_munmap(struct proc *p, uint64_t addr, uint64_t len);
/* proc_umask - p's file mode creation mask is mask from now on (022 at
 * its start); the one before. */
uint32_t proc_umask(struct proc *p, uint32_t mask);
uint32_t proc_umask_of(const struct proc *p);

/* What the Linux personality keeps of an open file (kernel/linux_fs.c):
 * the path it was opened as, its open flags, and where getdents64 goes
 * on. proc_lfd - file fd's, or NULL for a number out of range. */
#define PROC_LFD_PATH	128	/* NODE_PATH_MAX */
struct proc_lfd {
	char path[PROC_LFD_PATH];
	uint32_t flags;
	uint32_t pos;
	bool cloexec;
	bool tty;		/* a terminal (aegis/tty.h) */
};
struct proc_lfd *proc_lfd(struct proc *p, int fd);

/* Linux's threads (clone with CLONE_THREAD; docs/LINUX_ABI.md):
 * proc_clone_thread - a new thread of p starting with regs (its thread
 * pointer tls), CLONE_CHILD_CLEARTID at clear_tid (0: none), its id
 * written at parent_tid and child_tid (0: not) before it runs; its Linux
 * thread id (taken from the pids), or -EAGAIN (PROC_THREADS a process,
 * or the thread slots left are privileged ones), -ESRCH (p is ending).
 * proc_linux_tid - the calling thread's id (its process's pid for the
 * first). proc_thread_leaving - the calling thread's clear_tid, taken
 * (the thread is ending: the caller clears it and wakes its futex). */
struct HalUserRegs;
int proc_clone_thread(struct proc *p, const struct HalUserRegs *regs,
		      uint64_t tls, uint64_t clear_tid, uint64_t parent_tid,
		      uint64_t child_tid);
int proc_linux_tid(struct proc *p);
uint64_t proc_thread_leaving(struct proc *p);
/* proc_tkill - tkill (tgid 0) and tgkill: sig for thread tid (of process
 * tgid), SI_TKILL: that thread's own to take when a handler will, or it
 * blocks sig; else the process's (a default action, a stop). 0, -EINVAL,
 * -ESRCH (no such thread in that group), -EPERM. */
int proc_tkill(struct proc *self, int tgid, int tid, int sig);

/* proc_fork - a copy of p ("proc.fork"): its memory (copied at once),
 * its open files (one more holder each), working directory, mask and
 * quotas, its signal dispositions and blocked set; its one thread
 * starts with regs and thread pointer tls; exit_signal goes to p when it
 * ends (clone's CSIGNAL). The
 * child's pid, or -EAGAIN (slots, quotas), -ENOMEM, -ESRCH. Thread
 * context (one of p's). */
struct HalUserRegs;
int proc_fork(struct proc *p, const struct HalUserRegs *regs, uint64_t tls,
	      uint64_t set_tid, uint64_t clear_tid, int exit_signal);

/* proc_exec - replace p's program with the one at path (execve): argv
 * and envp on its start stack, close-on-exec files closed, its other
 * files, working directory, mask, pid and parent kept. Returns only on
 * an error, with p unchanged: -EACCES (not a regular file, or not
 * executable), -ENOEXEC (not an ELF for this kernel), -ENOMEM, -E2BIG
 * (argv and envp too long: 16 KiB with the auxiliary vector, 64 of
 * each), the namespace's errors. On success the calling thread leaves
 * for the new program. Thread context (p's one thread). */
int proc_exec(struct proc *p, const char *path, const char *const *argv,
	      unsigned int argc, const char *const *envp, unsigned int envc);

/* What /proc shows of a process (kernel/procfs.c, the proc service's
 * own file system): proc_view_slot - the process in table slot slot (0,
 * or -ENOENT for a free one); proc_view_pid - process pid's. */
#define PROC_CMDLINE_MAX	256	/* bytes of argv kept for /proc */
struct proc_view {
	int32_t pid, ppid;
	uint32_t uid;
	char state;		/* 'R' running, 'S' waiting, 'Z' ended */
	uint32_t threads;
	uint64_t pages;		/* what it holds */
	uint64_t cpu_ns;	/* its threads' CPU time */
	uint64_t start_ns;
	int32_t nice;		/* -20..19 */
	char name[PROC_NAME_MAX];
	char exe[128], cwd[128];
	char cmdline[PROC_CMDLINE_MAX];
	uint32_t cmdline_len;
};
int proc_view_slot(unsigned int slot, struct proc_view *v);

/* What /proc/PID/maps needs of a process (proc_maps_view; -ENOENT): its
 * address space (0: it ended, none), the heap (brk_start..brk_mapped),
 * the stack (stack_lo..stack_hi), the Linux signal page (0: none) and
 * its program's segments, page-aligned, with their file offsets; as_gen
 * counts the changes of its space (execve, its end), so that a reader
 * can tell its space from another that got the same id. */
struct proc_seg {
	uint64_t lo, hi, off;
};
struct proc_maps {
	uint32_t uid;
	uint32_t as_id;
	uint32_t as_gen;	/* changes of its space so far */
	uint64_t brk_start, brk_mapped;
	uint64_t stack_lo, stack_hi;
	uint64_t sigpage;
	uint32_t nseg;
	struct proc_seg seg[8];		/* ELF_SEGS_MAX */
	char exe[128];
};
int proc_maps_view(int pid, struct proc_maps *v);
int proc_view_pid(int pid, struct proc_view *v);

/* Process groups and sessions (a process the kernel starts leads its
 * own; fork copies them): proc_pgid_of - process pid's (0: self's)
 * group, or its session with session; -ESRCH. proc_setpgid - setpgid
 * (2): self or a child not past execve, into its own group or one of
 * the same session; -ESRCH, -EACCES, -EPERM, -EINVAL. proc_setsid -
 * setsid(2): a new session and group led by self, or -EPERM for a
 * group's leader. */
int proc_pgid_of(struct proc *self, int pid, bool session);
int proc_setpgid(struct proc *self, int pid, int pgid);
int proc_setsid(struct proc *self);

/* proc_tty_caller - p as a terminal sees it (aegis/tty.h): pid, group,
 * session, and whether SIGTTIN and SIGTTOU would stop it.
 * proc_pgrp_in_session - whether a live process of session sid is in
 * group pgid (TIOCSPGRP; sid 0: of any session). */
struct tty_caller;
void proc_tty_caller(struct proc *p, struct tty_caller *c);
bool proc_pgrp_in_session(int pgid, int sid);

/* proc_kill - post sig to pid (> 0), self's group (0), every process
 * self may signal (-1) or group -pid (sig 0: a check only), as each
 * one's disposition says (above). -EINVAL for sig past 64 or SIGSTOP
 * (a process cannot stop), -EPERM for a privileged target of an
 * unprivileged sender, -ESRCH. */
int proc_kill(struct proc *self, int pid, int sig);

/* Signals of a Linux process (docs/LINUX_ABI.md: Signals; kernel/
 * linux_signal.c delivers them). Each process has a disposition per
 * signal, a blocked set and a pending set (bit sig - 1), and for each
 * pending signal who sent it. A signal is posted to a process as its
 * disposition says: ignored (SIG_IGN, or a default of ignore), ending it
 * at once (a default of ending, not blocked: PROC_SIGNALED(sig)), or
 * pending until its thread returns from a system call (a handler, or
 * blocked). A posted signal wakes the process's threads: a wait that
 * can be interrupted sees proc_sig_due and ends (-EINTR, or restarted).
 * A process cannot stop: SIGTSTP, SIGTTIN and SIGTTOU with their default
 * action are ignored, SIGSTOP refused (-EINVAL). */
#define PROC_SIG_DFL	0
#define PROC_SIG_IGN	1
#define PROC_SA_NOCLDSTOP 0x00000001u
#define PROC_SA_SIGINFO	0x00000004u
#define PROC_SA_RESTORER 0x04000000u
#define PROC_SA_ONSTACK	0x08000000u
#define PROC_SA_RESTART	0x10000000u
#define PROC_SA_NODEFER	0x40000000u
#define PROC_SA_RESETHAND 0x80000000u
struct proc_sigact {		/* Linux's struct sigaction (the kernel's) */
	uint64_t handler;	/* PROC_SIG_DFL, PROC_SIG_IGN, or an address */
	uint64_t flags;		/* PROC_SA_* */
	uint64_t restorer;	/* with PROC_SA_RESTORER */
	uint64_t mask;		/* blocked while the handler runs */
};
/* What a taken signal carries to its handler (siginfo). */
struct proc_siginfo {
	int32_t sig, code;	/* code: SI_USER 0, SI_TKILL -6, CLD_*,
				 * SI_QUEUE -1, SI_TIMER -2, SI_KERNEL 0x80 */
	int32_t pid;		/* the sender (SIGCHLD: the child; a
				 * timer's: its id) */
	uint32_t uid;		/* (a timer's: its overrun) */
	int32_t status;		/* SIGCHLD: the exit code or signal */
	uint64_t value;		/* SI_QUEUE, SI_TIMER: the sigval */
};
/* proc_sigaction - sig's disposition (1..64): the old one in *old, the
 * new from *act (NULL: unchanged); -EINVAL for sig out of range, or a
 * new one for SIGKILL or SIGSTOP. A signal made ignored stops pending.
 * proc_sigmask - the blocked set: how 0 adds set, 1 takes it away, 2
 * is it (SIGKILL and SIGSTOP are never blocked); the old one in *old;
 * -EINVAL for another how. proc_sigpending - the pending set.
 * proc_sig_due - whether a pending signal is not blocked (lock-free: a
 * wait checks it between sched_wakes and its block). */
int proc_sigaction(struct proc *p, int sig, const struct proc_sigact *act,
		   struct proc_sigact *old);
int proc_sigmask(struct proc *p, int how, const uint64_t *set,
		 uint64_t *old);
uint64_t proc_sigpending(struct proc *p);
bool proc_sig_due(const struct proc *p);
/* proc_sig_take - the lowest pending signal that is not blocked, taken
 * off the pending set: 0 when there is none; else sig with its
 * disposition in *act (handler PROC_SIG_DFL: its default action ends
 * the process) and its siginfo in *info. For a handler, the blocked set
 * from now on has act->mask and sig added (not with SA_NODEFER), and
 * *old_mask is the set before (what rt_sigreturn gives back; after
 * rt_sigsuspend, the set before that). SA_RESETHAND makes sig's
 * disposition the default again. */
int proc_sig_take(struct proc *p, struct proc_sigact *act,
		  struct proc_siginfo *info, uint64_t *old_mask);
/* proc_sig_fault - a synchronous fault's signal sig for the calling
 * thread (Linux's force_sig_fault), with its si_code and address (in
 * the siginfo's value): pending, and true, when a handler will take it;
 * false when it ends the process instead: its action is the default or
 * ignore, or the thread blocks it. */
bool proc_sig_fault(struct proc *p, int sig, int code, uint64_t addr);
/* proc_sig_take_set - the lowest pending signal in set, taken off the
 * pending set whatever its disposition (rt_sigtimedwait), with its
 * siginfo; 0 when none is pending. */
int proc_sig_take_set(struct proc *p, uint64_t set,
		      struct proc_siginfo *info);
/* proc_sig_suspend - rt_sigsuspend's temporary blocked set: mask from
 * now on until a handler is taken (proc_sig_take gives the set before
 * as its old mask) or proc_sig_unsuspend puts the set before back. */
void proc_sig_suspend(struct proc *p, uint64_t mask);
void proc_sig_unsuspend(struct proc *p);
/* proc_signal_as_kernel - post sig to pid (> 0) or group -pid (< 0) as
 * the kernel would (a "proc.signal" request, from a kernel service: the
 * shell's Ctrl-C for its console session): kill's errors. */
int proc_signal_as_kernel(int pid, int sig);
/* proc_sigpage - the address of every Linux process's signal page: the
 * code a handler returns to without SA_RESTORER (rt_sigreturn). */
uint64_t proc_sigpage(void);
/* proc_stop_point - where a Linux thread stops while its process is
 * stopped (a stop signal: SIGSTOP, or SIGTSTP, SIGTTIN, SIGTTOU with
 * their default action), until SIGCONT or its end: the end of each
 * system call and wait (linux_signal_return). proc_sig_take returns
 * PROC_SIG_STOPPED when the process has just stopped: the caller goes
 * to the stop point, then takes again. */
#define PROC_SIG_STOPPED	(-1)
void proc_stop_point(struct proc *p);
/* proc_made - the processes made since boot (/proc/stat).
 * proc_fd_target - what file fd of process pid is, as /proc/PID/fd/FD
 * names it: its path, "pipe:[N]", "/dev/console"; -ENOENT. */
int proc_made(void);
int proc_fd_target(int pid, int fd, char *out, size_t size);
/* proc_stopped - whether p is stopped. */
bool proc_stopped(const struct proc *p);
/* proc_wait_child - wait4 and waitid: a child of p (pid as wait4 names
 * them, or with group the children of group pid, 0: p's) that ended
 * (PROC_W_EXITED), stopped (PROC_W_STOPPED: *code PROC_STOPPED_CODE of
 * the signal) or went on (PROC_W_CONTINUED: PROC_CONTINUED_CODE), each
 * told once unless PROC_W_NOWAIT; PROC_W_NOHANG: 0 when none has.
 * Its pid; -ECHILD, -EINTR, LINUX_ERESTARTSYS. */
#define PROC_W_NOHANG		0x1
#define PROC_W_STOPPED		0x2
#define PROC_W_EXITED		0x4
#define PROC_W_CONTINUED	0x8
#define PROC_W_NOWAIT		0x01000000
#define PROC_STOPPED_CODE(sig)	(-(2000 + (sig)))
#define PROC_CONTINUED_CODE	(-3000)
#define PROC_STOPPED_OF(code)	((code) <= -2001 && (code) >= -2064 ? \
				 -(code) - 2000 : 0)
int proc_wait_child(struct proc *p, int pid, bool group, unsigned int flags,
		    int32_t *code);
/* proc_sigqueue - post sig to process pid (> 0) with the siginfo *info
 * (rt_sigqueueinfo): kill's permission checks; -ESRCH, -EPERM,
 * -EINVAL. */
int proc_sigqueue(struct proc *self, int pid, int sig,
		  const struct proc_siginfo *info);
/* proc_altstack - the alternate signal stack (sigaltstack(2)): the one
 * kept in *old (if not NULL), then *set made it (if not NULL). Forks
 * keep it; execve forgets it. */
struct HalAltStack;
void proc_altstack(struct proc *p, const struct HalAltStack *set,
		   struct HalAltStack *old);

/* Nice values (getpriority/setpriority): which PROC_PRIO_PROCESS (who:
 * a pid, 0 the caller), _PGRP (a group, 0 the caller's) or _USER (a uid,
 * 0 the caller's). proc_nice_get - the lowest nice among them; -ESRCH
 * when there are none, -EINVAL for which. proc_nice_set - give each
 * nice (clamped to -20..19): -EPERM for a process of another user
 * (without privilege), -EACCES to lower one's nice without privilege. */
#define PROC_PRIO_PROCESS	0
#define PROC_PRIO_PGRP		1
#define PROC_PRIO_USER		2
int proc_nice_get(struct proc *self, int which, int who, int *nice);
int proc_nice_set(struct proc *self, int which, int who, int nice);
/* proc_membarrier - whether p registered for membarrier's private
 * expedited command (register: it does now). Forks and execve forget. */
bool proc_membarrier(struct proc *p, bool register_it);
/* proc_nice - p's own nice (sched_getattr). */
int proc_nice(const struct proc *p);

/* Timers (setitimer, timer_create; docs/LINUX_ABI.md: Timers). Times are
 * ns; value 0 is disarmed. The proc service checks them on every timer
 * tick while any is armed and posts their signals (SI_KERNEL for the
 * interval timers, SI_TIMER with the timer's id, overrun and sigval for
 * the others), so they fire on the first tick after they are due.
 * proc_itimer - interval timer which (PROC_ITIMER_*): the old value and
 * interval left in old[2] (if not NULL), then set[2] (if not NULL) armed
 * from now. REAL counts the monotonic clock and posts SIGALRM; PROF and
 * VIRTUAL count the process's CPU time (Aegis does not tell user time
 * from system time: VIRTUAL counts both) and post SIGPROF and SIGVTALRM.
 * -EINVAL for which. */
#define PROC_ITIMER_REAL	0
#define PROC_ITIMER_VIRTUAL	1
#define PROC_ITIMER_PROF	2
int proc_itimer(struct proc *p, int which, const uint64_t *set,
		uint64_t old[2]);
/* proc_timer_create - a new timer of p (at most PROC_TIMERS: -EAGAIN),
 * disarmed, counting the monotonic clock (clock: the Linux clock it was
 * made for, which proc_timer_clock gives back); at expiry it posts sig
 * (0: nothing, SIGEV_NONE) with value as si_value (value_is_id: its own
 * id). Its id in *id. */
#define PROC_TIMERS	8
int proc_timer_create(struct proc *p, int clock, int sig, uint64_t value,
		      bool value_is_id, int *id);
int proc_timer_clock(struct proc *p, int id);
/* proc_timer_set - arm timer id to expire at the monotonic time at (0:
 * disarm) and then every interval ns (0: once); its value and interval
 * left before in old[2] (if not NULL). proc_timer_get - those now.
 * proc_timer_overrun - the expirations its last signal stood for, less
 * one. proc_timer_delete - it is gone. Each: -EINVAL for an id p does
 * not have. */
int proc_timer_set(struct proc *p, int id, uint64_t at, uint64_t interval,
		   uint64_t old[2]);
int proc_timer_get(struct proc *p, int id, uint64_t cur[2]);
int proc_timer_overrun(struct proc *p, int id);
int proc_timer_delete(struct proc *p, int id);

/* proc_signal - post sig to p itself (a broken pipe's SIGPIPE): ends p
 * (the caller's thread on its return) when that is its action. */
void proc_signal(struct proc *p, int sig);

/* The process's name (comm: prctl PR_SET_NAME and PR_GET_NAME). */
void proc_set_name(struct proc *p, const char *name);
void proc_name(const struct proc *p, char out[PROC_NAME_MAX]);

/* proc_wait4 - a child of p that has ended (pid > 0: that one; -1:
 * any; 0: one in p's process group; below -1: one in group -pid): its pid with *code (its exit code; -EFAULT for a fault, or what
 * killed it), 0 with nohang when none has ended yet, -ECHILD when p has
 * no such child, -EINTR when p is being ended. Thread context.
 * proc_alive - whether pid is a child of p that runs and has not called
 * execve; proc_wait_vfork - wait until it no longer is (vfork). */
int proc_wait4(struct proc *p, int pid, int32_t *code, bool nohang);
/* proc_wait_group - as proc_wait4 for a child in group pgid (0: p's own;
 * waitid's P_PGID, which can name group 1) */
int proc_wait_group(struct proc *p, int pgid, int32_t *code, bool nohang);
bool proc_alive(const struct proc *p, int pid);
void proc_wait_vfork(struct proc *p, int pid);

/* proc_thread - another thread of p, starting at pc with stack pointer
 * sp and arg in the first argument register: its id, or -EAGAIN
 * (PROC_THREADS already), -ESRCH (p is ending), sched_spawn's errors.
 * Thread context (one of p's). */
int proc_thread(struct proc *p, uint64_t pc, uint64_t sp, uint64_t arg);

/* proc_exit - p ends with code (the first exit or fault decides it):
 * every other thread of p is marked to end (sched_kill). The caller
 * ends its own thread next. */
void proc_exit(struct proc *p, int code);

/* proc_wait - wait for child pid of p to end (timeout_ns 0: forever):
 * pid with *code set, -ECHILD, -ETIMEDOUT. Thread context. */
int proc_wait(struct proc *p, int pid, int32_t *code, uint64_t timeout_ns);

/* proc_receive - the oldest message in p's mailbox, waiting up to
 * timeout_ns (0: not at all): 0, or -EAGAIN. Thread context. */
int proc_receive(struct proc *p, struct abi_msg *out, uint64_t timeout_ns);

/* The file table: a process's file number to the namespace's handle.
 * proc_fd_add returns the new file number (3..PROC_FILES-1) or -EMFILE;
 * proc_fd_get the handle, PROC_FD_CONSOLE, or -EBADF; proc_fd_remove
 * frees the number and returns its handle (or -EBADF). */
#define PROC_FD_CONSOLE	(-2)
int proc_fd_add(struct proc *p, int handle);
/* proc_fd_add_from - as proc_fd_add, the lowest free number from on
 * (F_DUPFD): -EINVAL for from past the table. proc_fd_set - number fd
 * is handle from now on (dup2), what it was in *old (-1: free):
 * -EBADF for a number out of the table. */
int proc_fd_add_from(struct proc *p, int handle, int from);
int proc_fd_set(struct proc *p, int fd, int handle, int *old);
/* The working directory (absolute, as path_resolve makes paths; "/" at
 * the start): the Linux personality's chdir sets it. */
const char *proc_cwd(struct proc *p);
void proc_set_cwd(struct proc *p, const char *path);
int proc_fd_get(const struct proc *p, int fd);
int proc_fd_remove(struct proc *p, int fd);

/*
 * Quotas (docs/SECURITY.md): how much of the tables every process shares
 * one process without privilege may hold, and what all of them together
 * must leave to privileged processes and the kernel. Refusals: -EAGAIN
 * (process slots, children, threads), -ENOMEM (pages), -ENOSPC (topics,
 * subscriptions). Open files are ns's to limit (NODE_FILES_RESERVE,
 * aegis/node.h), beside the PROC_FILES of each process. /sys/proc/limits
 * lists them; /sys/proc/usage what each process holds.
 */
#define PROC_RESERVE_PROCS	4	/* process slots left to privilege */
#define PROC_CHILDREN_MAX	8	/* live children of one process */
#define PROC_RESERVE_THREADS	16	/* thread slots left to privilege */
#define PROC_PAGES_MAX		8192	/* pages one process maps (32 MiB) */
#define PROC_RESERVE_PAGES	4096	/* free pages left to privilege */
#define PROC_TOPICS_MAX		16	/* user.* topics one process makes */
#define PROC_RESERVE_TOPICS	64	/* topic slots left to privilege */
#define PROC_SUBS_MAX		16	/* subscriptions of one process */

enum proc_quota { PROC_Q_PAGES, PROC_Q_TOPICS, PROC_Q_SUBS };

/* proc_topic_held - p looked topic up (made: it made it). A topic a
 * process made can be freed (bus_topic_free) once every process that
 * looked it up has ended; a process holds a topic only by looking it up.
 * proc_reclaim_topics frees those, when a new topic needs the room (the
 * topic quota, and a full table): how many it freed. */
void proc_topic_held(struct proc *p, int topic, bool made);
int proc_reclaim_topics(void);

/* proc_charge - count n more (n < 0: fewer) of what against p: 0, or the
 * quota's error with nothing counted. A privileged process is counted
 * but never refused. Thread context (one of p's). */
int proc_charge(struct proc *p, enum proc_quota what, int64_t n);

#endif
