/*
 * linuxthread.c - what Linux's threads do, checked one by one: clone
 * with CLONE_THREAD (the flags glibc's pthread_create gives), thread ids
 * (gettid, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID), a thread pointer of
 * its own (CLONE_SETTLS), shared memory and an atomic counter, futex
 * waits and wakes (a wrong value, a timeout, wakes counted), the join
 * through CLONE_CHILD_CLEARTID's word, tgkill to a thread and its
 * refusals, clone's flag rules, exit_group from a thread ending the
 * others, and execve from a process with threads.
 *
 * Built and marked as linuxfs.c is; the same binary runs under Aegis
 * (case linux-threads) and under Linux (test/unit/linux_reference.py),
 * so each expectation here is Linux's.
 */
#include <stdint.h>
#include <string.h>
#include "ulib.h"

#define sys(n, a, b, c, d, e) aegis_syscall((n), (a), (b), (c), (d), (e), 0)
#define sys6(n, a, b, c, d, e, f) aegis_syscall((n), (long)(a), (long)(b), \
						(long)(c), (long)(d), \
						(long)(e), (long)(f))

#if defined(__x86_64__)
enum { NR_write = 1, NR_rt_sigaction = 13, NR_rt_sigprocmask = 14,
       NR_nanosleep = 35,
       NR_getpid = 39, NR_clone = 56, NR_execve = 59, NR_exit = 60,
       NR_wait4 = 61, NR_uname = 63, NR_gettid = 186, NR_futex = 202,
       NR_exit_group = 231, NR_tgkill = 234, NR_arch_prctl = 158,
       NR_mmap = 9, NR_mprotect = 10, NR_munmap = 11,
       NR_rt_sigpending = 127 };
#else
enum { NR_exit = 93, NR_exit_group = 94, NR_futex = 98,
       NR_nanosleep = 101, NR_tgkill = 131, NR_rt_sigaction = 134,
       NR_uname = 160, NR_getpid = 172, NR_gettid = 178, NR_clone = 220,
       NR_execve = 221, NR_wait4 = 260, NR_write = 64, NR_mmap = 222,
       NR_mprotect = 226, NR_munmap = 215, NR_rt_sigprocmask = 135,
       NR_rt_sigpending = 136 };
#endif

enum { ESRCH = 3, EAGAIN = 11, EFAULT = 14, EINVAL = 22, ETIMEDOUT = 110 };
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000
#define THREAD_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID | \
			 CLONE_CHILD_CLEARTID)
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_PRIVATE_FLAG	128
#define SIGUSR1		10
#define SIGUSR2		12
#define SIGCHLD		17
#define SA_RESTORER	0x04000000ul

#define L(n, a, b, c, d) sys(NR_##n, (long)(a), (long)(b), (long)(c), \
			     (long)(d), 0)

/* thread_clone(flags, stack top, ptid, ctid, tls, fn, arg): clone(2);
 * the new thread calls fn(arg) on its stack and exits with its result */
long thread_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
		  unsigned long tls, long (*fn)(void *), void *arg);
void sig_restore(void) __attribute__((visibility("hidden")));
#if defined(__x86_64__)
__asm__(".text\n.globl thread_clone\nthread_clone:\n"
	"\tmov 8(%rsp), %rax\n"		/* arg */
	"\tsub $16, %rsi\n"
	"\tmov %r9, (%rsi)\n"		/* fn, then arg, on its stack */
	"\tmov %rax, 8(%rsi)\n"
	"\tmov %rcx, %r10\n"		/* ctid */
	"\tmov $56, %eax\n"
	"\tsyscall\n"
	"\ttest %rax, %rax\n"
	"\tjnz 1f\n"
	"\tpop %rax\n"
	"\tpop %rdi\n"
	"\txor %ebp, %ebp\n"
	"\tcall *%rax\n"
	"\tmov %rax, %rdi\n"
	"\tmov $60, %eax\n"		/* exit: this thread */
	"\tsyscall\n"
	"\thlt\n"
	"1:\tret\n"
	".globl sig_restore\n.hidden sig_restore\nsig_restore:\n"
	"\tmov $15, %eax\n\tsyscall\n\thlt\n");
