/*
 * linuxproc.c - what Linux's process calls do, checked one by one: fork
 * (clone with SIGCHLD) and wait4's statuses, exit codes, a signal's
 * default action (kill, SIGPIPE), process groups and sessions, execve's
 * refusals, pipes and poll, the ids, prctl's name, the scheduler's
 * policy; a fork's memory, the parent's and the child's apart from the
 * fork on (copy-on-write under Aegis: each write, the kernel's into a
 * read buffer included, gets the writer its own page).
 *
 * Built and marked as linuxfs.c is (a static program that talks only
 * through Linux's system calls); the same binary runs under Aegis (case
 * linux-procs) and under Linux (test/unit/linux_reference.py), so each
 * expectation here is Linux's.
 */
#include <string.h>
#include "ulib.h"

#define sys(n, a, b, c, d, e) aegis_syscall((n), (a), (b), (c), (d), (e), 0)
#define sys6(n, a, b, c, d, e, f) aegis_syscall((n), (long)(a), (long)(b), \
						(long)(c), (long)(d), \
						(long)(e), (long)(f))

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_close = 3, NR_pipe2 = 293,
       NR_getpid = 39, NR_clone = 56, NR_execve = 59, NR_exit_group = 231,
       NR_wait4 = 61, NR_kill = 62, NR_getuid = 102, NR_setuid = 105,
       NR_setpgid = 109, NR_getppid = 110, NR_setsid = 112,
       NR_getresuid = 118, NR_getpgid = 121, NR_getsid = 124,
       NR_sched_getscheduler = 145, NR_sched_get_priority_max = 146,
       NR_sched_get_priority_min = 147, NR_prctl = 157, NR_ppoll = 271,
       NR_nanosleep = 35, NR_getrusage = 98, NR_personality = 135,
       NR_sethostname = 170, NR_waitid = 247, NR_mlock = 149,
       NR_munlock = 150, NR_mlockall = 151, NR_munlockall = 152,
       NR_msync = 26, NR_mincore = 27, NR_sched_setscheduler = 144,
       NR_sched_setparam = 142, NR_sched_rr_get_interval = 148,
       NR_reboot = 169, NR_capget = 125, NR_get_robust_list = 274,
       NR_set_robust_list = 273, NR_futex = 202, NR_getpriority = 140,
       NR_setpriority = 141, NR_sched_getattr = 315,
       NR_sched_setattr = 314, NR_membarrier = 324, NR_syslog = 103,
       NR_clock_settime = 227, NR_clock_gettime = 228,
       NR_settimeofday = 164, NR_uname = 63, NR_getrandom = 318,
       NR_openat = 257, NR_mmap = 9, NR_mprotect = 10, NR_munmap = 11,
       NR_unlinkat = 263, NR_mkdirat = 258, NR_chdir = 80,
       NR_getcwd = 79, NR_brk = 12, NR_readlinkat = 267 };
#else
enum { NR_close = 57, NR_pipe2 = 59, NR_read = 63, NR_write = 64,
       NR_exit_group = 94, NR_nanosleep = 101,
       NR_sched_getscheduler = 120, NR_sched_get_priority_max = 125,
       NR_sched_get_priority_min = 126, NR_kill = 129, NR_setuid = 146,
       NR_getresuid = 148, NR_setpgid = 154, NR_getpgid = 155,
       NR_getsid = 156, NR_setsid = 157, NR_prctl = 167, NR_getpid = 172,
       NR_getppid = 173, NR_getuid = 174, NR_clone = 220, NR_execve = 221,
       NR_wait4 = 260, NR_ppoll = 73, NR_getrusage = 165,
       NR_personality = 92, NR_sethostname = 161, NR_waitid = 95,
       NR_mlock = 228, NR_munlock = 229, NR_mlockall = 230,
       NR_munlockall = 231, NR_msync = 227, NR_mincore = 232,
       NR_sched_setscheduler = 119, NR_sched_setparam = 118,
       NR_sched_rr_get_interval = 127, NR_reboot = 142, NR_capget = 90,
       NR_get_robust_list = 100, NR_set_robust_list = 99, NR_futex = 98,
       NR_getpriority = 141, NR_setpriority = 140, NR_sched_getattr = 275,
       NR_sched_setattr = 274, NR_membarrier = 283, NR_syslog = 116,
       NR_clock_settime = 112, NR_clock_gettime = 113,
       NR_settimeofday = 170, NR_uname = 160, NR_getrandom = 278,
       NR_openat = 56, NR_mmap = 222, NR_mprotect = 226, NR_munmap = 215,
       NR_unlinkat = 35, NR_mkdirat = 34, NR_chdir = 49,
       NR_getcwd = 17, NR_brk = 214, NR_readlinkat = 78 };
#endif

enum { E2BIG = 7, EPERM = 1, ENOENT = 2, ESRCH = 3, ECHILD = 10, EAGAIN = 11,
       ENOMEM = 12, EACCES = 13, EEXIST = 17, EINVAL = 22, ENOSYS = 38,
       ETIMEDOUT = 110 };
/* a pid no Linux can have (pid_max is at most 2^22): a kill of it is safe
 * on the host that runs the reference side */
#define NO_PID		(1l << 30)
#define SIGCHLD		17
#define SIGTERM		15
#define SIGPIPE		13
#define WNOHANG		1
#define POLLIN		1
#define POLLHUP		0x10

#define L(n, a, b, c, d) sys(NR_##n, (long)(a), (long)(b), (long)(c), \
			     (long)(d), 0)

static int checks, fails;
static char line[160];

static void say(const char *s)
{
	sys(NR_write, 1, (long)s, (long)strlen(s), 0, 0);
}

#define CHECK(cond)							\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			fails++;					\
			snprintf(line, sizeof(line),			\
				 "linuxproc: line %d: %s\n", __LINE__, #cond); \
			say(line);					\
		}							\
	} while (0)

static long fork_(void)
{
	return L(clone, SIGCHLD, 0, 0, 0);
}

static void __attribute__((noreturn)) quit(long code)
{
	sys(NR_exit_group, code, 0, 0, 0, 0);
	for (;;)
		;
}

/* wait4's status of the child pid (or -errno) */
static long status_of(long pid)
{
	int st = -1;
	long rc = L(wait4, pid, &st, 0, 0);

	return rc == pid ? st : rc < 0 ? rc : -1000;
}

static void pause_ms(long ms)
{
	long ts[2] = { 0, ms * 1000000 };

	L(nanosleep, ts, 0, 0, 0);
}

