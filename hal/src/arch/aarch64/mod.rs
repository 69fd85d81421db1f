//! AArch64: PL011 UART (base from the device tree), the generic timer's
//! virtual counter, wfi, PSCI (also to start the other CPUs: smp.rs)
//! and semihosting.

mod gicv2;
mod gicv3;
mod ipi;
mod pl011;
mod psci;
mod semihosting;
mod smp;
pub mod timer;
pub mod vectors;

use core::sync::atomic::{AtomicUsize, Ordering};

/// NUL-terminated for `hal_arch_name`.
pub const NAME: &str = "aarch64\0";
/// The ELF machine number of programs this CPU runs (EM_AARCH64).
pub(crate) const ELF_MACHINE: u16 = 183;

/// The direct map: physical memory at the bottom of TTBR1's 39-bit
/// region, where the image is linked too (kernel.ld's KERNEL_VMA).
pub(crate) const DIRECT_MAP_OFFSET: u64 = 0xffff_ff80_0000_0000;
/// See DIRECT_MAP_OFFSET.
pub(crate) const DIRECT_MAP_LIMIT: u64 = 1 << 32;

static UART_BASE: AtomicUsize = AtomicUsize::new(0);

/// The address the kernel reaches device registers at physical `pa`
/// through: the direct map (device memory there: the boot tables' first
/// GiB, and every block the kernel's own tables do not call RAM), never
/// TTBR0, which is the user's.
fn device(pa: u64) -> usize {
    (pa + DIRECT_MAP_OFFSET) as usize
}

pub fn console_init(base: u64) -> Result<(), ()> {
    if base == 0 || base >= DEVICE_LIMIT {
        return Err(());
    }
    pl011::init(device(base));
    UART_BASE.store(device(base), Ordering::Release);
    Ok(())
}

pub fn console_describe() -> &'static str {
    "pl011, 115200 8N1"
}

pub fn console_putc(c: u8) {
    let base = UART_BASE.load(Ordering::Acquire);
    if base != 0 {
        pl011::putc(base, c);
    }
}

pub fn exit(code: u32) -> ! {
    semihosting::exit(code);
    halt()
}

pub fn poweroff() -> ! {
    psci::system_off();
    halt()
}

/// Reset the machine: PSCI SYSTEM_RESET; halt if the firmware refuses.
pub fn reboot() -> ! {
    psci::system_reset();
    halt()
}

pub fn halt() -> ! {
    loop {
        // SAFETY: masking interrupts and waiting only stop this CPU.
        unsafe { core::arch::asm!("msr daifset, #0xf", "wfi", options(nomem, nostack)) };
    }
}

pub fn idle() {
    // SAFETY: wfi only waits.
    unsafe { core::arch::asm!("wfi", options(nomem, nostack)) };
}

pub fn idle_unmask() {
    // SAFETY: wfi returns when an interrupt is pending even while PSTATE.I
    // masks it; unmasking then takes it. The vectors handle IRQs.
    unsafe { core::arch::asm!("wfi", "msr daifclr, #2", "isb", options(nomem, nostack)) };
}

pub fn cycles() -> u64 {
    let v: u64;
    // SAFETY: CNTVCT_EL0 is readable at EL1; isb orders the read.
    unsafe { core::arch::asm!("isb", "mrs {}, cntvct_el0", out(reg) v, options(nomem, nostack)) };
    v
}

pub fn cycles_per_sec() -> u64 {
    let f: u64;
    // SAFETY: CNTFRQ_EL0 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, cntfrq_el0", out(reg) f, options(nomem, nostack)) };
    f
}

pub fn irq_init(
    kind: u32,
    base: u64,
    base2: u64,
) -> Result<&'static crate::irq::IrqChip, crate::errno::Errno> {
    let chip: &'static crate::irq::IrqChip = match kind {
        2 => &gicv2::CHIP,
        3 => &gicv3::CHIP,
        _ => return Err(crate::errno::Errno::ENODEV),
    };
    if base >= DEVICE_LIMIT || base2 >= DEVICE_LIMIT {
        return Err(crate::errno::Errno::ENODEV);
    }
    let at = |pa: u64| if pa != 0 { device(pa) } else { 0 };
    (chip.init)(at(base), at(base2))?;
    ipi::boot_init(kind, chip);
    Ok(chip)
}

/// Set up this (secondary) CPU's side of the GIC for the IPI
/// (hal_cpu_irq_init): ipi.rs.
pub fn cpu_irq_init() -> Result<(), crate::errno::Errno> {
    ipi::cpu_irq_init()
}

