/*
 * ldisc.c - the terminal's line discipline (aegis/tty.h): what typed
 * bytes become, as Linux's n_tty makes them. Pure: no bus, no locks; the
 * console's tty (services/console/tty.c) owns one and serialises it.
 */
#include <string.h>
#include <aegis/tty.h>

#define SIGINT	2
#define SIGQUIT	3
#define SIGTSTP	20

static const uint8_t init_cc[LD_NCCS] = {
	[LD_VINTR] = 0x03, [LD_VQUIT] = 0x1c, [LD_VERASE] = 0x7f,
	[LD_VKILL] = 0x15, [LD_VEOF] = 0x04, [LD_VTIME] = 0, [LD_VMIN] = 1,
	[8] = 0x11, [9] = 0x13,			/* VSTART, VSTOP */
	[LD_VSUSP] = 0x1a, [LD_VREPRINT] = 0x12, [13] = 0x0f,	/* VDISCARD */
	[LD_VWERASE] = 0x17, [LD_VLNEXT] = 0x16,
};

void ld_init(struct ldisc *l)
{
	memset(l, 0, sizeof(*l));
	l->t.iflag = LD_ICRNL;
	l->t.oflag = LD_OPOST | LD_ONLCR;
	l->t.cflag = LD_B38400 | LD_CS8 | LD_CREAD | LD_HUPCL;
	l->t.lflag = LD_ISIG | LD_ICANON | LD_ECHO | LD_ECHOE | LD_ECHOK |
		     LD_ECHOCTL | LD_ECHOKE | LD_IEXTEN;
	memcpy(l->t.cc, init_cc, sizeof(init_cc));
}

/* c is the key at index i of c_cc (0 there: disabled, _POSIX_VDISABLE) */
static bool is(const struct ldisc *l, uint8_t c, unsigned int i)
{
	return l->t.cc[i] && c == l->t.cc[i];
}

static bool lflag(const struct ldisc *l, uint32_t f)
{
	return (l->t.lflag & f) != 0;
}

static bool ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

/* c echoed: "^X" for a control byte under ECHOCTL; its columns */
static unsigned int echo_byte(const struct ldisc *l, uint8_t c, char *e,
			      unsigned int *elen, unsigned int col)
{
	if (ctl(c) && lflag(l, LD_ECHOCTL)) {
		e[(*elen)++] = '^';
		e[(*elen)++] = (char)(c ^ 0x40);
		return 2;
	}
	e[(*elen)++] = (char)c;
	if (c == '\t')
		return 8 - col % 8;
	if ((l->t.iflag & LD_IUTF8) && (c & 0xc0) == 0x80)
		return 0;	/* a continuation: the character took its
				 * column with its first byte */
	return 1;
}

/* the column the line's next byte is echoed at */
static unsigned int column(const struct ldisc *l)
{
	unsigned int col = 0;

	for (uint32_t i = 0; i < l->len; i++)
		col += l->wide[i];
	return col;
}

/* ---- the queue of what can be read ------------------------------------- */

static void put(struct ldisc *l, const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		l->buf[(l->head + l->count + i) % LD_BUF] = b[i];
	l->count += n;
}

static uint32_t room(const struct ldisc *l)
{
	return LD_BUF - l->count;
}

/* The line typed so far (and its end, already in it) waits to be read. */
static void finish_line(struct ldisc *l)
{
	if (l->nlines == LD_LINES || room(l) < l->len) {
		l->dropped += l->len;
	} else {
		put(l, l->line, l->len);
		l->lens[(l->lhead + l->nlines) % LD_LINES] = (uint16_t)l->len;
		l->nlines++;
	}
	l->len = 0;
}

void ld_flush(struct ldisc *l)
{
	l->head = l->count = 0;
	l->lhead = l->nlines = 0;
	l->len = 0;
	l->lnext = false;
}

/* ---- canonical editing ------------------------------------------------- */

/* Take the last character off the line; echo its erasure (ECHOE) or the
 * erase key (without ECHOE). */
