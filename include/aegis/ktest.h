/*
 * aegis/ktest.h - the in-kernel test runner.
 *
 * Tests are registered with KTEST(suite, name) into the "aegis_ktests"
 * linker section and run, one after the other on the boot CPU, when the
 * kernel is booted with ktest=<filter>:
 *
 *	ktest=all	every test not marked explicit
 *	ktest=lib	every such test whose name starts with "lib"
 *	ktest=a.b	also runs an explicit test named exactly "a.b"
 *
 * The run prints "ktest: N passed, N failed" and ends the machine through
 * hal_exit(): status KTEST_EXIT_PASS if every selected test passed (and at
 * least one ran), KTEST_EXIT_FAIL otherwise. A panic during the run ends
 * it with KTEST_EXIT_PANIC. How a status reaches the host is the HAL's
 * business (docs/BOOTLOADER_GUIDE.md, "Exit status").
 */
#ifndef AEGIS_KTEST_H
#define AEGIS_KTEST_H

#include <aegis/types.h>

enum {
	KTEST_EXIT_PASS = 0,
	KTEST_EXIT_FAIL = 1,
	KTEST_EXIT_PANIC = 2,
};

struct ktest_ctx {
	const char *name;
	int failures;
};

struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *t);
	bool explicit_only;	/* run only when named exactly */
};

#define KTEST_SECTION "aegis_ktests"

#define KTEST_DEFINE(suite, tname, expl)				\
	static void ktest_##suite##_##tname(struct ktest_ctx *t);	\
	static const struct ktest __ktest_##suite##_##tname		\
		__section(KTEST_SECTION) __used __aligned(8) = {	\
		#suite "." #tname, ktest_##suite##_##tname, (expl) };	\
	static void ktest_##suite##_##tname(struct ktest_ctx *t)

#define KTEST(suite, tname)		KTEST_DEFINE(suite, tname, false)
#define KTEST_EXPLICIT(suite, tname)	KTEST_DEFINE(suite, tname, true)

/* ktest_fail - record a failure with its reason. */
void ktest_fail(struct ktest_ctx *t, const char *file, int line,
		const char *fmt, ...) __printf(4, 5);

#define KEXPECT(t, cond)						\
	do {								\
		if (!(cond))						\
			ktest_fail((t), __FILE__, __LINE__,		\
				   "expected %s", #cond);		\
	} while (0)

#define KEXPECT_EQ(t, a, b)						\
	do {								\
		unsigned long long _a = (unsigned long long)(a);	\
		unsigned long long _b = (unsigned long long)(b);	\
		if (_a != _b)						\
			ktest_fail((t), __FILE__, __LINE__,		\
				   "expected %s == %s (%#llx != %#llx)",\
				   #a, #b, _a, _b);			\
	} while (0)

#define KEXPECT_STREQ(t, a, b)						\
	do {								\
		const char *_a = (a), *_b = (b);			\
		if (strcmp(_a, _b) != 0)				\
			ktest_fail((t), __FILE__, __LINE__,		\
				   "expected %s == %s (\"%s\" != \"%s\")",\
				   #a, #b, _a, _b);			\
	} while (0)

/* ktest_run - run the tests the filter selects; returns the exit status. */
int ktest_run(const char *filter);

/* ktest_active - true while a ktest run is in progress (panic uses it). */
bool ktest_active(void);

/* ktest_pump - drive the boot CPU's main loop (the bus, threads, sleep)
 * until *done reaches want or secs seconds pass, then until every thread
 * that ended has been given back (by whichever CPU's dispatcher: two
 * seconds more at most), so that counts of free pages compare. Whether
 * *done reached want. A ktest runs where the dispatcher would. */
bool ktest_pump(volatile uint32_t *done, uint32_t want, unsigned int secs);

/* ktest_settle - the second half of ktest_pump alone. */
void ktest_settle(void);

#endif
