#!/usr/bin/env python3
"""Boot every configuration in QEMU and check what it says.

Usage: run.py --build BUILD --x86 X86_DIR --arm ARM_DIR --results FILE
              [--only SUBSTR] [--accel auto|tcg|kvm]

For each configuration x case (cases.py): start QEMU with no terminal,
capture serial to BUILD/test/integration/<config>-<case>.log, stop at the
kernel's exit or a timeout, then check the expected lines, the lines that
must not appear, and the exit status. Boot-to-banner time is measured from
QEMU's start to the banner line on serial. Writes a JSON summary to
--results and prints one line per test.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tools'))
sys.path.insert(0, HERE)

import qemu  # noqa: E402
from cases import (CASES, CONFIGS, MODULE, BANNER, entry_of,  # noqa: E402
                   firmware_of, intc_of, caps_of, irq_of, module_name_of)

TIMEOUT = {'uefi': 120, 'iso': 60}
DEFAULT_TIMEOUT = 30
KVM_TIMEOUT = 300


def screen(line):
    """A serial line as the terminal showed it: what came after its last
    carriage return (the console erases its prompt with CR, spaces, CR
    before other output, docs/DEVICE_NODE_GUIDE.md)."""
    return line.rstrip('\r\n').split('\r')[-1]


def due(entry, seen):
    """Whether a typing entry's bytes are due: its one pattern matches the
    newest line, or (a tuple) each pattern matches a line seen so far."""
    pats, _, _, every = entry
    if not every:
        return bool(pats[0].search(seen[-1]))
    return all(any(p.search(ln) for ln in seen) for p in pats)


def boot(argv, log_path, timeout, typing=()):
    """Run QEMU; return (exit status or None on timeout, banner seconds or
    None, total seconds, output text). typing: (pattern, bytes) pairs, in
    order: when a serial line matches the next pattern, its bytes are
    typed on the serial input (QEMU's stdin); a third element is seconds
    to wait first (for something the guest does in its own time). The
    bytes may be a list of (bytes, seconds to wait after) pieces. A
    pattern may be a tuple of patterns: the bytes are typed once a line
    matching each has come, in any order, since the boot (a line the
    guest prints in its own time, which may come before or after)."""
    banner_re = re.compile(BANNER)
    start = time.monotonic()
    banner_at = [None]
    chunks = []
    pending = [([re.compile(p) for p in
                 (t[0] if isinstance(t[0], tuple) else (t[0],))],
                t[1], t[2] if len(t) > 2 else 0, isinstance(t[0], tuple))
               for t in typing]
    seen = []		# screened lines, for tuples of patterns
    proc = subprocess.Popen(argv,
                            stdin=subprocess.PIPE if pending
                            else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def reader():
        for raw in proc.stdout:
            line = raw.decode('utf-8', 'replace')
            chunks.append(line)
            if banner_at[0] is None and banner_re.search(screen(line)):
                banner_at[0] = time.monotonic() - start
            seen.append(screen(line))
            if pending and due(pending[0], seen):
                _, keys, wait, _ = pending.pop(0)
                if wait:
                    time.sleep(wait)
                # keys: bytes, or a list of (bytes, seconds after)
                for piece, after in (keys if isinstance(keys, list)
                                     else [(keys, 0)]):
                    try:
                        proc.stdin.write(piece)
                        proc.stdin.flush()
                    except OSError:
                        pass
                    if after:
                        time.sleep(after)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        status = None
    t.join(5)
    total = time.monotonic() - start
    text = ''.join(chunks)
    with open(log_path, 'w') as f:
        f.write('# ' + ' '.join(argv) + '\n')
        f.write(text)
    return status, banner_at[0], total, text


def module_for(case, kdir, fixture):
    """The boot module of a case: the fixture, the user programs' initrd
    (test/user/, built next to the kernel), or none."""
    if case['module'] == 'user':
        return os.path.join(kdir, 'test', 'user', 'initrd.cpio')
    return fixture if case['module'] else None


def check(case, config, text, status, fixture, accel='tcg'):
    """Return a list of problems (empty: pass)."""
    problems = []
    skip = case.get('kvm_skip_expect', ()) if accel == 'kvm' else ()
    lines = [ln.rstrip('\r\n').replace('\r', '')
             for ln in text.splitlines()]
    fmt = {'firmware': re.escape(firmware_of(config)),
           'entry': re.escape(entry_of(config)) + '$',
           'intc': intc_of(config),
           'caps': caps_of(config),
           'irq': irq_of(config),
           'module_name': re.escape(module_name_of(config)),
           'module_size': os.path.getsize(fixture)}
    for pat in case['expect']:
        if pat in skip:
            continue
        rx = re.compile(pat.format(**fmt) if '{' in pat else pat)
        if not any(rx.search(ln) for ln in lines):
            problems.append('missing line /%s/' % rx.pattern)
    for pat, n in case.get('expect_count', ()):
        rx = re.compile(pat)
        got = sum(1 for ln in lines if rx.search(ln))
        if got != n:
            problems.append('/%s/ on %d lines, expected %d'
                            % (pat, got, n))
    for pat in case['reject']:
        rx = re.compile(pat)
        bad = [ln for ln in lines if rx.search(ln)]
        if bad:
            problems.append('unexpected line %r' % bad[0])
    if status is None:
        problems.append('timed out')
    else:
        verdict = qemu.decode_exit(config[1], status)
        if verdict != case['verdict']:
            problems.append('exit status %d means %s, expected %s'
                            % (status, verdict, case['verdict']))
        if 'outcome' in case:
            rc, why = qemu.run_outcome(config[1], status)
            want_rc, want_why = case['outcome']
            if rc != want_rc or want_why not in why:
                problems.append('scons run would say "%s" and exit %d, '
                                'expected "%s" and %d'
                                % (why, rc, want_why, want_rc))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', required=True,
                    help='build directory (logs go to BUILD/test/integration)')
    ap.add_argument('--results', required=True,
                    help='JSON summary to write')
    ap.add_argument('--x86', required=True, help='x86_64 kernel build dir')
    ap.add_argument('--arm', required=True, help='aarch64 kernel build dir')
    ap.add_argument('--only', default='',
                    help='run only tests whose config/case contains this '
                    '(or any of these, comma-separated)')
    ap.add_argument('--logs', default='integration',
                    help='the folder of build/test/ for the serial logs')
    ap.add_argument('--smp', type=int, default=1,
                    help='CPUs for the cases that do not choose their own')
    ap.add_argument('--accel', default='auto',
                    help='auto: as configured (KVM ones where usable); '
                    'tcg or kvm: force every configuration')
    args = ap.parse_args()

    logdir = os.path.join(args.build, 'test', args.logs)
    only = [o for o in args.only.split(',') if o]
    os.makedirs(logdir, exist_ok=True)
    fixture = os.path.join(HERE, 'fixtures', MODULE)
    results = []
    skipped = 0
    for config in CONFIGS:
        name, arch, bootpath, gic, el2, want = config
        for case in CASES:
            tname = '%s/%s' % (name, case['name'])
            if only and not any(o in tname for o in only):
                continue
            if case.get('arch', arch) != arch:
                continue
            if name not in case.get('configs', (name,)):
                continue
            # --accel tcg|kvm forces every configuration; auto runs each
            # as configured, a KVM one only where auto would choose KVM
            # (tools/qemu.py: not on a nested host, where it is slower
            # than TCG and boots time out).
            if args.accel != 'auto':
                want_now = args.accel
            else:
                want_now = 'auto' if want == 'kvm' else want
            accel, why = qemu.pick_accel(want_now, arch, bootpath)
            if args.accel == 'auto' and want == 'kvm' and accel != 'kvm':
                print('SKIP %-36s kvm  (%s)' % (tname, why), flush=True)
                skipped += 1
                continue
            if accel == 'kvm' and case.get('kvm_skip'):
                print('SKIP %-36s kvm  (%s)' % (tname, case['kvm_skip']),
                      flush=True)
                skipped += 1
                continue
            cmdline = case['cmdline']
            if accel == 'kvm' and 'kvm_cmdline' in case:
                # what this machine's KVM cannot run (docs/TESTING.md)
                cmdline = case['kvm_cmdline']
            if arch == 'x86_64':
                argv = qemu.command(
                    arch, bootpath, accel,
                    kernel=os.path.join(args.x86, 'kernel.elf'),
                    iso=os.path.join(args.x86, 'test',
                                     case['name'] + '.iso'),
                    cmdline=cmdline,
                    initrd=module_for(case, args.x86, fixture),
                    interactive=case.get('interactive', False),
                    smp=case.get('smp', args.smp))
            else:
                argv = qemu.command(
                    arch, accel=accel,
                    image=os.path.join(args.arm, 'kernel.elf'
                                       if case.get('kernel') == 'elf'
                                       else 'Image'),
                    cmdline=cmdline, gic=gic, el2=el2,
                    initrd=module_for(case, args.arm, fixture),
                    interactive=case.get('interactive', False),
                    smp=case.get('smp', args.smp))
            if case.get('serial') == 'none':
                argv[argv.index('-serial') + 1] = 'none'
            log = os.path.join(logdir, '%s-%s.log' % (name, case['name']))
            timeout = TIMEOUT.get(bootpath, DEFAULT_TIMEOUT)
            if accel == 'kvm':
                # This project's machines run KVM through kvm_pvm, under
                # which this guest runs far slower than under TCG
                # (docs/HAL.md): the memory tests take over a minute.
                timeout = KVM_TIMEOUT
            status, banner, total, text = boot(argv, log, timeout,
                                               case.get('type', ()))
            problems = check(case, config, text, status, fixture,
                             accel)
            results.append({
                'test': tname, 'config': name, 'case': case['name'],
                'accel': accel, 'passed': not problems,
                'problems': problems, 'status': status,
                'banner_s': banner, 'total_s': round(total, 3),
                'log': os.path.relpath(log, TOP)})
            print('%s %-36s %s  banner %s  total %.2f s%s' % (
                'PASS' if not problems else 'FAIL', tname, accel,
                '%.3f s' % banner if banner is not None else '-', total,
                '' if not why else '  (' + why + ')'), flush=True)
            for p in problems:
                print('     %s (see %s)' % (p, os.path.relpath(log, TOP)))
    passed = sum(1 for r in results if r['passed'])
    failed = len(results) - passed
    suite = 'integration' if args.logs == 'integration' else args.logs
    with open(args.results, 'w') as f:
        json.dump({'suite': suite, 'passed': passed,
                   'failed': failed, 'skipped': skipped, 'tests': results},
                  f, indent=1)
    print('%s: %d passed, %d failed, %d skipped'
          % (suite, passed, failed, skipped))
    return 0


if __name__ == '__main__':
    sys.exit(main())
