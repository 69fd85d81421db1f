#!/usr/bin/env python3
"""Benchmarks inside the kernel, in QEMU: boot each configuration (release
kernels) with `ktest=bench.irq_latency timer_hz=1000`
(test/kernel/bench_irq.c) and with `ktest=bench.kmalloc`
(test/kernel/bench_mm.c) and `ktest=bench.sched` (test/kernel/bench_sched.c),
read their `bench: ...` lines, print tables and
append the records to build/bench/results.json (written first by the host
benchmarks).

Usage: qemu_bench.py --x86 X86_DIR --arm ARM_DIR --results FILE

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

Against Linux (x86_64 microvm, TCG): Debian's kernel boots the static
test/bench/linux/lbench.c from an initramfs in the same QEMU
configuration as Aegis's PVH kernel; its getpid, thread switch and boot
to its first program are printed beside Aegis's (vs_linux.*), with the
ratio Aegis / Linux.

From user mode (test/user/bench.c, TCG only): syscall.null and
syscall.refused_arg beside a user-mode function call; syscall.bus_call
(the call system call) beside sched.thread_call, and proc.spawn_exit (a
process spawned and waited for) beside sched.spawn_exit.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tools'))

import qemu  # noqa: E402

CMDLINE = 'ktest=bench.irq_latency timer_hz=1000'
KMALLOC_CMDLINE = 'ktest=bench.kmalloc'
SCHED_CMDLINE = 'ktest=bench.sched'
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

# name, arch, boot, gic, accel
CONFIGS = [
    ('x86_64-pvh', 'x86_64', 'pvh', None, 'tcg'),
    ('x86_64-pvh-kvm', 'x86_64', 'pvh', None, 'kvm'),
    ('aarch64-gicv2', 'aarch64', None, 2, 'tcg'),
    ('aarch64-gicv3', 'aarch64', None, 3, 'tcg'),
]


def boot(argv):
    """Boot once; the serial output, or None on a timeout."""
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              timeout=300).stdout.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        return None


def timed_boot(argv, marker, timeout=300, stop=False):
    """Boot, and return (seconds from QEMU's start to the first line that
    holds marker, the whole output), or (None, output). stop: end QEMU
    at the marker."""
    start = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen = None
    out = []
    deadline = start + timeout
    for raw in p.stdout:
        line = raw.decode('utf-8', 'replace')
        out.append(line)
        if seen is None and marker in line:
            seen = time.monotonic() - start
            if stop:
                break
        if time.monotonic() > deadline:
            break
    if stop:
        p.kill()
    try:
        p.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return seen, ''.join(out)


def linux_peer(initramfs):
    """Linux in the same QEMU configuration as Aegis's x86_64 PVH boots
    (microvm, TCG, qemu64, 256 MiB): (figures, boot seconds) or
    (None, why)."""
    kernels = sorted(glob.glob('/boot/vmlinuz-*'))
    if not kernels:
        return None, 'no /boot/vmlinuz-* (tools/setup.sh installs ' \
            'linux-image-amd64)'
    argv = ['qemu-system-x86_64', '-M', 'microvm,rtc=on', '-kernel',
            kernels[-1], '-initrd', initramfs, '-append',
            'console=ttyS0 quiet panic=-1', '-accel', 'tcg', '-cpu',
            'qemu64', '-m', '256', '-display', 'none', '-no-reboot',
            '-serial', 'stdio', '-monitor', 'none']
    boot_s, out = timed_boot(argv, 'lbench: up')
    figs, err = figures(out, LLINE, ('null_syscall', 'yield_switch'))
    if err or boot_s is None:
        return None, err or 'it never reached its first program'
    return (figs, boot_s), None


def figures(out, rx, want):
    """{figure: (n, hz, median, p99)} from the lines rx matches, or an
    error when a wanted figure is missing."""
    if out is None:
        return None, 'timed out'
    figs = {}
    for ln in out.replace('\r', '').splitlines():
        m = rx.match(ln)
        if m:
            figs[m.group(1)] = tuple(int(x) for x in m.group(2, 3, 4, 5))
    if not set(want) <= set(figs):
        tail = [ln for ln in out.splitlines() if 'ktest' in ln][-2:]
        return None, 'no figures (%s)' % ' / '.join(tail)
    return figs, None


def ns(cycles, hz):
    return round(cycles * 1e9 / hz, 1)


def record(bench, arch, accel, config, fig, peer, peer_fig):
    """A results.json record for a figure measured in centicycles
    (hundredths of a counter tick) beside its peer's."""
    n, hz, med, p99 = fig
    pmed = peer_fig[2]
    return {'bench': bench, 'arch': arch, 'accel': accel, 'config': config,
            'value': ns(med / 100, hz), 'unit': 'ns', 'peer': peer,
            'peer_value': ns(pmed / 100, hz),
            'ratio': round(med / pmed, 3) if pmed else None,
            'p99': ns(p99 / 100, hz), 'n': n,
            'cycles': round(med / 100, 2),
            'p99_cycles': round(p99 / 100, 2), 'counter_hz': hz}


