//! AArch64 exception vectors: each entry saves x0-x30, ELR, SPSR, ESR and
//! FAR into a `TrapFrame` and calls `aarch64_trap`, which reports it.
//! Exceptions are fatal for now (interrupts are routed here too once the
//! HAL's interrupt layer exists).

use core::arch::global_asm;
use core::fmt::Write;

/// Saved state, as the vector code lays it out on the stack.
#[repr(C)]
pub struct TrapFrame {
    pub x: [u64; 31],
    pub elr: u64,
    pub spsr: u64,
    pub esr: u64,
    pub far: u64,
    /// The user stack pointer (saved and restored on every exception, so
    /// each thread's comes back with its own frame).
    pub sp_el0: u64,
}

use crate::esr::class_name;

const KINDS: [&str; 4] = ["synchronous", "IRQ", "FIQ", "SError"];
const FROM: [&str; 4] = ["EL1t", "EL1h", "EL0/64", "EL0/32"];

/// Called by the vectors with the frame and the entry (0..15). Interrupts
/// return (the vector code restores everything and erets); anything else
/// is reported and ends the machine.
#[no_mangle]
extern "C" fn aarch64_trap(f: &mut TrapFrame, entry: u64) {
    if entry == 5 || entry == 1 || entry == 9 {
        let frame = f as *mut TrapFrame as *mut core::ffi::c_void;
        crate::irq::handle(super::timer::rearm, super::ipi::receive, entry == 9, f.elr, frame);
        return;
    }
    if entry == 8 {
        from_user(f);
        return;
    }
    if entry == 11 || entry >= 12 {
        // an SError taken from EL0, or anything from 32-bit EL0 (which
        // no program may run): that thread's end, not the machine's
        let (kind, name) = if entry == 11 {
            (crate::ffi::HAL_FAULT_OTHER, "SError\0")
        } else {
            (crate::ffi::HAL_FAULT_ILLEGAL, "AArch32 exception\0")
        };
        let ec = (f.esr >> 26) as u32 & 0x3f;
        crate::ffi::user_fault(kind, ec, f.elr, f.elr, name, core::ptr::null_mut());
    }
    let kind = KINDS[(entry & 3) as usize];
    let from = FROM[((entry >> 2) & 3) as usize];
    let cpu = OnCpu(super::cpu_index());
    let mut b = crate::fmt::Buf::<900>::new();
    let _ = writeln!(
        b,
        "trap: {} exception from {}{}: {} (ESR {:#x}) at ELR {:#x}, FAR {:#x}",
        kind,
        from,
        cpu,
        class_name(f.esr),
        f.esr,
        f.elr,
        f.far
    );
    for row in 0..8 {
        let _ = write!(b, "trap:");
        for col in 0..4 {
            let r = row * 4 + col;
            if r < 31 {
                let _ = write!(b, " x{:<2} {:016x}", r, f.x[r]);
            }
        }
        let _ = writeln!(b);
    }
    let _ = writeln!(b, "trap: spsr {:#x}", f.spsr);
    crate::ffi::log(b.as_bytes());
    let mut m = crate::fmt::Buf::<128>::new();
    let boot_overflow = entry == 4 && crate::ffi::in_stack_guard(f.far);
    let thread_overflow = (entry == 4 || entry == 5)
        .then(|| crate::ffi::in_kstack_window(f.far))
        .flatten();
    if entry == 4 && !boot_overflow && thread_overflow.is_none() {
        // a fault of the code that was running, not of its stack: if a
        // service's handler was running, that service fails and the
        // kernel goes on (kernel/fault.c); otherwise it is fatal
        if let Some((kind, name, addr)) = kernel_fault_kind(f) {
            crate::ffi::kernel_fault_recover(kind, (f.esr >> 26) as u32 & 0x3f, f.elr, addr, name);
        }
    }
    if boot_overflow {
        let _ = write!(
            m,
            "trap: kernel stack overflow (FAR {:#x} in the guard page)",
            f.far
        );
    } else if let Some(slot) = thread_overflow {
        let _ = write!(
            m,
            "trap: kernel thread stack overflow (FAR {:#x} in the guard of stack slot {})",
            f.far, slot
        );
    } else {
        let _ = write!(
            m,
            "trap: unexpected {} exception from {} ({})",
            kind,
            from,
            class_name(f.esr)
        );
    }
    let _ = write!(m, "{}", cpu);
    crate::ffi::trap_to_kernel(m.as_bytes());
}

