//! Files and manifests in: one pipeline, with a report of what was stored, what was
//! already there, and what was refused and why.
//!
//! The pipeline takes item plans (from file arguments or a manifest), and for each batch
//! of a few hundred items: copies and hashes every file on all cores into the store's
//! temporary area, makes the batch durable in one step, and commits the catalog rows in
//! one transaction. A file that cannot be read refuses its item and the batch goes on; a
//! store that cannot be written (disk full) stops the batch with everything committed
//! before it intact.

pub mod manifest;
mod paths;
pub mod sniff;
pub mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::archive::Archive;
use crate::catalog::{self, NewFile, NewText};
use crate::error::{Error, Result};
use crate::model::{ItemRecord, Kind};
use crate::progress::Progress;
use crate::store::{self, StageError, Staged};

/// One item to ingest.
#[derive(Debug, Clone)]
pub struct ItemPlan {
    /// How reports name it: a path, or `manifest.csv row 5`.
    pub source: String,
    /// Manifest row, when it came from one.
    pub row: Option<usize>,
    /// Its metadata.
    pub record: ItemRecord,
    /// Master files in page order.
    pub pages: Vec<PathBuf>,
    /// Names of the masters as given (stored as the original file name).
    pub page_names: Vec<String>,
    /// Transcripts and translations.
    pub texts: Vec<TextPlan>,
}

/// A transcript or translation file.
#[derive(Debug, Clone)]
pub struct TextPlan {
    /// Where it is.
    pub path: PathBuf,
    /// Name as given.
    pub name: String,
    /// `transcript` or `translation`.
    pub source: &'static str,
    /// Language.
    pub lang: Option<String>,
    /// Encoding named by the user.
    pub encoding: Option<String>,
    /// Column or flag it came from (for messages).
    pub column: String,
}

/// An input that was not stored, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// The input (path or manifest row).
    pub source: String,
    /// Manifest row number (CSV: spreadsheet row, the header being row 1).
    pub row: Option<usize>,
    /// Column or key at fault.
    pub column: Option<String>,
    /// Why, for a person.
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}, column {c}: {}", self.source, self.reason),
            None => write!(f, "{}: {}", self.source, self.reason),
        }
    }
}

/// An item that was stored (or, in a dry run, would be).
#[derive(Debug, Clone, Serialize)]
pub struct StoredItem {
    /// New id (`None` in a dry run).
    pub id: Option<String>,
    /// The input.
    pub source: String,
    /// Its kind.
    pub kind: Kind,
    /// Whether the kind was inferred from the content.
    pub kind_inferred: bool,
    /// Media type of the first master.
    pub media_type: String,
    /// Number of master files.
    pub files: usize,
    /// Bytes of masters and texts.
    pub bytes: u64,
}

/// An input whose files are already an item.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    /// The input.
    pub source: String,
    /// The item that already holds the same files.
    pub id: String,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    /// True for `--dry-run`: nothing was written.
    pub dry_run: bool,
    /// Items stored.
    pub stored: Vec<StoredItem>,
    /// Inputs already in the archive.
    pub duplicates: Vec<Duplicate>,
    /// Inputs refused, with the reason.
    pub refused: Vec<Refusal>,
    /// Things a person should know (zero-byte files, skipped hidden files).
    pub warnings: Vec<String>,
    /// Objects written that were not in the store before.
    pub new_objects: usize,
    /// Bytes read.
    pub bytes: u64,
    /// Set when the batch stopped early (disk full, interrupted): what stopped it.
    pub stopped: Option<String>,
    /// Whether the user interrupted the run.
    pub interrupted: bool,
    /// What was read inside the new items (metadata, derivatives, text, OCR).
    pub content: Option<crate::content::ContentReport>,
}

/// Options of an ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Values for fields the inputs leave unset (the `ingest` flags).
    pub defaults: ItemRecord,
    /// All files become pages of one item.
    pub one_item: bool,
    /// Validate and hash, store nothing.
    pub dry_run: bool,
    /// A transcript for the (single) item.
    pub transcript: Option<PathBuf>,
    /// Encoding of transcripts.
    pub encoding: Option<String>,
    /// When to OCR the new items.
    pub ocr: crate::content::OcrMode,
}

