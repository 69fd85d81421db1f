/*
 * tty.c - the console's terminal (aegis/tty.h, docs/TTY.md): a line
 * discipline (kernel/lib/ldisc.c) between the serial console and the
 * console session, served as a node. devfs forwards the node.read,
 * node.write and node.ioctl of /dev/console, /dev/ttyS0 and /dev/tty
 * here; the Linux personality (kernel/linux_tty.c) lends the caller's
 * side (struct tty_caller) as each request's out grant.
 *
 * What the terminal keeps: its termios and window size, the session it
 * is the controlling terminal of (sid, 0: none) and that session's
 * foreground process group (fg). Typed bytes reach it while the console
 * is in CONSOLE_TTY mode (console.c); its signal keys go to fg through
 * "proc.signal". A handler never waits: a read with nothing to take
 * answers -EAGAIN and wakes the thread named in the request (seek: its
 * id + 1) when something is typed, as a pipe does.
 *
 * Job control, as Linux's tty_check_change: a caller of the terminal's
 * session outside its foreground group that reads, or writes under
 * TOSTOP, or changes the terminal (TCSETS*, TCFLSH, TIOCSPGRP), is
 * answered -EINTR with sig set to SIGTTIN or SIGTTOU, which the Linux
 * personality sends to the caller's group before it restarts the call;
 * -EIO if SIGTTIN would not stop it (blocked, ignored, or an orphaned
 * group); a SIGTTOU that would not stop it lets the call go on.
 *
 * When the session's leader ends, its foreground group gets SIGHUP and
 * SIGCONT and the terminal belongs to no session. Open files of it stay
 * usable (there is no hang-up state: reads after it wait as before).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/sysfs.h>
#include <aegis/tty.h>
#include "tty.h"

#define SIGHUP		1
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGCONT		18
#define SIGWINCH	28

static struct {
	struct ldisc ld;
	struct ld_winsize ws;
	int32_t sid, fg;
	uint64_t waiters[SCHED_THREADS_MAX / 64 + 1];
	uint64_t in, out, signals;	/* bytes typed, bytes shown, keys */
} tty;

void tty_init(void)
{
	ld_init(&tty.ld);
	tty.ws = (struct ld_winsize){ 24, 80, 0, 0 };
	tty.sid = tty.fg = 0;
	memset(tty.waiters, 0, sizeof(tty.waiters));
}

static void wait_for(int64_t who)
{
	if (who > 0 && who <= SCHED_THREADS_MAX)
		tty.waiters[(who - 1) / 64] |= 1ull << ((who - 1) % 64);
}

static void wake(void)
{
	for (unsigned int w = 0; w < sizeof(tty.waiters) / 8; w++)
		for (uint64_t m = tty.waiters[w]; m; m &= m - 1)
			sched_wake((int)(w * 64 + (unsigned int)
					 __builtin_ctzll(m)));
	memset(tty.waiters, 0, sizeof(tty.waiters));
}

/* sig to process group pgrp, as the kernel */
static void signal_group(int32_t pgrp, int sig)
{
	struct proc_signal_req q = { -pgrp, sig };

	if (pgrp > 0)
		(void)call_proc_signal(&q);	/* -ESRCH: it has ended */
}

/* Bytes as the terminal shows them (OPOST). */
static void show(const uint8_t *b, uint32_t n)
{
	char out[256];

	while (n) {
		uint32_t took, k = ld_output(&tty.ld, b, n, out, sizeof(out),
					     &took);

		kcons_write_raw(out, k);
		tty.out += k;
		b += took;
		n -= took;
	}
}

void tty_key(uint8_t c)
{
	char echo[LD_ECHO_MAX];
	unsigned int elen;
	int sig = ld_input(&tty.ld, c, echo, &elen);

	tty.in++;
	if (elen)
		show((const uint8_t *)echo, elen);
	if (sig) {
		tty.signals++;
		signal_group(tty.fg, sig);
	}
	wake();
}

void tty_exited(int pid)
{
	if (!tty.sid || pid != tty.sid)
		return;
	if (tty.fg && tty.fg != tty.sid) {
		signal_group(tty.fg, SIGHUP);
		signal_group(tty.fg, SIGCONT);
	}
	tty.sid = tty.fg = 0;
}

bool tty_attached(void)
{
	return tty.sid != 0;
}

/* ---- node requests ------------------------------------------------------ */

static bool ctty(const struct tty_caller *c)
{
	return c && tty.sid && c->sid == tty.sid;
}

/* Linux's tty_check_change for sig (SIGTTIN or SIGTTOU): 0 to go on */
static int bg_check(struct tty_caller *c, int sig)
{
	if (!ctty(c) || c->pgrp == tty.fg)
		return 0;
	if (sig == SIGTTOU && !(c->flags & TTY_C_TTOU))
		return 0;		/* blocked or ignored: it goes on */
	if (sig == SIGTTIN && !(c->flags & TTY_C_TTIN))
		return -AE_EIO;
	if (c->flags & TTY_C_ORPHAN)
		return -AE_EIO;		/* nobody would continue it */
	c->sig = sig;
	return -AE_EINTR;
}

