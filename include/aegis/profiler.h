/*
 * aegis/profiler.h - the profiler service (services/profiler/) and its
 * arch-neutral core (services/profiler/prof.c, tested on the host).
 *
 * While a profile runs, the profiler takes:
 *   - every bus dispatch from the trace (aegis/trace.h): per service and
 *     per topic, histograms of queue wait and handler time, in cycles of
 *     the bus clock;
 *   - every timer interrupt's program counter (the HAL's sampling ring,
 *     hal_sample_enable/hal_sample_take), counted per address.
 *
 * Bus contract of the "profiler" service:
 *   "profiler.start"   request, no payload: clear, then profile
 *   "profiler.stop"    request, no payload: stop (the figures stay)
 *   "profiler.report"  request, no payload: the report on the console
 *   "profiler.dump"    request, no payload: the profile and the bus
 *                      trace as dump frames on the console (below)
 *   /sys/profiler      state (rw: "start", "stop"), clock, samples,
 *                      services, topics, hot (aegis/sysfs.h)
 *
 * Histograms are log2: bucket k counts values v with 2^(k-1) <= v < 2^k
 * (bucket 0: v == 0); the last bucket takes everything above.
 */
#ifndef AEGIS_PROFILER_H
#define AEGIS_PROFILER_H

#include <aegis/bus.h>
#include <aegis/trace.h>

#define PROF_BUCKETS	32
#define PROF_PCS	1024	/* distinct sampled addresses kept */
#define PROF_SITES	256	/* distinct allocation sites kept */

struct prof_hist {
	uint64_t n, sum, max;
	uint32_t bucket[PROF_BUCKETS];
};

void prof_hist_add(struct prof_hist *h, uint64_t v);

/* prof_hist_quantile - the value below which a fraction q (0..1000, in
 * thousandths) of the values lie, as the upper bound of its bucket (the
 * largest value seen for the last one); 0 for an empty histogram. */
uint64_t prof_hist_quantile(const struct prof_hist *h, unsigned int q);

struct prof_pair {
	struct prof_hist wait, run;
};

struct prof_pc {
	uint64_t pc;
	uint64_t count;
};

/* An allocation site: kmalloc's caller. */
struct prof_site {
	uint64_t site;
	uint64_t count, bytes;
};

/* One traced function call (-finstrument-functions, build option
 * instrument=): ts is the cycle counter shifted left once, with bit 0
 * set for the function's return. */
struct prof_call {
	uint64_t fn, site, ts;
};

/* A topic's pair, in a table keyed by topic id (open addressing). */
#define PROF_TOPICS	1024	/* distinct topics kept; more: topics_lost */
struct prof_topic {
	uint32_t id1;		/* topic id + 1; 0: free */
	struct prof_pair t;
};

/* Everything one profile holds. */
struct prof {
	bool on;
	uint64_t started, stopped;	/* bus clock */
	uint64_t dispatches;
	struct prof_pair svc[BUS_SVC_MAX + 1];	/* [BUS_SVC_MAX]: kernel */
	struct prof_topic topics[PROF_TOPICS];
	uint64_t topics_lost;	/* dispatches of topics past PROF_TOPICS */
	struct prof_pc pcs[PROF_PCS];	/* open addressing, pc 0: free */
	uint64_t samples, samples_lost;	/* lost: the table was full */
	struct prof_site sites[PROF_SITES];	/* the same */
	uint64_t allocs, allocs_lost;
};

void prof_reset(struct prof *p);

/* prof_topic - topic t's pair, or NULL when it has none. */
const struct prof_pair *prof_topic(const struct prof *p, unsigned int t);

/* prof_feed - one dispatch from the trace. */
void prof_feed(struct prof *p, const struct trace_rec *r);

/* prof_sample - one sampled program counter. */
void prof_sample(struct prof *p, uint64_t pc);

/* Function-call tracing (services/profiler/ftrace.c): buf holds n
 * records (a power of two, else tracing stays off); enable starts anew;
 * take copies the newest max records, oldest first, and returns how
 * many. Only code built with instrument= (scons) calls the hooks. */
void prof_ftrace_setup(struct prof_call *buf, uint32_t n);
void prof_ftrace_enable(bool on);
uint32_t prof_ftrace_take(struct prof_call *out, uint32_t max);

/* prof_alloc - one allocation of size bytes from site. */
void prof_alloc(struct prof *p, uint64_t site, uint64_t size);

/* prof_hot - the n most sampled addresses, most first, into out; how
 * many there were. */
