//! Real-time clocks: the time of day as seconds since 1970-01-01 UTC.
//!
//! Two kinds, chosen by the caller from the device tree's compatible
//! string: the PC's MC146818 CMOS clock (I/O ports, broken-down time in
//! BCD or binary) and ARM's PL031 (one MMIO register counting seconds).
//! The arithmetic here is pure and tested on the host; the register
//! access is in the arch modules.
#![allow(dead_code)]

use crate::errno::{Errno, HalResult};

/// An MC146818 (PC CMOS) clock; base is its index port (0x70).
pub(crate) const KIND_MC146818: u32 = 1;
/// An ARM PL031; base is the physical address of its registers.
pub(crate) const KIND_PL031: u32 = 2;

/// The CMOS registers a reading needs, as read.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct CmosTime {
    pub sec: u8,
    pub min: u8,
    pub hour: u8,
    pub day: u8,
    pub month: u8,
    pub year: u8,
    pub century: u8,
    /// Status register B: bit 2 binary (else BCD), bit 1 24-hour.
    pub status_b: u8,
}

/// Days from 1970-01-01 to year-month-day in the proleptic Gregorian
/// calendar (month 1..12, day 1..31).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn bcd(v: u8) -> Option<u8> {
    if v & 0x0f > 9 || v >> 4 > 9 {
        return None;
    }
    Some((v >> 4) * 10 + (v & 0x0f))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds since 1970 for a CMOS reading, or EIO for one that is not a
/// time (a field out of range, a bad BCD digit). A century register of 0
/// (machines without one) means the 2000s.
pub(crate) fn cmos_to_epoch(t: CmosTime) -> HalResult<u64> {
    let binary = t.status_b & 0x04 != 0;
    let h24 = t.status_b & 0x02 != 0;
    let conv = |v: u8| if binary { Some(v) } else { bcd(v) };
    let pm = !h24 && t.hour & 0x80 != 0;
    let sec = conv(t.sec).ok_or(Errno::EIO)?;
    let min = conv(t.min).ok_or(Errno::EIO)?;
    let mut hour = conv(t.hour & 0x7f).ok_or(Errno::EIO)?;
    let day = conv(t.day).ok_or(Errno::EIO)?;
    let month = conv(t.month).ok_or(Errno::EIO)?;
    let year = conv(t.year).ok_or(Errno::EIO)?;
    let century = if t.century == 0 {
        20
    } else {
        conv(t.century).ok_or(Errno::EIO)?
    };
    if !h24 {
        if !(1..=12).contains(&hour) {
            return Err(Errno::EIO);
        }
        hour %= 12;
        if pm {
            hour += 12;
        }
    }
    let full = century as i64 * 100 + year as i64;
    if sec > 59
        || min > 59
        || hour > 23
        || !(1..=12).contains(&month)
        || year > 99
        || !(19..=99).contains(&century)
        || day == 0
        || day as u32 > days_in_month(full, month as u32)
        || full < 1970
    {
        return Err(Errno::EIO);
    }
    let days = days_from_civil(full, month as u32, day as u32);
    Ok(days as u64 * 86_400 + hour as u64 * 3600 + min as u64 * 60 + sec as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bcd_time(y: u8, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> CmosTime {
        CmosTime {
            sec: s,
            min: mi,
            hour: h,
            day: d,
            month: mo,
            year: y,
            century: 0x20,
            status_b: 0x02,
        }
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 25), 20_782);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn bcd_24h() {
        let t = bcd_time(0x26, 0x11, 0x25, 0x13, 0x45, 0x30);
        assert_eq!(
            cmos_to_epoch(t),
            Ok(20_782 * 86_400 + 13 * 3600 + 45 * 60 + 30)
        );
    }

    #[test]
    fn binary_12h_pm_and_midnight() {
        let mut t = CmosTime {
            sec: 0,
            min: 0,
            hour: 0x80 | 12,
            day: 1,
            month: 1,
            year: 0,
            century: 20,
            status_b: 0x04,
        };
        // 12 PM is noon
        assert_eq!(cmos_to_epoch(t), Ok(10_957 * 86_400 + 12 * 3600));
        // 12 AM is midnight
        t.hour = 12;
        assert_eq!(cmos_to_epoch(t), Ok(10_957 * 86_400));
        t.hour = 0;
        assert_eq!(cmos_to_epoch(t), Err(Errno::EIO));
    }

    #[test]
    fn no_century_register() {
        let mut t = bcd_time(0x26, 0x01, 0x01, 0, 0, 0);
        t.century = 0;
        assert_eq!(
            cmos_to_epoch(t),
            Ok(days_from_civil(2026, 1, 1) as u64 * 86_400)
        );
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        assert_eq!(
            cmos_to_epoch(bcd_time(0x26, 0x13, 0x01, 0, 0, 0)),
            Err(Errno::EIO)
        );
        assert_eq!(
            cmos_to_epoch(bcd_time(0x26, 0x02, 0x30, 0, 0, 0)),
            Err(Errno::EIO)
        );
        assert_eq!(
            cmos_to_epoch(bcd_time(0x26, 0x01, 0x01, 0x24, 0, 0)),
            Err(Errno::EIO)
        );
        assert_eq!(
            cmos_to_epoch(bcd_time(0x2a, 0x01, 0x01, 0, 0, 0)),
            Err(Errno::EIO)
        );
        assert_eq!(
            cmos_to_epoch(bcd_time(0x26, 0x01, 0x01, 0, 0x60, 0)),
            Err(Errno::EIO)
        );
        // leap day only in a leap year
        assert!(cmos_to_epoch(bcd_time(0x24, 0x02, 0x29, 0, 0, 0)).is_ok());
        assert_eq!(
            cmos_to_epoch(bcd_time(0x25, 0x02, 0x29, 0, 0, 0)),
            Err(Errno::EIO)
        );
    }
}
