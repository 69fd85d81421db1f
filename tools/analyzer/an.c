/*
 * an.c - the analyzer's pieces (an.h): the dump out of a serial log, ELF
 * symbols through libelf, the samples folded into functions, the rules
 * that make the recommendations, and the text, HTML, history and Chrome
 * trace outputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <aegis/dump.h>
#include <aegis/errno.h>
#include <aegis/trace.h>
#include "an.h"

/* ---- the dump from the log ---------------------------------------- */

int an_reassemble(const char *text, size_t n, uint8_t **buf, size_t *len,
		  struct an_log *info)
{
	uint8_t *cur = NULL;
	bool *have = NULL;
	unsigned int total = 0, got = 0;
	size_t size = 0;
	int done = -1;
	const char *p = text, *end = text + n;
	char line[512];

	memset(info, 0, sizeof(*info));
	*buf = NULL;
	*len = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);
		struct dump_frame f;
		const char *why;
		int rc;

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl ? nl + 1 : end;
		rc = dump_frame_parse(line, &f, &why);
		if (rc == -AE_ENOENT)
			continue;
		if (rc) {
			info->bad++;
			info->why = why;
			continue;
		}
		if (f.kind != DUMP_KIND_PROFILE)
			continue;
		/* a new dump: another size, or a first frame again */
		if (!cur || f.total != total || (f.seq == 0 && have[0])) {
			free(cur);
			free(have);
			total = f.total;
			cur = calloc(total, DUMP_PAYLOAD);
			have = calloc(total, sizeof(*have));
			if (!cur || !have) {
				info->why = "out of memory";
				free(cur);
				free(have);
				return -1;
			}
			got = 0;
			size = 0;
			info->dumps++;
		}
		if (have[f.seq])
			continue;
		if (f.seq + 1 < f.total && f.len != DUMP_PAYLOAD) {
			info->bad++;
			info->why = "a frame short of a full payload "
				    "before the last";
			continue;
		}
		have[f.seq] = true;
		got++;
		memcpy(cur + (size_t)f.seq * DUMP_PAYLOAD, f.payload, f.len);
		if (f.seq + 1 == f.total)
			size = (size_t)f.seq * DUMP_PAYLOAD + f.len;
		if (got == total && size) {	/* complete: keep it */
			free(*buf);
			*buf = malloc(size);
			if (!*buf) {
				info->why = "out of memory";
				break;
			}
			memcpy(*buf, cur, size);
			*len = size;
			info->frames = got;
			info->missing = 0;
			done = 0;
		} else if (done) {
			info->missing = total - got;
		}
	}
	free(cur);
	free(have);
	if (done && !info->why)
		info->why = info->dumps ? "the dump is incomplete" :
			    "no profile dump in the log";
	return done;
}

/* ---- symbols ---------------------------------------------------------- */

void an_syms_add(struct an_syms *s, uint64_t addr, uint64_t size,
		 const char *name)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct an_sym *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].addr = addr;
	s->v[s->n].size = size;
	s->v[s->n].name = strdup(name);
	if (s->v[s->n].name)
		s->n++;
}

static int by_addr(const void *a, const void *b)
{
	const struct an_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void an_syms_sort(struct an_syms *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), by_addr);
}

void an_syms_free(struct an_syms *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int an_syms_load(struct an_syms *s, const char *path, const char **why)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	int fd, found = 0;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		*why = "libelf is too old";
		return -1;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		*why = "not an ELF file";
		if (e)
			elf_end(e);
		close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize &&
		     i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !sym.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (name && *name) {
				an_syms_add(s, sym.st_value, sym.st_size, name);
				found++;
			}
		}
	}
	elf_end(e);
	close(fd);
	if (!found) {
		*why = "no function symbols (stripped?)";
		return -1;
	}
	an_syms_sort(s);
	return 0;
}