unsigned int prof_hot(const struct prof *p, struct prof_pc *out,
		      unsigned int n);

/*
 * prof_bottlenecks - the services whose median queue wait is larger than
 * their median handler time (and that ran at least min_runs times): ids
 * into out (at most 64 of them), worst ratio first; how many.
 */
unsigned int prof_bottlenecks(const struct prof *p, unsigned int min_runs,
			      uint16_t *out, unsigned int n);

/*
 * The profile dump (version 1), a byte stream that travels over the
 * console in dump frames (aegis/dump.h, kind DUMP_KIND_PROFILE) and
 * that tools/analyzer reads. Little-endian, the structures below in
 * order:
 *
 *	struct prof_dump_hdr
 *	nsvc   x struct prof_dump_pair   the services that ran
 *	ntopic x struct prof_dump_pair   the topics that were dispatched
 *	npc    x struct prof_pc          sampled addresses, most first
 *	nsite  x struct prof_site        allocation sites
 *	ncache x struct prof_dump_cache  kmalloc's caches
 *	ncall  x struct prof_call        traced calls, oldest first
 *	trace_bytes of the bus trace's own dump (aegis/trace.h)
 */
#define PROF_DUMP_MAGIC		0x52504741u	/* "AGPR" */
#define PROF_DUMP_VERSION	1
#define PROF_ARCH_X86_64	1
#define PROF_ARCH_AARCH64	2

struct prof_dump_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t arch;		/* PROF_ARCH_* */
	uint64_t clock_hz;
	uint64_t elapsed;	/* cycles the profile ran */
	uint64_t dispatches;
	uint64_t samples, samples_lost;
	uint32_t nsvc, ntopic, npc;
	uint32_t trace_bytes;
	uint32_t nsite, ncache, ncall;
	uint32_t pad;
	uint64_t allocs, allocs_lost;
};

_Static_assert(sizeof(struct prof_dump_hdr) == 96, "dump header");

/* A kmalloc cache as the dump has it. */
struct prof_dump_cache {
	char name[16];
	uint32_t size;		/* bytes an object holds */
	uint32_t inuse;		/* objects handed out now */
	uint64_t allocs, frees, fails;
};

struct prof_dump_pair {
	char name[BUS_NAME_MAX];
	uint64_t drops;		/* topics: dropped since boot */
	uint16_t id;		/* the service or topic id */
	uint16_t pad[3];
	struct prof_pair t;
};

_Static_assert(sizeof(struct prof_dump_pair) % 8 == 0, "dump pair");

/* Where names and drops come from (the bus in the kernel; tables in the
 * tests). */
struct prof_names {
	const char *(*svc)(unsigned int id);	/* NULL: ended */
	const char *(*topic)(unsigned int id);
	uint64_t (*drops)(unsigned int topic);
	unsigned int ntopics;
};

/* What else goes into a dump besides p. */
struct prof_dump_meta {
	uint16_t arch;			/* PROF_ARCH_* */
	uint64_t clock_hz, elapsed;
	size_t trace_bytes;		/* the caller appends them */
	const struct prof_dump_cache *caches;
	unsigned int ncache;
	const struct prof_call *calls;	/* oldest first */
	unsigned int ncall;
};

/* prof_dump_size - the bytes prof_dump writes for p and m, the trace
 * included. */
size_t prof_dump_size(const struct prof *p, const struct prof_names *nm,
		      const struct prof_dump_meta *m);

/* prof_dump - write the dump, all but the trace, into buf (8-byte
 * aligned; the caller appends m->trace_bytes of trace): the bytes
 * written, or -ENOSPC. */
long prof_dump(const struct prof *p, const struct prof_names *nm,
	       const struct prof_dump_meta *m, void *buf, size_t size);

/* A parsed dump: pointers into the buffer it came from. */
struct prof_dump_view {
	struct prof_dump_hdr hdr;
	const struct prof_dump_pair *svc, *topic;	/* unaligned-safe:
							 * copy before use */
	const uint8_t *pcs;		/* npc x struct prof_pc */
	const uint8_t *sites;		/* nsite x struct prof_site */
	const uint8_t *caches;		/* ncache x struct prof_dump_cache */
	const uint8_t *calls;		/* ncall x struct prof_call */
	const uint8_t *trace;		/* trace_bytes */
};

/* prof_dump_parse - check a dump: 0 with *v filled, or -EBADMSG with
 * *why (bad magic, unknown version, counts that do not fit len). */
int prof_dump_parse(const void *buf, size_t len, struct prof_dump_view *v,
		    const char **why);

#endif
