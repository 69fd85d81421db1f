/*
 * linux.c - the Linux personality's system calls (aegis/linux.h,
 * kernel/linux_syscalls.def; docs/LINUX_ABI.md), and the "linux" service
 * that counts them: /sys/linux/calls (each call Aegis has, how often)
 * and /sys/linux/enosys (each number it does not have, how often), and
 * a linux.enosys event for every such call, so that it shows on the bus
 * trace (trace on linux.*).
 *
 * A Linux program's calls go through the same gateway as Aegis's own
 * (kernel/syscall_gate.c): every argument is checked against the
 * generated table before a handler here runs. The handlers carry the
 * calls out with what the native calls already do (files through ns,
 * memory through mm, the process through proc), so a Linux call is the
 * same bus traffic its native twin is.
 */
#include <string.h>
#include <aegis/abi.h>
#include <aegis/bus.h>
#include <aegis/clock.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/linux.h>
#include <aegis/linux_syscalls.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/service.h>
#include <aegis/spinlock.h>
#include <aegis/syscall.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>

#define PAGE		4096ull
#define NR_SEEN		1024	/* numbers counted one by one */

static uint64_t calls[LSYS_COUNT];
static uint64_t enosys[NR_SEEN + 1];	/* the last: every number above */

#define PROC_OR_ESRCH(p)			\
	struct proc *p = proc_self();		\
	if (!p)					\
		return -AE_ESRCH

/* A number Aegis does not have: counted, said once per number on the
 * console (at the info level), and published for the trace. */
static void missing(uint64_t nr)
{
	struct proc *p = proc_self();
	struct linux_enosys_event ev = { p ? proc_pid(p) : 0,
					 nr < NR_SEEN ? (uint32_t)nr
						      : 0xffffffffu };
	uint64_t n = __atomic_fetch_add(&enosys[nr < NR_SEEN ? nr : NR_SEEN],
					1, __ATOMIC_RELAXED);

	if (n == 0)
		klog(KLOG_INFO, "linux: pid %d called system call %llu (%s), "
		     "which Aegis does not have: -ENOSYS\n", ev.pid,
		     (unsigned long long)nr, hal_arch_name());
	bus_publish(TOPIC_LINUX_ENOSYS, BUS_PRIO_DEFAULT, &ev, sizeof(ev));
}

int64_t linux_syscall(uint64_t nr, const uint64_t a[6],
		      const struct user_mem *m)
{
	int idx = nr < LINUX_NR_COUNT ? linux_nr_index[nr] : -1;

	if (idx < 0) {
		missing(nr);
		return -AE_ENOSYS;
	}
	__atomic_fetch_add(&calls[idx], 1, __ATOMIC_RELAXED);
	return syscall_run(&linux_table[idx], a, m);
}

/* ---- the calls ----------------------------------------------------------- */

/* exit(2): the calling thread ends (its process with its last thread).
 * Its CLONE_CHILD_CLEARTID word is zeroed and its futex woken first, as
 * Linux's mm_release does: how pthread_join learns of the end. */
int64_t lsys_exit(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { a[0] & 0xff };
	struct proc *p = proc_self();
	uint64_t at = p ? proc_thread_leaving(p) : 0;

	if (at) {
		uint32_t zero = 0;

		if (syscall_copy(&zero, at, sizeof(zero), true) == 0)
			(void)linux_futex_wake(p, at, 1, ~0u);
	}
	return sys_thread_exit(b);
}

int64_t lsys_exit_group(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { a[0] & 0xff };

	return sys_exit(b);
}

int64_t lsys_getpid(const uint64_t a[SYS_ARGS_MAX])
{
	return sys_getpid(a);
}

/* ---- processes: clone, fork, vfork, wait4 ------------------------------- */

#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000
#define CSIGNAL			0x000000ff

/* A new process, a copy of the caller, as clone(2) makes one: flags
 * (the exit signal in the low byte: the parent gets it when the child
 * ends), the child's stack (0: the caller's), and the tid addresses; or,
 * with CLONE_THREAD, a new thread of the caller's process (which must
 * share its memory, files and handlers: CLONE_VM, CLONE_FS, CLONE_FILES,
 * CLONE_SIGHAND, as glibc's pthread_create asks). Other sharing without
 * a thread (CLONE_FILES alone, CLONE_VM without CLONE_VFORK): -EINVAL. */
