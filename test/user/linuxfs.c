/*
 * linuxfs.c - what Linux's file system calls do, checked one by one:
 * creating, reading and writing files (offsets, O_APPEND, O_TRUNC, holes,
 * pread/pwrite, readv, truncation), dup and its kin (shared offsets,
 * close-on-exec), directories (mkdir, rmdir, getdents64, chdir, fchdir,
 * *at calls from a directory), symbolic and hard links, rename, modes,
 * times, and a file removed while open.
 *
 * It is built as the other test programs and marked a Linux program
 * (tools/mklinux.py): a static program that talks to the kernel only
 * through Linux's system calls. The same binary runs under Aegis
 * (integration case linux-files) and under Linux itself in scons test
 * (test/unit/linux_reference.py: the host's kernel for x86_64,
 * qemu-aarch64 for AArch64), so each expectation here is Linux's, or the
 * reference run fails. It works in a directory "lfs" it makes where it
 * starts, or in /tmp when it starts in the root (Aegis's init).
 */
#include <string.h>
#include "ulib.h"
#define sys(n, a, b, c, d, e) aegis_syscall((n), (a), (b), (c), (d), (e), 0)
#define sys6(n, a, b, c, d, e, f) aegis_syscall((n), (long)(a), (long)(b), \
						(long)(c), (long)(d), \
						(long)(e), (long)(f))

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_close = 3, NR_fstat = 5,
       NR_lseek = 8, NR_pread64 = 17, NR_pwrite64 = 18, NR_readv = 19,
       NR_dup = 32, NR_fcntl = 72, NR_fsync = 74, NR_ftruncate = 77,
       NR_getcwd = 79, NR_chdir = 80, NR_fchdir = 81, NR_fchmod = 91,
       NR_getuid = 102, NR_getdents64 = 217, NR_exit_group = 231,
       NR_openat = 257, NR_mkdirat = 258, NR_newfstatat = 262,
       NR_unlinkat = 263, NR_renameat = 264, NR_linkat = 265,
       NR_symlinkat = 266, NR_readlinkat = 267, NR_fchmodat = 268,
       NR_faccessat = 269, NR_utimensat = 280, NR_dup3 = 292,
       NR_renameat2 = 316, NR_ioctl = 16, NR_sendfile = 40, NR_mmap = 9,
       NR_munmap = 11, NR_close_range = 436, NR_faccessat2 = 439,
       NR_syncfs = 306, NR_fadvise64 = 221, NR_pipe2 = 293,
       NR_fallocate = 285, NR_sync_file_range = 277, NR_readahead = 187,
       NR_preadv = 295, NR_pwritev = 296, NR_statx = 332, NR_statfs = 137,
       NR_fstatfs = 138, NR_copy_file_range = 326 };
#define O_DIRECTORY	0200000
#define O_NOFOLLOW	0400000
/* struct stat (x86_64): mode at 24, nlink at 16, size at 48, mtime 88 */
#define ST_MODE(b)	(*(unsigned int *)((b) + 24))
#define ST_NLINK(b)	(*(unsigned long *)((b) + 16))
#define ST_SIZE(b)	(*(long *)((b) + 48))
#define ST_MTIME(b)	(*(long *)((b) + 88))
#define ST_INO(b)	(*(unsigned long *)((b) + 8))
#else
enum { NR_getcwd = 17, NR_dup = 23, NR_dup3 = 24, NR_fcntl = 25,
       NR_mkdirat = 34, NR_unlinkat = 35, NR_symlinkat = 36,
       NR_linkat = 37, NR_renameat = 38, NR_ftruncate = 46,
       NR_faccessat = 48, NR_chdir = 49, NR_fchdir = 50, NR_fchmod = 52,
       NR_fchmodat = 53, NR_openat = 56, NR_close = 57,
       NR_getdents64 = 61, NR_lseek = 62, NR_read = 63, NR_write = 64,
       NR_readv = 65, NR_pread64 = 67, NR_pwrite64 = 68,
       NR_readlinkat = 78, NR_newfstatat = 79, NR_fstat = 80,
       NR_fsync = 82, NR_utimensat = 88, NR_exit_group = 94,
       NR_getuid = 174, NR_renameat2 = 276, NR_ioctl = 29,
       NR_sendfile = 71, NR_mmap = 222, NR_munmap = 215,
       NR_close_range = 436, NR_faccessat2 = 439, NR_syncfs = 267,
       NR_fadvise64 = 223, NR_pipe2 = 59, NR_fallocate = 47,
       NR_sync_file_range = 84, NR_readahead = 213, NR_preadv = 69,
       NR_pwritev = 70, NR_statx = 291, NR_statfs = 43, NR_fstatfs = 44,
       NR_copy_file_range = 285 };
#define O_DIRECTORY	040000
#define O_NOFOLLOW	0100000
/* struct stat (generic): mode at 16, nlink at 20, size at 48, mtime 88 */
#define ST_MODE(b)	(*(unsigned int *)((b) + 16))
#define ST_NLINK(b)	(*(unsigned int *)((b) + 20))
#define ST_SIZE(b)	(*(long *)((b) + 48))
#define ST_MTIME(b)	(*(long *)((b) + 88))
#define ST_INO(b)	(*(unsigned long *)((b) + 8))
#endif

