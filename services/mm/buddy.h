/*
 * buddy.h - the physical frame allocator of the mm service: a binary
 * buddy system over one contiguous range of page frames.
 *
 * Blocks are 2^order frames (order 0..BUDDY_MAX_ORDER), aligned to their
 * size in frame numbers, so an order-9 block is a 2 MiB-aligned 2 MiB
 * chunk. All bookkeeping lives in a metadata array, one struct
 * buddy_frame per frame, that the caller provides: the allocator never
 * touches the memory it manages, so it runs the same on the host (tests)
 * and in the kernel, before and after paging changes.
 *
 * Every frame starts reserved; buddy_free_range() hands ranges to it
 * (the usable memory less the kernel, modules, device tree, ...).
 * Allocation takes the smallest free block that fits and splits it;
 * freeing merges a block with its buddy while the buddy is free and of
 * the same order. Both are O(BUDDY_MAX_ORDER).
 *
 * Not thread-safe: the mm service owns its buddy and is the only caller
 * (its handler runs one message at a time).
 */
#ifndef AEGIS_MM_BUDDY_H
#define AEGIS_MM_BUDDY_H

#include <aegis/types.h>

#define BUDDY_MAX_ORDER	18		/* 2^18 frames: 1 GiB of 4 KiB pages */
#define BUDDY_ORDERS	(BUDDY_MAX_ORDER + 1)
#define BUDDY_NIL	0xffffffffu

enum buddy_state {
	BUDDY_RESERVED = 0,	/* never handed out (not memory, or in use by
				 * the kernel image and boot data) */
	BUDDY_FREE,		/* first frame of a free block */
	BUDDY_USED,		/* first frame of an allocated block */
	BUDDY_TAIL,		/* inside a block; see its first frame */
};

struct buddy_frame {
	uint32_t next, prev;	/* free list links (frame indexes) */
	uint8_t order;		/* of the block this frame starts */
	uint8_t state;		/* enum buddy_state */
	uint16_t shares;	/* a used single frame: holders beyond the
				 * first (copy-on-write); else 0 */
};

#define BUDDY_SHARES_MAX 0xffffu

struct buddy {
	uint64_t base_pfn;	/* frame number of index 0 */
	uint32_t nframes;
	struct buddy_frame *f;
	uint32_t head[BUDDY_ORDERS];	/* free lists */
	uint32_t nfree[BUDDY_ORDERS];	/* blocks on each list */
	uint64_t free_frames;		/* sum over the lists */
	uint64_t managed_frames;	/* ever handed to buddy_free_range */
	uint64_t shared;		/* sum of every frame's shares */
};

/* buddy_init - describe nframes frames from base_pfn (which must be
 * aligned to 2^BUDDY_MAX_ORDER), all reserved, with meta[0..nframes) as
 * the metadata. -EINVAL for a misaligned base, no frames, or no meta. */
int buddy_init(struct buddy *b, uint64_t base_pfn, uint32_t nframes,
	       struct buddy_frame *meta);

/* buddy_free_range - make frames [pfn, pfn + count) available, in the
 * largest aligned blocks they form. -EINVAL if the range leaves the
 * described frames or any of its frames is not reserved (given twice). */
int buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count);

/* buddy_alloc - a block of 2^order frames: its first frame number, or
 * -EINVAL (order > BUDDY_MAX_ORDER), -ENOMEM (no block that large). */
int64_t buddy_alloc(struct buddy *b, unsigned int order);

/* buddy_free - give back the block buddy_alloc returned. -EINVAL when pfn
 * is not the start of an allocated block of that order: a double free, a
 * wrong order, a pointer into a block, a reserved frame. Nothing changes
 * then. */
int buddy_free(struct buddy *b, uint64_t pfn, unsigned int order);

/* buddy_share - one more holder of the single frame pfn (an allocated
 * order-0 block): 0, -EINVAL (not one), -EOVERFLOW (BUDDY_SHARES_MAX
 * holders beyond the first already). A shared frame is freed only when
 * its last holder lets go (buddy_put); buddy_free refuses it. */
int buddy_share(struct buddy *b, uint64_t pfn);

/* buddy_shares - the holders of pfn beyond the first: 0 for a frame
 * only one holds, or that is not an allocated single frame. */
uint32_t buddy_shares(const struct buddy *b, uint64_t pfn);

/* buddy_put - one holder of the single frame pfn lets go: 1 when that
 * freed it (the last holder), 0 when others still hold it, -EINVAL when
 * it is not an allocated order-0 block. */
int buddy_put(struct buddy *b, uint64_t pfn);

/* buddy_largest - the largest order with a free block, or -1. */
int buddy_largest(const struct buddy *b);

/* buddy_check - walk every list and frame and verify the invariants
 * (list links, states, alignment, no two free buddies of one order, the
 * counters). 0, or -EBADMSG with *why. For tests and the debug build. */
int buddy_check(const struct buddy *b, const char **why);

#endif
