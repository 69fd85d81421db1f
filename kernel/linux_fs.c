/*
 * linux_fs.c - the Linux personality's file calls (kernel/linux_syscalls.def,
 * docs/LINUX_ABI.md, docs/FILESYSTEM.md) on the node namespace: the root
 * tmpfs and the mounts on it, /dev and /sys (devnodes/ns.c). Each call
 * is the node client's request to ns, as a native program's open, read,
 * stat and readdir are.
 *
 * A process's file numbers map to ns handles (proc's table); dup and
 * its kin give a second number the same handle (ns.dup: one open file,
 * one offset), and what Linux keeps per number or per open file is in
 * proc_lfd: the path it was opened as (fstat of devfs and sysfs files,
 * the base of *at calls), the open flags and close-on-exec.
 */
#include <string.h>
#include <aegis/clock.h>
#include <aegis/errno.h>
#include <aegis/kmalloc.h>
#include <aegis/kprintf.h>
#include <aegis/linux.h>
#include <aegis/linux_syscalls.h>
#include <aegis/mm.h>
#include <aegis/node.h>
#include <aegis/proc.h>
#include <aegis/sched.h>
#include <aegis/syscall.h>
#include <aegis/tmpfs.h>

#define PROC_OR_ESRCH(p)			\
	struct proc *p = proc_self();		\
	if (!p)					\
		return -AE_ESRCH

/* Linux's open flags (LINUX_O_DIRECTORY, _NOFOLLOW: aegis/linux.h) */
#define O_ACCMODE	3
#define O_WRONLY	1
#define O_RDWR		2
#define O_CREAT		0100
#define O_EXCL		0200
#define O_TRUNC		01000
#define O_APPEND	02000
#define O_NONBLOCK	04000
#define O_CLOEXEC	02000000
#define O_PATH		010000000
#define AT_FDCWD	(-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR	0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_EMPTY_PATH	0x1000
#define RENAME_NOREPLACE 1
#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030

#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define STATX_BASIC_STATS 0x7ffu

#define IO_MAX		4096	/* bytes one read or write moves */

static struct node_cred cred(const struct proc *p)
{
	uint32_t id = proc_privileged(p) ? 0 : PROC_UID_USER;

	return (struct node_cred){ id, id, proc_pid(p) };
}

/* The directory a relative path of an *at call starts from: the working
 * directory (AT_FDCWD) or open directory dirfd's path. */
static int base_of(struct proc *p, int64_t arg, const char **base)
{
	int dirfd = (int)(int32_t)arg;	/* Linux's dirfd is an int */
	struct proc_lfd *l;
	int h;

	if (dirfd == AT_FDCWD) {
		*base = proc_cwd(p);
		return 0;
	}
	h = proc_fd_get(p, dirfd);
	if (dirfd < 0 || h == PROC_FD_CONSOLE)
		return dirfd < 0 ? -AE_EBADF : -AE_ENOTDIR;
	if (h < 0)
		return h;
	l = proc_lfd(p, dirfd);
	if (!l || !l->path[0] || !(l->flags & LINUX_O_DIRECTORY))
		return -AE_ENOTDIR;
	*base = l->path;
	return 0;
}

/* The NUL-terminated user string at va (at most NODE_PATH_MAX - 1
 * bytes) into raw. */
static int user_string(uint64_t va, char *raw, size_t size)
{
	/* a byte at a time: a string may end just before memory that is
	 * not mapped */
	for (size_t n = 0; n < size; n++) {
		int rc = syscall_copy(raw + n, va + n, 1, false);

		if (rc)
			return rc;
		if (!raw[n])
			return 0;
	}
	return -AE_ENAMETOOLONG;
}

/* The user path at va, made a namespace path from dirfd (*at calls:
 * AT_FDCWD or an open directory). An empty path is -ENOENT. */
static int user_path_at(struct proc *p, int64_t dirfd, uint64_t va,
			char *out, size_t size)
{
	char raw[NODE_PATH_MAX];
	const char *base = "/";
	int rc = user_string(va, raw, sizeof(raw));

	if (rc)
		return rc;
	if (!raw[0])
		return -AE_ENOENT;
	if (raw[0] != '/') {
		rc = base_of(p, dirfd, &base);
		if (rc)
			return rc;
	}
	return path_resolve(raw, base, out, size);
}

static int user_path(struct proc *p, uint64_t va, char *out, size_t size)
{
	return user_path_at(p, AT_FDCWD, va, out, size);
}

/* ---- opening and closing ------------------------------------------------- */

static int open_path(struct proc *p, const char *path, uint64_t flags,
		     uint32_t mode)
{
	struct node_stat st;
	struct proc_lfd *l;
	uint32_t want = 0;
	int rc, h, fd;

	if (flags & O_CREAT) {
		uint32_t mk = NODE_KIND_FILE | ((flags & O_EXCL) ? NODE_MK_EXCL
								 : 0);

		rc = node_create(path, mk, mode & ~proc_umask_of(p) & 07777,
				 NULL, cred(p));
		if (rc == -AE_EROFS || rc == -AE_EEXIST) {
			/* a mount that makes nothing: fine if it is there */
			int there = node_stat(path, &st, cred(p));

			if (there == 0)
				rc = (flags & O_EXCL) ? -AE_EEXIST : 0;
			else if (rc == -AE_EEXIST)
				rc = there;
		}
		if (rc)
			return rc;
	}
	rc = node_stat_at(path, (flags & LINUX_O_NOFOLLOW) ? NODE_NOFOLLOW : 0,
			  &st, cred(p));
	if (rc)
		return rc;
	if (st.kind == NODE_KIND_LINK)
		return -AE_ELOOP;	/* O_NOFOLLOW on a link */
	if ((flags & LINUX_O_DIRECTORY) && st.kind != NODE_KIND_DIR)
		return -AE_ENOTDIR;
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		want = NODE_WRITE;
		break;
	case O_RDWR:
		want = NODE_READ | NODE_WRITE;
		break;
	case O_ACCMODE:		/* Linux: may read and write, does neither */
		want = NODE_READ | NODE_WRITE;
		break;
	default:
		want = NODE_READ;
		break;
	}
	if (flags & O_PATH)
		want = NODE_READ;	/* stat and *at, no reading */
	if (st.kind == NODE_KIND_DIR) {
		if (want & NODE_WRITE)
			return -AE_EISDIR;
		want = NODE_READ | NODE_DIR;
	}
	h = node_open(path, want, cred(p));
	if (h < 0)
		return h;
	if ((flags & O_TRUNC) && (want & NODE_WRITE) &&
	    st.kind == NODE_KIND_FILE && st.size) {
		rc = node_setattr(h, NULL, NODE_SET_SIZE, 0, 0, cred(p));
		if (rc) {
			node_close(h);
			return rc;
		}
	}
	fd = proc_fd_add_from(p, h, 0);
	if (fd < 0) {
		node_close(h);
		return fd;
	}
	l = proc_lfd(p, fd);
	memset(l, 0, sizeof(*l));
	memcpy(l->path, path, strnlen(path, sizeof(l->path) - 1));
	l->flags = (uint32_t)flags & ~(uint32_t)(O_CLOEXEC | O_CREAT | O_EXCL |
						  O_TRUNC);
	if (st.kind == NODE_KIND_DIR)
		l->flags |= LINUX_O_DIRECTORY;	/* what getdents64 reads */
	l->cloexec = flags & O_CLOEXEC;
	if (st.kind == NODE_KIND_TTY && !(flags & O_PATH)) {
		l->tty = true;
		rc = linux_tty_opened(p, h, path, flags);
		if (rc) {
			proc_fd_remove(p, fd);
			memset(l, 0, sizeof(*l));
			node_close(h);
			return rc;
		}
	}
	return fd;
}

int64_t lsys_openat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
	return rc ? rc : open_path(p, path, a[2], (uint32_t)a[3]);
}

int64_t lsys_open(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1], a[2] };

	return lsys_openat(b);
}

int64_t lsys_creat(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0],
				     O_CREAT | O_WRONLY | O_TRUNC, a[1] };

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

/* Give file number nfd what ofd has (a handle one more holder of, its
 * proc_lfd), closing what nfd had. */
static int64_t dup_to(struct proc *p, int ofd, int nfd, bool cloexec)
{
	int h = proc_fd_get(p, ofd), old, rc;
	struct proc_lfd *ol = proc_lfd(p, ofd), *nl;

	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	if (h >= 0) {
		rc = node_dup(h);
		if (rc)
			return rc;
	}
	rc = proc_fd_set(p, nfd, h, &old);
	if (rc) {
		if (h >= 0)
			node_close(h);
		return rc;
	}
	if (old >= 0)
		node_close(old);
	nl = proc_lfd(p, nfd);
	memcpy(nl, ol, sizeof(*nl));
	nl->cloexec = cloexec;
	return nfd;
}

/* The lowest free number from `from` on for what ofd has. */
static int64_t dup_from(struct proc *p, int ofd, int from, bool cloexec)
{
	int h = proc_fd_get(p, ofd), fd, rc;
	struct proc_lfd *nl;

	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	if (h >= 0) {
		rc = node_dup(h);
		if (rc)
			return rc;
	}
	fd = proc_fd_add_from(p, h, from);
	if (fd < 0) {
		if (h >= 0)
			node_close(h);
		return fd;
	}
	nl = proc_lfd(p, fd);
	memcpy(nl, proc_lfd(p, ofd), sizeof(*nl));
	nl->cloexec = cloexec;
	return fd;
}

int64_t lsys_dup(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return dup_from(p, (int)a[0], 0, false);
}

