/*
 * ns.c - the node namespace service (see aegis/node.h): the mount table
 * and the open-file table, forwarding every operation to the service
 * mounted where the path leads.
 *
 * A mount is one path component under the root ("dev", "sys"), owned by
 * the service that asked for it ("ns.mount", payload the name); the root
 * itself is a directory ns answers, listing the mounts. An open file
 * remembers its owner's bus id and generation: after the owner restarts,
 * the file answers -ESTALE (its handles died with the old instance) until
 * it is closed.
 *
 * A restart of ns itself keeps the mounts (the namespace is the
 * system's, as tmpfs's files are: a path resolves the same the moment ns
 * is back) and forgets the files. The init checks what it kept: an entry
 * whose name is not one component, which repeats a name, or whose owner
 * is no longer a service goes. The owners still mount again when they
 * see ns's new generation (node_owner_check, at their next message: the
 * supervisor's "service.up" is one), which finds their mount kept. A
 * handle of the old instance answers -ESTALE: the handle a client holds
 * carries ns's generation above its slot (bits 16 and up, FD_GEN), so it
 * can never name a slot of the new instance.
 */
#include <string.h>
#include <aegis/bus.h>
#include <aegis/clients.h>
#include <aegis/errno.h>
#include <aegis/kprintf.h>
#include <aegis/linux.h>
#include <aegis/node.h>
#include <aegis/service.h>
#include <aegis/topics.h>

#define MOUNTS_MAX	8
#define ROOT_HANDLE	0xffffffffu	/* an open root directory */
#define FD_SLOT		0xffffu		/* a client's handle: the slot ... */
#define FD_GEN(g)	(((g) & 0x7fffu) << 16)	/* ... and ns's generation */

static uint32_t gen_bits;	/* FD_GEN of this instance */

static struct {
	char name[16];
	bus_svc_t owner;
} mounts[MOUNTS_MAX];
static unsigned int nmounts;

static struct file {
	bool used;
	bool fs;		/* its owner is the root's file system */
	bus_svc_t owner;
	uint32_t generation;
	uint32_t handle;
	uint32_t flags;
	uint32_t off;
	uint32_t refs;		/* holders (ns.dup); closed at the last */
} files[NODE_FILES_MAX];

enum { T_MOUNT, T_OPEN, T_READ, T_WRITE, T_IOCTL, T_CLOSE, T_STAT,
       T_READDIR, T_SEEK, T_CREATE, T_REMOVE, T_RENAME, T_LINK,
       T_READLINK, T_SETATTR, T_DUP, T_PIPE, N_OPS };
static const bus_topic_t ns_topics[N_OPS] = {
	TOPIC_NS_MOUNT, TOPIC_NS_OPEN, TOPIC_NS_READ, TOPIC_NS_WRITE,
	TOPIC_NS_IOCTL, TOPIC_NS_CLOSE, TOPIC_NS_STAT, TOPIC_NS_READDIR,
	TOPIC_NS_SEEK, TOPIC_NS_CREATE, TOPIC_NS_REMOVE, TOPIC_NS_RENAME,
	TOPIC_NS_LINK, TOPIC_NS_READLINK, TOPIC_NS_SETATTR, TOPIC_NS_DUP,
	TOPIC_NS_PIPE,
};

static void mounted(const char *name, bus_svc_t owner);

/* Kept mount entry i can stand beside the first kept ones: one
 * component (or "/"), a name none of those has, owned by a service that
 * still exists and is no process. */
static bool mount_sound(unsigned int i, unsigned int kept)
{
	const char *name = mounts[i].name;
	size_t len = strnlen(name, sizeof(mounts[i].name));

	if (len == 0 || len == sizeof(mounts[i].name) ||
	    (strchr(name, '/') && strcmp(name, "/") != 0))
		return false;
	for (unsigned int k = 0; k < kept; k++)
		if (strcmp(mounts[k].name, name) == 0)
			return false;
	/* a service, never a process (as ns.mount itself requires) */
	return bus_svc_state(mounts[i].owner) != BUS_SVC_FREE &&
	       !(bus_svc_flags(mounts[i].owner) & BUS_SVC_F_USER);
}