const struct an_sym *an_sym_lookup(const struct an_syms *s, uint64_t pc,
				   uint64_t *off)
{
	size_t lo = 0, hi = s->n;
	const struct an_sym *best;

	while (lo < hi) {		/* the last symbol at or below pc */
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	best = &s->v[lo - 1];
	/* a sized symbol must hold pc; an unsized one (assembly) is taken
	 * only within 4 KiB */
	if ((best->size && pc >= best->addr + best->size) ||
	    (!best->size && pc - best->addr >= 4096))
		return NULL;
	if (off)
		*off = pc - best->addr;
	return best;
}

/* ---- the analysis ----------------------------------------------------- */

uint64_t an_ns(const struct an_profile *p, uint64_t cycles)
{
	uint64_t hz = p->v.hdr.clock_hz;

	return hz ? cycles / hz * 1000000000ull +
		    cycles % hz * 1000000000ull / hz : 0;
}

static bool kernel_pc(const struct an_profile *p, uint64_t pc)
{
	/* x86_64: the top 2 GiB; AArch64: the upper half of the address
	 * space (TTBR1) */
	(void)p;
	return pc >= 0xffff000000000000ull;
}

static int by_count(const void *a, const void *b)
{
	const struct an_func *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_bytes(const void *a, const void *b)
{
	const struct an_site *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int build_sites(struct an_profile *p, const struct an_syms *syms)
{
	p->sites = calloc(p->v.hdr.nsite + 1, sizeof(*p->sites));
	if (!p->sites)
		return -1;
	for (uint32_t i = 0; i < p->v.hdr.nsite; i++) {
		struct prof_site st;
		const struct an_sym *s;
		uint64_t off;
		struct an_site *o = &p->sites[p->nsites++];

		memcpy(&st, p->v.sites + i * sizeof(st), sizeof(st));
		s = an_sym_lookup(syms, st.site, &off);
		if (s)
			snprintf(o->name, sizeof(o->name), "%s+%#llx", s->name,
				 (unsigned long long)off);
		else
			snprintf(o->name, sizeof(o->name), "%#llx",
				 (unsigned long long)st.site);
		o->count = st.count;
		o->bytes = st.bytes;
		p->alloc_bytes += st.bytes;
	}
	qsort(p->sites, p->nsites, sizeof(*p->sites), by_bytes);
	return 0;
}

static int by_cycles(const void *a, const void *b)
{
	const struct an_callfn *x = a, *y = b;

	if (x->cycles != y->cycles)
		return x->cycles > y->cycles ? -1 : 1;
	return strcmp(x->name, y->name);
}

static struct an_callfn *callfn_of(struct an_profile *p,
				   const struct an_syms *syms, uint64_t fn)
{
	const struct an_sym *s = an_sym_lookup(syms, fn, NULL);
	char name[64];
	size_t k;

	if (s)
		snprintf(name, sizeof(name), "%s", s->name);
	else
		snprintf(name, sizeof(name), "%#llx", (unsigned long long)fn);
	for (k = 0; k < p->ncallfns; k++)
		if (strcmp(p->callfns[k].name, name) == 0)
			return &p->callfns[k];
	memcpy(p->callfns[k].name, name, sizeof(name));
	p->ncallfns++;
	return &p->callfns[k];
}

/* Entries and returns paired on one stack: a return pops back to its
 * function's entry (an entry whose return was lost, or a record torn by
 * an interrupt, is dropped on the way). */
static int build_calls(struct an_profile *p, const struct an_syms *syms)
{
	struct { uint64_t fn, ts; } stack[256];
	size_t depth = 0;

	p->callfns = calloc(p->v.hdr.ncall + 1, sizeof(*p->callfns));
	if (!p->callfns)
		return -1;
	for (uint32_t i = 0; i < p->v.hdr.ncall; i++) {
		struct prof_call c;

		memcpy(&c, p->v.calls + i * sizeof(c), sizeof(c));
		if (!(c.ts & 1)) {		/* an entry */
			callfn_of(p, syms, c.fn)->calls++;
			if (depth < 256) {
				stack[depth].fn = c.fn;
				stack[depth++].ts = c.ts >> 1;
			}
			continue;
		}
		for (size_t d = depth; d > 0; d--) {
			if (stack[d - 1].fn != c.fn)
				continue;
			if ((c.ts >> 1) >= stack[d - 1].ts)
				callfn_of(p, syms, c.fn)->cycles +=
					(c.ts >> 1) - stack[d - 1].ts;
			depth = d - 1;
			break;
		}
	}
	qsort(p->callfns, p->ncallfns, sizeof(*p->callfns), by_cycles);
	return 0;
}

int an_profile_build(struct an_profile *p, const uint8_t *dump, size_t len,
		     const struct an_syms *syms, const char **why)
{
	memset(p, 0, sizeof(*p));
	if (prof_dump_parse(dump, len, &p->v, why))
		return -1;
	p->funcs = calloc(p->v.hdr.npc + 1, sizeof(*p->funcs));
	if (!p->funcs) {
		*why = "out of memory";
		return -1;
	}
	for (uint32_t i = 0; i < p->v.hdr.npc; i++) {
		struct prof_pc pc;
		const struct an_sym *s;
		const char *name;
		bool user;
		size_t k;

		memcpy(&pc, p->v.pcs + i * sizeof(pc), sizeof(pc));
		user = !kernel_pc(p, pc.pc);
		s = user ? NULL : an_sym_lookup(syms, pc.pc, NULL);
		name = user ? "(user mode)" : s ? s->name : "?";
		for (k = 0; k < p->nfuncs; k++)
			if (strcmp(p->funcs[k].name, name) == 0)
				break;
		if (k == p->nfuncs) {
			p->funcs[k].name = name;
			p->funcs[k].user = user;
			p->nfuncs++;
		}
		p->funcs[k].count += pc.count;
		p->samples += pc.count;
	}
	qsort(p->funcs, p->nfuncs, sizeof(*p->funcs), by_count);
	if (build_sites(p, syms) || build_calls(p, syms)) {
		*why = "out of memory";
		an_profile_free(p);
		return -1;
	}
	return 0;
}

void an_profile_free(struct an_profile *p)
{
	free(p->funcs);
	free(p->sites);
	free(p->callfns);
	memset(p, 0, sizeof(*p));
}

/* Entry i of a table (copied: the dump need not be aligned); a service
 * that had ended when the dump was made is named "#<id> (ended)". */
static void pair_at(const struct prof_dump_pair *base, uint32_t i,
		    struct prof_dump_pair *out)
{
	memcpy(out, &base[i], sizeof(*out));
	out->name[BUS_NAME_MAX - 1] = '\0';
	if (!out->name[0])
		snprintf(out->name, sizeof(out->name), "#%u (ended)", out->id);
}

static bool idle_name(const char *n)
{
	return strstr(n, "idle") || strstr(n, "halt");
}

#define REC(...)							\
	do {								\
		if (out->n < AN_REC_MAX)				\
			snprintf(out->text[out->n++],			\
				 sizeof(out->text[0]), __VA_ARGS__);	\
	} while (0)

void an_rules(const struct an_profile *p, struct an_recs *out)
{
	const struct prof_dump_hdr *h = &p->v.hdr;
	struct prof_dump_pair d;

	out->n = 0;
	for (uint32_t i = 0; i < h->nsvc; i++) {
		uint64_t w50, r50, r99;

		pair_at(p->v.svc, i, &d);
		w50 = prof_hist_quantile(&d.t.wait, 500);
		r50 = prof_hist_quantile(&d.t.run, 500);
		r99 = prof_hist_quantile(&d.t.run, 990);
		if (d.t.run.n >= 10 && w50 > r50)
			REC("bottleneck: %s: its messages wait %llu ns "
			    "(median) for %llu ns of work; give it a more "
			    "urgent priority, or split its work",
			    d.name,
			    (unsigned long long)an_ns(p, w50),
			    (unsigned long long)an_ns(p, r50));
		if (d.t.run.n >= 10 && r99 > 50 * (r50 ? r50 : 1) &&
		    an_ns(p, r99) >= 1000000)
			REC("long tail: %s: its handler's p99 is %llu ns, "
			    "over 50 times its median (%llu ns) and over a "
			    "millisecond: look for work that grows with a "
			    "table or a queue",
			    d.name,
			    (unsigned long long)an_ns(p, r99),
			    (unsigned long long)an_ns(p, r50));
	}
	for (uint32_t i = 0; i < h->ntopic; i++) {
		pair_at(p->v.topic, i, &d);
		if (d.drops)
			REC("drops: topic %s lost or refused %llu messages "
			    "(a full queue, or a routing rule): raise the "
			    "subscriber's queue limit, slow the publisher "
			    "(bus.rule=rate:...), or check /sys/bus/rules",
			    d.name,
			    (unsigned long long)d.drops);
	}
	if (p->samples && p->nfuncs) {
		const struct an_func *top = &p->funcs[0];
		uint64_t share = top->count * 100 / p->samples;

		if (idle_name(top->name) && share >= 80)
			REC("mostly idle: %llu%% of the samples are in %s; "
			    "the work measured did not keep the CPU busy",
			    (unsigned long long)share, top->name);
		for (size_t k = 0; k < p->nfuncs && k < 3; k++) {
			const struct an_func *f = &p->funcs[k];
			uint64_t s = f->count * 100 / p->samples;

			if (!idle_name(f->name) && s >= 25)
				REC("hot spot: %s has %llu%% of the samples: "
				    "the first place to look", f->name,
				    (unsigned long long)s);
		}
	}
	if (p->nsites && p->alloc_bytes >= 65536 &&
	    p->sites[0].bytes * 2 >= p->alloc_bytes)
		REC("allocation site: %s asked for %llu%% of the %llu bytes "
		    "allocated; a cache of its own (slab_cache_init) or "
		    "reuse would take it off kmalloc", p->sites[0].name,
		    (unsigned long long)(p->sites[0].bytes * 100 /
					 p->alloc_bytes),
		    (unsigned long long)p->alloc_bytes);
	if (h->samples < 50)
		REC("few samples (%llu): profile for longer, or boot with "
		    "timer_hz=1000 for ten times as many",
		    (unsigned long long)h->samples);
	if (h->samples_lost)
		REC("%llu samples lost: more distinct addresses than the "
		    "profiler's table holds", (unsigned long long)
		    h->samples_lost);
}

/* ---- output -------------------------------------------------------------- */

static const char *arch_name(const struct an_profile *p)
{
	return p->v.hdr.arch == PROF_ARCH_X86_64 ? "x86_64" :
	       p->v.hdr.arch == PROF_ARCH_AARCH64 ? "aarch64" : "?";
}

static void table_text(FILE *f, const struct an_profile *p,
		       const struct prof_dump_pair *base, uint32_t n,
		       const char *what)
{
	struct prof_dump_pair d;

	fprintf(f, "\n%-24s %8s %10s %10s %10s %10s\n", what, "runs",
		"wait p50", "wait p99", "run p50", "run p99");
	for (uint32_t i = 0; i < n; i++) {
		pair_at(base, i, &d);
		fprintf(f, "%-24s %8llu %10llu %10llu %10llu %10llu\n",
			d.name,
			(unsigned long long)d.t.run.n,
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.wait, 500)),
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.wait, 990)),
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.run, 500)),
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.run, 990)));
	}
}

