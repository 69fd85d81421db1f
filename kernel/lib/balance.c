/*
 * balance.c - the kernel's placement of services on CPUs (aegis/balance.h):
 * the policy (balance_pick), and one round of measuring and moving over
 * the bus's own counts (balance_round). No HAL: the "balance" service
 * (kernel/balance.c) runs it from the timer, the unit tests on the host
 * bus.
 */
#include <string.h>
#include <aegis/balance.h>
#include <aegis/errno.h>

/* 100 * part / whole, at most 100 (a CPU's handlers may count an inline
 * call twice: its caller's time includes it) */
static unsigned int pct(uint64_t part, uint64_t whole)
{
	if (!whole)
		return 0;
	if (part >= whole)
		return 100;
	if (part > UINT64_MAX / 100)
		return (unsigned int)(part / (whole / 100));
	return (unsigned int)(part * 100 / whole);
}

int balance_pick(const uint64_t *load, uint64_t cpus,
		 const struct balance_svc *sv, unsigned int n,
		 uint64_t window, unsigned int *to)
{
	unsigned int busy = BALANCE_CPUS, idle = BALANCE_CPUS;
	uint64_t gap, best_gain = 0;
	int best = -1;

	if (!window)
		return -1;
	for (unsigned int c = 0; c < BALANCE_CPUS; c++) {
		if (!(cpus >> c & 1))
			continue;
		if (busy == BALANCE_CPUS || load[c] > load[busy])
			busy = c;
		if (idle == BALANCE_CPUS || load[c] < load[idle])
			idle = c;
	}
	if (busy == idle || busy == BALANCE_CPUS)
		return -1;
	if (pct(load[busy], window) < BALANCE_BUSY)
		return -1;
	gap = load[busy] - load[idle];
	if (pct(gap, window) < BALANCE_GAP)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t l = sv[i].load, after, gain;

		if (sv[i].cpu != busy || !sv[i].movable || !l || l >= gap)
			continue;
		/* the busier of the two CPUs once it has moved */
		after = load[busy] - l;
		if (load[idle] + l > after)
			after = load[idle] + l;
		gain = load[busy] - after;
		if (gain > best_gain) {
			best_gain = gain;
			best = (int)i;
		}
	}
	if (best < 0 || pct(best_gain, window) * 2 < BALANCE_GAP)
		return -1;
	*to = idle;
	return best;
}

/* What ran on each CPU since the last round; the candidates are every
 * running service with its own share. */
static struct balance_svc sv[BUS_SVC_MAX];

int balance_round(struct balancer *b, uint64_t now, uint64_t cpus,
		  struct balance_move_rec *rec)
{
	uint64_t load[BALANCE_CPUS] = { 0 }, window = now - b->last_clock;
	unsigned int n = 0, span = bus_svc_span(), to = 0;
	bool first = !b->last_clock;
	const char *name;
	int i, rc;

	b->last_clock = now;
	for (unsigned int s = 0; s < span && s < BUS_SVC_MAX; s++) {
		struct bus_svc_stats st;
		uint32_t gen = bus_svc_generation((bus_svc_t)s);
		int cpu = bus_svc_cpu((bus_svc_t)s);
		uint64_t d;

		if (bus_svc_state((bus_svc_t)s) != BUS_SVC_RUNNING ||
		    bus_svc_stats((bus_svc_t)s, &st) || cpu < 0 ||
		    cpu >= BALANCE_CPUS) {
			b->run[s] = 0;
			b->gen[s] = 0;
			b->cool[s] = 0;
			continue;
		}
		/* a service new since the last round, or started again,
		 * counts from its start */
		d = gen == b->gen[s] && st.run >= b->run[s] ? st.run - b->run[s]
							    : st.run;
		if (gen != b->gen[s])
			b->cool[s] = 0;
		b->run[s] = st.run;
		b->gen[s] = gen;
		if (b->cool[s])
			b->cool[s]--;
		load[cpu] += d;
		sv[n].id = (bus_svc_t)s;
		sv[n].cpu = (unsigned int)cpu;
		sv[n].load = d;
		sv[n].movable = !b->cool[s] &&
				(bus_svc_flags((bus_svc_t)s) & BUS_SVC_F_ANYCPU) &&
				!bus_svc_pinned((bus_svc_t)s);
		n++;
	}
	for (unsigned int c = 0; c < BALANCE_CPUS; c++)
		b->pct[c] = (uint8_t)(cpus >> c & 1 ? pct(load[c], window) : 0);
	if (first)
		return 0;
	b->rounds++;
	i = balance_pick(load, cpus, sv, n, window, &to);
	if (i < 0)
		return 0;
	rc = bus_svc_move(sv[i].id, sv[i].cpu, to);
	if (rc)
		return 0;	/* pinned or placed meanwhile: next round */
	b->cool[sv[i].id] = BALANCE_COOL;
	b->moves++;
	memset(rec, 0, sizeof(*rec));
	rec->when = now;
	name = bus_svc_name(sv[i].id);
	memcpy(rec->name, name, strnlen(name, sizeof(rec->name) - 1));
	rec->from = (uint8_t)sv[i].cpu;
	rec->to = (uint8_t)to;
	rec->from_pct = b->pct[sv[i].cpu];
	rec->to_pct = b->pct[to];
	memmove(&b->log[1], &b->log[0], sizeof(b->log) - sizeof(b->log[0]));
	b->log[0] = *rec;
	return 1;
}
