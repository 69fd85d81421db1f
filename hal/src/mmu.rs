//! Address spaces: 4 KiB page tables built, changed and torn down through
//! the kernel's page allocator. The walk is the same on both arches (four
//! levels of 512 entries on x86_64, three on AArch64 with a 39-bit VA);
//! what a descriptor looks like is each arch's `Format`, a set of pure
//! functions tested on the host.
//!
//! The kernel's own mappings are shared, not copied per page: a new
//! address space starts with the boot tables' top-level entries for the
//! kernel (the x86_64 image in the top 2 GiB and the identity map of the
//! low 4 GiB; AArch64's identity map), and only the user range below is
//! the space's own. Table pages come from, and go back to, the allocator
//! the caller passes (the mm service's frames).

// Each arch builds one of the two formats; both are tested on the host.
#![allow(dead_code)]

use crate::errno::Errno;

/// Readable (every accessible mapping is; a user page without it is
/// inaccessible: PROT_NONE, which keeps its frame).
pub(crate) const PROT_READ: u32 = 1 << 0;
/// Writable.
pub(crate) const PROT_WRITE: u32 = 1 << 1;
/// Executable.
pub(crate) const PROT_EXEC: u32 = 1 << 2;
/// Reachable from user mode.
pub(crate) const PROT_USER: u32 = 1 << 3;
/// Device memory: uncached, never executable.
pub(crate) const PROT_DEVICE: u32 = 1 << 4;
/// Copy-on-write: a readable user page whose frame another address space
/// may share. The hardware sees it read-only; a software bit in the
/// descriptor keeps the mark, and a write to it faults for the kernel to
/// give the space its own copy (never with PROT_WRITE).
pub(crate) const PROT_COW: u32 = 1 << 5;
/// Every meaningful bit.
pub(crate) const PROT_ALL: u32 =
    PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER | PROT_DEVICE | PROT_COW;

/// Entries per table and the page size.
pub(crate) const ENTRIES: usize = 512;
/// 4 KiB pages.
pub(crate) const PAGE: u64 = 4096;

/// What differs between the arches' descriptors.
pub trait Format {
    /// Levels of the walk (x86_64 4, AArch64 with a 39-bit VA 3).
    const LEVELS: u32;
    /// A leaf (4 KiB page) descriptor for `pa` with `prot`.
    fn leaf(pa: u64, prot: u32) -> u64;
    /// A block descriptor (a large page) at `level` above the last.
    fn block(pa: u64, prot: u32, level: u32) -> u64;
    /// A descriptor pointing at a next-level table.
    fn table(pa: u64) -> u64;
    /// Whether a descriptor is valid, and whether it is a table (at
    /// levels above the last) or a block/page.
    fn valid(d: u64) -> bool;
    /// Whether a valid descriptor above the last level points to a table
    /// (else it maps a large block).
    fn is_table(d: u64, level: u32) -> bool;
    /// The physical address a descriptor holds.
    fn addr(d: u64) -> u64;
    /// The protection a leaf descriptor grants.
    fn prot(d: u64) -> u32;
    /// Whether a leaf holds a frame: valid, or an inaccessible user page
    /// (invalid to the hardware, its frame kept in the descriptor with a
    /// bit the hardware ignores).
    fn held(d: u64) -> bool;
}

/// The index of `va` in the table at `level` (0 is the root).
pub fn index<F: Format>(va: u64, level: u32) -> usize {
    let shift = 12 + 9 * (F::LEVELS - 1 - level);
    ((va >> shift) & 0x1ff) as usize
}

/// Whether a protection is one the HAL can express: readable, device
/// memory neither executable nor user-writable-and-executable at once is
/// fine, but device memory must not be executable.
/// A user page without PROT_READ (PROT_USER alone) is inaccessible.
/// A copy-on-write page is a readable user page in normal memory, not
/// writable.
pub fn prot_ok(prot: u32) -> bool {
    prot & !PROT_ALL == 0
        && (prot & PROT_READ != 0 || prot == PROT_USER)
        && !(prot & PROT_DEVICE != 0 && prot & PROT_EXEC != 0)
        && (prot & PROT_COW == 0
            || (prot & PROT_USER != 0 && prot & (PROT_WRITE | PROT_DEVICE) == 0))
}

/// x86_64 long-mode descriptors.
pub struct X86;

