/*
 * linuxsig.c - what Linux's signals do, checked one by one: handlers
 * and their siginfo and ucontext, dispositions (SIG_IGN, SA_RESETHAND),
 * the blocked and pending sets, a handler's mask, rt_sigsuspend and
 * pause, SIGCHLD, waits a signal interrupts (-EINTR, or again with
 * SA_RESTART; nanosleep's time left), SIGPIPE caught and ignored, a
 * blocked signal whose default action ends the process once unblocked,
 * signals to a process busy in user code (a handler taken between two
 * instructions, its registers kept; a stop and a continue), a fault's
 * signal to its handler (si_code, si_addr; a handler that mends the
 * page and returns), and the refusals.
 *
 * Built and marked as linuxfs.c is (a static program that talks only
 * through Linux's system calls); the same binary runs under Aegis (case
 * linux-signals) and under Linux (test/unit/linux_reference.py), so each
 * expectation here is Linux's.
 */
#include <stdint.h>
#include <string.h>
#include "ulib.h"

#define sys(n, a, b, c, d, e) aegis_syscall((n), (a), (b), (c), (d), (e), 0)
#define sys6(n, a, b, c, d, e, f) aegis_syscall((n), (long)(a), (long)(b), \
						(long)(c), (long)(d), \
						(long)(e), (long)(f))

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_close = 3, NR_rt_sigaction = 13,
       NR_rt_sigprocmask = 14, NR_rt_sigreturn = 15, NR_pause = 34,
       NR_nanosleep = 35, NR_getpid = 39, NR_clone = 56, NR_wait4 = 61,
       NR_kill = 62, NR_rt_sigpending = 127, NR_rt_sigsuspend = 130,
       NR_exit_group = 231, NR_pipe2 = 293, NR_rt_sigtimedwait = 128,
       NR_getitimer = 36, NR_alarm = 37, NR_setitimer = 38,
       NR_timer_create = 222, NR_timer_settime = 223,
       NR_timer_gettime = 224, NR_timer_getoverrun = 225,
       NR_timer_delete = 226, NR_sigaltstack = 131,
       NR_rt_sigqueueinfo = 129, NR_rt_tgsigqueueinfo = 297,
       NR_getppid = 110, NR_waitid = 247, NR_setpgid = 109,
       NR_mmap = 9, NR_mprotect = 10 };
#define UC_SIGMASK	296	/* ucontext: uc_sigmask after uc_mcontext */
#define MINSIGSTKSZ	2048
#else
enum { NR_close = 57, NR_pipe2 = 59, NR_read = 63, NR_write = 64,
       NR_exit_group = 94, NR_nanosleep = 101, NR_kill = 129,
       NR_rt_sigsuspend = 133, NR_rt_sigaction = 134,
       NR_rt_sigprocmask = 135, NR_rt_sigpending = 136,
       NR_rt_sigreturn = 139, NR_getpid = 172, NR_clone = 220,
       NR_wait4 = 260, NR_rt_sigtimedwait = 137,
       NR_getitimer = 102, NR_setitimer = 103, NR_timer_create = 107,
       NR_timer_gettime = 108, NR_timer_getoverrun = 109,
       NR_timer_settime = 110, NR_timer_delete = 111,
       NR_sigaltstack = 132, NR_rt_sigqueueinfo = 138,
       NR_rt_tgsigqueueinfo = 240, NR_getppid = 173, NR_uname = 160, NR_waitid = 95,
       NR_setpgid = 154, NR_mmap = 222, NR_mprotect = 226 };
#define UC_SIGMASK	40	/* ucontext: uc_sigmask before uc_mcontext */
#define MINSIGSTKSZ	5120
#endif

enum { EPERM = 1, ESRCH = 3, EINTR = 4, EAGAIN = 11, ENOMEM = 12,
       EINVAL = 22, EPIPE = 32 };
#define SIGALRM		14
#define SIGSEGV		11
#define SA_ONSTACK	0x08000000ul
#define SS_ONSTACK	1
#define SS_DISABLE	2
#define SI_QUEUE	(-1)
#define SI_TIMER	(-2)
#define SI_KERNEL	0x80
#define NO_PID		(1l << 30)
#define SIGUSR1		10
#define SIGUSR2		12
#define SIGKILL		9
#define SIGPIPE		13
#define SIGTERM		15
#define SIGCHLD		17
#define SIGSTOP		19
#define SIG_DFL		0
#define SIG_IGN		1
#define SA_SIGINFO	0x00000004ul
#define SA_RESTORER	0x04000000ul
#define SA_RESTART	0x10000000ul
#define SA_NODEFER	0x40000000ul
#define SA_RESETHAND	0x80000000ul
#define BIT(s)		(1ul << ((s) - 1))

#define L(n, a, b, c, d) sys(NR_##n, (long)(a), (long)(b), (long)(c), \
			     (long)(d), 0)

struct kact {			/* the kernel's struct sigaction */
	unsigned long handler, flags, restorer, mask;
};

/* The restorer: rt_sigreturn (x86_64 Linux wants one: SA_RESTORER). */
void sig_restore(void) __attribute__((visibility("hidden")));
#if defined(__x86_64__)
__asm__(".text\n.globl sig_restore\n.hidden sig_restore\nsig_restore:\n"
	"\tmov $15, %eax\n\tsyscall\n\thlt\n");
#else
__asm__(".text\n.globl sig_restore\n.hidden sig_restore\nsig_restore:\n"
	"\tmov x8, #139\n\tsvc #0\n\tbrk #0\n");
#endif

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
				 "linuxsig: line %d: %s\n", __LINE__, #cond); \
			say(line);					\
		}							\
	} while (0)

static void __attribute__((noreturn)) quit(long code)
{
	sys(NR_exit_group, code, 0, 0, 0, 0);
	for (;;)
		;
}

static long fork_(void)
{
	return L(clone, SIGCHLD, 0, 0, 0);
}

static long status_of(long pid)
{
	int st = -1;
	long rc = L(wait4, pid, &st, 0, 0);

	return rc == pid ? st : rc < 0 ? rc : -1000;
}

static long sleep_ms(long ms, long *rem)
{
	long ts[2] = { ms / 1000, ms % 1000 * 1000000 };

	return L(nanosleep, ts, rem, 0, 0);
}

