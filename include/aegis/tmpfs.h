/*
 * aegis/tmpfs.h - a file system in memory (kernel/lib/tmpfs.c): the tree
 * of directories, regular files and symbolic links behind the tmpfs
 * service (devnodes/tmpfs.c), which ns mounts at the root. Pure: memory
 * comes from the allocator the caller gives, the time from its clock, so
 * the host's unit tests run it under ASan and valgrind.
 *
 * Paths are relative to the file system's root: "" is the root,
 * "bin/sh" a name in it, one '/' between names (ns gives them so); a
 * symbolic link's target may hold "." and "..", and an absolute target
 * starts again at this root. At most TMPFS_LOOPS links are followed in
 * one lookup (-ELOOP).
 *
 * Limits: max_inodes files, directories and links, max_pages pages of
 * file data; the last 1/16 of each is left to uid 0 (as node_slot_allowed
 * leaves a table's last slots), so that no user without privilege fills
 * the root's file system: -ENOSPC. A name is at most TMPFS_NAME_MAX bytes
 * (-ENAMETOOLONG), a link's target TMPFS_TARGET_MAX, a file
 * TMPFS_FILE_MAX bytes (-EFBIG).
 *
 * Files unpacked from an archive (tmpfs_unpack) keep pointing at its
 * bytes until they are first changed: the archive must outlive the
 * file system (the initrd does).
 */
#ifndef AEGIS_TMPFS_H
#define AEGIS_TMPFS_H

#include <aegis/node.h>
#include <aegis/types.h>

#define TMPFS_NAME_MAX		(NODE_NAME_MAX - 1)
#define TMPFS_TARGET_MAX	(NODE_PATH_MAX - 1)
#define TMPFS_FILE_MAX		(1ull << 30)
#define TMPFS_LOOPS		8
#define TMPFS_ROOT		1u	/* the root's inode number */

struct tmpfs_dent {
	char name[NODE_NAME_MAX];
	uint32_t ino;			/* 0: a free slot */
};

struct tmpfs_inode {
	uint8_t kind;			/* 0 (free), NODE_KIND_FILE, _DIR, _LINK */
	uint16_t mode;			/* 07777 */
	uint32_t uid, gid;
	uint32_t nlink;			/* names (a directory: 2 + subdirectories) */
	uint32_t opens;			/* open handles (tmpfs_hold) */
	uint32_t parent;		/* a directory's */
	uint64_t size;
	int64_t atime, mtime, ctime;
	const uint8_t *backing;		/* the archive's bytes, until changed */
	uint8_t **pages;		/* the file's pages (NULL: a hole) */
	uint32_t npages;		/* entries of pages */
	struct tmpfs_dent *ents;	/* a directory's slots */
	uint32_t nents;
	char *target;			/* a link's */
};

struct tmpfs {
	struct tmpfs_inode *inodes;	/* [max_inodes + 1]; 0 unused */
	uint32_t max_inodes, used_inodes;
	uint64_t max_pages, used_pages;
	void *(*alloc)(size_t size);	/* zeroed memory, or NULL */
	void (*free)(void *p);
	int64_t (*now)(void);		/* ns */
};

/* The tmpfs service's answer to the node.ioctl TMPFS_IOCTL_USAGE ('USAG')
 * on any of its handles (statfs): its limits and what is in use. */
#define TMPFS_IOCTL_USAGE	0x55534147u
struct tmpfs_usage {
	uint64_t max_pages, used_pages;
	uint32_t max_inodes, used_inodes;
};

/* Who asks: uid 0 may do anything the tree allows. */
struct tmpfs_cred {
	uint32_t uid, gid;
};

/* tmpfs_init - an empty file system (a root directory 0755 of uid 0):
 * 0 or -ENOMEM. tmpfs_destroy frees everything it holds. */
int tmpfs_init(struct tmpfs *fs, uint32_t max_inodes, uint64_t max_pages,
	       void *(*alloc)(size_t), void (*free)(void *),
	       int64_t (*now)(void));
void tmpfs_destroy(struct tmpfs *fs);

/* tmpfs_unpack - the newc cpio archive a (len bytes) into the tree:
 * directories (made with their parents), regular files and symbolic
 * links, with their modes; other kinds are skipped and counted in
 * *skipped. 0, or the first error with *why (a malformed archive, a
 * name that cannot be made). What was made before an error stays. */
int tmpfs_unpack(struct tmpfs *fs, const void *a, size_t len,
		 uint32_t *skipped, const char **why);

/* Lookups: the inode path names (following a last link when follow),
 * or -ENOENT, -ENOTDIR, -EACCES (a directory on the way that cred may
 * not search), -ELOOP, -ENAMETOOLONG. */
