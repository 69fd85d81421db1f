/*
 * linuxtty.c - what a Linux terminal does, checked one by one, from a
 * program whose files 0, 1 and 2 are a terminal and which leads its
 * session: termios (defaults, a change read back), the window size, the
 * controlling terminal and its foreground group (TIOCSCTTY, TIOCGSID,
 * TIOCGPGRP, TIOCSPGRP and its refusals), /dev/tty, FIONREAD, VMIN and
 * VTIME, job control (a background reader stopped by SIGTTIN or given
 * -EIO, a background writer under TOSTOP stopped by SIGTTOU or let
 * through), and typed input: a canonical line with an erase, an end of
 * file, and Ctrl-C's SIGINT.
 *
 * Typing: it prints "linuxtty: type 1" and reads "ab<DEL>c<CR>" then
 * Ctrl-D; "linuxtty: type 2" and waits for Ctrl-C. Under Aegis it is the
 * console's session (case linux-tty types); under Linux it runs on a
 * pseudo-terminal (test/unit/linux_reference.py types), so each
 * expectation here is Linux's.
 */
#include <stdint.h>
#include <string.h>
#include "ulib.h"

#define sys(n, a, b, c, d, e) aegis_syscall((n), (a), (b), (c), (d), (e), 0)

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_close = 3, NR_ioctl = 16,
       NR_rt_sigaction = 13, NR_rt_sigprocmask = 14, NR_nanosleep = 35,
       NR_getpid = 39, NR_clone = 56, NR_wait4 = 61, NR_kill = 62,
       NR_setpgid = 109, NR_getpgid = 121, NR_getsid = 124,
       NR_rt_sigsuspend = 130, NR_clock_gettime = 228,
       NR_exit_group = 231, NR_openat = 257, NR_pipe2 = 293 };
#else
enum { NR_ioctl = 29, NR_openat = 56, NR_close = 57, NR_pipe2 = 59,
       NR_read = 63, NR_write = 64, NR_exit_group = 94,
       NR_nanosleep = 101, NR_clock_gettime = 113, NR_kill = 129,
       NR_rt_sigsuspend = 133, NR_rt_sigaction = 134,
       NR_rt_sigprocmask = 135, NR_setpgid = 154, NR_getpgid = 155,
       NR_getsid = 156, NR_getpid = 172, NR_clone = 220, NR_wait4 = 260 };
#endif

enum { EPERM = 1, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, EFAULT = 14,
       EINVAL = 22, ENOTTY = 25 };
#if defined(__x86_64__)
#define KERNEL	0xffffffff80200000ul
#else
#define KERNEL	0xffffff8040200000ul
#endif
#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCFLSH		0x540B
#define TIOCSCTTY	0x540E
#define TIOCGPGRP	0x540F
#define TIOCSPGRP	0x5410
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414
#define FIONREAD	0x541B
#define TIOCGSID	0x5429
#define ICRNL		0x100
#define OPOST		0x1
#define ONLCR		0x4
#define ISIG		0x1
#define ICANON		0x2
#define ECHO		0x8
#define TOSTOP		0x100
#define VINTR		0
#define VERASE		2
#define VEOF		4
#define VTIME		5
#define VMIN		6
#define VSUSP		10
#define SIGINT		2
#define SIGKILL		9
#define SIGCHLD		17
#define SIGTTIN		21
#define SIGTTOU		22
#define SIG_DFL		0
#define SIG_IGN		1
#define SA_RESTORER	0x04000000ul
#define AT_FDCWD	(-100)
#define O_RDWR		2
#define O_NOCTTY	0400
#define WUNTRACED	2

struct termios {		/* the kernel's */
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line, cc[19];
};
struct winsize {
	uint16_t row, col, x, y;
};
struct kact {
	unsigned long handler, flags, restorer, mask;
};

#define L(n, a, b, c, d) sys(NR_##n, (long)(a), (long)(b), (long)(c), \
			     (long)(d), 0)