static long act(int sig, void (*h)(int, void *, void *), unsigned long flags,
		unsigned long mask)
{
	struct kact a = { (unsigned long)h, flags | SA_RESTORER,
			  (unsigned long)sig_restore, mask };

	return L(rt_sigaction, sig, &a, 0, 8);
}

static long disposition(int sig, unsigned long h)
{
	struct kact a = { h, SA_RESTORER, (unsigned long)sig_restore, 0 };

	return L(rt_sigaction, sig, &a, 0, 8);
}

static unsigned long blocked(void)
{
	unsigned long old = ~0ul;

	L(rt_sigprocmask, 0, 0, &old, 8);
	return old;
}

/* what the handler saw */
static volatile int got, got_sig, got_code, got_pid, got_status;
static volatile unsigned long got_mask, got_ucmask;

/* a handler without SA_SIGINFO gets the signal only (AArch64's leaves
 * x1 and x2 as they were) */
static void handler(int sig, void *info, void *uc)
{
	(void)info;
	(void)uc;
	got++;
	got_sig = sig;
	got_mask = blocked();
}

/* with SA_SIGINFO: its siginfo and ucontext too */
static void info_handler(int sig, void *info, void *uc)
{
	int32_t *si = info;

	handler(sig, 0, 0);
	got_code = si[2];
	got_pid = si[4];
	got_status = si[6];
	got_ucmask = *(unsigned long *)((char *)uc + UC_SIGMASK);
}

static void handlers(void)
{
	long me = L(getpid, 0, 0, 0, 0);
	struct kact old;

	/* a handler runs before kill returns, with its siginfo */
	CHECK(act(SIGUSR1, info_handler, SA_SIGINFO, BIT(SIGUSR2)) == 0);
	got = 0;
	CHECK(L(kill, me, SIGUSR1, 0, 0) == 0);
	CHECK(got == 1);
	CHECK(got_sig == SIGUSR1);
	CHECK(got_code == 0);			/* SI_USER */
	CHECK(got_pid == me);
	/* in it, its signal and its mask are blocked; the ucontext keeps
	 * the mask before, which comes back */
	CHECK(got_mask == (BIT(SIGUSR1) | BIT(SIGUSR2)));
	CHECK(got_ucmask == 0);
	CHECK(blocked() == 0);
	/* the old disposition */
	CHECK(L(rt_sigaction, SIGUSR1, 0, &old, 8) == 0);
	CHECK(old.handler == (unsigned long)info_handler);
	CHECK((old.flags & SA_SIGINFO) && old.mask == BIT(SIGUSR2));
	/* SA_NODEFER: its own signal not blocked in it */
	CHECK(act(SIGUSR1, handler, SA_NODEFER, 0) == 0);
	CHECK(L(kill, me, SIGUSR1, 0, 0) == 0);
	CHECK(got == 2 && got_mask == 0);
	/* SA_RESETHAND: once, then the default again */
	CHECK(act(SIGUSR2, handler, SA_RESETHAND, 0) == 0);
	CHECK(L(kill, me, SIGUSR2, 0, 0) == 0);
	CHECK(got == 3 && got_sig == SIGUSR2);
	CHECK(L(rt_sigaction, SIGUSR2, 0, &old, 8) == 0);
	CHECK(old.handler == SIG_DFL);
	/* ignored signals do nothing, even one that would end it */
	CHECK(disposition(SIGTERM, SIG_IGN) == 0);
	CHECK(L(kill, me, SIGTERM, 0, 0) == 0);
	CHECK(disposition(SIGTERM, SIG_DFL) == 0);
	/* refusals */
	CHECK(act(SIGKILL, handler, 0, 0) == -EINVAL);
	CHECK(act(SIGSTOP, handler, 0, 0) == -EINVAL);
	CHECK(act(0, handler, 0, 0) == -EINVAL);
	CHECK(act(65, handler, 0, 0) == -EINVAL);
	CHECK(L(rt_sigaction, SIGKILL, 0, &old, 8) == 0);	/* may read */
	CHECK(L(rt_sigaction, SIGUSR1, 0, &old, 4) == -EINVAL);
	CHECK(L(rt_sigaction, SIGUSR1, 8, 0, 8) == -14);	/* EFAULT */
}

static void masks(void)
{
	long me = L(getpid, 0, 0, 0, 0);
	unsigned long set = BIT(SIGUSR1), pend = ~0ul, old = 0;

	CHECK(act(SIGUSR1, info_handler, SA_SIGINFO, 0) == 0);
	/* blocked: pending, not run; unblocking runs it */
	got = 0;
	CHECK(L(rt_sigprocmask, 0, &set, &old, 8) == 0);	/* SIG_BLOCK */
	CHECK(old == 0);
	CHECK(L(kill, me, SIGUSR1, 0, 0) == 0);
	CHECK(got == 0);
	CHECK(L(rt_sigpending, &pend, 8, 0, 0) == 0);
	CHECK(pend == BIT(SIGUSR1));
	CHECK(L(rt_sigprocmask, 1, &set, 0, 8) == 0);	/* SIG_UNBLOCK */
	CHECK(got == 1);
	CHECK(L(rt_sigpending, &pend, 8, 0, 0) == 0 && pend == 0);
	/* SIGKILL and SIGSTOP cannot be blocked */
	set = ~0ul;
	CHECK(L(rt_sigprocmask, 2, &set, 0, 8) == 0);	/* SIG_SETMASK */
	/* (qemu-user, the AArch64 reference, keeps a few real-time ones
	 * for itself: only the standard ones are checked) */
	CHECK((blocked() & 0x7fffffff) ==
	      (0x7fffffff & ~(BIT(SIGKILL) | BIT(SIGSTOP))));
	set = 0;
	CHECK(L(rt_sigprocmask, 2, &set, 0, 8) == 0);
	CHECK(L(rt_sigprocmask, 3, &set, 0, 8) == -EINVAL);
	CHECK(L(rt_sigprocmask, 0, &set, 0, 4) == -EINVAL);
	/* rt_sigsuspend: waits with its mask, runs the pending handler,
	 * returns -EINTR with the mask before back */
	set = BIT(SIGUSR1);
	CHECK(L(rt_sigprocmask, 0, &set, 0, 8) == 0);
	CHECK(L(kill, me, SIGUSR1, 0, 0) == 0);
	got = 0;
	set = 0;
	CHECK(L(rt_sigsuspend, &set, 8, 0, 0) == -EINTR);
	CHECK(got == 1);
	CHECK(got_ucmask == BIT(SIGUSR1));
	CHECK(blocked() == BIT(SIGUSR1));
	set = 0;
	CHECK(L(rt_sigprocmask, 2, &set, 0, 8) == 0);
	/* a blocked signal is never ignored (its disposition may change
	 * before it is unblocked); making it ignored drops it */
	set = BIT(SIGUSR2);
	CHECK(L(rt_sigprocmask, 0, &set, 0, 8) == 0);
	CHECK(disposition(SIGUSR2, SIG_IGN) == 0);
	CHECK(L(kill, me, SIGUSR2, 0, 0) == 0);
	CHECK(L(rt_sigpending, &pend, 8, 0, 0) == 0 && pend == BIT(SIGUSR2));
	CHECK(disposition(SIGUSR2, SIG_IGN) == 0);
	CHECK(L(rt_sigpending, &pend, 8, 0, 0) == 0 && pend == 0);
	set = 0;
	CHECK(L(rt_sigprocmask, 2, &set, 0, 8) == 0);
	CHECK(disposition(SIGUSR2, SIG_DFL) == 0);
}

