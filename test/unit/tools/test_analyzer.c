/*
 * test_analyzer.c - tools/analyzer/an.c: the dump out of a serial log
 * (noise, damage, order, repeats, several dumps), the symbolizer (made-up
 * tables and a real ELF), every recommendation rule, and the history,
 * HTML and Chrome trace outputs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <aegis/bus.h>
#include <aegis/dump.h>
#include <aegis/errno.h>
#include <aegis/profiler.h>
#include <aegis/trace.h>
#include "an.h"
#include "unit.h"

static struct prof *pr;
static const struct prof_call *dump_calls;
static unsigned int dump_ncalls;
static uint64_t dumpbuf[32768];
static size_t dumplen;

static const char *svc_name(unsigned int id)
{
	static const char *const n[] = { "console", "mm", "sched", "idle" };

	return id < 4 ? n[id] : NULL;
}

static const char *topic_name(unsigned int id)
{
	return id == 1 ? "hw.irq.timer" : "net.rx";
}

static uint64_t no_drops(unsigned int id)
{
	(void)id;
	return 0;
}

static uint64_t some_drops(unsigned int id)
{
	return id == 2 ? 12 : 0;
}

static struct prof_names names = { svc_name, topic_name, no_drops, 4 };

static void setup(void)
{
	pr = calloc(1, sizeof(*pr));
	ck_assert_ptr_nonnull(pr);
	pr->on = true;
	names.drops = no_drops;
	dump_calls = NULL;
	dump_ncalls = 0;
}

static void teardown(void)
{
	free(pr);
}

static void feed(unsigned int dst, unsigned int topic, uint32_t wait,
		 uint32_t run, int times)
{
	struct trace_rec r;

	memset(&r, 0, sizeof(r));
	r.dst = (bus_svc_t)dst;
	r.topic = (bus_topic_t)topic;
	r.wait = wait;
	r.run = run;
	for (int i = 0; i < times; i++)
		prof_feed(pr, &r);
}

static void samples(uint64_t pc, int times)
{
	for (int i = 0; i < times; i++)
		prof_sample(pr, pc);
}

/* The profile as a dump (no trace unless given). */
static void make_dump(const void *trace, size_t tlen)
{
	struct prof_dump_meta m = { PROF_ARCH_X86_64, 1000000000, 5000000,
				    tlen, NULL, 0, dump_calls, dump_ncalls };
	long n = prof_dump(pr, &names, &m, dumpbuf, sizeof(dumpbuf));

	ck_assert_int_gt(n, 0);
	if (tlen)
		memcpy((uint8_t *)dumpbuf + n, trace, tlen);
	dumplen = (size_t)n + tlen;
}

/* The dump as console text: frames among other lines. */
static char *as_log(const uint8_t *data, size_t len, const char *between)
{
	unsigned int frames = dump_frames(len);
	size_t cap = (size_t)frames * (DUMP_LINE + 64) + 256, o = 0;
	char *text = malloc(cap);
	char line[DUMP_LINE + 1];

	ck_assert_ptr_nonnull(text);
	o += (size_t)snprintf(text + o, cap - o, "aegis: up\nsh> prof dump\n");
	for (unsigned int i = 0; i < frames; i++) {
		size_t off = (size_t)i * DUMP_PAYLOAD;
		size_t l = len - off < DUMP_PAYLOAD ? len - off : DUMP_PAYLOAD;

		dump_frame_line(line, sizeof(line), DUMP_KIND_PROFILE,
				(uint16_t)i, (uint16_t)frames, data + off, l);
		o += (size_t)snprintf(text + o, cap - o, "%s\r\n%s", line,
				      i == 1 && between ? between : "");
	}
	return text;
}

/* ---- the dump from the log ---------------------------------------- */

