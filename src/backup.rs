//! `hishatak backup DEST`: make or update a complete, verified copy of an archive.
//!
//! The order keeps the destination usable at every moment, even if the backup is killed:
//! 1. the catalog is copied with SQLite's online backup API, in one step, into a snapshot
//!    file in the destination: a consistent state, taken while other commands go on
//!    (readers never block writers in WAL mode);
//! 2. every object the snapshot names and the destination lacks is copied through the
//!    destination's own store (temporary file, hashed while copied, fsync, rename, folder
//!    fsync), then read back and hashed again; objects already there are not copied;
//! 3. only then is the snapshot installed as the destination's catalog, again through the
//!    backup API, which replaces it in one transaction.
//!
//! Objects are never removed from a destination, and each committed catalog in it names
//! only objects that were copied before it, so a destination is always a valid archive.
//! The search index is not copied: it is derived, and rebuilt on first use.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::archive::{Archive, CATALOG_FILE, SETTINGS_FILE};
use crate::error::{Error, IoContext, Result};
use crate::progress::Progress;
use crate::store::{self, ObjectStore, ObjectWriter, StageError, Store};

/// Objects copied per store commit (one fsync round).
const BATCH_OBJECTS: usize = 256;
/// Bytes copied per store commit.
const BATCH_BYTES: u64 = 512 << 20;

/// What a backup did.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    /// The destination folder.
    pub dest: String,
    /// Items in the copied catalog.
    pub items: u64,
    /// Objects the catalog names.
    pub objects: usize,
    /// Objects copied by this run.
    pub copied: usize,
    /// Bytes copied by this run.
    pub copied_bytes: u64,
    /// Objects that were already in the destination.
    pub present: usize,
    /// Objects that could not be copied because the source copy is missing or damaged;
    /// the destination keeps whatever it had (restore these from an older backup).
    pub damaged: Vec<crate::verify::Damage>,
}

/// Back up `archive` into `dest` (created when absent; updated when it is a backup of
/// the same archive).
pub fn backup(archive: &Archive, dest: &Path, progress: &dyn Progress) -> Result<BackupReport> {
    let src_root = archive.root().canonicalize().at(archive.root())?;
    prepare_dest(archive, &src_root, dest)?;
    let dest = dest.canonicalize().at(dest)?;

    // 1. Snapshot of the catalog.
    let snap_path = dest.join(".catalog-snapshot.sqlite");
    remove_if_present(&snap_path)?;
    let mut snap = Connection::open(&snap_path).map_err(|e| catalog_error(&snap_path, e))?;
    {
        let b = rusqlite::backup::Backup::new(archive.catalog.conn(), &mut snap)
            .map_err(|e| catalog_error(&snap_path, e))?;
        // All pages in one step: one read transaction, so one consistent state.
        b.step(-1).map_err(|e| catalog_error(&snap_path, e))?;
    }
    let objects: Vec<(String, u64)> = {
        let mut st = snap.prepare("SELECT sha256, size FROM objects ORDER BY sha256")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.map(|r| r.map(|(s, n)| (s, n.max(0) as u64)))
            .collect::<rusqlite::Result<_>>()?
    };
    let items: u64 = snap
        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get::<_, i64>(0))?
        .max(0) as u64;

    // 2. Objects the destination lacks.
    let dest_store = Store::new(dest.join("objects"));
    let missing: Vec<&(String, u64)> = objects
        .iter()
        .filter(|(sha, size)| {
            std::fs::metadata(dest_store.path_of(sha))
                .map(|m| m.len() != *size)
                .unwrap_or(true)
        })
        .collect();
    let present = objects.len() - missing.len();
    progress.begin(
        "backup",
        missing.len() as u64,
        missing.iter().map(|(_, n)| *n).sum(),
    );
    let mut copied = 0usize;
    let mut copied_bytes = 0u64;
    let mut damaged = Vec::new();
    let staging = dest_store.staging()?;
    let mut batch: Vec<&(String, u64)> = Vec::new();
    let mut batch_bytes = 0u64;
    let mut flush = |batch: &mut Vec<&(String, u64)>| -> Result<()> {
        let (c, b, d) = copy_batch(
            archive.store.as_ref(),
            &staging,
            &dest_store,
            batch,
            progress,
        )?;
        copied += c;
        copied_bytes += b;
        damaged.extend(d);
        batch.clear();
        Ok(())
    };
    for o in missing {
        if crate::interrupt::requested() {
            return Err(Error::Interrupted);
        }
        batch_bytes += o.1;
        batch.push(o);
        if batch.len() >= BATCH_OBJECTS || batch_bytes >= BATCH_BYTES {
            flush(&mut batch)?;
            batch_bytes = 0;
        }
    }
    flush(&mut batch)?;
    drop(staging);
    progress.end();

    // 3. Install the snapshot as the destination's catalog, in one transaction.
    let dest_catalog = dest.join(CATALOG_FILE);
    {
        let mut dst =
            Connection::open(&dest_catalog).map_err(|e| catalog_error(&dest_catalog, e))?;
        dst.busy_timeout(Duration::from_secs(60))?;
        crate::fault::hit("backup-install").at(&dest_catalog)?;
        let b = rusqlite::backup::Backup::new(&snap, &mut dst)
            .map_err(|e| catalog_error(&dest_catalog, e))?;
        b.step(-1).map_err(|e| catalog_error(&dest_catalog, e))?;
        drop(b);
        dst.pragma_update(None, "journal_mode", "WAL")?;
        dst.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    }
    drop(snap);
    remove_if_present(&snap_path)?;
    store::sync_dir(&dest)?;

    Ok(BackupReport {
        dest: dest.display().to_string(),
        items,
        objects: objects.len(),
        copied,
        copied_bytes,
        present,
        damaged,
    })
}

