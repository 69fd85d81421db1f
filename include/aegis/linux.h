/*
 * aegis/linux.h - the Linux personality (kernel/linux.c,
 * kernel/lib/linux_stack.c; docs/LINUX_ABI.md): Linux's programs run
 * beside Aegis's own, with Linux's system calls (kernel/linux_syscalls.def)
 * and the start Linux gives a program.
 */
#ifndef AEGIS_LINUX_H
#define AEGIS_LINUX_H

#include <aegis/syscall.h>
#include <aegis/types.h>

/* What a Linux program finds on its stack at its entry (the System V
 * ABI's process start: argc, argv, envp and the auxiliary vector, with
 * the strings they point to above them). */
struct linux_start {
	const char *const *argv;
	unsigned int argc;
	const char *const *envp;
	unsigned int envc;
	const char *execfn;	/* AT_EXECFN: the name it was started as */
	const char *platform;	/* AT_PLATFORM: "x86_64", "aarch64" */
	uint64_t phdr;		/* AT_PHDR (0: not loaded, left out) */
	uint64_t phent, phnum;	/* AT_PHENT, AT_PHNUM */
	uint64_t entry;		/* AT_ENTRY */
	uint32_t uid, gid;	/* AT_UID/EUID, AT_GID/EGID */
	uint64_t hwcap;		/* AT_HWCAP */
	uint8_t random[16];	/* AT_RANDOM's 16 bytes */
};

/* What Linux's ABI lays out differently on the two arches (Linux's
 * arch/x86/include/uapi/asm/stat.h and include/uapi/asm-generic/stat.h,
 * fcntl.h): struct stat, and O_DIRECTORY. */
#if defined(__aarch64__)
struct linux_stat {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t times[6];
	uint32_t unused[2];
};
_Static_assert(sizeof(struct linux_stat) == 128, "struct stat (generic)");
#define LINUX_O_DIRECTORY	040000
#define LINUX_O_NOFOLLOW	0100000
#else
struct linux_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t times[6];
	int64_t reserved[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "struct stat (x86_64)");
#define LINUX_O_DIRECTORY	0200000
#define LINUX_O_NOFOLLOW	0400000
#endif

/* linux_wall_offset - the real-time clock less the monotonic one, in
 * ns (kernel/linux.c: read from /dev/rtc0 once; 0 without a clock). */
int64_t linux_wall_offset(void);
/* linux_clock_now - clock's reading in ns (clock_gettime's clocks), or
 * -EINVAL. linux_clock_mono - the monotonic time at which clock reads ns
 * (the real-time clocks: less the offset now; at least 1). */
int64_t linux_clock_now(uint64_t clock, uint64_t *ns);
int64_t linux_clock_mono(uint64_t clock, uint64_t ns);

/* The auxiliary vector's types Aegis gives (Linux's numbers). */
#define LINUX_AT_NULL		0
#define LINUX_AT_PHDR		3
#define LINUX_AT_PHENT		4
#define LINUX_AT_PHNUM		5
#define LINUX_AT_PAGESZ		6
#define LINUX_AT_BASE		7
#define LINUX_AT_FLAGS		8
#define LINUX_AT_ENTRY		9
#define LINUX_AT_UID		11
#define LINUX_AT_EUID		12
#define LINUX_AT_GID		13
#define LINUX_AT_EGID		14
#define LINUX_AT_PLATFORM	15
#define LINUX_AT_HWCAP		16
#define LINUX_AT_CLKTCK		17
#define LINUX_AT_SECURE		23
#define LINUX_AT_RANDOM		25
#define LINUX_AT_HWCAP2		26
#define LINUX_AT_EXECFN		31

/*
 * linux_stack - lay out s as the top of a new program's stack, which
 * ends at the user address top: buf holds the size bytes under top, and
 * the bytes from *sp up to top are what to copy there. *sp is 16-byte
 * aligned and points at argc. top and size must be multiples of 16 and
 * buf 8-byte aligned. 0, or -E2BIG when it does not fit in size (too
 * many or too long arguments: at most 64 of each), -EINVAL for a NULL
 * string or a misaligned top, size or buf.
 */
int linux_stack(const struct linux_start *s, uint64_t top, uint8_t *buf,
		size_t size, uint64_t *sp);

