/*
 * as.c - the mm service's address spaces (the "mm.as.*" requests of
 * aegis/mm.h), on the HAL's page tables.
 *
 * mm keeps, per address space, its root table and a small list of
 * regions (va, pages, prot): what it mapped, so that unmapping and
 * destroying give every page back. Page tables and mapped pages both come
 * straight from mm's own buddy allocator (this runs inside mm's handler:
 * it cannot ask itself over the bus).
 *
 * Every request is checked completely before anything changes (STYLE:
 * validate, then act); the one step that can still fail midway, mapping
 * when memory runs out, undoes what it did.
 *
 * Copy-on-write (fork): mm.as.clone gives the new space the same frames,
 * each one more holder (buddy_share), and maps every page of a writable
 * mapping HAL_PROT_COW (read-only to the MMU) in both spaces. A write
 * there faults; the kernel asks mm.as.fault, which copies the frame into
 * a new one for the writer, or, when the writer is its last holder, just
 * makes it writable. The mark is exact: a page is COW only in a writable
 * mapping, and a shared frame is never writable anywhere (protect keeps
 * it COW; the kernel's own writes into user pages break it first). A
 * frame goes back to the buddy when its last holder unmaps it
 * (buddy_put).
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/hal.h>
#include <aegis/smp.h>
#include <aegis/topics.h>
#include "mm_core.h"

struct region {
	uint64_t va;
	uint64_t pages;
	uint32_t prot;
	bool shared;	/* MM_PROT_SHARED: a fork shares it, writable */
};

struct space {
	bool used;
	uint64_t root;
	uint32_t nreg;
	struct region reg[MM_AS_REGIONS];
};

static struct space spaces[MM_AS_MAX];

/* ---- pages for tables and mappings: mm's own buddy ------------------ */

static uint64_t frame_alloc(void *ctx)
{
	struct mm_state *m = ctx;
	int64_t pfn = buddy_alloc(&m->b, 0);

	return pfn < 0 ? 0 : (uint64_t)pfn << PAGE_SHIFT;
}

static void frame_free(void *ctx, uint64_t pa)
{
	struct mm_state *m = ctx;

	buddy_free(&m->b, pa >> PAGE_SHIFT, 0);
}

static struct HalPageAlloc ops(struct mm_state *m)
{
	struct HalPageAlloc a = { frame_alloc, frame_free, m };

	return a;
}

/* ---- checks ---------------------------------------------------------- */

static struct space *space_of(uint32_t id)
{
	if (id == 0 || id > MM_AS_MAX || !spaces[id - 1].used)
		return NULL;
	return &spaces[id - 1];
}

/* A page-aligned, non-empty range inside the user range. */
static int check_range(uint64_t va, uint64_t len)
{
	struct HalRange r = hal_mmu_user_range();

	if (!len || (va | len) & (MM_PAGE_SIZE - 1))
		return -AE_EINVAL;
	if (va < r.lo || va > r.hi || len > r.hi - va)
		return -AE_EFAULT;
	return 0;
}

/* Readable, or a user page nobody may touch (HAL_PROT_USER alone:
 * PROT_NONE, its frame kept); only known bits, and never writable and
 * executable at once (W^X): no caller, the kernel's loader included,
 * gets such a page. */
static int check_prot(uint32_t prot)
{
	uint32_t ok = HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_EXEC |
		      HAL_PROT_USER;
	uint32_t wx = HAL_PROT_WRITE | HAL_PROT_EXEC;

	if ((prot & ~ok) || (prot & wx) == wx ||
	    (!(prot & HAL_PROT_READ) && prot != HAL_PROT_USER))
		return -AE_EINVAL;
	return 0;
}

/* The region holding [va, va + len) whole, or -1. */
static int region_of(const struct space *s, uint64_t va, uint64_t len)
{
	for (uint32_t i = 0; i < s->nreg; i++) {
		const struct region *g = &s->reg[i];
		uint64_t end = g->va + g->pages * MM_PAGE_SIZE;

		if (va >= g->va && va < end && len <= end - va)
			return (int)i;
	}
	return -1;
}

static bool overlaps(const struct space *s, uint64_t va, uint64_t len)
{
	for (uint32_t i = 0; i < s->nreg; i++) {
		const struct region *g = &s->reg[i];

		if (va < g->va + g->pages * MM_PAGE_SIZE && g->va < va + len)
			return true;
	}
	return false;
}

