//! The kernel's inter-processor interrupt: SGI `gic::IPI_SGI` on either
//! GIC. The boot CPU enables it in irq_init, every other CPU in
//! cpu_irq_init; ipi_send raises it at one CPU (GICv2: GICD_SGIR with
//! that CPU's interface bit; GICv3: ICC_SGI1R_EL1 with its affinity),
//! and the top half (irq::handle) calls the kernel's smp_ipi_entry for
//! it instead of posting it on the bus. docs/SMP_AARCH64.md.

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};

use super::{gicv2, gicv3};
use crate::errno::Errno;
use crate::ffi::HAL_CPUS_MAX;
use crate::gic::IPI_SGI;

const N: usize = HAL_CPUS_MAX as usize;

/// The GIC irq_init brought up (2 or 3; 0 before).
static KIND: AtomicU32 = AtomicU32::new(0);
/// By CPU index: its MPIDR affinity (hal_cpu_start's hw_id; the CPU
/// writes what it reads itself in cpu_irq_init).
static HW_ID: [AtomicU64; N] = [const { AtomicU64::new(0) }; N];
/// By CPU index: its GICv2 CPU interface mask (0: unknown).
static TARGET: [AtomicU8; N] = [const { AtomicU8::new(0) }; N];
/// By CPU index: its side of the GIC is set up for the IPI; HW_ID and
/// TARGET are written before it (Release) and read after it (Acquire).
static READY: [AtomicBool; N] = [const { AtomicBool::new(false) }; N];

extern "C" {
    /// The kernel's side of an IPI (kernel/smp.c, aegis/smp.h).
    fn smp_ipi_entry();
}

/// After irq_init brought the GIC up on the boot CPU (index 0): its
/// IPI's SGI enabled, its affinity and interface mask recorded.
pub fn boot_init(kind: u32, chip: &crate::irq::IrqChip) {
    (chip.enable)(IPI_SGI);
    HW_ID[0].store(super::cpu_hw_id(), Ordering::Relaxed);
    if kind == 2 {
        TARGET[0].store(gicv2::own_mask(), Ordering::Relaxed);
    }
    KIND.store(kind, Ordering::Relaxed);
    READY[0].store(true, Ordering::Release);
}

/// hal_cpu_start is about to start CPU `index` with MPIDR affinity
/// `hw_id`: recorded, unless that index is a CPU already set up (which
/// the firmware refuses as ALREADY_ON; CPUs are never stopped, so an
/// index, once set up, stays so). It takes no IPI until its cpu_irq_init.
pub fn note_start(index: u32, hw_id: u64) {
    if let (Some(r), Some(h)) = (READY.get(index as usize), HW_ID.get(index as usize)) {
        if !r.load(Ordering::Acquire) {
            h.store(hw_id, Ordering::Relaxed);
        }
    }
}

/// hal_cpu_irq_init on this CPU: its GIC side for the IPI (gicv2 /
/// gicv3 cpu_init), then it may be sent IPIs.
pub fn cpu_irq_init() -> Result<(), Errno> {
    let index = super::cpu_index();
    let i = index as usize;
    if i >= N {
        return Err(Errno::EINVAL);
    }
    let kind = KIND.load(Ordering::Relaxed);
    if index == 0 && kind != 0 {
        return Ok(()); // the boot CPU's is irq_init's work
    }
    let me = super::cpu_hw_id();
    match kind {
        2 => {
            let mask = gicv2::cpu_init(IPI_SGI)?;
            if mask == 0 {
                return Err(Errno::ENODEV);
            }
            TARGET[i].store(mask, Ordering::Relaxed);
        }
        3 => {
            if me & 0xff >= 16 && !gicv3::range_selector() {
                return Err(Errno::ENODEV); // no SGI can name this CPU
            }
            gicv3::cpu_init(IPI_SGI)?;
        }
        _ => return Err(Errno::ENODEV),
    }
    HW_ID[i].store(me, Ordering::Relaxed);
    READY[i].store(true, Ordering::Release);
    Ok(())
}

/// hal_ipi_send: raise the IPI at CPU `index`.
pub fn send(index: u32) -> Result<(), Errno> {
    let kind = KIND.load(Ordering::Relaxed);
    if kind == 0 {
        return Err(Errno::ENODEV);
    }
    let i = index as usize;
    if i >= N || index == super::cpu_index() || !READY[i].load(Ordering::Acquire) {
        return Err(Errno::EINVAL);
    }
    // What the caller stored for the other CPU (the reason for the IPI)
    // is visible to it before the SGI is raised.
    // SAFETY: a barrier only.
    unsafe { core::arch::asm!("dsb ishst", options(nostack)) };
    if kind == 2 {
        let mask = TARGET[i].load(Ordering::Relaxed);
        if mask == 0 {
            return Err(Errno::EINVAL);
        }
        gicv2::send_sgi(mask, IPI_SGI);
    } else {
        gicv3::send_sgi(HW_ID[i].load(Ordering::Relaxed), IPI_SGI);
    }
    Ok(())
}

/// The IPI arrived (the top half, interrupt context): the kernel's side.
pub fn receive() {
    // SAFETY: smp_ipi_entry runs in interrupt context by contract, as it
    // is here (inside irq::enter/leave, interrupts masked).
    unsafe { smp_ipi_entry() }
}
