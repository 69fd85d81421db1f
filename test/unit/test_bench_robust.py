#!/usr/bin/env python3
"""scons bench never loses a run (test/bench/): a QEMU boot or a host
benchmark that fails, times out or cannot start is recorded in
results.json as failed with its reason, the others keep their figures in
their usual format, the exit status says something failed only after
results.json is written, and docs/PERFORMANCE_BENCHMARKS.md's generator
renders the failures as rows. No kernel is booted: the boots are made-up
serial output, a process that sleeps, or a program that is not there.
Run by `scons test` (suite bench-robust)."""
import contextlib
import io
import json
import os
import stat
import sys
import tempfile
import time
import unittest
from unittest import mock

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'test', 'bench'))
import perf_doc  # noqa: E402
import qemu_bench  # noqa: E402
import results  # noqa: E402
import run_bench  # noqa: E402

HZ = 1000000000
# the keys of a measured QEMU record, in order (other tools read them)
KEYS = ['bench', 'arch', 'accel', 'config', 'value', 'unit', 'peer',
        'peer_value', 'ratio', 'p99', 'n', 'cycles', 'p99_cycles',
        'counter_hz']


def lines(kind, figs, unit='centicycles', median=30000):
    return ''.join('bench: %s %s n=201 hz=%d median=%d p99=%d %s\n' % (
        kind, f, HZ, median, median * 2, unit) for f in figs)


IRQ = lines('irq', ('due_to_top', 'top_to_handler', 'due_to_handler'),
            'cycles', 500)
KMALLOC = lines('kmalloc', ['pair_%d' % s for s in qemu_bench.SIZES] +
                ['page_alloc_free'])
SCHED = lines('sched', ('yield_switch', 'thread_call', 'spawn_exit',
                        'inline_call'))
USER = lines('user', ('null_syscall', 'write_check', 'user_call',
                      'bus_call', 'spawn_exit'))
SMP = lines('smp', ('ipi_round_trip', 'bus_pingpong_cross',
                    'bus_pingpong_same', 'bus_throughput_1cpu',
                    'bus_throughput_2cpu', 'bus_throughput_4cpu',
                    'bus_throughput_work_1cpu', 'bus_throughput_work_2cpu',
                    'bus_throughput_work_4cpu', 'thread_wake_cross',
                    'thread_wake_same'))


def config_of(argv):
    cmd = ' '.join(argv)
    if argv[0].endswith('x86_64'):
        return 'x86_64-pvh-kvm' if '-accel kvm' in cmd else 'x86_64-pvh'
    return 'aarch64-gicv3' if 'gic-version=3' in cmd else 'aarch64-gicv2'


def fake_boot(broken):
    """A boot() that answers from made-up serial output; broken maps
    (config, group) to (output, why it ended early)."""
    def boot(argv, timeout):
        cmd = ' '.join(argv)
        group = ('irq' if 'bench.irq' in cmd else
                 'kmalloc' if 'bench.kmalloc' in cmd else
                 'sched' if 'bench.sched' in cmd else
                 'smp' if 'bench.smp' in cmd else 'user')
        key = (config_of(argv), group)
        if key in broken:
            return broken[key]
        if group == 'smp' and '-smp 4' not in cmd:
            return 'bench: smp needs a second CPU online\n', None
        return {'irq': IRQ, 'kmalloc': KMALLOC, 'sched': SCHED,
                'user': USER, 'smp': SMP}[group], None
    return boot


def no_kvm(accel, arch, boot):
    if accel == 'tcg':
        return 'tcg', None
    return 'tcg', 'this host is a virtual machine'


def run_qemu(tmp, broken, pick=no_kvm, host=()):
    """qemu_bench.main on made-up boots: (exit status, records, what it
    printed)."""
    path = os.path.join(tmp, 'results.json')
    results.save(path, list(host))
    out = io.StringIO()
    with mock.patch.object(qemu_bench.qemu, 'pick_accel', pick), \
            contextlib.redirect_stdout(out):
        rc = qemu_bench.main(['--x86', tmp, '--arm', tmp, '--results', path,
                              '--timeout', '1'], boot=fake_boot(broken))
    return rc, results.load(path), out.getvalue()


def find(rec, bench, config):
    return [r for r in rec if r['bench'] == bench and
            r.get('config') == config]


HOST = {'bench': 'bus.send', 'arch': 'host', 'accel': 'native',
        'value': 75.5, 'unit': 'ns', 'peer': 'direct_call',
        'peer_value': 2.1, 'ratio': 36.249, 'p99': 117.5, 'n': 100000}


