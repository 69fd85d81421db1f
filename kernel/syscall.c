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
 * every call; docs/SCHEDULER.md how user mode works).
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/sched.h>
#include <aegis/syscall.h>

#define PAGE 4096ull

_Static_assert(USER_PROT_READ == HAL_PROT_READ &&
	       USER_PROT_WRITE == HAL_PROT_WRITE &&
	       USER_PROT_USER == HAL_PROT_USER, "protection bits");

/* The caller's address space is the active one. */
static int lookup(void *ctx, uint64_t va, uint32_t *prot)
{
	uint64_t pa;

	(void)ctx;
	return hal_mmu_lookup(va, &pa, prot);
}

/* Copy between a checked user buffer and the kernel, page by page
 * through the direct map. */
static int user_copy(void *kbuf, uint64_t va, uint64_t len, bool to_user)
{
	uint64_t off = hal_direct_map().offset;

	while (len) {
		uint64_t pa, n = PAGE - (va & (PAGE - 1));
		uint32_t prot;
		char *u;

		if (n > len)
			n = len;
		if (hal_mmu_lookup(va & ~(PAGE - 1), &pa, &prot))
			return -AE_EFAULT;
		u = (char *)(uintptr_t)(pa + (va & (PAGE - 1)) + off);
		if (to_user)
			memcpy(u, kbuf, n);
		else
			memcpy(kbuf, u, n);
		kbuf = (char *)kbuf + n;
		va += n;
		len -= n;
	}
	return 0;
}

int64_t sys_exit(const uint64_t a[SYS_ARGS_MAX])
{
	sched_exit_code((int)a[0]);
}

int64_t sys_write(const uint64_t a[SYS_ARGS_MAX])
{
	static char text[4096];
	int rc;

	if (a[0] != 1 && a[0] != 2)
		return -AE_EBADF;
	rc = user_copy(text, a[1], a[2], false);
	if (rc)
		return rc;
	klog_write(text, a[2]);
	return (int64_t)a[2];
}

int64_t sys_getpid(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return sched_self();
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

int64_t sys_clock(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t c = hal_cycles(), hz = hal_cycles_per_sec();

	(void)a;
	return (int64_t)(c / hz * 1000000000ull + c % hz * 1000000000ull / hz);
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

void kernel_syscall(struct HalSyscall *s)
{
	struct HalRange r = hal_mmu_user_range();
	struct user_mem m = { r.lo, r.hi, lookup, NULL };

	s->ret = syscall_gate(s->nr, s->args, &m);
}

/* One line, then the thread ends; the kernel and other threads go on. */
void kernel_user_fault(const struct HalUserFault *f)
{
	int me = sched_self();
	const char *name = sched_name(me);

	kprintf("user: %s (thread %d) killed: %s at pc %#llx, address "
		"%#llx\n", name ? name : "?", me, f->name,
		(unsigned long long)f->pc, (unsigned long long)f->addr);
	if (me < 0)
		panic("user fault outside a thread");
	sched_exit_code(-AE_EFAULT);
}
