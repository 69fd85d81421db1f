/*
 * aegis/node.h - the node namespace: paths like /dev/null and
 * /sys/bus/..., and the open-file handles on them, served over the bus.
 *
 * The "ns" service (devnodes/ns.c) owns the mount table and the open-file
 * table. A client asks ns (node_open, node_read, ... in
 * kernel/lib/node_client.c); ns finds the service mounted on the path's
 * first component (/dev: devfs, /sys: sysfs) and forwards the operation
 * to it as a "node.*" request. Each hop is a bus call, so every file
 * operation shows in the trace. Buffers travel by reference, as grants
 * (aegis/grant.h): the client lends its buffer, path and answer to ns
 * for its (synchronous) call, ns passes the buffers on to the owner, and
 * an owner gets at them only through bus_grant_map. A request whose
 * grants its sender does not hold (a user process's, say) is -EFAULT.
 *
 * Requests a node-owning service answers (struct node_req, the owner's
 * handles are its own business):
 *   "node.open"     path (buf: len bytes, relative to the mount, len 0 =
 *                   its root), flags, cred -> handle in reply (uint32_t)
 *   "node.read"     handle, buf, len, off -> bytes read (uint32_t)
 *   "node.write"    handle, buf, len, off -> bytes written
 *   "node.ioctl"    handle, cmd, buf, len -> the owner's answer
 *   "node.close"    handle
 *   "node.stat"     path, cred -> struct node_stat in out
 *   "node.readdir"  handle, index -> struct node_dirent in out,
 *                   -ENOENT past the last entry
 * buf and out are grants; len is at most buf's length.
 *
 * ns answers "ns.seek" itself (handle, flags = whence, seek = the signed
 * offset -> the new offset, uint32_t): the offset is its own.
 *
 * File systems. The service mounted on "/" (ns.mount "/", tmpfs) holds
 * every path no other mount names, and its files take more (the
 * requests below, and NODE_STAT_HANDLE, NODE_NOFOLLOW, NODE_SEEK_END,
 * NODE_APPEND); on the other mounts these are -EROFS (making, removing
 * and changing), -EINVAL (readlink: not a link) or -ENOSYS (a handle's
 * stat):
 *   "node.create"   path (a NUL and a link's target after it), flags
 *                   (NODE_MK_*), off = the mode
 *   "node.remove"   path, flags (NODE_RM_DIR)
 *   "node.rename"   "from\0to", both relative to the one mount (else
 *   "node.link"     ns answers -EXDEV)
 *   "node.readlink" path, out (off bytes) -> the target's length
 *   "node.setattr"  path, or the handle when len is 0; flags NODE_SET_*:
 *                   off the mode, seek the size or uid << 32 | gid
 * ns's own: "ns.dup" (one more holder of a handle; the last close
 * closes it).
 *
 * A link whose target an owner does not hold (procfs's /proc/self/exe)
 * answers open and stat -EXDEV: ns then asks "node.readlink" for it and
 * goes on from the target, at most 8 times (-ELOOP).
 *
 * Errors: -ENOENT (no such node), -EACCES (the mode refuses the caller),
 * -ENOTDIR / -EISDIR, -EBADF (not an open handle), -ENODEV (the device
 * went away while open), -EINVAL (bad flags or arguments), -EMFILE (the
 * open-file table is full), -ENAMETOOLONG, -EFAULT (a grant the sender
 * does not hold, or one too short for len).
 */
#ifndef AEGIS_NODE_H
#define AEGIS_NODE_H

#include <aegis/grant.h>
#include <aegis/types.h>

#define NODE_PATH_MAX	128
#define NODE_NAME_MAX	32
#define NODE_FILES_MAX	128
#define NODE_FILES_RESERVE 16	/* ns's files only uid 0 may open */

/* open flags */
#define NODE_READ	0x1
#define NODE_WRITE	0x2
#define NODE_DIR	0x4	/* open a directory (for readdir) */

/* seek */
#define NODE_SEEK_SET	0
#define NODE_SEEK_CUR	1
#define NODE_SEEK_END	2	/* a file system's files: from their size */

/* stat flags */
#define NODE_STAT_HANDLE 0x1	/* describe the open handle, not a path */
#define NODE_NOFOLLOW	0x2	/* a last symbolic link itself */

/* write flags: NODE_APPEND writes at the file's end (a file system's) */
#define NODE_APPEND	0x1

/* create flags: the kind (enum node_kind: FILE, DIR or LINK) and */
#define NODE_MK_KIND	0xff
#define NODE_MK_EXCL	0x100	/* -EEXIST if the name is there */

/* remove flags */
#define NODE_RM_DIR	0x1	/* rmdir: an empty directory */

/* setattr flags */
#define NODE_SET_MODE	0x1
#define NODE_SET_SIZE	0x2
#define NODE_SET_OWNER	0x4
#define NODE_SET_ATIME	0x8	/* seek: ns since the kernel started */
#define NODE_SET_MTIME	0x10
#define NODE_SET_OWNED	0x20	/* a time other than now: the owner's */

