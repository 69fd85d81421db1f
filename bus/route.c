/*
 * route.c - the routing rules engine (see aegis/route.h).
 *
 * Rules are kept parsed, each in a block from bus_alloc, and indexed so
 * that a message looks only at the rules that could match it. A rule is
 * filed under one key, its most selective: its topic pattern (in the
 * candidate list of each live topic the pattern matches: when the rule
 * is added, and when a topic is), else its source, else its destination
 * (in the list of each service the name covers: an exact name is
 * resolved to its service and a prefix to its set of services once, when
 * the rule or the service is added), else the list of rules for every
 * message. A message merges at most four lists, its topic's, its
 * source's, its destination's and that last one, in rule order, and
 * checks each candidate by ids and bits, without a string compare. With
 * no rules the bus skips this file entirely.
 *
 * Memory: adding a rule that cannot have its block or its index entries
 * fails with -ENOMEM and changes nothing. A topic or service whose list
 * cannot be built when it is added (bus_alloc has nothing) is marked
 * degraded: its messages are checked against every rule in order, the
 * old way, until a rule removal gives memory back and the list is built.
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

#define KIND_ANY	0xff
#define UNRES		(-1)	/* an exact name no service has yet */
#define KSLOT		BUS_SVC_MAX	/* the index slot of "kernel" */
#define SLOTS		(BUS_SVC_MAX + 1)
#define SVC_WORDS	((BUS_SVC_MAX + 63) / 64)
#define TOPIC_WORDS	((BUS_TOPIC_MAX + 63) / 64)
#define RL_MIN		6		/* a 16-byte block */

/* Rule ids in ascending rule order, in a block of 16..4096 bytes (cap
 * 6, 14, 30, ... 2046). */
struct rlist {
	uint16_t n, cap;
	uint16_t id[];
};

/* A service name rules use as src, dst or target, shared by them: an
 * exact name resolved to its service, or a prefix ("user-*") resolved to
 * the set of services whose names start with it. */
struct sname {
	struct sname *next;
	struct rlist *src_rules, *dst_rules;	/* rules filed under it */
	int32_t id;	/* exact: the service, BUS_SVC_KERNEL or UNRES */
	uint16_t refs;
	uint8_t len;		/* prefix: the bytes before the '*' */
	bool prefix;
	bool kernel;		/* prefix: "kernel" starts with it */
	char str[BUS_NAME_MAX];
	uint64_t bits[];	/* prefix: SVC_WORDS words, bit s: service s */
};

/* The key a rule is filed under. */
enum family { F_TOPIC, F_SRC, F_DST, F_EVERY };

#define R_NAMED		0x01	/* src or dst an exact name */
#define R_PINNED	0x02	/* a default rule: clear keeps it */
#define R_SRC_STAR	0x04	/* written src=* (any) */
#define R_DST_STAR	0x08	/* written dst=* */
#define R_DEAD		0x10	/* going: a sweep drops it */

struct rule {
	struct bus_rule_stats st;
	uint64_t credit, last;		/* token bucket, in clock ticks */
	uint32_t rate_n, rate_ms;
	struct sname *src, *dst, *target;	/* NULL: any (no target) */
	uint16_t order;			/* its number in the table */
	uint16_t id;			/* its slot: what lists hold */
	uint8_t act, kind, prio, flags;
	uint8_t family;
	char topic[BUS_NAME_MAX];	/* "" = any */
};
/* a 128-byte block: BUS_RULES_MAX rules take half the bus's reserve */
_Static_assert(sizeof(struct rule) <= 128, "a rule in a 128-byte block");
/* a list of every rule fits the largest block */
_Static_assert(BUS_RULES_MAX <= 2046, "rule lists");

/* A rule as text, parsed. */
struct rtext {
	enum action act;
	uint8_t kind, prio;
	bool named;
	uint32_t rate_n, rate_ms;
	char topic[BUS_NAME_MAX];
	char src[BUS_NAME_MAX], dst[BUS_NAME_MAX], target[BUS_NAME_MAX];
};