/*
 * path_resolve - the path in (relative to cwd unless it starts with
 * '/') as the node namespace names it: absolute, names joined by one
 * '/', "." and ".." resolved ("/.." is "/"), no '/' at the end, in out
 * (size bytes). 0, -ENOENT for an empty path, -ENAMETOOLONG when the
 * result does not fit. kernel/lib/path.c.
 */
int path_resolve(const char *in, const char *cwd, char *out, size_t size);

/* The linux.enosys event (contracts/linux.def): a Linux program's pid,
 * and the number it called that Aegis does not have (0xffffffff: one
 * above 1023). */
struct linux_enosys_event {
	int32_t pid;
	uint32_t nr;
};

/* linux_syscall - run the Linux system call nr of the calling process
 * (the gateway's checks first); -ENOSYS, counted and published, for a
 * number it does not have. kernel/linux.c. */
struct user_mem;
int64_t linux_syscall(uint64_t nr, const uint64_t a[6],
		      const struct user_mem *m);

/* Signals (kernel/linux_signal.c, docs/LINUX_ABI.md: Signals).
 *
 * A wait that a signal interrupts returns one of these, never seen by a
 * program: LINUX_ERESTARTSYS runs the call again when the handler has
 * SA_RESTART (or no handler ran), else the program gets -EINTR;
 * LINUX_ERESTARTNOHAND runs it again only when no handler ran.
 * linux_sig_due - whether the calling process has a signal to take (a
 * wait checks it between sched_wakes and its block). linux_signal_return
 * - at the end of each Linux system call: take the signals due, run a
 * handler (its frame on the user stack; the thread leaves for it and
 * does not return here) or end the process, or run an interrupted call
 * again. */
#define LINUX_ERESTARTSYS	512
#define LINUX_ERESTARTNOHAND	514
struct HalSyscall;
bool linux_sig_due(void);

/*
 * linux_irq_exit - the end of an interrupt that found a Linux thread in
 * user mode (kernel_irq_exit, interrupts masked; frame the HAL's, for
 * hal_trap_user_regs): the signals due to it are taken as at the end of
 * a system call: a stop stops it here, a handler's frame is built and
 * the thread leaves for the handler (does not return), a default action
 * that ends the process ends it. Returns, interrupts masked, when there
 * is nothing to take. Two loads when nothing is pending.
 */
void linux_irq_exit(void *frame);

/*
 * linux_user_fault - a fault in user mode of a Linux thread (interrupts
 * on): the fault's signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) to
 * its handler with si_code and si_addr, from the trap's registers (does
 * not return); returns the signal when it ends the process instead (no
 * handler, blocked, or no frame to go on from).
 */
struct HalUserFault;
int linux_user_fault(const struct HalUserFault *f);

/*
 * A Linux process's terminal (kernel/linux_tty.c, aegis/tty.h):
 * linux_tty_opened - file h, just opened at path with open's flags, is a
 * terminal: a session leader may take it as its controlling terminal
 * (not with O_NOCTTY); /dev/tty without one is -ENXIO. linux_tty_io -
 * read(2) or write(2) of it (a: fd, buffer, count), job control and
 * VMIN/VTIME included. linux_tty_ioctl - its ioctl(2) requests; -ENOTTY
 * for any other.
 */
struct proc;
struct proc_lfd;

/* linux_futex_wake - wake at most n of p's threads waiting (FUTEX_WAIT)
 * on the word at addr with a bit of bitset; how many it woke
 * (kernel/linux_misc.c). linux_futex_show - /sys/linux/futex. */
int linux_futex_wake(const struct proc *p, uint64_t addr, int n,
		     uint32_t bitset);
uint32_t linux_futex_show(char *buf, uint32_t size);
int linux_tty_opened(struct proc *p, int h, const char *path,
		     uint64_t flags);
int64_t linux_tty_io(struct proc *p, int h, const struct proc_lfd *l,
		     const uint64_t a[SYS_ARGS_MAX], bool write);
int64_t linux_tty_ioctl(struct proc *p, int h, uint32_t cmd, uint64_t arg);
void linux_signal_return(struct HalSyscall *s);

#endif