/// Send the kernel's IPI to CPU `index` (hal_ipi_send): ipi.rs.
pub fn ipi_send(index: u32) -> Result<(), crate::errno::Errno> {
    ipi::send(index)
}

/// The interrupt id of the console UART: the device tree gives the
/// INTID itself.
pub fn uart_irq_id(intid: u32) -> Option<u32> {
    if intid >= 32 && intid < 1020 {
        Some(intid)
    } else {
        None
    }
}

/// Let the console UART interrupt on receive; false without a UART.
pub fn console_rx_enable() -> bool {
    let base = UART_BASE.load(Ordering::Acquire);
    if base == 0 {
        return false;
    }
    pl011::rx_enable(base);
    true
}

/// After the console's line is unmasked: nothing to do, the PL011's
/// interrupt is level-triggered (pending again while data waits).
pub fn console_rx_rearm() {}

/// One byte from the console UART, if one is waiting.
pub fn console_getc() -> Option<u8> {
    let base = UART_BASE.load(Ordering::Acquire);
    if base != 0 {
        pl011::getc(base)
    } else {
        None
    }
}

pub fn timer_start(hz: u32) {
    timer::start(hz);
}

/// A secondary CPU's own timer (hal_cpu_timer_start): its banked PPI
/// enabled in its own GIC frame (GICv2 banked distributor registers,
/// GICv3 its redistributor), then its virtual timer at the boot CPU's
/// rate.
pub fn cpu_timer_start() -> Result<(), crate::errno::Errno> {
    use core::sync::atomic::Ordering::Relaxed;
    let id = crate::irq::TIMER_ID.load(Relaxed);
    let chip = crate::irq::chip().ok_or(crate::errno::Errno::ENODEV)?;
    if id >= 32 {
        return Err(crate::errno::Errno::ENODEV); // not a per-CPU PPI
    }
    (chip.enable)(id);
    timer::start_this_cpu()
}

pub fn timer_id(platform: u32) -> u32 {
    platform
}

pub fn irq_cpu_enable(on: bool) -> bool {
    // SAFETY: changes only this CPU's IRQ mask.
    unsafe {
        if on {
            core::arch::asm!("msr daifclr, #2", options(nomem, nostack));
        } else {
            core::arch::asm!("msr daifset, #2", options(nomem, nostack));
        }
    }
    true
}

/// Whether IRQs are unmasked on this CPU (DAIF.I clear).
pub fn irq_cpu_enabled() -> bool {
    let d: u64;
    // SAFETY: reading DAIF has no side effects.
    unsafe { core::arch::asm!("mrs {}, daif", out(reg) d, options(nomem, nostack)) };
    d & (1 << 7) == 0
}

pub use vectors::fault_test;

pub fn cpu_init() {
    vectors::init();
    // SAFETY: TPIDR_EL1 holds this CPU's index (cpu_index); the boot
    // CPU is 0.
    unsafe { core::arch::asm!("msr tpidr_el1, xzr", options(nomem, nostack)) };
    cpu_local_init();
}

/// What every CPU sets for itself once it runs at EL1 with its vectors
/// (the boot CPU in cpu_init, the others in smp::ap_main).
fn cpu_local_init() {
    // EL0 gets no access to the counters or the timers (its reset value
    // is UNKNOWN): user programs ask the kernel (the cycles call).
    // TPIDRRO_EL0, which EL0 can read, is the vectors' scratch register:
    // it starts at 0 and they leave it 0.
    // SAFETY: writing CNTKCTL_EL1 only changes what EL0 may reach;
    // TPIDRRO_EL0 holds nothing of the kernel's.
    unsafe {
        core::arch::asm!("msr cntkctl_el1, xzr", "msr tpidrro_el0, xzr", "isb",
                         options(nomem, nostack))
    };
}

/// Start a secondary CPU (hal_cpu_start): PSCI CPU_ON at the entry code
/// in smp.rs.
pub fn cpu_start(index: u32, hw_id: u64, stack_top: u64) -> Result<(), crate::errno::Errno> {
    smp::cpu_start(index, hw_id, stack_top)
}

/// This CPU's index: TPIDR_EL1, which cpu_init (0) or the secondary
/// entry (the index it was started as) set and nothing else writes.
pub fn cpu_index() -> u32 {
    let v: u64;
    // SAFETY: TPIDR_EL1 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, tpidr_el1", out(reg) v, options(nomem, nostack)) };
    v as u32
}

/// MPIDR_EL1's affinity fields (Aff3, Aff2:Aff1:Aff0), as a device
/// tree's cpu `reg` gives them.
pub fn cpu_hw_id() -> u64 {
    let v: u64;
    // SAFETY: MPIDR_EL1 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, mpidr_el1", out(reg) v, options(nomem, nostack)) };
    crate::psci::affinity(v)
}

