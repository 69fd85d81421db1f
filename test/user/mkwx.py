#!/usr/bin/env python3
"""Write a copy of a static ELF64 program whose executable PT_LOAD
segments are flagged writable too (RWX): the fixture `wx`, which the
kernel's loader must refuse (W^X, docs/PROCESSES.md).

  mkwx.py IN OUT
"""
import struct
import sys


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data = bytearray(open(sys.argv[1], 'rb').read())
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        print('mkwx: %s: not a 64-bit little-endian ELF' % sys.argv[1],
              file=sys.stderr)
        return 1
    phoff, = struct.unpack_from('<Q', data, 32)
    phentsize, phnum = struct.unpack_from('<HH', data, 54)
    changed = 0
    for i in range(phnum):
        at = phoff + i * phentsize
        ptype, flags = struct.unpack_from('<II', data, at)
        if ptype == 1 and flags & 1:
            struct.pack_into('<I', data, at + 4, flags | 2)
            changed += 1
    if not changed:
        print('mkwx: %s: no executable segment' % sys.argv[1],
              file=sys.stderr)
        return 1
    open(sys.argv[2], 'wb').write(bytes(data))
    return 0


if __name__ == '__main__':
    sys.exit(main())
