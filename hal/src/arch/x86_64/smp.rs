//! x86_64: starting the other CPUs (INIT-SIPI-SIPI through the local
//! APIC) and telling CPUs apart (docs/SMP_X86_64.md).
//!
//! A started CPU (an AP) begins in real mode at the 4 KiB page its
//! start-up IPI names, which must lie below 1 MiB. boot/ picks a free page
//! there (hal_cpu_start_page); hal_cpu_start copies the start code below
//! into it, with the start's values in a data area at DATA in the same
//! page, and sends INIT, waits 10 ms, sends a start-up IPI, waits 200 us
//! and sends another (Intel SDM vol. 3, "MP Initialization").
//!
//! The start code enters protected mode with its own GDT, then long mode
//! with the boot page tables that entry.S built (identity map of the low
//! 4 GiB, the kernel at -2 GiB: the page is executable there, while the
//! kernel's own tables map it never-executable), and jumps to
//! hal_ap_entry64 in the kernel's text. That reads every value it needs
//! from the page first (the kernel's own tables do not map the page where
//! the start code left it: their lower half is the user's), then loads
//! the boot CPU's IDT, CR4, CR3 (the kernel's own tables) and CR0,
//! switches to the stack it was given and calls x86_ap_main: the CPU's own GDT and TSS, its index
//! in IA32_TSC_AUX, its local APIC in the boot CPU's mode, SYSCALL, then
//! the kernel's smp_ap_entry.
//!
//! One page serves every start, so one start at a time: a start is busy
//! from hal_cpu_start until its CPU is done with the page, just before
//! smp_ap_entry.

use super::apic::{self, rdmsr, wrmsr};
use crate::errno::Errno;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

const CPUS: usize = crate::ffi::HAL_CPUS_MAX as usize;

/// Where in the start page the data area begins; the code is below it,
/// the 32-bit part's stack grows down from it.
const DATA: usize = 0xf00;

/// What hal_cpu_start hands the starting CPU, at DATA in the start page.
#[repr(C)]
struct ApData {
    /// The boot page tables (below 4 GiB: loaded in 32-bit mode).
    boot_cr3: u64,
    /// EFER for long mode: the boot CPU's (LME, NXE, SCE), LMA clear.
    efer: u64,
    /// hal_ap_entry64's address in the kernel's text.
    entry: u64,
    /// The boot CPU's IDTR (limit, then base), 10 bytes.
    idtr: [u16; 8],
    /// The boot CPU's CR4, CR3 and CR0, loaded in that order.
    cr4: u64,
    cr3: u64,
    cr0: u64,
    /// The stack's top, as hal_cpu_start was given it.
    stack: u64,
    /// The CPU's index.
    index: u64,
}

/// Offsets in the start page of the data area's fields.
const D_BOOT_CR3: usize = DATA + core::mem::offset_of!(ApData, boot_cr3);
const D_EFER: usize = DATA + core::mem::offset_of!(ApData, efer);
const D_ENTRY: usize = DATA + core::mem::offset_of!(ApData, entry);
const D_IDTR: usize = DATA + core::mem::offset_of!(ApData, idtr);
const D_CR4: usize = DATA + core::mem::offset_of!(ApData, cr4);
const D_CR3: usize = DATA + core::mem::offset_of!(ApData, cr3);
const D_CR0: usize = DATA + core::mem::offset_of!(ApData, cr0);
const D_STACK: usize = DATA + core::mem::offset_of!(ApData, stack);
const D_INDEX: usize = DATA + core::mem::offset_of!(ApData, index);