static int64_t do_clone(uint64_t flags, uint64_t newsp, uint64_t ptid,
			uint64_t ctid, uint64_t tls)
{
	static const uint64_t known = CSIGNAL | CLONE_VM | CLONE_VFORK |
		CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
		CLONE_CHILD_SETTID | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		CLONE_THREAD | CLONE_SYSVSEM;
	static const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES |
		CLONE_SIGHAND | CLONE_THREAD;
	struct HalUserRegs regs __attribute__((aligned(16)));
	const struct HalSyscall *call = syscall_current();
	struct HalRange r = hal_mmu_user_range();
	uint64_t child_tls;
	int64_t pid;
	PROC_OR_ESRCH(p);

	if (flags & ~known)
		return -AE_EINVAL;	/* namespaces, ... */
	/* Linux's rules: a thread shares the handlers, which share the
	 * memory */
	if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
		return -AE_EINVAL;
	if ((flags & CLONE_THREAD) && (flags & thread) != thread)
		return -AE_EINVAL;	/* a thread with its own files or
					 * directory: not kept */
	if (!(flags & CLONE_THREAD) &&
	    (((flags & CLONE_VM) && !(flags & CLONE_VFORK)) ||
	     (flags & (CLONE_FILES | CLONE_FS | CLONE_SIGHAND))))
		return -AE_EINVAL;	/* processes that share: only vfork's
					 * memory */
	if (!call)
		return -AE_EFAULT;
	if (newsp && (newsp <= r.lo || newsp > r.hi))
		return -AE_EINVAL;
	if ((flags & CLONE_SETTLS) && (tls < r.lo || tls >= r.hi))
		return -AE_EPERM;
	hal_syscall_regs(call, &regs);
	hal_user_regs_set_ret(&regs, 0);	/* the child's fork() is 0 */
	if (newsp)
		hal_user_regs_set_sp(&regs, newsp);
	child_tls = (flags & CLONE_SETTLS) ? tls : sched_tls();
	if (flags & CLONE_SETTLS)
		hal_user_regs_set_tls(&regs, tls);
	if (flags & CLONE_THREAD) {
		return proc_clone_thread(p, &regs, child_tls,
			(flags & CLONE_CHILD_CLEARTID) ? ctid : 0,
			(flags & CLONE_PARENT_SETTID) ? ptid : 0,
			(flags & CLONE_CHILD_SETTID) ? ctid : 0);
	}
	pid = proc_fork(p, &regs, child_tls,
			(flags & CLONE_CHILD_SETTID) ? ctid : 0,
			(flags & CLONE_CHILD_CLEARTID) ? ctid : 0,
			(int)(flags & CSIGNAL));
	if (pid < 0)
		return pid;
	if (flags & CLONE_PARENT_SETTID) {
		int32_t v = (int32_t)pid;

		(void)syscall_copy(&v, ptid, sizeof(v), true);
	}
	if (flags & CLONE_VFORK)
		proc_wait_vfork(p, (int)pid);	/* until it execs or ends */
	return pid;
}

int64_t lsys_clone(const uint64_t a[SYS_ARGS_MAX])
{
#if defined(__x86_64__)
	return do_clone(a[0], a[1], a[2], a[3], a[4]);
#else
	return do_clone(a[0], a[1], a[2], a[4], a[3]);
#endif
}

int64_t lsys_fork(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return do_clone(17, 0, 0, 0, 0);	/* SIGCHLD */
}

int64_t lsys_vfork(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return do_clone(CLONE_VM | CLONE_VFORK | 17, 0, 0, 0, 0);
}

#define WNOHANG		1
#define WUNTRACED	2
#define WCONTINUED	8
#define WALL		0x40000000
#define WCLONE		0x80000000
#define WNOTHREAD	0x20000000

int64_t lsys_wait4(const uint64_t a[SYS_ARGS_MAX])
{
	int64_t pid = (int64_t)(int32_t)a[0];
	int32_t code = 0, status;
	int rc;
	PROC_OR_ESRCH(p);

	if (a[2] & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED | WALL |
			       WCLONE | WNOTHREAD))
		return -AE_EINVAL;
	if (pid == INT32_MIN)
		return -AE_ESRCH;
	rc = proc_wait_child(p, (int)pid, false, PROC_W_EXITED |
			     (a[2] & WNOHANG ? PROC_W_NOHANG : 0) |
			     (a[2] & WUNTRACED ? PROC_W_STOPPED : 0) |
			     (a[2] & WCONTINUED ? PROC_W_CONTINUED : 0), &code);
	if (rc <= 0)
		return rc;
	/* an exit's code, or the signal that ended it: a fault is SIGSEGV,
	 * a kill SIGKILL; a stop (0x7f and its signal), going on (0xffff) */
	status = PROC_STOPPED_OF(code) ? PROC_STOPPED_OF(code) << 8 | 0x7f :
		 code == PROC_CONTINUED_CODE ? 0xffff :
		 code >= 0 ? (code & 0xff) << 8 :
		 PROC_SIGNAL_OF(code) ? PROC_SIGNAL_OF(code) :
		 code == -AE_EFAULT ? 11 : 9;
	if (a[1] && syscall_copy(&status, a[1], sizeof(status), true))
		return -AE_EFAULT;
	if (a[3]) {
		/* struct rusage: Aegis keeps no per-child usage yet */
		static const uint8_t zero[144];

		if (syscall_copy((void *)zero, a[3], sizeof(zero), true))
			return -AE_EFAULT;
	}
	return rc;
}

/* ---- groups, sessions, ids, signals ---------------------------------------- */

int64_t lsys_getpgid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return proc_pgid_of(p, (int32_t)a[0], false);
}

int64_t lsys_getpgrp(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	(void)a;
	return proc_pgid_of(p, 0, false);
}

int64_t lsys_getsid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return proc_pgid_of(p, (int32_t)a[0], true);
}

int64_t lsys_setpgid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] < 0)
		return -AE_EINVAL;
	return proc_setpgid(p, (int32_t)a[0], (int32_t)a[1]);
}

int64_t lsys_setsid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	(void)a;
	return proc_setsid(p);
}

int64_t lsys_kill(const uint64_t a[SYS_ARGS_MAX])
{
	int32_t pid = (int32_t)a[0];
	PROC_OR_ESRCH(p);

	if (pid == INT32_MIN)
		return -AE_ESRCH;
	return proc_kill(p, pid, (int32_t)a[1]);
}

/* tkill and tgkill: to thread tid, which alone takes a handled signal
 * (proc_tkill) */
int64_t lsys_tkill(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] <= 0)
		return -AE_EINVAL;
	return proc_tkill(p, 0, (int32_t)a[0], (int32_t)a[1]);
}

int64_t lsys_tgkill(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] <= 0 || (int32_t)a[1] <= 0)
		return -AE_EINVAL;
	return proc_tkill(p, (int32_t)a[0], (int32_t)a[1], (int32_t)a[2]);
}

/* The ids: a process is uid and gid 0 with privilege, 1000 without;
 * the set* calls take only the ids it has (-EPERM for any other: a
 * privileged process cannot give its privilege up this way yet). */
