/*
 * proc.c - user processes (aegis/proc.h): the proc service, which loads
 * programs from the initrd into address spaces of their own and starts
 * their threads; each process's bus service and mailbox; its file
 * table; waiting for children; and the release of everything a process
 * held once its thread has ended.
 *
 * Loading (the "proc.spawn" request): the program is found in the
 * initrd (the first boot module that is a newc cpio archive), its ELF
 * image checked (aegis/elf.h), an address space made, each segment
 * mapped writable, filled, then given its own permissions (text r-x,
 * data rw-), a 64 KiB stack mapped below a gap page at the top of the
 * user range, and a user thread started at the entry point. Each failure
 * undoes what was done and says why.
 *
 * Who runs where: the proc service's handler, each process's mailbox and
 * the reaped callback run in dispatchers (any CPU's: a process's last
 * thread may end anywhere); the system calls (proc_wait, proc_receive,
 * the file table, quotas) in the process's own threads, which run on
 * several CPUs at once. So the table and every process in it are
 * changed under one lock, "proc" (interrupts masked; taken before the
 * sched lock, which sched_wake and sched_kill take, and never held
 * across a bus call or a block: a mailbox delivered inline holds the bus
 * lock when it takes this one).
 */
#include <string.h>
#include <aegis/boot_info.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/clock.h>
#include <aegis/elf.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/procfs.h>
#include <aegis/route.h>
#include <aegis/grant.h>
#include <aegis/linux.h>
#include <aegis/sched.h>
#include <aegis/service.h>
#include <aegis/spinlock.h>
#include <aegis/syscall.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>
#include <aegis/tty.h>

#define PAGE		4096ull
#define STACK_SIZE	(64 * 1024ull)
/* A Linux program's stack (RLIMIT_STACK), and how much heap (brk) it may
 * have: mapped as it grows, a chunk at a time (a mapping each). */
#define LINUX_STACK_SIZE	(1024 * 1024ull)
#define LINUX_BRK_MAX		(1024 * 1024 * 1024ull)
#define LINUX_BRK_CHUNK		(256 * 1024ull)
#define PROC_PRIO	4

enum { FREE, ALIVE, ENDED, LOADING };	/* LOADING: a slot spawn took */

/* A timer (aegis/proc.h: Timers): due at deadline (0: disarmed), on the
 * monotonic clock, or the process's CPU time for cpu. */
struct ptimer {
	bool used;		/* timer_create's: the id is taken */
	bool cpu;
	int clock;		/* timer_create's Linux clock */
	int sig;		/* what it posts (0: nothing) */
	uint64_t value;		/* its si_value */
	uint64_t deadline, interval;
	int32_t overrun;	/* expirations its pending signal stands for,
				 * less one */
	int32_t overrun_last;	/* of the signal taken last */
};

struct proc {
	int state;
	int pid;
	int parent;		/* pid, 0: none */
	int tid[PROC_THREADS];	/* its threads, -1: a free slot */
	int32_t ltid[PROC_THREADS];	/* each one's Linux thread id (0: the
					 * pid, as its first thread's) */
	uint64_t clear_tid[PROC_THREADS];	/* each one's
						 * CLONE_CHILD_CLEARTID */
	int nthreads;
	bool priv;
	char name[PROC_NAME_MAX];
	int svc;		/* its bus service */
	uint32_t as_id;
	uint64_t root;
	int32_t exit_code;
	bool ending;		/* exit or a fault: every thread is to end,
				 * and exit_code is the process's */
	int files[PROC_FILES];	/* namespace handle, PROC_FD_CONSOLE, -1 */
	struct abi_msg box[PROC_MAILBOX];
	struct bus_lineage lin[PROC_MAILBOX];	/* of each boxed message */
	unsigned int head, count;
	uint64_t dropped;	/* mailbox full */
	uint32_t gap;		/* lost since the last message boxed */
	uint64_t receiving;	/* threads waiting in receive (bit: id) */
	uint64_t waiting;	/* threads waiting in wait */
	int64_t held[3];	/* enum proc_quota: pages, topics, subs */
	uint64_t topics[BUS_TOPIC_MAX / 64];	/* bit t: it looked t up */
	/* the Linux personality (docs/LINUX_ABI.md) */
	bool is_linux;
	uint64_t stack_size;
	uint64_t brk_start, brk, brk_mapped;	/* the heap, its end, and
						 * the end of what is mapped */
	uint64_t robust_head;	/* kept: no robust futexes yet */
	/* its program's segments, for /proc/PID/maps: pages lo..hi, from
	 * file offset off */
	uint32_t nseg;
	struct proc_seg seg[ELF_SEGS_MAX];
	uint32_t as_gen;	/* as_id's changes (execve, the end) */
	uint32_t umask;
	struct proc_lfd lfd[PROC_FILES];
	char cwd[NODE_PATH_MAX];	/* the working directory */
	bool execed;		/* it called execve (a vfork parent goes on) */
	/* what /proc shows (kernel/procfs.c) */
	char exe[NODE_PATH_MAX];	/* the program's path */
	char cmdline[PROC_CMDLINE_MAX];	/* argv, each NUL-terminated */
	uint32_t cmdline_len;
	uint64_t start_ns;	/* when it was made (monotonic clock) */
	int pgid, sid;		/* its process group and session */
	uint64_t mmap_next;	/* mmap's next address (going down) */
	/* signals (aegis/proc.h) */
	struct proc_sigact sigact[64];
	uint64_t sig_pending;	/* the process's (any thread takes them) */
	uint64_t sig_thread[PROC_THREADS];	/* each thread's own (tkill,
						 * tgkill): it alone takes them */
	uint64_t sig_tany;	/* the OR of sig_thread: a quick look */
	uint64_t sig_blocked[PROC_THREADS];	/* each thread's */
	struct proc_siginfo sig_info[64];	/* of each pending signal */
	uint64_t sig_saved[PROC_THREADS];	/* the blocked set before
						 * rt_sigsuspend */
	bool sig_suspended[PROC_THREADS];
	int exit_signal;	/* what its parent gets when it ends */
	struct HalAltStack altstack;	/* sigaltstack(2) */
	int nice;		/* -20..19 (getpriority/setpriority) */
	bool membarrier;	/* registered (membarrier(2)) */
	/* a stop signal asked it to stop (stopping), and its thread has
	 * (stopped), until SIGCONT; what its parent's waits have yet to be
	 * told (WUNTRACED, WCONTINUED) */
	bool stopping, stopped, stop_report, cont_report;
	int stop_sig;
	/* timers: the three interval timers, then timer_create's */
	struct ptimer itimer[3];
	struct ptimer timer[PROC_TIMERS];
};
_Static_assert(PROC_LFD_PATH == NODE_PATH_MAX, "proc_lfd's path");

struct proc_fork_state {	/* aegis/proc.h: proc.fork's regs grant */
	struct HalUserRegs regs;
	uint64_t blocked;
};

static struct proc procs[PROC_MAX];
static struct proc *by_pid(int pid);
static int fill(uint32_t id, uint64_t va, const uint8_t *src, uint64_t len);
/* Topics processes made (user.*): each is freed once no process that
 * looked it up is left, when room is wanted (proc_reclaim_topics). */
static uint64_t made_topics[BUS_TOPIC_MAX / 64];
static int next_pid = 1;
static bool rules_added;

static DEFINE_LOCK_CLASS(proc_class, "proc");
static spinlock_t proc_lk = SPINLOCK_INIT(&proc_class);

static bool plock(void)
{
	return spin_lock_irqsave(&proc_lk);
}

static void punlock(bool was)
{
	spin_unlock_irqrestore(&proc_lk, was);
}

/* ---- the calling process ------------------------------------------- */

struct proc *proc_self(void)
{
	return sched_owner();
}

int proc_pid(const struct proc *p)
{
	return p->pid;
}

bool proc_privileged(const struct proc *p)
{
	return p->priv;
}

bus_svc_t proc_svc(const struct proc *p)
{
	return (bus_svc_t)p->svc;
}

uint32_t proc_as(const struct proc *p)
{
	return p->as_id;
}

int proc_parent(const struct proc *p)
{
	return p->parent;
}

uint64_t proc_stack_size(const struct proc *p)
{
	return p->stack_size;
}

uint64_t proc_robust_head(const struct proc *p)
{
	return p->robust_head;
}

bool proc_pid_privileged(int pid)
{
	bool was = plock(), priv;
	struct proc *q = by_pid(pid);

	priv = q && q->state == ALIVE && q->priv;
	punlock(was);
	return priv;
}

/* the calling thread's slot in p, or -1 (lock held) */
static int my_slot(const struct proc *p)
{
	int me = sched_self();

	for (int k = 0; k < PROC_THREADS; k++)
		if (p->tid[k] == me)
			return k;
	return -1;
}

/* the calling thread's slot, or 0 (the kernel acting for p) */
static int self_slot(const struct proc *p)
{
	int k = my_slot(p);

	return k < 0 ? 0 : k;
}

/* what every thread of p blocks: what none of them may take (lock
 * held; a process-directed signal waits while all block it) */
static uint64_t blocked_all(const struct proc *p)
{
	uint64_t b = ~0ull;
	bool any = false;

	for (int k = 0; k < PROC_THREADS; k++)
		if (p->tid[k] != -1) {
			b &= p->sig_blocked[k];
			any = true;
		}
	return any ? b : p->sig_blocked[0];
}

void proc_linux_keep(struct proc *p, uint64_t tid_addr, uint64_t robust)
{
	bool was = plock();
	int k = my_slot(p);

	if (tid_addr != ~0ull && k >= 0)
		p->clear_tid[k] = tid_addr;
	if (robust != ~0ull)
		p->robust_head = robust;
	punlock(was);
}

int proc_linux_tid(struct proc *p)
{
	bool was = plock();
	int k = my_slot(p), t = k >= 0 && p->ltid[k] ? p->ltid[k] : p->pid;

	punlock(was);
	return t;
}

uint64_t proc_thread_leaving(struct proc *p)
{
	bool was = plock();
	int k = my_slot(p);
	uint64_t at = 0;

	if (k >= 0) {
		at = p->clear_tid[k];
		p->clear_tid[k] = 0;
	}
	punlock(was);
	return at;
}

struct proc_lfd *proc_lfd(struct proc *p, int fd)
{
	return fd >= 0 && fd < PROC_FILES ? &p->lfd[fd] : NULL;
}

uint32_t proc_umask(struct proc *p, uint32_t mask)
{
	uint32_t was = p->umask;

	p->umask = mask;
	return was;
}

uint32_t proc_umask_of(const struct proc *p)
{
	return p->umask;
}

#define MMAP_GAP	(1ull << 30)	/* between the stack and mmap's area */

int proc_mmap(struct proc *p, uint64_t addr, uint64_t len, uint32_t prot,
	      bool fixed, uint64_t *out)
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t va;
	int rc;

	if (!len || (len & (PAGE - 1)) || (addr & (PAGE - 1)))
		return -AE_EINVAL;
	if (fixed) {
		if (addr < r.lo || addr >= r.hi || len > r.hi - addr)
			return -AE_ENOMEM;
		va = addr;
	} else {
		/* top-down from below the stack (and its gap) */
		if (!p->mmap_next)
			p->mmap_next = r.hi - PAGE - p->stack_size - MMAP_GAP;
		uint64_t floor = p->brk_start + LINUX_BRK_MAX;

		if (p->mmap_next < floor || len > p->mmap_next - floor)
			return -AE_ENOMEM;	/* down to the heap's reach */
		va = p->mmap_next - len;
	}
	rc = proc_charge(p, PROC_Q_PAGES, (int64_t)(len / PAGE));
	if (rc)
		return rc;
	rc = mm_as_map(p->as_id, va, len, prot | HAL_PROT_USER);
	if (rc) {
		proc_charge(p, PROC_Q_PAGES, -(int64_t)(len / PAGE));
		/* something there already: taken, or the mapping table */
		return rc == -AE_EEXIST ? -AE_EEXIST : -AE_ENOMEM;
	}
	if (!fixed)
		p->mmap_next = va;
	*out = va;
	return 0;
}

int proc_munmap(struct proc *p, uint64_t addr, uint64_t len)
{
	uint64_t va = addr, end = addr + len, lo, hi;
	struct mm_as_region r;
	int rc;

	if (end < addr)
		return -AE_EINVAL;

	/* each mapping the range meets loses its part of it (mm unmaps
	 * inside one mapping at a time); a mapping another thread changed
	 * between the two requests (-ENOENT) is looked up again */
	for (int again = 0; va < end && again < 8;) {
		if (mm_as_next(p->as_id, va, &r) || r.va >= end)
			return 0;
		lo = r.va > va ? r.va : va;
		hi = r.va + r.len < end ? r.va + r.len : end;
		rc = mm_as_unmap(p->as_id, lo, hi - lo);
		if (rc == -AE_ENOENT) {
			again++;
			continue;
		}
		if (rc)
			return rc;
		proc_charge(p, PROC_Q_PAGES, -(int64_t)((hi - lo) / PAGE));
		va = hi;
	}
	return va < end ? -AE_EAGAIN : 0;
}

uint64_t proc_brk(struct proc *p, uint64_t addr)
{
	uint64_t end, top;
	int rc;

	if (addr < p->brk_start || addr - p->brk_start > LINUX_BRK_MAX)
		return p->brk;		/* 0 asks where it is */
	end = (addr + PAGE - 1) & ~(PAGE - 1);
	if (end > p->brk_mapped) {
		/* a chunk at a time, so that a heap growing by little
		 * steps does not take a mapping each */
		top = (end - p->brk_mapped + LINUX_BRK_CHUNK - 1) /
		      LINUX_BRK_CHUNK * LINUX_BRK_CHUNK + p->brk_mapped;
		if (top - p->brk_start > LINUX_BRK_MAX)
			top = end;
		rc = proc_charge(p, PROC_Q_PAGES,
				 (int64_t)((top - p->brk_mapped) / PAGE));
		if (rc && top != end) {	/* no room for a chunk: just this */
			top = end;
			rc = proc_charge(p, PROC_Q_PAGES,
					 (int64_t)((top - p->brk_mapped) / PAGE));
		}
		if (rc)
			return p->brk;
		rc = mm_as_map(p->as_id, p->brk_mapped, top - p->brk_mapped,
			       HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_USER);
		if (rc) {
			proc_charge(p, PROC_Q_PAGES,
				    -(int64_t)((top - p->brk_mapped) / PAGE));
			return p->brk;	/* no room there, or no memory */
		}
		p->brk_mapped = top;
	}
	/* shrinking keeps what is mapped (the process ends with it); what
	 * comes back into the heap is zeroed, as Linux gives it */
	if (end < p->brk_mapped && addr < p->brk) {
		static const uint8_t zero[PAGE];
		uint64_t va = addr;

		while (va < p->brk) {
			uint64_t n = p->brk - va < sizeof(zero) ? p->brk - va
								: sizeof(zero);

			if (fill(p->as_id, va, zero, n))
				break;
			va += n;
		}
	}
	p->brk = addr;
	return addr;
}

