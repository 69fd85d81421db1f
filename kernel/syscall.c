/*
 * syscall.c - system calls from user mode: the HAL's entry into the
 * gateway, the handlers of the calls in kernel/syscalls.def, and what
 * happens to a thread that faults in user mode.
 *
 * The HAL takes a call (SYSCALL on x86_64, SVC on AArch64) into a struct
 * HalSyscall. The gateway (syscall_gate.c) checks every argument against
 * the generated table before a handler runs: by then each buffer lies in
 * the user range and every page of it is mapped for user mode with the
 * access the call needs. Handlers still copy through the direct map,
 * never through the user's own addresses (docs/SYSCALL_REFERENCE.md has
 * every call; docs/SCHEDULER.md how user mode works, docs/PROCESSES.md
 * what a process has).
 *
 * Calls that belong to a service become bus requests to it: files go to
 * ns (and on to devfs or sysfs), memory to mm, spawn to proc, reboot and
 * poweroff to power, the bus calls to whoever they name; those a process
 * makes in its own name (publish, send, call, reboot, poweroff) are
 * posted as its service, so the routing rules decide (aegis/proc.h).
 * The thread's own state (exit, yield, sleep, getpid, wait, receive) and
 * the clocks are handled here. A thread that is not a process (the
 * kernel's own user-mode tests) has only write, exit and the calls that
 * need no process; the others answer it -ESRCH.
 */
#include <string.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/linux.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/syscall.h>

#define PAGE 4096ull

_Static_assert(USER_PROT_READ == HAL_PROT_READ &&
	       USER_PROT_WRITE == HAL_PROT_WRITE &&
	       USER_PROT_USER == HAL_PROT_USER, "protection bits");

/* The caller's address space is the active one. A copy-on-write page is
 * writable to the checks: the copy into it breaks it (user_copy). */
static int lookup(void *ctx, uint64_t va, uint32_t *prot)
{
	uint64_t pa;
	int rc;

	(void)ctx;
	rc = hal_mmu_lookup(va, &pa, prot);
	if (!rc && (*prot & HAL_PROT_COW))
		*prot |= USER_PROT_WRITE;
	return rc;
}

/* The calling process's own frame for the copy-on-write page at va (a
 * page), writable: 0, or -EFAULT (not one, no process, no memory). */
static int break_cow(uint64_t va)
{
	struct proc *p = proc_self();

	if (!p || mm_as_fault(proc_as(p), va, HAL_PROT_READ | HAL_PROT_WRITE) != 0)
		return -AE_EFAULT;
	return 0;
}

/* Copy between a checked user buffer and the kernel, page by page
 * through the direct map. Each page is looked up again, and looked up
 * and copied with interrupts masked: another thread of the process, on
 * another CPU, may unmap or protect it meanwhile, and mm frees a frame
 * only after every CPU running this address space has taken an
 * interrupt (smp_tlb_shootdown), so a copy that found the page is over
 * before the page is anyone else's. A copy into a copy-on-write page
 * first gets the process its own frame there (a fork may mark it again
 * meanwhile: then once more). */
static int user_copy(void *kbuf, uint64_t va, uint64_t len, bool to_user)
{
	uint64_t off = hal_direct_map().offset;
	unsigned int breaks = 0;

	while (len) {
		uint64_t pa, n = PAGE - (va & (PAGE - 1));
		uint32_t prot = 0;	/* (a failed lookup leaves it) */
		char *u;
		bool was;

		if (n > len)
			n = len;
		was = hal_irq_cpu_save();
		if (hal_mmu_lookup(va & ~(PAGE - 1), &pa, &prot) ||
		    !(prot & USER_PROT_USER) ||
		    (to_user && !(prot & USER_PROT_WRITE))) {
			hal_irq_cpu_enable(was);
			if (to_user && (prot & HAL_PROT_COW) && breaks++ < 8 &&
			    break_cow(va & ~(PAGE - 1)) == 0)
				continue;
			return -AE_EFAULT;
		}
		u = (char *)(uintptr_t)(pa + (va & (PAGE - 1)) + off);
		if (to_user)
			memcpy(u, kbuf, n);
		else
			memcpy(kbuf, u, n);
		hal_irq_cpu_enable(was);
		kbuf = (char *)kbuf + n;
		va += n;
		len -= n;
	}
	return 0;
}

