/*
 * phys.h - the mm service's plan of physical memory: which frames the
 * buddy allocator manages, which are free at boot, and where its own
 * metadata goes. Pure (no HAL, no bus): tested on the host.
 *
 * Input: the boot memory map (struct boot_info) and the ranges that must
 * never be handed out (the kernel image, boot modules, the device tree,
 * frame 0, ...). Usable regions are rounded inwards to whole pages and
 * clipped below `limit` (the end of the kernel's direct map); every
 * non-usable region of the map is taken out of the usable ones, even
 * where the map overlaps itself.
 */
#ifndef AEGIS_MM_PHYS_H
#define AEGIS_MM_PHYS_H

#include <aegis/boot_info.h>
#include "buddy.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ull << PAGE_SHIFT)
#define PHYS_RANGES_MAX	128

struct phys_range {
	uint64_t base, end;	/* bytes, [base, end) */
};

struct phys_plan {
	uint64_t base_pfn;	/* aligned to 2^BUDDY_MAX_ORDER frames */
	uint32_t nframes;	/* from base_pfn to the last free frame */
	uint64_t meta_pa;	/* where the buddy metadata goes */
	uint64_t meta_bytes;	/* nframes * sizeof(struct buddy_frame),
				 * rounded up to pages */
	uint32_t nfree;
	struct phys_range free[PHYS_RANGES_MAX];	/* page-aligned */
	uint64_t usable_bytes;	/* usable in the map, before reservations */
	uint64_t reserved_bytes;	/* taken out of the usable memory */
	uint64_t clipped_bytes;	/* usable, but beyond limit */
};

/*
 * phys_plan - work out the plan from bi's memory map less reserved[0..n)
 * and below limit. The metadata is carved from the first free range with
 * room for it. Returns 0, -ENOMEM (no usable memory, or none with room
 * for the metadata), -E2BIG (more than PHYS_RANGES_MAX pieces, or more
 * frames than the buddy can describe), with *why set.
 */
int phys_plan(struct phys_plan *p, const struct boot_info *bi,
	      const struct phys_range *reserved, unsigned int n,
	      uint64_t limit, const char **why);

#endif