const X86_P: u64 = 1 << 0;
const X86_W: u64 = 1 << 1;
const X86_U: u64 = 1 << 2;
const X86_PWT: u64 = 1 << 3;
const X86_PCD: u64 = 1 << 4;
const X86_PS: u64 = 1 << 7;
const X86_NX: u64 = 1 << 63;
const X86_ADDR: u64 = 0x000f_ffff_ffff_f000;
/// An inaccessible page's mark (bit 9: ignored by the MMU, P clear).
const X86_NONE: u64 = 1 << 9;
/// A copy-on-write page's mark (bit 10: ignored by the MMU; W clear).
const X86_COW: u64 = 1 << 10;

impl Format for X86 {
    const LEVELS: u32 = 4;
    fn leaf(pa: u64, prot: u32) -> u64 {
        if prot & PROT_READ == 0 {
            return (pa & X86_ADDR) | X86_NONE;
        }
        let mut d = (pa & X86_ADDR) | X86_P;
        if prot & PROT_WRITE != 0 {
            d |= X86_W;
        }
        if prot & PROT_USER != 0 {
            d |= X86_U;
        }
        if prot & PROT_EXEC == 0 {
            d |= X86_NX;
        }
        if prot & PROT_DEVICE != 0 {
            d |= X86_PCD | X86_PWT;
        }
        if prot & PROT_COW != 0 {
            d = (d & !X86_W) | X86_COW;
        }
        d
    }
    fn block(pa: u64, prot: u32, _level: u32) -> u64 {
        Self::leaf(pa, prot) | X86_PS
    }
    fn table(pa: u64) -> u64 {
        // Permissions are decided at the leaf: tables allow everything.
        (pa & X86_ADDR) | X86_P | X86_W | X86_U
    }
    fn valid(d: u64) -> bool {
        d & X86_P != 0
    }
    fn is_table(d: u64, level: u32) -> bool {
        // PS at the PDPT (level 1) and PD (level 2) means a 1 GiB / 2 MiB
        // page; the PML4 (level 0) has no large pages.
        level == 0 || d & X86_PS == 0
    }
    fn addr(d: u64) -> u64 {
        d & X86_ADDR
    }
    fn held(d: u64) -> bool {
        d & (X86_P | X86_NONE) != 0
    }
    fn prot(d: u64) -> u32 {
        if d & X86_P == 0 {
            return PROT_USER; // inaccessible
        }
        let mut p = PROT_READ;
        if d & X86_W != 0 {
            p |= PROT_WRITE;
        }
        if d & X86_U != 0 {
            p |= PROT_USER;
        }
        if d & X86_NX == 0 {
            p |= PROT_EXEC;
        }
        if d & X86_PCD != 0 {
            p |= PROT_DEVICE;
        }
        if d & X86_COW != 0 {
            p |= PROT_COW;
        }
        p
    }
}

/// AArch64 stage 1 descriptors, 4 KiB granule; MAIR attribute 0 is
/// Device-nGnRnE and 1 normal write-back (as the boot code sets MAIR_EL1).
pub struct Arm;

const ARM_VALID: u64 = 1 << 0;
const ARM_TABLE: u64 = 1 << 1; // table (levels 0-2) or page (level 3)
const ARM_ATTR_NORMAL: u64 = 1 << 2;
const ARM_AP_EL0: u64 = 1 << 6; // AP[1]: EL0 access
const ARM_AP_RO: u64 = 1 << 7; // AP[2]: read-only
const ARM_SH_INNER: u64 = 3 << 8;
const ARM_AF: u64 = 1 << 10;
const ARM_NG: u64 = 1 << 11;
const ARM_PXN: u64 = 1 << 53;
const ARM_UXN: u64 = 1 << 54;
const ARM_ADDR: u64 = 0x0000_ffff_ffff_f000;
/// An inaccessible page's mark (a software bit; the descriptor is
/// invalid, so the MMU reads none of it).
const ARM_NONE: u64 = 1 << 55;
/// A copy-on-write page's mark (a software bit of a valid descriptor;
/// AP[2] keeps it read-only).
const ARM_COW: u64 = 1 << 56;

