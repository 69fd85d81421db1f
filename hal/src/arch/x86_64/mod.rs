//! x86_64: COM1 16550 UART over I/O ports, TSC, local and I/O APIC,
//! hlt, isa-debug-exit.

mod apic;
pub mod cpu;
mod ioapic;
mod ipi;
mod port;
mod smp;
mod tsc;
mod uart16550;
mod user;

use core::sync::atomic::{AtomicBool, Ordering};

/// NUL-terminated for `hal_arch_name`.
pub const NAME: &str = "x86_64\0";
/// The ELF machine number of programs this CPU runs (EM_X86_64).
pub(crate) const ELF_MACHINE: u16 = 62;

/// The direct map: physical memory at this offset, in the upper half
/// (PML4 entry 273, as Linux has it), so that the lower half is the user's
/// alone. entry.S maps the low 4 GiB there with 2 MiB pages (and 1:1 at 0,
/// for the jump to long mode only); the kernel's own space maps it again.
pub(crate) const DIRECT_MAP_OFFSET: u64 = 0xffff_8880_0000_0000;
/// See DIRECT_MAP_OFFSET.
pub(crate) const DIRECT_MAP_LIMIT: u64 = 1 << 32;

static CONSOLE_UP: AtomicBool = AtomicBool::new(false);
/// A UART answers at COM1 (a machine may have none: then no input).
static COM1_PRESENT: AtomicBool = AtomicBool::new(false);
const COM1: u16 = 0x3f8;
/// QEMU's isa-debug-exit device, as the test runner configures it.
const DEBUG_EXIT_PORT: u16 = 0xf4;

pub fn console_init(_base: u64) -> Result<(), ()> {
    uart16550::init(COM1);
    COM1_PRESENT.store(uart16550::present(COM1), Ordering::Relaxed);
    CONSOLE_UP.store(true, Ordering::Release);
    Ok(())
}

pub fn console_describe() -> &'static str {
    "16550 at port 0x3f8, 115200 8N1"
}

pub fn console_putc(c: u8) {
    if CONSOLE_UP.load(Ordering::Acquire) {
        uart16550::putc(COM1, c);
    }
}

pub fn exit(code: u32) -> ! {
    // SAFETY: port 0xf4 is isa-debug-exit under the test runner; on a
    // machine without it the write goes nowhere.
    unsafe { port::outl(DEBUG_EXIT_PORT, code) };
    halt()
}

pub fn poweroff() -> ! {
    exit(0)
}

/// The PCI reset control register (PIIX3/4, ICH9 and most chipsets).
const RESET_CONTROL_PORT: u16 = 0xcf9;
/// The 8042 keyboard controller's status (read) and command (write) port.
const KBC_PORT: u16 = 0x64;

/// Give a reset just requested time to take effect before trying the next
/// way (a few milliseconds; no timer is needed).
fn reset_settle() {
    for _ in 0..1_000_000 {
        core::hint::spin_loop();
    }
}

/// Reset the machine: the PCI reset control register, then the 8042's
/// reset line, then a triple fault. Each is harmless where its device is
/// missing (QEMU's microvm has neither 0xcf9 nor an 8042).
pub fn reboot() -> ! {
    // SAFETY: cli only masks interrupts on this CPU; nothing should run
    // here any more.
    unsafe { core::arch::asm!("cli", options(nomem, nostack)) };
    // SAFETY: 0xcf9 is the reset control register where there is one; bit
    // 1 asks for a hard (system) reset, and setting bit 2 after it starts
    // the reset. Without the register the writes go nowhere.
    unsafe {
        port::outb(RESET_CONTROL_PORT, 0x02);
        port::outb(RESET_CONTROL_PORT, 0x06);
    }
    reset_settle();
    // SAFETY: reading the 8042's status has no side effects; command 0xfe
    // pulses its output port's bit 0, the CPU reset line. The wait for an
    // empty input buffer (status bit 1) is bounded: with no controller the
    // port reads 0xff.
    unsafe {
        for _ in 0..100_000 {
            if port::inb(KBC_PORT) & 0x02 == 0 {
                break;
            }
        }
        port::outb(KBC_PORT, 0xfe);
    }
    reset_settle();
    // A triple fault: with an empty IDT (limit 0) the breakpoint cannot be
    // delivered (#GP), nor can that (#DF), and the CPU shuts down, which a
    // PC turns into a reset.
    let idt = [0u16; 5];
    // SAFETY: lidt reads the 10-byte descriptor (limit 0, base 0); the
    // faults that follow are the point, and no handler runs again.
    unsafe {
        core::arch::asm!("lidt [{}]", "int3", "ud2", in(reg) idt.as_ptr(),
                         options(readonly, nostack, noreturn))
    }
}

