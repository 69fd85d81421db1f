/*
 * linux_misc.c - Linux calls about the process as a whole
 * (docs/LINUX_ABI.md): getrusage, personality, waitid, and the memory
 * locks (mlock, munlock, mlockall, munlockall: Aegis never pages memory
 * out, so every mapped page is locked already; the calls check what
 * Linux checks and keep nothing).
 */
#include <string.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/linux.h>
#include <aegis/linux_syscalls.h>
#include <aegis/mm.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/syscall.h>

#define PAGE		4096ull
#define NS		1000000000ull

#define PROC_OR_ESRCH(p)			\
	struct proc *p = proc_self();		\
	if (!p)					\
		return -AE_ESRCH

/* ---- getrusage ------------------------------------------------------------ */

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)
#define RUSAGE_THREAD	1

int64_t lsys_getrusage(const uint64_t a[SYS_ARGS_MAX])
{
	/* struct rusage: ru_utime, ru_stime (timevals), then 14 longs */
	int64_t ru[18];
	struct proc_view v;
	int32_t who = (int32_t)a[0];
	PROC_OR_ESRCH(p);

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN &&
	    who != RUSAGE_THREAD)
		return -AE_EINVAL;
	memset(ru, 0, sizeof(ru));
	/* its own CPU time (one thread: the thread's is the process's), as
	 * user time; the children's is not kept yet: zero */
	if (who != RUSAGE_CHILDREN && proc_view_pid(proc_pid(p), &v) == 0) {
		ru[0] = (int64_t)(v.cpu_ns / NS);
		ru[1] = (int64_t)(v.cpu_ns % NS / 1000);
		ru[4] = (int64_t)(v.pages * PAGE / 1024);	/* ru_maxrss, KiB */
	}
	return syscall_copy(ru, a[1], sizeof(ru), true);
}

/* ---- personality ---------------------------------------------------------- */

#define PER_LINUX	0
#define PER_QUERY	0xffffffffu

int64_t lsys_personality(const uint64_t a[SYS_ARGS_MAX])
{
	/* Linux's own execution domain, the only one Aegis has: asked or
	 * set again, it is the answer; any other is refused */
	uint32_t persona = (uint32_t)a[0];

	if (persona == PER_QUERY || persona == PER_LINUX)
		return PER_LINUX;
	return -AE_EINVAL;
}

/* ---- the memory locks ----------------------------------------------------- */

/* [addr, addr + len) rounded out to pages, each mapped in p's space:
 * 0, or -ENOMEM (Linux's answer for a hole), -EINVAL for an overflow. */
static int mapped(struct proc *p, uint64_t addr, uint64_t len)
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t lo = addr & ~(PAGE - 1), hi;

	if (len == 0)
		return 0;
	if (addr + len < addr || addr + len > ~0ull - PAGE)
		return -AE_EINVAL;
	hi = (addr + len + PAGE - 1) & ~(PAGE - 1);
	if (lo < r.lo || hi > r.hi)
		return -AE_ENOMEM;
	for (uint64_t va = lo; va < hi; va += PAGE) {
		uint64_t pa;
		uint32_t prot;

		if (mm_as_query(proc_as(p), va, &pa, &prot))
			return -AE_ENOMEM;
	}
	return 0;
}

int64_t lsys_mlock(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return mapped(p, a[0], a[1]);
}

int64_t lsys_munlock(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return mapped(p, a[0], a[1]);
}

#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4

int64_t lsys_msync(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if (a[0] & (PAGE - 1) || a[2] & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE |
						    MS_SYNC) ||
	    ((a[2] & MS_ASYNC) && (a[2] & MS_SYNC)))
		return -AE_EINVAL;
	/* private memory only: nothing to write back */
	return mapped(p, a[0], a[1]);
}

int64_t lsys_mincore(const uint64_t a[SYS_ARGS_MAX])
{
	uint8_t vec[256];
	uint64_t n, done = 0;
	int rc;
	PROC_OR_ESRCH(p);

	if (a[0] & (PAGE - 1))
		return -AE_EINVAL;
	rc = mapped(p, a[0], a[1]);
	if (rc)
		return rc == -AE_EINVAL ? -AE_ENOMEM : rc;
	/* every mapped page is in memory */
	n = (a[1] + PAGE - 1) / PAGE;
	memset(vec, 1, sizeof(vec));
	while (done < n) {
		uint64_t k = n - done < sizeof(vec) ? n - done : sizeof(vec);

		rc = syscall_copy(vec, a[2] + done, k, true);
		if (rc)
			return rc;
		done += k;
	}
	return 0;
}

#define MCL_CURRENT	1
#define MCL_FUTURE	2
#define MCL_ONFAULT	4

int64_t lsys_mlockall(const uint64_t a[SYS_ARGS_MAX])
{
	if (!a[0] || (a[0] & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE |
					  MCL_ONFAULT)) ||
	    a[0] == MCL_ONFAULT)
		return -AE_EINVAL;
	return 0;
}