static struct proc *by_pid(int pid)
{
	for (int i = 0; i < PROC_MAX; i++)
		if (procs[i].state != FREE && procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

/* ---- files ----------------------------------------------------------- */

int proc_fd_add(struct proc *p, int handle)
{
	return proc_fd_add_from(p, handle, 3);
}

int proc_fd_add_from(struct proc *p, int handle, int from)
{
	bool was = plock();
	int rc = from >= PROC_FILES ? -AE_EINVAL : -AE_EMFILE;

	for (int fd = from < 0 ? 0 : from; fd < PROC_FILES; fd++)
		if (p->files[fd] == -1) {
			p->files[fd] = handle;
			rc = fd;
			break;
		}
	punlock(was);
	return rc;
}

int proc_fd_set(struct proc *p, int fd, int handle, int *old)
{
	bool was;

	if (fd < 0 || fd >= PROC_FILES)
		return -AE_EBADF;
	was = plock();
	*old = p->files[fd];
	p->files[fd] = handle;
	punlock(was);
	return 0;
}

const char *proc_cwd(struct proc *p)
{
	return p->cwd;
}

void proc_set_cwd(struct proc *p, const char *path)
{
	size_t n = strnlen(path, sizeof(p->cwd) - 1);

	memcpy(p->cwd, path, n);
	p->cwd[n] = '\0';
}

static int fd_get(const struct proc *p, int fd)
{
	if (fd < 0 || fd >= PROC_FILES || p->files[fd] == -1)
		return -AE_EBADF;
	return p->files[fd];
}

int proc_fd_get(const struct proc *p, int fd)
{
	bool was = plock();
	int h = fd_get(p, fd);

	punlock(was);
	return h;
}

/* (a sibling thread closing the same fd at once: one of the two gets
 * the handle, the other -EBADF) */
int proc_fd_remove(struct proc *p, int fd)
{
	bool was = plock();
	int h = fd_get(p, fd);

	if (h >= 0 || h == PROC_FD_CONSOLE)
		p->files[fd] = -1;
	punlock(was);
	return h;
}

/* ---- the mailbox ------------------------------------------------------ */

/* Wake every thread of a mask (they look again; the losers wait on). */
static void wake_all(uint64_t mask)
{
	for (; mask; mask &= mask - 1)
		sched_wake(__builtin_ctzll(mask));
}

static uint64_t bit(int tid)
{
	return 1ull << tid;
}

static void topic_held(struct proc *p, int topic, bool made);

/* The process's bus service: events and sends wait for receive. */
static int mailbox(void *state, const struct bus_msg *m,
		   struct bus_msg *reply)
{
	struct proc *p = state;
	struct abi_msg *a;
	struct bus_lineage lin;
	bool was;

	(void)reply;
	if (m->kind == BUS_REQUEST)
		return -AE_ENOSYS;	/* a process does not serve */
	bus_lineage_current(&lin);
	was = plock();
	if (p->count == PROC_MAILBOX) {
		p->dropped++;
		p->gap += 1 + (m->kind == BUS_EVENT ? m->gap : 0);
		punlock(was);
		return 0;
	}
	p->lin[(p->head + p->count) % PROC_MAILBOX] = lin;
	a = &p->box[(p->head + p->count++) % PROC_MAILBOX];
	memset(a, 0, sizeof(*a));
	/* the id it will read must name this topic while it lives: a
	 * message received holds its topic, as a lookup does */
	topic_held(p, m->topic, false);
	a->topic = m->topic;
	a->src = m->src;
	a->kind = m->kind;
	a->prio = m->prio;
	a->len = m->len;
	a->ts = m->ts;
	memcpy(a->data, m->data, m->len);
	if (m->kind == BUS_EVENT) {
		/* what the bus refused (its queue) and the box could not hold */
		a->seq = m->seq;
		a->gap = p->gap + m->gap;
		p->gap = 0;
	}
	wake_all(p->receiving);
	punlock(was);
	return 0;
}

int proc_receive(struct proc *p, struct abi_msg *out, uint64_t timeout_ns)
{
	uint64_t end = clock_ns() + timeout_ns;
	struct bus_lineage lin;
	bool was;

	/* what is on its way is delivered first, even for a look without
	 * waiting: queued on this CPU (a yield lets its dispatcher run), or
	 * queued for the process's service on the CPU it runs on (the
	 * delivery wakes this thread; a second at most) */
	for (unsigned int tries = 0; tries < 1000 &&
	     !__atomic_load_n(&p->count, __ATOMIC_ACQUIRE); tries++) {
		struct bus_svc_stats st;
		int me = sched_self();

		if (bus_pending()) {
			sched_yield();
			continue;
		}
		/* queued for it, or taken off its queue and not yet
		 * handled (its handler runs on another CPU now) */
		if (bus_svc_stats((bus_svc_t)p->svc, &st) || me < 0 ||
		    (!st.pending && st.received <= st.handled))
			break;
		was = plock();
		p->receiving |= bit(me);
		punlock(was);
		sched_block(1000000);
		was = plock();
		p->receiving &= ~bit(me);
		punlock(was);
	}
	was = plock();
	while (!p->count) {
		uint64_t now = clock_ns();
		int me = sched_self();

		if (!timeout_ns || now >= end || sched_killed()) {
			punlock(was);
			return -AE_EAGAIN;
		}
		/* a wake between here and the block counts (sched_block) */
		p->receiving |= bit(me);
		punlock(was);
		sched_block(end - now);
		was = plock();
		p->receiving &= ~bit(me);
	}
	*out = p->box[p->head];
	lin = p->lin[p->head];
	p->head = (p->head + 1) % PROC_MAILBOX;
	p->count--;
	punlock(was);
	/* what it posts from now on descends from what it took last */
	bus_svc_set_cause((bus_svc_t)p->svc, &lin);
	return 0;
}

/* ---- what /proc shows ---------------------------------------------------- */

static void set_cmdline(struct proc *p, const char *const *argv,
			unsigned int argc)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < argc; i++) {
		size_t k = strlen(argv[i]) + 1;

		if (n + k > sizeof(p->cmdline))
			break;		/* the rest does not fit: left out */
		memcpy(p->cmdline + n, argv[i], k);
		n += (uint32_t)k;
	}
	p->cmdline_len = n;
}

static void view_of(const struct proc *p, struct proc_view *v)
{
	memset(v, 0, sizeof(*v));
	v->pid = p->pid;
	v->ppid = p->parent;
	v->uid = p->priv ? 0 : PROC_UID_USER;
	v->state = p->state == ENDED ? 'Z' : 'S';
	v->threads = (uint32_t)p->nthreads;
	v->pages = (uint64_t)p->held[PROC_Q_PAGES];
	for (int k = 0; k < PROC_THREADS; k++) {
		if (p->tid[k] < 0)
			continue;
		const char *st = sched_state(p->tid[k]);

		v->cpu_ns += sched_cpu_ns(p->tid[k]);
		/* Linux's R: running or ready to */
		if (st && (strcmp(st, "running") == 0 ||
			   strcmp(st, "ready") == 0))
			v->state = 'R';
	}
	v->start_ns = p->start_ns;
	v->nice = p->nice;
	memcpy(v->name, p->name, sizeof(v->name));
	memcpy(v->exe, p->exe, sizeof(v->exe));
	memcpy(v->cwd, p->cwd, sizeof(v->cwd));
	memcpy(v->cmdline, p->cmdline, sizeof(v->cmdline));
	v->cmdline_len = p->cmdline_len;
}

int proc_view_slot(unsigned int slot, struct proc_view *v)
{
	bool was;
	int rc = -AE_ENOENT;

	if (slot >= PROC_MAX)
		return -AE_ENOENT;
	was = plock();
	if (procs[slot].state == ALIVE || procs[slot].state == ENDED) {
		view_of(&procs[slot], v);
		rc = 0;
	}
	punlock(was);
	return rc;
}

/* The program's segments, page by page, for /proc/PID/maps. */
static void keep_segments(struct proc *p, const struct elf_image *im)
{
	p->nseg = im->nseg < ELF_SEGS_MAX ? im->nseg : ELF_SEGS_MAX;
	for (uint32_t k = 0; k < p->nseg; k++) {
		const struct elf_seg *g = &im->seg[k];

		p->seg[k].lo = g->vaddr & ~(PAGE - 1);
		p->seg[k].hi = (g->vaddr + g->memsz + PAGE - 1) & ~(PAGE - 1);
		p->seg[k].off = g->offset & ~(PAGE - 1);
	}
}

int proc_maps_view(int pid, struct proc_maps *v)
{
	bool was = plock();
	struct proc *p = by_pid(pid);
	int rc = -AE_ENOENT;

	memset(v, 0, sizeof(*v));
	if (p && (p->state == ALIVE || p->state == ENDED)) {
		struct HalRange r = hal_mmu_user_range();

		v->uid = p->priv ? 0 : PROC_UID_USER;
		/* an ended process holds no memory: nothing to show */
		v->as_id = p->state == ALIVE ? p->as_id : 0;
		v->as_gen = p->as_gen;
		v->brk_start = p->brk_start;
		v->brk_mapped = p->brk_mapped;
		v->stack_hi = r.hi - PAGE;
		v->stack_lo = v->stack_hi - p->stack_size;
		v->sigpage = p->is_linux ? proc_sigpage() : 0;
		v->nseg = p->nseg;
		memcpy(v->seg, p->seg, sizeof(v->seg));
		memcpy(v->exe, p->exe, sizeof(v->exe) - 1);
		rc = 0;
	}
	punlock(was);
	return rc;
}

_Static_assert(sizeof(((struct proc_maps *)0)->seg) ==
	       ELF_SEGS_MAX * sizeof(struct proc_seg),
	       "proc_maps holds every segment an image may have");

int proc_view_pid(int pid, struct proc_view *v)
{
	bool was = plock();
	struct proc *p = by_pid(pid);
	int rc = -AE_ENOENT;

	if (p && (p->state == ALIVE || p->state == ENDED)) {
		view_of(p, v);
		rc = 0;
	}
	punlock(was);
	return rc;
}

/* ---- process groups, sessions, signals ------------------------------------- */

int proc_pgid_of(struct proc *self, int pid, bool session)
{
	bool was = plock();
	struct proc *p = pid ? by_pid(pid) : self;
	int rc = -AE_ESRCH;

	if (p && (p->state == ALIVE || p->state == ENDED))
		rc = session ? p->sid : p->pgid;
	punlock(was);
	return rc;
}

int proc_setpgid(struct proc *self, int pid, int pgid)
{
	bool was = plock();
	struct proc *p = pid ? by_pid(pid) : self;
	int rc = 0;

	if (pgid < 0) {
		rc = -AE_EINVAL;
	} else if (!p || (p != self && p->parent != self->pid) ||
		   (p->state != ALIVE && p->state != ENDED)) {
		rc = -AE_ESRCH;		/* only itself or a child (one that
					 * ended but is not waited for too,
					 * as on Linux) */
	} else if (p != self && p->execed) {
		rc = -AE_EACCES;	/* a child past execve */
	} else if (p->sid != self->sid || p->sid == p->pid) {
		rc = -AE_EPERM;		/* another session, or its leader */
	} else {
		int to = pgid ? pgid : p->pid;
		bool there = to == p->pid;

		/* a group that exists in the same session (an ended member
		 * not waited for keeps it, as on Linux), or its own */
		for (int i = 0; i < PROC_MAX && !there; i++)
			there = (procs[i].state == ALIVE ||
				 procs[i].state == ENDED) &&
				procs[i].pgid == to && procs[i].sid == p->sid;
		if (there)
			p->pgid = to;
		else
			rc = -AE_EPERM;
	}
	punlock(was);
	return rc;
}

int proc_setsid(struct proc *self)
{
	bool was = plock();
	bool leader = false;
	int rc;

	/* a process group leader may not: its group would be split */
	for (int i = 0; i < PROC_MAX && !leader; i++)
		leader = procs[i].state == ALIVE &&
			 procs[i].pgid == self->pid;
	if (leader) {
		rc = -AE_EPERM;
	} else {
		self->pgid = self->sid = self->pid;
		rc = self->pid;
	}
	punlock(was);
	return rc;
}

/* Whether sig's default action ends a process (Linux's signal(7)):
 * 1 ends it, 0 is ignored, -1 stops it (a process cannot stop: taken as
 * ignored, aegis/proc.h). */
static int default_action(int sig)
{
	switch (sig) {
	case 17: case 18: case 23: case 28:	/* CHLD CONT URG WINCH */
		return 0;
	case 19: case 20: case 21: case 22:	/* STOP TSTP TTIN TTOU */
		return -1;
	default:
		return 1;
	}
}

#define SIGKILL		9
#define SIGSTOP		19
#define SIGCHLD		17
#define SIG_BIT(sig)	(1ull << ((sig) - 1))
#define SIGALRM		14
#define SIGVTALRM	26
#define SIGPROF		27
#define SS_DISABLE	2
#define SI_TIMER	(-2)
#define SI_KERNEL	0x80
#define UNBLOCKABLE	(SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

/* What sig does to p now: 0 nothing, 1 ends it, 2 runs a handler. Lock
 * held. */
static int disposition(const struct proc *p, int sig)
{
	uint64_t h = p->sigact[sig - 1].handler;

	if (sig == SIGKILL)
		return 1;
	if (h == PROC_SIG_IGN)
		return 0;
	if (h != PROC_SIG_DFL)
		return 2;
	return default_action(sig) > 0;
}

/* Post sig to p (lock held): true when it is to end p now, which the
 * caller does once the lock is given back (proc_exit). */
#define SIGCONT		18
#define CLD_STOPPED	5
#define CLD_CONTINUED	6
#define STOP_SIGS	(SIG_BIT(19) | SIG_BIT(20) | SIG_BIT(21) | SIG_BIT(22))
#define SI_TKILL	(-6)	/* siginfo's code for tkill and tgkill */

/* a signal for p: its threads waiting look again, and those running on
 * another CPU are interrupted there, where they take it */
static void wake_threads(struct proc *p)
{
	for (int k = 0; k < PROC_THREADS; k++)
		if (p->tid[k] >= 0) {
			sched_wake(p->tid[k]);
			sched_kick(p->tid[k]);
		}
}

static bool post(struct proc *p, int sig, const struct proc_siginfo *info);
static void thread_sigs_changed(struct proc *p);

/* p stopped (why CLD_STOPPED) or went on (CLD_CONTINUED): its parent's
 * waits look again, and it gets SIGCHLD unless it asked not to
 * (SA_NOCLDSTOP). Lock held. */
static void tell_parent(struct proc *p, int why, int sig)
{
	struct proc *parent = p->parent ? by_pid(p->parent) : NULL;
	struct proc_siginfo info = { SIGCHLD, why, p->pid,
				     p->priv ? 0 : PROC_UID_USER, sig, 0 };

	if (!parent || parent->state != ALIVE)
		return;
	wake_all(parent->waiting);
	if (!(parent->sigact[SIGCHLD - 1].flags & PROC_SA_NOCLDSTOP))
		post(parent, SIGCHLD, &info);	/* (SIGCHLD ends nobody) */
}

/* A stop signal's default action: p stops at its thread's next stop
 * point (a system call's start or end, or the wait it is in: the SIGSTOP
 * bit marks it due, unblockable); its parent is told once it has.
 * Lock held. */
static void stop(struct proc *p, int sig)
{
	__atomic_and_fetch(&p->sig_pending, ~SIG_BIT(SIGCONT),
			   __ATOMIC_RELEASE);
	if (p->stopping || p->stopped)
		return;
	p->stopping = true;
	p->stop_sig = sig;
	__atomic_or_fetch(&p->sig_pending, SIG_BIT(SIGSTOP), __ATOMIC_RELEASE);
	wake_threads(p);
}

/* Whether process group pgid is orphaned: no member has a parent in
 * another group of the same session (lock held). */
static bool orphaned(int pgid)
{
	for (int i = 0; i < PROC_MAX; i++) {
		const struct proc *q = &procs[i], *parent;

		if (q->state != ALIVE || q->pgid != pgid)
			continue;
		parent = q->parent ? by_pid(q->parent) : NULL;
		if (parent && parent->state == ALIVE && parent->pgid != pgid &&
		    parent->sid == q->sid)
			return false;
	}
	return true;
}

#define SIGTTIN		21
#define SIGTTOU		22

/* whether sig would reach p's default action (stop): neither blocked
 * nor ignored (lock held) */
static bool would_stop(const struct proc *p, int sig)
{
	return !(p->sig_blocked[self_slot(p)] & SIG_BIT(sig)) &&
	       p->sigact[sig - 1].handler != PROC_SIG_IGN;
}

void proc_tty_caller(struct proc *p, struct tty_caller *c)
{
	bool was = plock();

	memset(c, 0, sizeof(*c));
	c->pid = p->pid;
	c->pgrp = p->pgid;
	c->sid = p->sid;
	if (would_stop(p, SIGTTIN))
		c->flags |= TTY_C_TTIN;
	if (would_stop(p, SIGTTOU))
		c->flags |= TTY_C_TTOU;
	if (orphaned(p->pgid))
		c->flags |= TTY_C_ORPHAN;
	if (p->pid == p->sid)
		c->flags |= TTY_C_LEADER;
	punlock(was);
	if (proc_privileged(p))
		c->flags |= TTY_C_ROOT;
}

