/*
 * line.h - the console's line editor: bytes typed on the serial line in,
 * the echo to print and finished lines out. Pure (no bus, no HAL), so it
 * is tested on the host.
 *
 * Editing: printable ASCII is appended and echoed; backspace (0x08) and
 * DEL (0x7f) erase the last character ("\b \b"); CR or LF ends the line
 * (CR LF and LF CR count once); Ctrl-U erases the whole line; a character
 * past LINE_MAX, or any other control byte, is refused with a bell (0x07)
 * and changes nothing.
 *
 * History: the last LINE_HISTORY non-empty lines are kept. The terminal's
 * up and down arrows (ESC [ A, ESC [ B, or ESC O A/B) replace the line
 * being edited with an older or newer one (down past the newest gives an
 * empty line); any other escape sequence is swallowed whole, never
 * inserted as text.
 */
#ifndef AEGIS_CONSOLE_LINE_H
#define AEGIS_CONSOLE_LINE_H

#include <aegis/console.h>

#define LINE_MAX	CONSOLE_LINE_MAX
#define LINE_ECHO_MAX	(4 * LINE_MAX)	/* the most one byte can echo */
#define LINE_HISTORY	8

struct line {
	char text[LINE_MAX];
	unsigned int len;
	uint8_t last_end;	/* the CR or LF that ended the last line, or 0 */
	uint8_t esc;		/* escape sequence state: 0 none, 1 ESC,
				 * 2 ESC [ or ESC O */
	char hist[LINE_HISTORY][LINE_MAX];
	uint8_t hist_len[LINE_HISTORY];
	unsigned int nhist;	/* lines kept (up to LINE_HISTORY) */
	unsigned int newest;	/* slot of the newest */
	unsigned int back;	/* 0: editing a new line; k: showing the
				 * k-th newest */
};

/* line_reset - empty the line. */
void line_reset(struct line *l);

/*
 * line_feed - one input byte. Writes what to echo into echo[] (at most
 * LINE_ECHO_MAX bytes) and its length into *echo_len. Returns 1 when the
 * byte ended a line: l->text[0..l->len) holds it until the next call
 * (which starts a new line); 0 otherwise.
 */
int line_feed(struct line *l, uint8_t c, char *echo, unsigned int *echo_len);

#endif
