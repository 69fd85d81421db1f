/*
 * tmpfs.c - the root file system: the tree of kernel/lib/tmpfs.c
 * (aegis/tmpfs.h) served over the node interface (aegis/node.h, the
 * requests of a file system among them), mounted by ns on "/".
 *
 * At its start it unpacks the initrd (its directories, files, links and
 * modes; the files keep pointing at the initrd's bytes until first
 * written) and makes the directories a Linux program expects: /dev and
 * /sys (where ns's other mounts show), /proc, /tmp (1777), /root and
 * /home. Then, at its first message (the kernel's boot.done, before any
 * program runs), it mounts itself on "/".
 *
 * Limits: tmpfs.inodes= names (default 4096) and tmpfs.pages= pages of
 * file data (default: a quarter of the memory mm manages), of which the
 * last 1/16 are uid 0's; 256 open handles, the last 32 uid 0's.
 * /sys/tmpfs/usage shows them.
 *
 * A restart keeps the tree (it is the system's files): tmpfs_check
 * first makes its counts and names consistent again, and every handle
 * open before it is dropped (ns answers -ESTALE for them).
 */
#include <string.h>
#include <aegis/bootparam.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/kernel.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/service.h>
#include <aegis/sysfs.h>
#include <aegis/tmpfs.h>
#include <aegis/topics.h>

#define HANDLES_MAX	256
#define HANDLES_RESERVE	32	/* left to uid 0 (aegis/node.h) */
#define IO_MAX		(256 * 1024)	/* bytes a read or write moves */

static uint32_t opt_inodes = 4096, opt_pages;
BOOT_PARAM_UINT(opt_inodes, "tmpfs.inodes", 16, 1u << 20,
		"names (files, directories, links) the root tmpfs holds");
BOOT_PARAM_UINT(opt_pages, "tmpfs.pages", 0, 1u << 22,
		"4 KiB pages of file data the root tmpfs holds (0: a quarter "
		"of memory)");

static struct tmpfs fs;
static bool made;		/* fs is set up (kept across a restart) */
static uint32_t ns_gen;
static uint32_t skipped;	/* archive entries of other kinds */

static struct handle {
	bool used;
	uint32_t ino;
	uint32_t flags;		/* NODE_READ, NODE_WRITE, NODE_DIR */
	uint32_t uid;
} handles[HANDLES_MAX];

static void *zalloc(size_t n) { return kzalloc(n); }
static void zfree(void *p) { kfree(p); }
static int64_t now(void) { return (int64_t)clock_ns(); }

static void make_tree(void)
{
	static const struct { const char *name; uint32_t mode; } dirs[] = {
		{ "dev", 0755 }, { "sys", 0555 }, { "proc", 0555 },
		{ "tmp", 01777 }, { "root", 0700 }, { "home", 0755 },
	};
	const struct tmpfs_cred root = { 0, 0 };
	const char *why = "";
	const void *rd;
	size_t len = 0;
	int rc;

	rd = kernel_initrd(&len);
	if (rd) {
		rc = tmpfs_unpack(&fs, rd, len, &skipped, &why);
		if (rc)
			kprintf("tmpfs: the initrd is unpacked only in part: "
				"%s (%s)\n", why, errno_name(rc));
	}
	for (unsigned int i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		uint32_t ino;

		rc = tmpfs_create(&fs, dirs[i].name, NODE_KIND_DIR,
				  dirs[i].mode, NULL, true, root, &ino);
		if (rc && rc != -AE_EEXIST)
			kprintf("tmpfs: cannot make /%s: %s\n", dirs[i].name,
				errno_name(rc));
	}
}

static int tmpfs_svc_init(void)
{
	struct mm_stats st;
	uint64_t pages = opt_pages;


	memset(handles, 0, sizeof(handles));
	ns_gen = 0;
	if (made) {
		/* a restart: the files stay, made whole; the handles went */
		uint32_t fixed = tmpfs_check(&fs);

		if (fixed)
			kprintf("tmpfs: %u inconsistencies repaired after a "
				"restart\n", fixed);
		return 0;
	}
	if (!pages)
		pages = mm_get_stats(&st) == 0 ? st.managed_pages / 4 : 4096;
	if (tmpfs_init(&fs, opt_inodes, pages, zalloc, zfree, now))
		return -AE_ENOMEM;
	make_tree();
	made = true;
	return 0;
}

