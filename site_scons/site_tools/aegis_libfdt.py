"""SCons tool: libfdt from Debian's linux-source package, built into the
kernel with the kernel's flags.

Debian serves no source packages here and libfdt-dev is host-only, so the
upstream libfdt in linux-source-6.1's scripts/dtc/libfdt/ is extracted under
build/ (never committed) and compiled per arch. Its own libfdt_env.h is left
out: the kernel's shim (kernel/lib/include/libfdt_env.h) must win, and
fdt.c includes the header with quotes.
"""
import glob
import os

from SCons.Script import Action, Dir

TARBALL_GLOB = '/usr/src/linux-source-*.tar.xz'
FILES = ['fdt.c', 'fdt_ro.c', 'fdt_rw.c', 'fdt_sw.c', 'fdt_wip.c',
         'fdt_addresses.c', 'fdt_strerror.c', 'fdt_empty_tree.c',
         'fdt_overlay.c', 'fdt.h', 'libfdt.h', 'libfdt_internal.h']


def tarball():
    found = sorted(glob.glob(TARBALL_GLOB))
    return found[-1] if found else None


def LibfdtSources(env, dest='#build/libfdt'):
    """Extract libfdt; returns (list of .c nodes, include dir)."""
    tar = tarball()
    d = Dir(dest)
    targets = [d.File(f) for f in FILES]
    if tar is None:
        # Fail when libfdt is needed, not while reading the build: so
        # `scons --help` and host-only targets work before setup.
        env.Command(targets, [], Action(
            'echo "scons: /usr/src/linux-source-*.tar.xz is missing: run '
            'tools/setup.sh" && false'))
        return [t for t in targets if str(t).endswith('.c')], d
    top = os.path.basename(tar)[:-len('.tar.xz')]
    members = ' '.join('%s/scripts/dtc/libfdt/%s' % (top, f) for f in FILES)
    env.Command(targets, tar,
                'tar -xJf $SOURCE -C %s --strip-components=4 %s'
                % (d.abspath, members))
    return [t for t in targets if str(t).endswith('.c')], d


def generate(env):
    env.AddMethod(LibfdtSources, 'LibfdtSources')


def exists(env):
    return tarball() is not None
