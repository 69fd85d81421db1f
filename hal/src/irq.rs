//! The interrupt layer's arch-neutral half: the interrupt controller is
//! reached through an operations table (`IrqChip`) chosen at run time from
//! the platform description, and the top half turns each interrupt into a
//! bus event through the kernel's interrupt-safe post path.

use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

/// What differs between interrupt controllers. `name` ends in NUL (C
/// reads it); `ack` returns None on vectored controllers.
#[cfg_attr(test, allow(dead_code))]
pub struct IrqChip {
    /// Printable name ("gicv2").
    pub name: &'static str,
    /// Bring the controller up for this CPU (bases from the platform).
    pub init: fn(base: usize, base2: usize) -> Result<(), crate::errno::Errno>,
    /// Let interrupt `id` through (priority, group, enable).
    pub enable: fn(id: u32),
    /// Take the highest pending interrupt; None when spurious.
    pub ack: fn() -> Option<u32>,
    /// Signal the end of interrupt `id`.
    pub eoi: fn(id: u32),
}

static CHIP: AtomicPtr<IrqChip> = AtomicPtr::new(core::ptr::null_mut());
/// The timer's interrupt id (it is re-armed in the top half).
pub static TIMER_ID: AtomicU32 = AtomicU32::new(u32::MAX);

/// Install the chip once it is initialised.
pub fn set_chip(c: &'static IrqChip) {
    CHIP.store(c as *const IrqChip as *mut IrqChip, Ordering::Release);
}

/// The chip in use, if any.
pub fn chip() -> Option<&'static IrqChip> {
    let p = CHIP.load(Ordering::Acquire);
    // SAFETY: only set_chip stores, and only &'static references.
    unsafe { p.as_ref() }
}

/// The bus line an interrupt id is posted on: ids below 256 map 1:1.
pub const fn line_of(id: u32) -> Option<u32> {
    if id < 256 { Some(id) } else { None }
}

/// The top half: acknowledge, re-arm the timer, post, end. Interrupt
/// context; returns to the interrupted code. (x86_64's APIC is vectored:
/// it uses handle_vector.)
#[cfg_attr(any(test, target_arch = "x86_64"), allow(dead_code))]
pub fn handle(rearm_timer: fn()) {
    let Some(c) = chip() else { return };
    while let Some(id) = (c.ack)() {
        if id == TIMER_ID.load(Ordering::Relaxed) {
            rearm_timer();
        }
        if let Some(line) = line_of(id) {
            crate::ffi::post_irq(line);
        }
        (c.eoi)(id);
    }
}

/// The top half for vectored controllers (x86_64's APIC): the stub knows
/// the vector. The spurious vector gets no end-of-interrupt.
#[cfg_attr(any(test, target_arch = "aarch64"), allow(dead_code))]
pub fn handle_vector(id: u32, spurious: u32) {
    let Some(c) = chip() else { return };
    if id == spurious {
        return;
    }
    if let Some(line) = line_of(id) {
        crate::ffi::post_irq(line);
    }
    (c.eoi)(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_bus_lines() {
        assert_eq!(line_of(27), Some(27));
        assert_eq!(line_of(255), Some(255));
        assert_eq!(line_of(1020), None);
    }
}