void sig_restore(void) __attribute__((visibility("hidden")));
#if defined(__x86_64__)
__asm__(".text\n.globl sig_restore\n.hidden sig_restore\nsig_restore:\n"
	"\tmov $15, %eax\n\tsyscall\n\thlt\n");
#else
__asm__(".text\n.globl sig_restore\n.hidden sig_restore\nsig_restore:\n"
	"\tmov x8, #139\n\tsvc #0\n\tbrk #0\n");
#endif

static int checks, fails;
static char line[160];

static void say(const char *s)
{
	sys(NR_write, 1, (long)s, (long)strlen(s), 0, 0);
}

#define CHECK(cond)							\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			fails++;					\
			snprintf(line, sizeof(line),			\
				 "linuxtty: line %d: %s\n", __LINE__, #cond); \
			say(line);					\
		}							\
	} while (0)

static void __attribute__((noreturn)) quit(long code)
{
	sys(NR_exit_group, code, 0, 0, 0, 0);
	for (;;)
		;
}

static long fork_(void)
{
	return L(clone, SIGCHLD, 0, 0, 0);
}

static long disposition(int sig, unsigned long h)
{
	struct kact a = { h, SA_RESTORER, (unsigned long)sig_restore, 0 };

	return L(rt_sigaction, sig, &a, 0, 8);
}

static volatile int got_int;

static void on_int(int sig)
{
	got_int = sig;
}

static uint64_t now_ms(void)
{
	long ts[2] = { 0, 0 };

	L(clock_gettime, 1, ts, 0, 0);
	return (uint64_t)ts[0] * 1000 + (uint64_t)ts[1] / 1000000;
}

static void sleep_ms(long ms)
{
	long ts[2] = { ms / 1000, ms % 1000 * 1000000 };

	L(nanosleep, ts, 0, 0, 0);
}

/* Whether requests qemu-user (the AArch64 reference) does not pass on
 * (TIOCGSID, an unknown one) can be checked: under Aegis and Linux. */
static int faithful(void)
{
#if defined(__aarch64__)
	char u[390];

	return sys(160, (long)u, 0, 0, 0, 0) == 0 && strcmp(u, "Aegis") == 0;
#else
	return 1;
#endif
}

static struct termios saved;

static void set_lflag(uint32_t on, uint32_t off, int vmin, int vtime)
{
	struct termios t;

	L(ioctl, 0, TCGETS, &t, 0);
	t.lflag = (t.lflag | on) & ~off;
	if (vmin >= 0) {
		t.cc[VMIN] = (uint8_t)vmin;
		t.cc[VTIME] = (uint8_t)vtime;
	}
	L(ioctl, 0, TCSETS, &t, 0);
}

/* A child in a background group of its own does fn; its wait status
 * (stopped: reported through WUNTRACED, then killed). */
static long in_background(long (*fn)(void), long *result)
{
	long pid = fork_(), st = 0, rc;
	int status = 0;

	if (pid == 0) {
		L(setpgid, 0, 0, 0, 0);
		quit(fn() & 0xff);
	}
	L(setpgid, pid, pid, 0, 0);	/* (either may do it first) */
	rc = L(wait4, pid, &status, WUNTRACED, 0);
	if (rc != pid)
		return -1;
	st = status;
	if ((status & 0xff) == 0x7f) {	/* stopped: end it */
		L(kill, pid, SIGKILL, 0, 0);
		L(wait4, pid, &status, 0, 0);
	}
	*result = (st >> 8) & 0xff;
	return st;
}

static long bg_read(void)
{
	char c;

	return -L(read, 0, &c, 1, 0);
}

static long bg_read_ignoring(void)
{
	disposition(SIGTTIN, SIG_IGN);
	return bg_read();
}

static long bg_write(void)
{
	return L(write, 2, "bg\n", 3, 0);
}

static long bg_write_ignoring(void)
{
	disposition(SIGTTOU, SIG_IGN);
	return L(write, 1, "linuxtty: written from the background\n", 38, 0);
}