/* rt_sigtimedwait takes a blocked signal without its handler */
static void timed_wait(void)
{
	long me = L(getpid, 0, 0, 0, 0);
	unsigned long set = BIT(SIGUSR1);
	long ts[2] = { 0, 0 };
	int32_t si[32];

	CHECK(act(SIGUSR1, handler, 0, 0) == 0);
	got = 0;
	CHECK(L(rt_sigprocmask, 0, &set, 0, 8) == 0);
	CHECK(L(kill, me, SIGUSR1, 0, 0) == 0);
	CHECK(L(rt_sigtimedwait, &set, si, ts, 8) == SIGUSR1);
	CHECK(si[0] == SIGUSR1 && si[2] == 0 && si[4] == me);
	CHECK(got == 0);			/* its handler did not run */
	CHECK(L(rt_sigtimedwait, &set, si, ts, 8) == -EAGAIN);
	ts[1] = 30000000;			/* 30 ms */
	CHECK(L(rt_sigtimedwait, &set, 0, ts, 8) == -EAGAIN);
	ts[1] = 1000000000;
	CHECK(L(rt_sigtimedwait, &set, 0, ts, 8) == -EINVAL);
	CHECK(L(rt_sigtimedwait, &set, 0, 0, 4) == -EINVAL);
	CHECK(L(rt_sigprocmask, 1, &set, 0, 8) == 0);
	CHECK(got == 0);
	CHECK(disposition(SIGUSR1, SIG_DFL) == 0);
}

/* A child that says it is ready (a byte on fd), then does what it is
 * told; the parent signals it after a pause (so that it waits by then). */
static void ready(int fd)
{
	L(write, fd, "r", 1, 0);
}

static void wait_ready(int fd)
{
	char c;

	L(read, fd, &c, 1, 0);
	sleep_ms(100, 0);
}

/* pause(2) (AArch64 has only rt_sigsuspend) */
static long wait_signal(void)
{
#if defined(__x86_64__)
	return L(pause, 0, 0, 0, 0);
#else
	unsigned long now = blocked();

	return L(rt_sigsuspend, &now, 8, 0, 0);
#endif
}

static void children(void)
{
	long me = L(getpid, 0, 0, 0, 0), pid, rem[2];
	int sync[2], data[2];
	char c;

	CHECK(L(pipe2, sync, 0, 0, 0) == 0);
	CHECK(L(pipe2, data, 0, 0, 0) == 0);
	/* SIGCHLD's handler runs as wait4 returns: the child's pid, its
	 * code, CLD_EXITED */
	CHECK(act(SIGCHLD, info_handler, SA_SIGINFO | SA_RESTART, 0) == 0);
	got = 0;
	pid = fork_();
	if (pid == 0)
		quit(5);
	CHECK(status_of(pid) == 5 << 8);
	CHECK(got == 1 && got_sig == SIGCHLD);
	CHECK(got_pid == pid && got_code == 1 && got_status == 5);
	CHECK(disposition(SIGCHLD, SIG_DFL) == 0);
	/* pause ends with a handler: -EINTR */
	pid = fork_();
	if (pid == 0) {
		got = 0;
		act(SIGTERM, handler, 0, 0);
		ready(sync[1]);
		quit(wait_signal() == -EINTR && got == 1 ? 42 : 1);
	}
	wait_ready(sync[0]);
	CHECK(L(kill, pid, SIGTERM, 0, 0) == 0);
	CHECK(status_of(pid) == 42 << 8);
	/* a read a handler interrupts: -EINTR without SA_RESTART */
	pid = fork_();
	if (pid == 0) {
		act(SIGUSR1, handler, 0, 0);
		ready(sync[1]);
		quit(L(read, data[0], &c, 1, 0) == -EINTR ? 3 : 1);
	}
	wait_ready(sync[0]);
	CHECK(L(kill, pid, SIGUSR1, 0, 0) == 0);
	CHECK(status_of(pid) == 3 << 8);
	/* ... and with SA_RESTART it reads on */
	pid = fork_();
	if (pid == 0) {
		got = 0;
		act(SIGUSR1, handler, SA_RESTART, 0);
		ready(sync[1]);
		quit(L(read, data[0], &c, 1, 0) == 1 && c == 'd' && got == 1 ?
		     4 : 1);
	}
	wait_ready(sync[0]);
	CHECK(L(kill, pid, SIGUSR1, 0, 0) == 0);
	sleep_ms(50, 0);
	CHECK(L(write, data[1], "d", 1, 0) == 1);
	CHECK(status_of(pid) == 4 << 8);
	/* nanosleep: -EINTR and the time left */
	pid = fork_();
	if (pid == 0) {
		long r[2] = { -1, -1 };

		act(SIGUSR1, handler, SA_RESTART, 0);
		ready(sync[1]);
		if (sleep_ms(5000, r) != -EINTR)
			quit(1);
		quit(r[0] >= 0 && r[0] < 5 && r[1] >= 0 &&
		     r[1] < 1000000000 && (r[0] || r[1]) ? 6 : 2);
	}
	wait_ready(sync[0]);
	CHECK(L(kill, pid, SIGUSR1, 0, 0) == 0);
	CHECK(status_of(pid) == 6 << 8);
	/* a blocked signal whose default action ends the process: it
	 * waits, and ends it when unblocked */
	pid = fork_();
	if (pid == 0) {
		unsigned long set = BIT(SIGTERM);

		L(rt_sigprocmask, 0, &set, 0, 8);
		ready(sync[1]);
		sleep_ms(300, 0);
		L(rt_sigprocmask, 1, &set, 0, 8);
		quit(9);	/* not reached */
	}
	wait_ready(sync[0]);
	CHECK(L(kill, pid, SIGTERM, 0, 0) == 0);
	CHECK(status_of(pid) == SIGTERM);
	/* SIGPIPE ignored: -EPIPE, and it goes on; caught: its handler */
	L(close, data[0], 0, 0, 0);
	CHECK(disposition(SIGPIPE, SIG_IGN) == 0);
	CHECK(L(write, data[1], "x", 1, 0) == -EPIPE);
	CHECK(act(SIGPIPE, handler, 0, 0) == 0);
	got = 0;
	CHECK(L(write, data[1], "x", 1, 0) == -EPIPE);
	CHECK(got == 1 && got_sig == SIGPIPE);
	CHECK(disposition(SIGPIPE, SIG_DFL) == 0);
	L(close, data[1], 0, 0, 0);
	L(close, sync[0], 0, 0, 0);
	L(close, sync[1], 0, 0, 0);
	(void)me;
	(void)rem;
}

