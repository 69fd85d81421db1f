/*
 * pipe.c - pipes: a buffer of PIPE_SIZE bytes with a read end and a
 * write end, each a node handle ns keeps as an open file (ns.pipe asks
 * "pipe.new"), so that dup, fork and close work on them as on any file
 * (contracts/pipe.def, docs/FILESYSTEM.md).
 *
 * A handler never waits: a read of an empty pipe whose write end is
 * open, or a write that does not fit, answers -EAGAIN, and the thread
 * named in the request (node_req.seek: its id + 1) is woken (sched_wake)
 * when data comes, room is made or the other end closes; it then asks
 * again (kernel/linux_fs.c). A read of an empty pipe without writers is
 * 0 (the end); a write without readers is -EPIPE. A write of at most
 * PIPE_BUF bytes goes in whole or not at all; a longer one may be split.
 *
 * Limits: PIPES_MAX pipes, the last 8 left to uid 0 (-ENFILE).
 * /sys/pipe/usage counts them. A restart forgets every pipe (their ends
 * answer -ESTALE through ns).
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/node.h>
#include <aegis/sched.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>
#include <aegis/topics.h>

#define PIPES_MAX	64
#define PIPES_RESERVE	8	/* left to uid 0 */
#define PIPE_SIZE	16384	/* bytes a pipe holds */
#define PIPE_BUF	4096	/* a write this long goes in whole */

static struct pipe {
	bool used;
	uint8_t *buf;
	uint32_t head, count;	/* the oldest byte, and how many */
	uint32_t readers, writers;	/* open ends */
	uint64_t waiters[SCHED_THREADS_MAX / 64 + 1];	/* threads to wake */
	uint32_t uid;
} pipes[PIPES_MAX];

/* a handle: pipe index * 2 + (1 for the write end), valid while its
 * end is counted open; open[] says which are */
static uint8_t open_ends[PIPES_MAX * 2];
static uint32_t ns_gen;
static uint64_t made, bytes;

static int pipe_init(void)
{
	for (int i = 0; i < PIPES_MAX; i++)
		kfree(pipes[i].buf);
	memset(pipes, 0, sizeof(pipes));
	memset(open_ends, 0, sizeof(open_ends));
	ns_gen = 0;
	return 0;
}

static void wait_for(struct pipe *p, int64_t who)
{
	if (who > 0 && who <= SCHED_THREADS_MAX)
		p->waiters[(who - 1) / 64] |= 1ull << ((who - 1) % 64);
}

static void wake(struct pipe *p)
{
	for (unsigned int w = 0; w < sizeof(p->waiters) / 8; w++)
		for (uint64_t m = p->waiters[w]; m; m &= m - 1)
			sched_wake((int)(w * 64 + (unsigned int)
					 __builtin_ctzll(m)));
	memset(p->waiters, 0, sizeof(p->waiters));
}

static unsigned int used_pipes(void)
{
	unsigned int n = 0;

	for (int i = 0; i < PIPES_MAX; i++)
		n += pipes[i].used;
	return n;
}

static int do_new(const struct node_req *q, struct bus_msg *reply)
{
	struct node_pipe_rep rep;
	int i;

	if (!node_slot_allowed(used_pipes(), PIPES_MAX, PIPES_RESERVE, q->uid))
		return -AE_ENFILE;
	for (i = 0; i < PIPES_MAX && pipes[i].used; i++)
		;
	if (i == PIPES_MAX)
		return -AE_ENFILE;
	memset(&pipes[i], 0, sizeof(pipes[i]));
	pipes[i].buf = kmalloc(PIPE_SIZE);
	if (!pipes[i].buf)
		return -AE_ENOMEM;
	pipes[i].used = true;
	pipes[i].readers = pipes[i].writers = 1;
	pipes[i].uid = q->uid;
	open_ends[2 * i] = open_ends[2 * i + 1] = 1;
	made++;
	rep.rd = (uint32_t)(2 * i);
	rep.wr = (uint32_t)(2 * i + 1);
	memcpy(reply->data, &rep, sizeof(rep));
	reply->len = sizeof(rep);
	return 0;
}

static struct pipe *end_of(uint32_t h)
{
	if (h >= PIPES_MAX * 2 || !open_ends[h] || !pipes[h / 2].used)
		return NULL;
	return &pipes[h / 2];
}

static int put_word(struct bus_msg *reply, uint32_t w)
{
	memcpy(reply->data, &w, sizeof(w));
	reply->len = sizeof(w);
	return 0;
}

static int do_read(const struct bus_msg *m, struct pipe *p,
		   const struct node_req *q, struct bus_msg *reply)
{
	uint8_t *out;
	uint32_t n, first;
	int rc;

	if (q->len == 0)
		return put_word(reply, 0);
	if (p->count == 0) {
		if (p->writers == 0)
			return put_word(reply, 0);	/* the end */
		wait_for(p, q->seek);
		return -AE_EAGAIN;
	}
	out = node_req_buf(m, q, BUS_GRANT_WRITE, &rc);
	if (!out)
		return rc ? rc : -AE_EFAULT;
	n = q->len < p->count ? q->len : p->count;
	first = PIPE_SIZE - p->head < n ? PIPE_SIZE - p->head : n;
	memcpy(out, p->buf + p->head, first);
	memcpy(out + first, p->buf, n - first);
	p->head = (p->head + n) % PIPE_SIZE;
	p->count -= n;
	wake(p);		/* room for a writer */
	return put_word(reply, n);
}