int tmpfs_lookup(struct tmpfs *fs, const char *path, bool follow,
		 struct tmpfs_cred c, uint32_t *ino);

/* tmpfs_open - look path up (following links) for an open that wants
 * NODE_READ, NODE_WRITE and NODE_DIR (aegis/node.h) and hold it
 * (tmpfs_release when closed): -EACCES (its mode refuses cred), -EISDIR
 * (a directory to write), -ENOTDIR (NODE_DIR on what is not one). */
int tmpfs_open(struct tmpfs *fs, const char *path, uint32_t want,
	       struct tmpfs_cred c, uint32_t *ino);
void tmpfs_hold(struct tmpfs *fs, uint32_t ino);
void tmpfs_release(struct tmpfs *fs, uint32_t ino);

/* tmpfs_create - make path a new kind (NODE_KIND_FILE, _DIR or _LINK
 * with target) with mode & 07777 for cred: its inode in *ino. A file
 * that is there already is *ino unless excl (-EEXIST); anything else
 * there: -EEXIST. -EACCES without write and search on the directory. */
int tmpfs_create(struct tmpfs *fs, const char *path, uint32_t kind,
		 uint32_t mode, const char *target, bool excl,
		 struct tmpfs_cred c, uint32_t *ino);

/* tmpfs_remove - take the name path away (unlink; dir: rmdir, which
 * must be empty, -ENOTEMPTY). -EISDIR / -ENOTDIR for the other kind,
 * -EBUSY for the root. The inode goes with its last name and handle. */
int tmpfs_remove(struct tmpfs *fs, const char *path, bool dir,
		 struct tmpfs_cred c);

/* tmpfs_rename - move from to to (rename(2)): a file replaces a file,
 * a directory an empty directory; -EINVAL for a directory into itself. */
int tmpfs_rename(struct tmpfs *fs, const char *from, const char *to,
		 struct tmpfs_cred c);

/* tmpfs_link - a second name to for the file from (not a directory:
 * -EPERM; a last link is not followed). */
int tmpfs_link(struct tmpfs *fs, const char *from, const char *to,
	       struct tmpfs_cred c);

/* tmpfs_readlink - link path's target into buf (size bytes, not
 * NUL-terminated): its length, or -EINVAL (not a link). */
int tmpfs_readlink(struct tmpfs *fs, const char *path, struct tmpfs_cred c,
		   char *buf, uint32_t size);

/* On an inode (an open handle's): bytes read (0 at the end; -EISDIR),
 * bytes written (-ENOSPC, -EFBIG when none could be), a new size. */
int64_t tmpfs_read(struct tmpfs *fs, uint32_t ino, uint64_t off, void *buf,
		   uint32_t len);
int64_t tmpfs_write(struct tmpfs *fs, uint32_t ino, uint64_t off,
		    const void *buf, uint32_t len, uint32_t uid);
int tmpfs_truncate(struct tmpfs *fs, uint32_t ino, uint64_t size,
		   uint32_t uid);

/* tmpfs_chmod - mode & 07777 (the owner or uid 0: -EPERM);
 * tmpfs_chown - owner and group (uid 0 only; ~0u: leave it). */
int tmpfs_chmod(struct tmpfs *fs, uint32_t ino, uint32_t mode,
		struct tmpfs_cred c);
int tmpfs_chown(struct tmpfs *fs, uint32_t ino, uint32_t uid, uint32_t gid,
		struct tmpfs_cred c);

/* tmpfs_utimes - set the access (NODE_SET_ATIME) and modification
 * (NODE_SET_MTIME) times: the owner, uid 0, or for the time now
 * (without NODE_SET_OWNED) anyone who may write the file (-EPERM,
 * -EACCES). */
int tmpfs_utimes(struct tmpfs *fs, uint32_t ino, uint32_t what,
		 int64_t atime, int64_t mtime, struct tmpfs_cred c);

/* tmpfs_stat - ino described; tmpfs_readdir - directory ino's entry at
 * index (0 ".", 1 "..", then its names; d->next the index after it) or
 * -ENOENT past the last. */
int tmpfs_stat(struct tmpfs *fs, uint32_t ino, struct node_stat *st);
int tmpfs_readdir(struct tmpfs *fs, uint32_t ino, uint32_t index,
		  struct node_dirent *d);

/* tmpfs_check - after a restart of the service that holds fs: no
 * handle is open any more (the inodes only they kept go), names of
 * inodes that are gone are taken away, a directory without a parent is
 * put under the root, and the counts are taken again. The number of
 * things it found wrong. */
uint32_t tmpfs_check(struct tmpfs *fs);

#endif