static uint32_t my_id(const struct proc *p)
{
	return proc_privileged(p) ? 0 : PROC_UID_USER;
}

static int64_t same_ids(const struct proc *p, const uint64_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if ((uint32_t)ids[i] != 0xffffffffu &&
		    (uint32_t)ids[i] != my_id(p))
			return -AE_EPERM;
	return 0;
}

int64_t lsys_setuid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return (uint32_t)a[0] == 0xffffffffu ? -AE_EINVAL : same_ids(p, a, 1);
}

int64_t lsys_setgid(const uint64_t a[SYS_ARGS_MAX])
{
	return lsys_setuid(a);
}

int64_t lsys_setreuid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return same_ids(p, a, 2);
}

int64_t lsys_setregid(const uint64_t a[SYS_ARGS_MAX])
{
	return lsys_setreuid(a);
}

int64_t lsys_setresuid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return same_ids(p, a, 3);
}

int64_t lsys_setresgid(const uint64_t a[SYS_ARGS_MAX])
{
	return lsys_setresuid(a);
}

int64_t lsys_getresuid(const uint64_t a[SYS_ARGS_MAX])
{
	uint32_t id;
	PROC_OR_ESRCH(p);

	id = my_id(p);
	for (int i = 0; i < 3; i++) {
		int rc = syscall_copy(&id, a[i], sizeof(id), true);

		if (rc)
			return rc;
	}
	return 0;
}

int64_t lsys_getresgid(const uint64_t a[SYS_ARGS_MAX])
{
	return lsys_getresuid(a);
}

int64_t lsys_getgroups(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return 0;	/* no supplementary groups */
}

#define PR_SET_NAME	15
#define PR_GET_NAME	16

int64_t lsys_prctl(const uint64_t a[SYS_ARGS_MAX])
{
	char name[PROC_NAME_MAX];
	PROC_OR_ESRCH(p);

	switch (a[0]) {
	case PR_SET_NAME:
		memset(name, 0, sizeof(name));
		for (unsigned int i = 0; i < sizeof(name) - 1; i++) {
			int rc = syscall_copy(name + i, a[1] + i, 1, false);

			if (rc)
				return rc;
			if (!name[i])
				break;
		}
		proc_set_name(p, name);
		return 0;
	case PR_GET_NAME:
		proc_name(p, name);
		name[sizeof(name) - 1] = '\0';
		return syscall_copy(name, a[1], sizeof(name), true);
	default:
		return -AE_EINVAL;
	}
}

int64_t lsys_getcpu(const uint64_t a[SYS_ARGS_MAX])
{
	uint32_t cpu = (uint32_t)sched_cpu_of(sched_self()), node = 0;
	int rc = a[0] ? syscall_copy(&cpu, a[0], sizeof(cpu), true) : 0;

	if (!rc && a[1])
		rc = syscall_copy(&node, a[1], sizeof(node), true);
	return rc;
}

/* The scheduler as Linux names it: every thread is SCHED_OTHER */
int64_t lsys_sched_getscheduler(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] < 0)
		return -AE_EINVAL;
	if ((int32_t)a[0] && (int32_t)a[0] != proc_pid(p) &&
	    proc_pgid_of(p, (int32_t)a[0], false) < 0)
		return -AE_ESRCH;
	return 0;	/* SCHED_OTHER */
}

int64_t lsys_sched_getparam(const uint64_t a[SYS_ARGS_MAX])
{
	int32_t prio = 0;
	int64_t rc = lsys_sched_getscheduler(a);

	if (rc < 0)
		return rc;
	return syscall_copy(&prio, a[1], sizeof(prio), true);
}

/* The one policy a Linux process has: SCHED_OTHER, priority 0 (a
 * real-time policy is not kept: -EPERM, as for a process without
 * privilege). */
static int64_t set_policy(const uint64_t a[SYS_ARGS_MAX], int64_t policy,
			  uint64_t param)
{
	int32_t prio;
	int64_t rc = lsys_sched_getscheduler(a);	/* pid's checks */

	if (rc < 0)
		return rc;
	if (!param)
		return -AE_EINVAL;
	rc = syscall_copy(&prio, param, sizeof(prio), false);
	if (rc)
		return rc;
	switch (policy) {
	case 0: case 3: case 5:		/* OTHER, BATCH, IDLE */
		return prio == 0 ? 0 : -AE_EINVAL;
	case 1: case 2:			/* FIFO, RR */
		return prio < 1 || prio > 99 ? -AE_EINVAL : -AE_EPERM;
	default:
		return -AE_EINVAL;
	}
}

int64_t lsys_sched_setscheduler(const uint64_t a[SYS_ARGS_MAX])
{
	return set_policy(a, (int32_t)a[1], a[2]);
}

int64_t lsys_sched_setparam(const uint64_t a[SYS_ARGS_MAX])
{
	return set_policy(a, 0, a[1]);
}

int64_t lsys_sched_rr_get_interval(const uint64_t a[SYS_ARGS_MAX])
{
	/* a turn: the scheduler's slice (docs/SCHEDULER.md) */
	int64_t ts[2] = { 0, (int64_t)sched_slice_ns() };
	int64_t rc = lsys_sched_getscheduler(a);

	if (rc < 0)
		return rc;
	return syscall_copy(ts, a[1], sizeof(ts), true);
}

int64_t lsys_sched_get_priority_max(const uint64_t a[SYS_ARGS_MAX])
{
	switch ((int32_t)a[0]) {
	case 0: case 3: case 5:	/* OTHER, BATCH, IDLE */
		return 0;
	case 1: case 2:		/* FIFO, RR */
		return 99;
	default:
		return -AE_EINVAL;
	}
}

