/*
 * test_elf.c - kernel/lib/elf.c and kernel/lib/cpio.c on images and
 * archives built here byte by byte: good ones read right, every kind of
 * malformed one refused with its reason, and truncation at every length
 * never read past the end (ASan and valgrind watch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <aegis/elf.h>
#include <aegis/errno.h>
#include "unit.h"

#define LO 0x100000000ull
#define HI 0x8000000000ull

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static uint8_t img[8192];

/* text r-x at LO+0x400000 (file 0x1000, 0x100 bytes), data rw- at
 * LO+0x401000 (file 0x1100, 0x10 bytes, 0x2000 in memory). */
static size_t good(void)
{
	struct ehdr h;
	struct phdr p[2];

	memset(img, 0, sizeof(img));
	memset(&h, 0, sizeof(h));
	memcpy(h.ident, "\177ELF", 4);
	h.ident[4] = 2;
	h.ident[5] = 1;
	h.ident[6] = 1;
	h.type = 2;
	h.machine = ELF_EM_AARCH64;
	h.version = 1;
	h.entry = LO + 0x400010;
	h.phoff = 64;
	h.ehsize = 64;
	h.phentsize = 56;
	h.phnum = 2;
	memset(p, 0, sizeof(p));
	p[0] = (struct phdr){ 1, 5, 0x1000, LO + 0x400000, 0, 0x100, 0x100,
			      0x1000 };
	p[1] = (struct phdr){ 1, 6, 0x1100, LO + 0x401000, 0, 0x10, 0x2000,
			      0x1000 };
	memcpy(img, &h, sizeof(h));
	memcpy(img + 64, p, sizeof(p));
	memset(img + 0x1000, 0xaa, 0x100);
	return 0x1110;
}

static struct phdr *ph(int i)
{
	return (struct phdr *)(img + 64 + i * 56);
}

static struct ehdr *eh(void)
{
	return (struct ehdr *)img;
}

static const char *why;
static struct elf_image im;

static int parse(size_t len)
{
	why = NULL;
	return elf_parse(img, len, ELF_EM_AARCH64, LO, HI, &im, &why);
}

START_TEST(test_elf_good_image_read)
{
	size_t n = good();

	ck_assert_int_eq(parse(n), 0);
	ck_assert_uint_eq(im.entry, LO + 0x400010);
	ck_assert_uint_eq(im.nseg, 2);
	ck_assert_uint_eq(im.seg[0].prot, ELF_PROT_R | ELF_PROT_X);
	ck_assert_uint_eq(im.seg[1].prot, ELF_PROT_R | ELF_PROT_W);
	ck_assert_uint_eq(im.seg[1].memsz, 0x2000);
	ck_assert_uint_eq(im.seg[1].filesz, 0x10);
	ck_assert_uint_eq(im.seg[0].offset, 0x1000);
}
END_TEST

START_TEST(test_elf_not_elf_or_wrong_kind)
{
	size_t n = good();

	img[1] = 'X';
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "not an ELF file");
	good();
	img[4] = 1;			/* 32-bit */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "not 64-bit little-endian ELF");
	good();
	eh()->type = 1;			/* a relocatable object */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "not an executable (ET_EXEC or ET_DYN)");
	good();
	eh()->machine = ELF_EM_X86_64;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "built for another machine");
}
END_TEST

/* A position-independent program (gcc -static-pie: ET_DYN, linked at
 * 0, no interpreter) is moved by ELF_PIE_BASE whole: its segments, entry
 * and program headers. One that names an interpreter is refused. */