START_TEST(test_reassemble_among_console_text)
{
	uint8_t *got;
	size_t len;
	struct an_log info;
	char *log;

	feed(2, 1, 10, 20, 5);
	make_dump(NULL, 0);
	log = as_log((uint8_t *)dumpbuf, dumplen, "example: hello\n");
	ck_assert_int_eq(an_reassemble(log, strlen(log), &got, &len, &info),
			 0);
	ck_assert_uint_eq(len, dumplen);
	ck_assert_mem_eq(got, dumpbuf, len);
	ck_assert_uint_eq(info.bad, 0);
	ck_assert_uint_eq(info.dumps, 1);
	free(got);
	free(log);
}
END_TEST

START_TEST(test_reassemble_damaged_frame_makes_it_incomplete)
{
	uint8_t *got;
	size_t len;
	struct an_log info;
	char *log, *p;

	feed(2, 1, 10, 20, 5);
	make_dump(NULL, 0);
	log = as_log((uint8_t *)dumpbuf, dumplen, NULL);
	p = strstr(strstr(log, DUMP_MARK) + 1, DUMP_MARK);	/* frame 1 */
	p += strlen(DUMP_MARK) + 30;			/* damage */
	*p = *p == 'A' ? 'B' : 'A';
	ck_assert_int_eq(an_reassemble(log, strlen(log), &got, &len, &info),
			 -1);
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(info.bad, 1);
	ck_assert_uint_eq(info.missing, 1);
	ck_assert_str_eq(info.why, "checksum mismatch");
	free(log);
}
END_TEST

START_TEST(test_reassemble_cut_line_refused)
{
	uint8_t *got;
	size_t len;
	struct an_log info;
	char *log, *p;

	feed(2, 1, 10, 20, 5);
	make_dump(NULL, 0);
	log = as_log((uint8_t *)dumpbuf, dumplen, NULL);
	/* output from elsewhere cut the first frame's line */
	p = strstr(log, DUMP_MARK);
	memcpy(p + strlen(DUMP_MARK) + 40, "\nklog\n", 6);
	ck_assert_int_eq(an_reassemble(log, strlen(log), &got, &len, &info),
			 -1);
	ck_assert_uint_ge(info.bad, 1);
	free(log);
}
END_TEST

START_TEST(test_reassemble_out_of_order_and_repeated)
{
	uint8_t *got;
	size_t len;
	struct an_log info;
	char *log, *a, *b, *c, *swapped;
	size_t la, lb;

	feed(2, 1, 10, 20, 5);
	samples(0x10, 3);
	make_dump(NULL, 0);
	ck_assert_uint_ge(dump_frames(dumplen), 3);
	log = as_log((uint8_t *)dumpbuf, dumplen, NULL);
	/* the first two frames swapped, the second repeated at the end */
	a = strstr(log, DUMP_MARK);
	b = strstr(a + 1, DUMP_MARK);
	c = strstr(b + 1, DUMP_MARK);
	la = (size_t)(b - a);
	lb = (size_t)(c - b);
	swapped = malloc(strlen(log) + la + 1);
	ck_assert_ptr_nonnull(swapped);
	memcpy(swapped, log, (size_t)(a - log));
	memcpy(swapped + (a - log), b, lb);
	memcpy(swapped + (a - log) + lb, a, la);
	strcpy(swapped + (a - log) + lb + la, c);
	strncat(swapped, a, la);
	ck_assert_int_eq(an_reassemble(swapped, strlen(swapped), &got, &len,
				       &info), 0);
	ck_assert_uint_eq(len, dumplen);
	ck_assert_mem_eq(got, dumpbuf, len);
	free(got);
	free(swapped);
	free(log);
}
END_TEST