// The start code, copied to the start page and run there (so it is data
// in the image: .rodata). Everything in it is relative to the page: in
// real mode CS is the page's paragraph and IP 0; the 16-bit part finds
// the page's address in CS and writes it into the GDT pointer and the two
// far pointers before it uses them. Its GDT: 0x08 64-bit code (the
// kernel's selector, so the kernel's IDT works from the first 64-bit
// instruction on), 0x10 data, 0x18 32-bit code.
core::arch::global_asm!(
    r#"
    .section .rodata.hal_ap_start, "a"
    .balign 16
    .globl hal_ap_start_code
    .globl hal_ap_start_end
hal_ap_start_code:
    .code16
    cli
    cld
    xorl %ebx, %ebx
    movw %cs, %bx
    movw %bx, %ds
    shll $4, %ebx
    leal (.Lap_gdt - hal_ap_start_code)(%ebx), %eax
    movl %eax, (.Lap_gdtr + 2 - hal_ap_start_code)
    leal (.Lap_32 - hal_ap_start_code)(%ebx), %eax
    movl %eax, (.Lap_far32 - hal_ap_start_code)
    leal (.Lap_64 - hal_ap_start_code)(%ebx), %eax
    movl %eax, (.Lap_far64 - hal_ap_start_code)
    lgdtl (.Lap_gdtr - hal_ap_start_code)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl *(.Lap_far32 - hal_ap_start_code)

    .code32
.Lap_32:
    movl $0x10, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    leal {data}(%ebx), %esp
    movl %cr4, %eax
    orl $0x20, %eax
    movl %eax, %cr4
    movl {boot_cr3}(%ebx), %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx
    movl {efer}(%ebx), %eax
    movl {efer_hi}(%ebx), %edx
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax
    movl %eax, %cr0
    ljmpl *(.Lap_far64 - hal_ap_start_code)(%ebx)

    .code64
.Lap_64:
    movl %ebx, %ebx
    movq {entry}(%rbx), %rax
    movq %rbx, %rdi
    jmpq *%rax

    .balign 8
.Lap_gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
    .quad 0x00cf9a000000ffff
.Lap_gdtr:
    .word 4 * 8 - 1
    .long 0
    .balign 4
.Lap_far32:
    .long 0
    .word 0x18
    .balign 4
.Lap_far64:
    .long 0
    .word 0x08
hal_ap_start_end:

    .text
    .globl hal_ap_entry64
hal_ap_entry64:
    lidt {idtr}(%rdi)
    movq {cr4}(%rdi), %rax
    movq {cr3}(%rdi), %rcx
    movq {cr0}(%rdi), %rdx
    movq {stack}(%rdi), %rsp
    movl {index}(%rdi), %edi
    movq %rax, %cr4
    movq %rcx, %cr3
    movq %rdx, %cr0
    xorl %ebp, %ebp
    call x86_ap_main
    ud2
    "#,
    data = const DATA,
    boot_cr3 = const D_BOOT_CR3,
    efer = const D_EFER,
    efer_hi = const D_EFER + 4,
    entry = const D_ENTRY,
    idtr = const D_IDTR,
    cr4 = const D_CR4,
    cr3 = const D_CR3,
    cr0 = const D_CR0,
    stack = const D_STACK,
    index = const D_INDEX,
    options(att_syntax)
);

extern "C" {
    static hal_ap_start_code: u8;
    static hal_ap_start_end: u8;
    static hal_ap_entry64: u8;
}

/// The start code's bytes.
fn start_code() -> &'static [u8] {
    // SAFETY: both symbols bound one block of .rodata, end after start.
    unsafe {
        let a = core::ptr::addr_of!(hal_ap_start_code);
        let b = core::ptr::addr_of!(hal_ap_start_end);
        core::slice::from_raw_parts(a, b as usize - a as usize)
    }
}

/// The start page (physical, below 1 MiB), 0 until boot/ names one.
static START_PAGE: AtomicU64 = AtomicU64::new(0);
/// CR3 when hal_cpu_init ran: the boot page tables.
static BOOT_ROOT: AtomicU64 = AtomicU64::new(0);
/// A start is under way: its CPU has not yet left the start page.
static BUSY: AtomicBool = AtomicBool::new(false);
/// hal_cpu_start has sent a start (cpu_index may have to tell CPUs
/// apart by their APIC id from then on).
static STARTED: AtomicBool = AtomicBool::new(false);
/// The local APIC id of each index (NO_ID: none).
static HW_IDS: [AtomicU64; CPUS] = [const { AtomicU64::new(NO_ID) }; CPUS];
const NO_ID: u64 = u64::MAX;