def table(title, rows, note):
    """Print one figure table: title, a row per record, a note."""
    print('\n%s\n' % title)
    print('%-20s %-15s %4s %9s %9s %9s   %-18s %9s %7s' % (
        'figure', 'config', 'acc', 'median ns', 'p99 ns', 'ticks',
        'peer', 'peer ns', 'ratio'))
    for r in rows:
        print('%-20s %-15s %4s %9.1f %9.1f %9.2f   %-18s %9.1f %7.3f' % (
            r['bench'], r['config'], r['accel'], r['value'], r['p99'],
            r['cycles'], r['peer'], r['peer_value'], r['ratio'] or 0))
    print('\n(%s)' % note)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--x86', required=True)
    ap.add_argument('--arm', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--linux-initramfs')
    args = ap.parse_args()

    records = []
    rows = []
    krows = []
    srows = []
    urows = []
    sizes = (16, 64, 256, 1024, 4096)
    for name, arch, bootpath, gic, want in CONFIGS:
        # KVM configurations run where auto would choose KVM: on nested
        # hosts it is slower than TCG and boots time out (tools/qemu.py).
        accel, why = qemu.pick_accel('auto' if want == 'kvm' else want,
                                     arch, bootpath)
        if accel != want:
            print('qemu bench: %s skipped (%s)' % (name, why))
            continue

        def argv(cmdline, initrd=None):
            if arch == 'x86_64':
                return qemu.command(
                    arch, bootpath, accel,
                    kernel=os.path.join(args.x86, 'kernel.elf'),
                    cmdline=cmdline, initrd=initrd)
            return qemu.command(arch, accel=accel,
                                image=os.path.join(args.arm, 'Image'),
                                cmdline=cmdline, gic=gic, initrd=initrd)

        figs, err = figures(boot(argv(CMDLINE)), LINE,
                            ('due_to_top', 'top_to_handler',
                             'due_to_handler'))
        if err:
            print('qemu bench: %s interrupt latency failed: %s'
                  % (name, err))
            return 1
        n, hz, peer_med, _ = figs['due_to_top']
        for fig, bench in (('top_to_handler', 'irq.top_to_handler'),
                           ('due_to_handler', 'irq.arrival_to_handler')):
            _, _, med, p99 = figs[fig]
            rec = {'bench': bench, 'arch': arch, 'accel': accel,
                   'config': name, 'value': ns(med, hz), 'unit': 'ns',
                   'peer': 'irq_entry', 'peer_value': ns(peer_med, hz),
                   'ratio': round(med / peer_med, 3) if peer_med else None,
                   'p99': ns(p99, hz), 'n': n,
                   'cycles': med, 'p99_cycles': p99, 'counter_hz': hz}
            records.append(rec)
            rows.append(rec)
        kf, err = figures(boot(argv(KMALLOC_CMDLINE)), KLINE,
                          ['pair_%d' % sz for sz in sizes] +
                          ['page_alloc_free'])
        if err:
            print('qemu bench: %s kmalloc failed: %s' % (name, err))
            return 1
        for sz in sizes:
            krows.append(record('kmalloc.pair_%d' % sz, arch, accel, name,
                                kf['pair_%d' % sz], 'mm_page_alloc_free',
                                kf['page_alloc_free']))
        sf, err = figures(boot(argv(SCHED_CMDLINE)), SLINE,
                          ('yield_switch', 'thread_call', 'spawn_exit',
                           'inline_call'))
        if err:
            print('qemu bench: %s sched failed: %s' % (name, err))
            return 1
        for fig in ('yield_switch', 'thread_call', 'spawn_exit'):
            srows.append(record('sched.%s' % fig, arch, accel, name,
                                sf[fig], 'bus_call_inline',
                                sf['inline_call']))
        if accel == 'kvm':
            # SYSCALL from ring 3 faults under this machine's kvm_pvm
            print('qemu bench: %s user-mode figures skipped (SYSCALL under '
                  'kvm_pvm, docs/TESTING.md)' % name)
            continue
        kdir = args.x86 if arch == 'x86_64' else args.arm
        uf, err = figures(boot(argv(USER_CMDLINE, os.path.join(
            kdir, 'test', 'user', 'initrd.cpio'))), ULINE,
            ('null_syscall', 'write_check', 'user_call', 'bus_call',
             'spawn_exit'))
        if err:
            print('qemu bench: %s user failed: %s' % (name, err))
            return 1
        for fig, bench in (('null_syscall', 'syscall.null'),
                           ('write_check', 'syscall.refused_arg')):
            urows.append(record(bench, arch, accel, name, uf[fig],
                                'user_function_call', uf['user_call']))
        # the same work from a kernel thread, measured in this run
        urows.append(record('syscall.bus_call', arch, accel, name,
                            uf['bus_call'], 'sched.thread_call',
                            sf['thread_call']))
        urows.append(record('proc.spawn_exit', arch, accel, name,
                            uf['spawn_exit'], 'sched.spawn_exit',
                            sf['spawn_exit']))

    print('\ninterrupt latency in QEMU: median and p99 of %s timer '
          'interrupts at 1000 Hz (clock-read overhead subtracted)\n'
          % (rows[0]['n'] if rows else '-'))
    print('%-24s %-15s %4s %10s %10s %10s   %-10s %10s %7s' % (
        'figure', 'config', 'acc', 'median ns', 'p99 ns', 'ticks',
        'peer', 'peer ns', 'ratio'))
    for r in rows:
        print('%-24s %-15s %4s %10.1f %10.1f %10d   %-10s %10.1f %7.3f' % (
            r['bench'], r['config'], r['accel'], r['value'], r['p99'],
            r['cycles'], r['peer'], r['peer_value'], r['ratio'] or 0))
    print('\n(ticks: of the counter the kernel reads - TSC on x86_64, '
          'CNTVCT at its CNTFRQ on AArch64; peer irq_entry: the timer\'s '
          'deadline to the HAL\'s top half)')
    table('kmalloc in QEMU (release kernels): kmalloc+kfree pairs, '
          'batches of 100, median and p99 of 301 batches', krows,
          'peer mm_page_alloc_free: one page through the mm service\'s '
          'mm.page.alloc and mm.page.free requests')
    table('threads in QEMU (release kernels): median and p99 of 201 '
          'batches', srows,
          'yield_switch: one thread switch, two threads yielding to each '
          'other; thread_call: a bus request from a thread, blocked until '
          'the reply; spawn_exit: a thread spawned, run and reaped; peer '
          'bus_call_inline: the same request made inline by the '
          'dispatcher')
    table('system calls from user mode in QEMU (release kernels, '
          'test/user/bench.c): median and p99 of 201 batches', urows,
          'syscall.null: getpid, into the kernel through the gateway and '
          'back; syscall.refused_arg: write to a file number that is not '
          'there (-EBADF); peer user_function_call: a call that stays in '
          'user mode. syscall.bus_call: the call system call to '
          'example.ping, blocked until the reply, beside sched.thread_call, '
          'the same request from a kernel thread; proc.spawn_exit: spawn '
          'and wait for test/user/true.c, beside sched.spawn_exit, a kernel '
          'thread spawned, run and reaped')
    vrows = []
    if args.linux_initramfs:
        peer, why = linux_peer(args.linux_initramfs)
        if not peer:
            print('qemu bench: Linux peer skipped: %s' % why)
        else:
            lf, lboot = peer
            aboot, _ = timed_boot(qemu.command(
                'x86_64', 'pvh', 'tcg',
                kernel=os.path.join(args.x86, 'kernel.elf'),
                cmdline=''), 'aegis: up', stop=True)
            mine = {r['bench']: r for r in srows + urows
                    if r['config'] == 'x86_64-pvh'}
            for fig, lname, vname, what in (
                    ('syscall.null', 'null_syscall', 'null_syscall',
                     'getpid from user mode'),
                    ('sched.yield_switch', 'yield_switch', 'thread_switch',
                     'a thread switch, two threads yielding')):
                a = mine.get(fig)
                n, hz, med, p99 = lf[lname]
                if not a:
                    continue
                lns = med / 100 * 1e9 / hz
                vrows.append({
                    'bench': 'vs_linux.' + vname,
                    'arch': 'x86_64', 'accel': 'tcg',
                    'config': 'x86_64-pvh', 'value': a['value'],
                    'unit': 'ns', 'peer': 'linux.' + lname,
                    'peer_value': round(lns, 1),
                    'ratio': round(a['value'] / lns, 3) if lns else None,
                    'p99': a['p99'], 'n': a['n'],
                    'peer_p99': round(p99 / 100 * 1e9 / hz, 1),
                    'what': what})
            if aboot is not None:
                vrows.append({
                    'bench': 'vs_linux.boot_to_first_program',
                    'arch': 'x86_64', 'accel': 'tcg',
                    'config': 'x86_64-pvh',
                    'value': round(aboot * 1000, 1), 'unit': 'ms',
                    'peer': 'linux.boot_to_init',
                    'peer_value': round(lboot * 1000, 1),
                    'ratio': round(aboot / lboot, 3), 'n': 1,
                    'what': 'QEMU start to the kernel\'s "up" line '
                            '(Aegis) or to init\'s first line (Linux)'})
            print('\nAegis against Linux in the same QEMU (x86_64 '
                  'microvm, TCG, qemu64, 256 MiB)\n')
            print('%-34s %12s %12s %8s' % ('figure', 'Aegis', 'Linux',
                                           'ratio'))
            for r in vrows:
                print('%-34s %9.1f %-2s %9.1f %-2s %8.3f' % (
                    r['bench'], r['value'], r['unit'], r['peer_value'],
                    r['unit'], r['ratio'] or 0))
            print('\n(Linux: Debian\'s %s with test/bench/linux/lbench.c '
                  'as init; ratio = Aegis / Linux, below 1 is faster)'
                  % os.path.basename(sorted(glob.glob(
                      '/boot/vmlinuz-*'))[-1]))
    records += krows + srows + urows + vrows
    try:
        with open(args.results) as f:
            old = json.load(f)
    except (OSError, ValueError):
        old = []
    old = [r for r in old if r.get('arch') == 'host']
    with open(args.results, 'w') as f:
        json.dump(old + records, f, indent=1)
    print('results: %s (+%d records)' % (args.results, len(records)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
