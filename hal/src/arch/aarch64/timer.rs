//! The architected timer, virtual instance (CNTV_*): a periodic tick.

use core::sync::atomic::{AtomicU64, Ordering};

static PERIOD: AtomicU64 = AtomicU64::new(0);

use crate::gic::tick_period as period;

/// Start ticking at `hz`.
pub fn start(hz: u32) {
    let p = period(super::cycles_per_sec(), hz);
    PERIOD.store(p, Ordering::Relaxed);
    // SAFETY: CNTV_TVAL/CTL are EL1-accessible; this only arms the timer.
    unsafe {
        core::arch::asm!("msr cntv_tval_el0, {}", "mov {t}, #1", "msr cntv_ctl_el0, {t}", "isb",
                         in(reg) p, t = out(reg) _, options(nostack));
    }
}

/// Arm the next tick (the top half calls this for the timer's interrupt).
pub fn rearm() {
    let p = PERIOD.load(Ordering::Relaxed);
    // SAFETY: as start.
    unsafe { core::arch::asm!("msr cntv_tval_el0, {}", "isb", in(reg) p, options(nostack)) };
}
