#!/usr/bin/env python3
"""Benchmarks inside the kernel, in QEMU: boot each configuration (release
kernels) with `ktest=bench.irq_latency timer_hz=1000`
(test/kernel/bench_irq.c) and with `ktest=bench.kmalloc`
(test/kernel/bench_mm.c) and `ktest=bench.sched` (test/kernel/bench_sched.c),
read their `bench: ...` lines, print tables and
append the records to build/bench/results.json (written first by the host
benchmarks, test/bench/run_bench.py).

Usage: qemu_bench.py --x86 X86_DIR --arm ARM_DIR --results FILE
                     [--linux-initramfs FILE] [--linux-initramfs-arm FILE]
                     [--linux-arm-root DIR] [--timeout SECONDS]

Every boot is a group of figures of its own (per configuration: irq,
kmalloc, sched, user; and the Linux comparison): one that cannot start,
times out (--timeout, 300 s) or does not print a figure costs that
group's missing figures only. Each of them is still a record in
results.json, with "status": "failed" and the reason (test/bench/
results.py gives the format), and a row in the tables saying so; the
figures it did print are kept. A configuration that is not run here (KVM
where accel=auto picks TCG) is recorded as "skipped" with the reason.
A figure whose peer comes from another boot that failed (syscall.bus_call
beside sched.thread_call) is kept with a null peer_value and a
peer_reason. The last line says how many groups ran and which failed; the
exit status is 1 when any failed, after results.json is written.

Interrupt latency, medians and 99th percentiles of 2000 timer interrupts
that arrived alone, in ns (the counter's ticks beside them):
  irq.top_to_handler     the HAL's top half to the subscriber's handler:
                         the bus's share of the latency
  irq.arrival_to_handler the timer's deadline to the subscriber's handler
Both beside the peer irq_entry: the deadline to the top half (the
hardware's delivery and the entry code), which every kernel pays before
its first instruction runs; ratio = figure / peer.

kmalloc: kmalloc+kfree pairs of 16..4096 bytes (kmalloc.pair_<size>),
beside the peer mm_page_alloc_free: one page through the mm service's
requests, the path that refills the slabs.

Threads: sched.yield_switch (one thread switch), sched.thread_call (a bus
request from a thread, blocked until its reply) and sched.spawn_exit (a
thread spawned, run and reaped), beside the peer bus_call_inline: the
same request made inline from the dispatcher.

Many CPUs (-smp 4): smp.ipi_round_trip beside sched.yield_switch;
smp.bus_pingpong_cross beside smp.bus_pingpong_same;
smp.thread_wake_cross (two threads on CPUs 0 and 1 waking each other)
beside smp.thread_wake_same (both on CPU 0); and the bus's
throughput, smp.bus_throughput_2cpu and _4cpu (pairs of services on 2
and 4 CPUs, time per message) beside smp.bus_throughput_1cpu, and the
same with handlers that hash 1 KiB each (smp.bus_throughput_work_*).

Against Linux, on both arches (two CPUs, TCG): Debian's kernel boots the
static test/bench/linux/lbench.c (built for the arch) from an initramfs
in the same QEMU configuration as Aegis's x86_64 PVH kernel (microvm,
qemu64; linux-image-amd64, --linux-initramfs) and AArch64 GICv3 kernel
(virt, cortex-a72; the linux-image-<abi>-arm64 that tools/setup.sh
unpacks into --linux-arm-root, --linux-initramfs-arm), once as shipped
and once with mitigations=off (and kpti=0 on AArch64: LINUX_VARIANTS);
its getpid, thread switch, round trips between two threads on one CPU
and on two (through pipes) and boot to its first program are printed
beside Aegis's (vs_linux.*, and vs_linux.*.mitigations_off; the arch
and config of each record say which side), with the ratio Aegis /
Linux. The same lbench binary runs under Aegis's Linux personality
(run=lbench run.exit) for the vs_linux rows of LINUX_ABI; the system
calls Aegis answered -ENOSYS there are printed, and kept in those
records (aegis_enosys). Each arch's comparison is a group of its own:
one that fails or times out leaves its records as failed, with why, and
the other arch's figures as they are.

From user mode (test/user/bench.c, TCG only): syscall.null and
syscall.refused_arg beside a user-mode function call; syscall.bus_call
(the call system call) beside sched.thread_call, and proc.spawn_exit (a
process spawned and waited for) beside sched.spawn_exit.
"""
import argparse
import glob
import os
import re
import selectors
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tools'))

import qemu  # noqa: E402
import results  # noqa: E402
from results import FAILED, SKIPPED  # noqa: E402

CMDLINE = 'ktest=bench.irq_latency timer_hz=1000'
KMALLOC_CMDLINE = 'ktest=bench.kmalloc'
SCHED_CMDLINE = 'ktest=bench.sched'
SMP_CMDLINE = ('ktest=bench.smp,bench.smp_bus,bench.smp_throughput,'
               'bench.smp_wake')
USER_CMDLINE = 'run=bench run.exit'
ULINE = re.compile(r'^bench: user (\w+) n=(\d+) hz=(\d+) median=(\d+) '
                   r'p99=(\d+) centicycles')
LINE = re.compile(r'^bench: irq (\w+) n=(\d+) hz=(\d+) median=(\d+) '
                  r'p99=(\d+) cycles')
SLINE = re.compile(r'^bench: sched (\w+) n=(\d+) hz=(\d+) median=(\d+) '
                   r'p99=(\d+) centicycles')
LLINE = re.compile(r'^bench: linux (\w+) n=(\d+) hz=(\d+) median=(\d+) '
                   r'p99=(\d+) centicycles')
KLINE = re.compile(r'^bench: kmalloc (\w+) n=(\d+) hz=(\d+) median=(\d+) '
                   r'p99=(\d+) centicycles')
MLINE = re.compile(r'^bench: smp (\w+) n=(\d+) hz=(\d+) median=(\d+) '
                   r'p99=(\d+) centicycles')
