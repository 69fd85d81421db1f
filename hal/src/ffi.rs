//! The C interface of the HAL: every `extern "C"` item of the crate is
//! here, and cbindgen turns this file into `aegis/hal.h`. Each function
//! says what it does, the context it may be called from and its errors
//! (negative codes from `include/aegis/errno.h`).

use crate::arch;
use core::ffi::c_char;

use crate::recover::HalJmp;

#[cfg(not(test))]
extern "C" {
    /// The kernel log (kernel/log.c): writes bytes to the console.
    fn klog_write(buf: *const c_char, len: usize);
    /// The kernel's panic path (kernel/log.c). Never returns.
    fn kpanic_hal(msg: *const u8, len: usize) -> !;
    /// The kernel's panic path for CPU exceptions ("panic: <msg>").
    fn kpanic_trap(msg: *const u8, len: usize) -> !;
    /// The bus's interrupt-safe post path (bus/irq.c).
    fn bus_irq_post(line: u32) -> i32;
    /// The scheduler's end-of-interrupt hook (kernel/sched/sched.c):
    /// may switch to another context and return later. `frame`: the
    /// interrupted context's saved registers (hal_trap_user_regs).
    fn kernel_irq_exit(from_user: bool, frame: *mut core::ffi::c_void);
    /// The system-call gateway (kernel/syscall.c): fills `ret`.
    fn kernel_syscall(s: *mut HalSyscall);
    /// A fault in user mode (kernel/syscall.c): ends the thread's
    /// process. Never returns.
    fn kernel_user_fault(f: *const HalUserFault) -> !;
    /// A page fault in user mode (kernel/syscall.c): true when the
    /// kernel resolved it (copy-on-write) and the instruction may run
    /// again; false: a fault (kernel_user_fault follows).
    fn kernel_user_page_fault(f: *const HalUserFault) -> bool;
    /// A synchronous exception in kernel mode (kernel/fault.c): the
    /// recovery point of the service handler that was running, or NULL
    /// when none was (the fault is fatal then).
    fn kernel_fault(f: *const HalUserFault) -> *const HalJmp;
    /// Where a started CPU enters the kernel (kernel/smp.c). Never
    /// returns.
    fn smp_ap_entry(index: u32) -> !;
}

// Host tests link no kernel: these stand in for kernel/log.c and keep what
// the HAL reported, so tests can check it.
#[cfg(test)]
use host_kernel::{
    bus_irq_post, kernel_fault, kernel_irq_exit, kernel_syscall, kernel_user_fault,
    kernel_user_page_fault, klog_write, kpanic_hal, kpanic_trap, smp_ap_entry,
};

#[cfg(test)]
pub(crate) mod host_kernel {
    use core::ffi::c_char;
    use std::sync::Mutex;

    pub static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

    pub unsafe fn klog_write(buf: *const c_char, len: usize) {
        // SAFETY: callers pass a valid slice (see `log`).
        let s = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        LOG.lock().unwrap().extend_from_slice(s);
    }

    #[allow(dead_code)]
    pub unsafe fn bus_irq_post(_line: u32) -> i32 {
        0
    }

    #[allow(dead_code)]
    pub unsafe fn kernel_irq_exit(_from_user: bool, _frame: *mut core::ffi::c_void) {}

    #[allow(dead_code)]
    pub unsafe fn kernel_user_page_fault(_f: *const super::HalUserFault) -> bool {
        false
    }

    #[allow(dead_code)]
    pub unsafe fn kernel_syscall(s: *mut super::HalSyscall) {
        // SAFETY: the HAL passes its own frame.
        unsafe { (*s).ret = -38 };
    }

    #[allow(dead_code)]
    pub unsafe fn kernel_user_fault(_f: *const super::HalUserFault) -> ! {
        panic!("user fault");
    }

    #[allow(dead_code)]
    pub unsafe fn kernel_fault(_f: *const super::HalUserFault) -> *const super::HalJmp {
        core::ptr::null()
    }

    #[allow(dead_code)]
    pub unsafe fn smp_ap_entry(index: u32) -> ! {
        panic!("smp_ap_entry({})", index);
    }

    #[allow(dead_code)]
    pub unsafe fn kpanic_trap(msg: *const u8, len: usize) -> ! {
        // SAFETY: as kpanic_hal.
        unsafe { kpanic_hal(msg, len) }
    }

    #[allow(dead_code)]
    pub unsafe fn kpanic_hal(msg: *const u8, len: usize) -> ! {
        // SAFETY: callers pass a valid slice (see `panic_to_kernel`).
        let s = unsafe { core::slice::from_raw_parts(msg, len) };
        panic!("kpanic_hal: {}", String::from_utf8_lossy(s));
    }
}

use crate::errno::Errno;

/// Report through the kernel log (Rust → C).
pub(crate) fn log(s: &[u8]) {
    // SAFETY: klog_write reads exactly `len` bytes from a valid slice.
    unsafe { klog_write(s.as_ptr().cast(), s.len()) }
}

/// Post an interrupt on bus line `line` (interrupt context).
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn post_irq(line: u32) {
    // SAFETY: bus_irq_post is lock-free and interrupt-safe by contract.
    unsafe { bus_irq_post(line) };
}

/// The end of an interrupt (interrupt context, interrupts masked, the
/// controller already told): the kernel may switch threads here.
/// `from_user`: the interrupt arrived in user mode; `frame` the arch's
/// saved registers of what it interrupted.
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn irq_exit(from_user: bool, frame: *mut core::ffi::c_void) {
    // SAFETY: called once per interrupt, at its end, as the hook expects.
    unsafe { kernel_irq_exit(from_user, frame) };
}

/// A system call from user mode, as the HAL took it: the number and six
/// arguments from the registers the architecture's convention names
/// (x86_64: rax; rdi, rsi, rdx, r10, r8, r9. AArch64: x8; x0-x5), where
/// it came from, and the result the kernel puts back (rax / x0).
#[repr(C)]
pub struct HalSyscall {
    /// The call's number.
    pub nr: u64,
    /// Its arguments.
    pub args: [u64; 6],
    /// The user pc after the call instruction.
    pub pc: u64,
    /// The user stack pointer.
    pub sp: u64,
    /// The result, set by the kernel: a value or a negative errno.
    pub ret: i64,
    /// The arch's saved registers of the call (hal_syscall_regs reads
    /// them): the HAL's own, alive for the call.
    pub frame: *mut core::ffi::c_void,
}

/// A user thread's whole register file, as a system call left it
/// (hal_syscall_regs) and as a new thread starts with it
/// (hal_user_resume): fork's child. Its layout is the arch's, opaque to
/// the kernel, which changes it only through hal_user_regs_set_*.
/// x86_64: rax, rbx, rcx, rdx, rsi, rdi, rbp, r8..r15, rsp, rip, rflags;
/// `fp` the FXSAVE image. AArch64: x0..x30, sp, pc, pstate, tpidr_el0;
/// `fp` q0..q31, fpcr, fpsr. hal_user_resume wants it 16-byte aligned
/// (FXRSTOR's image: `fp` is 288 bytes in).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct HalUserRegs {
    /// The general registers, in the arch's order above.
    pub r: [u64; 36],
    /// The floating-point and SIMD registers.
    pub fp: [u64; 66],
}

/// A fault in user mode: what kind, the architecture's own code for it
/// (the x86_64 vector, the AArch64 ESR exception class), where, the
/// faulting address when there is one, and the exception's name.
#[repr(C)]
pub struct HalUserFault {
    /// HAL_FAULT_*.
    pub kind: u32,
    /// Vector (x86_64) or ESR_EL1.EC (AArch64).
    pub code: u32,
    /// The user pc.
    pub pc: u64,
    /// The faulting data address (page faults, alignment), else the pc.
    pub addr: u64,
    /// NUL-terminated.
    pub name: *const c_char,
    /// A page fault's access: HAL_FAULT_WRITE, HAL_FAULT_EXEC, or 0 for
    /// a read.
    pub access: u32,
    /// (padding)
    pub pad: u32,
    /// The trap's saved registers, for hal_trap_user_regs (a handler of
    /// the fault's signal starts from them), or null when the fault
    /// cannot go on in user mode.
    pub frame: *mut core::ffi::c_void,
}

/// HalUserFault.access: the page fault was a write.
pub const HAL_FAULT_WRITE: u32 = 1;
/// HalUserFault.access: the page fault was an instruction fetch.
pub const HAL_FAULT_EXEC: u32 = 2;

/// A page fault: an address not mapped, or mapped without the access.
pub const HAL_FAULT_PAGE: u32 = 1;
/// An instruction the CPU does not take (undefined, privileged).
pub const HAL_FAULT_ILLEGAL: u32 = 2;
/// A protection fault (x86_64 #GP, a non-canonical address).
pub const HAL_FAULT_PROTECTION: u32 = 3;
/// Arithmetic (division by zero, x87/SIMD errors).
pub const HAL_FAULT_ARITH: u32 = 4;
/// A misaligned access, pc or stack.
pub const HAL_FAULT_ALIGN: u32 = 5;
/// Anything else (breakpoints, debug traps).
pub const HAL_FAULT_OTHER: u32 = 6;

#[cfg_attr(test, allow(dead_code))]
pub(crate) fn syscall(s: &mut HalSyscall) {
    // SAFETY: the frame is the HAL's own, alive for the call.
    unsafe { kernel_syscall(s) };
}

/// A fault report; `name` must be NUL-terminated.
fn fault_report(kind: u32, code: u32, pc: u64, addr: u64, name: &'static str) -> HalUserFault {
    HalUserFault {
        kind,
        code,
        pc,
        addr,
        name: name.as_ptr().cast(),
        access: 0,
        pad: 0,
        frame: core::ptr::null_mut(),
    }
}

/// A page fault from user mode (x86_64 #PF; AArch64 a translation,
/// access-flag or permission fault): the kernel may resolve it (a write
/// to a copy-on-write page). true: resolved, the trap returns and the
/// instruction runs again; false: a fault (user_fault). Called with
/// interrupts masked; returns with them masked.
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn user_page_fault(
    code: u32,
    pc: u64,
    addr: u64,
    access: u32,
    name: &'static str,
    frame: *mut core::ffi::c_void,
) -> bool {
    let mut f = fault_report(HAL_FAULT_PAGE, code, pc, addr, name);
    f.access = access;
    f.frame = frame;
    // SAFETY: the report lives for the call.
    unsafe { kernel_user_page_fault(&f) }
}

