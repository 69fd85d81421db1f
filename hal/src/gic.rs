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

/// The SGI (software-generated interrupt, ids 0-15) that carries the
/// kernel's inter-processor interrupt on both GIC versions.
pub(crate) const IPI_SGI: u32 = 1;

/// GICv2 GICD_SGIR's value sending SGI `sgi` to the CPU interfaces in
/// `targets` (one bit per interface, 0-7): TargetListFilter (bits 25:24)
/// 0, "the interfaces in the list"; CPUTargetList in bits 23:16;
/// SGIINTID in bits 3:0.
pub const fn sgir(targets: u8, sgi: u32) -> u32 {
    ((targets as u32) << 16) | (sgi & 0xf)
}

/// A CPU's own GICv2 interface mask from its view of GICD_ITARGETSR0-7
/// (banked: every field of those eight words that is implemented reads
/// as the reading CPU's one bit; a uniprocessor GIC reads 0).
pub fn own_target_mask(words: &[u32; 8]) -> u8 {
    words
        .iter()
        .fold(0u8, |m, w| m | w.to_le_bytes().iter().fold(0, |a, b| a | b))
}

/// GICv3 ICC_SGI1R_EL1's value sending SGI `sgi` to the one CPU whose
/// MPIDR_EL1 affinity is `aff` (Aff3 in bits 39:32, Aff2.Aff1.Aff0 in
/// 23:0): TargetList (15:0) holds bit Aff0 % 16, RS (47:44) Aff0 / 16,
/// Aff1 in 23:16, INTID in 27:24, Aff2 in 39:32, IRM (40) 0, Aff3 in
/// 55:48. RS above 0 is only understood where ICC_CTLR_EL1.RSS says so
/// (Aff0 16-255).
pub const fn sgi1r(aff: u64, sgi: u32) -> u64 {
    let aff0 = aff & 0xff;
    let aff1 = (aff >> 8) & 0xff;
    let aff2 = (aff >> 16) & 0xff;
    let aff3 = (aff >> 32) & 0xff;
    (1 << (aff0 % 16))
        | (aff1 << 16)
        | (((sgi & 0xf) as u64) << 24)
        | (aff2 << 32)
        | ((aff0 / 16) << 44)
        | (aff3 << 48)
}

