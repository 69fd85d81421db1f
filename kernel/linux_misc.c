/*
 * linux_misc.c - Linux calls about the process as a whole
 * (docs/LINUX_ABI.md): getrusage, personality, waitid, and the memory
 * locks (mlock, munlock, mlockall, munlockall: Aegis never pages memory
 * out, so every mapped page is locked already; the calls check what
 * Linux checks and keep nothing).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/linux.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/linux_syscalls.h>
#include <aegis/logbuf.h>
#include <aegis/mm.h>
#include <aegis/proc.h>
#include <aegis/random.h>
#include <aegis/sched.h>
#include <aegis/spinlock.h>
#include <aegis/syscall.h>
#include <aegis/topics.h>

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
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

int64_t lsys_waitid(const uint64_t a[SYS_ARGS_MAX])
{
	/* siginfo (128 bytes): signo, errno, code, pad, pid, uid, status */
	int32_t si[32];
	int32_t code = 0, id = (int32_t)a[1];
	uint64_t opt = a[3];
	int pid, rc;
	PROC_OR_ESRCH(p);

	if (opt & ~(uint64_t)(WNOHANG | WSTOPPED | WEXITED | WCONTINUED |
			      WNOWAIT) ||
	    !(opt & (WEXITED | WSTOPPED | WCONTINUED)))
		return -AE_EINVAL;
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
		pid = id;	/* (id 0: the caller's group) */
		break;
	default:
		return -AE_EINVAL;
	}
	rc = proc_wait_child(p, pid, a[0] == P_PGID,
			     (opt & WNOHANG ? PROC_W_NOHANG : 0) |
			     (opt & WEXITED ? PROC_W_EXITED : 0) |
			     (opt & WSTOPPED ? PROC_W_STOPPED : 0) |
			     (opt & WCONTINUED ? PROC_W_CONTINUED : 0) |
			     (opt & WNOWAIT ? PROC_W_NOWAIT : 0), &code);
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
		if (PROC_STOPPED_OF(code)) {
			si[2] = CLD_STOPPED;
			si[6] = PROC_STOPPED_OF(code);
		} else if (code == PROC_CONTINUED_CODE) {
			si[2] = CLD_CONTINUED;
			si[6] = 18;	/* SIGCONT */
		}
	}
	/* WNOHANG with none ended: a zeroed siginfo (si_pid 0) */
	if (a[2] && syscall_copy(si, a[2], sizeof(si), true))
		return -AE_EFAULT;
	return 0;
}

/* ---- futex ---------------------------------------------------------------- */

/* Waiters: one entry a waiting thread, keyed by its process (its
 * threads share its memory; no memory is shared between processes but a
 * vfork child's, whose parent waits) and the word's address. A wait is
 * queued before the word is read, so a wake between the two finds it;
 * the waker marks it woken and wakes its thread. The table has a slot
 * for every thread there can be. */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256

static struct futex_waiter {
	const struct proc *p;	/* NULL: a free slot */
	uint64_t addr;
	uint32_t bitset;
	int thread;
	bool woken;
} waiters[SCHED_THREADS_MAX];
static DEFINE_LOCK_CLASS(futex_class, "futex");
static spinlock_t futex_lock = SPINLOCK_INIT(&futex_class);
static uint64_t futex_waits, futex_wakes;

static struct futex_waiter *futex_queue(const struct proc *p, uint64_t addr,
					uint32_t bitset)
{
	struct futex_waiter *w = NULL;
	bool was = spin_lock_irqsave(&futex_lock);

	for (unsigned int i = 0; i < SCHED_THREADS_MAX && !w; i++)
		if (!waiters[i].p)
			w = &waiters[i];
	if (w) {
		*w = (struct futex_waiter){ p, addr, bitset, sched_self(),
					    false };
		futex_waits++;
	}
	spin_unlock_irqrestore(&futex_lock, was);
	return w;
}

/* Take w off the queue: whether it was woken. */
static bool futex_leave(struct futex_waiter *w)
{
	bool was = spin_lock_irqsave(&futex_lock), woken = w->woken;

	w->p = NULL;
	spin_unlock_irqrestore(&futex_lock, was);
	return woken;
}