pub fn halt() -> ! {
    loop {
        // SAFETY: cli/hlt only stop this CPU.
        unsafe { core::arch::asm!("cli; hlt", options(nomem, nostack)) };
    }
}

pub fn idle() {
    // SAFETY: hlt only waits (for an interrupt, if they are unmasked).
    unsafe { core::arch::asm!("hlt", options(nomem, nostack)) };
}

pub fn idle_unmask() {
    // SAFETY: sti's one-instruction shadow makes "sti; hlt" atomic: an
    // interrupt pending at sti is taken after hlt starts waiting, so it
    // ends the wait. The IDT handles every vector.
    unsafe { core::arch::asm!("sti; hlt", options(nomem, nostack)) };
}

pub fn cycles() -> u64 {
    // SAFETY: rdtsc is available on every x86_64 CPU.
    unsafe { core::arch::x86_64::_rdtsc() }
}

static TSC_HZ: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

pub fn cycles_per_sec() -> u64 {
    let cached = TSC_HZ.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    let hz = tsc::from_cpuid().unwrap_or_else(tsc::measure_with_pit);
    TSC_HZ.store(hz, Ordering::Relaxed);
    hz
}

/// The local APIC always; the I/O APIC too when the platform names one
/// (kind 1, `base` its address) and it answers there.
pub fn irq_init(
    kind: u32,
    base: u64,
    _base2: u64,
) -> Result<&'static crate::irq::IrqChip, crate::errno::Errno> {
    (apic::CHIP.init)(0, 0)?;
    let chip = if kind == 1 && ioapic::init(base as usize).is_ok() {
        &apic::CHIP_IO
    } else {
        &apic::CHIP
    };
    ipi::boot_init();
    Ok(chip)
}

/// Make this (secondary) CPU's local APIC ready for the IPI
/// (hal_cpu_irq_init): ipi.rs.
pub fn cpu_irq_init() -> Result<(), crate::errno::Errno> {
    ipi::cpu_irq_init()
}

/// Send the kernel's IPI to CPU `index` (hal_ipi_send): ipi.rs.
pub fn ipi_send(index: u32) -> Result<(), crate::errno::Errno> {
    ipi::send(index)
}

/// The interrupt id (vector) of the console UART, whose platform
/// interrupt is GSI `gsi`; None without an I/O APIC line for it.
pub fn uart_irq_id(gsi: u32) -> Option<u32> {
    let v = ioapic::VECTOR_BASE + gsi;
    ioapic::gsi_of(v).map(|_| v)
}

/// Let the console UART interrupt on receive; false when there is no
/// UART to do so.
pub fn console_rx_enable() -> bool {
    if !COM1_PRESENT.load(Ordering::Relaxed) {
        return false;
    }
    uart16550::rx_enable(COM1);
    true
}

/// After the console's line is unmasked: a new edge if data is waiting.
pub fn console_rx_rearm() {
    if COM1_PRESENT.load(Ordering::Relaxed) {
        uart16550::rx_rearm(COM1);
    }
}

/// One byte from the console UART, if one is waiting.
pub fn console_getc() -> Option<u8> {
    if CONSOLE_UP.load(Ordering::Acquire) && COM1_PRESENT.load(Ordering::Relaxed) {
        uart16550::getc(COM1)
    } else {
        None
    }
}

/// Run `f` with interrupts masked on this CPU, restoring the flag after.
pub fn without_interrupts<R>(f: impl FnOnce() -> R) -> R {
    let flags: u64;
    // SAFETY: reads RFLAGS and clears IF; restored below.
    unsafe { core::arch::asm!("pushfq", "pop {}", "cli", out(reg) flags, options(nomem)) };
    let r = f();
    if flags & (1 << 9) != 0 {
        // SAFETY: interrupts were on before; the IDT handles every vector.
        unsafe { core::arch::asm!("sti", options(nomem, nostack)) };
    }
    r
}

/// When the timer's current interrupt was due (top half).
pub fn timer_due() -> u64 {
    apic::timer_due()
}

pub fn timer_start(hz: u32) {
    apic::timer_start(hz);
}

/// A secondary CPU's own timer (hal_cpu_timer_start): its local APIC's,
/// at the boot CPU's rate.
pub fn cpu_timer_start() -> Result<(), crate::errno::Errno> {
    apic::ap_timer_start()
}

/// The timer's interrupt id on x86_64 (its vector).
pub const TIMER_ID: u32 = apic::TIMER_VECTOR;
/// The spurious-interrupt vector: no EOI.
pub const SPURIOUS: u32 = apic::SPURIOUS_VECTOR;

