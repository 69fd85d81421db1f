/*
 * aegis/mm.h - the mm service's contract on the bus, and the client calls
 * that wrap it (kernel/lib/mm_client.c).
 *
 * The mm service (services/mm/) owns physical memory: a buddy allocator
 * over the boot memory map, less the kernel image, boot modules, the
 * device tree, the first MiB and its own metadata. Other services reach
 * it only through these requests:
 *
 *   "mm.page.alloc"  request  struct mm_page_req { order }
 *                    reply    struct mm_page_rep { pa, va }
 *                    status   0, -ENOMEM (no block that large: also
 *                             publishes "mm.pages.exhausted"), -EINVAL
 *                             (order > MM_MAX_ORDER)
 *   "mm.page.free"   request  struct mm_page_req { order, pa }
 *                    status   0, -EINVAL (not a block mm handed out with
 *                             that order: a double free, a wrong order or
 *                             address; reported on the console, nothing
 *                             changes)
 *   "mm.stats"       request  (no payload)
 *                    reply    struct mm_stats
 *
 * Events it publishes:
 *   "mm.pages.low"        struct mm_stats: free pages fell below the low
 *                         watermark (mm.low= percent of the managed pages,
 *                         default 5); published once per crossing, again
 *                         after free pages climbed above twice the mark
 *   "mm.pages.exhausted"  struct mm_page_req: an allocation of that order
 *                         was refused
 *
 * Pages are 4 KiB; a block of order k is 2^k pages, aligned to its size,
 * reachable by the kernel at va (the direct map).
 */
#ifndef AEGIS_MM_H
#define AEGIS_MM_H

#include <aegis/types.h>

#define MM_PAGE_SIZE	4096u
#define MM_MAX_ORDER	18

struct mm_page_req {
	uint32_t order;
	uint32_t pad;
	uint64_t pa;		/* mm.page.free: the block */
};

struct mm_page_rep {
	uint64_t pa;
	uint64_t va;
};

struct mm_stats {
	uint64_t managed_pages;	/* handed to the allocator at boot */
	uint64_t free_pages;
	uint64_t low_mark;	/* mm.pages.low below this */
	uint32_t largest_order;	/* of a free block; 0xffffffff: none */
	uint32_t exhausted;	/* allocations refused so far */
	uint64_t allocs;	/* blocks handed out so far */
};

/* "mm.cow" (no payload): copy-on-write's counters. */
struct mm_cow_stats {
	uint64_t shared_pages;	/* holders beyond the first, over every
				 * frame shared copy-on-write: the pages
				 * forks did not copy, now */
	uint64_t copies;	/* write faults that copied a shared frame */
	uint64_t reuses;	/* ... that found the writer its last holder */
};

/*
 * Address spaces (services/mm/as.c, on the HAL's page tables). An address
 * space is named by a small id; its own range is hal_mmu_user_range()
 * (the kernel's mappings are shared by all). Mapped memory is anonymous:
 * zeroed pages from mm, given back when unmapped.
 *
 *   "mm.as.create"   request  (no payload)
 *                    reply    struct mm_as_rep { id, root }
 *                    status   0, -ENOSPC (MM_AS_MAX spaces), -ENOMEM
 *   "mm.as.map"      request  struct mm_as_req { id, prot, va, len }
 *                    status   0, -EINVAL (bad id, alignment, protection),
 *                             -EFAULT (outside the user range), -EEXIST
 *                             (overlaps a mapping), -ENOSPC (too many
 *                             regions), -ENOMEM (nothing is left mapped)
 *   "mm.as.unmap"    request  struct mm_as_req { id, va, len }: a range
 *                             inside one mapping (it may split it)
 *                    status   0, -ENOENT (not inside one mapping), as map
 *   "mm.as.protect"  request  struct mm_as_req { id, prot, va, len }:
 *                             inside one mapping
 *                    status   as unmap
 *   "mm.as.query"    request  struct mm_as_req { id, va }
 *                    reply    struct mm_page_rep { pa, prot in va }
 *                    status   0, -ENOENT, -EINVAL
 *   "mm.as.clone"    request  struct mm_as_req { id }: a new space with
 *                             the same pages, mapped alike (fork): each
 *                             frame is shared, and a writable page
 *                             becomes copy-on-write (HAL_PROT_COW) in
 *                             both spaces
 *                    reply    struct mm_as_rep { id, root }
 *                    status   0, -ENOMEM (page tables), -ENOSPC, -EINVAL
 *   "mm.as.fault"    request  struct mm_as_req { id, prot, va }: a fault
 *                             at the page va wanting prot (READ, WRITE,
 *                             EXEC): a write to a copy-on-write page gets
 *                             the space its own frame there (a copy,
 *                             unless it is the last holder), writable;
 *                             0 also when the page allows the access
 *                             already (another CPU was first)
 *                    status   0, -EFAULT (the mapping does not allow it:
 *                             a real fault), -ENOMEM (no frame for the
 *                             copy), -EINVAL
 *   "mm.as.next"     request  struct mm_as_req { id, va }: the first
 *                             mapping that ends above va (the one holding
 *                             va, or the next above it): /proc/PID/maps
 *                             and munmap walk a space with it
 *                    reply    struct mm_as_region { va, len, prot,
 *                             shared }
 *                    status   0, -ENOENT (none there), -EINVAL
 *   "mm.as.destroy"  request  struct mm_as_req { id }: every mapping's
 *                             pages back to mm, the tables too
 *                    status   0, -EINVAL, -EBUSY (it is the active one)
 *
 * prot is HAL_PROT_* (aegis/hal.h): READ, WRITE, EXEC, USER; it must
 * include READ, or be USER alone (an inaccessible page, PROT_NONE: its
 * frame and contents are kept, and any access faults), and WRITE with
 * EXEC is refused (-EINVAL) for map and protect alike: no page of any
 * address space is writable and executable (W^X). A query shows
 * HAL_PROT_COW on a page of a writable mapping whose frame was shared at
 * a fork (its WRITE clear until a write fault or mm.as.fault breaks it);
 * map and protect never take HAL_PROT_COW (-EINVAL): mm sets it.
 */
