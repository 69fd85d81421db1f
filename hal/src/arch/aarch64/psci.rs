//! PSCI calls, through HVC or SMC as the device tree's /psci says (SMC
//! Calling Convention: function id in x0, arguments in x1-x3, the result
//! in x0; x4-x17 are not promised to survive).

use core::sync::atomic::{AtomicU8, Ordering};

/// The conduit: none named yet, HVC or SMC.
static CONDUIT: AtomicU8 = AtomicU8::new(NONE);
const NONE: u8 = 0;
const HVC: u8 = 1;
const SMC: u8 = 2;

const SYSTEM_OFF: u64 = 0x8400_0008;
const SYSTEM_RESET: u64 = 0x8400_0009;

pub fn set_conduit(smc: bool) {
    CONDUIT.store(if smc { SMC } else { HVC }, Ordering::Relaxed);
}

/// Whether the platform named a conduit (hal_set_platform /
/// hal_set_psci_conduit).
pub fn conduit_known() -> bool {
    CONDUIT.load(Ordering::Relaxed) != NONE
}

/// Make PSCI call `fid` with three arguments through the chosen conduit
/// (HVC when none was named); returns the firmware's status (x0, signed),
/// if the call returns at all.
fn call(fid: u64, a1: u64, a2: u64, a3: u64) -> i64 {
    let ret: u64;
    // SAFETY: a PSCI call returns its result in x0 and may leave x1-x17
    // changed (SMCCC); it touches no memory of ours (CPU_ON's context id
    // is only handed to the started CPU).
    unsafe {
        if CONDUIT.load(Ordering::Relaxed) == SMC {
            core::arch::asm!("smc #0", inout("x0") fid => ret, inout("x1") a1 => _,
                             inout("x2") a2 => _, inout("x3") a3 => _,
                             clobber_abi("C"), options(nostack));
        } else {
            core::arch::asm!("hvc #0", inout("x0") fid => ret, inout("x1") a1 => _,
                             inout("x2") a2 => _, inout("x3") a3 => _,
                             clobber_abi("C"), options(nostack));
        }
    }
    ret as i64
}

/// Ask the firmware (QEMU) to power off. Returns only if it refuses.
pub fn system_off() {
    call(SYSTEM_OFF, 0, 0, 0);
}

/// Ask the firmware (QEMU) to reset the machine. Returns only if it
/// refuses.
pub fn system_reset() {
    call(SYSTEM_RESET, 0, 0, 0);
}

/// CPU_ON (64-bit): start the CPU whose MPIDR affinity is `target` at
/// physical address `entry`, with `context` in its x0. The firmware's
/// return code (0: the CPU is on its way), or None without a conduit.
pub fn cpu_on(target: u64, entry: u64, context: u64) -> Option<i64> {
    if !conduit_known() {
        return None;
    }
    Some(call(crate::psci::FN64_CPU_ON, target, entry, context))
}
