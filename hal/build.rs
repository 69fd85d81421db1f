//! Generates `errno.rs` from `include/aegis/errno.h`, the one list of error
//! codes: the C side reads it as an X-macro, the Rust side gets this
//! generated copy, so no number is written twice.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/aegis/errno.h");
    println!("cargo:rerun-if-changed={}", src.display());
    let text = fs::read_to_string(&src).expect("read include/aegis/errno.h");
    let mut rows = Vec::new();
    for line in text.lines() {
        let l = line.trim().trim_end_matches('\\').trim();
        let Some(rest) = l.strip_prefix("X(") else { continue };
        let Some(rest) = rest.strip_suffix(')') else { continue };
        let mut parts = rest.splitn(3, ',');
        let name = parts.next().unwrap().trim().to_string();
        let value: i32 = parts.next().unwrap().trim().parse().expect("errno value");
        let desc = parts.next().unwrap().trim().trim_matches('"').to_string();
        rows.push((name, value, desc));
    }
    assert!(!rows.is_empty(), "no X(...) rows in errno.h");
    let mut out = String::new();
    out.push_str("/// The kernel's error codes (positive values; C returns them negated).\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq)]\n#[repr(i32)]\n");
    out.push_str("#[allow(clippy::upper_case_acronyms)]\npub enum Errno {\n");
    for (n, v, d) in &rows {
        out.push_str(&format!("    /// {}\n    {} = {},\n", d, n, v));
    }
    out.push_str("}\n\n/// Every code with its name and description, in errno.h order.\n");
    out.push_str("pub const ALL: &[(Errno, &str, &str)] = &[\n");
    for (n, _, d) in &rows {
        out.push_str(&format!("    (Errno::{}, \"{}\\0\", \"{}\"),\n", n, n, d));
    }
    out.push_str("];\n");
    let dst = Path::new(&env::var("OUT_DIR").unwrap()).join("errno.rs");
    fs::write(dst, out).expect("write errno.rs");
    x86_stubs();
}

/// The x86_64 IDT stubs, one per vector, 16 bytes apart: push a 0 error
/// code where the CPU pushes none (all but 8, 10-14, 17, 21, 29, 30), push
/// the vector, join the common path. Plus the table of their addresses.
fn x86_stubs() {
    let with_err = |v: u32| matches!(v, 8 | 10..=14 | 17 | 21 | 29 | 30);
    let mut s = String::from(".section .text.hal_traps, \"ax\"\n");
    for v in 0..256u32 {
        s.push_str(&format!(".balign 16\nhal_stub_{}:\n", v));
        if !with_err(v) {
            s.push_str("push 0\n");
        }
        s.push_str(&format!("push {}\njmp hal_trap_common\n", v));
    }
    s.push_str(".section .rodata.hal_traps, \"a\"\n.balign 8\n.globl hal_trap_stubs\nhal_trap_stubs:\n");
    for v in 0..256u32 {
        s.push_str(&format!(".quad hal_stub_{}\n", v));
    }
    s.push_str(".text\n");
    let dst = Path::new(&env::var("OUT_DIR").unwrap()).join("x86_stubs.s");
    fs::write(dst, s).expect("write x86_stubs.s");
}
