/*
 * linux_time.c - the Linux personality's timers (docs/LINUX_ABI.md:
 * Timers): the interval timers (getitimer, setitimer, alarm) and
 * timer_create's (timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete).
 *
 * The proc service keeps each process's timers and, on every timer tick
 * while one is armed, posts the signals of those that are due
 * (aegis/proc.h: Timers). Here are Linux's structures and checks: the
 * calls turn struct itimerval and struct itimerspec into ns and back,
 * and the real-time clock's absolute times into the monotonic clock's.
 */
#include <string.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/linux.h>
#include <aegis/linux_syscalls.h>
#include <aegis/proc.h>
#include <aegis/syscall.h>

#define NS		1000000000ull
#define US		1000ull
#define TIMER_ABSTIME	1

#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD	2
#define SIGEV_THREAD_ID	4
#define SIGALRM		14

#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	1
#define CLOCK_BOOTTIME	7
#define CLOCK_TAI	11

#define PROC_OR_ESRCH(p)			\
	struct proc *p = proc_self();		\
	if (!p)					\
		return -AE_ESRCH

/* ---- the interval timers ------------------------------------------------ */

/* struct itimerval: it_interval, then it_value (struct timeval each) */
static int from_itimerval(uint64_t va, uint64_t ns[2])
{
	int64_t v[4];
	int rc = syscall_copy(v, va, sizeof(v), false);

	if (rc)
		return rc;
	for (int i = 0; i < 4; i += 2)
		if (v[i] < 0 || v[i + 1] < 0 || v[i + 1] >= 1000000 ||
		    (uint64_t)v[i] > (~0ull >> 2) / NS)
			return -AE_EINVAL;
	ns[0] = (uint64_t)v[2] * NS + (uint64_t)v[3] * US;	/* value */
	ns[1] = (uint64_t)v[0] * NS + (uint64_t)v[1] * US;	/* interval */
	return 0;
}

/* ns as a timeval, rounded up to whole microseconds (a timer left with
 * less than one still says one, as Linux's does) */
static void to_timeval(uint64_t ns, int64_t tv[2])
{
	uint64_t us = (ns + US - 1) / US;

	tv[0] = (int64_t)(us / 1000000);
	tv[1] = (int64_t)(us % 1000000);
}

static int to_itimerval(const uint64_t ns[2], uint64_t va)
{
	int64_t v[4];

	to_timeval(ns[1], v);
	to_timeval(ns[0], v + 2);
	return syscall_copy(v, va, sizeof(v), true);
}

int64_t lsys_getitimer(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t cur[2];
	int rc;
	PROC_OR_ESRCH(p);

	rc = proc_itimer(p, (int)a[0], NULL, cur);
	return rc ? rc : to_itimerval(cur, a[1]);
}

int64_t lsys_setitimer(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t set[2] = { 0, 0 }, old[2];
	int rc;
	PROC_OR_ESRCH(p);

	/* a NULL new value disarms it, as Linux 6.1 takes it */
	if (a[1]) {
		rc = from_itimerval(a[1], set);
		if (rc)
			return rc;
	}
	if (a[0] > PROC_ITIMER_PROF)
		return -AE_EINVAL;
	if (a[2]) {	/* the old one is written first: -EFAULT changes nothing */
		rc = proc_itimer(p, (int)a[0], NULL, old);
		if (!rc)
			rc = to_itimerval(old, a[2]);
		if (rc)
			return rc;
	}
	return proc_itimer(p, (int)a[0], set, NULL);
}

int64_t lsys_alarm(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t set[2] = { (uint64_t)(uint32_t)a[0] * NS, 0 }, old[2];
	int rc;
	PROC_OR_ESRCH(p);

	rc = proc_itimer(p, PROC_ITIMER_REAL, set, old);
	if (rc)
		return rc;
	/* the seconds left of the old alarm, rounded to the nearest, and
	 * 1 for one due in less than half a second (alarm(2)) */
	if (!old[0])
		return 0;
	return old[0] < NS ? 1 : (int64_t)((old[0] + NS / 2) / NS);
}

/* ---- timer_create's timers ------------------------------------------------ */

/* A signal a timer may post: any (Linux's good_sigevent checks only the
 * range). */
