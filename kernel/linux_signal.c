/*
 * linux_signal.c - the Linux personality's signals (aegis/linux.h,
 * docs/LINUX_ABI.md: Signals): rt_sigaction, rt_sigprocmask,
 * rt_sigpending, rt_sigsuspend, pause and rt_sigreturn, and the delivery
 * at the end of every Linux system call.
 *
 * The proc service keeps each process's dispositions, blocked and
 * pending sets (aegis/proc.h: proc_sig*); kill and a child's end post
 * signals there. A Linux thread takes its due signals when one of its
 * system calls ends (linux_signal_return): a default action that ends
 * the process ends it; a handler gets Linux's signal frame on the user
 * stack (the HAL builds it: hal_linux_sigframe) and the thread leaves
 * for the handler, which returns through the restorer (the program's
 * own, SA_RESTORER, or the sigpage's) into rt_sigreturn. A process busy
 * in user code without system calls takes a handled signal at its next
 * call; one whose action ends it ends at once (proc_kill).
 */
#include <string.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/linux.h>
#include <aegis/linux_syscalls.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/syscall.h>

#define SIGILL		4
#define SIGTRAP		5
#define SIGBUS		7
#define SIGFPE		8
#define SIGSEGV		11
#define SEGV_MAPERR	1	/* si_code: nothing mapped there */
#define SEGV_ACCERR	2	/* mapped without the access */
#define SI_KERNEL_	0x80
#define SIG_SETSIZE	8	/* a sigset_t of 64 signals */

#define PROC_OR_ESRCH(p)			\
	struct proc *p = proc_self();		\
	if (!p)					\
		return -AE_ESRCH

#define SS_ONSTACK	1
#define SS_DISABLE	2
#define SS_AUTODISARM	(1u << 31)
#define MINSIGSTKSZ_X86 2048	/* each arch's MINSIGSTKSZ */
#define MINSIGSTKSZ_ARM 5120

/* The flags sigaltstack reports for stack s with the thread's stack
 * pointer at sp: SS_ONSTACK when sp is on it, SS_DISABLE when there is
 * none, with SS_AUTODISARM as it was set. */
static uint32_t altstack_flags(const struct HalAltStack *s, uint64_t sp)
{
	if (!s->size)
		return SS_DISABLE;
	if (sp > s->sp && sp - s->sp <= s->size)
		return SS_ONSTACK;
	return s->flags & SS_AUTODISARM;
}

bool linux_sig_due(void)
{
	struct proc *p = proc_self();

	if (!p || !proc_sig_due(p))
		return false;
	/* a stop: the thread stops here, in its wait, which then goes on
	 * (as Linux restarts it after SIGCONT) */
	if (proc_stopped(p)) {
		proc_stop_point(p);
		return proc_sig_due(p);
	}
	return true;
}

/* The process ends as a fault's would (a frame it cannot take, a
 * sigreturn frame that is not one): SIGSEGV, which cannot be caught
 * here. */
static void segv(struct proc *p, const char *why)
{
	klog(KLOG_INFO, "linux: pid %d: %s: SIGSEGV\n", proc_pid(p), why);
	proc_exit(p, PROC_SIGNALED(SIGSEGV));
	sched_kill(sched_self());
}

#define SI_QUEUE	(-1)
#define SI_TIMER	(-2)
#define SI_MESGQ	(-3)
#define SI_ASYNCIO	(-4)

/* Linux's siginfo (128 bytes): signo, errno, code, then the sender's pid
 * and uid (and for SIGCHLD the status; utime and stime are 0); a
 * timer's: its id, overrun and sigval; sigqueue's: pid, uid, sigval. */
