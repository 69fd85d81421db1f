//! Starting the other CPUs (hal_cpu_start): PSCI CPU_ON sends a CPU to
//! `hal_ap_entry` at its physical address, with the physical address of
//! the start block in x0 (the context id). From there, with the MMU and
//! caches off, it goes from the exception level the firmware gave it
//! (EL2 or EL1) to EL1, takes the boot CPU's translation and system
//! registers from the block, turns the MMU on, moves up to the kernel's
//! addresses and calls the kernel's smp_ap_entry(index) on its own stack.
//!
//! The block is one for all CPUs: a start is refused (-EBUSY) until the
//! CPU started before it has read it and reached smp_ap_entry.
//! docs/SMP_AARCH64.md says what a started CPU has and has not.

use core::mem::offset_of;
use core::sync::atomic::{AtomicU64, Ordering};

use super::psci;
use crate::errno::Errno;

/// What a starting CPU takes from the boot CPU. It reads the block with
/// its MMU and caches off (so the boot CPU cleans it to the point of
/// coherency first) and in pairs (`ldp`: the order of the fields below
/// is the entry code's).
#[repr(C, align(64))]
struct ApBoot {
    mair: AtomicU64,
    tcr: AtomicU64,
    ttbr0: AtomicU64,
    ttbr1: AtomicU64,
    sctlr: AtomicU64,
    vbar: AtomicU64,
    cpacr: AtomicU64,
    /// The root of the identity map the CPU turns its MMU on with
    /// (IDMAP's physical address).
    idmap: AtomicU64,
    stack_top: AtomicU64,
    index: AtomicU64,
    /// Nonzero from a start until that CPU reaches the kernel; written
    /// by the started CPU with its MMU on (never read by the entry code).
    busy: AtomicU64,
}

const _: () = {
    // the pairs the entry code loads with ldp
    assert!(offset_of!(ApBoot, tcr) == offset_of!(ApBoot, mair) + 8);
    assert!(offset_of!(ApBoot, ttbr1) == offset_of!(ApBoot, ttbr0) + 8);
    assert!(offset_of!(ApBoot, vbar) == offset_of!(ApBoot, sctlr) + 8);
    assert!(offset_of!(ApBoot, idmap) == offset_of!(ApBoot, cpacr) + 8);
    assert!(offset_of!(ApBoot, index) == offset_of!(ApBoot, stack_top) + 8);
};

static AP: ApBoot = ApBoot {
    mair: AtomicU64::new(0),
    tcr: AtomicU64::new(0),
    ttbr0: AtomicU64::new(0),
    ttbr1: AtomicU64::new(0),
    sctlr: AtomicU64::new(0),
    vbar: AtomicU64::new(0),
    cpacr: AtomicU64::new(0),
    idmap: AtomicU64::new(0),
    stack_top: AtomicU64::new(0),
    index: AtomicU64::new(0),
    busy: AtomicU64::new(0),
};

/// A level-1 table (the root of a 39-bit space, 1 GiB an entry).
#[repr(C, align(4096))]
struct Table([AtomicU64; 512]);

/// The starting CPU's TTBR0 while it turns its MMU on: the GiB of
/// physical memory that holds the entry code, mapped 1:1, read-only and
/// executable (the kernel's own TTBR0 maps only devices, so the
/// instruction after the MMU comes on would fault there). Only the
/// entry code runs through it; the CPU switches to the boot CPU's TTBR0
/// once it runs at the kernel's addresses.
static IDMAP: Table = Table([const { AtomicU64::new(0) }; 512]);

const GIB: u64 = 1 << 30;

fn phys<T>(p: *const T) -> u64 {
    p as u64 - super::DIRECT_MAP_OFFSET
}

/// Clean the lines of `[p, p + len)` to the point of coherency, so that
/// a CPU reading memory with its caches off sees what this one wrote.
fn clean_to_poc(p: u64, len: u64) {
    let ctr: u64;
    // SAFETY: CTR_EL0 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack)) };
    let line = 4u64 << ((ctr >> 16) & 0xf); // DminLine: log2 of words
    let mut a = p & !(line - 1);
    while a < p + len {
        // SAFETY: a clean writes back a line of memory the kernel maps;
        // it changes no value.
        unsafe { core::arch::asm!("dc cvac, {}", in(reg) a, options(nostack)) };
        a += line;
    }
    // SAFETY: a barrier only.
    unsafe { core::arch::asm!("dsb sy", options(nostack)) };
}