impl Format for Arm {
    const LEVELS: u32 = 3;
    fn leaf(pa: u64, prot: u32) -> u64 {
        if prot & PROT_READ == 0 {
            return (pa & ARM_ADDR) | ARM_NONE;
        }
        let mut d = (pa & ARM_ADDR) | ARM_VALID | ARM_TABLE | ARM_AF;
        if prot & PROT_DEVICE == 0 {
            d |= ARM_ATTR_NORMAL | ARM_SH_INNER;
        }
        if prot & PROT_WRITE == 0 || prot & PROT_COW != 0 {
            d |= ARM_AP_RO;
        }
        if prot & PROT_COW != 0 {
            d |= ARM_COW;
        }
        if prot & PROT_USER != 0 {
            // user pages: per address space, never run by the kernel
            d |= ARM_AP_EL0 | ARM_NG | ARM_PXN;
            if prot & PROT_EXEC == 0 {
                d |= ARM_UXN;
            }
        } else {
            d |= ARM_UXN;
            if prot & PROT_EXEC == 0 {
                d |= ARM_PXN;
            }
        }
        d
    }
    fn block(pa: u64, prot: u32, _level: u32) -> u64 {
        Self::leaf(pa, prot) & !ARM_TABLE
    }
    fn table(pa: u64) -> u64 {
        (pa & ARM_ADDR) | ARM_VALID | ARM_TABLE
    }
    fn valid(d: u64) -> bool {
        d & ARM_VALID != 0
    }
    fn is_table(d: u64, level: u32) -> bool {
        level < Self::LEVELS - 1 && d & ARM_TABLE != 0
    }
    fn addr(d: u64) -> u64 {
        d & ARM_ADDR
    }
    fn held(d: u64) -> bool {
        d & (ARM_VALID | ARM_NONE) != 0
    }
    fn prot(d: u64) -> u32 {
        if d & ARM_VALID == 0 {
            return PROT_USER; // inaccessible
        }
        let mut p = PROT_READ;
        if d & ARM_AP_RO == 0 {
            p |= PROT_WRITE;
        }
        if d & ARM_ATTR_NORMAL == 0 {
            p |= PROT_DEVICE;
        }
        if d & ARM_COW != 0 {
            p |= PROT_COW;
        }
        if d & ARM_AP_EL0 != 0 {
            p |= PROT_USER;
            if d & ARM_UXN == 0 {
                p |= PROT_EXEC;
            }
        } else if d & ARM_PXN == 0 {
            p |= PROT_EXEC;
        }
        p
    }
}

/// Where table pages come from (the kernel's page allocator) and how the
/// kernel reaches them (its direct map).
pub struct Pages {
    /// A page's physical address, or 0 when there is none; the walker
    /// zeroes it.
    pub alloc: unsafe extern "C" fn(ctx: *mut core::ffi::c_void) -> u64,
    /// Give a table page back.
    pub free: unsafe extern "C" fn(ctx: *mut core::ffi::c_void, pa: u64),
    /// Passed to both.
    pub ctx: *mut core::ffi::c_void,
    /// Added to a physical address to reach it.
    pub va_offset: u64,
}

impl Pages {
    fn table(&self, pa: u64) -> *mut u64 {
        (pa + self.va_offset) as *mut u64
    }

    fn get(&self) -> Option<u64> {
        // SAFETY: the allocator is the kernel's, called as its contract
        // says (ctx is the one it gave).
        let pa = unsafe { (self.alloc)(self.ctx) };
        if pa == 0 || pa & (PAGE - 1) != 0 {
            return None;
        }
        // SAFETY: a fresh page from the allocator, reachable through the
        // direct map; nobody else holds it yet.
        unsafe { core::ptr::write_bytes(self.table(pa), 0, ENTRIES) };
        Some(pa)
    }

    fn put(&self, pa: u64) {
        // SAFETY: as get; pa came from get.
        unsafe { (self.free)(self.ctx, pa) }
    }
}

/// Read entry `i` of the table at `pa`.
fn read(p: &Pages, pa: u64, i: usize) -> u64 {
    // SAFETY: pa is a table page of this address space (reached through
    // the direct map); i < ENTRIES.
    unsafe { core::ptr::read_volatile(p.table(pa).add(i)) }
}

fn write(p: &Pages, pa: u64, i: usize, d: u64) {
    // SAFETY: as read; the table is this address space's own.
    unsafe { core::ptr::write_volatile(p.table(pa).add(i), d) }
}

/// The leaf slot of `va`: (table pa, index), creating tables on the way
/// if `create`. None: not mapped (or no memory for a table), or a large
/// block is in the way.
fn slot<F: Format>(
    p: &Pages,
    root: u64,
    va: u64,
    create: bool,
) -> Result<Option<(u64, usize)>, Errno> {
    let mut t = root;
    for level in 0..F::LEVELS - 1 {
        let i = index::<F>(va, level);
        let d = read(p, t, i);
        if !F::valid(d) {
            if !create {
                return Ok(None);
            }
            let Some(n) = p.get() else {
                return Err(Errno::ENOMEM);
            };
            write(p, t, i, F::table(n));
            t = n;
            continue;
        }
        if !F::is_table(d, level) {
            return Err(Errno::EEXIST); // a large block covers va
        }
        t = F::addr(d);
    }
    Ok(Some((t, index::<F>(va, F::LEVELS - 1))))
}

