/*
 * ftrace.c - function-call tracing for the profiler: the hooks that
 * -finstrument-functions calls at every entry and return of the code the
 * build option instrument= names (scons instrument=services/mm,bus), into
 * a ring the profiler hands out with its dump.
 *
 * The hooks may run in any context, interrupts included: each one takes
 * its slot with one atomic add, so two never share a slot (a record read
 * while it is being written may be torn; the analyzer tolerates that).
 * Nothing here is instrumented itself.
 */
#include <aegis/hal.h>
#include <aegis/profiler.h>

#define NOINST __attribute__((no_instrument_function))

static struct prof_call *ring;
static uint32_t ring_n;			/* a power of two */
static uint64_t written;
static bool on;

void prof_ftrace_setup(struct prof_call *buf, uint32_t n) NOINST;
void prof_ftrace_setup(struct prof_call *buf, uint32_t n)
{
	on = false;
	written = 0;
	ring_n = n & (n - 1) ? 0 : n;
	ring = ring_n ? buf : NULL;
}

void prof_ftrace_enable(bool enable) NOINST;
void prof_ftrace_enable(bool enable)
{
	if (enable)
		__atomic_store_n(&written, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&on, enable && ring, __ATOMIC_RELEASE);
}

uint32_t prof_ftrace_take(struct prof_call *out, uint32_t max) NOINST;
uint32_t prof_ftrace_take(struct prof_call *out, uint32_t max)
{
	uint64_t w = __atomic_load_n(&written, __ATOMIC_ACQUIRE);
	uint64_t n = w < ring_n ? w : ring_n, first = w - n;

	if (!ring)
		return 0;
	if (n > max) {
		first += n - max;
		n = max;
	}
	for (uint64_t i = 0; i < n; i++)
		out[i] = ring[(first + i) & (ring_n - 1)];
	return (uint32_t)n;
}

static void record(void *fn, void *site, uint64_t exit) NOINST;
static void record(void *fn, void *site, uint64_t exit)
{
	struct prof_call *c;
	uint64_t i;

	if (!__atomic_load_n(&on, __ATOMIC_ACQUIRE))
		return;
	i = __atomic_fetch_add(&written, 1, __ATOMIC_RELAXED);
	c = &ring[i & (ring_n - 1)];
	c->fn = (uint64_t)(uintptr_t)fn;
	c->site = (uint64_t)(uintptr_t)site;
	c->ts = hal_cycles() << 1 | exit;
}

void __cyg_profile_func_enter(void *fn, void *site) NOINST;
void __cyg_profile_func_enter(void *fn, void *site)
{
	record(fn, site, 0);
}

void __cyg_profile_func_exit(void *fn, void *site) NOINST;
void __cyg_profile_func_exit(void *fn, void *site)
{
	record(fn, site, 1);
}
