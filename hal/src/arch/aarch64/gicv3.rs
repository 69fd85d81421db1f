//! GICv3: distributor, each CPU's redistributor, and the system-register
//! CPU interface.

use crate::errno::Errno;
use crate::ffi::HAL_CPUS_MAX;
use crate::gic::{bit_reg, iar_id, prio_byte};
use crate::irq::IrqChip;
use crate::mmio::{Reg, Ro, Rw, Wo};
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// By CPU index: the SGI_base frame of that CPU's redistributor (its
/// RD_base is 64 KiB below); 0 until the CPU set it up.
static GICR_SGI: [AtomicUsize; HAL_CPUS_MAX as usize] =
    [const { AtomicUsize::new(0) }; HAL_CPUS_MAX as usize];
/// The redistributor region the device tree names (its first frame).
static GICR_REGION: AtomicUsize = AtomicUsize::new(0);
static GICD: AtomicUsize = AtomicUsize::new(0);
/// The boot CPU's ICC_BPR1_EL1, which the other CPUs take too.
static BPR1: AtomicU64 = AtomicU64::new(0);

const GICD_CTLR: usize = 0x0000;
const GICR_WAKER: usize = 0x0014;
const GICR_TYPER: usize = 0x0008;
const SGI_FRAME: usize = 0x1_0000;
const GICR_IGROUPR0: usize = 0x0080;
const GICR_ISENABLER0: usize = 0x0100;
const GICR_ICENABLER0: usize = 0x0180;
const GICD_IGROUPR: usize = 0x0080;
const GICD_ISENABLER: usize = 0x0100;
const GICD_ICENABLER: usize = 0x0180;
const GICD_IPRIORITYR: usize = 0x0400;
const GICD_IROUTER: usize = 0x6000;
const GICD_CTLR_RWP: u32 = 1 << 31;
const GICR_CTLR_RWP: u32 = 1 << 3;
const GICR_IPRIORITYR: usize = 0x0400;
/// ICC_CTLR_EL1: EOImode (bit 1), RSS (bit 18: SGIs reach Aff0 16-255).
const ICC_CTLR_EOIMODE: u64 = 1 << 1;
const ICC_CTLR_RSS: u64 = 1 << 18;
/// At most this many frames in the region are looked at (QEMU's virt
/// has room for 123).
const GICR_FRAMES_MAX: usize = 256;

fn init(d: usize, r: usize) -> Result<(), Errno> {
    if d == 0 || r == 0 {
        return Err(Errno::ENODEV);
    }
    GICR_REGION.store(r, Ordering::Relaxed);
    // SAFETY: d is the distributor from the device tree, inside the
    // mapped device window.
    unsafe {
        // affinity routing, group 1 non-secure enabled
        Reg::<Rw>::at(d, GICD_CTLR).write((1 << 4) | (1 << 1));
    }
    let rd = wake_redistributor()?;
    sre_on();
    BPR1.store(sysreg_bpr1(), Ordering::Relaxed);
    interface_on();
    GICR_SGI[0].store(rd + SGI_FRAME, Ordering::Relaxed); // the boot CPU's
    GICD.store(d, Ordering::Relaxed);
    Ok(())
}

/// Find this CPU's redistributor in the region (by the affinity in each
/// frame's GICR_TYPER) and wake it: GICR_WAKER.ProcessorSleep cleared,
/// then wait (bounded) for ChildrenAsleep to clear. Returns its RD_base.
fn wake_redistributor() -> Result<usize, Errno> {
    let region = GICR_REGION.load(Ordering::Relaxed);
    if region == 0 {
        return Err(Errno::ENODEV);
    }
    let want = crate::gic::gicr_affinity(mpidr());
    let typer = |off: usize| -> u64 {
        // SAFETY: off is a frame of the region from the device tree
        // (the walk stops at the frame marked Last), in the mapped device
        // window; GICR_TYPER is read-only, read as two 32-bit halves.
        unsafe {
            let lo = Reg::<Ro>::at(region + off, GICR_TYPER).read() as u64;
            let hi = Reg::<Ro>::at(region + off, GICR_TYPER + 4).read() as u64;
            hi << 32 | lo
        }
    };
    let Some(off) = crate::gic::find_redistributor(typer, want, GICR_FRAMES_MAX) else {
        return Err(Errno::ENODEV);
    };
    let rd = region + off;
    // SAFETY: rd is this CPU's redistributor frame, found above.
    let waker = unsafe { Reg::<Rw>::at(rd, GICR_WAKER) };
    waker.write(waker.read() & !(1 << 1)); // ProcessorSleep = 0
    let mut spins = 0u32;
    while waker.read() & (1 << 2) != 0 {
        spins += 1;
        if spins > 1_000_000 {
            return Err(Errno::EIO);
        }
    }
    Ok(rd)
}

