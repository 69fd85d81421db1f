/*
 * linux_tty.c - a Linux process's terminal (aegis/tty.h, docs/TTY.md):
 * the reads, writes and ioctls of a file that is a terminal, each a
 * request to the terminal's owner (the console service, through ns and
 * devfs) with the caller's side lent beside it (struct tty_caller: its
 * group, its session, whether SIGTTIN and SIGTTOU would stop it).
 *
 * A read waits as a pipe's does (the terminal wakes the thread), with
 * VTIME kept here: VMIN 0 waits VTIME tenths of a second in all, VMIN > 0
 * VTIME tenths after the last byte came. A terminal that answers -EINTR
 * with a signal (job control: SIGTTIN, SIGTTOU) has it sent to the
 * caller's group here, and the call starts again once the group is
 * continued (-ERESTARTSYS), as Linux's does.
 */
#include <string.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/linux.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/syscall.h>
#include <aegis/topics.h>
#include <aegis/tty.h>

#define O_ACCMODE	3
#define O_WRONLY	1
#define O_NOCTTY	0400
#define O_NONBLOCK	04000

#define TENTH_NS	100000000ull
#define RECHECK_NS	1000000000ull	/* a waiting read asks again */

/* A terminal's answer -EINTR with a signal: the signal to the caller's
 * group, and the call again once it is continued. */
static int64_t job_stop(struct proc *p, const struct tty_caller *c)
{
	(void)proc_kill(p, -c->pgrp, c->sig);
	return -LINUX_ERESTARTSYS;
}

int linux_tty_opened(struct proc *p, int h, const char *path,
		     uint64_t flags)
{
	struct tty_caller c;
	int rc;

	proc_tty_caller(p, &c);
	if (flags & O_NOCTTY)
		c.flags |= TTY_C_NOCTTY;
	if (strcmp(path, "/dev/tty") == 0)
		c.flags |= TTY_C_CTTY_ONLY;
	rc = node_tty(h, TOPIC_NS_IOCTL, TTY_OPEN, NULL, 0, -1, &c);
	return rc < 0 ? rc : 0;
}

int64_t linux_tty_io(struct proc *p, int h, const struct proc_lfd *l,
		     const uint64_t a[SYS_ARGS_MAX], bool write)
{
	char *bounce = sched_scratch();
	uint32_t len = a[2] < 4096 ? (uint32_t)a[2] : 4096, seen_pending = 0;
	uint64_t deadline = ~0ull;
	bool now = false;
	int me = sched_self(), n;

	if (!bounce)
		return -AE_EFAULT;
	if ((write && (l->flags & O_ACCMODE) == 0) ||
	    (!write && (l->flags & O_ACCMODE) == O_WRONLY))
		return -AE_EBADF;
	if (write) {
		n = syscall_copy(bounce, a[1], len, false);
		if (n)
			return n;
	}
	for (;;) {
		uint64_t seen = sched_wakes(), t;
		struct tty_caller c;

		proc_tty_caller(p, &c);
		if (now)
			c.flags |= TTY_C_NOW;
		n = node_tty(h, write ? TOPIC_NS_WRITE : TOPIC_NS_READ, 0,
			     bounce, len, me, &c);
		if (n == -AE_EINTR && c.sig)
			return job_stop(p, &c);
		if (n != -AE_EAGAIN)
			break;
		if (l->flags & O_NONBLOCK)
			return -AE_EAGAIN;
		if (sched_killed())
			return -AE_EINTR;
		if (linux_sig_due())
			return -LINUX_ERESTARTSYS;
		t = clock_ns();
		if (!c.canon && c.vtime) {
			if (!c.vmin && deadline == ~0ull)
				deadline = t + c.vtime * TENTH_NS;
			else if (c.vmin && c.pending > seen_pending) {
				seen_pending = c.pending;
				deadline = t + c.vtime * TENTH_NS;
			}
			if (deadline != ~0ull && t >= deadline) {
				now = true;	/* VTIME is up: what there is */
				continue;
			}
		}
		/* at most a second: a terminal that restarted meanwhile
		 * knows nothing of this reader, and never wakes it */
		sched_block_unless(seen, deadline == ~0ull ||
				   deadline - t > RECHECK_NS ? RECHECK_NS :
				   deadline - t);
	}
	if (n <= 0 || write)
		return n;
	return syscall_copy(bounce, a[1], (uint64_t)n, true) ?: n;
}

/* One request to the terminal, again while job control asks. */
static int tty_call(struct proc *p, int h, uint32_t cmd, void *buf,
		    uint32_t len, struct tty_caller *c)
{
	proc_tty_caller(p, c);
	return node_tty(h, TOPIC_NS_IOCTL, cmd, buf, len, sched_self(), c);
}

int64_t linux_tty_ioctl(struct proc *p, int h, uint32_t cmd, uint64_t arg)
{
	uint8_t buf[sizeof(struct ld_termios)];
	struct tty_caller c;
	uint32_t len = 0;
	bool in = false, out = false;
	int32_t v;
	int rc;

	switch (cmd) {
	case TTY_TCGETS:
		len = sizeof(struct ld_termios);
		out = true;
		break;
	case TTY_TCSETS:
	case TTY_TCSETSW:
	case TTY_TCSETSF:
		len = sizeof(struct ld_termios);
		in = true;
		break;
	case TTY_TIOCGWINSZ:
		len = sizeof(struct ld_winsize);
		out = true;
		break;
	case TTY_TIOCSWINSZ:
		len = sizeof(struct ld_winsize);
		in = true;
		break;
	case TTY_TIOCGPGRP:
	case TTY_TIOCGSID:
	case TTY_FIONREAD:
	case TTY_TIOCOUTQ:
		len = sizeof(v);
		out = true;
		break;
	case TTY_TIOCSPGRP:
		/* Linux's order: not its terminal (-ENOTTY), a negative
		 * group (-EINVAL), none such (-ESRCH), another session's
		 * (-EPERM) */
		rc = tty_call(p, h, TTY_TIOCGSID, &v, sizeof(v), &c);
		if (rc < 0)
			return rc;
		rc = syscall_copy(&v, arg, sizeof(v), false);
		if (rc)
			return rc;
		if (v < 0)
			return -AE_EINVAL;
		if (!proc_pgrp_in_session(v, c.sid))
			return proc_pgrp_in_session(v, 0) ? -AE_EPERM
							  : -AE_ESRCH;
		memcpy(buf, &v, sizeof(v));
		len = sizeof(v);
		break;
	case TTY_TIOCSCTTY:
	case TTY_TCFLSH:
		v = (int32_t)arg;	/* by value */
		memcpy(buf, &v, sizeof(v));
		len = sizeof(v);
		break;
	case TTY_TIOCNOTTY:
	case TTY_TCSBRK:
		break;
	default:
		return -AE_ENOTTY;
	}
	if (in) {
		rc = syscall_copy(buf, arg, len, false);
		if (rc)
			return rc;
	}
	rc = tty_call(p, h, cmd, len ? buf : NULL, len, &c);
	if (rc == -AE_EINTR && c.sig)
		return job_stop(p, &c);
	if (rc == -AE_EIO && cmd == TTY_TIOCSPGRP)
		return -AE_ENOTTY;	/* as Linux's tiocspgrp */
	if (rc < 0)
		return rc;
	return out ? syscall_copy(buf, arg, len, true) : 0;
}