static void processes(void)
{
	long me = L(getpid, 0, 0, 0, 0), pid, st;
	int fd[2];
	char c;

	/* exit codes through wait4 */
	pid = fork_();
	if (pid == 0)
		quit(7);
	CHECK(pid > me);
	CHECK(status_of(pid) == 7 << 8);
	CHECK(L(wait4, -1, 0, WNOHANG, 0) == -ECHILD);
	CHECK(L(wait4, NO_PID, 0, 0, 0) == -ECHILD);
	/* the child sees its parent */
	pid = fork_();
	if (pid == 0)
		quit(L(getppid, 0, 0, 0, 0) == me ? 0 : 1);
	CHECK(status_of(pid) == 0);
	/* WNOHANG while it runs, then its end */
	CHECK(L(pipe2, fd, 0, 0, 0) == 0);
	pid = fork_();
	if (pid == 0) {
		L(read, fd[0], &c, 1, 0);	/* until the parent writes */
		quit(3);
	}
	CHECK(L(wait4, pid, 0, WNOHANG, 0) == 0);
	CHECK(L(write, fd[1], "x", 1, 0) == 1);
	CHECK(status_of(pid) == 3 << 8);
	L(close, fd[0], 0, 0, 0);
	L(close, fd[1], 0, 0, 0);
	/* a signal's default action ends it; wait4 says which */
	pid = fork_();
	if (pid == 0) {
		for (;;)
			pause_ms(10);
	}
	CHECK(L(kill, pid, 0, 0, 0) == 0);
	CHECK(L(kill, pid, SIGTERM, 0, 0) == 0);
	CHECK(status_of(pid) == SIGTERM);
	CHECK(L(kill, pid, 0, 0, 0) == -ESRCH);
	CHECK(L(kill, me, 99, 0, 0) == -EINVAL);
	CHECK(L(kill, NO_PID, SIGTERM, 0, 0) == -ESRCH);
	CHECK(L(kill, me, SIGCHLD, 0, 0) == 0);	/* ignored by default */
	/* a process that signals itself ends at once */
	pid = fork_();
	if (pid == 0) {
		L(kill, L(getpid, 0, 0, 0, 0), SIGTERM, 0, 0);
		quit(1);	/* not reached */
	}
	CHECK(status_of(pid) == SIGTERM);
	/* a write to a pipe nobody reads: SIGPIPE */
	CHECK(L(pipe2, fd, 0, 0, 0) == 0);
	pid = fork_();
	if (pid == 0) {
		/* it fills the pipe, waits, and writes again once the
		 * parent has closed the read end (whichever runs first) */
		L(close, fd[0], 0, 0, 0);
		for (;;)
			L(write, fd[1], "x", 1, 0);
	}
	L(close, fd[0], 0, 0, 0);
	L(close, fd[1], 0, 0, 0);
	st = status_of(pid);
	CHECK(st == SIGPIPE);
	/* execve's refusals leave the process as it was */
	{
		const char *argv[] = { "x", 0 };

		CHECK(L(execve, "/nonexistent", argv, 0, 0) == -ENOENT);
		CHECK(L(execve, "/", argv, 0, 0) == -EACCES);
	}
}

static void groups(void)
{
	long me = L(getpid, 0, 0, 0, 0), pid;

	CHECK(L(getpgid, 0, 0, 0, 0) > 0);
	CHECK(L(getsid, 0, 0, 0, 0) > 0);
	CHECK(L(getpgid, me, 0, 0, 0) == L(getpgid, 0, 0, 0, 0));
	CHECK(L(getpgid, NO_PID, 0, 0, 0) == -ESRCH);
	CHECK(L(setpgid, NO_PID, 0, 0, 0) == -ESRCH);
	CHECK(L(setpgid, 0, -1, 0, 0) == -EINVAL);
	/* a child: a group of its own, then a session of its own */
	pid = fork_();
	if (pid == 0) {
		long c = L(getpid, 0, 0, 0, 0);

		if (L(getpgid, 0, 0, 0, 0) == c)
			quit(1);	/* fork keeps the parent's group */
		if (L(setsid, 0, 0, 0, 0) != c)
			quit(2);
		if (L(getsid, 0, 0, 0, 0) != c || L(getpgid, 0, 0, 0, 0) != c)
			quit(3);
		if (L(setsid, 0, 0, 0, 0) != -EPERM)
			quit(4);	/* it leads a group now */
		quit(0);
	}
	CHECK(status_of(pid) == 0);
	pid = fork_();
	if (pid == 0) {
		if (L(setpgid, 0, 0, 0, 0) != 0)
			quit(1);
		quit(L(getpgid, 0, 0, 0, 0) == L(getpid, 0, 0, 0, 0) ? 0 : 2);
	}
	CHECK(status_of(pid) == 0);
	/* wait4 by group: 0 is the caller's group, -pgid another's */
	pid = fork_();
	if (pid == 0) {
		L(setpgid, 0, 0, 0, 0);
		pause_ms(50);
		quit(4);
	}
	L(setpgid, pid, pid, 0, 0);	/* (whichever runs first) */
	{
		int st = 0;

		CHECK(L(wait4, 0, &st, WNOHANG, 0) == -ECHILD);
		CHECK(L(wait4, -pid, &st, 0, 0) == pid && st == 4 << 8);
	}
	/* a group whose only member has ended, not yet waited for, is
	 * still there: another child may join it (ash's pipelines) */
	pid = fork_();
	if (pid == 0)
		quit(0);
	{
		int si[32], st = 0;
		long b;

		/* WEXITED | WNOWAIT: ended, left a zombie, which its parent
		 * may still put in a group of its own */
		CHECK(sys(NR_waitid, 1, pid, (long)si, 4 | 0x01000000, 0) == 0);
		CHECK(L(setpgid, pid, pid, 0, 0) == 0);
		b = fork_();
		if (b == 0) {
			pause_ms(20);
			quit(L(getpgid, 0, 0, 0, 0) == pid ? 0 : 1);
		}
		CHECK(L(setpgid, b, pid, 0, 0) == 0);
		CHECK(status_of(b) == 0);
		CHECK(L(wait4, pid, &st, 0, 0) == pid);
	}
}

