/*
 * aegis/contract.h - bus interface contracts: what each topic carries, who
 * sends it and who answers it, checked by the bus on every message.
 *
 * The contracts are written down once, one file per service interface in
 * the .def files of contracts/; tools/gen_contracts.py turns them into the table the
 * kernel hands to bus_contracts_set(), the topic symbols of aegis/topics.h
 * (TOPIC_MM_PAGE_ALLOC: a misspelt topic is a build error), the typed
 * client calls of aegis/clients.h, each service's .serves and .subscribe
 * lists, and a section of the service's page in docs/.
 *
 * The bus interns the contracted topics first, in table order, so a
 * topic's id is its index in the table: the generated symbols are those
 * ids. Family contracts ("hw.irq.*") cover topics named at run time; they
 * follow the named ones and have no symbol.
 *
 * Before any handler runs, each message is checked against its topic's
 * contract (a topic no contract covers is not checked):
 *   kind     a request topic travels only as a request (bus_call,
 *            bus_request, bus_call_wait), an event or message topic only
 *            as an event (bus_publish, bus_send)
 *   size     the payload's length lies in the contract's range
 *   sender   an event comes from the service that owns the topic (its
 *            init runs as it: bus_run_as), or from kernel code outside
 *            any handler; an event without an owning service is the
 *            kernel's alone
 *   kind     (also) a message topic is sent to one server, never
 *            published
 *   receiver a request or message goes only to a service that serves it
 *            (bus_serve, from its .serves list)
 * and each reply of a request that succeeded has a payload in the reply's
 * range. A mismatch is refused with -EBADMSG before anything is queued (a
 * bad reply turns the answer into -EBADMSG), counted per topic and in
 * all (bus_contract_stats, /sys/bus/contracts) and recorded in the trace
 * as a dispatch that never ran ("refused=<why>").
 *
 * Context: as aegis/bus.h (one dispatcher; set-up at boot).
 */
#ifndef AEGIS_CONTRACT_H
#define AEGIS_CONTRACT_H

#include <aegis/bus.h>

enum bus_contract_kind {
	BUS_C_REQUEST = 1,	/* a request to a server, answered */
	BUS_C_EVENT,		/* published by its owner */
	BUS_C_MESSAGE,		/* an event to a server: anyone sends it */
	BUS_C_OPEN,		/* a family without a contract (user.*) */
};

/* One topic's contract: a row of the generated table. */
struct bus_contract {
	const char *topic;	/* a name, or a family "a.b.*" */
	const char *owner;	/* the service that owns it; NULL: any
				 * service serving the interface */
	const char *iface;	/* the interface (the .def file's name) */
	uint8_t kind;		/* enum bus_contract_kind */
	int8_t prio;		/* the priority its clients use; -1: theirs */
	uint16_t min, max;	/* payload bytes */
	uint16_t rmin, rmax;	/* reply payload bytes (requests) */
};

/*
 * bus_contracts_set - the contracts the bus checks (table stays the
 * caller's). Call it before bus_init: every bus_init interns the named
 * topics first, topic id i for table[i], so the generated TOPIC_ symbols
 * are the ids (and attaches the families to the topics named later).
 * NULL, 0 drops them at the next bus_init. Returns 0, or -EINVAL for a
 * malformed row, a topic twice, or a family before a named row. Boot, or
 * tests.
 */
int bus_contracts_set(const struct bus_contract *table, size_t n);

/* bus_contract_of - the contract covering topic t, or NULL. */
const struct bus_contract *bus_contract_of(bus_topic_t t);

/* bus_serve - s answers requests (and takes messages) on topic name:
 * the bus delivers a contracted request topic only to its servers.
 * -EINVAL for an unknown service or a malformed name, -ENOSPC, -ENOMEM. A
 * service's serves end with it (bus_svc_remove). */
int bus_serve(bus_svc_t s, const char *name);

/* bus_serves - does s serve topic t? */
bool bus_serves(bus_svc_t s, bus_topic_t t);

/* Why a message was refused (the trace's and the counters' reasons). */
enum bus_refusal {
	BUS_REFUSED_KIND = 1,	/* a request topic as an event, or back */
	BUS_REFUSED_SIZE,	/* payload outside the contract's range */
	BUS_REFUSED_SENDER,	/* an event not from its owner */
	BUS_REFUSED_RECEIVER,	/* a request to a service not serving it */
	BUS_REFUSED_REPLY,	/* a reply outside the contract's range */
	BUS_REFUSALS,
};

/* bus_refusal_name - "kind", "size", "sender", "receiver", "reply". */
const char *bus_refusal_name(unsigned int why);

struct bus_contract_stats {
	uint64_t refused;			/* all refusals */
	uint64_t by_reason[BUS_REFUSALS];	/* index: enum bus_refusal */
};

/* bus_contract_stats - the refusals since bus_init; of one topic with
 * bus_topic_refused. */
void bus_contract_stats(struct bus_contract_stats *out);
uint64_t bus_topic_refused(bus_topic_t t);

/*
 * bus_contract_call - the one client call behind every generated typed
 * call: a request on t to dst (BUS_NIL_SVC: the topic's owner), req of
 * len bytes; on success the reply's payload (already checked against the
 * contract by the bus) is copied to rep (cap bytes; *rlen its length if
 * rlen). Runs the server inline (bus_call). Returns the answer's status,
 * -ENODEV when the owner is not on the bus, -EINVAL for a topic without
 * a request contract, bus_call's errors.
 */
#define BUS_NIL_SVC ((bus_svc_t)0xfffe)
int bus_contract_call(bus_topic_t t, bus_svc_t dst, const void *req,
		      size_t len, void *rep, size_t cap, size_t *rlen);

/* bus_contract_owner - the bus id of the service owning topic t, or
 * -ENODEV (none, or not on the bus now). */
int bus_contract_owner(bus_topic_t t);

#endif