/* A writable mapping's protection for a page whose frame is shared. */
static uint32_t cow_prot(uint32_t prot)
{
	return (prot & HAL_PROT_WRITE) ?
	       (prot & ~HAL_PROT_WRITE) | HAL_PROT_COW : prot;
}

/* ---- acts ------------------------------------------------------------ */

/* Unmap n pages from va and give their frames back, RELEASE_BATCH at a
 * time: a frame goes back only after every CPU that may have cached its
 * translation has dropped it (smp_tlb_shootdown), or another CPU could
 * still write into a page that has become someone else's. */
#define RELEASE_BATCH 64
static void release(struct mm_state *m, struct space *s, uint64_t va,
		    uint64_t n)
{
	struct HalPageAlloc a = ops(m);
	uint64_t pa[RELEASE_BATCH];

	for (uint64_t k = 0; k < n; k += RELEASE_BATCH) {
		uint64_t b = n - k < RELEASE_BATCH ? n - k : RELEASE_BATCH;
		unsigned int got = 0;

		for (uint64_t j = 0; j < b; j++)
			if (hal_mmu_unmap(s->root, va + (k + j) * MM_PAGE_SIZE,
					  &pa[got], &a) == 0)
				got++;
		if (!got)
			continue;
		smp_tlb_shootdown(s->root, va + k * MM_PAGE_SIZE,
				  b * MM_PAGE_SIZE);
		/* one holder less: a shared frame stays with the others */
		for (unsigned int j = 0; j < got; j++)
			buddy_put(&m->b, pa[j] >> PAGE_SHIFT);
	}
}

static int do_create(struct mm_state *m, struct bus_msg *reply)
{
	struct HalPageAlloc a = ops(m);
	struct mm_as_rep rep;
	int64_t root;

	for (uint32_t i = 0; i < MM_AS_MAX; i++) {
		if (spaces[i].used)
			continue;
		root = hal_mmu_create(&a);
		if (root < 0)
			return (int)root;
		memset(&spaces[i], 0, sizeof(spaces[i]));
		spaces[i].used = true;
		spaces[i].root = (uint64_t)root;
		rep.id = i + 1;
		rep.pad = 0;
		rep.root = (uint64_t)root;
		memcpy(reply->data, &rep, sizeof(rep));
		reply->len = sizeof(rep);
		return 0;
	}
	return -AE_ENOSPC;
}

static int do_map(struct mm_state *m, struct space *s,
		  const struct mm_as_req *q)
{
	struct HalPageAlloc a = ops(m);
	uint64_t n = q->len / MM_PAGE_SIZE, k;
	bool shared = q->prot & MM_PROT_SHARED;
	uint32_t prot = q->prot & ~MM_PROT_SHARED;
	int rc = check_range(q->va, q->len), join = -1;

	if (!rc)
		rc = check_prot(prot);
	if (rc)
		return rc;
	if (overlaps(s, q->va, q->len))
		return -AE_EEXIST;
	/* a mapping right after (or before) one of the same protection
	 * extends it: a heap that grows a piece at a time stays one */
	for (k = 0; k < s->nreg && join < 0; k++)
		if (s->reg[k].prot == prot && s->reg[k].shared == shared &&
		    (s->reg[k].va + s->reg[k].pages * MM_PAGE_SIZE == q->va ||
		     q->va + q->len == s->reg[k].va))
			join = (int)k;
	if (join < 0 && s->nreg == MM_AS_REGIONS)
		return -AE_ENOSPC;
	if (n > m->b.free_frames)
		return -AE_ENOMEM;
	for (k = 0; k < n; k++) {
		int64_t pfn = buddy_alloc(&m->b, 0);
		uint64_t pa;

		if (pfn < 0) {
			rc = -AE_ENOMEM;
			break;
		}
		pa = (uint64_t)pfn << PAGE_SHIFT;
		memset((void *)(uintptr_t)(pa + m->va_offset), 0,
		       MM_PAGE_SIZE);
		rc = hal_mmu_map(s->root, q->va + k * MM_PAGE_SIZE, pa,
				 MM_PAGE_SIZE, prot, &a);
		if (rc) {
			buddy_free(&m->b, (uint64_t)pfn, 0);
			break;
		}
	}
	if (rc) {
		release(m, s, q->va, k);
		return rc;
	}
	if (join >= 0) {
		if (q->va < s->reg[join].va)
			s->reg[join].va = q->va;
		s->reg[join].pages += n;
		return 0;
	}
	s->reg[s->nreg].va = q->va;
	s->reg[s->nreg].pages = n;
	s->reg[s->nreg].prot = prot;
	s->reg[s->nreg].shared = shared;
	s->nreg++;
	return 0;
}