int64_t lsys_dup3(const uint64_t a[SYS_ARGS_MAX])
{
	int h;
	PROC_OR_ESRCH(p);

	if (a[2] & ~(uint64_t)O_CLOEXEC)
		return -AE_EINVAL;
	if (a[0] == a[1])
		return -AE_EINVAL;
	h = proc_fd_get(p, (int)a[0]);
	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	if (a[1] >= PROC_FILES)
		return -AE_EBADF;
	return dup_to(p, (int)a[0], (int)a[1], a[2] & O_CLOEXEC);
}

int64_t lsys_dup2(const uint64_t a[SYS_ARGS_MAX])
{
	int h;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	if (a[0] == a[1])
		return (int64_t)a[1];	/* Linux: nothing, once it is open */
	if (a[1] >= PROC_FILES)
		return -AE_EBADF;
	return dup_to(p, (int)a[0], (int)a[1], false);
}

/* ---- pipes ------------------------------------------------------------- */

#define PIPE_PATH	"pipe:"	/* proc_lfd's path of a pipe's end */

static bool is_pipe(const struct proc_lfd *l)
{
	return l && memcmp(l->path, PIPE_PATH, sizeof(PIPE_PATH)) == 0;
}

/* a pipe or a terminal: no offset to seek or read at */
static bool is_stream(const struct proc_lfd *l)
{
	return is_pipe(l) || (l && l->tty);
}

/* A read or write of a pipe's end: it waits (unless O_NONBLOCK) until
 * the pipe can take or give something, or the other end is closed. */
static int64_t pipe_io(int h, const struct proc_lfd *l,
		       const uint64_t a[SYS_ARGS_MAX], bool write)
{
	char *bounce = sched_scratch();
	int me = sched_self(), n;

	if (!bounce)
		return -AE_EFAULT;
	if ((write && (l->flags & O_ACCMODE) == 0) ||
	    (!write && (l->flags & O_ACCMODE) == O_WRONLY))
		return -AE_EBADF;
	if (write) {
		n = syscall_copy(bounce, a[1], a[2], false);
		if (n)
			return n;
	}
	for (;;) {
		uint64_t seen = sched_wakes();

		n = node_pipe_io(h, bounce, (uint32_t)a[2], write, me);
		if (n == -AE_EPIPE) {
			/* SIGPIPE: its default action ends the process (on
			 * the way out); caught or ignored, -EPIPE */
			proc_signal(proc_self(), 13);
			return -AE_EPIPE;
		}
		if (n != -AE_EAGAIN)
			break;
		if (l->flags & O_NONBLOCK)
			return -AE_EAGAIN;
		if (sched_killed())
			return -AE_EINTR;
		if (linux_sig_due())
			return -LINUX_ERESTARTSYS;
		sched_block_unless(seen, 0);	/* until the pipe wakes it */
	}
	if (n <= 0 || write)
		return n;
	return syscall_copy(bounce, a[1], (uint64_t)n, true) ?: n;
}

int64_t lsys_pipe2(const uint64_t a[SYS_ARGS_MAX])
{
	int ends[2], fds[2] = { -1, -1 };
	int32_t out[2];
	int rc;
	PROC_OR_ESRCH(p);

	if (a[1] & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -AE_EINVAL;
	rc = node_pipe(ends, cred(p));
	if (rc)
		return rc == -AE_EMFILE ? -AE_ENFILE : rc;
	for (int i = 0; i < 2; i++) {
		struct proc_lfd *l;

		fds[i] = proc_fd_add_from(p, ends[i], 0);
		if (fds[i] < 0) {
			rc = fds[i];
			break;
		}
		l = proc_lfd(p, fds[i]);
		memset(l, 0, sizeof(*l));
		memcpy(l->path, PIPE_PATH, sizeof(PIPE_PATH));
		l->flags = (i ? O_WRONLY : 0) | ((uint32_t)a[1] & O_NONBLOCK);
		l->cloexec = a[1] & O_CLOEXEC;
	}
	out[0] = fds[0];
	out[1] = fds[1];
	if (!rc)
		rc = syscall_copy(out, a[0], sizeof(out), true);
	if (rc) {
		for (int i = 0; i < 2; i++) {
			if (fds[i] >= 0) {
				proc_fd_remove(p, fds[i]);
				memset(proc_lfd(p, fds[i]), 0,
				       sizeof(struct proc_lfd));
			}
			node_close(ends[i]);
		}
		return rc;
	}
	return 0;
}

int64_t lsys_pipe(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { a[0], 0 };

	return lsys_pipe2(b);
}

/* ---- reading and writing ---------------------------------------------- */

int64_t lsys_read(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	PROC_OR_ESRCH(p);

	l = proc_lfd(p, (int)a[0]);
	if (l && l->path[0] && (l->flags & LINUX_O_DIRECTORY))
		return -AE_EISDIR;
	if (l && l->path[0] && (l->flags & O_ACCMODE) == O_ACCMODE)
		return -AE_EBADF;
	if (is_pipe(l) || (l && l->tty)) {
		int h = proc_fd_get(p, (int)a[0]);

		if (h < 0)
			return h;
		return l->tty ? linux_tty_io(p, h, l, a, false) :
				pipe_io(h, l, a, false);
	}
	return sys_read(a);
}

int64_t lsys_write(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	char *bounce;
	int h, rc;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	l = proc_lfd(p, (int)a[0]);
	if (l && l->path[0] && (l->flags & O_ACCMODE) == O_ACCMODE)
		return -AE_EBADF;
	if (h >= 0 && is_pipe(l))
		return pipe_io(h, l, a, true);
	if (h >= 0 && l && l->tty)
		return linux_tty_io(p, h, l, a, true);
	if (h < 0 || !l || !(l->flags & O_APPEND))
		return sys_write(a);	/* count is at most 4096 by now */
	if ((l->flags & O_ACCMODE) == 0)
		return -AE_EBADF;	/* O_RDONLY | O_APPEND */
	bounce = sched_scratch();
	if (!bounce)
		return -AE_EFAULT;
	rc = syscall_copy(bounce, a[1], a[2], false);
	return rc ? rc : node_append(h, bounce, (uint32_t)a[2]);
}

/* pread64 and pwrite64: at off, the file's own offset left alone. */
static int64_t positioned(const uint64_t a[SYS_ARGS_MAX], bool write)
{
	struct proc_lfd *l;
	char *bounce;
	int h, rc, was;
	int64_t n;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	l = proc_lfd(p, (int)a[0]);
	if (h == PROC_FD_CONSOLE || (h >= 0 && is_stream(l)))
		return -AE_ESPIPE;
	if (h < 0)
		return h;
	if ((int64_t)a[3] < 0)
		return -AE_EINVAL;
	if (l && (l->flags & LINUX_O_DIRECTORY))
		return -AE_EISDIR;
	if (a[3] > 0xffffffffull)
		return write ? -AE_EFBIG : 0;
	bounce = sched_scratch();
	if (!bounce)
		return -AE_EFAULT;
	if (write) {
		rc = syscall_copy(bounce, a[1], a[2], false);
		if (rc)
			return rc;
	}
	was = node_seek(h, 0, NODE_SEEK_CUR);
	if (was < 0)
		return was == -AE_EINVAL ? -AE_ESPIPE : was;
	rc = node_seek(h, (int64_t)a[3], NODE_SEEK_SET);
	if (rc < 0)
		return rc;
	n = write ? node_write(h, bounce, (uint32_t)a[2])
		  : node_read(h, bounce, (uint32_t)a[2]);
	node_seek(h, was, NODE_SEEK_SET);
	if (n <= 0 || write)
		return n;
	return syscall_copy(bounce, a[1], (uint64_t)n, true) ?: n;
}

int64_t lsys_pread64(const uint64_t a[SYS_ARGS_MAX])
{
	return positioned(a, false);
}

int64_t lsys_pwrite64(const uint64_t a[SYS_ARGS_MAX])
{
	return positioned(a, true);
}

int64_t lsys_lseek(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	int h;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	l = proc_lfd(p, (int)a[0]);
	if (h == PROC_FD_CONSOLE || (h >= 0 && is_stream(l)))
		return -AE_ESPIPE;
	if (h < 0)
		return h;
	if (l && l->path[0] && (l->flags & LINUX_O_DIRECTORY)) {
		int64_t to = a[2] == 1 ? (int64_t)l->pos + (int64_t)a[1]
				       : (int64_t)a[1];

		if (a[2] == 2 || to < 0 || to > 0xffffffffll)
			return -AE_EINVAL;
		l->pos = (uint32_t)to;
		return to;
	}
	return sys_seek(a);
}

int64_t lsys_fsync(const uint64_t a[SYS_ARGS_MAX])
{
	int h;
	PROC_OR_ESRCH(p);

	/* tmpfs and the devices keep nothing to write back: once the file
	 * is open, its data is where every reader sees it */
	h = proc_fd_get(p, (int)a[0]);
	return h < 0 && h != PROC_FD_CONSOLE ? h : 0;
}

int64_t lsys_fdatasync(const uint64_t a[SYS_ARGS_MAX])
{
	return lsys_fsync(a);
}

int64_t lsys_syncfs(const uint64_t a[SYS_ARGS_MAX])
{
	return lsys_fsync(a);	/* a file of it open: nothing to write */
}

#define CLOSE_RANGE_UNSHARE	2
#define CLOSE_RANGE_CLOEXEC	4

int64_t lsys_close_range(const uint64_t a[SYS_ARGS_MAX])
{
	uint32_t first = (uint32_t)a[0], last = (uint32_t)a[1];
	PROC_OR_ESRCH(p);

	if (a[2] & ~(uint64_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) ||
	    first > last)
		return -AE_EINVAL;
	/* (no process shares its table: CLOSE_RANGE_UNSHARE is what is) */
	for (uint32_t fd = first; fd <= last && fd < PROC_FILES; fd++) {
		struct proc_lfd *l = proc_lfd(p, (int)fd);

		if (proc_fd_get(p, (int)fd) == -AE_EBADF)
			continue;
		if (a[2] & CLOSE_RANGE_CLOEXEC) {
			if (l)
				l->cloexec = true;
		} else {
			uint64_t b[SYS_ARGS_MAX] = { fd };

			lsys_close(b);
		}
	}
	return 0;
}

/* An open file with pages (not a pipe or the console) for the advice
 * calls: 0, the fd's error, or not_file for a pipe or the console. */
static int with_pages(struct proc *p, int fd, int not_file)
{
	int h = proc_fd_get(p, fd);

	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	if (h == PROC_FD_CONSOLE || is_stream(proc_lfd(p, fd)))
		return not_file;
	return 0;
}

int64_t lsys_sync_file_range(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if (a[3] & ~7ull || (int64_t)a[1] < 0 || (int64_t)a[2] < 0)
		return -AE_EINVAL;
	/* nothing is kept to write back */
	return with_pages(p, (int)a[0], -AE_ESPIPE);
}

int64_t lsys_readahead(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	/* tmpfs's pages are in memory already */
	return with_pages(p, (int)a[0], -AE_EINVAL);
}

#define POSIX_FADV_NOREUSE	5

int64_t lsys_fadvise64(const uint64_t a[SYS_ARGS_MAX])
{
	int rc;
	PROC_OR_ESRCH(p);

	/* advice only: tmpfs has no cache to read ahead or drop */
	rc = with_pages(p, (int)a[0], -AE_ESPIPE);
	if (rc)
		return rc;
	if (a[3] > POSIX_FADV_NOREUSE || (int64_t)a[2] < 0)
		return -AE_EINVAL;
	return 0;
}

int64_t lsys_sync(const uint64_t a[SYS_ARGS_MAX])
{
	(void)a;
	return 0;	/* nothing is kept to write back */
}

/* ---- what a file is ------------------------------------------------------- */

static uint64_t inode_of(const char *path)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	for (; *path; path++)
		h = (h ^ (uint8_t)*path) * 1099511628211ull;
	return h ? h : 1;
}

