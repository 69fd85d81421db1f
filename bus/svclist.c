/*
 * svclist.c - sorted sets of service ids that grow: a topic's
 * subscribers, the servers of a contracted topic.
 *
 * Up to SVC_LIST_INLINE ids live in the set itself; beyond that in a
 * block from bus_alloc that doubles as it fills. Ascending order makes
 * membership a binary search and delivery order the order of ids.
 */
#include <string.h>
#include <aegis/errno.h>
#include "bus_internal.h"

static bus_svc_t *ids_of(struct svc_list *l)
{
	return l->ext ? l->ext : l->inl;
}

/* The position of s, or where it would go. */
static unsigned int where(const bus_svc_t *ids, unsigned int n, bus_svc_t s)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (ids[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool svc_list_has(const struct svc_list *l, bus_svc_t s)
{
	const bus_svc_t *ids = svc_list_ids(l);
	unsigned int i = where(ids, l->n, s);

	return i < l->n && ids[i] == s;
}

int svc_list_add(struct svc_list *l, bus_svc_t s)
{
	bus_svc_t *ids = ids_of(l);
	unsigned int i = where(ids, l->n, s);
	unsigned int cap = l->ext ? l->cap : SVC_LIST_INLINE;

	if (i < l->n && ids[i] == s)
		return 0;
	if (l->n == cap) {
		unsigned int ncap = cap < 8 ? 8 : cap * 2;
		bus_svc_t *grown;

		if (ncap > 0xffff)
			return -AE_ENOMEM;
		grown = bus_alloc(ncap * sizeof(bus_svc_t));
		if (!grown)
			return -AE_ENOMEM;
		memcpy(grown, ids, l->n * sizeof(bus_svc_t));
		if (l->ext)
			bus_free(l->ext, l->cap * sizeof(bus_svc_t));
		l->ext = grown;
		l->cap = (uint16_t)ncap;
		ids = grown;
	}
	memmove(&ids[i + 1], &ids[i], (l->n - i) * sizeof(bus_svc_t));
	ids[i] = s;
	l->n++;
	return 0;
}

void svc_list_del(struct svc_list *l, bus_svc_t s)
{
	bus_svc_t *ids = ids_of(l);
	unsigned int i = where(ids, l->n, s);

	if (i >= l->n || ids[i] != s)
		return;
	memmove(&ids[i], &ids[i + 1], (l->n - i - 1) * sizeof(bus_svc_t));
	l->n--;
	/* back inside when it fits again: memory follows use down too */
	if (l->ext && l->n <= SVC_LIST_INLINE) {
		bus_svc_t *ext = l->ext;

		memcpy(l->inl, ext, l->n * sizeof(bus_svc_t));
		bus_free(ext, l->cap * sizeof(bus_svc_t));
		l->ext = NULL;
		l->cap = 0;
	}
}

void svc_list_clear(struct svc_list *l)
{
	if (l->ext)
		bus_free(l->ext, l->cap * sizeof(bus_svc_t));
	memset(l, 0, sizeof(*l));
}