static int ns_init(void)
{
	unsigned int kept = 0;
	int self = bus_svc_find("ns");

	/* A restart forgets the files (handles of the old instance are
	 * stale: FD_GEN) and keeps the mounts that are sound, announced
	 * again under the new generation. At the first start there are
	 * none. */
	memset(files, 0, sizeof(files));
	gen_bits = self < 0 ? 0 : FD_GEN(bus_svc_generation((bus_svc_t)self));
	if (nmounts > MOUNTS_MAX)
		nmounts = 0;
	for (unsigned int i = 0; i < nmounts; i++) {
		if (!mount_sound(i, kept)) {
			kprintf("ns: a kept mount is unsound and goes "
				"(slot %u)\n", i);
			continue;
		}
		mounts[kept++] = mounts[i];
	}
	nmounts = kept;
	for (unsigned int i = 0; i < nmounts; i++)
		mounted(mounts[i].name, mounts[i].owner);
	return 0;
}

/* "ns.mounted": who mounted what, under this instance's generation (the
 * proc service keeps the table for /proc/mounts from these) */
static void mounted(const char *name, bus_svc_t owner)
{
	struct ns_mount_event ev;
	int self = bus_svc_find("ns");

	memset(&ev, 0, sizeof(ev));
	ev.gen = self < 0 ? 0 : bus_svc_generation((bus_svc_t)self);
	memcpy(ev.name, name, strnlen(name, sizeof(ev.name) - 1));
	memcpy(ev.service, bus_svc_name(owner),
	       strnlen(bus_svc_name(owner), sizeof(ev.service) - 1));
	bus_publish(TOPIC_NS_MOUNTED, BUS_PRIO_DEFAULT, &ev, sizeof(ev));
}

static int do_mount(const struct bus_msg *m)
{
	char name[16];

	if (bus_svc_flags(m->src) & BUS_SVC_F_USER)
		return -AE_EPERM;	/* only services own nodes */
	if (m->len == 0 || m->len >= sizeof(name))
		return -AE_EINVAL;
	memcpy(name, m->data, m->len);
	name[m->len] = '\0';
	if (strchr(name, '/') && strcmp(name, "/") != 0)
		return -AE_EINVAL;	/* one name, or the root: "/" */
	for (unsigned int i = 0; i < nmounts; i++) {
		if (strcmp(mounts[i].name, name) == 0) {
			if (mounts[i].owner != m->src)
				return -AE_EEXIST;
			/* the owner again (it or ns restarted): told again,
			 * in case the announcement of ns's init was lost */
			mounted(name, m->src);
			return 0;
		}
	}
	if (nmounts == MOUNTS_MAX)
		return -AE_ENOSPC;
	memcpy(mounts[nmounts].name, name, sizeof(name));
	mounts[nmounts].owner = m->src;
	nmounts++;
	mounted(name, m->src);
	return 0;
}

/* The mount on "/" (a file system: tmpfs), or -1. */
static int root_mount(void)
{
	for (unsigned int i = 0; i < nmounts; i++)
		if (strcmp(mounts[i].name, "/") == 0)
			return (int)i;
	return -1;
}

/* Split an absolute path (NUL-terminated, len bytes): the mount it
 * names and the rest after it. Returns the mount index, MOUNTS_MAX for
 * ns's own root directory (when nothing is mounted on "/"), or an
 * error. A path no mount names is the root file system's. */
static int resolve(const char *path, uint32_t len, const char **rest)
{
	const char *p = path + 1, *slash;
	int root = root_mount();
	size_t n;

	if (path[0] != '/' || strlen(path) != len)
		return -AE_EINVAL;
	if (len == 1 && root < 0)
		return MOUNTS_MAX;
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	for (unsigned int i = 0; n && i < nmounts; i++) {
		if (strlen(mounts[i].name) == n &&
		    memcmp(mounts[i].name, p, n) == 0) {
			*rest = slash ? slash + 1 : p + n;
			return (int)i;
		}
	}
	if (root < 0)
		return -AE_ENOENT;
	*rest = p;
	return root;
}

static bool is_fs(int mi)
{
	return mi >= 0 && mi < MOUNTS_MAX && mi == root_mount();
}