#[cfg_attr(test, allow(dead_code))]
/// `frame`: the trap's saved registers (hal_trap_user_regs: the fault's
/// signal handler starts from them), or null.
pub(crate) fn user_fault(
    kind: u32,
    code: u32,
    pc: u64,
    addr: u64,
    name: &'static str,
    frame: *mut core::ffi::c_void,
) -> ! {
    let mut f = fault_report(kind, code, pc, addr, name);
    f.frame = frame;
    // SAFETY: the report lives for the call, which never returns.
    unsafe { kernel_user_fault(&f) }
}

/// A synchronous exception in kernel mode that is not a stack overflow:
/// if a service's handler was running, the kernel fails that service and
/// this goes to the handler's recovery point (and does not return);
/// otherwise it returns, and the caller ends the machine.
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn kernel_fault_recover(kind: u32, code: u32, pc: u64, addr: u64, name: &'static str) {
    let f = fault_report(kind, code, pc, addr, name);
    // SAFETY: the report lives for the call; a recovery point the kernel
    // returns was set by a frame still live on this stack (kernel/fault.c
    // keeps only those of handlers running now).
    unsafe {
        let j = kernel_fault(&f);
        if !j.is_null() {
            crate::recover::hal_jmp_go(j);
        }
    }
}

/// A started CPU enters the kernel (the HAL's start path is done with
/// everything hal_cpu_start set up for it).
#[cfg_attr(any(test, not(target_arch = "x86_64")), allow(dead_code))]
pub(crate) fn ap_entry(index: u32) -> ! {
    // SAFETY: the kernel's entry for CPU `index`, on that CPU, which
    // never returns.
    unsafe { smp_ap_entry(index) }
}

/// Hand a CPU exception's summary to the kernel, which prints it as
/// "panic: <msg>" and ends the machine.
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn trap_to_kernel(msg: &[u8]) -> ! {
    // SAFETY: kpanic_trap reads exactly `len` bytes from a valid slice.
    unsafe { kpanic_trap(msg.as_ptr(), msg.len()) }
}

/// Hand a panic message to the kernel, which prints it and stops.
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn panic_to_kernel(msg: &[u8]) -> ! {
    // SAFETY: kpanic_hal reads exactly `len` bytes from a valid slice.
    unsafe { kpanic_hal(msg.as_ptr(), msg.len()) }
}

/// Install this CPU's exception handling: on x86_64 the GDT with a TSS
/// (separate stacks for double fault and NMI) and the IDT; on AArch64 the
/// vector table. From then on a CPU exception prints a report with every
/// register and ends in the kernel's panic path. Boot CPU, interrupts
/// masked, after hal_console_init.
#[no_mangle]
pub extern "C" fn hal_cpu_init() {
    arch::cpu_init();
}

/// The most CPUs the kernel starts: indexes 0 (the boot CPU) to
/// HAL_CPUS_MAX - 1.
pub const HAL_CPUS_MAX: u32 = 64;

/// Start secondary CPU `index` (1 to HAL_CPUS_MAX - 1; the boot CPU is 0),
/// whose hardware id is `hw_id`: its local APIC id on x86_64, its
/// MPIDR_EL1 affinity fields (Aff3:Aff2:Aff1:Aff0, as a device tree's cpu
/// `reg` gives them) on AArch64.
///
/// The CPU enters the kernel in its normal mode (long mode / EL1) with
/// interrupts masked, the boot CPU's kernel address space active, its own
/// exception handling installed (an exception on it prints a report
/// naming the CPU and panics), `hal_cpu_index()` answering `index`, on
/// the stack whose top is `stack_top`, and calls the kernel's
/// `smp_ap_entry(index)`, which never returns.
///
/// Returns 0 once the start was asked of the hardware or firmware
/// (INIT-SIPI-SIPI sent; PSCI CPU_ON accepted): whether the CPU arrived is
/// for the caller to see (it waits for smp_ap_entry's sign). Errors:
/// -EINVAL (index 0 or too big, `stack_top` 0 or not 16-aligned; on
/// x86_64 also an APIC id an IPI cannot name alone, the caller's own, or
/// one already started as another index: an INIT would reset that CPU),
/// -ENODEV (this machine gives no way to start a CPU: no local APIC, no
/// PSCI conduit), -EBUSY (the previous start has not reached
/// smp_ap_entry), -EIO (the firmware refused; its PSCI error is printed).
/// Boot CPU, thread context, one start at a time.
#[no_mangle]
pub extern "C" fn hal_cpu_start(index: u32, hw_id: u64, stack_top: u64) -> i32 {
    if index == 0 || index >= HAL_CPUS_MAX || stack_top == 0 || stack_top % 16 != 0 {
        return Errno::EINVAL.to_c();
    }
    status(arch::cpu_start(index, hw_id, stack_top))
}

/// x86_64: the 4 KiB page below 1 MiB (physical; 0x1000 to 0x9f000, the
/// pages a start-up IPI can name) where hal_cpu_start puts the other
/// CPUs' real-mode start code: RAM that holds no boot data, picked by
/// boot/ from the memory map (the mm service never hands out the first
/// MiB). Without it hal_cpu_start answers -ENODEV. Returns 0, -EINVAL (a
/// page no start-up IPI can name), or -ENODEV on AArch64, which needs
/// none. Boot CPU, before smp_init.
#[no_mangle]
pub extern "C" fn hal_cpu_start_page(pa: u64) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        status(arch::set_start_page(pa))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = pa;
        Errno::ENODEV.to_c()
    }
}

/// A pause inside a spin-wait loop (x86_64 `pause`, AArch64 `yield`):
/// lets a sibling hardware thread run and saves power. Any context.
#[no_mangle]
pub extern "C" fn hal_cpu_relax() {
    core::hint::spin_loop();
}

/// The index of the CPU running this: 0 on the boot CPU, on the others
/// the index hal_cpu_start gave. Correct in every context, also after
/// user code ran (which may change the segment registers on x86_64).
#[no_mangle]
pub extern "C" fn hal_cpu_index() -> u32 {
    arch::cpu_index()
}

/// This CPU's hardware id, as hal_cpu_start takes it (local APIC id /
/// MPIDR_EL1 affinity fields). Any context.
#[no_mangle]
pub extern "C" fn hal_cpu_hw_id() -> u64 {
    arch::cpu_hw_id()
}

/// Set up this CPU's side of the interrupt controller so that it can take
/// inter-processor interrupts (x86_64: its local APIC, enabled in the
/// boot CPU's mode; AArch64: the GICv2 CPU interface, or the GICv3
/// redistributor and CPU interface, with the IPI's SGI enabled). The
/// CPU's own interrupt mask is left as it is. A secondary CPU, once, from
/// smp_ap_entry (the boot CPU's is set up by hal_irq_init). Returns 0, or
/// -ENODEV before hal_irq_init.
#[no_mangle]
pub extern "C" fn hal_cpu_irq_init() -> i32 {
    status(arch::cpu_irq_init())
}

/// Send the kernel's inter-processor interrupt to CPU `index` (the boot
/// CPU, or one hal_cpu_start started that has called hal_cpu_irq_init).
/// On that CPU the HAL calls the kernel's `smp_ipi_entry()` in interrupt
/// context and then ends the interrupt. IPIs are not counted: several
/// sent before the CPU takes one may arrive as one, so the kernel keeps
/// its reasons itself. Returns 0, -EINVAL (index beyond HAL_CPUS_MAX, a
/// CPU never started, or this CPU), -ENODEV (before hal_irq_init), -EIO
/// (x86_64 xAPIC: the interrupt still pending after 10 ms). Any
/// context.
#[no_mangle]
pub extern "C" fn hal_ipi_send(index: u32) -> i32 {
    status(arch::ipi_send(index))
}

/// Start this secondary CPU's own timer, at the rate hal_timer_start gave
/// the boot CPU's (x86_64: its local APIC timer with the boot CPU's
/// calibration; AArch64: its virtual timer and banked PPI). Its ticks
/// call the kernel's `smp_tick_entry()` in interrupt context on this CPU
/// and are never posted on the bus (the boot CPU's tick is the bus's
/// timer event). A secondary CPU, once, after hal_cpu_irq_init. Returns
/// 0, -EINVAL on the boot CPU, -ENODEV before hal_timer_start.
#[no_mangle]
pub extern "C" fn hal_cpu_timer_start() -> i32 {
    if arch::cpu_index() == 0 {
        return Errno::EINVAL.to_c();
    }
    status(arch::cpu_timer_start())
}

/// Whether this CPU is inside the HAL's interrupt top half now (for the
/// lock checker's interrupt rule). Any context.
#[no_mangle]
pub extern "C" fn hal_in_irq() -> bool {
    crate::irq::in_irq()
}

/// Set up the early console UART and announce it in the kernel log.
///
/// `base` is the UART's physical address where the platform says so (the
/// device tree's stdout-path on AArch64: a PL011); 0 means the platform
/// default (COM1 at I/O port 0x3f8 on x86_64, where `base` is ignored).
/// Returns 0, or -ENODEV if the arch needs a base and got none.
/// Boot CPU, before anything else prints.
#[no_mangle]
pub extern "C" fn hal_console_init(base: u64) -> i32 {
    match arch::console_init(base) {
        Ok(()) => {
            use core::fmt::Write;
            let mut b = crate::fmt::Buf::<96>::new();
            let _ = writeln!(b, "hal: console {}", arch::console_describe());
            log(b.as_bytes());
            0
        }
        Err(()) => Errno::ENODEV.to_c(),
    }
}

/// Write `len` bytes to the console UART, turning "\n" into "\r\n".
/// Output before `hal_console_init` is dropped. Returns 0, -EFAULT (null
/// with a length, a range that wraps or is not canonical) or -E2BIG (over
/// 1 MiB); nothing is written then. Any context; polled, so it can be slow
/// (a few µs per byte on real hardware).
///
/// # Safety
/// `buf` must point to `len` readable bytes (checked as far as the HAL
/// can: see guard.rs).
#[no_mangle]
pub unsafe extern "C" fn hal_console_write(buf: *const u8, len: usize) -> i32 {
    let (ptr, len) = match crate::guard::bytes(buf, len) {
        Ok(Some(p)) => p,
        Ok(None) => return 0,
        Err(e) => return e.to_c(),
    };
    // SAFETY: the guard checked ptr/len; the caller promises the bytes
    // are readable.
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
    for &c in bytes {
        if c == b'\n' {
            arch::console_putc(b'\r');
        }
        arch::console_putc(c);
    }
    0
}

/// Write `len` bytes from `buf` to the console as they are: no carriage
/// return is added before a newline (a terminal's output, which its line
/// discipline has processed already). Returns 0 or a negative errno.
///
/// # Safety
/// `buf` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn hal_console_write_raw(buf: *const u8, len: usize) -> i32 {
    let (ptr, len) = match crate::guard::bytes(buf, len) {
        Ok(Some(p)) => p,
        Ok(None) => return 0,
        Err(e) => return e.to_c(),
    };
    // SAFETY: the guard checked ptr/len; the caller promises the bytes
    // are readable.
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
    for &c in bytes {
        arch::console_putc(c);
    }
    0
}