bool proc_pgrp_in_session(int pgid, int sid)
{
	bool was = plock(), found = false;

	for (int i = 0; i < PROC_MAX && !found; i++)
		found = (procs[i].state == ALIVE ||
			 procs[i].state == ENDED) &&	/* not reaped: its
							 * group lives */
			procs[i].pgid == pgid && (!sid || procs[i].sid == sid);
	punlock(was);
	return found;
}

/* Post sig to p (lock held): true when it is to end p now, which the
 * caller does once the lock is given back (proc_exit). */
static bool post(struct proc *p, int sig, const struct proc_siginfo *info)
{
	int d = disposition(p, sig);

	if (p->state != ALIVE || p->ending)
		return false;
	/* SIGCONT goes on, whatever its disposition, and takes back the
	 * stop signals pending; a stop signal takes back SIGCONT */
	if (sig == SIGCONT && p->is_linux) {
		__atomic_and_fetch(&p->sig_pending, ~(STOP_SIGS),
				   __ATOMIC_RELEASE);
		if (p->stopping || p->stopped) {
			bool was_stopped = p->stopped;

			p->stopping = p->stopped = false;
			p->stop_report = false;
			wake_threads(p);
			if (was_stopped) {
				p->cont_report = true;
				tell_parent(p, CLD_CONTINUED, SIGCONT);
			}
		}
	}
	if ((STOP_SIGS & SIG_BIT(sig)) && p->is_linux &&
	    (sig == SIGSTOP || (p->sigact[sig - 1].handler == PROC_SIG_DFL &&
				!(blocked_all(p) & SIG_BIT(sig))))) {
		/* SIGTSTP, SIGTTIN and SIGTTOU to an orphaned process group
		 * are dropped (POSIX: nobody would continue it) */
		if (sig == SIGSTOP || !orphaned(p->pgid))
			stop(p, sig);
		return false;
	}
	/* a blocked signal is never ignored: its disposition may change
	 * before it is unblocked (proc_sig_take drops it if not) */
	if (!(blocked_all(p) & SIG_BIT(sig)) && d != 2)
		return d == 1;
	p->sig_info[sig - 1] = *info;
	__atomic_or_fetch(&p->sig_pending, SIG_BIT(sig), __ATOMIC_RELEASE);
	/* a wait that can be interrupted looks again */
	wake_threads(p);
	return false;
}

int proc_made(void)
{
	return __atomic_load_n(&next_pid, __ATOMIC_RELAXED) - 1;
}

int proc_fd_target(int pid, int fd, char *out, size_t size)
{
	bool was = plock();
	struct proc *p = by_pid(pid);
	int rc = 0;

	if (!p || p->state != ALIVE || fd < 0 || fd >= PROC_FILES ||
	    p->files[fd] == -1)
		rc = -AE_ENOENT;
	else if (p->files[fd] == PROC_FD_CONSOLE)
		ksnprintf(out, size, "/dev/console");
	else if (memcmp(p->lfd[fd].path, "pipe:", 5) == 0)
		ksnprintf(out, size, "pipe:[%d]", p->files[fd]);
	else if (p->lfd[fd].path[0])
		ksnprintf(out, size, "%s", p->lfd[fd].path);
	else
		ksnprintf(out, size, "anon_inode:[%d]", p->files[fd]);
	punlock(was);
	return rc;
}

bool proc_stopped(const struct proc *p)
{
	return __atomic_load_n(&p->stopping, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&p->stopped, __ATOMIC_ACQUIRE);
}

void proc_stop_point(struct proc *p)
{
	for (;;) {
		uint64_t seen = sched_wakes();
		bool was = plock(), stopped;

		if (p->stopping && !p->ending) {
			/* it stops now: its parent is told */
			p->stopping = false;
			p->stopped = true;
			p->stop_report = true;
			p->cont_report = false;
			tell_parent(p, CLD_STOPPED, p->stop_sig);
		}
		stopped = p->stopped && !p->ending;
		if (!stopped)
			__atomic_and_fetch(&p->sig_pending, ~SIG_BIT(SIGSTOP),
					   __ATOMIC_RELEASE);
		punlock(was);
		if (!stopped || sched_killed())
			return;
		/* until SIGCONT or SIGKILL wakes it */
		sched_block_unless(seen, 0);
	}
}

static void end_by(struct proc *p, int sig)
{
	proc_exit(p, PROC_SIGNALED(sig));
	if (p == proc_self())
		sched_kill(sched_self());	/* itself too, on return */
}

/* kill(2) from process self, or (NULL) from the kernel: privileged, no
 * group of its own, sender pid 0 (SI_KERNEL 0x80). */
static int kill_from(struct proc *self, int pid, int sig)
{
	struct proc *ends[PROC_MAX];
	struct proc_siginfo info = { sig, self ? 0 : 0x80,
				     self ? self->pid : 0,
				     self && !self->priv ? PROC_UID_USER : 0, 0, 0 };
	int n = 0, found = 0, denied = 0;
	bool was;

	if (!self && pid == 0)
		return -AE_EINVAL;	/* the kernel has no group */

	if (sig < 0 || sig > 64)
		return -AE_EINVAL;
	was = plock();
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = &procs[i];
		bool match;

		/* an ended process not yet waited for (a zombie) is there
		 * to kill, as on Linux: the signal does nothing */
		if (p->state != ALIVE && p->state != ENDED)
			continue;
		match = pid > 0 ? p->pid == pid :
			pid == 0 ? self && p->pgid == self->pgid :
			/* (there is no init to spare; the kernel's -1 is
			 * group 1, a console session's) */
			pid == -1 && self ? true :
			p->pgid == -pid;
		if (!match)
			continue;
		/* the same user, or privilege */
		if (self && !self->priv && p->priv) {
			denied++;
			continue;
		}
		found++;
		if (sig && p->state == ALIVE && !p->ending && post(p, sig, &info))
			ends[n++] = p;
	}
	punlock(was);
	if (found == 0)
		return denied ? -AE_EPERM : -AE_ESRCH;
	for (int i = 0; i < n; i++)
		end_by(ends[i], sig);
	return 0;
}

int proc_kill(struct proc *self, int pid, int sig)
{
	return kill_from(self, pid, sig);
}

/* A signal for thread slot k of p (tkill, tgkill): that thread's alone
 * when a handler will take it or the thread blocks it (Linux keeps it
 * pending for the thread); a default action or a stop is the whole
 * process's, and an ignored one goes, as the process's would (lock
 * held; true: it ends p). */
static bool post_thread(struct proc *p, int k, int sig,
			const struct proc_siginfo *info)
{
	uint64_t b = SIG_BIT(sig);

	if (p->state != ALIVE || p->ending)
		return false;
	if ((b & (UNBLOCKABLE | STOP_SIGS | SIG_BIT(SIGCONT))) ||
	    (disposition(p, sig) != 2 && !(p->sig_blocked[k] & b)))
		return post(p, sig, info);
	p->sig_info[sig - 1] = *info;
	p->sig_thread[k] |= b;
	thread_sigs_changed(p);
	wake_threads(p);
	return false;
}

int proc_tkill(struct proc *self, int tgid, int tid, int sig)
{
	struct proc_siginfo info = { sig, SI_TKILL, self->pid,
				     self->priv ? 0 : PROC_UID_USER, 0, 0 };
	struct proc *q = NULL;
	bool was, end = false;
	int k = -1, rc = 0;

	if (sig < 0 || sig > 64 || tid <= 0)
		return -AE_EINVAL;
	was = plock();
	for (int i = 0; i < PROC_MAX && !q; i++) {
		struct proc *c = &procs[i];

		if (c->state != ALIVE || c->ending)
			continue;
		for (int j = 0; j < PROC_THREADS; j++)
			if (c->tid[j] >= 0 &&
			    (c->ltid[j] ? c->ltid[j] : c->pid) == tid) {
				q = c;
				k = j;
				break;
			}
	}
	if (!q || (tgid > 0 && q->pid != tgid))
		rc = -AE_ESRCH;	/* no such thread (in that group) */
	else if (!self->priv && q->priv)
		rc = -AE_EPERM;
	else if (sig)
		end = post_thread(q, k, sig, &info);
	punlock(was);
	if (end)
		end_by(q, sig);
	return rc;
}

int proc_signal_as_kernel(int pid, int sig)
{
	struct proc_signal_req q = { pid, sig };

	return call_proc_signal(&q);
}

/* proc.signal (m): from a kernel service only */
static int signal_req(const struct bus_msg *m)
{
	struct proc_signal_req q;
	bool was = plock(), user = false;

	for (int i = 0; i < PROC_MAX; i++)
		if (procs[i].state != FREE && procs[i].svc == (int)m->src)
			user = true;
	punlock(was);
	if (user)
		return -AE_EPERM;
	if (m->len != sizeof(q))
		return -AE_EINVAL;
	memcpy(&q, m->data, sizeof(q));
	return kill_from(NULL, q.pid, q.sig);
}

int proc_sigqueue(struct proc *self, int pid, int sig,
		  const struct proc_siginfo *info)
{
	struct proc_siginfo i = *info;
	struct proc *p;
	bool was, end = false;

	if (sig < 0 || sig > 64)
		return -AE_EINVAL;
	if (pid <= 0)
		return -AE_ESRCH;
	i.sig = sig;
	was = plock();
	p = by_pid(pid);
	if (!p || p->state != ALIVE) {
		punlock(was);
		return -AE_ESRCH;
	}
	if (!self->priv && p->priv) {	/* kill(2)'s rule */
		punlock(was);
		return -AE_EPERM;
	}
	if (sig)
		end = post(p, sig, &i);
	punlock(was);
	if (end)
		end_by(p, sig);
	return 0;
}

void proc_altstack(struct proc *p, const struct HalAltStack *set,
		   struct HalAltStack *old)
{
	bool was = plock();

	if (old)
		*old = p->altstack;
	if (set)
		p->altstack = *set;
	punlock(was);
}

/* ---- nice values ---------------------------------------------------------- */

static uint32_t uid_of(const struct proc *p)
{
	return p->priv ? 0 : PROC_UID_USER;
}

/* whether q is one of which/who as self names them (the lock held) */
static bool prio_match(const struct proc *self, const struct proc *q,
		       int which, int who)
{
	if (q->state != ALIVE || q->ending)
		return false;
	switch (which) {
	case PROC_PRIO_PROCESS:
		return q->pid == (who ? who : self->pid);
	case PROC_PRIO_PGRP:
		return q->pgid == (who ? who : self->pgid);
	default:
		return uid_of(q) == (who ? (uint32_t)who : uid_of(self));
	}
}

int proc_nice_get(struct proc *self, int which, int who, int *nice)
{
	bool was, found = false;
	int best = 20;

	if (which < PROC_PRIO_PROCESS || which > PROC_PRIO_USER)
		return -AE_EINVAL;
	was = plock();
	for (int i = 0; i < PROC_MAX; i++)
		if (prio_match(self, &procs[i], which, who)) {
			found = true;
			if (procs[i].nice < best)
				best = procs[i].nice;
		}
	punlock(was);
	if (!found)
		return -AE_ESRCH;
	*nice = best;
	return 0;
}

int proc_nice_set(struct proc *self, int which, int who, int nice)
{
	bool was, found = false;
	int rc = 0;

	if (which < PROC_PRIO_PROCESS || which > PROC_PRIO_USER)
		return -AE_EINVAL;
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	was = plock();
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *q = &procs[i];

		if (!prio_match(self, q, which, who))
			continue;
		found = true;
		/* Linux's set_one_prio: another user's process, then a
		 * lower nice, each refused without privilege */
		if (!self->priv && uid_of(q) != uid_of(self))
			rc = -AE_EPERM;
		else if (!self->priv && nice < q->nice)
			rc = -AE_EACCES;
		else
			q->nice = nice;
	}
	punlock(was);
	return found ? rc : -AE_ESRCH;
}

bool proc_membarrier(struct proc *p, bool register_it)
{
	if (register_it)
		__atomic_store_n(&p->membarrier, true, __ATOMIC_RELEASE);
	return __atomic_load_n(&p->membarrier, __ATOMIC_ACQUIRE);
}

int proc_nice(const struct proc *p)
{
	return p->nice;
}

/* ---- timers --------------------------------------------------------------- */

/* Whether any timer may be armed: the timer tick looks only then. */
static bool timers_armed;

static uint64_t cpu_now(const struct proc *p)
{
	uint64_t ns = 0;

	for (int k = 0; k < PROC_THREADS; k++)
		if (p->tid[k] >= 0)
			ns += sched_cpu_ns(p->tid[k]);
	return ns;
}

static uint64_t now_of(const struct proc *p, const struct ptimer *t)
{
	return t->cpu ? cpu_now(p) : clock_ns();
}

/* t's value and interval left now (the lock held): an armed timer that
 * is due says 1 ns, as Linux's never says 0 for one */
static void timer_left(const struct proc *p, const struct ptimer *t,
		       uint64_t out[2])
{
	uint64_t now = now_of(p, t);

	out[0] = !t->deadline ? 0 : t->deadline > now ? t->deadline - now : 1;
	out[1] = t->interval;
}

static void timer_arm(struct ptimer *t, uint64_t at, uint64_t interval)
{
	t->deadline = at;
	t->interval = at ? interval : 0;
	t->overrun = 0;
	if (at)
		__atomic_store_n(&timers_armed, true, __ATOMIC_RELEASE);
}

int proc_itimer(struct proc *p, int which, const uint64_t *set,
		uint64_t old[2])
{
	static const int sigs[3] = { SIGALRM, SIGVTALRM, SIGPROF };
	struct ptimer *t;
	bool was;

	if (which < PROC_ITIMER_REAL || which > PROC_ITIMER_PROF)
		return -AE_EINVAL;
	was = plock();
	t = &p->itimer[which];
	t->cpu = which != PROC_ITIMER_REAL;
	t->sig = sigs[which];
	if (old)
		timer_left(p, t, old);
	if (set)
		timer_arm(t, set[0] ? now_of(p, t) + set[0] : 0, set[1]);
	punlock(was);
	return 0;
}

int proc_timer_create(struct proc *p, int clock, int sig, uint64_t value,
		      bool value_is_id, int *id)
{
	bool was = plock();

	for (int i = 0; i < PROC_TIMERS; i++)
		if (!p->timer[i].used) {
			memset(&p->timer[i], 0, sizeof(p->timer[i]));
			p->timer[i].used = true;
			p->timer[i].clock = clock;
			p->timer[i].sig = sig;
			p->timer[i].value = value_is_id ? (uint64_t)i : value;
			*id = i;
			punlock(was);
			return 0;
		}
	punlock(was);
	return -AE_EAGAIN;
}

static struct ptimer *timer_of(struct proc *p, int id)
{
	return id >= 0 && id < PROC_TIMERS && p->timer[id].used ?
	       &p->timer[id] : NULL;
}

int proc_timer_set(struct proc *p, int id, uint64_t at, uint64_t interval,
		   uint64_t old[2])
{
	bool was = plock();
	struct ptimer *t = timer_of(p, id);

	if (t) {
		if (old)
			timer_left(p, t, old);
		/* a time already past is due at the next tick */
		timer_arm(t, at, interval);
	}
	punlock(was);
	return t ? 0 : -AE_EINVAL;
}

int proc_timer_clock(struct proc *p, int id)
{
	bool was = plock();
	struct ptimer *t = timer_of(p, id);
	int c = t ? t->clock : -AE_EINVAL;

	punlock(was);
	return c;
}

int proc_timer_get(struct proc *p, int id, uint64_t cur[2])
{
	bool was = plock();
	struct ptimer *t = timer_of(p, id);

	if (t)
		timer_left(p, t, cur);
	punlock(was);
	return t ? 0 : -AE_EINVAL;
}

int proc_timer_overrun(struct proc *p, int id)
{
	bool was = plock();
	struct ptimer *t = timer_of(p, id);
	int n = t ? t->overrun_last : -AE_EINVAL;

	punlock(was);
	return n;
}

int proc_timer_delete(struct proc *p, int id)
{
	bool was = plock();
	struct ptimer *t = timer_of(p, id);

	if (t)
		memset(t, 0, sizeof(*t));
	punlock(was);
	return t ? 0 : -AE_EINVAL;
}

/* t of p is due at now: the next deadline, and its signal (the lock
 * held). id: timer_create's, or -1 for an interval timer. Returns true
 * when the signal's default action ends p. */