/// ICC_SRE_EL1.SRE: this CPU uses the system-register interface.
fn sre_on() {
    // SAFETY: the ICC registers exist (HAL_CAP_GIC_SYSREGS; at EL2 the
    // entry code let EL1 use them).
    unsafe {
        core::arch::asm!(
            "mrs {t}, S3_0_C12_C12_5", // ICC_SRE_EL1
            "orr {t}, {t}, #1",
            "msr S3_0_C12_C12_5, {t}",
            "isb",
            t = out(reg) _,
            options(nostack),
        );
    }
}

fn sysreg_bpr1() -> u64 {
    let v: u64;
    // SAFETY: reading ICC_BPR1_EL1 has no effect (SRE is on).
    unsafe { core::arch::asm!("mrs {}, S3_0_C12_C12_3", out(reg) v, options(nomem, nostack)) };
    v
}

fn icc_ctlr() -> u64 {
    let v: u64;
    // SAFETY: reading ICC_CTLR_EL1 has no effect (SRE is on).
    unsafe { core::arch::asm!("mrs {}, S3_0_C12_C12_4", out(reg) v, options(nomem, nostack)) };
    v
}

/// Turn this CPU's interface on (SRE already set): EOImode 0, set rather
/// than assumed (a write to ICC_EOIR1_EL1 must also deactivate: the HAL
/// never writes ICC_DIR_EL1), priority mask, binary point as the boot
/// CPU's, group 1 enabled.
fn interface_on() {
    let ctlr = icc_ctlr() & !ICC_CTLR_EOIMODE;
    // SAFETY: this CPU's own interface registers; interrupts stay masked
    // in PSTATE.
    unsafe {
        core::arch::asm!(
            "msr S3_0_C12_C12_4, {c}", // ICC_CTLR_EL1
            "mov {t}, #0xf0",
            "msr S3_0_C4_C6_0, {t}",   // ICC_PMR_EL1
            "msr S3_0_C12_C12_3, {b}", // ICC_BPR1_EL1
            "mov {t}, #1",
            "msr S3_0_C12_C12_7, {t}", // ICC_IGRPEN1_EL1
            "isb",
            c = in(reg) ctlr,
            b = in(reg) BPR1.load(Ordering::Relaxed),
            t = out(reg) _,
            options(nostack),
        );
    }
}

/// Set up a secondary CPU's side for the IPI, on that CPU (after init on
/// the boot CPU): wake its redistributor, disable every SGI and PPI there
/// but `sgi`, which gets group 1, its priority and enable (as the boot
/// CPU's lines do), then the CPU interface. -ENODEV before init or when
/// no redistributor has this CPU's affinity; -EIO if it does not wake.
pub fn cpu_init(sgi: u32) -> Result<(), Errno> {
    let slot = GICR_SGI
        .get(super::cpu_index() as usize)
        .ok_or(Errno::EINVAL)?;
    if GICD.load(Ordering::Relaxed) == 0 {
        return Err(Errno::ENODEV);
    }
    let rd = wake_redistributor()?;
    let (_, bit) = bit_reg(GICR_ICENABLER0, sgi);
    // SAFETY: rd's SGI_base frame; GICR_ICENABLER0 is write-1-to-clear.
    unsafe { Reg::<Wo>::at(rd + SGI_FRAME, GICR_ICENABLER0).write(!bit) };
    wait_rwp(rd, GICR_CTLR_RWP);
    slot.store(rd + SGI_FRAME, Ordering::Relaxed);
    enable(sgi);
    sre_on();
    interface_on();
    Ok(())
}

/// Whether an SGI can reach a CPU whose Aff0 is 16 or more (the range
/// selector, ICC_CTLR_EL1.RSS).
pub fn range_selector() -> bool {
    icc_ctlr() & ICC_CTLR_RSS != 0
}

/// Send SGI `sgi` to the one CPU with MPIDR affinity `aff` (group 1).
/// The caller has made its earlier stores visible (a barrier) first.
pub fn send_sgi(aff: u64, sgi: u32) {
    // SAFETY: ICC_SGI1R_EL1 only raises the SGI at the CPU it names.
    unsafe {
        core::arch::asm!("msr S3_0_C12_C11_5, {}", "isb",
                         in(reg) crate::gic::sgi1r(aff, sgi), options(nostack))
    };
}

fn mpidr() -> u64 {
    let v: u64;
    // SAFETY: MPIDR_EL1 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, mpidr_el1", out(reg) v, options(nomem, nostack)) };
    v
}

/// This CPU's redistributor SGI_base frame (0 before it was set up).
fn sgi_frame() -> usize {
    GICR_SGI
        .get(super::cpu_index() as usize)
        .map_or(0, |s| s.load(Ordering::Relaxed))
}