/// End the machine with a status for the host (test runs): x86_64 writes
/// it to QEMU's isa-debug-exit port 0xf4 (QEMU exits with `code*2+1`);
/// AArch64 uses semihosting SYS_EXIT (QEMU exits with `code`; QEMU must run
/// with semihosting enabled). If the machine is still alive afterwards (no
/// such device), halts. Any context. Never returns.
#[no_mangle]
pub extern "C" fn hal_exit(code: u32) -> ! {
    arch::exit(code)
}

/// For tests of fault containment (ktest fault.*): take a synchronous
/// exception of `kind` (HAL_FAULT_*) in kernel mode, now. HAL_FAULT_PAGE
/// reads an address mapped on neither arch; HAL_FAULT_ILLEGAL runs an
/// undefined instruction (ud2, udf #0); HAL_FAULT_ALIGN a misaligned
/// exclusive load (AArch64); HAL_FAULT_PROTECTION a non-canonical address
/// and HAL_FAULT_ARITH a division by zero (x86_64). Inside a service's
/// handler the service fails and the handler does not go on; elsewhere
/// the machine stops. Returns -ENODEV for a kind this arch does not take
/// in kernel mode, -EINVAL for an unknown kind, -EFAULT if the exception
/// was taken and this code resumed, which it never should. Any context.
#[no_mangle]
pub extern "C" fn hal_fault_test(kind: u32) -> i32 {
    arch::fault_test(kind)
}

/// Stop this CPU for good: interrupts masked, wait forever. Never returns.
#[no_mangle]
pub extern "C" fn hal_halt() -> ! {
    arch::halt()
}

/// Wait for the next interrupt (hlt / wfi); returns after it, or at once.
/// Thread or idle context.
#[no_mangle]
pub extern "C" fn hal_idle() {
    arch::idle()
}

/// Unmask interrupts on this CPU and wait for the next one, as one step:
/// call it with interrupts masked, after checking that there is no work,
/// and no interrupt can slip in between the check and the wait (x86_64:
/// `sti; hlt`, the instruction after `sti` runs before any interrupt;
/// AArch64: `wfi` wakes for a pending interrupt even while masked, then
/// unmasking takes it). Returns after the interrupt was handled, with
/// interrupts on. Thread or idle context.
#[no_mangle]
pub extern "C" fn hal_idle_unmask() {
    arch::idle_unmask()
}

/// The free-running cycle counter (TSC / CNTVCT_EL0). Any context.
#[no_mangle]
pub extern "C" fn hal_cycles() -> u64 {
    arch::cycles()
}

/// Ticks per second of `hal_cycles`: CNTFRQ_EL0 on AArch64; on x86_64
/// CPUID leaf 0x15 when the CPU reports it, else the TSC measured against
/// the PIT over 10 ms (the first call takes that long; later calls return
/// the cached value). 0 if it cannot be known. Boot CPU, thread context.
#[no_mangle]
pub extern "C" fn hal_cycles_per_sec() -> u64 {
    arch::cycles_per_sec()
}

/// The symbolic name of an error code ("EINVAL"), from the HAL's copy of
/// the list (generated from include/aegis/errno.h), or "E?". The kernel's
/// in-kernel test hal.errno_matches compares it with the C side's names
/// for every code. Any context.
#[no_mangle]
pub extern "C" fn hal_errno_name(code: i32) -> *const c_char {
    match Errno::from_c(code) {
        Some(e) => e.name_c().as_ptr().cast(),
        None => "E?\0".as_ptr().cast(),
    }
}

/// The architecture's name ("x86_64" or "aarch64"), a static C string.
#[no_mangle]
pub extern "C" fn hal_arch_name() -> *const c_char {
    arch::NAME.as_ptr().cast()
}

/// The ELF machine number (e_machine) of the programs this CPU runs: 62
/// (EM_X86_64) or 183 (EM_AARCH64). For the program loader.
#[no_mangle]
pub extern "C" fn hal_elf_machine() -> u16 {
    arch::ELF_MACHINE
}

/// Choose the PSCI conduit (AArch64): `smc` true for SMC, false for HVC,
/// as the device tree's /psci method says. Returns 0, or -ENODEV on an
/// arch without PSCI. Boot CPU.
#[no_mangle]
pub extern "C" fn hal_set_psci_conduit(smc: bool) -> i32 {
    if arch::set_psci_conduit(smc) {
        0
    } else {
        Errno::ENODEV.to_c()
    }
}

/// What the platform description (the device tree, read by boot/) tells
/// the HAL: its interrupt controller, timer and console interrupts, and
/// PSCI conduit.
#[repr(C)]
pub struct HalPlatform {
    /// Interrupt controller: 0 none named, 1 APIC (x86_64: local APIC
    /// plus the I/O APIC at `intc_base`), 2 GICv2, 3 GICv3.
    pub intc_kind: u32,
    /// PSCI conduit: 0 none, 1 HVC, 2 SMC.
    pub psci: u32,
    /// Interrupt controller base (distributor), physical.
    pub intc_base: u64,
    /// Second frame: GICv2 CPU interface, GICv3 redistributor.
    pub intc_base2: u64,
    /// The virtual timer's interrupt id (0: none).
    pub timer_intid: u32,
    /// The console UART's interrupt (0: none, a polled console): the GIC
    /// INTID on AArch64, the global system interrupt (GSI) on x86_64.
    pub uart_irq: u32,
}

/// The platform as hal_set_platform recorded it: kind, base, base2,
/// timer interrupt, console UART interrupt.
static INTC: [core::sync::atomic::AtomicU64; 5] = [
    core::sync::atomic::AtomicU64::new(0),
    core::sync::atomic::AtomicU64::new(0),
    core::sync::atomic::AtomicU64::new(0),
    core::sync::atomic::AtomicU64::new(0),
    core::sync::atomic::AtomicU64::new(0),
];

static PLATFORM_CAPS: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// Tell the HAL what the platform description says. Returns 0, -EFAULT or
/// -EINVAL (misaligned pointer, unknown kind). Boot CPU, before
/// hal_caps().
///
/// # Safety
/// `p` must point to a valid HalPlatform (checked for null and alignment).
#[no_mangle]
pub unsafe extern "C" fn hal_set_platform(p: *const HalPlatform) -> i32 {
    let p = match crate::guard::object(p) {
        Ok(p) => p,
        Err(e) => return e.to_c(),
    };
    // SAFETY: the guard checked null, alignment and range; the caller
    // promises a valid struct.
    let p = unsafe { &*p };
    if p.intc_kind > 3 || p.psci > 2 {
        return Errno::EINVAL.to_c();
    }
    let caps = crate::caps::decode_platform(p.intc_kind, p.psci);
    use core::sync::atomic::Ordering::Relaxed;
    INTC[0].store(p.intc_kind as u64, Relaxed);
    INTC[1].store(p.intc_base, Relaxed);
    INTC[2].store(p.intc_base2, Relaxed);
    INTC[3].store(p.timer_intid as u64, Relaxed);
    INTC[4].store(p.uart_irq as u64, Relaxed);
    PLATFORM_CAPS.store(caps, core::sync::atomic::Ordering::Relaxed);
    if p.psci != 0 {
        arch::set_psci_conduit(p.psci == 2);
    }
    0
}

/// What this CPU and platform offer: a mask of HAL_CAP_* bits, detected at
/// run time (CPUID, ID registers) plus what hal_set_platform said. Any
/// context.
#[no_mangle]
pub extern "C" fn hal_caps() -> u64 {
    arch::cpu_caps() | PLATFORM_CAPS.load(core::sync::atomic::Ordering::Relaxed)
}

/// The name of one capability bit ("x2apic"), or NULL for a bit that
/// means nothing. Any context.
#[no_mangle]
pub extern "C" fn hal_cap_name(bit: u64) -> *const c_char {
    match crate::caps::name(bit) {
        Some(n) => n.as_ptr().cast(),
        None => core::ptr::null(),
    }
}

/// Panic inside the HAL on purpose, with `code` in the message: the
/// in-kernel test ktest.hal_panic (run only when named) uses it to show
/// that a Rust panic reaches the kernel's panic path with its file and
/// line. Never returns.
#[no_mangle]
pub extern "C" fn hal_test_panic(code: u32) -> ! {
    panic!("deliberate HAL panic {}", code)
}

/// Bring up the platform's interrupt controller (from hal_set_platform)
/// behind the HAL's operations table: GICv2 or GICv3 on AArch64; on
/// x86_64 the local APIC, plus the I/O APIC when the platform names one
/// and it answers at its address (else only the timer can interrupt).
/// Returns 0, -ENODEV (no driver for this platform's controller), or -EIO.
/// Interrupts stay masked on the CPU until hal_irq_cpu_enable. Boot CPU.
#[no_mangle]
pub extern "C" fn hal_irq_init() -> i32 {
    use core::sync::atomic::Ordering::Relaxed;
    let kind = INTC[0].load(Relaxed) as u32;
    match arch::irq_init(kind, INTC[1].load(Relaxed), INTC[2].load(Relaxed)) {
        Ok(chip) => {
            crate::irq::set_chip(chip);
            0
        }
        Err(e) => e.to_c(),
    }
}

/// The name of the interrupt controller driver in use, or NULL.
#[no_mangle]
pub extern "C" fn hal_irq_chip_name() -> *const c_char {
    match crate::irq::chip() {
        Some(c) => c.name.as_ptr().cast(),
        None => core::ptr::null(),
    }
}

/// Start the periodic timer at `hz` (1..10000): its interrupts reach the
/// bus on the returned line (post them as "hw.irq.timer" with
/// bus_irq_name). Returns the line, -ENODEV (no interrupt controller or
/// no timer interrupt in the platform description) or -EINVAL.
#[no_mangle]
pub extern "C" fn hal_timer_start(hz: u32) -> i32 {
    use core::sync::atomic::Ordering::Relaxed;
    if hz == 0 || hz > 10_000 {
        return Errno::EINVAL.to_c();
    }
    let id = arch::timer_id(INTC[3].load(Relaxed) as u32);
    let Some(chip) = crate::irq::chip() else {
        return Errno::ENODEV.to_c();
    };
    let Some(line) = crate::irq::line_of(id) else {
        return Errno::ENODEV.to_c();
    };
    if id == 0 {
        return Errno::ENODEV.to_c();
    }
    crate::irq::TIMER_ID.store(id, Relaxed);
    (chip.enable)(id);
    crate::irq::mark_enabled(line);
    arch::timer_start(hz);
    line as i32
}