/* rt_sigreturn with the stack pointer at sp: a frame nobody made */
static void __attribute__((noreturn)) sigreturn_at(unsigned long sp)
{
#if defined(__x86_64__)
	__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall"
			 : : "r"(sp) : "memory");
#else
	__asm__ volatile("mov sp, %0\n\tmov x8, #139\n\tsvc #0"
			 : : "r"(sp) : "memory");
#endif
	for (;;)
		;
}

static unsigned char junk[8192] __attribute__((aligned(16)));

/* A frame of junk, or none at all, ends the process with SIGSEGV. */
static void hostile(void)
{
	long pid;

	memset(junk, 0xff, sizeof(junk));
	pid = fork_();
	if (pid == 0)
		sigreturn_at((unsigned long)junk + 16);
	CHECK(status_of(pid) == 11);
	pid = fork_();
	if (pid == 0)
		sigreturn_at(0xffffffff80200000ul);	/* the kernel's */
	CHECK(status_of(pid) == 11);
	pid = fork_();
	if (pid == 0)
		sigreturn_at(16);			/* nothing mapped */
	CHECK(status_of(pid) == 11);
}

#if defined(__aarch64__)
/* Without SA_RESTORER an AArch64 handler returns through the kernel's
 * own code (Linux's vDSO, Aegis's sigpage). */
static void no_restorer(void)
{
	struct kact a = { (unsigned long)handler, 0, 0, 0 };

	got = 0;
	CHECK(L(rt_sigaction, SIGUSR1, &a, 0, 8) == 0);
	CHECK(L(kill, L(getpid, 0, 0, 0, 0), SIGUSR1, 0, 0) == 0);
	CHECK(got == 1);
}
#endif

/* ---- timers, the alternate stack, sigqueue ------------------------------ */

static volatile int t_got, t_code, t_id, t_overrun;
static volatile unsigned long t_value, t_sp, t_ssflags;

static void timer_handler(int sig, void *info, void *uc)
{
	int32_t *si = info;
	unsigned long ss[3] = { 0, 0, 0 };
	int here;

	(void)uc;
	t_got++;
	got_sig = sig;
	t_code = si[2];
	t_id = si[4];
	t_overrun = si[5];
	memcpy((void *)&t_value, (char *)info + 24, sizeof(t_value));
	t_sp = (unsigned long)&here;
	L(sigaltstack, 0, ss, 0, 0);
	t_ssflags = ss[1];
}

/* Whether the siginfo of timers and the alternate stack can be checked
 * here: under Aegis and Linux, not under qemu-user (the AArch64
 * reference), which emulates both its own way. */
static int faithful(void)
{
#if defined(__aarch64__)
	char u[390];

	return L(uname, u, 0, 0, 0) == 0 && strcmp(u, "Aegis") == 0;
#else
	return 1;
#endif
}

/* wait for a signal with an empty blocked set (rt_sigsuspend) */
static void suspend(void)
{
	unsigned long none = 0;

	L(rt_sigsuspend, &none, 8, 0, 0);
}

