//! The local APIC (xAPIC through MMIO, or x2APIC through MSRs when the
//! firmware left it in that mode), its timer, and the legacy 8259 PICs,
//! which are remapped out of the exception range and masked. Device
//! interrupts come through the I/O APIC (ioapic.rs): the operations table
//! here drives both, the local APIC for the end of interrupt and the timer,
//! the I/O APIC for enabling and masking device lines.

use super::port::outb;
use crate::errno::Errno;
use crate::irq::IrqChip;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

const IA32_APIC_BASE: u32 = 0x1b;
const X2APIC_ENABLE: u64 = 1 << 10;
const APIC_GLOBAL_ENABLE: u64 = 1 << 11;
const REG_ID: u32 = 0x20;
const REG_TPR: u32 = 0x80;
const REG_EOI: u32 = 0xb0;
const REG_SVR: u32 = 0xf0;
const REG_LVT_TIMER: u32 = 0x320;
const REG_LVT_LINT0: u32 = 0x350;
const REG_LVT_LINT1: u32 = 0x360;
const REG_TIMER_INIT: u32 = 0x380;
const REG_TIMER_CUR: u32 = 0x390;
const REG_TIMER_DIV: u32 = 0x3e0;

/// The timer's vector (and bus line), the spurious vector.
pub(crate) const TIMER_VECTOR: u32 = 0x20;
pub(crate) const SPURIOUS_VECTOR: u32 = 0xff;
/// The kernel's inter-processor interrupt (ipi.rs): above every device
/// vector (the I/O APIC's end at 0xef), below the spurious vector, and
/// neither 0xf7 nor 0xff, where the masked 8259s (remapped to 0xf0-0xff)
/// may still signal a spurious IRQ 7 or 15. No bus line.
pub(crate) const IPI_VECTOR: u32 = 0xfe;
/// SVR bit 8: the APIC is software-enabled.
const SVR_ENABLE: u32 = 0x100;
const LVT_MASKED: u32 = 1 << 16;
const LVT_PERIODIC: u32 = 1 << 17;

static MMIO: AtomicUsize = AtomicUsize::new(0);
static X2: AtomicBool = AtomicBool::new(false);
static PER_10MS: AtomicU32 = AtomicU32::new(0);
static INIT_COUNT: AtomicU32 = AtomicU32::new(0);

/// Read an MSR. For this module and smp.rs: their callers read only
/// architectural MSRs the CPU has (the APIC's, EFER, IA32_TSC_AUX where
/// CPUID says so).
pub(super) fn rdmsr(msr: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: callers name only MSRs this CPU has (see above).
    unsafe {
        core::arch::asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack))
    };
    (hi as u64) << 32 | lo as u64
}

/// Write an MSR: the APIC's (this module owns the APIC) and
/// IA32_TSC_AUX (smp.rs, where CPUID says it exists; it affects only
/// RDTSCP and RDPID).
pub(super) fn wrmsr(msr: u32, v: u64) {
    // SAFETY: callers write only the MSRs named above.
    unsafe {
        core::arch::asm!("wrmsr", in("ecx") msr, in("eax") v as u32, in("edx") (v >> 32) as u32,
                         options(nomem, nostack))
    };
}

/// The x2APIC MSR of an xAPIC register offset.
pub const fn x2_msr(reg: u32) -> u32 {
    0x800 + (reg >> 4)
}

fn read(reg: u32) -> u32 {
    if X2.load(Ordering::Relaxed) {
        rdmsr(x2_msr(reg)) as u32
    } else {
        // SAFETY: the APIC page is below 4 GiB, in the direct map.
        unsafe {
            core::ptr::read_volatile(
                (MMIO.load(Ordering::Relaxed) + super::DIRECT_MAP_OFFSET as usize + reg as usize)
                    as *const u32,
            )
        }
    }
}

fn write(reg: u32, v: u32) {
    if X2.load(Ordering::Relaxed) {
        wrmsr(x2_msr(reg), v as u64);
    } else {
        // SAFETY: as read.
        unsafe {
            core::ptr::write_volatile(
                (MMIO.load(Ordering::Relaxed) + super::DIRECT_MAP_OFFSET as usize + reg as usize)
                    as *mut u32,
                v,
            )
        }
    }
}