static long bg_setpgrp(void)
{
	int me = (int)L(getpid, 0, 0, 0, 0);

	return -L(ioctl, 0, TIOCSPGRP, &me, 0);
}

static void termios_and_size(void)
{
	struct termios t, u;
	struct winsize w = { 30, 100, 0, 0 }, r;
	int fds[2], n = -1;

	CHECK(L(ioctl, 0, TCGETS, &t, 0) == 0);
	saved = t;
	CHECK((t.lflag & (ISIG | ICANON | ECHO)) == (ISIG | ICANON | ECHO));
	CHECK((t.oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
	CHECK(t.iflag & ICRNL);
	CHECK(t.cc[VINTR] == 3 && t.cc[VEOF] == 4 && t.cc[VSUSP] == 26 &&
	      t.cc[VERASE] == 0x7f && t.cc[VMIN] == 1);
	/* a change reads back */
	u = t;
	u.lflag &= ~(uint32_t)ECHO;
	CHECK(L(ioctl, 0, TCSETS, &u, 0) == 0);
	CHECK(L(ioctl, 1, TCGETS, &t, 0) == 0 && !(t.lflag & ECHO));
	CHECK(L(ioctl, 0, TCSETS, &saved, 0) == 0);
	/* a pipe is no terminal */
	CHECK(L(pipe2, fds, 0, 0, 0) == 0);
	CHECK(L(ioctl, fds[0], TCGETS, &t, 0) == -ENOTTY);
	L(close, fds[0], 0, 0, 0);
	L(close, fds[1], 0, 0, 0);
	/* the window size */
	CHECK(L(ioctl, 0, TIOCSWINSZ, &w, 0) == 0);
	CHECK(L(ioctl, 2, TIOCGWINSZ, &r, 0) == 0 && r.row == 30 &&
	      r.col == 100);
	CHECK(L(ioctl, 0, FIONREAD, &n, 0) == 0 && n == 0);
	CHECK(L(ioctl, 0, TCFLSH, 3, 0) == -EINVAL);
	if (faithful())		/* no such request */
		CHECK(L(ioctl, 0, 0x5499, 0, 0) == -ENOTTY);
}

static void controlling(void)
{
	int me = (int)L(getpid, 0, 0, 0, 0), v = -1, fd;

	CHECK(L(getsid, 0, 0, 0, 0) == me);	/* it leads its session */
	/* its controlling terminal: already (Aegis), or taken now */
	CHECK(L(ioctl, 0, TIOCSCTTY, 0, 0) == 0);
	if (faithful())
		CHECK(L(ioctl, 0, TIOCGSID, &v, 0) == 0 && v == me);
	CHECK(L(ioctl, 0, TIOCGPGRP, &v, 0) == 0 && v == me);
	v = -1;
	CHECK(L(ioctl, 0, TIOCSPGRP, &v, 0) == -EINVAL);
	v = 0x3ffffff0;			/* above any pid_max */
	CHECK(L(ioctl, 0, TIOCSPGRP, &v, 0) == -ESRCH);
	CHECK(L(ioctl, 0, TIOCSPGRP, &me, 0) == 0);
	fd = (int)L(openat, AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY, 0);
	CHECK(fd >= 0);
	CHECK(L(ioctl, fd, TIOCGPGRP, &v, 0) == 0 && v == me);
	L(close, fd, 0, 0, 0);
	/* hostile: kernel addresses for every struct a request moves */
	{
		struct termios t;

		CHECK(L(ioctl, 0, TCGETS, KERNEL, 0) == -EFAULT);
		CHECK(L(ioctl, 0, TCSETS, KERNEL, 0) == -EFAULT);
		CHECK(L(ioctl, 0, TIOCGWINSZ, KERNEL, 0) == -EFAULT);
		CHECK(L(ioctl, 0, TIOCSWINSZ, KERNEL, 0) == -EFAULT);
		CHECK(L(ioctl, 0, FIONREAD, KERNEL, 0) == -EFAULT);
		CHECK(L(ioctl, 0, TIOCGPGRP, KERNEL, 0) == -EFAULT);
		CHECK(L(ioctl, 0, TIOCSPGRP, KERNEL, 0) == -EFAULT);
		CHECK(L(write, 1, KERNEL, 4, 0) == -EFAULT);
		CHECK(L(ioctl, 0, TCGETS, &t, 0) == 0 &&
		      memcmp(&t, &saved, sizeof(t)) == 0);	/* unchanged */
		CHECK(L(ioctl, 0, TIOCGPGRP, &v, 0) == 0 && v == me);
	}
}

static void vmin_vtime(void)
{
	char c;
	uint64_t t;

	set_lflag(0, ICANON | ECHO, 0, 0);	/* polling: nothing there */
	CHECK(L(read, 0, &c, 1, 0) == 0);
	set_lflag(0, 0, 0, 2);			/* 0.2 s for a byte */
	t = now_ms();
	CHECK(L(read, 0, &c, 1, 0) == 0);
	t = now_ms() - t;
	CHECK(t >= 150 && t < 2000);
	CHECK(L(ioctl, 0, TCSETS, &saved, 0) == 0);
}

static void job_control(void)
{
	long st, r = -1;
	struct termios t;

	st = in_background(bg_read, &r);
	CHECK((st & 0xff) == 0x7f && ((st >> 8) & 0xff) == SIGTTIN);
	st = in_background(bg_read_ignoring, &r);
	CHECK((st & 0x7f) == 0 && r == EIO);
	/* without TOSTOP a background write goes out */
	st = in_background(bg_write, &r);
	CHECK((st & 0x7f) == 0 && r == 3);
	L(ioctl, 0, TCGETS, &t, 0);
	t.lflag |= TOSTOP;
	L(ioctl, 0, TCSETS, &t, 0);
	st = in_background(bg_write, &r);
	CHECK((st & 0xff) == 0x7f && ((st >> 8) & 0xff) == SIGTTOU);
	st = in_background(bg_write_ignoring, &r);
	CHECK((st & 0x7f) == 0 && r == 38);
	CHECK(L(ioctl, 0, TCSETS, &saved, 0) == 0);
	/* taking the terminal from the background: SIGTTOU */
	st = in_background(bg_setpgrp, &r);
	CHECK((st & 0xff) == 0x7f && ((st >> 8) & 0xff) == SIGTTOU);
}

static void typed(void)
{
	char buf[16];
	struct kact a = { (unsigned long)on_int, SA_RESTORER,
			  (unsigned long)sig_restore, 0 };
	unsigned long none = 0;
	long n;

	say("linuxtty: type 1\n");
	n = L(read, 0, buf, sizeof(buf), 0);
	CHECK(n == 3 && memcmp(buf, "ac\n", 3) == 0);	/* erased, mapped */
	CHECK(L(read, 0, buf, sizeof(buf), 0) == 0);	/* Ctrl-D */
	CHECK(L(rt_sigaction, SIGINT, &a, 0, 8) == 0);
	say("linuxtty: type 2\n");
	for (int i = 0; i < 100 && !got_int; i++) {
		unsigned long block = 1ul << (SIGINT - 1), old;

		/* wait for it without a race: blocked, then suspended */
		L(rt_sigprocmask, 0, &block, &old, 8);
		if (!got_int)
			L(rt_sigsuspend, &none, 8, 0, 0);
		L(rt_sigprocmask, 2, &old, 0, 8);
	}
	CHECK(got_int == SIGINT);
	sleep_ms(1);
}

int main(void)
{
	termios_and_size();
	controlling();
	vmin_vtime();
	job_control();
	typed();
	snprintf(line, sizeof(line), "linuxtty: %d checks, %d failed\n",
		 checks, fails);
	say(line);
	quit(fails);
}