/// How cpu_index reads the index.
static HOW: AtomicU8 = AtomicU8::new(BY_APIC_ID);
/// RDPID: IA32_TSC_AUX in one instruction (CPUID.7.0:ECX[22]).
const BY_RDPID: u8 = 2;
/// RDTSCP's ECX: IA32_TSC_AUX (CPUID.80000001H:EDX[27]).
const BY_RDTSCP: u8 = 1;
/// Neither: the GDTR base, which is this CPU's own entry of the GDT
/// table (cpu::index_from_gdt); the local APIC id, looked up in HW_IDS,
/// only where that does not answer.
const BY_APIC_ID: u8 = 0;

const IA32_TSC_AUX: u32 = 0xc000_0103;
const IA32_EFER: u32 = 0xc000_0080;
const EFER_LMA: u64 = 1 << 10;

/// How this CPU model can read IA32_TSC_AUX, if it has one.
fn index_method() -> u8 {
    use core::arch::x86_64::{__cpuid, __cpuid_count};
    if __cpuid(0).eax >= 7 && __cpuid_count(7, 0).ecx & (1 << 22) != 0 {
        BY_RDPID
    } else if __cpuid(0x8000_0000).eax >= 0x8000_0001 && __cpuid(0x8000_0001).edx & (1 << 27) != 0 {
        BY_RDTSCP
    } else {
        BY_APIC_ID
    }
}

/// The boot CPU's part of hal_cpu_init: index 0 in IA32_TSC_AUX where
/// there is one, its APIC id as index 0's, and the boot page tables (CR3
/// now, before the kernel switches to its own) for the start code.
pub fn boot_init() {
    BOOT_ROOT.store(super::mmu_root(), Ordering::Relaxed);
    HW_IDS[0].store(apic::this_id() as u64, Ordering::Relaxed);
    let how = index_method();
    if how != BY_APIC_ID {
        wrmsr(IA32_TSC_AUX, 0);
    }
    HOW.store(how, Ordering::Relaxed);
}

/// The index of the CPU running this (hal_cpu_index): IA32_TSC_AUX
/// through RDPID where the CPU has it (the HAL set it on every CPU and
/// nothing else writes it; user code can read it, as Linux's getcpu
/// does, but not change it); else the GDTR base, which is this CPU's own
/// GDT (cpu::index_from_gdt: cheaper than RDTSCP, and on every CPU
/// model); before the boot CPU loaded its own GDT, 0, or the local APIC
/// id's index once a start was sent. Any context.
pub fn cpu_index() -> u32 {
    if HOW.load(Ordering::Relaxed) == BY_RDPID {
        let v: u64;
        // SAFETY: CPUID said RDPID exists; it only reads TSC_AUX.
        unsafe { core::arch::asm!("rdpid {}", out(reg) v, options(nomem, nostack, preserves_flags)) };
        return v as u32;
    }
    match super::cpu::index_from_gdt() {
        Some(i) => i,
        None if !STARTED.load(Ordering::Acquire) => 0,
        None => index_of(apic::lapic_id() as u64),
    }
}

/// The index whose APIC id is `id`; 0 for an id no start named.
fn index_of(id: u64) -> u32 {
    HW_IDS
        .iter()
        .position(|h| h.load(Ordering::Relaxed) == id)
        .unwrap_or(0) as u32
}

/// This CPU's local APIC id (hal_cpu_hw_id). Any context.
pub fn cpu_hw_id() -> u64 {
    apic::this_id() as u64
}

/// The lowest and highest page a start-up IPI can name: vectors 01h to
/// 9Fh (page 0 holds the real-mode interrupt table, A0h-BFh are
/// reserved, and above lies the legacy video and ROM area).
pub(crate) const START_PAGE_MIN: u64 = 0x1000;
/// See START_PAGE_MIN: the first page that is too high.
pub(crate) const START_PAGE_END: u64 = 0xa_0000;