int64_t lsys_sched_get_priority_min(const uint64_t a[SYS_ARGS_MAX])
{
	int64_t max = lsys_sched_get_priority_max(a);

	return max < 0 ? max : max ? 1 : 0;
}

int64_t lsys_getrlimit(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { 0, a[0], 0, a[1] };

	return lsys_prlimit64(b);
}

int64_t lsys_times(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_view v;
	int64_t t[4] = { 0 };
	PROC_OR_ESRCH(p);

	if (proc_view_pid(proc_pid(p), &v) == 0)
		t[0] = (int64_t)(v.cpu_ns / 10000000);	/* USER_HZ 100 */
	if (a[0] && syscall_copy(t, a[0], sizeof(t), true))
		return -AE_EFAULT;
	return (int64_t)(clock_ns() / 10000000);
}

int64_t lsys_getppid(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	(void)a;
	return proc_parent(p);
}

/* The calling thread's id: the pid for a process's first thread, as
 * on Linux; a clone'd thread's own (from the pids) */
int64_t lsys_gettid(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc *p = proc_self();

	return p ? proc_linux_tid(p) : sys_getpid(a);
}

static int64_t id_of(void)
{
	PROC_OR_ESRCH(p);

	return proc_privileged(p) ? 0 : 1000;
}

int64_t lsys_getuid(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return id_of();
}

int64_t lsys_geteuid(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return id_of();
}

int64_t lsys_getgid(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return id_of();
}

int64_t lsys_getegid(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return id_of();
}

/* The host and domain names (sethostname, setdomainname): the
 * kernel's, one for every process, until the next boot. */
#define UTS_LEN		64
static char uts_node[UTS_LEN + 1] = "aegis", uts_domain[UTS_LEN + 1] =
	"(none)";
static DEFINE_LOCK_CLASS(uts_class, "linux.uts");
static spinlock_t uts_lk = SPINLOCK_INIT(&uts_class);

int64_t lsys_uname(const uint64_t a[SYS_ARGS_MAX])
{
	/* struct utsname: six fields of 65 bytes */
	static const char *const what[6] = {
		"Aegis", NULL, AEGIS_VERSION, "#1 SMP", NULL, NULL };
	char u[6][65];
	bool was;

	memset(u, 0, sizeof(u));
	for (int i = 0; i < 6; i++) {
		const char *s = what[i] ? what[i] : hal_arch_name();

		if (i != 1 && i != 5)
			memcpy(u[i], s, strnlen(s, 64));
	}
	was = spin_lock_irqsave(&uts_lk);
	memcpy(u[1], uts_node, sizeof(uts_node));
	memcpy(u[5], uts_domain, sizeof(uts_domain));
	spin_unlock_irqrestore(&uts_lk, was);
	return syscall_copy(u, a[0], sizeof(u), true);
}

/* sethostname and setdomainname: privileged; at most 64 bytes, which
 * need no NUL (Linux's order: the privilege first). */
static int64_t set_uts(char *to, uint64_t va, uint64_t len)
{
	char name[UTS_LEN + 1];
	bool was;
	int rc;
	PROC_OR_ESRCH(p);

	if (!proc_privileged(p))
		return -AE_EPERM;
	if (len > UTS_LEN)
		return -AE_EINVAL;
	memset(name, 0, sizeof(name));
	rc = syscall_copy(name, va, len, false);
	if (rc)
		return rc;
	was = spin_lock_irqsave(&uts_lk);
	memcpy(to, name, sizeof(name));
	spin_unlock_irqrestore(&uts_lk, was);
	return 0;
}

int64_t lsys_sethostname(const uint64_t a[SYS_ARGS_MAX])
{
	return set_uts(uts_node, a[0], a[1]);
}

int64_t lsys_setdomainname(const uint64_t a[SYS_ARGS_MAX])
{
	return set_uts(uts_domain, a[0], a[1]);
}

int64_t lsys_brk(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return (int64_t)proc_brk(p, a[0]);
}

/* Walk [va, va + len) mapping by mapping: -ENOMEM at a hole; with
 * change, each mapping's part gets prot (syscall_protect's checks). */
static int64_t protect_span(uint64_t va, uint64_t len, bool change,
			    uint64_t prot)
{
	struct proc *p = proc_self();
	uint64_t end = va + len, hi;
	struct mm_as_region r;
	int64_t rc;

	if (!p)
		return -AE_ESRCH;
	if (end < va)
		return -AE_ENOMEM;
	while (va < end) {
		if (mm_as_next(proc_as(p), va, &r) || r.va > va)
			return -AE_ENOMEM;
		hi = r.va + r.len < end ? r.va + r.len : end;
		if (change) {
			rc = syscall_protect(va, hi - va, prot);
			if (rc)
				return rc;
		}
		va = hi;
	}
	return 0;
}

int64_t lsys_mprotect(const uint64_t a[SYS_ARGS_MAX])
{
	/* write or execute without read: readable too, as Linux's pages
	 * on both arches are */
	uint64_t b[SYS_ARGS_MAX] = { a[0], (a[1] + PAGE - 1) & ~(PAGE - 1),
				     (a[2] & 6) && !(a[2] & ~7ull) ? a[2] | 1
								   : a[2] };
	int64_t rc;

	if (a[0] & (PAGE - 1))
		return -AE_EINVAL;
	if (!a[1])
		return 0;
	if (a[1] > hal_mmu_user_range().hi)
		return -AE_ENOMEM;	/* more than any space maps (and its
					 * rounding up would wrap) */
	/* the range must be mapped throughout, over as many mappings as
	 * it meets (Linux's): checked before anything changes, then each
	 * mapping's part changed in turn (mm changes one at a time) */
	/* a protection nobody may have is refused first, mapped or not */
	if ((b[2] & ~7ull) || (b[2] & 6) == 6)
		return -AE_EINVAL;
	rc = protect_span(b[0], b[1], false, b[2]);
	if (!rc)
		rc = protect_span(b[0], b[1], true, b[2]);
	/* Linux's word for memory that is not mapped there, or for a
	 * mapping that cannot be split further */
	return rc == -AE_ENOENT || rc == -AE_EFAULT || rc == -AE_ENOSPC
		? -AE_ENOMEM : rc;
}

