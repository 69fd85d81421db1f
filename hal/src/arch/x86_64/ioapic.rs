//! The I/O APIC: routes the platform's device interrupts (global system
//! interrupts, GSIs) to the local APIC as vectors. Its base address comes
//! from the platform description (hal_set_platform); each GSI n is given
//! vector `VECTOR_BASE + n`, which is also its bus line.
//!
//! Registers are reached through an index (IOREGSEL) and a data window
//! (IOWIN). Every redirection entry starts masked; a line is unmasked when
//! a driver enables it, masked again by the top half when it fires, and
//! unmasked by its owner's acknowledgement (hal_irq_unmask).

use crate::errno::Errno;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

const IOREGSEL: usize = 0x00;
const IOWIN: usize = 0x10;
const REG_VER: u32 = 0x01;
const REG_REDTBL: u32 = 0x10;

/// The vector of GSI 0; GSI n is VECTOR_BASE + n.
pub(crate) const VECTOR_BASE: u32 = 0x30;
/// Redirection-entry mask bit.
pub(crate) const MASKED: u64 = 1 << 16;
/// Level-triggered (else edge). (PCI lines will need it; ISA lines are
/// edge-triggered.)
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const LEVEL: u64 = 1 << 15;
/// Active low (else high).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const ACTIVE_LOW: u64 = 1 << 13;

static BASE: AtomicUsize = AtomicUsize::new(0);
/// Redirection entries this I/O APIC has (0: none found).
static ENTRIES: AtomicU32 = AtomicU32::new(0);

/// Entries in an I/O APIC from its version register (bits 23..16 hold the
/// highest entry's index); None when the value cannot be an I/O APIC's:
/// its version (bits 7..0) is 0x11 (82093AA) or 0x20 (chipset I/O
/// APICs), anything else (all ones: nothing decodes the address) is not.
pub const fn entries_from_version(ver: u32) -> Option<u32> {
    let v = ver & 0xff;
    if v != 0x11 && v != 0x20 {
        return None;
    }
    let n = ((ver >> 16) & 0xff) + 1;
    if n > 240 - VECTOR_BASE {
        None
    } else {
        Some(n)
    }
}

/// A redirection entry: fixed delivery, physical destination `dest` (a
/// local APIC id), `vector`, and the given flags (MASKED, LEVEL,
/// ACTIVE_LOW).
pub const fn redirection(vector: u32, dest: u32, flags: u64) -> u64 {
    ((dest as u64 & 0xff) << 56) | flags | (vector as u64 & 0xff)
}

/// The GSI a vector stands for, if it is one of this I/O APIC's.
pub fn gsi_of(vector: u32) -> Option<u32> {
    let n = ENTRIES.load(Ordering::Relaxed);
    if vector >= VECTOR_BASE && vector - VECTOR_BASE < n {
        Some(vector - VECTOR_BASE)
    } else {
        None
    }
}

// The index/window pair is one shared cursor: every access selects and
// uses it with interrupts masked, so a top half masking a line cannot move
// the cursor between another access's two steps.

fn read(reg: u32) -> u32 {
    let b = BASE.load(Ordering::Relaxed);
    super::without_interrupts(|| {
        // SAFETY: b is the I/O APIC from the platform description, below
        // 4 GiB, through the direct map (init); IOREGSEL/IOWIN are its
        // 32-bit registers.
        unsafe {
            core::ptr::write_volatile((b + IOREGSEL) as *mut u32, reg);
            core::ptr::read_volatile((b + IOWIN) as *const u32)
        }
    })
}

fn write(reg: u32, v: u32) {
    let b = BASE.load(Ordering::Relaxed);
    super::without_interrupts(|| {
        // SAFETY: as read.
        unsafe {
            core::ptr::write_volatile((b + IOREGSEL) as *mut u32, reg);
            core::ptr::write_volatile((b + IOWIN) as *mut u32, v);
        }
    })
}

fn write_entry(gsi: u32, e: u64) {
    // High half (destination) first, so the entry is never live with a
    // stale destination; the low half carries the mask bit.
    write(REG_REDTBL + 2 * gsi + 1, (e >> 32) as u32);
    write(REG_REDTBL + 2 * gsi, e as u32);
}

/// Find the I/O APIC at `base` (physical, below 4 GiB) and mask every
/// entry. -ENODEV when nothing answers there like an I/O APIC. Boot CPU,
/// interrupts masked.
pub fn init(base: usize) -> Result<u32, Errno> {
    if base == 0 || base >= 1 << 32 || base & 0xf != 0 {
        return Err(Errno::ENODEV);
    }
    BASE.store(base + super::DIRECT_MAP_OFFSET as usize, Ordering::Relaxed);
    let Some(n) = entries_from_version(read(REG_VER)) else {
        BASE.store(0, Ordering::Relaxed);
        return Err(Errno::ENODEV);
    };
    for gsi in 0..n {
        write_entry(gsi, redirection(VECTOR_BASE + gsi, 0, MASKED));
    }
    ENTRIES.store(n, Ordering::Relaxed);
    Ok(n)
}

/// Route `gsi` to `dest`'s local APIC, edge-triggered and active high (the
/// ISA convention), unmasked.
pub fn route(gsi: u32, dest: u32) {
    write_entry(gsi, redirection(VECTOR_BASE + gsi, dest, 0));
}

/// Set or clear the mask bit of `gsi`'s entry (the read-modify-write with
/// interrupts masked, as one step).
pub fn set_masked(gsi: u32, masked: bool) {
    super::without_interrupts(|| {
        let lo = read(REG_REDTBL + 2 * gsi) as u64;
        let lo = if masked { lo | MASKED } else { lo & !MASKED };
        write(REG_REDTBL + 2 * gsi, lo as u32);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_register_gives_entry_count() {
        assert_eq!(entries_from_version(0x0017_0011), Some(24)); // QEMU, 82093AA
        assert_eq!(entries_from_version(0x0017_0020), Some(24));
        assert_eq!(entries_from_version(u32::MAX), None);
        assert_eq!(entries_from_version(0), None); // not an I/O APIC's version
        assert_eq!(entries_from_version(0x00ff_0020), None); // more than vectors
    }

    #[test]
    fn redirection_entry_layout() {
        assert_eq!(redirection(0x34, 0, 0), 0x34);
        assert_eq!(redirection(0x34, 0, MASKED), 0x1_0034);
        assert_eq!(
            redirection(0x40, 3, LEVEL | ACTIVE_LOW),
            0x0300_0000_0000_a040
        );
    }
}