static void memory_text(FILE *f, const struct an_profile *p)
{
	struct prof_dump_cache c;

	fprintf(f, "\nmemory: %llu allocations (%llu not placed), by call "
		"site\n%-40s %8s %12s\n", (unsigned long long)p->v.hdr.allocs,
		(unsigned long long)p->v.hdr.allocs_lost, "site", "count",
		"bytes");
	for (size_t k = 0; k < p->nsites && k < 15; k++)
		fprintf(f, "%-40s %8llu %12llu\n", p->sites[k].name,
			(unsigned long long)p->sites[k].count,
			(unsigned long long)p->sites[k].bytes);
	fprintf(f, "\n%-16s %6s %8s %10s %10s %6s\n", "cache", "size",
		"in use", "allocs", "frees", "fails");
	for (uint32_t i = 0; i < p->v.hdr.ncache; i++) {
		memcpy(&c, p->v.caches + i * sizeof(c), sizeof(c));
		c.name[sizeof(c.name) - 1] = '\0';
		fprintf(f, "%-16s %6u %8u %10llu %10llu %6llu\n", c.name, c.size,
			c.inuse, (unsigned long long)c.allocs,
			(unsigned long long)c.frees,
			(unsigned long long)c.fails);
	}
}

/* The longest causal trees of the trace and their critical paths. */
static void causal_text(FILE *f, const struct an_profile *p)
{
	struct an_causal cz;
	long roots[3];
	size_t n;
	const char *why;

	if (!p->v.hdr.trace_bytes ||
	    an_causal_build(&cz, p->v.trace, p->v.hdr.trace_bytes, &why))
		return;
	an_causal_top(&cz, roots, &n, 3);
	fprintf(f, "\ncausal trees (the %zu longest of the trace; analyzer "
		"--tree ID prints any)\n", n);
	if (!n)
		fprintf(f, "  none: no message in the trace caused another\n");
	for (size_t k = 0; k < n; k++)
		an_causal_print(f, &cz, roots[k], p->v.hdr.clock_hz, 12);
	an_causal_free(&cz);
}