static struct tmpfs_cred cred(const struct node_req *q)
{
	return (struct tmpfs_cred){ q->uid, q->gid };
}

/* The path lent in q->buf (len bytes; 0: the root) into path, and what
 * follows its NUL (a link's target, a second path) into *second. */
static int take(const struct bus_msg *m, const struct node_req *q,
		char *path, size_t size, const char **second)
{
	const char *p;
	size_t first;
	int rc;

	path[0] = '\0';
	*second = path;
	if (q->len == 0)
		return 0;
	if (q->len >= size)
		return -AE_ENAMETOOLONG;
	p = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (!p)
		return rc ? rc : -AE_EFAULT;
	memcpy(path, p, q->len);
	path[q->len] = '\0';
	first = strlen(path);
	*second = first < q->len ? path + first + 1 : path + first;
	return 0;
}

static unsigned int used_handles(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < HANDLES_MAX; i++)
		n += handles[i].used;
	return n;
}

static struct handle *handle_of(uint32_t h)
{
	return h < HANDLES_MAX && handles[h].used ? &handles[h] : NULL;
}

static int put_word(struct bus_msg *reply, uint32_t w)
{
	memcpy(reply->data, &w, sizeof(w));
	reply->len = sizeof(w);
	return 0;
}

static int do_open(const struct bus_msg *m, const struct node_req *q,
		   struct bus_msg *reply)
{
	char path[2 * NODE_PATH_MAX];
	const char *rest;
	uint32_t i, ino;
	int rc = take(m, q, path, sizeof(path), &rest);

	if (rc)
		return rc;
	for (i = 0; i < HANDLES_MAX && handles[i].used; i++)
		;
	if (i == HANDLES_MAX || !node_slot_allowed(used_handles(), HANDLES_MAX,
						   HANDLES_RESERVE, q->uid))
		return -AE_EMFILE;
	rc = tmpfs_open(&fs, path, q->flags, cred(q), &ino);
	if (rc)
		return rc;
	handles[i] = (struct handle){ true, ino, q->flags, q->uid };
	return put_word(reply, i);
}

static int do_io(const struct bus_msg *m, struct handle *h,
		 const struct node_req *q, bool write, struct bus_msg *reply)
{
	void *buf;
	int64_t n;
	int rc;

	if (q->len == 0)
		return put_word(reply, 0);
	if (q->len > IO_MAX)
		return -AE_EINVAL;
	buf = node_req_buf(m, q, write ? BUS_GRANT_READ : BUS_GRANT_WRITE,
			   &rc);
	if (!buf)
		return rc ? rc : -AE_EFAULT;
	n = write ? tmpfs_write(&fs, h->ino, q->off, buf, q->len, h->uid)
		  : tmpfs_read(&fs, h->ino, q->off, buf, q->len);
	return n < 0 ? (int)n : put_word(reply, (uint32_t)n);
}

static int do_stat(const struct bus_msg *m, const struct node_req *q)
{
	char path[2 * NODE_PATH_MAX];
	struct node_stat st, *out = node_req_out(m, q, sizeof(st));
	const char *rest;
	uint32_t ino;
	int rc;

	if (!out)
		return -AE_EFAULT;
	if (q->flags & NODE_STAT_HANDLE) {
		struct handle *h = handle_of(q->handle);

		if (!h)
			return -AE_EBADF;
		ino = h->ino;
	} else {
		rc = take(m, q, path, sizeof(path), &rest);
		if (!rc)
			rc = tmpfs_lookup(&fs, path, !(q->flags & NODE_NOFOLLOW),
					  cred(q), &ino);
		if (rc)
			return rc;
	}
	rc = tmpfs_stat(&fs, ino, &st);
	if (rc == 0)
		memcpy(out, &st, sizeof(st));
	return rc;
}

static int do_readdir(const struct bus_msg *m, struct handle *h,
		      const struct node_req *q)
{
	struct node_dirent d, *out = node_req_out(m, q, sizeof(d));
	int rc;

	if (!out)
		return -AE_EFAULT;
	if (!(h->flags & NODE_DIR))
		return -AE_ENOTDIR;
	rc = tmpfs_readdir(&fs, h->ino, q->off, &d);
	if (rc == 0)
		memcpy(out, &d, sizeof(d));
	return rc;
}

