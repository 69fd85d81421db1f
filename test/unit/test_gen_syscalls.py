#!/usr/bin/env python3
"""tools/gen_syscalls.py: what it makes of a good description, and its
refusal (file, line, reason; nothing written) of every kind of malformed
one. Run by `scons test` (suite gen-syscalls)."""
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GEN = os.path.join(TOP, 'tools', 'gen_syscalls.py')
ERRNO = os.path.join(TOP, 'include', 'aegis', 'errno.h')

GOOD = """# a comment
0 | exit  | noreturn | int code                          | sched   | End it.
1 | write | size     | fd fd, in buf[len], size len:4096 | console | Write.
2 | poke  | none     | flags how:0x3, out buf[n], size n:64 | kernel | Poke.
3 | stat  | none     | in path[n], size n:16, out st[24] | ns | Stat.
"""


class Gen(unittest.TestCase):
    def run_gen(self, text, *extra):
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'calls.def')
        with open(path, 'w') as f:
            f.write(text)
        outs = {k: os.path.join(d, k) for k in ('h', 'c', 'u', 'md')}
        p = subprocess.run(
            [sys.executable, GEN, path, ERRNO, '--header', outs['h'],
             '--table', outs['c'], '--user', outs['u'], '--doc',
             outs['md']] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return p.returncode, p.stdout, outs

    def refused(self, text, why, line):
        rc, out, outs = self.run_gen(text)
        self.assertEqual(rc, 1, out)
        self.assertIn(why, out)
        if line:
            self.assertIn('calls.def:%d:' % line, out)
        for f in outs.values():
            self.assertFalse(os.path.exists(f), 'wrote %s' % f)

    def test_good_description(self):
        rc, out, outs = self.run_gen(GOOD)
        self.assertEqual(rc, 0, out)
        with open(outs['h']) as f:
            h = f.read()
        self.assertIn('#define SYS_poke         2', h)
        self.assertIn('#define SYS_COUNT        4', h)
        self.assertIn('int64_t sys_write(const uint64_t a[SYS_ARGS_MAX]);',
                      h)
        with open(outs['c']) as f:
            c = f.read()
        self.assertIn('{ "how", SYS_ARG_FLAGS, 0, 0x3ull }', c)
        self.assertIn('{ "buf", SYS_ARG_OUT, 2, 0x0ull }', c)
        self.assertIn('{ "st", SYS_ARG_OUT, SYS_LEN_FIXED, 0x18ull }', c)
        with open(outs['u']) as f:
            u = f.read()
        self.assertIn('static inline long aegis_poke(unsigned long how, '
                      'void *buf, unsigned long n)', u)
        self.assertIn('__attribute__((noreturn)) void aegis_exit(long code)',
                      u)
        with open(outs['md']) as f:
            md = f.read()
        self.assertIn('| 1 | [`write(fd, buf, len)`](#write) | bytes | '
                      'console |', md)
        self.assertIn('| -14 | `EFAULT` | bad address |', md)

    def test_wrong_column_count(self):
        self.refused('0 | exit | noreturn | int code | sched\n',
                     '5 columns, want 6', 1)

    def test_number_not_a_number(self):
        self.refused('x | exit | none | | sched | End.\n',
                     "number 'x' is not a number", 1)

    def test_bad_name(self):
        self.refused('0 | Exit | none | | sched | End.\n',
                     "name 'Exit'", 1)

    def test_unknown_result(self):
        self.refused('0 | exit | maybe | | sched | End.\n',
                     "result 'maybe' is not one of", 1)

    def test_unreadable_argument(self):
        self.refused('0 | exit | none | pointer p | sched | End.\n',
                     "cannot read argument 'pointer p'", 1)

    def test_limit_missing(self):
        self.refused('0 | sleep | none | uint ns | sched | Sleep.\n',
                     'needs a limit', 1)

    def test_bad_mask(self):
        self.refused('0 | poke | none | flags f:zz | sched | Poke.\n',
                     "'zz' is not a hex mask", 1)

    def test_buffer_length_not_a_size(self):
        self.refused('0 | write | size | in buf[n], int n | x | W.\n',
                     'buf[n]: n is not a size argument', 1)

    def test_buffer_length_missing(self):
        self.refused('0 | write | size | in buf[n] | x | W.\n',
                     'n is not a size argument', 1)

    def test_fixed_length_out_of_range(self):
        self.refused('0 | stat | none | out st[0] | x | S.\n',
                     'st: a fixed length of 1 to 4096 bytes', 1)
        self.refused('0 | stat | none | out st[5000] | x | S.\n',
                     'st: a fixed length of 1 to 4096 bytes', 1)

    def test_too_many_arguments(self):
        args = ', '.join('int a%d' % i for i in range(7))
        self.refused('0 | many | none | %s | x | Many.\n' % args,
                     '7 arguments, at most 6', 1)

    def test_argument_twice(self):
        self.refused('0 | two | none | int a, int a | x | Two.\n',
                     'an argument name twice', 1)

    def test_no_description(self):
        self.refused('0 | mute | none | | x |\n', 'says nothing', 1)

    def test_name_twice(self):
        self.refused('0 | a | none | | x | A.\n1 | a | none | | x | A.\n',
                     'a already defined at', 2)

    def test_numbers_with_a_gap(self):
        self.refused('0 | a | none | | x | A.\n2 | b | none | | x | B.\n',
                     'without gaps or repeats (gap)', 0)

    def test_numbers_repeated(self):
        self.refused('0 | a | none | | x | A.\n0 | b | none | | x | B.\n',
                     'repeated: [0]', 0)

    def test_empty_description_file(self):
        self.refused('# nothing\n', 'no system calls', 0)

    def linux(self, text):
        d = tempfile.mkdtemp()
        calls = os.path.join(d, 'calls.def')
        with open(calls, 'w') as f:
            f.write(GOOD)
        path = os.path.join(d, 'linux.def')
        with open(path, 'w') as f:
            f.write(text)
        outs = {k: os.path.join(d, k) for k in ('lh', 'lc', 'md')}
        p = subprocess.run(
            [sys.executable, GEN, calls, ERRNO, '--linux', path,
             '--linux-header', outs['lh'], '--linux-table', outs['lc'],
             '--doc', outs['md']],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return p.returncode, p.stdout, outs

    def test_linux_table_and_maps(self):
        rc, out, outs = self.linux(
            'write | 1 | 64 | size | fd fd, in buf[n], count n:4096 | ns '
            '| Write.\n'
            'arch_prctl | 158 | - | none | int code, int addr | sched | '
            'TLS.\n'
            'prlimit64 | 302 | 261 | none | int pid, in? new[16], '
            'out? old[16] | proc | Limits.\n')
        self.assertEqual(rc, 0, out)
        with open(outs['lh']) as f:
            h = f.read()
        self.assertIn('#define LSYS_write            0\n', h)
        self.assertIn('#define LSYS_COUNT           3\n', h)
        self.assertIn('#define LINUX_NR_COUNT 303\n', h)   # x86_64
        self.assertIn('#define LINUX_NR_COUNT 262\n', h)   # aarch64
        self.assertNotIn('LINUX_NR_arch_prctl', h.split('__aarch64__')[1])
        self.assertIn('LINUX_NR_arch_prctl       158',
                      h.split('__aarch64__')[0])
        with open(outs['lc']) as f:
            c = f.read()
        x86 = c.split('#if defined(__x86_64__)')[1].split('#endif')[0]
        arm = c.split('#if defined(__aarch64__)')[1].split('#endif')[0]
        # each arch's map: Linux's number -> the table's index, -1 else
        self.assertEqual(x86.count('\t1,\t/* arch_prctl */'), 1)
        self.assertNotIn('arch_prctl', arm)
        self.assertEqual(arm.count('\t0,\t/* write */'), 1)
        self.assertIn('SYS_ARG_COUNT', c)
        self.assertIn('SYS_ARG_IN_OPT', c)
        self.assertIn('SYS_ARG_OUT_OPT', c)
        with open(outs['md']) as f:
            md = f.read()
        self.assertIn('## Linux personality', md)
        self.assertIn('| [`arch_prctl(code, addr)`](#linux-arch_prctl) | '
                      '158 | - |', md)

    def test_linux_refusals(self):
        for text, why in (
                ('a | 1 | 2 | none | | x\n', '6 columns, want 7'),
                ('a | 1 | 2 | none | | x | A.\nb | 1 | 3 | none | | x | '
                 'B.\n', 'x86_64 number 1 is a\'s already'),
                ('a | - | - | none | | x | A.\n', 'on neither arch'),
                ('a | x | 2 | none | | x | A.\n', "x86_64 number 'x'"),
                ('a | 1 | 2048 | none | | x | A.\n', 'aarch64 number'),
                ('a | 1 | 2 | none | in b[n] | x | A.\n',
                 'n is not a size argument'),
                ('a | 1 | 2 | none | | x | A.\na | 3 | 4 | none | | x | '
                 'B.\n', 'already defined')):
            rc, out, outs = self.linux(text)
            self.assertEqual(rc, 1, text)
            self.assertIn(why, out, text)
            self.assertFalse(os.path.exists(outs['lh']), text)

    def test_repository_reference_is_current(self):
        p = subprocess.run(
            [sys.executable, GEN, os.path.join(TOP, 'kernel',
                                               'syscalls.def'), ERRNO,
             '--linux', os.path.join(TOP, 'kernel', 'linux_syscalls.def'),
             '--check-doc', os.path.join(TOP, 'docs',
                                         'SYSCALL_REFERENCE.md')],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_stale_reference_detected(self):
        d = tempfile.mkdtemp()
        stale = os.path.join(d, 'ref.md')
        with open(stale, 'w') as f:
            f.write('# System call reference\n\nold\n')
        p = subprocess.run(
            [sys.executable, GEN, os.path.join(TOP, 'kernel',
                                               'syscalls.def'), ERRNO,
             '--check-doc', stale],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn('regenerate it', p.stdout)


if __name__ == '__main__':
    unittest.main()
