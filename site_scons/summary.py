#!/usr/bin/env python3
"""Sum the suites' result files into the one closing line of `scons test`.

  summary.py RESULT.json...

Prints a table (suite, passed, failed, skipped), then
"N passed, N failed[, N skipped]" alone on the last line. Exits 1 if any
test failed or a result file is missing.
"""
import json
import sys


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
