/*
 * linuxhostile.c - a hostile Linux program: every Linux system call's
 * checks (kernel/linux_syscalls.def, kernel/linux.c, kernel/linux_fs.c)
 * fed kernel addresses, huge and negative lengths, bad numbers, ids that
 * are not its own and flags no call takes; each must answer Linux's
 * error and change nothing. Built like the other test programs and then
 * marked a Linux program (OS/ABI GNU: tools/mklinux.py), so its calls are
 * Linux's: it talks to the kernel only through Linux's numbers.
 */
#include <string.h>
#include "ulib.h"

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_fstat = 5, NR_lseek = 8,
       NR_mprotect = 10, NR_brk = 12, NR_writev = 20, NR_nanosleep = 35,
       NR_uname = 63, NR_fcntl = 72, NR_getcwd = 79, NR_arch_prctl = 158,
       NR_sched_setaffinity = 203, NR_sched_getaffinity = 204,
       NR_getdents64 = 217, NR_clock_gettime = 228, NR_exit_group = 231,
       NR_openat = 257, NR_newfstatat = 262, NR_readlinkat = 267,
       NR_set_robust_list = 273, NR_prlimit64 = 302, NR_pread64 = 17,
       NR_dup = 32, NR_ftruncate = 77, NR_chdir = 80, NR_fchdir = 81,
       NR_mkdirat = 258, NR_unlinkat = 263, NR_renameat = 264,
       NR_linkat = 265, NR_symlinkat = 266, NR_fchmodat = 268,
       NR_utimensat = 280, NR_dup3 = 292, NR_readv = 19, NR_kill = 62,
       NR_wait4 = 61, NR_setpgid = 109, NR_prctl = 157, NR_times = 100,
       NR_getresuid = 118, NR_sendfile = 40, NR_ioctl = 16,
       NR_execve = 59, NR_rt_sigaction = 13, NR_rt_sigprocmask = 14,
       NR_rt_sigtimedwait = 128, NR_futex = 202, NR_mincore = 27,
       NR_mlock = 149, NR_sethostname = 170, NR_capget = 125,
       NR_waitid = 247, NR_preadv = 295, NR_close_range = 436,
       NR_getitimer = 36, NR_setitimer = 38, NR_timer_create = 222,
       NR_timer_settime = 223, NR_timer_gettime = 224,
       NR_timer_delete = 226, NR_sigaltstack = 131,
       NR_rt_sigqueueinfo = 129, NR_statx = 332, NR_statfs = 137,
       NR_fstatfs = 138, NR_copy_file_range = 326, NR_syslog = 103,
       NR_clock_settime = 227, NR_settimeofday = 164,
       NR_sched_getattr = 315, NR_sched_setattr = 314,
       NR_setpriority = 141, NR_getpriority = 140, NR_membarrier = 324,
       NR_clone = 56, NR_getpid = 39, NR_close = 3 };
#define KERNEL	0xffffffff80200000ul
#else
enum { NR_getcwd = 17, NR_fcntl = 25, NR_openat = 56, NR_getdents64 = 61,
       NR_lseek = 62, NR_read = 63, NR_write = 64, NR_writev = 66,
       NR_readlinkat = 78, NR_newfstatat = 79, NR_fstat = 80,
       NR_exit_group = 94, NR_set_robust_list = 99, NR_nanosleep = 101,
       NR_clock_gettime = 113, NR_sched_setaffinity = 122,
       NR_sched_getaffinity = 123, NR_uname = 160, NR_brk = 214,
       NR_mprotect = 226, NR_prlimit64 = 261, NR_dup = 23, NR_dup3 = 24,
       NR_mkdirat = 34, NR_unlinkat = 35, NR_symlinkat = 36,
       NR_linkat = 37, NR_renameat = 38, NR_ftruncate = 46,
       NR_chdir = 49, NR_fchdir = 50, NR_fchmodat = 53, NR_readv = 65,
       NR_pread64 = 67, NR_utimensat = 88, NR_kill = 129, NR_wait4 = 260,
       NR_setpgid = 154, NR_prctl = 167, NR_times = 153,
       NR_getresuid = 148, NR_sendfile = 71, NR_ioctl = 29,
       NR_execve = 221, NR_rt_sigaction = 134, NR_rt_sigprocmask = 135,
       NR_rt_sigtimedwait = 137, NR_futex = 98, NR_mincore = 232,
       NR_mlock = 228, NR_sethostname = 161, NR_capget = 90,
       NR_waitid = 95, NR_preadv = 69, NR_close_range = 436,
       NR_getitimer = 102, NR_setitimer = 103, NR_timer_create = 107,
       NR_timer_gettime = 108, NR_timer_settime = 110,
       NR_timer_delete = 111, NR_sigaltstack = 132,
       NR_rt_sigqueueinfo = 138, NR_statx = 291, NR_statfs = 43,
       NR_fstatfs = 44, NR_copy_file_range = 285, NR_syslog = 116,
       NR_clock_settime = 112, NR_settimeofday = 170,
       NR_sched_getattr = 275, NR_sched_setattr = 274,
       NR_setpriority = 140, NR_getpriority = 141, NR_membarrier = 283,
       NR_clone = 220, NR_getpid = 172, NR_close = 57 };