START_TEST(test_reassemble_keeps_last_complete_dump)
{
	uint8_t *got, first[4096];
	size_t len, flen;
	struct an_log info;
	char *log1, *log2, *both;

	feed(2, 1, 10, 20, 5);
	make_dump(NULL, 0);
	flen = dumplen;
	memcpy(first, dumpbuf, flen);
	log1 = as_log(first, flen, NULL);
	feed(1, 1, 10, 20, 5);		/* a second, bigger dump */
	make_dump(NULL, 0);
	log2 = as_log((uint8_t *)dumpbuf, dumplen, NULL);
	/* the second one cut off after its second frame */
	*strstr(strstr(strstr(log2, DUMP_MARK) + 1, DUMP_MARK) + 1,
		DUMP_MARK) = '\0';
	both = malloc(strlen(log1) + strlen(log2) + 1);
	ck_assert_ptr_nonnull(both);
	strcpy(both, log1);
	strcat(both, log2);
	ck_assert_int_eq(an_reassemble(both, strlen(both), &got, &len, &info),
			 0);
	ck_assert_uint_eq(info.dumps, 2);
	ck_assert_uint_eq(len, flen);
	ck_assert_mem_eq(got, first, flen);
	free(got);
	free(both);
	free(log1);
	free(log2);
}
END_TEST

START_TEST(test_reassemble_no_dump)
{
	uint8_t *got;
	size_t len;
	struct an_log info;
	const char *log = "aegis: up\nsh> ls\n";

	ck_assert_int_eq(an_reassemble(log, strlen(log), &got, &len, &info),
			 -1);
	ck_assert_str_eq(info.why, "no profile dump in the log");
}
END_TEST

/* ---- symbols ---------------------------------------------------------- */

START_TEST(test_symbols_lookup)
{
	struct an_syms s = { 0 };
	uint64_t off;

	an_syms_add(&s, 0x2000, 0x100, "b");
	an_syms_add(&s, 0x1000, 0x80, "a");
	an_syms_add(&s, 0x3000, 0, "asm_stub");	/* no size */
	an_syms_sort(&s);
	ck_assert_str_eq(an_sym_lookup(&s, 0x1010, &off)->name, "a");
	ck_assert_uint_eq(off, 0x10);
	ck_assert_str_eq(an_sym_lookup(&s, 0x20ff, NULL)->name, "b");
	ck_assert_ptr_null(an_sym_lookup(&s, 0x1080, NULL));	/* past a */
	ck_assert_ptr_null(an_sym_lookup(&s, 0x0fff, NULL));	/* below */
	ck_assert_str_eq(an_sym_lookup(&s, 0x3400, NULL)->name, "asm_stub");
	ck_assert_ptr_null(an_sym_lookup(&s, 0x5000, NULL));
	an_syms_free(&s);
}
END_TEST

START_TEST(test_symbols_from_a_real_elf)
{
	struct an_syms s = { 0 };
	const char *why = NULL;
	const struct an_sym *m = NULL;
	uint64_t off;

	ck_assert_int_eq(an_syms_load(&s, USER_ELF, &why), 0);
	for (size_t i = 0; i < s.n; i++)
		if (strcmp(s.v[i].name, "main") == 0)
			m = &s.v[i];
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_eq(an_sym_lookup(&s, m->addr + 1, &off), m);
	ck_assert_uint_eq(off, 1);
	an_syms_free(&s);
	/* not an ELF, not there */
	ck_assert_int_eq(an_syms_load(&s, "/proc/self/status", &why), -1);
	ck_assert_str_eq(why, "not an ELF file");
	ck_assert_int_eq(an_syms_load(&s, "/nonexistent/kernel.elf", &why),
			 -1);
	ck_assert_str_eq(why, "No such file or directory");
}
END_TEST

/* ---- rules -------------------------------------------------------------- */

static void analyse(struct an_profile *ap, struct an_syms *s,
		    struct an_recs *r)
{
	const char *why;

	make_dump(NULL, 0);
	ck_assert_int_eq(an_profile_build(ap, (uint8_t *)dumpbuf, dumplen, s,
					  &why), 0);
	an_rules(ap, r);
}

static bool has(const struct an_recs *r, const char *start)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (strncmp(r->text[i], start, strlen(start)) == 0)
			return true;
	return false;
}

START_TEST(test_rule_bottleneck)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	feed(1, 1, 5000, 100, 20);	/* mm waits 50x its work */
	feed(2, 1, 10, 100, 20);
	samples(0xffffffff80001000ull, 100);
	analyse(&ap, &s, &r);
	ck_assert(has(&r, "bottleneck: mm:"));
	ck_assert(!has(&r, "bottleneck: sched"));
	an_profile_free(&ap);
}
END_TEST

