//! Linux's signal frames (the Linux personality, docs/LINUX_ABI.md:
//! Signals): what a handler finds on its stack, `struct rt_sigframe` of
//! each arch, and what `rt_sigreturn` takes back from it.
//!
//! Pure data: the kernel copies the frame to and from user memory; this
//! builds it from a register file and restores a register file from it.
//! Both arches' layouts are written out here, so that each tests on the
//! host; `ffi.rs` picks the running arch's.
//!
//! x86_64 (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h), at the
//! frame's address F, with (F + 8) a multiple of 16 (as after a call):
//!
//! ```text
//!   F+0    the restorer (the handler's return address)
//!   F+8    ucontext: uc_flags, uc_link, uc_stack (24), uc_mcontext
//!          (sigcontext_64: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx,
//!          rsp, rip, eflags, cs/gs/fs/ss, err, trapno, oldmask, cr2,
//!          fpstate, 8 reserved), uc_sigmask
//!   F+312  siginfo (128)
//!   F+440  the FXSAVE image (512; fpstate points here)
//! ```
//!
//! AArch64 (arch/arm64/include/uapi/asm/sigcontext.h, ucontext.h), at F,
//! a multiple of 16:
//!
//! ```text
//!   F+0     siginfo (128)
//!   F+128   ucontext: uc_flags, uc_link, uc_stack (24), uc_sigmask, 120
//!           unused, then at F+304 uc_mcontext: fault_address, x0..x30,
//!           sp, pc, pstate, and at F+592 __reserved (4096): an
//!           fpsimd_context (magic 0x46508001, 528 bytes: fpsr, fpcr,
//!           v0..v31), then a zero header that ends the list
//!   F+4688  the frame record (x29, x30 at the signal); x29 points here
//! ```
//!
//! `rt_sigreturn` reads the general registers, the FP/SIMD registers and
//! the mask back from the frame, so a handler that changes them changes
//! what resumes, as on Linux. What it may not set (privileged flags,
//! x86_64's reserved MXCSR bits) is cleared: by `sigreturn` here and by
//! hal_user_resume.

use crate::ffi::HalUserRegs;

/// The largest frame of either arch, in bytes (the kernel's buffer).
pub const FRAME_MAX: usize = 4704;

/// siginfo's size on both arches.
pub const SIGINFO_SIZE: usize = 128;

fn put(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

fn put32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

fn get(b: &[u8], off: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(w)
}

fn get32(b: &[u8], off: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(w)
}

/// A handler's entry: what the kernel tells the frame builder.
pub struct Entry<'a> {
    /// The signal.
    pub sig: u32,
    /// Its siginfo, as the handler reads it.
    pub info: &'a [u8; SIGINFO_SIZE],
    /// The blocked mask rt_sigreturn puts back.
    pub mask: u64,
    /// The handler's address.
    pub handler: u64,
    /// Where the handler returns to: code that calls rt_sigreturn.
    pub restorer: u64,
    /// The thread's alternate signal stack, as uc_stack shows it.
    pub stack: AltStack,
    /// Build the frame on the alternate stack (below `stack.sp +
    /// stack.size`) rather than under the interrupted stack pointer.
    pub on_alt: bool,
}

/// Linux's stack_t as the kernel keeps it (sigaltstack(2)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AltStack {
    /// Its lowest address.
    pub sp: u64,
    /// SS_ONSTACK 1, SS_DISABLE 2, SS_AUTODISARM 1 << 31.
    pub flags: u32,
    /// Its size in bytes.
    pub size: u64,
}

/// SS_DISABLE: no alternate stack.
pub const SS_DISABLE: u32 = 2;

fn put_stack(b: &mut [u8], off: usize, s: &AltStack) {
    put(b, off, s.sp);
    put32(b, off + 8, s.flags);
    put(b, off + 16, s.size);
}

fn get_stack(b: &[u8], off: usize) -> AltStack {
    AltStack {
        sp: get(b, off),
        flags: get32(b, off + 8),
        size: get(b, off + 16),
    }
}