static void misc(void)
{
	int fd[2];
	struct { int fd; short ev, rev; } pf;
	long ts[2] = { 0, 0 };
	unsigned int r[3];
	char name[16];
	long uid = L(getuid, 0, 0, 0, 0);

	/* poll: an empty pipe, one with data, one without writers */
	CHECK(L(pipe2, fd, 0, 0, 0) == 0);
	pf.fd = fd[0];
	pf.ev = POLLIN;
	pf.rev = 0;
	CHECK(L(ppoll, &pf, 1, ts, 0) == 0);
	CHECK(L(write, fd[1], "y", 1, 0) == 1);
	CHECK(L(ppoll, &pf, 1, ts, 0) == 1 && (pf.rev & POLLIN));
	CHECK(L(read, fd[0], name, 1, 0) == 1);
	L(close, fd[1], 0, 0, 0);
	CHECK(L(ppoll, &pf, 1, ts, 0) == 1 && (pf.rev & POLLHUP));
	CHECK(L(read, fd[0], name, 1, 0) == 0);
	L(close, fd[0], 0, 0, 0);
	/* the ids */
	CHECK(L(getresuid, &r[0], &r[1], &r[2], 0) == 0);
	CHECK(r[0] == uid && r[1] == uid && r[2] == uid);
	CHECK(L(setuid, uid, 0, 0, 0) == 0);
	if (uid != 0)
		CHECK(L(setuid, uid + 1, 0, 0, 0) == -EPERM);
	/* the name */
	CHECK(L(prctl, 15, "lpname", 0, 0) == 0);
	memset(name, 0, sizeof(name));
	CHECK(L(prctl, 16, name, 0, 0) == 0 && strcmp(name, "lpname") == 0);
	CHECK(L(prctl, 12345, 0, 0, 0) == -EINVAL);
	/* the scheduler's policy */
	CHECK(L(sched_getscheduler, 0, 0, 0, 0) == 0);
	CHECK(L(sched_get_priority_max, 0, 0, 0, 0) == 0);
	CHECK(L(sched_get_priority_max, 1, 0, 0, 0) == 99);
	CHECK(L(sched_get_priority_min, 1, 0, 0, 0) == 1);
	CHECK(L(sched_get_priority_max, 77, 0, 0, 0) == -EINVAL);
}

/* getrusage, personality, sethostname's refusals, waitid, the memory
 * locks */
static void more(void)
{
	long ru[18], pid, page[512];
	int si[32], fd[2];
	long uid = L(getuid, 0, 0, 0, 0);

	CHECK(L(getrusage, 0, ru, 0, 0) == 0);		/* RUSAGE_SELF */
	CHECK(ru[0] >= 0 && ru[1] >= 0 && ru[1] < 1000000);
	CHECK(L(getrusage, -1, ru, 0, 0) == 0);	/* RUSAGE_CHILDREN */
	CHECK(L(getrusage, 5, ru, 0, 0) == -EINVAL);
	CHECK(L(personality, 0xffffffffl, 0, 0, 0) == 0);	/* PER_LINUX */
	CHECK(L(personality, 0, 0, 0, 0) == 0);
	/* the privilege first, then the length (the host's name is never
	 * changed here: this runs under Linux too) */
	CHECK(L(sethostname, "x", 100, 0, 0) == (uid ? -EPERM : -EINVAL));
	/* waitid */
	pid = fork_();
	if (pid == 0)
		quit(9);
	memset(si, 0x55, sizeof(si));
	CHECK(sys(NR_waitid, 1, pid, (long)si, 4, 0) == 0);	/* P_PID */
	CHECK(si[0] == SIGCHLD && si[2] == 1 && si[4] == pid && si[6] == 9);
	CHECK(sys(NR_waitid, 0, 0, (long)si, 4 | WNOHANG, 0) == -ECHILD);
	CHECK(sys(NR_waitid, 0, 0, (long)si, 0, 0) == -EINVAL);
	CHECK(sys(NR_waitid, 7, 0, (long)si, 4, 0) == -EINVAL);
	CHECK(L(pipe2, fd, 0, 0, 0) == 0);
	pid = fork_();
	if (pid == 0) {
		char c;

		L(read, fd[0], &c, 1, 0);
		quit(0);
	}
	memset(si, 0x55, sizeof(si));
	CHECK(sys(NR_waitid, 0, 0, (long)si, 4 | WNOHANG, 0) == 0);
	CHECK(si[4] == 0);			/* none ended yet */
	CHECK(L(write, fd[1], "x", 1, 0) == 1);
	CHECK(sys(NR_waitid, 2, 0, (long)si, 4, 0) == 0);	/* P_PGID */
	CHECK(si[4] == pid && si[2] == 1 && si[6] == 0);
	L(close, fd[0], 0, 0, 0);
	L(close, fd[1], 0, 0, 0);
	/* memory is resident: a mapped page locks, a hole does not */
	CHECK(L(mlock, page, sizeof(page), 0, 0) == 0);
	CHECK(L(munlock, page, sizeof(page), 0, 0) == 0);
	CHECK(L(mlock, 4096, 4096, 0, 0) == -ENOMEM);
	CHECK(L(mlockall, 0, 0, 0, 0) == -EINVAL);
	CHECK(L(mlockall, 4, 0, 0, 0) == -EINVAL);	/* ONFAULT alone */
	CHECK(L(munlockall, 0, 0, 0, 0) == 0);
	/* msync and mincore of a page of this stack */
	{
		long pg = ((long)page + 4095) & ~4095l;
		unsigned char vec[2] = { 0, 0 };

		CHECK(L(msync, pg, 4096, 4, 0) == 0);		/* MS_SYNC */
		CHECK(L(msync, pg + 1, 4096, 4, 0) == -EINVAL);
		CHECK(L(msync, pg, 4096, 5, 0) == -EINVAL);	/* ASYNC|SYNC */
		CHECK(L(msync, 4096, 4096, 4, 0) == -ENOMEM);
		((volatile char *)pg)[0] = 1;			/* touched */
		CHECK(L(mincore, pg, 4096, vec, 0) == 0 && (vec[0] & 1));
		CHECK(L(mincore, pg + 1, 4096, vec, 0) == -EINVAL);
		CHECK(L(mincore, 4096, 4096, vec, 0) == -ENOMEM);
	}
	/* the scheduler: SCHED_OTHER, priority 0, and a turn */
	{
		int zero = 0, one = 1;
		long ts[2] = { -1, -1 };

		CHECK(L(sched_setscheduler, 0, 0, &zero, 0) == 0);
		CHECK(L(sched_setscheduler, 0, 0, &one, 0) == -EINVAL);
		CHECK(L(sched_setscheduler, 0, 7, &zero, 0) == -EINVAL);
		CHECK(L(sched_setscheduler, NO_PID, 0, &zero, 0) == -ESRCH);
		CHECK(L(sched_setparam, 0, &zero, 0, 0) == 0);
		CHECK(L(sched_setparam, 0, &one, 0, 0) == -EINVAL);
		CHECK(L(sched_rr_get_interval, 0, ts, 0, 0) == 0);
		CHECK(ts[0] >= 0 && ts[1] >= 0 && ts[1] < 1000000000);
		CHECK(L(sched_rr_get_interval, NO_PID, ts, 0, 0) == -ESRCH);
	}
}

