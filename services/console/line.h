/*
 * line.h - the console's line editor: bytes typed on the serial line in,
 * the echo to print and finished lines out. Pure (no bus, no HAL), so it
 * is tested on the host.
 *
 * Editing, at the cursor: printable ASCII is inserted; Backspace (0x08,
 * 0x7f) erases before the cursor, Delete (ESC [ 3 ~) and Ctrl-D at it;
 * Left/Right (ESC [ D / C, Ctrl-B / Ctrl-F) move; Home/End (ESC [ H / F,
 * ESC O H / F, ESC [ 1 ~ / 4 ~, ESC [ 7 ~ / 8 ~, Ctrl-A / Ctrl-E) go to
 * the ends; Ctrl-K erases to the end, Ctrl-U the whole line, Ctrl-W the
 * word before the cursor; Ctrl-L clears the screen and draws the prompt
 * and the line again. CR or LF ends the line (CR LF and LF CR count
 * once); Ctrl-C drops it (echo "^C"); Tab asks the caller to complete
 * the word before the cursor (line_word, line_insert). A character past
 * LINE_MAX, an edit that cannot move, or any other control byte is
 * refused with a bell (0x07) and changes nothing. The echo moves the
 * cursor with backspaces and redraws the rest of the line, which any
 * terminal follows; only Ctrl-L sends ANSI (ESC [ H ESC [ 2 J).
 *
 * History: the last LINE_HISTORY non-empty lines are kept. Up and Down
 * (ESC [ A / B, ESC O A / B, Ctrl-P / Ctrl-N) replace the line being
 * edited with an older or newer one (down past the newest gives an empty
 * line); any other escape sequence is swallowed whole, never inserted.
 */
#ifndef AEGIS_CONSOLE_LINE_H
#define AEGIS_CONSOLE_LINE_H

#include <aegis/console.h>

#define LINE_MAX	CONSOLE_LINE_MAX
#define LINE_PROMPT_MAX	CONSOLE_PROMPT_MAX
/* the most one byte can echo: Ctrl-L (clear, prompt, line, back to the
 * cursor) or a recall from mid-line (to the end, erase, draw) */
#define LINE_ECHO_MAX	(5 * LINE_MAX + LINE_PROMPT_MAX + 8)
#define LINE_HISTORY	8

enum line_event {
	LINE_NONE,	/* keep typing */
	LINE_DONE,	/* Enter: l->text[0..l->len) holds the line */
	LINE_INTR,	/* Ctrl-C: the line was dropped */
	LINE_TAB,	/* Tab: complete the word before the cursor */
};

struct line {
	char text[LINE_MAX];
	unsigned int len;
	unsigned int cur;	/* the cursor: 0 .. len */
	char prompt[LINE_PROMPT_MAX];
	unsigned int plen;
	uint8_t last_end;	/* the CR or LF that ended the last line, or 0 */
	uint8_t esc;		/* escape sequence: 0 none, 1 ESC, 2 inside
				 * ESC [ or ESC O, 3 past its first
				 * parameter */
	unsigned int esc_num;	/* its first numeric parameter */
	char hist[LINE_HISTORY][LINE_MAX];
	uint8_t hist_len[LINE_HISTORY];
	unsigned int nhist;	/* lines kept (up to LINE_HISTORY) */
	unsigned int newest;	/* slot of the newest */
	unsigned int back;	/* 0: editing a new line; k: showing the
				 * k-th newest */
};

/* line_reset - empty the line, the history and the prompt. */
void line_reset(struct line *l);

/* line_set_prompt - what Ctrl-L and line_draw draw before the line (cut
 * at LINE_PROMPT_MAX). */
void line_set_prompt(struct line *l, const char *p, unsigned int n);

/*
 * line_feed - one input byte. Writes what to echo into echo[] (at most
 * LINE_ECHO_MAX bytes) and its length into *echo_len. Returns a
 * line_event; after LINE_DONE, l->text[0..l->len) holds the line until
 * the next call (which starts a new one).
 */
enum line_event line_feed(struct line *l, uint8_t c, char *echo,
			  unsigned int *echo_len);

/* line_taken - the finished line was taken: the line is empty now (CR
 * LF still counts once). */
void line_taken(struct line *l);

/* line_draw - the prompt and the line, the cursor put back where it is
 * (at most LINE_ECHO_MAX bytes); its length. */
unsigned int line_draw(const struct line *l, char *echo);

/* line_word - the word before the cursor: its start in l->text; *first:
 * it is the line's first word (a command, not an argument). */
unsigned int line_word(const struct line *l, bool *first);

/* line_insert - insert n bytes at the cursor (a completion), echoing;
 * -1 (a bell, nothing inserted) if they do not fit or do not print. */
int line_insert(struct line *l, const char *s, unsigned int n, char *echo,
		unsigned int *echo_len);

#endif
