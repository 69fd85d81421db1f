/*
 * aegis/logbuf.h - the kernel log's memory and the console's input line,
 * as pure code (no HAL) so the host tests it; kernel/log.c uses both.
 *
 * struct logbuf keeps what the kernel printed for dmesg: the first
 * LOGBUF_HEAD bytes since boot stay (the boot messages), and after them a
 * ring of the newest LOGBUF_TAIL bytes. logbuf_dump gives them back in
 * order, with one line saying how much between them was not kept.
 *
 * struct input_line lets output and a line being typed share a terminal:
 * while the console shows a prompt and the line typed so far, any other
 * output first erases that line (the console's draw(true): a carriage
 * return, spaces over it, a carriage return - no terminal escapes, so a
 * log of the serial line reads as the screen did), and when the output
 * has ended its line ("\n") draw(false) puts the prompt and the line back.
 * A key echoed while output has left a line unfinished starts a new line
 * and redraws instead.
 */
#ifndef AEGIS_LOGBUF_H
#define AEGIS_LOGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGBUF_HEAD	16384
#define LOGBUF_TAIL	16384

struct logbuf {
	char head[LOGBUF_HEAD];
	size_t head_len;
	char tail[LOGBUF_TAIL];
	uint64_t tail_total;	/* bytes ever put in the ring */
};

/* logbuf_put - keep n bytes of output. */
void logbuf_put(struct logbuf *b, const char *s, size_t n);

/* logbuf_dump - everything kept, oldest first, through out(ctx, s, n):
 * the head, then (if the ring has wrapped) "[... N bytes not kept ...]"
 * and the ring from its oldest whole line. */
void logbuf_dump(const struct logbuf *b,
		 void (*out)(void *ctx, const char *s, size_t n), void *ctx);

struct input_line {
	void (*write)(const char *s, size_t n);	/* the terminal */
	void (*draw)(bool erase); /* the prompt and line: erase them, or
				 * draw them again; NULL: none shown */
	bool erased;		/* output erased it and has not ended its
				 * line yet */
};

/* input_show - the console shows a line (draw erases or redraws it) or,
 * with NULL, none. */
void input_show(struct input_line *in, void (*draw)(bool erase));

/* input_hide - erase the line shown (if output has not) and show none:
 * a panic's last words start on a clean line. */
void input_hide(struct input_line *in);

/* input_output - other output, around the line being typed. */
void input_output(struct input_line *in, const char *s, size_t n);
/* input_output_via - the same, the bytes written by write instead of the
 * line's own writer (a terminal's output, as it is) */
void input_output_via(struct input_line *in, const char *s, size_t n,
		      void (*write)(const char *s, size_t n));

/* input_echo - the line's own echo (after an edit). */
void input_echo(struct input_line *in, const char *s, size_t n);

#endif
