/*
 * linux_fs.c - the Linux personality's file calls (kernel/linux_syscalls.def,
 * docs/LINUX_ABI.md) on the node namespace: /dev and /sys (devnodes/ns.c).
 * Each call is the node client's request to ns, as a native program's
 * open, read, stat and readdir are; what Linux has and the namespace does
 * not (links, creating files) is refused the way Linux refuses it on a
 * file system without them.
 */
#include <string.h>
#include <aegis/errno.h>
#include <aegis/linux.h>
#include <aegis/linux_syscalls.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/syscall.h>

#define PROC_OR_ESRCH(p)			\
	struct proc *p = proc_self();		\
	if (!p)					\
		return -AE_ESRCH

/* Linux's open flags (LINUX_O_DIRECTORY: aegis/linux.h, per arch) */
#define O_ACCMODE	3
#define O_WRONLY	1
#define O_RDWR		2
#define O_CREAT		0100
#define O_EXCL		0200
#define O_APPEND	02000
#define O_NONBLOCK	04000
#define O_CLOEXEC	02000000
#define AT_FDCWD	(-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH	0x1000

#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFREG		0100000

static struct node_cred cred(const struct proc *p)
{
	uint32_t id = proc_privileged(p) ? 0 : PROC_UID_USER;

	return (struct node_cred){ id, id };
}

/* The NUL-terminated user string at va, made a namespace path (relative
 * ones from the working directory, "/"). */
static int user_path(uint64_t va, char *out, size_t size)
{
	char raw[NODE_PATH_MAX];
	size_t n;

	/* a byte at a time: a string may end just before memory that is
	 * not mapped */
	for (n = 0; n < sizeof(raw); n++) {
		int rc = syscall_copy(raw + n, va + n, 1, false);

		if (rc)
			return rc;
		if (!raw[n])
			return path_resolve(raw, "/", out, size);
	}
	return -AE_ENAMETOOLONG;
}

static int open_path(struct proc *p, const char *path, uint64_t flags)
{
	struct node_stat st;
	struct proc_lfd *l;
	uint32_t want = 0;
	int rc, h, fd;

	rc = node_stat(path, &st, cred(p));
	if (rc == -AE_ENOENT && (flags & O_CREAT))
		return -AE_EROFS;	/* nothing here makes files */
	if (rc)
		return rc;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -AE_EEXIST;
	if ((flags & LINUX_O_DIRECTORY) && st.kind != NODE_KIND_DIR)
		return -AE_ENOTDIR;
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		want = NODE_WRITE;
		break;
	case O_RDWR:
		want = NODE_READ | NODE_WRITE;
		break;
	default:
		want = NODE_READ;
		break;
	}
	if (st.kind == NODE_KIND_DIR) {
		if (want & NODE_WRITE)
			return -AE_EISDIR;
		want = NODE_READ | NODE_DIR;
	}
	h = node_open(path, want, cred(p));
	if (h < 0)
		return h;
	fd = proc_fd_add(p, h);
	if (fd < 0) {
		node_close(h);
		return fd;
	}
	l = proc_lfd(p, fd);
	memset(l, 0, sizeof(*l));
	memcpy(l->path, path, strnlen(path, sizeof(l->path) - 1));
	l->flags = (uint32_t)flags & ~(uint32_t)O_CLOEXEC;
	if (st.kind == NODE_KIND_DIR)
		l->flags |= LINUX_O_DIRECTORY;	/* what getdents64 reads */
	l->cloexec = flags & O_CLOEXEC;
	return fd;
}

int64_t lsys_openat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_path(a[1], path, sizeof(path));
	return rc ? rc : open_path(p, path, a[2]);
}

int64_t lsys_open(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1], a[2] };

	return lsys_openat(b);
}

int64_t lsys_close(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	int64_t rc = sys_close(a);
	PROC_OR_ESRCH(p);

	l = proc_lfd(p, (int)a[0]);
	if (rc == 0 && l)
		memset(l, 0, sizeof(*l));
	return rc;
}

int64_t lsys_read(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	PROC_OR_ESRCH(p);

	l = proc_lfd(p, (int)a[0]);
	if (l && l->path[0] && (l->flags & LINUX_O_DIRECTORY))
		return -AE_EISDIR;
	return sys_read(a);
}

int64_t lsys_lseek(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	int h;
	PROC_OR_ESRCH(p);

	if (a[2] == 2)
		return -AE_EINVAL;	/* SEEK_END: no fixed end */
	h = proc_fd_get(p, (int)a[0]);
	if (h == PROC_FD_CONSOLE)
		return -AE_ESPIPE;
	if (h < 0)
		return h;
	l = proc_lfd(p, (int)a[0]);
	if (l && l->path[0] && (l->flags & LINUX_O_DIRECTORY)) {
		int64_t to = a[2] ? (int64_t)l->pos + (int64_t)a[1]
				  : (int64_t)a[1];

		if (to < 0 || to > 0xffffffffll)
			return -AE_EINVAL;
		l->pos = (uint32_t)to;
		return to;
	}
	return sys_seek(a);
}

static uint64_t inode_of(const char *path)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	for (; *path; path++)
		h = (h ^ (uint8_t)*path) * 1099511628211ull;
	return h ? h : 1;
}

