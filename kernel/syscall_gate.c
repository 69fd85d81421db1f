/*
 * syscall_gate.c - the system-call gateway's checks (see aegis/syscall.h):
 * driven by the table tools/gen_syscalls.py makes from
 * kernel/syscalls.def. Pure: the caller's memory is seen through a
 * lookup, so the host tests drive it with made-up address spaces.
 */
#include <aegis/errno.h>
#include <aegis/syscall.h>

#define PAGE 4096ull

static int check_buffer(const struct user_mem *m, uint64_t va, uint64_t len,
			bool write)
{
	uint64_t page, last;

	if (len == 0)
		return 0;
	if (va < m->lo || va >= m->hi || len > m->hi - va)
		return -AE_EFAULT;
	last = (va + len - 1) & ~(PAGE - 1);
	for (page = va & ~(PAGE - 1);; page += PAGE) {
		uint32_t prot;

		if (m->lookup(m->ctx, page, &prot) ||
		    !(prot & USER_PROT_USER) || !(prot & USER_PROT_READ) ||
		    (write && !(prot & USER_PROT_WRITE)))
			return -AE_EFAULT;
		if (page == last)
			return 0;
	}
}

int syscall_check(uint64_t nr, const uint64_t a[SYS_ARGS_MAX],
		  const struct user_mem *m)
{
	const struct syscall_desc *d;
	int rc;

	if (nr >= SYS_COUNT)
		return -AE_ENOSYS;
	d = &syscall_table[nr];
	for (unsigned int i = 0; i < d->nargs; i++) {
		const struct sys_arg *g = &d->arg[i];

		switch (g->kind) {
		case SYS_ARG_UINT:
			if (a[i] > g->limit)
				return -AE_EINVAL;
			break;
		case SYS_ARG_FD:
			if (a[i] >= SYS_FD_MAX)
				return -AE_EBADF;
			break;
		case SYS_ARG_FLAGS:
			if (a[i] & ~g->limit)
				return -AE_EINVAL;
			break;
		case SYS_ARG_SIZE:
			if (a[i] > g->limit)
				return -AE_E2BIG;
			break;
		default:
			break;
		}
	}
	for (unsigned int i = 0; i < d->nargs; i++) {
		const struct sys_arg *g = &d->arg[i];

		if (g->kind != SYS_ARG_IN && g->kind != SYS_ARG_OUT)
			continue;
		rc = check_buffer(m, a[i], g->len == SYS_LEN_FIXED ? g->limit :
				  a[g->len], g->kind == SYS_ARG_OUT);
		if (rc)
			return rc;
	}
	return 0;
}

int64_t syscall_gate(uint64_t nr, const uint64_t a[SYS_ARGS_MAX],
		     const struct user_mem *m)
{
	int rc = syscall_check(nr, a, m);

	if (rc)
		return rc;
	return syscall_table[nr].fn(a);
}
