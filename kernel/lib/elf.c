/*
 * elf.c - ELF64 executables for user programs (see aegis/elf.h): the
 * header and program headers are read with memcpy (an image need not be
 * aligned), every PT_LOAD is checked against the file and the user
 * range, and nothing outside the file is ever read.
 */
#include <string.h>
#include <aegis/elf.h>
#include <aegis/errno.h>

#define PAGE 4096ull
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_NOTE 4
#define ET_EXEC 2
#define ET_DYN 3
#define ELFOSABI_GNU 3
#define NT_GNU_ABI_TAG 1

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

_Static_assert(sizeof(struct ehdr) == 64, "ELF64 header");
_Static_assert(sizeof(struct phdr) == 56, "ELF64 program header");

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The GNU ABI tag note, naming Linux, among the notes at n (len bytes,
 * inside the file): each note is namesz, descsz, type, then the name and
 * the description, each padded to 4 bytes. */
static bool linux_tag(const uint8_t *n, uint64_t len)
{
	while (len >= 12) {
		uint32_t namesz = le32(n), descsz = le32(n + 4),
			 type = le32(n + 8);
		uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ull;
		uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ull;

		if (name_pad > len - 12 || desc_pad > len - 12 - name_pad)
			return false;
		if (type == NT_GNU_ABI_TAG && namesz == 4 &&
		    memcmp(n + 12, "GNU", 4) == 0 && descsz >= 4 &&
		    le32(n + 12 + name_pad) == 0)
			return true;
		n += 12 + name_pad + desc_pad;
		len -= 12 + name_pad + desc_pad;
	}
	return false;
}

static int refuse(const char **why, const char *reason)
{
	*why = reason;
	return -AE_ENOEXEC;
}

int elf_parse(const void *img, size_t len, uint16_t machine, uint64_t lo,
	      uint64_t hi, struct elf_image *out, const char **why)
{
	struct ehdr h;
	bool entry_ok = false;
	uint64_t bias = 0;

	memset(out, 0, sizeof(*out));
	if (!img || len < sizeof(h))
		return refuse(why, "shorter than an ELF header");
	memcpy(&h, img, sizeof(h));
	if (memcmp(h.ident, "\177ELF", 4) != 0)
		return refuse(why, "not an ELF file");
	if (h.ident[4] != 2 || h.ident[5] != 1)
		return refuse(why, "not 64-bit little-endian ELF");
	if (h.type != ET_EXEC && h.type != ET_DYN)
		return refuse(why, "not an executable (ET_EXEC or ET_DYN)");
	/* position-independent (static-pie): loaded at ELF_PIE_BASE, every
	 * address moved by it; the program relocates itself */
	if (h.type == ET_DYN)
		bias = ELF_PIE_BASE;
	if (h.machine != machine)
		return refuse(why, "built for another machine");
	if (h.phentsize != sizeof(struct phdr) || h.phnum == 0)
		return refuse(why, "no program headers of the ELF64 size");
	if (h.phoff > len || (uint64_t)h.phnum * sizeof(struct phdr) >
	    len - h.phoff)
		return refuse(why, "program headers run past the end");
	for (uint32_t i = 0; i < h.phnum; i++) {
		struct phdr p;
		struct elf_seg *s;

		memcpy(&p, (const char *)img + h.phoff + i * sizeof(p),
		       sizeof(p));
		if (p.type == PT_INTERP)
			return refuse(why, "dynamically linked (it names an "
				      "interpreter): only static programs run");
		if (p.type == PT_LOAD && bias) {
			if (p.vaddr > ~0ull - bias)
				return refuse(why, "a segment outside the user "
					      "range");
			p.vaddr += bias;
		}
		if (p.type == PT_NOTE && p.offset <= len &&
		    p.filesz <= len - p.offset &&
		    linux_tag((const uint8_t *)img + p.offset, p.filesz))
			out->abi = ELF_ABI_LINUX;
		if (p.type != PT_LOAD || p.memsz == 0)
			continue;
		if (out->nseg == ELF_SEGS_MAX)
			return refuse(why, "more than 8 loadable segments");
		if (p.filesz > p.memsz)
			return refuse(why, "a segment's file part is larger "
				      "than its memory");
		if (p.offset > len || p.filesz > len - p.offset)
			return refuse(why, "a segment runs past the end of "
				      "the file");
		if (p.vaddr < lo || p.vaddr >= hi || p.memsz > hi - p.vaddr)
			return refuse(why, "a segment outside the user range");
		if ((p.flags & 3) == 3)		/* PF_W | PF_X */
			return refuse(why, "a segment both writable and "
				      "executable (W^X)");
		s = &out->seg[out->nseg];
		for (uint32_t k = 0; k < out->nseg; k++) {
			const struct elf_seg *o = &out->seg[k];
			uint64_t a0 = p.vaddr & ~(PAGE - 1);
			uint64_t a1 = (p.vaddr + p.memsz + PAGE - 1) &
				      ~(PAGE - 1);
			uint64_t b0 = o->vaddr & ~(PAGE - 1);
			uint64_t b1 = (o->vaddr + o->memsz + PAGE - 1) &
				      ~(PAGE - 1);

			if (a0 < b1 && b0 < a1)
				return refuse(why, "two segments share a page");
		}
		s->vaddr = p.vaddr;
		s->memsz = p.memsz;
		s->offset = p.offset;
		s->filesz = p.filesz;
		s->prot = (p.flags & 4 ? ELF_PROT_R : 0) |
			  (p.flags & 2 ? ELF_PROT_W : 0) |
			  (p.flags & 1 ? ELF_PROT_X : 0);
		if ((s->prot & ELF_PROT_X) && h.entry >= p.vaddr &&
		    h.entry - p.vaddr < p.memsz)
			entry_ok = true;
		/* the program headers, where a segment loads them */
		if (h.phoff >= p.offset && h.phoff - p.offset < p.filesz &&
		    (uint64_t)h.phnum * sizeof(struct phdr) <=
		    p.filesz - (h.phoff - p.offset))
			out->phdr = p.vaddr + (h.phoff - p.offset);
		if (p.vaddr + p.memsz > out->end)
			out->end = p.vaddr + p.memsz;
		out->nseg++;
	}
	if (out->nseg == 0)
		return refuse(why, "nothing to load");
	if (bias)
		entry_ok = false;
	for (uint32_t k = 0; bias && k < out->nseg; k++)
		if ((out->seg[k].prot & ELF_PROT_X) && h.entry <= ~0ull - bias &&
		    h.entry + bias >= out->seg[k].vaddr &&
		    h.entry + bias - out->seg[k].vaddr < out->seg[k].memsz)
			entry_ok = true;
	if (!entry_ok)
		return refuse(why, "entry point outside every executable "
			      "segment");
	out->entry = h.entry + bias;
	out->pie = bias != 0;
	out->phnum = h.phnum;
	out->phent = h.phentsize;
	if (h.ident[7] == ELFOSABI_GNU)
		out->abi = ELF_ABI_LINUX;
	return 0;
}
