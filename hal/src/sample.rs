//! The sampling profiler's half in the HAL: at each timer interrupt, while
//! sampling is on, the interrupted program counter goes into a ring that
//! the kernel's profiler service drains (hal_sample_take).
//!
//! A ring per CPU (CPUs 0..CPUS-1; a tick on a CPU beyond them is counted
//! as dropped), each with one producer (that CPU's timer top half) and one
//! consumer (the profiler, in thread or handler context): the producer
//! writes the slot, then publishes the new head with release ordering; the
//! consumer reads up to the head with acquire ordering and then moves the
//! tail. A full ring drops the sample and counts it.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Samples each CPU's ring holds (a power of two): the profiler drains
/// them at every tick of the boot CPU.
pub const RING: usize = 2048;
/// CPUs with a ring of their own.
pub const CPUS: usize = 8;

static ON: AtomicBool = AtomicBool::new(false);
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU64 = AtomicU64::new(0);
static HEAD: [AtomicU64; CPUS] = [ZERO; CPUS]; // samples written
static TAIL: [AtomicU64; CPUS] = [ZERO; CPUS]; // samples taken
static BY_CPU: [AtomicU64; CPUS] = [ZERO; CPUS]; // recorded since boot
static DROPPED: AtomicU64 = AtomicU64::new(0);
static TOTAL: AtomicU64 = AtomicU64::new(0);
#[allow(clippy::declare_interior_mutable_const)]
const ZRING: [AtomicU64; RING] = [ZERO; RING];
static SLOTS: [[AtomicU64; RING]; CPUS] = [ZRING; CPUS];

/// Turn sampling on or off.
pub fn enable(on: bool) {
    ON.store(on, Ordering::Release);
}

/// The timer's top half on CPU `cpu`: record `pc` if sampling is on.
#[cfg_attr(test, allow(dead_code))]
pub fn record(cpu: usize, pc: u64) {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    TOTAL.fetch_add(1, Ordering::Relaxed);
    if cpu >= CPUS {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    BY_CPU[cpu].fetch_add(1, Ordering::Relaxed);
    let head = HEAD[cpu].load(Ordering::Relaxed);
    if head.wrapping_sub(TAIL[cpu].load(Ordering::Acquire)) >= RING as u64 {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    SLOTS[cpu][(head as usize) & (RING - 1)].store(pc, Ordering::Relaxed);
    HEAD[cpu].store(head.wrapping_add(1), Ordering::Release);
}

/// Move up to `out.len()` samples into `out`, each CPU's oldest first,
/// CPU 0's before CPU 1's; how many.
pub fn take(out: &mut [u64]) -> usize {
    let mut n = 0;
    for cpu in 0..CPUS {
        let tail = TAIL[cpu].load(Ordering::Relaxed);
        let head = HEAD[cpu].load(Ordering::Acquire);
        let k = core::cmp::min(head.wrapping_sub(tail) as usize, out.len() - n);
        for (i, o) in out[n..n + k].iter_mut().enumerate() {
            *o = SLOTS[cpu][(tail.wrapping_add(i as u64) as usize) & (RING - 1)]
                .load(Ordering::Relaxed);
        }
        TAIL[cpu].store(tail.wrapping_add(k as u64), Ordering::Release);
        n += k;
    }
    n
}

/// (samples recorded since boot, samples dropped because a ring was full
/// or the CPU had none)
pub fn counts() -> (u64, u64) {
    (
        TOTAL.load(Ordering::Relaxed),
        DROPPED.load(Ordering::Relaxed),
    )
}

/// Samples CPU `cpu` recorded since boot (0 beyond CPUS).
pub fn count_on(cpu: usize) -> u64 {
    BY_CPU.get(cpu).map_or(0, |c| c.load(Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test owns the statics: the rings are global.
    #[test]
    fn rings_record_take_and_drop_per_cpu() {
        let mut out = [0u64; 16];
        record(0, 1); // off: nothing
        assert_eq!(take(&mut out), 0);
        enable(true);
        for pc in 100..110 {
            record(0, pc);
        }
        assert_eq!(take(&mut out[..4]), 4);
        assert_eq!(&out[..4], &[100, 101, 102, 103]);
        assert_eq!(take(&mut out), 6);
        assert_eq!(out[5], 109);
        // two CPUs: each ring in its order, CPU 0's first
        record(3, 300);
        record(0, 200);
        record(3, 301);
        assert_eq!(take(&mut out), 3);
        assert_eq!(&out[..3], &[200, 300, 301]);
        assert_eq!((count_on(0), count_on(3), count_on(1)), (11, 2, 0));
        // a CPU without a ring: counted, dropped
        record(CPUS, 5);
        assert_eq!(counts(), (14, 1));
        // a full ring drops, the others go on
        for pc in 0..(RING as u64 + 5) {
            record(1, pc);
        }
        record(2, 77);
        let (total, dropped) = counts();
        assert_eq!(dropped, 1 + 5);
        assert_eq!(total, 14 + RING as u64 + 5 + 1);
        let mut big = [0u64; 64];
        assert_eq!(take(&mut big), 64);
        assert_eq!(big[0], 0);
        let mut rest = [0u64; RING];
        assert_eq!(take(&mut rest), RING - 64 + 1);
        assert_eq!(rest[RING - 64], 77);
        enable(false);
        record(0, 7);
        assert_eq!(counts().0, total);
    }
}
