/*
 * entry.S - AArch64 entry: arm64 Image header, EL2 -> EL1, early MMU,
 * then boot_aarch64(dtb).
 *
 * The loader (QEMU -kernel, or U-Boot booti) enters at the first
 * instruction with the MMU off, x0 = physical address of the device tree,
 * at EL2 or EL1 (Documentation/arch/arm64/booting.rst in Linux describes
 * the protocol). The image is loaded at 0x40200000 on QEMU virt (RAM base
 * + 2 MiB) and linked at KERNEL_VMA + that address, in the top of the
 * address space.
 *
 * Until the MMU is on, this code runs at the physical address: it uses
 * only PC-relative addressing (adr, adrp). The early MMU maps the low
 * 4 GiB with 1 GiB blocks twice, through the same table: 1:1 through
 * TTBR0 (the boot data, devices and the loader's blobs are physical
 * addresses) and at KERNEL_VMA through TTBR1 (the direct map, where the
 * image runs): the first GiB (QEMU virt's devices) as Device-nGnRnE, the
 * next three (RAM) as normal write-back memory. Then it jumps to the link
 * address. kernel/vm.c replaces these tables with the kernel's own.
 */
#define CURRENTEL_EL2	(2 << 2)
#define HCR_RW		(1 << 31)
#define SPSR_EL1H_MASKED 0x3c5		/* D A I F masked, EL1h */
#define CPACR_FPEN	(3 << 20)

/* Block descriptor bits */
#define PT_BLOCK	0x1
#define PT_AF		(1 << 10)
#define PT_SH_INNER	(3 << 8)
#define PT_ATTR(i)	((i) << 2)
#define PT_PXN		(1 << 53)
#define PT_UXN		(1 << 54)

#define MAIR_VALUE	0xff00		/* attr0 device nGnRnE, attr1 normal WB */
/* Both halves 39-bit (T0SZ = T1SZ = 25), inner/outer WB WA, inner
 * shareable, 4K granules (TG0 0, TG1 2), 40-bit physical addresses. */
#define TCR_VALUE	((25) | (1 << 8) | (1 << 10) | (3 << 12) | \
			 (25 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | \
			 (2 << 30) | (2 << 32))
#define KERNEL_VMA	0xffffff8000000000	/* kernel.ld */
#define SCTLR_M		(1 << 0)
#define SCTLR_C		(1 << 2)
#define SCTLR_I		(1 << 12)

	.section .text.head, "ax"
	.globl	_head
_head:
	b	_start			/* code0 */
	.long	0			/* code1 */
	.quad	0x200000		/* text_offset: 2 MiB into RAM */
	.quad	_image_size		/* image_size: must be non-zero */
	.quad	0x2			/* flags: little-endian, 4K pages, at
					 * text_offset from the start of RAM
					 * (the image is not relocatable) */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

_start:
	mov	x19, x0			/* device tree */
	/* Not relocatable: running anywhere but the physical address it
	 * was linked for would go wrong quietly later, so say so now (on
	 * QEMU virt's UART). */
	adr	x0, _head
	ldr	x1, =_head
	ldr	x2, =KERNEL_VMA
	sub	x1, x1, x2
	cmp	x0, x1
	b.ne	wrong_place
	mrs	x0, CurrentEL
	lsr	x20, x0, #2		/* entry exception level, for the log */
	cmp	x0, #CURRENTEL_EL2
	b.ne	at_el1

	/* EL2: let EL1 run AArch64, use the timers and FP, then drop. */
	mov	x0, #HCR_RW
	msr	hcr_el2, x0
	mov	x0, #3			/* EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #0x33ff		/* CPTR_EL2: no FP/SIMD traps */
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	/* EL1 reads VPIDR_EL2/VMPIDR_EL2 as its MIDR_EL1/MPIDR_EL1 (their
	 * reset values are UNKNOWN): give it the real ones, which the
	 * device tree's cpu reg and PSCI name this CPU by. */
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	/* GICv3 system registers: let EL1 use them (ICC_SRE_EL2.{SRE,Enable}) */
	mrs	x0, id_aa64pfr0_el1
	ubfx	x0, x0, #24, #4
	cbz	x0, 1f
	mrs	x0, S3_4_C12_C9_5	/* ICC_SRE_EL2 */
	mov	x1, #0x9		/* SRE | Enable */
	orr	x0, x0, x1
	msr	S3_4_C12_C9_5, x0
	isb
	msr	S3_4_C12_C11_0, xzr	/* ICH_HCR_EL2 */