class Boot(unittest.TestCase):
    """The real boot functions, on processes that are not QEMU."""

    def test_timeout_keeps_what_was_printed(self):
        start = time.monotonic()
        out, err = qemu_bench.boot(
            [sys.executable, '-c', 'import sys, time; sys.stdout.write('
             '"bench: kmalloc pair_16 n=1 hz=1 median=1 p99=1 '
             'centicycles\\n"); sys.stdout.flush(); time.sleep(60)'], 1)
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(err, 'timed out after 1 s')
        self.assertIn('pair_16', qemu_bench.parse(out, qemu_bench.KLINE))

    def test_missing_program_is_a_reason_not_a_crash(self):
        out, err = qemu_bench.boot(['/nonexistent/qemu-system-x86_64'], 5)
        self.assertEqual(out, '')
        self.assertTrue(err.startswith('cannot run /nonexistent/'), err)

    def test_silent_boot_is_ended_at_its_timeout(self):
        start = time.monotonic()
        seen, out, err = qemu_bench.timed_boot(
            [sys.executable, '-c', 'import time; time.sleep(60)'],
            'never', 1)
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual((seen, out, err), (None, '', 'timed out after 1 s'))

    def test_a_boot_without_its_marker_in_time_is_ended(self):
        start = time.monotonic()
        seen, out, err = qemu_bench.timed_boot(
            [sys.executable, '-c', 'import sys, time; print("booting", '
             'flush=True); time.sleep(60)'], 'lbench: up', 30, within=1)
        self.assertLess(time.monotonic() - start, 20)
        self.assertEqual((seen, err), (None, 'no "lbench: up" within 1 s'))
        self.assertIn('booting', out)

    def test_timed_boot_stops_at_its_marker(self):
        seen, out, err = qemu_bench.timed_boot(
            [sys.executable, '-c', 'import sys, time; print("aegis: up", '
             'flush=True); time.sleep(60)'], 'aegis: up', 30, stop=True)
        self.assertIsNotNone(seen)
        self.assertIsNone(err)
        self.assertIn('aegis: up', out)


class QemuBench(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='bench-robust-')

    def test_everything_ran(self):
        rc, rec, out = run_qemu(self.tmp, {}, host=[HOST])
        self.assertEqual(rc, 0)
        self.assertEqual(rec[0], HOST)
        ran = [r for r in rec[1:] if results.measured(r)]
        for r in ran:
            self.assertEqual(list(r), KEYS, r['bench'])
        # 3 TCG configurations: 2 irq + 5 kmalloc + 3 sched + 4 user
        # + 9 smp
        self.assertEqual(len(ran), 3 * 23)
        irq = find(rec, 'irq.top_to_handler', 'x86_64-pvh')[0]
        self.assertEqual((irq['value'], irq['cycles'], irq['ratio']),
                         (500.0, 500, 1.0))
        # the KVM configuration is skipped, with the reason, not failed
        kvm = [r for r in rec if r.get('config') == 'x86_64-pvh-kvm']
        self.assertEqual(len(kvm), 23)
        for r in kvm:
            self.assertEqual((r['status'], r['reason'], r['value']),
                             ('skipped', 'this host is a virtual machine',
                              None))
        self.assertIn('qemu bench: 15 of 16 groups ran; skipped: '
                      'x86_64-pvh-kvm (this host is a virtual machine)',
                      out)
        self.assertNotIn('failed', out.splitlines()[-1])

    def test_timeout_and_failure_recorded_others_kept(self):
        rc, rec, out = run_qemu(self.tmp, {
            ('aarch64-gicv3', 'irq'): ('', 'timed out after 1 s'),
            ('x86_64-pvh', 'sched'): ('ktest: FAIL bench.sched\n', None),
        }, host=[HOST])
        self.assertEqual(rc, 1)
        self.assertEqual(rec[0], HOST)
        for bench in ('irq.top_to_handler', 'irq.arrival_to_handler'):
            r = find(rec, bench, 'aarch64-gicv3')[0]
            self.assertEqual(
                (r['status'], r['reason'], r['group'], r['value'],
                 r['accel'], r['peer']),
                ('failed', 'timed out after 1 s; no figures', 'irq', None,
                 'tcg', 'irq_entry'))
            # the other configurations' figures are there, as ever
            self.assertEqual(list(find(rec, bench, 'aarch64-gicv2')[0]),
                             KEYS)
        # the boots after the failed one in the same configuration ran
        self.assertEqual(list(find(rec, 'kmalloc.pair_64',
                                   'aarch64-gicv3')[0]), KEYS)
        r = find(rec, 'sched.yield_switch', 'x86_64-pvh')[0]
        self.assertEqual(r['status'], 'failed')
        self.assertIn('ktest: FAIL bench.sched', r['reason'])
        # user mode's own figures stay; its peer from sched is null
        r = find(rec, 'syscall.bus_call', 'x86_64-pvh')[0]
        self.assertEqual((r['value'], r['peer'], r['peer_value'],
                          r['ratio']),
                         (300.0, 'sched.thread_call', None, None))
        self.assertIn('x86_64-pvh sched', r['peer_reason'])
        self.assertNotIn('status', r)
        last = out.splitlines()[-1]
        self.assertTrue(last.startswith('qemu bench: 13 of 16 groups ran;'),
                        last)
        self.assertIn('failed: x86_64-pvh sched (no figures; last: '
                      'ktest: FAIL bench.sched), aarch64-gicv3 irq (timed '
                      'out after 1 s; no figures)', last)
        # the tables print the failed boots as rows, with why
        self.assertRegex(out, r'irq.top_to_handler, irq.arrival_to_handler'
                              r' +aarch64-gicv3 +tcg +failed: timed out')

    def test_partial_output_keeps_the_figures_printed(self):
        # the kmalloc boot printed three sizes, then hung
        part = lines('kmalloc', ('pair_16', 'pair_64', 'pair_256'))
        rc, rec, out = run_qemu(self.tmp, {
            ('x86_64-pvh', 'kmalloc'): (part, 'timed out after 1 s')})
        self.assertEqual(rc, 1)
        got = {r['bench']: r for r in rec
               if r.get('config') == 'x86_64-pvh' and
               r['bench'].startswith('kmalloc.')}
        for sz in (16, 64, 256):
            r = got['kmalloc.pair_%d' % sz]
            self.assertEqual((r['value'], r['peer_value']), (300.0, None))
            self.assertIn('timed out after 1 s', r['peer_reason'])
        for sz in (1024, 4096):
            r = got['kmalloc.pair_%d' % sz]
            self.assertEqual(r['status'], 'failed')
            self.assertEqual(r['reason'], 'timed out after 1 s; no pair_1024,'
                             ' pair_4096, page_alloc_free')
        self.assertRegex(out, r'kmalloc.pair_16 +x86_64-pvh +tcg +300.0')

    def test_kvm_runs_without_user_mode(self):
        rc, rec, out = run_qemu(self.tmp, {}, pick=lambda a, arch, b: (
            'kvm' if a == 'auto' else a, None))
        self.assertEqual(rc, 0)
        r = find(rec, 'sched.yield_switch', 'x86_64-pvh-kvm')[0]
        self.assertEqual((r['accel'], list(r)), ('kvm', KEYS))
        r = find(rec, 'syscall.null', 'x86_64-pvh-kvm')[0]
        self.assertEqual((r['status'], r['reason']),
                         ('skipped', qemu_bench.KVM_NO_USER))

    def test_a_crashing_group_does_not_stop_the_others(self):
        def boom(argv, timeout):
            if 'bench.kmalloc' in ' '.join(argv):
                raise ValueError('made-up bug')
            return fake_boot({})(argv, timeout)
        path = os.path.join(self.tmp, 'results.json')
        with mock.patch.object(qemu_bench.qemu, 'pick_accel', no_kvm), \
                contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            rc = qemu_bench.main(['--x86', self.tmp, '--arm', self.tmp,
                                  '--results', path], boot=boom)
        rec = results.load(path)
        self.assertEqual(rc, 1)
        r = find(rec, 'kmalloc.pair_16', 'aarch64-gicv2')[0]
        self.assertEqual(r['reason'], 'error: ValueError: made-up bug')
        self.assertEqual(list(find(rec, 'sched.thread_call',
                                   'aarch64-gicv2')[0]), KEYS)