static void put_time(int64_t *t, int64_t ns)
{
	int64_t w = ns ? ns + linux_wall_offset() : 0;

	t[0] = w / 1000000000;
	t[1] = w % 1000000000;
}

/* The arch's struct stat for a node (or the console: st NULL) in *s. */
static void fill_stat(const struct node_stat *st, const char *path,
		      struct linux_stat *out)
{
	uint32_t type = !st ? S_IFCHR :
			st->kind == NODE_KIND_DIR ? S_IFDIR :
			st->kind == NODE_KIND_DEV ? S_IFCHR :
			st->kind == NODE_KIND_TTY ? S_IFCHR :
			st->kind == NODE_KIND_LINK ? S_IFLNK :
			st->kind == NODE_KIND_FIFO ? S_IFIFO : S_IFREG;
	struct linux_stat s;

	memset(&s, 0, sizeof(s));
	s.blksize = 4096;
	s.dev = 1;
	if (!st) {
		s.mode = S_IFCHR | 0620;
		s.nlink = 1;
		s.ino = 1;
		s.rdev = 5u << 8 | 1;	/* /dev/console */
		*out = s;
		return;
	}
	s.mode = type | (st->mode & 07777);
	s.nlink = st->ino || st->nlink ? st->nlink : 1;
	s.ino = st->ino ? st->ino : inode_of(path ? path : "");
	s.dev = st->kind == NODE_KIND_FIFO ? 3 : st->ino ? 2 : 1;
	s.uid = st->uid;
	s.gid = st->gid;
	s.size = (int64_t)st->size;
	s.blocks = (int64_t)((st->size + 511) / 512);
	put_time(&s.times[0], st->atime);
	put_time(&s.times[2], st->mtime);
	put_time(&s.times[4], st->ctime);
	*out = s;
}

/* statx's or stat's answer for st (see fill_stat) at va */
static int put_stat_as(const struct node_stat *st, const char *path,
		       uint64_t va, bool statx)
{
	struct linux_stat s;
	uint8_t x[256];
	uint32_t w;
	uint16_t h;
	uint64_t d;

	fill_stat(st, path, &s);
	if (!statx)
		return syscall_copy(&s, va, sizeof(s), true);
	/* struct statx: what struct stat has, in statx's places */
	memset(x, 0, sizeof(x));
	w = STATX_BASIC_STATS;
	memcpy(x + 0, &w, 4);
	w = (uint32_t)s.blksize;
	memcpy(x + 4, &w, 4);
	w = (uint32_t)s.nlink;
	memcpy(x + 16, &w, 4);
	memcpy(x + 20, &s.uid, 4);
	memcpy(x + 24, &s.gid, 4);
	h = (uint16_t)s.mode;
	memcpy(x + 28, &h, 2);
	d = s.ino;
	memcpy(x + 32, &d, 8);
	memcpy(x + 40, &s.size, 8);
	memcpy(x + 48, &s.blocks, 8);
	/* atime, (btime: not kept), ctime, mtime: { s64 sec; u32 nsec } */
	memcpy(x + 64, &s.times[0], 8);
	w = (uint32_t)s.times[1];
	memcpy(x + 72, &w, 4);
	memcpy(x + 96, &s.times[4], 8);
	w = (uint32_t)s.times[5];
	memcpy(x + 104, &w, 4);
	memcpy(x + 112, &s.times[2], 8);
	w = (uint32_t)s.times[3];
	memcpy(x + 120, &w, 4);
	/* rdev and dev as major, minor (Linux's encoding: minor in the
	 * low byte and bits 20 and up, major in bits 8..19) */
	w = (uint32_t)(s.rdev >> 8 & 0xfff);
	memcpy(x + 128, &w, 4);
	w = (uint32_t)((s.rdev & 0xff) | (s.rdev >> 12 & ~0xffull));
	memcpy(x + 132, &w, 4);
	w = (uint32_t)(s.dev >> 8 & 0xfff);
	memcpy(x + 136, &w, 4);
	w = (uint32_t)((s.dev & 0xff) | (s.dev >> 12 & ~0xffull));
	memcpy(x + 140, &w, 4);
	return syscall_copy(x, va, sizeof(x), true);
}


static int stat_path_as(struct proc *p, const char *path, bool follow,
			uint64_t va, bool statx)
{
	struct node_stat st;
	int rc = node_stat_at(path, follow ? 0 : NODE_NOFOLLOW, &st, cred(p));

	return rc ? rc : put_stat_as(&st, path, va, statx);
}

static int stat_path(struct proc *p, const char *path, bool follow,
		     uint64_t va)
{
	return stat_path_as(p, path, follow, va, false);
}

static int stat_fd_as(struct proc *p, int fd, uint64_t va, bool statx)
{
	struct proc_lfd *l = proc_lfd(p, fd);
	struct node_stat st;
	int h = proc_fd_get(p, fd), rc;

	if (h == PROC_FD_CONSOLE)
		return put_stat_as(NULL, NULL, va, statx);
	if (h < 0)
		return h;
	rc = node_fstat(h, &st);
	if (rc == 0)
		return put_stat_as(&st, l ? l->path : NULL, va, statx);
	if (rc != -AE_ENOSYS)
		return rc;
	/* devfs and sysfs describe paths, not handles */
	if (!l || !l->path[0])
		return -AE_EBADF;	/* opened by no Linux call */
	return stat_path_as(p, l->path, true, va, statx);
}

static int stat_fd(struct proc *p, int fd, uint64_t va)
{
	return stat_fd_as(p, fd, va, false);
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
			return (int32_t)a[0] == AT_FDCWD ?
			       stat_path(p, proc_cwd(p), true, a[2]) :
			       stat_fd(p, (int)a[0], a[2]);
	}
	rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
	return rc ? rc : stat_path(p, path, !(a[3] & AT_SYMLINK_NOFOLLOW),
				   a[2]);
}

#define AT_NO_AUTOMOUNT		0x800
#define AT_STATX_FORCE_SYNC	0x2000
#define AT_STATX_DONT_SYNC	0x4000
#define STATX__RESERVED		0x80000000u

int64_t lsys_statx(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	char first = 0;
	uint64_t flags = a[2];
	int rc;
	PROC_OR_ESRCH(p);

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH |
				AT_NO_AUTOMOUNT | AT_STATX_FORCE_SYNC |
				AT_STATX_DONT_SYNC) ||
	    (flags & (AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC)) ==
	    (AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC) ||
	    (uint32_t)a[3] & STATX__RESERVED)
		return -AE_EINVAL;
	if (flags & AT_EMPTY_PATH) {
		rc = syscall_copy(&first, a[1], 1, false);
		if (rc)
			return rc;
		if (!first)
			return (int32_t)a[0] == AT_FDCWD ?
			       stat_path_as(p, proc_cwd(p), true, a[4], true) :
			       stat_fd_as(p, (int)a[0], a[4], true);
	}
	rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
	return rc ? rc : stat_path_as(p, path,
				      !(flags & AT_SYMLINK_NOFOLLOW), a[4],
				      true);
}

/* ---- statfs ------------------------------------------------------------- */

