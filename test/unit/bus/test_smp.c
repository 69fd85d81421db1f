/*
 * test_smp.c - the bus entered from several CPUs at once (bus/lock.c,
 * bus_set_cpus): host threads stand in for CPUs. Publishers on three
 * CPUs and a dispatcher on a fourth lose, duplicate and reorder nothing;
 * inline calls from four CPUs never run one service's handler twice at
 * once; two CPUs whose handlers call each other's services get one
 * -EDEADLK, not a hang; the lock checker finds nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/spinlock.h>
#include <aegis/trace.h>
#include "../../../bus/bus_internal.h"	/* bus_lock, for the holder */
#include "unit.h"

static __thread unsigned int this_cpu;
static char said[4][200];
static unsigned int nsaid;

static unsigned int cpu(void)
{
	return this_cpu;
}

static void report(const char *line)
{
	if (nsaid < 4)
		snprintf(said[nsaid], sizeof(said[0]), "%s", line);
	nsaid++;
}

static const struct spin_hooks hooks = { .cpu = cpu, .report = report };

/* ---- publishers and a dispatcher ---------------------------------------- */

#define PUBLISHERS	3
#define EACH		20000

struct ev {
	uint32_t from, seq;
};

static uint32_t next_seq[PUBLISHERS];	/* the handler's: one at a time */
static uint32_t out_of_order, inside, overlapped;
static uint64_t got;
static bus_topic_t topic;
static int done_publishing;
static uint64_t refused[PUBLISHERS];
static int thread_errors;	/* checked by the test's own thread */

static int sink(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	struct ev e;

	(void)state;
	(void)r;
	if (__atomic_fetch_add(&inside, 1, __ATOMIC_ACQ_REL))
		overlapped++;
	memcpy(&e, m->data, sizeof(e));
	if (e.from >= PUBLISHERS || e.seq != next_seq[e.from])
		out_of_order++;
	else
		next_seq[e.from]++;
	got++;
	__atomic_fetch_sub(&inside, 1, __ATOMIC_ACQ_REL);
	return 0;
}

