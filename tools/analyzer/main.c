/*
 * main.c - tools/analyzer: the profiler's report from a serial log.
 *
 *   analyzer LOG [--elf KERNEL.elf] [--html OUT.html] [--history FILE]
 *            [--chrome TRACE.json] [--tree ID]
 *
 * Reads the last complete profile dump in LOG (the console output of a
 * boot that ran "prof dump", docs/PROFILER.md), names the sampled
 * addresses from the kernel ELF's symbols, and prints the report: hot
 * spots, per-service and per-topic times, recommendations, and the trend
 * against the previous run when --history names a file (each run is
 * appended to it). --html writes the same as a self-contained page with
 * plots; --chrome writes the bus trace for chrome://tracing or Perfetto,
 * with an arrow from each message's parent to it; --tree prints the
 * causal tree that message ID belongs to (the trace's "id=" numbers) and
 * its critical path, instead of the report.
 * Exit status: 0, 1 for a log without a usable dump (the reason on
 * stderr), 2 for bad usage.
 */
#include <stdlib.h>
#include <string.h>
#include "an.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, got = 0, k;

	if (!f)
		return NULL;
	do {
		if (got == cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 1 << 20);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		k = fread(buf + got, 1, cap - got, f);
		got += k;
	} while (k);
	fclose(f);
	*n = got;
	return buf;
}

/* --tree ID: the causal tree of message ID and its critical path. */
static int print_tree(const struct an_profile *p, const char *arg)
{
	struct an_causal cz;
	const char *why;
	char *end;
	unsigned long id = strtoul(arg, &end, 10);
	long i;

	if (!*arg || *end || id == 0 || id > 0xffffffffu) {
		fprintf(stderr, "analyzer: --tree %s: not a message id (a "
			"number from a trace line's id=)\n", arg);
		return 2;
	}
	if (an_causal_build(&cz, p->v.trace, p->v.hdr.trace_bytes, &why)) {
		fprintf(stderr, "analyzer: the trace does not parse: %s\n",
			why);
		return 1;
	}
	i = an_causal_find(&cz, (uint32_t)id);
	if (i < 0) {
		fprintf(stderr, "analyzer: message %lu is not in the trace "
			"(it keeps the last %u messages)\n", id,
			(unsigned int)TRACE_RING_SIZE);
		an_causal_free(&cz);
		return 1;
	}
	an_causal_print(stdout, &cz, an_causal_root(&cz, i),
			p->v.hdr.clock_hz, (size_t)-1);
	an_causal_free(&cz);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: analyzer LOG [--elf KERNEL.elf] [--html "
		"OUT.html] [--history FILE] [--chrome TRACE.json] [--tree ID]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *log = NULL, *elf = NULL, *html = NULL, *hist = NULL,
		   *chrome = NULL, *tree = NULL, *why = NULL;
	struct an_syms syms = { 0 };
	struct an_profile prof;
	struct an_log info;
	struct an_recs recs;
	char trend[4096] = "";
	uint8_t *dump;
	size_t n, len;
	char *text;

	for (int i = 1; i < argc; i++) {
		const char **opt = strcmp(argv[i], "--elf") == 0 ? &elf :
				   strcmp(argv[i], "--html") == 0 ? &html :
				   strcmp(argv[i], "--history") == 0 ? &hist :
				   strcmp(argv[i], "--chrome") == 0 ? &chrome :
				   strcmp(argv[i], "--tree") == 0 ? &tree :
				   NULL;

		if (opt) {
			if (++i == argc)
				return usage();
			*opt = argv[i];
		} else if (argv[i][0] == '-' || log) {
			return usage();
		} else {
			log = argv[i];
		}
	}
	if (!log)
		return usage();
	text = slurp(log, &n);
	if (!text) {
		perror(log);
		return 1;
	}
	if (an_reassemble(text, n, &dump, &len, &info)) {
		fprintf(stderr, "analyzer: %s: %s (%u damaged frame lines, %u "
			"frames missing)\n", log, info.why, info.bad,
			info.missing);
		free(text);
		return 1;
	}
	free(text);
	if (info.bad)
		fprintf(stderr, "analyzer: %u damaged frame lines skipped "
			"(last: %s)\n", info.bad, info.why);
	if (elf && an_syms_load(&syms, elf, &why))
		fprintf(stderr, "analyzer: %s: %s; addresses stay unnamed\n",
			elf, why);
	if (an_profile_build(&prof, dump, len, &syms, &why)) {
		fprintf(stderr, "analyzer: the dump does not parse: %s\n", why);
		free(dump);
		an_syms_free(&syms);
		return 1;
	}
	if (tree) {
		int rc = print_tree(&prof, tree);

		an_profile_free(&prof);
		an_syms_free(&syms);
		free(dump);
		return rc;
	}
	an_rules(&prof, &recs);
	if (hist && an_history(hist, &prof, trend, sizeof(trend)))
		fprintf(stderr, "analyzer: %s: cannot append the run\n", hist);
	an_report_text(stdout, &prof, &recs, trend);
	if (html) {
		FILE *f = fopen(html, "w");

		if (!f) {
			perror(html);
		} else {
			an_report_html(f, &prof, &recs, trend);
			fclose(f);
		}
	}
	if (chrome) {
		FILE *f = fopen(chrome, "w");
		long ev = f ? an_chrome_trace(f, &prof) : -1;

		if (f)
			fclose(f);
		if (ev < 0)
			fprintf(stderr, "analyzer: %s: the trace in the dump "
				"does not parse\n", chrome);
		else
			fprintf(stderr, "analyzer: %ld trace events in %s\n",
				ev, chrome);
	}
	an_profile_free(&prof);
	an_syms_free(&syms);
	free(dump);
	return 0;
}
