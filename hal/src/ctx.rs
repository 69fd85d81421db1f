//! Context switch: the HAL primitive the scheduler builds threads on.
//!
//! A context is what a suspended kernel thread leaves behind: its stack
//! pointer. Switching pushes the callee-saved registers (the System V
//! and AAPCS64 ones; on AArch64 also d8-d15, which Rust code may use) on
//! the outgoing stack, stores the stack pointer, loads the incoming one
//! and pops its registers. Everything else a thread has is either on its
//! stack or caller-saved, so the switch costs a few dozen instructions.
//!
//! A new thread's stack is laid out by `init` as if it had switched away
//! just before a small trampoline that calls `entry(arg)`; `entry` must
//! never return (the kernel's thread start routine ends in the thread's
//! exit, which switches away for good). The trampoline traps if it does.

use crate::errno::{Errno, HalResult};

/// Bytes `init` puts on a new stack: six registers, the trampoline's
/// return slot, and two spare words so the trampoline calls the entry on
/// a 16-byte aligned stack. (A user thread's x87/SSE registers are the
/// scheduler's to keep: hal_fpu_save, kernel threads use none.)
#[cfg(target_arch = "x86_64")]
pub(crate) const FRAME: usize = 9 * 8;
/// See FRAME: x19-x30 (12), d8-d15 (8) and TPIDR_EL0 (the user's thread
/// pointer, so each thread keeps its own), 16-byte aligned.
#[cfg(target_arch = "aarch64")]
pub(crate) const FRAME: usize = 22 * 8;

/// The smallest stack `init` accepts.
pub(crate) const STACK_MIN: usize = 1024;

#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".text",
    ".global aegis_ctx_switch",
    ".type aegis_ctx_switch, @function",
    // rdi: where to store the outgoing sp; rsi: the incoming sp
    "aegis_ctx_switch:",
    "push rbp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "mov [rdi], rsp",
    "mov rsp, rsi",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".size aegis_ctx_switch, . - aegis_ctx_switch",
    // a new thread's first return lands here: rbx = entry, r12 = arg
    ".global aegis_ctx_start",
    "aegis_ctx_start:",
    "mov rdi, r12",
    "call rbx",
    "ud2",
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".text",
    ".global aegis_ctx_switch",
    ".type aegis_ctx_switch, %function",
    // x0: where to store the outgoing sp; x1: the incoming sp
    "aegis_ctx_switch:",
    "sub sp, sp, #176",
    "stp x19, x20, [sp, #0]",
    "stp x21, x22, [sp, #16]",
    "stp x23, x24, [sp, #32]",
    "stp x25, x26, [sp, #48]",
    "stp x27, x28, [sp, #64]",
    "stp x29, x30, [sp, #80]",
    "stp d8, d9, [sp, #96]",
    "stp d10, d11, [sp, #112]",
    "stp d12, d13, [sp, #128]",
    "stp d14, d15, [sp, #144]",
    "mrs x9, tpidr_el0",
    "str x9, [sp, #160]",
    "mov x9, sp",
    "str x9, [x0]",
    "mov sp, x1",
    "ldp x19, x20, [sp, #0]",
    "ldp x21, x22, [sp, #16]",
    "ldp x23, x24, [sp, #32]",
    "ldp x25, x26, [sp, #48]",
    "ldp x27, x28, [sp, #64]",
    "ldp x29, x30, [sp, #80]",
    "ldp d8, d9, [sp, #96]",
    "ldp d10, d11, [sp, #112]",
    "ldp d12, d13, [sp, #128]",
    "ldp d14, d15, [sp, #144]",
    "ldr x9, [sp, #160]",
    "msr tpidr_el0, x9",
    "add sp, sp, #176",
    "ret",
    ".size aegis_ctx_switch, . - aegis_ctx_switch",
    // a new thread's first return lands here: x19 = entry, x20 = arg
    ".global aegis_ctx_start",
    "aegis_ctx_start:",
    "mov x0, x20",
    "blr x19",
    "brk #0",
);

extern "C" {
    fn aegis_ctx_switch(save: *mut u64, load: u64);
    fn aegis_ctx_start();
}

/// Suspend the running context (its stack pointer to `*save`) and resume
/// the one whose stack pointer is `load`.
///
/// # Safety
/// `save` must be writable; `load` must be a stack pointer left by `init`
/// or by an earlier switch away from a context that has not run since,
/// on a stack that is still allocated.
pub(crate) unsafe fn switch(save: *mut u64, load: u64) {
    // SAFETY: the caller's contract is the assembly's.
    unsafe { aegis_ctx_switch(save, load) }
}