macro_rules! sysreg {
    ($name:literal) => {{
        let v: u64;
        // SAFETY: reading an EL1 system register has no side effect.
        unsafe {
            core::arch::asm!(concat!("mrs {}, ", $name), out(reg) v, options(nomem, nostack))
        };
        v
    }};
}

extern "C" {
    /// The entry code below (at its link address; CPU_ON gets its
    /// physical one).
    fn hal_ap_entry();
    static hal_ap_entry_end: u8;
    /// Where a started CPU enters the kernel (kernel/smp.c, aegis/smp.h).
    fn smp_ap_entry(index: u32) -> !;
}

/// Start CPU `index` (MPIDR affinity `hw_id`) on the stack `stack_top`.
/// The arguments are checked by hal_cpu_start.
pub fn cpu_start(index: u32, hw_id: u64, stack_top: u64) -> Result<(), Errno> {
    if !psci::conduit_known() {
        return Err(Errno::ENODEV);
    }
    let entry = phys(hal_ap_entry as *const ());
    let entry_end = phys(core::ptr::addr_of!(hal_ap_entry_end));
    // the identity map is one level-1 table: 512 GiB of physical space
    if entry_end >= 512 * GIB {
        return Err(Errno::ENODEV);
    }
    if AP
        .busy
        .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return Err(Errno::EBUSY);
    }
    use crate::mmu::{Format, PROT_EXEC, PROT_READ};
    let mut g = entry & !(GIB - 1);
    while g <= entry_end {
        IDMAP.0[(g / GIB) as usize].store(
            crate::mmu::Arm::block(g, PROT_READ | PROT_EXEC, 1),
            Ordering::Relaxed,
        );
        g += GIB;
    }
    AP.mair.store(sysreg!("mair_el1"), Ordering::Relaxed);
    AP.tcr.store(sysreg!("tcr_el1"), Ordering::Relaxed);
    // the kernel's own (empty) lower half, not whichever user space this
    // CPU has loaded
    let ttbr0 = super::KERNEL_TTBR0.load(Ordering::Relaxed);
    AP.ttbr0.store(if ttbr0 != 0 { ttbr0 } else { sysreg!("ttbr0_el1") }, Ordering::Relaxed);
    AP.ttbr1.store(sysreg!("ttbr1_el1"), Ordering::Relaxed);
    AP.sctlr.store(sysreg!("sctlr_el1"), Ordering::Relaxed);
    AP.vbar.store(sysreg!("vbar_el1"), Ordering::Relaxed);
    AP.cpacr.store(sysreg!("cpacr_el1"), Ordering::Relaxed);
    AP.idmap.store(phys(&IDMAP), Ordering::Relaxed);
    AP.stack_top.store(stack_top, Ordering::Relaxed);
    AP.index.store(index as u64, Ordering::Relaxed);
    super::ipi::note_start(index, hw_id);
    clean_to_poc(&IDMAP as *const Table as u64, core::mem::size_of::<Table>() as u64);
    clean_to_poc(&AP as *const ApBoot as u64, core::mem::size_of::<ApBoot>() as u64);
    let r = psci::cpu_on(hw_id, entry, phys(&AP));
    let r = match r {
        None => Err(Errno::ENODEV),
        Some(code) => crate::psci::cpu_on_result(code).inspect_err(|_| refused(hw_id, code)),
    };
    if r.is_err() {
        // the CPU will not read the block
        AP.busy.store(0, Ordering::Release);
    }
    r
}

/// Say what the firmware answered a CPU_ON.
fn refused(hw_id: u64, code: i64) {
    use core::fmt::Write;
    let mut b = crate::fmt::Buf::<96>::new();
    let _ = match crate::psci::ret_name(code) {
        Some(n) => writeln!(b, "hal: psci: CPU_ON {:#x}: {}", hw_id, n),
        None => writeln!(b, "hal: psci: CPU_ON {:#x}: error {}", hw_id, code),
    };
    crate::ffi::log(b.as_bytes());
}