/* capget, reboot's refusals, the robust list, futex */
static void kernelish(void)
{
	struct { unsigned int version; int pid; } hdr = { 0, 0 };
	unsigned int caps[6];
	unsigned int f = 5;
	long ts[2] = { 0, 20000000 };		/* 20 ms */
	int boot;

	/* an unknown version: the kernel's is written back */
	CHECK(L(capget, &hdr, 0, 0, 0) == 0);
	CHECK(hdr.version == 0x20080522);
	hdr.version = 0;
	CHECK(L(capget, &hdr, caps, 0, 0) == -EINVAL);
	CHECK(hdr.version == 0x20080522);
	memset(caps, 0x55, sizeof(caps));
	CHECK(L(capget, &hdr, caps, 0, 0) == 0);
	CHECK(L(getuid, 0, 0, 0, 0) ? caps[0] == 0 && caps[1] == 0 :
				    caps[0] != 0);
	hdr.pid = NO_PID;
	CHECK(L(capget, &hdr, caps, 0, 0) == -ESRCH);
	hdr.pid = -1;
	CHECK(L(capget, &hdr, caps, 0, 0) == -EINVAL);
	/* reboot: the privilege (CAP_SYS_BOOT, 22) first, then the magic */
	hdr.pid = 0;
	L(capget, &hdr, caps, 0, 0);
	boot = caps[0] >> 22 & 1;
	CHECK(L(reboot, 0xfee1dead, 1, 0x01234567, 0) ==
	      (boot ? -EINVAL : -EPERM));
	CHECK(L(reboot, 0x12345678, 672274793, 0x01234567, 0) ==
	      (boot ? -EINVAL : -EPERM));
#if defined(__x86_64__)
	/* (qemu-user, the AArch64 reference, has no robust lists) */
	{
		long head = -1, len = -1, mine[3] = { 0, 0, 0 };

		mine[0] = (long)mine;
		CHECK(L(set_robust_list, mine, 24, 0, 0) == 0);
		CHECK(L(get_robust_list, 0, &head, &len, 0) == 0);
		CHECK(head == (long)mine && len == 24);
		CHECK(L(get_robust_list, NO_PID, &head, &len, 0) == -ESRCH);
	}
#endif
	/* futex: one thread, so a wait ends by its value or its time */
	CHECK(L(futex, &f, 128, 6, 0) == -EAGAIN);	/* WAIT|PRIVATE */
	CHECK(L(futex, &f, 128, 5, ts) == -ETIMEDOUT);
	CHECK(L(futex, &f, 129, 1, 0) == 0);		/* WAKE: nobody */
	CHECK(sys6(NR_futex, &f, 128 | 9, 5, ts, 0, 0) == -EINVAL);
	CHECK(L(futex, (char *)&f + 1, 128, 5, 0) == -EINVAL);
	CHECK(L(futex, &f, 99, 5, 0) == -ENOSYS);
}

/* whether this runs under Aegis (uname's sysname): the few checks that
 * would change the host's state under Linux run only there */
static int on_aegis(void)
{
	char u[390];

	return L(uname, u, 0, 0, 0) == 0 && strcmp(u, "Aegis") == 0;
}

static int has_cap(int cap)
{
	struct { unsigned int version; int pid; } hdr = { 0x20080522, 0 };
	unsigned int caps[6];

	if (L(capget, &hdr, caps, 0, 0))
		return 0;
	return caps[cap / 32 * 3] >> (cap % 32) & 1;
}

static void niceness(void)
{
	long me = L(getpid, 0, 0, 0, 0), pid;
	int nice_cap = has_cap(23);		/* CAP_SYS_NICE */
	struct { unsigned int size, policy; unsigned long flags; int nice;
		 unsigned int prio; unsigned long rt[3];
		 unsigned int umin, umax; unsigned long more[2]; } at;
	long base = L(getpriority, 0, 0, 0, 0);	/* 20 - nice */

	CHECK(base >= 1 && base <= 40);
	CHECK(L(getpriority, 0, me, 0, 0) == base);
	CHECK(L(getpriority, 1, 0, 0, 0) >= base);	/* its group */
	CHECK(L(getpriority, 2, 0, 0, 0) >= base);	/* its user */
	/* a child: a higher nice, which it keeps and its parent sees */
	pid = fork_();
	if (pid == 0) {
		long rc = L(setpriority, 0, 0, 20 - base + 5, 0);

		quit(rc == 0 && L(getpriority, 0, 0, 0, 0) == base - 5 ?
		     0 : 1);
	}
	CHECK(pid > 0 && status_of(pid) == 0);
	CHECK(L(setpriority, 0, 0, 20 - base + 3, 0) == 0);
	CHECK(L(getpriority, 0, 0, 0, 0) == base - 3);
	/* lower again: only with CAP_SYS_NICE */
	CHECK(L(setpriority, 0, 0, 20 - base, 0) ==
	      (nice_cap ? 0 : -EACCES));
	/* clamped to 19 */
	CHECK(L(setpriority, 0, me, 100, 0) == 0);
	CHECK(L(getpriority, 0, me, 0, 0) == 1);
	CHECK(L(getpriority, 5, 0, 0, 0) == -EINVAL);
	CHECK(L(getpriority, 0, NO_PID, 0, 0) == -ESRCH);
	CHECK(L(setpriority, 0, NO_PID, 0, 0) == -ESRCH);
	/* sched_getattr: SCHED_OTHER with that nice */
	memset(&at, 0x55, sizeof(at));
	CHECK(L(sched_getattr, 0, &at, 48, 0) == 0);
	CHECK(at.size == 48 && at.policy == 0 && at.nice == 19 &&
	      at.prio == 0);
	CHECK(L(sched_getattr, 0, &at, sizeof(at), 0) == 0);
	CHECK(at.size == 56);
	CHECK(L(sched_getattr, 0, &at, 47, 0) == -EINVAL);
	CHECK(L(sched_getattr, 0, &at, 48, 1) == -EINVAL);
	CHECK(L(sched_getattr, NO_PID, &at, 48, 0) == -ESRCH);
	CHECK(L(sched_getattr, -1, &at, 48, 0) == -EINVAL);
	/* sched_setattr: the nice value (up is allowed) */
	memset(&at, 0, sizeof(at));
	at.size = 48;
	at.nice = 19;
	CHECK(L(sched_setattr, 0, &at, 0, 0) == 0);
	at.size = 0;			/* 0: the first size */
	CHECK(L(sched_setattr, 0, &at, 0, 0) == 0);
	at.size = 47;
	CHECK(L(sched_setattr, 0, &at, 0, 0) == -E2BIG);
	CHECK(at.size == 56);		/* the kernel's, written back */
	at.size = sizeof(at);
	at.more[1] = 1;			/* past its struct: not zero */
	CHECK(L(sched_setattr, 0, &at, 0, 0) == -E2BIG);
	at.more[1] = 0;
	CHECK(L(sched_setattr, 0, &at, 0, 0) == 0);
	at.size = 48;
	at.policy = 0;
	at.prio = 5;
	CHECK(L(sched_setattr, 0, &at, 0, 0) == -EINVAL);
	at.prio = 0;
	CHECK(L(sched_setattr, 0, &at, 1, 0) == -EINVAL);	/* flags */
	at.flags = 0x1000;
	CHECK(L(sched_setattr, 0, &at, 0, 0) == -EINVAL);
	at.flags = 0;
	at.nice = 0;
	CHECK(L(sched_setattr, 0, &at, 0, 0) == (nice_cap ? 0 : -EPERM));
	/* membarrier: one thread, the private expedited commands */
	CHECK((L(membarrier, 0, 0, 0, 0) & 24) == 24);	/* QUERY */
	CHECK(L(membarrier, 8, 0, 0, 0) == -EPERM);	/* not registered */
	CHECK(L(membarrier, 16, 0, 0, 0) == 0);
	CHECK(L(membarrier, 8, 0, 0, 0) == 0);
	CHECK(L(membarrier, 8, 5, 0, 0) == -EINVAL);
	CHECK(L(membarrier, 3, 0, 0, 0) == -EINVAL);
}