/// Let the console UART interrupt when bytes arrive, on the line this
/// returns (name it with bus_irq_name, e.g. "hw.irq.uart0"). Like every
/// device line it is masked by the top half when it fires, and its
/// subscriber reads the bytes (hal_console_getc until -EAGAIN) and then
/// calls hal_irq_unmask. Returns the line, or -ENODEV (no interrupt
/// controller, or no console interrupt in the platform description).
/// Boot CPU, after hal_irq_init.
#[no_mangle]
pub extern "C" fn hal_console_rx_start() -> i32 {
    use core::sync::atomic::Ordering::Relaxed;
    let Some(chip) = crate::irq::chip() else {
        return Errno::ENODEV.to_c();
    };
    let irq = INTC[4].load(Relaxed) as u32;
    if irq == 0 {
        return Errno::ENODEV.to_c();
    }
    let Some(id) = arch::uart_irq_id(irq) else {
        return Errno::ENODEV.to_c();
    };
    let Some(line) = crate::irq::line_of(id) else {
        return Errno::ENODEV.to_c();
    };
    // Route first, then let the UART interrupt, then drain what came
    // before (at most a FIFO's worth, in case a broken UART always says
    // data is there): a byte arriving at any point raises the line while
    // it is routed, or is drained. Interrupts are still masked on the CPU.
    (chip.enable)(id);
    if !arch::console_rx_enable() {
        (chip.mask)(id);
        return Errno::ENODEV.to_c();
    }
    for _ in 0..64 {
        if arch::console_getc().is_none() {
            break;
        }
    }
    crate::irq::mark_enabled(line);
    CONSOLE_LINE.store(line as i32, Relaxed);
    line as i32
}

/// The console's receive line, once hal_console_rx_start gave it.
static CONSOLE_LINE: core::sync::atomic::AtomicI32 = core::sync::atomic::AtomicI32::new(-1);

/// The line hal_console_rx_start returned, or -ENODEV before it (or when
/// the console has no receive interrupt). The console service unmasks it
/// when it (re)starts, so input never stays masked across a restart.
/// Any context.
#[no_mangle]
pub extern "C" fn hal_console_rx_line() -> i32 {
    let l = CONSOLE_LINE.load(core::sync::atomic::Ordering::Relaxed);
    if l < 0 {
        Errno::ENODEV.to_c()
    } else {
        l
    }
}

/// One byte received by the console UART (0..255), or -EAGAIN when none
/// is waiting. Never blocks. Any context.
#[no_mangle]
pub extern "C" fn hal_console_getc() -> i32 {
    match arch::console_getc() {
        Some(c) => c as i32,
        None => Errno::EAGAIN.to_c(),
    }
}

/// Let a device line interrupt again: its owner's acknowledgement after
/// handling the event the top half posted (the top half masked the line).
/// For the console's line it also makes the UART signal again if data is
/// waiting (an edge-triggered line loses the edge of a byte that came
/// while it was masked). Returns 0, -ENODEV before hal_irq_init, or
/// -EINVAL for a line no driver enabled (the timer's is never masked;
/// unmasking it is harmless). Handler or thread context.
#[no_mangle]
pub extern "C" fn hal_irq_unmask(line: u32) -> i32 {
    let Some(chip) = crate::irq::chip() else {
        return Errno::ENODEV.to_c();
    };
    if !crate::irq::is_enabled(line) {
        return Errno::EINVAL.to_c();
    }
    if line != crate::irq::TIMER_ID.load(core::sync::atomic::Ordering::Relaxed) {
        (chip.unmask)(line);
    }
    if line as i32 == CONSOLE_LINE.load(core::sync::atomic::Ordering::Relaxed) {
        arch::console_rx_rearm();
    }
    0
}

/// When the timer's latest interrupt was due and when its top half ran,
/// in hal_cycles units (both 0 before the first). `due` is the
/// hardware's deadline: CNTV_CVAL_EL0 on AArch64; on x86_64 the TSC less
/// the LAPIC ticks counted since the timer reloaded.
#[repr(C)]
pub struct HalTimerStamp {
    /// The interrupt's deadline.
    pub due: u64,
    /// The top half's first instruction after the entry code (roughly).
    pub top: u64,
}

/// The stamps of the timer's latest interrupt (see HalTimerStamp). The
/// interrupt-latency benchmark reads them in its tick handler: `top` to
/// the handler is the bus's share, `due` to `top` the hardware's and the
/// entry code's. Any context.
#[no_mangle]
pub extern "C" fn hal_timer_last() -> HalTimerStamp {
    use core::sync::atomic::Ordering::Relaxed;
    HalTimerStamp {
        due: crate::irq::TIMER_DUE.load(Relaxed),
        top: crate::irq::TIMER_TOP.load(Relaxed),
    }
}

/// Mask interrupts on this CPU and say whether they were unmasked: the
/// value to give hal_irq_cpu_enable when the masked section ends, so a
/// section inside another (or before interrupts are set up at all) does
/// not unmask them early. Any context.
#[no_mangle]
pub extern "C" fn hal_irq_cpu_save() -> bool {
    let was = arch::irq_cpu_enabled();
    arch::irq_cpu_enable(false);
    was
}

/// Unmask (true) or mask (false) interrupts on this CPU. Returns 0.
#[no_mangle]
pub extern "C" fn hal_irq_cpu_enable(on: bool) -> i32 {
    if arch::irq_cpu_enable(on) {
        0
    } else {
        Errno::ENODEV.to_c()
    }
}

/// The kernel's window on physical memory: physical address `pa` below
/// `limit` is reachable at virtual address `pa + offset`.
#[repr(C)]
pub struct HalDirectMap {
    /// Added to a physical address to reach it.
    pub offset: u64,
    /// The first physical address outside the window.
    pub limit: u64,
}

/// Where physical memory is mapped for the kernel (today: the boot page
/// tables' identity map of the low 4 GiB on both arches). The mm service
/// hands out only frames inside it. Any context.
#[no_mangle]
pub extern "C" fn hal_direct_map() -> HalDirectMap {
    HalDirectMap {
        offset: arch::DIRECT_MAP_OFFSET,
        limit: arch::DIRECT_MAP_LIMIT,
    }
}

/// The kernel's page allocator, as the MMU calls see it: `alloc` returns
/// a page's physical address (0 when there is none), `free` takes one
/// back; `ctx` is passed to both. The HAL reaches the pages through the
/// direct map (hal_direct_map) and zeroes new ones itself.
#[repr(C)]
pub struct HalPageAlloc {
    /// One 4 KiB page, or 0.
    pub alloc: Option<unsafe extern "C" fn(ctx: *mut core::ffi::c_void) -> u64>,
    /// Give a page back.
    pub free: Option<unsafe extern "C" fn(ctx: *mut core::ffi::c_void, pa: u64)>,
    /// The allocator's own argument.
    pub ctx: *mut core::ffi::c_void,
}

/// Where an address space's own mappings may go (the rest is the
/// kernel's, shared by all): [lo, hi).
#[repr(C)]
pub struct HalRange {
    /// First address.
    pub lo: u64,
    /// One past the last.
    pub hi: u64,
}

/// Readable (every mapping must be).
pub const HAL_PROT_READ: u32 = 1 << 0;
/// Writable.
pub const HAL_PROT_WRITE: u32 = 1 << 1;
/// Executable.
pub const HAL_PROT_EXEC: u32 = 1 << 2;
/// Reachable from user mode.
pub const HAL_PROT_USER: u32 = 1 << 3;
/// Device memory (uncached, never executable).
pub const HAL_PROT_DEVICE: u32 = 1 << 4;
/// Copy-on-write: a readable user page whose frame may be shared; the
/// MMU sees it read-only, a write faults (HalUserFault.access has
/// HAL_FAULT_WRITE) and the kernel gives the space its own copy. Never
/// with HAL_PROT_WRITE; a query shows it.
pub const HAL_PROT_COW: u32 = 1 << 5;

const _: () = assert!(
    HAL_PROT_READ == crate::mmu::PROT_READ
        && HAL_PROT_WRITE == crate::mmu::PROT_WRITE
        && HAL_PROT_EXEC == crate::mmu::PROT_EXEC
        && HAL_PROT_USER == crate::mmu::PROT_USER
        && HAL_PROT_DEVICE == crate::mmu::PROT_DEVICE
        && HAL_PROT_COW == crate::mmu::PROT_COW
);

/// The lowest user address on both arches (Linux's default
/// mmap_min_addr): a null pointer, or a small offset from one, faults in
/// user mode and in the kernel alike.
pub const HAL_USER_FLOOR: u64 = 0x10000;

/// The user range of every address space (see HalRange). Any context.
#[no_mangle]
pub extern "C" fn hal_mmu_user_range() -> HalRange {
    let (a, b) = arch::USER_ENTRIES;
    let span = crate::mmu::PAGE << (9 * (<arch::Fmt as crate::mmu::Format>::LEVELS - 1) + 9);
    let per = span / crate::mmu::ENTRIES as u64;
    HalRange {
        lo: core::cmp::max(a as u64 * per, HAL_USER_FLOOR),
        hi: b as u64 * per,
    }
}

fn pages_of(a: *const HalPageAlloc) -> Result<crate::mmu::Pages, Errno> {
    let a = crate::guard::object(a)?;
    // SAFETY: the guard checked null, alignment and range; the caller
    // promises a valid struct.
    let a = unsafe { &*a };
    let (Some(alloc), Some(free)) = (a.alloc, a.free) else {
        return Err(Errno::EINVAL);
    };
    Ok(crate::mmu::Pages {
        alloc,
        free,
        ctx: a.ctx,
        va_offset: arch::DIRECT_MAP_OFFSET,
    })
}

/// Check root, a page-aligned user range [va, va + len) and (if given) a
/// page-aligned pa.
fn check_range(root: u64, va: u64, len: u64, pa: Option<u64>) -> Result<u64, Errno> {
    let r = hal_mmu_user_range();
    let page = crate::mmu::PAGE;
    if root == 0 || root % page != 0 || root >= arch::DIRECT_MAP_LIMIT {
        return Err(Errno::EINVAL);
    }
    if len == 0 || va % page != 0 || len % page != 0 || pa.is_some_and(|p| p % page != 0) {
        return Err(Errno::EINVAL);
    }
    if va < r.lo || va > r.hi || len > r.hi - va {
        return Err(Errno::EFAULT);
    }
    Ok(len / page)
}

static NX: core::sync::atomic::AtomicU8 = core::sync::atomic::AtomicU8::new(0);