START_TEST(test_rule_long_tail)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	feed(2, 1, 1, 100, 99);
	feed(2, 1, 1, 10000000, 2);	/* p99 far above the median, 10 ms */
	samples(0xffffffff80001000ull, 100);
	analyse(&ap, &s, &r);
	ck_assert(has(&r, "long tail: sched:"));
	an_profile_free(&ap);
}
END_TEST

START_TEST(test_rule_drops)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	names.drops = some_drops;
	feed(2, 2, 1, 100, 3);
	samples(0xffffffff80001000ull, 100);
	analyse(&ap, &s, &r);
	ck_assert(has(&r, "drops: topic net.rx lost or refused 12 messages"));
	an_profile_free(&ap);
}
END_TEST

START_TEST(test_rule_idle_and_hot_spot)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	an_syms_add(&s, 0xffffffff80001000ull, 0x100, "hal_idle");
	an_syms_add(&s, 0xffffffff80002000ull, 0x100, "bus_dispatch");
	an_syms_sort(&s);
	samples(0xffffffff80001010ull, 90);
	samples(0xffffffff80002020ull, 10);
	analyse(&ap, &s, &r);
	ck_assert(has(&r, "mostly idle: 90% of the samples are in hal_idle"));
	ck_assert(!has(&r, "hot spot"));
	an_profile_free(&ap);
	/* busy: bus_dispatch is the hot spot */
	prof_reset(pr);
	pr->on = true;
	samples(0xffffffff80001010ull, 30);
	samples(0xffffffff80002020ull, 70);
	analyse(&ap, &s, &r);
	ck_assert(has(&r, "hot spot: bus_dispatch has 70%"));
	ck_assert(!has(&r, "mostly idle"));
	ck_assert_str_eq(ap.funcs[0].name, "bus_dispatch");
	an_profile_free(&ap);
	an_syms_free(&s);
}
END_TEST

START_TEST(test_rule_few_and_lost_samples)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	samples(0x8000400000ull, 5);	/* user mode */
	pr->samples_lost = 3;
	analyse(&ap, &s, &r);
	ck_assert(has(&r, "few samples (5)"));
	ck_assert(has(&r, "3 samples lost"));
	ck_assert_str_eq(ap.funcs[0].name, "(user mode)");
	ck_assert(ap.funcs[0].user);
	an_profile_free(&ap);
}
END_TEST

START_TEST(test_rules_quiet_for_a_healthy_profile)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	an_syms_add(&s, 0xffffffff80001000ull, 0x100, "a");
	an_syms_add(&s, 0xffffffff80002000ull, 0x100, "b");
	an_syms_add(&s, 0xffffffff80003000ull, 0x100, "c");
	an_syms_add(&s, 0xffffffff80004000ull, 0x100, "d");
	an_syms_add(&s, 0xffffffff80005000ull, 0x100, "e");
	an_syms_sort(&s);
	for (uint64_t f = 1; f <= 5; f++)
		samples(0xffffffff80000000ull + f * 0x1000 + 4, 20);
	feed(2, 1, 10, 100, 50);
	analyse(&ap, &s, &r);
	ck_assert_uint_eq(r.n, 0);
	an_profile_free(&ap);
	an_syms_free(&s);
}
END_TEST

START_TEST(test_memory_sites_named_and_rule)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	an_syms_add(&s, 0xffffffff80005000ull, 0x200, "ns_open");
	an_syms_add(&s, 0xffffffff80006000ull, 0x200, "proc_spawn");
	an_syms_sort(&s);
	prof_alloc(pr, 0xffffffff80005010ull, 100);
	prof_alloc(pr, 0xffffffff80006020ull, 200000);
	prof_alloc(pr, 0x1234, 5);		/* no symbol holds it */
	samples(0xffffffff80005010ull, 100);
	analyse(&ap, &s, &r);
	ck_assert_uint_eq(ap.nsites, 3);
	ck_assert_str_eq(ap.sites[0].name, "proc_spawn+0x20");
	ck_assert_uint_eq(ap.sites[0].bytes, 200000);
	ck_assert_str_eq(ap.sites[2].name, "0x1234");
	ck_assert(has(&r, "allocation site: proc_spawn+0x20 asked for 99%"));
	an_profile_free(&ap);
	an_syms_free(&s);
}
END_TEST

