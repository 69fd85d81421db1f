/*
 * logbuf.c - the kernel log's memory and the console's input line (see
 * aegis/logbuf.h).
 */
#include <string.h>
#include <aegis/kprintf.h>
#include <aegis/logbuf.h>

void logbuf_put(struct logbuf *b, const char *s, size_t n)
{
	size_t k = LOGBUF_HEAD - b->head_len;

	if (k > n)
		k = n;
	memcpy(b->head + b->head_len, s, k);
	b->head_len += k;
	s += k;
	n -= k;
	if (n > LOGBUF_TAIL) {	/* only the newest fit */
		b->tail_total += n - LOGBUF_TAIL;
		s += n - LOGBUF_TAIL;
		n = LOGBUF_TAIL;
	}
	while (n) {
		size_t at = (size_t)(b->tail_total % LOGBUF_TAIL);
		size_t run = LOGBUF_TAIL - at < n ? LOGBUF_TAIL - at : n;

		memcpy(b->tail + at, s, run);
		b->tail_total += run;
		s += run;
		n -= run;
	}
}

void logbuf_dump(const struct logbuf *b,
		 void (*out)(void *ctx, const char *s, size_t n), void *ctx)
{
	size_t start, kept;
	char note[64];

	out(ctx, b->head, b->head_len);
	if (b->tail_total <= LOGBUF_TAIL) {
		out(ctx, b->tail, (size_t)b->tail_total);
		return;
	}
	/* wrapped: the oldest byte is where the next goes; skip to the
	 * first whole line */
	start = (size_t)(b->tail_total % LOGBUF_TAIL);
	kept = LOGBUF_TAIL;
	while (kept && b->tail[start] != '\n') {
		start = (start + 1) % LOGBUF_TAIL;
		kept--;
	}
	if (kept) {
		start = (start + 1) % LOGBUF_TAIL;
		kept--;
	}
	ksnprintf(note, sizeof(note), "%s[... %llu bytes not kept ...]\n",
		  b->head_len && b->head[b->head_len - 1] != '\n' ? "\n" : "",
		  (unsigned long long)(b->tail_total - kept));
	out(ctx, note, strlen(note));
	if (start + kept <= LOGBUF_TAIL) {
		out(ctx, b->tail + start, kept);
	} else {
		out(ctx, b->tail + start, LOGBUF_TAIL - start);
		out(ctx, b->tail, kept - (LOGBUF_TAIL - start));
	}
}

void input_show(struct input_line *in, void (*draw)(bool erase))
{
	in->draw = draw;
	in->erased = false;
}

void input_hide(struct input_line *in)
{
	if (in->draw && !in->erased)
		in->draw(true);
	in->draw = NULL;
	in->erased = false;
}

void input_output(struct input_line *in, const char *s, size_t n)
{
	input_output_via(in, s, n, in->write);
}

void input_output_via(struct input_line *in, const char *s, size_t n,
		      void (*write)(const char *s, size_t n))
{
	if (!n)
		return;
	if (in->draw && !in->erased) {
		in->draw(true);
		in->erased = true;
	}
	write(s, n);
	if (in->draw && s[n - 1] == '\n') {
		in->erased = false;
		in->draw(false);
	}
}

void input_echo(struct input_line *in, const char *s, size_t n)
{
	if (in->draw && in->erased) {
		/* output left its line open: the line typed goes below */
		in->write("\n", 1);
		in->erased = false;
		in->draw(false);
		return;
	}
	in->write(s, n);
}