static struct rule *slots[BUS_RULES_MAX];	/* by id */
static uint16_t table[BUS_RULES_MAX];		/* ids in rule order */
unsigned int route_nrules;	/* bus_internal.h: route_none's fast test */
static struct rlist *topic_idx[BUS_TOPIC_MAX];
static struct rlist *src_idx[SLOTS], *dst_idx[SLOTS];
static struct rlist *every;
static struct sname *names;
static uint64_t topic_indexed[TOPIC_WORDS];	/* its list is current */
static uint64_t topic_degraded[TOPIC_WORDS];	/* it has no list */
static uint64_t slot_degraded[(SLOTS + 63) / 64];
static uint64_t examined;
static uint64_t ticks_per_ms = 1;

unsigned int route_count(void)
{
	return route_nrules;
}

uint64_t bus_rule_examined(void)
{
	BUS_GUARD();
	return examined;
}

void bus_rule_clock_rate(uint64_t tpm)
{
	BUS_GUARD();
	ticks_per_ms = tpm ? tpm : 1;
}

static bool bit(const uint64_t *m, unsigned int i)
{
	return (m[i / 64] >> (i % 64)) & 1;
}

static void set_bit(uint64_t *m, unsigned int i, bool on)
{
	if (on)
		m[i / 64] |= 1ull << (i % 64);
	else
		m[i / 64] &= ~(1ull << (i % 64));
}

/* The index slot of a service: its id, KSLOT for kernel, else -1. */
static int slot_of(bus_svc_t s)
{
	if (s < BUS_SVC_MAX)
		return s;
	return s == BUS_SVC_KERNEL ? KSLOT : -1;
}

/* ---- rule lists ------------------------------------------------------ */

static size_t rl_bytes(unsigned int cap)
{
	return sizeof(struct rlist) + cap * sizeof(uint16_t);
}

static void rl_free(struct rlist **lp)
{
	if (*lp)
		bus_free(*lp, rl_bytes((*lp)->cap));
	*lp = NULL;
}

