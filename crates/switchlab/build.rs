//! Embeds `vendors/*.toml` and `templates/<vendor>/*.j2` into the binary, so the built-in
//! profiles need no files at run time (a folder given with --vendors/--templates overrides them).

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    // The profiles live at the workspace's top, where a lab engineer edits them.
    let root = Path::new(&manifest).join("../..");
    let root = root.as_path();
    println!("cargo:rerun-if-changed=../../vendors");
    println!("cargo:rerun-if-changed=../../templates");
    let mut out = String::from("pub(crate) static VENDORS: &[(&str, &str)] = &[\n");
    for path in sorted(&root.join("vendors"), "toml") {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 file name");
        writeln!(
            out,
            "    ({stem:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to String");
    }
    out.push_str("];\npub(crate) static TEMPLATES: &[(&str, &str, &str)] = &[\n");
    let mut dirs: Vec<_> = fs::read_dir(root.join("templates"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
        let vendor = dir
            .file_name()
            .and_then(|s| s.to_str())
            .expect("utf-8 dir name")
            .to_string();
        for path in sorted(&dir, "j2") {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 file name");
            writeln!(
                out,
                "    ({vendor:?}, {stem:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .expect("write to String");
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.rs");
    fs::write(dest, out).expect("write builtin.rs");
}

fn sorted(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