/// A new address space: a zeroed root table with the kernel's mappings
/// shared from the active one. Returns the root's physical address, or
/// -ENOMEM, -EINVAL (bad allocator), -ENODEV (an x86_64 CPU without NX,
/// which the protections need). Thread or handler context.
///
/// # Safety
/// `a` must point to a valid HalPageAlloc whose functions behave as it
/// says.
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_create(a: *const HalPageAlloc) -> i64 {
    use core::sync::atomic::Ordering::Relaxed;
    if NX.load(Relaxed) == 0 {
        NX.store(if arch::mmu_nx_enable() { 1 } else { 2 }, Relaxed);
    }
    if NX.load(Relaxed) != 1 {
        return Errno::ENODEV.to_c() as i64;
    }
    let p = match pages_of(a) {
        Ok(p) => p,
        Err(e) => return e.to_c() as i64,
    };
    match crate::mmu::new_root(&p, arch::mmu_root(), arch::KERNEL_SHARE) {
        Ok(root) => root as i64,
        Err(e) => e.to_c() as i64,
    }
}

/// Map [va, va + len) to [pa, pa + len) in the address space `root`, with
/// `prot` (HAL_PROT_*). Everything is checked first: page alignment,
/// the user range (-EFAULT outside it), the protection (-EINVAL), that
/// nothing is mapped there yet (-EEXIST); a table that cannot be had
/// (-ENOMEM) undoes the pages already mapped. Thread or handler context.
///
/// # Safety
/// `root` must come from hal_mmu_create; `a` as there.
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_map(
    root: u64,
    va: u64,
    pa: u64,
    len: u64,
    prot: u32,
    a: *const HalPageAlloc,
) -> i32 {
    let r = (|| {
        let n = check_range(root, va, len, Some(pa))?;
        if !crate::mmu::prot_ok(prot) {
            return Err(Errno::EINVAL);
        }
        let p = pages_of(a)?;
        crate::mmu::map::<arch::Fmt>(&p, root, va, pa, n, prot)?;
        if root == arch::mmu_root() {
            arch::mmu_sync();
        }
        Ok(())
    })();
    status(r)
}

/// Remove the mapping of the page at `va`; its physical address goes to
/// `*pa`. Returns 0, -ENOENT (not mapped), -EINVAL/-EFAULT (bad root or
/// address). This CPU's TLB is flushed when `root` is active here; on
/// AArch64 the invalidation is broadcast to every CPU, on x86_64 the
/// other CPUs are the kernel's to ask (hal_tlb_remote, hal_tlb_flush).
///
/// # Safety
/// `root` and `a` as hal_mmu_map; `pa` writable or null.
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_unmap(
    root: u64,
    va: u64,
    pa: *mut u64,
    a: *const HalPageAlloc,
) -> i32 {
    let r = (|| -> Result<u64, Errno> {
        check_range(root, va, crate::mmu::PAGE, None)?;
        let p = pages_of(a)?;
        let old = crate::mmu::unmap_one::<arch::Fmt>(&p, root, va).ok_or(Errno::ENOENT)?;
        arch::mmu_flush_range(root, va, 1);
        Ok(old)
    })();
    match r {
        Ok(old) => {
            if let Ok(out) = crate::guard::object_mut(pa) {
                // SAFETY: the guard checked the pointer.
                unsafe { *out = old };
            }
            0
        }
        Err(e) => e.to_c(),
    }
}

/// Change the protection of the mapped pages [va, va + len). -ENOENT if
/// any is not mapped (checked first: nothing changes), else as
/// hal_mmu_map. The TLB is flushed as by hal_mmu_unmap.
///
/// # Safety
/// As hal_mmu_map.
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_protect(
    root: u64,
    va: u64,
    len: u64,
    prot: u32,
    a: *const HalPageAlloc,
) -> i32 {
    let r = (|| {
        let n = check_range(root, va, len, None)?;
        if !crate::mmu::prot_ok(prot) {
            return Err(Errno::EINVAL);
        }
        let p = pages_of(a)?;
        crate::mmu::protect::<arch::Fmt>(&p, root, va, n, prot)?;
        arch::mmu_flush_range(root, va, n);
        Ok(())
    })();
    status(r)
}

/// The mapping of the page at `va`: 0 with `*pa` and `*prot` set, or
/// -ENOENT, -EINVAL/-EFAULT.
///
/// # Safety
/// As hal_mmu_map; `pa` and `prot` writable (checked).
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_query(
    root: u64,
    va: u64,
    pa: *mut u64,
    prot: *mut u32,
    a: *const HalPageAlloc,
) -> i32 {
    let r = (|| -> Result<(), Errno> {
        check_range(root, va & !(crate::mmu::PAGE - 1), crate::mmu::PAGE, None)?;
        let p = pages_of(a)?;
        let (pa_, prot_) = crate::mmu::query::<arch::Fmt>(&p, root, va & !(crate::mmu::PAGE - 1))
            .ok_or(Errno::ENOENT)?;
        store_mapping(pa, prot, pa_ | (va & (crate::mmu::PAGE - 1)), prot_)
    })();
    status(r)
}

/// Write a lookup's answer through the caller's (checked) pointers.
fn store_mapping(pa: *mut u64, prot: *mut u32, pa_v: u64, prot_v: u32) -> Result<(), Errno> {
    let o1 = crate::guard::object_mut(pa)?;
    let o2 = crate::guard::object_mut(prot)?;
    // SAFETY: the guard checked both pointers.
    unsafe {
        *o1 = pa_v;
        *o2 = prot_v;
    }
    Ok(())
}

/// A Result as the C side sees it: 0 or a negative code.
fn status(r: Result<(), Errno>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_c(),
    }
}

/// Free the page tables of `root` (its user range; the kernel's shared
/// tables stay) and the root itself. The mapped pages are the caller's:
/// unmap them first. Not an address space active on any CPU (-EBUSY).
///
/// # Safety
/// As hal_mmu_map; `root` is not used again.
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_destroy(root: u64, a: *const HalPageAlloc) -> i32 {
    if root == 0 || root % crate::mmu::PAGE != 0 {
        return Errno::EINVAL.to_c();
    }
    if root == arch::mmu_root() || active_anywhere(root) {
        return Errno::EBUSY.to_c();
    }
    match pages_of(a) {
        Ok(p) => {
            let (lo, hi) = arch::USER_ENTRIES;
            crate::mmu::destroy::<arch::Fmt>(&p, root, lo, hi);
            0
        }
        Err(e) => e.to_c(),
    }
}

/// By CPU index: the root that CPU last made active through
/// hal_mmu_activate (0: none yet). Written by the CPU itself before it
/// switches, read by any (SeqCst on both sides: a CPU that changed a
/// table and then reads another's entry either sees the root there, or
/// that CPU's switch comes after the change and walks the new table).
static ACTIVE: [core::sync::atomic::AtomicU64; HAL_CPUS_MAX as usize] =
    [const { core::sync::atomic::AtomicU64::new(0) }; HAL_CPUS_MAX as usize];

fn active_anywhere(root: u64) -> bool {
    let me = arch::cpu_index() as usize;
    ACTIVE
        .iter()
        .enumerate()
        .any(|(i, a)| i != me && a.load(core::sync::atomic::Ordering::SeqCst) == root)
}

/// Make `root` the active address space (0: stay); returns the one that
/// was active. The root is recorded as this CPU's (hal_mmu_active) even
/// when it was active already. Thread context.
///
/// # Safety
/// `root` must come from hal_mmu_create (so the kernel stays mapped) or
/// be a value this call returned.
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_activate(root: u64) -> u64 {
    let old = arch::mmu_root();
    if root != 0 && root % crate::mmu::PAGE == 0 {
        if let Some(a) = ACTIVE.get(arch::cpu_index() as usize) {
            a.store(root, core::sync::atomic::Ordering::SeqCst);
        }
        if root != old {
            arch::mmu_activate(root);
        }
    }
    old
}

/// The root CPU `index` last made active through hal_mmu_activate, or 0
/// when it has made none active (or index is beyond HAL_CPUS_MAX): the
/// kernel's TLB shootdown asks only the CPUs where the changed address
/// space is active, and those whose root it does not know. Any context.
#[no_mangle]
pub extern "C" fn hal_mmu_active(index: u32) -> u64 {
    ACTIVE
        .get(index as usize)
        .map_or(0, |a| a.load(core::sync::atomic::Ordering::SeqCst))
}

/// Whether a change to page tables must be announced to the other CPUs
/// by the kernel (an IPI that makes each call hal_tlb_flush): true on
/// x86_64, where `invlpg` and a CR3 load act on one CPU only; false on
/// AArch64, where hal_mmu_unmap, hal_mmu_protect and hal_kstack_unmap
/// invalidate with the inner-shareable TLBI forms, which the hardware
/// broadcasts to every CPU. Any context.
#[no_mangle]
pub extern "C" fn hal_tlb_remote() -> bool {
    arch::TLB_REMOTE
}

/// Drop this CPU's cached translations of [va, va + len) in `root` (0:
/// the kernel's mappings every address space shares, such as the
/// kernel stack window): nothing when `root` is neither 0 nor the active
/// address space here. More than 32 pages flush everything. The IPI side
/// of the kernel's TLB shootdown. Any context.
#[no_mangle]
pub extern "C" fn hal_tlb_flush(root: u64, va: u64, len: u64) {
    if root != 0 && root != arch::mmu_root() {
        return;
    }
    match tlb_pages(va, len) {
        Some((first, n)) => {
            for k in 0..n {
                arch::mmu_flush_page(first + k * crate::mmu::PAGE);
            }
        }
        None => arch::mmu_flush(),
    }
}

/// The pages [va, va + len) touches, as (first page, count), when there
/// are at most 32 of them; None (flush everything) for more, or for a
/// range that wraps around the address space.
fn tlb_pages(va: u64, len: u64) -> Option<(u64, u64)> {
    let page = crate::mmu::PAGE;
    let end = va.checked_add(len)?.checked_add(page - 1)? & !(page - 1);
    let first = va & !(page - 1);
    let n = (end - first) / page;
    (n <= 32).then_some((first, n))
}

/// The kernel image as the linker laid it out, for the kernel's own
/// address space: VA ranges, page-aligned.
#[repr(C)]
pub struct HalKernelLayout {
    /// Code: read and execute.
    pub text: HalRange,
    /// Constants: read only.
    pub rodata: HalRange,
    /// Data and bss: read and write, never executed.
    pub data: HalRange,
    /// The boot stack: read and write, never executed.
    pub stack: HalRange,
    /// The page under the boot stack: not mapped, so an overflow faults.
    pub guard: HalRange,
    /// The whole image in physical memory.
    pub image_pa: HalRange,
    /// Image VA minus PA (0 when the image is identity-linked).
    pub va_minus_pa: u64,
    /// RAM, from the boot memory map (usable, ACPI and NVS regions):
    /// mapped write-back; everything else in the direct map is device
    /// memory.
    pub ram: [HalRange; 16],
    /// Entries used in `ram`.
    pub nram: u32,
    /// Reserved, 0.
    pub pad: u32,
}

