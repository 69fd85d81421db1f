/*
 * aegis/syscall.h - the system-call gateway (kernel/syscall_gate.c).
 *
 * Every call is described once in kernel/syscalls.def; the generated
 * table (aegis/syscalls.h) says what each argument is, and the gateway
 * checks them all before the handler runs:
 *
 *   uint   at most its limit             else -EINVAL
 *   fd     0..SYS_FD_MAX-1               else -EBADF
 *   flags  no bit outside the mask       else -EINVAL
 *   size   at most its limit             else -E2BIG
 *   in     len bytes (the size argument it names, or a fixed length)
 *          inside the user range, every page mapped for user mode and
 *          readable                      else -EFAULT
 *   out    the same, writable            else -EFAULT
 *
 * Scalars are checked first, in order, then the buffers (so a length
 * that is too large is -E2BIG, not -EFAULT). An empty buffer (length 0)
 * is fine wherever it points. An unknown number is -ENOSYS.
 */
#ifndef AEGIS_SYSCALL_H
#define AEGIS_SYSCALL_H

#include <aegis/syscalls.h>

/* Protection bits a lookup reports: the HAL's HAL_PROT_READ, _WRITE and
 * _USER (kernel/syscall.c checks they agree). */
#define USER_PROT_READ	(1u << 0)
#define USER_PROT_WRITE	(1u << 1)
#define USER_PROT_USER	(1u << 3)

/* How the caller's memory looks: its user range and a lookup of one
 * page's protection (USER_PROT_* bits) in its address space: 0, or
 * -ENOENT for a page not mapped. */
struct user_mem {
	uint64_t lo, hi;
	int (*lookup)(void *ctx, uint64_t va, uint32_t *prot);
	void *ctx;
};

/* syscall_check_desc - 0 if every argument of the call d describes
 * passes, else the error of the first that does not. An IN_OPT/OUT_OPT
 * buffer may be NULL; a buffer whose length is a COUNT is checked for
 * at most the count's limit. syscall_run - check, then run d's handler
 * (a COUNT argument handed on as at most its limit). */
int syscall_check_desc(const struct syscall_desc *d,
		       const uint64_t a[SYS_ARGS_MAX], const struct user_mem *m);
int64_t syscall_run(const struct syscall_desc *d,
		    const uint64_t a[SYS_ARGS_MAX], const struct user_mem *m);

/* syscall_check - 0 if every argument of call nr passes, else the error
 * of the first that does not (or -ENOSYS). */
int syscall_check(uint64_t nr, const uint64_t a[SYS_ARGS_MAX],
		  const struct user_mem *m);

/* syscall_gate - check, then run the handler: its result, or the
 * check's error. */
int64_t syscall_gate(uint64_t nr, const uint64_t a[SYS_ARGS_MAX],
		     const struct user_mem *m);

/* syscall_copy - copy len bytes between the kernel buffer kbuf and the
 * calling thread's user address va (to_user: into user memory), page by
 * page through the direct map, each page checked for user access (and
 * write, to user): 0 or -EFAULT. kernel/syscall.c; thread context. */
int syscall_copy(void *kbuf, uint64_t va, uint64_t len, bool to_user);

/* syscall_protect - the calling process's pages [va, va + len) get prot
 * (ABI_PROT_*), which may be 0 here (PROT_NONE: the pages and their
 * contents stay, any access faults), unlike the native protect call;
 * protect's errors. The Linux personality's mprotect and mmap. */
int64_t syscall_protect(uint64_t va, uint64_t len, uint64_t prot);

/* syscall_current - the calling thread's system call under way (its
 * registers: hal_syscall_regs), or NULL outside one. */
struct HalSyscall;
const struct HalSyscall *syscall_current(void);

/* syscall_user_mem - the calling thread's memory as the gateway sees it
 * (its user range, its page lookup), to check a call's arguments found
 * in user memory (a writev's buffers). kernel/syscall.c. */
void syscall_user_mem(struct user_mem *m);

/*
 * user_fault_hint - what a user fault at pc means beyond its name, or
 * NULL. A fault at the kernel's own system-call entry (x86_64) means the
 * CPU ran it still in user mode: SYSCALL did not switch privilege, which
 * happens under a nested hypervisor like kvm_pvm (docs/TESTING.md) and
 * never on a CPU or under TCG, so the report says so.
 */
const char *user_fault_hint(uint64_t pc);

#endif