pub fn cpu_caps() -> u64 {
    let pfr0: u64;
    // SAFETY: ID_AA64PFR0_EL1 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, id_aa64pfr0_el1", out(reg) pfr0, options(nomem, nostack)) };
    crate::caps::decode_pfr0(pfr0)
}

pub fn set_psci_conduit(smc: bool) -> bool {
    psci::set_conduit(smc);
    true
}

/// Page tables: stage 1, 4 KiB granule, 39-bit VA in both halves (three
/// levels from an L1 table). User address spaces are TTBR0 roots of
/// their own, sharing nothing: their range is the whole of TTBR0's 512
/// GiB, from HAL_USER_FLOOR. The kernel is in TTBR1 (devices included,
/// in the direct map); its own TTBR0 root is empty.
pub type Fmt = crate::mmu::Arm;
/// See Fmt.
pub(crate) const KERNEL_SHARE: &[usize] = &[];
/// See Fmt.
pub(crate) const USER_ENTRIES: (usize, usize) = (0, 512);

/// The active root table (TTBR0_EL1's address).
pub fn mmu_root() -> u64 {
    let t: u64;
    // SAFETY: TTBR0_EL1 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, ttbr0_el1", out(reg) t, options(nomem, nostack)) };
    t & 0x0000_ffff_ffff_f000
}

/// Switch TTBR0_EL1 to `root` and drop this CPU's stale translations
/// (only its own: no other CPU changed tables; changes to tables are
/// broadcast by mmu_flush_range when they happen).
pub fn mmu_activate(root: u64) {
    // SAFETY: TTBR0 holds only the lower half (a user's space, or the
    // kernel's empty root): the kernel runs from TTBR1; TLB maintenance.
    unsafe {
        core::arch::asm!(
            "dsb ishst",
            "msr ttbr0_el1, {}",
            "isb",
            "tlbi vmalle1",
            "dsb nsh",
            "isb",
            in(reg) root,
            options(nostack)
        );
    }
}

/// Make new descriptors in the active tables visible to the table walker
/// (mapping needs no TLB flush: nothing stale can be cached for an
/// address that was not mapped).
pub fn mmu_sync() {
    // SAFETY: barriers only.
    unsafe { core::arch::asm!("dsb ishst", "isb", options(nostack)) };
}

/// Drop the translation of the page at `va`, in every ASID (kernel
/// mappings: one page, not the whole TLB).
pub fn mmu_flush_page(va: u64) {
    // SAFETY: TLB maintenance only.
    unsafe {
        core::arch::asm!(
            "dsb ishst",
            "tlbi vaae1is, {}",
            "dsb ish",
            "isb",
            in(reg) (va >> 12) & 0x0000_0fff_ffff_ffff,
            options(nostack)
        )
    };
}

/// AArch64's inner-shareable TLBI forms reach every CPU: the kernel need
/// not ask the others (ffi::hal_tlb_remote).
pub(crate) const TLB_REMOTE: bool = false;

/// After `n` pages from `va` in `root` changed: their translations
/// dropped on every CPU, whichever has `root` active (no ASIDs: by VA in
/// all of them), page by page up to 32, else the whole TLB.
pub fn mmu_flush_range(_root: u64, va: u64, n: u64) {
    if n > 32 {
        mmu_flush();
        return;
    }
    for k in 0..n {
        mmu_flush_page(va + k * crate::mmu::PAGE);
    }
}

/// Drop stale translations (every CPU's: broadcast).
pub fn mmu_flush() {
    // SAFETY: TLB maintenance only.
    unsafe {
        core::arch::asm!(
            "dsb ishst",
            "tlbi vmalle1is",
            "dsb ish",
            "isb",
            options(nostack)
        )
    };
}

/// AArch64 always has execute-never bits.
pub fn mmu_nx_enable() -> bool {
    true
}

/// The kernel lives in TTBR1; TTBR0 gets a root of its own (empty: the
/// lower half is the user's).
pub(crate) const SEPARATE_LOW_HALF: bool = true;

/// The kernel's own TTBR0 root (empty), once mmu_kernel_activate has run:
/// what a CPU that starts gets in TTBR0.
pub(crate) static KERNEL_TTBR0: core::sync::atomic::AtomicU64 =
    core::sync::atomic::AtomicU64::new(0);

