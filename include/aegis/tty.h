/*
 * aegis/tty.h - the terminal: a line discipline (kernel/lib/ldisc.c, a
 * pure library with host tests) and the console's tty, a node the
 * console service serves (services/console/tty.c) behind /dev/console,
 * /dev/ttyS0 and /dev/tty (devnodes/devfs.c forwards to it). The Linux
 * personality reaches it through ns (kernel/linux_tty.c); the terminal's
 * structures and request numbers are Linux's (asm-generic: the same on
 * x86_64 and AArch64), so a program's termios crosses unchanged.
 * docs/TTY.md says what a user sees.
 *
 * The line discipline takes typed bytes (ld_input): input flags (CR and
 * NL mapping), the signal keys (VINTR, VQUIT, VSUSP with ISIG), the
 * canonical editing keys (VERASE, VKILL, VWERASE, VLNEXT, VREPRINT, VEOF)
 * and echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL). What it makes
 * readable is a queue of LD_BUF bytes; in canonical mode a read ends at
 * a line's end, and VEOF on an empty line reads as the end (0). Output
 * goes through ld_output (OPOST: ONLCR, OCRNL). IUTF8 erases a whole
 * UTF-8 character. Not done: IXON/IXOFF flow control (^S and ^Q are
 * ordinary bytes, and the default termios leaves IXON off to say so),
 * parity, ISTRIP, IUCLC, OLCUC, ONOCR, ONLRET, delays, ECHOPRT, and the
 * line speed (cflag is kept and reported only).
 */
#ifndef AEGIS_TTY_H
#define AEGIS_TTY_H

#include <aegis/types.h>

/* Linux's struct termios (the kernel's, 36 bytes: TCGETS/TCSETS) */
#define LD_NCCS		19
struct ld_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[LD_NCCS];
};

struct ld_winsize {
	uint16_t row, col, xpixel, ypixel;
};

/* c_cc indexes */
#define LD_VINTR	0
#define LD_VQUIT	1
#define LD_VERASE	2
#define LD_VKILL	3
#define LD_VEOF		4
#define LD_VTIME	5
#define LD_VMIN		6
#define LD_VSUSP	10
#define LD_VEOL		11
#define LD_VREPRINT	12
#define LD_VWERASE	14
#define LD_VLNEXT	15
#define LD_VEOL2	16

/* iflag */
#define LD_INLCR	0x040
#define LD_IGNCR	0x080
#define LD_ICRNL	0x100
#define LD_IXON		0x400
#define LD_IUTF8	0x4000
/* oflag */
#define LD_OPOST	0x01
#define LD_ONLCR	0x04
#define LD_OCRNL	0x08
/* cflag */
#define LD_B38400	0x0f
#define LD_CS8		0x30
#define LD_CREAD	0x80
#define LD_HUPCL	0x400
/* lflag */
#define LD_ISIG		0x001
#define LD_ICANON	0x002
#define LD_ECHO		0x008
#define LD_ECHOE	0x010
#define LD_ECHOK	0x020
#define LD_ECHONL	0x040
#define LD_NOFLSH	0x080
#define LD_TOSTOP	0x100
#define LD_ECHOCTL	0x200
#define LD_ECHOKE	0x800
#define LD_IEXTEN	0x8000

#define LD_BUF		4096	/* bytes waiting to be read */
#define LD_LINE		1024	/* a canonical line being typed */
#define LD_LINES	128	/* finished lines waiting */
#define LD_ECHO_MAX	(3 * LD_LINE + 8)	/* what one key may echo */

struct ldisc {
	struct ld_termios t;
	/* readable: count bytes from head; in canonical mode they are
	 * lines, their lengths in lens (a 0 is an end of file) */
	uint8_t buf[LD_BUF];
	uint32_t head, count;
	uint16_t lens[LD_LINES];
	uint32_t lhead, nlines;
	/* the canonical line being typed */
	uint8_t line[LD_LINE];
	uint8_t wide[LD_LINE];	/* the columns each byte was echoed in */
	uint32_t len;
	bool lnext;		/* the next byte is taken literally */
	uint64_t dropped;	/* bytes that found the queue or line full */
};

/* ld_init - the termios Linux gives a new terminal, less IXON; nothing
 * typed. */
void ld_init(struct ldisc *l);

