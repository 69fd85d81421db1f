//! Typed memory-mapped registers: a read-only register has no `write`, so
//! writing one does not compile.
#![allow(dead_code)]

use core::marker::PhantomData;

/// Access marker: readable.
pub struct Ro;
/// Access marker: writable.
pub struct Wo;
/// Access marker: readable and writable.
pub struct Rw;

/// A 32-bit device register at a fixed address.
pub struct Reg<A> {
    addr: usize,
    _a: PhantomData<A>,
}

impl<A> Reg<A> {
    /// A register at `base + off`.
    ///
    /// # Safety
    /// `base + off` must be the address of a device register of this
    /// access kind, mapped as device memory for as long as it is used.
    pub const unsafe fn at(base: usize, off: usize) -> Self {
        Reg {
            addr: base + off,
            _a: PhantomData,
        }
    }
}

/// Registers that can be read.
pub trait Readable {}
/// Registers that can be written.
pub trait Writable {}
impl Readable for Ro {}
impl Readable for Rw {}
impl Writable for Wo {}
impl Writable for Rw {}

impl<A: Readable> Reg<A> {
    /// Volatile 32-bit read.
    pub fn read(&self) -> u32 {
        // SAFETY: `at`'s contract makes addr a mapped, aligned register.
        unsafe { core::ptr::read_volatile(self.addr as *const u32) }
    }
}

impl<A: Writable> Reg<A> {
    /// Volatile 32-bit write.
    pub fn write(&self, v: u32) {
        // SAFETY: `at`'s contract makes addr a mapped, aligned register.
        unsafe { core::ptr::write_volatile(self.addr as *mut u32, v) }
    }
}
