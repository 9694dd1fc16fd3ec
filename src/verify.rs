//! Fixity: re-hash every stored object on all cores and compare with the catalog.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::store;

/// A damaged object.
#[derive(Debug, Clone, Serialize)]
pub struct Damage {
    /// Expected hash.
    pub sha256: String,
    /// Where it should be.
    pub path: String,
    /// `missing` or `corrupt`.
    pub problem: String,
    /// What was found instead (for `corrupt`: size and hash read).
    pub detail: String,
    /// Items that use it.
    pub items: Vec<String>,
    /// File names it is known by.
    pub files: Vec<String>,
}

/// The outcome of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Objects checked.
    pub checked: usize,
    /// Objects whose bytes matched.
    pub ok: usize,
    /// Missing or corrupt objects.
    pub damaged: Vec<Damage>,
    /// Files in `objects/` that no catalog row refers to.
    pub orphans: Vec<String>,
    /// Bytes read.
    pub bytes: u64,
    /// Items that got a fixity event.
    pub items: usize,
}

impl VerifyReport {
    /// Whether damage was found.
    pub fn is_damaged(&self) -> bool {
        !self.damaged.is_empty()
    }
}

/// Check every stored object, record one fixity event per item.
pub fn verify(archive: &mut Archive, progress: &dyn Progress) -> Result<VerifyReport> {
    let objects = archive.catalog.objects()?;
    let total: u64 = objects.iter().map(|o| o.size).sum();
    progress.begin("verify", objects.len() as u64, total);
    let st = &archive.store;
    let results: Vec<Option<Damage>> = objects
        .par_iter()
        .map(|o| {
            let path = st.path_of(&o.sha256);
            let damage = |problem: &str, detail: String| Damage {
                sha256: o.sha256.clone(),
                path: path.display().to_string(),
                problem: problem.into(),
                detail,
                items: o
                    .uses
                    .iter()
                    .map(|u| u.0.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                files: o
                    .uses
                    .iter()
                    .map(|u| u.1.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            };
            let r = match store::hash_file(&path) {
                Ok(h) if h.sha256 == o.sha256 && h.size == o.size => None,
                Ok(h) => Some(damage(
                    "corrupt",
                    format!(
                        "read {} bytes with sha256 {} (expected {} bytes)",
                        h.size, h.sha256, o.size
                    ),
                )),
                Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                    Some(damage("missing", "the file is not there".into()))
                }
                Err(e) => Some(damage("corrupt", format!("cannot be read: {e}"))),
            };
            progress.advance(1, o.size);
            r
        })
        .collect();
    progress.end();
    let present = st.list_present()?;
    let known: BTreeSet<&str> = objects.iter().map(|o| o.sha256.as_str()).collect();
    let orphans: Vec<String> = present
        .into_iter()
        .filter(|n| !known.contains(n.as_str()))
        .map(|n| st.path_of(&n).display().to_string())
        .collect();
    let mut per_item: BTreeMap<String, (usize, Vec<serde_json::Value>)> = BTreeMap::new();
    for (o, d) in objects.iter().zip(&results) {
        for (item, name) in &o.uses {
            let e = per_item.entry(item.clone()).or_default();
            e.0 += 1;
            if let Some(d) = d {
                e.1.push(json!({"file": name, "sha256": d.sha256, "problem": d.problem}));
            }
        }
    }
    archive.catalog.record_fixity(&per_item)?;
    let damaged: Vec<Damage> = results.into_iter().flatten().collect();
    Ok(VerifyReport {
        checked: objects.len(),
        ok: objects.len() - damaged.len(),
        damaged,
        orphans,
        bytes: total,
        items: per_item.len(),
    })
}