pub fn timer_id(_platform: u32) -> u32 {
    TIMER_ID
}

pub fn irq_cpu_enable(on: bool) -> bool {
    // SAFETY: changes only this CPU's interrupt flag; the IDT handles
    // every vector.
    unsafe {
        if on {
            core::arch::asm!("sti", options(nomem, nostack));
        } else {
            core::arch::asm!("cli", options(nomem, nostack));
        }
    }
    true
}

/// Whether interrupts are unmasked on this CPU (RFLAGS.IF).
pub fn irq_cpu_enabled() -> bool {
    let f: u64;
    // SAFETY: reading RFLAGS has no side effects.
    unsafe { core::arch::asm!("pushfq", "pop {}", out(reg) f, options(nomem)) };
    f & 0x200 != 0
}

pub use cpu::fault_test;

pub fn cpu_init() {
    cpu::init();
    user::init();
    smp::boot_init();
}

pub use smp::{cpu_hw_id, cpu_index, cpu_start, set_start_page};

/// See user::set_kernel_stack.
pub fn set_kernel_stack(top: u64) {
    user::set_kernel_stack(top);
}

/// The user's thread pointer: IA32_FS_BASE (Linux programs set it with
/// arch_prctl; the kernel uses GS, never FS).
pub fn user_tls_set(v: u64) {
    // SAFETY: IA32_FS_BASE is architectural; the caller checked that v
    // is canonical (a user address), else wrmsr would fault.
    unsafe {
        core::arch::asm!("wrmsr", in("ecx") 0xc000_0100u32, in("eax") v as u32,
                         in("edx") (v >> 32) as u32, options(nomem, nostack));
    }
}

pub(crate) use user::{syscall_regs, trap_regs, REG_PC, REG_RET, REG_SP};

/// Set register `i` of a register file.
pub fn user_regs_set(r: &mut crate::ffi::HalUserRegs, i: usize, v: u64) {
    r.r[i] = v;
}

/// The MXCSR bits this CPU takes (FXSAVE's MXCSR_MASK; 0 there means
/// the default, 0xffbf: no DAZ). FXRSTOR of any other bit faults.
pub fn mxcsr_mask() -> u32 {
    #[repr(C, align(16))]
    struct Image([u32; 128]);
    let mut img = Image([0; 128]);
    // SAFETY: img is 16-byte aligned and 512 bytes; FXSAVE only stores.
    unsafe { core::arch::asm!("fxsave64 [{}]", in(reg) img.0.as_mut_ptr(), options(nostack)) };
    match img.0[7] {
        0 => 0xffbf,
        m => m,
    }
}

/// The FS base is not in the register file (the scheduler keeps it).
pub fn user_regs_set_tls(_r: &mut crate::ffi::HalUserRegs, _v: u64) {}

/// See user::resume.
///
/// # Safety
/// As user::resume.
pub unsafe fn user_resume(r: &crate::ffi::HalUserRegs, ktop: u64) -> ! {
    // SAFETY: the caller's contract.
    unsafe { user::resume(r, ktop) }
}

/// See user::enter.
///
/// # Safety
/// As user::enter.
pub unsafe fn user_enter(pc: u64, sp: u64, arg: u64, ktop: u64) -> ! {
    // SAFETY: the caller's contract.
    unsafe { user::enter(pc, sp, arg, ktop) }
}

pub fn cpu_caps() -> u64 {
    use core::arch::x86_64::__cpuid;
    let l1 = __cpuid(1);
    let max_ext = __cpuid(0x8000_0000).eax;
    let l7 = if max_ext >= 0x8000_0007 {
        __cpuid(0x8000_0007).edx
    } else {
        0
    };
    crate::caps::decode_cpuid(l1.ecx, l1.edx, l7)
}

pub fn set_psci_conduit(_smc: bool) -> bool {
    false
}

/// Page tables: the long-mode format, the kernel's shared top-level
/// entries (273: the direct map; 511: the image in the top 2 GiB) and the
/// user range (entries 0..256: the whole lower half, from HAL_USER_FLOOR).
/// The boot tables' identity map (entry 0) is never in the kernel's own
/// tables nor shared: the lower half is the user's alone.
pub type Fmt = crate::mmu::X86;
/// See Fmt.
pub(crate) const KERNEL_SHARE: &[usize] = &[273, 511];
/// See Fmt.
pub(crate) const USER_ENTRIES: (usize, usize) = (0, 256);

/// The active root table (CR3).
pub fn mmu_root() -> u64 {
    let cr3: u64;
    // SAFETY: reading CR3 has no side effects.
    unsafe { core::arch::asm!("mov {}, cr3", out(reg) cr3, options(nomem, nostack)) };
    cr3 & 0x000f_ffff_ffff_f000
}