static GUARD: [core::sync::atomic::AtomicU64; 2] = [
    core::sync::atomic::AtomicU64::new(0),
    core::sync::atomic::AtomicU64::new(0),
];

/// Kernel thread stacks with guard pages. Slot `i` of this window is
/// `[HAL_KSTACK_BASE + i * HAL_KSTACK_SLOT, + HAL_KSTACK_SLOT)`: a stack is
/// mapped at the top of its slot and the rest of the slot stays unmapped,
/// so a stack that overflows faults in its guard instead of running into
/// other memory. The window lies in the kernel half every address space
/// shares (x86_64: PML4 entry 511; AArch64: TTBR1).
pub const HAL_KSTACK_BASE: u64 = 0xffff_ffff_0000_0000;
/// See HAL_KSTACK_BASE: 64 KiB a slot.
pub const HAL_KSTACK_SLOT: u64 = 0x10000;
/// See HAL_KSTACK_BASE.
pub const HAL_KSTACK_SLOTS: u32 = 256;

fn kstack_range(slot: u32, len: u64) -> Result<(u64, u64), Errno> {
    let page = crate::mmu::PAGE;
    if slot >= HAL_KSTACK_SLOTS || len == 0 || len % page != 0 || len > HAL_KSTACK_SLOT - page {
        return Err(Errno::EINVAL);
    }
    let top = HAL_KSTACK_BASE + (slot as u64 + 1) * HAL_KSTACK_SLOT;
    Ok((top - len, top))
}

/// Map `len` bytes of physical memory at `pa` as the kernel stack of slot
/// `slot`: read-write, never executable, kernel only, at the top of the
/// slot (at least one page of the slot stays unmapped below it); the
/// stack's top goes to `*top`. Returns 0, or -EINVAL (slot, length or
/// alignment), -EEXIST (the slot is in use), -ENOMEM (a table could not
/// be had). Tables come from `a`. Thread or handler context.
///
/// # Safety
/// `a` as hal_mmu_create; `pa` must be memory the caller owns; `top`
/// writable (checked).
#[no_mangle]
pub unsafe extern "C" fn hal_kstack_map(
    slot: u32,
    pa: u64,
    len: u64,
    a: *const HalPageAlloc,
    top: *mut u64,
) -> i32 {
    use crate::mmu::{PROT_READ, PROT_WRITE};
    let r = (|| -> Result<(), Errno> {
        let out = crate::guard::object_mut(top)?;
        let (va, end) = kstack_range(slot, len)?;
        if pa % crate::mmu::PAGE != 0 {
            return Err(Errno::EINVAL);
        }
        let p = pages_of(a)?;
        let root = arch::mmu_root_for(va);
        crate::mmu::map::<arch::Fmt>(
            &p,
            root,
            va,
            pa,
            len / crate::mmu::PAGE,
            PROT_READ | PROT_WRITE,
        )?;
        arch::mmu_sync();
        // SAFETY: the guard checked the pointer.
        unsafe { *out = end };
        Ok(())
    })();
    status(r)
}

/// Unmap the `len` bytes of kernel stack slot `slot` that hal_kstack_map
/// mapped, and drop their translations. 0, or -EINVAL. The caller frees
/// the memory; nothing may run on the stack any more.
///
/// # Safety
/// `a` as hal_mmu_create.
#[no_mangle]
pub unsafe extern "C" fn hal_kstack_unmap(slot: u32, len: u64, a: *const HalPageAlloc) -> i32 {
    let r = (|| -> Result<(), Errno> {
        let (va, top) = kstack_range(slot, len)?;
        let p = pages_of(a)?;
        let root = arch::mmu_root_for(va);
        let mut v = va;
        while v < top {
            if crate::mmu::unmap_one::<arch::Fmt>(&p, root, v).is_some() {
                arch::mmu_flush_page(v);
            }
            v += crate::mmu::PAGE;
        }
        Ok(())
    })();
    status(r)
}

/// Whether `addr` lies in the kernel stack window (trap reports: only
/// stacks live there, so a fault in it is a stack's overflow into its
/// guard), and which slot.
pub(crate) fn in_kstack_window(addr: u64) -> Option<u64> {
    let end = HAL_KSTACK_BASE + HAL_KSTACK_SLOTS as u64 * HAL_KSTACK_SLOT;
    if addr >= HAL_KSTACK_BASE && addr < end {
        Some((addr - HAL_KSTACK_BASE) / HAL_KSTACK_SLOT)
    } else {
        None
    }
}

/// Whether `addr` lies in the boot stack's guard page (trap reports).
pub(crate) fn in_stack_guard(addr: u64) -> bool {
    use core::sync::atomic::Ordering::Relaxed;
    let (lo, hi) = (GUARD[0].load(Relaxed), GUARD[1].load(Relaxed));
    lo != 0 && addr >= lo && addr < hi
}

/// Build the kernel's own address space and switch to it: the image
/// mapped with its sections' permissions (text read+execute, rodata
/// read-only, data and stack read+write and never executed), the page
/// under the boot stack left unmapped, and the identity map of physical
/// memory (the direct map) never executable, device memory uncached.
/// Every address space made afterwards shares it. Returns the root, or
/// -EINVAL (ranges not page-aligned, out of order, or the guard not right
/// under the stack), -ENOMEM (the tables already built are not given
/// back: this runs once, at boot), -ENODEV (x86_64 without NX). Boot,
/// once the page allocator works.
///
/// # Safety
/// `l` must describe this kernel's image truthfully (a wrong range unmaps
/// running code); `a` as hal_mmu_create.
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_kernel_space(
    l: *const HalKernelLayout,
    a: *const HalPageAlloc,
) -> i64 {
    use crate::mmu::{Section, PROT_EXEC, PROT_READ, PROT_WRITE};
    use core::sync::atomic::Ordering::Relaxed;
    let l = match crate::guard::object(l) {
        // SAFETY: the guard checked the pointer; the caller promises a
        // valid struct.
        Ok(l) => unsafe { &*l },
        Err(e) => return e.to_c() as i64,
    };
    let page = crate::mmu::PAGE;
    let ranges = [&l.text, &l.rodata, &l.data, &l.guard, &l.stack];
    let aligned = ranges
        .iter()
        .chain([&&l.image_pa])
        .all(|r| r.lo % page == 0 && r.hi % page == 0 && r.lo <= r.hi);
    let ordered = ranges.windows(2).all(|w| w[0].hi <= w[1].lo);
    if !aligned || !ordered || l.guard.hi != l.stack.lo || l.guard.hi - l.guard.lo != page {
        return Errno::EINVAL.to_c() as i64;
    }
    if NX.load(Relaxed) == 0 {
        NX.store(if arch::mmu_nx_enable() { 1 } else { 2 }, Relaxed);
    }
    if NX.load(Relaxed) != 1 {
        return Errno::ENODEV.to_c() as i64;
    }
    let p = match pages_of(a) {
        Ok(p) => p,
        Err(e) => return e.to_c() as i64,
    };
    if l.nram as usize > l.ram.len() {
        return Errno::EINVAL.to_c() as i64;
    }
    let nram = l.nram as usize;
    let mut ram = [(0u64, 0u64); 16];
    for (d, r) in ram.iter_mut().zip(l.ram.iter()) {
        *d = (r.lo, r.hi);
    }
    let sections = [
        Section {
            lo: l.text.lo,
            hi: l.text.hi,
            prot: PROT_READ | PROT_EXEC,
        },
        Section {
            lo: l.rodata.lo,
            hi: l.rodata.hi,
            prot: PROT_READ,
        },
        Section {
            lo: l.data.lo,
            hi: l.data.hi,
            prot: PROT_READ | PROT_WRITE,
        },
        Section {
            lo: l.stack.lo,
            hi: l.stack.hi,
            prot: PROT_READ | PROT_WRITE,
        },
    ];
    let plan = crate::mmu::KernelPlan {
        sections: &sections,
        va_minus_pa: l.va_minus_pa,
        guard: (l.guard.lo, l.guard.hi),
        image_pa: (l.image_pa.lo, l.image_pa.hi),
        direct_offset: arch::DIRECT_MAP_OFFSET,
        direct_limit: arch::DIRECT_MAP_LIMIT,
        ram: &ram[..nram],
        block_level: arch::BLOCK_LEVEL,
    };
    let built = crate::mmu::build_kernel::<arch::Fmt>(&p, &plan).and_then(|root| {
        // the lower half is the user's: the kernel's own is empty
        let low = if arch::SEPARATE_LOW_HALF {
            Some(crate::mmu::new_root(&p, 0, &[])?)
        } else {
            None
        };
        Ok((root, low))
    });
    match built {
        Ok((root, low)) => {
            GUARD[0].store(l.guard.lo, Relaxed);
            GUARD[1].store(l.guard.hi, Relaxed);
            arch::mmu_kernel_activate(root, low);
            root as i64
        }
        Err(e) => e.to_c() as i64,
    }
}

/// How the active address space maps `va` (any address, the kernel's
/// included): 0 with `*pa` and `*prot` (HAL_PROT_*), or -ENOENT. The
/// kernel's tables are reached through the direct map. Any context.
///
/// # Safety
/// `pa` and `prot` writable (checked).
#[no_mangle]
pub unsafe extern "C" fn hal_mmu_lookup(va: u64, pa: *mut u64, prot: *mut u32) -> i32 {
    unsafe extern "C" fn none(_: *mut core::ffi::c_void) -> u64 {
        0
    }
    unsafe extern "C" fn drop_page(_: *mut core::ffi::c_void, _: u64) {}
    let p = crate::mmu::Pages {
        alloc: none,
        free: drop_page,
        ctx: core::ptr::null_mut(),
        va_offset: arch::DIRECT_MAP_OFFSET,
    };
    let r = (|| -> Result<(), Errno> {
        let (a, b) = crate::mmu::query_any::<arch::Fmt>(&p, arch::mmu_root_for(va), va)
            .ok_or(Errno::ENOENT)?;
        store_mapping(pa, prot, a, b)
    })();
    status(r)
}

/// Power the machine off (PSCI SYSTEM_OFF on AArch64; on x86_64 without
/// ACPI yet, the isa-debug-exit port, then halt). Never returns.
#[no_mangle]
pub extern "C" fn hal_poweroff() -> ! {
    arch::poweroff()
}

/// Reset the machine (PSCI SYSTEM_RESET on AArch64; on x86_64 the PCI
/// reset control register 0xcf9, then the 8042 keyboard controller, then a
/// triple fault). Never returns. Any context.
#[no_mangle]
pub extern "C" fn hal_reboot() -> ! {
    arch::reboot()
}