static bool futex_woken(const struct futex_waiter *w)
{
	return __atomic_load_n(&w->woken, __ATOMIC_ACQUIRE);
}

int linux_futex_wake(const struct proc *p, uint64_t addr, int n,
		     uint32_t bitset)
{
	bool was = spin_lock_irqsave(&futex_lock);
	int woke = 0;

	for (unsigned int i = 0; i < SCHED_THREADS_MAX && woke < n; i++) {
		struct futex_waiter *w = &waiters[i];

		if (w->p != p || w->addr != addr || w->woken ||
		    !(w->bitset & bitset))
			continue;
		__atomic_store_n(&w->woken, true, __ATOMIC_RELEASE);
		sched_wake(w->thread);
		woke++;
	}
	futex_wakes += (uint64_t)woke;
	spin_unlock_irqrestore(&futex_lock, was);
	return woke;
}

int64_t lsys_futex(const uint64_t a[SYS_ARGS_MAX])
{
	uint32_t op = (uint32_t)a[1] & ~(uint32_t)(FUTEX_PRIVATE_FLAG |
						    FUTEX_CLOCK_REALTIME);
	uint32_t bitset = ~0u;
	uint64_t end = ~0ull;
	struct futex_waiter *w;
	uint32_t now_val;
	int rc;
	PROC_OR_ESRCH(p);

	if (((uint32_t)a[1] & FUTEX_CLOCK_REALTIME) &&
	    op != FUTEX_WAIT_BITSET)
		return -AE_ENOSYS;	/* (Linux's answer) */
	switch (op) {
	case FUTEX_WAKE_BITSET:
		bitset = (uint32_t)a[5];
		if (!bitset)
			return -AE_EINVAL;
		/* fall through */
	case FUTEX_WAKE:
		if (a[0] & 3)
			return -AE_EINVAL;
		if (a[0] < hal_mmu_user_range().lo ||
		    a[0] > hal_mmu_user_range().hi - 4)
			return -AE_EFAULT;	/* (Linux's access_ok) */
		return linux_futex_wake(p, a[0], (int32_t)a[2] < 0 ? INT32_MAX :
					(int)(int32_t)a[2], bitset);
	case FUTEX_WAIT_BITSET:
		bitset = (uint32_t)a[5];
		break;
	case FUTEX_WAIT:
		break;
	default:
		return -AE_ENOSYS;	/* requeue, PI, ...: not kept */
	}
	if (a[0] & 3 || !bitset)
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
	w = futex_queue(p, a[0], bitset);
	if (!w)
		return -AE_EAGAIN;	/* (cannot be: a slot a thread) */
	rc = syscall_copy(&now_val, a[0], sizeof(now_val), false);
	if (rc || now_val != (uint32_t)a[2]) {
		futex_leave(w);
		return rc ? rc : -AE_EAGAIN;
	}
	for (;;) {
		uint64_t seen = sched_wakes(), now = clock_ns();

		if (futex_woken(w))
			break;
		if (now >= end) {
			rc = -AE_ETIMEDOUT;
			break;
		}
		if (sched_killed() || proc_sig_due(p)) {
			rc = -AE_EINTR;
			break;
		}
		sched_block_unless(seen, end == ~0ull ? 0 : end - now);
	}
	/* woken meanwhile: the wake counted it, so it is a wake */
	return futex_leave(w) ? 0 : rc;
}

uint32_t linux_futex_show(char *buf, uint32_t size)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < SCHED_THREADS_MAX; i++)
		n += waiters[i].p != NULL;
	return (uint32_t)ksnprintf(buf, size,
				   "waiting %u\nwaits   %llu\nwakes   %llu\n",
				   n, (unsigned long long)futex_waits,
				   (unsigned long long)futex_wakes);
}

/* ---- nice values ---------------------------------------------------------- */

/* Aegis's scheduler has priorities, not weights (docs/SCHEDULER.md): a
 * process's nice value is kept and reported, and does not change how
 * its threads share a CPU. */

