#!/usr/bin/env python3
"""test_check_boundaries.py - tools/check_boundaries.py on made-up trees:
it passes services that only call the core, and fails a service calling
another service's function, the core calling a service, and a service
including another's header. The objects are compiled with the host's cc.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, '..', '..', 'tools', 'check_boundaries.py')


class Tree:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix='aegis-bounds-')
        self.build = os.path.join(self.root, 'build')
        for d in ('services', 'devnodes', 'kernel'):
            os.makedirs(os.path.join(self.root, d))

    def add(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write(text)
        if path.endswith('.c'):
            obj = os.path.join(self.build, path[:-2] + '.o')
            os.makedirs(os.path.dirname(obj), exist_ok=True)
            subprocess.run(['cc', '-c', '-I', self.root, '-o', obj, full],
                           check=True)

    def check(self):
        r = subprocess.run([sys.executable, TOOL, '--root', self.root,
                            '--build', self.build],
                           capture_output=True, text=True)
        return r.returncode, r.stdout

    def close(self):
        shutil.rmtree(self.root)


class CheckBoundaries(unittest.TestCase):
    def setUp(self):
        self.t = Tree()
        self.t.add('kernel/core.c', 'int core_helper(void) { return 1; }\n')
        self.t.add('services/a/a.c',
                   'int core_helper(void);\n'
                   'int a_thing(void) { return core_helper(); }\n')
        self.t.add('devnodes/ns.c', 'int ns_thing(void) { return 2; }\n')

    def tearDown(self):
        self.t.close()

    def test_clean_tree_passes(self):
        rc, out = self.t.check()
        self.assertEqual(rc, 0, out)
        self.assertIn('3 passed, 0 failed', out)

    def test_service_calling_another_service_fails(self):
        self.t.add('services/b/b.c',
                   'int a_thing(void);\n'
                   'int b_thing(void) { return a_thing(); }\n')
        rc, out = self.t.check()
        self.assertNotEqual(rc, 0)
        self.assertIn('FAIL b: calls a_thing, which service a defines', out)

    def test_devnodes_files_are_services_of_their_own(self):
        self.t.add('devnodes/devfs.c',
                   'int ns_thing(void);\n'
                   'int devfs_thing(void) { return ns_thing(); }\n')
        rc, out = self.t.check()
        self.assertNotEqual(rc, 0)
        self.assertIn('FAIL devfs: calls ns_thing', out)

    def test_core_calling_a_service_fails(self):
        self.t.add('kernel/main.c',
                   'int a_thing(void);\n'
                   'int main_thing(void) { return a_thing(); }\n')
        rc, out = self.t.check()
        self.assertNotEqual(rc, 0)
        self.assertIn('FAIL core: kernel/main.o calls a_thing', out)

    def test_including_another_services_header_fails(self):
        self.t.add('services/a/a_private.h', 'struct a_private { int x; };\n')
        self.t.add('services/b/b.c',
                   '#include "../a/a_private.h"\n'
                   'int b_size(void) { return sizeof(struct a_private); }\n')
        rc, out = self.t.check()
        self.assertNotEqual(rc, 0)
        self.assertIn('FAIL b: services/b/b.c includes ../a/a_private.h',
                      out)

    def test_topic_named_by_hand_fails(self):
        self.t.add('services/b/b.c',
                   'int bus_topic(const char *);\n'
                   'int b_topic(void) { return bus_topic("mm.stast"); }\n')
        self.t.add('kernel/k.c',
                   'int bus_topic_find(const char *);\n'
                   'int k_topic(void) { return bus_topic_find("x.y"); }\n')
        rc, out = self.t.check()
        self.assertNotEqual(rc, 0)
        self.assertIn('FAIL b: services/b/b.c names topic "mm.stast" as a '
                      'string', out)
        self.assertIn('FAIL core: kernel/k.c names topic "x.y"', out)

    def test_hand_written_serves_list_fails(self):
        self.t.add('services/b/b.c',
                   '#define SERVICE_LIST(...) 0\n'
                   'struct d { int serves; };\n'
                   'struct d b_desc = { .serves = SERVICE_LIST("b.x") };\n')
        rc, out = self.t.check()
        self.assertNotEqual(rc, 0)
        self.assertIn('FAIL b: services/b/b.c writes its .serves list by '
                      'hand', out)

    def test_missing_object_is_an_error_not_a_pass(self):
        os.remove(os.path.join(self.t.build, 'services', 'a', 'a.o'))
        rc, out = self.t.check()
        self.assertNotEqual(rc, 0)
        self.assertIn('no object', out)


if __name__ == '__main__':
    unittest.main()