START_TEST(test_traced_calls_paired)
{
	/* a() calls b() twice; one b() lost its return record */
	static const struct prof_call calls[] = {
		{ 0xffffffff80001000ull, 0, 100 << 1 },		/* a in */
		{ 0xffffffff80002000ull, 0, 110 << 1 },		/* b in */
		{ 0xffffffff80002000ull, 0, 130 << 1 | 1 },	/* b out: 20 */
		{ 0xffffffff80002000ull, 0, 140 << 1 },		/* b in, lost */
		{ 0xffffffff80001000ull, 0, 200 << 1 | 1 },	/* a out: 100 */
		{ 0xffffffff80009000ull, 0, 210 << 1 | 1 },	/* stray out */
	};
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;

	an_syms_add(&s, 0xffffffff80001000ull, 0x100, "a");
	an_syms_add(&s, 0xffffffff80002000ull, 0x100, "b");
	an_syms_sort(&s);
	dump_calls = calls;
	dump_ncalls = 6;
	samples(0xffffffff80001010ull, 100);
	analyse(&ap, &s, &r);
	ck_assert_uint_eq(ap.ncallfns, 2);
	ck_assert_str_eq(ap.callfns[0].name, "a");
	ck_assert_uint_eq(ap.callfns[0].calls, 1);
	ck_assert_uint_eq(ap.callfns[0].cycles, 100);
	ck_assert_str_eq(ap.callfns[1].name, "b");
	ck_assert_uint_eq(ap.callfns[1].calls, 2);
	ck_assert_uint_eq(ap.callfns[1].cycles, 20);
	an_profile_free(&ap);
	an_syms_free(&s);
}
END_TEST

/* ---- outputs -------------------------------------------------------------- */

START_TEST(test_history_trend)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;
	char path[64], trend[1024];

	snprintf(path, sizeof(path), "/tmp/aegis-history-%d", (int)getpid());
	unlink(path);
	feed(2, 1, 10, 1000, 20);	/* sched: p50 1000 (its max) */
	analyse(&ap, &s, &r);
	ck_assert_int_eq(an_history(path, &ap, trend, sizeof(trend)), 0);
	ck_assert_str_eq(trend, "");	/* the first run */
	an_profile_free(&ap);
	feed(2, 1, 10, 3000, 100);	/* slower now: 3000 */
	analyse(&ap, &s, &r);
	ck_assert_int_eq(an_history(path, &ap, trend, sizeof(trend)), 0);
	ck_assert_ptr_nonnull(strstr(trend, "sched"));
	ck_assert_msg(strstr(trend, "(was 1000, +200%)") != NULL, "%s", trend);
	an_profile_free(&ap);
	unlink(path);
}
END_TEST

START_TEST(test_html_and_text_reports)
{
	struct an_profile ap;
	struct an_syms s = { 0 };
	struct an_recs r;
	char *out = NULL;
	size_t n = 0;
	FILE *f;

	an_syms_add(&s, 0xffffffff80002000ull, 0x100, "bus_<dispatch>");
	an_syms_sort(&s);
	samples(0xffffffff80002020ull, 70);
	feed(2, 1, 10, 100, 20);
	analyse(&ap, &s, &r);
	f = open_memstream(&out, &n);
	an_report_html(f, &ap, &r, "");
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "<svg"));
	ck_assert_ptr_nonnull(strstr(out, "bus_&lt;dispatch&gt;"));	/* escaped */
	ck_assert_ptr_null(strstr(out, "bus_<dispatch>"));	/* everywhere */
	ck_assert_ptr_nonnull(strstr(out, "</html>"));
	free(out);
	out = NULL;
	f = open_memstream(&out, &n);
	an_report_text(f, &ap, &r, "");
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "hot spots"));
	ck_assert_ptr_nonnull(strstr(out, "bus_<dispatch>"));
	ck_assert_ptr_nonnull(strstr(out, "sched"));
	free(out);
	an_profile_free(&ap);
	an_syms_free(&s);
}
END_TEST

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now += 100;
}