/* Cut [va, va + len) out of region i: what is left before and after it
 * stays (the region splits when the cut is in its middle). The caller
 * checked that a slot is free for a split. */
static void cut_region(struct space *s, int i, uint64_t va, uint64_t len)
{
	struct region g = s->reg[i];
	uint64_t end = g.va + g.pages * MM_PAGE_SIZE;

	s->reg[i] = s->reg[--s->nreg];
	if (va > g.va) {
		s->reg[s->nreg] = g;
		s->reg[s->nreg].pages = (va - g.va) / MM_PAGE_SIZE;
		s->nreg++;
	}
	if (va + len < end) {
		s->reg[s->nreg] = g;
		s->reg[s->nreg].va = va + len;
		s->reg[s->nreg].pages = (end - va - len) / MM_PAGE_SIZE;
		s->nreg++;
	}
}

/* Slots a cut of region i needs beyond the one it frees. */
static bool room_to_cut(const struct space *s, int i, uint64_t va,
			uint64_t len, uint32_t extra)
{
	const struct region *g = &s->reg[i];
	uint32_t pieces = (va > g->va) +
			  (va + len < g->va + g->pages * MM_PAGE_SIZE) + extra;

	return s->nreg - 1 + pieces <= MM_AS_REGIONS;
}

static int do_unmap(struct mm_state *m, struct space *s,
		    const struct mm_as_req *q)
{
	int rc = check_range(q->va, q->len), i;

	if (rc)
		return rc;
	i = region_of(s, q->va, q->len);
	if (i < 0)
		return -AE_ENOENT;
	if (!room_to_cut(s, i, q->va, q->len, 0))
		return -AE_ENOSPC;
	release(m, s, q->va, q->len / MM_PAGE_SIZE);
	cut_region(s, i, q->va, q->len);
	return 0;
}

static int do_protect(struct mm_state *m, struct space *s,
		      const struct mm_as_req *q)
{
	struct HalPageAlloc a = ops(m);
	int rc = check_range(q->va, q->len), i;
	bool shared;

	if (!rc)
		rc = check_prot(q->prot);
	if (rc)
		return rc;
	i = region_of(s, q->va, q->len);
	if (i < 0)
		return -AE_ENOENT;
	if (!room_to_cut(s, i, q->va, q->len, 1))
		return -AE_ENOSPC;
	shared = s->reg[i].shared;
	if ((q->prot & HAL_PROT_WRITE) && !shared) {
		/* page by page: a frame another space holds stays
		 * copy-on-write, never writable */
		for (uint64_t va = q->va; va < q->va + q->len && !rc;
		     va += MM_PAGE_SIZE) {
			uint64_t pa;
			uint32_t now;

			rc = hal_mmu_query(s->root, va, &pa, &now, &a);
			if (!rc)
				rc = hal_mmu_protect(
					s->root, va, MM_PAGE_SIZE,
					buddy_shares(&m->b, pa >> PAGE_SHIFT) ?
					cow_prot(q->prot) : q->prot, &a);
		}
	} else {
		rc = hal_mmu_protect(s->root, q->va, q->len, q->prot, &a);
	}
	if (rc)
		return rc;
	smp_tlb_shootdown(s->root, q->va, q->len);
	cut_region(s, i, q->va, q->len);
	s->reg[s->nreg].va = q->va;
	s->reg[s->nreg].pages = q->len / MM_PAGE_SIZE;
	s->reg[s->nreg].prot = q->prot;
	s->reg[s->nreg].shared = shared;
	s->nreg++;
	return 0;
}

static int do_query(struct mm_state *m, struct space *s,
		    const struct mm_as_req *q, struct bus_msg *reply)
{
	struct HalPageAlloc a = ops(m);
	struct mm_page_rep rep;
	uint32_t prot;
	int rc;

	rc = hal_mmu_query(s->root, q->va, &rep.pa, &prot, &a);
	if (rc)
		return rc;
	rep.va = prot;
	memcpy(reply->data, &rep, sizeof(rep));
	reply->len = sizeof(rep);
	return 0;
}