#define AT_FDCWD	(-100l)
#define O_RDONLY	0
#define O_WRONLY	1
#define O_RDWR		2
#define O_CREAT		0100
#define O_EXCL		0200
#define O_TRUNC		01000
#define O_APPEND	02000
#define O_CLOEXEC	02000000
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR	0x200
#define S_IFMT		0170000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFDIR		0040000

enum { EXDEV = 18, EPERM = 1, ENOENT = 2, EBADF = 9, EACCES = 13, EEXIST = 17,
       ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOTTY = 25, ELOOP = 40,
       ENOTEMPTY = 39, ESPIPE = 29 };

#define L(n, a, b, c, d) sys(NR_##n, (long)(a), (long)(b), (long)(c), \
			     (long)(d), 0)
#define L4(n, a, b, c, d) L(n, a, b, c, d)
#define L5(n, a, b, c, d, e) sys(NR_##n, (long)(a), (long)(b), (long)(c), \
				 (long)(d), (long)(e))

static int checks, fails;
static char line[160];
static char st[256] __attribute__((aligned(16)));
static char buf[8192] __attribute__((aligned(16)));

static void say(const char *s)
{
	sys(NR_write, 1, (long)s, (long)strlen(s), 0, 0);
}

#define CHECK(cond)							\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			fails++;					\
			snprintf(line, sizeof(line),			\
				 "linuxfs: line %d: %s\n", __LINE__, #cond); \
			say(line);					\
		}							\
	} while (0)

static long at(const char *path, long flags, long mode)
{
	return L(openat, AT_FDCWD, path, flags, mode);
}

static long put(long fd, const char *s)
{
	return L(write, fd, s, strlen(s), 0);
}

static long size_of(const char *path)
{
	return L(newfstatat, AT_FDCWD, path, st, 0) ? -1 : ST_SIZE(st);
}

static unsigned int mode_of(const char *path, long flags)
{
	return L(newfstatat, AT_FDCWD, path, st, flags) ? 0 : ST_MODE(st);
}

/* Read fd's next n bytes into buf as a string. */
static const char *got(long fd, long n)
{
	long k = L(read, fd, buf, n, 0);

	buf[k > 0 ? k : 0] = '\0';
	return buf;
}