static void clocks_and_log(void)
{
	long ts[2], now[2], tz[2] = { 0, 0 };
	int time_cap = has_cap(25), log_cap = has_cap(34);
	char buf[64];

	/* clock_settime: only CLOCK_REALTIME, a valid time, privilege */
	CHECK(L(clock_gettime, 0, now, 0, 0) == 0);
	ts[0] = now[0];
	ts[1] = 1000000000;
	CHECK(L(clock_settime, 0, ts, 0, 0) == -EINVAL);
	ts[1] = -1;
	CHECK(L(clock_settime, 0, ts, 0, 0) == -EINVAL);
	ts[1] = 0;
	CHECK(L(clock_settime, 1, ts, 0, 0) == -EINVAL);	/* MONOTONIC */
	/* settimeofday: the checks, then the privilege; NULL, NULL sets
	 * nothing */
	tz[0] = 16 * 60;
	/* (qemu-user, the AArch64 reference, differs here: it crashes on
	 * settimeofday(NULL, NULL)) */
#if defined(__aarch64__)
	if (on_aegis())
#endif
	{
		CHECK(L(settimeofday, 0, tz, 0, 0) ==
		      (time_cap ? -EINVAL : -EPERM));
		CHECK(L(settimeofday, 0, 0, 0, 0) == (time_cap ? 0 : -EPERM));
	}
	if (!time_cap) {
		CHECK(L(clock_settime, 0, now, 0, 0) == -EPERM);
	} else if (on_aegis()) {
		/* a day ahead, and back */
		ts[0] = now[0] + 86400;
		ts[1] = 0;
		CHECK(L(clock_settime, 0, ts, 0, 0) == 0);
		CHECK(L(clock_gettime, 0, ts, 0, 0) == 0);
		CHECK(ts[0] >= now[0] + 86400 && ts[0] < now[0] + 86400 + 60);
		CHECK(L(clock_gettime, 0, ts, 0, 0) == 0);
		ts[0] -= 86400;
		CHECK(L(clock_settime, 0, ts, 0, 0) == 0);
		CHECK(L(clock_gettime, 0, ts, 0, 0) == 0);
		CHECK(ts[0] >= now[0] && ts[0] < now[0] + 60);
	}
	/* syslog: as Linux with dmesg_restrict, privileged only */
	if (log_cap) {
		long size = L(syslog, 10, 0, 0, 0);	/* SIZE_BUFFER */

		CHECK(size > 0);
		/* READ_ALL: Aegis's log has its boot (a host's may be
		 * empty) */
		CHECK(L(syslog, 3, buf, sizeof(buf), 0) > (on_aegis() ? 0 : -1));
		CHECK(L(syslog, 3, buf, 0, 0) == 0);
#if defined(__aarch64__)
		if (on_aegis())		/* (qemu-user checks buf its way) */
#endif
		{
			CHECK(L(syslog, 3, 0, 10, 0) == -EINVAL);
			CHECK(L(syslog, 3, buf, -1, 0) == -EINVAL);
		}
		CHECK(L(syslog, 99, buf, 10, 0) == -EINVAL);
		CHECK(L(syslog, 8, 0, 9, 0) == -EINVAL);	/* level 9 */
		if (on_aegis())
			CHECK(L(syslog, 3, 8, 10, 0) == -14);
	} else {
		CHECK(L(syslog, 5, 0, 0, 0) == -EPERM);	/* CLEAR */
		CHECK(L(syslog, 9, 0, 0, 0) == -EPERM);
	}
}