void an_report_text(FILE *f, const struct an_profile *p,
		    const struct an_recs *r, const char *trend)
{
	const struct prof_dump_hdr *h = &p->v.hdr;

	fprintf(f, "Aegis profile: %s, %llu ms, %llu dispatches, %llu "
		"samples (%llu lost), clock %llu Hz\n", arch_name(p),
		(unsigned long long)an_ns(p, h->elapsed) / 1000000,
		(unsigned long long)h->dispatches,
		(unsigned long long)h->samples,
		(unsigned long long)h->samples_lost,
		(unsigned long long)h->clock_hz);
	fprintf(f, "\nhot spots (functions by samples)\n");
	for (size_t k = 0; k < p->nfuncs && k < 15; k++)
		fprintf(f, "%6llu %5.1f%%  %s\n",
			(unsigned long long)p->funcs[k].count,
			100.0 * (double)p->funcs[k].count /
			(double)(p->samples ? p->samples : 1),
			p->funcs[k].name);
	table_text(f, p, p->v.svc, h->nsvc, "service (ns)");
	table_text(f, p, p->v.topic, h->ntopic, "topic (ns)");
	memory_text(f, p);
	if (p->ncallfns) {
		fprintf(f, "\ntraced functions (instrument=): %u calls "
			"recorded\n%-32s %10s %12s\n", h->ncall, "function",
			"calls", "total ns");
		for (size_t k = 0; k < p->ncallfns && k < 20; k++)
			fprintf(f, "%-32s %10llu %12llu\n", p->callfns[k].name,
				(unsigned long long)p->callfns[k].calls,
				(unsigned long long)an_ns(p, p->callfns[k].cycles));
	}
	causal_text(f, p);
	fprintf(f, "\nrecommendations\n");
	if (!r->n)
		fprintf(f, "  none: no rule fired\n");
	for (unsigned int i = 0; i < r->n; i++)
		fprintf(f, "  - %s\n", r->text[i]);
	if (trend && *trend)
		fprintf(f, "\ntrend against the previous run\n%s", trend);
}

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

