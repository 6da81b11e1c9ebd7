//! Embeds every file under `rules/` into the binary, so that it works anywhere.
//! Generates `$OUT_DIR/builtin_rules.rs`: a sorted `&[(&str, &str)]` of
//! (path relative to the crate, contents).

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&rules, &mut files);
    files.sort();
    let mut out = String::from("/// Built-in rule and deadline files: (path, contents).\n");
    out.push_str("pub static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).expect("under root");
        let rel = rel.to_string_lossy().replace('\\', "/");
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.to_string_lossy()
        ));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this")).join("builtin_rules.rs");
    fs::write(dest, out).expect("write generated file");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect(&p, files);
        } else if matches!(p.extension().and_then(|s| s.to_str()), Some("yaml" | "yml")) {
            files.push(p);
        }
    }
}