void syscall_user_mem(struct user_mem *m)
{
	struct HalRange r = hal_mmu_user_range();

	m->lo = r.lo;
	m->hi = r.hi;
	m->lookup = lookup;
	m->ctx = NULL;
}

int syscall_copy(void *kbuf, uint64_t va, uint64_t len, bool to_user)
{
	struct HalRange r = hal_mmu_user_range();

	/* addresses the gateway did not check (a writev's vector): the
	 * user range first, then each page's user bit (user_copy) */
	if (len && (va < r.lo || va >= r.hi || len > r.hi - va))
		return -AE_EFAULT;
	return user_copy(kbuf, va, len, to_user);
}

/* The bounce buffer for data between user memory and services: the
 * calling thread's own page (sched_scratch), since the threads of a
 * process make calls on several CPUs at once. A thread that is not a
 * user thread makes no system calls. */
#define BOUNCE_OR_EFAULT(b)			\
	char *b = sched_scratch();		\
	if (!b)					\
		return -AE_EFAULT

#define PROC_OR_ESRCH(p)			\
	struct proc *p = proc_self();		\
	if (!p)					\
		return -AE_ESRCH

int64_t sys_exit(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc *p = proc_self();

	if (p)
		proc_exit(p, (int)a[0]);	/* its other threads too */
	sched_exit_code((int)a[0]);
}

int64_t sys_thread_exit(const uint64_t a[SYS_ARGS_MAX])
{
	sched_exit_code((int)a[0]);
}

int64_t sys_thread(const uint64_t a[SYS_ARGS_MAX])
{
	struct HalRange r = hal_mmu_user_range();
	PROC_OR_ESRCH(p);

	if (a[0] < r.lo || a[0] >= r.hi || a[1] <= r.lo || a[1] > r.hi ||
	    (a[1] & 15))
		return -AE_EINVAL;
	return proc_thread(p, a[0], a[1], a[2]);
}


int64_t sys_write(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc *p = proc_self();
	int h = p ? proc_fd_get(p, (int)a[0]) :
		(a[0] == 1 || a[0] == 2) ? PROC_FD_CONSOLE : -AE_EBADF;
	int rc;
	BOUNCE_OR_EFAULT(bounce);

	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	rc = user_copy(bounce, a[1], a[2], false);
	if (rc)
		return rc;
	if (h == PROC_FD_CONSOLE) {
		klog_write(bounce, a[2]);
		return (int64_t)a[2];
	}
	return node_write(h, bounce, (uint32_t)a[2]);
}

int64_t sys_getpid(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc *p = proc_self();

	(void)a;
	return p ? proc_pid(p) : sched_self();
}

int64_t sys_yield(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	sched_yield();
	return 0;
}

int64_t sys_sleep(const uint64_t a[SYS_ARGS_MAX])
{
	return sched_sleep_ns(a[0]);
}

int64_t sys_affinity(const uint64_t a[SYS_ARGS_MAX])
{
	int me = sched_self(), rc;

	if (a[0]) {
		rc = sched_set_affinity(me, a[0]);
		if (rc)
			return rc;
	}
	return sched_cpu_of(me);
}

int64_t sys_clock(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return (int64_t)clock_ns();
}

int64_t sys_cycles(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return (int64_t)hal_cycles();
}