static void siginfo(uint8_t out[128], const struct proc_siginfo *i)
{
	int32_t w[7] = { i->sig, 0, i->code, 0, i->pid, (int32_t)i->uid,
			 i->status };

	memset(out, 0, 128);
	memcpy(out, w, sizeof(w));
	if (i->code == SI_QUEUE || i->code == SI_TIMER ||
	    i->code == SI_MESGQ || i->code == SI_ASYNCIO)
		memcpy(out + 24, &i->value, sizeof(i->value));
	/* a fault's (proc_sig_fault: a positive code): si_addr, where the
	 * sender's pid and uid would be */
	if (i->code > 0 && (i->sig == SIGSEGV || i->sig == SIGBUS ||
			    i->sig == SIGILL || i->sig == SIGFPE ||
			    i->sig == SIGTRAP))
		memcpy(out + 16, &i->value, sizeof(i->value));
}

/* Take the signals due with the thread's register file r (its system
 * call's result in it): run a handler (does not return), end the
 * process (returns, with the thread marked to end), or return with
 * nothing due. restart: r's call was interrupted (LINUX_ERESTART*, the
 * result not yet in r), and what to do with it once a handler is known;
 * nr and arg0 to run it again. */
static void deliver(struct proc *p, struct HalUserRegs *r, int64_t restart,
		    uint64_t nr, uint64_t arg0)
{
	static const size_t max = HAL_SIGFRAME_MAX;
	struct proc_sigact act;
	struct proc_siginfo info;
	uint8_t si[128];
	struct HalAltStack alt;
	uint64_t old, frame;
	uint32_t len;
	uint8_t *buf;
	bool on_alt;
	int sig, rc;

	do {
		proc_stop_point(p);	/* stopped: until SIGCONT */
		sig = proc_sig_take(p, &act, &info, &old);
	} while (sig == PROC_SIG_STOPPED && !sched_killed());
	if (sig == PROC_SIG_STOPPED)
		return;			/* SIGKILL: it ends */
	if (!sig) {
		proc_sig_unsuspend(p);
		if (restart) {
			/* nothing ran: the call runs again */
			hal_user_regs_restart(r, nr, arg0);
			sched_user_resume(r);
			segv(p, "cannot resume");
		}
		return;
	}
	if (act.handler == PROC_SIG_DFL) {
		proc_exit(p, PROC_SIGNALED(sig));	/* its default action */
		sched_kill(sched_self());
		return;
	}
	if (restart == LINUX_ERESTARTSYS && (act.flags & PROC_SA_RESTART))
		hal_user_regs_restart(r, nr, arg0);
	else if (restart)
		hal_user_regs_set_ret(r, (uint64_t)-AE_EINTR);
	siginfo(si, &info);
	buf = kmalloc(max);
	if (!buf) {
		segv(p, "no memory for a signal frame");
		return;
	}
	/* SA_ONSTACK: the alternate stack, unless it is off or the thread
	 * is on it already; uc_stack shows it as it was (SS_AUTODISARM:
	 * it is off until the handler returns) */
	proc_altstack(p, NULL, &alt);
	alt.flags = altstack_flags(&alt, hal_user_regs_sp(r));
	on_alt = (act.flags & PROC_SA_ONSTACK) && alt.flags == 0;
	if ((act.flags & PROC_SA_ONSTACK) && alt.flags == SS_AUTODISARM) {
		struct HalAltStack off = { 0, SS_DISABLE, 0, 0 };

		on_alt = true;
		proc_altstack(p, &off, NULL);
	}
	frame = hal_linux_sigframe(r, (uint32_t)sig, si, old, act.handler,
				   (act.flags & PROC_SA_RESTORER) ?
				   act.restorer : proc_sigpage(), &alt, on_alt,
				   buf, &len);
	rc = frame ? syscall_copy(buf, frame, len, true) : -AE_EFAULT;
	kfree(buf);
	if (rc) {
		/* Linux's force_sigsegv: no room on the stack for the frame */
		segv(p, "no room for a signal frame on its stack");
		return;
	}
	klog(KLOG_DEBUG, "linux: pid %d: signal %d to its handler %#llx\n",
	     proc_pid(p), sig, (unsigned long long)act.handler);
	sched_user_resume(r);
	segv(p, "a handler outside the user range");
}

