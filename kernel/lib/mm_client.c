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

/* Topics and the service id, looked up on first use; the service id is
 * looked up again if it changes (a restarted mm keeps its name). */
static int t_alloc = -1, t_free = -1, t_stats = -1;

static int mm_id(void)
{
	if (t_alloc < 0) {
		t_alloc = bus_topic("mm.page.alloc");
		t_free = bus_topic("mm.page.free");
		t_stats = bus_topic("mm.stats");
		if (t_alloc < 0 || t_free < 0 || t_stats < 0) {
			t_alloc = -1;
			return -AE_ENOSPC;
		}
	}
	return bus_svc_find("mm");
}

int mm_page_alloc(unsigned int order, uint64_t *pa, void **va)
{
	struct mm_page_req req = { order, 0, 0 };
	struct mm_page_rep rep;
	struct bus_msg reply;
	int id = mm_id(), rc;

	if (id < 0)
		return id;
	rc = bus_call((bus_svc_t)id, (bus_topic_t)t_alloc, &req, sizeof(req),
		      &reply);
	if (rc)
		return rc;
	if (reply.len != sizeof(rep))
		return -AE_EBADMSG;
	memcpy(&rep, reply.data, sizeof(rep));
	if (pa)
		*pa = rep.pa;
	if (va)
		*va = (void *)(uintptr_t)rep.va;
	return 0;
}

int mm_page_free(uint64_t pa, unsigned int order)
{
	struct mm_page_req req = { order, 0, pa };
	struct bus_msg reply;
	int id = mm_id();

	if (id < 0)
		return id;
	return bus_call((bus_svc_t)id, (bus_topic_t)t_free, &req, sizeof(req),
			&reply);
}

int mm_get_stats(struct mm_stats *out)
{
	struct bus_msg reply;
	int id = mm_id(), rc;

	if (id < 0)
		return id;
	rc = bus_call((bus_svc_t)id, (bus_topic_t)t_stats, NULL, 0, &reply);
	if (rc)
		return rc;
	if (reply.len != sizeof(*out))
		return -AE_EBADMSG;
	memcpy(out, reply.data, sizeof(*out));
	return 0;
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

static int as_call(const char *topic, const struct mm_as_req *req,
		   struct bus_msg *reply)
{
	int id = mm_id(), t = bus_topic(topic);

	if (id < 0)
		return id;
	if (t < 0)
		return t;
	return bus_call((bus_svc_t)id, (bus_topic_t)t, req,
			req ? sizeof(*req) : 0, reply);
}

int mm_as_create(uint32_t *id, uint64_t *root)
{
	struct bus_msg reply;
	struct mm_as_rep rep;
	int rc = as_call("mm.as.create", NULL, &reply);

	if (rc)
		return rc;
	if (reply.len != sizeof(rep))
		return -AE_EBADMSG;
	memcpy(&rep, reply.data, sizeof(rep));
	if (id)
		*id = rep.id;
	if (root)
		*root = rep.root;
	return 0;
}

int mm_as_map(uint32_t id, uint64_t va, uint64_t len, uint32_t prot)
{
	struct mm_as_req req = { id, prot, va, len };
	struct bus_msg reply;

	return as_call("mm.as.map", &req, &reply);
}

int mm_as_unmap(uint32_t id, uint64_t va, uint64_t len)
{
	struct mm_as_req req = { id, 0, va, len };
	struct bus_msg reply;

	return as_call("mm.as.unmap", &req, &reply);
}

int mm_as_protect(uint32_t id, uint64_t va, uint64_t len, uint32_t prot)
{
	struct mm_as_req req = { id, prot, va, len };
	struct bus_msg reply;

	return as_call("mm.as.protect", &req, &reply);
}

int mm_as_query(uint32_t id, uint64_t va, uint64_t *pa, uint32_t *prot)
{
	struct mm_as_req req = { id, 0, va, 0 };
	struct bus_msg reply;
	struct mm_page_rep rep;
	int rc = as_call("mm.as.query", &req, &reply);

	if (rc)
		return rc;
	if (reply.len != sizeof(rep))
		return -AE_EBADMSG;
	memcpy(&rep, reply.data, sizeof(rep));
	if (pa)
		*pa = rep.pa;
	if (prot)
		*prot = (uint32_t)rep.va;
	return 0;
}

int mm_as_destroy(uint32_t id)
{
	struct mm_as_req req = { id, 0, 0, 0 };
	struct bus_msg reply;

	return as_call("mm.as.destroy", &req, &reply);
}
