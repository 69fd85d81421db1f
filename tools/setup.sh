#!/bin/sh
# tools/setup.sh - install every Aegis build, test and run dependency from
# Debian packages, then check that each tool really works.
#
# Idempotent: when everything is present it installs nothing and prints one
# line. Works as root or through sudo. Exit status is non-zero if any tool
# fails its check.
set -eu

PKGS="scons check pkg-config cbindgen device-tree-compiler libfdt-dev
linux-source-6.1 qemu-system-x86 qemu-system-arm grub-pc-bin
grub-efi-amd64-bin grub-common xorriso mtools ovmf qemu-efi-aarch64
gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu gdb-multiarch
rustc-web cargo-web rust-web-src lcov valgrind libclang-rt-14-dev clang-14
xz-utils python3 libzmq3-dev libjemalloc-dev libmimalloc-dev libelf-dev
linux-image-amd64 busybox-static chromium fonts-dejavu-core file
qemu-user-static libc6-dev-arm64-cross"

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "setup: need root or sudo to install packages" >&2
	exit 1
fi

missing=
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "setup: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Debian's arm64 packages that are unpacked, not installed, into
# ARM64_ROOT: fetched as packages of the arm64 architecture.
ARM64_ROOT=/usr/local/lib/aegis/arm64
arm64_ready=
arm64_apt() {
	[ -n "$arm64_ready" ] && return 0
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$SUDO dpkg --add-architecture arm64
	fi
	$SUDO apt-get update -qq
	arm64_ready=1
}
# fetch_arm64 PACKAGE [PATH...]: download PACKAGE:arm64 and unpack it (only
# the PATHs given, ./boot for instance, when there are any) into ARM64_ROOT
fetch_arm64() {
	pkg=$1
	shift
	echo "setup: fetching $pkg:arm64 into $ARM64_ROOT"
	arm64_apt
	debdir=$(mktemp -d)
	chmod 777 "$debdir"
	ok=0
	if (cd "$debdir" && apt-get download -qq "$pkg:arm64") &&
	    $SUDO mkdir -p "$ARM64_ROOT"; then
		if [ $# -eq 0 ]; then
			$SUDO dpkg-deb -x "$debdir/${pkg}"_*_arm64.deb \
				"$ARM64_ROOT" && ok=1
		else
			dpkg-deb --fsys-tarfile "$debdir/${pkg}"_*_arm64.deb |
				$SUDO tar -x -C "$ARM64_ROOT" "$@" && ok=1
		fi
	fi
	rm -rf "$debdir"
	[ $ok -eq 1 ]
}

# busybox-static: the Linux program Aegis runs unmodified on AArch64 (the
# amd64 one is the busybox-static package above; docs/LINUX_ABI.md).
if [ ! -x "$ARM64_ROOT/bin/busybox" ]; then
	fetch_arm64 busybox-static ||
		echo "setup: cannot fetch busybox-static:arm64" >&2
fi

# Debian's arm64 kernel: scons bench's Linux peer on AArch64 (test/bench/
# qemu_bench.py), as linux-image-amd64 is on x86_64. The package that
# linux-image-arm64 names (linux-image-<abi>-arm64); only its ./boot (the
# Image, as vmlinuz-<abi>-arm64), not its modules: the peer boots from an
# initramfs that needs none.
if ! ls "$ARM64_ROOT"/boot/vmlinuz-*-arm64 >/dev/null 2>&1; then
	arm64_apt
	kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^:]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' |
		head -1)
	if [ -z "$kpkg" ]; then
		echo "setup: no linux-image-*-arm64 named by linux-image-arm64" >&2
	else
		fetch_arm64 "$kpkg" ./boot ||
			echo "setup: cannot fetch $kpkg:arm64" >&2
	fi
fi

# ---- checks: each tool must really work -------------------------------
fail=0
check() {
	what=$1
	shift
	if ! "$@" >/dev/null 2>&1; then
		echo "setup: FAILED: $what ($*)" >&2
		fail=1
	fi
}

check scons scons --version
check check pkg-config --exists check
check libfdt test -f /usr/include/libfdt.h
check cbindgen cbindgen --version
check dtc dtc --version
check qemu-x86_64 qemu-system-x86_64 --version
check qemu-aarch64 qemu-system-aarch64 --version
check grub-mkrescue grub-mkrescue --version
check jemalloc pkg-config --exists jemalloc
check mimalloc test -f /usr/include/mimalloc.h
check grub-bios test -d /usr/lib/grub/i386-pc
check grub-efi test -d /usr/lib/grub/x86_64-efi
check xorriso xorriso -version
check mtools mformat --version
check ovmf test -f /usr/share/ovmf/OVMF.fd
check aarch64-gcc aarch64-linux-gnu-gcc --version
check qemu-aarch64-static qemu-aarch64-static --version
check lcov lcov --version
check valgrind valgrind --version
check linux-source test -f /usr/src/linux-source-6.1.tar.xz
check busybox-amd64 sh -c "file -L /bin/busybox | grep -q 'x86-64.*statically'"
check busybox-arm64 sh -c "file -L $ARM64_ROOT/bin/busybox | grep -q 'aarch64.*statically'"
check linux-arm64 sh -c "file -L $ARM64_ROOT/boot/vmlinuz-*-arm64 | grep -q 'ARM64 boot executable Image'"
# headless Chromium renders the analyzer's HTML page (suite report-browser)
check chromium chromium --version
check fonts test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

