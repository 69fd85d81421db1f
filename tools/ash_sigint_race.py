#!/usr/bin/env python3
"""Ctrl-C of a loop inside busybox ash, on the host's own Linux.

busybox 1.35's ash (Debian's busybox-static, the one Aegis runs) handles
SIGINT with no trap set by longjmp'ing out of its signal handler, from
wherever the shell is, unless it is in one of its INT_OFF sections. Some
places are not covered: now and then a loop's variable is lost, or the
shell deadlocks in free() (glibc's arena lock, held by the free the
longjmp left). Aegis's integration case linux-session once checked the
variable after such a Ctrl-C and failed now and then for this reason.
It now ends its loop with a trap, which only sets a flag in the handler.

This script runs the same keys against the host's busybox in a
pseudo-terminal, N times per mode, and counts what comes back:

  var    i=0; while :; do i=$((i+1)); ...; done, Ctrl-C, echo $((i > 0))
  plain  while :; do :; done, Ctrl-C, then a new command
  trap   the loop linux-session now runs (trap 'stop=INT' INT)

  python3 tools/ash_sigint_race.py [--busybox /bin/busybox] [-n 300]
          [var plain trap]

It is a diagnosis, not a test: the race depends on the host's timing.
docs/LINUX_ABI.md gives the counts one run printed.
"""
import argparse
import os
import pty
import random
import select
import signal
import time

LOOPS = {
    'var': (b"i=0; while :; do i=$((i+1)); [ $i = 1 ] && "
            b"echo spin''ning; done\n",
            b'echo sp""un $((i > 0))\n'),
    'plain': (b"echo spin''ning; while :; do :; done\n",
              b'echo sp""un $(($? == 130))\n'),
    'trap': (b"i=0; trap 'stop=INT' INT; while [ -z \"$stop\" ]; do "
             b"i=$((i+1)); [ $i = 1 ] && echo spin''ning; done; "
             b"trap - INT; echo sp\"\"un $((i > 0)); stop=\n", None),
}


class Hung(Exception):
    pass


class Shell:
    def __init__(self, busybox):
        self.busybox = busybox
        self.start()

    def start(self):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(self.busybox, [self.busybox, 'sh', '-i'])
        self.buf = b''
        os.write(self.fd, b"PS1='$ '\n")
        self.expect(b'$ ')

    def restart(self):
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.start()

    def expect(self, pat, timeout=10):
        end = time.time() + timeout
        while pat not in self.buf:
            r, _, _ = select.select([self.fd], [], [],
                                    max(0, end - time.time()))
            if not r:
                raise Hung(self.buf[-80:])
            self.buf += os.read(self.fd, 65536)
        i = self.buf.index(pat) + len(pat)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def state(self):
        with open('/proc/%d/stat' % self.pid) as f:
            st = f.read().split()[2]
        with open('/proc/%d/wchan' % self.pid) as f:
            return '%s %s' % (st, f.read())


def run(shell, mode, n):
    loop, after = LOOPS[mode]
    lost = hung = 0
    for _ in range(n):
        try:
            os.write(shell.fd, loop)
            shell.expect(b'spinning\r\n')
            time.sleep(random.random() * 0.02)
            os.write(shell.fd, b'\x03')
            if after:
                shell.expect(b'$ ')	# Ctrl-C flushes typed-ahead keys
                os.write(shell.fd, after)
            shell.expect(b'spun ')
            if not shell.expect(b'\n').startswith(b'1'):
                lost += 1
        except Hung:
            hung += 1
            print('  %s: no prompt after Ctrl-C (shell %s)'
                  % (mode, shell.state()))
            shell.restart()
    print('%-5s %d runs: %d lost the loop\'s state, %d hung'
          % (mode, n, lost, hung))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--busybox', default='/bin/busybox')
    ap.add_argument('-n', type=int, default=300)
    ap.add_argument('modes', nargs='*', default=['var', 'plain', 'trap'])
    a = ap.parse_args()
    shell = Shell(a.busybox)
    for m in a.modes:
        if m not in LOOPS:
            ap.error('no mode %r (var, plain, trap)' % m)
        run(shell, m, a.n)


if __name__ == '__main__':
    main()
