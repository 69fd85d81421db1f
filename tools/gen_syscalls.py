#!/usr/bin/env python3
"""Generate everything about system calls from kernel/syscalls.def.

  gen_syscalls.py DEF ERRNO_H --header H --table C --user U --doc MD
                  [--linux LDEF --linux-header LH --linux-table LC]
  gen_syscalls.py DEF ERRNO_H [--linux LDEF] --check-doc MD

Writes the kernel's header (aegis/syscalls.h: numbers, the argument
kinds, the table's type, the handlers' prototypes), the kernel's table
(each call's arguments and how the gateway checks them), the user-side
stubs (aegis/usys.h: one inline function per call, both arches) and the
reference (docs/SYSCALL_REFERENCE.md). --check-doc compares the reference
with what it would write and fails if they differ.

--linux reads the Linux personality's calls (kernel/linux_syscalls.def:
name | x86_64 number | aarch64 number | result | arguments | owner | what,
a number "-" where the arch has no such call) and writes their table (the
same checks, and each arch's map from Linux's numbers to it), its header,
and their section of the reference.

A malformed line is refused with its file, line and reason; nothing is
written then.
"""
import argparse
import re
import sys

RESULTS = {'value': 'SYS_RES_VALUE', 'size': 'SYS_RES_SIZE',
           'none': 'SYS_RES_NONE', 'noreturn': 'SYS_RES_NORETURN'}
NAME = re.compile(r'^[a-z_][a-z0-9_]*$')
MAX_ARGS = 6
FD_MAX = 64
BUFFERS = ('in', 'out', 'in?', 'out?')
KINDS = {'int': 'SYS_ARG_INT', 'uint': 'SYS_ARG_UINT', 'fd': 'SYS_ARG_FD',
         'flags': 'SYS_ARG_FLAGS', 'size': 'SYS_ARG_SIZE',
         'in': 'SYS_ARG_IN', 'out': 'SYS_ARG_OUT', 'in?': 'SYS_ARG_IN_OPT',
         'out?': 'SYS_ARG_OUT_OPT', 'count': 'SYS_ARG_COUNT'}

ARG_DOC = {
    'int': 'any value',
    'uint': '0 to {limit}, else `-EINVAL`',
    'fd': 'a file number 0 to 63, else `-EBADF`',
    'flags': 'no bit outside `{limit:#x}`, else `-EINVAL`',
    'size': 'a length of at most {limit}, else `-E2BIG`',
    'in': '`{len}` bytes the caller lends to be read: inside the user '
          'range and mapped readable for user mode, else `-EFAULT`',
    'out': '`{len}` bytes the caller lends to be written: inside the user '
           'range and mapped writable for user mode, else `-EFAULT`',
    'count': 'any length: the call does at most {limit}',
    'in?': 'NULL, or `{len}` bytes the caller lends to be read: inside the '
           'user range and mapped readable for user mode, else `-EFAULT`',
    'out?': 'NULL, or `{len}` bytes the caller lends to be written: inside '
            'the user range and mapped writable for user mode, else '
            '`-EFAULT`',
}


class DefError(Exception):
    pass


def parse_arg(text):
    """One argument: (kind, name, limit, len_name)."""
    m = re.match(r'^(in\??|out\??)\s+([a-z_][a-z0-9_]*)\['
                 r'([a-z_][a-z0-9_]*)\]$', text)
    if m:
        return (m.group(1), m.group(2), 0, m.group(3))
    m = re.match(r'^(in\??|out\??)\s+([a-z_][a-z0-9_]*)\[([0-9]+)\]$',
                 text)
    if m:
        size = int(m.group(3))
        if size < 1 or size > 4096:
            raise DefError('%s: a fixed length of 1 to 4096 bytes'
                           % m.group(2))
        return (m.group(1), m.group(2), size, m.group(3))
    m = re.match(r'^(int|fd)\s+([a-z_][a-z0-9_]*)$', text)
    if m:
        return (m.group(1), m.group(2), 0, None)
    m = re.match(r'^(uint|size|flags|count)\s+([a-z_][a-z0-9_]*):(\S+)$',
                 text)
    if m:
        kind, name, lim = m.groups()
        try:
            limit = int(lim, 16 if kind == 'flags' else 10)
        except ValueError:
            raise DefError('%s: %r is not a %s' % (
                name, lim, 'hex mask' if kind == 'flags' else 'number'))
        if limit < 0 or limit >= 1 << 64:
            raise DefError('%s: %s out of range' % (name, lim))
        return (kind, name, limit, None)
    if re.match(r'^(uint|size|flags|count)\s+[a-z_][a-z0-9_]*$', text):
        raise DefError('%r needs a limit (NAME:MAX or NAME:MASK)' % text)
    raise DefError('cannot read argument %r' % text)


