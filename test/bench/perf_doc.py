#!/usr/bin/env python3
"""Write docs/PERFORMANCE_BENCHMARKS.md from one `scons bench` run.

  perf_doc.py RESULTS.json OUT.md

Every figure in the page comes from RESULTS.json (the records of the run
that just finished), every statement about a target is computed from
them, and the machine is described as found: nothing is copied from an
earlier run. The prose around the tables says how each figure is made.

A figure that did not run in this run is a record with a "status"
(failed or skipped) and a "reason" (test/bench/results.py): it keeps its
row in its table, saying so, so that no table loses its rows, and the
page lists every group that did not run under "What did not run".
"""
import datetime
import json
import os
import re
import subprocess
import sys

import results

CONFIG_NAMES = {
    'x86_64-pvh': 'x86_64 PVH',
    'x86_64-pvh-kvm': 'x86_64 PVH',
    'aarch64-gicv2': 'AArch64 GICv2',
    'aarch64-gicv3': 'AArch64 GICv3',
}

# The Linux comparison's arches, and their sections' titles
VS_ARCHES = [
    ('x86_64', 'x86_64 (microvm, TCG, `qemu64`, 256 MiB, two CPUs)'),
    ('aarch64', 'AArch64 (`virt`, GICv3, TCG, `cortex-a72`, 256 MiB, two '
     'CPUs)'),
]

# The seed plan's targets (DESIGN.md): figure, the limit in ns, what.
TARGETS = [
    ('sched.yield_switch', 1000, 'context switch under 1 µs'),
    ('kmalloc.pair_64', 100, 'allocation under 100 ns (a 64-byte '
     'kmalloc+kfree pair, in the kernel)'),
    ('syscall.null', 500, 'system call under 500 ns'),
]


def fmt_ns(v):
    if v >= 1e6:
        return '%.1f ms' % (v / 1e6)
    if v >= 1e4:
        return '%.1f µs' % (v / 1e3)
    return '%.1f ns' % v


def md(text):
    """Text from a run (a reason, a line QEMU printed) in a table cell."""
    return str(text).replace('|', '\\|').replace('\n', ' ')


def status(r):
    """The cell of a figure that did not run: 'failed: why'."""
    return '%s: %s' % (r['status'], md(r['reason']))


def where(r):
    if r.get('arch') == 'host':
        return 'host, native'
    name = CONFIG_NAMES.get(r.get('config', ''), r.get('config', '?'))
    acc = r.get('accel', '?').upper()
    if acc == 'KVM' and results.measured(r):
        acc = 'KVM (`kvm_pvm`)'
    return '%s, %s' % (name, acc)


def names(benches):
    return ', '.join('`%s`' % b for b in benches)


def table(rows, with_what=False):
    out = ['| figure | where | median | p99 | peer | ratio |',
           '|---|---|---|---|---|---|']
    for r in results.collapse(rows):
        if isinstance(r, list):
            # a boot or program that did not run: one row for its figures
            peers = {x.get('peer') for x in r}
            peer = peers.pop() if len(peers) == 1 else None
            what = r[0].get('what') if with_what and len(r) == 1 else None
            out.append('| %s%s | %s | %s | - | %s | - |' % (
                names(x['bench'] for x in r),
                ' (%s)' % what if what else '', where(r[0]), status(r[0]),
                '`%s`' % peer if peer else '-'))
            continue
        unit = r.get('unit', 'ns')
        if unit == 'ns':
            med, p99 = fmt_ns(r['value']), fmt_ns(r['p99']) \
                if r.get('p99') is not None else '-'
            pv = fmt_ns(r['peer_value']) \
                if r.get('peer_value') is not None else None
        else:
            med = '%s %s' % (r['value'], unit)
            p99 = '-'
            pv = '%s %s' % (r['peer_value'], unit) \
                if r.get('peer_value') is not None else None
        if pv is None:
            pv = 'not measured (%s)' % md(r.get('peer_reason', '?'))
        peer = '`%s` %s' % (r['peer'], pv)
        out.append('| `%s`%s | %s | %s | %s | %s | %s |' % (
            r['bench'], ' (%s)' % r['what'] if with_what and r.get('what')
            else '', where(r), med, p99, peer,
            '%.3f' % r['ratio'] if r.get('ratio') is not None else '-'))
    return '\n'.join(out)