1:	ldr	x0, =0x30d00800		/* SCTLR_EL1: RES1 bits, MMU off */
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_MASKED
	msr	spsr_el2, x0
	adr	x0, at_el1
	msr	elr_el2, x0
	eret

at_el1:
	msr	daifset, #0xf
	mov	x0, #CPACR_FPEN		/* the Rust target uses FP/SIMD */
	msr	cpacr_el1, x0
	isb
	adr	x0, vectors
	msr	vbar_el1, x0
	adrp	x0, boot_stack_top	/* physical, until the jump */
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0

	/* Clear .bss with the MMU off: 16-byte aligned stores only. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
2:	cmp	x0, x1
	b.hs	3f
	stp	xzr, xzr, [x0], #16
	b	2b
3:
	/* Boot page table: level 1, one 1 GiB block per entry. */
	adrp	x0, boot_l1
	add	x0, x0, :lo12:boot_l1
	ldr	x1, =(PT_BLOCK | PT_AF | PT_ATTR(0) | PT_PXN | PT_UXN)
	str	x1, [x0]		/* 0-1 GiB: devices */
	ldr	x1, =(PT_BLOCK | PT_AF | PT_SH_INNER | PT_ATTR(1))
	mov	x2, #1
4:	lsl	x3, x2, #30
	orr	x3, x3, x1
	str	x3, [x0, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #4
	b.lo	4b

	/* .bss, the boot table and the stack were written with the data
	 * cache off: drop any stale line the loader left for them, so the
	 * cached view (and the table walker) sees what memory holds. */
	dmb	sy
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __kernel_end
	add	x2, x2, :lo12:__kernel_end
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x4, #4
	lsl	x3, x4, x3		/* bytes per line */
	sub	x4, x3, #1
	bic	x1, x1, x4
6:	dc	ivac, x1
	add	x1, x1, x3
	cmp	x1, x2
	b.lo	6b
	dsb	sy

	ldr	x1, =MAIR_VALUE
	msr	mair_el1, x1
	ldr	x1, =TCR_VALUE
	msr	tcr_el1, x1
	msr	ttbr0_el1, x0
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	/* A whole SCTLR_EL1 (its RES1 bits, little-endian, no alignment
	 * checks, no WXN) with the MMU and both caches on: nothing the
	 * loader left in it survives. */
	ldr	x1, =(0x30d00800 | SCTLR_M | SCTLR_C | SCTLR_I)
	msr	sctlr_el1, x1
	isb

	/* Up to the link address: from here on the image runs at
	 * KERNEL_VMA + its physical address. */
	ldr	x0, =high
	br	x0
high:
	ldr	x0, =boot_stack_top
	mov	sp, x0
	mov	x0, x19
	mov	x1, x20
	bl	boot_aarch64
5:	wfi
	b	5b

wrong_place:
	ldr	x1, =0x09000000		/* QEMU virt PL011 data register */
	adr	x2, msg_wrong_place
1:	ldrb	w3, [x2], #1
	cbz	w3, 2f
	str	w3, [x1]
	b	1b
2:	wfe
	b	2b

msg_wrong_place:
	.asciz	"\r\naegis: boot failed: loaded away from 0x40200000 (the image is not relocatable)\r\n"
	.balign	4

/*
 * Exception vectors: until the HAL installs its own, any exception is a
 * kernel bug; report what and where, then stop.
 */
	.macro	vent kind
	.balign	0x80
	mov	x0, #\kind
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	boot_trap
	.endm

	.balign	0x800
vectors:
	.irp	k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vent	\k
	.endr

	.ltorg

	.bss
	.balign	4096
boot_l1:
	.skip	4096
	.section .stack, "aw", @nobits
	.balign	4096
boot_stack:
	.skip	16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
