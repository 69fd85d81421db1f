#!/usr/bin/env python3
"""Pack files into a newc cpio archive (what `cpio -o -H newc` writes),
each under its base name (the initrd of user programs), or under the
name given as NAME=FILE (directories above it are made: the Linux
initramfs of scons bench); NAME@TARGET is a symbolic link.

  mkinitrd.py ARCHIVE [NAME=]FILE... [NAME@TARGET]...
"""
import os
import sys


def entry(name, data, mode):
    nm = name.encode() + b'\0'
    hdr = ('070701' + ''.join('%08x' % v for v in (
        1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nm), 0))).encode()
    out = hdr + nm
    out += b'\0' * (-len(out) % 4)
    out += data
    out += b'\0' * (-len(out) % 4)
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    blob = b''
    dirs = set()
    for arg in sys.argv[2:]:
        link = '@' in arg and '=' not in arg
        if link:
            name, _, target = arg.partition('@')
        else:
            name, _, path = arg.rpartition('=')
            name = name or os.path.basename(path)
        parts = name.split('/')[:-1]
        for i in range(len(parts)):
            d = '/'.join(parts[:i + 1])
            if d not in dirs:
                dirs.add(d)
                blob += entry(d, b'', 0o40755)
        if link:
            blob += entry(name, target.encode(), 0o120777)
            continue
        with open(path, 'rb') as f:
            blob += entry(name, f.read(), 0o100755)
    blob += entry('TRAILER!!!', b'', 0)
    with open(sys.argv[1], 'wb') as f:
        f.write(blob)
    return 0


if __name__ == '__main__':
    sys.exit(main())
