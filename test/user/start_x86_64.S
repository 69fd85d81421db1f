/* start_x86_64.S - a user program's first instructions: the kernel
 * enters here with the stack pointer 16-byte aligned and every register
 * zero; main's result is the exit code. _thread_start: the same for
 * the other threads of a program. */
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

/* A thread's first instructions (thread_create in ulib.c): the kernel
 * enters with its argument in rdi and the stack 16-byte aligned. */
	.globl _thread_start
_thread_start:
	xor ebp, ebp
	call thread_main
	ud2
	.section .note.GNU-stack, "", @progbits