/// Expand file and folder arguments into item plans (folders walked in sorted order,
/// hidden files skipped with a warning).
pub fn plan_files(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<std::result::Result<ItemPlan, Refusal>>> {
    let mut found: Vec<std::result::Result<PathBuf, Refusal>> = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Err(e) => found.push(Err(Refusal {
                source: input.display().to_string(),
                row: None,
                column: None,
                reason: if e.kind() == std::io::ErrorKind::NotFound {
                    "file not found".into()
                } else {
                    e.to_string()
                },
            })),
            Ok(m) if m.is_dir() => walk(input, &mut found, warnings),
            Ok(m) if m.is_file() => found.push(Ok(input.clone())),
            Ok(_) => found.push(Err(Refusal {
                source: input.display().to_string(),
                row: None,
                column: None,
                reason: "not a regular file (a device, pipe or socket)".into(),
            })),
        }
    }
    let mut plans = Vec::new();
    let transcript = |record: &ItemRecord| -> Vec<TextPlan> {
        opts.transcript
            .iter()
            .map(|p| TextPlan {
                path: p.clone(),
                name: file_name(p),
                source: "transcript",
                lang: record.langs.first().cloned(),
                encoding: opts.encoding.clone(),
                column: "--transcript".into(),
            })
            .collect()
    };
    if opts.one_item {
        let mut ok = Vec::new();
        for f in found {
            match f {
                Ok(p) => ok.push(p),
                Err(r) => plans.push(Err(r)),
            }
        }
        if !ok.is_empty() && plans.is_empty() {
            let record = opts.defaults.clone();
            plans.push(Ok(ItemPlan {
                source: ok[0].display().to_string(),
                row: None,
                texts: transcript(&record),
                record,
                page_names: ok.iter().map(|p| file_name(p)).collect(),
                pages: ok,
            }));
        } else if !ok.is_empty() {
            // One item of several pages with a page missing would be a wrong item.
            for p in ok {
                plans.push(Err(Refusal {
                    source: p.display().to_string(),
                    row: None,
                    column: None,
                    reason: "not stored: another page of this --one-item item was refused".into(),
                }));
            }
        }
    } else {
        if opts.transcript.is_some() && found.len() > 1 {
            return Err(Error::invalid(
                "--transcript belongs to one item: give one file, or use --one-item",
            ));
        }
        for f in found {
            plans.push(f.map(|p| {
                let record = opts.defaults.clone();
                ItemPlan {
                    source: p.display().to_string(),
                    row: None,
                    texts: transcript(&record),
                    record,
                    page_names: vec![file_name(&p)],
                    pages: vec![p],
                }
            }));
        }
    }
    Ok(plans)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn walk(
    dir: &Path,
    out: &mut Vec<std::result::Result<PathBuf, Refusal>>,
    warnings: &mut Vec<String>,
) {
    // Each entry's type comes with the folder listing (no `stat` per file); only
    // symbolic links are followed to see what they point at.
    let mut entries: Vec<(PathBuf, Option<std::fs::FileType>)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| (e.path(), e.file_type().ok())))
            .collect(),
        Err(e) => {
            out.push(Err(Refusal {
                source: dir.display().to_string(),
                row: None,
                column: None,
                reason: format!("cannot read the folder: {e}"),
            }));
            return;
        }
    };
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (p, listed) in entries {
        let name = file_name(&p);
        if name.starts_with('.') {
            warnings.push(format!("{}: hidden file skipped", p.display()));
            continue;
        }
        let link = listed.is_some_and(|t| t.is_symlink());
        let kind = match listed {
            Some(t) if !t.is_symlink() => Ok(t),
            _ => std::fs::metadata(&p).map(|m| m.file_type()),
        };
        match kind {
            Ok(t) if t.is_dir() => {
                if link {
                    warnings.push(format!(
                        "{}: symbolic link to a folder not followed",
                        p.display()
                    ));
                } else {
                    walk(&p, out, warnings);
                }
            }
            Ok(t) if t.is_file() => out.push(Ok(p)),
            Ok(_) => out.push(Err(Refusal {
                source: p.display().to_string(),
                row: None,
                column: None,
                reason: "not a regular file".into(),
            })),
            Err(e) => out.push(Err(Refusal {
                source: p.display().to_string(),
                row: None,
                column: None,
                reason: e.to_string(),
            })),
        }
    }
}

