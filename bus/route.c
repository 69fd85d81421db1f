/*
 * route.c - the routing rules engine (see aegis/route.h).
 *
 * Rules are kept parsed: names resolved to service ids (again whenever
 * services come and go), and for each topic a bit mask of the rules whose
 * pattern matches it, so checking a message costs a mask lookup and a
 * walk over the rules that can match, not string compares. With no rules
 * the bus skips this file entirely.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/route.h>
#include "bus_internal.h"

enum action { A_ALLOW, A_DENY, A_REDIRECT, A_MIRROR, A_RATE, A_PRIO };

static const char *const action_name[] = {
	"allow", "deny", "redirect", "mirror", "rate", "prio",
};

#define ANY	(-2)	/* src/dst/target: any service */
#define UNRES	(-1)	/* named, but no such service (yet) */
#define PREFIX	(-3)	/* "name-*": every service whose name starts so */
#define KIND_ANY 0xff

struct rule {
	enum action act;
	char topic[BUS_NAME_MAX];	/* "" = any */
	char src[BUS_NAME_MAX], dst[BUS_NAME_MAX], target[BUS_NAME_MAX];
	int src_id, dst_id, target_id;
	bool named;			/* src or dst an exact name */
	bool pinned;			/* a default rule: clear keeps it */
	uint8_t kind;
	uint8_t prio;
	uint32_t rate_n, rate_ms;
	uint64_t credit, last;		/* token bucket, in clock ticks */
	struct bus_rule_stats st;
};

static struct rule rules[BUS_RULES_MAX];
static unsigned int nrules;
static uint32_t topic_rules[BUS_TOPIC_MAX];	/* bit i: rule i's pattern */
static uint64_t ticks_per_ms = 1;

unsigned int route_count(void)
{
	return nrules;
}

void bus_rule_clock_rate(uint64_t tpm)
{
	ticks_per_ms = tpm ? tpm : 1;
}

static int resolve(const char *name)
{
	int id;

	if (!name[0] || strcmp(name, "*") == 0)
		return ANY;
	if (strcmp(name, "kernel") == 0)	/* posts outside handlers */
		return BUS_SVC_KERNEL;
	if (name[strlen(name) - 1] == '*')
		return PREFIX;
	id = bus_svc_find(name);
	return id >= 0 ? id : UNRES;
}

void route_resolve(void)
{
	for (unsigned int i = 0; i < nrules; i++) {
		rules[i].src_id = resolve(rules[i].src);
		rules[i].dst_id = resolve(rules[i].dst);
		rules[i].target_id = resolve(rules[i].target);
	}
}

void route_topic_added(bus_topic_t t)
{
	const char *name = bus_topic_name(t);

	topic_rules[t] = 0;
	for (unsigned int i = 0; i < nrules; i++)
		if (!rules[i].topic[0] ||
		    bus_pattern_match(rules[i].topic, name))
			topic_rules[t] |= 1u << i;
}

static void remask(void)
{
	for (unsigned int t = 0; t < topic_count(); t++)
		route_topic_added((bus_topic_t)t);
}

void route_reset(void)
{
	nrules = 0;
	memset(topic_rules, 0, sizeof(topic_rules));
	ticks_per_ms = 1;
}

/* ---- parsing ------------------------------------------------------- */

bool svc_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "*") == 0)
		return true;
	if (n == 0 || n >= BUS_NAME_MAX)
		return false;
	if (s[n - 1] == '*')
		n--;
	for (; n; s++, n--)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool parse_u32(const char *s, const char *end, uint32_t *out)
{
	uint64_t v = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0xffffffffu)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Copy [s, end) into a name buffer; false if it does not fit. */