/* The arch's struct stat for a node (or the console: path NULL). */
static int put_stat(const struct node_stat *st, const char *path, uint64_t va)
{
	uint32_t type = !path ? S_IFCHR :
			st->kind == NODE_KIND_DIR ? S_IFDIR :
			st->kind == NODE_KIND_DEV ? S_IFCHR : S_IFREG;
	uint32_t mode = type | (path ? st->mode & 07777 : 0620);
	uint64_t ino = path ? inode_of(path) : 1, size = path ? st->size : 0;
	uint32_t uid = path ? st->uid : 0, gid = path ? st->gid : 0;
	uint64_t rdev = path ? 0 : (5u << 8 | 1);	/* /dev/console */
	struct linux_stat s;

	memset(&s, 0, sizeof(s));
	s.nlink = 1;
	s.blksize = 4096;
	s.dev = 1;
	s.ino = ino;
	s.mode = mode;
	s.uid = uid;
	s.gid = gid;
	s.rdev = rdev;
	s.size = (int64_t)size;
	s.blocks = (int64_t)((size + 511) / 512);
	return syscall_copy(&s, va, sizeof(s), true);
}

static int stat_path(struct proc *p, const char *path, uint64_t va)
{
	struct node_stat st;
	int rc = node_stat(path, &st, cred(p));

	return rc ? rc : put_stat(&st, path, va);
}

static int stat_fd(struct proc *p, int fd, uint64_t va)
{
	struct proc_lfd *l = proc_lfd(p, fd);
	int h = proc_fd_get(p, fd);

	if (h == PROC_FD_CONSOLE)
		return put_stat(NULL, NULL, va);
	if (h < 0)
		return h;
	if (!l || !l->path[0])
		return -AE_EBADF;	/* opened by no Linux call */
	return stat_path(p, l->path, va);
}

int64_t lsys_fstat(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return stat_fd(p, (int)a[0], a[1]);
}

int64_t lsys_newfstatat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	char first = 0;
	int rc;
	PROC_OR_ESRCH(p);

	if (a[3] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -AE_EINVAL;
	if (a[3] & AT_EMPTY_PATH) {
		rc = syscall_copy(&first, a[1], 1, false);
		if (rc)
			return rc;
		if (!first)
			return stat_fd(p, (int)a[0], a[2]);
	}
	rc = user_path(a[1], path, sizeof(path));
	return rc ? rc : stat_path(p, path, a[2]);
}

int64_t lsys_stat(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1], 0 };

	return lsys_newfstatat(b);
}

int64_t lsys_lstat(const uint64_t a[SYS_ARGS_MAX])
{
	return lsys_stat(a);
}

int64_t lsys_getdents64(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	uint64_t done = 0;
	int h;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	if (h == PROC_FD_CONSOLE)
		return -AE_ENOTDIR;
	if (h < 0)
		return h;
	l = proc_lfd(p, (int)a[0]);
	if (!l || !l->path[0] || !(l->flags & LINUX_O_DIRECTORY))
		return -AE_ENOTDIR;
	for (;;) {
		struct node_dirent d;
		char path[NODE_PATH_MAX];
		struct {
			uint64_t ino;
			int64_t off;
			uint16_t reclen;
			uint8_t type;
			char name[NODE_NAME_MAX + 5];
		} __attribute__((packed)) e;
		size_t nlen, reclen;
		int rc = node_readdir(h, l->pos, &d);

		if (rc == -AE_ENOENT)
			break;		/* past the last */
		if (rc)
			return done ? (int64_t)done : rc;
		d.name[sizeof(d.name) - 1] = '\0';
		nlen = strlen(d.name);
		reclen = (19 + nlen + 1 + 7) & ~(size_t)7;
		if (done + reclen > a[2])
			return done ? (int64_t)done : -AE_EINVAL;
		memset(&e, 0, sizeof(e));
		if (path_resolve(d.name, l->path, path, sizeof(path)))
			path[0] = '\0';
		e.ino = inode_of(path);
		e.off = (int64_t)l->pos + 1;
		e.reclen = (uint16_t)reclen;
		e.type = d.kind == NODE_KIND_DIR ? 4 :	/* DT_DIR */
			 d.kind == NODE_KIND_DEV ? 2 : 8;	/* DT_CHR, DT_REG */
		memcpy(e.name, d.name, nlen);
		rc = syscall_copy(&e, a[1] + done, reclen, true);
		if (rc)
			return done ? (int64_t)done : rc;
		done += reclen;
		l->pos++;
	}
	return (int64_t)done;
}

int64_t lsys_readlinkat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	struct node_stat st;
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_path(a[1], path, sizeof(path));
	if (rc)
		return rc;
	rc = node_stat(path, &st, cred(p));
	return rc ? rc : -AE_EINVAL;	/* there, and not a link */
}

int64_t lsys_readlink(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1], a[2] };

	return lsys_readlinkat(b);
}

int64_t lsys_faccessat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	struct node_stat st;
	uint32_t bits;
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_path(a[1], path, sizeof(path));
	if (rc)
		return rc;
	rc = node_stat(path, &st, cred(p));
	if (rc || !a[2] || proc_privileged(p))
		return rc;
	bits = st.uid == PROC_UID_USER ? st.mode >> 6 :
	       st.gid == PROC_UID_USER ? st.mode >> 3 : st.mode;
	return (a[2] & ~bits & 7) ? -AE_EACCES : 0;
}

int64_t lsys_access(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1] };

	return lsys_faccessat(b);
}

int64_t lsys_fcntl(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	int h;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	l = proc_lfd(p, (int)a[0]);
	switch ((int)a[1]) {
	case 1:		/* F_GETFD */
		return l && l->cloexec ? 1 : 0;
	case 2:		/* F_SETFD */
		if (l)
			l->cloexec = a[2] & 1;
		return 0;
	case 3:		/* F_GETFL */
		return h == PROC_FD_CONSOLE ? O_RDWR : l ? l->flags : 0;
	case 4:		/* F_SETFL */
		if (l)
			l->flags = (l->flags & ~(uint32_t)(O_APPEND | O_NONBLOCK)) |
				   ((uint32_t)a[2] & (O_APPEND | O_NONBLOCK));
		return 0;
	default:
		return -AE_EINVAL;
	}
}