/// MPIDR_EL1's affinity in GICR_TYPER's Affinity_Value layout (its bits
/// 63:32, as a 32-bit word): Aff3 in 31:24, Aff2.Aff1.Aff0 in 23:0.
pub const fn gicr_affinity(mpidr: u64) -> u32 {
    (((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xff_ffff)) as u32
}

/// GICR_TYPER.Last (bit 4): the last redistributor of its region.
const GICR_TYPER_LAST: u64 = 1 << 4;
/// GICR_TYPER.VLPIS (bit 1): GICv4 virtual LPIs, two more 64 KiB frames.
const GICR_TYPER_VLPIS: u64 = 1 << 1;

/// Walk a GICv3 redistributor region for the frame whose GICR_TYPER
/// affinity is `want` (gicr_affinity's layout): `typer(off)` reads
/// GICR_TYPER of the frame at byte offset `off` from the region's base.
/// Each frame is 128 KiB (RD_base and SGI_base), 256 KiB with GICv4's
/// VLPIS; the walk stops after the frame marked Last, or after `max`
/// frames. Returns the frame's offset.
pub fn find_redistributor(
    mut typer: impl FnMut(usize) -> u64,
    want: u32,
    max: usize,
) -> Option<usize> {
    let mut off = 0usize;
    for _ in 0..max {
        let t = typer(off);
        if (t >> 32) as u32 == want {
            return Some(off);
        }
        if t & GICR_TYPER_LAST != 0 {
            return None;
        }
        off += if t & GICR_TYPER_VLPIS != 0 {
            0x4_0000
        } else {
            0x2_0000
        };
    }
    None
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
    fn sgir_lists_interfaces_and_the_sgi() {
        assert_eq!(sgir(0b0000_0010, 1), 0x0002_0001);
        assert_eq!(sgir(0x80, 15), 0x0080_000f);
        assert_eq!(sgir(1, 0x11), 0x0001_0001); // SGI ids are 4 bits
    }

    #[test]
    fn own_mask_from_banked_targets() {
        // QEMU: every SGI/PPI field reads as the CPU's own bit
        assert_eq!(own_target_mask(&[0x0404_0404; 8]), 0x04);
        // SGI fields RAZ on some GICs: the PPI fields still say it
        let mut w = [0u32; 8];
        w[7] = 0x2020_2000;
        assert_eq!(own_target_mask(&w), 0x20);
        // a uniprocessor GIC: RAZ
        assert_eq!(own_target_mask(&[0; 8]), 0);
    }

    #[test]
    fn sgi1r_targets_one_cpu_by_affinity() {
        assert_eq!(sgi1r(0, 1), 1 | 1 << 24); // 0.0.0.0
        assert_eq!(sgi1r(3, 1), 1 << 3 | 1 << 24); // 0.0.0.3

        // 0.0.1.2 (QEMU virt's GICv3 CPU 18: 16 CPUs per Aff1)
        assert_eq!(sgi1r(0x0102, 1), 1 << 2 | 1 << 16 | 1 << 24);
        // Aff3 and Aff2 in place; Aff0 17 is bit 1 of range 1
        assert_eq!(
            sgi1r(0x7f_0005_0311, 2),
            1 << 1 | 3 << 16 | 2 << 24 | 5 << 32 | 1 << 44 | 0x7f << 48
        );
        assert_eq!(sgi1r(0xff, 0) >> 44 & 0xf, 15); // Aff0 255: RS 15, bit 15
        assert_eq!(sgi1r(0xff, 0) & 0xffff, 1 << 15);
    }

    #[test]
    fn gicr_affinity_layout() {
        assert_eq!(gicr_affinity(0x8000_0003), 3); // U/MT bits dropped
        assert_eq!(gicr_affinity(0x12_0034_5678), 0x1234_5678);
    }

    #[test]
    fn redistributor_walk_finds_by_affinity() {
        // four v3 frames, affinities 0, 1, 2, 3; the last marked Last
        let frames = |off: usize| -> u64 {
            let i = (off / 0x2_0000) as u64;
            (i << 32) | if i == 3 { GICR_TYPER_LAST } else { 0 } | (i << 8)
        };
        assert_eq!(find_redistributor(frames, 0, 64), Some(0));
        assert_eq!(find_redistributor(frames, 2, 64), Some(0x4_0000));
        assert_eq!(find_redistributor(frames, 3, 64), Some(0x6_0000));
        assert_eq!(find_redistributor(frames, 4, 64), None); // stops at Last
        assert_eq!(find_redistributor(frames, 3, 2), None); // bounded

        // GICv4 frames with VLPIS are twice as long
        let v4 = |off: usize| -> u64 {
            let i = (off / 0x4_0000) as u64;
            (i << 32) | GICR_TYPER_VLPIS | if i == 1 { GICR_TYPER_LAST } else { 0 }
        };
        assert_eq!(find_redistributor(v4, 1, 64), Some(0x4_0000));
        // affinity is the whole word, not Aff0 alone
        let clusters = |off: usize| -> u64 {
            let i = (off / 0x2_0000) as u64;
            ((i / 2) << 40 | (i % 2) << 32) | if i == 3 { GICR_TYPER_LAST } else { 0 }
        };
        assert_eq!(find_redistributor(clusters, 0x0101, 64), Some(0x6_0000));
    }

    #[test]
    fn spurious_ids_are_none() {
        assert_eq!(iar_id(1023, false), None);
        assert_eq!(iar_id(1023, true), None);
        assert_eq!(iar_id(27, false), Some(27));
        assert_eq!(iar_id(0x1c00 | 27, false), Some(27)); // v2 CPU id bits
    }
}
