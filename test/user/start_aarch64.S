/* start_aarch64.S - a user program's first instructions: the kernel
 * enters here at EL0 with SP_EL0 16-byte aligned and every register
 * zero; main's result is the exit code. _thread_start: the same for
 * the other threads of a program. */
	.text
	.globl _start
_start:
	mov x29, #0
	bl main
	mov x8, #0		/* SYS_exit */
	svc #0
	brk #0

/* A thread's first instructions (thread_create in ulib.c): the kernel
 * enters with its argument in x0 and SP_EL0 16-byte aligned. */
	.globl _thread_start
_thread_start:
	mov x29, #0
	bl thread_main
	brk #0
	.section .note.GNU-stack, "", @progbits
