//! Recovery points: how a fault in a service's handler returns to the bus
//! instead of ending the machine.
//!
//! `hal_jmp_set` is setjmp for the kernel: it saves the callee-saved
//! registers, the stack pointer, the return address and the interrupt
//! mask into a `HalJmp` and returns 0. `hal_jmp_go` is the matching
//! longjmp: it puts them back and returns 1 from that `hal_jmp_set` a
//! second time. The kernel calls `hal_jmp_set` right before it runs a
//! handler (kernel/fault.c); when a synchronous exception is taken in
//! kernel mode, the trap code asks the kernel for the innermost recovery
//! point (`kernel_fault`) and, if there is one, goes to it. The exception
//! frame is abandoned where it lies (on the faulting stack, or AArch64's
//! overflow stack); the interrupt mask comes back as it was at
//! `hal_jmp_set`, so leaving the exception this way needs no iretq/eret.
//!
//! Both are assembly with the C calling convention: C calls them
//! directly, because a setjmp wrapped in another function would save a
//! frame that is gone by the time it is used.

/// Saved by `hal_jmp_set`: x86_64 uses rbx, rbp, r12-r15, rsp, rip and
/// rflags (9 words); AArch64 x19-x30, sp, DAIF and d8-d15 (22 words).
#[repr(C)]
pub struct HalJmp {
    /// The registers, in the order the assembly below stores them.
    pub regs: [u64; 22],
}

extern "C" {
    /// Save the caller's registers, stack pointer and interrupt mask in
    /// `j` and return 0; return again with 1 when `hal_jmp_go(j)` runs,
    /// which must happen while the caller's frame is live. Any context.
    /// Declare it `__attribute__((returns_twice))` in C (kernel/fault.c).
    pub fn hal_jmp_set(j: *mut HalJmp) -> i32;
    /// Go back to `j`'s `hal_jmp_set`, which returns 1 there. From the
    /// trap path, or code deeper on the same stack as that call.
    pub fn hal_jmp_go(j: *const HalJmp) -> !;
}

#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".text",
    ".global hal_jmp_set",
    ".type hal_jmp_set, @function",
    // rdi: the HalJmp
    "hal_jmp_set:",
    "mov [rdi], rbx",
    "mov [rdi + 8], rbp",
    "mov [rdi + 16], r12",
    "mov [rdi + 24], r13",
    "mov [rdi + 32], r14",
    "mov [rdi + 40], r15",
    "lea rax, [rsp + 8]", // the caller's rsp once this returns
    "mov [rdi + 48], rax",
    "mov rax, [rsp]", // where it returns to
    "mov [rdi + 56], rax",
    "pushfq",
    "pop rax",
    "mov [rdi + 64], rax",
    "xor eax, eax",
    "ret",
    ".size hal_jmp_set, . - hal_jmp_set",
    ".global hal_jmp_go",
    ".type hal_jmp_go, @function",
    "hal_jmp_go:",
    "mov rbx, [rdi]",
    "mov rbp, [rdi + 8]",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "mov rsp, [rdi + 48]",
    "mov rdx, [rdi + 56]",
    "push qword ptr [rdi + 64]",
    "popfq", // the interrupt flag as it was
    "mov eax, 1",
    "jmp rdx",
    ".size hal_jmp_go, . - hal_jmp_go",
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".text",
    ".global hal_jmp_set",
    ".type hal_jmp_set, %function",
    // x0: the HalJmp
    "hal_jmp_set:",
    "stp x19, x20, [x0, #0]",
    "stp x21, x22, [x0, #16]",
    "stp x23, x24, [x0, #32]",
    "stp x25, x26, [x0, #48]",
    "stp x27, x28, [x0, #64]",
    "stp x29, x30, [x0, #80]",
    "mov x9, sp",
    "mrs x10, daif",
    "stp x9, x10, [x0, #96]",
    "stp d8, d9, [x0, #112]",
    "stp d10, d11, [x0, #128]",
    "stp d12, d13, [x0, #144]",
    "stp d14, d15, [x0, #160]",
    "mov x0, #0",
    "ret",
    ".size hal_jmp_set, . - hal_jmp_set",
    ".global hal_jmp_go",
    ".type hal_jmp_go, %function",
    "hal_jmp_go:",
    "ldp x19, x20, [x0, #0]",
    "ldp x21, x22, [x0, #16]",
    "ldp x23, x24, [x0, #32]",
    "ldp x25, x26, [x0, #48]",
    "ldp x27, x28, [x0, #64]",
    "ldp x29, x30, [x0, #80]",
    "ldp x9, x10, [x0, #96]",
    "mov sp, x9",
    "ldp d8, d9, [x0, #112]",
    "ldp d10, d11, [x0, #128]",
    "ldp d12, d13, [x0, #144]",
    "ldp d14, d15, [x0, #160]",
    "msr daif, x10", // the interrupt mask as it was
    "mov x0, #1",
    "ret",
    ".size hal_jmp_go, . - hal_jmp_go",
);

#[cfg(test)]
mod tests {
    use super::{hal_jmp_go, hal_jmp_set, HalJmp};

    #[inline(never)]
    fn go_from_deeper(j: *const HalJmp, depth: u32) {
        if depth == 0 {
            // SAFETY: j was set by a frame that is still live (the test's).
            unsafe { hal_jmp_go(j) }
        }
        go_from_deeper(j, depth - 1);
        core::hint::black_box(depth);
    }

    #[test]
    fn go_returns_a_second_time_from_set_with_one() {
        let mut j = HalJmp { regs: [0; 22] };
        let mut times = 0u32;
        let times_p: *mut u32 = core::hint::black_box(&mut times);
        // SAFETY: j outlives both the set and the go; this frame stays
        // live while go runs (go is called from deeper frames of it).
        let rc = unsafe { hal_jmp_set(&mut j) };
        // SAFETY: a raw pointer, so the compiler keeps no copy of times in
        // a register across the second return.
        let n = unsafe {
            *times_p += 1;
            core::ptr::read_volatile(times_p)
        };
        if rc == 0 {
            assert_eq!(n, 1);
            go_from_deeper(&j, 5);
            unreachable!("hal_jmp_go returned");
        }
        assert_eq!(rc, 1);
        assert_eq!(n, 2);
    }
}
