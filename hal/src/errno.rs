//! Error codes shared with C. The list is generated at build time from
//! `include/aegis/errno.h` (see build.rs); Rust code returns
//! `Result<T, Errno>` and the FFI layer turns an error into the negative
//! code C expects.

include!(concat!(env!("OUT_DIR"), "/errno.rs"));

/// A HAL result.
pub type HalResult<T> = Result<T, Errno>;

impl Errno {
    /// The value C sees: the code negated.
    pub const fn to_c(self) -> i32 {
        -(self as i32)
    }

    /// The code for a C return value (negative or positive), if known.
    pub fn from_c(v: i32) -> Option<Errno> {
        let code = v.checked_abs()?;
        ALL.iter().find(|e| e.0 as i32 == code).map(|e| e.0)
    }

    /// The symbolic name ("EINVAL"), NUL-terminated for C.
    pub fn name_c(self) -> &'static str {
        ALL.iter()
            .find(|e| e.0 == self)
            .map(|e| e.1)
            .unwrap_or("E?\0")
    }
}

/// 0 for Ok, the negative code for an error: how a `HalResult<()>`
/// crosses to C.
pub fn to_c(r: HalResult<()>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_c(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_c() {
        for (e, _, _) in ALL {
            assert!(e.to_c() < 0);
            assert_eq!(Errno::from_c(e.to_c()), Some(*e));
            assert_eq!(Errno::from_c(-e.to_c()), Some(*e));
        }
    }

    #[test]
    fn values_match_the_c_header() {
        // Spot checks against include/aegis/errno.h (and POSIX numbering).
        assert_eq!(Errno::EINVAL.to_c(), -22);
        assert_eq!(Errno::ENODEV.to_c(), -19);
        assert_eq!(Errno::EFAULT.to_c(), -14);
        assert_eq!(Errno::EDEADLK.to_c(), -35);
    }

    #[test]
    fn unknown_and_extreme_codes_are_none() {
        assert_eq!(Errno::from_c(0), None);
        assert_eq!(Errno::from_c(-9999), None);
        assert_eq!(Errno::from_c(i32::MIN), None);
    }

    #[test]
    fn names_are_nul_terminated() {
        assert_eq!(Errno::EINVAL.name_c(), "EINVAL\0");
        for (_, n, _) in ALL {
            assert!(n.ends_with('\0'));
        }
    }

    #[test]
    fn results_cross_as_zero_or_negative() {
        assert_eq!(to_c(Ok(())), 0);
        assert_eq!(to_c(Err(Errno::EFAULT)), -14);
    }
}
