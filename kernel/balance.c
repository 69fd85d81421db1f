/*
 * balance.c - the "balance" service: the kernel's placement of services
 * on CPUs (aegis/balance.h, docs/SMP.md "Where services run").
 *
 * It subscribes to the timer tick and, every period (the balance= boot
 * option, /sys/balance/period_ms; 0: never), runs one round of
 * kernel/lib/balance.c over the CPUs that are online: a busy CPU gives
 * one of its movable services to the idlest. Each move is said on the
 * console and kept in /sys/balance/moves; /sys/balance/load shows what
 * each CPU spent in handlers in the last round.
 */
#include <aegis/balance.h>
#include <aegis/bootparam.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/service.h>
#include <aegis/smp.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>
#include <string.h>

static uint32_t period_ms = 200;
BOOT_PARAM_UINT(period_ms, "balance", 0, 60000,
		"ms between two rounds of the service balancer (0: the "
		"kernel never moves a service; docs/SMP.md)");

static struct balancer bal;
static uint64_t last;		/* hal_cycles at the last round */

static uint64_t online_cpus(void)
{
	uint64_t mask = 0;
	const struct smp_cpu *c;

	for (unsigned int i = 0; i < BALANCE_CPUS && (c = smp_cpu(i)); i++)
		if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) ==
		    SMP_ONLINE)
			mask |= 1ull << i;
	return mask ? mask : 1;
}

static void tick(void)
{
	uint64_t now = hal_cycles(), cpus;
	struct balance_move_rec rec;

	if (!period_ms || now - last < cycles_of_ns(period_ms * 1000000ull))
		return;
	last = now;
	cpus = online_cpus();
	if (!(cpus & (cpus - 1))) {	/* one CPU: nothing to weigh */
		bal.last_clock = 0;
		return;
	}
	if (balance_round(&bal, now, cpus, &rec))
		kprintf("balance: %s moved from CPU %u (%u%% in handlers) to "
			"CPU %u (%u%%)\n", rec.name, rec.from, rec.from_pct,
			rec.to, rec.to_pct);
}

/* Each start counts afresh: what ran before it is not weighed. */
static int balance_init(void)
{
	bal.last_clock = 0;
	last = 0;
	return 0;
}

uint32_t balance_period(void)
{
	return period_ms;
}

void balance_set_period(uint32_t ms)
{
	period_ms = ms;
	bal.last_clock = 0;
}

uint64_t balance_moves(void)
{
	return __atomic_load_n(&bal.moves, __ATOMIC_RELAXED);
}

/* ---- /sys/balance ------------------------------------------------------ */

static const struct sysfs_attr attrs[] = {
	{ "moves", 0444, 0 }, { "load", 0444, 0 }, { "period_ms", 0644, 0 },
};

static uint32_t show_moves(char *buf, uint32_t size)
{
	uint32_t n = sysfs_put(size, 0, ksnprintf(buf, size,
			"%llu rounds, %llu moves\n",
			(unsigned long long)bal.rounds,
			(unsigned long long)bal.moves));

	for (unsigned int i = 0; i < BALANCE_LOG && n < size; i++) {
		const struct balance_move_rec *r = &bal.log[i];

		if (!r->when)
			break;
		n = sysfs_put(size, n, ksnprintf(buf + n, size - n,
			"%10llu ms  %-16s cpu %u (%u%%) -> cpu %u (%u%%)\n",
			(unsigned long long)(ns_of_cycles(r->when) / 1000000),
			r->name, r->from, r->from_pct, r->to, r->to_pct));
	}
	return n;
}

static uint32_t show_load(char *buf, uint32_t size)
{
	uint64_t cpus = online_cpus();
	uint32_t n = sysfs_put(size, 0, ksnprintf(buf, size,
						 "cpu  handlers%%\n"));

	for (unsigned int c = 0; c < BALANCE_CPUS && n < size; c++)
		if (cpus >> c & 1)
			n = sysfs_put(size, n, ksnprintf(buf + n, size - n,
				"%-4u %u\n", c, bal.pct[c]));
	return n;
}

static int store_period(const char *s, uint32_t len)
{
	uint32_t v = 0, i = 0;

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	for (; i < len && s[i] >= '0' && s[i] <= '9' && v <= 60000; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	if (!len || i < len || v > 60000) {
		kprintf("balance: period_ms: a number of ms, 0 to 60000 "
			"(0: off)\n");
		return -AE_EINVAL;
	}
	balance_set_period(v);	/* the next round counts afresh */
	return 0;
}

static uint32_t balance_show(uint32_t index, char *buf, uint32_t size)
{
	if (index == 0)
		return show_moves(buf, size);
	if (index == 1)
		return show_load(buf, size);
	return sysfs_put(size, 0, ksnprintf(buf, size, "%u\n", period_ms));
}

static int balance_store(uint32_t index, const char *buf, uint32_t len)
{
	(void)index;	/* period_ms: the one writable attribute */
	return store_period(buf, len);
}

static const struct sysfs_ops balance_ops = { balance_show, balance_store };

static int balance_handle(void *state, const struct bus_msg *m,
			  struct bus_msg *reply)
{
	(void)state;
	if (m->kind == BUS_EVENT) {
		if (m->topic == TOPIC_HW_IRQ_TIMER && m->src == BUS_SVC_KERNEL)
			tick();
		return 0;
	}
	if (m->kind != BUS_REQUEST)
		return 0;
	return sysfs_serve(attrs, ARRAY_SIZE(attrs), &balance_ops, m, reply);
}

SERVICE(balance,
	.name = "balance",
	.init = balance_init,
	.handler = balance_handle,
	.subscribe = SUBSCRIBES_BALANCE,
	.serves = SERVES_BALANCE,
	.sysfs = "balance");
