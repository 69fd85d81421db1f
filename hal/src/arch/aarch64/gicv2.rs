//! GICv2: distributor and memory-mapped CPU interface. Every CPU has its
//! own view of the same frames: the CPU interface, and the distributor's
//! registers of the SGIs and PPIs (ids 0-31), are banked per CPU.

use crate::errno::Errno;
use crate::ffi::HAL_CPUS_MAX;
use crate::gic::{bit_reg, iar_id, prio_byte};
use crate::irq::IrqChip;
use crate::mmio::{Reg, Ro, Rw, Wo};
use core::sync::atomic::{AtomicU32, AtomicU8, AtomicUsize, Ordering};

static GICD: AtomicUsize = AtomicUsize::new(0);
static GICC: AtomicUsize = AtomicUsize::new(0);
/// The boot CPU's GICC_BPR, which the other CPUs take too.
static BPR: AtomicU32 = AtomicU32::new(0);
/// The boot CPU's interface mask (0 on a uniprocessor GIC): where SPIs go.
static BOOT_MASK: AtomicU8 = AtomicU8::new(0);
/// By CPU index: the GICC_IAR value of the SGI that CPU acknowledged
/// last. A GICv2 SGI's IAR carries its source CPU (bits 12:10), and the
/// end of interrupt must write the same value back.
static SGI_IAR: [AtomicU32; HAL_CPUS_MAX as usize] =
    [const { AtomicU32::new(0) }; HAL_CPUS_MAX as usize];

const GICD_CTLR: usize = 0x000;
const GICD_ISENABLER: usize = 0x100;
const GICD_ICENABLER: usize = 0x180;
const GICD_ITARGETSR: usize = 0x800;
const GICD_IPRIORITYR: usize = 0x400;
const GICC_CTLR: usize = 0x000;
const GICC_PMR: usize = 0x004;
const GICC_BPR: usize = 0x008;
const GICC_IAR: usize = 0x00c;
const GICC_EOIR: usize = 0x010;
const GICD_SGIR: usize = 0xf00;

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
        BPR.store(Reg::<Rw>::at(c, GICC_BPR).read(), Ordering::Relaxed);
    }
    BOOT_MASK.store(own_mask(), Ordering::Relaxed);
    interface_on();
    Ok(())
}

/// Turn this CPU's interface on: priority mask, binary point as the boot
/// CPU's, signalling enabled (EOImode 0: GICC_EOIR also deactivates).
fn interface_on() {
    let c = GICC.load(Ordering::Relaxed);
    // SAFETY: the CPU interface mapped at init (every CPU sees its own
    // interface at the same address).
    unsafe {
        Reg::<Rw>::at(c, GICC_PMR).write(0xf0);
        Reg::<Rw>::at(c, GICC_BPR).write(BPR.load(Ordering::Relaxed));
        Reg::<Rw>::at(c, GICC_CTLR).write(1);
    }
}

/// This CPU's interface mask (one bit, 0-7), as it reads the banked
/// GICD_ITARGETSR0-7; 0 on a uniprocessor GIC.
pub fn own_mask() -> u8 {
    let d = GICD.load(Ordering::Relaxed);
    let mut w = [0u32; 8];
    for (i, v) in w.iter_mut().enumerate() {
        // SAFETY: the distributor mapped at init; GICD_ITARGETSR0-7 are
        // read-only and reading them has no effect.
        *v = unsafe { Reg::<Ro>::at(d, GICD_ITARGETSR + 4 * i) }.read();
    }
    crate::gic::own_target_mask(&w)
}

/// Set up a secondary CPU's side for the IPI (after init on the boot
/// CPU): every banked SGI and PPI disabled but `sgi`, which gets its
/// priority and enable, then the CPU interface on. Returns this CPU's
/// interface mask (0: it cannot be told apart, no IPI can reach it).
pub fn cpu_init(sgi: u32) -> Result<u8, Errno> {
    let d = GICD.load(Ordering::Relaxed);
    if d == 0 {
        return Err(Errno::ENODEV);
    }
    let (_, bit) = bit_reg(GICD_ICENABLER, sgi);
    // SAFETY: the distributor mapped at init; GICD_ICENABLER0 is this
    // CPU's banked copy (ids 0-31), write-1-to-clear.
    unsafe { Reg::<Wo>::at(d, GICD_ICENABLER).write(!bit) };
    enable(sgi);
    interface_on();
    Ok(own_mask())
}

/// Send SGI `sgi` to the CPU interfaces in `targets`. The caller has
/// made its earlier stores visible (a barrier) first.
pub fn send_sgi(targets: u8, sgi: u32) {
    // SAFETY: the distributor mapped at init; GICD_SGIR is write-only and
    // only raises the SGI on the listed interfaces.
    unsafe { Reg::<Wo>::at(GICD.load(Ordering::Relaxed), GICD_SGIR) }
        .write(crate::gic::sgir(targets, sgi));
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
            // SPIs go to the boot CPU's interface (on a uniprocessor GIC
            // the register ignores writes)
            let m = BOOT_MASK.load(Ordering::Relaxed);
            let m = if m == 0 { 1 } else { m };
            core::ptr::write_volatile((d + prio_byte(GICD_ITARGETSR, id)) as *mut u8, m);
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
    let id = iar_id(iar, false);
    if let (Some(i), Some(slot)) = (id, SGI_IAR.get(super::cpu_index() as usize)) {
        if i < 16 {
            slot.store(iar, Ordering::Relaxed);
        }
    }
    id
}

fn eoi(id: u32) {
    // an SGI ends with its source CPU, as acknowledged (this CPU's top
    // half takes one interrupt at a time)
    let v = match SGI_IAR.get(super::cpu_index() as usize) {
        Some(slot) if id < 16 => {
            let iar = slot.load(Ordering::Relaxed);
            if iar & 0x3ff == id {
                iar
            } else {
                id
            }
        }
        _ => id,
    };
    // SAFETY: as ack.
    unsafe { Reg::<Wo>::at(GICC.load(Ordering::Relaxed), GICC_EOIR) }.write(v);
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