/// Wait (bounded) until a register write has taken effect: `ctlr` is
/// GICD_CTLR (RWP bit 31) or GICR_CTLR (RWP bit 3). The GIC tracks the
/// writes that disable interrupts (ICENABLER) and routing changes this
/// way; after it, a masked interrupt is no longer signalled.
fn wait_rwp(base: usize, bit: u32) {
    // SAFETY: GICD_CTLR / GICR_CTLR of the frames mapped at init.
    let ctlr = unsafe { Reg::<Rw>::at(base, 0) };
    for _ in 0..1_000_000 {
        if ctlr.read() & bit == 0 {
            break;
        }
    }
}

/// This CPU's affinity in GICD_IROUTER's layout: Aff3 in bits 39:32,
/// Aff2.Aff1.Aff0 in bits 23:0 (as in MPIDR_EL1), routing mode 0.
fn my_affinity() -> u64 {
    crate::gic::irouter_of_mpidr(mpidr())
}

fn enable(id: u32) {
    if id >= 32 {
        // an SPI: group 1, priority, routed to this CPU, enabled, all in
        // the distributor
        let d = GICD.load(Ordering::Relaxed);
        let (goff, bit) = bit_reg(GICD_IGROUPR, id);
        let (eoff, _) = bit_reg(GICD_ISENABLER, id);
        let route = my_affinity();
        // SAFETY: the distributor mapped at init; IROUTER is a 64-bit
        // register per SPI, written as two 32-bit halves.
        unsafe {
            let g = Reg::<Rw>::at(d, goff);
            g.write(g.read() | bit);
            core::ptr::write_volatile((d + prio_byte(GICD_IPRIORITYR, id)) as *mut u8, 0xa0);
            Reg::<Wo>::at(d, GICD_IROUTER + 8 * id as usize).write(route as u32);
            Reg::<Wo>::at(d, GICD_IROUTER + 8 * id as usize + 4).write((route >> 32) as u32);
        }
        wait_rwp(d, GICD_CTLR_RWP);
        // SAFETY: as above.
        unsafe { Reg::<Wo>::at(d, eoff).write(bit) };
        return;
    }
    let s = sgi_frame();
    if s == 0 {
        return;
    }
    let (goff, bit) = bit_reg(GICR_IGROUPR0, id);
    let (eoff, _) = bit_reg(GICR_ISENABLER0, id);
    // SAFETY: this CPU's redistributor SGI frame, found at its init.
    unsafe {
        let g = Reg::<Rw>::at(s, goff);
        g.write(g.read() | bit);
        core::ptr::write_volatile((s + prio_byte(GICR_IPRIORITYR, id)) as *mut u8, 0xa0);
        Reg::<Wo>::at(s, eoff).write(bit);
    }
}

/// Set (ISENABLER) or clear (ICENABLER) one interrupt's enable bit: SPIs
/// in the distributor, SGIs and PPIs in this CPU's redistributor. A clear
/// waits for RWP, so the interrupt is masked when this returns.
fn set_enabled(id: u32, on: bool) {
    let (base, ctlr, rwp, bank) = if id >= 32 {
        let d = GICD.load(Ordering::Relaxed);
        (
            d,
            d,
            GICD_CTLR_RWP,
            if on { GICD_ISENABLER } else { GICD_ICENABLER },
        )
    } else {
        let s = sgi_frame();
        if s == 0 {
            return;
        }
        (
            s,
            s - SGI_FRAME,
            GICR_CTLR_RWP,
            if on { GICR_ISENABLER0 } else { GICR_ICENABLER0 },
        )
    };
    let (off, bit) = bit_reg(bank, id);
    // SAFETY: frames mapped at init; write-1 registers touching only
    // this interrupt's bit.
    unsafe { Reg::<Wo>::at(base, off).write(bit) };
    if !on {
        wait_rwp(ctlr, rwp);
    }
}

fn mask(id: u32) {
    set_enabled(id, false);
}

fn unmask(id: u32) {
    set_enabled(id, true);
}

fn ack() -> Option<u32> {
    let iar: u64;
    // SAFETY: ICC_IAR1_EL1 read acknowledges the interrupt.
    unsafe { core::arch::asm!("mrs {}, S3_0_C12_C12_0", out(reg) iar, options(nomem, nostack)) };
    iar_id(iar as u32, true)
}

fn eoi(id: u32) {
    // SAFETY: ICC_EOIR1_EL1 write ends the interrupt.
    unsafe {
        core::arch::asm!("msr S3_0_C12_C12_1, {}", "isb", in(reg) id as u64, options(nostack))
    };
}

/// The GICv3 operations.
pub static CHIP: IrqChip = IrqChip {
    name: "gicv3\0",
    init,
    enable,
    ack,
    eoi,
    mask,
    unmask,
};