int64_t lsys_sched_yield(const uint64_t a[SYS_ARGS_MAX])
{
	return sys_yield(a);
}

#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003

int64_t lsys_arch_prctl(const uint64_t a[SYS_ARGS_MAX])
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t v;

	if (a[0] == ARCH_SET_FS) {
		if (a[1] >= r.hi)
			return -AE_EPERM;	/* not a user address */
		return sched_set_tls(a[1]);
	}
	if (a[0] == ARCH_GET_FS) {
		v = sched_tls();
		return syscall_copy(&v, a[1], sizeof(v), true);
	}
	return -AE_EINVAL;
}

int64_t lsys_set_tid_address(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	proc_linux_keep(p, a[0], ~0ull);
	return proc_linux_tid(p);
}

int64_t lsys_set_robust_list(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if (a[1] != 24)
		return -AE_EINVAL;
	proc_linux_keep(p, ~0ull, a[0]);
	return 0;
}

#define RLIM_INFINITY	(~0ull)
enum { RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
       RLIMIT_NOFILE = 7, RLIMIT_AS = 9 };

int64_t lsys_prlimit64(const uint64_t a[SYS_ARGS_MAX]);
int64_t lsys_prlimit64(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t lim[2];
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] != 0 && (int32_t)a[0] != proc_pid(p))
		return -AE_ESRCH;
	if (a[2])
		return -AE_EPERM;	/* limits are fixed */
	switch (a[1]) {
	case RLIMIT_STACK:
		lim[0] = proc_stack_size(p);
		break;
	case RLIMIT_NOFILE:
		lim[0] = PROC_FILES;
		break;
	case RLIMIT_DATA:
	case RLIMIT_AS:
		lim[0] = proc_privileged(p) ? RLIM_INFINITY
					    : PROC_PAGES_MAX * PAGE;
		break;
	case RLIMIT_CORE:
		lim[0] = 0;
		break;
	default:
		lim[0] = RLIM_INFINITY;
		break;
	}
	lim[1] = lim[0];
	return a[3] ? syscall_copy(lim, a[3], sizeof(lim), true) : 0;
}

#define MAX_RW_COUNT	0x7ffff000ull	/* Linux's most for one call */

/* readv and writev: each buffer a read or write of its own (the same
 * checks, through the table's entry), stopping at the first short one. */
static int64_t vector_at(const uint64_t a[SYS_ARGS_MAX], unsigned int call,
			 int64_t pos);

static int64_t vector(const uint64_t a[SYS_ARGS_MAX], unsigned int call)
{
	return vector_at(a, call, -1);
}

/* ... at file offset pos (preadv, pwritev: pread64 and pwrite64 for
 * each piece), or where the file is (pos -1) */
static int64_t vector_at(const uint64_t a[SYS_ARGS_MAX], unsigned int call,
			 int64_t pos)
{
	struct user_mem m;
	int64_t done = 0, rc;
	struct proc *p = proc_self();

	/* the file first, as Linux: nothing to move is still -EBADF */
	if (p && (rc = proc_fd_get(p, (int)a[0])) < 0 && rc != PROC_FD_CONSOLE)
		return rc;
	syscall_user_mem(&m);
	for (uint64_t i = 0; i < a[2]; i++) {
		struct { uint64_t base, len; } v;
		uint64_t off = 0;

		rc = syscall_copy(&v, a[1] + 16 * i, sizeof(v), false);
		if (rc)
			return done ? done : rc;
		if ((int64_t)v.len < 0)
			return done ? done : -AE_EINVAL;
		if (v.len > MAX_RW_COUNT - (uint64_t)done)
			v.len = MAX_RW_COUNT - (uint64_t)done;
		while (off < v.len) {
			if (sched_killed())
				return done ? done : -AE_EINTR;
			uint64_t n = v.len - off < 4096 ? v.len - off : 4096;
			uint64_t w[SYS_ARGS_MAX] = { a[0], v.base + off, n,
						     (uint64_t)(pos + done) };

			rc = syscall_run(&linux_table[call], w, &m);
			if (rc < 0)
				return done ? done : rc;
			done += rc;
			off += (uint64_t)rc;
			if ((uint64_t)rc < n)
				return done;	/* short: stop there */
		}
	}
	return done;
}

int64_t lsys_writev(const uint64_t a[SYS_ARGS_MAX])
{
	return vector(a, LSYS_write);
}

int64_t lsys_readv(const uint64_t a[SYS_ARGS_MAX])
{
	return vector(a, LSYS_read);
}

int64_t lsys_preadv(const uint64_t a[SYS_ARGS_MAX])
{
	if ((int64_t)a[3] < 0)
		return -AE_EINVAL;
	return vector_at(a, LSYS_pread64, (int64_t)a[3]);
}

int64_t lsys_pwritev(const uint64_t a[SYS_ARGS_MAX])
{
	if ((int64_t)a[3] < 0)
		return -AE_EINVAL;
	return vector_at(a, LSYS_pwrite64, (int64_t)a[3]);
}

