//! x86_64 user mode: entering ring 3, the SYSCALL entry, and faults and
//! interrupts that arrive from ring 3.
//!
//! SYSCALL (EFER.SCE) jumps to `hal_syscall_entry` with the user's rip in
//! rcx and rflags in r11, interrupts masked (FMASK) and the user's stack
//! still loaded: the entry swaps to the running thread's kernel stack
//! (its CPU's `PerCpu.kstack_top`, which `set_kernel_stack` keeps equal
//! to that CPU's TSS.rsp0), saves
//! the call's registers as a `SysFrame`, and calls `x86_syscall` with
//! interrupts on again. The return restores them (rax the result) and
//! leaves by SYSRET. Nothing of the kernel's stays in a register: the
//! caller-saved ones come back as the user left them, the callee-saved
//! ones were kept by the C and Rust code in between.

use core::sync::atomic::{AtomicU64, Ordering};

/// What the SYSCALL entry needs of its CPU, found through GS: each CPU's
/// IA32_KERNEL_GS_BASE points at its own. The entry's SWAPGS makes it
/// GS's base for the few instructions that switch stacks, and a second
/// SWAPGS gives the user's GS base back before anything else runs
/// (interrupts are masked by FMASK meanwhile; the NMI path uses no GS).
/// So the kernel never depends on GS, and user code, which may load any
/// GS selector but cannot write the MSR, cannot reach another CPU's.
#[repr(C, align(64))]
struct PerCpu {
    /// The running thread's kernel stack top (offset 0).
    kstack_top: AtomicU64,
    /// The user's rsp while the entry swaps stacks (offset 8).
    user_rsp: AtomicU64,
}

static PER_CPU: [PerCpu; crate::ffi::HAL_CPUS_MAX as usize] = [const {
    PerCpu {
        kstack_top: AtomicU64::new(0),
        user_rsp: AtomicU64::new(0),
    }
}; crate::ffi::HAL_CPUS_MAX as usize];

const MSR_KERNEL_GS_BASE: u32 = 0xc000_0102;

fn this_cpu() -> &'static PerCpu {
    let i = super::smp::cpu_index() as usize;
    &PER_CPU[if i < PER_CPU.len() { i } else { 0 }]
}

const MSR_EFER: u32 = 0xc000_0080;
const MSR_STAR: u32 = 0xc000_0081;
const MSR_LSTAR: u32 = 0xc000_0082;
const MSR_FMASK: u32 = 0xc000_0084;

/// Registers as the entry leaves them (lowest address first): the
/// callee-saved ones too, so that a system call's whole register file
/// can be copied (fork: hal_syscall_regs).
#[repr(C)]
pub struct SysFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub rbp: u64,
    pub rbx: u64,
    pub r9: u64,
    pub r8: u64,
    pub r10: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rax: u64,
    pub rcx: u64,
    pub r11: u64,
    pub rsp: u64,
}

/// The first address that is not canonical in the lower half: SYSRET to
/// it (or beyond) would fault in ring 0.
pub const USER_TOP: u64 = 0x0000_8000_0000_0000;

unsafe fn wrmsr(msr: u32, v: u64) {
    // SAFETY: the caller names an architectural MSR and a valid value.
    unsafe {
        core::arch::asm!("wrmsr", in("ecx") msr, in("eax") v as u32, in("edx") (v >> 32) as u32,
                         options(nomem, nostack))
    };
}

unsafe fn rdmsr(msr: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: as wrmsr.
    unsafe {
        core::arch::asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack))
    };
    (hi as u64) << 32 | lo as u64
}

extern "C" {
    fn hal_syscall_entry();
    fn hal_user_enter_asm(pc: u64, sp: u64, arg: u64, ktop: u64) -> !;
    fn hal_user_resume_asm(r: *const crate::ffi::HalUserRegs, ktop: u64) -> !;
}

/// Indexes into HalUserRegs (ffi.rs): rax, rbx, rcx, rdx, rsi, rdi, rbp,
/// r8..r15, rsp, rip, rflags.
pub(crate) const REG_RET: usize = 0;
pub(crate) const REG_SP: usize = 15;
pub(crate) const REG_PC: usize = 16;

