/*
 * contract.c - the bus's side of the interface contracts (aegis/contract.h):
 * which contract covers each topic, who serves it, and the check every
 * message passes before it is queued or run.
 *
 * Locking: one dispatcher, as the rest of bus/.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/errno.h>
#include <aegis/trace.h>
#include "bus_internal.h"

#define CONTRACTS_MAX	512

static const struct bus_contract *table;
static size_t rows, named;		/* named rows come first */
static const struct bus_contract *covers[BUS_TOPIC_MAX];
static struct svc_list servers[BUS_TOPIC_MAX];	/* who serves it */
static uint64_t refused_on[BUS_TOPIC_MAX];
static int16_t owner[CONTRACTS_MAX];	/* bus id of each row's owner, -1 */
static uint32_t nserved[BUS_SVC_MAX];	/* topics each service serves */
static struct bus_contract_stats stats;

static const char *const reason[BUS_REFUSALS] = {
	"?", "kind", "size", "sender", "receiver", "reply",
};

const char *bus_refusal_name(unsigned int why)
{
	return why < BUS_REFUSALS ? reason[why] : "?";
}

static bool family(const struct bus_contract *c)
{
	size_t n = strlen(c->topic);

	return n >= 2 && c->topic[n - 1] == '*';
}

static int row_check(const struct bus_contract *c)
{
	if (!c->topic || !c->iface || c->kind < BUS_C_REQUEST ||
	    c->kind > BUS_C_OPEN || c->min > c->max ||
	    c->max > BUS_INLINE_MAX || c->rmin > c->rmax ||
	    c->rmax > BUS_INLINE_MAX || c->prio >= BUS_PRIOS ||
	    bus_pattern_check(c->topic, NULL))
		return -AE_EINVAL;
	return 0;
}

/* On every bus_init, the topics just emptied: the named rows become
 * topics 0..named-1, in order. They cannot fail: bus_contracts_set took
 * well-formed names, none twice, at most BUS_TOPIC_MAX of them. */
void contract_reset(void)
{
	memset(covers, 0, sizeof(covers));
	for (unsigned int t = 0; t < BUS_TOPIC_MAX; t++)
		svc_list_clear(&servers[t]);
	memset(refused_on, 0, sizeof(refused_on));
	memset(nserved, 0, sizeof(nserved));
	memset(&stats, 0, sizeof(stats));
	for (size_t i = 0; i < CONTRACTS_MAX; i++)
		owner[i] = -1;
	for (size_t i = 0; table && i < named; i++)
		bus_topic(table[i].topic);
}

int bus_contracts_set(const struct bus_contract *t, size_t n)
{
	size_t k = 0;

	if (n > CONTRACTS_MAX || (n && !t))
		return -AE_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (row_check(&t[i]))
			return -AE_EINVAL;
		for (size_t j = 0; j < i; j++)	/* ids must be the rows */
			if (strcmp(t[j].topic, t[i].topic) == 0)
				return -AE_EINVAL;
		if (!family(&t[i])) {
			if (k != i)
				return -AE_EINVAL;	/* named ones first */
			k++;
		}
	}
	table = n ? t : NULL;
	rows = n;
	named = k;
	return 0;
}

void contract_topic_added(bus_topic_t t)
{
	const char *name = bus_topic_name(t);

	covers[t] = NULL;
	if (t < named && strcmp(table[t].topic, name) == 0) {
		covers[t] = &table[t];
		return;
	}
	for (size_t i = named; i < rows; i++)
		if (bus_pattern_match(table[i].topic, name)) {
			covers[t] = &table[i];
			return;
		}
}

void contract_topic_freed(bus_topic_t t)
{
	covers[t] = NULL;
	for (unsigned int k = 0; k < servers[t].n; k++)
		nserved[svc_list_ids(&servers[t])[k]]--;
	svc_list_clear(&servers[t]);
	refused_on[t] = 0;
}

void contract_svc_added(bus_svc_t s, const char *name)
{
	for (size_t i = 0; i < rows; i++)
		if (table[i].owner && strcmp(table[i].owner, name) == 0)
			owner[i] = (int16_t)s;
}

void contract_svc_removed(bus_svc_t s)
{
	for (size_t i = 0; i < rows; i++)
		if (owner[i] == (int16_t)s)
			owner[i] = -1;
	/* most services (every process) serve nothing: nothing to scan */
	for (unsigned int t = 0; nserved[s] && t < bus_topic_count(); t++)
		if (svc_list_has(&servers[t], s)) {
			svc_list_del(&servers[t], s);
			nserved[s]--;
		}
	nserved[s] = 0;
}

const struct bus_contract *bus_contract_of(bus_topic_t t)
{
	BUS_GUARD_READ();
	return t < BUS_TOPIC_MAX ? covers[t] : NULL;
}

int bus_serve(bus_svc_t s, const char *name)
{
	BUS_GUARD();
	int t;

	if (s >= BUS_SVC_MAX || bus_svc_state(s) == BUS_SVC_FREE)
		return -AE_EINVAL;
	t = bus_topic(name);
	if (t < 0)
		return t;
	if (svc_list_has(&servers[t], s))
		return 0;
	if (svc_list_add(&servers[t], s))
		return -AE_ENOMEM;
	nserved[s]++;
	return 0;
}

