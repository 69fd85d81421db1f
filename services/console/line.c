/*
 * line.c - the console's line editor (see line.h).
 */
#include <string.h>
#include "line.h"

void line_reset(struct line *l)
{
	memset(l, 0, sizeof(*l));
}

static unsigned int erase(struct line *l, unsigned int n, char *echo)
{
	unsigned int k = 0;

	for (; n && l->len; n--, l->len--) {
		echo[k++] = '\b';
		echo[k++] = ' ';
		echo[k++] = '\b';
	}
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
	unsigned int k = erase(l, l->len, echo);

	l->back = back;
	if (back) {
		unsigned int slot = (l->newest + LINE_HISTORY - (back - 1)) %
				    LINE_HISTORY;

		l->len = l->hist_len[slot];
		memcpy(l->text, l->hist[slot], l->len);
		memcpy(echo + k, l->text, l->len);
		k += l->len;
	}
	return k;
}

/* A byte inside an escape sequence; the arrows move in the history. */
static void escape(struct line *l, uint8_t c, char *echo,
		   unsigned int *echo_len)
{
	if (l->esc == 1) {
		l->esc = (c == '[' || c == 'O') ? 2 : 0;
		return;
	}
	if (c >= 0x20 && c < 0x40)
		return;		/* parameter bytes: still inside */
	l->esc = 0;
	if (c == 'A' && l->back < l->nhist)
		*echo_len = recall(l, l->back + 1, echo);
	else if (c == 'B' && l->back > 0)
		*echo_len = recall(l, l->back - 1, echo);
	else if (c == 'A' || c == 'B')
		echo[(*echo_len)++] = '\a';
}


int line_feed(struct line *l, uint8_t c, char *echo, unsigned int *echo_len)
{
	uint8_t prev_end = l->last_end;

	*echo_len = 0;
	if (prev_end) {
		/* the previous call handed out a finished line */
		l->len = 0;
		l->last_end = 0;
	}
	if (l->esc) {
		escape(l, c, echo, echo_len);
		return 0;
	}
	if (c == 0x1b) {
		l->esc = 1;
		return 0;
	}
	if (c == '\r' || c == '\n') {
		if (prev_end && prev_end != c)
			return 0;	/* the second half of CR LF or LF CR */
		l->last_end = c;
		l->back = 0;
		remember(l);
		echo[0] = '\n';
		*echo_len = 1;
		return 1;
	}
	if (c == '\b' || c == 0x7f) {
		*echo_len = erase(l, 1, echo);
		return 0;
	}
	if (c == 0x15) {	/* Ctrl-U */
		*echo_len = erase(l, l->len, echo);
		return 0;
	}
	if (c < 0x20 || c > 0x7e || l->len == LINE_MAX) {
		echo[0] = '\a';
		*echo_len = 1;
		return 0;
	}
	l->text[l->len++] = (char)c;
	echo[0] = (char)c;
	*echo_len = 1;
	return 0;
}
