//! The kernel's inter-processor interrupt on x86_64: a fixed IPI on
//! vector `apic::IPI_VECTOR` (0xfe), sent by local APIC id with a
//! physical destination (docs/SMP_X86_64.md, "Inter-processor
//! interrupts").
//!
//! The boot CPU becomes a target in irq_init (its local APIC is the one
//! hal_irq_init set up), every other CPU in cpu_irq_init, which checks
//! its local APIC and records the id it reads there. send writes the
//! ICR; the IDT's stub for the vector leads to x86_trap, which calls
//! receive: the kernel's smp_ipi_entry inside irq::enter/leave, then the
//! end of interrupt. The IPI is never posted on the bus.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::apic;
use crate::errno::Errno;
use crate::ffi::HAL_CPUS_MAX;

const N: usize = HAL_CPUS_MAX as usize;
/// No CPU (DEST): not a target yet.
const NONE: u64 = u64::MAX;

/// hal_irq_init has brought the local APIC up on the boot CPU.
static UP: AtomicBool = AtomicBool::new(false);
/// By CPU index: the local APIC id IPIs to it name, once that CPU can
/// take them (written by the CPU itself, Release; read Acquire).
static DEST: [AtomicU64; N] = [const { AtomicU64::new(NONE) }; N];

#[cfg(not(test))]
extern "C" {
    /// The kernel's side of an IPI (kernel/smp.c, aegis/smp.h).
    fn smp_ipi_entry();
}

/// Host tests link no kernel.
#[cfg(test)]
unsafe fn smp_ipi_entry() {}

/// After irq_init brought the local APIC up on the boot CPU (index 0):
/// it may be sent IPIs, and send them.
pub fn boot_init() {
    DEST[0].store(apic::lapic_id() as u64, Ordering::Release);
    UP.store(true, Ordering::Release);
}

/// hal_cpu_irq_init on this CPU. The boot CPU's APIC is irq_init's work
/// (0 once it is done). A started CPU: its local APIC checked and set for
/// fixed interrupts (apic::ap_irq_setup), the shared IDT checked, then
/// its APIC id recorded: from then on it may be sent IPIs. -ENODEV
/// before hal_irq_init, or when the APIC or the IDT is not the one the
/// HAL set up; -EIO when the APIC does not keep its settings.
pub fn cpu_irq_init() -> Result<(), Errno> {
    if !UP.load(Ordering::Acquire) {
        return Err(Errno::ENODEV);
    }
    let i = super::cpu_index() as usize;
    if i == 0 {
        return Ok(());
    }
    if i >= N {
        return Err(Errno::EINVAL);
    }
    if !super::cpu::idt_loaded() {
        return Err(Errno::ENODEV);
    }
    let id = super::without_interrupts(apic::ap_irq_setup)?;
    DEST[i].store(id as u64, Ordering::Release);
    Ok(())
}

/// hal_ipi_send: a fixed IPI of IPI_VECTOR to CPU `index`'s local APIC.
/// -ENODEV before hal_irq_init; -EINVAL for this CPU, an index of
/// HAL_CPUS_MAX or more, or a CPU that is not a target (never started,
/// or its cpu_irq_init not done or failed); -EIO when an xAPIC kept the
/// IPI pending for 10 ms.
pub fn send(index: u32) -> Result<(), Errno> {
    if !UP.load(Ordering::Acquire) {
        return Err(Errno::ENODEV);
    }
    let i = index as usize;
    if i >= N || index == super::cpu_index() {
        return Err(Errno::EINVAL);
    }
    let dest = DEST[i].load(Ordering::Acquire);
    if dest == NONE {
        return Err(Errno::EINVAL);
    }
    // send_ipi orders the caller's earlier stores (the IPI's reason)
    // before the ICR write.
    apic::send_ipi(
        dest as u32,
        apic::icr_fixed(apic::IPI_VECTOR),
        super::cycles_per_sec() / 100,
    )
}

/// The IPI arrived (from x86_trap, interrupts masked): the kernel's side
/// in the top half (hal_in_irq is true), then the end of interrupt; not a
/// bus line. Then the kernel's irq_exit, as after any interrupt: every
/// CPU runs threads, and the end of an interrupt is where one in user
/// mode that is being killed ends, and where a preemptible one yields to
/// waiting bus work or to a more urgent thread (an IPI is how another
/// CPU asks for that).
pub fn receive(from_user: bool, frame: *mut core::ffi::c_void) {
    crate::irq::enter();
    // SAFETY: smp_ipi_entry runs in interrupt context by contract, as it
    // does here (inside irq::enter/leave, interrupts masked).
    unsafe { smp_ipi_entry() };
    apic::end_of_interrupt();
    crate::irq::leave();
    crate::ffi::irq_exit(from_user, frame);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_before_and_after_irq_init() {
        // nothing is a target before hal_irq_init, and nothing is sent
        assert_eq!(send(1), Err(Errno::ENODEV));
        assert_eq!(cpu_irq_init(), Err(Errno::ENODEV));
        // as if irq_init had run on this (host) CPU as index 0
        UP.store(true, Ordering::Release);
        assert_eq!(send(HAL_CPUS_MAX), Err(Errno::EINVAL));
        assert_eq!(send(u32::MAX), Err(Errno::EINVAL));
        assert_eq!(send(1), Err(Errno::EINVAL)); // never a target
        UP.store(false, Ordering::Release);
    }
}
