#!/usr/bin/env python3
"""tools/qemu.py: how accel=auto|tcg|kvm is resolved for a boot path.
auto takes KVM only for an x86_64 PVH guest on an x86_64 host whose
/dev/kvm opens and which is not itself a virtual machine; every other
answer is TCG with the reason. Run by `scons test` (suite qemu-accel)."""
import os
import sys
import unittest
from unittest import mock

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'tools'))
import qemu  # noqa: E402


class Uname:
    def __init__(self, machine):
        self.machine = machine


def pick(accel, arch='x86_64', boot='pvh', host='x86_64', kvm=True,
         virtual=False):
    with mock.patch.object(qemu.os, 'uname', lambda: Uname(host)), \
         mock.patch.object(qemu, 'kvm_usable', lambda: kvm), \
         mock.patch.object(qemu, 'host_is_virtual', lambda: virtual):
        return qemu.pick_accel(accel, arch, boot)


class PickAccel(unittest.TestCase):
    def test_auto_on_bare_metal_pvh_takes_kvm(self):
        self.assertEqual(pick('auto'), ('kvm', None))

    def test_auto_on_virtual_host_takes_tcg_with_reason(self):
        accel, why = pick('auto', virtual=True)
        self.assertEqual(accel, 'tcg')
        self.assertIn('virtual machine', why)

    def test_auto_without_dev_kvm_takes_tcg(self):
        self.assertEqual(pick('auto', kvm=False),
                         ('tcg', '/dev/kvm is not usable'))

    def test_auto_firmware_boot_stays_on_tcg(self):
        for boot in ('iso', 'uefi'):
            self.assertEqual(pick('auto', boot=boot)[0], 'tcg')

    def test_auto_aarch64_guest_on_x86_64_host_takes_tcg(self):
        accel, why = pick('auto', arch='aarch64', boot=None)
        self.assertEqual(accel, 'tcg')
        self.assertIn('aarch64', why)

    def test_kvm_forced_on_virtual_host_is_kvm(self):
        self.assertEqual(pick('kvm', virtual=True), ('kvm', None))

    def test_kvm_forced_without_dev_kvm_falls_back_with_reason(self):
        self.assertEqual(pick('kvm', kvm=False),
                         ('tcg', '/dev/kvm is not usable'))

    def test_tcg_is_tcg(self):
        self.assertEqual(pick('tcg'), ('tcg', None))

    def test_choice_line_says_tcg_and_why(self):
        with mock.patch.object(qemu.os, 'uname', lambda: Uname('x86_64')), \
             mock.patch.object(qemu, 'kvm_usable', lambda: True), \
             mock.patch.object(qemu, 'host_is_virtual', lambda: True):
            self.assertEqual(
                qemu.choice_line('auto', 'x86_64', 'pvh'),
                'scons: accel=auto: TCG (this host is a virtual machine: '
                'nested KVM is slower than TCG here)')
            self.assertIsNone(qemu.choice_line('tcg', 'x86_64', 'pvh'))
            self.assertIsNone(qemu.choice_line('kvm', 'x86_64', 'pvh'))
        with mock.patch.object(qemu.os, 'uname', lambda: Uname('x86_64')), \
             mock.patch.object(qemu, 'kvm_usable', lambda: False):
            self.assertEqual(qemu.choice_line('kvm', 'x86_64', 'pvh'),
                             'scons: accel=kvm: TCG (/dev/kvm is not '
                             'usable)')

    def test_choice_line_says_when_auto_takes_kvm(self):
        with mock.patch.object(qemu.os, 'uname', lambda: Uname('x86_64')), \
             mock.patch.object(qemu, 'kvm_usable', lambda: True), \
             mock.patch.object(qemu, 'host_is_virtual', lambda: False):
            line = qemu.choice_line('auto', 'x86_64', 'pvh')
            self.assertTrue(line.startswith('scons: accel=auto: KVM ('),
                            line)

    def test_run_outcome(self):
        """scons run's verdict on QEMU's exit status, per arch."""
        for arch, status, rc, words in (
                ('x86_64', 1, 0, 'powered off'),	# debug-exit 0
                ('x86_64', 0, 0, 'QEMU quit'),
                ('x86_64', 5, 1, 'panicked'),		# debug-exit 2
                ('x86_64', 3, 1, 'tests failed'),
                ('x86_64', 2, 1, 'status 2'),
                ('x86_64', -9, 1, 'signal 9'),
                ('aarch64', 0, 0, 'powered off'),
                ('aarch64', 2, 1, 'panicked'),
                ('aarch64', 1, 1, 'tests failed'),
                ('aarch64', 7, 1, 'status 7')):
            got_rc, why = qemu.run_outcome(arch, status)
            self.assertEqual(got_rc, rc, (arch, status, why))
            self.assertIn(words, why, (arch, status))

    def test_host_is_virtual_reads_the_cpu_flag(self):
        flags = 'processor\t: 0\nflags\t\t: fpu sse2 %s\n'
        for text, want in ((flags % 'hypervisor', True),
                           (flags % 'vmx', False)):
            with mock.patch('builtins.open', mock.mock_open(read_data=text)):
                self.assertEqual(qemu.host_is_virtual(), want)


if __name__ == '__main__':
    unittest.main()
