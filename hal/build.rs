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
}
