//! The sampling profiler's half in the HAL: at each timer interrupt, while
//! sampling is on, the interrupted program counter goes into a ring that
//! the kernel's profiler service drains (hal_sample_take).
//!
//! One producer (the timer's top half, on the one dispatching CPU) and one
//! consumer (the profiler, in thread or handler context): the producer
//! writes the slot, then publishes the new head with release ordering; the
//! consumer reads up to the head with acquire ordering and then moves the
//! tail. A full ring drops the sample and counts it.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Samples the ring holds (a power of two).
pub const RING: usize = 8192;

static ON: AtomicBool = AtomicBool::new(false);
static HEAD: AtomicU64 = AtomicU64::new(0); // samples written
static TAIL: AtomicU64 = AtomicU64::new(0); // samples taken
static DROPPED: AtomicU64 = AtomicU64::new(0);
static TOTAL: AtomicU64 = AtomicU64::new(0);
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU64 = AtomicU64::new(0);
static SLOTS: [AtomicU64; RING] = [ZERO; RING];

/// Turn sampling on or off.
pub fn enable(on: bool) {
    ON.store(on, Ordering::Release);
}

/// The timer's top half: record `pc` if sampling is on.
#[cfg_attr(test, allow(dead_code))]
pub fn record(pc: u64) {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    TOTAL.fetch_add(1, Ordering::Relaxed);
    let head = HEAD.load(Ordering::Relaxed);
    if head.wrapping_sub(TAIL.load(Ordering::Acquire)) >= RING as u64 {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    SLOTS[(head as usize) & (RING - 1)].store(pc, Ordering::Relaxed);
    HEAD.store(head.wrapping_add(1), Ordering::Release);
}

/// Move up to `out.len()` samples, oldest first, into `out`; how many.
pub fn take(out: &mut [u64]) -> usize {
    let tail = TAIL.load(Ordering::Relaxed);
    let head = HEAD.load(Ordering::Acquire);
    let n = core::cmp::min(head.wrapping_sub(tail) as usize, out.len());
    for (i, o) in out.iter_mut().enumerate().take(n) {
        *o = SLOTS[(tail.wrapping_add(i as u64) as usize) & (RING - 1)].load(Ordering::Relaxed);
    }
    TAIL.store(tail.wrapping_add(n as u64), Ordering::Release);
    n
}

/// (samples recorded since boot, samples dropped because the ring was full)
pub fn counts() -> (u64, u64) {
    (
        TOTAL.load(Ordering::Relaxed),
        DROPPED.load(Ordering::Relaxed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test owns the statics: the ring is global.
    #[test]
    fn ring_records_takes_and_drops() {
        let mut out = [0u64; 16];
        record(1); // off: nothing
        assert_eq!(take(&mut out), 0);
        enable(true);
        for pc in 100..110 {
            record(pc);
        }
        assert_eq!(take(&mut out[..4]), 4);
        assert_eq!(&out[..4], &[100, 101, 102, 103]);
        assert_eq!(take(&mut out), 6);
        assert_eq!(out[5], 109);
        for pc in 0..(RING as u64 + 5) {
            record(pc);
        }
        let (total, dropped) = counts();
        assert_eq!(dropped, 5);
        assert_eq!(total, 10 + RING as u64 + 5);
        let mut big = [0u64; 64];
        assert_eq!(take(&mut big), 64);
        assert_eq!(big[0], 0);
        enable(false);
        record(7);
        assert_eq!(counts().0, total);
    }
}