/// Where a handler's frame goes below: the alternate stack's top when
/// the entry asks for it, else `sp` less `redzone`.
fn frame_top(e: &Entry, sp: u64, redzone: u64) -> Option<u64> {
    if e.on_alt {
        e.stack.sp.checked_add(e.stack.size)
    } else {
        sp.checked_sub(redzone)
    }
}

/// x86_64's frame.
pub mod x86_64 {
    use super::*;

    /// Its size: up to the end of the FXSAVE image.
    pub const SIZE: usize = 952;
    const UC: usize = 8;
    const MC: usize = UC + 40;
    const SIGMASK: usize = UC + 296;
    const INFO: usize = 312;
    const FP: usize = 440;
    // HalUserRegs: rax, rbx, rcx, rdx, rsi, rdi, rbp, r8..r15, rsp, rip,
    // rflags; sigcontext_64's order of the same, by HalUserRegs index
    const ORDER: [usize; 18] = [7, 8, 9, 10, 11, 12, 13, 14, 5, 4, 6, 1, 3, 0, 2, 15, 16, 17];
    const RFLAGS_DF: u64 = 1 << 10;
    const RFLAGS_TF: u64 = 1 << 8;

    /// Build the frame for `e` under `r`'s stack pointer in `buf` (its
    /// first SIZE bytes), and make `r` enter the handler. The frame's
    /// address, or None when the stack pointer leaves no room.
    pub fn build(r: &mut HalUserRegs, e: &Entry, buf: &mut [u8]) -> Option<u64> {
        // below the red zone (or at the alternate stack's top),
        // 16-aligned plus 8, as after a call
        let sp = frame_top(e, r.r[15], 128)?.checked_sub(SIZE as u64)?;
        let f = (sp & !15).checked_sub(8)?;
        let b = &mut buf[..SIZE];
        b.fill(0);
        put(b, 0, e.restorer);
        put_stack(b, UC + 16, &e.stack);
        for (k, &i) in ORDER.iter().enumerate() {
            put(b, MC + 8 * k, r.r[i]);
        }
        put(b, MC + 144, 0x2b << 48 | 0x33); // cs 0x33, ss 0x2b
        put(b, MC + 168, e.mask); // oldmask
        put(b, MC + 184, f + FP as u64); // fpstate
        put(b, SIGMASK, e.mask);
        b[INFO..INFO + SIGINFO_SIZE].copy_from_slice(e.info);
        for (k, w) in r.fp[..64].iter().enumerate() {
            put(b, FP + 8 * k, *w);
        }
        r.r[15] = f;
        r.r[16] = e.handler;
        r.r[17] &= !(RFLAGS_DF | RFLAGS_TF);
        r.r[5] = e.sig as u64; // rdi
        r.r[4] = f + INFO as u64; // rsi
        r.r[3] = f + UC as u64; // rdx
        r.r[0] = 0;
        Some(f)
    }

    /// The frame's address, from the stack pointer at rt_sigreturn (the
    /// handler's return popped the restorer).
    pub fn at(sp: u64) -> u64 {
        sp.wrapping_sub(8)
    }

    /// The frame's uc_stack (rt_sigreturn puts it back).
    pub fn stack(buf: &[u8]) -> AltStack {
        get_stack(buf, UC + 16)
    }

    /// Restore `r` and the mask from frame `buf` (SIZE bytes).
    /// `mxcsr_mask`: the MXCSR bits this CPU takes (FXSAVE's
    /// MXCSR_MASK; FXRSTOR faults on the others, in the kernel).
    pub fn restore(r: &mut HalUserRegs, buf: &[u8], mxcsr_mask: u32) -> u64 {
        let b = &buf[..SIZE];
        for (k, &i) in ORDER.iter().enumerate() {
            r.r[i] = get(b, MC + 8 * k);
        }
        for (k, w) in r.fp[..64].iter_mut().enumerate() {
            *w = get(b, FP + 8 * k);
        }
        // MXCSR (bytes 24..27; its mask above it is FXSAVE's to write)
        r.fp[3] &= mxcsr_mask as u64;
        get(b, SIGMASK)
    }
}