# lbench's process, pipe and file figures, the same on both kernels
PROCS = ''.join('bench: linux %s n=84 hz=%d median=%d p99=%d '
                'centicycles\n' % (f, HZ, m, 2 * m)
                for f, m in (('fork_exit_wait', 20000000),
                             ('fork_exec_wait', 40000000),
                             ('pipe_4k', 400000),
                             ('tmpfs_rw_4k', 100000)))
# Aegis's figures beside Linux's (its records of the configuration)
MINE = {'syscall.null': {'value': 250.0, 'p99': 900.0, 'n': 201},
        'sched.yield_switch': {'value': 220.0, 'p99': 800.0, 'n': 201},
        'smp.bus_pingpong_same': {'value': 4000.0, 'p99': 9000.0,
                                  'n': 4020},
        'smp.bus_pingpong_cross': {'value': 30000.0, 'p99': 90000.0,
                                   'n': 4020}}
ARM_ROOT = '/made-up/arm64'
ARM_KERNEL = ARM_ROOT + '/boot/vmlinuz-6.1.0-57-arm64'


def linux_out(median, cross=True):
    """What lbench prints as Linux's init."""
    o = ('bench: linux null_syscall n=201 hz=%d median=%d '
         'p99=400000 centicycles\nbench: linux yield_switch n=201 '
         'hz=%d median=30000 p99=60000 centicycles\n'
         'bench: linux pingpong_same n=201 hz=%d median=500000 '
         'p99=900000 centicycles\nlbench: up\n'
         % (HZ, median, HZ, HZ)) + PROCS
    if cross:
        o += ('bench: linux pingpong_cross n=201 hz=%d '
              'median=2000000 p99=4000000 centicycles\n' % HZ)
    return o


def is_linux(argv):
    """A Linux boot of the comparison (its console on the command
    line), not Aegis's."""
    return '-append' in argv and \
        'console=tty' in argv[argv.index('-append') + 1]


def arm_glob(pat):
    """glob.glob with Debian's kernel of each arch where it belongs."""
    if pat.startswith('/boot/'):
        return ['/boot/vmlinuz-6']
    if pat.startswith(ARM_ROOT + '/boot/'):
        return [ARM_KERNEL]
    return []