static int quiet(void *state, const struct bus_msg *m, struct bus_msg *rp)
{
	(void)state;
	(void)m;
	(void)rp;
	return 0;
}

START_TEST(test_chrome_trace_export)
{
	static uint8_t tbuf[1 << 18];
	struct an_profile ap;
	struct an_syms s = { 0 };
	const char *why;
	char *out = NULL;
	size_t n = 0;
	long tl;
	FILE *f;
	int svc, t;

	bus_init(fake_clock);
	trace_reset();
	svc = bus_svc_add("netd", quiet, NULL, 16, 4);
	t = bus_topic("net.rx.frame");
	ck_assert_int_ge(svc, 0);
	ck_assert_int_ge(t, 0);
	for (int i = 0; i < 3; i++)
		bus_send((bus_svc_t)svc, (bus_topic_t)t, 4, NULL, 0);
	bus_run(10);
	tl = trace_dump(tbuf, sizeof(tbuf));
	ck_assert_int_gt(tl, 0);
	make_dump(tbuf, (size_t)tl);
	ck_assert_int_eq(an_profile_build(&ap, (uint8_t *)dumpbuf, dumplen, &s,
					  &why), 0);
	f = open_memstream(&out, &n);
	ck_assert_int_eq(an_chrome_trace(f, &ap), 3);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "\"traceEvents\":["));
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"net.rx.frame\""));
	ck_assert_ptr_nonnull(strstr(out, "\"dst\":\"netd\""));
	ck_assert_ptr_nonnull(strstr(out, "\"ph\":\"X\""));
	free(out);
	an_profile_free(&ap);
}
END_TEST

/* A hand-made trace: root 1 posts 2 and 3; 3 calls 4 inline and posts 5
 * after its end (as a reply is); 9's parent 7 has left the ring. */
static long lineage_dump(uint8_t *buf, size_t size)
{
	static const struct {
		uint32_t id, parent, ts, wait, run;
		uint8_t inl;
	} v[] = {
		{ 4, 3, 250, 0, 100, 1 },
		{ 1, 0, 100, 10, 50, 0 },
		{ 2, 1, 160, 20, 10, 0 },
		{ 3, 1, 200, 80, 300, 0 },
		{ 5, 3, 600, 90, 40, 0 },
		{ 9, 7, 700, 5, 5, 0 },
	};

	bus_init(NULL);
	trace_reset();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct trace_rec r;

		memset(&r, 0, sizeof(r));
		r.id = v[i].id;
		r.parent = v[i].parent;
		r.trace = v[i].parent == 7 ? 7 : 1;
		r.ts = v[i].ts;
		r.wait = v[i].wait;
		r.run = v[i].run;
		r.inline_call = v[i].inl;
		r.dst = (bus_svc_t)v[i].id;
		trace_record(&r);
	}
	return trace_dump(buf, size);
}