static int do_destroy(struct mm_state *m, struct space *s)
{
	struct HalPageAlloc a = ops(m);
	uint64_t active = hal_mmu_activate(0);

	if (active == s->root)
		return -AE_EBUSY;
	/* nor on another CPU: its tables are walked there */
	for (uint32_t i = 0; i < HAL_CPUS_MAX; i++)
		if (hal_mmu_active(i) == s->root)
			return -AE_EBUSY;
	for (uint32_t i = 0; i < s->nreg; i++)
		release(m, s, s->reg[i].va, s->reg[i].pages);
	s->nreg = 0;
	hal_mmu_destroy(s->root, &a);
	s->used = false;
	return 0;
}

/* A new space with the pages of s, mapped alike (fork), copy-on-write.
 * The parent's writable mappings are made copy-on-write first, and every
 * CPU told (a thread of it may run elsewhere): from then on a write there
 * faults, and mm.as.fault, which runs after this request, finds the frame
 * shared. Then each frame gets one more holder and goes into the child.
 * Only page tables are allocated. */
static int do_clone(struct mm_state *m, struct space *s,
		    struct bus_msg *reply)
{
	struct HalPageAlloc a = ops(m);
	struct mm_as_rep rep;
	struct space *d;
	int rc;

	for (uint32_t i = 0; i < s->nreg; i++) {
		const struct region *g = &s->reg[i];
		uint64_t len = g->pages * MM_PAGE_SIZE;

		if (!(g->prot & HAL_PROT_WRITE) || g->shared)
			continue;
		rc = hal_mmu_protect(s->root, g->va, len, cow_prot(g->prot), &a);
		if (rc)
			return rc;	/* (a region is mapped whole) */
		smp_tlb_shootdown(s->root, g->va, len);
	}
	rc = do_create(m, reply);
	if (rc)
		return rc;
	memcpy(&rep, reply->data, sizeof(rep));
	d = space_of(rep.id);
	for (uint32_t i = 0; i < s->nreg && !rc; i++) {
		const struct region *g = &s->reg[i];
		uint32_t prot = g->shared ? g->prot : cow_prot(g->prot);
		uint64_t k, done = 0;

		for (k = 0; k < g->pages && !rc; k++) {
			uint64_t va = g->va + k * MM_PAGE_SIZE, pa;
			uint32_t now;

			rc = hal_mmu_query(s->root, va, &pa, &now, &a);
			if (rc)
				break;
			pa &= ~(MM_PAGE_SIZE - 1);
			rc = buddy_share(&m->b, pa >> PAGE_SHIFT);
			if (rc)
				break;	/* (65536 holders: -EOVERFLOW) */
			rc = hal_mmu_map(d->root, va, pa, MM_PAGE_SIZE, prot, &a);
			if (rc)
				buddy_put(&m->b, pa >> PAGE_SHIFT);
			else
				done++;
		}
		/* what is mapped of this region so far is the new space's
		 * (do_destroy gives it back on a failure) */
		if (done) {
			d->reg[d->nreg] = *g;
			d->reg[d->nreg].pages = done;
			d->nreg++;
		}
	}
	if (rc) {
		do_destroy(m, d);
		reply->len = 0;
	}
	return rc;
}

/* A fault at q->va wanting q->prot (READ, WRITE, EXEC): 0 when the page
 * allows it now (another CPU was first, or a copy was being put in
 * place), or when it was a write to a copy-on-write page, broken here;
 * -EFAULT when the mapping does not allow it: a real fault. The old
 * frame has other holders while it is copied, so it is never freed
 * under a CPU still using it; the new one is in place, writable, before
 * any CPU is told to drop the old translation. */
