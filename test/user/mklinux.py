#!/usr/bin/env python3
"""Write a copy of a static ELF64 program marked as a Linux program: its
OS/ABI byte set to ELFOSABI_GNU (3), which the kernel's loader reads as
Linux's (kernel/lib/elf.c, docs/LINUX_ABI.md). The fixture linuxhostile
(test/user/linuxhostile.c).

  mklinux.py IN OUT
"""
import os
import sys


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data = bytearray(open(sys.argv[1], 'rb').read())
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        print('mklinux: %s: not a 64-bit little-endian ELF' % sys.argv[1],
              file=sys.stderr)
        return 1
    data[7] = 3
    with open(sys.argv[2], 'wb') as f:
        f.write(data)
    os.chmod(sys.argv[2], 0o755)
    return 0


if __name__ == '__main__':
    sys.exit(main())
