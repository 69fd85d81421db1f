#!/usr/bin/env python3
"""The differential suite: shell scripts (test/linux/diff/t-*.sh) run by
the same busybox binary under Aegis and under Linux, their outputs
compared byte for byte, script by script (docs/LINUX_ABI.md).

  diff.py --arch x86_64|aarch64 --kernel K --initrd I --busybox B
          --scripts DIR [--log FILE]

Aegis: one boot (QEMU, TCG; x86_64 PVH, AArch64 GICv3) whose shell runs
`run busybox sh /diff/all.sh /tmp/diff /diff` (the scripts are in the
initrd under /diff). Linux: this host's kernel runs the same all.sh with
the same busybox (AArch64's under qemu-aarch64-static), in a scratch
directory, with the same environment (HOME=/, TERM=vt100) and a PATH in
which every applet is that busybox. all.sh prints each script's output
between "@@BEGIN name" and "@@END name status".

Prints PASS or FAIL per script (with the first differing lines) and
"N passed, N failed" (site_scons/run_suite.py).
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tools'))
sys.path.insert(0, os.path.join(TOP, 'test', 'integration'))

import qemu  # noqa: E402

ENV = {'HOME': '/', 'TERM': 'vt100'}


def parse(text):
    """{name: (output lines, status)} from all.sh's output."""
    out, cur, lines = {}, None, []
    for raw in text.split('\n'):
        # what the terminal shows: after the last carriage return (the
        # console erases the shell's prompt with CR, spaces, CR)
        raw = raw.rstrip('\r')
        # an empty line printed while the prompt showed: erased, then
        # nothing
        line = '' if raw.endswith('\r    ') else raw.split('\r')[-1]
        m = re.match(r'^@@BEGIN (\S+)$', line)
        if m:
            cur, lines = m.group(1), []
            continue
        m = re.match(r'^@@END (\S+) (\d+)$', line)
        if m and cur == m.group(1):
            out[cur] = (lines, int(m.group(2)))
            cur = None
            continue
        if cur is not None:
            lines.append(line)
    return out


def linux_run(arch, busybox, scripts):
    """all.sh under this host's kernel: its output text."""
    d = tempfile.mkdtemp(prefix='aegis-diff-')
    try:
        bindir = os.path.join(d, 'bin')
        os.mkdir(bindir)
        bb = os.path.join(d, 'busybox')
        shutil.copy(busybox, bb)
        os.chmod(bb, 0o755)
        names = subprocess.run(['/bin/busybox', '--list'], check=True,
                               stdout=subprocess.PIPE,
                               text=True).stdout.split()
        q = shutil.which('qemu-aarch64-static')
        for n in names:
            p = os.path.join(bindir, n)
            if arch == 'x86_64':
                os.symlink(bb, p)
            else:
                # this host cannot exec an arm64 program itself (no
                # binfmt_misc here): each applet is a one-line script
                # that has qemu-user run it
                with open(p, 'w') as f:
                    f.write('#!/bin/sh\nexec %s %s %s "$@"\n' % (q, bb, n))
                os.chmod(p, 0o755)
        work = os.path.join(d, 'work')
        os.mkdir(work)
        env = dict(ENV, PATH=bindir)
        sh = [bb] if arch == 'x86_64' else [q, bb]
        p = subprocess.run(sh + ['sh', os.path.join(scripts, 'all.sh'),
                                 work, scripts],
                           cwd=d, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=600)
        return p.stdout.decode('utf-8', 'replace')
    finally:
        shutil.rmtree(d, ignore_errors=True)


def aegis_run(arch, kernel, initrd, log):
    """all.sh under Aegis in QEMU: the serial output text."""
    cmdline = 'loglevel=4'
    if arch == 'x86_64':
        argv = qemu.command(arch, 'pvh', 'tcg', kernel=kernel,
                            cmdline=cmdline, initrd=initrd)
    else:
        argv = qemu.command(arch, accel='tcg', image=kernel, gic=3,
                            cmdline=cmdline, initrd=initrd)
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b''
    sent = done = False
    end = time.monotonic() + 900
    os.set_blocking(proc.stdout.fileno(), False)
    while time.monotonic() < end and proc.poll() is None:
        try:
            chunk = proc.stdout.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            out += chunk
        if not sent and b'aegis: up in' in out:
            time.sleep(0.5)
            proc.stdin.write(b'run busybox sh /diff/all.sh /tmp/diff '
                             b'/diff\r')
            proc.stdin.flush()
            sent = True
        if sent and not done and re.search(rb'@@DONE|exited with', out):
            done = True
            time.sleep(0.5)
            proc.stdin.write(b'poweroff\r')
            proc.stdin.flush()
        if not chunk:
            time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    try:
        out += proc.stdout.read() or b''
    except (BlockingIOError, ValueError):
        pass
    text = out.decode('utf-8', 'replace')
    if log:
        with open(log, 'w') as f:
            f.write('# ' + ' '.join(argv) + '\n' + text)
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--arch', required=True, choices=['x86_64', 'aarch64'])
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--busybox', required=True)
    ap.add_argument('--scripts', required=True)
    ap.add_argument('--log')
    a = ap.parse_args()
    scripts = os.path.abspath(a.scripts)
    names = sorted(os.path.basename(f)[:-3] for f in os.listdir(scripts)
                   if f.startswith('t-') and f.endswith('.sh'))
    want = parse(linux_run(a.arch, a.busybox, scripts))
    got = parse(aegis_run(a.arch, a.kernel, a.initrd, a.log))
    passed = failed = 0
    for n in names:
        if n not in want:
            print('FAIL %s (%s): Linux did not finish it' % (n, a.arch))
            failed += 1
            continue
        if n not in got:
            print('FAIL %s (%s): Aegis did not finish it (log: %s)'
                  % (n, a.arch, a.log))
            failed += 1
            continue
        wl, ws = want[n]
        gl, gs = got[n]
        if wl == gl and ws == gs:
            print('PASS %s (%s): %d lines, status %d'
                  % (n, a.arch, len(wl), ws))
            passed += 1
            continue
        print('FAIL %s (%s): status %d under Linux, %d under Aegis'
              % (n, a.arch, ws, gs))
        for d in list(difflib.unified_diff(wl, gl, 'linux', 'aegis',
                                           lineterm=''))[:40]:
            print('    ' + d)
        failed += 1
    print('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