/// The whole register file of the system call whose frame `s` names.
pub fn syscall_regs(s: &crate::ffi::HalSyscall, out: &mut crate::ffi::HalUserRegs) {
    // SAFETY: the frame is the entry's, alive for the call (ffi.rs).
    let f = unsafe { &*(s.frame as *const SysFrame) };
    out.r = [0; 36];
    let r = &mut out.r;
    (r[0], r[1], r[2], r[3], r[4], r[5], r[6]) = (f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp);
    (r[7], r[8], r[9], r[10], r[11]) = (f.r8, f.r9, f.r10, f.r11, f.r12);
    (r[12], r[13], r[14], r[15], r[16], r[17]) = (f.r13, f.r14, f.r15, f.rsp, f.rcx, f.r11);
    // the caller's x87/SSE registers are live: the kernel uses none
    #[repr(C, align(16))]
    struct Image([u64; 64]);
    let mut img = Image([0; 64]);
    // SAFETY: img is 16-byte aligned and 512 bytes.
    unsafe { core::arch::asm!("fxsave64 [{}]", in(reg) img.0.as_mut_ptr(), options(nostack)) };
    out.fp[..64].copy_from_slice(&img.0);
}

/// The user register file an interrupt from ring 3 saved in `frame` (the
/// trap stubs' TrapFrame), its x87/SSE registers the live ones.
///
/// # Safety
/// `frame` is the stubs' frame of an interrupt from ring 3, still live.
pub unsafe fn trap_regs(frame: *const core::ffi::c_void, out: &mut crate::ffi::HalUserRegs) {
    // SAFETY: the caller's contract.
    let f = unsafe { &*(frame as *const super::cpu::TrapFrame) };
    out.r = [0; 36];
    let r = &mut out.r;
    (r[0], r[1], r[2], r[3], r[4], r[5], r[6]) = (f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp);
    (r[7], r[8], r[9], r[10], r[11]) = (f.r8, f.r9, f.r10, f.r11, f.r12);
    (r[12], r[13], r[14], r[15], r[16], r[17]) = (f.r13, f.r14, f.r15, f.rsp, f.rip, f.rflags);
    #[repr(C, align(16))]
    struct Image([u64; 64]);
    let mut img = Image([0; 64]);
    // SAFETY: img is 16-byte aligned and 512 bytes.
    unsafe { core::arch::asm!("fxsave64 [{}]", in(reg) img.0.as_mut_ptr(), options(nostack)) };
    out.fp[..64].copy_from_slice(&img.0);
}

/// Enter ring 3 with the register file `r` on the kernel stack `ktop`.
///
/// # Safety
/// As enter; r's rip and rsp were checked (ffi.rs).
pub unsafe fn resume(r: &crate::ffi::HalUserRegs, ktop: u64) -> ! {
    set_kernel_stack(ktop);
    // SAFETY: the caller's contract.
    unsafe { hal_user_resume_asm(r, ktop) }
}

/// Turn SYSCALL on for this CPU (each CPU, after its own GDT): its
/// PerCpu behind IA32_KERNEL_GS_BASE.
pub fn init() {
    // SAFETY: the MSRs are architectural; STAR's selectors match the GDT
    // (kernel CS 0x08, SS 0x10; SYSRET's base 0x10: SS 0x1b, CS 0x23).
    unsafe {
        wrmsr(MSR_KERNEL_GS_BASE, this_cpu() as *const PerCpu as u64);
        wrmsr(MSR_STAR, (0x10u64 << 48) | (super::cpu::KERNEL_CS << 32));
        wrmsr(MSR_LSTAR, hal_syscall_entry as *const () as usize as u64);
        // IF, TF, DF, NT, AC cleared on entry (NT left set would make
        // the kernel's next iretq fault)
        wrmsr(MSR_FMASK, 0x0004_4700);
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);
        // x87, MMX and SSE for user programs (Linux's x86_64 programs
        // use SSE everywhere): CR0.EM and TS clear, MP set; CR4.OSFXSR
        // (FXSAVE and SSE) and OSXMMEXCPT (SSE exceptions as #XM). Each
        // thread has its own registers: the context switch saves and
        // restores them (ctx.rs, FXSAVE); the kernel and the HAL use none.
        let (cr0, cr4): (u64, u64);
        core::arch::asm!("mov {}, cr0", out(reg) cr0, options(nomem, nostack));
        core::arch::asm!("mov cr0, {}", in(reg) (cr0 & !(1 << 2 | 1 << 3)) | 1 << 1,
                         options(nomem, nostack));
        core::arch::asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack));
        core::arch::asm!("mov cr4, {}", in(reg) cr4 | 1 << 9 | 1 << 10, options(nomem, nostack));
    }
}

