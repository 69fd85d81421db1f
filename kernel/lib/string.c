/*
 * string.c - memory and string functions for the freestanding kernel.
 *
 * memcpy, memmove and memset move eight bytes at a time where source and
 * destination agree on alignment modulo 8 (pages, file images, frames:
 * every large copy the kernel makes), bytes at the ragged ends and
 * otherwise. A byte loop cost eight instructions a byte: under QEMU's TCG
 * an exec of a 2 MB program spent tens of milliseconds in it (reading the
 * file, zeroing frames, filling them; docs/PERFORMANCE_NOTES.md). The
 * rest are plain byte loops. Host unit tests build this file with its
 * symbols renamed (test/unit/kernel/lib/) and compare it with the C
 * library.
 */
#include <stdint.h>
#include <string.h>

/* A word that may alias anything (the kernel copies structures of every
 * type through these). */
typedef uint64_t __attribute__((may_alias)) word_t;

/* The loops below must stay loops: a compiler that saw memcpy or memset
 * in them would make them call themselves. */
#define NO_LIBCALL	__attribute__((optimize("no-tree-loop-distribute-patterns")))

#define WORD		sizeof(word_t)
#define MISALIGNED(p)	((uintptr_t)(p) & (WORD - 1))

/* Copies forward; the callers make sure words may be used (n is large
 * enough and both pointers are misaligned alike). */
NO_LIBCALL static void copy_up(unsigned char *d, const unsigned char *s,
				 size_t n)
{
	word_t *dw;
	const word_t *sw;

	while (MISALIGNED(d)) {
		*d++ = *s++;
		n--;
	}
	dw = (word_t *)d;
	sw = (const word_t *)s;
	for (; n >= 4 * WORD; n -= 4 * WORD, dw += 4, sw += 4) {
		word_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];

		dw[0] = a;
		dw[1] = b;
		dw[2] = c;
		dw[3] = e;
	}
	for (; n >= WORD; n -= WORD)
		*dw++ = *sw++;
	d = (unsigned char *)dw;
	s = (const unsigned char *)sw;
	while (n--)
		*d++ = *s++;
}

/* The same backwards, from the ends (d, s: one past the last byte). */
NO_LIBCALL static void copy_down(unsigned char *d, const unsigned char *s,
				   size_t n)
{
	word_t *dw;
	const word_t *sw;

	while (MISALIGNED(d)) {
		*--d = *--s;
		n--;
	}
	dw = (word_t *)d;
	sw = (const word_t *)s;
	for (; n >= WORD; n -= WORD)
		*--dw = *--sw;
	d = (unsigned char *)dw;
	s = (const unsigned char *)sw;
	while (n--)
		*--d = *--s;
}

static int words_fit(const void *d, const void *s, size_t n)
{
	return n >= 2 * WORD && MISALIGNED(d) == MISALIGNED(s);
}

NO_LIBCALL
void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (words_fit(d, s, n)) {
		copy_up(d, s, n);
		return dst;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* forward when the destination is below the source (or the two
	 * do not overlap): each word is read before it is overwritten */
	if (d < s || d >= s + n) {
		if (words_fit(d, s, n) && (d + WORD <= s || d >= s + n))
			copy_up(d, s, n);
		else
			while (n--)
				*d++ = *s++;
	} else if (words_fit(d, s, n) && s + WORD <= d) {
		copy_down(d + n, s + n, n);
	} else {
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

NO_LIBCALL
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t w = (unsigned char)c * (word_t)0x0101010101010101ull;
	word_t *dw;

	if (n >= 2 * WORD) {
		while (MISALIGNED(d)) {
			*d++ = (unsigned char)c;
			n--;
		}
		dw = (word_t *)d;
		for (; n >= 4 * WORD; n -= 4 * WORD, dw += 4) {
			dw[0] = w;
			dw[1] = w;
			dw[2] = w;
			dw[3] = w;
		}
		for (; n >= WORD; n -= WORD)
			*dw++ = w;
		d = (unsigned char *)dw;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n == 0 ? (char *)haystack : NULL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/*
 * strtoul - as in C: optional space and sign, base 0 detects 0x/0 prefixes.
 * On overflow returns ULONG_MAX (there is no errno in the kernel; callers
 * that care use kernel/boot_params.c's checked parser).
 */
unsigned long strtoul(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v = 0;
	int neg = 0, any = 0, over = 0, d;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (; (d = digit_value(*p)) < base; p++) {
		any = 1;
		if (v > (~0UL - (unsigned long)d) / (unsigned long)base)
			over = 1;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (over)
		return ~0UL;
	return neg ? -v : v;
}