TIMEOUT = 300

# name, arch, boot, gic, accel
CONFIGS = [
    ('x86_64-pvh', 'x86_64', 'pvh', None, 'tcg'),
    ('x86_64-pvh-kvm', 'x86_64', 'pvh', None, 'kvm'),
    ('aarch64-gicv2', 'aarch64', None, 2, 'tcg'),
    ('aarch64-gicv3', 'aarch64', None, 3, 'tcg'),
]

SIZES = (16, 64, 256, 1024, 4096)


class Group:
    """One boot of a configuration and the figures it prints: each is
    (its line's name, its record's bench, the group its peer comes from
    (None: this boot), the peer's line, the peer's record name). scale:
    1 for lines in counter ticks, 100 for hundredths of a tick. smp: the
    boot's CPUs."""

    def __init__(self, name, cmdline, rx, scale, figures, initrd=False,
                 smp=1):
        self.name, self.cmdline, self.rx = name, cmdline, rx
        self.scale, self.figures, self.initrd = scale, figures, initrd
        self.smp = smp

    def lines(self):
        """Every line this boot must print: its figures and the peers
        measured in it."""
        want = [line for line, _, _, _, _ in self.figures]
        for _, _, pgroup, pline, _ in self.figures:
            if pgroup is None and pline not in want:
                want.append(pline)
        return want


GROUPS = [
    Group('irq', CMDLINE, LINE, 1, [
        ('top_to_handler', 'irq.top_to_handler', None, 'due_to_top',
         'irq_entry'),
        ('due_to_handler', 'irq.arrival_to_handler', None, 'due_to_top',
         'irq_entry')]),
    Group('kmalloc', KMALLOC_CMDLINE, KLINE, 100, [
        ('pair_%d' % sz, 'kmalloc.pair_%d' % sz, None, 'page_alloc_free',
         'mm_page_alloc_free') for sz in SIZES]),
    Group('sched', SCHED_CMDLINE, SLINE, 100, [
        (f, 'sched.' + f, None, 'inline_call', 'bus_call_inline')
        for f in ('yield_switch', 'thread_call', 'spawn_exit')]),
    # user mode, beside a user function call, and beside the same work
    # from a kernel thread measured by this configuration's sched boot
    Group('user', USER_CMDLINE, ULINE, 100, [
        ('null_syscall', 'syscall.null', None, 'user_call',
         'user_function_call'),
        ('write_check', 'syscall.refused_arg', None, 'user_call',
         'user_function_call'),
        ('bus_call', 'syscall.bus_call', 'sched', 'thread_call',
         'sched.thread_call'),
        ('spawn_exit', 'proc.spawn_exit', 'sched', 'spawn_exit',
         'sched.spawn_exit')], initrd=True),
    # four CPUs: a wake-up across CPUs beside a thread switch on one
    Group('smp', SMP_CMDLINE, MLINE, 100, [
        ('ipi_round_trip', 'smp.ipi_round_trip', 'sched', 'yield_switch',
         'sched.yield_switch'),
        # the bus across CPUs beside the bus within one
        ('bus_pingpong_cross', 'smp.bus_pingpong_cross', None,
         'bus_pingpong_same', 'smp.bus_pingpong_same'),
        ('bus_pingpong_same', 'smp.bus_pingpong_same', 'sched',
         'yield_switch', 'sched.yield_switch'),
        # a thread woken on another CPU beside one woken on its own
        ('thread_wake_cross', 'smp.thread_wake_cross', None,
         'thread_wake_same', 'smp.thread_wake_same'),
        ('thread_wake_same', 'smp.thread_wake_same', 'sched',
         'yield_switch', 'sched.yield_switch'),
        # the bus's throughput with pairs of services on 2 and 4 CPUs
        # beside one pair on one CPU (time per message: 0.5 is twice
        # the messages)
        ('bus_throughput_2cpu', 'smp.bus_throughput_2cpu', None,
         'bus_throughput_1cpu', 'smp.bus_throughput_1cpu'),
        ('bus_throughput_4cpu', 'smp.bus_throughput_4cpu', None,
         'bus_throughput_1cpu', 'smp.bus_throughput_1cpu'),
        # the same with handlers that hash 1 KiB each
        ('bus_throughput_work_2cpu', 'smp.bus_throughput_work_2cpu', None,
         'bus_throughput_work_1cpu', 'smp.bus_throughput_work_1cpu'),
        ('bus_throughput_work_4cpu', 'smp.bus_throughput_work_4cpu', None,
         'bus_throughput_work_1cpu', 'smp.bus_throughput_work_1cpu')],
          smp=4),
]

# SYSCALL from ring 3 faults under kvm_pvm (docs/TESTING.md)
KVM_NO_USER = ('user mode is not measured under KVM: a SYSCALL from ring 3 '
               'faults under kvm_pvm (docs/TESTING.md)')