static bool timer_fire(struct proc *p, struct ptimer *t, int id,
		       uint64_t now)
{
	struct proc_siginfo info = { t->sig, SI_KERNEL, 0, 0, 0, 0 };
	struct proc_siginfo *pend;
	uint64_t n = 1;

	if (t->interval) {
		n += (now - t->deadline) / t->interval;
		t->deadline += n * t->interval;
	} else {
		t->deadline = 0;
	}
	if (!t->sig)
		return false;	/* SIGEV_NONE: timer_gettime shows it */
	if (id < 0)
		return post(p, t->sig, &info);
	pend = &p->sig_info[t->sig - 1];
	if ((p->sig_pending & SIG_BIT(t->sig)) && pend->code == SI_TIMER &&
	    pend->pid == id) {
		/* its signal is still pending: one more overrun */
		uint64_t o = (uint64_t)t->overrun + n;

		t->overrun = o > 0x7fffffff ? 0x7fffffff : (int32_t)o;
		pend->uid = (uint32_t)t->overrun;
		t->overrun_last = t->overrun;
		return false;
	}
	t->overrun = n - 1 > 0x7fffffff ? 0x7fffffff : (int32_t)(n - 1);
	t->overrun_last = t->overrun;
	info.code = SI_TIMER;
	info.pid = id;
	info.uid = (uint32_t)t->overrun;
	info.value = t->value;
	return post(p, t->sig, &info);
}

/* The timer tick: every due timer fires. */
static void timers_tick(void)
{
	struct proc *ends[PROC_MAX];
	int sigs[PROC_MAX], n = 0;
	bool was, armed = false;
	uint64_t now;

	if (!__atomic_load_n(&timers_armed, __ATOMIC_ACQUIRE))
		return;
	was = plock();
	now = clock_ns();
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = &procs[i];
		int end = 0;

		if (p->state != ALIVE || p->ending)
			continue;
		for (int k = 0; k < 3 + PROC_TIMERS; k++) {
			struct ptimer *t = k < 3 ? &p->itimer[k] :
					   &p->timer[k - 3];

			if (!t->deadline)
				continue;
			if (t->deadline <= (t->cpu ? cpu_now(p) : now) &&
			    timer_fire(p, t, k < 3 ? -1 : k - 3,
				       t->cpu ? cpu_now(p) : now) && !end)
				end = t->sig;
			armed |= t->deadline != 0;
		}
		if (end) {
			ends[n] = p;
			sigs[n++] = end;
		}
	}
	__atomic_store_n(&timers_armed, armed, __ATOMIC_RELEASE);
	punlock(was);
	for (int i = 0; i < n; i++)
		end_by(ends[i], sigs[i]);
}

void proc_signal(struct proc *p, int sig)
{
	struct proc_siginfo info = { sig, 0, p->pid,
				     p->priv ? 0 : PROC_UID_USER, 0, 0 };
	bool was = plock(), end = post(p, sig, &info);

	punlock(was);
	if (end)
		end_by(p, sig);
}

bool proc_sig_fault(struct proc *p, int sig, int code, uint64_t addr)
{
	bool was = plock(), caught;
	uint64_t h = p->sigact[sig - 1].handler;

	caught = h != PROC_SIG_DFL && h != PROC_SIG_IGN &&
		 !(p->sig_blocked[self_slot(p)] & SIG_BIT(sig)) &&
		 p->state == ALIVE && !p->ending;
	if (caught) {
		struct proc_siginfo i = { sig, code, 0, 0, 0, addr };

		p->sig_info[sig - 1] = i;
		__atomic_or_fetch(&p->sig_pending, SIG_BIT(sig),
				  __ATOMIC_RELEASE);
	}
	punlock(was);
	return caught;
}

int proc_sigaction(struct proc *p, int sig, const struct proc_sigact *act,
		   struct proc_sigact *old)
{
	bool was;

	if (sig < 1 || sig > 64 || (act && (sig == SIGKILL || sig == SIGSTOP)))
		return -AE_EINVAL;
	was = plock();
	if (old)
		*old = p->sigact[sig - 1];
	if (act) {
		p->sigact[sig - 1] = *act;
		p->sigact[sig - 1].mask &= ~UNBLOCKABLE;
		if (disposition(p, sig) == 0)
			__atomic_and_fetch(&p->sig_pending, ~SIG_BIT(sig),
					   __ATOMIC_RELEASE);
	}
	punlock(was);
	return 0;
}

int proc_sigmask(struct proc *p, int how, const uint64_t *set,
		 uint64_t *old)
{
	bool was;
	int k;

	if (set && (how < 0 || how > 2))
		return -AE_EINVAL;
	was = plock();
	k = self_slot(p);
	if (old)
		*old = p->sig_blocked[k];
	if (set) {
		uint64_t b = how == 0 ? p->sig_blocked[k] | *set :
			     how == 1 ? p->sig_blocked[k] & ~*set : *set;

		__atomic_store_n(&p->sig_blocked[k], b & ~UNBLOCKABLE,
				 __ATOMIC_RELEASE);
	}
	punlock(was);
	return 0;
}

uint64_t proc_sigpending(struct proc *p)
{
	/* (SIGSTOP's bit marks a stop to come: never a pending signal);
	 * the calling thread's own too */
	return (__atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE) |
		__atomic_load_n(&p->sig_thread[self_slot(p)],
				__ATOMIC_ACQUIRE)) & ~SIG_BIT(SIGSTOP);
}

bool proc_sig_due(const struct proc *p)
{
	uint64_t pending = __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE);
	int k;

	/* (every Linux call asks: the thread's slot only when something
	 * is pending) */
	if (!pending && !__atomic_load_n(&p->sig_tany, __ATOMIC_ACQUIRE))
		return false;
	k = self_slot(p);
	pending |= __atomic_load_n(&p->sig_thread[k], __ATOMIC_ACQUIRE);
	return pending & ~__atomic_load_n(&p->sig_blocked[k],
					  __ATOMIC_ACQUIRE);
}

/* sig_tany again, after a thread's own set changed (lock held) */
static void thread_sigs_changed(struct proc *p)
{
	uint64_t any = 0;

	for (int k = 0; k < PROC_THREADS; k++)
		any |= p->sig_thread[k];
	__atomic_store_n(&p->sig_tany, any, __ATOMIC_RELEASE);
}

int proc_sig_take(struct proc *p, struct proc_sigact *act,
		  struct proc_siginfo *info, uint64_t *old_mask)
{
	bool was = plock();
	int k = self_slot(p);

	for (;;) {
		/* the thread's own first, as Linux takes them */
		uint64_t own = p->sig_thread[k] & ~p->sig_blocked[k];
		uint64_t due = own ? own : p->sig_pending & ~p->sig_blocked[k];
		uint64_t b;
		int sig, d;

		if (!due) {
			punlock(was);
			return 0;
		}
		sig = __builtin_ctzll(due) + 1;
		b = SIG_BIT(sig);
		if (own) {
			p->sig_thread[k] &= ~b;
			thread_sigs_changed(p);
		} else if (sig == SIGSTOP && (p->stopping || p->stopped)) {
			punlock(was);
			return PROC_SIG_STOPPED;	/* the stop point first */
		} else {
			__atomic_and_fetch(&p->sig_pending, ~b,
					   __ATOMIC_RELEASE);
		}
		d = disposition(p, sig);
		if (d == 0 && (STOP_SIGS & b) && p->is_linux &&
		    p->sigact[sig - 1].handler == PROC_SIG_DFL &&
		    !orphaned(p->pgid)) {
			/* a stop signal blocked until now */
			stop(p, sig);
			punlock(was);
			return PROC_SIG_STOPPED;
		}
		if (d == 0)
			continue;
		*act = p->sigact[sig - 1];
		*info = p->sig_info[sig - 1];
		*old_mask = p->sig_suspended[k] ? p->sig_saved[k] :
						  p->sig_blocked[k];
		if (d == 2) {
			uint64_t nb = *old_mask | act->mask |
				      (act->flags & PROC_SA_NODEFER ? 0 : b);

			p->sig_suspended[k] = false;
			__atomic_store_n(&p->sig_blocked[k],
					 nb & ~UNBLOCKABLE, __ATOMIC_RELEASE);
			if (act->flags & PROC_SA_RESETHAND)
				p->sigact[sig - 1].handler = PROC_SIG_DFL;
		} else {
			act->handler = PROC_SIG_DFL;	/* it ends p */
		}
		punlock(was);
		return sig;
	}
}

int proc_sig_take_set(struct proc *p, uint64_t set,
		      struct proc_siginfo *info)
{
	bool was = plock();
	int k = self_slot(p);
	uint64_t own = p->sig_thread[k] & set & ~UNBLOCKABLE;
	uint64_t in = own ? own : p->sig_pending & set & ~UNBLOCKABLE;
	int sig = 0;

	if (in) {
		sig = __builtin_ctzll(in) + 1;
		*info = p->sig_info[sig - 1];
		if (own) {
			p->sig_thread[k] &= ~SIG_BIT(sig);
			thread_sigs_changed(p);
		} else {
			__atomic_and_fetch(&p->sig_pending, ~SIG_BIT(sig),
					   __ATOMIC_RELEASE);
		}
	}
	punlock(was);
	return sig;
}

void proc_sig_suspend(struct proc *p, uint64_t mask)
{
	bool was = plock();
	int k = self_slot(p);

	if (!p->sig_suspended[k]) {
		p->sig_saved[k] = p->sig_blocked[k];
		p->sig_suspended[k] = true;
	}
	__atomic_store_n(&p->sig_blocked[k], mask & ~UNBLOCKABLE,
			 __ATOMIC_RELEASE);
	punlock(was);
}

void proc_sig_unsuspend(struct proc *p)
{
	bool was = plock();
	int k = self_slot(p);

	if (p->sig_suspended[k]) {
		p->sig_suspended[k] = false;
		__atomic_store_n(&p->sig_blocked[k], p->sig_saved[k],
				 __ATOMIC_RELEASE);
	}
	punlock(was);
}

void proc_set_name(struct proc *p, const char *name)
{
	bool was = plock();

	memset(p->name, 0, sizeof(p->name));
	memcpy(p->name, name, strnlen(name, sizeof(p->name) - 1));
	punlock(was);
}

void proc_name(const struct proc *p, char out[PROC_NAME_MAX])
{
	memcpy(out, p->name, PROC_NAME_MAX);
}

/* ---- waiting for children --------------------------------------------- */

static void release_slot(struct proc *p)
{
	memset(p, 0, sizeof(*p));
	p->state = FREE;
}

static int wait_child(struct proc *p, int pid, int pgid, int32_t *code,
		      unsigned int flags);

int proc_wait4(struct proc *p, int pid, int32_t *code, bool nohang)
{
	return proc_wait_child(p, pid, false, PROC_W_EXITED |
			       (nohang ? PROC_W_NOHANG : 0), code);
}

int proc_wait_group(struct proc *p, int pgid, int32_t *code, bool nohang)
{
	return proc_wait_child(p, pgid, true, PROC_W_EXITED |
			       (nohang ? PROC_W_NOHANG : 0), code);
}

int proc_wait_child(struct proc *p, int pid, bool group, unsigned int flags,
		    int32_t *code)
{
	/* pid 0: a child in the caller's group; below -1: in group -pid */
	if (group)
		return wait_child(p, -1, pid ? pid : p->pgid, code, flags);
	return wait_child(p, pid, pid == 0 ? p->pgid : pid < -1 ? -pid : 0,
			  code, flags);
}

/* A child of p that has ended (PROC_W_EXITED), stopped or gone on (as
 * flags ask): pid > 0 that one, else any; pgid, if not 0, in that
 * group. */
static int wait_child(struct proc *p, int pid, int pgid, int32_t *code,
		      unsigned int flags)
{
	bool nohang = flags & PROC_W_NOHANG;
	bool was = plock();

	for (;;) {
		struct proc *found = NULL;
		bool any = false;
		int me = sched_self(), rc;

		for (int i = 0; i < PROC_MAX && !found; i++) {
			struct proc *c = &procs[i];

			if (c->state == FREE || c->parent != p->pid ||
			    (pid > 0 && c->pid != pid) ||
			    (pgid && c->pgid != pgid))
				continue;
			any = true;
			if (c->state == ENDED && (flags & PROC_W_EXITED))
				found = c;
			else if (c->state == ALIVE && c->stop_report &&
				 (flags & PROC_W_STOPPED)) {
				if (!(flags & PROC_W_NOWAIT))
					c->stop_report = false;
				*code = PROC_STOPPED_CODE(c->stop_sig);
				rc = c->pid;
				punlock(was);
				return rc;
			} else if (c->state == ALIVE && c->cont_report &&
				   (flags & PROC_W_CONTINUED)) {
				if (!(flags & PROC_W_NOWAIT))
					c->cont_report = false;
				*code = PROC_CONTINUED_CODE;
				rc = c->pid;
				punlock(was);
				return rc;
			}
		}
		if (!any) {
			punlock(was);
			return -AE_ECHILD;
		}
		if (found) {
			*code = found->exit_code;
			rc = found->pid;
			if (!(flags & PROC_W_NOWAIT))
				release_slot(found);
			punlock(was);
			return rc;
		}
		if (nohang || sched_killed()) {
			punlock(was);
			return nohang ? 0 : -AE_EINTR;
		}
		if (proc_sig_due(p)) {	/* a handler first: SA_RESTART */
			punlock(was);
			return -LINUX_ERESTARTSYS;
		}
		/* a child's end between here and the block counts */
		p->waiting |= bit(me);
		punlock(was);
		sched_block(0);
		was = plock();
		p->waiting &= ~bit(me);
	}
}

bool proc_alive(const struct proc *p, int pid)
{
	bool was = plock(), alive;
	struct proc *c = by_pid(pid);

	alive = c && c->parent == p->pid &&
		(c->state == ALIVE || c->state == LOADING) && !c->execed;
	punlock(was);
	return alive;
}

void proc_wait_vfork(struct proc *p, int pid)
{
	int me = sched_self();
	bool was = plock();

	while (!sched_killed()) {
		struct proc *c = by_pid(pid);

		if (!c || c->parent != p->pid || c->execed ||
		    (c->state != ALIVE && c->state != LOADING))
			break;
		p->waiting |= bit(me);
		punlock(was);
		sched_block(0);
		was = plock();
		p->waiting &= ~bit(me);
	}
	punlock(was);
}

int proc_wait(struct proc *p, int pid, int32_t *code, uint64_t timeout_ns)
{
	uint64_t end = clock_ns() + timeout_ns;
	bool was = plock();
	struct proc *c = by_pid(pid);

	if (!c || c->parent != p->pid) {
		punlock(was);
		return -AE_ECHILD;
	}
	while (c->state != ENDED) {
		uint64_t now = clock_ns();
		int me = sched_self();

		if ((timeout_ns && now >= end) || sched_killed()) {
			punlock(was);
			return -AE_ETIMEDOUT;
		}
		p->waiting |= bit(me);
		punlock(was);
		sched_block(timeout_ns ? end - now : 0);
		was = plock();
		p->waiting &= ~bit(me);
		c = by_pid(pid);	/* another thread may have reaped it */
		if (!c || c->parent != p->pid) {
			punlock(was);
			return -AE_ECHILD;
		}
	}
	*code = c->exit_code;
	release_slot(c);
	punlock(was);
	return pid;
}

/* ---- the end of a process ------------------------------------------- */

/* Every thread of p but the caller is to end now; code is the process's
 * exit code. */
void proc_exit(struct proc *p, int code)
{
	bool was = plock();

	if (!p->ending) {	/* the first word stands (exit, or a fault) */
		p->ending = true;
		p->exit_code = code;
		for (int k = 0; k < PROC_THREADS; k++)
			if (p->tid[k] >= 0 && p->tid[k] != sched_self())
				sched_kill(p->tid[k]);
	}
	punlock(was);
}

/* the lock held */
static void topic_held(struct proc *p, int topic, bool made)
{
	if (topic < 0 || topic >= BUS_TOPIC_MAX)
		return;
	p->topics[topic / 64] |= 1ull << (topic % 64);
	if (made)
		made_topics[topic / 64] |= 1ull << (topic % 64);
}

void proc_topic_held(struct proc *p, int topic, bool made)
{
	bool was = plock();

	topic_held(p, topic, made);
	punlock(was);
}

