#!/usr/bin/env python3
"""Interrupt latency in QEMU: boot each configuration with
`ktest=bench.irq_latency timer_hz=1000` (test/kernel/bench_irq.c), read
its `bench: irq ...` lines, print a table and append the records to
build/bench/results.json (written first by the host bus benchmark).

Usage: irq_qemu.py --x86 X86_DIR --arm ARM_DIR --results FILE

Figures, all medians and 99th percentiles of 2000 timer interrupts that
arrived alone, in ns (the counter's ticks beside them):
  irq.top_to_handler     the HAL's top half to the subscriber's handler:
                         the bus's share of the latency
  irq.arrival_to_handler the timer's deadline to the subscriber's handler
Both are printed beside the peer irq_entry: the deadline to the top half
(the hardware's delivery and the entry code), which every kernel pays
before its first instruction runs; ratio = figure / peer.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tools'))

import qemu  # noqa: E402

CMDLINE = 'ktest=bench.irq_latency timer_hz=1000'
LINE = re.compile(r'^bench: irq (\w+) n=(\d+) hz=(\d+) median=(\d+) '
                  r'p99=(\d+) cycles')

# name, arch, boot, gic, accel
CONFIGS = [
    ('x86_64-pvh', 'x86_64', 'pvh', None, 'tcg'),
    ('x86_64-pvh-kvm', 'x86_64', 'pvh', None, 'kvm'),
    ('aarch64-gicv2', 'aarch64', None, 2, 'tcg'),
    ('aarch64-gicv3', 'aarch64', None, 3, 'tcg'),
]


def run(argv):
    """Boot once; return {figure: (n, hz, median, p99)} or an error."""
    try:
        out = subprocess.run(argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=120).stdout.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        return None, 'timed out'
    figs = {}
    for ln in out.replace('\r', '').splitlines():
        m = LINE.match(ln)
        if m:
            figs[m.group(1)] = tuple(int(x) for x in m.group(2, 3, 4, 5))
    if not {'due_to_top', 'top_to_handler', 'due_to_handler'} <= set(figs):
        tail = [ln for ln in out.splitlines() if 'ktest' in ln][-2:]
        return None, 'no figures (%s)' % ' / '.join(tail)
    return figs, None


def ns(cycles, hz):
    return round(cycles * 1e9 / hz, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--x86', required=True)
    ap.add_argument('--arm', required=True)
    ap.add_argument('--results', required=True)
    args = ap.parse_args()

    records = []
    rows = []
    for name, arch, bootpath, gic, want in CONFIGS:
        accel, why = qemu.pick_accel(want, arch, bootpath)
        if accel != want:
            print('irq latency: %s skipped (%s)' % (name, why))
            continue
        if arch == 'x86_64':
            argv = qemu.command(arch, bootpath, accel,
                                kernel=os.path.join(args.x86, 'kernel.elf'),
                                cmdline=CMDLINE)
        else:
            argv = qemu.command(arch, accel=accel,
                                image=os.path.join(args.arm, 'Image'),
                                cmdline=CMDLINE, gic=gic)
        figs, err = run(argv)
        if err:
            print('irq latency: %s failed: %s' % (name, err))
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
    try:
        with open(args.results) as f:
            old = json.load(f)
    except (OSError, ValueError):
        old = []
    old = [r for r in old if not r.get('bench', '').startswith('irq.')]
    with open(args.results, 'w') as f:
        json.dump(old + records, f, indent=1)
    print('results: %s (+%d records)' % (args.results, len(records)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