bool bus_serves(bus_svc_t s, bus_topic_t t)
{
	BUS_GUARD_READ();
	return s < BUS_SVC_MAX && t < BUS_TOPIC_MAX &&
	       svc_list_has(&servers[t], s);
}

int bus_contract_owner(bus_topic_t t)
{
	BUS_GUARD_READ();
	const struct bus_contract *c = bus_contract_of(t);

	if (!c || !c->owner || owner[c - table] < 0)
		return -AE_ENODEV;
	return owner[c - table];
}

void bus_contract_stats(struct bus_contract_stats *out)
{
	BUS_GUARD();
	*out = stats;
}

uint64_t bus_topic_refused(bus_topic_t t)
{
	BUS_GUARD();
	return t < BUS_TOPIC_MAX ? refused_on[t] : 0;
}

/* Count and trace a refusal: a record of a dispatch that never ran. */
static int refuse(unsigned int why, bus_topic_t t, uint8_t kind,
		  bus_svc_t src, bus_svc_t dst, uint32_t corr)
{
	struct trace_rec r;

	/* counted atomically: a CPU holding only its own bus lock may be
	 * refused at the same time as another */
	__atomic_fetch_add(&stats.refused, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stats.by_reason[why], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&refused_on[t], 1, __ATOMIC_RELAXED);
	memset(&r, 0, sizeof(r));
	bus_trace_lineage_new(&r, src);	/* a message too, never delivered */
	r.ts = bus_now();
	r.corr = corr;
	r.topic = t;
	r.src = src;
	r.dst = dst == BUS_NIL ? BUS_NIL_SVC : dst;	/* a publish: "*" */
	r.kind = kind;
	r.status = -AE_EBADMSG;
	r.inline_call = (uint8_t)(TRACE_REFUSED | why);
	r.cpu = (uint8_t)bus_cpu();
	trace_record(&r);
	return -AE_EBADMSG;
}

static int contract_check_slow(const struct bus_contract *c, bus_topic_t t,
			       uint8_t kind, bus_svc_t src, bus_svc_t dst,
			       size_t len);

/* A topic without a contract, or an open one: a test, not a call. */
BUS_HOT int contract_check(bus_topic_t t, uint8_t kind, bus_svc_t src,
			   bus_svc_t dst, size_t len)
{
	const struct bus_contract *c = covers[t];

	if (!c || c->kind == BUS_C_OPEN)
		return 0;
	return contract_check_slow(c, t, kind, src, dst, len);
}

static int contract_check_slow(const struct bus_contract *c, bus_topic_t t,
			       uint8_t kind, bus_svc_t src, bus_svc_t dst,
			       size_t len)
{
	bool want_request;
	int own;

	want_request = c->kind == BUS_C_REQUEST;
	if (want_request != (kind == BUS_REQUEST))
		return refuse(BUS_REFUSED_KIND, t, kind, src, dst, 0);
	if (len < c->min || len > c->max)
		return refuse(BUS_REFUSED_SIZE, t, kind, src, dst, 0);
	/* a message goes to one server: never to every subscriber */
	if (c->kind == BUS_C_MESSAGE && dst >= BUS_SVC_MAX)
		return refuse(BUS_REFUSED_KIND, t, kind, src, dst, 0);
	if (c->kind == BUS_C_EVENT && src != BUS_SVC_KERNEL) {
		own = c->owner ? owner[c - table] : -1;	/* none: kernel's */
		if (own < 0 || (bus_svc_t)own != src)
			return refuse(BUS_REFUSED_SENDER, t, kind, src, dst,
				      0);
	}
	if ((c->kind == BUS_C_REQUEST || c->kind == BUS_C_MESSAGE) &&
	    dst < BUS_SVC_MAX && !svc_list_has(&servers[t], dst))
		return refuse(BUS_REFUSED_RECEIVER, t, kind, src, dst, 0);
	return 0;
}

int contract_check_reply(const struct bus_msg *req, size_t len)
{
	const struct bus_contract *c = covers[req->topic];

	if (!c || c->kind != BUS_C_REQUEST ||
	    (len >= c->rmin && len <= c->rmax))
		return 0;
	return refuse(BUS_REFUSED_REPLY, req->topic, BUS_REPLY, req->dst,
		      req->src, req->corr);
}

int bus_contract_call(bus_topic_t t, bus_svc_t dst, const void *req,
		      size_t len, void *rep, size_t cap, size_t *rlen)
{
	BUS_GUARD();
	const struct bus_contract *c = bus_contract_of(t);
	struct bus_msg reply;
	int rc;

	if (!c || c->kind != BUS_C_REQUEST)
		return -AE_EINVAL;
	if (dst == BUS_NIL_SVC) {
		rc = bus_contract_owner(t);
		if (rc < 0)
			return rc;
		dst = (bus_svc_t)rc;
	}
	rc = bus_call(dst, t, req, len, &reply);
	if (rc)
		return rc;
	if (reply.len > cap)
		return -AE_EBADMSG;	/* the caller's buffer is too small */
	if (reply.len)
		memcpy(rep, reply.data, reply.len);
	if (rlen)
		*rlen = reply.len;
	return 0;
}