/// Record the page below 1 MiB the start code may use (boot/ picks it
/// from the memory map). -EINVAL for a page no start-up IPI can name.
pub fn set_start_page(pa: u64) -> Result<(), Errno> {
    if !(START_PAGE_MIN..START_PAGE_END).contains(&pa) || pa % 4096 != 0 {
        return Err(Errno::EINVAL);
    }
    START_PAGE.store(pa, Ordering::Relaxed);
    Ok(())
}

/// Whether the boot page tables still map the start page to itself and
/// hal_ap_entry64 where the kernel's tables have it, both executable:
/// the way the start code takes.
fn boot_tables_reach(page: u64, entry: u64) -> bool {
    use crate::mmu::{query_any, Pages, PROT_EXEC, X86};
    unsafe extern "C" fn none(_: *mut core::ffi::c_void) -> u64 {
        0
    }
    unsafe extern "C" fn keep(_: *mut core::ffi::c_void, _: u64) {}
    let root = BOOT_ROOT.load(Ordering::Relaxed);
    if root == 0 || root >= 1 << 32 {
        return false;
    }
    let p = Pages {
        alloc: none,
        free: keep,
        ctx: core::ptr::null_mut(),
        va_offset: super::DIRECT_MAP_OFFSET,
    };
    let Some((entry_pa, _)) = query_any::<X86>(&p, super::mmu_root(), entry) else {
        return false;
    };
    let exec = |va: u64, pa: u64| {
        query_any::<X86>(&p, root, va).is_some_and(|(a, prot)| a == pa && prot & PROT_EXEC != 0)
    };
    exec(page, page) && exec(entry, entry_pa) && exec(entry + 63, entry_pa + 63)
}

fn delay(cycles: u64) {
    let t0 = super::cycles();
    while super::cycles().wrapping_sub(t0) < cycles {
        core::hint::spin_loop();
    }
}

/// Start CPU `index` with local APIC id `hw_id` on `stack_top` (the
/// arguments hal_cpu_start checked). -ENODEV without a start page, a
/// local APIC or the boot page tables' way in; -EINVAL for an id an IPI
/// cannot name alone, this CPU's own or one already started as another
/// index; -EBUSY while the previous start is under way; -EIO if the
/// local APIC did not send an IPI.
pub fn cpu_start(index: u32, hw_id: u64, stack_top: u64) -> Result<(), Errno> {
    let page = START_PAGE.load(Ordering::Relaxed);
    if page == 0 {
        return Err(Errno::ENODEV);
    }
    apic::mode_setup()?;
    let other = HW_IDS
        .iter()
        .enumerate()
        .any(|(i, h)| i != index as usize && h.load(Ordering::Relaxed) == hw_id);
    if hw_id > apic::max_dest() || hw_id == apic::this_id() as u64 || other {
        return Err(Errno::EINVAL);
    }
    let code = start_code();
    let entry = core::ptr::addr_of!(hal_ap_entry64) as u64;
    if code.len() > DATA || !boot_tables_reach(page, entry) {
        crate::ffi::log(b"hal: the boot page tables no longer lead to the CPU start code\n");
        return Err(Errno::ENODEV);
    }
    if BUSY
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return Err(Errno::EBUSY);
    }
    let mut idtr = [0u16; 8];
    let (cr0, cr3, cr4): (u64, u64, u64);
    // SAFETY: reading control registers and the IDTR has no side
    // effects; sidt stores 10 bytes into the 16 of idtr.
    unsafe {
        core::arch::asm!("sidt [{}]", in(reg) idtr.as_mut_ptr(), options(nostack));
        core::arch::asm!("mov {}, cr0", out(reg) cr0, options(nomem, nostack));
        core::arch::asm!("mov {}, cr3", out(reg) cr3, options(nomem, nostack));
        core::arch::asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack));
    }
    let data = ApData {
        boot_cr3: BOOT_ROOT.load(Ordering::Relaxed),
        efer: rdmsr(IA32_EFER) & !EFER_LMA,
        entry,
        idtr,
        cr4,
        cr3,
        cr0,
        stack: stack_top,
        index: index as u64,
    };
    let base = (page + super::DIRECT_MAP_OFFSET) as *mut u8;
    // SAFETY: the start page is RAM below 1 MiB that boot/ found free and
    // nothing else uses (the mm service never hands out the first MiB);
    // the direct map makes it writable, and no CPU runs from it now
    // (BUSY was clear).
    unsafe {
        core::ptr::copy_nonoverlapping(code.as_ptr(), base, code.len());
        core::ptr::write_volatile(base.add(DATA).cast::<ApData>(), data);
    }
    HW_IDS[index as usize].store(hw_id, Ordering::Relaxed);
    STARTED.store(true, Ordering::Release);
    let hz = super::cycles_per_sec();
    let dest = hw_id as u32;
    let sent = (|| {
        apic::send_ipi(dest, apic::ICR_INIT, hz / 100)?;
        delay(hz / 100); // 10 ms
        for _ in 0..2 {
            apic::send_ipi(dest, apic::icr_startup(page), hz / 100)?;
            delay(hz / 5000); // 200 us
        }
        Ok(())
    })();
    if sent.is_err() {
        HW_IDS[index as usize].store(NO_ID, Ordering::Relaxed);
        BUSY.store(false, Ordering::Release);
    }
    sent
}

