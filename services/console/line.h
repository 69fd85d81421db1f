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
 */
#ifndef AEGIS_CONSOLE_LINE_H
#define AEGIS_CONSOLE_LINE_H

#include <aegis/bus.h>

#define LINE_MAX	BUS_INLINE_MAX	/* a line fits one bus message */
#define LINE_ECHO_MAX	(3 * LINE_MAX)	/* the most one byte can echo */

struct line {
	char text[LINE_MAX];
	unsigned int len;
	uint8_t last_end;	/* the CR or LF that ended the last line, or 0 */
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
