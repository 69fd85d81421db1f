#!/usr/bin/env python3
"""tools/gen_contracts.py: what it makes of good interface descriptions,
its refusal (file, line, reason; nothing written) of malformed ones, that
a misspelt topic symbol does not compile, and that the docs' generated
sections are checked. Run by `scons test` (suite gen-contracts)."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GEN = os.path.join(TOP, 'tools', 'gen_contracts.py')

SVC = """# a service
service pinger
header aegis/bus.h
doc docs/PING.md
implements echo
subscribe kernel.boot.done
subscribe hw.irq.uart0
#
ping.ask   | request | uint32_t      | bytes 0..8 | - | Ask.
ping.seen  | event   | struct bus_irq_event | - | 3 | Seen.
ping.poke  | message | bytes 1..40   | -          | - | Poke it.
"""
IFACE = """interface echo
doc docs/PING.md
echo.say | request | bytes 0..40 | bytes 0..40 | - | Say it back.
"""
KERNEL = """service kernel
doc docs/PING.md
kernel.boot.done | event | none | - | - | Booted.
hw.irq.* | event | struct bus_irq_event | - | 0 | An interrupt.
user.* | open | bytes 0..40 | - | - | Free for processes.
"""


class Gen(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.d, 'docs'))
        with open(os.path.join(self.d, 'docs', 'PING.md'), 'w') as f:
            f.write('# Ping\n\nText.\n')
        self.files = {'pinger.def': SVC, 'echo.def': IFACE,
                      'kernel.def': KERNEL}

    def tearDown(self):
        shutil.rmtree(self.d)

    def run_gen(self, *extra, files=None):
        paths = []
        for name, text in (files or self.files).items():
            p = os.path.join(self.d, name)
            with open(p, 'w') as f:
                f.write(text)
            paths.append(name)
        outs = {k: os.path.join(self.d, 'out', k)
                for k in ('topics.h', 'contracts.c', 'clients.h')}
        os.makedirs(os.path.join(self.d, 'out'), exist_ok=True)
        args = list(extra) or ['--header', outs['topics.h'], '--table',
                               outs['contracts.c'], '--clients',
                               outs['clients.h']]
        p = subprocess.run([sys.executable, GEN] + paths + args,
                           cwd=self.d, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        return p.returncode, p.stdout, outs

    def refused(self, name, text, why, line=None):
        files = dict(self.files)
        files[name] = text
        rc, out, outs = self.run_gen(files=files)
        self.assertEqual(rc, 1, out)
        self.assertIn(why, out)
        if line:
            self.assertIn('%s:%d:' % (name, line), out)
        for f in outs.values():
            self.assertFalse(os.path.exists(f), 'wrote %s' % f)

    def test_good_descriptions(self):
        rc, out, outs = self.run_gen()
        self.assertEqual(rc, 0, out)
        with open(outs['topics.h']) as f:
            h = f.read()
        # sorted by file: echo, kernel, pinger; named topics first
        self.assertIn('#define TOPIC_ECHO_SAY ((bus_topic_t)0)', h)
        self.assertIn('#define TOPIC_KERNEL_BOOT_DONE ((bus_topic_t)1)', h)
        self.assertIn('#define TOPIC_PING_POKE ((bus_topic_t)4)', h)
        self.assertIn('#define TOPICS_NAMED 5', h)
        self.assertNotIn('HW_IRQ', h)
        self.assertIn('#define SERVES_PINGER SERVICE_LIST("ping.ask", '
                      '"ping.poke", "echo.say")', h)
        self.assertIn('#define SUBSCRIBES_PINGER SERVICE_LIST('
                      '"kernel.boot.done", "hw.irq.uart0")', h)
        with open(outs['contracts.c']) as f:
            c = f.read()
        self.assertIn('{ "ping.ask", "pinger", "pinger", BUS_C_REQUEST, -1, '
                      'sizeof(uint32_t), sizeof(uint32_t), 0, 8 },', c)
        self.assertIn('{ "echo.say", NULL, "echo", BUS_C_REQUEST', c)
        # families last
        self.assertLess(c.index('"ping.poke"'), c.index('"hw.irq.*"'))
        self.assertIn('BUS_C_OPEN', c)
        with open(outs['clients.h']) as f:
            cl = f.read()
        self.assertIn('static inline int call_ping_ask(const uint32_t *req, '
                      'void *rep, size_t cap, size_t *rlen)', cl)
        self.assertIn('static inline int call_echo_say(bus_svc_t dst, ', cl)
        self.assertIn('static inline int publish_ping_seen(const struct '
                      'bus_irq_event *req)', cl)
        self.assertIn('bus_publish(TOPIC_PING_SEEN, 3, req, sizeof(*req))',
                      cl)
        self.assertIn('static inline int send_ping_poke(const void *req, '
                      'size_t req_len)', cl)

    def test_refusals(self):
        self.refused('pinger.def', SVC.replace('| - | Ask.', '| 9 | Ask.'),
                     "prio '9' is not - or 0..7", 9)
        self.refused('pinger.def', SVC.replace('| request |', '| ask |'),
                     "kind 'ask' is not one of", 9)
        self.refused('pinger.def', SVC.replace('bytes 0..8', 'bytes 0..41'),
                     'need MIN <= MAX <= 40', 9)
        self.refused('pinger.def', SVC.replace('uint32_t      |', 'u32 |'),
                     "'u32' is not none, a C type", 9)
        self.refused('pinger.def', SVC.replace('| - | 3 | Seen', '| none '
                                               '| 3 | Seen'),
                     'only a request has a reply', 10)
        self.refused('pinger.def', SVC.replace('| Poke it.', '|'),
                     'says nothing about what it is', 11)
        self.refused('pinger.def', SVC.replace('ping.ask   |', 'Ping.Ask |'),
                     "topic 'Ping.Ask'", 9)
        self.refused('pinger.def', SVC.replace('| - | Ask.', '| Ask.'),
                     '5 columns, want 6', 9)
        self.refused('pinger.def', SVC.replace('implements echo',
                                               'implements ekho'),
                     'implements ekho, which no interface file describes')
        self.refused('pinger.def', SVC.replace('subscribe kernel.boot.done',
                                               'subscribe kernel.boot.dne'),
                     'subscribes to kernel.boot.dne, which no contract')
        self.refused('pinger.def', SVC.replace('service pinger',
                                               'service pingr'),
                     'describes pingr, so its name is pingr.def')
        self.refused('pinger.def', SVC + 'echo.say | event | none | - | - '
                     '| Again.\n', 'echo.say already described at')
        self.refused('pinger.def', SVC.replace('doc docs/PING.md\n', ''),
                     'names no doc page')
        self.refused('pinger.def', SVC.replace('header aegis/bus.h',
                                               'include aegis/bus.h'),
                     "'include' is not a directive", 3)
        self.refused('kernel.def', KERNEL.replace('hw.irq.* | event',
                                                  'hw.irq.* | request'),
                     'a family cannot be a request')
        self.refused('pinger.def', SVC + 'ping.a-b | event | none | - | - '
                     '| Dash.\nping.a_b | event | none | - | - | Under.\n',
                     'ping.a_b and ping.a-b would both be TOPIC_PING_A_B')
        self.refused('echo.def', IFACE + 'echo.heard | event | none | - | '
                     '- | Heard.\n', 'an interface has no owner to publish')

    def test_misspelt_topic_does_not_compile(self):
        rc, out, outs = self.run_gen()
        self.assertEqual(rc, 0, out)
        # the generated header where #include <aegis/topics.h> finds it
        gen = os.path.join(self.d, 'inc', 'aegis')
        os.makedirs(gen)
        shutil.copy(outs['topics.h'], gen)
        src = os.path.join(self.d, 'use.c')
        for sym, ok in (('TOPIC_PING_ASK', True), ('TOPIC_PING_AKS', False)):
            with open(src, 'w') as f:
                f.write('#include <aegis/topics.h>\n'
                        'int use(void);\nint use(void) { return %s; }\n'
                        % sym)
            p = subprocess.run(['gcc', '-std=gnu11', '-fno-diagnostics-'
                                'show-caret', '-Werror',
                                '-fsyntax-only', '-I',
                                os.path.join(TOP, 'include'), '-I',
                                os.path.join(self.d, 'inc'), src],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            self.assertEqual(p.returncode == 0, ok, p.stdout)
            if not ok:
                self.assertIn("TOPIC_PING_AKS", p.stdout)
                self.assertIn("undeclared", p.stdout)

    def test_docs_written_then_checked(self):
        rc, out, _ = self.run_gen('--check-docs')
        self.assertEqual(rc, 1, out)
        self.assertIn('docs/PING.md: its contract section differs', out)
        rc, out, _ = self.run_gen('--write-docs')
        self.assertEqual(rc, 0, out)
        with open(os.path.join(self.d, 'docs', 'PING.md')) as f:
            page = f.read()
        self.assertIn('Text.', page)
        self.assertIn('| `ping.ask` | request | `uint32_t` | 0..8 bytes | '
                      "sender's | Ask. |", page)
        self.assertIn('Implements: `echo`. Subscribes to: '
                      '`kernel.boot.done`, `hw.irq.uart0`.', page)
        rc, out, _ = self.run_gen('--check-docs')
        self.assertEqual(rc, 0, out)
        # a change to the description makes the page stale again, and a
        # rewrite replaces the section in place (not a second copy)
        files = dict(self.files)
        files['pinger.def'] = SVC.replace('| Ask.', '| Ask twice.')
        rc, out, _ = self.run_gen('--check-docs', files=files)
        self.assertEqual(rc, 1, out)
        rc, out, _ = self.run_gen('--write-docs', files=files)
        with open(os.path.join(self.d, 'docs', 'PING.md')) as f:
            page = f.read()
        self.assertEqual(page.count('<!-- contract pinger:'), 1)
        self.assertIn('Ask twice.', page)

    def test_the_tree_describes_itself(self):
        """The repository's own contracts/ generate, and its docs are
        current."""
        defs = sorted(glob.glob(os.path.join(TOP, 'contracts', '*.def')))
        self.assertTrue(defs)
        p = subprocess.run([sys.executable, GEN] +
                           [os.path.relpath(d, TOP) for d in defs] +
                           ['--check-docs'], cwd=TOP,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stdout)


if __name__ == '__main__':
    unittest.main()