void linux_signal_return(struct HalSyscall *s)
{
	struct HalUserRegs r __attribute__((aligned(16)));
	struct proc *p;
	int64_t restart = 0;

	if (s->ret == -LINUX_ERESTARTSYS || s->ret == -LINUX_ERESTARTNOHAND)
		restart = -s->ret;
	else if (!linux_sig_due())
		return;		/* the common case: two loads */
	p = proc_self();
	if (!p || sched_killed()) {
		if (restart)
			s->ret = -AE_EINTR;
		return;
	}
	hal_syscall_regs(s, &r);
	if (!restart)
		hal_user_regs_set_ret(&r, (uint64_t)s->ret);
	deliver(p, &r, restart, s->nr, s->args[0]);
	/* nothing due after all, or the process ends: the call's result */
	if (restart)
		s->ret = -AE_EINTR;
}

/* Linux's signal for a fault, and its si_code and si_addr. */
static int fault_signal(const struct HalUserFault *f, int *code,
			uint64_t *addr)
{
	uint64_t pa;
	uint32_t prot;

	*code = 1;	/* ILL_ILLOPC, FPE_INTDIV, BUS_ADRALN, TRAP_BRKPT */
	*addr = f->addr;
	switch (f->kind) {
	case HAL_FAULT_PAGE:
		*code = hal_mmu_lookup(f->addr & ~4095ull, &pa, &prot) == 0 &&
			(prot & HAL_PROT_USER) ? SEGV_ACCERR : SEGV_MAPERR;
		return SIGSEGV;
	case HAL_FAULT_ILLEGAL:
		return SIGILL;
	case HAL_FAULT_ARITH:
		return SIGFPE;
	case HAL_FAULT_ALIGN:
		return SIGBUS;
	case HAL_FAULT_OTHER:
		return SIGTRAP;
	default:	/* x86_64's #GP: no address, SI_KERNEL */
		*code = SI_KERNEL_;
		*addr = 0;
		return SIGSEGV;
	}
}

int linux_user_fault(const struct HalUserFault *f)
{
	struct HalUserRegs r __attribute__((aligned(16)));
	struct proc *p = proc_self();
	uint64_t addr;
	int code, sig;

	if (!p)
		return SIGSEGV;
	sig = fault_signal(f, &code, &addr);
	if (!f->frame || !proc_sig_fault(p, sig, code, addr))
		return sig;
	hal_trap_user_regs(f->frame, &r);
	deliver(p, &r, 0, 0, 0);
	/* (its handler runs, or the process ended meanwhile) */
	return sig;
}

void linux_irq_exit(void *frame)
{
	struct HalUserRegs r __attribute__((aligned(16)));
	struct proc *p = proc_self();

	if (!p || !proc_sig_due(p))
		return;		/* the common case */
	/* from user mode: no lock is held, nothing half done */
	hal_irq_cpu_enable(true);
	if (linux_sig_due() && !sched_killed()) {
		hal_trap_user_regs(frame, &r);
		deliver(p, &r, 0, 0, 0);
	}
	if (sched_killed())
		sched_exit_code(0);	/* a default action ended it */
	hal_irq_cpu_enable(false);
}

/* ---- the calls ----------------------------------------------------------- */

int64_t lsys_rt_sigaction(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_sigact act, old;
	int rc;
	PROC_OR_ESRCH(p);

	if (a[3] != SIG_SETSIZE)
		return -AE_EINVAL;
	if (a[1]) {
		rc = syscall_copy(&act, a[1], sizeof(act), false);
		if (rc)
			return rc;
	}
	rc = proc_sigaction(p, (int)a[0], a[1] ? &act : NULL, &old);
	if (rc)
		return rc;
	return a[2] ? syscall_copy(&old, a[2], sizeof(old), true) : 0;
}

int64_t lsys_rt_sigprocmask(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t set, old;
	int rc;
	PROC_OR_ESRCH(p);

	if (a[3] != SIG_SETSIZE)
		return -AE_EINVAL;
	if (a[1]) {
		rc = syscall_copy(&set, a[1], sizeof(set), false);
		if (rc)
			return rc;
	}
	rc = proc_sigmask(p, (int)a[0], a[1] ? &set : NULL, &old);
	if (rc)
		return rc;
	return a[2] ? syscall_copy(&old, a[2], sizeof(old), true) : 0;
}