/// Switch to the root table `root` (flushes the non-global TLB).
pub fn mmu_activate(root: u64) {
    // SAFETY: the caller passes a root that maps the kernel (built by
    // mmu::new_root from the active one), so execution continues.
    unsafe { core::arch::asm!("mov cr3, {}", in(reg) root, options(nostack)) };
}

/// Make new descriptors visible: x86 page walks see stores in order.
pub fn mmu_sync() {}

/// Drop stale translations after changing the active tables.
pub fn mmu_flush() {
    mmu_activate(mmu_root());
}

/// x86_64 TLB maintenance reaches this CPU only: the kernel asks the
/// others (ffi::hal_tlb_remote).
pub(crate) const TLB_REMOTE: bool = true;

/// After `n` pages from `va` in `root` changed: this CPU's TLB flushed
/// when `root` is active here (the other CPUs are the kernel's to ask).
pub fn mmu_flush_range(root: u64, _va: u64, _n: u64) {
    if root == mmu_root() {
        mmu_flush();
    }
}

/// Drop the translation of the page at `va` (kernel mappings shared by
/// every address space: one page, not the whole TLB).
pub fn mmu_flush_page(va: u64) {
    // SAFETY: invlpg only drops a TLB entry.
    unsafe { core::arch::asm!("invlpg [{}]", in(reg) va, options(nostack)) };
}

/// Whether the CPU can refuse execution (NX), and turn it on (EFER.NXE):
/// the page tables mark every non-executable page with it.
pub fn mmu_nx_enable() -> bool {
    use core::arch::x86_64::__cpuid;
    if __cpuid(0x8000_0000).eax < 0x8000_0001 || __cpuid(0x8000_0001).edx & (1 << 20) == 0 {
        return false;
    }
    let (lo, hi): (u32, u32);
    // SAFETY: EFER exists on every long-mode CPU; setting NXE (bit 11)
    // only makes the NX page bit meaningful.
    unsafe {
        core::arch::asm!("rdmsr", in("ecx") 0xc000_0080u32, out("eax") lo, out("edx") hi, options(nomem, nostack));
        core::arch::asm!("wrmsr", in("ecx") 0xc000_0080u32, in("eax") lo | (1 << 11), in("edx") hi,
                         options(nomem, nostack));
    }
    true
}

/// The direct map is the identity map in the lower half (PML4 entry 0):
/// one root serves both.
pub(crate) const SEPARATE_LOW_HALF: bool = false;

/// Switch to the kernel's address space (one root: CR3).
pub fn mmu_kernel_activate(root: u64, _low: Option<u64>) {
    mmu_activate(root);
}

/// The root that translates `va`: CR3's, for every address.
pub fn mmu_root_for(_va: u64) -> u64 {
    mmu_root()
}
/// The table level of 2 MiB blocks.
pub(crate) const BLOCK_LEVEL: u32 = 2;

/// Read the CMOS clock at index port `port` (0x70): wait out an update in
/// progress, then read until two readings agree, so no field is taken
/// half-way through a carry.
fn cmos_read(port: u16) -> crate::errno::HalResult<u64> {
    use crate::rtc::CmosTime;
    let reg = |r: u8| -> u8 {
        without_interrupts(|| {
            // SAFETY: the CMOS index/data pair belongs to the RTC driver
            // the device tree bound; bit 7 of the index keeps NMIs as
            // they were wired (enabled).
            unsafe {
                port::outb(port, r);
                port::inb(port + 1)
            }
        })
    };
    let read = || {
        for _ in 0..100_000 {
            if reg(0x0a) & 0x80 == 0 {
                break;
            }
        }
        CmosTime {
            sec: reg(0x00),
            min: reg(0x02),
            hour: reg(0x04),
            day: reg(0x07),
            month: reg(0x08),
            year: reg(0x09),
            century: reg(0x32),
            status_b: reg(0x0b),
        }
    };
    let mut last = read();
    for _ in 0..8 {
        let now = read();
        if now == last {
            return crate::rtc::cmos_to_epoch(now);
        }
        last = now;
    }
    Err(crate::errno::Errno::EIO)
}

/// The time of day from a real-time clock of `kind` at `base`.
pub fn rtc_read(kind: u32, base: u64) -> crate::errno::HalResult<u64> {
    match kind {
        crate::rtc::KIND_MC146818 if base <= 0xfffe => cmos_read(base as u16),
        crate::rtc::KIND_MC146818 => Err(crate::errno::Errno::EINVAL),
        crate::rtc::KIND_PL031 => Err(crate::errno::Errno::ENODEV),
        _ => Err(crate::errno::Errno::EINVAL),
    }
}
