/*
 * pie.c - a static position-independent glibc program (gcc -static-pie),
 * unmodified: the kernel loads it at an address of its choosing (ET_DYN,
 * no interpreter) and glibc relocates it itself before main. Checks that
 * it was moved from its link-time address 0, that its relocations were
 * applied (pointers in its data, a function pointer, TLS), that the
 * auxiliary vector names where its program headers and entry are, and
 * that argv and envp arrived.
 *
 * The same binary runs under Aegis (case linux-pie) and under Linux
 * (test/unit/linux_reference.py), so each expectation is Linux's.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static int checks, fails;

#define CHECK(c)							\
	do {								\
		checks++;						\
		if (!(c)) {						\
			fails++;					\
			printf("pie: line %d: %s\n", __LINE__, #c);	\
		}							\
	} while (0)

static int target;
static int *const ptr = &target;	/* a relative relocation */
static const char *const names[] = { "one", "two" };
static __thread int tls = 42;
extern char _start[];
extern const Elf64_Ehdr __ehdr_start;	/* the linker's: its ELF header */

static int twice(int x)
{
	return 2 * x;
}

static int (*volatile fn)(int) = twice;

int main(int argc, char **argv, char **envp)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	unsigned long base = (unsigned long)&__ehdr_start;
	int loads = 0;

	/* moved: nothing of it is at its link-time addresses near 0 */
	CHECK((unsigned long)main > 0x10000);
	CHECK(ptr == &target);
	CHECK(strcmp(names[1], "two") == 0);
	CHECK(fn(21) == 42);
	CHECK(tls == 42);
	tls++;
	CHECK(tls == 43);
	CHECK(getauxval(AT_ENTRY) == (unsigned long)_start);
	CHECK(ph && phnum > 0 && getauxval(AT_PHENT) == sizeof(*ph));
	/* loaded at a page, its ELF header first (linked at 0), the program
	 * headers where the header says, in memory */
	CHECK(base > 0x10000 && base % 4096 == 0);
	CHECK(memcmp(__ehdr_start.e_ident, ELFMAG, SELFMAG) == 0 &&
	      __ehdr_start.e_type == ET_DYN);
	CHECK((unsigned long)ph == base + __ehdr_start.e_phoff);
	CHECK(phnum == __ehdr_start.e_phnum);
	for (unsigned long i = 0; ph && i < phnum; i++)
		loads += ph[i].p_type == PT_LOAD;
	CHECK(loads >= 2);
	CHECK((unsigned long)main - base < 16 << 20);
	CHECK(argc >= 1 && argv[0] && argv[argc] == NULL);
	CHECK(envp != NULL);
	printf("pie: %d checks, %d failed\n", checks, fails);
	return fails;
}