def parse_call(name, result, args, owner, doc):
    """What both description files say of a call past its name and
    numbers: its result, owner and text checked, its arguments parsed
    (a buffer's length names a size or count argument)."""
    if result not in RESULTS:
        raise DefError('%s: result %r is not one of %s' % (
            name, result, ', '.join(sorted(RESULTS))))
    if not NAME.match(owner):
        raise DefError('%s: owner %r is not a service name' % (name, owner))
    if not doc:
        raise DefError('%s: says nothing about what it does' % name)
    parsed = [parse_arg(a.strip()) for a in args.split(',')] if args else []
    if len(parsed) > MAX_ARGS:
        raise DefError('%s: %d arguments, at most %d'
                       % (name, len(parsed), MAX_ARGS))
    names = [a[1] for a in parsed]
    if len(set(names)) != len(names):
        raise DefError('%s: an argument name twice' % name)
    for kind, an, _, ln in parsed:
        if kind in BUFFERS and not ln.isdigit() and (
                ln not in names or
                parsed[names.index(ln)][0] not in ('size', 'count')):
            raise DefError('%s: %s[%s]: %s is not a size argument'
                           % (name, an, ln, ln))
    return parsed


def parse(path):
    calls = []
    with open(path) as f:
        lines = f.read().split('\n')
    for no, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        where = '%s:%d' % (path, no)
        cols = [c.strip() for c in line.split('|')]
        if len(cols) != 6:
            raise DefError('%s: %d columns, want 6 (number | name | result '
                           '| arguments | owner | what it does)'
                           % (where, len(cols)))
        num, name, result, args, owner, doc = cols
        try:
            if not num.isdigit():
                raise DefError('number %r is not a number' % num)
            if not NAME.match(name):
                raise DefError('name %r is not [a-z_][a-z0-9_]*' % name)
            parsed = parse_call(name, result, args, owner, doc)
        except DefError as e:
            raise DefError('%s: %s' % (where, e))
        calls.append({'nr': int(num), 'name': name, 'result': result,
                      'args': parsed, 'owner': owner, 'doc': doc,
                      'where': where})
    if not calls:
        raise DefError('%s: no system calls' % path)
    seen = {}
    for c in calls:
        if c['name'] in seen:
            raise DefError('%s: %s already defined at %s' % (
                c['where'], c['name'], seen[c['name']]))
        seen[c['name']] = c['where']
    nums = sorted(c['nr'] for c in calls)
    if nums != list(range(len(calls))):
        dup = [n for n in set(nums) if nums.count(n) > 1]
        raise DefError('%s: numbers must run 0..%d without gaps or '
                       'repeats (%s)' % (path, len(calls) - 1,
                                         'repeated: %s' % dup if dup else
                                         'gap'))
    return sorted(calls, key=lambda c: c['nr'])


ARCHES = ('x86_64', 'aarch64')


