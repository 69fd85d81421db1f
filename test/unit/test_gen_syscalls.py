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

    def test_repository_reference_is_current(self):
        p = subprocess.run(
            [sys.executable, GEN, os.path.join(TOP, 'kernel',
                                               'syscalls.def'), ERRNO,
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