static bool timer_sig_ok(int sig)
{
	return sig >= 1 && sig <= 64;
}

static bool timer_clock_ok(uint64_t clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
	       clock == CLOCK_BOOTTIME || clock == CLOCK_TAI;
}

int64_t lsys_timer_create(const uint64_t a[SYS_ARGS_MAX])
{
	/* struct sigevent: sigev_value, sigev_signo, sigev_notify, then
	 * sigev_notify_thread_id */
	struct { uint64_t value; int32_t signo, notify, tid; } ev;
	int32_t id;
	int sig, rc;
	PROC_OR_ESRCH(p);

	if (!timer_clock_ok(a[0]))
		return -AE_EINVAL;
	if (a[1]) {
		rc = syscall_copy(&ev, a[1], sizeof(ev), false);
		if (rc)
			return rc;
	} else {
		/* SIGEV_SIGNAL, SIGALRM, the timer's id as sigval */
		ev.value = 0;
		ev.notify = SIGEV_SIGNAL;
		ev.signo = SIGALRM;
		ev.tid = 0;
	}
	switch (ev.notify) {
	case SIGEV_SIGNAL | SIGEV_THREAD_ID:
		if (ev.tid != proc_pid(p))
			return -AE_EINVAL;	/* its one thread */
		/* fall through */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:	/* the C library's; the kernel's is a signal */
		if (!timer_sig_ok(ev.signo))
			return -AE_EINVAL;
		sig = ev.signo;
		break;
	case SIGEV_NONE:
		sig = 0;
		break;
	default:
		return -AE_EINVAL;
	}
	/* without a sigevent, the sigval is the timer's id */
	rc = proc_timer_create(p, (int)a[0], sig, ev.value, !a[1], &id);
	if (rc)
		return rc;
	rc = syscall_copy(&id, a[2], sizeof(id), true);
	if (rc)
		proc_timer_delete(p, id);
	return rc;
}

/* struct itimerspec: it_interval, it_value (struct timespec each) */
static int to_itimerspec(const uint64_t ns[2], uint64_t va)
{
	int64_t v[4] = { (int64_t)(ns[1] / NS), (int64_t)(ns[1] % NS),
			 (int64_t)(ns[0] / NS), (int64_t)(ns[0] % NS) };

	return syscall_copy(v, va, sizeof(v), true);
}

int64_t lsys_timer_settime(const uint64_t a[SYS_ARGS_MAX])
{
	int64_t v[4];
	uint64_t value, interval, at = 0, old[2], now;
	int id = (int)(int32_t)a[0], rc;
	PROC_OR_ESRCH(p);

	if (!a[2])
		return -AE_EINVAL;
	rc = syscall_copy(v, a[2], sizeof(v), false);
	if (rc)
		return rc;
	for (int i = 0; i < 4; i += 2)
		if (v[i] < 0 || v[i + 1] < 0 || v[i + 1] >= (int64_t)NS ||
		    (uint64_t)v[i] > (~0ull >> 2) / NS)
			return -AE_EINVAL;
	interval = (uint64_t)v[0] * NS + (uint64_t)v[1];
	value = (uint64_t)v[2] * NS + (uint64_t)v[3];
	if (proc_timer_get(p, id, old))
		return -AE_EINVAL;
	if (a[3]) {
		rc = to_itimerspec(old, a[3]);
		if (rc)
			return rc;
	}
	if (value) {
		if (a[1] & TIMER_ABSTIME) {
			at = (uint64_t)linux_clock_mono(
				(uint64_t)proc_timer_clock(p, id), value);
		} else {
			if (linux_clock_now(CLOCK_MONOTONIC, &now))
				return -AE_EINVAL;
			at = now + value;
		}
	}
	return proc_timer_set(p, id, at, interval, NULL);
}

int64_t lsys_timer_gettime(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t cur[2];
	int rc;
	PROC_OR_ESRCH(p);

	rc = proc_timer_get(p, (int)(int32_t)a[0], cur);
	return rc ? rc : to_itimerspec(cur, a[1]);
}

int64_t lsys_timer_getoverrun(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return proc_timer_overrun(p, (int)(int32_t)a[0]);
}

int64_t lsys_timer_delete(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return proc_timer_delete(p, (int)(int32_t)a[0]);
}