#define KERNEL	0xffffff8040200000ul
#endif

#define NO_PID		(1l << 30)	/* above any pid_max */
#define AT_FDCWD	(-100l)
#define L(n, a, b, c, d) aegis_syscall(NR_##n, (long)(a), (long)(b), \
				      (long)(c), (long)(d), 0, 0)

static int checks, fails;
static char line[128];

static void say(const char *s)
{
	aegis_syscall(NR_write, 1, (long)s, (long)strlen(s), 0, 0, 0);
}

#define CHECK(cond)							\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			fails++;					\
			snprintf(line, sizeof(line),			\
				 "linuxhostile: line %d: %s\n", __LINE__, #cond); \
			say(line);					\
		}							\
	} while (0)

/* Linux's numbers for the errors (include/aegis/errno.h shares them) */
enum { EPERM = 1, ENOENT = 2, ESRCH = 3, EBADF = 9, ENOMEM = 12,
       EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
       ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ESPIPE = 29, EROFS = 30,
       ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ECHILD = 10,
       ENOTTY = 25, EAGAIN = 11 };
#define L6(n, a, b, c, d, e, f) aegis_syscall(NR_##n, (long)(a), (long)(b), \
					      (long)(c), (long)(d), \
					      (long)(e), (long)(f))

static char buf[4096] __attribute__((aligned(16)));

static void handler(int sig)
{
	(void)sig;
}

/* the calls of timers, the alternate stack, queued signals, statx,
 * statfs, copy_file_range, the clock, the log and the scheduler's
 * attributes, fed what linuxhostile feeds the others */
