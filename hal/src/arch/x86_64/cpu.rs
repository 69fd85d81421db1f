//! x86_64 CPU tables: GDT with a TSS whose interrupt stacks catch double
//! faults and NMIs on known-good stacks, and the IDT whose exception stubs
//! save every register into a `TrapFrame` and report it.
//!
//! The stubs (global_asm below) push a uniform frame: the error code (0 for
//! vectors without one), the vector, then all general registers; `x86_trap`
//! receives a pointer to it. Exceptions are fatal for now: the report goes
//! to the console and the kernel's panic path ends the machine.

use core::arch::global_asm;
use core::fmt::Write;

/// Registers as the stubs leave them on the stack (lowest address first).
#[repr(C)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

const STACK: usize = 8192;

#[repr(C, align(16))]
struct Stack([u8; STACK]);

static mut DF_STACK: Stack = Stack([0; STACK]);
static mut NMI_STACK: Stack = Stack([0; STACK]);

/// The other CPUs' double-fault and NMI stacks: 4 KiB each, for the
/// HAL_CPUS_MAX - 1 there can be (a double fault's report and the
/// kernel's panic path took 2 KiB of one, measured on QEMU).
const AP_STACK: usize = 4096;

#[repr(C, align(16))]
struct ApStacks {
    df: [u8; AP_STACK],
    nmi: [u8; AP_STACK],
}

const CPUS: usize = crate::ffi::HAL_CPUS_MAX as usize;

static mut AP_STACKS: [ApStacks; CPUS - 1] = [const {
    ApStacks {
        df: [0; AP_STACK],
        nmi: [0; AP_STACK],
    }
}; CPUS - 1];

/// The 64-bit TSS: only the interrupt stack table is used.
#[repr(C, packed)]
struct Tss {
    _r0: u32,
    rsp: [u64; 3],
    _r1: u64,
    ist: [u64; 7],
    _r2: u64,
    _r3: u16,
    iomap: u16,
}

/// null, kernel code (0x08), kernel data (0x10), user data (0x18, used
/// as 0x1b), user code (0x20, used as 0x23), TSS (0x28, two slots). The
/// user pair's order is SYSRET's: SS = STAR.SYSRET + 8, CS = + 16.
const GDT: [u64; 7] = [
    0,
    0x00af_9a00_0000_ffff,
    0x00cf_9200_0000_ffff,
    0x00cf_f200_0000_ffff,
    0x00af_fa00_0000_ffff,
    0,
    0,
];

/// One CPU's GDT and TSS: a TSS is marked busy in the GDT that `ltr`
/// loads it from, so no two CPUs share either.
#[repr(C, align(16))]
struct Tables {
    gdt: [u64; 7],
    tss: Tss,
}

static mut TABLES: [Tables; CPUS] = [const {
    Tables {
        gdt: GDT,
        tss: Tss {
            _r0: 0,
            rsp: [0; 3],
            _r1: 0,
            ist: [0; 7],
            _r2: 0,
            _r3: 0,
            iomap: 104,
        },
    }
}; CPUS];

/// Selectors (with their privilege level).
pub const KERNEL_CS: u64 = 0x08;
/// See KERNEL_CS.
pub const USER_DS: u64 = 0x1b;
/// See KERNEL_CS.
pub const USER_CS: u64 = 0x23;
const TSS_SEL: u64 = 0x28;