/*
 * Free the topics processes made that no live process holds any more
 * (orphans). Lazily: only when a process needs room for a new topic, so
 * an ended program's topics keep their names and counters in /sys and
 * the profiler until the room is wanted. One with a message still
 * queued on it stays for the next time. Returns how many were freed.
 */
int proc_reclaim_topics(void)
{
	int n = 0;

	for (unsigned int w = 0; w < BUS_TOPIC_MAX / 64; w++) {
		bool was = plock();
		uint64_t left = made_topics[w], gone = 0;

		for (int i = 0; i < PROC_MAX; i++)
			if (procs[i].state == ALIVE || procs[i].state == LOADING)
				left &= ~procs[i].topics[w];
		punlock(was);
		/* (the bus frees only a topic nothing uses, so one a process
		 * looked up meanwhile stays) */
		for (; left; left &= left - 1) {
			unsigned int t = w * 64 + (unsigned int)
					 __builtin_ctzll(left);
			int rc = bus_topic_free((bus_topic_t)t);

			if (rc == 0 || rc == -AE_EINVAL || rc == -AE_EPERM)
				gone |= 1ull << (t % 64);
			n += rc == 0;
		}
		was = plock();
		made_topics[w] &= ~gone;
		punlock(was);
	}
	return n;
}

/* A thread has ended (the dispatcher runs this). With its last thread
 * the process ends: close its files, take its service off the bus, give
 * its address space back, tell its parent and the rest of the kernel. */
static void reaped(void *owner, int tid, int code)
{
	struct proc *p = owner, *parent, *end = NULL;
	int end_sig = 0;
	struct proc_exit_event ev;
	int files[PROC_FILES], svc;
	uint32_t as_id;
	bool was = plock();

	for (int k = 0; k < PROC_THREADS; k++)
		if (p->tid[k] == tid) {
			p->tid[k] = -1;
			p->ltid[k] = 0;
			p->clear_tid[k] = 0;
			p->sig_thread[k] = 0;	/* its own go with it */
		}
	if (--p->nthreads > 0) {
		punlock(was);
		return;
	}
	/* Its last thread: no thread of it runs or calls now. What goes
	 * back through the bus is given back without the lock, before the
	 * process counts as ENDED (a parent that waited for it finds
	 * everything it held returned). */
	if (!p->ending)
		p->exit_code = code;	/* the last thread's */
	code = p->exit_code;
	memcpy(files, p->files, sizeof(files));
	svc = p->svc;
	as_id = p->as_id;
	p->as_id = 0;	/* (before mm may give the id to another: procfs
			 * checks it did not change under its read) */
	p->as_gen++;
	p->svc = -1;
	for (int fd = 0; fd < PROC_FILES; fd++)
		p->files[fd] = -1;
	memset(&ev, 0, sizeof(ev));
	ev.pid = p->pid;
	ev.code = code;
	memcpy(ev.name, p->name, sizeof(ev.name));
	punlock(was);
	for (int fd = 0; fd < PROC_FILES; fd++)
		if (files[fd] >= 0)
			node_close(files[fd]);
	if (svc >= 0)
		bus_svc_remove((bus_svc_t)svc);
	if (mm_as_destroy(as_id))
		kprintf("proc: %s: its address space was not released\n",
			ev.name);
	was = plock();
	p->state = ENDED;
	memset(p->topics, 0, sizeof(p->topics));	/* it holds none now */
	/* its children no longer have a parent to wait for them */
	for (int i = 0; i < PROC_MAX; i++)
		if (procs[i].state != FREE && procs[i].parent == p->pid) {
			procs[i].parent = 0;
			if (procs[i].state == ENDED)
				release_slot(&procs[i]);
		}
	parent = p->parent ? by_pid(p->parent) : NULL;
	if (parent && parent->state == ALIVE) {
		int sig = p->exit_signal;
		/* CLD_KILLED 2 with the signal, CLD_EXITED 1 with the code */
		struct proc_siginfo info = {
			sig, PROC_SIGNAL_OF(code) ? 2 : 1, p->pid,
			p->priv ? 0 : PROC_UID_USER,
			PROC_SIGNAL_OF(code) ? PROC_SIGNAL_OF(code) : code & 0xff,
			0 };

		wake_all(parent->waiting);
		if (sig > 0 && sig <= 64 && post(parent, sig, &info)) {
			end = parent;
			end_sig = sig;
		}
	} else {
		release_slot(p);	/* nobody will wait for it */
	}
	punlock(was);
	if (end)
		end_by(end, end_sig);
	bus_publish(TOPIC_PROC_EXIT, BUS_PRIO_DEFAULT, &ev, sizeof(ev));
}

/* ---- loading ---------------------------------------------------------- */

static const void *initrd(size_t *len)
{
	return kernel_initrd(len);
}

/* Copy len bytes to user address va of address space id (mapped; the
 * loader fills pages it made read-only too). A copy-on-write page gets
 * the space its own frame first: the old one is another's as well. */
static int fill(uint32_t id, uint64_t va, const uint8_t *src, uint64_t len)
{
	uint64_t off = hal_direct_map().offset;

	while (len) {
		uint64_t pa, n = PAGE - (va & (PAGE - 1));
		uint32_t prot;
		int rc;

		if (n > len)
			n = len;
		rc = mm_as_query(id, va & ~(PAGE - 1), &pa, &prot);
		if (!rc && (prot & HAL_PROT_COW)) {
			rc = mm_as_fault(id, va & ~(PAGE - 1),
					 HAL_PROT_READ | HAL_PROT_WRITE);
			if (!rc)
				rc = mm_as_query(id, va & ~(PAGE - 1), &pa,
						 &prot);
			if (!rc && (prot & HAL_PROT_COW))
				rc = -AE_EAGAIN;	/* marked again */
		}
		if (rc)
			return rc;
		memcpy((void *)(uintptr_t)(pa + (va & (PAGE - 1)) + off), src,
		       n);
		va += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* A Linux program's signal page (docs/LINUX_ABI.md: Signals), the page
 * above its stack: read and execute, holding the code a handler returns
 * to when its sigaction named no restorer: rt_sigreturn. */
static int sigpage(uint32_t id, uint64_t va)
{
	uint32_t len;
	const uint8_t *code = hal_linux_sigreturn_code(&len);
	int rc = mm_as_map(id, va, PAGE, HAL_PROT_READ | HAL_PROT_WRITE |
			   HAL_PROT_USER);

	if (!rc)
		rc = fill(id, va, code, len);
	if (!rc)
		rc = mm_as_protect(id, va, PAGE, HAL_PROT_READ | HAL_PROT_EXEC |
				   HAL_PROT_USER);
	return rc;
}

uint64_t proc_sigpage(void)
{
	return hal_mmu_user_range().hi - PAGE;
}

/* The image's segments in address space id: mapped, filled from the file
 * image img, and given their protection. */
static int load_segments(uint32_t id, const struct elf_image *im,
			 const uint8_t *img)
{
	int rc = 0;

	for (uint32_t i = 0; i < im->nseg && !rc; i++) {
		const struct elf_seg *s = &im->seg[i];
		uint64_t a = s->vaddr & ~(PAGE - 1);
		uint64_t b = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
		uint32_t prot = HAL_PROT_USER |
			(s->prot & ELF_PROT_R ? HAL_PROT_READ : 0) |
			(s->prot & ELF_PROT_W ? HAL_PROT_WRITE : 0) |
			(s->prot & ELF_PROT_X ? HAL_PROT_EXEC : 0);

		rc = mm_as_map(id, a, b - a, HAL_PROT_READ | HAL_PROT_WRITE |
			       HAL_PROT_USER);
		if (!rc)
			rc = fill(id, s->vaddr, img + s->offset, s->filesz);
		/* write-and-execute is refused: text becomes r-x here */
		if (!rc)
			rc = mm_as_protect(id, a, b - a, prot);
	}
	return rc;
}

/* A stack under stack_top in space id, and a Linux program's signal
 * page above it. */
static int load_stack(uint32_t id, const struct elf_image *im,
		      uint64_t stack_top, uint64_t stack_size)
{
	int rc = mm_as_map(id, stack_top - stack_size, stack_size,
			   HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_USER);

	if (!rc && im->abi == ELF_ABI_LINUX)
		rc = sigpage(id, stack_top);
	return rc;
}

/* The image's segments and a stack in address space id. */
static int load(uint32_t id, const struct elf_image *im, const uint8_t *img,
		uint64_t stack_top, uint64_t stack_size)
{
	int rc = load_segments(id, im, img);

	return rc ? rc : load_stack(id, im, stack_top, stack_size);
}

/* A Linux program's start (aegis/linux.h): its name and arguments, a
 * small environment, and the auxiliary vector, copied under top; the stack
 * pointer it starts with. In the proc service's handler only (one at a
 * time): the buffer is static. */
/* The start stack of a Linux program (argv, envp, the auxiliary vector)
 * built in buf (size bytes) and copied under top in space id. */
static int linux_start_env(uint32_t id, const struct elf_image *im,
			   const char *const *argv, unsigned int argc,
			   const char *const *envp, unsigned int envc,
			   const char *execfn, bool priv, int pid, uint64_t top,
			   uint8_t *buf, size_t size, uint64_t *sp)
{
	struct linux_start s = {
		argv, argc, envp, envc, execfn, hal_arch_name(), im->phdr,
		im->phent, im->phnum, im->entry, priv ? 0 : 1000,
		priv ? 0 : 1000, 0, { 0 } };
	uint64_t x = hal_cycles() ^ (uint64_t)pid << 32;
	int rc;

	memset(buf, 0, size);	/* its gaps carry nothing of the last */
	/* AT_RANDOM: from the cycle counter (splitmix64), not a source of
	 * secrets (docs/LINUX_ABI.md) */
	for (unsigned int i = 0; i < sizeof(s.random); i += 8) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(s.random + i, &z, 8);
	}
	rc = linux_stack(&s, top, buf, size, sp);
	if (rc)
		return rc;
	return fill(id, *sp, buf + size - (top - *sp), top - *sp);
}

static int linux_start(uint32_t id, const struct elf_image *im,
		       const char *const *argv, unsigned int argc, bool priv,
		       int pid, uint64_t top, uint64_t *sp)
{
	static uint8_t buf[4096] __attribute__((aligned(16)));
	static const char *const envp[] = { "HOME=/", "TERM=vt100" };

	return linux_start_env(id, im, argv, argc, envp, 2, argv[0], priv, pid,
			       top, buf, sizeof(buf), sp);
}

static void svc_name(char *out, size_t size, const struct proc *p)
{
	char clean[PROC_NAME_MAX];
	size_t i;

	for (i = 0; p->name[i] && i < sizeof(clean) - 1; i++) {
		char c = p->name[i];

		clean[i] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '-') ? c : '_';
	}
	clean[i] = '\0';
	ksnprintf(out, size, "%s-%s-%d", p->priv ? "root" : "user", clean,
		  p->pid);
}

/* ---- quotas ------------------------------------------------------------ */

static unsigned int live(int parent)
{
	unsigned int n = 0;

	for (int i = 0; i < PROC_MAX; i++)
		n += procs[i].state != FREE &&	/* ended, not waited for:
						 * its slot is still taken */
		     (parent < 0 || procs[i].parent == parent);
	return n;
}

/* Without privilege: the slots and threads left to privilege stay free,
 * and a parent has at most PROC_CHILDREN_MAX children alive. */
static const char *spawn_quota(const struct proc_spawn_req *q)
{
	if (q->flags & PROC_SPAWN_PRIV)
		return NULL;
	if (live(-1) + PROC_RESERVE_PROCS >= PROC_MAX)
		return "the process slots left are privileged ones";
	if (q->parent && live(q->parent) >= PROC_CHILDREN_MAX)
		return "its parent has as many children as it may";
	if (sched_threads_free() <= PROC_RESERVE_THREADS)
		return "the thread slots left are privileged ones";
	return NULL;
}

int proc_charge(struct proc *p, enum proc_quota what, int64_t n)
{
	static const int64_t max[] = { PROC_PAGES_MAX, PROC_TOPICS_MAX,
				       PROC_SUBS_MAX };
	struct mm_stats ms;
	int rc = 0;
	bool was = plock();

	/* charged at once, so that sibling threads charging together
	 * cannot pass the limit between them */
	if (n > 0 && !p->priv && p->held[what] + n > max[what])
		rc = what == PROC_Q_PAGES ? -AE_ENOMEM : -AE_ENOSPC;
	else
		p->held[what] += n;
	if (p->held[what] < 0)
		p->held[what] = 0;
	punlock(was);
	if (rc || n <= 0 || p->priv)
		return rc;
	/* what the whole system has left (bus calls: without the lock) */
	if (what == PROC_Q_PAGES &&
	    (mm_get_stats(&ms) ||
	     ms.free_pages < (uint64_t)n + PROC_RESERVE_PAGES))
		rc = -AE_ENOMEM;
	if (what == PROC_Q_TOPICS &&
	    bus_topic_used() + n + PROC_RESERVE_TOPICS > BUS_TOPIC_MAX &&
	    (proc_reclaim_topics() == 0 || bus_topic_used() + n +
	     PROC_RESERVE_TOPICS > BUS_TOPIC_MAX))
		rc = -AE_ENOSPC;
	if (rc) {
		was = plock();
		p->held[what] -= n;
		if (p->held[what] < 0)
			p->held[what] = 0;
		punlock(was);
	}
	return rc;
}

/* The arguments q lends (its grant, for the request m) split into
 * argv[1..] after name: their count with argv filled, or an error said
 * on the console. Each is a NUL-terminated string of the copy in buf. */
static int spawn_args(const struct proc_spawn_req *q,
		      const struct bus_msg *m, const char *name, char *buf,
		      const char **argv)
{
	const char *src;
	int rc, argc = 1;

	argv[0] = name;
	if (!q->args)
		return q->args_len ? -AE_EINVAL : 1;
	if (q->args_len == 0 || q->args_len > PROC_ARGS_MAX)
		return -AE_E2BIG;
	src = bus_grant_buf(m, q->args, q->args_len, BUS_GRANT_READ, &rc);
	if (!src)
		return rc;
	memcpy(buf, src, q->args_len);
	if (buf[q->args_len - 1] != '\0') {
		kprintf("proc: %s: arguments that do not end in NUL\n", name);
		return -AE_EINVAL;
	}
	for (uint32_t i = 0; i < q->args_len; i += (uint32_t)strlen(buf + i) + 1) {
		if (argc == PROC_ARGC_MAX) {
			kprintf("proc: %s: more than %d arguments\n", name,
				PROC_ARGC_MAX - 1);
			return -AE_E2BIG;
		}
		argv[argc++] = buf + i;
	}
	return argc;
}

/* The console's terminal as p's files 0, 1 and 2, and the controlling
 * terminal of the session p leads (PROC_SPAWN_TTY: the shell's console
 * session, docs/TTY.md). What it opened stays in p->files for the
 * caller's undo. */
static int spawn_tty(struct proc *p)
{
	struct tty_caller c;
	int h = node_open("/dev/console", NODE_READ | NODE_WRITE,
			  NODE_CRED_KERNEL), rc;

	if (h < 0)
		return h;
	p->files[0] = h;
	for (int k = 1; k < 3; k++) {
		rc = node_dup(h);
		if (rc)
			return rc;
		p->files[k] = h;
	}
	for (int k = 0; k < 3; k++) {
		memset(&p->lfd[k], 0, sizeof(p->lfd[k]));
		memcpy(p->lfd[k].path, "/dev/console", 13);
		p->lfd[k].flags = 2;	/* O_RDWR */
		p->lfd[k].tty = true;
	}
	memset(&c, 0, sizeof(c));
	c.pid = c.pgrp = c.sid = p->pid;
	c.flags = TTY_C_LEADER;
	rc = node_tty(h, TOPIC_NS_IOCTL, TTY_ATTACH, NULL, 0, -1, &c);
	return rc < 0 ? rc : 0;
}