/* A table row: a name and two counts. */
static void html_row(FILE *f, const char *name, uint64_t a, uint64_t b)
{
	fputs("<tr><td>", f);
	html_escape(f, name);
	fprintf(f, "</td><td>%llu</td><td>%llu</td></tr>\n",
		(unsigned long long)a, (unsigned long long)b);
}

/* A log2 histogram as SVG bars. */
static void hist_svg(FILE *f, const struct prof_hist *h, const char *color)
{
	uint32_t most = 1;
	int w = 8, height = 60;

	for (int k = 0; k < PROF_BUCKETS; k++)
		if (h->bucket[k] > most)
			most = h->bucket[k];
	fprintf(f, "<svg width=\"%d\" height=\"%d\">", PROF_BUCKETS * w,
		height + 2);
	for (int k = 0; k < PROF_BUCKETS; k++) {
		int bh = (int)((uint64_t)h->bucket[k] * height / most);

		if (h->bucket[k])
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
				"height=\"%d\" fill=\"%s\"><title>bucket %d: "
				"%u</title></rect>", k * w, height - bh + 1,
				w - 1, bh ? bh : 1, color, k, h->bucket[k]);
	}
	fputs("</svg>", f);
}

/* The samples as a flame graph: all, then kernel or user mode, then
 * the function. */
