/*
 * ktest.c - the in-kernel test runner (see aegis/ktest.h).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/hal.h>
#include <aegis/kernel.h>
#include <aegis/ktest.h>
#include <aegis/sched.h>
#include <aegis/trace.h>
#include <aegis/kprintf.h>

extern const struct ktest __start_aegis_ktests[];
extern const struct ktest __stop_aegis_ktests[];

static bool running;

bool ktest_active(void)
{
	return running;
}

void ktest_settle(void)
{
	uint64_t end = hal_cycles() + 2 * hal_cycles_per_sec();
	bool left = true;

	bus_run(~0u);
	sched_run();
	while (left && hal_cycles() < end) {
		left = false;
		for (int i = 0; i < SCHED_THREADS_MAX; i++) {
			const char *st = sched_state(i);

			if (st && !strcmp(st, "exited"))
				left = true;
		}
		if (left && !bus_run(256) && !sched_run())
			kernel_wait();
	}
}

bool ktest_pump(volatile uint32_t *done, uint32_t want, unsigned int secs)
{
	uint64_t end = hal_cycles() + secs * hal_cycles_per_sec();

	while (*done < want && hal_cycles() < end) {
		if (bus_run(256))
			continue;
		if (sched_run())
			continue;
		kernel_wait();
	}
	ktest_settle();
	return *done >= want;
}

void ktest_fail(struct ktest_ctx *t, const char *file, int line,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failures++;
	kprintf("ktest: FAIL %s: %s:%d: %s\n", t->name, file, line, msg);
}

/* One term of the filter (len bytes at f) against a test. */
static bool term(const struct ktest *k, const char *f, size_t len)
{
	if (strlen(k->name) == len && strncmp(k->name, f, len) == 0)
		return true;
	if (k->explicit_only)
		return false;
	if (len == 3 && strncmp(f, "all", 3) == 0)
		return true;
	return strncmp(k->name, f, len) == 0;
}

/* The filter is a comma-separated list: a test runs when a term names
 * it ("all", a suite or name prefix, or an explicit test's full name)
 * and no "-prefix" term excludes it ("all,-user"). */
static bool selected(const struct ktest *k, const char *filter)
{
	bool in = false;

	for (const char *p = filter; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (*p == '-') {
			if (len > 1 && strncmp(k->name, p + 1, len - 1) == 0)
				return false;
		} else if (len && term(k, p, len)) {
			in = true;
		}
		p += len + (end ? 1 : 0);
	}
	return in;
}

int ktest_run(const char *filter)
{
	const struct ktest *k;
	int passed = 0, failed = 0;

	running = true;
	kprintf("ktest: running '%s'\n", filter);
	for (k = __start_aegis_ktests; k < __stop_aegis_ktests; k++) {
		struct ktest_ctx t = { k->name, 0 };

		if (!selected(k, filter))
			continue;
		k->fn(&t);
		trace_pump(~0u);	/* the lines of what it dispatched */
		if (t.failures) {
			failed++;
		} else {
			passed++;
			kprintf("ktest: ok %s\n", k->name);
		}
	}
	kprintf("ktest: %d passed, %d failed\n", passed, failed);
	running = false;
	if (passed + failed == 0) {
		kprintf("ktest: no test matches '%s'\n", filter);
		return KTEST_EXIT_FAIL;
	}
	return failed ? KTEST_EXIT_FAIL : KTEST_EXIT_PASS;
}
