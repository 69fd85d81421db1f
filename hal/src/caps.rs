//! Capability discovery: what this CPU and platform offer, detected at run
//! time. The decoders are pure functions of the raw register values (tested
//! on the host); the arch code reads the registers.

/// Local APIC present (CPUID.1:EDX[9]).
pub const HAL_CAP_APIC: u64 = 1 << 0;
/// x2APIC mode available (CPUID.1:ECX[21]).
pub const HAL_CAP_X2APIC: u64 = 1 << 1;
/// LAPIC timer TSC-deadline mode (CPUID.1:ECX[24]).
pub const HAL_CAP_TSC_DEADLINE: u64 = 1 << 2;
/// Invariant TSC: constant rate in all P/C-states (CPUID.80000007H:EDX[8]).
pub const HAL_CAP_INVARIANT_TSC: u64 = 1 << 3;
/// GICv3+ CPU interface system registers (ID_AA64PFR0_EL1.GIC != 0).
pub const HAL_CAP_GIC_SYSREGS: u64 = 1 << 8;
/// The platform's interrupt controller is a GICv2 (device tree).
pub const HAL_CAP_GICV2: u64 = 1 << 9;
/// The platform's interrupt controller is a GICv3 (device tree).
pub const HAL_CAP_GICV3: u64 = 1 << 10;
/// PSCI through HVC.
pub const HAL_CAP_PSCI_HVC: u64 = 1 << 11;
/// PSCI through SMC.
pub const HAL_CAP_PSCI_SMC: u64 = 1 << 12;

/// Names for the console, by bit; NUL-terminated for C.
pub const NAMES: &[(u64, &str)] = &[
    (HAL_CAP_APIC, "apic\0"),
    (HAL_CAP_X2APIC, "x2apic\0"),
    (HAL_CAP_TSC_DEADLINE, "tsc-deadline\0"),
    (HAL_CAP_INVARIANT_TSC, "invariant-tsc\0"),
    (HAL_CAP_GIC_SYSREGS, "gic-sysregs\0"),
    (HAL_CAP_GICV2, "gicv2\0"),
    (HAL_CAP_GICV3, "gicv3\0"),
    (HAL_CAP_PSCI_HVC, "psci-hvc\0"),
    (HAL_CAP_PSCI_SMC, "psci-smc\0"),
];

/// Capabilities from CPUID leaf 1 (ECX, EDX) and leaf 0x80000007 (EDX;
/// pass 0 when the leaf is not supported).
pub const fn decode_cpuid(l1_ecx: u32, l1_edx: u32, l80000007_edx: u32) -> u64 {
    let mut c = 0;
    if l1_edx & (1 << 9) != 0 {
        c |= HAL_CAP_APIC;
    }
    if l1_ecx & (1 << 21) != 0 {
        c |= HAL_CAP_X2APIC;
    }
    if l1_ecx & (1 << 24) != 0 {
        c |= HAL_CAP_TSC_DEADLINE;
    }
    if l80000007_edx & (1 << 8) != 0 {
        c |= HAL_CAP_INVARIANT_TSC;
    }
    c
}

/// Capabilities from ID_AA64PFR0_EL1 (the GIC field, bits 27..24).
pub const fn decode_pfr0(pfr0: u64) -> u64 {
    if (pfr0 >> 24) & 0xf != 0 {
        HAL_CAP_GIC_SYSREGS
    } else {
        0
    }
}

/// Capabilities the platform description adds: the interrupt controller
/// kind (2 or 3, 0 if none named) and the PSCI conduit.
pub const fn decode_platform(intc_kind: u32, psci: u32) -> u64 {
    let mut c = 0;
    if intc_kind == 2 {
        c |= HAL_CAP_GICV2;
    } else if intc_kind == 3 {
        c |= HAL_CAP_GICV3;
    }
    if psci == 1 {
        c |= HAL_CAP_PSCI_HVC;
    } else if psci == 2 {
        c |= HAL_CAP_PSCI_SMC;
    }
    c
}

/// The name of a single capability bit, or None.
pub fn name(bit: u64) -> Option<&'static str> {
    NAMES.iter().find(|n| n.0 == bit).map(|n| n.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpuid_bits_decode() {
        assert_eq!(decode_cpuid(0, 0, 0), 0);
        assert_eq!(
            decode_cpuid(1 << 21, 1 << 9, 0),
            HAL_CAP_X2APIC | HAL_CAP_APIC
        );
        assert_eq!(
            decode_cpuid(1 << 24, 0, 1 << 8),
            HAL_CAP_TSC_DEADLINE | HAL_CAP_INVARIANT_TSC
        );
        // neighbouring bits mean nothing here
        assert_eq!(decode_cpuid(1 << 20 | 1 << 22, 1 << 8, 1 << 7), 0);
    }

    #[test]
    fn qemu64_like_cpu_has_apic_only() {
        // qemu64 under TCG: SSE3 (0), CX16 (13), POPCNT (23), hypervisor
        // (31) in ECX; FPU..APIC..SSE2 in EDX; no x2APIC, no TSC-deadline
        let ecx = 1 << 0 | 1 << 13 | 1 << 23 | 1 << 31;
        let edx = 0x0781_abfd;
        assert_eq!(decode_cpuid(ecx, edx, 0), HAL_CAP_APIC);
    }

    #[test]
    fn pfr0_gic_field_decodes() {
        assert_eq!(decode_pfr0(0x0000_0000_0000_0011), 0);
        assert_eq!(decode_pfr0(0x0000_0000_0100_0011), HAL_CAP_GIC_SYSREGS);
        assert_eq!(decode_pfr0(0x0000_0000_0300_0011), HAL_CAP_GIC_SYSREGS);
    }

    #[test]
    fn platform_decodes_gic_and_psci() {
        assert_eq!(decode_platform(2, 1), HAL_CAP_GICV2 | HAL_CAP_PSCI_HVC);
        assert_eq!(decode_platform(3, 2), HAL_CAP_GICV3 | HAL_CAP_PSCI_SMC);
        assert_eq!(decode_platform(0, 0), 0);
        assert_eq!(decode_platform(7, 9), 0);
    }

    #[test]
    fn every_cap_has_one_bit_and_a_name() {
        let mut seen = 0u64;
        for (bit, n) in NAMES {
            assert_eq!(bit.count_ones(), 1);
            assert_eq!(seen & bit, 0);
            seen |= bit;
            assert!(n.ends_with('\0'));
            assert_eq!(name(*bit), Some(*n));
        }
        assert_eq!(name(1 << 40), None);
    }
}
