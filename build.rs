//! Embeds the sample collection (collections/sample/) in the binary, so that `hishatak
//! demo` works from any folder with no network.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.is_file() {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("collections")
        .join("sample");
    println!("cargo:rerun-if-changed=collections/sample");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut code = String::from("/// The sample collection: (path relative to collections/sample, bytes).\npub static SAMPLE: &[(&str, &[u8])] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("sample.rs");
    if let Ok(mut f) = fs::File::create(out) {
        let _ = f.write_all(code.as_bytes());
    }
}
