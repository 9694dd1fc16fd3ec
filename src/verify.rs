//! Fixity: re-hash every stored object on all cores and compare with the catalog.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::progress::Progress;

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

/// Which objects a `verify` run checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection {
    /// Only objects not checked in the last this-many days (never-checked ones are due).
    pub since_days: Option<u64>,
    /// Only this percentage (0-100] of the objects (after `since_days`), chosen at random,
    /// at least one.
    pub sample_percent: Option<f64>,
    /// Seed of the sample (default: from the clock). The same seed picks the same objects.
    pub seed: Option<u64>,
}

/// The outcome of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Objects checked.
    pub checked: usize,
    /// Objects in the catalog that this run did not check (`--since`, `--sample`).
    pub skipped: usize,
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
    verify_selected(archive, Selection::default(), progress)
}

/// Check the objects chosen by `sel`; record when each was checked and one fixity event
/// per item whose files were checked.
pub fn verify_selected(
    archive: &mut Archive,
    sel: Selection,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    let all = archive.catalog.objects()?;
    let in_catalog = all.len();
    let known: BTreeSet<String> = all.iter().map(|o| o.sha256.clone()).collect();
    let objects = select(archive, all, sel)?;
    let skipped = in_catalog - objects.len();
    let total: u64 = objects.iter().map(|o| o.size).sum();
    progress.begin("verify", objects.len() as u64, total);
    let st = archive.store.as_ref();
    let results: Vec<Option<Damage>> = objects
        .par_iter()
        .map(|o| {
            let path = st.locate(&o.sha256);
            let damage = |problem: &str, detail: String| Damage {
                sha256: o.sha256.clone(),
                path: path.clone(),
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
            let r = match st.rehash(&o.sha256) {
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
    let present = st.list()?;
    let orphans: Vec<String> = present
        .into_iter()
        .filter(|n| !known.contains(n))
        .map(|n| st.locate(&n))
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
    let outcomes: Vec<(String, &str)> = objects
        .iter()
        .zip(&results)
        .map(|(o, d)| {
            let outcome = match d {
                None => "ok",
                Some(d) if d.problem == "missing" => "missing",
                Some(_) => "corrupt",
            };
            (o.sha256.clone(), outcome)
        })
        .collect();
    archive.catalog.record_fixity(&outcomes, &per_item)?;
    let damaged: Vec<Damage> = results.into_iter().flatten().collect();
    Ok(VerifyReport {
        checked: objects.len(),
        skipped,
        ok: objects.len() - damaged.len(),
        damaged,
        orphans,
        bytes: total,
        items: per_item.len(),
    })
}

/// Apply `--since` and `--sample` to the catalog's objects.
fn select(
    archive: &Archive,
    objects: Vec<crate::catalog::StoredObject>,
    sel: Selection,
) -> Result<Vec<crate::catalog::StoredObject>> {
    let mut objects = objects;
    if let Some(days) = sel.since_days {
        let last = archive.catalog.last_fixity()?;
        let cutoff = crate::clock::unix_now() - (days as i64).saturating_mul(86_400);
        // Due: never checked, damaged last time, or last checked before the cutoff
        // (`--since 0`: all).
        objects.retain(|o| {
            last.get(&o.sha256)
                .is_none_or(|&at| days == 0 || at < cutoff)
        });
    }
    if let Some(pct) = sel.sample_percent {
        if objects.is_empty() {
            return Ok(objects);
        }
        let want = ((objects.len() as f64) * pct / 100.0).ceil().max(1.0) as usize;
        let seed = sel.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
        });
        // Rank each object by a keyed hash of its name: a uniform, seed-determined pick.
        let mut ranked: Vec<(u64, crate::catalog::StoredObject)> = objects
            .into_iter()
            .map(|o| (rank(seed, &o.sha256), o))
            .collect();
        ranked.sort_by_key(|(r, _)| *r);
        ranked.truncate(want);
        let mut picked: Vec<crate::catalog::StoredObject> =
            ranked.into_iter().map(|(_, o)| o).collect();
        picked.sort_by(|a, b| a.sha256.cmp(&b.sha256));
        return Ok(picked);
    }
    Ok(objects)
}

fn rank(seed: u64, sha256: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(sha256.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_le_bytes(b)
}