int64_t lsys_getpriority(const uint64_t a[SYS_ARGS_MAX])
{
	int nice, rc;
	PROC_OR_ESRCH(p);

	rc = proc_nice_get(p, (int)(int32_t)a[0], (int)(int32_t)a[1], &nice);
	return rc ? rc : 20 - nice;	/* the kernel's 1..40 */
}

int64_t lsys_setpriority(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return proc_nice_set(p, (int)(int32_t)a[0], (int)(int32_t)a[1],
			     (int)(int32_t)a[2]);
}

/* ---- sched_setattr, sched_getattr ----------------------------------------- */

#define SCHED_ATTR_VER0		48
#define SCHED_ATTR_SIZE		56	/* VER1, Linux 6.1's */
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_KEEP_POLICY	0x08
#define SCHED_FLAG_KEEP_PARAMS	0x10
#define SCHED_FLAG_UTIL_CLAMP	0x60
#define SCHED_FLAG_ALL		0x7f

struct sched_attr_l {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};
_Static_assert(sizeof(struct sched_attr_l) == SCHED_ATTR_SIZE, "sched_attr");

/* pid 0 or a process: 0, else -ESRCH (-EINVAL below 0) */
static int sched_target(struct proc *p, int32_t pid, int *out)
{
	int nice;

	if (pid < 0)
		return -AE_EINVAL;
	if (proc_nice_get(p, PROC_PRIO_PROCESS, pid, &nice))
		return -AE_ESRCH;
	*out = pid ? pid : proc_pid(p);
	return 0;
}

int64_t lsys_sched_getattr(const uint64_t a[SYS_ARGS_MAX])
{
	struct sched_attr_l at;
	uint32_t size = (uint32_t)a[2];
	int pid, nice, rc;
	PROC_OR_ESRCH(p);

	if (!a[1] || a[3] || size < SCHED_ATTR_VER0 || size > 4096)
		return -AE_EINVAL;
	rc = sched_target(p, (int32_t)a[0], &pid);
	if (rc)
		return rc;
	rc = proc_nice_get(p, PROC_PRIO_PROCESS, pid, &nice);
	if (rc)
		return rc;
	memset(&at, 0, sizeof(at));
	at.size = size < SCHED_ATTR_SIZE ? size : SCHED_ATTR_SIZE;
	at.policy = 0;		/* SCHED_OTHER */
	at.nice = nice;
	at.util_max = 1024;	/* no utilisation clamp */
	return syscall_copy(&at, a[1], at.size, true);
}

int64_t lsys_sched_setattr(const uint64_t a[SYS_ARGS_MAX])
{
	struct sched_attr_l at;
	uint32_t size;
	int pid, rc;
	PROC_OR_ESRCH(p);

	if (!a[1] || a[2] || (int32_t)a[0] < 0)
		return -AE_EINVAL;
	rc = syscall_copy(&size, a[1], sizeof(size), false);
	if (rc)
		return rc;
	if (!size)
		size = SCHED_ATTR_VER0;
	if (size < SCHED_ATTR_VER0 || size > 4096) {
		/* -E2BIG, with the size Aegis takes written back */
		size = SCHED_ATTR_SIZE;
		rc = syscall_copy(&size, a[1], sizeof(size), true);
		return rc ? rc : -AE_E2BIG;
	}
	memset(&at, 0, sizeof(at));
	rc = syscall_copy(&at, a[1], size < sizeof(at) ? size : sizeof(at),
			  false);
	if (rc)
		return rc;
	/* a larger struct than Linux 6.1's: what it adds must be zeros */
	for (uint32_t off = sizeof(at); off < size; off++) {
		uint8_t b;

		rc = syscall_copy(&b, a[1] + off, 1, false);
		if (rc)
			return rc;
		if (b) {
			size = SCHED_ATTR_SIZE;
			rc = syscall_copy(&size, a[1], sizeof(size), true);
			return rc ? rc : -AE_E2BIG;
		}
	}
	rc = sched_target(p, (int32_t)a[0], &pid);
	if (rc)
		return rc;
	if (at.flags & ~(uint64_t)SCHED_FLAG_ALL)
		return -AE_EINVAL;
	if (at.flags & SCHED_FLAG_UTIL_CLAMP)
		return -AE_EOPNOTSUPP;	/* no utilisation clamping */
	if (!(at.flags & SCHED_FLAG_KEEP_POLICY)) {
		switch (at.policy) {
		case 0: case 3: case 5:	/* OTHER, BATCH, IDLE */
			if (at.priority)
				return -AE_EINVAL;
			break;
		case 1: case 2:		/* FIFO, RR: not kept */
			return at.priority < 1 || at.priority > 99 ?
			       -AE_EINVAL : -AE_EPERM;
		case 6:			/* DEADLINE: not kept */
			return -AE_EPERM;
		default:
			return -AE_EINVAL;
		}
	}
	if (at.flags & SCHED_FLAG_KEEP_PARAMS)
		return 0;
	rc = proc_nice_set(p, PROC_PRIO_PROCESS, pid,
			   at.nice < -20 ? -20 : at.nice > 19 ? 19 : at.nice);
	return rc == -AE_EACCES ? -AE_EPERM : rc;
}

