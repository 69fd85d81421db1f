/*
 * aegis/trace.h - the bus trace: every dispatch recorded, a filter for the
 * live console tracer, and a versioned binary dump for host tools.
 *
 * Recording runs in the dispatcher (handler context); the filter and dump
 * calls run in thread or handler context on the dispatching CPU.
 */
#ifndef AEGIS_TRACE_H
#define AEGIS_TRACE_H

#include <aegis/bus.h>

#define TRACE_RING_SIZE	4096	/* records per CPU, a power of two */
#define TRACE_LIVE_LINES 256	/* selected lines waiting to be printed */
#define TRACE_LINE_MAX	160
#define TRACE_CPUS	4	/* rings: CPU i records in ring i % 4 (the
				 * dump merges them by time) */
#define TRACE_FILTER_MAX 8	/* patterns in a filter */

/* One dispatch: 48 bytes, also the on-disk record of dump version 2. */
struct trace_rec {
	uint64_t ts;		/* bus clock when the handler started */
	uint32_t wait;		/* clock ticks queued (0 for inline calls) */
	uint32_t run;		/* clock ticks in the handler */
	uint32_t corr;
	bus_topic_t topic;
	bus_svc_t src;
	bus_svc_t dst;
	uint8_t kind;		/* enum bus_kind */
	uint8_t prio;
	int16_t status;		/* handler's result */
	uint8_t inline_call;	/* 1: bus_call ran it inline;
				 * TRACE_REFUSED | why: refused by its
				 * contract before any handler ran
				 * (aegis/contract.h), run and wait 0 */
	uint8_t cpu;
	uint32_t id;		/* the message's lineage (aegis/bus.h) */
	uint32_t parent;	/* 0: a root */
	uint32_t trace;		/* its root's id */
	uint32_t pad;		/* 0 */
};
_Static_assert(sizeof(struct trace_rec) == 48, "trace_rec");

#define TRACE_REFUSED	0x80
#define TRACE_UNHEARD	0x40	/* a publish no service subscribed to:
				 * run and wait 0, dst "*" */

/* trace_record - append a record to this CPU's ring (oldest overwritten)
 * and, if the filter selects it, format its line (with the names of
 * now) for trace_pump to print. The bus calls this; it never prints, so
 * printing is nobody's run. */
void trace_record(const struct trace_rec *r);

/* trace_begin - the ring slot of this CPU's next record, to be filled
 * in place (every field) and then handed to trace_commit, which does
 * what trace_record does after its copy. The dispatcher's way: no
 * record is built on the stack and copied. */
struct trace_rec *trace_begin(unsigned int cpu);
void trace_commit(const struct trace_rec *r);

/*
 * trace_pump - print up to max of the lines waiting, oldest first,
 * through the sink; returns how many. When more than TRACE_LIVE_LINES
 * were waiting the oldest went, and "trace: DROPPED <n>" is printed
 * where they were. Outside handlers (the kernel's main loop, after each
 * round of dispatches). trace_live_lost - lines lost and not yet said.
 */
unsigned int trace_pump(unsigned int max);
uint64_t trace_live_lost(void);

/* trace_set_rate - the bus clock's ticks per millisecond: lines then
 * give times in microseconds ("1234.567", to the nanosecond); 0 (the
 * default): in ticks. */
void trace_set_rate(uint64_t ticks_per_ms);

/* trace_set_tap - fn(record, ctx) for every record as it is made (the
 * profiler's; NULL: none). It runs in the dispatcher and must be quick. */
typedef void (*trace_tap_fn)(const struct trace_rec *r, void *ctx);
void trace_set_tap(trace_tap_fn fn, void *ctx);

/* trace_sink_fn - where the live tracer's lines go (the console). */
typedef void (*trace_sink_fn)(const char *line);
void trace_set_sink(trace_sink_fn sink);

/*
 * trace_filter_set - choose what the live tracer prints: a comma-separated
 * list of patterns ("hw.*,sched"); "" or "off" prints nothing, "*" all.
 * A bare name also selects the topics below it ("sched" = "sched" and
 * "sched.*"). An element "src=NAME" or "dst=NAME" selects the messages a
 * service sends or receives (NAME may end in '*': "src=user-*"); a
 * record is printed if any element selects it. Returns 0, or -EINVAL with *why naming the bad element; the
 * old filter is kept then.
 */
int trace_filter_set(const char *list, const char **why);

/* trace_filter_get - the current filter as text. */
const char *trace_filter_get(void);

/* trace_selected - does the filter select this topic? */
bool trace_selected(bus_topic_t t);

/* trace_topic_added - the bus interned a new topic (filter cache). */
void trace_topic_added(bus_topic_t t);

/*
 * trace_format - the console line of a record:
 *   trace: <ts> <kind> <topic> <src>-><dst> p<prio> wait=<w> run=<r>[ seq=<n>| st=<s>][ inline][ id=<id>[ parent=<p>]]
 * times in microseconds since boot once trace_set_rate was given, e.g.
 * "trace: 1200.345 event kernel.boot.done kernel->example p4 wait=0.310
 * run=2.200 seq=1 id=12", else in ticks (id and parent: the message's
 * lineage, parent only for a message some handler's message caused);
 * a message its contract refused ends " refused=<why>" (its dst "*" for a
 * publish), e.g. "trace: 88 event service.up user-x-3->* p0 wait=0
 * run=0 refused=sender"
 * Returns the length as kvsnprintf does.
 */
int trace_format(char *buf, size_t size, const struct trace_rec *r);

/* trace_count - records kept in the ring now; trace_total - ever made. */
unsigned int trace_count(void);
uint64_t trace_total(void);

/* trace_reset - empty the rings and counters (boot, tests). */
void trace_reset(void);

/*
 * The dump (version 2), little-endian:
 *   struct trace_dump_hdr
 *   nrec x struct trace_rec               oldest first
 *   ntopics x char[BUS_NAME_MAX]          topic names by id
 *   nsvcs x char[BUS_NAME_MAX]            service names by id
 */
#define TRACE_DUMP_MAGIC	0x54474541u	/* "AEGT" */
#define TRACE_DUMP_VERSION	2	/* 1: 32-byte records, no lineage */

struct trace_dump_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t rec_size;	/* sizeof(struct trace_rec) */
	uint32_t nrec;
	uint32_t ntopics;
	uint32_t nsvcs;
	uint32_t name_size;	/* BUS_NAME_MAX */
	uint64_t dropped;	/* records overwritten before this dump */
};

/* trace_dump_size - bytes trace_dump needs now. */
size_t trace_dump_size(void);

/* trace_dump - write the dump into buf; returns bytes written, or -ENOSPC
 * if size is too small (nothing useful is written then). */
long trace_dump(void *buf, size_t size);

/*
 * trace_dump_parse - check a dump and hand each record to fn with the
 * names it refers to. Returns the record count, or -EBADMSG (bad magic,
 * unknown version, sizes that do not add up) with *why set. Host tools
 * and tests use it; it reads nothing beyond len.
 */
typedef void (*trace_dump_fn)(const struct trace_rec *r, const char *topic,
			      const char *src, const char *dst, void *ctx);
long trace_dump_parse(const void *buf, size_t len, trace_dump_fn fn,
		      void *ctx, const char **why);

#endif