/// AArch64's frame.
pub mod aarch64 {
    use super::*;

    /// Its size, the frame record included.
    pub const SIZE: usize = 4704;
    const UC: usize = SIGINFO_SIZE;
    const SIGMASK: usize = UC + 40;
    const MC: usize = UC + 176;
    const REGS: usize = MC + 8;
    const SP: usize = MC + 256;
    const PC: usize = MC + 264;
    const PSTATE: usize = MC + 272;
    const FPSIMD: usize = MC + 288;
    const RECORD: usize = 4688;
    const FPSIMD_MAGIC: u32 = 0x4650_8001;
    const FPSIMD_SIZE: u32 = 528;
    // HalUserRegs: x0..x30, sp, pc, pstate, tpidr_el0; fp: q0..q31 (two
    // words each), fpcr, fpsr

    /// As x86_64::build: the frame is 16-aligned; x29 names its record.
    pub fn build(r: &mut HalUserRegs, e: &Entry, buf: &mut [u8]) -> Option<u64> {
        let f = frame_top(e, r.r[31], 0)?.checked_sub(SIZE as u64)? & !15;
        let b = &mut buf[..SIZE];
        b.fill(0);
        b[..SIGINFO_SIZE].copy_from_slice(e.info);
        put_stack(b, UC + 16, &e.stack);
        put(b, SIGMASK, e.mask);
        for k in 0..31 {
            put(b, REGS + 8 * k, r.r[k]);
        }
        put(b, SP, r.r[31]);
        put(b, PC, r.r[32]);
        put(b, PSTATE, r.r[33]);
        put32(b, FPSIMD, FPSIMD_MAGIC);
        put32(b, FPSIMD + 4, FPSIMD_SIZE);
        put32(b, FPSIMD + 8, r.fp[65] as u32); // fpsr
        put32(b, FPSIMD + 12, r.fp[64] as u32); // fpcr
        for k in 0..64 {
            put(b, FPSIMD + 16 + 8 * k, r.fp[k]);
        }
        put(b, RECORD, r.r[29]);
        put(b, RECORD + 8, r.r[30]);
        r.r[0] = e.sig as u64;
        r.r[1] = f;
        r.r[2] = f + UC as u64;
        r.r[29] = f + RECORD as u64;
        r.r[30] = e.restorer;
        r.r[31] = f;
        r.r[32] = e.handler;
        Some(f)
    }

    /// The frame's address from the stack pointer at rt_sigreturn.
    pub fn at(sp: u64) -> u64 {
        sp
    }

    /// The frame's uc_stack (rt_sigreturn puts it back).
    pub fn stack(buf: &[u8]) -> AltStack {
        get_stack(buf, UC + 16)
    }