enum node_kind {
	NODE_KIND_DIR = 1,
	NODE_KIND_DEV = 2,	/* a device (character stream) */
	NODE_KIND_ATTR = 3,	/* a value (sysfs attribute) */
	NODE_KIND_FILE = 4,	/* a regular file of a file system (tmpfs) */
	NODE_KIND_LINK = 5,	/* a symbolic link */
	NODE_KIND_FIFO = 6,	/* a pipe (devnodes/pipe.c) */
	NODE_KIND_TTY = 7,	/* a terminal (services/console/tty.c) */
};

/* Who is asking: the kernel's services are uid 0. */
struct node_cred {
	uint32_t uid, gid;
	int32_t pid;		/* the calling process (0: the kernel): what
				 * /proc/self names */
};

#define NODE_CRED_KERNEL ((struct node_cred){ 0, 0, 0 })

struct node_stat {
	uint32_t kind;		/* enum node_kind */
	uint32_t mode;		/* rwxrwxrwx bits, octal 0644 style */
	uint32_t uid, gid;
	uint64_t size;		/* bytes, when known; else 0 */
	/* a file system's (tmpfs's; 0 from owners that have none) */
	uint64_t ino;		/* its inode number */
	uint32_t nlink;		/* names it has (0: say 1) */
	uint32_t pad;
	int64_t atime, mtime, ctime;	/* ns since the kernel started */
};

struct node_dirent {
	char name[NODE_NAME_MAX];
	uint32_t kind;
	uint32_t next;		/* the index to ask for next (0: this + 1) */
	uint64_t ino;		/* its inode number (0: none) */
};

/* ns.pipe's and pipe.new's reply: the two ends' handles */
struct node_pipe_rep {
	uint32_t rd, wr;
};

/* What travels in every node request (the owner reads what its
 * operation needs). */
struct node_req {
	uint32_t handle;
	uint32_t flags;		/* open flags, or the ioctl command */
	bus_grant_t buf;	/* the data buffer, or the path */
	bus_grant_t out;	/* stat/readdir: where the answer goes */
	uint32_t len;		/* bytes of buf the operation moves */
	uint32_t off;		/* read/write offset; readdir index */
	uint32_t uid, gid;	/* the caller's credentials */
	int64_t seek;		/* ns.seek: the offset; a pipe's read and
				 * write: the thread to wake + 1; open, stat
				 * and readlink: the caller's pid (procfs) */
};

/*
 * node_req_buf - for an owner handling m (a node request q): the first
 * q->len bytes of q->buf with rights, or NULL when q->len is 0 or the
 * grant is refused or shorter (*rc = -EFAULT; else *rc = 0).
 * node_req_out - q->out, which must hold size bytes (writable).
 */
void *node_req_buf(const struct bus_msg *m, const struct node_req *q,
		   uint32_t rights, int *rc);
void *node_req_out(const struct bus_msg *m, const struct node_req *q,
		   uint32_t size);

/* node_req_take - copy request m's struct node_req into *q: 0, -EINVAL
 * (not one), -EPERM (from a user process: its credentials would be its
 * own word; node requests come from ns and the kernel). */
int node_req_take(const struct bus_msg *m, struct node_req *q);

/* node_slot_allowed - whether an open by uid may take one of a table's
 * max slots when used are taken: uid 0 (the kernel's services and
 * privileged processes) may take the last ones, everyone else must leave
 * reserve free, so no process without privilege can fill a table that
 * root needs (-EMFILE). */
static inline bool node_slot_allowed(unsigned int used, unsigned int max,
				     unsigned int reserve, uint32_t uid)
{
	return used < (uid == 0 ? max : max - reserve);
}

/* mode_allows - whether mode (owner/group/other rwx) lets cred do want
 * (NODE_READ | NODE_WRITE). Root is allowed everything. */
static inline bool node_mode_allows(uint32_t mode, uint32_t uid,
				    uint32_t gid, struct node_cred c,
				    uint32_t want)
{
	uint32_t bits;

	if (c.uid == 0)
		return true;
	bits = c.uid == uid ? (mode >> 6) : c.gid == gid ? (mode >> 3) : mode;
	if ((want & NODE_READ) && !(bits & 4))
		return false;
	if ((want & NODE_WRITE) && !(bits & 2))
		return false;
	return true;
}

/* For node-owning services (kernel/lib/node_client.c); the requests
 * they serve are the node interface, contracts/node.def. */

/* node_mount - ask ns for the name under the root, as the calling
 * service (from its handler). 0, -EEXIST (another owner has it), or the
 * bus call's error. */
int node_mount(const char *name);