int64_t lsys_get_robust_list(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t head, len = 24;
	int rc;
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] && (int32_t)a[0] != proc_pid(p))
		return (int32_t)a[0] < 0 || proc_pgid_of(p, (int32_t)a[0],
							 false) < 0 ?
		       -AE_ESRCH : -AE_EPERM;	/* another's: not shown */
	head = proc_robust_head(p);
	rc = syscall_copy(&head, a[1], sizeof(head), true);
	return rc ? rc : syscall_copy(&len, a[2], sizeof(len), true);
}

/* ---- reboot --------------------------------------------------------------- */

#define REBOOT_MAGIC1		0xfee1deadu
#define REBOOT_CMD_RESTART	0x01234567u
#define REBOOT_CMD_HALT		0xcdef0123u
#define REBOOT_CMD_POWER_OFF	0x4321fedcu
#define REBOOT_CMD_CAD_ON	0x89abcdefu
#define REBOOT_CMD_CAD_OFF	0u

int64_t lsys_reboot(const uint64_t a[SYS_ARGS_MAX])
{
	uint32_t m2 = (uint32_t)a[1];
	PROC_OR_ESRCH(p);

	if (!proc_privileged(p))
		return -AE_EPERM;
	if ((uint32_t)a[0] != REBOOT_MAGIC1 ||
	    (m2 != 672274793u && m2 != 85072278u && m2 != 369367448u &&
	     m2 != 537993216u))
		return -AE_EINVAL;
	switch ((uint32_t)a[2]) {
	case REBOOT_CMD_RESTART:
		return sys_reboot(a);
	case REBOOT_CMD_HALT:
	case REBOOT_CMD_POWER_OFF:
		return sys_poweroff(a);
	case REBOOT_CMD_CAD_ON:
	case REBOOT_CMD_CAD_OFF:
		return 0;	/* the console has no Ctrl-Alt-Del to give */
	default:
		return -AE_EINVAL;
	}
}

/* ---- capget --------------------------------------------------------------- */

#define CAP_V1		0x19980330u
#define CAP_V2		0x20071026u
#define CAP_V3		0x20080522u

int64_t lsys_capget(const uint64_t a[SYS_ARGS_MAX])
{
	struct { uint32_t version; int32_t pid; } hdr;
	uint32_t data[6];	/* effective, permitted, inheritable; twice */
	int32_t pid;
	unsigned int n;
	bool priv;
	int rc;
	PROC_OR_ESRCH(p);

	rc = syscall_copy(&hdr, a[0], sizeof(hdr), false);
	if (rc)
		return rc;
	if (hdr.version != CAP_V1 && hdr.version != CAP_V2 &&
	    hdr.version != CAP_V3) {
		/* the version this kernel likes, for the caller to retry */
		hdr.version = CAP_V3;
		rc = syscall_copy(&hdr.version, a[0], sizeof(hdr.version),
				  true);
		return rc ? rc : a[1] ? -AE_EINVAL : 0;
	}
	pid = hdr.pid;
	if (pid < 0)
		return -AE_EINVAL;
	if (pid && pid != proc_pid(p) && proc_pgid_of(p, pid, false) < 0)
		return -AE_ESRCH;
	if (!a[1])
		return 0;
	/* a privileged process has every capability (0 to 40), any other
	 * none: Aegis's privilege is all or nothing (docs/PROCESSES.md) */
	priv = pid && pid != proc_pid(p) ? proc_pid_privileged(pid)
					 : proc_privileged(p);
	memset(data, 0, sizeof(data));
	if (priv) {
		data[0] = data[1] = 0xffffffffu;
		data[3] = data[4] = 0x1ffu;
	}
	n = hdr.version == CAP_V1 ? 3 : 6;
	return syscall_copy(data, a[1], n * sizeof(uint32_t), true);
}

/* ---- time ---------------------------------------------------------------- */

#define NS	1000000000ull
enum { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
       CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
       CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM,
       CLOCK_BOOTTIME_ALARM, CLOCK_SGI_CYCLE, CLOCK_TAI };

/* The real-time clock's seconds since 1970, less the monotonic clock at
 * the reading, in ns: read once, from /dev/rtc0 (0: none, or unread). */
static int64_t wall_offset;
static bool wall_read;

static uint64_t realtime_ns(void)
{
	if (!__atomic_load_n(&wall_read, __ATOMIC_ACQUIRE)) {
		int64_t secs = 0;
		int fd = node_open("/dev/rtc0", NODE_READ, NODE_CRED_KERNEL);

		if (fd >= 0) {
			if (node_ioctl(fd, ABI_RTC_SECONDS, &secs,
				       sizeof(secs)) < 0)
				secs = 0;
			node_close(fd);
		}
		if (secs > 0)
			wall_offset = secs * (int64_t)NS - (int64_t)clock_ns();
		__atomic_store_n(&wall_read, true, __ATOMIC_RELEASE);
	}
	return (uint64_t)((int64_t)clock_ns() +
			  __atomic_load_n(&wall_offset, __ATOMIC_ACQUIRE));
}

int64_t linux_wall_offset(void)
{
	(void)realtime_ns();	/* read the clock once */
	/* the same until clock_settime or settimeofday: times round-trip */
	return __atomic_load_n(&wall_offset, __ATOMIC_ACQUIRE);
}

/* clock's reading in ns, or -EINVAL for a clock Aegis does not keep */
static int clock_of(uint64_t clock, uint64_t *ns)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		*ns = realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = clock_ns();
		return 0;
	default:
		return -AE_EINVAL;
	}
}

static int put_timespec(uint64_t ns, uint64_t va)
{
	int64_t ts[2] = { (int64_t)(ns / NS), (int64_t)(ns % NS) };

	return syscall_copy(ts, va, sizeof(ts), true);
}

int64_t lsys_clock_gettime(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t ns;
	int rc = clock_of(a[0], &ns);

	return rc ? rc : put_timespec(ns, a[1]);
}