int64_t lsys_rt_sigpending(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t set;
	PROC_OR_ESRCH(p);

	if (a[1] != SIG_SETSIZE)
		return -AE_EINVAL;
	set = proc_sigpending(p);
	return syscall_copy(&set, a[0], sizeof(set), true);
}

/* Wait until a signal is due; -EINTR (the handler runs on the way out). */
static int64_t wait_for_signal(struct proc *p)
{
	for (;;) {
		uint64_t seen = sched_wakes();

		if (proc_sig_due(p) || sched_killed())
			return -AE_EINTR;
		sched_block_unless(seen, 0);
	}
}

int64_t lsys_rt_sigsuspend(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t mask;
	int rc;
	PROC_OR_ESRCH(p);

	if (a[1] != SIG_SETSIZE)
		return -AE_EINVAL;
	rc = syscall_copy(&mask, a[0], sizeof(mask), false);
	if (rc)
		return rc;
	proc_sig_suspend(p, mask);
	return wait_for_signal(p);
}

int64_t lsys_pause(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	(void)a;
	return wait_for_signal(p);
}

int64_t lsys_rt_sigtimedwait(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t set, end = ~0ull;
	struct proc_siginfo info;
	int rc, sig;
	PROC_OR_ESRCH(p);

	if (a[3] != SIG_SETSIZE)
		return -AE_EINVAL;
	rc = syscall_copy(&set, a[0], sizeof(set), false);
	if (rc)
		return rc;
	set &= ~((1ull << 8) | (1ull << 18));	/* never SIGKILL, SIGSTOP */
	if (a[2]) {
		int64_t ts[2];

		rc = syscall_copy(ts, a[2], sizeof(ts), false);
		if (rc)
			return rc;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -AE_EINVAL;
		end = clock_ns() + (uint64_t)ts[0] * 1000000000ull +
		      (uint64_t)ts[1];
	}
	for (;;) {
		uint64_t seen = sched_wakes(), now;

		sig = proc_sig_take_set(p, set, &info);
		if (sig)
			break;
		if (sched_killed())
			return -AE_EINTR;
		if (proc_sig_due(p))
			return -AE_EINTR;	/* another one's handler */
		now = clock_ns();
		if (now >= end)
			return -AE_EAGAIN;
		sched_block_unless(seen, end == ~0ull ? 0 : end - now);
	}
	if (a[1]) {
		uint8_t si[128];

		siginfo(si, &info);
		rc = syscall_copy(si, a[1], sizeof(si), true);
		if (rc)
			return rc;
	}
	return sig;
}

/* sigaltstack's checks for a new stack s: 0 once it is p's, or
 * -EINVAL, -ENOMEM (smaller than the arch's MINSIGSTKSZ). */
static int set_altstack(struct proc *p, const struct HalAltStack *s)
{
	uint32_t mode = s->flags & ~SS_AUTODISARM;
	uint64_t min = strcmp(hal_arch_name(), "x86_64") == 0 ?
		       MINSIGSTKSZ_X86 : MINSIGSTKSZ_ARM;
	struct HalAltStack n = *s;

	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return -AE_EINVAL;
	if (mode == SS_DISABLE) {
		n.sp = n.size = 0;
		n.flags = SS_DISABLE;	/* SS_AUTODISARM goes with it */
	} else {
		if (n.size < min)
			return -AE_ENOMEM;
		n.flags &= SS_AUTODISARM;
	}
	n.pad = 0;
	proc_altstack(p, &n, NULL);
	return 0;
}