/* Where order o is, or goes, in l. */
static unsigned int rl_find(const struct rlist *l, unsigned int o)
{
	unsigned int lo = 0, hi = l->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (slots[l->id[mid]]->order < o)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int rl_resize(struct rlist **lp, unsigned int cap)
{
	struct rlist *l = *lp, *m = bus_alloc(rl_bytes(cap));

	if (!m)
		return -AE_ENOMEM;
	m->cap = (uint16_t)cap;
	if (l) {
		m->n = l->n;
		memcpy(m->id, l->id, l->n * sizeof(l->id[0]));
		bus_free(l, rl_bytes(l->cap));
	}
	*lp = m;
	return 0;
}

static int rl_insert(struct rlist **lp, const struct rule *r)
{
	struct rlist *l = *lp;
	unsigned int at;

	if (!l || l->n == l->cap) {
		if (rl_resize(lp, l ? l->cap * 2u + 2 : RL_MIN))
			return -AE_ENOMEM;
		l = *lp;
	}
	at = rl_find(l, r->order);
	memmove(&l->id[at + 1], &l->id[at], (l->n - at) * sizeof(l->id[0]));
	l->id[at] = r->id;
	l->n++;
	return 0;
}

/* After entries went: an empty list is freed, one at most a quarter
 * full moves to a smaller block if there is one. */
static void rl_trim(struct rlist **lp)
{
	struct rlist *l = *lp;
	unsigned int cap = l->cap;

	if (!l->n) {
		rl_free(lp);
		return;
	}
	while (cap > RL_MIN && l->n <= (cap - 2) / 4)
		cap = (cap - 2) / 2;
	if (cap != l->cap)
		rl_resize(lp, cap);	/* no memory: it stays as it is */
}

/* Take r out of *lp if it is there. */
static void rl_remove(struct rlist **lp, const struct rule *r)
{
	struct rlist *l = *lp;
	unsigned int at;

	if (!l)
		return;
	at = rl_find(l, r->order);
	if (at == l->n || l->id[at] != r->id)
		return;
	memmove(&l->id[at], &l->id[at + 1],
		(l->n - at - 1) * sizeof(l->id[0]));
	l->n--;
	rl_trim(lp);
}

/* Drop the entries of rules marked R_DEAD. */
static void rl_filter(struct rlist **lp)
{
	struct rlist *l = *lp;
	unsigned int n = 0;

	if (!l)
		return;
	for (unsigned int i = 0; i < l->n; i++)
		if (!(slots[l->id[i]]->flags & R_DEAD))
			l->id[n++] = l->id[i];
	if (n != l->n) {
		l->n = (uint16_t)n;
		rl_trim(lp);
	}
}

/* ---- service names --------------------------------------------------- */

static size_t sname_bytes(bool prefix)
{
	return sizeof(struct sname) +
	       (prefix ? SVC_WORDS * sizeof(uint64_t) : 0);
}

static bool covers(const struct sname *n, bus_svc_t s)
{
	if (!n)
		return true;
	if (!n->prefix)
		return n->id == (int32_t)s;
	if (s == BUS_SVC_KERNEL)
		return n->kernel;
	return s < BUS_SVC_MAX && bit(n->bits, s);
}

/* The shared name for text, with one more user; "" and "*" are NULL. */
static int name_get(const char *text, struct sname **out)
{
	struct sname *n;
	size_t len = strlen(text);
	bool prefix;

	*out = NULL;
	if (!len || strcmp(text, "*") == 0)
		return 0;
	for (n = names; n; n = n->next) {
		if (strcmp(n->str, text) == 0) {
			n->refs++;
			*out = n;
			return 0;
		}
	}
	prefix = text[len - 1] == '*';
	n = bus_alloc(sname_bytes(prefix));
	if (!n)
		return -AE_ENOMEM;
	memcpy(n->str, text, len + 1);
	n->refs = 1;
	n->prefix = prefix;
	if (prefix) {
		n->len = (uint8_t)(len - 1);
		n->kernel = strncmp("kernel", text, len - 1) == 0;
		for (unsigned int s = 0; s < BUS_SVC_MAX; s++)
			if (bus_svc_state((bus_svc_t)s) != BUS_SVC_FREE &&
			    strncmp(bus_svc_name((bus_svc_t)s), text,
				    len - 1) == 0)
				set_bit(n->bits, s, true);
	} else if (strcmp(text, "kernel") == 0) {
		n->id = BUS_SVC_KERNEL;
	} else {
		int id = bus_svc_find(text);

		n->id = id >= 0 ? id : UNRES;
	}
	n->next = names;
	names = n;
	*out = n;
	return 0;
}

static void name_put(struct sname *n)
{
	struct sname **pp;

	if (!n || --n->refs)
		return;
	for (pp = &names; *pp != n; pp = &(*pp)->next)
		;
	*pp = n->next;
	rl_free(&n->src_rules);		/* empty by now */
	rl_free(&n->dst_rules);
	bus_free(n, sname_bytes(n->prefix));
}

/* ---- the index ------------------------------------------------------- */

static bool topic_indexable(unsigned int t)
{
	return bit(topic_indexed, t) && !bit(topic_degraded, t);
}

/* Put r in (add) or take it out of idx[s]; a degraded slot has no list. */
static int slot_file(struct rlist **idx, unsigned int s,
		     const struct rule *r, bool add)
{
	if (!add) {
		rl_remove(&idx[s], r);
		return 0;
	}
	return bit(slot_degraded, s) ? 0 : rl_insert(&idx[s], r);
}

/* The same for every slot that n covers. */
static int name_file(const struct sname *n, struct rlist **idx,
		     const struct rule *r, bool add)
{
	int rc;

	if (!n->prefix) {
		if (n->id == BUS_SVC_KERNEL)
			return slot_file(idx, KSLOT, r, add);
		return n->id >= 0 ? slot_file(idx, (unsigned int)n->id, r,
					      add) : 0;
	}
	if (n->kernel && (rc = slot_file(idx, KSLOT, r, add)) != 0)
		return rc;
	for (unsigned int w = 0; w < SVC_WORDS; w++)
		for (uint64_t m = n->bits[w]; m; m &= m - 1)
			if ((rc = slot_file(idx, w * 64 +
					    (unsigned int)__builtin_ctzll(m),
					    r, add)) != 0)
				return rc;
	return 0;
}

/* Take r out of every list it is in (and of none it is not). */
static void detach(struct rule *r)
{
	switch (r->family) {
	case F_TOPIC:
		if (!strchr(r->topic, '*')) {
			int t = bus_topic_find(r->topic);

			if (t >= 0 && t < BUS_TOPIC_MAX)
				rl_remove(&topic_idx[t], r);
		} else {
			for (unsigned int t = 0; t < topic_count(); t++)
				rl_remove(&topic_idx[t], r);
		}
		break;
	case F_SRC:
		rl_remove(&r->src->src_rules, r);
		name_file(r->src, src_idx, r, false);
		break;
	case F_DST:
		rl_remove(&r->dst->dst_rules, r);
		name_file(r->dst, dst_idx, r, false);
		break;
	default:
		rl_remove(&every, r);
		break;
	}
}

/* File r (already in the table) in the lists of its key; -ENOMEM and
 * in none of them when memory runs out. */
static int attach(struct rule *r)
{
	int rc = 0;

	switch (r->family) {
	case F_TOPIC:
		if (!strchr(r->topic, '*')) {
			int t = bus_topic_find(r->topic);

			if (t >= 0 && t < BUS_TOPIC_MAX &&
			    topic_indexable((unsigned int)t))
				rc = rl_insert(&topic_idx[t], r);
			break;
		}
		for (unsigned int t = 0; t < topic_count() && !rc; t++)
			if (topic_indexable(t) &&
			    bus_pattern_match(r->topic,
					      bus_topic_name((bus_topic_t)t)))
				rc = rl_insert(&topic_idx[t], r);
		break;
	case F_SRC:
		rc = rl_insert(&r->src->src_rules, r);
		if (!rc)
			rc = name_file(r->src, src_idx, r, true);
		break;
	case F_DST:
		rc = rl_insert(&r->dst->dst_rules, r);
		if (!rc)
			rc = name_file(r->dst, dst_idx, r, true);
		break;
	default:
		rc = rl_insert(&every, r);
		break;
	}
	if (rc)
		detach(r);
	return rc;
}

/* The candidate list of topic t, from every rule; degraded without the
 * memory for it. */
static void build_topic(unsigned int t)
{
	const char *name = bus_topic_name((bus_topic_t)t);

	rl_free(&topic_idx[t]);
	set_bit(topic_indexed, t, true);
	set_bit(topic_degraded, t, false);
	for (unsigned int i = 0; i < route_nrules; i++) {
		struct rule *r = slots[table[i]];

		if (r->family == F_TOPIC &&
		    bus_pattern_match(r->topic, name) &&
		    rl_insert(&topic_idx[t], r)) {
			rl_free(&topic_idx[t]);
			set_bit(topic_degraded, t, true);
			return;
		}
	}
}

static int merge(struct rlist **into, const struct rlist *from)
{
	for (unsigned int i = 0; from && i < from->n; i++)
		if (rl_insert(into, slots[from->id[i]]))
			return -AE_ENOMEM;
	return 0;
}

/* The lists of service slot s, from the names that cover it. */
static void build_slot(unsigned int s)
{
	bus_svc_t id = s == KSLOT ? BUS_SVC_KERNEL : (bus_svc_t)s;

	rl_free(&src_idx[s]);
	rl_free(&dst_idx[s]);
	set_bit(slot_degraded, s, false);
	for (struct sname *n = names; n; n = n->next) {
		if (!covers(n, id))
			continue;
		if (merge(&src_idx[s], n->src_rules) ||
		    merge(&dst_idx[s], n->dst_rules)) {
			rl_free(&src_idx[s]);
			rl_free(&dst_idx[s]);
			set_bit(slot_degraded, s, true);
			return;
		}
	}
}

/* Memory came back: build what was degraded. */
static void retry_degraded(void)
{
	for (unsigned int w = 0; w < TOPIC_WORDS; w++)
		for (uint64_t m = topic_degraded[w]; m; m &= m - 1)
			build_topic(w * 64 + (unsigned int)__builtin_ctzll(m));
	for (unsigned int w = 0; w < (SLOTS + 63) / 64; w++)
		for (uint64_t m = slot_degraded[w]; m; m &= m - 1)
			build_slot(w * 64 + (unsigned int)__builtin_ctzll(m));
}

void route_topic_added(bus_topic_t t)
{
	/* also called again for live topics (when subscriptions change):
	 * their list is kept current by rule changes */
	if (t < BUS_TOPIC_MAX && !topic_indexable(t))
		build_topic(t);
}

void route_topic_freed(bus_topic_t t)
{
	if (t >= BUS_TOPIC_MAX)
		return;
	rl_free(&topic_idx[t]);
	set_bit(topic_indexed, t, false);
	set_bit(topic_degraded, t, false);
}

void route_svc_added(bus_svc_t s, const char *name)
{
	if (s >= BUS_SVC_MAX)
		return;
	for (struct sname *n = names; n; n = n->next) {
		if (n->prefix)
			set_bit(n->bits, s,
				strncmp(name, n->str, n->len) == 0);
		else if (strcmp(n->str, name) == 0)
			n->id = s;
	}
	build_slot(s);
}

void route_svc_removed(bus_svc_t s)
{
	if (s >= BUS_SVC_MAX)
		return;
	for (struct sname *n = names; n; n = n->next) {
		if (n->prefix)
			set_bit(n->bits, s, false);
		else if (n->id == (int32_t)s)
			n->id = UNRES;
	}
	rl_free(&src_idx[s]);
	rl_free(&dst_idx[s]);
	set_bit(slot_degraded, s, false);
}

static void renumber(unsigned int from)
{
	for (unsigned int i = from; i < route_nrules; i++)
		slots[table[i]]->order = (uint16_t)i;
}

/* Free a rule that is in no list and no longer in the table (or was
 * never given a slot). */
static void drop(struct rule *r)
{
	if (slots[r->id] == r)
		slots[r->id] = NULL;
	name_put(r->src);
	name_put(r->dst);
	name_put(r->target);
	bus_free(r, sizeof(*r));
}

void route_reset(void)
{
	for (unsigned int i = 0; i < route_nrules; i++) {
		bus_free(slots[table[i]], sizeof(struct rule));
		slots[table[i]] = NULL;
	}
	route_nrules = 0;
	while (names) {
		struct sname *n = names;

		names = n->next;
		rl_free(&n->src_rules);
		rl_free(&n->dst_rules);
		bus_free(n, sname_bytes(n->prefix));
	}
	for (unsigned int t = 0; t < BUS_TOPIC_MAX; t++)
		rl_free(&topic_idx[t]);
	for (unsigned int s = 0; s < SLOTS; s++) {
		rl_free(&src_idx[s]);
		rl_free(&dst_idx[s]);
	}
	rl_free(&every);
	memset(topic_indexed, 0, sizeof(topic_indexed));
	memset(topic_degraded, 0, sizeof(topic_degraded));
	memset(slot_degraded, 0, sizeof(slot_degraded));
	examined = 0;
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

static int parse(const char *text, struct rtext *r, const char **why)
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

/* What the never-reached check compares: a rule in the table or one
 * being added. */
struct rview {
	enum action act;
	uint8_t kind;
	bool named;
	const char *topic, *src, *dst;
};

static const char *src_text(const struct rule *r)
{
	return r->src ? r->src->str : (r->flags & R_SRC_STAR) ? "*" : "";
}

static const char *dst_text(const struct rule *r)
{
	return r->dst ? r->dst->str : (r->flags & R_DST_STAR) ? "*" : "";
}

static void view_rule(const struct rule *r, struct rview *v)
{
	v->act = (enum action)r->act;
	v->kind = r->kind;
	v->named = (r->flags & R_NAMED) != 0;
	v->topic = r->topic;
	v->src = src_text(r);
	v->dst = dst_text(r);
}

/*
 * Does earlier rule e decide every message that r would match, before r
 * is looked at? Conservative: true only when e is terminal (allow, deny,
 * redirect) and each of its keys is absent or covers r's. A deny or
 * redirect does not see interrupts and replies, which a mirror or prio
 * still would; and one that names no service does not see kernel
 * traffic, which a rule naming a service does.
 */
static bool shadows(const struct rview *e, const struct rview *r)
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
static int reachable(const struct rtext *r, unsigned int at,
		     const char **why)
{
	static char msg[96];
	const struct rview rv = {
		.act = r->act, .kind = r->kind, .named = r->named,
		.topic = r->topic, .src = r->src, .dst = r->dst,
	};

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
		struct rview ev;

		view_rule(slots[table[i]], &ev);
		if (shadows(&ev, &rv)) {
			ksnprintf(msg, sizeof(msg), "never reached: rule %u "
				  "decides all it would match first "
				  "(ins N RULE puts one before it)", i);
			*why = msg;
			return -AE_EINVAL;
		}
	}
	return 0;
}

/* The key a rule is filed under: the most selective it has. */
static enum family family_of(const struct rule *r)
{
	if (r->topic[0] && strcmp(r->topic, "*") != 0)
		return F_TOPIC;
	if (r->src)
		return F_SRC;
	if (r->dst)
		return F_DST;
	return F_EVERY;
}

static int insert(unsigned int at, const char *text, bool pinned,
		  const char **why)
{
	struct rtext t;
	struct rule *r;
	const char *dummy;
	unsigned int id;
	int rc;

	if (!why)
		why = &dummy;
	rc = parse(text, &t, why);
	if (rc)
		return rc;
	if (at > route_nrules) {
		*why = "no rule with that number";
		return -AE_EINVAL;
	}
	rc = reachable(&t, at, why);
	if (rc)
		return rc;
	if (route_nrules == BUS_RULES_MAX) {
		*why = "rule table full";
		return -AE_ENOSPC;
	}
	r = bus_alloc(sizeof(*r));
	if (!r)
		goto nomem;
	r->act = (uint8_t)t.act;
	r->kind = t.kind;
	r->prio = t.prio;
	r->rate_n = t.rate_n;
	r->rate_ms = t.rate_ms;
	r->credit = (uint64_t)t.rate_ms * ticks_per_ms; /* a full bucket */
	r->flags = (uint8_t)((t.named ? R_NAMED : 0) | (pinned ? R_PINNED : 0) |
		   (strcmp(t.src, "*") == 0 ? R_SRC_STAR : 0) |
		   (strcmp(t.dst, "*") == 0 ? R_DST_STAR : 0));
	memcpy(r->topic, t.topic, sizeof(r->topic));
	if (name_get(t.src, &r->src) || name_get(t.dst, &r->dst) ||
	    name_get(t.target, &r->target))
		goto undo;
	r->family = (uint8_t)family_of(r);
	for (id = 0; slots[id]; id++)
		;
	r->id = (uint16_t)id;
	slots[id] = r;
	memmove(&table[at + 1], &table[at], (route_nrules - at) * sizeof(table[0]));
	table[at] = (uint16_t)id;
	route_nrules++;
	renumber(at);
	if (attach(r) == 0)
		return (int)at;
	memmove(&table[at], &table[at + 1], (route_nrules - at - 1) *
		sizeof(table[0]));
	route_nrules--;
	renumber(at);
undo:
	drop(r);
nomem:
	*why = "out of memory for the rule or its index";
	return -AE_ENOMEM;
}

int bus_rule_add(const char *text, const char **why)
{
	BUS_GUARD();
	return insert(route_nrules, text, false, why);
}

int bus_rule_insert(unsigned int idx, const char *text, const char **why)
{
	BUS_GUARD();
	return insert(idx, text, false, why);
}

int bus_rule_add_default(const char *text, const char **why)
{
	BUS_GUARD();
	return insert(route_nrules, text, true, why);
}

int bus_rule_remove(unsigned int idx)
{
	BUS_GUARD();
	struct rule *r;

	if (idx >= route_nrules)
		return -AE_EINVAL;
	r = slots[table[idx]];
	detach(r);
	memmove(&table[idx], &table[idx + 1],
		(route_nrules - idx - 1) * sizeof(table[0]));
	route_nrules--;
	renumber(idx);
	drop(r);
	retry_degraded();
	return 0;
}

/* Remove every rule (all) or every one but the default ones, in one pass
 * over the index. */
static void sweep(bool all)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < route_nrules; i++) {
		struct rule *r = slots[table[i]];

		if (all || !(r->flags & R_PINNED))
			r->flags |= R_DEAD;
	}
	for (unsigned int t = 0; t < topic_count() && t < BUS_TOPIC_MAX; t++)
		rl_filter(&topic_idx[t]);
	for (unsigned int s = 0; s < SLOTS; s++) {
		rl_filter(&src_idx[s]);
		rl_filter(&dst_idx[s]);
	}
	rl_filter(&every);
	for (struct sname *m = names; m; m = m->next) {
		rl_filter(&m->src_rules);
		rl_filter(&m->dst_rules);
	}
	for (unsigned int i = 0; i < route_nrules; i++) {
		struct rule *r = slots[table[i]];

		if (r->flags & R_DEAD)
			drop(r);
		else
			table[n++] = table[i];
	}
	route_nrules = n;
	renumber(0);
	retry_degraded();
}

