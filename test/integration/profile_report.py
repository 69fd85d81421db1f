#!/usr/bin/env python3
"""Profile a boot and report on it, end to end (suite profile-report).

For x86_64 (PVH) and AArch64 (GICv3), under TCG: boot with two processes
playing ping-pong over the bus, profile them from the shell (prof start,
prof stop, prof dump), then run tools/analyzer on the serial log with the
kernel's ELF. Each passes when the analyzer:
  - finds a complete dump;
  - names the hottest sampled addresses after real kernel functions
    (symbols of that ELF, not "?");
  - lists the services, with sched among them;
  - writes the HTML page (with its plots) and Chrome trace JSON that
    parses and holds the dispatches, and flow arrows from each message's
    parent to it;
  - rebuilds causal trees from the trace: the ping-pong is one chain of
    messages (each process's message descends from the one it received,
    its first from the proc.spawn that made it),
    the report shows it with its critical path, and --tree ID prints the
    tree of a message named by its id.
A third run boots an x86_64 kernel built with instrument=bus: its report
must list the bus's own functions among the traced calls.

  profile_report.py --build BUILD --x86 KDIR --arm KDIR --analyzer PROG
                    --results FILE
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                'tools'))

import qemu  # noqa: E402
from run import boot  # noqa: E402

TYPING = [(r'^aegis: up in', b'prof start\r'),
          (r'^init: ping \(pid 2\) exited with 0$', b'prof stop\r'),
          (r'^profiler: stopped after', b'prof dump\r'),
          (r'^profiler: dump done$', b'poweroff\r')]
CMDLINE = 'run=pong,ping timer_hz=1000'
# The traced kernel runs the ping-pong about 2.5 times slower, and at
# 1000 Hz its timer's events (one a tick, on the same CPU's trace ring
# of TRACE_RING_SIZE records) pushed the processes' spawn out of the
# ring under load: fewer ticks there keep the whole tree in it.
CMDLINE_TRACED = 'run=pong,ping timer_hz=250'


def one(name, argv, elf, analyzer, outdir, traced=False):
    log = os.path.join(outdir, name + '.log')
    html = os.path.join(outdir, name + '.html')
    chrome = os.path.join(outdir, name + '.trace.json')
    history = os.path.join(outdir, name + '.history.jsonl')
    status, _, total, text = boot(argv, log, 120, TYPING)
    problems = []
    if 'profiler: dump done' not in text:
        return ['no dump on the console (see %s)' % log]
    p = subprocess.run([analyzer, log, '--elf', elf, '--html', html,
                        '--chrome', chrome, '--history', history],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    report = p.stdout.decode('utf-8', 'replace')
    with open(os.path.join(outdir, name + '.report.txt'), 'w') as f:
        f.write(report)
    if p.returncode:
        return ['analyzer failed (%d): %s' % (p.returncode, report[-500:])]
    hot = re.search(r'hot spots \(functions by samples\)\n((?: +\d+ .*\n)+)',
                    report)
    names = re.findall(r'^ +\d+ +[\d.]+% +(\S+)$', hot.group(1), re.M) \
        if hot else []
    if not [n for n in names if re.match(r'^[A-Za-z_]\w*$', n)]:
        problems.append('no hot spot named after a kernel function: %r'
                        % names)
    if not re.search(r'^sched +\d+ ', report, re.M):
        problems.append('sched is not among the services')
    calls = re.findall(r'^(bus_run|dispatch_one|deliver|run_handler|post|'
                       r'bus_publish|bus_send|enqueue) +\d+ +\d+$', report,
                       re.M)
    if traced and not calls:
        problems.append('no traced bus function in the report')
    with open(html) as f:
        page = f.read()
    if '<svg' not in page or '</html>' not in page:
        problems.append('the HTML page has no plots')
    with open(chrome) as f:
        events = json.load(f)['traceEvents']
    if not events or 'dur' not in events[0]:
        problems.append('the Chrome trace holds no dispatches')
    flows = [e for e in events if e.get('cat') == 'lineage']
    if not [e for e in flows if e['ph'] == 's'] or \
            len([e for e in flows if e['ph'] == 'f']) != \
            len([e for e in flows if e['ph'] == 's']):
        problems.append('the Chrome trace has no lineage flows')
    trees = re.findall(r'^causal tree (\d+): (\d+) messages, ([\d.]+) us',
                       report, re.M)
    if not trees or int(trees[0][1]) < 4:
        problems.append('no causal tree of 4 or more messages in the '
                        'report: %r' % trees)
    elif '<- the most' not in report:
        problems.append('the critical path names no costliest hop')
    elif 'request proc.spawn ' not in report.split('causal tree ')[1]:
        # the processes' first messages descend from their proc.spawn
        problems.append('the longest tree does not begin at the spawn of '
                        'the processes that play it')
    else:
        # a ping from user space, found by its id in the Chrome trace;
        # its tree printed alone must be the one that spawned it
        pings = [e['args']['id'] for e in events
                 if e.get('ph') == 'X' and e.get('name') == 'user.ping'
                 and e['args'].get('parent')]
        if not pings:
            problems.append('no ping caused by another message in the trace')
        else:
            t = subprocess.run([analyzer, log, '--tree', str(pings[-1])],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            out = t.stdout.decode('utf-8', 'replace')
            if t.returncode or not out.startswith('causal tree ') or \
                    'critical path' not in out or \
                    'request proc.spawn ' not in out or \
                    ' %d event user.ping ' % pings[-1] not in out:
                problems.append('--tree %d failed (%d): %s' % (
                    pings[-1], t.returncode, out[:300]))
    # a careless --tree: not a number (usage, 2), an id not in the trace
    # (1), each with its reason
    for arg, code, says in (('12x', 2, 'not a message id'),
                            ('0', 2, 'not a message id'),
                            ('4294967295', 1, 'is not in the trace')):
        t = subprocess.run([analyzer, log, '--tree', arg],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if t.returncode != code or says not in t.stdout.decode():
            problems.append('--tree %s: exit %d, %r' % (
                arg, t.returncode, t.stdout.decode()[:200]))
    print('%s %s: %d hot functions (%s), %d trace events, %d flows, '
          'longest causal tree %s%s, %.1f s' % (
        'PASS' if not problems else 'FAIL', name, len(names),
        ', '.join(names[:3]), len(events), len(flows) // 2,
        '%s messages, %s us' % trees[0][1:] if trees else 'none',
        ', traced: ' + ', '.join(calls[:3]) if traced else '', total))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    ap.add_argument('--x86', required=True)
    ap.add_argument('--arm', required=True)
    ap.add_argument('--x86-ftrace')
    ap.add_argument('--analyzer', required=True)
    ap.add_argument('--results', required=True)
    a = ap.parse_args()
    outdir = os.path.join(a.build, 'test', 'profile')
    os.makedirs(outdir, exist_ok=True)
    runs = [
        ('x86_64-pvh', qemu.command(
            'x86_64', 'pvh', 'tcg', kernel=os.path.join(a.x86, 'kernel.elf'),
            cmdline=CMDLINE,
            initrd=os.path.join(a.x86, 'test', 'user', 'initrd.cpio')),
         os.path.join(a.x86, 'kernel.elf')),
        ('aarch64-gicv3', qemu.command(
            'aarch64', accel='tcg', image=os.path.join(a.arm, 'Image'),
            cmdline=CMDLINE, gic=3,
            initrd=os.path.join(a.arm, 'test', 'user', 'initrd.cpio')),
         os.path.join(a.arm, 'kernel.elf')),
    ]
    if a.x86_ftrace:
        runs.append(('x86_64-pvh-traced', qemu.command(
            'x86_64', 'pvh', 'tcg',
            kernel=os.path.join(a.x86_ftrace, 'kernel.elf'),
            cmdline=CMDLINE_TRACED,
            initrd=os.path.join(a.x86, 'test', 'user', 'initrd.cpio')),
            os.path.join(a.x86_ftrace, 'kernel.elf')))
    passed = failed = 0
    for name, argv, elf in runs:
        problems = one(name, argv, elf, a.analyzer, outdir,
                       traced=name.endswith('-traced'))
        for pr in problems:
            print('FAIL %s: %s' % (name, pr))
        if problems:
            failed += 1
        else:
            passed += 1
    with open(a.results, 'w') as f:
        json.dump({'suite': 'profile-report', 'passed': passed,
                   'failed': failed, 'skipped': 0}, f)
    print('profile-report: %d passed, %d failed' % (passed, failed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
