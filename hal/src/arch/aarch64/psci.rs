//! PSCI calls, through HVC or SMC as the device tree's /psci says.

use core::sync::atomic::{AtomicBool, Ordering};

static USE_SMC: AtomicBool = AtomicBool::new(false);
const SYSTEM_OFF: u64 = 0x8400_0008;

pub fn set_conduit(smc: bool) {
    USE_SMC.store(smc, Ordering::Relaxed);
}

/// Ask the firmware (QEMU) to power off. Returns only if it refuses.
pub fn system_off() {
    // SAFETY: PSCI calls clobber x0-x3 at most (SMCCC) and touch no memory
    // of ours.
    unsafe {
        if USE_SMC.load(Ordering::Relaxed) {
            core::arch::asm!("smc #0", inout("x0") SYSTEM_OFF => _, out("x1") _,
                             out("x2") _, out("x3") _, options(nomem, nostack));
        } else {
            core::arch::asm!("hvc #0", inout("x0") SYSTEM_OFF => _, out("x1") _,
                             out("x2") _, out("x3") _, options(nomem, nostack));
        }
    }
}