START_TEST(test_elf_static_pie_moved_to_its_base)
{
	size_t n = good();

	eh()->type = 3;
	eh()->entry = 0x10;
	ph(0)->vaddr = 0;
	ph(0)->offset = 0;		/* the headers in the first segment */
	ph(0)->filesz = ph(0)->memsz = 0x1100;
	ph(1)->vaddr = 0x2000;
	ph(1)->offset = 0x1100;
	ck_assert_int_eq(parse(n), 0);
	ck_assert(im.pie);
	ck_assert_uint_eq(im.seg[0].vaddr, ELF_PIE_BASE);
	ck_assert_uint_eq(im.seg[1].vaddr, ELF_PIE_BASE + 0x2000);
	ck_assert_uint_eq(im.entry, ELF_PIE_BASE + 0x10);
	ck_assert_uint_eq(im.phdr, ELF_PIE_BASE + 64);
	ck_assert_uint_eq(im.end, ELF_PIE_BASE + 0x4000);
	/* its entry must still be in an executable segment, moved */
	eh()->entry = 0x2010;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "entry point outside every executable "
			      "segment");
	/* a segment the move takes past the user range */
	eh()->entry = 0x10;
	ph(1)->vaddr = HI - ELF_PIE_BASE;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "a segment outside the user range");
	ph(1)->vaddr = ~0ull - 0x100;	/* would wrap */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "a segment outside the user range");
	/* dynamically linked: its interpreter named */
	ph(1)->vaddr = 0x2000;
	ph(1)->type = 3;		/* PT_INTERP */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "dynamically linked (it names an interpreter): "
			      "only static programs run");
}
END_TEST

START_TEST(test_elf_program_headers_checked)
{
	size_t n = good();

	eh()->phoff = n - 10;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "program headers run past the end");
	good();
	eh()->phoff = ~0ull - 8;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	good();
	eh()->phentsize = 32;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	good();
	eh()->phnum = 0;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
}
END_TEST

START_TEST(test_elf_segment_file_part_checked)
{
	size_t n = good();

	ph(0)->filesz = 0x200;		/* more than its memory */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "a segment's file part is larger than its "
			 "memory");
	good();
	ph(1)->offset = n - 4;		/* 16 bytes from 4 before the end */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "a segment runs past the end of the file");
	good();
	ph(1)->offset = ~0ull;
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
}
END_TEST

START_TEST(test_elf_segment_outside_user_range)
{
	size_t n = good();

	ph(0)->vaddr = 0x400000;	/* below */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "a segment outside the user range");
	good();
	ph(1)->vaddr = 0xffffffff80000000ull;	/* the kernel's */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	good();
	ph(1)->vaddr = HI - 0x1000;
	ph(1)->memsz = 0x2000;		/* runs over the top */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	good();
	ph(1)->memsz = ~0ull;		/* wraps */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
}
END_TEST

START_TEST(test_elf_segments_sharing_a_page_refused)
{
	size_t n = good();

	ph(1)->vaddr = LO + 0x400800;	/* the text's page */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "two segments share a page");
}
END_TEST

START_TEST(test_elf_entry_must_be_executable)
{
	size_t n = good();

	eh()->entry = LO + 0x401000;	/* in the data */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "entry point outside every executable segment");
	good();
	ph(0)->flags = 4;		/* text not executable */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
}
END_TEST

START_TEST(test_elf_writable_executable_segment_refused)
{
	size_t n = good();

	ph(1)->flags = 7;		/* data rwx */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "a segment both writable and executable (W^X)");
	good();
	ph(0)->flags = 3;		/* text -wx */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "a segment both writable and executable (W^X)");
	good();
	ck_assert_int_eq(parse(n), 0);
}
END_TEST

START_TEST(test_elf_non_load_segments_skipped_and_none_refused)
{
	size_t n = good();

	ph(1)->type = 4;		/* a note: ignored */
	ck_assert_int_eq(parse(n), 0);
	ck_assert_uint_eq(im.nseg, 1);
	ph(0)->type = 6;		/* nothing left to load */
	ck_assert_int_eq(parse(n), -AE_ENOEXEC);
	ck_assert_str_eq(why, "nothing to load");
}
END_TEST

/* A note segment at file 0x1200 holding the notes n (len bytes). */
static size_t with_note(const uint8_t *n, size_t len)
{
	size_t end = good();

	eh()->phnum = 3;
	*ph(2) = (struct phdr){ 4, 4, 0x1200, 0, 0, len, len, 4 };
	memcpy(img + 0x1200, n, len);
	return end > 0x1200 + len ? end : 0x1200 + len;
}

