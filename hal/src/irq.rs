//! The interrupt layer's arch-neutral half: the interrupt controller is
//! reached through an operations table (`IrqChip`) chosen at run time from
//! the platform description, and the top half turns each interrupt into a
//! bus event through the kernel's interrupt-safe post path.

use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};

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
    /// Hold interrupt `id` back at the controller (the top half does this
    /// for device lines before posting them).
    pub mask: fn(id: u32),
    /// Let interrupt `id` through again (its owner's acknowledgement).
    pub unmask: fn(id: u32),
}

/// Lines a driver enabled, one bit each: only these may be unmasked.
static ENABLED: [AtomicU64; 4] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

/// Record that `line` is in use (after the chip enabled it).
pub fn mark_enabled(line: u32) {
    if let Some((w, b)) = line_bit(line) {
        ENABLED[w].fetch_or(b, Ordering::Relaxed);
    }
}

/// Whether `line` was enabled by a driver.
pub fn is_enabled(line: u32) -> bool {
    match line_bit(line) {
        Some((w, b)) => ENABLED[w].load(Ordering::Relaxed) & b != 0,
        None => false,
    }
}

/// The word and bit of a line in a 256-bit set.
pub const fn line_bit(line: u32) -> Option<(usize, u64)> {
    if line < 256 {
        Some(((line / 64) as usize, 1 << (line % 64)))
    } else {
        None
    }
}

/// When the timer's last interrupt was due and when its top half ran
/// (cycle counter): the interrupt-latency benchmark reads them.
pub static TIMER_DUE: AtomicU64 = AtomicU64::new(0);
/// See TIMER_DUE.
pub static TIMER_TOP: AtomicU64 = AtomicU64::new(0);

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
    if id < 256 {
        Some(id)
    } else {
        None
    }
}

/// Deliver one acknowledged interrupt: the timer is re-armed (`timer`
/// returns when it was due) and posted; any other line is masked at the
/// controller first and stays masked until its owner handles the event
/// and calls hal_irq_unmask, so a device that keeps interrupting cannot
/// starve the bus. Then the end of interrupt. `pc`: where the interrupt
/// came in (a timer interrupt gives it to the sampling profiler).
fn deliver(c: &IrqChip, id: u32, timer: fn() -> u64, pc: u64) {
    if id == TIMER_ID.load(Ordering::Relaxed) && crate::arch::cpu_index() != 0 {
        // a secondary CPU's own tick: the kernel's, never the bus's
        timer();
        crate::sample::record(crate::arch::cpu_index() as usize, pc);
        (c.eoi)(id);
        cpu_tick();
        return;
    }
    if id == TIMER_ID.load(Ordering::Relaxed) {
        let top = crate::arch::cycles();
        TIMER_DUE.store(timer(), Ordering::Relaxed);
        TIMER_TOP.store(top, Ordering::Relaxed);
        crate::sample::record(0, pc);
    } else {
        (c.mask)(id);
    }
    if let Some(line) = line_of(id) {
        crate::ffi::post_irq(line);
    }
    (c.eoi)(id);
}

#[cfg(not(test))]
extern "C" {
    /// The kernel's side of a secondary CPU's timer tick (kernel/smp.c).
    fn smp_tick_entry();
}

fn cpu_tick() {
    #[cfg(not(test))]
    // SAFETY: the kernel's entry point, interrupt context, no arguments.
    unsafe {
        smp_tick_entry()
    };
}

/// How deep each CPU is in the top half (0: not in an interrupt), by
/// CPU index: for hal_in_irq. Only its own CPU writes an entry.
static DEPTH: [AtomicU32; crate::ffi::HAL_CPUS_MAX as usize] =
    [const { AtomicU32::new(0) }; crate::ffi::HAL_CPUS_MAX as usize];

fn depth_of_this_cpu() -> Option<&'static AtomicU32> {
    DEPTH.get(crate::arch::cpu_index() as usize)
}

/// The top half begins on this CPU (every entry from an interrupt
/// vector calls it first, the IPI's included).
pub fn enter() {
    if let Some(d) = depth_of_this_cpu() {
        d.fetch_add(1, Ordering::Relaxed);
    }
}

/// The top half's own work is over (before the kernel's irq_exit, which
/// may switch to another context).
pub fn leave() {
    if let Some(d) = depth_of_this_cpu() {
        d.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Is this CPU inside the top half?
pub fn in_irq() -> bool {
    depth_of_this_cpu().is_some_and(|d| d.load(Ordering::Relaxed) != 0)
}

/// The top half for controllers with an acknowledge register (GIC):
/// take every pending interrupt and deliver it; the kernel's
/// inter-processor interrupt (SGI `gic::IPI_SGI`) is no bus line: `ipi`
/// (the kernel's smp_ipi_entry) is called for it, then it ends.
/// Interrupt context; returns to the interrupted code. (x86_64's APIC is
/// vectored: it uses handle_vector.)
#[cfg_attr(any(test, target_arch = "x86_64"), allow(dead_code))]
pub fn handle(timer: fn() -> u64, ipi: fn(), from_user: bool, pc: u64, frame: *mut core::ffi::c_void) {
    let Some(c) = chip() else { return };
    enter();
    while let Some(id) = (c.ack)() {
        if id == crate::gic::IPI_SGI {
            ipi();
            (c.eoi)(id);
        } else {
            deliver(c, id, timer, pc);
        }
    }
    leave();
    crate::ffi::irq_exit(from_user, frame);
}

/// The top half for vectored controllers (x86_64's APIC): the stub knows
/// the vector. The spurious vector gets no end-of-interrupt.
#[cfg_attr(any(test, target_arch = "aarch64"), allow(dead_code))]
pub fn handle_vector(
    id: u32,
    spurious: u32,
    timer: fn() -> u64,
    from_user: bool,
    pc: u64,
    frame: *mut core::ffi::c_void,
) {
    let Some(c) = chip() else { return };
    if id == spurious {
        return;
    }
    enter();
    deliver(c, id, timer, pc);
    leave();
    crate::ffi::irq_exit(from_user, frame);
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

    #[test]
    fn line_bits_cover_256_lines() {
        assert_eq!(line_bit(0), Some((0, 1)));
        assert_eq!(line_bit(33), Some((0, 1 << 33)));
        assert_eq!(line_bit(64), Some((1, 1)));
        assert_eq!(line_bit(255), Some((3, 1 << 63)));
        assert_eq!(line_bit(256), None);
    }

    #[test]
    fn only_enabled_lines_count() {
        mark_enabled(200);
        assert!(is_enabled(200));
        assert!(!is_enabled(201));
        assert!(!is_enabled(300));
    }
}
