/*
 * random.c - the random service: the kernel's random numbers
 * (docs/RANDOM.md), for getrandom(2).
 *
 * Aegis's machines here have no hardware source (QEMU's qemu64 and
 * cortex-a72 CPUs have neither RDRAND nor RNDR, and there is no
 * virtio-rng driver), so the service gathers what Linux gathers without
 * one: the cycle counter at each interrupt it hears (the timer tick and
 * the console's input), whose low bits carry the jitter of when each
 * came, and at its start the cycle counter and the time since boot.
 * All of it goes into a BLAKE2s pool
 * (aegis/crng.h). An event is credited one bit of entropy, and only
 * when the time since the previous one differs from the time between
 * the two before it (a clock that ticks like a metronome earns
 * nothing). Once 256 bits are credited the pool makes the ChaCha20
 * generator's key: the service is ready, and a request gets bytes from
 * the generator, which takes a new key after each. It takes a new key
 * from the pool again after each further 256 bits.
 *
 *   "random.read"  struct random_req: up to RANDOM_READ_MAX bytes into
 *                  the lent buffer; -EAGAIN before it is ready (unless
 *                  RANDOM_INSECURE)
 *   /sys/random/state  ready, the bits credited, events heard, reseeds
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clock.h>
#include <aegis/crng.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include <aegis/hal.h>
#include <aegis/kprintf.h>
#include <aegis/random.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>

#define READY_BITS	256

static struct blake2s pool;
static uint8_t key[32];
static bool started, ready;
static uint64_t last, last_delta, events, reseeds;
static uint32_t credited, since_seed;

static void mix(const void *data, size_t n)
{
	blake2s_update(&pool, data, n);
}

/* A new generator key from the pool (and the old key), the pool going
 * on from that digest. */
static void reseed(void)
{
	struct blake2s s = pool;
	uint8_t seed[32];

	blake2s_update(&s, key, sizeof(key));
	blake2s_final(&s, seed);
	memcpy(key, seed, sizeof(key));
	blake2s_init(&pool);
	mix(seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	since_seed = 0;
	reseeds++;
}

static int random_init(void)
{
	/* once: a restart keeps the pool and the key */
	if (!started) {
		uint64_t c = hal_cycles(), t = clock_ns();

		started = true;
		blake2s_init(&pool);
		mix(&c, sizeof(c));
		mix(&t, sizeof(t));
		last = c;
	}
	return 0;
}

/* An interrupt heard: its time goes in; a bit credited when the gap
 * since the last differs from the gap before. */
static void heard(const struct bus_msg *m)
{
	uint64_t now = hal_cycles(), delta = now - last;

	mix(&now, sizeof(now));
	mix(&m->topic, sizeof(m->topic));
	mix(m->data, m->len);
	events++;
	if (delta != last_delta && ((delta ^ last_delta) & 0xff)) {
		credited++;
		since_seed++;
	}
	last = now;
	last_delta = delta;
	if (!ready && credited >= READY_BITS) {
		reseed();
		ready = true;
		klog(KLOG_INFO, "random: ready (%u bits from %llu events)\n",
		     credited, (unsigned long long)events);
	} else if (ready && since_seed >= READY_BITS) {
		reseed();
	}
}

static int do_read(const struct bus_msg *m, struct bus_msg *reply)
{
	struct random_req q;
	uint32_t n;
	uint8_t *out;
	int rc;

	if (m->len != sizeof(q))
		return -AE_EINVAL;
	memcpy(&q, m->data, sizeof(q));
	if (q.flags & ~RANDOM_INSECURE)
		return -AE_EINVAL;
	if (!ready && !(q.flags & RANDOM_INSECURE))
		return -AE_EAGAIN;
	n = q.len < RANDOM_READ_MAX ? q.len : RANDOM_READ_MAX;
	if (n) {
		out = bus_grant_buf(m, q.buf, n, BUS_GRANT_WRITE, &rc);
		if (!out)
			return rc ? rc : -AE_EFAULT;
		if (!ready) {
			/* not ready (RANDOM_INSECURE): what the pool has now */
			struct blake2s s = pool;
			uint8_t k[32];

			blake2s_update(&s, &events, sizeof(events));
			blake2s_final(&s, k);
			crng_generate(k, out, n);
			memset(k, 0, sizeof(k));
		} else {
			crng_generate(key, out, n);
		}
	}
	memcpy(reply->data, &n, sizeof(n));
	reply->len = sizeof(n);
	return 0;
}

static const struct sysfs_attr attrs[] = {
	{ "state", 0444, 0 },
};

static uint32_t random_show(uint32_t index, char *buf, uint32_t size)
{
	(void)index;
	return sysfs_put(size, 0, ksnprintf(buf, size,
		"ready    %s\ncredited %u bits\nevents   %llu\nreseeds  %llu\n",
		ready ? "yes" : "no", credited, (unsigned long long)events,
		(unsigned long long)reseeds));
}

static const struct sysfs_ops random_ops = { random_show, NULL };

static int random_handle(void *state, const struct bus_msg *m,
			 struct bus_msg *reply)
{
	(void)state;
	if (m->kind == BUS_EVENT) {
		if (m->src == BUS_SVC_KERNEL &&
		    (m->topic == TOPIC_HW_IRQ_TIMER ||
		     m->topic == TOPIC_HW_IRQ_UART0))
			heard(m);
		return 0;
	}
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW ||
	    m->topic == TOPIC_SYSFS_STORE)
		return sysfs_serve(attrs, 1, &random_ops, m, reply);
	if (m->topic == TOPIC_RANDOM_READ)
		return do_read(m, reply);
	return -AE_ENOSYS;
}

SERVICE(random,
	.name = "random",
	.init = random_init,
	.handler = random_handle,
	.subscribe = SUBSCRIBES_RANDOM,
	.serves = SERVES_RANDOM,
	.sysfs = "random");