#define TMPFS_MAGIC	0x01021994	/* and devtmpfs's: /dev */
#define SYSFS_MAGIC	0x62656572
#define PROC_SUPER_MAGIC 0x9fa0
#define PIPEFS_MAGIC	0x50495045
#define ST_VALID	0x20

/* struct statfs, the same on both arches (120 bytes) */
struct statfs_l {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};
_Static_assert(sizeof(struct statfs_l) == 120, "struct statfs");

/* The file system path is on (an absolute path): its magic, and for the
 * root tmpfs its figures (the "STFS" ioctl, aegis/tmpfs.h). */
static int put_statfs(const char *path, bool pipe, uint64_t va)
{
	struct statfs_l f;
	const char *first = path + (path[0] == '/');
	size_t n = 0;

	while (first[n] && first[n] != '/')
		n++;
	memset(&f, 0, sizeof(f));
	f.bsize = f.frsize = 4096;
	f.namelen = NODE_NAME_MAX - 1;
	f.flags = ST_VALID;
	if (pipe) {
		f.type = PIPEFS_MAGIC;
	} else if (n == 3 && memcmp(first, "dev", 3) == 0) {
		f.type = TMPFS_MAGIC;
		f.fsid[0] = 1;
	} else if (n == 3 && memcmp(first, "sys", 3) == 0) {
		f.type = SYSFS_MAGIC;
		f.fsid[0] = 4;
	} else if (n == 4 && memcmp(first, "proc", 4) == 0) {
		f.type = PROC_SUPER_MAGIC;
		f.fsid[0] = 5;
	} else {
		struct tmpfs_usage u;
		int fd = node_open("/", NODE_READ | NODE_DIR,
				   NODE_CRED_KERNEL), rc;

		if (fd < 0)
			return fd;
		rc = node_ioctl(fd, TMPFS_IOCTL_USAGE, &u, sizeof(u));
		node_close(fd);
		if (rc < 0)
			return rc;
		f.type = TMPFS_MAGIC;
		f.fsid[0] = 2;
		f.blocks = u.max_pages;
		f.bfree = f.bavail = u.max_pages - u.used_pages;
		f.files = u.max_inodes;
		f.ffree = u.max_inodes - u.used_inodes;
	}
	return syscall_copy(&f, va, sizeof(f), true);
}

int64_t lsys_statfs(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	struct node_stat st;
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_path(p, a[0], path, sizeof(path));
	if (!rc)
		rc = node_stat_at(path, 0, &st, cred(p));
	return rc ? rc : put_statfs(path, st.kind == NODE_KIND_FIFO, a[1]);
}

int64_t lsys_fstatfs(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	int h;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	if (h == PROC_FD_CONSOLE)
		return put_statfs("/dev/console", false, a[1]);
	if (h < 0)
		return h;
	l = proc_lfd(p, (int)a[0]);
	if (is_pipe(l))
		return put_statfs("", true, a[1]);
	return put_statfs(l && l->path[0] ? l->path : "/", false, a[1]);
}

int64_t lsys_stat(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1], 0 };

	return lsys_newfstatat(b);
}

int64_t lsys_lstat(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1],
				     AT_SYMLINK_NOFOLLOW };

	return lsys_newfstatat(b);
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
		uint32_t next;
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
		next = d.next ? d.next : l->pos + 1;
		memset(&e, 0, sizeof(e));
		if (!d.ino && path_resolve(d.name, l->path, path, sizeof(path)))
			path[0] = '\0';
		e.ino = d.ino ? d.ino : inode_of(path);
		e.off = next;
		e.reclen = (uint16_t)reclen;
		e.type = d.kind == NODE_KIND_DIR ? 4 :		/* DT_DIR */
			 d.kind == NODE_KIND_DEV ? 2 :		/* DT_CHR */
			 d.kind == NODE_KIND_TTY ? 2 :
			 d.kind == NODE_KIND_LINK ? 10 : 8;	/* DT_LNK, _REG */
		memcpy(e.name, d.name, nlen);
		rc = syscall_copy(&e, a[1] + done, reclen, true);
		if (rc)
			return done ? (int64_t)done : rc;
		done += reclen;
		l->pos = next;
	}
	return (int64_t)done;
}

int64_t lsys_readlinkat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX], target[NODE_PATH_MAX];
	struct node_stat st;
	int rc, n;
	PROC_OR_ESRCH(p);

	if ((int64_t)a[3] <= 0)
		return -AE_EINVAL;
	rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
	if (rc)
		return rc;
	n = node_readlink(path, target, sizeof(target), cred(p));
	if (n == -AE_EINVAL) {
		/* not a link: or nothing there at all */
		rc = node_stat_at(path, NODE_NOFOLLOW, &st, cred(p));
		return rc ? rc : -AE_EINVAL;
	}
	if (n < 0)
		return n;
	if ((uint64_t)n > a[3])
		n = (int)a[3];
	return syscall_copy(target, a[2], (uint64_t)n, true) ?: n;
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

	rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
	if (rc)
		return rc;
	rc = node_stat(path, &st, cred(p));
	if (rc || !a[2])
		return rc;
	if (proc_privileged(p))	/* root: X_OK needs some x bit */
		return (a[2] & 1) && st.kind != NODE_KIND_DIR &&
		       !(st.mode & 0111) ? -AE_EACCES : 0;
	bits = st.uid == PROC_UID_USER ? st.mode >> 6 :
	       st.gid == PROC_UID_USER ? st.mode >> 3 : st.mode;
	return (a[2] & ~bits & 7) ? -AE_EACCES : 0;
}

#define AT_EACCESS	0x200

int64_t lsys_faccessat2(const uint64_t a[SYS_ARGS_MAX])
{
	/* the real and effective ids are one here: AT_EACCESS changes
	 * nothing. AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH are not kept */
	if (a[3] & ~(uint64_t)AT_EACCESS)
		return -AE_EINVAL;
	return lsys_faccessat(a);
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
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int64_t)a[2] < 0 || a[2] >= PROC_FILES)
			return -AE_EINVAL;
		return dup_from(p, (int)a[0], (int)a[2],
				(int)a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return l && l->cloexec ? 1 : 0;
	case F_SETFD:
		if (l)
			l->cloexec = a[2] & 1;
		return 0;
	case F_GETFL:
		return h == PROC_FD_CONSOLE && (!l || !l->path[0]) ? O_RDWR :
		       l ? l->flags & ~(uint32_t)LINUX_O_DIRECTORY : 0;
	case F_SETFL:
		if (l)
			l->flags = (l->flags & ~(uint32_t)(O_APPEND | O_NONBLOCK)) |
				   ((uint32_t)a[2] & (O_APPEND | O_NONBLOCK));
		return 0;
	default:
		return -AE_EINVAL;
	}
}

/* ---- names ------------------------------------------------------------- */

int64_t lsys_mkdirat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
	if (rc)
		return rc;
	return node_create(path, NODE_KIND_DIR | NODE_MK_EXCL,
			   (uint32_t)a[2] & ~proc_umask_of(p) & 07777, NULL,
			   cred(p));
}

int64_t lsys_mkdir(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], a[1] };

	return lsys_mkdirat(b);
}

int64_t lsys_unlinkat(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	int rc;
	PROC_OR_ESRCH(p);

	if (a[2] & ~(uint64_t)AT_REMOVEDIR)
		return -AE_EINVAL;
	rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
	if (rc)
		return rc;
	rc = node_remove(path, (a[2] & AT_REMOVEDIR) ? NODE_RM_DIR : 0,
			 cred(p));
	return rc == -AE_EEXIST ? -AE_EBUSY : rc;
}

int64_t lsys_unlink(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], 0 };

	return lsys_unlinkat(b);
}

int64_t lsys_rmdir(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0], AT_REMOVEDIR };

	return lsys_unlinkat(b);
}

int64_t lsys_renameat2(const uint64_t a[SYS_ARGS_MAX])
{
	char from[NODE_PATH_MAX], to[NODE_PATH_MAX];
	struct node_stat st;
	int rc;
	PROC_OR_ESRCH(p);

	if (a[4] & ~(uint64_t)RENAME_NOREPLACE)
		return -AE_EINVAL;	/* RENAME_EXCHANGE, _WHITEOUT */
	rc = user_path_at(p, (int64_t)a[0], a[1], from, sizeof(from));
	if (!rc)
		rc = user_path_at(p, (int64_t)a[2], a[3], to, sizeof(to));
	if (rc)
		return rc;
	if ((a[4] & RENAME_NOREPLACE) &&
	    node_stat_at(to, NODE_NOFOLLOW, &st, cred(p)) == 0)
		return -AE_EEXIST;
	return node_rename(from, to, cred(p));
}

int64_t lsys_renameat(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { a[0], a[1], a[2], a[3], 0 };

	return lsys_renameat2(b);
}

int64_t lsys_rename(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0],
				     (uint64_t)AT_FDCWD, a[1], 0 };

	return lsys_renameat2(b);
}