#else
__asm__(".text\n.globl thread_clone\nthread_clone:\n"
	"\tstp x5, x6, [x1, #-16]!\n"	/* fn and arg on its stack */
	"\tmov x9, x3\n"
	"\tmov x3, x4\n"		/* tls */
	"\tmov x4, x9\n"		/* ctid */
	"\tmov x8, #220\n"
	"\tsvc #0\n"
	"\tcbnz x0, 1f\n"
	"\tldp x5, x0, [sp], #16\n"
	"\tblr x5\n"
	"\tmov x8, #93\n"		/* exit: this thread */
	"\tsvc #0\n"
	"\tbrk #0\n"
	"1:\tret\n"
	".globl sig_restore\n.hidden sig_restore\nsig_restore:\n"
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
				 "linuxthread: line %d: %s\n", __LINE__, \
				 #cond);				\
			say(line);					\
		}							\
	} while (0)

static void __attribute__((noreturn)) quit(long code)
{
	sys(NR_exit_group, code, 0, 0, 0, 0);
	for (;;)
		;
}

static long futex(volatile int *w, int op, int val, const long *ts)
{
	return sys6(NR_futex, w, op | FUTEX_PRIVATE_FLAG, val, ts, 0, 0);
}

static void sleep_ms(long ms)
{
	long ts[2] = { ms / 1000, ms % 1000 * 1000000 };

	L(nanosleep, ts, 0, 0, 0);
}

/* Under Aegis and x86_64 Linux: not under qemu-user (the AArch64
 * reference), whose execve runs programs of the host's arch. */
static int faithful(void)
{
	char u[390];

	return L(uname, u, 0, 0, 0) == 0 && (strcmp(u, "Aegis") == 0 ||
#if defined(__x86_64__)
					    1
#else
					    0
#endif
					    );
}

static int on_aegis(void)
{
	char u[390];

	return L(uname, u, 0, 0, 0) == 0 && strcmp(u, "Aegis") == 0;
}

#define NTHREADS	4
#define STACK		16384
static uint8_t stacks[NTHREADS + 8][STACK] __attribute__((aligned(16)));
static volatile int ptids[NTHREADS + 8], ctids[NTHREADS + 8];
static volatile int counter, gate, timeouts, seen_tid[NTHREADS + 8];
static volatile int seen_pid[NTHREADS + 8], seen_ctid[NTHREADS + 8];
static volatile unsigned long seen_tls[NTHREADS + 8];
static volatile int got_usr1;

static unsigned long thread_pointer(void)
{
	unsigned long v = 0;

#if defined(__x86_64__)
	L(arch_prctl, 0x1003, &v, 0, 0);	/* ARCH_GET_FS */
#else
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
#endif
	return v;
}

