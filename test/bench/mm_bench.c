/*
 * mm_bench.c - kmalloc and the frame allocator, beside glibc malloc,
 * jemalloc and mimalloc (Debian's libjemalloc2 and libmimalloc2) doing
 * the same work in the same run.
 *
 * kmalloc runs as in the kernel: its slabs come from the real mm service
 * (services/mm/mm_core.c) over the host bus, managing a 512 MiB arena.
 * Each peer is called through its own entry points: glibc through
 * __libc_malloc/__libc_free (this program links jemalloc, which takes
 * over the plain malloc: jemalloc's initial-exec TLS cannot be
 * dlopen()ed), jemalloc through mallocx/dallocx, mimalloc through
 * mi_malloc/mi_free, loaded with dlopen(RTLD_LOCAL) so it replaces
 * nothing.
 *
 * Patterns, for sizes 16, 64, 256, 1024 and 4096 bytes:
 *   pair      allocate, write a byte, free; repeat (the LIFO fast path)
 *   prodcons  a ring of 4096 objects: each step frees the oldest and
 *             allocates a new one (FIFO: frees far from the allocation,
 *             the producer/consumer pattern on one CPU)
 * and the page allocator: mm.page.alloc + mm.page.free of one page over
 * the bus, beside the same buddy calls made directly.
 *
 * Method as bus_bench.c: batches of BATCH steps, ROUNDS batches, median
 * and p99 per step, clock cost subtracted. Appends its records to the
 * JSON list in the file given (an empty list "[]" will do;
 * test/bench/run_bench.py gives each host benchmark a file of its own).
 *
 *	mm-bench FILE
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include <aegis/bus.h>
#include <aegis/contract.h>
#include <aegis/topics.h>
#include <aegis/kmalloc.h>
#include <aegis/mm.h>
#include "../../services/mm/mm_core.h"

#define BATCH	1000
#define ROUNDS	201
#define RING	4096
#define ARENA	(512ull << 20)
#define ARENA_PA 0x100000000ull

static double timer_cost;

/* ---- the allocators ------------------------------------------------- */

struct allocator {
	const char *name;
	void *(*alloc)(size_t);
	void (*free)(void *);
};

void *__libc_malloc(size_t n);
void __libc_free(void *p);
void *mallocx(size_t n, int flags);	/* jemalloc's own API */
void dallocx(void *p, int flags);

static void *je_alloc(size_t n) { return mallocx(n, 0); }
static void je_free(void *p) { dallocx(p, 0); }

static struct allocator a_kmalloc = { "kmalloc", kmalloc, kfree };
static struct allocator a_glibc = { "glibc", __libc_malloc, __libc_free };
static struct allocator a_je = { "jemalloc", je_alloc, je_free };
static struct allocator a_mi = { "mimalloc", NULL, NULL };

static int load_peers(void)
{
	void *mi = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!mi) {
		fprintf(stderr, "mm-bench: %s\n", dlerror());
		return -1;
	}
	a_mi.alloc = (void *(*)(size_t))dlsym(mi, "mi_malloc");
	a_mi.free = (void (*)(void *))dlsym(mi, "mi_free");
	if (!a_mi.alloc || !a_mi.free) {
		fprintf(stderr, "mm-bench: mimalloc without mi_malloc\n");
		return -1;
	}
	return 0;
}

/* ---- patterns ------------------------------------------------------- */

static const struct allocator *cur;
static size_t cur_size;
static void *ring[RING];
static unsigned int ring_at;
static volatile uint8_t sink;

static void pair(void)
{
	for (int i = 0; i < BATCH; i++) {
		uint8_t *p = cur->alloc(cur_size);

		p[0] = (uint8_t)i;
		sink = p[0];
		cur->free(p);
	}
}

static void prodcons(void)
{
	for (int i = 0; i < BATCH; i++) {
		uint8_t *p;

		cur->free(ring[ring_at]);
		p = cur->alloc(cur_size);
		p[0] = (uint8_t)i;
		ring[ring_at] = p;
		ring_at = (ring_at + 1) % RING;
	}
}

static void empty(void)
{
}

static struct figure measure(void (*fn)(void), unsigned int per)
{
	static double v[ROUNDS];

	return bench_measure(fn, per, ROUNDS, v, timer_cost);
}

static struct figure run(const struct allocator *a, size_t size,
			 void (*fn)(void))
{
	struct figure f;

	cur = a;
	cur_size = size;
	if (fn == prodcons) {
		for (int i = 0; i < RING; i++)
			ring[i] = a->alloc(size);
		ring_at = 0;
	}
	f = measure(fn, BATCH);
	if (fn == prodcons)
		for (int i = 0; i < RING; i++)
			a->free(ring[i]);
	return f;
}

/* ---- pages ---------------------------------------------------------- */

static struct mm_state mm;

static void pages_bus(void)
{
	for (int i = 0; i < BATCH; i++) {
		uint64_t pa;
		void *va;

		mm_page_alloc(0, &pa, &va);
		mm_page_free(pa, 0);
	}
}