static bool take(char *dst, const char *s, const char *end)
{
	size_t n = (size_t)(end - s);

	if (n >= BUS_NAME_MAX)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* An exact service name (or "kernel"), not "", "*" or a prefix. */
static bool exact(const char *name)
{
	return name[0] && name[strlen(name) - 1] != '*';
}

static bool withholds(enum action a)
{
	return a == A_DENY || a == A_RATE || a == A_REDIRECT;
}

static int parse(const char *text, struct rule *r, const char **why)
{
	const char *p = text, *end, *colon, *eq, *slash;
	size_t alen;
	unsigned int a;

	memset(r, 0, sizeof(*r));
	r->kind = KIND_ANY;
	if (!text || !*text) {
		*why = "empty rule";
		return -AE_EINVAL;
	}
	if (strlen(text) >= BUS_RULE_TEXT) {
		*why = "rule longer than 159 bytes";
		return -AE_EINVAL;
	}
	end = strchr(p, ',');
	if (!end)
		end = p + strlen(p);
	colon = memchr(p, ':', (size_t)(end - p));
	alen = (size_t)((colon ? colon : end) - p);
	for (a = 0; a < ARRAY_SIZE(action_name); a++)
		if (strlen(action_name[a]) == alen &&
		    strncmp(p, action_name[a], alen) == 0)
			break;
	if (a == ARRAY_SIZE(action_name)) {
		*why = "unknown action (allow, deny, redirect:<svc>, "
		       "mirror:<svc>, rate:<n>/<ms>, prio:<0-7>)";
		return -AE_EINVAL;
	}
	r->act = (enum action)a;
	if ((r->act == A_ALLOW || r->act == A_DENY) && colon) {
		*why = "allow and deny take no argument";
		return -AE_EINVAL;
	}
	if (r->act >= A_REDIRECT && !colon) {
		*why = "redirect, mirror, rate and prio need ':<argument>'";
		return -AE_EINVAL;
	}
	if (r->act == A_REDIRECT || r->act == A_MIRROR) {
		if (!take(r->target, colon + 1, end) ||
		    !svc_name_ok(r->target) ||
		    r->target[strlen(r->target) - 1] == '*' ||
		    strcmp(r->target, "kernel") == 0) {
			*why = "redirect/mirror target is not a service name";
			return -AE_EINVAL;
		}
	} else if (r->act == A_RATE) {
		slash = memchr(colon + 1, '/', (size_t)(end - colon - 1));
		if (!slash || !parse_u32(colon + 1, slash, &r->rate_n) ||
		    !parse_u32(slash + 1, end, &r->rate_ms) || !r->rate_n ||
		    !r->rate_ms) {
			*why = "rate needs <n>/<ms>, both above 0";
			return -AE_EINVAL;
		}
	} else if (r->act == A_PRIO) {
		uint32_t pr;

		if (!parse_u32(colon + 1, end, &pr) || pr >= BUS_PRIOS) {
			*why = "prio needs a priority 0..7";
			return -AE_EINVAL;
		}
		r->prio = (uint8_t)pr;
	}
	while (*end == ',') {
		char val[BUS_NAME_MAX];

		p = end + 1;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq || !take(val, eq + 1, end)) {
			*why = "match must be key=value (topic, src, dst, kind)";
			return -AE_EINVAL;
		}
		if ((size_t)(eq - p) == 5 && strncmp(p, "topic", 5) == 0) {
			if (bus_pattern_check(val, why))
				return -AE_EINVAL;
			memcpy(r->topic, val, sizeof(val));
		} else if ((size_t)(eq - p) == 3 && strncmp(p, "src", 3) == 0) {
			if (!svc_name_ok(val)) {
				*why = "src is not a service name, name prefix "
				       "(user-*) or *";
				return -AE_EINVAL;
			}
			memcpy(r->src, val, sizeof(val));
		} else if ((size_t)(eq - p) == 3 && strncmp(p, "dst", 3) == 0) {
			if (!svc_name_ok(val)) {
				*why = "dst is not a service name, name prefix "
				       "(user-*) or *";
				return -AE_EINVAL;
			}
			memcpy(r->dst, val, sizeof(val));
		} else if ((size_t)(eq - p) == 4 && strncmp(p, "kind", 4) == 0) {
			if (strcmp(val, "event") == 0)
				r->kind = BUS_EVENT;
			else if (strcmp(val, "request") == 0)
				r->kind = BUS_REQUEST;
			else if (strcmp(val, "reply") == 0)
				r->kind = BUS_REPLY;
			else if (strcmp(val, "*") != 0) {
				*why = "kind is event, request, reply or *";
				return -AE_EINVAL;
			}
		} else {
			*why = "unknown match key (topic, src, dst, kind)";
			return -AE_EINVAL;
		}
	}
	if (*end) {
		*why = "trailing text";
		return -AE_EINVAL;
	}
	r->named = exact(r->src) || exact(r->dst);
	return 0;
}

static bool any_svc(const char *name)
{
	return !name[0] || strcmp(name, "*") == 0;
}

static bool rescue_name(const char *name)
{
	int id = exact(name) ? bus_svc_find(name) : -1;

	return id >= 0 && (bus_svc_flags((bus_svc_t)id) & BUS_SVC_F_RESCUE);
}

/*
 * Does earlier rule e decide every message that r would match, before r
 * is looked at? Conservative: true only when e is terminal (allow, deny,
 * redirect) and each of its keys is absent or covers r's. A deny or
 * redirect does not see interrupts and replies, which a mirror or prio
 * still would; and one that names no service does not see kernel
 * traffic, which a rule naming a service does.
 */
