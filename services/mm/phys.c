/*
 * phys.c - the plan of physical memory (see phys.h).
 *
 * The free ranges are kept sorted and disjoint; every cut (a non-usable
 * region, a reservation, the metadata) subtracts one range from all of
 * them, splitting a range in two at most.
 */
#include <string.h>
#include <aegis/errno.h>
#include "phys.h"

#define PAGE_MASK	(PAGE_SIZE - 1)

static uint64_t up(uint64_t x)
{
	return x > UINT64_MAX - PAGE_MASK ? UINT64_MAX & ~PAGE_MASK
					  : (x + PAGE_MASK) & ~PAGE_MASK;
}

static uint64_t down(uint64_t x)
{
	return x & ~PAGE_MASK;
}

/* Insert [base, end) keeping the list sorted and merging overlaps. */
static int add(struct phys_plan *p, uint64_t base, uint64_t end)
{
	unsigned int i = 0, j;

	if (base >= end)
		return 0;
	while (i < p->nfree && p->free[i].end < base)
		i++;
	/* merge every range that overlaps or touches [base, end) */
	j = i;
	while (j < p->nfree && p->free[j].base <= end) {
		if (p->free[j].base < base)
			base = p->free[j].base;
		if (p->free[j].end > end)
			end = p->free[j].end;
		j++;
	}
	if (j == i) {
		if (p->nfree == PHYS_RANGES_MAX)
			return -AE_E2BIG;
		memmove(&p->free[i + 1], &p->free[i],
			(p->nfree - i) * sizeof(p->free[0]));
		p->nfree++;
	} else if (j > i + 1) {
		memmove(&p->free[i + 1], &p->free[j],
			(p->nfree - j) * sizeof(p->free[0]));
		p->nfree -= j - i - 1;
	}
	p->free[i].base = base;
	p->free[i].end = end;
	return 0;
}

/* Take [base, end) out of every free range; returns the bytes taken. */
static int cut(struct phys_plan *p, uint64_t base, uint64_t end,
	       uint64_t *taken)
{
	*taken = 0;
	for (unsigned int i = 0; i < p->nfree; i++) {
		struct phys_range *r = &p->free[i];
		uint64_t lo = r->base > base ? r->base : base;
		uint64_t hi = r->end < end ? r->end : end;

		if (lo >= hi)
			continue;
		*taken += hi - lo;
		if (lo == r->base && hi == r->end) {
			memmove(r, r + 1,
				(p->nfree - i - 1) * sizeof(p->free[0]));
			p->nfree--;
			i--;
		} else if (lo == r->base) {
			r->base = hi;
		} else if (hi == r->end) {
			r->end = lo;
		} else {
			if (p->nfree == PHYS_RANGES_MAX)
				return -AE_E2BIG;
			memmove(r + 2, r + 1,
				(p->nfree - i - 1) * sizeof(p->free[0]));
			p->nfree++;
			r[1].base = hi;
			r[1].end = r->end;
			r->end = lo;
			i++;
		}
	}
	return 0;
}

int phys_plan(struct phys_plan *p, const struct boot_info *bi,
	      const struct phys_range *reserved, unsigned int n,
	      uint64_t limit, const char **why)
{
	uint64_t taken, first, last, frames;
	bool found;

	memset(p, 0, sizeof(*p));
	limit = down(limit);
	for (uint32_t i = 0; i < bi->nmem && i < BOOT_MEM_MAX; i++) {
		const struct boot_mem_region *m = &bi->mem[i];
		uint64_t end = m->len > UINT64_MAX - m->base ? UINT64_MAX
							      : m->base + m->len;
		uint64_t base = up(m->base);

		if (m->type != BOOT_MEM_USABLE)
			continue;
		end = down(end);
		if (base >= end)
			continue;
		p->usable_bytes += end - base;
		if (end > limit) {
			p->clipped_bytes += end - (base > limit ? base : limit);
			end = limit;
		}
		if (add(p, base, end)) {
			*why = "memory map in more pieces than the plan holds";
			return -AE_E2BIG;
		}
	}
	/* Whatever the map also calls something else is not usable. */
	for (uint32_t i = 0; i < bi->nmem && i < BOOT_MEM_MAX; i++) {
		const struct boot_mem_region *m = &bi->mem[i];
		uint64_t end = m->len > UINT64_MAX - m->base ? UINT64_MAX
							      : m->base + m->len;

		if (m->type == BOOT_MEM_USABLE)
			continue;
		if (cut(p, down(m->base), up(end), &taken)) {
			*why = "memory map in more pieces than the plan holds";
			return -AE_E2BIG;
		}
		p->reserved_bytes += taken;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (cut(p, down(reserved[i].base), up(reserved[i].end),
			&taken)) {
			*why = "reservations split memory into too many pieces";
			return -AE_E2BIG;
		}
		p->reserved_bytes += taken;
	}
	if (!p->nfree) {
		*why = "no usable memory left after the reservations";
		return -AE_ENOMEM;
	}
	first = (p->free[0].base >> PAGE_SHIFT) &
		~((1ull << BUDDY_MAX_ORDER) - 1);
	last = p->free[p->nfree - 1].end >> PAGE_SHIFT;
	frames = last - first;
	if (frames >= BUDDY_NIL) {
		*why = "more frames than the buddy allocator describes";
		return -AE_E2BIG;
	}
	p->base_pfn = first;
	p->nframes = (uint32_t)frames;
	p->meta_bytes = up(frames * sizeof(struct buddy_frame));
	found = false;
	for (unsigned int i = 0; i < p->nfree && !found; i++) {
		if (p->free[i].end - p->free[i].base >= p->meta_bytes) {
			p->meta_pa = p->free[i].base;
			found = true;
		}
	}
	if (!found || cut(p, p->meta_pa, p->meta_pa + p->meta_bytes, &taken)) {
		*why = "no free range large enough for the frame metadata";
		return -AE_ENOMEM;
	}
	p->reserved_bytes += taken;
	if (!p->nfree) {
		*why = "no usable memory left after the frame metadata";
		return -AE_ENOMEM;
	}
	return 0;
}
