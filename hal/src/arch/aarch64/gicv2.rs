//! GICv2: distributor and memory-mapped CPU interface.

use crate::errno::Errno;
use crate::gic::{bit_reg, iar_id, prio_byte};
use crate::irq::IrqChip;
use crate::mmio::{Reg, Ro, Rw, Wo};
use core::sync::atomic::{AtomicUsize, Ordering};

static GICD: AtomicUsize = AtomicUsize::new(0);
static GICC: AtomicUsize = AtomicUsize::new(0);

const GICD_CTLR: usize = 0x000;
const GICD_ISENABLER: usize = 0x100;
const GICD_ICENABLER: usize = 0x180;
const GICD_ITARGETSR: usize = 0x800;
const GICD_IPRIORITYR: usize = 0x400;
const GICC_CTLR: usize = 0x000;
const GICC_PMR: usize = 0x004;
const GICC_IAR: usize = 0x00c;
const GICC_EOIR: usize = 0x010;

fn init(d: usize, c: usize) -> Result<(), Errno> {
    if d == 0 || c == 0 {
        return Err(Errno::ENODEV);
    }
    GICD.store(d, Ordering::Relaxed);
    GICC.store(c, Ordering::Relaxed);
    // SAFETY: d and c are the GIC's frames from the device tree, inside
    // the device window the boot code maps.
    unsafe {
        Reg::<Rw>::at(d, GICD_CTLR).write(1);
        Reg::<Rw>::at(c, GICC_PMR).write(0xf0);
        Reg::<Rw>::at(c, GICC_CTLR).write(1);
    }
    Ok(())
}

fn enable(id: u32) {
    let d = GICD.load(Ordering::Relaxed);
    let (off, bit) = bit_reg(GICD_ISENABLER, id);
    let p = prio_byte(GICD_IPRIORITYR, id);
    // SAFETY: the distributor mapped at init; byte access to IPRIORITYR
    // and ITARGETSR is architecturally allowed.
    unsafe {
        core::ptr::write_volatile((d + p) as *mut u8, 0xa0);
        if id >= 32 {
            // SPIs go to CPU interface 0 (this CPU)
            core::ptr::write_volatile((d + prio_byte(GICD_ITARGETSR, id)) as *mut u8, 1);
        }
        Reg::<Wo>::at(d, off).write(bit);
    }
}

fn set_enabled(id: u32, on: bool) {
    let d = GICD.load(Ordering::Relaxed);
    let (off, bit) = bit_reg(if on { GICD_ISENABLER } else { GICD_ICENABLER }, id);
    // SAFETY: the distributor mapped at init; ISENABLER/ICENABLER are
    // write-1 registers that touch only this interrupt's bit.
    unsafe { Reg::<Wo>::at(d, off).write(bit) };
}

fn mask(id: u32) {
    set_enabled(id, false);
}

fn unmask(id: u32) {
    set_enabled(id, true);
}

fn ack() -> Option<u32> {
    // SAFETY: the CPU interface mapped at init.
    let iar = unsafe { Reg::<Ro>::at(GICC.load(Ordering::Relaxed), GICC_IAR) }.read();
    iar_id(iar, false)
}

fn eoi(id: u32) {
    // SAFETY: as ack.
    unsafe { Reg::<Wo>::at(GICC.load(Ordering::Relaxed), GICC_EOIR) }.write(id);
}

/// The GICv2 operations.
pub static CHIP: IrqChip = IrqChip {
    name: "gicv2\0",
    init,
    enable,
    ack,
    eoi,
    mask,
    unmask,
};