int64_t lsys_linkat(const uint64_t a[SYS_ARGS_MAX])
{
	char from[NODE_PATH_MAX], to[NODE_PATH_MAX], target[NODE_PATH_MAX];
	int rc, n;
	PROC_OR_ESRCH(p);

	if (a[4] & ~(uint64_t)AT_SYMLINK_FOLLOW)
		return -AE_EINVAL;
	rc = user_path_at(p, (int64_t)a[0], a[1], from, sizeof(from));
	if (!rc)
		rc = user_path_at(p, (int64_t)a[2], a[3], to, sizeof(to));
	if (rc)
		return rc;
	if (a[4] & AT_SYMLINK_FOLLOW) {
		/* a link names what it leads to (one level: tmpfs follows
		 * the rest) */
		n = node_readlink(from, target, sizeof(target) - 1, cred(p));
		if (n > 0) {
			char dir[NODE_PATH_MAX];
			char *slash;

			target[n] = '\0';
			memcpy(dir, from, sizeof(dir));
			slash = strrchr(dir, '/');
			slash[slash == dir ? 1 : 0] = '\0';
			rc = path_resolve(target, dir, from, sizeof(from));
			if (rc)
				return rc;
		}
	}
	return node_link(from, to, cred(p));
}

int64_t lsys_link(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { (uint64_t)AT_FDCWD, a[0],
				     (uint64_t)AT_FDCWD, a[1], 0 };

	return lsys_linkat(b);
}

int64_t lsys_symlinkat(const uint64_t a[SYS_ARGS_MAX])
{
	char target[NODE_PATH_MAX], path[NODE_PATH_MAX];
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_string(a[0], target, sizeof(target));
	if (rc)
		return rc;
	if (!target[0])
		return -AE_ENOENT;
	rc = user_path_at(p, (int64_t)a[1], a[2], path, sizeof(path));
	if (rc)
		return rc;
	return node_create(path, NODE_KIND_LINK | NODE_MK_EXCL, 0777, target,
			   cred(p));
}

int64_t lsys_symlink(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t b[SYS_ARGS_MAX] = { a[0], (uint64_t)AT_FDCWD, a[1] };

	return lsys_symlinkat(b);
}

/* ---- the working directory ------------------------------------------------ */

static int64_t change_dir(struct proc *p, const char *path)
{
	struct node_stat st;
	int rc = node_stat(path, &st, cred(p));

	if (rc)
		return rc;
	if (st.kind != NODE_KIND_DIR)
		return -AE_ENOTDIR;
	if (!proc_privileged(p)) {
		uint32_t bits = st.uid == PROC_UID_USER ? st.mode >> 6 :
				st.gid == PROC_UID_USER ? st.mode >> 3 :
				st.mode;

		if (!(bits & 1))
			return -AE_EACCES;	/* search permission */
	}
	proc_set_cwd(p, path);
	return 0;
}

int64_t lsys_chdir(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX];
	int rc;
	PROC_OR_ESRCH(p);

	rc = user_path(p, a[0], path, sizeof(path));
	return rc ? rc : change_dir(p, path);
}

int64_t lsys_fchdir(const uint64_t a[SYS_ARGS_MAX])
{
	const char *base;
	int rc;
	PROC_OR_ESRCH(p);

	if ((int32_t)a[0] == AT_FDCWD)
		return -AE_EBADF;
	rc = base_of(p, (int64_t)a[0], &base);
	return rc ? rc : change_dir(p, base);
}

int64_t lsys_getcwd(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);
	const char *cwd = proc_cwd(p);
	size_t n = strlen(cwd) + 1;

	if (a[1] < n)
		return -AE_ERANGE;
	return syscall_copy((void *)cwd, a[0], n, true) ?: (int64_t)n;
}

/* ---- attributes -------------------------------------------------------- */

static int64_t set_path(struct proc *p, int64_t dirfd, uint64_t va,
			uint32_t what, uint32_t mode, int64_t value)
{
	char path[NODE_PATH_MAX];
	int rc = user_path_at(p, dirfd, va, path, sizeof(path));

	return rc ? rc : node_setattr(0, path, what, mode, value, cred(p));
}

static int64_t set_fd(struct proc *p, int fd, uint32_t what, uint32_t mode,
		      int64_t value)
{
	struct proc_lfd *l = proc_lfd(p, fd);
	int h = proc_fd_get(p, fd), rc;

	if (h == PROC_FD_CONSOLE)
		return what == NODE_SET_SIZE ? -AE_EINVAL : -AE_EPERM;
	if (h < 0)
		return h;
	rc = node_setattr(h, NULL, what, mode, value, cred(p));
	if (rc == -AE_EROFS && l && l->path[0])	/* a device or a value */
		rc = what == NODE_SET_SIZE ? -AE_EINVAL : -AE_EPERM;
	return rc;
}

int64_t lsys_fchmodat(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return set_path(p, (int64_t)a[0], a[1], NODE_SET_MODE,
			(uint32_t)a[2] & 07777, 0);
}

int64_t lsys_chmod(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return set_path(p, AT_FDCWD, a[0], NODE_SET_MODE,
			(uint32_t)a[1] & 07777, 0);
}

int64_t lsys_fchmod(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return set_fd(p, (int)a[0], NODE_SET_MODE, (uint32_t)a[1] & 07777, 0);
}

static int64_t owner_value(uint64_t uid, uint64_t gid)
{
	return (int64_t)((uint64_t)(uint32_t)uid << 32 | (uint32_t)gid);
}

