#!/usr/bin/env python3
"""Coverage report of the host unit tests (scons coverage).

  coverage.py HOST_COV_BUILD OUT_DIR

The unit tests in HOST_COV_BUILD were built with --coverage and have just
run; capture their counters with lcov (arch-neutral sources only: kernel/,
bus/, services/, devnodes/), write an HTML report to OUT_DIR/html and print
the total line coverage.
"""
import os
import re
import subprocess
import sys

NEUTRAL = ['kernel', 'bus', 'services', 'devnodes']


def run(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def main(build, out):
    top = os.getcwd()
    os.makedirs(out, exist_ok=True)
    raw = os.path.join(out, 'raw.info')
    info = os.path.join(out, 'coverage.info')
    p = run(['lcov', '--quiet', '--capture', '--directory', build,
             '--base-directory', top, '--output-file', raw,
             '--rc', 'lcov_branch_coverage=0'])
    if p.returncode:
        print(p.stdout)
        return 1
    keep = ['%s/%s/*' % (top, d) for d in NEUTRAL]
    p = run(['lcov', '--quiet', '--extract', raw] + keep +
            ['--output-file', info])
    if p.returncode:
        print(p.stdout)
        return 1
    p = run(['genhtml', '--quiet', '--output-directory',
             os.path.join(out, 'html'), '--title', 'Aegis unit tests', info])
    if p.returncode:
        print(p.stdout)
        return 1
    p = run(['lcov', '--summary', info])
    m = re.search(r'lines\.+: ([\d.]+)% \((\d+) of (\d+) lines\)', p.stdout)
    if not m:
        print(p.stdout)
        return 1
    print('coverage: per file (arch-neutral code):')
    p2 = run(['lcov', '--list', info])
    for line in p2.stdout.splitlines():
        if '|' in line and '%' in line:
            print('  ' + line.strip())
    print('coverage: %s%% of arch-neutral lines (%s of %s) - report: '
          '%s/html/index.html' % (m.group(1), m.group(2), m.group(3), out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
