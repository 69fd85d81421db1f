"""SCons tool: build the Rust HAL with Debian's cargo, and its C header
with cbindgen.

Debian's rustc/cargo (packages rustc-web, cargo-web, rust-web-src) are used
explicitly: rustup's toolchain, often first in PATH, has no library source
and cannot build `core` for bare-metal targets. The vendored crates that
-Zbuild-std needs offline are found from `rustc --print sysroot`.
"""
import os
import subprocess

from SCons.Script import Action, Dir

RUSTC = '/usr/bin/rustc'
CARGO = '/usr/bin/cargo'


def _sysroot():
    try:
        return subprocess.check_output([RUSTC, '--print', 'sysroot'],
                                       text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return '/usr'


def cargo_env(env):
    """An environment for cargo: Debian's toolchain first, no rustup."""
    home = env['ENV'].get('HOME', os.environ.get('HOME', '/root'))
    return {
        'PATH': '/usr/bin:/bin',
        'HOME': home,
        'RUSTC': RUSTC,
        'RUSTC_BOOTSTRAP': '1',
        'CARGO_HOME': Dir('#build/cargo-home').abspath,
        'CARGO_TERM_COLOR': 'never',
    }


def vendor_config():
    vendor = os.path.join(_sysroot(), 'lib/rustlib/src/rust/library/vendor')
    return ("--config 'source.crates-io.replace-with=\"v\"' "
            "--config 'source.v.directory=\"%s\"'" % vendor)


def rust_sources(crate_dir):
    """Every file the crate's build reads (for dependency tracking)."""
    out = []
    for root, _dirs, files in os.walk(Dir(crate_dir).srcnode().abspath):
        for f in files:
            if f.endswith('.rs') or f in ('Cargo.toml', 'Cargo.lock'):
                out.append(os.path.join(root, f))
    # build.rs generates the error codes from the C header
    out.append(os.path.join(Dir('#include/aegis').srcnode().abspath,
                            'errno.h'))
    return sorted(out)


def HalLibrary(env, target_dir, triple, crate_dir='#hal'):
    """Build the staticlib for `triple`; returns the .a node."""
    tdir = Dir(target_dir).abspath
    lib = os.path.join(tdir, triple, 'release', 'libaegis_hal.a')
    crate = Dir(crate_dir).srcnode().abspath
    cmd = ('cd %s && %s build --offline --release --quiet --target %s '
           '-Zbuild-std=core,compiler_builtins '
           '-Zbuild-std-features=compiler-builtins-mem '
           '%s --target-dir %s' % (crate, CARGO, triple, vendor_config(),
                                   tdir))
    node = env.Command(lib, rust_sources(crate_dir),
                       Action(cmd, '$CARGOCOMSTR'), ENV=cargo_env(env))
    env.SideEffect(os.path.join(tdir, '.cargo-lock'), node)
    return node


def HalHeader(env, target, crate_dir='#hal'):
    """Generate the C header from the crate's sources with cbindgen."""
    crate = Dir(crate_dir).srcnode().abspath
    cmd = ('cbindgen --quiet --config %s/cbindgen.toml -o $TARGET '
           '%s/src/lib.rs' % (crate, crate))
    srcs = rust_sources(crate_dir) + [os.path.join(crate, 'cbindgen.toml')]
    return env.Command(target, srcs, Action(cmd, '$CBINDGENCOMSTR'))


def HalTest(env, target, crate_dir='#hal', target_dir='#build/hal-host'):
    """Run the crate's host tests (cargo test); writes a results file."""
    crate = Dir(crate_dir).srcnode().abspath
    return env.Command(
        target, rust_sources(crate_dir),
        '$PYTHON site_scons/run_suite.py --name hal-cargo --kind cargo '
        '--results $TARGET -- sh -c "cd %s && %s test --offline '
        '--target-dir %s 2>&1"' % (crate, CARGO, Dir(target_dir).abspath),
        ENV=cargo_env(env))


def generate(env):
    env.AddMethod(HalLibrary, 'HalLibrary')
    env.AddMethod(HalHeader, 'HalHeader')
    env.AddMethod(HalTest, 'HalTest')


def exists(env):
    return os.path.exists(CARGO)
