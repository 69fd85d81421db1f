#!/usr/bin/env python3
"""`scons bench`, start to end: the host benchmarks, the QEMU boots
(qemu_bench.py), then docs/PERFORMANCE_BENCHMARKS.md (perf_doc.py) from
whatever ran.

  run_bench.py --results FILE --doc FILE --x86 DIR --arm DIR
               [--linux-initramfs FILE] [--linux-initramfs-arm FILE]
               [--linux-arm-root DIR] [--timeout S] [--host-timeout S]
               HOST_PROGRAM...

Each host program (bus-bench, mm-bench, bus-scale) runs on a file of
its own that starts as an empty JSON list, under --host-timeout (600 s):
one that exits non-zero, is killed, runs past it or leaves no records
costs its own figures only, recorded as failed (test/bench/results.py).
Every step runs whatever the one before it did, and the page is written
from what is in results.json. The last line names what failed; the exit
status is 1 when anything failed, 0 when everything ran (skipped
configurations, such as KVM where accel=auto picks TCG, are not
failures).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import perf_doc  # noqa: E402
import qemu_bench  # noqa: E402
import results  # noqa: E402
from results import FAILED  # noqa: E402

HOST_TIMEOUT = 600

# The families of figures each host program makes (their names are in
# its C source): what a failed run of it leaves in results.json.
FAMILIES = {
    'bus-bench': ('bus.*',),
    'mm-bench': ('kmalloc.*', 'mm.*'),
    'bus-scale': ('bus.scale.*',),
}


def run_program(argv, timeout):
    """Run argv in a process group of its own; its exit status, or None
    when it ran past timeout seconds (then the whole group is killed, so
    nothing it started holds the terminal or a pipe open)."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return None
    except BaseException:
        # Ctrl-C reaches only this process: end the program too
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise


def run_host(programs, timeout=HOST_TIMEOUT):
    """Run each host program on a file of its own: (records, [(group
    label, status or None, reason)])."""
    records, groups = [], []
    with tempfile.TemporaryDirectory(prefix='aegis-bench-') as tmp:
        for prog in programs:
            name = os.path.basename(prog)
            path = os.path.join(tmp, name + '.json')
            with open(path, 'w') as f:
                f.write('[]\n')
            sys.stdout.flush()
            err = None
            try:
                rc = run_program([prog, path], timeout)
                if rc is None:
                    err = 'timed out after %g s' % timeout
                elif rc < 0:
                    err = 'killed by signal %d' % -rc
                elif rc:
                    err = 'exited with status %d' % rc
            except OSError as e:
                err = 'cannot run %s: %s' % (prog, e.strerror or e)
            got = []
            if not err:
                try:
                    with open(path) as f:
                        got = json.load(f)
                except ValueError as e:
                    err = 'wrote no JSON list (%s)' % e
                if not err and (not isinstance(got, list) or not got):
                    err = 'wrote no records'
            if err:
                print('host bench: %s failed: %s' % (name, err))
                records += [results.not_run(fam, 'host', 'native', FAILED,
                                            err, name)
                            for fam in FAMILIES.get(name, (name + '.*',))]
            else:
                records += got
            groups.append(('host ' + name, FAILED if err else None, err))
    return records, groups


def step(name, fn, argv):
    """Run one step's main(argv); its exit status, 1 if it raised."""
    sys.stdout.flush()
    try:
        rc = fn(argv)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except Exception:
        traceback.print_exc()
        print('%s: stopped by the error above' % name)
        rc = 1
    sys.stdout.flush()
    return rc or 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--results', required=True)
    ap.add_argument('--doc', required=True)
    ap.add_argument('--x86', required=True)
    ap.add_argument('--arm', required=True)
    ap.add_argument('--linux-initramfs')
    ap.add_argument('--linux-initramfs-arm')
    ap.add_argument('--linux-arm-root')
    ap.add_argument('--timeout', type=float, default=qemu_bench.TIMEOUT,
                    help='seconds one QEMU boot may take')
    ap.add_argument('--host-timeout', type=float, default=HOST_TIMEOUT,
                    help='seconds one host program may take')
    ap.add_argument('programs', nargs='*')
    a = ap.parse_args(argv)

    records, hgroups = run_host(a.programs, a.host_timeout)
    results.save(a.results, records)
    print(results.summary('host bench', hgroups))
    qargv = ['--x86', a.x86, '--arm', a.arm, '--results', a.results,
             '--timeout', str(a.timeout)]
    for opt, val in (('--linux-initramfs', a.linux_initramfs),
                     ('--linux-initramfs-arm', a.linux_initramfs_arm),
                     ('--linux-arm-root', a.linux_arm_root)):
        if val:
            qargv += [opt, val]
    rc_qemu = step('qemu bench', qemu_bench.main, qargv)
    rc_doc = step('perf_doc', perf_doc.main, [a.results, a.doc])

    # each group that failed, once (the reasons are above)
    failed = []
    for r in results.load(a.results):
        if r.get('status') == FAILED and results.label(r) not in failed:
            failed.append(results.label(r))
    if rc_qemu and not any(r.get('status') == FAILED and
                           r.get('arch') != 'host'
                           for r in results.load(a.results)):
        failed.append('qemu bench (exit status %d)' % rc_qemu)
    if rc_doc:
        failed.append('perf_doc (exit status %d: %s not written)'
                      % (rc_doc, a.doc))
    if failed:
        print('bench: failed: %s (reasons above and in results.json); '
              'what ran is in %s%s' % (
            ', '.join(failed), a.results,
            '' if rc_doc else ' and ' + a.doc))
        return 1
    print('bench: everything ran; %s, %s' % (a.results, a.doc))
    return 0


if __name__ == '__main__':
    sys.exit(main())