/* ld_input - one typed byte. Its echo goes into echo (LD_ECHO_MAX bytes,
 * *elen of them); a signal key gives its signal (SIGINT 2, SIGQUIT 3,
 * SIGTSTP 20) as the result, else 0. */
int ld_input(struct ldisc *l, uint8_t c, char *echo, unsigned int *elen);

/* ld_ready - whether a read of up to n bytes would return now: in
 * canonical mode when a line (or an end of file) waits; otherwise when
 * min(VMIN, n) bytes wait (VMIN 0: one; the caller decides whether to
 * wait at all, and VTIME, itself). */
bool ld_ready(const struct ldisc *l, uint32_t n);

/* ld_read - take up to n bytes: the rest of the first line (canonical),
 * or what is there. 0 with nothing left: an end of file in canonical
 * mode, or nothing waiting. */
uint32_t ld_read(struct ldisc *l, uint8_t *to, uint32_t n);

/* ld_output - src[0..n) as the terminal shows it (OPOST): into dst
 * (dmax bytes, at least 2); returns the bytes of dst used and in *took
 * the bytes of src consumed. */
uint32_t ld_output(const struct ldisc *l, const uint8_t *src, uint32_t n,
		   char *dst, uint32_t dmax, uint32_t *took);

/* ld_set - new termios (TCSETS): leaving canonical mode makes the line
 * being typed readable; entering it makes what waits one line. */
void ld_set(struct ldisc *l, const struct ld_termios *t);

/* ld_flush - drop what waits and the line being typed (TCIFLUSH). */
void ld_flush(struct ldisc *l);

/* ld_pending - bytes waiting to be read (FIONREAD). */
uint32_t ld_pending(const struct ldisc *l);

/* ---- the tty node ------------------------------------------------------ */

/*
 * Each node.read, node.write and node.ioctl to a tty lends, as the
 * request's out grant, the caller's side (filled by the Linux
 * personality from the process, which the tty cannot look up itself):
 * who asks and whether the job-control signal would stop it. The tty
 * writes its answer fields back.
 */
struct tty_caller {
	int32_t pid, pgrp, sid;
	uint32_t flags;		/* TTY_C_* */
	/* answered by the tty */
	int32_t sig;		/* send this to the caller's group, then
				 * restart the call (SIGTTIN / SIGTTOU) */
	uint8_t vmin, vtime;	/* a read that waits: VMIN and VTIME, */
	uint8_t canon;		/* canonical mode, */
	uint8_t pad;
	uint32_t pending;	/* and the bytes waiting */
};
#define TTY_C_TTIN	0x1	/* SIGTTIN neither blocked nor ignored */
#define TTY_C_TTOU	0x2	/* SIGTTOU neither blocked nor ignored */
#define TTY_C_ORPHAN	0x4	/* the caller's group is orphaned */
#define TTY_C_LEADER	0x8	/* the caller leads its session */
#define TTY_C_ROOT	0x10	/* the caller is privileged */
#define TTY_C_NOCTTY	0x20	/* TTY_OPEN: O_NOCTTY */
#define TTY_C_CTTY_ONLY	0x40	/* TTY_OPEN: /dev/tty, which is only the
				 * caller's controlling terminal (-ENXIO) */
#define TTY_C_NOW	0x80	/* a read: take what waits, even nothing
				 * (VTIME has passed) */

/* Linux's terminal requests (asm-generic/ioctls.h) */
#define TTY_TCGETS	0x5401
#define TTY_TCSETS	0x5402
#define TTY_TCSETSW	0x5403
#define TTY_TCSETSF	0x5404
#define TTY_TCSBRK	0x5409
#define TTY_TCFLSH	0x540B
#define TTY_TIOCSCTTY	0x540E
#define TTY_TIOCGPGRP	0x540F
#define TTY_TIOCSPGRP	0x5410
#define TTY_TIOCOUTQ	0x5411
#define TTY_TIOCGWINSZ	0x5413
#define TTY_TIOCSWINSZ	0x5414
#define TTY_FIONREAD	0x541B
#define TTY_TIOCNOTTY	0x5422
#define TTY_TIOCGSID	0x5429
/* Aegis's own, from the kernel only */
#define TTY_OPEN	0x41540001u	/* an open of the tty: a session
					 * leader without O_NOCTTY takes it
					 * as its controlling terminal; the
					 * reply: 1 if it is the caller's */
#define TTY_ATTACH	0x41540002u	/* the console session (from proc's
					 * spawn): sid and pgrp take it */

#endif