int64_t sys_uname(const uint64_t a[SYS_ARGS_MAX])
{
	char text[64];
	int n = ksnprintf(text, sizeof(text), "Aegis %s %s\n", AEGIS_VERSION,
			  hal_arch_name());
	uint64_t len;
	int rc;

	if (n < 0)
		return -AE_EINVAL;
	if ((size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1;
	len = (uint64_t)n < a[1] ? (uint64_t)n : a[1];
	rc = user_copy(text, a[0], len, true);

	return rc ? rc : (int64_t)len;
}

/* ---- processes -------------------------------------------------------- */

/* A NUL-terminated copy of a user string of len bytes. */
static int user_string(char *out, size_t size, uint64_t va, uint64_t len)
{
	int rc;

	if (len == 0 || len >= size)
		return -AE_EINVAL;
	rc = user_copy(out, va, len, false);
	if (rc)
		return rc;
	out[len] = '\0';
	return strlen(out) == len ? 0 : -AE_EINVAL;
}

/* The calling process and a string argument of it (the calls that
 * name something: a program, a topic, a path). */
static int named(struct proc **p, char *out, size_t size, uint64_t va,
		 uint64_t len)
{
	*p = proc_self();
	return *p ? user_string(out, size, va, len) : -AE_ESRCH;
}

int64_t sys_spawn(const uint64_t a[SYS_ARGS_MAX])
{
	char name[24];
	struct proc *p;
	int rc = named(&p, name, sizeof(name), a[0], a[1]);

	if (rc)
		return rc;
	return proc_spawn(name, proc_pid(p),
			  proc_privileged(p) && !(a[2] & ABI_SPAWN_UNPRIV) ?
			  PROC_SPAWN_PRIV : 0);
}

int64_t sys_wait(const uint64_t a[SYS_ARGS_MAX])
{
	int32_t code = 0;
	int rc;
	PROC_OR_ESRCH(p);

	rc = proc_wait(p, (int)a[0], &code, a[2]);
	if (rc < 0)
		return rc;
	return user_copy(&code, a[1], sizeof(code), true) ?: rc;
}

/* ---- memory ------------------------------------------------------------ */

static uint32_t hal_prot(uint64_t prot)
{
	return HAL_PROT_USER | (prot & ABI_PROT_READ ? HAL_PROT_READ : 0) |
	       (prot & ABI_PROT_WRITE ? HAL_PROT_WRITE : 0) |
	       (prot & ABI_PROT_EXEC ? HAL_PROT_EXEC : 0);
}

/* The range must be whole pages inside the user range. */
static int user_range(uint64_t va, uint64_t len)
{
	struct HalRange r = hal_mmu_user_range();

	if ((va | len) & (PAGE - 1) || !len)
		return -AE_EINVAL;
	if (va < r.lo || va >= r.hi || len > r.hi - va)
		return -AE_EFAULT;
	return 0;
}

static int64_t protect_rc(uint64_t prot)
{
	if ((prot & ABI_PROT_WRITE) && (prot & ABI_PROT_EXEC))
		return -AE_EINVAL;	/* never writable and executable */
	if (!(prot & (ABI_PROT_READ | ABI_PROT_WRITE | ABI_PROT_EXEC)))
		return -AE_EINVAL;
	return 0;
}

/* Pages a map or unmap of len bytes moves (mm refuses a len that is not
 * whole pages, and the quota is only charged for what mm took). */
static int64_t pages_of(uint64_t len)
{
	return (int64_t)(len / 4096);
}

int64_t sys_map(const uint64_t a[SYS_ARGS_MAX])
{
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_range(a[0], a[1]) ?: protect_rc(a[2]) ?:
	     proc_charge(p, PROC_Q_PAGES, pages_of(a[1]));
	if (rc)
		return rc;
	rc = mm_as_map(proc_as(p), a[0], a[1], hal_prot(a[2]));
	if (rc)
		proc_charge(p, PROC_Q_PAGES, -pages_of(a[1]));
	return rc;
}

int64_t sys_unmap(const uint64_t a[SYS_ARGS_MAX])
{
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_range(a[0], a[1]) ?: mm_as_unmap(proc_as(p), a[0], a[1]);
	if (rc == 0)	/* a range inside one mapping: all of it was mapped */
		proc_charge(p, PROC_Q_PAGES, -pages_of(a[1]));
	return rc;
}

int64_t syscall_protect(uint64_t va, uint64_t len, uint64_t prot)
{
	PROC_OR_ESRCH(p);

	int64_t rc = user_range(va, len);

	if (rc)
		return rc;
	if (prot & ~(uint64_t)(ABI_PROT_READ | ABI_PROT_WRITE |
			       ABI_PROT_EXEC) ||
	    (prot && !(prot & ABI_PROT_READ)))
		return -AE_EINVAL;
	if (prot && (rc = protect_rc(prot)))
		return rc;
	return mm_as_protect(proc_as(p), va, len, hal_prot(prot));
}

int64_t sys_protect(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return user_range(a[0], a[1]) ?: protect_rc(a[2]) ?:
	       mm_as_protect(proc_as(p), a[0], a[1], hal_prot(a[2]));
}

/* ---- the bus ------------------------------------------------------------ */

#define CALL_TIMEOUT_NS 5000000000ull

int64_t sys_lookup(const uint64_t a[SYS_ARGS_MAX])
{
	char name[BUS_NAME_MAX];
	struct proc *p;
	int rc = named(&p, name, sizeof(name), a[1], a[2]);

	if (rc)
		return rc;
	if (a[0] == ABI_LOOKUP_SERVICE)
		return bus_svc_find(name);
	rc = bus_topic_find(name);
	if (rc == -AE_ENOENT && strncmp(name, "user.", 5) == 0) {
		/* the processes' own, counted against the one that made it */
		rc = bus_pattern_check(name, NULL) ?:
		     proc_charge(p, PROC_Q_TOPICS, 1);
		if (rc == 0) {
			rc = bus_topic(name);
			if (rc == -AE_ENOSPC && proc_reclaim_topics())
				rc = bus_topic(name);	/* root: the table */
			if (rc < 0)
				proc_charge(p, PROC_Q_TOPICS, -1);
			else
				proc_topic_held(p, rc, true);
		}
		return rc;
	}
	if (rc >= 0)
		proc_topic_held(p, rc, false);	/* it keeps the id alive */
	return rc;
}

static int topic_ok(uint64_t t)
{
	return t < BUS_TOPIC_MAX && bus_topic_live((bus_topic_t)t) ? 0
								   : -AE_EINVAL;
}

int64_t sys_publish(const uint64_t a[SYS_ARGS_MAX])
{
	int rc;
	PROC_OR_ESRCH(p);
	BOUNCE_OR_EFAULT(bounce);

	rc = topic_ok(a[0]) ?: user_copy(bounce, a[1], a[2], false);
	if (rc)
		return rc;
	return bus_publish_as(proc_svc(p), (bus_topic_t)a[0], (int)a[3],
			      bounce, a[2]);
}

int64_t sys_send(const uint64_t a[SYS_ARGS_MAX])
{
	int rc;
	PROC_OR_ESRCH(p);
	BOUNCE_OR_EFAULT(bounce);

	rc = topic_ok(a[1]) ?: user_copy(bounce, a[2], a[3], false);
	if (rc)
		return rc;
	if (!bus_svc_name((bus_svc_t)a[0]))
		return -AE_EINVAL;
	return bus_send_as(proc_svc(p), (bus_svc_t)a[0], (bus_topic_t)a[1],
			   BUS_PRIO_DEFAULT, bounce, a[3]);
}

int64_t sys_call(const uint64_t a[SYS_ARGS_MAX])
{
	struct bus_msg reply;
	uint64_t n;
	int rc;
	PROC_OR_ESRCH(p);
	BOUNCE_OR_EFAULT(bounce);

	rc = topic_ok(a[1]) ?: user_copy(bounce, a[2], a[3], false);
	if (rc)
		return rc;
	if (!bus_svc_name((bus_svc_t)a[0]))
		return -AE_EINVAL;
	rc = sched_call_as(proc_svc(p), (bus_svc_t)a[0], (bus_topic_t)a[1],
			   bounce, a[3], &reply, CALL_TIMEOUT_NS);
	if (rc)
		return rc;
	n = reply.len < a[5] ? reply.len : a[5];
	return user_copy(reply.data, a[4], n, true) ?: (int64_t)n;
}

int64_t sys_subscribe(const uint64_t a[SYS_ARGS_MAX])
{
	char pattern[BUS_NAME_MAX];
	struct proc *p;
	int rc = named(&p, pattern, sizeof(pattern), a[0], a[1]);

	if (rc)
		return rc;
	if (bus_pattern_check(pattern, NULL))
		return -AE_EINVAL;
	/* a subscription is not a message, so no rule sees it: the gateway
	 * keeps processes without privilege to their own topics */
	if (!proc_privileged(p) && strncmp(pattern, "user.", 5) != 0)
		return -AE_EPERM;
	rc = proc_charge(p, PROC_Q_SUBS, 1);
	if (rc)
		return rc;
	rc = bus_subscribe(proc_svc(p), pattern, NULL);
	if (rc)
		proc_charge(p, PROC_Q_SUBS, -1);
	return rc;
}

int64_t sys_receive(const uint64_t a[SYS_ARGS_MAX])
{
	struct abi_msg m;
	int rc;
	PROC_OR_ESRCH(p);

	rc = proc_receive(p, &m, a[1]);
	if (rc)
		return rc;
	return user_copy(&m, a[0], sizeof(m), true);
}

/* ---- files -------------------------------------------------------------- */

static struct node_cred cred(const struct proc *p)
{
	uint32_t id = proc_privileged(p) ? 0 : PROC_UID_USER;

	return (struct node_cred){ id, id, proc_pid(p) };
}

int64_t sys_open(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	struct proc *p;
	int rc = named(&p, path, sizeof(path), a[0], a[1]), h;

	if (rc)
		return rc;
	if (!a[2])
		return -AE_EINVAL;
	h = node_open(path, (uint32_t)a[2], cred(p));
	if (h < 0)
		return h;
	rc = proc_fd_add(p, h);
	if (rc < 0)
		node_close(h);
	return rc;
}

/* A file's handle in the namespace (the console is not one). */
static int file(const struct proc *p, uint64_t fd)
{
	int h = proc_fd_get(p, (int)fd);

	return h == PROC_FD_CONSOLE ? -AE_EBADF : h;
}

int64_t sys_read(const uint64_t a[SYS_ARGS_MAX])
{
	int h, n;
	PROC_OR_ESRCH(p);
	BOUNCE_OR_EFAULT(bounce);

	h = file(p, a[0]);
	if (h < 0)
		return h;
	n = node_read(h, bounce, (uint32_t)a[2]);
	if (n < 0)
		return n;
	return user_copy(bounce, a[1], (uint64_t)n, true) ?: n;
}

int64_t sys_close(const uint64_t a[SYS_ARGS_MAX])
{
	int h;
	PROC_OR_ESRCH(p);

	h = proc_fd_remove(p, (int)a[0]);
	if (h == PROC_FD_CONSOLE)
		return 0;
	return h < 0 ? h : node_close(h);
}

int64_t sys_ioctl(const uint64_t a[SYS_ARGS_MAX])
{
	int h, rc;
	PROC_OR_ESRCH(p);
	BOUNCE_OR_EFAULT(bounce);

	h = file(p, a[0]);
	if (h < 0)
		return h;
	rc = user_copy(bounce, a[2], a[3], false);
	if (rc)
		return rc;
	rc = node_ioctl(h, (uint32_t)a[1], bounce, (uint32_t)a[3]);
	if (rc < 0)
		return rc;
	return user_copy(bounce, a[2], a[3], true) ?: rc;
}

int64_t sys_stat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	struct node_stat st;
	struct abi_stat u;
	struct proc *p;
	int rc = named(&p, path, sizeof(path), a[0], a[1]);

	if (rc)
		return rc;
	rc = node_stat(path, &st, cred(p));
	if (rc)
		return rc;
	u.kind = st.kind;
	u.mode = st.mode;
	u.uid = st.uid;
	u.gid = st.gid;
	u.size = st.size;
	return user_copy(&u, a[2], sizeof(u), true);
}

int64_t sys_readdir(const uint64_t a[SYS_ARGS_MAX])
{
	struct node_dirent d;
	struct abi_dirent u;
	int h, rc;
	PROC_OR_ESRCH(p);

	h = file(p, a[0]);
	if (h < 0)
		return h;
	rc = node_readdir(h, (uint32_t)a[1], &d);
	if (rc)
		return rc;
	memcpy(u.name, d.name, sizeof(u.name));
	u.name[sizeof(u.name) - 1] = '\0';
	u.kind = d.kind;
	return user_copy(&u, a[2], sizeof(u), true) ?:
	       (int64_t)(d.next ? d.next : a[1] + 1);
}

int64_t sys_seek(const uint64_t a[SYS_ARGS_MAX])
{
	int h;
	PROC_OR_ESRCH(p);

	h = file(p, a[0]);
	if (h < 0)
		return h;
	return node_seek(h, (int64_t)a[1], (uint32_t)a[2]);
}

/* ---- the machine ---------------------------------------------------------- */

static int64_t power(const char *topic)
{
	int svc = bus_svc_find("power"), t = bus_topic(topic);
	PROC_OR_ESRCH(p);

	if (svc < 0 || t < 0)
		return -AE_ENODEV;
	/* in the process's name: the rules decide (aegis/proc.h) */
	return sched_call_as(proc_svc(p), (bus_svc_t)svc, (bus_topic_t)t,
			     NULL, 0, NULL, CALL_TIMEOUT_NS);
}

int64_t sys_reboot(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return power("power.reboot");
}

int64_t sys_poweroff(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return power("power.off");
}

/* Each thread's system call under way (fork copies its registers). */
static struct HalSyscall *calls[SCHED_THREADS_MAX];

const struct HalSyscall *syscall_current(void)
{
	int me = sched_self();

	return me >= 0 && me < SCHED_THREADS_MAX ? calls[me] : NULL;
}

void kernel_syscall(struct HalSyscall *s)
{
	struct HalRange r = hal_mmu_user_range();
	struct user_mem m = { r.lo, r.hi, lookup, NULL };
	int me = sched_self();

	if (me >= 0 && me < SCHED_THREADS_MAX)
		calls[me] = s;
	/* a Linux program's calls are Linux's (docs/LINUX_ABI.md) */
	if (sched_caller_linux()) {
		/* a process told to stop stops before its next call (as
		 * Linux's would before its next instruction) */
		(void)linux_sig_due();
		s->ret = linux_syscall(s->nr, s->args, &m);
		linux_signal_return(s);	/* a handler, or the call again */
	} else
		s->ret = syscall_gate(s->nr, s->args, &m);
	if (sched_killed())	/* its process is ending */
		sched_exit_code(0);
}

const char *user_fault_hint(uint64_t pc)
{
#if defined(__x86_64__)
	/* the HAL's SYSCALL target (AArch64 has none: svc is an exception) */
	if (pc == (uint64_t)(uintptr_t)hal_syscall_entry)
		return "the kernel's system-call entry ran in user mode: this "
		       "hypervisor did not switch privilege on SYSCALL (nested "
		       "KVM such as kvm_pvm); run under TCG (accel=tcg)";
#else
	(void)pc;
#endif
	return NULL;
}

/* A page fault in user mode, before it is the thread's end: mm resolves
 * a write to a copy-on-write page, and answers 0 as well for a page that
 * allows the access by now (a copy was being put in place). Interrupts
 * masked on entry and return; from user mode, so no lock is held. */
bool kernel_user_page_fault(const struct HalUserFault *f)
{
	struct proc *p = proc_self();
	uint32_t want = HAL_PROT_READ;
	int rc;

	if (!p)
		return false;
	if (f->access & HAL_FAULT_WRITE)
		want |= HAL_PROT_WRITE;
	if (f->access & HAL_FAULT_EXEC)
		want = HAL_PROT_EXEC;
	hal_irq_cpu_enable(true);
	rc = mm_as_fault(proc_as(p), f->addr & ~(PAGE - 1), want);
	if (rc == -AE_ENOMEM)
		kprintf("user: pid %d: no memory for its own copy of the page "
			"at %#llx\n", proc_pid(p),
			(unsigned long long)(f->addr & ~(PAGE - 1)));
	if (sched_killed())	/* its process is ending */
		sched_exit_code(0);
	hal_irq_cpu_enable(false);
	return rc == 0;
}

/* One line (two, when there is more to say), then the thread ends; the
 * kernel and other threads go on. */
void kernel_user_fault(const struct HalUserFault *f)
{
	int me = sched_self();
	const char *name = sched_name(me);
	struct proc *p = proc_self();
	int sig = 0;
	char who[32];

	/* a Linux thread's fault is a signal its handler may take (it came
	 * from user mode: no lock is held) */
	if (p && sched_caller_linux()) {
		hal_irq_cpu_enable(true);
		sig = linux_user_fault(f);
		if (sched_killed())
			sched_exit_code(0);
	}
	if (p)
		ksnprintf(who, sizeof(who), "pid %d, thread %d", proc_pid(p),
			  me);
	else
		ksnprintf(who, sizeof(who), "thread %d", me);
	kprintf("user: %s (%s) killed: %s at pc %#llx, address %#llx\n",
		name ? name : "?", who, f->name, (unsigned long long)f->pc,
		(unsigned long long)f->addr);
	if (user_fault_hint(f->pc))
		kprintf("user: %s: %s\n", name ? name : "?",
			user_fault_hint(f->pc));
	if (me < 0)
		panic("user fault outside a thread");
	/* It came from user mode: no kernel lock is held on this stack, and
	 * what follows takes the bus lock, whose holder may be waiting for
	 * this CPU to answer a TLB shootdown. */
	hal_irq_cpu_enable(true);
	if (p)	/* the whole process; a Linux one by the fault's signal */
		proc_exit(p, sig ? PROC_SIGNALED(sig) : -AE_EFAULT);
	sched_exit_code(-AE_EFAULT);
}