void bus_rule_clear(void)
{
	BUS_GUARD();
	sweep(false);
}

void bus_rule_clear_all(void)
{
	BUS_GUARD();
	sweep(true);
}

bool bus_rule_is_default(unsigned int idx)
{
	BUS_GUARD();
	return idx < route_nrules && (slots[table[idx]]->flags & R_PINNED);
}

unsigned int bus_rule_count(void)
{
	BUS_GUARD();
	return route_nrules;
}

int bus_rule_stats(unsigned int idx, struct bus_rule_stats *out)
{
	BUS_GUARD();
	if (idx >= route_nrules)
		return -AE_EINVAL;
	*out = slots[table[idx]]->st;
	return 0;
}

int bus_rule_format(unsigned int idx, char *buf, size_t size)
{
	BUS_GUARD();
	static const char *const kinds[] = { "event", "request", "reply" };
	const struct rule *r;
	char arg[BUS_NAME_MAX + 24] = "";
	char m[4][BUS_NAME_MAX + 8] = { "", "", "", "" };

	if (idx >= route_nrules)
		return -AE_EINVAL;
	r = slots[table[idx]];
	if (r->act == A_REDIRECT || r->act == A_MIRROR)
		ksnprintf(arg, sizeof(arg), ":%s", r->target->str);
	else if (r->act == A_RATE)
		ksnprintf(arg, sizeof(arg), ":%u/%u", r->rate_n, r->rate_ms);
	else if (r->act == A_PRIO)
		ksnprintf(arg, sizeof(arg), ":%u", r->prio);
	if (r->topic[0])
		ksnprintf(m[0], sizeof(m[0]), ",topic=%s", r->topic);
	if (src_text(r)[0])
		ksnprintf(m[1], sizeof(m[1]), ",src=%s", src_text(r));
	if (dst_text(r)[0])
		ksnprintf(m[2], sizeof(m[2]), ",dst=%s", dst_text(r));
	if (r->kind != KIND_ANY)
		ksnprintf(m[3], sizeof(m[3]), ",kind=%s", kinds[r->kind]);
	return ksnprintf(buf, size, "%s%s%s%s%s%s", action_name[r->act], arg,
			 m[0], m[1], m[2], m[3]);
}

