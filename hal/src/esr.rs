//! The AArch64 exception syndrome (ESR_ELx), decoded for reports. Pure
//! logic: built for every target so its tests run on the host.
#![cfg_attr(target_arch = "x86_64", allow(dead_code))]

/// The exception class of an ESR value, in words.
pub fn class_name(esr: u64) -> &'static str {
    match (esr >> 26) & 0x3f {
        0x00 => "unknown reason",
        0x01 => "WFI/WFE trapped",
        0x07 => "FP/SIMD access trapped",
        0x0e => "illegal execution state",
        0x15 => "SVC",
        0x18 => "system register access trapped",
        0x20 => "instruction abort from EL0",
        0x21 => "instruction abort",
        0x22 => "PC alignment fault",
        0x24 => "data abort from EL0",
        0x25 => "data abort",
        0x26 => "SP alignment fault",
        0x2f => "SError",
        0x3c => "BRK instruction",
        _ => "other exception class",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esr_classes_decode() {
        assert_eq!(class_name(0x9600_0004), "data abort");
        assert_eq!(class_name(0x8600_0000), "instruction abort");
        assert_eq!(class_name(0xf200_0000), "BRK instruction");
        assert_eq!(class_name(0x5600_0000), "SVC");
        assert_eq!(class_name(0x0000_0000), "unknown reason");
        assert_eq!(class_name(0xfc00_0000), "other exception class");
    }
}
