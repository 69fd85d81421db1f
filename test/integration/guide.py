#!/usr/bin/env python3
"""Follow docs/WRITING_A_SERVICE.md literally, as a user would.

  guide.py --results FILE [--work DIR]

Copies the tree (the files git tracks, and new ones it does not ignore)
to a work directory, runs the
guide's steps (the shell block after <!-- guide:steps -->) there, builds
the x86_64 kernel, boots it the way the guide's `scons run` line does
(<!-- guide:boot -->, without a terminal), and checks that every line of
the guide's expected output (<!-- guide:expect -->) appears: exactly,
except that a trace line's numbers may differ. Writes {"suite": "guide", ...} to FILE.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tools'))
import qemu  # noqa: E402

GUIDE = os.path.join(TOP, 'docs', 'WRITING_A_SERVICE.md')


def block_after(text, marker):
    """The fenced block that follows an HTML-comment marker."""
    at = text.index('<!-- guide:%s -->' % marker)
    m = re.compile(r'```[a-z]*\n(.*?)```', re.S).search(text, at)
    return m.group(1)


def copy_tree(dst):
    shutil.rmtree(dst, ignore_errors=True)
    try:
        files = subprocess.check_output(
            ['git', '-C', TOP, 'ls-files', '-z', '--cached', '--others',
             '--exclude-standard'], text=True,
            stderr=subprocess.DEVNULL).split('\0')
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout: every file outside build/.
        files = []
        for root, dirs, names in os.walk(TOP):
            dirs[:] = [d for d in dirs if d not in ('build', '.git')]
            files += [os.path.relpath(os.path.join(root, n), TOP)
                      for n in names]
    for f in files:
        if not f or not os.path.exists(os.path.join(TOP, f)):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(f)), exist_ok=True)
        shutil.copy2(os.path.join(TOP, f), os.path.join(dst, f))


def line_regex(line):
    """An expected line as ^...$ on the line: exact, but a trace line's
    numbers are free (times and message ids differ from run to run)."""
    if not line.startswith('trace: '):
        return '^' + re.escape(line) + '$'
    parts = re.split(r'(\d+)', line)
    return '^' + ''.join(r'\d+' if p.isdigit() else re.escape(p)
                         for p in parts) + '$'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--results', required=True)
    ap.add_argument('--work', default=os.path.join(TOP, 'build', 'guide'))
    args = ap.parse_args()
    problems = []
    text = open(GUIDE).read()
    steps = block_after(text, 'steps')
    boot = block_after(text, 'boot').strip()
    expect = [ln for ln in block_after(text, 'expect').splitlines() if ln]
    work = os.path.join(args.work, 'tree')
    log = os.path.join(args.work, 'guide.log')
    copy_tree(work)
    out = open(log, 'w')
    env = dict(os.environ)
    print('guide: steps from docs/WRITING_A_SERVICE.md in %s'
          % os.path.relpath(work, TOP), flush=True)
    rc = subprocess.call(['bash', '-euo', 'pipefail', '-c', steps], cwd=work,
                         stdout=out, stderr=subprocess.STDOUT, env=env)
    if rc:
        problems.append('the guide\'s steps failed (exit %d)' % rc)
    else:
        rc = subprocess.call(['scons', '-Q', 'build/x86_64/kernel.elf'],
                             cwd=work, stdout=out, stderr=subprocess.STDOUT,
                             env=env)
        if rc:
            problems.append('the build failed after the steps (exit %d)'
                            % rc)
    if not problems:
        words = shlex.split(boot)
        opts = dict(w.split('=', 1) for w in words if '=' in w)
        if words[:2] != ['scons', 'run'] or opts.get('boot') != 'pvh':
            problems.append('the guide boots with something other than '
                            '"scons run boot=pvh": %s' % boot)
        else:
            argv = qemu.command('x86_64', 'pvh', 'tcg', kernel=os.path.join(
                work, 'build', 'x86_64', 'kernel.elf'),
                cmdline=opts.get('cmdline', ''))
            want = [re.compile(line_regex(ln)) for ln in expect]
            seen = [False] * len(want)
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            os.set_blocking(proc.stdout.fileno(), False)
            buf = b''
            while time.monotonic() < deadline and not all(seen):
                chunk = proc.stdout.read() or b''
                buf += chunk
                for ln in buf.decode('utf-8', 'replace').splitlines():
                    for i, rx in enumerate(want):
                        seen[i] = seen[i] or bool(rx.search(ln))
                if proc.poll() is not None and not chunk:
                    break
                time.sleep(0.05)
            proc.kill()
            proc.wait()
            out.write('# ' + ' '.join(argv) + '\n')
            out.write(buf.decode('utf-8', 'replace'))
            for ok, ln in zip(seen, expect):
                if not ok:
                    problems.append('missing: %s' % ln)
    out.close()
    passed = not problems
    print('%s docs/WRITING_A_SERVICE.md followed literally (log: %s)' % (
        'PASS' if passed else 'FAIL', os.path.relpath(log, TOP)))
    for p in problems:
        print('     ' + p)
    with open(args.results, 'w') as f:
        json.dump({'suite': 'guide', 'passed': int(passed),
                   'failed': int(not passed), 'skipped': 0,
                   'problems': problems}, f)
    return 0


if __name__ == '__main__':
    sys.exit(main())
