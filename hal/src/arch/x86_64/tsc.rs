//! TSC frequency: from CPUID when the CPU says, else measured against the
//! PIT (8254), whose input clock is 1.193182 MHz on every PC.

use super::port::{inb, outb};
use core::arch::x86_64::{__cpuid, _rdtsc};

const PIT_HZ: u64 = 1_193_182;

/// CPUID leaf 0x15: TSC = crystal * ebx / eax, when all three are given.
pub fn from_cpuid() -> Option<u64> {
    // CPUID exists on every x86_64 CPU and this toolchain marks it safe.
    let max = __cpuid(0).eax;
    if max < 0x15 {
        return None;
    }
    let l = __cpuid(0x15);
    if l.eax == 0 || l.ebx == 0 || l.ecx == 0 {
        return None;
    }
    Some(l.ecx as u64 * l.ebx as u64 / l.eax as u64)
}

/// Count TSC ticks while PIT channel 0 counts 10 ms. Channel 0 runs as a
/// rate generator (mode 2) from 0xffff; its count is latched and read
/// (port 0x43 command 0x00, then 0x40 low and high) and the ticks summed
/// across wrap-arounds. Uses neither interrupts (they are masked) nor the
/// port-0x61 speaker gate, which QEMU's microvm lacks. Returns 0 if no
/// PIT is counting.
pub fn measure_with_pit() -> u64 {
    const WANT: u32 = (PIT_HZ / 100) as u32; // 10 ms of PIT ticks
                                             // SAFETY: the PIT belongs to the HAL; interrupts are masked, so the
                                             // channel-0 reprogramming has no other effect until the HAL's timer
                                             // layer programs it for good.
    unsafe {
        outb(0x43, 0x34); // channel 0, lo/hi byte, mode 2, binary
        outb(0x40, 0xff);
        outb(0x40, 0xff);
        let read = || {
            outb(0x43, 0x00); // latch channel 0
            let lo = inb(0x40) as u32;
            let hi = inb(0x40) as u32;
            (hi << 8) | lo
        };
        let mut prev = read();
        let t0 = _rdtsc();
        let mut elapsed: u32 = 0;
        let mut still: u32 = 0;
        while elapsed < WANT {
            let cur = read();
            if cur == prev {
                still += 1;
                if still > 1_000_000 {
                    return 0; // not counting: no PIT
                }
                continue;
            }
            still = 0;
            // counts down; a reload from 0xffff is a wrap
            elapsed += if cur < prev {
                prev - cur
            } else {
                prev + 0x1_0000 - cur
            };
            prev = cur;
        }
        let t1 = _rdtsc();
        (t1 - t0) * PIT_HZ / elapsed as u64
    }
}
