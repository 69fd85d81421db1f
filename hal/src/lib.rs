//! Aegis hardware-abstraction layer.
//!
//! Everything arch-specific after the boot entry lives here: the early
//! UART, the cycle counter, halting and leaving the machine (and, in later
//! layers, interrupt controllers, timers, the MMU and context switches).
//! C sees the HAL only through `ffi.rs`, whose `extern "C"` functions
//! cbindgen turns into `aegis/hal.h`. The HAL reports through the kernel
//! log, so the calls go both ways: C → Rust for hardware, Rust → C for
//! `klog_write` and panics.
//!
//! The crate builds for `x86_64-unknown-none` and `aarch64-unknown-none`;
//! `arch` is chosen by `target_arch`, and pure logic (`fmt`) is written so
//! it also compiles and tests on the host.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(warnings)]
#![deny(missing_docs)]

#[cfg(target_arch = "aarch64")]
#[path = "arch/aarch64/mod.rs"]
mod arch;
#[cfg(target_arch = "x86_64")]
#[path = "arch/x86_64/mod.rs"]
mod arch;

pub mod caps;
mod ctx;
pub mod errno;
mod esr;
pub mod ffi;
mod fmt;
mod gic;
pub mod guard;
mod irq;
mod mmio;
mod mmu;
mod psci;
pub mod recover;
mod rtc;
mod sample;
pub mod sigframe;

#[cfg(not(test))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    use core::fmt::Write;
    let mut buf = fmt::Buf::<192>::new();
    // A message longer than the buffer is cut: what fits still helps.
    let _ = write!(buf, "{}", info);
    ffi::panic_to_kernel(buf.as_bytes())
}
