/*
 * line.c - the console's line editor (see line.h).
 */
#include <string.h>
#include "line.h"

void line_reset(struct line *l)
{
	l->len = 0;
	l->last_end = 0;
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

int line_feed(struct line *l, uint8_t c, char *echo, unsigned int *echo_len)
{
	uint8_t prev_end = l->last_end;

	*echo_len = 0;
	if (prev_end) {
		/* the previous call handed out a finished line */
		l->len = 0;
		l->last_end = 0;
	}
	if (c == '\r' || c == '\n') {
		if (prev_end && prev_end != c)
			return 0;	/* the second half of CR LF or LF CR */
		l->last_end = c;
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
