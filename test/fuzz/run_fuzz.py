#!/usr/bin/env python3
"""Run a libFuzzer target for a fixed time and record the result as a
suite for `scons test`'s summary.

  run_fuzz.py --name NAME --results FILE --seconds N TARGET CORPUS...

One test: it passes when the target ran its time without a crash, a leak,
a sanitizer report or an input that takes over 10 s (libFuzzer exits 0);
the inputs it found and any crashing or hanging one are kept beside the
target in <name>-work/, and either fails the run.
"""
import argparse
import json
import os
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--name', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--seconds', type=int, default=20)
    ap.add_argument('target')
    ap.add_argument('corpus', nargs='+')
    a = ap.parse_args()
    work = os.path.join(os.path.dirname(a.target), a.name + '-work')
    os.makedirs(work, exist_ok=True)
    cmd = [a.target, work] + a.corpus + [
        '-max_total_time=%d' % a.seconds, '-rss_limit_mb=2048',
        '-timeout=10',
        '-artifact_prefix=%s/' % work, '-print_final_stats=1']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode('utf-8', 'replace')
    runs = re.search(r'stat::number_of_executed_units:\s*(\d+)', out)
    ok = p.returncode == 0
    print('%s %s: %s executions in %d s%s' % (
        'PASS' if ok else 'FAIL', a.name, runs.group(1) if runs else '?',
        a.seconds, '' if ok else ' (see %s)' % work))
    if not ok:
        print(out[-3000:])
    with open(a.results, 'w') as f:
        json.dump({'suite': a.name, 'passed': 1 if ok else 0,
                   'failed': 0 if ok else 1, 'skipped': 0,
                   'executions': int(runs.group(1)) if runs else None}, f)
    return 0


if __name__ == '__main__':
    sys.exit(main())