static bool shadows(const struct rule *e, const struct rule *r)
{
	/* the same name prefix ("user-*"): processes, which send neither
	 * interrupts nor replies and are never kernel traffic */
	bool procs = e->src[0] && !any_svc(e->src) && !exact(e->src) &&
		     strcmp(e->src, r->src) == 0;

	if (e->act != A_ALLOW && e->act != A_DENY && e->act != A_REDIRECT)
		return false;
	if (e->act != A_ALLOW && !procs) {
		if (!withholds(r->act) && r->kind != BUS_REQUEST)
			return false;
		if (!e->named && (r->named || !withholds(r->act)))
			return false;
	}
	if (e->kind != KIND_ANY && e->kind != r->kind)
		return false;
	if (e->topic[0] && strcmp(e->topic, r->topic) != 0 &&
	    !(r->topic[0] && !strchr(r->topic, '*') &&
	      bus_pattern_match(e->topic, r->topic)))
		return false;
	if (!any_svc(e->src) && strcmp(e->src, r->src) != 0)
		return false;
	if (!any_svc(e->dst) && strcmp(e->dst, r->dst) != 0)
		return false;
	return true;
}

/* A rule that could never take effect is refused, with the reason. */
static int reachable(const struct rule *r, unsigned int at, const char **why)
{
	static char msg[96];

	if (withholds(r->act) && r->kind == BUS_REPLY) {
		*why = "replies are never withheld: deny, rate and redirect "
		       "cannot match kind=reply";
		return -AE_EINVAL;
	}
	if (strcmp(r->dst, "kernel") == 0) {
		*why = "nothing is delivered to kernel: dst=kernel never "
		       "matches";
		return -AE_EINVAL;
	}
	if (withholds(r->act) && rescue_name(r->src) && rescue_name(r->dst)) {
		*why = "console, shell, ns and sysfs always reach each other "
		       "(the way back from a bad rule)";
		return -AE_EINVAL;
	}
	for (unsigned int i = 0; i < at; i++) {
		if (shadows(&rules[i], r)) {
			ksnprintf(msg, sizeof(msg), "never reached: rule %u "
				  "decides all it would match first "
				  "(ins N RULE puts one before it)", i);
			*why = msg;
			return -AE_EINVAL;
		}
	}
	return 0;
}

static int insert(unsigned int at, const char *text, bool pinned,
		  const char **why)
{
	struct rule r;
	const char *dummy;
	int rc;

	if (!why)
		why = &dummy;
	rc = parse(text, &r, why);
	if (rc)
		return rc;
	if (at > nrules) {
		*why = "no rule with that number";
		return -AE_EINVAL;
	}
	rc = reachable(&r, at, why);
	if (rc)
		return rc;
	if (nrules == BUS_RULES_MAX) {
		*why = "rule table full";
		return -AE_ENOSPC;
	}
	r.credit = (uint64_t)r.rate_ms * ticks_per_ms;	/* a full bucket */
	r.last = 0;
	r.pinned = pinned;
	memmove(&rules[at + 1], &rules[at], (nrules - at) * sizeof(rules[0]));
	rules[at] = r;
	nrules++;
	route_resolve();
	remask();
	return (int)at;
}

int bus_rule_add(const char *text, const char **why)
{
	return insert(nrules, text, false, why);
}

int bus_rule_insert(unsigned int idx, const char *text, const char **why)
{
	return insert(idx, text, false, why);
}

int bus_rule_add_default(const char *text, const char **why)
{
	return insert(nrules, text, true, why);
}

int bus_rule_remove(unsigned int idx)
{
	if (idx >= nrules)
		return -AE_EINVAL;
	memmove(&rules[idx], &rules[idx + 1],
		(nrules - idx - 1) * sizeof(rules[0]));
	nrules--;
	remask();
	return 0;
}

void bus_rule_clear(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nrules; i++)
		if (rules[i].pinned)
			rules[n++] = rules[i];
	nrules = n;
	remask();
}

void bus_rule_clear_all(void)
{
	nrules = 0;
	remask();
}

bool bus_rule_is_default(unsigned int idx)
{
	return idx < nrules && rules[idx].pinned;
}

unsigned int bus_rule_count(void)
{
	return nrules;
}

int bus_rule_stats(unsigned int idx, struct bus_rule_stats *out)
{
	if (idx >= nrules)
		return -AE_EINVAL;
	*out = rules[idx].st;
	return 0;
}