static int do_write(const struct bus_msg *m, struct pipe *p,
		    const struct node_req *q, struct bus_msg *reply)
{
	const uint8_t *in;
	uint32_t room = PIPE_SIZE - p->count, n, at, first;
	int rc;

	if (p->readers == 0)
		return -AE_EPIPE;
	if (q->len == 0)
		return put_word(reply, 0);
	if (room == 0 || (q->len <= PIPE_BUF && room < q->len)) {
		wait_for(p, q->seek);
		return -AE_EAGAIN;
	}
	in = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (!in)
		return rc ? rc : -AE_EFAULT;
	n = q->len < room ? q->len : room;
	at = (p->head + p->count) % PIPE_SIZE;
	first = PIPE_SIZE - at < n ? PIPE_SIZE - at : n;
	memcpy(p->buf + at, in, first);
	memcpy(p->buf, in + first, n - first);
	p->count += n;
	bytes += n;
	wake(p);		/* data for a reader */
	return put_word(reply, n);
}

static int do_close(uint32_t h)
{
	struct pipe *p = end_of(h);

	if (!p)
		return -AE_EBADF;
	open_ends[h] = 0;
	if (h & 1)
		p->writers--;
	else
		p->readers--;
	wake(p);		/* the other end sees the end, or EPIPE */
	if (p->readers == 0 && p->writers == 0) {
		kfree(p->buf);
		memset(p, 0, sizeof(*p));
	}
	return 0;
}

static int do_stat(const struct bus_msg *m, const struct node_req *q)
{
	struct node_stat st, *out = node_req_out(m, q, sizeof(st));
	struct pipe *p = end_of(q->handle);

	if (!out)
		return -AE_EFAULT;
	if (!(q->flags & NODE_STAT_HANDLE) || !p)
		return -AE_EBADF;	/* pipes have no paths */
	memset(&st, 0, sizeof(st));
	st.kind = NODE_KIND_FIFO;
	st.mode = 0600;
	st.uid = st.gid = p->uid;
	st.size = p->count;
	st.ino = 0x70000000u + q->handle / 2;
	st.nlink = 1;
	memcpy(out, &st, sizeof(st));
	return 0;
}

/* ---- /sys/pipe ----------------------------------------------------------- */

static const struct sysfs_attr attrs[] = { { "usage", 0444, 0 } };

static uint32_t pipe_show(uint32_t index, char *buf, uint32_t size)
{
	(void)index;
	return sysfs_put(size, 0, ksnprintf(buf, size,
		"pipes %u of %u\nmade  %llu\nbytes %llu\n", used_pipes(),
		PIPES_MAX, (unsigned long long)made,
		(unsigned long long)bytes));
}

static const struct sysfs_ops pipe_ops = { pipe_show, NULL };

static int pipe_handle(void *state, const struct bus_msg *m,
		       struct bus_msg *reply)
{
	struct node_req q;
	struct pipe *p;
	int rc;

	(void)state;
	/* a new ns knows none of the ends: every pipe goes */
	if (node_owner_check(m, &ns_gen)) {
		for (uint32_t h = 0; h < PIPES_MAX * 2; h++)
			if (open_ends[h])
				do_close(h);
	}
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW ||
	    m->topic == TOPIC_SYSFS_STORE)
		return sysfs_serve(attrs, 1, &pipe_ops, m, reply);
	rc = node_req_take(m, &q);
	if (rc)
		return rc;
	if (m->topic == TOPIC_PIPE_NEW)
		return do_new(&q, reply);
	if (m->topic == TOPIC_NODE_STAT)
		return do_stat(m, &q);
	if (m->topic == TOPIC_NODE_CLOSE)
		return do_close(q.handle);
	p = end_of(q.handle);
	if (!p)
		return -AE_EBADF;
	if (m->topic == TOPIC_NODE_READ)
		return q.handle & 1 ? -AE_EBADF : do_read(m, p, &q, reply);
	if (m->topic == TOPIC_NODE_WRITE)
		return q.handle & 1 ? do_write(m, p, &q, reply) : -AE_EBADF;
	if (m->topic == TOPIC_NODE_IOCTL && q.flags == NODE_IOCTL_POLL) {
		int32_t bits = 0;

		if (!(q.handle & 1)) {
			if (p->count || !p->writers)
				bits |= NODE_POLLIN;
			if (!p->writers)
				bits |= NODE_POLLHUP;
		} else {
			if (!p->readers)
				bits |= NODE_POLLERR;
			else if (PIPE_SIZE - p->count >= PIPE_BUF)
				bits |= NODE_POLLOUT;
		}
		if (!bits)
			wait_for(p, q.seek);
		memcpy(reply->data, &bits, sizeof(bits));
		reply->len = sizeof(bits);
		return 0;
	}
	if (m->topic == TOPIC_NODE_IOCTL)
		return -AE_ENOTTY;
	return -AE_EINVAL;	/* open, readdir, ...: not for a pipe */
}

SERVICE(pipe,
	.name = "pipe",
	.init = pipe_init,
	.handler = pipe_handle,
	.serves = SERVES_PIPE,
	.needs = SERVICE_LIST("ns", "mm"),
	.sysfs = "pipe");
