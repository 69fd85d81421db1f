//! Checks for everything that crosses from C: pointers and lengths are
//! validated (null, alignment, size, wrap-around, canonical range) before
//! any `unsafe` turns them into references. Pure functions, tested on the
//! host.

use crate::errno::{Errno, HalResult};

/// The largest buffer the HAL accepts from C in one call.
pub(crate) const MAX_LEN: usize = 1 << 20;

/// Is `addr` a canonical address on this architecture? x86_64: bits 63..47
/// all equal (48-bit virtual addresses). AArch64: the top 16 bits all 0
/// (TTBR0) or all 1 (TTBR1), 48-bit virtual addresses.
pub const fn canonical(addr: usize) -> bool {
    let top = (addr as u64) >> 47;
    if cfg!(target_arch = "aarch64") {
        let top16 = (addr as u64) >> 48;
        top16 == 0 || top16 == 0xffff
    } else {
        top == 0 || top == 0x1_ffff
    }
}

/// Check a (pointer, length) pair for a byte buffer: `Ok(None)` for an
/// empty buffer (the pointer may then be null), `Ok(Some((ptr, len)))`
/// when it may be read, or the reason it may not.
pub fn bytes(ptr: *const u8, len: usize) -> HalResult<Option<(*const u8, usize)>> {
    if len == 0 {
        return Ok(None);
    }
    if ptr.is_null() {
        return Err(Errno::EFAULT);
    }
    if len > MAX_LEN {
        return Err(Errno::E2BIG);
    }
    let start = ptr as usize;
    let Some(end) = start.checked_add(len - 1) else {
        return Err(Errno::EFAULT);
    };
    if !canonical(start) || !canonical(end) {
        return Err(Errno::EFAULT);
    }
    Ok(Some((ptr, len)))
}

/// Check a pointer to one `T`: not null, aligned, canonical and not
/// wrapping.
pub fn object<T>(ptr: *const T) -> HalResult<*const T> {
    if ptr.is_null() {
        return Err(Errno::EFAULT);
    }
    if (ptr as usize) % core::mem::align_of::<T>() != 0 {
        return Err(Errno::EINVAL);
    }
    bytes(ptr.cast(), core::mem::size_of::<T>().max(1))?;
    Ok(ptr)
}

/// Check a pointer to one writable `T`, as `object`.
pub fn object_mut<T>(ptr: *mut T) -> HalResult<*mut T> {
    object(ptr as *const T).map(|p| p as *mut T)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_buffer_is_fine_even_when_null() {
        assert_eq!(bytes(core::ptr::null(), 0), Ok(None));
    }

    #[test]
    fn null_with_length_is_efault() {
        assert_eq!(bytes(core::ptr::null(), 4), Err(Errno::EFAULT));
    }

    #[test]
    fn oversized_is_e2big() {
        let b = [0u8; 4];
        assert_eq!(bytes(b.as_ptr(), MAX_LEN + 1), Err(Errno::E2BIG));
    }

    #[test]
    fn wrapping_range_is_efault() {
        assert_eq!(bytes(usize::MAX as *const u8, 2), Err(Errno::EFAULT));
    }

    #[test]
    fn non_canonical_is_efault() {
        assert_eq!(
            bytes(0x0000_9000_0000_0000 as *const u8, 1),
            Err(Errno::EFAULT)
        );
        assert!(!canonical(0x8000_0000_0000_0000));
        assert!(canonical(0xffff_ffff_8000_0000));
        assert!(canonical(0x0000_7fff_ffff_ffff));
    }

    #[test]
    fn good_buffer_passes() {
        let b = [1u8, 2, 3];
        assert_eq!(bytes(b.as_ptr(), 3), Ok(Some((b.as_ptr(), 3))));
    }

    #[test]
    fn misaligned_object_is_einval() {
        let b = [0u64; 2];
        let p = (b.as_ptr() as usize + 1) as *const u64;
        assert_eq!(object(p), Err(Errno::EINVAL));
        assert_eq!(object(b.as_ptr()), Ok(b.as_ptr()));
        assert_eq!(object::<u64>(core::ptr::null()), Err(Errno::EFAULT));
    }
}