def parse_linux(path):
    """The Linux personality's calls: name | x86_64 | aarch64 | result |
    arguments | owner | what. Returns them in file order, each with its
    number per arch (None: the arch has no such call)."""
    calls = []
    with open(path) as f:
        lines = f.read().split('\n')
    for no, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        where = '%s:%d' % (path, no)
        cols = [c.strip() for c in line.split('|')]
        if len(cols) != 7:
            raise DefError('%s: %d columns, want 7 (name | x86_64 | '
                           'aarch64 | result | arguments | owner | what it '
                           'does)' % (where, len(cols)))
        name, nx, na, result, args, owner, doc_ = cols
        try:
            if not NAME.match(name):
                raise DefError('name %r is not [a-z_][a-z0-9_]*' % name)
            nrs = {}
            for arch, n in zip(ARCHES, (nx, na)):
                if n == '-':
                    nrs[arch] = None
                elif n.isdigit() and int(n) < 1024:
                    nrs[arch] = int(n)
                else:
                    raise DefError('%s: %s number %r is not 0..1023 or -'
                                   % (name, arch, n))
            if nrs['x86_64'] is None and nrs['aarch64'] is None:
                raise DefError('%s: on neither arch' % name)
            parsed = parse_call(name, result, args, owner, doc_)
        except DefError as e:
            raise DefError('%s: %s' % (where, e))
        calls.append({'name': name, 'nr': nrs, 'result': result,
                      'args': parsed, 'owner': owner, 'doc': doc_,
                      'where': where})
    if not calls:
        raise DefError('%s: no system calls' % path)
    seen = {}
    for c in calls:
        if c['name'] in seen:
            raise DefError('%s: %s already defined at %s' % (
                c['where'], c['name'], seen[c['name']]))
        seen[c['name']] = c['where']
    for arch in ARCHES:
        taken = {}
        for c in calls:
            n = c['nr'][arch]
            if n is None:
                continue
            if n in taken:
                raise DefError('%s: %s number %d is %s\'s already' % (
                    c['where'], arch, n, taken[n]))
            taken[n] = c['name']
    return calls


def linux_header(calls):
    o = [GEN.replace('kernel/syscalls.def', 'kernel/linux_syscalls.def'),
         '#ifndef AEGIS_LINUX_SYSCALLS_H\n#define AEGIS_LINUX_SYSCALLS_H\n\n',
         '#include <aegis/syscalls.h>\n\n',
         '/* The Linux personality\'s calls: each one\'s index in '
         'linux_table. */\n']
    for i, c in enumerate(calls):
        o.append('#define LSYS_%-16s %d\n' % (c['name'], i))
    o.append('#define LSYS_COUNT           %d\n\n' % len(calls))
    for arch, cpp in zip(ARCHES, ('__x86_64__', '__aarch64__')):
        top = max(c['nr'][arch] for c in calls
                  if c['nr'][arch] is not None)
        o.append('#if defined(%s)\n#define LINUX_NR_COUNT %d\n' % (
            cpp, top + 1))
        for c in calls:
            if c['nr'][arch] is not None:
                o.append('#define LINUX_NR_%-16s %d\n' % (
                    c['name'], c['nr'][arch]))
        o.append('#endif\n')
    o.append('\nextern const struct syscall_desc linux_table[LSYS_COUNT];\n'
             '/* This arch\'s Linux number -> index in linux_table, or -1 '
             '(not one Aegis has). */\n'
             'extern const int16_t linux_nr_index[LINUX_NR_COUNT];\n\n'
             '/* The handlers (kernel/linux.c): called once every argument '
             'passed its check. */\n')
    for c in calls:
        o.append('int64_t lsys_%s(const uint64_t a[SYS_ARGS_MAX]);\n'
                 % c['name'])
    o.append('\n#endif\n')
    return ''.join(o)


def linux_table(calls):
    o = [table(calls, 'LSYS', 'lsys', 'linux_table',
               'aegis/linux_syscalls.h').replace(
                   'kernel/syscalls.def', 'kernel/linux_syscalls.def')]
    for arch, cpp in zip(ARCHES, ('__x86_64__', '__aarch64__')):
        o.append('\n#if defined(%s)\nconst int16_t '
                 'linux_nr_index[LINUX_NR_COUNT] = {\n' % cpp)
        top = max(c['nr'][arch] for c in calls
                  if c['nr'][arch] is not None)
        idx = {c['nr'][arch]: i for i, c in enumerate(calls)
               if c['nr'][arch] is not None}
        for n in range(top + 1):
            o.append('\t%d,%s\n' % (idx.get(n, -1), '\t/* %s */' % calls[
                idx[n]]['name'] if n in idx else ''))
        o.append('};\n#endif\n')
    return ''.join(o)