static void files(void)
{
	long fd, fd2;
	long iov[4];
	char a[4], b[8];

	/* create, exclusively; the offset moves with each write and read */
	fd = at("f", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(at("f", O_RDWR | O_CREAT | O_EXCL, 0644) == -EEXIST);
	CHECK(put(fd, "abcde") == 5);
	CHECK(L(lseek, fd, 0, 1, 0) == 5);
	CHECK(L(lseek, fd, -2, 2, 0) == 3);
	CHECK(strcmp(got(fd, 10), "de") == 0);
	CHECK(L(read, fd, buf, 10, 0) == 0);	/* the end */
	CHECK(L(lseek, fd, -1, 0, 0) == -EINVAL);
	/* pread and pwrite leave the offset; a write past the end leaves
	 * a hole of zeros */
	CHECK(L(pread64, fd, buf, 3, 1) == 3 && memcmp(buf, "bcd", 3) == 0);
	CHECK(L(pwrite64, fd, "Z", 1, 10) == 1);
	CHECK(L(lseek, fd, 0, 1, 0) == 5);
	CHECK(size_of("f") == 11);
	CHECK(L(pread64, fd, buf, 6, 5) == 6 &&
	      memcmp(buf, "\0\0\0\0\0Z", 6) == 0);
	CHECK(L(pread64, fd, buf, 1, -1) == -EINVAL);
	/* readv fills its buffers in order */
	iov[0] = (long)a;
	iov[1] = 2;
	iov[2] = (long)b;
	iov[3] = 3;
	CHECK(L(lseek, fd, 0, 0, 0) == 0);
	CHECK(L(readv, fd, iov, 2, 0) == 5);
	CHECK(memcmp(a, "ab", 2) == 0 && memcmp(b, "cde", 3) == 0);
	/* ftruncate: shorter, then longer (zeros); not when read-only */
	CHECK(L(ftruncate, fd, 3, 0, 0) == 0);
	CHECK(size_of("f") == 3);
	CHECK(L(ftruncate, fd, 8192, 0, 0) == 0);
	CHECK(L(pread64, fd, buf, 4096, 0) == 4096 && buf[3] == 0 &&
	      buf[4095] == 0 && buf[2] == 'c');
	CHECK(L(pread64, fd, buf, 4096, 4096) == 4096 && buf[4095] == 0);
	CHECK(L(ftruncate, fd, -1, 0, 0) == -EINVAL);
	fd2 = at("f", O_RDONLY, 0);
	CHECK(L(ftruncate, fd2, 0, 0, 0) == -EINVAL);
	CHECK(L(write, fd2, "x", 1, 0) == -EBADF);
	CHECK(L(close, fd2, 0, 0, 0) == 0);
	CHECK(L(close, fd2, 0, 0, 0) == -EBADF);
	/* O_APPEND writes at the end wherever the offset was */
	fd2 = at("f", O_WRONLY | O_APPEND, 0);
	CHECK(L(lseek, fd2, 0, 0, 0) == 0);
	CHECK(put(fd2, "END") == 3);
	CHECK(size_of("f") == 8195);
	CHECK(L(pread64, fd, buf, 3, 8192) == 3 && memcmp(buf, "END", 3) == 0);
	CHECK(L(close, fd2, 0, 0, 0) == 0);
	/* O_TRUNC empties it */
	fd2 = at("f", O_WRONLY | O_TRUNC, 0);
	CHECK(fd2 >= 0 && size_of("f") == 0);
	CHECK(L(close, fd2, 0, 0, 0) == 0);
	CHECK(L(fsync, fd, 0, 0, 0) == 0);
	CHECK(L(fsync, 99, 0, 0, 0) == -EBADF);
	CHECK(L(close, fd, 0, 0, 0) == 0);
	/* O_CREAT without O_EXCL opens what is there; the mode is masked */
	fd = at("f", O_RDWR | O_CREAT, 0777);
	CHECK(fd >= 0);
	CHECK((mode_of("f", 0) & 07777) == 0644);
	CHECK(L(close, fd, 0, 0, 0) == 0);
	fd = at("g", O_RDWR | O_CREAT | O_EXCL, 0777);
	CHECK((mode_of("g", 0) & 07777) == 0755);	/* umask 022 */
	CHECK(L(close, fd, 0, 0, 0) == 0);
	/* dirfd is an int: AT_FDCWD in the low 32 bits alone is AT_FDCWD */
	fd = L(openat, 0xffffff9cul, "f", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK(L(close, fd, 0, 0, 0) == 0);
	CHECK(at("nothing", O_RDONLY, 0) == -ENOENT);
	CHECK(at("f/x", O_RDONLY, 0) == -ENOTDIR);
	CHECK(at("f", O_RDONLY | O_DIRECTORY, 0) == -ENOTDIR);
	/* access mode 3: permission to read and write asked (reading and
	 * writing it are -EBADF under Linux; qemu-user, the AArch64
	 * reference, opens it O_RDWR, so that is not checked here) */
	fd = at("f", 3, 0);
	CHECK(fd >= 0);
	CHECK(L(close, fd, 0, 0, 0) == 0);
}

static void dups(void)
{
	long fd = at("f", O_RDWR, 0), d, d2;

	/* a dup shares the offset; close-on-exec is the number's own */
	CHECK(put(fd, "0123456789") == 10);
	d = L(dup, fd, 0, 0, 0);
	CHECK(d > fd);
	CHECK(L(lseek, d, 0, 1, 0) == 10);
	CHECK(L(lseek, fd, 2, 0, 0) == 2);
	CHECK(strcmp(got(d, 3), "234") == 0);
	CHECK(L(lseek, fd, 0, 1, 0) == 5);
	CHECK(L(dup3, fd, 9, O_CLOEXEC, 0) == 9);
	CHECK(L(fcntl, 9, 1, 0, 0) == 1);		/* F_GETFD */
	CHECK(L(fcntl, d, 1, 0, 0) == 0);
	CHECK(L(dup3, fd, fd, 0, 0) == -EINVAL);
	CHECK(L(dup3, fd, 9, 1, 0) == -EINVAL);
	CHECK(L(dup3, 99, 9, 0, 0) == -EBADF);
	d2 = L(fcntl, fd, 0, 12, 0);			/* F_DUPFD */
	CHECK(d2 == 12);
	CHECK(L(fcntl, fd, 1030, 12, 0) == 13);		/* F_DUPFD_CLOEXEC */
	CHECK(L(fcntl, 13, 1, 0, 0) == 1);
	/* closing one number leaves the others working */
	CHECK(L(close, fd, 0, 0, 0) == 0);
	CHECK(L(lseek, 12, 0, 0, 0) == 0);
	CHECK(strcmp(got(9, 4), "0123") == 0);
	/* dup3 onto an open number closes what it was */
	CHECK(L(dup3, d, 12, 0, 0) == 12);
	CHECK(L(lseek, 12, 0, 1, 0) == 4);
	CHECK(L(close, 9, 0, 0, 0) == 0);
	CHECK(L(close, 12, 0, 0, 0) == 0);
	CHECK(L(close, 13, 0, 0, 0) == 0);
	CHECK(L(close, d, 0, 0, 0) == 0);
	CHECK(L(dup, 99, 0, 0, 0) == -EBADF);
}

static void copies(void)
{
	long in = at("f", O_RDONLY, 0), out, off = 2;
	int n = -1;

	/* sendfile: from a file's offset, or from *offset (left alone) */
	out = at("copy", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(in >= 0 && out >= 0);
	CHECK(L4(sendfile, out, in, 0, 4) == 4);
	CHECK(L(lseek, in, 0, 1, 0) == 4);
	CHECK(L4(sendfile, out, in, &off, 3) == 3 && off == 5);
	CHECK(L(lseek, in, 0, 1, 0) == 4);
	CHECK(size_of("copy") == 7);
	CHECK(L4(sendfile, out, in, 0, 1000) == 6);	/* to the end */
	CHECK(L4(sendfile, in, out, 0, 1) == -EBADF);	/* in: read-only */
	/* FIONREAD: what a read would find; no file is a terminal */
	CHECK(L(lseek, in, 1, 0, 0) == 1);
	CHECK(L(ioctl, in, 0x541b, &n, 0) == 0 && n == 9);
	CHECK(L(ioctl, in, 0x5401, buf, 0) == -ENOTTY);	/* TCGETS */
	CHECK(L(ioctl, 99, 0x5401, buf, 0) == -EBADF);
	/* mmap: zeroed memory of one's own, and a private copy of a file */
	{
		char *m = (char *)sys6(NR_mmap, 0, 8192, 3, 0x22, -1, 0);

		CHECK((unsigned long)m < (unsigned long)-4095);
		if ((unsigned long)m < (unsigned long)-4095) {
			CHECK(m[0] == 0 && m[8191] == 0);
			m[0] = 1;
			m[8191] = 2;
			CHECK(m[0] + m[8191] == 3);
			CHECK(L(munmap, m, 8192, 0, 0) == 0);
		}
		m = (char *)sys6(NR_mmap, 0, 4096, 1, 0x02, in, 0);
		CHECK((unsigned long)m < (unsigned long)-4095);
		if ((unsigned long)m < (unsigned long)-4095) {
			CHECK(memcmp(m, "0123456789", 10) == 0 && m[10] == 0);
			CHECK(L(munmap, m, 4096, 0, 0) == 0);
		}
		CHECK(sys6(NR_mmap, 0, 0, 3, 0x22, -1, 0) == -EINVAL);
		CHECK(sys6(NR_mmap, 0, 4096, 3, 0x22, -1, 1) == -EINVAL);
		CHECK(sys6(NR_mmap, 0, 4096, 1, 0x02, out, 0) == -EACCES);
		CHECK(L(munmap, 4097, 4096, 0, 0) == -EINVAL);
	}
	L(close, in, 0, 0, 0);
	L(close, out, 0, 0, 0);
	CHECK(L(unlinkat, AT_FDCWD, "copy", 0, 0) == 0);
}

static int count_entries(long fd, int *seen_dot, int *seen_e)
{
	int n = 0;
	long k;

	while ((k = L(getdents64, fd, buf, sizeof(buf), 0)) > 0) {
		for (long off = 0; off < k;) {
			unsigned short reclen = *(unsigned short *)(buf + off +
								     16);
			const char *name = buf + off + 19;

			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				(*seen_dot)++;
			if (strcmp(name, "e") == 0)
				*seen_e = buf[off + 18];	/* d_type */
			n++;
			off += reclen;
		}
	}
	return k < 0 ? (int)k : n;
}

static void dirs(void)
{
	long dfd, fd;
	int dots = 0, etype = 0;

	CHECK(L(mkdirat, AT_FDCWD, "d", 0755, 0) == 0);
	CHECK(L(mkdirat, AT_FDCWD, "d", 0755, 0) == -EEXIST);
	CHECK(L(mkdirat, AT_FDCWD, "f", 0755, 0) == -EEXIST);
	CHECK(L(mkdirat, AT_FDCWD, "d/x/y", 0755, 0) == -ENOENT);
	CHECK(L(mkdirat, AT_FDCWD, "d/e", 0700, 0) == 0);
	CHECK((mode_of("d/e", 0) & S_IFMT) == S_IFDIR);
	CHECK((mode_of("d/e", 0) & 07777) == 0700);
	/* *at calls from an open directory */
	dfd = at("d", O_RDONLY | O_DIRECTORY, 0);
	CHECK(dfd >= 0);
	fd = L(openat, dfd, "h", O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && put(fd, "hi") == 2);
	CHECK(L(close, fd, 0, 0, 0) == 0);
	CHECK(size_of("d/h") == 2);
	CHECK(L(openat, 99, "h", O_RDONLY, 0) == -EBADF);
	fd = at("f", O_RDONLY, 0);
	CHECK(L(openat, fd, "h", O_RDONLY, 0) == -ENOTDIR);
	CHECK(L(close, fd, 0, 0, 0) == 0);
	/* a directory lists ".", "..", its names; reading it is -EISDIR
	 * (before getdents64: after it, ext4's offset is a hash that makes
	 * Linux's read -EINVAL first) */
	CHECK(L(read, dfd, buf, 1, 0) == -EISDIR);
	CHECK(count_entries(dfd, &dots, &etype) == 4);
	CHECK(dots == 2);
	CHECK(etype == 4);	/* DT_DIR */
	CHECK(at("d", O_WRONLY, 0) == -EISDIR);
	/* rmdir and unlink, each of its own kind */
	CHECK(L(unlinkat, AT_FDCWD, "d", AT_REMOVEDIR, 0) == -ENOTEMPTY);
	CHECK(L(unlinkat, AT_FDCWD, "d", 0, 0) == -EISDIR);
	CHECK(L(unlinkat, AT_FDCWD, "f", AT_REMOVEDIR, 0) == -ENOTDIR);
	CHECK(L(unlinkat, AT_FDCWD, "f", 0x1, 0) == -EINVAL);
	CHECK(L(unlinkat, AT_FDCWD, "nothing", 0, 0) == -ENOENT);
	/* chdir, getcwd and fchdir */
	CHECK(L(getcwd, buf, sizeof(buf), 0, 0) > 0);
	{
		char top[200];

		memcpy(top, buf, strlen(buf) + 1);
		CHECK(L(chdir, "d/e", 0, 0, 0) == 0);
		CHECK(L(getcwd, buf, sizeof(buf), 0, 0) ==
		      (long)strlen(top) + 5);
		CHECK(strcmp(buf + strlen(top), "/d/e") == 0);
		CHECK(size_of("../h") == 2);
		CHECK(L(chdir, "../h", 0, 0, 0) == -ENOTDIR);
		CHECK(L(fchdir, dfd, 0, 0, 0) == 0);
		CHECK(size_of("h") == 2);
		CHECK(L(chdir, top, 0, 0, 0) == 0);
	}
	CHECK(L(close, dfd, 0, 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "d/h", 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "d/e", AT_REMOVEDIR, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "d", AT_REMOVEDIR, 0) == 0);
	CHECK(size_of("d") == -1);
}

static void links(void)
{
	long fd;

	/* symbolic links: read, followed, or not */
	CHECK(L(mkdirat, AT_FDCWD, "d", 0755, 0) == 0);
	CHECK(L(symlinkat, "../f", AT_FDCWD, "d/l", 0) == 0);
	CHECK(L(symlinkat, "../f", AT_FDCWD, "d/l", 0) == -EEXIST);
	CHECK(L(symlinkat, "", AT_FDCWD, "d/m", 0) == -ENOENT);
	CHECK(L(readlinkat, AT_FDCWD, "d/l", buf, sizeof(buf)) == 4 &&
	      memcmp(buf, "../f", 4) == 0);
	CHECK(L(readlinkat, AT_FDCWD, "d/l", buf, 2) == 2);
	CHECK(L(readlinkat, AT_FDCWD, "f", buf, sizeof(buf)) == -EINVAL);
	CHECK(L(readlinkat, AT_FDCWD, "nothing", buf, sizeof(buf)) ==
	      -ENOENT);
	CHECK(size_of("d/l") == 10);			/* f, followed */
	CHECK((mode_of("d/l", AT_SYMLINK_NOFOLLOW) & S_IFMT) == S_IFLNK);
	CHECK((mode_of("d/l", 0) & S_IFMT) == S_IFREG);
	CHECK(at("d/l", O_RDONLY | O_NOFOLLOW, 0) == -ELOOP);
	CHECK(L(symlinkat, "loop2", AT_FDCWD, "loop1", 0) == 0);
	CHECK(L(symlinkat, "loop1", AT_FDCWD, "loop2", 0) == 0);
	CHECK(at("loop1", O_RDONLY, 0) == -ELOOP);
	CHECK(L(symlinkat, "nothing", AT_FDCWD, "dangling", 0) == 0);
	CHECK(at("dangling", O_RDONLY, 0) == -ENOENT);
	/* hard links: one file, two names */
	CHECK(L5(linkat, AT_FDCWD, "f", AT_FDCWD, "f2", 0) == 0);
	CHECK(L(newfstatat, AT_FDCWD, "f2", st, 0) == 0 && ST_NLINK(st) == 2);
	CHECK(L5(linkat, AT_FDCWD, "f", AT_FDCWD, "f2", 0) == -EEXIST);
	CHECK(L5(linkat, AT_FDCWD, "d", AT_FDCWD, "d2", 0) == -EPERM);
	/* rename: over a file; a directory into itself; NOREPLACE */
	CHECK(L(renameat, AT_FDCWD, "f2", AT_FDCWD, "g") == 0);
	CHECK(size_of("g") == 10 && size_of("f2") == -1);
	CHECK(L(newfstatat, AT_FDCWD, "f", st, 0) == 0 && ST_NLINK(st) == 2);
	CHECK(L(renameat, AT_FDCWD, "d", AT_FDCWD, "d/x") == -EINVAL);
	CHECK(L(renameat, AT_FDCWD, "d", AT_FDCWD, "g") == -ENOTDIR);
	CHECK(L(renameat, AT_FDCWD, "g", AT_FDCWD, "d") == -EISDIR);
	CHECK(L5(renameat2, AT_FDCWD, "g", AT_FDCWD, "f", 1) == -EEXIST);
	CHECK(L5(renameat2, AT_FDCWD, "g", AT_FDCWD, "f", 2 | 4) == -EINVAL);
	CHECK(L(renameat, AT_FDCWD, "nothing", AT_FDCWD, "x") == -ENOENT);
	/* a file removed while open lives on until it is closed */
	fd = at("g", O_RDONLY, 0);
	CHECK(L(unlinkat, AT_FDCWD, "g", 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "f", 0, 0) == 0);
	CHECK(size_of("g") == -1);
	CHECK(L(fstat, fd, st, 0, 0) == 0 && ST_NLINK(st) == 0 &&
	      ST_SIZE(st) == 10);
	CHECK(strcmp(got(fd, 4), "0123") == 0);
	CHECK(L(close, fd, 0, 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "d/l", 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "d", AT_REMOVEDIR, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "loop1", 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "loop2", 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "dangling", 0, 0) == 0);
}

static void modes(void)
{
	long fd = at("m", O_RDWR | O_CREAT | O_EXCL, 0600), ts[4];
	int root = L(getuid, 0, 0, 0, 0) == 0;

	CHECK(L(fchmod, fd, 0640, 0, 0) == 0);
	CHECK((mode_of("m", 0) & 07777) == 0640);
	CHECK(L(fchmodat, AT_FDCWD, "m", 04755, 0) == 0);
	CHECK((mode_of("m", 0) & 07777) == 04755);
	CHECK(L(fchmodat, AT_FDCWD, "nothing", 0644, 0) == -ENOENT);
	/* times: one of one's own choosing, and now */
	ts[0] = 1000000000;
	ts[1] = 0;
	ts[2] = 1500000000;
	ts[3] = 5;
	CHECK(L(utimensat, AT_FDCWD, "m", ts, 0) == 0);
	CHECK(L(newfstatat, AT_FDCWD, "m", st, 0) == 0 &&
	      ST_MTIME(st) == 1500000000);
	ts[1] = 1000000000;
	CHECK(L(utimensat, AT_FDCWD, "m", ts, 0) == -EINVAL);
	CHECK(L(utimensat, AT_FDCWD, "m", 0, 0) == 0);
	CHECK(L(newfstatat, AT_FDCWD, "m", st, 0) == 0 &&
	      ST_MTIME(st) > 1700000000);
	/* access: as the owner sees it */
	CHECK(L(faccessat, AT_FDCWD, "m", 0, 0) == 0);
	CHECK(L(faccessat, AT_FDCWD, "nothing", 0, 0) == -ENOENT);
	CHECK(L(fchmodat, AT_FDCWD, "m", 0400, 0) == 0);
	if (!root) {
		/* without privilege the mode is the word */
		CHECK(L(faccessat, AT_FDCWD, "m", 2, 0) == -EACCES);
		CHECK(at("m", O_WRONLY, 0) == -EACCES);
		CHECK(L(mkdirat, AT_FDCWD, "/lfs-not-mine", 0755, 0) ==
		      -EACCES);
	}
	CHECK(L(close, fd, 0, 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "m", 0, 0) == 0);
}

/* close_range, faccessat2, syncfs, fadvise64 */
static void ranges(void)
{
	int a, b, c, fd, pp[2], ro;
	char st[144];

	fd = (int)at("r", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	a = (int)L(dup, fd, 0, 0, 0);
	b = (int)L(dup, fd, 0, 0, 0);
	c = (int)L(dup, fd, 0, 0, 0);
	CHECK(a > fd && b == a + 1 && c == b + 1);
	CHECK(L(close_range, a, b, 0, 0) == 0);
	CHECK(L(fcntl, a, 1, 0, 0) == -EBADF);		/* F_GETFD */
	CHECK(L(fcntl, b, 1, 0, 0) == -EBADF);
	CHECK(L(fcntl, c, 1, 0, 0) == 0);
	CHECK(L(close_range, c, c, 4, 0) == 0);		/* CLOEXEC */
	CHECK(L(fcntl, c, 1, 0, 0) == 1);
	CHECK(L(close_range, c, 0xffffffffu, 0, 0) == 0);
	CHECK(L(fcntl, c, 1, 0, 0) == -EBADF);
	CHECK(L(close_range, 5, 4, 0, 0) == -EINVAL);
	CHECK(L(close_range, 0, 0, 0x80, 0) == -EINVAL);
	/* faccessat2 */
	CHECK(L(faccessat2, AT_FDCWD, "r", 4, 0) == 0);	/* R_OK */
	CHECK(L(faccessat2, AT_FDCWD, "r", 4, 0x200) == 0);	/* EACCESS */
	CHECK(L(faccessat2, AT_FDCWD, "r", 4, 0x1) == -EINVAL);
	CHECK(L(faccessat2, AT_FDCWD, "nothing", 4, 0) == -ENOENT);
	/* syncfs and fadvise64 */
	CHECK(L(syncfs, fd, 0, 0, 0) == 0);
	CHECK(L(syncfs, 99, 0, 0, 0) == -EBADF);
	CHECK(L(fadvise64, fd, 0, 0, 2) == 0);		/* SEQUENTIAL */
	CHECK(L(fadvise64, fd, 0, 0, 9) == -EINVAL);
	CHECK(L(fadvise64, 99, 0, 0, 0) == -EBADF);
	/* fallocate makes room (mode 0), sync_file_range and readahead
	 * have nothing to do */
	CHECK(L(fallocate, fd, 0, 0, 10000) == 0);
	CHECK(L(fstat, fd, st, 0, 0) == 0 && ST_SIZE(st) == 10000);
	CHECK(L(fallocate, fd, 0, 0, 100) == 0);
	CHECK(L(fstat, fd, st, 0, 0) == 0 && ST_SIZE(st) == 10000);
	CHECK(L(fallocate, fd, 0, -1, 10) == -EINVAL);
	CHECK(L(fallocate, fd, 0, 0, 0) == -EINVAL);
	CHECK(L(sync_file_range, fd, 0, 0, 0) == 0);
	CHECK(L(sync_file_range, fd, 0, 0, 8) == -EINVAL);
	CHECK(L(readahead, fd, 0, 4096, 0) == 0);
	CHECK(L(readahead, 99, 0, 4096, 0) == -EBADF);
	CHECK(L(pipe2, pp, 0, 0, 0) == 0);
	CHECK(L(fadvise64, pp[0], 0, 0, 0) == -ESPIPE);
	CHECK(L(fallocate, pp[1], 0, 0, 10) == -ESPIPE);
	CHECK(L(sync_file_range, pp[1], 0, 0, 0) == -ESPIPE);
	CHECK(L(readahead, pp[0], 0, 10, 0) == -EINVAL);
	L(close, pp[0], 0, 0, 0);
	L(close, pp[1], 0, 0, 0);
	/* preadv and pwritev: at an offset, the file's own stays */
	{
		struct { const void *base; long len; } v[2] = {
			{ "abc", 3 }, { "def", 3 } };
		char x[4] = "", y[5] = "";
		struct { void *base; long len; } w[2] = {
			{ x, 3 }, { y, 4 } };

		CHECK(L(lseek, fd, 7, 0, 0) == 7);
		CHECK(sys6(NR_pwritev, fd, v, 2, 100, 0, 0) == 6);
		CHECK(sys6(NR_preadv, fd, w, 2, 99, 0, 0) == 7);
		CHECK(memcmp(x, "\0ab", 3) == 0 && memcmp(y, "cdef", 4) == 0);
		CHECK(L(lseek, fd, 0, 1, 0) == 7);		/* SEEK_CUR */
		CHECK(sys6(NR_preadv, fd, w, 2, -1, 0, 0) == -EINVAL);
	}
	ro = (int)at("r", 0, 0);			/* O_RDONLY */
	CHECK(L(fallocate, ro, 0, 0, 20000) == -EBADF);
	L(close, ro, 0, 0, 0);
	L(close, fd, 0, 0, 0);
	CHECK(L(unlinkat, AT_FDCWD, "r", 0, 0) == 0);
}

/* statx, statfs, fstatfs, copy_file_range */
static void stats(void)
{
	unsigned char x[256];
	long f[15];
	long in, out, off_in, off_out, pp[2] = { -1, -1 };
	int p2[2];

	in = at("cx", O_CREAT | O_RDWR | O_TRUNC, 0640);
	CHECK(in >= 0);
	CHECK(L(write, in, "hello, world", 12, 0) == 12);
	/* statx describes what fstat does */
	CHECK(L(fstat, in, st, 0, 0) == 0);
	memset(x, 0xff, sizeof(x));
	CHECK(L5(statx, AT_FDCWD, "cx", 0, 0x7ff, x) == 0);
	CHECK((*(unsigned int *)x & 0x7ff) == 0x7ff);
	CHECK(*(unsigned short *)(x + 28) == (S_IFREG | 0640));
	CHECK(*(unsigned int *)(x + 16) == 1);			/* nlink */
	CHECK(*(long *)(x + 40) == 12);				/* size */
	CHECK(*(unsigned long *)(x + 32) == ST_INO(st));	/* ino */
	CHECK(*(long *)(x + 112) == ST_MTIME(st));		/* mtime */
	CHECK(*(unsigned int *)(x + 20) == (unsigned int)L(getuid, 0, 0, 0,
							     0));
	/* AT_EMPTY_PATH: the open file itself */
	memset(x, 0, sizeof(x));
	CHECK(L5(statx, in, "", 0x1000, 0x7ff, x) == 0);
	CHECK(*(long *)(x + 40) == 12);
	/* a link itself, with AT_SYMLINK_NOFOLLOW */
	CHECK(L(symlinkat, "cx", AT_FDCWD, "cl", 0) == 0);
	CHECK(L5(statx, AT_FDCWD, "cl", AT_SYMLINK_NOFOLLOW, 0x7ff, x) == 0);
	CHECK((*(unsigned short *)(x + 28) & S_IFMT) == S_IFLNK);
	CHECK(L5(statx, AT_FDCWD, "cl", 0, 0x7ff, x) == 0);
	CHECK((*(unsigned short *)(x + 28) & S_IFMT) == S_IFREG);
	CHECK(L(unlinkat, AT_FDCWD, "cl", 0, 0) == 0);
	/* refusals */
	CHECK(L5(statx, AT_FDCWD, "cx", 0x6000, 0x7ff, x) == -EINVAL);
	CHECK(L5(statx, AT_FDCWD, "cx", 0x1, 0x7ff, x) == -EINVAL);
	CHECK(L5(statx, AT_FDCWD, "cx", 0, 0x80000000u, x) == -EINVAL);
	CHECK(L5(statx, AT_FDCWD, "none", 0, 0x7ff, x) == -ENOENT);
	CHECK(L5(statx, AT_FDCWD, "cx", 0, 0x7ff, 8) == -14);
	/* statfs: /proc and /sys are theirs wherever this runs; the
	 * working directory's has blocks and names */
	CHECK(L(statfs, "/proc", f, 0, 0) == 0);
	CHECK(f[0] == 0x9fa0);
	CHECK(L(statfs, "/sys", f, 0, 0) == 0);
	CHECK(f[0] == 0x62656572);
	CHECK(L(statfs, ".", f, 0, 0) == 0);
	CHECK(f[1] > 0 && f[2] > 0 && f[3] <= f[2] && f[4] <= f[3]);
	CHECK(f[10] > 0);					/* namelen */
	CHECK(L(fstatfs, in, f + 0, 0, 0) == 0);
	CHECK(f[2] > 0);
	CHECK(L(pipe2, p2, 0, 0, 0) == 0);
	CHECK(L(fstatfs, p2[0], f, 0, 0) == 0);
	CHECK(f[0] == 0x50495045);				/* PIPEFS */
	CHECK(L(statfs, "none", f, 0, 0) == -ENOENT);
	CHECK(L(statfs, ".", 8, 0, 0) == -14);
	CHECK(L(fstatfs, 99, f, 0, 0) == -EBADF);
	/* copy_file_range at given offsets: theirs move, the files' stay */
	out = at("cy", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(out >= 0);
	off_in = 7;
	off_out = 2;
	CHECK(sys6(NR_copy_file_range, in, &off_in, out, &off_out, 5, 0) == 5);
	CHECK(off_in == 12 && off_out == 7);
	CHECK(L(lseek, out, 0, 1, 0) == 0);			/* SEEK_CUR */
	memset(buf, 'z', 16);
	CHECK(L(pread64, out, buf, 16, 0) == 7);
	CHECK(memcmp(buf, "\0\0world", 7) == 0);
	/* without offsets: the files' own move */
	CHECK(L(lseek, in, 0, 0, 0) == 0);
	CHECK(L(lseek, out, 0, 0, 0) == 0);
	CHECK(sys6(NR_copy_file_range, in, 0, out, 0, 100, 0) == 12);
	CHECK(L(lseek, in, 0, 1, 0) == 12 && L(lseek, out, 0, 1, 0) == 12);
	CHECK(sys6(NR_copy_file_range, in, 0, out, 0, 100, 0) == 0);
	CHECK(L(pread64, out, buf, 16, 0) == 12);
	CHECK(memcmp(buf, "hello, world", 12) == 0);
	/* refusals */
	CHECK(sys6(NR_copy_file_range, in, 0, out, 0, 5, 1) == -EINVAL);
	off_in = 0;
	off_out = 2;		/* one file, overlapping */
	CHECK(sys6(NR_copy_file_range, in, &off_in, in, &off_out, 5, 0) ==
	      -EINVAL);
	CHECK(sys6(NR_copy_file_range, p2[0], 0, out, 0, 5, 0) == -EINVAL);
	CHECK(sys6(NR_copy_file_range, 99, 0, out, 0, 5, 0) == -EBADF);
	pp[0] = at("cx", O_RDONLY, 0);
	CHECK(sys6(NR_copy_file_range, in, 0, pp[0], 0, 5, 0) == -EBADF);
	pp[1] = at(".", O_RDONLY | O_DIRECTORY, 0);
	CHECK(sys6(NR_copy_file_range, pp[1], 0, out, 0, 5, 0) == -EISDIR);
	L(close, pp[0], 0, 0, 0);
	L(close, pp[1], 0, 0, 0);
	L(close, p2[0], 0, 0, 0);
	L(close, p2[1], 0, 0, 0);
	L(close, in, 0, 0, 0);
	L(close, out, 0, 0, 0);
	CHECK(L(unlinkat, AT_FDCWD, "cx", 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "cy", 0, 0) == 0);
}

int main(void)
{
	if (L(getcwd, buf, sizeof(buf), 0, 0) == 2)	/* "/" */
		L(chdir, "/tmp", 0, 0, 0);
	L(unlinkat, AT_FDCWD, "lfs", AT_REMOVEDIR, 0);
	CHECK(L(mkdirat, AT_FDCWD, "lfs", 0755, 0) == 0);
	CHECK(L(chdir, "lfs", 0, 0, 0) == 0);
	files();
	dups();
	copies();
	dirs();
	links();
	modes();
	ranges();
	stats();
	CHECK(L(chdir, "..", 0, 0, 0) == 0);
	CHECK(L(unlinkat, AT_FDCWD, "lfs", AT_REMOVEDIR, 0) == 0);
	snprintf(line, sizeof(line), "linuxfs: %d checks, %d failed\n",
		 checks, fails);
	say(line);
	sys(NR_exit_group, fails, 0, 0, 0, 0);
	return 0;
}