static int spawn(const struct proc_spawn_req *q, const struct bus_msg *m)
{
	static char argbuf[PROC_ARGS_MAX];	/* one spawn at a time: the
						 * service's handler */
	const char *argv[PROC_ARGC_MAX];
	int argc;
	struct HalRange r = hal_mmu_user_range();
	uint64_t top = r.hi - PAGE, root;	/* a page of gap at the top */
	const char *why = "no reason given";
	char name[sizeof(q->name)], sname[BUS_NAME_MAX];
	struct cpio_entry e;
	struct elf_image im;
	struct proc *p = NULL;
	size_t len = 0, n;
	const void *rd = initrd(&len);
	uint32_t id;
	uint64_t ssize, sp;
	int rc, k, pid, stdin_h;
	bool files_set = false;	/* p->files[] hold its own handles */

	n = strnlen(q->name, sizeof(q->name));
	if (n == 0 || n == sizeof(q->name))
		return -AE_EINVAL;
	memcpy(name, q->name, n + 1);
	if (!rd) {
		kprintf("proc: %s: no initrd (a cpio archive module) was "
			"loaded\n", name);
		return -AE_ENOENT;
	}
	rc = cpio_find(rd, len, name, &e, &why);
	if (rc == -AE_ENOENT) {
		kprintf("proc: %s: not in the initrd (cat /sys/proc/initrd "
			"lists it)\n", name);
		return rc;
	}
	if (rc) {
		kprintf("proc: the initrd is malformed: %s\n", why);
		return rc;
	}
	rc = elf_parse(e.data, e.size, hal_elf_machine(), r.lo,
		       top - LINUX_STACK_SIZE - PAGE, &im, &why);
	if (rc) {
		kprintf("proc: %s: not a program this kernel runs: %s\n", name,
			why);
		return -AE_ENOEXEC;
	}
	argc = spawn_args(q, m, name, argbuf, argv);
	if (argc < 0)
		return argc;
	if (argc > 1 && im.abi != ELF_ABI_LINUX) {
		kprintf("proc: %s: Aegis's own programs take no arguments\n",
			name);
		return -AE_EINVAL;
	}
	{
		bool was = plock();

		why = spawn_quota(q);
		for (k = 0; k < PROC_MAX && !p && !why; k++)
			if (procs[k].state == FREE) {
				p = &procs[k];
				p->state = LOADING;	/* taken */
			}
		punlock(was);
	}
	if (why) {
		klog(KLOG_INFO, "proc: %s: not started: %s\n", name, why);
		return -AE_EAGAIN;
	}
	if (!p) {
		kprintf("proc: %s: %d processes already; not started\n", name,
			PROC_MAX);
		return -AE_EAGAIN;
	}
	rc = mm_as_create(&id, &root);
	if (rc) {
		bool was = plock();

		release_slot(p);
		punlock(was);
		return rc;
	}
	ssize = im.abi == ELF_ABI_LINUX ? LINUX_STACK_SIZE : STACK_SIZE;
	rc = load(id, &im, e.data, top, ssize);
	if (rc)
		goto undo_as;
	{
		bool was = plock();

		memset(p, 0, sizeof(*p));
		p->state = LOADING;
		p->pid = next_pid++;
		punlock(was);
	}
	p->parent = q->parent;
	p->priv = q->flags & PROC_SPAWN_PRIV;
	p->is_linux = im.abi == ELF_ABI_LINUX;
	p->umask = 022;
	p->cwd[0] = '/';
	p->exe[0] = '/';
	memcpy(p->exe + 1, name, n + 1);
	p->pgid = p->sid = p->pid;	/* a session of its own */
	p->exit_signal = SIGCHLD;	/* (ignored unless its parent asks) */
	p->altstack.flags = SS_DISABLE;
	set_cmdline(p, argv, (unsigned int)argc);
	p->start_ns = clock_ns();
	p->stack_size = ssize;
	p->brk_start = p->brk = p->brk_mapped =
		(im.end + PAGE - 1) & ~(PAGE - 1);
	keep_segments(p, &im);
	sp = top;
	if (p->is_linux) {
		rc = linux_start(id, &im, argv, (unsigned int)argc, p->priv,
				 p->pid, top, &sp);
		if (rc)
			goto undo_as;
	}
	/* what load() mapped counts too: unmap gives it back like the rest */
	p->held[PROC_Q_PAGES] = (int64_t)(ssize / PAGE) +
				(im.abi == ELF_ABI_LINUX);	/* its sigpage */
	for (uint32_t s = 0; s < im.nseg; s++)
		p->held[PROC_Q_PAGES] += (int64_t)(((im.seg[s].vaddr +
			im.seg[s].memsz + PAGE - 1) & ~(PAGE - 1)) -
			(im.seg[s].vaddr & ~(PAGE - 1))) / (int64_t)PAGE;
	p->as_id = id;
	p->root = root;
	memcpy(p->name, name, n < PROC_NAME_MAX ? n : PROC_NAME_MAX - 1);
	for (k = 0; k < PROC_THREADS; k++)
		p->tid[k] = -1;
	for (k = 0; k < PROC_FILES; k++)
		p->files[k] = -1;
	p->files[1] = p->files[2] = PROC_FD_CONSOLE;
	files_set = true;
	if (p->is_linux && (q->flags & PROC_SPAWN_TTY)) {
		/* the console session: the terminal on 0, 1 and 2, and its
		 * controlling terminal (docs/TTY.md) */
		rc = spawn_tty(p);
		if (rc)
			goto undo_as;
	} else if (p->is_linux) {
		/* a Linux program's standard input: /dev/null until there is
		 * a terminal to read (docs/LINUX_ABI.md) */
		stdin_h = node_open("/dev/null", NODE_READ, NODE_CRED_KERNEL);
		if (stdin_h >= 0) {
			p->files[0] = stdin_h;
			memcpy(p->lfd[0].path, "/dev/null", 10);
		}
	}
	svc_name(sname, sizeof(sname), p);
	rc = bus_svc_add(sname, mailbox, p, PROC_MAILBOX, PROC_PRIO);
	if (rc < 0)
		goto undo_as;
	p->svc = rc;
	bus_svc_set_flags((bus_svc_t)p->svc, BUS_SVC_F_USER);
	{
		/* until it receives, what it posts descends from the message
		 * that spawned it (none when a thread spawned it) */
		struct bus_lineage l;

		bus_lineage_current(&l);
		bus_svc_set_cause((bus_svc_t)p->svc, &l);
	}
	{
		/* its first thread: counted, and its id in tid[0], before it
		 * can run (or end, and be reaped, on another CPU) */
		struct sched_user u = { id, root, im.entry, sp, reaped, p, 0,
					&p->tid[0], p->is_linux, NULL, 0 };
		bool was = plock();

		p->state = ALIVE;
		p->nthreads = 1;
		pid = p->pid;	/* (p may be another's once it has run) */
		punlock(was);
		rc = sched_spawn_user(p->name, PROC_PRIO, &u);
	}
	if (rc < 0) {
		bus_svc_remove((bus_svc_t)p->svc);
		goto undo_as;
	}
	klog(KLOG_INFO, "proc: %s: pid %d, thread %d, %u segments, entry "
	     "%#llx, %s%s\n", name, pid, rc, im.nseg,
	     (unsigned long long)im.entry, sname,
	     im.abi == ELF_ABI_LINUX ? ", Linux" : "");
	return pid;
undo_as:
	{
		bool was = plock();
		int held[3] = { -1, -1, -1 };

		if (files_set)
			memcpy(held, p->files, sizeof(held));

		release_slot(p);
		punlock(was);
		for (k = 0; k < 3; k++)	/* each a holder of its own */
			if (held[k] >= 0)
				node_close(held[k]);
	}
	mm_as_destroy(id);
	kprintf("proc: %s: cannot start: %s\n", name, errno_desc(rc));
	return rc;
}

/* ---- execve ------------------------------------------------------------- */

#define EXEC_FILE_MAX	(32ull << 20)	/* bytes of a program execve reads */
#define EXEC_START_MAX	16384		/* bytes of argv, envp and auxv */
#define EXEC_CHUNK	(256 * 1024)	/* bytes of it one read asks for */

/* The program at path, opened for reading with the caller's
 * credentials: its handle, and its attributes in *st (of what was
 * opened: the cache's key and the content read are of the same file, a
 * rename or link racing the open notwithstanding); or -EACCES (not a
 * regular file, or no permission to run it), -ENOEXEC (too short to be a
 * program), -ENOMEM (too large to read), the namespace's errors. */
static int program_open(const char *path, struct node_cred c, bool priv,
			struct node_stat *st)
{
	uint32_t bits;
	int fd, rc;

	/* nothing but a regular file is opened (a device's or a fifo's
	 * open may act or wait); what was opened is checked again below */
	rc = node_stat(path, st, c);
	if (rc)
		return rc;
	if (st->kind != NODE_KIND_FILE)
		return -AE_EACCES;
	fd = node_open(path, NODE_READ, c);
	if (fd < 0)
		return fd;
	rc = node_fstat(fd, st);
	if (rc || st->kind != NODE_KIND_FILE)
		rc = -AE_EACCES;
	bits = priv ? (st->mode | st->mode >> 3 | st->mode >> 6) :
	       st->uid == PROC_UID_USER ? st->mode >> 6 :
	       st->gid == PROC_UID_USER ? st->mode >> 3 : st->mode;
	if (!rc && !(bits & 1))
		rc = -AE_EACCES;
	if (!rc && (st->size > EXEC_FILE_MAX || st->size < 4))
		rc = st->size < 4 ? -AE_ENOEXEC : -AE_ENOMEM;
	if (rc) {
		node_close(fd);
		return rc;
	}
	return fd;
}

/* The open program fd (st->size bytes, program_open's), read whole into
 * a buffer the caller frees (*len bytes): -ENOMEM, the namespace's
 * errors. */
static int read_program(int fd, const struct node_stat *st, uint8_t **out,
			uint64_t *len)
{
	uint64_t done = 0;
	uint8_t *img = kmalloc(st->size);
	int rc = 0;

	if (!img)
		return -AE_ENOMEM;
	while (done < st->size) {
		/* tmpfs moves up to 256 KiB a read */
		uint64_t want = st->size - done < EXEC_CHUNK ? st->size - done
							     : EXEC_CHUNK;
		int n = node_read(fd, img + done, (uint32_t)want);

		if (n <= 0) {
			rc = n < 0 ? n : -AE_EIO;
			break;
		}
		done += (uint64_t)n;
	}
	if (rc) {
		kfree(img);
		return rc;
	}
	*out = img;
	*len = done;
	return 0;
}

/*
 * The program cache (docs/PROCESSES.md: execve). A program execve loaded
 * is kept as a template: an address space holding its segments alone,
 * filled and protected once. The next execve of the same file clones it
 * (mm.as.clone): every frame shared, text read-only in both, data
 * copy-on-write, so the new program starts with no copy and no zeroing,
 * and under QEMU's TCG its code is already translated. The same file is
 * the same inode, size, modification and change times (a file system
 * with inodes: tmpfs); anything else, or a template whose file changed,
 * is loaded from the file as before. Kept: EXEC_CACHE programs of up to
 * EXEC_CACHE_PAGES pages together, the least recently run going first;
 * all go when mm says memory is low or exhausted (mm.pages.low,
 * mm.pages.exhausted) and before an execve that found no memory or no
 * address space tries again; none is made that would take free memory
 * under mm's low mark. The key is of the file execve opened, and the
 * content is read through that same handle, so a rename or link racing
 * the execve cannot give one file's key another's content; a file that
 * changed while it was read runs but is not kept. /sys/proc/exec_cache
 * shows it.
 */
#define EXEC_CACHE		4
#define EXEC_CACHE_PAGES	2048	/* 8 MiB of 4 KiB pages */

static struct tmpl {
	bool used;
	bool live;		/* still to be found (else: goes at refs 0) */
	uint32_t refs;		/* execs cloning it now */
	uint32_t as;		/* the template's space */
	uint64_t ino, size;
	int64_t mtime, ctime;
	struct elf_image im;
	uint64_t pages;		/* of its segments */
	uint64_t last;		/* when it was last run (a count) */
} tmpls[EXEC_CACHE];
static uint64_t tmpl_clock, tmpl_hits, tmpl_misses, tmpl_drops;
static DEFINE_LOCK_CLASS(tmpl_class, "proc.exec_cache");
static spinlock_t tmpl_lk = SPINLOCK_INIT(&tmpl_class);

static bool tmpl_same(const struct tmpl *t, const struct node_stat *st)
{
	return t->ino == st->ino && t->size == st->size &&
	       t->mtime == st->mtime && t->ctime == st->ctime;
}

static uint64_t segment_pages(const struct elf_image *im)
{
	uint64_t n = 0;

	for (uint32_t k = 0; k < im->nseg; k++)
		n += (((im->seg[k].vaddr + im->seg[k].memsz + PAGE - 1) &
		       ~(PAGE - 1)) - (im->seg[k].vaddr & ~(PAGE - 1))) / PAGE;
	return n;
}

/* Template i leaves the cache (lock held); its space, when no execve
 * clones it now, into gone[*n] for the caller to destroy unlocked. */
static void tmpl_retire(int i, uint32_t *gone, unsigned int *n)
{
	tmpls[i].live = false;
	if (!tmpls[i].refs) {
		gone[(*n)++] = tmpls[i].as;
		tmpls[i].used = false;
	}
}

static void tmpl_destroy(const uint32_t *gone, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		if (mm_as_destroy(gone[k]))
			kprintf("proc: a program template's space was not "
				"released\n");
}

/* The template of the file st, held (tmpl_put), its image in *im; or
 * -1. A template of that inode that is out of date goes. */
static int tmpl_get(const struct node_stat *st, struct elf_image *im)
{
	uint32_t gone[EXEC_CACHE];
	unsigned int ngone = 0;
	int found = -1;
	bool was = spin_lock_irqsave(&tmpl_lk);

	for (int i = 0; i < EXEC_CACHE; i++) {
		struct tmpl *t = &tmpls[i];

		if (!t->used || !t->live || t->ino != st->ino)
			continue;
		if (!tmpl_same(t, st)) {
			tmpl_retire(i, gone, &ngone);	/* the file changed */
			continue;
		}
		t->refs++;
		t->last = ++tmpl_clock;
		*im = t->im;
		found = i;
	}
	if (found >= 0)
		tmpl_hits++;
	else
		tmpl_misses++;
	spin_unlock_irqrestore(&tmpl_lk, was);
	tmpl_destroy(gone, ngone);
	return found;
}

static void tmpl_put(int i)
{
	uint32_t gone[1];
	unsigned int ngone = 0;
	bool was = spin_lock_irqsave(&tmpl_lk);

	if (--tmpls[i].refs == 0 && !tmpls[i].live) {
		gone[ngone++] = tmpls[i].as;
		tmpls[i].used = false;
	}
	spin_unlock_irqrestore(&tmpl_lk, was);
	tmpl_destroy(gone, ngone);
}

/* Keep space as, the segments of the file st (image im), as its
 * template, held: its index, or -1 when it is not kept (another execve
 * kept the same file first, or it does not fit): the caller destroys it
 * once cloned. Room is made from the least recently run templates. */
static int tmpl_add(const struct node_stat *st, uint32_t as,
		    const struct elf_image *im)
{
	uint32_t gone[EXEC_CACHE];
	unsigned int ngone = 0;
	uint64_t pages = segment_pages(im), held = 0;
	int slot = -1;
	bool was = spin_lock_irqsave(&tmpl_lk);

	for (int i = 0; i < EXEC_CACHE; i++)
		if (tmpls[i].used && tmpls[i].live && tmpl_same(&tmpls[i], st))
			goto out;
	for (;;) {
		int old = -1;

		held = 0;
		slot = -1;
		for (int i = 0; i < EXEC_CACHE; i++) {
			if (!tmpls[i].used) {
				if (slot < 0)
					slot = i;
				continue;
			}
			held += tmpls[i].pages;
			/* only an idle one: retiring one an execve clones
			 * now would free neither its slot nor its pages */
			if (tmpls[i].live && !tmpls[i].refs &&
			    (old < 0 || tmpls[i].last < tmpls[old].last))
				old = i;
		}
		if (slot >= 0 && held + pages <= EXEC_CACHE_PAGES)
			break;
		if (old < 0) {		/* the rest in use by execs: not kept */
			slot = -1;
			goto out;
		}
		tmpl_retire(old, gone, &ngone);
	}
	tmpls[slot] = (struct tmpl){ true, true, 1, as, st->ino, st->size,
				     st->mtime, st->ctime, *im, pages,
				     ++tmpl_clock };
out:
	spin_unlock_irqrestore(&tmpl_lk, was);
	tmpl_destroy(gone, ngone);
	return slot;
}

