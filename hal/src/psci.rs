//! PSCI (Arm DEN 0022) as plain values: the return codes, their names
//! and what the kernel makes of them, and the affinity form of MPIDR_EL1
//! that CPU_ON takes as its target. Pure logic: built for every target so
//! its tests run on the host; the calls themselves are in
//! arch/aarch64/psci.rs.
#![cfg_attr(target_arch = "x86_64", allow(dead_code))]

use crate::errno::Errno;

/// CPU_ON, SMC64/HVC64 function id: x1 the target's MPIDR affinity, x2
/// the physical address it starts at, x3 the context id it gets in x0.
pub(crate) const FN64_CPU_ON: u64 = 0xc400_0003;

/// The return codes (DEN 0022, "Return error codes"); 0 is SUCCESS.
pub(crate) const NOT_SUPPORTED: i64 = -1;
/// See NOT_SUPPORTED.
pub(crate) const INVALID_PARAMETERS: i64 = -2;
/// See NOT_SUPPORTED.
pub(crate) const DENIED: i64 = -3;
/// See NOT_SUPPORTED.
pub(crate) const ALREADY_ON: i64 = -4;
/// See NOT_SUPPORTED.
pub(crate) const ON_PENDING: i64 = -5;
/// See NOT_SUPPORTED.
pub(crate) const INTERNAL_FAILURE: i64 = -6;
/// See NOT_SUPPORTED.
pub(crate) const NOT_PRESENT: i64 = -7;
/// See NOT_SUPPORTED.
pub(crate) const DISABLED: i64 = -8;
/// See NOT_SUPPORTED.
pub(crate) const INVALID_ADDRESS: i64 = -9;

/// The name DEN 0022 gives a return code; None for one it does not list.
pub(crate) fn ret_name(r: i64) -> Option<&'static str> {
    Some(match r {
        0 => "SUCCESS",
        NOT_SUPPORTED => "NOT_SUPPORTED",
        INVALID_PARAMETERS => "INVALID_PARAMETERS",
        DENIED => "DENIED",
        ALREADY_ON => "ALREADY_ON",
        ON_PENDING => "ON_PENDING",
        INTERNAL_FAILURE => "INTERNAL_FAILURE",
        NOT_PRESENT => "NOT_PRESENT",
        DISABLED => "DISABLED",
        INVALID_ADDRESS => "INVALID_ADDRESS",
        _ => return None,
    })
}

/// What a CPU_ON result means for hal_cpu_start: Ok for SUCCESS;
/// -ENODEV when the firmware has no CPU_ON (no way to start a CPU here);
/// -EIO for every refusal of this start (the CPU is on or coming up
/// already, does not exist, is disabled, the address was refused, or
/// the firmware failed).
pub(crate) fn cpu_on_result(r: i64) -> Result<(), Errno> {
    match r {
        0 => Ok(()),
        NOT_SUPPORTED => Err(Errno::ENODEV),
        _ => Err(Errno::EIO),
    }
}

/// MPIDR_EL1's affinity fields, Aff3 (bits 39:32) and Aff2:Aff1:Aff0
/// (bits 23:0), the rest (RES1 bit 31, U, MT) cleared: the form a device
/// tree's cpu `reg` and PSCI's target_cpu use.
pub(crate) const MPIDR_AFFINITY: u64 = 0x00ff_00ff_ffff;

/// See MPIDR_AFFINITY.
pub(crate) fn affinity(mpidr: u64) -> u64 {
    mpidr & MPIDR_AFFINITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_spec_has_its_name() {
        assert_eq!(ret_name(0), Some("SUCCESS"));
        assert_eq!(ret_name(-2), Some("INVALID_PARAMETERS"));
        assert_eq!(ret_name(-4), Some("ALREADY_ON"));
        assert_eq!(ret_name(-5), Some("ON_PENDING"));
        assert_eq!(ret_name(-9), Some("INVALID_ADDRESS"));
        for r in -9..=0 {
            assert!(ret_name(r).is_some(), "{}", r);
        }
        assert_eq!(ret_name(-10), None);
        assert_eq!(ret_name(1), None);
        // a 32-bit -1 not sign-extended is not a code
        assert_eq!(ret_name(0xffff_ffff), None);
    }

    #[test]
    fn cpu_on_refusals_are_eio_and_no_cpu_on_is_enodev() {
        assert_eq!(cpu_on_result(0), Ok(()));
        assert_eq!(cpu_on_result(NOT_SUPPORTED), Err(Errno::ENODEV));
        for r in [
            INVALID_PARAMETERS,
            DENIED,
            ALREADY_ON,
            ON_PENDING,
            INTERNAL_FAILURE,
            NOT_PRESENT,
            DISABLED,
            INVALID_ADDRESS,
            -77,
            5,
        ] {
            assert_eq!(cpu_on_result(r), Err(Errno::EIO), "{}", r);
        }
    }

    #[test]
    fn affinity_keeps_aff3_to_aff0_only() {
        // QEMU virt's second CPU: RES1 bit 31 set, MT clear
        assert_eq!(affinity(0x8000_0001), 1);
        // U (30) and MT (24) go, Aff1 stays
        assert_eq!(affinity(0x4100_0102), 0x102);
        assert_eq!(affinity(0xab_8012_3456), 0xab_0012_3456);
        assert_eq!(affinity(u64::MAX), 0xff_00ff_ffff);
    }
}
