/*
 * mm_client.c - the client side of the mm service's requests (see
 * aegis/mm.h): a library, so callers never touch mm's functions or data,
 * only its messages.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/slab.h>
#include <aegis/mm.h>

/* The topics, interned on first use (the page calls are on kmalloc's
 * refill path). */
enum { T_ALLOC, T_FREE, T_STATS, T_CREATE, T_MAP, T_UNMAP, T_PROTECT,
       T_QUERY, T_DESTROY, NTOPICS };
static const char *const names[NTOPICS] = {
	"mm.page.alloc", "mm.page.free", "mm.stats", "mm.as.create",
	"mm.as.map", "mm.as.unmap", "mm.as.protect", "mm.as.query",
	"mm.as.destroy",
};
static int topics[NTOPICS];
static bool interned;

/* One request to mm: the reply's payload, when out is given, must be
 * exactly outlen bytes. 0, the request's error, -EBADMSG for a reply of
 * the wrong size, or -ENOENT / -ENOSPC when mm or the topic is not
 * there. */
static int call(unsigned int topic, const void *req, size_t len, void *out,
		size_t outlen)
{
	int id = bus_svc_find("mm"), t, rc;
	struct bus_msg reply;

	/* a bus reset (tests) renumbers topics: check the cached id */
	if (!interned || topics[topic] < 0 ||
	    strcmp(bus_topic_name((bus_topic_t)topics[topic]),
		   names[topic]) != 0) {
		for (unsigned int i = 0; i < NTOPICS; i++)
			topics[i] = bus_topic(names[i]);
		interned = true;
	}
	t = topics[topic];

	if (id < 0)
		return id;
	if (t < 0)
		return t;
	rc = bus_call((bus_svc_t)id, (bus_topic_t)t, req, len, &reply);
	if (rc || !out)
		return rc;
	if (reply.len != outlen)
		return -AE_EBADMSG;
	memcpy(out, reply.data, outlen);
	return 0;
}

int mm_page_alloc(unsigned int order, uint64_t *pa, void **va)
{
	struct mm_page_req req = { order, 0, 0 };
	struct mm_page_rep rep;
	int rc = call(T_ALLOC, &req, sizeof(req), &rep, sizeof(rep));

	if (rc)
		return rc;
	if (pa)
		*pa = rep.pa;
	if (va)
		*va = (void *)(uintptr_t)rep.va;
	return 0;
}

int mm_page_free(uint64_t pa, unsigned int order)
{
	struct mm_page_req req = { order, 0, pa };

	return call(T_FREE, &req, sizeof(req), NULL, 0);
}

int mm_get_stats(struct mm_stats *out)
{
	return call(T_STATS, NULL, 0, out, sizeof(*out));
}

/* kmalloc's pages. The direct map is linear, so the offset between a
 * block's va and pa (learnt from mm's replies) turns the address the slab
 * layer gives back into the pa mm wants. */
static uint64_t va_minus_pa;

static void *backend_get(unsigned int order, void *ctx)
{
	uint64_t pa;
	void *va;

	(void)ctx;
	if (mm_page_alloc(order, &pa, &va))
		return NULL;
	va_minus_pa = (uint64_t)(uintptr_t)va - pa;
	return va;
}

static void backend_put(void *va, unsigned int order, void *ctx)
{
	(void)ctx;
	mm_page_free((uint64_t)(uintptr_t)va - va_minus_pa, order);
}

const struct slab_backend mm_backend = { backend_get, backend_put, NULL };

/* ---- address spaces -------------------------------------------------- */

int mm_as_create(uint32_t *id, uint64_t *root)
{
	struct mm_as_rep rep;
	int rc = call(T_CREATE, NULL, 0, &rep, sizeof(rep));

	if (rc)
		return rc;
	if (id)
		*id = rep.id;
	if (root)
		*root = rep.root;
	return 0;
}

static int as_req(unsigned int topic, uint32_t id, uint64_t va, uint64_t len,
		  uint32_t prot)
{
	struct mm_as_req req = { id, prot, va, len };

	return call(topic, &req, sizeof(req), NULL, 0);
}

int mm_as_map(uint32_t id, uint64_t va, uint64_t len, uint32_t prot)
{
	return as_req(T_MAP, id, va, len, prot);
}

int mm_as_unmap(uint32_t id, uint64_t va, uint64_t len)
{
	return as_req(T_UNMAP, id, va, len, 0);
}

int mm_as_protect(uint32_t id, uint64_t va, uint64_t len, uint32_t prot)
{
	return as_req(T_PROTECT, id, va, len, prot);
}

int mm_as_query(uint32_t id, uint64_t va, uint64_t *pa, uint32_t *prot)
{
	struct mm_as_req req = { id, 0, va, 0 };
	struct mm_page_rep rep;
	int rc = call(T_QUERY, &req, sizeof(req), &rep, sizeof(rep));

	if (rc)
		return rc;
	if (pa)
		*pa = rep.pa;
	if (prot)
		*prot = (uint32_t)rep.va;
	return 0;
}

int mm_as_destroy(uint32_t id)
{
	return as_req(T_DESTROY, id, 0, 0, 0);
}