/// The fingerprint of an item: its master hashes in page order.
fn fingerprint(hashes: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"hishatak-item-v1\n");
    for s in hashes {
        h.update(s.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// A plan whose files are read and hashed (and, unless dry, staged).
struct Prepared {
    plan: ItemPlan,
    masters: Vec<(String, u64, String)>, // sha, size, media type
    texts: Vec<(NewText, u64, String)>,  // text, size, media type
    staged: Vec<Staged>,
    fingerprint: String,
    kind_inferred: bool,
    /// Warnings reported only if the item is stored (not for duplicates).
    warnings: Vec<String>,
}

/// Files (masters and texts) of a plan and their bytes, as they are now on disk.
pub fn plan_size(p: &ItemPlan) -> (u64, u64) {
    let bytes = p
        .pages
        .iter()
        .chain(p.texts.iter().map(|t| &t.path))
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    ((p.pages.len() + p.texts.len()) as u64, bytes)
}

/// Run an ingest over plans. Refused plans go straight to the report.
pub fn run(
    archive: &mut Archive,
    plans: Vec<std::result::Result<ItemPlan, Refusal>>,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport> {
    // Sized on all cores: one `stat` per file, before anything is copied.
    let (items, files, bytes) = plans
        .par_iter()
        .flatten()
        .map(|p| {
            let (files, bytes) = plan_size(p);
            (1, files, bytes)
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    let totals = manifest::Totals {
        rows: plans.len() as u64,
        items,
        files,
        bytes,
    };
    run_stream(
        archive,
        plans.into_iter().map(Ok),
        Some(totals),
        opts,
        progress,
    )
}

/// Run an ingest over plans read one at a time (a manifest's rows): a batch is taken,
/// stored and committed before the next is read, so memory holds one batch, not the
/// input. `totals` sizes the progress bar and the last batches when known. An `Err` from
/// `plans` (the input could not be read further) stops the run like a full disk: what
/// was committed before it stays.
pub fn run_stream(
    archive: &mut Archive,
    plans: impl Iterator<Item = Result<std::result::Result<ItemPlan, Refusal>>>,
    totals: Option<manifest::Totals>,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport> {
    let mut report = IngestReport {
        dry_run: opts.dry_run,
        ..IngestReport::default()
    };
    let (total_files, total_bytes) = totals.as_ref().map_or((0, 0), |t| (t.files, t.bytes));
    progress.begin("ingest", total_files, total_bytes);
    let staging = if opts.dry_run {
        None
    } else {
        Some(archive.store.writer()?)
    };
    let batch_items = archive.settings.ingest.batch_items.max(1);
    let batch_bytes = archive.settings.ingest.batch_bytes;
    let defaults = &opts.defaults;
    let mut plans = plans;
    // A plan read that did not fit the last batch starts the next one.
    let mut carry: Option<(ItemPlan, u64)> = None;
    let mut exhausted = false;
    // Items taken into batches so far: none before the first batch, and the count left
    // sizes the last batches when the total is known.
    let mut items_taken = 0u64;
    // Batches are pipelined: while one batch is made durable and committed to the catalog
    // on a thread of its own (disk flushes, renames, SQL: mostly waiting), the next one is
    // read, copied and hashed on all cores. Commits stay in batch order, one at a time.
    let stopped: Result<Option<(String, bool)>> = std::thread::scope(|scope| {
        let mut lent: Option<(&mut Archive, &mut IngestReport)> =
            Some((&mut *archive, &mut report));
        let mut pending: Option<Pending<'_, '_>> = None;
        // The last batch written, held open until a flush makes its names durable.
        let mut held: Option<Held> = None;
        let mut lock_held_since = std::time::Instant::now();
        loop {
            let interrupted = crate::interrupt::requested();
            let mut chunk: Vec<ItemPlan> = Vec::new();
            let mut refused: Vec<Refusal> = Vec::new();
            let mut bytes = 0u64;
            let mut unreadable = None;
            if !interrupted {
                if let Some((p, size)) = carry.take() {
                    chunk.push(p);
                    items_taken += 1;
                    bytes = size;
                }
            }
            let items_left = totals.as_ref().map(|t| t.items.saturating_sub(items_taken));
            let limit = batch_limit(batch_items, items_taken == 0, items_left);
            while !interrupted && !exhausted && chunk.len() < limit {
                match plans.next() {
                    None => exhausted = true,
                    Some(Err(e)) => {
                        exhausted = true;
                        unreadable = Some(e);
                    }
                    Some(Ok(Err(r))) => refused.push(r),
                    Some(Ok(Ok(mut plan))) => {
                        plan.record.fill_from(defaults);
                        let (_, size) = plan_size(&plan);
                        if !chunk.is_empty() && bytes + size > batch_bytes {
                            carry = Some((plan, size));
                            break;
                        }
                        bytes += size;
                        items_taken += 1;
                        chunk.push(plan);
                    }
                }
            }
            // Read every file of the batch once, on all cores: copy + hash (or hash only
            // in a dry run), while the previous batch commits.
            let results = if unreadable.is_none() {
                stage_all(staging.as_deref(), &chunk, progress)
            } else {
                Vec::new()
            };
            // Wait for the batch in flight; it hands back the catalog and the report.
            let (a, r, earlier) = match pending.take() {
                Some(handle) => match handle.join() {
                    Ok((a, r, outcome, h)) => {
                        held = h;
                        if let (Err(_), Some(s)) = (&outcome, staging.as_deref()) {
                            // The batch held is complete but for its names' flush.
                            let _ = finish(a, s, held.take(), r);
                        }
                        (a, r, outcome?)
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                None => match lent.take() {
                    Some((a, r)) => (a, r, None),
                    None => {
                        return Err(Error::invalid(
                            "ingest: the batch pipeline lost its catalog",
                        ))
                    }
                },
            };
            r.refused.append(&mut refused);
            let ending =
                earlier.is_some() || interrupted || unreadable.is_some() || chunk.is_empty();
            // The run ends here: the batch still held commits first, so that the counts
            // in the messages below include it.
            let finished = match (ending, staging.as_deref()) {
                (true, Some(s)) => finish(a, s, held.take(), r),
                _ => None,
            };
            let stop = if let Some(why) = earlier.or(finished) {
                Some((why, false))
            } else if interrupted {
                Some(("interrupted (Ctrl-C)".to_string(), true))
            } else if let Some(e) = unreadable {
                // The rows read before the failure are not stored: the input is in doubt.
                let committed = r.stored.len();
                Some((
                    format!(
                        "the input could not be read further ({e}); the {committed} item(s) committed before stay valid"
                    ),
                    false,
                ))
            } else {
                None
            };
            if stop.is_some() || chunk.is_empty() {
                if let Some(s) = staging.as_deref() {
                    s.discard(results.into_iter().filter_map(|(_, _, r)| r.ok()).collect());
                }
                return Ok(stop);
            }
            let staging = staging.as_deref();
            let mut h = held.take();
            // A held batch keeps the catalog's write lock until the next batch is copied.
            // Only batches that copy quickly are held, and never for over a second in a
            // row: then one batch commits at once, and another process waiting to write
            // (an `edit`, a second ingest) finds the lock free while the next is copied.
            let defer = bytes <= DEFER_BYTES && lock_held_since.elapsed() < DEFER_FOR;
            if !defer {
                lock_held_since = std::time::Instant::now();
            }
            pending = Some(scope.spawn(move || {
                let outcome =
                    commit_staged(&mut *a, staging, chunk, results, &mut *r, &mut h, defer);
                (a, r, outcome, h)
            }));
        }
    });
    // Only an error left a batch's transaction open (every other path committed or
    // rolled it back): nothing of it is committed.
    archive.catalog.rollback_open();
    if let Some((why, interrupted)) = stopped? {
        // A batch that stopped because Ctrl-C reached its staging is an interrupt too.
        report.interrupted |= interrupted || crate::interrupt::requested();
        report.stopped = Some(why);
    }
    progress.end();
    // Read inside the stored masters: metadata, derivatives, PDF text, OCR, languages.
    // The items are committed already; a file no decoder can read is flagged, not lost.
    let ids: Vec<String> = report.stored.iter().filter_map(|s| s.id.clone()).collect();
    if !ids.is_empty() && !opts.dry_run {
        let opts = crate::content::Options {
            ocr: opts.ocr,
            force: false,
        };
        match crate::content::process(archive, &ids, &opts, progress) {
            Ok(c) => report.content = Some(c),
            Err(e) => report.warnings.push(format!(
                "the new items are stored, but reading inside them stopped ({e}); run `hishatak derive` to finish"
            )),
        }
    }
    Ok(report)
}

/// How many items the next batch takes. A batch's commit runs beside the next batch's
/// copy, so the first copy and the last commit run alone: a first batch of an eighth of
/// the usual size starts that overlap sooner, and when the items left (`items_left`, if
/// the total is known) would make one batch and a bit, they are split so that the last
/// batch is an eighth too and leaves less to commit at the end. Batches of fewer than
/// eight items are never shortened.
fn batch_limit(batch_items: usize, first: bool, items_left: Option<u64>) -> usize {
    let ramp = batch_items / 8;
    if ramp == 0 {
        return batch_items;
    }
    if first {
        return ramp;
    }
    match items_left {
        Some(left) if left > ramp as u64 && left <= (batch_items + ramp) as u64 => {
            left as usize - ramp
        }
        _ => batch_items,
    }
}

/// Batches of at most this many bytes are held open for the next batch's flush (they
/// copy in a fraction of a second, so the catalog's write lock is not held for long).
const DEFER_BYTES: u64 = 128 << 20;
/// The longest the pipeline keeps the write lock by holding batch after batch.
const DEFER_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// One file's staging outcome: (plan index, file index, result).
type StageResult = (usize, usize, std::result::Result<Staged, StageError>);

/// A batch committing on its own thread; it hands the archive and the report back.
type Pending<'scope, 'a> = std::thread::ScopedJoinHandle<
    'scope,
    (
        &'a mut Archive,
        &'a mut IngestReport,
        Result<Option<String>>,
        Option<Held>,
    ),
>;

/// Read every file of a batch once, on all cores: copy + hash (or hash only when there is
/// no writer, in a dry run).
fn stage_all(
    staging: Option<&dyn store::ObjectWriter>,
    chunk: &[ItemPlan],
    progress: &dyn Progress,
) -> Vec<StageResult> {
    let jobs: Vec<(usize, usize, &Path)> = chunk
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.pages
                .iter()
                .chain(p.texts.iter().map(|t| &t.path))
                .enumerate()
                .map(move |(j, f)| (i, j, f.as_path()))
        })
        .collect();
    jobs.into_par_iter()
        .map(|(i, j, path)| {
            let r = if crate::interrupt::requested() {
                Err(StageError::Store(Error::Interrupted))
            } else {
                match staging {
                    Some(s) => s.stage_file(path),
                    None => store::hash_file(path)
                        .map(Staged::hashed_only)
                        .map_err(StageError::Source),
                }
            };
            if let Ok(s) = &r {
                progress.advance(1, s.size);
            }
            (i, j, r)
        })
        .collect()
}

/// Make a staged batch durable and write its catalog rows. Returns `Some(reason)` when
/// the run had to stop (the store or the catalog could not be written, or the run was
/// interrupted).
///
/// With `defer`, the rows are left in the catalog connection's open transaction, in
/// `held`, and commit when the next batch is made durable: one flush writes that batch's
/// bytes and this batch's new names together, where a flush for each was on the
/// pipeline's critical path. The batch held before this one commits here, right after
/// that flush; the last one is committed by `finish`. Without `defer` the batch is
/// flushed and committed before this returns.
fn commit_staged(
    archive: &mut Archive,
    staging: Option<&dyn store::ObjectWriter>,
    chunk: Vec<ItemPlan>,
    results: Vec<StageResult>,
    report: &mut IngestReport,
    held: &mut Option<Held>,
    defer: bool,
) -> Result<Option<String>> {
    let mut per_plan: Vec<Vec<Option<Staged>>> = chunk
        .iter()
        .map(|p| (0..p.pages.len() + p.texts.len()).map(|_| None).collect())
        .collect();
    let mut errors: HashMap<usize, Error> = HashMap::new();
    let mut store_error: Option<Error> = None;
    for (i, j, r) in results {
        match r {
            Ok(s) => per_plan[i][j] = Some(s),
            Err(StageError::Source(e)) => {
                errors.entry(i).or_insert(e);
            }
            Err(StageError::Store(e)) => {
                store_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = store_error {
        if let Some(s) = staging {
            s.discard(per_plan.into_iter().flatten().flatten().collect());
            // The batch before is complete but for its names' flush: it still commits.
            if let Some(stop) = finish(archive, s, held.take(), report) {
                return Ok(Some(stop));
            }
        }
        let committed = report.stored.len();
        return Ok(Some(match e {
            Error::Interrupted => "interrupted (Ctrl-C)".to_string(),
            e => format!(
                "the store could not be written ({e}); the batch stopped, and the {committed} item(s) committed before stay valid"
            ),
        }));
    }
    // Decode texts and assemble each plan; refuse those that failed.
    let mut prepared: Vec<Prepared> = Vec::new();
    for (i, (plan, staged)) in chunk.into_iter().zip(per_plan).enumerate() {
        let staged: Vec<Staged> = staged.into_iter().flatten().collect();
        if let Some(e) = errors.remove(&i) {
            if let Some(s) = staging {
                s.discard(staged);
            }
            report.refused.push(Refusal {
                source: plan.source.clone(),
                row: plan.row,
                column: None,
                reason: e.to_string(),
            });
            continue;
        }
        match prepare(plan, staged) {
            Ok(p) => prepared.push(p),
            Err((staged, refusal)) => {
                if let Some(s) = staging {
                    s.discard(staged);
                }
                report.refused.push(refusal);
            }
        }
    }
    // Step 2 for this batch, and the end of step 3 for the batch before (docs/format.md);
    // then the batch before commits. The duplicate checks below run after that commit, so
    // they name only committed items.
    if let Some(staging) = staging {
        let counts: Vec<usize> = prepared.iter().map(|p| p.staged.len()).collect();
        let all: Vec<Staged> = prepared
            .iter_mut()
            .flat_map(|p| std::mem::take(&mut p.staged))
            .collect();
        if let Err(e) = staging.flush(&all, held.as_ref().map(|h| &h.placement)) {
            // Neither batch may be committed: the names of the one before are in doubt too.
            archive.catalog.rollback_open();
            *held = None;
            staging.discard(all);
            return Ok(Some(not_durable(&e, report)));
        }
        if let Some(h) = held.take() {
            if let Some(stop) = commit_held(archive, h, report) {
                staging.discard(all);
                return Ok(Some(stop));
            }
        }
        let mut all = all.into_iter();
        for (p, n) in prepared.iter_mut().zip(counts) {
            p.staged = all.by_ref().take(n).collect();
        }
    }
    // Items already in the catalog are duplicates: their staged copies are dropped
    // before anything is renamed into the store.
    let mut fresh = Vec::new();
    let mut seen_in_batch: HashMap<String, usize> = HashMap::new();
    let existing = {
        let fingerprints: Vec<&str> = prepared.iter().map(|p| p.fingerprint.as_str()).collect();
        catalog::find_by_fingerprints(archive.catalog.conn(), &fingerprints)?
    };
    for (p, existing) in prepared.into_iter().zip(existing) {
        if let Some(id) = existing {
            report.duplicates.push(Duplicate {
                source: p.plan.source.clone(),
                id,
            });
            if let Some(s) = staging {
                s.discard(p.staged);
            }
            continue;
        }
        if let Some(&k) = seen_in_batch.get(&p.fingerprint) {
            let first: &Prepared = &fresh[k];
            report.warnings.push(format!(
                "{}: same files as {}; stored once",
                p.plan.source, first.plan.source
            ));
            report.duplicates.push(Duplicate {
                source: p.plan.source.clone(),
                id: format!("(same as {})", first.plan.source),
            });
            if let Some(s) = staging {
                s.discard(p.staged);
            }
            continue;
        }
        seen_in_batch.insert(p.fingerprint.clone(), fresh.len());
        fresh.push(p);
    }
    for p in &fresh {
        report.bytes += p.staged.iter().map(|s| s.size).sum::<u64>();
    }
    let Some(staging) = staging else {
        for p in fresh {
            report.warnings.extend(p.warnings.iter().cloned());
            report.stored.push(stored_entry(&p, None));
        }
        return Ok(None);
    };
    let all: Vec<Staged> = fresh
        .iter_mut()
        .flat_map(|p| std::mem::take(&mut p.staged))
        .collect();
    // Step 3: the objects are renamed into place on a thread of their own while this
    // batch's rows are written (both mostly wait on the file system).
    let (placed, written) = std::thread::scope(|scope| {
        let placing = scope.spawn(|| staging.place(&all));
        let written = write_batch(archive, &fresh);
        let placed = match placing.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (placed, written)
    });
    let committed = report.stored.len();
    let placement = match placed {
        Ok(p) => p,
        Err(e) => {
            archive.catalog.rollback_open();
            // Objects renamed before the failure stay, unreferenced, and are reused.
            staging.discard(all);
            return Ok(Some(format!(
                "the store could not be written ({e}); the batch stopped, and the {committed} item(s) committed before stay valid"
            )));
        }
    };
    match written {
        Ok(mut h) => {
            h.placement = placement;
            *held = Some(h);
            if !defer {
                // Flushed and committed now: the write lock is free while the next batch
                // is copied.
                if let Some(stop) = finish(archive, staging, held.take(), report) {
                    return Ok(Some(stop));
                }
            }
            Ok(None)
        }
        Err(e) => {
            archive.catalog.rollback_open();
            Ok(Some(format!(
                "the catalog could not be written ({e}); {}",
                rolled_back(committed)
            )))
        }
    }
}

/// What a failed flush says: nothing of the batch (or of the one it carried) is kept.
fn not_durable(e: &Error, report: &IngestReport) -> String {
    format!(
        "the store could not be made durable ({e}); the batch stopped, and the {} item(s) committed before stay valid",
        report.stored.len()
    )
}

/// What a failed catalog commit says of the batch and of the store.
fn rolled_back(committed: usize) -> String {
    format!(
        "this batch was rolled back whole (its files stay in the store, unreferenced, and are reused when you run the command again) and the {committed} item(s) committed before stay valid"
    )
}

/// A batch whose catalog rows are written in the connection's open transaction, waiting
/// for the flush that makes its objects' names durable before it commits.
#[derive(Default)]
struct Held {
    placement: store::Placement,
    stored: Vec<StoredItem>,
    /// Items another process stored first (found under the write lock).
    duplicates: Vec<Duplicate>,
    warnings: Vec<String>,
}

/// Commit a held batch (its objects and names are durable): into the report, or
/// `Some(reason)` when the catalog refused the commit and rolled the batch back.
fn commit_held(archive: &mut Archive, h: Held, report: &mut IngestReport) -> Option<String> {
    let done = crate::fault::hit("catalog-commit")
        .map_err(|e| Error::io(archive_root_catalog(), e))
        .and_then(|()| archive.catalog.commit_open());
    match done {
        Ok(()) => {
            report.new_objects += h.placement.new.iter().filter(|&&n| n).count();
            report.duplicates.extend(h.duplicates);
            report.warnings.extend(h.warnings);
            report.stored.extend(h.stored);
            None
        }
        Err(e) => {
            archive.catalog.rollback_open();
            Some(format!(
                "the catalog could not be written ({e}); {}",
                rolled_back(report.stored.len())
            ))
        }
    }
}

/// End the run's last held batch: flush its names, then commit it. `Some(reason)` when
/// either failed (the batch is rolled back; what was committed before stays).
fn finish(
    archive: &mut Archive,
    staging: &dyn store::ObjectWriter,
    held: Option<Held>,
    report: &mut IngestReport,
) -> Option<String> {
    let h = held?;
    if let Err(e) = staging.flush(&[], Some(&h.placement)) {
        archive.catalog.rollback_open();
        return Some(not_durable(&e, report));
    }
    commit_held(archive, h, report)
}

/// Write a batch's rows in one transaction, left open for `commit_held` (the write lock
/// is held until then). On an error the transaction is rolled back.
fn write_batch(archive: &mut Archive, fresh: &[Prepared]) -> Result<Held> {
    let mut tx = archive.catalog.write()?;
    let mut held = Held::default();
    for p in fresh {
        // Checked again under the write lock: another process may have stored it.
        if let Some(id) = catalog::find_by_fingerprint(&tx, &p.fingerprint)? {
            held.duplicates.push(Duplicate {
                source: p.plan.source.clone(),
                id,
            });
            continue;
        }
        let mut files = Vec::new();
        for (page, ((sha, size, mt), name)) in p.masters.iter().zip(&p.plan.page_names).enumerate()
        {
            files.push(NewFile {
                name: name.clone(),
                role: "master",
                page: Some(page as i64 + 1),
                sha256: sha.clone(),
                size: *size,
                media_type: mt.clone(),
            });
        }
        for (t, size, mt) in &p.texts {
            if let (Some(sha), Some(name)) = (&t.sha256, &t.name) {
                files.push(NewFile {
                    name: name.clone(),
                    role: "text",
                    page: None,
                    sha256: sha.clone(),
                    size: *size,
                    media_type: mt.clone(),
                });
            }
        }
        let texts: Vec<NewText> = p.texts.iter().map(|(t, _, _)| t.clone()).collect();
        let detail = json!({
            "source": p.plan.source,
            "files": p.plan.page_names,
            "sha256": p.masters.iter().map(|m| &m.0).collect::<Vec<_>>(),
            "texts": p.plan.texts.iter().map(|t| &t.name).collect::<Vec<_>>(),
        });
        let id =
            catalog::insert_item(&tx, &p.plan.record, &p.fingerprint, &files, &texts, &detail)?;
        held.stored.push(stored_entry(p, Some(id)));
        held.warnings.extend(p.warnings.iter().cloned());
    }
    // Left open: committed or rolled back on the connection by the pipeline.
    tx.set_drop_behavior(rusqlite::DropBehavior::Ignore);
    Ok(held)
}

fn archive_root_catalog() -> PathBuf {
    PathBuf::from(crate::archive::CATALOG_FILE)
}

fn stored_entry(p: &Prepared, id: Option<String>) -> StoredItem {
    StoredItem {
        id,
        source: p.plan.source.clone(),
        kind: p.plan.record.kind.unwrap_or(Kind::Document),
        kind_inferred: p.kind_inferred,
        media_type: p.masters.first().map(|m| m.2.clone()).unwrap_or_default(),
        files: p.masters.len(),
        bytes: p.masters.iter().map(|m| m.1).sum::<u64>()
            + p.texts.iter().map(|t| t.1).sum::<u64>(),
    }
}

type PrepareError = (Vec<Staged>, Refusal);

/// Sniff media types, infer the kind, decode texts, compute the fingerprint.
fn prepare(mut plan: ItemPlan, staged: Vec<Staged>) -> std::result::Result<Prepared, PrepareError> {
    let mut warnings = Vec::new();
    let n_pages = plan.pages.len();
    let mut masters = Vec::new();
    let mut texts = Vec::new();
    for (k, s) in staged.iter().enumerate() {
        let mt = sniff::media_type(&s.head, s.size);
        if k < n_pages {
            if s.size == 0 {
                warnings.push(format!(
                    "{}: zero-byte file stored (is the scan missing?)",
                    plan.pages[k].display()
                ));
            }
            masters.push((s.sha256.clone(), s.size, mt));
        } else {
            let t = &plan.texts[k - n_pages];
            let bytes = match s.read_all(&t.path) {
                Ok(b) => b,
                Err(e) => {
                    let r = Refusal {
                        source: plan.source.clone(),
                        row: plan.row,
                        column: Some(t.column.clone()),
                        reason: e.to_string(),
                    };
                    return Err((staged, r));
                }
            };
            match text::decode(&bytes, t.encoding.as_deref(), Path::new(&t.name)) {
                Ok((body, enc)) => texts.push((
                    NewText {
                        source: t.source,
                        lang: t.lang.clone(),
                        page: None,
                        name: Some(t.name.clone()),
                        sha256: Some(s.sha256.clone()),
                        encoding: Some(enc),
                        body,
                    },
                    s.size,
                    mt,
                )),
                Err(e) => {
                    let r = Refusal {
                        source: plan.source.clone(),
                        row: plan.row,
                        column: Some(t.column.clone()),
                        reason: e.to_string(),
                    };
                    return Err((staged, r));
                }
            }
        }
    }
    // A typed text given as the master is itself the item's transcript.
    for (k, (sha, size, mt)) in masters.iter().enumerate() {
        if mt == "text/plain" && !plan.texts.iter().any(|t| t.source == "transcript") && *size > 0 {
            let path = &plan.pages[k];
            match staged[k]
                .read_all(path)
                .map_err(|e| e.to_string())
                .and_then(|b| {
                    text::decode(&b, None, Path::new(&plan.page_names[k]))
                        .map_err(|e| e.to_string())
                }) {
                Ok((body, enc)) => texts.push((
                    NewText {
                        source: "transcript",
                        lang: plan.record.langs.first().cloned(),
                        page: Some(k as i64 + 1),
                        name: Some(plan.page_names[k].clone()),
                        sha256: Some(sha.clone()),
                        encoding: Some(enc),
                        body,
                    },
                    0, // the bytes are counted as a master
                    mt.clone(),
                )),
                Err(e) => warnings.push(format!(
                    "{}: stored, but its text could not be read: {e}",
                    plan.source
                )),
            }
        }
    }
    let kind_inferred = plan.record.kind.is_none();
    if kind_inferred {
        let mt = masters.first().map(|m| m.2.as_str()).unwrap_or("");
        plan.record.kind = Some(Kind::infer(mt));
    }
    let hashes: Vec<&str> = masters.iter().map(|m| m.0.as_str()).collect();
    let fingerprint = fingerprint(&hashes);
    Ok(Prepared {
        plan,
        masters,
        texts,
        staged,
        fingerprint,
        kind_inferred,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::batch_limit;

    #[test]
    fn first_and_last_batches_are_an_eighth() {
        // 10,000 items in batches of 1,500: 187, six of 1,500, then 813 left is split.
        let mut left = 10_000u64;
        let mut sizes = Vec::new();
        let mut first = true;
        while left > 0 {
            let n = (batch_limit(1500, first, Some(left)) as u64).min(left);
            first = false;
            sizes.push(n);
            left -= n;
        }
        assert_eq!(sizes, [187, 1500, 1500, 1500, 1500, 1500, 1500, 626, 187]);
        // No total known (a manifest without a progress bar): full batches after the first.
        assert_eq!(batch_limit(1500, false, None), 1500);
        // A run that fits the first batch; a tail no larger than an eighth is not split.
        assert_eq!(batch_limit(1500, true, Some(100)), 187);
        assert_eq!(batch_limit(1500, false, Some(187)), 1500);
        // Batches under eight items are never shortened.
        assert_eq!(batch_limit(2, true, Some(6)), 2);
        assert_eq!(batch_limit(7, false, Some(8)), 7);
    }
}