/// " on cpu N" in a trap report for a secondary CPU; nothing on the boot
/// CPU (whose reports stay as they were before there were others).
struct OnCpu(u32);

impl core::fmt::Display for OnCpu {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.0 != 0 {
            write!(f, " on cpu {}", self.0)
        } else {
            Ok(())
        }
    }
}

/// A synchronous exception at EL1 that a service handler's code can
/// cause: its kind, name and address; None for the rest (exception
/// classes that are not a fault of the running code).
fn kernel_fault_kind(f: &TrapFrame) -> Option<(u32, &'static str, u64)> {
    use crate::ffi::*;
    let ec = (f.esr >> 26) as u32 & 0x3f;
    let dfsc = f.esr & 0x3f;
    Some(match ec {
        0x25 if dfsc == 0x21 => (HAL_FAULT_ALIGN, "alignment fault\0", f.far),
        0x25 => (HAL_FAULT_PAGE, "data abort\0", f.far),
        0x21 => (HAL_FAULT_PAGE, "instruction abort\0", f.far),
        0x22 => (HAL_FAULT_ALIGN, "PC alignment fault\0", f.far),
        0x26 => (HAL_FAULT_ALIGN, "SP alignment fault\0", f.elr),
        0x00 | 0x0e => (HAL_FAULT_ILLEGAL, "undefined instruction\0", f.elr),
        0x18 => (HAL_FAULT_ILLEGAL, "trapped system instruction\0", f.elr),
        0x2c => (HAL_FAULT_ARITH, "floating-point exception\0", f.elr),
        0x3c => (HAL_FAULT_OTHER, "breakpoint\0", f.elr),
        _ => return None,
    })
}

/// For ktest fault.*: take a synchronous exception of `kind` now. Returns
/// -ENODEV for a kind AArch64 does not raise at EL1 (integer division by
/// zero gives 0, addresses have no canonical form), -EINVAL for an
/// unknown one; -EFAULT if this code resumed, which it never should.
pub fn fault_test(kind: u32) -> i32 {
    use crate::errno::Errno;
    use crate::ffi::*;
    static WORDS: [u64; 2] = [0; 2];
    // SAFETY: each faults on purpose; the trap path never resumes here.
    unsafe {
        match kind {
            HAL_FAULT_PAGE => {
                // mapped on neither arch (ktest.trap reads it too)
                let p = 0x0000_7000_0000_0000u64 as *const u64;
                core::hint::black_box(core::ptr::read_volatile(p));
            }
            HAL_FAULT_ILLEGAL => core::arch::asm!("udf #0", options(nomem, nostack)),
            HAL_FAULT_ALIGN => {
                // exclusive loads must be aligned whatever SCTLR_EL1.A says
                let p = (core::ptr::addr_of!(WORDS) as u64) + 1;
                core::arch::asm!("ldxr {v}, [{p}]", "clrex", p = in(reg) p,
                                 v = out(reg) _, options(nostack));
            }
            HAL_FAULT_PROTECTION | HAL_FAULT_ARITH => return Errno::ENODEV.to_c(),
            _ => return Errno::EINVAL.to_c(),
        }
    }
    Errno::EFAULT.to_c()
}