def linux_doc(calls):
    res = {'value': 'a value', 'size': 'bytes', 'none': '0',
           'noreturn': 'never'}
    o = ['## Linux personality\n\n',
         'The calls a Linux program makes (docs/LINUX_ABI.md says which '
         'programs are Linux\'s), from `kernel/linux_syscalls.def`, with '
         'Linux\'s numbers, registers (the same as above) and error '
         'numbers. Every argument is checked as above before the call '
         'runs. A number not in this table is `-ENOSYS`, counted per '
         'number in `/sys/linux/enosys` and published as a '
         '`linux.enosys` event (`trace on linux.*`).\n\n',
         '| call | x86_64 | aarch64 | returns | owner |\n'
         '|---|---|---|---|---|\n']
    for c in sorted(calls, key=lambda c: c['name']):
        sig = '%s(%s)' % (c['name'], ', '.join(a[1] for a in c['args']))
        o.append('| [`%s`](#linux-%s) | %s | %s | %s | %s |\n' % (
            sig, c['name'], c['nr']['x86_64'] if c['nr']['x86_64'] is not
            None else '-', c['nr']['aarch64'] if c['nr']['aarch64'] is not
            None else '-', res[c['result']], c['owner']))
    for c in sorted(calls, key=lambda c: c['name']):
        o.append('\n### linux-%s\n\n' % c['name'])
        sig = '%s(%s)' % (c['name'], ', '.join(
            ('%s %s[%s]' % (k, n, ln) if ln else '%s %s' % (k, n))
            for k, n, _, ln in c['args']))
        o.append('`%s -> %s` (%s)\n\n%s\n' % (sig, c['result'],
                                               c['owner'], c['doc']))
        if c['args']:
            o.append('\n| argument | checked |\n|---|---|\n')
            for k, n, limit, ln in c['args']:
                o.append('| `%s` | %s |\n' % (
                    n, ARG_DOC[k].format(limit=limit, len=ln)))
    return ''.join(o) + '\n'


def errnos(path):
    out = []
    with open(path) as f:
        for m in re.finditer(r'X\((\w+),\s*(\d+),\s*"([^"]*)"\)', f.read()):
            out.append((m.group(1), int(m.group(2)), m.group(3)))
    return out


GEN = ('/* Generated by tools/gen_syscalls.py from kernel/syscalls.def: '
       'do not edit. */\n')


def header(calls):
    o = [GEN, '#ifndef AEGIS_SYSCALLS_H\n#define AEGIS_SYSCALLS_H\n\n',
         '#include <aegis/types.h>\n\n']
    for c in calls:
        o.append('#define SYS_%-12s %d\n' % (c['name'], c['nr']))
    o.append('#define SYS_COUNT        %d\n#define SYS_ARGS_MAX     %d\n'
             '#define SYS_FD_MAX       %d\n#define SYS_LEN_FIXED    0xff'
             '\t/* IN/OUT of a fixed length (limit) */\n\n'
             % (len(calls), MAX_ARGS, FD_MAX))
    o.append('enum sys_arg_kind {\n\tSYS_ARG_NONE = 0,\n\tSYS_ARG_INT,\n'
             '\tSYS_ARG_UINT,\n\tSYS_ARG_FD,\n\tSYS_ARG_FLAGS,\n'
             '\tSYS_ARG_SIZE,\n\tSYS_ARG_IN,\n\tSYS_ARG_OUT,\n'
             '\tSYS_ARG_IN_OPT,\t/* IN, or NULL */\n'
             '\tSYS_ARG_OUT_OPT,\t/* OUT, or NULL */\n'
             '\tSYS_ARG_COUNT,\t/* any length; the call does at most '
             'limit */\n};\n\n')
    o.append('enum sys_result {\n\tSYS_RES_VALUE = 1,\n\tSYS_RES_SIZE,\n'
             '\tSYS_RES_NONE,\n\tSYS_RES_NORETURN,\n};\n\n')
    o.append('struct sys_arg {\n\tconst char *name;\n\tuint8_t kind;\t\t'
             '/* enum sys_arg_kind */\n\tuint8_t len;\t\t/* IN/OUT: the '
             'size argument\'s index, or SYS_LEN_FIXED */\n\tuint64_t limit;\t\t/* UINT, '
             'SIZE: the most; FLAGS: the mask;\n\t\t\t\t * a fixed IN/OUT: its length */\n};\n\n')
    o.append('typedef int64_t (*sys_fn)(const uint64_t a[SYS_ARGS_MAX]);\n'
             '\nstruct syscall_desc {\n\tconst char *name;\n\tconst char '
             '*owner;\n\tuint8_t nargs;\n\tuint8_t result;\t\t/* enum '
             'sys_result */\n\tstruct sys_arg arg[SYS_ARGS_MAX];\n\tsys_fn '
             'fn;\n};\n\n')
    o.append('extern const struct syscall_desc syscall_table[SYS_COUNT];'
             '\n\n/* The handlers (kernel/syscall.c): called once every '
             'argument passed its check. */\n')
    for c in calls:
        o.append('int64_t sys_%s(const uint64_t a[SYS_ARGS_MAX]);\n'
                 % c['name'])
    o.append('\n#endif\n')
    return ''.join(o)