/// A started CPU, from hal_ap_entry64: on its stack, the kernel's tables
/// and the boot CPU's IDT loaded, interrupts masked.
#[no_mangle]
extern "C" fn x86_ap_main(index: u32) -> ! {
    if HOW.load(Ordering::Relaxed) != BY_APIC_ID {
        wrmsr(IA32_TSC_AUX, index as u64);
    }
    // SAFETY: this CPU is `index`, once, interrupts masked, and the boot
    // CPU ran cpu::init long ago.
    unsafe { super::cpu::ap_init(index as usize) };
    apic::ap_setup();
    super::user::init();
    // done with the start page and its data: the next start may go
    BUSY.store(false, Ordering::Release);
    crate::ffi::ap_entry(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_code_fits_below_its_data() {
        let code = start_code();
        assert!(!code.is_empty());
        assert!(code.len() <= DATA, "{} bytes", code.len());
        assert_eq!(DATA + core::mem::size_of::<ApData>() <= 4096, true);
        // real mode begins at the page's first byte: cli
        assert_eq!(code[0], 0xfa);
    }

    #[test]
    fn data_area_layout() {
        // the start code reads these offsets (32-bit loads for CR3 and
        // EFER's halves, lidt's 10 bytes)
        assert_eq!(D_BOOT_CR3, DATA);
        assert_eq!(D_EFER % 8, 0);
        assert_eq!(D_IDTR % 8, 0);
        assert_eq!(D_INDEX, DATA + 0x48);
    }

    #[test]
    fn start_page_must_be_a_sipi_vector() {
        assert_eq!(set_start_page(0), Err(Errno::EINVAL));
        assert_eq!(set_start_page(0x8800), Err(Errno::EINVAL));
        assert_eq!(set_start_page(0xa0000), Err(Errno::EINVAL));
        assert_eq!(set_start_page(0x10_0000), Err(Errno::EINVAL));
        assert_eq!(set_start_page(0x9f000), Ok(()));
        assert_eq!(set_start_page(0x1000), Ok(()));
        assert_eq!(apic::icr_startup(0x9f000), 0x469f);
        assert_eq!(apic::icr_startup(0x8000), 0x4608);
        START_PAGE.store(0, Ordering::Relaxed);
    }

    #[test]
    fn index_lookup_by_apic_id() {
        HW_IDS[5].store(0x23, Ordering::Relaxed);
        assert_eq!(index_of(0x23), 5);
        assert_eq!(index_of(0x24), 0);
        HW_IDS[5].store(NO_ID, Ordering::Relaxed);
    }
}