class VsLinux(unittest.TestCase):
    """Linux beside Aegis, as shipped and with mitigations=off: a Linux
    whose clock did not resolve the work (median 0: its clocksource fell
    back to jiffies on a loaded host) is a failure with that reason,
    never a peer of 0 ns."""
    arch = 'x86_64'

    def run_vs(self, linux_median, off_median=42000, cross=True,
               abi_median=63000, abi_procs=True, abi_extra='',
               linux_glob=arm_glob):
        self.argvs = []

        def timed_boot(argv, marker, timeout, stop=False, within=None):
            self.argvs.append(argv)
            if 'run=lbench run.exit' in argv:	# Aegis running lbench
                return 0.5, abi_extra + ('bench: linux null_syscall n=201 '
                                         'hz=%d median=%d p99=800000 '
                                         'centicycles\n'
                                         % (HZ, abi_median)) + (
                                             PROCS if abi_procs else ''), \
                    None
            if is_linux(argv):
                off = 'mitigations=off' in argv[argv.index('-append') + 1]
                return 1.5, linux_out(off_median if off else linux_median,
                                      cross), None
            return 0.2, 'aegis: up\n', None

        args = mock.Mock(linux_initramfs='initramfs.cpio',
                         linux_initramfs_arm='initramfs-arm.cpio',
                         linux_arm_root=ARM_ROOT, timeout=5,
                         x86='build/x86_64', arm='build/aarch64')
        self.groups = []
        with mock.patch.object(qemu_bench.glob, 'glob', linux_glob), \
                contextlib.redirect_stdout(io.StringIO()):
            rows = qemu_bench.vs_linux(args, MINE, timed_boot, self.groups,
                                       self.arch)
        return {r['bench']: r for r in rows}

    def test_zero_median_is_a_failure_with_its_reason(self):
        rows = self.run_vs(0)
        r = rows['vs_linux.null_syscall']
        self.assertEqual(r.get('status'), 'failed')
        self.assertIn('clock did not resolve', r['reason'])
        self.assertIsNone(r['peer_value'])
        # the other figure is still measured
        self.assertEqual(rows['vs_linux.thread_switch']['peer_value'],
                         300.0)

    def test_resolved_median_is_a_peer(self):
        rows = self.run_vs(42000)
        self.assertEqual(rows['vs_linux.null_syscall']['peer_value'], 420.0)

    def test_both_linuxes_are_measured_and_named(self):
        rows = self.run_vs(52000, off_median=21000)
        on, off = (rows['vs_linux.null_syscall'],
                   rows['vs_linux.null_syscall.mitigations_off'])
        self.assertEqual((on['peer'], on['peer_value']),
                         ('linux.null_syscall', 520.0))
        self.assertEqual((off['peer'], off['peer_value']),
                         ('linux_mitigations_off.null_syscall', 210.0))
        self.assertIn('mitigations=off', off['what'])
        cross = rows['vs_linux.pingpong_cross.mitigations_off']
        self.assertEqual((cross['value'], cross['peer_value'],
                          cross['ratio']), (30000.0, 20000.0, 1.5))
        self.assertIn('vs_linux.boot_to_first_program.mitigations_off',
                      rows)
        # booted to busybox's shell too: Aegis with init=busybox, each
        # Linux with busybox sh -i as its first program
        shell = rows['vs_linux.boot_to_shell_prompt.mitigations_off']
        self.assertEqual((shell['unit'], shell['peer']),
                         ('ms', 'linux_mitigations_off.boot_to_shell'))
        self.assertTrue(any('init=busybox' in a for a in self.argvs))
        lsh = [a for a in self.argvs if is_linux(a) and
               a[a.index('-append') + 1].endswith(
                   'rdinit=/bin/busybox -- sh -i')]
        self.assertEqual(len(lsh), 2)
        # every boot, Aegis's included, has the same two CPUs
        for argv in self.argvs:
            self.assertEqual(argv[argv.index('-smp') + 1], '2')
        self.assertEqual(len(self.argvs), 7)
        # four figures, five of the Linux personality's, two boots
        self.assertEqual(len(rows), 2 * 11)
        fork = rows['vs_linux.fork_exit_wait']
        self.assertEqual((fork['value'], fork['peer_value'], fork['ratio']),
                         (200000.0, 200000.0, 1.0))
        self.assertIsNone(self.groups[-1][1])
        # the same lbench under Aegis's Linux personality, beside both
        abi, abi_off = (rows['vs_linux.null_syscall_linux_abi'],
                        rows['vs_linux.null_syscall_linux_abi.'
                             'mitigations_off'])
        self.assertEqual((abi['value'], abi['peer'], abi['peer_value'],
                          abi['ratio']),
                         (630.0, 'linux.null_syscall', 520.0, 1.212))
        self.assertEqual(abi_off['peer_value'], 210.0)
        # every record is this arch's, in its configuration
        config = qemu_bench.LINUX_ARCHES[self.arch]['config']
        for r in rows.values():
            self.assertEqual((r['arch'], r['config'], r['accel']),
                             (self.arch, config, 'tcg'), r['bench'])

    def test_aegis_without_lbench_figure_fails_that_row(self):
        rows = self.run_vs(42000, abi_median=0)
        r = rows['vs_linux.null_syscall_linux_abi']
        self.assertEqual(r['status'], 'failed')
        self.assertIn('lbench', r['reason'])
        self.assertEqual(rows['vs_linux.null_syscall']['peer_value'], 420.0)
        self.assertEqual(self.groups[-1][1], 'failed')

    def test_aegis_without_fork_figures_fails_those_rows(self):
        rows = self.run_vs(42000, abi_procs=False)
        r = rows['vs_linux.fork_exec_wait']
        self.assertEqual(r['status'], 'failed')
        self.assertIn('Aegis ran no fork_exec_wait', r['reason'])
        self.assertEqual(rows['vs_linux.null_syscall_linux_abi']['value'],
                         630.0)
        self.assertEqual(self.groups[-1][1], 'failed')

    def test_linux_without_a_second_cpu_fails_that_figure(self):
        rows = self.run_vs(42000, cross=False)
        r = rows['vs_linux.pingpong_cross']
        self.assertEqual(r['status'], 'failed')
        self.assertIn('pingpong_cross', r['reason'])
        self.assertEqual(self.groups[-1][1], 'failed')

    def test_no_linux_kernel_is_skipped_with_why(self):
        rows = self.run_vs(42000, linux_glob=lambda pat: [])
        self.assertEqual(len(rows), 2 * 11)
        for r in rows.values():
            self.assertEqual((r['status'], r['value'], r['arch']),
                             ('skipped', None, self.arch))
            self.assertEqual(r['reason'],
                             qemu_bench.LINUX_ARCHES[self.arch]['missing'])
        self.assertEqual(self.groups[-1][1], 'skipped')
        self.assertEqual(self.argvs, [])


    def hung_first(self, tries_hung):
        """linux_peer on a Linux whose first tries_hung boots hang before
        lbench: (figures, boot seconds, why, the boots)."""
        boots = []

        def timed_boot(argv, marker, timeout, stop=False, within=None):
            boots.append(within)
            if len(boots) <= tries_hung:
                return None, 'tsc: Unable to calibrate against PIT\n', \
                    'no "lbench: up" within %g s' % within
            return 1.5, linux_out(42000), None
        with contextlib.redirect_stdout(io.StringIO()):
            got = qemu_bench.linux_peer(self.arch, '/boot/vmlinuz-6', 'i',
                                        300, timed_boot)
        return got + (boots,)

    def test_a_linux_hung_in_its_boot_is_booted_again(self):
        figs, boot_s, why, boots = self.hung_first(1)
        self.assertEqual((boot_s, why), (1.5, None))
        self.assertEqual(figs['null_syscall'][2], 42000)
        self.assertEqual(boots, [qemu_bench.LINUX_UP_WITHIN] * 2)

    def test_a_linux_hung_before_its_shell_is_booted_again(self):
        boots = []

        def timed_boot(argv, marker, timeout, stop=False, within=None):
            boots.append(argv)
            if len(boots) == 1:
                return None, '', 'no "%s" within %g s' % (marker, within)
            return 4.5, 'built-in shell (ash)\n', None
        with contextlib.redirect_stdout(io.StringIO()):
            got = qemu_bench.linux_shell(self.arch, '/boot/vmlinuz-6', 'i',
                                         '', 300, timed_boot)
        self.assertEqual(got, (4.5, None))
        self.assertEqual(len(boots), 2)
        boots.clear()
        boots.append('hung once more')
        with contextlib.redirect_stdout(io.StringIO()):
            s, why = qemu_bench.linux_shell(
                self.arch, '/boot/vmlinuz-6', 'i', '', 300,
                lambda *a, **k: (None, '', 'no "x" within 90 s'))
        self.assertIsNone(s)
        self.assertIn('twice', why)

    def test_a_linux_hung_twice_is_a_failure_saying_so(self):
        figs, boot_s, why, boots = self.hung_first(2)
        self.assertEqual((figs, boot_s, len(boots)), ({}, None, 2))
        self.assertIn('no "lbench: up" within %g s, twice'
                      % qemu_bench.LINUX_UP_WITHIN, why)