#define MM_AS_MAX	64
/* mm.as.map's prot may add this: the mapping is shared (MAP_SHARED): a
 * space cloned from this one holds the same frames there, writable in
 * both, never copy-on-write. */
#define MM_PROT_SHARED	(1u << 31)
#define MM_AS_REGIONS	32	/* mappings per address space */

struct mm_as_req {
	uint32_t id;
	uint32_t prot;
	uint64_t va;
	uint64_t len;
};

struct mm_as_rep {
	uint32_t id;
	uint32_t pad;
	uint64_t root;		/* the root table's physical address */
};

/* One mapping of a space, as mm keeps it (mm.as.next): its pages
 * va..va+len, their protection as mapped or last changed (HAL_PROT_*,
 * never HAL_PROT_COW), and whether a clone shares them. */
struct mm_as_region {
	uint64_t va;
	uint64_t len;
	uint32_t prot;
	uint32_t shared;
};

int mm_as_create(uint32_t *id, uint64_t *root);
int mm_as_map(uint32_t id, uint64_t va, uint64_t len, uint32_t prot);
int mm_as_unmap(uint32_t id, uint64_t va, uint64_t len);
int mm_as_protect(uint32_t id, uint64_t va, uint64_t len, uint32_t prot);
int mm_as_query(uint32_t id, uint64_t va, uint64_t *pa, uint32_t *prot);
int mm_as_destroy(uint32_t id);
/* mm_as_clone - a new space with a copy of every page of space src,
 * mapped alike ("mm.as.clone": fork): its id and root, or -ENOMEM,
 * -ENOSPC (MM_AS_MAX spaces), -EINVAL. */
int mm_as_clone(uint32_t src, uint32_t *id, uint64_t *root);
/* mm_as_fault - "mm.as.fault": a fault at the page va (page-aligned) of
 * space id wanting access (HAL_PROT_READ, WRITE, EXEC): 0 when the page
 * allows it now, having given the space its own writable frame for a
 * write to a copy-on-write page; -EFAULT (the mapping does not allow
 * it), -ENOMEM, -EINVAL. */
int mm_as_fault(uint32_t id, uint64_t va, uint32_t access);
/* mm_as_next - "mm.as.next": the first mapping of space id that ends
 * above va, in *r; -ENOENT when there is none, -EINVAL. */
int mm_as_next(uint32_t id, uint64_t va, struct mm_as_region *r);

/* mm_page_alloc - a block of 2^order pages through the mm service (a bus
 * call: inline from handlers). 0 with *pa and *va set, or the request's error,
 * or -ESHUTDOWN / -ENODEV when mm is not running. Thread or handler
 * context, never from mm itself (-EDEADLK). */
int mm_page_alloc(unsigned int order, uint64_t *pa, void **va);

/* mm_page_free - give the block at pa back. 0 or the request's error. */
int mm_page_free(uint64_t pa, unsigned int order);

/* mm_get_stats - the mm service's counters. */
int mm_get_stats(struct mm_stats *out);

/* mm_get_cow - copy-on-write's counters ("mm.cow"). */
int mm_get_cow(struct mm_cow_stats *out);

/* mm_backend - a slab backend (aegis/slab.h) whose blocks come from
 * mm_page_alloc: what the kernel gives kmalloc_init. */
struct slab_backend;
extern const struct slab_backend mm_backend;

#endif
