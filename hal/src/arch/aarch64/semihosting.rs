//! Arm semihosting, used only to leave QEMU with a status in test runs.

const SYS_EXIT: u64 = 0x18;
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x20026;

/// SYS_EXIT with `code`: QEMU (run with semihosting enabled) exits with
/// that status. Without semihosting the `hlt` traps.
pub fn exit(code: u32) {
    let block: [u64; 2] = [ADP_STOPPED_APPLICATION_EXIT, code as u64];
    // SAFETY: the semihosting call reads the two-word block we pass.
    unsafe {
        core::arch::asm!("hlt #0xf000", inout("x0") SYS_EXIT => _,
                         in("x1") block.as_ptr(), options(nostack));
    }
}