/// A synchronous exception from EL0: a system call (SVC), or a fault that
/// ends the thread's process.
fn from_user(f: &mut TrapFrame) {
    use crate::ffi::*;
    let ec = (f.esr >> 26) as u32 & 0x3f;
    if ec == 0x15 {
        let mut s = HalSyscall {
            nr: f.x[8],
            args: [f.x[0], f.x[1], f.x[2], f.x[3], f.x[4], f.x[5]],
            pc: f.elr,
            sp: f.sp_el0,
            ret: 0,
            frame: f as *mut TrapFrame as *mut core::ffi::c_void,
        };
        // SAFETY: unmasking IRQs here is fine: the frame is saved, and an
        // interrupt taken now nests on this kernel stack.
        unsafe { core::arch::asm!("msr daifclr, #2", options(nomem, nostack)) };
        crate::ffi::syscall(&mut s);
        // SAFETY: masked again before the vector restores ELR/SPSR.
        unsafe { core::arch::asm!("msr daifset, #2", options(nomem, nostack)) };
        f.x[0] = s.ret as u64;
        return;
    }
    let (kind, name): (u32, &'static str) = match ec {
        0x20 => (HAL_FAULT_PAGE, "instruction abort\0"),
        0x24 => (HAL_FAULT_PAGE, "data abort\0"),
        0x22 => (HAL_FAULT_ALIGN, "PC alignment fault\0"),
        0x26 => (HAL_FAULT_ALIGN, "SP alignment fault\0"),
        0x00 | 0x0e => (HAL_FAULT_ILLEGAL, "undefined instruction\0"),
        0x18 | 0x01 => (HAL_FAULT_ILLEGAL, "trapped system instruction\0"),
        0x2c => (HAL_FAULT_ARITH, "floating-point exception\0"),
        0x3c => (HAL_FAULT_OTHER, "breakpoint\0"),
        _ => (HAL_FAULT_OTHER, "exception\0"),
    };
    let addr = if matches!(ec, 0x20 | 0x24 | 0x22) {
        f.far
    } else {
        f.elr
    };
    // an abort that is a translation, access-flag or permission fault:
    // the kernel may resolve it (a write, WnR and not a cache operation,
    // to a copy-on-write page), else it is the thread's end
    let iss = f.esr & 0x1ff_ffff;
    let fsc = iss & 0x3f;
    if matches!(ec, 0x20 | 0x24) && (0x04..=0x0f).contains(&fsc) {
        let access = if ec == 0x20 {
            HAL_FAULT_EXEC
        } else if iss & (1 << 6) != 0 && iss & (1 << 8) == 0 {
            HAL_FAULT_WRITE
        } else {
            0
        };
        let frame = f as *mut TrapFrame as *mut core::ffi::c_void;
        if crate::ffi::user_page_fault(ec, f.elr, addr, access, name, frame) {
            return;
        }
    }
    let frame = f as *mut TrapFrame as *mut core::ffi::c_void;
    crate::ffi::user_fault(kind, ec, f.elr, addr, name, frame);
}

/// Point VBAR_EL1 at the table. Boot CPU.
pub fn init() {
    extern "C" {
        static hal_vectors: u8;
    }
    // SAFETY: hal_vectors is the 2 KiB-aligned table below; setting VBAR
    // only changes where exceptions go.
    unsafe {
        core::arch::asm!("msr vbar_el1, {}", "isb",
                         in(reg) core::ptr::addr_of!(hal_vectors), options(nostack));
    }
}

