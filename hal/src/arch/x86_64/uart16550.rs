//! The 16550 UART (PC COM ports): polled output, receive by interrupt.

use super::port::{inb, outb};

const THR: u16 = 0; // transmit holding (DLAB=0)
const IER: u16 = 1; // interrupt enable (DLAB=0)
const DLL: u16 = 0; // divisor low (DLAB=1)
const DLM: u16 = 1; // divisor high (DLAB=1)
const FCR: u16 = 2;
const LCR: u16 = 3;
const MCR: u16 = 4;
const LSR: u16 = 5;
const SCR: u16 = 7; // scratch
const LSR_THRE: u8 = 1 << 5;
const LSR_DR: u8 = 1 << 0; // data ready
const IER_RX: u8 = 1 << 0; // received data available (and FIFO timeout)
const MCR_OUT2: u8 = 1 << 3; // gates the UART's interrupt line on PCs

/// 115200 baud, 8N1, FIFOs on, interrupts off.
pub fn init(base: u16) {
    // SAFETY: `base` is COM1, owned by the HAL console.
    unsafe {
        outb(base + IER, 0x00);
        outb(base + LCR, 0x80); // DLAB
        outb(base + DLL, 0x01); // 115200 = 115200 / 1
        outb(base + DLM, 0x00);
        outb(base + LCR, 0x03); // 8N1
        outb(base + FCR, 0x07); // FIFO on, cleared, 1-byte threshold
        outb(base + MCR, 0x03); // DTR, RTS
    }
}

/// Wait for room, then send one byte.
pub fn putc(base: u16, c: u8) {
    // Bounded wait: a missing UART must not hang the kernel forever.
    for _ in 0..100_000 {
        // SAFETY: reading LSR has no side effects.
        if unsafe { inb(base + LSR) } & LSR_THRE != 0 {
            break;
        }
    }
    // SAFETY: writing THR sends a byte.
    unsafe { outb(base + THR, c) };
}

/// Whether a UART answers at `base`: its scratch register keeps what is
/// written (an empty port reads back 0xff).
pub fn present(base: u16) -> bool {
    // SAFETY: the scratch register has no function but storage.
    unsafe {
        outb(base + SCR, 0x5a);
        if inb(base + SCR) != 0x5a {
            return false;
        }
        outb(base + SCR, 0xa5);
        inb(base + SCR) == 0xa5
    }
}

/// Make the interrupt line fall and rise again if data is waiting: on an
/// edge-triggered line (the ISA convention) an edge that came while the
/// line was masked is lost, and the line stays high while the FIFO holds
/// data, so without this no new edge would ever come.
pub fn rx_rearm(base: u16) {
    // SAFETY: rewriting IER only re-evaluates the UART's interrupt.
    unsafe {
        outb(base + IER, 0);
        outb(base + IER, IER_RX);
    }
}

/// Interrupt when a byte arrives (the receive FIFO is not empty).
pub fn rx_enable(base: u16) {
    // SAFETY: `base` is COM1, owned by the HAL console.
    unsafe {
        outb(base + MCR, 0x03 | MCR_OUT2);
        outb(base + IER, IER_RX);
    }
}

/// One received byte, or None when the receive FIFO is empty. Reading the
/// last byte clears the receive interrupt.
pub fn getc(base: u16) -> Option<u8> {
    // SAFETY: reading LSR has no side effects; RBR is read only when LSR
    // says a byte is there.
    unsafe {
        if inb(base + LSR) & LSR_DR == 0 {
            return None;
        }
        Some(inb(base + THR))
    }
}