int64_t lsys_fchownat(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if (a[4] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -AE_EINVAL;
	return set_path(p, (int64_t)a[0], a[1], NODE_SET_OWNER, 0,
			owner_value(a[2], a[3]));
}

int64_t lsys_chown(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return set_path(p, AT_FDCWD, a[0], NODE_SET_OWNER, 0,
			owner_value(a[1], a[2]));
}

int64_t lsys_fchown(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	return set_fd(p, (int)a[0], NODE_SET_OWNER, 0, owner_value(a[1], a[2]));
}

int64_t lsys_truncate(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if ((int64_t)a[1] < 0)
		return -AE_EINVAL;
	return set_path(p, AT_FDCWD, a[0], NODE_SET_SIZE, 0, (int64_t)a[1]);
}

#define O_ACCMODE_	3

/* fallocate: mode 0 only, which makes the file at least offset + len
 * bytes (zeros past its end; tmpfs gives pages as they are written). */
int64_t lsys_fallocate(const uint64_t a[SYS_ARGS_MAX])
{
	int64_t off = (int64_t)a[2], len = (int64_t)a[3];
	struct proc_lfd *l;
	struct node_stat st;
	int h, rc;
	PROC_OR_ESRCH(p);

	if (off < 0 || len <= 0)
		return -AE_EINVAL;
	if (a[1] != 0)
		return -AE_EOPNOTSUPP;	/* KEEP_SIZE, PUNCH_HOLE, ... */
	h = proc_fd_get(p, (int)a[0]);
	l = proc_lfd(p, (int)a[0]);
	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	if (h == PROC_FD_CONSOLE || is_stream(l))
		return -AE_ESPIPE;
	if (l && (l->flags & O_ACCMODE_) == 0)	/* O_RDONLY */
		return -AE_EBADF;
	if (off > INT64_MAX - len)
		return -AE_EFBIG;
	rc = node_fstat(h, &st);
	if (rc)
		return rc == -AE_ENOSYS ? -AE_ENODEV : rc;
	if (st.kind == NODE_KIND_DIR)
		return -AE_EISDIR;
	if ((uint64_t)(off + len) <= st.size)
		return 0;
	return set_fd(p, (int)a[0], NODE_SET_SIZE, 0, off + len);
}

int64_t lsys_ftruncate(const uint64_t a[SYS_ARGS_MAX])
{
	PROC_OR_ESRCH(p);

	if ((int64_t)a[1] < 0)
		return -AE_EINVAL;
	return set_fd(p, (int)a[0], NODE_SET_SIZE, 0, (int64_t)a[1]);
}

/* utimensat: times NULL (both now) or struct timespec[2] (access,
 * modification), each UTIME_NOW or UTIME_OMIT or a time; path NULL:
 * file dirfd (futimens). */
#define UTIME_NOW	((1l << 30) - 1)
#define UTIME_OMIT	((1l << 30) - 2)

int64_t lsys_utimensat(const uint64_t a[SYS_ARGS_MAX])
{
	struct { int64_t sec, nsec; } t[2];
	int64_t when[2], now = (int64_t)clock_ns();
	uint32_t what = 0;
	int rc, h = -1;
	char path[NODE_PATH_MAX];
	PROC_OR_ESRCH(p);

	if (a[3] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -AE_EINVAL;
	if (a[2]) {
		rc = syscall_copy(t, a[2], sizeof(t), false);
		if (rc)
			return rc;
	} else {
		t[0].nsec = t[1].nsec = UTIME_NOW;
	}
	for (int i = 0; i < 2; i++) {
		if (t[i].nsec == UTIME_OMIT)
			continue;
		if (t[i].nsec == UTIME_NOW) {
			when[i] = now;
		} else {
			if (t[i].nsec < 0 || t[i].nsec >= 1000000000 ||
			    t[i].sec < 0 || t[i].sec > (1ll << 33))
				return -AE_EINVAL;
			when[i] = t[i].sec * 1000000000 + t[i].nsec -
				  linux_wall_offset();
			what |= NODE_SET_OWNED;	/* a time of one's own */
		}
		what |= i ? NODE_SET_MTIME : NODE_SET_ATIME;
	}
	if (!(what & (NODE_SET_ATIME | NODE_SET_MTIME)))
		return 0;
	if (!a[1]) {
		h = proc_fd_get(p, (int)a[0]);
		if (h == PROC_FD_CONSOLE)
			return 0;
		if (h < 0)
			return h;
	} else {
		rc = user_path_at(p, (int64_t)a[0], a[1], path, sizeof(path));
		if (rc)
			return rc;
	}
	/* two calls when the two times differ */
	if ((what & NODE_SET_ATIME) && (what & NODE_SET_MTIME) &&
	    when[0] != when[1]) {
		rc = node_setattr(h, a[1] ? path : NULL,
				  NODE_SET_ATIME | (what & NODE_SET_OWNED), 0,
				  when[0], cred(p));
		if (rc)
			return rc;
		what &= ~(uint32_t)NODE_SET_ATIME;
	}
	rc = node_setattr(h, a[1] ? path : NULL, what, 0,
			  (what & NODE_SET_ATIME) ? when[0] : when[1], cred(p));
	return rc == -AE_EROFS ? 0 : rc;	/* devices keep no times */
}

/* ---- execve ------------------------------------------------------------- */

#define EXEC_STRINGS	12288	/* bytes of argv and envp strings */
#define EXEC_VEC_MAX	64	/* strings of each */
#define SHEBANG_MAX	127	/* the "#!" line */

/* The NULL-terminated vector of user strings at va into out (each
 * string copied into buf at *used), at most EXEC_VEC_MAX - skip of
 * them: their number, or -E2BIG, -EFAULT. va 0 is an empty vector. */
static int user_vector(uint64_t va, const char **out, unsigned int room,
		       char *buf, size_t *used)
{
	unsigned int n = 0;

	for (; va; n++) {
		uint64_t s;
		size_t k;
		int rc = syscall_copy(&s, va + 8 * n, sizeof(s), false);

		if (rc)
			return rc;
		if (!s)
			break;
		if (n == room)
			return -AE_E2BIG;
		for (k = 0;; k++) {
			if (*used + k >= EXEC_STRINGS)
				return -AE_E2BIG;
			rc = syscall_copy(buf + *used + k, s + k, 1, false);
			if (rc)
				return rc;
			if (!buf[*used + k])
				break;
		}
		out[n] = buf + *used;
		*used += k + 1;
	}
	return (int)n;
}

/* "#!interpreter [one argument]" at the start of the file at path:
 * 1 with the two (in line), 0 for a file that is not a script. */
static int shebang(struct proc *p, const char *path, char *line,
		   const char **interp, const char **arg)
{
	int fd = node_open(path, NODE_READ, cred(p)), n;
	char *s, *e;

	if (fd < 0)
		return 0;	/* proc_exec says why */
	n = node_read(fd, line, SHEBANG_MAX);
	node_close(fd);
	if (n < 2 || line[0] != '#' || line[1] != '!')
		return 0;
	line[n] = '\0';
	e = strchr(line, '\n');
	if (e)
		*e = '\0';
	for (s = line + 2; *s == ' ' || *s == '\t'; s++)
		;
	*interp = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	*arg = NULL;
	if (*s) {
		*s++ = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		/* Linux: the rest of the line, trailing blanks off */
		for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (*s)
			*arg = s;
	}
	return **interp ? 1 : -AE_ENOEXEC;
}

int64_t lsys_execve(const uint64_t a[SYS_ARGS_MAX])
{
	char path[NODE_PATH_MAX], script[NODE_PATH_MAX];
	char line[SHEBANG_MAX + 1];
	const char *argv[EXEC_VEC_MAX + 3], *envp[EXEC_VEC_MAX];
	const char *interp, *arg;
	size_t used = 0;
	char *buf;
	int argc, envc, rc;
	PROC_OR_ESRCH(p);

	rc = user_path(p, a[0], path, sizeof(path));
	if (rc)
		return rc;
	buf = kmalloc(EXEC_STRINGS);
	if (!buf)
		return -AE_ENOMEM;
	/* argv after two free slots, for an interpreter and its argument */
	argc = user_vector(a[1], argv + 2, EXEC_VEC_MAX, buf, &used);
	envc = argc < 0 ? argc : user_vector(a[2], envp, EXEC_VEC_MAX, buf,
					       &used);
	if (argc < 0 || envc < 0) {
		kfree(buf);
		return argc < 0 ? argc : envc;
	}
	rc = shebang(p, path, line, &interp, &arg);
	if (rc == 1) {
		struct node_stat st;
		const char **v = argv;

		/* the script must be one the caller may run */
		rc = node_stat(path, &st, cred(p));
		if (!rc && !proc_privileged(p) &&
		    !((st.uid == PROC_UID_USER ? st.mode >> 6 :
		       st.gid == PROC_UID_USER ? st.mode >> 3 : st.mode) & 1))
			rc = -AE_EACCES;
		if (!rc && proc_privileged(p) && !(st.mode & 0111))
			rc = -AE_EACCES;
		memcpy(script, path, sizeof(script));
		if (!rc)
			rc = path_resolve(interp, proc_cwd(p), path,
					  sizeof(path));
		if (!rc) {
			/* interpreter [arg] script argv[1..] */
			if (!arg)
				v++;
			v[0] = interp;
			if (arg)
				v[1] = arg;
			argv[2] = script;	/* in place of argv[0] */
			if (argc == 0)
				argc = 1;
			rc = proc_exec(p, path, v, (unsigned int)argc +
				       (arg ? 2 : 1), envp, (unsigned int)envc);
		}
	} else if (rc == 0) {
		rc = proc_exec(p, path, argv + 2, (unsigned int)argc, envp,
			       (unsigned int)envc);
	}
	kfree(buf);
	return rc;
}

/* ---- poll and select ------------------------------------------------------ */

#define POLLIN		0x001
#define POLLPRI		0x002
#define POLLOUT		0x004
#define POLLERR		0x008
#define POLLHUP		0x010
#define POLLNVAL	0x020
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define POLL_MAX	64	/* descriptors one poll looks at */
#define POLL_RECHECK_NS	1000000000ull

struct pollfd_l {		/* Linux's struct pollfd */
	int32_t fd;
	int16_t ev, rev;
};

/* What file fd is ready for, as poll's revents for events (me: the
 * thread a pipe wakes when it is not ready). */
static int16_t ready(struct proc *p, int fd, int16_t events, int me)
{
	struct proc_lfd *l = proc_lfd(p, fd);
	int h = proc_fd_get(p, fd), bits, acc;
	int16_t r = 0;

	if (h == PROC_FD_CONSOLE)
		return events & (POLLOUT | POLLWRNORM);	/* it takes writes */
	if (h < 0)
		return POLLNVAL;
	acc = l && l->path[0] ? (int)(l->flags & O_ACCMODE) : O_RDWR;
	if (is_stream(l)) {
		bits = node_poll(h, me);
		if (bits < 0)
			return POLLERR;
	} else {
		/* files and devices never wait */
		bits = (acc != O_WRONLY ? NODE_POLLIN : 0) |
		       (acc != 0 ? NODE_POLLOUT : 0);
	}
	if (bits & NODE_POLLIN)
		r |= events & (POLLIN | POLLRDNORM);
	if (bits & NODE_POLLOUT)
		r |= events & (POLLOUT | POLLWRNORM);
	if (bits & NODE_POLLHUP)
		r |= POLLHUP;
	if (bits & NODE_POLLERR)
		r |= POLLERR;
	return r;
}

/* poll's loop over fds (nfds of them, copied in), until one is ready,
 * the deadline (ns of the monotonic clock; ~0: none) passes, or the
 * process is ended. */
static int64_t poll_fds(struct proc *p, struct pollfd_l *fds, uint64_t nfds,
			uint64_t deadline)
{
	int me = sched_self();

	for (;;) {
		int64_t n = 0;
		uint64_t now, seen = sched_wakes();

		for (uint64_t i = 0; i < nfds; i++) {
			fds[i].rev = fds[i].fd < 0 ? 0 :
				     ready(p, fds[i].fd, fds[i].ev, me);
			n += fds[i].rev != 0;
		}
		now = clock_ns();
		if (n || now >= deadline)
			return n;
		if (sched_killed())
			return -AE_EINTR;
		if (linux_sig_due())	/* -EINTR once a handler ran */
			return -LINUX_ERESTARTNOHAND;
		/* a second at most before it looks again: an owner that
		 * restarted (the console's terminal) knows nothing of this
		 * waiter, and never wakes it */
		sched_block_unless(seen, deadline - now > POLL_RECHECK_NS ?
				   POLL_RECHECK_NS : deadline - now);
	}
}

static int64_t do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
	struct pollfd_l fds[POLL_MAX];
	int64_t n;
	int rc;
	PROC_OR_ESRCH(p);

	if (nfds > POLL_MAX)
		return -AE_EINVAL;
	rc = syscall_copy(fds, ufds, nfds * sizeof(fds[0]), false);
	if (rc)
		return rc;
	n = poll_fds(p, fds, nfds, deadline);
	if (n < 0)
		return n;
	return syscall_copy(fds, ufds, nfds * sizeof(fds[0]), true) ?: n;
}

/* A relative timeout (struct timespec at va; 0: none) as a deadline. */
static int deadline_of(uint64_t va, uint64_t *deadline)
{
	struct { int64_t s, ns; } t;
	int rc;

	*deadline = ~0ull;
	if (!va)
		return 0;
	rc = syscall_copy(&t, va, sizeof(t), false);
	if (rc)
		return rc;
	if (t.s < 0 || t.ns < 0 || t.ns >= 1000000000)
		return -AE_EINVAL;
	if (t.s > (int64_t)(~0ull / 2000000000))
		return 0;	/* forever, as good as */
	*deadline = clock_ns() + (uint64_t)t.s * 1000000000 + (uint64_t)t.ns;
	return 0;
}

int64_t lsys_poll(const uint64_t a[SYS_ARGS_MAX])
{
	int32_t ms = (int32_t)a[2];

	return do_poll(a[0], a[1], ms < 0 ? ~0ull :
		       clock_ns() + (uint64_t)ms * 1000000);
}

int64_t lsys_ppoll(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t deadline;
	int rc = deadline_of(a[2], &deadline);

	/* a[3], the signal mask to wait with: there are no signals yet */
	return rc ? rc : do_poll(a[0], a[1], deadline);
}

/* select's sets: each a bitmap of nfds bits (at most 64 here). */
static int64_t do_select(uint64_t nfds, uint64_t rd, uint64_t wr,
			 uint64_t ex, uint64_t deadline)
{
	struct pollfd_l fds[POLL_MAX];
	uint64_t r = 0, w = 0, x = 0, n = 0, bytes;
	int64_t got;
	PROC_OR_ESRCH(p);

	if ((int64_t)(int32_t)nfds < 0)
		return -AE_EINVAL;
	if (nfds > POLL_MAX)
		nfds = POLL_MAX;	/* no file number is that high */
	bytes = (nfds + 7) / 8;
	if ((rd && syscall_copy(&r, rd, bytes, false)) ||
	    (wr && syscall_copy(&w, wr, bytes, false)) ||
	    (ex && syscall_copy(&x, ex, bytes, false)))
		return -AE_EFAULT;
	for (uint64_t fd = 0; fd < nfds; fd++) {
		int16_t ev = (int16_t)((r >> fd & 1 ? POLLIN : 0) |
				       (w >> fd & 1 ? POLLOUT : 0) |
				       (x >> fd & 1 ? POLLPRI : 0));

		if (!ev)
			continue;
		if (proc_fd_get(p, (int)fd) < 0 &&
		    proc_fd_get(p, (int)fd) != PROC_FD_CONSOLE)
			return -AE_EBADF;
		fds[n].fd = (int32_t)fd;
		fds[n].ev = ev;
		n++;
	}
	got = poll_fds(p, fds, n, deadline);
	if (got < 0)
		return got;
	r = w = x = 0;
	got = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t bit = 1ull << fds[i].fd;

		if (fds[i].rev & (POLLIN | POLLHUP | POLLERR) &&
		    fds[i].ev & POLLIN)
			r |= bit, got++;
		if (fds[i].rev & (POLLOUT | POLLERR) && fds[i].ev & POLLOUT)
			w |= bit, got++;
	}
	if ((rd && syscall_copy(&r, rd, bytes, true)) ||
	    (wr && syscall_copy(&w, wr, bytes, true)) ||
	    (ex && syscall_copy(&x, ex, bytes, true)))
		return -AE_EFAULT;
	return got;
}