static int do_setattr(const struct bus_msg *m, const struct node_req *q)
{
	char path[2 * NODE_PATH_MAX];
	const char *rest;
	uint32_t ino;
	int rc = 0;

	if (q->flags & ~(uint32_t)(NODE_SET_MODE | NODE_SET_SIZE |
				   NODE_SET_OWNER | NODE_SET_ATIME |
				   NODE_SET_MTIME | NODE_SET_OWNED) || !q->flags)
		return -AE_EINVAL;
	if (q->len == 0) {
		struct handle *h = handle_of(q->handle);

		if (!h)
			return -AE_EBADF;
		if ((q->flags & NODE_SET_SIZE) && !(h->flags & NODE_WRITE))
			return -AE_EINVAL;	/* ftruncate: not for writing */
		ino = h->ino;
	} else {
		struct node_stat st;
		struct node_cred c = { q->uid, q->gid, 0 };

		rc = take(m, q, path, sizeof(path), &rest);
		if (!rc)
			rc = tmpfs_lookup(&fs, path, true, cred(q), &ino);
		if (!rc && (q->flags & NODE_SET_SIZE)) {
			/* truncate: write permission on the file */
			rc = tmpfs_stat(&fs, ino, &st);
			if (!rc && st.kind == NODE_KIND_DIR)
				rc = -AE_EISDIR;
			if (!rc && !node_mode_allows(st.mode, st.uid, st.gid,
						     c, NODE_WRITE))
				rc = -AE_EACCES;
		}
		if (rc)
			return rc;
	}
	if (q->flags & NODE_SET_SIZE) {
		if (q->seek < 0)
			return -AE_EINVAL;
		rc = tmpfs_truncate(&fs, ino, (uint64_t)q->seek, q->uid);
	}
	if (!rc && (q->flags & NODE_SET_MODE))
		rc = tmpfs_chmod(&fs, ino, q->off, cred(q));
	if (!rc && (q->flags & (NODE_SET_ATIME | NODE_SET_MTIME)))
		rc = tmpfs_utimes(&fs, ino, q->flags, q->seek, q->seek, cred(q));
	if (!rc && (q->flags & NODE_SET_OWNER))
		rc = tmpfs_chown(&fs, ino, (uint32_t)((uint64_t)q->seek >> 32),
				 (uint32_t)q->seek, cred(q));
	return rc;
}

static int do_name_op(const struct bus_msg *m, const struct node_req *q,
		      struct bus_msg *reply)
{
	char path[2 * NODE_PATH_MAX];
	const char *second;
	uint32_t ino;
	int rc = take(m, q, path, sizeof(path), &second);

	if (rc)
		return rc;
	if (m->topic == TOPIC_NODE_CREATE) {
		uint32_t kind = q->flags & NODE_MK_KIND;

		if (q->flags & ~(uint32_t)(NODE_MK_KIND | NODE_MK_EXCL))
			return -AE_EINVAL;
		return tmpfs_create(&fs, path, kind, q->off,
				    kind == NODE_KIND_LINK ? second : NULL,
				    q->flags & NODE_MK_EXCL, cred(q), &ino);
	}
	if (m->topic == TOPIC_NODE_REMOVE)
		return tmpfs_remove(&fs, path, q->flags & NODE_RM_DIR,
				    cred(q));
	if (m->topic == TOPIC_NODE_RENAME)
		return tmpfs_rename(&fs, path, second, cred(q));
	if (m->topic == TOPIC_NODE_LINK)
		return tmpfs_link(&fs, path, second, cred(q));
	if (m->topic == TOPIC_NODE_READLINK) {
		uint32_t size = q->off < NODE_PATH_MAX ? q->off : NODE_PATH_MAX;
		char *out = size ? node_req_out(m, q, size) : NULL;

		if (!out)
			return -AE_EFAULT;
		rc = tmpfs_readlink(&fs, path, cred(q), out, size);
		return rc < 0 ? rc : put_word(reply, (uint32_t)rc);
	}
	return -AE_ENOSYS;
}