static void itimers(void)
{
	long it[4], old[4];
	long me = L(getpid, 0, 0, 0, 0);

	/* ITIMER_REAL: SIGALRM once, SI_KERNEL; then disarmed */
	CHECK(act(SIGALRM, timer_handler, SA_SIGINFO, 0) == 0);
	t_got = 0;
	it[0] = 0; it[1] = 0; it[2] = 0; it[3] = 30000;	/* 30 ms, once */
	CHECK(L(setitimer, 0, it, 0, 0) == 0);
	CHECK(L(getitimer, 0, old, 0, 0) == 0);
	CHECK(old[0] == 0 && old[1] == 0);
	CHECK(old[2] == 0 && old[3] > 0 && old[3] <= 30000);
	while (!t_got)
		suspend();
	CHECK(t_got == 1 && got_sig == SIGALRM && t_code == SI_KERNEL);
	CHECK(L(getitimer, 0, old, 0, 0) == 0);
	CHECK(old[2] == 0 && old[3] == 0);
	/* with an interval it goes on; the old value comes back, and a
	 * NULL new value disarms it */
	it[0] = 0; it[1] = 20000; it[2] = 0; it[3] = 20000;
	CHECK(L(setitimer, 0, it, 0, 0) == 0);
	while (t_got < 3)
		suspend();
	CHECK(L(setitimer, 0, 0, old, 0) == 0);
	CHECK(old[0] == 0 && old[1] == 20000);
	CHECK(L(getitimer, 0, old, 0, 0) == 0);
	CHECK(old[0] == 0 && old[1] == 0 && old[2] == 0 && old[3] == 0);
	/* refusals */
	it[3] = 1000000;
	CHECK(L(setitimer, 0, it, 0, 0) == -EINVAL);
	it[3] = -1;
	CHECK(L(setitimer, 0, it, 0, 0) == -EINVAL);
	CHECK(L(getitimer, 3, old, 0, 0) == -EINVAL);
	CHECK(L(getitimer, 0, 8, 0, 0) == -14);
#if defined(__x86_64__)
	/* alarm: the seconds the old one had left */
	CHECK(L(alarm, 100, 0, 0, 0) == 0);
	CHECK(L(alarm, 0, 0, 0, 0) == 100);
	CHECK(L(alarm, 0, 0, 0, 0) == 0);
#endif
	/* ITIMER_PROF counts CPU time: a busy loop gets SIGPROF */
	CHECK(act(27, timer_handler, SA_SIGINFO, 0) == 0);
	t_got = 0;
	it[0] = 0; it[1] = 0; it[2] = 0; it[3] = 20000;
	CHECK(L(setitimer, 2, it, 0, 0) == 0);
	for (long spin = 0; !t_got && spin < 4000000000l; spin++)
		if (spin % 4096 == 0)
			L(getpid, 0, 0, 0, 0);	/* a call: where it lands */
	CHECK(t_got == 1 && got_sig == 27);
	it[3] = 0;			/* (disarmed, should it not have fired) */
	CHECK(L(setitimer, 2, it, 0, 0) == 0);
	CHECK(disposition(27, SIG_DFL) == 0);
	CHECK(disposition(SIGALRM, SIG_DFL) == 0);
	(void)me;
}

static void posix_timers(void)
{
	/* sigevent: value, signo, notify, tid */
	struct { unsigned long value; int signo, notify, tid, pad[11]; } ev;
	long spec[4], cur[4], mask;
	int id = -1, id2 = -1, none = -1;
	uint8_t si[128];
	long zero[2] = { 0, 0 };

	memset(&ev, 0, sizeof(ev));
	ev.value = 0x1234abcd5678ul;
	ev.signo = SIGUSR1;
	ev.notify = 0;		/* SIGEV_SIGNAL */
	CHECK(act(SIGUSR1, timer_handler, SA_SIGINFO, 0) == 0);
	CHECK(L(timer_create, 1, &ev, &id, 0) == 0);	/* MONOTONIC */
	CHECK(id >= 0);
	CHECK(L(timer_gettime, id, cur, 0, 0) == 0);
	CHECK(cur[0] == 0 && cur[1] == 0 && cur[2] == 0 && cur[3] == 0);
	t_got = 0;
	spec[0] = 0; spec[1] = 0; spec[2] = 0; spec[3] = 25000000;
	CHECK(L(timer_settime, id, 0, spec, 0) == 0);
	CHECK(L(timer_gettime, id, cur, 0, 0) == 0);
	CHECK(cur[2] == 0 && cur[3] > 0 && cur[3] <= 25000000);
	while (!t_got)
		suspend();
	CHECK(got_sig == SIGUSR1 && t_code == SI_TIMER);
	if (faithful())
		CHECK(t_id == id && t_value == 0x1234abcd5678ul &&
		      t_overrun == 0);
	CHECK(L(timer_getoverrun, id, 0, 0, 0) == 0);
	/* a periodic one whose signal stays blocked: overruns */
	mask = BIT(SIGUSR1);
	CHECK(L(rt_sigprocmask, 0, &mask, 0, 8) == 0);
	spec[0] = 0; spec[1] = 10000000; spec[2] = 0; spec[3] = 10000000;
	CHECK(L(timer_settime, id, 0, spec, cur) == 0);
	CHECK(cur[0] == 0 && cur[1] == 0 && cur[2] == 0 && cur[3] == 0);
	sleep_ms(120, 0);
	CHECK(L(rt_sigtimedwait, &mask, si, zero, 8) == SIGUSR1);
	CHECK(((int32_t *)si)[2] == SI_TIMER && ((int32_t *)si)[5] > 0);
	CHECK(L(timer_getoverrun, id, 0, 0, 0) > 0);
	/* disarmed: gettime says zeros; the old setting comes back */
	memset(spec, 0, sizeof(spec));
	CHECK(L(timer_settime, id, 0, spec, cur) == 0);
	CHECK(cur[0] == 0 && cur[1] == 10000000);
	CHECK(L(timer_gettime, id, cur, 0, 0) == 0);
	CHECK(cur[0] == 0 && cur[1] == 0 && cur[2] == 0 && cur[3] == 0);
	L(rt_sigtimedwait, &mask, si, zero, 8);	/* one may be left */
	mask = BIT(SIGUSR1);
	CHECK(L(rt_sigprocmask, 1, &mask, 0, 8) == 0);
	/* an absolute time on CLOCK_REALTIME already past fires at once */
	ev.notify = 0;
	ev.value = 77;
	CHECK(L(timer_create, 0, &ev, &id2, 0) == 0);
	t_got = 0;
	spec[0] = 0; spec[1] = 0; spec[2] = 1; spec[3] = 0;	/* 1970 */
	CHECK(L(timer_settime, id2, 1, spec, 0) == 0);	/* TIMER_ABSTIME */
	while (!t_got)
		suspend();
	if (faithful())
		CHECK(t_id == id2 && t_value == 77);
	/* SIGEV_NONE: counts down, posts nothing */
	ev.notify = 1;
	CHECK(L(timer_create, 1, &ev, &none, 0) == 0);
	spec[0] = 0; spec[1] = 0; spec[2] = 5; spec[3] = 0;
	CHECK(L(timer_settime, none, 0, spec, 0) == 0);
	CHECK(L(timer_gettime, none, cur, 0, 0) == 0);
	CHECK(cur[2] == 4 || (cur[2] == 5 && cur[3] == 0));
	/* refusals */
	CHECK(L(timer_delete, id, 0, 0, 0) == 0);
	CHECK(L(timer_delete, id, 0, 0, 0) == -EINVAL);
	CHECK(L(timer_gettime, id, cur, 0, 0) == -EINVAL);
	CHECK(L(timer_settime, id, 0, spec, 0) == -EINVAL);
	CHECK(L(timer_getoverrun, id, 0, 0, 0) == -EINVAL);
	CHECK(L(timer_delete, 100000, 0, 0, 0) == -EINVAL);
	spec[3] = 1000000000;
	CHECK(L(timer_settime, none, 0, spec, 0) == -EINVAL);
	ev.notify = 0;
	ev.signo = 65;
	CHECK(L(timer_create, 1, &ev, &id, 0) == -EINVAL);
	ev.signo = 0;
	CHECK(L(timer_create, 1, &ev, &id, 0) == -EINVAL);
	ev.signo = SIGUSR1;
	ev.notify = 99;
	CHECK(L(timer_create, 1, &ev, &id, 0) == -EINVAL);
	CHECK(L(timer_create, 99, &ev, &id, 0) == -EINVAL);
	CHECK(L(timer_create, 1, 8, &id, 0) == -14);
	CHECK(L(timer_delete, id2, 0, 0, 0) == 0);
	CHECK(L(timer_delete, none, 0, 0, 0) == 0);
	CHECK(disposition(SIGUSR1, SIG_DFL) == 0);
}

