/*
 * entry.S - x86_64 entry, from 32-bit protected mode to kmain's caller.
 *
 * Two ways in, both 32-bit protected mode with paging off:
 *   _start32      multiboot2 (GRUB, BIOS or UEFI): %eax = 0x36d76289,
 *                 %ebx = physical address of the boot information block.
 *   _pvh_start32  PVH (QEMU -kernel): %ebx = physical address of the
 *                 hvm_start_info block; named by the Xen ELF note below.
 * Both build the boot page tables (identity map of the low 4 GiB and the
 * kernel image at KERNEL_VMA, 2 MiB pages), enter long mode, jump to the
 * higher half and call boot_x86_64(magic, info) with the magic in %edi
 * (PVH_START_MAGIC for the PVH path) and the physical address in %esi.
 *
 * This code runs at its physical address (the .boot.* sections are linked
 * at their load address); everything after "higher_half" runs at
 * KERNEL_VMA + physical.
 */
#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_ARCH_I386		0
#define MB2_BOOT_MAGIC		0x36d76289
#define PVH_MAGIC		0x336ec578
#define KERNEL_VMA		0xffffffff80000000

#define CR0_PE		(1 << 0)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define EFER_MSR	0xc0000080
#define EFER_LME	(1 << 8)
#define PTE_P		0x1
#define PTE_W		0x2
#define PTE_PS		0x80

#define COM1		0x3f8

/* ------------------------------------------------------------------ */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_HEADER_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* entry address tag: where GRUB jumps (physical) */
	.balign 8
	.short	3, 0
	.long	12
	.long	_start32
	/* end tag */
	.balign 8
	.short	0, 0
	.long	8
mb2_header_end:

/* PVH: XEN_ELFNOTE_PHYS32_ENTRY (18), the 32-bit physical entry. QEMU reads
 * a pointer-sized value after the 4-aligned name, so the value is a .quad
 * and the note section stays 4-aligned. */
	.section .note.Xen, "a", @note
	.balign 4
	.long	2f - 1f
	.long	4f - 3f
	.long	18
1:	.asciz	"Xen"
2:	.balign 4
3:	.quad	_pvh_start32
4:	.balign 4

/* ------------------------------------------------------------------ */
	.section .boot.text, "ax"
	.code32
	.globl	_start32
_start32:
	cli
	cld
	movl	$boot_stack_top_phys, %esp	/* the loader leaves none */
	movl	%eax, %edi
	movl	%ebx, %esi
	cmpl	$MB2_BOOT_MAGIC, %edi
	je	common32
	/* Entered by something that is not a multiboot2 loader: say so. */
	movl	$msg_badmagic, %ebx
	jmp	fail32

	.globl	_pvh_start32
_pvh_start32:
	cli
	cld
	movl	$PVH_MAGIC, %edi
	movl	%ebx, %esi