/* Linux's programs are told by the GNU ABI tag note (OS 0: Linux) or
 * the OS/ABI byte; Aegis's own carry neither. A malformed note is no
 * tag, and is never read past its segment. */
START_TEST(test_elf_abi_linux_by_note_or_osabi)
{
	static const uint8_t tag[] = {
		4, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 'G', 'N', 'U', 0,
		0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 };
	/* a build id first (type 3), then the tag */
	static const uint8_t two[] = {
		4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0,
		1, 2, 3, 4,
		4, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 'G', 'N', 'U', 0,
		0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t bad[sizeof(tag)];

	ck_assert_int_eq(parse(good()), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_AEGIS);
	ck_assert_int_eq(parse(with_note(tag, sizeof(tag))), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_LINUX);
	ck_assert_int_eq(parse(with_note(two, sizeof(two))), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_LINUX);
	/* the tag of another OS (1: GNU Hurd) is not Linux */
	memcpy(bad, tag, sizeof(tag));
	bad[16] = 1;
	ck_assert_int_eq(parse(with_note(bad, sizeof(bad))), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_AEGIS);
	/* a description that runs past the note segment: no tag */
	memcpy(bad, tag, sizeof(tag));
	bad[4] = 17;
	ck_assert_int_eq(parse(with_note(bad, sizeof(bad))), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_AEGIS);
	ck_assert_int_eq(parse(with_note(tag, sizeof(tag) - 1)), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_AEGIS);
	/* a note segment past the end of the file is not read */
	with_note(tag, sizeof(tag));
	ph(2)->offset = 0x10000;
	ck_assert_int_eq(parse(0x1220), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_AEGIS);
	/* the OS/ABI byte alone */
	good();
	img[7] = 3;
	ck_assert_int_eq(parse(0x1110), 0);
	ck_assert_int_eq(im.abi, ELF_ABI_LINUX);
}
END_TEST

/* What a Linux program's auxiliary vector names: its program headers in
 * memory (when a segment loads them), their count and size; and the end
 * of its highest segment (where its heap, brk, begins). */
START_TEST(test_elf_program_headers_in_memory_and_end)
{
	ck_assert_int_eq(parse(good()), 0);
	ck_assert_uint_eq(im.phdr, 0);	/* no segment loads file 64.. */
	ck_assert_uint_eq(im.phnum, 2);
	ck_assert_uint_eq(im.phent, 56);
	ck_assert_uint_eq(im.end, LO + 0x403000);
	good();
	ph(0)->offset = 0;
	ph(0)->filesz = ph(0)->memsz = 0x200;
	ck_assert_int_eq(parse(0x1110), 0);
	ck_assert_uint_eq(im.phdr, LO + 0x400000 + 64);
}
END_TEST

START_TEST(test_elf_truncated_at_every_length)
{
	size_t n = good();

	for (size_t k = 0; k < n; k++) {
		uint8_t *copy = malloc(k ? k : 1);

		memcpy(copy, img, k);
		why = NULL;
		/* refused, or (when only zero padding was cut) fine */
		if (elf_parse(copy, k, ELF_EM_AARCH64, LO, HI, &im, &why))
			ck_assert_ptr_nonnull(why);
		free(copy);
	}
	ck_assert_int_eq(elf_parse(NULL, 100, ELF_EM_AARCH64, LO, HI, &im,
				   &why), -AE_ENOEXEC);
}
END_TEST

/* ---- cpio ------------------------------------------------------------ */

static char arc[4096];

static size_t add(size_t at, const char *name, const char *data,
		  size_t len)
{
	size_t n = strlen(name) + 1;

	at += (size_t)sprintf(arc + at, "070701%08x%08x%08x%08x%08x%08x"
			      "%08zx%08x%08x%08x%08x%08zx%08x", 1, 0100755, 0,
			      0, 1, 0, len, 0, 0, 0, 0, n, 0);
	memcpy(arc + at, name, n);
	at = (at + n + 3) & ~(size_t)3;
	memcpy(arc + at, data, len);
	return (at + len + 3) & ~(size_t)3;
}

static size_t archive(void)
{
	size_t n;

	memset(arc, 0, sizeof(arc));
	n = add(0, "hello", "HELLO", 5);
	n = add(n, "fault", "FAULT!!", 7);
	return add(n, "TRAILER!!!", "", 0);
}

START_TEST(test_cpio_entries_in_order)
{
	size_t n = archive(), off = 0;
	struct cpio_entry e;

	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), 1);
	ck_assert_str_eq(e.name, "hello");
	ck_assert_uint_eq(e.size, 5);
	ck_assert_int_eq(memcmp(e.data, "HELLO", 5), 0);
	ck_assert_uint_eq(e.mode, 0100755);
	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), 1);
	ck_assert_str_eq(e.name, "fault");
	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), 0);
	ck_assert_int_eq(cpio_find(arc, n, "fault", &e, &why), 0);
	ck_assert_uint_eq(e.size, 7);
	ck_assert_int_eq(cpio_find(arc, n, "nothing", &e, &why),
			 -AE_ENOENT);
}
END_TEST

