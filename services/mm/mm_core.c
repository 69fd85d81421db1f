/*
 * mm_core.c - the mm service's requests (see aegis/mm.h for the contract).
 *
 * Each request is validated first and then carried out by a buddy call
 * that either fully succeeds or changes nothing (STYLE: validate, then
 * act), so a refused request leaves no trace but its error and counters.
 */
#include <string.h>
#include <aegis/clients.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/topics.h>
#include "mm_core.h"

int mm_core_init(struct mm_state *m, const struct phys_plan *p,
		 void *meta_va, uint64_t va_offset, unsigned int low_percent,
		 mm_log_fn log)
{
	int rc;

	if (!m || !p || !meta_va || low_percent > 50)
		return -AE_EINVAL;
	memset(m, 0, sizeof(*m));
	rc = buddy_init(&m->b, p->base_pfn, p->nframes, meta_va);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < p->nfree; i++) {
		rc = buddy_free_range(&m->b, p->free[i].base >> PAGE_SHIFT,
				      (p->free[i].end - p->free[i].base) >>
					      PAGE_SHIFT);
		if (rc)
			return rc;
	}
	m->va_offset = va_offset;
	m->low_mark = m->b.managed_frames * low_percent / 100;
	m->log = log;
	return 0;
}

void mm_core_stats(const struct mm_state *m, struct mm_stats *out)
{
	int largest = buddy_largest(&m->b);

	out->managed_pages = m->b.managed_frames;
	out->free_pages = m->b.free_frames;
	out->low_mark = m->low_mark;
	out->largest_order = largest < 0 ? 0xffffffffu : (uint32_t)largest;
	out->exhausted = m->exhausted;
	out->allocs = m->allocs;

}

/* The watermark: one event per downward crossing; re-armed once free
 * memory is back above twice the mark. */
void mm_core_watch(struct mm_state *m)
{
	struct mm_stats st;

	if (!m->low_sent && m->b.free_frames < m->low_mark) {
		m->low_sent = true;
		mm_core_stats(m, &st);
		publish_mm_pages_low(&st);
	} else if (m->low_sent && m->b.free_frames > 2 * m->low_mark) {
		m->low_sent = false;
	}
}

static int do_alloc(struct mm_state *m, const struct mm_page_req *req,
		    struct bus_msg *reply)
{
	struct mm_page_rep rep;
	int64_t pfn;

	if (req->order > MM_MAX_ORDER)
		return -AE_EINVAL;
	pfn = buddy_alloc(&m->b, req->order);
	if (pfn < 0) {
		m->exhausted++;
		publish_mm_pages_exhausted(req);
		return (int)pfn;
	}
	m->allocs++;
	rep.pa = (uint64_t)pfn << PAGE_SHIFT;
	rep.va = rep.pa + m->va_offset;
	memcpy(reply->data, &rep, sizeof(rep));
	reply->len = sizeof(rep);
	mm_core_watch(m);
	return 0;
}

static int do_free(struct mm_state *m, const struct mm_page_req *req)
{
	char line[120];
	int rc;

	if ((req->pa & (MM_PAGE_SIZE - 1)) || req->order > MM_MAX_ORDER)
		rc = -AE_EINVAL;
	else
		rc = buddy_free(&m->b, req->pa >> PAGE_SHIFT, req->order);
	if (rc) {
		if (m->log) {
			ksnprintf(line, sizeof(line),
				  "mm: refused to free %#llx (order %u): not a "
				  "block mm handed out with that order",
				  (unsigned long long)req->pa, req->order);
			m->log(line);
		}
		return rc;
	}
	mm_core_watch(m);
	return 0;
}

int mm_core_handle(void *state, const struct bus_msg *msg,
		   struct bus_msg *reply)
{
	struct mm_state *m = state;
	struct mm_page_req req;

	if (msg->kind != BUS_REQUEST)
		return msg->kind == BUS_REPLY ? 0 : -AE_ENOSYS;
	if (msg->topic == TOPIC_MM_STATS) {
		struct mm_stats st;

		mm_core_stats(m, &st);
		memcpy(reply->data, &st, sizeof(st));
		reply->len = sizeof(st);
		return 0;
	}
	if (msg->topic == TOPIC_MM_COW) {
		struct mm_cow_stats c = { m->b.shared, m->cow_copies,
					  m->cow_reuses };

		memcpy(reply->data, &c, sizeof(c));
		reply->len = sizeof(c);
		return 0;
	}
	/* pages and address spaces by raw address or id: the kernel's
	 * only; a process maps through the gateway (sys_map), which names
	 * its own space */
	if (bus_svc_flags(msg->src) & BUS_SVC_F_USER)
		return -AE_EPERM;
	if (msg->topic != TOPIC_MM_PAGE_ALLOC &&
	    msg->topic != TOPIC_MM_PAGE_FREE)
		return m->as_handle ? m->as_handle(m, msg, reply)
				    : -AE_ENOSYS;
	if (msg->len != sizeof(req))
		return -AE_EINVAL;
	memcpy(&req, msg->data, sizeof(req));
	if (msg->topic == TOPIC_MM_PAGE_ALLOC)
		return do_alloc(m, &req, reply);
	return do_free(m, &req);
}