/* Every template goes (those cloned now, when their execs are done). */
static void proc_exec_cache_drop(void)
{
	uint32_t gone[EXEC_CACHE];
	unsigned int ngone = 0;
	bool was = spin_lock_irqsave(&tmpl_lk);

	for (int i = 0; i < EXEC_CACHE; i++)
		if (tmpls[i].used && tmpls[i].live) {
			tmpl_retire(i, gone, &ngone);
			tmpl_drops++;
		}
	spin_unlock_irqrestore(&tmpl_lk, was);
	tmpl_destroy(gone, ngone);
}

/* A cached program may be kept for this file: one of a file system
 * with inodes, small enough. */
static bool tmpl_wanted(const struct node_stat *st,
			const struct elf_image *im)
{
	return st->ino != 0 && segment_pages(im) <= EXEC_CACHE_PAGES / 2;
}

/* Memory to spare for a new template: free pages above mm's low mark
 * once the template's are taken. */
static bool tmpl_room(const struct elf_image *im)
{
	struct mm_stats ms;

	return mm_get_stats(&ms) == 0 &&
	       ms.free_pages > ms.low_mark + segment_pages(im);
}

/* A new space for the program open as fd (attributes st): its segments,
 * by a clone of the file's template (made now if there is none, the
 * file may have one and memory allows), or loaded from the file. Its
 * image in *im. */
static int exec_space(int fd, const struct node_stat *st, uint64_t lo,
		      uint64_t hi, struct elf_image *im, uint32_t *id,
		      uint64_t *root)
{
	struct node_stat now;
	uint8_t *img = NULL;
	uint64_t len = 0, troot;
	const char *why = "";
	uint32_t tas;
	int t = tmpl_get(st, im), rc;

	if (t >= 0) {
		rc = mm_as_clone(tmpls[t].as, id, root);
		tmpl_put(t);
		return rc;
	}
	rc = read_program(fd, st, &img, &len);
	if (rc)
		return rc;
	if (elf_parse(img, len, hal_elf_machine(), lo, hi, im, &why)) {
		kfree(img);
		return -AE_ENOEXEC;
	}
	/* kept only if the file did not change while it was read: what the
	 * template holds is then what the key names */
	if (tmpl_wanted(st, im) && node_fstat(fd, &now) == 0 &&
	    now.ino == st->ino && now.size == st->size &&
	    now.mtime == st->mtime && now.ctime == st->ctime &&
	    tmpl_room(im) && mm_as_create(&tas, &troot) == 0) {
		if (load_segments(tas, im, img) == 0) {
			kfree(img);
			t = tmpl_add(st, tas, im);
			rc = mm_as_clone(tas, id, root);
			if (t >= 0)
				tmpl_put(t);
			else
				tmpl_destroy(&tas, 1);
			return rc;
		}
		tmpl_destroy(&tas, 1);
	}
	rc = mm_as_create(id, root);
	if (!rc) {
		rc = load_segments(*id, im, img);
		if (rc)
			mm_as_destroy(*id);
	}
	kfree(img);
	return rc;
}

static int end_other_threads(struct proc *p);

/* The program's path for /proc/PID/exe and maps: path with the links it
 * ends in followed (as Linux shows the file it ran: a run through
 * /proc/self/exe or /bin/sh shows busybox), up to the last link that
 * could be followed and whose target fits (a relative target is joined
 * to its link's directory as it is: a ".." stays). */
static void exe_path(const char *path, struct node_cred c,
		     char out[NODE_PATH_MAX])
{
	char link[NODE_PATH_MAX];
	const char *slash;
	size_t dir;
	int n;

	memset(out, 0, NODE_PATH_MAX);
	memcpy(out, path, strnlen(path, NODE_PATH_MAX - 1));
	for (int hop = 0; hop < 8; hop++) {
		n = node_readlink(out, link, sizeof(link) - 1, c);
		if (n <= 0)
			return;
		link[n] = '\0';
		slash = strrchr(out, '/');
		dir = link[0] == '/' || !slash ? 0 :
		      (size_t)(slash - out) + 1;
		if (dir + (size_t)n >= NODE_PATH_MAX)
			return;
		memcpy(out + dir, link, (size_t)n + 1);
	}
}

int proc_exec(struct proc *p, const char *path, const char *const *argv,
	      unsigned int argc, const char *const *envp, unsigned int envc)
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t top = r.hi - PAGE, root, sp, ssize = LINUX_STACK_SIZE;
	struct node_cred c = { p->priv ? 0 : PROC_UID_USER,
			       p->priv ? 0 : PROC_UID_USER, p->pid };
	struct node_stat st;
	const char *base;
	char exe[NODE_PATH_MAX];
	uint8_t *start;
	struct elf_image im;
	int64_t pages;
	uint32_t id, old;
	int rc, fd, files[PROC_FILES];
	bool was;

	fd = program_open(path, c, p->priv, &st);
	if (fd < 0)
		return fd;
	rc = exec_space(fd, &st, r.lo, top - LINUX_STACK_SIZE - PAGE, &im, &id,
			&root);
	if (rc == -AE_ENOMEM || rc == -AE_ENOSPC) {
		/* the kept programs' pages and spaces first, then once more */
		proc_exec_cache_drop();
		rc = exec_space(fd, &st, r.lo, top - LINUX_STACK_SIZE - PAGE,
				&im, &id, &root);
	}
	node_close(fd);
	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	if (im.abi != ELF_ABI_LINUX)
		ssize = STACK_SIZE;
	pages = (int64_t)(ssize / PAGE) + (im.abi == ELF_ABI_LINUX) +
		(int64_t)segment_pages(&im);
	rc = load_stack(id, &im, top, ssize);
	start = rc ? NULL : kmalloc(EXEC_START_MAX);
	if (!rc && !start)
		rc = -AE_ENOMEM;
	sp = top;
	if (!rc && im.abi == ELF_ABI_LINUX)
		rc = linux_start_env(id, &im, argv, argc, envp, envc, path,
				     p->priv, p->pid, top, start,
				     EXEC_START_MAX, &sp);
	kfree(start);
	if (rc) {
		mm_as_destroy(id);
		return rc;
	}
	/* the other threads end (they run in the old image) */
	rc = end_other_threads(p);
	if (rc) {
		mm_as_destroy(id);
		return rc;
	}
	/* the new image's pages in place of the old image's */
	rc = proc_charge(p, PROC_Q_PAGES, pages - p->held[PROC_Q_PAGES]);
	if (rc) {
		mm_as_destroy(id);
		return rc;
	}
	/* (before it is the new program: /proc/self/exe is the old one) */
	exe_path(path, c, exe);
	/* No way back from here: the process is the new program. Files
	 * marked close-on-exec go; the rest stay. */
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	was = plock();
	for (int k = 0; k < PROC_FILES; k++) {
		files[k] = -1;
		if (p->lfd[k].cloexec && p->files[k] != -1) {
			files[k] = p->files[k];
			p->files[k] = -1;
			memset(&p->lfd[k], 0, sizeof(p->lfd[k]));
		}
	}
	old = p->as_id;
	p->as_id = id;
	p->as_gen++;
	p->root = root;
	p->is_linux = im.abi == ELF_ABI_LINUX;
	p->stack_size = ssize;
	p->brk_start = p->brk = p->brk_mapped =
		(im.end + PAGE - 1) & ~(PAGE - 1);
	keep_segments(p, &im);
	p->robust_head = 0;
	memset(p->clear_tid, 0, sizeof(p->clear_tid));
	memset(p->ltid, 0, sizeof(p->ltid));	/* it is the pid again */
	p->mmap_next = 0;
	/* execve ends timer_create's timers and the alternate signal
	 * stack; the interval timers go on (execve(2)) */
	memset(p->timer, 0, sizeof(p->timer));
	p->membarrier = false;
	memset(&p->altstack, 0, sizeof(p->altstack));
	p->altstack.flags = SS_DISABLE;
	/* handlers are gone with the old program; what is ignored stays
	 * ignored, the blocked and pending sets stay (execve(2)) */
	for (int k = 0; k < 64; k++)
		if (p->sigact[k].handler != PROC_SIG_IGN)
			memset(&p->sigact[k], 0, sizeof(p->sigact[k]));
	memset(p->name, 0, sizeof(p->name));
	memcpy(p->name, base, strnlen(base, PROC_NAME_MAX - 1));
	memcpy(p->exe, exe, sizeof(p->exe));
	set_cmdline(p, argv, argc);
	p->execed = true;
	{
		/* a vfork parent waits no more */
		struct proc *parent = p->parent ? by_pid(p->parent) : NULL;

		if (parent && parent->state == ALIVE)
			wake_all(parent->waiting);
	}
	punlock(was);
	for (int k = 0; k < PROC_FILES; k++)
		if (files[k] >= 0)
			node_close(files[k]);
	rc = sched_user_replace(id, root, p->is_linux);
	if (rc == 0 && mm_as_destroy(old))
		kprintf("proc: %s: its old address space was not released\n",
			p->name);
	klog(KLOG_DEBUG, "proc: pid %d: execve %s: %u segments, entry %#llx%s\n",
	     p->pid, path, im.nseg, (unsigned long long)im.entry,
	     p->is_linux ? ", Linux" : "");
	sched_user_start(im.entry, sp);
}

/* ---- fork --------------------------------------------------------------- */

/* The proc.fork request q (m): a copy of process q->pid, its memory,
 * its open files (each one more holder), its working directory, mask
 * and limits, whose one thread goes on with the registers q lends (the
 * parent's at its fork, the result register 0). The child's pid, or
 * -ESRCH (no such live process), -EAGAIN (a slot or quota), -ENOMEM,
 * -EFAULT (a grant it does not hold). */
static int fork_proc(const struct proc_fork_req *q, const struct bus_msg *m)
{
	const struct proc_fork_state *st;
	const struct HalUserRegs *regs;
	struct proc *p, *c = NULL;
	char sname[BUS_NAME_MAX];
	const char *why = NULL;
	uint32_t id;
	uint64_t root;
	int rc, k, pid;
	bool was;

	st = bus_grant_buf(m, q->regs, sizeof(*st), BUS_GRANT_READ, &rc);
	if (!st)
		return rc ? rc : -AE_EFAULT;
	regs = &st->regs;
	was = plock();
	p = by_pid(q->pid);
	if (!p || p->state != ALIVE || p->ending)
		rc = -AE_ESRCH;
	else if (!p->priv && live(-1) + PROC_RESERVE_PROCS >= PROC_MAX)
		why = "the process slots left are privileged ones";
	else if (!p->priv && live(p->pid) >= PROC_CHILDREN_MAX)
		why = "it has as many children as it may";
	else if (!p->priv && sched_threads_free() <= PROC_RESERVE_THREADS)
		why = "the thread slots left are privileged ones";
	for (k = 0; k < PROC_MAX && !c && !rc && !why; k++)
		if (procs[k].state == FREE) {
			c = &procs[k];
			c->state = LOADING;	/* taken */
		}
	punlock(was);
	if (rc)
		return rc;
	if (why || !c) {
		klog(KLOG_INFO, "proc: pid %d: no fork: %s\n", q->pid,
		     why ? why : "every process slot is taken");
		return -AE_EAGAIN;
	}
	rc = mm_as_clone(p->as_id, &id, &root);
	if (rc) {
		was = plock();
		release_slot(c);
		punlock(was);
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	}
	was = plock();
	memcpy(c, p, sizeof(*c));	/* then what is the child's own */
	c->state = LOADING;
	c->pid = next_pid++;
	c->parent = p->pid;
	c->as_id = id;
	c->root = root;
	c->nthreads = 0;
	c->ending = false;
	c->exit_code = 0;
	c->head = c->count = 0;
	c->dropped = 0;
	c->gap = 0;
	c->receiving = c->waiting = 0;
	c->held[PROC_Q_TOPICS] = c->held[PROC_Q_SUBS] = 0;
	memset(c->topics, 0, sizeof(c->topics));
	c->start_ns = clock_ns();
	memset(c->ltid, 0, sizeof(c->ltid));
	memset(c->clear_tid, 0, sizeof(c->clear_tid));
	c->clear_tid[0] = q->clear_tid;
	c->robust_head = 0;
	c->execed = false;
	/* its dispositions and blocked set are the parent's; nothing is
	 * pending (signal(7)) */
	c->sig_pending = 0;
	memset(c->sig_thread, 0, sizeof(c->sig_thread));
	c->sig_tany = 0;
	memset(c->sig_blocked, 0, sizeof(c->sig_blocked));
	c->sig_blocked[0] = st->blocked & ~UNBLOCKABLE;	/* the caller's */
	memset(c->sig_suspended, 0, sizeof(c->sig_suspended));
	c->exit_signal = q->exit_signal >= 0 && q->exit_signal <= 64 ?
			 q->exit_signal : 0;
	/* timers are not inherited (getitimer(2), timer_create(2)); the
	 * alternate signal stack and the nice value are */
	memset(c->itimer, 0, sizeof(c->itimer));
	memset(c->timer, 0, sizeof(c->timer));
	c->membarrier = false;	/* the registration is the memory's */
	for (k = 0; k < PROC_THREADS; k++)
		c->tid[k] = -1;
	punlock(was);
	if (q->set_tid) {
		/* CLONE_CHILD_SETTID: its pid in its own memory */
		uint64_t pa;
		uint32_t prot;
		int32_t v = c->pid;

		if ((q->set_tid & 3) == 0 &&
		    mm_as_query(id, q->set_tid & ~(PAGE - 1), &pa, &prot) == 0 &&
		    (prot & (HAL_PROT_WRITE | HAL_PROT_COW)))
			(void)fill(id, q->set_tid, (const uint8_t *)&v,
				   sizeof(v));
	}
	/* its memory counts as the parent's does */
	c->held[PROC_Q_PAGES] = 0;
	rc = proc_charge(c, PROC_Q_PAGES, p->held[PROC_Q_PAGES]);
	if (rc)
		goto undo_as;
	/* its files: one more holder of each */
	for (k = 0; k < PROC_FILES; k++) {
		if (c->files[k] < 0)
			continue;
		if (node_dup(c->files[k]) != 0) {
			c->files[k] = -1;	/* gone meanwhile: closed */
			memset(&c->lfd[k], 0, sizeof(c->lfd[k]));
		}
	}
	svc_name(sname, sizeof(sname), c);
	rc = bus_svc_add(sname, mailbox, c, PROC_MAILBOX, PROC_PRIO);
	if (rc < 0)
		goto undo_files;
	c->svc = rc;
	bus_svc_set_flags((bus_svc_t)c->svc, BUS_SVC_F_USER);
	{
		struct bus_lineage l;

		bus_lineage_current(&l);
		bus_svc_set_cause((bus_svc_t)c->svc, &l);
	}
	{
		struct sched_user u = { id, root, 0, 0, reaped, c, 0,
					&c->tid[0], c->is_linux, regs,
					q->tls };

		was = plock();
		c->state = ALIVE;
		c->nthreads = 1;
		pid = c->pid;
		punlock(was);
		rc = sched_spawn_user(c->name, PROC_PRIO, &u);
	}
	if (rc < 0) {
		bus_svc_remove((bus_svc_t)c->svc);
		goto undo_files;
	}
	klog(KLOG_DEBUG, "proc: %s: pid %d forked pid %d, thread %d\n",
	     c->name, q->pid, pid, rc);
	return pid;
undo_files:
	for (k = 0; k < PROC_FILES; k++)
		if (c->files[k] >= 0)
			node_close(c->files[k]);
undo_as:
	was = plock();
	release_slot(c);
	punlock(was);
	mm_as_destroy(id);
	return rc == -AE_ENOMEM ? rc : -AE_EAGAIN;
}