START_TEST(test_causal_tree_and_critical_path)
{
	static uint8_t tbuf[1 << 16];
	struct an_causal cz;
	struct an_hop hops[8];
	const char *why;
	long tl = lineage_dump(tbuf, sizeof(tbuf)), roots[3], r1;
	size_t nh, nr;
	uint64_t span, sum = 0;
	char *out = NULL;
	size_t n = 0;
	FILE *f;

	ck_assert_int_gt(tl, 0);
	ck_assert_int_eq(an_causal_build(&cz, tbuf, (size_t)tl, &why), 0);
	ck_assert_uint_eq(cz.n, 6);
	r1 = an_causal_find(&cz, 1);
	ck_assert_int_ge(r1, 0);
	ck_assert_int_eq(an_causal_root(&cz, an_causal_find(&cz, 4)), r1);
	ck_assert_int_eq(an_causal_root(&cz, an_causal_find(&cz, 5)), r1);
	ck_assert(cz.v[an_causal_find(&cz, 9)].orphan);
	ck_assert_int_eq(an_causal_root(&cz, an_causal_find(&cz, 9)),
			 an_causal_find(&cz, 9));
	ck_assert_int_eq(an_causal_find(&cz, 8), -1);
	/* root 1 -> 3 (ended last below 1) -> 5 (after 3's own end) */
	nh = an_causal_path(&cz, r1, hops, 8, &span);
	ck_assert_uint_eq(nh, 3);
	ck_assert_uint_eq(span, 640 - 90);
	ck_assert_uint_eq(cz.v[hops[0].node].r.id, 1);
	ck_assert_uint_eq(cz.v[hops[1].node].r.id, 3);
	ck_assert_uint_eq(cz.v[hops[2].node].r.id, 5);
	ck_assert_uint_eq(hops[0].wait + hops[0].exec, 10 + 20);
	ck_assert_uint_eq(hops[1].wait + hops[1].exec, 80 + 310);
	ck_assert_uint_eq(hops[2].wait + hops[2].exec, 90 + 40);
	for (size_t k = 0; k < nh; k++)
		sum += hops[k].wait + hops[k].exec;
	ck_assert_uint_eq(sum, span);	/* the hops add up to the span */
	/* only trees of two or more messages are listed */
	an_causal_top(&cz, roots, &nr, 3);
	ck_assert_uint_eq(nr, 1);
	ck_assert_int_eq(roots[0], r1);
	f = open_memstream(&out, &n);
	an_causal_print(f, &cz, r1, 1000000, 100);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "causal tree 1: 5 messages, "
				     "550.000 us"));
	ck_assert_ptr_nonnull(strstr(out, "2. 3 "));
	ck_assert_ptr_nonnull(strstr(out, "= 390.000 us (71%)  <- the most"));
	free(out);
	an_causal_free(&cz);
}
END_TEST

/* A dump that lies: 20 and 21 each name the other as parent, 30 names
 * itself, and 40 appears twice. Built, walked and printed without a
 * cycle (a parent must have the smaller id) or a hang. */
START_TEST(test_causal_tree_of_a_lying_dump)
{
	static uint8_t tbuf[1 << 16];
	static const uint32_t lies[][2] = {
		{ 20, 21 }, { 21, 20 }, { 30, 30 }, { 40, 0 }, { 40, 20 },
		{ 41, 40 },
	};
	struct an_causal cz;
	struct an_hop hops[8];
	const char *why;
	char *out = NULL;
	size_t n = 0, nr;
	long tl, roots[4];
	uint64_t span;
	FILE *f;

	bus_init(NULL);
	trace_reset();
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct trace_rec r;

		memset(&r, 0, sizeof(r));
		r.id = lies[i][0];
		r.parent = lies[i][1];
		r.ts = 100 * (i + 1);
		r.run = 10;
		trace_record(&r);
	}
	tl = trace_dump(tbuf, sizeof(tbuf));
	ck_assert_int_gt(tl, 0);
	ck_assert_int_eq(an_causal_build(&cz, tbuf, (size_t)tl, &why), 0);
	for (size_t i = 0; i < cz.n; i++) {
		long r = an_causal_root(&cz, (long)i);

		ck_assert_int_ge(r, 0);
		ck_assert_int_lt(cz.v[r].parent, 0);	/* a real root */
		ck_assert_uint_ge(an_causal_path(&cz, r, hops, 8, &span), 1);
	}
	/* 21 -> 20 is cut (20 < 21 cannot be 21's child), 20 -> 21 kept */
	ck_assert_int_eq(cz.v[an_causal_find(&cz, 20)].parent, -1);
	ck_assert(cz.v[an_causal_find(&cz, 20)].orphan);
	ck_assert_int_eq(cz.v[an_causal_find(&cz, 30)].parent, -1);
	an_causal_top(&cz, roots, &nr, 4);
	f = open_memstream(&out, &n);
	for (size_t k = 0; k < nr; k++)
		ck_assert_int_eq(an_causal_print(f, &cz, roots[k], 1000000,
						 (size_t)-1), 0);
	an_causal_print(f, &cz, an_causal_find(&cz, 30), 1000000, 100);
	fclose(f);
	/* gone names said by id; an orphan said so */
	ck_assert_ptr_nonnull(strstr(out, "svc#0->svc#0"));
	ck_assert_ptr_nonnull(strstr(out, "(its root's parent is no longer "
				     "in the trace)"));
	free(out);
	an_causal_free(&cz);
}
END_TEST