static void *publisher(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;

	this_cpu = me + 1;
	for (uint32_t k = 0; k < EACH;) {
		struct ev e = { me, k };
		int rc = bus_publish(topic, 1, &e, sizeof(e));

		if (rc == 1) {
			k++;
		} else {
			/* lossless: the queue is full, nothing was lost;
			 * anything else is a failure */
			if (rc != -AE_EAGAIN) {
				__atomic_fetch_add(&thread_errors, 1,
						   __ATOMIC_RELAXED);
				break;
			}
			refused[me]++;
			sched_yield();
		}
	}
	__atomic_fetch_add(&done_publishing, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *dispatcher(void *arg)
{
	(void)arg;
	this_cpu = 0;
	for (;;) {
		unsigned int n = bus_run(256);

		if (!n && __atomic_load_n(&done_publishing, __ATOMIC_ACQUIRE) ==
			  PUBLISHERS && !bus_pending())
			break;
	}
	return NULL;
}

START_TEST(test_publishers_on_three_cpus_lose_nothing)
{
	pthread_t p[PUBLISHERS], d;
	struct bus_topic_stats ts;
	struct bus_svc_stats ss;
	int s = bus_svc_add("sink", sink, NULL, 64, 1);

	ck_assert_int_ge(s, 0);
	topic = (bus_topic_t)bus_topic("smp.flood");
	ck_assert_int_eq(bus_subscribe((bus_svc_t)s, "smp.flood", NULL), 0);
	pthread_create(&d, NULL, dispatcher, NULL);
	for (unsigned int i = 0; i < PUBLISHERS; i++)
		pthread_create(&p[i], NULL, publisher, (void *)(uintptr_t)i);
	for (unsigned int i = 0; i < PUBLISHERS; i++)
		pthread_join(p[i], NULL);
	pthread_join(d, NULL);
	ck_assert_int_eq(thread_errors, 0);
	/* every event once, each publisher's in the order it published */
	ck_assert_uint_eq(got, (uint64_t)PUBLISHERS * EACH);
	ck_assert_uint_eq(out_of_order, 0);
	ck_assert_uint_eq(overlapped, 0);
	for (unsigned int i = 0; i < PUBLISHERS; i++)
		ck_assert_uint_eq(next_seq[i], EACH);
	/* published = delivered + dropped, the refused ones as drops */
	ck_assert_int_eq(bus_topic_stats(topic, &ts), 0);
	ck_assert_uint_eq(ts.delivered, (uint64_t)PUBLISHERS * EACH);
	ck_assert_uint_eq(ts.published, ts.delivered + ts.drops);
	ck_assert_uint_eq(ts.drops, refused[0] + refused[1] + refused[2]);
	ck_assert_uint_eq(ts.queued, 0);
	ck_assert_int_eq(bus_svc_stats((bus_svc_t)s, &ss), 0);
	ck_assert_uint_eq(ss.pending, 0);
	ck_assert_uint_eq(ss.handled, (uint64_t)PUBLISHERS * EACH);
}
END_TEST

/* ---- inline calls from four CPUs ------------------------------------------ */

#define CALLERS		4
#define CALLS		5000

static uint64_t counter;	/* not atomic: the bus keeps it safe */

static int count(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	uint64_t v;

	(void)state;
	(void)m;
	if (__atomic_fetch_add(&inside, 1, __ATOMIC_ACQ_REL))
		overlapped++;
	v = counter;
	for (volatile int k = 0; k < 50; k++)
		;
	counter = v + 1;
	__atomic_fetch_sub(&inside, 1, __ATOMIC_ACQ_REL);
	memcpy(r->data, &v, sizeof(v));
	r->len = sizeof(v);
	return 0;
}

static bus_svc_t counter_svc;
static bus_topic_t counter_topic;

static void *caller(void *arg)
{
	this_cpu = (unsigned int)(uintptr_t)arg;
	for (unsigned int k = 0; k < CALLS; k++) {
		struct bus_msg reply;

		if (bus_call(counter_svc, counter_topic, NULL, 0, &reply))
			__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

START_TEST(test_one_service_runs_on_one_cpu_at_a_time)
{
	pthread_t c[CALLERS];
	int s = bus_svc_add("counter", count, NULL, 16, 1);

	ck_assert_int_ge(s, 0);
	counter_svc = (bus_svc_t)s;
	/* inline from other CPUs: only a service that may run anywhere */
	ck_assert_int_eq(bus_svc_set_flags(counter_svc, BUS_SVC_F_ANYCPU), 0);
	counter_topic = (bus_topic_t)bus_topic("smp.count");
	for (unsigned int i = 0; i < CALLERS; i++)
		pthread_create(&c[i], NULL, caller, (void *)(uintptr_t)i);
	for (unsigned int i = 0; i < CALLERS; i++)
		pthread_join(c[i], NULL);
	ck_assert_int_eq(thread_errors, 0);
	ck_assert_uint_eq(overlapped, 0);
	ck_assert_uint_eq(counter, (uint64_t)CALLERS * CALLS);
}
END_TEST

/* ---- a cycle across two CPUs ---------------------------------------------- */

static bus_svc_t svc_a, svc_b;
static bus_topic_t t_ab;
static int a_in, b_in, rc_a = 1, rc_b = 1;

static void wait_flag(int *f)
{
	while (!__atomic_load_n(f, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* The first run of each calls the other's service once the other is
 * running too: each CPU then holds one service and wants the other's. */
static int cross(void *state, const struct bus_msg *m, struct bus_msg *r)
{
	bool is_a = state == &svc_a;
	int *mine = is_a ? &a_in : &b_in, *theirs = is_a ? &b_in : &a_in;
	struct bus_msg sub;

	(void)m;
	(void)r;
	if (__atomic_exchange_n(mine, 1, __ATOMIC_ACQ_REL))
		return 0;	/* a later run: nothing more */
	wait_flag(theirs);
	*(is_a ? &rc_a : &rc_b) = bus_call(is_a ? svc_b : svc_a, t_ab, NULL, 0,
					   &sub);
	return 0;
}

static void *call_one(void *arg)
{
	bus_svc_t s = *(bus_svc_t *)arg;
	struct bus_msg reply;

	this_cpu = s == svc_a ? 1 : 2;
	if (bus_call(s, t_ab, NULL, 0, &reply))
		__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

START_TEST(test_a_cycle_across_cpus_is_refused_not_a_hang)
{
	pthread_t x, y;
	int a = bus_svc_add("cross-a", cross, &svc_a, 16, 1);
	int b = bus_svc_add("cross-b", cross, &svc_b, 16, 1);

	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	svc_a = (bus_svc_t)a;
	svc_b = (bus_svc_t)b;
	ck_assert_int_eq(bus_svc_set_flags(svc_a, BUS_SVC_F_ANYCPU), 0);
	ck_assert_int_eq(bus_svc_set_flags(svc_b, BUS_SVC_F_ANYCPU), 0);
	t_ab = (bus_topic_t)bus_topic("smp.cross");
	pthread_create(&x, NULL, call_one, &svc_a);
	pthread_create(&y, NULL, call_one, &svc_b);
	pthread_join(x, NULL);
	pthread_join(y, NULL);
	ck_assert_int_eq(thread_errors, 0);
	/* exactly one of them was refused; the other waited and got in */
	ck_assert_msg((rc_a == -AE_EDEADLK) != (rc_b == -AE_EDEADLK),
		      "a: %d, b: %d", rc_a, rc_b);
	ck_assert_int_eq(rc_a == -AE_EDEADLK ? rc_b : rc_a, 0);
}
END_TEST

/* The fault guard names the service of every handler it runs: a name
 * read while the lock is let go. For a service running on the asking CPU
 * it must not take the lock: another CPU holding it (here until the name
 * is read, at most 2 s) must not hold up every handler. */
static volatile int lock_held, named, gave_up;

static void *hold_lock(void *arg)
{
	struct timespec t0, t;

	(void)arg;
	this_cpu = 3;
	bus_lock();
	__atomic_store_n(&lock_held, 1, __ATOMIC_RELEASE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!__atomic_load_n(&named, __ATOMIC_ACQUIRE)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 2) {
			gave_up = 1;
			break;
		}
		sched_yield();
	}
	bus_unlock();
	return NULL;
}

static const char *own_name;

static int names_itself(void *state, const struct bus_msg *m,
			struct bus_msg *r)
{
	pthread_t h;

	(void)state;
	(void)r;
	pthread_create(&h, NULL, hold_lock, NULL);
	while (!__atomic_load_n(&lock_held, __ATOMIC_ACQUIRE))
		sched_yield();
	own_name = bus_svc_name(m->dst);
	__atomic_store_n(&named, 1, __ATOMIC_RELEASE);
	pthread_join(h, NULL);
	return 0;
}

START_TEST(test_a_running_service_is_named_without_the_lock)
{
	int s = bus_svc_add("namer", names_itself, NULL, 16, 1);

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bus_send((bus_svc_t)s, (bus_topic_t)bus_topic("smp.n"),
				  1, NULL, 0), 0);
	ck_assert_uint_eq(bus_run(1), 1);
	ck_assert_int_eq(gave_up, 0);
	ck_assert_str_eq(own_name, "namer");
	/* not running: the lock is taken as before */
	ck_assert_str_eq(bus_svc_name((bus_svc_t)s), "namer");
}
END_TEST

/* Before bus_set_cpus the lock is nothing; on one CPU, a service in this
 * CPU's own chain is still refused at once. */
START_TEST(test_same_cpu_reentry_still_refused)
{
	int a = bus_svc_add("cross-a", cross, &svc_a, 16, 1);
	struct bus_msg reply;

	ck_assert_int_ge(a, 0);
	svc_a = svc_b = (bus_svc_t)a;	/* a calls itself */
	t_ab = (bus_topic_t)bus_topic("smp.cross");
	b_in = 1;
	ck_assert_int_eq(bus_call(svc_a, t_ab, NULL, 0, &reply), 0);
	ck_assert_int_eq(rc_a, -AE_EDEADLK);
}
END_TEST

/* ---- services placed on other CPUs ---------------------------------------- */

#define PLACED		3
#define PLACE_EACH	5000

static struct placed {
	unsigned int cpu;
	uint32_t got, elsewhere, next, misordered;
} pl[PLACED];
static int stop_dispatchers;
static unsigned int kicked[4];

static int placed_sink(void *state, const struct bus_msg *m,
		       struct bus_msg *r)
{
	struct placed *p = state;
	uint32_t seq;

	(void)r;
	if (this_cpu != p->cpu)
		p->elsewhere++;
	memcpy(&seq, m->data, sizeof(seq));
	if (seq != p->next)
		p->misordered++;
	p->next = seq + 1;
	__atomic_fetch_add(&p->got, 1, __ATOMIC_RELEASE);
	return 0;
}

static void kick(unsigned int cpu)
{
	if (cpu < 4)
		__atomic_fetch_add(&kicked[cpu], 1, __ATOMIC_RELAXED);
}

static void *cpu_dispatcher(void *arg)
{
	this_cpu = (unsigned int)(uintptr_t)arg;
	bus_cpu_dispatching(this_cpu);
	while (!__atomic_load_n(&stop_dispatchers, __ATOMIC_ACQUIRE))
		if (!bus_run(64))
			sched_yield();
	return NULL;
}

/* Services placed on CPUs 1-3 are dispatched there only, each one's
 * events in order; a post from CPU 0 to them asks for their CPU to be
 * woken (the kick); messages already queued move with the service;
 * placements the bus must refuse are refused. */
START_TEST(test_placed_services_run_on_their_cpu)
{
	pthread_t d[PLACED];
	bus_svc_t id[PLACED];
	bus_topic_t t = (bus_topic_t)bus_topic("smp.placed");
	char name[16];

	bus_set_kick(kick);
	for (unsigned int i = 0; i < PLACED; i++) {
		int s;

		snprintf(name, sizeof(name), "placed%u", i);
		s = bus_svc_add(name, placed_sink, &pl[i], 256, 1);
		ck_assert_int_ge(s, 0);
		id[i] = (bus_svc_t)s;
		pl[i].cpu = i + 1;
		ck_assert_int_eq(bus_subscribe(id[i], "smp.placed", NULL), 0);
	}
	/* nobody dispatches on CPU 1 yet; a service not marked anycpu stays */
	ck_assert_int_eq(bus_svc_place(id[0], 1), -AE_ENODEV);
	ck_assert_int_eq(bus_svc_place(id[0], BUS_CPUS), -AE_ENODEV);
	/* queued before they move: they go with the service */
	for (uint32_t k = 0; k < 10; k++)
		ck_assert_int_eq(bus_publish(t, 1, &k, sizeof(k)), PLACED);
	for (unsigned int i = 0; i < PLACED; i++)
		pthread_create(&d[i], NULL, cpu_dispatcher,
			       (void *)(uintptr_t)(i + 1));
	for (unsigned int i = 0; i < PLACED; i++) {
		while (bus_svc_place(id[i], i + 1) == -AE_ENODEV)
			sched_yield();	/* its dispatcher is starting */
		ck_assert_int_eq(bus_svc_place(id[i], i + 1), -AE_EPERM);
		ck_assert_int_eq(bus_svc_set_flags(id[i], BUS_SVC_F_ANYCPU), 0);
		ck_assert_int_eq(bus_svc_place(id[i], i + 1), 0);
		ck_assert_int_eq(bus_svc_cpu(id[i]), (int)i + 1);
	}
	ck_assert_uint_eq(bus_pending_on(0), 0);
	for (uint32_t k = 10; k < PLACE_EACH; k++) {
		/* never into a full queue (256): a publish some took and
		 * one refused could not be sent again without duplicates */
		for (unsigned int i = 0; i < PLACED; i++) {
			struct bus_svc_stats st;

			do {
				ck_assert_int_eq(bus_svc_stats(id[i], &st), 0);
				if (st.pending >= 200)
					sched_yield();
			} while (st.pending >= 200);
		}
		ck_assert_int_eq(bus_publish(t, 1, &k, sizeof(k)), PLACED);
	}
	for (unsigned int i = 0; i < PLACED; i++)
		while (__atomic_load_n(&pl[i].got, __ATOMIC_ACQUIRE) <
		       PLACE_EACH)
			sched_yield();
	__atomic_store_n(&stop_dispatchers, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < PLACED; i++)
		pthread_join(d[i], NULL);
	bus_set_kick(NULL);
	for (unsigned int i = 0; i < PLACED; i++) {
		ck_assert_uint_eq(pl[i].got, PLACE_EACH);
		ck_assert_uint_eq(pl[i].elsewhere, 0);
		ck_assert_uint_eq(pl[i].misordered, 0);
		ck_assert_uint_gt(kicked[i + 1], 0);
	}
	ck_assert_uint_eq(kicked[0], 0);	/* the poster's own CPU */
}
END_TEST

/* ---- each CPU its own lock; messages to another CPU through its inbox -- */

#define RING_CPUS	3
#define RING_EACH	20000

/* On CPU i+1: services bs[i][0] and [1] bounce a message, and every 4th
 * the first also sends one, numbered, to the next CPU's third service
 * (bs[i+1][2]), which checks their order (a full queue there refuses
 * one: it is not numbered). */
static struct ring_side {
	bus_svc_t self, partner, next_cpu;
	unsigned int cpu;
	uint32_t bounced, sent_on, got_from, elsewhere, misordered;
	int errors;
} bs[RING_CPUS][3];
static bus_topic_t t_bounce, t_cross;

static int ring_handler(void *state, const struct bus_msg *m,
			struct bus_msg *r)
{
	struct ring_side *b = state;
	uint32_t k;

	(void)r;
	if (this_cpu != b->cpu)
		b->elsewhere++;
	if (m->topic == t_cross) {
		memcpy(&k, m->data, sizeof(k));
		if (k != b->got_from)
			b->misordered++;
		b->got_from = k + 1;
		return 0;
	}
	b->bounced++;
	if (b->bounced >= RING_EACH)
		return 0;
	if (bus_send(b->partner, t_bounce, 1, NULL, 0))
		b->errors++;
	if (b->bounced % 4 == 0 && b->next_cpu != BUS_NIL) {
		k = b->sent_on;
		if (bus_send(b->next_cpu, t_cross, 1, &k, sizeof(k)) == 0)
			b->sent_on++;
	}
	return 0;
}

/* n CPUs (cpus[i]), each with sides services on it (2: a bouncing
 * pair; 3: and a receiver the first sends every 4th message to on the
 * next CPU), placed there, each CPU dispatched by a thread of its own. */
static void ring_start(unsigned int n, const unsigned int *cpus,
		       unsigned int sides, pthread_t *d)
{
	char name[16];

	t_bounce = (bus_topic_t)bus_topic("smp.bounce");
	t_cross = (bus_topic_t)bus_topic("smp.cross");
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < sides; j++) {
			int s;

			snprintf(name, sizeof(name), "ring%u%c", i, "abc"[j]);
			s = bus_svc_add(name, ring_handler, &bs[i][j], 256, 1);
			ck_assert_int_ge(s, 0);
			bs[i][j].self = (bus_svc_t)s;
			bs[i][j].cpu = cpus[i];
			bs[i][j].next_cpu = BUS_NIL;
			ck_assert_int_eq(bus_svc_set_flags(bs[i][j].self,
							   BUS_SVC_F_ANYCPU),
					 0);
		}
	for (unsigned int i = 0; i < n; i++) {
		bs[i][0].partner = bs[i][1].self;
		bs[i][1].partner = bs[i][0].self;
		if (sides == 3)	/* side a sends across too */
			bs[i][0].next_cpu = bs[(i + 1) % n][2].self;
		pthread_create(&d[i], NULL, cpu_dispatcher,
			       (void *)(uintptr_t)cpus[i]);
	}
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < sides; j++)
			while (bus_svc_place(bs[i][j].self, cpus[i]) ==
			       -AE_ENODEV)
				sched_yield();	/* its dispatcher is starting */
}

/* Start each pair bouncing, wait until all are done and the bus is
 * quiet, stop the dispatchers. */
static void ring_run(unsigned int n, pthread_t *d)
{
	for (unsigned int i = 0; i < n; i++)
		ck_assert_int_eq(bus_send(bs[i][0].self, t_bounce, 1, NULL, 0),
				 0);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < 2; j++)
			while (__atomic_load_n(&bs[i][j].bounced,
					       __ATOMIC_RELAXED) < RING_EACH - 1)
				sched_yield();
	while (!bus_quiet())
		sched_yield();
	__atomic_store_n(&stop_dispatchers, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(d[i], NULL);
}

/* Three CPUs, each with a pair of services bouncing a message and
 * sending every 4th to the next CPU: the message path takes each CPU's
 * own lock (bus_lock_stats: local) and never trades it for the whole bus
 * from inside (nested); nothing is lost, delivered elsewhere or out of
 * order; each topic's copies = delivered + drops + queued; every pool
 * slot comes back. */
START_TEST(test_each_cpu_posts_under_its_own_lock)
{
	static const unsigned int cpus[RING_CPUS] = { 1, 2, 3 };
	pthread_t d[RING_CPUS];
	struct bus_lock_stats ls;
	struct bus_topic_stats ts;
	struct bus_svc_stats ss;
	struct bus_pool_stats ps;

	ring_start(RING_CPUS, cpus, 3, d);
	ring_run(RING_CPUS, d);
	for (unsigned int i = 0; i < RING_CPUS; i++) {
		struct ring_side *rcv = &bs[(i + 1) % RING_CPUS][2];

		for (unsigned int j = 0; j < 3; j++) {
			ck_assert_uint_eq(bs[i][j].elsewhere, 0);
			ck_assert_uint_eq(bs[i][j].misordered, 0);
			ck_assert_int_eq(bs[i][j].errors, 0);
		}
		ck_assert_uint_gt(bs[i][0].sent_on, 0);
		ck_assert_uint_eq(rcv->got_from, bs[i][0].sent_on);
		/* the senders on another CPU kept to its bound */
		ck_assert_int_eq(bus_svc_stats(rcv->self, &ss), 0);
		ck_assert_uint_le(ss.pending_max, 256);
		ck_assert_uint_eq(ss.pending, 0);
	}
	ck_assert_int_eq(bus_topic_stats(t_bounce, &ts), 0);
	ck_assert_uint_eq(ts.copies, ts.delivered + ts.drops + ts.queued);
	ck_assert_uint_eq(ts.queued, 0);
	ck_assert_uint_eq(ts.delivered, (uint64_t)RING_CPUS * 2 *
					 (RING_EACH - 1) + RING_CPUS);
	ck_assert_int_eq(bus_topic_stats(t_cross, &ts), 0);
	ck_assert_uint_eq(ts.copies, ts.delivered + ts.drops + ts.queued);
	ck_assert_uint_eq(ts.queued, 0);
	bus_lock_stats(&ls);
	ck_assert_uint_gt(ls.local, (uint64_t)RING_CPUS * RING_EACH);
	ck_assert_uint_eq(ls.nested, 0);
	bus_pool_stats(&ps);
	ck_assert_uint_eq(ps.free, ps.slots);
	ck_assert_uint_eq(ps.queued, 0);
}
END_TEST

/* CPUs 1 and 1 + TRACE_CPUS share a trace ring (bus/trace.c) while each
 * holds only its own lock: every dispatch still gets a record of its
 * own (trace_total counts them all). */
START_TEST(test_cpus_sharing_a_trace_ring_lose_no_record)
{
	unsigned int cpus[2] = { 1, 1 + TRACE_CPUS };
	pthread_t d[2];
	uint64_t before, handled = 0;

	ring_start(2, cpus, 2, d);
	before = trace_total();
	ring_run(2, d);
	for (unsigned int i = 0; i < 2; i++)
		for (unsigned int j = 0; j < 2; j++) {
			ck_assert_uint_eq(bs[i][j].elsewhere, 0);
			handled += bs[i][j].bounced;
		}
	ck_assert_uint_eq(trace_total() - before, handled);
}
END_TEST

/* A service stopped while messages for it sit in its CPU's inbox (its
 * CPU not dispatching): taking the bus whole to stop it moves them into
 * its queue first, so each is dropped and counted, none is left behind,
 * and every slot comes back. */
#define INBOXED	20
static bus_svc_t inbox_dst;
static int inbox_sent;

static void *inbox_sender(void *arg)
{
	(void)arg;
	this_cpu = 2;
	for (int k = 0; k < INBOXED; k++)
		if (bus_send(inbox_dst, t_bounce, 1, &k, sizeof(k)) == 0)
			inbox_sent++;
	return NULL;
}

START_TEST(test_a_service_stopped_with_messages_in_its_inbox)
{
	struct bus_svc_stats ss;
	struct bus_topic_stats ts;
	struct bus_pool_stats ps;
	struct bus_lock_stats ls;
	pthread_t p;
	int s = bus_svc_add("inboxed", sink, NULL, 64, 1);

	ck_assert_int_ge(s, 0);
	inbox_dst = (bus_svc_t)s;
	t_bounce = (bus_topic_t)bus_topic("smp.bounce");
	bus_cpu_dispatching(1);		/* nobody runs it: the inbox fills */
	ck_assert_int_eq(bus_svc_set_flags(inbox_dst, BUS_SVC_F_ANYCPU), 0);
	ck_assert_int_eq(bus_svc_place(inbox_dst, 1), 0);
	pthread_create(&p, NULL, inbox_sender, NULL);
	pthread_join(p, NULL);
	ck_assert_int_eq(inbox_sent, INBOXED);
	ck_assert(q_inbox_waiting(1));	/* the later ones went there */
	bus_lock_stats(&ls);
	ck_assert_uint_gt(ls.local, 0);
	ck_assert_int_eq(bus_svc_stats(inbox_dst, &ss), 0);
	ck_assert_uint_eq(ss.pending, INBOXED);
	ck_assert_int_eq(bus_svc_set_state(inbox_dst, BUS_SVC_STOPPED), 0);
	ck_assert(!q_inbox_waiting(1));
	ck_assert_uint_eq(bus_pending_on(1), 0);
	ck_assert_int_eq(bus_svc_stats(inbox_dst, &ss), 0);
	ck_assert_uint_eq(ss.pending, 0);
	ck_assert_uint_eq(ss.received, INBOXED);
	ck_assert_uint_eq(ss.drops, INBOXED);
	ck_assert_uint_eq(ss.handled, 0);
	ck_assert_int_eq(bus_topic_stats(t_bounce, &ts), 0);
	ck_assert_uint_eq(ts.copies, INBOXED);
	ck_assert_uint_eq(ts.drops, INBOXED);
	ck_assert_uint_eq(ts.queued, 0);
	bus_pool_stats(&ps);
	ck_assert_uint_eq(ps.free, ps.slots);
}
END_TEST

/* ---- a thread on another CPU calls a service bound to the boot CPU ---- */

static int bound_answer(void *state, const struct bus_msg *m,
			struct bus_msg *r)
{
	(void)state;
	(void)m;
	r->data[0] = (uint8_t)this_cpu;	/* where it ran */
	r->len = 1;
	return 0;
}

static volatile int woken, blocks;

static int test_block(void *ctx, uint64_t deadline)
{
	(void)ctx;
	(void)deadline;
	blocks++;
	while (!__atomic_load_n(&woken, __ATOMIC_ACQUIRE))
		sched_yield();
	return 0;
}

static void test_wake(void *ctx)
{
	(void)ctx;
	__atomic_store_n(&woken, 1, __ATOMIC_RELEASE);
}

static const struct bus_waiter_ops test_waiter = { test_block, test_wake };
static bool in_a_thread;

static const struct bus_waiter_ops *waiter_of(void **ctx)
{
	*ctx = NULL;
	return in_a_thread ? &test_waiter : NULL;
}

/* From CPU 1: without a way to wait, -EXDEV; outside a thread, -EXDEV;
 * from a thread, the request is queued to CPU 0, whose dispatcher runs
 * the handler there, and the caller gets the reply. */
START_TEST(test_a_thread_elsewhere_calls_a_bound_service)
{
	pthread_t d;
	struct bus_msg r;
	bus_topic_t t = (bus_topic_t)bus_topic("smp.bound");
	int s = bus_svc_add("bound", bound_answer, NULL, 8, 1);

	ck_assert_int_ge(s, 0);
	this_cpu = 1;
	ck_assert_int_eq(bus_call((bus_svc_t)s, t, NULL, 0, &r), -AE_EXDEV);
	bus_set_thread_waiter(waiter_of);
	in_a_thread = false;
	ck_assert_int_eq(bus_call((bus_svc_t)s, t, NULL, 0, &r), -AE_EXDEV);
	in_a_thread = true;
	pthread_create(&d, NULL, cpu_dispatcher, (void *)0);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(bus_call((bus_svc_t)s, t, NULL, 0, &r), 0);
	ck_assert_int_eq(blocks, 1);
	ck_assert_uint_eq(r.len, 1);
	ck_assert_uint_eq(r.data[0], 0);	/* on the boot CPU */
	__atomic_store_n(&stop_dispatchers, 1, __ATOMIC_RELEASE);
	pthread_join(d, NULL);
	bus_set_thread_waiter(NULL);
	this_cpu = 0;
}
END_TEST

static void setup(void)
{
	spin_set_hooks(&hooks);
	lockdep_reset();
	nsaid = 0;
	this_cpu = 0;
	memset(next_seq, 0, sizeof(next_seq));
	memset(refused, 0, sizeof(refused));
	out_of_order = inside = overlapped = 0;
	got = counter = 0;
	done_publishing = thread_errors = 0;
	a_in = b_in = 0;
	rc_a = rc_b = 1;
	memset(pl, 0, sizeof(pl));
	memset(kicked, 0, sizeof(kicked));
	stop_dispatchers = 0;
	memset(bs, 0, sizeof(bs));
	inbox_sent = 0;
	lock_held = named = gave_up = 0;
	own_name = NULL;
	woken = blocks = 0;
	in_a_thread = false;
	bus_set_thread_waiter(NULL);
	bus_init(NULL);
	bus_set_cpus(cpu);
}

static void teardown(void)
{
	bus_set_cpus(NULL);
	bus_init(NULL);
	spin_set_hooks(NULL);
	ck_assert_msg(nsaid == 0, "lockdep: %s", said[0]);
}

Suite *suite_bus_smp(void)
{
	Suite *s = suite_create("bus_smp");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_publishers_on_three_cpus_lose_nothing);
	tcase_add_test(tc, test_one_service_runs_on_one_cpu_at_a_time);
	tcase_add_test(tc, test_a_cycle_across_cpus_is_refused_not_a_hang);
	tcase_add_test(tc, test_same_cpu_reentry_still_refused);
	tcase_add_test(tc, test_placed_services_run_on_their_cpu);
	tcase_add_test(tc, test_each_cpu_posts_under_its_own_lock);
	tcase_add_test(tc, test_cpus_sharing_a_trace_ring_lose_no_record);
	tcase_add_test(tc, test_a_service_stopped_with_messages_in_its_inbox);
	tcase_add_test(tc, test_a_running_service_is_named_without_the_lock);
	tcase_add_test(tc, test_a_thread_elsewhere_calls_a_bound_service);
	suite_add_tcase(s, tc);
	return s;
}