/// The mapping of `va`: (pa of its page, prot), or None. An inaccessible
/// page is mapped (its prot is PROT_USER alone).
pub fn query<F: Format>(p: &Pages, root: u64, va: u64) -> Option<(u64, u32)> {
    match slot::<F>(p, root, va, false) {
        Ok(Some((t, i))) => {
            let d = read(p, t, i);
            if F::held(d) {
                Some((F::addr(d), F::prot(d)))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Map `pages` pages from `va` to `pa`. Nothing may be mapped there yet
/// (-EEXIST, checked first); a table that cannot be allocated (-ENOMEM)
/// undoes the pages mapped so far. Tables made on the way stay (they are
/// freed with the address space).
pub fn map<F: Format>(
    p: &Pages,
    root: u64,
    va: u64,
    pa: u64,
    pages: u64,
    prot: u32,
) -> Result<(), Errno> {
    for k in 0..pages {
        if query::<F>(p, root, va + k * PAGE).is_some() {
            return Err(Errno::EEXIST);
        }
    }
    for k in 0..pages {
        match slot::<F>(p, root, va + k * PAGE, true) {
            Ok(Some((t, i))) => write(p, t, i, F::leaf(pa + k * PAGE, prot)),
            Ok(None) => unreachable!(),
            Err(e) => {
                for j in 0..k {
                    let _ = unmap_one::<F>(p, root, va + j * PAGE);
                }
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Map one block of 512^(LEVELS-1-level) pages at `va` (aligned to its
/// size) to `pa`, with a block descriptor at table `level`; the slot must
/// be empty (-EEXIST).
pub fn map_block<F: Format>(
    p: &Pages,
    root: u64,
    va: u64,
    pa: u64,
    level: u32,
    prot: u32,
) -> Result<(), Errno> {
    let mut t = root;
    for l in 0..level {
        let i = index::<F>(va, l);
        let d = read(p, t, i);
        if !F::valid(d) {
            let n = p.get().ok_or(Errno::ENOMEM)?;
            write(p, t, i, F::table(n));
            t = n;
        } else if F::is_table(d, l) {
            t = F::addr(d);
        } else {
            return Err(Errno::EEXIST);
        }
    }
    let i = index::<F>(va, level);
    if F::valid(read(p, t, i)) {
        return Err(Errno::EEXIST);
    }
    write(p, t, i, F::block(pa, prot, level));
    Ok(())
}

/// The bytes one descriptor at `level` covers.
pub fn span<F: Format>(level: u32) -> u64 {
    PAGE << (9 * (F::LEVELS - 1 - level))
}

/// The mapping of any `va`, large blocks included: (pa, prot).
pub fn query_any<F: Format>(p: &Pages, root: u64, va: u64) -> Option<(u64, u32)> {
    let mut t = root;
    for level in 0..F::LEVELS {
        let d = read(p, t, index::<F>(va, level));
        if !F::valid(d) {
            return None;
        }
        if level == F::LEVELS - 1 || !F::is_table(d, level) {
            let size = span::<F>(level);
            return Some((F::addr(d) + (va & (size - 1)), F::prot(d)));
        }
        t = F::addr(d);
    }
    None
}

/// One section of the kernel image: a page-aligned VA range and its
/// protection.
#[derive(Clone, Copy)]
pub struct Section {
    /// First byte.
    pub lo: u64,
    /// One past the last.
    pub hi: u64,
    /// What the kernel may do there.
    pub prot: u32,
}

/// What the kernel's own address space holds.
pub struct KernelPlan<'a> {
    /// The image's sections (text, rodata, data, stack), by VA.
    pub sections: &'a [Section],
    /// Image VA minus PA.
    pub va_minus_pa: u64,
    /// Left unmapped under the boot stack.
    pub guard: (u64, u64),
    /// The image in physical memory.
    pub image_pa: (u64, u64),
    /// The direct map: physical [0, limit) at VA offset + pa.
    pub direct_offset: u64,
    /// See direct_offset.
    pub direct_limit: u64,
    /// RAM (the boot memory map's usable, ACPI and NVS regions): blocks
    /// that touch it are normal write-back memory, all others device
    /// memory.
    pub ram: &'a [(u64, u64)],
    /// The table level whose entries are 2 MiB blocks.
    pub block_level: u32,
}

/// The protection of image page `va` under the plan; None: unmapped.
fn image_prot(k: &KernelPlan, va: u64) -> Option<u32> {
    if va >= k.guard.0 && va < k.guard.1 {
        return None;
    }
    for s in k.sections {
        if va >= s.lo && va < s.hi {
            return Some(s.prot);
        }
    }
    // in the image but in no section (x86_64's 32-bit boot code and its
    // tables): data now, never run again
    Some(PROT_READ | PROT_WRITE)
}

/// Whether [b, b + size) touches RAM.
fn is_ram(ram: &[(u64, u64)], b: u64, size: u64) -> bool {
    ram.iter().any(|&(lo, hi)| lo < b + size && b < hi)
}

/// Build the kernel's address space: the direct map of physical memory
/// in 2 MiB blocks (never executable, device memory where the plan says),
/// with the image's blocks in 4 KiB pages carrying the sections'
/// permissions. Where the image runs inside the direct map (AArch64)
/// that is its mapping; where it is linked elsewhere (x86_64's top 2
/// GiB) its sections are mapped there too, and its direct-map alias is
/// never executable. The guard page stays unmapped everywhere. Returns
/// the root.
pub fn build_kernel<F: Format>(p: &Pages, k: &KernelPlan) -> Result<u64, Errno> {
    let root = p.get().ok_or(Errno::ENOMEM)?;
    let block = span::<F>(k.block_level);
    let (img_lo, img_hi) = (
        k.image_pa.0 & !(block - 1),
        (k.image_pa.1 + block - 1) & !(block - 1),
    );
    let inside = k.va_minus_pa == k.direct_offset;
    let mut b = 0;
    while b < k.direct_limit {
        let vb = b + k.direct_offset;
        let dev = !is_ram(k.ram, b, block);
        if b == 0 {
            // the first block in pages, page 0 left out: a null pointer
            // (through a zero direct-map offset) faults
            let mut pa = PAGE;
            while pa < block {
                let prot = PROT_READ | PROT_WRITE | if dev { PROT_DEVICE } else { 0 };
                map::<F>(p, root, pa + k.direct_offset, pa, 1, prot)?;
                pa += PAGE;
            }
        } else if b >= img_lo && b < img_hi {
            let mut pa = b;
            while pa < b + block {
                let in_image = pa >= k.image_pa.0 && pa < k.image_pa.1;
                let prot = if in_image {
                    match image_prot(k, pa + k.va_minus_pa) {
                        None => {
                            pa += PAGE;
                            continue;
                        }
                        Some(pr) if inside => pr,
                        Some(pr) => pr & !PROT_EXEC,
                    }
                } else {
                    PROT_READ | PROT_WRITE
                };
                map::<F>(p, root, pa + k.direct_offset, pa, 1, prot)?;
                pa += PAGE;
            }
        } else {
            let prot = PROT_READ | PROT_WRITE | if dev { PROT_DEVICE } else { 0 };
            map_block::<F>(p, root, vb, b, k.block_level, prot)?;
        }
        b += block;
    }
    if !inside {
        for s in k.sections {
            let mut va = s.lo;
            while va < s.hi {
                if !(va >= k.guard.0 && va < k.guard.1) {
                    map::<F>(p, root, va, va - k.va_minus_pa, 1, s.prot)?;
                }
                va += PAGE;
            }
        }
    }
    Ok(root)
}

/// Remove the mapping of one page; its pa if it was mapped.
pub fn unmap_one<F: Format>(p: &Pages, root: u64, va: u64) -> Option<u64> {
    let Ok(Some((t, i))) = slot::<F>(p, root, va, false) else {
        return None;
    };
    let d = read(p, t, i);
    if !F::held(d) {
        return None;
    }
    write(p, t, i, 0);
    Some(F::addr(d))
}

/// Change the protection of `pages` mapped pages from `va`. -ENOENT if
/// any is not mapped (checked first: then nothing changes).
pub fn protect<F: Format>(
    p: &Pages,
    root: u64,
    va: u64,
    pages: u64,
    prot: u32,
) -> Result<(), Errno> {
    for k in 0..pages {
        if query::<F>(p, root, va + k * PAGE).is_none() {
            return Err(Errno::ENOENT);
        }
    }
    for k in 0..pages {
        if let Ok(Some((t, i))) = slot::<F>(p, root, va + k * PAGE, false) {
            let d = read(p, t, i);
            write(p, t, i, F::leaf(F::addr(d), prot));
        }
    }
    Ok(())
}

/// Free every table below the root's entries `first..last` (the user
/// range; shared kernel entries are outside it), then the root. Leaves
/// (the mapped frames) are the caller's: unmap them first.
pub fn destroy<F: Format>(p: &Pages, root: u64, first: usize, last: usize) {
    fn free_tree<F: Format>(p: &Pages, t: u64, level: u32) {
        if level < F::LEVELS - 1 {
            for i in 0..ENTRIES {
                let d = read(p, t, i);
                if F::valid(d) && F::is_table(d, level) {
                    free_tree::<F>(p, F::addr(d), level + 1);
                }
            }
        }
        p.put(t);
    }
    for i in first..last {
        let d = read(p, root, i);
        if F::valid(d) && F::is_table(d, 0) {
            free_tree::<F>(p, F::addr(d), 1);
        }
    }
    p.put(root);
}

/// A new root: zeroed, with the entries `share` of `from` copied (the
/// kernel's), or ENOMEM.
pub fn new_root(p: &Pages, from: u64, share: &[usize]) -> Result<u64, Errno> {
    let root = p.get().ok_or(Errno::ENOMEM)?;
    for &i in share {
        write(p, root, i, read(p, from, i));
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_on_write_pages_are_read_only_and_keep_their_mark() {
        let rw = PROT_READ | PROT_USER;
        assert!(prot_ok(rw | PROT_COW));
        assert!(prot_ok(rw | PROT_EXEC | PROT_COW));
        // never writable, never the kernel's, never device memory
        assert!(!prot_ok(rw | PROT_WRITE | PROT_COW));
        assert!(!prot_ok(PROT_READ | PROT_COW));
        assert!(!prot_ok(rw | PROT_DEVICE | PROT_COW));
        assert!(!prot_ok(PROT_USER | PROT_COW));
        let d = X86::leaf(0x9000, rw | PROT_COW);
        assert!(X86::valid(d) && d & X86_W == 0);
        assert_eq!(X86::addr(d), 0x9000);
        assert_eq!(X86::prot(d), rw | PROT_COW);
        let d = Arm::leaf(0x9000, rw | PROT_COW);
        assert!(Arm::valid(d) && d & ARM_AP_RO != 0);
        assert_eq!(Arm::addr(d), 0x9000);
        assert_eq!(Arm::prot(d), rw | PROT_COW);
        // made writable again (its own frame now), the mark goes
        assert_eq!(X86::prot(X86::leaf(0x9000, rw | PROT_WRITE)), rw | PROT_WRITE);
        assert_eq!(Arm::prot(Arm::leaf(0x9000, rw | PROT_WRITE)), rw | PROT_WRITE);
    }

    #[test]
    fn inaccessible_pages_keep_their_frame_and_are_invalid() {
        assert!(prot_ok(PROT_USER));
        assert!(!prot_ok(0));
        assert!(!prot_ok(PROT_WRITE | PROT_USER));
        let d = X86::leaf(0x7000, PROT_USER);
        assert!(!X86::valid(d) && X86::held(d));
        assert_eq!(X86::addr(d), 0x7000);
        assert_eq!(X86::prot(d), PROT_USER);
        assert!(!X86::held(0));
        let d = Arm::leaf(0x4000_7000, PROT_USER);
        assert!(!Arm::valid(d) && Arm::held(d));
        assert_eq!(Arm::addr(d), 0x4000_7000);
        assert_eq!(Arm::prot(d), PROT_USER);
        assert!(!Arm::held(0));
        // a valid leaf is held too
        assert!(X86::held(X86::leaf(0x5000, PROT_READ)));
        assert!(Arm::held(Arm::leaf(0x5000, PROT_READ)));
    }

    #[test]
    fn x86_leaf_encodes_protection() {
        let d = X86::leaf(0x1234_5000, PROT_READ);
        assert_eq!(d, 0x1234_5000 | X86_P | X86_NX);
        assert_eq!(X86::prot(d), PROT_READ);
        let d = X86::leaf(0x5000, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER);
        assert_eq!(d, 0x5000 | X86_P | X86_W | X86_U);
        assert_eq!(X86::prot(d), PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER);
        let d = X86::leaf(0xfee0_0000, PROT_READ | PROT_WRITE | PROT_DEVICE);
        assert_eq!(X86::prot(d), PROT_READ | PROT_WRITE | PROT_DEVICE);
        assert_ne!(d & X86_PCD, 0);
    }

    #[test]
    fn arm_leaf_encodes_protection() {
        // kernel data: RW, never executable anywhere
        let d = Arm::leaf(0x4000_0000, PROT_READ | PROT_WRITE);
        assert_eq!(d & 3, 3);
        assert_ne!(d & ARM_AF, 0);
        assert_ne!(d & ARM_PXN, 0);
        assert_ne!(d & ARM_UXN, 0);
        assert_eq!(Arm::prot(d), PROT_READ | PROT_WRITE);
        // user code: EL0 read-only + executable, never by the kernel
        let d = Arm::leaf(0x4000_1000, PROT_READ | PROT_EXEC | PROT_USER);
        assert_ne!(d & ARM_AP_EL0, 0);
        assert_ne!(d & ARM_AP_RO, 0);
        assert_ne!(d & ARM_PXN, 0);
        assert_eq!(d & ARM_UXN, 0);
        assert_ne!(d & ARM_NG, 0);
        assert_eq!(Arm::prot(d), PROT_READ | PROT_EXEC | PROT_USER);
        // device: attribute 0, no shareability bits
        let d = Arm::leaf(0x0900_0000, PROT_READ | PROT_WRITE | PROT_DEVICE);
        assert_eq!(d & (7 << 2), 0);
        assert_eq!(Arm::prot(d), PROT_READ | PROT_WRITE | PROT_DEVICE);
    }

    #[test]
    fn blocks_are_leaves_with_the_block_form() {
        let d = X86::block(0x20_0000, PROT_READ | PROT_WRITE, 2);
        assert_ne!(d & X86_PS, 0);
        assert!(!X86::is_table(d, 2));
        let d = Arm::block(0x4020_0000, PROT_READ | PROT_WRITE, 1);
        assert_eq!(d & 3, 1); // valid, not a table
        assert!(!Arm::is_table(d, 1));
        assert_eq!(span::<X86>(2), 2 << 20);
        assert_eq!(span::<Arm>(1), 2 << 20);
        assert_eq!(span::<Arm>(0), 1 << 30);
    }

    #[test]
    fn indexes_per_level() {
        let va = 0x0000_7f12_3456_7000u64;
        assert_eq!(index::<X86>(va, 0), ((va >> 39) & 0x1ff) as usize);
        assert_eq!(index::<X86>(va, 3), ((va >> 12) & 0x1ff) as usize);
        assert_eq!(index::<Arm>(0x10_4020_3000, 0), 0x41);
        assert_eq!(index::<Arm>(0x10_4020_3000, 1), 1);
        assert_eq!(index::<Arm>(0x10_4020_3000, 2), 3);
    }

    #[test]
    fn bad_protections_refused() {
        assert!(prot_ok(PROT_READ));
        assert!(!prot_ok(PROT_WRITE)); // not readable (nor PROT_USER alone)
        assert!(!prot_ok(PROT_READ | PROT_DEVICE | PROT_EXEC));
        assert!(!prot_ok(PROT_READ | 0x100));
    }

    // A page allocator over host memory, whose "physical" addresses are
    // offsets into an aligned arena, to run the walker itself.
    use std::sync::Mutex;
    static ARENA: Mutex<Vec<u64>> = Mutex::new(Vec::new());

    unsafe extern "C" fn host_alloc(ctx: *mut core::ffi::c_void) -> u64 {
        // SAFETY: ctx is the counter the test passes.
        let n = unsafe { &mut *(ctx as *mut u64) };
        if *n == 0 {
            return 0;
        }
        *n -= 1;
        let mut a = ARENA.lock().unwrap();
        let pa = a.pop().unwrap();
        drop(a);
        pa
    }

    unsafe extern "C" fn host_free(_ctx: *mut core::ffi::c_void, pa: u64) {
        ARENA.lock().unwrap().push(pa);
    }

    fn with_pages<R>(budget: u64, f: impl FnOnce(&Pages) -> R) -> R {
        let layout = std::alloc::Layout::from_size_align(64 * 4096, 4096).unwrap();
        // SAFETY: a plain aligned allocation, freed below.
        let base = unsafe { std::alloc::alloc_zeroed(layout) };
        {
            let mut a = ARENA.lock().unwrap();
            a.clear();
            for k in 1..64u64 {
                a.push(k * 4096); // "pa" 0 means none
            }
        }
        let mut n = budget;
        let p = Pages {
            alloc: host_alloc,
            free: host_free,
            ctx: &mut n as *mut u64 as *mut core::ffi::c_void,
            va_offset: base as u64,
        };
        let r = f(&p);
        // SAFETY: allocated above with this layout.
        unsafe { std::alloc::dealloc(base, layout) };
        r
    }

    #[test]
    fn map_query_protect_unmap_destroy() {
        let _g = TEST_LOCK.lock().unwrap();
        with_pages(100, |p| {
            let root = new_root(p, 0, &[]).unwrap();
            let va = 0x0000_0040_0000_0000u64;
            map::<X86>(
                p,
                root,
                va,
                0x10_0000,
                3,
                PROT_READ | PROT_WRITE | PROT_USER,
            )
            .unwrap();
            assert_eq!(
                query::<X86>(p, root, va + PAGE),
                Some((0x10_1000, PROT_READ | PROT_WRITE | PROT_USER))
            );
            assert_eq!(query::<X86>(p, root, va + 3 * PAGE), None);
            assert_eq!(
                map::<X86>(p, root, va + 2 * PAGE, 0x20_0000, 2, PROT_READ),
                Err(Errno::EEXIST)
            );
            assert_eq!(query::<X86>(p, root, va + 3 * PAGE), None); // nothing half-done
            protect::<X86>(p, root, va, 3, PROT_READ | PROT_USER).unwrap();
            assert_eq!(query::<X86>(p, root, va).unwrap().1, PROT_READ | PROT_USER);
            assert_eq!(
                protect::<X86>(p, root, va, 4, PROT_READ),
                Err(Errno::ENOENT)
            );
            assert_eq!(query::<X86>(p, root, va).unwrap().1, PROT_READ | PROT_USER);
            assert_eq!(unmap_one::<X86>(p, root, va), Some(0x10_0000));
            assert_eq!(unmap_one::<X86>(p, root, va), None);
            let before = ARENA.lock().unwrap().len();
            destroy::<X86>(p, root, 0, 256);
            // root + 3 tables back
            assert_eq!(ARENA.lock().unwrap().len(), before + 4);
        });
    }

    #[test]
    fn inaccessible_page_round_trip() {
        let _g = TEST_LOCK.lock().unwrap();
        with_pages(100, |p| {
            let root = new_root(p, 0, &[]).unwrap();
            let va = 0x0000_0040_0000_0000u64;
            // mapped inaccessible (PROT_NONE): held, not valid
            map::<Arm>(p, root, va, 0x4010_0000, 2, PROT_USER).unwrap();
            assert_eq!(query::<Arm>(p, root, va), Some((0x4010_0000, PROT_USER)));
            assert_eq!(query_any::<Arm>(p, root, va), None); // the MMU's view
            assert_eq!(
                map::<Arm>(p, root, va, 0x4020_0000, 1, PROT_READ),
                Err(Errno::EEXIST)
            );
            // made accessible, the frame the same
            protect::<Arm>(p, root, va, 1, PROT_READ | PROT_WRITE | PROT_USER).unwrap();
            assert_eq!(
                query_any::<Arm>(p, root, va),
                Some((0x4010_0000, PROT_READ | PROT_WRITE | PROT_USER))
            );
            // and back; unmapping gives the frame
            protect::<Arm>(p, root, va, 2, PROT_USER).unwrap();
            assert_eq!(query_any::<Arm>(p, root, va), None);
            assert_eq!(unmap_one::<Arm>(p, root, va + PAGE), Some(0x4010_1000));
            assert_eq!(unmap_one::<Arm>(p, root, va), Some(0x4010_0000));
            destroy::<Arm>(p, root, 0, 256);
        });
    }

    #[test]
    fn out_of_tables_undoes_the_mapping() {
        let _g = TEST_LOCK.lock().unwrap();
        // root + 3 tables for the first page; a second 2 MiB region needs
        // another last-level table, which is not there
        with_pages(4, |p| {
            let root = new_root(p, 0, &[]).unwrap();
            let va = 0x0000_0040_001f_f000u64; // last page of a 2 MiB region
            assert_eq!(
                map::<X86>(p, root, va, 0x10_0000, 2, PROT_READ),
                Err(Errno::ENOMEM)
            );
            assert_eq!(query::<X86>(p, root, va), None);
        });
    }

    static TEST_LOCK: Mutex<()> = Mutex::new(());
}
