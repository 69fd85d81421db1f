"""QEMU command lines for Aegis: one place that knows every boot path.

Used by the SConstruct (`scons run`, `scons debug`) and by the integration
runner (test/integration/run.py), so what a user runs and what the tests
boot are the same machines.

Boot paths:
  x86_64 iso   GRUB2 ISO under SeaBIOS       (-M pc -cdrom)
  x86_64 uefi  the same ISO under OVMF       (-M pc -bios OVMF.fd -cdrom)
  x86_64 pvh   direct ELF boot via PVH note  (-M microvm -kernel)
  aarch64      arm64 Image + device tree     (-M virt -kernel), GICv2/v3,
               optionally started at EL2 (virtualization=on)
"""
import os

OVMF = '/usr/share/ovmf/OVMF.fd'
MEMORY = '256'


def kvm_usable():
    """True when /dev/kvm can be opened for reading and writing."""
    try:
        fd = os.open('/dev/kvm', os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def host_is_virtual():
    """True when this host is itself a virtual machine: the CPU reports
    the 'hypervisor' flag (CPUID leaf 1, ECX bit 31), which Linux shows in
    /proc/cpuinfo. KVM there is nested."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return 'hypervisor' in line.split()
    except OSError:
        pass
    return False


def pick_accel(accel, arch, boot):
    """Resolve accel=auto|tcg|kvm for one boot path.

    auto takes KVM only where it is known to be faster than TCG: an
    x86_64 guest on the PVH path (no firmware), on a host that is not
    itself a virtual machine. Under nested KVM (a 'hypervisor' CPU flag)
    this guest ran 5 to 20 times slower than under TCG, Debian's Linux did
    not reach its first program in 5 minutes, and boots timed out, so auto
    picks TCG there and says why; accel=kvm still forces KVM. An AArch64
    guest cannot use an x86_64 host's KVM. Returns ('tcg'|'kvm', reason
    or None): the reason says why auto or kvm ended on TCG.
    """
    native = arch == 'x86_64' and os.uname().machine == 'x86_64'
    if accel == 'tcg':
        return 'tcg', None
    if accel == 'kvm':
        if not native:
            return 'tcg', 'KVM cannot run %s guests on this host' % arch
        if not kvm_usable():
            return 'tcg', '/dev/kvm is not usable'
        return 'kvm', None
    if not native:
        return 'tcg', 'KVM cannot run %s guests on this host' % arch
    if boot != 'pvh':
        return 'tcg', 'firmware boots are faster under TCG'
    if not kvm_usable():
        return 'tcg', '/dev/kvm is not usable'
    if host_is_virtual():
        return 'tcg', ('this host is a virtual machine: nested KVM is '
                       'slower than TCG here')
    return 'kvm', None


def choice_line(accel, arch, boot):
    """The line `scons run` and `scons debug` print when accel=auto
    chose (either way) or accel=kvm ended on TCG, saying why; None when
    the user's own choice was taken as given."""
    got, why = pick_accel(accel, arch, boot)
    if accel == 'tcg' or (accel == 'kvm' and not why):
        return None
    if not why:
        why = 'an x86_64 PVH guest on a host that is not itself virtual'
    return 'scons: accel=%s: %s (%s)' % (accel, got.upper(), why)


def command(arch, boot='iso', accel='tcg', kernel=None, image=None,
            iso=None, cmdline='', initrd=None, gic=2, el2=False,
            interactive=False, gdb=False, smp=1):
    """The argv for one boot. `kernel` is the ELF, `image` the AArch64
    Image, `iso` the GRUB ISO (x86_64 iso/uefi: the command line and
    modules are inside it). `interactive` puts the serial console and the
    QEMU monitor on the terminal (Ctrl-A X quits); otherwise serial goes to
    stdout and there is no monitor. `gdb` waits for gdb on tcp::1234.
    `smp`: the number of CPUs (TCG runs one host thread per CPU)."""
    if arch == 'x86_64':
        argv = ['qemu-system-x86_64']
        if boot == 'pvh':
            # rtc=on: microvm leaves the CMOS clock out under KVM unless
            # asked; the platform tree (boot/x86_64/platform.dts) has one
            argv += ['-M', 'microvm,rtc=on', '-kernel', kernel]
            if cmdline:
                argv += ['-append', cmdline]
            if initrd:
                argv += ['-initrd', initrd]
        else:
            argv += ['-M', 'pc', '-cdrom', iso, '-boot', 'd']
            if boot == 'uefi':
                argv += ['-bios', OVMF]
        argv += ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
        if accel == 'kvm':
            argv += ['-accel', 'kvm']
        else:
            argv += ['-accel', 'tcg', '-cpu', 'qemu64']
    elif arch == 'aarch64':
        machine = 'virt,gic-version=%d' % gic
        if el2:
            machine += ',virtualization=on'
        argv = ['qemu-system-aarch64', '-M', machine, '-cpu', 'cortex-a72',
                '-accel', 'tcg', '-kernel', image,
                '-semihosting-config', 'enable=on,target=native']
        if cmdline:
            argv += ['-append', cmdline]
        if initrd:
            argv += ['-initrd', initrd]
    else:
        raise ValueError('unknown arch %r' % arch)
    argv += ['-m', MEMORY, '-display', 'none', '-no-reboot']
    if smp != 1:
        argv += ['-smp', str(smp)]
    if interactive:
        argv += ['-serial', 'mon:stdio']
    else:
        argv += ['-serial', 'stdio', '-monitor', 'none']
    if gdb:
        argv += ['-s', '-S']
    return argv


def decode_exit(arch, status):
    """Map QEMU's exit status to the kernel's verdict: 'pass', 'fail',
    'panic', or None when the kernel did not say (crash, reset, timeout).
    x86_64 isa-debug-exit: QEMU exits with code*2+1; AArch64 semihosting:
    QEMU exits with the code itself (0 also when QEMU was quit)."""
    codes = {0: 'pass', 1: 'fail', 2: 'panic'}
    if arch == 'x86_64':
        if status % 2 == 1:
            return codes.get((status - 1) // 2)
        return None
    return codes.get(status)


def run_outcome(arch, status):
    """What `scons run` says when QEMU ends, and its own exit status:
    (0, why) for a clean poweroff or QEMU quit by the user, (1, why) for
    a panic, failed in-kernel tests, a crash or a signal. x86_64: poweroff
    is isa-debug-exit code 0 (status 1); QEMU's own exit (Ctrl-A X, or a
    reset under -no-reboot) is status 0. AArch64: poweroff (PSCI
    SYSTEM_OFF) and Ctrl-A X both end QEMU with status 0."""
    if status < 0:
        return 1, 'QEMU was killed by signal %d' % -status
    verdict = decode_exit(arch, status)
    if arch == 'x86_64' and status == 0:
        return 0, 'QEMU quit (Ctrl-A X, or the machine reset)'
    if verdict == 'pass':
        return 0, ('the machine powered off' if arch == 'x86_64' else
                   'the machine powered off (or QEMU was quit)')
    if verdict == 'panic':
        return 1, 'the kernel panicked'
    if verdict == 'fail':
        return 1, 'the in-kernel tests failed'
    return 1, 'QEMU ended with status %d (the kernel did not say why)' % \
        status