static void flame_svg(FILE *f, const struct an_profile *p)
{
	const int width = 1000, row = 20;
	uint64_t ker = 0, tot = p->samples ? p->samples : 1;
	double x;

	for (size_t k = 0; k < p->nfuncs; k++)
		if (!p->funcs[k].user)
			ker += p->funcs[k].count;
	fprintf(f, "<svg width=\"%d\" height=\"%d\" font-size=\"11\" "
		"font-family=\"monospace\">", width, row * 3 + 2);
	fprintf(f, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"#c44\"/><text x=\"4\" y=\"%d\">all (%llu)</text>",
		row * 2, width, row - 1, row * 3 - 6,
		(unsigned long long)p->samples);
	fprintf(f, "<rect x=\"0\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		"fill=\"#d73\"/><text x=\"4\" y=\"%d\">kernel</text>", row,
		(double)width * (double)ker / (double)tot, row - 1, row * 2 - 6);
	if (ker < p->samples)
		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			"height=\"%d\" fill=\"#37d\"/>",
			(double)width * (double)ker / (double)tot, row,
			(double)width * (double)(p->samples - ker) /
			(double)tot, row - 1);
	x = 0;
	for (int pass = 0; pass < 2; pass++)	/* kernel first, then user */
		for (size_t k = 0; k < p->nfuncs; k++) {
			const struct an_func *fn = &p->funcs[k];
			double w = (double)width * (double)fn->count /
				   (double)tot;

			if (fn->user != (pass == 1))
				continue;
			fputs("<g><title>", f);
			html_escape(f, fn->name);
			fprintf(f, ": %llu samples</title>"
				"<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" "
				"height=\"%d\" fill=\"%s\" stroke=\"#fff\"/>",
				(unsigned long long)fn->count, x, w,
				row - 1, fn->user ? "#6ae" : "#fa4");
			if (w > 60) {
				fprintf(f, "<text x=\"%.1f\" y=\"%d\">", x + 3,
					row - 6);
				html_escape(f, fn->name);
				fputs("</text>", f);
			}
			fputs("</g>", f);
			x += w;
		}
	fputs("</svg>", f);
}

void an_report_html(FILE *f, const struct an_profile *p,
		    const struct an_recs *r, const char *trend)
{
	const struct prof_dump_hdr *h = &p->v.hdr;
	struct prof_dump_pair d;

	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>Aegis profile</title><style>body{font-family:sans-"
		"serif;margin:2em}td,th{padding:2px 8px;text-align:right}"
		"td:first-child,th:first-child{text-align:left}</style>"
		"</head><body>\n<h1>Aegis profile (%s)</h1>\n<p>%llu ms, "
		"%llu dispatches, %llu samples (%llu lost), clock %llu Hz</p>"
		"\n<h2>Samples</h2>\n", arch_name(p),
		(unsigned long long)an_ns(p, h->elapsed) / 1000000,
		(unsigned long long)h->dispatches,
		(unsigned long long)h->samples,
		(unsigned long long)h->samples_lost,
		(unsigned long long)h->clock_hz);
	flame_svg(f, p);
	fputs("\n<table><tr><th>function</th><th>samples</th><th>share</th>"
	      "</tr>\n", f);
	for (size_t k = 0; k < p->nfuncs && k < 30; k++) {
		fputs("<tr><td>", f);
		html_escape(f, p->funcs[k].name);
		fprintf(f, "</td><td>%llu</td><td>%.1f%%</td></tr>\n",
			(unsigned long long)p->funcs[k].count,
			100.0 * (double)p->funcs[k].count /
			(double)(p->samples ? p->samples : 1));
	}
	fputs("</table>\n<h2>Recommendations</h2>\n<ul>\n", f);
	for (unsigned int i = 0; i < r->n; i++) {
		fputs("<li>", f);
		html_escape(f, r->text[i]);
		fputs("</li>\n", f);
	}
	if (!r->n)
		fputs("<li>none: no rule fired</li>\n", f);
	fputs("</ul>\n<h2>Services: queue wait and handler time</h2>\n"
	      "<p>log2 histograms of cycles (wait orange, run blue)</p>\n"
	      "<table><tr><th>service</th><th>runs</th><th>wait p50 ns</th>"
	      "<th>run p50 ns</th><th>run p99 ns</th><th>wait</th>"
	      "<th>run</th></tr>\n", f);
	for (uint32_t i = 0; i < h->nsvc; i++) {
		pair_at(p->v.svc, i, &d);
		fputs("<tr><td>", f);
		html_escape(f, d.name);
		fprintf(f, "</td><td>%llu</td><td>%llu</td><td>%llu</td>"
			"<td>%llu</td><td>", (unsigned long long)d.t.run.n,
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.wait, 500)),
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.run, 500)),
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.run, 990)));
		hist_svg(f, &d.t.wait, "#e80");
		fputs("</td><td>", f);
		hist_svg(f, &d.t.run, "#38c");
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<h2>Memory by call site</h2>\n<table><tr><th>site"
	      "</th><th>count</th><th>bytes</th></tr>\n", f);
	for (size_t k = 0; k < p->nsites && k < 30; k++)
		html_row(f, p->sites[k].name, p->sites[k].count,
			 p->sites[k].bytes);
	fputs("</table>\n", f);
	if (p->ncallfns) {
		fputs("<h2>Traced functions</h2>\n<table><tr><th>function</th>"
		      "<th>calls</th><th>total ns</th></tr>\n", f);
		for (size_t k = 0; k < p->ncallfns && k < 30; k++)
			html_row(f, p->callfns[k].name, p->callfns[k].calls,
				 an_ns(p, p->callfns[k].cycles));
		fputs("</table>\n", f);
	}
	if (trend && *trend) {
		fputs("<h2>Trend against the previous run</h2>\n<pre>", f);
		html_escape(f, trend);
		fputs("</pre>\n", f);
	}
	fputs("</body></html>\n", f);
}