def table(calls, prefix='SYS', fn='sys', var='syscall_table',
          include='aegis/syscalls.h'):
    kinds = KINDS
    o = [GEN, '#include <%s>\n\n' % include,
         'const struct syscall_desc %s[%s_COUNT] = {\n' % (var, prefix)]
    for c in calls:
        names = [a[1] for a in c['args']]
        o.append('\t[%s_%s] = {\n\t\t.name = "%s",\n\t\t.owner = "%s",\n'
                 '\t\t.nargs = %d,\n\t\t.result = %s,\n' % (
                     prefix, c['name'], c['name'], c['owner'],
                     len(c['args']), RESULTS[c['result']]))
        if c['args']:
            o.append('\t\t.arg = {\n')
            for kind, an, limit, ln in c['args']:
                if ln and ln.isdigit():
                    idx = 'SYS_LEN_FIXED'
                else:
                    idx = '%d' % (names.index(ln) if ln else 0)
                o.append('\t\t\t{ "%s", %s, %s, %#xull },\n' % (
                    an, kinds[kind], idx, limit))
            o.append('\t\t},\n')
        o.append('\t\t.fn = %s_%s,\n\t},\n' % (fn, c['name']))
    o.append('};\n')
    return ''.join(o)


def user(calls):
    o = [GEN, '#ifndef AEGIS_USYS_H\n#define AEGIS_USYS_H\n\n',
         '/* The system calls for user programs: one inline stub each. */'
         '\n\n',
         'static inline long aegis_syscall(long nr, long a0, long a1, '
         'long a2,\n\t\t\t\t long a3, long a4, long a5)\n{\n'
         '#if defined(__x86_64__)\n'
         '\tregister long r10 __asm__("r10") = a3;\n'
         '\tregister long r8 __asm__("r8") = a4;\n'
         '\tregister long r9 __asm__("r9") = a5;\n\tlong ret;\n\n'
         '\t__asm__ volatile("syscall"\n\t\t\t : "=a"(ret)\n'
         '\t\t\t : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), '
         '"r"(r8),\n\t\t\t   "r"(r9)\n\t\t\t : "rcx", "r11", "memory");\n'
         '\treturn ret;\n'
         '#elif defined(__aarch64__)\n'
         '\tregister long x8 __asm__("x8") = nr;\n'
         '\tregister long x0 __asm__("x0") = a0;\n'
         '\tregister long x1 __asm__("x1") = a1;\n'
         '\tregister long x2 __asm__("x2") = a2;\n'
         '\tregister long x3 __asm__("x3") = a3;\n'
         '\tregister long x4 __asm__("x4") = a4;\n'
         '\tregister long x5 __asm__("x5") = a5;\n\n'
         '\t__asm__ volatile("svc #0"\n\t\t\t : "+r"(x0)\n'
         '\t\t\t : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)\n'
         '\t\t\t : "memory");\n\treturn x0;\n'
         '#else\n#error "no system calls for this architecture"\n#endif\n'
         '}\n\n']
    for c in calls:
        o.append('#define AEGIS_SYS_%-10s %d\n' % (c['name'], c['nr']))
    o.append('#define AEGIS_SYS_COUNT      %d\n\n' % len(calls))
    ctype = {'int': 'long', 'uint': 'unsigned long', 'fd': 'int',
             'flags': 'unsigned long', 'size': 'unsigned long',
             'in': 'const void *', 'out': 'void *'}
    for c in calls:
        params = ', '.join('%s%s%s' % (ctype[k], '' if ctype[k].endswith(
            '*') else ' ', n) for k, n, _, _ in c['args']) or 'void'
        vals = ['(long)%s' % a[1] for a in c['args']]
        vals += ['0'] * (MAX_ARGS - len(vals))
        call = 'aegis_syscall(%d, %s)' % (c['nr'], ', '.join(vals))
        if c['result'] == 'noreturn':
            o.append('static inline __attribute__((noreturn)) void '
                     'aegis_%s(%s)\n{\n\t%s;\n\t__builtin_unreachable();\n'
                     '}\n\n' % (c['name'], params, call))
        else:
            o.append('static inline long aegis_%s(%s)\n{\n\treturn %s;\n}'
                     '\n\n' % (c['name'], params, call))
    o.append('#endif\n')
    return ''.join(o)