static void erase_one(struct ldisc *l, uint8_t key, char *e,
		      unsigned int *elen)
{
	unsigned int w = 0;

	if (!l->len)
		return;
	if (l->t.iflag & LD_IUTF8)	/* a whole UTF-8 character */
		while (l->len > 1 && (l->line[l->len - 1] & 0xc0) == 0x80)
			w += l->wide[--l->len];
	w += l->wide[--l->len];
	if (!lflag(l, LD_ECHO))
		return;
	if (!lflag(l, LD_ECHOE)) {
		echo_byte(l, key, e, elen, 0);
		return;
	}
	for (unsigned int i = 0; i < w; i++) {
		memcpy(e + *elen, "\b \b", 3);
		*elen += 3;
	}
}

static bool space(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static void edit(struct ldisc *l, uint8_t c, char *e, unsigned int *elen)
{
	bool ext = lflag(l, LD_IEXTEN);

	if (is(l, c, LD_VERASE)) {
		erase_one(l, c, e, elen);
		return;
	}
	if (ext && is(l, c, LD_VWERASE)) {
		while (l->len && space(l->line[l->len - 1]))
			erase_one(l, c, e, elen);
		while (l->len && !space(l->line[l->len - 1]))
			erase_one(l, c, e, elen);
		return;
	}
	if (is(l, c, LD_VKILL)) {
		if (lflag(l, LD_ECHO) && lflag(l, LD_ECHOE) &&
		    lflag(l, LD_ECHOKE)) {
			while (l->len)
				erase_one(l, c, e, elen);
			return;
		}
		l->len = 0;
		if (lflag(l, LD_ECHO)) {
			echo_byte(l, c, e, elen, 0);
			if (lflag(l, LD_ECHOK))
				e[(*elen)++] = '\n';
		}
		return;
	}
	if (ext && is(l, c, LD_VREPRINT)) {
		if (lflag(l, LD_ECHO)) {
			echo_byte(l, c, e, elen, 0);
			e[(*elen)++] = '\n';
			memcpy(e + *elen, l->line, l->len);
			*elen += l->len;
		}
		return;
	}
	if (is(l, c, LD_VEOF)) {
		finish_line(l);		/* without it: empty, an end of file */
		return;
	}
	if (c == '\n' || is(l, c, LD_VEOL) || is(l, c, LD_VEOL2)) {
		if (lflag(l, LD_ECHO) || (c == '\n' && lflag(l, LD_ECHONL)))
			echo_byte(l, c, e, elen, 0);
		l->line[l->len] = c;
		l->wide[l->len++] = 0;
		finish_line(l);
		return;
	}
	if (l->len >= LD_LINE - 1) {	/* room for its end is kept */
		l->dropped++;
		if (lflag(l, LD_ECHO))
			e[(*elen)++] = '\a';
		return;
	}
	{
		unsigned int col = column(l), w = 0, k = *elen;

		if (lflag(l, LD_ECHO))
			w = echo_byte(l, c, e, elen, col);
		else
			w = echo_byte(l, c, e, &k, col);	/* the width */
		l->line[l->len] = c;
		l->wide[l->len++] = (uint8_t)w;
	}
}

/* ---- input ------------------------------------------------------------- */

int ld_input(struct ldisc *l, uint8_t c, char *echo, unsigned int *elen)
{
	bool canon = lflag(l, LD_ICANON);

	*elen = 0;
	if (l->lnext) {
		l->lnext = false;	/* its echo goes over the "^" shown */
		goto ordinary;
	}
	if (c == '\r') {
		if (l->t.iflag & LD_IGNCR)
			return 0;
		if (l->t.iflag & LD_ICRNL)
			c = '\n';
	} else if (c == '\n' && (l->t.iflag & LD_INLCR)) {
		c = '\r';
	}
	if (lflag(l, LD_ISIG)) {
		int sig = is(l, c, LD_VINTR) ? SIGINT :
			  is(l, c, LD_VQUIT) ? SIGQUIT :
			  is(l, c, LD_VSUSP) ? SIGTSTP : 0;

		if (sig) {
			if (!lflag(l, LD_NOFLSH))
				ld_flush(l);
			if (lflag(l, LD_ECHO))
				echo_byte(l, c, echo, elen, 0);
			return sig;
		}
	}
	if (lflag(l, LD_IEXTEN) && is(l, c, LD_VLNEXT)) {
		l->lnext = true;
		if (canon && lflag(l, LD_ECHO) && lflag(l, LD_ECHOCTL)) {
			echo[(*elen)++] = '^';
			echo[(*elen)++] = '\b';
		}
		return 0;
	}
	if (canon) {
		edit(l, c, echo, elen);
		return 0;
	}
ordinary:
	if (canon) {
		/* taken literally: an ordinary byte of the line */
		if (l->len >= LD_LINE - 1) {
			l->dropped++;
			return 0;
		}
		{
			unsigned int k = *elen, w;

			w = lflag(l, LD_ECHO) ?
			    echo_byte(l, c, echo, elen, column(l)) :
			    echo_byte(l, c, echo, &k, column(l));
			l->line[l->len] = c;
			l->wide[l->len++] = (uint8_t)w;
		}
		return 0;
	}
	if (!room(l)) {
		l->dropped++;
		return 0;
	}
	put(l, &c, 1);
	if (lflag(l, LD_ECHO))
		echo_byte(l, c, echo, elen, 0);
	return 0;
}

/* ---- reading ----------------------------------------------------------- */

bool ld_ready(const struct ldisc *l, uint32_t n)
{
	uint32_t min;

	if (lflag(l, LD_ICANON))
		return l->nlines > 0;
	min = l->t.cc[LD_VMIN];
	if (min > n)
		min = n;
	if (!min)
		min = 1;
	return l->count >= min;
}

static void take(struct ldisc *l, uint8_t *to, uint32_t k)
{
	for (uint32_t i = 0; i < k; i++)
		to[i] = l->buf[(l->head + i) % LD_BUF];
	l->head = (l->head + k) % LD_BUF;
	l->count -= k;
	if (!l->count)
		l->head = 0;
}

uint32_t ld_read(struct ldisc *l, uint8_t *to, uint32_t n)
{
	uint32_t k;

	if (!lflag(l, LD_ICANON)) {
		k = l->count < n ? l->count : n;
		take(l, to, k);
		return k;
	}
	if (!l->nlines)
		return 0;
	k = l->lens[l->lhead];
	if (k > n)
		k = n;
	take(l, to, k);
	l->lens[l->lhead] = (uint16_t)(l->lens[l->lhead] - k);
	if (!l->lens[l->lhead]) {	/* the line is read (or was an end) */
		l->lhead = (l->lhead + 1) % LD_LINES;
		l->nlines--;
	}
	return k;
}

uint32_t ld_pending(const struct ldisc *l)
{
	if (!lflag(l, LD_ICANON))
		return l->count;
	return l->nlines ? l->count : 0;
}

void ld_set(struct ldisc *l, const struct ld_termios *t)
{
	bool was = lflag(l, LD_ICANON);

	l->t = *t;
	if (was && !lflag(l, LD_ICANON)) {
		/* lines become bytes; the line being typed with them */
		if (room(l) >= l->len)
			put(l, l->line, l->len);
		else
			l->dropped += l->len;
		l->len = 0;
		l->lhead = l->nlines = 0;
	} else if (!was && lflag(l, LD_ICANON)) {
		/* what waits is one line */
		l->lhead = 0;
		l->nlines = l->count ? 1 : 0;
		l->lens[0] = (uint16_t)l->count;
	}
}

/* ---- output ------------------------------------------------------------ */

uint32_t ld_output(const struct ldisc *l, const uint8_t *src, uint32_t n,
		   char *dst, uint32_t dmax, uint32_t *took)
{
	uint32_t i, o = 0;

	if (!(l->t.oflag & LD_OPOST)) {
		i = n < dmax ? n : dmax;
		memcpy(dst, src, i);
		*took = i;
		return i;
	}
	for (i = 0; i < n && o < dmax; i++) {
		uint8_t c = src[i];

		if (c == '\n' && (l->t.oflag & LD_ONLCR)) {
			if (o + 2 > dmax)
				break;
			dst[o++] = '\r';
		} else if (c == '\r' && (l->t.oflag & LD_OCRNL)) {
			c = '\n';
		}
		dst[o++] = (char)c;
	}
	*took = i;
	return o;
}