/// Remap the 8259s to vectors 0xf0-0xff (away from exceptions) and mask
/// every line: the APIC delivers all interrupts.
fn pic_off() {
    // SAFETY: the PIC ports belong to the HAL; interrupts are masked.
    unsafe {
        outb(0x20, 0x11);
        outb(0xa0, 0x11);
        outb(0x21, 0xf0);
        outb(0xa1, 0xf8);
        outb(0x21, 4);
        outb(0xa1, 2);
        outb(0x21, 1);
        outb(0xa1, 1);
        outb(0x21, 0xff);
        outb(0xa1, 0xff);
    }
}

fn init(_b: usize, _b2: usize) -> Result<(), Errno> {
    if super::cpu_caps() & crate::caps::HAL_CAP_APIC == 0 {
        return Err(Errno::ENODEV);
    }
    pic_off();
    mode_setup()?;
    write(REG_TPR, 0);
    write(REG_SVR, SVR_ENABLE | SPURIOUS_VECTOR); // software enable
    let _ = read(REG_ID);
    Ok(())
}

/// Put the calling CPU's local APIC in the machine's mode and record it
/// for read/write: globally enabled, x2APIC when the CPU has it. The
/// boot CPU's first call decides (irq init, or the first CPU start,
/// whichever comes first); later calls find it done. -ENODEV without a
/// local APIC.
pub(crate) fn mode_setup() -> Result<(), Errno> {
    if super::cpu_caps() & crate::caps::HAL_CAP_APIC == 0 {
        return Err(Errno::ENODEV);
    }
    let mut base = rdmsr(IA32_APIC_BASE);
    // x2APIC when the CPU has it: register access through MSRs, which
    // (unlike MMIO) a hypervisor can handle without decoding an
    // instruction. xAPIC -> x2APIC is a legal transition with the APIC
    // enabled.
    // (Intel SDM: from the disabled state only xAPIC mode may be entered,
    // so the global enable goes first.)
    if base & APIC_GLOBAL_ENABLE == 0 {
        base |= APIC_GLOBAL_ENABLE;
        wrmsr(IA32_APIC_BASE, base);
    }
    if base & X2APIC_ENABLE == 0 && super::cpu_caps() & crate::caps::HAL_CAP_X2APIC != 0 {
        base |= X2APIC_ENABLE;
        wrmsr(IA32_APIC_BASE, base);
    }
    X2.store(base & X2APIC_ENABLE != 0, Ordering::Relaxed);
    MMIO.store((base & 0xffff_f000) as usize, Ordering::Relaxed);
    Ok(())
}

