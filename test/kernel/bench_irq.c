/*
 * bench_irq.c - interrupt latency, measured in the kernel (ktest=
 * bench.irq_latency, run by `scons bench`, never by `scons test`).
 *
 * A service subscribes to hw.irq.timer. For each tick that arrives alone
 * (not coalesced) it records, in hal_cycles units:
 *   due -> top     the timer's deadline to the HAL's top half: the
 *                  hardware's delivery and the entry code (the peer: what
 *                  any kernel pays before its first instruction runs);
 *   top -> handler the bus's share: the post, the dispatcher noticing
 *                  after the CPU wakes, queueing and the handler call;
 *   due -> handler the whole path, the interrupt's arrival to its
 *                  subscriber.
 * The clock-read overhead (median of back-to-back reads) is subtracted
 * from each. The result is one line per figure for tools/bench_qemu.py:
 *
 *   bench: irq <figure> n=<n> hz=<counter Hz> median=<c> p99=<c> cycles
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/service.h>

#define SAMPLES 2000

static uint32_t due_top[SAMPLES], top_handler[SAMPLES], due_handler[SAMPLES];
static unsigned int n, skipped;

static int tick(void *state, const struct bus_msg *m, struct bus_msg *reply)
{
	uint64_t now = hal_cycles();
	struct HalTimerStamp s = hal_timer_last();
	struct bus_irq_event ev;

	(void)state;
	(void)reply;
	if (m->len != sizeof(ev) || n == SAMPLES)
		return 0;
	memcpy(&ev, m->data, sizeof(ev));
	/* A coalesced event, or a newer tick's stamps: not this one's. */
	if (ev.count != 1 || s.top > m->ts || s.due > s.top || !s.due ||
	    now - s.due > 0xffffffffull) {
		skipped++;
		return 0;
	}
	due_top[n] = (uint32_t)(s.top - s.due);
	top_handler[n] = (uint32_t)(now - m->ts);
	due_handler[n] = (uint32_t)(now - s.due);
	n++;
	return 0;
}

static const struct service_desc bench_svc = {
	.name = "bench-irq",
	.prio = SERVICE_PRIO(0),
	.handler = tick,
	.subscribe = SERVICE_LIST("hw.irq.timer"),
};

static void sort(uint32_t *v, unsigned int k)
{
	for (unsigned int i = 1; i < k; i++) {
		uint32_t x = v[i];
		unsigned int j = i;

		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void report(const char *figure, uint32_t *v, unsigned int k,
		   uint32_t overhead)
{
	uint32_t med, p99;

	sort(v, k);
	med = v[k / 2];
	p99 = v[(k * 99) / 100];
	med = med > overhead ? med - overhead : 0;
	p99 = p99 > overhead ? p99 - overhead : 0;
	kprintf("bench: irq %s n=%u hz=%llu median=%u p99=%u cycles\n",
		figure, k, (unsigned long long)hal_cycles_per_sec(), med, p99);
}

/* The cost of one clock read: the median of back-to-back pairs. */
static uint32_t clock_overhead(void)
{
	static uint32_t d[101];

	for (unsigned int i = 0; i < 101; i++) {
		uint64_t a = hal_cycles();

		d[i] = (uint32_t)(hal_cycles() - a);
	}
	sort(d, 101);
	return d[50];
}

KTEST_EXPLICIT(bench, irq_latency)
{
	uint64_t hz = hal_cycles_per_sec();
	uint64_t end = hal_cycles() + 30 * hz;
	uint32_t overhead;

	if (!hal_irq_chip_name()) {
		ktest_fail(t, __FILE__, __LINE__, "no interrupt controller");
		return;
	}
	KEXPECT_EQ(t, service_register(&bench_svc), 0);
	n = skipped = 0;
	while (n < SAMPLES && hal_cycles() < end) {
		kernel_wait();
		bus_run(~0u);
	}
	service_stop("bench-irq");
	KEXPECT(t, n == SAMPLES);
	if (n < 100)
		return;
	overhead = clock_overhead();
	kprintf("bench: irq clock_read_overhead=%u cycles skipped=%u\n",
		overhead, skipped);
	report("due_to_top", due_top, n, overhead);
	report("top_to_handler", top_handler, n, overhead);
	report("due_to_handler", due_handler, n, overhead);
}
