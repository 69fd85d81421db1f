#!/usr/bin/env python3
"""Run one test suite and record its counts for the final summary.

  run_suite.py --name NAME --kind check|cargo|unittest|lines|exit --results FILE -- CMD...

Runs CMD, echoes its output, parses the runner's own closing counts (Check:
"Checks: N, Failures: F, Errors: E"; cargo test: "test result: ... N
passed; M failed"), and writes {"suite", "passed", "failed", "skipped"} to
FILE. Exits 0 even when tests fail, so every suite runs and the summary
step (site_scons/summary.py) gives the verdict; a suite that could not run
at all, or whose output has no counts, is written as one failure.
"""
import argparse
import json
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--name', required=True)
    ap.add_argument('--kind', required=True,
                    choices=['check', 'cargo', 'unittest', 'lines', 'exit'])
    ap.add_argument('--results', required=True)
    ap.add_argument('cmd', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == '--' else a.cmd
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           errors='replace')
        out, rc = p.stdout, p.returncode
    except OSError as e:
        out, rc = str(e), 127
    sys.stdout.write(out)
    passed = failed = skipped = 0
    found = False
    if a.kind == 'check':
        for m in re.finditer(r'Checks: (\d+), Failures: (\d+), Errors: (\d+)',
                             out):
            n, f, e = map(int, m.groups())
            passed += n - f - e
            failed += f + e
            found = True
    elif a.kind == 'cargo':
        for m in re.finditer(r'test result: \w+\. (\d+) passed; (\d+) failed;'
                             r' (\d+) ignored', out):
            passed += int(m.group(1))
            failed += int(m.group(2))
            skipped += int(m.group(3))
            found = True
    elif a.kind == 'unittest':
        # Python's unittest: "Ran N tests", then "OK" or
        # "FAILED (failures=F, errors=E)"
        m = re.search(r'^Ran (\d+) tests?', out, re.M)
        if m:
            found = True
            n = int(m.group(1))
            bad = sum(int(x) for x in re.findall(
                r'(?:failures|errors)=(\d+)', out))
            passed, failed = n - bad, bad
    elif a.kind == 'lines':
        # the plain closing line: "N passed, N failed[, N skipped]"
        for m in re.finditer(r'(\d+) passed, (\d+) failed'
                             r'(?:, (\d+) skipped)?', out):
            passed, failed = int(m.group(1)), int(m.group(2))
            skipped = int(m.group(3) or 0)
            found = True
    else:
        # one check: the command's exit status
        found = True
        passed, failed = (1, 0) if rc == 0 else (0, 1)
    if not found or (rc != 0 and failed == 0):
        print('%s: runner exited %d without a passing count' % (a.name, rc))
        failed += 1
    with open(a.results, 'w') as f:
        json.dump({'suite': a.name, 'passed': passed, 'failed': failed,
                   'skipped': skipped, 'exit': rc}, f)
    print('%s: %d passed, %d failed' % (a.name, passed, failed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