static char altstack[65536] __attribute__((aligned(16)));

static void alt_stack(void)
{
	unsigned long ss[3], old[3];
	long me = L(getpid, 0, 0, 0, 0);

	if (!faithful())
		return;
	/* none at first */
	CHECK(L(sigaltstack, 0, old, 0, 0) == 0);
	CHECK(old[1] == SS_DISABLE);
	ss[0] = (unsigned long)altstack;
	ss[1] = 0;
	ss[2] = sizeof(altstack);
	CHECK(L(sigaltstack, ss, 0, 0, 0) == 0);
	CHECK(L(sigaltstack, 0, old, 0, 0) == 0);
	CHECK(old[0] == ss[0] && old[1] == 0 && old[2] == ss[2]);
	/* SA_ONSTACK: the handler runs on it, and sees SS_ONSTACK */
	CHECK(act(SIGUSR2, timer_handler, SA_SIGINFO | SA_ONSTACK, 0) == 0);
	t_got = 0;
	CHECK(L(kill, me, SIGUSR2, 0, 0) == 0);
	CHECK(t_got == 1);
	CHECK(t_sp >= (unsigned long)altstack &&
	      t_sp < (unsigned long)altstack + sizeof(altstack));
	CHECK(t_ssflags == SS_ONSTACK);
	/* without SA_ONSTACK, the usual stack */
	CHECK(act(SIGUSR2, timer_handler, SA_SIGINFO, 0) == 0);
	CHECK(L(kill, me, SIGUSR2, 0, 0) == 0);
	CHECK(t_got == 2);
	CHECK(t_sp < (unsigned long)altstack ||
	      t_sp >= (unsigned long)altstack + sizeof(altstack));
	CHECK(t_ssflags == 0);
	/* refusals: too small, bad flags; SS_DISABLE turns it off */
	ss[2] = MINSIGSTKSZ - 1;
	CHECK(L(sigaltstack, ss, 0, 0, 0) == -ENOMEM);
	ss[2] = sizeof(altstack);
	ss[1] = 4;
	CHECK(L(sigaltstack, ss, 0, 0, 0) == -EINVAL);
	CHECK(L(sigaltstack, 8, 0, 0, 0) == -14);
	ss[1] = SS_DISABLE;
	CHECK(L(sigaltstack, ss, 0, 0, 0) == 0);
	CHECK(L(sigaltstack, 0, old, 0, 0) == 0);
	CHECK(old[1] == SS_DISABLE);
	CHECK(disposition(SIGUSR2, SIG_DFL) == 0);
}

static void queued(void)
{
	long me = L(getpid, 0, 0, 0, 0);
	int32_t info[32];

	memset(info, 0, sizeof(info));
	info[0] = SIGUSR1;
	info[2] = SI_QUEUE;
	info[4] = (int32_t)me;
	*(unsigned long *)(info + 6) = 0xfeedbeef12ul;
	CHECK(act(SIGUSR1, timer_handler, SA_SIGINFO, 0) == 0);
	t_got = 0;
	CHECK(L(rt_sigqueueinfo, me, SIGUSR1, info, 0) == 0);
	CHECK(t_got == 1 && t_code == SI_QUEUE && t_value == 0xfeedbeef12ul);
	CHECK(t_id == me);
	CHECK(L(rt_tgsigqueueinfo, me, me, SIGUSR1, info) == 0);
	CHECK(t_got == 2);
	/* to another process only with a negative si_code */
	info[2] = 0;		/* SI_USER */
	CHECK(L(rt_sigqueueinfo, L(getppid, 0, 0, 0, 0), SIGUSR1, info,
		0) == -EPERM);
	info[2] = SI_QUEUE;
	CHECK(L(rt_sigqueueinfo, NO_PID, SIGUSR1, info, 0) == -ESRCH);
	CHECK(L(rt_sigqueueinfo, me, 65, info, 0) == -EINVAL);
	CHECK(L(rt_sigqueueinfo, me, SIGUSR1, 8, 0) == -14);
	CHECK(L(rt_tgsigqueueinfo, me, NO_PID, SIGUSR1, info) == -ESRCH);
	CHECK(L(rt_tgsigqueueinfo, 0, me, SIGUSR1, info) == -EINVAL);
	CHECK(disposition(SIGUSR1, SIG_DFL) == 0);
}

/* stop signals: a stopped child runs no more until SIGCONT, and its
 * parent's waits are told of each (WUNTRACED, WCONTINUED, waitid) */
static volatile int chld_code, chld_status;

static void chld_handler(int sig, void *info, void *uc)
{
	int32_t *si = info;

	(void)sig;
	(void)uc;
	chld_code = si[2];
	chld_status = si[6];
}