static void newer(void)
{
	int id = -1, ids[9];
	long it[4] = { 0, 0, 5, 0 }, st = -1, pid;
	unsigned long act[4] = { (unsigned long)handler, 0x08000000ul, 0, 0 };
	unsigned long ss[3] = { KERNEL, 0, 65536 };
	long fd;
	int n = 0;

	/* timers: a kernel address anywhere is -EFAULT and arms nothing */
	CHECK(L(getitimer, 0, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(setitimer, 0, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(setitimer, 0, it, KERNEL, 0) == -EFAULT);
	CHECK(L(getitimer, 0, buf, 0, 0) == 0);
	CHECK(((long *)buf)[2] == 0 && ((long *)buf)[3] == 0);
	CHECK(L(setitimer, -1, it, 0, 0) == -EINVAL);
	CHECK(L(timer_create, 1, KERNEL, &id, 0) == -EFAULT);
	CHECK(L(timer_create, 1, 0, KERNEL, 0) == -EFAULT);
	/* at most 8 timers a process: the failed ones took none */
	while (n < 9 && L(timer_create, 1, 0, &ids[n], 0) == 0)
		n++;
	CHECK(n == 8);
	CHECK(L(timer_create, 1, 0, &id, 0) == -EAGAIN);
	CHECK(L(timer_settime, ids[0], 0, KERNEL, 0) == -EFAULT);
	CHECK(L(timer_settime, ids[0], 0, it, KERNEL) == -EFAULT);
	CHECK(L(timer_gettime, ids[0], KERNEL, 0, 0) == -EFAULT);
	CHECK(L(timer_settime, -1, 0, it, 0) == -EINVAL);
	CHECK(L(timer_settime, 100000, 0, it, 0) == -EINVAL);
	for (int i = 0; i < n; i++)
		CHECK(L(timer_delete, ids[i], 0, 0, 0) == 0);
	/* the alternate stack: nowhere to read or write it */
	CHECK(L(sigaltstack, KERNEL, 0, 0, 0) == -EFAULT);
	CHECK(L(sigaltstack, 0, KERNEL, 0, 0) == -EFAULT);
	/* one at a kernel address is taken (Linux does not look), and a
	 * handler for it cannot have its frame there: SIGSEGV, in a child */
	pid = L(clone, 17, 0, 0, 0);
	if (pid == 0) {
		L(sigaltstack, ss, 0, 0, 0);
		L(rt_sigaction, 10, act, 0, 8);
		L(kill, L(getpid, 0, 0, 0, 0), 10, 0, 0);
		aegis_syscall(NR_exit_group, 0, 0, 0, 0, 0, 0);
	}
	CHECK(pid > 0 && L(wait4, pid, &st, 0, 0) == pid);
	CHECK((st & 0x7f) == 11);			/* SIGSEGV */
	/* queued signals */
	memset(buf, 0, 128);
	CHECK(L(rt_sigqueueinfo, L(getpid, 0, 0, 0, 0), 10, KERNEL, 0) ==
	      -EFAULT);
	CHECK(L(rt_sigqueueinfo, NO_PID, 10, buf, 0) == -EPERM);
	/* statx, statfs, fstatfs */
	CHECK(L6(statx, AT_FDCWD, KERNEL, 0, 0x7ff, buf, 0) == -EFAULT);
	CHECK(L6(statx, AT_FDCWD, "/", 0, 0x7ff, KERNEL, 0) == -EFAULT);
	CHECK(L6(statx, AT_FDCWD, "/", 0x10000, 0x7ff, buf, 0) == -EINVAL);
	CHECK(L6(statx, 99, "x", 0, 0x7ff, buf, 0) == -EBADF);
	CHECK(L(statfs, KERNEL, buf, 0, 0) == -EFAULT);
	CHECK(L(statfs, "/", KERNEL, 0, 0) == -EFAULT);
	CHECK(L(fstatfs, 0, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(fstatfs, -1, buf, 0, 0) == -EBADF);
	/* copy_file_range: other files, kernel offsets, huge lengths */
	fd = L(openat, AT_FDCWD, "/dev/null", 2, 0);
	CHECK(fd >= 0);
	CHECK(L6(copy_file_range, fd, 0, fd, 0, 1L << 62, 0) == -EXDEV);
	CHECK(L6(copy_file_range, 99, 0, fd, 0, 10, 0) == -EBADF);
	CHECK(L6(copy_file_range, fd, KERNEL, fd, 0, 10, 0) == -EXDEV);
	CHECK(L6(copy_file_range, fd, 0, fd, 0, 10, -1) == -EINVAL);
	L(close, fd, 0, 0, 0);
	/* the clock and the log: privileged (this program is not) */
	CHECK(L(clock_settime, 0, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(clock_settime, 0, it, 0, 0) == -EPERM);
	CHECK(L(settimeofday, KERNEL, 0, 0, 0) == -EFAULT);
	CHECK(L(settimeofday, 0, 0, 0, 0) == -EPERM);
	CHECK(L(syslog, 3, KERNEL, 100, 0) == -EPERM);
	CHECK(L(syslog, 10, 0, 0, 0) == -EPERM);
	/* the scheduler's attributes and nice values */
	CHECK(L(sched_getattr, 0, KERNEL, 48, 0) == -EFAULT);
	CHECK(L(sched_getattr, 0, buf, 1L << 32, 0) == -EINVAL);
	CHECK(L(sched_setattr, 0, KERNEL, 0, 0) == -EFAULT);
	memset(buf, 0, 64);
	CHECK(L(sched_setattr, NO_PID, buf, 0, 0) == -ESRCH);
	CHECK(L(setpriority, 0, 0, 5, 0) == 0);
	CHECK(L(setpriority, 0, 0, -20, 0) == -EACCES);	/* not back */
	CHECK(L(getpriority, 0, 0, 0, 0) == 15);
	CHECK(L(setpriority, 7, 0, 0, 0) == -EINVAL);
	CHECK(L(getpriority, 0, NO_PID, 0, 0) == -ESRCH);
	CHECK(L(membarrier, -1L, 0, 0, 0) == -EINVAL);
	CHECK(L(membarrier, 0, KERNEL, 0, 0) == -EINVAL);
}

int main(void)
{
	long brk0, fd;
	long ts[2], iov[4];
	unsigned long zero = 0;
	char longpath[200];

	/* the signal and process calls of this wave: kernel addresses,
	 * huge lengths and counts, ids that are no process */
	CHECK(L(rt_sigaction, 10, KERNEL, 0, 8) == -EFAULT);
	CHECK(L(rt_sigaction, 10, 0, KERNEL, 8) == -EFAULT);
	CHECK(L(rt_sigaction, 10, 0, 0, 1l << 40) == -EINVAL);
	CHECK(L(rt_sigprocmask, 0, KERNEL, 0, 8) == -EFAULT);
	CHECK(L(rt_sigtimedwait, KERNEL, 0, 0, 8) == -EFAULT);
	CHECK(L(futex, KERNEL, 128, 0, 0) == -EFAULT);
	CHECK(L(futex, KERNEL, 129, 1, 0) == -EFAULT);	/* a wake too */
	CHECK(L(futex, buf, 129, 1, 0) == 0);		/* nobody waits */
	CHECK(L(mincore, 0x10000000, 1l << 62, KERNEL, 0) == -ENOMEM);
	CHECK(L(mlock, -4096l, 1l << 40, 0, 0) == -EINVAL);
	CHECK(L(sethostname, KERNEL, 8, 0, 0) == -EPERM);	/* no privilege */
	CHECK(L(capget, KERNEL, 0, 0, 0) == -EFAULT);
	CHECK(aegis_syscall(NR_waitid, 1, NO_PID, KERNEL, 4, 0, 0) == -ECHILD);
	CHECK(aegis_syscall(NR_preadv, 0, KERNEL, 2, 0, 0, 0) == -EFAULT);
	CHECK(L(close_range, 1000, 0x7fffffff, 0, 0) == 0);	/* none there */

	/* unknown numbers */
	CHECK(aegis_syscall(999, 0, 0, 0, 0, 0, 0) == -ENOSYS);
	CHECK(aegis_syscall(1L << 40, 0, 0, 0, 0, 0, 0) == -ENOSYS);
	/* pointers into the kernel, or nowhere */
	CHECK(L(write, 1, KERNEL, 8, 0) == -EFAULT);
	CHECK(L(write, 1, 0, 8, 0) == -EFAULT);
	CHECK(L(write, 99, buf, 1, 0) == -EBADF);
	CHECK(L(read, 0, buf, 1, 0) == 0);	/* standard input: /dev/null */
	CHECK(L(uname, KERNEL, 0, 0, 0) == -EFAULT);
	CHECK(L(fstat, 1, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(clock_gettime, 1, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(clock_gettime, 99, buf, 0, 0) == -EINVAL);
	/* paths: in the kernel, unterminated, missing, not to be made */
	CHECK(L(openat, AT_FDCWD, KERNEL, 0, 0) == -EFAULT);
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	CHECK(L(openat, AT_FDCWD, longpath, 0, 0) == -ENAMETOOLONG);
	CHECK(L(openat, AT_FDCWD, "/nothing", 0, 0) == -ENOENT);
	CHECK(L(openat, AT_FDCWD, "/nothing", 0100, 0) == -EACCES);
	CHECK(L(openat, AT_FDCWD, "/dev/nothing", 0100, 0) == -EROFS);
	CHECK(L(openat, AT_FDCWD, "/dev/null", 0300, 0) == -EEXIST);
	CHECK(L(openat, AT_FDCWD, "/sys/cpus", 1, 0) == -EISDIR);
	CHECK(L(newfstatat, AT_FDCWD, "/dev/null", KERNEL, 0) == -EFAULT);
	CHECK(L(newfstatat, AT_FDCWD, "/dev/null", buf, 0x8000) == -EINVAL);
	CHECK(L(readlinkat, AT_FDCWD, "/dev/null", buf, 64) == -EINVAL);
	CHECK(L(readlinkat, AT_FDCWD, "/nothing", buf, 64) == -ENOENT);
	/* a directory: too small a buffer, a buffer in the kernel, no end
	 * to seek to */
	fd = L(openat, AT_FDCWD, "/sys", 0, 0);
	CHECK(fd >= 0);
	CHECK(L(getdents64, fd, buf, 8, 0) == -EINVAL);
	CHECK(L(getdents64, fd, KERNEL, 4096, 0) == -EFAULT);
	CHECK(L(lseek, fd, 0, 2, 0) == -EINVAL);
	CHECK(L(getdents64, fd, buf, 1L << 40, 0) > 0);	/* capped at 4096 */
	CHECK(L(fcntl, 99, 1, 0, 0) == -EBADF);
	CHECK(L(fcntl, fd, 999, 0, 0) == -EINVAL);
	/* writev: too many buffers, a vector or a buffer in the kernel, a
	 * negative length, a file not open */
	CHECK(L(writev, 1, buf, 2000, 0) == -EINVAL);
	CHECK(L(writev, 1, KERNEL, 1, 0) == -EFAULT);
	iov[0] = (long)KERNEL;
	iov[1] = 8;
	CHECK(L(writev, 1, iov, 1, 0) == -EFAULT);
	iov[0] = (long)buf;
	iov[1] = -1;
	CHECK(L(writev, 1, iov, 1, 0) == -EINVAL);
	CHECK(L(writev, 99, iov, 0, 0) == -EBADF);
	/* the file system's calls: paths in the kernel, names too long,
	 * mounts that make nothing, moves between mounts, the root, bad
	 * numbers and times (each refused, nothing made) */
	CHECK(L(mkdirat, AT_FDCWD, KERNEL, 0755, 0) == -EFAULT);
	CHECK(L(mkdirat, AT_FDCWD, "/tmp/a-name-of-forty-bytes-which-is-long",
		0755, 0) == -ENAMETOOLONG);
	CHECK(L(mkdirat, AT_FDCWD, "/sys/x", 0755, 0) == -EROFS);
	CHECK(L(mkdirat, AT_FDCWD, "/dev", 0755, 0) == -EEXIST);
	CHECK(L(mkdirat, AT_FDCWD, "/x", 0755, 0) == -EACCES);
	CHECK(L(unlinkat, AT_FDCWD, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(unlinkat, AT_FDCWD, "/", 0x200, 0) == -EBUSY);
	CHECK(L(unlinkat, AT_FDCWD, "/dev", 0x200, 0) == -EBUSY);
	CHECK(L(unlinkat, AT_FDCWD, "/dev/null", 0, 0) == -EROFS);
	CHECK(L(unlinkat, AT_FDCWD, "/busybox", 0, 0) == -EACCES);
	CHECK(L(renameat, AT_FDCWD, "/dev/null", AT_FDCWD, "/tmp/n") ==
	      -EXDEV);
	CHECK(L(renameat, AT_FDCWD, KERNEL, AT_FDCWD, "/tmp/n") == -EFAULT);
	CHECK(L(renameat, AT_FDCWD, "/tmp", AT_FDCWD, KERNEL) == -EFAULT);
	CHECK(aegis_syscall(NR_linkat, AT_FDCWD, (long)"/dev/null", AT_FDCWD,
			    (long)"/tmp/n", 0, 0) == -EXDEV);
	CHECK(aegis_syscall(NR_linkat, AT_FDCWD, (long)"/busybox", AT_FDCWD,
			    (long)"/tmp/n", 0x8, 0) == -EINVAL);
	CHECK(L(symlinkat, KERNEL, AT_FDCWD, "/tmp/n", 0) == -EFAULT);
	CHECK(L(symlinkat, longpath, AT_FDCWD, "/tmp/n", 0) == -ENAMETOOLONG);
	CHECK(L(symlinkat, "x", AT_FDCWD, "/sys/n", 0) == -EROFS);
	CHECK(L(chdir, KERNEL, 0, 0, 0) == -EFAULT);
	CHECK(L(chdir, "/busybox", 0, 0, 0) == -ENOTDIR);
	CHECK(L(chdir, "/root", 0, 0, 0) == -EACCES);
	CHECK(L(fchdir, 99, 0, 0, 0) == -EBADF);
	CHECK(L(fchdir, 1, 0, 0, 0) == -ENOTDIR);
	CHECK(L(fchmodat, AT_FDCWD, "/busybox", 0777, 0) == -EPERM);
	CHECK(L(fchmodat, AT_FDCWD, "/sys/cpus", 0777, 0) == -EROFS);
	CHECK(L(openat, 99, "x", 0, 0) == -EBADF);
	CHECK(L(openat, 1, "x", 0, 0) == -ENOTDIR);
	CHECK(L(dup3, 1, 1, 0, 0) == -EINVAL);
	CHECK(L(dup3, 1, 4096, 0, 0) == -EBADF);
	CHECK(L(dup3, 1, -1, 0, 0) == -EBADF);
	CHECK(L(dup, -1, 0, 0, 0) == -EBADF);
	CHECK(L(ftruncate, 1, 0, 0, 0) == -EINVAL);
	CHECK(L(ftruncate, 99, 0, 0, 0) == -EBADF);
	CHECK(L(pread64, 1, buf, 1, 0) == -ESPIPE);
	CHECK(L(readv, 99, iov, 1, 0) == -EBADF);
	CHECK(L(utimensat, AT_FDCWD, "/busybox", KERNEL, 0) == -EFAULT);
	CHECK(L(utimensat, AT_FDCWD, "/busybox", 0, 0x8000) == -EINVAL);
	CHECK(L(utimensat, AT_FDCWD, "/busybox", 0, 0) == -EACCES);
	/* processes and signals: others' pids, signals out of range, the
	 * kernel's addresses for every pointer */
	CHECK(L(kill, 1, 65, 0, 0) == -EINVAL);
	CHECK(L(kill, NO_PID, 19, 0, 0) == -ESRCH);	/* SIGSTOP */
	CHECK(L(kill, NO_PID, 0, 0, 0) == -ESRCH);
	CHECK(L(kill, -NO_PID, 9, 0, 0) == -ESRCH);
	CHECK(L(wait4, -1, KERNEL, 0, 0) == -ECHILD);
	CHECK(L(wait4, -1, 0, 0x1000, 0) == -EINVAL);
	CHECK(L(setpgid, NO_PID, 0, 0, 0) == -ESRCH);
	CHECK(L(prctl, 15, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(prctl, 16, KERNEL, 0, 0) == -EFAULT);
	CHECK(L(times, KERNEL, 0, 0, 0) == -EFAULT);
	CHECK(L(getresuid, KERNEL, buf, buf, 0) == -EFAULT);
	CHECK(L(sendfile, 1, 99, 0, 10) == -EBADF);
	CHECK(L(sendfile, 1, 1, 0, 10) == -EINVAL);	/* the console */
	CHECK(L(ioctl, 1, 0x541b, KERNEL, 0) == -ENOTTY);
	CHECK(L(execve, KERNEL, 0, 0, 0) == -EFAULT);
	CHECK(L(execve, "/busybox", KERNEL, 0, 0) == -EFAULT);
	CHECK(L(execve, "/dev/null", 0, 0, 0) == -EACCES);
	/* memory: a break out of reach stays; protections refused */
	brk0 = L(brk, 0, 0, 0, 0);
	CHECK(brk0 > 0);
	CHECK(L(brk, 1L << 46, 0, 0, 0) == brk0);
	CHECK(L(brk, KERNEL, 0, 0, 0) == brk0);
	CHECK(L(brk, brk0 - 4096, 0, 0, 0) == brk0);
	CHECK(L(mprotect, (long)buf + 1, 4096, 1, 0) == -EINVAL);
	CHECK(L(mprotect, KERNEL, 4096, 1, 0) == -ENOMEM);
	CHECK(L(mprotect, (long)buf & ~4095l, -1L, 1, 0) == -ENOMEM);
	CHECK(L(mprotect, (long)buf & ~4095l, 4096, 7, 0) == -EINVAL);
	/* time: a negative one, a nanosecond field out of range, nowhere */
	ts[0] = 0;
	ts[1] = 1000000000;
	CHECK(L(nanosleep, ts, 0, 0, 0) == -EINVAL);
	ts[0] = -1;
	ts[1] = 0;
	CHECK(L(nanosleep, ts, 0, 0, 0) == -EINVAL);
	CHECK(L(nanosleep, KERNEL, 0, 0, 0) == -EFAULT);
	/* ids and limits that are not its own to set */
	CHECK(L(prlimit64, 12345, 3, 0, buf) == -ESRCH);
	CHECK(L(prlimit64, 0, 3, buf, 0) == -EPERM);
	CHECK(L(prlimit64, 0, 99, 0, buf) == -EINVAL);
	CHECK(L(sched_setaffinity, 0, 8, &zero, 0) == -EINVAL);
	CHECK(L(sched_setaffinity, 12345, 8, buf, 0) == -ESRCH);
	CHECK(L(sched_getaffinity, 0, 4, buf, 0) == -EINVAL);
	CHECK(L(set_robust_list, buf, 23, 0, 0) == -EINVAL);
	CHECK(L(getcwd, buf, 1, 0, 0) == -ERANGE);
#if defined(__x86_64__)
	CHECK(aegis_syscall(158, 0x1002, (long)KERNEL, 0, 0, 0, 0) == -EPERM);
	CHECK(aegis_syscall(158, 0x9999, 0, 0, 0, 0, 0) == -EINVAL);
#endif
	newer();
	snprintf(line, sizeof(line), "linuxhostile: %d checks, %d failed\n",
		 checks, fails);
	say(line);
	aegis_syscall(NR_exit_group, fails, 0, 0, 0, 0, 0);
	return 0;
}