/// The stack the CPU switches to when an interrupt or exception arrives
/// in user mode (ring 3 → 0): the running thread's kernel stack. This
/// CPU's TSS.
pub fn set_kernel_stack(top: u64) {
    let cpu = super::smp::cpu_index() as usize;
    // SAFETY: each CPU writes only its own TSS; the field is read by the
    // CPU only on a privilege change, which cannot happen while this runs
    // in ring 0.
    unsafe {
        let tss = core::ptr::addr_of_mut!(TABLES[cpu].tss);
        core::ptr::write_unaligned(core::ptr::addr_of_mut!((*tss).rsp[0]), top);
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Gate {
    off0: u16,
    sel: u16,
    ist: u8,
    attr: u8,
    off1: u16,
    off2: u32,
    _z: u32,
}

static mut IDT: [Gate; 256] = [Gate {
    off0: 0,
    sel: 0,
    ist: 0,
    attr: 0,
    off1: 0,
    off2: 0,
    _z: 0,
}; 256];

#[repr(C, packed)]
struct Pointer {
    limit: u16,
    base: u64,
}

/// The TSS descriptor (16 bytes) for a TSS at `base`.
pub const fn tss_descriptor(base: u64, limit: u32) -> (u64, u64) {
    let low = (limit as u64 & 0xffff)
        | (base & 0xff_ffff) << 16
        | 0x89 << 40 // present, 64-bit TSS (available)
        | ((limit as u64 >> 16) & 0xf) << 48
        | ((base >> 24) & 0xff) << 56;
    (low, base >> 32)
}

/// An interrupt gate to `handler` (kernel code, DPL 0, IST index `ist`).
pub const fn gate(handler: u64, ist: u8) -> (u16, u16, u8, u8, u16, u32) {
    (
        handler as u16,
        0x08,
        ist,
        0x8e,
        (handler >> 16) as u16,
        (handler >> 32) as u32,
    )
}

extern "C" {
    static hal_trap_stubs: [u64; 256];
}

/// Load CPU `cpu`'s GDT (its TSS with double-fault and NMI stacks whose
/// tops are `df` and `nmi`) and the shared IDT; reload every segment
/// register.
///
/// # Safety
/// Once per CPU, on that CPU, interrupts masked; `cpu` is this CPU's
/// index and the stacks are its own.
unsafe fn load(cpu: usize, df: u64, nmi: u64) {
    // SAFETY: the caller's contract: nobody else uses TABLES[cpu] yet.
    unsafe {
        let t = core::ptr::addr_of_mut!(TABLES[cpu]);
        let tss = core::ptr::addr_of_mut!((*t).tss);
        (*tss).ist[0] = df;
        (*tss).ist[1] = nmi;
        let (lo, hi) = tss_descriptor(tss as u64, core::mem::size_of::<Tss>() as u32 - 1);
        let gdt = core::ptr::addr_of_mut!((*t).gdt);
        *gdt = GDT;
        (*gdt)[5] = lo;
        (*gdt)[6] = hi;
        let gp = Pointer {
            limit: (7 * 8 - 1) as u16,
            base: gdt as u64,
        };
        core::arch::asm!(
            "lgdt [{gp}]",
            "push 0x08",
            "lea {tmp}, [rip + 2f]",
            "push {tmp}",
            "retfq",
            "2:",
            "mov {tmp:e}, 0x10",
            "mov ds, {tmp:e}", "mov es, {tmp:e}", "mov ss, {tmp:e}",
            "xor {tmp:e}, {tmp:e}",
            "mov fs, {tmp:e}", "mov gs, {tmp:e}",
            "mov {tmp:e}, {tss}",
            "ltr {tmp:x}",
            gp = in(reg) &gp,
            tmp = out(reg) _,
            tss = const TSS_SEL,
        );
        let ip = Pointer {
            limit: (256 * 16 - 1) as u16,
            base: core::ptr::addr_of!(IDT) as u64,
        };
        core::arch::asm!("lidt [{}]", in(reg) &ip);
    }
}

/// Install the GDT, TSS and IDT on this CPU. Boot CPU, interrupts masked.
pub fn init() {
    // SAFETY: runs once on the boot CPU with interrupts masked, before any
    // other code uses these tables; the addresses taken are of statics.
    unsafe {
        let idt = core::ptr::addr_of_mut!(IDT);
        let stubs = core::ptr::addr_of!(hal_trap_stubs);
        for v in 0..256 {
            let ist = match v {
                8 => 1, // double fault
                2 => 2, // NMI
                _ => 0,
            };
            let (o0, sel, ist, attr, o1, o2) = gate((*stubs)[v], ist);
            (*idt)[v] = Gate {
                off0: o0,
                sel,
                ist,
                attr,
                off1: o1,
                off2: o2,
                _z: 0,
            };
        }
        load(
            0,
            core::ptr::addr_of!(DF_STACK) as u64 + STACK as u64,
            core::ptr::addr_of!(NMI_STACK) as u64 + STACK as u64,
        );
    }
}

/// The same on CPU `cpu` (1 to HAL_CPUS_MAX - 1), just started: its own
/// GDT and TSS, with its own double-fault and NMI stacks, and the IDT the
/// boot CPU built.
///
/// # Safety
/// Once, on CPU `cpu` itself, interrupts masked, after init ran on the
/// boot CPU.
pub unsafe fn ap_init(cpu: usize) {
    // SAFETY: the caller's contract; each CPU has its own AP_STACKS slot.
    unsafe {
        let st = core::ptr::addr_of!(AP_STACKS[cpu - 1]);
        load(
            cpu,
            core::ptr::addr_of!((*st).df) as u64 + AP_STACK as u64,
            core::ptr::addr_of!((*st).nmi) as u64 + AP_STACK as u64,
        );
    }
}

/// The index of the CPU running this, from its GDT: each CPU loads its
/// own GDT, TABLES[index], so the GDTR base names the CPU. SGDT only
/// reads the register (no MSR, no memory-mapped APIC, no exit under a
/// hypervisor), and user code cannot change the GDTR. None while this
/// CPU runs on a GDT other than its TABLES entry (the boot CPU before
/// init).
#[inline(always)]
pub fn index_from_gdt() -> Option<u32> {
    let mut gdtr = [0u8; 10];
    // SAFETY: sgdt stores the 10-byte GDTR into gdtr; no side effects.
    unsafe { core::arch::asm!("sgdt [{}]", in(reg) gdtr.as_mut_ptr(), options(nostack, preserves_flags)) };
    let mut b = [0u8; 8];
    b.copy_from_slice(&gdtr[2..10]);
    let base = u64::from_le_bytes(b);
    let first = core::ptr::addr_of!(TABLES) as u64;
    let size = core::mem::size_of::<Tables>() as u64;
    let off = base.checked_sub(first)?;
    (off % size == 0 && off / size < CPUS as u64).then_some((off / size) as u32)
}

/// Whether this CPU has the IDT init built loaded (IDTR base and limit):
/// every CPU shares it, so every vector's stub is the same everywhere.
pub fn idt_loaded() -> bool {
    let mut idtr = [0u8; 10];
    // SAFETY: sidt stores the 10-byte IDTR into idtr; no side effects.
    unsafe { core::arch::asm!("sidt [{}]", in(reg) idtr.as_mut_ptr(), options(nostack)) };
    let limit = u16::from_le_bytes([idtr[0], idtr[1]]);
    let mut base = [0u8; 8];
    base.copy_from_slice(&idtr[2..10]);
    limit as usize == 256 * 16 - 1 && u64::from_le_bytes(base) == core::ptr::addr_of!(IDT) as u64
}

const NAMES: [&str; 32] = [
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 FP error",
    "alignment check",
    "machine check",
    "SIMD FP error",
    "virtualization",
    "control protection",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "hypervisor injection",
    "VMM communication",
    "security",
    "reserved",
];

/// The names, NUL-terminated for C.
const NAMES_C: [&str; 32] = [
    "divide error\0",
    "debug\0",
    "NMI\0",
    "breakpoint\0",
    "overflow\0",
    "bound range\0",
    "invalid opcode\0",
    "device not available\0",
    "double fault\0",
    "coprocessor overrun\0",
    "invalid TSS\0",
    "segment not present\0",
    "stack fault\0",
    "general protection\0",
    "page fault\0",
    "reserved\0",
    "x87 FP error\0",
    "alignment check\0",
    "machine check\0",
    "SIMD FP error\0",
    "virtualization\0",
    "control protection\0",
    "reserved\0",
    "reserved\0",
    "reserved\0",
    "reserved\0",
    "reserved\0",
    "reserved\0",
    "hypervisor injection\0",
    "VMM communication\0",
    "security\0",
    "reserved\0",
];

/// The name of an exception vector.
pub fn name(vector: u64) -> &'static str {
    NAMES.get(vector as usize).copied().unwrap_or("interrupt")
}

/// The HAL_FAULT_* kind of an exception vector.
fn fault_kind(vector: u64) -> u32 {
    use crate::ffi::*;
    match vector {
        14 => HAL_FAULT_PAGE,
        6 => HAL_FAULT_ILLEGAL,
        13 | 12 | 11 | 10 => HAL_FAULT_PROTECTION,
        0 | 16 | 19 => HAL_FAULT_ARITH,
        17 => HAL_FAULT_ALIGN,
        _ => HAL_FAULT_OTHER,
    }
}

/// For ktest fault.*: take a synchronous exception of `kind` now. Returns
/// -ENODEV for a kind ring 0 cannot take (alignment checks are for ring 3
/// only), -EINVAL for an unknown one; -EFAULT if the exception was taken
/// and this code resumed, which it never should.
pub fn fault_test(kind: u32) -> i32 {
    use crate::ffi::*;
    // SAFETY: each faults on purpose; the trap path never resumes here.
    unsafe {
        match kind {
            HAL_FAULT_PAGE => {
                // mapped on neither arch (ktest.trap reads it too)
                let p = 0x0000_7000_0000_0000u64 as *const u64;
                core::hint::black_box(core::ptr::read_volatile(p));
            }
            HAL_FAULT_ILLEGAL => core::arch::asm!("ud2", options(nomem, nostack)),
            HAL_FAULT_PROTECTION => {
                // not canonical: #GP, not a page fault
                let p = 0x8000_0000_0000_0000u64 as *const u64;
                core::hint::black_box(core::ptr::read_volatile(p));
            }
            HAL_FAULT_ARITH => core::arch::asm!(
                "xor edx, edx", "mov eax, 1", "xor ecx, ecx", "div ecx",
                out("eax") _, out("edx") _, out("ecx") _, options(nomem, nostack)
            ),
            HAL_FAULT_ALIGN => return crate::errno::Errno::ENODEV.to_c(),
            _ => return crate::errno::Errno::EINVAL.to_c(),
        }
    }
    crate::errno::Errno::EFAULT.to_c()
}

/// Called by the stubs with the saved frame. The kernel's IPI goes to its
/// own receive path (ipi.rs: no bus line); other interrupts (vectors 32
/// and up) go to the top half and return; exceptions are reported and end
/// the machine.
#[no_mangle]
extern "C" fn x86_trap(f: &TrapFrame) {
    let from_user = f.cs & 3 == 3;
    let frame = f as *const TrapFrame as *mut core::ffi::c_void;
    if f.vector == super::apic::IPI_VECTOR as u64 {
        super::ipi::receive(from_user, frame);
        return;
    }
    if f.vector >= 32 {
        crate::irq::handle_vector(
            f.vector as u32,
            super::SPURIOUS,
            super::timer_due,
            from_user,
            f.rip,
            frame,
        );
        return;
    }
    let cr2: u64;
    // SAFETY: reading CR2 has no side effects.
    unsafe { core::arch::asm!("mov {}, cr2", out(reg) cr2, options(nomem, nostack)) };
    // NMI, double fault and machine check are the machine's, not the
    // running program's doing: the kernel's path, whatever the CPL
    let addr = if f.vector == 14 { cr2 } else { f.rip };
    let nm: &'static str = NAMES_C[f.vector as usize];
    // Every CPU runs threads (user mode included) and service handlers:
    // a fault in user mode ends that thread's process, on any CPU.
    let cpu = super::smp::cpu_index();
    // a page fault (not a reserved bit set in a table): the kernel may
    // resolve it (copy-on-write), else it is the thread's end
    if from_user && f.vector == 14 && f.error & 0x8 == 0 {
        let access = if f.error & 0x10 != 0 {
            crate::ffi::HAL_FAULT_EXEC
        } else if f.error & 0x2 != 0 {
            crate::ffi::HAL_FAULT_WRITE
        } else {
            0
        };
        if crate::ffi::user_page_fault(14, f.rip, addr, access, nm, frame) {
            return;
        }
    }
    if from_user && !matches!(f.vector, 2 | 8 | 18) {
        crate::ffi::user_fault(fault_kind(f.vector), f.vector as u32, f.rip, addr, nm, frame);
    }
    let mut b = crate::fmt::Buf::<640>::new();
    if cpu != 0 {
        let _ = writeln!(
            b,
            "trap: on cpu {} (local APIC id {:#x})",
            cpu,
            super::apic::this_id()
        );
    }
    let _ = writeln!(
        b,
        "trap: {} (vector {}) at rip {:#x}, error {:#x}, cr2 {:#x}",
        name(f.vector),
        f.vector,
        f.rip,
        f.error,
        cr2
    );
    let _ = writeln!(
        b,
        "trap: rax {:016x} rbx {:016x} rcx {:016x} rdx {:016x}",
        f.rax, f.rbx, f.rcx, f.rdx
    );
    let _ = writeln!(
        b,
        "trap: rsi {:016x} rdi {:016x} rbp {:016x} rsp {:016x}",
        f.rsi, f.rdi, f.rbp, f.rsp
    );
    let _ = writeln!(
        b,
        "trap: r8  {:016x} r9  {:016x} r10 {:016x} r11 {:016x}",
        f.r8, f.r9, f.r10, f.r11
    );
    let _ = writeln!(
        b,
        "trap: r12 {:016x} r13 {:016x} r14 {:016x} r15 {:016x}",
        f.r12, f.r13, f.r14, f.r15
    );
    let _ = writeln!(
        b,
        "trap: cs {:#x} ss {:#x} rflags {:#x}",
        f.cs, f.ss, f.rflags
    );
    crate::ffi::log(b.as_bytes());
    let mut m = crate::fmt::Buf::<128>::new();
    // An overflow of the boot stack: rsp (or the address that faulted)
    // in the guard page. Pushing the page fault's frame there faults
    // again, so it usually arrives as a double fault, on its own stack.
    let overflow = (f.vector == 8 || f.vector == 14)
        && (crate::ffi::in_stack_guard(f.rsp)
            || crate::ffi::in_stack_guard(f.rsp.wrapping_sub(8))
            || (f.vector == 14 && crate::ffi::in_stack_guard(cr2)));
    // A thread's stack: the address that faulted in the stack window
    // (only stacks live there, all mapped: what faults is a guard), or,
    // for a double fault, rsp there (the page fault's frame could not be
    // pushed). A page fault's rsp alone says nothing: any fault taken on
    // a thread's stack has it in the window.
    let thread = match f.vector {
        8 => crate::ffi::in_kstack_window(f.rsp)
            .or_else(|| crate::ffi::in_kstack_window(f.rsp.wrapping_sub(8))),
        14 => crate::ffi::in_kstack_window(cr2),
        _ => None,
    };
    // A fault of the code that was running, not of its stack nor of the
    // machine: if a service's handler was running, that service fails
    // and the kernel goes on (kernel/fault.c); otherwise it is fatal.
    // (each CPU has its own stack of recovery points)
    if !overflow
        && thread.is_none()
        && matches!(f.vector, 0 | 3 | 4 | 5 | 6 | 12 | 13 | 14 | 16 | 17 | 19)
    {
        crate::ffi::kernel_fault_recover(fault_kind(f.vector), f.vector as u32, f.rip, addr, nm);
    }
    if overflow {
        let _ = write!(
            m,
            "trap: kernel stack overflow (rsp {:#x} in the guard page)",
            f.rsp
        );
    } else if let Some(slot) = thread {
        let _ = write!(
            m,
            "trap: kernel thread stack overflow (rsp {:#x} in the guard of stack slot {})",
            f.rsp, slot
        );
    } else {
        let _ = write!(
            m,
            "trap: unexpected {} (vector {})",
            name(f.vector),
            f.vector
        );
    }
    if cpu != 0 {
        let _ = write!(m, " on cpu {}", cpu);
    }
    crate::ffi::trap_to_kernel(m.as_bytes());
}

// The stubs, one per vector (generated by build.rs), and the common path:
// save every general register, call x86_trap, restore, return.
global_asm!(include_str!(concat!(env!("OUT_DIR"), "/x86_stubs.s")));

global_asm!(
    r#"
    .section .text.hal_traps, "ax"
    hal_trap_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    mov rbx, rsp
    and rsp, -16
    cld
    call x86_trap
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16
    iretq
    .text
    "#
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tss_descriptor_encodes_base_and_limit() {
        let (lo, hi) = tss_descriptor(0xffff_ffff_8021_3040, 103);
        assert_eq!(lo & 0xffff, 103);
        assert_eq!((lo >> 16) & 0xff_ffff, 0x21_3040);
        assert_eq!((lo >> 40) & 0xff, 0x89);
        assert_eq!((lo >> 56) & 0xff, 0x80);
        assert_eq!(hi, 0xffff_ffff);
    }

    #[test]
    fn gate_splits_the_handler_address() {
        let (o0, sel, ist, attr, o1, o2) = gate(0xffff_ffff_8020_1230, 1);
        assert_eq!(
            (o0, sel, ist, attr, o1, o2),
            (0x1230, 0x08, 1, 0x8e, 0x8020, 0xffff_ffff)
        );
    }

    #[test]
    fn frame_layout_matches_the_stubs() {
        // 15 registers, vector, error, then the CPU's five words
        assert_eq!(core::mem::size_of::<TrapFrame>(), 22 * 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, vector), 15 * 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, rip), 17 * 8);
    }

    #[test]
    fn exception_names() {
        assert_eq!(name(14), "page fault");
        assert_eq!(name(8), "double fault");
        assert_eq!(name(40), "interrupt");
    }
}
