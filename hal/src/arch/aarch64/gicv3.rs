//! GICv3: distributor, this CPU's redistributor, and the system-register
//! CPU interface.

use crate::errno::Errno;
use crate::gic::{bit_reg, iar_id, prio_byte};
use crate::irq::IrqChip;
use crate::mmio::{Reg, Rw, Wo};
use core::sync::atomic::{AtomicUsize, Ordering};

static GICR_SGI: AtomicUsize = AtomicUsize::new(0);
static GICD: AtomicUsize = AtomicUsize::new(0);

const GICD_CTLR: usize = 0x0000;
const GICR_WAKER: usize = 0x0014;
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

fn init(d: usize, r: usize) -> Result<(), Errno> {
    if d == 0 || r == 0 {
        return Err(Errno::ENODEV);
    }
    // SAFETY: d and r are the distributor and this CPU's redistributor
    // from the device tree (CPU 0 is the first frame), inside the mapped
    // device window; the ICC registers exist (HAL_CAP_GIC_SYSREGS).
    unsafe {
        // affinity routing, group 1 non-secure enabled
        Reg::<Rw>::at(d, GICD_CTLR).write((1 << 4) | (1 << 1));
        let waker = Reg::<Rw>::at(r, GICR_WAKER);
        waker.write(waker.read() & !(1 << 1)); // ProcessorSleep = 0
        let mut spins = 0u32;
        while waker.read() & (1 << 2) != 0 {
            spins += 1;
            if spins > 1_000_000 {
                return Err(Errno::EIO);
            }
        }
        core::arch::asm!(
            "mrs {t}, S3_0_C12_C12_5", // ICC_SRE_EL1
            "orr {t}, {t}, #1",
            "msr S3_0_C12_C12_5, {t}",
            "isb",
            "mov {t}, #0xf0",
            "msr S3_0_C4_C6_0, {t}",   // ICC_PMR_EL1
            "mov {t}, #1",
            "msr S3_0_C12_C12_7, {t}", // ICC_IGRPEN1_EL1
            "isb",
            t = out(reg) _,
            options(nostack),
        );
    }
    GICR_SGI.store(r + SGI_FRAME, Ordering::Relaxed);
    GICD.store(d, Ordering::Relaxed);
    Ok(())
}

/// Wait (bounded) until the distributor has applied a register write.
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
    let mpidr: u64;
    // SAFETY: MPIDR_EL1 is readable at EL1.
    unsafe { core::arch::asm!("mrs {}, mpidr_el1", out(reg) mpidr, options(nomem, nostack)) };
    crate::gic::irouter_of_mpidr(mpidr)
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
    let s = GICR_SGI.load(Ordering::Relaxed);
    let (goff, bit) = bit_reg(GICR_IGROUPR0, id);
    let (eoff, _) = bit_reg(GICR_ISENABLER0, id);
    // SAFETY: the redistributor's SGI frame mapped at init.
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
        let s = GICR_SGI.load(Ordering::Relaxed);
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
