/*
 * mm.c - in-kernel tests of the mm service and kmalloc on the real
 * target: allocate until exhaustion, free everything, find the counts
 * back where they started.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/ktest.h>
#include <aegis/mm.h>
#include <aegis/service.h>

static uint32_t nlow, nexhausted;

static int watch_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	(void)state;
	(void)reply;
	if (m->topic == (bus_topic_t)bus_topic_find("mm.pages.low"))
		nlow++;
	else
		nexhausted++;
	return 0;
}

static const struct service_desc watcher = {
	.name = "ktest-mm-watch",
	.handler = watch_handle,
	.subscribe = SERVICE_LIST("mm.pages.low", "mm.pages.exhausted"),
	.needs = SERVICE_LIST("mm"),
};

KTEST(mm, pages_exhausted_then_all_back)
{
	struct mm_stats s0, s1;
	void *head = NULL, *va;
	uint64_t pa, n = 0;
	int rc;

	KEXPECT_EQ(t, service_register(&watcher), 0);
	bus_run(~0u);
	nlow = nexhausted = 0;
	KEXPECT_EQ(t, mm_get_stats(&s0), 0);
	KEXPECT(t, s0.free_pages > 1000);
	/* every page, one at a time, chained through the pages */
	while ((rc = mm_page_alloc(0, &pa, &va)) == 0) {
		*(void **)va = head;
		head = va;
		n++;
	}
	KEXPECT_EQ(t, rc, -AE_ENOMEM);
	KEXPECT_EQ(t, n, s0.free_pages);
	KEXPECT_EQ(t, mm_get_stats(&s1), 0);
	KEXPECT_EQ(t, s1.free_pages, 0);
	KEXPECT_EQ(t, s1.largest_order, 0xffffffffu);
	KEXPECT(t, kmalloc(100000) == NULL);	/* no page for it */
	bus_run(~0u);
	KEXPECT_EQ(t, nlow, 1);
	KEXPECT(t, nexhausted >= 1);
	kprintf("ktest: mm: %llu pages allocated until -ENOMEM; %u low and "
		"%u exhausted events\n", (unsigned long long)n, nlow,
		nexhausted);
	while (head) {
		void *next = *(void **)head;

		KEXPECT_EQ(t, mm_page_free((uint64_t)(uintptr_t)head -
				   ((uint64_t)(uintptr_t)va - pa), 0), 0);
		head = next;
	}
	KEXPECT_EQ(t, mm_get_stats(&s1), 0);
	KEXPECT_EQ(t, s1.free_pages, s0.free_pages);
	KEXPECT_EQ(t, s1.largest_order, s0.largest_order);
	service_stop("ktest-mm-watch");
}

KTEST(mm, bad_free_refused_and_nothing_lost)
{
	struct mm_stats s0, s1;
	uint64_t pa;
	void *va;

	KEXPECT_EQ(t, mm_get_stats(&s0), 0);
	KEXPECT_EQ(t, mm_page_alloc(2, &pa, &va), 0);
	KEXPECT_EQ(t, mm_page_free(pa, 1), -AE_EINVAL);	/* wrong order */
	KEXPECT_EQ(t, mm_page_free(pa + 4096, 0), -AE_EINVAL); /* inside */
	KEXPECT_EQ(t, mm_page_free(pa + 1, 2), -AE_EINVAL); /* unaligned */
	KEXPECT_EQ(t, mm_page_free(pa, 2), 0);
	KEXPECT_EQ(t, mm_page_free(pa, 2), -AE_EINVAL);	/* double */
	KEXPECT_EQ(t, mm_page_alloc(MM_MAX_ORDER + 1, &pa, &va), -AE_EINVAL);
	KEXPECT_EQ(t, mm_get_stats(&s1), 0);
	KEXPECT_EQ(t, s1.free_pages, s0.free_pages);
}

/* kmalloc until it returns NULL: large blocks first (most of memory),
 * then small objects for the rest; all freed, every slab given back, and
 * mm's free count is where it started. */
KTEST(mm, kmalloc_exhausted_then_all_back)
{
	struct mm_stats s0, s1;
	void *big = NULL, *small = NULL, *p;
	unsigned int nbig = 0, nsmall = 0;

	kmalloc_drain();
	KEXPECT_EQ(t, mm_get_stats(&s0), 0);
	while ((p = kmalloc(1 << 20))) {
		*(void **)p = big;
		big = p;
		nbig++;
	}
	while ((p = kmalloc(64))) {
		*(void **)p = small;
		small = p;
		nsmall++;
	}
	KEXPECT(t, nbig > 100);
	KEXPECT(t, nsmall > 0);
	KEXPECT_EQ(t, mm_get_stats(&s1), 0);
	/* no block a slab could use is left (fragments may be) */
	KEXPECT(t, s1.largest_order == 0xffffffffu ||
		   s1.largest_order < SLAB_ORDER);
	kprintf("ktest: mm: kmalloc gave %u 1 MiB blocks and %u 64-byte "
		"objects until NULL\n", nbig, nsmall);
	while (small) {
		p = *(void **)small;
		kfree(small);
		small = p;
	}
	while (big) {
		p = *(void **)big;
		kfree(big);
		big = p;
	}
	kmalloc_drain();
	KEXPECT_EQ(t, mm_get_stats(&s1), 0);
	KEXPECT_EQ(t, s1.free_pages, s0.free_pages);
}

KTEST(mm, kmalloc_debug_reports_double_free)
{
	const struct slab_cache *c = kmalloc_cache(1);	/* kmalloc-32 */
	struct slab_stats st;
	uint64_t before;
	void *p;

	slab_cache_stats(c, &st);
	before = st.errors;

	if (!(c->flags & SLAB_DEBUG)) {
		kprintf("ktest: mm: kmalloc debug checks are off in this "
			"build\n");
		return;
	}
	p = kmalloc(32);
	KEXPECT(t, p != NULL);
	kfree(p);
	kfree(p);
	slab_cache_stats(c, &st);
	KEXPECT_EQ(t, st.errors, before + 1);
	/* the cache is whole: two allocations give two objects */
	p = kmalloc(32);
	KEXPECT(t, p != kmalloc(32));
}
