//! The Arm PL011 UART, polled.

use crate::mmio::{Reg, Ro, Rw, Wo};

const DR: usize = 0x00;
const FR: usize = 0x18;
const IBRD: usize = 0x24;
const FBRD: usize = 0x28;
const LCR_H: usize = 0x2c;
const CR: usize = 0x30;
const IMSC: usize = 0x38;
const FR_TXFF: u32 = 1 << 5;
const FR_BUSY: u32 = 1 << 3;

/// 115200 8N1 from QEMU virt's 24 MHz UART clock, FIFOs on, no interrupts.
pub fn init(base: usize) {
    // SAFETY: `base` is the PL011 the device tree named as the console,
    // identity-mapped as device memory by the boot code.
    let (fr, cr, ibrd, fbrd, lcr, imsc) = unsafe {
        (
            Reg::<Ro>::at(base, FR),
            Reg::<Rw>::at(base, CR),
            Reg::<Wo>::at(base, IBRD),
            Reg::<Wo>::at(base, FBRD),
            Reg::<Rw>::at(base, LCR_H),
            Reg::<Rw>::at(base, IMSC),
        )
    };
    cr.write(0);
    for _ in 0..100_000 {
        if fr.read() & FR_BUSY == 0 {
            break;
        }
    }
    imsc.write(0);
    ibrd.write(13); // 24e6 / (16 * 115200) = 13.02
    fbrd.write(1);
    lcr.write(0x70); // 8 bits, FIFO enable
    cr.write(0x301); // UARTEN | TXE | RXE
}

/// Wait for room in the FIFO (bounded), then send one byte.
pub fn putc(base: usize, c: u8) {
    // SAFETY: as in `init`.
    let (fr, dr) = unsafe { (Reg::<Ro>::at(base, FR), Reg::<Wo>::at(base, DR)) };
    for _ in 0..100_000 {
        if fr.read() & FR_TXFF == 0 {
            break;
        }
    }
    dr.write(c as u32);
}
