/*
 * irq.c - the interrupt post path: lock-free, wait-free, never drops.
 *
 * line_count[line] accumulates interrupts not yet delivered. The post that
 * moves a line's count from 0 to 1 also puts the line in a ring of lines
 * with work; later posts only add to the count, so repeats coalesce and
 * the ring holds each line at most once (its capacity is the number of
 * lines: it cannot overflow). A slot is reserved with an atomic add and
 * published with a release store, so nested interrupts on one CPU (several
 * producers) are safe; the dispatcher is the single consumer.
 *
 * The post that starts a line's entry also stamps it with the bus clock,
 * so the event carries the time its first interrupt reached the bus.
 *
 * The consumer takes the line from the ring first and then swaps its
 * count to 0, so a post racing with it either lands in the count it swaps
 * or starts a new ring entry: no interrupt is lost or counted twice.
 */
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include "bus_internal.h"

static uint32_t line_count[BUS_IRQ_LINES];
static uint64_t first_ts[BUS_IRQ_LINES];	/* clock at the 0 -> 1 post */
static uint16_t ring_line[BUS_IRQ_LINES];
static uint8_t ring_ready[BUS_IRQ_LINES];
static uint32_t ring_head;	/* producers: next slot to fill */
static uint32_t ring_tail;	/* consumer: next slot to read */
static bus_topic_t topic_of[BUS_IRQ_LINES];

void irq_reset(void)
{
	for (unsigned int i = 0; i < BUS_IRQ_LINES; i++) {
		__atomic_store_n(&line_count[i], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&ring_ready[i], 0, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&ring_head, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ring_tail, 0, __ATOMIC_RELEASE);
}

static bus_topic_t fallback;	/* "hw.irq", if the table is full */

int irq_topics_init(void)
{
	int t = bus_topic("hw.irq");

	for (unsigned int i = 0; i < BUS_IRQ_LINES; i++)
		topic_of[i] = BUS_NIL;
	if (t < 0)
		return t;
	fallback = (bus_topic_t)t;
	return 0;
}

/* The topic of a line, interned on first use ("hw.irq.<line>"), so lines
 * that never fire take no topic. Dispatcher context. */
bus_topic_t irq_topic(unsigned int line)
{
	char name[BUS_NAME_MAX];
	int t;

	if (topic_of[line] == BUS_NIL) {
		ksnprintf(name, sizeof(name), "hw.irq.%u", line);
		t = bus_topic(name);
		topic_of[line] = t < 0 ? fallback : (bus_topic_t)t;
	}
	return topic_of[line];
}

bool irq_topic_named(bus_topic_t t)
{
	if (t == fallback)
		return true;
	for (unsigned int i = 0; i < BUS_IRQ_LINES; i++)
		if (topic_of[i] == t)
			return true;
	return false;
}

int bus_irq_name(unsigned int line, const char *topic)
{
	BUS_GUARD();
	int t;

	if (line >= BUS_IRQ_LINES)
		return -AE_EINVAL;
	t = bus_topic(topic);
	if (t < 0)
		return t;
	topic_of[line] = (bus_topic_t)t;
	return 0;
}

static void ring_put(unsigned int line)
{
	uint32_t slot = __atomic_fetch_add(&ring_head, 1, __ATOMIC_ACQ_REL) %
			BUS_IRQ_LINES;

	ring_line[slot] = (uint16_t)line;
	__atomic_store_n(&ring_ready[slot], 1, __ATOMIC_RELEASE);
}

int bus_irq_post(unsigned int line)
{
	if (line >= BUS_IRQ_LINES)
		return -AE_EINVAL;
	if (__atomic_fetch_add(&line_count[line], 1, __ATOMIC_ACQ_REL) == 0) {
		uint64_t now = bus_now();

		/* Written before the ring slot's release store, read after
		 * the consumer's acquire of it. */
		__atomic_store_n(&first_ts[line], now, __ATOMIC_RELAXED);
		ring_put(line);
		/* the watchdog rides the interrupts (the timer's each
		 * tick): it needs no dispatcher to notice one stuck */
		if (bus_watchdog_period())
			bus_watchdog_check(now);
	} else if (bus_watchdog_period()) {
		bus_watchdog_check(bus_now());	/* the dispatcher is away */
	}
	return 0;
}

int irq_take(unsigned int *line, uint32_t *n, uint64_t *ts)
{
	uint32_t slot = ring_tail % BUS_IRQ_LINES;

	if (!__atomic_load_n(&ring_ready[slot], __ATOMIC_ACQUIRE))
		return -AE_ENOENT;
	*line = ring_line[slot];
	*ts = __atomic_load_n(&first_ts[*line], __ATOMIC_RELAXED);
	__atomic_store_n(&ring_ready[slot], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ring_tail, ring_tail + 1, __ATOMIC_RELEASE);
	*n = __atomic_exchange_n(&line_count[*line], 0, __ATOMIC_ACQ_REL);
	return 0;
}

/* The put-back interrupts are older than any post racing with this, so
 * their stamp wins whichever way the race went. */
void irq_putback(unsigned int line, uint32_t n, uint64_t ts)
{
	if (!n)
		return;
	__atomic_store_n(&first_ts[line], ts, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(&line_count[line], n, __ATOMIC_ACQ_REL) == 0)
		ring_put(line);
	else
		__atomic_store_n(&first_ts[line], ts, __ATOMIC_RELAXED);
}

unsigned int irq_waiting(void)
{
	return __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE);
}