int64_t lsys_sigaltstack(const uint64_t a[SYS_ARGS_MAX])
{
	const struct HalSyscall *call = syscall_current();
	struct HalUserRegs r __attribute__((aligned(16)));
	struct HalAltStack cur, n;
	uint64_t sp;
	int rc;
	PROC_OR_ESRCH(p);

	if (!call)
		return -AE_EFAULT;
	hal_syscall_regs(call, &r);
	sp = hal_user_regs_sp(&r);
	proc_altstack(p, NULL, &cur);
	if (a[0]) {
		rc = syscall_copy(&n, a[0], sizeof(n), false);
		if (rc)
			return rc;
	}
	if (a[1]) {
		struct HalAltStack o = cur;

		o.flags = altstack_flags(&cur, sp);
		if (o.flags == SS_DISABLE)
			o.sp = o.size = 0;
		o.pad = 0;
		rc = syscall_copy(&o, a[1], sizeof(o), true);
		if (rc)
			return rc;
	}
	if (!a[0])
		return 0;
	if (altstack_flags(&cur, sp) == SS_ONSTACK)
		return -AE_EPERM;	/* not while on it */
	return set_altstack(p, &n);
}

/* rt_sigqueueinfo's and rt_tgsigqueueinfo's siginfo from the user:
 * only the process itself may send what looks like kill's or the
 * kernel's (si_code >= 0, SI_TKILL), as on Linux. */
static int64_t queue_info(struct proc *p, int pid, int sig, uint64_t va)
{
	uint8_t raw[128];
	struct proc_siginfo i;
	int32_t w[6];
	int rc = syscall_copy(raw, va, sizeof(raw), false);

	if (rc)
		return rc;
	memcpy(w, raw, sizeof(w));
	memset(&i, 0, sizeof(i));
	i.code = w[2];
	if ((i.code >= 0 || i.code == -6) && pid != proc_pid(p))
		return -AE_EPERM;
	i.pid = w[4];
	i.uid = (uint32_t)w[5];
	memcpy(&i.value, raw + 24, sizeof(i.value));
	if (i.code != SI_QUEUE && i.code != SI_TIMER &&
	    i.code != SI_MESGQ && i.code != SI_ASYNCIO)
		i.status = (int32_t)i.value;
	return proc_sigqueue(p, pid, sig, &i);
}

int64_t lsys_rt_sigqueueinfo(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return queue_info(p, (int32_t)a[0], (int32_t)a[1], a[2]);
}

int64_t lsys_rt_tgsigqueueinfo(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] <= 0 || (int32_t)a[1] <= 0)
		return -AE_EINVAL;
	if (a[0] != a[1])
		return -AE_ESRCH;	/* its one thread has its pid */
	return queue_info(p, (int32_t)a[1], (int32_t)a[2], a[3]);
}

int64_t lsys_rt_sigreturn(const uint64_t a[SYS_ARGS_MAX])
{
	struct HalUserRegs r __attribute__((aligned(16)));
	const struct HalSyscall *call = syscall_current();
	uint64_t frame, mask;
	uint32_t len;
	uint8_t *buf;
	int rc;
	PROC_OR_ESRCH(p);

	(void)a;
	if (!call)
		return -AE_EFAULT;
	hal_syscall_regs(call, &r);
	frame = hal_linux_sigframe_at(hal_user_regs_sp(&r), &len);
	buf = kmalloc(HAL_SIGFRAME_MAX);
	if (!buf) {
		segv(p, "no memory for rt_sigreturn");
		return -AE_ENOMEM;
	}
	rc = syscall_copy(buf, frame, len, false);
	if (!rc)
		rc = hal_linux_sigreturn(&r, buf, &mask);
	if (!rc) {
		/* Linux's restore_altstack: uc_stack is set again, as
		 * sigaltstack would from the restored stack (its errors are
		 * dropped) */
		struct HalAltStack now, to;

		hal_linux_sigframe_stack(buf, &to);
		proc_altstack(p, NULL, &now);
		if (altstack_flags(&now, hal_user_regs_sp(&r)) != SS_ONSTACK)
			set_altstack(p, &to);
	}
	kfree(buf);
	if (rc) {
		segv(p, "rt_sigreturn without a signal frame");
		return rc;
	}
	proc_sigmask(p, 2, &mask, NULL);
	/* what the restored mask lets through comes now */
	if (proc_sig_due(p))
		deliver(p, &r, 0, 0, 0);
	if (!sched_killed()) {
		sched_user_resume(&r);
		segv(p, "rt_sigreturn to outside the user range");
	}
	return -AE_EINTR;
}