static int word(struct bus_msg *reply, uint32_t w)
{
	memcpy(reply->data, &w, sizeof(w));
	reply->len = sizeof(w);
	return 0;
}

static int do_read(const struct node_req *q, uint8_t *buf,
		   struct tty_caller *c, struct bus_msg *reply)
{
	const struct ld_termios *t = &tty.ld.t;
	bool canon = t->lflag & LD_ICANON;
	int rc = bg_check(c, SIGTTIN);

	if (rc)
		return rc;
	if (!q->len)
		return word(reply, 0);
	if (!ld_ready(&tty.ld, q->len)) {
		bool now = (c && (c->flags & TTY_C_NOW)) ||
			   (!canon && !t->cc[LD_VMIN] && !t->cc[LD_VTIME]);

		if (!now) {
			if (c) {
				c->canon = canon;
				c->vmin = t->cc[LD_VMIN];
				c->vtime = t->cc[LD_VTIME];
				c->pending = ld_pending(&tty.ld);
			}
			wait_for(q->seek);
			return -AE_EAGAIN;
		}
	}
	return word(reply, ld_read(&tty.ld, buf, q->len));
}

static int do_write(const struct node_req *q, const uint8_t *buf,
		    struct tty_caller *c, struct bus_msg *reply)
{
	if (tty.ld.t.lflag & LD_TOSTOP) {
		int rc = bg_check(c, SIGTTOU);

		if (rc)
			return rc;
	}
	show(buf, q->len);
	return word(reply, q->len);
}

static int answer(struct bus_msg *reply, int32_t a)
{
	memcpy(reply->data, &a, sizeof(a));
	reply->len = sizeof(a);
	return 0;
}

/* buf must hold n bytes for cmd */
#define NEED(n) do { if (!buf || q->len < (n)) return -AE_EFAULT; } while (0)

static int do_ioctl(const struct node_req *q, uint8_t *buf,
		    struct tty_caller *c, struct bus_msg *reply)
{
	int32_t v;
	int rc;

