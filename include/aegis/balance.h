/*
 * aegis/balance.h - the kernel's placement of services on CPUs: the
 * balancer (kernel/lib/balance.c, run by the "balance" service,
 * kernel/balance.c; docs/SMP.md, "Where services run").
 *
 * Every round (a period of the timer) it measures how long each CPU
 * spent in the handlers of the services placed on it, from the bus's own
 * counts (bus_svc_stats: run), and when one CPU is busy and another
 * much less so, it moves one service from the first to the second: the
 * one that evens them out most. Only services marked anycpu and not
 * pinned move (bus_svc_move: a place chosen by a declaration, place=,
 * svc place or bus_svc_place is kept); a service moved is left where it
 * is for BALANCE_COOL rounds, so two CPUs never hand one back and forth.
 */
#ifndef AEGIS_BALANCE_H
#define AEGIS_BALANCE_H

#include <aegis/bus.h>
#include <aegis/types.h>

#define BALANCE_CPUS	64	/* CPUs it weighs (a mask of 64 bits) */
#define BALANCE_BUSY	25	/* % of a round in handlers: a busy CPU */
#define BALANCE_GAP	15	/* % of a round between the busiest and the
				 * idlest CPU, and gained by a move */
#define BALANCE_COOL	5	/* rounds a moved service stays put */
#define BALANCE_LOG	8	/* moves kept for /sys/balance/moves */

/* One candidate: a service, the CPU it is on, its load in the round
 * (bus clock ticks in its handlers), and whether the balancer may move
 * it now. */
struct balance_svc {
	bus_svc_t id;
	unsigned int cpu;
	uint64_t load;
	bool movable;
};

/*
 * balance_pick - the move that evens the load out most, or none.
 * load[c] is CPU c's load in a round of window ticks (every service
 * placed on it, movable or not); cpus the CPUs that may take a service
 * (bit c: CPU c dispatches). Nothing moves unless the busiest CPU spent
 * at least BALANCE_BUSY % of the round in handlers, the idlest at least
 * BALANCE_GAP % less, and the move lowers the busier of the two by at
 * least BALANCE_GAP / 2 % (a service that is all of a CPU's load stays:
 * moving it only moves the queue). Returns the index in sv[] of the
 * service to move and sets *to, or -1.
 */
int balance_pick(const uint64_t *load, uint64_t cpus,
		 const struct balance_svc *sv, unsigned int n,
		 uint64_t window, unsigned int *to);

struct balance_move_rec {
	uint64_t when;		/* the clock at the round */
	char name[BUS_NAME_MAX];
	uint8_t from, to;
	uint8_t from_pct, to_pct;	/* the two CPUs' load in the round */
};

/* The balancer's memory between rounds: each service's run total at the
 * last round (and its generation: a restart starts its count over), the
 * rounds a moved one still stays put, and what it did. */
struct balancer {
	uint64_t last_clock;
	uint64_t run[BUS_SVC_MAX];
	uint32_t gen[BUS_SVC_MAX];
	uint8_t cool[BUS_SVC_MAX];
	uint64_t rounds, moves;
	uint8_t pct[BALANCE_CPUS];	/* each CPU's load, last round */
	struct balance_move_rec log[BALANCE_LOG];	/* the last moves */
};

/*
 * balance_round - one round at clock now (bus clock ticks): weighs what
 * ran since the last round on the CPUs of the mask cpus and makes at
 * most one move (bus_svc_move). The first round only takes the counts.
 * Returns 1 and fills *rec when a service moved, else 0.
 */
int balance_round(struct balancer *b, uint64_t now, uint64_t cpus,
		  struct balance_move_rec *rec);

/* The "balance" service's (kernel only): its period in ms (0: off; the
 * balance= boot option, /sys/balance/period_ms), and its moves so far. */
uint32_t balance_period(void);
void balance_set_period(uint32_t ms);
uint64_t balance_moves(void);

#endif