class VsLinuxAArch64(VsLinux):
    """The same on AArch64: Debian's arm64 kernel from the arm64 root in
    Aegis's GICv3 configuration, and the arm64 lbench under Aegis."""
    arch = 'aarch64'

    def test_the_same_qemu_as_aegis(self):
        self.run_vs(42000)
        aegis = [a for a in self.argvs if not is_linux(a)]
        linux = [a for a in self.argvs if is_linux(a)]
        self.assertEqual((len(aegis), len(linux)), (3, 4))
        for argv in self.argvs:
            self.assertEqual(argv[0], 'qemu-system-aarch64')
            for opt, val in (('-M', 'virt,gic-version=3'),
                             ('-cpu', 'cortex-a72'), ('-accel', 'tcg'),
                             ('-m', '256'), ('-smp', '2')):
                self.assertEqual(argv[argv.index(opt) + 1], val, opt)
        for argv in aegis:
            self.assertEqual(argv[argv.index('-kernel') + 1],
                             'build/aarch64/Image')
        for k in (1, 2):	# the shell's boot, lbench's
            self.assertEqual(aegis[k][aegis[k].index('-initrd') + 1],
                             'build/aarch64/test/user/initrd.cpio')
        for argv in linux:
            self.assertEqual(argv[argv.index('-kernel') + 1], ARM_KERNEL)
            self.assertEqual(argv[argv.index('-initrd') + 1],
                             'initramfs-arm.cpio')
        on, on_sh, off, off_sh = (a[a.index('-append') + 1] for a in linux)
        self.assertEqual(on, 'console=ttyAMA0 quiet panic=-1')
        # mitigations=off keeps KPTI on for KASLR: kpti=0 as well
        self.assertEqual(off, on + ' mitigations=off kpti=0')
        # each booted once more to busybox's shell as its first program
        self.assertEqual(on_sh, on + ' rdinit=/bin/busybox -- sh -i')
        self.assertEqual(off_sh, off + ' rdinit=/bin/busybox -- sh -i')

    def test_enosys_calls_are_named_and_kept(self):
        hdr = os.path.join(tempfile.mkdtemp(prefix='bench-robust-'), 'u.h')
        with open(hdr, 'w') as f:
            f.write('#define __NR_getrandom 278\n#define __NR_rseq 293\n')
        said = ''.join('linux: pid 1 called system call %d (aarch64), which '
                       'Aegis does not have: -ENOSYS\n' % n
                       for n in (293, 278, 293, 999))
        with mock.patch.dict(qemu_bench.UNISTD, {'aarch64': hdr}):
            rows = self.run_vs(42000, abi_extra=said)
            self.assertEqual(rows['vs_linux.fork_exit_wait']['aegis_enosys'],
                             ['293 (rseq)', '278 (getrandom)', '999'])
            rows = self.run_vs(42000, abi_extra=said, abi_procs=False)
        r = rows['vs_linux.pipe_4k.mitigations_off']
        self.assertEqual(r['status'], 'failed')
        self.assertIn('Aegis ran no pipe_4k (lbench stopped before it; '
                      'Aegis answered -ENOSYS to system calls 293 (rseq), '
                      '278 (getrandom), 999)', r['reason'])


