/* start_x86_64.S - a user program's first instructions: the kernel
 * enters here with the stack pointer 16-byte aligned and every register
 * zero; main's result is the exit code. */
	.intel_syntax noprefix
	.text
	.globl _start
_start:
	xor ebp, ebp
	call main
	mov rdi, rax
	xor eax, eax		/* SYS_exit */
	syscall
	ud2
	.section .note.GNU-stack, "", @progbits
