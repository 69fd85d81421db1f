/*
 * grant.c - memory lent by reference (see aegis/grant.h).
 *
 * A table of BUS_GRANTS_MAX slots. An id is the slot in its low 8 bits
 * and the slot's generation above, so an id that was ended (or never
 * made) names nothing, even once its slot is lent again; generation 0 is
 * skipped, so no id is 0.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/grant.h>
#include "bus_internal.h"

#define SLOT_BITS	8
#define SLOT_MASK	((1u << SLOT_BITS) - 1)

_Static_assert(BUS_GRANTS_MAX <= (1u << SLOT_BITS), "grant id layout");

struct grant {
	uint32_t gen;			/* 0 until first lent */
	bool live;
	uint8_t rights;
	uint8_t nholders;
	bus_svc_t owner;
	bus_svc_t holder[BUS_GRANT_HOLDERS];
	uintptr_t base;
	uint32_t len;
};

static struct grant grants[BUS_GRANTS_MAX];
static struct bus_grant_stats gst;

void grant_reset(void)
{
	memset(grants, 0, sizeof(grants));
	memset(&gst, 0, sizeof(gst));
}

static struct grant *lookup(bus_grant_t id)
{
	struct grant *g;

	if ((id & SLOT_MASK) >= BUS_GRANTS_MAX)
		return NULL;
	g = &grants[id & SLOT_MASK];
	if (!g->live || g->gen != id >> SLOT_BITS)
		return NULL;
	return g;
}

static bool user_svc(bus_svc_t s)
{
	return (bus_svc_flags(s) & BUS_SVC_F_USER) != 0;
}

static bool holds(const struct grant *g, bus_svc_t s)
{
	if ((g->rights & BUS_GRANT_KERNEL) && !user_svc(s))
		return true;
	for (unsigned int i = 0; i < g->nholders; i++)
		if (g->holder[i] == s)
			return true;
	return false;
}

int bus_grant_new(const void *base, uint32_t len, uint32_t rights,
		  bus_svc_t to, bus_grant_t *out)
{
	BUS_GUARD();
	const uint32_t known = BUS_GRANT_READ | BUS_GRANT_WRITE |
			       BUS_GRANT_KERNEL;

	if (!base || !out || !len || len > BUS_GRANT_LEN_MAX ||
	    !(rights & (BUS_GRANT_READ | BUS_GRANT_WRITE)) ||
	    (rights & ~known))
		return -AE_EINVAL;
	if (to != BUS_SVC_KERNEL && user_svc(to))
		return -AE_EPERM;
	for (unsigned int i = 0; i < BUS_GRANTS_MAX; i++) {
		struct grant *g = &grants[i];

		if (g->live)
			continue;
		g->gen = (g->gen + 1) & (UINT32_MAX >> SLOT_BITS);
		if (!g->gen)
			g->gen = 1;
		g->live = true;
		g->rights = (uint8_t)rights;
		g->owner = bus_current();
		g->nholders = to != BUS_SVC_KERNEL;
		g->holder[0] = to;
		g->base = (uintptr_t)base;
		g->len = len;
		gst.made++;
		if (++gst.live > gst.live_max)
			gst.live_max = gst.live;
		*out = g->gen << SLOT_BITS | i;
		return 0;
	}
	return -AE_ENOSPC;
}

/* May the handler of m use g? Its sender lent or holds g, and so does
 * the handler's service. */
static struct grant *usable(const struct bus_msg *m, bus_grant_t id)
{
	struct grant *g = m ? lookup(id) : NULL;
	bus_svc_t self = bus_current();

	if (!g || (m->src != g->owner && !holds(g, m->src)) ||
	    (self != g->owner && !holds(g, self))) {
		gst.refused++;
		return NULL;
	}
	return g;
}

int bus_grant_pass(const struct bus_msg *m, bus_grant_t id, bus_svc_t to)
{
	BUS_GUARD();
	struct grant *g;

	if (!id)
		return 0;
	g = usable(m, id);
	if (!g)
		return -AE_EFAULT;
	if (to == BUS_SVC_KERNEL || user_svc(to)) {
		gst.refused++;
		return -AE_EPERM;
	}
	if (to == g->owner || holds(g, to))
		return 0;
	if (g->nholders == BUS_GRANT_HOLDERS)
		return -AE_ENOSPC;
	g->holder[g->nholders++] = to;
	return 0;
}

void *bus_grant_map(const struct bus_msg *m, bus_grant_t id, uint32_t rights,
		    uint32_t *len)
{
	BUS_GUARD();
	struct grant *g = usable(m, id);

	if (!g)
		return NULL;
	if (!rights || (rights & ~g->rights & (BUS_GRANT_READ |
					       BUS_GRANT_WRITE))) {
		gst.refused++;
		return NULL;
	}
	if (len)
		*len = g->len;
	return (void *)g->base;
}

void *bus_grant_buf(const struct bus_msg *m, bus_grant_t id, uint32_t need,
		    uint32_t rights, int *rc)
{
	BUS_GUARD();
	uint32_t len = 0;
	void *p;

	*rc = 0;
	if (!need)
		return NULL;
	p = bus_grant_map(m, id, rights, &len);
	if (!p || len < need) {
		*rc = -AE_EFAULT;
		return NULL;
	}
	return p;
}

void bus_grant_end(bus_grant_t id)
{
	BUS_GUARD();
	struct grant *g = lookup(id);

	if (!g || g->owner != bus_current())
		return;
	g->live = false;
	gst.live--;
}

void bus_grant_end_owner(bus_svc_t s)
{
	BUS_GUARD();
	for (unsigned int i = 0; i < BUS_GRANTS_MAX; i++) {
		if (grants[i].live && grants[i].owner == s) {
			grants[i].live = false;
			gst.live--;
		}
	}
}

void bus_grant_stats(struct bus_grant_stats *out)
{
	BUS_GUARD();
	*out = gst;
}