/// A CPU just started (not the boot CPU): its local APIC in the mode the
/// boot CPU chose (mode_setup ran there before the start), the xAPIC
/// registers at the same address, no task priority, software-enabled
/// with the spurious vector. Its local interrupts stay masked (INIT left
/// every LVT entry masked) and so does the CPU (RFLAGS.IF).
pub(crate) fn ap_setup() {
    let x2 = X2.load(Ordering::Relaxed);
    let mut base = rdmsr(IA32_APIC_BASE);
    if base & X2APIC_ENABLE != 0 && !x2 {
        // x2APIC to xAPIC only through the disabled state (Intel SDM,
        // "x2APIC State Transitions")
        base &= !(X2APIC_ENABLE | APIC_GLOBAL_ENABLE);
        wrmsr(IA32_APIC_BASE, base);
    }
    if !x2 {
        base = (base & 0xfff & !X2APIC_ENABLE) | MMIO.load(Ordering::Relaxed) as u64;
    }
    base |= APIC_GLOBAL_ENABLE;
    wrmsr(IA32_APIC_BASE, base);
    if x2 {
        wrmsr(IA32_APIC_BASE, base | X2APIC_ENABLE);
    }
    write(REG_TPR, 0);
    write(REG_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
}

/// A started CPU's part of hal_cpu_irq_init (after ap_setup, interrupts
/// masked): check that its local APIC can take a fixed IPI and return
/// its id. It must be globally enabled in the machine's mode (the xAPIC
/// at the boot CPU's address), software-enabled with the spurious vector,
/// with task priority 0 (written again and read back: TPR 0 lets every
/// vector class through). LINT0 and LINT1 are masked outright: the
/// 8259's ExtINT and the NMI line are the boot CPU's (INIT masked them
/// already). -ENODEV when the APIC is not in the mode the HAL uses, -EIO
/// when it does not keep the values written.
pub(crate) fn ap_irq_setup() -> Result<u32, Errno> {
    let base = rdmsr(IA32_APIC_BASE);
    let x2 = X2.load(Ordering::Relaxed);
    if base & APIC_GLOBAL_ENABLE == 0
        || (base & X2APIC_ENABLE != 0) != x2
        || (!x2 && (base & 0xffff_f000) as usize != MMIO.load(Ordering::Relaxed))
    {
        return Err(Errno::ENODEV);
    }
    write(REG_LVT_LINT0, LVT_MASKED);
    write(REG_LVT_LINT1, LVT_MASKED);
    write(REG_TPR, 0);
    write(REG_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
    if read(REG_TPR) & 0xff != 0 || read(REG_SVR) & 0x1ff != SVR_ENABLE | SPURIOUS_VECTOR {
        return Err(Errno::EIO);
    }
    Ok(lapic_id())
}

/// The calling CPU's local APIC id, whatever mode its APIC is in and
/// whether or not the HAL set it up: the x2APIC id register, the xAPIC
/// one (bits 31:24) at the address IA32_APIC_BASE names, or, with the
/// APIC disabled or absent, the initial APIC id CPUID leaf 1 reports.
pub(crate) fn this_id() -> u32 {
    let from_cpuid = || core::arch::x86_64::__cpuid(1).ebx >> 24;
    if super::cpu_caps() & crate::caps::HAL_CAP_APIC == 0 {
        return from_cpuid();
    }
    let base = rdmsr(IA32_APIC_BASE);
    if base & X2APIC_ENABLE != 0 {
        rdmsr(x2_msr(REG_ID)) as u32
    } else if base & APIC_GLOBAL_ENABLE != 0 {
        // SAFETY: the APIC's page lies below 4 GiB, in the direct map
        // (device memory), in every address space.
        let id = unsafe {
            core::ptr::read_volatile(
                ((base & 0xffff_f000) + super::DIRECT_MAP_OFFSET + REG_ID as u64) as *const u32,
            )
        };
        id >> 24
    } else {
        from_cpuid()
    }
}

const REG_ICR_LO: u32 = 0x300;
const REG_ICR_HI: u32 = 0x310;
/// ICR bit 12 (xAPIC only): the previous IPI is still being sent.
const ICR_PENDING: u32 = 1 << 12;
/// ICR bit 14, level: 1 (assert) for every delivery mode but an INIT
/// level de-assert.
const ICR_ASSERT: u32 = 1 << 14;
/// ICR low word of an INIT IPI: delivery mode INIT (101b), physical
/// destination, level assert, edge triggered, no shorthand.
pub(crate) const ICR_INIT: u32 = 0x0000_4500;

/// ICR low word of a fixed IPI of `vector`: delivery mode fixed (000b,
/// bits 10:8), destination mode physical (bit 11 clear), level assert,
/// edge triggered (bit 15 clear), no shorthand (bits 19:18 clear): the
/// one CPU the destination names takes `vector`.
pub(crate) const fn icr_fixed(vector: u32) -> u32 {
    ICR_ASSERT | (vector & 0xff)
}

/// xAPIC: the ICR high word naming local APIC `dest` (bits 63:56 of the
/// ICR, 31:24 of ICR_HI).
pub(crate) const fn icr_hi_xapic(dest: u32) -> u32 {
    dest << 24
}

/// x2APIC: the whole 64-bit ICR (MSR 0x830), the destination's 32-bit
/// x2APIC id in bits 63:32, the low word as in xAPIC mode.
pub(crate) const fn icr_x2apic(dest: u32, lo: u32) -> u64 {
    (dest as u64) << 32 | lo as u64
}

/// ICR low word of a start-up IPI (delivery mode 110b, level assert)
/// whose vector is the 4 KiB page number where the CPU starts.
pub(crate) const fn icr_startup(page: u64) -> u32 {
    0x0000_4600 | ((page >> 12) as u32 & 0xff)
}

/// The highest local APIC id an IPI can name alone in the current mode
/// (xAPIC: 8 bits, 0xff being every CPU; x2APIC: 32 bits, 0xffffffff
/// being every CPU).
pub(crate) fn max_dest() -> u64 {
    if X2.load(Ordering::Relaxed) {
        0xffff_fffe
    } else {
        0xfe
    }
}

/// Send the IPI whose ICR low word is `lo` to the local APIC `dest`
/// (physical destination; mode_setup has run). xAPIC: waits until the
/// APIC has sent it (delivery status idle) for at most `limit` TSC
/// cycles: -EIO if it is still pending then. x2APIC has no delivery
/// status: the write is the send.
pub(crate) fn send_ipi(dest: u32, lo: u32, limit: u64) -> Result<(), Errno> {
    // the stores that describe the start or the IPI's reason (what the
    // woken CPU reads) before the write that sends: a WRMSR to the
    // x2APIC ICR is not serializing and may complete before earlier
    // stores are globally visible (Intel SDM, "MSR Access in x2APIC
    // Mode": MFENCE or a serializing instruction first). The fence is an
    // MFENCE; in x2APIC mode an LFENCE after it also keeps the WRMSR, which
    // is no memory access, from starting before the MFENCE is done.
    core::sync::atomic::fence(Ordering::SeqCst);
    super::without_interrupts(|| {
        if X2.load(Ordering::Relaxed) {
            // SAFETY: lfence only orders this CPU's instructions.
            unsafe { core::arch::asm!("lfence", options(nostack, preserves_flags)) };
            wrmsr(x2_msr(REG_ICR_LO), icr_x2apic(dest, lo));
            return Ok(());
        }
        write(REG_ICR_HI, icr_hi_xapic(dest));
        write(REG_ICR_LO, lo);
        let t0 = super::cycles();
        while read(REG_ICR_LO) & ICR_PENDING != 0 {
            if super::cycles().wrapping_sub(t0) > limit {
                return Err(Errno::EIO);
            }
            core::hint::spin_loop();
        }
        Ok(())
    })
}

/// This CPU's local APIC id (the I/O APIC's destination).
pub(crate) fn lapic_id() -> u32 {
    let id = read(REG_ID);
    if X2.load(Ordering::Relaxed) {
        id
    } else {
        id >> 24
    }
}

fn enable(id: u32) {
    if let Some(gsi) = super::ioapic::gsi_of(id) {
        super::ioapic::route(gsi, lapic_id());
    }
}

fn ack() -> Option<u32> {
    None // vectored: the IDT stub says which interrupt it is
}

fn eoi(_id: u32) {
    end_of_interrupt();
}

/// Tell this CPU's local APIC that the interrupt in service is handled
/// (a write of 0 to EOI). Interrupt context.
pub(crate) fn end_of_interrupt() {
    write(REG_EOI, 0);
}

fn mask(id: u32) {
    if let Some(gsi) = super::ioapic::gsi_of(id) {
        super::ioapic::set_masked(gsi, true);
    }
}

fn unmask(id: u32) {
    if let Some(gsi) = super::ioapic::gsi_of(id) {
        super::ioapic::set_masked(gsi, false);
    }
}

/// The local APIC alone (no I/O APIC found: the timer only).
pub static CHIP: IrqChip = IrqChip {
    name: "lapic\0",
    init,
    enable,
    ack,
    eoi,
    mask,
    unmask,
};
/// The local APIC with the I/O APIC for device lines.
pub static CHIP_IO: IrqChip = IrqChip {
    name: "lapic+ioapic\0",
    init,
    enable,
    ack,
    eoi,
    mask,
    unmask,
};

/// LAPIC timer ticks (divide by 16) in 10 ms, timed by the TSC.
fn calibrate() -> u32 {
    let hz = super::cycles_per_sec();
    write(REG_TIMER_DIV, 0x3);
    write(REG_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
    write(REG_TIMER_INIT, u32::MAX);
    let t0 = super::cycles();
    while super::cycles() - t0 < hz / 100 {}
    let elapsed = u32::MAX - read(REG_TIMER_CUR);
    write(REG_TIMER_INIT, 0);
    elapsed
}

/// Periodic interrupts at `hz` on TIMER_VECTOR.
pub fn timer_start(hz: u32) {
    let per10ms = calibrate();
    PER_10MS.store(per10ms, Ordering::Relaxed);
    let count = crate::gic::lapic_count(per10ms, hz);
    INIT_COUNT.store(count, Ordering::Relaxed);
    write(REG_TIMER_DIV, 0x3);
    write(REG_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
    write(REG_TIMER_INIT, count);
}

/// This CPU's local APIC timer, periodic on TIMER_VECTOR with the count
/// timer_start calibrated on the boot CPU (every local APIC timer runs
/// from the same bus clock). Err(ENODEV) before timer_start.
pub fn ap_timer_start() -> Result<(), crate::errno::Errno> {
    let count = INIT_COUNT.load(Ordering::Relaxed);
    if count == 0 {
        return Err(crate::errno::Errno::ENODEV);
    }
    write(REG_TIMER_DIV, 0x3);
    write(REG_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
    write(REG_TIMER_INIT, count);
    Ok(())
}

/// When the running period's interrupt was due, in TSC cycles: now less
/// the LAPIC ticks counted since the reload, converted with the
/// calibration. Top half of the timer's interrupt.
pub fn timer_due() -> u64 {
    let now = super::cycles();
    let elapsed = INIT_COUNT
        .load(Ordering::Relaxed)
        .saturating_sub(read(REG_TIMER_CUR));
    now.saturating_sub(crate::gic::lapic_to_tsc(
        elapsed,
        PER_10MS.load(Ordering::Relaxed),
        super::cycles_per_sec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_ipi_icr_low_word() {
        // vector 0xfe, fixed, physical, assert, edge, no shorthand
        assert_eq!(icr_fixed(IPI_VECTOR), 0x0000_40fe);
        assert_eq!(icr_fixed(0x30), 0x0000_4030);
        // only the vector field: nothing spills into delivery mode
        assert_eq!(icr_fixed(0x1fe), 0x0000_40fe);
        let lo = icr_fixed(IPI_VECTOR);
        assert_eq!((lo >> 8) & 7, 0, "delivery mode fixed");
        assert_eq!(lo & (1 << 11), 0, "physical destination");
        assert_eq!(lo & ICR_PENDING, 0, "delivery status is read-only");
        assert_eq!(lo & (1 << 15), 0, "edge triggered");
        assert_eq!((lo >> 18) & 3, 0, "no shorthand");
    }

    #[test]
    fn destination_fields() {
        assert_eq!(icr_hi_xapic(0), 0);
        assert_eq!(icr_hi_xapic(3), 0x0300_0000);
        assert_eq!(icr_hi_xapic(0xfe), 0xfe00_0000);
        assert_eq!(icr_x2apic(2, icr_fixed(IPI_VECTOR)), 0x0000_0002_0000_40fe);
        assert_eq!(icr_x2apic(0x1_0005, ICR_INIT), 0x0001_0005_0000_4500);
        // the x2APIC ICR is one MSR, 0x830; EOI is 0x80b
        assert_eq!(x2_msr(REG_ICR_LO), 0x830);
        assert_eq!(x2_msr(REG_EOI), 0x80b);
    }

    #[test]
    fn ipi_vector_is_clear_of_the_others() {
        use super::super::ioapic::{entries_from_version, VECTOR_BASE};
        // above every vector an I/O APIC's GSI can have (the most
        // entries the HAL accepts), below the spurious one
        let most = (1..=256u32)
            .filter_map(|n| entries_from_version((n - 1) << 16 | 0x11))
            .max()
            .unwrap();
        assert!(IPI_VECTOR >= VECTOR_BASE + most);
        assert!(IPI_VECTOR < SPURIOUS_VECTOR);
        assert!(IPI_VECTOR != TIMER_VECTOR);
        // not where a masked 8259 can still signal spurious IRQ 7 or 15
        assert!(IPI_VECTOR != 0xf0 + 7 && IPI_VECTOR != 0xf8 + 7);
    }
}