/// Lay out a new context on the stack `lo..hi` that will call
/// `entry(arg)`; returns its stack pointer. EINVAL for a stack that is
/// empty, reversed, smaller than STACK_MIN, or not 16-byte aligned.
///
/// # Safety
/// `lo..hi` must be writable memory that nothing else uses.
pub(crate) unsafe fn init(lo: u64, hi: u64, entry: extern "C" fn(u64), arg: u64) -> HalResult<u64> {
    if lo == 0 || hi <= lo || hi - lo < STACK_MIN as u64 || lo % 16 != 0 || hi % 16 != 0 {
        return Err(Errno::EINVAL);
    }
    let mut frame = [0u64; FRAME / 8];
    #[cfg(target_arch = "x86_64")]
    {
        // popped in order r15, r14, r13, r12, rbx, rbp, then ret: after
        // the ret rsp is hi - 16 (aligned), so the trampoline's call
        // enters the entry with rsp = 8 mod 16 as the ABI wants
        frame[3] = arg; // r12
        frame[4] = entry as *const () as usize as u64; // rbx
        frame[6] = aegis_ctx_start as *const () as usize as u64; // return address
    }
    #[cfg(target_arch = "aarch64")]
    {
        frame[0] = entry as *const () as usize as u64; // x19
        frame[1] = arg; // x20
        frame[11] = aegis_ctx_start as *const () as usize as u64; // x30
    }
    let sp = hi - FRAME as u64;
    // SAFETY: sp..hi lies inside the stack the caller gave us.
    unsafe { core::ptr::copy_nonoverlapping(frame.as_ptr(), sp as *mut u64, frame.len()) };
    Ok(sp)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use std::cell::UnsafeCell;

    struct Ctx {
        main: UnsafeCell<u64>,
        thread: UnsafeCell<u64>,
        log: UnsafeCell<Vec<u64>>,
    }
    // SAFETY: one OS thread runs both contexts in turn.
    unsafe impl Sync for Ctx {}

    static CTX: Ctx = Ctx {
        main: UnsafeCell::new(0),
        thread: UnsafeCell::new(0),
        log: UnsafeCell::new(Vec::new()),
    };

    extern "C" fn body(arg: u64) {
        for i in 0..3 {
            // SAFETY: the contexts take turns; nothing runs concurrently.
            unsafe {
                (*CTX.log.get()).push(arg + i);
                switch(CTX.thread.get(), *CTX.main.get());
            }
        }
        loop {
            // SAFETY: as above; never resumed after the test ends
            unsafe { switch(CTX.thread.get(), *CTX.main.get()) };
        }
    }

    #[repr(align(16))]
    struct Stack([u8; 16384]);

    #[test]
    fn switches_there_and_back_keeping_registers() {
        let mut stack = Box::new(Stack([0; 16384]));
        let lo = stack.0.as_mut_ptr() as u64;
        let hi = lo + 16384;
        // SAFETY: the stack is ours and outlives the context.
        unsafe {
            *CTX.thread.get() = init(lo, hi, body, 100).unwrap();
            let mut kept = 0u64;
            for round in 0..3u64 {
                kept += round * 7; // live across the switch
                switch(CTX.main.get(), *CTX.thread.get());
                assert_eq!((*CTX.log.get()).len() as u64, round + 1);
            }
            assert_eq!(kept, 21);
            assert_eq!(*CTX.log.get(), vec![100, 101, 102]);
        }
        drop(stack);
    }

    #[repr(align(16))]
    struct Area([u8; crate::ffi::HAL_FPU_AREA as usize]);

    /// xmm0 now, in one piece of assembly.
    fn xmm0() -> u64 {
        let v: u64;
        // SAFETY: reads a register.
        unsafe { core::arch::asm!("movq {}, xmm0", out(reg) v, options(nomem, nostack)) };
        v
    }

    /// Sets xmm0, saves the registers, sets it again, restores them and
    /// reads it, all in one piece of assembly (nothing of the
    /// compiler's in between).
    fn save_set_restore(first: u64, second: u64, area: &mut Area) -> u64 {
        let seen: u64;
        // SAFETY: area is 512 bytes, 16-byte aligned: FXSAVE's.
        unsafe {
            core::arch::asm!(
                "movq xmm0, {a}",
                "fxsave64 [{p}]",
                "movq xmm0, {b}",
                "fxrstor64 [{p}]",
                "movq {o}, xmm0",
                a = in(reg) first, b = in(reg) second, p = in(reg) area.0.as_mut_ptr(),
                o = lateout(reg) seen, out("xmm0") _, options(nostack),
            );
        }
        seen
    }

    #[test]
    fn a_threads_sse_registers_come_back_from_its_area() {
        let mut area = Area([0; crate::ffi::HAL_FPU_AREA as usize]);
        // what hal_fpu_save and hal_fpu_restore run
        assert_eq!(save_set_restore(0x7777, 0x1111, &mut area), 0x7777);
        // hal_fpu_init: every exception masked (FCW 0x37f, MXCSR 0x1f80)
        // SAFETY: area is an FPU area.
        unsafe { crate::ffi::hal_fpu_init(area.0.as_mut_ptr()) };
        assert_eq!(u16::from_le_bytes([area.0[0], area.0[1]]), 0x037f);
        assert_eq!(u32::from_le_bytes([area.0[24], area.0[25], area.0[26], area.0[27]]), 0x1f80);
        // and restoring it is what a new thread starts with: xmm0 zero
        // SAFETY: as above.
        unsafe { crate::ffi::hal_fpu_restore(area.0.as_ptr()) };
        assert_eq!(xmm0(), 0);
    }

    #[test]
    fn refuses_bad_stacks() {
        // SAFETY: refused before anything is written.
        unsafe {
            assert_eq!(init(0, 4096, body, 0), Err(Errno::EINVAL));
            assert_eq!(init(4096, 4096, body, 0), Err(Errno::EINVAL));
            assert_eq!(init(4096, 4096 + 512, body, 0), Err(Errno::EINVAL));
            assert_eq!(init(4100, 8192, body, 0), Err(Errno::EINVAL));
        }
    }
}