/// Where a started CPU enters Rust: at the kernel's addresses, on its
/// stack, with its vectors and index set. Never returns.
extern "C" fn ap_main(index: u64) -> ! {
    super::cpu_local_init();
    // everything the block held is in this CPU's registers now
    AP.busy.store(0, Ordering::Release);
    // SAFETY: this CPU is in the state hal_cpu_start promises (EL1, the
    // kernel's address space, its vectors and index, interrupts masked,
    // on the stack it was given); smp_ap_entry never returns.
    unsafe { smp_ap_entry(index as u32) }
}

core::arch::global_asm!(
    r#"
    .section .text.hal_ap_entry, "ax"
    .balign 8
    .globl hal_ap_entry
    hal_ap_entry:
    // x0: the start block's physical address. MMU and caches off, at
    // EL2 or EL1 (the highest the firmware gives the OS); every load
    // below is PC-relative until the MMU is on.
    msr daifset, #0xf
    mrs x1, CurrentEL
    cmp x1, #(2 << 2)
    b.ne 1f

    // EL2, as the boot CPU's entry sets it (boot/aarch64/entry.S): EL1
    // runs AArch64, untrapped, with the counters and timers, FP/SIMD and
    // the GICv3 system registers; the virtual counter unshifted.
    mov x1, #(1 << 31)              // HCR_EL2.RW
    msr hcr_el2, x1
    mov x1, #3                      // CNTHCTL_EL2: EL1PCTEN | EL1PCEN
    msr cnthctl_el2, x1
    msr cntvoff_el2, xzr
    mov x1, #0x33ff                 // CPTR_EL2: no FP/SIMD traps
    msr cptr_el2, x1
    msr hstr_el2, xzr
    // EL1 reads these instead of MIDR_EL1/MPIDR_EL1: the real ones
    mrs x1, midr_el1
    msr vpidr_el2, x1
    mrs x1, mpidr_el1
    msr vmpidr_el2, x1
    mrs x1, id_aa64pfr0_el1
    ubfx x1, x1, #24, #4            // GIC system registers?
    cbz x1, 2f
    mrs x1, S3_4_C12_C9_5           // ICC_SRE_EL2
    mov x2, #0x9                    // SRE | Enable
    orr x1, x1, x2
    msr S3_4_C12_C9_5, x1
    isb
    msr S3_4_C12_C11_0, xzr         // ICH_HCR_EL2
2:  mov x1, #0x3c5                  // EL1h, D A I F masked
    msr spsr_el2, x1
    adr x1, 1f
    msr elr_el2, x1
    eret

1:  // EL1, MMU off. A known SCTLR_EL1 first (its RES1 bits,
    // little-endian, MMU and caches off): the block's loads depend on it.
    ldr x1, =0x30d00800
    msr sctlr_el1, x1
    isb
    ldp x1, x2, [x0, #{mair}]       // MAIR, TCR
    ldp x3, x4, [x0, #{ttbr0}]      // TTBR0, TTBR1
    ldp x5, x6, [x0, #{sctlr}]      // SCTLR, VBAR
    ldp x7, x8, [x0, #{cpacr}]      // CPACR, the identity map
    ldp x9, x10, [x0, #{stack}]     // stack top, index
    msr cpacr_el1, x7
    msr mair_el1, x1
    msr tcr_el1, x2
    msr ttbr0_el1, x8
    msr ttbr1_el1, x4
    msr vbar_el1, x6
    msr tpidr_el1, x10              // hal_cpu_index()
    mov sp, x9
    isb
    tlbi vmalle1
    dsb nsh
    isb
    msr sctlr_el1, x5               // the MMU and caches on
    isb
    ldr x11, =3f
    br x11
3:  // at the kernel's addresses (TTBR1): the boot CPU's TTBR0 now
    msr ttbr0_el1, x3
    isb
    tlbi vmalle1
    dsb nsh
    isb
    mov x0, x10
    bl {main}
4:  wfi
    b 4b
    .ltorg
    .globl hal_ap_entry_end
    hal_ap_entry_end:
    .text
    "#,
    mair = const offset_of!(ApBoot, mair),
    ttbr0 = const offset_of!(ApBoot, ttbr0),
    sctlr = const offset_of!(ApBoot, sctlr),
    cpacr = const offset_of!(ApBoot, cpacr),
    stack = const offset_of!(ApBoot, stack_top),
    main = sym ap_main,
);