int bus_rule_format(unsigned int idx, char *buf, size_t size)
{
	static const char *const kinds[] = { "event", "request", "reply" };
	const struct rule *r;
	char arg[BUS_NAME_MAX + 24] = "";
	char m[4][BUS_NAME_MAX + 8] = { "", "", "", "" };

	if (idx >= nrules)
		return -AE_EINVAL;
	r = &rules[idx];
	if (r->act == A_REDIRECT || r->act == A_MIRROR)
		ksnprintf(arg, sizeof(arg), ":%s", r->target);
	else if (r->act == A_RATE)
		ksnprintf(arg, sizeof(arg), ":%u/%u", r->rate_n, r->rate_ms);
	else if (r->act == A_PRIO)
		ksnprintf(arg, sizeof(arg), ":%u", r->prio);
	if (r->topic[0])
		ksnprintf(m[0], sizeof(m[0]), ",topic=%s", r->topic);
	if (r->src[0])
		ksnprintf(m[1], sizeof(m[1]), ",src=%s", r->src);
	if (r->dst[0])
		ksnprintf(m[2], sizeof(m[2]), ",dst=%s", r->dst);
	if (r->kind != KIND_ANY)
		ksnprintf(m[3], sizeof(m[3]), ",kind=%s", kinds[r->kind]);
	return ksnprintf(buf, size, "%s%s%s%s%s%s", action_name[r->act], arg,
			 m[0], m[1], m[2], m[3]);
}

/* ---- applying ------------------------------------------------------ */

static bool id_match(int want, const char *pattern, bus_svc_t id)
{
	const char *name;

	if (want != PREFIX)
		return want == ANY || (want >= 0 && (bus_svc_t)want == id);
	name = id == BUS_SVC_KERNEL ? "kernel" : bus_svc_name(id);
	return name && strncmp(name, pattern, strlen(pattern) - 1) == 0;
}

/* One copy per service, however many mirror rules name it; past
 * ROUTE_MIRRORS_MAX targets the rule counts a drop instead. */
static void add_mirror(struct route_verdict *v, struct rule *r, bus_svc_t s)
{
	for (unsigned int i = 0; i < v->nmirrors; i++)
		if (v->mirrors[i] == s)
			return;
	if (v->nmirrors == ROUTE_MIRRORS_MAX) {
		r->st.drops++;
		return;
	}
	v->mirrors[v->nmirrors++] = s;
}

static bool rate_pass(struct rule *r, uint64_t now)
{
	uint64_t period = (uint64_t)r->rate_ms * ticks_per_ms;
	uint64_t cost = period / r->rate_n ? period / r->rate_n : 1;

	if (now > r->last) {
		r->credit += now - r->last;
		if (r->credit > period)
			r->credit = period;
	}
	r->last = now;
	if (r->credit < cost)
		return false;
	r->credit -= cost;
	return true;
}

void route_apply(struct route_verdict *v, bus_topic_t topic, bus_svc_t src,
		 uint8_t kind, bool irq, uint64_t now)
{
	uint32_t mask = topic < BUS_TOPIC_MAX ? topic_rules[topic] : 0;
	uint32_t sf = bus_svc_flags(src), df = bus_svc_flags(v->dst);
	/* kernel traffic: withheld only by a rule naming a service, and
	 * never between two rescue services */
	bool kernel = !(sf & BUS_SVC_F_USER);
	bool rescue = (sf & df & BUS_SVC_F_RESCUE) != 0;

	v->rc = 0;
	v->nmirrors = 0;
	for (; mask; mask &= mask - 1) {
		struct rule *r = &rules[__builtin_ctz(mask)];

		if ((r->kind != KIND_ANY && r->kind != kind) ||
		    !id_match(r->src_id, r->src, src) ||
		    !id_match(r->dst_id, r->dst, v->dst))
			continue;
		if (kernel && withholds(r->act) && (!r->named || rescue))
			continue;
		/* interrupts are never dropped; replies never withheld */
		if ((irq || kind == BUS_REPLY) &&
		    (r->act == A_DENY || r->act == A_RATE ||
		     (kind == BUS_REPLY && r->act == A_REDIRECT)))
			continue;
		r->st.hits++;
		switch (r->act) {
		case A_ALLOW:
			return;
		case A_DENY:
			r->st.drops++;
			v->rc = -AE_EPERM;
			return;
		case A_REDIRECT:
			if (r->target_id >= 0 && r->target_id < BUS_SVC_MAX)
				v->dst = (bus_svc_t)r->target_id;
			return;
		case A_MIRROR:
			if (r->target_id >= 0 && r->target_id < BUS_SVC_MAX)
				add_mirror(v, r, (bus_svc_t)r->target_id);
			break;
		case A_RATE:
			if (!rate_pass(r, now)) {
				r->st.drops++;
				v->rc = -AE_EAGAIN;
				return;
			}
			break;
		case A_PRIO:
			v->prio = r->prio;
			break;
		}
	}
}