/// The kernel stack for traps and system calls from user mode.
pub fn set_kernel_stack(top: u64) {
    this_cpu().kstack_top.store(top, Ordering::Relaxed);
    super::cpu::set_kernel_stack(top);
}

/// Enter ring 3 at `pc` with stack `sp` and `arg` in rdi, on a clean
/// register file; traps come back on the kernel stack `ktop`.
///
/// # Safety
/// The active address space must map `pc` and `sp` for user mode, and
/// `ktop` must be the top of the calling thread's kernel stack.
pub unsafe fn enter(pc: u64, sp: u64, arg: u64, ktop: u64) -> ! {
    set_kernel_stack(ktop);
    // SAFETY: the caller's contract.
    unsafe { hal_user_enter_asm(pc, sp, arg, ktop) }
}

/// Called by the entry with interrupts on.
#[no_mangle]
extern "C" fn x86_syscall(f: &mut SysFrame) {
    let mut s = crate::ffi::HalSyscall {
        nr: f.rax,
        args: [f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9],
        pc: f.rcx,
        sp: f.rsp,
        ret: 0,
        frame: f as *mut SysFrame as *mut core::ffi::c_void,
    };
    crate::ffi::syscall(&mut s);
    f.rax = s.ret as u64;
    if f.rcx >= USER_TOP {
        // a SYSCALL at the very top of the user range: its return
        // address is not canonical, and SYSRET would fault in ring 0
        crate::ffi::user_fault(
            crate::ffi::HAL_FAULT_PROTECTION,
            13,
            f.rcx,
            f.rcx,
            "general protection\0",
            core::ptr::null_mut(),
        );
    }
}

core::arch::global_asm!(
    r#"
    .section .text.hal_user, "ax"
    .globl hal_syscall_entry
    hal_syscall_entry:
    swapgs
    mov gs:[8], rsp
    mov rsp, gs:[0]
    push qword ptr gs:[8]
    swapgs
    push r11
    push rcx
    push rax
    push rdi
    push rsi
    push rdx
    push r10
    push r8
    push r9
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    cld
    sti
    call x86_syscall
    cli
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    pop r9
    pop r8
    pop r10
    pop rdx
    pop rsi
    pop rdi
    pop rax
    pop rcx
    pop r11
    pop rsp
    sysretq

    .globl hal_user_resume_asm
    hal_user_resume_asm:
    fxrstor64 [rdi + 36*8]
    mov rsp, rsi
    push {uds}
    push qword ptr [rdi + 15*8]
    mov rax, [rdi + 17*8]
    and rax, 0x240dd5
    or rax, 0x202
    push rax
    push {ucs}
    push qword ptr [rdi + 16*8]
    mov rax, [rdi + 0*8]
    mov rbx, [rdi + 1*8]
    mov rcx, [rdi + 2*8]
    mov rdx, [rdi + 3*8]
    mov rsi, [rdi + 4*8]
    mov rbp, [rdi + 6*8]
    mov r8, [rdi + 7*8]
    mov r9, [rdi + 8*8]
    mov r10, [rdi + 9*8]
    mov r11, [rdi + 10*8]
    mov r12, [rdi + 11*8]
    mov r13, [rdi + 12*8]
    mov r14, [rdi + 13*8]
    mov r15, [rdi + 14*8]
    mov rdi, [rdi + 5*8]
    iretq

    .globl hal_user_enter_asm
    hal_user_enter_asm:
    mov rsp, rcx
    push 0
    popfq
    push {uds}
    push rsi
    push 0x202
    push {ucs}
    push rdi
    mov rdi, rdx
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    iretq
    .text
    "#,
    uds = const super::cpu::USER_DS,
    ucs = const super::cpu::USER_CS,
);