static void pages_direct(void)
{
	for (int i = 0; i < BATCH; i++) {
		int64_t pfn = buddy_alloc(&mm.b, 0);

		buddy_free(&mm.b, (uint64_t)pfn, 0);
	}
}

/* ---- report --------------------------------------------------------- */

static FILE *json;
static int nrec;

static void record(const char *bench, struct figure v, const char *peer,
		   struct figure p)
{
	printf("%-24s %8.1f %8.1f   %-10s %8.1f %7.2f\n", bench, v.med, v.p99,
	       peer, p.med, v.med / p.med);
	fprintf(json, "%s\n  {\"bench\": \"%s\", \"arch\": \"host\", "
		"\"accel\": \"native\", \"value\": %.2f, \"unit\": \"ns\", "
		"\"peer\": \"%s\", \"peer_value\": %.2f, \"ratio\": %.3f, "
		"\"p99\": %.2f, \"n\": %d}", nrec++ ? "," : "", bench, v.med,
		peer, p.med, v.med / p.med, v.p99, BATCH * ROUNDS);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 4096 };
	struct allocator *peers[] = { &a_glibc, &a_je, &a_mi };
	struct phys_range res[] = { { ARENA_PA, ARENA_PA + 4096 } };
	struct boot_info bi;
	struct phys_plan plan;
	const char *why;
	uint8_t *arena;
	char name[48];
	int id;

	if (argc != 2) {
		fprintf(stderr, "usage: %s results.json\n", argv[0]);
		return 2;
	}
	if (load_peers())
		return 1;
	timer_cost = 0;
	timer_cost = measure(empty, 1).med;

	/* the mm service over a 512 MiB arena, on the host bus */
	arena = aligned_alloc(1ull << 30, ARENA);
	memset(&bi, 0, sizeof(bi));
	bi.nmem = 1;
	bi.mem[0].base = ARENA_PA;
	bi.mem[0].len = ARENA;
	bi.mem[0].type = BOOT_MEM_USABLE;
	/* the kernel's contracts, as the kernel sets them */
	if (bus_contracts_set(bus_contracts, bus_contracts_count))
		return 1;
	bus_init(NULL);
	if (!arena || phys_plan(&plan, &bi, res, 1, ~0ull, &why) ||
	    mm_core_init(&mm, &plan, arena + (plan.meta_pa - ARENA_PA),
			 (uint64_t)(uintptr_t)arena - ARENA_PA, 5, NULL)) {
		fprintf(stderr, "mm-bench: cannot set up the mm service\n");
		return 1;
	}
	id = bus_svc_add("mm", mm_core_handle, &mm, 64, 1);
	for (const char *const *p = SERVES_MM; id >= 0 && *p; p++)
		bus_serve((bus_svc_t)id, *p);
	if (id < 0 || kmalloc_init(&mm_backend, false, NULL)) {
		fprintf(stderr, "mm-bench: cannot start kmalloc\n");
		return 1;
	}

	json = bench_append_to(argv[1], &nrec);
	if (!json) {
		fprintf(stderr, "mm-bench: %s holds no JSON list to extend "
			"(\"[]\" will do)\n", argv[1]);
		return 1;
	}
	printf("\nmm benchmark: ns per allocation+free (median, p99 over %d "
	       "batches of %d; timer cost %.1f ns subtracted)\n\n", ROUNDS,
	       BATCH, timer_cost);
	printf("%-24s %8s %8s   %-10s %8s %7s\n", "figure", "median", "p99",
	       "peer", "peer", "ratio");
	for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct figure k = run(&a_kmalloc, sizes[s], pair);

		snprintf(name, sizeof(name), "kmalloc.pair_%zu", sizes[s]);
		for (unsigned int p = 0; p < 3; p++)
			record(name, k, peers[p]->name,
			       run(peers[p], sizes[s], pair));
	}
	for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct figure k = run(&a_kmalloc, sizes[s], prodcons);

		snprintf(name, sizeof(name), "kmalloc.prodcons_%zu", sizes[s]);
		for (unsigned int p = 0; p < 3; p++)
			record(name, k, peers[p]->name,
			       run(peers[p], sizes[s], prodcons));
	}
	record("mm.page_alloc_free", measure(pages_bus, BATCH),
	       "buddy_direct", measure(pages_direct, BATCH));
	fprintf(json, "\n]\n");
	fclose(json);
	printf("\n(kmalloc: slabs from the mm service over the bus; peers "
	       "through their own entry points: glibc malloc/free, jemalloc "
	       "mallocx/dallocx, mimalloc mi_malloc/mi_free; prodcons: FIFO "
	       "through a ring of %d objects; mm.page_alloc_free: one page "
	       "through mm.page.alloc and mm.page.free requests, peer the same "
	       "buddy calls made directly)\n", RING);
	return 0;
}