/* ---- applying ------------------------------------------------------ */

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

/* What route_apply knows of the message. */
struct msg_view {
	bus_svc_t src;
	uint8_t kind;
	bool irq;
	bool kernel;	/* kernel traffic: withheld only by a rule naming a
			 * service, and never between two rescue services */
	bool rescue;
	uint64_t now;
};

/* Check rule r (its topic already matched) against the message and
 * apply it. True: the verdict is decided. */
static bool judge(struct route_verdict *v, struct rule *r,
		  const struct msg_view *m)
{
	if ((r->kind != KIND_ANY && r->kind != m->kind) ||
	    !covers(r->src, m->src) || !covers(r->dst, v->dst))
		return false;
	if (m->kernel && withholds((enum action)r->act) &&
	    (!(r->flags & R_NAMED) || m->rescue))
		return false;
	/* interrupts are never dropped; replies never withheld */
	if ((m->irq || m->kind == BUS_REPLY) &&
	    (r->act == A_DENY || r->act == A_RATE ||
	     (m->kind == BUS_REPLY && r->act == A_REDIRECT)))
		return false;
	r->st.hits++;
	switch (r->act) {
	case A_ALLOW:
		return true;
	case A_DENY:
		r->st.drops++;
		v->rc = -AE_EPERM;
		return true;
	case A_REDIRECT:
		if (r->target->id >= 0 && r->target->id < BUS_SVC_MAX)
			v->dst = (bus_svc_t)r->target->id;
		return true;
	case A_MIRROR:
		if (r->target->id >= 0 && r->target->id < BUS_SVC_MAX)
			add_mirror(v, r, (bus_svc_t)r->target->id);
		return false;
	case A_RATE:
		if (!rate_pass(r, m->now)) {
			r->st.drops++;
			v->rc = -AE_EAGAIN;
			return true;
		}
		return false;
	default:
		v->prio = r->prio;
		return false;
	}
}