def fake_timed(broken=(), crash=()):
    """A timed_boot for the Linux comparisons of both arches: broken, the
    arches whose Linux boots time out having printed nothing; crash, the
    arches whose boots raise (a bug)."""
    def timed_boot(argv, marker, timeout, stop=False, within=None):
        arch = 'aarch64' if argv[0].endswith('aarch64') else 'x86_64'
        if arch in crash:
            raise ValueError('made-up bug')
        if 'run=lbench run.exit' in argv:
            return 0.5, ('linux: pid 1 called system call 293 (%s), which '
                         'Aegis does not have: -ENOSYS\n' % arch +
                         'bench: linux null_syscall n=201 hz=%d median=63000 '
                         'p99=800000 centicycles\n' % HZ) + PROCS, None
        if is_linux(argv):
            if arch in broken:
                return None, '', 'timed out after 1 s'
            return 1.5, linux_out(42000), None
        return 0.2, 'aegis: up\n', None
    return timed_boot


class VsLinuxBothArches(unittest.TestCase):
    """The whole QEMU step with both Linux peers: a failure or a timeout
    on one arch is that arch's, recorded with why; the other's figures
    stay."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='bench-robust-')

    def run_both(self, timed):
        path = os.path.join(self.tmp, 'results.json')
        results.save(path, [HOST])
        out = io.StringIO()
        with mock.patch.object(qemu_bench.qemu, 'pick_accel', no_kvm), \
                mock.patch.object(qemu_bench.glob, 'glob', arm_glob), \
                contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(io.StringIO()):
            rc = qemu_bench.main(
                ['--x86', self.tmp, '--arm', self.tmp, '--results', path,
                 '--timeout', '1', '--linux-initramfs', 'i.cpio',
                 '--linux-initramfs-arm', 'a.cpio', '--linux-arm-root',
                 ARM_ROOT], boot=fake_boot({}), timed_boot=timed)
        return rc, results.load(path), out.getvalue()

    def vs(self, rec, arch):
        return {r['bench']: r for r in rec
                if r['bench'].startswith('vs_linux.') and r['arch'] == arch}

    def test_both_arches_have_their_rows(self):
        rc, rec, out = self.run_both(fake_timed())
        self.assertEqual(rc, 0)
        x86, arm = self.vs(rec, 'x86_64'), self.vs(rec, 'aarch64')
        self.assertEqual((len(x86), len(arm)), (22, 22))
        self.assertEqual(set(x86), set(arm))
        for r in list(x86.values()) + list(arm.values()):
            self.assertTrue(results.measured(r), r)
        # each beside its own configuration's Aegis figures
        self.assertEqual(arm['vs_linux.thread_switch']['value'],
                         find(rec, 'sched.yield_switch',
                              'aarch64-gicv3')[0]['value'])
        self.assertEqual(arm['vs_linux.thread_switch']['config'],
                         'aarch64-gicv3')
        self.assertEqual(arm['vs_linux.null_syscall']['linux_kernel'],
                         'vmlinuz-6.1.0-57-arm64')
        self.assertIn('Aegis against Linux in the same QEMU (x86_64 '
                      'microvm', out)
        self.assertIn('Aegis against Linux in the same QEMU (AArch64 virt, '
                      'GICv3', out)
        self.assertIn('qemu bench: 17 of 18 groups ran; skipped: '
                      'x86_64-pvh-kvm (this host is a virtual machine)', out)

    def test_aarch64_timeout_keeps_x86_64(self):
        rc, rec, out = self.run_both(fake_timed(broken=('aarch64',)))
        self.assertEqual(rc, 1)
        x86, arm = self.vs(rec, 'x86_64'), self.vs(rec, 'aarch64')
        for r in x86.values():
            self.assertTrue(results.measured(r), r)
        self.assertEqual(x86['vs_linux.null_syscall']['peer_value'], 420.0)
        self.assertEqual(len(arm), 22)
        r = arm['vs_linux.null_syscall']
        self.assertEqual((r['status'], r['value'], r['group']),
                         ('failed', None, 'linux'))
        self.assertIn('timed out after 1 s', r['reason'])
        self.assertIn('timed out', arm['vs_linux.fork_exit_wait']['reason'])
        last = out.splitlines()[-1]
        self.assertIn('failed: aarch64-gicv3 linux (Linux (Linux as '
                      'shipped): timed out after 1 s', last)
        self.assertNotIn('x86_64-pvh linux', last)
        self.assertIn(results.FAILED, out)

    def test_aarch64_bug_keeps_x86_64(self):
        rc, rec, out = self.run_both(fake_timed(crash=('aarch64',)))
        self.assertEqual(rc, 1)
        for r in self.vs(rec, 'x86_64').values():
            self.assertTrue(results.measured(r), r)
        arm = self.vs(rec, 'aarch64')
        self.assertEqual(len(arm), 22)
        for r in arm.values():
            self.assertEqual((r['status'], r['reason']),
                             ('failed', 'error: ValueError: made-up bug'))
        self.assertIn('aarch64-gicv3 linux (error: ValueError: made-up bug)',
                      out.splitlines()[-1])

    def test_x86_64_timeout_keeps_aarch64(self):
        rc, rec, out = self.run_both(fake_timed(broken=('x86_64',)))
        self.assertEqual(rc, 1)
        for r in self.vs(rec, 'aarch64').values():
            self.assertTrue(results.measured(r), r)
        self.assertEqual(
            self.vs(rec, 'x86_64')['vs_linux.pipe_4k']['status'], 'failed')

    def test_page_has_both_tables(self):
        _, rec, _ = self.run_both(fake_timed(broken=('aarch64',)))
        path = os.path.join(self.tmp, 'r.json')
        doc = os.path.join(self.tmp, 'doc.md')
        results.save(path, rec)
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(perf_doc.main([path, doc]), 0)
        with open(doc) as f:
            page = f.read()
        x86 = page.index('### x86_64 (microvm')
        arm = page.index('### AArch64 (`virt`, GICv3')
        self.assertLess(x86, arm)
        self.assertRegex(page[x86:arm], r'\| `vs_linux.null_syscall` '
                         r'\(getpid from user mode \(Linux as shipped\)\) '
                         r'\| x86_64 PVH, TCG \| 300.0 ns \|')
        self.assertIn('| AArch64 GICv3, TCG | failed: Linux: timed out '
                      'after 1 s', page[arm:])
        self.assertIn('- aarch64-gicv3 (linux): failed: Linux: timed out',
                      page)
        self.assertIn('Debian\'s `vmlinuz-6`, booted as shipped and with '
                      '`mitigations=off`.', page[x86:arm])

    def test_page_names_each_arch_linux_and_what_aegis_lacked(self):
        with mock.patch.dict(qemu_bench.UNISTD, {
                'x86_64': '/nonexistent', 'aarch64': '/nonexistent'}):
            _, rec, _ = self.run_both(fake_timed())
        path = os.path.join(self.tmp, 'r.json')
        doc = os.path.join(self.tmp, 'doc.md')
        results.save(path, rec)
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(perf_doc.main([path, doc]), 0)
        with open(doc) as f:
            page = f.read()
        arm = page[page.index('### AArch64'):page.index('## The seed')]
        self.assertIn('| `vs_linux.pipe_4k.mitigations_off` (4 KiB written '
                      'into a pipe a child reads (lbench under both kernels) '
                      '(Linux with mitigations=off kpti=0)) | AArch64 GICv3, '
                      'TCG | 4000.0 ns |', arm)
        self.assertIn('Linux: Debian\'s `vmlinuz-6.1.0-57-arm64`, booted as '
                      'shipped and with `mitigations=off kpti=0`.', arm)
        self.assertIn('answered with -ENOSYS, and went on without them: 293 '
                      '(the arch\'s Linux numbers)', arm)
        self.assertNotIn('(linux):', page)


class PerfDoc(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='bench-robust-')

    def render(self, rec):
        path = os.path.join(self.tmp, 'r.json')
        doc = os.path.join(self.tmp, 'doc.md')
        results.save(path, rec)
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(perf_doc.main([path, doc]), 0)
        with open(doc) as f:
            return f.read()

    def test_failed_and_skipped_boots_have_rows(self):
        _, rec, _ = run_qemu(self.tmp, {
            ('aarch64-gicv3', 'irq'): ('', 'timed out after 1 s'),
            ('x86_64-pvh', 'sched'): ('ktest: FAIL | bench.sched\n', None),
        }, host=[HOST])
        page = self.render(rec)
        self.assertIn('| `irq.top_to_handler`, `irq.arrival_to_handler` | '
                      'AArch64 GICv3, TCG | failed: timed out after 1 s; '
                      'no figures | - | `irq_entry` | - |', page)
        self.assertIn('| `sched.yield_switch`, `sched.thread_call`, '
                      '`sched.spawn_exit` | x86_64 PVH, TCG | failed: no '
                      'figures; last: ktest: FAIL \\| bench.sched |', page)
        self.assertIn('skipped: this host is a virtual machine', page)
        # the figures that ran are in the same tables
        self.assertRegex(page, r'\| `irq.top_to_handler` \| AArch64 GICv2, '
                               r'TCG \| 500.0 ns \|')
        self.assertIn('`sched.thread_call` not measured (', page)
        self.assertIn('## What did not run', page)
        self.assertIn('- aarch64-gicv3 (irq): failed: timed out after 1 s',
                      page)
        self.assertIn('| context switch under 1 µs | x86_64 PVH, TCG | '
                      'failed: ', page)

    def test_failed_host_program_has_rows(self):
        recs, _ = run_host_programs(self.tmp, {'mm-bench': 'exit 3'})
        page = self.render(recs)
        self.assertIn('| `kmalloc.*` | host, native | failed: exited with '
                      'status 3 |', page)
        self.assertIn('| `mm.*` | host, native | failed: exited with '
                      'status 3 |', page)

    def test_a_run_where_everything_ran_lists_nothing_missing(self):
        _, rec, _ = run_qemu(self.tmp, {}, pick=lambda a, arch, b: (
            'kvm' if a == 'auto' else a, None), host=[HOST])
        rec = [r for r in rec if results.measured(r)]
        page = self.render(rec)
        self.assertNotIn('(linux):', page)
        self.assertNotIn('failed:', page)


def program(tmp, name, body):
    """A host benchmark made up as a shell script: $1 is its file."""
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n' + body + '\n')
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


GOOD = ('printf \'[{"bench": "bus.send", "arch": "host", "accel": '
        '"native", "value": 75.5, "unit": "ns", "peer": "direct_call", '
        '"peer_value": 2.1, "ratio": 36.249, "p99": 117.5, "n": 100000}]\' '
        '> "$1"')


def run_host_programs(tmp, bodies, timeout=30):
    """run_bench.run_host on bus-bench (good) and the bodies given."""
    progs = [program(tmp, 'bus-bench', GOOD)]
    progs += [program(tmp, n, b) for n, b in bodies.items()]
    with contextlib.redirect_stdout(io.StringIO()):
        return run_bench.run_host(progs, timeout)


class HostBench(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='bench-robust-')

    def test_each_program_fails_alone(self):
        rec, groups = run_host_programs(self.tmp, {
            'mm-bench': 'exit 3',
            'bus-scale': 'sleep 60',
            'garbage': 'echo "[{" > "$1"',
            'empty': 'true',
        }, timeout=1)
        self.assertEqual(rec[0], HOST)
        self.assertEqual([(g, st) for g, st, _ in groups], [
            ('host bus-bench', None), ('host mm-bench', 'failed'),
            ('host bus-scale', 'failed'), ('host garbage', 'failed'),
            ('host empty', 'failed')])
        why = {r['bench']: r['reason'] for r in rec[1:]}
        self.assertEqual(why, {
            'kmalloc.*': 'exited with status 3',
            'mm.*': 'exited with status 3',
            'bus.scale.*': 'timed out after 1 s',
            'garbage.*': why['garbage.*'],
            'empty.*': 'wrote no records'})
        self.assertTrue(why['garbage.*'].startswith('wrote no JSON list'))
        for r in rec[1:]:
            self.assertEqual((r['arch'], r['status'], r['value']),
                             ('host', 'failed', None))

    def test_missing_program(self):
        with contextlib.redirect_stdout(io.StringIO()):
            rec, groups = run_bench.run_host([os.path.join(
                self.tmp, 'bus-scale')], 5)
        self.assertEqual(groups[0][1], 'failed')
        self.assertTrue(rec[0]['reason'].startswith('cannot run '))


class RunBench(unittest.TestCase):
    """The whole of `scons bench`: results and the page are written from
    what ran, and the exit status is 1 because something failed."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='bench-robust-')

    def run_all(self, broken, hosts):
        real = qemu_bench.main
        res = os.path.join(self.tmp, 'results.json')
        doc = os.path.join(self.tmp, 'PERF.md')
        progs = [program(self.tmp, n, b) for n, b in hosts.items()]
        out = io.StringIO()
        with mock.patch.object(qemu_bench.qemu, 'pick_accel', no_kvm), \
                mock.patch.object(qemu_bench, 'main', lambda argv: real(
                    argv, boot=fake_boot(broken))), \
                contextlib.redirect_stdout(out):
            rc = run_bench.main(['--results', res, '--doc', doc, '--x86',
                                 self.tmp, '--arm', self.tmp] + progs)
        with open(doc) as f:
            return rc, results.load(res), f.read(), out.getvalue()

    def test_failures_still_write_results_and_page(self):
        rc, rec, page, out = self.run_all(
            {('x86_64-pvh', 'kmalloc'): ('', 'timed out after 1 s')},
            {'bus-bench': GOOD, 'mm-bench': 'kill -SEGV $$'})
        self.assertEqual(rc, 1)
        self.assertEqual(rec[0], HOST)
        self.assertEqual(
            [r['reason'] for r in rec if r['bench'] == 'mm.*'],
            ['killed by signal 11'])
        self.assertEqual(list(find(rec, 'sched.yield_switch',
                                   'x86_64-pvh')[0]), KEYS)
        self.assertIn('| x86_64 PVH, TCG | failed: timed out after 1 s; '
                      'no figures |', page)
        self.assertIn('`bus.send` | host, native | 75.5 ns', page)
        last = out.splitlines()[-1]
        self.assertTrue(last.startswith('bench: failed: host mm-bench, '
                                        'x86_64-pvh kmalloc'), last)

    def test_all_ran_exits_zero(self):
        rc, rec, page, out = self.run_all({}, {'bus-bench': GOOD})
        self.assertEqual(rc, 0)
        self.assertTrue(out.splitlines()[-1].startswith(
            'bench: everything ran'))
        self.assertIn('skipped: this host is a virtual machine', page)


class Collapse(unittest.TestCase):
    def test_one_row_per_group_that_did_not_run(self):
        a = results.not_run('irq.a', 'x86_64', 'tcg', 'failed', 'why',
                            'irq', 'c1')
        b = dict(a, bench='irq.b')
        c = dict(a, bench='irq.a', config='c2')
        rows = results.collapse([a, b, HOST, c])
        self.assertEqual(rows, [[a, b], HOST, [c]])


if __name__ == '__main__':
    unittest.main(verbosity=2)