static void stops(void)
{
	int p[2];
	int32_t si[32];
	char c;
	int st = -1;
	long pid, n;

	CHECK(L(pipe2, p, 04000, 0, 0) == 0);		/* O_NONBLOCK */
	pid = fork_();
	if (pid == 0) {
		for (;;) {			/* a byte every 10 ms */
			L(write, p[1], "x", 1, 0);
			sleep_ms(10, 0);
		}
	}
	CHECK(pid > 0);
	CHECK(act(SIGCHLD, chld_handler, SA_SIGINFO, 0) == 0);
	chld_code = 0;
	CHECK(L(kill, pid, SIGSTOP, 0, 0) == 0);
	CHECK(L(wait4, pid, &st, 2, 0) == pid);		/* WUNTRACED */
	CHECK((st & 0xff) == 0x7f && (st >> 8 & 0xff) == SIGSTOP);
	/* SIGCHLD comes (qemu-user, the AArch64 reference, sometimes
	 * loses a stopped child's: checked under Aegis and x86_64 Linux) */
	for (n = 0; n < 200 && chld_code != 5 && faithful(); n++)
		sleep_ms(5, 0);
	if (faithful())
		CHECK(chld_code == 5 && chld_status == SIGSTOP);
	/* told once; and it runs no more */
	CHECK(L(wait4, pid, &st, 2 | 1, 0) == 0);
	while (L(read, p[0], &c, 1, 0) == 1)
		;
	sleep_ms(80, 0);
	CHECK(L(read, p[0], &c, 1, 0) == -EAGAIN);
	/* SIGCONT: on again, and told (WCONTINUED, CLD_CONTINUED) */
	CHECK(L(kill, pid, 18, 0, 0) == 0);
	CHECK(L(wait4, pid, &st, 8, 0) == pid && st == 0xffff);
	for (n = 0; n < 200 && L(read, p[0], &c, 1, 0) != 1; n++)
		sleep_ms(5, 0);
	CHECK(n < 200);
	for (n = 0; n < 200 && chld_code != 6 && faithful(); n++)
		sleep_ms(5, 0);
	if (faithful())
		CHECK(chld_code == 6 && chld_status == 18);	/* CLD_CONTINUED */
	/* SIGTSTP to an orphaned process group is dropped (this program's
	 * group is one: it leads a session, its parent outside it) */
	CHECK(L(kill, pid, 20, 0, 0) == 0);
	sleep_ms(30, 0);
	CHECK(L(wait4, pid, &st, 2 | 1, 0) == 0);
	/* in a group of its own, whose parent (this program) is in another
	 * group of the session, SIGTSTP's default stops it; waitid sees it
	 * (and WNOWAIT keeps it to be seen again) */
	CHECK(L(setpgid, pid, pid, 0, 0) == 0);
	CHECK(L(kill, pid, 20, 0, 0) == 0);
	memset(si, 0, sizeof(si));
	CHECK(sys6(NR_waitid, 1, pid, si, 2 | 0x01000000, 0, 0) == 0);
	CHECK(si[0] == SIGCHLD && si[2] == 5 && si[4] == pid && si[6] == 20);
	memset(si, 0, sizeof(si));
	CHECK(sys6(NR_waitid, 1, pid, si, 2, 0, 0) == 0);	/* WSTOPPED */
	CHECK(si[2] == 5 && si[6] == 20);
	memset(si, 0, sizeof(si));
	CHECK(sys6(NR_waitid, 1, pid, si, 2 | 1, 0, 0) == 0);
	CHECK(si[4] == 0);				/* told once */
	/* a stopped process ends by SIGKILL */
	CHECK(L(kill, pid, SIGKILL, 0, 0) == 0);
	CHECK(status_of(pid) == SIGKILL);
	CHECK(disposition(SIGCHLD, SIG_DFL) == 0);
	/* a handled SIGTSTP does not stop; SIGCONT with nothing stopped
	 * does nothing */
	got = 0;
	CHECK(act(20, handler, 0, 0) == 0);
	CHECK(L(kill, L(getpid, 0, 0, 0, 0), 20, 0, 0) == 0);
	CHECK(got == 1 && got_sig == 20);
	CHECK(L(kill, L(getpid, 0, 0, 0, 0), 18, 0, 0) == 0);
	CHECK(disposition(20, SIG_DFL) == 0);
	L(close, p[0], 0, 0, 0);
	L(close, p[1], 0, 0, 0);
}

/* What a fault's handler saw, sent to the parent through a pipe. */
static int fault_pipe = -1;
static volatile char *mend;	/* a page the handler makes writable */

static void fault_handler(int sig, void *info, void *uc)
{
	int32_t *si = info;
	uint64_t rep[3] = { (uint64_t)sig, (uint64_t)si[2], 0 };

	(void)uc;
	memcpy(&rep[2], (char *)info + 16, 8);		/* si_addr */
	if (mend) {
		/* mend the page and return: the write runs again */
		L(mprotect, mend, 4096, 3, 0);
		mend = 0;
		L(write, fault_pipe, rep, sizeof(rep), 0);
		return;
	}
	L(write, fault_pipe, rep, sizeof(rep), 0);
	quit(42);
}

/* A child that faults by fn(arg) with a SIGINFO handler for sig (blocked
 * when block): its status, and what the handler reported in rep. */
static long fault_child(int sig, void (*fn)(char *), char *arg, int block,
			uint64_t rep[3])
{
	int p[2];
	long pid, st;

	memset(rep, 0, 3 * sizeof(uint64_t));
	if (L(pipe2, p, 0, 0, 0))
		return -1;
	pid = fork_();
	if (pid == 0) {
		unsigned long set = BIT(sig);

		fault_pipe = p[1];
		act(sig, fault_handler, SA_SIGINFO, 0);
		if (block)
			L(rt_sigprocmask, 0, &set, 0, 8);
		fn(arg);
		quit(0);
	}
	L(close, p[1], 0, 0, 0);
	st = status_of(pid);
	L(read, p[0], rep, 3 * sizeof(uint64_t), 0);
	L(close, p[0], 0, 0, 0);
	return st;
}

static void poke(char *a)
{
	*(volatile char *)a = 1;
}

/* an instruction no CPU runs (a label in it: its address) */
void bad_insn(char *a) __attribute__((visibility("hidden")));
extern char bad_insn_at[] __attribute__((visibility("hidden")));
#if defined(__x86_64__)
__asm__(".text\n.globl bad_insn\n.hidden bad_insn\nbad_insn:\n"
	".globl bad_insn_at\n.hidden bad_insn_at\nbad_insn_at:\n"
	"\tud2\n\tret\n");