/// Turn the sampling profiler on or off: while on, each timer interrupt
/// records the program counter it interrupted (kernel or user) in its
/// CPU's ring of 2048 samples (every CPU's own timer: CPUs 0 to 7).
/// Any context.
#[no_mangle]
pub extern "C" fn hal_sample_enable(on: bool) {
    crate::sample::enable(on);
}

/// Samples CPU `cpu` has recorded since boot (0 for a CPU without a
/// ring). Any context.
#[no_mangle]
pub extern "C" fn hal_sample_count(cpu: u32) -> u64 {
    crate::sample::count_on(cpu as usize)
}

/// Move up to `max` samples, each CPU's oldest first, to `out`; returns
/// how many.
/// `*total` and `*dropped` (either may be null): samples recorded since
/// boot, and those lost to a full ring. Thread or handler context.
///
/// # Safety
/// `out` must be writable for `max` u64s; `total` and `dropped` writable
/// or null.
#[no_mangle]
pub unsafe extern "C" fn hal_sample_take(
    out: *mut u64,
    max: u32,
    total: *mut u64,
    dropped: *mut u64,
) -> u32 {
    let (t, d) = crate::sample::counts();
    if !total.is_null() {
        // SAFETY: the caller promises a writable u64 or null.
        unsafe { *total = t };
    }
    if !dropped.is_null() {
        // SAFETY: as above.
        unsafe { *dropped = d };
    }
    if out.is_null() || max == 0 {
        return 0;
    }
    // SAFETY: the caller promises `max` writable u64s at `out`.
    let buf = unsafe { core::slice::from_raw_parts_mut(out, max as usize) };
    crate::sample::take(buf) as u32
}

#[cfg(test)]
mod tests {
    use super::host_kernel::LOG;

    #[test]
    fn kstack_slots_sit_in_the_window_the_vectors_check() {
        use super::*;
        // the AArch64 vectors test SP against this base and 16 MiB
        assert_eq!(HAL_KSTACK_BASE, 0xffff_ffff_0000_0000);
        assert_eq!(HAL_KSTACK_SLOTS as u64 * HAL_KSTACK_SLOT, 1 << 24);
        let (lo, top) = kstack_range(0, 0x4000).unwrap();
        assert_eq!(top, HAL_KSTACK_BASE + HAL_KSTACK_SLOT);
        assert_eq!(lo, top - 0x4000);
        assert_eq!(in_kstack_window(lo - 8), Some(0)); // the guard
        assert_eq!(in_kstack_window(top), Some(1));
        assert_eq!(in_kstack_window(HAL_KSTACK_BASE - 1), None);
        assert!(kstack_range(HAL_KSTACK_SLOTS, 0x4000).is_err());
        assert!(kstack_range(0, HAL_KSTACK_SLOT).is_err()); // no guard left
        assert!(kstack_range(0, 100).is_err());
    }

    #[test]
    fn tlb_flush_covers_every_page_touched_and_gives_up_past_32() {
        use super::*;
        assert_eq!(tlb_pages(0x1000, 0x1000), Some((0x1000, 1)));
        assert_eq!(tlb_pages(0x1ff8, 16), Some((0x1000, 2))); // straddles
        assert_eq!(tlb_pages(0x1000, 0), Some((0x1000, 0)));
        assert_eq!(tlb_pages(0x4000, 32 * 0x1000), Some((0x4000, 32)));
        assert_eq!(tlb_pages(0x4000, 32 * 0x1000 + 1), None);
        assert_eq!(tlb_pages(u64::MAX - 0xfff, 0x2000), None); // wraps
        // a CPU index beyond the table has no root recorded
        assert_eq!(hal_mmu_active(HAL_CPUS_MAX), 0);
    }

    #[test]
    fn log_reaches_the_kernel_log_unchanged() {
        super::log(b"hal: test line\n");
        let log = LOG.lock().unwrap();
        assert!(log.windows(15).any(|w| w == b"hal: test line\n"));
    }

    #[test]
    fn arch_name_is_nul_terminated() {
        let p = super::hal_arch_name();
        // SAFETY: hal_arch_name returns a static NUL-terminated string.
        let s = unsafe { core::ffi::CStr::from_ptr(p) };
        assert!(s.to_str().unwrap() == "x86_64" || s.to_str().unwrap() == "aarch64");
    }
}

/// A PC CMOS (MC146818) real-time clock, for hal_rtc_read.
pub const HAL_RTC_MC146818: u32 = 1;
/// An ARM PL031 real-time clock, for hal_rtc_read.
pub const HAL_RTC_PL031: u32 = 2;
const _: () = assert!(
    HAL_RTC_MC146818 == crate::rtc::KIND_MC146818 && HAL_RTC_PL031 == crate::rtc::KIND_PL031
);

/// The time of day, in seconds since 1970-01-01 UTC, from the real-time
/// clock of `kind` (HAL_RTC_*) at `base` (the MC146818's index port, the
/// PL031's physical register address). Negative: -ENODEV (no such clock
/// on this architecture), -EINVAL (bad kind or base), -EIO (the clock
/// holds no valid time). Thread or handler context; the caller owns the
/// device (the device tree bound it).
#[no_mangle]
pub extern "C" fn hal_rtc_read(kind: u32, base: u64) -> i64 {
    match arch::rtc_read(kind, base) {
        Ok(s) => s as i64,
        Err(e) => e.to_c() as i64,
    }
}

/// Lay out a new kernel thread's context on the stack `stack_lo` ..
/// `stack_hi` (16-byte aligned, at least 1 KiB): the first switch to it
/// calls `entry(arg)`, which must never return. Writes the context's
/// stack pointer to `*sp`. 0, or -EINVAL for a bad stack, a null entry
/// or -EFAULT for a null `sp`. Thread or handler context.
///
/// # Safety
/// The stack must be writable memory that nothing else uses while the
/// thread lives.
#[no_mangle]
pub unsafe extern "C" fn hal_ctx_init(
    stack_lo: u64,
    stack_hi: u64,
    entry: Option<extern "C" fn(u64)>,
    arg: u64,
    sp: *mut u64,
) -> i32 {
    let Some(entry) = entry else {
        return Errno::EINVAL.to_c();
    };
    let sp = match crate::guard::object_mut(sp) {
        Ok(p) => p,
        Err(e) => return e.to_c(),
    };
    // SAFETY: the caller gives us the stack (see above).
    match unsafe { crate::ctx::init(stack_lo, stack_hi, entry, arg) } {
        Ok(v) => {
            // SAFETY: the guard checked sp (null, alignment, range).
            unsafe { *sp = v };
            0
        }
        Err(e) => e.to_c(),
    }
}

/// Suspend the running context, its stack pointer stored in `*save`, and
/// resume the one whose stack pointer is `load` (from hal_ctx_init or an
/// earlier switch away). Returns when something switches back to `*save`.
/// Callee-saved registers travel with each context; interrupts stay as
/// they are (the scheduler masks them around a switch).
///
/// # Safety
/// `save` must be writable; `load` must be a suspended context on a stack
/// that is still allocated, not running anywhere.
#[no_mangle]
pub unsafe extern "C" fn hal_ctx_switch(save: *mut u64, load: u64) {
    // SAFETY: the caller's contract.
    unsafe { crate::ctx::switch(save, load) }
}

/// Make `top` the kernel stack that traps and system calls from user mode
/// land on (x86_64: TSS.rsp0 and the SYSCALL entry's stack; AArch64 takes
/// SP_EL1 as it was at the last return to EL0, so hal_user_enter sets it).
/// The scheduler calls this when it switches to a thread that has a user
/// part. Any context on this CPU.
#[no_mangle]
pub extern "C" fn hal_set_kernel_stack(top: u64) {
    arch::set_kernel_stack(top);
}

/// The bytes of a thread's FPU area for hal_fpu_save/hal_fpu_restore
/// (16-byte aligned): x86_64's FXSAVE image; AArch64 keeps its user
/// FP/SIMD registers in the trap frame and uses none of it.
pub const HAL_FPU_AREA: u32 = 512;

/// Fill the FPU area `area` with what a new thread starts with: every
/// register zero, every x87 and SSE exception masked.
///
/// # Safety
/// `area`: HAL_FPU_AREA bytes, 16-byte aligned.
#[no_mangle]
pub unsafe extern "C" fn hal_fpu_init(area: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe {
        core::ptr::write_bytes(area, 0, HAL_FPU_AREA as usize);
        #[cfg(target_arch = "x86_64")]
        {
            core::ptr::write_unaligned(area.cast::<u16>(), 0x037f);
            core::ptr::write_unaligned(area.add(24).cast::<u32>(), 0x1f80);
        }
    }
}

