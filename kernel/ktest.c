/*
 * ktest.c - the in-kernel test runner (see aegis/ktest.h).
 */
#include <string.h>
#include <aegis/ktest.h>
#include <aegis/kprintf.h>

extern const struct ktest __start_aegis_ktests[];
extern const struct ktest __stop_aegis_ktests[];

static bool running;

bool ktest_active(void)
{
	return running;
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

static bool selected(const struct ktest *k, const char *filter)
{
	if (strcmp(filter, k->name) == 0)
		return true;
	if (k->explicit_only)
		return false;
	if (strcmp(filter, "all") == 0)
		return true;
	return strncmp(k->name, filter, strlen(filter)) == 0;
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
