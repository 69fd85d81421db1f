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
 * service, and a flow arrow from each message's parent (where it was
 * posted) to it (where it began). The number of complete events, or -1
 * for a trace that does not parse. */
long an_chrome_trace(FILE *f, const struct an_profile *p);

/* ---- causal trees (causal.c) ------------------------------------------ */

struct an_node {
	struct trace_rec r;
	char topic[BUS_NAME_MAX], src[BUS_NAME_MAX], dst[BUS_NAME_MAX];
	long parent;		/* index; -1: a root */
	long child, sibling;	/* first child, next sibling; -1: none */
	uint64_t last_end;	/* the latest handler end in its subtree */
	bool orphan;		/* its parent's record was overwritten */
};

struct an_causal {
	struct an_node *v;	/* the records, oldest first */
	size_t n, cap;
};

/* One hop of a critical path: node's wait plus its exec (the time from
 * its start to the next hop's post, or its run for the last hop). */
struct an_hop {
	long node;
	uint64_t wait, exec;
};

/* an_causal_build - the trees of a trace dump (aegis/trace.h): 0, or -1
 * with *why. an_causal_free gives the memory back. */
int an_causal_build(struct an_causal *c, const uint8_t *trace, size_t len,
		    const char **why);
void an_causal_free(struct an_causal *c);

/* an_causal_find - the node of message id, or -1; an_causal_root - the
 * root of node i's tree (the oldest ancestor still in the trace). */
long an_causal_find(const struct an_causal *c, uint32_t id);
long an_causal_root(const struct an_causal *c, long i);

/* an_causal_path - the critical path from root: its hops into out (at
 * most max), their count returned; *span the tree's time from the
 * root's post to the last end, which the hops' wait + exec add up to. */
size_t an_causal_path(const struct an_causal *c, long root, struct an_hop *out,
		      size_t max, uint64_t *span);

/* an_causal_top - the roots of the max trees of two or more messages
 * with the longest spans, longest first. */
void an_causal_top(const struct an_causal *c, long *roots, size_t *n,
		   size_t max);

/* an_causal_print - a tree (at most max_lines of it) and its critical
 * path, times in us at hz. */
int an_causal_print(FILE *f, const struct an_causal *c, long root,
		    uint64_t hz, size_t max_lines);

#endif
