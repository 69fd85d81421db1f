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

/* The checks, inlined into the gate (a call fewer on every system call:
 * under TCG each return is a lookup). */
static inline __attribute__((always_inline)) int check_desc(
	const struct syscall_desc *d, const uint64_t a[SYS_ARGS_MAX],
	const struct user_mem *m)
{
	int rc;

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
		uint64_t len;

		if (g->kind != SYS_ARG_IN && g->kind != SYS_ARG_OUT &&
		    g->kind != SYS_ARG_IN_OPT && g->kind != SYS_ARG_OUT_OPT)
			continue;
		if ((g->kind == SYS_ARG_IN_OPT || g->kind == SYS_ARG_OUT_OPT) &&
		    a[i] == 0)
			continue;	/* NULL: none lent */
		if (g->len == SYS_LEN_FIXED) {
			len = g->limit;
		} else {
			len = a[g->len];
			/* a count: what the call will do of it, at most */
			if (d->arg[g->len].kind == SYS_ARG_COUNT &&
			    len > d->arg[g->len].limit)
				len = d->arg[g->len].limit;
		}
		rc = check_buffer(m, a[i], len, g->kind == SYS_ARG_OUT ||
				  g->kind == SYS_ARG_OUT_OPT);
		if (rc)
			return rc;
	}
	return 0;
}

int syscall_check_desc(const struct syscall_desc *d,
		       const uint64_t a[SYS_ARGS_MAX], const struct user_mem *m)
{
	return check_desc(d, a, m);
}

int syscall_check(uint64_t nr, const uint64_t a[SYS_ARGS_MAX],
		  const struct user_mem *m)
{
	if (nr >= SYS_COUNT)
		return -AE_ENOSYS;
	return syscall_check_desc(&syscall_table[nr], a, m);
}

/* A count handed on as what the call may do (its own frame: the common
 * path has no array to guard). */
static __attribute__((noinline)) int64_t run_capped(
	const struct syscall_desc *d, const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX];

	for (unsigned int i = 0; i < SYS_ARGS_MAX; i++)
		b[i] = i < d->nargs && d->arg[i].kind == SYS_ARG_COUNT &&
		       a[i] > d->arg[i].limit ? d->arg[i].limit : a[i];
	return d->fn(b);
}

static inline __attribute__((always_inline)) int64_t run(
	const struct syscall_desc *d, const uint64_t a[SYS_ARGS_MAX],
	const struct user_mem *m)
{
	int rc = check_desc(d, a, m);

	if (rc)
		return rc;
	for (unsigned int i = 0; i < d->nargs; i++)
		if (d->arg[i].kind == SYS_ARG_COUNT && a[i] > d->arg[i].limit)
			return run_capped(d, a);
	return d->fn(a);
}

int64_t syscall_run(const struct syscall_desc *d,
		    const uint64_t a[SYS_ARGS_MAX], const struct user_mem *m)
{
	return run(d, a, m);
}

int64_t syscall_gate(uint64_t nr, const uint64_t a[SYS_ARGS_MAX],
		     const struct user_mem *m)
{
	if (nr >= SYS_COUNT)
		return -AE_ENOSYS;
	return run(&syscall_table[nr], a, m);
}