int64_t lsys_clock_getres(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t ns;
	int rc = clock_of(a[0], &ns);
	bool coarse = a[0] == CLOCK_REALTIME_COARSE ||
		      a[0] == CLOCK_MONOTONIC_COARSE;

	if (rc)
		return rc;
	return a[1] ? put_timespec(coarse ? NS / kernel_timer_hz() : 1, a[1])
		    : 0;
}

/* settimeofday's time zone (minutes west of Greenwich, the DST kind),
 * which gettimeofday reports: every process's, until the next boot */
static int32_t sys_tz[2];

int64_t linux_clock_mono(uint64_t clock, uint64_t ns)
{
	if (clock == CLOCK_REALTIME || clock == CLOCK_TAI) {
		int64_t m = (int64_t)ns - linux_wall_offset();

		return m > 0 ? m : 1;	/* past: due at once */
	}
	return (int64_t)ns;
}

int64_t linux_clock_now(uint64_t clock, uint64_t *ns)
{
	return clock_of(clock, ns);
}

/* Set the real-time clock to ns since 1970 (privileged). */
static int64_t set_realtime(int64_t ns)
{
	PROC_OR_ESRCH(p);

	if (!proc_privileged(p))
		return -AE_EPERM;
	(void)realtime_ns();	/* the RTC's reading is not wanted now */
	__atomic_store_n(&wall_offset, ns - (int64_t)clock_ns(),
			 __ATOMIC_RELEASE);
	klog(KLOG_INFO, "linux: pid %d set the real-time clock to %lld s\n",
	     proc_pid(p), (long long)(ns / (int64_t)NS));
	return 0;
}

int64_t lsys_clock_settime(const uint64_t a[SYS_ARGS_MAX])
{
	int64_t ts[2];
	int rc;
	PROC_OR_ESRCH(p);

	/* Linux: only CLOCK_REALTIME is settable; the others are -EINVAL
	 * (after the copy: a bad pointer is -EFAULT first) */
	rc = syscall_copy(ts, a[1], sizeof(ts), false);
	if (rc)
		return rc;
	if (a[0] != CLOCK_REALTIME)
		return -AE_EINVAL;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= (int64_t)NS ||
	    ts[0] > (int64_t)(~0ull >> 1) / (int64_t)NS - 1)
		return -AE_EINVAL;
	if (!proc_privileged(p))
		return -AE_EPERM;
	return set_realtime(ts[0] * (int64_t)NS + ts[1]);
}

int64_t lsys_settimeofday(const uint64_t a[SYS_ARGS_MAX])
{
	int64_t tv[2];
	int32_t tz[2];
	int rc;
	PROC_OR_ESRCH(p);

	if (a[0]) {
		rc = syscall_copy(tv, a[0], sizeof(tv), false);
		if (rc)
			return rc;
		if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000 ||
		    tv[0] > (int64_t)(~0ull >> 1) / (int64_t)NS - 1)
			return -AE_EINVAL;
	}
	if (a[1]) {
		rc = syscall_copy(tz, a[1], sizeof(tz), false);
		if (rc)
			return rc;
	}
	/* Linux: the privilege, then the time zone */
	if (!proc_privileged(p))
		return -AE_EPERM;
	if (a[1] && (tz[0] < -15 * 60 || tz[0] > 15 * 60))
		return -AE_EINVAL;
	if (a[1]) {
		sys_tz[0] = tz[0];
		sys_tz[1] = tz[1];
	}
	return a[0] ? set_realtime(tv[0] * (int64_t)NS + tv[1] * 1000) : 0;
}

int64_t lsys_gettimeofday(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t ns = realtime_ns();
	int64_t tv[2] = { (int64_t)(ns / NS), (int64_t)(ns % NS / 1000) };
	int32_t tz[2] = { sys_tz[0], sys_tz[1] };
	int rc = 0;

	if (a[0])
		rc = syscall_copy(tv, a[0], sizeof(tv), true);
	if (!rc && a[1])
		rc = syscall_copy(tz, a[1], sizeof(tz), true);
	return rc;
}

int64_t lsys_time(const uint64_t a[SYS_ARGS_MAX])
{
	int64_t t = (int64_t)(realtime_ns() / NS);

	return a[0] ? syscall_copy(&t, a[0], sizeof(t), true) ?: t : t;
}

/* A timespec the caller gave: its ns, or -EINVAL (negative, or tv_nsec
 * out of 0..999999999), -EFAULT. */
static int get_timespec(uint64_t va, uint64_t *ns)
{
	int64_t ts[2];
	int rc = syscall_copy(ts, va, sizeof(ts), false);

	if (rc)
		return rc;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= (int64_t)NS)
		return -AE_EINVAL;
	*ns = (uint64_t)ts[0] >= ~0ull / NS ? ~0ull
					    : (uint64_t)ts[0] * NS + (uint64_t)ts[1];
	return 0;
}

/* Sleep ns (a day at a time at most: sched_block_unless's longest):
 * 0, or -EINTR when a signal is due (with what was left in *left) or
 * the process is ending. A wake that is not a signal sleeps on. */
static int sleep_ns(uint64_t ns, uint64_t *left)
{
	uint64_t now = clock_ns(), end = ns > ~0ull - now ? ~0ull : now + ns;

	for (;;) {
		uint64_t seen = sched_wakes();

		now = clock_ns();
		if (now >= end)
			return 0;
		if (sched_killed())
			return -AE_EINTR;	/* its process is ending */
		if (linux_sig_due()) {
			*left = end - now;
			return -AE_EINTR;	/* a handler runs next */
		}
		sched_block_unless(seen, end - now < 86400 * NS ? end - now
							: 86400 * NS);
	}
}

