/*
 * aegis/elf.h - reading user programs: ELF64 executables and the newc
 * cpio archive they arrive in (kernel/lib/elf.c, kernel/lib/cpio.c).
 * Pure: both take bytes and say what is in them, or why not; the host
 * tests feed them malformed and truncated input.
 */
#ifndef AEGIS_ELF_H
#define AEGIS_ELF_H

#include <aegis/types.h>

#define ELF_SEGS_MAX	8

#define ELF_PROT_R	1u
#define ELF_PROT_W	2u
#define ELF_PROT_X	4u

struct elf_seg {
	uint64_t vaddr, memsz;		/* where, and how much memory */
	uint64_t offset, filesz;	/* what of the file goes there (the
					 * rest of memsz is zero) */
	uint32_t prot;			/* ELF_PROT_* */
};

/* Which system calls a program makes (docs/LINUX_ABI.md): Aegis's own,
 * or Linux's. A program is Linux's when its ELF says so, as Linux's own
 * loaders and FreeBSD's Linux emulation read it: the GNU ABI tag note
 * (.note.ABI-tag: name "GNU", type 1, OS 0 = Linux), which glibc puts in
 * every program, or the OS/ABI byte ELFOSABI_GNU (3). Everything else is
 * native (Aegis's own programs carry neither). */
enum elf_abi {
	ELF_ABI_AEGIS = 0,
	ELF_ABI_LINUX,
};

struct elf_image {
	uint64_t entry;
	uint32_t nseg;
	struct elf_seg seg[ELF_SEGS_MAX];
	enum elf_abi abi;
	uint64_t phdr;		/* where the program headers are in memory
				 * (inside a loaded segment), or 0 */
	uint16_t phnum, phent;
	uint64_t end;		/* the end of the highest segment in memory */
	bool pie;		/* ET_DYN, loaded at ELF_PIE_BASE */
};

/* Where a position-independent program (ET_DYN without an interpreter:
 * gcc -static-pie) is loaded: its link-time addresses plus this. 2/3 of
 * AArch64's 512 GiB user range (Linux's ELF_ET_DYN_BASE rule), the same
 * on x86_64; below the stack and mmap's area, above any ET_EXEC. */
#define ELF_PIE_BASE	0x5555554000ull

/* The machine an image must be for: EM_X86_64 or EM_AARCH64. */
#define ELF_EM_X86_64	62
#define ELF_EM_AARCH64	183

/*
 * elf_parse - read the executable at img (len bytes) for machine,
 * whose loadable segments must lie in [lo, hi). 0 with *out filled, or
 * -ENOEXEC with *why set: not ELF, not 64-bit little-endian, not an
 * executable (ET_EXEC, or ET_DYN: position-independent, every address
 * moved by ELF_PIE_BASE), dynamically linked (PT_INTERP), another machine, program headers out of the file, a
 * segment whose file part runs past the end or is larger than its
 * memory, a segment both writable and executable (W^X: refused, never
 * mapped), a segment outside [lo, hi) or wrapping, segments sharing a
 * page, more than ELF_SEGS_MAX, no segment, an entry point outside every
 * executable segment. A note segment is read for the ABI tag only within
 * its bounds and the file's (a malformed note is no tag).
 */
int elf_parse(const void *img, size_t len, uint16_t machine, uint64_t lo,
	      uint64_t hi, struct elf_image *out, const char **why);

struct cpio_entry {
	char name[64];
	const void *data;
	uint64_t size;
	uint32_t mode;
};

/*
 * cpio_next - the entry at *off in the newc archive a (len bytes), and
 * *off moved past it. 1 with *e filled, 0 at the trailer, or -EBADMSG
 * with *why: a bad magic, a field that is not hex, a name or file that
 * runs past the end, a name longer than the entry's name field or not
 * NUL-terminated.
 */
int cpio_next(const void *a, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why);

/* cpio_find - the entry called name: 0 with *e filled, -ENOENT, or
 * cpio_next's error. */
int cpio_find(const void *a, size_t len, const char *name,
	      struct cpio_entry *e, const char **why);

#endif