VS_LINUX = [
    # Aegis's figure, Linux's line, the record's name, what it is
    ('syscall.null', 'null_syscall', 'null_syscall',
     'getpid from user mode'),
    ('sched.yield_switch', 'yield_switch', 'thread_switch',
     'a thread switch, two threads yielding'),
    ('smp.bus_pingpong_same', 'pingpong_same', 'pingpong_same',
     'a round trip between two on CPU 0 (Aegis: an event bounced between '
     'two services; Linux: a byte between two threads through pipes)'),
    ('smp.bus_pingpong_cross', 'pingpong_cross', 'pingpong_cross',
     'the same round trip between CPUs 0 and 1'),
]
# The same static lbench under Aegis's Linux personality and under
# Linux: its line, the record's name (vs_linux.NAME), what it is
LINUX_ABI = [
    ('null_syscall', 'null_syscall_linux_abi',
     'getpid through the Linux personality: the same static lbench under '
     'Aegis and under Linux'),
    ('fork_exit_wait', 'fork_exit_wait',
     'fork, the child\'s _exit(0) and the parent\'s waitpid (lbench under '
     'both kernels; Aegis shares the memory copy-on-write)'),
    ('fork_exec_wait', 'fork_exec_wait',
     'fork, execve of busybox true, waitpid (lbench under both kernels)'),
    ('pipe_4k', 'pipe_4k',
     '4 KiB written into a pipe a child reads (lbench under both kernels)'),
    ('tmpfs_rw_4k', 'tmpfs_rw_4k',
     'a 4 KiB write or read of a file in /tmp (Aegis: the root tmpfs; '
     'Linux: its initramfs)'),
]
# Linux as Debian ships it, and with its speculation mitigations off (a
# peer given its best): record name suffix, peer name, what is added to
# its command line on each arch, the variant. On AArch64 mitigations=off
# alone leaves the kernel page table isolation on (Linux forces it for
# KASLR, which QEMU's kaslr-seed turns on, before it reads
# mitigations=off), and under TCG every system call then changes the
# translation tables twice, each time a flush of QEMU's TLB: kpti=0
# turns it off too.
LINUX_VARIANTS = [
    ('', 'linux', {'x86_64': '', 'aarch64': ''}, 'Linux as shipped'),
    ('.mitigations_off', 'linux_mitigations_off',
     {'x86_64': ' mitigations=off', 'aarch64': ' mitigations=off kpti=0'},
     'Linux with mitigations=off'),
]
# CPUs of both sides' vs_linux boots: two, for the cross-CPU round trip
LINUX_CPUS = 2
# Seconds from QEMU's start by which Linux must have started lbench (it
# takes 2 to 7 here), or it has hung in its boot and is booted again
LINUX_UP_WITHIN = 90
# Where Linux is compared with Aegis, by arch: the configuration of
# Aegis's figures beside it (and its QEMU machine: the same for both
# kernels), and why there is no Linux peer when its kernel is missing
ARM64_ROOT = '/usr/local/lib/aegis/arm64'
LINUX_ARCHES = {
    'x86_64': {
        'config': 'x86_64-pvh', 'gic': None,
        'qemu': 'x86_64 microvm, TCG, qemu64, 256 MiB, %d CPUs'
                % LINUX_CPUS,
        'missing': 'no /boot/vmlinuz-* (tools/setup.sh installs '
                   'linux-image-amd64)'},
    'aarch64': {
        'config': 'aarch64-gicv3', 'gic': 3,
        'qemu': 'AArch64 virt, GICv3, TCG, cortex-a72, 256 MiB, %d CPUs'
                % LINUX_CPUS,
        'missing': 'no boot/vmlinuz-*-arm64 in the arm64 root '
                   '(tools/setup.sh unpacks linux-image-<abi>-arm64 '
                   'there)'},
}
BOOT_WHAT = ('QEMU start to the kernel\'s "up" line (Aegis) or to init\'s '
             'first line (Linux)')
# Boot to busybox's interactive shell: the banner ash prints as it
# starts (Aegis: init=busybox, the console session; Linux: busybox sh -i
# as its first program, rdinit=, from the same initramfs)
SHELL_MARK = 'built-in shell (ash)'
SHELL_WHAT = ('QEMU start to busybox sh\'s banner "%s" (Aegis: init=busybox; '
              'Linux: rdinit=/bin/busybox -- sh -i)' % SHELL_MARK)
LINUX_SHELL = ' rdinit=/bin/busybox -- sh -i'