# The compilers must produce code for both kernel targets, and GRUB must
# make an image that holds both its BIOS and UEFI platforms.
tmpc=$(mktemp -d)
printf 'int aegis_setup_probe(int x) { return x + 1; }\n' >"$tmpc/p.c"
check gcc-x86_64 gcc -ffreestanding -c "$tmpc/p.c" -o "$tmpc/x.o"
check gcc-aarch64 aarch64-linux-gnu-gcc -ffreestanding -c "$tmpc/p.c" \
	-o "$tmpc/a.o"
# ... and a static arm64 Linux program against Debian's arm64 glibc
# (scons bench's lbench for AArch64)
check gcc-aarch64-static sh -c "printf '#include <pthread.h>\nint main(void){return pthread_self() == 0;}\n' \
	>'$tmpc/s.c' && aarch64-linux-gnu-gcc -static -pthread '$tmpc/s.c' -o '$tmpc/s' \
	&& file '$tmpc/s' | grep -q 'aarch64.*statically'"
check check-link sh -c "printf '#include <check.h>\nint main(void){return 0;}\n' \
	>'$tmpc/c.c' && gcc '$tmpc/c.c' -o '$tmpc/c' \$(pkg-config --cflags --libs check)"
mkdir -p "$tmpc/iso/boot/grub"
echo 'set timeout=0' >"$tmpc/iso/boot/grub/grub.cfg"
check grub-mkrescue grub-mkrescue -o "$tmpc/t.iso" "$tmpc/iso"
# ... and the image really holds both platforms: BIOS and UEFI
check grub-iso-bios sh -c "xorriso -indev '$tmpc/t.iso' -find /boot/grub \
	-type d 2>/dev/null | grep -q i386-pc"
check grub-iso-uefi sh -c "xorriso -indev '$tmpc/t.iso' -find / \
	-name efi.img 2>/dev/null | grep -q efi.img"
rm -rf "$tmpc"

# Debian's Rust (not rustup's) must build core for both kernel targets.
RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo
if [ -x "$RUSTC" ] && [ -x "$CARGO" ]; then
	sysroot=$($RUSTC --print sysroot)
	vendor="$sysroot/lib/rustlib/src/rust/library/vendor"
	check rust-src test -d "$vendor"
	stamp_dir=${XDG_CACHE_HOME:-$HOME/.cache}/aegis-setup
	ver=$($RUSTC --version | tr ' ' '_')
	if [ ! -f "$stamp_dir/core-ok-$ver" ]; then
		tmp=$(mktemp -d)
		mkdir -p "$tmp/src"
		cat >"$tmp/Cargo.toml" <<'TOML'
[package]
name = "coretest"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
crate-type = ["staticlib"]
[profile.release]
panic = "abort"
[profile.dev]
panic = "abort"
TOML
		cat >"$tmp/src/lib.rs" <<'RS'
#![no_std]
#[no_mangle]
pub extern "C" fn coretest(x: u64) -> u64 { x.wrapping_mul(3) }
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! { loop {} }
RS
		ok=1
		for t in x86_64-unknown-none aarch64-unknown-none; do
			if ! (cd "$tmp" && env -u RUSTUP_TOOLCHAIN \
			    PATH=/usr/bin:/bin RUSTC=$RUSTC RUSTC_BOOTSTRAP=1 \
			    CARGO_HOME="$tmp/cargo-home" \
			    $CARGO build --offline --release --target $t \
			    -Zbuild-std=core,compiler_builtins \
			    -Zbuild-std-features=compiler-builtins-mem \
			    --config 'source.crates-io.replace-with="v"' \
			    --config "source.v.directory=\"$vendor\"" \
			    >"$tmp/log" 2>&1); then
				echo "setup: FAILED: Rust cannot build core for $t" >&2
				tail -20 "$tmp/log" >&2
				ok=0
				fail=1
			fi
		done
		if [ $ok -eq 1 ]; then
			mkdir -p "$stamp_dir"
			touch "$stamp_dir/core-ok-$ver"
		fi
		rm -rf "$tmp"
	fi
else
	echo "setup: FAILED: Debian rustc/cargo missing in /usr/bin" >&2
	fail=1
fi

if [ $fail -ne 0 ]; then
	echo "setup: some tools failed their check" >&2
	exit 1
fi
[ -n "$missing" ] && echo "setup: all tools installed and working" || \
	echo "setup: all tools present"
exit 0