def doc(calls, errs, linux=None):
    o = ['# System call reference\n\n',
         '<!-- Generated by tools/gen_syscalls.py from kernel/syscalls.def;'
         ' `scons test` fails when this file and the description differ. '
         '-->\n\n',
         'Every system call of Aegis, from the one description file '
         '`kernel/syscalls.def`. The same file generates the kernel\'s '
         'table with the checks below, `aegis/syscalls.h` and the user '
         'stubs `aegis/usys.h` (`aegis_write(fd, buf, len)`, ...).\n\n',
         '## Calling convention\n\n',
         '| | x86_64 | AArch64 |\n|---|---|---|\n',
         '| instruction | `syscall` | `svc #0` |\n',
         '| number | rax | x8 |\n',
         '| arguments | rdi, rsi, rdx, r10, r8, r9 | x0-x5 |\n',
         '| result | rax | x0 |\n',
         '| clobbered | rcx, r11 | nothing else |\n\n',
         'A result is a value (0 or more) or a negative error code from '
         'the table at the end. Every argument is checked before the call '
         'runs: the first one that fails decides the error, lengths before '
         'pointers. An unknown number is `-ENOSYS`.\n\n',
         '## Calls\n\n',
         '| nr | call | returns | owner |\n|---|---|---|---|\n']
    res = {'value': 'a value', 'size': 'bytes', 'none': '0',
           'noreturn': 'never'}
    for c in calls:
        sig = '%s(%s)' % (c['name'], ', '.join(a[1] for a in c['args']))
        o.append('| %d | [`%s`](#%s) | %s | %s |\n' % (
            c['nr'], sig, c['name'], res[c['result']], c['owner']))
    for c in calls:
        o.append('\n### %s\n\n' % c['name'])
        sig = '%s(%s)' % (c['name'], ', '.join(
            ('%s %s[%s]' % (k, n, ln) if ln else '%s %s' % (k, n))
            for k, n, _, ln in c['args']))
        o.append('`%d: %s -> %s` (%s)\n\n%s\n' % (
            c['nr'], sig, c['result'], c['owner'], c['doc']))
        if c['args']:
            o.append('\n| argument | checked |\n|---|---|\n')
            for k, n, limit, ln in c['args']:
                o.append('| `%s` | %s |\n' % (
                    n, ARG_DOC[k].format(limit=limit, len=ln)))
    if linux:
        o.append('\n' + linux_doc(linux))
    o.append('\n## Error codes\n\n| code | name | meaning |\n|---|---|---|\n')
    for name, val, desc in errs:
        o.append('| -%d | `%s` | %s |\n' % (val, name, desc))
    return ''.join(o)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('defs')
    ap.add_argument('errno_h')
    ap.add_argument('--header')
    ap.add_argument('--table')
    ap.add_argument('--user')
    ap.add_argument('--doc')
    ap.add_argument('--check-doc')
    ap.add_argument('--linux')
    ap.add_argument('--linux-header')
    ap.add_argument('--linux-table')
    a = ap.parse_args()
    try:
        calls = parse(a.defs)
        linux = parse_linux(a.linux) if a.linux else None
    except (DefError, OSError) as e:
        print('gen_syscalls: %s' % e, file=sys.stderr)
        return 1
    errs = errnos(a.errno_h)
    if a.check_doc:
        with open(a.check_doc) as f:
            if f.read() != doc(calls, errs, linux):
                print('gen_syscalls: %s differs from %s; regenerate it '
                      '(scons syscall-doc)' % (a.check_doc, a.defs),
                      file=sys.stderr)
                return 1
        return 0
    outs = [(a.header, header(calls)), (a.table, table(calls)),
            (a.user, user(calls)), (a.doc, doc(calls, errs, linux))]
    if linux:
        outs += [(a.linux_header, linux_header(linux)),
                 (a.linux_table, linux_table(linux))]
    for path, text in outs:
        if path:
            with open(path, 'w') as f:
                f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