    /// As x86_64::restore; None for a frame whose FP/SIMD record is not
    /// one (Linux's -EINVAL: the process gets SIGSEGV).
    pub fn restore(r: &mut HalUserRegs, buf: &[u8]) -> Option<u64> {
        let b = &buf[..SIZE];
        if get32(b, FPSIMD) != FPSIMD_MAGIC || get32(b, FPSIMD + 4) != FPSIMD_SIZE {
            return None;
        }
        for k in 0..31 {
            r.r[k] = get(b, REGS + 8 * k);
        }
        r.r[31] = get(b, SP);
        r.r[32] = get(b, PC);
        r.r[33] = get(b, PSTATE);
        r.fp[65] = get32(b, FPSIMD + 8) as u64;
        r.fp[64] = get32(b, FPSIMD + 12) as u64;
        for k in 0..64 {
            r.fp[k] = get(b, FPSIMD + 16 + 8 * k);
        }
        Some(get(b, SIGMASK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs(seed: u64) -> HalUserRegs {
        let mut r = HalUserRegs {
            r: [0; 36],
            fp: [0; 66],
        };
        for (i, w) in r.r.iter_mut().enumerate() {
            *w = seed + i as u64 * 0x101;
        }
        for (i, w) in r.fp.iter_mut().enumerate() {
            *w = seed ^ (i as u64 * 0x1_0001);
        }
        r
    }

    fn entry(info: &[u8; SIGINFO_SIZE]) -> Entry<'_> {
        Entry {
            sig: 10,
            info,
            mask: 0x4000_0001,
            handler: 0x40_1000,
            restorer: 0x7fff_f000,
            stack: AltStack {
                sp: 0,
                flags: SS_DISABLE,
                size: 0,
            },
            on_alt: false,
        }
    }

    fn alt_entry(info: &[u8; SIGINFO_SIZE]) -> Entry<'_> {
        Entry {
            stack: AltStack {
                sp: 0x9000_0000,
                flags: 0,
                size: 0x4000,
            },
            on_alt: true,
            ..entry(info)
        }
    }

    #[test]
    fn x86_64_alternate_stack_takes_the_frame_and_uc_stack_names_it() {
        let info = [1u8; SIGINFO_SIZE];
        let mut r = regs(2);
        r.r[15] = 0x7fff_0000;
        let before = r;
        let mut b = [0u8; FRAME_MAX];
        let e = alt_entry(&info);
        let f = x86_64::build(&mut r, &e, &mut b).unwrap();
        assert!(f >= 0x9000_0000 && f + x86_64::SIZE as u64 <= 0x9000_4000);
        assert_eq!((f + 8) % 16, 0);
        assert_eq!(x86_64::stack(&b), e.stack);
        let mut back = r;
        x86_64::restore(&mut back, &b, 0xffff);
        assert_eq!(back.r[15], before.r[15], "the interrupted stack comes back");
    }

    #[test]
    fn aarch64_alternate_stack_takes_the_frame_and_uc_stack_names_it() {
        let info = [1u8; SIGINFO_SIZE];
        let mut r = regs(2);
        r.r[31] = 0x7fff_0000;
        let before = r;
        let mut b = [0u8; FRAME_MAX];
        let e = alt_entry(&info);
        let f = aarch64::build(&mut r, &e, &mut b).unwrap();
        assert!(f >= 0x9000_0000 && f + aarch64::SIZE as u64 <= 0x9000_4000);
        assert_eq!(aarch64::stack(&b), e.stack);
        let mut back = r;
        aarch64::restore(&mut back, &b).unwrap();
        assert_eq!(back.r[31], before.r[31]);
    }

    #[test]
    fn an_alternate_stack_at_the_top_of_the_address_space_is_no_room() {
        let info = [0u8; SIGINFO_SIZE];
        let mut e = alt_entry(&info);
        e.stack.sp = u64::MAX - 16;
        let mut r = regs(1);
        let mut b = [0u8; FRAME_MAX];
        assert!(x86_64::build(&mut r, &e, &mut b).is_none());
        assert!(aarch64::build(&mut r, &e, &mut b).is_none());
        e.stack.sp = 0;
        e.stack.size = 16;
        assert!(x86_64::build(&mut r, &e, &mut b).is_none());
        assert!(aarch64::build(&mut r, &e, &mut b).is_none());
    }

    #[test]
    fn x86_64_round_trip_gives_back_every_register() {
        let info = [7u8; SIGINFO_SIZE];
        let mut r = regs(0x7000_0000);
        r.r[15] = 0x7fff_0000; // rsp
        r.fp[3] = 0x1f80; // a real MXCSR, no mask above it
        let before = r;
        let mut b = [0u8; FRAME_MAX];
        let f = x86_64::build(&mut r, &entry(&info), &mut b).unwrap();
        assert_eq!((f + 8) % 16, 0, "as after a call");
        assert!(f + x86_64::SIZE as u64 <= before.r[15] - 128, "below the red zone");
        assert_eq!(r.r[16], 0x40_1000);
        assert_eq!(r.r[15], f);
        assert_eq!((r.r[5], r.r[4], r.r[3]), (10, f + 312, f + 8));
        assert_eq!(get(&b, 0), 0x7fff_f000, "the handler returns to the restorer");
        assert_eq!(&b[312..440], &info[..]);
        assert_eq!(get(&b, 8 + 40 + 13 * 8), before.r[0], "rax where sigcontext has it");
        assert_eq!(get(&b, 8 + 40 + 16 * 8), before.r[16], "rip");
        // the handler returned: ret popped the restorer
        assert_eq!(x86_64::at(f + 8), f);
        let mut back = r;
        let mask = x86_64::restore(&mut back, &b, 0xffff);
        assert_eq!(mask, 0x4000_0001);
        assert_eq!(back.r[..18], before.r[..18]);
        assert_eq!(back.fp[..64], before.fp[..64]);
    }

    #[test]
    fn x86_64_restore_drops_reserved_mxcsr_bits() {
        let info = [0u8; SIGINFO_SIZE];
        let mut r = regs(1);
        r.r[15] = 0x10_0000;
        let mut b = [0u8; FRAME_MAX];
        x86_64::build(&mut r, &entry(&info), &mut b).unwrap();
        put(&mut b, 440 + 24, 0xffff_ffff_ffff_ffff);
        x86_64::restore(&mut r, &b, 0xffbf);
        assert_eq!(r.fp[3], 0xffbf, "no DAZ where the CPU has none");
    }

    #[test]
    fn x86_64_no_room_below_a_low_stack() {
        let info = [0u8; SIGINFO_SIZE];
        let mut r = regs(1);
        r.r[15] = 100;
        let mut b = [0u8; FRAME_MAX];
        assert!(x86_64::build(&mut r, &entry(&info), &mut b).is_none());
        assert_eq!(r.r[15], 100, "nothing changed");
    }

    #[test]
    fn aarch64_round_trip_gives_back_every_register() {
        let info = [9u8; SIGINFO_SIZE];
        let mut r = regs(0x5000);
        r.r[31] = 0x7fff_0008;
        let before = r;
        let mut b = [0u8; FRAME_MAX];
        let f = aarch64::build(&mut r, &entry(&info), &mut b).unwrap();
        assert_eq!(f % 16, 0);
        assert!(f + aarch64::SIZE as u64 <= before.r[31]);
        assert_eq!((r.r[0], r.r[1], r.r[2]), (10, f, f + 128));
        assert_eq!((r.r[29], r.r[30], r.r[31], r.r[32]), (f + 4688, 0x7fff_f000, f, 0x40_1000));
        assert_eq!(&b[..128], &info[..]);
        assert_eq!(get(&b, 4688), before.r[29], "the frame record");
        assert_eq!(get32(&b, 128 + 176 + 288), 0x4650_8001, "fpsimd_context");
        assert_eq!(get(&b, 128 + 176 + 8 + 8 * 30), before.r[30], "x30 in sigcontext");
        assert_eq!(aarch64::at(f), f);
        let mut back = r;
        assert_eq!(aarch64::restore(&mut back, &b), Some(0x4000_0001));
        assert_eq!(back.r[..34], before.r[..34]);
        assert_eq!(back.fp[..64], before.fp[..64]);
        assert_eq!(back.fp[64] as u32, before.fp[64] as u32);
        assert_eq!(back.fp[65] as u32, before.fp[65] as u32);
    }

    #[test]
    fn aarch64_a_frame_without_its_fpsimd_record_is_refused() {
        let info = [0u8; SIGINFO_SIZE];
        let mut r = regs(3);
        r.r[31] = 0x20_0000;
        let mut b = [0u8; FRAME_MAX];
        aarch64::build(&mut r, &entry(&info), &mut b).unwrap();
        put32(&mut b, 128 + 176 + 288, 0);
        assert_eq!(aarch64::restore(&mut r, &b), None);
    }
}