/* ---- /sys/tmpfs ----------------------------------------------------------- */

static const struct sysfs_attr attrs[] = {
	{ "usage", 0444, 0 },
};

static uint32_t tmpfs_show(uint32_t index, char *buf, uint32_t size)
{
	(void)index;
	return sysfs_put(size, 0, ksnprintf(buf, size,
		"inodes  %u of %u\npages   %llu of %llu\nhandles %u of %u\n"
		"skipped %u (initrd entries of other kinds)\n",
		fs.used_inodes, fs.max_inodes,
		(unsigned long long)fs.used_pages,
		(unsigned long long)fs.max_pages, used_handles(), HANDLES_MAX,
		skipped));
}

static const struct sysfs_ops tmpfs_ops = { tmpfs_show, NULL };

static int tmpfs_handle(void *state, const struct bus_msg *m,
			struct bus_msg *reply)
{
	struct node_req q;
	struct handle *h;
	int rc;

	(void)state;
	switch (node_owner_check(m, &ns_gen)) {
	case 2:
		rc = node_mount("/");
		if (rc)
			kprintf("tmpfs: cannot mount on /: %s\n",
				errno_name(rc));
		/* fall through */
	case 1:
		for (unsigned int i = 0; i < HANDLES_MAX; i++)
			if (handles[i].used)
				tmpfs_release(&fs, handles[i].ino);
		memset(handles, 0, sizeof(handles));
		break;
	default:
		break;
	}
	if (m->kind != BUS_REQUEST)
		return 0;
	if (m->topic == TOPIC_SYSFS_ATTR || m->topic == TOPIC_SYSFS_SHOW ||
	    m->topic == TOPIC_SYSFS_STORE)
		return sysfs_serve(attrs, 1, &tmpfs_ops, m, reply);
	rc = node_req_take(m, &q);
	if (rc)
		return rc;
	if (m->topic == TOPIC_NODE_OPEN)
		return do_open(m, &q, reply);
	if (m->topic == TOPIC_NODE_STAT)
		return do_stat(m, &q);
	if (m->topic == TOPIC_NODE_SETATTR)
		return do_setattr(m, &q);
	if (m->topic == TOPIC_NODE_CREATE || m->topic == TOPIC_NODE_REMOVE ||
	    m->topic == TOPIC_NODE_RENAME || m->topic == TOPIC_NODE_LINK ||
	    m->topic == TOPIC_NODE_READLINK)
		return do_name_op(m, &q, reply);
	h = handle_of(q.handle);
	if (!h)
		return -AE_EBADF;
	if (m->topic == TOPIC_NODE_CLOSE) {
		tmpfs_release(&fs, h->ino);
		h->used = false;
		return 0;
	}
	if (m->topic == TOPIC_NODE_READ)
		return do_io(m, h, &q, false, reply);
	if (m->topic == TOPIC_NODE_WRITE)
		return do_io(m, h, &q, true, reply);
	if (m->topic == TOPIC_NODE_READDIR)
		return do_readdir(m, h, &q);
	if (m->topic == TOPIC_NODE_IOCTL && q.flags == TMPFS_IOCTL_USAGE) {
		/* statfs's figures (aegis/tmpfs.h) */
		struct tmpfs_usage u = { fs.max_pages, fs.used_pages,
					 fs.max_inodes, fs.used_inodes };
		void *buf;

		if (q.len < sizeof(u))
			return -AE_EINVAL;
		buf = node_req_buf(m, &q, BUS_GRANT_WRITE, &rc);
		if (!buf)
			return rc ? rc : -AE_EFAULT;
		memcpy(buf, &u, sizeof(u));
		memset(reply->data, 0, sizeof(int32_t));	/* its answer */
		reply->len = sizeof(int32_t);
		return 0;
	}
	if (m->topic == TOPIC_NODE_IOCTL)
		return -AE_ENOTTY;
	return -AE_ENOSYS;
}

SERVICE(tmpfs,
	.name = "tmpfs",
	.init = tmpfs_svc_init,
	.handler = tmpfs_handle,
	.subscribe = SUBSCRIBES_TMPFS,
	.serves = SERVES_TMPFS,
	.needs = SERVICE_LIST("ns", "mm"),
	.sysfs = "tmpfs");
