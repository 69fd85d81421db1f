/*
 * test_prof.c - services/profiler/prof.c: log2 histograms and their
 * quantiles, per-service and per-topic times from trace records, the
 * sampled-address table (including a full one), the hot list and the
 * bottleneck rule.
 */
#include <stdlib.h>
#include <string.h>
#include <aegis/errno.h>
#include <aegis/profiler.h>
#include "unit.h"

static struct prof *p;

static void setup(void)
{
	p = calloc(1, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	prof_reset(p);
	p->on = true;
}

static void teardown(void)
{
	free(p);
}

static void rec(unsigned int dst, unsigned int topic, uint32_t wait,
		uint32_t run)
{
	struct trace_rec r;

	memset(&r, 0, sizeof(r));
	r.dst = (bus_svc_t)dst;
	r.topic = (bus_topic_t)topic;
	r.wait = wait;
	r.run = run;
	prof_feed(p, &r);
}

START_TEST(test_hist_buckets_are_log2)
{
	struct prof_hist h;

	memset(&h, 0, sizeof(h));
	prof_hist_add(&h, 0);
	prof_hist_add(&h, 1);
	prof_hist_add(&h, 2);
	prof_hist_add(&h, 3);
	prof_hist_add(&h, 1024);
	prof_hist_add(&h, ~0ull);	/* the last bucket takes it */
	ck_assert_uint_eq(h.bucket[0], 1);
	ck_assert_uint_eq(h.bucket[1], 1);
	ck_assert_uint_eq(h.bucket[2], 2);
	ck_assert_uint_eq(h.bucket[11], 1);
	ck_assert_uint_eq(h.bucket[PROF_BUCKETS - 1], 1);
	ck_assert_uint_eq(h.n, 6);
	ck_assert_uint_eq(h.max, ~0ull);
}
END_TEST

START_TEST(test_hist_quantiles)
{
	struct prof_hist h;

	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(prof_hist_quantile(&h, 500), 0);	/* empty */
	for (int i = 0; i < 90; i++)
		prof_hist_add(&h, 100);		/* bucket 7: 64..127 */
	for (int i = 0; i < 10; i++)
		prof_hist_add(&h, 5000);	/* bucket 13 */
	ck_assert_uint_eq(prof_hist_quantile(&h, 500), 127);
	ck_assert_uint_eq(prof_hist_quantile(&h, 900), 127);
	ck_assert_uint_eq(prof_hist_quantile(&h, 910), 5000);	/* max */
	ck_assert_uint_eq(prof_hist_quantile(&h, 1000), 5000);
	ck_assert_uint_eq(prof_hist_quantile(&h, 5000), 5000);	/* capped */
	ck_assert_uint_eq(prof_hist_quantile(&h, 0), 127);
}
END_TEST

START_TEST(test_feed_per_service_and_topic)
{
	rec(3, 10, 50, 200);
	rec(3, 11, 70, 300);
	rec(BUS_SVC_KERNEL, 10, 0, 40);		/* kernel: its own slot */
	ck_assert_uint_eq(p->dispatches, 3);
	ck_assert_uint_eq(p->svc[3].run.n, 2);
	ck_assert_uint_eq(p->svc[3].run.sum, 500);
	ck_assert_uint_eq(p->svc[3].wait.max, 70);
	ck_assert_uint_eq(p->svc[BUS_SVC_MAX].run.n, 1);
	ck_assert_uint_eq(prof_topic(p, 10)->run.n, 2);
	ck_assert_uint_eq(prof_topic(p, 11)->wait.sum, 70);
	ck_assert_ptr_null(prof_topic(p, 12));
	/* stopped: nothing counts */
	p->on = false;
	rec(3, 10, 1, 1);
	ck_assert_uint_eq(p->dispatches, 3);
}
END_TEST

START_TEST(test_topics_past_the_table_are_counted_lost)
{
	/* ids spread over the whole topic range: the table keys them */
	for (unsigned int i = 0; i < PROF_TOPICS + 6; i++)
		rec(3, (uint16_t)(i * 13 % BUS_TOPIC_MAX), 1, 1);
	ck_assert_uint_eq(p->topics_lost, 6);
	ck_assert_uint_eq(prof_topic(p, 13)->run.n, 1);
	ck_assert_uint_eq(p->svc[3].run.n, PROF_TOPICS + 6);
}
END_TEST

START_TEST(test_samples_counted_per_address)
{
	struct prof_pc hot[3];

	for (int i = 0; i < 5; i++)
		prof_sample(p, 0xffffffff80201000ull);
	for (int i = 0; i < 3; i++)
		prof_sample(p, 0xffffffff80202000ull);
	prof_sample(p, 0x8000400000ull);
	prof_sample(p, 0);		/* no address: ignored */
	ck_assert_uint_eq(p->samples, 9);
	ck_assert_uint_eq(prof_hot(p, hot, 3), 3);
	ck_assert_uint_eq(hot[0].pc, 0xffffffff80201000ull);
	ck_assert_uint_eq(hot[0].count, 5);
	ck_assert_uint_eq(hot[1].count, 3);
	ck_assert_uint_eq(hot[2].pc, 0x8000400000ull);
	ck_assert_uint_eq(prof_hot(p, hot, 1), 1);
	ck_assert_uint_eq(hot[0].count, 5);
}
END_TEST

START_TEST(test_alloc_sites_counted)
{
	prof_alloc(p, 0x1000, 64);
	prof_alloc(p, 0x1000, 32);
	prof_alloc(p, 0x2000, 4096);
	prof_alloc(p, 0, 8);		/* no site: ignored */
	ck_assert_uint_eq(p->allocs, 3);
	for (uint64_t i = 1; i <= PROF_SITES + 4; i++)
		prof_alloc(p, 0x10000 + i * 16, 1);
	ck_assert_uint_eq(p->allocs_lost, 6);	/* 2 sites taken before */
	p->on = false;
	prof_alloc(p, 0x1000, 1);
	ck_assert_uint_eq(p->allocs, 3 + PROF_SITES + 4);
}
END_TEST

START_TEST(test_sample_table_full_counts_lost)
{
	for (uint64_t i = 1; i <= PROF_PCS + 10; i++)
		prof_sample(p, i * 4);
	ck_assert_uint_eq(p->samples, PROF_PCS + 10);
	ck_assert_uint_eq(p->samples_lost, 10);
	prof_sample(p, 4);		/* one it has: still counted */
	ck_assert_uint_eq(p->samples_lost, 10);
}
END_TEST

START_TEST(test_bottlenecks_worst_first)
{
	uint16_t out[4];

	for (int i = 0; i < 20; i++) {
		rec(1, 1, 1000, 100);	/* waits 10x its work */
		rec(2, 2, 300, 100);	/* 3x */
		rec(4, 4, 10, 100);	/* fine */
	}
	rec(5, 5, 100000, 1);		/* too few runs to judge */
	ck_assert_uint_eq(prof_bottlenecks(p, 10, out, 4), 2);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(out[1], 2);
	ck_assert_uint_eq(prof_bottlenecks(p, 10, out, 1), 1);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(prof_bottlenecks(p, 1, out, 4), 3);
	ck_assert_uint_eq(out[0], 5);
}
END_TEST

static const char *svc_name(unsigned int id)
{
	static const char *const n[] = { "console", "mm", NULL, "sched" };

	return id < 4 ? n[id] : NULL;
}

static const char *topic_name(unsigned int id)
{
	return id == 10 ? "hw.irq.timer" : id == 11 ? "sched.ticks" : "t";
}

static uint64_t drops(unsigned int id)
{
	return id == 11 ? 7 : 0;
}

static const struct prof_names names = { svc_name, topic_name, drops, 20 };

START_TEST(test_dump_round_trip)
{
	static uint64_t buf[4096];
	struct prof_dump_view v;
	struct prof_dump_pair d;
	struct prof_pc pc;
	const char *why;
	long n;

	rec(3, 10, 50, 200);
	rec(3, 11, 70, 300);
	rec(2, 11, 5, 5);		/* a service that has ended */
	prof_sample(p, 0x1000);
	prof_sample(p, 0x2000);
	prof_sample(p, 0x2000);
	static const struct prof_dump_cache caches[2] = {
		{ "kmalloc-16", 16, 3, 10, 7, 0 },
		{ "kmalloc-large", 0, 1, 1, 0, 0 },
	};
	static const struct prof_call calls[3] = {
		{ 0x100, 0x50, 10 << 1 }, { 0x200, 0x110, 11 << 1 },
		{ 0x200, 0x110, 12 << 1 | 1 },
	};
	struct prof_dump_meta m = { PROF_ARCH_X86_64, 1000000, 5000, 8,
				    caches, 2, calls, 3 };
	struct prof_site site;
	struct prof_call call;

	prof_alloc(p, 0xabc, 100);
	prof_alloc(p, 0xabc, 28);
	n = prof_dump(p, &names, &m, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq((size_t)n + 8, prof_dump_size(p, &names, &m));
	memcpy((uint8_t *)buf + n, "TRACE!!!", 8);
	ck_assert_int_eq(prof_dump_parse(buf, (size_t)n + 8, &v, &why), 0);
	ck_assert_uint_eq(v.hdr.nsvc, 2);
	ck_assert_uint_eq(v.hdr.ntopic, 2);
	ck_assert_uint_eq(v.hdr.npc, 2);
	ck_assert_uint_eq(v.hdr.clock_hz, 1000000);
	memcpy(&d, &v.svc[1], sizeof(d));
	ck_assert_str_eq(d.name, "sched");
	ck_assert_uint_eq(d.t.run.sum, 500);
	memcpy(&d, &v.svc[0], sizeof(d));
	ck_assert_str_eq(d.name, "");	/* ended: no name */
	memcpy(&d, &v.topic[1], sizeof(d));
	ck_assert_str_eq(d.name, "sched.ticks");
	ck_assert_uint_eq(d.drops, 7);
	memcpy(&pc, v.pcs, sizeof(pc));	/* most sampled first */
	ck_assert_uint_eq(pc.pc, 0x2000);
	ck_assert_uint_eq(pc.count, 2);
	ck_assert_mem_eq(v.trace, "TRACE!!!", 8);
	ck_assert_uint_eq(v.hdr.nsite, 1);
	memcpy(&site, v.sites, sizeof(site));
	ck_assert_uint_eq(site.site, 0xabc);
	ck_assert_uint_eq(site.count, 2);
	ck_assert_uint_eq(site.bytes, 128);
	ck_assert_uint_eq(v.hdr.ncache, 2);
	ck_assert_mem_eq(v.caches, &caches[0], sizeof(caches));
	ck_assert_uint_eq(v.hdr.ncall, 3);
	memcpy(&call, v.calls + 2 * sizeof(call), sizeof(call));
	ck_assert_uint_eq(call.ts, 12 << 1 | 1);
}
END_TEST

START_TEST(test_dump_damage_refused)
{
	static uint64_t buf[4096];
	struct prof_dump_view v;
	const char *why;
	long n;

	rec(3, 10, 50, 200);
	struct prof_dump_meta m = { PROF_ARCH_AARCH64, 1, 1, 0, NULL, 0,
				    NULL, 0 };

	n = prof_dump(p, &names, &m, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(prof_dump(p, &names, &m, buf, 10), -AE_ENOSPC);
	ck_assert_int_eq(prof_dump_parse(buf, (size_t)n - 1, &v, &why),
			 -AE_EBADMSG);
	ck_assert_str_eq(why, "counts do not match the length");
	ck_assert_int_eq(prof_dump_parse(buf, 10, &v, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "shorter than the header");
	((uint8_t *)buf)[4] = 9;	/* version */
	ck_assert_int_eq(prof_dump_parse(buf, (size_t)n, &v, &why),
			 -AE_EBADMSG);
	ck_assert_str_eq(why, "unknown version");
	((uint8_t *)buf)[0] ^= 1;
	ck_assert_int_eq(prof_dump_parse(buf, (size_t)n, &v, &why),
			 -AE_EBADMSG);
	ck_assert_str_eq(why, "bad magic");
}
END_TEST

Suite *suite_prof(void)
{
	Suite *s = suite_create("prof");
	TCase *tc = tcase_create("prof");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hist_buckets_are_log2);
	tcase_add_test(tc, test_hist_quantiles);
	tcase_add_test(tc, test_feed_per_service_and_topic);
	tcase_add_test(tc, test_topics_past_the_table_are_counted_lost);
	tcase_add_test(tc, test_samples_counted_per_address);
	tcase_add_test(tc, test_sample_table_full_counts_lost);
	tcase_add_test(tc, test_alloc_sites_counted);
	tcase_add_test(tc, test_bottlenecks_worst_first);
	tcase_add_test(tc, test_dump_round_trip);
	tcase_add_test(tc, test_dump_damage_refused);
	suite_add_tcase(s, tc);
	return s;
}
