/*
 * format.c - kvsnprintf, the kernel's printf engine.
 *
 * One pass over the format; output goes through put() which counts every
 * character but stores only while there is room, which gives C99's
 * "would have written" return value for free.
 */
#include <aegis/kprintf.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static size_t strlen_inline(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum {
	F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16,
	F_PTR = 32,	/* %p: "0x" always, even for a null pointer */
};

static void put_str(struct out *o, const char *s, int width, int prec,
		    int flags)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while ((prec < 0 || n < prec) && s[n])
		n++;
	if (!(flags & F_LEFT))
		pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		pad(o, ' ', width - n);
}

static void put_num(struct out *o, unsigned long long v, bool neg,
		    unsigned int base, bool upper, int width, int prec,
		    int flags)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, total;
	bool prec_given = prec >= 0;	/* C: an explicit one disables '0' */
	const char *prefix = "";
	int plen;

	while (v) {
		tmp[n++] = dig[v % base];
		v /= base;
	}
	/* Precision 0 with value 0 prints no digits, as in C. */
	if (n == 0 && prec != 0)
		tmp[n++] = '0';
	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	if (((flags & F_ALT) && base == 16 && n > 0 &&
	     !(n == 1 && tmp[0] == '0')) || (flags & F_PTR))
		prefix = upper ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0') &&
	    prec <= n)
		prec = n + 1;
	plen = (int)strlen_inline(prefix);
	zeros = prec > n ? prec - n : 0;
	total = plen + zeros + n;
	if ((flags & F_ZERO) && !(flags & F_LEFT) && !prec_given &&
	    width > total)
		zeros += width - total, total = width;
	if (!(flags & F_LEFT))
		pad(o, ' ', width - total);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', width - total);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	while (*fmt) {
		const char *start = fmt;
		int flags = 0, width = 0, prec = -1, lng = 0;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0)
				flags |= F_LEFT, width = -width;
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* lng: -2 hh, -1 h, 0 int, 1 long, 2 long long/size/intmax */
		if (*fmt == 'h') {
			lng = -1;
			if (*++fmt == 'h')
				lng = -2, fmt++;
		} else if (*fmt == 'l') {
			lng = 1;
			if (*++fmt == 'l')
				lng = 2, fmt++;
		} else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
			lng = 2;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng == 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else
				s = va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng == -2)
				s = (signed char)s;
			u = s < 0 ? 0ULL - (unsigned long long)s
				  : (unsigned long long)s;
			put_num(&o, u, s < 0, 10, false, width, prec, flags);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng == 2)
				u = va_arg(ap, unsigned long long);
			else if (lng == 1)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng == -2)
				u = (unsigned char)u;
			put_num(&o, u, false,
				*fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				*fmt == 'X', width, prec,
				flags & ~(F_PLUS | F_SPACE));
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			put_num(&o, u, false, 16, false, width, prec,
				F_PTR | (flags & F_LEFT));
			break;
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), width, prec,
				flags);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown conversion: copy it out so the bug shows. */
			while (start < fmt + (*fmt ? 1 : 0))
				put(&o, *start++);
			if (!*fmt)
				goto done;
			break;
		}
		fmt++;
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