static void randomness(void)
{
	unsigned char a[300], b[300];
	int zeros = 0;
	long n;

	/* GRND_INSECURE: at once; then the real thing (which may wait for
	 * the generator to be ready, a few seconds after boot) */
	CHECK(L(getrandom, a, 16, 4, 0) == 16);
	n = L(getrandom, a, 8, 1, 0);			/* GRND_NONBLOCK */
	CHECK(n == 8 || n == -EAGAIN);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK(L(getrandom, a, sizeof(a), 0, 0) == sizeof(a));
	CHECK(L(getrandom, b, sizeof(b), 2, 0) == sizeof(b));	/* RANDOM */
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	for (unsigned int i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	CHECK(zeros < 20);		/* (300 bytes: about 1 expected) */
	CHECK(L(getrandom, a, 8, 1, 0) == 8);		/* ready now */
	CHECK(L(getrandom, a, 0, 0, 0) == 0);
	CHECK(L(getrandom, a, 8, 8, 0) == -EINVAL);
	CHECK(L(getrandom, a, 8, 6, 0) == -EINVAL);	/* RANDOM|INSECURE */
	CHECK(L(getrandom, 8, 8, 0, 0) == -14);		/* EFAULT */
	/* /dev/urandom: the same generator, read as a file */
	{
		long fd = L(openat, -100, "/dev/urandom", 0, 0);

		CHECK(fd >= 0);
		CHECK(L(read, fd, a, 300, 0) == 300);
		CHECK(L(read, fd, b, 300, 0) == 300);
		CHECK(memcmp(a, b, 300) != 0);
		L(close, fd, 0, 0, 0);
	}
}

static char big[64 * 4096] __attribute__((aligned(4096)));

/* a number in a /sys file (Aegis), or -1 */
/* The number after the text "after" ("" for the file's start) in the
 * /sys file at path; -1 if there is none. */
static long sys_field(const char *path, const char *after)
{
	char buf[160];
	long fd = L(openat, -100, path, 0, 0), n, v = 0;
	const char *h;

	if (fd < 0)
		return -1;
	n = L(read, fd, buf, sizeof(buf) - 1, 0);
	L(close, fd, 0, 0, 0);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	h = strstr(buf, after);
	if (!h)
		return -1;
	for (h += strlen(after); *h >= '0' && *h <= '9'; h++)
		v = v * 10 + *h - '0';
	return v;
}

static long sys_number(const char *path)
{
	return sys_field(path, "");
}

static void forked_memory(void)
{
	int go[2], back[2];
	long pid, copies = sys_number("/sys/mm/cow_copies");
	char c, *m, *sh;

	memset(big, 'a', sizeof(big));
	/* MAP_SHARED | MAP_ANONYMOUS: the fork shares it, both ways */
	sh = (char *)sys6(NR_mmap, 0, 2 * 4096, 3, 0x21, -1, 0);
	CHECK((unsigned long)sh < -4096ul);
	if ((unsigned long)sh >= -4096ul)
		return;
	memset(sh, 's', 2 * 4096);
	m = (char *)sys6(NR_mmap, 0, 16 * 4096, 3, 0x22, -1, 0);
	CHECK((unsigned long)m < -4096ul);
	if ((unsigned long)m >= -4096ul)
		return;
	memset(m, 'm', 16 * 4096);
	CHECK(L(pipe2, go, 0, 0, 0) == 0 && L(pipe2, back, 0, 0, 0) == 0);
	pid = fork_();
	if (pid == 0) {
		int bad = 0;

		/* what the parent had at the fork */
		bad |= big[0] != 'a' || big[sizeof(big) - 1] != 'a' ||
		       m[0] != 'm' || m[16 * 4096 - 1] != 'm' ||
		       sh[4096] != 's';
		sh[10] = 'c';		/* the parent sees it */
		L(write, back[1], "1", 1, 0);	/* the parent writes now */
		L(read, go[0], &c, 1, 0);
		/* not what it wrote after, but in the shared mapping */
		bad |= (big[100] != 'a' || m[100] != 'm' || sh[20] != 'p')
		       << 1;
		/* read-only and back, still shared */
		bad |= (L(mprotect, sh + 4096, 4096, 1, 0) != 0 ||
			L(mprotect, sh + 4096, 4096, 3, 0) != 0) << 6;
		sh[4096 + 30] = 'c';
		/* its own writes, the parent's unchanged (checked there) */
		big[200] = 'c';
		m[200] = 'c';
		/* the kernel's write into a shared page (a read's buffer) */
		bad |= (L(read, go[0], big + 5 * 4096, 4, 0) != 4 ||
			memcmp(big + 5 * 4096, "kern", 4) != 0) << 2;
		/* read-only and back: still its own when written */
		bad |= (L(mprotect, big + 8 * 4096, 4096, 1, 0) != 0 ||
			L(mprotect, big + 8 * 4096, 4096, 3, 0) != 0) << 3;
		big[8 * 4096] = 'w';
		/* half of the mapping given back */
		bad |= (L(munmap, m + 8 * 4096, 8 * 4096, 0, 0) != 0) << 4;
		bad |= (big[200] != 'c' || m[200] != 'c' ||
			big[8 * 4096] != 'w') << 5;
		L(write, back[1], "2", 1, 0);
		L(read, go[0], &c, 1, 0);	/* held until the parent says */
		quit(bad);
	}
	CHECK(pid > 0);
	CHECK(L(read, back[0], &c, 1, 0) == 1 && c == '1');
	if (on_aegis())		/* both hold the 80 pages */
		CHECK(sys_number("/sys/mm/shared") >= 80);
	big[100] = 'p';
	m[100] = 'p';
	CHECK(sh[10] == 'c');		/* the child's, in the shared one */
	sh[20] = 'p';
	CHECK(L(write, go[1], "g", 1, 0) == 1);
	CHECK(L(write, go[1], "kern", 4, 0) == 4);
	CHECK(L(read, back[0], &c, 1, 0) == 1 && c == '2');
	/* the child's writes are its own */
	CHECK(big[200] == 'a' && m[200] == 'm' && big[8 * 4096] == 'a');
	CHECK(memcmp(big + 5 * 4096, "aaaa", 4) == 0);
	CHECK(m[12 * 4096] == 'm');	/* the child's munmap is its own */
	CHECK(sh[4096 + 30] == 'c');
	CHECK(L(write, go[1], "e", 1, 0) == 1);
	CHECK(status_of(pid) == 0);
	CHECK(big[100] == 'p' && m[100] == 'p');
	/* the parent's page is its own again: written without a copy */
	big[100] = 'q';
	CHECK(big[100] == 'q');
	if (on_aegis())		/* copies made: the writes above */
		CHECK(sys_number("/sys/mm/cow_copies") >= copies + 3);
	L(munmap, m, 16 * 4096, 0, 0);
	L(munmap, sh, 2 * 4096, 0, 0);
	L(close, go[0], 0, 0, 0);
	L(close, go[1], 0, 0, 0);
	L(close, back[0], 0, 0, 0);
	L(close, back[1], 0, 0, 0);
}

/* Copy the file at from into a new file at to (mode 0755): 0, or -1. */
static int copy_file(const char *from, const char *to)
{
	long in = L(openat, -100, from, 0, 0), out, n, rc = 0;

	if (in < 0)
		return -1;
	out = L(openat, -100, to, 01 | 0100 | 01000, 0755); /* WR|CREAT|TRUNC */
	if (out < 0) {
		L(close, in, 0, 0, 0);
		return -1;
	}
	while ((n = L(read, in, big, sizeof(big), 0)) > 0)
		if (L(write, out, big, n, 0) != n) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	L(close, in, 0, 0, 0);
	L(close, out, 0, 0, 0);
	return (int)rc;
}

/* Aegis's program cache: the count after "hits " in
 * /sys/proc/exec_cache, or -1 */
static long exec_cache_hits(void)
{
	return sys_field("/sys/proc/exec_cache", "hits ");
}

/* A child runs the program at path with argv[0] name, in directory dir:
 * its wait status. */
static long run_as(const char *path, const char *name, const char *dir)
{
	const char *argv[] = { name, 0 };
	long pid = fork_();

	if (pid == 0) {
		if (L(chdir, dir, 0, 0, 0))
			quit(98);
		L(execve, path, argv, 0, 0);
		quit(99);
	}
	return status_of(pid);
}

/* This program run by exec_fresh from a copy: it exits 42 at once. (The
 * copy is run in a directory of exec_fresh's: its working directory
 * says so, under Linux and under qemu-user alike.) */
static void exit_if_a_copy(void)
{
	char cwd[128];

	if (L(getcwd, cwd, sizeof(cwd), 0, 0) > 0 && strstr(cwd, "/lp-exec-"))
		quit(42);
}

/* execve runs what the file holds now, whatever ran from it before (a
 * kernel that keeps programs it loaded must notice the file changed):
 * a copy of busybox runs twice; the same file (the same inode), then
 * rewritten with this program, exits 42; as a script, 7; busybox again
 * runs. Under Aegis the second run of each came from the program cache
 * (/sys/proc/exec_cache). */
static void exec_fresh(void)
{
	static const char script[] = "#!/bin/busybox sh\nexit 7\n";
	char path[48], dir[48];
	long fd, st, hits = -1, me = L(getpid, 0, 0, 0, 0);

	snprintf(path, sizeof(path), "/tmp/lp-exec-%ld", me);
	snprintf(dir, sizeof(dir), "/tmp/lp-exec-%ld.d", me);
	CHECK(L(mkdirat, -100, dir, 0755, 0) == 0);
	CHECK(copy_file("/bin/busybox", path) == 0);
	if (on_aegis()) {
		hits = exec_cache_hits();
		/* the cache is the kernel's: nobody writes to its file */
		CHECK(L(openat, -100, "/sys/proc/exec_cache", 01, 0) == -13);
		CHECK(L(openat, -100, "/sys/proc/exec_cache", 02, 0) == -13);
	}
	CHECK(run_as(path, "true", dir) == 0);
	CHECK(run_as(path, "false", dir) == 1 << 8);
	CHECK(copy_file("/proc/self/exe", path) == 0);
	st = run_as(path, "true", dir);
	/* (the AArch64 reference runs under qemu-user on an x86_64 host,
	 * whose execve of an AArch64 file fails without binfmt_misc: the
	 * child's 99; never so under Aegis) */
	if (st != 99 << 8 || on_aegis()) {
		CHECK(st == 42 << 8);
		CHECK(run_as(path, "false", dir) == 42 << 8);
	}
	fd = L(openat, -100, path, 01 | 01000, 0);	/* O_WRONLY|O_TRUNC */
	CHECK(fd >= 0);
	CHECK(L(write, fd, script, sizeof(script) - 1, 0) ==
	      (long)sizeof(script) - 1);
	L(close, fd, 0, 0, 0);
	CHECK(run_as(path, "true", dir) == 7 << 8);
	CHECK(copy_file("/bin/busybox", path) == 0);
	CHECK(run_as(path, "true", dir) == 0);
	CHECK(run_as(path, "false", dir) == 1 << 8);
	CHECK(L(unlinkat, -100, path, 0, 0) == 0);
	CHECK(L(unlinkat, -100, dir, 0x200, 0) == 0);	/* AT_REMOVEDIR */
	if (on_aegis())		/* each program's second run */
		CHECK(hits >= 0 && exec_cache_hits() >= hits + 3);
}

/* ---- /proc/self/maps ------------------------------------------------- */

static char maps_text[16384];
static long maps_probe = 0x5eed;	/* in the program's data */

/* /proc/self/maps, read chunk bytes at a time: its length, or -1 */
static long maps_read(long chunk)
{
	long fd = L(openat, -100, "/proc/self/maps", 0, 0), n, got = 0;

	if (fd < 0)
		return -1;
	while ((n = L(read, fd, maps_text + got,
		      (long)sizeof(maps_text) - 1 - got < chunk ?
		      (long)sizeof(maps_text) - 1 - got : chunk, 0)) > 0)
		got += n;
	L(close, fd, 0, 0, 0);
	maps_text[got] = 0;
	return n < 0 ? -1 : got;
}

static unsigned long hex(const char **p)
{
	unsigned long v = 0;

	for (;; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned long)(c - 'a' + 10);
		else
			return v;
	}
}

