/*
 * mm_client.c - the mm calls of aegis/mm.h over the typed requests that
 * tools/gen_contracts.py made from contracts/mm.def (aegis/clients.h): a
 * library, so callers never touch mm's functions or data, only its
 * messages. The bus checks each request and reply against the contract
 * (a reply of the wrong size is -EBADMSG); -ENODEV when mm is not there.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/errno.h>
#include <aegis/slab.h>
#include <aegis/mm.h>

int mm_page_alloc(unsigned int order, uint64_t *pa, void **va)
{
	struct mm_page_req req = { order, 0, 0 };
	struct mm_page_rep rep;
	int rc = call_mm_page_alloc(&req, &rep);

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

	return call_mm_page_free(&req);
}

int mm_get_stats(struct mm_stats *out)
{
	return call_mm_stats(out);
}

int mm_get_cow(struct mm_cow_stats *out)
{
	return call_mm_cow(out);
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
	int rc = call_mm_as_create(&rep);

	if (rc)
		return rc;
	if (id)
		*id = rep.id;
	if (root)
		*root = rep.root;
	return 0;
}

int mm_as_map(uint32_t id, uint64_t va, uint64_t len, uint32_t prot)
{
	struct mm_as_req req = { id, prot, va, len };

	return call_mm_as_map(&req);
}

int mm_as_unmap(uint32_t id, uint64_t va, uint64_t len)
{
	struct mm_as_req req = { id, 0, va, len };

	return call_mm_as_unmap(&req);
}

int mm_as_protect(uint32_t id, uint64_t va, uint64_t len, uint32_t prot)
{
	struct mm_as_req req = { id, prot, va, len };

	return call_mm_as_protect(&req);
}

int mm_as_query(uint32_t id, uint64_t va, uint64_t *pa, uint32_t *prot)
{
	struct mm_as_req req = { id, 0, va, 0 };
	struct mm_page_rep rep;
	int rc = call_mm_as_query(&req, &rep);

	if (rc)
		return rc;
	if (pa)
		*pa = rep.pa;
	if (prot)
		*prot = (uint32_t)rep.va;
	return 0;
}

int mm_as_clone(uint32_t src, uint32_t *id, uint64_t *root)
{
	struct mm_as_req req = { src, 0, 0, 0 };
	struct mm_as_rep rep;
	int rc = call_mm_as_clone(&req, &rep);

	if (rc)
		return rc;
	*id = rep.id;
	*root = rep.root;
	return 0;
}

int mm_as_fault(uint32_t id, uint64_t va, uint32_t access)
{
	struct mm_as_req req = { id, access, va, 0 };

	return call_mm_as_fault(&req);
}

int mm_as_next(uint32_t id, uint64_t va, struct mm_as_region *r)
{
	struct mm_as_req req = { id, 0, va, 0 };

	return call_mm_as_next(&req, r);
}

int mm_as_destroy(uint32_t id)
{
	struct mm_as_req req = { id, 0, 0, 0 };

	return call_mm_as_destroy(&req);
}
