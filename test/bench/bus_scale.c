/*
 * bus_scale.c - how the bus's costs grow with what it holds: services,
 * topics, rules, a stopped service's queue, subscriptions. Each figure
 * is measured at a small size and at the largest the bus allows; the
 * peer is the same operation at the small size, so a ratio near 1 means
 * flat, and for the per-message figures (a stop, per queued message) a
 * flat ratio means linear in total.
 *
 *	bus-scale FILE
 *
 * Prints the table and appends records (DESIGN.md format, the size in
 * "size") to the JSON list in FILE (an empty list "[]" will do;
 * test/bench/run_bench.py gives each host benchmark a file of its own).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/route.h>
#include <aegis/topics.h>

#define ROUNDS	101

static volatile uint64_t sink;

static uint64_t bus_clock(void)
{
	return __builtin_ia32_rdtsc();
}

static int work(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	(void)state;
	(void)r;
	sink += m->len;
	return 0;
}

static void *mem_alloc(size_t n)
{
	return malloc(n);
}

static void mem_free(void *p, size_t n)
{
	(void)n;
	free(p);
}

static const struct bus_mem_ops host_mem = { mem_alloc, mem_free };

static double timer_cost;
static double v[ROUNDS];

static struct figure measure(void (*fn)(void), unsigned int per)
{
	return bench_measure(fn, per, ROUNDS, v, timer_cost);
}

static void empty(void)
{
}

/* ---- set-ups --------------------------------------------------------- */

static bus_svc_t me, other;
static bus_topic_t hot;
static uint8_t payload[16];

/* A bus with nsvc services, ntopic topics and nrule rules, none of the
 * rules able to match what the figures send. */
static void world(unsigned int nsvc, unsigned int ntopic, unsigned int nrule)
{
	char name[48];
	const char *why;

	bus_init(bus_clock);
	me = (bus_svc_t)bus_svc_add("bench", work, NULL, BUS_POOL_SIZE, 4);
	other = (bus_svc_t)bus_svc_add("other", work, NULL, BUS_POOL_SIZE, 4);
	hot = (bus_topic_t)bus_topic("bench.hot");
	bus_subscribe(me, "bench.hot", NULL);
	for (unsigned int i = 2; i < nsvc; i++) {
		snprintf(name, sizeof(name), "svc%u", i);
		if (bus_svc_add(name, work, NULL, 4, 4) < 0)
			break;
	}
	for (unsigned int i = bus_topic_used(); i < ntopic; i++) {
		snprintf(name, sizeof(name), "filler.t%u", i);
		if (bus_topic(name) < 0)
			break;
	}
	for (unsigned int i = 0; i < nrule; i++) {
		/* thirds: other topics, other senders, other receivers */
		if (i % 3 == 0)
			snprintf(name, sizeof(name), "deny,topic=filler.r%u", i);
		else if (i % 3 == 1)
			snprintf(name, sizeof(name), "deny,src=svc%u", i + 2);
		else
			snprintf(name, sizeof(name), "deny,dst=svc%u", i + 2);
		if (bus_rule_add(name, &why) < 0) {
			fprintf(stderr, "bus-scale: rule %u: %s\n", i, why);
			exit(1);
		}
	}
}

/* ---- the operations -------------------------------------------------- */

#define PUBS 1000

static void publish_dispatch(void)
{
	for (int i = 0; i < PUBS; i++) {
		bus_publish(hot, 4, payload, sizeof(payload));
		bus_dispatch();
	}
}

#define STOP_ROUNDS 1
static unsigned int queued_n;

/* queue queued_n messages for other, among as many for me, and stop
 * other: its queue is answered, me's stays */
static uint64_t stop_ns;
static void stop_with_queue(void)
{
	uint64_t t0;

	for (unsigned int i = 0; i < queued_n; i++) {
		bus_send(other, hot, i % BUS_PRIOS, payload, 4);
		bus_send(me, hot, i % BUS_PRIOS, payload, 4);
	}
	t0 = bench_ns();
	bus_svc_set_state(other, BUS_SVC_STOPPED);
	stop_ns = bench_ns() - t0;
	bus_svc_set_state(other, BUS_SVC_RUNNING);
	bus_run(~0u);
}

static double stop_per_msg(unsigned int n)
{
	world(2, 0, 0);
	queued_n = n;
	for (int r = 0; r < ROUNDS; r++) {
		stop_with_queue();
		v[r] = ((double)stop_ns - timer_cost) / n;
	}
	qsort(v, ROUNDS, sizeof(v[0]), bench_cmp);
	return v[ROUNDS / 2];
}

static void sub_unsub(void)
{
	for (int i = 0; i < 100; i++) {
		bus_subscribe(other, "bench.hot", NULL);
		bus_unsubscribe(other, "bench.hot");
	}
}

