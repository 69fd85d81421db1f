/*
 * line.c - the console's line editor (see line.h).
 */
#include <string.h>
#include "line.h"

void line_reset(struct line *l)
{
	memset(l, 0, sizeof(*l));
}

void line_set_prompt(struct line *l, const char *p, unsigned int n)
{
	if (n > LINE_PROMPT_MAX)
		n = LINE_PROMPT_MAX;
	memcpy(l->prompt, p, n);
	l->plen = n;
}

static unsigned int bell(char *echo)
{
	echo[0] = '\a';
	return 1;
}

/* n backspaces: the cursor n places left */
static unsigned int left(char *echo, unsigned int n)
{
	memset(echo, '\b', n);
	return n;
}

/* Draw text[from..len), then `blank` spaces over what was longer, and
 * come back to the cursor. */
static unsigned int tail(const struct line *l, unsigned int from,
			 unsigned int blank, char *echo)
{
	unsigned int k = l->len - from;

	memcpy(echo, l->text + from, k);
	memset(echo + k, ' ', blank);
	k += blank;
	return k + left(echo + k, l->len + blank - l->cur);
}

/* Delete n bytes before the cursor. */
static unsigned int erase_back(struct line *l, unsigned int n, char *echo)
{
	unsigned int k;

	if (n > l->cur)
		n = l->cur;
	if (!n)
		return 0;
	memmove(l->text + l->cur - n, l->text + l->cur, l->len - l->cur);
	l->cur -= n;
	l->len -= n;
	if (l->cur == l->len) {		/* the common case: "\b \b" each */
		for (unsigned int i = 0; i < n; i++)
			memcpy(echo + 3 * i, "\b \b", 3);
		return 3 * n;
	}
	k = left(echo, n);
	return k + tail(l, l->cur, n, echo + k);
}

/* Delete n bytes at the cursor. */
static unsigned int erase_fwd(struct line *l, unsigned int n, char *echo)
{
	if (n > l->len - l->cur)
		n = l->len - l->cur;
	if (!n)
		return 0;
	memmove(l->text + l->cur, l->text + l->cur + n, l->len - l->cur - n);
	l->len -= n;
	return tail(l, l->cur, n, echo);
}

static unsigned int to_end(struct line *l, char *echo)
{
	unsigned int k = l->len - l->cur;

	memcpy(echo, l->text + l->cur, k);
	l->cur = l->len;
	return k;
}

static unsigned int to_start(struct line *l, char *echo)
{
	unsigned int k = left(echo, l->cur);

	l->cur = 0;
	return k;
}

/* Keep a finished, non-empty line, unless it repeats the newest. */
static void remember(struct line *l)
{
	unsigned int slot;

	if (!l->len)
		return;
	if (l->nhist && l->hist_len[l->newest] == l->len &&
	    memcmp(l->hist[l->newest], l->text, l->len) == 0)
		return;
	slot = l->nhist ? (l->newest + 1) % LINE_HISTORY : 0;
	memcpy(l->hist[slot], l->text, l->len);
	l->hist_len[slot] = (uint8_t)l->len;
	l->newest = slot;
	if (l->nhist < LINE_HISTORY)
		l->nhist++;
}

/* Show the back-th newest line (0: an empty new line) in place of the
 * line being edited; returns the echo's length. */
static unsigned int recall(struct line *l, unsigned int back, char *echo)
{
	unsigned int k = to_end(l, echo);

	k += erase_back(l, l->len, echo + k);
	l->back = back;
	if (back) {
		unsigned int slot = (l->newest + LINE_HISTORY - (back - 1)) %
				    LINE_HISTORY;

		l->len = l->hist_len[slot];
		memcpy(l->text, l->hist[slot], l->len);
		memcpy(echo + k, l->text, l->len);
		k += l->len;
		l->cur = l->len;
	}
	return k;
}

void line_taken(struct line *l)
{
	l->len = 0;
	l->cur = 0;
}

unsigned int line_draw(const struct line *l, char *echo)
{
	unsigned int k = l->plen;

	memcpy(echo, l->prompt, l->plen);
	memcpy(echo + k, l->text, l->len);
	k += l->len;
	return k + left(echo + k, l->len - l->cur);
}

/* Up, Down, Left, Right, Home, End, Delete: by their final byte (and
 * parameter, for ESC [ n ~). */
static unsigned int key(struct line *l, uint8_t c, unsigned int num,
			char *echo)
{
	if (c == '~')
		c = num == 1 || num == 7 ? 'H' : num == 4 || num == 8 ? 'F' :
		    num == 3 ? 'X' : 0;
	switch (c) {
	case 'A':
		return l->back < l->nhist ? recall(l, l->back + 1, echo) :
					    bell(echo);
	case 'B':
		return l->back > 0 ? recall(l, l->back - 1, echo) : bell(echo);
	case 'C':
		if (l->cur == l->len)
			return bell(echo);
		echo[0] = l->text[l->cur++];
		return 1;
	case 'D':
		if (l->cur == 0)
			return bell(echo);
		l->cur--;
		return left(echo, 1);
	case 'H':
		return to_start(l, echo);
	case 'F':
		return to_end(l, echo);
	case 'X':
		return l->cur < l->len ? erase_fwd(l, 1, echo) : bell(echo);
	default:
		return 0;	/* a key this editor has no use for */
	}
}