static int do_fault(struct mm_state *m, struct space *s,
		    const struct mm_as_req *q)
{
	struct HalPageAlloc a = ops(m);
	uint32_t want = q->prot, now;
	uint64_t va = q->va, pa, npa;
	const struct region *g;
	int64_t pfn;
	int i, rc;

	if (!want || want & ~(HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_EXEC))
		return -AE_EINVAL;
	if (check_range(va, MM_PAGE_SIZE))
		return -AE_EFAULT;
	i = region_of(s, va, MM_PAGE_SIZE);
	if (i < 0)
		return -AE_EFAULT;
	g = &s->reg[i];
	if ((g->prot & want) != want)
		return -AE_EFAULT;
	if (hal_mmu_query(s->root, va, &pa, &now, &a))
		return -AE_EFAULT;
	if ((now & want) == want)
		return 0;
	if (!(want & HAL_PROT_WRITE) || !(now & HAL_PROT_COW))
		return -AE_EFAULT;
	pa &= ~(MM_PAGE_SIZE - 1);
	if (buddy_shares(&m->b, pa >> PAGE_SHIFT) == 0) {
		/* the last holder: the frame is its own now */
		rc = hal_mmu_protect(s->root, va, MM_PAGE_SIZE, g->prot, &a);
		if (rc)
			return rc;
		m->cow_reuses++;
		return 0;
	}
	pfn = buddy_alloc(&m->b, 0);
	if (pfn < 0) {
		m->exhausted++;
		return -AE_ENOMEM;
	}
	npa = (uint64_t)pfn << PAGE_SHIFT;
	memcpy((void *)(uintptr_t)(npa + m->va_offset),
	       (const void *)(uintptr_t)(pa + m->va_offset), MM_PAGE_SIZE);
	/* unmapped for a moment (AArch64's break-before-make): a thread
	 * that faults meanwhile asks mm.as.fault, which runs after this */
	rc = hal_mmu_unmap(s->root, va, NULL, &a);
	if (!rc)
		rc = hal_mmu_map(s->root, va, npa, MM_PAGE_SIZE, g->prot, &a);
	if (rc) {
		/* (the tables are there: it cannot fail) the old frame back */
		(void)hal_mmu_map(s->root, va, pa, MM_PAGE_SIZE,
				  cow_prot(g->prot), &a);
		buddy_free(&m->b, (uint64_t)pfn, 0);
		return rc;
	}
	smp_tlb_shootdown(s->root, va, MM_PAGE_SIZE);
	buddy_put(&m->b, pa >> PAGE_SHIFT);	/* others hold it still */
	m->cow_copies++;
	m->allocs++;
	return 0;
}

/* The first mapping that ends above q->va: the one holding it, or the
 * next above it (the regions are kept in no order: MM_AS_REGIONS at
 * most). */
static int do_next(const struct space *s, const struct mm_as_req *q,
		   struct bus_msg *reply)
{
	struct mm_as_region r;
	int best = -1;

	for (uint32_t i = 0; i < s->nreg; i++)
		if (s->reg[i].va + s->reg[i].pages * MM_PAGE_SIZE > q->va &&
		    (best < 0 || s->reg[i].va < s->reg[best].va))
			best = (int)i;
	if (best < 0)
		return -AE_ENOENT;
	memset(&r, 0, sizeof(r));
	r.va = s->reg[best].va;
	r.len = s->reg[best].pages * MM_PAGE_SIZE;
	r.prot = s->reg[best].prot;
	r.shared = s->reg[best].shared;
	memcpy(reply->data, &r, sizeof(r));
	reply->len = sizeof(r);
	return 0;
}

int mm_as_handle(struct mm_state *m, const struct bus_msg *msg,
		 struct bus_msg *reply)
{
	struct mm_as_req q;
	struct space *s;
	int rc;

	if (msg->topic == TOPIC_MM_AS_CREATE)
		return do_create(m, reply);
	if (msg->topic != TOPIC_MM_AS_MAP && msg->topic != TOPIC_MM_AS_UNMAP &&
	    msg->topic != TOPIC_MM_AS_PROTECT &&
	    msg->topic != TOPIC_MM_AS_QUERY &&
	    msg->topic != TOPIC_MM_AS_NEXT &&
	    msg->topic != TOPIC_MM_AS_DESTROY &&
	    msg->topic != TOPIC_MM_AS_CLONE &&
	    msg->topic != TOPIC_MM_AS_FAULT)
		return -AE_ENOSYS;
	if (msg->len != sizeof(q))
		return -AE_EINVAL;
	memcpy(&q, msg->data, sizeof(q));
	s = space_of(q.id);
	if (!s)
		return -AE_EINVAL;
	if (msg->topic == TOPIC_MM_AS_MAP)
		rc = do_map(m, s, &q);
	else if (msg->topic == TOPIC_MM_AS_UNMAP)
		rc = do_unmap(m, s, &q);
	else if (msg->topic == TOPIC_MM_AS_PROTECT)
		rc = do_protect(m, s, &q);
	else if (msg->topic == TOPIC_MM_AS_QUERY)
		rc = do_query(m, s, &q, reply);
	else if (msg->topic == TOPIC_MM_AS_NEXT)
		rc = do_next(s, &q, reply);
	else if (msg->topic == TOPIC_MM_AS_CLONE)
		rc = do_clone(m, s, reply);
	else if (msg->topic == TOPIC_MM_AS_FAULT)
		rc = do_fault(m, s, &q);
	else
		rc = do_destroy(m, s);
	mm_core_watch(m);
	return rc;
}
