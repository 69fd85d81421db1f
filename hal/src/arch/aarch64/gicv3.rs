//! GICv3: distributor, this CPU's redistributor, and the system-register
//! CPU interface.

use crate::errno::Errno;
use crate::gic::{bit_reg, iar_id, prio_byte};
use crate::irq::IrqChip;
use crate::mmio::{Reg, Rw, Wo};
use core::sync::atomic::{AtomicUsize, Ordering};

static GICR_SGI: AtomicUsize = AtomicUsize::new(0);

const GICD_CTLR: usize = 0x0000;
const GICR_WAKER: usize = 0x0014;
const SGI_FRAME: usize = 0x1_0000;
const GICR_IGROUPR0: usize = 0x0080;
const GICR_ISENABLER0: usize = 0x0100;
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
    Ok(())
}

fn enable(id: u32) {
    // PPIs and SGIs only (ids below 32) are configured here; SPIs come
    // with the first device that needs one.
    if id >= 32 {
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
pub static CHIP: IrqChip = IrqChip { name: "gicv3\0", init, enable, ack, eoi };