/// Copy one batch of objects: stage in parallel (hashing), commit (fsync, rename),
/// read each back and hash it again. Returns (copied, bytes, damaged in the source).
fn copy_batch(
    source: &dyn ObjectStore,
    staging: &store::Staging,
    dest_store: &Store,
    batch: &[&(String, u64)],
    progress: &dyn Progress,
) -> Result<(usize, u64, Vec<crate::verify::Damage>)> {
    let staged: Vec<std::result::Result<store::Staged, (String, String, String)>> = batch
        .par_iter()
        .map(|(sha, size)| {
            let staged = source
                .read(sha)
                .map_err(StageError::Source)
                .and_then(|mut r| staging.stage(&mut r, Path::new(&source.locate(sha)), *size));
            match staged {
                Ok(s) if &s.sha256 == sha => Ok(s),
                Ok(s) => {
                    let detail = format!("read {} bytes with sha256 {}", s.size, s.sha256);
                    staging.discard(vec![s]);
                    Err((sha.clone(), "corrupt".to_string(), detail))
                }
                Err(StageError::Source(e)) => {
                    let problem = match &e {
                        Error::Io { source, .. }
                            if source.kind() == std::io::ErrorKind::NotFound =>
                        {
                            "missing"
                        }
                        _ => "corrupt",
                    };
                    Err((sha.clone(), problem.to_string(), e.to_string()))
                }
                Err(StageError::Store(e)) => Err((sha.clone(), "store".to_string(), e.to_string())),
            }
        })
        .collect();
    let mut good = Vec::new();
    let mut damaged = Vec::new();
    for s in staged {
        match s {
            Ok(s) => good.push(s),
            Err((_, problem, detail)) if problem == "store" => {
                return Err(Error::invalid(format!(
                    "the backup destination could not be written: {detail}"
                )));
            }
            Err((sha, problem, detail)) => damaged.push(crate::verify::Damage {
                path: source.locate(&sha),
                sha256: sha,
                problem,
                detail,
                items: Vec::new(),
                files: Vec::new(),
            }),
        }
    }
    let bytes: u64 = good.iter().map(|s| s.size).sum();
    let names: Vec<String> = good.iter().map(|s| s.sha256.clone()).collect();
    staging.commit(&good)?;
    // Read back what is now on the destination's disk.
    names.par_iter().try_for_each(|sha| {
        let p = dest_store.path_of(sha);
        let h = store::hash_file(&p)?;
        progress.advance(1, h.size);
        if &h.sha256 == sha {
            Ok(())
        } else {
            Err(Error::Corruption {
                what: p.display().to_string(),
                detail: format!(
                    "the copy just written reads back with sha256 {}; the backup disk may be failing",
                    h.sha256
                ),
            })
        }
    })?;
    Ok((names.len(), bytes, damaged))
}

/// Make `dest` an archive folder that may receive this archive's backup, or refuse.
fn prepare_dest(archive: &Archive, src_root: &Path, dest: &Path) -> Result<()> {
    let d = resolved(dest);
    if d.starts_with(src_root) || src_root.starts_with(&d) {
        return Err(Error::invalid(format!(
            "{} is inside the archive it would back up, or holds it; choose a folder elsewhere (ideally on another disk)",
            dest.display()
        )));
    }
    let settings = dest.join(SETTINGS_FILE);
    if dest.exists() {
        let empty = std::fs::read_dir(dest).at(dest)?.next().is_none();
        if !empty && !settings.is_file() {
            return Err(Error::invalid(format!(
                "{} exists and is not a hishatak archive; give an empty or new folder, or an earlier backup of this archive",
                dest.display()
            )));
        }
        let dest_catalog = dest.join(CATALOG_FILE);
        if dest_catalog.is_file() {
            let theirs = archive_id_at(&dest_catalog)?;
            let ours = archive.catalog.archive_id()?;
            if theirs.is_some() && theirs != ours {
                return Err(Error::invalid(format!(
                    "{} holds another archive (id {}), not a backup of this one (id {}); nothing was changed",
                    dest.display(),
                    theirs.unwrap_or_default(),
                    ours.unwrap_or_default()
                )));
            }
        }
    }
    for sub in ["objects", "index", "exports"] {
        let p = dest.join(sub);
        std::fs::create_dir_all(&p).at(&p)?;
    }
    // Settings and the archive's own gazetteer travel with it.
    for name in [SETTINGS_FILE, "gazetteer.tsv"] {
        let from = archive.root().join(name);
        if from.is_file() {
            let to = dest.join(name);
            let tmp = dest.join(format!(".{name}.partial"));
            std::fs::copy(&from, &tmp).at(&tmp)?;
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .at(&tmp)?;
            std::fs::rename(&tmp, &to).at(&to)?;
        }
    }
    store::sync_dir(dest)?;
    Ok(())
}

/// The `archive_info` id recorded in a catalog file (None for catalogs made before ids).
fn archive_id_at(path: &Path) -> Result<Option<String>> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| catalog_error(path, e))?;
    let has: bool = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'archive_info'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| catalog_error(path, e))?
        > 0;
    if !has {
        return Ok(None);
    }
    c.query_row("SELECT value FROM archive_info WHERE key = 'id'", [], |r| {
        r.get::<_, String>(0)
    })
    .map(Some)
    .or_else(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => Ok(None),
        e => Err(catalog_error(path, e)),
    })
}

fn catalog_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::Corruption {
        what: path.display().to_string(),
        detail: format!("{e}"),
    }
}

fn remove_if_present(p: &PathBuf) -> Result<()> {
    match std::fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(p, e)),
    }
}

/// `p` made absolute with symbolic links resolved, for the part of it that exists.
fn resolved(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent;
            }
            _ => return abs,
        }
    }
}
