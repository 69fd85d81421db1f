/* start_aarch64.S - a user program's first instructions: the kernel
 * enters here at EL0 with SP_EL0 16-byte aligned and every register
 * zero; main's result is the exit code. */
	.text
	.globl _start
_start:
	mov x29, #0
	bl main
	mov x8, #0		/* SYS_exit */
	svc #0
	brk #0
	.section .note.GNU-stack, "", @progbits
