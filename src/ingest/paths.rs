//! Paths named in a manifest: relative to the manifest's folder and never outside it.

use std::path::{Path, PathBuf};

/// Resolve `rel` against `base` (the manifest's folder, canonical). Refuses absolute
/// paths, Windows drive letters, and anything that ends up outside `base` through `..` or
/// a symbolic link. Returns the canonical path of an existing file.
pub fn resolve(base: &Path, rel: &str) -> Result<PathBuf, String> {
    let raw = rel.trim();
    if raw.is_empty() {
        return Err("empty file path".into());
    }
    if raw.contains('\0') {
        return Err(format!("path '{}' contains a NUL byte", raw.escape_debug()));
    }
    // Spreadsheets made on Windows write backslashes.
    let norm = raw.replace('\\', "/");
    let b = norm.as_bytes();
    if norm.starts_with('/') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':') {
        return Err(format!(
            "path '{raw}' is absolute; give it relative to the manifest's folder"
        ));
    }
    let joined = base.join(&norm);
    // `..` is judged on the resolved path: `a/../b` stays inside and is accepted.
    let canon = match joined.canonicalize() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("file not found: {raw}"))
        }
        Err(e) => return Err(format!("{raw}: {e}")),
    };
    if !canon.starts_with(base) {
        return Err(format!(
            "path '{raw}' leaves the manifest's folder (through '..' or a symbolic link); files must be inside it"
        ));
    }
    if canon.is_dir() {
        return Err(format!("'{raw}' is a folder, not a file"));
    }
    Ok(canon)
}
