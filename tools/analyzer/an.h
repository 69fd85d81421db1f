/*
 * an.h - tools/analyzer: reads the profiler's dump from a serial log
 * (aegis/dump.h, aegis/profiler.h) and the kernel ELF's symbols, and
 * writes the report: text, a self-contained HTML page, a history of
 * runs, and the bus trace as Chrome/Perfetto trace JSON. The pieces are
 * functions so the host unit tests can drive them (test/unit/tools/).
 */
#ifndef AN_H
#define AN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <aegis/profiler.h>

/* ---- the dump from the log ---------------------------------------- */

struct an_log {
	unsigned int frames;	/* good frames of the dump taken */
	unsigned int bad;	/* damaged frame lines (all dumps) */
	unsigned int missing;	/* frames of the dump never seen */
	unsigned int dumps;	/* dumps started in the log */
	const char *why;	/* the last damage's reason */
};

/* an_reassemble - the last complete profile dump in text (a serial log):
 * 0 with *buf (malloc'd) and *len, or -1 with info->why / info->missing
 * saying why there is none. Other console lines are skipped. */
int an_reassemble(const char *text, size_t n, uint8_t **buf, size_t *len,
		  struct an_log *info);

/* ---- symbols ---------------------------------------------------------- */

struct an_sym {
	uint64_t addr, size;
	char *name;
};

struct an_syms {
	struct an_sym *v;
	size_t n, cap;
};

/* an_syms_load - the function symbols of an ELF file (libelf): 0, or -1
 * with *why. */
int an_syms_load(struct an_syms *s, const char *path, const char **why);
void an_syms_add(struct an_syms *s, uint64_t addr, uint64_t size,
		 const char *name);
void an_syms_sort(struct an_syms *s);
void an_syms_free(struct an_syms *s);

/* an_sym_lookup - the function holding pc (inside its size, or the
 * nearest below when the size is 0), with *off its offset; NULL. */
const struct an_sym *an_sym_lookup(const struct an_syms *s, uint64_t pc,
				   uint64_t *off);

/* ---- the analysis ----------------------------------------------------- */

/* One function's share of the samples. */
struct an_func {
	const char *name;	/* "?" for an address no symbol holds */
	uint64_t count;
	bool user;		/* below the kernel's addresses */
};

/* Memory by call site: kmalloc's callers, most bytes first. */
struct an_site {
	char name[96];		/* "function+0xoff", or the address */
	uint64_t count, bytes;
};

/* Traced functions (instrument= builds): calls and the time from entry
 * to return, most time first. */
struct an_callfn {
	char name[64];
	uint64_t calls, cycles;
};

struct an_profile {
	struct prof_dump_view v;
	struct an_func *funcs;	/* most sampled first */
	size_t nfuncs;
	uint64_t samples;
	struct an_site *sites;
	size_t nsites;
	uint64_t alloc_bytes;
	struct an_callfn *callfns;
	size_t ncallfns;
};

/* an_profile_build - fold the sampled addresses into functions. */
int an_profile_build(struct an_profile *p, const uint8_t *dump, size_t len,
		     const struct an_syms *syms, const char **why);
void an_profile_free(struct an_profile *p);

/* The recommendations: each rule that fires adds one line. */
#define AN_REC_MAX 32
struct an_recs {
	char text[AN_REC_MAX][400];
	unsigned int n;
};

void an_rules(const struct an_profile *p, struct an_recs *out);

/* Nanoseconds of a cycle count at the dump's clock. */
uint64_t an_ns(const struct an_profile *p, uint64_t cycles);

/* ---- output -------------------------------------------------------------- */

void an_report_text(FILE *f, const struct an_profile *p,
		    const struct an_recs *r, const char *trend);
void an_report_html(FILE *f, const struct an_profile *p,
		    const struct an_recs *r, const char *trend);

/* an_history - append this run to the history file (one JSON object a
 * line) and put the comparison with the previous run into trend (text,
 * "" when there is none). 0, or -1 if the file cannot be written. */
int an_history(const char *path, const struct an_profile *p, char *trend,
	       size_t size);

/* an_chrome_trace - the bus trace as Chrome/Perfetto trace JSON: one
 * complete event per dispatch (its handler's run), one thread per
 * service. The number of events, or -1 for a trace that does not parse. */
long an_chrome_trace(FILE *f, const struct an_profile *p);

#endif
