//! PSCI calls, through HVC or SMC as the device tree's /psci says.

use core::sync::atomic::{AtomicBool, Ordering};

static USE_SMC: AtomicBool = AtomicBool::new(false);
const SYSTEM_OFF: u64 = 0x8400_0008;
const SYSTEM_RESET: u64 = 0x8400_0009;

pub fn set_conduit(smc: bool) {
    USE_SMC.store(smc, Ordering::Relaxed);
}

/// Make the argument-less PSCI call `fid` through the chosen conduit;
/// returns the firmware's status (x0), if the call returns at all.
fn call(fid: u64) -> u64 {
    let ret: u64;
    // SAFETY: PSCI calls clobber x0-x3 at most (SMCCC) and touch no memory
    // of ours.
    unsafe {
        if USE_SMC.load(Ordering::Relaxed) {
            core::arch::asm!("smc #0", inout("x0") fid => ret, out("x1") _,
                             out("x2") _, out("x3") _, options(nomem, nostack));
        } else {
            core::arch::asm!("hvc #0", inout("x0") fid => ret, out("x1") _,
                             out("x2") _, out("x3") _, options(nomem, nostack));
        }
    }
    ret
}

/// Ask the firmware (QEMU) to power off. Returns only if it refuses.
pub fn system_off() {
    call(SYSTEM_OFF);
}

/// Ask the firmware (QEMU) to reset the machine. Returns only if it
/// refuses.
pub fn system_reset() {
    call(SYSTEM_RESET);
}