#else
__asm__(".text\n.globl bad_insn\n.hidden bad_insn\nbad_insn:\n"
	".globl bad_insn_at\n.hidden bad_insn_at\nbad_insn_at:\n"
	"\t.inst 0x00000000\n\tret\n");
#endif

static void faults(void)
{
	uint64_t rep[3];
	char *ro;

	/* nothing mapped there: SEGV_MAPERR and the address */
	CHECK(fault_child(SIGSEGV, poke, (char *)0x1234, 0, rep) == 42 << 8);
	CHECK(rep[0] == SIGSEGV && rep[1] == 1 && rep[2] == 0x1234);
	/* a read-only page written: SEGV_ACCERR */
	ro = (char *)sys6(NR_mmap, 0, 4096, 1, 0x22, -1, 0);
	CHECK((unsigned long)ro < -4096ul);
	CHECK(fault_child(SIGSEGV, poke, ro + 8, 0, rep) == 42 << 8);
	CHECK(rep[0] == SIGSEGV && rep[1] == 2 &&
	      rep[2] == (uint64_t)(ro + 8));
	/* a handler that makes the page writable and returns: the write
	 * runs again, and the process goes on */
	mend = ro;
	CHECK(fault_child(SIGSEGV, poke, ro + 8, 0, rep) == 0);
	CHECK(rep[0] == SIGSEGV && rep[1] == 2);
	mend = 0;
	/* blocked, it cannot be taken: the process ends by it */
	CHECK(fault_child(SIGSEGV, poke, ro + 8, 1, rep) == SIGSEGV);
	CHECK(rep[0] == 0);
	/* an undefined instruction: SIGILL at its address */
	CHECK(fault_child(4, bad_insn, 0, 0, rep) == 42 << 8);
	CHECK(rep[0] == 4 && rep[2] == (uint64_t)bad_insn_at);
	/* without a handler, the process ends by the fault's own signal */
	CHECK(fault_child(SIGUSR2, bad_insn, 0, 0, rep) == 4);
	CHECK(fault_child(SIGUSR2, poke, (char *)0x1234, 0, rep) == SIGSEGV);
}

/* A loop with no system call: its state in registers, which a handler
 * taken anywhere in it must give back, a SIMD register included (this
 * program's own code uses none: the loop parks a value in one, the
 * handler overwrites it). n rounds; *f what the SIMD register held. */
static volatile int busy_hits;

#if defined(__x86_64__)
#define SIMD_PUT(v)	__asm__ volatile("movq %0, %%xmm5" : : "r"(v))
#define SIMD_GET(v)	__asm__ volatile("movq %%xmm5, %0" : "=r"(v))
#else
#define SIMD_PUT(v)	__asm__ volatile("fmov d5, %0" : : "r"(v))
#define SIMD_GET(v)	__asm__ volatile("fmov %0, d5" : "=r"(v))
#endif

static uint64_t spin(uint64_t n, uint64_t *f)
{
	uint64_t x = 1, v = 0x5eed5eed5eed5eedull;

	SIMD_PUT(v);
	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ull + i;
	SIMD_GET(v);
	*f = v;
	return x;
}

static void busy_handler(int sig, void *info, void *uc)
{
	uint64_t junk = 0xdeadbeefull;

	(void)sig;
	(void)info;
	(void)uc;
	SIMD_PUT(junk);		/* over the loop's */
	busy_hits++;
}

static void busy(void)
{
	int p[2], st = -1;
	long pid, n;
	uint64_t x1, x2, f1, f2;
	char c;

	/* a handler runs while the process computes, no call in between,
	 * and what it computes is what it computes undisturbed */
	CHECK(L(pipe2, p, 0, 0, 0) == 0);
	pid = fork_();
	if (pid == 0) {
		unsigned long all = ~0ul;

		/* the reference first, with every signal blocked */
		L(rt_sigprocmask, 0, &all, 0, 8);
		x1 = spin(3000000, &f1);
		act(SIGUSR1, busy_handler, 0, 0);
		all = 0;
		L(rt_sigprocmask, 2, &all, 0, 8);	/* SIG_SETMASK */
		L(write, p[1], "r", 1, 0);		/* ready: signals now */
		/* the same, with signals coming in */
		x2 = spin(3000000, &f2);
		while (!busy_hits)
			;		/* at least one, still no call */
		quit(x1 == x2 && f1 == f2 && f1 == 0x5eed5eed5eed5eedull ?
		     0 : 9);
	}
	CHECK(pid > 0);
	CHECK(L(read, p[0], &c, 1, 0) == 1);
	for (n = 0; n < 20; n++) {
		if (L(kill, pid, SIGUSR1, 0, 0) != 0)
			break;
		sleep_ms(2, 0);
	}
	CHECK(status_of(pid) == 0);

	/* a busy process stops at SIGSTOP and goes on at SIGCONT; SIGTERM
	 * ends it where it is */
	pid = fork_();
	if (pid == 0) {
		uint64_t f;

		L(write, p[1], "r", 1, 0);
		for (;;)
			spin(~0ull, &f);
	}
	CHECK(pid > 0);
	CHECK(L(read, p[0], &c, 1, 0) == 1);
	CHECK(L(kill, pid, SIGSTOP, 0, 0) == 0);
	CHECK(L(wait4, pid, &st, 2, 0) == pid);		/* WUNTRACED */
	CHECK((st & 0xff) == 0x7f && (st >> 8 & 0xff) == SIGSTOP);
	CHECK(L(kill, pid, 18, 0, 0) == 0);
	CHECK(L(wait4, pid, &st, 8, 0) == pid && st == 0xffff);
	CHECK(L(kill, pid, SIGTERM, 0, 0) == 0);
	CHECK(status_of(pid) == SIGTERM);
	L(close, p[0], 0, 0, 0);
	L(close, p[1], 0, 0, 0);
}

int main(void)
{
	handlers();
	masks();
	timed_wait();
	children();
	hostile();
	itimers();
	posix_timers();
	alt_stack();
	queued();
	stops();
	busy();
	faults();
#if defined(__aarch64__)
	no_restorer();
#endif
	snprintf(line, sizeof(line), "linuxsig: %d checks, %d failed\n",
		 checks, fails);
	say(line);
	quit(fails);
}