struct map_line {
	unsigned long lo, hi;
	char perms[5];
	char name[128];
};

/* The line of maps_text whose range holds addr: 1, or 0 if none. */
static int map_of(unsigned long addr, struct map_line *m)
{
	for (const char *p = maps_text; *p;) {
		const char *end = strchr(p, '\n'), *n;
		size_t k;

		if (!end)
			return 0;
		m->lo = hex(&p);
		p++;			/* - */
		m->hi = hex(&p);
		memcpy(m->perms, p + 1, 4);
		m->perms[4] = 0;
		/* the name: after offset, device and inode, past spaces */
		n = p + 1;
		for (int field = 0; field < 4 && n < end; field++) {
			n = strchr(n, ' ');
			if (!n || n > end)
				n = end;
			while (n < end && *n == ' ')
				n++;
		}
		k = (size_t)(end - n) < sizeof(m->name) - 1 ?
		    (size_t)(end - n) : sizeof(m->name) - 1;
		memcpy(m->name, n, k);
		m->name[k] = 0;
		if (addr >= m->lo && addr < m->hi)
			return 1;
		p = end + 1;
	}
	return 0;
}

/* /proc/self/maps (proc(5)): the program's text and data named by its
 * path, [stack], [heap] after brk, an anonymous mapping as mmap made
 * it, split by mprotect and gone after munmap; the same text read 61
 * bytes at a time; another user's process's maps refused. */