int64_t lsys_munlockall(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return 0;
}

/* ---- waitid --------------------------------------------------------------- */

#define P_ALL		0
#define P_PID		1
#define P_PGID		2
#define WNOHANG		1
#define WSTOPPED	2
#define WEXITED		4
#define WCONTINUED	8
#define WNOWAIT		0x01000000
#define SIGCHLD		17
#define CLD_EXITED	1
#define CLD_KILLED	2

int64_t lsys_waitid(const uint64_t a[SYS_ARGS_MAX])
{
	/* siginfo (128 bytes): signo, errno, code, pad, pid, uid, status */
	int32_t si[32];
	int32_t code = 0, id = (int32_t)a[1];
	uint64_t opt = a[3];
	int pid, rc;
	PROC_OR_ESRCH(p);

	if (opt & ~(uint64_t)(WNOHANG | WSTOPPED | WEXITED | WCONTINUED) ||
	    !(opt & WEXITED))
		return -AE_EINVAL;	/* (WNOWAIT: not kept) */
	switch (a[0]) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if (id <= 0)
			return -AE_EINVAL;
		pid = id;
		break;
	case P_PGID:
		if (id < 0)
			return -AE_EINVAL;
		pid = 0;	/* (id 0: the caller's group) */
		break;
	default:
		return -AE_EINVAL;
	}
	rc = a[0] == P_PGID ? proc_wait_group(p, id, &code, opt & WNOHANG) :
			      proc_wait4(p, pid, &code, opt & WNOHANG);
	if (rc < 0)
		return rc;
	memset(si, 0, sizeof(si));
	if (rc > 0) {
		int sig = PROC_SIGNAL_OF(code) ? PROC_SIGNAL_OF(code) :
			  code < 0 ? (code == -AE_EFAULT ? 11 : 9) : 0;

		si[0] = SIGCHLD;
		si[2] = sig ? CLD_KILLED : CLD_EXITED;
		si[4] = rc;
		si[5] = proc_privileged(p) ? 0 : PROC_UID_USER;
		si[6] = sig ? sig : code & 0xff;
	}
	/* WNOHANG with none ended: a zeroed siginfo (si_pid 0) */
	if (a[2] && syscall_copy(si, a[2], sizeof(si), true))
		return -AE_EFAULT;
	return 0;
}

/* ---- futex ---------------------------------------------------------------- */

/* A Linux process here has one thread and no memory it shares: nothing
 * else can wake a futex it waits on, so a wait ends by its value, its
 * timeout or a signal, and a wake finds nobody (0). */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256

int64_t lsys_futex(const uint64_t a[SYS_ARGS_MAX])
{
	uint32_t op = (uint32_t)a[1] & ~(uint32_t)(FUTEX_PRIVATE_FLAG |
						    FUTEX_CLOCK_REALTIME);
	uint64_t end = ~0ull;
	uint32_t now_val;
	int rc;
	PROC_OR_ESRCH(p);

	if (((uint32_t)a[1] & FUTEX_CLOCK_REALTIME) &&
	    op != FUTEX_WAIT_BITSET)
		return -AE_ENOSYS;	/* (Linux's answer) */
	switch (op) {
	case FUTEX_WAKE_BITSET:
		if ((uint32_t)a[5] == 0)
			return -AE_EINVAL;
		/* fall through */
	case FUTEX_WAKE:
		if (a[0] & 3)
			return -AE_EINVAL;
		return 0;		/* no other thread waits */
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		break;
	default:
		return -AE_ENOSYS;	/* requeue, PI, ...: not kept */
	}
	if (a[0] & 3 || (op == FUTEX_WAIT_BITSET && (uint32_t)a[5] == 0))
		return -AE_EINVAL;
	if (a[3]) {
		int64_t ts[2];

		rc = syscall_copy(ts, a[3], sizeof(ts), false);
		if (rc)
			return rc;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= (int64_t)NS)
			return -AE_EINVAL;
		end = (uint64_t)ts[0] * NS + (uint64_t)ts[1];
		if (op == FUTEX_WAIT)
			end += clock_ns();	/* relative */
		else if ((uint32_t)a[1] & FUTEX_CLOCK_REALTIME)
			return -AE_ENOSYS;	/* (absolute real time:
						 * not kept) */
	}
	rc = syscall_copy(&now_val, a[0], sizeof(now_val), false);
	if (rc)
		return rc;
	if (now_val != (uint32_t)a[2])
		return -AE_EAGAIN;
	for (;;) {
		uint64_t seen = sched_wakes(), now = clock_ns();

		if (now >= end)
			return -AE_ETIMEDOUT;
		if (sched_killed() || proc_sig_due(p))
			return -AE_EINTR;
		sched_block_unless(seen, end == ~0ull ? 0 : end - now);
	}
}