START_TEST(test_cpio_malformed_refused)
{
	size_t n = archive(), off = 0;
	struct cpio_entry e;

	arc[0] = '1';
	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "not a newc cpio header (magic 070701)");
	archive();
	arc[20] = 'g';			/* a field that is not hex */
	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "header field is not hex");
	archive();
	memcpy(arc + 6 + 8 * 6, "7fffffff", 8);	/* a huge file */
	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "file runs past the end of the archive");
	archive();
	memcpy(arc + 6 + 8 * 11, "00000100", 8);	/* a long name */
	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), -AE_EBADMSG);
	archive();
	memcpy(arc + 6 + 8 * 11, "00000002", 8);	/* "he" unterminated */
	ck_assert_int_eq(cpio_next(arc, n, &off, &e, &why), -AE_EBADMSG);
	ck_assert_str_eq(why, "name not NUL-terminated");
}
END_TEST

START_TEST(test_cpio_truncated_at_every_length)
{
	size_t n = archive();

	for (size_t k = 0; k < n; k++) {
		char *copy = malloc(k ? k : 1);
		struct cpio_entry e;
		size_t off = 0;
		int rc;

		memcpy(copy, arc, k);
		while ((rc = cpio_next(copy, k, &off, &e, &why)) == 1)
			ck_assert_uint_le(off, k);
		ck_assert(rc == -AE_EBADMSG || rc == 0);
		free(copy);
	}
}
END_TEST

Suite *suite_elf(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("elf");

	tcase_add_test(tc, test_elf_good_image_read);
	tcase_add_test(tc, test_elf_not_elf_or_wrong_kind);
	tcase_add_test(tc, test_elf_static_pie_moved_to_its_base);
	tcase_add_test(tc, test_elf_program_headers_checked);
	tcase_add_test(tc, test_elf_segment_file_part_checked);
	tcase_add_test(tc, test_elf_segment_outside_user_range);
	tcase_add_test(tc, test_elf_segments_sharing_a_page_refused);
	tcase_add_test(tc, test_elf_entry_must_be_executable);
	tcase_add_test(tc, test_elf_writable_executable_segment_refused);
	tcase_add_test(tc, test_elf_non_load_segments_skipped_and_none_refused);
	tcase_add_test(tc, test_elf_truncated_at_every_length);
	tcase_add_test(tc, test_elf_abi_linux_by_note_or_osabi);
	tcase_add_test(tc, test_elf_program_headers_in_memory_and_end);
	tcase_add_test(tc, test_cpio_entries_in_order);
	tcase_add_test(tc, test_cpio_malformed_refused);
	tcase_add_test(tc, test_cpio_truncated_at_every_length);
	suite_add_tcase(s, tc);
	return s;
}