def boot(argv, timeout=TIMEOUT):
    """Boot once: (serial output, None) when QEMU ran to its end, or
    (what it printed, why not) when it could not start or ran past
    timeout seconds."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        # POSIX: the exception holds what was read before the timeout
        return ((e.stdout or b'').decode('utf-8', 'replace'),
                'timed out after %g s' % timeout)
    except OSError as e:
        return '', 'cannot run %s: %s' % (argv[0], e.strerror or e)
    return p.stdout.decode('utf-8', 'replace'), None


def timed_boot(argv, marker, timeout=TIMEOUT, stop=False, within=None):
    """Boot, and return (seconds from QEMU's start to the output that
    holds marker or None, the whole output, why it ended early or None).
    stop: end QEMU at the marker. within: end it when the marker has not
    come that many seconds after the start (a boot that hung before it).
    A QEMU that prints nothing is still ended at the timeout."""
    start = time.monotonic()
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    except OSError as e:
        return None, '', 'cannot run %s: %s' % (argv[0], e.strerror or e)
    seen, err = None, None
    buf = b''
    mark = marker.encode()
    deadline = start + timeout
    early = start + within if within is not None else None
    fd = p.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if early is not None and seen is None and now >= early:
                err = 'no "%s" within %g s' % (marker, within)
                break
            left = deadline - now
            if left <= 0:
                err = 'timed out after %g s' % timeout
                break
            if early is not None and seen is None:
                left = min(left, early - now)
            if not sel.select(left):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            if seen is None and mark in buf[-(len(chunk) + len(mark)):]:
                seen = time.monotonic() - start
                if stop:
                    break
    if p.poll() is None:
        p.kill()
    p.wait()
    p.stdout.close()
    return seen, buf.decode('utf-8', 'replace'), err


def parse(out, rx):
    """{figure: (n, hz, median, p99)} from the lines rx matches."""
    figs = {}
    for ln in out.splitlines():
        m = rx.match(ln)
        if m:
            figs[m.group(1)] = tuple(int(x) for x in m.group(2, 3, 4, 5))
    return figs


def missing_reason(out, err, missing):
    """Why a boot's figures are missing: the boot's own failure, or the
    lines it did not print and what it printed last."""
    what = 'no %s' % ', '.join(missing)
    if len(missing) > 1 and not any(
            ln.startswith('bench: ') for ln in out.splitlines()):
        what = 'no figures'
    if err:
        return '%s; %s' % (err, what)
    lines = [ln.strip() for ln in out.splitlines()
             if ln.strip()]
    last = [ln for ln in lines if 'ktest' in ln][-2:] or lines[-1:]
    if not last:
        return '%s: QEMU printed nothing' % what
    return '%s; last: %s' % (what, ' / '.join(x[:100] for x in last))


def ns(cycles, hz):
    return round(cycles * 1e9 / hz, 1)


def record(bench, arch, accel, config, fig, peer, peer_fig, scale=100):
    """A results.json record for a figure measured in counter ticks
    (scale 1) or hundredths of a tick (scale 100) beside its peer's;
    peer_fig None: the peer was not measured (peer_value, ratio null)."""
    n, hz, med, p99 = fig
    pmed = peer_fig[2] if peer_fig else None
    return {'bench': bench, 'arch': arch, 'accel': accel, 'config': config,
            'value': ns(med / scale, hz), 'unit': 'ns', 'peer': peer,
            'peer_value': ns(pmed / scale, hz) if peer_fig else None,
            'ratio': round(med / pmed, 3) if pmed else None,
            'p99': ns(p99 / scale, hz), 'n': n,
            'cycles': med if scale == 1 else round(med / scale, 2),
            'p99_cycles': p99 if scale == 1 else round(p99 / scale, 2),
            'counter_hz': hz}


def measure_group(g, arch, accel, config, out, err, done):
    """The records of one boot of group g from its output (err: why the
    boot ended early, or None), and its status: (records, None, None)
    when every line was printed, else (records, FAILED, reason). done:
    {group name: (figures, reason or None)} of the boots before it in
    this configuration, for peers measured there."""
    figs = parse(out, g.rx)
    missing = [x for x in g.lines() if x not in figs]
    reason = missing_reason(out, err, missing) if missing else None
    recs = []
    for line, bench, pgroup, pline, peer in g.figures:
        if line not in figs:
            recs.append(results.not_run(bench, arch, accel, FAILED, reason,
                                        g.name, config, peer=peer))
            continue
        if pgroup is None:
            pfigs, pwhy = figs, reason
        else:
            pfigs, pwhy = done.get(pgroup, ({}, 'not run'))
        pfig = pfigs.get(pline)
        rec = record(bench, arch, accel, config, figs[line], peer, pfig,
                     g.scale)
        if pfig is None:
            rec['peer_reason'] = '%s not measured: %s' % (
                peer, pwhy if pgroup is None else '%s %s: %s' % (
                    config, pgroup, pwhy or 'no %s' % pline))
        recs.append(rec)
    return recs, (FAILED if missing else None), reason


def run_config(cfg, args, boot, by_group, groups):
    """Every group of one configuration: records into by_group[name],
    (label, status, reason) into groups."""
    name, arch, bootpath, gic, want = cfg
    # KVM configurations run where auto would choose KVM: on nested
    # hosts it is slower than TCG and boots time out (tools/qemu.py).
    accel, why = qemu.pick_accel('auto' if want == 'kvm' else want,
                                 arch, bootpath)
    if accel != want:
        print('qemu bench: %s skipped (%s)' % (name, why))
        for g in GROUPS:
            for _, bench, _, _, peer in g.figures:
                by_group[g.name].append(results.not_run(
                    bench, arch, want, SKIPPED, why, g.name, name,
                    peer=peer))
        groups.append((name, SKIPPED, why))
        return
    kdir = args.x86 if arch == 'x86_64' else args.arm

    def argv(cmdline, initrd=None, smp=1):
        if arch == 'x86_64':
            return qemu.command(
                arch, bootpath, accel,
                kernel=os.path.join(args.x86, 'kernel.elf'),
                cmdline=cmdline, initrd=initrd, smp=smp)
        return qemu.command(arch, accel=accel,
                            image=os.path.join(args.arm, 'Image'),
                            cmdline=cmdline, gic=gic, initrd=initrd,
                            smp=smp)

    done = {}
    for g in GROUPS:
        label = '%s %s' % (name, g.name)
        if g.name == 'user' and accel == 'kvm':
            print('qemu bench: %s skipped (%s)' % (label, KVM_NO_USER))
            for _, bench, _, _, peer in g.figures:
                by_group[g.name].append(results.not_run(
                    bench, arch, accel, SKIPPED, KVM_NO_USER, g.name, name,
                    peer=peer))
            groups.append((label, SKIPPED, KVM_NO_USER))
            continue
        try:
            initrd = (os.path.join(kdir, 'test', 'user', 'initrd.cpio')
                      if g.initrd else None)
            out, err = boot(argv(g.cmdline, initrd, g.smp), args.timeout)
            recs, status, reason = measure_group(g, arch, accel, name, out,
                                                 err, done)
        except Exception as e:  # a bug here must not lose the others
            traceback.print_exc()
            reason = 'error: %s: %s' % (type(e).__name__, e)
            recs = [results.not_run(bench, arch, accel, FAILED, reason,
                                    g.name, name, peer=peer)
                    for _, bench, _, _, peer in g.figures]
            status, out = FAILED, ''
        if status:
            print('qemu bench: %s failed: %s' % (label, reason))
        done[g.name] = (parse(out, g.rx), reason)
        by_group[g.name].extend(recs)
        groups.append((label, status, reason))


def linux_kernel(arch, arm_root):
    """The newest of Debian's kernels for arch: linux-image-amd64's in
    /boot, or the linux-image-<abi>-arm64 that tools/setup.sh unpacks into
    arm_root; None when there is none."""
    pat = ('/boot/vmlinuz-*' if arch == 'x86_64' else
           os.path.join(arm_root, 'boot', 'vmlinuz-*-arm64'))
    kernels = sorted(glob.glob(pat))
    return kernels[-1] if kernels else None


def linux_argv(arch, kernel, initramfs, extra=''):
    """Linux's QEMU command line: the same configuration as Aegis's boots
    beside it (LINUX_ARCHES), extra appended to its command line.
    x86_64: tsc=reliable, since with two CPUs Linux otherwise doubts
    QEMU's TSC and times with jiffies until late in the run (medians of
    0); Aegis uses the TSC as it is. AArch64: the arch timer, as Aegis."""
    if arch == 'x86_64':
        return ['qemu-system-x86_64', '-M', 'microvm,rtc=on', '-kernel',
                kernel, '-initrd', initramfs, '-append',
                'console=ttyS0 quiet panic=-1 tsc=reliable' + extra,
                '-accel', 'tcg', '-cpu', 'qemu64', '-smp', str(LINUX_CPUS),
                '-m', '256', '-display', 'none', '-no-reboot', '-serial',
                'stdio', '-monitor', 'none']
    return qemu.command('aarch64', accel='tcg', image=kernel,
                        cmdline='console=ttyAMA0 quiet panic=-1' + extra,
                        gic=LINUX_ARCHES[arch]['gic'], initrd=initramfs,
                        smp=LINUX_CPUS)


def aegis_argv(arch, args, cmdline, initrd=None):
    """Aegis's side of the comparison: its release kernel in the
    configuration of LINUX_ARCHES[arch], with LINUX_CPUS CPUs."""
    if arch == 'x86_64':
        return qemu.command('x86_64', 'pvh', 'tcg',
                            kernel=os.path.join(args.x86, 'kernel.elf'),
                            cmdline=cmdline, initrd=initrd, smp=LINUX_CPUS)
    return qemu.command('aarch64', accel='tcg',
                        image=os.path.join(args.arm, 'Image'),
                        cmdline=cmdline, gic=LINUX_ARCHES[arch]['gic'],
                        initrd=initrd, smp=LINUX_CPUS)


def linux_peer(arch, kernel, initramfs, timeout, timed_boot, extra=''):
    """Linux in the same QEMU configuration as Aegis's boots of arch
    (linux_argv), extra appended to its command line: (figures, boot
    seconds, None), or (figures or {}, None, why) when it did not boot or
    print them all. A Linux that has not started lbench LINUX_UP_WITHIN
    seconds after QEMU's start has hung in its boot (x86_64 on a loaded
    host: its TSC calibration against the PIT fails, and with no other
    reference on microvm it does not get to init): it is booted once
    more, and both tries are said."""
    argv = linux_argv(arch, kernel, initramfs, extra)
    within = min(timeout, LINUX_UP_WITHIN)
    boot_s, out, err = timed_boot(argv, 'lbench: up', timeout,
                                  within=within)
    if boot_s is None and err and err.startswith('no "lbench: up"'):
        print('qemu bench: Linux (%s%s) %s: booting it again'
              % (arch, extra, err))
        first = err
        boot_s, out, err = timed_boot(argv, 'lbench: up', timeout,
                                      within=within)
        if err:
            err = '%s, twice (first: %s)' % (err, first)
    figs = parse(out, LLINE)
    missing = [x for _, x, _, _ in VS_LINUX if x not in figs]
    if boot_s is None:
        missing.append('"lbench: up"')
    if missing:
        return figs, None, missing_reason(out, err, missing)
    return figs, boot_s, None


def linux_shell(arch, kernel, initramfs, extra, timeout, timed_boot):
    """Linux booted to busybox's interactive shell as its first program:
    (seconds to its banner, None), or (None, why). Booted once more when
    it hung in its boot, as linux_peer does."""
    argv = linux_argv(arch, kernel, initramfs, extra + LINUX_SHELL)
    within = min(timeout, LINUX_UP_WITHIN)
    first = None
    for _ in range(2):
        s, _, why = timed_boot(argv, SHELL_MARK, timeout, stop=True,
                               within=within)
        if s is not None:
            return s, None
        if not (why or '').startswith('no "'):
            break
        if first is None:
            first = why
            print('qemu bench: Linux (%s%s) %s: booting it again'
                  % (arch, extra, why))
    return None, '%s%s' % (why or 'it ended', ', twice' if first else '')


ENOSYS = re.compile(r'linux: pid \d+ called system call (\d+) \((\w+)\), '
                    r'which Aegis does not have')
# Linux's numbers of its system calls, by arch: the kernel headers of
# the C libraries lbench is built against
UNISTD = {'x86_64': '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
          'aarch64': '/usr/aarch64-linux-gnu/include/asm-generic/unistd.h'}


def syscall_names(arch, path=None):
    """{number: name} of arch's Linux system calls, from its unistd
    header; {} without one."""
    names = {}
    try:
        with open(path or UNISTD[arch]) as f:
            for ln in f:
                m = re.match(r'#define __NR(?:3264)?_(\w+)\s+(\d+)\s*$', ln)
                if m:
                    names.setdefault(int(m.group(2)), m.group(1))
    except (OSError, KeyError):
        pass
    return names


def enosys(out, arch):
    """The system calls Aegis answered -ENOSYS in a boot's output, in the
    order it said so: ['293 (rseq)', ...]."""
    names, seen = None, []
    for ln in out.splitlines():
        m = ENOSYS.search(ln)
        if not m or m.group(2) != arch:
            continue
        if names is None:
            names = syscall_names(arch)
        nr = int(m.group(1))
        what = '%d (%s)' % (nr, names[nr]) if nr in names else str(nr)
        if what not in seen:
            seen.append(what)
    return seen


def not_run_rows(arch, status, why):
    """Every vs_linux record of arch, not run for one reason."""
    config = LINUX_ARCHES[arch]['config']
    rows = []
    for suffix, peer, extras, _ in LINUX_VARIANTS:
        vwhat = variant_what(extras[arch])
        figs = [(v, 'ns', w, ln) for _, ln, v, w in VS_LINUX]
        figs += [(v, 'ns', w, ln) for ln, v, w in LINUX_ABI]
        figs.append(('boot_to_first_program', 'ms', BOOT_WHAT,
                     'boot_to_init'))
        figs.append(('boot_to_shell_prompt', 'ms', SHELL_WHAT,
                     'boot_to_shell'))
        for vname, unit, what, lname in figs:
            r = results.not_run('vs_linux.' + vname + suffix, arch, 'tcg',
                                status, why, 'linux', config, unit=unit,
                                peer=peer + '.' + lname)
            r['what'] = '%s (%s)' % (what, vwhat)
            rows.append(r)
    return rows


def variant_what(extra):
    return 'Linux with%s' % extra if extra else 'Linux as shipped'


def vs_linux(args, mine, timed_boot, groups, arch='x86_64'):
    """Aegis against Linux in the same QEMU on arch, as shipped and with
    mitigations=off: the vs_linux.* records of arch. mine: Aegis's
    records of that configuration (LINUX_ARCHES), by bench."""
    config = LINUX_ARCHES[arch]['config']
    label = '%s linux' % config
    initramfs = (args.linux_initramfs if arch == 'x86_64'
                 else args.linux_initramfs_arm)

    def not_run(vname, peer, status, why, unit='ns', what=''):
        r = results.not_run('vs_linux.' + vname, arch, 'tcg', status,
                            why, 'linux', config, unit=unit, peer=peer)
        r['what'] = what
        return r

    kernel = linux_kernel(arch, args.linux_arm_root)
    if not kernel:
        why = LINUX_ARCHES[arch]['missing']
        print('qemu bench: %s skipped: %s' % (label, why))
        groups.append((label, SKIPPED, why))
        return not_run_rows(arch, SKIPPED, why)
    aboot, _, awhy = timed_boot(aegis_argv(arch, args, ''), 'aegis: up',
                                args.timeout, stop=True)
    if aboot is None:
        awhy = 'Aegis did not reach "aegis: up": %s' % (awhy or 'it ended')
    kdir = args.x86 if arch == 'x86_64' else args.arm
    ashell, _, ashwhy = timed_boot(
        aegis_argv(arch, args, 'init=busybox',
                   os.path.join(kdir, 'test', 'user', 'initrd.cpio')),
        SHELL_MARK, args.timeout, stop=True)
    if ashell is None:
        ashwhy = 'Aegis did not reach busybox sh\'s banner: %s' % (
            ashwhy or 'it ended')
    # The same lbench binary, unmodified, under Aegis's Linux personality
    # (docs/LINUX_ABI.md): its figures up to the threads are Linux system
    # calls through Aegis (it stops there: it has no second thread
    # without clone's CLONE_THREAD).
    _, abi_out, abi_err = timed_boot(
        aegis_argv(arch, args, 'run=lbench run.exit',
                   os.path.join(kdir, 'test', 'user', 'initrd.cpio')),
        'lbench: up', args.timeout)	# to its end: run.exit powers off
    # once lbench has ended (stopping at the figure's first bytes could
    # cut its line)
    abi_all = parse(abi_out, LLINE)
    abi = abi_all.get('null_syscall')
    abi_why = None if abi and abi[2] else missing_reason(
        abi_out, abi_err, ['lbench\'s null_syscall under Aegis'])
    lacked = enosys(abi_out, arch)
    if lacked:
        print('qemu bench: %s: lbench under Aegis called system calls '
              'Aegis does not have (-ENOSYS): %s' % (label,
                                                     ', '.join(lacked)))
    vrows, whys = [], []
    for suffix, peer, extras, _ in LINUX_VARIANTS:
        extra = extras[arch]
        vwhat = variant_what(extra)
        lf, lboot, lwhy = linux_peer(arch, kernel, initramfs, args.timeout,
                                     timed_boot, extra)
        if lwhy:
            whys.append('Linux (%s): %s' % (vwhat, lwhy))
        lkeys = {'linux_kernel': os.path.basename(kernel),
                 'linux_cmdline': extra.strip()}
        for fig, lname, vname, what in VS_LINUX:
            what = '%s (%s)' % (what, vwhat)
            vname += suffix
            a = mine.get(fig)
            if lname not in lf:
                vrows.append(not_run(vname, peer + '.' + lname, FAILED,
                                     'Linux: %s' % lwhy, what=what))
                continue
            if not a or a.get('value') is None:
                vrows.append(not_run(vname, peer + '.' + lname, FAILED,
                                     'no %s on %s: %s' % (
                                         fig, config, a['reason'] if a
                                         else 'not run'),
                                     what=what))
                continue
            n, hz, med, p99 = lf[lname]
            if med == 0:
                # Linux's clocksource fell back to jiffies (its TSC
                # watchdog gives up on a loaded host): a batch reads as 0
                # or 4 ms, and a zero median is no figure at all
                vrows.append(not_run(vname, peer + '.' + lname, FAILED,
                                     'Linux: its clock did not resolve the '
                                     'operation (median 0, p99 %.0f ns: the '
                                     'guest\'s clocksource fell back to a '
                                     'coarse one)' % (p99 / 100 * 1e9 / hz),
                                     what=what))
                continue
            lns = med / 100 * 1e9 / hz
            vrows.append(dict({
                'bench': 'vs_linux.' + vname,
                'arch': arch, 'accel': 'tcg',
                'config': config, 'value': a['value'],
                'unit': 'ns', 'peer': peer + '.' + lname,
                'peer_value': round(lns, 1),
                'ratio': round(a['value'] / lns, 3) if lns else None,
                'p99': a['p99'], 'n': a['n'],
                'peer_p99': round(p99 / 100 * 1e9 / hz, 1),
                'what': what}, **lkeys))
        for lname, vname, what in LINUX_ABI:
            awhat = '%s (%s)' % (what, vwhat)
            arow, lrow = abi_all.get(lname), lf.get(lname)
            if abi_why or not arow or not arow[2] or not lrow or \
                    not lrow[2]:
                why = abi_why or (
                    'Aegis ran no %s (lbench stopped before it%s)' % (
                        lname, '; Aegis answered -ENOSYS to system calls '
                        '%s' % ', '.join(lacked) if lacked else '')
                    if not arow or not arow[2] else 'Linux: %s' % (
                        lwhy or 'its clock did not resolve the operation'))
                if not abi_why and (not arow or not arow[2]) and \
                        why not in whys:
                    whys.append(why)
                vrows.append(not_run(vname + suffix, peer + '.' + lname,
                                     FAILED, why, what=awhat))
                continue
            an, ahz, amed, ap99 = arow
            n, hz, med, p99 = lrow
            ans, lns = amed / 100 * 1e9 / ahz, med / 100 * 1e9 / hz
            vrows.append(dict({
                'bench': 'vs_linux.' + vname + suffix,
                'arch': arch, 'accel': 'tcg',
                'config': config, 'value': round(ans, 1),
                'unit': 'ns', 'peer': peer + '.' + lname,
                'peer_value': round(lns, 1),
                'ratio': round(ans / lns, 3),
                'p99': round(ap99 / 100 * 1e9 / ahz, 1), 'n': an,
                'peer_p99': round(p99 / 100 * 1e9 / hz, 1),
                'what': awhat, 'aegis_enosys': lacked}, **lkeys))
        bwhat = '%s (%s)' % (BOOT_WHAT, vwhat)
        if aboot is not None and lboot is not None:
            vrows.append(dict({
                'bench': 'vs_linux.boot_to_first_program' + suffix,
                'arch': arch, 'accel': 'tcg',
                'config': config,
                'value': round(aboot * 1000, 1), 'unit': 'ms',
                'peer': peer + '.boot_to_init',
                'peer_value': round(lboot * 1000, 1),
                'ratio': round(aboot / lboot, 3), 'n': 1,
                'what': bwhat}, **lkeys))
        else:
            vrows.append(not_run('boot_to_first_program' + suffix,
                                 peer + '.boot_to_init', FAILED,
                                 awhy if aboot is None
                                 else 'Linux: %s' % lwhy, 'ms', bwhat))
        # to the shell: Linux booted once more, busybox sh its init
        swhat = '%s (%s)' % (SHELL_WHAT, vwhat)
        lshell, lshwhy = linux_shell(arch, kernel, initramfs, extra,
                                     args.timeout, timed_boot)
        if ashell is not None and lshell is not None:
            vrows.append(dict({
                'bench': 'vs_linux.boot_to_shell_prompt' + suffix,
                'arch': arch, 'accel': 'tcg',
                'config': config,
                'value': round(ashell * 1000, 1), 'unit': 'ms',
                'peer': peer + '.boot_to_shell',
                'peer_value': round(lshell * 1000, 1),
                'ratio': round(ashell / lshell, 3), 'n': 1,
                'what': swhat}, **lkeys))
        else:
            why = ashwhy if ashell is None else \
                'Linux did not reach busybox sh\'s banner: %s' % (
                    lshwhy or 'it ended')
            if why not in whys:
                whys.append(why)
            vrows.append(not_run('boot_to_shell_prompt' + suffix,
                                 peer + '.boot_to_shell', FAILED, why,
                                 'ms', swhat))
    if aboot is None:
        whys.append(awhy)
    if abi_why:
        whys.append('Aegis running lbench: %s' % abi_why)
    why = '; '.join(whys)
    if why:
        print('qemu bench: %s failed: %s' % (label, why))
    groups.append((label, FAILED if why else None, why or None))
    return vrows


def status_cell(r):
    return '%s: %s' % (r['status'], r['reason'])


def table(title, rows, note, irq=False):
    """Print one figure table: title, a row per record (a boot that did
    not run: one row naming its figures, with why), a note."""
    w = 24 if irq else 20
    print('\n%s\n' % title)
    if irq:
        print('%-24s %-15s %4s %10s %10s %10s   %-10s %10s %7s' % (
            'figure', 'config', 'acc', 'median ns', 'p99 ns', 'ticks',
            'peer', 'peer ns', 'ratio'))
    else:
        print('%-20s %-15s %4s %9s %9s %9s   %-18s %9s %7s' % (
            'figure', 'config', 'acc', 'median ns', 'p99 ns', 'ticks',
            'peer', 'peer ns', 'ratio'))
    for r in results.collapse(rows):
        if isinstance(r, list):
            print('%-*s %-15s %4s   %s' % (
                w, ', '.join(x['bench'] for x in r), r[0]['config'],
                r[0]['accel'], status_cell(r[0])))
            continue
        pw = 10 if irq else 9
        peer = ('%*.1f %7.3f' % (pw, r['peer_value'], r['ratio'] or 0)
                if r['peer_value'] is not None
                else '%*s %7s   (%s)' % (pw, '-', '-', r.get('peer_reason')))
        if irq:
            print('%-24s %-15s %4s %10.1f %10.1f %10d   %-10s %s' % (
                r['bench'], r['config'], r['accel'], r['value'], r['p99'],
                r['cycles'], r['peer'], peer))
        else:
            print('%-20s %-15s %4s %9.1f %9.1f %9.2f   %-18s %s' % (
                r['bench'], r['config'], r['accel'], r['value'], r['p99'],
                r['cycles'], r['peer'], peer))
    print('\n(%s)' % note)


def print_tables(by_group, vrows):
    ran = [r for r in by_group['irq'] if results.measured(r)]
    table('interrupt latency in QEMU: median and p99 of %s timer '
          'interrupts at 1000 Hz (clock-read overhead subtracted)'
          % (ran[0]['n'] if ran else '-'), by_group['irq'],
          'ticks: of the counter the kernel reads - TSC on x86_64, '
          'CNTVCT at its CNTFRQ on AArch64; peer irq_entry: the timer\'s '
          'deadline to the HAL\'s top half', irq=True)
    table('kmalloc in QEMU (release kernels): kmalloc+kfree pairs, '
          'batches of 100, median and p99 of 301 batches',
          by_group['kmalloc'],
          'peer mm_page_alloc_free: one page through the mm service\'s '
          'mm.page.alloc and mm.page.free requests')
    table('threads in QEMU (release kernels): median and p99 of 201 '
          'batches', by_group['sched'],
          'yield_switch: one thread switch, two threads yielding to each '
          'other; thread_call: a bus request from a thread, blocked until '
          'the reply; spawn_exit: a thread spawned, run and reaped; peer '
          'bus_call_inline: the same request made inline by the '
          'dispatcher')
    table('system calls from user mode in QEMU (release kernels, '
          'test/user/bench.c): median and p99 of 201 batches',
          by_group['user'],
          'syscall.null: getpid, into the kernel through the gateway and '
          'back; syscall.refused_arg: write to a file number that is not '
          'there (-EBADF); peer user_function_call: a call that stays in '
          'user mode. syscall.bus_call: the call system call to '
          'example.ping, blocked until the reply, beside sched.thread_call, '
          'the same request from a kernel thread; proc.spawn_exit: spawn '
          'and wait for test/user/true.c, beside sched.spawn_exit, a kernel '
          'thread spawned, run and reaped')
    table('many CPUs in QEMU (release kernels, -smp 4, TCG: one host '
          'thread per CPU; this host has 2 cores, so the 4-CPU figures are '
          'for correctness, not speed): median and p99 of 201 batches '
          '(41 windows of 4 ms for throughput)', by_group['smp'],
          'ipi_round_trip: CPU 0 interrupts CPU 1, whose handler '
          'interrupts CPU 0 back (test/kernel/bench_smp.c); peer '
          'sched.yield_switch: a thread switch on one CPU, from the same '
          'configuration\'s threads boot. bus_pingpong_cross: two services '
          'bounce an event over the bus, one on CPU 0, one placed on CPU 1 '
          '(woken by an IPI when it sleeps); peer bus_pingpong_same: both '
          'on CPU 0. bus_throughput_<k>cpu: k pairs of services, pair i on '
          'CPU i, each bouncing one event; time per message handled on all '
          'k CPUs together, beside one pair on CPU 0 (ratio 0.5: twice the '
          'messages); bus_throughput_work_*: the same with handlers that '
          'hash 1 KiB each')
    for arch, a in LINUX_ARCHES.items():
        rows = [r for r in vrows if r.get('arch') == arch]
        if not rows:
            continue
        mitig = next(e[arch] for suffix, _, e, _ in LINUX_VARIANTS
                     if suffix == '.mitigations_off')
        print('\nAegis against Linux in the same QEMU (%s; '
              '.mitigations_off: Linux booted with%s)\n'
              % (a['qemu'], mitig))
        print('%-45s %12s %12s %8s' % ('figure', 'Aegis', 'Linux',
                                        'ratio'))
        for r in results.collapse(rows):
            if isinstance(r, list):
                print('%-45s %s' % (', '.join(x['bench'] for x in r),
                                    status_cell(r[0])))
                continue
            print('%-45s %9.1f %-2s %9.1f %-2s %8.3f' % (
                r['bench'], r['value'], r['unit'], r['peer_value'],
                r['unit'], r['ratio'] or 0))
        kernels = sorted({r['linux_kernel'] for r in rows
                          if r.get('linux_kernel')})
        print('\n(Linux: Debian\'s %s with test/bench/linux/lbench.c '
              'as init; ratio = Aegis / Linux, below 1 is faster)'
              % (', '.join(kernels) or '-'))


def run(args, boot=boot, timed_boot=timed_boot):
    """Every configuration's boots and the Linux comparison: (records in
    results.json's order, [(group label, status or None, reason)], the
    records by group, the vs_linux records)."""
    by_group = {g.name: [] for g in GROUPS}
    groups = []
    for cfg in CONFIGS:
        run_config(cfg, args, boot, by_group, groups)
    vrows = []
    for arch, initramfs in (('x86_64', args.linux_initramfs),
                            ('aarch64', args.linux_initramfs_arm)):
        if not initramfs:
            continue
        config = LINUX_ARCHES[arch]['config']
        mine = {r['bench']: r for r in by_group['sched'] + by_group['user']
                + by_group['smp'] if r['config'] == config}
        try:
            vrows += vs_linux(args, mine, timed_boot, groups, arch)
        except Exception as e:  # a bug here must not lose the others
            traceback.print_exc()
            why = 'error: %s: %s' % (type(e).__name__, e)
            groups.append(('%s linux' % config, FAILED, why))
            vrows += not_run_rows(arch, FAILED, why)
    records = []
    for g in GROUPS:
        records += by_group[g.name]
    return records + vrows, groups, by_group, vrows


def main(argv=None, boot=boot, timed_boot=timed_boot):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--x86', required=True)
    ap.add_argument('--arm', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--linux-initramfs',
                    help='x86_64 Linux peer: its initramfs with lbench')
    ap.add_argument('--linux-initramfs-arm',
                    help='AArch64 Linux peer: its initramfs with lbench')
    ap.add_argument('--linux-arm-root', default=ARM64_ROOT,
                    help='where tools/setup.sh unpacked Debian\'s arm64 '
                    'kernel (boot/vmlinuz-*-arm64; %s)' % ARM64_ROOT)
    ap.add_argument('--timeout', type=float, default=TIMEOUT,
                    help='seconds one boot may take (%d)' % TIMEOUT)
    args = ap.parse_args(argv)

    records, groups, by_group, vrows = run(args, boot, timed_boot)
    # the host benchmarks' records stay; an earlier QEMU run's go
    old = [r for r in results.load(args.results) if r.get('arch') == 'host']
    results.save(args.results, old + records)
    print_tables(by_group, vrows)
    print('results: %s (+%d records)' % (args.results, len(records)))
    print(results.summary('qemu bench', groups))
    return 1 if any(st == FAILED for _, st, _ in groups) else 0


if __name__ == '__main__':
    sys.exit(main())