common32:
	/* %edi = magic, %esi = info address: kept until boot_x86_64. */
	movl	$boot_stack_top_phys, %esp

	/* Long mode needs CPUID leaf 0x80000001 bit 29. */
	pushfl
	popl	%eax
	movl	%eax, %ecx
	xorl	$(1 << 21), %eax
	pushl	%eax
	popfl
	pushfl
	popl	%eax
	cmpl	%eax, %ecx
	je	no_long_mode		/* no CPUID at all */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx
	jz	no_long_mode

	/* Clear the page-table area, then fill it. */
	movl	$boot_pml4, %edx
	movl	%edx, %ebx
	xorl	%eax, %eax
	movl	$(7 * 4096 / 4), %ecx
	pushl	%edi
	movl	%ebx, %edi
	rep stosl
	popl	%edi

	/* 4 page directories = 2048 x 2 MiB = the low 4 GiB. */
	movl	$boot_pd, %ebx
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_W | PTE_PS), %eax
	movl	%eax, (%ebx, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* bits 32+ of (ecx << 21) */
	movl	%eax, 4(%ebx, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	1b

	/* Low PDPT: entries 0..3 -> the four PDs. */
	movl	$boot_pdpt_lo, %ebx
	movl	$boot_pd + (PTE_P | PTE_W), %eax
	movl	%eax, 0(%ebx)
	addl	$4096, %eax
	movl	%eax, 8(%ebx)
	addl	$4096, %eax
	movl	%eax, 16(%ebx)
	addl	$4096, %eax
	movl	%eax, 24(%ebx)
	/* High PDPT: entries 510, 511 -> PD0, PD1 (phys 0..2 GiB at -2 GiB). */
	movl	$boot_pdpt_hi, %ebx
	movl	$boot_pd + (PTE_P | PTE_W), %eax
	movl	%eax, 510 * 8(%ebx)
	addl	$4096, %eax
	movl	%eax, 511 * 8(%ebx)
	/* PML4: 0 -> low PDPT (the identity map the jump to long mode runs
	 * on), 273 -> the same (the direct map at 0xffff888000000000, which
	 * the kernel uses from kmain on: the HAL's DIRECT_MAP_OFFSET),
	 * 511 -> high PDPT. */
	movl	$boot_pml4, %ebx
	movl	$boot_pdpt_lo + (PTE_P | PTE_W), %eax
	movl	%eax, 0(%ebx)
	movl	%eax, 273 * 8(%ebx)
	movl	$boot_pdpt_hi + (PTE_P | PTE_W), %eax
	movl	%eax, 511 * 8(%ebx)

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$EFER_MSR, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PE | CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$0x08, $long_mode_entry

no_long_mode:
	movl	$msg_nolm, %ebx
	/* fall through */
/* Print the NUL-terminated message at %ebx on COM1 and stop. */
fail32:
	movl	$msg_prefix, %ecx
	call	puts32
	movl	%ebx, %ecx
	call	puts32
2:	hlt
	jmp	2b

puts32:
	movb	(%ecx), %al
	testb	%al, %al
	jz	4f
	movw	$COM1 + 5, %dx
3:	inb	%dx, %al
	testb	$0x20, %al
	jz	3b
	movb	(%ecx), %al
	movw	$COM1, %dx
	outb	%al, %dx
	incl	%ecx
	jmp	puts32
4:	ret

	.code64
long_mode_entry:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movabsq	$higher_half, %rax
	jmp	*%rax

	.section .boot.data, "a"
	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt
msg_prefix:
	.asciz	"\r\naegis: boot failed: "
msg_badmagic:
	.asciz	"not entered by a multiboot2 loader (bad magic in eax)\r\n"
msg_nolm:
	.asciz	"this CPU has no 64-bit long mode\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt_lo:	.skip 4096
boot_pdpt_hi:	.skip 4096
boot_pd:	.skip 4 * 4096
	.balign 16
	.skip 1024		/* 32-bit stack: a few pushes only */
boot_stack_top_phys:

/* ------------------------------------------------------------------ */
	.text
higher_half:
	/* The GDT stays the boot one (reachable through the identity map)
	 * until the HAL installs its own. */
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	/* Clear .bss (the loaders do, but a boot path must not rely on it).
	 * The stack is in .bss too: keep magic and info in registers. */
	movl	%edi, %r12d		/* zero-extends magic */
	movl	%esi, %r13d		/* zero-extends the info address */
	movabsq	$__bss_start, %rdi
	movabsq	$__bss_end, %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb
	call	boot_idt_init
	movq	%r12, %rdi
	movq	%r13, %rsi
	call	boot_x86_64
1:	cli
	hlt
	jmp	1b

/*
 * Boot exception table: until the HAL installs its own, a CPU exception is
 * a kernel bug. Each of the 32 stubs is 16 bytes (so the table is computed,
 * not listed), pushes a 0 error code where the CPU pushes none, then its
 * vector, and boot_trap_x86() prints what and where instead of letting
 * the CPU triple-fault and reset.
 */
	.macro	trap_stub n
	.balign	16
	.if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	trap_common
	.endm

	.balign	16
trap_stubs:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	trap_stub \n
	.endr

trap_common:
	movq	(%rsp), %rdi		/* vector */
	movq	8(%rsp), %rsi		/* error code */
	movq	16(%rsp), %rdx		/* faulting rip */
	movq	%cr2, %rcx
	andq	$-16, %rsp
	call	boot_trap_x86
1:	cli
	hlt
	jmp	1b

boot_idt_init:
	leaq	boot_idt(%rip), %rdi
	leaq	trap_stubs(%rip), %rsi
	xorl	%ecx, %ecx
2:	movq	%rsi, %rax
	movw	%ax, (%rdi)		/* offset 15:0 */
	movw	$0x08, 2(%rdi)		/* kernel code selector */
	movw	$0x8e00, 4(%rdi)	/* present, DPL 0, interrupt gate */
	shrq	$16, %rax
	movw	%ax, 6(%rdi)		/* offset 31:16 */
	shrq	$16, %rax
	movl	%eax, 8(%rdi)		/* offset 63:32 */
	movl	$0, 12(%rdi)
	addq	$16, %rdi
	addq	$16, %rsi
	incl	%ecx
	cmpl	$32, %ecx
	jb	2b
	lidt	boot_idt_ptr(%rip)
	ret

	.section .rodata
	.balign	8
boot_idt_ptr:
	.short	32 * 16 - 1
	.quad	boot_idt

	.bss
	.balign	16
boot_idt:
	.skip	32 * 16
	.section .stack, "aw", @nobits
	.balign	4096
boot_stack:
	.skip	16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