/* ---- membarrier ----------------------------------------------------------- */

#define MEMBARRIER_CMD_QUERY			 0
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED	 8
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED 16

/* A Linux process has one thread: a barrier among its threads is the
 * caller's own full barrier. Only the private expedited commands are
 * offered (the global ones would have to reach every CPU). */
int64_t lsys_membarrier(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if (a[1])
		return -AE_EINVAL;	/* no MEMBARRIER_CMD_FLAG_CPU */
	switch (a[0]) {
	case MEMBARRIER_CMD_QUERY:
		return MEMBARRIER_CMD_PRIVATE_EXPEDITED |
		       MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
		proc_membarrier(p, true);
		return 0;
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
		if (!proc_membarrier(p, false))
			return -AE_EPERM;	/* not registered */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 0;
	default:
		return -AE_EINVAL;
	}
}

/* ---- syslog ----------------------------------------------------------------- */

#define SYSLOG_CLOSE		0
#define SYSLOG_OPEN		1
#define SYSLOG_READ		2
#define SYSLOG_READ_ALL		3
#define SYSLOG_READ_CLEAR	4
#define SYSLOG_CLEAR		5
#define SYSLOG_CONSOLE_OFF	6
#define SYSLOG_CONSOLE_ON	7
#define SYSLOG_CONSOLE_LEVEL	8
#define SYSLOG_SIZE_UNREAD	9
#define SYSLOG_SIZE_BUFFER	10

/* The log's bytes ever written at the last CLEAR and at the last READ,
 * and the console level before CONSOLE_OFF. */
static uint64_t log_cleared, log_read;
static uint32_t level_saved = 0xffffffffu;

struct collect {
	char *buf;
	size_t n, size;
};

static void collect(void *ctx, const char *s, size_t n)
{
	struct collect *c = ctx;

	if (n > c->size - c->n)
		n = c->size - c->n;
	memcpy(c->buf + c->n, s, n);
	c->n += n;
}

#define LOG_SIZE	(LOGBUF_HEAD + LOGBUF_TAIL)
#define LOG_DUMP_MAX	(LOG_SIZE + 64)	/* and the "not kept" line */

/* Copy the log's bytes written since mark (those still kept), at most
 * len of them, to va: the oldest first (oldest), else the newest. Their
 * number, and in *left how many of them were not copied. */
static int64_t log_copy(uint64_t mark, uint64_t va, uint32_t len,
			bool oldest, uint64_t *left)
{
	struct collect c = { kmalloc(LOG_DUMP_MAX), 0, LOG_DUMP_MAX };
	uint64_t total = klog_total(), since;
	size_t n, from;
	int rc;

	if (!c.buf)
		return -AE_ENOMEM;
	klog_dump(collect, &c);
	since = total > mark ? total - mark : 0;
	if (since > c.n)
		since = c.n;
	n = since < len ? (size_t)since : len;
	from = oldest ? c.n - (size_t)since : c.n - n;
	rc = n ? syscall_copy(c.buf + from, va, n, true) : 0;
	kfree(c.buf);
	if (left)
		*left = since - n;
	return rc ? rc : (int64_t)n;
}