	switch (q->flags) {
	case NODE_IOCTL_POLL:
		v = NODE_POLLOUT;
		if (ld_ready(&tty.ld, ~0u) ||
		    (!(tty.ld.t.lflag & LD_ICANON) && ld_pending(&tty.ld)))
			v |= NODE_POLLIN;
		else
			wait_for(q->seek);
		return answer(reply, v);
	case TTY_TCGETS:
		NEED(sizeof(tty.ld.t));
		memcpy(buf, &tty.ld.t, sizeof(tty.ld.t));
		return answer(reply, 0);
	case TTY_TCSETS:
	case TTY_TCSETSW:
	case TTY_TCSETSF:
	{
		struct ld_termios t;

		NEED(sizeof(t));
		rc = bg_check(c, SIGTTOU);
		if (rc)
			return rc;
		memcpy(&t, buf, sizeof(t));
		if (q->flags == TTY_TCSETSF)
			ld_flush(&tty.ld);
		/* output is written as it comes: there is nothing to drain
		 * (TCSETSW) */
		ld_set(&tty.ld, &t);
		wake();
		return answer(reply, 0);
	}
	case TTY_TIOCGWINSZ:
		NEED(sizeof(tty.ws));
		memcpy(buf, &tty.ws, sizeof(tty.ws));
		return answer(reply, 0);
	case TTY_TIOCSWINSZ:
	{
		struct ld_winsize ws;

		NEED(sizeof(ws));
		memcpy(&ws, buf, sizeof(ws));
		if (memcmp(&ws, &tty.ws, sizeof(ws)) != 0) {
			tty.ws = ws;
			signal_group(tty.fg, SIGWINCH);
		}
		return answer(reply, 0);
	}
	case TTY_TIOCGPGRP:
	case TTY_TIOCGSID:
		NEED(sizeof(v));
		if (!ctty(c))
			return -AE_ENOTTY;
		v = q->flags == TTY_TIOCGSID ? tty.sid : tty.fg;
		memcpy(buf, &v, sizeof(v));
		return answer(reply, 0);
	case TTY_TIOCSPGRP:
		/* the group is checked to be of the caller's session by the
		 * Linux personality, which has the process table */
		NEED(sizeof(v));
		if (!ctty(c))
			return -AE_ENOTTY;
		rc = bg_check(c, SIGTTOU);
		if (rc)
			return rc;
		memcpy(&v, buf, sizeof(v));
		if (v <= 0)
			return -AE_EINVAL;
		tty.fg = v;
		return answer(reply, 0);
	case TTY_TIOCSCTTY:
		NEED(sizeof(v));
		memcpy(&v, buf, sizeof(v));
		if (!c)
			return -AE_EPERM;
		if (ctty(c))
			return answer(reply, 0);
		if (!(c->flags & TTY_C_LEADER) || c->pid != c->sid)
			return -AE_EPERM;
		if (tty.sid && !(v == 1 && (c->flags & TTY_C_ROOT)))
			return -AE_EPERM;	/* another session's */
		tty.sid = c->sid;
		tty.fg = c->pgrp;
		return answer(reply, 0);
	case TTY_TIOCNOTTY:
		if (!ctty(c))
			return -AE_ENOTTY;
		if (c->flags & TTY_C_LEADER)
			tty_exited(c->pid);	/* as its end would */
		return answer(reply, 0);
	case TTY_FIONREAD:
		NEED(sizeof(v));
		v = (int32_t)ld_pending(&tty.ld);
		memcpy(buf, &v, sizeof(v));
		return answer(reply, 0);
	case TTY_TIOCOUTQ:
		NEED(sizeof(v));
		v = 0;			/* written as it comes */
		memcpy(buf, &v, sizeof(v));
		return answer(reply, 0);
	case TTY_TCFLSH:
		NEED(sizeof(v));
		memcpy(&v, buf, sizeof(v));
		if (v < 0 || v > 2)
			return -AE_EINVAL;
		rc = bg_check(c, SIGTTOU);
		if (rc)
			return rc;
		if (v != 1)		/* TCIFLUSH, TCIOFLUSH */
			ld_flush(&tty.ld);
		return answer(reply, 0);
	case TTY_TCSBRK:
		return answer(reply, 0);	/* tcdrain: nothing waits */
	case TTY_OPEN:
		if (!c)
			return answer(reply, 0);
		if ((c->flags & TTY_C_CTTY_ONLY) && !ctty(c))
			return -AE_ENXIO;	/* /dev/tty, none */
		if (!tty.sid && (c->flags & TTY_C_LEADER) &&
		    !(c->flags & TTY_C_NOCTTY)) {
			tty.sid = c->sid;	/* its controlling terminal */
			tty.fg = c->pgrp;
		}
		return answer(reply, ctty(c));
	case TTY_ATTACH:
		/* a new console session: a terminal as a new one is */
		if (!c || c->pid <= 0)
			return -AE_EINVAL;
		ld_init(&tty.ld);
		tty.sid = c->sid;
		tty.fg = c->pgrp;
		wake();
		return answer(reply, 0);
	default:
		return -AE_ENOTTY;
	}
}

int tty_request(const struct bus_msg *m, struct bus_msg *reply)
{
	struct node_req q;
	struct tty_caller *c = NULL;
	uint8_t *buf = NULL;
	uint32_t glen = 0;
	int rc = node_req_take(m, &q);

	if (rc)
		return rc;
	if (m->topic != TOPIC_NODE_READ && m->topic != TOPIC_NODE_WRITE &&
	    m->topic != TOPIC_NODE_IOCTL)
		return -AE_EINVAL;	/* devfs opens, closes and stats */
	if (q.out) {
		c = bus_grant_map(m, q.out, BUS_GRANT_READ | BUS_GRANT_WRITE,
				  &glen);
		if (!c || glen < sizeof(*c))
			return -AE_EFAULT;
		c->sig = 0;
	}
	if (q.len) {
		buf = node_req_buf(m, &q, m->topic == TOPIC_NODE_WRITE ?
				   BUS_GRANT_READ : m->topic == TOPIC_NODE_READ ?
				   BUS_GRANT_WRITE :
				   BUS_GRANT_READ | BUS_GRANT_WRITE, &rc);
		if (!buf)
			return rc;
	}
	if (m->topic == TOPIC_NODE_READ)
		return do_read(&q, buf, c, reply);
	if (m->topic == TOPIC_NODE_WRITE)
		return do_write(&q, buf, c, reply);
	return do_ioctl(&q, buf, c, reply);
}

uint32_t tty_show(char *buf, uint32_t size)
{
	return sysfs_put(size, 0, ksnprintf(buf, size,
			 "session %d\nforeground %d\nrows %u\ncols %u\n"
			 "canonical %d\necho %d\ntyped %llu\nshown %llu\n"
			 "signals %llu\nlost %llu\n", (int)tty.sid,
			 (int)tty.fg, tty.ws.row, tty.ws.col,
			 !!(tty.ld.t.lflag & LD_ICANON),
			 !!(tty.ld.t.lflag & LD_ECHO),
			 (unsigned long long)tty.in,
			 (unsigned long long)tty.out,
			 (unsigned long long)tty.signals,
			 (unsigned long long)tty.ld.dropped));
}
