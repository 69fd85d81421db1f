/*
 * buddy.c - the binary buddy frame allocator (see buddy.h).
 *
 * Indexes are frame numbers relative to base_pfn, which is aligned to the
 * largest block, so a block's buddy is index ^ (1 << order) both relative
 * and absolute. Free lists are doubly linked through the metadata, so a
 * buddy can be unlinked from the middle of its list in O(1).
 */
#include <aegis/errno.h>
#include "buddy.h"

static void push(struct buddy *b, uint32_t i, unsigned int order)
{
	struct buddy_frame *f = &b->f[i];

	f->state = BUDDY_FREE;
	f->order = (uint8_t)order;
	f->prev = BUDDY_NIL;
	f->next = b->head[order];
	if (f->next != BUDDY_NIL)
		b->f[f->next].prev = i;
	b->head[order] = i;
	b->nfree[order]++;
	b->free_frames += 1ull << order;
}

static void unlink_block(struct buddy *b, uint32_t i)
{
	struct buddy_frame *f = &b->f[i];
	unsigned int order = f->order;

	if (f->prev != BUDDY_NIL)
		b->f[f->prev].next = f->next;
	else
		b->head[order] = f->next;
	if (f->next != BUDDY_NIL)
		b->f[f->next].prev = f->prev;
	b->nfree[order]--;
	b->free_frames -= 1ull << order;
}

/* Mark the frames after a block's first as its tail. */
static void mark_tail(struct buddy *b, uint32_t i, unsigned int order,
		      uint8_t state)
{
	for (uint32_t k = 1; k < (1u << order); k++)
		b->f[i + k].state = state;
}

int buddy_init(struct buddy *b, uint64_t base_pfn, uint32_t nframes,
	       struct buddy_frame *meta)
{
	if (!b || !meta || !nframes || nframes == BUDDY_NIL ||
	    (base_pfn & ((1ull << BUDDY_MAX_ORDER) - 1)))
		return -AE_EINVAL;
	b->base_pfn = base_pfn;
	b->nframes = nframes;
	b->f = meta;
	for (unsigned int o = 0; o < BUDDY_ORDERS; o++) {
		b->head[o] = BUDDY_NIL;
		b->nfree[o] = 0;
	}
	b->free_frames = 0;
	b->managed_frames = 0;
	b->shared = 0;
	for (uint32_t i = 0; i < nframes; i++) {
		meta[i].next = meta[i].prev = BUDDY_NIL;
		meta[i].order = 0;
		meta[i].state = BUDDY_RESERVED;
		meta[i].shares = 0;
	}
	return 0;
}

/* Free the block at i of order, merging upwards while the buddy is a free
 * block of the same order. */
static void release(struct buddy *b, uint32_t i, unsigned int order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint32_t buddy = i ^ (1u << order);

		if (buddy >= b->nframes || b->f[buddy].state != BUDDY_FREE ||
		    b->f[buddy].order != order)
			break;
		unlink_block(b, buddy);
		b->f[buddy].state = BUDDY_TAIL;
		if (buddy < i) {
			b->f[i].state = BUDDY_TAIL;
			i = buddy;
		}
		order++;
	}
	push(b, i, order);
}

int buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count)
{
	uint64_t first, end;

	if (pfn < b->base_pfn || count > b->nframes ||
	    pfn - b->base_pfn > b->nframes - count)
		return -AE_EINVAL;
	first = pfn - b->base_pfn;
	end = first + count;
	for (uint64_t i = first; i < end; i++)
		if (b->f[i].state != BUDDY_RESERVED)
			return -AE_EINVAL;
	/* The largest aligned block that starts at i and fits. */
	for (uint64_t i = first; i < end;) {
		unsigned int order = 0;

		while (order < BUDDY_MAX_ORDER &&
		       !(i & ((2ull << order) - 1)) &&
		       i + (2ull << order) <= end)
			order++;
		mark_tail(b, (uint32_t)i, order, BUDDY_TAIL);
		release(b, (uint32_t)i, order);
		i += 1ull << order;
	}
	b->managed_frames += count;
	return 0;
}

int64_t buddy_alloc(struct buddy *b, unsigned int order)
{
	unsigned int o = order;
	uint32_t i;

	if (order > BUDDY_MAX_ORDER)
		return -AE_EINVAL;
	while (o <= BUDDY_MAX_ORDER && b->head[o] == BUDDY_NIL)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return -AE_ENOMEM;
	i = b->head[o];
	unlink_block(b, i);
	/* Split: keep the lower half, free the upper one, down to order. */
	while (o > order) {
		o--;
		push(b, i + (1u << o), o);
	}
	/* The frames after i were tails of the larger block already. */
	b->f[i].state = BUDDY_USED;
	b->f[i].order = (uint8_t)order;
	b->f[i].shares = 0;
	return (int64_t)(b->base_pfn + i);
}

