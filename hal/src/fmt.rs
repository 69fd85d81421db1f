//! A fixed-size formatting buffer: `core::fmt` without an allocator.

/// Bytes written by `core::fmt::Write`, silently cut at `N`.
pub struct Buf<const N: usize> {
    data: [u8; N],
    len: usize,
}

impl<const N: usize> Buf<N> {
    /// An empty buffer.
    pub const fn new() -> Self {
        Buf {
            data: [0; N],
            len: 0,
        }
    }

    /// What has been written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data[..self.len]
    }
}

impl<const N: usize> core::fmt::Write for Buf<N> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = N - self.len;
        let n = s.len().min(room);
        self.data[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Buf;
    use core::fmt::Write;

    #[test]
    fn formats_and_cuts_at_capacity() {
        let mut b = Buf::<8>::new();
        write!(b, "uart {:#x}", 0x900_0000).unwrap();
        assert_eq!(b.as_bytes(), b"uart 0x9");
    }
}