def scaling(rec):
    """The bus's scaling table: each operation at its smallest size (the
    peer) and at the larger ones, from bus-scale's records."""
    rows = [r for r in rec if r['bench'].startswith('bus.scale.')]
    if not rows:
        return []
    fails = [r for r in rows if not results.measured(r)]
    rows = [r for r in rows if results.measured(r)]
    out = ['## How the bus scales (host)\n',
           'Each operation measured with a small and with a large number '
           'of services, topics, rules or queued messages in the bus '
           '(`test/bench/bus_scale.c`); the peer is the same operation at '
           'the smallest size, so a ratio near 1 is flat. The stop figure '
           'is per queued message: flat there means linear in the '
           'service\'s queue.\n',
           '| operation | size | median | at the smallest size | ratio |',
           '|---|---|---|---|---|']
    for r in fails:
        out.append('| %s | - | %s | - | - |' % (names([r['bench']]),
                                                 status(r)))
    for r in rows:
        small = r['peer'].rsplit('.', 1)[-1]
        out.append('| %s | %s | %s | %s (%s) | %.2f |' % (
            r.get('what', r['bench']), r.get('size', '?'),
            fmt_ns(r['value']), fmt_ns(r['peer_value']), small,
            r['ratio']))
    out.append('')
    return ['\n'.join(out)]


def pick(records, prefix, arch=None):
    return [r for r in records if r['bench'].startswith(prefix) and
            (arch is None or (r.get('arch') == 'host') == (arch == 'host'))]


def vs_notes(rows):
    """What one arch's Linux comparison ran: Debian's kernel, the command
    line of each Linux boot, and the system calls lbench made that Aegis
    answered -ENOSYS (it went on without them)."""
    kernels = sorted({r['linux_kernel'] for r in rows
                      if r.get('linux_kernel')})
    lines = ' and '.join('`%s`' % k for k in kernels)
    cmd = []
    for r in rows:
        c = r.get('linux_cmdline')
        if c is not None and c not in cmd:
            cmd.append(c)
    out = []
    if lines:
        out.append('Linux: Debian\'s %s, booted %s.' % (lines, ' and '.join(
            'with `%s`' % c if c else 'as shipped' for c in cmd)))
    lacked = []
    for r in rows:
        for x in r.get('aegis_enosys') or []:
            if x not in lacked:
                lacked.append(x)
    if lacked:
        out.append('Under Aegis, lbench called system calls that Aegis '
                   'answered with -ENOSYS, and went on without them: %s '
                   '(the arch\'s Linux numbers).' % ', '.join(lacked))
    return ' '.join(out) + '\n' if out else ''


def machine():
    cpu = '?'
    try:
        with open('/proc/cpuinfo') as f:
            m = re.search(r'^model name\s*:\s*(.*)$', f.read(), re.M)
            cpu = m.group(1).strip() if m else cpu
    except OSError:
        pass
    try:
        qv = subprocess.run(['qemu-system-x86_64', '--version'],
                            stdout=subprocess.PIPE, text=True
                            ).stdout.splitlines()[0]
    except (OSError, IndexError):
        qv = '?'
    try:
        rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True).stdout.strip() or '?'
    except OSError:
        rev = '?'
    kvm = os.path.exists('/dev/kvm')
    return cpu, os.cpu_count(), qv, rev, kvm


def targets(records):
    out = ['| target | where | median | met? |', '|---|---|---|---|']
    for bench, limit, what in TARGETS:
        rows = [r for r in records if r['bench'] == bench and
                r.get('arch') != 'host']
        if not rows:
            out.append('| %s | - | not measured | - |' % what)
        for r in rows:
            if not results.measured(r):
                out.append('| %s | %s | %s | - |' % (what, where(r),
                                                     status(r)))
                continue
            ok = r['value'] < limit
            out.append('| %s | %s | %s | %s |' % (
                what, where(r), fmt_ns(r['value']),
                'yes' if ok else '**no**'))
    return '\n'.join(out)


