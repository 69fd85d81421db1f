#!/usr/bin/env python3
"""Pack files into a newc cpio archive (what `cpio -o -H newc` writes),
each under its base name: the initrd of user programs.

  mkinitrd.py ARCHIVE FILE...
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
    for path in sys.argv[2:]:
        with open(path, 'rb') as f:
            blob += entry(os.path.basename(path), f.read(), 0o100755)
    blob += entry('TRAILER!!!', b'', 0)
    with open(sys.argv[1], 'wb') as f:
        f.write(blob)
    return 0


if __name__ == '__main__':
    sys.exit(main())