/* The run's headline figures, one JSON object. */
static void history_line(FILE *f, const struct an_profile *p)
{
	struct prof_dump_pair d;
	const char *comma = "";

	fprintf(f, "{\"arch\":\"%s\",\"elapsed_ns\":%llu,\"dispatches\":%llu,"
		"\"samples\":%llu,\"run_p50_ns\":{", arch_name(p),
		(unsigned long long)an_ns(p, p->v.hdr.elapsed),
		(unsigned long long)p->v.hdr.dispatches,
		(unsigned long long)p->v.hdr.samples);
	for (uint32_t i = 0; i < p->v.hdr.nsvc; i++) {
		pair_at(p->v.svc, i, &d);
		if (strstr(d.name, "(ended)"))	/* a process's: no trend */
			continue;
		fprintf(f, "%s\"%s\":%llu", comma, d.name,
			(unsigned long long)an_ns(p, prof_hist_quantile(
						  &d.t.run, 500)));
		comma = ",";
	}
	fputs("}}\n", f);
}

/* The value of "name":N inside the run_p50_ns object of a history line,
 * or -1. */
static long long prev_value(const char *line, const char *name)
{
	char key[64];
	const char *o = strstr(line, "\"run_p50_ns\":{"), *k;

	if (!o)
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", name);
	k = strstr(o, key);
	return k ? atoll(k + strlen(key)) : -1;
}

int an_history(const char *path, const struct an_profile *p, char *trend,
	       size_t size)
{
	FILE *f = fopen(path, "r");
	char line[8192], last[8192] = "";
	struct prof_dump_pair d;
	size_t used = 0;
	int runs = 0;

	trend[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, arch_name(p))) {	/* same arch only */
			memcpy(last, line, sizeof(last));
			runs++;
		}
	}
	if (f)
		fclose(f);
	if (runs) {
		for (uint32_t i = 0; i < p->v.hdr.nsvc && used < size; i++) {
			long long was;
			unsigned long long now;
			int k;

			pair_at(p->v.svc, i, &d);
			if (strstr(d.name, "(ended)"))
				continue;
			was = prev_value(last, d.name);
			now = (unsigned long long)an_ns(p, prof_hist_quantile(
							   &d.t.run, 500));
			if (was < 0)
				continue;
			k = snprintf(trend + used, size - used,
				     "  %-20s run p50 %llu ns (was %lld, "
				     "%+lld%%)\n", d.name, now, was,
				     was ? ((long long)now - was) * 100 / was
					 : 0);
			if (k > 0)
				used += (size_t)k;
		}
		if (used >= size)
			trend[size - 1] = '\0';
	}
	f = fopen(path, "a");
	if (!f)
		return -1;
	history_line(f, p);
	return fclose(f) ? -1 : 0;
}

/* ---- Chrome trace ---------------------------------------------------- */

