/*
 * mm_core.h - the mm service's state and request handler, apart from its
 * boot glue (mm.c) so that the host tests run the real handler on the
 * host bus.
 */
#ifndef AEGIS_MM_CORE_H
#define AEGIS_MM_CORE_H

#include <aegis/bus.h>
#include <aegis/mm.h>
#include "buddy.h"
#include "phys.h"

/* Receives the service's console lines (bad frees), no newline. */
typedef void (*mm_log_fn)(const char *line);

struct mm_state {
	struct buddy b;
	uint64_t va_offset;	/* direct map: va = pa + va_offset */
	uint64_t low_mark;	/* pages */
	bool low_sent;		/* mm.pages.low published, not re-armed */
	uint64_t allocs;
	uint64_t cow_copies;	/* write faults that copied a shared frame */
	uint64_t cow_reuses;	/* ... that found the writer its last holder */
	uint32_t exhausted;
	mm_log_fn log;
	/* Requests on "mm.as.*" topics go here (services/mm/as.c, kernel
	 * only: address spaces need the HAL); NULL: -ENOSYS. */
	int (*as_handle)(struct mm_state *m, const struct bus_msg *msg,
			 struct bus_msg *reply);
};

/*
 * mm_core_init - set up m over the plan: the buddy's metadata at
 * meta_va (the plan's meta_pa in the direct map), every free range handed
 * to it, the low watermark at low_percent of the managed pages. 0,
 * -EINVAL (bad plan or percent).
 */
int mm_core_init(struct mm_state *m, const struct phys_plan *p,
		 void *meta_va, uint64_t va_offset, unsigned int low_percent,
		 mm_log_fn log);

/* mm_core_handle - the service's bus handler (state: struct mm_state). */
int mm_core_handle(void *state, const struct bus_msg *msg,
		   struct bus_msg *reply);

/* mm_core_watch - publish mm.pages.low if free memory crossed the mark
 * (after any change of the free count). */
void mm_core_watch(struct mm_state *m);

/* mm_as_handle - the "mm.as.*" requests (services/mm/as.c). */
int mm_as_handle(struct mm_state *m, const struct bus_msg *msg,
		 struct bus_msg *reply);

/* mm_core_stats - the counters as mm.stats returns them. */
void mm_core_stats(const struct mm_state *m, struct mm_stats *out);

#endif
