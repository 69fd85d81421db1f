/*
 * syscall.c - the system-call gateway's entry from the HAL, and what
 * happens to a thread that faults in user mode.
 *
 * The HAL takes a system call (SYSCALL on x86_64, SVC on AArch64) into a
 * struct HalSyscall: the number, six arguments, the result to fill. The
 * calls here are the first two, enough for a user program to speak and
 * end; the description file, its generator and the rest of the calls
 * come next (docs/SCHEDULER.md, "Still to come"):
 *
 *   0  exit(code)                ends the calling thread (and its
 *                                address space); never returns
 *   1  write(fd, buf, len)       fd 1 or 2: the console; the bytes
 *                                written, or -EBADF (another fd),
 *                                -EFAULT (buf not mapped readable for
 *                                user mode, or outside the user range)
 *
 * Unknown numbers are -ENOSYS. A buffer is checked page by page in the
 * active address space (the caller's) before a byte is read, and read
 * through the direct map, never through the user's addresses.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/sched.h>

#define PAGE		4096ull
#define WRITE_MAX	4096u	/* bytes one write moves at most */

/* Copy len bytes from user address va into dst, or -EFAULT. */
static int copy_from_user(void *dst, uint64_t va, uint64_t len)
{
	struct HalRange r = hal_mmu_user_range();
	uint64_t off = hal_direct_map().offset;

	if (va < r.lo || va > r.hi || len > r.hi - va)
		return -AE_EFAULT;
	while (len) {
		uint64_t pa, n = PAGE - (va & (PAGE - 1));
		uint32_t prot;

		if (n > len)
			n = len;
		if (hal_mmu_lookup(va & ~(PAGE - 1), &pa, &prot) ||
		    !(prot & HAL_PROT_USER) || !(prot & HAL_PROT_READ))
			return -AE_EFAULT;
		memcpy(dst, (const void *)(uintptr_t)(pa + (va & (PAGE - 1)) +
						      off), n);
		dst = (char *)dst + n;
		va += n;
		len -= n;
	}
	return 0;
}

static int64_t sys_write(uint64_t fd, uint64_t buf, uint64_t len)
{
	static char text[WRITE_MAX];
	int rc;

	if (fd != 1 && fd != 2)
		return -AE_EBADF;
	if (len > WRITE_MAX)
		len = WRITE_MAX;
	rc = copy_from_user(text, buf, len);
	if (rc)
		return rc;
	klog_write(text, len);
	return (int64_t)len;
}

void kernel_syscall(struct HalSyscall *s)
{
	switch (s->nr) {
	case 0:
		sched_exit_code((int)s->args[0]);
	case 1:
		s->ret = sys_write(s->args[0], s->args[1], s->args[2]);
		break;
	default:
		s->ret = -AE_ENOSYS;
		break;
	}
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
