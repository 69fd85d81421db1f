#!/usr/bin/env python3
"""check_boundaries.py - services talk to each other only through the bus.

Reads a kernel build's object files and the sources, and fails on:

- a service calling a function (or using data) that another service
  defines: every undefined symbol of a service's objects must be defined
  by the kernel core, a library or the HAL, never by another service;
- kernel core calling into a service the same way (a layer calling up);
- a service including another service's files (a header in another
  service's folder, or a path into it);
- a service or the core naming a topic as a string (bus_topic("...")) or
  writing its .serves/.subscribe lists by hand: topics come from the
  contracts (contracts/*.def: TOPIC_X, SERVES_X and SUBSCRIBES_X of
  aegis/topics.h), so a misspelt one does not build.

A service is a folder under services/, or one file of devnodes/ (ns,
devfs and sysfs are three services). kernel/ is the kernel core and its
libraries: the scheduler, the supervisor, processes, the system-call
gateway; they may register a bus face of their own (sched, proc) and are
called directly, as DESIGN.md says core is. Prints each violation and
ends with one 'N passed, N failed' line (one case per service, and one
for the core).
"""
import argparse
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
BY_NAME = re.compile(r'\bbus_topic(?:_find)?\s*\(\s*"([^"]*)"')
BY_HAND = re.compile(r'\.(serves|subscribe)\s*=\s*SERVICE_LIST\s*\(')


def topics_by_hand(text, path):
    """What a source names outside the contracts."""
    bad = ['%s names topic "%s" as a string (use its TOPIC_ symbol, '
           'aegis/topics.h)' % (path, t) for t in BY_NAME.findall(text)]
    bad += ['%s writes its .%s list by hand (use the generated one, '
            'aegis/topics.h)' % (path, w) for w in BY_HAND.findall(text)]
    return bad


def services(root):
    """{name: [source paths relative to root]}"""
    out = {}
    sdir = os.path.join(root, 'services')
    for name in sorted(os.listdir(sdir)):
        d = os.path.join(sdir, name)
        if os.path.isdir(d):
            out[name] = [os.path.join('services', name, f)
                         for f in sorted(os.listdir(d))
                         if f.endswith(('.c', '.h'))]
    d = os.path.join(root, 'devnodes')
    for f in sorted(os.listdir(d)):
        if f.endswith('.c'):
            out[f[:-2]] = [os.path.join('devnodes', f)]
    return out


def core_objects(build):
    """The kernel core's objects: everything built from kernel/."""
    objs = []
    for dirpath, _, files in os.walk(os.path.join(build, 'kernel')):
        objs += [os.path.join(dirpath, f) for f in files if f.endswith('.o')]
    return sorted(objs)


def symbols(nm, obj):
    """(defined, undefined) global symbols of an object file."""
    text = subprocess.run([nm, '-g', obj], capture_output=True, text=True,
                          check=True).stdout
    defined, undefined = set(), set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == 'U':
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] not in 'Uw':
            defined.add(parts[2])
    return defined, undefined


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    ap.add_argument('--build', required=True,
                    help='a kernel build directory (build/x86_64)')
    ap.add_argument('--nm', default='nm')
    args = ap.parse_args()

    svcs = services(args.root)
    owner_of_file = {}
    for name, srcs in svcs.items():
        for s in srcs:
            owner_of_file[s] = name
    defined_by = {}
    undefined_in = {}
    for name, srcs in svcs.items():
        for s in srcs:
            if not s.endswith('.c'):
                continue
            obj = os.path.join(args.build, s[:-2] + '.o')
            if not os.path.exists(obj):
                print('check-boundaries: %s: no object %s (build first)'
                      % (name, obj))
                return 2
            d, u = symbols(args.nm, obj)
            for sym in d:
                defined_by.setdefault(sym, name)
            undefined_in.setdefault(name, set()).update(u)

    passed = failed = 0
    core_bad = []
    for obj in core_objects(args.build):
        _, u = symbols(args.nm, obj)
        for sym in sorted(u):
            if sym in defined_by:
                core_bad.append('%s calls %s, which service %s defines'
                                % (os.path.relpath(obj, args.build), sym,
                                   defined_by[sym]))
    for dirpath, _, files in os.walk(os.path.join(args.root, 'kernel')):
        for f in sorted(files):
            if f.endswith('.c'):
                path = os.path.join(dirpath, f)
                core_bad += topics_by_hand(open(path).read(),
                                           os.path.relpath(path, args.root))
    if core_bad:
        failed += 1
        for b in core_bad:
            print('FAIL core: %s' % b)
    else:
        passed += 1
        print('PASS core (kernel/): calls no service, names no topic '
              'by hand')
    for name, srcs in sorted(svcs.items()):
        bad = []
        for sym in sorted(undefined_in.get(name, ())):
            other = defined_by.get(sym)
            if other and other != name:
                bad.append('calls %s, which service %s defines' % (sym, other))
        folder = os.path.dirname(srcs[0])
        for s in srcs:
            text = open(os.path.join(args.root, s)).read()
            bad += topics_by_hand(text, s)
            for inc in INCLUDE.findall(text):
                target = os.path.normpath(os.path.join(os.path.dirname(s),
                                                       inc))
                other = owner_of_file.get(target)
                if (other and other != name) or (
                        inc.startswith(('services/', 'devnodes/')) and
                        not inc.startswith(folder + '/')):
                    bad.append('%s includes %s' % (s, inc))
        if bad:
            failed += 1
            for b in bad:
                print('FAIL %s: %s' % (name, b))
        else:
            passed += 1
            print('PASS %s' % name)
    print('check-boundaries: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