/* What was left of an interrupted sleep, in the caller's rem (if any). */
static int64_t slept(int rc, uint64_t left, uint64_t rem)
{
	int64_t ts[2] = { (int64_t)(left / NS), (int64_t)(left % NS) };

	if (rc == -AE_EINTR && rem && left &&
	    syscall_copy(ts, rem, sizeof(ts), true))
		return -AE_EFAULT;
	return rc;
}

int64_t lsys_nanosleep(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t ns, left = 0;
	int rc = get_timespec(a[0], &ns);

	if (rc)
		return rc;
	rc = sleep_ns(ns, &left);
	return slept(rc, left, a[1]);
}

int64_t lsys_clock_nanosleep(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t ns, now, left = 0;
	int rc;

	if (a[0] != CLOCK_REALTIME && a[0] != CLOCK_MONOTONIC &&
	    a[0] != CLOCK_BOOTTIME)
		return -AE_EINVAL;
	rc = get_timespec(a[2], &ns);
	if (rc)
		return rc;
	if (a[1] & 1) {		/* TIMER_ABSTIME: until the clock reads ns */
		clock_of(a[0], &now);
		ns = ns > now ? ns - now : 0;
		return sleep_ns(ns, &left);	/* (no rem: absolute) */
	}
	rc = sleep_ns(ns, &left);
	return slept(rc, left, a[3]);
}

int64_t lsys_sysinfo(const uint64_t a[SYS_ARGS_MAX])
{
	struct {
		int64_t uptime;
		uint64_t loads[3];
		uint64_t totalram, freeram, sharedram, bufferram;
		uint64_t totalswap, freeswap;
		uint16_t procs, pad;
		uint32_t pad2;
		uint64_t totalhigh, freehigh;
		uint32_t mem_unit;
		uint32_t pad3;
	} si;
	struct mm_stats ms;
	struct sched_stats ss;
	_Static_assert(sizeof(si) == 112, "struct sysinfo (64-bit)");

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(clock_ns() / NS);
	sched_loadavg(si.loads);
	if (mm_get_stats(&ms) == 0) {
		si.totalram = ms.managed_pages * PAGE;
		si.freeram = ms.free_pages * PAGE;
	}
	sched_get_stats(&ss);
	si.procs = (uint16_t)(ss.threads < 0xffff ? ss.threads : 0xffff);
	si.mem_unit = 1;
	return syscall_copy(&si, a[0], sizeof(si), true);
}

/* ---- CPUs ------------------------------------------------------------------ */

int64_t lsys_sched_getaffinity(const uint64_t a[SYS_ARGS_MAX])
{
	uint8_t mask[128];
	uint64_t cpus;
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] != 0 && (int32_t)a[0] != proc_pid(p))
		return -AE_ESRCH;
	if (a[1] < 8)
		return -AE_EINVAL;
	memset(mask, 0, sizeof(mask));
	cpus = sched_affinity(sched_self());
	memcpy(mask, &cpus, sizeof(cpus));
	return syscall_copy(mask, a[2], a[1], true) ?: 8;
}

int64_t lsys_sched_setaffinity(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t cpus = 0;
	int rc;
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] != 0 && (int32_t)a[0] != proc_pid(p))
		return -AE_ESRCH;
	rc = syscall_copy(&cpus, a[2], a[1] < 8 ? a[1] : 8, false);
	if (rc)
		return rc;
	return sched_set_affinity(sched_self(), cpus);
}

/* ---- the process's place --------------------------------------------------- */

int64_t lsys_umask(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return proc_umask(p, (uint32_t)a[0] & 0777);
}

/* ---- /sys/linux ------------------------------------------------------------ */

static const struct sysfs_attr attrs[] = {
	{ "calls", 0444, 0 }, { "enosys", 0444, 0 }, { "futex", 0444, 0 },
};

static uint32_t show_calls(char *buf, uint32_t size)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < LSYS_COUNT && n < size; i++)
		n = sysfs_put(size, n, ksnprintf(buf + n, size - n,
			"%-16s %llu\n", linux_table[i].name,
			(unsigned long long)__atomic_load_n(&calls[i],
							    __ATOMIC_RELAXED)));
	return n;
}

static uint32_t show_enosys(char *buf, uint32_t size)
{
	uint32_t n = sysfs_put(size, 0, ksnprintf(buf, size, "nr    calls  (%s)\n",
						 hal_arch_name()));

	for (unsigned int i = 0; i <= NR_SEEN && n < size; i++) {
		uint64_t c = __atomic_load_n(&enosys[i], __ATOMIC_RELAXED);

		if (!c)
			continue;
		if (i == NR_SEEN)
			n = sysfs_put(size, n, ksnprintf(buf + n, size - n,
				">%u %llu\n", NR_SEEN - 1,
				(unsigned long long)c));
		else
			n = sysfs_put(size, n, ksnprintf(buf + n, size - n,
				"%-5u %llu\n", i, (unsigned long long)c));
	}
	return n;
}

static uint32_t linux_show(uint32_t index, char *buf, uint32_t size)
{
	return index == 0 ? show_calls(buf, size) :
	       index == 1 ? show_enosys(buf, size) :
	       sysfs_put(size, 0, (int)linux_futex_show(buf, size));
}

static const struct sysfs_ops linux_ops = { linux_show, NULL };

static int linux_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	(void)state;
	if (m->kind != BUS_REQUEST)
		return 0;
	return sysfs_serve(attrs, ARRAY_SIZE(attrs), &linux_ops, m, reply);
}

SERVICE(linux_personality,
	.name = "linux",
	.handler = linux_handle,
	.serves = SERVES_LINUX,
	.sysfs = "linux");