/// Save this CPU's x87/MMX/SSE registers (x86_64: FXSAVE) to `area`,
/// for the user thread leaving it; AArch64: nothing. The kernel and the
/// HAL use none of these registers, so they hold the last user thread's
/// until the next restore.
///
/// # Safety
/// `area` as hal_fpu_init's.
#[no_mangle]
pub unsafe extern "C" fn hal_fpu_save(area: *mut u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the caller's contract; FXSAVE writes 512 bytes.
    unsafe {
        core::arch::asm!("fxsave64 [{}]", in(reg) area, options(nostack))
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = area;
}

/// Load the registers hal_fpu_save (or hal_fpu_init) left in `area`, for
/// the user thread about to run.
///
/// # Safety
/// `area` as hal_fpu_init's, holding a saved or initial image.
#[no_mangle]
pub unsafe extern "C" fn hal_fpu_restore(area: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the caller's contract; FXRSTOR reads 512 bytes.
    unsafe {
        core::arch::asm!("fxrstor64 [{}]", in(reg) area, options(nostack))
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = area;
}

/// Set the running thread's user thread pointer to `v`, a user address
/// (the caller checks): x86_64's FS base, which the scheduler sets again
/// for each thread it switches to; on AArch64 nothing (a program writes
/// TPIDR_EL0 itself, and the context switch keeps it). Any context on
/// this CPU.
#[no_mangle]
pub extern "C" fn hal_user_tls_set(v: u64) {
    arch::user_tls_set(v);
}

/// The registers of the system call `s` (the calling thread's, in
/// kernel_syscall): its whole user register file as it will return, the
/// result register not yet set. Thread context, during the call.
///
/// # Safety
/// `s` must be the call the HAL passed to kernel_syscall, still running;
/// `out` writable.
#[no_mangle]
pub unsafe extern "C" fn hal_syscall_regs(s: *const HalSyscall, out: *mut HalUserRegs) {
    // SAFETY: the caller's contract.
    unsafe { arch::syscall_regs(&*s, &mut *out) }
}

/// The user register file of the interrupt `frame` (kernel_irq_exit's,
/// with from_user true): what the interrupted thread resumes with when
/// the kernel does not change it. Interrupt exit, before the thread goes
/// back to user mode.
///
/// # Safety
/// `frame` is the one kernel_irq_exit was given, from user mode, and the
/// interrupt has not returned; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn hal_trap_user_regs(frame: *const core::ffi::c_void, out: *mut HalUserRegs) {
    // SAFETY: the caller's contract.
    unsafe { arch::trap_regs(frame, &mut *out) }
}

/// Set the result register (rax / x0) of `r`: what the system call
/// returns in the thread that starts with it.
#[no_mangle]
pub extern "C" fn hal_user_regs_set_ret(r: &mut HalUserRegs, v: u64) {
    arch::user_regs_set(r, arch::REG_RET, v);
}

/// Set the thread pointer of `r` (clone's CLONE_SETTLS): AArch64's
/// TPIDR_EL0 is part of the register file; x86_64's FS base is not (the
/// scheduler keeps it: sched_user.tls), so there this does nothing.
#[no_mangle]
pub extern "C" fn hal_user_regs_set_tls(r: &mut HalUserRegs, v: u64) {
    arch::user_regs_set_tls(r, v);
}

/// Set the stack pointer of `r` (clone's new stack).
#[no_mangle]
pub extern "C" fn hal_user_regs_set_sp(r: &mut HalUserRegs, v: u64) {
    arch::user_regs_set(r, arch::REG_SP, v);
}

/// The stack pointer of `r`.
#[no_mangle]
pub extern "C" fn hal_user_regs_sp(r: &HalUserRegs) -> u64 {
    r.r[arch::REG_SP]
}

/// Make `r`, a system call's register file after its result, run that
/// call again (a call a signal interrupted, restarted: SA_RESTART): the
/// pc back on the call's instruction, and the register its result took
/// given back its value before (x86_64: rax, the number `nr`; AArch64:
/// x0, the first argument `arg0`).
#[no_mangle]
pub extern "C" fn hal_user_regs_restart(r: &mut HalUserRegs, nr: u64, arg0: u64) {
    #[cfg(target_arch = "x86_64")]
    {
        let _ = arg0;
        r.r[arch::REG_PC] = r.r[arch::REG_PC].wrapping_sub(2); // syscall
        r.r[arch::REG_RET] = nr;
    }
    #[cfg(target_arch = "aarch64")]
    {
        let _ = nr;
        r.r[arch::REG_PC] = r.r[arch::REG_PC].wrapping_sub(4); // svc #0
        r.r[arch::REG_RET] = arg0;
    }
}

/// The code a Linux signal handler returns to when its sigaction named
/// no restorer (the kernel's sigpage): rt_sigreturn. Its length in
/// `*len`.
///
/// # Safety
/// `len` writable.
#[no_mangle]
pub unsafe extern "C" fn hal_linux_sigreturn_code(len: *mut u32) -> *const u8 {
    #[cfg(target_arch = "x86_64")]
    static CODE: [u8; 7] = [0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05]; // mov eax, 15; syscall
    #[cfg(target_arch = "aarch64")]
    static CODE: [u8; 8] = [0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4]; // mov x8, #139; svc #0
    // SAFETY: the caller's contract.
    unsafe { *len = CODE.len() as u32 };
    CODE.as_ptr()
}

/// The largest Linux signal frame, in bytes (crate::sigframe).
pub const HAL_SIGFRAME_MAX: u32 = 4704;
const _: () = assert!(HAL_SIGFRAME_MAX as usize == crate::sigframe::FRAME_MAX);

#[cfg(target_arch = "x86_64")]
use crate::sigframe::x86_64 as linux_frame;
#[cfg(target_arch = "aarch64")]
use crate::sigframe::aarch64 as linux_frame;

/// A thread's alternate signal stack (Linux's stack_t, sigaltstack(2)).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct HalAltStack {
    /// Its lowest address.
    pub sp: u64,
    /// SS_ONSTACK 1, SS_DISABLE 2, SS_AUTODISARM 1 << 31.
    pub flags: u32,
    /// (padding, as stack_t has)
    pub pad: u32,
    /// Its size in bytes.
    pub size: u64,
}

/// Build the running arch's Linux signal frame (crate::sigframe) for a
/// handler of signal `sig`: `info` its 128-byte siginfo, `mask` the
/// blocked set rt_sigreturn gives back, `restorer` where the handler
/// returns, `stack` the alternate signal stack the frame's uc_stack
/// shows, and, when `on_alt`, the frame goes at that stack's top rather
/// than under the interrupted stack pointer. The frame goes in `buf`
/// (HAL_SIGFRAME_MAX bytes), its length in `*len`; `r` (the register
/// file at the signal) then enters the handler. Returns the user address
/// the frame is to be copied to, or 0 when the stack leaves no room (r
/// unchanged).
///
/// # Safety
/// `r`, `info` (128 bytes), `stack`, `buf` (HAL_SIGFRAME_MAX bytes) and
/// `len` valid.
#[no_mangle]
pub unsafe extern "C" fn hal_linux_sigframe(
    r: *mut HalUserRegs,
    sig: u32,
    info: *const u8,
    mask: u64,
    handler: u64,
    restorer: u64,
    stack: *const HalAltStack,
    on_alt: bool,
    buf: *mut u8,
    len: *mut u32,
) -> u64 {
    // SAFETY: the caller's contract.
    let (r, info, st, buf) = unsafe {
        (
            &mut *r,
            &*(info as *const [u8; crate::sigframe::SIGINFO_SIZE]),
            *stack,
            core::slice::from_raw_parts_mut(buf, crate::sigframe::FRAME_MAX),
        )
    };
    let e = crate::sigframe::Entry {
        sig,
        info,
        mask,
        handler,
        restorer,
        stack: crate::sigframe::AltStack {
            sp: st.sp,
            flags: st.flags,
            size: st.size,
        },
        on_alt,
    };
    // SAFETY: the caller's contract.
    unsafe { *len = linux_frame::SIZE as u32 };
    linux_frame::build(r, &e, buf).unwrap_or(0)
}

/// Where rt_sigreturn finds its frame, from the stack pointer at the
/// call; its length in `*len`.
///
/// # Safety
/// `len` writable.
#[no_mangle]
pub unsafe extern "C" fn hal_linux_sigframe_at(sp: u64, len: *mut u32) -> u64 {
    // SAFETY: the caller's contract.
    unsafe { *len = linux_frame::SIZE as u32 };
    linux_frame::at(sp)
}

/// The alternate signal stack a frame `buf` (as hal_linux_sigframe_at
/// named it, copied in) holds in its uc_stack: rt_sigreturn sets it
/// again.
///
/// # Safety
/// `buf` (HAL_SIGFRAME_MAX bytes) and `out` valid.
#[no_mangle]
pub unsafe extern "C" fn hal_linux_sigframe_stack(buf: *const u8, out: *mut HalAltStack) {
    // SAFETY: the caller's contract.
    let (buf, out) = unsafe { (core::slice::from_raw_parts(buf, crate::sigframe::FRAME_MAX), &mut *out) };
    let s = linux_frame::stack(buf);
    *out = HalAltStack {
        sp: s.sp,
        flags: s.flags,
        pad: 0,
        size: s.size,
    };
}

/// rt_sigreturn: the register file `*r` and blocked set `*mask` from the
/// frame `buf` (as hal_linux_sigframe_at named it, copied in). 0, or
/// -EINVAL for a frame that is not one (AArch64: its FP/SIMD record).
/// What the user may not set is cleared when `r` resumes.
///
/// # Safety
/// `r`, `buf` (HAL_SIGFRAME_MAX bytes) and `mask` valid.
#[no_mangle]
pub unsafe extern "C" fn hal_linux_sigreturn(r: *mut HalUserRegs, buf: *const u8, mask: *mut u64) -> i32 {
    // SAFETY: the caller's contract.
    let (r, buf) = unsafe { (&mut *r, core::slice::from_raw_parts(buf, crate::sigframe::FRAME_MAX)) };
    #[cfg(target_arch = "x86_64")]
    let m = Some(linux_frame::restore(r, buf, arch::mxcsr_mask()));
    #[cfg(target_arch = "aarch64")]
    let m = linux_frame::restore(r, buf);
    match m {
        Some(m) => {
            // SAFETY: the caller's contract.
            unsafe { *mask = m };
            0
        }
        None => Errno::EINVAL.to_c(),
    }
}

/// Leave for user mode with the whole register file `r` (a system
/// call's, hal_syscall_regs): fork's child goes on where its parent
/// called. Flags the user may not set (x86_64 IOPL, NT; AArch64's mode
/// and masks) are cleared, interrupts on. Never returns; -EINVAL
/// (returned) for a pc or sp outside the user range or a misaligned
/// ktop.
///
/// # Safety
/// As hal_user_enter; `r` readable.
#[no_mangle]
pub unsafe extern "C" fn hal_user_resume(r: *const HalUserRegs, ktop: u64) -> i32 {
    let range = hal_mmu_user_range();
    // SAFETY: the caller's contract.
    let regs = unsafe { &*r };
    let pc = regs.r[arch::REG_PC];
    let sp = regs.r[arch::REG_SP];
    if pc < range.lo
        || pc >= range.hi
        || sp <= range.lo
        || sp > range.hi
        || ktop % 16 != 0
        || ktop == 0
        || r as usize % 16 != 0
    {
        return Errno::EINVAL.to_c();
    }
    // SAFETY: the caller's contract; the ranges were checked.
    unsafe { arch::user_resume(regs, ktop) }
}

/// Leave for user mode: run `pc` at user privilege (ring 3 / EL0) with
/// stack `sp`, `arg` in the first argument register and every other
/// register zero, interrupts on. Traps and system calls come back on the
/// kernel stack `ktop` (the calling thread's top). Never returns: the
/// thread continues in kernel_syscall, kernel_user_fault and interrupt
/// hooks. -EINVAL (returned) for a pc or sp outside the user range or a
/// misaligned ktop.
///
/// # Safety
/// The active address space must map `pc` (user, executable) and the
/// stack below `sp` (user, writable); `ktop` must be the top of the
/// calling thread's own kernel stack.
#[no_mangle]
pub unsafe extern "C" fn hal_user_enter(pc: u64, sp: u64, arg: u64, ktop: u64) -> i32 {
    let r = hal_mmu_user_range();
    if pc < r.lo
        || pc >= r.hi
        || sp <= r.lo
        || sp > r.hi
        || sp % 16 != 0
        || ktop % 16 != 0
        || ktop == 0
    {
        return Errno::EINVAL.to_c();
    }
    // SAFETY: the caller's contract; the ranges were checked.
    unsafe { arch::user_enter(pc, sp, arg, ktop) }
}
