#!/usr/bin/env python3
"""Sum the suites' result files into the one closing line of `scons test`.

  summary.py RESULT.json...

Prints each failed test that a suite names (with its problems and the end
of its log, so that the end of a CI job's output says what failed), a table
(suite, passed, failed, skipped), then "N passed, N failed[, N skipped]"
alone on the last line. Exits 1 if any test failed or a result file is
missing.
"""
import json
import sys

LOG_TAIL = 15


def show_failures(r):
    for t in r.get('tests', []):
        if t.get('passed', True):
            continue
        print('FAILED %s %s: %s' % (r['suite'], t.get('test', '?'),
                                    '; '.join(t.get('problems', [])) or
                                    'no problem recorded'))
        log = t.get('log')
        if not log:
            continue
        try:
            with open(log, errors='replace') as f:
                lines = f.read().splitlines()
        except OSError as e:
            print('  (its log: %s)' % e)
            continue
        for ln in lines[-LOG_TAIL:]:
            print('  | ' + ln[:200])


def main(paths):
    tp = tf = ts = 0
    rows = []
    for p in paths:
        try:
            with open(p) as f:
                r = json.load(f)
        except (OSError, ValueError) as e:
            r = {'suite': p, 'passed': 0, 'failed': 1, 'skipped': 0,
                 'error': str(e)}
        rows.append(r)
        tp += r['passed']
        tf += r['failed']
        ts += r.get('skipped', 0)
    print()
    for r in rows:
        show_failures(r)
    print('%-22s %7s %7s %7s' % ('suite', 'passed', 'failed', 'skipped'))
    for r in rows:
        print('%-22s %7d %7d %7d' % (r['suite'], r['passed'], r['failed'],
                                      r.get('skipped', 0)))
    line = '%d passed, %d failed' % (tp, tf)
    if ts:
        line += ', %d skipped' % ts
    print(line)
    return 1 if tf else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