static long worker(void *arg)
{
	long i = (long)arg;
	long five[2] = { 5, 0 };

	seen_ctid[i] = ctids[i];	/* CLONE_CHILD_SETTID's, before it runs */
	seen_tid[i] = (int)L(gettid, 0, 0, 0, 0);
	seen_pid[i] = (int)L(getpid, 0, 0, 0, 0);
	seen_tls[i] = thread_pointer();
	for (int k = 0; k < 1000; k++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	/* then waits on gate until the main thread opens it */
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		if (futex(&gate, FUTEX_WAIT, 0, five) == -ETIMEDOUT)
			timeouts++;
	return 0;
}

/* wait for a thread's end: its CLONE_CHILD_CLEARTID word becomes 0 (and
 * its futex is woken as a shared one: the wait is not private, as
 * glibc's pthread_join's) */
static void join(volatile int *ctid)
{
	for (int v; (v = __atomic_load_n(ctid, __ATOMIC_ACQUIRE)) != 0;)
		sys6(NR_futex, ctid, FUTEX_WAIT, v, 0, 0, 0);
}

/* a worker on stacks[i]; its id in ctids[i] (CLONE_PARENT_SETTID), which
 * its end clears (CLONE_CHILD_CLEARTID): one word, as glibc's */
static long start(int i, unsigned long extra, unsigned long tls)
{
	return thread_clone(THREAD_FLAGS | extra, stacks[i] + STACK,
			    (int *)&ctids[i], (int *)&ctids[i], tls, worker,
			    (void *)(long)i);
}

static void threads(void)
{
	int me = (int)L(getpid, 0, 0, 0, 0);
	long tid[NTHREADS], woke = 0;
	volatile int word = 5;
	long ms[2] = { 0, 50000000 };

	CHECK(L(gettid, 0, 0, 0, 0) == me);	/* the first thread's is the
						 * pid */
	for (int i = 0; i < NTHREADS; i++) {
		tid[i] = start(i, i == 0 ? CLONE_SETTLS : 0,
			       i == 0 ? (unsigned long)&stacks[NTHREADS] : 0);
		CHECK(tid[i] > 0 && tid[i] != me);
		CHECK(ctids[i] == tid[i]);	/* CLONE_PARENT_SETTID (it
						 * waits: it cannot end yet) */
	}
	for (int i = 0; i < NTHREADS; i++)
		for (int j = 0; j < i; j++)
			CHECK(tid[i] != tid[j]);
	/* futex refusals and a timeout, while they run */
	CHECK(futex(&word, FUTEX_WAIT, 4, 0) == -EAGAIN);
	CHECK(futex(&word, FUTEX_WAIT, 5, ms) == -ETIMEDOUT);
	CHECK(futex((volatile int *)((char *)&word + 1), FUTEX_WAKE, 1, 0) ==
	      -EINVAL);
	CHECK(futex(&word, FUTEX_WAKE, 1, 0) == 0);	/* nobody there */
	/* all of them counted, in the one memory */
	for (int n = 0; n < 500 && __atomic_load_n(&counter,
					__ATOMIC_RELAXED) < NTHREADS * 1000; n++)
		sleep_ms(2);
	CHECK(counter == NTHREADS * 1000);
	sleep_ms(50);			/* (most of them wait by now) */
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	woke = futex(&gate, FUTEX_WAKE, 0x7fffffff, 0);
	CHECK(woke >= 0 && woke <= NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		join(&ctids[i]);
		CHECK(ctids[i] == 0);		/* CLONE_CHILD_CLEARTID */
		CHECK(seen_tid[i] == tid[i]);	/* gettid in it */
		CHECK(seen_pid[i] == me);	/* one process */
	}
	CHECK(timeouts == 0);		/* the wakes reached them */
	CHECK(seen_tls[0] == (unsigned long)&stacks[NTHREADS]);
	/* CLONE_CHILD_SETTID: the word is the thread's id before it runs */
	gate = 1;
	ctids[0] = -1;
	tid[0] = thread_clone(THREAD_FLAGS | CLONE_CHILD_SETTID,
			      stacks[0] + STACK, (int *)&ptids[0],
			      (int *)&ctids[0], 0, worker, (void *)0);
	CHECK(tid[0] > 0 && ptids[0] == tid[0]);
	join(&ctids[0]);
	if (faithful()) {	/* (qemu-user writes it after it runs) */
		CHECK(seen_tid[0] == tid[0]);
		CHECK(seen_ctid[0] == tid[0]);
	}
}

static volatile int got_tid, got_usr2;

static void on_usr1(int sig)
{
	if (sig == SIGUSR2) {
		got_usr2 = sig;
		return;
	}
	got_tid = (int)L(gettid, 0, 0, 0, 0);
	got_usr1 = sig;
}

/* blocks SIGUSR2, then waits for gate: a SIGUSR2 sent to it stays its
 * own, pending */
static volatile unsigned long pending_in_thread;

static long usr2_blocker(void *arg)
{
	unsigned long b = 1ul << (SIGUSR2 - 1);

	(void)arg;
	L(rt_sigprocmask, 0, &b, 0, 8);
	__atomic_store_n(&pending_in_thread, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		sleep_ms(5);
	b = 0;
	L(rt_sigpending, &b, 8, 0, 0);
	pending_in_thread = b | 2;
	return 0;
}

static long sleeper(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		sleep_ms(5);
	return 0;
}

/* a thread's blocked set is its own (glibc's threads block everything
 * on their way out) */
static volatile unsigned long blocked_in_thread;

static long blocker(void *arg)
{
	unsigned long all = ~0ul, now = 0;

	(void)arg;
	L(rt_sigprocmask, 0, &all, 0, 8);		/* SIG_BLOCK */
	L(rt_sigprocmask, 0, 0, &now, 8);
	blocked_in_thread = now;
	return 0;
}

static void signals_and_rules(void)
{
	struct { unsigned long h, f, r, m; } a = {
		(unsigned long)on_usr1, SA_RESTORER,
		(unsigned long)sig_restore, 0 };
	int me = (int)L(getpid, 0, 0, 0, 0);
	long t;

	{
		unsigned long mine = ~0ul;

		t = thread_clone(THREAD_FLAGS, stacks[2] + STACK,
				 (int *)&ctids[2], (int *)&ctids[2], 0,
				 blocker, 0);
		CHECK(t > 0);
		join(&ctids[2]);
		CHECK(blocked_in_thread & (1ul << (SIGUSR1 - 1)));
		L(rt_sigprocmask, 0, 0, &mine, 8);
		CHECK(mine == 0);	/* the first thread's is untouched */
	}
	gate = 0;
	t = thread_clone(THREAD_FLAGS, stacks[1] + STACK, (int *)&ctids[1],
			 (int *)&ctids[1], 0, sleeper, 0);
	CHECK(t > 0);
	CHECK(L(rt_sigaction, SIGUSR1, &a, 0, 8) == 0);
	CHECK(L(tgkill, me, t, SIGUSR1, 0) == 0);
	for (int n = 0; n < 500 && !got_usr1; n++)
		sleep_ms(2);
	CHECK(got_usr1 == SIGUSR1);
	CHECK(got_tid == t);	/* the thread named took it, not this one */
	/* to this thread: this one takes it */
	got_usr1 = 0;
	CHECK(L(tgkill, me, me, SIGUSR1, 0) == 0);
	CHECK(got_usr1 == SIGUSR1 && got_tid == me);
	CHECK(L(tgkill, me, 0x3ffffff0, SIGUSR1, 0) == -ESRCH);
	CHECK(L(tgkill, me + 0x3fff0000, t, SIGUSR1, 0) == -ESRCH);
	CHECK(L(tgkill, me, -1, SIGUSR1, 0) == -EINVAL);
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	join(&ctids[1]);
	/* a thread's own signal, which it blocks, stays its own: pending
	 * for it (rt_sigpending there), not for this thread, which does not
	 * block it and so would take a process's */
	{
		unsigned long mine = ~0ul;

		gate = 0;
		pending_in_thread = 0;
		got_usr2 = 0;
		CHECK(L(rt_sigaction, SIGUSR2, &a, 0, 8) == 0);
		t = thread_clone(THREAD_FLAGS, stacks[3] + STACK,
				 (int *)&ctids[3], (int *)&ctids[3], 0,
				 usr2_blocker, 0);
		CHECK(t > 0);
		while (!__atomic_load_n(&pending_in_thread, __ATOMIC_ACQUIRE))
			sleep_ms(2);
		CHECK(L(tgkill, me, t, SIGUSR2, 0) == 0);
		sleep_ms(20);
		CHECK(L(rt_sigpending, &mine, 8, 0, 0) == 0 && mine == 0);
		CHECK(got_usr2 == 0);
		__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
		join(&ctids[3]);
		CHECK(pending_in_thread == ((1ul << (SIGUSR2 - 1)) | 2));
		CHECK(got_usr2 == 0);	/* it ended with it, untaken */
	}
	/* clone's rules: a thread shares the handlers, which share the
	 * memory */
	CHECK(thread_clone(CLONE_VM | CLONE_THREAD, stacks[2] + STACK, 0, 0,
			   0, sleeper, 0) == -EINVAL);
	CHECK(thread_clone(CLONE_SIGHAND | SIGCHLD, stacks[2] + STACK, 0, 0,
			   0, sleeper, 0) == -EINVAL);
	/* Aegis keeps 8 threads a process (Linux: far more) */
	if (on_aegis()) {
		long got[9];
		int n = 0;

		gate = 0;
		sleep_ms(100);	/* the ended threads' slots are free */
		for (n = 0; n < 9; n++) {
			got[n] = thread_clone(THREAD_FLAGS,
					      stacks[n] + STACK,
					      (int *)&ctids[n],
					      (int *)&ctids[n], 0, sleeper, 0);
			if (got[n] < 0)
				break;
		}
		CHECK(n == 7 && got[7] == -EAGAIN);	/* 7 and its first */

		__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
		for (int i = 0; i < n; i++)
			join(&ctids[i]);
	}
}

static long ender(void *arg)
{
	(void)arg;
	sleep_ms(20);
	sys(NR_exit_group, 7, 0, 0, 0, 0);
	return 1;
}

/* a child process whose thread ends it (exit_group) while its first
 * thread sleeps; or that calls execve with a thread asleep */
static void whole_process(void)
{
	int status = -1;
	long pid = L(clone, SIGCHLD, 0, 0, 0);

	if (pid == 0) {
		thread_clone(THREAD_FLAGS, stacks[0] + STACK, (int *)&ctids[0],
			     (int *)&ctids[0], 0, ender, 0);
		sleep_ms(10000);
		quit(1);
	}
	CHECK(L(wait4, pid, &status, 0, 0) == pid);
	CHECK(status == 7 << 8);
	if (!faithful())
		return;
	pid = L(clone, SIGCHLD, 0, 0, 0);
	if (pid == 0) {
		static const char *argv[] = { "true", 0 };
		static const char *envp[] = { 0 };

		gate = 0;
		thread_clone(THREAD_FLAGS, stacks[0] + STACK, (int *)&ctids[0],
			     (int *)&ctids[0], 0, sleeper, 0);
		L(execve, "/bin/true", argv, envp, 0);
		quit(2);
	}
	status = -1;
	CHECK(L(wait4, pid, &status, 0, 0) == pid);
	CHECK(status == 0);
}

/* a child process touches *at: its wait status */
static int touch_in_child(volatile char *at)
{
	int status = -1;
	long pid = L(clone, SIGCHLD, 0, 0, 0);

	if (pid == 0)
		quit(*at == 99 ? 3 : 4);
	L(wait4, pid, &status, 0, 0);
	return status;
}

/* PROT_NONE, as glibc's thread stacks use it (a reservation, then
 * mprotect): any access is SIGSEGV, the contents stay, and the kernel
 * cannot read it either; PROT_WRITE alone is readable and writable */
static void prot_none(void)
{
	char *m = (char *)sys6(NR_mmap, 0, 3 * 4096, 0, 0x22, -1, 0);

	CHECK((unsigned long)m < (unsigned long)-4095);
	if ((unsigned long)m >= (unsigned long)-4095)
		return;
	CHECK(touch_in_child(m + 4096) == 11);		/* SIGSEGV */
	CHECK(L(mprotect, m + 4096, 4096, 3, 0) == 0);	/* read, write */
	m[4096] = 7;
	CHECK(m[4096] == 7 && m[4097] == 0);
	CHECK(touch_in_child(m + 4096) == 4 << 8);	/* read: 7 */
	CHECK(L(mprotect, m + 4096, 4096, 0, 0) == 0);
	CHECK(touch_in_child(m + 4096) == 11);
	CHECK(L(mprotect, m + 4096, 4096, 1, 0) == 0);	/* kept */
	CHECK(m[4096] == 7);
	CHECK(L(write, 1, m, 1, 0) == -EFAULT);		/* page 0: none */
	/* write alone: readable too (as on both arches' Linux) */
	CHECK(L(mprotect, m, 4096, 2, 0) == 0);
	CHECK(m[0] == 0);
	CHECK(L(munmap, m, 3 * 4096, 0, 0) == 0);
}

int main(void)
{
	prot_none();
	threads();
	signals_and_rules();
	whole_process();
	snprintf(line, sizeof(line), "linuxthread: %d checks, %d failed\n",
		 checks, fails);
	say(line);
	quit(fails);
}