static void maps(void)
{
	char exe[128], *m;
	struct map_line l;
	long n, whole, b0;
	int local = 1;

	n = L(readlinkat, -100, "/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n > 0 ? n : 0] = 0;
	whole = maps_read(4096);
	CHECK(whole > 0 && maps_read(61) == whole);
	CHECK(map_of((unsigned long)&maps, &l) && l.perms[0] == 'r' &&
	      l.perms[1] == '-' && l.perms[2] == 'x' && l.perms[3] == 'p' &&
	      strcmp(l.name, exe) == 0);
	CHECK(map_of((unsigned long)&maps_probe, &l) &&
	      strcmp(l.perms, "rw-p") == 0 && strcmp(l.name, exe) == 0);
	CHECK(map_of((unsigned long)&local, &l) &&
	      strcmp(l.perms, "rw-p") == 0 && strcmp(l.name, "[stack]") == 0);
	/* the heap, once brk moved */
	b0 = L(brk, 0, 0, 0, 0);
	CHECK(L(brk, b0 + 3 * 4096, 0, 0, 0) == b0 + 3 * 4096);
	CHECK(maps_read(4096) > 0 && map_of((unsigned long)b0 + 4096, &l) &&
	      strcmp(l.perms, "rw-p") == 0);
	/* (the AArch64 reference runs under qemu-user, whose maps name no
	 * heap) */
#if defined(__aarch64__)
	if (on_aegis())
#endif
		CHECK(strcmp(l.name, "[heap]") == 0);
	/* anonymous: as mapped, then split by mprotect, then gone */
	m = (char *)sys6(NR_mmap, 0, 3 * 4096, 1, 0x22, -1, 0);
	CHECK((unsigned long)m < -4096ul);
	CHECK(maps_read(4096) > 0 && map_of((unsigned long)m, &l) &&
	      strcmp(l.perms, "r--p") == 0 && l.name[0] == 0 &&
	      l.lo <= (unsigned long)m && l.hi >= (unsigned long)m + 3 * 4096);
	CHECK(L(mprotect, m + 4096, 4096, 3, 0) == 0);
	CHECK(maps_read(4096) > 0 && map_of((unsigned long)m + 4096, &l) &&
	      strcmp(l.perms, "rw-p") == 0 &&
	      l.lo == (unsigned long)m + 4096 &&
	      l.hi == (unsigned long)m + 2 * 4096);
	CHECK(map_of((unsigned long)m + 2 * 4096, &l) &&
	      strcmp(l.perms, "r--p") == 0);
	/* mprotect over the three: one line again (Linux merges them) */
	CHECK(L(mprotect, m, 3 * 4096, 1, 0) == 0);
	CHECK(maps_read(4096) > 0 && map_of((unsigned long)m + 4096, &l) &&
	      strcmp(l.perms, "r--p") == 0 && l.lo <= (unsigned long)m &&
	      l.hi >= (unsigned long)m + 3 * 4096);
	CHECK(L(mprotect, m + 4096, 4096, 3, 0) == 0);
	/* a range with a hole in it: -ENOMEM (Linux changes what comes
	 * before the hole; Aegis looks first and changes nothing) */
	CHECK(L(munmap, m + 2 * 4096, 4096, 0, 0) == 0);
	CHECK(L(mprotect, m, 3 * 4096, 3, 0) == -ENOMEM);
	if (on_aegis())
		CHECK(maps_read(4096) > 0 && map_of((unsigned long)m, &l) &&
		      strcmp(l.perms, "r--p") == 0);
	CHECK(L(munmap, m, 3 * 4096, 0, 0) == 0);	/* over all three */
	CHECK(maps_read(4096) > 0 && !map_of((unsigned long)m, &l) &&
	      !map_of((unsigned long)m + 4096, &l) &&
	      !map_of((unsigned long)m + 2 * 4096, &l));
	/* nothing there: 0; a range past the end of the addresses: EINVAL
	 * (not asked of the AArch64 reference: qemu-user asserts on it) */
	CHECK(L(munmap, m, 3 * 4096, 0, 0) == 0);
#if defined(__aarch64__)
	if (on_aegis())
#endif
	{
		CHECK(L(munmap, -8192L, 8192, 0, 0) == -EINVAL);
		CHECK(L(munmap, -4096L, 8192, 0, 0) == -EINVAL);
	}
	/* MAP_FIXED over a mapping replaces that part of it (fresh zeroed
	 * pages), the rest stays */
	m = (char *)sys6(NR_mmap, 0, 2 * 4096, 3, 0x22, -1, 0);
	CHECK((unsigned long)m < -4096ul);
	m[0] = 'x';
	m[4096] = 'y';
	CHECK(sys6(NR_mmap, m, 4096, 1, 0x32, -1, 0) == (long)m);
	CHECK(m[0] == 0 && m[4096] == 'y');
	CHECK(maps_read(4096) > 0 && map_of((unsigned long)m, &l) &&
	      strcmp(l.perms, "r--p") == 0 &&
	      map_of((unsigned long)m + 4096, &l) &&
	      strcmp(l.perms, "rw-p") == 0);
	/* with MAP_FIXED_NOREPLACE it is EEXIST, and nothing changes
	 * (qemu-user, under which the AArch64 reference runs, does not
	 * refuse it) */
#if defined(__aarch64__)
	if (on_aegis())
#endif
		CHECK(sys6(NR_mmap, m, 4096, 3, 0x100022, -1, 0) == -EEXIST);
	CHECK(m[4096] == 'y');
	CHECK(L(munmap, m, 2 * 4096, 0, 0) == 0);
	/* init's are root's: another user may not read them (Linux:
	 * ptrace's read access; under Aegis this program is often pid 1
	 * itself: integration case proc-maps checks it there) */
	if (L(getuid, 0, 0, 0, 0) != 0 && L(getpid, 0, 0, 0, 0) != 1)
		CHECK(L(openat, -100, "/proc/1/maps", 0, 0) == -EACCES);
}

int main(void)
{
	exit_if_a_copy();
	processes();
	exec_fresh();
	maps();
	forked_memory();
	groups();
	misc();
	more();
	kernelish();
	niceness();
	clocks_and_log();
	randomness();
	snprintf(line, sizeof(line), "linuxproc: %d checks, %d failed\n",
		 checks, fails);
	say(line);
	quit(fails);
}
