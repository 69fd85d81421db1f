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

/// Start this CPU's virtual timer at the period start gave the boot CPU
/// (the timer and its PPI are banked per CPU). Err(ENODEV) before start.
pub fn start_this_cpu() -> Result<(), crate::errno::Errno> {
    let p = PERIOD.load(Ordering::Relaxed);
    if p == 0 {
        return Err(crate::errno::Errno::ENODEV);
    }
    // SAFETY: as start.
    unsafe {
        core::arch::asm!("msr cntv_tval_el0, {}", "mov {t}, #1", "msr cntv_ctl_el0, {t}", "isb",
                         in(reg) p, t = out(reg) _, options(nostack));
    }
    Ok(())
}

/// Arm the next tick one period after the one that just fired, and say
/// when that one was due (the top half calls this for the timer's
/// interrupt). Ticks missed while the CPU was away are skipped, not
/// replayed.
pub fn rearm() -> u64 {
    let p = PERIOD.load(Ordering::Relaxed);
    let due: u64;
    // SAFETY: CNTV_CVAL_EL0 is EL1-accessible; reading it has no effect.
    unsafe { core::arch::asm!("mrs {}, cntv_cval_el0", out(reg) due, options(nomem, nostack)) };
    let next = crate::gic::next_deadline(due, p, super::cycles());
    // SAFETY: as start.
    unsafe { core::arch::asm!("msr cntv_cval_el0, {}", "isb", in(reg) next, options(nostack)) };
    due
}