int buddy_free(struct buddy *b, uint64_t pfn, unsigned int order)
{
	uint64_t i;

	if (order > BUDDY_MAX_ORDER || pfn < b->base_pfn ||
	    pfn - b->base_pfn >= b->nframes)
		return -AE_EINVAL;
	i = pfn - b->base_pfn;
	if (b->f[i].state != BUDDY_USED || b->f[i].order != order ||
	    b->f[i].shares)
		return -AE_EINVAL;
	release(b, (uint32_t)i, order);
	return 0;
}

/* The index of pfn when it is an allocated single frame, else -1. */
static int64_t single(const struct buddy *b, uint64_t pfn)
{
	uint64_t i;

	if (pfn < b->base_pfn || pfn - b->base_pfn >= b->nframes)
		return -1;
	i = pfn - b->base_pfn;
	if (b->f[i].state != BUDDY_USED || b->f[i].order != 0)
		return -1;
	return (int64_t)i;
}

int buddy_share(struct buddy *b, uint64_t pfn)
{
	int64_t i = single(b, pfn);

	if (i < 0)
		return -AE_EINVAL;
	if (b->f[i].shares == BUDDY_SHARES_MAX)
		return -AE_EOVERFLOW;
	b->f[i].shares++;
	b->shared++;
	return 0;
}

uint32_t buddy_shares(const struct buddy *b, uint64_t pfn)
{
	int64_t i = single(b, pfn);

	return i < 0 ? 0 : b->f[i].shares;
}

int buddy_put(struct buddy *b, uint64_t pfn)
{
	int64_t i = single(b, pfn);

	if (i < 0)
		return -AE_EINVAL;
	if (b->f[i].shares) {
		b->f[i].shares--;
		b->shared--;
		return 0;
	}
	release(b, (uint32_t)i, 0);
	return 1;
}

int buddy_largest(const struct buddy *b)
{
	for (int o = BUDDY_MAX_ORDER; o >= 0; o--)
		if (b->head[o] != BUDDY_NIL)
			return o;
	return -1;
}

int buddy_check(const struct buddy *b, const char **why)
{
	uint64_t free_frames = 0;

	for (unsigned int o = 0; o < BUDDY_ORDERS; o++) {
		uint32_t n = 0, prev = BUDDY_NIL;

		for (uint32_t i = b->head[o]; i != BUDDY_NIL;
		     i = b->f[i].next) {
			const struct buddy_frame *f = &b->f[i];
			uint32_t buddy = i ^ (1u << o);

			if (i >= b->nframes || ++n > b->nframes) {
				*why = "free list leaves the frames or loops";
				return -AE_EBADMSG;
			}
			if (f->state != BUDDY_FREE || f->order != o ||
			    f->prev != prev) {
				*why = "free list entry with wrong state, "
				       "order or back link";
				return -AE_EBADMSG;
			}
			if (i & ((1u << o) - 1)) {
				*why = "free block not aligned to its order";
				return -AE_EBADMSG;
			}
			if (o < BUDDY_MAX_ORDER && buddy < b->nframes &&
			    b->f[buddy].state == BUDDY_FREE &&
			    b->f[buddy].order == o) {
				*why = "two free buddies not merged";
				return -AE_EBADMSG;
			}
			prev = i;
			free_frames += 1ull << o;
		}
		if (n != b->nfree[o]) {
			*why = "free list count wrong";
			return -AE_EBADMSG;
		}
	}
	if (free_frames != b->free_frames) {
		*why = "free frame count wrong";
		return -AE_EBADMSG;
	}
	for (uint32_t i = 0; i < b->nframes;) {
		const struct buddy_frame *f = &b->f[i];

		if (f->state == BUDDY_TAIL) {
			*why = "tail frame outside any block";
			return -AE_EBADMSG;
		}
		if (f->state == BUDDY_RESERVED) {
			i++;
			continue;
		}
		for (uint32_t k = 1; k < (1u << f->order); k++)
			if (i + k >= b->nframes ||
			    b->f[i + k].state != BUDDY_TAIL) {
				*why = "block's tail frames not marked";
				return -AE_EBADMSG;
			}
		i += 1u << f->order;
	}
	return 0;
}