struct chrome_ctx {
	FILE *f;
	const struct an_profile *p;
	long n;
	uint64_t t0;
};

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void earliest(const struct trace_rec *r, const char *topic,
		     const char *src, const char *dst, void *ctx)
{
	struct chrome_ctx *c = ctx;

	(void)topic;
	(void)src;
	(void)dst;
	if (!c->n++ || r->ts < c->t0)
		c->t0 = r->ts;
}

static void chrome_event(const struct trace_rec *r, const char *topic,
			 const char *src, const char *dst, void *ctx)
{
	struct chrome_ctx *c = ctx;
	uint64_t hz = c->p->v.hdr.clock_hz ? c->p->v.hdr.clock_hz : 1;

	fprintf(c->f, "%s\n{\"name\":", c->n ? "," : "");
	json_str(c->f, topic ? topic : "?");
	fprintf(c->f, ",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,"
		"\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"src\":",
		r->kind == BUS_EVENT ? "event" : r->kind == BUS_REQUEST ?
		"request" : "reply", r->dst,
		(double)(r->ts - c->t0) * 1e6 / (double)hz,
		(double)r->run * 1e6 / (double)hz);
	json_str(c->f, src ? src : "?");
	fputs(",\"dst\":", c->f);
	json_str(c->f, dst ? dst : "?");
	fprintf(c->f, ",\"wait_us\":%.3f,\"status\":%d%s,\"id\":%u,"
		"\"parent\":%u,\"trace\":%u}}",
		(double)r->wait * 1e6 / (double)hz, r->status,
		r->inline_call ? ",\"inline\":true" : "", r->id, r->parent,
		r->trace);
	c->n++;
}

/* A flow from a message's parent (its post, inside the parent's slice)
 * to the message (its start): "s" binds to the slice around its time on
 * the parent's thread, "f" with "bp":"e" to the child's slice. */
static void chrome_flows(FILE *f, const struct chrome_ctx *c,
			 const struct an_causal *cz)
{
	uint64_t hz = c->p->v.hdr.clock_hz ? c->p->v.hdr.clock_hz : 1;

	for (size_t i = 0; i < cz->n; i++) {
		const struct an_node *n = &cz->v[i], *pa;
		uint64_t at;

		if (n->parent < 0 || (n->r.inline_call & ~1u))
			continue;	/* a root, or no slice of its own */
		pa = &cz->v[n->parent];
		at = n->r.ts >= n->r.wait ? n->r.ts - n->r.wait : 0;
		if (at < pa->r.ts)
			at = pa->r.ts;
		if (at > pa->r.ts + pa->r.run)	/* a reply: after its end */
			at = pa->r.ts + pa->r.run;
		if (at < c->t0 || n->r.ts < c->t0)
			continue;
		fprintf(f, ",\n{\"name\":\"caused\",\"cat\":\"lineage\","
			"\"ph\":\"s\",\"id\":%u,\"pid\":1,\"tid\":%u,"
			"\"ts\":%.3f}", n->r.id, pa->r.dst,
			(double)(at - c->t0) * 1e6 / (double)hz);
		fprintf(f, ",\n{\"name\":\"caused\",\"cat\":\"lineage\","
			"\"ph\":\"f\",\"bp\":\"e\",\"id\":%u,\"pid\":1,"
			"\"tid\":%u,\"ts\":%.3f}", n->r.id, n->r.dst,
			(double)(n->r.ts - c->t0) * 1e6 / (double)hz);
	}
}

long an_chrome_trace(FILE *f, const struct an_profile *p)
{
	struct chrome_ctx c = { f, p, 0, 0 };
	struct an_causal cz;
	const char *why;
	long n;

	/* time 0 is the earliest start: records are in the order they
	 * ended, and an inline call's ends before its caller's */
	if (trace_dump_parse(p->v.trace, p->v.hdr.trace_bytes, earliest, &c,
			     &why) < 0)
		return -1;
	c.n = 0;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", f);
	n = trace_dump_parse(p->v.trace, p->v.hdr.trace_bytes, chrome_event,
			     &c, &why);
	if (n > 0 && an_causal_build(&cz, p->v.trace, p->v.hdr.trace_bytes,
				     &why) == 0) {
		chrome_flows(f, &c, &cz);
		an_causal_free(&cz);
	}
	fputs("\n]}\n", f);
	return n < 0 ? -1 : c.n;
}