START_TEST(test_chrome_trace_draws_lineage_as_flows)
{
	static uint8_t tbuf[1 << 16];
	struct an_profile ap;
	struct an_syms s = { 0 };
	const char *why, *at;
	char *out = NULL;
	size_t n = 0;
	long tl = lineage_dump(tbuf, sizeof(tbuf));
	unsigned int starts = 0, ends = 0;
	FILE *f;

	make_dump(tbuf, (size_t)tl);
	ck_assert_int_eq(an_profile_build(&ap, (uint8_t *)dumpbuf, dumplen, &s,
					  &why), 0);
	f = open_memstream(&out, &n);
	ck_assert_int_eq(an_chrome_trace(f, &ap), 6);
	fclose(f);
	for (at = out; (at = strstr(at, "\"ph\":\"s\"")); at++)
		starts++;
	for (at = out; (at = strstr(at, "\"ph\":\"f\",\"bp\":\"e\"")); at++)
		ends++;
	/* 2, 3, 4 and 5 have their parents in the trace; 9 does not */
	ck_assert_uint_eq(starts, 4);
	ck_assert_uint_eq(ends, 4);
	/* time 0 is the earliest start (1's, recorded after 4's) */
	ck_assert_ptr_nonnull(strstr(out, "\"tid\":1,\"ts\":0.000,"));
	/* 5 was posted after 3 ended: its arrow leaves at 3's end */
	ck_assert_ptr_nonnull(strstr(out, "\"ph\":\"s\",\"id\":5,\"pid\":1,"
				     "\"tid\":3,\"ts\":0.400}"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":4,\"parent\":3,\"trace\":1"));
	free(out);
	an_profile_free(&ap);
}
END_TEST

Suite *suite_analyzer(void)
{
	Suite *s = suite_create("analyzer");
	TCase *tc = tcase_create("analyzer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reassemble_among_console_text);
	tcase_add_test(tc, test_reassemble_damaged_frame_makes_it_incomplete);
	tcase_add_test(tc, test_reassemble_cut_line_refused);
	tcase_add_test(tc, test_reassemble_out_of_order_and_repeated);
	tcase_add_test(tc, test_reassemble_keeps_last_complete_dump);
	tcase_add_test(tc, test_reassemble_no_dump);
	tcase_add_test(tc, test_symbols_lookup);
	tcase_add_test(tc, test_symbols_from_a_real_elf);
	tcase_add_test(tc, test_rule_bottleneck);
	tcase_add_test(tc, test_rule_long_tail);
	tcase_add_test(tc, test_rule_drops);
	tcase_add_test(tc, test_rule_idle_and_hot_spot);
	tcase_add_test(tc, test_rule_few_and_lost_samples);
	tcase_add_test(tc, test_rules_quiet_for_a_healthy_profile);
	tcase_add_test(tc, test_memory_sites_named_and_rule);
	tcase_add_test(tc, test_traced_calls_paired);
	tcase_add_test(tc, test_history_trend);
	tcase_add_test(tc, test_html_and_text_reports);
	tcase_add_test(tc, test_chrome_trace_export);
	tcase_add_test(tc, test_causal_tree_and_critical_path);
	tcase_add_test(tc, test_chrome_trace_draws_lineage_as_flows);
	tcase_add_test(tc, test_causal_tree_of_a_lying_dump);
	suite_add_tcase(s, tc);
	return s;
}
