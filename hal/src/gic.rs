//! GIC register arithmetic shared by the v2 and v3 drivers: pure, tested
//! on the host.
// Each arch uses its own part (GIC math on AArch64, LAPIC on x86_64).
#![allow(dead_code)]

/// Interrupt ids at or above this are special (1020-1023: spurious etc).
pub(crate) const SPECIAL: u32 = 1020;

/// The byte offset of the register holding bit `id` in a one-bit-per-
/// interrupt bank (ISENABLER, IGROUPR...) and the bit within it.
pub const fn bit_reg(bank: usize, id: u32) -> (usize, u32) {
    (bank + (id as usize / 32) * 4, 1 << (id % 32))
}

/// The byte offset of interrupt `id`'s priority byte in IPRIORITYR.
pub const fn prio_byte(bank: usize, id: u32) -> usize {
    bank + id as usize
}

/// The id in an IAR value (low 24 bits in v3, 10 in v2); None if special.
pub const fn iar_id(iar: u32, v3: bool) -> Option<u32> {
    let id = if v3 { iar & 0x00ff_ffff } else { iar & 0x3ff };
    if id >= SPECIAL {
        None
    } else {
        Some(id)
    }
}

/// Counter ticks between timer interrupts for `hz` per second (0 if hz
/// is 0); the rate error from rounding is below one tick per period.
pub const fn tick_period(freq: u64, hz: u32) -> u64 {
    if hz == 0 {
        0
    } else {
        freq / hz as u64
    }
}

/// LAPIC timer initial count for `hz` given the ticks counted in 10 ms
/// (at least 1, so the timer runs).
pub const fn lapic_count(per_10ms: u32, hz: u32) -> u32 {
    if hz == 0 {
        return 0;
    }
    let c = per_10ms as u64 * 100 / hz as u64;
    if c == 0 {
        1
    } else if c > u32::MAX as u64 {
        u32::MAX
    } else {
        c as u32
    }
}

/// GICD_IROUTER's value routing an SPI to the CPU with this MPIDR_EL1:
/// Aff3 (MPIDR bits 39:32) and Aff2.Aff1.Aff0 (bits 23:0) in place,
/// Interrupt_Routing_Mode (bit 31) 0: this one CPU.
pub const fn irouter_of_mpidr(mpidr: u64) -> u64 {
    mpidr & 0xff_00ff_ffff
}

/// The next deadline of a periodic timer that was due at `due`: one
/// period later, or one period from `now` when that is already past
/// (missed ticks are skipped).
pub const fn next_deadline(due: u64, period: u64, now: u64) -> u64 {
    let next = due.wrapping_add(period);
    if next <= now {
        now + period
    } else {
        next
    }
}

/// TSC cycles in `ticks` LAPIC timer ticks, given the ticks counted in
/// 10 ms and the TSC's rate (0 when uncalibrated).
pub const fn lapic_to_tsc(ticks: u32, per_10ms: u32, tsc_hz: u64) -> u64 {
    if per_10ms == 0 {
        return 0;
    }
    (ticks as u128 * (tsc_hz / 100) as u128 / per_10ms as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irouter_keeps_affinity_drops_the_rest() {
        assert_eq!(irouter_of_mpidr(0x8000_0000), 0); // U bit, CPU 0.0.0.0
        assert_eq!(irouter_of_mpidr(0x0000_0102), 0x102);
        assert_eq!(irouter_of_mpidr(0x7f_8100_0304), 0x7f_0000_0304); // Aff3 kept, MT/U dropped
    }

    #[test]
    fn next_deadline_keeps_the_grid_or_skips() {
        assert_eq!(next_deadline(1000, 100, 1050), 1100);
        assert_eq!(next_deadline(1000, 100, 1100), 1200);
        assert_eq!(next_deadline(1000, 100, 5000), 5100);
    }

    #[test]
    fn lapic_ticks_to_tsc_cycles() {
        // 62 500 ticks per 10 ms, 2 GHz TSC: one tick is 320 cycles
        assert_eq!(lapic_to_tsc(1, 62_500, 2_000_000_000), 320);
        assert_eq!(lapic_to_tsc(62_500, 62_500, 2_000_000_000), 20_000_000);
        assert_eq!(
            lapic_to_tsc(u32::MAX, 1_000, 4_000_000_000),
            u32::MAX as u64 * 40_000
        );
        assert_eq!(lapic_to_tsc(5, 0, 1_000), 0);
    }

    #[test]
    fn lapic_count_from_calibration() {
        assert_eq!(lapic_count(62_500, 100), 62_500);
        assert_eq!(lapic_count(62_500, 1000), 6_250);
        assert_eq!(lapic_count(3, 1000), 1);
        assert_eq!(lapic_count(1000, 0), 0);
    }

    #[test]
    fn tick_period_for_qemu_and_real_rates() {
        assert_eq!(tick_period(62_500_000, 100), 625_000);
        assert_eq!(tick_period(24_000_000, 1000), 24_000);
        assert_eq!(tick_period(1_000_000, 0), 0);
        // rounding error stays under 0.01% at 1 kHz from 19.2 MHz
        let p = tick_period(19_200_000, 1000);
        assert!((19_200_000 - p * 1000) * 10_000 < 19_200_000);
    }

    #[test]
    fn enable_bit_for_ppi_and_spi() {
        assert_eq!(bit_reg(0x100, 27), (0x100, 1 << 27));
        assert_eq!(bit_reg(0x100, 33), (0x104, 1 << 1));
        assert_eq!(prio_byte(0x400, 27), 0x41b);
    }

    #[test]
    fn spurious_ids_are_none() {
        assert_eq!(iar_id(1023, false), None);
        assert_eq!(iar_id(1023, true), None);
        assert_eq!(iar_id(27, false), Some(27));
        assert_eq!(iar_id(0x1c00 | 27, false), Some(27)); // v2 CPU id bits
    }
}