int64_t lsys_pselect6(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t deadline;
	int rc = deadline_of(a[4], &deadline);

	return rc ? rc : do_select(a[0], a[1], a[2], a[3], deadline);
}

int64_t lsys_select(const uint64_t a[SYS_ARGS_MAX])
{
	struct { int64_t s, us; } t;
	uint64_t deadline = ~0ull;

	if (a[4]) {
		if (syscall_copy(&t, a[4], sizeof(t), false))
			return -AE_EFAULT;
		if (t.s < 0 || t.us < 0 || t.us >= 1000000)
			return -AE_EINVAL;
		deadline = clock_ns() + (uint64_t)t.s * 1000000000 +
			   (uint64_t)t.us * 1000;
	}
	return do_select(a[0], a[1], a[2], a[3], deadline);
}

/* ---- ioctl and sendfile --------------------------------------------------- */

#define FIONREAD	0x541b
#define FIONBIO		0x5421

/* ioctl: no file here is a terminal yet (-ENOTTY for TCGETS, TIOCGWINSZ
 * and the rest); FIONREAD gives what a read would find now: a pipe's
 * bytes, or a regular file's past the offset. */
int64_t lsys_ioctl(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *l;
	struct node_stat st;
	int32_t n;
	int h, rc;
	PROC_OR_ESRCH(p);

	h = proc_fd_get(p, (int)a[0]);
	if (h < 0 && h != PROC_FD_CONSOLE)
		return h;
	l = proc_lfd(p, (int)a[0]);
	if ((uint32_t)a[1] == FIONBIO) {	/* any file, as Linux's */
		rc = syscall_copy(&n, a[2], sizeof(n), false);
		if (rc)
			return rc;
		if (h == PROC_FD_CONSOLE && (!l || !l->path[0]))
			return 0;	/* the console never waits */
		if (n)
			l->flags |= O_NONBLOCK;
		else
			l->flags &= ~(uint32_t)O_NONBLOCK;
		return 0;
	}
	if (h >= 0 && l && l->tty)
		return linux_tty_ioctl(p, h, (uint32_t)a[1], a[2]);
	if ((uint32_t)a[1] != FIONREAD || h == PROC_FD_CONSOLE)
		return -AE_ENOTTY;
	rc = node_fstat(h, &st);
	if (rc == 0 && st.kind == NODE_KIND_FIFO) {
		n = (int32_t)st.size;
	} else if (rc == 0 && st.kind == NODE_KIND_FILE) {
		int pos = node_seek(h, 0, NODE_SEEK_CUR);

		if (pos < 0)
			return pos;
		n = st.size > (uint64_t)pos ? (int32_t)(st.size - (uint64_t)pos)
					    : 0;
	} else {
		return is_pipe(l) ? rc : -AE_ENOTTY;
	}
	return syscall_copy(&n, a[2], sizeof(n), true);
}

/* sendfile: from a regular file (at *offset, or its own offset) to any
 * file, through the caller's scratch page, 4 KiB at a time. */
int64_t lsys_sendfile(const uint64_t a[SYS_ARGS_MAX])
{
	struct proc_lfd *ol;
	struct node_stat st;
	int64_t off = -1, done = 0;
	uint64_t count = a[3] > 0x7ffff000ull ? 0x7ffff000ull : a[3];
	char *bounce = sched_scratch();
	int in, out, rc;
	PROC_OR_ESRCH(p);

	in = proc_fd_get(p, (int)a[1]);
	out = proc_fd_get(p, (int)a[0]);
	if ((in < 0 && in != PROC_FD_CONSOLE) ||
	    (out < 0 && out != PROC_FD_CONSOLE))
		return -AE_EBADF;
	if (!bounce)
		return -AE_EFAULT;
	/* Linux: the source must be a file with pages (a regular file) */
	if (in == PROC_FD_CONSOLE || node_fstat(in, &st) ||
	    st.kind != NODE_KIND_FILE)
		return -AE_EINVAL;
	ol = proc_lfd(p, (int)a[0]);
	if (ol && ol->path[0] && (ol->flags & O_ACCMODE) == 0)
		return -AE_EBADF;	/* not open for writing */
	if (a[2]) {
		rc = syscall_copy(&off, a[2], sizeof(off), false);
		if (rc)
			return rc;
		if (off < 0)
			return -AE_EINVAL;
	}
	while ((uint64_t)done < count) {
		uint32_t want = count - (uint64_t)done < 4096 ?
				(uint32_t)(count - (uint64_t)done) : 4096;
		int got, was = 0, put;

		if (off >= 0) {
			was = node_seek(in, 0, NODE_SEEK_CUR);
			if (was < 0 || node_seek(in, off, NODE_SEEK_SET) < 0)
				return done ? done : -AE_EINVAL;
		}
		got = node_read(in, bounce, want);
		if (off >= 0)
			node_seek(in, was, NODE_SEEK_SET);
		if (got <= 0) {
			if (got < 0 && !done)
				return got;
			break;
		}
		if (out == PROC_FD_CONSOLE) {
			klog_write(bounce, (size_t)got);
			put = got;
		} else if (is_pipe(ol)) {
			uint64_t seen = sched_wakes();

			put = node_pipe_io(out, bounce, (uint32_t)got, true,
					   sched_self());
			while (put == -AE_EAGAIN && !sched_killed() &&
			       !linux_sig_due()) {
				sched_block_unless(seen, 0);
				seen = sched_wakes();
				put = node_pipe_io(out, bounce, (uint32_t)got,
						   true, sched_self());
			}
			if (put == -AE_EAGAIN)
				put = -AE_EINTR;	/* a signal came */
		} else if (ol && (ol->flags & O_APPEND)) {
			put = node_append(out, bounce, (uint32_t)got);
		} else {
			put = node_write(out, bounce, (uint32_t)got);
		}
		if (put < 0)
			return done ? done : put;
		done += put;
		if (off >= 0)
			off += put;
		if (put < got)
			break;
	}
	if (a[2] && syscall_copy(&off, a[2], sizeof(off), true))
		return -AE_EFAULT;
	return done;
}

/* ---- copy_file_range -------------------------------------------------- */

/* A tmpfs regular file's handle for fd (a copy's end): -EBADF, -EISDIR,
 * -EINVAL (not a regular file), -EXDEV (on another file system). */
static int copy_end(struct proc *p, int fd, bool write, struct node_stat *st)
{
	struct proc_lfd *l = proc_lfd(p, fd);
	int h = proc_fd_get(p, fd);

	if (h == PROC_FD_CONSOLE)
		return -AE_EINVAL;
	if (h < 0)
		return h;
	if (!l || (write ? (l->flags & O_ACCMODE) == 0 ||
			   (l->flags & O_APPEND) :
		   (l->flags & O_ACCMODE) == O_WRONLY) ||
	    (l->flags & O_PATH))
		return -AE_EBADF;
	if (is_pipe(l))
		return -AE_EINVAL;
	if (node_fstat(h, st))
		return -AE_EXDEV;	/* /dev, /sys, /proc: not tmpfs's */
	if (st->kind == NODE_KIND_DIR)
		return -AE_EISDIR;
	if (st->kind != NODE_KIND_FILE)
		return -AE_EINVAL;
	return h;
}