static unsigned int made;
static void topic_make_free(void)
{
	char name[48];

	for (int i = 0; i < 100; i++) {
		int t;

		snprintf(name, sizeof(name), "user.scale.%u", made++);
		t = bus_topic(name);
		if (t >= 0)
			bus_topic_free((bus_topic_t)t);
	}
}

static void svc_add_remove(void)
{
	for (int i = 0; i < 100; i++) {
		int s = bus_svc_add("transient", work, NULL, 4, 4);

		if (s >= 0)
			bus_svc_remove((bus_svc_t)s);
	}
}

/* ---- report ------------------------------------------------------------ */

static FILE *json;
static int nrec;

static void record(const char *op, unsigned int size, double value,
		   unsigned int base, double base_value, const char *what)
{
	char bench[64], peer[64];

	snprintf(bench, sizeof(bench), "bus.scale.%s.%u", op, size);
	snprintf(peer, sizeof(peer), "bus.scale.%s.%u", op, base);
	printf("%-34s %9.1f   %-34s %9.1f %7.2f\n", bench, value, peer,
	       base_value, value / base_value);
	fprintf(json, "%s\n  {\"bench\": \"%s\", \"arch\": \"host\", "
		"\"accel\": \"native\", \"value\": %.2f, \"unit\": \"ns\", "
		"\"peer\": \"%s\", \"peer_value\": %.2f, \"ratio\": %.3f, "
		"\"p99\": null, \"n\": %d, \"size\": %u, \"what\": \"%s\"}",
		nrec++ ? "," : "", bench, value, peer, base_value,
		value / base_value, ROUNDS, size, what);
}

/* one figure at sizes[0] (the peer) and at each larger size */
static void series(const char *op, const char *what, const unsigned int *sz,
		   unsigned int nsz, double (*at)(unsigned int size))
{
	double base = at(sz[0]);

	for (unsigned int i = 1; i < nsz; i++)
		record(op, sz[i], at(sz[i]), sz[0], base, what);
}

static double pub_services(unsigned int n)
{
	world(n, 0, 0);
	return measure(publish_dispatch, PUBS).med;
}

static double pub_topics(unsigned int n)
{
	world(2, n, 0);
	return measure(publish_dispatch, PUBS).med;
}

static double pub_rules(unsigned int n)
{
	world(n * 2 / 3 + 8, 0, n);
	return measure(publish_dispatch, PUBS).med;
}

static double subscription(unsigned int n)
{
	world(2, n, 0);
	return measure(sub_unsub, 200).med;
}

static double topic_churn(unsigned int n)
{
	world(2, n, 0);
	made = 0;
	return measure(topic_make_free, 200).med;
}

static double svc_churn(unsigned int n)
{
	world(n, 0, 0);
	return measure(svc_add_remove, 200).med;
}

int main(int argc, char **argv)
{
	static const unsigned int svcs[] = { 8, 128, BUS_SVC_MAX - 1 };
	static const unsigned int topics[] = { 64, 1024, BUS_TOPIC_MAX - 64 };
	static const unsigned int rules[] = { 0, 30, BUS_RULES_MAX };
	static const unsigned int queues[] = { 10, 100, 1000 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s results.json\n", argv[0]);
		return 2;
	}
	timer_cost = 0;
	timer_cost = measure(empty, 1).med;
	if (bus_contracts_set(bus_contracts, bus_contracts_count))
		return 1;
	bus_set_mem(&host_mem);
	json = bench_append_to(argv[1], &nrec);
	if (!json) {
		fprintf(stderr, "bus-scale: %s: not a list to append to\n",
			argv[1]);
		return 1;
	}
	printf("bus scaling: ns per operation (median of %d), beside the same "
	       "at the smallest size\n\n", ROUNDS);
	printf("%-34s %9s   %-34s %9s %7s\n", "figure", "median", "peer",
	       "peer", "ratio");
	series("publish_by_services", "publish+dispatch, 1 subscriber, with "
	       "N services", svcs, 3, pub_services);
	series("publish_by_topics", "publish+dispatch, 1 subscriber, with N "
	       "topics", topics, 3, pub_topics);
	series("publish_by_rules", "publish+dispatch, with N rules that "
	       "cannot match it", rules, BUS_RULES_MAX >= 1000 ? 3 : 2,
	       pub_rules);
	series("stop_per_queued", "stopping a service with N queued (and N "
	       "for another), per queued message", queues, 3, stop_per_msg);
	series("subscribe_unsubscribe", "one exact subscribe + unsubscribe, "
	       "with N topics", topics, 3, subscription);
	series("topic_make_free", "a topic made and freed, with N topics",
	       topics, 3, topic_churn);
	series("service_add_remove", "a service added and removed, with N "
	       "services", svcs, 3, svc_churn);
	fprintf(json, "\n]\n");
	fclose(json);
	printf("results: %s\n", argv[1]);
	return 0;
}