int64_t lsys_syslog(const uint64_t a[SYS_ARGS_MAX])
{
	int32_t type = (int32_t)a[0], len = (int32_t)a[2];
	int64_t n;
	PROC_OR_ESRCH(p);

	/* as Linux with dmesg_restrict (Debian's): privileged only, which
	 * is checked first */
	if (!proc_privileged(p))
		return -AE_EPERM;
	if (type < SYSLOG_CLOSE || type > SYSLOG_SIZE_BUFFER)
		return -AE_EINVAL;
	switch (type) {
	case SYSLOG_CLOSE:
	case SYSLOG_OPEN:
		return 0;
	case SYSLOG_READ:
	case SYSLOG_READ_ALL:
	case SYSLOG_READ_CLEAR:
		if (!a[1] || len < 0)
			return -AE_EINVAL;
		if (!len)
			return 0;
		if (type == SYSLOG_READ) {
			/* the oldest of what came since the last READ (none:
			 * 0 at once, where Linux would wait for more) */
			uint64_t total = klog_total(), left;

			n = log_copy(log_read, a[1], (uint32_t)len, true,
				     &left);
			if (n >= 0)
				log_read = total - left;
			return n;
		}
		n = log_copy(log_cleared, a[1], (uint32_t)len, false, NULL);
		if (n >= 0 && type == SYSLOG_READ_CLEAR)
			log_cleared = klog_total();
		return n;
	case SYSLOG_CLEAR:
		log_cleared = klog_total();
		return 0;
	case SYSLOG_CONSOLE_OFF:
		if (level_saved == 0xffffffffu)
			level_saved = klog_level();
		return klog_set_level(0);
	case SYSLOG_CONSOLE_ON:
		if (level_saved != 0xffffffffu) {
			klog_set_level(level_saved);
			level_saved = 0xffffffffu;
		}
		return 0;
	case SYSLOG_CONSOLE_LEVEL:
		/* Linux's console_loglevel N shows levels below N: Aegis's
		 * level N - 1 shows those up to it */
		if (len < 1 || len > 8)
			return -AE_EINVAL;
		level_saved = 0xffffffffu;
		return klog_set_level((uint32_t)len - 1);
	case SYSLOG_SIZE_UNREAD: {
		uint64_t total = klog_total(), un = total - log_read;

		return un > LOG_SIZE ? LOG_SIZE : (int64_t)un;
	}
	default:	/* SYSLOG_SIZE_BUFFER */
		return LOG_SIZE;
	}
}

/* ---- getrandom -------------------------------------------------------------- */

#define GRND_NONBLOCK	1
#define GRND_RANDOM	2
#define GRND_INSECURE	4

int64_t lsys_getrandom(const uint64_t a[SYS_ARGS_MAX])
{
	uint8_t chunk[RANDOM_READ_MAX];
	uint64_t len = a[1] > 0x7fffffffull ? 0x7fffffffull : a[1];
	uint64_t done = 0;
	uint32_t flags = (uint32_t)a[2];
	int rc;
	PROC_OR_ESRCH(p);

	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) ||
	    (flags & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return -AE_EINVAL;
	while (done < len) {
		uint32_t want = len - done < sizeof(chunk) ?
				(uint32_t)(len - done) : sizeof(chunk);

		rc = random_read(chunk, want,
				  flags & GRND_INSECURE ? RANDOM_INSECURE : 0);
		if (rc == -AE_EAGAIN && !done && !(flags & GRND_NONBLOCK)) {
			/* not ready: wait for it (a signal ends the wait) */
			if (proc_sig_due(p) || sched_killed())
				return -LINUX_ERESTARTSYS;
			sched_sleep_ns(10000000ull);
			continue;
		}
		if (rc < 0)
			return done ? (int64_t)done : rc;
		if (syscall_copy(chunk, a[0] + done, (size_t)rc, true)) {
			memset(chunk, 0, sizeof(chunk));
			return done ? (int64_t)done : -AE_EFAULT;
		}
		done += (uint64_t)rc;
		/* a long request gives way to a signal with what it has */
		if (done < len && proc_sig_due(p))
			break;
	}
	memset(chunk, 0, sizeof(chunk));
	return (int64_t)done;
}
