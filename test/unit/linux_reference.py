#!/usr/bin/env python3
"""Run Linux test programs under Linux itself: the reference side of the
Linux personality's tests (docs/LINUX_ABI.md, "Tested against Linux").

The programs (test/user/linuxfs.c, ...) are the objects the Aegis initrd
carries, linked at 4 MiB (Aegis links its own at 512 GiB / 4 GiB, which
qemu-user cannot place): x86_64 runs on this host's kernel, AArch64 under
qemu-aarch64-static. Each runs in a fresh directory, as this user and,
when this user is root, once more as "nobody" (so the permission checks
run too). A program prints "NAME: N checks, F failed" and exits with F.

  linux_reference.py X86_PROG ARM_PROG [X86_PROG ARM_PROG]...

Prints one line per run and "N passed, N failed" (site_scons/run_suite.py).
"""
import os
import platform
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time


def run(argv, as_nobody):
    d = tempfile.mkdtemp(prefix='aegis-ref-')
    try:
        # the program runs from a copy in its directory: the build tree
        # may be closed to other users (a clone in a private directory)
        prog = os.path.join(d, os.path.basename(argv[-1]))
        shutil.copy(argv[-1], prog)
        os.chmod(prog, 0o755)
        argv = argv[:-1] + [prog]
        if as_nobody:
            os.chmod(d, 0o777)
            argv = ['setpriv', '--reuid=65534', '--regid=65534',
                    '--clear-groups', '--'] + argv
        # standard input is /dev/null and the program leads a session
        # of its own, as on Aegis: what it checks of its group, session
        # and descriptor 0 does not depend on how this script was started
        # (a CI job's session leader may be outside its pid namespace,
        # where getsid answers 0, and its input may be a terminal)
        if os.path.basename(prog).startswith('linuxtty'):
            return on_terminal(argv, d)
        p = subprocess.run(argv, cwd=d, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           errors='replace', timeout=120,
                           start_new_session=True)
        return p.returncode, p.stdout
    finally:
        shutil.rmtree(d, ignore_errors=True)


# What linuxtty (test/user/linuxtty.c) asks to have typed, as the
# integration case linux-tty types it under Aegis
TYPED = ((b'linuxtty: type 1', b'ab\x7fc\r\x04'),
         (b'linuxtty: type 2', b'\x03'))


def on_terminal(argv, cwd):
    """Run argv on a new pseudo-terminal, as the leader of a session of
    its own (it takes the terminal as its controlling one itself), typing
    TYPED when asked. Returns (status, output without carriage returns)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, cwd=cwd, stdin=slave, stdout=slave,
                         stderr=slave, start_new_session=True)
    os.close(slave)
    out, typed, end = b'', 0, time.time() + 120
    try:
        while time.time() < end:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:		# EIO: every slave is closed
                    data = b''
                if not data:
                    break
                out += data
            if typed < len(TYPED) and TYPED[typed][0] in out:
                time.sleep(0.2)		# it reads by now
                os.write(master, TYPED[typed][1])
                typed += 1
        else:
            p.kill()
    finally:
        os.close(master)
    rc = p.wait()
    return rc, out.decode('utf-8', 'replace').replace('\r', '')


def can_become_nobody():
    """None when setpriv can switch to uid 65534 here, else why not (a
    sandbox whose user namespace does not map that uid refuses)."""
    try:
        p = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534',
                            '--clear-groups', '--', 'true'],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           errors='replace', timeout=30)
    except OSError as e:
        return str(e)
    return None if p.returncode == 0 else (p.stdout.strip() or
                                           'exit %d' % p.returncode)


def main():
    if len(sys.argv) < 3 or len(sys.argv) % 2 == 0:
        print(__doc__, file=sys.stderr)
        return 2
    progs = [os.path.abspath(a) for a in sys.argv[1:]]
    runs = []
    qemu = shutil.which('qemu-aarch64-static')
    for x86, arm in zip(progs[0::2], progs[1::2]):
        if platform.machine() == 'x86_64':
            runs.append(('x86_64', [x86]))
        else:
            print('skip: x86_64 (this host is %s)' % platform.machine())
        if qemu:
            runs.append(('aarch64', [qemu, arm]))
    if not qemu:
        print('qemu-aarch64-static is missing: run tools/setup.sh')
    users = [False]
    skipped = 0
    if os.geteuid() == 0:
        why = can_become_nobody()
        if why is None:
            users.append(True)
        else:
            print('skip: the runs as nobody (setpriv: %s)' % why)
            skipped = len(runs)
    passed = failed = 0
    if not qemu:
        failed += 1
    for arch, argv in runs:
        for nobody in users:
            who = 'nobody' if nobody else 'this user'
            rc, out = run(argv, nobody)
            sys.stdout.write(out)
            ok = rc == 0 and re.search(r': [1-9]\d* checks, 0 failed$',
                                       out, re.M)
            print('%s %s (%s, as %s)' % ('PASS' if ok else 'FAIL',
                                        os.path.basename(argv[-1]), arch,
                                        who))
            passed, failed = passed + bool(ok), failed + (not ok)
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