/// Switch to the kernel's address space: `root` in TTBR1 and the empty
/// lower half `low` in TTBR0.
///
/// TTBR1 is what the kernel runs from, and the new tables map the same
/// addresses with smaller pages than the boot tables' 1 GiB blocks: both
/// must never be live at once (a TLB conflict, which real CPUs may raise
/// and QEMU does not). So the swap runs from the boot identity map in
/// TTBR0: TTBR1 walks off (TCR_EL1.EPD1), the TLB emptied, the new root
/// in, walks on, and back up to the link address. Interrupts are masked
/// (boot, before hal_irq_init's unmasking).
pub fn mmu_kernel_activate(root: u64, low: Option<u64>) {
    extern "C" {
        fn hal_swap_ttbr1(root: u64);
    }
    let swap = hal_swap_ttbr1 as *const () as u64 - DIRECT_MAP_OFFSET;
    // SAFETY: hal_swap_ttbr1 touches no memory and no stack; called at
    // its physical address, which the boot identity map in TTBR0 maps
    // executable; it returns to the link address through the new root,
    // which maps the running image.
    unsafe {
        core::arch::asm!("dsb ishst", "blr {f}", f = in(reg) swap, in("x0") root,
                         out("x1") _, out("x2") _, out("x30") _, options(nostack));
    }
    if let Some(l) = low {
        KERNEL_TTBR0.store(l, Ordering::Relaxed);
        mmu_activate(l);
    } else {
        mmu_flush();
    }
}

core::arch::global_asm!(
    r#"
    .section .text.hal_swap_ttbr1, "ax"
    .globl hal_swap_ttbr1
    hal_swap_ttbr1:
    mrs x1, tcr_el1
    orr x2, x1, #(1 << 23)
    msr tcr_el1, x2
    isb
    tlbi vmalle1
    dsb nsh
    isb
    msr ttbr1_el1, x0
    isb
    msr tcr_el1, x1
    isb
    ret
    .text
    "#
);

/// The root that translates `va`: TTBR1's for the upper half, TTBR0's
/// for the lower.
pub fn mmu_root_for(va: u64) -> u64 {
    if va >> 63 == 0 {
        return mmu_root();
    }
    let t: u64;
    // SAFETY: TTBR1_EL1 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, ttbr1_el1", out(reg) t, options(nomem, nostack)) };
    t & 0x0000_ffff_ffff_f000
}
/// The table level of 2 MiB blocks.
pub(crate) const BLOCK_LEVEL: u32 = 1;

/// The device window: QEMU virt's (and the kernel's identity map's) first
/// GiB holds the devices; above it is RAM, mapped cacheable.
const DEVICE_LIMIT: u64 = 1 << 30;

/// The time of day from a real-time clock of `kind` at `base`: a PL031's
/// data register counts seconds since 1970.
pub fn rtc_read(kind: u32, base: u64) -> crate::errno::HalResult<u64> {
    match kind {
        crate::rtc::KIND_PL031 if base != 0 && base & 3 == 0 && base + 4 <= DEVICE_LIMIT => {
            // SAFETY: the device tree bound a PL031 at base, a physical
            // address in the low GiB, which the direct map holds as device
            // memory; register 0 (RTCDR) is a read-only 32-bit word.
            let dr = unsafe { crate::mmio::Reg::<crate::mmio::Ro>::at(device(base), 0) };
            Ok(dr.read() as u64)
        }
        crate::rtc::KIND_PL031 => Err(crate::errno::Errno::EINVAL),
        crate::rtc::KIND_MC146818 => Err(crate::errno::Errno::ENODEV),
        _ => Err(crate::errno::Errno::EINVAL),
    }
}

/// Traps from EL0 land on SP_EL1 as it was at the return to EL0, which
/// user_enter sets: nothing to keep here.
pub fn set_kernel_stack(_top: u64) {}

/// The user's thread pointer is TPIDR_EL0, which a program writes itself
/// and the context switch keeps per thread (ctx.rs): nothing to do.
pub fn user_tls_set(_v: u64) {}

