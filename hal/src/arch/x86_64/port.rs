//! I/O port access.

/// Write a byte to an I/O port.
///
/// # Safety
/// The port must belong to a device whose side effects the caller owns.
pub unsafe fn outb(port: u16, v: u8) {
    // SAFETY: the caller owns the port (see above).
    unsafe { core::arch::asm!("out dx, al", in("dx") port, in("al") v, options(nomem, nostack)) };
}

/// Write a 32-bit value to an I/O port.
///
/// # Safety
/// As for `outb`.
pub unsafe fn outl(port: u16, v: u32) {
    // SAFETY: the caller owns the port (see above).
    unsafe { core::arch::asm!("out dx, eax", in("dx") port, in("eax") v, options(nomem, nostack)) };
}

/// Read a byte from an I/O port.
///
/// # Safety
/// As for `outb`: reads can have side effects on devices.
pub unsafe fn inb(port: u16) -> u8 {
    let v: u8;
    // SAFETY: the caller owns the port (see above).
    unsafe { core::arch::asm!("in al, dx", in("dx") port, out("al") v, options(nomem, nostack)) };
    v
}