/* node_ns_generation - the generation of the ns service now (0: none).
 * node_owner_check - for an owner's handler, first thing with every
 * message m: 0 when ns is the instance it last saw (*ns_gen: 0 after its
 * own start; updated); else the owner forgets every handle it had (a new
 * ns knows none of them) and, when this returns 2, mounts again (1: m is
 * a request from ns itself, so the mount is there, and asking ns from
 * inside its call would deadlock). Looking at ns's generation, not at
 * the supervisor's "service.up", an owner mounts again at its next
 * message of any kind even if that news was lost to a full queue. */
uint32_t node_ns_generation(void);
int node_owner_check(const struct bus_msg *m, uint32_t *ns_gen);

/* Clients (kernel/lib/node_client.c): bus calls to ns. Each returns a
 * negative error code or: node_open a file number (>= 0); node_read and
 * node_write the bytes moved; the others 0. Thread or handler context. */
int node_open(const char *path, uint32_t flags, struct node_cred c);
int node_read(int fd, void *buf, uint32_t len);
int node_write(int fd, const void *buf, uint32_t len);
int node_ioctl(int fd, uint32_t cmd, void *buf, uint32_t len);
int node_close(int fd);
int node_stat(const char *path, struct node_stat *st, struct node_cred c);
int node_readdir(int fd, uint32_t index, struct node_dirent *d);
/* node_seek - the new offset (off from the start, or from the current
 * offset), or -EINVAL (below 0 or past 4 GiB), -EBADF. */
int node_seek(int fd, int64_t off, uint32_t whence);

/* For file systems (the mount on "/"; elsewhere the errors above the
 * requests say):
 * node_stat_at - node_stat with NODE_NOFOLLOW (lstat);
 * node_fstat - what open file fd is (-ENOSYS where its owner keeps no
 *   handle's description: devfs, sysfs);
 * node_append - write at the file's end (O_APPEND);
 * node_create - make path (flags: NODE_MK_*, a link with its target);
 * node_remove - unlink, or rmdir with NODE_RM_DIR;
 * node_rename, node_link - as rename(2) and link(2) (-EXDEV across
 *   mounts);
 * node_readlink - a link's target into buf (not NUL-terminated): its
 *   length;
 * node_setattr - change file fd's (path NULL) or path's mode, size or
 *   owner (what: NODE_SET_*; value the size or uid << 32 | gid);
 * node_dup - one more holder of fd (node_close once for each). */
int node_stat_at(const char *path, uint32_t flags, struct node_stat *st,
		 struct node_cred c);
int node_fstat(int fd, struct node_stat *st);
int node_append(int fd, const void *buf, uint32_t len);
int node_create(const char *path, uint32_t flags, uint32_t mode,
		const char *target, struct node_cred c);
int node_remove(const char *path, uint32_t flags, struct node_cred c);
int node_rename(const char *from, const char *to, struct node_cred c);
int node_link(const char *from, const char *to, struct node_cred c);
int node_readlink(const char *path, char *buf, uint32_t size,
		  struct node_cred c);
int node_setattr(int fd, const char *path, uint32_t what, uint32_t mode,
		 int64_t value, struct node_cred c);
int node_dup(int fd);
/* "ns.mounted", published by ns for each mount it makes. */
struct ns_mount_event {
	uint32_t gen;		/* ns's generation */
	char name[16];		/* "/", "dev", "sys", "proc" */
	char service[16];	/* its owner's service name */
};

/* node_pipe - a new pipe (ns.pipe, from the pipe service): its read end
 * in fds[0], its write end in fds[1], each an open file of ns (node_read,
 * node_write, node_close, node_dup, node_fstat). -EMFILE, -ENFILE... as
 * open. node_pipe_io - a read or write of a pipe end that would wait
 * answers -EAGAIN and wakes thread waiter (sched_wake) once it may go on
 * (data, room, or the other end closed). */
int node_pipe(int fds[2], struct node_cred c);
/* node_poll - what open file fd is ready for: NODE_POLLIN (a read would
 * not wait), NODE_POLLOUT, NODE_POLLHUP (a pipe's writers are gone),
 * NODE_POLLERR (its readers are gone); a pipe that is ready for nothing
 * wakes thread waiter once it is. Files and devices: NODE_POLLIN and
 * NODE_POLLOUT as they were opened (they never wait). */
#define NODE_POLLIN	0x1
#define NODE_POLLOUT	0x4
#define NODE_POLLERR	0x8
#define NODE_POLLHUP	0x10
#define NODE_IOCTL_POLL	0x504f4c4cu	/* a pipe's readiness ('POLL') */
int node_poll(int fd, int waiter);
int node_pipe_io(int fd, void *buf, uint32_t len, bool write, int waiter);
/* node_tty - a terminal's read, write (op TOPIC_NS_READ, _WRITE; buf, len)
 * or ioctl (TOPIC_NS_IOCTL, cmd; buf lent both ways), with the caller's
 * side lent as out (aegis/tty.h): what the terminal answers, or -EAGAIN
 * having noted thread waiter to wake. */
struct tty_caller;
int node_tty(int fd, bus_topic_t op, uint32_t cmd, void *buf, uint32_t len,
	     int waiter, struct tty_caller *c);

#endif
