/*
 * linux_stack.c - a Linux program's stack at its start (aegis/linux.h):
 * the System V AMD64 ABI's and AAPCS64's process start, as Linux's
 * fs/binfmt_elf.c lays it out. From the top down: AT_RANDOM's 16 bytes,
 * the strings (platform, the name it was started as, the environment,
 * the arguments), then, 16-byte aligned, argc, argv[] and NULL, envp[]
 * and NULL, and the auxiliary vector ending in AT_NULL. Pure: the kernel
 * copies the result into the new address space.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/linux.h>

#define PAIRS	19	/* the auxiliary vector's entries, AT_NULL included */

struct layout {
	uint8_t *buf;
	size_t size, pos;	/* buf[pos..size) is used, from the top */
	uint64_t top;
};

static uint64_t va_of(const struct layout *l, size_t pos)
{
	return l->top - (l->size - pos);
}

/* Put n bytes at the top of what is free; their user address. */
static int push(struct layout *l, const void *p, size_t n, uint64_t *va)
{
	if (n > l->pos)
		return -AE_E2BIG;
	l->pos -= n;
	memcpy(l->buf + l->pos, p, n);
	*va = va_of(l, l->pos);
	return 0;
}

static int push_str(struct layout *l, const char *s, uint64_t *va)
{
	if (!s)
		return -AE_EINVAL;
	return push(l, s, strlen(s) + 1, va);
}

int linux_stack(const struct linux_start *s, uint64_t top, uint8_t *buf,
		size_t size, uint64_t *sp)
{
	struct layout l = { buf, size, size, top };
	uint64_t rnd, plat, execfn, *vec, words;
	uint64_t argv_va[64], envp_va[64];
	unsigned int k = 0;
	int rc;

	if ((top | size) & 15 || (uintptr_t)buf & 7)
		return -AE_EINVAL;	/* the vector's words must align */
	if (s->argc > 64 || s->envc > 64)
		return -AE_E2BIG;
	rc = push(&l, s->random, sizeof(s->random), &rnd) ?:
	     push_str(&l, s->platform, &plat) ?:
	     push_str(&l, s->execfn, &execfn);
	for (unsigned int i = s->envc; !rc && i-- > 0;)
		rc = push_str(&l, s->envp[i], &envp_va[i]);
	for (unsigned int i = s->argc; !rc && i-- > 0;)
		rc = push_str(&l, s->argv[i], &argv_va[i]);
	if (rc)
		return rc;
	words = 1 + s->argc + 1 + s->envc + 1 + 2 * PAIRS;
	l.pos &= ~(size_t)15;
	if (words * 8 > l.pos)
		return -AE_E2BIG;
	l.pos = (l.pos - words * 8) & ~(size_t)15;
	vec = (uint64_t *)(void *)(l.buf + l.pos);
	vec[k++] = s->argc;
	for (unsigned int i = 0; i < s->argc; i++)
		vec[k++] = argv_va[i];
	vec[k++] = 0;
	for (unsigned int i = 0; i < s->envc; i++)
		vec[k++] = envp_va[i];
	vec[k++] = 0;
#define AUX(t, v) do { vec[k++] = (t); vec[k++] = (v); } while (0)
	if (s->phdr)
		AUX(LINUX_AT_PHDR, s->phdr);
	AUX(LINUX_AT_PHENT, s->phent);
	AUX(LINUX_AT_PHNUM, s->phnum);
	AUX(LINUX_AT_PAGESZ, 4096);
	AUX(LINUX_AT_BASE, 0);
	AUX(LINUX_AT_FLAGS, 0);
	AUX(LINUX_AT_ENTRY, s->entry);
	AUX(LINUX_AT_UID, s->uid);
	AUX(LINUX_AT_EUID, s->uid);
	AUX(LINUX_AT_GID, s->gid);
	AUX(LINUX_AT_EGID, s->gid);
	AUX(LINUX_AT_PLATFORM, plat);
	AUX(LINUX_AT_HWCAP, s->hwcap);
	AUX(LINUX_AT_CLKTCK, 100);
	AUX(LINUX_AT_SECURE, 0);
	AUX(LINUX_AT_RANDOM, rnd);
	AUX(LINUX_AT_HWCAP2, 0);
	AUX(LINUX_AT_EXECFN, execfn);
	AUX(LINUX_AT_NULL, 0);
#undef AUX
	/* what is left of the words (AT_PHDR left out) stays zero: more
	 * AT_NULLs */
	while (k < words)
		vec[k++] = 0;
	*sp = va_of(&l, l.pos);
	return 0;
}