int proc_fork(struct proc *p, const struct HalUserRegs *regs, uint64_t tls,
	      uint64_t set_tid, uint64_t clear_tid, int exit_signal)
{
	struct proc_fork_state st __attribute__((aligned(16)));
	struct proc_fork_req q;
	struct bus_msg reply;
	int svc = bus_contract_owner(TOPIC_PROC_FORK), rc;
	int32_t pid;

	if (svc < 0)
		return svc;
	memset(&q, 0, sizeof(q));
	q.pid = p->pid;
	q.tls = tls;
	q.set_tid = set_tid;
	q.clear_tid = clear_tid;
	q.exit_signal = exit_signal;
	st.regs = *regs;
	{
		bool was = plock();

		st.blocked = p->sig_blocked[self_slot(p)];
		punlock(was);
	}
	/* lent to proc for the call, ended after it */
	rc = bus_grant_new(&st, sizeof(st), BUS_GRANT_READ, (bus_svc_t)svc,
			   &q.regs);
	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	rc = sched_call((bus_svc_t)svc, TOPIC_PROC_FORK, &q, sizeof(q),
			&reply, 0);
	bus_grant_end(q.regs);
	if (rc)
		return rc;
	memcpy(&pid, reply.data, sizeof(pid));
	return pid;
}

int proc_thread(struct proc *p, uint64_t pc, uint64_t sp, uint64_t arg)
{
	struct sched_user u = { p->as_id, p->root, pc, sp, reaped, p, arg,
				NULL, p->is_linux, NULL, 0 };
	int k, rc = 0;
	bool was = plock();

	if (p->ending)
		rc = -AE_ESRCH;
	for (k = 0; !rc && k < PROC_THREADS && p->tid[k] != -1; k++)
		;
	if (!rc && k == PROC_THREADS)
		rc = -AE_EAGAIN;
	if (!rc && !p->priv && sched_threads_free() <= PROC_RESERVE_THREADS)
		rc = -AE_EAGAIN;	/* the rest are privileged ones */
	if (!rc) {
		/* the slot is taken (-2) and the thread counted before it
		 * can run, and end, on another CPU; spawn puts its id in the
		 * slot before that */
		p->tid[k] = -2;
		p->nthreads++;
		u.tid_out = &p->tid[k];
		p->sig_blocked[k] = 0;
		p->sig_suspended[k] = false;
	}
	punlock(was);
	if (rc)
		return rc;
	rc = sched_spawn_user(p->name, PROC_PRIO, &u);
	was = plock();
	if (rc < 0) {
		p->tid[k] = -1;
		p->nthreads--;
	} else if (p->ending && p->tid[k] == rc) {
		/* an exit came meanwhile: it ends too (unless it has ended
		 * already, and its id may be another's now) */
		sched_kill(rc);
	}
	punlock(was);
	return rc;
}

int proc_clone_thread(struct proc *p, const struct HalUserRegs *regs,
		      uint64_t tls, uint64_t clear_tid, uint64_t parent_tid,
		      uint64_t child_tid)
{
	struct sched_user u = { p->as_id, p->root, 0, 0, reaped, p, 0,
				NULL, p->is_linux, regs, tls };
	int k, rc = 0, ltid = 0;
	bool was = plock();

	if (p->ending)
		rc = -AE_ESRCH;
	for (k = 0; !rc && k < PROC_THREADS && p->tid[k] != -1; k++)
		;
	if (!rc && k == PROC_THREADS)
		rc = -AE_EAGAIN;	/* PROC_THREADS a process */
	if (!rc && !p->priv && sched_threads_free() <= PROC_RESERVE_THREADS)
		rc = -AE_EAGAIN;	/* the rest are privileged ones */
	if (!rc) {
		p->tid[k] = -2;		/* taken, as proc_thread's */
		p->nthreads++;
		ltid = next_pid++;	/* from the pids: no pid is it */
		p->ltid[k] = ltid;
		p->clear_tid[k] = clear_tid;
		/* the creating thread's blocked set (glibc's has all) */
		p->sig_blocked[k] = p->sig_blocked[self_slot(p)];
		p->sig_suspended[k] = false;
		u.tid_out = &p->tid[k];
	}
	punlock(was);
	if (rc)
		return rc;
	/* CLONE_PARENT_SETTID and CLONE_CHILD_SETTID: the id is in place
	 * before the thread can run (one memory: the caller's) */
	for (int w = 0; w < 2; w++) {
		int32_t v = ltid;
		uint64_t at = w ? child_tid : parent_tid;

		if (at)
			(void)syscall_copy(&v, at, sizeof(v), true);
	}
	rc = sched_spawn_user(p->name, PROC_PRIO, &u);
	was = plock();
	if (rc < 0) {
		p->tid[k] = -1;
		p->ltid[k] = 0;
		p->clear_tid[k] = 0;
		p->nthreads--;
	} else if (p->ending && p->tid[k] == rc) {
		sched_kill(rc);
	}
	punlock(was);
	return rc < 0 ? rc : ltid;
}

/* execve with other threads: they end first, as Linux's de_thread (a
 * bounded wait: -EAGAIN if one does not end in 5 s). */
static int end_other_threads(struct proc *p)
{
	int me = sched_self(), n;
	bool was = plock();

	for (int k = 0; k < PROC_THREADS; k++)
		if (p->tid[k] >= 0 && p->tid[k] != me)
			sched_kill(p->tid[k]);
	n = p->nthreads;
	punlock(was);
	for (int i = 0; n > 1 && i < 5000; i++) {
		if (sched_killed())
			return -AE_EINTR;
		sched_sleep_ns(1000000);
		was = plock();
		n = p->nthreads;
		punlock(was);
	}
	return n > 1 ? -AE_EAGAIN : 0;
}

static int spawn_call(int svc, struct proc_spawn_req *q, struct bus_msg *reply,
		      int32_t *pid);

int proc_spawn(const char *name, int parent, uint32_t flags)
{
	return proc_spawn_args(name, NULL, 0, parent, flags);
}

static int spawn_full(const char *name, const char *args, uint32_t len,
		      int parent, uint32_t flags);

int proc_spawn_args(const char *name, const char *args, uint32_t len,
		    int parent, uint32_t flags)
{
	return spawn_full(name, args, len, parent, flags);
}

static int spawn_full(const char *name, const char *args, uint32_t len,
		      int parent, uint32_t flags)
{
	struct proc_spawn_req q;
	struct bus_msg reply;
	int svc = bus_contract_owner(TOPIC_PROC_SPAWN), rc;
	int32_t pid;
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= sizeof(q.name))
		return -AE_EINVAL;
	if (len > PROC_ARGS_MAX)
		return -AE_E2BIG;
	memset(&q, 0, sizeof(q));
	memcpy(q.name, name, n);
	q.parent = parent;
	q.flags = flags;
	if (len) {
		/* lent to proc for the call, ended after it */
		if (svc < 0)
			return svc;
		rc = bus_grant_new(args, len, BUS_GRANT_READ, (bus_svc_t)svc,
				   &q.args);
		if (rc)
			return rc;
		q.args_len = len;
	}
	rc = spawn_call(svc, &q, &reply, &pid);
	bus_grant_end(q.args);
	return rc ? rc : pid;
}

/* The proc.spawn request q: 0 with *pid, or the error. */
static int spawn_call(int svc, struct proc_spawn_req *q, struct bus_msg *reply,
		      int32_t *pid)
{
	int rc;

	/* a thread blocks while proc loads the program; a handler (init,
	 * the shell) calls inline. Either way the bus checks the reply
	 * against contracts/proc.def. */
	if (sched_self() >= 0 && bus_current() == BUS_SVC_KERNEL) {
		if (svc < 0)
			return svc;
		rc = sched_call((bus_svc_t)svc, TOPIC_PROC_SPAWN, q, sizeof(*q),
				reply, 0);
		if (rc)
			return rc;
		memcpy(pid, reply->data, sizeof(*pid));
		return 0;
	}
	return call_proc_spawn(q, pid);
}

/* ---- the service ------------------------------------------------------ */

static const char *const default_rules[] = {
	"deny,topic=power.*,src=user-*",
	"allow,topic=user.*,src=user-*",
	"allow,topic=example.*,src=user-*",
	"deny,src=user-*",
};

static int proc_init(void)
{
	const char *why;

	/* once: a restart keeps the processes and the rules (an
	 * administrator may have changed them) */
	if (!rules_added) {
		rules_added = true;
		for (unsigned int i = 0; i < ARRAY_SIZE(default_rules); i++)
			if (bus_rule_add_default(default_rules[i], &why) < 0)
				kprintf("proc: rule %s: %s\n",
					default_rules[i], why);
	}
	return 0;
}

/* /sys/proc: limits (the quotas), usage (what each process holds) and
 * initrd (the programs it can start: name and size). */
static const struct sysfs_attr attrs[] = {
	{ "limits", 0444, 0 }, { "usage", 0444, 0 }, { "initrd", 0444, 0 },
	{ "exec_cache", 0444, 0 },
};

/* /sys/proc/exec_cache: the kept programs */
static uint32_t show_exec_cache(char *buf, uint32_t size)
{
	uint64_t pages = 0, hits, misses, drops;
	unsigned int n = 0, busy = 0;
	int k;
	bool was = spin_lock_irqsave(&tmpl_lk);

	for (int i = 0; i < EXEC_CACHE; i++) {
		if (!tmpls[i].used)
			continue;
		pages += tmpls[i].pages;
		n += tmpls[i].live;
		busy += !tmpls[i].live;
	}
	hits = tmpl_hits;
	misses = tmpl_misses;
	drops = tmpl_drops;
	spin_unlock_irqrestore(&tmpl_lk, was);
	k = ksnprintf(buf, size, "programs %u of %d, pages %llu of %d, "
		      "leaving %u; hits %llu, misses %llu, dropped %llu\n", n,
		      EXEC_CACHE, (unsigned long long)pages, EXEC_CACHE_PAGES,
		      busy, (unsigned long long)hits,
		      (unsigned long long)misses, (unsigned long long)drops);
	return k < (int)size ? (uint32_t)k : size;
}

static uint32_t show_initrd(char *buf, uint32_t size)
{
	size_t len = 0, off = 0;
	const void *rd = initrd(&len);
	const char *why = "";
	struct cpio_entry e;
	uint32_t n = 0;
	int k, rc = 0;

	if (!rd) {
		k = ksnprintf(buf, size, "no initrd was loaded\n");
		return k < (int)size ? (uint32_t)k : size;
	}
	while (n < size && (rc = cpio_next(rd, len, &off, &e, &why)) == 1) {
		k = ksnprintf(buf + n, size - n, "%-24s %8llu\n", e.name,
			      (unsigned long long)e.size);
		n = k < (int)(size - n) ? n + (uint32_t)k : size;
	}
	if (n < size && rc < 0) {
		k = ksnprintf(buf + n, size - n, "(malformed: %s)\n", why);
		n = k < (int)(size - n) ? n + (uint32_t)k : size;
	}
	return n;
}

static uint32_t show(char *buf, uint32_t size, uint32_t index)
{
	uint32_t n = 0;
	int k;

	if (index == 2)
		return show_initrd(buf, size);
	if (index == 3)
		return show_exec_cache(buf, size);
#define PUT(...)							\
	do {								\
		k = ksnprintf(buf + n, size - n, __VA_ARGS__);		\
		n = k < (int)(size - n) ? n + (uint32_t)k : size;	\
	} while (0)
	if (index == 0) {
		PUT("what          per process  left to privilege\n");
		PUT("processes     -            %d of %d\n",
		    PROC_RESERVE_PROCS, PROC_MAX);
		PUT("children      %-12d -\n", PROC_CHILDREN_MAX);
		PUT("threads       %-12d %d of %d\n", PROC_THREADS,
		    PROC_RESERVE_THREADS, SCHED_THREADS_MAX);
		PUT("pages         %-12d %d free\n", PROC_PAGES_MAX,
		    PROC_RESERVE_PAGES);
		PUT("topics        %-12d %d of %d\n", PROC_TOPICS_MAX,
		    PROC_RESERVE_TOPICS, BUS_TOPIC_MAX);
		PUT("subscriptions %-12d -\n", PROC_SUBS_MAX);
		PUT("files         %-12d %d of %d\n", PROC_FILES - 3,
		    NODE_FILES_RESERVE, NODE_FILES_MAX);
		return n;
	}
	PUT("pid  name             priv threads children files pages "
	    "topics subs\n");
	for (int i = 0; i < PROC_MAX && n < size; i++) {
		const struct proc *p = &procs[i];
		int files = 0;

		if (p->state != ALIVE)
			continue;
		for (int fd = 3; fd < PROC_FILES; fd++)
			files += p->files[fd] != -1;
		PUT("%-4d %-16s %-4s %7d %8u %5d %5lld %6lld %4lld\n", p->pid,
		    p->name, p->priv ? "yes" : "no", p->nthreads,
		    live(p->pid), files, (long long)p->held[PROC_Q_PAGES],
		    (long long)p->held[PROC_Q_TOPICS],
		    (long long)p->held[PROC_Q_SUBS]);
	}
#undef PUT
	return n;
}

static int proc_sysfs(const struct bus_msg *m, struct bus_msg *reply)
{
	struct sysfs_io io;
	char *buf;
	uint32_t n;
	int rc;

	if (m->topic == TOPIC_SYSFS_ATTR)
		return sysfs_attr_answer(attrs, ARRAY_SIZE(attrs), m, reply);
	if (m->topic != TOPIC_SYSFS_SHOW)
		return -AE_EACCES;	/* nothing here is writable */
	buf = sysfs_io_take(m, &io, false, &rc);
	if (!buf)
		return rc;
	if (io.index >= ARRAY_SIZE(attrs))
		return -AE_EINVAL;
	n = show(buf, io.len, io.index);
	memcpy(reply->data, &n, sizeof(n));
	reply->len = sizeof(n);
	return 0;
}

static int proc_handle(void *state, const struct bus_msg *m,
		       struct bus_msg *reply)
{
	struct proc_spawn_req q;
	int32_t pid;

	(void)state;
	if (m->kind == BUS_REQUEST &&
	    (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW || m->topic == TOPIC_SYSFS_STORE))
		return proc_sysfs(m, reply);
	/* /proc (kernel/procfs.c): its node requests, and every other
	 * message a chance to mount it */
	if (m->kind == BUS_REQUEST && m->topic == TOPIC_PROC_SIGNAL)
		return signal_req(m);
	if (m->kind == BUS_EVENT && m->topic == TOPIC_HW_IRQ_TIMER &&
	    m->src == BUS_SVC_KERNEL) {
		timers_tick();
		return 0;
	}
	/* memory is short: the kept programs' pages go back (mm's word:
	 * its contract lets no one else publish these) */
	if (m->kind == BUS_EVENT && (m->topic == TOPIC_MM_PAGES_LOW ||
				     m->topic == TOPIC_MM_PAGES_EXHAUSTED)) {
		proc_exec_cache_drop();
		return 0;
	}
	if (m->kind != BUS_REQUEST || (m->topic != TOPIC_PROC_SPAWN &&
				       m->topic != TOPIC_PROC_FORK))
		return procfs_handle(m, reply);
	if (m->kind == BUS_REQUEST && m->topic == TOPIC_PROC_FORK) {
		struct proc_fork_req f;

		if (m->len != sizeof(f))
			return -AE_EINVAL;
		memcpy(&f, m->data, sizeof(f));
		pid = fork_proc(&f, m);
		if (pid < 0)
			return pid;
		memcpy(reply->data, &pid, sizeof(pid));
		reply->len = sizeof(pid);
		return 0;
	}
	if (m->kind != BUS_REQUEST || m->topic != TOPIC_PROC_SPAWN)
		return m->kind == BUS_REQUEST ? -AE_ENOSYS : 0;
	if (m->len != sizeof(q))
		return -AE_EINVAL;
	memcpy(&q, m->data, sizeof(q));
	if ((q.flags & PROC_SPAWN_TTY) &&
	    (bus_svc_flags(m->src) & BUS_SVC_F_USER))
		return -AE_EPERM;	/* the console's terminal is the shell's
					 * to give */
	pid = spawn(&q, m);
	if (pid < 0)
		return pid;
	memcpy(reply->data, &pid, sizeof(pid));
	reply->len = sizeof(pid);
	return 0;
}

SERVICE(proc,
	.name = "proc",
	.prio = SERVICE_PRIO(3),
	.init = proc_init,
	.handler = proc_handle,
	.subscribe = SUBSCRIBES_PROC,
	.serves = SERVES_PROC,
	.needs = SERVICE_LIST("sched", "mm", "ns"),
	.sysfs = "proc");