core::arch::global_asm!(
    r#"
    .section .text.hal_user, "ax"
    .globl hal_user_resume_asm
    hal_user_resume_asm:
    msr daifset, #0xf
    mov sp, x1
    add x9, x0, #36*8
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
    add x9, x9, #512
    ldp x10, x11, [x9]
    msr fpcr, x10
    msr fpsr, x11
    ldr x2, [x0, #31*8]
    msr sp_el0, x2
    ldr x2, [x0, #32*8]
    msr elr_el1, x2
    ldr x2, [x0, #33*8]
    and x2, x2, #0xf0000000
    msr spsr_el1, x2
    ldr x2, [x0, #34*8]
    msr tpidr_el0, x2
    ldp x2, x3, [x0, #16]
    ldp x4, x5, [x0, #32]
    ldp x6, x7, [x0, #48]
    ldp x8, x9, [x0, #64]
    ldp x10, x11, [x0, #80]
    ldp x12, x13, [x0, #96]
    ldp x14, x15, [x0, #112]
    ldp x16, x17, [x0, #128]
    ldp x18, x19, [x0, #144]
    ldp x20, x21, [x0, #160]
    ldp x22, x23, [x0, #176]
    ldp x24, x25, [x0, #192]
    ldp x26, x27, [x0, #208]
    ldp x28, x29, [x0, #224]
    ldr x30, [x0, #240]
    ldp x0, x1, [x0, #0]
    eret

    .globl hal_user_enter_asm
    hal_user_enter_asm:
    msr daifset, #0xf
    msr sp_el0, x1
    msr elr_el1, x0
    msr spsr_el1, xzr
    msr tpidr_el0, xzr
    mov sp, x3
    mov x0, x2
    .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    mov x\r, xzr
    .endr
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    movi v\r\().2d, #0
    .endr
    eret
    .text
    "#
);

extern "C" {
    fn hal_user_enter_asm(pc: u64, sp: u64, arg: u64, ktop: u64) -> !;
    fn hal_user_resume_asm(r: *const crate::ffi::HalUserRegs, ktop: u64) -> !;
}

/// Indexes into HalUserRegs (ffi.rs): x0..x30, sp, pc, pstate, tpidr_el0.
pub(crate) const REG_RET: usize = 0;
pub(crate) const REG_SP: usize = 31;
pub(crate) const REG_PC: usize = 32;

/// The whole register file of the system call whose frame `s` names (its
/// thread pointer from TPIDR_EL0: the caller's, live on this CPU).
pub fn syscall_regs(s: &crate::ffi::HalSyscall, out: &mut crate::ffi::HalUserRegs) {
    // SAFETY: the frame is the vectors', alive for the call (ffi.rs).
    unsafe { trap_regs(s.frame, out) }
}

/// The user register file saved in the vectors' frame `frame` (an
/// exception taken from EL0: a system call or an interrupt).
///
/// # Safety
/// `frame` is the vectors' frame of an exception from EL0, still live.
pub unsafe fn trap_regs(frame: *const core::ffi::c_void, out: &mut crate::ffi::HalUserRegs) {
    // SAFETY: the caller's contract.
    let f = unsafe { &*(frame as *const vectors::TrapFrame) };
    out.r = [0; 36];
    out.r[..31].copy_from_slice(&f.x);
    out.r[31] = f.sp_el0;
    out.r[32] = f.elr;
    out.r[33] = f.spsr;
    let tp: u64;
    // SAFETY: reading the thread pointer has no side effects.
    unsafe { core::arch::asm!("mrs {}, tpidr_el0", out(reg) tp, options(nomem, nostack)) };
    out.r[34] = tp;
    // the vectors saved q0..q31 after the frame (288 bytes in) and fpcr,
    // fpsr at 800 and 808
    // SAFETY: the vector code's layout: 816 bytes from the frame's start.
    unsafe {
        let base = (frame as *const u8).add(288) as *const u64;
        for (i, w) in out.fp.iter_mut().enumerate() {
            *w = core::ptr::read(base.add(i));
        }
    }
}

/// TPIDR_EL0 is the register file's 35th.
pub fn user_regs_set_tls(r: &mut crate::ffi::HalUserRegs, v: u64) {
    r.r[34] = v;
}

/// Set register `i` of a register file.
pub fn user_regs_set(r: &mut crate::ffi::HalUserRegs, i: usize, v: u64) {
    r.r[i] = v;
}

/// Enter EL0 with the register file `r` (its SIMD registers are the
/// thread's own, restored by the context switch).
///
/// # Safety
/// As user_enter; r's pc and sp were checked (ffi.rs).
pub unsafe fn user_resume(r: &crate::ffi::HalUserRegs, ktop: u64) -> ! {
    // SAFETY: the caller's contract.
    unsafe { hal_user_resume_asm(r, ktop) }
}

/// Enter EL0 at `pc` with SP_EL0 `sp`, `arg` in x0, every other register
/// zero and interrupts unmasked; exceptions come back on `ktop`.
///
/// # Safety
/// As hal_user_enter.
pub unsafe fn user_enter(pc: u64, sp: u64, arg: u64, ktop: u64) -> ! {
    // SAFETY: the caller's contract.
    unsafe { hal_user_enter_asm(pc, sp, arg, ktop) }
}