/* A byte inside an escape sequence. */
static unsigned int escape(struct line *l, uint8_t c, char *echo)
{
	if (l->esc == 1) {
		l->esc = (c == '[' || c == 'O') ? 2 : 0;
		l->esc_num = 0;
		return 0;
	}
	if (c >= 0x20 && c < 0x40) {
		/* parameter bytes: still inside. Only the first number
		 * counts (ESC [ 1 ; 5 C is Ctrl-Right: Right) */
		if (c == ';')
			l->esc = 3;
		else if (l->esc == 2 && c >= '0' && c <= '9' &&
			 l->esc_num < 1000)
			l->esc_num = l->esc_num * 10 + (c - '0');
		return 0;
	}
	l->esc = 0;
	return key(l, c, l->esc_num, echo);
}

unsigned int line_word(const struct line *l, bool *first)
{
	unsigned int s = l->cur;

	while (s > 0 && l->text[s - 1] != ' ')
		s--;
	*first = true;
	for (unsigned int i = 0; i < s; i++)
		if (l->text[i] != ' ')
			*first = false;
	return s;
}

int line_insert(struct line *l, const char *s, unsigned int n, char *echo,
		unsigned int *echo_len)
{
	unsigned int k;

	*echo_len = 0;
	if (n > LINE_MAX - l->len) {
		*echo_len = bell(echo);
		return -1;
	}
	for (unsigned int i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e) {
			*echo_len = bell(echo);
			return -1;
		}
	memmove(l->text + l->cur + n, l->text + l->cur, l->len - l->cur);
	memcpy(l->text + l->cur, s, n);
	l->len += n;
	k = l->cur;
	l->cur += n;
	*echo_len = tail(l, k, 0, echo);
	return 0;
}

enum line_event line_feed(struct line *l, uint8_t c, char *echo,
			  unsigned int *echo_len)
{
	uint8_t prev_end = l->last_end;
	char ch = (char)c;
	unsigned int s;

	*echo_len = 0;
	if (prev_end) {
		/* the previous call handed out a finished line */
		l->len = 0;
		l->cur = 0;
		l->last_end = 0;
	}
	if (l->esc) {
		*echo_len = escape(l, c, echo);
		return LINE_NONE;
	}
	switch (c) {
	case 0x1b:
		l->esc = 1;
		return LINE_NONE;
	case '\r':
	case '\n':
		if (prev_end && prev_end != c)
			return LINE_NONE; /* the second half of CR LF or LF CR */
		l->last_end = c;
		l->back = 0;
		remember(l);
		echo[0] = '\n';
		*echo_len = 1;
		return LINE_DONE;
	case 0x03:		/* Ctrl-C */
		memcpy(echo, "^C\n", 3);
		*echo_len = 3;
		l->len = l->cur = 0;
		l->back = 0;
		return LINE_INTR;
	case '\t':
		return LINE_TAB;
	case '\b':
	case 0x7f:
		*echo_len = l->cur ? erase_back(l, 1, echo) : bell(echo);
		return LINE_NONE;
	case 0x15:		/* Ctrl-U: the whole line */
		*echo_len = to_end(l, echo);
		*echo_len += erase_back(l, l->len, echo + *echo_len);
		return LINE_NONE;
	case 0x17:		/* Ctrl-W: the word before the cursor */
		s = l->cur;
		while (s > 0 && l->text[s - 1] == ' ')
			s--;
		while (s > 0 && l->text[s - 1] != ' ')
			s--;
		*echo_len = l->cur ? erase_back(l, l->cur - s, echo) :
				     bell(echo);
		return LINE_NONE;
	case 0x0b:		/* Ctrl-K: to the end */
		*echo_len = erase_fwd(l, l->len - l->cur, echo);
		return LINE_NONE;
	case 0x0c:		/* Ctrl-L */
		memcpy(echo, "\x1b[H\x1b[2J", 7);
		*echo_len = 7 + line_draw(l, echo + 7);
		return LINE_NONE;
	case 0x01:
		*echo_len = key(l, 'H', 0, echo);
		return LINE_NONE;
	case 0x05:
		*echo_len = key(l, 'F', 0, echo);
		return LINE_NONE;
	case 0x02:
		*echo_len = key(l, 'D', 0, echo);
		return LINE_NONE;
	case 0x06:
		*echo_len = key(l, 'C', 0, echo);
		return LINE_NONE;
	case 0x10:
		*echo_len = key(l, 'A', 0, echo);
		return LINE_NONE;
	case 0x0e:
		*echo_len = key(l, 'B', 0, echo);
		return LINE_NONE;
	case 0x04:		/* Ctrl-D: delete at the cursor */
		*echo_len = key(l, 'X', 0, echo);
		return LINE_NONE;
	default:
		break;
	}
	if (c < 0x20 || c > 0x7e) {
		*echo_len = bell(echo);
		return LINE_NONE;
	}
	line_insert(l, &ch, 1, echo, echo_len);
	return LINE_NONE;
}
