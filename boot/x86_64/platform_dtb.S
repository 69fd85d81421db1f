/*
 * platform_dtb.S - the x86_64 platform device tree (platform.dts, compiled
 * by dtc into the build tree) linked into the kernel image.
 */
	.section .rodata.platform_dtb, "a"
	.balign 8
	.globl x86_platform_dtb
	.globl x86_platform_dtb_end
x86_platform_dtb:
	.incbin "platform.dtb"
x86_platform_dtb_end:
	.balign 8

	.section .note.GNU-stack, "", @progbits
