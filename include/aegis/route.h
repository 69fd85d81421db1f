/*
 * aegis/route.h - the bus's routing rules: its permission model, its tap
 * for tracing and its fault injector for tests.
 *
 * An ordered table of rules. Each message about to be queued (and each
 * inline call) is checked against the rules in order. A rule matches on
 * topic pattern, source service, destination service and kind; its action
 * is one of:
 *
 *	allow		deliver; stop looking
 *	deny		refuse: the sender gets -EPERM, the rule counts a drop
 *	redirect:<svc>	deliver to <svc> instead; stop looking
 *	mirror:<svc>	also deliver a copy (as an event) to <svc>; go on
 *	rate:<n>/<ms>	at most n messages per ms milliseconds pass (a token
 *			bucket); beyond that the sender gets -EAGAIN and the
 *			rule counts a drop; under it, go on
 *	prio:<p>	deliver at priority p (0..7); go on
 *
 * No matching terminal rule: the message is allowed. Interrupt events are
 * never subject to deny or rate (they are never dropped); replies only to
 * mirror and prio (an answer is never withheld from its caller).
 *
 * Rules cannot brick the machine. The withholding actions (deny, rate,
 * redirect) govern every message of a user process (BUS_SVC_F_USER,
 * aegis/bus.h), but kernel traffic only when the rule names a service by
 * its exact name as src or dst ("kernel" included), and never traffic
 * between two rescue services (console, shell, ns, sysfs: the console's
 * way to /sys/bus/rules). A rule that can never take effect is refused
 * with the reason: deny/rate/redirect with kind=reply, dst=kernel,
 * withholding between two rescue services, or one that an earlier
 * terminal rule decides entirely ("never reached: rule N ...").
 *
 * Text form (the kernel command line's bus.rule=, and later sysfs):
 *
 *	<action>[:<arg>][,topic=<pattern>][,src=<svc>][,dst=<svc>][,kind=<k>]
 *
 * <svc> is a service name, "kernel" (what is posted outside any handler;
 * not a redirect or mirror target), "*", or for src and dst a prefix of
 * names ending in "*" ("user-*": every user process, aegis/proc.h);
 * <k> is event, request, reply or "*";
 * a missing key matches anything. Services named before they exist are
 * matched once they register. Examples:
 *
 *	deny,topic=example.ping,src=kernel
 *	mirror:tracer,topic=hw.*
 *	rate:10/1000,topic=net.rx.*
 *	redirect:console2,dst=console,kind=request
 *	deny,topic=power.*,src=user-*
 *
 * Up to BUS_RULES_MAX rules. They are indexed (bus/route.c): each rule
 * is filed under its topic pattern (in the list of every live topic it
 * matches), else its src, else its dst (in the list of every service
 * the name or prefix covers), so a message looks only at the rules of
 * its topic, its source, its destination and those with none of these
 * keys; rules that cannot match it cost nothing.
 *
 * Context: thread or handler context on the dispatching CPU.
 */
#ifndef AEGIS_ROUTE_H
#define AEGIS_ROUTE_H

#include <aegis/bus.h>

#define BUS_RULES_MAX	1024
#define BUS_RULE_TEXT	160	/* longest canonical text, with NUL */

/*
 * bus_rule_add - parse text and append the rule. Returns its index, or
 * -EINVAL with *why set to a one-line reason (unknown action or key,
 * malformed pattern or name, missing argument, rate of 0, priority out of
 * range, a rule that can never take effect), -ENOSPC "rule table full"
 * when BUS_RULES_MAX rules exist, or -ENOMEM "out of memory for the rule
 * or its index" (the bus's memory, aegis/bus.h bus_set_mem). Nothing
 * changes on error.
 */
int bus_rule_add(const char *text, const char **why);

/* bus_rule_insert - the same, inserted before rule idx (idx = count
 * appends); -EINVAL "no rule with that number" beyond. */
int bus_rule_insert(unsigned int idx, const char *text, const char **why);

/* bus_rule_add_default - append a default rule (the proc service's
 * privilege rules): bus_rule_clear keeps it. */
int bus_rule_add_default(const char *text, const char **why);

/* bus_rule_remove - delete rule idx (later rules move up). -EINVAL. */
int bus_rule_remove(unsigned int idx);

/* bus_rule_clear - delete every rule but the default ones;
 * bus_rule_clear_all - delete every rule. */
void bus_rule_clear(void);
void bus_rule_clear_all(void);

/* bus_rule_is_default - rule idx was added by bus_rule_add_default. */
bool bus_rule_is_default(unsigned int idx);

unsigned int bus_rule_count(void);

/* bus_rule_format - the canonical text of rule idx; as ksnprintf, or
 * -EINVAL for an index out of range. */
int bus_rule_format(unsigned int idx, char *buf, size_t size);

struct bus_rule_stats {
	uint64_t hits;		/* messages it matched */
	uint64_t drops;		/* messages it refused (deny, rate) */
};

int bus_rule_stats(unsigned int idx, struct bus_rule_stats *out);

/* bus_rule_examined - rules looked at by messages since bus_init: each
 * rule a message's index lists gave, whether it matched or not (all of
 * them for a topic or service whose list had no memory). What the index
 * saves is what this does not count. */
uint64_t bus_rule_examined(void);

/* bus_rule_clock_rate - ticks of the bus clock per millisecond, for rate
 * rules (the bus clock alone does not say). Default 1. */
void bus_rule_clock_rate(uint64_t ticks_per_ms);

#endif