def not_run(rec):
    """The section listing what did not run: per configuration (or the
    host), status and reason, the groups (boots or programs) it hit."""
    seen = {}
    for r in rec:
        if not results.measured(r):
            key = (r.get('config') or r.get('arch', '?'), r['status'],
                   r['reason'])
            gs = seen.setdefault(key, [])
            if r.get('group') not in gs:
                gs.append(r.get('group'))
    if not seen:
        return []
    out = ['## What did not run\n',
           'Each left its figures in results.json with its status and '
           'reason, and a row saying so in its table below.\n']
    for (where_, st, why), gs in seen.items():
        out.append('- %s (%s): %s: %s' % (where_, ', '.join(map(str, gs)),
                                          st, why))
    return ['\n'.join(out) + '\n']


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        rec = json.load(f)
    cpu, cores, qv, rev, kvm = machine()
    accels = sorted({r.get('accel') for r in rec if r.get('arch') != 'host'
                     and results.measured(r)})
    kvm_why = [r['reason'] for r in rec if r.get('accel') == 'kvm' and
               r.get('status') == results.SKIPPED]
    vs = pick(rec, 'vs_linux.')
    o = []
    o.append('# Performance benchmarks\n')
    o.append('<!-- Written by `scons bench` (test/bench/perf_doc.py) from '
             'build/bench/results.json: every figure below is from that '
             'one run. Do not edit; run the benchmarks again. -->\n')
    o.append('    scons bench\n')
    o.append('runs every benchmark of the project in one go and writes this '
             'page and `build/bench/results.json` (one record per figure '
             'and peer: `bench`, `arch`, `accel`, `value`, `unit`, `peer`, '
             '`peer_value`, `ratio`, `p99`, `n`, as DESIGN.md gives). '
             'Performance is measured here, never by timed tests.\n')
    o.append('Every benchmark runs even when another fails: a QEMU boot '
             'that cannot start, times out or does not print its figures, '
             'or a host program that fails, leaves a record for each '
             'figure it should have made, with `"value": null`, '
             '`"status": "failed"` (or `"skipped"`, for what is not run '
             'here on purpose) and a `"reason"`; such figures keep their '
             'rows in the tables below, saying so. A figure whose peer '
             'did not run keeps its value, with `"peer_value": null` and '
             'a `"peer_reason"`. `scons bench` writes the results and '
             'this page from what ran, then exits non-zero if anything '
             'failed (test/bench/run_bench.py; the format in '
             'test/bench/results.py).\n')
    o.append('## This run\n')
    o.append('| | |\n|---|---|')
    o.append('| date | %s |' % datetime.date.today().isoformat())
    o.append('| commit | %s |' % rev)
    o.append('| host CPU | %s, %d CPUs (a virtual machine, shared: '
             'absolute figures move from run to run, ratios to a peer '
             'measured in the same run much less) |' % (cpu, cores or 0))
    o.append('| QEMU | %s |' % qv)
    o.append('| accelerators | %s%s |\n' % (
        ', '.join(a.upper() for a in accels if a),
        '' if 'kvm' in accels else ' (KVM: %s)' % (
            'skipped: ' + kvm_why[0] if kvm_why else
            'not usable here' if not kvm else 'skipped')))
    o.extend(not_run(rec))
    o.append('## Method\n')
    o.append('- **Medians and 99th percentiles** of many batches: each '
             'batch times many operations with the cycle counter (TSC on '
             'x86_64, CNTVCT at its CNTFRQ on AArch64), converted to ns '
             'with the kernel\'s calibration.')
    o.append('- **A named peer beside every figure**, measured in the same '
             'run, and the ratio figure / peer: the machines are shared '
             'and noisy, the ratio much less so.')
    o.append('- **Host benchmarks** (`test/bench/`, `-O2`, no sanitizers) '
             'build the same `bus/` and allocator sources as the kernel.')
    o.append('- **QEMU benchmarks** boot the release kernels (`-O2`, no '
             'kmalloc debug checks) with `ktest=bench.*` or the user '
             'program `test/user/bench.c` (`test/bench/qemu_bench.py`): '
             'x86_64 PVH (microvm) under TCG and, where it works, KVM; '
             'AArch64 `virt` with GICv2 and GICv3 under TCG.')
    o.append('- **Linux in the same QEMU configuration**, on both arches '
             '(TCG, 256 MiB, two CPUs; x86_64 microvm with `qemu64`, and '
             'AArch64 `virt` with GICv3 and `cortex-a72`): Debian\'s kernel '
             '(`linux-image-amd64`, and the `linux-image-<abi>-arm64` that '
             'tools/setup.sh unpacks) boots a static benchmark '
             '(`test/bench/linux/lbench.c`, built with `gcc -static` and '
             '`aarch64-linux-gnu-gcc -static` against Debian\'s glibc) as '
             'its first program from an initramfs, measuring the same '
             'operations with `CLOCK_MONOTONIC`; twice, as shipped and with '
             '`mitigations=off` (its speculation mitigations off: the peer '
             'at its best), both reported. On AArch64 the second boot adds '
             '`kpti=0`: Linux keeps its kernel page table isolation on for '
             'KASLR whatever `mitigations=off` says, and under TCG each '
             'system call then flushes QEMU\'s TLB twice. The same lbench '
             'binaries run unmodified under Aegis\'s Linux personality '
             '(docs/LINUX_ABI.md).\n')
    o.append('## Aegis against Linux in the same QEMU\n')
    if vs:
        o.append('The ratio is Aegis / Linux: below 1, Aegis is faster. '
                 'The thread switch is two threads of one address space '
                 'yielding to each other on both sides (Aegis: kernel '
                 'threads; Linux: two threads of one process). The round '
                 'trips are two services bouncing an event (Aegis) and two '
                 'threads passing a byte through two pipes (Linux), both '
                 'on CPU 0 or on CPUs 0 and 1, where each wake-up is an '
                 'IPI to a sleeping CPU. Boot is QEMU\'s start to the '
                 'kernel\'s "up" line (Aegis) or to the first line of its '
                 'first program (Linux), both with two CPUs; boot to the '
                 'shell is QEMU\'s start to busybox sh\'s banner, Aegis '
                 'with init=busybox and Linux with busybox sh as its first '
                 'program. The rows '
                 'whose figure names lbench are the same static lbench '
                 'under both kernels.\n')
        for arch, title in VS_ARCHES:
            rows = [r for r in vs if r.get('arch') == arch]
            o.append('### %s\n' % title)
            if not rows:
                o.append('Not in this run\'s results.\n')
                continue
            o.append(table(rows, with_what=True) + '\n')
            o.append(vs_notes(rows))
    else:
        o.append('Not in this run\'s results (qemu_bench.py ran without '
                 '`--linux-initramfs`, or stopped before it).\n')
    o.append('## The seed targets\n')
    o.append(targets(rec) + '\n')
    o.append('Under TCG every figure includes QEMU\'s emulation; under '
             'this machine\'s KVM (`kvm_pvm`, a nested hypervisor) the '
             'figures are far slower than TCG and say nothing about the '
             'kernel (docs/HAL.md).\n')
    groups = [
        ('bus.', 'host', 'The bus (host)',
         'One message published, sent or called and dispatched to its '
         'handler, with trace recording on and the routing engine present '
         '(`test/bench/bus_bench.c`); a 16-byte payload, 40 bytes (a '
         'whole 64-byte message) for `_40`. Peers: a direct call through '
         'a function pointer (the floor), and ZeroMQ inproc PAIR sockets '
         'with a 64-byte message (`zmq_inproc_pair`, which ZeroMQ '
         'allocates) and a 16-byte one (`zmq_inproc_pair_16`, kept inside '
         'its message). Issue 14\'s speed goals against these figures: '
         'docs/PERFORMANCE_NOTES.md.'),
        ('kmalloc.', 'host', 'Memory (host)',
         'kmalloc+kfree pairs beside glibc, jemalloc and mimalloc '
         '(`test/bench/mm_bench.c`); docs/MEMORY_MANAGER.md.'),
        ('mm.', 'host', 'Pages (host)',
         'A page allocated and freed through the mm service\'s requests, '
         'beside the buddy allocator called directly.'),
        ('irq.', None, 'Interrupt latency',
         'Timer interrupts at 1000 Hz: the top half to the bus handler, '
         'and the timer\'s deadline to the handler, beside the deadline '
         'to the top half (`irq_entry`); docs/HAL.md.'),
        ('kmalloc.pair', 'kernel', 'kmalloc in the kernel',
         'kmalloc+kfree pairs in the release kernel, beside one page '
         'through the mm service\'s requests.'),
        ('sched.', None, 'Threads',
         'One thread switch (two threads yielding), a bus request from a '
         'thread blocked until its reply, and a thread spawned, run and '
         'reaped, beside the same request made inline by the dispatcher; '
         'docs/SCHEDULER.md.'),
        ('syscall.', None, 'System calls from user mode',
         '`getpid` through the gateway, a refused argument, and the call '
         'system call to `example.ping`, from `test/user/bench.c`; '
         'beside a function call that stays in user mode, or the same '
         'request from a kernel thread. TCG only (see the KVM note '
         'above).'),
        ('proc.', None, 'Processes',
         'A process spawned from user mode and waited for (`spawn` and '
         '`wait` of `test/user/true.c`), beside a kernel thread spawned, '
         'run and reaped; docs/PROCESSES.md.'),
        ('smp.', None, 'Many CPUs',
         'With QEMU `-smp 4` under TCG, one host thread per CPU on this '
         '2-core host (so the 4-CPU figure shows correctness, not speed; '
         '`test/kernel/bench_smp.c`, docs/SMP.md). An inter-processor '
         'interrupt\'s round trip (`ipi_round_trip`: CPU 0 interrupts CPU '
         '1, whose handler interrupts CPU 0 back) beside a thread switch '
         'on one CPU (`sched.yield_switch`); an event bounced between two '
         'services on CPUs 0 and 1 (`bus_pingpong_cross`) beside the same '
         'on CPU 0 (`bus_pingpong_same`); and the bus\'s throughput, '
         '`bus_throughput_2cpu` and `_4cpu`: a pair of services per CPU '
         'bouncing an event, time per message handled on all CPUs '
         'together, beside one pair on one CPU (a ratio of 0.5 would be '
         'twice the messages); `bus_throughput_work_*` the same with '
         'handlers that hash 1 KiB each, work that runs in parallel.'),
    ]
    for prefix, arch, title, text in groups:
        if prefix == 'bus.':
            rows = [r for r in rec if r['bench'].startswith(prefix) and
                    not r['bench'].startswith('bus.scale.') and
                    r.get('arch') == 'host']
        elif arch == 'kernel':
            rows = [r for r in rec if r['bench'].startswith(prefix) and
                    r.get('arch') != 'host']
        elif arch == 'host':
            rows = [r for r in rec if r['bench'].startswith(prefix) and
                    r.get('arch') == 'host']
        else:
            rows = [r for r in rec if r['bench'].startswith(prefix) and
                    r.get('arch') != 'host']
        if not rows:
            continue
        o.append('## %s\n' % title)
        o.append(text + '\n')
        o.append(table(rows) + '\n')
        if prefix == 'bus.':
            o.extend(scaling(rec))
    o.append('## More\n')
    o.append('The analyses behind these figures (where the time goes, what '
             'was done for speed, and against which issue\'s goals) are in '
             '[PERFORMANCE_NOTES.md](PERFORMANCE_NOTES.md), each with the '
             'run it was written from.\n')
    with open(argv[1], 'w') as f:
        f.write('\n'.join(o))
    print('perf_doc: %s (%d records, %d of them not run)' % (
        argv[1], len(rec), sum(1 for r in rec if not results.measured(r))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