global_asm!(
    r#"
    .macro hal_vent n
    .balign 0x80
    .if \n == 4
    // A synchronous exception at EL1h with SP in the boot stack's guard
    // page, or close enough above it that the 816-byte frame reaches it
    // (a stack overflow), would fault again while saving it, forever:
    // take it on the overflow stack instead. SP anywhere in the guard or
    // the page above it counts (every EL1h synchronous exception is
    // fatal today, so one taken legitimately deep in the stack loses
    // nothing by the switch). TPIDRRO_EL0 holds x0 meanwhile and is
    // cleared after (EL0 can read it; TPIDR_EL1 is the CPU's index).
    // A thread's stack (the window of HAL_KSTACK_BASE, 16 MiB) counts
    // too: its guard lies right below it.
    msr tpidrro_el0, x0
    ldr x0, =__stack_guard
    sub x0, sp, x0
    cmp x0, #2, lsl #12
    b.lo 2f
    ldr x0, =0xffffffff00000000
    sub x0, sp, x0
    lsr x0, x0, #24
    cbnz x0, 1f
2:  ldr x0, =hal_overflow_stack_top
    mov sp, x0
1:  mrs x0, tpidrro_el0
    msr tpidrro_el0, xzr
    .endif
    sub sp, sp, #816
    stp x0, x1, [sp, #0]
    mov x0, #\n
    b hal_vector_common
    .endm

    .section .text.hal_vectors, "ax"
    .balign 0x800
    .globl hal_vectors
    hal_vectors:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    hal_vent \n
    .endr
    .ltorg

    hal_vector_common:
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    str x30, [sp, #240]
    mrs x2, elr_el1
    mrs x3, spsr_el1
    stp x2, x3, [sp, #248]
    mrs x2, esr_el1
    mrs x3, far_el1
    stp x2, x3, [sp, #264]
    mrs x2, sp_el0
    str x2, [sp, #280]
    add x9, sp, #288
    stp q0, q1, [x9, #0]
    stp q2, q3, [x9, #32]
    stp q4, q5, [x9, #64]
    stp q6, q7, [x9, #96]
    stp q8, q9, [x9, #128]
    stp q10, q11, [x9, #160]
    stp q12, q13, [x9, #192]
    stp q14, q15, [x9, #224]
    stp q16, q17, [x9, #256]
    stp q18, q19, [x9, #288]
    stp q20, q21, [x9, #320]
    stp q22, q23, [x9, #352]
    stp q24, q25, [x9, #384]
    stp q26, q27, [x9, #416]
    stp q28, q29, [x9, #448]
    stp q30, q31, [x9, #480]
    mrs x10, fpcr
    mrs x11, fpsr
    str x10, [sp, #800]
    str x11, [sp, #808]
    mov x1, x0
    mov x0, sp
    bl aarch64_trap
    ldr x10, [sp, #800]
    ldr x11, [sp, #808]
    msr fpcr, x10
    msr fpsr, x11
    add x9, sp, #288
    ldp q0, q1, [x9, #0]
    ldp q2, q3, [x9, #32]
    ldp q4, q5, [x9, #64]
    ldp q6, q7, [x9, #96]
    ldp q8, q9, [x9, #128]
    ldp q10, q11, [x9, #160]
    ldp q12, q13, [x9, #192]
    ldp q14, q15, [x9, #224]
    ldp q16, q17, [x9, #256]
    ldp q18, q19, [x9, #288]
    ldp q20, q21, [x9, #320]
    ldp q22, q23, [x9, #352]
    ldp q24, q25, [x9, #384]
    ldp q26, q27, [x9, #416]
    ldp q28, q29, [x9, #448]
    ldp q30, q31, [x9, #480]
    ldr x2, [sp, #280]
    msr sp_el0, x2
    ldp x2, x3, [sp, #248]
    msr elr_el1, x2
    msr spsr_el1, x3
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    ldp x0, x1, [sp, #0]
    add sp, sp, #816
    eret
    .section .bss.hal_overflow_stack, "aw", @nobits
    .balign 16
    hal_overflow_stack:
    .skip 8192
    hal_overflow_stack_top:
    .text
    "#
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_layout_matches_the_vectors() {
        assert_eq!(core::mem::offset_of!(TrapFrame, elr), 248);
        assert_eq!(core::mem::offset_of!(TrapFrame, esr), 264);
        assert_eq!(core::mem::offset_of!(TrapFrame, sp_el0), 280);
        assert!(core::mem::size_of::<TrapFrame>() <= 288); // FP regs follow
    }
}