int64_t lsys_copy_file_range(const uint64_t a[SYS_ARGS_MAX])
{
	struct node_stat si, so;
	int64_t offs[2] = { -1, -1 }, done = 0;
	uint64_t len = a[4] > 0x7ffff000ull ? 0x7ffff000ull : a[4];
	char *bounce = sched_scratch();
	int in, out, rc;
	PROC_OR_ESRCH(p);

	if (a[5])
		return -AE_EINVAL;
	in = copy_end(p, (int)a[0], false, &si);
	if (in < 0)
		return in;
	out = copy_end(p, (int)a[2], true, &so);
	if (out < 0)
		return out;
	for (int i = 0; i < 2; i++) {
		uint64_t va = i ? a[3] : a[1];

		if (!va)
			continue;
		rc = syscall_copy(&offs[i], va, sizeof(offs[i]), false);
		if (rc)
			return rc;
		if (offs[i] < 0)
			return -AE_EINVAL;
	}
	for (int i = 0; i < 2; i++)
		if (offs[i] < 0) {
			rc = node_seek(i ? out : in, 0, NODE_SEEK_CUR);
			if (rc < 0)
				return rc;
			offs[i] = rc;
		}
	/* the same file: the ranges may not overlap */
	if (si.ino == so.ino && (uint64_t)offs[0] < (uint64_t)offs[1] + len &&
	    (uint64_t)offs[1] < (uint64_t)offs[0] + len)
		return -AE_EINVAL;
	if (!bounce)
		return -AE_EFAULT;
	while ((uint64_t)done < len) {
		uint32_t want = len - (uint64_t)done < 4096 ?
				(uint32_t)(len - (uint64_t)done) : 4096;
		int was_in = node_seek(in, 0, NODE_SEEK_CUR);
		int was_out = node_seek(out, 0, NODE_SEEK_CUR);
		int got, put;

		if (was_in < 0 || was_out < 0 ||
		    node_seek(in, offs[0], NODE_SEEK_SET) < 0)
			return done ? done : -AE_EINVAL;
		got = node_read(in, bounce, want);
		node_seek(in, was_in, NODE_SEEK_SET);
		if (got <= 0) {
			if (got < 0 && !done)
				return got;
			break;
		}
		if (node_seek(out, offs[1], NODE_SEEK_SET) < 0)
			return done ? done : -AE_EFBIG;
		put = node_write(out, bounce, (uint32_t)got);
		node_seek(out, was_out, NODE_SEEK_SET);
		if (put < 0)
			return done ? done : put;
		done += put;
		offs[0] += put;
		offs[1] += put;
		if (put < got)
			break;
	}
	/* the offsets moved: the files' own, or the caller's */
	for (int i = 0; i < 2; i++) {
		uint64_t va = i ? a[3] : a[1];

		if (va) {
			if (syscall_copy(&offs[i], va, sizeof(offs[i]), true))
				return done ? done : -AE_EFAULT;
		} else {
			node_seek(i ? out : in, offs[i], NODE_SEEK_SET);
		}
	}
	return done;
}

/* ---- mmap and munmap -------------------------------------------------------- */

#define PROT_READ	1
#define PROT_WRITE	2
#define PROT_EXEC	4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_NORESERVE	0x4000
#define MAP_POPULATE	0x8000
#define MAP_STACK	0x20000
#define MAP_FIXED_NOREPLACE 0x100000
#define PAGE_4K		4096ull

/* The file's bytes from off into the mapping at va (len bytes): what is
 * past its end stays zero. */
static int fill_from(int h, uint64_t off, uint64_t va, uint64_t len)
{
	char *bounce = sched_scratch();
	int was = node_seek(h, 0, NODE_SEEK_CUR), rc = 0;

	if (!bounce)
		return -AE_EFAULT;
	if (was < 0 || off > 0xffffffffull)
		return was < 0 ? -AE_EACCES : 0;
	if (node_seek(h, (int64_t)off, NODE_SEEK_SET) < 0)
		return -AE_EINVAL;
	for (uint64_t done = 0; done < len;) {
		uint32_t want = len - done < PAGE_4K ? (uint32_t)(len - done)
						     : (uint32_t)PAGE_4K;
		int n = node_read(h, bounce, want);

		if (n <= 0) {
			rc = n;
			break;
		}
		rc = syscall_copy(bounce, va + done, (uint64_t)n, true);
		if (rc)
			break;
		done += (uint64_t)n;
	}
	node_seek(h, was, NODE_SEEK_SET);
	return rc < 0 ? rc : 0;
}

int64_t lsys_mmap(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t addr = a[0], len = a[1], off = a[5], va = 0;
	uint32_t prot = (uint32_t)a[2], flags = (uint32_t)a[3], hp;
	int fd = (int)(int32_t)a[4], h = -1, rc;
	struct proc_lfd *l;
	struct node_stat st;
	bool fixed, shared;
	PROC_OR_ESRCH(p);

	if (!len || (off & (PAGE_4K - 1)))
		return -AE_EINVAL;
	if (len > hal_mmu_user_range().hi)
		return -AE_ENOMEM;
	len = (len + PAGE_4K - 1) & ~(PAGE_4K - 1);
	/* MAP_SHARED (or MAP_SHARED_VALIDATE, which has both bits):
	 * anonymous memory a fork shares; a file's shared pages are not
	 * kept yet */
	shared = (flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE;
	if (!(flags & (MAP_SHARED | MAP_PRIVATE)) ||
	    (shared && !(flags & MAP_ANONYMOUS)))
		return -AE_EINVAL;
	if (flags & ~(uint32_t)(MAP_PRIVATE | MAP_SHARED | MAP_FIXED |
				MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE |
				MAP_STACK | MAP_FIXED_NOREPLACE))
		return -AE_EINVAL;
	if (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -AE_EINVAL;
	/* as mprotect: never write with execute; write or execute alone is
	 * readable too; PROT_NONE (0) gives pages nobody may touch */
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -AE_EINVAL;
	if (prot)
		prot |= PROT_READ;
	fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && (addr & (PAGE_4K - 1)))
		return -AE_EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		h = proc_fd_get(p, fd);
		l = proc_lfd(p, fd);
		if (h < 0 || h == PROC_FD_CONSOLE)
			return h == PROC_FD_CONSOLE ? -AE_ENODEV : -AE_EBADF;
		if (is_pipe(l) || node_fstat(h, &st) || st.kind != NODE_KIND_FILE)
			return -AE_ENODEV;	/* no pages to map */
		if (l && l->path[0] && (l->flags & O_ACCMODE) == O_WRONLY)
			return -AE_EACCES;
	}
	hp = HAL_PROT_READ | ((prot & PROT_EXEC) ? HAL_PROT_EXEC : 0) |
	     ((prot & PROT_WRITE) || h >= 0 ? HAL_PROT_WRITE : 0);
	if (!prot && h < 0)
		hp = 0;		/* PROT_NONE: HAL_PROT_USER alone */
	if ((hp & HAL_PROT_WRITE) && (hp & HAL_PROT_EXEC))
		hp &= ~(uint32_t)HAL_PROT_EXEC;	/* filled first, then set */
	if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE)) {
		/* MAP_FIXED replaces what is mapped there (Linux's): it is
		 * unmapped first, and stays so if the new mapping fails */
		struct HalRange ur = hal_mmu_user_range();

		if (addr < ur.lo || addr >= ur.hi || len > ur.hi - addr)
			return -AE_ENOMEM;
		if (proc_munmap(p, addr, len))
			return -AE_ENOMEM;
	}
	rc = proc_mmap(p, addr, len, hp | (shared ? MM_PROT_SHARED : 0),
		       fixed, &va);
	if (rc)
		return rc == -AE_EEXIST && !(flags & MAP_FIXED_NOREPLACE) ?
		       -AE_ENOMEM : rc;
	if (h >= 0) {
		/* a private copy of the file, then the protection asked */
		uint64_t b[SYS_ARGS_MAX] = { va, len,
			((prot & PROT_READ) ? 1 : 0) |
			((prot & PROT_WRITE) ? 2 : 0) |
			((prot & PROT_EXEC) ? 4 : 0) };

		rc = fill_from(h, off, va, len);
		if (!rc && !(prot & PROT_WRITE))
			rc = (int)syscall_protect(b[0], b[1], b[2]);
		if (rc) {
			proc_munmap(p, va, len);
			return rc;
		}
	}
	return (int64_t)va;
}

int64_t lsys_munmap(const uint64_t a[SYS_ARGS_MAX])
{
	uint64_t len;
	int rc;
	PROC_OR_ESRCH(p);

	if ((a[0] & (PAGE_4K - 1)) || !a[1])
		return -AE_EINVAL;
	if (a[1] > hal_mmu_user_range().hi)
		return -AE_EINVAL;
	len = (a[1] + PAGE_4K - 1) & ~(PAGE_4K - 1);
	/* Linux's: the range must end inside the user range (a kernel
	 * address, or one that wraps, is -EINVAL) */
	if (a[0] > hal_mmu_user_range().hi ||
	    len > hal_mmu_user_range().hi - a[0])
		return -AE_EINVAL;
	rc = proc_munmap(p, a[0], len);
	/* nothing mapped there is no error (Linux's): every mapping the
	 * range meets loses its part; -ENOMEM when one would have to be
	 * split and mm has no room for its parts */
	return rc == -AE_ENOENT || rc == -AE_EFAULT ? 0 :
	       rc == -AE_ENOSPC ? -AE_ENOMEM : rc;
}