static bool rl_any(const struct rlist *l)
{
	return l && l->n;
}

bool route_none_slow(bus_topic_t topic, bus_svc_t src, bus_svc_t dst)
{
	int ss = slot_of(src), ds = slot_of(dst);

	if (!route_nrules || topic >= BUS_TOPIC_MAX)
		return true;
	if (bit(topic_degraded, topic) ||
	    (ss >= 0 && bit(slot_degraded, (unsigned int)ss)) ||
	    (ds >= 0 && bit(slot_degraded, (unsigned int)ds)))
		return false;
	return !rl_any(topic_idx[topic]) &&
	       !(ss >= 0 && rl_any(src_idx[ss])) &&
	       !(ds >= 0 && rl_any(dst_idx[ds])) && !rl_any(every);
}

void route_apply(struct route_verdict *v, bus_topic_t topic, bus_svc_t src,
		 uint8_t kind, bool irq, uint64_t now)
{
	uint32_t sf = bus_svc_flags(src), df = bus_svc_flags(v->dst);
	const struct msg_view m = {
		.src = src, .kind = kind, .irq = irq, .now = now,
		.kernel = !(sf & BUS_SVC_F_USER),
		.rescue = (sf & df & BUS_SVC_F_RESCUE) != 0,
	};
	int ss = slot_of(src), ds = slot_of(v->dst);
	const struct rlist *l[4];
	unsigned int pos[4] = { 0, 0, 0, 0 }, nl = 0;

	v->rc = 0;
	v->nmirrors = 0;
	if (topic >= BUS_TOPIC_MAX)
		return;
	if (bit(topic_degraded, topic) ||
	    (ss >= 0 && bit(slot_degraded, (unsigned int)ss)) ||
	    (ds >= 0 && bit(slot_degraded, (unsigned int)ds))) {
		/* no list for lack of memory: every rule, in order */
		const char *name = bus_topic_name(topic);

		for (unsigned int i = 0; i < route_nrules; i++) {
			struct rule *r = slots[table[i]];

			examined++;
			if (r->family == F_TOPIC &&
			    !bus_pattern_match(r->topic, name))
				continue;
			if (judge(v, r, &m))
				return;
		}
		return;
	}
	if (topic_idx[topic])
		l[nl++] = topic_idx[topic];
	if (ss >= 0 && src_idx[ss])
		l[nl++] = src_idx[ss];
	if (ds >= 0 && dst_idx[ds])
		l[nl++] = dst_idx[ds];
	if (every)
		l[nl++] = every;
	/* a rule is in one list only: merge them in rule order */
	for (;;) {
		struct rule *r = NULL;
		unsigned int k = 0;

		for (unsigned int i = 0; i < nl; i++) {
			struct rule *c;

			if (pos[i] == l[i]->n)
				continue;
			c = slots[l[i]->id[pos[i]]];
			if (!r || c->order < r->order) {
				r = c;
				k = i;
			}
		}
		if (!r)
			return;
		pos[k]++;
		examined++;
		if (judge(v, r, &m))
			return;
	}
}