/* Copy the path q->buf lends into path[NODE_PATH_MAX] (NUL-terminated). */
static int take_path(const struct bus_msg *m, const struct node_req *q,
		     char *path)
{
	const char *p;
	int rc;

	if (q->len == 0)
		return -AE_EINVAL;
	if (q->len >= NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	p = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (!p)
		return rc ? rc : -AE_EFAULT;
	memcpy(path, p, q->len);
	path[q->len] = '\0';
	return 0;
}

/* Forward req to owner as operation op, through the node interface's
 * typed calls (the bus checks the owner's reply against its contract);
 * the reply's word, for the operations that have one, in *out. Mount
 * and seek are never forwarded: they are ns's own (a file's offset lives
 * in its open-file table). */
static int forward(bus_svc_t owner, int op, const struct node_req *req,
		   uint32_t *out)
{
	uint32_t word = 0;
	int32_t answer = 0;
	int rc;

	switch (op) {
	case T_OPEN:
		rc = call_node_open(owner, req, &word);
		break;
	case T_READ:
		rc = call_node_read(owner, req, &word);
		break;
	case T_WRITE:
		rc = call_node_write(owner, req, &word);
		break;
	case T_IOCTL:
		rc = call_node_ioctl(owner, req, &answer);
		word = (uint32_t)answer;
		break;
	case T_READLINK:
		rc = call_node_readlink(owner, req, &word);
		break;
	case T_CLOSE:
		return call_node_close(owner, req);
	case T_STAT:
		return call_node_stat(owner, req);
	case T_READDIR:
		return call_node_readdir(owner, req);
	case T_CREATE:
		return call_node_create(owner, req);
	case T_REMOVE:
		return call_node_remove(owner, req);
	case T_RENAME:
		return call_node_rename(owner, req);
	case T_LINK:
		return call_node_link(owner, req);
	case T_SETATTR:
		return call_node_setattr(owner, req);
	default:
		return -AE_ENOSYS;
	}
	if (rc == 0 && out)
		*out = word;
	return rc;
}

/* Forward an operation on a path with len bytes of buf (the rest of
 * the path, and what follows it), lent anew (ns's own copy); q->out
 * passed on. */
static int forward_buf(const struct bus_msg *m, bus_svc_t owner, int op,
		       const struct node_req *q, const char *rest,
		       uint32_t len, uint32_t *out)
{
	struct node_req fw = *q;
	int rc;

	fw.len = len;
	fw.buf = 0;
	if (fw.len) {
		rc = bus_grant_new(rest, fw.len, BUS_GRANT_READ, owner,
				   &fw.buf);
		if (rc)
			return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	}
	rc = bus_grant_pass(m, q->out, owner);
	if (rc == 0)
		rc = forward(owner, op, &fw, out);
	bus_grant_end(fw.buf);
	return rc;
}

static int forward_path(const struct bus_msg *m, bus_svc_t owner, int op,
			const struct node_req *q, const char *rest,
			uint32_t *out)
{
	return forward_buf(m, owner, op, q, rest, (uint32_t)strlen(rest), out);
}

#define LINK_HOPS	8	/* links followed across mounts in one lookup */

/* The link at rest of mount mi (for the request q, path its full path)
 * that its owner would not follow (-EXDEV): its target, made a full
 * path, in path. */
static int follow(int mi, const struct node_req *q, char *path)
{
	char target[NODE_PATH_MAX], rest[NODE_PATH_MAX], dir[NODE_PATH_MAX];
	bus_svc_t owner = mounts[mi].owner;
	struct node_req fw = *q;
	const char *r = "";
	uint32_t n = 0;
	char *slash;
	int rc;

	if (resolve(path, (uint32_t)strlen(path), &r) != mi)
		return -AE_ENOENT;
	memcpy(rest, r, strlen(r) + 1);
	fw.len = (uint32_t)strlen(rest);
	fw.buf = fw.out = 0;
	fw.flags = 0;
	fw.off = sizeof(target) - 1;
	rc = bus_grant_new(rest, fw.len, BUS_GRANT_READ, owner, &fw.buf);
	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	rc = bus_grant_new(target, sizeof(target) - 1, BUS_GRANT_WRITE, owner,
			   &fw.out);
	if (rc == 0)
		rc = forward(owner, T_READLINK, &fw, &n);
	bus_grant_end(fw.buf);
	bus_grant_end(fw.out);
	if (rc)
		return rc;
	if (n >= sizeof(target))
		return -AE_ENAMETOOLONG;
	target[n] = '\0';
	memcpy(dir, path, strlen(path) + 1);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';	/* the link's directory */
	return path_resolve(target, dir, path, NODE_PATH_MAX);
}

/* A free slot for an open by uid, who must leave NODE_FILES_RESERVE to
 * root unless it is root. */
static int new_file(uint32_t uid)
{
	unsigned int used = 0;
	int free_slot = -AE_EMFILE;

	for (int i = NODE_FILES_MAX - 1; i >= 0; i--) {
		if (files[i].used)
			used++;
		else
			free_slot = i;
	}
	if (!node_slot_allowed(used, NODE_FILES_MAX, NODE_FILES_RESERVE, uid))
		return -AE_EMFILE;
	return free_slot;
}

static int do_open(const struct bus_msg *m, const struct node_req *q,
		   struct bus_msg *reply)
{
	char path[NODE_PATH_MAX];
	const char *rest = "";
	int mi, fd, rc;
	uint32_t handle = 0;

	if (q->flags & ~(NODE_READ | NODE_WRITE | NODE_DIR) || !q->flags)
		return -AE_EINVAL;
	rc = take_path(m, q, path);
	if (rc)
		return rc;
	fd = new_file(q->uid);
	if (fd < 0)
		return fd;
	for (int hops = 0;; hops++) {
		mi = resolve(path, (uint32_t)strlen(path), &rest);
		if (mi < 0)
			return mi;
		if (mi == MOUNTS_MAX)
			break;
		{
			struct node_req fw = *q;

			fw.out = 0;
			rc = forward_path(m, mounts[mi].owner, T_OPEN, &fw,
					  rest, &handle);
		}
		if (rc != -AE_EXDEV)
			break;
		if (hops == LINK_HOPS)
			return -AE_ELOOP;
		rc = follow(mi, q, path);	/* a link across mounts */
		if (rc)
			return rc;
	}
	if (mi == MOUNTS_MAX) {
		if (!(q->flags & NODE_DIR) || (q->flags & NODE_WRITE))
			return -AE_EISDIR;
		files[fd] = (struct file){ true, false, BUS_SVC_KERNEL, 0,
					    ROOT_HANDLE, q->flags, 0, 1 };
	} else {
		if (rc)
			return rc;
		files[fd] = (struct file){
			true, is_fs(mi), mounts[mi].owner,
			bus_svc_generation(mounts[mi].owner), handle,
			q->flags, 0, 1 };
	}
	fd |= (int)gen_bits;
	memcpy(reply->data, &fd, sizeof(fd));
	reply->len = sizeof(fd);
	return 0;
}

/* The slot of a client's handle: -ESTALE for one of an earlier instance
 * of ns, -EBADF for one that was never given out. */
static int slot_of(uint32_t fd)
{
	if ((fd & ~FD_SLOT) != gen_bits)
		return (fd & ~FD_SLOT) && !(fd & 0x80000000u) ? -AE_ESTALE :
							       -AE_EBADF;
	if ((fd & FD_SLOT) >= NODE_FILES_MAX || !files[fd & FD_SLOT].used)
		return -AE_EBADF;
	return (int)(fd & FD_SLOT);
}

static struct file *file_of(uint32_t fd, int *rc)
{
	struct file *f;
	int i = slot_of(fd);

	if (i < 0) {
		*rc = i;
		return NULL;
	}
	f = &files[i];
	if (f->handle != ROOT_HANDLE &&
	    bus_svc_generation(f->owner) != f->generation) {
		*rc = -AE_ESTALE;	/* the owner restarted */
		return NULL;
	}
	*rc = 0;
	return f;
}

/* readdir of the root: the mounts */
static int root_readdir(const struct bus_msg *m, const struct node_req *q)
{
	struct node_dirent d, *out;

	if (q->off >= nmounts)
		return -AE_ENOENT;
	out = node_req_out(m, q, sizeof(d));
	if (!out)
		return -AE_EFAULT;
	memset(&d, 0, sizeof(d));
	memcpy(d.name, mounts[q->off].name, sizeof(mounts[0].name));
	d.kind = NODE_KIND_DIR;
	memcpy(out, &d, sizeof(d));
	return 0;
}

/* The size of file system file f, from its owner. */
static int size_of(struct file *f, uint64_t *size)
{
	struct node_stat st = { 0 };
	struct node_req q;
	int rc;

	memset(&q, 0, sizeof(q));
	q.handle = f->handle;
	q.flags = NODE_STAT_HANDLE;
	rc = bus_grant_new(&st, sizeof(st), BUS_GRANT_WRITE, f->owner, &q.out);
	if (rc)
		return rc == -AE_ENOSPC ? -AE_EAGAIN : rc;
	rc = forward(f->owner, T_STAT, &q, NULL);
	bus_grant_end(q.out);
	if (rc == 0)
		*size = st.size;
	return rc;
}

static int do_file_op(const struct bus_msg *m, int op,
		      const struct node_req *q, struct bus_msg *reply)
{
	struct node_req fw = *q;
	struct file *f;
	uint32_t out = 0;
	int rc;

	f = file_of(q->handle, &rc);
	if (op == T_CLOSE && rc == -AE_ESTALE) {
		int i = slot_of(q->handle);

		if (i >= 0 && --files[i].refs == 0)
			files[i].used = false;	/* its owner restarted */
		return 0;		/* (ns restarted: nothing at all) */
	}
	if (!f)
		return rc;
	if (op == T_CLOSE && f->refs > 1) {
		f->refs--;		/* another holder has it still */
		return 0;
	}
	if (op == T_WRITE && (q->flags & NODE_APPEND)) {
		uint64_t end;

		if (!f->fs)
			return -AE_EINVAL;
		rc = size_of(f, &end);
		if (rc)
			return rc;
		f->off = (uint32_t)end;
	}
	if ((op == T_READ && !(f->flags & NODE_READ)) ||
	    (op == T_WRITE && !(f->flags & NODE_WRITE)))
		return -AE_EBADF;
	if (f->handle == ROOT_HANDLE) {
		if (op == T_CLOSE) {
			f->used = false;
			return 0;
		}
		return op == T_READDIR ? root_readdir(m, q) : -AE_EISDIR;
	}
	fw.handle = f->handle;
	if (op == T_READ || op == T_WRITE)
		fw.off = f->off;
	rc = bus_grant_pass(m, q->buf, f->owner);
	if (rc == 0)
		rc = bus_grant_pass(m, q->out, f->owner);
	if (rc == 0)
		rc = forward(f->owner, op, &fw, &out);
	if (op == T_CLOSE)
		f->used = false;
	if (rc)
		return rc;
	if (op == T_READ || op == T_WRITE)
		f->off += out;
	memcpy(reply->data, &out, sizeof(out));
	reply->len = sizeof(out);
	return 0;
}

/* The offset moves to q->seek (whence NODE_SEEK_SET) or by it (_CUR,
 * or from the end of a file system's file: _END). */
static int do_seek(const struct node_req *q, struct bus_msg *reply)
{
	struct file *f;
	int64_t to, base = 0;
	uint32_t out;
	int rc;

	f = file_of(q->handle, &rc);
	if (!f)
		return rc;
	if (q->flags > NODE_SEEK_END || (q->flags == NODE_SEEK_END && !f->fs))
		return -AE_EINVAL;
	if (q->seek < -(int64_t)UINT32_MAX || q->seek > (int64_t)UINT32_MAX)
		return -AE_EINVAL;
	if (q->flags == NODE_SEEK_END) {
		uint64_t end;

		rc = size_of(f, &end);
		if (rc)
			return rc;
		base = (int64_t)end;
	} else if (q->flags == NODE_SEEK_CUR) {
		base = f->off;
	}
	to = q->seek + base;
	if (to < 0 || to > (int64_t)UINT32_MAX)
		return -AE_EINVAL;
	f->off = (uint32_t)to;
	out = f->off;
	memcpy(reply->data, &out, sizeof(out));
	reply->len = sizeof(out);
	return 0;
}

static int do_stat(const struct bus_msg *m, const struct node_req *q)
{
	char path[NODE_PATH_MAX];
	const char *rest = "";
	struct node_stat st, *out;
	int mi, rc;

	rc = take_path(m, q, path);
	if (rc)
		return rc;
	out = node_req_out(m, q, sizeof(st));
	if (!out)
		return -AE_EFAULT;
	for (int hops = 0;; hops++) {
		mi = resolve(path, (uint32_t)strlen(path), &rest);
		if (mi < 0)
			return mi;
		if (mi == MOUNTS_MAX) {
			memset(&st, 0, sizeof(st));
			st.kind = NODE_KIND_DIR;
			st.mode = 0555;
			memcpy(out, &st, sizeof(st));
			return 0;
		}
		rc = forward_path(m, mounts[mi].owner, T_STAT, q, rest, NULL);
		if (rc != -AE_EXDEV || (q->flags & NODE_NOFOLLOW))
			return rc;
		if (hops == LINK_HOPS)
			return -AE_ELOOP;
		rc = follow(mi, q, path);	/* a link across mounts */
		if (rc)
			return rc;
	}
}

/* Two NUL-separated strings lent in q->buf (a path, then a second path
 * or a link's target; with one string, *second is ""). */
static int take_pair(const struct bus_msg *m, const struct node_req *q,
		     char *both, const char **second)
{
	const char *p;
	size_t first;
	int rc;

	if (q->len == 0)
		return -AE_EINVAL;
	if (q->len >= 2 * NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	p = node_req_buf(m, q, BUS_GRANT_READ, &rc);
	if (!p)
		return rc ? rc : -AE_EFAULT;
	memcpy(both, p, q->len);
	both[q->len] = '\0';
	first = strlen(both);
	if (first >= NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	*second = first < q->len ? both + first + 1 : both + first;
	if (strlen(*second) >= NODE_PATH_MAX)
		return -AE_ENAMETOOLONG;
	return 0;
}

/* create, remove, readlink and setattr of a path: only a file system
 * makes, removes and changes names (-EROFS elsewhere). */
static int do_path_op(const struct bus_msg *m, int op,
		      const struct node_req *q, struct bus_msg *reply)
{
	char both[2 * NODE_PATH_MAX + 1], fw[2 * NODE_PATH_MAX + 1];
	const char *rest = "", *target;
	size_t rlen, tlen;
	uint32_t out = 0;
	int mi, rc;

	rc = take_pair(m, q, both, &target);
	if (rc)
		return rc;
	mi = resolve(both, (uint32_t)strlen(both), &rest);
	if (mi < 0)
		return mi;
	if (!is_fs(mi) && !(op == T_READLINK && mi != MOUNTS_MAX)) {
		if (op == T_READLINK)
			return -AE_EINVAL;	/* not a link */
		if (op == T_CREATE && (mi == MOUNTS_MAX || !*rest))
			return -AE_EEXIST;	/* a root or a mount point */
		if (op == T_REMOVE && (mi == MOUNTS_MAX || !*rest))
			return -AE_EBUSY;
		return -AE_EROFS;
	}
	rlen = strlen(rest);
	tlen = op == T_CREATE ? strlen(target) : 0;
	memcpy(fw, rest, rlen + 1);
	if (tlen)
		memcpy(fw + rlen + 1, target, tlen + 1);
	rc = forward_buf(m, mounts[mi].owner, op, q, fw,
			 (uint32_t)(tlen ? rlen + 1 + tlen : rlen), &out);
	if (rc == 0 && op == T_READLINK) {
		memcpy(reply->data, &out, sizeof(out));
		reply->len = sizeof(out);
	}
	return rc;
}

/* rename and link: both paths on the one file system (-EXDEV). */
static int do_pair_op(const struct bus_msg *m, int op,
		      const struct node_req *q)
{
	char both[2 * NODE_PATH_MAX + 1], fw[2 * NODE_PATH_MAX + 1];
	const char *to, *r1 = "", *r2 = "";
	int m1, m2, rc;
	size_t n1, n2;

	rc = take_pair(m, q, both, &to);
	if (rc)
		return rc;
	m1 = resolve(both, (uint32_t)strlen(both), &r1);
	if (m1 < 0)
		return m1;
	m2 = resolve(to, (uint32_t)strlen(to), &r2);
	if (m2 < 0)
		return m2;
	if (m1 != m2)
		return -AE_EXDEV;
	if (!is_fs(m1))
		return m1 == MOUNTS_MAX || !*r1 ? -AE_EBUSY : -AE_EROFS;
	n1 = strlen(r1);
	n2 = strlen(r2);
	memcpy(fw, r1, n1 + 1);
	memcpy(fw + n1 + 1, r2, n2 + 1);
	return forward_buf(m, mounts[m1].owner, op, q, fw,
			   (uint32_t)(n1 + 1 + n2), NULL);
}

/* stat, setattr and dup of an open handle */
static int do_handle_op(const struct bus_msg *m, int op,
			const struct node_req *q)
{
	struct node_req fw = *q;
	struct file *f;
	int rc;

	f = file_of(q->handle, &rc);
	if (!f)
		return rc;
	if (op == T_DUP) {
		if (f->refs >= 4096)
			return -AE_EMFILE;
		f->refs++;
		return 0;
	}
	if (!f->fs)
		return op == T_STAT ? -AE_ENOSYS : -AE_EROFS;
	fw.handle = f->handle;
	fw.len = 0;
	fw.buf = 0;
	rc = bus_grant_pass(m, q->out, f->owner);
	return rc ? rc : forward(f->owner, op, &fw, NULL);
}

/* A new pipe from the pipe service: two files of ns, its ends. */
static int do_pipe(const struct node_req *q, struct bus_msg *reply)
{
	struct node_pipe_rep ends, rep;
	int owner = bus_contract_owner(TOPIC_PIPE_NEW), r, w, rc;

	if (owner < 0)
		return -AE_ENOSYS;	/* no pipe service */
	r = new_file(q->uid);
	if (r < 0)
		return r;
	files[r].used = true;		/* held while the second is found */
	w = new_file(q->uid);
	files[r].used = false;
	if (w < 0)
		return w;
	rc = call_pipe_new(q, &ends);
	if (rc)
		return rc;
	files[r] = (struct file){ true, false, (bus_svc_t)owner,
				  bus_svc_generation((bus_svc_t)owner),
				  ends.rd, NODE_READ, 0, 1 };
	files[w] = (struct file){ true, false, (bus_svc_t)owner,
				  bus_svc_generation((bus_svc_t)owner),
				  ends.wr, NODE_WRITE, 0, 1 };
	rep.rd = (uint32_t)r | gen_bits;
	rep.wr = (uint32_t)w | gen_bits;
	memcpy(reply->data, &rep, sizeof(rep));
	reply->len = sizeof(rep);
	return 0;
}

static int ns_handle(void *state, const struct bus_msg *m,
		     struct bus_msg *reply)
{
	struct node_req q;
	int op = -1;

	(void)state;
	if (m->kind != BUS_REQUEST)
		return 0;
	/* processes reach files through the gateway, which gives their
	 * credentials; a request of their own would name anyone's handles */
	if (bus_svc_flags(m->src) & BUS_SVC_F_USER)
		return -AE_EPERM;
	for (int i = 0; i < N_OPS; i++)
		if (m->topic == ns_topics[i])
			op = i;
	if (op < 0)
		return -AE_ENOSYS;
	if (op == T_MOUNT)
		return do_mount(m);
	if (m->len != sizeof(q))
		return -AE_EINVAL;
	memcpy(&q, m->data, sizeof(q));
	if (op == T_OPEN)
		return do_open(m, &q, reply);
	if (op == T_PIPE)
		return do_pipe(&q, reply);
	if (op == T_DUP || (op == T_STAT && (q.flags & NODE_STAT_HANDLE)) ||
	    (op == T_SETATTR && !q.len))
		return do_handle_op(m, op, &q);
	if (op == T_STAT)
		return do_stat(m, &q);
	if (op == T_CREATE || op == T_REMOVE || op == T_READLINK ||
	    op == T_SETATTR)
		return do_path_op(m, op, &q, reply);
	if (op == T_RENAME || op == T_LINK)
		return do_pair_op(m, op, &q);
	if (op == T_SEEK)
		return do_seek(&q, reply);
	return do_file_op(m, op, &q, reply);
}

SERVICE(ns,
	.name = "ns",
	.rescue = true,
	.prio = SERVICE_PRIO(2),
	.init = ns_init,
	.handler = ns_handle,
	.subscribe = SUBSCRIBES_NS,
	.serves = SERVES_NS);
